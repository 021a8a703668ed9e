//! Paired differences from the baseline policy: what they are (the run-by-run differences of
//! each run's values), why they are tight (common random numbers), and how a summary keeps
//! them (checked, merged, written back).

use floorshare::ErrorKind;
use floorshare::metrics::Summary;
use floorshare::sim::{METRICS, Metric, Scenario, Simulation, SimulationSummary};
use serde_json::{Value, json};

const PRESET: &str = include_str!("../examples/scenarios/gcm_2017.json");

fn preset(runs: u64, baseline: Option<&str>) -> Simulation {
    let mut scenario = Scenario::from_json_str(PRESET).unwrap();
    scenario.runs = runs;
    scenario.baseline = baseline.map(str::to_string);
    Simulation::new(scenario).unwrap()
}

/// The paired differences, recomputed from each run's own summaries: run r's value of a
/// metric under a policy is its mean over the run's sessions (one value for a per-run
/// metric); a run where either side has none adds nothing.
fn by_hand(simulation: &Simulation, baseline: usize) -> Vec<Vec<Summary>> {
    let policies = simulation.scenario().policies.len();
    let mut diffs = vec![vec![Summary::default(); Metric::ALL.len()]; policies];
    for run in 0..simulation.scenario().runs {
        let values = simulation.run_one(run).unwrap();
        for (p, diffs) in diffs.iter_mut().enumerate() {
            for metric in Metric::ALL {
                let (own, base) = (values[p][metric.index()], values[baseline][metric.index()]);
                if own.n > 0 && base.n > 0 {
                    diffs[metric.index()].push(own.mean - base.mean);
                }
            }
        }
    }
    diffs
}

#[test]
fn diffs_are_the_run_by_run_differences_from_the_baseline() {
    for (baseline, index) in [(None, 0), (Some("grassroots_strict"), 2)] {
        let simulation = preset(40, baseline);
        let summary = simulation.run_all().unwrap();
        assert_eq!(summary.baseline, summary.policies[index].name);
        let expected = by_hand(&simulation, index);
        for (p, policy) in summary.policies.iter().enumerate() {
            for metric in Metric::ALL {
                let (got, want) = (policy.diffs[metric.name()], expected[p][metric.index()]);
                let at = format!("{} {}", policy.name, metric.name());
                assert_eq!(got.n, want.n, "{at}");
                assert!((got.mean - want.mean).abs() <= 1e-12, "{at}");
                assert!(
                    (got.m2 - want.m2).abs() <= 1e-9 * want.m2.max(1e-12),
                    "{at}"
                );
                if p == index {
                    // The baseline's own: a 0 for each run where it is defined.
                    assert_eq!((got.mean, got.m2), (0.0, 0.0), "{at}");
                    assert!(got.n <= policy.metrics[metric.name()].n.min(40), "{at}");
                    assert!(!policy.significant(metric.name()));
                }
            }
        }
    }
}

#[test]
fn a_rule_that_changes_nothing_differs_by_exactly_zero() {
    // `fcfs` draws nothing: under two labels, with the speakers placed differently, every run
    // grants the same organisations, so every count-based difference is exactly 0 in every
    // run, however wide each policy's own interval is. Only the placement differs.
    let mut scenario = Scenario::from_json_str(PRESET).unwrap();
    scenario.runs = 60;
    let fcfs: Vec<Value> = vec![
        json!({"label": "fcfs_end", "policy": {"name": "fcfs"}}),
        json!({"label": "fcfs_start", "policy": {"name": "fcfs", "placement": "start"}}),
    ];
    scenario.policies = serde_json::from_value(Value::Array(fcfs)).unwrap();
    let summary = Simulation::new(scenario).unwrap().run_all().unwrap();
    let start = &summary.policies[1];
    for metric in ["grassroots_slot_share", "gini_slots", "never_heard_share"] {
        let diff = start.diffs[metric];
        assert_eq!((diff.n, diff.mean, diff.m2), (60, 0.0, 0.0), "{metric}");
        let (low, high) = start.metrics[metric].ci95();
        assert!(
            high - low > 0.0,
            "{metric}: the policy's own interval is not empty"
        );
        assert!(!start.significant(metric));
    }
    // Placement moves the slots: "too late" is measured, and the difference is significant.
    let late = start.diffs["late_share"];
    assert_eq!(late.n, 60);
    assert!(late.mean < -0.5, "{late:?}");
    assert!(start.significant("late_share"));
}

#[test]
fn paired_intervals_are_tighter_than_the_policies_own() {
    // Common random numbers: the same population and requests in each run for every
    // policy, so run-to-run noise cancels in the difference.
    let summary = preset(200, None).run_all().unwrap();
    let half = |s: &Summary| {
        let (low, high) = s.ci95();
        (high - low) / 2.0
    };
    let base = &summary.policies[0];
    let mut tighter = 0;
    for policy in &summary.policies[1..] {
        let (own, other) = (&policy.metrics["gini_slots"], &base.metrics["gini_slots"]);
        let diff = &policy.diffs["gini_slots"];
        let unpaired = (half(own).powi(2) + half(other).powi(2)).sqrt();
        tighter += usize::from(half(diff) < unpaired);
        // The paired mean is the difference of the means (both over the same 200 runs).
        assert!((diff.mean - (own.mean - other.mean)).abs() < 1e-12);
    }
    assert_eq!(tighter, summary.policies.len() - 1);
    let strict = &summary.policies[2];
    assert_eq!(strict.name, "grassroots_strict");
    assert!(strict.significant("grassroots_slot_share"));
    assert!(strict.diffs["grassroots_slot_share"].mean > 0.2);
}

