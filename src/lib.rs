//! floorshare
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod error;
pub mod lot;

pub use error::{Error, Result};
