//! The largest remainder method: Hamilton's (the Hare quota `W/U`), with other quotas, bounds
//! and a threshold for remainder units (see [`Options`](super::Options)).
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

use std::cmp::Ordering;

use rand::Rng;

use super::divisor::{DHondt, Post, step};
use super::exact::{Big, Dyadic, Nat};
use super::{Draw, Options, Quota, award_top};

/// The memory of [`largest_remainder`], reused across calls: the exact quotas in each integer
/// width, and the buffers of the later stages.
#[derive(Debug, Default)]
pub(super) struct Buffers {
    narrow: Quotas<u64>,
    wide: Quotas<u128>,
    big: Quotas<Big>,
    /// Whether each group may take a remainder unit (with a threshold).
    eligible: Vec<bool>,
    /// Counts and heap of the D'Hondt stage (with a threshold).
    counts: Vec<u64>,
    heap: Vec<Post>,
    /// The units before the D'Hondt stage.
    before: Vec<u32>,
}

/// The exact quotas of one integer width `N`, with their scratch numbers.
///
/// Numbers are overwritten, never dropped, so that a [`Big`] keeps its limbs; and since the
/// limbs move between numbers (the remainders are reordered, and swapped with `product`), every
/// number is kept with room for `reserved` bits, the most any call needed: a call then
/// allocates only when it needs more than any before it, or more groups.
#[derive(Debug, Default)]
struct Quotas<N> {
    /// Each group's remainder `wᵢ·B − ⌊wᵢ·B/A⌋·A` with its index; the first `n` are in use.
    remainders: Vec<(N, usize)>,
    /// `W`, the exact sum of the weights.
    total: N,
    /// `A`: the quota is `A/B`.
    quota: N,
    /// `wᵢ·B`.
    product: N,
    /// `⌊wᵢ·B/A⌋·A`.
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
            self.quota.reserve(bits);
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

/// How the bounds of the largest remainder method fix a group ([`fix_bounds`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fix {
    /// Shares the units left.
    Free,
    /// Fixed at its min.
    Min,
    /// Fixed at its max.
    Max,
}

/// One step of the bounds of the largest remainder method: with the Hare quotas `qᵢ` of `units`
/// among `ws`, the groups with `qᵢ < loᵢ` and those with `qᵢ > hiᵢ`; if raising the first to
/// their min needs more units than lowering the second to their max frees, the first are fixed
/// at their min (the quotas of the others can only fall), if fewer, the second at their max,
/// and if as many, both. Writes the fixes into `fixes` and returns whether there was one.
/// Repeated until none, this finds the groups outside their bounds at the proportional
/// solution `clamp(λ·wᵢ, loᵢ, hiᵢ)` summing to the units.
pub(super) fn fix_bounds(
    ws: &[Dyadic],
    units: u32,
    lo: &[u32],
    hi: &[u32],
    fixes: &mut [Fix],
    buffers: &mut Buffers,
) -> bool {
    let n = ws.len();
    if n == 0 {
        return false;
    }
    let floors = &mut buffers.before;
    floors.clear();
    floors.resize(n, 0);
    let quotas = &mut buffers.big;
    let exact = exact_quotas(
        ws,
        Quota::Hare,
        units,
        bits(ws, Quota::Hare),
        floors,
        quotas,
    );
    debug_assert!(exact, "arbitrary precision does not overflow");
    let (mut raise, mut lower) = (0u64, 0u64);
    let (mut any_low, mut any_high) = (false, false);
    let mut parts = Big::default();
    for g in 0..n {
        let (f, r) = (floors[g], &quotas.remainders[g].0);
        let positive = *r > Big::default();
        if f < lo[g] {
            any_low = true;
            fixes[g] = Fix::Min;
            raise += u64::from(lo[g] - f);
            parts.add_assign(r);
        } else if f > hi[g] || (f == hi[g] && positive) {
            any_high = true;
            fixes[g] = Fix::Max;
            lower += u64::from(f - hi[g]);
            parts.add_assign(r);
        }
    }
    if !any_low && !any_high {
        return false;
    }
    // Raising the low ones takes T·raise − Σr_low (times 1/T), lowering the high ones frees
    // T·lower + Σr_high: compare T·raise with T·lower + Σr.
    let total = &quotas.total;
    let (mut needed, mut freed) = (Big::default(), Big::default());
    needed.set_mul_small(total, raise);
    freed.set_mul_small(total, lower);
    freed.add_assign(&parts);
    let keep = match needed.cmp(&freed) {
        Ordering::Greater => Fix::Min,
        Ordering::Less => Fix::Max,
        Ordering::Equal => return true,
    };
    for fix in fixes.iter_mut() {
        if *fix != keep {
            *fix = Fix::Free;
        }
    }
    true
}

