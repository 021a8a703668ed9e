//! The JSON tool `examples/allocate.rs` as a user runs it: JSON in, JSON out,
//! byte-identical for the same input and seed; bad input exits with status 2 and one line on
//! stderr naming the field at fault, nothing on stdout.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::{Value, json};

mod common;

fn allocate_binary() -> PathBuf {
    common::example("allocate")
}

fn run_stdin(input: &str) -> Output {
    common::run_with_stdin("allocate", &[], input)
}

fn document(policy: Value) -> Value {
    json!({
        "session": {"id": "ts1", "title": "Thematic session 2", "slots": 2, "minutes_per_slot": 3,
                    "length_minutes": 180, "placement": "end",
                    "chair": {"id": "cf", "min_slots": 1, "max_slots": 2,
                              "familiarity": {"international_ngo": 3.0}}},
        "organisations": [
            {"id": "o1", "name": "Pacific Climate Migrants", "region": "pacific", "kind": "grassroots",
             "migrant_led": true},
            {"id": "o2", "region": "europe", "kind": "international_ngo"},
            {"id": "o3", "region": "europe", "kind": "trade_union"}],
        "requests": [{"organisation": "o1", "theme": "climate"}, {"organisation": "o2"},
                     {"organisation": "o3"}, {"organisation": "o2"}],
        "history": [{"organisation": "o2", "slots": 1, "minutes": 3, "last_session": 0}],
        "grassroots_class": {"kinds": ["grassroots"], "migrant_led": true},
        "policy": policy,
        "seed": 42
    })
}

#[test]
fn every_policy_runs_and_is_byte_identical_across_runs() {
    for policy in [
        json!({"name": "chair_discretion"}),
        json!({"name": "regional_balance", "weights": "equal", "method": "sainte_lague"}),
        json!({"name": "regional_balance", "weights": {"europe": 2, "pacific": 1}, "within_region": "grassroots_first"}),
        json!({"name": "grassroots_priority"}),
        json!({"name": "grassroots_priority", "mode": "reserved", "share": 0.5, "placement": "spread"}),
        json!({"name": "grassroots_priority", "mode": "weighted", "weight": 3}),
    ] {
        let input = document(policy.clone()).to_string();
        let first = run_stdin(&input);
        assert!(
            first.status.success(),
            "{policy}: {}",
            String::from_utf8_lossy(&first.stderr)
        );
        assert!(first.stderr.is_empty());
        let second = run_stdin(&input);
        assert_eq!(first.stdout, second.stdout, "{policy}: not deterministic");
        let out: Value = serde_json::from_slice(&first.stdout).unwrap();
        assert_eq!(out["session"], "ts1");
        assert_eq!(out["seed"], 42);
        assert_eq!(out["policy"]["name"], policy["name"]);
        assert_eq!(out["floorshare"], env!("CARGO_PKG_VERSION"));
        let granted = out["granted"].as_array().unwrap();
        let waitlisted = out["waitlisted"].as_array().unwrap();
        assert_eq!(
            granted.len() + waitlisted.len(),
            4,
            "{policy}: nothing lost"
        );
        assert_eq!(waitlisted.last().unwrap()["reason"], "duplicate");
        for (i, grant) in granted.iter().enumerate() {
            assert_eq!(grant["position"], i + 1);
            assert_eq!(grant["minutes"], 3);
            assert!(grant["start_minute"].is_u64());
            assert!(grant["reason"].is_string());
        }
    }
}

#[test]
fn the_spec_example_gives_one_speaker_per_region_at_the_end() {
    let out = run_stdin(&document(json!({"name": "regional_balance"})).to_string());
    let out: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        out["policy"],
        json!({"name": "regional_balance", "weights": "equal", "method": "sainte_lague", "within_region": "lottery"})
    );
    let granted = out["granted"].as_array().unwrap();
    let starts: Vec<&Value> = granted.iter().map(|g| &g["start_minute"]).collect();
    assert_eq!(starts, [&json!(174), &json!(177)]);
    let mut ids: Vec<&str> = granted
        .iter()
        .map(|g| g["organisation"].as_str().unwrap())
        .collect();
    ids.sort();
    assert!(
        ids[0] == "o1" && (ids[1] == "o2" || ids[1] == "o3"),
        "{ids:?}"
    );
    assert!(granted.iter().all(|g| g["reason"] == "regional_quota"));
}

