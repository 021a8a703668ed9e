//! What a policy decides, as indices: the reusable buffer every policy writes into.
//!
//! A [`Decision`] holds, for one session, the granted requests in speaking order with their
//! reason codes ([`Pick`]), a reason for every request left waiting, and the typed audit
//! [`Step`]s that say what decided each slot. It holds indices into the checked session, never
//! ids or formatted text, so that deciding a session allocates nothing once the buffer has grown
//! to the session's size: a simulator reuses one buffer for millions of sessions. The record
//! users read (`floorshare::allocation::Allocation`: ids, minutes, human details, seed,
//! version) is a view built from it.
//!
//! Audit steps follow the practice of election software, which records every seat change as a
//! typed value rather than a sentence: the apportionment computed (method, weights, result),
//! each cap applied, each tie and how it was broken, each lot drawn (the pool by the rule that
//! formed it and its size, and the winners — never every member of a pool of 100 000), each
//! rule that moved someone ahead. Codes are open: a policy written outside the crate records
//! its own with [`GrantReason::Custom`] and [`Step::Custom`].
//!
//! # Example
//!
//! ```
//! use floorshare::decision::{Decision, GrantReason, Note, WaitReason};
//! use floorshare::model::*;
//!
//! let session = SessionInput::new(
//!     Session::new("s", 1).with_length(60),
//!     vec![
//!         Organisation::new("a", "asia", Kind::Grassroots),
//!         Organisation::new("b", "asia", Kind::Academia),
//!     ],
//!     vec![Request::new("a"), Request::new("b")],
//! )
//! .check()?;
//! let mut decision = Decision::new();
//! decision.begin(&session);
//! decision.grant(1, GrantReason::Lottery, Note::Text("drawn"));
//! let lost = decision.wait_reason(WaitReason::NotSelected, Note::Text("not drawn"));
//! decision.wait(0, lost);
//! decision.finish(&session, None)?;
//! assert_eq!(decision.picks()[0].request, 1);
//! assert_eq!(decision.picks()[0].start_minute, Some(57));
//! assert_eq!(decision.waiting_of(0).reason, WaitReason::NotSelected);
//! # Ok::<(), floorshare::Error>(())
//! ```

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use rand::Rng;
use serde::{Serialize, Serializer};

use crate::apportion::Method;
use crate::lot;
use crate::model::{Category, CheckedSession, Placement};
use crate::{Error, ErrorKind, Result};

/// Why a request was granted: a stable snake_case code. Each policy documents the codes it
/// uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GrantReason {
    /// Picked by the chair (`chair_discretion`).
    ChairPick,
    /// Within its region's apportioned quota (`regional_balance`).
    RegionalQuota,
    /// Granted ahead of others as a member of the grassroots class (`grassroots_priority`,
    /// strict mode).
    GrassrootsPriority,
    /// Won a slot reserved for the grassroots class (`grassroots_priority`, reserved mode).
    Reserved,
    /// Won an open lottery.
    Lottery,
    /// Inscribed early enough: slots taken in inscription order (`fcfs`, and `capped_lottery`
    /// when every requester fits).
    InscriptionOrder,
    /// Ranked before the others by what it was granted earlier in the process (`rotation`).
    Rotation,
    /// Among the highest scores of the marks it carries (`progressive_stack`).
    ProgressiveStack,
    /// Took a position of the alternation of the reserved and open lists (`alternation`).
    Alternation,
    /// Its constituency's turn in the round robin (`constituency_round_robin`).
    ConstituencyTurn,
    /// In the panel drawn from a fair lottery over quota-feasible panels (`fair_lottery`).
    FairLottery,
    /// A code of a policy written outside the crate (snake_case by convention).
    Custom(&'static str),
}

/// Why a request was not granted: a stable snake_case code. One rule holds for every policy:
/// `not_selected` if and only if the organisation was in a pool that a lot drew from and was
/// not drawn; otherwise `capacity`; `duplicate` for a second request of one organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WaitReason {
    /// Lost a draw: it was in a pool a lot drew from and was not drawn.
    NotSelected,
    /// No slot was left for it under a deterministic rule.
    Capacity,
    /// A second (or later) request of an organisation in the same session.
    Duplicate,
    /// A code of a policy written outside the crate.
    Custom(&'static str),
}

impl GrantReason {
    /// The stable snake_case code, as in JSON.
    pub fn code(self) -> &'static str {
        match self {
            GrantReason::ChairPick => "chair_pick",
            GrantReason::RegionalQuota => "regional_quota",
            GrantReason::GrassrootsPriority => "grassroots_priority",
            GrantReason::Reserved => "reserved",
            GrantReason::Lottery => "lottery",
            GrantReason::ProgressiveStack => "progressive_stack",
            GrantReason::Alternation => "alternation",
            GrantReason::InscriptionOrder => "inscription_order",
            GrantReason::Rotation => "rotation",
            GrantReason::ConstituencyTurn => "constituency_turn",
            GrantReason::FairLottery => "fair_lottery",
            GrantReason::Custom(code) => code,
        }
    }
}

impl WaitReason {
    /// The stable snake_case code, as in JSON.
    pub fn code(self) -> &'static str {
        match self {
            WaitReason::NotSelected => "not_selected",
            WaitReason::Capacity => "capacity",
            WaitReason::Duplicate => "duplicate",
            WaitReason::Custom(code) => code,
        }
    }
}

