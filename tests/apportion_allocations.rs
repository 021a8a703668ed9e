//! `apportion_into` allocates nothing once its workspace and result have grown to the problems
//! it serves: a counting global allocator watches the calls of every method on problems with and
//! without ties (and with weights far apart, for Hamilton's arbitrary precision), warmed up once
//! and then repeated.

use std::hint::black_box;

use floorshare::apportion::{Apportionment, Method, Workspace, apportion, apportion_into};
use floorshare::lot::seeded;

mod counting;
use counting::allocations_in;

/// The problems: every method on tied and untied weights, a regional-balance-like family (up
/// to 8 groups sharing up to 20 units, as groups are capped and units freed), the seven regions
/// of the examples, a larger problem and weights whose exponents are far apart.
fn problems() -> Vec<(Method, Vec<f64>, u32)> {
    let family = [5.0, 3.0, 2.0, 2.0, 1.0, 1.0, 0.5, 7.25];
    let mut weight_sets: Vec<(Vec<f64>, u32)> = vec![
        (vec![1.0, 1.0, 1.0], 2),
        (vec![1.0, 1.0], 1),
        (vec![4.0, 4.0, 4.0, 4.0], 6),
        (vec![2.0, 1.0], 3),
        (
            vec![5100.0, 3900.0, 2200.0, 1800.0, 900.0, 700.0, 300.0],
            100,
        ),
        (
            (1..=60u32).map(|i| f64::from(i * 37 % 101 + 1)).collect(),
            150,
        ),
        (vec![1e300, 1.0, 1e-300, 3.0, 5e-324], 7),
        (vec![1e300, 2f64.powi(-900), 1e-300], 2),
        (vec![1.0, 2.0, 3.0], 0),
    ];
    for n in 1..=family.len() {
        for units in 0..=20 {
            weight_sets.push((family[..n].to_vec(), units));
        }
    }
    let mut problems = Vec::new();
    for method in Method::ALL {
        for (weights, units) in &weight_sets {
            problems.push((method, weights.clone(), *units));
        }
    }
    problems
}

#[test]
fn apportion_into_allocates_nothing_once_warmed_up() {
    let problems = problems();
    let mut workspace = Workspace::default();
    let mut out = Apportionment::default();
    let mut rng = seeded(2024);
    let mut ties = 0;

    // Warm up once, checking against `apportion` on the way.
    let mut check_rng = seeded(2024);
    for (method, weights, units) in &problems {
        apportion_into(*method, weights, *units, &mut rng, &mut workspace, &mut out).unwrap();
        let expected = apportion(*method, weights, *units, &mut check_rng).unwrap();
        assert_eq!(out, expected, "{method} {weights:?} {units}");
        ties += out.ties.len();
    }
    assert!(ties > 100, "the problems should include ties: {ties}");

    // Then the same problems, 1000 times over: not one allocation.
    let mut seats = 0u64;
    let mut repeated_ties = 0;
    let allocations = allocations_in(|| {
        for _ in 0..1000 {
            for (method, weights, units) in &problems {
                apportion_into(*method, weights, *units, &mut rng, &mut workspace, &mut out)
                    .unwrap();
                seats += out.seats.iter().map(|&s| u64::from(s)).sum::<u64>();
                repeated_ties += out.ties.len();
            }
        }
    });
    assert_eq!(allocations, 0, "apportion_into allocated after warming up");
    assert_eq!(repeated_ties, 1000 * ties);
    let units: u64 = problems.iter().map(|p| u64::from(p.2)).sum();
    assert_eq!(seats, 1000 * units);

    // The counter is live: an allocation in the test is seen.
    let allocations = allocations_in(|| {
        black_box(Vec::<u64>::with_capacity(black_box(16)));
    });
    assert_eq!(allocations, 1, "the counting allocator does not count");
}
