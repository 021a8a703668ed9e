//! The whole fair-lottery solve (`fair::solve`: relaxation, decomposition, rounding) on pools
//! of n = 2 000 organisations, 1, 2 and 4 categories of 7 values, k = 20 and k = 100 seats,
//! quotas within ±1 of proportional (the generator shared with the peer script,
//! `benches/peers/fair_instance.rs`), no history.
//!
//! ```text
//! cargo bench --bench fair_solve
//! FAIR_SOLVE_SEEDS=1,2,3 cargo bench --bench fair_solve -- --list   # the printed pass only
//! ```
//!
//! Before criterion's samples, one pass per instance, objective and seed prints the certified
//! bound, the minimum of the lottery drawn from, the gap (1 − minimum / bound), the median
//! single-run time (of `FAIR_SOLVE_REPEAT` runs, default 3) in wall-clock and in CPU time of
//! the thread (on a shared machine the wall-clock time includes waiting for a core), the
//! number of panels m of the uniform lottery, the panels of the distribution, the
//! decomposition's iterations and the pricing calls. The seeds of that
//! pass come from `FAIR_SOLVE_SEEDS` (comma-separated; default 1, 2, 3); criterion samples the
//! first seed only.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use floorshare::fair::{Objective, TypeSpace, solve};

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

const CASES: [(usize, u32); 6] = [(1, 20), (1, 100), (2, 20), (2, 100), (4, 20), (4, 100)];

/// The calling thread's CPU time (Linux: `/proc/thread-self/schedstat`), `None` elsewhere:
/// on a shared machine, the time one core of its own would take.
fn cpu_time() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

fn seeds() -> Vec<u64> {
    std::env::var("FAIR_SOLVE_SEEDS")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .filter(|v: &Vec<u64>| !v.is_empty())
        .unwrap_or_else(|| vec![1, 2, 3])
}

/// Runs per instance in the printed pass (`FAIR_SOLVE_REPEAT`, default 3): the median time
/// is printed.
fn repeats() -> usize {
    std::env::var("FAIR_SOLVE_REPEAT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3)
        .max(1)
}

fn cases() -> Vec<(usize, u32)> {
    // FAIR_SOLVE_CATEGORIES=4 restricts the pass and the samples to that many categories.
    let only: Option<usize> = std::env::var("FAIR_SOLVE_CATEGORIES")
        .ok()
        .and_then(|s| s.parse().ok());
    CASES
        .into_iter()
        .filter(|&(c, _)| only.is_none_or(|o| o == c))
        .collect()
}

/// One run per instance, objective and seed, printed (not part of criterion's samples).
fn report() {
    for (categories, k) in cases() {
        for objective in [Objective::Maximin, Objective::Leximin] {
            for seed in seeds() {
                let space = instance(categories, k, seed);
                let history = vec![0.0; space.types()];
                let mut times = Vec::new();
                let mut cpu = Vec::new();
                let mut solved = None;
                for _ in 0..repeats() {
                    let (start, start_cpu) = (Instant::now(), cpu_time());
                    solved = solve(black_box(&space), &history, objective);
                    times.push(start.elapsed());
                    cpu.push(cpu_time().zip(start_cpu).map(|(b, a)| b - a));
                }
                times.sort();
                cpu.sort();
                let time = times[times.len() / 2];
                let cpu = cpu[cpu.len() / 2].map_or_else(
                    || "?".to_string(),
                    |c| format!("{:.1}", c.as_secs_f64() * 1e3),
                );
                let solved = solved.expect("feasible");
                let lottery = &solved.lottery;
                let p = &solved.progress;
                println!(
                    "solve/{categories}cat_k{k}/{objective:?} seed {seed}: {} types; bound {:.6}, \
                     minimum {:.6}, gap {:.3}%, median of {} runs {:.1} ms (CPU {cpu} ms); m = {}, {} support panels, {} \
                     iterations, {} pricing calls (inexact {}), certified {}",
                    space.types(),
                    solved.upper_bound,
                    solved.minimum,
                    100.0 * (1.0 - solved.minimum / solved.upper_bound),
                    times.len(),
                    time.as_secs_f64() * 1e3,
                    lottery.panels(),
                    p.panels,
                    p.iterations,
                    p.pricing_calls,
                    p.inexact_pricing,
                    solved.certified,
                );
            }
        }
    }
}

fn bench_solve(c: &mut Criterion) {
    report();
    let mut group = c.benchmark_group("solve");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(5));
    let seed = seeds()[0];
    for (categories, k) in cases() {
        let space = instance(categories, k, seed);
        let history = vec![0.0; space.types()];
        for objective in [Objective::Maximin, Objective::Leximin] {
            let name = format!("{categories}cat_{objective:?}").to_lowercase();
            group.bench_function(BenchmarkId::new(name, k), |b| {
                b.iter(|| solve(black_box(&space), black_box(&history), objective))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench_solve);
criterion_main!(benches);
