//! The allocation record: the decision for one session as people and tools read it — ids,
//! minutes, start minutes, human details, audit steps, the policy description, the seed and
//! the crate version, so that anyone can re-run it.
//!
//! A record is a view built from a [`Decision`] ([`Allocation::from_decision`]); building one
//! is the only place where ids are copied and details are written as text. [`Allocate`] runs a
//! policy and builds the record in one call.

use std::collections::BTreeMap;
use std::sync::Arc;

use rand::Rng;
use serde::Serialize;

use crate::apportion::Method;
use crate::decision::{Decision, GrantReason, Note, Pool, Rule, Span, Step, WaitReason, Weighting};
use crate::model::{Category, CheckedSession, Roster};
use crate::policy::{Description, Policy};
use crate::{Error, Result, lot};

/// A granted slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grant {
    /// Speaking position, 1 for the first speaker.
    pub position: u32,
    /// Id of the organisation that speaks.
    pub organisation: Arc<str>,
    /// Minutes granted.
    pub minutes: u32,
    /// Minute of the session at which the slot starts (absent when the session length is not
    /// known).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_minute: Option<u32>,
    /// Why it was granted.
    pub reason: GrantReason,
    /// A human-readable detail of the reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<Arc<str>>,
    /// Index of the granted request in the input's `requests` list.
    pub request: u32,
}

/// A request that was not granted, as read from a [`Waitlist`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Waitlisted<'a> {
    /// Id of the organisation that waits.
    pub organisation: &'a str,
    /// Why it waits.
    pub reason: WaitReason,
    /// A human-readable detail of the reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<&'a str>,
    /// Index of the request in the input's `requests` list.
    pub request: u32,
}

/// The requests not granted, in inscription order. Compact — a request index, an organisation
/// index and a reason index per entry, the ids and details held once — because at 100 000
/// requests nearly all of them wait: read the entries as [`Waitlisted`] views.
#[derive(Debug, Clone)]
pub struct Waitlist {
    roster: Arc<Roster>,
    /// The reasons to wait, with their details written once.
    reasons: Vec<(WaitReason, Option<Arc<str>>)>,
    /// (request, organisation, reason) per waiting request.
    entries: Vec<[u32; 3]>,
}

impl Waitlist {
    /// Number of waiting requests.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no request waits.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The `i`-th waiting request in inscription order.
    pub fn get(&self, i: usize) -> Option<Waitlisted<'_>> {
        self.entries.get(i).map(|&entry| self.view(entry))
    }

    /// The waiting requests, in inscription order.
    pub fn iter(&self) -> WaitlistIter<'_> {
        WaitlistIter {
            list: self,
            entries: self.entries.iter(),
        }
    }

    fn view(&self, [request, organisation, reason]: [u32; 3]) -> Waitlisted<'_> {
        let (reason, detail) = &self.reasons[reason as usize];
        Waitlisted {
            organisation: self.roster.id(organisation as usize),
            reason: *reason,
            detail: detail.as_deref(),
            request,
        }
    }
}

impl PartialEq for Waitlist {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Serialize for Waitlist {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'a> IntoIterator for &'a Waitlist {
    type Item = Waitlisted<'a>;
    type IntoIter = WaitlistIter<'a>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// The entries of a [`Waitlist`], as [`Waitlisted`] views.
#[derive(Debug, Clone)]
pub struct WaitlistIter<'a> {
    list: &'a Waitlist,
    entries: std::slice::Iter<'a, [u32; 3]>,
}

impl<'a> Iterator for WaitlistIter<'a> {
    type Item = Waitlisted<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        self.entries.next().map(|&entry| self.list.view(entry))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.entries.size_hint()
    }
}

impl DoubleEndedIterator for WaitlistIter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.entries.next_back().map(|&entry| self.list.view(entry))
    }
}

impl ExactSizeIterator for WaitlistIter<'_> {}

/// One region's line of a quota computation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionQuota {
    /// The region.
    pub region: Arc<str>,
    /// Its weight.
    pub weight: f64,
    /// Units apportioned to it.
    pub units: u32,
}

