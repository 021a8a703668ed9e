//! From a distribution over panels (in type space) to a uniform lottery over m panels of
//! organisations: the lottery actually drawn from, whose probabilities are reported.
//!
//! A uniform lottery over m panels gives each organisation a probability in steps of 1/m
//! (Flanigan, Kehne & Procaccia, "Fair sortition made transparent", NeurIPS 2021). The m
//! panels are the distribution's panels repeated in proportion to their weights (m·λ rounded
//! by the largest remainder method, so the multiplicities sum to m exactly); inside a type the
//! type's seats over all m panels go to its members in turn, so each member of a type holds
//! ⌊C/size⌋ or ⌈C/size⌉ of the type's C seats. m grows until rounding costs less than
//! `tolerance` of the distribution's least probability, bounded by [`MAX_PANELS`].

use super::TypeSpace;
use crate::apportion::{Group, MAX_UNITS, Method, Options, apportion_with};
use crate::lot;

/// The most panels a uniform lottery may list.
pub const MAX_PANELS: u32 = MAX_UNITS;

/// A uniform lottery over `panels()` panels: panel i is `seats(i)`, `k` member indices (each
/// member given as its type and its rank inside the type).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UniformLottery {
    k: usize,
    /// Flattened panels: panel i's members are `members[i * k..(i + 1) * k]`, as
    /// `(type, rank in type)` packed by [`UniformLottery::member`].
    members: Vec<(u32, u32)>,
    /// Per type, per member rank: the number of panels it sits on.
    counts: Vec<Vec<u32>>,
}

impl UniformLottery {
    /// The number of panels, m.
    pub fn panels(&self) -> usize {
        self.members.len().checked_div(self.k).unwrap_or(0)
    }

    /// Panel `i`'s members, each as (type, rank of the member inside its type).
    pub fn panel(&self, i: usize) -> &[(u32, u32)] {
        &self.members[i * self.k..(i + 1) * self.k]
    }

    /// The number of panels member `rank` of type `t` sits on; its probability is this over
    /// [`panels`](Self::panels).
    pub fn count(&self, t: usize, rank: usize) -> u32 {
        self.counts[t][rank]
    }

    /// The least probability of any member.
    pub fn minimum_probability(&self) -> f64 {
        let m = self.panels() as f64;
        self.counts
            .iter()
            .flat_map(|c| c.iter())
            .map(|&c| f64::from(c) / m)
            .fold(f64::INFINITY, f64::min)
    }
}

/// The smallest probability of a member under the distribution `panels` (type counts with
/// weights summing to 1): min over types of the expected seats over the size.
pub fn distribution_minimum(space: &TypeSpace, panels: &[(Vec<u32>, f64)]) -> f64 {
    (0..space.types())
        .map(|t| {
            let seats: f64 = panels.iter().map(|(c, w)| w * f64::from(c[t])).sum();
            seats / f64::from(space.size(t))
        })
        .fold(f64::INFINITY, f64::min)
}

/// Rounds the distribution `panels` (type counts, weights ≥ 0 summing to 1) to a uniform
/// lottery whose least member probability is at least `(1 − tolerance)` times the
/// distribution's, with as few panels as the doubling search finds (at most [`MAX_PANELS`];
/// the last candidate is returned if none reaches the tolerance).
///
/// # Panics
///
/// If `panels` is empty or a panel's counts do not have one entry per type.
pub fn uniform_lottery(
    space: &TypeSpace,
    panels: &[(Vec<u32>, f64)],
    tolerance: f64,
) -> UniformLottery {
    uniform_lottery_over(space, panels, &vec![0.0; space.types()], tolerance)
}

/// As [`uniform_lottery`] for fairness over a process: the least quantity kept within the
/// tolerance is history + probability (`history[t]`: the slots each member of type t has
/// already). The search starts from the panels the least positive probability needs, so a
/// type that cannot be drawn (probability 0) does not ask for a million panels.
///
/// # Panics
///
/// As [`uniform_lottery`], and if `history` has not one entry per type.
pub fn uniform_lottery_over(
    space: &TypeSpace,
    panels: &[(Vec<u32>, f64)],
    history: &[f64],
    tolerance: f64,
) -> UniformLottery {
    assert!(!panels.is_empty(), "a distribution over at least one panel");
    assert_eq!(history.len(), space.types(), "one history per type");
    let probabilities: Vec<f64> = (0..space.types())
        .map(|t| {
            let seats: f64 = panels.iter().map(|(c, w)| w * f64::from(c[t])).sum();
            seats / f64::from(space.size(t))
        })
        .collect();
    let least = |p: &[f64]| {
        p.iter()
            .zip(history)
            .map(|(p, h)| h + p)
            .fold(f64::INFINITY, f64::min)
    };
    let target = least(&probabilities) * (1.0 - tolerance);
    // A start that would do with exact weights: steps of 1/m below tolerance · the least
    // positive probability.
    let positive = probabilities
        .iter()
        .copied()
        .filter(|&p| p > 1e-12)
        .fold(1.0, f64::min);
    let mut m =
        ((1.0 / (tolerance * positive)).ceil() as u32).clamp(panels.len() as u32, MAX_PANELS);
    loop {
        let lottery = round_to(space, panels, m);
        let rounded: Vec<f64> = (0..space.types())
            .map(|t| {
                (0..space.size(t) as usize)
                    .map(|r| f64::from(lottery.count(t, r)) / f64::from(m))
                    .fold(f64::INFINITY, f64::min)
            })
            .collect();
        if least(&rounded) >= target || m >= MAX_PANELS {
            return lottery;
        }
        m = m.saturating_mul(2).min(MAX_PANELS);
    }
}

