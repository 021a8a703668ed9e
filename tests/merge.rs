//! Merging shard summaries without trusting them (`SimulationSummary::from_json_str`,
//! `check`, `merge`), the main job's `merge` and chart on hostile summaries, and the process
//! edges of both tools: non-UTF-8 arguments, a stdout that cannot be written.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use floorshare::ErrorKind;
use floorshare::metrics::Summary;
use floorshare::sim::{Scenario, Shard, Simulation, SimulationSummary};
use serde_json::{Value, json};

mod common;

#[path = "../examples/gcm_2017/chart.rs"]
#[allow(dead_code)]
mod chart;

/// A small scenario (two policies, two sessions), quick in a debug build.
fn simulation(runs: u64) -> Simulation {
    Simulation::new(
        Scenario::from_json_str(&format!(
            r#"{{"name": "small", "runs": {runs}, "seed": 3,
                "population": {{"generate": {{"counts": {{"asia": {{"grassroots": 6, "international_ngo": 2}},
                                                        "europe": {{"international_ngo": 4}}}}}}}},
                "sessions": [{{"id": "s1", "slots": 2, "length_minutes": 60}}, {{"id": "s2", "slots": 1}}],
                "behaviour": {{"ask_probability": {{"international_ngo": 0.9, "grassroots": 0.4}}}},
                "policies": [{{"label": "chair", "policy": {{"name": "chair_discretion"}}}},
                             {{"label": "regions", "policy": {{"name": "regional_balance"}}}}]}}"#
        ))
        .unwrap(),
    )
    .unwrap()
}

fn shard(simulation: &Simulation, text: &str) -> SimulationSummary {
    simulation.run_shard(text.parse().unwrap(), |_| {}).unwrap()
}

/// Shard `text` of a 50-run simulation, as JSON.
fn shard_json(text: &str) -> Value {
    serde_json::to_value(shard(&simulation(50), text)).unwrap()
}

/// Reads `value` as the merge command does; the error's field and message.
fn refused(value: &Value) -> (String, String) {
    let err = SimulationSummary::from_json_str(&value.to_string()).unwrap_err();
    let message = err.to_string();
    assert_eq!(message.lines().count(), 1, "{message}");
    (err.field().to_string(), message)
}

#[test]
fn a_summary_as_written_reads_back_and_checks() {
    for text in ["0/3", "1/3", "2/3", "0/1", "5/70"] {
        let summary = shard(&simulation(50), text);
        summary.check().unwrap();
        let read =
            SimulationSummary::from_json_str(&serde_json::to_string_pretty(&summary).unwrap())
                .unwrap();
        assert_eq!(read, summary, "{text}");
    }
    simulation(5).run_all().unwrap().check().unwrap();
}

#[test]
fn shard_indices_outside_the_count_or_repeated_are_refused() {
    // [1, 5] of 3: 5 is no shard of 3.
    let mut value = shard_json("1/3");
    value["shards"]["indices"] = json!([1, 5]);
    let (field, message) = refused(&value);
    assert_eq!(field, "shards.indices[1]", "{message}");
    assert!(message.contains("is not a shard of 3"), "{message}");
    // [0, 0]: one shard twice.
    let mut value = shard_json("0/3");
    value["shards"]["indices"] = json!([0, 0]);
    let err = SimulationSummary::from_json_str(&value.to_string()).unwrap_err();
    assert_eq!(
        (err.kind(), err.field()),
        (ErrorKind::DuplicateId, "shards.indices[1]"),
        "{err}"
    );
    // No shard, or a count of 0.
    let mut value = shard_json("0/3");
    value["shards"]["indices"] = json!([]);
    assert_eq!(refused(&value).0, "shards.indices");
    value["shards"] = json!({"count": 0, "indices": [0]});
    assert_eq!(refused(&value).0, "shards.count");
    // Across files: the same shard in two summaries.
    let mut a = shard(&simulation(50), "0/3");
    let b = shard(&simulation(50), "0/3");
    assert_eq!(a.merge(&b).unwrap_err().field(), "shards.indices");
}

