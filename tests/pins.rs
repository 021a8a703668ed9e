//! Pins: the exact published outputs of the crate, byte for byte, so that a change of the
//! internals can prove it changed nothing.
//!
//! What is pinned, under `tests/pins/`:
//!
//! - `allocations/<session>.json`: for every session input of `sessions/<session>.json`, the
//!   full allocation JSON (`serde_json::to_string`, exactly as the `allocate` tool writes it)
//!   of every policy description of [`policy_grid`] under the seeds 1, 42 and 7, plus the
//!   session's own cases of [`extra_cases`] (the descriptions of `tests/value_stability.rs`
//!   and of `examples/sessions/`, and a few descriptions whose error text is pinned instead),
//!   then every description of [`stage_grid`] (the shared stages) under the same seeds.
//! - `sim/derive_seed.json`: [`derive_seed`] on a grid of (master, run, stream) triples.
//! - `sim/summaries.json`: the full JSON of the summary of two small simulations
//!   (`sim/scenarios/`, each with its run count set here).
//!
//! Why: an allocation carries its policy description and seed so that anyone can re-run it and
//! get the same bytes (the determinism promise; `allocate --verify`). Any change of a pinned output
//! is therefore a breaking change of published allocations (or of published simulation
//! figures) and must be deliberate. The inputs are frozen copies (the examples they come from
//! may move); every byte is compared, the audit `steps` included (see [`normalise`] for how
//! the pins went through the change that added them).
//!
//! A mismatch fails naming the session, policy, seed and the first differing character with
//! context. A missing pin file is a failure. To (re)write the pins from the current code, run
//! `FLOORSHARE_BLESS=1 cargo test --test pins` and review the diff: blessing is the deliberate
//! act.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use floorshare::allocation::Allocate;
use floorshare::model::SessionInput;
use floorshare::policy::{self, Policy};
use floorshare::sim::{Scenario, Simulation, derive_seed};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The seeds every policy description runs with.
const SEEDS: [u64; 3] = [1, 42, 7];

/// The pinned sessions: `tests/pins/sessions/<name>.json` (a `SessionInput`) and
/// `tests/pins/allocations/<name>.json` (its pins).
const SESSIONS: [&str; 11] = [
    // tests/value_stability.rs: 3 kinds x 7 GCM regions, 5 slots, length 120, default chair.
    // examples/sessions/catalogue_session.json without `policy` and `seed`: constituency,
    // major-group and group tags, focal points, a joint statement, history.
    "catalogue",
    "value_stability_21",
    // The session of examples/sessions/*.json (the three files share it; they differ only in
    // `policy` and `seed`, whose pairs are extra cases), without `policy` and `seed`.
    "thematic_session_2",
    // Duplicates (af-gr's second request has `order` 1, so its first one is the duplicate),
    // explicit orders out of list order and equal, requested minutes below and above
    // minutes_per_slot, themes, history, countries, tags, `start` placement, a named chair with
    // custom familiarity.
    "duplicates_order_history_start",
    // 3 regions of 2, 2 slots, equal weights: apportionment ties; `spread` placement.
    "ties_three_regions_two_slots_spread",
    // 0 slots (a chair who may grant 0..=3), a duplicate.
    "zero_slots",
    // 8 slots for 6 requesters (one organisation does not ask); the granted minutes exceed
    // the session's 12, so `end` starts at minute 0.
    "slots_exceed_requesters_overflow",
    // No length_minutes (no start minutes), grassroots class redefined, free region names.
    "no_length_class_redefined",
    // 7 slots over regions of 9, 6, 4, 3, 2, 1 and 1 requesters: caps spill over; requests
    // inscribed in reverse roster order; a europe organisation that does not ask.
    "uneven_regions_caps",
    // 50 slots for 60 requesters in 7 regions, `spread`: reserved share 0.14 gives exactly 7
    // slots (the f64 product 0.14 × 50 is 7.000000000000001; the count allows a 1e-9 relative
    // tolerance).
    "fifty_slots_exact_share",
    // Organisations but no request.
    "no_requests",
];

/// Normalises an allocation's JSON text before the byte-for-byte comparison; applied to both
/// the pinned and the freshly computed text. It returns the text unchanged: every byte counts,
/// the audit `steps` included.
///
/// History: these pins were taken before allocations carried `steps`; while the open design
/// added them, this function dropped that field (and only it) from both sides, which proved
/// every other byte unchanged. The pins were then re-blessed once, for the two fixes to the
/// wait-reason rule and the reserved count, with the steps in them; from then on the steps are
/// pinned too.
fn normalise(allocation_json: &str) -> String {
    allocation_json.to_string()
}

