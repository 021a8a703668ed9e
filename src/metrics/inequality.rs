//! Inequality of slots or minutes across organisations.
//!
//! Each index takes the values of the organisations that requested at least once in a process
//! (slots granted, or minutes), in any order. Values must be finite and non-negative; any
//! other value is an error naming it (`values[3]`). Degenerate inputs have documented answers
//! and never give NaN: an empty list or all-zero values give 0 (Jain's index: 1), as if
//! everyone had been treated equally — equally badly.

use crate::{Error, Result};

/// Checks that every value is finite and non-negative.
fn check(values: &[f64]) -> Result<()> {
    match values.iter().position(|x| !(x.is_finite() && *x >= 0.0)) {
        Some(i) => Err(Error::invalid(
            format!("values[{i}]"),
            values[i],
            "is not a finite non-negative number",
        )),
        None => Ok(()),
    }
}

/// Sum and mean of `values`, or `None` when the list is empty or sums to zero.
fn positive_mean(values: &[f64]) -> Option<(f64, f64)> {
    let total: f64 = values.iter().sum();
    (total > 0.0).then(|| (total, total / values.len() as f64))
}

/// Gini coefficient: ΣᵢΣⱼ|xᵢ − xⱼ| / (2n²x̄); 0 for perfect equality, (n−1)/n when one
/// organisation has everything. Computed in O(n log n) from the sorted values as
/// Σᵢ (2i − n − 1)·x₍ᵢ₎ / (n²x̄) (Gini 1912; e.g. Cowell, *Measuring Inequality*, 3rd ed.,
/// 2011, §2.2). Empty or all-zero: 0.
///
/// # Errors
///
/// [`ErrorKind::OutOfRange`](crate::ErrorKind::OutOfRange) naming `values[i]` when a value is
/// negative, NaN or infinite.
///
/// # Example
///
/// ```
/// use floorshare::metrics::gini;
///
/// assert_eq!(gini(&[1.0, 1.0, 1.0])?, 0.0);
/// assert_eq!(gini(&[0.0, 0.0, 0.0, 4.0])?, 0.75);
/// assert_eq!(gini(&[])?, 0.0);
/// assert_eq!(gini(&[1.0, f64::INFINITY]).unwrap_err().field(), "values[1]");
/// # Ok::<(), floorshare::Error>(())
/// ```
pub fn gini(values: &[f64]) -> Result<f64> {
    gini_in_place(&mut values.to_vec())
}

/// [`gini`], sorting `values` in place instead of a copy: no allocation, for a caller that
/// reuses its buffer (the simulator, once per simulated process).
///
/// # Errors
///
/// As [`gini`].
///
/// ```
/// let mut values = vec![4.0, 0.0, 0.0, 0.0];
/// assert_eq!(floorshare::metrics::gini_in_place(&mut values)?, 0.75);
/// assert_eq!(values, [0.0, 0.0, 0.0, 4.0]);
/// # Ok::<(), floorshare::Error>(())
/// ```
pub fn gini_in_place(values: &mut [f64]) -> Result<f64> {
    check(values)?;
    let Some((total, _)) = positive_mean(values) else {
        return Ok(0.0);
    };
    // Equal values are indistinguishable, so an unstable sort gives the stable order's sums.
    values.sort_unstable_by(f64::total_cmp);
    let sorted = &*values;
    let n = sorted.len() as f64;
    let weighted: f64 = sorted
        .iter()
        .enumerate()
        .map(|(i, x)| (2.0 * (i as f64 + 1.0) - n - 1.0) * x)
        .sum();
    Ok(weighted / (n * total))
}

