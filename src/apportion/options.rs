//! Election-grade options: bounds per group, weights of zero, quotas and a threshold for the
//! largest remainder method, supplied lots, and labelled groups.

use std::collections::HashMap;
use std::fmt;
use std::hash::Hash;

use rand::Rng;

use super::{Apportionment, Groups, Method, Workspace, run};
use crate::{Error, Result};

/// A group to apportion among: a weight (finite, zero allowed) and the least and most units it
/// may get.
///
/// Bounds are how real apportionments are written: the one seat every US state gets
/// (Constitution of the United States, art. I § 2: "each State shall have at Least one
/// Representative"), a party list holding fewer candidates than its share, "every region at
/// least one slot". A group of weight zero gets its `min` and nothing more; with Huntington–Hill,
/// Adams and Dean only groups of positive weight get a first unit.
///
/// ```
/// use floorshare::apportion::{apportion_with, Group, Method, Options};
///
/// let groups = [Group::new(900.0), Group::new(80.0).at_least(2), Group::new(20.0).at_most(0)];
/// let result = apportion_with(Method::SainteLague, &groups, 10, &Options::default(),
///     &mut floorshare::lot::seeded(1))?;
/// assert_eq!(result.seats, [8, 2, 0]);
/// # Ok::<(), floorshare::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Group {
    /// The weight: finite and not negative.
    pub weight: f64,
    /// The least units the group gets (default 0).
    #[serde(default)]
    pub min: u32,
    /// The most units the group gets (default: no limit, `u32::MAX`).
    #[serde(default = "unlimited")]
    pub max: u32,
}

fn unlimited() -> u32 {
    u32::MAX
}

impl Group {
    /// A group of weight `weight` without bounds.
    ///
    /// ```
    /// let group = floorshare::apportion::Group::new(3.5);
    /// assert_eq!((group.min, group.max), (0, u32::MAX));
    /// ```
    pub fn new(weight: f64) -> Self {
        Group {
            weight,
            min: 0,
            max: u32::MAX,
        }
    }

    /// The group with at least `min` units.
    ///
    /// ```
    /// assert_eq!(floorshare::apportion::Group::new(1.0).at_least(1).min, 1);
    /// ```
    pub fn at_least(self, min: u32) -> Self {
        Group { min, ..self }
    }

    /// The group with at most `max` units.
    ///
    /// ```
    /// assert_eq!(floorshare::apportion::Group::new(1.0).at_most(4).max, 4);
    /// ```
    pub fn at_most(self, max: u32) -> Self {
        Group { max, ..self }
    }
}

impl From<f64> for Group {
    /// A group of weight `weight` without bounds.
    fn from(weight: f64) -> Self {
        Group::new(weight)
    }
}

impl Groups for [Group] {
    fn count(&self) -> usize {
        self.len()
    }
    fn weight(&self, i: usize) -> f64 {
        self[i].weight
    }
    fn bounds(&self, i: usize) -> (u32, u32) {
        (self[i].min, self[i].max)
    }
    fn weight_field(&self, i: usize) -> (String, &'static str) {
        (
            format!("groups[{i}].weight"),
            "is not a finite number at least 0",
        )
    }
    const ZERO: bool = true;
    const NAME: &'static str = "groups";
}

