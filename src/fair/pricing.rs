//! The pricing oracle of column generation: the best quota-feasible panel for given weights.
//!
//! Given a [`TypeSpace`] and a weight `w_t` per type (the weight of each member of type `t`;
//! any sign, finite), find integer counts `c_t` with `lo_t ≤ c_t ≤ hi_t` (by default
//! `[0, m_t]`), `Σ c_t = k` and `min(j, v) ≤ Σ_{t: value_of(t, j) = v} c_t ≤ max(j, v)` for
//! every category `j` and value `v`, maximising `Σ w_t c_t` — or prove that none exists.
//!
//! The algorithm follows the structure (`../shared/research/fair_lottery.md`, "Pricing is the
//! bottleneck"):
//!
//! - no category: the `k` best seats within the per-type bounds (greedy, exact);
//! - one category: greedy per value — fill each value's minimum with its best seats, then the
//!   remaining seats with the best ones left within the maxima (exact, proof at `greedy_one`);
//! - two categories: a min-cost flow (the constraint matrix is bipartite, hence totally
//!   unimodular; exact, proof at `FlowNet`);
//! - three or more (NP-hard in general): by default an LP-based branch and bound (module
//!   `lp`): the linear relaxation over type counts (one row per quota, one column per type)
//!   solved by the `fair` simplex, re-solved warm after each branching by the dual simplex,
//!   pruned by safe bounds computed from its duals, best-first with dives. It measured
//!   0.7–1.0 ms per call on the four-category benchmarks (median, `benches/fair_pricing.rs`),
//!   where the combinatorial search below took 27–139 ms. [`Pricer::price_with`] runs instead a combinatorial
//!   best-first branch and bound whose bound is any [`Relaxation`]: [`LagrangianRelaxation`]
//!   (the flow over categories 0 and 1, the other categories' quotas priced into the weights
//!   by subgradient multipliers, with a swap local search for early incumbents),
//!   [`PairFlowRelaxation`] (the least of a few two-category flows) or [`BoxRelaxation`] (no
//!   quota at all). Both searches are bounded by a node limit derived from the size (never by
//!   wall-clock time) and say whether they proved optimality: [`Outcome::Optimal`],
//!   [`Outcome::Infeasible`] or [`Outcome::NodeLimit`] (with the best panel found and a valid
//!   upper bound).
//!
//! Everything is deterministic: ties between equal weights go to the lower type index, and no
//! result depends on timing or on the platform (only correctly rounded IEEE 754 operations —
//! `+`, `-`, `*`, `/` — and comparisons on `f64`, in a fixed order).
//!
//! # Example
//!
//! ```
//! use floorshare::fair::{Outcome, Pricer, TypeSpace};
//!
//! // 2 seats; one category with 2 values; at least one seat for value 1.
//! let space = TypeSpace::new(
//!     2,
//!     vec![2],
//!     &[(3, vec![0]), (1, vec![1])],
//!     &[vec![(0, 2), (1, 2)]],
//! );
//! let mut pricer = Pricer::new(&space);
//! match pricer.price(&[1.0, 0.25]) {
//!     Outcome::Optimal(panel) => {
//!         assert_eq!(panel.counts, vec![1, 1]);
//!         assert_eq!(panel.value, 1.25);
//!     }
//!     other => panic!("{other:?}"),
//! }
//! ```

use super::TypeSpace;

mod lp;
use lp::LpBranchAndBound;

/// A quota-feasible panel in type space and its objective.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    /// Seats per type (`counts[t]` members of type `t`), summing to `k`.
    pub counts: Vec<u32>,
    /// `Σ w_t · counts[t]`, summed in type order.
    pub value: f64,
}

/// What a pricing call found. Only [`Outcome::Optimal`] is an optimum; a caller that needs a
/// certified bound must use `upper_bound` of [`Outcome::NodeLimit`], never the best panel's
/// value.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A panel of maximum weight (exact up to a relative tolerance of about 10⁻¹¹ of
    /// `k · max |w_t|`, the floating-point resolution of the pruning test).
    Optimal(Panel),
    /// No quota-feasible panel exists within the per-type bounds.
    Infeasible,
    /// The branch and bound stopped at its node limit before proving optimality (or, from
    /// [`Pricer::price_at_least`], at a panel good enough for the caller).
    NodeLimit {
        /// The best panel found so far, if any (feasible, not necessarily optimal).
        best: Option<Panel>,
        /// An upper bound on the optimum: the largest bound of an unexplored node, or the best
        /// panel's value if that is larger. `-∞` would mean no feasible panel remains to be
        /// found beyond `best`.
        upper_bound: f64,
    },
}

impl Outcome {
    /// The optimal panel, if the call proved one.
    pub fn optimal(&self) -> Option<&Panel> {
        match self {
            Outcome::Optimal(panel) => Some(panel),
            _ => None,
        }
    }

    /// Whether the call proved that no feasible panel exists.
    pub fn is_infeasible(&self) -> bool {
        matches!(self, Outcome::Infeasible)
    }
}

/// Limits of a pricing call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PricingOptions {
    /// Most branch-and-bound nodes per call; `None`: [`default_node_limit`] of the space.
    /// [`Pricer::price`] and [`Pricer::price_within`] with at most two categories never branch
    /// and ignore it; [`Pricer::price_with`] always obeys it.
    pub node_limit: Option<u64>,
}

/// Work done by the last pricing call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PricingStats {
    /// Branch-and-bound nodes explored (0 for the direct algorithms).
    pub nodes: u64,
    /// Relaxations solved by the branch and bound.
    pub relaxations: u64,
    /// Simplex iterations of the LP-based branch and bound (three or more categories).
    pub lp_iterations: u64,
}

/// The default node limit of the branch and bound for `space`: `10 000 + 100 · types`.
///
/// A function of the instance's size only, so results never depend on the machine's speed.
pub fn default_node_limit(space: &TypeSpace) -> u64 {
    10_000 + 100 * space.types() as u64
}

/// What a [`Relaxation`] proved about a node of the branch and bound.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Relaxed {
    /// No quota-feasible panel lies within the node's per-type bounds.
    Infeasible,
    /// An upper bound on `Σ w_t c_t` over every quota-feasible panel within the node's bounds.
    Bound(f64),
}

/// A bound for the branch and bound: a relaxation of the pricing problem restricted to
/// per-type bounds `lo ≤ c ≤ hi`.
///
/// Contract for [`Relaxation::relax`]: return [`Relaxed::Infeasible`] only if no
/// quota-feasible integer panel lies in the box; otherwise return a bound at least the best
/// such panel's objective, and write into `point` a solution of the relaxation (one entry per
/// type, within `lo..=hi`, possibly fractional) to guide the branching. The branch and bound
/// branches on a fractional entry, or, if `point` is integral, on a quota it violates; an
/// integral `point` meeting every quota becomes a candidate panel and closes the node when its
/// objective reaches the bound (otherwise the node is split on a free type, which stays exact
/// whatever the point). A relaxation may stop early once its bound is at most `incumbent`
/// (the best panel's value so far, `-∞` if none): the node is then pruned. An LP relaxation
/// (the simplex of `fair`) fits this contract as well as [`LagrangianRelaxation`],
/// [`PairFlowRelaxation`] and [`BoxRelaxation`].
pub trait Relaxation {
    /// Called once per pricing call, before any [`Relaxation::relax`], with its weights.
    fn prepare(&mut self, space: &TypeSpace, weights: &[f64]);

    /// Solves the relaxation within `lo ..= hi` (already intersected with `[0, min(m_t, k)]`,
    /// with `lo ≤ hi`).
    fn relax(
        &mut self,
        space: &TypeSpace,
        weights: &[f64],
        lo: &[u32],
        hi: &[u32],
        incumbent: f64,
        point: &mut [f64],
    ) -> Relaxed;
}

