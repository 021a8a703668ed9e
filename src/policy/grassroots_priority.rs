//! `grassroots_priority`: the grassroots class goes first.

use rand::Rng;
use serde::{Deserialize, Serialize};

use super::{Description, Policy};
use crate::decision::{Decision, GrantReason, Note, Pool, Rule, WaitReason, Weighting};
use crate::lot;
use crate::model::CheckedSession;
use crate::{Error, ErrorKind, Result};

/// The modes of `grassroots_priority`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum GrassrootsMode {
    /// Progressive stack: the whole class before anyone else.
    #[default]
    Strict,
    /// A share of the slots reserved for the class, the rest by open lottery.
    Reserved,
    /// Weighted draws favouring the class.
    Weighted,
}

/// Parameters of `grassroots_priority`. `share` is required in (and only allowed in) mode
/// `reserved`, `weight` in mode `weighted`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrassrootsPrioritySpec {
    /// The mode (default `strict`).
    #[serde(default)]
    pub mode: GrassrootsMode,
    /// Share of the slots reserved for the class, in [0, 1] (mode `reserved`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share: Option<f64>,
    /// Weight of a class member in the draws, ≥ 1 (mode `weighted`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
}

/// The grassroots class goes first: under-resourced, often migrant-led organisations that do
/// most of the work and are invisible in global policy-setting are heard before the
/// well-connected.
///
/// **Practice.** The progressive stack of facilitation practice: the stack-keeper lets people
/// from non-dominant groups speak before people from dominant groups, instead of in the order
/// they joined the queue. And reserved places, a share of the floor kept for a group, as in
/// the quota speakers' lists of German assemblies (the women's statute of Bündnis 90/Die
/// Grünen guarantees women at least half of the speaking time).
///
/// **Modes** (the class is the session's `grassroots_class`, by default kind
/// `grassroots` or migrant-led):
/// - `strict` (default): a progressive stack. No organisation outside the class is granted
///   while an organisation of the class that asked is not granted; class speakers take the
///   earliest positions. Lottery within each class.
/// - `reserved` with `share` in [0, 1]: ⌈share·slots⌉ slots (`share` read as the decimal
///   written: 0.14 is 14/100) are
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
/// use floorshare::allocation::Allocate;
/// use floorshare::decision::GrantReason;
/// use floorshare::model::*;
/// use floorshare::policy::GrassrootsPriority;
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
    /// `share` as the decimal people wrote (reserved mode).
    share: Decimal,
}

/// A number in [0, 1] as the shortest decimal that reads back to the same `f64` (what Rust's
/// `{}` prints: 0.14 is 14/100, not the binary 0.14000000000000001332…), so that a reserved
/// count is the exact ⌈share · slots⌉ a person computes by hand, at any size.
#[derive(Debug, Clone, PartialEq, Default)]
struct Decimal {
    /// The integer part: 0 or 1.
    whole: u64,
    /// The digits after the decimal point.
    fraction: Vec<u8>,
}

impl Decimal {
    fn of(x: f64) -> Self {
        let text = x.to_string();
        let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
        Decimal {
            whole: whole.parse().unwrap_or(0),
            fraction: fraction.bytes().map(|b| b - b'0').collect(),
        }
    }

    /// ⌈self · n⌉, exactly: long multiplication of the decimal digits by `n`, from the right.
    fn ceil_times(&self, n: u32) -> u64 {
        let n = u64::from(n);
        let mut carry = 0;
        let mut fraction_left = false;
        for &digit in self.fraction.iter().rev() {
            let product = u64::from(digit) * n + carry;
            fraction_left |= product % 10 != 0;
            carry = product / 10;
        }
        self.whole * n + carry + u64::from(fraction_left)
    }
}

/// The checked mode with its parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    Strict,
    Reserved { share: f64 },
    Weighted { weight: f64 },
}

impl GrassrootsPriority {
    /// The name in policy descriptions.
    pub const NAME: &'static str = "grassroots_priority";

    /// Builds the policy from its description (the registry's constructor).
    ///
    /// # Errors
    ///
    /// As [`Description::read`] for a parameter the policy does not take or cannot read (`mode`,
    /// `share`), named relative to the description; then as [`GrassrootsPriority::new`].
    pub fn from_description(description: &Description) -> Result<Box<dyn Policy>> {
        Ok(Box::new(Self::new(description.read()?)?))
    }