/// One value's line of a time apportionment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueMinutes {
    /// The value.
    pub value: Arc<str>,
    /// Its weight: α/G + (1 − α)·r/R.
    pub weight: f64,
    /// Minutes apportioned to it.
    pub minutes: u32,
}

/// An audit step as recorded: the typed [`Step`] with ids in place of indices. In JSON, an
/// object with a `step` code: `{"step": "lot_drawn", "pool": "region", "region": "europe",
/// "size": 14, "weighting": "uniform", "winners": ["o3"]}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
#[non_exhaustive]
pub enum AuditStep {
    /// See [`Step::CountDrawn`].
    CountDrawn {
        /// The fewest.
        min: u32,
        /// The most.
        max: u32,
        /// The count drawn.
        drawn: u32,
    },
    /// See [`Step::QuotaComputed`].
    QuotaComputed {
        /// The apportionment method.
        method: Method,
        /// The round, from 1.
        round: u32,
        /// Units apportioned in this round.
        units: u32,
        /// Each region's weight and units.
        regions: Vec<RegionQuota>,
    },
    /// See [`Step::CapApplied`].
    CapApplied {
        /// The region capped.
        region: Arc<str>,
        /// Its cap: its number of requesting organisations.
        cap: u32,
    },
    /// See [`Step::TieBrokenByLot`].
    TieBrokenByLot {
        /// The tied regions.
        regions: Vec<Arc<str>>,
        /// The regions that won a contested unit.
        winners: Vec<Arc<str>>,
        /// Units contested.
        units: u32,
    },
    /// See [`Step::LotDrawn`].
    LotDrawn {
        /// The rule that formed the pool: `requesters`, `region`, `class_in_region`,
        /// `others_in_region`, `class`, `others_than_class`, `not_yet_granted`, `tied_rank`,
        /// `focal_points`, `constituency_members`, `other_members`, `granted`, `tied_values`,
        /// `drawn_panel`, or a custom name.
        pool: &'static str,
        /// The region of a regional pool.
        #[serde(skip_serializing_if = "Option::is_none")]
        region: Option<Arc<str>>,
        /// Members of the pool.
        size: u32,
        /// `uniform`, `familiarity` or `class_weight`.
        weighting: &'static str,
        /// The class weight of a `class_weight` lot.
        #[serde(skip_serializing_if = "Option::is_none")]
        class_weight: Option<f64>,
        /// The winners' ids, in draw order.
        winners: Vec<Arc<str>>,
    },
    /// See [`Step::RegionOrderDrawn`].
    RegionOrderDrawn {
        /// The regions in the drawn order.
        order: Vec<Arc<str>>,
    },
    /// See [`Step::ConstituencyOrder`].
    ConstituencyOrder {
        /// The constituencies in the order they take their turns.
        order: Vec<Arc<str>>,
    },
    /// See [`Step::RuleApplied`].
    RuleApplied {
        /// `everyone_fits`, `class_first`, `reserved_slots`, `inscription_order_in_region`,
        /// `inscription_order`, `fewest_then_least_recent`, `not_yet_heard_first` or
        /// `constituency_round_robin`.
        rule: &'static str,
        /// The region of a regional rule.
        #[serde(skip_serializing_if = "Option::is_none")]
        region: Option<Arc<str>>,
        /// Slots reserved (`reserved_slots`).
        #[serde(skip_serializing_if = "Option::is_none")]
        reserved: Option<u32>,
        /// Slots of the session (`reserved_slots`).
        #[serde(skip_serializing_if = "Option::is_none")]
        slots: Option<u32>,
        /// The organisations the rule granted, when it granted directly.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        granted: Vec<Arc<str>>,
    },
    /// See [`Step::SpeakingOrder`].
    SpeakingOrder {
        /// `inscription`, `alternate` or `tiers`.
        rule: &'static str,
        /// The speakers in their new order.
        order: Vec<Arc<str>>,
    },
    /// See [`Step::ValueOrderDrawn`].
    ValueOrderDrawn {
        /// The category.
        category: String,
        /// Its values in the drawn order.
        order: Vec<Arc<str>>,
    },
    /// See [`Step::TimeCut`].
    TimeCut {
        /// The minutes shared.
        window: u32,
        /// Speakers kept.
        kept: u32,
        /// The organisations cut.
        cut: Vec<Arc<str>>,
    },
    /// See [`Step::MinutesApportioned`].
    MinutesApportioned {
        /// The category.
        category: String,
        /// The apportionment method.
        method: Method,
        /// The minutes shared.
        window: u32,
        /// Each value's weight and minutes.
        values: Vec<ValueMinutes>,
    },
    /// See [`Step::PanelDrawn`].
    PanelDrawn {
        /// Panels of the lottery.
        panels: u32,
        /// Index of the drawn panel, from 0.
        drawn_panel: u32,
        /// Its members, in inscription order.
        panel: Vec<Arc<str>>,
    },
    /// See [`Step::Custom`].
    Custom {
        /// The policy's own step code.
        code: &'static str,
        /// Its detail.
        #[serde(skip_serializing_if = "Option::is_none")]
        detail: Option<Arc<str>>,
        /// The organisations the step concerns.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        organisations: Vec<Arc<str>>,
    },
}

