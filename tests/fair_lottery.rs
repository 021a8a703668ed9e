//! `fair_lottery` against brute force on small pools: every panel meets every quota, the
//! probabilities are the panels' frequencies and sum to the slots granted, the certified
//! bound is at least the exact maximin optimum (every feasible panel enumerated, the maximin
//! linear programme solved over them) and the achieved minimum is close to it; infeasible
//! quotas are exactly those no panel meets. Then the draw itself (empirical frequencies over
//! seeds match the reported probabilities) and fairness over a process (a lower Gini of
//! slots than fresh draws).

use std::collections::BTreeMap;

use floorshare::allocation::Allocate;
use floorshare::decision::Decision;
use floorshare::fair::simplex::{Lp, Relation, Row, Status};
use floorshare::lot;
use floorshare::policy::{self, Policy};
use floorshare::sim::{Scenario, Simulation};
use floorshare::{Error, ErrorKind};
use proptest::prelude::*;
use serde_json::{Value, json};

const REGIONS: [&str; 3] = ["east", "north", "south"];
const KINDS: [&str; 3] = ["academia", "grassroots", "international_ngo"];
const GENDERS: [&str; 2] = ["f", "m"];
const CATEGORIES: [&str; 3] = ["region", "kind", "tag:gender"];

/// A value's least and most seats, when named.
type Bounds = (Option<u32>, Option<u32>);

/// A small pool: organisation i has (region, kind, gender) and slots in the history.
#[derive(Debug, Clone)]
struct Pool {
    organisations: Vec<([usize; 3], u32)>,
    slots: u32,
    /// Per quota: its category (index into CATEGORIES) and per value (min, max) if named.
    quotas: Vec<(usize, Vec<Bounds>)>,
    leximin: bool,
    process: bool,
}

fn values(category: usize) -> &'static [&'static str] {
    match category {
        0 => &REGIONS,
        1 => &KINDS,
        _ => &GENDERS,
    }
}

impl Pool {
    fn document(&self, seed: u64) -> Value {
        let organisations: Vec<Value> = self
            .organisations
            .iter()
            .enumerate()
            .map(|(i, (v, _))| {
                json!({"id": format!("o{i}"), "region": REGIONS[v[0]], "kind": KINDS[v[1]],
                       "tags": {"gender": GENDERS[v[2]]}})
            })
            .collect();
        let requests: Vec<Value> = (0..self.organisations.len())
            .map(|i| json!({"organisation": format!("o{i}")}))
            .collect();
        let history: Vec<Value> = self
            .organisations
            .iter()
            .enumerate()
            .filter(|(_, (_, h))| *h > 0)
            .map(|(i, (_, h))| {
                json!({"organisation": format!("o{i}"), "slots": h, "minutes": 3 * h,
                       "last_session": 0})
            })
            .collect();
        let quotas: Vec<Value> = self
            .quotas
            .iter()
            .map(|(c, bounds)| {
                let mut min = serde_json::Map::new();
                let mut max = serde_json::Map::new();
                for (v, (lo, hi)) in bounds.iter().enumerate() {
                    if let Some(lo) = lo {
                        min.insert(values(*c)[v].into(), json!(lo));
                    }
                    if let Some(hi) = hi {
                        max.insert(values(*c)[v].into(), json!(hi));
                    }
                }
                json!({"category": CATEGORIES[*c], "min": min, "max": max})
            })
            .collect();
        json!({
            "session": {"id": "s", "slots": self.slots, "index": 1},
            "organisations": organisations,
            "requests": requests,
            "history": history,
            "policy": {"name": "fair_lottery", "quotas": quotas,
                       "objective": if self.leximin { "leximin" } else { "maximin" },
                       "process": self.process},
            "seed": seed
        })
    }

    fn k(&self) -> usize {
        (self.slots as usize).min(self.organisations.len())
    }

    /// Whether the organisations `panel` (indices) meet every quota.
    fn meets_quotas(&self, panel: &[usize]) -> bool {
        self.quotas.iter().all(|(c, bounds)| {
            bounds.iter().enumerate().all(|(v, &(lo, hi))| {
                let count = panel
                    .iter()
                    .filter(|&&i| self.organisations[i].0[*c] == v)
                    .count() as u32;
                lo.is_none_or(|lo| count >= lo) && hi.is_none_or(|hi| count <= hi)
            })
        })
    }

