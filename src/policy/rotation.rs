//! `rotation`: precedence to those heard least, then least recently.

use rand::Rng;
use serde::{Deserialize, Serialize};

use super::{Description, Policy};
use crate::Result;
use crate::decision::{Decision, GrantReason, Note, Pool, Rule, WaitReason, Weighting};
use crate::lot;
use crate::model::{CheckedSession, Record};

/// How `rotation` ranks the requesting organisations by their history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RotationKey {
    /// Fewer slots in the history first; among equal counts, never heard before first, then
    /// heard longest ago before heard recently (by the last session it spoke in).
    #[default]
    FewestThenLeastRecent,
    /// Organisations never heard before (no slot and no last session in the history) first,
    /// then everyone else, with no further ranking.
    NotYetHeardFirst,
}

/// How `rotation` orders organisations of equal rank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RotationTies {
    /// A uniform lot orders each rank; the rank the slots cut through draws its winners.
    #[default]
    Lottery,
    /// Inscription order.
    Inscription,
}

/// Parameters of `rotation`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RotationSpec {
    /// The ranking (default `fewest_then_least_recent`).
    #[serde(default)]
    pub key: RotationKey,
    /// The order among equal ranks (default `lottery`).
    #[serde(default)]
    pub ties: RotationTies,
}

/// Rotation: those heard least over the process speak first.
///
/// **Practice.** Precedence and recency, from assemblies that spread the floor over a
/// debate. US Congressional Debate gives "First priority, least number of speeches given.
/// Second priority, student who has spoken least recently", and settles a total tie between
/// first-time speakers by chance (National Speech & Debate Association / CFL rules for
/// Congressional Debate, "precedence and recency"). Municipal rules of order in the style of
/// Robert's say "No member shall be allowed to speak more than once on any subject until every
/// other member choosing to speak thereon shall have spoken", and the German Bundestag's rules
/// of procedure (GO-BT §28, 2025 text) that "vor einer Rede eines weiteren Mitgliedes einer
/// Fraktion zunächst alle anderen Fraktionen das Wort erhalten haben" (before a group's
/// further speaker, every other group should have had the floor); facilitators' stacks
/// likewise "prefer to hear first from people who haven't spoken yet" (Tech Workers Coalition,
/// stack guidelines). Key `fewest_then_least_recent` encodes the first; key
/// `not_yet_heard_first` the second, over the sessions of a process.
///
/// **Rule.** Rank the requesting organisations by their history (what they were granted in
/// earlier sessions of the process) under `key`:
/// - `fewest_then_least_recent` (default): fewer slots first; among equal slots, never heard
///   before, then heard longest ago (smaller last session), then heard recently;
/// - `not_yet_heard_first`: never heard before (no slot and no last session), then everyone
///   else, with no further ranking.
///
/// Equal ranks are ordered by `ties`: `lottery` (default: a uniform lot orders each rank) or
/// `inscription`. The first `slots` in that order are granted, and speak in it (rank order).
/// The shared stages may follow.
///
/// **Draws** (`ties: lottery`), rank by rank from the best, while slots are left: a rank that
/// fits whole is put in a uniform random order (a Fisher–Yates shuffle of its members in
/// inscription order); the rank the slots cut through draws its winners uniformly without
/// replacement, in draw order. A rank of one draws nothing.
///
/// **Reasons.** Granted `rotation` (detail: what it had been granted before). Waitlisted
/// `not_selected` when it belongs to the rank the slots cut through and lost its lot
/// (`ties: lottery`); otherwise `capacity` (a better rank took the slots, the slots were cut
/// in inscription order, or the session has none); `duplicate` for a second request.
///
/// **Audit steps.** `rule_applied` (rule `fewest_then_least_recent` or `not_yet_heard_first`)
/// with the organisations the rank alone granted, in speaking order; then, when a lot cut a
/// rank, `lot_drawn` (pool `tied_rank`, its size, weighting `uniform`, the winners only).
///
/// **Promise.** No organisation is granted while one of strictly better rank waits; the
/// granted speak in rank order.
///
/// # Example
///
/// ```
/// use floorshare::allocation::Allocate;
/// use floorshare::decision::{GrantReason, WaitReason};
/// use floorshare::model::*;
/// use floorshare::policy::Rotation;
///
/// let organisations = vec![
///     Organisation::new("often", "europe", Kind::InternationalNgo),
///     Organisation::new("once", "africa", Kind::TradeUnion),
///     Organisation::new("new", "asia", Kind::Grassroots),
/// ];
/// let requests = organisations.iter().map(|o| Request::new(&o.id)).collect();
/// let heard = |id: &str, slots, last| HistoryEntry {
///     organisation: id.into(), slots, minutes: 3 * u64::from(slots), last_session: Some(last),
/// };
/// let mut input = SessionInput::new(Session::new("s3", 2), organisations, requests);
/// input.history = vec![heard("often", 3, 2), heard("once", 1, 0)];
/// let allocation = Rotation::default().allocate_seeded(&input.check()?, 5)?;
/// // Never heard before first, then the organisation heard once; the one heard three times
/// // waits for capacity.
/// let speakers: Vec<&str> = allocation.granted.iter().map(|g| &*g.organisation).collect();
/// assert_eq!(speakers, ["new", "once"]);
/// assert_eq!(allocation.granted[1].reason, GrantReason::Rotation);
/// assert_eq!(allocation.granted[1].detail.as_deref(), Some("1 slot(s) before, last in session 0"));
/// assert_eq!(allocation.waitlisted.get(0).unwrap().reason, WaitReason::Capacity);
/// # Ok::<(), floorshare::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rotation {
    spec: RotationSpec,
}

