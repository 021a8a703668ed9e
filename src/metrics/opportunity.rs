//! Opportunity: the chance of being heard when asking, per group and per organisation.

use serde::{Deserialize, Serialize};

use super::Granted;
use crate::model::CheckedSession;
use crate::{Error, ErrorKind, Result};

/// Selection rates P(granted | requested) per group, over any number of decisions.
///
/// Over a flat list of decisions this is the "selection rate" of group-fairness toolkits:
/// [`SelectionRates::difference`] is fairlearn's `demographic_parity_difference` (largest minus
/// smallest group selection rate) and [`SelectionRates::ratio`] its `demographic_parity_ratio`
/// (Bird et al., "Fairlearn", Microsoft MSR-TR-2020-32).
///
/// ```
/// use floorshare::metrics::SelectionRates;
///
/// // Group 0: 1 of 2 granted; group 1: 1 of 4.
/// let rates = SelectionRates::from_decisions(&[0, 0, 1, 1, 1, 1], &[true, false, true, false, false, false])?;
/// assert_eq!(rates.rates(), [Some(0.5), Some(0.25)]);
/// assert_eq!(rates.difference(), Some(0.25));
/// assert_eq!(rates.ratio(), Some(0.5));
/// # Ok::<(), floorshare::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SelectionRates {
    /// Decisions (requests) per group.
    pub requested: Vec<u64>,
    /// Positive decisions (grants) per group.
    pub granted: Vec<u64>,
}

impl SelectionRates {
    /// Counts `granted[i]` for the group `groups[i]` of each decision. Groups are numbered
    /// from 0, each below the number of decisions.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Mismatch`](crate::ErrorKind::Mismatch) naming `granted` when it is not as
    /// long as `groups`; [`ErrorKind::OutOfRange`](crate::ErrorKind::OutOfRange) naming
    /// `groups[i]` when a group number is not below the number of decisions.
    pub fn from_decisions(groups: &[u32], granted: &[bool]) -> Result<Self> {
        if groups.len() != granted.len() {
            return Err(Error::invalid_as(
                ErrorKind::Mismatch,
                "granted",
                granted.len(),
                format!("decisions given for {} groups entries", groups.len()),
            ));
        }
        if let Some(i) = groups.iter().position(|&g| g as usize >= groups.len()) {
            return Err(Error::invalid(
                format!("groups[{i}]"),
                groups[i],
                format!("is not a group number below {}", groups.len()),
            ));
        }
        let count = groups.iter().max().map_or(0, |&g| g as usize + 1);
        let mut rates = SelectionRates {
            requested: vec![0; count],
            granted: vec![0; count],
        };
        for (&g, &yes) in groups.iter().zip(granted) {
            rates.requested[g as usize] += 1;
            rates.granted[g as usize] += u64::from(yes);
        }
        Ok(rates)
    }

    /// Each group's selection rate; `None` for a group without decisions.
    pub fn rates(&self) -> Vec<Option<f64>> {
        self.requested
            .iter()
            .zip(&self.granted)
            .map(|(&r, &g)| (r > 0).then(|| g as f64 / r as f64))
            .collect()
    }

    fn extremes(&self) -> Option<(f64, f64)> {
        let rates: Vec<f64> = self.rates().into_iter().flatten().collect();
        let min = rates.iter().copied().reduce(f64::min)?;
        let max = rates.iter().copied().reduce(f64::max)?;
        Some((min, max))
    }

    /// Largest minus smallest selection rate over the groups with decisions; `None` without
    /// decisions.
    pub fn difference(&self) -> Option<f64> {
        self.extremes().map(|(min, max)| max - min)
    }

    /// Smallest over largest selection rate; `None` without decisions or when no one was
    /// granted anything.
    pub fn ratio(&self) -> Option<f64> {
        self.extremes()
            .and_then(|(min, max)| (max > 0.0).then(|| min / max))
    }
}

/// Per organisation, over many sessions or runs: how often it asked and how often it was
/// granted, giving its empirical selection probability. Tallies of shards merge by addition.
///
/// ```
/// use floorshare::allocation::Allocate;
/// use floorshare::metrics::SelectionTally;
/// use floorshare::model::*;
/// use floorshare::policy::ChairDiscretion;
///
/// let organisations = vec![
///     Organisation::new("ngo", "europe", Kind::InternationalNgo),
///     Organisation::new("local", "africa", Kind::Grassroots),
/// ];
/// let session = SessionInput::new(Session::new("s", 1).with_chair(Chair { min_slots: 1, max_slots: 1, ..Chair::default() }), organisations, vec![Request::new("ngo"), Request::new("local")])
/// .check()?;
/// let mut tally = SelectionTally::new(2);
/// for seed in 0..4000 {
///     tally.add(&session, &ChairDiscretion::default().allocate_seeded(&session, seed)?);
/// }
/// let p = tally.probabilities();
/// // Familiarity 3 against 1: 3/4 and 1/4.
/// assert!((p[0].unwrap() - 0.75).abs() < 0.03);
/// assert_eq!(tally.minimum(), p[1]);
/// # Ok::<(), floorshare::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SelectionTally {
    /// Sessions in which each organisation asked (duplicates excluded), by roster index.
    pub requested: Vec<u64>,
    /// Sessions in which it was granted a slot.
    pub granted: Vec<u64>,
}

impl SelectionTally {
    /// A tally for a roster of `organisations` organisations.
    pub fn new(organisations: usize) -> Self {
        SelectionTally {
            requested: vec![0; organisations],
            granted: vec![0; organisations],
        }
    }

    /// Adds one allocation of `session` (whose roster must be the tally's).
    pub fn add(&mut self, session: &CheckedSession, allocation: &impl Granted) {
        for &r in session.requesters() {
            if let Some(n) = self.requested.get_mut(session.organisation_of(r as usize)) {
                *n += 1;
            }
        }
        for grant in allocation.slots() {
            if let Some(n) = self
                .granted
                .get_mut(session.organisation_of(grant.request as usize))
            {
                *n += 1;
            }
        }
    }

    /// Adds another tally of the same roster.
    pub fn merge(&mut self, other: &SelectionTally) {
        for (a, b) in self.requested.iter_mut().zip(&other.requested) {
            *a += b;
        }
        for (a, b) in self.granted.iter_mut().zip(&other.granted) {
            *a += b;
        }
    }

    /// Each organisation's empirical P(granted | requested); `None` if it never asked.
    pub fn probabilities(&self) -> Vec<Option<f64>> {
        self.requested
            .iter()
            .zip(&self.granted)
            .map(|(&r, &g)| (r > 0).then(|| g as f64 / r as f64))
            .collect()
    }

    /// The smallest selection probability among the organisations that asked; `None` if none
    /// did.
    pub fn minimum(&self) -> Option<f64> {
        self.probabilities().into_iter().flatten().reduce(f64::min)
    }
}