/// The decision for one session, as a record: granted slots in speaking order, waitlisted
/// requests in inscription order, the audit steps, and what is needed to re-run it (the policy
/// description with its defaults filled in, the seed, the crate version).
///
/// Every request appears exactly once, granted or waitlisted; at most `slots` are granted, at
/// most one per organisation: [`Decision::finish`] enforces this for every policy, floorshare's
/// own and yours.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Allocation {
    /// Id of the session.
    pub session: String,
    /// The policy that decided, with every parameter spelled out.
    pub policy: Description,
    /// The seed of the generator, when the allocation was made from a seed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Version of floorshare that decided.
    pub floorshare: &'static str,
    /// Granted slots in speaking order.
    pub granted: Vec<Grant>,
    /// Requests not granted, in inscription order.
    pub waitlisted: Waitlist,
    /// What decided the slots, step by step.
    pub steps: Vec<AuditStep>,
    /// The lottery over panels the policy drew from (`fair_lottery`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lottery: Option<Lottery>,
}

/// A lottery over quota-feasible panels as recorded
/// ([`PanelLottery`](crate::decision::PanelLottery) with ids): in JSON,
/// `{"probabilities": {"o1": 0.25, ...}, "certified_upper_bound": 0.25,
/// "minimum_probability": 0.2497, "panels": 4000, "drawn_panel": 17}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lottery {
    /// Every requesting organisation's selection probability in this session, by id.
    pub probabilities: BTreeMap<Arc<str>, f64>,
    /// A certified upper bound on the least quantity the lottery maximises, over every
    /// lottery of feasible panels (the probability; over a process, history slots plus the
    /// probability).
    pub certified_upper_bound: f64,
    /// The least quantity under the lottery drawn from.
    pub minimum_probability: f64,
    /// Panels of the lottery (each equally likely).
    pub panels: u32,
    /// Index of the drawn panel, from 0.
    pub drawn_panel: u32,
}