    /// By how many units `panel` misses the quotas (0 when it meets them).
    fn shortfall(&self, panel: &[usize]) -> u32 {
        self.quotas
            .iter()
            .map(|(c, bounds)| {
                bounds
                    .iter()
                    .enumerate()
                    .map(|(v, &(lo, hi))| {
                        let count = panel
                            .iter()
                            .filter(|&&i| self.organisations[i].0[*c] == v)
                            .count() as u32;
                        lo.map_or(0, |lo| lo.saturating_sub(count))
                            + hi.map_or(0, |hi| count.saturating_sub(hi))
                    })
                    .sum::<u32>()
            })
            .sum()
    }

    /// The panels of k organisations that miss the quotas by the fewest units, and that
    /// number (0: the quota-feasible panels).
    fn closest_panels(&self) -> (u32, Vec<Vec<usize>>) {
        let n = self.organisations.len();
        let k = self.k();
        let mut panels = Vec::new();
        let mut panel = Vec::with_capacity(k);
        let mut best = u32::MAX;
        fn walk(
            pool: &Pool,
            from: usize,
            (n, k): (usize, usize),
            panel: &mut Vec<usize>,
            best: &mut u32,
            out: &mut Vec<Vec<usize>>,
        ) {
            if panel.len() == k {
                let short = pool.shortfall(panel);
                if short < *best {
                    *best = short;
                    out.clear();
                }
                if short == *best {
                    out.push(panel.clone());
                }
                return;
            }
            for i in from..n {
                panel.push(i);
                walk(pool, i + 1, (n, k), panel, best, out);
                panel.pop();
            }
        }
        walk(self, 0, (n, k), &mut panel, &mut best, &mut panels);
        (best, panels)
    }

    /// The exact maximin optimum over every feasible panel: max z such that some lottery
    /// gives everyone history + probability ≥ z.
    fn exact_maximin(&self, panels: &[Vec<usize>]) -> f64 {
        let n = self.organisations.len();
        let z = panels.len();
        let history = |i: usize| {
            f64::from(if self.process {
                self.organisations[i].1
            } else {
                0
            })
        };
        let mut rows: Vec<Row> = (0..n)
            .map(|i| {
                let mut terms: Vec<(usize, f64)> = panels
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| p.contains(&i))
                    .map(|(j, _)| (j, 1.0))
                    .collect();
                terms.push((z, -1.0));
                Row::new(terms, Relation::Ge, -history(i))
            })
            .collect();
        rows.push(Row::new(
            (0..z).map(|j| (j, 1.0)).collect(),
            Relation::Eq,
            1.0,
        ));
        let mut bounds = vec![(0.0, 1.0); z];
        bounds.push((0.0, 1.0 + (0..n).map(history).fold(0.0, f64::max)));
        let mut objective = vec![0.0; z];
        objective.push(1.0);
        let mut lp = Lp::new(rows, bounds, objective);
        assert_eq!(lp.solve(), Status::Optimal);
        lp.objective()
    }
}

fn pool() -> impl Strategy<Value = Pool> {
    let organisation =
        ((0..3usize, 0..3usize, 0..2usize), 0u32..3).prop_map(|((r, k, g), h)| ([r, k, g], h));
    let bound = prop_oneof![Just(None), (0u32..3).prop_map(Some)];
    let quota = (0..3usize).prop_flat_map(move |c| {
        (
            Just(c),
            prop::collection::vec((bound.clone(), bound.clone()), values(c).len()),
        )
    });
    (
        prop::collection::vec(organisation, 0..10),
        0u32..6,
        prop::collection::vec(quota, 0..3),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(organisations, slots, quotas, leximin, process)| {
            // One quota per category; a maximum below its minimum is raised to it.
            let mut seen = [false; 3];
            let quotas = quotas
                .into_iter()
                .filter(|(c, _)| !std::mem::replace(&mut seen[*c], true))
                .map(|(c, bounds)| {
                    let bounds = bounds
                        .into_iter()
                        .map(|(lo, hi)| (lo, hi.map(|hi| hi.max(lo.unwrap_or(0)))))
                        .collect();
                    (c, bounds)
                })
                .collect();
            Pool {
                organisations,
                slots,
                quotas,
                leximin,
                process,
            }
        })
}

