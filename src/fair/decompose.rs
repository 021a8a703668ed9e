//! A distribution over quota-feasible panels whose expected seats per type come as close as
//! possible to target seats (the relaxation's fractional optimum), so that every type reaches
//! its floor (the relaxation's probability times its size).
//!
//! The expected seats of a lottery lie in the convex hull of the feasible panels' seat
//! vectors. Pairwise Frank–Wolfe (Lacoste-Julien & Jaggi, "On the global linear convergence of
//! Frank-Wolfe optimization variants", NeurIPS 2015) minimises the distance
//! `Σ_t (x_t − c*_t)² / m_t` over that hull — the squared distance between the members'
//! probabilities and their targets, one term per organisation — with the pricing oracle as its
//! linear minimisation step: each iteration moves weight from the lottery's panel worst for
//! the current shortfalls to the best panel for them, by an exact line search. (Only the
//! shortfalls below the floors matter in the end, but a one-sided objective measured slower
//! here: its weights tie on every type above its floor.)
//!
//! - The step is *lazy* (Braun, Pokutta & Zink, "Lazifying conditional gradient
//!   algorithms", ICML 2017): every panel found is kept, with its value at the current
//!   weights updated incrementally, and the best kept panel is used instead of a pricing call
//!   while its pairwise gap is at least [`LAZY`] of the gap the last pricing call proved. The
//!   call itself is a weak separation oracle ([`Pricer::price_at_least`]): it may stop at the
//!   first panel good enough for that.
//! - The pricing weights get a deterministic jitter of 10⁻⁶ of their scale: the types not yet
//!   on any panel all have the same weight, and such exact ties make the pricing's linear
//!   programmes degenerate (thousands of simplex iterations instead of a hundred).
//! - With few types ([`MASTER_TYPES`]), the restricted master linear programme over all the
//!   panels found replaces the weights when it does better: Frank–Wolfe converges slowly near
//!   a target on a face of the hull, the programme is exact.
//!
//! Whatever the decomposition reaches, the minimum reported by [`solve`](super::solve) is
//! measured on the lottery drawn from: a shortfall here can make the certificate worse, never
//! wrong.

use std::collections::BTreeMap;

use super::simplex::{Lp, Relation, Row, Status};
use super::{Outcome, Pricer, TypeSpace};

/// A distribution over panels: each panel's seats per type and its weight.
pub type Distribution = Vec<(Vec<u32>, f64)>;

/// How far the decomposition went.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// Iterations run.
    pub iterations: u32,
    /// The last pairwise gap ⟨w, c_toward − c_away⟩ known from a pricing call, w = (c* − x) /
    /// m (0 at the optimum).
    pub gap: f64,
    /// Whether a pricing call stopped at its node limit (the step then used the best panel
    /// found, which is still feasible).
    pub inexact_pricing: bool,
    /// Calls of the pricing oracle.
    pub pricing_calls: u32,
    /// Panels of the returned distribution (positive weight).
    pub panels: usize,
    /// Whether the weights are the restricted master's (few types only).
    pub master: bool,
}

/// A panel kept by the decomposition: its seats as (type, count) pairs, its weight.
#[derive(Debug, Clone)]
struct Kept {
    seats: Vec<(usize, u32)>,
    weight: f64,
}

impl Kept {
    fn dot(&self, w: &[f64]) -> f64 {
        self.seats.iter().map(|&(t, c)| f64::from(c) * w[t]).sum()
    }
}

/// The kept panels are used instead of a pricing call while their pairwise gap is at least
/// this share of the gap the last pricing call proved (0.5 and 0.1 measured slower on the
/// four-category benchmarks: more pricing calls, or more iterations to the same gap).
pub const LAZY: f64 = 0.25;

/// Iterations between two full recomputations of the kept panels' values (which are otherwise
/// updated incrementally, accumulating rounding errors).
const REFRESH: u32 = 1024;

