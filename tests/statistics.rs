//! Statistical promises, over a fixed list of seeds (so the tests are deterministic): a chair
//! with familiarity weight 3 for international NGOs selects them as often as the weighted
//! draw predicts, and more often than their share of the requesters; a capped lottery gives
//! every requesting organisation the same chance of a slot and of the first position.

use std::collections::BTreeMap;

use floorshare::allocation::Allocate;
use floorshare::model::*;
use floorshare::policy::{CappedLottery, ChairDiscretion};

const SEEDS: std::ops::Range<u64> = 0..20_000;

/// 4 international NGOs and 8 grassroots organisations, all asking; a chair granting exactly
/// `picks` slots with familiarity 3 for international NGOs.
fn session(picks: u32) -> CheckedSession {
    let organisations: Vec<Organisation> = (0..12)
        .map(|i| {
            let kind = if i < 4 {
                Kind::InternationalNgo
            } else {
                Kind::Grassroots
            };
            Organisation::new(format!("o{i}"), "r", kind)
        })
        .collect();
    let requests = organisations.iter().map(|o| Request::new(&o.id)).collect();
    let chair = Chair {
        min_slots: picks,
        max_slots: picks,
        familiarity: BTreeMap::from([(Kind::InternationalNgo, 3.0)]),
        ..Chair::default()
    };
    SessionInput::new(
        Session::new("s", 10).with_chair(chair),
        organisations,
        requests,
    )
    .check()
    .unwrap()
}

/// Mean number of international NGOs among the granted, over the seeds, and its standard error.
fn ngo_picks(picks: u32) -> (f64, f64) {
    let session = session(picks);
    let counts: Vec<f64> = SEEDS
        .map(|seed| {
            let allocation = ChairDiscretion::default()
                .allocate_seeded(&session, seed)
                .unwrap();
            assert_eq!(allocation.granted.len(), picks as usize);
            allocation
                .granted
                .iter()
                .filter(|g| g.organisation[1..].parse::<u32>().unwrap() < 4)
                .count() as f64
        })
        .collect();
    let n = counts.len() as f64;
    let mean = counts.iter().sum::<f64>() / n;
    let variance = counts.iter().map(|c| (c - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (variance / n).sqrt())
}

#[test]
fn one_pick_matches_the_weighted_draw() {
    // P(international NGO) = 4·3 / (4·3 + 8·1) = 0.6, against a requester share of 1/3.
    let (rate, se) = ngo_picks(1);
    assert!(
        (rate - 0.6).abs() < 4.0 * se,
        "rate {rate}, standard error {se}"
    );
    assert!(rate > 1.0 / 3.0);
}

#[test]
fn two_picks_without_replacement_match_the_weighted_draw() {
    // First pick: 0.6 NGO. Second: after an NGO, 3·3/(3·3+8) = 9/17; after a grassroots
    // organisation, 12/(12+7) = 12/19. Expected NGOs among the two picks:
    let expected = 0.6 + 0.6 * 9.0 / 17.0 + 0.4 * 12.0 / 19.0;
    let (mean, se) = ngo_picks(2);
    assert!(
        (mean - expected).abs() < 4.0 * se,
        "mean {mean}, expected {expected}, se {se}"
    );
    // chair_discretion's promise: a larger share of the slots than of the requesters.
    assert!(mean / 2.0 > 4.0 / 12.0);
}

#[test]
fn capped_lottery_gives_every_requester_the_same_chance() {
    // 10 inscribed for 3 slots (the HRC draws 13 of more than 13 States): each organisation
    // should get a slot with probability 3/10 and speak first with probability 1/10.
    let n = 10usize;
    let slots = 3u32;
    let organisations: Vec<Organisation> = (0..n)
        .map(|i| Organisation::new(format!("o{i}"), "r", Kind::Other))
        .collect();
    let requests = organisations.iter().map(|o| Request::new(&o.id)).collect();
    let session = SessionInput::new(Session::new("upr", slots), organisations, requests)
        .check()
        .unwrap();
    let mut granted = vec![0u32; n];
    let mut first = vec![0u32; n];
    for seed in SEEDS {
        let allocation = CappedLottery.allocate_seeded(&session, seed).unwrap();
        assert_eq!(allocation.granted.len(), slots as usize);
        for (i, g) in allocation.granted.iter().enumerate() {
            let o: usize = g.organisation[1..].parse().unwrap();
            granted[o] += 1;
            if i == 0 {
                first[o] += 1;
            }
        }
    }
    let runs = SEEDS.end as f64;
    for (counts, p) in [
        (&granted, f64::from(slots) / n as f64),
        (&first, 1.0 / n as f64),
    ] {
        // Each count is binomial(runs, p): within 4 standard errors of runs·p.
        let se = (runs * p * (1.0 - p)).sqrt();
        for (o, &c) in counts.iter().enumerate() {
            assert!(
                (f64::from(c) - runs * p).abs() < 4.0 * se,
                "o{o}: {c} of {runs} runs, expected {} ± {}",
                runs * p,
                4.0 * se
            );
        }
    }
}
