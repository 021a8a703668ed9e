//! The domain (SPEC §3): organisations, chairs, sessions, requests, history, policy
//! descriptions and allocations, all serde types whose deserialisation rejects unknown fields.
//!
//! Data flows one way: a [`SessionInput`] (what a user writes) is validated once into a
//! [`CheckedSession`]; a policy reads it and returns an [`Allocation`].

mod allocation;
mod checked;
mod index;
mod input;
mod organisation;
mod request;
mod roster;
mod session;
mod spec;

pub use allocation::{Allocation, Grant, GrantReason, Pick, WaitReason, Waiting, Waitlisted};
pub use checked::{CheckedRequest, CheckedSession};
pub use input::SessionInput;
pub use organisation::{GCM_REGIONS, GrassrootsClass, Kind, Organisation};
pub use request::{History, HistoryEntry, Record, Request};
pub use roster::Roster;
pub use session::{Chair, Placement, Session};
pub(crate) use session::{check_familiarity, check_slot_range};
pub use spec::{
    ChairDiscretionSpec, GrassrootsMode, GrassrootsPrioritySpec, PolicySpec, RegionWeights,
    RegionalBalanceSpec, WithinRegion,
};
