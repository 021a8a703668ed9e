//! Allocation policies: who gets the few stakeholder slots of a session.
//!
//! A [`Policy`] is an immutable strategy object: it holds its checked parameters and takes the
//! random generator per call, as `rand`'s distributions do, so one policy can serve many
//! sessions and threads. The trait is object-safe (checked at compile time below), so policies
//! can be boxed, listed and chosen from a JSON description with [`from_json`] or [`build`].
//!
//! | policy | practice it encodes | grant reasons | wait reasons |
//! |---|---|---|---|
//! | [`ChairDiscretion`] | GCM 2017 thematic sessions: one or two interventions at the chair's discretion | `chair_pick` | `not_selected` |
//! | [`RegionalBalance`] | the 2017 regional consultations and 2018 regional focal points; apportioned quotas | `regional_quota` | `not_selected`, `capacity` |
//! | [`GrassrootsPriority`] | the progressive stack of facilitation practice; reserved seats | `grassroots_priority`, `reserved`, `lottery` | `not_selected`, `capacity` |
//! | [`Fcfs`] | first come, first served: the speakers list of most UN bodies (GA rules of procedure, rule 68; HRC UPR report adoption, NGO slots) | `inscription_order` | `capacity` |
//! | [`CappedLottery`] | HRC UPR report adoption, State speakers: more inscribed than slots, a lot draws the speakers and their order | `inscription_order`, `lottery` | `not_selected`, `capacity` |
//! | [`Rotation`] | precedence and recency (fewest speeches, then least recent; no second speech until all have spoken: Congressional Debate, Robert's-style rules, Bundestag GO-BT §28) | `rotation` | `not_selected`, `capacity` |
//! | [`ProgressiveStack`] | facilitation's progressive stack with numeric weights (the Stack Facilitation App): weighted marks of categories, a penalty for recent speakers | `progressive_stack` | `capacity` |
//! | [`ConstituencyRoundRobin`] | UNFCCC observer constituencies and HLPF Major Groups and other Stakeholders: one turn per constituency, those heard longest ago first | `constituency_turn` | `not_selected`, `capacity` |
//! | [`FairLottery`] | citizens' assemblies' stratified selection (Flanigan et al., *Nature* 2021): quotas over any categories, the least chance as high as possible | `fair_lottery` | `not_selected`, `capacity` |
//! | [`Alternation`] | gender or class quota speakers lists of assemblies and parties (HU Berlin hard quota, Bündnis 90/Die Grünen, Lichtenberg BVV): a reserved and an open list alternate | `alternation` | `not_selected`, `capacity` |
//!
//! Every policy keeps five promises, checked by the integration tests over generated inputs:
//! nothing is lost (every request is granted or waitlisted exactly once), capacity (at most
//! `slots` granted, one per organisation), determinism (same input and seed, same allocation on
//! every platform), no panics (bad input is a typed error), and work conservation (as many
//! granted as slots and requesting organisations allow, unless the policy's own rule grants
//! fewer, as the chair's drawn count and hard alternation's stop do).
//!
//! Policies decide into a reusable [`Decision`] (indices, reason codes, typed audit steps);
//! they describe themselves as a [`Description`] (a name plus JSON parameters), and a
//! [`Registry`] builds them from descriptions, floorshare's own and yours alike.
//!
//! # Example
//!
//! ```
//! use floorshare::allocation::Allocate;
//! use floorshare::model::SessionInput;
//! use floorshare::policy;
//!
//! let session: SessionInput = serde_json::from_str(r#"{
//!     "session": {"id": "ts1", "slots": 2, "length_minutes": 180},
//!     "organisations": [
//!         {"id": "o1", "region": "pacific", "kind": "grassroots", "migrant_led": true},
//!         {"id": "o2", "region": "europe", "kind": "international_ngo"},
//!         {"id": "o3", "region": "europe", "kind": "trade_union"}],
//!     "requests": [{"organisation": "o1"}, {"organisation": "o2"}, {"organisation": "o3"}]
//! }"#)?;
//! let session = session.check()?;
//! let policy = policy::from_json(serde_json::json!({"name": "regional_balance"}))?;
//! let allocation = policy.allocate_seeded(&session, 42)?;
//! // One speaker per region, the slots at the end of the session.
//! assert_eq!(allocation.granted.len(), 2);
//! assert_eq!(allocation.granted[1].start_minute, Some(177));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod alternation;
mod capped_lottery;
mod chair_discretion;
mod constituency_round_robin;
mod description;
mod fair_lottery;
mod fcfs;
mod grassroots_priority;
mod progressive_stack;
mod regional_balance;
mod registry;
mod rotation;
mod staged;