impl Allocation {
    /// Builds the record of a finished `decision` on `session` by the policy `policy`
    /// describes, made with `seed` when there was one.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidValue`] naming `decision` when the decision was not finished
    /// ([`Decision::finish`], which [`Policy::decide`] calls, checks it against the session).
    ///
    /// # Panics
    ///
    /// If `decision` was finished on another session than `session`.
    ///
    /// # Example
    ///
    /// ```
    /// use floorshare::allocation::Allocation;
    /// use floorshare::decision::Decision;
    /// use floorshare::model::*;
    /// use floorshare::policy;
    ///
    /// let session = SessionInput::new(
    ///     Session::new("s", 1).with_length(60),
    ///     vec![Organisation::new("a", "asia", Kind::Grassroots)],
    ///     vec![Request::new("a")],
    /// )
    /// .check()?;
    /// let policy = policy::from_json(serde_json::json!({"name": "grassroots_priority"}))?;
    /// let mut decision = Decision::new();
    /// policy.decide(&session, &mut floorshare::lot::seeded(5), &mut decision)?;
    /// let allocation = Allocation::from_decision(&session, policy.describe(), &decision, Some(5))?;
    /// assert_eq!(&*allocation.granted[0].organisation, "a");
    /// assert_eq!(allocation.granted[0].start_minute, Some(57));
    /// # Ok::<(), floorshare::Error>(())
    /// ```
    pub fn from_decision(
        session: &CheckedSession,
        policy: Description,
        decision: &Decision,
        seed: Option<u64>,
    ) -> Result<Allocation> {
        if !decision.is_finished() {
            return Err(Error::invalid(
                "decision",
                "unfinished",
                "is not finished: build a record from a decision Policy::decide or \
                 Decision::finish accepted",
            ));
        }
        let roster = session.roster();
        let regions = roster.regions();
        let id_of_request = |r: u32| Arc::from(roster.id(session.organisation_of(r as usize)));
        let mut text = String::new();
        let mut render = |note: &Note| -> Option<Arc<str>> {
            text.clear();
            note.write(regions, &mut text)
                .then(|| Arc::from(text.as_str()))
        };
        let granted = decision
            .picks()
            .iter()
            .enumerate()
            .map(|(i, pick)| Grant {
                position: i as u32 + 1,
                organisation: id_of_request(pick.request),
                minutes: pick.minutes,
                start_minute: pick.start_minute,
                reason: pick.reason,
                detail: render(&pick.note),
                request: pick.request,
            })
            .collect();
        // Many requests share one reason to wait: its detail is written once.
        let reasons = decision
            .wait_reasons()
            .iter()
            .map(|waiting| (waiting.reason, render(&waiting.note)))
            .collect();
        let entries = session
            .inscription_order()
            .iter()
            .filter(|&&r| !decision.is_granted(r as usize))
            .map(|&r| {
                [
                    r,
                    session.organisation_of(r as usize) as u32,
                    decision.wait_id_of(r as usize).index() as u32,
                ]
            })
            .collect();
        let waitlisted = Waitlist {
            roster: roster.clone(),
            reasons,
            entries,
        };
        let ids = |span: Span| -> Vec<Arc<str>> {
            decision
                .indices(span)
                .iter()
                .map(|&r| id_of_request(r))
                .collect()
        };
        let region = |g: u32| regions[g as usize].clone();
        let value_of = |category: &Category, r: u32| -> Arc<str> {
            let org = session.organisation_of(r as usize);
            Arc::from(roster.value_of(category, org))
        };
        let region_names = |span: Span| -> Vec<Arc<str>> {
            decision.indices(span).iter().map(|&g| region(g)).collect()
        };
        let steps = decision
            .steps()
            .iter()
            .map(|step| match step {
                &Step::CountDrawn { min, max, drawn } => AuditStep::CountDrawn { min, max, drawn },
                &Step::QuotaComputed {
                    method,
                    round,
                    units,
                    lines,
                } => AuditStep::QuotaComputed {
                    method,
                    round,
                    units,
                    regions: decision
                        .quota_lines(lines)
                        .iter()
                        .map(|line| RegionQuota {
                            region: region(line.region),
                            weight: line.weight,
                            units: line.units,
                        })
                        .collect(),
                },
                &Step::CapApplied { region: g, cap } => AuditStep::CapApplied {
                    region: region(g),
                    cap,
                },
                &Step::TieBrokenByLot {
                    regions,
                    winners,
                    units,
                } => AuditStep::TieBrokenByLot {
                    regions: region_names(regions),
                    winners: region_names(winners),
                    units,
                },
                &Step::LotDrawn {
                    pool,
                    size,
                    weighting,
                    winners,
                } => {
                    let (pool, pool_region) = match pool {
                        Pool::Requesters => ("requesters", None),
                        Pool::Region(g) => ("region", Some(region(g))),
                        Pool::ReservedList => ("reserved_list", None),
                        Pool::OpenList => ("open_list", None),
                        Pool::ClassInRegion(g) => ("class_in_region", Some(region(g))),
                        Pool::OthersInRegion(g) => ("others_in_region", Some(region(g))),
                        Pool::Class => ("class", None),
                        Pool::OthersThanClass => ("others_than_class", None),
                        Pool::NotYetGranted => ("not_yet_granted", None),
                        Pool::TiedRank => ("tied_rank", None),
                        Pool::FocalPoints => ("focal_points", None),
                        Pool::ConstituencyMembers => ("constituency_members", None),
                        Pool::OtherMembers => ("other_members", None),
                        Pool::Granted => ("granted", None),
                        Pool::TiedValues => ("tied_values", None),
                        Pool::DrawnPanel => ("drawn_panel", None),
                        Pool::Custom(name) => (name, None),
                    };
                    let (weighting, class_weight) = match weighting {
                        Weighting::Uniform => ("uniform", None),
                        Weighting::Familiarity => ("familiarity", None),
                        Weighting::ClassWeight(w) => ("class_weight", Some(w)),
                        Weighting::Custom(name) => (name, None),
                    };
                    AuditStep::LotDrawn {
                        pool,
                        region: pool_region,
                        size,
                        weighting,
                        class_weight,
                        winners: ids(winners),
                    }
                }
                &Step::RegionOrderDrawn { order } => AuditStep::RegionOrderDrawn {
                    order: region_names(order),
                },
                Step::ConstituencyOrder { order } => AuditStep::ConstituencyOrder {
                    order: order.to_vec(),
                },
                &Step::RuleApplied { rule, granted } => {
                    let (name, rule_region, reserved, slots) = match rule {
                        Rule::EveryoneFits => ("everyone_fits", None, None, None),
                        Rule::HighestScores => ("highest_scores", None, None, None),
                        Rule::Alternation => ("alternation", None, None, None),
                        Rule::ReservedListExhausted => {
                            ("reserved_list_exhausted", None, None, None)
                        }
                        Rule::ClassFirst => ("class_first", None, None, None),
                        Rule::ReservedSlots { reserved, slots } => {
                            ("reserved_slots", None, Some(reserved), Some(slots))
                        }
                        Rule::InscriptionOrderInRegion(g) => {
                            ("inscription_order_in_region", Some(region(g)), None, None)
                        }
                        Rule::InscriptionOrder => ("inscription_order", None, None, None),
                        Rule::FewestThenLeastRecent => {
                            ("fewest_then_least_recent", None, None, None)
                        }
                        Rule::NotYetHeardFirst => ("not_yet_heard_first", None, None, None),
                        Rule::ConstituencyRoundRobin => {
                            ("constituency_round_robin", None, None, None)
                        }
                        Rule::Custom(name) => (name, None, None, None),
                    };
                    AuditStep::RuleApplied {
                        rule: name,
                        region: rule_region,
                        reserved,
                        slots,
                        granted: ids(granted),
                    }
                }
                &Step::SpeakingOrder { rule, order } => AuditStep::SpeakingOrder {
                    rule: rule.code(),
                    order: ids(order),
                },
                Step::ValueOrderDrawn { category, order } => AuditStep::ValueOrderDrawn {
                    category: category.name().into_owned(),
                    order: decision
                        .indices(*order)
                        .iter()
                        .map(|&r| value_of(category, r))
                        .collect(),
                },
                &Step::TimeCut { window, kept, cut } => AuditStep::TimeCut {
                    window,
                    kept,
                    cut: ids(cut),
                },
                Step::MinutesApportioned {
                    category,
                    method,
                    window,
                    lines,
                } => AuditStep::MinutesApportioned {
                    category: category.name().into_owned(),
                    method: *method,
                    window: *window,
                    values: decision
                        .value_lines(*lines)
                        .iter()
                        .map(|line| ValueMinutes {
                            value: value_of(category, line.speaker),
                            weight: line.weight,
                            minutes: line.minutes,
                        })
                        .collect(),
                },
                &Step::PanelDrawn {
                    panels,
                    drawn,
                    panel,
                } => AuditStep::PanelDrawn {
                    panels,
                    drawn_panel: drawn,
                    panel: ids(panel),
                },
                Step::Custom {
                    code,
                    note,
                    requests,
                } => AuditStep::Custom {
                    code,
                    detail: render(note),
                    organisations: ids(*requests),
                },
            })
            .collect();
        let lottery = decision.lottery().map(|lottery| Lottery {
            probabilities: lottery
                .probabilities()
                .iter()
                .map(|&(r, p)| (id_of_request(r), p))
                .collect(),
            certified_upper_bound: lottery.certified_upper_bound,
            minimum_probability: lottery.minimum,
            panels: lottery.panels() as u32,
            drawn_panel: lottery.drawn,
        });
        Ok(Allocation {
            session: session.session().id.clone(),
            policy,
            seed,
            floorshare: env!("CARGO_PKG_VERSION"),
            granted,
            waitlisted,
            steps,
            lottery,
        })
    }
}

