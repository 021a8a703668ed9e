//! Sessions, their chairs, and where in a session the stakeholder slots are placed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Kind;
use crate::{Error, Result};

/// Where in the session the granted stakeholder slots lie (default [`Placement::End`]).
///
/// # Example
///
/// ```
/// use floorshare::model::Placement;
///
/// // Three 3-minute slots in a 180-minute session.
/// assert_eq!(Placement::End.start_minutes(&[3, 3, 3], 180), [171, 174, 177]);
/// assert_eq!(Placement::Start.start_minutes(&[3, 3, 3], 180), [0, 3, 6]);
/// assert_eq!(Placement::Spread.start_minutes(&[3, 3, 3], 180), [0, 60, 120]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Placement {
    /// Consecutive slots ending at the session's end: the 2017 practice ("too late").
    #[default]
    End,
    /// Consecutive slots from minute 0.
    Start,
    /// Slot i of g starts at ⌊i·L/g⌋: civil society heard throughout the session.
    Spread,
}

impl Placement {
    /// Start minute of each slot, given the slots' lengths in speaking order and the session
    /// length `length`. When the slots need more than `length` minutes, `End` and `Start` both
    /// begin at minute 0.
    pub fn start_minutes(self, minutes: &[u32], length: u32) -> Vec<u32> {
        let mut starts = Vec::with_capacity(minutes.len());
        self.start_minutes_into(minutes, length, &mut starts);
        starts
    }

    /// As [`Placement::start_minutes`], into `starts` (cleared first; its memory is reused).
    pub fn start_minutes_into(self, minutes: &[u32], length: u32, starts: &mut Vec<u32>) {
        starts.clear();
        let total: u64 = minutes.iter().map(|&m| u64::from(m)).sum();
        let mut consecutive_from = |first: u64| {
            let mut next = first;
            starts.extend(minutes.iter().map(|&m| {
                let start = next;
                next += u64::from(m);
                u32::try_from(start).unwrap_or(u32::MAX)
            }));
        };
        match self {
            Placement::End if total <= u64::from(length) => {
                consecutive_from(u64::from(length) - total)
            }
            Placement::End | Placement::Start => consecutive_from(0),
            Placement::Spread => {
                let g = minutes.len() as u64;
                starts.extend((0..g).map(|i| (i * u64::from(length) / g) as u32));
            }
        }
    }
}

/// A chair and their discretion profile: how many stakeholder slots they grant
/// (`min_slots..=max_slots`) and how familiar each kind of organisation is to them. A
/// familiarity map replaces the default `{"international_ngo": 3.0}`; kinds absent from it
/// weigh 1.
///
/// # Example
///
/// ```
/// use floorshare::model::{Chair, Kind};
///
/// let chair = Chair::default();
/// assert_eq!((chair.min_slots, chair.max_slots), (1, 2));
/// assert_eq!(chair.familiarity_of(Kind::InternationalNgo), 3.0);
/// assert_eq!(chair.familiarity_of(Kind::Grassroots), 1.0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Chair {
    /// The chair's id.
    #[serde(default = "Chair::default_id")]
    pub id: String,
    /// The chair's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The fewest stakeholder slots the chair grants.
    #[serde(default = "Chair::default_min_slots")]
    pub min_slots: u32,
    /// The most stakeholder slots the chair grants.
    #[serde(default = "Chair::default_max_slots")]
    pub max_slots: u32,
    /// Familiarity weight by kind: a weight of 3 makes the chair three times as likely to pick
    /// an organisation of that kind as one of weight 1. Positive and finite.
    #[serde(
        default = "Chair::default_familiarity",
        deserialize_with = "super::parsed::unique_keys"
    )]
    pub familiarity: BTreeMap<Kind, f64>,
}

impl Chair {
    /// The largest familiarity weight a chair may give: 10¹². Any larger weight would mean
    /// "always" anyway, and with this bound the weights of up to 2³² organisations still sum
    /// to a finite number, so a weighted draw is never starved by overflow.
    pub const MAX_FAMILIARITY: f64 = 1e12;

