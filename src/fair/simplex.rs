//! A bounded-variable simplex method for linear programmes with few rows and many bounded
//! columns: the fair lottery's relaxations (one row per quota of a category value and one for
//! the number of seats; one column per type, between 0 and the type's size).
//!
//! # The problem
//!
//! Maximise `c·x` subject to `lo_r ≤ a_r·x ≤ hi_r` for every row `r` (a side may be infinite:
//! [`Row::new`] builds `≤`, `=` and `≥` rows, [`Row::range`] two-sided ones) and
//! `l_j ≤ x_j ≤ u_j` for every column `j`, with **finite** `l_j` and `u_j`. The feasible set is
//! therefore bounded: a problem is either [`Status::Optimal`] or [`Status::Infeasible`], never
//! unbounded.
//!
//! # Method
//!
//! Each row gets a logical variable `s_r = a_r·x` boxed in `[lo_r, hi_r]`; an infinite side is
//! replaced by the row's implied activity bound (`Σ min(a_rj l_j, a_rj u_j)` or the `max`), which
//! is finite because every column is bounded and changes nothing in the feasible set (finite
//! sides are used as given: pass `±∞`, not a large number, for an absent side). So *every*
//! variable is boxed, which makes any basis dual feasible once each nonbasic variable sits at the
//! bound its reduced cost favours.
//!
//! The basis inverse is kept explicitly, dense (`m × m`, at most 10⁴ numbers for 100 rows),
//! updated by one elimination step per basis change (`O(m²)`) and recomputed by Gauss–Jordan
//! elimination with partial pivoting every [`REFACTOR_INTERVAL`] updates (`O(m³)`). The matrix is
//! stored sparse twice, by columns and by rows, so a pivot row `e_rᵀB⁻¹A` costs the nonzeros of
//! the rows where `e_rᵀB⁻¹` is nonzero and all reduced costs `O(m² + nnz)`.
//!
//! - **Cold solve** ([`Lp::solve`]): the bounded dual simplex from the all-logical basis
//!   (`B = −I`), each column at the bound its cost favours — a dual feasible start, so there is
//!   no phase 1. Its ratio test passes breakpoints by flipping bounds for as long as that
//!   leaves the leaving variable short of its bound (the bound-flipping or long-step rule), so
//!   one iteration can move many columns between their bounds: on the fair lottery's
//!   relaxation it takes about one iteration per row where the primal simplex takes fifteen
//!   (`benches/fair.rs`).
//! - **Primal simplex** ([`Lp::solve_with`]`(`[`Algorithm::Primal`]`)`): a two-phase bounded
//!   primal simplex from the all-logical basis with every column at its lower bound. Phase 1
//!   needs neither artificial variables nor a big M: it maximises minus the sum of the basic
//!   variables' bound violations (a cost of ±1 on each violated basic variable, recomputed
//!   every iteration; a violated variable blocks the step when it reaches its violated
//!   bound). Phase 2 maximises `c·x`. An entering column whose own bound is nearest simply
//!   flips bound (no basis change).
//! - **Warm re-solves** ([`Lp::resolve`]) start from the last basis and its inverse. After
//!   [`Lp::set_bounds`] the basis stays dual feasible, so the dual simplex runs; after
//!   [`Lp::set_objective`] the basis stays primal feasible, so the primal simplex (phase 2)
//!   runs. Which applies is decided by testing the current point: primal feasible → primal,
//!   otherwise → dual (first moving any nonbasic variable whose reduced cost changed sign to
//!   its other bound). [`Lp::resolve_with`] forces either.
//! - **Pricing**: Dantzig's rule (largest reduced cost, ties to the lowest index) in the primal;
//!   in the dual, dual steepest edge with exact weights (the largest violation² / ‖e_iᵀB⁻¹‖²,
//!   cheap with the explicit inverse). Both ratio tests end with Harris's two passes (take,
//!   among the steps allowed by bounds relaxed by the tolerance, the largest pivot).
//!   After [`BLAND_AFTER`] consecutive degenerate iterations both switch to Bland's rule
//!   (lowest index everywhere, exact ratio test, no bound-flipping passes), which cannot cycle,
//!   until an iteration makes progress.
//! - **Termination** is by iteration count only: at most [`Lp::iteration_limit`] iterations per
//!   solve (by default `100·(rows + columns) + 1000`), after which the solve reports
//!   [`Status::IterationLimit`]. Nothing depends on wall-clock time. Before reporting an
//!   optimum the point is re-checked from freshly computed values (refactorising when the
//!   residuals show the inverse has drifted) and the solve continues if the check fails (at
//!   most [`MAX_REFINEMENTS`] rounds); infeasibility is only reported from a fresh
//!   factorisation.
//!
//! # Tolerances
//!
//! - Primal feasibility: a value may exceed a bound `b` by [`FEASIBILITY_TOLERANCE`]`·max(1, |b|)`.
//! - Optimality (dual feasibility): a reduced cost may have the wrong sign by
//!   [`OPTIMALITY_TOLERANCE`] (absolute).
//! - Pivots: an entry `α` of the pivot column (primal) or pivot row (dual) is a candidate only if
//!   `|α| > `[`PIVOT_TOLERANCE`]`·max(1, max |α|)`.
//! - Factorisation: a basis whose elimination meets no pivot above [`SINGULARITY_TOLERANCE`] in a
//!   column is singular; that column is replaced by a logical variable and the factorisation
//!   repeated.
//!
//! Problem data are not scaled: the solver is meant for coefficients of order one (the fair
//! lottery's are 0 and 1).
//!
//! # Reported values
//!
//! `x` is clamped into its bounds (moving it by at most the feasibility tolerance). Row duals
//! `y` (shadow prices: the objective's rate of change per unit of a row's bound) and reduced
//! costs `d = c − Aᵀy` satisfy, at an optimum: `y_r > 0` only if row `r` is at its upper bound,
//! `y_r < 0` only at its lower bound; `d_j > 0` only if `x_j = u_j`, `d_j < 0` only if
//! `x_j = l_j` (all within tolerance); and strong duality
//! `c·x = Σ_{y_r>0} y_r hi_r + Σ_{y_r<0} y_r lo_r + Σ_{d_j>0} d_j u_j + Σ_{d_j<0} d_j l_j`.
//! A row held only by its implied activity bound reports a zero dual (its multiplier is moved
//! into the reduced costs of its columns, which are all at their bounds), so every term above is
//! finite.
//!
//! # Determinism and allocation
//!
//! Every loop runs in index order, with ties broken by the lowest index; there is no hashing, no
//! parallelism and no transcendental function, so the same input gives the same output, bit for
//! bit, on every IEEE 754 platform. All working memory is allocated by [`Lp::new`] and reused by
//! every solve and re-solve (only [`Lp::solution`], which copies, allocates).
//!
//! # Example
//!
//! ```
//! use floorshare::fair::simplex::{Lp, Relation, Row, Status};
//!
//! // maximise 3x + 5y: x ≤ 4, 2y ≤ 12, 3x + 2y ≤ 18, 0 ≤ x, y ≤ 100.
//! let rows = vec![
//!     Row::new(vec![(0, 1.0)], Relation::Le, 4.0),
//!     Row::new(vec![(1, 2.0)], Relation::Le, 12.0),
//!     Row::new(vec![(0, 3.0), (1, 2.0)], Relation::Le, 18.0),
//! ];
//! let mut lp = Lp::new(rows, vec![(0.0, 100.0); 2], vec![3.0, 5.0]);
//! assert_eq!(lp.solve(), Status::Optimal);
//! assert!((lp.objective() - 36.0).abs() < 1e-9);
//! assert!((lp.x()[0] - 2.0).abs() < 1e-9 && (lp.x()[1] - 6.0).abs() < 1e-9);
//! assert!((lp.row_duals()[2] - 1.0).abs() < 1e-9);
//!
//! // Branch: x ≤ 1. The warm re-solve runs the dual simplex from the last basis.
//! lp.set_bounds(0, 0.0, 1.0);
//! assert_eq!(lp.resolve(), Status::Optimal);
//! assert!((lp.objective() - 33.0).abs() < 1e-9);
//! ```

/// Primal feasibility tolerance: a variable may exceed a bound `b` by this times `max(1, |b|)`.
pub const FEASIBILITY_TOLERANCE: f64 = 1e-9;

/// Optimality tolerance: a reduced cost may have the wrong sign by this much (absolute).
pub const OPTIMALITY_TOLERANCE: f64 = 1e-9;

/// Relative pivot tolerance: a pivot candidate `α` needs `|α| > PIVOT_TOLERANCE·max(1, max|α|)`
/// over its column (primal) or row (dual).
pub const PIVOT_TOLERANCE: f64 = 1e-9;

/// Below this magnitude no pivot is accepted when factorising a basis: the basis is singular.
pub const SINGULARITY_TOLERANCE: f64 = 1e-11;

/// Basis changes between two fresh factorisations of the basis inverse.
pub const REFACTOR_INTERVAL: usize = 64;

/// Consecutive degenerate iterations (step or dual step below `1e-12`) after which pricing
/// switches to Bland's rule until an iteration makes progress.
pub const BLAND_AFTER: usize = 50;

/// Rounds of "check the optimum from fresh values, continue if it fails" before a solve gives
/// up with [`Status::IterationLimit`].
pub const MAX_REFINEMENTS: usize = 4;

/// A step (primal) or dual step below this is degenerate.
const DEGENERATE_STEP: f64 = 1e-12;

/// Breakpoints of the bound-flipping ratio test found by selection before the rest are
/// sorted.
const SELECT_BEFORE_SORT: usize = 8;

/// Marks a nonbasic variable in `Lp::position`.
const NONBASIC: usize = usize::MAX;

/// The sense of a row `a·x {≤, =, ≥} b`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// `a·x ≤ b`.
    Le,
    /// `a·x = b`.
    Eq,
    /// `a·x ≥ b`.
    Ge,
}

/// A row `lower ≤ a·x ≤ upper`, its coefficients given sparse as `(column, coefficient)` pairs
/// (a column given twice has the sum of its coefficients; zeros are dropped).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    terms: Vec<(usize, f64)>,
    lower: f64,
    upper: f64,
}