/// Decides `document`, keeping the decision (its lottery's panels).
fn decide(document: Value) -> Result<(Decision, floorshare::allocation::Allocation), Error> {
    let input = floorshare::interchange::AllocationInput::from_json(document)?;
    let mut decision = Decision::new();
    let allocation = input.decide(&mut decision)?;
    Ok((decision, allocation))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn fair_lottery_meets_quotas_and_certifies_its_minimum(pool in pool(), seed in any::<u64>()) {
        let (missed_by, panels) = pool.closest_panels();
        let result = decide(pool.document(seed));
        let (decision, allocation) = match result {
            Err(err) => {
                // Infeasible exactly when no panel meets the quotas, and the smallest
                // relaxation is by as many units as the closest panel misses them.
                prop_assert_eq!(err.kind(), ErrorKind::Infeasible, "{}", err);
                prop_assert!(missed_by > 0, "{} but feasible panels exist", err);
                let message = err.to_string();
                prop_assert!(message.starts_with("policy.quotas["), "{}", message);
                let expected = format!("the smallest relaxation that meets them, {missed_by} unit(s): ");
                prop_assert!(message.contains(&expected), "{} (expected {} units)", message, missed_by);
                return Ok(());
            }
            Ok(decided) => decided,
        };
        prop_assert_eq!(missed_by, 0);
        let k = pool.k();
        let n = pool.organisations.len();
        let index = |id: &str| id[1..].parse::<usize>().unwrap();
        let lottery = decision.lottery().expect("a fair lottery reports its lottery");
        let record = allocation.lottery.as_ref().unwrap();
        prop_assert_eq!(record.panels as usize, lottery.panels());
        // Every panel meets every quota and has k members; the probabilities are the panels'
        // frequencies.
        let mut seats = vec![0u32; n];
        for i in 0..lottery.panels() {
            let panel: Vec<usize> = lottery.panel(i).iter().map(|&r| r as usize).collect();
            prop_assert_eq!(panel.len(), k);
            prop_assert!(pool.meets_quotas(&panel), "panel {:?}", panel);
            for &o in &panel {
                seats[o] += 1;
            }
        }
        let m = lottery.panels() as f64;
        prop_assert_eq!(record.probabilities.len(), n);
        let mut total = 0.0;
        for (id, &p) in &record.probabilities {
            prop_assert!((p - f64::from(seats[index(id)]) / m).abs() < 1e-12);
            total += p;
        }
        prop_assert!((total - k as f64).abs() < 1e-9, "sum {} for k {}", total, k);
        // The drawn panel is the granted set.
        let drawn: Vec<usize> = lottery.panel(record.drawn_panel as usize).iter().map(|&r| r as usize).collect();
        let mut granted: Vec<usize> = allocation.granted.iter().map(|g| g.request as usize).collect();
        granted.sort_unstable();
        prop_assert_eq!(granted, drawn);
        // The reported minimum is the least (history +) probability; the bound bounds it and
        // the exact optimum over every feasible panel.
        let history = |i: usize| f64::from(if pool.process { pool.organisations[i].1 } else { 0 });
        let least = (0..n)
            .map(|i| history(i) + record.probabilities[format!("o{i}").as_str()])
            .fold(f64::INFINITY, f64::min);
        if n == 0 {
            return Ok(());
        }
        prop_assert!((record.minimum_probability - least).abs() < 1e-9);
        prop_assert!(record.minimum_probability <= record.certified_upper_bound + 1e-9);
        let optimum = pool.exact_maximin(&panels);
        prop_assert!(optimum <= record.certified_upper_bound + 1e-7,
            "bound {} below the exact optimum {}", record.certified_upper_bound, optimum);
        // With one or two categories the relaxation is exact; with three it may be loose, and
        // the minimum is still close to the true optimum.
        let tolerance = if pool.quotas.len() <= 2 { 0.99 } else { 0.95 };
        prop_assert!(record.minimum_probability >= tolerance * optimum - 1e-9,
            "minimum {} against the optimum {} (bound {})",
            record.minimum_probability, optimum, record.certified_upper_bound);
    }
}

/// A fixed pool of 12: 2 slots, a region quota and a class quota.
fn fixed_document(seed: u64) -> Value {
    let mut organisations = Vec::new();
    for i in 0..12 {
        organisations.push(json!({"id": format!("o{i:02}"), "region": REGIONS[i % 3],
            "kind": KINDS[(i / 3) % 3]}));
    }
    let requests: Vec<Value> = (0..12)
        .map(|i| json!({"organisation": format!("o{i:02}")}))
        .collect();
    json!({
        "session": {"id": "s", "slots": 3},
        "organisations": organisations,
        "requests": requests,
        "policy": {"name": "fair_lottery", "quotas": [
            {"category": "region", "min": {"south": 1}, "max": {"north": 1}},
            {"category": "class", "min": {"grassroots": 1}}]},
        "seed": seed
    })
}

