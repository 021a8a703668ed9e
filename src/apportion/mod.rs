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
//! group (the *Alabama paradox* of 1880, Balinski & Young). It apportioned the US House for
//! the censuses of 1850 to 1900 (Apportionment Act of 1850) and, as Hare–Niemeyer, the German
//! Bundestag in the elections of 1987 to 2005 (Bundeswahlgesetz).
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
//! Where the divisor methods come from and where they are used:
//!
//! - **D'Hondt**: Thomas Jefferson's method, used for the US House for the censuses of 1790 to
//!   1830; V. D'Hondt, *Système pratique et raisonné de représentation proportionnelle*, 1882;
//!   list elections in Belgium since 1899 and, for example, the Spanish Congress of Deputies
//!   (Ley Orgánica 5/1985 del Régimen Electoral General, art. 163).
//! - **Sainte-Laguë**: Daniel Webster's method (1832), used for the US House for the censuses of
//!   1840, 1910 and 1930; A. Sainte-Laguë, 1910; the German Bundestag since 2008
//!   (Bundeswahlgesetz, Sainte-Laguë/Schepers) and the list seats of the New Zealand House of
//!   Representatives (Electoral Act 1993).
//! - **Modified Sainte-Laguë**: the Norwegian Storting (Norwegian Election Act: divisors 1.4, 3,
//!   5, 7, …) and the Swedish Riksdag from 1952 (first divisor 1.2 since the 2018 election, a
//!   variant not offered here).
//! - **Huntington–Hill**: J. A. Hill (1911) and E. V. Huntington (1921); "the method of equal
//!   proportions" of the US House since the 1940 census (Act of 15 November 1941, 2 U.S.C. § 2a),
//!   upheld in *United States Department of Commerce v. Montana*, 503 U.S. 442 (1992).
//! - **Adams**: proposed by John Quincy Adams in 1832; never used for the US House.
//! - **Dean**: proposed by James Dean in 1832; never used for the US House; the method Montana
//!   asked for in *Department of Commerce v. Montana*.
//!
//! Sources: M. L. Balinski and H. P. Young, *Fair Representation: Meeting the Ideal of One Man,
//! One Vote*, 2nd ed., Brookings Institution Press, 2001 (methods, paradoxes, the quota and
//! monotonicity properties); F. Pukelsheim, *Proportional Representation: Apportionment Methods
//! and Their Applications*, 2nd ed., Springer, 2017 (signposts, the jump-and-step algorithm used
//! here, ties). The 300 reference cases in `tests/fixtures/apportionment.json` come from the
//! Python `apportionment` package 1.0 (M. Lackner) and all match.
//!
//! # Election-grade options
//!
//! [`apportion_with`] takes [`Group`]s (a weight, which may be zero, and the least and most
//! units of the group) and [`Options`]: the [`Quota`] of the largest remainder method (Hare,
//! Droop, Hagenbach-Bischoff, Imperiali), a [`Threshold`] for its remainder units (the Dutch
//! rule for bodies under 19 seats, Kieswet art. P 8), and supplied lots deciding ties as an
//! official drawing of lots did ([`LotSource`] says which decided). [`apportion_labelled`] does
//! the same over labelled groups. [`apportion`] and [`apportion_into`] are the case without
//! options, and give the same results and draws through the same code. The tests reproduce
//! published results: the US House 2020 (Huntington–Hill) with the Census Bureau's close-call
//! margins, the 1930 House (Webster with the one-seat floor), the Bundestag 2025, Dutch
//! councils and the Roermond 2026 tie decided by lot.
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
//! heap (Pukelsheim's jump-and-step procedure): `O(n log n)` at worst, whatever the number of
//! units. Hamilton is `O(n)` on average (a selection of the largest remainders). 100 units among
//! 200 groups take a few microseconds (`cargo bench --bench apportion`). [`apportion`] allocates
//! its result and working memory on every call; [`apportion_into`] keeps them in a [`Workspace`]
//! and a result reused from call to call, and then allocates nothing.
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

mod divisor;
mod exact;
mod largest_remainder;
mod options;
#[cfg(test)]
mod tests;

