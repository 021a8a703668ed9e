//! The benchmark instance of the fair lottery (README, "Performance"), from the one seeded generator
//! `benches/peers/fair_instance.rs`: writes it as a floorshare session with a `fair_lottery`
//! policy, or solves it with `floorshare::fair::solve`.
//!
//! ```text
//! cargo run --release --example fair_instance -- --n 2000 --categories 4 --k 20 --seed 1 --objective maximin
//! cargo run --release --example fair_instance -- --n 2000 --categories 4 --k 20 --seed 1 --objective maximin --out session.json
//! cargo run --release --example fair_instance -- --n 2000 --categories 4 --k 20 --seed 1 --objective maximin --solve --runs 3
//! ```
//!
//! The session: `n` organisations `org0001`, … (kind `national_ngo`), category 0 as their
//! `region` and the others as tags (`tag:sector`, `tag:language`, `tag:scale`, then
//! `tag:category_J`); every organisation requests once; `slots` is `k`; the policy is
//! `{"name": "fair_lottery", "quotas": [...], "objective": ...}` with one quota entry per
//! category (a `min` and a `max` for every value some organisation has); the session's `seed`
//! is the instance seed. Defaults: `--n 2000 --categories 4 --k 20 --seed 1 --objective
//! maximin`.
//!
//! `--solve` builds the type space of the same instance (a type per distinct value vector)
//! and runs `fair::solve` `--runs` times (default 1), printing one JSON line:
//! `{"bound", "minimum", "gap", "seconds", "panels", ...}` — the certified upper bound on the
//! least selection probability, the least probability of the m-panel lottery drawn from, the
//! relative gap `1 − minimum / bound`, the median wall time of the solve alone (instance
//! generation excluded; every run's time in `all_seconds`), and m. `cpu_seconds` is the median
//! CPU time of the solving thread where Linux reports it (`null` elsewhere): on a shared,
//! loaded machine it is the steadier figure.
//!
//! Bad arguments: exit status 2 and one line on stderr.

use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use floorshare::fair::{self, Objective};
use serde_json::{Value, json};

#[path = "../benches/peers/fair_instance.rs"]
mod fair_instance;

use fair_instance::{Instance, VALUES, category_name, value_name};

const USAGE: &str = "usage: fair_instance [--n N] [--categories C] [--k K] [--seed S] \
                     [--objective maximin|leximin] [--out FILE] [--solve [--runs R]]";

/// What the command line asks for.
struct Args {
    n: usize,
    categories: usize,
    k: u32,
    seed: u64,
    objective: Objective,
    out: Option<String>,
    solve: bool,
    runs: usize,
}

fn main() -> ExitCode {
    if std::env::args().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    match parse().and_then(run) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
    }
}

/// Reads the arguments.
fn parse() -> Result<Args, String> {
    let mut args = Args {
        n: 2_000,
        categories: 4,
        k: 20,
        seed: 1,
        objective: Objective::Maximin,
        out: None,
        solve: false,
        runs: 1,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--solve" {
            args.solve = true;
            continue;
        }
        let value = it
            .next()
            .ok_or_else(|| format!("arguments: {flag} needs a value; {USAGE}"))?;
        let bad = |what: &str| format!("arguments: {flag}: {what}, not \"{value}\"");
        match flag.as_str() {
            "--n" => args.n = value.parse().map_err(|_| bad("a count"))?,
            "--categories" => args.categories = value.parse().map_err(|_| bad("a count"))?,
            "--k" => args.k = value.parse().map_err(|_| bad("a count"))?,
            "--seed" => args.seed = value.parse().map_err(|_| bad("an unsigned integer"))?,
            "--runs" => args.runs = value.parse().map_err(|_| bad("a count"))?,
            "--out" => args.out = Some(value),
            "--objective" => {
                args.objective = match value.as_str() {
                    "maximin" => Objective::Maximin,
                    "leximin" => Objective::Leximin,
                    _ => return Err(bad("maximin or leximin")),
                }
            }
            _ => return Err(format!("arguments: unknown flag \"{flag}\"; {USAGE}")),
        }
    }
    if args.n == 0 || args.categories == 0 || args.k == 0 || args.runs == 0 {
        return Err(format!(
            "arguments: --n, --categories, --k and --runs must be positive; {USAGE}"
        ));
    }
    if args.k as usize > args.n {
        return Err(format!(
            "arguments: --k {} exceeds --n {}: every organisation would be granted",
            args.k, args.n
        ));
    }
    Ok(args)
}

/// Writes the session, or solves the instance.
fn run(args: Args) -> Result<(), String> {
    let instance = Instance::generate(args.n, args.categories, args.k, args.seed);
    let text = if args.solve {
        solve(&instance, &args)?.to_string()
    } else {
        serde_json::to_string_pretty(&session(&instance, &args)).expect("JSON values serialise")
    };
    match &args.out {
        Some(path) => std::fs::write(path, text + "\n").map_err(|e| format!("--out {path}: {e}")),
        None => {
            // A closed pipe (`| head`) is not an error worth a panic.
            let _ = writeln!(std::io::stdout().lock(), "{text}");
            Ok(())
        }
    }
}

