//! The Monte Carlo runner: determinism, independence from the number of threads,
//! shards that merge into the full run, common random numbers, and the GCM 2017 preset.

use floorshare::sim::{METRICS, Scenario, Shard, Simulation, SimulationSummary};

const PRESET: &str = include_str!("../examples/scenarios/gcm_2017.json");

/// The preset with few runs (tests run in debug builds).
fn preset(runs: u64) -> Simulation {
    let mut scenario = Scenario::from_json_str(PRESET).unwrap();
    scenario.runs = runs;
    Simulation::new(scenario).unwrap()
}

fn assert_close(a: &SimulationSummary, b: &SimulationSummary, relative: f64) {
    assert_eq!(a.runs, b.runs);
    assert_eq!(a.policies.len(), b.policies.len());
    for (pa, pb) in a.policies.iter().zip(&b.policies) {
        assert_eq!(pa.name, pb.name);
        let pairs = METRICS.iter().flat_map(|&metric| {
            [
                (metric, "value", &pa.metrics[metric], &pb.metrics[metric]),
                (metric, "diff", &pa.diffs[metric], &pb.diffs[metric]),
            ]
        });
        for (metric, kind, x, y) in pairs {
            let metric = format!("{metric} {kind}");
            assert_eq!(x.n, y.n, "{} {metric}", pa.name);
            let close =
                |u: f64, v: f64| (u - v).abs() <= relative * u.abs().max(v.abs()).max(1e-300);
            assert!(
                close(x.mean, y.mean),
                "{} {metric}: {} vs {}",
                pa.name,
                x.mean,
                y.mean
            );
            assert!(
                close(x.m2, y.m2),
                "{} {metric}: m2 {} vs {}",
                pa.name,
                x.m2,
                y.m2
            );
        }
    }
}

#[test]
fn the_preset_is_the_gcm_2017_process() {
    let scenario = Scenario::from_json_str(PRESET).unwrap();
    assert_eq!(scenario.name, "gcm_2017");
    assert_eq!(scenario.sessions.len(), 6);
    let floorshare::sim::Population::Generate(generator) = &scenario.population else {
        panic!("the preset generates its population");
    };
    let regions: Vec<&str> = generator.counts.keys().map(String::as_str).collect();
    assert_eq!(regions, floorshare::model::GCM_REGIONS);
    let mut total = 0;
    for (region, kinds) in &generator.counts {
        let n: u32 = kinds.values().sum();
        assert!((30..=80).contains(&n), "{region}: {n}");
        total += n;
    }
    assert_eq!(total, 400);
    for label in [
        "baseline_2017",
        "regional_balance",
        "grassroots_strict",
        "grassroots_reserved",
        "regional_grassroots_first",
    ] {
        assert!(
            scenario.policies.iter().any(|p| p.label == label),
            "{label}"
        );
    }
    assert!(
        scenario
            .policies
            .iter()
            .any(|p| p.label.ends_with("_spread") || p.label.ends_with("_start"))
    );
}

#[test]
fn same_seed_same_summary_bit_for_bit() {
    let a = preset(12).run_all().unwrap();
    let b = preset(12).run_all().unwrap();
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap()
    );
    let mut other = Scenario::from_json_str(PRESET).unwrap();
    other.runs = 12;
    other.seed += 1;
    let c = Simulation::new(other).unwrap().run_all().unwrap();
    assert_ne!(
        a.policies[0].metrics["grassroots_slot_share"],
        c.policies[0].metrics["grassroots_slot_share"]
    );
}

