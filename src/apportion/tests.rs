use super::*;
use crate::lot::seeded;

const REGIONS: [f64; 7] = [5100.0, 3900.0, 2200.0, 1800.0, 900.0, 700.0, 300.0];

fn run(method: Method, weights: &[f64], units: u32) -> Apportionment {
    let mut rng = seeded(1);
    apportion(method, weights, units, &mut rng).unwrap()
}

/// Runs with a seeded generator and tells whether the generator was used.
fn run_seed(method: Method, weights: &[f64], units: u32, seed: u64) -> (Apportionment, bool) {
    let mut rng = seeded(seed);
    let result = apportion(method, weights, units, &mut rng).unwrap();
    let touched = rng.next_u64() != seeded(seed).next_u64();
    (result, touched)
}

fn seats(method: Method, weights: &[f64], units: u32) -> Vec<u32> {
    let (result, touched) = run_seed(method, weights, units, 5);
    assert!(
        result.ties.is_empty(),
        "{method} {weights:?} {units}: {result:?}"
    );
    assert!(!touched, "{method}: no tie, yet the generator was used");
    result.seats
}

#[test]
fn names_round_trip_through_str_display_and_serde() {
    let names = [
        "hamilton",
        "dhondt",
        "sainte_lague",
        "modified_sainte_lague",
        "huntington_hill",
        "adams",
        "dean",
    ];
    for (method, name) in Method::ALL.into_iter().zip(names) {
        assert_eq!(method.name(), name);
        assert_eq!(method.to_string(), name);
        assert_eq!(name.parse::<Method>().unwrap(), method);
        assert_eq!(
            serde_json::to_string(&method).unwrap(),
            format!("\"{name}\"")
        );
        let back: Method = serde_json::from_str(&format!("\"{name}\"")).unwrap();
        assert_eq!(back, method);
    }
    assert_eq!(Method::default(), Method::SainteLague);
    let err = "d_hondt".parse::<Method>().unwrap_err();
    assert_eq!(err.field(), "method");
    assert!(
        err.to_string().starts_with("method: \"d_hondt\" is not"),
        "{err}"
    );
    assert!(serde_json::from_str::<Method>("\"d_hondt\"").is_err());
}

#[test]
fn seven_regions_one_hundred_units() {
    // Checked against the Python `apportionment` package 1.0.
    let expected: [(Method, [u32; 7]); 7] = [
        (Method::Hamilton, [34, 26, 15, 12, 6, 5, 2]),
        (Method::DHondt, [35, 26, 15, 12, 6, 4, 2]),
        (Method::SainteLague, [34, 26, 15, 12, 6, 5, 2]),
        (Method::ModifiedSainteLague, [34, 26, 15, 12, 6, 5, 2]),
        (Method::HuntingtonHill, [34, 26, 15, 12, 6, 5, 2]),
        (Method::Adams, [34, 26, 15, 12, 6, 5, 2]),
        (Method::Dean, [34, 26, 15, 12, 6, 5, 2]),
    ];
    for (method, want) in expected {
        assert_eq!(seats(method, &REGIONS, 100), want, "{method}");
    }
}

#[test]
fn bundestag_2013_sainte_lague() {
    // The `sainte_lague` crate's example: second votes in percent, 631 seats.
    let votes = [41.5, 25.7, 8.6, 8.4];
    assert_eq!(seats(Method::SainteLague, &votes, 631), [311, 193, 64, 63]);
}

#[test]
fn textbook_divisor_examples() {
    // The classic 8-unit illustration: D'Hondt favours the large party, Sainte-Laguë does not,
    // and modified Sainte-Laguë's first divisor 1.4 keeps the small one out.
    let votes = [10_000.0, 6_000.0, 1_500.0];
    assert_eq!(seats(Method::DHondt, &votes, 8), [5, 3, 0]);
    assert_eq!(seats(Method::SainteLague, &votes, 8), [4, 3, 1]);
    assert_eq!(seats(Method::ModifiedSainteLague, &votes, 8), [5, 3, 0]);
    assert_eq!(seats(Method::Hamilton, &votes, 8), [4, 3, 1]);
    // From most favourable to large groups to most favourable to small ones (Balinski & Young):
    // D'Hondt, Sainte-Laguë, Huntington–Hill, Dean, Adams. Checked with exact rational
    // arithmetic in Python.
    let votes = [23.0, 5.0, 1.0];
    assert_eq!(seats(Method::DHondt, &votes, 9), [8, 1, 0]);
    assert_eq!(seats(Method::SainteLague, &votes, 9), [7, 2, 0]);
    assert_eq!(seats(Method::HuntingtonHill, &votes, 9), [7, 1, 1]);
    assert_eq!(seats(Method::Dean, &votes, 9), [6, 2, 1]);
    assert_eq!(seats(Method::Adams, &votes, 9), [6, 2, 1]);
    let votes = [91.0, 8.0, 1.0];
    assert_eq!(seats(Method::DHondt, &votes, 10), [10, 0, 0]);
    assert_eq!(seats(Method::SainteLague, &votes, 10), [9, 1, 0]);
    assert_eq!(seats(Method::HuntingtonHill, &votes, 10), [8, 1, 1]);
    // Sainte-Laguë rounds a quota of 1.42 down (signpost 1.5); Adams (signpost 1) and Dean
    // (signpost 4/3) round it up.
    let votes = [568.0, 290.0, 142.0];
    assert_eq!(seats(Method::SainteLague, &votes, 10), [6, 3, 1]);
    assert_eq!(seats(Method::Adams, &votes, 10), [5, 3, 2]);
    assert_eq!(seats(Method::Dean, &votes, 10), [5, 3, 2]);
}

