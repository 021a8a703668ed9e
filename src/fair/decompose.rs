//! A distribution over quota-feasible panels whose expected seats per type come as close as
//! possible to target seats (the relaxation's fractional optimum).
//!
//! The expected seats of a lottery lie in the convex hull of the feasible panels' seat
//! vectors. Pairwise Frank–Wolfe (Lacoste-Julien & Jaggi, "On the global linear convergence of
//! Frank-Wolfe optimization variants", NeurIPS 2015) minimises the distance
//! Σ_t (x_t − c*_t)² / m_t over that hull — the squared distance between the members'
//! probabilities and their targets, one term per organisation — with the pricing oracle as its
//! linear minimisation step: each iteration moves weight from the worst panel of the lottery
//! to the best panel for the current shortfalls, by an exact line search. It converges
//! linearly on a polytope, keeps an explicit lottery at every step (its panels and weights),
//! and needs no linear programme.

use std::collections::BTreeMap;

use super::{Outcome, Pricer, TypeSpace};

/// A distribution over panels: each panel's seats per type and its weight.
pub type Distribution = Vec<(Vec<u32>, f64)>;

/// How far the decomposition went.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// Iterations run.
    pub iterations: u32,
    /// The last pairwise gap ⟨g, c_away − c_toward⟩ (0 at the optimum).
    pub gap: f64,
    /// Whether a pricing call stopped at its node limit (the step then used the best panel
    /// found, which is still feasible).
    pub inexact_pricing: bool,
    /// Calls of the pricing oracle.
    pub pricing_calls: u32,
    /// Panels of the returned distribution (positive weight).
    pub panels: usize,
}

/// Pairwise Frank–Wolfe towards `target` (fractional seats per type, summing to k), stopping
/// when the least ratio x_t / (m_t · goal_t) reaches `1 − tolerance` (each type's expected
/// seats within `tolerance` of its share of `goal`, a per-type floor: the relaxation's
/// probability, or for process fairness the floor on this session's share), when the pairwise
/// gap vanishes, or after `max_iterations`. Returns the panels with their weights (summing to
/// 1), or `None` when no feasible panel exists.
pub fn decompose(
    space: &TypeSpace,
    pricer: &mut Pricer<'_>,
    target: &[f64],
    goal: &[f64],
    tolerance: f64,
    max_iterations: u32,
) -> Option<(Distribution, Progress)> {
    let types = space.types();
    let size = |t: usize| f64::from(space.size(t));
    // Start at the panel best aligned with the targets.
    let start: Vec<f64> = (0..types).map(|t| target[t] / size(t)).collect();
    let first = match pricer.price(&start) {
        Outcome::Optimal(panel) => panel.counts,
        Outcome::NodeLimit {
            best: Some(panel), ..
        } => panel.counts,
        Outcome::Infeasible | Outcome::NodeLimit { best: None, .. } => return None,
    };
    let mut panels: Vec<(Vec<u32>, f64)> = vec![(first.clone(), 1.0)];
    let mut index: BTreeMap<Vec<u32>, usize> = BTreeMap::from([(first.clone(), 0)]);
    let mut x: Vec<f64> = first.iter().map(|&c| f64::from(c)).collect();
    let mut weights = vec![0.0; types];
    let mut progress = Progress {
        iterations: 0,
        gap: f64::INFINITY,
        inexact_pricing: false,
        pricing_calls: 1,
        panels: 0,
    };
    let reached = |x: &[f64]| {
        (0..types).all(|t| goal[t] <= 0.0 || x[t] >= (1.0 - tolerance) * goal[t] * size(t))
    };
    while progress.iterations < max_iterations && !reached(&x) {
        progress.iterations += 1;
        // g_t: half the gradient of Σ (x_t − c*_t)² / m_t.
        let gradient: Vec<f64> = (0..types).map(|t| (x[t] - target[t]) / size(t)).collect();
        for (w, g) in weights.iter_mut().zip(&gradient) {
            *w = -g;
        }
        progress.pricing_calls += 1;
        let toward = match pricer.price(&weights) {
            Outcome::Optimal(panel) => panel.counts,
            Outcome::NodeLimit {
                best: Some(panel), ..
            } => {
                progress.inexact_pricing = true;
                panel.counts
            }
            Outcome::Infeasible | Outcome::NodeLimit { best: None, .. } => break,
        };
        let dot = |counts: &[u32]| -> f64 {
            counts
                .iter()
                .zip(&gradient)
                .map(|(&c, g)| f64::from(c) * g)
                .sum()
        };
        // The away panel: the lottery's panel worst for the current shortfalls.
        let (away, away_value) = panels
            .iter()
            .enumerate()
            .filter(|(_, (_, weight))| *weight > 0.0)
            .map(|(i, (counts, _))| (i, dot(counts)))
            .fold((0, f64::NEG_INFINITY), |best, (i, v)| {
                if v > best.1 { (i, v) } else { best }
            });
        progress.gap = away_value - dot(&toward);
        if progress.gap <= 1e-12 * (1.0 + away_value.abs()) {
            break;
        }
        let direction: Vec<f64> = (0..types)
            .map(|t| f64::from(toward[t]) - f64::from(panels[away].0[t]))
            .collect();
        let curvature: f64 = (0..types)
            .map(|t| direction[t] * direction[t] / size(t))
            .sum();
        let slope: f64 = (0..types).map(|t| gradient[t] * direction[t]).sum();
        if curvature <= 0.0 {
            break;
        }
        let step = (-slope / curvature).clamp(0.0, panels[away].1);
        if step <= 0.0 {
            break;
        }
        let to = match index.get(&toward) {
            Some(&i) => i,
            None => {
                index.insert(toward.clone(), panels.len());
                panels.push((toward, 0.0));
                panels.len() - 1
            }
        };
        panels[to].1 += step;
        panels[away].1 -= step;
        if panels[away].1 < 1e-15 {
            panels[away].1 = 0.0;
        }
        for (xt, d) in x.iter_mut().zip(&direction) {
            *xt += step * d;
        }
    }
    let total: f64 = panels.iter().map(|(_, w)| w).sum();
    let panels: Distribution = panels
        .into_iter()
        .filter(|(_, w)| *w > 0.0)
        .map(|(c, w)| (c, w / total))
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