/// The weakest useful bound: drop every quota and take the `k` best seats within the per-type
/// bounds. Cheap, valid, and enough for exactness (the branch and bound then branches on every
/// violated quota); mostly for tests and as a baseline.
#[derive(Debug, Clone, Default)]
pub struct BoxRelaxation {
    order: Vec<usize>,
    counts: Vec<u32>,
}

impl Relaxation for BoxRelaxation {
    fn prepare(&mut self, _space: &TypeSpace, weights: &[f64]) {
        sort_by_weight(weights, &mut self.order);
    }

    fn relax(
        &mut self,
        space: &TypeSpace,
        weights: &[f64],
        lo: &[u32],
        hi: &[u32],
        _incumbent: f64,
        point: &mut [f64],
    ) -> Relaxed {
        if !greedy_none(space.k(), lo, hi, &self.order, &mut self.counts) {
            return Relaxed::Infeasible;
        }
        for (p, &c) in point.iter_mut().zip(&self.counts) {
            *p = f64::from(c);
        }
        Relaxed::Bound(objective(weights, &self.counts))
    }
}

/// The default bound for three or more categories: for each of a few pairs of categories,
/// drop every other category and solve the remaining two-category problem exactly as a
/// min-cost flow; the bound is the smallest of these optima (dropping constraints only
/// enlarges the feasible set, so each is an upper bound), and the point is that pair's
/// optimal panel.
///
/// By default the pairs cover every category — `(0, 1), (2, 3), …`, and `(last, 0)` for an odd
/// count — so each quota is enforced by some bound.
#[derive(Debug, Clone)]
pub struct PairFlowRelaxation {
    pairs: Vec<(Option<usize>, Option<usize>)>,
    flow: FlowNet,
    order: Vec<usize>,
    counts: Vec<u32>,
    best: Vec<u32>,
}

impl PairFlowRelaxation {
    /// The default pairs for `space` (see the type's documentation); with fewer than two
    /// categories, the one flow over the categories there are.
    pub fn new(space: &TypeSpace) -> Self {
        let n = space.categories();
        let pairs = match n {
            0 => vec![(None, None)],
            1 => vec![(Some(0), None)],
            _ => (0..n.div_ceil(2))
                .map(|i| (Some(2 * i), Some((2 * i + 1) % n)))
                .collect(),
        };
        Self::with_pairs(pairs)
    }

    /// Given pairs of categories; `None` stands for no category on that side.
    ///
    /// # Panics
    ///
    /// If `pairs` is empty, or a pair names the same category twice.
    pub fn with_pairs(pairs: Vec<(Option<usize>, Option<usize>)>) -> Self {
        assert!(!pairs.is_empty(), "at least one pair of categories");
        for &(a, b) in &pairs {
            assert!(a.is_none() || a != b, "two different categories");
        }
        PairFlowRelaxation {
            pairs,
            flow: FlowNet::default(),
            order: Vec::new(),
            counts: Vec::new(),
            best: Vec::new(),
        }
    }

    /// The pairs of categories whose flows bound the objective.
    pub fn pairs(&self) -> &[(Option<usize>, Option<usize>)] {
        &self.pairs
    }
}

impl Relaxation for PairFlowRelaxation {
    fn prepare(&mut self, _space: &TypeSpace, weights: &[f64]) {
        sort_by_weight(weights, &mut self.order);
    }

    fn relax(
        &mut self,
        space: &TypeSpace,
        weights: &[f64],
        lo: &[u32],
        hi: &[u32],
        _incumbent: f64,
        point: &mut [f64],
    ) -> Relaxed {
        let mut bound = f64::INFINITY;
        for i in 0..self.pairs.len() {
            let (a, b) = self.pairs[i];
            if !self
                .flow
                .solve(space, a, b, weights, lo, hi, &self.order, &mut self.counts)
            {
                return Relaxed::Infeasible;
            }
            let value = objective(weights, &self.counts);
            if value < bound {
                bound = value;
                std::mem::swap(&mut self.best, &mut self.counts);
            }
        }
        for (p, &c) in point.iter_mut().zip(&self.best) {
            *p = f64::from(c);
        }
        Relaxed::Bound(bound)
    }
}

/// The default bound for three or more categories: a Lagrangian relaxation. Categories 0 and
/// 1 are kept (solved exactly by the min-cost flow); the quotas of every other category `j`
/// are moved into the objective with a free multiplier `π_jv` per value:
///
/// `L(π) = Σ_jv (π⁺_jv · max(j, v) − π⁻_jv · min(j, v)) + max_c Σ_t (w_t − Σ_j π_{j, v_j(t)}) c_t`
///
/// over the panels `c` meeting categories 0 and 1 and the box. For every `π` this is an upper
/// bound on the optimum: for a panel meeting all quotas each moved term `π⁺(max − s) + π⁻(s −
/// min)` is non-negative (weak duality). Because the flow polytope is integral, `min_π L(π)`
/// equals the LP relaxation's value. `π` is improved by subgradient steps (Polyak's step
/// towards the incumbent, or towards 2 % below the best bound while there is none, with the
/// step factor halved after 3 steps without improvement), [`LagrangianRelaxation::root_steps`]
/// at the first node of a call and [`LagrangianRelaxation::node_steps`] at the others, each
/// node starting from the best multipliers of the node before (valid for any `π`). The
/// bound is the least `L(π)` seen, the point its flow solution.
#[derive(Debug, Clone)]
pub struct LagrangianRelaxation {
    /// Subgradient steps at a call's first node.
    pub root_steps: usize,
    /// Subgradient steps at every other node.
    pub node_steps: usize,
    /// First multiplier of each category (unused for categories 0 and 1); one past the last.
    offsets: Vec<usize>,
    multipliers: Vec<f64>,
    trial: Vec<f64>,
    gradient: Vec<f64>,
    modified: Vec<f64>,
    order: Vec<usize>,
    counts: Vec<u32>,
    seats: Vec<u64>,
    flow: FlowNet,
    root: bool,
    /// Types grouped by their pair of values of categories 0 and 1 (pair `p` at
    /// `buckets[bucket_start[p]..bucket_start[p + 1]]`).
    buckets: Vec<usize>,
    bucket_start: Vec<usize>,
}

/// Types grouped by their pair of values of categories 0 and 1 (those present), in index
/// order within a group; returns the groups' starts (one past the last at the end).
fn pair_buckets(space: &TypeSpace, buckets: &mut Vec<usize>) -> Vec<usize> {
    let c = space.categories();
    let va = if c > 0 { space.values(0) as usize } else { 1 };
    let vb = if c > 1 { space.values(1) as usize } else { 1 };
    let pair = |t: usize| {
        let a = if c > 0 {
            space.value_of(t, 0) as usize
        } else {
            0
        };
        let b = if c > 1 {
            space.value_of(t, 1) as usize
        } else {
            0
        };
        a * vb + b
    };
    let mut start = vec![0usize; va * vb + 1];
    for t in 0..space.types() {
        start[pair(t) + 1] += 1;
    }
    for p in 0..va * vb {
        start[p + 1] += start[p];
    }
    let mut fill = start.clone();
    buckets.clear();
    buckets.resize(space.types(), 0);
    for t in 0..space.types() {
        buckets[fill[pair(t)]] = t;
        fill[pair(t)] += 1;
    }
    start
}

impl LagrangianRelaxation {
    /// The relaxation for `space` (which should have at least two categories; with fewer it
    /// is the plain flow), with 60 steps at the root and 8 at other nodes.
    pub fn new(space: &TypeSpace) -> Self {
        let mut offsets = vec![0];
        for j in 0..space.categories() {
            let last = offsets[j];
            offsets.push(last + if j < 2 { 0 } else { space.values(j) as usize });
        }
        let m = offsets[space.categories()];
        let mut buckets = Vec::new();
        LagrangianRelaxation {
            root_steps: 60,
            node_steps: 8,
            offsets,
            multipliers: vec![0.0; m],
            trial: vec![0.0; m],
            gradient: vec![0.0; m],
            modified: Vec::new(),
            order: Vec::new(),
            counts: Vec::new(),
            seats: Vec::new(),
            flow: FlowNet::default(),
            root: true,
            bucket_start: pair_buckets(space, &mut buckets),
            buckets,
        }
    }

