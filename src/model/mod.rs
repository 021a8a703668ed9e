//! The domain: organisations, chairs, sessions, requests and history, all serde types whose
//! deserialisation rejects unknown fields.
//!
//! Data flows one way: a [`SessionInput`] (what a user writes) is validated once into a
//! [`CheckedSession`]; a policy reads it and decides (`floorshare::policy`,
//! `floorshare::decision`), and the record is built from the decision
//! (`floorshare::allocation`). The model depends on nothing but the error type.

mod category;
mod checked;
mod index;
mod input;
mod organisation;
mod parsed;
mod request;
mod roster;
mod session;

pub use category::Category;
pub(crate) use category::ValueMatch;
pub use checked::{CheckedRequest, CheckedSession};
pub use input::SessionInput;
pub use organisation::{GCM_REGIONS, GrassrootsClass, Kind, Organisation};
pub(crate) use parsed::{FieldKey, RequestsSeed, SessionParts};
pub use request::{History, HistoryEntry, Record, Request};
pub use roster::Roster;
pub use session::{Chair, Placement, Session};
pub(crate) use session::{check_familiarity, check_slot_range};
