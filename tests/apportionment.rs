//! Apportionment against the 300 reference cases of `tests/fixtures/apportionment.json`
//! (computed with the Python `apportionment` package 1.0, all tie-free), against the same
//! package on the benchmark input, and property tests of every method.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use floorshare::apportion::{Apportionment, MAX_UNITS, Method, apportion};
use floorshare::lot::seeded;
use proptest::prelude::*;
use rand::Rng;

#[derive(serde::Deserialize)]
struct Fixture {
    source: String,
    cases: Vec<Case>,
}

#[derive(serde::Deserialize)]
struct Case {
    weights: Vec<u64>,
    units: u32,
    expected: BTreeMap<String, Vec<u32>>,
}

#[test]
fn every_reference_case_matches() {
    let fixture: Fixture =
        serde_json::from_str(include_str!("fixtures/apportionment.json")).expect("fixture JSON");
    assert!(
        fixture.source.contains("apportionment"),
        "{}",
        fixture.source
    );
    assert_eq!(fixture.cases.len(), 300);
    let mut checked = 0;
    let mut mismatches = Vec::new();
    for (i, case) in fixture.cases.iter().enumerate() {
        let weights: Vec<f64> = case.weights.iter().map(|&w| w as f64).collect();
        for (name, expected) in &case.expected {
            let method: Method = name.parse().expect("a method name");
            let mut rng = seeded(i as u64);
            let got = apportion(method, &weights, case.units, &mut rng).expect("valid case");
            checked += 1;
            let untouched = rng.next_u64() == seeded(i as u64).next_u64();
            if &got.seats != expected || !got.ties.is_empty() || !untouched {
                mismatches.push(format!(
                    "case {i} ({} groups, {} units) {method}: expected {expected:?}, got {:?} \
                     with ties {:?}{}",
                    weights.len(),
                    case.units,
                    got.seats,
                    got.ties,
                    if untouched { "" } else { " (generator used)" }
                ));
            }
        }
    }
    assert_eq!(checked, 184 * 7 + 116 * 4, "cases per method changed");
    assert!(
        mismatches.is_empty(),
        "{} of {checked} results differ:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

/// Python `random.Random(42).randint(1, 10000)` 200 times: the benchmark input of
/// `benches/apportion.rs`, shared
/// with `benches/peers/apportion.py` (which regenerates and checks it).
fn groups_200() -> Vec<f64> {
    serde_json::from_str(include_str!("../benches/peers/groups_200.json")).unwrap()
}

/// `apportionment.methods.compute('saintelague', groups_200, 100)` and `compute(
/// 'largest_remainder', …)` of the Python package 1.0 (identical), one digit per group.
const PEER_200: &str = "\
    0000000101100000110101101110011100100101110011010111100001000111101100010100110101000110001101110000\
    1101111100110000011011111010010101101001010111001011011100110001001010011001110101111110000101101000";

#[test]
fn benchmark_input_matches_the_python_package() {
    let weights: Vec<f64> = groups_200();
    let peer: Vec<u32> = PEER_200.bytes().map(|b| u32::from(b - b'0')).collect();
    assert_eq!(peer.len(), 200);
    for method in [Method::SainteLague, Method::Hamilton] {
        let got = apportion(method, &weights, 100, &mut seeded(0)).unwrap();
        println!("{method}: {:?}", got.seats);
        assert_eq!(got.seats, peer, "{method}");
        assert!(got.ties.is_empty());
    }
    for method in Method::ALL {
        let got = apportion(method, &weights, 100, &mut seeded(0)).unwrap();
        assert_eq!(got.seats.iter().sum::<u32>(), 100, "{method}");
    }
}

// ---------------------------------------------------------------------------------------------
// Properties, with an exact integer oracle for small integer weights.

/// The priority of a group of weight `w` holding `s` units, as a fraction `num/den` (`den = 0`
/// for infinity); squared for Huntington–Hill.
fn priority(method: Method, w: u64, s: u64) -> (u128, u128) {
    let w = u128::from(w);
    let s = u128::from(s);
    match method {
        Method::DHondt => (w, s + 1),
        Method::SainteLague => (w, 2 * s + 1),
        Method::ModifiedSainteLague => (5 * w, if s == 0 { 7 } else { 5 * (2 * s + 1) }),
        Method::HuntingtonHill => (w * w, s * (s + 1)),
        Method::Adams => (w, s),
        Method::Dean => (w * (2 * s + 1), 2 * s * (s + 1)),
        Method::Hamilton => unreachable!(),
        _ => unreachable!("no priority oracle for {method}"),
    }
}

fn cmp_fraction((a, b): (u128, u128), (c, d): (u128, u128)) -> Ordering {
    (a * d).cmp(&(c * b))
}

fn first_unit(method: Method) -> bool {
    matches!(
        method,
        Method::HuntingtonHill | Method::Adams | Method::Dean
    )
}

/// Checks that `result` is a valid outcome of `method` and that a tie is reported exactly when
/// the last unit given and the first unit not given have equal exact priority.
fn check_oracle(method: Method, weights: &[u64], units: u32, result: &Apportionment) {
    let s: Vec<u64> = result.seats.iter().map(|&x| u64::from(x)).collect();
    let n = weights.len();
    if units == 0 {
        assert!(s.iter().all(|&x| x == 0));
        return;
    }
    // (taken, next) keys: the lowest key among units taken, the highest among units not taken.
    let keys: Vec<((u128, u128), (u128, u128))> = if method == Method::Hamilton {
        let total: u64 = weights.iter().sum();
        let u = u64::from(units);
        (0..n)
            .map(|i| {
                let q = weights[i] * u;
                let (floor, rem) = (q / total, q % total);
                // The extra unit is "taken" at key rem; a group without it has next key rem.
                // Groups at floor have taken-key infinity (their units are unconditional).
                assert!(s[i] == floor || s[i] == floor + 1, "quota rule");
                let r = (u128::from(rem), 1);
                if s[i] == floor + 1 {
                    (r, (0, 1))
                } else {
                    ((1, 0), r)
                }
            })
            .collect()
    } else if first_unit(method) && (units as usize) < n {
        (0..n)
            .map(|i| {
                let w = (u128::from(weights[i]), 1);
                if s[i] == 1 { (w, (0, 1)) } else { ((1, 0), w) }
            })
            .collect()
    } else {
        (0..n)
            .map(|i| {
                let taken = if s[i] == 0 {
                    (1, 0)
                } else {
                    priority(method, weights[i], s[i] - 1)
                };
                let taken = if taken.1 == 0 { (1, 0) } else { taken };
                (taken, priority(method, weights[i], s[i]))
            })
            .collect()
    };
    let infinite = |f: (u128, u128)| f.1 == 0;
    let lowest_taken = keys
        .iter()
        .map(|k| k.0)
        .filter(|&f| !infinite(f))
        .min_by(|&a, &b| cmp_fraction(a, b));
    let highest_next = keys
        .iter()
        .map(|k| k.1)
        .filter(|&f| !infinite(f))
        .max_by(|&a, &b| cmp_fraction(a, b));
    let (Some(low), Some(high)) = (lowest_taken, highest_next) else {
        assert!(result.ties.is_empty());
        return;
    };
    match cmp_fraction(low, high) {
        Ordering::Greater => assert!(result.ties.is_empty(), "spurious tie {result:?}"),
        Ordering::Equal => {
            assert_eq!(result.ties.len(), 1, "tie not reported: {result:?}");
            let tie = &result.ties[0];
            let tied: Vec<usize> = (0..n)
                .filter(|&i| {
                    cmp_fraction(keys[i].0, low).is_eq() || cmp_fraction(keys[i].1, low).is_eq()
                })
                .collect();
            assert_eq!(tie.groups, tied);
            let winners: Vec<usize> = (0..n)
                .filter(|&i| cmp_fraction(keys[i].0, low).is_eq())
                .collect();
            assert_eq!(tie.winners, winners);
        }
        Ordering::Less => panic!("{method}: a unit not given outranks one given: {result:?}"),
    }
}

fn weights_strategy() -> impl Strategy<Value = Vec<u64>> {
    prop_oneof![
        // Few distinct values: many ties.
        prop::collection::vec(1u64..=6, 1..10),
        prop::collection::vec(1u64..=1000, 1..25),
        prop::collection::vec(1u64..=1_000_000, 1..40),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn every_method_is_valid_exact_and_deterministic(
        weights in weights_strategy(),
        units in 0u32..80,
        seed in any::<u64>(),
    ) {
        let ws: Vec<f64> = weights.iter().map(|&w| w as f64).collect();
        for method in Method::ALL {
            let result = apportion(method, &ws, units, &mut seeded(seed)).unwrap();
            prop_assert_eq!(result.seats.len(), ws.len());
            prop_assert_eq!(result.seats.iter().sum::<u32>(), units, "{}", method);
            prop_assert!(result.ties.len() <= 1);
            for tie in &result.ties {
                prop_assert!(tie.groups.windows(2).all(|p| p[0] < p[1]));
                prop_assert!(tie.winners.windows(2).all(|p| p[0] < p[1]));
                prop_assert_eq!(tie.winners.len(), tie.units as usize);
                prop_assert!(tie.units >= 1 && (tie.units as usize) < tie.groups.len());
                prop_assert!(tie.winners.iter().all(|w| tie.groups.contains(w)));
            }
            check_oracle(method, &weights, units, &result);
            // Determinism: the same seed gives the same result.
            let again = apportion(method, &ws, units, &mut seeded(seed)).unwrap();
            prop_assert_eq!(&again, &result);
            // Scaling every weight by a power of two changes nothing.
            let scaled: Vec<f64> = ws.iter().map(|w| w * 0.125).collect();
            let same = apportion(method, &scaled, units, &mut seeded(seed)).unwrap();
            prop_assert_eq!(&same, &result);
        }
    }

    #[test]
    fn divisor_methods_are_house_monotone(
        weights in weights_strategy(),
        units in 0u32..80,
        seed in any::<u64>(),
    ) {
        let ws: Vec<f64> = weights.iter().map(|&w| w as f64).collect();
        for method in Method::ALL.into_iter().filter(|&m| m != Method::Hamilton) {
            let small = apportion(method, &ws, units, &mut seeded(seed)).unwrap();
            let large = apportion(method, &ws, units + 1, &mut seeded(seed)).unwrap();
            // Without a tie the smaller house is determined, so the larger one contains it.
            if small.ties.is_empty() {
                prop_assert!(
                    small.seats.iter().zip(&large.seats).all(|(a, b)| a <= b),
                    "{}: {:?} then {:?}", method, small.seats, large.seats
                );
            }
        }
    }

    #[test]
    fn hamilton_stays_within_quota(
        weights in weights_strategy(),
        units in 0u32..200,
    ) {
        let ws: Vec<f64> = weights.iter().map(|&w| w as f64).collect();
        let result = apportion(Method::Hamilton, &ws, units, &mut seeded(1)).unwrap();
        let total: u64 = weights.iter().sum();
        for (&w, &s) in weights.iter().zip(&result.seats) {
            let exact = w * u64::from(units);
            let (floor, ceil) = (exact / total, exact.div_ceil(total));
            prop_assert!(floor <= u64::from(s) && u64::from(s) <= ceil);
        }
    }

    #[test]
    fn real_weights_sum_and_never_panic(
        weights in prop::collection::vec(1e-300f64..1e300, 1..30),
        units in 0u32..=MAX_UNITS,
    ) {
        for method in Method::ALL {
            let result = apportion(method, &weights, units, &mut seeded(3)).unwrap();
            prop_assert_eq!(result.seats.iter().sum::<u32>(), units);
        }
    }
}

#[test]
#[should_panic(expected = "outranks")]
fn the_oracle_rejects_a_wrong_result() {
    // Signposts 7, 3, 7/3, 7/5, 1, 1, …: the fourth unit is 7's.
    let mut result = apportion(Method::SainteLague, &[7.0, 3.0, 1.0], 4, &mut seeded(0)).unwrap();
    assert_eq!(result.seats, [3, 1, 0]);
    result.seats = vec![2, 2, 0];
    check_oracle(Method::SainteLague, &[7, 3, 1], 4, &result);
}

#[test]
#[should_panic(expected = "tie not reported")]
fn the_oracle_requires_ties_to_be_reported() {
    let mut result = apportion(Method::Hamilton, &[1.0, 1.0], 1, &mut seeded(0)).unwrap();
    result.ties.clear();
    check_oracle(Method::Hamilton, &[1, 1], 1, &result);
}