pub use options::{
    Group, Labelled, LotSource, Options, Quota, Threshold, apportion_labelled, apportion_with,
    apportion_with_into,
};

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use rand::Rng;

use crate::{Error, Result, lot};
use divisor::{Adams, DHondt, Dean, HuntingtonHill, ModifiedSainteLague, SainteLague, divisor};
use exact::Dyadic;
use largest_remainder::{Fix, largest_remainder};

/// The most units [`apportion`] and [`apportion_into`] accept. The bound keeps every exact
/// product of a weight's significand and two divisors within 128 bits (256 for
/// Huntington–Hill).
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
/// More methods will be added (quota methods such as Droop's), so a `match` on a method needs a
/// wildcard arm.
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
#[non_exhaustive]
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

    /// Reads a JSON name.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidValue`] for the field `method` when `s` is not the name of a method.
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

/// The result of [`apportion`] (or [`apportion_into`]): the units of each group and the ties
/// broken by lot.
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
    /// The ties broken by lot, in the order they were met (at most one per call without options;
    /// with a remainder [`Threshold`], one in each of its two stages); empty when the result is
    /// determined.
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
    /// Who decided the tie: the seeded generator (the default, left out of JSON) or a lot the
    /// caller supplied ([`Options::lot`]).
    #[serde(default, skip_serializing_if = "LotSource::is_seeded")]
    pub lot: LotSource,
}

/// Apportions `units` among groups in proportion to `weights` with `method`; `seats[i]` of the
/// result is the share of `weights[i]`. Ties are broken by lot with `rng` and reported; `rng` is
/// not touched when there is none (see the [module documentation](self)).
///
/// This allocates the result and working memory on every call; [`apportion_into`] gives the
/// same result (and the same draws) in reused memory.
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
    let mut result = Apportionment::default();
    apportion_into(
        method,
        weights,
        units,
        rng,
        &mut Workspace::default(),
        &mut result,
    )?;
    Ok(result)
}

