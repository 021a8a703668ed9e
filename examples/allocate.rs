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
//! naming the field or id at fault and quoting the offending value, nothing on stdout.

use std::io::Write;
use std::process::ExitCode;

use floorshare::allocation::Allocation;
use floorshare::audit;
use floorshare::decision::Decision;
use floorshare::interchange::{Document, read_limited};
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
    if std::env::args().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    match run() {
        Ok(Outcome::Done(text)) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Ok(Outcome::Written) => ExitCode::SUCCESS,
        Ok(Outcome::Refuted(text)) => {
            println!("{text}");
            ExitCode::from(1)
        }
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
    }
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
        let policy: serde_json::Value =
            serde_json::from_slice(&policy).map_err(|err| format!("policy: {file}: {err}"))?;
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
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    serde_json::to_writer_pretty(&mut out, &output).map_err(|err| format!("output: {err}"))?;
    writeln!(out)
        .and_then(|()| out.flush())
        .map_err(|err| format!("output: {err}"))?;
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
    let record: serde_json::Value =
        serde_json::from_slice(&record).map_err(|err| format!("record: {record_path}: {err}"))?;
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