impl Row {
    /// The row `a·x {≤, =, ≥} rhs`, `a` given by `terms`.
    ///
    /// # Panics
    ///
    /// If `rhs` or a coefficient is not finite.
    pub fn new(terms: Vec<(usize, f64)>, relation: Relation, rhs: f64) -> Row {
        assert!(rhs.is_finite(), "a row's right-hand side is finite");
        let (lower, upper) = match relation {
            Relation::Le => (f64::NEG_INFINITY, rhs),
            Relation::Eq => (rhs, rhs),
            Relation::Ge => (rhs, f64::INFINITY),
        };
        Row::range(terms, lower, upper)
    }

    /// The row `lower ≤ a·x ≤ upper`; `lower` may be `-∞` and `upper` `+∞`. `lower > upper`
    /// makes the problem infeasible.
    ///
    /// # Panics
    ///
    /// If a bound is NaN, `lower` is `+∞`, `upper` is `-∞`, or a coefficient is not finite.
    pub fn range(terms: Vec<(usize, f64)>, lower: f64, upper: f64) -> Row {
        assert!(
            !lower.is_nan()
                && !upper.is_nan()
                && lower < f64::INFINITY
                && upper > f64::NEG_INFINITY,
            "a row's bounds are numbers, the lower one below +∞ and the upper one above -∞"
        );
        assert!(
            terms.iter().all(|&(_, a)| a.is_finite()),
            "a row's coefficients are finite"
        );
        Row {
            terms,
            lower,
            upper,
        }
    }

    /// The row `a·x {≤, =, ≥} rhs` from the dense coefficient vector `a` (zeros dropped).
    ///
    /// # Panics
    ///
    /// As [`Row::new`].
    pub fn dense(a: &[f64], relation: Relation, rhs: f64) -> Row {
        let terms = a
            .iter()
            .enumerate()
            .filter(|&(_, &v)| v != 0.0)
            .map(|(j, &v)| (j, v))
            .collect();
        Row::new(terms, relation, rhs)
    }

    /// The coefficients, as given.
    pub fn terms(&self) -> &[(usize, f64)] {
        &self.terms
    }

    /// The lower bound of `a·x` (`-∞` for a `≤` row).
    pub fn lower(&self) -> f64 {
        self.lower
    }

    /// The upper bound of `a·x` (`+∞` for a `≥` row).
    pub fn upper(&self) -> f64 {
        self.upper
    }
}

/// How a solve ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// An optimum was found: read it with [`Lp::x`], [`Lp::objective`], [`Lp::row_duals`],
    /// [`Lp::reduced_costs`] (or [`Lp::solution`]).
    Optimal,
    /// No point satisfies every row and bound.
    Infeasible,
    /// The iteration limit (or the refinement limit) was reached before an optimum was
    /// certified.
    IterationLimit,
}

/// The simplex variant of a cold solve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// Two-phase bounded primal simplex from the all-logical basis, columns at their lower
    /// bounds.
    Primal,
    /// Bounded dual simplex with bound flipping from the all-logical basis, columns at the
    /// bounds their costs favour (a dual feasible start, so no phase 1). The default.
    Dual,
}

/// An optimum, owned (see [`Lp::solution`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Solution {
    /// The optimal point, one value per column.
    pub x: Vec<f64>,
    /// `c·x`.
    pub objective: f64,
    /// One dual value (shadow price) per row.
    pub row_duals: Vec<f64>,
    /// One reduced cost `c_j − Σ_r y_r a_rj` per column.
    pub reduced_costs: Vec<f64>,
}

/// What an inner simplex loop ended with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Engine {
    Optimal,
    Infeasible,
    Limit,
}

/// The primal ratio test's verdict.
#[derive(Debug, Clone, Copy)]
enum Step {
    /// The entering variable moves to its other bound; the basis stays.
    Flip,
    /// The basic variable at position `r` leaves at its upper (`to_upper`) or lower bound
    /// after a step of length `t`.
    Pivot { r: usize, to_upper: bool, t: f64 },
}

/// A linear programme `max c·x, lo ≤ Ax ≤ hi, l ≤ x ≤ u` with its solver state (basis, basis
/// inverse, working memory), ready to be solved, changed and re-solved. See the
/// [module documentation](self).
#[derive(Debug, Clone)]
pub struct Lp {
    /// Rows.
    m: usize,
    /// Columns (structural variables); logical variable of row `r` is `n + r`.
    n: usize,
    /// Compressed sparse columns: column `j`'s entries are at `col_start[j]..col_start[j + 1]`.
    col_start: Vec<usize>,
    col_row: Vec<usize>,
    col_val: Vec<f64>,
    /// The same matrix by rows: row `r`'s entries are at `row_start[r]..row_start[r + 1]`,
    /// sorted by column.
    row_start: Vec<usize>,
    row_col: Vec<usize>,
    row_val: Vec<f64>,
    /// Rows' bounds as given (possibly infinite).
    row_lower: Vec<f64>,
    row_upper: Vec<f64>,
    /// Objective, per column.
    cost: Vec<f64>,
    /// Bounds of all `n + m` variables (logical ones: the rows' bounds, infinite sides replaced
    /// by implied activity bounds).
    lower: Vec<f64>,
    upper: Vec<f64>,
    /// Whether a logical variable's lower / upper bound is implied (the row's side is
    /// infinite) rather than given.
    implied_lower: Vec<bool>,
    implied_upper: Vec<bool>,
    /// The basic variable at each basis position.
    basis: Vec<usize>,
    /// Each variable's basis position, or `NONBASIC`.
    position: Vec<usize>,
    /// Whether a nonbasic variable sits at its upper bound.
    at_upper: Vec<bool>,
    /// The direction a variable may move in: +1 nonbasic at its lower bound, −1 at its upper
    /// bound, 0 basic or fixed.
    dir: Vec<f64>,
    /// Values of all variables.
    value: Vec<f64>,
    /// Reduced costs of all variables (of the phase in force).
    d: Vec<f64>,
    /// The basis inverse, row-major `m × m`: row `i` belongs to basis position `i`.
    binv: Vec<f64>,
    /// Working memory.
    y: Vec<f64>,
    column: Vec<f64>,
    rho: Vec<f64>,
    pivot_row: Vec<f64>,
    /// `Aᵀy`, per column.
    aty: Vec<f64>,
    rhs: Vec<f64>,
    basic_cost: Vec<f64>,
    phase_cost: Vec<f64>,
    factor: Vec<f64>,
    perm: Vec<usize>,
    singular: Vec<usize>,
    /// Dual ratio test candidates, (ratio, variable), in `candidates[..ncand]` (the buffer
    /// has room for every variable).
    candidates: Vec<(f64, usize)>,
    ncand: usize,
    /// Whether `basis`, `binv` describe a basis (after the first solve).
    has_basis: bool,
    /// Whether a column's bounds changed since the logical variables' boxes were computed.
    bounds_changed: bool,
    /// Whether `d` holds the phase-2 reduced costs of the current basis, freshly computed.
    duals_fresh: bool,
    /// Basis changes since the last factorisation.
    updates: usize,
    iteration_limit: usize,
    iterations: usize,
    status: Option<Status>,
    /// The last optimum.
    sol_x: Vec<f64>,
    sol_duals: Vec<f64>,
    sol_reduced: Vec<f64>,
    sol_activity: Vec<f64>,
    sol_objective: f64,
}

/// The feasibility tolerance around bound `b`.
fn ftol(b: f64) -> f64 {
    FEASIBILITY_TOLERANCE * b.abs().max(1.0)
}

impl Lp {
    /// The programme: maximise `objective·x` subject to `rows` and `bounds[j] = (l_j, u_j)`.
    ///
    /// # Panics
    ///
    /// If `objective` and `bounds` differ in length, a bound or cost is not finite, or a row
    /// names a column `≥ bounds.len()`. (`l_j > u_j` is allowed and makes the problem
    /// infeasible.)
    pub fn new(rows: Vec<Row>, bounds: Vec<(f64, f64)>, objective: Vec<f64>) -> Lp {
        let n = bounds.len();
        let m = rows.len();
        assert_eq!(objective.len(), n, "one cost per column");
        assert!(objective.iter().all(|c| c.is_finite()), "costs are finite");
        assert!(
            bounds.iter().all(|(l, u)| l.is_finite() && u.is_finite()),
            "column bounds are finite"
        );
        // Sparse columns: rows are visited in order, so a column's entries come out sorted by
        // row, with a row's repeated terms next to each other.
        let mut count = vec![0usize; n + 1];
        for row in &rows {
            for &(j, _) in &row.terms {
                assert!(j < n, "row names column {j} of {n}");
                count[j + 1] += 1;
            }
        }
        for j in 0..n {
            count[j + 1] += count[j];
        }
        let mut next = count.clone();
        let nnz = count[n];
        let mut raw_row = vec![0usize; nnz];
        let mut raw_val = vec![0.0; nnz];
        for (r, row) in rows.iter().enumerate() {
            for &(j, a) in &row.terms {
                raw_row[next[j]] = r;
                raw_val[next[j]] = a;
                next[j] += 1;
            }
        }
        let mut col_start = Vec::with_capacity(n + 1);
        let mut col_row = Vec::with_capacity(nnz);
        let mut col_val = Vec::with_capacity(nnz);
        col_start.push(0);
        for j in 0..n {
            let mut k = count[j];
            while k < count[j + 1] {
                let r = raw_row[k];
                let mut a = 0.0;
                while k < count[j + 1] && raw_row[k] == r {
                    a += raw_val[k];
                    k += 1;
                }
                if a != 0.0 {
                    col_row.push(r);
                    col_val.push(a);
                }
            }
            col_start.push(col_row.len());
        }
        let mut lower = vec![0.0; n + m];
        let mut upper = vec![0.0; n + m];
        for (j, &(l, u)) in bounds.iter().enumerate() {
            lower[j] = l;
            upper[j] = u;
        }
        // Rows from the columns: visiting columns in order sorts each row by column.
        let mut row_start = vec![0usize; m + 1];
        for &r in &col_row {
            row_start[r + 1] += 1;
        }
        for r in 0..m {
            row_start[r + 1] += row_start[r];
        }
        let mut next = row_start.clone();
        let mut row_col = vec![0usize; col_row.len()];
        let mut row_val = vec![0.0; col_row.len()];
        for j in 0..n {
            for k in col_start[j]..col_start[j + 1] {
                let r = col_row[k];
                row_col[next[r]] = j;
                row_val[next[r]] = col_val[k];
                next[r] += 1;
            }
        }
        let row_lower = rows.iter().map(|r| r.lower).collect();
        let row_upper = rows.iter().map(|r| r.upper).collect();
        Lp {
            m,
            n,
            col_start,
            col_row,
            col_val,
            row_start,
            row_col,
            row_val,
            row_lower,
            row_upper,
            cost: objective,
            lower,
            upper,
            implied_lower: vec![false; m],
            implied_upper: vec![false; m],
            basis: vec![0; m],
            position: vec![NONBASIC; n + m],
            at_upper: vec![false; n + m],
            dir: vec![0.0; n + m],
            value: vec![0.0; n + m],
            d: vec![0.0; n + m],
            binv: vec![0.0; m * m],
            y: vec![0.0; m],
            column: vec![0.0; m],
            rho: vec![0.0; m],
            pivot_row: vec![0.0; n + m],
            aty: vec![0.0; n],
            rhs: vec![0.0; m],
            basic_cost: vec![0.0; m],
            phase_cost: vec![0.0; m],
            factor: vec![0.0; m * m],
            perm: vec![0; m],
            singular: Vec::with_capacity(m),
            candidates: vec![(0.0, 0); n + m],
            ncand: 0,
            has_basis: false,
            bounds_changed: true,
            duals_fresh: false,
            updates: 0,
            iteration_limit: 100 * (m + n) + 1000,
            iterations: 0,
            status: None,
            sol_x: vec![0.0; n],
            sol_duals: vec![0.0; m],
            sol_reduced: vec![0.0; n],
            sol_activity: vec![0.0; m],
            sol_objective: 0.0,
        }
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.m
    }