/// Whether this run (re)writes the pins instead of comparing: `FLOORSHARE_BLESS=1`.
fn blessing() -> bool {
    std::env::var("FLOORSHARE_BLESS").is_ok_and(|v| v == "1")
}

fn pins_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("pins")
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Reads a pin file; a missing or unreadable one is a failure (never silently written outside
/// blessing).
fn read_pins<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, String> {
    let text = fs::read_to_string(path).map_err(|e| {
        format!(
            "pin file {} cannot be read ({e}); to create it from the current code, run \
             FLOORSHARE_BLESS=1 cargo test --test pins",
            path.display()
        )
    })?;
    serde_json::from_str(&text).map_err(|e| format!("pin file {}: {e}", path.display()))
}

/// Writes a pin file (blessing) and says so on stderr.
fn write_pins<T: Serialize>(path: &Path, pins: &T, count: usize) {
    let text = serde_json::to_string_pretty(pins).unwrap() + "\n";
    let changed = fs::read_to_string(path).map_or(true, |old| old != text);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    // Straight to stderr, not through `eprintln!`, which the test harness captures.
    let _ = writeln!(
        std::io::stderr(),
        "FLOORSHARE_BLESS=1: wrote {} pins to {} ({})",
        count,
        path.display(),
        if changed { "changed" } else { "unchanged" }
    );
}

/// Where two texts first differ: the character offset and some context on both sides.
fn first_difference(pinned: &str, actual: &str) -> String {
    let p: Vec<char> = pinned.chars().collect();
    let a: Vec<char> = actual.chars().collect();
    let at = p
        .iter()
        .zip(&a)
        .position(|(x, y)| x != y)
        .unwrap_or(p.len().min(a.len()));
    let context = |s: &[char]| -> String {
        let from = at.saturating_sub(60);
        let to = (at + 60).min(s.len());
        let mut out: String = s[from..at].iter().collect();
        out.push_str(" ⟨HERE⟩ ");
        out.extend(&s[at..to]);
        out
    };
    format!(
        "first difference at character {at} (lengths {} pinned, {} actual)\n    pinned: …{}…\n    actual: …{}…",
        p.len(),
        a.len(),
        context(&p),
        context(&a)
    )
}

/// Fails with every mismatch found (the first few in full) and how to re-bless.
fn report(what: &str, failures: &[String]) {
    if failures.is_empty() {
        return;
    }
    let mut message = format!("{} pinned {what} changed:\n", failures.len());
    for failure in failures.iter().take(12) {
        let _ = writeln!(message, "- {failure}");
    }
    if failures.len() > 12 {
        let _ = writeln!(message, "- … and {} more", failures.len() - 12);
    }
    message.push_str(
        "A pinned output is a published result: if the change is deliberate (a breaking change), \
         re-bless with FLOORSHARE_BLESS=1 cargo test --test pins and review the diff.",
    );
    panic!("{message}");
}

// ---------------------------------------------------------------------------------------------
// Allocations
// ---------------------------------------------------------------------------------------------

/// One pinned allocation: a policy description and seed, and either the allocation's exact
/// JSON text or the error it gives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AllocationPin {
    policy: Value,
    seed: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    output: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error: Option<PinnedError>,
}

/// An error and where it was raised: `from_json` (the description) or `allocate` (the
/// description against this session).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PinnedError {
    stage: String,
    message: String,
}

/// Every policy description run on every session, with each seed of [`SEEDS`]: chair
/// discretion (4), regional balance (7 methods × 3 weightings × 3 within-region rules; the
/// explicit map covers every region of the session's organisations) and grassroots priority (4).
fn policy_grid(regions: &BTreeSet<String>) -> Vec<Value> {
    let mut grid = vec![
        json!({"name": "chair_discretion"}),
        json!({"name": "chair_discretion", "min_slots": 3, "max_slots": 5}),
        json!({"name": "chair_discretion", "familiarity": {"grassroots": 4.0}}),
        json!({"name": "chair_discretion", "placement": "spread"}),
    ];
    // Unequal weights with repeats (ties) and a fraction, by region name order.
    let cycle = [json!(2.0), json!(1.0), json!(3.0), json!(1.5)];
    let map: serde_json::Map<String, Value> = regions
        .iter()
        .zip(cycle.iter().cycle())
        .map(|(region, weight)| (region.clone(), weight.clone()))
        .collect();
    for method in [
        "hamilton",
        "dhondt",
        "sainte_lague",
        "modified_sainte_lague",
        "huntington_hill",
        "adams",
        "dean",
    ] {
        for weights in [
            json!("equal"),
            json!("requests"),
            Value::Object(map.clone()),
        ] {
            for within in ["lottery", "order", "grassroots_first"] {
                grid.push(json!({
                    "name": "regional_balance",
                    "method": method,
                    "weights": weights,
                    "within_region": within,
                }));
            }
        }
    }
    grid.extend([
        json!({"name": "grassroots_priority", "mode": "strict"}),
        json!({"name": "grassroots_priority", "mode": "reserved", "share": 0.3}),
        json!({"name": "grassroots_priority", "mode": "reserved", "share": 0.14}),
        json!({"name": "grassroots_priority", "mode": "weighted", "weight": 3.0}),
    ]);
    grid
}