    /// `L(π)` at the trial multipliers, with its flow solution in `counts` and its subgradient
    /// in `gradient`; `None` if the flow is infeasible.
    fn evaluate(
        &mut self,
        space: &TypeSpace,
        weights: &[f64],
        lo: &[u32],
        hi: &[u32],
    ) -> Option<f64> {
        let categories = space.categories();
        self.modified.clear();
        self.modified.extend_from_slice(weights);
        for (t, w) in self.modified.iter_mut().enumerate() {
            for j in 2..categories {
                *w -= self.trial[self.offsets[j] + space.value_of(t, j) as usize];
            }
        }
        // The flow needs the types in weight order only within each pair of values of
        // categories 0 and 1: sort each pair's types (cheaper than one global sort).
        self.order.clear();
        self.order.extend_from_slice(&self.buckets);
        for p in self.bucket_start.windows(2) {
            let modified = &self.modified;
            self.order[p[0]..p[1]].sort_unstable_by_key(|&t| (!ordered(modified[t]), t));
        }
        let a = (categories > 0).then_some(0);
        let b = (categories > 1).then_some(1);
        if !self.flow.solve(
            space,
            a,
            b,
            &self.modified,
            lo,
            hi,
            &self.order,
            &mut self.counts,
        ) {
            return None;
        }
        let mut value = objective(&self.modified, &self.counts);
        for j in 2..categories {
            let values = space.values(j) as usize;
            self.seats.clear();
            self.seats.resize(values, 0);
            for (t, &c) in self.counts.iter().enumerate() {
                self.seats[space.value_of(t, j) as usize] += u64::from(c);
            }
            for v in 0..values {
                let i = self.offsets[j] + v;
                let (min, max) = (
                    f64::from(space.min(j, v as u32)),
                    f64::from(space.max(j, v as u32)),
                );
                let s = self.seats[v] as f64;
                let pi = self.trial[i];
                value += if pi > 0.0 { pi * max } else { pi * min };
                // A subgradient of L (which is minimised): the slack of the active side.
                self.gradient[i] = if s > max || (pi > 0.0 && s < max) {
                    max - s
                } else if s < min || (pi < 0.0 && s > min) {
                    min - s
                } else {
                    0.0
                };
            }
        }
        Some(value)
    }
}

impl Relaxation for LagrangianRelaxation {
    fn prepare(&mut self, _space: &TypeSpace, _weights: &[f64]) {
        self.multipliers.iter_mut().for_each(|p| *p = 0.0);
        self.root = true;
    }

    fn relax(
        &mut self,
        space: &TypeSpace,
        weights: &[f64],
        lo: &[u32],
        hi: &[u32],
        incumbent: f64,
        point: &mut [f64],
    ) -> Relaxed {
        let steps = if self.root {
            self.root_steps
        } else {
            self.node_steps
        };
        self.root = false;
        let scale = weights.iter().fold(0.0f64, |m, w| m.max(w.abs())) * f64::from(space.k());
        let tolerance = 1e-12 * scale;
        self.trial.copy_from_slice(&self.multipliers);
        let mut best = f64::INFINITY;
        let mut factor = 1.0;
        let mut stalled = 0;
        for _ in 0..=steps {
            let Some(value) = self.evaluate(space, weights, lo, hi) else {
                return Relaxed::Infeasible;
            };
            if value < best {
                best = value;
                stalled = 0;
                self.multipliers.copy_from_slice(&self.trial);
                for (p, &c) in point.iter_mut().zip(&self.counts) {
                    *p = f64::from(c);
                }
            } else {
                stalled += 1;
                if stalled >= 3 {
                    factor *= 0.5;
                    stalled = 0;
                }
            }
            let norm: f64 = self.gradient.iter().map(|g| g * g).sum();
            if best <= incumbent + tolerance || norm == 0.0 {
                // Pruned, or the point meets every moved quota with complementary slack
                // (then it attains the bound).
                break;
            }
            let target = if incumbent.is_finite() {
                incumbent
            } else {
                best - 0.02 * best.abs().max(scale * 1e-3)
            };
            let step = factor * (value - target).max(0.0) / norm;
            if step == 0.0 {
                break;
            }
            for (p, g) in self.trial.iter_mut().zip(&self.gradient) {
                *p -= step * g;
            }
        }
        Relaxed::Bound(best)
    }
}

/// The pricing oracle for one [`TypeSpace`], with reusable working memory.
///
/// Dispatches on the number of categories: greedy for zero and one, a min-cost flow for two,
/// the LP-based branch and bound (module `lp`: the simplex's relaxation over type counts,
/// warm re-solves, safe dual bounds) for three or more. [`Pricer::price_with`] runs the
/// combinatorial branch and bound with any [`Relaxation`] instead.
#[derive(Debug)]
pub struct Pricer<'a> {
    space: &'a TypeSpace,
    options: PricingOptions,
    stats: PricingStats,
    order: Vec<usize>,
    flow: FlowNet,
    /// The LP-based branch and bound, for three or more categories.
    lp: Option<LpBranchAndBound>,
    warm: bool,
    lo: Vec<u32>,
    hi: Vec<u32>,
}

impl<'a> Pricer<'a> {
    /// A pricer for `space` with default options.
    pub fn new(space: &'a TypeSpace) -> Self {
        Self::with_options(space, PricingOptions::default())
    }

    /// A pricer for `space` with `options`.
    pub fn with_options(space: &'a TypeSpace, options: PricingOptions) -> Self {
        Pricer {
            space,
            options,
            stats: PricingStats::default(),
            order: Vec::new(),
            flow: FlowNet::default(),
            lp: (space.categories() >= 3).then(|| LpBranchAndBound::new(space)),
            warm: false,
            lo: Vec::new(),
            hi: Vec::new(),
        }
    }