    /// Number of columns.
    pub fn columns(&self) -> usize {
        self.n
    }

    /// The bounds `(l_j, u_j)` of column `j`.
    pub fn bounds(&self, j: usize) -> (f64, f64) {
        assert!(j < self.n, "column {j} of {}", self.n);
        (self.lower[j], self.upper[j])
    }

    /// The objective coefficients.
    pub fn objective_coefficients(&self) -> &[f64] {
        &self.cost
    }

    /// Changes the bounds of column `j` (for branch and bound: tighten, or restore). The next
    /// [`Lp::resolve`] starts from the last basis.
    ///
    /// # Panics
    ///
    /// If `j` is out of range or a bound is not finite.
    pub fn set_bounds(&mut self, j: usize, lower: f64, upper: f64) {
        assert!(j < self.n, "column {j} of {}", self.n);
        assert!(
            lower.is_finite() && upper.is_finite(),
            "column bounds are finite"
        );
        self.lower[j] = lower;
        self.upper[j] = upper;
        self.bounds_changed = true;
    }

    /// Replaces the objective (for pricing with new weights). The next [`Lp::resolve`] starts
    /// from the last basis.
    ///
    /// # Panics
    ///
    /// If `objective` has the wrong length or a non-finite entry.
    pub fn set_objective(&mut self, objective: &[f64]) {
        assert_eq!(objective.len(), self.n, "one cost per column");
        assert!(objective.iter().all(|c| c.is_finite()), "costs are finite");
        self.cost.copy_from_slice(objective);
        self.duals_fresh = false;
    }

    /// The most iterations one solve or re-solve may take (default `100·(rows + columns) +
    /// 1000`).
    pub fn iteration_limit(&self) -> usize {
        self.iteration_limit
    }

    /// Sets the most iterations one solve or re-solve may take.
    pub fn set_iteration_limit(&mut self, limit: usize) {
        self.iteration_limit = limit;
    }

    /// Iterations (pivots and bound flips) of the last solve or re-solve.
    pub fn iterations(&self) -> usize {
        self.iterations
    }

    /// How the last solve ended (`None` before the first).
    pub fn status(&self) -> Option<Status> {
        self.status
    }

    /// The optimal point of the last solve that returned [`Status::Optimal`] (zeros before).
    pub fn x(&self) -> &[f64] {
        &self.sol_x
    }

    /// The optimal objective value `c·x` of the last optimal solve.
    pub fn objective(&self) -> f64 {
        self.sol_objective
    }

    /// The row duals (shadow prices) of the last optimal solve: see the
    /// [module documentation](self#reported-values) for their signs.
    pub fn row_duals(&self) -> &[f64] {
        &self.sol_duals
    }

    /// The reduced costs `c − Aᵀy` of the last optimal solve.
    pub fn reduced_costs(&self) -> &[f64] {
        &self.sol_reduced
    }

    /// The row activities `a_r·x` at the last optimum.
    pub fn row_activities(&self) -> &[f64] {
        &self.sol_activity
    }

    /// The last optimum, copied, if the last solve found one.
    pub fn solution(&self) -> Option<Solution> {
        (self.status == Some(Status::Optimal)).then(|| Solution {
            x: self.sol_x.clone(),
            objective: self.sol_objective,
            row_duals: self.sol_duals.clone(),
            reduced_costs: self.sol_reduced.clone(),
        })
    }

    /// Solves from scratch with the faster cold start, the dual simplex from the all-logical
    /// basis ([`Algorithm::Dual`]; see the [module documentation](self#method)).
    pub fn solve(&mut self) -> Status {
        self.solve_with(Algorithm::Dual)
    }

    /// Solves from scratch (the all-logical basis) with the given algorithm.
    pub fn solve_with(&mut self, algorithm: Algorithm) -> Status {
        self.iterations = 0;
        let status = if self.prepare_bounds() {
            self.slack_basis(algorithm);
            self.drive(algorithm)
        } else {
            Status::Infeasible
        };
        self.status = Some(status);
        status
    }

    /// Re-solves after [`Lp::set_bounds`] or [`Lp::set_objective`] from the last basis: the
    /// dual simplex if the last basis is no longer primal feasible (a bound changed), the
    /// primal simplex otherwise (the objective changed). Before any solve, the same as
    /// [`Lp::solve`].
    pub fn resolve(&mut self) -> Status {
        self.resolve_inner(None)
    }

    /// Re-solves from the last basis with the given algorithm: [`Algorithm::Primal`] runs
    /// phase 1 first if the basis is no longer primal feasible; [`Algorithm::Dual`] first
    /// moves each nonbasic variable to the bound its reduced cost favours. Before any solve,
    /// the same as [`Lp::solve_with`].
    pub fn resolve_with(&mut self, algorithm: Algorithm) -> Status {
        self.resolve_inner(Some(algorithm))
    }

    fn resolve_inner(&mut self, forced: Option<Algorithm>) -> Status {
        if !self.has_basis {
            return match forced {
                Some(algorithm) => self.solve_with(algorithm),
                None => self.solve(),
            };
        }
        self.iterations = 0;
        let status = if self.prepare_bounds() {
            self.reset_nonbasic_values();
            self.refresh_dirs();
            if self.updates >= REFACTOR_INTERVAL {
                self.refactor();
            }
            self.compute_primal();
            let algorithm = forced.unwrap_or(if self.primal_feasible() {
                Algorithm::Primal
            } else {
                Algorithm::Dual
            });
            self.drive(algorithm)
        } else {
            Status::Infeasible
        };
        self.status = Some(status);
        status
    }

    // ----- set-up -------------------------------------------------------------------------

    /// Computes the logical variables' boxes: a row's finite sides as given, an infinite side
    /// replaced by the row's activity bound. `false` if a box is empty (the problem is
    /// infeasible).
    fn prepare_bounds(&mut self) -> bool {
        let (n, m) = (self.n, self.m);
        if !self.bounds_changed {
            return true;
        }
        if (0..n).any(|j| self.lower[j] > self.upper[j]) {
            return false;
        }
        for r in 0..m {
            let (lo, hi) = (self.row_lower[r], self.row_upper[r]);
            if lo > hi {
                return false;
            }
            self.implied_lower[r] = lo == f64::NEG_INFINITY;
            self.implied_upper[r] = hi == f64::INFINITY;
            let (mut l, mut u) = (lo, hi);
            if self.implied_lower[r] || self.implied_upper[r] {
                // An infinite side becomes the row's activity bound over the column bounds.
                let (mut act_lo, mut act_hi) = (0.0, 0.0);
                let (start, end) = (self.row_start[r], self.row_start[r + 1]);
                for (&j, &a) in self.row_col[start..end]
                    .iter()
                    .zip(&self.row_val[start..end])
                {
                    let (l, u) = (self.lower[j], self.upper[j]);
                    if a > 0.0 {
                        act_lo += a * l;
                        act_hi += a * u;
                    } else {
                        act_lo += a * u;
                        act_hi += a * l;
                    }
                }
                if self.implied_lower[r] {
                    l = act_lo;
                }
                if self.implied_upper[r] {
                    u = act_hi;
                }
                if l > u {
                    // The given side lies beyond the activity range: infeasible, unless it
                    // touches it within the tolerance.
                    if l - u > ftol(l.abs().max(u.abs())) {
                        return false;
                    }
                    if self.implied_lower[r] {
                        l = u;
                    } else {
                        u = l;
                    }
                }
            }
            self.lower[n + r] = l;
            self.upper[n + r] = u;
        }
        self.bounds_changed = false;
        true
    }

    /// The all-logical basis (`B = −I`), columns at their lower bounds (primal) or at the bounds
    /// their costs favour (dual).
    fn slack_basis(&mut self, algorithm: Algorithm) {
        let (n, m) = (self.n, self.m);
        for j in 0..n {
            self.position[j] = NONBASIC;
            self.at_upper[j] = algorithm == Algorithm::Dual && self.cost[j] > 0.0;
        }
        for r in 0..m {
            self.basis[r] = n + r;
            self.position[n + r] = r;
            self.at_upper[n + r] = false;
        }
        self.binv.fill(0.0);
        for r in 0..m {
            self.binv[r * m + r] = -1.0;
        }
        self.updates = 0;
        self.has_basis = true;
        self.duals_fresh = false;
        self.reset_nonbasic_values();
        self.refresh_dirs();
        self.compute_primal();
    }

    /// Sets `dir[j]` from the variable's state.
    fn set_dir(&mut self, j: usize) {
        self.dir[j] = if self.position[j] != NONBASIC || self.lower[j] == self.upper[j] {
            0.0
        } else if self.at_upper[j] {
            -1.0
        } else {
            1.0
        };
    }

    /// Sets every `dir`.
    fn refresh_dirs(&mut self) {
        for j in 0..self.n + self.m {
            self.set_dir(j);
        }
    }

    /// Puts the nonbasic variable `j` on its upper (`at_upper`) or lower bound.
    fn place(&mut self, j: usize, at_upper: bool) {
        self.at_upper[j] = at_upper;
        self.value[j] = if at_upper {
            self.upper[j]
        } else {
            self.lower[j]
        };
        self.set_dir(j);
    }

