//! Exact arithmetic for apportionment comparisons.
//!
//! Every positive finite `f64` is `m·2^e` with an integer `m < 2^53` and `-1074 ≤ e ≤ 971`
//! ([`Dyadic`]; when all weights fit, they are moved to one common exponent with `m < 2^64`,
//! which spares the exponent alignment below). A divisor method compares priorities `w_i·a/b`,
//! which cross-multiplies to `m_i·x·2^e_i` against `m_j·y·2^e_j` with integers `x, y < 2^63`: a
//! 128-bit product per side (256 bits for Huntington–Hill, which compares squares), then an exact
//! comparison of two binary numbers with wide significands ([`cmp_mul`], [`cmp_sq_mul`]).
//! Hamilton needs the exact sum of the weights, so it puts them on a common exponent as
//! integers: `u64` or `u128` when they fit, else the small arbitrary-precision [`Big`] ([`Nat`]
//! abstracts over them).
//!
//! Floating point appears here only in [`Dyadic::scaled`] and [`Nat::estimate`], whose results
//! are starting guesses that exact comparisons then check and correct; no comparison that
//! decides a unit uses it.

use std::cmp::Ordering;

/// A positive number `m·2^e`: from an `f64`, `m` is odd (trailing zero bits moved to `e`);
/// aligned to a common exponent, `m` may have up to 64 bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Dyadic {
    /// The integer significand.
    pub(super) m: u64,
    /// The binary exponent.
    pub(super) e: i32,
}

impl Dyadic {
    /// The exact value of `x`, which must be positive and finite (checked by the caller).
    #[inline]
    pub(super) fn from_f64(x: f64) -> Dyadic {
        let bits = x.to_bits();
        let biased = ((bits >> 52) & 0x7ff) as i32;
        let fraction = bits & ((1 << 52) - 1);
        let (m, e) = if biased == 0 {
            (fraction, -1074)
        } else {
            (fraction | (1 << 52), biased - 1075)
        };
        debug_assert!(m > 0, "Dyadic::from_f64 needs a positive number");
        let zeros = m.trailing_zeros().min(63);
        Dyadic {
            m: m >> zeros,
            e: e + zeros as i32,
        }
    }

    /// The exponent just above the value: `2^(top - 1) ≤ value < 2^top`.
    #[inline]
    pub(super) fn top(self) -> i32 {
        self.e + (64 - self.m.leading_zeros()) as i32
    }

    /// The value times `2^-shift`, rounded to an `f64` (0 when that underflows). An estimate only.
    #[inline]
    pub(super) fn scaled(self, shift: i32) -> f64 {
        self.m as f64 * pow2(self.e.saturating_sub(shift))
    }

    /// The value on exponent `e`: exact when it fits (`top() - e ≤ 64`), rounded up to a
    /// multiple of `2^e` (at least `2^e`) when `e` is above the exponent, unchanged when it does
    /// not fit.
    #[inline]
    pub(super) fn aligned_up(self, e: i32) -> Dyadic {
        if self.e >= e {
            if self.top() - e <= 64 {
                Dyadic {
                    m: self.m << (self.e - e),
                    e,
                }
            } else {
                self
            }
        } else {
            let shift = e - self.e;
            let m = if shift >= 64 {
                1
            } else {
                ((self.m - 1) >> shift) + 1
            };
            Dyadic { m, e }
        }
    }

    /// The value times `2^shift`, exactly.
    #[inline]
    pub(super) fn times_pow2(self, shift: i32) -> Dyadic {
        Dyadic {
            m: self.m,
            e: self.e + shift,
        }
    }
}

/// `2^k` as an `f64`: 0 below the subnormal range, infinity above the normal range.
#[inline]
fn pow2(k: i32) -> f64 {
    if k < -1074 {
        0.0
    } else if k < -1022 {
        f64::from_bits(1 << (k + 1074))
    } else if k > 1023 {
        f64::INFINITY
    } else {
        f64::from_bits(((k + 1023) as u64) << 52)
    }
}