/// The shared stages (`order`, `time`, `placement`) on a few policies, run on every session
/// with each seed of [`SEEDS`]: each order rule and each time rule at least once, explicit and
/// default apportionment methods, a tie-prone group-proportional window, the `tag:` category of
/// the one session with tags. Pinned after the grid and the extra cases, so that adding them
/// left every earlier pin in place.
fn stage_grid() -> Vec<Value> {
    vec![
        json!({"name": "fcfs", "order": "lottery"}),
        json!({"name": "regional_balance", "order": "inscription"}),
        json!({"name": "chair_discretion", "min_slots": 3, "max_slots": 5,
               "order": {"tiers": {"category": "class", "values": [["grassroots"]]}}}),
        json!({"name": "capped_lottery", "order": {"alternate": "region"},
               "time": {"equal_split": {"window": 10, "floor": 2}}}),
        json!({"name": "fcfs", "order": {"alternate": "region"},
               "time": {"group_proportional": {"window": 12, "category": "region",
                                               "equal_part": 0.5, "method": "dhondt"}}}),
        json!({"name": "grassroots_priority", "time": {"fixed": 2}}),
        json!({"name": "fcfs", "placement": "spread", "order": "lottery"}),
        json!({"name": "rotation",
               "order": {"tiers": {"category": "kind",
                                   "values": [["grassroots", "diaspora"], ["trade_union"]]}},
               "time": {"equal_split": {"window": 9, "floor": 3}}}),
        json!({"name": "progressive_stack",
               "marks": [{"category": "class", "value": "grassroots", "weight": 2}],
               "order": "inscription",
               "time": {"group_proportional": {"window": 7, "category": "class",
                                               "equal_part": 1}}}),
        json!({"name": "constituency_round_robin", "category": "region",
               "order": {"alternate": "kind"}, "time": {"fixed": 4}, "placement": "start"}),
        json!({"name": "alternation", "category": "class", "value": "grassroots",
               "order": "lottery", "time": {"equal_split": {"window": 5, "floor": 2}}}),
        json!({"name": "capped_lottery",
               "time": {"group_proportional": {"window": 20, "category": "tag:speaker_gender",
                                               "equal_part": 0.3, "method": "hamilton"}}}),
        json!({"name": "regional_balance", "method": "dhondt", "placement": "end",
               "order": {"tiers": {"category": "region",
                                   "values": [["africa", "asia"], ["europe"]]}}}),
    ]
}

/// The catalogue's policies without stages, each rule and option at least once, run on every
/// session with each seed of [`SEEDS`]. Pinned after the stage grid, so that adding them left
/// every earlier pin in place.
fn catalogue_grid() -> Vec<Value> {
    vec![
        json!({"name": "fcfs"}),
        json!({"name": "capped_lottery"}),
        json!({"name": "rotation"}),
        json!({"name": "rotation", "key": "not_yet_heard_first", "ties": "inscription"}),
        json!({"name": "constituency_round_robin"}),
        json!({"name": "constituency_round_robin", "within": "lottery"}),
        json!({"name": "constituency_round_robin", "category": "region", "within": "inscription",
               "constituencies": ["pacific", "africa"]}),
        json!({"name": "constituency_round_robin", "category": "tag:major_group",
               "within": "rotation"}),
        json!({"name": "constituency_round_robin", "category": "kind"}),
        json!({"name": "progressive_stack",
               "marks": [{"category": "class", "value": "grassroots", "weight": 2},
                         {"category": "tag:group", "value": "left", "weight": 0.5},
                         {"category": "region", "value": "africa", "weight": 1}],
               "recent_penalty": -1.5, "recent_sessions": 2}),
        json!({"name": "alternation", "category": "migrant_led", "value": "true"}),
        json!({"name": "alternation", "category": "region", "value": "europe",
               "within": "lottery", "mode": "hard"}),
        json!({"name": "fair_lottery"}),
        json!({"name": "fair_lottery", "objective": "maximin",
               "quotas": [{"category": "region", "max": {"europe": 1}},
                          {"category": "class", "min": {"grassroots": 1}}]}),
        json!({"name": "fair_lottery", "process": true,
               "quotas": [{"category": "kind", "min": {"grassroots": 1},
                           "max": {"international_ngo": 1}}]}),
    ]
}

