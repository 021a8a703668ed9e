//! Apportionment: distributing indivisible units among groups in proportion to positive weights.
//!
//! The regional-balance policy shares a session's speaking slots among regions with it, and
//! time rules share minutes among groups. [`apportion`] gives `units` indivisible units (slots,
//! seats, minutes) to groups with weights `w₁, …, wₙ` (positive, finite), by one of seven
//! classical [`Method`]s. Write `W = Σ wᵢ`, `U` for the units and `qᵢ = wᵢ·U/W` for the exact
//! quota of group `i`.
//!
//! # The methods
//!
//! **Hamilton** (largest remainders with the Hare quota `W/U`; Hamilton 1792, Vinton 1850,
//! Hare–Niemeyer): each group first gets `⌊qᵢ⌋`; the `U − Σ⌊qᵢ⌋` units left go one each to the
//! groups with the largest remainders `qᵢ − ⌊qᵢ⌋`. It always stays within quota
//! (`⌊qᵢ⌋ ≤ sᵢ ≤ ⌈qᵢ⌉`) but is not house monotone: one more unit can take a unit away from a
//! group (the *Alabama paradox* of 1880, Balinski & Young).
//!
//! **Divisor methods** (highest averages): with a divisor function `d` increasing in the number
//! of units `s` a group already holds, each unit in turn goes to the group with the highest
//! priority `wᵢ / d(sᵢ)`. Equivalently, the `U` largest *signposts* `wᵢ/d(s)` (`s = 0, 1, …`,
//! all groups together) are the units given. They are house and population monotone, and never
//! show the Alabama paradox, but may leave quota (Balinski & Young's impossibility theorem).
//!
//! | [`Method`] | divisor `d(s)` | also known as |
//! |---|---|---|
//! | [`DHondt`](Method::DHondt) | `s + 1` (1, 2, 3, …) | Jefferson, greatest divisors |
//! | [`SainteLague`](Method::SainteLague) | `2s + 1` (1, 3, 5, …; same order as `s + ½`) | Webster, major fractions |
//! | [`ModifiedSainteLague`](Method::ModifiedSainteLague) | 1.4, then `2s + 1` (1.4, 3, 5, …) | Scandinavian Sainte-Laguë |
//! | [`HuntingtonHill`](Method::HuntingtonHill) | `√(s(s+1))` (0, √2, √6, …) | equal proportions (US House) |
//! | [`Adams`](Method::Adams) | `s` (0, 1, 2, …) | smallest divisors |
//! | [`Dean`](Method::Dean) | `s(s+1)/(s+½)` (0, 4/3, 12/5, …) | harmonic mean |
//!
//! The last three have `d(0) = 0`: every group gets a first unit before any group gets a
//! second. With fewer units than groups they give one unit each to the `U` groups of largest
//! weight (ties at the cut by lot), as the Python `apportionment` package does.
//!
//! Sources: M. L. Balinski and H. P. Young, *Fair Representation: Meeting the Ideal of One Man,
//! One Vote*, 2nd ed., Brookings Institution Press, 2001 (methods, paradoxes, the quota and
//! monotonicity properties); F. Pukelsheim, *Proportional Representation: Apportionment Methods
//! and Their Applications*, 2nd ed., Springer, 2017 (signposts, the jump-and-step algorithm used
//! here, ties). The 300 reference cases in `tests/fixtures/apportionment.json` come from the
//! Python `apportionment` package 1.0 (M. Lackner) and all match.
//!
//! # Exact arithmetic
//!
//! No floating-point rounding decides anything. Every positive finite `f64` is `m·2^e` with an
//! integer `m < 2^53`, so a divisor method's comparison `wᵢ/d(sᵢ)` against `wⱼ/d(sⱼ)` is made
//! by cross-multiplying with integer divisors (modified Sainte-Laguë scaled by 5: 7, 15, 25, …;
//! Dean as `(2s+1)/(s(s+1))`; Huntington–Hill compared squared, `wᵢ²·sⱼ(sⱼ+1)` against
//! `wⱼ²·sᵢ(sᵢ+1)`) and comparing the 128- or 256-bit products with their exponents. Hamilton
//! puts the weights on a common exponent as integers (64- or 128-bit, or arbitrary precision
//! when their exponents are far apart), sums them exactly and compares the remainders
//! `wᵢ·U − ⌊qᵢ⌋·W` exactly. So weights 1 and 3 with a third weight of 2⁻⁶⁰ are not tied for
//! one remaining unit (a floating-point quota would see 0.5 and 0.5). A weight counts at its
//! exact binary value: `0.1` is 0.1000000000000000055511151231257827…, so `[0.1, 0.2, 0.3]`
//! is not exactly proportional to `[1, 2, 3]`; give integers where exact proportions matter.
//! Floating point is used only for starting guesses that exact comparisons then check. To keep
//! every product within these widths, at most [`MAX_UNITS`] units are apportioned.
//!
//! # Ties
//!
//! A tie exists only where it changes the result: the last contested unit(s) could go to
//! different groups with exactly equal priority (or remainder, or weight at the first-unit
//! cut). Two groups of equal weight sharing two units are no tie. A tie is broken by lot with
//! the given generator — the contested units go to a uniformly drawn subset of the tied groups
//! ([`crate::lot::draw_to_front`] over the tied groups in ascending order) — and reported in
//! [`Apportionment::ties`]; it is never broken silently by index. When there is no tie, the
//! generator is not touched, so the same seed gives the same later draws. A method reports at
//! most one tie.
//!
//! # Cost
//!
//! Divisor methods jump to the signposts above an estimated divisor (the Hare divisor `W/U`,
//! shifted by half a unit per group for D'Hondt and Adams, whose roundings are biased), counted
//! exactly for each group from a floating guess, then step the few remaining units with a binary
//! heap (Pukelsheim's jump-and-step procedure): `O(n log n)` at worst, whatever the number of units. Hamilton is
//! `O(n)` on average (a selection of the largest remainders). 100 units among 200 groups take a
//! few microseconds (`cargo bench --bench apportion`).
//!
//! # Example
//!
//! ```
//! use floorshare::apportion::{apportion, Method};
//!
//! let regions = [5100.0, 3900.0, 2200.0, 1800.0, 900.0, 700.0, 300.0];
//! let mut rng = floorshare::lot::seeded(1);
//! let webster = apportion(Method::SainteLague, &regions, 100, &mut rng)?;
//! assert_eq!(webster.seats, [34, 26, 15, 12, 6, 5, 2]);
//! assert!(webster.ties.is_empty());
//! let jefferson = apportion(Method::DHondt, &regions, 100, &mut rng)?;
//! assert_eq!(jefferson.seats, [35, 26, 15, 12, 6, 4, 2]);
//!
//! // Two equal regions and one slot: a tie, broken by lot and reported.
//! let tied = apportion(Method::SainteLague, &[1.0, 1.0], 1, &mut rng)?;
//! assert_eq!(tied.ties[0].groups, [0, 1]);
//! assert_eq!(tied.seats.iter().sum::<u32>(), 1);
//! # Ok::<(), floorshare::Error>(())
//! ```