    fn default_id() -> String {
        "chair".to_string()
    }
    fn default_min_slots() -> u32 {
        1
    }
    fn default_max_slots() -> u32 {
        2
    }
    fn default_familiarity() -> BTreeMap<Kind, f64> {
        BTreeMap::from([(Kind::InternationalNgo, 3.0)])
    }

    /// The familiarity weight of `kind` (1 when the map does not name it).
    pub fn familiarity_of(&self, kind: Kind) -> f64 {
        self.familiarity.get(&kind).copied().unwrap_or(1.0)
    }

    /// Checks the profile: `min_slots ≤ max_slots` and every familiarity weight positive and
    /// at most [`Chair::MAX_FAMILIARITY`].
    ///
    /// # Errors
    ///
    /// [`Error::InvalidValue`] naming `min_slots` when it is greater than `max_slots`, or
    /// `familiarity.<kind>` (`familiarity.academia`) for a weight that is not a positive
    /// number up to 10¹² (NaN, infinite, zero, negative or larger). Field paths are relative
    /// to the chair.
    pub fn check(&self) -> Result<()> {
        check_slot_range(self.min_slots, self.max_slots)?;
        check_familiarity(&self.familiarity)
    }
}

impl Default for Chair {
    fn default() -> Self {
        Chair {
            id: Self::default_id(),
            name: None,
            min_slots: Self::default_min_slots(),
            max_slots: Self::default_max_slots(),
            familiarity: Self::default_familiarity(),
        }
    }
}

/// `min_slots ≤ max_slots`, else an error naming `min_slots`.
pub(crate) fn check_slot_range(min_slots: u32, max_slots: u32) -> Result<()> {
    if min_slots > max_slots {
        return Err(Error::invalid(
            "min_slots",
            min_slots,
            format!("is greater than max_slots ({max_slots})"),
        ));
    }
    Ok(())
}

/// Every familiarity weight positive and at most [`Chair::MAX_FAMILIARITY`], else an error
/// naming `familiarity.<kind>`.
pub(crate) fn check_familiarity(familiarity: &BTreeMap<Kind, f64>) -> Result<()> {
    for (kind, &weight) in familiarity {
        if !(weight > 0.0 && weight <= Chair::MAX_FAMILIARITY) {
            return Err(Error::invalid(
                format!("familiarity.{kind}"),
                weight,
                "is not a positive number up to 1e12",
            ));
        }
    }
    Ok(())
}

/// One meeting session and its stakeholder slots: how many, how long each (3 minutes by
/// default), where they lie (at the end by default) and, optionally, the session's length and
/// its chair.
///
/// # Example
///
/// ```
/// use floorshare::model::{Placement, Session};
///
/// let session: Session = serde_json::from_str(r#"{"id": "ts2", "slots": 2, "length_minutes": 180}"#)?;
/// assert_eq!(session.minutes_per_slot, 3);
/// assert_eq!(session.placement, Placement::End);
/// assert!(session.chair.is_none());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Session {
    /// The session's id.
    pub id: String,
    /// The session's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Number of stakeholder slots.
    pub slots: u32,
    /// Length of one slot in minutes (default 3).
    #[serde(default = "Session::default_minutes_per_slot")]
    pub minutes_per_slot: u32,
    /// Total length of the session in minutes, when known; it gives slots a start minute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length_minutes: Option<u32>,
    /// Where the stakeholder slots lie (default `end`).
    #[serde(default)]
    pub placement: Placement,
    /// The chair, for policies that read a discretion profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chair: Option<Chair>,
    /// The session's number in its process (0, 1, 2, … in order); when absent, 1 + the latest
    /// session the history records anyone speaking in, or 0 without history
    /// ([`CheckedSession::index`](super::CheckedSession::index)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<u32>,
}

impl Session {
    fn default_minutes_per_slot() -> u32 {
        3
    }

