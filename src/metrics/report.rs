//! The metrics of one allocation, as the `allocate --metrics` tool prints them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Granted;
use super::{Diversity, GroupStats, GroupTally, SessionFigures};
use crate::model::{Category, CheckedSession};

/// The fairness of one allocation: per region, per kind and for the grassroots class,
/// the disproportionality of the regions' slot shares against their shares of the requests,
/// the diversity of regions and themes heard, and how late the slots come.
///
/// Undefined values are `None` (`null` in JSON), never NaN: shares and indices when nothing is
/// granted, `late_share` when the session length is unknown, a group's `selection_rate` when
/// it has no requests, its `mean_position` when it has no slot.
///
/// # Example
///
/// ```
/// use floorshare::allocation::Allocate;
/// use floorshare::metrics::AllocationMetrics;
/// use floorshare::model::*;
/// use floorshare::policy::ChairDiscretion;
///
/// let organisations = vec![
///     Organisation::new("ngo", "europe", Kind::InternationalNgo),
///     Organisation::new("local", "pacific", Kind::Grassroots),
/// ];
/// let session = SessionInput::new(Session::new("s", 1).with_length(180), organisations, vec![Request::new("ngo"), Request::new("local")])
/// .check()?;
/// let allocation = ChairDiscretion::default().allocate_seeded(&session, 3)?;
/// let metrics = AllocationMetrics::measure(&session, &allocation);
/// // One slot, two regions asking equally: whoever speaks, the regions are half off target.
/// assert_eq!(metrics.loosemore_hanby, Some(0.5));
/// assert_eq!(metrics.region_entropy, Some(0.0));
/// assert_eq!(metrics.late_share, Some(1.0));
/// # Ok::<(), floorshare::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AllocationMetrics {
    /// Figures per region.
    pub by_region: BTreeMap<String, GroupStats>,
    /// Figures per kind.
    pub by_kind: BTreeMap<String, GroupStats>,
    /// Figures of the grassroots class.
    pub grassroots_class: GroupStats,
    /// Loosemore–Hanby index of the regions (target: share of requests).
    pub loosemore_hanby: Option<f64>,
    /// Gallagher index of the regions.
    pub gallagher: Option<f64>,
    /// Sainte-Laguë index of the regions.
    pub sainte_lague_index: Option<f64>,
    /// Largest deviation of a region's slot share from its share of requests.
    pub max_deviation: Option<f64>,
    /// Smallest over largest selection rate across regions.
    pub region_selection_rate_ratio: Option<f64>,
    /// Largest absolute exposure disparity across regions.
    pub region_max_exposure_disparity: Option<f64>,
    /// Normalised entropy of the speakers' regions.
    pub region_entropy: Option<f64>,
    /// Distinct regions among the speakers.
    pub distinct_regions: u64,
    /// Distinct themes requested.
    pub themes_requested: u64,
    /// Distinct themes heard.
    pub themes_heard: u64,
    /// Themes heard over themes requested.
    pub themes_heard_share: Option<f64>,
    /// Share of the granted slots starting in the last fifth of the session.
    pub late_share: Option<f64>,
    /// Distinct organisations heard, as speakers or as co-signatories of a granted joint
    /// statement.
    pub voices_heard: u64,
    /// Voices heard over the distinct organisations that asked (requesters and the
    /// co-signatories of their requests); `None` when no one asked.
    pub voice_share: Option<f64>,
    /// Figures per value of each category the caller asked for
    /// ([`AllocationMetrics::measure_by`]), by category name (`tag:constituency`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub by_category: BTreeMap<String, BTreeMap<String, GroupStats>>,
}

impl AllocationMetrics {
    /// Measures `allocation` of `session`.
    ///
    /// # Panics
    ///
    /// If `allocation` is not of `session` (a granted request index outside its requests).
    pub fn measure(session: &CheckedSession, allocation: &impl Granted) -> Self {
        Self::measure_by(session, allocation, &[])
    }

    /// As [`AllocationMetrics::measure`], with the figures per value of each of `categories`
    /// besides (`by_category`).
    ///
    /// # Panics
    ///
    /// As [`AllocationMetrics::measure`].
    ///
    /// ```
    /// use floorshare::allocation::Allocate;
    /// use floorshare::metrics::AllocationMetrics;
    /// use floorshare::model::*;
    /// use floorshare::policy::RegionalBalance;
    ///
    /// let mut women = Organisation::new("w", "asia", Kind::Grassroots);
    /// women.tags.insert("constituency".into(), "women".into());
    /// let youth = Organisation::new("y", "asia", Kind::Academia);
    /// let session = SessionInput::new(Session::new("s", 1), vec![women, youth], vec![Request::new("w"), Request::new("y")])
    /// .check()?;
    /// let allocation = RegionalBalance::default().allocate_seeded(&session, 1)?;
    /// let metrics = AllocationMetrics::measure_by(&session, &allocation, &["tag:constituency".parse()?]);
    /// let table = &metrics.by_category["tag:constituency"];
    /// assert_eq!(table["women"].requests, 1);
    /// assert_eq!(table[""].requests, 1); // no tag: the value ""
    /// # Ok::<(), floorshare::Error>(())
    /// ```
    pub fn measure_by(
        session: &CheckedSession,
        allocation: &impl Granted,
        categories: &[Category],
    ) -> Self {
        let table = |grouping| {
            let mut tally = GroupTally::new(grouping);
            tally.add(session, allocation);
            tally.table()
        };
        let regions = table(Category::Region);
        let kinds = table(Category::Kind);
        let mut class = table(Category::Class);
        let figures = SessionFigures::measure(session, allocation);
        let diversity = Diversity::of(&figures);
        let d = regions.disproportionality;
        AllocationMetrics {
            grassroots_class: class.groups.remove("grassroots").unwrap_or_default(),
            loosemore_hanby: d.map(|d| d.loosemore_hanby),
            gallagher: d.map(|d| d.gallagher),
            sainte_lague_index: d.map(|d| d.sainte_lague_index),
            max_deviation: d.map(|d| d.max_deviation),
            region_selection_rate_ratio: regions.selection_rate_ratio,
            region_max_exposure_disparity: regions.max_exposure_disparity,
            by_region: regions.groups,
            by_kind: kinds.groups,
            region_entropy: diversity.region_entropy,
            distinct_regions: diversity.distinct_regions,
            themes_requested: diversity.themes_requested,
            themes_heard: diversity.themes_heard,
            themes_heard_share: diversity.themes_heard_share,
            late_share: figures.late_share(),
            voices_heard: u64::from(figures.voices_heard),
            voice_share: figures.voice_share(),
            by_category: categories
                .iter()
                .map(|category| (category.name().into_owned(), table(category.clone()).groups))
                .collect(),
        }
    }
}
