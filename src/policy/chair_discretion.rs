//! `chair_discretion`: the 2017 baseline.

use std::sync::Arc;

use rand::Rng;

use super::Policy;
use crate::lot;
use crate::model::{
    Allocation, Chair, ChairDiscretionSpec, CheckedSession, GrantReason, Kind, Pick, PolicySpec,
    WaitReason, Waiting, check_familiarity, check_slot_range,
};
use crate::{Error, Result};

/// The chair picks at their discretion: the practice of the 2017 GCM thematic sessions, where
/// civil society got "one or two interventions at the end of each session, at the discretion
/// of the chair, randomly selected" (SPEC §1).
///
/// **Rule** (SPEC §4). The chair draws d uniformly from `min_slots..=max_slots`, then grants
/// min(d, `slots`, requesting organisations) slots. Picks are made one by one without
/// replacement, each proportional to the familiarity weight of the organisation's kind among
/// those not yet picked (a chair who knows the New York NGOs picks them more often); the draw
/// order is the speaking order. The profile is the session chair's (the default profile, 1–2
/// slots and `{"international_ngo": 3.0}`, when the session has none); the policy's own
/// `min_slots`, `max_slots` and `familiarity` override it. Placement: the session's (default
/// `end`) unless the policy sets one.
///
/// **Draws**, in order: d; then for each pick a kind (weight = its remaining requesters × its
/// familiarity) and a uniform requester of that kind.
///
/// **Reasons.** Granted `chair_pick` (detail: the count drawn); waitlisted `not_selected` (the
/// chair did not pick it), or `capacity` when the session has no slot.
///
/// **Promises.** The count is min(d, slots, requesters); a kind with familiarity w > 1 gets
/// more of the granted slots than its share of the requesting organisations, on average over
/// seeds (tested statistically).
///
/// # Example
///
/// ```
/// use floorshare::model::*;
/// use floorshare::policy::{ChairDiscretion, Policy};
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
    /// Checks the parameters: `min_slots ≤ max_slots` when both are given, familiarity weights
    /// positive and finite.
    pub fn new(spec: ChairDiscretionSpec) -> Result<Self> {
        if let (Some(min), Some(max)) = (spec.min_slots, spec.max_slots) {
            check_slot_range(min, max)?;
        }
        if let Some(familiarity) = &spec.familiarity {
            check_familiarity(familiarity)?;
        }
        Ok(ChairDiscretion { spec })
    }

    /// The parameters.
    pub fn params(&self) -> &ChairDiscretionSpec {
        &self.spec
    }
}

impl Policy for ChairDiscretion {
    fn spec(&self) -> PolicySpec {
        PolicySpec::ChairDiscretion(self.spec.clone())
    }

    fn allocate(&self, session: &CheckedSession, rng: &mut dyn Rng) -> Result<Allocation> {
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
        let requesters = session.requesters();
        let count = drawn
            .min(u64::from(session.session().slots))
            .min(requesters.len() as u64) as usize;

        let roster = session.roster();
        let mut pools: Vec<Vec<u32>> = vec![Vec::new(); Kind::ALL.len()];
        for &r in requesters {
            let kind = roster.organisations()[session.organisation_of(r as usize)].kind;
            pools[kind.index()].push(r);
        }
        let per_item: Vec<f64> = Kind::ALL
            .iter()
            .map(|&kind| familiarity.get(&kind).copied().unwrap_or(1.0))
            .collect();
        let detail: Arc<str> = Arc::from(format!("chair drew {drawn} of {min}..={max}"));
        let picks = lot::draw_from_pools(rng, &mut pools, &per_item, count)
            .into_iter()
            .map(|(_, request)| Pick {
                request,
                reason: GrantReason::ChairPick,
                detail: Some(detail.clone()),
            })
            .collect();
        let waiting = if session.session().slots == 0 {
            Waiting {
                reason: WaitReason::Capacity,
                detail: Some(Arc::from("no slot in this session")),
            }
        } else {
            Waiting {
                reason: WaitReason::NotSelected,
                detail: Some(Arc::from("not picked by the chair")),
            }
        };
        Allocation::from_decision(session, self.spec(), self.spec.placement, picks, |_| {
            waiting.clone()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
