//! Simulation throughput on the GCM 2017 preset (target: at least 400 000 simulated sessions
//! per second per core). A simulated session: draw its requests (shared by the policies of a
//! run), allocate under one policy, accumulate the metrics. One run of the preset is 6 sessions
//! under 9 policies, 54 simulated sessions, plus drawing the run's population. `one_run_joint_by_region`
//! is the same run with one joint statement per region and session (`behaviour.joint_statements`).
//!
//! ```text
//! cargo bench --bench simulate                      # one core
//! cargo bench --bench simulate --features rayon     # all cores (runs in parallel)
//! ```

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use floorshare::model::Category;
use floorshare::sim::{JointStatements, Scenario, Simulation};

fn simulate(c: &mut Criterion) {
    let scenario =
        Scenario::from_json_str(include_str!("../examples/scenarios/gcm_2017.json")).unwrap();
    let sessions_per_run = (scenario.sessions.len() * scenario.policies.len()) as u64;
    let simulation = Simulation::new(scenario).unwrap();
    let mut group = c.benchmark_group("simulate/gcm_2017");
    group.throughput(Throughput::Elements(sessions_per_run));
    let mut run = 0;
    let mut workspace = simulation.workspace();
    group.bench_function("one_run", |b| {
        b.iter(|| {
            run += 1;
            black_box(simulation.run_into(black_box(run), &mut workspace).unwrap());
        })
    });
    // 256 runs: one chunk, parallel with the rayon feature.
    group.throughput(Throughput::Elements(256 * sessions_per_run));
    group.bench_function("256_runs", |b| {
        b.iter(|| simulation.run_range(black_box(0..256), |_| {}).unwrap())
    });
    // The same process with the 2018 practice: one joint statement per region and session
    // (the requests merged after they are drawn, the voices counted).
    let mut scenario = simulation.scenario().clone();
    scenario.behaviour.joint_statements = Some(JointStatements::by(Category::Region));
    let joint = Simulation::new(scenario).unwrap();
    let mut workspace = joint.workspace();
    group.throughput(Throughput::Elements(sessions_per_run));
    group.bench_function("one_run_joint_by_region", |b| {
        b.iter(|| {
            run += 1;
            black_box(joint.run_into(black_box(run), &mut workspace).unwrap());
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = simulate
}
criterion_main!(benches);