macro_rules! code_display_and_serialize {
    ($($ty:ty),*) => {$(
        impl fmt::Display for $ty {
            /// The code, honouring width and alignment.
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(self.code())
            }
        }
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.code())
            }
        }
    )*};
}
code_display_and_serialize!(GrantReason, WaitReason);

/// The human detail of a reason, kept as typed values and rendered only when a record is
/// built, so that deciding formats no text.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub enum Note {
    /// No detail.
    #[default]
    None,
    /// A fixed sentence.
    Text(&'static str),
    /// `"chair drew {drawn} of {min}..={max}"`.
    ChairDrew {
        /// The count the chair drew.
        drawn: u32,
        /// The fewest slots the chair grants.
        min: u32,
        /// The most slots the chair grants.
        max: u32,
    },
    /// `"{region}: {turn} of {quota}"`, plus `" (tie broken by lot)"` when a tie decided by lot
    /// involved the region.
    RegionTurn {
        /// Index of the region in the roster's regions.
        region: u32,
        /// The speaker's rank within its region, from 1.
        turn: u32,
        /// The region's quota.
        quota: u32,
        /// Whether a tie decided by lot involved the region.
        tie_by_lot: bool,
    },
    /// Why a region's organisation waits: `"{region}: quota {quota} filled"`, or with a zero
    /// quota `"{region}: no slot apportioned"` / `"{region}: lost the lot for a slot"`.
    RegionWait {
        /// Index of the region in the roster's regions.
        region: u32,
        /// The region's quota.
        quota: u32,
        /// Whether a lot decided the region's quota.
        by_lot: bool,
    },
    /// `"{reserved} of {slots} slots reserved"`.
    ReservedSlots {
        /// Slots reserved for the grassroots class.
        reserved: u32,
        /// Slots of the session.
        slots: u32,
    },
    /// `"weighted lottery, class weight {weight}"`.
    ClassWeight {
        /// The weight of a class member in the draws.
        weight: f64,
    },
    /// What an organisation was granted before this session: `"never heard before"`, or
    /// `"{slots} slot(s) before, last in session {last_session}"`.
    HeardBefore {
        /// Slots in the history.
        slots: u32,
        /// The last session it spoke in.
        last_session: Option<u32>,
    },
    /// `"{constituency}: turn {turn}"` (an empty constituency name is written `""`).
    ConstituencyTurn {
        /// The constituency (its value in the policy's category).
        constituency: Arc<str>,
        /// The constituency's turn in this session, from 1.
        turn: u32,
    },
    /// An organisation's score on a progressive stack: `"score {score}"`, plus `", spoke
    /// recently"` when the recent penalty applied.
    Score {
        /// The score: the weights of its marks plus the penalty.
        score: f64,
        /// Whether the recent penalty applied.
        recent: bool,
    },
    /// A position of an alternation: `"position {position}: reserved"` or `"…: open"`, plus
    /// `", the open list exhausted"` / `", the reserved list exhausted"` when the other list
    /// took it.
    AlternationPosition {
        /// The speaking position, from 1.
        position: u32,
        /// Whether the position is a reserved one (odd positions).
        reserved_position: bool,
        /// Whether a member of the reserved list took it.
        from_reserved: bool,
    },
    /// An organisation's chance under a lottery over `panels` panels, in `count` of which it
    /// sits: `"probability {count/panels}: in {count} of {panels} panels"`.
    PanelShare {
        /// The panels it sits in.
        count: u32,
        /// The panels of the lottery.
        panels: u32,
    },
    /// Text of a policy written outside the crate.
    Custom(Arc<str>),
}

impl Note {
    /// Writes the note as text; `regions` names the roster's regions. Returns `false` for
    /// [`Note::None`].
    pub fn write(&self, regions: &[Arc<str>], out: &mut String) -> bool {
        use fmt::Write;
        let region = |i: &u32| regions.get(*i as usize).map_or("?", |r| &**r);
        // Writing to a String cannot fail.
        let _ = match self {
            Note::None => return false,
            Note::Text(text) => out.write_str(text),
            Note::ChairDrew { drawn, min, max } => {
                write!(out, "chair drew {drawn} of {min}..={max}")
            }
            Note::RegionTurn {
                region: r,
                turn,
                quota,
                tie_by_lot,
            } => {
                let tie = if *tie_by_lot {
                    " (tie broken by lot)"
                } else {
                    ""
                };
                write!(out, "{}: {turn} of {quota}{tie}", region(r))
            }
            Note::RegionWait {
                region: r,
                quota,
                by_lot,
            } => match (quota, by_lot) {
                (0, true) => write!(out, "{}: lost the lot for a slot", region(r)),
                (0, false) => write!(out, "{}: no slot apportioned", region(r)),
                (q, _) => write!(out, "{}: quota {q} filled", region(r)),
            },
            Note::ReservedSlots { reserved, slots } => {
                write!(out, "{reserved} of {slots} slots reserved")
            }
            Note::ClassWeight { weight } => write!(out, "weighted lottery, class weight {weight}"),
            Note::HeardBefore {
                slots,
                last_session,
            } => match (slots, last_session) {
                (0, None) => out.write_str("never heard before"),
                (s, None) => write!(out, "{s} slot(s) before"),
                (s, Some(last)) => write!(out, "{s} slot(s) before, last in session {last}"),
            },
            Note::Score { score, recent } => {
                let recent = if *recent { ", spoke recently" } else { "" };
                write!(out, "score {score}{recent}")
            }
            Note::AlternationPosition {
                position,
                reserved_position,
                from_reserved,
            } => {
                let kind = if *reserved_position {
                    "reserved"
                } else {
                    "open"
                };
                let exhausted = match (reserved_position, from_reserved) {
                    (true, false) => ", the reserved list exhausted",
                    (false, true) => ", the open list exhausted",
                    _ => "",
                };
                write!(out, "position {position}: {kind}{exhausted}")
            }
            Note::ConstituencyTurn { constituency, turn } if constituency.is_empty() => {
                write!(out, "\"\": turn {turn}")
            }
            Note::ConstituencyTurn { constituency, turn } => {
                write!(out, "{constituency}: turn {turn}")
            }
            Note::PanelShare { count, panels } => {
                let probability = f64::from(*count) / f64::from(*panels);
                write!(
                    out,
                    "probability {probability}: in {count} of {panels} panels"
                )
            }
            Note::Custom(text) => out.write_str(text),
        };
        true
    }
}