/// The quota of the largest remainder method ([`Method::Hamilton`]): each group first gets
/// `⌊wᵢ/Q⌋` units, the units left go to the largest remainders. With `V` the total weight and
/// `S` the units:
///
/// | quota | `Q` | source |
/// |---|---|---|
/// | [`Hare`](Quota::Hare) (default) | `V/S` | T. Hare, 1859; Hamilton's method; Hare–Niemeyer for the Bundestag 1987–2005 (Bundeswahlgesetz); Dutch councils (Kieswet, art. P 7) |
/// | [`Droop`](Quota::Droop) | `⌊V/(S+1)⌋ + 1` | H. R. Droop, 1881; e.g. South Africa's National Assembly (Electoral Act 73 of 1998, Schedule 1A) |
/// | [`HagenbachBischoff`](Quota::HagenbachBischoff) | `V/(S+1)` | E. Hagenbach-Bischoff, 1888; Swiss cantonal elections |
/// | [`Imperiali`](Quota::Imperiali) | `V/(S+2)` | P. Imperiali; Italian Chamber of Deputies 1956–1993 (D.P.R. 361/1957, art. 77) |
///
/// A quota below Hare's can give out more floors than there are units (at most 2 more, with
/// Imperiali's): the surplus is then taken back one unit each from the groups with the
/// smallest remainders (ties by lot), so the total is always the units asked for. A quota may
/// also leave more units than groups (Droop's with very small weights): the units left then go
/// one to each group in rounds, the last round to the largest remainders.
///
/// ```
/// use floorshare::apportion::{apportion_with, Group, Method, Options, Quota};
///
/// let groups: Vec<Group> = [5.0, 3.0, 2.0].map(Group::new).to_vec();
/// let mut rng = floorshare::lot::seeded(1);
/// let imperiali = Options::default().quota(Quota::Imperiali);
/// // Q = 10/5 = 2: floors 2, 1, 1 (4 units, exactly the units asked for).
/// assert_eq!(apportion_with(Method::Hamilton, &groups, 4, &imperiali, &mut rng)?.seats, [2, 1, 1]);
/// # Ok::<(), floorshare::Error>(())
/// ```
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Quota {
    /// `V/S` (Hare; Hamilton's method).
    #[default]
    Hare,
    /// `⌊V/(S+1)⌋ + 1` (Droop), the integer part taken of the exact total weight.
    Droop,
    /// `V/(S+1)` (Hagenbach-Bischoff).
    HagenbachBischoff,
    /// `V/(S+2)` (Imperiali).
    Imperiali,
}

/// A threshold for remainder units in the largest remainder method: only groups whose weight
/// is at least `num/den` of the quota take a remainder unit, at most one each, largest
/// remainders first; the units still left then go by D'Hondt among all groups (their averages
/// `wᵢ/(sᵢ + 1)` counting the units they already have).
///
/// This is the Dutch rule for bodies of fewer than 19 seats, [`Threshold::DUTCH`] (3/4):
/// Kieswet (Elections Act of the Netherlands), art. P 8 — a list reaching 75% of the quota
/// (*kiesdeler*) takes at most one remainder seat; the seats left go by largest averages.
///
/// ```
/// use floorshare::apportion::{apportion_with, Group, Method, Options};
///
/// // Laren, municipal council 2018 (15 seats): the two smallest lists are under 75% of a quota.
/// let votes = [2177.0, 1369.0, 1106.0, 355.0, 334.0, 282.0, 277.0];
/// let groups: Vec<Group> = votes.map(Group::new).to_vec();
/// let dutch = Options::dutch_small_body();
/// let result = apportion_with(Method::Hamilton, &groups, 15, &dutch, &mut floorshare::lot::seeded(1))?;
/// assert_eq!(result.seats, [6, 4, 3, 1, 1, 0, 0]);
/// # Ok::<(), floorshare::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Threshold {
    /// The numerator of the fraction of a quota.
    pub num: u32,
    /// The denominator (positive).
    pub den: u32,
}

impl Threshold {
    /// 3/4 of a quota: the Dutch rule for bodies of fewer than 19 seats (Kieswet, art. P 8).
    pub const DUTCH: Threshold = Threshold { num: 3, den: 4 };

    /// The fraction `num/den` of a quota.
    ///
    /// ```
    /// assert_eq!(floorshare::apportion::Threshold::new(3, 4), floorshare::apportion::Threshold::DUTCH);
    /// ```
    pub fn new(num: u32, den: u32) -> Self {
        Threshold { num, den }
    }
}

/// Who decided a [`Tie`](super::Tie): the seeded generator given to the call, or the outcome of
/// an official drawing of lots the caller supplied ([`Options::lot`]).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum LotSource {
    /// Drawn with the seeded generator.
    #[default]
    Seeded,
    /// The lot the caller supplied.
    Supplied,
}

impl LotSource {
    /// Whether the generator drew the lot.
    ///
    /// ```
    /// assert!(floorshare::apportion::LotSource::default().is_seeded());
    /// ```
    pub fn is_seeded(&self) -> bool {
        *self == LotSource::Seeded
    }
}

