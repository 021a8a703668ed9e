//! Apportionment with arbitrary weights, bounds, unit counts and methods. Accepted inputs
//! must give seats summing to the units, each within its bounds, and the same seats for the
//! same seed.
#![no_main]

use floorshare::apportion::{Group, Method, Options, Quota, Threshold, apportion_with};
use floorshare::lot;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut bytes = data.iter().copied();
    let mut next = |n: usize| -> u64 {
        (0..n).fold(0u64, |acc, _| {
            acc << 8 | u64::from(bytes.next().unwrap_or(0))
        })
    };
    let method = Method::ALL[next(1) as usize % Method::ALL.len()];
    let units = next(3) as u32 % 100_000;
    let flags = next(1);
    let count = next(1) as usize % 64;
    let groups: Vec<Group> = (0..count)
        .map(|_| {
            let weight = match next(1) % 8 {
                0 => f64::from_bits(next(8)),
                1 => 0.0,
                _ => next(4) as f64 / 7.0,
            };
            let mut group = Group::new(weight);
            if flags & 1 != 0 {
                group = group.at_least(next(1) as u32 % 8);
            }
            if flags & 2 != 0 {
                group = group.at_most(next(2) as u32);
            }
            group
        })
        .collect();
    let mut options = Options::new();
    if method == Method::Hamilton && flags & 4 != 0 {
        options = options.quota(Quota::Droop);
    }
    if method == Method::Hamilton && flags & 8 != 0 {
        options = options.threshold(Threshold::DUTCH);
    }
    let seed = next(8);
    let Ok(result) = apportion_with(method, &groups, units, &options, &mut lot::seeded(seed))
    else {
        return;
    };
    assert_eq!(result.seats.len(), groups.len());
    assert_eq!(
        result.seats.iter().map(|&s| u64::from(s)).sum::<u64>(),
        u64::from(units)
    );
    for (seats, group) in result.seats.iter().zip(&groups) {
        assert!(
            group.min <= *seats && *seats <= group.max,
            "{seats} outside {group:?}"
        );
    }
    let again = apportion_with(method, &groups, units, &options, &mut lot::seeded(seed)).unwrap();
    assert_eq!(again.seats, result.seats);
});
