//! The default pricing for three or more categories: branch and bound over type counts whose
//! bound is the linear relaxation, solved and re-solved warm by the `fair` simplex.
//!
//! This is LP-based branch and bound (Land & Doig, "An automatic method of solving discrete
//! programming problems", *Econometrica* 28, 1960) with the dual simplex re-optimising each
//! node from the last basis after a bound change (Dakin, "A tree-search algorithm for mixed
//! integer programming problems", *The Computer Journal* 8, 1965; the standard way since, see
//! Achterberg, *Constraint Integer Programming*, PhD thesis, TU Berlin 2007, ch. 2 and 5). The
//! relaxation over type counts has one row per non-vacuous quota and one for `Σ c = k`
//! (`fair_lottery.md`, "Pricing is the bottleneck": few fractional types), so a basic
//! solution has at most one fractional type per row and an integral one is a panel.
//!
//! Every bound used for pruning is computed afresh from the simplex's row duals `y` as the
//! Lagrangian bound `Σ_r max(y_r·lo_r, y_r·hi_r) + Σ_t max(d_t·l_t, d_t·u_t)` with `d = w −
//! Aᵀy` — valid for *any* `y` (weak duality), so a tolerance inside the simplex can never cut
//! off a better panel (Neumaier & Shcherbina, "Safe bounds in linear and mixed-integer linear
//! programming", *Mathematical Programming* 99, 2004).

use super::{
    NONE, Node, Open, Outcome, Panel, PricingStats, TypeSpace, box_feasible, objective, ordered,
    unordered,
};
use crate::fair::simplex::{Lp, Row, Status};

/// An LP entry within this distance of an integer counts as that integer (the panel built
/// from the rounded entries is then checked exactly, in integers).
const INTEGRAL: f64 = 1e-6;

/// The linear programme over type counts of one [`TypeSpace`], kept between calls for warm
/// starts, and the branch and bound's working memory.
#[derive(Debug, Clone)]
pub(super) struct LpBranchAndBound {
    lp: Lp,
    /// Per row: its columns (types) and its bounds, for the safe bound.
    row_lower: Vec<f64>,
    row_upper: Vec<f64>,
    row_types: Vec<Vec<usize>>,
    /// The bounds currently set in the programme, and the types whose bounds differ from
    /// the root box of the current call.
    lp_lo: Vec<u32>,
    lp_hi: Vec<u32>,
    dirty: Vec<usize>,
    /// Per type, the last node (`stamp`) whose path changed it.
    stamp: Vec<usize>,
    scaled: Vec<f64>,
    reduced: Vec<f64>,
    counts: Vec<u32>,
    /// The last call's optimal panel, tried as the first incumbent of the next call.
    last: Option<Vec<u32>>,
}

impl LpBranchAndBound {
    /// The programme of `space`: one row `Σ c = k`, one range row per quota that can bind.
    pub(super) fn new(space: &TypeSpace) -> Self {
        let n = space.types();
        let k = f64::from(space.k());
        let mut row_types = vec![(0..n).collect::<Vec<_>>()];
        let (mut row_lower, mut row_upper) = (vec![k], vec![k]);
        for j in 0..space.categories() {
            for v in 0..space.values(j) {
                let members: Vec<usize> = (0..n).filter(|&t| space.value_of(t, j) == v).collect();
                let seats: u64 = members
                    .iter()
                    .map(|&t| u64::from(space.size(t).min(space.k())))
                    .sum();
                let (min, max) = (space.min(j, v), space.max(j, v));
                if min == 0 && u64::from(max) >= seats.min(u64::from(space.k())) {
                    continue;
                }
                row_lower.push(f64::from(min));
                row_upper.push(f64::from(max));
                row_types.push(members);
            }
        }
        let rows = row_types
            .iter()
            .zip(row_lower.iter().zip(&row_upper))
            .map(|(types, (&lo, &hi))| {
                Row::range(types.iter().map(|&t| (t, 1.0)).collect(), lo, hi)
            })
            .collect();
        let hi: Vec<u32> = (0..n).map(|t| space.size(t).min(space.k())).collect();
        let bounds = hi.iter().map(|&h| (0.0, f64::from(h))).collect();
        LpBranchAndBound {
            lp: Lp::new(rows, bounds, vec![0.0; n]),
            row_lower,
            row_upper,
            row_types,
            lp_lo: vec![0; n],
            lp_hi: hi,
            dirty: Vec::new(),
            stamp: vec![NONE; n],
            scaled: vec![0.0; n],
            reduced: vec![0.0; n],
            counts: vec![0; n],
            last: None,
        }
    }

    /// Sets type `t`'s bounds in the programme, if they differ.
    fn set(&mut self, t: usize, lo: u32, hi: u32) {
        if self.lp_lo[t] != lo || self.lp_hi[t] != hi {
            self.lp_lo[t] = lo;
            self.lp_hi[t] = hi;
            self.lp.set_bounds(t, f64::from(lo), f64::from(hi));
        }
    }