    /// A session with `slots` stakeholder slots of 3 minutes, of unknown length, placed at the
    /// end, without a chair.
    pub fn new(id: impl Into<String>, slots: u32) -> Self {
        Session {
            id: id.into(),
            title: None,
            slots,
            minutes_per_slot: Self::default_minutes_per_slot(),
            length_minutes: None,
            placement: Placement::End,
            chair: None,
            index: None,
        }
    }

    /// The same session numbered `index` in its process.
    pub fn with_index(mut self, index: u32) -> Self {
        self.index = Some(index);
        self
    }

    /// The same session with a known length in minutes.
    pub fn with_length(mut self, length_minutes: u32) -> Self {
        self.length_minutes = Some(length_minutes);
        self
    }

    /// The same session with a chair.
    pub fn with_chair(mut self, chair: Chair) -> Self {
        self.chair = Some(chair);
        self
    }

    /// Checks the session: `minutes_per_slot` and `length_minutes` positive,
    /// `slots × minutes_per_slot` within a `u32` (so every start minute is exact) and a valid
    /// chair.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidValue`] naming `minutes_per_slot` (0, or too large for the number of
    /// slots), `length_minutes` (0), or the chair's field under `chair`
    /// (`chair.min_slots`, `chair.familiarity.<kind>`; see [`Chair::check`]). Field paths are
    /// relative to the session.
    pub fn check(&self) -> Result<()> {
        if self.minutes_per_slot == 0 {
            return Err(Error::invalid("minutes_per_slot", 0, "is not positive"));
        }
        if self.length_minutes == Some(0) {
            return Err(Error::invalid("length_minutes", 0, "is not positive"));
        }
        if u64::from(self.slots) * u64::from(self.minutes_per_slot) > u64::from(u32::MAX) {
            return Err(Error::invalid(
                "minutes_per_slot",
                self.minutes_per_slot,
                format!(
                    "times {} slots is more minutes than a session can count (4294967295)",
                    self.slots
                ),
            ));
        }
        if let Some(chair) = &self.chair {
            chair.check().map_err(|e| e.within("chair"))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn end_and_start_fall_back_to_minute_zero_when_slots_overflow() {
        assert_eq!(Placement::End.start_minutes(&[3, 3], 5), [0, 3]);
        assert_eq!(Placement::Start.start_minutes(&[3, 3], 5), [0, 3]);
        assert_eq!(Placement::End.start_minutes(&[3, 3], 6), [0, 3]);
        assert_eq!(Placement::End.start_minutes(&[], 6), Vec::<u32>::new());
    }

    #[test]
    fn spread_divides_the_session_evenly() {
        assert_eq!(Placement::Spread.start_minutes(&[3], 180), [0]);
        assert_eq!(
            Placement::Spread.start_minutes(&[3, 3, 2, 3], 10),
            [0, 2, 5, 7]
        );
    }

    #[test]
    fn chair_check_names_the_field() {
        let chair = Chair {
            min_slots: 3,
            ..Chair::default()
        };
        assert_eq!(chair.check().unwrap_err().field(), "min_slots");
        let chair = Chair {
            familiarity: BTreeMap::from([(Kind::Academia, f64::NAN)]),
            ..Chair::default()
        };
        assert_eq!(chair.check().unwrap_err().field(), "familiarity.academia");
        let session = Session::new("s", 1).with_chair(Chair {
            familiarity: BTreeMap::from([(Kind::Academia, -1.0)]),
            ..Chair::default()
        });
        assert_eq!(
            session.check().unwrap_err().to_string(),
            "chair.familiarity.academia: -1 is not a positive number up to 1e12"
        );
        // The message quotes the bound.
        assert_eq!("1e12".parse::<f64>(), Ok(Chair::MAX_FAMILIARITY));
        let at_bound = Chair {
            familiarity: BTreeMap::from([(Kind::Academia, Chair::MAX_FAMILIARITY)]),
            ..Chair::default()
        };
        assert!(at_bound.check().is_ok());
        let above = Chair {
            familiarity: BTreeMap::from([(Kind::Academia, Chair::MAX_FAMILIARITY * 2.0)]),
            ..Chair::default()
        };
        assert_eq!(above.check().unwrap_err().field(), "familiarity.academia");
    }
}