/// One granted request, in speaking order.
#[derive(Debug, Clone, PartialEq)]
pub struct Pick {
    /// Index of the request in the session's requests.
    pub request: u32,
    /// Why it was granted.
    pub reason: GrantReason,
    /// Detail of the reason.
    pub note: Note,
    /// Minutes granted (set by [`Decision::finish`]).
    pub minutes: u32,
    /// Start minute in the session (set by [`Decision::finish`]; `None` when the session
    /// length is unknown).
    pub start_minute: Option<u32>,
}

/// Why a request waits: a reason code and its detail.
#[derive(Debug, Clone, PartialEq)]
pub struct Waiting {
    /// The code.
    pub reason: WaitReason,
    /// Its detail.
    pub note: Note,
}

/// A handle on a [`Waiting`] registered with [`Decision::wait_reason`]; many requests share
/// one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitId(u32);

impl WaitId {
    /// Its index in [`Decision::wait_reasons`].
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A range of a decision's list of indices (the members of a tie, the winners of a lot).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    start: u32,
    len: u32,
}

impl Span {
    /// Number of indices.
    pub fn len(self) -> usize {
        self.len as usize
    }

    /// Whether the span is empty.
    pub fn is_empty(self) -> bool {
        self.len == 0
    }
}

/// The pool a lot drew from, named by the rule that formed it (its size is in the step).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Pool {
    /// Every requesting organisation.
    Requesters,
    /// The requesting organisations of one region (index in the roster's regions).
    Region(u32),
    /// The grassroots class within one region.
    ClassInRegion(u32),
    /// The organisations outside the grassroots class within one region.
    OthersInRegion(u32),
    /// The requesting organisations of the grassroots class.
    Class,
    /// The requesting organisations outside the grassroots class.
    OthersThanClass,
    /// The reserved list of an alternation (organisations with the category's value).
    ReservedList,
    /// The open list of an alternation (everyone else).
    OpenList,
    /// Every requesting organisation not granted yet (an open lottery after reserved slots).
    NotYetGranted,
    /// The requesting organisations of one rank that the slots cut through (a lot among
    /// equals).
    TiedRank,
    /// The requesting focal points of one constituency (tag `focal_point` = `"true"`).
    FocalPoints,
    /// The requesting organisations of one constituency.
    ConstituencyMembers,
    /// The requesting organisations of one constituency that are not focal points.
    OtherMembers,
    /// The granted speakers (the `order` stage's lottery draws their speaking order).
    Granted,
    /// The values tied for contested units of a time apportionment, each named by one of its
    /// speakers.
    TiedValues,
    /// The panel drawn from a lottery over panels (`fair_lottery` draws its speaking order).
    DrawnPanel,
    /// A pool of a policy written outside the crate, by its own name.
    Custom(&'static str),
}

/// How a lot weighed the members of its pool.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Weighting {
    /// Every member the same chance.
    Uniform,
    /// Each member weighs its kind's familiarity to the chair (draws without replacement,
    /// each proportional to the weight among those not yet drawn).
    Familiarity,
    /// Grassroots class members weigh `weight`, others 1.
    ClassWeight(f64),
    /// A weighting of a policy written outside the crate, by its own name.
    Custom(&'static str),
}

/// A deterministic rule that moved organisations ahead or decided who can be granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rule {
    /// Every requesting organisation fits in the slots: all are granted.
    EveryoneFits,
    /// The grassroots class goes before anyone else (a progressive stack).
    ClassFirst,
    /// `reserved` of `slots` slots are reserved for the grassroots class.
    ReservedSlots {
        /// Slots reserved.
        reserved: u32,
        /// Slots of the session.
        slots: u32,
    },
    /// Requesting organisations ranked by the score of their marks (highest first, equal
    /// scores in inscription order); the highest are granted.
    HighestScores,
    /// Positions alternate between the reserved and the open list, starting with reserved
    /// (granting the listed organisations; none when lots chose the lists' members).
    Alternation,
    /// Hard alternation stopped at a reserved position that found the reserved list empty:
    /// the remaining slots stay unused.
    ReservedListExhausted,
    /// Within a region, inscription order decides (index in the roster's regions).
    InscriptionOrderInRegion(u32),
    /// The first slots go to the requesting organisations in inscription order (first come,
    /// first served).
    InscriptionOrder,
    /// Requesting organisations ranked by fewest slots in the history, then never heard
    /// before heard longest ago before heard recently; the best ranks are granted.
    FewestThenLeastRecent,
    /// Requesting organisations never heard before ranked before everyone else; the best
    /// ranks are granted.
    NotYetHeardFirst,
    /// Constituencies take one turn each, in their order, in full cycles; the requests granted
    /// without a lot inside their constituency.
    ConstituencyRoundRobin,
    /// A rule of a policy written outside the crate, by its own name.
    Custom(&'static str),
}