impl Allocation {
    /// Carries this allocation into the history of its checked session, as session `index` of
    /// the process ([`CheckedSession::record`]): every speaker gains a
    /// slot and its minutes. Take the history out afterwards
    /// ([`CheckedSession::into_history`]) for the next session.
    ///
    /// # Panics
    ///
    /// If the allocation is not of `session` (a granted request index outside its requests).
    ///
    /// # Example
    ///
    /// ```
    /// use std::sync::Arc;
    /// use floorshare::allocation::Allocate;
    /// use floorshare::model::*;
    /// use floorshare::policy::ChairDiscretion;
    ///
    /// let roster = Arc::new(Roster::new(
    ///     vec![Organisation::new("a", "asia", Kind::Grassroots), Organisation::new("b", "asia", Kind::Academia)],
    ///     GrassrootsClass::default(),
    /// )?);
    /// let requests = [Request::new("a"), Request::new("b")];
    /// let mut session = CheckedSession::new(Session::new("s0", 1), roster.clone(), &requests, History::default())?;
    /// let allocation = ChairDiscretion::default().allocate_seeded(&session, 1)?;
    /// allocation.record(&mut session, 0);
    /// let history = session.into_history();
    /// let speaker = roster.index_of(&allocation.granted[0].organisation).unwrap();
    /// assert_eq!(history.get(speaker).last_session, Some(0));
    /// # Ok::<(), floorshare::Error>(())
    /// ```
    pub fn record(&self, session: &mut CheckedSession, index: u32) {
        session.record(self.granted.iter().map(|g| (g.request, g.minutes)), index);
    }
}