/// Compares `a·x` with `b·y` exactly.
#[inline]
pub(super) fn cmp_mul(a: Dyadic, x: u64, b: Dyadic, y: u64) -> Ordering {
    cmp_scaled(
        u128::from(a.m) * u128::from(x),
        a.e,
        u128::from(b.m) * u128::from(y),
        b.e,
    )
}

/// Compares `a²·x` with `b²·y` exactly.
#[inline]
pub(super) fn cmp_sq_mul(a: Dyadic, x: u64, b: Dyadic, y: u64) -> Ordering {
    let a2 = u128::from(a.m) * u128::from(a.m);
    let b2 = u128::from(b.m) * u128::from(b.m);
    cmp_scaled(U256::mul(a2, x), 2 * a.e, U256::mul(b2, y), 2 * b.e)
}

/// An unsigned integer wide enough to hold a product, for [`cmp_scaled`].
trait Wide: Ord + Copy {
    /// Number of significant bits (0 for zero).
    fn bits(self) -> u32;
    /// `self << n`; only called when the result fits.
    fn shl(self, n: u32) -> Self;
}

impl Wide for u128 {
    #[inline]
    fn bits(self) -> u32 {
        128 - self.leading_zeros()
    }
    #[inline]
    fn shl(self, n: u32) -> Self {
        self << n
    }
}

/// A 256-bit unsigned integer: `hi·2^128 + lo`. The derived order compares `hi` first, which is
/// the numeric order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct U256 {
    hi: u128,
    lo: u128,
}

impl U256 {
    /// The full product `a·b`.
    #[inline]
    fn mul(a: u128, b: u64) -> U256 {
        let b = u128::from(b);
        let low = (a & u128::from(u64::MAX)) * b;
        let high = (a >> 64) * b;
        let (lo, carry) = low.overflowing_add(high << 64);
        U256 {
            hi: (high >> 64) + u128::from(carry),
            lo,
        }
    }
}

impl Wide for U256 {
    #[inline]
    fn bits(self) -> u32 {
        if self.hi != 0 {
            256 - self.hi.leading_zeros()
        } else {
            128 - self.lo.leading_zeros()
        }
    }
    #[inline]
    fn shl(self, n: u32) -> Self {
        match n {
            0 => self,
            1..128 => U256 {
                hi: (self.hi << n) | (self.lo >> (128 - n)),
                lo: self.lo << n,
            },
            _ => U256 {
                hi: self.lo << (n - 128),
                lo: 0,
            },
        }
    }
}

/// Compares `p·2^ep` with `q·2^eq` exactly.
#[inline]
fn cmp_scaled<W: Wide>(p: W, ep: i32, q: W, eq: i32) -> Ordering {
    if ep == eq {
        return p.cmp(&q);
    }
    let (p_bits, q_bits) = (p.bits(), q.bits());
    if p_bits == 0 || q_bits == 0 {
        return p_bits.cmp(&q_bits);
    }
    // `bits + exponent` is the position of the leading one: it decides unless equal.
    let (p_top, q_top) = (p_bits as i64 + ep as i64, q_bits as i64 + eq as i64);
    if p_top != q_top {
        return p_top.cmp(&q_top);
    }
    // Same leading position: shift the one with the larger exponent (the shorter one) left to
    // the other's exponent; it then has the other's bit length, so it fits.
    if ep >= eq {
        p.shl((ep - eq) as u32).cmp(&q)
    } else {
        p.cmp(&q.shl((eq - ep) as u32))
    }
}

