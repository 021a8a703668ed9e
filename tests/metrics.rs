//! The metrics against independently computed reference values (`tests/fixtures/metrics.json`,
//! a byte-for-byte copy of the project's shared fixture): every value within 1e-9.

use floorshare::metrics::{Disproportionality, atkinson, gini, jain, theil_t};
use serde_json::Value;

const TOLERANCE: f64 = 1e-9;

fn fixture() -> Value {
    serde_json::from_str(include_str!("fixtures/metrics.json")).unwrap()
}

fn numbers(value: &Value) -> Vec<f64> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect()
}

/// Checks `actual` against `case[key]`, collecting mismatches.
fn check(mismatches: &mut Vec<String>, case: &Value, key: &str, actual: f64) {
    let expected = case[key].as_f64().unwrap();
    // A NaN fails too.
    if (actual - expected).abs().is_nan() || (actual - expected).abs() > TOLERANCE {
        mismatches.push(format!(
            "{key}: expected {expected}, got {actual} for {case}"
        ));
    }
}

#[test]
fn inequality_indices_match_the_reference() {
    let fixture = fixture();
    let cases = fixture["inequality"].as_array().unwrap();
    assert_eq!(cases.len(), 120);
    let mut mismatches = Vec::new();
    for case in cases {
        let values = numbers(&case["values"]);
        check(&mut mismatches, case, "gini", gini(&values));
        check(&mut mismatches, case, "theil_t", theil_t(&values));
        check(
            &mut mismatches,
            case,
            "atkinson_0_5",
            atkinson(&values, 0.5).unwrap(),
        );
        check(
            &mut mismatches,
            case,
            "atkinson_1",
            atkinson(&values, 1.0).unwrap(),
        );
        check(
            &mut mismatches,
            case,
            "atkinson_2",
            atkinson(&values, 2.0).unwrap(),
        );
        check(&mut mismatches, case, "jain", jain(&values));
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

#[test]
fn disproportionality_indices_match_the_reference() {
    let fixture = fixture();
    let cases = fixture["disproportionality"].as_array().unwrap();
    assert_eq!(cases.len(), 120);
    let mut mismatches = Vec::new();
    for case in cases {
        let targets = numbers(&case["target_shares"]);
        let counts: Vec<u64> = numbers(&case["slot_counts"])
            .iter()
            .map(|&c| c as u64)
            .collect();
        let d = Disproportionality::new(&counts, &targets).expect("slots were granted");
        check(&mut mismatches, case, "loosemore_hanby", d.loosemore_hanby);
        check(&mut mismatches, case, "gallagher", d.gallagher);
        check(
            &mut mismatches,
            case,
            "sainte_lague_index",
            d.sainte_lague_index,
        );
        check(&mut mismatches, case, "max_deviation", d.max_deviation);
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