/// Cases of one session beyond the grid: descriptions exactly as other tests and the examples
/// write them, and descriptions that are errors (their message is pinned).
fn extra_cases(session: &str) -> Vec<(Value, Vec<u64>)> {
    let gcm_weights = json!({"africa": 3, "asia": 3, "europe": 1, "latin_america": 2, "mena": 2,
                             "north_america": 1, "pacific": 1});
    match session {
        "value_stability_21" => vec![
            // The descriptions of tests/value_stability.rs, as written there.
            (json!({"name": "regional_balance"}), vec![42, 7]),
            (
                json!({"max_slots": 5, "min_slots": 5, "name": "chair_discretion"}),
                vec![42, 7],
            ),
            (
                json!({"method": "dhondt", "name": "regional_balance", "weights": gcm_weights.clone(),
                       "within_region": "grassroots_first"}),
                vec![42, 7],
            ),
            (
                json!({"method": "dhondt", "name": "regional_balance", "weights": gcm_weights}),
                vec![42],
            ),
            (json!({"name": "grassroots_priority"}), vec![42, 7]),
            (
                json!({"mode": "reserved", "name": "grassroots_priority", "share": 0.4}),
                vec![42, 7],
            ),
            (
                json!({"mode": "weighted", "name": "grassroots_priority", "weight": 3}),
                vec![42, 7],
            ),
            // Errors: a requesting region missing from the map; bad descriptions.
            (
                json!({"name": "regional_balance", "weights": {"africa": 1, "asia": 1, "europe": 1,
                       "latin_america": 1, "mena": 1, "north_america": 1}}),
                vec![42],
            ),
            (
                json!({"name": "grassroots_priority", "mode": "reserved"}),
                vec![42],
            ),
            (
                json!({"name": "grassroots_priority", "mode": "reserved", "share": 1.5}),
                vec![42],
            ),
            (
                json!({"name": "grassroots_priority", "mode": "weighted", "weight": 0.5}),
                vec![42],
            ),
            (
                json!({"name": "regional_balance", "metod": "dhondt"}),
                vec![42],
            ),
            (json!({"name": "loudest_first"}), vec![42]),
        ],
        "thematic_session_2" => vec![
            // examples/sessions/thematic_session_2.json and _grassroots.json (the _chair file's
            // {"name": "chair_discretion"} with seed 42 is in the grid).
            (
                json!({"name": "regional_balance", "weights": "equal", "method": "sainte_lague"}),
                vec![42],
            ),
            (
                json!({"name": "grassroots_priority", "mode": "reserved", "share": 0.5,
                       "placement": "spread"}),
                vec![42],
            ),
            // Errors: a map missing a requesting region; the policy's min over the chair's max.
            (
                json!({"name": "regional_balance", "weights": {"pacific": 1.0, "asia": 2.0}}),
                vec![42],
            ),
            (
                json!({"name": "chair_discretion", "min_slots": 3}),
                vec![42],
            ),
        ],
        "duplicates_order_history_start" => vec![
            (
                json!({"name": "chair_discretion", "min_slots": 5}),
                vec![42],
            ),
            (
                json!({"name": "chair_discretion", "familiarity": {"grassroots": -1.0}}),
                vec![42],
            ),
        ],
        "uneven_regions_caps" => vec![
            (
                json!({"name": "regional_balance", "weights": {"africa": 1, "asia": 1, "europe": 0,
                       "latin_america": 1, "mena": 1, "north_america": 1, "pacific": 1}}),
                vec![42],
            ),
            (
                json!({"name": "regional_balance", "method": "dhondt", "weights": "requests",
                       "placement": "start"}),
                SEEDS.to_vec(),
            ),
        ],
        _ => Vec::new(),
    }
}

