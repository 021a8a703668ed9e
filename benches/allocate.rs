//! The cost of the whole job per policy at 100, 10 000 and 100 000 requests (20 slots, seven
//! regions): the input check (`check/*`, time(100 000) ≤ 12 × time(10 000)), the decision into
//! a reused buffer (`decide/*`), decision and record (`allocate/*`, under 20 ns per request at
//! 100 000), and check + decision + record from the raw input (`job/*`, under 10 ms at
//! 100 000).
//!
//! ```text
//! cargo bench --bench allocate
//! ```
//!
//! `decide/*` and `allocate/*` check the session once, outside the timed loop; `check/*`
//! (requests in roster order), `check_shuffled/*` (in random order), `check_cold/*` (after
//! evicting the caches) and `job/*` clone the raw input in an untimed setup.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use floorshare::allocation::Allocate;
use floorshare::decision::Decision;
use floorshare::lot;
use floorshare::model::*;
use floorshare::policy::{self, Policy};

/// `n` organisations, each asking once: 15% international NGOs, 40% grassroots, the rest
/// national NGOs; a third migrant-led; regions in turn.
fn input(n: usize) -> SessionInput {
    let mut rng = lot::seeded(n as u64);
    let organisations: Vec<Organisation> = (0..n)
        .map(|i| {
            let kind = match lot::uniform_below(&mut rng, 100) {
                0..15 => Kind::InternationalNgo,
                15..55 => Kind::Grassroots,
                _ => Kind::NationalNgo,
            };
            Organisation::new(format!("org-{i}"), GCM_REGIONS[i % GCM_REGIONS.len()], kind)
                .migrant_led(lot::uniform_below(&mut rng, 3) == 0)
        })
        .collect();
    let requests = organisations.iter().map(|o| Request::new(&o.id)).collect();
    SessionInput::new(
        Session::new("bench", 20).with_length(180),
        organisations,
        requests,
    )
}

/// The nine UNFCCC observer constituencies.
const CONSTITUENCIES: [&str; 9] = [
    "bingo",
    "engo",
    "ipo",
    "lgma",
    "ringo",
    "tungo",
    "farmers",
    "women_and_gender",
    "youngo",
];

/// [`input`] with a `constituency` tag on every organisation (the nine UNFCCC constituencies
/// in turn) and one focal point in 50: the input of `constituency_round_robin`, the other
/// policies keeping theirs.
fn tagged(mut input: SessionInput) -> SessionInput {
    for (i, o) in input.organisations.iter_mut().enumerate() {
        o.tags.insert(
            "constituency".into(),
            CONSTITUENCIES[i % CONSTITUENCIES.len()].into(),
        );
        if i % 50 == 0 {
            o.tags.insert("focal_point".into(), "true".into());
        }
    }
    input
}

/// The input a policy is measured on: [`tagged`] for `constituency_round_robin`.
fn input_for(name: &str, n: usize) -> SessionInput {
    if name == "constituency_round_robin" {
        tagged(input(n))
    } else {
        input(n)
    }
}

fn policies() -> Vec<(&'static str, Box<dyn Policy>)> {
    let build = |json| policy::from_json(json).unwrap();
    vec![
        (
            "chair_discretion",
            build(serde_json::json!({"name": "chair_discretion", "min_slots": 1, "max_slots": 20})),
        ),
        (
            "regional_balance",
            build(serde_json::json!({"name": "regional_balance"})),
        ),
        (
            "regional_balance_grassroots_first",
            build(
                serde_json::json!({"name": "regional_balance", "within_region": "grassroots_first"}),
            ),
        ),
        (
            "grassroots_strict",
            build(serde_json::json!({"name": "grassroots_priority"})),
        ),
        (
            "grassroots_reserved",
            build(
                serde_json::json!({"name": "grassroots_priority", "mode": "reserved", "share": 0.3}),
            ),
        ),
        (
            "grassroots_weighted",
            build(
                serde_json::json!({"name": "grassroots_priority", "mode": "weighted", "weight": 3.0}),
            ),
        ),
        ("fcfs", build(serde_json::json!({"name": "fcfs"}))),
        (
            "capped_lottery",
            build(serde_json::json!({"name": "capped_lottery"})),
        ),
        ("rotation", build(serde_json::json!({"name": "rotation"}))),
        (
            "constituency_round_robin",
            build(serde_json::json!({"name": "constituency_round_robin"})),
        ),
        (
            "progressive_stack",
            build(serde_json::json!({"name": "progressive_stack", "marks": [
                {"category": "class", "value": "grassroots", "weight": 2.0},
                {"category": "region", "value": "africa", "weight": 1.0}]})),
        ),
        (
            "alternation",
            build(
                serde_json::json!({"name": "alternation", "category": "class",
                                     "value": "grassroots"}),
            ),
        ),
        // The shared stages on a plain policy: the European Parliament's alternation and
        // group-proportional time (over regions here), and a lot for the order with a window
        // shared equally.
        (
            "fcfs_alternate_group_proportional",
            build(
                serde_json::json!({"name": "fcfs", "order": {"alternate": "region"},
                "time": {"group_proportional": {"window": 60, "category": "region",
                                                 "equal_part": 0.5}}}),
            ),
        ),
        (
            "capped_lottery_lottery_order_equal_split",
            build(
                serde_json::json!({"name": "capped_lottery", "order": "lottery",
                "time": {"equal_split": {"window": 30, "floor": 2}}}),
            ),
        ),
    ]
}

