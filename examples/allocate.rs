//! The JSON tool (the format of `floorshare::interchange`): reads one session (a file path argument, or stdin) and prints
//! its allocation as JSON.
//!
//! ```text
//! cargo run --release --example allocate -- examples/sessions/thematic_session_2.json
//! cat session.json | cargo run --release --example allocate
//! ```
//!
//! With `--metrics`, the output gains a `"metrics"` object: the fairness of this allocation
//! (`floorshare::metrics::AllocationMetrics`, documented field by field in the README).
//! `--by CATEGORY` (repeatable: `region`, `kind`, `class`, `migrant_led`, `country`,
//! `tag:KEY`) adds `metrics.by_category.CATEGORY`, a table like `by_region`.
//!
//! `--policy FILE` decides under the policy description in FILE instead of the session's
//! `policy` (the presets of `examples/policies/`, for instance):
//!
//! ```text
//! cargo run --release --example allocate -- --policy examples/policies/unfccc_constituencies.json examples/sessions/catalogue_session.json
//! ```
//!
//! `--panels FILE` writes the panels of a `fair_lottery` to FILE, for a public draw:
//! `{"panels": [[ids...], ...]}`, one panel per line, panels in the lottery's order and each
//! panel's ids in inscription order; the allocation's `lottery.drawn_panel` is the index of
//! the panel drawn.
//!
//! `--verify ALLOCATION.json SESSION.json` replays a published allocation: the record's policy
//! and seed on the session (whose own `policy` and `seed`, if any, are ignored). It prints
//! `verified` and exits 0 when the replay gives the same record (its `metrics` aside), or
//! prints the first difference and exits 1 — also when the record was made by another
//! version of floorshare. `--explain` prints, instead of JSON, one line per audit step and
//! one line per organisation saying why it was granted or waits.
//!
//! ```text
//! cargo run --release --example allocate -- examples/sessions/thematic_session_2.json > allocation.json
//! cargo run --release --example allocate -- --verify allocation.json examples/sessions/thematic_session_2.json
//! cargo run --release --example allocate -- --explain examples/sessions/thematic_session_2.json
//! ```
//!
//! Same input and seed, byte-identical output. Bad input: exit status 2, one line on stderr
//! naming the field or id at fault and quoting the offending value, nothing on stdout. An
//! argument that is not UTF-8, or a stdout that cannot be written (`> /dev/full`, a pipe
//! closed early, a closed stdout): one line on stderr and exit status 2, never a panic.

use std::io::Write;
use std::process::ExitCode;

use floorshare::allocation::Allocation;
use floorshare::audit;
use floorshare::decision::Decision;
use floorshare::interchange::{Document, read_json_value, read_limited};
use floorshare::metrics::AllocationMetrics;
use floorshare::model::Category;
use floorshare::policy;
use serde::Serialize;

const USAGE: &str = "usage: allocate [--policy POLICY.json] [--metrics [--by CATEGORY]...] [--panels PANELS.json] [--explain] [FILE]   (reads stdin without FILE), or allocate --verify ALLOCATION.json SESSION.json";

/// The allocation, with its metrics when asked for.
#[derive(Serialize)]
struct Output<'a> {
    #[serde(flatten)]
    allocation: &'a Allocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    metrics: Option<AllocationMetrics>,
}

fn main() -> ExitCode {
    // The arguments are read as UTF-8 below: one that is not is an error, never a panic.
    if let Some((i, arg)) = std::env::args_os()
        .enumerate()
        .skip(1)
        .find(|(_, arg)| arg.to_str().is_none())
    {
        let arg = arg.to_string_lossy();
        return fail(&format!(
            "arguments: argument {i} ({arg:?}) is not valid UTF-8"
        ));
    }
    if std::env::args().any(|a| a == "-h" || a == "--help") {
        return emit(USAGE, ExitCode::SUCCESS);
    }
    match run() {
        Ok(Outcome::Done(text)) => emit(&text, ExitCode::SUCCESS),
        Ok(Outcome::Written) => ExitCode::SUCCESS,
        Ok(Outcome::Refuted(text)) => emit(&text, ExitCode::from(1)),
        Err(message) => fail(&message),
    }
}