#[test]
fn runs_that_do_not_add_up_are_refused_and_a_partial_merge_is_never_complete() {
    // Shard 1 of 3 of 50 runs holds runs 16..33: 17 runs.
    let mut value = shard_json("1/3");
    value["runs"] = json!(33);
    let (field, message) = refused(&value);
    assert_eq!(field, "runs", "{message}");
    assert!(
        message.contains("is not the 17 runs that shards [1] of 3 hold of 50 runs"),
        "{message}"
    );
    // Claiming every shard of 3 with 33 runs: never labelled complete.
    let mut value = shard_json("0/3");
    value["shards"]["indices"] = json!([0, 1]);
    value["runs"] = json!(50);
    assert_eq!(refused(&value).0, "runs");
    // A summary without shards holds every run.
    let mut value = shard_json("0/3");
    value.as_object_mut().unwrap().remove("shards");
    let (field, message) = refused(&value);
    assert_eq!(field, "runs", "{message}");
    // And in the library: two real shards of three are a partial result, whatever is done.
    let simulation = simulation(50);
    let mut merged = shard(&simulation, "0/3");
    merged.merge(&shard(&simulation, "2/3")).unwrap();
    assert_eq!(merged.runs, 33);
    assert_eq!(merged.shards.as_ref().unwrap().indices, [0, 2]);
    let mut forged = merged.clone();
    forged.shards = None;
    assert_eq!(forged.check().unwrap_err().field(), "runs");
}

#[test]
fn counts_that_would_overflow_are_refused() {
    let max = json!(u64::MAX);
    // runs of 2⁶⁴ − 1: they do not add up to the shard's share.
    let mut value = shard_json("1/3");
    value["runs"] = max.clone();
    assert_eq!(refused(&value).0, "runs");
    // n of 2⁶⁴ − 1: more values than the runs give.
    let mut value = shard_json("1/3");
    value["policies"][0]["metrics"]["gini_slots"]["n"] = max.clone();
    let (field, message) = refused(&value);
    assert_eq!(field, "policies[0].metrics.gini_slots.n", "{message}");
    assert!(
        message.contains("is more than the 17 values its runs give"),
        "{message}"
    );
    value["policies"][0]["metrics"]["gini_slots"]["n"] = json!(u64::MAX as f64 * 2.0);
    assert_eq!(refused(&value).0, "policies[0].metrics.gini_slots.n");
    // A total of 2⁶⁴ − 1 runs, in two shards whose n add up past 2⁶⁴ − 1: refused, not
    // wrapped.
    let total = (1 << 63) + 2;
    let big = |index: u64| {
        let mut s = shard(&simulation(50), &format!("{index}/2"));
        s.total_runs = total;
        let runs = Shard { index, count: 2 }.runs(total);
        s.runs = runs.end - runs.start;
        for policy in &mut s.policies {
            for (name, m) in policy.metrics.iter_mut() {
                *m = Summary {
                    n: if name == "slots_granted" {
                        s.runs * 2
                    } else {
                        s.runs
                    },
                    mean: 0.5,
                    m2: 0.0,
                };
            }
        }
        s.check().unwrap();
        s
    };
    let (mut a, b) = (big(0), big(1));
    let before = a.clone();
    let err = a.merge(&b).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TooLarge, "{err}");
    assert_eq!(err.field(), "policies[0].metrics.slots_granted.n", "{err}");
    assert_eq!(a, before, "a refused merge changes nothing");
}

fn metric(value: &mut Value) -> &mut Value {
    &mut value["policies"][1]["metrics"]["late_share"]
}

