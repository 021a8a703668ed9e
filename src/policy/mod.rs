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
//!
//! Every policy keeps the five promises of SPEC §3 (nothing lost, capacity, determinism, no
//! panics, work conservation); the integration tests check them over generated inputs.
//!
//! # Example
//!
//! ```
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

mod chair_discretion;
mod grassroots_priority;
mod regional_balance;

use std::fmt;

use rand::Rng;
use serde_json::Value;

pub use chair_discretion::ChairDiscretion;
pub use grassroots_priority::GrassrootsPriority;
pub use regional_balance::RegionalBalance;

use crate::model::{Allocation, CheckedSession, PolicySpec};
use crate::{Result, lot};

/// An allocation policy: decides which requests of a checked session are granted, in which
/// speaking order, and why the others wait.
///
/// Implementations hold their parameters, checked when they are built, and take the random
/// generator per call: `rng` is rand 0.10's object-safe core trait. Use a named portable
/// generator ([`lot::seeded`]) for reproducible results, and draw only through [`lot`].
/// Build the result with [`Allocation::from_decision`], which enforces capacity.
///
/// # Example: a policy of your own
///
/// ```
/// use floorshare::model::*;
/// use floorshare::policy::Policy;
///
/// /// First come, first served.
/// #[derive(Debug)]
/// struct FirstComeFirstServed;
///
/// impl Policy for FirstComeFirstServed {
///     fn spec(&self) -> PolicySpec {
///         PolicySpec::default() // a real policy would describe itself
///     }
///     fn allocate(&self, session: &CheckedSession, _rng: &mut dyn rand::Rng) -> floorshare::Result<Allocation> {
///         let slots = session.session().slots as usize;
///         let picks = session.requesters().iter().take(slots).map(|&request| Pick {
///             request,
///             reason: GrantReason::Lottery,
///             detail: None,
///         });
///         Allocation::from_decision(session, self.spec(), None, picks.collect(), |_| Waiting {
///             reason: WaitReason::Capacity,
///             detail: None,
///         })
///     }
/// }
///
/// let policies: Vec<Box<dyn Policy>> = vec![Box::new(FirstComeFirstServed)];
/// # let _ = policies;
/// ```
pub trait Policy: fmt::Debug + Send + Sync {
    /// The policy's description with every parameter spelled out, as recorded in its
    /// allocations.
    fn spec(&self) -> PolicySpec;

    /// Decides one session, drawing any lot from `rng`.
    fn allocate(&self, session: &CheckedSession, rng: &mut dyn Rng) -> Result<Allocation>;

    /// Decides one session with the crate's portable generator seeded from `seed`, and
    /// records the seed in the allocation: same session and seed, same allocation, on every
    /// platform.
    fn allocate_seeded(&self, session: &CheckedSession, seed: u64) -> Result<Allocation> {
        let mut allocation = self.allocate(session, &mut lot::seeded(seed))?;
        allocation.seed = Some(seed);
        Ok(allocation)
    }
}

/// Compile-time check that [`Policy`] stays object-safe: this fails to build otherwise.
const _: fn(&dyn Policy) = |_| {};

/// Checks a policy description and builds the policy it names.
///
/// # Example
///
/// ```
/// use floorshare::model::{GrassrootsMode, GrassrootsPrioritySpec, PolicySpec};
///
/// let spec = PolicySpec::GrassrootsPriority(GrassrootsPrioritySpec {
///     mode: GrassrootsMode::Reserved,
///     share: Some(2.0),
///     ..Default::default()
/// });
/// let err = floorshare::policy::build(&spec).unwrap_err();
/// assert_eq!(err.to_string(), "share: 2 is outside [0, 1]");
/// ```
pub fn build(spec: &PolicySpec) -> Result<Box<dyn Policy>> {
    Ok(match spec {
        PolicySpec::ChairDiscretion(spec) => Box::new(ChairDiscretion::new(spec.clone())?),
        PolicySpec::RegionalBalance(spec) => Box::new(RegionalBalance::new(spec.clone())?),
        PolicySpec::GrassrootsPriority(spec) => Box::new(GrassrootsPriority::new(spec.clone())?),
    })
}

/// Reads a JSON policy description (`{"name": "...", ...params}`) and builds the policy.
/// Unknown names and unknown parameters are errors; paths are relative to the description.
///
/// # Example
///
/// ```
/// let policy = floorshare::policy::from_json(serde_json::json!({
///     "name": "grassroots_priority", "mode": "weighted", "weight": 3.0
/// }))?;
/// assert_eq!(policy.spec().name(), "grassroots_priority");
///
/// let err = floorshare::policy::from_json(serde_json::json!({"name": "loudest_first"}));
/// assert_eq!(err.unwrap_err().to_string(), r#"name: unknown policy "loudest_first""#);
/// # Ok::<(), floorshare::Error>(())
/// ```
pub fn from_json(value: Value) -> Result<Box<dyn Policy>> {
    build(&PolicySpec::from_json(value)?)
}
