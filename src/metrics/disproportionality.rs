//! Disproportionality between the groups' shares of the slots and their target shares: the
//! indices of electoral studies applied to speaking slots.

use serde::{Deserialize, Serialize};

/// The four disproportionality indices between slot shares s and target shares t over the same
/// groups (Gallagher, "Proportionality, disproportionality and electoral systems", *Electoral
/// Studies* 10, 1991; Loosemore & Hanby, *Brit. J. Pol. Sci.* 1, 1971; Sainte-Laguë index:
/// Gallagher 1991):
///
/// - `loosemore_hanby` = ½·Σ|sᵢ − tᵢ|
/// - `gallagher` = √(½·Σ(sᵢ − tᵢ)²)
/// - `sainte_lague_index` = Σ(sᵢ − tᵢ)²/tᵢ over the groups with tᵢ > 0
/// - `max_deviation` = maxᵢ|sᵢ − tᵢ|
///
/// All are fractions: 0 when every group gets exactly its target share.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Disproportionality {
    /// Loosemore–Hanby index.
    pub loosemore_hanby: f64,
    /// Gallagher least-squares index.
    pub gallagher: f64,
    /// Sainte-Laguë index.
    pub sainte_lague_index: f64,
    /// Largest absolute deviation.
    pub max_deviation: f64,
}

impl Disproportionality {
    /// The indices for `slot_counts[i]` slots granted to group i against `target_shares[i]`.
    /// `None` when nothing is granted (slot shares are undefined, so the indices are
    /// `null` in JSON, never NaN) or
    /// when the two lists differ in length.
    ///
    /// ```
    /// use floorshare::metrics::Disproportionality;
    ///
    /// // Three regions asking equally; one got both slots.
    /// let d = Disproportionality::new(&[2, 0, 0], &[1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0]).unwrap();
    /// assert!((d.loosemore_hanby - 2.0 / 3.0).abs() < 1e-12);
    /// assert!((d.max_deviation - 2.0 / 3.0).abs() < 1e-12);
    /// assert_eq!(Disproportionality::new(&[0, 0], &[0.5, 0.5]), None);
    /// ```
    pub fn new(slot_counts: &[u64], target_shares: &[f64]) -> Option<Self> {
        let granted: u64 = slot_counts.iter().sum();
        if granted == 0 || slot_counts.len() != target_shares.len() {
            return None;
        }
        Some(Self::from_pairs(
            slot_counts
                .iter()
                .zip(target_shares)
                .map(|(&c, &t)| (c as f64 / granted as f64, t)),
        ))
    }

    /// The indices for slot shares `s` against target shares `t` (same length).
    pub fn from_shares(s: &[f64], t: &[f64]) -> Self {
        Self::from_pairs(s.iter().copied().zip(t.iter().copied()))
    }

    /// The indices for pairs (slot share, target share), one per group: no list is built.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (f64, f64)>) -> Self {
        let mut absolute = 0.0;
        let mut squares = 0.0;
        let mut sainte_lague = 0.0;
        let mut max_deviation: f64 = 0.0;
        for (si, ti) in pairs {
            let d = si - ti;
            absolute += d.abs();
            squares += d * d;
            if ti > 0.0 {
                sainte_lague += d * d / ti;
            }
            max_deviation = max_deviation.max(d.abs());
        }
        Disproportionality {
            loosemore_hanby: absolute / 2.0,
            gallagher: (squares / 2.0).sqrt(),
            sainte_lague_index: sainte_lague,
            max_deviation,
        }
    }
}