/// One apportioned group of a [`Step::QuotaComputed`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QuotaLine {
    /// The region (index in the roster's regions).
    pub region: u32,
    /// Its weight.
    pub weight: f64,
    /// The units it was apportioned.
    pub units: u32,
}

/// One value's line of a [`Step::MinutesApportioned`]: the value is named by one of its granted
/// speakers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValueLine {
    /// A granted request of the value (request index): the value is its organisation's.
    pub speaker: u32,
    /// The value's weight.
    pub weight: f64,
    /// The minutes apportioned to the value.
    pub minutes: u32,
}

/// How the shared `order` stage set the speaking order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum OrderRule {
    /// Inscription order.
    Inscription,
    /// At each position the value with the most speakers still to place, other than the
    /// previous speaker's whenever possible.
    Alternate,
    /// Earlier tiers of values first.
    Tiers,
}

impl OrderRule {
    /// The stable snake_case code, as in JSON.
    pub fn code(self) -> &'static str {
        match self {
            OrderRule::Inscription => "inscription",
            OrderRule::Alternate => "alternate",
            OrderRule::Tiers => "tiers",
        }
    }
}

/// One typed audit step. Lists (winners, tied regions, quota lines) are [`Span`]s into the
/// decision: read them with [`Decision::indices`] and [`Decision::quota_lines`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Step {
    /// A count was drawn at random from `min..=max` (the chair's number of slots).
    CountDrawn {
        /// The fewest.
        min: u32,
        /// The most.
        max: u32,
        /// The count drawn.
        drawn: u32,
    },
    /// An apportionment of `units` among groups (the `round`-th, from 1: a capped group is
    /// taken out and the rest apportioned again).
    QuotaComputed {
        /// The method.
        method: Method,
        /// The round, from 1.
        round: u32,
        /// Units apportioned in this round.
        units: u32,
        /// The groups, their weights and units ([`Decision::quota_lines`]).
        lines: Span,
    },
    /// A region's quota was capped at its number of requesting organisations.
    CapApplied {
        /// The region (index in the roster's regions).
        region: u32,
        /// The cap.
        cap: u32,
    },
    /// Regions tied for `units` contested units and a lot gave them to `winners`.
    TieBrokenByLot {
        /// The tied regions ([`Decision::indices`]: region indices).
        regions: Span,
        /// The regions that won a unit (region indices).
        winners: Span,
        /// Units contested.
        units: u32,
    },
    /// A lot drew from a pool: its rule, size and weighting, and the winners in draw order.
    LotDrawn {
        /// The rule that formed the pool.
        pool: Pool,
        /// Members of the pool.
        size: u32,
        /// How members were weighed.
        weighting: Weighting,
        /// The winners, request indices in draw order ([`Decision::indices`]).
        winners: Span,
    },
    /// A lot drew the order of regions that breaks ties in the speaking order.
    RegionOrderDrawn {
        /// Region indices in the drawn order ([`Decision::indices`]).
        order: Span,
    },
    /// A deterministic rule decided; `granted` requests (request indices) were granted by it.
    RuleApplied {
        /// The rule.
        rule: Rule,
        /// The requests it granted ([`Decision::indices`]).
        granted: Span,
    },
    /// The order in which constituencies take their turns (`constituency_round_robin`): never
    /// heard first, then heard longest ago, ties by the policy's list, then by name.
    ConstituencyOrder {
        /// The constituencies with a requesting organisation, in order.
        order: Arc<[Arc<str>]>,
    },
    /// The `order` stage set the speaking order by `rule` (the speakers, request indices, in
    /// their new order).
    SpeakingOrder {
        /// The rule.
        rule: OrderRule,
        /// The speakers in speaking order ([`Decision::indices`]).
        order: Span,
    },
    /// A lot drew the order of the values of `category` that breaks ties in an alternating
    /// speaking order; each value is named by one of its speakers.
    ValueOrderDrawn {
        /// The category.
        category: Arc<Category>,
        /// One speaker of each value (request indices), in the drawn order.
        order: Span,
    },
    /// The `time` stage found no minutes for the last picks in the policy's order: a window
    /// of `window` minutes kept `kept` speakers; `cut` (request indices) wait `capacity`.
    TimeCut {
        /// The minutes shared.
        window: u32,
        /// Speakers kept.
        kept: u32,
        /// The requests cut.
        cut: Span,
    },
    /// The `time` stage apportioned `window` minutes among the values of `category` with a
    /// granted speaker ([`Decision::value_lines`]).
    MinutesApportioned {
        /// The category.
        category: Arc<Category>,
        /// The apportionment method.
        method: Method,
        /// The minutes shared.
        window: u32,
        /// Each value's weight and minutes.
        lines: Span,
    },
    /// A panel was drawn, uniformly, from a lottery over `panels` quota-feasible panels
    /// (`fair_lottery`; the lottery itself is [`Decision::lottery`]).
    PanelDrawn {
        /// Panels of the lottery.
        panels: u32,
        /// Index of the drawn panel, from 0.
        drawn: u32,
        /// Its members (request indices, inscription order; [`Decision::indices`]).
        panel: Span,
    },
    /// A step of a policy written outside the crate: its own code and detail, and the requests
    /// it concerns (request indices, [`Decision::indices`]; may be empty).
    Custom {
        /// The step code (snake_case by convention).
        code: &'static str,
        /// Its detail.
        note: Note,
        /// The requests the step concerns.
        requests: Span,
    },
}

