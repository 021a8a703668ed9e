//! Who is heard, per group: requests, slots, shares, positions.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::Granted;
use super::{Disproportionality, attention, normalised_position};
use crate::model::{Category, CheckedSession, Kind, Roster};
use crate::{Error, Result};

/// One group's figures. Undefined ratios are `None` (`null` in JSON), never NaN.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct GroupStats {
    /// Requesting organisations of the group (duplicates excluded), summed over sessions.
    pub requests: u64,
    /// Slots granted to the group.
    pub granted: u64,
    /// Minutes granted to the group.
    pub minutes: u64,
    /// granted / requests; `None` without requests.
    pub selection_rate: Option<f64>,
    /// granted / Σ granted; `None` when nothing was granted.
    pub slot_share: Option<f64>,
    /// requests / Σ requests, or the population share the caller gave; `None` when there is
    /// neither a request nor a given share.
    pub target_share: Option<f64>,
    /// slot_share / target_share; `None` when either is undefined or the target is 0.
    pub representation_ratio: Option<f64>,
    /// Mean normalised position (p − 1)/(g − 1) of the group's slots; `None` without slots.
    pub mean_position: Option<f64>,
    /// The group's share of the total attention 1/log₂(1 + p); `None` when nothing was granted.
    pub exposure_share: Option<f64>,
    /// exposure_share − slot_share: positive when the group speaks earlier than its slot count
    /// alone would give it; `None` when nothing was granted.
    pub exposure_disparity: Option<f64>,
}

/// Per-group figures of one allocation or of a whole process, with the summary indices.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct GroupTable {
    /// Each group's figures, by group name.
    pub groups: BTreeMap<String, GroupStats>,
    /// Disproportionality of slot shares against target shares; `None` when nothing was
    /// granted.
    pub disproportionality: Option<Disproportionality>,
    /// Smallest over largest selection rate across the groups with requests (1: equal
    /// opportunity); `None` when no group has requests or none was granted anything.
    pub selection_rate_ratio: Option<f64>,
    /// Largest absolute exposure disparity; `None` when nothing was granted.
    pub max_exposure_disparity: Option<f64>,
}

/// The values of [`Category::Class`].
const CLASS: &str = "grassroots";
const OTHERS: &str = "other";

#[derive(Debug, Clone, Default)]
struct Counts {
    requests: u64,
    granted: u64,
    minutes: u64,
    position_sum: f64,
    attention: f64,
}

/// Accumulates per-group figures over one or many allocations (a process), then reports them
/// as a [`GroupTable`]. Positions and attention are pooled over every granted slot. Every group
/// of the rosters seen is listed, those without requests too (with `None` rates).
///
/// # Example
///
/// ```
/// use floorshare::allocation::Allocate;
/// use floorshare::metrics::GroupTally;
/// use floorshare::model::*;
/// use floorshare::policy::GrassrootsPriority;
///
/// let organisations = vec![
///     Organisation::new("a", "asia", Kind::Grassroots),
///     Organisation::new("b", "europe", Kind::InternationalNgo),
///     Organisation::new("c", "europe", Kind::InternationalNgo),
/// ];
/// let requests = organisations.iter().map(|o| Request::new(&o.id)).collect();
/// let session = SessionInput::new(Session::new("s", 2), organisations, requests)
/// .check()?;
/// let allocation = GrassrootsPriority::strict().allocate_seeded(&session, 1)?;
///
/// let mut tally = GroupTally::new(Category::Class);
/// tally.add(&session, &allocation);
/// let table = tally.table();
/// let class = &table.groups["grassroots"];
/// assert_eq!((class.requests, class.granted), (1, 1));
/// assert_eq!(class.slot_share, Some(0.5));
/// assert_eq!(class.target_share, Some(1.0 / 3.0));
/// assert_eq!(class.mean_position, Some(0.0)); // first speaker
/// # Ok::<(), floorshare::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct GroupTally {
    grouping: Category,
    population: Option<BTreeMap<String, f64>>,
    names: Vec<String>,
    index: HashMap<String, usize>,
    counts: Vec<Counts>,
    // The group of each organisation of the last roster seen, reused while the roster is.
    cached_roster: Option<Arc<Roster>>,
    group_of: Vec<usize>,
}

impl GroupTally {
    /// A tally grouping by `grouping`, with target shares from the requests.
    pub fn new(grouping: Category) -> Self {
        Self::build(grouping, None)
    }

    /// A tally grouping by `grouping`, with target shares from `population` (group → share;
    /// groups it omits have target 0).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::OutOfRange`](crate::ErrorKind::OutOfRange) naming `population.<group>` when
    /// a share is negative, NaN or infinite.
    pub fn with_population(grouping: Category, population: BTreeMap<String, f64>) -> Result<Self> {
        if let Some((group, &share)) = population
            .iter()
            .find(|(_, s)| !(s.is_finite() && **s >= 0.0))
        {
            return Err(Error::invalid(
                format!("population.{group}"),
                share,
                "is not a finite non-negative number",
            ));
        }
        Ok(Self::build(grouping, Some(population)))
    }

    fn build(grouping: Category, population: Option<BTreeMap<String, f64>>) -> Self {
        let mut tally = GroupTally {
            grouping,
            population: None,
            names: Vec::new(),
            index: HashMap::new(),
            counts: Vec::new(),
            cached_roster: None,
            group_of: Vec::new(),
        };
        // Both sides of the class always appear, so the class has figures even when absent.
        if tally.grouping == Category::Class {
            tally.group_index(CLASS);
            tally.group_index(OTHERS);
        }
        if let Some(population) = &population {
            for name in population.keys() {
                tally.group_index(name);
            }
        }
        tally.population = population;
        tally
    }