mod exact;
#[cfg(test)]
mod tests;

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::collections::binary_heap::PeekMut;
use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use rand::Rng;

use crate::{Error, Result, lot};
use exact::{Big, Dyadic, Nat, cmp_mul, cmp_sq_mul};

/// The most units [`apportion`] accepts. The bound keeps every exact product of a weight's
/// significand and two divisors within 128 bits (256 for Huntington–Hill).
///
/// ```
/// use floorshare::apportion::{apportion, Method, MAX_UNITS};
///
/// let mut rng = floorshare::lot::seeded(0);
/// assert!(apportion(Method::DHondt, &[1.0, 2.0], MAX_UNITS, &mut rng).is_ok());
/// let err = apportion(Method::DHondt, &[1.0, 2.0], MAX_UNITS + 1, &mut rng).unwrap_err();
/// assert_eq!(err.field(), "units");
/// ```
pub const MAX_UNITS: u32 = 1_000_000;

/// An apportionment method (see the [module documentation](self) for formulas and sources).
///
/// In JSON a method is its [`name`](Method::name): `hamilton`, `dhondt`, `sainte_lague`,
/// `modified_sainte_lague`, `huntington_hill`, `adams`, `dean`. The default is Sainte-Laguë.
///
/// ```
/// use floorshare::apportion::Method;
///
/// let method: Method = serde_json::from_str("\"dhondt\"")?;
/// assert_eq!(method, Method::DHondt);
/// assert_eq!(serde_json::to_string(&Method::default())?, "\"sainte_lague\"");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Largest remainders with the Hare quota: `⌊qᵢ⌋` each, then one more unit to each of the
    /// largest remainders. Within quota; shows the Alabama paradox.
    Hamilton,
    /// D'Hondt (Jefferson): divisors `s + 1` = 1, 2, 3, …; favours larger groups.
    #[serde(rename = "dhondt")]
    DHondt,
    /// Sainte-Laguë (Webster): divisors `2s + 1` = 1, 3, 5, …; unbiased between large and small
    /// groups. The default.
    #[default]
    SainteLague,
    /// Modified Sainte-Laguë: divisors 1.4, 3, 5, 7, …; makes a group's first unit harder to get.
    ModifiedSainteLague,
    /// Huntington–Hill (equal proportions): divisors `√(s(s+1))` = 0, √2, √6, …; every group
    /// first gets one unit.
    HuntingtonHill,
    /// Adams (smallest divisors): divisors `s` = 0, 1, 2, …; every group first gets one unit;
    /// favours smaller groups.
    Adams,
    /// Dean (harmonic mean): divisors `s(s+1)/(s+½)` = 0, 4/3, 12/5, …; every group first gets
    /// one unit.
    Dean,
}

