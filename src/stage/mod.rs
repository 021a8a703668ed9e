//! The stages every policy shares: after a policy has chosen who speaks, `order` sets the
//! speaking order, `time` the minutes of each slot, and `placement` where the slots sit in
//! the session.
//!
//! Who is granted is the policy's own rule; how the granted speak is often a separate rule of
//! the body, and the same ones recur across bodies: a lot for the order of speakers (the Human
//! Rights Council's draw among more inscribed States than slots), speakers alternating over
//! political groups and speaking time shared among them in part equally and in part in
//! proportion to their size (the European Parliament, Rules of Procedure, Rule 171), a fixed
//! window shared equally with a minimum per speaker (facilitated dialogues). Any policy
//! description may carry the three stages as parameters; left out, each keeps the policy's own
//! behaviour, so that the recorded description, and every allocation, stay those of the policy
//! alone.
//!
//! **Sequence.** Selection (the policy's rule) → time cut (when the window cannot give every
//! speaker their minutes, the policy's *last* picks in its own order are dropped and wait
//! `capacity`: a documented exception to work conservation) → `order` → minutes →
//! `placement`. Stage draws come from the same generator, after the policy's own draws.
//!
//! | parameter | values | default |
//! |---|---|---|
//! | `order` | `"policy"`, `"inscription"`, `"lottery"`, `{"alternate": CATEGORY}`, `{"tiers": {"category": CATEGORY, "values": [[v, ...], ...]}}` | `"policy"` |
//! | `time` | `"fixed"`, `{"fixed": M}`, `{"equal_split": {"window": W, "floor": f}}`, `{"group_proportional": {"window": W, "category": C, "equal_part": α, "method": M}}` | `"fixed"` |
//! | `placement` | `"end"`, `"start"`, `"spread"` | the session's |
//!
//! See [`Order`] and [`Time`] for each rule and its audit steps.
//!
//! # Example
//!
//! ```
//! use floorshare::allocation::Allocate;
//! use floorshare::model::*;
//! use floorshare::policy;
//!
//! let organisations = vec![
//!     Organisation::new("a", "europe", Kind::InternationalNgo),
//!     Organisation::new("b", "europe", Kind::TradeUnion),
//!     Organisation::new("c", "africa", Kind::Grassroots),
//! ];
//! let requests = vec![Request::new("a"), Request::new("b"), Request::new("c")];
//! let session = SessionInput::new(Session::new("s", 3).with_length(60), organisations, requests)
//!     .check()?;
//! // First come, first served, but regions alternate and 10 minutes are shared equally.
//! let policy = policy::from_json(serde_json::json!({
//!     "name": "fcfs",
//!     "order": {"alternate": "region"},
//!     "time": {"equal_split": {"window": 10, "floor": 2}},
//!     "placement": "start"
//! }))?;
//! let allocation = policy.allocate_seeded(&session, 1)?;
//! let speakers: Vec<(&str, u32)> =
//!     allocation.granted.iter().map(|g| (&*g.organisation, g.minutes)).collect();
//! assert_eq!(speakers, [("a", 4), ("c", 3), ("b", 3)]);
//! assert_eq!(
//!     allocation.policy.to_string(),
//!     r#"{"name":"fcfs","placement":"start","order":{"alternate":"region"},"time":{"equal_split":{"window":10,"floor":2}}}"#
//! );
//! # Ok::<(), floorshare::Error>(())
//! ```

mod order;
#[cfg(test)]
mod tests;
mod time;

use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub(crate) use order::interleave;
pub use order::{Order, Tiers};
pub use time::{EqualSplit, GroupProportional, Time};

use crate::decision::{Decision, Note, Step, WaitReason};
use crate::model::{CheckedSession, Placement};
use crate::{Error, Result};