    /// Checks the parameters: `share` in [0, 1] and required in mode `reserved`, `weight` ≥ 1,
    /// finite and required in mode `weighted`, neither given in another mode.
    ///
    /// # Errors
    ///
    /// - [`ErrorKind::MissingField`] naming `share` (mode `reserved`) or `weight` (mode
    ///   `weighted`) when it is missing;
    /// - [`ErrorKind::OutOfRange`] naming `share` when it is outside [0, 1], or `weight` when
    ///   it is not a number from 1 to 1e12;
    /// - [`ErrorKind::UnknownField`] naming `share` or `weight` when the mode does not use it.
    pub fn new(spec: GrassrootsPrioritySpec) -> Result<Self> {
        let required = |field: &str| {
            Error::json_as(
                ErrorKind::MissingField,
                field,
                format!(
                    "missing field `{field}` (required in mode {})",
                    format!("{:?}", spec.mode).to_lowercase()
                ),
            )
        };
        let unused = |field: &str, value: f64| {
            Error::invalid_as(
                ErrorKind::UnknownField,
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
        let share = match mode {
            Mode::Reserved { share } => Decimal::of(share),
            _ => Decimal::default(),
        };
        Ok(GrassrootsPriority { spec, mode, share })
    }

    /// Mode `strict`: the progressive stack.
    pub fn strict() -> Self {
        GrassrootsPriority {
            spec: GrassrootsPrioritySpec::default(),
            mode: Mode::Strict,
            share: Decimal::default(),
        }
    }

    /// Mode `reserved` with `share` of the slots reserved for the class.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::OutOfRange`] naming `share` when it is outside [0, 1].
    pub fn reserved(share: f64) -> Result<Self> {
        Self::new(GrassrootsPrioritySpec {
            mode: GrassrootsMode::Reserved,
            share: Some(share),
            ..Default::default()
        })
    }

    /// Mode `weighted` with class members weighing `weight`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::OutOfRange`] naming `weight` when it is not a number from 1 to 1e12.
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
    /// `reserved`; 0 in other modes): exactly ⌈share·slots⌉, reading `share` as the shortest
    /// decimal that round-trips to it (0.14 is 14/100, so 0.14·50 reserves 7, not 8).
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
            Mode::Reserved { .. } => self.share.ceil_times(slots).min(u64::from(slots)) as u32,
            _ => 0,
        }
    }
}

impl Policy for GrassrootsPriority {
    fn describe(&self) -> Description {
        Description::with_parameters(Self::NAME, &self.spec).expect("parameters are a struct")
    }

