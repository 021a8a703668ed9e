//! Apportionment benchmarks (SPEC §8: 100 units among 200 groups, Sainte-Laguë and Hamilton, at
//! least 100× faster than the Python `apportionment` package; `benches/peers/apportion.py` times
//! the peer on the same input).
//!
//! Run with `cargo bench --bench apportion`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use floorshare::apportion::{Method, apportion};
use floorshare::lot::seeded;

/// The seven regions of the examples.
const REGIONS: [f64; 7] = [5100.0, 3900.0, 2200.0, 1800.0, 900.0, 700.0, 300.0];

/// Python `random.Random(42).randint(1, 10000)` 200 times (as in `benches/peers/apportion.py`).
const GROUPS_200: [u32; 200] = [
    1825, 410, 4507, 4013, 3658, 2287, 1680, 8936, 1425, 9675, 6913, 521, 489, 1536, 3583, 3812,
    8280, 9864, 435, 9196, 3258, 8929, 6874, 3612, 7360, 9655, 4558, 107, 2616, 6925, 5575, 4553,
    2548, 3528, 5515, 1675, 1520, 6225, 1585, 5882, 5636, 9892, 4334, 712, 7528, 8786, 2046, 6202,
    1292, 9045, 4804, 5926, 9460, 3151, 1140, 751, 3734, 4742, 1308, 3815, 1655, 6228, 4555, 7429,
    5978, 2665, 6066, 5821, 3433, 4375, 1170, 9981, 2804, 8752, 4011, 2678, 7574, 6217, 4423, 9126,
    3599, 5314, 917, 3753, 526, 5169, 6573, 4387, 1085, 3457, 9293, 5156, 3484, 8180, 6483, 7518,
    2341, 4340, 2288, 4041, 9198, 8831, 4305, 9578, 7020, 9561, 6544, 5931, 3594, 2267, 8349, 8086,
    1490, 772, 1797, 2505, 2622, 6917, 9772, 1041, 6305, 6253, 9764, 7669, 8670, 4120, 9065, 189,
    1877, 8798, 4372, 5574, 1828, 4809, 7124, 2592, 7434, 54, 4316, 8202, 2928, 8318, 1744, 4890,
    8318, 9978, 3259, 2505, 6127, 2647, 8838, 8690, 10, 9814, 5311, 8006, 320, 1833, 5948, 5039,
    3924, 950, 3947, 9296, 1291, 1404, 7963, 1134, 8728, 2061, 2104, 7788, 9008, 2706, 4343, 8646,
    9939, 6933, 3471, 8836, 3296, 5108, 6538, 6119, 7178, 8480, 7398, 1983, 4062, 3682, 1050, 5540,
    345, 9639, 9076, 3771, 9642, 3609, 118, 1164,
];

fn bench_apportion(c: &mut Criterion) {
    let groups: Vec<f64> = GROUPS_200.iter().map(|&w| f64::from(w)).collect();
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
    for method in [Method::SainteLague, Method::Hamilton] {
        group.bench_with_input(
            BenchmarkId::new(method.name(), "100000_groups_100000_units"),
            &large,
            |b, w| {
                b.iter(|| apportion(method, black_box(w), black_box(100_000), &mut rng).unwrap())
            },
        );
    }
    group.finish();
}

criterion_group!(benches, bench_apportion);
criterion_main!(benches);
