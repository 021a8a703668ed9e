//! Fairness metrics: how many are heard, how early, how evenly, and for whom.
//!
//! | question | measure | where |
//! |---|---|---|
//! | how many, for whom | per group: requests, granted slots and minutes, selection rate, slot share, target share, representation ratio | [`GroupTally`], [`GroupStats`] |
//! | how proportional | Loosemore–Hanby, Gallagher, Sainte-Laguë index, max deviation | [`Disproportionality`] |
//! | how evenly across organisations | Gini, Theil T, Atkinson(ε), Jain, never heard, top-decile share | [`Inequality`], [`ProcessTally`] |
//! | how early ("too late") | normalised position, late share, exposure 1/log₂(1+p) and its disparity | [`normalised_position`], [`late_share`], [`attention`] |
//! | how diverse | normalised entropy of the speakers' regions, distinct regions, themes heard | [`Diversity`] |
//! | what chance | selection rate per group and min/max ratio; per organisation over runs | [`SelectionRates`], [`SelectionTally`] |
//! | over many runs | n, mean, M2, 95% interval; mergeable | [`Summary`] |
//!
//! Shares and indices are fractions (multiply by 100 for percentage points). Counts are of
//! requesting organisations: duplicates are excluded. No metric returns NaN or panics: every
//! degenerate case (no requests, no slots, one group, a zero target share, all-zero values) has
//! a documented answer, `None` (`null` in JSON) where the value is undefined. Reference values
//! computed independently are in `tests/fixtures/metrics.json`; the tests match them to 1e-9.
//!
//! [`AllocationMetrics`] gathers what the `allocate --metrics` tool prints for one allocation;
//! [`SessionFigures`] is the one-pass count the simulator takes of every simulated session.

mod disproportionality;
mod diversity;
mod figures;
mod inequality;
mod opportunity;
mod position;
mod process;
mod report;
mod representation;
mod summary;

pub use disproportionality::Disproportionality;
pub use diversity::{Diversity, normalised_entropy};
pub use figures::SessionFigures;
pub use inequality::{
    atkinson, gini, gini_in_place, jain, never_heard_share, theil_t, top_decile_share,
};
pub use opportunity::{SelectionRates, SelectionTally};
pub use position::{attention, is_late, normalised_position};
pub use process::{Inequality, ProcessTally};
pub use report::AllocationMetrics;
pub use representation::{GroupStats, GroupTable, GroupTally, late_share};
pub use summary::Summary;

use crate::allocation::Allocation;
use crate::decision::Decision;

/// One granted slot, as the metrics read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    /// Index of the granted request in the session's requests.
    pub request: u32,
    /// Speaking position, from 1.
    pub position: u32,
    /// Minutes granted.
    pub minutes: u32,
    /// Start minute, when the session length is known.
    pub start_minute: Option<u32>,
}

/// What the metrics measure: the granted slots of a [`Decision`] (the simulator's fast path)
/// or of an [`Allocation`] record, in speaking order.
pub trait Granted {
    /// The granted slots, in speaking order.
    fn slots(&self) -> impl ExactSizeIterator<Item = Slot> + '_;
}

impl Granted for Decision {
    fn slots(&self) -> impl ExactSizeIterator<Item = Slot> + '_ {
        self.picks().iter().enumerate().map(|(i, pick)| Slot {
            request: pick.request,
            position: i as u32 + 1,
            minutes: pick.minutes,
            start_minute: pick.start_minute,
        })
    }
}

impl Granted for Allocation {
    fn slots(&self) -> impl ExactSizeIterator<Item = Slot> + '_ {
        self.granted.iter().map(|grant| Slot {
            request: grant.request,
            position: grant.position,
            minutes: grant.minutes,
            start_minute: grant.start_minute,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{Granted, Slot};

    /// Granted requests, by index, in speaking order, 3 minutes each: the unit tests' grants.
    pub(super) struct Grants(pub(super) Vec<u32>);

    impl Granted for Grants {
        fn slots(&self) -> impl ExactSizeIterator<Item = Slot> + '_ {
            self.0.iter().enumerate().map(|(i, &request)| Slot {
                request,
                position: i as u32 + 1,
                minutes: 3,
                start_minute: None,
            })
        }
    }
}