    /// Puts every nonbasic variable on its current bound.
    fn reset_nonbasic_values(&mut self) {
        for j in 0..self.n + self.m {
            if self.position[j] == NONBASIC {
                self.value[j] = if self.at_upper[j] {
                    self.upper[j]
                } else {
                    self.lower[j]
                };
            }
        }
    }

    // ----- linear algebra -----------------------------------------------------------------

    /// Recomputes the basis inverse from scratch (Gauss–Jordan with partial pivoting),
    /// replacing the columns of a singular basis by logical variables.
    fn refactor(&mut self) {
        let (n, m) = (self.n, self.m);
        // A repaired basis is nonsingular, so the second pass always succeeds; the third is
        // a guard.
        for _ in 0..3 {
            self.factor.fill(0.0);
            for (k, &j) in self.basis.iter().enumerate() {
                if j < n {
                    for e in self.col_start[j]..self.col_start[j + 1] {
                        self.factor[self.col_row[e] * m + k] = self.col_val[e];
                    }
                } else {
                    self.factor[(j - n) * m + k] = -1.0;
                }
            }
            self.binv.fill(0.0);
            for i in 0..m {
                self.binv[i * m + i] = 1.0;
                self.perm[i] = i;
            }
            self.singular.clear();
            let mut rank = 0;
            for k in 0..m {
                let mut p = rank;
                let mut best = 0.0;
                for i in rank..m {
                    let v = self.factor[i * m + k].abs();
                    if v > best {
                        best = v;
                        p = i;
                    }
                }
                if best < SINGULARITY_TOLERANCE {
                    self.singular.push(k);
                    continue;
                }
                if p != rank {
                    for c in 0..m {
                        self.factor.swap(p * m + c, rank * m + c);
                        self.binv.swap(p * m + c, rank * m + c);
                    }
                    self.perm.swap(p, rank);
                }
                let inv = 1.0 / self.factor[rank * m + k];
                for c in 0..m {
                    self.factor[rank * m + c] *= inv;
                    self.binv[rank * m + c] *= inv;
                }
                for i in 0..m {
                    if i == rank {
                        continue;
                    }
                    let f = self.factor[i * m + k];
                    if f != 0.0 {
                        for c in 0..m {
                            self.factor[i * m + c] -= f * self.factor[rank * m + c];
                            self.binv[i * m + c] -= f * self.binv[rank * m + c];
                        }
                    }
                }
                rank += 1;
            }
            if self.singular.is_empty() {
                self.updates = 0;
                return;
            }
            // Replace each dependent column by the logical variable of a row no pivot used.
            self.duals_fresh = false;
            for t in 0..self.singular.len() {
                let k = self.singular[t];
                let old = self.basis[k];
                let new = n + self.perm[rank + t];
                self.position[old] = NONBASIC;
                let up = self.upper[old] - self.value[old] < self.value[old] - self.lower[old];
                self.place(old, up);
                self.basis[k] = new;
                self.position[new] = k;
                self.set_dir(new);
            }
        }
        unreachable!("a basis repaired with logical variables is nonsingular");
    }

    /// Basic values from the nonbasic ones: `x_B = B⁻¹(−N x_N)`.
    fn compute_primal(&mut self) {
        let (n, m) = (self.n, self.m);
        self.rhs.fill(0.0);
        for j in 0..n {
            if self.position[j] == NONBASIC {
                let xj = self.value[j];
                if xj != 0.0 {
                    for k in self.col_start[j]..self.col_start[j + 1] {
                        self.rhs[self.col_row[k]] -= self.col_val[k] * xj;
                    }
                }
            }
        }
        for r in 0..m {
            if self.position[n + r] == NONBASIC {
                self.rhs[r] += self.value[n + r];
            }
        }
        for i in 0..m {
            let row = &self.binv[i * m..(i + 1) * m];
            let v = row.iter().zip(&self.rhs).map(|(b, r)| b * r).sum();
            self.value[self.basis[i]] = v;
        }
    }

    /// The cost of variable `j` in phase 2.
    fn true_cost(&self, j: usize) -> f64 {
        if j < self.n { self.cost[j] } else { 0.0 }
    }

    /// Duals `y = c_Bᵀ B⁻¹` and reduced costs `d = c − yᵀ[A −I]` for the phase-1 costs
    /// (`phase1`) or the objective.
    fn compute_duals(&mut self, phase1: bool) {
        let (n, m) = (self.n, self.m);
        for i in 0..m {
            self.basic_cost[i] = if phase1 {
                self.phase_cost[i]
            } else {
                self.true_cost(self.basis[i])
            };
        }
        self.y.fill(0.0);
        for i in 0..m {
            let c = self.basic_cost[i];
            if c != 0.0 {
                for (y, b) in self.y.iter_mut().zip(&self.binv[i * m..(i + 1) * m]) {
                    *y += c * b;
                }
            }
        }
        // Aᵀy by rows (each column's sum still runs in row order).
        self.aty.fill(0.0);
        for r in 0..m {
            let y = self.y[r];
            if y != 0.0 {
                let (start, end) = (self.row_start[r], self.row_start[r + 1]);
                for (&j, &a) in self.row_col[start..end]
                    .iter()
                    .zip(&self.row_val[start..end])
                {
                    self.aty[j] += y * a;
                }
            }
        }
        for j in 0..n {
            self.d[j] = if self.position[j] == NONBASIC {
                let c = if phase1 { 0.0 } else { self.cost[j] };
                c - self.aty[j]
            } else {
                0.0
            };
        }
        for r in 0..m {
            self.d[n + r] = if self.position[n + r] == NONBASIC {
                self.y[r]
            } else {
                0.0
            };
        }
        self.duals_fresh = !phase1;
    }

    /// `vᵀ a_j` for column `j` of `[A −I]`.
    fn column_dot(&self, j: usize, v: &[f64]) -> f64 {
        if j < self.n {
            let (start, end) = (self.col_start[j], self.col_start[j + 1]);
            let mut s = 0.0;
            for (&r, &a) in self.col_row[start..end]
                .iter()
                .zip(&self.col_val[start..end])
            {
                s += v[r] * a;
            }
            s
        } else {
            -v[j - self.n]
        }
    }

    /// `column = B⁻¹ a_j`.
    fn ftran(&mut self, j: usize) {
        let (n, m) = (self.n, self.m);
        self.column.fill(0.0);
        if j < n {
            for k in self.col_start[j]..self.col_start[j + 1] {
                let (r, a) = (self.col_row[k], self.col_val[k]);
                for i in 0..m {
                    self.column[i] += self.binv[i * m + r] * a;
                }
            }
        } else {
            let r = j - n;
            for i in 0..m {
                self.column[i] = -self.binv[i * m + r];
            }
        }
    }

    /// Makes the variable whose column is in `column` basic at position `r`: updates the
    /// basis inverse by one elimination step. The caller places the leaving variable.
    fn pivot(&mut self, r: usize, entering: usize) {
        let m = self.m;
        let leaving = self.basis[r];
        self.position[leaving] = NONBASIC;
        self.basis[r] = entering;
        self.position[entering] = r;
        self.dir[entering] = 0.0;
        self.duals_fresh = false;
        let inv = 1.0 / self.column[r];
        for c in 0..m {
            self.binv[r * m + c] *= inv;
        }
        for i in 0..m {
            let f = self.column[i];
            if i == r || f == 0.0 {
                continue;
            }
            for c in 0..m {
                self.binv[i * m + c] -= f * self.binv[r * m + c];
            }
        }
        self.updates += 1;
    }

    // ----- checks ---------------------------------------------------------------------------

    /// Whether every basic variable is within its bounds (up to the tolerance).
    fn primal_feasible(&self) -> bool {
        self.basis.iter().all(|&j| {
            let (x, l, u) = (self.value[j], self.lower[j], self.upper[j]);
            x >= l - ftol(l) && x <= u + ftol(u)
        })
    }

    /// Whether every non-fixed nonbasic variable's reduced cost has the sign its bound needs.
    fn dual_feasible(&self) -> bool {
        (0..self.n + self.m).all(|j| {
            self.position[j] != NONBASIC
                || self.lower[j] == self.upper[j]
                || if self.at_upper[j] {
                    self.d[j] >= -OPTIMALITY_TOLERANCE
                } else {
                    self.d[j] <= OPTIMALITY_TOLERANCE
                }
        })
    }

    /// The largest residual of the current values and duals: row activities against logical
    /// values (relative to the activity) and basic reduced costs.
    fn residual(&mut self) -> f64 {
        let (n, m) = (self.n, self.m);
        self.rhs.fill(0.0);
        for j in 0..n {
            let xj = self.value[j];
            for k in self.col_start[j]..self.col_start[j + 1] {
                self.rhs[self.col_row[k]] += self.col_val[k] * xj;
            }
        }
        let mut worst: f64 = 0.0;
        for r in 0..m {
            let e = (self.rhs[r] - self.value[n + r]).abs() / self.rhs[r].abs().max(1.0);
            worst = worst.max(e);
        }
        for &j in &self.basis {
            let dj = self.true_cost(j) - self.column_dot(j, &self.y);
            worst = worst.max(dj.abs());
        }
        worst
    }

    // ----- driver ---------------------------------------------------------------------------

    /// Runs `algorithm` from the current basis, checks the optimum from fresh values and
    /// continues with the algorithm that fits what the check finds.
    fn drive(&mut self, mut algorithm: Algorithm) -> Status {
        for _ in 0..MAX_REFINEMENTS {
            let engine = match algorithm {
                Algorithm::Primal => self.primal(),
                Algorithm::Dual => self.dual(),
            };
            match engine {
                Engine::Limit => return Status::IterationLimit,
                Engine::Infeasible => return Status::Infeasible,
                Engine::Optimal => {}
            }
            self.compute_primal();
            self.compute_duals(false);
            if self.updates > 0 && self.residual() > 1e-9 {
                self.refactor();
                self.compute_primal();
                self.compute_duals(false);
            }
            let primal = self.primal_feasible();
            if primal && self.dual_feasible() {
                self.extract();
                return Status::Optimal;
            }
            algorithm = if primal {
                Algorithm::Primal
            } else {
                Algorithm::Dual
            };
        }
        Status::IterationLimit
    }

