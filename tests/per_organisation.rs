//! Per organisation over runs (an explicit population): each organisation's sessions asked and
//! granted per policy, their selection probability and expected slots, the minimum and Gini,
//! exact merges, and the tool's `--per-organisation` CSV.

use std::path::PathBuf;
use std::process::Command;

mod common;

use floorshare::sim::{Metric, Scenario, Simulation, SimulationSummary};
use serde_json::{Value, json};

/// Twelve organisations in three regions who all ask in every session; a capped lottery (two
/// of twelve, uniformly), the chair, and grassroots priority.
fn scenario(runs: u64) -> Value {
    let organisations: Vec<Value> = (0..12)
        .map(|i| {
            let kind = ["grassroots", "international_ngo", "national_ngo"][i % 3];
            let region = ["africa", "asia", "europe"][i / 4];
            json!({"id": format!("o{i}"), "region": region, "kind": kind})
        })
        .collect();
    json!({
        "name": "every_one_asks", "runs": runs, "seed": 11,
        "population": {"organisations": organisations},
        "sessions": [{"id": "s1", "slots": 2}, {"id": "s2", "slots": 2}, {"id": "s3", "slots": 2}],
        "behaviour": {"ask_probability": {}, "default_ask_probability": 1.0},
        "policies": [
            {"label": "lottery", "policy": {"name": "capped_lottery"}},
            {"label": "chair", "policy": {"name": "chair_discretion"}},
            {"label": "grassroots", "policy": {"name": "grassroots_priority"}}
        ]
    })
}

fn simulation(runs: u64) -> Simulation {
    Simulation::new(Scenario::from_json_str(&scenario(runs).to_string()).unwrap()).unwrap()
}

#[test]
fn counts_agree_with_the_metrics_and_a_uniform_lot_gives_equal_chances() {
    let runs = 3000;
    let summary = simulation(runs).run_all().unwrap();
    let ids = summary
        .organisations
        .as_ref()
        .expect("an explicit population");
    assert_eq!(ids[3], "o3");
    for policy in &summary.policies {
        let counts = policy.organisations.as_ref().unwrap();
        assert_eq!(counts.runs, runs);
        // Everyone asks in every session.
        assert!(counts.sessions_asked.iter().all(|&a| a == 3 * runs));
        // Every slot is one organisation's grant: the total is slots_granted's.
        let slots = policy.metrics[Metric::SlotsGranted.name()];
        let granted: u64 = counts.granted.iter().sum();
        assert_eq!(granted as f64, (slots.mean * slots.n as f64).round());
    }
    // A uniform lot of 2 among 12: each organisation's chance is 1/6 per session, 0.5 slots
    // per process of 3 sessions; 9 000 sessions each give a standard error of 0.0039.
    let lottery = summary.policies[0].organisations.as_ref().unwrap();
    for (org, probability, slots) in lottery.chances() {
        assert!(
            (probability - 1.0 / 6.0).abs() < 4.5 * 0.0039,
            "o{org}: {probability}"
        );
        assert!((slots - 0.5).abs() < 4.5 * 3.0 * 0.0039, "o{org}: {slots}");
    }
    let spread = lottery.spread();
    assert!(spread.selection_probability.gini < 0.03, "{spread:?}");
    assert!(spread.selection_probability.minimum > 1.0 / 6.0 - 0.02);
    // Strict grassroots priority: the four grassroots organisations share every slot, the
    // others never speak; the minimum is 0 and the Gini is that of four equal shares in twelve.
    let strict = summary.policies[2].organisations.as_ref().unwrap();
    let spread = strict.spread();
    assert_eq!(spread.selection_probability.minimum, 0.0);
    assert!(
        (spread.expected_slots.gini - 2.0 / 3.0).abs() < 0.02,
        "{spread:?}"
    );
    for (org, probability, _) in strict.chances() {
        assert_eq!(probability == 0.0, org % 3 != 0, "o{org}: {probability}");
    }
}