use std::fmt;

use rand::Rng;
use serde_json::Value;

pub use alternation::{Alternation, AlternationMode, AlternationSpec, AlternationWithin};
pub use capped_lottery::CappedLottery;
pub use chair_discretion::{ChairDiscretion, ChairDiscretionSpec};
pub use constituency_round_robin::{
    ConstituencyRoundRobin, ConstituencyRoundRobinSpec, WithinConstituency,
};
pub use description::Description;
pub use fair_lottery::{FairLottery, FairLotterySpec, Quota};
pub use fcfs::Fcfs;
pub use grassroots_priority::{GrassrootsMode, GrassrootsPriority, GrassrootsPrioritySpec};
pub use progressive_stack::{Mark, ProgressiveStack, ProgressiveStackSpec};
pub use regional_balance::{RegionWeights, RegionalBalance, RegionalBalanceSpec, WithinRegion};
pub use registry::{Constructor, Registry, built_in};
pub use rotation::{Rotation, RotationKey, RotationSpec, RotationTies};
pub use staged::Staged;

use crate::Result;
use crate::decision::Decision;
use crate::model::CheckedSession;

/// A registry constructor that is a plain function, as the built-in policies' are.
type BuiltIn = fn(&Description) -> Result<Box<dyn Policy>>;

/// floorshare's own policies: adding one is a new file and a line here.
pub(crate) const BUILT_IN: [(&str, BuiltIn); 10] = [
    ("chair_discretion", ChairDiscretion::from_description),
    ("regional_balance", RegionalBalance::from_description),
    ("grassroots_priority", GrassrootsPriority::from_description),
    (Fcfs::NAME, Fcfs::from_description),
    (CappedLottery::NAME, CappedLottery::from_description),
    (Rotation::NAME, Rotation::from_description),
    (
        ConstituencyRoundRobin::NAME,
        ConstituencyRoundRobin::from_description,
    ),
    (ProgressiveStack::NAME, ProgressiveStack::from_description),
    (Alternation::NAME, Alternation::from_description),
    (FairLottery::NAME, FairLottery::from_description),
];

/// An allocation policy: decides which requests of a checked session are granted, in which
/// speaking order, and why the others wait.
///
/// Implementations hold their parameters, checked when they are built, and take the random
/// generator per call: `rng` is rand 0.10's object-safe core trait. Use a named portable
/// generator ([`lot::seeded`](crate::lot::seeded)) for reproducible results, and draw only
/// through [`lot`](crate::lot).
///
/// A policy implements two methods: [`describe`](Policy::describe) (its name and parameters,
/// recorded in every allocation) and [`select`](Policy::select) (its rule: grants in speaking
/// order, reasons to wait, audit steps, written into a reusable [`Decision`]).
/// [`decide`](Policy::decide) runs the whole cycle and checks capacity; the record users read
/// is built from the decision by [`Allocate`](crate::allocation::Allocate).
///
/// See [`Registry`] for a complete policy written outside the crate.
pub trait Policy: fmt::Debug + Send + Sync {
    /// The policy's description with every parameter spelled out, as recorded in its
    /// allocations.
    fn describe(&self) -> Description;

    /// The policy's own rule: writes into `decision` (already begun for `session`) the granted
    /// requests in speaking order ([`Decision::grant`]), why the others wait
    /// ([`Decision::wait`]; unset ones wait `capacity`) and the audit steps. Draws any lot from
    /// `rng`.
    ///
    /// # Errors
    ///
    /// When the session does not suit the policy's parameters, naming the field. floorshare's
    /// policies return [`ErrorKind::MissingWeight`](crate::ErrorKind::MissingWeight) naming
    /// `policy.weights` (`regional_balance`: a requesting region without an explicit weight),
    /// [`ErrorKind::TooLarge`](crate::ErrorKind::TooLarge) naming `session.slots`
    /// (`regional_balance`: more slots than can be apportioned exactly) and
    /// [`ErrorKind::OutOfRange`](crate::ErrorKind::OutOfRange) naming `policy.min_slots` or
    /// `session.chair.min_slots` (`chair_discretion`: a minimum above the maximum once the policy's
    /// bounds override the chair's).
    fn select(
        &self,
        session: &CheckedSession,
        rng: &mut dyn Rng,
        decision: &mut Decision,
    ) -> Result<()>;