/// Theil T index: (1/n)·Σ (xᵢ/x̄)·ln(xᵢ/x̄), with 0·ln 0 = 0; 0 for equality, ln n when one
/// organisation has everything (Theil, *Economics and Information Theory*, 1967). Empty or
/// all-zero: 0.
///
/// # Errors
///
/// [`ErrorKind::OutOfRange`](crate::ErrorKind::OutOfRange) naming `values[i]` when a value is
/// negative, NaN or infinite.
///
/// # Example
///
/// ```
/// use floorshare::metrics::theil_t;
///
/// assert_eq!(theil_t(&[2.0, 2.0])?, 0.0);
/// assert!((theil_t(&[0.0, 0.0, 3.0])? - 3f64.ln()).abs() < 1e-12);
/// # Ok::<(), floorshare::Error>(())
/// ```
pub fn theil_t(values: &[f64]) -> Result<f64> {
    check(values)?;
    let Some((_, mean)) = positive_mean(values) else {
        return Ok(0.0);
    };
    let sum: f64 = values
        .iter()
        .filter(|&&x| x > 0.0)
        .map(|&x| (x / mean) * (x / mean).ln())
        .sum();
    Ok(sum / values.len() as f64)
}

/// Atkinson index with inequality aversion ε ≥ 0: 1 − (mean of x^(1−ε))^(1/(1−ε)) / x̄, and for
/// ε = 1, 1 − (geometric mean)/x̄ (Atkinson, "On the measurement of inequality", *J. Econ.
/// Theory* 2, 1970). When ε ≥ 1 and some value is 0, the index is 1 (the zero dominates).
/// Empty or all-zero: 0.
///
/// # Errors
///
/// [`ErrorKind::OutOfRange`](crate::ErrorKind::OutOfRange) naming `epsilon` when ε is negative
/// or not finite, or naming `values[i]` when a value is negative, NaN or infinite.
///
/// # Example
///
/// ```
/// use floorshare::metrics::atkinson;
///
/// assert!(atkinson(&[3.0, 3.0], 0.5)?.abs() < 1e-12);
/// assert_eq!(atkinson(&[0.0, 3.0], 1.0)?, 1.0);
/// assert!(atkinson(&[1.0], -1.0).is_err());
/// assert_eq!(atkinson(&[-1.0, 2.0], 0.5).unwrap_err().field(), "values[0]");
/// # Ok::<(), floorshare::Error>(())
/// ```
pub fn atkinson(values: &[f64], epsilon: f64) -> Result<f64> {
    if !(epsilon >= 0.0 && epsilon.is_finite()) {
        return Err(Error::invalid(
            "epsilon",
            epsilon,
            "is not a finite number ≥ 0",
        ));
    }
    check(values)?;
    let Some((_, mean)) = positive_mean(values) else {
        return Ok(0.0);
    };
    if epsilon >= 1.0 && values.iter().any(|&x| x <= 0.0) {
        return Ok(1.0);
    }
    let n = values.len() as f64;
    let equivalent = if epsilon == 1.0 {
        (values.iter().map(|x| x.ln()).sum::<f64>() / n).exp()
    } else {
        let power = 1.0 - epsilon;
        (values.iter().map(|x| x.powf(power)).sum::<f64>() / n).powf(1.0 / power)
    };
    Ok(1.0 - equivalent / mean)
}

/// Jain's fairness index: (Σx)² / (n·Σx²); 1 for equality, 1/n when one organisation has
/// everything (Jain, Chiu & Hawe, DEC-TR-301, 1984). Empty or all-zero: 1.
///
/// # Errors
///
/// [`ErrorKind::OutOfRange`](crate::ErrorKind::OutOfRange) naming `values[i]` when a value is
/// negative, NaN or infinite.
///
/// # Example
///
/// ```
/// use floorshare::metrics::jain;
///
/// assert_eq!(jain(&[1.0, 1.0])?, 1.0);
/// assert_eq!(jain(&[0.0, 0.0, 0.0, 5.0])?, 0.25);
/// assert_eq!(jain(&[0.0, 0.0])?, 1.0);
/// # Ok::<(), floorshare::Error>(())
/// ```
pub fn jain(values: &[f64]) -> Result<f64> {
    check(values)?;
    let Some((total, _)) = positive_mean(values) else {
        return Ok(1.0);
    };
    let squares: f64 = values.iter().map(|x| x * x).sum();
    Ok(total * total / (values.len() as f64 * squares))
}

