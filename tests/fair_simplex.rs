//! The bounded simplex of `fair::simplex` on LPs shaped like the fair lottery's: types with
//! sizes (`0 ≤ x_t ≤ m_t`), one to four categories of 3–7 values with quota rows
//! `min ≤ Σ_{t has v} x_t ≤ max`, and `Σ x_t = k`. Every optimum is checked by an independent
//! certificate (primal feasibility, dual sign conditions, strong duality), which proves it
//! optimal; warm re-solves (branch and bound, new weights) are checked against cold solves.

use std::collections::BTreeMap;

use floorshare::fair::TypeSpace;
use floorshare::fair::simplex::{Algorithm, Lp, Row, Status};
use floorshare::lot::{seeded, uniform_below, unit_interval, weighted_index};
use proptest::prelude::*;

/// A fair-lottery instance in type space: `n` organisations with values drawn from skewed
/// (Zipf-like, 1/(v+1)) frequencies and a shared latent factor, quotas within `slack` of
/// proportional for `k` seats.
fn instance(seed: u64, values: &[u32], n: usize, k: u32, slack: u32) -> TypeSpace {
    let mut rng = seeded(seed);
    let most = *values.iter().max().unwrap();
    let zipf: Vec<f64> = (0..most).map(|v| 1.0 / (f64::from(v) + 1.0)).collect();
    let mut counts: BTreeMap<Vec<u32>, u32> = BTreeMap::new();
    for _ in 0..n {
        let latent = weighted_index(&mut rng, &zipf).unwrap() as u32;
        let key: Vec<u32> = values
            .iter()
            .map(|&count| {
                if unit_interval(&mut rng) < 0.5 {
                    latent % count
                } else {
                    weighted_index(&mut rng, &zipf[..count as usize]).unwrap() as u32
                }
            })
            .collect();
        *counts.entry(key).or_default() += 1;
    }
    let bounds: Vec<Vec<(u32, u32)>> = values
        .iter()
        .enumerate()
        .map(|(j, &count)| {
            (0..count)
                .map(|v| {
                    let members: u32 = counts
                        .iter()
                        .filter(|(key, _)| key[j] == v)
                        .map(|(_, m)| m)
                        .sum();
                    let share = f64::from(k) * f64::from(members) / n as f64;
                    let lo = (share.floor() as u32).saturating_sub(slack);
                    let hi = share.ceil() as u32 + slack;
                    (lo, hi)
                })
                .collect()
        })
        .collect();
    let types: Vec<(u32, Vec<u32>)> = counts.into_iter().map(|(key, m)| (m, key)).collect();
    TypeSpace::new(k, values.to_vec(), &types, &bounds)
}

/// The relaxation in dense form: rows (coefficients, lower, upper), bounds.
struct Relaxation {
    rows: Vec<(Vec<f64>, f64, f64)>,
    bounds: Vec<(f64, f64)>,
}

impl Relaxation {
    fn of(space: &TypeSpace) -> Relaxation {
        let types = space.types();
        let mut rows = Vec::new();
        for j in 0..space.categories() {
            for v in 0..space.values(j) {
                let a = (0..types)
                    .map(|t| f64::from(u8::from(space.value_of(t, j) == v)))
                    .collect();
                rows.push((a, f64::from(space.min(j, v)), f64::from(space.max(j, v))));
            }
        }
        let k = f64::from(space.k());
        rows.push((vec![1.0; types], k, k));
        let bounds = (0..types)
            .map(|t| (0.0, f64::from(space.size(t))))
            .collect();
        Relaxation { rows, bounds }
    }

    /// The same with each quota as two one-sided rows, `≥ min` and `≤ max` (up to ~100 rows).
    fn split(space: &TypeSpace) -> Relaxation {
        let ranged = Relaxation::of(space);
        let total = ranged.rows.len() - 1;
        let mut rows = Vec::new();
        for (a, lo, hi) in &ranged.rows[..total] {
            rows.push((a.clone(), *lo, f64::INFINITY));
            rows.push((a.clone(), f64::NEG_INFINITY, *hi));
        }
        rows.push(ranged.rows[total].clone());
        Relaxation {
            rows,
            bounds: ranged.bounds,
        }
    }

