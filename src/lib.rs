//! floorshare decides **who gets the floor**: it allocates the few speaking slots of a meeting
//! session among the organisations that asked to speak, under pluggable, documented policies,
//! with a reason for every decision and results that anyone can re-run from the seed.
//!
//! It was built for the question the 2017–2018 negotiations of the UN Global Compact for
//! Migration left open: civil society got "one or two interventions at the end of each
//! session, at the discretion of the chair, randomly selected", and the organisations heard
//! were the big international NGOs, not the grassroots, migrant-led ones. floorshare encodes
//! that practice ([`policy::ChairDiscretion`]) and the alternatives
//! ([`policy::RegionalBalance`], [`policy::GrassrootsPriority`]), so that a secretariat can run
//! them and a researcher can compare them.
//!
//! # Quick start
//!
//! ```
//! use floorshare::allocation::Allocate;
//! use floorshare::model::*;
//! use floorshare::policy::RegionalBalance;
//!
//! let organisations = vec![
//!     Organisation::new("pcm", "pacific", Kind::Grassroots).migrant_led(true),
//!     Organisation::new("bingo", "europe", Kind::InternationalNgo),
//!     Organisation::new("union", "europe", Kind::TradeUnion),
//! ];
//! let requests = organisations.iter().map(|o| Request::new(&o.id)).collect();
//! let session = SessionInput::new(
//!     Session::new("ts2", 2).with_length(180),
//!     organisations,
//!     requests,
//! )
//! .check()?;
//!
//! let allocation = RegionalBalance::default().allocate_seeded(&session, 42)?;
//! for grant in &allocation.granted {
//!     println!("{} speaks at minute {:?}: {:?}", grant.organisation, grant.start_minute, grant.detail);
//! }
//! // Europe and the Pacific each get one of the two slots.
//! assert!(allocation.granted.iter().any(|g| &*g.organisation == "pcm"));
//! # Ok::<(), floorshare::Error>(())
//! ```
//!
//! # Layout
//!
//! Data flows one way: input → checked session → policy → decision → allocation record →
//! metrics → summary. A module depends only on what it reads and on what it writes into: the
//! model on nothing, a policy on the model and the decision it fills, the record on both,
//! the metrics on decisions and records, the simulator on all of them; nothing reads back from
//! a later stage.
//!
//! - [`model`]: the domain (organisations, chairs, sessions, requests, history) and the
//!   validation of raw input into a [`model::CheckedSession`]. It depends on nothing else.
//! - [`lot`] and [`apportion`]: the portable random draws every policy is built from, and
//!   apportionment methods (Hamilton, D'Hondt, Sainte-Laguë, …) in exact arithmetic with ties
//!   reported.
//! - [`policy`]: the object-safe [`policy::Policy`] trait, policy descriptions (a name plus
//!   JSON parameters), the [`policy::Registry`] that builds policies from descriptions, and
//!   floorshare's policies, one file each.
//! - [`stage`]: the stages any policy description may carry after the policy's own rule —
//!   speaking `order`, `time` per slot, `placement` in the session.
//! - [`decision`]: the reusable buffer a policy decides into — indices, reason codes and typed
//!   audit steps — so that deciding allocates nothing.
//! - [`allocation`]: the record people and tools read (ids, minutes, details, steps, seed,
//!   version), built from a decision.
//! - [`metrics`]: fairness metrics of one decision or record, of a whole process, and
//!   mergeable summaries over many runs.
//! - [`sim`]: scenarios and the seeded Monte Carlo runner that compares policies over many
//!   simulated processes: paired differences from a baseline policy, per-organisation
//!   chances, parameter sweeps, shards that merge exactly.
//! - [`interchange`]: the JSON format, one session in and its allocation out: the contract
//!   for tools in other languages.
//! - [`error`]: one error type; every error names the field or id at fault.
//!
//! # Policies of your own
//!
//! A policy written outside the crate implements [`policy::Policy`] (its description and its
//! selection rule), registers a constructor in a [`policy::Registry`], and is then built from
//! JSON descriptions like floorshare's own — in the `allocate` tool's input and in scenario
//! files — and recorded truthfully in its allocations, with its own reason and step codes. See
//! the example on [`policy::Registry`].

//! # Determinism
//!
//! The same input and seed give the same allocation, byte for byte in JSON, on every
//! platform: policies draw only through [`lot`], on the named portable generator
//! [`lot::Xoshiro256PlusPlus`]. Value-stability tests pin the output of every randomised
//! policy; a change to them is a breaking change.
//!
//! # Crate features
//!
//! - `rayon` (off by default): [`sim::Simulation`] runs the runs of each chunk in parallel on
//!   rayon's thread pool. Results are bit-identical with or without it, whatever the number of
//!   threads: every run has its own generators, and runs are merged in run order.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations, unreachable_pub)]
#![doc(test(attr(deny(warnings))))]

pub mod allocation;
pub mod apportion;
pub mod audit;
pub mod decision;
pub mod error;
pub mod fair;
pub mod interchange;
pub mod lot;
pub mod metrics;
pub mod model;
pub mod policy;
pub mod sim;
pub mod stage;

pub use error::{Error, ErrorKind, Result};

/// The README's Rust example, compiled and run as a doc test.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
