//! The divisor methods (highest averages): D'Hondt, Sainte-Laguë, modified Sainte-Laguë,
//! Huntington–Hill, Adams and Dean.
//!
//! Each method is a [`Rule`]: its divisors `d(s)` as integer fractions, so that priorities
//! `wᵢ/d(sᵢ)` compare exactly by cross-multiplication ([`cmp_mul`], [`cmp_sq_mul`]), and the
//! rounding bias of its quotas. [`divisor`] apportions with any rule by Pukelsheim's
//! jump-and-step procedure: [`jump`] counts each group's signposts above a level near the
//! method's divisor for `U` units, then the few remaining units are stepped with a binary heap,
//! and a tie at the last unit stepped is settled by lot.
//!
//! Sources: M. L. Balinski and H. P. Young, *Fair Representation*, 2nd ed., 2001 (the methods,
//! their history in the US House, house monotonicity); F. Pukelsheim, *Proportional
//! Representation*, 2nd ed., 2017 (signposts, the jump-and-step procedure, ties). Each rule below
//! cites where its method comes from and where it is used.

use std::cmp::Ordering;

use rand::Rng;

use super::exact::{Dyadic, cmp_mul, cmp_sq_mul};
use super::{Draw, award_top};

/// The memory of [`divisor`], reused across calls.
#[derive(Debug, Default)]
pub(super) struct Buffers {
    /// The weights with their indices, for the first-unit cut ([`award_top`]).
    firsts: Vec<(Dyadic, usize)>,
    /// Floating estimates of the weights ([`Estimates`]).
    scaled: Vec<f64>,
    /// Each group's count of signposts taken.
    counts: Vec<u64>,
    /// The heap of the step.
    heap: Vec<Post>,
}

/// A divisor method, as integer priorities: the priority of a group of weight `w` holding `s`
/// units is `w·den(s)/num(s)` (squared weight for Huntington–Hill), a positive multiple of
/// `w/d(s)`, infinite when `num(s) = 0`.
pub(super) trait Rule {
    /// `d(0) = 0`: every group gets a first unit.
    const FIRST_UNIT: bool = false;
    /// Priorities compare `w²·den/num` (Huntington–Hill).
    const SQUARED: bool = false;
    /// The priority corresponding to the Hare divisor `W/U` is `SCALE·W/U`.
    const SCALE: f64;
    /// Rounding bias per group: with the divisor `W/(U + OFFSET·n)` the counts sum to about `U`
    /// (D'Hondt rounds quotas down, so ½; Adams rounds them up, so −½).
    const OFFSET: f64 = 0.0;
    fn num(s: u64) -> u64;
    fn den(_s: u64) -> u64 {
        1
    }
    /// A guess of the number of signposts above the scaled Hare divisor, from the quota `q`
    /// (`as` truncates towards zero and saturates, NaN to 0).
    fn guess(q: f64) -> u64 {
        u64::from((q + 0.5) as u32)
    }
}

/// D'Hondt: divisors `s + 1` = 1, 2, 3, …; favours larger groups. Thomas Jefferson's method,
/// used for the US House for the censuses of 1790 to 1830 (Balinski & Young); V. D'Hondt,
/// *Système pratique et raisonné de représentation proportionnelle*, 1882, adopted in Belgium
/// in 1899; used, for example, for the Spanish Congress of Deputies (Ley Orgánica 5/1985 del
/// Régimen Electoral General, art. 163).
pub(super) struct DHondt;
impl Rule for DHondt {
    const SCALE: f64 = 1.0;
    const OFFSET: f64 = 0.5;
    fn num(s: u64) -> u64 {
        s + 1
    }
    fn guess(q: f64) -> u64 {
        u64::from(q as u32)
    }
}

/// Sainte-Laguë: divisors `2s + 1` = 1, 3, 5, … (the order of `s + ½`); unbiased. Daniel
/// Webster's method (1832), used for the US House for the censuses of 1840, 1910 and 1930
/// (Balinski & Young); A. Sainte-Laguë, 1910; used for the German Bundestag since 2008
/// (Bundeswahlgesetz, as Sainte-Laguë/Schepers) and for the list seats of the New Zealand House
/// of Representatives (Electoral Act 1993).
pub(super) struct SainteLague;
impl Rule for SainteLague {
    const SCALE: f64 = 0.5;
    fn num(s: u64) -> u64 {
        2 * s + 1
    }
}