#[test]
fn shards_merge_the_counts_exactly_and_a_generated_population_has_none() {
    let simulation = simulation(70);
    let whole = simulation.run_all().unwrap();
    let mut merged = simulation
        .run_shard("0/3".parse().unwrap(), |_| {})
        .unwrap();
    for shard in ["2/3", "1/3"] {
        let text = serde_json::to_string(
            &simulation
                .run_shard(shard.parse().unwrap(), |_| {})
                .unwrap(),
        )
        .unwrap();
        merged
            .merge(&SimulationSummary::from_json_str(&text).unwrap())
            .unwrap();
    }
    for (a, b) in merged.policies.iter().zip(&whole.policies) {
        assert_eq!(a.organisations, b.organisations, "{}", a.name);
    }
    let preset =
        Scenario::from_json_str(include_str!("../examples/scenarios/gcm_2017.json")).unwrap();
    let mut preset = preset.clone();
    preset.runs = 3;
    let summary = Simulation::new(preset).unwrap().run_all().unwrap();
    assert!(summary.organisations.is_none());
    assert!(summary.policies.iter().all(|p| p.organisations.is_none()));
    assert!(
        !serde_json::to_string(&summary)
            .unwrap()
            .contains("sessions_asked")
    );
}

fn refused(value: &Value) -> String {
    let err = SimulationSummary::from_json_str(&value.to_string()).unwrap_err();
    assert_eq!(err.to_string().lines().count(), 1);
    err.field().to_string()
}

#[test]
fn what_a_summary_says_about_organisations_is_checked() {
    let summary = simulation(20)
        .run_shard("0/2".parse().unwrap(), |_| {})
        .unwrap();
    let good = serde_json::to_value(&summary).unwrap();
    assert_eq!(good["policies"][0]["organisations"]["runs"], 10);
    assert!(good["policies"][0]["organisations"]["selection_probability"]["gini"].is_number());
    type Tamper = fn(&mut Value);
    let cases: [(&str, Tamper); 6] = [
        ("policies[1].organisations.granted[3]", |v| {
            v["policies"][1]["organisations"]["granted"][3] = json!(31);
        }),
        ("policies[0].organisations.sessions_asked[0]", |v| {
            v["policies"][0]["organisations"]["sessions_asked"][0] = json!(31);
        }),
        ("policies[2].organisations.runs", |v| {
            v["policies"][2]["organisations"]["runs"] = json!(9);
        }),
        ("organisations[5]", |v| v["organisations"][5] = json!("o4")),
        ("policies[0].organisations", |v| {
            v.as_object_mut().unwrap().remove("organisations");
        }),
        ("policies[1].organisations.granted", |v| {
            v["policies"][1]["organisations"]["granted"]
                .as_array_mut()
                .unwrap()
                .pop();
        }),
    ];
    for (field, tamper) in cases {
        let mut value = good.clone();
        tamper(&mut value);
        assert_eq!(refused(&value), field);
    }
    // Shards of another population do not merge.
    let mut other = serde_json::to_value(
        simulation(20)
            .run_shard("1/2".parse().unwrap(), |_| {})
            .unwrap(),
    )
    .unwrap();
    other["organisations"][0] = json!("someone_else");
    let other = SimulationSummary::from_json_str(&other.to_string()).unwrap();
    let mut first = summary.clone();
    assert_eq!(first.merge(&other).unwrap_err().field(), "organisations");
}

fn binary() -> PathBuf {
    common::example("gcm_2017")
}

#[test]
fn the_tool_writes_one_row_per_policy_and_organisation_that_asked() {
    let dir = std::env::temp_dir().join(format!("floorshare-per-org-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut value = scenario(40);
    // An id with a comma is quoted; an organisation that never asks has no row.
    value["population"]["organisations"][0]["id"] = json!("o,0");
    value["population"]["organisations"][11]["kind"] = json!("academia");
    value["behaviour"]["ask_probability"] = json!({"academia": 0.0});
    let (path, csv) = (dir.join("scenario.json"), dir.join("per_org.csv"));
    std::fs::write(&path, value.to_string()).unwrap();
    let out = Command::new(binary())
        .args(["--scenario", path.to_str().unwrap(), "--per-organisation"])
        .arg(&csv)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("Per organisation that asked"), "{table}");
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("policy,organisation,sessions_asked,granted,selection_probability,expected_slots")
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 3 * 11);
    assert!(rows[0].starts_with("lottery,\"o,0\",120,"), "{}", rows[0]);
    assert!(!text.contains(",o11,"));
    // A generated population has no organisations to list: a one-line error, exit 2.
    let out = Command::new(binary())
        .args(["--runs", "2", "--per-organisation"])
        .arg(&csv)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let message = String::from_utf8(out.stderr).unwrap();
    assert!(message.contains("explicit population"), "{message}");
    std::fs::remove_dir_all(dir).unwrap();
}
