//! The linear relaxation over type counts: a certified upper bound on the fair lottery's
//! minimum probability, and the leximin-optimal fractional seats the lottery aims at.
//!
//! Relax "a lottery over integer panels" to "fractional seats per type" c_t with
//! 0 ≤ c_t ≤ m_t, Σ c_t = k and every quota bound on the sums per category value. Every
//! lottery's expected seats satisfy these constraints, so the largest z with c_t ≥ z·m_t for
//! every type (organisations of type t then have probability c_t / m_t ≥ z) bounds the best
//! achievable minimum probability from above — for maximin and leximin alike (Flanigan et al.,
//! *Nature* 2021, Methods). With process fairness an organisation's quantity is its slots so
//! far h plus this session's probability, and the bound is on the least h + p.
//!
//! z is found by bisection on the feasibility of the bounds c_t ≥ (z − h_t)·m_t (one small
//! linear programme per step, warm-started), so the programme keeps one row per quota bound
//! and one per total, whatever the number of types. The leximin point raises the least
//! quantity, fixes the types that cannot go higher without lowering another, and repeats.

use super::TypeSpace;
use super::simplex::{Lp, Relation, Row, Status};

/// Bisection steps: the bound is exact to 2⁻⁵⁰ of its range.
const BISECTION_STEPS: u32 = 50;

/// A level of the leximin relaxation is raised above another by more than this, relative.
const STRICTLY_ABOVE: f64 = 1e-9;

/// How far below the level found a leximin level fixes its types when the level itself
/// proves infeasible with them fixed (relative to 1 + level).
const LEVEL_MARGIN: f64 = 1e-8;

/// The relaxation of one instance, with its linear programme kept for warm starts.
#[derive(Debug)]
pub struct RelaxationBound {
    lp: Lp,
    sizes: Vec<f64>,
    /// Per type: the slots its members already have (process fairness), 0 otherwise.
    history: Vec<f64>,
    /// Seats to fill, k.
    seats: f64,
    /// Whether a programme stopped at its iteration limit (then counted as infeasible, which
    /// can only lower the bound reported: a caller must say the bound is not certified).
    limit_reached: bool,
}

/// The leximin point of the relaxation.
#[derive(Debug, Clone, PartialEq)]
pub struct Leximin {
    /// The largest least quantity (probability, or history plus probability): an upper bound
    /// on what any lottery achieves for its least-favoured organisation.
    pub upper_bound: f64,
    /// Fractional seats per type at the leximin point, summing to k.
    pub seats: Vec<f64>,
    /// Per type, the probability floor at the leximin point: seats / size.
    pub probabilities: Vec<f64>,
}

impl RelaxationBound {
    /// The relaxation of `space`; `history[t]` is the slots each member of type t already has
    /// (all zeros without process fairness).
    ///
    /// # Panics
    ///
    /// If `history` does not have one entry per type.
    pub fn new(space: &TypeSpace, history: &[f64]) -> Self {
        assert_eq!(history.len(), space.types());
        let types = space.types();
        let mut rows = vec![Row::new(
            (0..types).map(|t| (t, 1.0)).collect(),
            Relation::Eq,
            f64::from(space.k()),
        )];
        for j in 0..space.categories() {
            for v in 0..space.values(j) {
                let (min, max) = (space.min(j, v), space.max(j, v));
                let members: u64 = (0..types)
                    .filter(|&t| space.value_of(t, j) == v)
                    .map(|t| u64::from(space.size(t)))
                    .sum();
                if min == 0 && u64::from(max) >= members {
                    continue;
                }
                let terms = (0..types)
                    .filter(|&t| space.value_of(t, j) == v)
                    .map(|t| (t, 1.0))
                    .collect();
                rows.push(Row::range(terms, f64::from(min), f64::from(max)));
            }
        }
        let sizes: Vec<f64> = (0..types).map(|t| f64::from(space.size(t))).collect();
        let bounds = sizes.iter().map(|&m| (0.0, m)).collect();
        RelaxationBound {
            lp: Lp::new(rows, bounds, vec![0.0; types]),
            sizes,
            history: history.to_vec(),
            seats: f64::from(space.k()),
            limit_reached: false,
        }
    }

