//! The main job: the policies compared over thousands of simulated GCM 2017 processes.
//!
//! ```text
//! cargo run --release --example gcm_2017                       # the preset, its runs and seed
//! cargo run --release --example gcm_2017 -- --runs 2000 --seed 7 --csv out.csv --json out.json --svg out.svg
//! cargo run --release --example gcm_2017 -- --scenario my.json
//! cargo run --release --example gcm_2017 -- --shard 0/4 --json shard0.json   # one shard of four
//! cargo run --release --example gcm_2017 -- merge shard*.json [--json all.json]
//! cargo run --release --example gcm_2017 -- --scenario examples/scenarios/gcm_2017_slots_sweep.json
//! ```
//!
//! Runs the scenario (by default the GCM 2017 preset, `examples/scenarios/gcm_2017.json`) and
//! prints, per policy, the mean of each metric with its 95% confidence interval; `--csv`,
//! `--json` and `--svg` write the same as CSV, as the JSON summary, and as a chart. `merge`
//! combines shard summaries: the merged JSON goes to `--json OUT`, or to stdout without it.
//! Progress goes to stderr, when stderr is a terminal or with `--progress`, and ends its line
//! before anything else is written there. `merge` checks every summary it reads as strictly as
//! a scenario is checked ([`SimulationSummary::from_json_str`]) and refuses the merge unless the
//! shards are distinct shards of one simulation whose runs add up.
//!
//! A scenario with a `sweep` runs once per value with the same seeds: the tables come once per
//! value (the value in the heading), `--csv` gains a first column `value`, `--json` writes the
//! sweep's summary ([`SweepSummary`]) and `--svg` a line chart per metric against the value;
//! `merge` combines a sweep's shards value by value, and refuses to mix them with a plain
//! summary's.
//!
//! Bad arguments or input (an argument that is not UTF-8, a file over 64 MiB): exit status 2
//! and one line on stderr, nothing on stdout. Stdout is written once the work is done and
//! flushed; when it cannot be written (`> /dev/full`, a pipe closed early, a closed stdout),
//! the tool says so in one line on stderr and exits with status 2 — never 0 with the output
//! lost. (A closed stdout is what the Rust runtime leaves open as `/dev/null` for reading and
//! writing; to discard the output, redirect it with `> /dev/null`.)

mod chart;

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use floorshare::metrics::Summary;
use floorshare::sim::{
    AnySummary, PolicySummary, Scenario, Shard, Simulation, SimulationSummary, SweepSimulation,
    SweepSummary,
};

const USAGE: &str = "usage: gcm_2017 [--scenario FILE] [--runs N] [--seed S] [--shard I/N] \
[--csv FILE] [--json FILE] [--svg FILE] [--per-organisation FILE] [--progress] | gcm_2017 merge FILE... [--json OUT] [--csv FILE] [--svg FILE] [--per-organisation FILE]";

/// The largest scenario or summary file read (as the session tool's limit).
const MAX_INPUT: u64 = 64 << 20;

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

/// The metrics of the table of paired differences from the baseline.
const DIFFERENCES: [&str; 7] = [
    "grassroots_slot_share",
    "international_ngo_slot_share",
    "gini_slots",
    "never_heard_share",
    "late_share",
    "region_gallagher",
    "never_voiced_share",
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
    per_organisation: Option<PathBuf>,
    merge: Vec<PathBuf>,
    progress: bool,
}

fn main() -> ExitCode {
    match arguments().and_then(|args| {
        if args.iter().any(|a| a == "-h" || a == "--help") {
            return Ok(format!("{USAGE}\n"));
        }
        if stdout_is_closed() {
            return Err("output: stdout is closed: the output would be lost".to_string());
        }
        run(args)
    }) {
        Ok(out) => match write_stdout(&out) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => fail(&message),
        },
        Err(message) => fail(&message),
    }
}

/// The command-line arguments, each valid UTF-8.
fn arguments() -> Result<Vec<String>, String> {
    std::env::args_os()
        .skip(1)
        .enumerate()
        .map(|(i, arg)| {
            arg.into_string().map_err(|arg| {
                format!(
                    "arguments: argument {} ({:?}) is not valid UTF-8",
                    i + 1,
                    arg.to_string_lossy()
                )
            })
        })
        .collect()
}

