//! Edge cases of the stages: a time apportionment tie broken by lot, a window too short for
//! anyone, the exact edge of the `equal_split` cut, and the errors naming a tier value.

use serde_json::{Value, json};

use super::Stages;
use crate::ErrorKind;
use crate::allocation::{Allocate, Allocation};
use crate::decision::WaitReason;
use crate::model::*;

/// Organisations o0.. in the regions given, all asking in list order.
fn session(slots: u32, regions: &[&str]) -> CheckedSession {
    let organisations: Vec<Organisation> = regions
        .iter()
        .enumerate()
        .map(|(i, region)| Organisation::new(format!("o{i}"), *region, Kind::Other))
        .collect();
    let requests = organisations.iter().map(|o| Request::new(&o.id)).collect();
    SessionInput::new(
        Session::new("s", slots).with_length(60),
        organisations,
        requests,
    )
    .check()
    .unwrap()
}

/// `fcfs` with `stages` on `session`.
fn fcfs(stages: Value, session: &CheckedSession, seed: u64) -> Allocation {
    let mut description = json!({"name": "fcfs"});
    description
        .as_object_mut()
        .unwrap()
        .extend(stages.as_object().unwrap().clone());
    crate::policy::from_json(description)
        .unwrap()
        .allocate_seeded(session, seed)
        .unwrap()
}

fn speakers(a: &Allocation) -> Vec<(&str, u32)> {
    a.granted
        .iter()
        .map(|g| (&*g.organisation, g.minutes))
        .collect()
}

fn steps(a: &Allocation) -> Vec<Value> {
    a.steps
        .iter()
        .map(|s| serde_json::to_value(s).unwrap())
        .collect()
}

/// Three regions of one requester each share 2 minutes: the weights are equal, so which two
/// regions get a minute is a lot, recorded as a `lot_drawn` step from the pool `tied_values`
/// (each value named by its speaker); the third region's speaker is cut and waits `capacity`.
#[test]
fn a_group_proportional_tie_is_a_lot_among_tied_values() {
    let session = session(3, &["africa", "asia", "europe"]);
    let stages = json!({"time": {"group_proportional":
        {"window": 2, "category": "region", "equal_part": 0.5, "method": "dhondt"}}});
    let mut losers = std::collections::BTreeSet::new();
    for seed in 0..20 {
        let a = fcfs(stages.clone(), &session, seed);
        let steps = steps(&a);
        assert_eq!(steps.len(), 4, "{steps:?}");
        assert_eq!(steps[0]["rule"], "inscription_order");
        let line = |v: &str, m: u32| json!({"value": v, "weight": 1.0 / 3.0, "minutes": m});
        assert_eq!(steps[1]["step"], "minutes_apportioned");
        assert_eq!(steps[1]["method"], "dhondt");
        assert_eq!(steps[1]["window"], 2);
        let lines = steps[1]["values"].as_array().unwrap();
        let values: Vec<&str> = lines.iter().map(|l| l["value"].as_str().unwrap()).collect();
        assert_eq!(values, ["africa", "asia", "europe"]);
        let minutes: Vec<u64> = lines
            .iter()
            .map(|l| l["minutes"].as_u64().unwrap())
            .collect();
        assert_eq!(minutes.iter().sum::<u64>(), 2);
        for l in lines {
            assert_eq!(
                *l,
                line(
                    l["value"].as_str().unwrap(),
                    l["minutes"].as_u64().unwrap() as u32
                )
            );
        }
        // The lot: two winners among the three tied values, named by their speakers.
        let winners: Vec<&str> = a.granted.iter().map(|g| &*g.organisation).collect();
        assert_eq!(
            steps[2],
            json!({"step": "lot_drawn", "pool": "tied_values", "size": 3, "weighting": "uniform",
                   "winners": steps[2]["winners"].clone()})
        );
        let mut drawn: Vec<&str> = steps[2]["winners"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w.as_str().unwrap())
            .collect();
        drawn.sort_unstable();
        assert_eq!(drawn, winners);
        // The loser is cut.
        let loser = ["o0", "o1", "o2"]
            .into_iter()
            .find(|o| !winners.contains(o))
            .unwrap();
        assert_eq!(
            steps[3],
            json!({"step": "time_cut", "window": 2, "kept": 2, "cut": [loser]})
        );
        assert_eq!(speakers(&a).iter().map(|s| s.1).collect::<Vec<_>>(), [1, 1]);
        let waiting: Vec<_> = a.waitlisted.iter().collect();
        assert_eq!(waiting.len(), 1);
        assert_eq!(
            (waiting[0].organisation, waiting[0].reason),
            (loser, WaitReason::Capacity)
        );
        losers.insert(loser);
    }
    // Over 20 seeds, the lot does not always cut the same region.
    assert!(losers.len() > 1, "{losers:?}");
}

