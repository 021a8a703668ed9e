use proptest::prelude::*;

use super::*;
use crate::lot::{seeded, uniform_below, unit_interval};

/// The exact optimum by enumerating every count vector within `lo ..= min(hi, m)` summing to
/// `k`: `None` if no vector is quota-feasible.
fn brute_force(space: &TypeSpace, weights: &[f64], lo: &[u32], hi: &[u32]) -> Option<f64> {
    #[allow(clippy::too_many_arguments)]
    fn walk(
        space: &TypeSpace,
        weights: &[f64],
        lo: &[u32],
        hi: &[u32],
        t: usize,
        left: u32,
        counts: &mut Vec<u32>,
        best: &mut Option<f64>,
    ) {
        let n = space.types();
        if t == n {
            if left == 0 && space.is_feasible(counts) {
                let value = objective(weights, counts);
                if best.is_none_or(|b| value > b) {
                    *best = Some(value);
                }
            }
            return;
        }
        let top = hi[t].min(space.size(t)).min(left);
        let mut c = lo[t];
        while c <= top {
            counts[t] = c;
            walk(space, weights, lo, hi, t + 1, left - c, counts, best);
            c += 1;
        }
        counts[t] = 0;
    }
    let mut best = None;
    let mut counts = vec![0; space.types()];
    walk(space, weights, lo, hi, 0, space.k(), &mut counts, &mut best);
    best
}

fn full(space: &TypeSpace) -> (Vec<u32>, Vec<u32>) {
    let hi: Vec<u32> = (0..space.types()).map(|t| space.size(t)).collect();
    (vec![0; hi.len()], hi)
}

/// Equal within 10⁻⁹ of the objective's natural scale, `k · max |w_t|` (a relative test that
/// stays meaningful when the optimum itself is near 0 by cancellation).
fn close(a: f64, b: f64, space: &TypeSpace, weights: &[f64]) -> bool {
    let scale = weights.iter().fold(0.0f64, |m, w| m.max(w.abs())) * f64::from(space.k());
    (a - b).abs() <= 1e-9 * scale
}

/// Checks an outcome against the brute-force optimum: feasible within the bounds, with the
/// optimal value, or infeasible exactly when brute force finds nothing.
fn check(
    space: &TypeSpace,
    weights: &[f64],
    lo: &[u32],
    hi: &[u32],
    outcome: &Outcome,
) -> Result<(), TestCaseError> {
    let expected = brute_force(space, weights, lo, hi);
    match (outcome, expected) {
        (Outcome::Optimal(panel), Some(best)) => {
            prop_assert!(space.is_feasible(&panel.counts), "{panel:?} infeasible");
            for t in 0..space.types() {
                prop_assert!(lo[t] <= panel.counts[t] && panel.counts[t] <= hi[t]);
            }
            prop_assert_eq!(panel.value, objective(weights, &panel.counts));
            prop_assert!(
                close(panel.value, best, space, weights),
                "{} vs best {}",
                panel.value,
                best
            );
        }
        (Outcome::Infeasible, None) => {}
        (other, expected) => {
            prop_assert!(false, "got {other:?}, brute force {expected:?}");
        }
    }
    Ok(())
}

/// A random small instance: up to `max_categories` categories of 1–3 values, 1–6 types of
/// 1–3 members, k ≤ 6, weights with ties and negatives, per-type bounds. Half the cases are
/// built around a hidden witness panel (quotas and bounds loosened around its counts by a
/// random slack), so that feasible and infeasible cases are both common.
#[derive(Debug, Clone)]
struct Case {
    space: TypeSpace,
    weights: Vec<f64>,
    lo: Vec<u32>,
    hi: Vec<u32>,
}

