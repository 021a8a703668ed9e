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

/// The memory of [`hamilton`], reused across calls: the exact quotas in each integer width.
#[derive(Debug, Default)]
pub(super) struct Buffers {
    narrow: Quotas<u64>,
    wide: Quotas<u128>,
    big: Quotas<Big>,
}

/// The exact quotas of one integer width `N`, with their scratch numbers.
///
/// Numbers are overwritten, never dropped, so that a [`Big`] keeps its limbs; and since the
/// limbs move between numbers (the remainders are reordered, and swapped with `product`), every
/// number is kept with room for `reserved` bits, the most any call needed: a call then
/// allocates only when it needs more than any before it, or more groups.
#[derive(Debug, Default)]
struct Quotas<N> {
    /// Each group's remainder `wᵢ·U − ⌊qᵢ⌋·W` with its index; the first `n` are in use.
    remainders: Vec<(N, usize)>,
    /// `W`, the exact sum of the weights.
    total: N,
    /// `wᵢ·U`.
    product: N,
    /// `⌊qᵢ⌋·W`.
    given: N,
    /// Every number has room for this many bits ([`Nat::reserve`]).
    reserved: u64,
}

impl<N: Nat> Quotas<N> {
    /// Makes room for `n` remainders and numbers of up to `bits` bits, keeping every number's
    /// room at the most ever needed.
    fn prepare(&mut self, n: usize, bits: u64) {
        if bits > self.reserved {
            self.reserved = bits;
            for (x, _) in &mut self.remainders {
                x.reserve(bits);
            }
            self.total.reserve(bits);
            self.product.reserve(bits);
            self.given.reserve(bits);
        }
        if self.remainders.len() < n {
            let reserved = self.reserved;
            self.remainders.resize_with(n, || {
                let mut x = N::default();
                x.reserve(reserved);
                (x, 0)
            });
        }
    }
}

/// Hamilton's method (Hamilton 1792; Vinton 1850; Hare–Niemeyer): writes the floors of the
/// quotas into `seats`, then gives the units left to the largest remainders, by lot among equal
/// ones at the cut (written into `tie`; `true` when there was one).
pub(super) fn hamilton(
    ws: &[Dyadic],
    units: u32,
    seats: &mut [u32],
    buffers: &mut Buffers,
    tie: &mut Tie,
    rng: &mut (impl Rng + ?Sized),
) -> bool {
    // Bits of `W·U` on the common exponent: the narrowest integers that hold it are used.
    let low = ws.iter().map(|w| w.e).min().unwrap_or(0);
    let widest = ws
        .iter()
        .map(|w| i64::from(w.top() - low))
        .max()
        .unwrap_or(0);
    let bits = widest + i64::from(usize::BITS - ws.len().leading_zeros()) + 20;
    if bits <= 64 && exact_quotas(ws, units, bits as u64, seats, &mut buffers.narrow) {
        return hamilton_rest(
            &mut buffers.narrow.remainders[..ws.len()],
            units,
            seats,
            tie,
            rng,
        );
    }
    if bits <= 128 && exact_quotas(ws, units, bits as u64, seats, &mut buffers.wide) {
        return hamilton_rest(
            &mut buffers.wide.remainders[..ws.len()],
            units,
            seats,
            tie,
            rng,
        );
    }
    // Exponents far apart: arbitrary precision, which never overflows.
    let exact = exact_quotas(ws, units, bits as u64, seats, &mut buffers.big);
    debug_assert!(exact, "arbitrary precision does not overflow");
    hamilton_rest(
        &mut buffers.big.remainders[..ws.len()],
        units,
        seats,
        tie,
        rng,
    )
}

/// Writes `⌊qᵢ⌋` into `seats` and the remainders scaled by `W` (`wᵢ·U − ⌊qᵢ⌋·W`, all with the
/// same denominator, so they compare as integers) into the first `ws.len()` entries of
/// `quotas.remainders`; `false` if `N` is too narrow. `W·U` is below `2^bits`.
fn exact_quotas<N: Nat>(
    ws: &[Dyadic],
    units: u32,
    bits: u64,
    seats: &mut [u32],
    quotas: &mut Quotas<N>,
) -> bool {
    let Some(low) = ws.iter().map(|w| w.e).min() else {
        return false;
    };
    quotas.prepare(ws.len(), bits);
    let Quotas {
        remainders,
        total,
        product,
        given,
        ..
    } = quotas;
    let values = &mut remainders[..ws.len()];
    total.set_zero();
    for (i, (w, (x, g))) in ws.iter().zip(values.iter_mut()).enumerate() {
        if !x.set_shifted(w.m, (w.e - low) as u32) || !total.add_assign(x) {
            return false;
        }
        *g = i;
    }
    let u = u64::from(units);
    // Every product below is at most `total·U`.
    if !given.set_mul_small(total, u) {
        return false;
    }
    let skip = total.estimate_skip();
    let inverse = 1.0 / total.estimate(skip);
    for ((x, _), seat) in values.iter_mut().zip(seats.iter_mut()) {
        if !product.set_mul_small(x, u) {
            return false;
        }
        // A floating guess of ⌊qᵢ⌋, then exact correction: ⌊qᵢ⌋·W ≤ wᵢ·U < (⌊qᵢ⌋ + 1)·W.
        // (`as` truncates towards zero and saturates, NaN to 0.)
        let mut floor = u64::from((product.estimate(skip) * inverse) as u32).min(u);
        if !given.set_mul_small(total, floor) {
            return false;
        }
        while *given > *product {
            floor -= 1;
            given.sub_assign(total);
        }
        // The remainder `wᵢ·U − ⌊qᵢ⌋·W` replaces the weight (whose memory `product` takes).
        product.sub_assign(given);
        std::mem::swap(x, product);
        while *x >= *total {
            floor += 1;
            x.sub_assign(total);
        }
        *seat = floor as u32;
    }
    true
}

fn hamilton_rest<N: Ord>(
    remainders: &mut [(N, usize)],
    units: u32,
    seats: &mut [u32],
    tie: &mut Tie,
    rng: &mut (impl Rng + ?Sized),
) -> bool {
    let given: u64 = seats.iter().map(|&s| u64::from(s)).sum();
    let left = (u64::from(units) - given) as usize;
    if left == 0 {
        return false;
    }
    award_top(remainders, left, N::cmp, seats, tie, rng)
}