impl Method {
    /// Every method, in declaration order.
    ///
    /// ```
    /// use floorshare::apportion::Method;
    ///
    /// for method in Method::ALL {
    ///     assert_eq!(method.name().parse::<Method>()?, method);
    /// }
    /// # Ok::<(), floorshare::Error>(())
    /// ```
    pub const ALL: [Method; 7] = [
        Method::Hamilton,
        Method::DHondt,
        Method::SainteLague,
        Method::ModifiedSainteLague,
        Method::HuntingtonHill,
        Method::Adams,
        Method::Dean,
    ];

    /// The method's JSON name.
    ///
    /// ```
    /// use floorshare::apportion::Method;
    ///
    /// assert_eq!(Method::ModifiedSainteLague.name(), "modified_sainte_lague");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Method::Hamilton => "hamilton",
            Method::DHondt => "dhondt",
            Method::SainteLague => "sainte_lague",
            Method::ModifiedSainteLague => "modified_sainte_lague",
            Method::HuntingtonHill => "huntington_hill",
            Method::Adams => "adams",
            Method::Dean => "dean",
        }
    }
}

impl fmt::Display for Method {
    /// Writes the JSON name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Method {
    type Err = Error;

    /// Reads a JSON name; anything else is an [`Error::InvalidValue`] for the field `method`.
    ///
    /// ```
    /// use floorshare::apportion::Method;
    ///
    /// assert_eq!("huntington_hill".parse::<Method>()?, Method::HuntingtonHill);
    /// let err = "webster".parse::<Method>().unwrap_err();
    /// assert_eq!(err.field(), "method");
    /// # Ok::<(), floorshare::Error>(())
    /// ```
    fn from_str(s: &str) -> Result<Self> {
        Method::ALL
            .into_iter()
            .find(|m| m.name() == s)
            .ok_or_else(|| {
                Error::invalid(
                    "method",
                    format!("{s:?}"),
                    "is not an apportionment method (hamilton, dhondt, sainte_lague, \
                     modified_sainte_lague, huntington_hill, adams, dean)",
                )
            })
    }
}

/// The result of [`apportion`]: the units of each group and the ties broken by lot.
///
/// ```
/// use floorshare::apportion::{apportion, Method};
///
/// let result = apportion(Method::Hamilton, &[2.0, 1.0], 3, &mut floorshare::lot::seeded(1))?;
/// assert_eq!(result.seats, [2, 1]);
/// assert!(result.ties.is_empty());
/// # Ok::<(), floorshare::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Apportionment {
    /// `seats[i]` units for the group of `weights[i]`; they sum to `units`.
    pub seats: Vec<u32>,
    /// The ties broken by lot (at most one per call); empty when the result is determined.
    pub ties: Vec<Tie>,
}