    /// Decides one session into `decision`: begins it, runs [`select`](Policy::select), then
    /// checks capacity and sets minutes and start minutes ([`Decision::finish`]). Allocates
    /// nothing once `decision` has grown to the session's size. [`Staged`] adds the shared
    /// stages between the selection and the minutes.
    ///
    /// # Errors
    ///
    /// As [`select`](Policy::select), and an [`Error::InvalidValue`](crate::Error::InvalidValue)
    /// naming `granted` when the selection breaks capacity
    /// ([`ErrorKind::TooLarge`](crate::ErrorKind::TooLarge),
    /// [`ErrorKind::DuplicateId`](crate::ErrorKind::DuplicateId) or
    /// [`ErrorKind::OutOfRange`](crate::ErrorKind::OutOfRange), as [`Decision::finish`] says).
    fn decide(
        &self,
        session: &CheckedSession,
        rng: &mut dyn Rng,
        decision: &mut Decision,
    ) -> Result<()> {
        decision.begin(session);
        self.select(session, rng, decision)?;
        decision.finish(session, None)
    }
}

impl<P: Policy + ?Sized> Policy for Box<P> {
    fn describe(&self) -> Description {
        (**self).describe()
    }

    fn select(
        &self,
        session: &CheckedSession,
        rng: &mut dyn Rng,
        decision: &mut Decision,
    ) -> Result<()> {
        (**self).select(session, rng, decision)
    }

    fn decide(
        &self,
        session: &CheckedSession,
        rng: &mut dyn Rng,
        decision: &mut Decision,
    ) -> Result<()> {
        (**self).decide(session, rng, decision)
    }
}

/// The parameters of a policy that takes none of its own: any parameter is an error.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct NoParameters {}

/// Compile-time check that [`Policy`] stays object-safe: this fails to build otherwise.
const _: fn(&dyn Policy) = |_| {};

/// Builds the built-in policy `description` names ([`built_in`]`().build(description)`).
///
/// # Errors
///
/// As [`Registry::build`].
///
/// # Example
///
/// ```
/// use floorshare::policy::Description;
///
/// let description: Description =
///     serde_json::from_str(r#"{"name": "grassroots_priority", "mode": "reserved", "share": 2.0}"#)?;
/// let err = floorshare::policy::build(&description).unwrap_err();
/// assert_eq!(err.to_string(), "share: 2 is outside [0, 1]");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn build(description: &Description) -> Result<Box<dyn Policy>> {
    built_in().build(description)
}

/// Reads a JSON policy description (`{"name": "...", ...params}`) and builds the built-in
/// policy it names. Unknown names and unknown parameters are errors; paths are relative to the
/// description. Use a [`Registry`] for policies of your own.
///
/// # Errors
///
/// As [`Registry::from_json`].
///
/// # Example
///
/// ```
/// let policy = floorshare::policy::from_json(serde_json::json!({
///     "name": "grassroots_priority", "mode": "weighted", "weight": 3.0
/// }))?;
/// assert_eq!(policy.describe().name(), "grassroots_priority");
///
/// let err = floorshare::policy::from_json(serde_json::json!({"name": "loudest_first"}));
/// assert_eq!(err.unwrap_err().to_string(), r#"name: unknown policy "loudest_first""#);
/// let err = floorshare::policy::from_json(serde_json::json!({"name": "regional_balance", "metod": "dhondt"}));
/// assert_eq!(err.unwrap_err().field(), "metod");
/// # Ok::<(), floorshare::Error>(())
/// ```
pub fn from_json(value: Value) -> Result<Box<dyn Policy>> {
    built_in().from_json(value)
}