/// The shared stages of one policy description: `placement`, `order` and `time`, each
/// defaulting to the policy's own behaviour (see the [module documentation](self)).
///
/// # Example
///
/// ```
/// use floorshare::stage::{Order, Stages, Time};
///
/// let stages = Stages::from_parameters(serde_json::json!({"order": "lottery", "time": {"fixed": 2}}))?;
/// assert_eq!(stages.order, Order::Lottery);
/// assert_eq!(stages.time, Time::FixedMinutes(2));
/// assert!(!stages.is_default());
///
/// let err = Stages::from_parameters(serde_json::json!({"time": {"equal_split": {"window": 10, "floor": 0}}}))
///     .unwrap_err();
/// assert_eq!(err.to_string(), "time.equal_split.floor: 0 is below 1");
/// # Ok::<(), floorshare::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Stages {
    /// Where the granted slots sit; `None` keeps the session's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placement: Option<Placement>,
    /// The speaking order.
    #[serde(default, skip_serializing_if = "Order::is_policy")]
    pub order: Order,
    /// The minutes of each slot.
    #[serde(default, skip_serializing_if = "Time::is_fixed")]
    pub time: Time,
}

impl Stages {
    /// The parameter names the stages take in every policy description.
    pub const PARAMETERS: [&'static str; 3] = ["placement", "order", "time"];

    /// The policy's own behaviour in every stage.
    pub fn new() -> Self {
        Stages::default()
    }

    /// With `placement` overriding the session's.
    pub fn with_placement(mut self, placement: Placement) -> Self {
        self.placement = Some(placement);
        self
    }

    /// With the speaking order `order`.
    pub fn with_order(mut self, order: Order) -> Self {
        self.order = order;
        self
    }

    /// With the time rule `time`.
    pub fn with_time(mut self, time: Time) -> Self {
        self.time = time;
        self
    }

    /// Whether every stage keeps the policy's own behaviour.
    pub fn is_default(&self) -> bool {
        self.placement.is_none() && self.order.is_policy() && self.time.is_fixed()
    }

    /// Reads the stages from a JSON object holding some of `placement`, `order` and `time`,
    /// and checks them.
    ///
    /// # Errors
    ///
    /// An [`Error`] naming the parameter at fault (`order.tiers.values[1][0]`,
    /// `time.equal_split.floor`): an unknown or malformed rule or category, a value listed in
    /// two tiers ([`ErrorKind::DuplicateId`](crate::ErrorKind::DuplicateId)), a tier or tier
    /// list that is empty, fixed minutes, a window or a floor below 1, or an equal part
    /// outside [0, 1] ([`ErrorKind::OutOfRange`](crate::ErrorKind::OutOfRange)).
    pub fn from_parameters(parameters: Value) -> Result<Self> {
        let stages: Stages = Error::read_json(parameters)?;
        stages.check()?;
        Ok(stages)
    }

    /// Checks the rules' parameters (a [`Stages`] built in code rather than read).
    ///
    /// # Errors
    ///
    /// As [`Stages::from_parameters`].
    pub fn check(&self) -> Result<()> {
        self.order.check()?;
        self.time.check()
    }

    /// The stages as description parameters, defaults left out.
    pub fn parameters(&self) -> Map<String, Value> {
        match serde_json::to_value(self) {
            Ok(Value::Object(map)) => map,
            _ => unreachable!("the stages serialise to an object"),
        }
    }

    /// Runs the time cut and the order stage on a checked decision, and sets the minutes
    /// (placement is applied when the decision is finished).
    pub(crate) fn apply(
        &self,
        session: &CheckedSession,
        rng: &mut dyn Rng,
        decision: &mut Decision,
    ) -> Result<()> {
        if self.order.is_policy() && self.time.is_fixed() {
            return Ok(());
        }
        let mut scratch = decision.take_scratch::<Scratch>();
        let result = self.apply_with(session, rng, decision, &mut scratch);
        decision.put_scratch(scratch);
        result
    }

    fn apply_with(
        &self,
        session: &CheckedSession,
        rng: &mut dyn Rng,
        decision: &mut Decision,
        scratch: &mut Scratch,
    ) -> Result<()> {
        scratch.values.fill(session, decision, self.time.category());
        self.time.cut(session, rng, decision, scratch)?;
        if scratch.kept.contains(&false) {
            let kept = &scratch.kept;
            let cut = decision.push_pick_requests((0..kept.len()).filter(|&i| !kept[i]));
            let window = self.time.window();
            let speakers = kept.iter().filter(|&&keep| keep).count() as u32;
            decision.step(Step::TimeCut {
                window,
                kept: speakers,
                cut,
            });
            let wait = decision.wait_reason(
                WaitReason::Capacity,
                Note::Text("the time window left no minutes for this slot"),
            );
            decision.cut(|i| kept[i], wait);
            let mut i = 0;
            scratch.values.ids.retain(|_| {
                i += 1;
                kept[i - 1]
            });
        }
        self.order.apply(session, rng, decision, scratch);
        if !scratch.order.is_empty() && !scratch.values.ids.is_empty() {
            // The time rule's values follow the picks to their new positions.
            let Scratch {
                values,
                order,
                ranked,
                ..
            } = &mut *scratch;
            ranked.clear();
            ranked.extend(order.iter().map(|&i| values.ids[i as usize]));
            std::mem::swap(&mut values.ids, ranked);
        }
        self.time.minutes(decision, scratch);
        Ok(())
    }
}

/// The working memory of the stages, kept in the decision between sessions.
#[derive(Debug, Default)]
struct Scratch {
    /// The picks' values in the time rule's category.
    values: PickValues,
    /// The picks' values in the order rule's category.
    order_values: PickValues,
    /// Whether each pick keeps its slot after the time cut.
    kept: Vec<bool>,
    /// A permutation of the picks (position of the pick speaking i-th).
    order: Vec<u32>,
    /// Pairs of indices being sorted.
    pairs: Vec<(u32, u32)>,
    /// Per value: counts, starts or minutes.
    per_value: Vec<u32>,
    /// Per value: a second count.
    per_value_2: Vec<u32>,
    /// Values in a drawn order, or any list of indices.
    ranked: Vec<u32>,
    /// Weights of the values.
    weights: Vec<f64>,
    /// Per value of the order rule: where its picks start, and the next to place.
    order_starts: Vec<u32>,
    order_next: Vec<u32>,
    /// A binary heap's memory.
    heap: Vec<(u32, std::cmp::Reverse<u32>, u32)>,
    apportion: crate::apportion::Workspace,
    apportionment: crate::apportion::Apportionment,
}

/// The picks' values in one category, as small ids: `ids[i]` is pick i's value, ids
/// numbering the distinct values in name order. Built once per session with one sort of the
/// picks; no value string is copied.
#[derive(Debug, Default)]
struct PickValues {
    /// Each pick's value id.
    ids: Vec<u32>,
    /// Per value id, the request of its first pick (in the policy's order): names the value.
    firsts: Vec<u32>,
    /// Sort memory: pick positions.
    sort: Vec<u32>,
}

impl PickValues {
    /// The values of the picks of `decision` in `category` (none without one).
    fn fill(
        &mut self,
        session: &CheckedSession,
        decision: &Decision,
        category: Option<&crate::model::Category>,
    ) {
        self.ids.clear();
        self.firsts.clear();
        let Some(category) = category else { return };
        let roster = session.roster();
        let picks = decision.picks();
        let value = |pick: u32| {
            let org = session.organisation_of(picks[pick as usize].request as usize);
            roster.value_of(category, org)
        };
        self.sort.clear();
        self.sort.extend(0..picks.len() as u32);
        // (value, position) is unique: an unstable sort is stable here, and allocates nothing.
        self.sort
            .sort_unstable_by(|&a, &b| value(a).cmp(&value(b)).then(a.cmp(&b)));
        self.ids.resize(picks.len(), 0);
        let mut previous: Option<u32> = None;
        for &pick in &self.sort {
            if previous.is_none_or(|p| value(p) != value(pick)) {
                self.firsts.push(picks[pick as usize].request);
            }
            self.ids[pick as usize] = self.firsts.len() as u32 - 1;
            previous = Some(pick);
        }
    }

    /// The number of distinct values.
    fn len(&self) -> usize {
        self.firsts.len()
    }

    /// The request of value `id`'s first pick: names the value in audit steps.
    fn first_request(&self, id: u32) -> u32 {
        self.firsts[id as usize]
    }
}