#[test]
fn shards_merge_into_the_full_run() {
    let simulation = preset(300);
    let full = simulation.run_all().unwrap();
    for count in [2u64, 3, 7] {
        let mut merged: Option<SimulationSummary> = None;
        for index in 0..count {
            let shard = simulation
                .run_shard(Shard { index, count }, |_| {})
                .unwrap();
            assert_eq!(shard.shards.as_ref().unwrap().indices, [index]);
            assert_eq!(shard.total_runs, 300);
            match &mut merged {
                None => merged = Some(shard),
                Some(m) => m.merge(&shard).unwrap(),
            }
        }
        let merged = merged.unwrap();
        assert_eq!(merged.shards, None, "all shards in");
        assert_close(&merged, &full, 1e-9);
    }
    // Through JSON, as the merge command reads them.
    let shard: SimulationSummary = serde_json::from_str(
        &serde_json::to_string(
            &simulation
                .run_shard("1/2".parse().unwrap(), |_| {})
                .unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    let mut merged = simulation
        .run_shard("0/2".parse().unwrap(), |_| {})
        .unwrap();
    merged.merge(&shard).unwrap();
    assert_close(&merged, &full, 1e-9);
}

/// The full run's summary of every metric is that of its runs' values: each one-run shard
/// holds one run's (n, mean, M2), and the whole is worked out here from these by the
/// decomposition of the sum of squares (within runs plus between runs), in two passes. The
/// shards-merge test cannot see a wrong merge formula: the full run merges its runs with the
/// same formula, so both sides would be equally wrong.
#[test]
fn the_full_run_summarises_the_values_of_its_runs() {
    let runs = 40;
    let simulation = preset(runs);
    let full = simulation.run_all().unwrap();
    let shards: Vec<SimulationSummary> = (0..runs)
        .map(|index| {
            simulation
                .run_shard(Shard { index, count: runs }, |_| {})
                .unwrap()
        })
        .collect();
    let mut spread = 0;
    for (p, policy) in full.policies.iter().enumerate() {
        for metric in METRICS {
            let parts: Vec<_> = shards
                .iter()
                .map(|s| s.policies[p].metrics[metric])
                .filter(|m| m.n > 0)
                .collect();
            let n: u64 = parts.iter().map(|m| m.n).sum();
            let whole = policy.metrics[metric];
            assert_eq!(whole.n, n, "{} {metric}", policy.name);
            if n < 2 {
                continue;
            }
            let mean = parts.iter().map(|m| m.n as f64 * m.mean).sum::<f64>() / n as f64;
            let m2 = parts
                .iter()
                .map(|m| m.m2 + m.n as f64 * (m.mean - mean).powi(2))
                .sum::<f64>();
            let close = |u: f64, v: f64| (u - v).abs() <= 1e-9 * u.abs().max(v.abs()).max(1e-12);
            assert!(
                close(whole.mean, mean),
                "{} {metric}: mean {} vs {mean}",
                policy.name,
                whole.mean
            );
            assert!(
                close(whole.m2, m2),
                "{} {metric}: m2 {} vs {m2}",
                policy.name,
                whole.m2
            );
            // The interval is mean ± 1.96·s/√n, s² = M2/(n − 1).
            let half = 1.96 * (m2 / (n - 1) as f64 / n as f64).sqrt();
            let (low, high) = whole.ci95();
            assert!(
                close(low, mean - half) && close(high, mean + half),
                "{} {metric}: {low}, {high}",
                policy.name
            );
            spread += usize::from(m2 > 0.0);
        }
    }
    // Most metrics vary between runs: the comparison of M2 is not one of zeros.
    assert!(spread > full.policies.len() * METRICS.len() / 2, "{spread}");
}

#[test]
fn more_shards_than_runs_still_merge() {
    let simulation = preset(3);
    let full = simulation.run_all().unwrap();
    let mut merged = simulation
        .run_shard("0/7".parse().unwrap(), |_| {})
        .unwrap();
    assert_eq!(merged.runs, 0);
    for index in 1..7 {
        let shard = simulation
            .run_shard(Shard { index, count: 7 }, |_| {})
            .unwrap();
        merged.merge(&shard).unwrap();
    }
    assert_close(&merged, &full, 1e-9);
}

#[test]
fn merging_what_is_not_a_set_of_distinct_shards_is_refused() {
    let simulation = preset(4);
    let a = simulation
        .run_shard("0/2".parse().unwrap(), |_| {})
        .unwrap();
    let b = simulation
        .run_shard("1/2".parse().unwrap(), |_| {})
        .unwrap();
    let refused = |mut x: SimulationSummary, y: &SimulationSummary| {
        x.merge(y).unwrap_err().field().to_string()
    };
    // The same shard twice would count its runs twice.
    assert_eq!(refused(a.clone(), &a), "shards.indices");
    // A full run already holds every run.
    assert_eq!(refused(simulation.run_all().unwrap(), &a), "shards");
    // Shards of another split, another total, another seed or scenario.
    assert_eq!(
        refused(
            a.clone(),
            &preset(4).run_shard("1/3".parse().unwrap(), |_| {}).unwrap()
        ),
        "shards.count"
    );
    assert_eq!(
        refused(
            a.clone(),
            &preset(6).run_shard("1/2".parse().unwrap(), |_| {}).unwrap()
        ),
        "total_runs"
    );
    let mut other = b.clone();
    other.seed += 1;
    assert_eq!(refused(a.clone(), &other), "seed");
    let mut other = b.clone();
    other.scenario = "other".into();
    assert_eq!(refused(a.clone(), &other), "scenario");
    let mut merged = a.clone();
    merged.merge(&b).unwrap();
    assert_eq!((merged.runs, merged.shards), (4, None));
}

#[test]
fn policies_share_the_same_requests() {
    // Common random numbers: the requests are the same for every policy, so the grassroots
    // share of requests is identical, bit for bit, across policies.
    let summary = preset(20).run_all().unwrap();
    let first = &summary.policies[0].metrics["grassroots_request_share"];
    for policy in &summary.policies {
        assert_eq!(
            &policy.metrics["grassroots_request_share"], first,
            "{}",
            policy.name
        );
    }
}

#[test]
fn the_2017_baseline_underserves_the_grassroots() {
    let summary = preset(200).run_all().unwrap();
    let metric = |label: &str, metric: &str| {
        summary
            .policies
            .iter()
            .find(|p| p.name == label)
            .unwrap()
            .metrics[metric]
    };
    let baseline = metric("baseline_2017", "grassroots_slot_share");
    let requests = metric("baseline_2017", "grassroots_request_share");
    // Under the chair's discretion the class gets clearly less than its share of requests.
    assert!(
        baseline.ci95().1 < requests.ci95().0,
        "{baseline:?} vs {requests:?}"
    );
    assert_eq!(
        metric("grassroots_strict", "international_ngo_slot_share").mean,
        0.0
    );
    assert_eq!(metric("baseline_2017", "late_share").mean, 1.0);
    assert_eq!(metric("regional_balance_spread", "late_share").mean, 0.0);
}

#[test]
fn history_is_carried_from_session_to_session() {
    // With one session, every speaker is a first-time speaker; over six sessions, the chair's
    // familiar international NGOs speak again, which only the carried history can tell.
    let mut scenario = Scenario::from_json_str(PRESET).unwrap();
    scenario.runs = 30;
    let six = Simulation::new(scenario.clone())
        .unwrap()
        .run_all()
        .unwrap();
    scenario.sessions.truncate(1);
    let one = Simulation::new(scenario).unwrap().run_all().unwrap();
    for policy in &one.policies {
        assert_eq!(
            policy.metrics["first_time_speaker_share"].mean, 1.0,
            "{}",
            policy.name
        );
    }
    let baseline = &six.policies[0].metrics["first_time_speaker_share"];
    assert!(baseline.mean < 0.99, "{baseline:?}");
}

#[test]
fn scenario_errors_name_the_field() {
    let mut value: serde_json::Value = serde_json::from_str(PRESET).unwrap();
    value["policies"][2]["policy"]["mode"] = serde_json::json!("loud");
    let err = Scenario::from_json_str(&value.to_string()).unwrap_err();
    assert!(err.field().starts_with("policies"), "{err}");
    let mut value: serde_json::Value = serde_json::from_str(PRESET).unwrap();
    value["policies"][1]["label"] = serde_json::json!("baseline_2017");
    let err = Scenario::from_json_str(&value.to_string()).unwrap_err();
    assert_eq!(err.field(), "policies[1].label");
    let mut value: serde_json::Value = serde_json::from_str(PRESET).unwrap();
    value["sessions"][0]["minutes_per_slot"] = serde_json::json!(0);
    let err = Scenario::from_json_str(&value.to_string()).unwrap_err();
    assert_eq!(err.field(), "sessions[0].minutes_per_slot");
    let error = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut value: serde_json::Value = serde_json::from_str(PRESET).unwrap();
        edit(&mut value);
        Scenario::from_json_str(&value.to_string())
            .unwrap_err()
            .field()
            .to_string()
    };
    assert_eq!(
        error(&|v| v["sessions"] = serde_json::json!([])),
        "sessions"
    );
    assert_eq!(
        error(&|v| v["policies"] = serde_json::json!([])),
        "policies"
    );
    assert_eq!(
        error(&|v| v["sessions"][1]["id"] = serde_json::json!("ts1")),
        "sessions[1].id"
    );
    assert_eq!(
        error(&|v| v["sessions"][0]["length_minutes"] = serde_json::json!(0)),
        "sessions[0].length_minutes"
    );
    assert_eq!(
        error(&|v| v["policies"][0]["label"] = serde_json::json!("a,b")),
        "policies[0].label"
    );
    assert_eq!(
        error(&|v| v["behaviour"]["regional_themes"] = serde_json::json!({"pacifc": ["climate"]})),
        "behaviour.regional_themes.pacifc"
    );
    // A typo in a count is an error, not an exhausted memory.
    assert_eq!(
        error(
            &|v| v["population"]["generate"]["counts"]["asia"]["grassroots"] =
                serde_json::json!(4_000_000_000u32)
        ),
        "population"
    );
    assert_eq!(
        error(&|v| v["population"] = serde_json::json!({"organisations": []})),
        "population"
    );
    assert_eq!(error(&|v| v["runs"] = serde_json::json!(0)), "runs");
    assert_eq!(
        error(&|v| v["behaviour"]["joint_statements"] = serde_json::json!({"by": "colour"})),
        "behaviour.joint_statements.by"
    );
    assert_eq!(
        error(&|v| v["behaviour"]["joint_statements"] = serde_json::json!({"bi": "region"})),
        "behaviour.joint_statements.bi"
    );
    let mut value: serde_json::Value = serde_json::from_str(PRESET).unwrap();
    value["behaviour"]["themes_per_organisaton"] = serde_json::json!(2);
    let err = Scenario::from_json_str(&value.to_string()).unwrap_err();
    assert_eq!(err.field(), "behaviour.themes_per_organisaton");
}

#[cfg(feature = "rayon")]
#[test]
fn results_do_not_depend_on_the_number_of_threads() {
    let simulation = preset(600);
    let with = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| simulation.run_all().unwrap())
    };
    let one = serde_json::to_string(&with(1)).unwrap();
    assert_eq!(one, serde_json::to_string(&with(4)).unwrap());
    assert_eq!(one, serde_json::to_string(&with(3)).unwrap());
}