/// A tie broken by lot: `units` contested units could each go to any of `groups` with exactly
/// equal priority, and went to `winners`.
///
/// ```
/// use floorshare::apportion::{apportion, Method};
///
/// // Three equal groups, two units: which two is a lottery.
/// let result = apportion(Method::DHondt, &[4.0, 4.0, 4.0], 2, &mut floorshare::lot::seeded(3))?;
/// let tie = &result.ties[0];
/// assert_eq!(tie.groups, [0, 1, 2]);
/// assert_eq!(tie.units, 2);
/// assert_eq!(tie.winners.len(), 2);
/// for &g in &tie.winners {
///     assert_eq!(result.seats[g], 1);
/// }
/// # Ok::<(), floorshare::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Tie {
    /// Every tied group (indices into the weights), ascending; more than `units` of them.
    pub groups: Vec<usize>,
    /// The groups that got the contested units, ascending; `units` of them.
    pub winners: Vec<usize>,
    /// The number of contested units.
    pub units: u32,
}

/// Apportions `units` among groups in proportion to `weights` with `method`; `seats[i]` of the
/// result is the share of `weights[i]`. Ties are broken by lot with `rng` and reported; `rng` is
/// not touched when there is none (see the [module documentation](self)).
///
/// # Errors
///
/// [`Error::InvalidValue`] when a weight is not positive and finite (field `weights[i]`), when
/// `units` is above [`MAX_UNITS`] (field `units`), or when `units > 0` with no weights (field
/// `weights`). Zero units give every group zero.
///
/// ```
/// use floorshare::apportion::{apportion, Method};
///
/// let mut rng = floorshare::lot::seeded(1);
/// let votes = [5100.0, 3900.0, 2200.0, 1800.0, 900.0, 700.0, 300.0];
/// let result = apportion(Method::SainteLague, &votes, 100, &mut rng)?;
/// assert_eq!(result.seats, [34, 26, 15, 12, 6, 5, 2]);
///
/// // The generator may also be a trait object.
/// let dyn_rng: &mut dyn rand::Rng = &mut rng;
/// let adams = apportion(Method::Adams, &votes, 5, dyn_rng)?;
/// assert_eq!(adams.seats, [1, 1, 1, 1, 1, 0, 0]);
///
/// let err = apportion(Method::Hamilton, &[1.0, -2.0], 3, &mut rng).unwrap_err();
/// assert_eq!(err.to_string(), "weights[1]: -2 is not a positive finite number");
/// # Ok::<(), floorshare::Error>(())
/// ```
pub fn apportion(
    method: Method,
    weights: &[f64],
    units: u32,
    rng: &mut (impl Rng + ?Sized),
) -> Result<Apportionment> {
    if units > MAX_UNITS {
        return Err(Error::invalid(
            "units",
            units,
            format!("is more than {MAX_UNITS}, the most units apportioned exactly"),
        ));
    }
    let mut ws = Vec::with_capacity(weights.len());
    for (i, &w) in weights.iter().enumerate() {
        if !(w > 0.0 && w.is_finite()) {
            return Err(Error::invalid(
                format!("weights[{i}]"),
                w,
                "is not a positive finite number",
            ));
        }
        ws.push(Dyadic::from_f64(w));
    }
    if ws.is_empty() && units > 0 {
        return Err(Error::invalid(
            "weights",
            "[]",
            "is empty but units must be given",
        ));
    }
    let mut seats = vec![0; ws.len()];
    if units == 0 {
        return Ok(Apportionment {
            seats,
            ties: Vec::new(),
        });
    }
    let tie = match method {
        Method::Hamilton => hamilton(&ws, units, &mut seats, rng),
        Method::DHondt => divisor::<DHondt>(&ws, units, &mut seats, rng),
        Method::SainteLague => divisor::<SainteLague>(&ws, units, &mut seats, rng),
        Method::ModifiedSainteLague => divisor::<ModifiedSainteLague>(&ws, units, &mut seats, rng),
        Method::HuntingtonHill => divisor::<HuntingtonHill>(&ws, units, &mut seats, rng),
        Method::Adams => divisor::<Adams>(&ws, units, &mut seats, rng),
        Method::Dean => divisor::<Dean>(&ws, units, &mut seats, rng),
    };
    Ok(Apportionment {
        seats,
        ties: tie.into_iter().collect(),
    })
}

