//! Per organisation over runs: how often each organisation of an explicit population asked to
//! speak and was granted the floor, under each policy.

use serde::{Deserialize, Serialize};

use crate::decision::Decision;
use crate::metrics::{Granted, gini_in_place};
use crate::model::CheckedSession;
use crate::{Error, ErrorKind, Result};

/// One policy's counts per organisation over the runs of a simulation, in the population's
/// order: the sessions in which each organisation asked to speak, and those in which it was
/// granted a slot (at most one per session). Counts, not ratios, so that shards merge exactly.
///
/// From them, per organisation that asked at least once (the others are left out: no rule
/// can hear who never asks):
///
/// - its **selection probability** per session, granted / sessions asked;
/// - its **expected slots** per process, granted / `runs`;
///
/// and, across those organisations, the minimum and the Gini coefficient of each
/// ([`OrganisationCounts::spread`]): the least-heard organisation's chance, and how unevenly
/// the chances fall (Gini ΣΣ|xᵢ − xⱼ| / (2n²x̄), 0 when all are 0).
///
/// ```
/// use floorshare::sim::OrganisationCounts;
///
/// let counts = OrganisationCounts {
///     runs: 2,
///     sessions_asked: vec![4, 2, 0],
///     granted: vec![2, 0, 0],
/// };
/// let spread = counts.spread();
/// assert_eq!(spread.selection_probability.minimum, 0.0); // the second: 0 of 2
/// assert_eq!(spread.expected_slots.minimum, 0.0);
/// // Two organisations asked (the third never did): values 0.5 and 0.
/// assert!((spread.selection_probability.gini - 0.5).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(from = "CountsDocument")]
pub struct OrganisationCounts {
    /// The runs counted.
    pub runs: u64,
    /// Per organisation, the sessions in which it asked to speak.
    pub sessions_asked: Vec<u64>,
    /// Per organisation, the sessions in which it was granted a slot.
    pub granted: Vec<u64>,
}

/// The minimum and the Gini coefficient of a quantity across organisations.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Spread {
    /// The smallest value (0 when no organisation asked).
    pub minimum: f64,
    /// The Gini coefficient of the values (0 when all are 0 or none asked).
    pub gini: f64,
}

/// [`OrganisationCounts::spread`]: both quantities' minimum and Gini.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct OrganisationSpread {
    /// Of the selection probability per session (granted / sessions asked).
    pub selection_probability: Spread,
    /// Of the expected slots per process (granted / runs).
    pub expected_slots: Spread,
}

impl OrganisationCounts {
    /// Zero counts, of no run, for `organisations` organisations.
    pub fn new(organisations: usize) -> Self {
        OrganisationCounts {
            runs: 0,
            sessions_asked: vec![0; organisations],
            granted: vec![0; organisations],
        }
    }

    /// Sets every count to zero, keeping the lists (no allocation).
    pub(crate) fn clear(&mut self) {
        self.runs = 0;
        self.sessions_asked.fill(0);
        self.granted.fill(0);
    }

    /// Counts one session's requesters and grants (the runs are counted by the caller).
    /// O(requests); allocates nothing.
    pub(crate) fn add(&mut self, session: &CheckedSession, decision: &Decision) {
        for &r in session.requesters() {
            self.sessions_asked[session.organisation_of(r as usize)] += 1;
        }
        for slot in decision.slots() {
            self.granted[session.organisation_of(slot.request as usize)] += 1;
        }
    }

