//! Parameter sweeps (`SweepSimulation`, `SweepSummary`): the same seeds for every value, shards
//! that merge value by value, errors that name their field, and the main job's outputs for a
//! sweep (tables, `--csv` with a `value` column, `--json`, `--svg`, `merge`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use floorshare::ErrorKind;
use floorshare::sim::{
    AnySummary, Scenario, Shard, Simulation, SimulationSummary, SweepSimulation, SweepSummary,
    SweepValue,
};
use serde_json::{Value, json};

mod common;

#[path = "../examples/gcm_2017/chart.rs"]
#[allow(dead_code)]
mod chart;

const PRESET: &str = include_str!("../examples/scenarios/gcm_2017.json");
const SWEEP_PRESET: &str = include_str!("../examples/scenarios/gcm_2017_slots_sweep.json");

/// A small scenario (three policies, two sessions), quick in a test build, with `sweep`.
fn small(sweep: Value, runs: u64) -> Value {
    json!({
        "name": "small", "runs": runs, "seed": 11,
        "population": {"generate": {"counts": {"asia": {"grassroots": 6, "international_ngo": 2},
                                               "europe": {"international_ngo": 4, "academia": 3}}}},
        "sessions": [{"id": "s1", "slots": 2, "length_minutes": 60},
                     {"id": "s2", "slots": 2, "length_minutes": 90}],
        "behaviour": {"ask_probability": {"international_ngo": 0.9, "grassroots": 0.4, "academia": 0.3}},
        "policies": [{"label": "chair", "policy": {"name": "chair_discretion"}},
                     {"label": "regions", "policy": {"name": "regional_balance"}},
                     {"label": "reserved", "policy": {"name": "grassroots_priority", "mode": "reserved", "share": 0.5}}],
        "sweep": sweep
    })
}

fn scenario(value: &Value) -> Scenario {
    Scenario::from_json_str(&value.to_string()).unwrap()
}

fn refused(value: &Value) -> floorshare::Error {
    let err = Scenario::from_json_str(&value.to_string()).unwrap_err();
    assert_eq!(err.to_string().lines().count(), 1, "{err}");
    err
}

/// `value` without its sweep, the parameter at the base's value: a plain scenario.
fn plain(mut value: Value) -> Scenario {
    value.as_object_mut().unwrap().remove("sweep");
    scenario(&value)
}

#[test]
fn a_value_equal_to_the_base_gives_the_base_summary_exactly() {
    for sweep in [
        json!({"parameter": "sessions.slots", "values": [1, 2, 3]}),
        json!({"parameter": "sessions.placement", "values": ["start", "end"]}),
        json!({"parameter": "policies.reserved.share", "values": [0, 0.5, 1]}),
    ] {
        let value = small(sweep.clone(), 30);
        let swept = SweepSimulation::new(scenario(&value))
            .unwrap()
            .run_all()
            .unwrap();
        let base = Simulation::new(plain(value)).unwrap().run_all().unwrap();
        let at_base = swept
            .sweep
            .values
            .iter()
            .position(|v| matches!(v.value.to_string().as_str(), "2" | "end" | "0.5"))
            .unwrap();
        assert_eq!(swept.value_summary(at_base).unwrap(), base, "{sweep}");
        // The other values differ: the parameter changes something.
        assert!(
            swept
                .sweep
                .values
                .iter()
                .any(|v| v.policies != base.policies),
            "{sweep}"
        );
    }
}