    fn group_index(&mut self, name: &str) -> usize {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        self.names.push(name.to_string());
        self.counts.push(Counts::default());
        self.index.insert(name.to_string(), self.names.len() - 1);
        self.names.len() - 1
    }

    /// The group index of every organisation of `roster`, computed once per roster. Regions,
    /// kinds and the class are looked up once per distinct value, not per organisation.
    fn map_roster(&mut self, roster: &Arc<Roster>) {
        if self
            .cached_roster
            .as_ref()
            .is_some_and(|r| Arc::ptr_eq(r, roster))
        {
            return;
        }
        let organisations = roster.organisations();
        self.group_of = match self.grouping.clone() {
            Category::Region => {
                let of_region: Vec<usize> = roster
                    .regions()
                    .iter()
                    .map(|region| self.group_index(region))
                    .collect();
                (0..roster.len())
                    .map(|org| of_region[roster.region_of(org)])
                    .collect()
            }
            Category::Kind => {
                let mut of_kind = [usize::MAX; Kind::ALL.len()];
                organisations
                    .iter()
                    .map(|org| {
                        let slot = &mut of_kind[org.kind.index()];
                        if *slot == usize::MAX {
                            *slot = self.group_index(org.kind.name());
                        }
                        *slot
                    })
                    .collect()
            }
            Category::Class => {
                let (class, others) = (self.group_index(CLASS), self.group_index(OTHERS));
                (0..roster.len())
                    .map(|org| if roster.in_class(org) { class } else { others })
                    .collect()
            }
            category => (0..roster.len())
                .map(|org| self.group_index(&roster.value_of(&category, org)))
                .collect(),
        };
        self.cached_roster = Some(roster.clone());
    }

    /// Adds one allocation of `session`.
    ///
    /// # Panics
    ///
    /// If `allocation` is not of `session` (a granted request index outside its requests).
    pub fn add(&mut self, session: &CheckedSession, allocation: &impl Granted) {
        self.map_roster(session.roster());
        for &r in session.requesters() {
            let g = self.group_of[session.organisation_of(r as usize)];
            self.counts[g].requests += 1;
        }
        let slots = allocation.slots().len() as u32;
        for grant in allocation.slots() {
            let g = self.group_of[session.organisation_of(grant.request as usize)];
            let counts = &mut self.counts[g];
            counts.granted += 1;
            counts.minutes += u64::from(grant.minutes);
            counts.position_sum += normalised_position(grant.position, slots);
            counts.attention += attention(grant.position);
        }
    }

    /// The figures so far.
    pub fn table(&self) -> GroupTable {
        let requests: u64 = self.counts.iter().map(|c| c.requests).sum();
        let granted: u64 = self.counts.iter().map(|c| c.granted).sum();
        let attention: f64 = self.counts.iter().map(|c| c.attention).sum();
        let ratio = |a: f64, b: f64| (b > 0.0).then(|| a / b);
        let mut groups = BTreeMap::new();
        for (name, c) in self.names.iter().zip(&self.counts) {
            let target_share = match &self.population {
                Some(population) => Some(population.get(name).copied().unwrap_or(0.0)),
                None => ratio(c.requests as f64, requests as f64),
            };
            let slot_share = ratio(c.granted as f64, granted as f64);
            let exposure_share = ratio(c.attention, attention);
            groups.insert(
                name.clone(),
                GroupStats {
                    requests: c.requests,
                    granted: c.granted,
                    minutes: c.minutes,
                    selection_rate: ratio(c.granted as f64, c.requests as f64),
                    slot_share,
                    target_share,
                    representation_ratio: slot_share
                        .zip(target_share)
                        .and_then(|(s, t)| ratio(s, t)),
                    mean_position: ratio(c.position_sum, c.granted as f64),
                    exposure_share,
                    exposure_disparity: exposure_share.zip(slot_share).map(|(e, s)| e - s),
                },
            );
        }
        let (counts, targets): (Vec<u64>, Vec<f64>) = groups
            .values()
            .map(|g| (g.granted, g.target_share.unwrap_or(0.0)))
            .unzip();
        let rates: Vec<f64> = groups.values().filter_map(|g| g.selection_rate).collect();
        let max_rate = rates.iter().copied().fold(0.0, f64::max);
        let min_rate = rates.iter().copied().fold(f64::INFINITY, f64::min);
        let max_exposure_disparity = (granted > 0).then(|| {
            groups
                .values()
                .filter_map(|g| g.exposure_disparity)
                .fold(0.0, |m: f64, d| m.max(d.abs()))
        });
        GroupTable {
            disproportionality: Disproportionality::new(&counts, &targets),
            selection_rate_ratio: ratio(min_rate, max_rate),
            max_exposure_disparity,
            groups,
        }
    }

    /// The category it groups by.
    pub fn grouping(&self) -> &Category {
        &self.grouping
    }
}

/// Share of `allocation`'s granted slots starting in the last fifth of the session
/// (start_minute ≥ 0.8·L); `None` when the session length is unknown or nothing is granted.
///
/// ```
/// use floorshare::allocation::Allocate;
/// use floorshare::metrics::late_share;
/// use floorshare::model::*;
/// use floorshare::policy::ChairDiscretion;
///
/// let session = SessionInput::new(Session::new("s", 2).with_length(180), vec![Organisation::new("a", "asia", Kind::Grassroots)], vec![Request::new("a")])
/// .check()?;
/// let allocation = ChairDiscretion::default().allocate_seeded(&session, 1)?;
/// assert_eq!(late_share(&session, &allocation), Some(1.0)); // at the end: too late
/// # Ok::<(), floorshare::Error>(())
/// ```
pub fn late_share(session: &CheckedSession, allocation: &impl Granted) -> Option<f64> {
    super::SessionFigures::measure(session, allocation).late_share()
}
