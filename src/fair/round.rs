//! From a distribution over panels (in type space) to a uniform lottery over m panels of
//! organisations: the lottery actually drawn from, whose probabilities are reported.
//!
//! A uniform lottery over m panels gives each organisation a probability in steps of 1/m
//! (Flanigan, Kehne & Procaccia, "Fair sortition made transparent", NeurIPS 2021). The m
//! panels are the distribution's panels repeated in proportion to their weights (m·λ rounded
//! by the largest remainder method, so the multiplicities sum to m exactly); inside a type the
//! type's seats over all m panels go to its members in turn, so each member of a type holds
//! ⌊C/size⌋ or ⌈C/size⌉ of the type's C seats. m grows until rounding costs less than
//! `tolerance` of the distribution's least probability, bounded by [`panel_limit`].
//! [`uniform_lottery_towards`] then repairs the rounded panels towards per-type goals by
//! quota-keeping swaps of one member, which makes up for rounding (and for some of the
//! distribution's own shortfall).

use super::TypeSpace;
use crate::apportion::{Group, MAX_UNITS, Method, Options, apportion_with};
use crate::lot;

/// The most panels a uniform lottery may list.
pub const MAX_PANELS: u32 = MAX_UNITS;

/// The most panel seats (panels × k) a uniform lottery may list: 16 million, 128 MB as
/// (type, rank) pairs, so that many seats cannot make the panel list exhaust memory.
pub const MAX_PANEL_SEATS: u64 = 16_000_000;

