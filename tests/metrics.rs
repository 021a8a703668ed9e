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
        check(&mut mismatches, case, "gini", gini(&values).unwrap());
        check(&mut mismatches, case, "theil_t", theil_t(&values).unwrap());
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
        check(&mut mismatches, case, "jain", jain(&values).unwrap());
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

mod degenerate {
    //! Every degenerate case has its documented answer, and no NaN.

    use std::collections::BTreeMap;

    use floorshare::allocation::Allocate;
    use floorshare::metrics::*;
    use floorshare::model::*;
    use floorshare::policy::{GrassrootsPriority, RegionalBalance};

    fn session(regions: &[&str], slots: u32, asking: usize) -> CheckedSession {
        let organisations: Vec<Organisation> = regions
            .iter()
            .enumerate()
            .map(|(i, r)| Organisation::new(format!("o{i}"), *r, Kind::Grassroots))
            .collect();
        let requests = organisations
            .iter()
            .take(asking)
            .map(|o| Request::new(&o.id))
            .collect();
        SessionInput::new(
            Session::new("s", slots).with_length(60),
            organisations,
            requests,
        )
        .check()
        .unwrap()
    }

    /// Every value is a finite number or `None` (JSON would hide a NaN as `null`, so the
    /// Rust values are checked).
    pub(crate) fn no_nan(m: &AllocationMetrics) {
        let finite = |v: Option<f64>| v.is_none_or(f64::is_finite);
        let groups = m
            .by_region
            .values()
            .chain(m.by_kind.values())
            .chain([&m.grassroots_class]);
        for g in groups {
            for v in [
                g.selection_rate,
                g.slot_share,
                g.target_share,
                g.representation_ratio,
                g.mean_position,
                g.exposure_share,
                g.exposure_disparity,
            ] {
                assert!(finite(v), "{g:?}");
            }
        }
        for v in [
            m.loosemore_hanby,
            m.gallagher,
            m.sainte_lague_index,
            m.max_deviation,
            m.region_selection_rate_ratio,
            m.region_max_exposure_disparity,
            m.region_entropy,
            m.themes_heard_share,
            m.late_share,
        ] {
            assert!(finite(v), "{m:?}");
        }
    }

    #[test]
    fn no_requests() {
        let s = session(&["a", "b"], 2, 0);
        let a = RegionalBalance::default().allocate_seeded(&s, 1).unwrap();
        let m = AllocationMetrics::measure(&s, &a);
        no_nan(&m);
        // Every region of the roster is listed, with no request and undefined rates.
        assert_eq!(m.by_region["a"].requests, 0);
        assert_eq!(m.by_region["a"].selection_rate, None);
        assert_eq!(m.by_region["a"].target_share, None);
        assert_eq!(
            (m.loosemore_hanby, m.region_entropy, m.late_share),
            (None, None, None)
        );
        assert_eq!(m.themes_heard_share, None);
        assert_eq!(m.region_selection_rate_ratio, None);
    }

    #[test]
    fn no_slots() {
        let s = session(&["a", "b"], 0, 2);
        let a = RegionalBalance::default().allocate_seeded(&s, 1).unwrap();
        let m = AllocationMetrics::measure(&s, &a);
        no_nan(&m);
        assert_eq!(m.by_region["a"].selection_rate, Some(0.0));
        assert_eq!(m.by_region["a"].slot_share, None);
        assert_eq!(m.by_region["a"].mean_position, None);
        assert_eq!(m.gallagher, None);
        assert_eq!(m.region_selection_rate_ratio, None);
    }

    #[test]
    fn one_group() {
        let s = session(&["a", "a", "a"], 2, 3);
        let a = RegionalBalance::default().allocate_seeded(&s, 1).unwrap();
        let m = AllocationMetrics::measure(&s, &a);
        no_nan(&m);
        assert_eq!(m.region_entropy, Some(0.0));
        assert_eq!(m.loosemore_hanby, Some(0.0));
        assert_eq!(m.region_selection_rate_ratio, Some(1.0));
        // A single slot sits at normalised position 0.
        let s = session(&["a"], 1, 1);
        let a = RegionalBalance::default().allocate_seeded(&s, 1).unwrap();
        assert_eq!(
            AllocationMetrics::measure(&s, &a).by_region["a"].mean_position,
            Some(0.0)
        );
    }

    #[test]
    fn zero_target_share() {
        let s = session(&["a", "b"], 2, 2);
        let a = RegionalBalance::default().allocate_seeded(&s, 1).unwrap();
        // The caller's population shares leave region b out: target 0.
        let population = BTreeMap::from([("a".to_string(), 1.0), ("c".to_string(), 0.0)]);
        let mut tally = GroupTally::with_population(Category::Region, population).unwrap();
        tally.add(&s, &a);
        let table = tally.table();
        assert_eq!(table.groups["b"].target_share, Some(0.0));
        assert_eq!(table.groups["b"].representation_ratio, None);
        assert_eq!(table.groups["c"].selection_rate, None);
        let d = table.disproportionality.unwrap();
        // s = (½, ½, 0), t = (1, 0, 0): the Sainte-Laguë index skips the zero target.
        assert_eq!(d.loosemore_hanby, 0.5);
        assert_eq!(d.sainte_lague_index, 0.25);
        assert_eq!(d.max_deviation, 0.5);
    }

    #[test]
    fn bad_population_shares_and_group_ids_are_errors() {
        for bad in [f64::NAN, f64::INFINITY, -0.5] {
            let population = BTreeMap::from([("a".to_string(), 0.5), ("b".to_string(), bad)]);
            let err = GroupTally::with_population(Category::Region, population).unwrap_err();
            assert_eq!(err.field(), "population.b");
        }
        let err = SelectionRates::from_decisions(&[0, u32::MAX], &[true, false]).unwrap_err();
        assert_eq!(err.field(), "groups[1]");
    }

    #[test]
    fn all_zero_values_over_a_process() {
        let s = session(&["a", "b", "c"], 0, 3);
        let mut process = ProcessTally::new(3);
        process.add(
            &s,
            &GrassrootsPriority::strict().allocate_seeded(&s, 1).unwrap(),
        );
        let i = process.slot_inequality();
        assert_eq!(
            (i.gini, i.theil_t, i.atkinson_1, i.jain),
            (0.0, 0.0, 0.0, 1.0)
        );
        assert_eq!((i.never_heard_share, i.top_decile_share), (1.0, 0.0));
        assert_eq!(
            ProcessTally::new(0).slot_inequality(),
            Inequality::of(&[]).unwrap()
        );
    }
}