/// Writes `text` and a newline to stdout, flushed, and exits with `code`; when stdout cannot
/// be written (`> /dev/full`, a pipe closed early, a closed stdout), one line on stderr and
/// exit status 2 instead: never a panic, never 0 with the output lost.
fn emit(text: &str, code: ExitCode) -> ExitCode {
    use std::io::Write;
    if stdout_is_closed() {
        return fail("output: stdout is closed: the output would be lost");
    }
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Ok(()) => code,
        Err(err) => fail(&format!("output: cannot write to stdout: {err}")),
    }
}

/// One line on stderr (ignoring a stderr that cannot be written), exit status 2.
fn fail(message: &str) -> ExitCode {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{message}");
    ExitCode::from(2)
}

/// Whether stdout was closed when the tool started: the Rust runtime opens `/dev/null` for
/// reading and writing in place of a closed standard descriptor (a shell's `> /dev/null`
/// opens it for writing only). Linux only (`/proc`).
fn stdout_is_closed() -> bool {
    if !cfg!(target_os = "linux") {
        return false;
    }
    let null =
        std::fs::read_link("/proc/self/fd/1").is_ok_and(|p| p == std::path::Path::new("/dev/null"));
    null && std::fs::read_to_string("/proc/self/fdinfo/1")
        .ok()
        .and_then(|info| {
            let flags = info.lines().find_map(|l| l.strip_prefix("flags:"))?;
            u32::from_str_radix(flags.trim(), 8).ok()
        })
        .is_some_and(|flags| flags & 0o3 == 0o2)
}

/// What the tool prints on stdout: a result (exit 0), or a record that did not verify
/// (exit 1).
enum Outcome {
    Done(String),
    /// The allocation, already written to stdout.
    Written,
    Refuted(String),
}