/// A fixed number in [0, 1) per type: the fractional part of t times the golden ratio (an
/// evenly spread sequence, Weyl's), for tie-breaking.
fn jitter(t: usize) -> f64 {
    let x = t as f64 * 0.618_033_988_749_894_9;
    x - x.floor()
}

/// Types up to which the decomposition ends with the restricted master linear programme (one
/// row per type: the dense simplex is quick only for a few).
pub const MASTER_TYPES: usize = 150;

/// Rounds of column generation on the restricted master (each a pricing call and a master
/// solved afresh).
pub const MASTER_ROUNDS: u32 = 100;

/// The restricted master of column generation (Dantzig & Wolfe, "Decomposition principle for
/// linear programs", *Operations Research* 8, 1960): the weights on the `kept` panels
/// maximising z with every type's expected seats at least z times its floor, by the `fair`
/// simplex; `None` if the programme stops at its iteration limit.
fn master(types: usize, kept: &[Kept], floor: &[f64]) -> Option<Master> {
    let p = kept.len();
    let mut terms: Vec<Vec<(usize, f64)>> = vec![Vec::new(); types];
    for (i, panel) in kept.iter().enumerate() {
        for &(t, c) in &panel.seats {
            terms[t].push((i, f64::from(c)));
        }
    }
    let mut rows: Vec<Row> = terms
        .into_iter()
        .enumerate()
        .filter(|(t, _)| floor[*t] > 0.0)
        .map(|(t, mut row)| {
            row.push((p, -floor[t]));
            Row::new(row, Relation::Ge, 0.0)
        })
        .collect();
    rows.push(Row::new(
        (0..p).map(|i| (i, 1.0)).collect(),
        Relation::Eq,
        1.0,
    ));
    let mut bounds = vec![(0.0, 1.0); p];
    // z capped at 2: twice every floor is more than the decomposition needs.
    bounds.push((0.0, 2.0));
    let mut objective = vec![0.0; p + 1];
    objective[p] = 1.0;
    let mut lp = Lp::new(rows, bounds, objective);
    if lp.solve() != Status::Optimal {
        return None;
    }
    // Row duals: a type's row is a lower bound (y ≤ 0); a new panel improves the programme
    // when Σ_t c_t · (−y_t) exceeds the dual of Σ λ = 1.
    let duals = lp.row_duals();
    let mut prices = vec![0.0; types];
    for (r, t) in (0..types).filter(|&t| floor[t] > 0.0).enumerate() {
        prices[t] = -duals[r];
    }
    Some(Master {
        weights: lp.x()[..p].to_vec(),
        z: lp.x()[p],
        prices,
        convexity: duals[duals.len() - 1],
    })
}

/// The restricted master's solution and duals.
struct Master {
    /// Weight per kept panel.
    weights: Vec<f64>,
    /// The least ratio of seats to floor.
    z: f64,
    /// Per type, minus its row's dual: the pricing weights of column generation.
    prices: Vec<f64>,
    /// The dual of `Σ λ = 1`: a panel whose value at `prices` exceeds it improves z.
    convexity: f64,
}

