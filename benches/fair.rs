//! Fair-lottery building blocks. `simplex/*`: the bounded simplex on an LP shaped like the
//! fair lottery's relaxation — 2 000 organisations with 4 categories of 7 values, drawn with
//! skewed (Zipf-like) frequencies and a shared latent factor from the seeded generator, grouped
//! into types (one column each, `0 ≤ x_t ≤ size_t`); 28 quota rows within ±1 of proportional
//! for k = 100 seats and one row `Σ x_t = k`; random per-seat weights as objective (the LP a
//! pricing branch and bound solves at every node).
//!
//! - `simplex/cold`: a solve from scratch (the default, dual simplex with bound flipping).
//! - `simplex/cold_primal`: the same by the two-phase primal simplex.
//! - `simplex/warm_bound`: from the solved LP, branch down on the basic column with the most
//!   seats (`u_t = x_t − 1`, or `⌊x_t⌋` if fractional, cutting the optimum off) and re-solve
//!   from the previous basis (dual simplex). The LP is cloned outside the timed part, in every
//!   `warm_*` case.
//! - `simplex/warm_objective`: from the solved LP, new random weights, re-solved from the
//!   previous basis (primal simplex, what `resolve` picks after an objective change).
//! - `simplex/warm_objective_dual`: the same re-solved by the dual simplex
//!   (`resolve_with(Algorithm::Dual)`).
//!
//! ```text
//! cargo bench --bench fair
//! ```

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use floorshare::fair::simplex::{Algorithm, Lp, Row, Status};
use floorshare::lot::{seeded, unit_interval, weighted_index};

const ORGANISATIONS: usize = 2_000;
const CATEGORIES: usize = 4;
const VALUES: usize = 7;
const SEATS: u32 = 100;
/// Chance that a category takes the organisation's latent value.
const LATENT: f64 = 0.4;

/// Types of the instance, in key order: (values per category, members).
fn types(seed: u64) -> Vec<([u32; CATEGORIES], u32)> {
    let mut rng = seeded(seed);
    // Zipf-like frequencies 1/(v+1), and a latent value that each category takes with
    // chance LATENT.
    let zipf: Vec<f64> = (0..VALUES).map(|v| 1.0 / (v as f64 + 1.0)).collect();
    let mut counts: BTreeMap<[u32; CATEGORIES], u32> = BTreeMap::new();
    for _ in 0..ORGANISATIONS {
        let latent = weighted_index(&mut rng, &zipf).unwrap() as u32;
        let mut key = [0u32; CATEGORIES];
        for value in &mut key {
            *value = if unit_interval(&mut rng) < LATENT {
                latent
            } else {
                weighted_index(&mut rng, &zipf).unwrap() as u32
            };
        }
        *counts.entry(key).or_default() += 1;
    }
    counts.into_iter().collect()
}

/// The relaxation-shaped LP of the module documentation.
fn relaxation(seed: u64) -> Lp {
    let types = types(seed);
    let mut rng = seeded(seed ^ 0x5eed);
    let mut rows = Vec::new();
    for j in 0..CATEGORIES {
        for v in 0..VALUES as u32 {
            let terms: Vec<(usize, f64)> = types
                .iter()
                .enumerate()
                .filter(|(_, (key, _))| key[j] == v)
                .map(|(t, _)| (t, 1.0))
                .collect();
            let members: u32 = types
                .iter()
                .filter(|(key, _)| key[j] == v)
                .map(|(_, m)| m)
                .sum();
            let share = f64::from(SEATS) * f64::from(members) / ORGANISATIONS as f64;
            let lo = (share.floor() - 1.0).max(0.0);
            let hi = share.ceil() + 1.0;
            rows.push(Row::range(terms, lo, hi));
        }
    }
    let all = (0..types.len()).map(|t| (t, 1.0)).collect();
    rows.push(Row::range(all, f64::from(SEATS), f64::from(SEATS)));
    let bounds = types.iter().map(|(_, m)| (0.0, f64::from(*m))).collect();
    let weights = (0..types.len()).map(|_| unit_interval(&mut rng)).collect();
    Lp::new(rows, bounds, weights)
}

fn simplex(c: &mut Criterion) {
    let lp = relaxation(2026);
    let mut solved = lp.clone();
    assert_eq!(solved.solve(), Status::Optimal);
    let cold_iterations = solved.iterations();
    let mut primal = lp.clone();
    assert_eq!(primal.solve_with(Algorithm::Primal), Status::Optimal);
    assert!((primal.objective() - solved.objective()).abs() < 1e-9 * solved.objective());
    // Branch down on the basic column (strictly between its bounds) with the most seats: the
    // optimum is integral here, so cut it off with u_t = x_t − 1; the dual simplex has work to
    // do.
    let x = solved.x();
    let branch = (0..solved.columns())
        .filter(|&t| x[t] > 0.0 && x[t] < solved.bounds(t).1)
        .max_by(|&a, &b| x[a].total_cmp(&x[b]).then(b.cmp(&a)))
        .expect("a basic column");
    let upper = if (x[branch] - x[branch].round()).abs() < 1e-9 {
        x[branch].round() - 1.0
    } else {
        x[branch].floor()
    };
    let mut branched = solved.clone();
    branched.set_bounds(branch, 0.0, upper);
    let status = branched.resolve();
    let mut rng = seeded(7);
    let new_weights: Vec<f64> = (0..lp.columns()).map(|_| unit_interval(&mut rng)).collect();
    let mut repriced = solved.clone();
    repriced.set_objective(&new_weights);
    assert_eq!(repriced.resolve(), Status::Optimal);
    eprintln!(
        "relaxation: {} types, {} rows; cold {} iterations (primal {}), objective {:.6}; \
         branch on type {branch} (x = {:.4}, u = {upper}): {status:?} in {} iterations, objective \
         {:.6}; new weights: {} iterations",
        lp.columns(),
        lp.rows(),
        cold_iterations,
        primal.iterations(),
        solved.objective(),
        solved.x()[branch],
        branched.iterations(),
        branched.objective(),
        repriced.iterations(),
    );

    let mut group = c.benchmark_group("simplex");
    group
        .sample_size(50)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    group.bench_function("cold", |b| {
        b.iter_batched_ref(
            || lp.clone(),
            |lp| black_box(lp.solve()),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("cold_primal", |b| {
        b.iter_batched_ref(
            || lp.clone(),
            |lp| black_box(lp.solve_with(Algorithm::Primal)),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("warm_bound", |b| {
        b.iter_batched_ref(
            || solved.clone(),
            |lp| {
                lp.set_bounds(black_box(branch), 0.0, upper);
                black_box(lp.resolve())
            },
            BatchSize::SmallInput,
        )
    });
    group.bench_function("warm_objective", |b| {
        b.iter_batched_ref(
            || solved.clone(),
            |lp| {
                lp.set_objective(black_box(&new_weights));
                black_box(lp.resolve())
            },
            BatchSize::SmallInput,
        )
    });
    group.bench_function("warm_objective_dual", |b| {
        b.iter_batched_ref(
            || solved.clone(),
            |lp| {
                lp.set_objective(black_box(&new_weights));
                black_box(lp.resolve_with(Algorithm::Dual))
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(benches, simplex);
criterion_main!(benches);