/// A rank: smaller is better. (slots, last session) for `fewest_then_least_recent`, where
/// `None` (never heard) sorts before any session; (heard, `None`) for `not_yet_heard_first`.
pub(super) type Rank = (u32, Option<u32>);

/// The `fewest_then_least_recent` rank of an organisation with history `record`: fewer slots
/// first; among equal slots, never heard before, then heard longest ago. Shared with
/// `constituency_round_robin`'s `within: "rotation"`.
pub(super) fn fewest_then_least_recent(record: Record) -> Rank {
    (record.slots, record.last_session)
}

impl Rotation {
    /// The name in policy descriptions.
    pub const NAME: &'static str = "rotation";

    /// The policy with its parameters (every combination is valid).
    pub fn new(spec: RotationSpec) -> Self {
        Rotation { spec }
    }

    /// Builds the policy from its description (the registry's constructor).
    ///
    /// # Errors
    ///
    /// As [`Description::read`] for a parameter the policy does not take or cannot read
    /// (`key`, `ties`), named relative to the description.
    pub fn from_description(description: &Description) -> Result<Box<dyn Policy>> {
        Ok(Box::new(Self::new(description.read()?)))
    }

    /// The parameters.
    pub fn params(&self) -> &RotationSpec {
        &self.spec
    }

    /// The rank of an organisation with history `record` under the policy's key (smaller is
    /// better).
    fn rank(&self, record: Record) -> Rank {
        match self.spec.key {
            RotationKey::FewestThenLeastRecent => fewest_then_least_recent(record),
            RotationKey::NotYetHeardFirst => (
                u32::from(record.slots > 0 || record.last_session.is_some()),
                None,
            ),
        }
    }
}

/// The buffers `rotation` reuses from session to session.
#[derive(Debug, Default)]
struct Scratch {
    /// (rank, position in inscription order) of every requester.
    items: Vec<(Rank, u32)>,
    /// The ranks alone, for finding the rank the slots cut through.
    ranks: Vec<Rank>,
    /// The requesters of a better rank than the cut one, sorted by (rank, position).
    better: Vec<(Rank, u32)>,
    /// The requesters of the cut rank, request indices in inscription order.
    tied: Vec<u32>,
}

impl Policy for Rotation {
    fn describe(&self) -> Description {
        Description::with_parameters(Self::NAME, &self.spec).expect("parameters are a struct")
    }