#[test]
fn empirical_frequencies_over_seeds_match_the_reported_probabilities() {
    let input = floorshare::interchange::AllocationInput::from_json(fixed_document(0)).unwrap();
    let policy = &input.policy;
    let session = &input.session;
    let first = policy.allocate_seeded(session, 0).unwrap();
    let probabilities = first.lottery.clone().unwrap().probabilities;
    const DRAWS: u64 = 4_000;
    let mut hits: BTreeMap<String, u64> = BTreeMap::new();
    let mut decision = Decision::new();
    for seed in 0..DRAWS {
        policy
            .decide(session, &mut lot::seeded(seed), &mut decision)
            .unwrap();
        for pick in decision.picks() {
            let org = session.organisation_of(pick.request as usize);
            *hits
                .entry(session.roster().id(org).to_string())
                .or_default() += 1;
        }
    }
    // Each organisation's count is binomial(DRAWS, p): within 4.5 standard deviations, and a
    // chi-square over all organisations below its 99.9% point for 11 degrees of freedom.
    let mut chi_square = 0.0;
    for (id, &p) in &probabilities {
        let observed = *hits.get(&**id).unwrap_or(&0) as f64;
        let expected = p * DRAWS as f64;
        let sd = (DRAWS as f64 * p * (1.0 - p)).sqrt();
        assert!(
            (observed - expected).abs() <= 4.5 * sd.max(0.5),
            "{id}: {observed} drawn, {expected} expected"
        );
        if expected > 0.0 {
            chi_square += (observed - expected).powi(2) / expected;
        }
    }
    assert!(chi_square < 31.3, "chi-square {chi_square}");
    // A quarter of the slots cannot be fair to all twelve: the quotas make it uneven, and the
    // least chance still reaches the bound.
    let record = first.lottery.unwrap();
    assert!(record.minimum_probability >= 0.99 * record.certified_upper_bound);
}

#[test]
fn without_quotas_everyone_has_k_over_n_and_everyone_fits_draws_nothing() {
    let mut document = fixed_document(5);
    document["policy"]["quotas"] = json!([]);
    let (_, allocation) = decide(document.clone()).unwrap();
    let record = allocation.lottery.unwrap();
    for (id, p) in &record.probabilities {
        assert!((p - 0.25).abs() <= 0.0025, "{id}: {p}");
    }
    assert!((record.certified_upper_bound - 0.25).abs() < 1e-9);

    document["session"]["slots"] = json!(12);
    let (decision, allocation) = decide(document).unwrap();
    assert_eq!(allocation.granted.len(), 12);
    let record = allocation.lottery.unwrap();
    assert_eq!((record.panels, record.drawn_panel), (1, 0));
    assert!(record.probabilities.values().all(|&p| p == 1.0));
    assert_eq!(decision.lottery().unwrap().panel(0).len(), 12);
    let steps = serde_json::to_value(&allocation.steps).unwrap();
    assert_eq!(steps[0]["rule"], "everyone_fits");
}

#[test]
fn infeasible_quotas_are_one_line_naming_the_quota() {
    let mut document = fixed_document(1);
    // Two from the north at least, but the north may have one at most.
    document["policy"]["quotas"][0]["min"]["north"] = json!(2);
    document["policy"]["quotas"][0]["max"]["north"] = json!(2);
    document["policy"]["quotas"][0]["max"]["east"] = json!(0);
    document["policy"]["quotas"][1]["min"]["grassroots"] = json!(3);
    let err = decide(document).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Infeasible);
    // Three slots: exactly two from the north, one from the south, none from the east; and
    // three grassroots — but the grassroots are o03 (east), o04 (north) and o05 (south). One
    // unit fixes it: two grassroots instead of three.
    assert_eq!(
        err.to_string(),
        "policy.quotas[1]: \"class\" cannot be met together with policy.quotas[0]; the \
         smallest relaxation that meets them, 1 unit(s): policy.quotas[1].min.grassroots from 3 \
         to 2"
    );
}

#[test]
fn bad_parameters_name_their_field() {
    let err = |policy: Value| policy::from_json(policy).unwrap_err();
    let e = err(json!({"name": "fair_lottery", "quotas": [
        {"category": "region"}, {"category": "region"}]}));
    assert_eq!(
        (e.field(), e.kind()),
        ("quotas[1].category", ErrorKind::DuplicateId)
    );
    let e = err(json!({"name": "fair_lottery", "quotas": [
        {"category": "region", "min": {"south": 3}, "max": {"south": 2}}]}));
    assert_eq!(e.field(), "quotas[0].max.south");
    let e = err(json!({"name": "fair_lottery", "objective": "nash"}));
    assert_eq!(e.field(), "objective");
    let e = err(json!({"name": "fair_lottery", "quotas": [{"category": "region", "mni": {}}]}));
    assert_eq!(e.kind(), ErrorKind::UnknownField);
    let e = err(json!({"name": "fair_lottery", "quotas": [{"category": "gender"}]}));
    assert_eq!(e.field(), "quotas[0].category");
}

