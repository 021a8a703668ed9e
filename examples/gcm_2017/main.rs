//! The main job: the policies compared over thousands of simulated GCM 2017 processes.
//!
//! ```text
//! cargo run --release --example gcm_2017                       # the preset, its runs and seed
//! cargo run --release --example gcm_2017 -- --runs 2000 --seed 7 --csv out.csv --json out.json --svg out.svg
//! cargo run --release --example gcm_2017 -- --scenario my.json
//! cargo run --release --example gcm_2017 -- --shard 0/4 --json shard0.json   # one shard of four
//! cargo run --release --example gcm_2017 -- merge shard*.json [--json all.json]
//! ```
//!
//! Runs the scenario (by default the GCM 2017 preset, `examples/scenarios/gcm_2017.json`) and
//! prints, per policy, the mean of each metric with its 95% confidence interval; `--csv`,
//! `--json` and `--svg` write the same as CSV, as the JSON summary, and as a chart. `merge`
//! combines shard summaries: the merged JSON goes to `--json OUT`, or to stdout without it.
//! Progress goes to stderr. Bad arguments or input: exit status 2 and one line on stderr.

mod chart;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use floorshare::metrics::Summary;
use floorshare::sim::{Scenario, Shard, Simulation, SimulationSummary};

const USAGE: &str = "usage: gcm_2017 [--scenario FILE] [--runs N] [--seed S] [--shard I/N] \
[--csv FILE] [--json FILE] [--svg FILE] | gcm_2017 merge FILE... [--json OUT] [--csv FILE] [--svg FILE]";

/// The GCM 2017 preset, built in so that the main job runs from any directory.
const PRESET: &str = include_str!("../scenarios/gcm_2017.json");

/// The tables the job prints: who is heard; how early and how diverse; whose voice is heard
/// (with joint statements, the co-signatories' too).
const TABLES: [(&str, &[&str]); 3] = [
    (
        "Who is heard (per session; gini_slots and never_heard_share per process)",
        &[
            "slots_granted",
            "grassroots_slot_share",
            "grassroots_request_share",
            "international_ngo_slot_share",
            "gini_slots",
            "never_heard_share",
        ],
    ),
    (
        "How early, how balanced, how diverse, how new (per session)",
        &[
            "late_share",
            "grassroots_mean_position",
            "region_gallagher",
            "region_entropy",
            "themes_heard_share",
            "first_time_speaker_share",
        ],
    ),
    (
        "Whose voice is heard (per session; never_heard_share and never_voiced_share per process; \
         co-signatories of joint statements count as voices)",
        &["voice_share", "never_heard_share", "never_voiced_share"],
    ),
];

/// The metrics the chart shows: shares in [0, 1].
const CHART: [&str; 6] = [
    "grassroots_slot_share",
    "international_ngo_slot_share",
    "region_gallagher",
    "late_share",
    "never_heard_share",
    "themes_heard_share",
];

#[derive(Default)]
struct Options {
    scenario: Option<PathBuf>,
    runs: Option<u64>,
    seed: Option<u64>,
    shard: Option<Shard>,
    csv: Option<PathBuf>,
    json: Option<PathBuf>,
    svg: Option<PathBuf>,
    merge: Vec<PathBuf>,
}

fn main() -> ExitCode {
    if std::env::args().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), String> {
    let options = parse(std::env::args().skip(1).collect())?;
    if !options.merge.is_empty() {
        return merge(&options);
    }
    let mut scenario = match &options.scenario {
        Some(path) => Scenario::from_json_str(&read(path)?),
        None => Scenario::from_json_str(PRESET),
    }
    .map_err(|err| format!("scenario: {err}"))?;
    if let Some(runs) = options.runs {
        scenario.runs = runs;
    }
    if let Some(seed) = options.seed {
        scenario.seed = seed;
    }
    let simulation = Simulation::new(scenario).map_err(|err| format!("scenario: {err}"))?;
    let scenario = simulation.scenario();
    let shard = options.shard.unwrap_or(Shard { index: 0, count: 1 });
    let runs = shard.runs(scenario.runs);
    let total = runs.end - runs.start;
    let started = Instant::now();
    let progress = |done: u64| {
        if total >= 1000 {
            eprint!("\r{done}/{total} runs");
        }
    };
    let summary = if options.shard.is_some() {
        simulation.run_shard(shard, progress)
    } else {
        simulation.run_range(runs, progress)
    }
    .map_err(|err| err.to_string())?;
    if total >= 1000 {
        eprintln!(" in {:.1} s", started.elapsed().as_secs_f64());
    }
    write_outputs(&summary, &options)?;
    println!(
        "{}: {} runs{}, seed {}, {} sessions per run.\n",
        scenario.name,
        summary.runs,
        options
            .shard
            .map(|s| format!(" (shard {s} of {} runs)", scenario.runs))
            .unwrap_or_default(),
        scenario.seed,
        scenario.sessions.len(),
    );
    print!("{}", table(&summary));
    Ok(())
}