/// A small explicit population: the Pacific's three grassroots organisations (`p1` their
/// focal point) and, unless `pacific_only`, Asia's two international NGOs (`a0` their focal
/// point). Everyone asks in each of three one-slot sessions.
fn focal_points(pacific_only: bool, joint: bool, policies: &str) -> SimulationSummary {
    let mut organisations = vec![
        serde_json::json!({"id": "p0", "region": "pacific", "kind": "grassroots"}),
        serde_json::json!({"id": "p1", "region": "pacific", "kind": "grassroots",
                           "tags": {"focal_point": "true"}}),
        serde_json::json!({"id": "p2", "region": "pacific", "kind": "grassroots"}),
    ];
    if !pacific_only {
        organisations.push(serde_json::json!({"id": "a0", "region": "asia",
            "kind": "international_ngo", "tags": {"focal_point": "true"}}));
        organisations
            .push(serde_json::json!({"id": "a1", "region": "asia", "kind": "international_ngo"}));
    }
    let mut scenario = serde_json::json!({
        "name": "focal_points",
        "population": {"organisations": organisations},
        "sessions": [{"id": "s1", "slots": 1}, {"id": "s2", "slots": 1}, {"id": "s3", "slots": 1}],
        "behaviour": {"ask_probability": {}, "default_ask_probability": 1.0},
        "policies": serde_json::from_str::<serde_json::Value>(policies).unwrap(),
        "runs": 20,
        "seed": 11
    });
    if joint {
        scenario["behaviour"]["joint_statements"] = serde_json::json!({"by": "region"});
    }
    let scenario = Scenario::from_json_str(&scenario.to_string()).unwrap();
    Simulation::new(scenario).unwrap().run_all().unwrap()
}