#[test]
fn process_fairness_favours_those_heard_least_so_far() {
    let mut document = fixed_document(2);
    document["policy"]["quotas"] = json!([]);
    document["policy"]["process"] = json!(true);
    document["session"]["index"] = json!(3);
    document["history"] = json!([
        {"organisation": "o00", "slots": 2, "minutes": 6, "last_session": 2},
        {"organisation": "o01", "slots": 1, "minutes": 3, "last_session": 1}]);
    let (_, allocation) = decide(document).unwrap();
    let record = allocation.lottery.unwrap();
    let p = |id: &str| record.probabilities[id];
    // Three slots among twelve: the ten never heard share them first.
    assert!(p("o00") <= 1e-9, "{}", p("o00"));
    assert!(p("o01") <= 1e-9, "{}", p("o01"));
    assert!((p("o05") - 0.3).abs() < 0.003, "{}", p("o05"));
    // Over the process, the least expected slots are the ten's 0.3.
    assert!((record.certified_upper_bound - 0.3).abs() < 1e-6);
}

#[test]
fn process_fairness_lowers_the_gini_of_slots_over_a_process() {
    // 24 organisations, 3 slots in each of 8 sessions, everyone asks: fresh draws give some
    // two or three slots while others get none; process fairness evens it out.
    let organisations: Vec<Value> = (0..24)
        .map(|i| json!({"id": format!("o{i}"), "region": REGIONS[i % 3], "kind": KINDS[i % 3]}))
        .collect();
    let sessions: Vec<Value> = (0..8)
        .map(|i| json!({"id": format!("s{i}"), "slots": 3}))
        .collect();
    let quotas = json!([{"category": "region", "min": {"east": 1, "north": 1, "south": 1}}]);
    let scenario = json!({
        "name": "process_fairness",
        "population": {"organisations": organisations},
        "sessions": sessions,
        "behaviour": {"ask_probability": {}, "default_ask_probability": 1.0},
        "policies": [
            {"label": "fresh", "policy": {"name": "fair_lottery", "quotas": quotas}},
            {"label": "process", "policy": {"name": "fair_lottery", "quotas": quotas,
                                            "process": true}}],
        "runs": 40,
        "seed": 5
    });
    let scenario = Scenario::from_json_str(&scenario.to_string()).unwrap();
    let summary = Simulation::new(scenario).unwrap().run_all().unwrap();
    let gini = |label: &str| {
        let policy = summary.policies.iter().find(|p| p.name == label).unwrap();
        policy.metrics["gini_slots"].mean
    };
    let (fresh, process) = (gini("fresh"), gini("process"));
    // 24 slots among 24 over the process: process fairness gives everyone exactly one.
    assert!(process < 1e-9, "process {process}");
    assert!(fresh > 0.2, "fresh {fresh}");
}

#[test]
fn many_slots_keep_the_panel_list_bounded() {
    // 3 000 organisations, 1 500 slots: the panel list holds at most 16 million seats.
    let organisations: Vec<Value> = (0..3000)
        .map(|i| json!({"id": format!("o{i}"), "region": REGIONS[i % 3], "kind": KINDS[(i / 3) % 3]}))
        .collect();
    let requests: Vec<Value> = (0..3000)
        .map(|i| json!({"organisation": format!("o{i}")}))
        .collect();
    let document = json!({
        "session": {"id": "s", "slots": 1500},
        "organisations": organisations,
        "requests": requests,
        "policy": {"name": "fair_lottery", "quotas": [
            {"category": "region", "min": {"east": 600}},
            {"category": "class", "max": {"grassroots": 400}}]},
        "seed": 3
    });
    let (decision, allocation) = decide(document).unwrap();
    let lottery = decision.lottery().unwrap();
    assert!(
        lottery.panels() * 1500 <= 16_000_000,
        "{}",
        lottery.panels()
    );
    let record = allocation.lottery.unwrap();
    assert!(
        record.minimum_probability >= 0.99 * record.certified_upper_bound,
        "{} of {}",
        record.minimum_probability,
        record.certified_upper_bound
    );
    assert_eq!(allocation.granted.len(), 1500);
}
