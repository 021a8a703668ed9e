//! Fairness metrics (SPEC §5): how many are heard, how early, how evenly, and for whom.
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
pub use inequality::{atkinson, gini, jain, never_heard_share, theil_t, top_decile_share};
pub use opportunity::{SelectionRates, SelectionTally};
pub use position::{attention, is_late, normalised_position};
pub use process::{Inequality, ProcessTally};
pub use report::AllocationMetrics;
pub use representation::{GroupStats, GroupTable, GroupTally, Grouping, late_share};
pub use summary::Summary;