/// Bits of `W·(U + 2)` on the common exponent of the quota (with room for a threshold's
/// products): the narrowest integers that hold it are used.
fn bits(ws: &[Dyadic], quota: Quota) -> u64 {
    let low = exponent(ws, quota);
    let widest = ws
        .iter()
        .map(|w| i64::from(w.top() - low))
        .max()
        .unwrap_or(0);
    (widest + i64::from(usize::BITS - ws.len().leading_zeros()) + 20) as u64
}

/// The common exponent of the weights as integers: their smallest, or for the Droop quota at
/// most 0 (so that the quota's integer part is exact).
fn exponent(ws: &[Dyadic], quota: Quota) -> i32 {
    let low = ws.iter().map(|w| w.e).min().unwrap_or(0);
    if quota == Quota::Droop {
        low.min(0)
    } else {
        low
    }
}

/// The largest remainder method with the quota, threshold and bounds of `options`: the floors
/// `⌊wᵢ/Q⌋` within `[loᵢ, hiᵢ]`, a surplus taken back from the smallest remainders, the units
/// left to the largest remainders (with a threshold: at most one each to the eligible groups,
/// then by D'Hondt); ties settled with `draw`. Without options this is Hamilton's method.
#[allow(clippy::too_many_arguments)]
pub(super) fn largest_remainder<G: Rng + ?Sized>(
    ws: &[Dyadic],
    units: u32,
    seats: &mut [u32],
    buffers: &mut Buffers,
    lo: &[u32],
    hi: &[u32],
    options: &Options,
    draw: &mut Draw<'_, G>,
) {
    let quota = options.quota;
    let bits = bits(ws, quota) + if options.threshold.is_some() { 34 } else { 0 };
    let Buffers {
        narrow,
        wide,
        big,
        eligible,
        counts,
        heap,
        before,
    } = buffers;
    let rest = Rest {
        ws,
        units,
        seats,
        lo,
        hi,
        options,
        eligible,
        counts,
        heap,
        before,
    };
    if bits <= 64 && exact_quotas(ws, quota, units, bits, rest.seats, narrow) {
        return rest.finish(narrow, draw);
    }
    if bits <= 128 && exact_quotas(ws, quota, units, bits, rest.seats, wide) {
        return rest.finish(wide, draw);
    }
    // Exponents far apart: arbitrary precision, which never overflows.
    let exact = exact_quotas(ws, quota, units, bits, rest.seats, big);
    debug_assert!(exact, "arbitrary precision does not overflow");
    rest.finish(big, draw);
}

/// Writes `⌊wᵢ·B/A⌋` into `seats` (the quota `Q = A/B`: Hare `W/U`, Hagenbach-Bischoff
/// `W/(U+1)`, Imperiali `W/(U+2)`, Droop `⌊W/(U+1)⌋ + 1`) and the remainders scaled by `B`
/// (`wᵢ·B − ⌊wᵢ·B/A⌋·A`, all with the same denominator, so they compare as integers) into the
/// first `ws.len()` entries of `quotas.remainders`; `false` if `N` is too narrow. `W·(U + 2)`
/// is below `2^bits`.
fn exact_quotas<N: Nat>(
    ws: &[Dyadic],
    kind: Quota,
    units: u32,
    bits: u64,
    seats: &mut [u32],
    quotas: &mut Quotas<N>,
) -> bool {
    if ws.is_empty() {
        return false;
    }
    let low = exponent(ws, kind);
    quotas.prepare(ws.len(), bits);
    let Quotas {
        remainders,
        total,
        quota,
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
    let b = match kind {
        Quota::Hare => u,
        Quota::HagenbachBischoff => u + 1,
        Quota::Imperiali => u + 2,
        Quota::Droop => 1,
    };
    if kind == Quota::Droop {
        if !quota.set_droop(total, u + 1, (-low) as u32) {
            return false;
        }
    } else {
        quota.set_zero();
        quota.add_assign(total);
    }
    // Every product below is at most `W·B` (or `A·(U + 2)`).
    if !given.set_mul_small(quota, u + 2) || !product.set_mul_small(total, b) {
        return false;
    }
    let skip = quota.estimate_skip();
    let inverse = 1.0 / quota.estimate(skip);
    for ((x, _), seat) in values.iter_mut().zip(seats.iter_mut()) {
        if !product.set_mul_small(x, b) {
            return false;
        }
        // A floating guess of the floor, then exact correction: ⌊·⌋·A ≤ wᵢ·B < (⌊·⌋ + 1)·A.
        // (`as` truncates towards zero and saturates, NaN to 0.)
        let mut floor = u64::from((product.estimate(skip) * inverse) as u32).min(u + 2);
        if !given.set_mul_small(quota, floor) {
            return false;
        }
        while *given > *product {
            floor -= 1;
            given.sub_assign(quota);
        }
        // The remainder `wᵢ·B − ⌊·⌋·A` replaces the weight (whose memory `product` takes).
        product.sub_assign(given);
        std::mem::swap(x, product);
        while *x >= *quota {
            floor += 1;
            x.sub_assign(quota);
        }
        *seat = floor as u32;
    }
    true
}

/// The stages after the floors of [`largest_remainder`].
struct Rest<'a> {
    ws: &'a [Dyadic],
    units: u32,
    seats: &'a mut [u32],
    lo: &'a [u32],
    hi: &'a [u32],
    options: &'a Options,
    eligible: &'a mut Vec<bool>,
    counts: &'a mut Vec<u64>,
    heap: &'a mut Vec<Post>,
    before: &'a mut Vec<u32>,
}