/// The instance as a floorshare session under the `fair_lottery` policy.
fn session(instance: &Instance, args: &Args) -> Value {
    let width = args.n.to_string().len().max(4);
    let id = |i: usize| format!("org{:0width$}", i + 1);
    let organisations: Vec<Value> = instance
        .organisations
        .iter()
        .enumerate()
        .map(|(i, values)| {
            let tags: serde_json::Map<String, Value> = values
                .iter()
                .enumerate()
                .skip(1)
                .map(|(j, &v)| {
                    let key = category_name(j);
                    let key = key.strip_prefix("tag:").unwrap_or(&key).to_owned();
                    (key, Value::from(value_name(j, v)))
                })
                .collect();
            let mut organisation = json!({
                "id": id(i),
                "region": value_name(0, values[0]),
                "kind": "national_ngo",
            });
            if !tags.is_empty() {
                organisation["tags"] = Value::Object(tags);
            }
            organisation
        })
        .collect();
    let requests: Vec<Value> = (0..args.n)
        .map(|i| json!({"organisation": id(i)}))
        .collect();
    let quotas: Vec<Value> = (0..instance.categories())
        .map(|j| {
            let present: Vec<u32> = (0..VALUES)
                .filter(|&v| instance.members(j, v) > 0)
                .collect();
            let bound = |pick: fn((u32, u32)) -> u32| -> serde_json::Map<String, Value> {
                present
                    .iter()
                    .map(|&v| {
                        (
                            value_name(j, v),
                            Value::from(pick(instance.bounds[j][v as usize])),
                        )
                    })
                    .collect()
            };
            json!({
                "category": category_name(j),
                "min": bound(|(lo, _)| lo),
                "max": bound(|(_, hi)| hi),
            })
        })
        .collect();
    let objective = match args.objective {
        Objective::Maximin => "maximin",
        Objective::Leximin => "leximin",
    };
    json!({
        "session": {
            "id": format!("fair_n{}_c{}_k{}_s{}", args.n, args.categories, args.k, args.seed),
            "title": format!(
                "Fair-lottery benchmark instance: {} organisations, {} categories of {VALUES} \
                 values, {} slots, seed {}",
                args.n, args.categories, args.k, args.seed
            ),
            "slots": args.k,
        },
        "organisations": organisations,
        "requests": requests,
        "policy": {"name": "fair_lottery", "quotas": quotas, "objective": objective},
        "seed": args.seed,
    })
}

/// Solves the instance `args.runs` times; the JSON line of the module documentation.
fn solve(instance: &Instance, args: &Args) -> Result<Value, String> {
    let space = instance.type_space();
    let history = vec![0.0; space.types()];
    let mut seconds = Vec::with_capacity(args.runs);
    let mut cpu_seconds = Vec::with_capacity(args.runs);
    let mut result = None;
    for _ in 0..args.runs {
        let (start, cpu) = (Instant::now(), cpu_time());
        let solved =
            fair::solve(&space, &history, args.objective).ok_or("the quotas admit no panel")?;
        seconds.push(start.elapsed().as_secs_f64());
        if let (Some(before), Some(after)) = (cpu, cpu_time()) {
            cpu_seconds.push(after - before);
        }
        if let Some((bound, minimum, _, _)) = &result {
            // The solve is deterministic: every run must give the same certificate.
            assert_eq!((*bound, *minimum), (solved.upper_bound, solved.minimum));
        }
        result = Some((
            solved.upper_bound,
            solved.minimum,
            solved.lottery.panels(),
            (solved.certified, solved.progress),
        ));
    }
    let (bound, minimum, panels, (certified, progress)) = result.expect("at least one run");
    Ok(json!({
        "n": args.n,
        "categories": args.categories,
        "k": args.k,
        "seed": args.seed,
        "objective": args.objective,
        "types": space.types(),
        "bound": bound,
        "minimum": minimum,
        "gap": 1.0 - minimum / bound,
        "certified": certified,
        "seconds": median(&seconds),
        "all_seconds": seconds,
        "cpu_seconds": (!cpu_seconds.is_empty()).then(|| median(&cpu_seconds)),
        "panels": panels,
        "decomposition_iterations": progress.iterations,
        "inexact_pricing": progress.inexact_pricing,
    }))
}

/// The median (the upper one of an even count).
fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}

/// CPU time of this thread in seconds, where the system tells it (`/proc/thread-self/schedstat`
/// on Linux: the first field is nanoseconds on a CPU), so that a busy shared machine's wall
/// times can be read against it.
fn cpu_time() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanoseconds: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(nanoseconds as f64 * 1e-9)
}