/// A natural number type for Hamilton's exact quotas: `u64` or `u128` (checked) or [`Big`].
///
/// The in-place operations (`set_*`, `*_assign`) reuse the memory of `self`, so that [`Big`]
/// allocates only while its limbs grow; the fixed-width types get them from the by-value ones.
pub(super) trait Nat: Ord + Clone + Default {
    /// Zero.
    fn zero() -> Self;
    /// `m·2^shift`, or `None` if it does not fit.
    fn shifted(m: u64, shift: u32) -> Option<Self>;
    /// `self + other`, or `None` if it does not fit.
    fn add(&self, other: &Self) -> Option<Self>;
    /// `self·k`, or `None` if it does not fit.
    fn mul_small(&self, k: u64) -> Option<Self>;
    /// `self - other`; `other` must not exceed `self`.
    fn sub(&self, other: &Self) -> Self;
    /// Sets `self` to zero.
    fn set_zero(&mut self) {
        *self = Self::zero();
    }
    /// Sets `self` to `m·2^shift`; `false` (and `self` unspecified) if it does not fit.
    fn set_shifted(&mut self, m: u64, shift: u32) -> bool {
        Self::shifted(m, shift).map(|x| *self = x).is_some()
    }
    /// Adds `other` to `self`; `false` (and `self` unspecified) if the sum does not fit.
    fn add_assign(&mut self, other: &Self) -> bool {
        self.add(other).map(|x| *self = x).is_some()
    }
    /// Sets `self` to `x·k`; `false` (and `self` unspecified) if the product does not fit.
    fn set_mul_small(&mut self, x: &Self, k: u64) -> bool {
        x.mul_small(k).map(|p| *self = p).is_some()
    }
    /// Subtracts `other` from `self`; `other` must not exceed `self`.
    fn sub_assign(&mut self, other: &Self) {
        *self = self.sub(other);
    }
    /// Makes room for numbers below `2^bits` and their products by a `u64`, so that the
    /// operations above allocate nothing for them (nothing to do for the fixed-width types).
    fn reserve(&mut self, _bits: u64) {}
    /// How many low 64-bit limbs [`estimate`](Nat::estimate) should drop for numbers up to
    /// `self·2^64` to stay well within the `f64` range (0 for the fixed-width types).
    fn estimate_skip(&self) -> usize {
        0
    }
    /// `self / 2^(64·skip)`, rounded to an `f64`. For starting guesses only.
    fn estimate(&self, skip: usize) -> f64;
    /// Sets `self` to `(⌊⌊total / 2^k⌋ / d⌋ + 1)·2^k` (the Droop quota of a total held with
    /// `k` fractional bits, `d` being the units plus one); `false` if it does not fit.
    fn set_droop(&mut self, total: &Self, d: u64, k: u32) -> bool;
}

impl Nat for u64 {
    fn zero() -> Self {
        0
    }
    fn shifted(m: u64, shift: u32) -> Option<Self> {
        (shift < 64 && m.leading_zeros() >= shift).then(|| m << shift)
    }
    fn add(&self, other: &Self) -> Option<Self> {
        self.checked_add(*other)
    }
    fn mul_small(&self, k: u64) -> Option<Self> {
        self.checked_mul(k)
    }
    fn sub(&self, other: &Self) -> Self {
        self - other
    }
    fn estimate(&self, _skip: usize) -> f64 {
        *self as f64
    }
    fn set_droop(&mut self, total: &Self, d: u64, k: u32) -> bool {
        let q = total.checked_shr(k).unwrap_or(0) / d + 1;
        Self::shifted(q, k).map(|x| *self = x).is_some()
    }
}

impl Nat for u128 {
    fn zero() -> Self {
        0
    }
    fn shifted(m: u64, shift: u32) -> Option<Self> {
        let m = u128::from(m);
        (shift < 128 && m.leading_zeros() >= shift).then(|| m << shift)
    }
    fn add(&self, other: &Self) -> Option<Self> {
        self.checked_add(*other)
    }
    fn mul_small(&self, k: u64) -> Option<Self> {
        self.checked_mul(u128::from(k))
    }
    fn sub(&self, other: &Self) -> Self {
        self - other
    }
    fn estimate(&self, _skip: usize) -> f64 {
        *self as f64
    }
    fn set_droop(&mut self, total: &Self, d: u64, k: u32) -> bool {
        let q = total.checked_shr(k).unwrap_or(0) / u128::from(d) + 1;
        match q.checked_shl(k) {
            Some(x) if x >> k == q => {
                *self = x;
                true
            }
            _ => false,
        }
    }
}