#[test]
fn alabama_paradox_for_hamilton_not_for_divisor_methods() {
    // A larger house takes a unit away from the small group (Balinski & Young).
    let weights = [6.0, 6.0, 2.0];
    assert_eq!(seats(Method::Hamilton, &weights, 10), [4, 4, 2]);
    assert_eq!(seats(Method::Hamilton, &weights, 11), [5, 5, 1]);
    let weights = [15.0, 23.0, 4.0];
    assert_eq!(seats(Method::Hamilton, &weights, 15), [5, 8, 2]);
    assert_eq!(seats(Method::Hamilton, &weights, 16), [6, 9, 1]);
    for method in Method::ALL.into_iter().skip(1) {
        let small = seats(method, &weights, 15);
        let large = seats(method, &weights, 16);
        assert!(small.iter().zip(&large).all(|(a, b)| a <= b), "{method}");
    }
}

#[test]
fn hamilton_stays_within_quota_and_breaks_ties_by_lot() {
    assert_eq!(
        seats(Method::Hamilton, &[1.0, 2.0, 3.0, 4.0], 7),
        [1, 1, 2, 3]
    );
    // Quotas 1.5, 1.5, 0: one unit left, two equal remainders.
    let (result, touched) = run_seed(Method::Hamilton, &[1.0, 1.0], 3, 9);
    assert!(touched);
    assert_eq!(result.seats.iter().sum::<u32>(), 3);
    assert_eq!(
        result.ties,
        [Tie {
            groups: vec![0, 1],
            winners: vec![if result.seats[0] == 2 { 0 } else { 1 }],
            units: 1,
            lot: LotSource::Seeded,
        }]
    );
}

#[test]
fn tie_of_two_equal_groups_for_one_unit() {
    for method in Method::ALL {
        let mut winners = [false; 2];
        for seed in 0..40 {
            let (result, touched) = run_seed(method, &[1.0, 1.0], 1, seed);
            assert!(touched, "{method}: the lot must use the generator");
            assert_eq!(result.ties.len(), 1, "{method}");
            let tie = &result.ties[0];
            assert_eq!(tie.groups, [0, 1]);
            assert_eq!(tie.units, 1);
            assert_eq!(tie.winners.len(), 1);
            let w = tie.winners[0];
            assert_eq!(result.seats[w], 1);
            assert_eq!(result.seats[1 - w], 0);
            winners[w] = true;
        }
        assert_eq!(winners, [true, true], "{method}: both groups can win");
    }
}

#[test]
fn equal_groups_sharing_evenly_is_no_tie() {
    for method in Method::ALL {
        assert_eq!(seats(method, &[1.0, 1.0], 2), [1, 1], "{method}");
        assert_eq!(seats(method, &[3.0, 3.0, 3.0], 6), [2, 2, 2], "{method}");
        assert_eq!(seats(method, &[3.0, 3.0, 6.0], 4), [1, 1, 2], "{method}");
    }
}

#[test]
fn ties_among_several_groups_report_them_all() {
    // D'Hondt signposts: 6, 3, 2, 1.5, … twice; 3, 1.5, 1; 1.5, 0.75. The 7 largest are 6, 6, 3,
    // 3, 3, 2, 2 (no tie); the 8th unit is contested by all four groups at 1.5.
    let weights = [6.0, 6.0, 3.0, 1.5];
    assert_eq!(seats(Method::DHondt, &weights, 7), [3, 3, 1, 0]);
    let (result, touched) = run_seed(Method::DHondt, &weights, 8, 2);
    assert!(touched);
    let tie = &result.ties[0];
    assert_eq!(
        (tie.groups.as_slice(), tie.units),
        ([0, 1, 2, 3].as_slice(), 1)
    );
    let mut base = vec![3, 3, 1, 0];
    base[tie.winners[0]] += 1;
    assert_eq!(result.seats, base);
    // Eleven units take every signpost down to 1.5: no tie again.
    assert_eq!(seats(Method::DHondt, &weights, 11), [4, 4, 2, 1]);
}