    /// The safe bound (module documentation) of the last optimal solve, in scaled weights.
    fn safe_bound(&mut self) -> f64 {
        let y = self.lp.row_duals();
        self.reduced.copy_from_slice(&self.scaled);
        let mut bound = 0.0;
        for (r, types) in self.row_types.iter().enumerate() {
            let yr = y[r];
            if yr == 0.0 {
                continue;
            }
            bound += (yr * self.row_lower[r]).max(yr * self.row_upper[r]);
            for &t in types {
                self.reduced[t] -= yr;
            }
        }
        for t in 0..self.reduced.len() {
            let d = self.reduced[t];
            bound += (d * f64::from(self.lp_lo[t])).max(d * f64::from(self.lp_hi[t]));
        }
        bound
    }

    /// The best quota-feasible panel at `weights` within `root_lo ..= root_hi` (already
    /// clamped to `[0, min(m_t, k)]`, `lo ≤ hi`), exploring at most `limit` nodes, and
    /// stopping early (as at the node limit) once a panel of value at least `enough` is
    /// found and not yet proved optimal. With
    /// `warm`, the root starts from the last call's basis and the last call's panel is the
    /// first incumbent (faster on a sequence of similar weights, but which of several equally
    /// good panels is returned then depends on the calls before); otherwise the root is
    /// solved from scratch and the answer depends on the arguments alone.
    ///
    /// Best-first with diving: after branching, the preferred child is solved next (one
    /// bound change, a few dual simplex pivots) and the other child waits in the queue under
    /// the node's bound; when a dive ends (pruned, infeasible or integral) the open node of
    /// largest bound is resumed. Branching is on the most fractional type (ties: lowest
    /// index), the child on the side of the nearer integer preferred. An integral relaxed
    /// optimum is a panel (it meets every quota row) and solves its node. Exact: pruning uses
    /// safe bounds, the children of a node partition its integer points, and a node whose
    /// programme stops at its iteration limit is split on its first free type without a bound
    /// of its own (its parent's stands).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn solve(
        &mut self,
        space: &TypeSpace,
        weights: &[f64],
        root_lo: &[u32],
        root_hi: &[u32],
        limit: u64,
        warm: bool,
        enough: f64,
        stats: &mut PricingStats,
    ) -> Outcome {
        let n = space.types();
        let k = space.k();
        let mut low = Vec::new();
        let mut high = Vec::new();
        if !box_feasible(space, root_lo, root_hi, &mut low, &mut high) {
            return Outcome::Infeasible;
        }
        // Scaled weights: the simplex's tolerances are absolute, made for order one.
        let scale = weights.iter().fold(0.0f64, |m, w| m.max(w.abs()));
        let factor = if scale > 0.0 { 1.0 / scale } else { 1.0 };
        for (s, &w) in self.scaled.iter_mut().zip(weights) {
            *s = w * factor;
        }
        self.lp.set_objective(&self.scaled);
        let enough = if scale > 0.0 { enough * factor } else { enough };
        // Pruning tolerance, in scaled units: 10⁻¹¹ of the largest panel weight.
        let tolerance = 1e-11 * f64::from(k.max(1));
        // The root box in the programme (undoing the last call's branching).
        for i in 0..self.dirty.len() {
            let t = self.dirty[i];
            self.set(t, root_lo[t], root_hi[t]);
        }
        self.dirty.clear();
        for t in 0..n {
            if self.lp_lo[t] != root_lo[t] || self.lp_hi[t] != root_hi[t] {
                self.set(t, root_lo[t], root_hi[t]);
            }
        }
        self.stamp.iter_mut().for_each(|s| *s = NONE);
        let mut best: Option<Panel> = None;
        let mut incumbent = f64::NEG_INFINITY;
        // The last call's panel, if it fits this box: a first incumbent.
        if let Some(last) = self.last.take().filter(|_| warm)
            && (0..n).all(|t| root_lo[t] <= last[t] && last[t] <= root_hi[t])
        {
            let value = objective(&self.scaled, &last);
            incumbent = value;
            best = Some(Panel {
                counts: last,
                value,
            });
        }
        let mut arena = vec![Node {
            parent: NONE,
            t: NONE,
            lo: 0,
            hi: 0,
        }];
        let mut open = std::collections::BinaryHeap::new();
        let mut next = Some((0usize, f64::INFINITY));
        let mut changes: Vec<(usize, u32, u32)> = Vec::new();
        let mut limited = false;
        loop {
            let (id, parent_bound) = match next.take() {
                Some(node) => node,
                None => match open.pop() {
                    Some(Open { bound, node }) => (node, unordered(bound)),
                    None => break,
                },
            };
            if parent_bound <= incumbent + tolerance {
                continue;
            }
            if stats.nodes >= limit {
                limited = true;
                open.push(Open {
                    bound: ordered(parent_bound),
                    node: id,
                });
                break;
            }
            stats.nodes += 1;
            // The node's box: the deepest change per type on its path.
            changes.clear();
            let mut x = id;
            while x != NONE {
                let node = arena[x];
                if node.t != NONE && self.stamp[node.t] != id {
                    self.stamp[node.t] = id;
                    changes.push((node.t, node.lo, node.hi));
                }
                x = node.parent;
            }
            let mut i = 0;
            while i < self.dirty.len() {
                let t = self.dirty[i];
                if self.stamp[t] == id {
                    i += 1;
                } else {
                    self.set(t, root_lo[t], root_hi[t]);
                    self.dirty.swap_remove(i);
                }
            }
            for &(t, lo, hi) in &changes {
                self.set(t, lo, hi);
                if (lo, hi) != (root_lo[t], root_hi[t]) && !self.dirty.contains(&t) {
                    self.dirty.push(t);
                }
            }
            stats.relaxations += 1;
            let status = if id == 0 && !warm {
                self.lp.solve()
            } else {
                self.lp.resolve()
            };
            stats.lp_iterations += self.lp.iterations() as u64;
            let bound = match status {
                Status::Infeasible => continue,
                Status::IterationLimit => {
                    // No bound of its own: split the first free type's box, exact.
                    if let Some(t) = (0..n).find(|&t| self.lp_lo[t] < self.lp_hi[t]) {
                        let (lo, hi) = (self.lp_lo[t], self.lp_hi[t]);
                        let mid = lo + (hi - lo) / 2;
                        self.branch(
                            &mut arena,
                            &mut open,
                            &mut next,
                            id,
                            parent_bound,
                            t,
                            (lo, mid),
                            (mid + 1, hi),
                        );
                    }
                    continue;
                }
                Status::Optimal => self.safe_bound().min(parent_bound),
            };
            if bound <= incumbent + tolerance {
                continue;
            }
            let x = self.lp.x();
            if let Some(t) = super::most_fractional(x, INTEGRAL) {
                let v = x[t];
                let (lo, hi) = (self.lp_lo[t], self.lp_hi[t]);
                let down = (lo, (v.floor() as u32).clamp(lo, hi));
                let up = ((v.ceil() as u32).clamp(lo, hi), hi);
                let (first, second) = if v - v.floor() >= 0.5 {
                    (up, down)
                } else {
                    (down, up)
                };
                self.branch(
                    &mut arena, &mut open, &mut next, id, bound, t, first, second,
                );
                continue;
            }
            for (c, &v) in self.counts.iter_mut().zip(x) {
                *c = v.round().max(0.0) as u32;
            }
            let inside =
                (0..n).all(|t| self.lp_lo[t] <= self.counts[t] && self.counts[t] <= self.lp_hi[t]);
            if inside && space.is_feasible(&self.counts) {
                let value = objective(&self.scaled, &self.counts);
                if value > incumbent {
                    incumbent = value;
                    best = Some(Panel {
                        counts: self.counts.clone(),
                        value,
                    });
                    if incumbent >= enough && value < bound - tolerance {
                        // Good enough for the caller: stop, with the open bounds.
                        limited = true;
                        open.push(Open {
                            bound: ordered(bound),
                            node: id,
                        });
                        break;
                    }
                }
                if value >= bound - tolerance {
                    continue;
                }
            }
            // An integral point that is no better panel (only by rounding): split the first
            // free type's box, which keeps the search exact.
            if let Some(t) = (0..n).find(|&t| self.lp_lo[t] < self.lp_hi[t]) {
                let (lo, hi) = (self.lp_lo[t], self.lp_hi[t]);
                let mid = lo + (hi - lo) / 2;
                self.branch(
                    &mut arena,
                    &mut open,
                    &mut next,
                    id,
                    bound,
                    t,
                    (lo, mid),
                    (mid + 1, hi),
                );
            }
        }
        let unscale = |value: f64| if scale > 0.0 { value * scale } else { 0.0 };
        let best = best.map(|panel| {
            let value = objective(weights, &panel.counts);
            Panel {
                counts: panel.counts,
                value,
            }
        });
        if limited {
            let open_bound = open
                .iter()
                .map(|o| unordered(o.bound))
                .fold(f64::NEG_INFINITY, f64::max);
            let upper = unscale(open_bound);
            return Outcome::NodeLimit {
                upper_bound: best.as_ref().map_or(upper, |p| upper.max(p.value)),
                best,
            };
        }
        match best {
            Some(panel) => {
                self.last = Some(panel.counts.clone());
                Outcome::Optimal(panel)
            }
            None => Outcome::Infeasible,
        }
    }

    /// Queues the children of node `parent` (bound `bound`) with type `t`'s box `first`
    /// (solved next: the dive) and `second` (queued).
    #[allow(clippy::too_many_arguments)]
    fn branch(
        &self,
        arena: &mut Vec<Node>,
        open: &mut std::collections::BinaryHeap<Open>,
        next: &mut Option<(usize, f64)>,
        parent: usize,
        bound: f64,
        t: usize,
        first: (u32, u32),
        second: (u32, u32),
    ) {
        arena.push(Node {
            parent,
            t,
            lo: second.0,
            hi: second.1,
        });
        open.push(Open {
            bound: ordered(bound),
            node: arena.len() - 1,
        });
        arena.push(Node {
            parent,
            t,
            lo: first.0,
            hi: first.1,
        });
        *next = Some((arena.len() - 1, bound));
    }
}