/// The working memory of [`apportion_into`], reused from call to call: the exact weights, the
/// quotas, counts, heap and selection buffers of the methods, and a spare [`Tie`].
///
/// A workspace holds no result, only capacity: any workspace may serve any call, whatever the
/// method or the number of groups, and calls give the same results as with a new one. Its
/// memory only grows: a call allocates only when it needs more room than the calls before it
/// (more groups, a tie among more groups, or, for Hamilton's method, weights spanning more
/// binary orders of magnitude), so after warming up on the problems of a run, repeating them
/// allocates nothing. A new workspace allocates nothing until used. Each thread of a parallel
/// run needs its own.
///
/// ```
/// use floorshare::apportion::{apportion_into, Apportionment, Method, Workspace};
///
/// let mut workspace = Workspace::default();
/// let mut result = Apportionment::default();
/// let mut rng = floorshare::lot::seeded(1);
/// for units in 1..=10 {
///     apportion_into(Method::DHondt, &[3.0, 2.0], units, &mut rng, &mut workspace, &mut result)?;
///     assert_eq!(result.seats.iter().sum::<u32>(), units);
/// }
/// # Ok::<(), floorshare::Error>(())
/// ```
#[derive(Debug, Default)]
pub struct Workspace {
    /// The weights of the groups still apportioned, as exact binary numbers.
    weights: Vec<Dyadic>,
    /// The memory of the divisor methods.
    divisor: divisor::Buffers,
    /// The memory of the largest remainder method.
    hamilton: largest_remainder::Buffers,
    /// Ties' memory, kept between the ties written into results.
    spare_ties: Vec<Tie>,
    /// The group (index into the caller's groups) of each weight apportioned.
    map: Vec<usize>,
    /// The least units of each group apportioned.
    lo: Vec<u32>,
    /// The most units of each group apportioned.
    hi: Vec<u32>,
    /// The units of each group apportioned.
    seats: Vec<u32>,
    /// The groups the bounds fix, in the largest remainder method.
    fixes: Vec<Fix>,
}
///
/// The result and the generator's draws are exactly those of [`apportion`] with the same
/// arguments, whatever `workspace` and `out` held before. `out.seats` and `out.ties` keep their
/// memory (a tie's `groups` and `winners` too, moved between `out` and `workspace`), and the
/// workspace keeps its own, so a call allocates only when it needs more room than the calls
/// before it (see [`Workspace`]). A simulation can thus keep one workspace and one result for
/// all its sessions and, once they have grown, allocate nothing for apportionment.
///
/// # Errors
///
/// As [`apportion`]: [`Error::InvalidValue`] when a weight is not positive and finite (field
/// `weights[i]`), when `units` is above [`MAX_UNITS`] (field `units`), or when `units > 0` with
/// no weights (field `weights`). On an error `out` is left empty (no seats, no ties) and the
/// generator untouched. Building the error allocates.
///
/// # Example
///
/// ```
/// use floorshare::apportion::{apportion, apportion_into, Apportionment, Method, Workspace};
///
/// let regions = [5100.0, 3900.0, 2200.0, 1800.0, 900.0, 700.0, 300.0];
/// let mut workspace = Workspace::default();
/// let mut quotas = Apportionment::default();
/// let mut rng = floorshare::lot::seeded(1);
/// // One workspace and one result for every session: after the first, no allocation.
/// for slots in [20, 12, 30] {
///     apportion_into(Method::SainteLague, &regions, slots, &mut rng, &mut workspace, &mut quotas)?;
///     assert_eq!(quotas.seats.iter().sum::<u32>(), slots);
/// }
/// assert_eq!(quotas.seats, [10, 8, 4, 4, 2, 1, 1]);
///
/// // Same result and same draws as `apportion`, ties included.
/// let (mut a, mut b) = (floorshare::lot::seeded(7), floorshare::lot::seeded(7));
/// apportion_into(Method::Hamilton, &[1.0, 1.0, 1.0], 2, &mut a, &mut workspace, &mut quotas)?;
/// assert_eq!(quotas, apportion(Method::Hamilton, &[1.0, 1.0, 1.0], 2, &mut b)?);
/// assert_eq!(quotas.ties[0].groups, [0, 1, 2]);
///
/// let err = apportion_into(Method::DHondt, &[1.0, 0.0], 1, &mut a, &mut workspace, &mut quotas)
///     .unwrap_err();
/// assert_eq!(err.field(), "weights[1]");
/// assert!(quotas.seats.is_empty() && quotas.ties.is_empty());
/// # Ok::<(), floorshare::Error>(())
/// ```
pub fn apportion_into(
    method: Method,
    weights: &[f64],
    units: u32,
    rng: &mut (impl Rng + ?Sized),
    workspace: &mut Workspace,
    out: &mut Apportionment,
) -> Result<()> {
    run(method, weights, units, None, rng, workspace, out)
}