/// A lottery over panels as the policy that drew from it reports it (`fair_lottery`): every
/// requesting organisation's selection probability, the panels (each the same number of
/// requests), the certificate of the optimum and the index drawn. Set with
/// [`Decision::begin_lottery`], read with [`Decision::lottery`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PanelLottery {
    /// A certified upper bound on the least quantity the lottery maximises (a probability, or
    /// over a process the expected slots), over every lottery of feasible panels.
    pub certified_upper_bound: f64,
    /// The least quantity under this lottery.
    pub minimum: f64,
    /// Index of the panel drawn, from 0.
    pub drawn: u32,
    /// (request, probability) for every requesting organisation, in inscription order.
    probabilities: Vec<(u32, f64)>,
    /// The panels' requests, `panel_size` after `panel_size`.
    members: Vec<u32>,
    panel_size: usize,
    panels: usize,
}

impl PanelLottery {
    /// Records the selection probability of request `request`.
    pub fn push_probability(&mut self, request: u32, probability: f64) {
        self.probabilities.push((request, probability));
    }

    /// Appends a panel (request indices); every panel has as many requests as the first.
    ///
    /// # Panics
    ///
    /// If the panel's size differs from the first panel's.
    pub fn push_panel(&mut self, requests: impl IntoIterator<Item = u32>) {
        let start = self.members.len();
        self.members.extend(requests);
        let size = self.members.len() - start;
        if self.panels == 0 {
            self.panel_size = size;
        }
        assert_eq!(size, self.panel_size, "every panel has the same size");
        self.panels += 1;
    }

    /// (request, probability) for every requesting organisation, in the order recorded.
    pub fn probabilities(&self) -> &[(u32, f64)] {
        &self.probabilities
    }

    /// Number of panels.
    pub fn panels(&self) -> usize {
        self.panels
    }

    /// The requests of panel `i`.
    ///
    /// # Panics
    ///
    /// If `i` is not below [`PanelLottery::panels`].
    pub fn panel(&self, i: usize) -> &[u32] {
        assert!(i < self.panels, "panel {i} of {}", self.panels);
        &self.members[i * self.panel_size..(i + 1) * self.panel_size]
    }

    fn clear(&mut self) {
        self.certified_upper_bound = 0.0;
        self.minimum = 0.0;
        self.drawn = 0;
        self.probabilities.clear();
        self.members.clear();
        self.panel_size = 0;
        self.panels = 0;
    }
}

/// The wait table entry every request starts with: `capacity`, no detail.
const DEFAULT_WAIT: WaitId = WaitId(0);
/// The wait of duplicate requests.
const DUPLICATE_WAIT: WaitId = WaitId(1);
/// Marks a granted request in the wait list.
const GRANTED: WaitId = WaitId(u32::MAX);

/// A reusable decision buffer (see the [module documentation](self)).
///
/// The cycle is: [`Decision::begin`] with the session (clears the buffer, keeps its memory);
/// the policy's [`grant`](Decision::grant)s in speaking order, [`wait`](Decision::wait)s and
/// [`step`](Decision::step)s; then [`Decision::finish`], which checks capacity and gives each
/// pick its minutes and start minute. `floorshare::policy::Policy::decide` runs the cycle.
#[derive(Default)]
pub struct Decision {
    picks: Vec<Pick>,
    waits: Vec<WaitId>,
    wait_table: Vec<Waiting>,
    steps: Vec<Step>,
    indices: Vec<u32>,
    quota_lines: Vec<QuotaLine>,
    value_lines: Vec<ValueLine>,
    minutes: Vec<u32>,
    /// Whether a time stage set `minutes` (else each pick gets its request's minutes).
    timed: bool,
    starts: Vec<u32>,
    /// The picks' memory while the order stage rearranges them.
    spare_picks: Vec<Pick>,
    scratch: Vec<Box<dyn Any + Send>>,
    /// The lottery over panels a policy drew from, when `has_lottery`.
    lottery: PanelLottery,
    has_lottery: bool,
    /// Whether [`Decision::finish`] accepted the decision since the last begin.
    finished: bool,
}

impl fmt::Debug for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Decision")
            .field("picks", &self.picks)
            .field("waits", &self.waits.len())
            .field("steps", &self.steps)
            .finish_non_exhaustive()
    }
}

impl Decision {
    /// An empty buffer.
    pub fn new() -> Self {
        Decision::default()
    }

    /// Clears the buffer for `session`, keeping its memory: no pick, every request waiting
    /// with `capacity` and no detail, duplicates with `duplicate`.
    pub fn begin(&mut self, session: &CheckedSession) {
        self.finished = false;
        self.timed = false;
        self.has_lottery = false;
        self.picks.clear();
        self.steps.clear();
        self.indices.clear();
        self.quota_lines.clear();
        self.value_lines.clear();
        self.wait_table.clear();
        self.wait_table.push(Waiting {
            reason: WaitReason::Capacity,
            note: Note::None,
        });
        self.wait_table.push(Waiting {
            reason: WaitReason::Duplicate,
            note: Note::None,
        });
        let n = session.requests().len();
        self.waits.clear();
        self.waits.resize(n, DEFAULT_WAIT);
        for (r, wait) in self.waits.iter_mut().enumerate() {
            if session.is_duplicate(r) {
                *wait = DUPLICATE_WAIT;
            }
        }
    }