/// An arbitrary-precision natural number: little-endian 64-bit limbs, no zero limb on top (so
/// zero is the empty vector and equal numbers have equal limbs). The arithmetic works in place
/// on the limbs it has, allocating only when a number needs more of them than it ever had.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Big(Vec<u64>);

impl Big {
    /// Drops the zero limbs on top.
    fn trim(&mut self) {
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
    }
}

impl Ord for Big {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0
            .len()
            .cmp(&other.0.len())
            .then_with(|| self.0.iter().rev().cmp(other.0.iter().rev()))
    }
}

impl PartialOrd for Big {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Nat for Big {
    fn zero() -> Self {
        Big(Vec::new())
    }
    fn shifted(m: u64, shift: u32) -> Option<Self> {
        let mut x = Big::zero();
        x.set_shifted(m, shift).then_some(x)
    }
    fn add(&self, other: &Self) -> Option<Self> {
        let mut sum = self.clone();
        sum.add_assign(other).then_some(sum)
    }
    fn mul_small(&self, k: u64) -> Option<Self> {
        let mut product = Big::zero();
        product.set_mul_small(self, k).then_some(product)
    }
    fn sub(&self, other: &Self) -> Self {
        let mut difference = self.clone();
        difference.sub_assign(other);
        difference
    }
    fn set_zero(&mut self) {
        self.0.clear();
    }
    fn reserve(&mut self, bits: u64) {
        // A product by a `u64` has one limb more, before trimming.
        let limbs = usize::try_from(bits / 64 + 2).unwrap_or(usize::MAX);
        self.0.reserve(limbs.saturating_sub(self.0.len()));
    }
    fn set_shifted(&mut self, m: u64, shift: u32) -> bool {
        self.0.clear();
        self.0.resize((shift / 64) as usize, 0);
        let r = shift % 64;
        self.0.push(m << r);
        if r > 0 {
            self.0.push(m >> (64 - r));
        }
        self.trim();
        true
    }
    fn add_assign(&mut self, other: &Self) -> bool {
        if self.0.len() < other.0.len() {
            self.0.resize(other.0.len(), 0);
        }
        let mut carry = false;
        for (i, a) in self.0.iter_mut().enumerate() {
            let (s, c1) = a.overflowing_add(other.0.get(i).copied().unwrap_or(0));
            let (s, c2) = s.overflowing_add(u64::from(carry));
            *a = s;
            carry = c1 || c2;
        }
        if carry {
            self.0.push(1);
        }
        true
    }
    fn set_mul_small(&mut self, x: &Self, k: u64) -> bool {
        self.0.clear();
        let mut carry = 0u64;
        for &a in &x.0 {
            let p = u128::from(a) * u128::from(k) + u128::from(carry);
            self.0.push(p as u64);
            carry = (p >> 64) as u64;
        }
        self.0.push(carry);
        self.trim();
        true
    }
    fn sub_assign(&mut self, other: &Self) {
        debug_assert!(*other <= *self);
        let mut borrow = false;
        for (i, a) in self.0.iter_mut().enumerate() {
            let (d, b1) = a.overflowing_sub(other.0.get(i).copied().unwrap_or(0));
            let (d, b2) = d.overflowing_sub(u64::from(borrow));
            *a = d;
            borrow = b1 || b2;
        }
        self.trim();
    }
    fn estimate_skip(&self) -> usize {
        self.0.len().saturating_sub(2)
    }
    fn set_droop(&mut self, total: &Self, d: u64, k: u32) -> bool {
        // ⌊total / 2^k⌋, limb by limb.
        let (limbs, bits) = ((k / 64) as usize, k % 64);
        self.0.clear();
        for i in limbs..total.0.len() {
            let low = total.0[i] >> bits;
            let high = match total.0.get(i + 1) {
                Some(&h) if bits > 0 => h << (64 - bits),
                _ => 0,
            };
            self.0.push(low | high);
        }
        // ⌊· / d⌋, from the top limb down.
        let mut rest = 0u128;
        for limb in self.0.iter_mut().rev() {
            let x = (rest << 64) | u128::from(*limb);
            *limb = (x / u128::from(d)) as u64;
            rest = x % u128::from(d);
        }
        self.trim();
        // + 1, then · 2^k.
        let one = Big(vec![1]);
        self.add_assign(&one);
        let value = std::mem::take(self);
        self.0.resize(limbs, 0);
        let mut carry = 0u64;
        for &limb in &value.0 {
            self.0.push((limb << bits) | carry);
            carry = if bits > 0 { limb >> (64 - bits) } else { 0 };
        }
        self.0.push(carry);
        self.trim();
        true
    }
    fn estimate(&self, skip: usize) -> f64 {
        let limb = 2f64.powi(64);
        self.0
            .iter()
            .skip(skip)
            .rev()
            .fold(0.0, |acc, &l| acc * limb + l as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(x: f64) -> Dyadic {
        Dyadic::from_f64(x)
    }

    #[test]
    fn dyadic_is_exact() {
        assert_eq!(d(1.0), Dyadic { m: 1, e: 0 });
        assert_eq!(d(5100.0), Dyadic { m: 1275, e: 2 });
        assert_eq!(d(0.75), Dyadic { m: 3, e: -2 });
        assert_eq!(d(f64::from_bits(1)), Dyadic { m: 1, e: -1074 });
        assert_eq!(d(f64::MAX).m, (1 << 53) - 1);
        assert_eq!(d(f64::MAX).e, 971);
        assert_eq!(d(6.0).top(), 3);
        assert_eq!(d(6.0).scaled(3), 0.75);
        assert_eq!(d(f64::from_bits(1)).scaled(10), 0.0);
        assert_eq!(pow2(-1074), f64::from_bits(1));
        assert_eq!(pow2(0), 1.0);
        assert_eq!(pow2(1023), f64::from_bits(0x7fe0_0000_0000_0000));
        assert_eq!(pow2(-1022), f64::MIN_POSITIVE);
    }

    #[test]
    fn comparisons_are_exact_across_exponents() {
        assert_eq!(cmp_mul(d(3.0), 2, d(2.0), 3), Ordering::Equal);
        assert_eq!(cmp_mul(d(3.0), 2, d(2.0), 4), Ordering::Less);
        assert_eq!(cmp_mul(d(0.5), 4, d(1.0), 2), Ordering::Equal);
        assert_eq!(
            cmp_mul(d(f64::MAX), 1, d(f64::from_bits(1)), u64::MAX),
            Ordering::Greater
        );
        assert_eq!(cmp_mul(d(1.0), 0, d(1.0), 0), Ordering::Equal);
        assert_eq!(cmp_mul(d(1.0), 0, d(1e-300), 1), Ordering::Less);
        // 1 + 2^-52 against 1: differ only in the last bit of the product.
        let a = d(1.0 + f64::EPSILON);
        assert_eq!(cmp_mul(a, 3, d(3.0), 1), Ordering::Greater);
        assert_eq!(cmp_sq_mul(a, 1, d(1.0), 1), Ordering::Greater);
        assert_eq!(cmp_sq_mul(d(3.0), 2, d(6.0), 1), Ordering::Less); // 18 < 36
        assert_eq!(cmp_sq_mul(d(3.0), 4, d(6.0), 1), Ordering::Equal);
    }

    #[test]
    fn squares_use_the_full_width() {
        // (2^53 - 1)^2 · (2^40) against the same with the exponent moved into the factor.
        let big = d(((1u64 << 53) - 1) as f64);
        assert_eq!(cmp_sq_mul(big, 1 << 40, big, 1 << 40), Ordering::Equal);
        assert_eq!(
            cmp_sq_mul(big, (1 << 40) + 1, big, 1 << 40),
            Ordering::Greater
        );
        let half = big.times_pow2(-1);
        assert_eq!(cmp_sq_mul(big, 1 << 40, half, 1 << 42), Ordering::Equal);
        assert_eq!(
            cmp_sq_mul(big, 1 << 40, half, (1 << 42) + 1),
            Ordering::Less
        );
        let p = U256::mul(u128::MAX, u64::MAX);
        // (2^128 - 1)(2^64 - 1) = 2^192 - 2^128 - 2^64 + 1
        assert_eq!(p.hi, (1u128 << 64) - 2);
        assert_eq!(p.lo, u128::MAX - (1u128 << 64) + 2);
        assert_eq!(U256 { hi: 0, lo: 1 }.shl(200).bits(), 201);
    }

    #[test]
    fn big_matches_u128() {
        let cases: [(u64, u32, u64, u32); 4] = [
            (3, 0, 5, 1),
            (1 << 52, 70, 7, 3),
            (u64::MAX >> 2, 60, 1, 0),
            (9, 5, 9, 5),
        ];
        for (m1, s1, m2, s2) in cases {
            let (a, b) = (
                u128::shifted(m1, s1).unwrap(),
                u128::shifted(m2, s2).unwrap(),
            );
            let (x, y) = (Big::shifted(m1, s1).unwrap(), Big::shifted(m2, s2).unwrap());
            assert_eq!(a.cmp(&b), x.cmp(&y));
            let (sum, big_sum) = (a.add(&b).unwrap(), x.add(&y).unwrap());
            assert_eq!(to_u128(&big_sum), sum);
            assert_eq!(to_u128(&big_sum.sub(&y)), a);
            assert_eq!(to_u128(&x.mul_small(3).unwrap()), a * 3);
            assert_eq!(to_u128(&x.mul_small(0).unwrap()), 0);
        }
        assert_eq!(u128::shifted(1, 128), None);
        assert_eq!(u128::shifted(3, 127), None);
        assert_eq!(Big::shifted(3, 127).unwrap().0, vec![0, 1 << 63, 1]);
        assert!(Big::shifted(1, 2000).unwrap() > Big::shifted(u64::MAX, 1900).unwrap());
    }

    #[test]
    fn alignment_is_exact_or_rounds_up() {
        let x = d(6.0); // 3·2^1
        assert_eq!(x.aligned_up(0), Dyadic { m: 6, e: 0 });
        assert_eq!(x.aligned_up(-3), Dyadic { m: 48, e: -3 });
        assert_eq!(x.aligned_up(2), Dyadic { m: 2, e: 2 }); // 6 rounded up to 8
        assert_eq!(x.aligned_up(100), Dyadic { m: 1, e: 100 });
        assert_eq!(x.aligned_up(-70), x, "does not fit in 64 bits: unchanged");
        assert_eq!(cmp_mul(x.aligned_up(-3), 1, x, 1), Ordering::Equal);
    }

    #[test]
    fn estimates_scale_consistently() {
        let a = Big::shifted(3, 200).unwrap();
        let b = Big::shifted(1, 201).unwrap();
        let skip = b.estimate_skip();
        assert_eq!(a.estimate(skip) / b.estimate(skip), 1.5);
        assert_eq!(5u64.estimate(0), 5.0);
        assert_eq!(u64::shifted(1, 64), None);
        assert_eq!(u64::shifted(3, 63), None);
        assert_eq!(u64::shifted(3, 62), Some(3 << 62));
        assert_eq!(u64::MAX.add(&1), None);
        assert_eq!((u64::MAX / 2).mul_small(3), None);
    }

    fn to_u128(b: &Big) -> u128 {
        assert!(b.0.len() <= 2);
        b.0.iter()
            .rev()
            .fold(0, |acc, &l| (acc << 64) | u128::from(l))
    }
}