/// The groups given to [`run`]: positional weights (positive, unbounded) or [`Group`]s (weights
/// of zero allowed, bounds).
pub(super) trait Groups {
    /// The number of groups.
    fn count(&self) -> usize;
    /// The weight of group `i`.
    fn weight(&self, i: usize) -> f64;
    /// The least and most units of group `i`.
    fn bounds(&self, i: usize) -> (u32, u32);
    /// The field of group `i`'s weight in errors, and what a valid weight is.
    fn weight_field(&self, i: usize) -> (String, &'static str);
    /// Whether a weight of zero is allowed.
    const ZERO: bool;
    /// The name of the groups in errors.
    const NAME: &'static str;
}

impl Groups for [f64] {
    fn count(&self) -> usize {
        self.len()
    }
    fn weight(&self, i: usize) -> f64 {
        self[i]
    }
    fn bounds(&self, _: usize) -> (u32, u32) {
        (0, u32::MAX)
    }
    fn weight_field(&self, i: usize) -> (String, &'static str) {
        (format!("weights[{i}]"), "is not a positive finite number")
    }
    const ZERO: bool = false;
    const NAME: &'static str = "weights";
}

/// Apportions as [`apportion_into`] does, with the extensions of `options`: the one
/// implementation of every entry point.
fn run<G: Groups + ?Sized>(
    method: Method,
    groups: &G,
    units: u32,
    options: Option<&Options>,
    rng: &mut (impl Rng + ?Sized),
    workspace: &mut Workspace,
    out: &mut Apportionment,
) -> Result<()> {
    let Workspace {
        weights: ws,
        divisor: divisor_buffers,
        hamilton: hamilton_buffers,
        spare_ties,
        map,
        lo,
        hi,
        seats,
        fixes,
    } = workspace;
    // Keep the ties of the previous result as spares.
    spare_ties.append(&mut out.ties);
    out.seats.clear();
    let result = prepare(method, groups, units, options, out, ws, map, lo, hi);
    let rest = match result {
        Ok(rest) => rest,
        Err(error) => {
            out.seats.clear();
            return Err(error);
        }
    };
    let mut rest = rest;
    if method == Method::Hamilton && (lo.iter().any(|&l| l > 0) || hi.iter().any(|&h| h < rest)) {
        // The bounds fix some groups at their min or max; the others share the rest.
        loop {
            fixes.clear();
            fixes.resize(ws.len(), Fix::Free);
            if !largest_remainder::fix_bounds(ws, rest, lo, hi, fixes, hamilton_buffers) {
                break;
            }
            let mut kept = 0;
            for j in 0..ws.len() {
                let s = match fixes[j] {
                    Fix::Free => {
                        ws[kept] = ws[j];
                        map[kept] = map[j];
                        lo[kept] = lo[j];
                        hi[kept] = hi[j];
                        kept += 1;
                        continue;
                    }
                    Fix::Min => lo[j],
                    Fix::Max => hi[j],
                };
                out.seats[map[j]] = s;
                rest -= s;
            }
            ws.truncate(kept);
            map.truncate(kept);
            lo.truncate(kept);
            hi.truncate(kept);
        }
    }
    finish(
        method,
        rest,
        options,
        rng,
        (ws, map, lo, hi, seats),
        (divisor_buffers, hamilton_buffers, spare_ties),
        out,
    )
}

/// The memory of the groups apportioned: weights, groups, least and most units, units.
type Active<'a> = (
    &'a mut Vec<Dyadic>,
    &'a mut Vec<usize>,
    &'a mut Vec<u32>,
    &'a mut Vec<u32>,
    &'a mut Vec<u32>,
);

/// The memory of the methods and the spare ties.
type Methods<'a> = (
    &'a mut divisor::Buffers,
    &'a mut largest_remainder::Buffers,
    &'a mut Vec<Tie>,
);

/// Apportions `rest` units among the groups left in `active` and writes their units into `out`.
fn finish(
    method: Method,
    rest: u32,
    options: Option<&Options>,
    rng: &mut (impl Rng + ?Sized),
    (ws, map, lo, hi, seats): Active<'_>,
    (d, h, spare_ties): Methods<'_>,
    out: &mut Apportionment,
) -> Result<()> {
    seats.clear();
    seats.resize(ws.len(), 0);
    if rest == 0 || ws.is_empty() {
        for (j, &g) in map.iter().enumerate() {
            out.seats[g] = lo[j];
        }
        return Ok(());
    }
    let default = Options::default();
    let options = options.unwrap_or(&default);
    let mut draw = Draw {
        rng,
        supplied: &options.lots,
        map,
        ties: &mut out.ties,
        spare: spare_ties,
        error: None,
    };
    let s = &mut seats[..];
    let (lo, hi) = (&lo[..], &hi[..]);
    let draw = &mut draw;
    match method {
        Method::Hamilton => largest_remainder(ws, rest, s, h, lo, hi, options, draw),
        Method::DHondt => divisor::<DHondt, _>(ws, rest, s, d, lo, hi, draw),
        Method::SainteLague => divisor::<SainteLague, _>(ws, rest, s, d, lo, hi, draw),
        Method::ModifiedSainteLague => {
            divisor::<ModifiedSainteLague, _>(ws, rest, s, d, lo, hi, draw)
        }
        Method::HuntingtonHill => divisor::<HuntingtonHill, _>(ws, rest, s, d, lo, hi, draw),
        Method::Adams => divisor::<Adams, _>(ws, rest, s, d, lo, hi, draw),
        Method::Dean => divisor::<Dean, _>(ws, rest, s, d, lo, hi, draw),
    }
    if let Some(error) = draw.error.take() {
        draw.spare.append(draw.ties);
        out.seats.clear();
        return Err(error);
    }
    for (&g, &s) in draw.map.iter().zip(seats.iter()) {
        out.seats[g] = s;
    }
    Ok(())
}