fn case(categories: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = Case> {
    (categories, 1usize..=6, 0u32..=6, any::<u64>()).prop_map(|(cats, n, k, seed)| {
        let mut rng = seeded(seed);
        let mut draw = |m: u64| uniform_below(&mut rng, m) as u32;
        let values: Vec<u32> = (0..cats).map(|_| 1 + draw(3)).collect();
        let types: Vec<(u32, Vec<u32>)> = (0..n)
            .map(|_| {
                (
                    1 + draw(3),
                    values.iter().map(|&v| draw(u64::from(v))).collect(),
                )
            })
            .collect();
        let witness = draw(2) == 0;
        // The witness: random counts within the sizes; k is their sum.
        let counts: Vec<u32> = types
            .iter()
            .map(|(m, _)| draw(u64::from(*m) + 1).min(2))
            .collect();
        let k = if witness {
            counts.iter().sum::<u32>().min(6)
        } else {
            k
        };
        let bounds: Vec<Vec<(u32, u32)>> = values
            .iter()
            .enumerate()
            .map(|(j, &v)| {
                (0..v)
                    .map(|v| {
                        if witness {
                            let seats: u32 = types
                                .iter()
                                .zip(&counts)
                                .filter(|((_, x), _)| x[j] == v)
                                .map(|(_, c)| c)
                                .sum();
                            (seats.saturating_sub(draw(2)), seats + draw(2))
                        } else {
                            let min = draw(3);
                            // Mostly min ≤ max, sometimes a contradictory pair.
                            let max = if draw(10) == 0 {
                                min.saturating_sub(1)
                            } else {
                                min + draw(5)
                            };
                            (min, max)
                        }
                    })
                    .collect()
            })
            .collect();
        let weights: Vec<f64> = (0..n)
            .map(|_| match draw(3) {
                0 => f64::from(draw(7)) - 3.0,
                1 => {
                    let mut r = seeded(u64::from(draw(1 << 30)));
                    2.0 * unit_interval(&mut r) - 1.0
                }
                _ => f64::from(draw(1000)) / 997.0 - 0.3,
            })
            .collect();
        let (lo, hi): (Vec<u32>, Vec<u32>) = (0..n)
            .map(|t| {
                if witness {
                    let c = counts[t];
                    (
                        if draw(3) == 0 {
                            c.saturating_sub(draw(2))
                        } else {
                            0
                        },
                        if draw(3) == 0 { c + draw(2) } else { 9 },
                    )
                } else {
                    (
                        if draw(3) == 0 { draw(3) } else { 0 },
                        if draw(3) == 0 { draw(5) } else { 9 },
                    )
                }
            })
            .unzip();
        let space = TypeSpace::new(k, values, &types, &bounds);
        Case {
            space,
            weights,
            lo,
            hi,
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn price_matches_brute_force(c in case(0..=3)) {
        let (lo, hi) = full(&c.space);
        let outcome = Pricer::new(&c.space).price(&c.weights);
        check(&c.space, &c.weights, &lo, &hi, &outcome)?;
    }

    #[test]
    fn price_is_exact_at_any_weight_scale(c in case(0..=3), exponent in -9i32..=9) {
        // Column generation prices at duals of order 1/n; the tolerances are relative.
        let weights: Vec<f64> = c.weights.iter().map(|w| w * 10f64.powi(exponent)).collect();
        let outcome = Pricer::new(&c.space).price_within(&weights, &c.lo, &c.hi);
        check(&c.space, &weights, &c.lo, &c.hi, &outcome)?;
    }

    #[test]
    fn price_within_bounds_matches_brute_force(c in case(0..=3)) {
        let mut pricer = Pricer::new(&c.space);
        let outcome = pricer.price_within(&c.weights, &c.lo, &c.hi);
        check(&c.space, &c.weights, &c.lo, &c.hi, &outcome)?;
        // Deterministic: the same call again, and on a fresh pricer, gives the same answer.
        prop_assert_eq!(&pricer.price_within(&c.weights, &c.lo, &c.hi), &outcome);
        prop_assert_eq!(&Pricer::new(&c.space).price_within(&c.weights, &c.lo, &c.hi), &outcome);
    }

    #[test]
    fn branch_and_bound_with_any_bound_is_exact(c in case(0..=3)) {
        let mut pricer = Pricer::new(&c.space);
        let outcome = pricer.price_with(&c.weights, &c.lo, &c.hi, &mut BoxRelaxation::default());
        check(&c.space, &c.weights, &c.lo, &c.hi, &outcome)?;
        let mut pairs = PairFlowRelaxation::new(&c.space);
        let outcome = pricer.price_with(&c.weights, &c.lo, &c.hi, &mut pairs);
        check(&c.space, &c.weights, &c.lo, &c.hi, &outcome)?;
        // Lagrangian, with few steps (weak multipliers) and with many.
        for steps in [0, 2, 60] {
            let mut lagrangian = LagrangianRelaxation::new(&c.space);
            lagrangian.root_steps = steps;
            lagrangian.node_steps = steps / 2;
            let outcome = pricer.price_with(&c.weights, &c.lo, &c.hi, &mut lagrangian);
            check(&c.space, &c.weights, &c.lo, &c.hi, &outcome)?;
        }
    }

    #[test]
    fn flow_agrees_with_greedy_on_one_category(c in case(1..=1)) {
        // The same one-category problem through the flow, on either side of the network.
        let mut pricer = Pricer::new(&c.space);
        let greedy = pricer.price_within(&c.weights, &c.lo, &c.hi);
        check(&c.space, &c.weights, &c.lo, &c.hi, &greedy)?;
        for pairs in [vec![(Some(0), None)], vec![(None, Some(0))]] {
            let mut flow = PairFlowRelaxation::with_pairs(pairs);
            let outcome = pricer.price_with(&c.weights, &c.lo, &c.hi, &mut flow);
            prop_assert_eq!(pricer.stats().nodes <= 1, true);
            check(&c.space, &c.weights, &c.lo, &c.hi, &outcome)?;
        }
    }
}

/// A medium random instance (too large for brute force): `types` types over `categories`
/// categories of `values` values, quotas around proportional.
fn medium(seed: u64, categories: usize, values: u32, types: usize, k: u32) -> Case {
    let mut rng = seeded(seed);
    let tv: Vec<(u32, Vec<u32>)> = (0..types)
        .map(|_| {
            let size = 1 + uniform_below(&mut rng, 4) as u32;
            let vals = (0..categories)
                .map(|_| uniform_below(&mut rng, u64::from(values)) as u32)
                .collect();
            (size, vals)
        })
        .collect();
    let total: u32 = tv.iter().map(|(m, _)| m).sum();
    let bounds: Vec<Vec<(u32, u32)>> = (0..categories)
        .map(|j| {
            (0..values)
                .map(|v| {
                    let members: u32 = tv.iter().filter(|(_, x)| x[j] == v).map(|(m, _)| m).sum();
                    let p = f64::from(k) * f64::from(members) / f64::from(total);
                    ((p - 1.0).ceil().max(0.0) as u32, (p + 1.0).floor() as u32)
                })
                .collect()
        })
        .collect();
    let weights = (0..types).map(|_| unit_interval(&mut rng) - 0.2).collect();
    let space = TypeSpace::new(k, vec![values; categories], &tv, &bounds);
    let (lo, hi) = full(&space);
    Case {
        space,
        weights,
        lo,
        hi,
    }
}

#[test]
fn flow_and_box_branch_and_bound_agree_on_medium_two_category_instances() {
    for seed in 0..60 {
        let c = medium(seed, 2, 3, 9, 8);
        let mut pricer = Pricer::new(&c.space);
        let flow = pricer.price(&c.weights);
        let bb = pricer.price_with(&c.weights, &c.lo, &c.hi, &mut BoxRelaxation::default());
        match (&flow, &bb) {
            (Outcome::Optimal(a), Outcome::Optimal(b)) => {
                assert!(c.space.is_feasible(&a.counts));
                assert!(
                    close(a.value, b.value, &c.space, &c.weights),
                    "seed {seed}: {a:?} vs {b:?}"
                );
            }
            (Outcome::Infeasible, Outcome::Infeasible) => {}
            other => panic!("seed {seed}: {other:?}"),
        }
    }
}

#[test]
fn lagrangian_pair_and_box_bounds_agree_on_medium_four_category_instances() {
    for seed in 0..40 {
        let c = medium(seed, 4, 3, 14, 7);
        let mut pricer = Pricer::new(&c.space);
        let pairs = pricer.price(&c.weights);
        let bb = pricer.price_with(&c.weights, &c.lo, &c.hi, &mut BoxRelaxation::default());
        let flows = pricer.price_with(
            &c.weights,
            &c.lo,
            &c.hi,
            &mut PairFlowRelaxation::new(&c.space),
        );
        assert_eq!(pairs.is_infeasible(), flows.is_infeasible(), "seed {seed}");
        if let (Some(a), Some(b)) = (pairs.optimal(), flows.optimal()) {
            assert!(
                close(a.value, b.value, &c.space, &c.weights),
                "seed {seed}: {a:?} vs {b:?}"
            );
        }
        match (&pairs, &bb) {
            (Outcome::Optimal(a), Outcome::Optimal(b)) => {
                assert!(c.space.is_feasible(&a.counts));
                assert!(
                    close(a.value, b.value, &c.space, &c.weights),
                    "seed {seed}: {a:?} vs {b:?}"
                );
            }
            (Outcome::Infeasible, Outcome::Infeasible) => {}
            other => panic!("seed {seed}: {other:?}"),
        }
    }
}

#[test]
fn node_limit_is_reported_not_mistaken_for_an_optimum() {
    // Find an instance that needs branching, then starve the search.
    let c = (0..200)
        .map(|seed| medium(seed, 3, 3, 14, 7))
        .find(|c| {
            let mut pricer = Pricer::new(&c.space);
            matches!(pricer.price(&c.weights), Outcome::Optimal(_)) && pricer.stats().nodes > 3
        })
        .expect("an instance that branches");
    let exact = Pricer::new(&c.space).price(&c.weights);
    let best = exact.optimal().unwrap().value;
    let options = PricingOptions {
        node_limit: Some(2),
    };
    let mut pricer = Pricer::with_options(&c.space, options);
    match pricer.price(&c.weights) {
        Outcome::NodeLimit {
            best: found,
            upper_bound,
        } => {
            assert_eq!(pricer.stats().nodes, 2);
            assert!(upper_bound >= best - 1e-12, "{upper_bound} < {best}");
            if let Some(panel) = found {
                assert!(c.space.is_feasible(&panel.counts));
                assert!(panel.value <= best + 1e-12);
            }
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn zero_categories_take_the_k_best_with_ties_by_index() {
    let space = TypeSpace::new(3, vec![], &[(1, vec![]), (2, vec![]), (2, vec![])], &[]);
    let outcome = Pricer::new(&space).price(&[1.0, 2.0, 1.0]);
    assert_eq!(outcome.optimal().unwrap().counts, vec![1, 2, 0]);
    let outcome = Pricer::new(&space).price(&[-1.0, -2.0, -1.0]);
    assert_eq!(outcome.optimal().unwrap().counts, vec![1, 0, 2]);
}

#[test]
fn one_category_fills_minima_first() {
    // Value 1 needs 2 seats although its types weigh less.
    let space = TypeSpace::new(
        3,
        vec![2],
        &[(3, vec![0]), (1, vec![1]), (1, vec![1])],
        &[vec![(0, 3), (2, 3)]],
    );
    let outcome = Pricer::new(&space).price(&[5.0, -1.0, 0.5]);
    assert_eq!(
        outcome,
        Outcome::Optimal(Panel {
            counts: vec![1, 1, 1],
            value: 4.5
        })
    );
}

#[test]
fn bounds_beyond_sizes_and_contradictory_bounds() {
    let space = TypeSpace::new(2, vec![], &[(1, vec![]), (1, vec![])], &[]);
    let mut pricer = Pricer::new(&space);
    // hi above the size is clamped to the size.
    let outcome = pricer.price_within(&[1.0, 0.0], &[0, 0], &[5, 5]);
    assert_eq!(outcome.optimal().unwrap().counts, vec![1, 1]);
    // lo above the size: infeasible.
    assert!(
        pricer
            .price_within(&[1.0, 0.0], &[2, 0], &[5, 5])
            .is_infeasible()
    );
    // lo above hi: infeasible.
    assert!(
        pricer
            .price_within(&[1.0, 0.0], &[1, 1], &[0, 1])
            .is_infeasible()
    );
}

#[test]
fn infeasible_quotas_are_reported() {
    // Two categories whose minima cannot both be met in 2 seats.
    let space = TypeSpace::new(
        2,
        vec![2, 2],
        &[(5, vec![0, 0]), (5, vec![1, 1])],
        &[vec![(2, 2), (0, 2)], vec![(0, 2), (1, 2)]],
    );
    assert!(Pricer::new(&space).price(&[1.0, 1.0]).is_infeasible());
}

#[test]
#[should_panic(expected = "finite")]
fn non_finite_weights_panic() {
    let space = TypeSpace::new(1, vec![], &[(1, vec![])], &[]);
    Pricer::new(&space).price(&[f64::NAN]);
}

#[test]
fn random_cases_exercise_both_outcomes_and_branching() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    for categories in 0..=3 {
        let strategy = case(categories..=categories);
        let (mut feasible, mut branched, mut box_branched, runs) = (0, 0, 0, 2000);
        for _ in 0..runs {
            let c = strategy.new_tree(&mut runner).unwrap().current();
            let mut pricer = Pricer::new(&c.space);
            if let Outcome::Optimal(_) = pricer.price_within(&c.weights, &c.lo, &c.hi) {
                feasible += 1;
            }
            branched += usize::from(pricer.stats().nodes > 1);
            pricer.price_with(&c.weights, &c.lo, &c.hi, &mut BoxRelaxation::default());
            box_branched += usize::from(pricer.stats().nodes > 1);
        }
        println!(
            "{categories} categories: {feasible} of {runs} feasible; branched: {branched} \
             (default), {box_branched} (box bound)"
        );
        assert!(
            feasible * 5 >= runs && feasible * 20 <= runs * 19,
            "{feasible}"
        );
        if categories >= 1 {
            assert!(box_branched * 10 >= runs, "{box_branched}");
        }
        // The LP bound of three or more categories is integral on most of these tiny cases:
        // its branching is exercised on the medium instances below.
        let _ = branched;
    }
}

#[test]
fn lp_branch_and_bound_branches_and_agrees_with_the_box_bound() {
    let mut branched = 0;
    for seed in 0..30 {
        let c = medium(seed, 4, 3, 16, 8);
        let mut pricer = Pricer::new(&c.space);
        let lp = pricer.price(&c.weights);
        branched += usize::from(pricer.stats().nodes > 1);
        let bb = pricer.price_with(&c.weights, &c.lo, &c.hi, &mut BoxRelaxation::default());
        match (&lp, &bb) {
            (Outcome::Optimal(a), Outcome::Optimal(b)) => {
                assert!(c.space.is_feasible(&a.counts));
                assert!(
                    close(a.value, b.value, &c.space, &c.weights),
                    "seed {seed}: {a:?} vs {b:?}"
                );
            }
            (Outcome::Infeasible, Outcome::Infeasible) => {}
            other => panic!("seed {seed}: {other:?}"),
        }
    }
    assert!(branched > 0);
}

#[test]
fn warm_starts_keep_the_optimum() {
    // A sequence of related weights (as in Frank–Wolfe), warm and cold: the same values.
    for seed in 0..10 {
        let c = medium(seed, 3, 3, 14, 7);
        let mut warm = Pricer::new(&c.space);
        warm.set_warm_starts(true);
        let mut rng = seeded(seed + 100);
        let mut weights = c.weights.clone();
        for _ in 0..8 {
            for w in &mut weights {
                *w += 0.3 * (unit_interval(&mut rng) - 0.5);
            }
            let a = warm.price_within(&weights, &c.lo, &c.hi);
            let b = Pricer::new(&c.space).price_within(&weights, &c.lo, &c.hi);
            match (&a, &b) {
                (Outcome::Optimal(a), Outcome::Optimal(b)) => {
                    assert!(c.space.is_feasible(&a.counts));
                    assert_eq!(a.value, objective(&weights, &a.counts));
                    assert!(
                        close(a.value, b.value, &c.space, &weights),
                        "{a:?} vs {b:?}"
                    );
                }
                (Outcome::Infeasible, Outcome::Infeasible) => {}
                other => panic!("seed {seed}: {other:?}"),
            }
        }
    }
}

#[test]
fn price_at_least_stops_at_a_good_enough_panel_with_a_valid_bound() {
    for seed in 0..20 {
        let c = medium(seed, 4, 3, 16, 8);
        let exact = Pricer::new(&c.space).price(&c.weights);
        let Some(best) = exact.optimal().map(|p| p.value) else {
            continue;
        };
        for enough in [f64::NEG_INFINITY, best - 0.5, best, f64::INFINITY] {
            let mut pricer = Pricer::new(&c.space);
            match pricer.price_at_least(&c.weights, enough) {
                Outcome::Optimal(panel) => {
                    assert!(
                        close(panel.value, best, &c.space, &c.weights),
                        "seed {seed}"
                    );
                }
                Outcome::NodeLimit {
                    best: Some(panel),
                    upper_bound,
                } => {
                    assert!(c.space.is_feasible(&panel.counts));
                    assert!(panel.value >= enough, "seed {seed}: stopped below {enough}");
                    assert!(upper_bound >= best - 1e-12, "seed {seed}");
                }
                other => panic!("seed {seed}: {other:?}"),
            }
        }
    }
}
