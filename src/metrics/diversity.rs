//! Diversity of the voices heard: regions and themes.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::Granted;
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
    let total: u64 = granted_per_region.iter().sum();
    if total == 0 {
        return None;
    }
    if requesting_regions <= 1 {
        return Some(0.0);
    }
    let entropy: f64 = granted_per_region
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
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
        let roster = session.roster();
        let mut requesting = vec![false; roster.regions().len()];
        let mut themes_requested = BTreeSet::new();
        for &r in session.requesters() {
            requesting[roster.region_of(session.organisation_of(r as usize))] = true;
            if let Some(theme) = &session.requests()[r as usize].theme {
                themes_requested.insert(theme.clone());
            }
        }
        let mut granted = vec![0u64; roster.regions().len()];
        let mut themes_heard = BTreeSet::new();
        for grant in allocation.slots() {
            let r = grant.request as usize;
            granted[roster.region_of(session.organisation_of(r))] += 1;
            if let Some(theme) = &session.requests()[r].theme {
                themes_heard.insert(theme.clone());
            }
        }
        let requesting_regions = requesting.iter().filter(|&&r| r).count();
        Diversity {
            region_entropy: normalised_entropy(&granted, requesting_regions),
            distinct_regions: granted.iter().filter(|&&c| c > 0).count() as u64,
            requesting_regions: requesting_regions as u64,
            themes_requested: themes_requested.len() as u64,
            themes_heard: themes_heard.len() as u64,
            themes_heard_share: (!themes_requested.is_empty())
                .then(|| themes_heard.len() as f64 / themes_requested.len() as f64),
        }
    }
}