/// Checks the groups, units and options; writes the units of the groups given no share (weight
/// zero, or min = max) into `out.seats` and puts the others into `ws`, `map`, `lo` and `hi`.
/// Returns the units left for them.
#[allow(clippy::too_many_arguments)]
fn prepare<G: Groups + ?Sized>(
    method: Method,
    groups: &G,
    units: u32,
    options: Option<&Options>,
    out: &mut Apportionment,
    ws: &mut Vec<Dyadic>,
    map: &mut Vec<usize>,
    lo: &mut Vec<u32>,
    hi: &mut Vec<u32>,
) -> Result<u32> {
    ws.clear();
    map.clear();
    lo.clear();
    hi.clear();
    if units > MAX_UNITS {
        return Err(Error::invalid(
            "units",
            units,
            format!("is more than {MAX_UNITS}, the most units apportioned exactly"),
        ));
    }
    let n = groups.count();
    let (mut mins, mut maxs, mut capacity) = (0u64, 0u64, 0u64);
    let mut first_zero = None;
    for i in 0..n {
        let w = groups.weight(i);
        let valid = w.is_finite() && (w > 0.0 || (G::ZERO && w == 0.0));
        if !valid {
            let (field, what) = groups.weight_field(i);
            return Err(Error::invalid(field, w, what));
        }
        let (min, max) = groups.bounds(i);
        if min > max {
            return Err(Error::invalid(
                format!("{}[{i}].min", G::NAME),
                min,
                format!("is above the group's max, {max}"),
            ));
        }
        mins += u64::from(min);
        if mins > u64::from(units) {
            return Err(Error::invalid(
                format!("{}[{i}].min", G::NAME),
                min,
                format!("brings the groups' minimums to {mins}, more than the {units} units"),
            ));
        }
        maxs += u64::from(max);
        if w > 0.0 {
            capacity += u64::from(max);
            ws.push(Dyadic::from_f64(w));
            map.push(i);
            lo.push(min);
            hi.push(max.min(units));
        } else {
            capacity += u64::from(min);
            first_zero.get_or_insert(i);
        }
    }
    if n == 0 && units > 0 {
        return Err(Error::invalid(
            G::NAME,
            "[]",
            "is empty but units must be given",
        ));
    }
    if maxs < u64::from(units) {
        return Err(Error::invalid(
            format!("{}[{}].max", G::NAME, n - 1),
            groups.bounds(n - 1).1,
            format!("leaves the groups' maximums at {maxs}, fewer than the {units} units"),
        ));
    }
    if capacity < u64::from(units) {
        let i = first_zero.unwrap_or(0);
        let (field, _) = groups.weight_field(i);
        return Err(Error::invalid(
            field,
            0,
            format!(
                "is zero, and the groups of positive weight cannot take the {units} units \
                 within their maximums (at most {capacity} with the minimums of the others)"
            ),
        ));
    }
    if let Some(options) = options {
        options.check(method, n)?;
    }
    out.seats.resize(n, 0);
    // Zero weights and groups with min = max (a max above the units counts as the units)
    // take their min and no part in the method.
    let mut rest = units;
    for i in 0..n {
        let (min, max) = groups.bounds(i);
        if groups.weight(i) == 0.0 || min == max.min(units) {
            out.seats[i] = min;
            rest -= min;
        }
    }
    let mut kept = 0;
    for j in 0..ws.len() {
        if lo[j] < hi[j] {
            ws[kept] = ws[j];
            map[kept] = map[j];
            lo[kept] = lo[j];
            hi[kept] = hi[j];
            kept += 1;
        }
    }
    ws.truncate(kept);
    map.truncate(kept);
    lo.truncate(kept);
    hi.truncate(kept);
    Ok(rest)
}