    /// Copies the optimum out: clamped `x`, objective, duals (zero on rows held only by an
    /// implied bound), reduced costs and activities.
    fn extract(&mut self) {
        let (n, m) = (self.n, self.m);
        for j in 0..n {
            self.sol_x[j] = self.value[j].clamp(self.lower[j], self.upper[j]);
        }
        for r in 0..m {
            // The dual's sign tells which bound holds the row (also when the logical variable
            // is fixed because an implied bound meets the given one).
            let implied = if self.y[r] > 0.0 {
                self.implied_upper[r]
            } else {
                self.implied_lower[r]
            };
            self.sol_duals[r] = if self.position[n + r] != NONBASIC || implied {
                0.0
            } else {
                self.y[r]
            };
        }
        self.sol_activity.fill(0.0);
        let mut objective = 0.0;
        for j in 0..n {
            let xj = self.sol_x[j];
            objective += self.cost[j] * xj;
            let mut dj = self.cost[j];
            for k in self.col_start[j]..self.col_start[j + 1] {
                let (r, a) = (self.col_row[k], self.col_val[k]);
                dj -= self.sol_duals[r] * a;
                self.sol_activity[r] += a * xj;
            }
            self.sol_reduced[j] = dj;
        }
        self.sol_objective = objective;
    }

    // ----- primal simplex -------------------------------------------------------------------

    /// Phase-1 costs of the basic variables (+1 below the lower bound, −1 above the upper).
    /// Returns (any violated, costs changed).
    fn phase_costs(&mut self) -> (bool, bool) {
        let mut any = false;
        let mut changed = false;
        for i in 0..self.m {
            let j = self.basis[i];
            let (x, l, u) = (self.value[j], self.lower[j], self.upper[j]);
            let c = if x < l - ftol(l) {
                1.0
            } else if x > u + ftol(u) {
                -1.0
            } else {
                0.0
            };
            any |= c != 0.0;
            changed |= c != self.phase_cost[i];
            self.phase_cost[i] = c;
        }
        (any, changed)
    }

    /// The entering variable and its direction (+1 up from the lower bound, −1 down from the
    /// upper), by Dantzig's rule or, under `bland`, the lowest eligible index.
    fn price(&self, bland: bool) -> Option<(usize, f64)> {
        // dir·d is the objective's gain per unit of movement (0 for basic and fixed ones).
        if bland {
            return (0..self.n + self.m)
                .find(|&j| self.dir[j] * self.d[j] > OPTIMALITY_TOLERANCE)
                .map(|j| (j, self.dir[j]));
        }
        let mut best = None;
        let mut best_gain = OPTIMALITY_TOLERANCE;
        for (j, (dir, d)) in self.dir.iter().zip(&self.d).enumerate() {
            let gain = dir * d;
            if gain > best_gain {
                best_gain = gain;
                best = Some(j);
            }
        }
        best.map(|j| (j, self.dir[j]))
    }

    /// For basis position `i` and an entering direction, the bound the basic variable moves
    /// towards and would block at: `(distance, |rate|, leaves at upper)`. `None` if it does not
    /// block.
    fn blocking(&self, i: usize, dir: f64, phase1: bool, ptol: f64) -> Option<(f64, f64, bool)> {
        let a = self.column[i];
        if a.abs() <= ptol {
            return None;
        }
        // x_B(t) = x_B − t·dir·α.
        let rate = -dir * a;
        let j = self.basis[i];
        let (x, l, u) = (self.value[j], self.lower[j], self.upper[j]);
        if phase1 && x < l - ftol(l) {
            // Violated below: blocks when it reaches its lower bound from below.
            return (rate > 0.0).then_some((l - x, rate, false));
        }
        if phase1 && x > u + ftol(u) {
            return (rate < 0.0).then_some((x - u, -rate, true));
        }
        Some(if rate < 0.0 {
            (x - l, -rate, false)
        } else {
            (u - x, rate, true)
        })
    }

    /// Harris's two-pass ratio test (or, under `bland`, the exact test with ties to the lowest
    /// variable index) for the entering variable `q` moving in direction `dir`.
    fn primal_ratio(&self, q: usize, dir: f64, phase1: bool, bland: bool) -> Step {
        let flip = self.upper[q] - self.lower[q];
        let amax = self.column.iter().fold(0.0f64, |s, v| s.max(v.abs()));
        let ptol = PIVOT_TOLERANCE * amax.max(1.0);
        let mut chosen: Option<(usize, f64, bool)> = None;
        if bland {
            let mut best = f64::INFINITY;
            for i in 0..self.m {
                if let Some((dist, rate, to_upper)) = self.blocking(i, dir, phase1, ptol) {
                    let ratio = dist.max(0.0) / rate;
                    let better = match chosen {
                        None => true,
                        Some((c, _, _)) => {
                            ratio < best || (ratio == best && self.basis[i] < self.basis[c])
                        }
                    };
                    if better {
                        best = ratio;
                        chosen = Some((i, ratio, to_upper));
                    }
                }
            }
            return match chosen {
                Some((r, t, to_upper)) if t < flip => Step::Pivot { r, to_upper, t },
                _ => Step::Flip,
            };
        }
        let mut tmax = f64::INFINITY;
        for i in 0..self.m {
            if let Some((dist, rate, to_upper)) = self.blocking(i, dir, phase1, ptol) {
                let j = self.basis[i];
                let bound = if to_upper {
                    self.upper[j]
                } else {
                    self.lower[j]
                };
                tmax = tmax.min((dist + ftol(bound)).max(0.0) / rate);
            }
        }
        if flip <= tmax {
            return Step::Flip;
        }
        let mut best_rate = 0.0;
        for i in 0..self.m {
            if let Some((dist, rate, to_upper)) = self.blocking(i, dir, phase1, ptol) {
                let ratio = dist.max(0.0) / rate;
                if ratio <= tmax && rate > best_rate {
                    best_rate = rate;
                    chosen = Some((i, ratio, to_upper));
                }
            }
        }
        match chosen {
            Some((r, t, to_upper)) => Step::Pivot { r, to_upper, t },
            // Unreachable: tmax is finite only if some position blocks.
            None => Step::Flip,
        }
    }

    /// The bounded primal simplex, phase 1 while a basic variable is out of bounds, phase 2
    /// after.
    fn primal(&mut self) -> Engine {
        let mut bland = false;
        let mut degenerate = 0usize;
        // Which costs `d` was computed with: None (stale), Some(true) phase 1, Some(false) 2.
        let mut duals: Option<bool> = self.duals_fresh.then_some(false);
        loop {
            if self.updates >= REFACTOR_INTERVAL {
                self.refactor();
                self.compute_primal();
                duals = None;
            }
            let (phase1, changed) = self.phase_costs();
            if duals != Some(phase1) || (phase1 && changed) {
                self.compute_duals(phase1);
                duals = Some(phase1);
            }
            let Some((q, dir)) = self.price(bland) else {
                if phase1 && self.updates > 0 {
                    // Confirm infeasibility from a fresh factorisation.
                    self.refactor();
                    self.compute_primal();
                    duals = None;
                    continue;
                }
                return if phase1 {
                    Engine::Infeasible
                } else {
                    Engine::Optimal
                };
            };
            if self.iterations >= self.iteration_limit {
                return Engine::Limit;
            }
            self.iterations += 1;
            self.ftran(q);
            match self.primal_ratio(q, dir, phase1, bland) {
                Step::Flip => {
                    let t = self.upper[q] - self.lower[q];
                    for i in 0..self.m {
                        let j = self.basis[i];
                        self.value[j] -= t * dir * self.column[i];
                    }
                    self.place(q, !self.at_upper[q]);
                    degenerate = 0;
                    bland = false;
                }
                Step::Pivot { r, to_upper, t } => {
                    for i in 0..self.m {
                        let j = self.basis[i];
                        self.value[j] -= t * dir * self.column[i];
                    }
                    self.value[q] += dir * t;
                    let leaving = self.basis[r];
                    if phase1 {
                        duals = None;
                    } else {
                        // Phase 2 updates the reduced costs with the pivot row:
                        // d_j −= (d_q / α_rq) α_rj; the leaving variable's becomes −d_q / α_rq.
                        self.compute_pivot_row(r);
                        let theta = self.d[q] / self.column[r];
                        for ((d, &dir), &a) in self.d.iter_mut().zip(&self.dir).zip(&self.pivot_row)
                        {
                            if dir != 0.0 {
                                *d -= theta * a;
                            }
                        }
                        self.d[leaving] = -theta;
                        self.d[q] = 0.0;
                    }
                    self.pivot(r, q);
                    self.place(leaving, to_upper);
                    if t <= DEGENERATE_STEP {
                        degenerate += 1;
                        bland |= degenerate >= BLAND_AFTER;
                    } else {
                        degenerate = 0;
                        bland = false;
                    }
                }
            }
        }
    }

    // ----- dual simplex ---------------------------------------------------------------------

    /// The bounded dual simplex from the current basis, made dual feasible first by moving
    /// every nonbasic variable to the bound its reduced cost favours. The ratio test passes
    /// breakpoints by flipping bounds while that leaves the leaving variable out of bounds
    /// (the bound-flipping, or long-step, rule), then picks the entering variable among the
    /// rest by Harris's two passes.
    fn dual(&mut self) -> Engine {
        if !self.duals_fresh {
            self.compute_duals(false);
        }
        let mut flipped = false;
        for j in 0..self.n + self.m {
            // dir·d > 0: the reduced cost asks for the other bound.
            if self.dir[j] * self.d[j] > OPTIMALITY_TOLERANCE {
                self.place(j, !self.at_upper[j]);
                flipped = true;
            }
        }
        if flipped {
            self.compute_primal();
        }
        let mut bland = false;
        let mut degenerate = 0usize;
        loop {
            if self.updates >= REFACTOR_INTERVAL {
                self.refresh();
            }
            let Some((r, violation)) = self.dual_leaving(bland) else {
                return Engine::Optimal;
            };
            let leaving = self.basis[r];
            let below = self.value[leaving] < self.lower[leaving];
            let target = if below {
                self.lower[leaving]
            } else {
                self.upper[leaving]
            };
            let s = if below { 1.0 } else { -1.0 };
            self.dual_row(r, s);
            let flips = if bland {
                0
            } else {
                self.bound_flips(violation, ftol(target))
            };
            let Some((ratio, q)) = self.dual_entering(flips, bland) else {
                if self.updates > 0 {
                    // Confirm infeasibility from a fresh factorisation.
                    self.refresh();
                    continue;
                }
                return Engine::Infeasible;
            };
            self.ftran(q);
            let p = self.column[r];
            if (p - self.pivot_row[q]).abs() > 1e-9 * (1.0 + p.abs()) && self.updates > 0 {
                // The inverse has drifted: refactorise and choose again.
                self.refresh();
                continue;
            }
            if self.iterations >= self.iteration_limit {
                return Engine::Limit;
            }
            self.iterations += 1;
            self.apply_flips(flips);
            // Dual step: d_j −= θ α_rj; the leaving variable's reduced cost becomes −θ.
            let theta = s * ratio;
            for ((d, &dir), &a) in self.d.iter_mut().zip(&self.dir).zip(&self.pivot_row) {
                if dir != 0.0 {
                    *d -= theta * a;
                }
            }
            self.d[leaving] = -theta;
            self.d[q] = 0.0;
            // Primal step: the leaving variable lands on its violated bound.
            let step = (self.value[leaving] - target) / p;
            for i in 0..self.m {
                let j = self.basis[i];
                self.value[j] -= step * self.column[i];
            }
            self.value[q] += step;
            self.pivot(r, q);
            self.place(leaving, !below);
            if ratio <= DEGENERATE_STEP {
                degenerate += 1;
                bland |= degenerate >= BLAND_AFTER;
            } else {
                degenerate = 0;
                bland = false;
            }
        }
    }