    fn lp(&self, weights: &[f64]) -> Lp {
        let rows = self
            .rows
            .iter()
            .map(|(a, lo, hi)| {
                let terms = a
                    .iter()
                    .enumerate()
                    .filter(|&(_, &v)| v != 0.0)
                    .map(|(t, &v)| (t, v))
                    .collect();
                Row::range(terms, *lo, *hi)
            })
            .collect();
        Lp::new(rows, self.bounds.clone(), weights.to_vec())
    }

    /// Proves `lp`'s optimum optimal: `x` feasible, duals of the right signs (complementary
    /// slackness), `d = c − Aᵀy`, and `c·x` equal to the dual objective.
    fn certify(&self, lp: &Lp, weights: &[f64]) {
        let tol = 1e-7;
        let (x, y, d) = (lp.x(), lp.row_duals(), lp.reduced_costs());
        let mut dual = 0.0;
        for (r, (a, lo, hi)) in self.rows.iter().enumerate() {
            let act: f64 = a.iter().zip(x).map(|(a, x)| a * x).sum();
            assert!(
                act >= lo - tol && act <= hi + tol,
                "row {r}: {act} not in [{lo}, {hi}]"
            );
            if y[r] > tol {
                assert!(
                    (act - hi).abs() < tol,
                    "row {r}: y {} > 0 below its upper bound",
                    y[r]
                );
                dual += y[r] * hi;
            } else if y[r] < -tol {
                assert!(
                    (act - lo).abs() < tol,
                    "row {r}: y {} < 0 above its lower bound",
                    y[r]
                );
                dual += y[r] * lo;
            }
        }
        let mut primal = 0.0;
        for (t, &(l, u)) in self.bounds.iter().enumerate() {
            assert!(
                x[t] >= l && x[t] <= u,
                "type {t}: {} not in [{l}, {u}]",
                x[t]
            );
            let dt = weights[t]
                - self
                    .rows
                    .iter()
                    .zip(y)
                    .map(|(r, y)| r.0[t] * y)
                    .sum::<f64>();
            assert!((dt - d[t]).abs() < tol, "reduced cost of type {t}");
            if d[t] > tol {
                assert!(
                    (x[t] - u).abs() < tol,
                    "type {t}: d {} > 0 below its upper bound",
                    d[t]
                );
                dual += d[t] * u;
            } else if d[t] < -tol {
                assert!(
                    (x[t] - l).abs() < tol,
                    "type {t}: d {} < 0 above its lower bound",
                    d[t]
                );
                dual += d[t] * l;
            }
            primal += weights[t] * x[t];
        }
        assert!((primal - lp.objective()).abs() < 1e-9 * primal.abs().max(1.0));
        assert!(
            (primal - dual).abs() < 1e-7 * primal.abs().max(1.0),
            "strong duality: primal {primal}, dual {dual}"
        );
    }
}

fn weights(seed: u64, types: usize) -> Vec<f64> {
    let mut rng = seeded(seed);
    (0..types).map(|_| unit_interval(&mut rng)).collect()
}

/// Type counts of an integral point, if `x` is integral.
fn integral(x: &[f64]) -> Option<Vec<u32>> {
    x.iter()
        .map(|&v| ((v - v.round()).abs() < 1e-9).then_some(v.round() as u32))
        .collect()
}