// Ties settled by a supplied lot or by the generator, for every method.

/// Where ties are settled: by the lots the caller supplied, in the order of the ties, else by
/// the generator; the ties settled go into the result.
pub(super) struct Draw<'a, R: ?Sized> {
    /// The generator.
    rng: &'a mut R,
    /// The supplied lots: the winners of each tie, as the caller's group indices.
    supplied: &'a [Vec<usize>],
    /// The caller's group of each group apportioned.
    map: &'a [usize],
    /// The ties settled so far.
    ties: &'a mut Vec<Tie>,
    /// Spare ties, for their memory.
    spare: &'a mut Vec<Tie>,
    /// A supplied lot that does not fit its tie.
    error: Option<Error>,
}

impl<R: Rng + ?Sized> Draw<'_, R> {
    /// An empty tie, from the spares when there are some.
    pub(super) fn blank(&mut self) -> Tie {
        let mut tie = self.spare.pop().unwrap_or_default();
        tie.groups.clear();
        tie.winners.clear();
        tie.units = 0;
        tie.lot = LotSource::Seeded;
        tie
    }

    /// Gives the `count` contested units to `tie.groups` (ascending indices of the groups
    /// apportioned): all of them when there are as many groups as units, else to the winners of
    /// the next supplied lot or, when none is left, of a lot drawn with the generator; the tie
    /// then goes into the result, in the caller's indices.
    pub(super) fn settle(&mut self, mut tie: Tie, count: usize, seats: &mut [u32]) {
        debug_assert!(count <= tie.groups.len());
        if count >= tie.groups.len() {
            for &g in &tie.groups {
                seats[g] += 1;
            }
            self.spare.push(tie);
            return;
        }
        let winners = &mut tie.winners;
        winners.clear();
        if let Some(lot) = self.supplied.get(self.ties.len()) {
            let index = self.ties.len();
            for &w in lot {
                if let Some(g) = tie.groups.iter().position(|&g| self.map[g] == w)
                    && !winners.contains(&tie.groups[g])
                {
                    winners.push(tie.groups[g]);
                }
            }
            if winners.len() != count || lot.len() != count {
                let tied: Vec<usize> = tie.groups.iter().map(|&g| self.map[g]).collect();
                self.error.get_or_insert_with(|| {
                    Error::invalid(
                        format!("lots[{index}]"),
                        format!("{lot:?}"),
                        format!(
                            "does not name {count} distinct winners among the tied groups \
                             {tied:?}"
                        ),
                    )
                });
                winners.clear();
                winners.extend_from_slice(&tie.groups[..count]);
            }
            tie.lot = LotSource::Supplied;
        } else {
            winners.extend_from_slice(&tie.groups);
            lot::draw_to_front(self.rng, winners, count);
            winners.truncate(count);
            tie.lot = LotSource::Seeded;
        }
        winners.sort_unstable();
        for &g in winners.iter() {
            seats[g] += 1;
        }
        tie.units = count as u32;
        for g in tie.groups.iter_mut().chain(tie.winners.iter_mut()) {
            *g = self.map[*g];
        }
        self.ties.push(tie);
    }
}

/// Gives one unit to each of the `count` groups (`0 < count < order.len()`) with the highest
/// keys under `cmp` (`order` holds each key with its group, and is reordered), settling a tie
/// among the groups whose key equals the last one taken when not all of them can have one.
/// Expected `O(n)`: a selection, then one pass.
fn award_top<K, R: Rng + ?Sized>(
    order: &mut [(K, usize)],
    count: usize,
    cmp: impl Fn(&K, &K) -> Ordering,
    seats: &mut [u32],
    draw: &mut Draw<'_, R>,
) {
    debug_assert!(0 < count && count < order.len());
    order.select_nth_unstable_by(count - 1, |a, b| cmp(&b.0, &a.0));
    let (taken, rest) = order.split_at(count - 1);
    let Some((cut, rest)) = rest.split_first() else {
        return;
    };
    let mut above = 0;
    let mut tie = draw.blank();
    let tied = &mut tie.groups;
    tied.push(cut.1);
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
    draw.settle(tie, count - above, seats);
}