    /// Refactorises and recomputes the basic values and the reduced costs.
    fn refresh(&mut self) {
        self.refactor();
        self.compute_primal();
        self.compute_duals(false);
    }

    /// The dual simplex's leaving position and its bound violation: dual steepest edge, the
    /// largest violation² / ‖e_iᵀB⁻¹‖² with the exact row norms of the explicit inverse
    /// (Bland: the lowest variable index). `None` when the basis is primal feasible.
    fn dual_leaving(&self, bland: bool) -> Option<(usize, f64)> {
        let m = self.m;
        let mut leave: Option<(usize, f64)> = None;
        let mut best_score = 0.0;
        for i in 0..m {
            let j = self.basis[i];
            let (x, l, u) = (self.value[j], self.lower[j], self.upper[j]);
            let violation = if x < l - ftol(l) {
                l - x
            } else if x > u + ftol(u) {
                x - u
            } else {
                continue;
            };
            let norm: f64 = self.binv[i * m..(i + 1) * m].iter().map(|v| v * v).sum();
            let score = violation * violation / norm;
            let better = match leave {
                None => true,
                Some((c, _)) if bland => j < self.basis[c],
                Some(_) => score > best_score,
            };
            if better {
                best_score = score;
                leave = Some((i, violation));
            }
        }
        leave
    }

    /// The pivot row `α_r = e_rᵀ B⁻¹ [A −I]` over the nonbasic variables that can move (fixed
    /// ones never enter; their reduced costs are not kept up to date by the dual simplex),
    /// into `pivot_row`, and the ratio test's candidates, into `candidates`: the variables
    /// whose move off their bound (direction `dir_j`) pushes the leaving variable towards its
    /// violated bound (`s = +1` below its lower bound, `−1` above its upper), with the ratios
    /// `|d_j| / |α_rj|`.
    fn dual_row(&mut self, r: usize, s: f64) {
        let (n, m) = (self.n, self.m);
        self.compute_pivot_row(r);
        let amax = self
            .pivot_row
            .iter()
            .zip(&self.dir)
            .fold(0.0f64, |m, (a, dir)| m.max((a * dir).abs()));
        let ptol = PIVOT_TOLERANCE * amax.max(1.0);
        let mut count = 0;
        for j in 0..n + m {
            let (dir, a) = (self.dir[j], self.pivot_row[j]);
            if dir * s * a < 0.0 && a.abs() > ptol {
                let ratio = (-dir * self.d[j]).max(0.0) / a.abs();
                self.candidates[count] = (ratio, j);
                count += 1;
            }
        }
        self.ncand = count;
    }

    /// `pivot_row = e_rᵀ B⁻¹ [A −I]` (meaningful on the nonbasic variables), by rows,
    /// skipping the zeros of `e_rᵀ B⁻¹` (each column's sum still runs in row order).
    fn compute_pivot_row(&mut self, r: usize) {
        let (n, m) = (self.n, self.m);
        self.rho.copy_from_slice(&self.binv[r * m..(r + 1) * m]);
        self.pivot_row[..n].fill(0.0);
        for i in 0..m {
            let rho = self.rho[i];
            if rho != 0.0 {
                let (start, end) = (self.row_start[i], self.row_start[i + 1]);
                for (&j, &a) in self.row_col[start..end]
                    .iter()
                    .zip(&self.row_val[start..end])
                {
                    self.pivot_row[j] += rho * a;
                }
            }
            self.pivot_row[n + i] = -rho;
        }
    }

    /// The bound-flipping pass: in increasing ratio order, moves to the front of `candidates`
    /// each breakpoint whose full move to its other bound still leaves the leaving variable
    /// short of its bound (by more than `tol`; `violation` is how far it is). Returns their
    /// number.
    fn bound_flips(&mut self, violation: f64, tol: f64) -> usize {
        let mut flips = 0;
        let mut slope = violation;
        // The first breakpoints by selection, the rest (if many) by sorting.
        let mut sorted = false;
        while flips < self.ncand {
            if !sorted {
                let k = (flips..self.ncand)
                    .min_by(|&a, &b| by_ratio(&self.candidates[a], &self.candidates[b]))
                    .unwrap_or(flips);
                self.candidates.swap(flips, k);
            }
            let j = self.candidates[flips].1;
            let reach = self.pivot_row[j].abs() * (self.upper[j] - self.lower[j]);
            if slope - reach <= tol {
                break;
            }
            slope -= reach;
            flips += 1;
            if !sorted && flips == SELECT_BEFORE_SORT {
                self.candidates[flips..self.ncand].sort_unstable_by(by_ratio);
                sorted = true;
            }
        }
        flips
    }

    /// The entering variable among the candidates after the first `flips`, with its ratio:
    /// Harris's two passes (Bland: the smallest ratio, ties to the lowest index).
    fn dual_entering(&self, flips: usize, bland: bool) -> Option<(f64, usize)> {
        let rest = &self.candidates[flips..self.ncand];
        if bland {
            return rest.iter().min_by(|a, b| by_ratio(a, b)).copied();
        }
        let mut tmax = f64::INFINITY;
        for &(_, j) in rest {
            let dmag = -self.dir[j] * self.d[j];
            tmax = tmax.min((dmag + OPTIMALITY_TOLERANCE).max(0.0) / self.pivot_row[j].abs());
        }
        let mut best: Option<(f64, usize)> = None;
        let mut best_a = 0.0;
        for &(ratio, j) in rest {
            let a = self.pivot_row[j].abs();
            if ratio <= tmax && (a > best_a || (a == best_a && best.is_some_and(|b| j < b.1))) {
                best_a = a;
                best = Some((ratio, j));
            }
        }
        best
    }

    /// Moves the first `flips` candidates to their other bounds and the basic variables by
    /// `−B⁻¹ Σ a_j Δx_j`.
    fn apply_flips(&mut self, flips: usize) {
        if flips == 0 {
            return;
        }
        let (n, m) = (self.n, self.m);
        self.rhs.fill(0.0);
        for k in 0..flips {
            let j = self.candidates[k].1;
            let old = self.value[j];
            self.place(j, !self.at_upper[j]);
            let delta = self.value[j] - old;
            if j < n {
                for e in self.col_start[j]..self.col_start[j + 1] {
                    self.rhs[self.col_row[e]] += self.col_val[e] * delta;
                }
            } else {
                self.rhs[j - n] -= delta;
            }
        }
        for i in 0..m {
            let row = &self.binv[i * m..(i + 1) * m];
            let v: f64 = row.iter().zip(&self.rhs).map(|(b, w)| b * w).sum();
            self.value[self.basis[i]] -= v;
        }
    }
}