/// Every value of `metric` for `policy` was `value` (n values, no spread).
fn exactly(summary: &SimulationSummary, policy: &str, metric: &str, value: f64, n: u64) {
    let policy = summary.policies.iter().find(|p| p.name == policy).unwrap();
    let m = &policy.metrics[metric];
    assert_eq!(
        (m.n, m.mean, m.m2),
        (n, value, 0.0),
        "{} {metric}",
        policy.name
    );
}

#[test]
fn one_focal_point_granted_voices_its_whole_region() {
    // One region, one statement per session by p1 on behalf of p0 and p2: whoever decides,
    // the one slot goes to it and all three are voiced, every session.
    let summary = focal_points(
        true,
        true,
        r#"[{"label": "chair", "policy": {"name": "chair_discretion"}},
            {"label": "fcfs", "policy": {"name": "fcfs"}},
            {"label": "regions", "policy": {"name": "regional_balance"}}]"#,
    );
    for policy in ["chair", "fcfs", "regions"] {
        exactly(&summary, policy, "slots_granted", 1.0, 60);
        exactly(&summary, policy, "voice_share", 1.0, 60);
        exactly(&summary, policy, "never_voiced_share", 0.0, 20);
        // The requester was p1 alone, heard every time: never_heard_share keeps counting
        // requesters only.
        exactly(&summary, policy, "never_heard_share", 0.0, 20);
    }
}