    /// The type space priced.
    pub fn space(&self) -> &'a TypeSpace {
        self.space
    }

    /// Work done by the last call.
    pub fn stats(&self) -> PricingStats {
        self.stats
    }

    /// With `on`, the branch and bound of three or more categories starts each call from the
    /// last call's simplex basis and panel (off by default). Faster on a sequence of similar
    /// weights (column generation, Frank–Wolfe), and still exact; but when several panels are
    /// optimal, which one is returned may then depend on the calls before, where by default it
    /// depends on the arguments alone.
    pub fn set_warm_starts(&mut self, on: bool) {
        self.warm = on;
    }

    /// The best quota-feasible panel at `weights` (one per type), each type within `[0, m_t]`.
    ///
    /// # Panics
    ///
    /// If `weights` has not one entry per type, or one is not finite.
    pub fn price(&mut self, weights: &[f64]) -> Outcome {
        let hi: Vec<u32> = (0..self.space.types())
            .map(|t| self.space.size(t))
            .collect();
        let lo = vec![0; hi.len()];
        self.price_within(weights, &lo, &hi)
    }

    /// The best quota-feasible panel at `weights` with `lo[t] ≤ c_t ≤ hi[t]` (intersected with
    /// `[0, m_t]`: a bound beyond the type's size never lets more members in). `lo[t] >
    /// min(hi[t], m_t)` makes the problem infeasible.
    ///
    /// # Panics
    ///
    /// If `weights`, `lo` or `hi` has not one entry per type, or a weight is not finite.
    pub fn price_within(&mut self, weights: &[f64], lo: &[u32], hi: &[u32]) -> Outcome {
        self.price_inner(weights, lo, hi, f64::INFINITY)
    }

    /// As [`Pricer::price`], but the search may stop as soon as it finds a panel of value at
    /// least `enough` — a *weak separation oracle* (Braun, Pokutta & Zink, "Lazifying
    /// conditional gradient algorithms", ICML 2017): the panel then comes as
    /// [`Outcome::NodeLimit`], with a valid upper bound on the optimum. With at most two
    /// categories the answer is always the exact optimum.
    ///
    /// # Panics
    ///
    /// As [`Pricer::price`].
    pub fn price_at_least(&mut self, weights: &[f64], enough: f64) -> Outcome {
        let hi: Vec<u32> = (0..self.space.types())
            .map(|t| self.space.size(t))
            .collect();
        let lo = vec![0; hi.len()];
        self.price_inner(weights, &lo, &hi, enough)
    }

    fn price_inner(&mut self, weights: &[f64], lo: &[u32], hi: &[u32], enough: f64) -> Outcome {
        self.stats = PricingStats::default();
        if !self.clamp(weights, lo, hi) {
            return Outcome::Infeasible;
        }
        let space = self.space;
        if space.categories() < 3 {
            sort_by_weight(weights, &mut self.order);
        }
        let mut counts = Vec::new();
        let found = match space.categories() {
            0 => greedy_none(space.k(), &self.lo, &self.hi, &self.order, &mut counts),
            1 => greedy_one(space, 0, &self.lo, &self.hi, &self.order, &mut counts),
            2 => self.flow.solve(
                space,
                Some(0),
                Some(1),
                weights,
                &self.lo,
                &self.hi,
                &self.order,
                &mut counts,
            ),
            _ => {
                let limit = self
                    .options
                    .node_limit
                    .unwrap_or_else(|| default_node_limit(space));
                let lp = self.lp.get_or_insert_with(|| LpBranchAndBound::new(space));
                return lp.solve(
                    space,
                    weights,
                    &self.lo,
                    &self.hi,
                    limit,
                    self.warm,
                    enough,
                    &mut self.stats,
                );
            }
        };
        if found {
            let value = objective(weights, &counts);
            Outcome::Optimal(Panel { counts, value })
        } else {
            Outcome::Infeasible
        }
    }

    /// The branch and bound with `relaxation` as its bound, for any number of categories,
    /// within `lo ..= hi` as [`Pricer::price_within`].
    ///
    /// # Panics
    ///
    /// As [`Pricer::price_within`].
    pub fn price_with<R: Relaxation + ?Sized>(
        &mut self,
        weights: &[f64],
        lo: &[u32],
        hi: &[u32],
        relaxation: &mut R,
    ) -> Outcome {
        self.stats = PricingStats::default();
        if !self.clamp(weights, lo, hi) {
            return Outcome::Infeasible;
        }
        let limit = self
            .options
            .node_limit
            .unwrap_or_else(|| default_node_limit(self.space));
        branch_and_bound(
            self.space,
            weights,
            self.lo.clone(),
            self.hi.clone(),
            relaxation,
            limit,
            &mut self.stats,
        )
    }

    /// Checks the arguments and stores the effective bounds `lo ..= min(hi, m_t, k)`;
    /// `false` if some `lo` exceeds its effective upper bound.
    fn clamp(&mut self, weights: &[f64], lo: &[u32], hi: &[u32]) -> bool {
        let space = self.space;
        let n = space.types();
        assert_eq!(weights.len(), n, "one weight per type");
        assert_eq!(lo.len(), n, "one lower bound per type");
        assert_eq!(hi.len(), n, "one upper bound per type");
        assert!(
            weights.iter().all(|w| w.is_finite()),
            "weights must be finite"
        );
        self.lo.clear();
        self.lo.extend_from_slice(lo);
        self.hi.clear();
        self.hi
            .extend((0..n).map(|t| hi[t].min(space.size(t)).min(space.k())));
        self.lo.iter().zip(&self.hi).all(|(l, h)| l <= h)
    }
}

/// `Σ w_t c_t`, summed in type order.
fn objective(weights: &[f64], counts: &[u32]) -> f64 {
    weights
        .iter()
        .zip(counts)
        .map(|(&w, &c)| w * f64::from(c))
        .sum()
}

/// Type indices by decreasing weight, ties by increasing index.
fn sort_by_weight(weights: &[f64], order: &mut Vec<usize>) {
    order.clear();
    order.extend(0..weights.len());
    // Descending weight keys with the index are distinct: the unstable sort is deterministic.
    order.sort_unstable_by_key(|&t| (!ordered(weights[t]), t));
}

/// No category: every type at `lo`, then the remaining seats to the best types (in `order`)
/// up to `hi`. Exact: the feasible set is a box cut by `Σ c = k`, whose seats beyond `lo` are
/// interchangeable units of weight `w_t`; any feasible choice takes `k − Σ lo` of them, and
/// the greedy takes the `k − Σ lo` heaviest. `false` if `Σ lo > k` or `Σ hi < k`.
fn greedy_none(k: u32, lo: &[u32], hi: &[u32], order: &[usize], counts: &mut Vec<u32>) -> bool {
    counts.clear();
    counts.extend_from_slice(lo);
    let forced: u64 = lo.iter().map(|&l| u64::from(l)).sum();
    let Some(mut left) = u64::from(k).checked_sub(forced) else {
        return false;
    };
    for &t in order {
        if left == 0 {
            break;
        }
        let take = u64::from(hi[t] - lo[t]).min(left);
        counts[t] += take as u32;
        left -= take;
    }
    left == 0
}

/// One category `j`: greedy per value.
///
/// 1. Every type at `lo`; then each value `v` is filled up to `min(j, v)` with its best
///    seats (types of value `v` in `order`, up to `hi`).
/// 2. The remaining seats go to the best seats left over all values (in `order`), skipping a
///    value once it holds `max(j, v)` seats.
///
/// Exact. Call a *unit* one seat of type `t` beyond `lo_t` (type `t` has `hi_t − lo_t` units,
/// each worth `w_t`), and order the units of a value by `order`. (a) For fixed seats `s_v` per
/// value, the best panel takes the `s_v − L_v` first units of each value (`L_v = Σ_{t∈v}
/// lo_t`): swapping a unit for a not-taken earlier one never lowers the objective. So the
/// optimum is `max Σ_v f_v(s_v)` over `ℓ_v ≤ s_v ≤ u_v`, `Σ s_v = k`, with `ℓ_v = max(min(j,
/// v), L_v)`, `u_v = min(max(j, v), H_v)` (`H_v = Σ_{t∈v} hi_t`), where `f_v(s)` sums the
/// forced seats and the first `s − L_v` units: `f_v` is concave, its increments being the unit
/// weights in non-increasing order. (b) Step 1 sets every `s_v = ℓ_v`. Step 2 must add `R = k −
/// Σ ℓ_v` increments; the increments available for value `v` form a non-increasing sequence
/// of length `u_v − ℓ_v`, and any feasible `s` takes a prefix of each, `R` in all — at most the
/// sum of the `R` largest increments of the union of these sequences. Step 2 scans all units
/// in one global order by weight and takes a unit whenever its value still has room, which
/// takes exactly those `R` largest (each value's sequence is consumed as a prefix, in weight
/// order), so it attains that maximum. Ties between equal weights go to the lower type index,
/// which makes the result deterministic. `false` when `Σ ℓ_v > k`, `Σ u_v < k` or some `ℓ_v >
/// u_v` (then no panel exists).
fn greedy_one(
    space: &TypeSpace,
    j: usize,
    lo: &[u32],
    hi: &[u32],
    order: &[usize],
    counts: &mut Vec<u32>,
) -> bool {
    let k = u64::from(space.k());
    let values = space.values(j) as usize;
    counts.clear();
    counts.extend_from_slice(lo);
    let mut seats = vec![0u64; values];
    for (t, &l) in lo.iter().enumerate() {
        seats[space.value_of(t, j) as usize] += u64::from(l);
    }
    let max = |v: usize| u64::from(space.max(j, v as u32));
    let min = |v: usize| u64::from(space.min(j, v as u32));
    if (0..values).any(|v| seats[v].max(min(v)) > max(v)) {
        return false;
    }
    let mut need: Vec<u64> = (0..values)
        .map(|v| min(v).saturating_sub(seats[v]))
        .collect();
    for &t in order {
        let v = space.value_of(t, j) as usize;
        let take = u64::from(hi[t] - counts[t]).min(need[v]);
        counts[t] += take as u32;
        need[v] -= take;
        seats[v] += take;
    }
    let total: u64 = seats.iter().sum();
    if need.iter().any(|&n| n > 0) || total > k {
        return false;
    }
    let mut left = k - total;
    for &t in order {
        if left == 0 {
            break;
        }
        let v = space.value_of(t, j) as usize;
        let room = max(v).saturating_sub(seats[v]);
        let take = u64::from(hi[t] - counts[t]).min(room).min(left);
        counts[t] += take as u32;
        seats[v] += take;
        left -= take;
    }
    left == 0
}