/// The uniform lottery over exactly `m` panels.
fn round_to(space: &TypeSpace, panels: &[(Vec<u32>, f64)], m: u32) -> UniformLottery {
    let multiplicities = largest_remainder(panels.iter().map(|(_, w)| *w), m);
    let k = space.k() as usize;
    let mut next = vec![0u32; space.types()];
    let mut counts: Vec<Vec<u32>> = (0..space.types())
        .map(|t| vec![0; space.size(t) as usize])
        .collect();
    let mut members = Vec::with_capacity(m as usize * k);
    for ((seats, _), &copies) in panels.iter().zip(&multiplicities) {
        for _ in 0..copies {
            for (t, &c) in seats.iter().enumerate() {
                let size = space.size(t);
                // Seats of a type go to its members in turn: c ≤ size, so one panel never
                // holds a member twice.
                for _ in 0..c {
                    let rank = next[t];
                    members.push((t as u32, rank));
                    counts[t][rank as usize] += 1;
                    next[t] = (rank + 1) % size;
                }
            }
        }
    }
    UniformLottery { k, members, counts }
}

/// `m` units shared in proportion to `weights` by the largest remainder method, in the
/// apportionment module's exact arithmetic: integers summing to `m`. An exact tie (rare with
/// weights from a linear programme) is broken by a lot from a fixed seed, so that the panel
/// list does not depend on the seed of the draw it is published before.
fn largest_remainder(weights: impl Iterator<Item = f64>, m: u32) -> Vec<u32> {
    let groups: Vec<Group> = weights.map(|w| Group::new(w.max(0.0))).collect();
    apportion_with(
        Method::Hamilton,
        &groups,
        m,
        &Options::new(),
        &mut lot::seeded(0),
    )
    .expect("finite non-negative weights with a positive sum, m within MAX_UNITS")
    .seats
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two types of sizes 3 and 1, one seat; no quota.
    fn space() -> TypeSpace {
        TypeSpace::new(1, vec![], &[(3, vec![]), (1, vec![])], &[])
    }

    #[test]
    fn multiplicities_sum_to_m_and_follow_the_weights() {
        assert_eq!(
            largest_remainder([0.5, 0.25, 0.25].into_iter(), 4),
            [2, 1, 1]
        );
        assert_eq!(largest_remainder([1.0 / 3.0; 3].into_iter(), 10), [4, 3, 3]);
        assert_eq!(largest_remainder([0.0, 1.0].into_iter(), 7), [0, 7]);
    }

    #[test]
    fn members_of_a_type_share_its_seats_in_turn() {
        // Equal chances: type 0 (3 members) holds the seat 3/4 of the time, type 1 1/4.
        let panels = vec![(vec![1, 0], 0.75), (vec![0, 1], 0.25)];
        let lottery = uniform_lottery(&space(), &panels, 0.01);
        let m = lottery.panels();
        assert_eq!(m % 4, 0, "{m}");
        for rank in 0..3 {
            assert_eq!(lottery.count(0, rank) as usize * 4, m);
        }
        assert_eq!(lottery.count(1, 0) as usize * 4, m);
        assert!((lottery.minimum_probability() - 0.25).abs() < 1e-12);
        // Every panel has k members, no member twice.
        for i in 0..m {
            assert_eq!(lottery.panel(i).len(), 1);
        }
    }

    #[test]
    fn rounding_stays_within_the_tolerance() {
        let panels = vec![(vec![1, 0], 0.7), (vec![0, 1], 0.3)];
        let exact = distribution_minimum(&space(), &panels);
        assert!((exact - 0.7 / 3.0).abs() < 1e-12);
        let lottery = uniform_lottery(&space(), &panels, 0.01);
        assert!(lottery.minimum_probability() >= 0.99 * exact);
        let total: u32 = (0..3).map(|r| lottery.count(0, r)).sum::<u32>() + lottery.count(1, 0);
        assert_eq!(total as usize, lottery.panels());
    }
}
