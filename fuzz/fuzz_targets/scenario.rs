//! A scenario document as the `gcm_2017` tool reads it: decode and check; when accepted, run
//! a few runs (the run count capped so that one input stays fast) and check the summary.
#![no_main]

use floorshare::sim::{Scenario, Simulation};
use libfuzzer_sys::fuzz_target;

/// Most organisations and sessions run per input (bigger ones are only decoded and checked).
const MOST_ORGANISATIONS: u64 = 2_000;
const MOST_SESSIONS: usize = 20;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut scenario = match Scenario::from_json_str(text) {
        Ok(scenario) => scenario,
        Err(err) => {
            assert!(!err.field().is_empty(), "{err}");
            assert_eq!(err.to_string().lines().count(), 1, "{err}");
            return;
        }
    };
    let organisations: u64 = match &scenario.population {
        floorshare::sim::Population::Organisations(list) => list.len() as u64,
        floorshare::sim::Population::Generate(generator) => generator
            .counts
            .values()
            .flat_map(|kinds| kinds.values())
            .map(|&c| u64::from(c))
            .sum(),
        _ => return,
    };
    if organisations > MOST_ORGANISATIONS || scenario.sessions.len() > MOST_SESSIONS {
        return;
    }
    scenario.runs = scenario.runs.min(3);
    let Ok(simulation) = Simulation::new(scenario) else {
        return;
    };
    let Ok(summary) = simulation.run_all() else {
        return;
    };
    // A summary is written and read back as it was, without `null` for a number.
    let json = serde_json::to_string(&summary).unwrap();
    assert!(!json.contains("null"), "{json}");
    let back: floorshare::sim::SimulationSummary = serde_json::from_str(&json).unwrap();
    assert_eq!(back, summary);
});