/// An arc of the flow network: `[0, cap]` units (after removing the lower bound), costs given
/// by consecutive blocks of units with non-decreasing cost (a convex arc: the parallel arcs of
/// one pair of values, cheapest first).
#[derive(Debug, Clone, Copy)]
struct FlowArc {
    from: usize,
    to: usize,
    flow: u64,
    /// Blocks `first..last` in `FlowNet::ends`/`costs`/`block_type`.
    first: usize,
    last: usize,
    /// The block of the next unit to push forward (`last` when full).
    next: usize,
}

/// Min-cost flow for the two-category problem (or one category, or none, when a side is
/// `None`).
///
/// Network: source `S` → category-`a` value nodes (`[min(a, v), max(a, v)]`, cost 0) → one
/// arc per pair of values `(v, u)` carrying the pair's types (lower bound `Σ lo_t`, then the
/// types' `hi_t − lo_t` units as blocks of cost `−w_t`, best weight first) → category-`b`
/// value nodes → `[min(b, u), max(b, u)]` → sink `T`; exactly `k` units from `S` to `T`.
/// Lower bounds are removed the standard way (push them, record excesses, route the excesses
/// from a super source to a super sink); a feasible flow exists iff the maximum flow
/// saturates the super source.
///
/// Exact: integer flows of this network correspond to panels meeting both categories' quotas
/// and the per-type bounds (a pair arc's flow is spread over its types; for a given flow the
/// best spread is the prefix by weight, which the convex arc enforces, being equivalent to
/// one parallel arc per type). The constraint matrix of the two categories is the incidence
/// matrix of a bipartite graph, totally unimodular, so nothing is lost by the flow view; and
/// successive shortest paths keeps every residual reduced cost non-negative (node potentials,
/// initialised by Bellman–Ford because costs are negative, then updated by Dijkstra), so the
/// flow is of minimum cost for its value after every augmentation and the final, saturating
/// flow is a min-cost feasible flow: a maximum-weight panel. Costs only grow along a convex
/// arc as it fills, which keeps the potentials valid. Floating-point reduced costs are clamped
/// at 0 (an error of rounding size). Deterministic: Dijkstra settles the lowest-index node
/// among equal distances and relaxes on strict improvement; blocks are ordered by weight, then
/// type index.
#[derive(Debug, Clone, Default)]
struct FlowNet {
    nodes: usize,
    arcs: Vec<FlowArc>,
    /// Cumulative unit count at the end of each block, relative to its arc.
    ends: Vec<u64>,
    costs: Vec<f64>,
    /// The type of each block (`usize::MAX` for a plain arc).
    block_type: Vec<usize>,
    /// Per node, the arcs leaving it and the arcs entering it.
    out: Vec<Vec<usize>>,
    into: Vec<Vec<usize>>,
    excess: Vec<i64>,
    potential: Vec<f64>,
    dist: Vec<f64>,
    done: Vec<bool>,
    /// How each node was reached: `(arc, forward)`.
    pred: Vec<(usize, bool)>,
    /// Per pair of values, its arc, or `usize::MAX`.
    pair_arc: Vec<usize>,
    pair_lower: Vec<u64>,
}

const NONE: usize = usize::MAX;

impl FlowNet {
    /// Solves the problem restricted to categories `a` and `b`; writes the counts and returns
    /// `true`, or returns `false` if it is infeasible.
    #[allow(clippy::too_many_arguments)]
    fn solve(
        &mut self,
        space: &TypeSpace,
        a: Option<usize>,
        b: Option<usize>,
        weights: &[f64],
        lo: &[u32],
        hi: &[u32],
        order: &[usize],
        counts: &mut Vec<u32>,
    ) -> bool {
        let k = u64::from(space.k());
        let va = a.map_or(1, |j| space.values(j) as usize);
        let vb = b.map_or(1, |j| space.values(j) as usize);
        let value_a = |t: usize| a.map_or(0, |j| space.value_of(t, j) as usize);
        let value_b = |t: usize| b.map_or(0, |j| space.value_of(t, j) as usize);
        // Nodes: S = 0, T = 1, super source 2, super sink 3, then a's values, then b's.
        let (source, sink, super_source, super_sink) = (0, 1, 2, 3);
        let node_a = |v: usize| 4 + v;
        let node_b = |u: usize| 4 + va + u;
        self.nodes = 4 + va + vb;
        self.arcs.clear();
        self.ends.clear();
        self.costs.clear();
        self.block_type.clear();
        self.excess.clear();
        self.excess.resize(self.nodes, 0);
        self.excess[source] = k as i64;
        self.excess[sink] = -(k as i64);

        let bounds = |side: Option<usize>, v: usize| match side {
            Some(j) => (
                u64::from(space.min(j, v as u32)),
                u64::from(space.max(j, v as u32)).min(k),
            ),
            None => (0, k),
        };
        for v in 0..va {
            let (l, u) = bounds(a, v);
            if !self.plain(source, node_a(v), l, u) {
                return false;
            }
        }
        // Pair arcs: lower bound Σ lo, then one block per type with room, by weight.
        self.pair_arc.clear();
        self.pair_arc.resize(va * vb, NONE);
        self.pair_lower.clear();
        self.pair_lower.resize(va * vb, 0);
        let mut members = vec![0usize; va * vb];
        for (t, &l) in lo.iter().enumerate() {
            let p = value_a(t) * vb + value_b(t);
            self.pair_lower[p] += u64::from(l);
            members[p] += 1;
        }
        // Blocks of a pair are contiguous, after the blocks already laid.
        let mut start = vec![0usize; va * vb + 1];
        start[0] = self.ends.len();
        for (t, &h) in hi.iter().enumerate() {
            if h > lo[t] {
                start[value_a(t) * vb + value_b(t) + 1] += 1;
            }
        }
        for p in 0..va * vb {
            start[p + 1] += start[p];
        }
        let end = start[va * vb];
        self.ends.resize(end, 0);
        self.costs.resize(end, 0.0);
        self.block_type.resize(end, NONE);
        let mut fill = start.clone();
        for &t in order {
            if hi[t] > lo[t] {
                let p = value_a(t) * vb + value_b(t);
                let i = fill[p];
                let before = if i == start[p] { 0 } else { self.ends[i - 1] };
                self.ends[i] = before + u64::from(hi[t] - lo[t]);
                self.costs[i] = -weights[t];
                self.block_type[i] = t;
                fill[p] += 1;
            }
        }
        for v in 0..va {
            for u in 0..vb {
                let p = v * vb + u;
                if members[p] == 0 {
                    continue;
                }
                let (from, to) = (node_a(v), node_b(u));
                let l = self.pair_lower[p];
                self.excess[from] -= l as i64;
                self.excess[to] += l as i64;
                self.pair_arc[p] = self.arcs.len();
                self.arcs.push(FlowArc {
                    from,
                    to,
                    flow: 0,
                    first: start[p],
                    last: start[p + 1],
                    next: start[p],
                });
            }
        }
        for u in 0..vb {
            let (l, h) = bounds(b, u);
            if !self.plain(node_b(u), sink, l, h) {
                return false;
            }
        }
        let mut required = 0u64;
        for x in 0..4 + va + vb {
            let e = self.excess[x];
            if e > 0 {
                required += e as u64;
                self.plain(super_source, x, 0, e as u64);
            } else if e < 0 {
                self.plain(x, super_sink, 0, (-e) as u64);
            }
        }
        if self.augment(super_source, super_sink) < required {
            return false;
        }
        // Counts: lo, plus each pair arc's flow spread over its blocks in order.
        counts.clear();
        counts.extend_from_slice(lo);
        for arc in &self.arcs {
            let mut before = 0;
            for i in arc.first..arc.last {
                let t = self.block_type[i];
                if t == NONE || before >= arc.flow {
                    break;
                }
                counts[t] += (self.ends[i].min(arc.flow) - before) as u32;
                before = self.ends[i];
            }
        }
        true
    }