/// One line on stderr (never a panic, whatever stderr is), exit status 2.
fn fail(message: &str) -> ExitCode {
    say(message);
    ExitCode::from(2)
}

/// Writes `line` and a newline to stderr; a stderr that cannot be written is not an error
/// worth more than the exit status.
fn say(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// Writes `text` to stdout and flushes it: an error names the failure (`/dev/full`, a pipe
/// closed by its reader).
fn write_stdout(text: &str) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|err| format!("output: cannot write to stdout: {err}"))
}

/// Whether stdout was closed when the tool started. The Rust runtime opens `/dev/null` for
/// reading and writing in place of a closed standard descriptor, so that writes to it
/// "succeed"; a shell's `> /dev/null` opens it for writing only. Linux only (`/proc`).
fn stdout_is_closed() -> bool {
    if !cfg!(target_os = "linux") {
        return false;
    }
    let null = std::fs::read_link("/proc/self/fd/1").is_ok_and(|p| p == Path::new("/dev/null"));
    null && std::fs::read_to_string("/proc/self/fdinfo/1")
        .ok()
        .and_then(|info| {
            let flags = info.lines().find_map(|l| l.strip_prefix("flags:"))?;
            u32::from_str_radix(flags.trim(), 8).ok()
        })
        .is_some_and(|flags| flags & 0o3 == 0o2)
}

/// Runs the tool; returns what goes to stdout.
fn run(args: Vec<String>) -> Result<String, String> {
    let options = parse(args)?;
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
    if scenario.sweep.is_some() {
        return run_sweep(scenario, &options);
    }
    let simulation = Simulation::new(scenario).map_err(|err| format!("scenario: {err}"))?;
    let scenario = simulation.scenario();
    let runs = options
        .shard
        .map_or(0..scenario.runs, |s| s.runs(scenario.runs));
    let summary = with_progress(runs.end - runs.start, &options, |progress| {
        match options.shard {
            Some(shard) => simulation.run_shard(shard, progress),
            None => simulation.run_range(runs, progress),
        }
    })?;
    write_outputs(&AnySummary::Plain(summary.clone()), &options)?;
    Ok(format!(
        "{}: {} runs{}, seed {}, {} sessions per run.\n\n{}",
        scenario.name,
        summary.runs,
        shard_note(options.shard, scenario.runs),
        scenario.seed,
        scenario.sessions.len(),
        table(&summary)
    ))
}

/// What the heading says of a shard (nothing without one), alike for a plain run and a sweep.
fn shard_note(shard: Option<Shard>, total_runs: u64) -> String {
    shard
        .map(|s| format!(" (shard {s} of {total_runs} runs)"))
        .unwrap_or_default()
}

/// Calls `run` with the progress callback of a run of `total` runs (over all values of a
/// sweep), and reports the elapsed time; the plain scenario and the sweep share it so that
/// both show progress alike.
fn with_progress<S>(
    total: u64,
    options: &Options,
    run: impl FnOnce(&(dyn Fn(u64) + Sync)) -> floorshare::Result<S>,
) -> Result<S, String> {
    let started = Instant::now();
    // Progress on a terminal (for long runs), or when asked; its line is ended before any
    // other message.
    let show = options.progress || (total >= 1000 && std::io::stderr().is_terminal());
    let shown = AtomicBool::new(false);
    let progress = |done: u64| {
        if show {
            let _ = write!(std::io::stderr().lock(), "\r{done}/{total} runs");
            shown.store(true, Ordering::Relaxed);
        }
    };
    let summary = run(&progress);
    if shown.load(Ordering::Relaxed) {
        match summary {
            Ok(_) => say(&format!(" in {:.1} s", started.elapsed().as_secs_f64())),
            Err(_) => say(""),
        }
    }
    summary.map_err(|err| format!("scenario: {err}"))
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
            "--per-organisation" => {
                options.per_organisation = Some(value("--per-organisation")?.into())
            }
            "--progress" if !merging => options.progress = true,
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

/// The text of `path`, at most [`MAX_INPUT`] bytes of UTF-8.
fn read(path: &Path) -> Result<String, String> {
    let cannot = |err: std::io::Error| format!("input: cannot read {path:?}: {err}");
    let mut text = String::new();
    std::fs::File::open(path)
        .map_err(cannot)?
        .take(MAX_INPUT + 1)
        .read_to_string(&mut text)
        .map_err(cannot)?;
    if text.len() as u64 > MAX_INPUT {
        return Err(format!("input: {path:?}: document exceeds 64 MiB"));
    }
    Ok(text)
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|err| format!("output: cannot write {path:?}: {err}"))
}

