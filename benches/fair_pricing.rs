//! One pricing call of the fair lottery's column generation (`fair::Pricer::price`) on a pool
//! of n = 2 000 organisations, k = 20 and k = 100 seats, with 1, 2 and 4 categories of 7
//! values (quotas: every count within ±1 of proportional). Weights per type are uniform in
//! [0, 1), a fresh vector per call, cycling through 64 seeded vectors.
//!
//! ```text
//! cargo bench --bench fair_pricing
//! ```
//!
//! Before criterion's samples, a pass over 200 weight vectors per instance (50 with four
//! categories) prints the
//! distribution of single-call times (median, 90th percentile, maximum), the outcomes and the
//! branch-and-bound nodes: with four categories the call time depends strongly on the weights,
//! which one criterion mean hides.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use floorshare::fair::{Outcome, Pricer, TypeSpace};
use floorshare::lot;

const ORGANISATIONS: usize = 2_000;
const VALUES: u32 = 7;

/// A skewed pool: each organisation has a latent position `u`; in each category its value is,
/// with chance ½, the Zipf(1) quantile of `u` (shared across categories, so categories
/// correlate), else an independent Zipf(1) draw. Types group identical value vectors; quotas
/// are the integers within ±1 of `k · share`.
fn instance(categories: usize, k: u32, seed: u64) -> TypeSpace {
    let mut rng = lot::seeded(seed);
    let zipf: Vec<f64> = (0..VALUES).map(|v| 1.0 / f64::from(v + 1)).collect();
    let total: f64 = zipf.iter().sum();
    let quantile = |u: f64| {
        let mut acc = 0.0;
        for (v, z) in zipf.iter().enumerate() {
            acc += z / total;
            if u < acc {
                return v as u32;
            }
        }
        VALUES - 1
    };
    let mut orgs: Vec<Vec<u32>> = (0..ORGANISATIONS)
        .map(|_| {
            let latent = lot::unit_interval(&mut rng);
            (0..categories)
                .map(|_| {
                    if lot::uniform_below(&mut rng, 2) == 0 {
                        quantile(latent)
                    } else {
                        lot::weighted_index(&mut rng, &zipf).unwrap() as u32
                    }
                })
                .collect()
        })
        .collect();
    let bounds: Vec<Vec<(u32, u32)>> = (0..categories)
        .map(|j| {
            (0..VALUES)
                .map(|v| {
                    let members = orgs.iter().filter(|o| o[j] == v).count();
                    let p = f64::from(k) * members as f64 / ORGANISATIONS as f64;
                    ((p - 1.0).ceil().max(0.0) as u32, (p + 1.0).floor() as u32)
                })
                .collect()
        })
        .collect();
    orgs.sort();
    let mut types: Vec<(u32, Vec<u32>)> = Vec::new();
    for o in orgs {
        match types.last_mut() {
            Some((m, vals)) if *vals == o => *m += 1,
            _ => types.push((1, o)),
        }
    }
    TypeSpace::new(k, vec![VALUES; categories], &types, &bounds)
}

fn weight_vectors(space: &TypeSpace, count: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = lot::seeded(seed);
    (0..count)
        .map(|_| {
            (0..space.types())
                .map(|_| lot::unit_interval(&mut rng))
                .collect()
        })
        .collect()
}

const CASES: [(usize, u32); 6] = [(1, 20), (1, 100), (2, 20), (2, 100), (4, 20), (4, 100)];

/// Single-call times over many weight vectors, printed (not part of criterion's samples).
fn distribution() {
    for (categories, k) in CASES {
        let space = instance(categories, k, 2_000 + categories as u64);
        // Fewer vectors for four categories: a call there is a branch and bound.
        let weights = weight_vectors(&space, if categories == 4 { 50 } else { 200 }, 7);
        let mut pricer = Pricer::new(&space);
        let (mut times, mut nodes) = (Vec::new(), Vec::new());
        let (mut optimal, mut infeasible, mut limited) = (0, 0, 0);
        for w in &weights {
            let start = Instant::now();
            let outcome = pricer.price(black_box(w));
            times.push(start.elapsed());
            nodes.push(pricer.stats().nodes);
            match outcome {
                Outcome::Optimal(p) => {
                    assert!(space.is_feasible(&p.counts));
                    optimal += 1;
                }
                Outcome::Infeasible => infeasible += 1,
                Outcome::NodeLimit { .. } => limited += 1,
            }
        }
        times.sort();
        nodes.sort();
        let at = |q: usize| times[(times.len() - 1) * q / 100];
        println!(
            "pricing/{categories}cat_k{k}: {} types; single call median {:?}, p90 {:?}, max \
             {:?}; nodes median {}, p90 {}, max {}; {optimal} optimal, {infeasible} infeasible, \
             {limited} at the node limit",
            space.types(),
            at(50),
            at(90),
            at(100),
            nodes[nodes.len() / 2],
            nodes[(nodes.len() - 1) * 9 / 10],
            nodes[nodes.len() - 1],
        );
    }
}

fn bench_pricing(c: &mut Criterion) {
    distribution();
    let mut group = c.benchmark_group("pricing");
    for (categories, k) in CASES {
        group
            .sample_size(if categories == 4 { 10 } else { 20 })
            .warm_up_time(Duration::from_millis(300))
            .measurement_time(Duration::from_secs(2));
        let space = instance(categories, k, 2_000 + categories as u64);
        let weights = weight_vectors(&space, 64, 7);
        let mut pricer = Pricer::new(&space);
        let mut next = 0;
        group.bench_function(BenchmarkId::new(format!("{categories}cat"), k), |b| {
            b.iter(|| {
                next = (next + 1) % weights.len();
                pricer.price(black_box(&weights[next]))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_pricing);
criterion_main!(benches);
