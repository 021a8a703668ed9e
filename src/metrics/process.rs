//! A whole process: what each organisation that asked was granted over many sessions.

use serde::{Deserialize, Serialize};

use super::Granted;
use super::{atkinson, gini, jain, never_heard_share, theil_t, top_decile_share};
use crate::Result;
use crate::model::CheckedSession;

/// The inequality indices of one list of values (see each function for its formula and
/// degenerate answers).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Inequality {
    /// [`gini`](super::gini).
    pub gini: f64,
    /// [`theil_t`](super::theil_t).
    pub theil_t: f64,
    /// [`atkinson`](super::atkinson) with ε = 0.5.
    pub atkinson_0_5: f64,
    /// Atkinson with ε = 1.
    pub atkinson_1: f64,
    /// Atkinson with ε = 2.
    pub atkinson_2: f64,
    /// [`jain`](super::jain).
    pub jain: f64,
    /// [`never_heard_share`](super::never_heard_share).
    pub never_heard_share: f64,
    /// [`top_decile_share`](super::top_decile_share).
    pub top_decile_share: f64,
}

impl Inequality {
    /// Every index of `values` (finite and non-negative, else an error naming the value).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::OutOfRange`](crate::ErrorKind::OutOfRange) naming `values[i]` when a value
    /// is negative, NaN or infinite.
    ///
    /// # Example
    ///
    /// ```
    /// use floorshare::metrics::Inequality;
    ///
    /// let equal = Inequality::of(&[2.0, 2.0, 2.0])?;
    /// assert_eq!((equal.gini, equal.jain, equal.never_heard_share), (0.0, 1.0, 0.0));
    /// # Ok::<(), floorshare::Error>(())
    /// ```
    pub fn of(values: &[f64]) -> Result<Self> {
        Ok(Inequality {
            gini: gini(values)?,
            theil_t: theil_t(values)?,
            atkinson_0_5: atkinson(values, 0.5)?,
            atkinson_1: atkinson(values, 1.0)?,
            atkinson_2: atkinson(values, 2.0)?,
            jain: jain(values)?,
            never_heard_share: never_heard_share(values)?,
            top_decile_share: top_decile_share(values)?,
        })
    }
}

/// Slots and minutes per organisation over the sessions of a process (one roster), for the
/// inequality across the organisations that requested at least once.
///
/// ```
/// use floorshare::allocation::Allocate;
/// use floorshare::metrics::ProcessTally;
/// use floorshare::model::*;
/// use floorshare::policy::RegionalBalance;
///
/// let organisations = vec![
///     Organisation::new("a", "asia", Kind::Grassroots),
///     Organisation::new("b", "asia", Kind::Grassroots),
///     Organisation::new("quiet", "asia", Kind::Academia),
/// ];
/// let session = SessionInput::new(Session::new("s", 1), organisations, vec![Request::new("a"), Request::new("b")])
/// .check()?;
/// let mut process = ProcessTally::new(3);
/// process.add(&session, &RegionalBalance::default().allocate_seeded(&session, 1)?);
/// // Two organisations asked, one was heard: "quiet" never asked and does not count.
/// assert_eq!(process.slots().len(), 2);
/// assert_eq!(process.slot_inequality().never_heard_share, 0.5);
/// # Ok::<(), floorshare::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ProcessTally {
    requested: Vec<bool>,
    slots: Vec<u64>,
    minutes: Vec<u64>,
}

impl ProcessTally {
    /// A tally for a roster of `organisations` organisations.
    pub fn new(organisations: usize) -> Self {
        ProcessTally {
            requested: vec![false; organisations],
            slots: vec![0; organisations],
            minutes: vec![0; organisations],
        }
    }

    /// Adds one session's allocation (the session's roster must be the tally's).
    ///
    /// # Panics
    ///
    /// If `allocation` is not of `session` (a granted request index outside its requests).
    pub fn add(&mut self, session: &CheckedSession, allocation: &impl Granted) {
        for &r in session.requesters() {
            if let Some(asked) = self.requested.get_mut(session.organisation_of(r as usize)) {
                *asked = true;
            }
        }
        for grant in allocation.slots() {
            let org = session.organisation_of(grant.request as usize);
            if org < self.slots.len() {
                self.slots[org] += 1;
                self.minutes[org] += u64::from(grant.minutes);
            }
        }
    }

    /// Slots of each organisation that requested at least once, in roster order.
    pub fn slots(&self) -> Vec<f64> {
        self.of_requesters(&self.slots)
    }

    /// As [`ProcessTally::slots`], into `out` (cleared first; its memory is reused).
    pub fn slots_into(&self, out: &mut Vec<f64>) {
        self.of_requesters_into(&self.slots, out);
    }

    /// Starts a new process of `organisations` organisations, keeping the memory.
    pub fn reset(&mut self, organisations: usize) {
        for list in [&mut self.slots, &mut self.minutes] {
            list.clear();
            list.resize(organisations, 0);
        }
        self.requested.clear();
        self.requested.resize(organisations, false);
    }

    /// Minutes of each organisation that requested at least once, in roster order.
    pub fn minutes(&self) -> Vec<f64> {
        self.of_requesters(&self.minutes)
    }

    fn of_requesters(&self, values: &[u64]) -> Vec<f64> {
        let mut out = Vec::new();
        self.of_requesters_into(values, &mut out);
        out
    }

    fn of_requesters_into(&self, values: &[u64], out: &mut Vec<f64>) {
        out.clear();
        out.extend(
            values
                .iter()
                .zip(&self.requested)
                .filter(|(_, asked)| **asked)
                .map(|(&v, _)| v as f64),
        );
    }

    /// Inequality of slots across the organisations that requested.
    pub fn slot_inequality(&self) -> Inequality {
        Self::inequality(&self.slots())
    }

    /// Inequality of minutes across the organisations that requested.
    pub fn minute_inequality(&self) -> Inequality {
        Self::inequality(&self.minutes())
    }

    /// The indices of counts, which are always in their domain (finite, non-negative).
    fn inequality(counts: &[f64]) -> Inequality {
        Inequality::of(counts).unwrap_or_default()
    }
}