    /// Adds a zero-cost arc with bounds `[l, u]`; `false` if `l > u`.
    fn plain(&mut self, from: usize, to: usize, l: u64, u: u64) -> bool {
        if l > u {
            return false;
        }
        self.excess[from] -= l as i64;
        self.excess[to] += l as i64;
        let first = self.ends.len();
        if u > l {
            self.ends.push(u - l);
            self.costs.push(0.0);
            self.block_type.push(NONE);
        }
        self.arcs.push(FlowArc {
            from,
            to,
            flow: 0,
            first,
            last: self.ends.len(),
            next: first,
        });
        true
    }

    fn block_start(&self, arc: &FlowArc, i: usize) -> u64 {
        if i == arc.first { 0 } else { self.ends[i - 1] }
    }

    /// Residual units and cost of pushing forward along `arc` at its current cost.
    fn forward(&self, arc: &FlowArc) -> Option<(u64, f64)> {
        (arc.next < arc.last).then(|| (self.ends[arc.next] - arc.flow, self.costs[arc.next]))
    }

    /// The block holding the last unit of flow on `arc`, if any flow.
    fn last_used(&self, arc: &FlowArc) -> Option<usize> {
        (arc.flow > 0).then(|| {
            if arc.next == arc.last || arc.flow == self.block_start(arc, arc.next) {
                arc.next - 1
            } else {
                arc.next
            }
        })
    }

    /// Residual units and cost of pushing backward along `arc` at its current cost.
    fn backward(&self, arc: &FlowArc) -> Option<(u64, f64)> {
        self.last_used(arc)
            .map(|i| (arc.flow - self.block_start(arc, i), -self.costs[i]))
    }

