//! `chair_discretion`: the 2017 baseline.

use std::collections::BTreeMap;
use std::ops::Range;

use rand::Rng;
use serde::{Deserialize, Serialize};

use super::{Description, Policy};
use crate::decision::{Decision, GrantReason, Note, Pool, Step, WaitReason, Weighting};
use crate::lot;
use crate::model::{Chair, CheckedSession, Kind, check_familiarity, check_slot_range};
use crate::{Error, Result};

/// Parameters of `chair_discretion`. Each given field overrides the session chair's profile.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChairDiscretionSpec {
    /// Overrides the chair's `min_slots`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_slots: Option<u32>,
    /// Overrides the chair's `max_slots`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_slots: Option<u32>,
    /// Replaces the chair's familiarity map.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub familiarity: Option<BTreeMap<Kind, f64>>,
}

/// The chair picks at their discretion: the practice of the 2017 GCM thematic sessions, where
/// civil society got "one or two interventions at the end of each session, at the discretion
/// of the chair, randomly selected".
///
/// **Rule.** The chair draws d uniformly from `min_slots..=max_slots`, then grants
/// min(d, `slots`, requesting organisations) slots. Picks are made one by one without
/// replacement, each proportional to the familiarity weight of the organisation's kind among
/// those not yet picked (a chair who knows the New York NGOs picks them more often); the draw
/// order is the speaking order. The profile is the session chair's (the default profile, 1–2
/// slots and `{"international_ngo": 3.0}`, when the session has none); the policy's own
/// `min_slots`, `max_slots` and `familiarity` override it. The shared stages (`order`,
/// `time`, `placement`) may follow.
///
/// **Draws**, in order: d; then for each pick a kind (weight = its remaining requesters × its
/// familiarity) and a uniform requester of that kind.
///
/// **Reasons.** Granted `chair_pick` (detail: the count drawn); waitlisted `not_selected` (the
/// chair picked others), or `capacity` when the session has no slot or the chair drew 0.
///
/// **Audit steps.** `count_drawn` (the chair's d), then `lot_drawn` (pool: every requester,
/// weighted by familiarity; the winners in speaking order) when any slot is granted.
///
/// **Promises.** The count is min(d, slots, requesters); a kind with familiarity w > 1 gets
/// more of the granted slots than its share of the requesting organisations, on average over
/// seeds (tested statistically).
///
/// # Example
///
/// ```
/// use floorshare::allocation::Allocate;
/// use floorshare::decision::GrantReason;
/// use floorshare::model::*;
/// use floorshare::policy::ChairDiscretion;
///
/// let session = SessionInput::new(
///     Session::new("ts1", 2).with_length(180),
///     vec![
///         Organisation::new("ingo", "europe", Kind::InternationalNgo),
///         Organisation::new("local", "africa", Kind::Grassroots),
///     ],
///     vec![Request::new("ingo"), Request::new("local")],
/// )
/// .check()?;
/// let allocation = ChairDiscretion::default().allocate_seeded(&session, 1)?;
/// assert!((1..=2).contains(&allocation.granted.len()));
/// assert!(allocation.granted.iter().all(|g| g.reason == GrantReason::ChairPick));
/// // At the end of the session: the last slot ends at minute 180.
/// let last = allocation.granted.last().unwrap();
/// assert_eq!(last.start_minute.unwrap() + last.minutes, 180);
/// # Ok::<(), floorshare::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChairDiscretion {
    spec: ChairDiscretionSpec,
}

impl ChairDiscretion {
    /// The name in policy descriptions.
    pub const NAME: &'static str = "chair_discretion";

    /// Checks the parameters: `min_slots ≤ max_slots` when both are given, familiarity weights
    /// positive and finite.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::OutOfRange`](crate::ErrorKind::OutOfRange) naming `min_slots` when it is
    /// greater than `max_slots`, or `familiarity.<kind>` when a weight is not positive and finite
    /// (up to 1e12).
    pub fn new(spec: ChairDiscretionSpec) -> Result<Self> {
        if let (Some(min), Some(max)) = (spec.min_slots, spec.max_slots) {
            check_slot_range(min, max)?;
        }
        if let Some(familiarity) = &spec.familiarity {
            check_familiarity(familiarity)?;
        }
        Ok(ChairDiscretion { spec })
    }

    /// Builds the policy from its description (the registry's constructor).
    ///
    /// # Errors
    ///
    /// As [`Description::read`] for a parameter the policy does not take or cannot read
    /// (`familiarity.<kind>`, `min_slots`), named relative to the description; then as
    /// [`ChairDiscretion::new`].
    pub fn from_description(description: &Description) -> Result<Box<dyn Policy>> {
        Ok(Box::new(Self::new(description.read()?)?))
    }

    /// The parameters.
    pub fn params(&self) -> &ChairDiscretionSpec {
        &self.spec
    }
}

impl Policy for ChairDiscretion {
    fn describe(&self) -> Description {
        Description::with_parameters(Self::NAME, &self.spec).expect("parameters are a struct")
    }

