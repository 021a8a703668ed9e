//! Diversity of the voices heard: regions and themes.

use serde::{Deserialize, Serialize};

use super::{Granted, SessionFigures};
use crate::model::CheckedSession;

/// Normalised Shannon entropy of the speakers' regions: H = −Σ pᵣ ln pᵣ over the regions of the
/// granted speakers, divided by ln(number of regions with requesting organisations) (Shannon
/// 1948; Pielou's evenness, *J. Theor. Biol.* 13, 1966). 1 when the slots are spread evenly over
/// every requesting region; 0 when that number is 1; `None` when nothing is granted.
///
/// ```
/// use floorshare::metrics::normalised_entropy;
///
/// assert_eq!(normalised_entropy(&[1, 1, 0, 0], 4), Some(0.5));
/// assert_eq!(normalised_entropy(&[2], 1), Some(0.0));
/// assert_eq!(normalised_entropy(&[0, 0], 2), None);
/// ```
pub fn normalised_entropy(granted_per_region: &[u64], requesting_regions: usize) -> Option<f64> {
    normalised_entropy_of(granted_per_region.iter().copied(), requesting_regions)
}

/// [`normalised_entropy`] of counts given one by one (twice): no list is built.
pub(crate) fn normalised_entropy_of(
    granted_per_region: impl Iterator<Item = u64> + Clone,
    requesting_regions: usize,
) -> Option<f64> {
    let total: u64 = granted_per_region.clone().sum();
    if total == 0 {
        return None;
    }
    if requesting_regions <= 1 {
        return Some(0.0);
    }
    let entropy: f64 = granted_per_region
        .filter(|&c| c > 0)
        .map(|c| {
            let p = c as f64 / total as f64;
            -p * p.ln()
        })
        .sum();
    Some(entropy / (requesting_regions as f64).ln())
}

/// Regions and themes of one allocation.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Diversity {
    /// [`normalised_entropy`] of the speakers' regions.
    pub region_entropy: Option<f64>,
    /// Number of distinct regions among the speakers.
    pub distinct_regions: u64,
    /// Number of regions with requesting organisations.
    pub requesting_regions: u64,
    /// Distinct themes of the requesting organisations' requests (duplicates excluded).
    pub themes_requested: u64,
    /// Distinct themes of the granted requests.
    pub themes_heard: u64,
    /// themes_heard / themes_requested; `None` when no request named a theme.
    pub themes_heard_share: Option<f64>,
}

impl Diversity {
    /// Measures `allocation` of `session`.
    ///
    /// # Panics
    ///
    /// If `allocation` is not of `session` (a granted request index outside its requests).
    ///
    /// # Example
    ///
    /// ```
    /// use floorshare::allocation::Allocate;
    /// use floorshare::metrics::Diversity;
    /// use floorshare::model::*;
    /// use floorshare::policy::RegionalBalance;
    ///
    /// let organisations = vec![
    ///     Organisation::new("a", "pacific", Kind::Grassroots),
    ///     Organisation::new("b", "europe", Kind::InternationalNgo),
    /// ];
    /// let session = SessionInput::new(Session::new("s", 2), organisations, vec![Request::new("a").on_theme("climate"), Request::new("b").on_theme("return")])
    /// .check()?;
    /// let allocation = RegionalBalance::default().allocate_seeded(&session, 1)?;
    /// let diversity = Diversity::measure(&session, &allocation);
    /// assert_eq!(diversity.region_entropy, Some(1.0));
    /// assert_eq!(diversity.themes_heard_share, Some(1.0));
    /// # Ok::<(), floorshare::Error>(())
    /// ```
    pub fn measure(session: &CheckedSession, allocation: &impl Granted) -> Self {
        Self::of(&SessionFigures::measure(session, allocation))
    }

    /// The diversity figures of a session's counts: the same regions and themes the
    /// simulator counts ([`SessionFigures`]), so each is computed in one place.
    pub fn of(figures: &SessionFigures) -> Self {
        Diversity {
            region_entropy: figures.region_entropy(),
            distinct_regions: u64::from(figures.distinct_regions()),
            requesting_regions: u64::from(figures.requesting_regions()),
            themes_requested: u64::from(figures.themes_requested),
            themes_heard: u64::from(figures.themes_heard),
            themes_heard_share: figures.themes_heard_share(),
        }
    }
}
