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
//! - `simplex`: a bounded-variable simplex for linear programmes with few rows and many
//!   bounded columns (the relaxation and the pricing bounds).
//! - [`Pricer`]: the best quota-feasible panel for given weights per type (greedy for one
//!   category, a min-cost flow for two, an LP-based branch and bound on the simplex for more).
//! - [`RelaxationBound`]: the linear relaxation over type counts — the certified upper bound
//!   on the least probability, and the leximin point of the relaxation.
//! - [`decompose`]: lazy pairwise Frank–Wolfe from the relaxation's point to a lottery over
//!   feasible panels, the pricing oracle as its linear step (and the restricted master
//!   programme when the types are few).
//! - [`uniform_lottery`]: the distribution rounded to a uniform lottery over m panels, the
//!   lottery actually drawn from; [`uniform_lottery_towards`] repairs it towards the goals.
//! - [`solve`]: all of it, with the certificate (bound and achieved minimum).
//! - [`smallest_relaxation`]: for quotas no panel meets, the relaxation changing the fewest
//!   quota units (a min-cost flow for one or two categories, branch and bound for more).
//!
//! The policy `fair_lottery` (`floorshare::policy::FairLottery`) runs all of it on a session.
//!
//! **Measured** by `benches/fair_solve.rs` (2 000
//! organisations, quotas within ±1 of proportional, no history; seeds 1–3, median of 3 runs,
//! CPU time of the solving thread on a 2-core machine shared at load 7–9, where wall-clock
//! time was 1.3–2 times as long): with 4 categories of 7 values (717–748 types), maximin
//! reaches 99.30–99.40% of the certified bound in 577–683 ms at k = 20 (437–500 panels in the
//! distribution, 481–583 pricing calls) and 99.31–99.42% in 759–789 ms at k = 100 (321–350
//! panels, 325–362 calls); leximin gives the same bound, minimum and panels in 568–676 ms and
//! 754–818 ms (its relaxation's leximin point is the maximin point on these pools, where
//! every organisation can have k/n). One category reaches 99.98–100% in about 4 ms, two
//! 99.8% in 16–64 ms (column generation on the restricted master). One exact pricing call
//! with 4 categories takes 0.7–1.0 ms (median, `benches/fair_pricing.rs`; 27–139 ms with
//! the former combinatorial branch and bound).

mod decompose;
mod diagnose;
mod pricing;
mod relaxation;
mod round;
pub mod simplex;
mod solve;
mod space;

pub use decompose::{Distribution, LAZY, MASTER_ROUNDS, MASTER_TYPES, Progress, decompose};
pub use diagnose::{
    Bound, Change, Diagnosis, DiagnosisOptions, default_diagnosis_node_limit, smallest_relaxation,
    smallest_relaxation_with,
};
pub use pricing::{
    BoxRelaxation, LagrangianRelaxation, Outcome, PairFlowRelaxation, Panel, Pricer,
    PricingOptions, PricingStats, Relaxation, Relaxed, default_node_limit,
};
pub use relaxation::{Leximin, RelaxationBound};
pub use round::{
    MAX_PANEL_SEATS, MAX_PANELS, UniformLottery, distribution_minimum, panel_limit,
    uniform_lottery, uniform_lottery_towards,
};
pub use solve::{DECOMPOSITION_NODE_LIMIT, Objective, Solved, TOLERANCE, solve};
pub use space::TypeSpace;