/// `merge FILE... [--json OUT] [--csv FILE] [--svg FILE]`: the shards' summaries combined;
/// the merged JSON to `--json OUT`, or to stdout without it. Every file is read strictly and
/// checked before it is merged; an error names the file and the field.
fn merge(options: &Options) -> Result<String, String> {
    let mut merged: Option<AnySummary> = None;
    for path in &options.merge {
        let at = |err: floorshare::Error| format!("input: {path:?}: {err}");
        let summary = AnySummary::from_json_str(&read(path)?).map_err(at)?;
        match &mut merged {
            None => merged = Some(summary),
            Some(merged) => merged.merge(&summary).map_err(at)?,
        }
    }
    let merged = merged.ok_or_else(|| format!("arguments: merge needs summary files; {USAGE}"))?;
    let (scenario, runs, total_runs, seed, shards) = match &merged {
        AnySummary::Plain(s) => (&s.scenario, s.runs, s.total_runs, s.seed, &s.shards),
        AnySummary::Sweep(s) => (&s.scenario, s.runs, s.total_runs, s.seed, &s.shards),
    };
    let per_value = if matches!(merged, AnySummary::Sweep(_)) {
        " per value"
    } else {
        ""
    };
    if let Some(shards) = shards {
        say(&format!(
            "warning: {} of {} shards merged ({runs} of {total_runs} runs{per_value}): not the full \
             simulation yet",
            shards.indices.len(),
            shards.count,
        ));
    }
    write_outputs(&merged, options)?;
    if options.json.is_some() {
        let tables = match &merged {
            AnySummary::Plain(s) => table(s),
            AnySummary::Sweep(s) => sweep_tables(s),
        };
        Ok(format!(
            "{scenario}: {runs} runs{per_value} merged, seed {seed}.\n\n{tables}"
        ))
    } else {
        let json = match &merged {
            AnySummary::Plain(s) => serde_json::to_string_pretty(s),
            AnySummary::Sweep(s) => serde_json::to_string_pretty(s),
        }
        .map_err(|err| format!("output: {err}"))?;
        Ok(json + "\n")
    }
}

fn write_outputs(summary: &AnySummary, options: &Options) -> Result<(), String> {
    if let Some(path) = &options.json {
        let json = match summary {
            AnySummary::Plain(s) => serde_json::to_string_pretty(s),
            AnySummary::Sweep(s) => serde_json::to_string_pretty(s),
        }
        .map_err(|err| format!("output: {err}"))?;
        write(path, &json)?;
    }
    if let Some(path) = &options.csv {
        let text = match summary {
            AnySummary::Plain(s) => csv(s),
            AnySummary::Sweep(s) => sweep_csv(s),
        };
        write(path, &text)?;
    }
    if let Some(path) = &options.per_organisation {
        let text = match summary {
            AnySummary::Plain(s) => per_organisation(s),
            AnySummary::Sweep(s) => sweep_per_organisation(s),
        };
        let Some(text) = text else {
            return Err(
                "arguments: --per-organisation needs a scenario with an explicit \
                        population (`population.organisations`)"
                    .to_string(),
            );
        };
        write(path, &text)?;
    }
    if let Some(path) = &options.svg {
        match summary {
            AnySummary::Plain(s) => chart::write_svg(s, &CHART, path)?,
            AnySummary::Sweep(s) => chart::write_sweep_svg(s, &CHART, path)?,
        }
    }
    Ok(())
}