/// Lazy pairwise Frank–Wolfe towards `target` (fractional seats per type, summing to k; see
/// the module documentation), stopping when the least ratio x_t / (m_t · goal_t) reaches
/// `1 − tolerance` (each type's expected seats within `tolerance` of its share of `goal`, a
/// per-type floor: the relaxation's probability, or for process fairness the floor on this
/// session's share), when the pairwise gap vanishes, or after `max_iterations` iterations
/// (each at most one pricing call); then, with at most [`MASTER_TYPES`] types, the restricted
/// master. Returns the panels with their weights (summing to 1), or `None` when no feasible
/// panel exists.
pub fn decompose(
    space: &TypeSpace,
    pricer: &mut Pricer<'_>,
    target: &[f64],
    goal: &[f64],
    tolerance: f64,
    max_iterations: u32,
) -> Option<(Distribution, Progress)> {
    let types = space.types();
    let size: Vec<f64> = (0..types).map(|t| f64::from(space.size(t))).collect();
    let metric: Vec<f64> = size.iter().map(|m| 1.0 / m).collect();
    let floor: Vec<f64> = (0..types).map(|t| goal[t].max(0.0) * size[t]).collect();
    let mut progress = Progress {
        iterations: 0,
        gap: f64::INFINITY,
        inexact_pricing: false,
        pricing_calls: 0,
        panels: 0,
        master: false,
    };
    // A pricing call: the panel found and, when the search stopped before proving it
    // optimal, its upper bound on the best value (in the jittered weights).
    let mut price = |weights: &[f64],
                     enough: f64,
                     progress: &mut Progress|
     -> Option<(Vec<u32>, Option<f64>)> {
        progress.pricing_calls += 1;
        // Exact ties between weights (every type not yet on a panel has the same weight)
        // make the pricing's linear programmes degenerate: break them by a deterministic
        // perturbation of 10⁻⁶ of the largest weight (the step uses whatever panel comes
        // back; nothing is certified from it).
        let scale = weights.iter().fold(0.0f64, |m, w| m.max(w.abs()));
        let weights: Vec<f64> = weights
            .iter()
            .enumerate()
            .map(|(t, &w)| w + 1e-6 * scale * jitter(t))
            .collect();
        match pricer.price_at_least(&weights, enough) {
            Outcome::Optimal(panel) => Some((panel.counts, None)),
            Outcome::NodeLimit {
                best: Some(panel),
                upper_bound,
            } => {
                progress.inexact_pricing = true;
                Some((panel.counts, Some(upper_bound)))
            }
            Outcome::Infeasible | Outcome::NodeLimit { best: None, .. } => None,
        }
    };
    let sparse = |counts: &[u32]| -> Vec<(usize, u32)> {
        counts
            .iter()
            .enumerate()
            .filter(|&(_, &c)| c > 0)
            .map(|(t, &c)| (t, c))
            .collect()
    };
    // Start at the panel best aligned with the targets.
    let start: Vec<f64> = (0..types).map(|t| target[t] / size[t]).collect();
    let (first, _) = price(&start, f64::INFINITY, &mut progress)?;
    let mut kept = vec![Kept {
        seats: sparse(&first),
        weight: 1.0,
    }];
    let mut index: BTreeMap<Vec<u32>, usize> = BTreeMap::from([(first.clone(), 0)]);
    let mut x: Vec<f64> = first.iter().map(|&c| f64::from(c)).collect();
    let mut shortfall: Vec<f64> = (0..types).map(|t| target[t] - x[t]).collect();
    let mut weights: Vec<f64> = (0..types).map(|t| shortfall[t] * metric[t]).collect();
    // Per kept panel ⟨w, c⟩, kept current by the changes of w (types whose seats moved),
    // through the panels holding each type; recomputed in full every REFRESH iterations.
    let mut values = vec![kept[0].dot(&weights)];
    let mut holding: Vec<Vec<(usize, f64)>> = vec![Vec::new(); types];
    for &(t, c) in &kept[0].seats {
        holding[t].push((0, f64::from(c)));
    }
    let mut direction: Vec<(usize, f64)> = Vec::new();
    let mut dense = vec![0.0f64; types];
    // The gap the last pricing call proved (∞ before the first).
    let mut proved = f64::INFINITY;
    while progress.iterations < max_iterations {
        if (0..types).all(|t| floor[t] <= 0.0 || x[t] >= (1.0 - tolerance) * floor[t]) {
            break;
        }
        progress.iterations += 1;
        if progress.iterations.is_multiple_of(REFRESH) {
            for (v, p) in values.iter_mut().zip(&kept) {
                *v = p.dot(&weights);
            }
        }
        // The away panel: the lottery's panel covering the shortfalls least; the best kept
        // panel.
        let (mut away, mut away_value) = (0, f64::INFINITY);
        let (mut toward, mut toward_value) = (0, f64::NEG_INFINITY);
        for (i, (&v, p)) in values.iter().zip(&kept).enumerate() {
            if p.weight > 0.0 && v < away_value {
                (away, away_value) = (i, v);
            }
            if v > toward_value {
                (toward, toward_value) = (i, v);
            }
        }
        // The oracle when the kept panels are not good enough.
        let called = toward_value - away_value < LAZY * proved;
        if called {
            let enough = away_value + LAZY * proved;
            let Some((counts, upper)) = price(&weights, enough, &mut progress) else {
                break;
            };
            let value: f64 = counts
                .iter()
                .zip(&weights)
                .map(|(&c, w)| f64::from(c) * w)
                .sum();
            // The gap proved: exact after an optimal answer; after an early stop at a good
            // enough panel, the last proved gap stands; after the node limit, the search's
            // upper bound.
            proved = match upper {
                None => value - away_value,
                Some(_) if value >= enough => proved,
                Some(bound) => (bound - away_value).max(value - away_value),
            };
            progress.gap = proved;
            if value > toward_value {
                toward_value = value;
                toward = match index.get(&counts) {
                    Some(&i) => i,
                    None => {
                        let i = kept.len();
                        let seats = sparse(&counts);
                        for &(t, c) in &seats {
                            holding[t].push((i, f64::from(c)));
                        }
                        kept.push(Kept { seats, weight: 0.0 });
                        values.push(value);
                        index.insert(counts, i);
                        i
                    }
                };
            }
        }
        let scale = 1.0 + away_value.abs().max(toward_value.abs());
        if toward_value - away_value <= 1e-12 * scale {
            break;
        }
        // The direction c_toward − c_away, sparse.
        direction.clear();
        for &(t, c) in &kept[toward].seats {
            dense[t] += f64::from(c);
        }
        for &(t, c) in &kept[away].seats {
            dense[t] -= f64::from(c);
        }
        for &(t, _) in kept[toward].seats.iter().chain(&kept[away].seats) {
            if dense[t] != 0.0 {
                direction.push((t, dense[t]));
                dense[t] = 0.0;
            }
        }
        // Exact line search on the quadratic: slope ⟨d, c* − x⟩_M over curvature ‖d‖²_M.
        let curvature: f64 = direction.iter().map(|&(t, d)| d * d * metric[t]).sum();
        let slope: f64 = direction
            .iter()
            .map(|&(t, d)| d * shortfall[t] * metric[t])
            .sum();
        if curvature <= 0.0 {
            break;
        }
        let step = (slope / curvature).clamp(0.0, kept[away].weight);
        if step <= 0.0 {
            // No progress along a kept pair (rounding): a pricing call next time; none along
            // the oracle's: done.
            if called {
                break;
            }
            proved = f64::INFINITY;
            continue;
        }
        kept[toward].weight += step;
        kept[away].weight -= step;
        if kept[away].weight < 1e-15 {
            kept[away].weight = 0.0;
        }
        for &(t, d) in &direction {
            x[t] += step * d;
            shortfall[t] = target[t] - x[t];
            let w = shortfall[t] * metric[t];
            let change = w - weights[t];
            weights[t] = w;
            for &(i, c) in &holding[t] {
                values[i] += c * change;
            }
        }
    }
    // With few types, the restricted master over every kept panel is cheap and exact: use
    // its weights if they raise the least ratio of seats to floor.
    if types <= MASTER_TYPES {
        // Column generation from the panels kept: price at the master's duals, add the
        // panel while it improves the master, at most MASTER_ROUNDS times.
        let mut solved = master(types, &kept, &floor);
        for _ in 0..MASTER_ROUNDS {
            let Some(current) = &solved else {
                break;
            };
            let Some((counts, _)) = price(&current.prices, f64::INFINITY, &mut progress) else {
                break;
            };
            let value: f64 = counts
                .iter()
                .zip(&current.prices)
                .map(|(&c, w)| f64::from(c) * w)
                .sum();
            if value <= current.convexity + 1e-9 * (1.0 + current.convexity.abs())
                || index.contains_key(&counts)
            {
                break;
            }
            kept.push(Kept {
                seats: sparse(&counts),
                weight: 0.0,
            });
            index.insert(counts, kept.len() - 1);
            let next = master(types, &kept, &floor);
            if next.is_none() {
                break;
            }
            solved = next;
        }
        let reached = (0..types)
            .filter(|&t| floor[t] > 0.0)
            .map(|t| x[t] / floor[t])
            .fold(f64::INFINITY, f64::min);
        if let Some(solved) = solved
            && solved.z > reached
        {
            for (p, w) in kept.iter_mut().zip(solved.weights) {
                p.weight = w.max(0.0);
            }
            progress.master = true;
        }
    }
    let total: f64 = kept.iter().map(|p| p.weight).sum();
    let panels: Distribution = kept
        .into_iter()
        .filter(|p| p.weight > 0.0)
        .map(|p| {
            let mut counts = vec![0; types];
            for (t, c) in p.seats {
                counts[t] = c;
            }
            (counts, p.weight / total)
        })
        .collect();
    progress.panels = panels.len();
    Some((panels, progress))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fair::distribution_minimum;

    #[test]
    fn one_category_reaches_the_proportional_target() {
        // 10 members in two types (7 of value 0, 3 of value 1), 2 seats, at least one seat
        // for value 1: the best lottery gives value 1 one seat always (1/3 each) and value 0
        // one seat (1/7 each).
        let space = TypeSpace::new(
            2,
            vec![2],
            &[(7, vec![0]), (3, vec![1])],
            &[vec![(0, 2), (1, 2)]],
        );
        let mut pricer = Pricer::new(&space);
        let target = [1.0, 1.0];
        let goal = [1.0 / 7.0, 1.0 / 3.0];
        let (panels, progress) = decompose(&space, &mut pricer, &target, &goal, 1e-9, 100).unwrap();
        assert!(progress.iterations <= 100);
        assert!(panels.iter().all(|(c, _)| space.is_feasible(c)));
        let sum: f64 = panels.iter().map(|(_, w)| w).sum();
        assert!((sum - 1.0).abs() < 1e-12);
        assert!((distribution_minimum(&space, &panels) - 1.0 / 7.0).abs() < 1e-9);
    }

    #[test]
    fn two_categories_are_matched_by_a_mixture() {
        // Four types, a 2×2 grid of values, one seat per value of each category: the target
        // of half a seat each needs a mixture of the two diagonal panels.
        let space = TypeSpace::new(
            2,
            vec![2, 2],
            &[
                (1, vec![0, 0]),
                (1, vec![0, 1]),
                (1, vec![1, 0]),
                (1, vec![1, 1]),
            ],
            &[vec![(1, 1), (1, 1)], vec![(1, 1), (1, 1)]],
        );
        let mut pricer = Pricer::new(&space);
        let target = [0.5; 4];
        let (panels, _) = decompose(&space, &mut pricer, &target, &[0.5; 4], 1e-9, 1000).unwrap();
        assert!((distribution_minimum(&space, &panels) - 0.5).abs() < 1e-9);
        assert_eq!(panels.len(), 2);
    }

    #[test]
    fn no_feasible_panel_is_none() {
        let space = TypeSpace::new(1, vec![2], &[(1, vec![0])], &[vec![(0, 0), (1, 1)]]);
        let mut pricer = Pricer::new(&space);
        assert!(decompose(&space, &mut pricer, &[1.0], &[1.0], 1e-9, 10).is_none());
    }
}
