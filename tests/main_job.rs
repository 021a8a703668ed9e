//! The main job, `examples/gcm_2017`, as a user runs it: the table, `--csv`/`--json` outputs,
//! shards and `merge`, and bad arguments (exit status 2, one line on stderr).

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

mod common;

fn binary() -> PathBuf {
    common::example("gcm_2017")
}

fn run(args: &[&str]) -> Output {
    Command::new(binary()).args(args).output().unwrap()
}

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("floorshare-main-job-{}-{name}", std::process::id()))
}

const REQUIRED: [&str; 10] = [
    "grassroots_slot_share",
    "grassroots_request_share",
    "international_ngo_slot_share",
    "region_gallagher",
    "late_share",
    "gini_slots",
    "never_heard_share",
    "themes_heard_share",
    "voice_share",
    "never_voiced_share",
];

#[test]
fn prints_the_table_and_writes_csv_and_json() {
    let (csv, json, svg) = (temp("out.csv"), temp("out.json"), temp("out.svg"));
    let out = run(&[
        "--svg",
        svg.to_str().unwrap(),
        "--runs",
        "8",
        "--seed",
        "5",
        "--csv",
        csv.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.starts_with("gcm_2017: 8 runs, seed 5"), "{table}");
    for metric in REQUIRED {
        assert!(table.contains(metric), "{metric} missing from the table");
    }
    for label in [
        "baseline_2017",
        "regional_balance",
        "grassroots_strict",
        "grassroots_reserved",
        "regional_grassroots_first",
    ] {
        assert!(table.contains(&format!("| {label} ")), "{label} missing");
    }
    let summary: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(summary["scenario"], "gcm_2017");
    assert_eq!(summary["runs"], 8);
    assert_eq!(summary["seed"], 5);
    let baseline = &summary["policies"][0];
    assert_eq!(baseline["name"], "baseline_2017");
    for metric in REQUIRED {
        let m = &baseline["metrics"][metric];
        for field in ["n", "mean", "m2", "ci_low", "ci_high"] {
            assert!(m[field].is_number(), "{metric}.{field}");
        }
    }
    let csv_text = std::fs::read_to_string(&csv).unwrap();
    assert!(csv_text.starts_with("policy,metric,kind,n,mean,m2,ci_low,ci_high\n"));
    assert!(csv_text.contains("\nbaseline_2017,late_share,value,"));
    // The baseline's own difference is 0 over the runs; every row has 8 cells.
    assert!(csv_text.contains("\nbaseline_2017,late_share,diff,8,0,0,0,0\n"));
    let rows = csv_text.lines().skip(1);
    assert!(rows.clone().all(|row| row.split(',').count() == 8));
    assert_eq!(rows.count(), 2 * 9 * floorshare::sim::METRICS.len());
    // The difference table, the baseline left out, significant differences marked.
    let differences = table
        .split("Paired differences from baseline_2017")
        .nth(1)
        .expect("the table of paired differences");
    assert!(!differences.contains("| baseline_2017 "), "{differences}");
    let strict = differences
        .lines()
        .find(|l| l.starts_with("| grassroots_strict "))
        .unwrap();
    assert!(strict.contains(" *"), "{strict}");
    let diff = &summary["policies"][2]["metrics"]["grassroots_slot_share"]["diff"];
    assert!(diff["mean"].as_f64().unwrap() > 0.0, "{diff}");
    let chart = std::fs::read_to_string(&svg).unwrap();
    assert!(chart.contains("<svg") && chart.contains("grassroots_slot_share"));
    std::fs::remove_file(csv).unwrap();
    std::fs::remove_file(json).unwrap();
    std::fs::remove_file(svg).unwrap();
}

#[test]
fn shards_merge_into_the_full_run_through_the_command() {
    let files: Vec<PathBuf> = (0..3).map(|i| temp(&format!("shard{i}.json"))).collect();
    for (i, file) in files.iter().enumerate() {
        let shard = format!("{i}/3");
        let out = run(&[
            "--runs",
            "9",
            "--shard",
            &shard,
            "--json",
            file.to_str().unwrap(),
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let mut args = vec!["merge"];
    args.extend(files.iter().map(|f| f.to_str().unwrap()));
    let merged = run(&args);
    assert!(
        merged.status.success(),
        "{}",
        String::from_utf8_lossy(&merged.stderr)
    );
    let merged: Value = serde_json::from_slice(&merged.stdout).unwrap();
    let full = temp("full.json");
    assert!(
        run(&["--runs", "9", "--json", full.to_str().unwrap()])
            .status
            .success()
    );
    let full: Value = serde_json::from_str(&std::fs::read_to_string(&full).unwrap()).unwrap();
    assert_eq!(merged["runs"], 9);
    for (m, f) in merged["policies"]
        .as_array()
        .unwrap()
        .iter()
        .zip(full["policies"].as_array().unwrap())
    {
        for metric in REQUIRED {
            let (a, b) = (&m["metrics"][metric], &f["metrics"][metric]);
            assert_eq!(a["n"], b["n"]);
            let (x, y) = (a["mean"].as_f64().unwrap(), b["mean"].as_f64().unwrap());
            assert!(
                (x - y).abs() <= 1e-9 * x.abs().max(y.abs()),
                "{metric}: {x} vs {y}"
            );
        }
    }
    // The same shard twice is refused; an incomplete set is merged with a warning.
    let twice = run(&[
        "merge",
        files[0].to_str().unwrap(),
        files[0].to_str().unwrap(),
    ]);
    assert_eq!(twice.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&twice.stderr).contains("shards.indices"));
    let partial = run(&[
        "merge",
        files[0].to_str().unwrap(),
        files[2].to_str().unwrap(),
    ]);
    assert!(partial.status.success());
    assert!(String::from_utf8_lossy(&partial.stderr).starts_with("warning: 2 of 3 shards merged"));
    for file in files {
        std::fs::remove_file(file).unwrap();
    }
}

#[test]
fn bad_arguments_exit_2_with_one_line() {
    for args in [
        &["--runs", "many"][..],
        &["--shard", "3/3"],
        &["--loud"],
        &["--scenario", "/nonexistent.json"],
        &["merge"],
        &["merge", "x.json", "--runs", "3"],
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr).lines().count(),
            1,
            "{args:?}"
        );
    }
}