#[test]
fn negative_m2_and_numbers_that_are_not_finite_are_refused() {
    let mut value = shard_json("0/2");
    metric(&mut value)["m2"] = json!(-1.0);
    let (field, message) = refused(&value);
    assert_eq!(field, "policies[1].metrics.late_share.m2", "{message}");
    // A huge mean: outside the metric's range (it once gave NaN, written as null).
    let mut value = shard_json("0/2");
    metric(&mut value)["mean"] = json!(1.7e308);
    let (field, message) = refused(&value);
    assert_eq!(field, "policies[1].metrics.late_share.mean", "{message}");
    assert!(message.contains("is outside [0, 1]"), "{message}");
    let mut value = shard_json("0/2");
    value["policies"][0]["metrics"]["slots_granted"]["mean"] = json!(-1e300);
    assert_eq!(refused(&value).0, "policies[0].metrics.slots_granted.mean");
    // null, 1e309 (out of range for a float): read errors naming the field.
    let mut value = shard_json("0/2");
    metric(&mut value)["mean"] = Value::Null;
    assert_eq!(refused(&value).0, "policies[1].metrics.late_share.mean");
    let text = shard_json("0/2").to_string();
    let at = text.find(r#""late_share":{"n":"#).unwrap();
    let mean = at + text[at..].find(r#""mean":"#).unwrap() + 7;
    let end = mean + text[mean..].find(',').unwrap();
    let text = format!("{}1e309{}", &text[..mean], &text[end..]);
    let err = SimulationSummary::from_json_str(&text).unwrap_err();
    assert_eq!(err.field(), "policies[0].metrics.late_share.mean", "{err}");
    // An M2 no values within [0, 1] could give.
    let mut value = shard_json("0/2");
    metric(&mut value)["m2"] = json!(1e300);
    assert_eq!(refused(&value).0, "policies[1].metrics.late_share.m2");
    // Whatever merges, every number written is finite: never null.
    let simulation = simulation(50);
    let mut merged = shard(&simulation, "0/2");
    merged.merge(&shard(&simulation, "1/2")).unwrap();
    assert!(!serde_json::to_string(&merged).unwrap().contains("null"));
}

#[test]
fn labels_the_scenario_check_refuses_are_refused() {
    let label = "chair,\ninjected";
    let mut value = shard_json("0/2");
    value["policies"][0]["name"] = json!(label);
    let (field, message) = refused(&value);
    assert_eq!(field, "policies[0].name", "{message}");
    let mut value = shard_json("0/2");
    value["policies"][1]["name"] = json!("chair");
    assert_eq!(refused(&value).0, "policies[1].name");
    let mut value = shard_json("0/2");
    value["scenario"] = json!("two\nlines");
    assert_eq!(refused(&value).0, "scenario");
    // The scenario check refuses the same label.
    let scenario = include_str!("../examples/scenarios/gcm_2017.json");
    let mut scenario: Value = serde_json::from_str(scenario).unwrap();
    scenario["policies"][1]["label"] = json!(label);
    let err = Scenario::from_json_str(&scenario.to_string()).unwrap_err();
    assert_eq!(err.field(), "policies[1].label", "{err}");
    assert_eq!(err.to_string().lines().count(), 1);
}

#[test]
fn unknown_fields_metrics_and_repeated_keys_are_refused() {
    // "shard" for "shards".
    let mut value = shard_json("1/3");
    let shards = value.as_object_mut().unwrap().remove("shards").unwrap();
    value["shard"] = shards;
    let (field, message) = refused(&value);
    assert_eq!(field, "shard", "{message}");
    assert!(message.contains("unknown field `shard`"), "{message}");
    // Inside a metric and a policy.
    let mut value = shard_json("1/3");
    value["policies"][0]["metrics"]["late_share"]["sd"] = json!(0.1);
    assert_eq!(refused(&value).0, "policies[0].metrics.late_share.sd");
    let mut value = shard_json("1/3");
    value["policies"][0]["label"] = json!("x");
    assert_eq!(refused(&value).0, "policies[0].label");
    // A metric floorshare does not know, and one missing.
    let mut value = shard_json("1/3");
    let late = value["policies"][0]["metrics"]["late_share"].clone();
    value["policies"][0]["metrics"]["lateness"] = late;
    let (field, message) = refused(&value);
    assert_eq!(field, "policies[0].metrics", "{message}");
    assert!(
        message.contains("\"lateness\" is not a metric"),
        "{message}"
    );
    let mut value = shard_json("1/3");
    value["policies"][0]["metrics"]
        .as_object_mut()
        .unwrap()
        .remove("voice_share");
    assert_eq!(refused(&value).0, "policies[0].metrics");
    // A metric given twice: the last would silently win.
    let text = serde_json::to_string(&shard_json("1/3")).unwrap();
    let text = text.replacen(
        r#""metrics":{"#,
        r#""metrics":{"late_share":{"n":0,"mean":0.0,"m2":0.0,"ci_low":0.0,"ci_high":0.0,"diff":{"n":0,"mean":0.0,"m2":0.0,"ci_low":0.0,"ci_high":0.0}},"#,
        1,
    );
    let err = SimulationSummary::from_json_str(&text).unwrap_err();
    assert_eq!(err.field(), "policies[0].metrics", "{err}");
    assert!(
        err.to_string().contains("duplicate key \"late_share\""),
        "{err}"
    );
    // Trailing text.
    let text = shard_json("1/3").to_string();
    let err = SimulationSummary::from_json_str(&format!("{text} {{}}")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Syntax);
}

/// Draws `summary`'s chart into a temporary file, failing if it takes more than a few
/// seconds.
fn draws_in_time(summary: &SimulationSummary, name: &str) {
    let path = std::env::temp_dir().join(format!(
        "floorshare-merge-{}-{name}.svg",
        std::process::id()
    ));
    let started = Instant::now();
    chart::write_svg(summary, &["late_share", "slots_granted"], &path).unwrap();
    assert!(started.elapsed() < Duration::from_secs(10), "{name}");
    assert!(std::fs::read_to_string(&path).unwrap().contains("<svg"));
    std::fs::remove_file(path).unwrap();
}

#[test]
fn the_chart_finishes_on_any_numbers() {
    // The library refuses such summaries; the chart must end on them all the same.
    let base = simulation(4).run_all().unwrap();
    for (k, mean) in [
        1.7e308,
        -1.7e308,
        f64::MAX,
        f64::INFINITY,
        f64::NAN,
        1e-300,
        5e-324,
        1e15,
        0.0,
    ]
    .into_iter()
    .enumerate()
    {
        let mut summary = base.clone();
        for metric in ["late_share", "slots_granted"] {
            summary.policies[0].metrics.get_mut(metric).unwrap().mean = mean;
            summary.policies[1].metrics.get_mut(metric).unwrap().m2 = mean.abs();
        }
        draws_in_time(&summary, &format!("mean{k}"));
    }
    assert_eq!(
        chart::y_range([1.7e308, 0.5]),
        (0.0, chart::LIMIT + 0.1 * chart::LIMIT)
    );
    assert_eq!(chart::y_range([f64::NAN, f64::INFINITY]), (0.0, 1.0));
}

/// The GCM 2017 preset with policy 3 under an explicit weight map that lacks the region the
/// preset lists last (`pacific`); that region's name.
fn preset_with_weights_missing_a_region() -> (Value, String) {
    let mut scenario: Value =
        serde_json::from_str(include_str!("../examples/scenarios/gcm_2017.json")).unwrap();
    let regions: Vec<String> = scenario["population"]["generate"]["counts"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    let (missing, kept) = regions.split_last().unwrap();
    let weights: serde_json::Map<String, Value> =
        kept.iter().map(|r| (r.clone(), json!(1.0))).collect();
    scenario["policies"][3] = json!({"label": "weighted",
        "policy": {"name": "regional_balance", "weights": weights}});
    (scenario, missing.clone())
}

#[test]
fn a_weight_map_missing_a_region_is_found_before_the_first_run() {
    let (scenario, missing) = preset_with_weights_missing_a_region();
    let err = Scenario::from_json_str(&scenario.to_string()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MissingWeight);
    assert_eq!(err.field(), "policies[3].policy.weights");
    assert_eq!(
        err.to_string(),
        format!("policies[3].policy.weights: no weight for requesting region {missing:?}")
    );
    // A region whose organisations never ask needs no weight.
    let mut quiet = scenario.clone();
    quiet["behaviour"]["ask_probability"] = json!({});
    quiet["behaviour"]["default_ask_probability"] = json!(0.0);
    for (region, kinds) in quiet["population"]["generate"]["counts"]
        .as_object_mut()
        .unwrap()
        .iter_mut()
    {
        *kinds = if *region == missing {
            json!({"grassroots": 3})
        } else {
            json!({"international_ngo": 3})
        };
    }
    quiet["behaviour"]["ask_probability"] = json!({"international_ngo": 0.5});
    quiet["behaviour"]["regional_themes"] = json!({});
    Scenario::from_json_str(&quiet.to_string()).unwrap();
    // Through the tool: one line, the full path, before any run (no progress was shown).
    let path = temp("weights.json");
    std::fs::write(&path, scenario.to_string()).unwrap();
    let out = run(
        "gcm_2017",
        &["--scenario", path.to_str().unwrap(), "--progress"],
    );
    std::fs::remove_file(&path).unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        format!(
            "scenario: policies[3].policy.weights: no weight for requesting region {missing:?}\n"
        )
    );
}

#[test]
fn a_chair_bound_the_sessions_contradict_is_found_before_the_first_run() {
    let mut scenario: Value =
        serde_json::from_str(include_str!("../examples/scenarios/gcm_2017.json")).unwrap();
    scenario["policies"][0]["policy"]["min_slots"] = json!(3);
    let err = Scenario::from_json_str(&scenario.to_string()).unwrap_err();
    assert_eq!(err.field(), "policies[0].policy.min_slots", "{err}");
    assert!(
        err.to_string().contains("sessions[0].chair.max_slots"),
        "{err}"
    );
}

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("floorshare-merge-{}-{name}", std::process::id()))
}

