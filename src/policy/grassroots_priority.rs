//! `grassroots_priority`: the grassroots class goes first.

use std::sync::Arc;

use rand::Rng;

use super::Policy;
use crate::lot;
use crate::model::{
    Allocation, CheckedSession, GrantReason, GrassrootsMode, GrassrootsPrioritySpec, Pick,
    PolicySpec, WaitReason, Waiting,
};
use crate::{Error, Result};

/// Relative tolerance of the reserved-slot count: ⌈x − 1e-9·max(1, x)⌉ with x = share·slots, so
/// that 0.14·50 (7.000000000000001 in binary floating point) reserves 7, not 8, at any size.
const RESERVED_TOLERANCE: f64 = 1e-9;

/// The grassroots class goes first: under-resourced, often migrant-led organisations that do
/// most of the work and are invisible in global policy-setting (SPEC §1) are heard before the
/// well-connected.
///
/// **Practice.** The progressive stack of facilitation practice (marginalised voices move up
/// the speakers' list) and reserved seats (quota slots for a constituency);
/// `research/procedures.md` §1.12.
///
/// **Modes** (SPEC §4; the class is the session's `grassroots_class`, by default kind
/// `grassroots` or migrant-led):
/// - `strict` (default): a progressive stack. No organisation outside the class is granted
///   while an organisation of the class that asked is not granted; class speakers take the
///   earliest positions. Lottery within each class.
/// - `reserved` with `share` in [0, 1]: ⌈share·slots⌉ slots (with a 1e-9 tolerance) are
///   reserved for the class and drawn by lot among it; the remaining slots, and the reserved
///   ones the class cannot fill, go by open lottery among all organisations not yet granted,
///   class included. Speaking order: reserved winners first, then open winners, each in draw
///   order.
/// - `weighted` with `weight` ≥ 1: successive draws without replacement, each organisation
///   weighing `weight` if in the class and 1 otherwise; draw order is speaking order.
///
/// `share` and `weight` have no default and are only allowed in their own mode.
///
/// **Reasons.** Granted `grassroots_priority` (strict, class), `reserved` (reserved, class),
/// `lottery` (the rest). Waitlisted `not_selected` (lost a draw), or `capacity` when no draw
/// included it: the class (strict) or the reserved slots took every slot, or the session has
/// no slot.
///
/// **Promises.** Strict: as stated above. Reserved: the class gets at least
/// min(⌈share·slots⌉, class requesters) slots.
///
/// # Example
///
/// ```
/// use floorshare::model::*;
/// use floorshare::policy::{GrassrootsPriority, Policy};
///
/// let organisations = vec![
///     Organisation::new("bingo", "europe", Kind::InternationalNgo),
///     Organisation::new("collective", "asia", Kind::Diaspora).migrant_led(true),
///     Organisation::new("union", "africa", Kind::TradeUnion),
/// ];
/// let requests = organisations.iter().map(|o| Request::new(&o.id)).collect();
/// let session = SessionInput::new(Session::new("ts1", 2), organisations, requests)
/// .check()?;
/// let allocation = GrassrootsPriority::strict().allocate_seeded(&session, 11)?;
/// // The migrant-led collective speaks first; one open slot is left for the others.
/// assert_eq!(&*allocation.granted[0].organisation, "collective");
/// assert_eq!(allocation.granted[0].reason, GrantReason::GrassrootsPriority);
/// assert_eq!(allocation.granted[1].reason, GrantReason::Lottery);
/// # Ok::<(), floorshare::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct GrassrootsPriority {
    spec: GrassrootsPrioritySpec,
    mode: Mode,
}

/// The checked mode with its parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    Strict,
    Reserved { share: f64 },
    Weighted { weight: f64 },
}