    fn select(
        &self,
        session: &CheckedSession,
        rng: &mut dyn Rng,
        decision: &mut Decision,
    ) -> Result<()> {
        let rule = match self.spec.key {
            RotationKey::FewestThenLeastRecent => Rule::FewestThenLeastRecent,
            RotationKey::NotYetHeardFirst => Rule::NotYetHeardFirst,
        };
        let requesters = session.requesters();
        let history = session.history();
        let record = |r: u32| history.get(session.organisation_of(r as usize));
        let k = (session.session().slots as usize).min(requesters.len());
        if k == 0 {
            decision.rule_applied(rule, []);
            let reason = if session.session().slots == 0 {
                "no slot in this session"
            } else {
                "no requester"
            };
            let wait = decision.wait_reason(WaitReason::Capacity, Note::Text(reason));
            for &r in requesters {
                decision.wait(r, wait);
            }
            return Ok(());
        }
        let mut scratch = decision.take_scratch::<Scratch>();
        let Scratch {
            items,
            ranks,
            better,
            tied,
        } = &mut *scratch;
        items.clear();
        items.extend(
            requesters
                .iter()
                .enumerate()
                .map(|(pos, &r)| (self.rank(record(r)), pos as u32)),
        );
        // The rank the slots cut through: the k-th best. Everyone better is granted; its
        // members share the slots left. (Only its value is read from the selection, so the
        // result does not depend on how the selection orders the rest.)
        ranks.clear();
        ranks.extend(items.iter().map(|&(rank, _)| rank));
        let cut = *ranks.select_nth_unstable(k - 1).1;
        better.clear();
        better.extend(items.iter().copied().filter(|&(rank, _)| rank < cut));
        better.sort_unstable();
        tied.clear();
        tied.extend(
            items
                .iter()
                .filter(|&&(rank, _)| rank == cut)
                .map(|&(_, pos)| requesters[pos as usize]),
        );
        let left = k - better.len();
        let lottery = self.spec.ties == RotationTies::Lottery;
        if lottery {
            // Each better rank fits whole: a lot orders it.
            let mut start = 0;
            while start < better.len() {
                let rank = better[start].0;
                let len = better[start..]
                    .iter()
                    .take_while(|&&(r, _)| r == rank)
                    .count();
                let group = &mut better[start..start + len];
                lot::draw_to_front(rng, group, len);
                start += len;
            }
            lot::draw_to_front(rng, tied, left);
        }
        let grant = |decision: &mut Decision, r: u32| {
            let Record {
                slots,
                last_session,
                ..
            } = record(r);
            decision.grant(
                r,
                GrantReason::Rotation,
                Note::HeardBefore {
                    slots,
                    last_session,
                },
            );
        };
        for &(_, pos) in better.iter() {
            grant(decision, requesters[pos as usize]);
        }
        for &r in &tied[..left] {
            grant(decision, r);
        }
        // A lot cut the tied rank only when some of it waits and ties go by lot.
        let cut_by_lot = lottery && left < tied.len();
        let by_rank = better.iter().map(|&(_, pos)| requesters[pos as usize]);
        if cut_by_lot {
            decision.rule_applied(rule, by_rank);
            decision.lot_drawn(
                Pool::TiedRank,
                tied.len(),
                Weighting::Uniform,
                tied[..left].iter().copied(),
            );
        } else {
            decision.rule_applied(rule, by_rank.chain(tied[..left].iter().copied()));
        }
        let below = decision.wait_reason(
            WaitReason::Capacity,
            Note::Text("organisations of a better rank took the slots"),
        );
        for &r in requesters {
            decision.wait(r, below);
        }
        let lost = if cut_by_lot {
            decision.wait_reason(
                WaitReason::NotSelected,
                Note::Text("lost the lot among equally ranked organisations"),
            )
        } else {
            decision.wait_reason(
                WaitReason::Capacity,
                Note::Text("equally ranked organisations inscribed earlier took the slots"),
            )
        };
        for &r in &tied[left..] {
            decision.wait(r, lost);
        }
        decision.put_scratch(scratch);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::allocation::Allocate;
    use crate::model::*;

    /// Organisations o0..o5 all asking, with (slots, last session) histories.
    fn session(slots: u32, history: &[(u32, Option<u32>)]) -> CheckedSession {
        let organisations: Vec<Organisation> = (0..history.len())
            .map(|i| Organisation::new(format!("o{i}"), "r", Kind::Other))
            .collect();
        let requests = organisations.iter().map(|o| Request::new(&o.id)).collect();
        let mut input = SessionInput::new(Session::new("s", slots), organisations, requests);
        input.history = history
            .iter()
            .enumerate()
            .map(|(i, &(slots, last_session))| HistoryEntry {
                organisation: format!("o{i}"),
                slots,
                minutes: u64::from(slots) * 3,
                last_session,
            })
            .collect();
        input.check().unwrap()
    }

    fn spec(key: RotationKey, ties: RotationTies) -> Rotation {
        Rotation::new(RotationSpec { key, ties })
    }

    #[test]
    fn fewest_then_least_recent_ranks_by_count_then_recency() {
        let history = [
            (2, Some(4)),
            (1, Some(3)),
            (1, Some(1)),
            (0, None),
            (2, Some(0)),
            (1, Some(1)),
        ];
        let a = spec(
            RotationKey::FewestThenLeastRecent,
            RotationTies::Inscription,
        )
        .allocate_seeded(&session(4, &history), 3)
        .unwrap();
        let speakers: Vec<&str> = a.granted.iter().map(|g| &*g.organisation).collect();
        assert_eq!(speakers, ["o3", "o2", "o5", "o1"]);
        assert!(
            a.waitlisted
                .iter()
                .all(|w| w.reason == WaitReason::Capacity)
        );
        // By lot: o2 and o5 (1 slot, last in session 1) tie; with 2 slots the lot cuts them.
        let a = Rotation::default()
            .allocate_seeded(&session(2, &history), 3)
            .unwrap();
        assert_eq!(&*a.granted[0].organisation, "o3");
        let waits: Vec<(&str, WaitReason)> = a
            .waitlisted
            .iter()
            .map(|w| (w.organisation, w.reason))
            .collect();
        let loser = if &*a.granted[1].organisation == "o2" {
            "o5"
        } else {
            "o2"
        };
        for (id, reason) in waits {
            let expected = if id == loser {
                WaitReason::NotSelected
            } else {
                WaitReason::Capacity
            };
            assert_eq!(reason, expected, "{id}");
        }
        let steps = serde_json::to_value(&a.steps).unwrap();
        assert_eq!(steps[0]["rule"], "fewest_then_least_recent");
        assert_eq!(steps[0]["granted"], serde_json::json!(["o3"]));
        assert_eq!(steps[1]["pool"], "tied_rank");
        assert_eq!(steps[1]["size"], 2);
    }

    #[test]
    fn not_yet_heard_first_ranks_only_the_never_heard() {
        let history = [(0, None), (5, Some(2)), (0, None), (1, Some(0))];
        let a = spec(RotationKey::NotYetHeardFirst, RotationTies::Inscription)
            .allocate_seeded(&session(3, &history), 1)
            .unwrap();
        let speakers: Vec<&str> = a.granted.iter().map(|g| &*g.organisation).collect();
        // o1 and o3 tie (both heard): inscription order decides.
        assert_eq!(speakers, ["o0", "o2", "o1"]);
        assert_eq!(a.granted[0].detail.as_deref(), Some("never heard before"));
    }

    #[test]
    fn no_slot_means_capacity_for_everyone() {
        let a = Rotation::default()
            .allocate_seeded(&session(0, &[(0, None), (0, None)]), 1)
            .unwrap();
        assert!(a.granted.is_empty());
        assert!(
            a.waitlisted
                .iter()
                .all(|w| w.reason == WaitReason::Capacity)
        );
    }
}