/// Floating estimates of the weights, all scaled by one power of two so that the largest is in
/// `[½, 1)` (no overflow whatever the exponents), and their sum. For starting guesses only.
fn estimates(ws: &[Dyadic]) -> (Vec<f64>, f64, i32) {
    let top = ws.iter().map(|w| w.top()).max().unwrap_or(0);
    let scaled: Vec<f64> = ws.iter().map(|w| w.scaled(top)).collect();
    let total = scaled.iter().sum();
    (scaled, total, top)
}

/// Gives the `count` contested units to `tied` (ascending): all of them when there are as many
/// groups as units, else to a subset drawn by lot, reported as a [`Tie`].
fn settle(
    tied: Vec<usize>,
    count: usize,
    seats: &mut [u32],
    rng: &mut (impl Rng + ?Sized),
) -> Option<Tie> {
    debug_assert!(count <= tied.len());
    if count >= tied.len() {
        for &g in &tied {
            seats[g] += 1;
        }
        return None;
    }
    let mut drawn = tied.clone();
    lot::draw_to_front(rng, &mut drawn, count);
    let mut winners = drawn[..count].to_vec();
    winners.sort_unstable();
    for &g in &winners {
        seats[g] += 1;
    }
    Some(Tie {
        groups: tied,
        winners,
        units: count as u32,
    })
}

/// Gives one unit to each of the `count` groups (`0 < count < keys.len()`) with the highest keys
/// under `cmp`, drawing lots among the groups whose key equals the last one taken when not all
/// of them can have one. Expected `O(n)`: a selection, then one pass.
fn award_top<K>(
    keys: Vec<K>,
    count: usize,
    cmp: impl Fn(&K, &K) -> Ordering,
    seats: &mut [u32],
    rng: &mut (impl Rng + ?Sized),
) -> Option<Tie> {
    debug_assert!(0 < count && count < keys.len());
    let mut order: Vec<(K, usize)> = keys.into_iter().zip(0..).collect();
    order.select_nth_unstable_by(count - 1, |a, b| cmp(&b.0, &a.0));
    let (taken, rest) = order.split_at(count - 1);
    let (cut, rest) = rest.split_first()?;
    let mut above = 0;
    let mut tied = vec![cut.1];
    for (key, g) in taken {
        if cmp(key, &cut.0).is_gt() {
            seats[*g] += 1;
            above += 1;
        } else {
            tied.push(*g);
        }
    }
    tied.extend(
        rest.iter()
            .filter(|(key, _)| cmp(key, &cut.0).is_eq())
            .map(|&(_, g)| g),
    );
    tied.sort_unstable();
    settle(tied, count - above, seats, rng)
}

// ---------------------------------------------------------------------------------------------
// Hamilton

fn hamilton(
    ws: &[Dyadic],
    units: u32,
    seats: &mut [u32],
    rng: &mut (impl Rng + ?Sized),
) -> Option<Tie> {
    // Bits of `W·U` on the common exponent: the narrowest integers that hold it are used.
    let low = ws.iter().map(|w| w.e).min().unwrap_or(0);
    let widest = ws
        .iter()
        .map(|w| i64::from(w.top() - low))
        .max()
        .unwrap_or(0);
    let bits = widest + i64::from(usize::BITS - ws.len().leading_zeros()) + 20;
    if bits <= 64
        && let Some(remainders) = exact_quotas::<u64>(ws, units, seats)
    {
        return hamilton_rest(remainders, units, seats, rng);
    }
    if bits <= 128
        && let Some(remainders) = exact_quotas::<u128>(ws, units, seats)
    {
        return hamilton_rest(remainders, units, seats, rng);
    }
    // Exponents far apart: arbitrary precision, which never overflows.
    let remainders = exact_quotas::<Big>(ws, units, seats).unwrap_or_default();
    hamilton_rest(remainders, units, seats, rng)
}