    /// Adds `other`'s counts.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Mismatch`] naming `organisations` when the two count different numbers
    /// of organisations; [`ErrorKind::TooLarge`] naming `runs`, `sessions_asked[i]` or
    /// `granted[i]` when a sum would overflow. On error `self` is unchanged.
    pub fn merge(&mut self, other: &OrganisationCounts) -> Result<()> {
        if other.sessions_asked.len() != self.sessions_asked.len()
            || other.granted.len() != self.granted.len()
        {
            return Err(Error::invalid_as(
                ErrorKind::Mismatch,
                "organisations",
                other.sessions_asked.len(),
                format!("organisations counted, not {}", self.sessions_asked.len()),
            ));
        }
        let sum = |name: &str, mine: &[u64], theirs: &[u64]| -> Result<Vec<u64>> {
            mine.iter()
                .zip(theirs)
                .enumerate()
                .map(|(i, (&a, &b))| {
                    a.checked_add(b).ok_or_else(|| {
                        Error::invalid_as(
                            ErrorKind::TooLarge,
                            format!("{name}[{i}]"),
                            b,
                            format!("overflows when added to {a}"),
                        )
                    })
                })
                .collect()
        };
        let runs = sum("runs", &[self.runs], &[other.runs])?[0];
        let sessions_asked = sum(
            "sessions_asked",
            &self.sessions_asked,
            &other.sessions_asked,
        )?;
        let granted = sum("granted", &self.granted, &other.granted)?;
        *self = OrganisationCounts {
            runs,
            sessions_asked,
            granted,
        };
        Ok(())
    }

    /// Checks the counts against each other and the runs they cover: one count of each per
    /// organisation of `organisations`, none granted more often than it asked, none asking in
    /// more sessions than `runs` runs of `sessions_per_run` sessions hold.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Mismatch`] naming `sessions_asked` or `granted` for a list of another
    /// length; [`ErrorKind::OutOfRange`] naming `granted[i]` or `sessions_asked[i]`.
    pub fn check(&self, organisations: usize, sessions_per_run: u64) -> Result<()> {
        let sessions = self.runs.saturating_mul(sessions_per_run);
        for (name, list) in [
            ("sessions_asked", &self.sessions_asked),
            ("granted", &self.granted),
        ] {
            if list.len() != organisations {
                return Err(Error::invalid_as(
                    ErrorKind::Mismatch,
                    name,
                    list.len(),
                    format!("counts, not one per organisation ({organisations})"),
                ));
            }
        }
        for (i, (&asked, &granted)) in self.sessions_asked.iter().zip(&self.granted).enumerate() {
            if asked > sessions {
                return Err(Error::invalid(
                    format!("sessions_asked[{i}]"),
                    asked,
                    format!("is more than the {sessions} sessions of the runs"),
                ));
            }
            if granted > asked {
                return Err(Error::invalid(
                    format!("granted[{i}]"),
                    granted,
                    format!("is more than the {asked} sessions it asked in"),
                ));
            }
        }
        Ok(())
    }

    /// Per organisation that asked at least once, in order: its index, its selection
    /// probability per session and its expected slots per process.
    pub fn chances(&self) -> impl Iterator<Item = (usize, f64, f64)> + '_ {
        // An organisation that asked was counted in a run at least.
        let runs = self.runs.max(1) as f64;
        self.sessions_asked
            .iter()
            .zip(&self.granted)
            .enumerate()
            .filter(|(_, (asked, _))| **asked > 0)
            .map(move |(i, (&asked, &granted))| {
                (i, granted as f64 / asked as f64, granted as f64 / runs)
            })
    }

    /// The minimum and Gini of the selection probabilities and of the expected slots, across
    /// the organisations that asked at least once.
    pub fn spread(&self) -> OrganisationSpread {
        let spread = |mut values: Vec<f64>| Spread {
            minimum: values.iter().copied().reduce(f64::min).unwrap_or(0.0),
            // Non-negative finite values: always in the index's domain.
            gini: gini_in_place(&mut values).unwrap_or(0.0),
        };
        let (probabilities, slots) = self.chances().map(|(_, p, s)| (p, s)).unzip();
        OrganisationSpread {
            selection_probability: spread(probabilities),
            expected_slots: spread(slots),
        }
    }
}

