//! Simulating a session allocates nothing once the simulator's workspace is warm: a counting
//! global allocator watches whole runs of the GCM 2017 preset (6 sessions under 9 policies,
//! regional balance with its apportionments included) after a warm-up, on one thread.

use std::hint::black_box;

use floorshare::sim::{Scenario, Simulation};

mod counting;
use counting::allocations_in;

#[test]
fn simulating_a_session_allocates_nothing_once_warmed_up() {
    let scenario =
        Scenario::from_json_str(include_str!("../examples/scenarios/gcm_2017.json")).unwrap();
    let sessions_per_run = scenario.sessions.len() * scenario.policies.len();
    let simulation = Simulation::new(scenario).unwrap();
    let mut workspace = simulation.workspace();
    // Warm up: the largest sessions of these runs size every buffer.
    for run in 0..300 {
        simulation.run_into(run, &mut workspace).unwrap();
    }
    let mut granted = 0.0;
    let allocations = allocations_in(|| {
        for run in 300..600 {
            let summaries = simulation.run_into(run, &mut workspace).unwrap();
            granted += summaries[0][0].mean;
        }
    });
    assert!(granted > 0.0, "the runs did simulate sessions");
    assert_eq!(
        allocations,
        0,
        "{allocations} allocations in 300 runs ({} simulated sessions)",
        300 * sessions_per_run
    );
    // The counter is live: a fresh workspace allocates.
    assert!(allocations_in(|| drop(black_box(simulation.workspace()))) > 0);
}