#[test]
fn reads_a_file_path_like_stdin() {
    let path =
        std::env::temp_dir().join(format!("floorshare-allocate-{}.json", std::process::id()));
    let input = document(json!({"name": "grassroots_priority"})).to_string();
    std::fs::write(&path, &input).unwrap();
    let from_file = Command::new(allocate_binary()).arg(&path).output().unwrap();
    std::fs::remove_file(&path).unwrap();
    assert!(from_file.status.success());
    assert_eq!(from_file.stdout, run_stdin(&input).stdout);
}

/// Bad input: exit 2, nothing on stdout, one line on stderr that names the field.
fn assert_rejected(input: &str, expected: &str) {
    let out = run_stdin(input);
    assert_eq!(out.status.code(), Some(2), "{input}");
    assert!(out.stdout.is_empty(), "{input}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with(expected),
        "expected {expected:?}, got {stderr:?}"
    );
}

#[test]
fn bad_input_exits_2_with_one_line_naming_the_field() {
    let with = |edit: &dyn Fn(&mut Value)| {
        let mut doc = document(json!({"name": "regional_balance"}));
        edit(&mut doc);
        doc.to_string()
    };
    assert_rejected(
        &with(&|d| d["policy"] = json!({"name": "loudest_first"})),
        r#"policy.name: unknown policy "loudest_first""#,
    );
    assert_rejected(
        &with(&|d| {
            d["policy"] = json!({"name": "grassroots_priority", "mode": "reserved", "share": 1.5})
        }),
        "policy.share: 1.5 is outside [0, 1]",
    );
    assert_rejected(
        &with(&|d| d["policy"]["wieghts"] = json!("equal")),
        "policy.wieghts: unknown field `wieghts`",
    );
    assert_rejected(
        &with(&|d| d["policy"]["weights"] = json!({"europe": 1})),
        r#"policy.weights: no weight for requesting region "pacific""#,
    );
    assert_rejected(
        &with(&|d| d["requests"][2]["organisation"] = json!("o9")),
        r#"requests[2].organisation: unknown organisation "o9""#,
    );
    assert_rejected(
        &with(&|d| d["organisations"][2]["id"] = json!("o1")),
        r#"organisations[2].id: duplicate organisation id "o1""#,
    );
    assert_rejected(
        &with(&|d| d["session"]["chair"]["min_slots"] = json!(3)),
        "session.chair.min_slots: 3 is greater than max_slots (2)",
    );
    assert_rejected(
        &with(&|d| d["session"]["slots"] = json!("two")),
        r#"session.slots: invalid type: string "two", expected u32"#,
    );
    assert_rejected(
        &with(&|d| d["seed"] = json!(-3)),
        "seed: invalid value: integer `-3`, expected u64",
    );
    assert_rejected("{\"session\": [", "input: EOF while parsing");
    let out = Command::new(allocate_binary())
        .arg("/nonexistent/session.json")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("input: cannot read"));
}