impl GrassrootsPriority {
    /// Checks the parameters: `share` in [0, 1] and required in mode `reserved`, `weight` ≥ 1,
    /// finite and required in mode `weighted`, neither given in another mode.
    pub fn new(spec: GrassrootsPrioritySpec) -> Result<Self> {
        let required = |field: &str| Error::Json {
            field: field.to_string(),
            message: format!(
                "missing field `{field}` (required in mode {})",
                format!("{:?}", spec.mode).to_lowercase()
            ),
        };
        let unused = |field: &str, value: f64| {
            Error::invalid(
                field,
                value,
                format!("is not used in mode {:?}", spec.mode).to_lowercase(),
            )
        };
        let mode = match spec.mode {
            GrassrootsMode::Strict => Mode::Strict,
            GrassrootsMode::Reserved => {
                let share = spec.share.ok_or_else(|| required("share"))?;
                if !(0.0..=1.0).contains(&share) {
                    return Err(Error::invalid("share", share, "is outside [0, 1]"));
                }
                Mode::Reserved { share }
            }
            GrassrootsMode::Weighted => {
                let weight = spec.weight.ok_or_else(|| required("weight"))?;
                if !(1.0..=lot::MAX_WEIGHT).contains(&weight) {
                    return Err(Error::invalid(
                        "weight",
                        weight,
                        "is not a number from 1 to 1e12",
                    ));
                }
                Mode::Weighted { weight }
            }
        };
        if let (Some(share), false) = (spec.share, matches!(mode, Mode::Reserved { .. })) {
            return Err(unused("share", share));
        }
        if let (Some(weight), false) = (spec.weight, matches!(mode, Mode::Weighted { .. })) {
            return Err(unused("weight", weight));
        }
        Ok(GrassrootsPriority { spec, mode })
    }

    /// Mode `strict`: the progressive stack.
    pub fn strict() -> Self {
        GrassrootsPriority {
            spec: GrassrootsPrioritySpec::default(),
            mode: Mode::Strict,
        }
    }

    /// Mode `reserved` with `share` of the slots reserved for the class.
    pub fn reserved(share: f64) -> Result<Self> {
        Self::new(GrassrootsPrioritySpec {
            mode: GrassrootsMode::Reserved,
            share: Some(share),
            ..Default::default()
        })
    }

    /// Mode `weighted` with class members weighing `weight`.
    pub fn weighted(weight: f64) -> Result<Self> {
        Self::new(GrassrootsPrioritySpec {
            mode: GrassrootsMode::Weighted,
            weight: Some(weight),
            ..Default::default()
        })
    }

    /// The parameters.
    pub fn params(&self) -> &GrassrootsPrioritySpec {
        &self.spec
    }

    /// The number of slots reserved for the class in a session of `slots` slots (mode
    /// `reserved`; 0 in other modes): ⌈x − 1e-9·max(1, x)⌉ with x = share·slots.
    ///
    /// ```
    /// use floorshare::policy::GrassrootsPriority;
    ///
    /// assert_eq!(GrassrootsPriority::reserved(0.14)?.reserved_slots(50), 7);
    /// assert_eq!(GrassrootsPriority::reserved(0.3)?.reserved_slots(2), 1);
    /// # Ok::<(), floorshare::Error>(())
    /// ```
    pub fn reserved_slots(&self, slots: u32) -> u32 {
        match self.mode {
            Mode::Reserved { share } => {
                let x = share * f64::from(slots);
                ((x - RESERVED_TOLERANCE * x.max(1.0)).ceil().max(0.0) as u32).min(slots)
            }
            _ => 0,
        }
    }
}

impl Policy for GrassrootsPriority {
    fn spec(&self) -> PolicySpec {
        PolicySpec::GrassrootsPriority(self.spec.clone())
    }