#[test]
fn fewer_units_than_groups_for_first_unit_methods() {
    for method in [Method::HuntingtonHill, Method::Adams, Method::Dean] {
        assert_eq!(
            seats(method, &[5.0, 3.0, 8.0, 1.0], 2),
            [1, 0, 1, 0],
            "{method}"
        );
        assert_eq!(
            seats(method, &[5.0, 3.0, 8.0, 1.0], 4),
            [1, 1, 1, 1],
            "{method}"
        );
        assert_eq!(
            seats(method, &[5.0, 3.0, 8.0, 1.0], 5),
            [1, 1, 2, 1],
            "{method}"
        );
        // A tie at the cut: three groups of 5 for two units.
        let (result, touched) = run_seed(method, &[5.0, 5.0, 9.0, 5.0, 1.0], 3, 4);
        assert!(touched, "{method}");
        assert_eq!(result.seats[2], 1);
        assert_eq!(result.seats[4], 0);
        assert_eq!(result.ties.len(), 1);
        let tie = &result.ties[0];
        assert_eq!(
            (tie.groups.as_slice(), tie.units),
            ([0, 1, 3].as_slice(), 2)
        );
        for g in [0, 1, 3] {
            assert_eq!(result.seats[g], u32::from(tie.winners.contains(&g)));
        }
        // Equal groups all served: no tie.
        assert_eq!(seats(method, &[5.0, 5.0, 9.0, 1.0], 3), [1, 1, 1, 0]);
    }
}

#[test]
fn exact_where_floating_point_would_tie() {
    // w₀ is a hair above 3·w₁, but w₀/3 rounds to w₁ in f64: a float implementation would see a
    // tie for the second unit under Sainte-Laguë (divisors 1, 3).
    let (w0, w1) = (3.765_207_077_218_265_3_f64, 1.255_069_025_739_421_7_f64);
    assert_eq!(w0 / 3.0, w1, "the float quotient rounds to a tie");
    assert_eq!(seats(Method::SainteLague, &[w0, w1], 2), [2, 0]);
    assert_eq!(seats(Method::SainteLague, &[w1, w0], 2), [0, 2]);
    // Hamilton: remainders of 1 and 3 among 1 + 3 + 2⁻⁶⁰ for 2 units are 2/(4+ε) and
    // (2−ε)/(4+ε); a float quota would see 0.5 and 0.5.
    let tiny = 1.0 / (1u64 << 60) as f64;
    assert_eq!(seats(Method::Hamilton, &[1.0, 3.0, tiny], 2), [1, 1, 0]);
    assert_eq!(seats(Method::Hamilton, &[3.0, 1.0, tiny], 2), [1, 1, 0]);
    // The same across exponents too far apart for 128-bit integers (arbitrary precision).
    let tinier = f64::from_bits(1); // 2⁻¹⁰⁷⁴
    assert_eq!(seats(Method::Hamilton, &[1.0, 3.0, tinier], 2), [1, 1, 0]);
    assert_eq!(
        seats(Method::Hamilton, &[1e300, 3e300, 1e-300], 2),
        [1, 1, 0]
    );
    // Without the tiny weight it is a real tie.
    let (result, touched) = run_seed(Method::Hamilton, &[1.0, 3.0], 2, 1);
    assert!(touched);
    assert_eq!(result.ties[0].groups, [0, 1]);
    // Huntington–Hill compares squares: for the 8th unit, a²/(6·7) against 1²/(1·2), that is
    // a² against 21, where a = fl(√21) and a·a rounds to exactly 21.0 in f64 (but a² < 21).
    let a = 4.582_575_694_955_84_f64;
    assert_eq!(a * a, 21.0, "the float square rounds to a tie");
    assert_eq!(seats(Method::HuntingtonHill, &[a, 1.0], 7), [6, 1]);
    assert_eq!(seats(Method::HuntingtonHill, &[a, 1.0], 8), [6, 2]);
    assert_eq!(seats(Method::HuntingtonHill, &[1.0, a], 8), [2, 6]);
}

#[test]
fn a_dominant_group_takes_everything() {
    // D'Hondt's first estimate (W/(U + n/2)) would give the large group more than U units:
    // the jump falls back to the Hare divisor.
    let mut weights = vec![1.0; 100];
    weights[3] = 1e6;
    let mut expected = vec![0; 100];
    expected[3] = 10;
    assert_eq!(seats(Method::DHondt, &weights, 10), expected);
    for method in [
        Method::SainteLague,
        Method::ModifiedSainteLague,
        Method::Hamilton,
    ] {
        assert_eq!(seats(method, &weights, 10), expected, "{method}");
    }
}