/// Runs every case of a session: the pins as the current code gives them.
fn compute_session(name: &str) -> Vec<AllocationPin> {
    let path = pins_dir().join("sessions").join(format!("{name}.json"));
    let input: Value =
        serde_json::from_str(&read(&path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let regions: BTreeSet<String> = input["organisations"]
        .as_array()
        .expect("organisations")
        .iter()
        .map(|o| o["region"].as_str().expect("region").to_string())
        .collect();
    let session = serde_json::from_value::<SessionInput>(input)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .check()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));

    let mut cases: Vec<(Value, Vec<u64>)> = policy_grid(&regions)
        .into_iter()
        .map(|policy| (policy, SEEDS.to_vec()))
        .collect();
    cases.extend(extra_cases(name));
    cases.extend(
        stage_grid()
            .into_iter()
            .chain(catalogue_grid())
            .map(|policy| (policy, SEEDS.to_vec())),
    );

    let mut pins = Vec::new();
    for (description, seeds) in cases {
        let built: floorshare::Result<Box<dyn Policy>> = policy::from_json(description.clone());
        for seed in seeds {
            let (output, error) = match &built {
                Err(e) => (None, Some(("from_json", e.to_string()))),
                Ok(policy) => match policy.allocate_seeded(&session, seed) {
                    Ok(allocation) => (Some(serde_json::to_string(&allocation).unwrap()), None),
                    Err(e) => (None, Some(("allocate", e.to_string()))),
                },
            };
            pins.push(AllocationPin {
                policy: description.clone(),
                seed,
                output,
                error: error.map(|(stage, message)| PinnedError {
                    stage: stage.to_string(),
                    message,
                }),
            });
        }
    }
    pins
}

/// Compares one session's pins; returns a message per mismatch.
fn compare_session(name: &str, pinned: &[AllocationPin], actual: &[AllocationPin]) -> Vec<String> {
    // Descriptions compare as JSON values: the order of their keys is not part of a case.
    let key = |p: &AllocationPin| (p.policy.clone(), p.seed);
    let pinned_keys: Vec<_> = pinned.iter().map(key).collect();
    let actual_keys: Vec<_> = actual.iter().map(key).collect();
    if pinned_keys != actual_keys {
        let missing: Vec<_> = actual_keys
            .iter()
            .filter(|k| !pinned_keys.contains(k))
            .collect();
        let extra: Vec<_> = pinned_keys
            .iter()
            .filter(|k| !actual_keys.contains(k))
            .collect();
        return vec![format!(
            "session `{name}`: the list of (policy, seed) cases differs from the pin file \
             ({} pinned, {} now; not pinned: {missing:?}; pinned but gone: {extra:?}; or the \
             order changed)",
            pinned.len(),
            actual.len()
        )];
    }
    let mut failures = Vec::new();
    for (p, a) in pinned.iter().zip(actual) {
        let case = format!("session `{name}`, policy {}, seed {}", p.policy, p.seed);
        match (&p.output, &a.output) {
            (Some(po), Some(ao)) => {
                let (po, ao) = (normalise(po), normalise(ao));
                if po != ao {
                    failures.push(format!("{case}: {}", first_difference(&po, &ao)));
                }
            }
            _ if p.error != a.error => failures.push(format!(
                "{case}: pinned {} but now {}",
                describe(p),
                describe(a)
            )),
            _ => {}
        }
    }
    failures
}

fn describe(pin: &AllocationPin) -> String {
    match (&pin.output, &pin.error) {
        (Some(output), _) => format!("the allocation {output}"),
        (None, Some(e)) => format!("the {} error {:?}", e.stage, e.message),
        (None, None) => "nothing".to_string(),
    }
}

#[test]
fn allocations_are_pinned() {
    let bless = blessing();
    let mut failures = Vec::new();
    for name in SESSIONS {
        let actual = compute_session(name);
        let path = pins_dir().join("allocations").join(format!("{name}.json"));
        if bless {
            write_pins(&path, &actual, actual.len());
        } else {
            match read_pins::<Vec<AllocationPin>>(&path) {
                Ok(pinned) => failures.extend(compare_session(name, &pinned, &actual)),
                Err(failure) => failures.push(failure),
            }
        }
    }
    report("allocations", &failures);
}