fn run_with_metrics(input: &Value) -> Value {
    let out = common::run_with_stdin("allocate", &["--metrics"], &input.to_string());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn close(value: &Value, expected: f64) -> bool {
    (value.as_f64().unwrap() - expected).abs() < 1e-12
}

#[test]
fn metrics_are_added_as_the_metrics_module_defines_them() {
    // The interchange format's example: europe asks twice (o2, o3), the pacific once (o1); the seed gives
    // europe's o3 the first slot and the pacific's o1 the second, both at the end.
    let out = run_with_metrics(&document(json!({"name": "regional_balance"})));
    let granted: Vec<&str> = out["granted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["organisation"].as_str().unwrap())
        .collect();
    assert_eq!(granted, ["o3", "o1"]);
    let m = &out["metrics"];
    let europe = &m["by_region"]["europe"];
    assert_eq!(
        (&europe["requests"], &europe["granted"]),
        (&json!(2), &json!(1))
    );
    assert!(close(&europe["selection_rate"], 0.5));
    assert!(close(&europe["slot_share"], 0.5));
    assert!(close(&europe["target_share"], 2.0 / 3.0));
    assert!(close(&europe["mean_position"], 0.0));
    let pacific = &m["by_region"]["pacific"];
    assert!(close(&pacific["selection_rate"], 1.0));
    assert!(close(&pacific["mean_position"], 1.0));
    // The international NGO (o2) asked twice but counts once, and was not heard.
    let ngo = &m["by_kind"]["international_ngo"];
    assert_eq!((&ngo["requests"], &ngo["granted"]), (&json!(1), &json!(0)));
    assert_eq!(ngo["mean_position"], Value::Null);
    let class = &m["grassroots_class"];
    assert_eq!(
        (&class["requests"], &class["granted"]),
        (&json!(1), &json!(1))
    );
    // LH = ½(|½ − ⅔| + |½ − ⅓|) = ⅙; Gallagher = √(½·2·(⅙)²) = ⅙;
    // SL = (⅙)²/⅔ + (⅙)²/⅓ = 1/8; entropy of two regions one each = 1.
    assert!(close(&m["loosemore_hanby"], 1.0 / 6.0));
    assert!(close(&m["gallagher"], 1.0 / 6.0));
    assert!(close(&m["sainte_lague_index"], 0.125));
    assert!(close(&m["max_deviation"], 1.0 / 6.0));
    assert!(close(&m["region_entropy"], 1.0));
    assert!(close(&m["late_share"], 1.0));
    for field in ["by_region", "by_kind", "grassroots_class"] {
        assert!(m[field].is_object(), "{field}");
    }
}

#[test]
fn undefined_metrics_are_null_never_nan() {
    // No session length: late_share is null. No slot: shares and indices are null.
    let mut doc = document(json!({"name": "grassroots_priority"}));
    doc["session"]["slots"] = json!(0);
    doc["session"]
        .as_object_mut()
        .unwrap()
        .remove("length_minutes");
    let m = &run_with_metrics(&doc)["metrics"];
    for field in [
        "loosemore_hanby",
        "gallagher",
        "sainte_lague_index",
        "max_deviation",
        "region_entropy",
        "late_share",
    ] {
        assert_eq!(m[field], Value::Null, "{field}");
    }
    assert_eq!(m["by_region"]["europe"]["slot_share"], Value::Null);
    assert!(close(&m["by_region"]["europe"]["selection_rate"], 0.0));
    // No request at all: every group of the roster is listed with zeros and nulls.
    let mut doc = document(json!({"name": "grassroots_priority"}));
    doc["requests"] = json!([]);
    let m = &run_with_metrics(&doc)["metrics"];
    assert_eq!(m["by_region"]["pacific"]["requests"], 0);
    assert_eq!(m["by_region"]["pacific"]["selection_rate"], Value::Null);
    assert_eq!(m["grassroots_class"]["requests"], 0);
    assert_eq!(m["grassroots_class"]["selection_rate"], Value::Null);
    assert_eq!(m["grassroots_class"]["target_share"], Value::Null);
}

#[test]
fn metrics_by_any_category_the_caller_names() {
    let mut input = document(json!({"name": "regional_balance"}));
    input["organisations"][0]["tags"] = json!({"constituency": "women"});
    let args = ["--metrics", "--by", "tag:constituency", "--by", "kind"];
    let out = common::run_with_stdin("allocate", &args, &input.to_string());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let output: Value = serde_json::from_slice(&out.stdout).unwrap();
    let by = &output["metrics"]["by_category"];
    assert_eq!(by["tag:constituency"]["women"]["requests"], 1);
    assert!(by["tag:constituency"][""]["requests"].as_u64().unwrap() >= 1);
    assert!(by["kind"].as_object().unwrap().contains_key("grassroots"));
    // An unknown category is one line naming it; --by needs --metrics.
    let out = common::run_with_stdin("allocate", &["--metrics", "--by", "colour"], "{}");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("arguments: --by: category: unknown category \"colour\""),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1);
    let out = common::run_with_stdin("allocate", &["--by", "kind"], "{}");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn joint_statements_give_voices_without_slots() {
    // The Pacific focal point speaks on behalf of two others: four organisations asked, one
    // slot goes to the focal point and three voices are heard.
    let input = json!({
        "session": {"id": "r1", "slots": 1},
        "organisations": [
            {"id": "focal", "region": "pacific", "kind": "grassroots"},
            {"id": "fiji", "region": "pacific", "kind": "grassroots"},
            {"id": "tonga", "region": "pacific", "kind": "diaspora"},
            {"id": "ngo", "region": "europe", "kind": "international_ngo"}],
        "requests": [{"organisation": "focal", "on_behalf_of": ["fiji", "tonga"]},
                     {"organisation": "ngo"}],
        "policy": {"name": "grassroots_priority"},
        "seed": 1
    });
    let output = run_with_metrics(&input);
    assert_eq!(output["granted"][0]["organisation"], "focal");
    assert_eq!(output["metrics"]["voices_heard"], 3);
    assert!(close(&output["metrics"]["voice_share"], 0.75));
    // An unknown co-signatory is one line naming it.
    let mut bad = input.clone();
    bad["requests"][0]["on_behalf_of"] = json!(["fiji", "samoa"]);
    assert_rejected(
        &bad.to_string(),
        r#"requests[0].on_behalf_of[1]: unknown organisation "samoa""#,
    );
}