/// Runs a policy and builds its record in one call: for applications that want the allocation
/// of one session, not the reusable buffer of a simulator. Implemented for every [`Policy`].
///
/// # Example
///
/// ```
/// use floorshare::allocation::Allocate;
/// use floorshare::model::*;
/// use floorshare::policy::RegionalBalance;
///
/// let session = SessionInput::new(
///     Session::new("s", 1),
///     vec![Organisation::new("a", "asia", Kind::Grassroots)],
///     vec![Request::new("a")],
/// )
/// .check()?;
/// let allocation = RegionalBalance::default().allocate_seeded(&session, 3)?;
/// assert_eq!(allocation.seed, Some(3));
/// assert_eq!(allocation.policy.name(), "regional_balance");
/// # Ok::<(), floorshare::Error>(())
/// ```
pub trait Allocate: Policy {
    /// Decides one session, drawing any lot from `rng`, and builds its record.
    ///
    /// # Errors
    ///
    /// As [`Policy::decide`].
    fn allocate(&self, session: &CheckedSession, rng: &mut dyn Rng) -> Result<Allocation> {
        let mut decision = Decision::new();
        self.decide(session, rng, &mut decision)?;
        Allocation::from_decision(session, self.describe(), &decision, None)
    }

    /// Decides one session with the crate's portable generator seeded from `seed`, and records
    /// the seed: same session and seed, same allocation, on every platform.
    ///
    /// # Errors
    ///
    /// As [`Policy::decide`].
    fn allocate_seeded(&self, session: &CheckedSession, seed: u64) -> Result<Allocation> {
        let mut decision = Decision::new();
        self.decide(session, &mut lot::seeded(seed), &mut decision)?;
        Allocation::from_decision(session, self.describe(), &decision, Some(seed))
    }
}

impl<P: Policy + ?Sized> Allocate for P {}