/// The counts as written: the lists, and the spread derived from them (recomputed, not read).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CountsDocument {
    runs: u64,
    sessions_asked: Vec<u64>,
    granted: Vec<u64>,
    #[allow(dead_code)]
    selection_probability: SpreadDocument,
    #[allow(dead_code)]
    expected_slots: SpreadDocument,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SpreadDocument {
    #[allow(dead_code)]
    minimum: f64,
    #[allow(dead_code)]
    gini: f64,
}

impl From<CountsDocument> for OrganisationCounts {
    fn from(document: CountsDocument) -> Self {
        OrganisationCounts {
            runs: document.runs,
            sessions_asked: document.sessions_asked,
            granted: document.granted,
        }
    }
}

/// The counts with their spread, as a summary writes them.
#[derive(Serialize)]
pub(crate) struct CountsJson<'a> {
    runs: u64,
    sessions_asked: &'a [u64],
    granted: &'a [u64],
    #[serde(flatten)]
    spread: OrganisationSpread,
}

impl<'a> CountsJson<'a> {
    pub(crate) fn new(counts: &'a OrganisationCounts) -> Self {
        CountsJson {
            runs: counts.runs,
            sessions_asked: &counts.sessions_asked,
            granted: &counts.granted,
            spread: counts.spread(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_leaves_out_who_never_asked() {
        let counts = OrganisationCounts {
            runs: 3,
            sessions_asked: vec![6, 3, 0, 3],
            granted: vec![3, 3, 0, 0],
        };
        let chances: Vec<_> = counts.chances().collect();
        assert_eq!(chances, [(0, 0.5, 1.0), (1, 1.0, 1.0), (3, 0.0, 0.0)]);
        let spread = counts.spread();
        assert_eq!(spread.selection_probability.minimum, 0.0);
        // Values 0.5, 1, 0: ΣΣ|xi − xj| = 2·(0.5 + 1 + 0.5) = 4; 2n²x̄ = 2·9·0.5 = 9.
        assert!((spread.selection_probability.gini - 4.0 / 9.0).abs() < 1e-12);
        // Values 1, 1, 0: ΣΣ = 4; 2·9·(2/3) = 12.
        assert!((spread.expected_slots.gini - 4.0 / 12.0).abs() < 1e-12);
        assert_eq!(
            OrganisationCounts::new(2).spread(),
            OrganisationSpread::default()
        );
    }

    #[test]
    fn merging_adds_and_refuses_what_does_not_fit() {
        let mut a = OrganisationCounts {
            runs: 2,
            sessions_asked: vec![2, 1],
            granted: vec![1, 0],
        };
        let b = OrganisationCounts {
            runs: 3,
            sessions_asked: vec![1, 4],
            granted: vec![1, 2],
        };
        a.merge(&b).unwrap();
        assert_eq!(a.sessions_asked, [3, 5]);
        assert_eq!(a.granted, [2, 2]);
        assert_eq!(a.runs, 5);
        let err = a.merge(&OrganisationCounts::new(3)).unwrap_err();
        assert_eq!(err.field(), "organisations");
        let huge = OrganisationCounts {
            runs: 1,
            sessions_asked: vec![0, u64::MAX],
            granted: vec![0, 0],
        };
        let err = a.merge(&huge).unwrap_err();
        assert_eq!(err.field(), "sessions_asked[1]");
        assert_eq!(a.sessions_asked, [3, 5]);
    }

    #[test]
    fn checks_name_the_count_at_fault() {
        let counts = OrganisationCounts {
            runs: 2,
            sessions_asked: vec![2, 1],
            granted: vec![1, 2],
        };
        assert_eq!(counts.check(2, 2).unwrap_err().field(), "granted[1]");
        assert_eq!(counts.check(2, 0).unwrap_err().field(), "sessions_asked[0]");
        assert_eq!(counts.check(3, 2).unwrap_err().field(), "sessions_asked");
    }
}