/// Modified Sainte-Laguë: divisors 1.4, 3, 5, 7, …, here times 5: 7, 15, 25, 35, …; a first
/// unit is harder to get. The Scandinavian variant (Pukelsheim): used for the Norwegian Storting
/// (Norwegian Election Act: divisors 1.4, 3, 5, 7, …) and, from 1952, for the Swedish Riksdag
/// (whose first divisor is 1.2 since the 2018 election).
pub(super) struct ModifiedSainteLague;
impl Rule for ModifiedSainteLague {
    const SCALE: f64 = 0.1;
    fn num(s: u64) -> u64 {
        if s == 0 { 7 } else { 5 * (2 * s + 1) }
    }
}

/// Huntington–Hill (equal proportions): divisors `√(s(s+1))` = 0, √2, √6, …, compared squared:
/// `s(s+1)`. J. A. Hill (1911) and E. V. Huntington (1921); "the method known as the method of
/// equal proportions" of the US House since the 1940 census (Act of 15 November 1941,
/// 2 U.S.C. § 2a), upheld in *United States Department of Commerce v. Montana*, 503 U.S. 442
/// (1992).
pub(super) struct HuntingtonHill;
impl Rule for HuntingtonHill {
    const FIRST_UNIT: bool = true;
    const SQUARED: bool = true;
    const SCALE: f64 = 1.0;
    fn num(s: u64) -> u64 {
        s * (s + 1)
    }
}

/// Adams (smallest divisors): divisors `s` = 0, 1, 2, …; favours smaller groups. Proposed by
/// John Quincy Adams in 1832, never used for the US House (Balinski & Young).
pub(super) struct Adams;
impl Rule for Adams {
    const FIRST_UNIT: bool = true;
    const SCALE: f64 = 1.0;
    const OFFSET: f64 = -0.5;
    fn num(s: u64) -> u64 {
        s
    }
    fn guess(q: f64) -> u64 {
        u64::from(q as u32) + 1
    }
}

/// Dean (harmonic mean): divisors `s(s+1)/(s+½)` = 0, 4/3, 12/5, …, as the priority
/// `w(2s+1)/(s(s+1))`, which is `2w/d(s)`. Proposed by James Dean in 1832, never used for the US
/// House (Balinski & Young); the method Montana asked for in *United States Department of
/// Commerce v. Montana*, 503 U.S. 442 (1992).
pub(super) struct Dean;
impl Rule for Dean {
    const FIRST_UNIT: bool = true;
    const SCALE: f64 = 2.0;
    fn num(s: u64) -> u64 {
        s * (s + 1)
    }
    fn den(s: u64) -> u64 {
        2 * s + 1
    }
}

/// Compares the priority of weight `a` holding `sa` units with that of `b` holding `sb`.
/// With `s ≤ MAX_UNITS + 1`, `den·num ≤ (2s+1)·s(s+1) < 2^63`, so the factors fit in `u64`.
#[inline]
fn cmp_priority<R: Rule>(a: Dyadic, sa: u64, b: Dyadic, sb: u64) -> Ordering {
    let x = R::den(sa) * R::num(sb);
    let y = R::den(sb) * R::num(sa);
    if R::SQUARED {
        cmp_sq_mul(a, x, b, y)
    } else {
        cmp_mul(a, x, b, y)
    }
}

/// Compares the priority of weight `a` holding `s` units with the level `level` (a priority
/// value: `level²` for squared rules).
#[inline]
fn cmp_level<R: Rule>(a: Dyadic, s: u64, level: Dyadic) -> Ordering {
    if R::SQUARED {
        cmp_sq_mul(a, R::den(s), level, R::num(s))
    } else {
        cmp_mul(a, R::den(s), level, R::num(s))
    }
}

/// A signpost in the heap: group `group` of weight `w` at `s` units.
#[derive(Debug, Clone, Copy)]
pub(super) struct Post {
    w: Dyadic,
    s: u64,
    group: usize,
}

impl Post {
    fn new(w: Dyadic, s: u64, group: usize) -> Self {
        Post { w, s, group }
    }
}