#[test]
fn statements_of_two_regions_under_grassroots_priority() {
    // Pacific: p1 on behalf of p0 and p2 (grassroots); Asia: a0 on behalf of a1 (international
    // NGOs). Strict grassroots priority grants the one slot to p1 in every session: 3 of the 5
    // voices heard; a0 and a1 never voiced (2 of 5); of the two requesters, a0 never heard.
    let strict = r#"[{"label": "strict", "policy": {"name": "grassroots_priority"}}]"#;
    let joint = focal_points(false, true, strict);
    exactly(&joint, "strict", "voice_share", 3.0 / 5.0, 60);
    exactly(&joint, "strict", "never_voiced_share", 2.0 / 5.0, 20);
    exactly(&joint, "strict", "never_heard_share", 1.0 / 2.0, 20);
    exactly(&joint, "strict", "grassroots_request_share", 1.0 / 2.0, 60);
    // Without joint statements the five ask on their own: one of five heard per session, and
    // a voice is a slot, so never_voiced_share is never_heard_share, value for value.
    let plain = focal_points(false, false, strict);
    exactly(&plain, "strict", "voice_share", 1.0 / 5.0, 60);
    exactly(&plain, "strict", "grassroots_request_share", 3.0 / 5.0, 60);
    let metrics = &plain.policies[0].metrics;
    assert_eq!(metrics["never_voiced_share"], metrics["never_heard_share"]);
    assert!(metrics["never_heard_share"].mean >= 2.0 / 5.0);
}

#[test]
fn without_joint_statements_a_voice_is_a_slot() {
    // The GCM 2017 preset has no joint statements: never_voiced_share equals
    // never_heard_share, bit for bit, and the voice share is the share of requesters heard
    // (so at most the slots over the requesters, and the same sessions count).
    let summary = preset(30).run_all().unwrap();
    for policy in &summary.policies {
        let m = &policy.metrics;
        assert_eq!(
            m["never_voiced_share"], m["never_heard_share"],
            "{}",
            policy.name
        );
        assert_eq!(m["voice_share"].n, m["slots_granted"].n, "{}", policy.name);
        assert!(m["voice_share"].mean > 0.0 && m["voice_share"].mean < 0.2);
    }
}

