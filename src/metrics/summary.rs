//! Mergeable running summaries of a metric over many runs.

use serde::{Deserialize, Serialize};

/// z for a two-sided 95% normal interval.
const Z_95: f64 = 1.96;

/// Count, mean and M2 (the sum of squared deviations from the mean) of the values seen, updated
/// one value at a time with Welford's algorithm and merged with Chan, Golub & LeVeque's formula
/// ("Algorithms for computing the sample variance", *The American Statistician* 37, 1983), so
/// that shards of a simulation summarise exactly like the whole run (to rounding).
///
/// Serialises as `{"n", "mean", "m2", "ci_low", "ci_high"}`; the interval is mean ± 1.96·s/√n
/// with s² = M2/(n − 1), collapsed to the mean when n < 2. Values that are not finite (a
/// metric that is undefined in a run, `null` in JSON) are not pushed: `n` counts the values
/// averaged.
///
/// # Example
///
/// ```
/// use floorshare::metrics::Summary;
///
/// let mut left = Summary::default();
/// let mut right = Summary::default();
/// let values = [0.25, 0.5, 0.0, 1.0, 0.75];
/// values[..2].iter().for_each(|&v| left.push(v));
/// values[2..].iter().for_each(|&v| right.push(v));
/// left.merge(&right);
/// assert_eq!(left.n, 5);
/// assert!((left.mean - 0.5).abs() < 1e-15);
/// let (low, high) = left.ci95();
/// assert!(low < 0.5 && 0.5 < high);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Summary {
    /// Number of values.
    pub n: u64,
    /// Their mean (0 when n = 0).
    pub mean: f64,
    /// Sum of squared deviations from the mean.
    pub m2: f64,
}

impl Summary {
    /// Adds one value (Welford). Non-finite values are ignored.
    pub fn push(&mut self, value: f64) {
        if !value.is_finite() {
            return;
        }
        self.n += 1;
        let delta = value - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (value - self.mean);
    }

    /// Adds `value` when it is `Some`.
    pub fn push_some(&mut self, value: Option<f64>) {
        if let Some(value) = value {
            self.push(value);
        }
    }

    /// Adds every value summarised by `other` (Chan et al.).
    pub fn merge(&mut self, other: &Summary) {
        if other.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *other;
            return;
        }
        let n = self.n + other.n;
        let delta = other.mean - self.mean;
        let (a, b) = (self.n as f64, other.n as f64);
        self.mean += delta * b / n as f64;
        self.m2 += other.m2 + delta * delta * a * b / n as f64;
        self.n = n;
    }

    /// Sample variance M2/(n − 1); 0 when n < 2.
    pub fn variance(&self) -> f64 {
        if self.n < 2 {
            0.0
        } else {
            self.m2 / (self.n - 1) as f64
        }
    }

    /// The 95% confidence interval of the mean, mean ± 1.96·s/√n (the mean itself when n < 2).
    pub fn ci95(&self) -> (f64, f64) {
        if self.n < 2 {
            return (self.mean, self.mean);
        }
        let half = Z_95 * (self.variance() / self.n as f64).sqrt();
        (self.mean - half, self.mean + half)
    }
}

/// The JSON form of a [`Summary`], with its interval spelled out.
#[derive(Serialize, Deserialize)]
struct SummaryJson {
    n: u64,
    mean: f64,
    m2: f64,
    ci_low: f64,
    ci_high: f64,
}

impl Serialize for Summary {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (ci_low, ci_high) = self.ci95();
        SummaryJson {
            n: self.n,
            mean: self.mean,
            m2: self.m2,
            ci_low,
            ci_high,
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Summary {
    /// Reads `n`, `mean` and `m2`; the interval is recomputed from them.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let json = SummaryJson::deserialize(deserializer)?;
        Ok(Summary {
            n: json.n,
            mean: json.mean,
            m2: json.m2,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(values: &[f64]) -> Summary {
        let mut s = Summary::default();
        values.iter().for_each(|&v| s.push(v));
        s
    }

    #[test]
    fn matches_the_two_pass_formulas() {
        let values: Vec<f64> = (0..1000).map(|i| ((i * 37) % 101) as f64 / 7.0).collect();
        let s = summary(&values);
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        let m2: f64 = values.iter().map(|v| (v - mean).powi(2)).sum();
        assert!((s.mean - mean).abs() < 1e-12);
        assert!((s.m2 - m2).abs() < 1e-9 * m2);
    }

    #[test]
    fn merging_shards_equals_the_whole_in_any_split() {
        let values: Vec<f64> = (0..500).map(|i| ((i * 13) % 29) as f64).collect();
        let whole = summary(&values);
        for split in [0, 1, 7, 250, 499, 500] {
            let mut left = summary(&values[..split]);
            left.merge(&summary(&values[split..]));
            assert_eq!(left.n, whole.n);
            assert!((left.mean - whole.mean).abs() <= 1e-12 * whole.mean.abs());
            assert!((left.m2 - whole.m2).abs() <= 1e-9 * whole.m2);
        }
    }

    #[test]
    fn degenerate_summaries_have_collapsed_intervals() {
        assert_eq!(Summary::default().ci95(), (0.0, 0.0));
        assert_eq!(summary(&[3.0]).ci95(), (3.0, 3.0));
        assert_eq!(summary(&[f64::NAN]).n, 0);
        let json = serde_json::to_string(&summary(&[1.0, 3.0])).unwrap();
        assert!(
            json.starts_with(r#"{"n":2,"mean":2.0,"m2":2.0,"ci_low":"#),
            "{json}"
        );
        let back: Summary = serde_json::from_str(&json).unwrap();
        assert_eq!(back, summary(&[1.0, 3.0]));
    }

    #[test]
    fn the_interval_is_mean_plus_or_minus_1_96_standard_errors() {
        // 1, 3: mean 2, s² = 2/(2 − 1), standard error √(2/2) = 1. Only the bounds' order was
        // checked before, which any z (or s² = M2/n) also met.
        let (low, high) = summary(&[1.0, 3.0]).ci95();
        assert!(
            (low - 0.04).abs() < 1e-12 && (high - 3.96).abs() < 1e-12,
            "{low}, {high}"
        );
        // 0, 0, 3: mean 1, M2 = 6, s² = 3, standard error 1.
        let (low, high) = summary(&[0.0, 0.0, 3.0]).ci95();
        assert!(
            (low + 0.96).abs() < 1e-12 && (high - 2.96).abs() < 1e-12,
            "{low}, {high}"
        );
    }
}