fn arb_shape() -> impl Strategy<Value = (u64, Vec<u32>, usize, u32, u32)> {
    (
        any::<u64>(),
        prop::collection::vec(3u32..=7, 1..=4),
        30usize..=600,
        1u32..=60,
        0u32..=2,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Cold solves, both algorithms, certified; few iterations; integral optima are panels.
    #[test]
    fn relaxations_are_solved_and_certified((seed, values, n, k, slack) in arb_shape()) {
        let space = instance(seed, &values, n, k.min(n as u32), slack);
        let relaxation = Relaxation::of(&space);
        let w = weights(seed ^ 1, space.types());
        let mut dual = relaxation.lp(&w);
        let mut primal = relaxation.lp(&w);
        let status = dual.solve();
        prop_assert_eq!(primal.solve_with(Algorithm::Primal), status);
        prop_assert_ne!(status, Status::IterationLimit);
        if status == Status::Optimal {
            relaxation.certify(&dual, &w);
            relaxation.certify(&primal, &w);
            prop_assert!((dual.objective() - primal.objective()).abs() < 1e-9 * dual.objective().abs().max(1.0));
            // Quickly: a few iterations per row, far below the iteration limit.
            prop_assert!(dual.iterations() <= 4 * dual.rows() + 20,
                "{} iterations for {} rows, {} types", dual.iterations(), dual.rows(), space.types());
            if let Some(counts) = integral(dual.x()) {
                prop_assert!(space.is_feasible(&counts));
            }
        } else {
            // Quotas within 1 or 2 of proportional are satisfiable; only exact ones may not be.
            prop_assert_eq!(slack, 0);
        }
    }

    /// Column generation: successive new weights re-solved from the previous basis match cold
    /// solves.
    #[test]
    fn new_weights_resolve_like_cold_solves((seed, values, n, k, _) in arb_shape()) {
        let space = instance(seed, &values, n, k.min(n as u32), 1);
        let relaxation = Relaxation::of(&space);
        let mut w = weights(seed ^ 1, space.types());
        let mut warm = relaxation.lp(&w);
        prop_assert_eq!(warm.solve(), Status::Optimal);
        let mut rng = seeded(seed ^ 2);
        for round in 0..10 {
            // Perturb by 1 %, 10 % or 100 %.
            let scale = [0.01, 0.1, 1.0][round % 3];
            for wt in &mut w {
                *wt += scale * (unit_interval(&mut rng) - 0.5);
            }
            warm.set_objective(&w);
            prop_assert_eq!(warm.resolve(), Status::Optimal);
            relaxation.certify(&warm, &w);
            let mut cold = relaxation.lp(&w);
            prop_assert_eq!(cold.solve(), Status::Optimal);
            prop_assert!((warm.objective() - cold.objective()).abs() < 1e-9 * cold.objective().abs().max(1.0));
        }
    }
}

/// Depth-first branch and bound for the best integral panel, every node re-solved warm from
/// the previous node's basis and compared with a cold solve. Returns the best value and the
/// number of nodes.
fn branch_and_bound(relaxation: &Relaxation, w: &[f64], space: &TypeSpace) -> (Option<f64>, usize) {
    let mut lp = relaxation.lp(w);
    let mut bounds = relaxation.bounds.clone();
    let mut best: Option<f64> = None;
    let mut nodes = 0;
    // Stack of (type, bounds to restore, bounds to try).
    fn node(
        lp: &mut Lp,
        relaxation: &Relaxation,
        w: &[f64],
        space: &TypeSpace,
        bounds: &mut Vec<(f64, f64)>,
        best: &mut Option<f64>,
        nodes: &mut usize,
    ) {
        *nodes += 1;
        let status = lp.resolve();
        let mut cold = Lp::new(
            relaxation
                .rows
                .iter()
                .map(|(a, lo, hi)| {
                    Row::range(
                        a.iter()
                            .copied()
                            .enumerate()
                            .filter(|p| p.1 != 0.0)
                            .collect(),
                        *lo,
                        *hi,
                    )
                })
                .collect(),
            bounds.clone(),
            w.to_vec(),
        );
        assert_eq!(cold.solve(), status, "node {nodes}");
        if status != Status::Optimal {
            return;
        }
        assert!((lp.objective() - cold.objective()).abs() < 1e-9 * cold.objective().abs().max(1.0));
        let check = Relaxation {
            rows: relaxation.rows.clone(),
            bounds: bounds.clone(),
        };
        check.certify(lp, w);
        if best.is_some_and(|b| lp.objective() <= b + 1e-9) {
            return;
        }
        let x = lp.x().to_vec();
        let Some(t) = x.iter().position(|v| (v - v.round()).abs() > 1e-9) else {
            let counts = integral(&x).unwrap();
            assert!(space.is_feasible(&counts));
            *best = Some(lp.objective());
            return;
        };
        let saved = bounds[t];
        for (l, u) in [(saved.0, x[t].floor()), (x[t].ceil(), saved.1)] {
            bounds[t] = (l, u);
            lp.set_bounds(t, l, u);
            node(lp, relaxation, w, space, bounds, best, nodes);
        }
        bounds[t] = saved;
        lp.set_bounds(t, saved.0, saved.1);
    }
    assert_eq!(lp.solve(), Status::Optimal);
    node(
        &mut lp,
        relaxation,
        w,
        space,
        &mut bounds,
        &mut best,
        &mut nodes,
    );
    (best, nodes)
}

/// The best integral panel by enumerating every vector of type counts.
fn enumerate(space: &TypeSpace, w: &[f64]) -> Option<f64> {
    let types = space.types();
    let mut counts = vec![0u32; types];
    let mut best: Option<f64> = None;
    loop {
        if space.is_feasible(&counts) {
            let v: f64 = counts.iter().zip(w).map(|(&c, w)| f64::from(c) * w).sum();
            if best.is_none_or(|b| v > b) {
                best = Some(v);
            }
        }
        let mut t = 0;
        loop {
            if t == types {
                return best;
            }
            if counts[t] < space.size(t) {
                counts[t] += 1;
                break;
            }
            counts[t] = 0;
            t += 1;
        }
    }
}

#[test]
fn branch_and_bound_with_warm_resolves_finds_the_best_panel() {
    let mut total_nodes = 0;
    let mut instances = 0;
    for seed in 0..100u64 {
        let mut rng = seeded(seed);
        let categories = 2 + uniform_below(&mut rng, 3) as usize;
        let values: Vec<u32> = (0..categories)
            .map(|_| 3 + uniform_below(&mut rng, 2) as u32)
            .collect();
        let space = instance(seed, &values, 18, 7, 0);
        // Keep the enumeration small.
        let points: f64 = (0..space.types())
            .map(|t| f64::from(space.size(t) + 1))
            .product();
        if points > 2e6 {
            continue;
        }
        instances += 1;
        let relaxation = Relaxation::of(&space);
        let w = weights(seed ^ 3, space.types());
        let (best, nodes) = branch_and_bound(&relaxation, &w, &space);
        total_nodes += nodes;
        let expected = enumerate(&space, &w);
        match (best, expected) {
            (Some(b), Some(e)) => assert!((b - e).abs() < 1e-9, "seed {seed}: {b} vs {e}"),
            (None, None) => {}
            other => panic!("seed {seed}: {other:?}"),
        }
    }
    eprintln!("{instances} instances, {total_nodes} nodes");
    assert!(total_nodes > 100, "{total_nodes} nodes");
}

/// Branch and bound on a larger four-category instance (no enumeration).
#[test]
fn branch_and_bound_on_a_four_category_instance() {
    let space = instance(11, &[7, 7, 5, 4], 300, 20, 1);
    let relaxation = Relaxation::of(&space);
    let w = weights(12, space.types());
    let (best, nodes) = branch_and_bound(&relaxation, &w, &space);
    assert!(best.is_some());
    assert!(nodes >= 3, "{nodes} nodes");
}

/// Random dives: warm re-solves after one bound change each — a branch on a random type
/// (below or above its current value), the restoration of a type's bounds, or, after an
/// infeasible branch, its undoing — all matching cold solves of the same bounds.
#[test]
fn single_bound_changes_resolve_like_cold_solves() {
    for (seed, values) in [
        (21u64, vec![7u32, 7, 7, 7]),
        (22, vec![3, 5, 7]),
        (23, vec![6]),
    ] {
        let space = instance(seed, &values, 500, 40, 1);
        let relaxation = Relaxation::of(&space);
        let w = weights(seed, space.types());
        let mut warm = relaxation.lp(&w);
        assert_eq!(warm.solve(), Status::Optimal);
        let mut rng = seeded(seed ^ 9);
        let mut bounds = relaxation.bounds.clone();
        let mut x = warm.x().to_vec();
        let mut statuses = [0usize; 2];
        let mut most_iterations = 0;
        let mut change = |lp: &mut Lp, bounds: &mut Vec<(f64, f64)>, t: usize, b: (f64, f64)| {
            bounds[t] = b;
            lp.set_bounds(t, b.0, b.1);
            let status = lp.resolve();
            let check = Relaxation {
                rows: relaxation.rows.clone(),
                bounds: bounds.clone(),
            };
            let mut cold = check.lp(&w);
            assert_eq!(cold.solve(), status, "seed {seed}");
            if status == Status::Optimal {
                check.certify(lp, &w);
                let scale = cold.objective().abs().max(1.0);
                assert!((lp.objective() - cold.objective()).abs() < 1e-9 * scale);
                most_iterations = most_iterations.max(lp.iterations());
            }
            statuses[usize::from(status != Status::Optimal)] += 1;
            status
        };
        for _ in 0..300 {
            let t = uniform_below(&mut rng, space.types() as u64) as usize;
            let before = bounds[t];
            let (l, u) = before;
            let branch = match uniform_below(&mut rng, 3) {
                0 => relaxation.bounds[t],
                1 => (l, (x[t].ceil() - 1.0).max(l)),
                _ => ((x[t].floor() + 1.0).min(u), u),
            };
            if change(&mut warm, &mut bounds, t, branch) != Status::Optimal {
                assert_eq!(change(&mut warm, &mut bounds, t, before), Status::Optimal);
            }
            x.copy_from_slice(warm.x());
        }
        eprintln!(
            "seed {seed}: {} types, {statuses:?} optimal/infeasible, at most {most_iterations} iterations",
            space.types()
        );
        assert!(statuses[0] > 200 && statuses[1] > 10, "{statuses:?}");
        // Few iterations: one bound moved.
        assert!(
            most_iterations <= warm.rows() + 10,
            "{most_iterations} iterations"
        );
    }
}

/// The largest shape the solver is meant for: 6 categories of 8 values as one-sided rows
/// (97 rows) over about 3 000 types, cold by both algorithms, then warm re-solves after single
/// bound changes and new weights, all certified and matching cold solves.
#[test]
fn largest_shape_with_one_sided_quota_rows() {
    let space = instance(31, &[8; 6], 4_000, 100, 1);
    let relaxation = Relaxation::split(&space);
    assert_eq!(relaxation.rows.len(), 97);
    assert!(space.types() > 2_000, "{} types", space.types());
    let w = weights(32, space.types());
    let mut lp = relaxation.lp(&w);
    assert_eq!(lp.solve(), Status::Optimal);
    relaxation.certify(&lp, &w);
    let cold_iterations = lp.iterations();
    let mut primal = relaxation.lp(&w);
    assert_eq!(primal.solve_with(Algorithm::Primal), Status::Optimal);
    relaxation.certify(&primal, &w);
    assert!((lp.objective() - primal.objective()).abs() < 1e-9 * lp.objective().abs());
    let mut rng = seeded(33);
    let mut bounds = relaxation.bounds.clone();
    for _ in 0..30 {
        // Branch on the basic column with the most seats, or restore a random column.
        let x = lp.x().to_vec();
        let basic = (0..space.types())
            .filter(|&t| x[t] > bounds[t].0 && x[t] < bounds[t].1)
            .max_by(|&a, &b| x[a].total_cmp(&x[b]).then(b.cmp(&a)));
        let (t, b) = match basic {
            Some(t) if uniform_below(&mut rng, 4) != 0 => {
                (t, (bounds[t].0, (x[t] - 1e-9).ceil() - 1.0))
            }
            _ => {
                let t = uniform_below(&mut rng, space.types() as u64) as usize;
                (t, relaxation.bounds[t])
            }
        };
        bounds[t] = b;
        lp.set_bounds(t, b.0, b.1);
        let status = lp.resolve();
        let check = Relaxation {
            rows: relaxation.rows.clone(),
            bounds: bounds.clone(),
        };
        let mut cold = check.lp(&w);
        assert_eq!(cold.solve(), status);
        if status == Status::Optimal {
            check.certify(&lp, &w);
            assert!((lp.objective() - cold.objective()).abs() < 1e-9 * cold.objective().abs());
        } else {
            bounds[t] = relaxation.bounds[t];
            lp.set_bounds(t, bounds[t].0, bounds[t].1);
            assert_eq!(lp.resolve(), Status::Optimal);
        }
    }
    let mut w2 = w.clone();
    for wt in &mut w2 {
        *wt += 0.1 * (unit_interval(&mut rng) - 0.5);
    }
    lp.set_objective(&w2);
    assert_eq!(lp.resolve(), Status::Optimal);
    let check = Relaxation {
        rows: relaxation.rows.clone(),
        bounds: bounds.clone(),
    };
    check.certify(&lp, &w2);
    eprintln!(
        "{} types, {} rows: cold {cold_iterations} iterations (primal {})",
        space.types(),
        lp.rows(),
        primal.iterations()
    );
}