/// Share of the organisations with value 0: requested, never heard. Empty: 0.
///
/// # Errors
///
/// [`ErrorKind::OutOfRange`](crate::ErrorKind::OutOfRange) naming `values[i]` when a value is
/// negative, NaN or infinite.
///
/// # Example
///
/// ```
/// use floorshare::metrics::never_heard_share;
///
/// assert_eq!(never_heard_share(&[0.0, 2.0, 0.0, 1.0])?, 0.5);
/// # Ok::<(), floorshare::Error>(())
/// ```
pub fn never_heard_share(values: &[f64]) -> Result<f64> {
    check(values)?;
    if values.is_empty() {
        return Ok(0.0);
    }
    Ok(values.iter().filter(|&&x| x <= 0.0).count() as f64 / values.len() as f64)
}

/// Share of the total held by the top decile: the ⌈n/10⌉ largest values over the sum. Empty or
/// all-zero: 0.
///
/// # Errors
///
/// [`ErrorKind::OutOfRange`](crate::ErrorKind::OutOfRange) naming `values[i]` when a value is
/// negative, NaN or infinite.
///
/// # Example
///
/// ```
/// use floorshare::metrics::top_decile_share;
///
/// // Ten organisations, one holds half of all slots.
/// let values = [5.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0];
/// assert_eq!(top_decile_share(&values)?, 0.5);
/// # Ok::<(), floorshare::Error>(())
/// ```
pub fn top_decile_share(values: &[f64]) -> Result<f64> {
    check(values)?;
    let Some((total, _)) = positive_mean(values) else {
        return Ok(0.0);
    };
    let top = values.len().div_ceil(10);
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| b.total_cmp(a));
    Ok(sorted[..top].iter().sum::<f64>() / total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gini_matches_the_pairwise_definition() {
        let values = [3.0, 8.0, 40.0, 0.0, 3.0, 1.5];
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let pairwise: f64 = values
            .iter()
            .flat_map(|a| values.iter().map(move |b| (a - b).abs()))
            .sum();
        assert!((gini(&values).unwrap() - pairwise / (2.0 * n * n * mean)).abs() < 1e-12);
    }

    #[test]
    fn degenerate_inputs_have_their_documented_answers() {
        for values in [&[][..], &[0.0, 0.0][..]] {
            assert_eq!(gini(values).unwrap(), 0.0);
            assert_eq!(theil_t(values).unwrap(), 0.0);
            assert_eq!(atkinson(values, 0.5).unwrap(), 0.0);
            assert_eq!(atkinson(values, 2.0).unwrap(), 0.0);
            assert_eq!(jain(values).unwrap(), 1.0);
            assert_eq!(top_decile_share(values).unwrap(), 0.0);
        }
        assert_eq!(never_heard_share(&[]).unwrap(), 0.0);
        assert_eq!(never_heard_share(&[0.0, 0.0]).unwrap(), 1.0);
        assert_eq!(gini(&[7.0]).unwrap(), 0.0);
        assert!(atkinson(&[1.0], f64::NAN).is_err());
        assert_eq!(
            atkinson(&[1.0], f64::INFINITY).unwrap_err().field(),
            "epsilon"
        );
    }

    #[test]
    fn values_outside_the_domain_are_errors_not_nan() {
        for bad in [f64::NAN, f64::INFINITY, -1.0] {
            let values = [2.0, bad];
            for result in [
                gini(&values),
                theil_t(&values),
                atkinson(&values, 0.5),
                jain(&values),
                never_heard_share(&values),
                top_decile_share(&values),
            ] {
                assert_eq!(result.unwrap_err().field(), "values[1]");
            }
        }
    }
}
