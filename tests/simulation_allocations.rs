//! Simulating a session allocates nothing once the simulator's workspace is warm: a counting
//! global allocator watches whole runs of the GCM 2017 preset (6 sessions under 9 policies,
//! regional balance with its apportionments included) after a warm-up, on one thread; then
//! the same preset with joint statements (one per region, one per class, one per
//! constituency tag with focal points), whose merging must allocate nothing either; and
//! policies with joint-statement settings of their own (none, by region, by class,
//! interleaved), whose sessions are merged and checked once per setting in every run.

use std::hint::black_box;

use floorshare::model::Category;
use floorshare::sim::{JointStatements, PolicyJointStatements, Population, Scenario, Simulation};

mod counting;
use counting::allocations_in;

fn preset() -> Scenario {
    Scenario::from_json_str(include_str!("../examples/scenarios/gcm_2017.json")).unwrap()
}

/// Runs 300 runs of `scenario` to warm a workspace up (the largest sessions of these runs
/// size every buffer), then counts the allocations of 300 more.
fn assert_warm_runs_allocate_nothing(scenario: Scenario) {
    let sessions_per_run = scenario.sessions.len() * scenario.policies.len();
    let simulation = Simulation::new(scenario).unwrap();
    let mut workspace = simulation.workspace();
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
        "{allocations} allocations in 300 runs ({} simulated sessions) of {}",
        300 * sessions_per_run,
        simulation.scenario().name
    );
    // The counter is live: a fresh workspace allocates.
    assert!(allocations_in(|| drop(black_box(simulation.workspace()))) > 0);
}

#[test]
fn simulating_a_session_allocates_nothing_once_warmed_up() {
    assert_warm_runs_allocate_nothing(preset());
}

#[test]
fn joint_statements_allocate_nothing_once_warmed_up() {
    for by in ["region", "class"] {
        let mut scenario = preset();
        scenario.name = format!("gcm_2017 by {by}");
        scenario.behaviour.joint_statements = Some(JointStatements::by(by.parse().unwrap()));
        assert_warm_runs_allocate_nothing(scenario);
    }
    // An explicit population with constituency tags and focal points (numbered values, and
    // a focal point that is not the first inscribed).
    let organisations: Vec<serde_json::Value> = (0..300)
        .map(|i| {
            let kind = ["grassroots", "international_ngo", "national_ngo"][i % 3];
            let region = ["asia", "africa", "europe", "pacific"][i % 4];
            serde_json::json!({
                "id": format!("o{i}"),
                "region": region,
                "kind": kind,
                "tags": {"constituency": format!("c{}", i % 11),
                         "focal_point": if i % 17 == 0 { "true" } else { "false" }},
            })
        })
        .collect();
    let mut scenario = preset();
    scenario.name = "constituencies".into();
    scenario.population =
        serde_json::from_value::<Population>(serde_json::json!({"organisations": organisations}))
            .unwrap();
    scenario.behaviour.regional_themes.clear();
    scenario.behaviour.joint_statements =
        Some(JointStatements::by("tag:constituency".parse().unwrap()));
    assert_warm_runs_allocate_nothing(scenario);
}

#[test]
fn policies_with_their_own_joint_statements_allocate_nothing_once_warmed_up() {
    let mut scenario = preset();
    scenario.name = "gcm_2017 with settings per policy".into();
    scenario.behaviour.joint_statements = Some(JointStatements::by(Category::Region));
    for (p, labelled) in scenario.policies.iter_mut().enumerate() {
        labelled.joint_statements = match p % 3 {
            0 => None,
            1 => Some(PolicyJointStatements::None),
            _ => Some(PolicyJointStatements::By(Category::Class)),
        };
    }
    assert_warm_runs_allocate_nothing(scenario);
}