#[test]
fn the_slots_preset_at_two_slots_is_the_gcm_2017_preset() {
    let mut swept = Scenario::from_json_str(SWEEP_PRESET).unwrap();
    let mut base = Scenario::from_json_str(PRESET).unwrap();
    swept.runs = 6;
    base.runs = 6;
    let sweep = swept.sweep.clone().unwrap();
    assert_eq!(sweep.parameter, "sessions.slots");
    assert_eq!(
        sweep.values,
        (1..=10).map(SweepValue::from).collect::<Vec<_>>()
    );
    let summary = SweepSimulation::new(swept).unwrap().run_all().unwrap();
    let base = Simulation::new(base).unwrap().run_all().unwrap();
    let two = &summary.sweep.values[1];
    assert_eq!(two.value, SweepValue::from(2));
    // The preset's policies keep their places (and random streams); the lifted chair is last.
    assert_eq!(&two.policies[..base.policies.len()], &base.policies[..]);
    let last = two.policies.last().unwrap();
    assert_eq!(last.name, "chair_fills_slots");
    // The 2017 chair grants one or two slots whatever is offered; the lifted one fills them.
    for value in &summary.sweep.values {
        let slots = value.value.as_f64().unwrap();
        let granted = |label: &str| {
            let policy = value.policies.iter().find(|p| p.name == label).unwrap();
            policy.metrics["slots_granted"].mean
        };
        assert!(granted("baseline_2017") <= 2.0);
        assert_eq!(granted("chair_fills_slots"), slots);
        assert_eq!(granted("regional_balance"), slots);
    }
}

/// `a` and `b` hold the same counts, and means and M2s within `tolerance` (relative).
fn assert_close(a: &SweepSummary, b: &SweepSummary, tolerance: f64) {
    assert_eq!(a.runs, b.runs);
    assert_eq!(a.sweep.parameter, b.sweep.parameter);
    assert_eq!(a.sweep.values.len(), b.sweep.values.len());
    for (va, vb) in a.sweep.values.iter().zip(&b.sweep.values) {
        assert_eq!(va.value, vb.value);
        for (pa, pb) in va.policies.iter().zip(&vb.policies) {
            assert_eq!(pa.name, pb.name);
            for (name, sa) in &pa.metrics {
                let sb = &pb.metrics[name];
                assert_eq!(sa.n, sb.n, "{name}");
                let close = |x: f64, y: f64| (x - y).abs() <= tolerance * y.abs().max(1e-12);
                assert!(close(sa.mean, sb.mean), "{name}: {} {}", sa.mean, sb.mean);
                assert!(close(sa.m2, sb.m2), "{name}: {} {}", sa.m2, sb.m2);
            }
        }
    }
}

#[test]
fn shards_of_a_sweep_merge_into_the_full_sweep() {
    let value = small(
        json!({"parameter": "sessions.slots", "values": [1, 3, 5]}),
        40,
    );
    let simulation = SweepSimulation::new(scenario(&value)).unwrap();
    let full = simulation.run_all().unwrap();
    for count in [2u64, 3, 7] {
        let shards: Vec<SweepSummary> = (0..count)
            .map(|index| {
                simulation
                    .run_shard(Shard { index, count }, |_| {})
                    .unwrap()
            })
            .collect();
        // Every shard holds the same runs for every value.
        for shard in &shards {
            let runs = shard.shards.as_ref().unwrap();
            assert_eq!(runs.count, count);
            assert_eq!(shard.total_runs, 40);
        }
        // Merged as the merge command does, through JSON.
        let mut merged: Option<SweepSummary> = None;
        for shard in &shards {
            let read = SweepSummary::from_json_str(&serde_json::to_string(shard).unwrap()).unwrap();
            assert_eq!(&read, shard, "a shard reads back as written");
            match &mut merged {
                None => merged = Some(read),
                Some(m) => m.merge(&read).unwrap(),
            }
        }
        let merged = merged.unwrap();
        assert_eq!(merged.shards, None, "all shards in");
        assert_close(&merged, &full, 1e-9);
        // Exactly what each value's own simulation gives when its shards merge in that order.
        for (i, value) in merged.sweep.values.iter().enumerate() {
            let own = Simulation::new(simulation.scenario_of(i).unwrap().clone()).unwrap();
            let mut expected: Option<SimulationSummary> = None;
            for index in 0..count {
                let shard = own.run_shard(Shard { index, count }, |_| {}).unwrap();
                match &mut expected {
                    None => expected = Some(shard),
                    Some(e) => e.merge(&shard).unwrap(),
                }
            }
            assert_eq!(value.policies, expected.unwrap().policies, "value {i}");
        }
    }
    // A single shard of one is the full sweep, bit for bit.
    let one = simulation
        .run_shard("0/1".parse().unwrap(), |_| {})
        .unwrap();
    assert_eq!(one.sweep, full.sweep);
}