/// A binary max-heap under `cmp`, kept in a borrowed vector so that its memory is reused. The
/// sifts are those of [`std::collections::BinaryHeap`].
struct Heap<'a, T, C> {
    data: &'a mut Vec<T>,
    cmp: C,
}

impl<'a, T: Copy, C: Fn(&T, &T) -> Ordering> Heap<'a, T, C> {
    /// Makes a heap of the elements of `data`.
    fn new(data: &'a mut Vec<T>, cmp: C) -> Self {
        let mut heap = Heap { data, cmp };
        for i in (0..heap.data.len() / 2).rev() {
            heap.sift_down(i);
        }
        heap
    }

    /// The top element: the highest under `cmp`.
    fn peek(&self) -> Option<&T> {
        self.data.first()
    }

    /// Replaces the top element by `top` and restores the heap.
    fn replace_top(&mut self, top: T) {
        self.data[0] = top;
        self.sift_down(0);
    }

    /// Removes the top element (the heap must not be empty).
    fn pop_top(&mut self) {
        let Some(last) = self.data.pop() else {
            return;
        };
        if !self.data.is_empty() {
            self.data[0] = last;
            self.sift_down_to_bottom(0);
        }
    }

    /// Moves the element at `pos` down below its larger children.
    fn sift_down(&mut self, mut pos: usize) {
        let data = &mut self.data[..];
        let end = data.len();
        let element = data[pos];
        let mut child = 2 * pos + 1;
        while child + 1 < end {
            child += usize::from((self.cmp)(&data[child], &data[child + 1]).is_le());
            if (self.cmp)(&element, &data[child]).is_ge() {
                data[pos] = element;
                return;
            }
            data[pos] = data[child];
            pos = child;
            child = 2 * pos + 1;
        }
        if child + 1 == end && (self.cmp)(&element, &data[child]).is_lt() {
            data[pos] = data[child];
            pos = child;
        }
        data[pos] = element;
    }

    /// Moves the element at `pos` to the bottom along the larger children, then up to its
    /// place (fewer comparisons for an element taken from the bottom).
    fn sift_down_to_bottom(&mut self, mut pos: usize) {
        let data = &mut self.data[..];
        let end = data.len();
        let start = pos;
        let element = data[pos];
        let mut child = 2 * pos + 1;
        while child + 1 < end {
            child += usize::from((self.cmp)(&data[child], &data[child + 1]).is_le());
            data[pos] = data[child];
            pos = child;
            child = 2 * pos + 1;
        }
        if child + 1 == end {
            data[pos] = data[child];
            pos = child;
        }
        while pos > start {
            let parent = (pos - 1) / 2;
            if (self.cmp)(&element, &data[parent]).is_le() {
                break;
            }
            data[pos] = data[parent];
            pos = parent;
        }
        data[pos] = element;
    }
}

/// Apportions `units` among the weights `ws` with the divisor method `R` (Pukelsheim's
/// jump-and-step procedure), each group `g` between `lo[g]` and `hi[g]` units (the divisor `d`
/// with `Σ clamp(round_d(wᵢ/d), loᵢ, hiᵢ) = units`), writing the counts into `seats`; a tie is
/// settled with `draw`. The weights may be moved to a common exponent ([`align`]).
pub(super) fn divisor<R: Rule, G: Rng + ?Sized>(
    ws: &mut [Dyadic],
    units: u32,
    seats: &mut [u32],
    buffers: &mut Buffers,
    lo: &[u32],
    hi: &[u32],
    draw: &mut Draw<'_, G>,
) {
    let n = ws.len();
    let Buffers {
        firsts,
        scaled,
        counts,
        heap,
    } = buffers;
    if R::FIRST_UNIT {
        let need: u64 = lo.iter().map(|&l| u64::from(l.max(1))).sum();
        if u64::from(units) < need {
            // Fewer units than first units: every group its min, then one each to the largest
            // weights among the groups whose min is 0.
            firsts.clear();
            let mut given = 0;
            for g in 0..n {
                seats[g] = lo[g];
                given += lo[g];
                if lo[g] == 0 {
                    firsts.push((ws[g], g));
                }
            }
            let left = (units - given) as usize;
            if left > 0 {
                award_top(firsts, left, |&a, &b| cmp_mul(a, 1, b, 1), seats, draw);
            }
            return;
        }
    }
    let u = u64::from(units);
    let common = align(ws);
    let ws = &*ws;
    let estimates = Estimates::new(ws, scaled);

    // Jump to the signposts above a level near the method's divisor for `U` units; if a group
    // would pass `U` units there, to those above the plain Hare level (never more than `U`
    // each); as a last resort, start from nothing taken (infinite level). Then the bounds.
    counts.clear();
    counts.resize(n, 0);
    let jump = |units: f64, counts: &mut [u64]| jump::<R>(ws, common, &estimates, u, units, counts);
    if jump(u as f64 + R::OFFSET * n as f64, counts)
        .or_else(|| jump(u as f64, counts))
        .is_none()
    {
        counts.fill(u64::from(R::FIRST_UNIT));
    }
    let mut sum = 0;
    for (count, (&l, &h)) in counts.iter_mut().zip(lo.iter().zip(hi)) {
        *count = (*count).clamp(u64::from(l), u64::from(h));
        sum += *count;
    }
    step::<R, G>(ws, counts, sum, u, lo, hi, heap, seats, draw);
}