/// The most panels for `k` seats each: [`MAX_PANELS`], fewer when k is large
/// ([`MAX_PANEL_SEATS`]), at least one.
pub fn panel_limit(k: u32) -> u32 {
    (MAX_PANEL_SEATS / u64::from(k.max(1))).clamp(1, u64::from(MAX_PANELS)) as u32
}

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

    /// Per type, the least probability of its members.
    pub fn type_minima(&self) -> Vec<f64> {
        let m = self.panels() as f64;
        self.counts
            .iter()
            .map(|c| {
                c.iter()
                    .map(|&c| f64::from(c) / m)
                    .fold(f64::INFINITY, f64::min)
            })
            .collect()
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
/// distribution's, with as few panels as the doubling search finds (at most [`panel_limit`];
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

/// [`uniform_lottery`] keeping history + probability within the tolerance.
fn uniform_lottery_over(
    space: &TypeSpace,
    panels: &[(Vec<u32>, f64)],
    history: &[f64],
    tolerance: f64,
) -> UniformLottery {
    assert!(!panels.is_empty(), "a distribution over at least one panel");
    let probabilities = type_probabilities(space, panels);
    let least = |p: &[f64]| least_quantity(history, p);
    let target = least(&probabilities) * (1.0 - tolerance);
    let limit = panel_limit(space.k()).max(panels.len() as u32);
    let mut m = first_panel_count(&probabilities, panels.len(), tolerance, limit);
    loop {
        let lottery = round_to(space, panels, m);
        if least(&lottery.type_minima()) >= target || m >= limit {
            return lottery;
        }
        m = m.saturating_mul(2).min(limit);
    }
}

/// Rounds the distribution `panels` as [`uniform_lottery`], then repairs the rounded panels
/// towards a probability floor per type, `goal[t]` (the relaxation's probabilities): while a
/// type's members sit on fewer than `⌈(1 − tolerance) · goal_t · m⌉` panels each, one of the
/// m panels swaps a member of a type with seats to spare for a member of that type, when the
/// swap keeps the panel quota-feasible. The repair also makes up for the
/// distribution's own shortfalls, so the decomposition may stop short of its target.
///
/// The quantity kept within the tolerance is history + probability (`history[t]`: the slots
/// each member of type t has already; zeros for one session alone). m starts from the panels
/// the least positive probability needs (a type that cannot be drawn does not ask for a
/// million panels) and doubles at most four times while the least quantity stays below
/// `(1 − tolerance)` times the least of the distribution's and the goals'; the lottery with
/// the highest least quantity is returned.
///
/// # Panics
///
/// If `panels` is empty, or a panel's counts, `history` or `goal` do not have one entry per
/// type.
pub fn uniform_lottery_towards(
    space: &TypeSpace,
    panels: &[(Vec<u32>, f64)],
    history: &[f64],
    goal: &[f64],
    tolerance: f64,
) -> UniformLottery {
    assert!(!panels.is_empty(), "a distribution over at least one panel");
    assert_eq!(goal.len(), space.types(), "one goal per type");
    assert_eq!(history.len(), space.types(), "one history per type");
    let probabilities = type_probabilities(space, panels);
    let least = |p: &[f64]| least_quantity(history, p);
    let target = least(goal).min(least(&probabilities)) * (1.0 - tolerance - SLACK);
    let limit = panel_limit(space.k()).max(panels.len() as u32);
    let mut m = first_panel_count(&probabilities, panels.len(), tolerance, limit);
    let mut best: Option<(f64, UniformLottery)> = None;
    for _ in 0..5 {
        let mut rows = expand(panels, m);
        repair(space, &mut rows, goal, m, tolerance);
        let lottery = assign(space, &rows);
        let reached = least(&lottery.type_minima());
        if best.as_ref().is_none_or(|(b, _)| reached > *b) {
            best = Some((reached, lottery));
        }
        if reached >= target || m >= limit {
            break;
        }
        m = m.saturating_mul(2).min(limit);
    }
    best.expect("at least one candidate").1
}

/// The least history + probability over types.
fn least_quantity(history: &[f64], probabilities: &[f64]) -> f64 {
    probabilities
        .iter()
        .zip(history)
        .map(|(p, h)| h + p)
        .fold(f64::INFINITY, f64::min)
}

/// Each type's probability under the distribution `panels`: expected seats over its size.
fn type_probabilities(space: &TypeSpace, panels: &[(Vec<u32>, f64)]) -> Vec<f64> {
    (0..space.types())
        .map(|t| {
            let seats: f64 = panels.iter().map(|(c, w)| w * f64::from(c[t])).sum();
            seats / f64::from(space.size(t))
        })
        .collect()
}

/// The panels that steps of 1/m below `tolerance` times the least positive probability
/// need, at least one per panel of the distribution.
fn first_panel_count(probabilities: &[f64], panels: usize, tolerance: f64, limit: u32) -> u32 {
    let positive = probabilities
        .iter()
        .copied()
        .filter(|&p| p > 1e-12)
        .fold(1.0, f64::min);
    ((1.0 / (tolerance * positive)).ceil() as u32).clamp(panels as u32, limit.max(panels as u32))
}

/// A relative margin under the repair's floors, so that a goal computed a hair above an
/// exact fraction (by bisection) does not ask for one more seat per member.
const SLACK: f64 = 1e-6;

/// The uniform lottery over exactly `m` panels.
fn round_to(space: &TypeSpace, panels: &[(Vec<u32>, f64)], m: u32) -> UniformLottery {
    assign(space, &expand(panels, m))
}

/// The m panels of the rounded distribution, each as its (type, seats) pairs by type.
fn expand(panels: &[(Vec<u32>, f64)], m: u32) -> Vec<Vec<(u32, u32)>> {
    let multiplicities = largest_remainder(panels.iter().map(|(_, w)| *w), m);
    let mut rows = Vec::with_capacity(m as usize);
    for ((seats, _), &copies) in panels.iter().zip(&multiplicities) {
        let sparse: Vec<(u32, u32)> = seats
            .iter()
            .enumerate()
            .filter(|&(_, &c)| c > 0)
            .map(|(t, &c)| (t as u32, c))
            .collect();
        for _ in 0..copies {
            rows.push(sparse.clone());
        }
    }
    rows
}

/// Members for the panels `rows` (type seats): inside a type, the type's seats over all
/// panels go to its members in turn.
fn assign(space: &TypeSpace, rows: &[Vec<(u32, u32)>]) -> UniformLottery {
    let k = space.k() as usize;
    let mut next = vec![0u32; space.types()];
    let mut counts: Vec<Vec<u32>> = (0..space.types())
        .map(|t| vec![0; space.size(t) as usize])
        .collect();
    let mut members = Vec::with_capacity(rows.len() * k);
    for row in rows {
        for &(t, c) in row {
            let t = t as usize;
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
    UniformLottery { k, members, counts }
}

/// Swaps seats between types inside the panels `rows` so that every type `t` holds at least
/// `need_t = size_t · ⌈(1 − tolerance) · goal_t · m⌉` seats over all panels (then each of its
/// members, given seats in turn, sits on at least `need_t / size_t` panels).
///
/// For each type short of its need, in index order, the panels are scanned cyclically (one
/// cursor shared by all types, so that the swaps spread over the panels); in a panel with room
/// for one more member of the type, the seat comes from the type with the most seats to spare
/// (ties: lowest index) among those in the panel whose swap keeps every quota of the panel (a
/// swap changes the seats of a value only in the categories where the two types differ). Each
/// swap lowers the total shortfall by one and never takes a type below its need. Bounded:
/// each short type scans at most `min(m, 256 + 64 · shortfall)` panels.
fn repair(space: &TypeSpace, rows: &mut [Vec<(u32, u32)>], goal: &[f64], m: u32, tolerance: f64) {
    let types = space.types();
    if rows.is_empty() {
        return;
    }
    let categories = space.categories();
    let mut offsets = Vec::with_capacity(categories);
    let mut bounds: Vec<(i64, i64)> = Vec::new();
    for j in 0..categories {
        offsets.push(bounds.len());
        for v in 0..space.values(j) {
            bounds.push((i64::from(space.min(j, v)), i64::from(space.max(j, v))));
        }
    }
    let slot = |t: usize, j: usize| offsets[j] + space.value_of(t, j) as usize;
    let mut spare: Vec<i64> = vec![0; types];
    for row in rows.iter() {
        for &(t, c) in row {
            spare[t as usize] += i64::from(c);
        }
    }
    for t in 0..types {
        let per_member = ((1.0 - tolerance - SLACK) * goal[t] * f64::from(m))
            .ceil()
            .max(0.0);
        spare[t] -= i64::from(space.size(t)) * per_member as i64;
    }
    let mut seats = vec![0i64; bounds.len()];
    let mut cursor = 0usize;
    let panels = rows.len();
    for t in 0..types {
        if spare[t] >= 0 {
            continue;
        }
        let tries = (panels as i64).min(1024 + 256 * -spare[t]);
        for _ in 0..tries {
            if spare[t] >= 0 {
                break;
            }
            let row = &mut rows[cursor];
            cursor = (cursor + 1) % panels;
            let held = row
                .iter()
                .find(|&&(u, _)| u as usize == t)
                .map_or(0, |&(_, c)| c);
            if held >= space.size(t) {
                continue;
            }
            seats.iter_mut().for_each(|s| *s = 0);
            for &(u, c) in row.iter() {
                for j in 0..categories {
                    seats[slot(u as usize, j)] += i64::from(c);
                }
            }
            let mut pick: Option<usize> = None;
            for &(u, _) in row.iter() {
                let u = u as usize;
                if u == t || spare[u] < 1 || pick.is_some_and(|p| spare[p] >= spare[u]) {
                    continue;
                }
                let fits = (0..categories).all(|j| {
                    let (from, to) = (slot(u, j), slot(t, j));
                    from == to || (seats[from] > bounds[from].0 && seats[to] < bounds[to].1)
                });
                if fits {
                    pick = Some(u);
                }
            }
            let Some(u) = pick else {
                continue;
            };
            let i = row
                .iter()
                .position(|&(x, _)| x as usize == u)
                .expect("the type is in the panel");
            row[i].1 -= 1;
            if row[i].1 == 0 {
                row.remove(i);
            }
            match row.binary_search_by_key(&(t as u32), |&(x, _)| x) {
                Ok(i) => row[i].1 += 1,
                Err(i) => row.insert(i, (t as u32, 1)),
            }
            spare[u] -= 1;
            spare[t] += 1;
        }
    }
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

    #[test]
    fn the_repair_lifts_short_types_and_keeps_the_quotas() {
        // Two categories of 2 values; types (0,0), (0,1), (1,0), (1,1) of one member each; 2
        // seats, one per value of category 0, at most two per value of category 1. The
        // distribution seats (0,0) and (1,1) nine times in ten: (0,1) and (1,0) are short of
        // the goal 1/2, and a swap (0,0) → (0,1) or (1,1) → (1,0) keeps every quota.
        let space = TypeSpace::new(
            2,
            vec![2, 2],
            &[
                (1, vec![0, 0]),
                (1, vec![0, 1]),
                (1, vec![1, 0]),
                (1, vec![1, 1]),
            ],
            &[vec![(1, 1), (1, 1)], vec![(0, 2), (0, 2)]],
        );
        let panels = vec![(vec![1, 0, 0, 1], 0.9), (vec![0, 1, 1, 0], 0.1)];
        let goal = [0.5; 4];
        let lottery = uniform_lottery_towards(&space, &panels, &vec![0.0; goal.len()], &goal, 0.01);
        let minimum = lottery.minimum_probability();
        assert!(
            minimum >= 0.49,
            "{minimum} over {} panels",
            lottery.panels()
        );
        for i in 0..lottery.panels() {
            let mut counts = vec![0u32; 4];
            for &(t, _) in lottery.panel(i) {
                counts[t as usize] += 1;
            }
            assert!(space.is_feasible(&counts), "{counts:?}");
        }
        // Without the repair, the distribution's own minimum stands.
        let plain = uniform_lottery(&space, &panels, 0.01).minimum_probability();
        assert!(plain <= 0.1 + 1e-12, "{plain}");
    }
}