/// Writes `⌊qᵢ⌋` into `seats` and returns the remainders scaled by `W` (`wᵢ·U − ⌊qᵢ⌋·W`, all with
/// the same denominator, so they compare as integers), or `None` if `N` is too narrow.
fn exact_quotas<N: Nat>(ws: &[Dyadic], units: u32, seats: &mut [u32]) -> Option<Vec<N>> {
    let low = ws.iter().map(|w| w.e).min()?;
    let mut values = Vec::with_capacity(ws.len());
    for w in ws {
        values.push(N::shifted(w.m, (w.e - low) as u32)?);
    }
    let total = values.iter().try_fold(N::zero(), |sum, x| sum.add(x))?;
    let u = u64::from(units);
    // Every product below is at most `total·U`.
    total.mul_small(u)?;
    let skip = total.estimate_skip();
    let inverse = 1.0 / total.estimate(skip);
    for (x, seat) in values.iter_mut().zip(seats.iter_mut()) {
        let product = x.mul_small(u)?;
        // A floating guess of ⌊qᵢ⌋, then exact correction: ⌊qᵢ⌋·W ≤ wᵢ·U < (⌊qᵢ⌋ + 1)·W.
        // (`as` truncates towards zero and saturates, NaN to 0.)
        let mut floor = u64::from((product.estimate(skip) * inverse) as u32).min(u);
        let mut given = total.mul_small(floor)?;
        while given > product {
            floor -= 1;
            given = given.sub(&total);
        }
        let mut remainder = product.sub(&given);
        while remainder >= total {
            floor += 1;
            remainder = remainder.sub(&total);
        }
        *seat = floor as u32;
        *x = remainder;
    }
    Some(values)
}

fn hamilton_rest<N: Ord>(
    remainders: Vec<N>,
    units: u32,
    seats: &mut [u32],
    rng: &mut (impl Rng + ?Sized),
) -> Option<Tie> {
    let given: u64 = seats.iter().map(|&s| u64::from(s)).sum();
    let left = (u64::from(units) - given) as usize;
    if left == 0 {
        return None;
    }
    award_top(remainders, left, N::cmp, seats, rng)
}

// ---------------------------------------------------------------------------------------------
// Divisor methods

/// A divisor method, as integer priorities: the priority of a group of weight `w` holding `s`
/// units is `w·den(s)/num(s)` (squared weight for Huntington–Hill), a positive multiple of
/// `w/d(s)`, infinite when `num(s) = 0`.
trait Rule {
    /// `d(0) = 0`: every group gets a first unit.
    const FIRST_UNIT: bool = false;
    /// Priorities compare `w²·den/num` (Huntington–Hill).
    const SQUARED: bool = false;
    /// The priority corresponding to the Hare divisor `W/U` is `SCALE·W/U`.
    const SCALE: f64;
    /// Rounding bias per group: with the divisor `W/(U + OFFSET·n)` the counts sum to about `U`
    /// (D'Hondt rounds quotas down, so ½; Adams rounds them up, so −½).
    const OFFSET: f64 = 0.0;
    fn num(s: u64) -> u64;
    fn den(_s: u64) -> u64 {
        1
    }
    /// A guess of the number of signposts above the scaled Hare divisor, from the quota `q`
    /// (`as` truncates towards zero and saturates, NaN to 0).
    fn guess(q: f64) -> u64 {
        u64::from((q + 0.5) as u32)
    }
}

struct DHondt;
impl Rule for DHondt {
    const SCALE: f64 = 1.0;
    const OFFSET: f64 = 0.5;
    fn num(s: u64) -> u64 {
        s + 1
    }
    fn guess(q: f64) -> u64 {
        u64::from(q as u32)
    }
}

struct SainteLague;
impl Rule for SainteLague {
    const SCALE: f64 = 0.5;
    fn num(s: u64) -> u64 {
        2 * s + 1
    }
}

/// Divisors times 5: 7, 15, 25, 35, …
struct ModifiedSainteLague;
impl Rule for ModifiedSainteLague {
    const SCALE: f64 = 0.1;
    fn num(s: u64) -> u64 {
        if s == 0 { 7 } else { 5 * (2 * s + 1) }
    }
}

/// Squared divisors `s(s+1)`.
struct HuntingtonHill;
impl Rule for HuntingtonHill {
    const FIRST_UNIT: bool = true;
    const SQUARED: bool = true;
    const SCALE: f64 = 1.0;
    fn num(s: u64) -> u64 {
        s * (s + 1)
    }
}