/// Steps from `counts` (summing to `sum`, each within its bounds) to `u` units: takes the next
/// highest signposts of the groups below their `hi`, or gives back the lowest ones taken above
/// their `lo`; settles a tie at the last signpost stepped over with `draw`, and writes the
/// counts into `seats`.
#[allow(clippy::too_many_arguments)]
pub(super) fn step<R: Rule, G: Rng + ?Sized>(
    ws: &[Dyadic],
    counts: &mut [u64],
    sum: u64,
    u: u64,
    lo: &[u32],
    hi: &[u32],
    heap: &mut Vec<Post>,
    seats: &mut [u32],
    draw: &mut Draw<'_, G>,
) {
    let n = ws.len();
    let below = |g: usize, s: u64| s < u64::from(hi[g]);
    let above = |g: usize, s: u64| s > u64::from(lo[g]);
    // The counts being exact, the signposts taken are all above those not taken, except that
    // the last one stepped over may equal the best on the other side: the only possible tie.
    let by_priority = |a: &Post, b: &Post| cmp_priority::<R>(a.w, a.s, b.w, b.s);
    let mut tie_at = None;
    if sum < u {
        heap.clear();
        heap.extend(
            (0..n)
                .filter(|&g| below(g, counts[g]))
                .map(|g| Post::new(ws[g], counts[g], g)),
        );
        let mut heap = Heap::new(heap, by_priority);
        let mut last = None;
        for _ in sum..u {
            let Some(&post) = heap.peek() else {
                break;
            };
            let g = post.group;
            last = Some((post.w, post.s));
            counts[g] += 1;
            if below(g, counts[g]) {
                heap.replace_top(Post::new(post.w, post.s + 1, g));
            } else {
                heap.pop_top();
            }
        }
        // `last` is the lowest signpost taken, the heap's top the highest not taken.
        if let (Some((w, s)), Some(next)) = (last, heap.peek())
            && cmp_priority::<R>(w, s, next.w, next.s).is_eq()
        {
            tie_at = Some((w, s));
        }
    } else if sum > u {
        heap.clear();
        heap.reserve(n);
        heap.extend(
            (0..n)
                .filter(|&g| above(g, counts[g]))
                .map(|g| Post::new(ws[g], counts[g] - 1, g)),
        );
        let mut heap = Heap::new(heap, |a: &Post, b: &Post| by_priority(b, a));
        let mut last = None;
        for _ in u..sum {
            let Some(&post) = heap.peek() else {
                break;
            };
            let g = post.group;
            last = Some((post.w, post.s));
            counts[g] -= 1;
            if above(g, counts[g]) {
                heap.replace_top(Post::new(post.w, post.s - 1, g));
            } else {
                heap.pop_top();
            }
        }
        // `last` is the highest signpost not taken, the heap's top the lowest taken.
        if let (Some((w, s)), Some(low)) = (last, heap.peek())
            && cmp_priority::<R>(w, s, low.w, low.s).is_eq()
        {
            tie_at = Some((w, s));
        }
    }

    let Some((wt, st)) = tie_at else {
        write_counts(counts, seats);
        return;
    };
    // Groups whose last unit is at the tied priority give it back; they and the groups whose
    // next unit is at that priority draw lots for those units.
    let mut tie = draw.blank();
    let mut contested = 0;
    for g in 0..n {
        if above(g, counts[g]) && cmp_priority::<R>(ws[g], counts[g] - 1, wt, st).is_eq() {
            counts[g] -= 1;
            contested += 1;
            tie.groups.push(g);
        } else if below(g, counts[g]) && cmp_priority::<R>(ws[g], counts[g], wt, st).is_eq() {
            tie.groups.push(g);
        }
    }
    write_counts(counts, seats);
    draw.settle(tie, contested, seats);
}