#[test]
fn an_unknown_baseline_is_named() {
    let mut scenario: Value = serde_json::from_str(PRESET).unwrap();
    scenario["baseline"] = json!("loudest_first");
    let err = Scenario::from_json_str(&scenario.to_string()).unwrap_err();
    assert_eq!(err.field(), "baseline", "{err}");
    assert_eq!(err.kind(), ErrorKind::UnknownName);
    assert!(err.to_string().contains("\"loudest_first\""), "{err}");
}

/// A 30-run shard `text` of the preset, as JSON.
fn shard_json(text: &str) -> Value {
    let summary = preset(30, None)
        .run_shard(text.parse().unwrap(), |_| {})
        .unwrap();
    serde_json::to_value(summary).unwrap()
}

fn refused(value: &Value) -> String {
    let err = SimulationSummary::from_json_str(&value.to_string()).unwrap_err();
    err.field().to_string()
}

#[test]
fn diffs_are_written_read_back_checked_and_merged() {
    // Written inside each metric's object, read back the same.
    let whole = preset(30, None).run_all().unwrap();
    let text = serde_json::to_string(&whole).unwrap();
    let value: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["baseline"], "baseline_2017");
    let diff = &value["policies"][2]["metrics"]["grassroots_slot_share"]["diff"];
    for field in ["n", "mean", "m2", "ci_low", "ci_high"] {
        assert!(diff[field].is_number(), "{field}: {diff}");
    }
    assert_eq!(SimulationSummary::from_json_str(&text).unwrap(), whole);
    // Shards merge their diffs like the rest.
    let mut merged = SimulationSummary::from_json_str(&shard_json("0/2").to_string()).unwrap();
    merged
        .merge(&SimulationSummary::from_json_str(&shard_json("1/2").to_string()).unwrap())
        .unwrap();
    for (a, b) in merged.policies.iter().zip(&whole.policies) {
        for metric in METRICS {
            let (x, y) = (a.diffs[metric], b.diffs[metric]);
            assert_eq!(x.n, y.n, "{} {metric}", a.name);
            assert!((x.mean - y.mean).abs() <= 1e-12, "{} {metric}", a.name);
            assert!(
                (x.m2 - y.m2).abs() <= 1e-9 * y.m2.max(1e-12),
                "{} {metric}",
                a.name
            );
        }
    }
    // What a summary says about its diffs is checked.
    let mut value = shard_json("0/2");
    value["policies"][0]["metrics"]["late_share"]["diff"]["mean"] = json!(0.1);
    assert_eq!(refused(&value), "policies[0].metrics.late_share.diff.mean");
    let mut value = shard_json("0/2");
    value["policies"][1]["metrics"]["gini_slots"]["diff"]["n"] = json!(16);
    assert_eq!(refused(&value), "policies[1].metrics.gini_slots.diff.n");
    let mut value = shard_json("0/2");
    value["policies"][1]["metrics"]["gini_slots"]["diff"]["mean"] = json!(-1.5);
    assert_eq!(refused(&value), "policies[1].metrics.gini_slots.diff.mean");
    let mut value = shard_json("0/2");
    value["policies"][1]["metrics"]["gini_slots"]["diff"]["m2"] = json!(-1.0);
    assert_eq!(refused(&value), "policies[1].metrics.gini_slots.diff.m2");
    let mut value = shard_json("0/2");
    value["policies"][1]["metrics"]["gini_slots"]
        .as_object_mut()
        .unwrap()
        .remove("diff");
    assert_eq!(refused(&value), "policies[1].metrics.gini_slots");
    let mut value = shard_json("0/2");
    value["baseline"] = json!("nobody");
    assert_eq!(refused(&value), "baseline");
    // Shards compared with different baselines do not merge.
    let mut other = shard_json("1/2");
    other["baseline"] = json!("regional_balance");
    other["policies"][0]["metrics"]["late_share"]["diff"]["mean"] = json!(0.01);
    for metric in METRICS {
        other["policies"][1]["metrics"][metric]["diff"] = json!(
            {"n": 0, "mean": 0.0, "m2": 0.0, "ci_low": 0.0, "ci_high": 0.0});
    }
    let other = SimulationSummary::from_json_str(&other.to_string()).unwrap();
    let mut first = SimulationSummary::from_json_str(&shard_json("0/2").to_string()).unwrap();
    let err = first.merge(&other).unwrap_err();
    assert_eq!(err.field(), "baseline", "{err}");
}