struct Adams;
impl Rule for Adams {
    const FIRST_UNIT: bool = true;
    const SCALE: f64 = 1.0;
    const OFFSET: f64 = -0.5;
    fn num(s: u64) -> u64 {
        s
    }
    fn guess(q: f64) -> u64 {
        u64::from(q as u32) + 1
    }
}

/// Priority `w(2s+1)/(s(s+1))`, which is `2w/d(s)`.
struct Dean;
impl Rule for Dean {
    const FIRST_UNIT: bool = true;
    const SCALE: f64 = 2.0;
    fn num(s: u64) -> u64 {
        s * (s + 1)
    }
    fn den(s: u64) -> u64 {
        2 * s + 1
    }
}

/// Compares the priority of weight `a` holding `sa` units with that of `b` holding `sb`.
/// With `s ≤ MAX_UNITS + 1`, `den·num ≤ (2s+1)·s(s+1) < 2^63`, so the factors fit in `u64`.
#[inline]
fn cmp_priority<R: Rule>(a: Dyadic, sa: u64, b: Dyadic, sb: u64) -> Ordering {
    let x = R::den(sa) * R::num(sb);
    let y = R::den(sb) * R::num(sa);
    if R::SQUARED {
        cmp_sq_mul(a, x, b, y)
    } else {
        cmp_mul(a, x, b, y)
    }
}

/// Compares the priority of weight `a` holding `s` units with the level `level` (a priority
/// value: `level²` for squared rules).
#[inline]
fn cmp_level<R: Rule>(a: Dyadic, s: u64, level: Dyadic) -> Ordering {
    if R::SQUARED {
        cmp_sq_mul(a, R::den(s), level, R::num(s))
    } else {
        cmp_mul(a, R::den(s), level, R::num(s))
    }
}

/// A signpost in a heap: group `group` of weight `w` at `s` units, ordered by priority.
struct Post<R> {
    w: Dyadic,
    s: u64,
    group: usize,
    rule: PhantomData<R>,
}

impl<R> Post<R> {
    fn new(w: Dyadic, s: u64, group: usize) -> Self {
        Post {
            w,
            s,
            group,
            rule: PhantomData,
        }
    }
}

impl<R: Rule> Ord for Post<R> {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_priority::<R>(self.w, self.s, other.w, other.s)
    }
}

impl<R: Rule> PartialOrd for Post<R> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<R: Rule> PartialEq for Post<R> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl<R: Rule> Eq for Post<R> {}

fn divisor<R: Rule>(
    ws: &[Dyadic],
    units: u32,
    seats: &mut [u32],
    rng: &mut (impl Rng + ?Sized),
) -> Option<Tie> {
    let n = ws.len();
    if R::FIRST_UNIT && (units as usize) < n {
        // Fewer units than groups: one each to the largest weights.
        return award_top(
            ws.to_vec(),
            units as usize,
            |&a, &b| cmp_mul(a, 1, b, 1),
            seats,
            rng,
        );
    }
    let u = u64::from(units);
    let (ws, common) = align(ws);

    // Jump to the signposts above a level near the method's divisor for `U` units; if a group
    // would pass `U` units there, to those above the plain Hare level (never more than `U`
    // each); as a last resort, start from nothing taken (infinite level).
    let mut counts = vec![0; n];
    let sum = jump::<R>(&ws, common, u, u as f64 + R::OFFSET * n as f64, &mut counts)
        .or_else(|| jump::<R>(&ws, common, u, u as f64, &mut counts))
        .unwrap_or_else(|| {
            let first = u64::from(R::FIRST_UNIT);
            counts.fill(first);
            first * n as u64
        });

    // Step: take the next highest signposts, or give back the lowest ones taken. The counts
    // being exact, the signposts taken are all above those not taken, except that the last
    // one stepped over may equal the best on the other side: that is the only possible tie.
    let mut tie_at = None;
    if sum < u {
        let mut heap: BinaryHeap<Post<R>> =
            (0..n).map(|g| Post::new(ws[g], counts[g], g)).collect();
        let mut last = None;
        for _ in sum..u {
            let Some(mut post) = heap.peek_mut() else {
                break;
            };
            last = Some((post.w, post.s));
            counts[post.group] += 1;
            post.s += 1;
        }
        // `last` is the lowest signpost taken, the heap's top the highest not taken.
        if let (Some((w, s)), Some(next)) = (last, heap.peek())
            && cmp_priority::<R>(w, s, next.w, next.s).is_eq()
        {
            tie_at = Some((w, s));
        }
    } else if sum > u {
        let mut heap: BinaryHeap<Reverse<Post<R>>> = (0..n)
            .filter(|&g| counts[g] > 0)
            .map(|g| Reverse(Post::new(ws[g], counts[g] - 1, g)))
            .collect();
        let mut last = None;
        for _ in u..sum {
            let Some(mut post) = heap.peek_mut() else {
                break;
            };
            let g = post.0.group;
            last = Some((post.0.w, post.0.s));
            counts[g] -= 1;
            if counts[g] == 0 {
                PeekMut::pop(post);
            } else {
                post.0.s -= 1;
            }
        }
        // `last` is the highest signpost not taken, the heap's top the lowest taken.
        if let (Some((w, s)), Some(Reverse(low))) = (last, heap.peek())
            && cmp_priority::<R>(w, s, low.w, low.s).is_eq()
        {
            tie_at = Some((w, s));
        }
    }

    let Some((wt, st)) = tie_at else {
        write_counts(&counts, seats);
        return None;
    };
    // Groups whose last unit is at the tied priority give it back; they and the groups whose
    // next unit is at that priority draw lots for those units.
    let mut tied = Vec::new();
    let mut contested = 0;
    for g in 0..n {
        if counts[g] > 0 && cmp_priority::<R>(ws[g], counts[g] - 1, wt, st).is_eq() {
            counts[g] -= 1;
            contested += 1;
            tied.push(g);
        } else if cmp_priority::<R>(ws[g], counts[g], wt, st).is_eq() {
            tied.push(g);
        }
    }
    write_counts(&counts, seats);
    settle(tied, contested, seats, rng)
}