/// A window shorter than the floor leaves no one a slot: everyone the policy picked is cut,
/// in its order, and waits `capacity`.
#[test]
fn an_equal_split_window_below_the_floor_cuts_everyone() {
    let session = session(3, &["africa", "asia", "europe"]);
    let a = fcfs(
        json!({"time": {"equal_split": {"window": 2, "floor": 3}}}),
        &session,
        1,
    );
    assert!(a.granted.is_empty());
    assert_eq!(
        steps(&a).last().unwrap(),
        &json!({"step": "time_cut", "window": 2, "kept": 0, "cut": ["o0", "o1", "o2"]})
    );
    for w in &a.waitlisted {
        assert_eq!(w.reason, WaitReason::Capacity);
        assert_eq!(
            w.detail,
            Some("the time window left no minutes for this slot")
        );
    }
    assert_eq!(a.waitlisted.len(), 3);
}

/// The cut starts exactly below f·g: W = f·g keeps every speaker, W = f·g − 1 drops the
/// policy's last pick; the extra minutes go to the earliest speakers in the final order.
#[test]
fn equal_split_cuts_exactly_below_the_floor_times_the_speakers() {
    let session = session(3, &["africa", "asia", "europe"]);
    let split = |window: u32| {
        fcfs(
            json!({"time": {"equal_split": {"window": window, "floor": 3}}}),
            &session,
            1,
        )
    };
    assert_eq!(speakers(&split(9)), [("o0", 3), ("o1", 3), ("o2", 3)]);
    assert_eq!(speakers(&split(8)), [("o0", 4), ("o1", 4)]);
    assert_eq!(speakers(&split(10)), [("o0", 4), ("o1", 3), ("o2", 3)]);
    // With the order reversed by tiers, the extra minute goes to the first to speak.
    let a = fcfs(
        json!({"order": {"tiers": {"category": "region", "values": [["europe"], ["asia"]]}},
               "time": {"equal_split": {"window": 10, "floor": 3}}}),
        &session,
        1,
    );
    assert_eq!(speakers(&a), [("o2", 4), ("o1", 3), ("o0", 3)]);
}

/// A value listed twice is an error naming the second place it is listed, and the first.
#[test]
fn tier_errors_name_the_value() {
    let err = |values: Value| {
        Stages::from_parameters(
            json!({"order": {"tiers": {"category": "class", "values": values}}}),
        )
        .unwrap_err()
    };
    let e = err(json!([["grassroots", "x"], ["y", "grassroots"]]));
    assert_eq!(e.kind(), ErrorKind::DuplicateId);
    assert_eq!(e.field(), "order.tiers.values[1][1]");
    assert_eq!(
        e.to_string(),
        r#"order.tiers.values[1][1]: "grassroots" is listed already at values[0][0]"#
    );
    let e = err(json!([["a", "b", "a"]]));
    assert_eq!(e.field(), "order.tiers.values[0][2]");
    let e = err(json!([["a"], []]));
    assert_eq!(e.kind(), ErrorKind::OutOfRange);
    assert_eq!(e.to_string(), "order.tiers.values[1]: [] is an empty tier");
    assert_eq!(err(json!([])).field(), "order.tiers.values");
    // The same errors through a policy description.
    let e = crate::policy::from_json(json!({"name": "fcfs",
        "order": {"tiers": {"category": "region", "values": [["asia"], ["asia"]]}}}))
    .unwrap_err();
    assert_eq!(e.field(), "order.tiers.values[1][0]");
}

/// Default stages written out are left out of the record, so the allocation is the policy's
/// own, byte for byte.
#[test]
fn default_stages_are_left_out_of_the_record() {
    let session = session(2, &["africa", "asia", "europe"]);
    let explicit = fcfs(json!({"order": "policy", "time": "fixed"}), &session, 5);
    let plain = fcfs(json!({}), &session, 5);
    assert_eq!(explicit.policy.to_string(), r#"{"name":"fcfs"}"#);
    assert_eq!(
        serde_json::to_string(&explicit).unwrap(),
        serde_json::to_string(&plain).unwrap()
    );
}

#[test]
fn a_time_object_names_one_rule() {
    let err = Stages::from_parameters(
        serde_json::json!({"time": {"fixed": 2, "equal_split": {"window": 4, "floor": 1}}}),
    )
    .unwrap_err();
    assert_eq!(err.field(), "time");
    assert!(err.to_string().contains("expected one rule"), "{err}");
}