    /// Whether some fractional seats give every type t at least `floor[t]` quantity, with
    /// `floor[t]` = `level` for the types not in `fixed` and the fixed level otherwise.
    fn feasible(&mut self, level: f64, fixed: &[Option<f64>]) -> bool {
        for (t, fixed) in fixed.iter().enumerate() {
            let floor = fixed.unwrap_or(level);
            let lower = ((floor - self.history[t]).max(0.0) * self.sizes[t]).min(self.sizes[t]);
            if (floor - self.history[t]) * self.sizes[t] > self.sizes[t] * (1.0 + 1e-12) {
                return false;
            }
            self.lp.set_bounds(t, lower, self.sizes[t]);
        }
        match self.lp.resolve() {
            Status::Optimal => true,
            Status::Infeasible => false,
            Status::IterationLimit => {
                self.limit_reached = true;
                false
            }
        }
    }

    /// The largest `level` such that every free type reaches it (fixed types their own
    /// level), by bisection; `None` when even `low` is infeasible.
    fn raise(&mut self, low: f64, fixed: &[Option<f64>]) -> Option<f64> {
        if !self.feasible(low, fixed) {
            return None;
        }
        let high_start = 1.0
            + self
                .history
                .iter()
                .zip(fixed)
                .filter(|(_, f)| f.is_none())
                .map(|(h, _)| *h)
                .fold(0.0, f64::max);
        let (mut low, mut high) = (low, high_start);
        if self.feasible(high, fixed) {
            return Some(high);
        }
        for _ in 0..BISECTION_STEPS {
            let middle = 0.5 * (low + high);
            if self.feasible(middle, fixed) {
                low = middle;
            } else {
                high = middle;
            }
        }
        Some(low)
    }

    /// The least quantity's upper bound alone (maximin): `None` when the quotas admit no
    /// fractional seats at all (then no panel exists either).
    pub fn maximin(&mut self) -> Option<f64> {
        let free = vec![None; self.sizes.len()];
        let low = self.history.iter().copied().fold(f64::INFINITY, f64::min);
        self.raise(if low.is_finite() { low } else { 0.0 }, &free)
    }

    /// Whether a programme stopped at its iteration limit: the bound is then not certified.
    pub fn limit_reached(&self) -> bool {
        self.limit_reached
    }

    /// The maximin bound with a point reaching it (the programme's solution at the bound):
    /// `None` when the quotas admit no fractional seats.
    pub fn maximin_point(&mut self) -> Option<Leximin> {
        let upper_bound = self.maximin()?;
        let mut level = upper_bound;
        let free = vec![None; self.sizes.len()];
        if !self.feasible(level, &free) {
            // Accepted within the simplex's tolerance by the bisection, refused now from
            // another basis: a hair lower (see `leximin`).
            level -= LEVEL_MARGIN * (1.0 + level.abs());
            if !self.feasible(level, &free) {
                return None;
            }
        }
        let seats: Vec<f64> = self.lp.x()[..self.sizes.len()].to_vec();
        let probabilities = (0..self.sizes.len())
            .map(|t| (level - self.history[t]).clamp(0.0, 1.0))
            .collect();
        Some(Leximin {
            upper_bound,
            seats,
            probabilities,
        })
    }