    /// Successive shortest paths from `s` to `t`; returns the flow sent.
    fn augment(&mut self, s: usize, t: usize) -> u64 {
        let n = self.nodes;
        self.out.iter_mut().for_each(Vec::clear);
        self.into.iter_mut().for_each(Vec::clear);
        self.out.resize_with(n.max(self.out.len()), Vec::new);
        self.into.resize_with(n.max(self.into.len()), Vec::new);
        for (i, arc) in self.arcs.iter().enumerate() {
            self.out[arc.from].push(i);
            self.into[arc.to].push(i);
        }
        // Initial potentials: shortest distances from a virtual node joined to every node at
        // cost 0 (Bellman–Ford; only forward residual arcs exist, and the network is acyclic).
        self.potential.clear();
        self.potential.resize(n, 0.0);
        for _ in 0..n {
            let mut changed = false;
            for arc in &self.arcs {
                if let Some((_, c)) = self.forward(arc) {
                    let d = self.potential[arc.from] + c;
                    if d < self.potential[arc.to] {
                        self.potential[arc.to] = d;
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        let mut sent = 0u64;
        loop {
            // Dijkstra on reduced costs, dense (few nodes).
            self.dist.clear();
            self.dist.resize(n, f64::INFINITY);
            self.done.clear();
            self.done.resize(n, false);
            self.pred.clear();
            self.pred.resize(n, (NONE, true));
            self.dist[s] = 0.0;
            loop {
                let mut x = NONE;
                for y in 0..n {
                    if !self.done[y]
                        && self.dist[y] < f64::INFINITY
                        && (x == NONE || self.dist[y] < self.dist[x])
                    {
                        x = y;
                    }
                }
                if x == NONE {
                    break;
                }
                self.done[x] = true;
                if x == t {
                    break;
                }
                for k in 0..self.out[x].len() {
                    let i = self.out[x][k];
                    let arc = self.arcs[i];
                    if let Some((_, c)) = self.forward(&arc) {
                        self.relax(x, arc.to, c, (i, true));
                    }
                }
                for k in 0..self.into[x].len() {
                    let i = self.into[x][k];
                    let arc = self.arcs[i];
                    if let Some((_, c)) = self.backward(&arc) {
                        self.relax(x, arc.from, c, (i, false));
                    }
                }
            }
            if !self.done[t] {
                return sent;
            }
            let reach = self.dist[t];
            for x in 0..n {
                self.potential[x] += self.dist[x].min(reach);
            }
            // Bottleneck along the path, at constant cost on every arc.
            let mut amount = u64::MAX;
            let mut x = t;
            while x != s {
                let (i, fwd) = self.pred[x];
                let arc = &self.arcs[i];
                let (r, _) = if fwd {
                    self.forward(arc)
                } else {
                    self.backward(arc)
                }
                .expect("a residual arc on the path");
                amount = amount.min(r);
                x = if fwd { arc.from } else { arc.to };
            }
            let mut x = t;
            while x != s {
                let (i, fwd) = self.pred[x];
                let mut arc = self.arcs[i];
                if fwd {
                    arc.flow += amount;
                    if arc.flow == self.ends[arc.next] {
                        arc.next += 1;
                    }
                } else {
                    let used = self.last_used(&arc).expect("flow to cancel");
                    arc.flow -= amount;
                    arc.next = used;
                }
                self.arcs[i] = arc;
                x = if fwd { arc.from } else { arc.to };
            }
            sent += amount;
        }
    }

    /// Dijkstra's relaxation of the residual arc `x → y` of cost `cost`.
    fn relax(&mut self, x: usize, y: usize, cost: f64, via: (usize, bool)) {
        if self.done[y] {
            return;
        }
        let reduced = (cost + self.potential[x] - self.potential[y]).max(0.0);
        let d = self.dist[x] + reduced;
        if d < self.dist[y] {
            self.dist[y] = d;
            self.pred[y] = via;
        }
    }
}

/// Whether every category can still be met within the box `lo ..= hi`: per value, `Σ lo ≤
/// max` and `Σ hi ≥ min`; per category, `Σ_v max(min, Σ lo) ≤ k ≤ Σ_v min(max, Σ hi)`.
/// A necessary condition, cheap enough for every node.
fn box_feasible(
    space: &TypeSpace,
    lo: &[u32],
    hi: &[u32],
    low: &mut Vec<u64>,
    high: &mut Vec<u64>,
) -> bool {
    let k = u64::from(space.k());
    let sum_lo: u64 = lo.iter().map(|&l| u64::from(l)).sum();
    let sum_hi: u64 = hi.iter().map(|&h| u64::from(h)).sum();
    if sum_lo > k || sum_hi < k {
        return false;
    }
    (0..space.categories()).all(|j| {
        let values = space.values(j) as usize;
        low.clear();
        low.resize(values, 0);
        high.clear();
        high.resize(values, 0);
        for t in 0..lo.len() {
            let v = space.value_of(t, j) as usize;
            low[v] += u64::from(lo[t]);
            high[v] += u64::from(hi[t]);
        }
        let (mut least, mut most) = (0u64, 0u64);
        for v in 0..values {
            let (min, max) = (
                u64::from(space.min(j, v as u32)),
                u64::from(space.max(j, v as u32)),
            );
            let (l, h) = (low[v].max(min), high[v].min(max));
            if l > h {
                return false;
            }
            least += l;
            most += h;
        }
        least <= k && k <= most
    })
}

/// A node of the branch and bound, stored as the one bound change that made it from its
/// parent (the root: none): its box is the root box tightened by the changes on its path.
#[derive(Debug, Clone, Copy)]
struct Node {
    parent: usize,
    /// The type whose box changed (`NONE` at the root) and its new box.
    t: usize,
    lo: u32,
    hi: u32,
}

/// An open node: its parent's bound (as [`ordered`]) and its index in the arena. Ordered by
/// bound, then newest first (so a node's preferred child is explored next while its bound is
/// still the best: the search dives).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Open {
    bound: u64,
    node: usize,
}

/// `f64` to `u64` preserving `total_cmp` order.
fn ordered(x: f64) -> u64 {
    let bits = x.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | 1 << 63
    }
}

/// `ordered`'s inverse.
fn unordered(key: u64) -> f64 {
    f64::from_bits(if key >> 63 == 1 {
        key & !(1 << 63)
    } else {
        !key
    })
}

/// Adds the children of node `parent` (of bound `bound`) with type `t`'s box `first`
/// (preferred: explored first among equal bounds) and `second`.
fn branch(
    arena: &mut Vec<Node>,
    open: &mut std::collections::BinaryHeap<Open>,
    parent: usize,
    bound: f64,
    t: usize,
    first: (u32, u32),
    second: (u32, u32),
) {
    for (lo, hi) in [second, first] {
        arena.push(Node { parent, t, lo, hi });
        open.push(Open {
            bound: ordered(bound),
            node: arena.len() - 1,
        });
    }
}

/// How far a relaxed entry may be from an integer and still count as one.
const INTEGRAL: f64 = 1e-9;

/// The entry of `point` farthest from an integer (the first of equals), if one is farther
/// than `tolerance`: the variable a branch and bound branches on.
fn most_fractional(point: &[f64], tolerance: f64) -> Option<usize> {
    let mut most = None;
    let mut gap = tolerance;
    for (t, &x) in point.iter().enumerate() {
        let g = (x - x.round()).abs();
        if g > gap {
            gap = g;
            most = Some(t);
        }
    }
    most
}

/// Best-first branch and bound over the per-type boxes.
///
/// Open nodes are explored by decreasing parent bound, ties to the newest (a dive). At a
/// node: the cheap [`box_feasible`] test, then the relaxation. The node is pruned when
/// infeasible or when its bound does not beat the incumbent by more than the tolerance. At
/// nodes 1, 2, 4, 8, … a swap local search ([`LocalSearch`]) tries to turn the relaxed point
/// into a good panel (an incumbent; it decides nothing). If the relaxed point is integral
/// and meets every quota, it is a candidate panel; if its value reaches the node's bound the
/// node is solved, else the first free type's box is halved. Otherwise it branches, always
/// strictly shrinking one type's box, which makes the tree finite and the two children a
/// partition of the node's integer points:
///
/// - on the most fractional entry `x_t` (ties: lowest index): `c_t ≤ ⌊x_t⌋` | `c_t ≥ ⌈x_t⌉`,
///   the side nearer `x_t` preferred;
/// - else on the most violated quota (ties: first category, then first value). Over a maximum:
///   the lightest type `t` of that value with `c_t > lo_t` (ties: highest index), preferring
///   the child `c_t ≤ c_t* − 1` (towards feasibility) to `c_t ≥ c_t*`. Under a minimum: the
///   heaviest type with `c_t < hi_t` (ties: lowest index), preferring `c_t ≥ c_t* + 1` to
///   `c_t ≤ c_t*`. Such a type exists, or [`box_feasible`] would have failed.
///
/// Exactness follows: every pruned node holds no panel better than the incumbent (by the
/// relaxation's contract), every solved node's panel is its best, and the children of a node
/// partition its panels. The search stops after `limit` nodes with [`Outcome::NodeLimit`],
/// whose upper bound is the largest bound of an open node (or the incumbent's value).
fn branch_and_bound<R: Relaxation + ?Sized>(
    space: &TypeSpace,
    weights: &[f64],
    root_lo: Vec<u32>,
    root_hi: Vec<u32>,
    relaxation: &mut R,
    limit: u64,
    stats: &mut PricingStats,
) -> Outcome {
    let n = space.types();
    let k = space.k();
    // Pruning tolerance: 10⁻¹² of the largest panel weight in absolute value.
    let scale = weights.iter().fold(0.0f64, |m, w| m.max(w.abs())) * f64::from(k.max(1));
    let tolerance = 1e-12 * scale;
    relaxation.prepare(space, weights);
    let mut best: Option<Panel> = None;
    let mut incumbent = f64::NEG_INFINITY;
    let mut point = vec![0.0; n];
    let mut counts = vec![0u32; n];
    let (mut lo, mut hi) = (root_lo.clone(), root_hi.clone());
    let (mut low, mut high) = (Vec::new(), Vec::new());
    let mut seats: Vec<u64> = Vec::new();
    let mut search = LocalSearch::new(space, weights);
    let mut arena = vec![Node {
        parent: NONE,
        t: NONE,
        lo: 0,
        hi: 0,
    }];
    let mut open = std::collections::BinaryHeap::new();
    open.push(Open {
        bound: ordered(f64::INFINITY),
        node: 0,
    });
    while let Some(top) = open.pop() {
        let parent_bound = unordered(top.bound);
        if parent_bound <= incumbent + tolerance {
            continue;
        }
        if stats.nodes >= limit {
            return Outcome::NodeLimit {
                upper_bound: parent_bound.max(incumbent),
                best,
            };
        }
        stats.nodes += 1;
        // Rebuild the node's box: the root box tightened by every change on its path.
        lo.copy_from_slice(&root_lo);
        hi.copy_from_slice(&root_hi);
        let mut x = top.node;
        while x != NONE {
            let node = arena[x];
            if node.t != NONE {
                lo[node.t] = lo[node.t].max(node.lo);
                hi[node.t] = hi[node.t].min(node.hi);
            }
            x = node.parent;
        }
        let id = top.node;
        if !box_feasible(space, &lo, &hi, &mut low, &mut high) {
            continue;
        }
        stats.relaxations += 1;
        let bound = match relaxation.relax(space, weights, &lo, &hi, incumbent, &mut point) {
            Relaxed::Infeasible => continue,
            Relaxed::Bound(b) => b.min(parent_bound),
        };
        if bound <= incumbent + tolerance {
            continue;
        }
        // Branch on a fractional entry, if any.
        if let Some(t) = most_fractional(&point, INTEGRAL) {
            let x = point[t];
            let down = (lo[t], (x.floor() as u32).min(hi[t]));
            let up = ((x.ceil() as u32).max(lo[t]), hi[t]);
            let (first, second) = if x - x.floor() >= 0.5 {
                (up, down)
            } else {
                (down, up)
            };
            branch(&mut arena, &mut open, id, bound, t, first, second);
            continue;
        }
        for (c, &x) in counts.iter_mut().zip(&point) {
            *c = x.round().max(0.0) as u32;
        }
        // The primal heuristic at nodes 1, 2, 4, 8, …: repair and improve the relaxed point
        // by swaps, for an early incumbent (it never decides what is optimal).
        if stats.nodes.is_power_of_two() {
            search.counts.clone_from(&counts);
            if search.run(space, weights, &lo, &hi, tolerance) {
                let value = objective(weights, &search.counts);
                if value > incumbent {
                    incumbent = value;
                    best = Some(Panel {
                        counts: search.counts.clone(),
                        value,
                    });
                    if bound <= incumbent + tolerance {
                        continue;
                    }
                }
            }
        }
        match worst_violation(space, &counts, &mut seats) {
            None => {
                let value = objective(weights, &counts);
                if value > incumbent {
                    incumbent = value;
                    best = Some(Panel {
                        counts: counts.clone(),
                        value,
                    });
                }
                if value < bound - tolerance {
                    // The point does not reach the bound (a Lagrangian point, say): split the
                    // first free type's box in two, which keeps the search exact.
                    if let Some(t) = (0..n).find(|&t| lo[t] < hi[t]) {
                        let mid = lo[t] + (hi[t] - lo[t]) / 2;
                        branch(
                            &mut arena,
                            &mut open,
                            id,
                            bound,
                            t,
                            (lo[t], mid),
                            (mid + 1, hi[t]),
                        );
                    }
                }
            }
            Some((j, v, over)) => {
                let members = (0..n).filter(|&t| space.value_of(t, j) == v);
                let pick = if over {
                    members
                        .filter(|&t| counts[t] > lo[t])
                        .min_by(|&a, &b| weights[a].total_cmp(&weights[b]).then(b.cmp(&a)))
                } else {
                    members
                        .filter(|&t| counts[t] < hi[t])
                        .max_by(|&a, &b| weights[a].total_cmp(&weights[b]).then(b.cmp(&a)))
                };
                let Some(t) = pick else {
                    // Impossible after `box_feasible`; nothing to explore.
                    continue;
                };
                let c = counts[t];
                if over {
                    branch(
                        &mut arena,
                        &mut open,
                        id,
                        bound,
                        t,
                        (lo[t], c - 1),
                        (c, hi[t]),
                    );
                } else {
                    branch(
                        &mut arena,
                        &mut open,
                        id,
                        bound,
                        t,
                        (c + 1, hi[t]),
                        (lo[t], c),
                    );
                }
            }
        }
    }
    match best {
        Some(panel) => Outcome::Optimal(panel),
        None => Outcome::Infeasible,
    }
}

/// Swap local search, the branch and bound's primal heuristic: from a panel within the box
/// (`Σ c = k`), repeatedly move one seat from a type `a` to a type `b` (within the box): first
/// while the total quota violation `Σ_jv (s − max)⁺ + (min − s)⁺` can be lowered (the move
/// lowering it most, then the one losing least weight), then, once feasible, while a move keeps
/// it feasible and gains weight (for each `a`, the heaviest feasible `b`; the best gain
/// overall). Bounded: at most `k + violation` repair moves and `4k` improving moves. Ties by
/// type index.
#[derive(Debug)]
struct LocalSearch {
    counts: Vec<u32>,
    /// Seats per (category, value), at `offsets[j] + v`.
    seats: Vec<i64>,
    offsets: Vec<usize>,
    min: Vec<i64>,
    max: Vec<i64>,
    /// Types by decreasing weight.
    order: Vec<usize>,
}

impl LocalSearch {
    fn new(space: &TypeSpace, weights: &[f64]) -> Self {
        let mut offsets = vec![0];
        let (mut min, mut max) = (Vec::new(), Vec::new());
        for j in 0..space.categories() {
            offsets.push(offsets[j] + space.values(j) as usize);
            for v in 0..space.values(j) {
                min.push(i64::from(space.min(j, v)));
                max.push(i64::from(space.max(j, v)));
            }
        }
        let mut order = Vec::new();
        sort_by_weight(weights, &mut order);
        LocalSearch {
            counts: Vec::new(),
            seats: Vec::new(),
            offsets,
            min,
            max,
            order,
        }
    }

    fn violation(&self, i: usize, s: i64) -> i64 {
        (s - self.max[i]).max(0) + (self.min[i] - s).max(0)
    }

    /// The change of the total violation when a seat moves from type `a` to type `b`.
    fn delta(&self, space: &TypeSpace, a: usize, b: usize) -> i64 {
        let mut d = 0;
        for j in 0..space.categories() {
            let (va, vb) = (space.value_of(a, j), space.value_of(b, j));
            if va != vb {
                let (ia, ib) = (self.offsets[j] + va as usize, self.offsets[j] + vb as usize);
                let (sa, sb) = (self.seats[ia], self.seats[ib]);
                d += self.violation(ia, sa - 1) - self.violation(ia, sa)
                    + self.violation(ib, sb + 1)
                    - self.violation(ib, sb);
            }
        }
        d
    }

    fn apply(&mut self, space: &TypeSpace, a: usize, b: usize) {
        self.counts[a] -= 1;
        self.counts[b] += 1;
        for j in 0..space.categories() {
            self.seats[self.offsets[j] + space.value_of(a, j) as usize] -= 1;
            self.seats[self.offsets[j] + space.value_of(b, j) as usize] += 1;
        }
    }

    /// Runs on `self.counts`; `true` if it ends quota-feasible.
    fn run(
        &mut self,
        space: &TypeSpace,
        weights: &[f64],
        lo: &[u32],
        hi: &[u32],
        tolerance: f64,
    ) -> bool {
        let n = space.types();
        self.seats.clear();
        self.seats.resize(self.min.len(), 0);
        for t in 0..n {
            for j in 0..space.categories() {
                self.seats[self.offsets[j] + space.value_of(t, j) as usize] +=
                    i64::from(self.counts[t]);
            }
        }
        let mut total: i64 = (0..self.min.len())
            .map(|i| self.violation(i, self.seats[i]))
            .sum();
        let mut moves = i64::from(space.k()) + total;
        while total > 0 {
            if moves == 0 {
                return false;
            }
            moves -= 1;
            let mut best: Option<(i64, f64, usize, usize)> = None;
            for a in (0..n).filter(|&a| self.counts[a] > lo[a]) {
                for b in (0..n).filter(|&b| b != a && self.counts[b] < hi[b]) {
                    let d = self.delta(space, a, b);
                    if d >= 0 {
                        continue;
                    }
                    let gain = weights[b] - weights[a];
                    if best.is_none_or(|(bd, bg, ..)| d < bd || (d == bd && gain > bg)) {
                        best = Some((d, gain, a, b));
                    }
                }
            }
            let Some((d, _, a, b)) = best else {
                return false;
            };
            self.apply(space, a, b);
            total += d;
        }
        for _ in 0..4 * space.k() {
            let mut best: Option<(f64, usize, usize)> = None;
            for a in (0..n).filter(|&a| self.counts[a] > lo[a]) {
                for &b in &self.order {
                    let gain = weights[b] - weights[a];
                    if gain <= tolerance || best.is_some_and(|(g, ..)| gain <= g) {
                        break;
                    }
                    if b != a && self.counts[b] < hi[b] && self.delta(space, a, b) == 0 {
                        best = Some((gain, a, b));
                        break;
                    }
                }
            }
            let Some((_, a, b)) = best else {
                break;
            };
            self.apply(space, a, b);
        }
        true
    }
}

/// The quota `counts` violates most, as `(category, value, over its maximum)`; ties by
/// category, then value. `None` if `counts` meets every quota.
fn worst_violation(
    space: &TypeSpace,
    counts: &[u32],
    seats: &mut Vec<u64>,
) -> Option<(usize, u32, bool)> {
    let mut worst: Option<(u64, usize, u32, bool)> = None;
    for j in 0..space.categories() {
        seats.clear();
        seats.resize(space.values(j) as usize, 0);
        for (t, &c) in counts.iter().enumerate() {
            seats[space.value_of(t, j) as usize] += u64::from(c);
        }
        for (v, &s) in seats.iter().enumerate() {
            let v = v as u32;
            let (min, max) = (u64::from(space.min(j, v)), u64::from(space.max(j, v)));
            let (amount, over) = if s > max {
                (s - max, true)
            } else if s < min {
                (min - s, false)
            } else {
                continue;
            };
            if worst.is_none_or(|(a, ..)| amount > a) {
                worst = Some((amount, j, v, over));
            }
        }
    }
    worst.map(|(_, j, v, over)| (j, v, over))
}

#[cfg(test)]
mod tests;
