//! The scenario presets of `examples/scenarios/`: every one parses, passes the scenario check,
//! runs in the library and in the `gcm_2017` tool with `--scenario`, and says what the README
//! says it says; per-policy joint statements keep the draws common (a policy gives exactly the
//! figures it gives in a scenario whose behaviour has its setting for every policy); and the
//! 2018 regional focal points voice more of the organisations that ask than the 2017 practice.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use floorshare::sim::{
    JointStatements, PolicyJointStatements, Population, Scenario, Simulation, SimulationSummary,
    SweepSimulation,
};

/// The scenario files; `gcm_process.json` beside them is the facts the GCM presets are built
/// from, not a scenario.
const PRESETS: [&str; 4] = ["gcm_2017", "gcm_2018", "hlpf", "unfccc"];

/// The scenario files with a sweep (run with `SweepSimulation`; `tests/sweep.rs` tests them
/// further).
const SWEEP_PRESETS: [&str; 1] = ["gcm_2017_slots_sweep"];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(name: &str) -> Scenario {
    let path = root().join(format!("examples/scenarios/{name}.json"));
    Scenario::from_json_str(&std::fs::read_to_string(path).unwrap())
        .unwrap_or_else(|err| panic!("{name}: {err}"))
}

fn run(mut scenario: Scenario, runs: u64) -> SimulationSummary {
    scenario.runs = runs;
    Simulation::new(scenario).unwrap().run_all().unwrap()
}

fn metric(summary: &SimulationSummary, label: &str, metric: &str) -> (f64, f64, f64) {
    let policy = summary.policies.iter().find(|p| p.name == label).unwrap();
    let s = &policy.metrics[metric];
    let (low, high) = s.ci95();
    (s.mean, low, high)
}

#[test]
fn every_scenario_file_is_a_preset_that_checks_and_runs() {
    let mut files: Vec<String> = std::fs::read_dir(root().join("examples/scenarios"))
        .unwrap()
        .filter_map(|entry| {
            let name = entry.unwrap().file_name().into_string().unwrap();
            name.strip_suffix(".json").map(str::to_string)
        })
        .filter(|name| name != "gcm_process")
        .collect();
    files.sort();
    let mut listed: Vec<String> = PRESETS
        .iter()
        .chain(&SWEEP_PRESETS)
        .map(|s| s.to_string())
        .collect();
    listed.sort();
    assert_eq!(files, listed);
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    for name in SWEEP_PRESETS {
        let mut scenario = read(name);
        assert_eq!(scenario.name, name);
        assert!(scenario.runs >= 10_000, "{name}: {} runs", scenario.runs);
        assert!(
            readme.contains(&format!("examples/scenarios/{name}.json")),
            "the README does not describe {name}"
        );
        scenario.runs = 3;
        let summary = SweepSimulation::new(scenario).unwrap().run_all().unwrap();
        for value in &summary.sweep.values {
            assert!(
                value
                    .policies
                    .iter()
                    .all(|p| p.metrics["slots_granted"].mean > 0.0)
            );
        }
    }
    for name in PRESETS {
        let scenario = read(name);
        assert_eq!(scenario.name, name);
        assert!(scenario.runs >= 10_000, "{name}: {} runs", scenario.runs);
        assert!(
            readme.contains(&format!("examples/scenarios/{name}.json")),
            "the README does not describe {name}"
        );
        let policies = scenario.policies.len();
        let summary = run(scenario, 3);
        assert_eq!(summary.policies.len(), policies);
        for policy in &summary.policies {
            let granted = &policy.metrics["slots_granted"];
            assert!(
                granted.n > 0 && granted.mean > 0.0,
                "{name}: {}",
                policy.name
            );
        }
    }
}

/// The tool run on the preset `name` with 4 runs and seed 1: plain presets and sweeps alike.
fn run_tool(name: &str) -> std::process::Output {
    let file = format!("examples/scenarios/{name}.json");
    std::process::Command::new(common::example("gcm_2017"))
        .current_dir(root())
        .args(["--scenario", &file, "--runs", "4", "--seed", "1"])
        .output()
        .unwrap()
}