    fn allocate(&self, session: &CheckedSession, rng: &mut dyn Rng) -> Result<Allocation> {
        let roster = session.roster();
        let slots = session.session().slots as usize;
        let (mut class, mut rest): (Vec<u32>, Vec<u32>) = session
            .requesters()
            .iter()
            .partition(|&&r| roster.in_class(session.organisation_of(r as usize)));
        let pick = |request, reason, detail: &Arc<str>| Pick {
            request,
            reason,
            detail: Some(detail.clone()),
        };
        let mut picks = Vec::with_capacity(slots.min(session.requesters().len()));
        // Slots drawn by an open lottery, which everyone still waiting took part in.
        let mut open_slots = slots;
        match self.mode {
            Mode::Strict => {
                let first: Arc<str> = Arc::from("grassroots class first");
                let n = lot::draw_to_front(rng, &mut class, slots);
                picks.extend(
                    class[..n]
                        .iter()
                        .map(|&r| pick(r, GrantReason::GrassrootsPriority, &first)),
                );
                let open: Arc<str> = Arc::from("open lottery after the grassroots class");
                let m = lot::draw_to_front(rng, &mut rest, slots - n);
                picks.extend(
                    rest[..m]
                        .iter()
                        .map(|&r| pick(r, GrantReason::Lottery, &open)),
                );
                open_slots = slots - n;
            }
            Mode::Reserved { .. } => {
                let reserved = self.reserved_slots(session.session().slots) as usize;
                let detail: Arc<str> = Arc::from(format!("{reserved} of {slots} slots reserved"));
                let n = lot::draw_to_front(rng, &mut class, reserved);
                picks.extend(
                    class[..n]
                        .iter()
                        .map(|&r| pick(r, GrantReason::Reserved, &detail)),
                );
                // Everyone not yet granted, in inscription order, for the open lottery.
                let mut granted = vec![false; session.requests().len()];
                for &r in &class[..n] {
                    granted[r as usize] = true;
                }
                let mut open_pool: Vec<u32> = session
                    .requesters()
                    .iter()
                    .copied()
                    .filter(|&r| !granted[r as usize])
                    .collect();
                let open: Arc<str> = Arc::from("open lottery");
                let m = lot::draw_to_front(rng, &mut open_pool, slots - n);
                picks.extend(
                    open_pool[..m]
                        .iter()
                        .map(|&r| pick(r, GrantReason::Lottery, &open)),
                );
                open_slots = slots - n;
            }
            Mode::Weighted { weight } => {
                let detail: Arc<str> =
                    Arc::from(format!("weighted lottery, class weight {weight}"));
                let mut pools = [class, rest];
                picks.extend(
                    lot::draw_from_pools(rng, &mut pools, &[weight, 1.0], slots)
                        .into_iter()
                        .map(|(_, r)| pick(r, GrantReason::Lottery, &detail)),
                );
            }
        }
        // Class members that wait lost a draw whenever there was a slot (strict: the class
        // lottery; reserved: the reserved or the open one; weighted: the weighted one). Others
        // lost a draw only when an open lottery had slots; otherwise the rule excluded them.
        let lost = |detail: &str| Waiting {
            reason: WaitReason::NotSelected,
            detail: Some(Arc::from(detail)),
        };
        let excluded = |detail: &str| Waiting {
            reason: WaitReason::Capacity,
            detail: Some(Arc::from(detail)),
        };
        let (class_waits, others_wait) = if slots == 0 {
            let none = excluded("no slot in this session");
            (none.clone(), none)
        } else if open_slots > 0 {
            (lost("not drawn"), lost("not drawn"))
        } else {
            let took = match self.mode {
                Mode::Reserved { .. } => "the reserved slots took every slot",
                _ => "the grassroots class took every slot",
            };
            (lost("not drawn"), excluded(took))
        };
        Allocation::from_decision(session, self.spec(), self.spec.placement, picks, |r| {
            if roster.in_class(session.organisation_of(r as usize)) {
                class_waits.clone()
            } else {
                others_wait.clone()
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;

    /// `class` grassroots and `others` international NGOs, all requesting.
    fn session(class: usize, others: usize, slots: u32) -> CheckedSession {
        let organisations: Vec<Organisation> = (0..class + others)
            .map(|i| {
                let kind = if i < class {
                    Kind::Grassroots
                } else {
                    Kind::InternationalNgo
                };
                Organisation::new(format!("o{i}"), "r", kind)
            })
            .collect();
        let requests = organisations
            .iter()
            .rev()
            .map(|o| Request::new(&o.id))
            .collect();
        SessionInput::new(Session::new("s", slots), organisations, requests)
            .check()
            .unwrap()
    }

    fn class_granted(allocation: &Allocation, class: usize) -> Vec<bool> {
        allocation
            .granted
            .iter()
            .map(|g| g.organisation[1..].parse::<usize>().unwrap() < class)
            .collect()
    }

    #[test]
    fn strict_puts_the_class_first_and_says_capacity_when_it_fills_the_floor() {
        let a = GrassrootsPriority::strict()
            .allocate_seeded(&session(2, 5, 4), 1)
            .unwrap();
        assert_eq!(class_granted(&a, 2), [true, true, false, false]);
        let a = GrassrootsPriority::strict()
            .allocate_seeded(&session(5, 2, 3), 1)
            .unwrap();
        assert_eq!(class_granted(&a, 5), [true, true, true]);
        let outside: Vec<_> = a
            .waitlisted
            .iter()
            .filter(|w| w.organisation[1..].parse::<usize>().unwrap() >= 5)
            .collect();
        assert!(outside.iter().all(|w| w.reason == WaitReason::Capacity));
    }

    #[test]
    fn reserved_slots_go_first_and_unfilled_ones_join_the_lottery() {
        let policy = GrassrootsPriority::reserved(0.5).unwrap();
        let a = policy.allocate_seeded(&session(1, 6, 4), 2).unwrap();
        assert_eq!(a.granted.len(), 4);
        assert_eq!(a.granted[0].reason, GrantReason::Reserved);
        assert!(
            a.granted[1..]
                .iter()
                .all(|g| g.reason == GrantReason::Lottery)
        );
        assert_eq!(policy.reserved_slots(50), 25);
        assert_eq!(
            GrassrootsPriority::reserved(0.14)
                .unwrap()
                .reserved_slots(50),
            7
        );
        assert_eq!(
            GrassrootsPriority::reserved(0.0).unwrap().reserved_slots(5),
            0
        );
    }

    #[test]
    fn parameters_are_required_in_their_mode_only() {
        let spec = |mode, share, weight| GrassrootsPrioritySpec {
            mode,
            share,
            weight,
            placement: None,
        };
        let err = GrassrootsPriority::new(spec(GrassrootsMode::Reserved, None, None)).unwrap_err();
        assert_eq!(err.field(), "share");
        let err =
            GrassrootsPriority::new(spec(GrassrootsMode::Strict, Some(0.3), None)).unwrap_err();
        assert_eq!(err.to_string(), "share: 0.3 is not used in mode strict");
        let err =
            GrassrootsPriority::new(spec(GrassrootsMode::Weighted, None, Some(0.5))).unwrap_err();
        assert_eq!(err.field(), "weight");
        assert!(GrassrootsPriority::weighted(f64::INFINITY).is_err());
        assert!(GrassrootsPriority::reserved(f64::NAN).is_err());
    }

    #[test]
    fn weighted_favours_the_class() {
        let policy = GrassrootsPriority::weighted(4.0).unwrap();
        let first_in_class = (0..2_000)
            .filter(|&seed| {
                let a = policy.allocate_seeded(&session(2, 8, 1), seed).unwrap();
                class_granted(&a, 2)[0]
            })
            .count();
        // P = 2·4 / (2·4 + 8) = 0.5.
        assert!((900..1_100).contains(&first_in_class), "{first_in_class}");
    }
    #[test]
    fn the_largest_weight_still_grants_every_slot() {
        let policy = GrassrootsPriority::weighted(crate::lot::MAX_WEIGHT).unwrap();
        let a = policy.allocate_seeded(&session(2, 1, 3), 1).unwrap();
        assert_eq!(a.granted.len(), 3);
        assert!(GrassrootsPriority::weighted(1e13).is_err());
    }

    #[test]
    fn no_slot_means_capacity_for_everyone() {
        for policy in [
            GrassrootsPriority::strict(),
            GrassrootsPriority::reserved(0.5).unwrap(),
            GrassrootsPriority::weighted(2.0).unwrap(),
        ] {
            let a = policy.allocate_seeded(&session(2, 2, 0), 1).unwrap();
            assert!(
                a.waitlisted
                    .iter()
                    .all(|w| w.reason == WaitReason::Capacity)
            );
        }
    }

    #[test]
    fn the_tolerance_is_relative() {
        let policy = GrassrootsPriority::reserved(0.28).unwrap();
        assert_eq!(policy.reserved_slots(100_000_000), 28_000_000);
        assert_eq!(policy.reserved_slots(25), 7);
    }
}