#[test]
fn every_error_path_names_its_field() {
    let at = |sweep: Value| refused(&small(sweep, 5));
    for (sweep, field, kind, words) in [
        (
            json!({"parameter": "sessions.colour", "values": [1]}),
            "sweep.parameter",
            ErrorKind::UnknownField,
            "session field",
        ),
        (
            json!({"parameter": "policies.nobody.share", "values": [1]}),
            "sweep.parameter",
            ErrorKind::UnknownId,
            "label",
        ),
        (
            json!({"parameter": "policies.reserved.shares", "values": [1]}),
            "sweep.parameter",
            ErrorKind::UnknownField,
            "unknown field `shares`",
        ),
        (
            json!({"parameter": "sessions.slots", "values": []}),
            "sweep.values",
            ErrorKind::OutOfRange,
            "is empty",
        ),
        (
            json!({"parameter": "sessions.slots", "values": [1, 2, 2]}),
            "sweep.values[2]",
            ErrorKind::DuplicateId,
            "repeats sweep.values[1]",
        ),
        (
            json!({"parameter": "sessions.slots", "values": [1, "two"]}),
            "sweep.values[1]",
            ErrorKind::WrongType,
            "all numbers or all strings",
        ),
        (
            json!({"parameter": "sessions.length_minutes", "values": [60, 0]}),
            "sweep.values[1]",
            ErrorKind::OutOfRange,
            "sessions[0].length_minutes",
        ),
        (
            json!({"parameter": "policies.reserved.share", "values": [0.5, 2]}),
            "sweep.values[1]",
            ErrorKind::OutOfRange,
            "policies[2].policy.share",
        ),
        (
            json!({"parameter": "policies.regions.weights", "values": ["equal", "loudest"]}),
            "sweep.values[1]",
            ErrorKind::UnknownName,
            "policies[1].policy.weights",
        ),
    ] {
        let err = at(sweep.clone());
        assert_eq!(err.field(), field, "{sweep}: {err}");
        assert_eq!(err.kind(), kind, "{sweep}: {err}");
        assert!(err.to_string().contains(words), "{sweep}: {err}");
    }
    // Fields of the sweep object itself.
    let err = refused(&small(json!({"parameter": "sessions.slots"}), 5));
    assert_eq!(err.field(), "sweep");
    assert_eq!(err.kind(), ErrorKind::MissingField);
    let err = refused(&small(
        json!({"parameter": "sessions.slots", "values": [1], "value": 2}),
        5,
    ));
    assert_eq!(err.field(), "sweep.value");
    assert_eq!(err.kind(), ErrorKind::UnknownField);
    // Runs over all values at most 10⁹.
    let err = refused(&small(
        json!({"parameter": "sessions.slots", "values": [1, 2, 3]}),
        400_000_000,
    ));
    assert_eq!((err.field(), err.kind()), ("runs", ErrorKind::TooLarge));
}