#[test]
fn every_preset_runs_in_the_tool() {
    for name in PRESETS {
        let output = run_tool(name);
        assert!(
            output.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert!(
            stdout.starts_with(&format!("{name}: 4 runs, seed 1,")),
            "{stdout}"
        );
        for policy in &read(name).policies {
            assert!(stdout.contains(&format!("| {} ", policy.label)), "{name}");
        }
    }
    for name in SWEEP_PRESETS {
        let output = run_tool(name);
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert!(
            stdout.starts_with(&format!("{name}: 4 runs per value, seed 1,")),
            "{name}: {stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// The same scenario with every policy's own setting removed and the behaviour's set to
/// `joint`.
fn uniform(scenario: &Scenario, joint: Option<JointStatements>) -> Scenario {
    let mut scenario = scenario.clone();
    scenario.behaviour.joint_statements = joint;
    for labelled in &mut scenario.policies {
        labelled.joint_statements = None;
    }
    scenario
}

#[test]
fn policies_with_their_own_joint_statements_see_the_same_draws() {
    let mixed = read("gcm_2018");
    let by_region = Some(JointStatements::by("region".parse().unwrap()));
    assert_eq!(mixed.behaviour.joint_statements, by_region);
    let settings: BTreeSet<_> = mixed
        .policies
        .iter()
        .map(|p| p.joint_statements.clone())
        .collect();
    assert_eq!(
        settings,
        BTreeSet::from([None, Some(PolicyJointStatements::None)]),
        "the preset mixes the behaviour's statements and none"
    );
    let runs = 40;
    let together = run(mixed.clone(), runs);
    let without = run(uniform(&mixed, None), runs);
    let with = run(uniform(&mixed, by_region), runs);
    let mut compared = [0, 0];
    for (p, labelled) in mixed.policies.iter().enumerate() {
        let alone = if labelled.joint_statements == Some(PolicyJointStatements::None) {
            compared[0] += 1;
            &without
        } else {
            compared[1] += 1;
            &with
        };
        assert_eq!(together.policies[p].name, alone.policies[p].name);
        for (metric, value) in &together.policies[p].metrics {
            let other = &alone.policies[p].metrics[metric];
            // Exactly the same values, bit for bit.
            assert_eq!(
                (value.n, value.mean, value.m2),
                (other.n, other.mean, other.m2),
                "{} {metric}",
                labelled.label
            );
        }
    }
    assert!(compared[0] >= 2 && compared[1] >= 2, "{compared:?}");
    // The statements change the figures: the two uniform scenarios differ for every policy.
    for (a, b) in with.policies.iter().zip(&without.policies) {
        assert_ne!(
            a.metrics["voice_share"].mean, b.metrics["voice_share"].mean,
            "{}",
            a.name
        );
    }
}

#[test]
fn regional_focal_points_voice_more_than_the_2017_practice() {
    let summary = run(read("gcm_2018"), 200);
    let (practice, _, practice_high) = metric(&summary, "practice_2017", "voice_share");
    for focal in [
        "focal_points_2018",
        "chair_focal_points",
        "regional_balance_focal_points",
    ] {
        let (share, low, _) = metric(&summary, focal, "voice_share");
        assert!(
            low > practice_high && share > 5.0 * practice,
            "{focal}: voice_share {share} (from {low}) against {practice} (to {practice_high})"
        );
        let (never, _, never_high) = metric(&summary, focal, "never_voiced_share");
        let (never_2017, never_2017_low, _) =
            metric(&summary, "practice_2017", "never_voiced_share");
        assert!(
            never_high < never_2017_low,
            "{focal}: never_voiced_share {never} against {never_2017}"
        );
    }
    // The same turns without statements voice no more than the slots do.
    let (alone, _, _) = metric(&summary, "region_turns_alone", "voice_share");
    let (turns, _, _) = metric(&summary, "focal_points_2018", "voice_share");
    assert!(alone < 0.05 && turns > 0.2, "{alone} {turns}");
}

#[test]
fn the_hlpf_and_unfccc_presets_hold_their_facts() {
    let organisations = |scenario: &Scenario| match &scenario.population {
        Population::Organisations(list) => list.clone(),
        _ => panic!("{}: an explicit population", scenario.name),
    };
    let tag_values = |scenario: &Scenario, tag: &str| -> BTreeSet<String> {
        organisations(scenario)
            .iter()
            .map(|o| o.tags.get(tag).cloned().unwrap_or_default())
            .collect()
    };
    // UNFCCC: the nine constituencies, each with one focal point; 2-minute interventions.
    let unfccc = read("unfccc");
    let nine: BTreeSet<String> = [
        "bingo",
        "engo",
        "ipo",
        "lgma",
        "ringo",
        "tungo",
        "farmers",
        "women_and_gender",
        "youngo",
    ]
    .map(String::from)
    .into();
    assert_eq!(tag_values(&unfccc, "constituency"), nine);
    for constituency in &nine {
        let focal = organisations(&unfccc)
            .iter()
            .filter(|o| o.tags["constituency"] == *constituency)
            .filter(|o| o.tags.get("focal_point").is_some_and(|v| v == "true"))
            .count();
        assert_eq!(focal, 1, "{constituency}");
    }
    assert!(unfccc.sessions.iter().all(|s| s.minutes_per_slot == 2));
    let summary = run(unfccc.clone(), 20);
    for policy in &unfccc.policies {
        if policy.label.starts_with("constituencies") {
            assert_eq!(policy.policy.parameters()["time"]["fixed"], 2);
        }
    }
    // One slot per constituency and one statement per constituency: everyone who asks is
    // voiced; the round robin gives the nine constituencies a slot each when they ask.
    let (voiced, _, _) = metric(&summary, "constituencies_statements", "voice_share");
    assert_eq!(voiced, 1.0);
    // HLPF: the nine Agenda 21 Major Groups; the NGO Major Group's 3 global and 8 regional
    // organising partners as focal points; 5-minute interventions.
    let hlpf = read("hlpf");
    assert_eq!(tag_values(&hlpf, "major_group").len(), 9);
    let ngo_partners: Vec<_> = organisations(&hlpf)
        .into_iter()
        .filter(|o| o.tags["major_group"] == "ngos" && o.tags.contains_key("focal_point"))
        .collect();
    assert_eq!(ngo_partners.len(), 11);
    let regions: BTreeSet<_> = ngo_partners
        .iter()
        .filter(|o| o.kind == floorshare::model::Kind::NationalNgo)
        .map(|o| o.region.clone())
        .collect();
    assert_eq!(
        regions.len(),
        8,
        "one regional organising partner per region"
    );
    assert!(hlpf.sessions.iter().all(|s| s.minutes_per_slot == 5));
}