/// Options of [`apportion_with`]: the quota and remainder threshold of the largest remainder
/// method, and supplied lots. The default is no option: [`apportion_with`] then gives the
/// results of [`apportion`](super::apportion) (groups without bounds, positive weights).
///
/// **Supplied lots.** Where the law decides a tie by drawing lots (e.g. the Dutch Kieswet,
/// art. P 10 for the last seat; Germany's Bundeswahlgesetz § 6), the published result is that
/// drawing's outcome. [`lot`](Options::lot) gives it: the winners of the first tie that changes
/// the result (as group indices); a second call the winners of the second tie, and so on. Ties
/// without a supplied lot are drawn with the generator as before; each [`Tie`](super::Tie) says
/// which decided it. Lots supplied beyond the ties that occur are not used.
///
/// ```
/// use floorshare::apportion::{apportion_with, Group, LotSource, Method, Options};
///
/// let groups = [Group::new(1.0), Group::new(1.0), Group::new(1.0)];
/// let official = Options::default().lot([2]);
/// let result = apportion_with(Method::DHondt, &groups, 1, &official, &mut floorshare::lot::seeded(1))?;
/// assert_eq!(result.seats, [0, 0, 1]);
/// assert_eq!(result.ties[0].lot, LotSource::Supplied);
/// # Ok::<(), floorshare::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// The quota of the largest remainder method.
    pub(super) quota: Quota,
    /// The threshold for remainder units.
    pub(super) threshold: Option<Threshold>,
    /// The supplied lots: the winners of each tie, in order.
    pub(super) lots: Vec<Vec<usize>>,
}

impl Options {
    /// No option (the same as `Options::default()`).
    pub fn new() -> Self {
        Options::default()
    }

    /// The Dutch rule for bodies of fewer than 19 seats (Kieswet, art. P 7 and P 8): the Hare
    /// quota and a threshold of 3/4 of a quota for remainder seats, at most one each, then
    /// D'Hondt. For use with [`Method::Hamilton`].
    ///
    /// ```
    /// use floorshare::apportion::{Options, Quota, Threshold};
    ///
    /// let dutch = Options::dutch_small_body();
    /// assert_eq!(dutch, Options::new().quota(Quota::Hare).threshold(Threshold::DUTCH));
    /// ```
    pub fn dutch_small_body() -> Self {
        Options::default().threshold(Threshold::DUTCH)
    }

    /// The quota of the largest remainder method (default [`Quota::Hare`]); for
    /// [`Method::Hamilton`] only.
    pub fn quota(mut self, quota: Quota) -> Self {
        self.quota = quota;
        self
    }

    /// A threshold for remainder units ([`Threshold`]); for [`Method::Hamilton`] only.
    pub fn threshold(mut self, threshold: Threshold) -> Self {
        self.threshold = Some(threshold);
        self
    }

    /// Supplies the outcome of a drawing of lots: the groups (indices) that win the next tie
    /// (see the [type documentation](Options)).
    pub fn lot(mut self, winners: impl IntoIterator<Item = usize>) -> Self {
        self.lots.push(winners.into_iter().collect());
        self
    }

    /// [`lot`](Options::lot) by labels, for [`apportion_labelled`]: the winners named by their
    /// labels in `groups`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidValue`] for the field `lots[k]` when a winner is not a label of `groups`.
    ///
    /// ```
    /// use floorshare::apportion::Options;
    ///
    /// let groups = [("north", 2.0), ("south", 2.0)];
    /// let options = Options::new().lot_labels(&groups, &["south"])?;
    /// assert_eq!(options, Options::new().lot([1]));
    /// assert!(Options::new().lot_labels(&groups, &["east"]).is_err());
    /// # Ok::<(), floorshare::Error>(())
    /// ```
    pub fn lot_labels<L: PartialEq + fmt::Debug, W>(
        self,
        groups: &[(L, W)],
        winners: &[L],
    ) -> Result<Self> {
        let index = self.lots.len();
        let mut lot = Vec::with_capacity(winners.len());
        for winner in winners {
            let i = groups
                .iter()
                .position(|(label, _)| label == winner)
                .ok_or_else(|| {
                    Error::invalid(
                        format!("lots[{index}]"),
                        format!("{winner:?}"),
                        "is not the label of a group",
                    )
                })?;
            lot.push(i);
        }
        Ok(self.lot(lot))
    }