    /// The working memory of type `T` a policy left here last time (or a new one): policies
    /// are immutable and shared between threads, so the buffers they reuse from session to
    /// session live in the caller's decision. Give it back with [`Decision::put_scratch`].
    pub fn take_scratch<T: Default + Send + 'static>(&mut self) -> Box<T> {
        match self.scratch.iter().position(|s| s.is::<T>()) {
            Some(i) => self
                .scratch
                .swap_remove(i)
                .downcast()
                .unwrap_or_else(|_| Box::default()),
            None => Box::default(),
        }
    }

    /// Keeps a policy's working memory for its next session.
    pub fn put_scratch<T: Send + 'static>(&mut self, scratch: Box<T>) {
        self.scratch.push(scratch);
    }

    /// Grants request `request` the next speaking position.
    pub fn grant(&mut self, request: u32, reason: GrantReason, note: Note) {
        self.picks.push(Pick {
            request,
            reason,
            note,
            minutes: 0,
            start_minute: None,
        });
    }

    /// Registers a reason to wait, to be given to many requests with [`Decision::wait`].
    pub fn wait_reason(&mut self, reason: WaitReason, note: Note) -> WaitId {
        self.wait_table.push(Waiting { reason, note });
        WaitId(self.wait_table.len() as u32 - 1)
    }

    /// Says why request `request` waits (ignored for duplicates, which always wait
    /// `duplicate`).
    ///
    /// # Panics
    ///
    /// If `request` is not an index of the session's requests.
    pub fn wait(&mut self, request: u32, wait: WaitId) {
        let slot = &mut self.waits[request as usize];
        if *slot != DUPLICATE_WAIT {
            *slot = wait;
        }
    }

    /// Starts the report of a lottery over panels the policy draws from (cleared, its memory
    /// kept), to fill in; the record shows it as its `lottery` object.
    pub fn begin_lottery(&mut self) -> &mut PanelLottery {
        self.has_lottery = true;
        self.lottery.clear();
        &mut self.lottery
    }

    /// The lottery over panels the policy drew from, if it reported one.
    pub fn lottery(&self) -> Option<&PanelLottery> {
        self.has_lottery.then_some(&self.lottery)
    }

    /// Records an audit step.
    pub fn step(&mut self, step: Step) {
        self.steps.push(step);
    }

    /// Stores a list of indices for a step and returns its span.
    pub fn push_indices(&mut self, indices: impl IntoIterator<Item = u32>) -> Span {
        let start = self.indices.len() as u32;
        self.indices.extend(indices);
        Span {
            start,
            len: self.indices.len() as u32 - start,
        }
    }

    /// Stores the requests of the picks at `positions` for a step and returns its span.
    pub(crate) fn push_pick_requests(
        &mut self,
        positions: impl IntoIterator<Item = usize>,
    ) -> Span {
        let start = self.indices.len() as u32;
        for i in positions {
            self.indices.push(self.picks[i].request);
        }
        Span {
            start,
            len: self.indices.len() as u32 - start,
        }
    }

    /// Records that a deterministic rule applied, granting `granted` (request indices; none
    /// when the rule only orders or bounds the draws that follow).
    pub fn rule_applied(&mut self, rule: Rule, granted: impl IntoIterator<Item = u32>) {
        let granted = self.push_indices(granted);
        self.step(Step::RuleApplied { rule, granted });
    }

    /// Records a lot drawn from `pool` (`size` members, weighed by `weighting`) that `winners`
    /// won, in draw order; records nothing when no one won (no lot was drawn).
    pub fn lot_drawn(
        &mut self,
        pool: Pool,
        size: usize,
        weighting: Weighting,
        winners: impl IntoIterator<Item = u32>,
    ) {
        let winners = self.push_indices(winners);
        self.lot_step(pool, size, weighting, winners);
    }

    /// The step of a lot that `winners` won, when anyone did.
    fn lot_step(&mut self, pool: Pool, size: usize, weighting: Weighting, winners: Span) {
        if !winners.is_empty() {
            self.step(Step::LotDrawn {
                pool,
                size: size as u32,
                weighting,
                winners,
            });
        }
    }

    /// Records as a lot drawn from `pool` the requests granted from pick `first` on: the
    /// winners of a draw that granted as it drew.
    ///
    /// # Panics
    ///
    /// If `first` is more than the number of picks.
    pub fn picks_drawn_by_lot(
        &mut self,
        first: usize,
        pool: Pool,
        size: usize,
        weighting: Weighting,
    ) {
        let start = self.indices.len();
        self.indices
            .extend(self.picks[first..].iter().map(|p| p.request));
        let winners = Span {
            start: start as u32,
            len: (self.indices.len() - start) as u32,
        };
        self.lot_step(pool, size, weighting, winners);
    }

    /// Draws up to `k` of `members` by a uniform lot (the winners move to the front, in draw
    /// order), grants them in that order with `reason` and `note`, and records the lot.
    /// Returns how many were drawn: `min(k, members.len())`.
    pub fn grant_by_lot(
        &mut self,
        rng: &mut dyn Rng,
        members: &mut [u32],
        k: usize,
        pool: Pool,
        reason: GrantReason,
        note: Note,
    ) -> usize {
        let drawn = lot::draw_to_front(rng, members, k);
        for &request in &members[..drawn] {
            self.grant(request, reason, note.clone());
        }
        self.lot_drawn(
            pool,
            members.len(),
            Weighting::Uniform,
            members[..drawn].iter().copied(),
        );
        drawn
    }

    /// Stores the lines of an apportionment for a [`Step::QuotaComputed`].
    pub fn push_quota_lines(&mut self, lines: impl IntoIterator<Item = QuotaLine>) -> Span {
        let start = self.quota_lines.len() as u32;
        self.quota_lines.extend(lines);
        Span {
            start,
            len: self.quota_lines.len() as u32 - start,
        }
    }

    /// Checks the picks against capacity and sets each pick's minutes (the request's, capped
    /// by the slot) and start minute by `placement` (the policy's, overriding the session's).
    ///
    /// # Errors
    ///
    /// An [`Error::InvalidValue`] naming `granted` when the picks break capacity:
    /// [`ErrorKind::TooLarge`] for more picks than the session's slots,
    /// [`ErrorKind::DuplicateId`] for a request picked twice or a duplicate request picked,
    /// [`ErrorKind::OutOfRange`] for an index outside the requests. floorshare's policies never
    /// do; this guards policies written elsewhere.
    pub fn finish(&mut self, session: &CheckedSession, placement: Option<Placement>) -> Result<()> {
        self.check(session)?;
        self.place(session, placement);
        Ok(())
    }

    /// The first half of [`Decision::finish`]: checks every index and capacity and marks the
    /// granted requests, so that the shared stages work on a valid decision.
    pub(crate) fn check(&mut self, session: &CheckedSession) -> Result<()> {
        self.check_references(session)?;
        let slots = session.session().slots as usize;
        if self.picks.len() > slots {
            return Err(Error::invalid_as(
                ErrorKind::TooLarge,
                "granted",
                self.picks.len(),
                format!("slots are more than the session's {slots}"),
            ));
        }
        for pick in &self.picks {
            let r = pick.request as usize;
            match self.waits.get_mut(r) {
                Some(wait) if *wait != DUPLICATE_WAIT && *wait != GRANTED => *wait = GRANTED,
                wait => {
                    return Err(Error::invalid_as(
                        if wait.is_some() {
                            ErrorKind::DuplicateId
                        } else {
                            ErrorKind::OutOfRange
                        },
                        "granted",
                        pick.request,
                        "is not a request that can be granted (out of range, duplicate or twice)",
                    ));
                }
            }
        }
        Ok(())
    }

    /// The second half of [`Decision::finish`]: minutes (a time stage's, or each request's)
    /// and start minutes by `placement`.
    pub(crate) fn place(&mut self, session: &CheckedSession, placement: Option<Placement>) {
        if !self.timed {
            self.minutes.clear();
            self.minutes.extend(
                self.picks
                    .iter()
                    .map(|p| session.requests()[p.request as usize].minutes),
            );
        }
        match session.session().length_minutes {
            Some(length) => {
                placement
                    .unwrap_or(session.session().placement)
                    .start_minutes_into(&self.minutes, length, &mut self.starts);
                for ((pick, &m), &s) in self.picks.iter_mut().zip(&self.minutes).zip(&self.starts) {
                    pick.minutes = m;
                    pick.start_minute = Some(s);
                }
            }
            None => {
                for (pick, &m) in self.picks.iter_mut().zip(&self.minutes) {
                    pick.minutes = m;
                    pick.start_minute = None;
                }
            }
        }
        self.finished = true;
    }

    /// Drops the picks at the positions `kept` rejects (a time stage found no minutes for
    /// them): they wait with `wait`.
    pub(crate) fn cut(&mut self, mut kept: impl FnMut(usize) -> bool, wait: WaitId) {
        let mut position = 0;
        let waits = &mut self.waits;
        self.picks.retain(|pick| {
            let keep = kept(position);
            position += 1;
            if !keep {
                waits[pick.request as usize] = wait;
            }
            keep
        });
    }

    /// Rearranges the picks: `order[i]` is the current position of the pick that speaks i-th
    /// (a permutation of the positions).
    pub(crate) fn reorder(&mut self, order: &[u32]) {
        debug_assert_eq!(order.len(), self.picks.len());
        std::mem::swap(&mut self.picks, &mut self.spare_picks);
        self.picks.clear();
        self.picks
            .extend(order.iter().map(|&i| self.spare_picks[i as usize].clone()));
        self.spare_picks.clear();
    }

    /// Gives the picks, in speaking order, the minutes a time stage computed.
    pub(crate) fn set_minutes(&mut self, minutes: impl IntoIterator<Item = u32>) {
        self.minutes.clear();
        self.minutes.extend(minutes);
        debug_assert_eq!(self.minutes.len(), self.picks.len());
        self.timed = true;
    }

    /// Stores the lines of a time apportionment for a [`Step::MinutesApportioned`].
    pub(crate) fn push_value_lines(&mut self, lines: impl IntoIterator<Item = ValueLine>) -> Span {
        let start = self.value_lines.len() as u32;
        self.value_lines.extend(lines);
        Span {
            start,
            len: self.value_lines.len() as u32 - start,
        }
    }

    /// Whether [`Decision::finish`] accepted the decision since it began: only then is it a
    /// decision a record can be built from.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Every index the waits and steps hold names something of `session`: a registered reason
    /// to wait, a request, a region, a list of this decision. A policy written elsewhere
    /// cannot make the record panic.
    fn check_references(&self, session: &CheckedSession) -> Result<()> {
        if let Some(r) = self
            .waits
            .iter()
            .position(|&w| w != GRANTED && w.index() >= self.wait_table.len())
        {
            return Err(Error::invalid(
                format!("waitlisted[{r}]"),
                self.waits[r].index(),
                "is not a reason to wait registered with this decision",
            ));
        }
        let regions = session.roster().regions().len() as u32;
        let requests = session.requests().len() as u32;
        let list = |span: Span, below: u32| -> bool {
            let end = span.start as usize + span.len as usize;
            end <= self.indices.len()
                && self.indices[span.start as usize..end]
                    .iter()
                    .all(|&i| i < below)
        };
        let region = |g: u32| g < regions;
        for (i, step) in self.steps.iter().enumerate() {
            let valid = match *step {
                Step::CountDrawn { .. } | Step::ConstituencyOrder { .. } => true,
                Step::Custom {
                    requests: listed, ..
                } => list(listed, requests),
                Step::QuotaComputed { lines, .. } => {
                    let end = lines.start as usize + lines.len as usize;
                    end <= self.quota_lines.len()
                        && self.quota_lines[lines.start as usize..end]
                            .iter()
                            .all(|line| region(line.region))
                }
                Step::CapApplied { region: g, .. } => region(g),
                Step::TieBrokenByLot {
                    regions: tied,
                    winners,
                    ..
                } => list(tied, regions) && list(winners, regions),
                Step::LotDrawn { pool, winners, .. } => {
                    list(winners, requests)
                        && match pool {
                            Pool::Region(g) | Pool::ClassInRegion(g) | Pool::OthersInRegion(g) => {
                                region(g)
                            }
                            _ => true,
                        }
                }
                Step::RegionOrderDrawn { order } => list(order, regions),
                Step::SpeakingOrder { order, .. } | Step::ValueOrderDrawn { order, .. } => {
                    list(order, requests)
                }
                Step::TimeCut { cut, .. } => list(cut, requests),
                Step::PanelDrawn {
                    panels,
                    drawn,
                    panel,
                } => drawn < panels && list(panel, requests),
                Step::MinutesApportioned { lines, .. } => {
                    let end = lines.start as usize + lines.len as usize;
                    end <= self.value_lines.len()
                        && self.value_lines[lines.start as usize..end]
                            .iter()
                            .all(|line| line.speaker < requests)
                }
                Step::RuleApplied { rule, granted } => {
                    list(granted, requests)
                        && match rule {
                            Rule::InscriptionOrderInRegion(g) => region(g),
                            _ => true,
                        }
                }
            };
            if !valid {
                return Err(Error::invalid(
                    format!("steps[{i}]"),
                    format_args!("{step:?}"),
                    "names a region, a request or a list this session or decision does not have",
                ));
            }
        }
        if let Some(lottery) = self.lottery() {
            let known = |&r: &u32| r < requests;
            if !(lottery.probabilities.iter().all(|(r, _)| known(r))
                && lottery.members.iter().all(known)
                && (lottery.drawn as usize) < lottery.panels.max(1))
            {
                return Err(Error::invalid(
                    "lottery",
                    format_args!("{} panels", lottery.panels),
                    "names a request or a panel this session or lottery does not have",
                ));
            }
        }
        Ok(())
    }

    /// The granted requests, in speaking order.
    pub fn picks(&self) -> &[Pick] {
        &self.picks
    }

    /// Whether request `request` was granted (after [`Decision::finish`]).
    pub fn is_granted(&self, request: usize) -> bool {
        self.waits.get(request) == Some(&GRANTED)
    }

    /// The reasons to wait registered for this session, indexed by [`WaitId::index`]: the
    /// first is the default (`capacity`), the second `duplicate`.
    pub fn wait_reasons(&self) -> &[Waiting] {
        &self.wait_table
    }

    /// The reason request `request` waits, as a handle (the default one for a granted
    /// request).
    ///
    /// # Panics
    ///
    /// If `request` is not an index of the session's requests.
    pub fn wait_id_of(&self, request: usize) -> WaitId {
        match self.waits[request] {
            GRANTED => DEFAULT_WAIT,
            id => id,
        }
    }

    /// Why request `request` waits (meaningless for a granted request).
    ///
    /// # Panics
    ///
    /// If `request` is not an index of the session's requests.
    pub fn waiting_of(&self, request: usize) -> &Waiting {
        &self.wait_table[self.wait_id_of(request).index()]
    }

    /// The audit steps, in the order they happened.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// The indices of a step's list.
    ///
    /// # Panics
    ///
    /// If `span` does not come from this decision.
    pub fn indices(&self, span: Span) -> &[u32] {
        &self.indices[span.start as usize..(span.start + span.len) as usize]
    }

    /// The lines of a [`Step::QuotaComputed`].
    ///
    /// # Panics
    ///
    /// If `span` does not come from this decision.
    pub fn quota_lines(&self, span: Span) -> &[QuotaLine] {
        &self.quota_lines[span.start as usize..(span.start + span.len) as usize]
    }

    /// The lines of a [`Step::MinutesApportioned`].
    ///
    /// # Panics
    ///
    /// If `span` does not come from this decision.
    pub fn value_lines(&self, span: Span) -> &[ValueLine] {
        &self.value_lines[span.start as usize..(span.start + span.len) as usize]
    }
}