#[test]
fn extreme_weights_do_not_panic() {
    let weights = [
        f64::MAX,
        f64::MIN_POSITIVE,
        f64::from_bits(1),
        1.0,
        1e300,
        f64::MAX,
    ];
    for method in Method::ALL {
        for units in [1, 2, 5, 6, 7, 100, 1000] {
            let result = run(method, &weights, units);
            assert_eq!(result.seats.iter().sum::<u32>(), units, "{method} {units}");
        }
    }
    // All weights tiny (subnormal).
    let tiny = [f64::from_bits(3), f64::from_bits(1), f64::from_bits(2)];
    assert_eq!(seats(Method::DHondt, &tiny, 6), [3, 1, 2]);
    assert_eq!(seats(Method::Hamilton, &tiny, 6), [3, 1, 2]);
    assert_eq!(seats(Method::HuntingtonHill, &tiny, 6), [3, 1, 2]);
}

#[test]
fn large_inputs() {
    // 100 000 groups; many units; the extremes of MAX_UNITS.
    let weights: Vec<f64> = (0..100_000).map(|i| f64::from(i % 997 + 1)).collect();
    for method in Method::ALL {
        for units in [1, 5_000, 100_000, 1_000_000] {
            let result = run(method, &weights, units);
            assert_eq!(result.seats.iter().sum::<u32>(), units, "{method} {units}");
        }
    }
    let result = run(Method::Dean, &[1.0, 2.0, 3.0], MAX_UNITS);
    assert_eq!(result.seats, [166_667, 333_333, 500_000]);
    let result = run(Method::HuntingtonHill, &[1.0, 1e-12], MAX_UNITS);
    assert_eq!(result.seats, [MAX_UNITS - 1, 1]);
}

#[test]
fn zero_units_and_errors() {
    for method in Method::ALL {
        assert_eq!(seats(method, &[1.0, 2.0], 0), [0, 0]);
        assert_eq!(seats(method, &[], 0), Vec::<u32>::new());
    }
    let mut rng = seeded(0);
    let err = apportion(Method::SainteLague, &[], 1, &mut rng).unwrap_err();
    assert_eq!(
        err.to_string(),
        "weights: [] is empty but units must be given"
    );
    for (bad, shown) in [
        (0.0, "0"),
        (-1.5, "-1.5"),
        (f64::NAN, "NaN"),
        (f64::INFINITY, "inf"),
        (-0.0, "-0"),
    ] {
        let err = apportion(Method::Dean, &[1.0, 2.0, bad], 0, &mut rng).unwrap_err();
        assert_eq!(err.field(), "weights[2]");
        assert_eq!(
            err.to_string(),
            format!("weights[2]: {shown} is not a positive finite number")
        );
        assert!(matches!(err, Error::InvalidValue { .. }));
    }
    let err = apportion(Method::Hamilton, &[1.0], MAX_UNITS + 1, &mut rng).unwrap_err();
    assert_eq!(err.field(), "units");
    assert!(err.to_string().contains("1000001"), "{err}");
    // None of this used the generator.
    assert_eq!(rng.next_u64(), seeded(0).next_u64());
}

#[test]
fn one_group_takes_everything() {
    for method in Method::ALL {
        assert_eq!(seats(method, &[0.3], 7), [7], "{method}");
    }
}

#[test]
fn works_with_a_trait_object() {
    let mut rng = seeded(11);
    let dyn_rng: &mut dyn Rng = &mut rng;
    let result = apportion(Method::SainteLague, &[1.0, 1.0, 1.0], 2, dyn_rng).unwrap();
    assert_eq!(result.seats.iter().sum::<u32>(), 2);
    assert_eq!(result.ties[0].units, 2);
}

#[test]
fn value_stability_of_tie_breaking() {
    // Pins the lot: which groups win a tie for a given seed (`draw_to_front` over the tied groups
    // in ascending order). Changing this changes published allocations.
    let winners: Vec<Vec<usize>> = (0..4)
        .map(|seed| {
            let (r, _) = run_seed(Method::SainteLague, &[2.0, 2.0, 2.0, 2.0, 1.0], 2, seed);
            assert_eq!(r.ties[0].groups, [0, 1, 2, 3]);
            r.ties[0].winners.clone()
        })
        .collect();
    assert_eq!(winners, [[1, 2], [0, 3], [2, 3], [0, 2]]);
    let mut rng = seeded(0);
    let mut order = [0usize, 1, 2, 3];
    lot::draw_to_front(&mut rng, &mut order, 2);
    let mut first = order[..2].to_vec();
    first.sort_unstable();
    assert_eq!(winners[0], first);
}