    /// Checks the options against the method and the number of groups.
    pub(super) fn check(&self, method: Method, n: usize) -> Result<()> {
        if method != Method::Hamilton {
            if self.quota != Quota::Hare {
                return Err(Error::invalid(
                    "options.quota",
                    format!("{:?}", self.quota),
                    format!("applies to the largest remainder method (hamilton), not {method}"),
                ));
            }
            if self.threshold.is_some() {
                return Err(Error::invalid(
                    "options.threshold",
                    format!("{:?}", self.threshold),
                    format!("applies to the largest remainder method (hamilton), not {method}"),
                ));
            }
        }
        if let Some(t) = self.threshold
            && t.den == 0
        {
            return Err(Error::invalid(
                "options.threshold.den",
                0,
                "is not a positive number",
            ));
        }
        for (k, lot) in self.lots.iter().enumerate() {
            for (j, &w) in lot.iter().enumerate() {
                if w >= n {
                    return Err(Error::invalid(
                        format!("lots[{k}][{j}]"),
                        w,
                        format!("is not a group (there are {n})"),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Apportions `units` among `groups` with `method` and `options`: the general form of
/// [`apportion`](super::apportion), with bounds per group, weights of zero, and the options'
/// quota, threshold and supplied lots.
///
/// **Bounds.** A divisor method finds a divisor `d` with `Σ clamp(round_d(wᵢ/d), minᵢ, maxᵢ)
/// = units`, `round_d` being the method's rounding (Pukelsheim, *Proportional
/// Representation*, 2nd ed., 2017, ch. 7, "constrained apportionment"; the US House's one seat
/// per state). The largest remainder method gives every group whose proportional share
/// `λ·wᵢ` falls below its min that min, caps those above their max at their max (`λ` such that
/// the clamped shares sum to the units), and hands out the rest by the method among the others.
/// Groups with `min = max` and groups of weight zero get their min and take no part. A tie is
/// reported only where it changes the result, as without bounds.
///
/// # Errors
///
/// [`Error::InvalidValue`] when a weight is negative, NaN or infinite (field
/// `groups[i].weight`), when a group's `min` is above its `max` (`groups[i].min`), when the
/// minimums sum to more than `units` (`groups[i].min`, the group where the sum passes it), when
/// the maximums sum to less (`groups[n-1].max`), when the groups of positive weight cannot take
/// the units left by those of weight zero (`groups[i].weight`, the first of weight zero), when
/// `units` is above [`MAX_UNITS`](super::MAX_UNITS) (`units`), when there are units and no
/// groups (`groups`), when a quota or threshold is given for a divisor method
/// (`options.quota`, `options.threshold`), when a supplied lot names no group (`lots[k][j]`) or
/// does not fit its tie (`lots[k]`: not as many distinct winners as contested units, or a winner
/// not in the tie).
///
/// ```
/// use floorshare::apportion::{apportion_with, Group, Method, Options};
///
/// let mut rng = floorshare::lot::seeded(1);
/// // Every region at least one slot, none more than four.
/// let regions = [5100.0, 3900.0, 300.0, 0.0].map(|w| Group::new(w).at_least(1).at_most(4));
/// let result = apportion_with(Method::SainteLague, &regions, 10, &Options::default(), &mut rng)?;
/// assert_eq!(result.seats, [4, 4, 1, 1]);
///
/// let err = apportion_with(Method::DHondt, &regions, 3, &Options::default(), &mut rng).unwrap_err();
/// assert_eq!(err.field(), "groups[3].min");
/// # Ok::<(), floorshare::Error>(())
/// ```
pub fn apportion_with(
    method: Method,
    groups: &[Group],
    units: u32,
    options: &Options,
    rng: &mut (impl Rng + ?Sized),
) -> Result<Apportionment> {
    let mut result = Apportionment::default();
    apportion_with_into(
        method,
        groups,
        units,
        options,
        rng,
        &mut Workspace::default(),
        &mut result,
    )?;
    Ok(result)
}

/// [`apportion_with`] into reused memory, as [`apportion_into`](super::apportion_into) is
/// [`apportion`](super::apportion) into reused memory: the same result and draws, `out`
/// replaced.
///
/// # Errors
///
/// As [`apportion_with`]; on an error `out` is left empty.
///
/// ```
/// use floorshare::apportion::{apportion_with_into, Apportionment, Group, Method, Options, Workspace};
///
/// let (mut workspace, mut out) = (Workspace::default(), Apportionment::default());
/// let groups = [Group::new(3.0).at_most(2), Group::new(1.0)];
/// apportion_with_into(Method::DHondt, &groups, 5, &Options::default(),
///     &mut floorshare::lot::seeded(1), &mut workspace, &mut out)?;
/// assert_eq!(out.seats, [2, 3]);
/// # Ok::<(), floorshare::Error>(())
/// ```
pub fn apportion_with_into(
    method: Method,
    groups: &[Group],
    units: u32,
    options: &Options,
    rng: &mut (impl Rng + ?Sized),
    workspace: &mut Workspace,
    out: &mut Apportionment,
) -> Result<()> {
    run(method, groups, units, Some(options), rng, workspace, out)
}

/// The result of [`apportion_labelled`]: each label with its units, in the order given, and
/// the ties (group indices in that order, as in [`Apportionment`]).
///
/// ```
/// use floorshare::apportion::{apportion_labelled, Method, Options};
///
/// let parties = [("A", 6.0), ("B", 3.0), ("C", 1.0)];
/// let result = apportion_labelled(Method::DHondt, &parties, 5, &Options::default(),
///     &mut floorshare::lot::seeded(1))?;
/// assert_eq!(result.get(&"A"), Some(3));
/// assert_eq!(result.seats, [("A", 3), ("B", 2), ("C", 0)]);
/// # Ok::<(), floorshare::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Labelled<L> {
    /// Each label with its units, in the order of the groups.
    pub seats: Vec<(L, u32)>,
    /// The ties settled by lot ([`Apportionment::ties`]).
    pub ties: Vec<super::Tie>,
}

impl<L: PartialEq> Labelled<L> {
    /// The units of the group labelled `label`.
    pub fn get(&self, label: &L) -> Option<u32> {
        self.seats.iter().find(|(l, _)| l == label).map(|&(_, s)| s)
    }

    /// The labels of the group indices `groups` (a tie's groups or winners).
    ///
    /// ```
    /// use floorshare::apportion::{apportion_labelled, Method, Options};
    ///
    /// let tied = apportion_labelled(Method::DHondt, &[("x", 1.0), ("y", 1.0)], 1,
    ///     &Options::default(), &mut floorshare::lot::seeded(2))?;
    /// assert_eq!(tied.labels(&tied.ties[0].groups), [&"x", &"y"]);
    /// # Ok::<(), floorshare::Error>(())
    /// ```
    pub fn labels(&self, groups: &[usize]) -> Vec<&L> {
        groups.iter().map(|&g| &self.seats[g].0).collect()
    }
}

/// Apportions `units` among labelled groups: `groups` holds each label with its weight (an
/// `f64`) or [`Group`]; the result gives each label its units. Otherwise as [`apportion_with`]
/// (supply lots by label with [`Options::lot_labels`]).
///
/// # Errors
///
/// As [`apportion_with`], and [`Error::InvalidValue`] for the field `groups[i].label` when a
/// label repeats an earlier one.
///
/// ```
/// use floorshare::apportion::{apportion_labelled, Group, Method, Options};
///
/// let states = [("Big", Group::new(900.0)), ("Small", Group::new(10.0).at_least(1))];
/// let result = apportion_labelled(Method::HuntingtonHill, &states, 4, &Options::default(),
///     &mut floorshare::lot::seeded(1))?;
/// assert_eq!(result.get(&"Small"), Some(1));
///
/// let twice = [("A", 1.0), ("A", 2.0)];
/// let err = apportion_labelled(Method::DHondt, &twice, 1, &Options::default(),
///     &mut floorshare::lot::seeded(1)).unwrap_err();
/// assert_eq!(err.field(), "groups[1].label");
/// # Ok::<(), floorshare::Error>(())
/// ```
pub fn apportion_labelled<L, W>(
    method: Method,
    groups: &[(L, W)],
    units: u32,
    options: &Options,
    rng: &mut (impl Rng + ?Sized),
) -> Result<Labelled<L>>
where
    L: Clone + Eq + Hash + fmt::Debug,
    W: Into<Group> + Copy,
{
    let mut seen = HashMap::with_capacity(groups.len());
    for (i, (label, _)) in groups.iter().enumerate() {
        if let Some(first) = seen.insert(label, i) {
            return Err(Error::invalid(
                format!("groups[{i}].label"),
                format!("{label:?}"),
                format!("repeats the label of groups[{first}]"),
            ));
        }
    }
    let plain: Vec<Group> = groups.iter().map(|(_, w)| (*w).into()).collect();
    let result = apportion_with(method, &plain, units, options, rng)?;
    Ok(Labelled {
        seats: groups
            .iter()
            .zip(result.seats)
            .map(|((label, _), s)| (label.clone(), s))
            .collect(),
        ties: result.ties,
    })
}