fn run(tool: &str, args: &[&str]) -> Output {
    Command::new(common::example(tool))
        .args(args)
        .output()
        .unwrap()
}

/// Exit status 2, nothing on stdout, one line on stderr that contains `part`; no panic.
fn one_line_error(out: &Output, part: &str) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(out.stdout.is_empty(), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.ends_with('\n'), "{stderr}");
    assert!(stderr.contains(part), "{part} not in {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

/// Writes two shards of a 9-run preset simulation; returns their paths.
fn shard_files(tag: &str) -> [PathBuf; 2] {
    let files = [temp(&format!("{tag}0.json")), temp(&format!("{tag}1.json"))];
    for (i, file) in files.iter().enumerate() {
        let out = run(
            "gcm_2017",
            &[
                "--runs",
                "9",
                "--shard",
                &format!("{i}/2"),
                "--json",
                file.to_str().unwrap(),
            ],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    files
}

#[test]
fn the_merge_command_names_the_file_and_the_field() {
    let files = shard_files("named");
    let edit = |path: &Path, change: &dyn Fn(&mut Value)| {
        let mut value: Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        change(&mut value);
        std::fs::write(path, value.to_string()).unwrap();
    };
    let bad = temp("bad.json");
    type Change<'a> = &'a dyn Fn(&mut Value);
    let cases: [(Change, &str); 5] = [
        (
            &|v| v["shards"]["indices"] = json!([1, 5]),
            "shards.indices[1]: 5 is not a shard of 2",
        ),
        (
            &|v| v["runs"] = json!(u64::MAX),
            "runs: 18446744073709551615 is not the 4 runs",
        ),
        (
            &|v| v["policies"][0]["metrics"]["late_share"]["m2"] = json!(-1.0),
            "policies[0].metrics.late_share.m2: -1",
        ),
        (
            &|v| v["policies"][0]["name"] = json!("a,b\nc"),
            "policies[0].name: \"a,b\\nc\"",
        ),
        (
            &|v| {
                let s = v.as_object_mut().unwrap().remove("shards").unwrap();
                v["shard"] = s;
            },
            "shard: unknown field `shard`",
        ),
    ];
    for (change, part) in cases {
        std::fs::copy(&files[0], &bad).unwrap();
        edit(&bad, change);
        let out = run(
            "gcm_2017",
            &["merge", files[1].to_str().unwrap(), bad.to_str().unwrap()],
        );
        let line = one_line_error(&out, part);
        assert!(line.starts_with(&format!("input: {bad:?}: ")), "{line}");
    }
    // A mean of 1.7e308 with --svg: refused at once (the chart once never finished).
    std::fs::copy(&files[0], &bad).unwrap();
    edit(&bad, &|v| {
        v["policies"][0]["metrics"]["late_share"]["mean"] = json!(1.7e308)
    });
    let svg = temp("huge.svg");
    let started = Instant::now();
    let out = run(
        "gcm_2017",
        &[
            "merge",
            bad.to_str().unwrap(),
            files[1].to_str().unwrap(),
            "--svg",
            svg.to_str().unwrap(),
        ],
    );
    assert!(started.elapsed() < Duration::from_secs(30));
    one_line_error(
        &out,
        "policies[0].metrics.late_share.mean: 1.7e308 is outside [0, 1]",
    );
    // The good shards merge, and their chart is drawn.
    let out = run(
        "gcm_2017",
        &[
            "merge",
            files[0].to_str().unwrap(),
            files[1].to_str().unwrap(),
            "--svg",
            svg.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("null"));
    for file in files.iter().chain([&bad, &svg]) {
        let _ = std::fs::remove_file(file);
    }
}

#[test]
fn progress_is_quiet_unless_asked_and_ends_its_line() {
    let out = run("gcm_2017", &["--runs", "3"]);
    assert!(out.status.success());
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run("gcm_2017", &["--runs", "3", "--progress"]);
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with("\r3/3 runs in ") && stderr.ends_with(" s\n"),
        "{stderr:?}"
    );
}

/// `tool args`, run by the shell with stdout redirected as `redirect` says.
#[cfg(unix)]
fn run_redirected(tool: &str, args: &[&str], redirect: &str) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!("exec \"$0\" \"$@\" {redirect}"))
        .arg(common::example(tool))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

#[cfg(unix)]
#[test]
fn both_tools_refuse_an_argument_that_is_not_utf8() {
    use std::os::unix::ffi::OsStrExt;
    let bad = std::ffi::OsStr::from_bytes(b"caf\xe9.json");
    for (tool, before) in [
        ("allocate", &[][..]),
        ("gcm_2017", &["--scenario"][..]),
        ("gcm_2017", &["merge"][..]),
    ] {
        let out = Command::new(common::example(tool))
            .args(before)
            .arg(bad)
            .output()
            .unwrap();
        one_line_error(&out, "is not valid UTF-8");
    }
}

#[cfg(unix)]
#[test]
fn both_tools_report_a_stdout_that_cannot_be_written() {
    let session = "examples/sessions/thematic_session_2.json";
    let cases: [(&str, &[&str]); 2] = [("allocate", &[session]), ("gcm_2017", &["--runs", "2"])];
    for (tool, args) in cases {
        if Path::new("/dev/full").exists() {
            let out = run_redirected(tool, args, "> /dev/full");
            one_line_error(&out, "output: cannot write to stdout");
        }
        if cfg!(target_os = "linux") {
            let out = run_redirected(tool, args, ">&-");
            one_line_error(&out, "output: stdout is closed");
        }
        // Discarding the output on purpose is no error.
        let out = run_redirected(tool, args, "> /dev/null");
        assert!(
            out.status.success(),
            "{tool}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // A reader that stops early: an error or a quiet exit, never a panic.
        let mut child = Command::new(common::example(tool))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{tool}: {stderr}");
        assert!(matches!(out.status.code(), Some(0 | 2)), "{tool}: {stderr}");
        if out.status.code() == Some(2) {
            one_line_error(&out, "output: cannot write to stdout");
        }
    }
}
