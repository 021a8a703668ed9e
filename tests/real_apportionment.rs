//! The real published apportionments of `tests/fixtures/real_apportionment.json`, each computed
//! as its `rule` says: the US House 2020 (Huntington–Hill) with the Census Bureau's close-call
//! margins, the 1930 House by Webster with the one-seat floor, the Bundestag 2025
//! (Sainte-Laguë), four Dutch bodies under 19 seats (Hare quota, 75% threshold for remainder
//! seats, then D'Hondt) and the Roermond 2026 council, whose last seat was a tie decided by an
//! official drawing of lots.

use floorshare::apportion::{
    Group, LotSource, Method, Options, apportion, apportion_labelled, apportion_with,
};
use floorshare::lot::seeded;

#[derive(serde::Deserialize)]
struct Fixture {
    cases: Vec<Case>,
}

#[derive(serde::Deserialize)]
struct Case {
    id: String,
    method: Method,
    units: u32,
    labels: Vec<String>,
    weights: Vec<f64>,
    expected: Vec<u32>,
    rule: String,
    #[serde(default)]
    min_units: u32,
}

fn cases() -> Vec<Case> {
    let fixture: Fixture =
        serde_json::from_str(include_str!("fixtures/real_apportionment.json")).expect("JSON");
    assert_eq!(fixture.cases.len(), 12);
    fixture.cases
}

fn case(id: &str) -> Case {
    cases()
        .into_iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no case {id}"))
}

/// The labelled groups of a case, with its floor.
fn groups(case: &Case) -> Vec<(String, Group)> {
    case.labels
        .iter()
        .zip(&case.weights)
        .map(|(l, &w)| (l.clone(), Group::new(w).at_least(case.min_units)))
        .collect()
}

/// The options the case's rule names.
fn options(case: &Case) -> Options {
    if case.rule.contains("Kieswet art. P 8") {
        Options::dutch_small_body()
    } else {
        Options::default()
    }
}

/// Compares label by label, naming every difference.
fn assert_matches(case: &Case, got: &[(String, u32)]) {
    let diffs: Vec<String> = case
        .labels
        .iter()
        .zip(&case.expected)
        .zip(got)
        .filter(|((_, e), (_, g))| e != &g)
        .map(|((l, e), (_, g))| format!("{l}: published {e}, got {g}"))
        .collect();
    assert!(diffs.is_empty(), "{}: {diffs:?}", case.id);
    assert_eq!(got.iter().map(|(_, s)| s).sum::<u32>(), case.units);
}

#[test]
fn every_case_without_a_tie_matches_state_by_state() {
    let mut checked = 0;
    for case in cases() {
        if case.rule.contains("drawing of lots") {
            continue;
        }
        let mut rng = seeded(1);
        let got = apportion_labelled(
            case.method,
            &groups(&case),
            case.units,
            &options(&case),
            &mut rng,
        )
        .unwrap_or_else(|e| panic!("{}: {e}", case.id));
        assert!(got.ties.is_empty(), "{}: {:?}", case.id, got.ties);
        assert_matches(&case, &got.seats);
        checked += 1;
    }
    assert_eq!(checked, 11);
}

#[test]
fn us_house_2020_close_calls_move_seat_435_between_new_york_and_minnesota() {
    let base = case("us_house_2020");
    let ny = base.labels.iter().position(|l| l == "New York").unwrap();
    let mn = base.labels.iter().position(|l| l == "Minnesota").unwrap();
    for (id, moves) in [
        ("us_house_2020_NewYork+88", false),
        ("us_house_2020_NewYork+89", true),
        ("us_house_2020_Minnesota-25", false),
        ("us_house_2020_Minnesota-26", true),
    ] {
        let c = case(id);
        let got = apportion(c.method, &c.weights, c.units, &mut seeded(0)).unwrap();
        assert_eq!(got.seats, c.expected, "{id}");
        assert_eq!(got.seats[ny], if moves { 27 } else { 26 }, "{id}");
        assert_eq!(got.seats[mn], if moves { 7 } else { 8 }, "{id}");
    }
}

#[test]
fn us_house_1930_needs_the_one_seat_floor() {
    let c = case("us_house_1930_webster_min1");
    assert_eq!(c.min_units, 1);
    // Without the floor Webster gives Nevada nothing (and Wisconsin its seat).
    let plain = apportion(Method::SainteLague, &c.weights, c.units, &mut seeded(0)).unwrap();
    let nevada = c.labels.iter().position(|l| l == "Nevada").unwrap();
    assert_eq!(plain.seats[nevada], 0);
    assert_ne!(plain.seats, c.expected);
    let floored: Vec<Group> = c
        .weights
        .iter()
        .map(|&w| Group::new(w).at_least(1))
        .collect();
    let got = apportion_with(
        Method::SainteLague,
        &floored,
        c.units,
        &Options::default(),
        &mut seeded(0),
    )
    .unwrap();
    assert_eq!(got.seats, c.expected);
}

#[test]
fn dutch_bodies_need_the_threshold() {
    for c in cases()
        .into_iter()
        .filter(|c| c.rule.contains("Kieswet art. P 8"))
    {
        let groups: Vec<Group> = c.weights.iter().map(|&w| Group::new(w)).collect();
        let got = apportion_with(
            Method::Hamilton,
            &groups,
            c.units,
            &Options::dutch_small_body(),
            &mut seeded(0),
        )
        .unwrap();
        assert_eq!(got.seats, c.expected, "{}", c.id);
        assert!(got.ties.is_empty());
    }
}

#[test]
fn roermond_2026_last_seat_is_the_tie_decided_by_the_official_lot() {
    let c = case("nl_GR_20260318_Roermond G0957");
    let groups = groups(&c);
    let cda = c.labels.iter().position(|l| l == "CDA").unwrap();
    let pvdd = c
        .labels
        .iter()
        .position(|l| l == "Partij voor de Dieren")
        .unwrap();
    // Without the official outcome, the tie is reported and drawn with the generator.
    for seed in 0..20 {
        let drawn = apportion_labelled(
            c.method,
            &groups,
            c.units,
            &Options::default(),
            &mut seeded(seed),
        )
        .unwrap();
        assert_eq!(drawn.ties.len(), 1);
        let tie = &drawn.ties[0];
        assert_eq!(tie.groups, [cda, pvdd]);
        assert_eq!(tie.units, 1);
        assert_eq!(tie.lot, LotSource::Seeded);
    }
    // With it, the published result, and the generator untouched.
    let official = Options::new()
        .lot_labels(&groups, &["Partij voor de Dieren".to_string()])
        .unwrap();
    let mut rng = seeded(5);
    let got = apportion_labelled(c.method, &groups, c.units, &official, &mut rng).unwrap();
    assert_matches(&c, &got.seats);
    assert_eq!(got.ties[0].winners, [pvdd]);
    assert_eq!(got.ties[0].lot, LotSource::Supplied);
    assert_eq!(
        got.labels(&got.ties[0].winners),
        [&"Partij voor de Dieren".to_string()]
    );
    use rand::Rng;
    assert_eq!(rng.next_u64(), seeded(5).next_u64());
    // The other outcome of the drawing gives the seat to the CDA.
    let other = Options::new().lot([cda]);
    let got = apportion_labelled(c.method, &groups, c.units, &other, &mut seeded(5)).unwrap();
    assert_eq!(got.get(&"CDA".to_string()), Some(3));
    assert_eq!(got.get(&"Partij voor de Dieren".to_string()), Some(0));
}