    fn select(
        &self,
        session: &CheckedSession,
        rng: &mut dyn Rng,
        decision: &mut Decision,
    ) -> Result<()> {
        let default_chair;
        let chair = match &session.session().chair {
            Some(chair) => chair,
            None => {
                default_chair = Chair::default();
                &default_chair
            }
        };
        let min = self.spec.min_slots.unwrap_or(chair.min_slots);
        let max = self.spec.max_slots.unwrap_or(chair.max_slots);
        // One bound from the policy, the other from the chair: only checkable here.
        if min > max {
            let source = |from_policy: bool, name: &str| {
                if from_policy {
                    format!("policy.{name}")
                } else {
                    format!("session.chair.{name}")
                }
            };
            return Err(Error::invalid(
                source(self.spec.min_slots.is_some(), "min_slots"),
                min,
                format!(
                    "is greater than {} ({max})",
                    source(self.spec.max_slots.is_some(), "max_slots")
                ),
            ));
        }
        let familiarity = self.spec.familiarity.as_ref().unwrap_or(&chair.familiarity);

        let drawn = u64::from(min) + lot::uniform_below(rng, u64::from(max - min) + 1);
        let drawn = drawn as u32; // within min..=max
        decision.step(Step::CountDrawn { min, max, drawn });
        let requesters = session.requesters();
        let count = drawn
            .min(session.session().slots)
            .min(requesters.len() as u32) as usize;

        let roster = session.roster();
        let mut per_item = [1.0; Kind::ALL.len()];
        for (&kind, &weight) in familiarity {
            per_item[kind.index()] = weight;
        }
        // Requesters by kind, each kind's pool in inscription order, laid out in one buffer.
        let kind_of = |r: u32| roster.organisations()[session.organisation_of(r as usize)].kind;
        let mut pools: [Range<usize>; Kind::ALL.len()] = Default::default();
        for &r in requesters {
            pools[kind_of(r).index()].end += 1;
        }
        let mut start = 0;
        for pool in &mut pools {
            let len = pool.end;
            *pool = start..start;
            start += len;
        }
        let mut items = decision.take_scratch::<Vec<u32>>();
        items.clear();
        items.resize(requesters.len(), 0);
        for &r in requesters {
            let pool = &mut pools[kind_of(r).index()];
            items[pool.end] = r;
            pool.end += 1;
        }
        let note = Note::ChairDrew { drawn, min, max };
        let first = decision.picks().len();
        lot::draw_from_pools(rng, &mut items, &mut pools, &per_item, count, |_, r| {
            decision.grant(r, GrantReason::ChairPick, note.clone())
        });
        decision.put_scratch(items);
        decision.picks_drawn_by_lot(
            first,
            Pool::Requesters,
            requesters.len(),
            Weighting::Familiarity,
        );
        // Only a draw that picked someone is a lot the others lost.
        let wait = if session.session().slots == 0 {
            decision.wait_reason(WaitReason::Capacity, Note::Text("no slot in this session"))
        } else if count == 0 {
            decision.wait_reason(WaitReason::Capacity, Note::Text("the chair gave no slot"))
        } else {
            decision.wait_reason(
                WaitReason::NotSelected,
                Note::Text("not picked by the chair"),
            )
        };
        for &r in requesters {
            decision.wait(r, wait);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::allocation::Allocate;
    use crate::model::*;
    use std::collections::BTreeMap;

    fn session(slots: u32, chair: Option<Chair>) -> CheckedSession {
        let organisations: Vec<Organisation> = (0..6)
            .map(|i| {
                let kind = if i < 2 {
                    Kind::InternationalNgo
                } else {
                    Kind::Grassroots
                };
                Organisation::new(format!("o{i}"), "r", kind)
            })
            .collect();
        let requests = organisations.iter().map(|o| Request::new(&o.id)).collect();
        let mut session = Session::new("s", slots);
        session.chair = chair;
        SessionInput::new(session, organisations, requests)
            .check()
            .unwrap()
    }

    #[test]
    fn count_is_the_drawn_number_capped_by_slots() {
        let fixed = |n| Chair {
            min_slots: n,
            max_slots: n,
            ..Chair::default()
        };
        for (slots, d, expected) in [(5, 3, 3), (2, 3, 2), (10, 9, 6), (0, 2, 0), (4, 0, 0)] {
            let allocation = ChairDiscretion::default()
                .allocate_seeded(&session(slots, Some(fixed(d))), 7)
                .unwrap();
            assert_eq!(allocation.granted.len(), expected, "slots {slots}, d {d}");
            assert_eq!(allocation.waitlisted.len(), 6 - expected);
        }
    }

    #[test]
    fn policy_overrides_the_chair_and_bad_overrides_are_errors() {
        let spec = ChairDiscretionSpec {
            min_slots: Some(4),
            max_slots: Some(4),
            ..Default::default()
        };
        let allocation = ChairDiscretion::new(spec)
            .unwrap()
            .allocate_seeded(&session(10, None), 1)
            .unwrap();
        assert_eq!(allocation.granted.len(), 4);

        let spec = ChairDiscretionSpec {
            min_slots: Some(3),
            ..Default::default()
        };
        let err = ChairDiscretion::new(spec)
            .unwrap()
            .allocate_seeded(&session(10, None), 1)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "policy.min_slots: 3 is greater than session.chair.max_slots (2)"
        );

        let spec = ChairDiscretionSpec {
            familiarity: Some(BTreeMap::from([(Kind::Academia, 0.0)])),
            ..Default::default()
        };
        assert_eq!(
            ChairDiscretion::new(spec).unwrap_err().field(),
            "familiarity.academia"
        );
    }
}
