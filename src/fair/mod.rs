//! The fair lottery: stratified selection of `k` of `n` organisations under quotas, by a
//! lottery over quota-feasible panels whose least-favoured organisation has the highest
//! chance (maximin), then the next (leximin) — Flanigan, Gölz, Gupta, Hennig & Procaccia,
//! "Fair algorithms for selecting citizens' assemblies", *Nature* 596 (2021).
//!
//! Work is done on *types*, not organisations: a type is the set of requesting organisations
//! with the same value in every constrained category. Swapping two members of a type maps a
//! quota-feasible panel to a quota-feasible panel, so averaging any optimal lottery over such
//! swaps keeps it optimal: the problems below have one variable per type.
//!
//! - [`TypeSpace`]: the types, their sizes and the quota bounds, in compact index form.
//! - [`simplex`]: a bounded-variable simplex for linear programmes with few rows and many
//!   bounded columns (the relaxation and the pricing bounds), with warm re-solves after a
//!   bound change (branch and bound) or an objective change (new pricing weights).
//! - `pricing`: the best quota-feasible panel for given weights per type (greedy for one
//!   category, a min-cost flow for two, branch and bound for more).

pub mod simplex;
mod space;

pub use space::TypeSpace;