/// Floating estimates of the weights, all scaled by one power of two so that the largest is in
/// `[½, 1)` (no overflow whatever the exponents), and their sum. For starting guesses only.
struct Estimates<'a> {
    /// The weights times `2^-top`.
    scaled: &'a [f64],
    /// Their sum.
    total: f64,
    /// The power of two: the largest weight is below `2^top`.
    top: i32,
}

impl<'a> Estimates<'a> {
    /// The estimates of `ws`, written into `buffer`.
    fn new(ws: &[Dyadic], buffer: &'a mut Vec<f64>) -> Self {
        let top = ws.iter().map(|w| w.top()).max().unwrap_or(0);
        buffer.clear();
        buffer.extend(ws.iter().map(|w| w.scaled(top)));
        let total = buffer.iter().sum();
        Estimates {
            scaled: buffer,
            total,
            top,
        }
    }
}

/// Sets `counts[i]` to the number of signposts of group `i` strictly above a level of about
/// `SCALE·W/units` (exactly, by comparisons checking a floating guess) and returns their sum; or
/// `None` if some group has more than `u` signposts above it. `estimates` are those of `ws`.
///
/// The level is raised by 2⁻²⁰ so that it is above `SCALE·W/U` despite rounding when `units` is
/// `U`: each count is then at most `qᵢ ≤ U`, so the plain Hare level never fails.
fn jump<R: Rule>(
    ws: &[Dyadic],
    common: Option<i32>,
    estimates: &Estimates<'_>,
    u: u64,
    units: f64,
    counts: &mut [u64],
) -> Option<u64> {
    let Estimates { scaled, total, top } = *estimates;
    let level_f = total / units * R::SCALE * (1.0 + 1.0 / f64::from(1 << 20));
    let mut level = Dyadic::from_f64(level_f).times_pow2(top);
    if let Some(e) = common {
        level = level.aligned_up(e);
    }
    let factor = units / total;
    let mut sum = 0;
    for ((&w, &approx), count) in ws.iter().zip(scaled).zip(counts.iter_mut()) {
        let mut s = R::guess(approx * factor).min(u);
        // The count is the least `s` whose signpost is not above the level.
        if cmp_level::<R>(w, s, level).is_gt() {
            loop {
                if s == u {
                    return None;
                }
                s += 1;
                if !cmp_level::<R>(w, s, level).is_gt() {
                    break;
                }
            }
        } else {
            while s > 0 && !cmp_level::<R>(w, s - 1, level).is_gt() {
                s -= 1;
            }
        }
        *count = s;
        sum += s;
    }
    Some(sum)
}

/// Moves the weights to their smallest exponent when every significand then fits in 64 bits
/// (so that comparisons need no exponent alignment) and returns that exponent; else leaves
/// them unchanged.
fn align(ws: &mut [Dyadic]) -> Option<i32> {
    let low = ws.iter().map(|w| w.e).min().unwrap_or(0);
    let fits = ws.iter().all(|w| w.top() - low <= 64);
    if !fits {
        return None;
    }
    for w in ws {
        *w = w.aligned_up(low);
    }
    Some(low)
}

/// Copies the counts (each at most `MAX_UNITS`) into `seats`.
fn write_counts(counts: &[u64], seats: &mut [u32]) {
    for (seat, &s) in seats.iter_mut().zip(counts) {
        *seat = s as u32;
    }
}
