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

// The generator shared with the peer script (`examples/fair_instance.rs`); this bench uses
// only its type space.
#[allow(dead_code)]
#[path = "peers/fair_instance.rs"]
mod fair_instance;

/// A skewed pool of the shared generator (`benches/peers/fair_instance.rs`): a shared latent
/// Zipf position per organisation, types grouping identical value vectors, quotas the
/// integers within ±1 of `k · share`.
fn instance(categories: usize, k: u32, seed: u64) -> TypeSpace {
    fair_instance::Instance::generate(ORGANISATIONS, categories, k, seed).type_space()
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