#[test]
fn focal_points_by_region_in_the_gcm_preset() {
    // The 2018 practice on the 2017 population: one statement per region and session. The
    // draws are shared by every policy (common random numbers) and each statement carries
    // its region's voices, so more are voiced than heard.
    let mut scenario = Scenario::from_json_str(PRESET).unwrap();
    scenario.runs = 30;
    scenario.behaviour.joint_statements = Some(floorshare::sim::JointStatements::by(
        "region".parse().unwrap(),
    ));
    let joint = Simulation::new(scenario.clone())
        .unwrap()
        .run_all()
        .unwrap();
    let again = Simulation::new(scenario).unwrap().run_all().unwrap();
    assert_eq!(joint, again, "deterministic");
    let first = &joint.policies[0].metrics["grassroots_request_share"];
    let plain = preset(30).run_all().unwrap();
    for (policy, without) in joint.policies.iter().zip(&plain.policies) {
        let m = &policy.metrics;
        assert_eq!(&m["grassroots_request_share"], first, "{}", policy.name);
        assert!(
            m["never_voiced_share"].mean < m["never_heard_share"].mean,
            "{}",
            policy.name
        );
        assert!(
            m["voice_share"].mean > without.metrics["voice_share"].mean,
            "{}",
            policy.name
        );
    }
}

#[test]
fn many_themes_and_organisations_stay_within_memory() {
    // 10 000 organisations and 100 000 themes (half of them one region's own): once every
    // organisation copied its region's themes and the whole theme list in every run (over
    // 12 GB); now a region's themes are held once and a draw costs the themes drawn.
    let themes: Vec<String> = (0..50_000).map(|i| format!("t{i}")).collect();
    let regional: Vec<String> = (0..50_000).map(|i| format!("r{i}")).collect();
    let scenario = serde_json::json!({
        "name": "themes", "runs": 2, "seed": 1,
        "population": {"generate": {"counts": {"asia": {"grassroots": 5000},
                                                "pacific": {"grassroots": 5000}}}},
        "sessions": [{"id": "s1", "slots": 2}],
        "behaviour": {"ask_probability": {"grassroots": 0.01}, "themes": themes,
                      "themes_per_organisation": 3, "regional_themes": {"pacific": regional}},
        "policies": [{"label": "chair", "policy": {"name": "chair_discretion"}}]
    });
    let summary = Simulation::new(Scenario::from_json_str(&scenario.to_string()).unwrap())
        .unwrap()
        .run_all()
        .unwrap();
    let themes = &summary.policies[0].metrics["themes_heard_share"];
    assert!(themes.n > 0 && themes.mean > 0.0, "{themes:?}");
}

#[test]
fn run_counts_and_theme_draws_are_bounded() {
    let mut scenario: serde_json::Value =
        serde_json::from_str(include_str!("../examples/scenarios/gcm_2017.json")).unwrap();
    scenario["runs"] = serde_json::json!(u64::MAX);
    let err = Scenario::from_json_str(&scenario.to_string()).unwrap_err();
    assert_eq!(err.field(), "runs", "{err}");
    scenario["runs"] = serde_json::json!(10);
    scenario["population"]["generate"]["counts"] =
        serde_json::json!({"asia": {"grassroots": 10_000_000}});
    scenario["behaviour"]["regional_themes"] = serde_json::json!({});
    scenario["behaviour"]["themes_per_organisation"] = serde_json::json!(100);
    scenario["behaviour"]["themes"] =
        serde_json::json!((0..100).map(|i| i.to_string()).collect::<Vec<_>>());
    let err = Scenario::from_json_str(&scenario.to_string()).unwrap_err();
    assert_eq!(err.field(), "behaviour.themes_per_organisation", "{err}");
}