#[test]
fn a_sweep_summary_reads_back_strictly() {
    let value = small(json!({"parameter": "sessions.slots", "values": [1, 2]}), 6);
    let summary = SweepSimulation::new(scenario(&value))
        .unwrap()
        .run_shard("1/2".parse().unwrap(), |_| {})
        .unwrap();
    let json: Value = serde_json::to_value(&summary).unwrap();
    // The shape: the usual header and the sweep object.
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "scenario",
            "runs",
            "seed",
            "total_runs",
            "shards",
            "floorshare",
            "baseline",
            "sweep"
        ]
    );
    assert_eq!(json["sweep"]["parameter"], "sessions.slots");
    assert_eq!(json["sweep"]["values"][1]["value"], 2);
    assert_eq!(json["sweep"]["values"][1]["policies"][0]["name"], "chair");
    assert!(matches!(
        AnySummary::from_json_str(&json.to_string()).unwrap(),
        AnySummary::Sweep(s) if s == summary
    ));
    let edited = |change: &dyn Fn(&mut Value)| {
        let mut value = json.clone();
        change(&mut value);
        SweepSummary::from_json_str(&value.to_string()).unwrap_err()
    };
    for (change, field, kind) in [
        (
            &(|v: &mut Value| {
                v["sweep"]["values"][1]["policies"][0]["metrics"]["late_share"]["mean"] = json!(2.0)
            }) as &dyn Fn(&mut Value),
            "sweep.values[1].policies[0].metrics.late_share.mean",
            ErrorKind::OutOfRange,
        ),
        (
            &|v: &mut Value| {
                v["sweep"]["values"][0]["policies"][1]["metrics"]["late_share"]["nn"] = json!(1)
            },
            "sweep.values[0].policies[1].metrics.late_share.nn",
            ErrorKind::UnknownField,
        ),
        (
            &|v: &mut Value| v["sweep"]["values"][0]["valu"] = json!(1),
            "sweep.values[0].valu",
            ErrorKind::UnknownField,
        ),
        (
            &|v: &mut Value| v["sweep"]["values"][1]["value"] = json!(1),
            "sweep.values[1]",
            ErrorKind::DuplicateId,
        ),
        (
            &|v: &mut Value| v["sweep"]["parameter"] = json!("sessions.colour"),
            "sweep.parameter",
            ErrorKind::UnknownField,
        ),
        (
            &|v: &mut Value| v["shards"]["indices"] = json!([2]),
            "shards.indices[0]",
            ErrorKind::OutOfRange,
        ),
        (
            &|v: &mut Value| v["policies"] = json!([]),
            "policies",
            ErrorKind::UnknownField,
        ),
        (
            &|v: &mut Value| {
                v["sweep"]["values"][1]["policies"]
                    .as_array_mut()
                    .unwrap()
                    .pop();
            },
            "sweep.values[1].policies",
            ErrorKind::Mismatch,
        ),
    ] {
        let err = edited(change);
        assert_eq!(err.field(), field, "{err}");
        assert_eq!(err.kind(), kind, "{err}");
    }
    // A key given twice is refused, as in a scenario.
    let text =
        serde_json::to_string(&summary)
            .unwrap()
            .replacen("\"seed\":", "\"seed\":1,\"seed\":", 1);
    let err = SweepSummary::from_json_str(&text).unwrap_err();
    assert_eq!((err.field(), err.kind()), ("seed", ErrorKind::DuplicateId));
}

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("floorshare-sweep-{}-{name}", std::process::id()))
}

fn run(args: &[&str]) -> Output {
    Command::new(common::example("gcm_2017"))
        .args(args)
        .output()
        .unwrap()
}