/// A scenario with a sweep: every value's runs (or the shard's runs of every value), the
/// tables once per value.
fn run_sweep(scenario: Scenario, options: &Options) -> Result<String, String> {
    let simulation = SweepSimulation::new(scenario).map_err(|err| format!("scenario: {err}"))?;
    let scenario = simulation.scenario();
    let values = simulation.sweep().values.len() as u64;
    let runs = options
        .shard
        .map_or(0..scenario.runs, |s| s.runs(scenario.runs));
    let total = (runs.end - runs.start) * values;
    let summary = with_progress(total, options, |progress| match options.shard {
        Some(shard) => simulation.run_shard(shard, progress),
        None => simulation.run_range(runs, progress),
    })?;
    write_outputs(&AnySummary::Sweep(summary.clone()), options)?;
    Ok(format!(
        "{}: {} runs{} per value, seed {}, {} sessions per run; {} swept over {} values.\n\n{}",
        scenario.name,
        summary.runs,
        shard_note(options.shard, scenario.runs),
        scenario.seed,
        scenario.sessions.len(),
        summary.sweep.parameter,
        values,
        sweep_tables(&summary)
    ))
}

/// The tables once per value, each under a heading naming the value.
fn sweep_tables(summary: &SweepSummary) -> String {
    let mut out = String::new();
    for (i, value) in summary.sweep.values.iter().enumerate() {
        let plain = summary.value_summary(i).expect("within the values");
        out += &format!(
            "### {} = {}\n\n{}",
            summary.sweep.parameter,
            value.value,
            table(&plain)
        );
    }
    out
}

/// The CSV of each value's summary, each row after a first column `value`.
fn sweep_csv(summary: &SweepSummary) -> String {
    with_values(summary, |plain| Some(csv(plain))).expect("every value has a CSV")
}

/// The per-organisation CSV of each value's summary, each row after a first column `value`;
/// `None` without an explicit population.
fn sweep_per_organisation(summary: &SweepSummary) -> Option<String> {
    with_values(summary, per_organisation)
}

