//! Hamilton's method: largest remainders with the Hare quota `W/U`.
//!
//! Each group first gets the floor `⌊qᵢ⌋` of its exact quota `qᵢ = wᵢ·U/W`; the units left go
//! one each to the groups with the largest remainders `qᵢ − ⌊qᵢ⌋`, ties among equal remainders
//! at the cut by lot. The quotas and remainders are computed exactly: the weights are put on a
//! common binary exponent as integers (`u64`, `u128` or the arbitrary-precision [`Big`]), so
//! `wᵢ·U − ⌊qᵢ⌋·W` compares without rounding.
//!
//! Sources: proposed by Alexander Hamilton in 1792 for the first apportionment of the US House
//! of Representatives (the bill was vetoed by Washington); used for the House as Vinton's method
//! under the Apportionment Act of 1850, for the censuses of 1850 to 1900 (the Alabama paradox
//! appeared with the 1880 census); as Hare–Niemeyer (the quota of T. Hare, 1859), the method of
//! the German Federal Elections Act (Bundeswahlgesetz) for the Bundestag elections of 1987 to
//! 2005. M. L. Balinski and H. P. Young, *Fair Representation*, 2nd ed., 2001; F. Pukelsheim,
//! *Proportional Representation*, 2nd ed., 2017.

use rand::Rng;

use super::exact::{Big, Dyadic, Nat};
use super::{Tie, award_top};

/// Hamilton's method (Hamilton 1792; Vinton 1850; Hare–Niemeyer): writes the floors of the
/// quotas into `seats`, then gives the units left to the largest remainders, by lot among equal
/// ones at the cut (the [`Tie`] returned).
pub(super) fn hamilton(
    ws: &[Dyadic],
    units: u32,
    seats: &mut [u32],
    rng: &mut (impl Rng + ?Sized),
) -> Option<Tie> {
    // Bits of `W·U` on the common exponent: the narrowest integers that hold it are used.
    let low = ws.iter().map(|w| w.e).min().unwrap_or(0);
    let widest = ws
        .iter()
        .map(|w| i64::from(w.top() - low))
        .max()
        .unwrap_or(0);
    let bits = widest + i64::from(usize::BITS - ws.len().leading_zeros()) + 20;
    if bits <= 64
        && let Some(remainders) = exact_quotas::<u64>(ws, units, seats)
    {
        return hamilton_rest(remainders, units, seats, rng);
    }
    if bits <= 128
        && let Some(remainders) = exact_quotas::<u128>(ws, units, seats)
    {
        return hamilton_rest(remainders, units, seats, rng);
    }
    // Exponents far apart: arbitrary precision, which never overflows.
    let remainders = exact_quotas::<Big>(ws, units, seats).unwrap_or_default();
    hamilton_rest(remainders, units, seats, rng)
}

/// Writes `⌊qᵢ⌋` into `seats` and returns the remainders scaled by `W` (`wᵢ·U − ⌊qᵢ⌋·W`, all with
/// the same denominator, so they compare as integers), or `None` if `N` is too narrow.
fn exact_quotas<N: Nat>(ws: &[Dyadic], units: u32, seats: &mut [u32]) -> Option<Vec<N>> {
    let low = ws.iter().map(|w| w.e).min()?;
    let mut values = Vec::with_capacity(ws.len());
    for w in ws {
        values.push(N::shifted(w.m, (w.e - low) as u32)?);
    }
    let total = values.iter().try_fold(N::zero(), |sum, x| sum.add(x))?;
    let u = u64::from(units);
    // Every product below is at most `total·U`.
    total.mul_small(u)?;
    let skip = total.estimate_skip();
    let inverse = 1.0 / total.estimate(skip);
    for (x, seat) in values.iter_mut().zip(seats.iter_mut()) {
        let product = x.mul_small(u)?;
        // A floating guess of ⌊qᵢ⌋, then exact correction: ⌊qᵢ⌋·W ≤ wᵢ·U < (⌊qᵢ⌋ + 1)·W.
        // (`as` truncates towards zero and saturates, NaN to 0.)
        let mut floor = u64::from((product.estimate(skip) * inverse) as u32).min(u);
        let mut given = total.mul_small(floor)?;
        while given > product {
            floor -= 1;
            given = given.sub(&total);
        }
        let mut remainder = product.sub(&given);
        while remainder >= total {
            floor += 1;
            remainder = remainder.sub(&total);
        }
        *seat = floor as u32;
        *x = remainder;
    }
    Some(values)
}

fn hamilton_rest<N: Ord>(
    remainders: Vec<N>,
    units: u32,
    seats: &mut [u32],
    rng: &mut (impl Rng + ?Sized),
) -> Option<Tie> {
    let given: u64 = seats.iter().map(|&s| u64::from(s)).sum();
    let left = (u64::from(units) - given) as usize;
    if left == 0 {
        return None;
    }
    award_top(remainders, left, N::cmp, seats, rng)
}
