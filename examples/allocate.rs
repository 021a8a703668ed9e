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
//! Same input and seed, byte-identical output. Bad input: exit status 2, one line on stderr
//! naming the field or id at fault and quoting the offending value, nothing on stdout.

use std::io::Read;
use std::process::ExitCode;

use floorshare::allocation::Allocation;
use floorshare::decision::Decision;
use floorshare::interchange::AllocationInput;
use floorshare::metrics::AllocationMetrics;
use floorshare::model::Category;
use serde::Serialize;

const USAGE: &str = "usage: allocate [--policy POLICY.json] [--metrics [--by CATEGORY]...] [--panels PANELS.json] [FILE]   (reads stdin without FILE)";

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
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
    }
}

/// The allocation as JSON, or the one-line message for stderr.
fn run() -> Result<String, String> {
    let mut path = None;
    let mut with_metrics = false;
    let mut categories: Vec<Category> = Vec::new();
    let mut policy_path = None;
    let mut panels_path = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--metrics" => with_metrics = true,
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
    let text = match &path {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|err| format!("input: cannot read {path:?}: {err}"))?,
        None => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|err| format!("input: cannot read stdin: {err}"))?;
            text
        }
    };
    let input = match &policy_path {
        None => AllocationInput::from_json_str(&text),
        Some(file) => {
            let policy = std::fs::read_to_string(file)
                .map_err(|err| format!("policy: cannot read {file:?}: {err}"))?;
            let policy: serde_json::Value =
                serde_json::from_str(&policy).map_err(|err| format!("policy: {file}: {err}"))?;
            let mut document: serde_json::Value =
                serde_json::from_str(&text).map_err(|err| format!("input: {err}"))?;
            match &mut document {
                serde_json::Value::Object(map) => {
                    map.insert("policy".into(), policy);
                }
                _ => return Err("input: expected a session object".into()),
            }
            AllocationInput::from_json(document)
        }
    }
    .map_err(|err| err.to_string())?;
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
    let output = Output {
        metrics: with_metrics
            .then(|| AllocationMetrics::measure_by(&input.session, &allocation, &categories)),
        allocation: &allocation,
    };
    serde_json::to_string_pretty(&output).map_err(|err| format!("output: {err}"))
}
