//! Metrics cost: group selection-rate disparity over 100 000 decisions, the work of
//! fairlearn's `demographic_parity_difference` (compared side by side by
//! `benches/peers/fairness.py`; target ≥ 100× faster), the full `AllocationMetrics` of a
//! 100 000-request session, and the session counts with every request on its own theme at
//! 5 000 and 50 000 requests (`themes/*`: linear, not quadratic).
//!
//! ```text
//! cargo bench --bench metrics
//! ```

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use floorshare::allocation::Allocate;
use floorshare::metrics::{AllocationMetrics, SelectionRates, SessionFigures};
use floorshare::model::*;
use floorshare::policy::RegionalBalance;

/// The decisions both sides measure: row i is in group (7919·i mod 7) and granted when
/// (2654435761·i mod 2³²)/2³² < 0.1 + 0.05·group. `benches/peers/fairness.py` builds the same.
fn decisions(n: u64) -> (Vec<u32>, Vec<bool>) {
    (0..n)
        .map(|i| {
            let group = (i * 7919 % 7) as u32;
            let u = (i * 2_654_435_761 % (1 << 32)) as f64 / (1u64 << 32) as f64;
            (group, u < 0.1 + 0.05 * f64::from(group))
        })
        .unzip()
}

fn metrics(c: &mut Criterion) {
    let (groups, granted) = decisions(100_000);
    let rates = SelectionRates::from_decisions(&groups, &granted).unwrap();
    eprintln!(
        "demographic parity difference over 100 000 decisions: {:.15}",
        rates.difference().unwrap()
    );
    let mut group = c.benchmark_group("metrics");
    group.throughput(Throughput::Elements(100_000));
    group.bench_function("selection_rate_difference/100000", |b| {
        b.iter(|| {
            SelectionRates::from_decisions(black_box(&groups), black_box(&granted))
                .unwrap()
                .difference()
        })
    });

    let organisations: Vec<Organisation> = (0..100_000)
        .map(|i| {
            let kind = if i % 5 == 0 {
                Kind::InternationalNgo
            } else {
                Kind::Grassroots
            };
            Organisation::new(format!("org-{i}"), GCM_REGIONS[i % 7], kind)
        })
        .collect();
    let requests = organisations.iter().map(|o| Request::new(&o.id)).collect();
    let session = SessionInput::new(
        Session::new("bench", 20).with_length(180),
        organisations,
        requests,
    )
    .check()
    .unwrap();
    let allocation = RegionalBalance::default()
        .allocate_seeded(&session, 1)
        .unwrap();
    group.bench_function("allocation_metrics/100000", |b| {
        b.iter(|| AllocationMetrics::measure(black_box(&session), black_box(&allocation)))
    });
    group.finish();

    // Every request raises a theme of its own: distinct themes are counted in one pass.
    let mut group = c.benchmark_group("themes");
    for n in [5_000usize, 50_000] {
        let organisations: Vec<Organisation> = (0..n)
            .map(|i| Organisation::new(format!("org-{i}"), GCM_REGIONS[i % 7], Kind::Grassroots))
            .collect();
        let requests = organisations
            .iter()
            .enumerate()
            .map(|(i, o)| Request::new(&o.id).on_theme(format!("theme-{i}")))
            .collect();
        let session = SessionInput::new(Session::new("themes", 20), organisations, requests)
            .check()
            .unwrap();
        let allocation = RegionalBalance::default()
            .allocate_seeded(&session, 1)
            .unwrap();
        let mut figures = SessionFigures::default();
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(format!("session_figures/{n}"), |b| {
            b.iter(|| {
                figures.measure_into(black_box(&session), black_box(&allocation));
                figures.themes_heard_share()
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = metrics
}
criterion_main!(benches);