/// Orders ratio test candidates by ratio, then by variable index.
fn by_ratio(a: &(f64, usize), b: &(f64, usize)) -> std::cmp::Ordering {
    a.0.total_cmp(&b.0).then(a.1.cmp(&b.1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A test problem kept in dense form, to rebuild, perturb and brute-force it.
    #[derive(Debug, Clone)]
    struct Problem {
        /// Rows: dense coefficients, lower, upper.
        rows: Vec<(Vec<f64>, f64, f64)>,
        bounds: Vec<(f64, f64)>,
        cost: Vec<f64>,
    }

    impl Problem {
        fn lp(&self) -> Lp {
            let rows = self
                .rows
                .iter()
                .map(|(a, lo, hi)| {
                    let terms = a.iter().copied().enumerate().collect();
                    Row::range(terms, *lo, *hi)
                })
                .collect();
            Lp::new(rows, self.bounds.clone(), self.cost.clone())
        }

        /// The optimum by enumerating every vertex: each choice of `n` active constraints
        /// (bounds and row sides, at most one side of each) whose system is regular and whose
        /// solution is feasible. `None` when infeasible.
        fn brute_force(&self) -> Option<f64> {
            let n = self.bounds.len();
            if self.bounds.iter().any(|(l, u)| l > u) {
                return None;
            }
            // Constraint k: (coefficients, value, group); one side per group.
            let mut cons: Vec<(Vec<f64>, f64, usize)> = Vec::new();
            for (j, &(l, u)) in self.bounds.iter().enumerate() {
                let mut e = vec![0.0; n];
                e[j] = 1.0;
                cons.push((e.clone(), l, j));
                cons.push((e, u, j));
            }
            for (r, (a, lo, hi)) in self.rows.iter().enumerate() {
                for b in [*lo, *hi] {
                    if b.is_finite() {
                        cons.push((a.clone(), b, n + r));
                    }
                }
            }
            let mut best: Option<f64> = None;
            let mut pick = Vec::with_capacity(n);
            self.choose(&cons, 0, &mut pick, &mut best);
            best
        }

        fn choose(
            &self,
            cons: &[(Vec<f64>, f64, usize)],
            from: usize,
            pick: &mut Vec<usize>,
            best: &mut Option<f64>,
        ) {
            let n = self.bounds.len();
            if pick.len() == n {
                if let Some(x) = solve_dense(cons, pick, n)
                    && self.feasible(&x, 1e-9)
                {
                    let v: f64 = x.iter().zip(&self.cost).map(|(x, c)| x * c).sum();
                    if best.is_none_or(|b| v > b) {
                        *best = Some(v);
                    }
                }
                return;
            }
            for k in from..cons.len() {
                if pick.iter().any(|&p| cons[p].2 == cons[k].2) {
                    continue;
                }
                pick.push(k);
                self.choose(cons, k + 1, pick, best);
                pick.pop();
            }
        }

        fn feasible(&self, x: &[f64], tol: f64) -> bool {
            let ok = |v: f64, lo: f64, hi: f64| {
                v >= lo - tol * lo.abs().max(1.0) && v <= hi + tol * hi.abs().max(1.0)
            };
            x.iter().zip(&self.bounds).all(|(&v, &(l, u))| ok(v, l, u))
                && self.rows.iter().all(|(a, lo, hi)| {
                    let v: f64 = a.iter().zip(x).map(|(a, x)| a * x).sum();
                    ok(v, *lo, *hi)
                })
        }

        /// Checks `lp`'s optimum: feasibility, reduced costs `c − Aᵀy`, complementary
        /// slackness and strong duality (objective = bound terms of the duals).
        fn check_certificate(&self, lp: &Lp) {
            let tol = 1e-7;
            let x = lp.x();
            assert!(
                self.feasible(x, tol),
                "infeasible optimum {x:?} of {self:?}"
            );
            let obj: f64 = x.iter().zip(&self.cost).map(|(x, c)| x * c).sum();
            assert!((obj - lp.objective()).abs() < tol);
            let y = lp.row_duals();
            let d = lp.reduced_costs();
            let mut dual_obj = 0.0;
            for (r, (a, lo, hi)) in self.rows.iter().enumerate() {
                let act: f64 = a.iter().zip(x).map(|(a, x)| a * x).sum();
                assert!((act - lp.row_activities()[r]).abs() < tol);
                if y[r] > tol {
                    assert!(
                        hi.is_finite() && (act - hi).abs() < tol,
                        "row {r}: y {}",
                        y[r]
                    );
                    dual_obj += y[r] * hi;
                } else if y[r] < -tol {
                    assert!(
                        lo.is_finite() && (act - lo).abs() < tol,
                        "row {r}: y {}",
                        y[r]
                    );
                    dual_obj += y[r] * lo;
                }
            }
            for (j, &(l, u)) in self.bounds.iter().enumerate() {
                let dj = self.cost[j]
                    - self
                        .rows
                        .iter()
                        .zip(y)
                        .map(|((a, _, _), y)| a[j] * y)
                        .sum::<f64>();
                assert!((dj - d[j]).abs() < tol, "reduced cost {j}");
                if d[j] > tol {
                    assert!(
                        (x[j] - u).abs() < tol,
                        "d {} > 0 but x {} < u {u}",
                        d[j],
                        x[j]
                    );
                    dual_obj += d[j] * u;
                } else if d[j] < -tol {
                    assert!(
                        (x[j] - l).abs() < tol,
                        "d {} < 0 but x {} > l {l}",
                        d[j],
                        x[j]
                    );
                    dual_obj += d[j] * l;
                }
            }
            assert!(
                (dual_obj - lp.objective()).abs() < 1e-6,
                "strong duality: {dual_obj} vs {}",
                lp.objective()
            );
        }

        /// Solves cold with both algorithms and checks them against the brute force.
        fn check_cold(&self) -> Option<f64> {
            let expected = self.brute_force();
            for algorithm in [Algorithm::Primal, Algorithm::Dual] {
                let mut lp = self.lp();
                let status = lp.solve_with(algorithm);
                match expected {
                    None => assert_eq!(status, Status::Infeasible, "{algorithm:?} {self:?}"),
                    Some(v) => {
                        assert_eq!(status, Status::Optimal, "{algorithm:?} {self:?}");
                        assert!(
                            (lp.objective() - v).abs() < 1e-7,
                            "{algorithm:?}: {} vs brute force {v}: {self:?}",
                            lp.objective()
                        );
                        self.check_certificate(&lp);
                    }
                }
            }
            expected
        }
    }

    /// Solves the square system of the picked constraints; `None` if (nearly) singular.
    fn solve_dense(cons: &[(Vec<f64>, f64, usize)], pick: &[usize], n: usize) -> Option<Vec<f64>> {
        let mut a: Vec<Vec<f64>> = pick
            .iter()
            .map(|&k| {
                let mut row = cons[k].0.clone();
                row.push(cons[k].1);
                row
            })
            .collect();
        for c in 0..n {
            let p = (c..n).max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))?;
            if a[p][c].abs() < 1e-12 {
                return None;
            }
            a.swap(p, c);
            let pivot = a[c].clone();
            for (i, row) in a.iter_mut().enumerate() {
                if i != c {
                    let f = row[c] / pivot[c];
                    for (v, p) in row.iter_mut().zip(&pivot).skip(c) {
                        *v -= f * p;
                    }
                }
            }
        }
        Some((0..n).map(|i| a[i][n] / a[i][i]).collect())
    }

    fn problem(rows: &[(&[f64], f64, f64)], bounds: &[(f64, f64)], cost: &[f64]) -> Problem {
        Problem {
            rows: rows.iter().map(|(a, l, u)| (a.to_vec(), *l, *u)).collect(),
            bounds: bounds.to_vec(),
            cost: cost.to_vec(),
        }
    }

    const INF: f64 = f64::INFINITY;

    #[test]
    fn textbook_example_with_duals() {
        // Hillier & Lieberman's Wyndor Glass: max 3x + 5y, x ≤ 4, 2y ≤ 12, 3x + 2y ≤ 18.
        let p = problem(
            &[
                (&[1.0, 0.0], -INF, 4.0),
                (&[0.0, 2.0], -INF, 12.0),
                (&[3.0, 2.0], -INF, 18.0),
            ],
            &[(0.0, 100.0); 2],
            &[3.0, 5.0],
        );
        assert_eq!(p.check_cold(), Some(36.0));
        let mut lp = p.lp();
        assert_eq!(lp.solve(), Status::Optimal);
        let expect = [(lp.x()[0], 2.0), (lp.x()[1], 6.0)];
        for (got, want) in expect {
            assert!((got - want).abs() < 1e-12);
        }
        let y = lp.row_duals();
        assert!(y[0].abs() < 1e-12 && (y[1] - 1.5).abs() < 1e-12 && (y[2] - 1.0).abs() < 1e-12);
        assert!(lp.reduced_costs().iter().all(|d| d.abs() < 1e-12));
        let solution = lp.solution().unwrap();
        assert_eq!(solution.x, lp.x());
        assert_eq!(solution.objective, lp.objective());
    }

    #[test]
    fn beale_cycling_example() {
        // Beale (1955): cycles under Dantzig's rule with a naive tie-break. As a maximum:
        // max 3/4 x1 − 20 x2 + 1/2 x3 − 6 x4, optimum 5/4 at x1 = x3 = 1.
        let p = problem(
            &[
                (&[0.25, -8.0, -1.0, 9.0], -INF, 0.0),
                (&[0.5, -12.0, -0.5, 3.0], -INF, 0.0),
                (&[0.0, 0.0, 1.0, 0.0], -INF, 1.0),
            ],
            &[(0.0, 50.0); 4],
            &[0.75, -20.0, 0.5, -6.0],
        );
        assert_eq!(p.check_cold(), Some(1.25));
    }

    #[test]
    fn degenerate_vertex() {
        // Five constraints through the optimal vertex (1, 1).
        let p = problem(
            &[
                (&[1.0, 1.0], -INF, 2.0),
                (&[2.0, 1.0], -INF, 3.0),
                (&[1.0, 2.0], -INF, 3.0),
                (&[1.0, -1.0], 0.0, 0.0),
                (&[3.0, 3.0], -INF, 6.0),
            ],
            &[(0.0, 1.0); 2],
            &[1.0, 1.0],
        );
        assert_eq!(p.check_cold(), Some(2.0));
    }

    #[test]
    fn infeasible_problems() {
        // x + y ≥ 5 with x, y ≤ 2: the implied activity bound already rules it out.
        let p = problem(&[(&[1.0, 1.0], 5.0, INF)], &[(0.0, 2.0); 2], &[1.0, 1.0]);
        assert_eq!(p.check_cold(), None);
        // x + y ≥ 3 and x − y = 2 and y ≥ 1 with x ≤ 2: needs the simplex.
        let p = problem(
            &[
                (&[1.0, 1.0], 3.0, INF),
                (&[1.0, -1.0], 2.0, 2.0),
                (&[0.0, 1.0], 1.0, INF),
            ],
            &[(0.0, 2.0), (0.0, 5.0)],
            &[1.0, 0.0],
        );
        assert_eq!(p.check_cold(), None);
        // Crossed column bounds.
        let p = problem(&[(&[1.0], -INF, 1.0)], &[(1.0, 0.0)], &[1.0]);
        assert_eq!(p.check_cold(), None);
        // Crossed row bounds.
        let p = problem(&[(&[1.0, 1.0], 2.0, 1.0)], &[(0.0, 5.0); 2], &[1.0, 1.0]);
        assert_eq!(p.check_cold(), None);
    }

    #[test]
    fn equality_rows_and_a_fixed_variable() {
        // x + y = 3, x − y = 1 → (2, 1); z fixed at 1.5.
        let p = problem(
            &[
                (&[1.0, 1.0, 0.0], 3.0, 3.0),
                (&[1.0, -1.0, 0.0], 1.0, 1.0),
                (&[0.0, 1.0, 1.0], -INF, 4.0),
            ],
            &[(0.0, 10.0), (0.0, 10.0), (1.5, 1.5)],
            &[1.0, 2.0, -1.0],
        );
        assert_eq!(p.check_cold(), Some(2.5));
        let mut lp = p.lp();
        lp.solve();
        assert_eq!(lp.x(), &[2.0, 1.0, 1.5]);
    }

    #[test]
    fn no_rows_and_free_rows() {
        let p = problem(&[], &[(-1.0, 2.0), (-3.0, 4.0)], &[1.0, -1.0]);
        assert_eq!(p.check_cold(), Some(5.0));
        let p = problem(&[(&[1.0, 1.0], -INF, INF)], &[(0.0, 2.0); 2], &[1.0, 1.0]);
        assert_eq!(p.check_cold(), Some(4.0));
        let p = problem(&[], &[], &[]);
        assert_eq!(p.check_cold(), Some(0.0));
    }

    #[test]
    fn rows_held_by_implied_bounds_report_zero_duals() {
        // x + y ≥ 1 can only be at its implied upper activity 2 at the optimum.
        let p = problem(
            &[(&[1.0, 1.0], 1.0, INF), (&[1.0, -1.0], -INF, 5.0)],
            &[(0.0, 1.0); 2],
            &[1.0, 1.0],
        );
        assert_eq!(p.check_cold(), Some(2.0));
        let mut lp = p.lp();
        lp.solve_with(Algorithm::Dual);
        assert_eq!(lp.row_duals(), &[0.0, 0.0]);
    }

    #[test]
    fn klee_minty_cube() {
        // max Σ 2^(n−j) x_j, Σ_{i<j} 2^(j−i+1) x_i + x_j ≤ 5^j.
        let n = 5;
        let rows: Vec<(Vec<f64>, f64, f64)> = (0..n)
            .map(|j| {
                let mut a = vec![0.0; n];
                for (i, ai) in a.iter_mut().enumerate().take(j) {
                    *ai = 2f64.powi((j - i + 1) as i32);
                }
                a[j] = 1.0;
                (a, -INF, 5f64.powi(j as i32 + 1))
            })
            .collect();
        let p = Problem {
            rows,
            bounds: vec![(0.0, 5000.0); n],
            cost: (0..n).map(|j| 2f64.powi((n - j - 1) as i32)).collect(),
        };
        assert_eq!(p.check_cold(), Some(3125.0));
    }

    #[test]
    fn iteration_limit_is_reported() {
        let p = problem(
            &[(&[1.0, 1.0, 1.0], -INF, 2.0), (&[1.0, 2.0, 0.0], 1.0, 3.0)],
            &[(0.0, 1.5); 3],
            &[1.0, 2.0, 3.0],
        );
        let mut lp = p.lp();
        lp.set_iteration_limit(0);
        assert_eq!(lp.solve(), Status::IterationLimit);
        assert_eq!(lp.iterations(), 0);
        assert!(lp.solution().is_none());
        lp.set_iteration_limit(1);
        assert_eq!(lp.solve_with(Algorithm::Primal), Status::IterationLimit);
        assert_eq!(lp.iterations(), 1);
        lp.set_iteration_limit(1000);
        assert_eq!(lp.solve(), Status::Optimal);
        assert!(lp.solution().is_some());
    }

    #[test]
    fn warm_restarts_through_infeasibility() {
        let p = problem(
            &[(&[1.0, 1.0, 1.0], 2.0, 2.0), (&[1.0, 0.0, 1.0], -INF, 1.5)],
            &[(0.0, 1.0); 3],
            &[1.0, 2.0, 3.0],
        );
        let mut lp = p.lp();
        assert_eq!(lp.solve(), Status::Optimal);
        assert!((lp.objective() - 5.0).abs() < 1e-12);
        // y ≤ 0.25: x + z ≥ 1.75 > 1.5, infeasible (found by the dual simplex).
        lp.set_bounds(1, 0.0, 0.25);
        assert_eq!(lp.resolve(), Status::Infeasible);
        // Crossed bounds, then back.
        lp.set_bounds(1, 0.5, 0.25);
        assert_eq!(lp.resolve(), Status::Infeasible);
        lp.set_bounds(1, 0.0, 1.0);
        assert_eq!(lp.resolve(), Status::Optimal);
        assert!((lp.objective() - 5.0).abs() < 1e-12);
        // x = 1, then y = z = 0.5 (x + z ≤ 1.5).
        lp.set_objective(&[3.0, 1.0, 2.0]);
        assert_eq!(lp.resolve(), Status::Optimal);
        assert!((lp.objective() - 4.5).abs() < 1e-12);
    }

    #[test]
    fn resolve_before_solve_solves() {
        let p = problem(&[(&[1.0, 1.0], -INF, 1.0)], &[(0.0, 1.0); 2], &[1.0, 2.0]);
        let mut lp = p.lp();
        assert_eq!(lp.status(), None);
        assert_eq!(lp.resolve(), Status::Optimal);
        assert_eq!(lp.objective(), 2.0);
    }

    #[test]
    fn duplicate_terms_are_summed_and_zeros_dropped() {
        let rows = vec![Row::new(
            vec![(0, 1.0), (1, 0.0), (0, 1.0)],
            Relation::Le,
            3.0,
        )];
        let mut lp = Lp::new(rows, vec![(0.0, 10.0); 2], vec![1.0, 0.0]);
        assert_eq!(lp.solve(), Status::Optimal);
        assert!((lp.x()[0] - 1.5).abs() < 1e-12);
        let dense = Row::dense(&[0.0, 2.0], Relation::Ge, 1.0);
        assert_eq!(dense.terms(), &[(1, 2.0)]);
        assert_eq!((dense.lower(), dense.upper()), (1.0, INF));
    }

    /// A random bounded problem: 2–5 columns, 1–4 rows, small integer data, every relation.
    fn arb_problem() -> impl Strategy<Value = Problem> {
        (2usize..=5, 1usize..=4).prop_flat_map(|(n, m)| {
            let bounds = prop::collection::vec((-3i32..=2, 0i32..=4), n);
            let cost = prop::collection::vec(-10i32..=10, n);
            let row = (
                prop::collection::vec(-3i32..=3, n),
                0u8..5,
                -6i32..=6,
                0i32..=4,
            );
            (bounds, cost, prop::collection::vec(row, m)).prop_map(|(bounds, cost, rows)| Problem {
                bounds: bounds
                    .into_iter()
                    .map(|(l, w)| (f64::from(l), f64::from(l + w)))
                    .collect(),
                cost: cost.into_iter().map(|c| f64::from(c) / 2.0).collect(),
                rows: rows
                    .into_iter()
                    .map(|(a, kind, b, w)| {
                        let a = a.into_iter().map(f64::from).collect();
                        let b = f64::from(b);
                        let (lo, hi) = match kind {
                            0 => (-INF, b),
                            1 => (b, INF),
                            2 => (b, b),
                            3 => (b, b + f64::from(w)),
                            _ => (-INF, INF),
                        };
                        (a, lo, hi)
                    })
                    .collect(),
            })
        })
    }

    /// A random bounded problem with fractional data (two decimals).
    fn arb_fractional() -> impl Strategy<Value = Problem> {
        (2usize..=5, 1usize..=4).prop_flat_map(|(n, m)| {
            let bounds = prop::collection::vec((-300i32..=200, 0i32..=400), n);
            let cost = prop::collection::vec(-1000i32..=1000, n);
            let row = (
                prop::collection::vec(-300i32..=300, n),
                0u8..4,
                -600i32..=600,
                0i32..=400,
            );
            (bounds, cost, prop::collection::vec(row, m)).prop_map(|(bounds, cost, rows)| Problem {
                bounds: bounds
                    .into_iter()
                    .map(|(l, w)| (f64::from(l) / 100.0, f64::from(l + w) / 100.0))
                    .collect(),
                cost: cost.into_iter().map(|c| f64::from(c) / 100.0).collect(),
                rows: rows
                    .into_iter()
                    .map(|(a, kind, b, w)| {
                        let a = a.into_iter().map(|a| f64::from(a) / 100.0).collect();
                        let b = f64::from(b) / 100.0;
                        let (lo, hi) = match kind {
                            0 => (-INF, b),
                            1 => (b, INF),
                            2 => (b, b),
                            _ => (b, b + f64::from(w) / 100.0),
                        };
                        (a, lo, hi)
                    })
                    .collect(),
            })
        })
    }

    /// A change to apply between re-solves.
    #[derive(Debug, Clone)]
    enum Change {
        Bounds(usize, i32, i32),
        Objective(Vec<i32>),
    }

    /// Changes, each with the re-solve to use: automatic, forced primal, forced dual.
    fn arb_changes() -> impl Strategy<Value = Vec<(Change, u8)>> {
        let change = prop_oneof![
            3 => (0usize..5, -3i32..=2, 0i32..=4).prop_map(|(j, l, w)| Change::Bounds(j, l, l + w)),
            1 => prop::collection::vec(-10i32..=10, 5).prop_map(Change::Objective),
        ];
        prop::collection::vec((change, 0u8..4), 1..6)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        /// Both cold starts match the optimum over all vertices, with a valid certificate.
        #[test]
        fn random_problems_match_vertex_enumeration(p in arb_problem()) {
            p.check_cold();
        }

        /// The same with fractional data.
        #[test]
        fn fractional_problems_match_vertex_enumeration(p in arb_fractional()) {
            p.check_cold();
        }

        /// Warm re-solves after bound and objective changes give the cold optimum.
        #[test]
        fn warm_resolves_match_cold_solves(p in arb_problem(), changes in arb_changes()) {
            let mut p = p;
            let mut warm = p.lp();
            warm.solve();
            for (change, method) in changes {
                match change {
                    Change::Bounds(j, l, u) => {
                        let j = j % p.bounds.len();
                        p.bounds[j] = (f64::from(l), f64::from(u));
                        warm.set_bounds(j, f64::from(l), f64::from(u));
                    }
                    Change::Objective(c) => {
                        p.cost = c[..p.cost.len()].iter().map(|&c| f64::from(c)).collect();
                        warm.set_objective(&p.cost);
                    }
                }
                let status = match method {
                    0 => warm.resolve_with(Algorithm::Primal),
                    1 => warm.resolve_with(Algorithm::Dual),
                    _ => warm.resolve(),
                };
                let expected = p.brute_force();
                match expected {
                    None => prop_assert_eq!(status, Status::Infeasible),
                    Some(v) => {
                        prop_assert_eq!(status, Status::Optimal);
                        prop_assert!((warm.objective() - v).abs() < 1e-7,
                            "warm {} vs {v}", warm.objective());
                        p.check_certificate(&warm);
                    }
                }
                let mut cold = p.lp();
                prop_assert_eq!(cold.solve(), status);
            }
        }

        /// The same input gives the same output, bit for bit.
        #[test]
        fn solves_are_deterministic(p in arb_problem()) {
            let mut a = p.lp();
            let mut b = p.lp();
            prop_assert_eq!(a.solve(), b.solve());
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            prop_assert_eq!(bits(a.x()), bits(b.x()));
            prop_assert_eq!(bits(a.row_duals()), bits(b.row_duals()));
            prop_assert_eq!(a.objective().to_bits(), b.objective().to_bits());
        }
    }
}