    fn select(
        &self,
        session: &CheckedSession,
        rng: &mut dyn Rng,
        decision: &mut Decision,
    ) -> Result<()> {
        let roster = session.roster();
        let slots = session.session().slots as usize;
        let requesters = session.requesters();
        let in_class = |r: u32| roster.in_class(session.organisation_of(r as usize));
        // The class, then the rest, each in inscription order, in one buffer.
        let mut scratch = decision.take_scratch::<Scratch>();
        let Scratch {
            items,
            open,
            granted,
        } = &mut *scratch;
        items.clear();
        items.extend(requesters.iter().copied().filter(|&r| in_class(r)));
        let class_len = items.len();
        items.extend(requesters.iter().copied().filter(|&r| !in_class(r)));
        let (class, rest) = items.split_at_mut(class_len);
        // Slots drawn by an open lottery, which everyone still waiting took part in.
        let mut open_slots = slots;
        match self.mode {
            Mode::Strict => {
                decision.rule_applied(Rule::ClassFirst, []);
                let n = decision.grant_by_lot(
                    rng,
                    class,
                    slots,
                    Pool::Class,
                    GrantReason::GrassrootsPriority,
                    Note::Text("grassroots class first"),
                );
                decision.grant_by_lot(
                    rng,
                    rest,
                    slots - n,
                    Pool::OthersThanClass,
                    GrantReason::Lottery,
                    Note::Text("open lottery after the grassroots class"),
                );
                open_slots = slots - n;
            }
            Mode::Reserved { .. } => {
                let reserved = self.reserved_slots(session.session().slots);
                let slots_u32 = slots as u32;
                decision.rule_applied(
                    Rule::ReservedSlots {
                        reserved,
                        slots: slots_u32,
                    },
                    [],
                );
                let n = decision.grant_by_lot(
                    rng,
                    class,
                    reserved as usize,
                    Pool::Class,
                    GrantReason::Reserved,
                    Note::ReservedSlots {
                        reserved,
                        slots: slots_u32,
                    },
                );
                // Everyone not yet granted, in inscription order, for the open lottery: the
                // reserved winners are the first n of the class part.
                granted.clear();
                granted.resize(session.requests().len(), false);
                for &r in &class[..n] {
                    granted[r as usize] = true;
                }
                open.clear();
                open.extend(requesters.iter().copied().filter(|&r| !granted[r as usize]));
                decision.grant_by_lot(
                    rng,
                    open,
                    slots - n,
                    Pool::NotYetGranted,
                    GrantReason::Lottery,
                    Note::Text("open lottery"),
                );
                open_slots = slots - n;
            }
            Mode::Weighted { weight } => {
                let note = Note::ClassWeight { weight };
                let first = decision.picks().len();
                let mut pools = [0..class_len, class_len..items.len()];
                lot::draw_from_pools(rng, items, &mut pools, &[weight, 1.0], slots, |_, r| {
                    decision.grant(r, GrantReason::Lottery, note.clone())
                });
                decision.picks_drawn_by_lot(
                    first,
                    Pool::Requesters,
                    requesters.len(),
                    Weighting::ClassWeight(weight),
                );
            }
        }
        decision.put_scratch(scratch);
        // Class members that wait lost a draw whenever there was a slot (strict: the class
        // lottery; reserved: the reserved or the open one; weighted: the weighted one). Others
        // lost a draw only when an open lottery had slots; otherwise the rule excluded them.
        let (class_waits, others_wait) = if slots == 0 {
            let none =
                decision.wait_reason(WaitReason::Capacity, Note::Text("no slot in this session"));
            (none, none)
        } else if open_slots > 0 {
            let lost = decision.wait_reason(WaitReason::NotSelected, Note::Text("not drawn"));
            (lost, lost)
        } else {
            let took = match self.mode {
                Mode::Reserved { .. } => "the reserved slots took every slot",
                _ => "the grassroots class took every slot",
            };
            (
                decision.wait_reason(WaitReason::NotSelected, Note::Text("not drawn")),
                decision.wait_reason(WaitReason::Capacity, Note::Text(took)),
            )
        };
        for &r in requesters {
            decision.wait(
                r,
                if in_class(r) {
                    class_waits
                } else {
                    others_wait
                },
            );
        }
        Ok(())
    }
}

/// The buffers `grassroots_priority` reuses from session to session.
#[derive(Debug, Default)]
struct Scratch {
    /// The class, then the rest.
    items: Vec<u32>,
    /// The open lottery's pool (reserved mode).
    open: Vec<u32>,
    /// Which requests won a reserved slot, by request index (reserved mode).
    granted: Vec<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::allocation::{Allocate, Allocation};
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
    fn the_reserved_count_is_exact_at_any_size() {
        let policy = GrassrootsPriority::reserved(0.28).unwrap();
        assert_eq!(policy.reserved_slots(100_000_000), 28_000_000);
        assert_eq!(policy.reserved_slots(25), 7);
        // 0.14 · 50 is 7.000000000000001 in binary floating point: exactly 7 reserved.
        assert_eq!(
            GrassrootsPriority::reserved(0.14)
                .unwrap()
                .reserved_slots(50),
            7
        );
        // A share a hair above a whole count reserves one more, at any size (no tolerance).
        let above = GrassrootsPriority::reserved(0.1400000001).unwrap();
        assert_eq!(above.reserved_slots(50), 8);
        assert_eq!(above.reserved_slots(u32::MAX), 601_295_422);
        assert_eq!(
            GrassrootsPriority::reserved(5e-324)
                .unwrap()
                .reserved_slots(3),
            1
        );
        assert_eq!(
            GrassrootsPriority::reserved(1.0).unwrap().reserved_slots(9),
            9
        );
        assert_eq!(
            GrassrootsPriority::reserved(0.0).unwrap().reserved_slots(9),
            0
        );
    }
}