fn succeeded(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// The GCM 2017 preset with `sweep` added, written to a temporary file.
fn preset_with(sweep: Value, name: &str) -> PathBuf {
    let mut value: Value = serde_json::from_str(PRESET).unwrap();
    value["sweep"] = sweep;
    let path = temp(name);
    std::fs::write(&path, value.to_string()).unwrap();
    path
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn the_tool_writes_a_value_column_and_keeps_the_plain_csv() {
    let scenario = preset_with(
        json!({"parameter": "sessions.slots", "values": [2, 4]}),
        "csv.json",
    );
    let (swept_csv, plain_csv, swept_json) =
        (temp("swept.csv"), temp("plain.csv"), temp("swept.json"));
    let out = succeeded(&run(&[
        "--scenario",
        scenario.to_str().unwrap(),
        "--runs",
        "3",
        "--csv",
        swept_csv.to_str().unwrap(),
        "--json",
        swept_json.to_str().unwrap(),
    ]));
    assert!(out.contains("sessions.slots swept over 2 values"), "{out}");
    assert!(out.contains("### sessions.slots = 2\n"), "{out}");
    assert!(out.contains("### sessions.slots = 4\n"), "{out}");
    succeeded(&run(&["--runs", "3", "--csv", plain_csv.to_str().unwrap()]));
    let (swept, plain) = (read(&swept_csv), read(&plain_csv));
    let (plain_header, plain_rows) = plain.split_once('\n').unwrap();
    assert!(plain_header.starts_with("policy,"), "{plain_header}");
    let (swept_header, swept_rows) = swept.split_once('\n').unwrap();
    assert_eq!(swept_header, format!("value,{plain_header}"));
    // The rows of value 2 (the preset's own) are the plain CSV's, byte for byte, after `2,`.
    let of = |value: &str| -> String {
        swept_rows
            .lines()
            .filter_map(|l| l.strip_prefix(&format!("{value},")))
            .map(|l| format!("{l}\n"))
            .collect()
    };
    assert_eq!(of("2"), plain_rows);
    assert_eq!(of("4").lines().count(), plain_rows.lines().count());
    assert_eq!(
        swept_rows.lines().count(),
        2 * plain_rows.lines().count(),
        "every row has a value"
    );
    // The JSON is the sweep's summary, which reads back strictly.
    let summary = SweepSummary::from_json_str(&read(&swept_json)).unwrap();
    assert_eq!(summary.runs, 3);
    for path in [scenario, swept_csv, plain_csv, swept_json] {
        std::fs::remove_file(path).unwrap();
    }
}

#[test]
fn the_tool_merges_sweep_shards_and_refuses_a_plain_one() {
    let scenario = preset_with(
        json!({"parameter": "sessions.placement", "values": ["end", "spread"]}),
        "merge.json",
    );
    let files: Vec<PathBuf> = (0..2).map(|i| temp(&format!("shard{i}.json"))).collect();
    for (i, file) in files.iter().enumerate() {
        succeeded(&run(&[
            "--scenario",
            scenario.to_str().unwrap(),
            "--runs",
            "5",
            "--shard",
            &format!("{i}/2"),
            "--json",
            file.to_str().unwrap(),
        ]));
    }
    let merged_json = temp("merged.json");
    let out = succeeded(&run(&[
        "merge",
        files[0].to_str().unwrap(),
        files[1].to_str().unwrap(),
        "--json",
        merged_json.to_str().unwrap(),
    ]));
    assert!(out.contains("5 runs per value merged"), "{out}");
    assert!(out.contains("### sessions.placement = spread"), "{out}");
    let merged = SweepSummary::from_json_str(&read(&merged_json)).unwrap();
    assert_eq!((merged.runs, merged.shards), (5, None));
    let late = |v: usize| merged.sweep.values[v].policies[0].metrics["late_share"].mean;
    assert_eq!((late(0), late(1)), (1.0, 0.0));

    // A plain shard among sweep shards: the file and the field are named.
    let plain = temp("plain-shard.json");
    succeeded(&run(&[
        "--runs",
        "5",
        "--shard",
        "1/2",
        "--json",
        plain.to_str().unwrap(),
    ]));
    let out = run(&["merge", files[0].to_str().unwrap(), plain.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(out.stdout.is_empty());
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("plain-shard.json") && stderr.contains(": sweep: "),
        "{stderr}"
    );
    for path in files.iter().chain([&scenario, &merged_json, &plain]) {
        std::fs::remove_file(path).unwrap();
    }
}

/// Draws `summary`'s sweep chart into a temporary file, failing if it takes more than a few
/// seconds; the SVG's text.
fn sweep_chart_in_time(summary: &SweepSummary, name: &str) -> String {
    let path = temp(&format!("{name}.svg"));
    let started = Instant::now();
    chart::write_sweep_svg(
        summary,
        &["late_share", "slots_granted", "grassroots_slot_share"],
        &path,
    )
    .unwrap();
    assert!(started.elapsed() < Duration::from_secs(10), "{name}");
    let svg = read(&path);
    assert!(svg.contains("<svg") && svg.contains("</svg>"), "{name}");
    std::fs::remove_file(path).unwrap();
    svg
}

#[test]
fn the_sweep_chart_finishes_for_numbers_and_strings_on_any_input() {
    let numbers = SweepSimulation::new(scenario(&small(
        json!({"parameter": "policies.reserved.share", "values": [0, 0.25, 1]}),
        4,
    )))
    .unwrap()
    .run_all()
    .unwrap();
    let strings = SweepSimulation::new(scenario(&small(
        json!({"parameter": "sessions.placement", "values": ["end", "start", "spread"]}),
        4,
    )))
    .unwrap()
    .run_all()
    .unwrap();
    let svg = sweep_chart_in_time(&strings, "strings");
    for category in ["end", "start", "spread"] {
        assert!(
            svg.contains(&format!("\n{category}\n")),
            "{category} labels the axis"
        );
    }
    assert!(svg.contains("<polygon"), "the bands are drawn");
    sweep_chart_in_time(&numbers, "numbers");
    for (k, mean) in [1.7e308, -1.7e308, f64::INFINITY, f64::NAN, 5e-324, 1e15]
        .into_iter()
        .enumerate()
    {
        for base in [&numbers, &strings] {
            let mut summary = base.clone();
            for value in &mut summary.sweep.values {
                for metric in ["late_share", "slots_granted"] {
                    value.policies[0].metrics.get_mut(metric).unwrap().mean = mean;
                    value.policies[1].metrics.get_mut(metric).unwrap().m2 = mean.abs();
                }
            }
            sweep_chart_in_time(&summary, &format!("hostile{k}"));
        }
    }
    // Values far apart, or one alone, still make a finite axis.
    let mut far = numbers.clone();
    far.sweep.values.truncate(2);
    far.sweep.values[0].value = serde_json::from_str("-1e300").unwrap();
    far.sweep.values[1].value = serde_json::from_str("1e300").unwrap();
    sweep_chart_in_time(&far, "far");
    far.sweep.values.truncate(1);
    sweep_chart_in_time(&far, "alone");
    assert_eq!(chart::x_range([-1e300, 1e300]), (-1.1e15, 1.1e15));
    assert_eq!(chart::x_range([3.0]), (2.0, 4.0));
    assert_eq!(chart::x_range([f64::NAN]), (0.0, 1.0));

    // Through the tool: the preset's sweep of slots, a few runs.
    let svg = temp("tool.svg");
    let scenario = preset_with(
        json!({"parameter": "sessions.slots", "values": [1, 2, 3]}),
        "svg.json",
    );
    succeeded(&run(&[
        "--scenario",
        scenario.to_str().unwrap(),
        "--runs",
        "2",
        "--svg",
        svg.to_str().unwrap(),
    ]));
    let text = read(&svg);
    assert!(text.contains("<svg") && text.contains("grassroots_slot_share"));
    std::fs::remove_file(svg).unwrap();
    std::fs::remove_file(scenario).unwrap();
}

#[test]
fn per_organisation_rows_of_a_sweep_have_a_value_column() {
    let organisations: Vec<Value> = (0..8)
        .map(|i| {
            let kind = if i % 3 == 0 {
                "international_ngo"
            } else {
                "grassroots"
            };
            let region = ["asia", "africa"][i % 2];
            json!({"id": format!("o{i}"), "region": region, "kind": kind})
        })
        .collect();
    let scenario = json!({
        "name": "explicit", "runs": 4, "seed": 5,
        "population": {"organisations": organisations},
        "sessions": [{"id": "s1", "slots": 1}, {"id": "s2", "slots": 1}],
        "behaviour": {"ask_probability": {"international_ngo": 0.9, "grassroots": 0.5}},
        "policies": [{"label": "chair", "policy": {"name": "chair_discretion"}},
                     {"label": "regions", "policy": {"name": "regional_balance"}}],
        "sweep": {"parameter": "sessions.slots", "values": [1, 2]}
    });
    let (path, csv, json_path) = (temp("explicit.json"), temp("orgs.csv"), temp("orgs.json"));
    std::fs::write(&path, scenario.to_string()).unwrap();
    succeeded(&run(&[
        "--scenario",
        path.to_str().unwrap(),
        "--per-organisation",
        csv.to_str().unwrap(),
        "--json",
        json_path.to_str().unwrap(),
    ]));
    let text = read(&csv);
    let (header, rows) = text.split_once('\n').unwrap();
    assert!(header.starts_with("value,policy,organisation,"), "{header}");
    for value in ["1", "2"] {
        assert!(
            rows.lines()
                .any(|l| l.starts_with(&format!("{value},chair,o"))),
            "{text}"
        );
    }
    assert!(
        rows.lines()
            .all(|l| l.starts_with("1,") || l.starts_with("2,"))
    );
    // The summary keeps the organisations and reads back strictly.
    let summary = SweepSummary::from_json_str(&read(&json_path)).unwrap();
    assert_eq!(summary.organisations.as_ref().unwrap().len(), 8);
    assert!(summary.sweep.values[1].policies[0].organisations.is_some());
    for file in [path, csv, json_path] {
        std::fs::remove_file(file).unwrap();
    }
}