fn allocate(c: &mut Criterion) {
    let sizes = [100usize, 10_000, 100_000];
    let sessions: Vec<(usize, CheckedSession)> = sizes
        .iter()
        .map(|&n| (n, input(n).check().unwrap()))
        .collect();
    let tagged_sessions: Vec<(usize, CheckedSession)> = sizes
        .iter()
        .map(|&n| (n, input_for("constituency_round_robin", n).check().unwrap()))
        .collect();
    for (name, policy) in policies() {
        let sessions = if name == "constituency_round_robin" {
            &tagged_sessions
        } else {
            &sessions
        };
        // The decision alone, into a reused buffer: what a simulator pays per session.
        let mut group = c.benchmark_group(format!("decide/{name}"));
        for (n, session) in sessions {
            group.throughput(Throughput::Elements(*n as u64));
            group.bench_with_input(BenchmarkId::from_parameter(n), session, |b, session| {
                let mut rng = lot::seeded(1);
                let mut decision = Decision::new();
                b.iter(|| {
                    policy
                        .decide(black_box(session), &mut rng, &mut decision)
                        .unwrap();
                    black_box(decision.picks().len())
                });
            });
        }
        group.finish();
        // Decision and record (ids, details, steps): what an application pays per allocation.
        let mut group = c.benchmark_group(format!("allocate/{name}"));
        for (n, session) in sessions {
            group.throughput(Throughput::Elements(*n as u64));
            group.bench_with_input(BenchmarkId::from_parameter(n), session, |b, session| {
                let mut rng = lot::seeded(1);
                b.iter(|| policy.allocate(black_box(session), &mut rng).unwrap());
            });
        }
        group.finish();
    }
    // The whole job at 100 000 requests: check the raw input, decide, build the record.
    let plain = input(100_000);
    let tagged_raw = input_for("constituency_round_robin", 100_000);
    let mut group = c.benchmark_group("job");
    group.throughput(Throughput::Elements(100_000));
    for (name, policy) in policies() {
        let raw = if name == "constituency_round_robin" {
            &tagged_raw
        } else {
            &plain
        };
        group.bench_with_input(BenchmarkId::new(name, 100_000), raw, |b, raw| {
            let mut rng = lot::seeded(1);
            b.iter_batched(
                || raw.clone(),
                |raw| {
                    let session = black_box(raw).check().unwrap();
                    policy.allocate(&session, &mut rng).unwrap()
                },
                BatchSize::LargeInput,
            );
        });
    }
    group.finish();
    let mut group = c.benchmark_group("check");
    for n in sizes {
        let raw = input(n);
        group.throughput(Throughput::Elements(n as u64));
        // The clone of the raw input is set up outside the timing: only the check is timed.
        group.bench_with_input(BenchmarkId::from_parameter(n), &raw, |b, raw| {
            b.iter_batched(
                || raw.clone(),
                |raw| black_box(raw).check().unwrap(),
                BatchSize::LargeInput,
            );
        });
    }
    group.finish();
    // The same check with the requests in random order: every id is then looked up in the
    // roster's index (in roster order, the check compares each with the next organisation
    // first and skips most lookups).
    let mut group = c.benchmark_group("check_shuffled");
    for n in [10_000usize, 100_000] {
        let mut raw = input(n);
        let count = raw.requests.len();
        lot::draw_to_front(&mut lot::seeded(7), &mut raw.requests, count);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &raw, |b, raw| {
            b.iter_batched(
                || raw.clone(),
                |raw| black_box(raw).check().unwrap(),
                BatchSize::LargeInput,
            );
        });
    }
    group.finish();
    // The same check, with the caches evicted before each timed call: the setup clones the
    // raw input, then writes a 64 MiB buffer (more than the L1 and L2 caches of these machines
    // and a good part of their shared L3), so the check starts from memory, as the first
    // check of a freshly read document does.
    let mut group = c.benchmark_group("check_cold");
    let mut evict = vec![0u8; EVICT_BYTES];
    for n in [10_000usize, 100_000] {
        let raw = input(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &raw, |b, raw| {
            b.iter_batched(
                || {
                    let raw = raw.clone();
                    evict_caches(&mut evict);
                    raw
                },
                |raw| black_box(raw).check().unwrap(),
                BatchSize::PerIteration,
            );
        });
    }
    group.finish();
}

/// Size of the buffer written between cold checks.
const EVICT_BYTES: usize = 64 << 20;

/// Writes one byte of every 64-byte line of `buffer`, pushing everything else out of the
/// caches.
fn evict_caches(buffer: &mut [u8]) {
    for line in buffer.chunks_mut(64) {
        line[0] = line[0].wrapping_add(1);
    }
    black_box(buffer);
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = allocate
}
criterion_main!(benches);