/// The allocation as JSON (or its explanation, or a verification), or the one-line message
/// for stderr.
fn run() -> Result<Outcome, String> {
    let mut path = None;
    let mut explain = false;
    let mut record_path = None;
    let mut with_metrics = false;
    let mut categories: Vec<Category> = Vec::new();
    let mut policy_path = None;
    let mut panels_path = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--metrics" => with_metrics = true,
            "--explain" => explain = true,
            "--verify" => {
                let file = args
                    .next()
                    .ok_or_else(|| format!("arguments: --verify needs a record; {USAGE}"))?;
                record_path = Some(file);
            }
            "--policy" => {
                let file = args
                    .next()
                    .ok_or_else(|| format!("arguments: --policy needs a file; {USAGE}"))?;
                policy_path = Some(file);
            }
            "--panels" => {
                let file = args
                    .next()
                    .ok_or_else(|| format!("arguments: --panels needs a file; {USAGE}"))?;
                panels_path = Some(file);
            }
            "--by" => {
                let name = args
                    .next()
                    .ok_or_else(|| format!("arguments: --by needs a category; {USAGE}"))?;
                let category = name
                    .parse()
                    .map_err(|err: floorshare::Error| format!("arguments: --by: {err}"))?;
                categories.push(category);
            }
            flag if flag.starts_with("--") => {
                return Err(format!("arguments: unknown option {flag:?}; {USAGE}"));
            }
            _ if path.is_some() => return Err(format!("arguments: more than one file; {USAGE}")),
            _ => path = Some(arg),
        }
    }
    if !categories.is_empty() && !with_metrics {
        return Err(format!("arguments: --by goes with --metrics; {USAGE}"));
    }
    // The document is read through the library's limits (64 MiB, 1 000 000 requests) straight
    // into its typed form: an endless stdin is refused after 64 MiB, never read to the end.
    let mut document = match &path {
        Some(path) => {
            let file = std::fs::File::open(path)
                .map_err(|err| format!("input: cannot read {path:?}: {err}"))?;
            Document::from_reader(file)
        }
        None => Document::from_reader(std::io::stdin().lock()),
    }
    .map_err(|err| err.to_string())?;
    if let Some(record_path) = record_path {
        if with_metrics || explain || policy_path.is_some() || panels_path.is_some() {
            return Err(format!(
                "arguments: --verify goes alone with a session; {USAGE}"
            ));
        }
        return verify(&record_path, document);
    }
    if let Some(file) = &policy_path {
        let policy = std::fs::File::open(file)
            .map_err(|err| format!("policy: cannot read {file:?}: {err}"))
            .and_then(|policy| {
                read_limited(policy).map_err(|err| format!("policy: {file}: {err}"))
            })?;
        let policy: serde_json::Value = std::str::from_utf8(&policy)
            .map_err(|err| format!("policy: {file}: {err}"))
            .and_then(|text| {
                read_json_value(text).map_err(|err| format!("policy: {file}: {err}"))
            })?;
        document.set_policy(policy);
    }
    let input = document.into_input().map_err(|err| err.to_string())?;
    let mut decision = Decision::new();
    let allocation = input.decide(&mut decision).map_err(|err| err.to_string())?;
    if let Some(file) = &panels_path {
        let lottery = decision.lottery().ok_or_else(|| {
            format!(
                "arguments: --panels: policy {:?} draws no lottery over panels",
                allocation.policy.name()
            )
        })?;
        let roster = input.session.roster();
        let id = |r: &u32| roster.id(input.session.organisation_of(*r as usize));
        let lines: Vec<String> = (0..lottery.panels())
            .map(|i| {
                let ids: Vec<&str> = lottery.panel(i).iter().map(id).collect();
                serde_json::to_string(&ids).expect("strings serialise")
            })
            .collect();
        let text = format!("{{\"panels\": [\n{}\n]}}\n", lines.join(",\n"));
        std::fs::write(file, text)
            .map_err(|err| format!("panels: cannot write {file:?}: {err}"))?;
    }
    if explain {
        return Ok(Outcome::Done(
            audit::explain(&input.session, &allocation)
                .trim_end()
                .to_owned(),
        ));
    }
    let output = Output {
        metrics: with_metrics
            .then(|| AllocationMetrics::measure_by(&input.session, &allocation, &categories)),
        allocation: &allocation,
    };
    // Written as it is serialised, not built as one string first: for a session of a million
    // requests the text is twice the size of the document.
    if stdout_is_closed() {
        return Err("output: stdout is closed: the output would be lost".into());
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    serde_json::to_writer_pretty(&mut out, &output)
        .map_err(|err| format!("output: cannot write to stdout: {err}"))?;
    writeln!(out)
        .and_then(|()| out.flush())
        .map_err(|err| format!("output: cannot write to stdout: {err}"))?;
    Ok(Outcome::Written)
}

/// Replays the record in `record_path` on the session `document`, whose own policy and seed
/// give way to the record's.
fn verify(record_path: &str, document: Document) -> Result<Outcome, String> {
    let record = std::fs::File::open(record_path)
        .map_err(|err| format!("record: cannot read {record_path:?}: {err}"))
        .and_then(|record| {
            read_limited(record).map_err(|err| format!("record: {record_path}: {err}"))
        })?;
    let record: serde_json::Value = std::str::from_utf8(&record)
        .map_err(|err| format!("record: {record_path}: {err}"))
        .and_then(|text| {
            read_json_value(text).map_err(|err| format!("record: {record_path}: {err}"))
        })?;
    // The record's policy and seed win; the session's are not read.
    let session = document.check_session().map_err(|err| err.to_string())?;
    match audit::verify(&session, &record, policy::built_in()) {
        Ok(verified) => Ok(Outcome::Done(format!(
            "verified: {} granted by {} with seed {}",
            verified.granted, verified.policy, verified.seed
        ))),
        Err(mismatch) => Ok(Outcome::Refuted(format!("not verified: {mismatch}"))),
    }
}
