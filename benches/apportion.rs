//! Apportionment benchmarks (100 units among 200 groups, Sainte-Laguë and Hamilton, at
//! least 100× faster than the Python `apportionment` package; `benches/peers/apportion.py` times
//! the peer on the same input).
//!
//! Run with `cargo bench --bench apportion`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use floorshare::apportion::{
    Apportionment, Group, Method, Options, Workspace, apportion, apportion_into, apportion_with,
};
use floorshare::lot::seeded;

/// The seven regions of the examples.
const REGIONS: [f64; 7] = [5100.0, 3900.0, 2200.0, 1800.0, 900.0, 700.0, 300.0];

/// Python `random.Random(42).randint(1, 10000)` 200 times: the benchmark input, shared
/// with `benches/peers/apportion.py` (which regenerates and checks it).
fn groups_200() -> Vec<f64> {
    serde_json::from_str(include_str!("peers/groups_200.json")).unwrap()
}

fn bench_apportion(c: &mut Criterion) {
    let groups: Vec<f64> = groups_200();
    let large: Vec<f64> = (0..100_000u32)
        .map(|i| f64::from(i.wrapping_mul(2_654_435_761) % 10_000 + 1))
        .collect();
    let mut group = c.benchmark_group("apportion");
    group
        .sample_size(30)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    let mut rng = seeded(42);
    for method in Method::ALL {
        for (input, weights) in [("7_regions", &REGIONS[..]), ("200_groups", &groups[..])] {
            group.bench_with_input(BenchmarkId::new(method.name(), input), weights, |b, w| {
                b.iter(|| apportion(method, black_box(w), black_box(100), &mut rng).unwrap())
            });
        }
    }
    // The same in reused memory, as a simulation calls it once per session.
    let mut workspace = Workspace::default();
    let mut out = Apportionment::default();
    let into_cases = Method::ALL
        .into_iter()
        .map(|m| (m, "7_regions", &REGIONS[..]))
        .chain([Method::SainteLague, Method::Hamilton].map(|m| (m, "200_groups", &groups[..])));
    for (method, input, weights) in into_cases {
        let id = BenchmarkId::new(format!("{}_into", method.name()), input);
        group.bench_with_input(id, weights, |b, w| {
            b.iter(|| {
                apportion_into(
                    method,
                    black_box(w),
                    black_box(100),
                    &mut rng,
                    &mut workspace,
                    &mut out,
                )
                .unwrap();
                black_box(&out);
            })
        });
    }
    for method in [Method::SainteLague, Method::Hamilton] {
        group.bench_with_input(
            BenchmarkId::new(method.name(), "100000_groups_100000_units"),
            &large,
            |b, w| {
                b.iter(|| apportion(method, black_box(w), black_box(100_000), &mut rng).unwrap())
            },
        );
    }
    // The US House by Webster with the one-seat floor (bounds), on the 200 groups: 435 units,
    // every group at least 1 and at most 5.
    let bounded: Vec<Group> = groups
        .iter()
        .map(|&w| Group::new(w).at_least(1).at_most(5))
        .collect();
    for method in [Method::SainteLague, Method::Hamilton] {
        group.bench_with_input(
            BenchmarkId::new(format!("{}_bounded", method.name()), "200_groups"),
            &bounded,
            |b, g| {
                b.iter(|| {
                    apportion_with(method, black_box(g), 435, &Options::default(), &mut rng)
                        .unwrap()
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, bench_apportion);
criterion_main!(benches);