impl Rest<'_> {
    /// From the floors in `seats` and the remainders in `quotas`, the units of every group.
    fn finish<N: Nat, G: Rng + ?Sized>(self, quotas: &mut Quotas<N>, draw: &mut Draw<'_, G>) {
        let Rest {
            ws,
            units,
            seats,
            lo,
            hi,
            options,
            eligible,
            counts,
            heap,
            before,
        } = self;
        let n = ws.len();
        // Eligibility for a remainder unit: `wᵢ ≥ t·Q`, i.e. `rᵢ·den ≥ (num − ⌊·⌋·den)·A`.
        eligible.clear();
        if let Some(threshold) = options.threshold {
            let (num, den) = (u64::from(threshold.num), u64::from(threshold.den));
            for (&seat, (r, _)) in seats.iter().zip(&quotas.remainders[..n]) {
                let floor = u64::from(seat);
                let ok = match num.checked_sub(floor * den) {
                    None | Some(0) => true,
                    Some(need) => {
                        let mut lhs = quotas.product.clone();
                        let mut rhs = quotas.given.clone();
                        let fits =
                            lhs.set_mul_small(r, den) && rhs.set_mul_small(&quotas.quota, need);
                        debug_assert!(fits, "room was made for the threshold's products");
                        lhs >= rhs
                    }
                };
                eligible.push(ok);
            }
        }
        let remainders = &mut quotas.remainders[..n];
        let mut sum = 0u64;
        for g in 0..n {
            seats[g] = seats[g].clamp(lo[g], hi[g]);
            sum += u64::from(seats[g]);
        }
        let units64 = u64::from(units);
        if sum > units64 {
            // A quota below Hare's can hand out more units than there are: the surplus is taken
            // back from the smallest remainders (of the groups above their min).
            let mut surplus = (sum - units64) as usize;
            loop {
                let m = partition(remainders, |g| seats[g] > lo[g]);
                for (_, g) in &remainders[..m] {
                    seats[*g] -= 1;
                }
                if surplus >= m {
                    surplus -= m;
                    if surplus == 0 {
                        break;
                    }
                    continue;
                }
                award_top(&mut remainders[..m], m - surplus, N::cmp, seats, draw);
                break;
            }
            return;
        }
        let mut left = (units64 - sum) as usize;
        if left == 0 {
            return;
        }
        if options.threshold.is_some() {
            // At most one remainder unit each, to the eligible groups, largest remainders first.
            let m = partition(remainders, |g| eligible[g] && seats[g] < hi[g]);
            if left >= m {
                for (_, g) in &remainders[..m] {
                    seats[*g] += 1;
                }
                left -= m;
            } else {
                award_top(&mut remainders[..m], left, N::cmp, seats, draw);
                left = 0;
            }
            if left > 0 {
                // The units still left by D'Hondt among all groups, from their units so far.
                before.clear();
                before.extend_from_slice(seats);
                counts.clear();
                counts.extend(seats.iter().map(|&s| u64::from(s)));
                let sum = units64 - left as u64;
                step::<DHondt, G>(ws, counts, sum, units64, before, hi, heap, seats, draw);
            }
            return;
        }
        // One unit each to the largest remainders; in rounds should more be left than groups
        // below their max (never with the Hare quota and no bounds).
        loop {
            let m = partition(remainders, |g| seats[g] < hi[g]);
            if left >= m {
                for (_, g) in &remainders[..m] {
                    seats[*g] += 1;
                }
                left -= m;
                if left == 0 {
                    break;
                }
                continue;
            }
            award_top(&mut remainders[..m], left, N::cmp, seats, draw);
            break;
        }
    }
}

/// Moves the entries whose group passes `keep` to the front, keeping their order, and returns
/// how many there are.
fn partition<N>(entries: &mut [(N, usize)], keep: impl Fn(usize) -> bool) -> usize {
    let mut m = 0;
    for j in 0..entries.len() {
        if keep(entries[j].1) {
            entries.swap(m, j);
            m += 1;
        }
    }
    m
}