    /// The leximin point: `None` when the quotas admit no fractional seats. Runs at most one
    /// level per type, each with one bisection and at most one programme per type.
    pub fn leximin(&mut self) -> Option<Leximin> {
        let types = self.sizes.len();
        let mut fixed: Vec<Option<f64>> = vec![None; types];
        let start = self.history.iter().copied().fold(f64::INFINITY, f64::min);
        let mut upper_bound = None;
        let mut low = if start.is_finite() { start } else { 0.0 };
        while fixed.iter().any(Option::is_none) {
            let level = self.raise(low, &fixed)?;
            upper_bound.get_or_insert(level);
            // Which free types are blocked at `level`: those that cannot exceed it while
            // every other type keeps its floor.
            let mut blocked = Vec::new();
            self.feasible(level, &fixed);
            // When the floors already take every seat, no type can rise: all are blocked.
            let floors: f64 = (0..types)
                .map(|t| {
                    let floor = fixed[t].unwrap_or(level);
                    ((floor - self.history[t]).max(0.0) * self.sizes[t]).min(self.sizes[t])
                })
                .sum();
            let saturated = floors >= self.seats - 1e-9 * (1.0 + self.seats);
            for t in 0..types {
                if fixed[t].is_some() {
                    continue;
                }
                if saturated {
                    blocked.push(t);
                    continue;
                }
                let mut objective = vec![0.0; types];
                objective[t] = 1.0;
                self.lp.set_objective(&objective);
                let most = match self.lp.resolve() {
                    Status::Optimal => self.lp.x()[t],
                    _ => 0.0,
                };
                let quantity = self.history[t] + most / self.sizes[t];
                if quantity <= level + STRICTLY_ABOVE * (1.0 + level.abs()) {
                    blocked.push(t);
                }
            }
            self.lp.set_objective(&vec![0.0; types]);
            if blocked.is_empty() {
                // Numerically every type could go higher alone: fix them all here.
                blocked.extend((0..types).filter(|&t| fixed[t].is_none()));
            }
            for &t in &blocked {
                fixed[t] = Some(level);
            }
            // The bisection accepts a level within the simplex's feasibility tolerance; floors
            // stacked at such a level may then be infeasible (a level of 0 read as 2e-9): fix
            // those types a hair lower.
            let level = if self.feasible(level, &fixed) {
                level
            } else {
                let lower = (level - LEVEL_MARGIN * (1.0 + level.abs())).max(low);
                for &t in &blocked {
                    fixed[t] = Some(lower);
                }
                lower
            };
            low = level;
        }
        // The seats at the final floors.
        let levels: Vec<f64> = fixed.iter().map(|f| f.unwrap_or(0.0)).collect();
        self.feasible(0.0, &fixed);
        let seats: Vec<f64> = (0..types)
            .map(|t| ((levels[t] - self.history[t]).max(0.0) * self.sizes[t]).min(self.sizes[t]))
            .collect();
        let probabilities = (0..types).map(|t| seats[t] / self.sizes[t]).collect();
        Some(Leximin {
            upper_bound: upper_bound.unwrap_or(0.0),
            seats,
            probabilities,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proportional_quotas_give_everyone_k_over_n() {
        // 10 organisations, 2 seats, value 0 (6 members) and value 1 (4 members) with quotas
        // around proportional: everyone can have 1/5.
        let space = TypeSpace::new(
            2,
            vec![2],
            &[(6, vec![0]), (4, vec![1])],
            &[vec![(1, 2), (0, 1)]],
        );
        let mut relaxation = RelaxationBound::new(&space, &[0.0, 0.0]);
        let bound = relaxation.maximin().unwrap();
        assert!((bound - 0.2).abs() < 1e-9, "{bound}");
        let point = relaxation.leximin().unwrap();
        assert!((point.seats[0] - 1.2).abs() < 1e-9 && (point.seats[1] - 0.8).abs() < 1e-9);
    }

    #[test]
    fn a_minimum_lifts_the_small_group_above_the_rest() {
        // 2 seats; value 1 (one member) must have a seat: it gets probability 1, the 9 others
        // share the other seat: leximin gives them 1/9 each and the bound is 1/9.
        let space = TypeSpace::new(
            2,
            vec![2],
            &[(9, vec![0]), (1, vec![1])],
            &[vec![(0, 2), (1, 1)]],
        );
        let mut relaxation = RelaxationBound::new(&space, &[0.0, 0.0]);
        let point = relaxation.leximin().unwrap();
        assert!((point.upper_bound - 1.0 / 9.0).abs() < 1e-9);
        assert!((point.probabilities[1] - 1.0).abs() < 1e-9);
        assert!((point.seats.iter().sum::<f64>() - 2.0).abs() < 1e-9);
    }

    #[test]
    fn history_is_equalised() {
        // One seat, two organisations; one already spoke once: the other gets the seat.
        let space = TypeSpace::new(1, vec![], &[(1, vec![]), (1, vec![])], &[]);
        let mut relaxation = RelaxationBound::new(&space, &[1.0, 0.0]);
        let point = relaxation.leximin().unwrap();
        assert!((point.probabilities[1] - 1.0).abs() < 1e-9, "{point:?}");
        assert!(point.probabilities[0].abs() < 1e-9);
        assert!((point.upper_bound - 1.0).abs() < 1e-9);
    }

    #[test]
    fn a_type_that_can_have_nothing_does_not_block_the_others() {
        // 2 seats, both for value 0 (two members): the third organisation's level is 0.
        let space = TypeSpace::new(
            2,
            vec![2],
            &[(2, vec![0]), (1, vec![1])],
            &[vec![(2, 2), (0, 2)]],
        );
        let point = RelaxationBound::new(&space, &[0.0, 0.0]).leximin().unwrap();
        assert!(point.upper_bound.abs() < 1e-6, "{point:?}");
        assert!((point.probabilities[0] - 1.0).abs() < 1e-6, "{point:?}");
    }

    #[test]
    fn infeasible_quotas_have_no_relaxation() {
        let space = TypeSpace::new(
            2,
            vec![2],
            &[(1, vec![0]), (5, vec![1])],
            &[vec![(2, 2), (0, 2)]],
        );
        assert!(
            RelaxationBound::new(&space, &[0.0, 0.0])
                .maximin()
                .is_none()
        );
    }
}