/// The CSV `of` each value's summary, the header once, each row after a first column `value`.
fn with_values(
    summary: &SweepSummary,
    of: impl Fn(&SimulationSummary) -> Option<String>,
) -> Option<String> {
    let mut out = String::new();
    for (i, value) in summary.sweep.values.iter().enumerate() {
        let plain = of(&summary.value_summary(i).expect("within the values"))?;
        let mut lines = plain.lines();
        let header = lines.next().unwrap_or_default();
        if i == 0 {
            out += &format!("value,{header}\n");
        }
        for line in lines {
            out += &format!("{},{line}\n", value.value);
        }
    }
    Some(out)
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

/// A paired difference: `+0.101 ± 0.004 *` (`*`: significant), or `–` when never defined.
fn difference(policy: &PolicySummary, metric: &str) -> String {
    match policy.diffs.get(metric) {
        Some(s) if s.n > 0 => {
            let (low, high) = s.ci95();
            let mark = if policy.significant(metric) { " *" } else { "" };
            format!("{:+.3} ± {:.3}{mark}", s.mean, (high - low) / 2.0)
        }
        _ => "–".to_string(),
    }
}

/// A Markdown table titled `title`, one row per policy and one column per metric (at least
/// `cells` wide), its cells from `cell`.
fn markdown(
    title: &str,
    policies: &[&PolicySummary],
    (metrics, cells): (&[&str], usize),
    cell: impl Fn(&PolicySummary, &str) -> String,
) -> String {
    let width = policies
        .iter()
        .map(|p| p.name.len())
        .max()
        .unwrap_or(6)
        .max(6);
    // Each column as wide as its name, its widest cell and `cells`.
    let column = |name: &str| {
        let widest = policies.iter().map(|p| cell(p, name).chars().count());
        widest.fold(name.len().max(cells), usize::max)
    };
    let mut out = format!("{title}:\n\n| {:<width$} |", "policy");
    for m in metrics {
        out += &format!(" {:<w$} |", m, w = column(m));
    }
    out += &format!("\n|{}|", "-".repeat(width + 2));
    for m in metrics {
        out += &format!("{}|", "-".repeat(column(m) + 2));
    }
    out += "\n";
    for policy in policies {
        out += &format!("| {:<width$} |", policy.name);
        for m in metrics {
            out += &format!(" {:<w$} |", cell(policy, m), w = column(m));
        }
        out += "\n";
    }
    out + "\n"
}

/// The summary as Markdown tables, policy by metric, mean ± half the 95% interval; then the
/// paired differences from the baseline, run by run, marking those whose interval excludes 0.
fn table(summary: &SimulationSummary) -> String {
    let all: Vec<&PolicySummary> = summary.policies.iter().collect();
    let mut out = String::new();
    for (title, metrics) in TABLES {
        out += &markdown(title, &all, (metrics, 13), |p, m| cell(p.metrics.get(m)));
    }
    let others: Vec<&PolicySummary> = all
        .into_iter()
        .filter(|p| p.name != summary.baseline)
        .collect();
    if !others.is_empty() {
        let title = format!(
            "Paired differences from {} (policy − baseline, run by run under the same draws; \
             * : significant, the 95% interval excludes 0)",
            summary.baseline
        );
        out += &markdown(&title, &others, (&DIFFERENCES, 16), difference);
    }
    out + &organisations_table(summary)
}

/// With an explicit population, one row per policy and organisation that asked at least once:
/// `policy,organisation,sessions_asked,granted,selection_probability,expected_slots`.
fn per_organisation(summary: &SimulationSummary) -> Option<String> {
    let ids = summary.organisations.as_ref()?;
    let mut out = String::from(
        "policy,organisation,sessions_asked,granted,selection_probability,expected_slots\n",
    );
    for policy in &summary.policies {
        let counts = policy.organisations.as_ref()?;
        for (org, probability, slots) in counts.chances() {
            out += &format!(
                "{},{},{},{},{probability},{slots}\n",
                policy.name,
                csv_field(&ids[org]),
                counts.sessions_asked[org],
                counts.granted[org]
            );
        }
    }
    Some(out)
}

/// A CSV field: quoted, its quotes doubled, when it holds a comma, a quote or a line break.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// With an explicit population, per policy the minimum and Gini of the organisations'
/// selection probabilities per session and expected slots per process.
fn organisations_table(summary: &SimulationSummary) -> String {
    if summary.organisations.is_none() {
        return String::new();
    }
    let width = summary
        .policies
        .iter()
        .map(|p| p.name.len())
        .max()
        .unwrap_or(6)
        .max(6);
    let mut out = format!(
        "Per organisation that asked (selection probability per session, expected slots per \
         process; --per-organisation FILE lists them):\n\n| {:<width$} | min probability | \
         gini probability | min slots | gini slots |\n|{}|-----------------|------------------|\
         -----------|------------|\n",
        "policy",
        "-".repeat(width + 2)
    );
    for policy in &summary.policies {
        if let Some(counts) = &policy.organisations {
            let spread = counts.spread();
            let (p, s) = (spread.selection_probability, spread.expected_slots);
            out += &format!(
                "| {:<width$} | {:<15.3} | {:<16.3} | {:<9.3} | {:<10.3} |\n",
                policy.name, p.minimum, p.gini, s.minimum, s.gini
            );
        }
    }
    out + "\n"
}

/// One row per policy, metric and kind: `policy,metric,kind,n,mean,m2,ci_low,ci_high`, the
/// kind `value` (the metric's own summary) or `diff` (its paired difference from the
/// baseline).
fn csv(summary: &SimulationSummary) -> String {
    let mut out = String::from("policy,metric,kind,n,mean,m2,ci_low,ci_high\n");
    for policy in &summary.policies {
        for (metric, s) in &policy.metrics {
            let diff = policy.diffs.get(metric).copied().unwrap_or_default();
            for (kind, s) in [("value", s), ("diff", &diff)] {
                let (low, high) = s.ci95();
                out += &format!(
                    "{},{metric},{kind},{},{},{},{low},{high}\n",
                    policy.name, s.n, s.mean, s.m2
                );
            }
        }
    }
    out
}