fn parse(args: Vec<String>) -> Result<Options, String> {
    let mut options = Options::default();
    let mut args = args.into_iter().peekable();
    let merging = args.peek().is_some_and(|a| a == "merge");
    if merging {
        args.next();
    }
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .ok_or_else(|| format!("arguments: {name} needs a value; {USAGE}"))
        };
        let number = |name: &str, text: String| {
            text.parse::<u64>()
                .map_err(|_| format!("arguments: {name} {text:?} is not a non-negative integer"))
        };
        match arg.as_str() {
            "--json" => options.json = Some(value("--json")?.into()),
            "--csv" => options.csv = Some(value("--csv")?.into()),
            "--svg" => options.svg = Some(value("--svg")?.into()),
            _ if merging && !arg.starts_with("--") => options.merge.push(arg.into()),
            _ if merging => {
                return Err(format!(
                    "arguments: merge takes summary files, --json, --csv and --svg, not {arg:?}"
                ));
            }
            "--scenario" => options.scenario = Some(value("--scenario")?.into()),
            "--runs" => options.runs = Some(number("--runs", value("--runs")?)?),
            "--seed" => options.seed = Some(number("--seed", value("--seed")?)?),
            "--shard" => {
                let text = value("--shard")?;
                options.shard = Some(text.parse().map_err(|err| format!("arguments: {err}"))?);
            }
            _ => return Err(format!("arguments: unexpected {arg:?}; {USAGE}")),
        }
    }
    if merging && options.merge.is_empty() {
        return Err(format!("arguments: merge needs summary files; {USAGE}"));
    }
    if options.runs == Some(0) {
        return Err("arguments: --runs 0 is not positive".to_string());
    }
    Ok(options)
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|err| format!("input: cannot read {path:?}: {err}"))
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|err| format!("output: cannot write {path:?}: {err}"))
}

/// `merge FILE... [--json OUT] [--csv FILE] [--svg FILE]`: the shards' summaries combined;
/// the merged JSON to `--json OUT`, or to stdout without it.
fn merge(options: &Options) -> Result<(), String> {
    let mut merged: Option<SimulationSummary> = None;
    for path in &options.merge {
        let summary: SimulationSummary = serde_json::from_str(&read(path)?)
            .map_err(|err| format!("input: {}: {err}", path.display()))?;
        match &mut merged {
            None => merged = Some(summary),
            Some(merged) => merged
                .merge(&summary)
                .map_err(|err| format!("input: {}: {err}", path.display()))?,
        }
    }
    let merged = merged.expect("at least one file");
    if let Some(shards) = &merged.shards {
        eprintln!(
            "warning: {} of {} shards merged ({} of {} runs): not the full simulation yet",
            shards.indices.len(),
            shards.count,
            merged.runs,
            merged.total_runs
        );
    }
    write_outputs(&merged, options)?;
    if options.json.is_some() {
        println!(
            "{}: {} runs merged, seed {}.\n",
            merged.scenario, merged.runs, merged.seed
        );
        print!("{}", table(&merged));
    } else {
        let json = serde_json::to_string_pretty(&merged).map_err(|err| format!("output: {err}"))?;
        println!("{json}");
    }
    Ok(())
}

fn write_outputs(summary: &SimulationSummary, options: &Options) -> Result<(), String> {
    if let Some(path) = &options.json {
        let json = serde_json::to_string_pretty(summary).map_err(|err| format!("output: {err}"))?;
        write(path, &json)?;
    }
    if let Some(path) = &options.csv {
        write(path, &csv(summary))?;
    }
    if let Some(path) = &options.svg {
        chart::write_svg(summary, &CHART, path)?;
    }
    Ok(())
}

/// `0.101 ± 0.004`, or `–` when the metric was never defined.
fn cell(summary: Option<&Summary>) -> String {
    match summary {
        Some(s) if s.n > 0 => {
            let (low, high) = s.ci95();
            format!("{:.3} ± {:.3}", s.mean, (high - low) / 2.0)
        }
        _ => "–".to_string(),
    }
}

/// The summary as two Markdown tables, policy by metric, mean ± half the 95% interval.
fn table(summary: &SimulationSummary) -> String {
    let width = summary
        .policies
        .iter()
        .map(|p| p.name.len())
        .max()
        .unwrap_or(6)
        .max(6);
    let mut out = String::new();
    for (title, metrics) in TABLES {
        let column = |name: &str| name.len().max(13);
        out += &format!("{title}:\n\n| {:<width$} |", "policy");
        for m in metrics {
            out += &format!(" {:<w$} |", m, w = column(m));
        }
        out += &format!("\n|{}|", "-".repeat(width + 2));
        for m in metrics {
            out += &format!("{}|", "-".repeat(column(m) + 2));
        }
        out += "\n";
        for policy in &summary.policies {
            out += &format!("| {:<width$} |", policy.name);
            for m in metrics {
                out += &format!(" {:<w$} |", cell(policy.metrics.get(*m)), w = column(m));
            }
            out += "\n";
        }
        out += "\n";
    }
    out
}

/// One row per policy and metric: `policy,metric,n,mean,m2,ci_low,ci_high`.
fn csv(summary: &SimulationSummary) -> String {
    let mut out = String::from("policy,metric,n,mean,m2,ci_low,ci_high\n");
    for policy in &summary.policies {
        for (metric, s) in &policy.metrics {
            let (low, high) = s.ci95();
            out += &format!(
                "{},{metric},{},{},{},{low},{high}\n",
                policy.name, s.n, s.mean, s.m2
            );
        }
    }
    out
}