/// Every session file is listed in [`SESSIONS`] and has its pin file, and no pin file is left
/// without its session: a session cannot silently drop out of the pins.
#[test]
fn every_session_file_is_pinned() {
    let names = |dir: &str| -> BTreeSet<String> {
        fs::read_dir(pins_dir().join(dir))
            .unwrap_or_else(|e| panic!("tests/pins/{dir}: {e}"))
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    };
    let listed: BTreeSet<String> = SESSIONS.iter().map(|s| format!("{s}.json")).collect();
    assert_eq!(names("sessions"), listed, "tests/pins/sessions vs SESSIONS");
    if !blessing() {
        assert_eq!(
            names("allocations"),
            listed,
            "tests/pins/allocations vs SESSIONS"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Simulator
// ---------------------------------------------------------------------------------------------

/// One pinned seed derivation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedPin {
    master: u64,
    run: u64,
    stream: u64,
    seed: u64,
}

#[test]
fn derive_seed_is_pinned() {
    const M: u64 = u64::MAX;
    let grid: [(u64, u64, u64); 14] = [
        (0, 0, 0),
        (0, 0, 1),
        (0, 1, 0),
        (1, 0, 0),
        (1, 2, 3),
        (42, 0, 2),
        (2017, 9_999, 10),
        (2017, 1_000_000_007, 3),
        (7, 1 << 32, 11),
        (12_345, 1 << 40, 2),
        (M, 0, 0),
        (0, M, 0),
        (0, 0, M),
        (M, M, M),
    ];
    let actual: Vec<SeedPin> = grid
        .iter()
        .map(|&(master, run, stream)| SeedPin {
            master,
            run,
            stream,
            seed: derive_seed(master, run, stream),
        })
        .collect();
    let path = pins_dir().join("sim").join("derive_seed.json");
    if blessing() {
        write_pins(&path, &actual, actual.len());
        return;
    }
    let pinned: Vec<SeedPin> = read_pins(&path).unwrap_or_else(|failure| panic!("{failure}"));
    let failures: Vec<String> = if pinned.len() != actual.len() {
        vec![format!(
            "{} triples pinned, {} now",
            pinned.len(),
            actual.len()
        )]
    } else {
        pinned
            .iter()
            .zip(&actual)
            .filter(|(p, a)| p != a)
            .map(|(p, a)| format!("pinned {p:?}, now {a:?}"))
            .collect()
    };
    report("seed derivations", &failures);
}

/// One pinned simulation summary: the scenario file, the run count set on it, and the exact
/// `serde_json::to_string` of `Simulation::run_all`'s summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SummaryPin {
    scenario: String,
    runs: u64,
    output: String,
}

/// The simulations pinned: a scenario file of `tests/pins/sim/scenarios/` and its run count.
/// `gcm_2017.json` is a frozen copy of `examples/scenarios/gcm_2017.json`.
const SCENARIOS: [(&str, u64); 2] = [("gcm_2017.json", 20), ("explicit_small.json", 50)];

fn summary_of(file: &str, runs: u64) -> String {
    let path = pins_dir().join("sim").join("scenarios").join(file);
    let mut scenario: Value = serde_json::from_str(&read(&path)).unwrap();
    scenario["runs"] = json!(runs);
    let scenario = Scenario::from_json_str(&scenario.to_string())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let summary = Simulation::new(scenario).unwrap().run_all().unwrap();
    serde_json::to_string(&summary).unwrap()
}

#[test]
fn simulation_summaries_are_pinned() {
    let actual: Vec<SummaryPin> = SCENARIOS
        .iter()
        .map(|&(file, runs)| SummaryPin {
            scenario: file.to_string(),
            runs,
            output: summary_of(file, runs),
        })
        .collect();
    let path = pins_dir().join("sim").join("summaries.json");
    if blessing() {
        write_pins(&path, &actual, actual.len());
        return;
    }
    let pinned: Vec<SummaryPin> = read_pins(&path).unwrap_or_else(|failure| panic!("{failure}"));
    let mut failures = Vec::new();
    if pinned.len() != actual.len() {
        failures.push(format!(
            "{} summaries pinned, {} now",
            pinned.len(),
            actual.len()
        ));
    }
    for (p, a) in pinned.iter().zip(&actual) {
        if (&p.scenario, p.runs) != (&a.scenario, a.runs) {
            failures.push(format!(
                "pinned scenario {} with {} runs, now {} with {} runs",
                p.scenario, p.runs, a.scenario, a.runs
            ));
        } else if p.output != a.output {
            failures.push(format!(
                "scenario {} ({} runs): {}",
                p.scenario,
                p.runs,
                first_difference(&p.output, &a.output)
            ));
        }
    }
    report("simulation summaries", &failures);
}