/// Sets `counts[i]` to the number of signposts of group `i` strictly above a level of about
/// `SCALE·W/units` (exactly, by comparisons checking a floating guess) and returns their sum; or
/// `None` if some group has more than `u` signposts above it.
///
/// The level is raised by 2⁻²⁰ so that it is above `SCALE·W/U` despite rounding when `units` is
/// `U`: each count is then at most `qᵢ ≤ U`, so the plain Hare level never fails.
fn jump<R: Rule>(
    ws: &[Dyadic],
    common: Option<i32>,
    u: u64,
    units: f64,
    counts: &mut [u64],
) -> Option<u64> {
    let (scaled, total, top) = estimates(ws);
    let level_f = total / units * R::SCALE * (1.0 + 1.0 / f64::from(1 << 20));
    let mut level = Dyadic::from_f64(level_f).times_pow2(top);
    if let Some(e) = common {
        level = level.aligned_up(e);
    }
    let factor = units / total;
    let mut sum = 0;
    for ((&w, &approx), count) in ws.iter().zip(&scaled).zip(counts.iter_mut()) {
        let mut s = R::guess(approx * factor).min(u);
        // The count is the least `s` whose signpost is not above the level.
        if cmp_level::<R>(w, s, level).is_gt() {
            loop {
                if s == u {
                    return None;
                }
                s += 1;
                if !cmp_level::<R>(w, s, level).is_gt() {
                    break;
                }
            }
        } else {
            while s > 0 && !cmp_level::<R>(w, s - 1, level).is_gt() {
                s -= 1;
            }
        }
        *count = s;
        sum += s;
    }
    Some(sum)
}

/// The weights on their smallest exponent when every significand then fits in 64 bits (so
/// that comparisons need no exponent alignment), with that exponent; else unchanged.
fn align(ws: &[Dyadic]) -> (Vec<Dyadic>, Option<i32>) {
    let low = ws.iter().map(|w| w.e).min().unwrap_or(0);
    let fits = ws.iter().all(|w| w.top() - low <= 64);
    if fits {
        (ws.iter().map(|w| w.aligned_up(low)).collect(), Some(low))
    } else {
        (ws.to_vec(), None)
    }
}

/// Copies the counts (each at most `MAX_UNITS`) into `seats`.
fn write_counts(counts: &[u64], seats: &mut [u32]) {
    for (seat, &s) in seats.iter_mut().zip(counts) {
        *seat = s as u32;
    }
}
