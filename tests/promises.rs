//! The five promises every policy keeps (nothing lost, capacity, determinism, no panics, work
//! conservation), the reason each waiting organisation must have, and each policy's own
//! promise, as properties over generated sessions: empty lists, one region, many regions,
//! duplicates, themes, zero slots, more slots than requests.

use std::collections::{BTreeMap, BTreeSet};

use floorshare::allocation::{Allocate, Allocation};
use floorshare::apportion::{self, Method};
use floorshare::decision::{GrantReason, WaitReason};
use floorshare::fair::Objective;
use floorshare::lot;
use floorshare::model::*;
use floorshare::policy::{
    self, AlternationMode, AlternationSpec, AlternationWithin, ChairDiscretionSpec,
    ConstituencyRoundRobinSpec, Description, FairLotterySpec, GrassrootsMode, GrassrootsPriority,
    GrassrootsPrioritySpec, Mark, ProgressiveStackSpec, Quota, RegionWeights, RegionalBalanceSpec,
    RotationKey, RotationSpec, RotationTies, WithinConstituency, WithinRegion,
};
use proptest::prelude::*;

fn kind() -> impl Strategy<Value = Kind> {
    prop::sample::select(Kind::ALL.to_vec())
}

fn placement() -> impl Strategy<Value = Placement> {
    prop::sample::select(vec![Placement::End, Placement::Start, Placement::Spread])
}

fn chair() -> impl Strategy<Value = Chair> {
    (
        0u32..4,
        0u32..4,
        prop::collection::btree_map(
            kind(),
            prop_oneof![0.25f64..6.0, Just(1e12), Just(1e-300)],
            0..4,
        ),
    )
        .prop_map(|(min_slots, extra, familiarity)| Chair {
            min_slots,
            max_slots: min_slots + extra,
            familiarity,
            ..Chair::default()
        })
}

/// Themes requests raise.
const THEMES: [&str; 4] = ["climate", "labour", "health", "return"];

/// A session input: 1–7 regions, up to 30 organisations, up to 45 requests (duplicates
/// likely), 0–12 slots.
fn session_input() -> impl Strategy<Value = SessionInput> {
    let organisations = (1usize..=7)
        .prop_flat_map(|regions| prop::collection::vec((0..regions, kind(), any::<bool>()), 0..30));
    organisations.prop_flat_map(|orgs| {
        let n = orgs.len();
        let organisations: Vec<Organisation> = orgs
            .into_iter()
            .enumerate()
            .map(|(i, (region, kind, migrant_led))| {
                Organisation::new(format!("o{i}"), GCM_REGIONS[region], kind)
                    .migrant_led(migrant_led)
            })
            .collect();
        let requests = if n == 0 {
            Just(Vec::new()).boxed()
        } else {
            prop::collection::vec(
                (
                    0..n,
                    prop::option::of(1u32..6),
                    prop::option::weighted(0.3, 0u64..8),
                    prop::option::of(prop::sample::select(THEMES.to_vec())),
                ),
                0..45,
            )
            .boxed()
        };
        (
            Just(organisations),
            requests,
            prop_oneof![8 => 0u32..12, 1 => 12u32..60, 1 => Just(u32::MAX)],
            1u32..5,
            prop::option::of(prop_oneof![1u32..240, Just(u32::MAX)]),
            placement(),
            prop::option::of(chair()),
            prop::collection::vec(kind(), 0..3),
            any::<bool>(),
        )
            .prop_map(
                |(
                    organisations,
                    requests,
                    slots,
                    minutes_per_slot,
                    length_minutes,
                    placement,
                    chair,
                    class_kinds,
                    class_migrant_led,
                )| {
                    let history = organisations
                        .iter()
                        .step_by(3)
                        .map(|o| HistoryEntry {
                            organisation: o.id.clone(),
                            slots: 2,
                            minutes: 6,
                            last_session: Some(1),
                        })
                        .collect();
                    let requests = requests
                        .into_iter()
                        .map(|(org, minutes, order, theme)| Request {
                            organisation: format!("o{org}"),
                            minutes,
                            theme: theme.map(str::to_string),
                            order,
                            on_behalf_of: Vec::new(),
                        })
                        .collect();
                    SessionInput {
                        session: Session {
                            id: "s".into(),
                            title: None,
                            slots,
                            // u32::MAX slots are valid only with 1-minute slots.
                            minutes_per_slot: if slots == u32::MAX {
                                1
                            } else {
                                minutes_per_slot
                            },
                            length_minutes,
                            placement,
                            chair,
                            index: None,
                        },
                        organisations,
                        requests,
                        history,
                        grassroots_class: GrassrootsClass {
                            kinds: class_kinds,
                            migrant_led: class_migrant_led,
                        },
                    }
                },
            )
    })
}

/// The parameters of one built-in policy, as the generators produce them.
#[derive(Debug, Clone)]
enum Rule {
    ChairDiscretion(ChairDiscretionSpec),
    RegionalBalance(RegionalBalanceSpec),
    GrassrootsPriority(GrassrootsPrioritySpec),
    Fcfs,
    CappedLottery,
    Rotation(RotationSpec),
    ProgressiveStack(ProgressiveStackSpec),
    ConstituencyRoundRobin(ConstituencyRoundRobinSpec),
    Alternation(AlternationSpec),
    FairLottery(FairLotterySpec),
}

impl Rule {
    fn description(&self) -> Description {
        match self {
            Rule::ChairDiscretion(p) => Description::with_parameters("chair_discretion", p),
            Rule::RegionalBalance(p) => Description::with_parameters("regional_balance", p),
            Rule::GrassrootsPriority(p) => Description::with_parameters("grassroots_priority", p),
            Rule::Fcfs => Ok(Description::new("fcfs")),
            Rule::CappedLottery => Ok(Description::new("capped_lottery")),
            Rule::ProgressiveStack(p) => Description::with_parameters("progressive_stack", p),
            Rule::Rotation(p) => Description::with_parameters("rotation", p),
            Rule::ConstituencyRoundRobin(p) => {
                Description::with_parameters("constituency_round_robin", p)
            }
            Rule::Alternation(p) => Description::with_parameters("alternation", p),
            Rule::FairLottery(p) => Description::with_parameters("fair_lottery", p),
        }
        .unwrap()
    }
}

/// A built-in policy's own parameters and a placement stage.
#[derive(Debug, Clone)]
struct PolicySpec {
    rule: Rule,
    placement: Option<Placement>,
}

impl PolicySpec {
    fn description(&self) -> Description {
        let mut description = serde_json::to_value(self.rule.description()).unwrap();
        if let Some(placement) = self.placement {
            description["placement"] = serde_json::to_value(placement).unwrap();
        }
        Description::from_json(description).unwrap()
    }

    fn placement(&self) -> Option<Placement> {
        self.placement
    }
}

/// Every valid description of every policy, with or without a placement.
fn policy_spec() -> impl Strategy<Value = PolicySpec> {
    (rule(), prop::option::of(placement()))
        .prop_map(|(rule, placement)| PolicySpec { rule, placement })
}

/// Every valid description of every policy.
fn rule() -> impl Strategy<Value = Rule> {
    let method = prop::sample::select(Method::ALL.to_vec());
    let within = prop::sample::select(vec![
        WithinRegion::Lottery,
        WithinRegion::Order,
        WithinRegion::GrassrootsFirst,
    ]);
    let weights = prop_oneof![
        Just(RegionWeights::Equal),
        Just(RegionWeights::Requests),
        prop::collection::vec(prop_oneof![0.5f64..20.0, Just(1e12), Just(1e-300)], 7).prop_map(
            |w| RegionWeights::Explicit(
                GCM_REGIONS
                    .iter()
                    .map(|r| r.to_string())
                    .zip(w)
                    .collect::<BTreeMap<_, _>>()
            )
        ),
    ];
    prop_oneof![
        (
            prop::option::of(0u32..3),
            prop::option::of(3u32..6),
            prop::option::of(prop::collection::btree_map(
                kind(),
                prop_oneof![0.5f64..5.0, Just(1e12)],
                0..3
            )),
        )
            .prop_map(|(min_slots, max_slots, familiarity)| {
                Rule::ChairDiscretion(ChairDiscretionSpec {
                    min_slots,
                    max_slots,
                    familiarity,
                })
            }),
        (weights, method, within).prop_map(|(weights, method, within_region)| {
            Rule::RegionalBalance(RegionalBalanceSpec {
                weights,
                method,
                within_region,
            })
        }),
        prop_oneof![
            Just((GrassrootsMode::Strict, None, None)),
            (0.0f64..=1.0).prop_map(|s| (GrassrootsMode::Reserved, Some(s), None)),
            prop_oneof![1.0f64..10.0, Just(1e12)].prop_map(|w| (
                GrassrootsMode::Weighted,
                None,
                Some(w)
            )),
        ]
        .prop_map(|(mode, share, weight)| {
            Rule::GrassrootsPriority(GrassrootsPrioritySpec {
                mode,
                share,
                weight,
            })
        }),
        Just(Rule::Fcfs),
        Just(Rule::CappedLottery),
        rotation_spec().prop_map(Rule::Rotation),
        constituency_spec().prop_map(Rule::ConstituencyRoundRobin),
        progressive_stack_spec().prop_map(Rule::ProgressiveStack),
        alternation_spec().prop_map(Rule::Alternation),
        fair_lottery_spec().prop_map(Rule::FairLottery),
    ]
}

/// Quotas on up to two of region, class and kind (bounds 0–3, often infeasible), either
/// objective, with or without process fairness.
fn fair_lottery_spec() -> impl Strategy<Value = FairLotterySpec> {
    let category = prop::sample::select(vec![
        (Category::Region, GCM_REGIONS.to_vec()),
        (Category::Class, vec!["grassroots", "other"]),
        (
            Category::Kind,
            vec!["grassroots", "international_ngo", "academia"],
        ),
    ]);
    let quota = (
        category,
        prop::collection::vec((0usize..7, 0u32..3, 0u32..4), 0..4),
    )
        .prop_map(|((category, values), bounds)| {
            let mut quota = Quota {
                category,
                min: BTreeMap::new(),
                max: BTreeMap::new(),
            };
            for (v, lo, extra) in bounds {
                let value = values[v % values.len()].to_string();
                quota.min.insert(value.clone(), lo);
                if extra < 3 {
                    quota.max.insert(value, lo + extra);
                } else {
                    quota.max.remove(&value);
                }
            }
            quota
        });
    (
        prop::collection::vec(quota, 0..3),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(quotas, leximin, process)| {
            let mut quotas: Vec<Quota> = quotas;
            let mut seen = Vec::new();
            quotas.retain(|q| {
                let new = !seen.contains(&q.category);
                seen.push(q.category.clone());
                new
            });
            FairLotterySpec {
                quotas,
                objective: if leximin {
                    Objective::Leximin
                } else {
                    Objective::Maximin
                },
                process,
            }
        })
}

fn alternation_spec() -> impl Strategy<Value = AlternationSpec> {
    (
        category_and_value(),
        prop::sample::select(vec![
            AlternationWithin::Inscription,
            AlternationWithin::Lottery,
        ]),
        prop::sample::select(vec![AlternationMode::Soft, AlternationMode::Hard]),
    )
        .prop_map(|((category, value), within, mode)| AlternationSpec {
            category,
            value,
            within,
            mode,
        })
}

/// The reserved and open lists of `alternation`, requester indices in inscription order,
/// worked out from the organisations' fields.
fn alternation_lists(spec: &AlternationSpec, session: &CheckedSession) -> (Vec<u32>, Vec<u32>) {
    session.requesters().iter().partition(|&&r| {
        category_value(&spec.category, session, session.organisation_of(r as usize)) == spec.value
    })
}

/// How many `alternation` grants: min(slots, requesters), except that hard alternation stops
/// after 2r positions when the reserved list (r) runs out no later than the open list.
fn alternation_count(spec: &AlternationSpec, session: &CheckedSession) -> u64 {
    let (reserved, open) = alternation_lists(spec, session);
    let (r, o) = (reserved.len() as u64, open.len() as u64);
    let n = u64::from(session.session().slots).min(r + o);
    match spec.mode {
        AlternationMode::Hard if o >= r => n.min(2 * r),
        _ => n,
    }
}

/// Categories and values the generated organisations have (no tags, no country: `""`).
fn category_and_value() -> impl Strategy<Value = (Category, String)> {
    (
        prop::sample::select(vec![
            Category::Region,
            Category::Kind,
            Category::Class,
            Category::MigrantLed,
            Category::Country,
            Category::Tag("gender".into()),
        ]),
        prop::sample::select(vec![
            "asia",
            "africa",
            "europe",
            "grassroots",
            "academia",
            "other",
            "true",
            "false",
            "",
        ]),
    )
        .prop_map(|(category, value)| (category, value.to_string()))
}

fn progressive_stack_spec() -> impl Strategy<Value = ProgressiveStackSpec> {
    (
        prop::collection::vec(
            (
                category_and_value(),
                prop_oneof![0.1f64..10.0, Just(1.0), Just(1e12), Just(1e-300)],
            ),
            1..4,
        ),
        prop_oneof![Just(0.0), -10.0f64..0.0, Just(-1.0)],
        0u32..4,
    )
        .prop_map(
            |(marks, recent_penalty, recent_sessions)| ProgressiveStackSpec {
                marks: marks
                    .into_iter()
                    .map(|((category, value), weight)| Mark {
                        category,
                        value,
                        weight,
                    })
                    .collect(),
                recent_penalty,
                recent_sessions,
            },
        )
}

/// The value of the organisation at roster index `org` in `category`, read from its fields
/// independently of the crate's `Category::value_of`.
fn category_value(category: &Category, session: &CheckedSession, org: usize) -> String {
    let roster = session.roster();
    let o = &roster.organisations()[org];
    match category {
        Category::Region => o.region.clone(),
        Category::Kind => serde_json::to_value(o.kind)
            .unwrap()
            .as_str()
            .unwrap()
            .to_string(),
        Category::Class => if roster.in_class(org) {
            "grassroots"
        } else {
            "other"
        }
        .to_string(),
        Category::MigrantLed => o.migrant_led.to_string(),
        Category::Country => o.country.clone().unwrap_or_default(),
        Category::Tag(key) => o.tags.get(key).cloned().unwrap_or_default(),
        _ => unreachable!("no other category is generated"),
    }
}

/// The score `progressive_stack` gives the organisation behind `request`: the weights of its
/// marks, in the order given, plus the penalty when it spoke in the last `recent_sessions`.
fn stack_score(spec: &ProgressiveStackSpec, session: &CheckedSession, request: u32) -> f64 {
    let org = session.organisation_of(request as usize);
    let mut score = 0.0;
    for mark in &spec.marks {
        if category_value(&mark.category, session, org) == mark.value {
            score += mark.weight;
        }
    }
    let index = i64::from(session.index());
    let recent = session
        .history()
        .get(org)
        .last_session
        .is_some_and(|last| i64::from(last) >= index - i64::from(spec.recent_sessions));
    if recent {
        score += spec.recent_penalty;
    }
    score
}

/// Constituency names the generated tags and lists use.
const CONSTITUENCIES: [&str; 5] = ["bingo", "engo", "youngo", "women_and_gender", ""];

fn constituency_spec() -> impl Strategy<Value = ConstituencyRoundRobinSpec> {
    let listed = vec![
        "bingo",
        "engo",
        "youngo",
        "",
        "africa",
        "europe",
        "grassroots",
        "trade_union",
        "true",
    ];
    (
        prop::sample::select(vec![
            "tag:constituency",
            "tag:constituency",
            "region",
            "kind",
            "class",
            "migrant_led",
        ]),
        prop::option::of(prop::sample::subsequence(listed, 1..6).prop_shuffle()),
        prop::sample::select(vec![
            WithinConstituency::FocalPoint,
            WithinConstituency::Lottery,
            WithinConstituency::Inscription,
            WithinConstituency::Rotation,
        ]),
    )
        .prop_map(
            |(category, constituencies, within)| ConstituencyRoundRobinSpec {
                category: category.parse().unwrap(),
                constituencies: constituencies
                    .map(|list| list.into_iter().map(str::to_string).collect()),
                within,
            },
        )
}

/// The constituency of the organisation behind `request` under `spec`.
fn constituency_of(
    spec: &ConstituencyRoundRobinSpec,
    session: &CheckedSession,
    request: u32,
) -> String {
    let roster = session.roster();
    let org = session.organisation_of(request as usize);
    spec.category
        .value_of(&roster.organisations()[org], roster.in_class(org))
        .into_owned()
}

fn is_focal_point(session: &CheckedSession, request: u32) -> bool {
    session.roster().organisations()[session.organisation_of(request as usize)]
        .tags
        .get("focal_point")
        .is_some_and(|v| v == "true")
}

fn rotation_spec() -> impl Strategy<Value = RotationSpec> {
    (
        prop::sample::select(vec![
            RotationKey::FewestThenLeastRecent,
            RotationKey::NotYetHeardFirst,
        ]),
        prop::sample::select(vec![RotationTies::Lottery, RotationTies::Inscription]),
    )
        .prop_map(|(key, ties)| RotationSpec { key, ties })
}

/// The rank `rotation` gives the organisation behind `request` (smaller is better), worked
/// out from the history independently of the policy: (slots, never heard = 0 / last session
/// + 1), or (heard, 0).
fn rotation_rank(key: RotationKey, session: &CheckedSession, request: u32) -> (u64, u64) {
    let record = session
        .history()
        .get(session.organisation_of(request as usize));
    let last = record.last_session.map_or(0, |s| u64::from(s) + 1);
    match key {
        RotationKey::FewestThenLeastRecent => (u64::from(record.slots), last),
        _ => (u64::from(record.slots > 0 || last > 0), 0),
    }
}

/// ⌈share · slots⌉ for `share` read as the decimal Rust prints (`0.14` is 14/100), in 128-bit
/// integers: an oracle independent of the policy's long multiplication.
fn exact_reserved(share: f64, slots: u32) -> u128 {
    let text = share.to_string();
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let scale = 10u128.pow(fraction.len() as u32);
    let numerator = whole.parse::<u128>().unwrap() * scale
        + if fraction.is_empty() {
            0
        } else {
            fraction.parse::<u128>().unwrap()
        };
    (numerator * u128::from(slots))
        .div_ceil(scale)
        .min(u128::from(slots))
}

/// The wait reason each waitlisted requester must have, worked out from the input and the
/// granted set alone, by the one rule of every policy: `not_selected` if and only if the
/// organisation was in a pool a lot drew from (a draw that had a slot to give, or a tie on
/// its region's quota decided by lot), otherwise `capacity`.
fn expected_wait(
    spec: &PolicySpec,
    session: &CheckedSession,
    allocation: &Allocation,
    request: u32,
) -> WaitReason {
    if session.is_duplicate(request as usize) {
        return WaitReason::Duplicate;
    }
    let roster = session.roster();
    let slots = session.session().slots as usize;
    let org = session.organisation_of(request as usize);
    let in_class = roster.in_class(org);
    let granted_orgs: Vec<usize> = allocation
        .granted
        .iter()
        .map(|g| session.organisation_of(g.request as usize))
        .collect();
    let class_requesters = session
        .requesters()
        .iter()
        .filter(|&&r| roster.in_class(session.organisation_of(r as usize)))
        .count();
    let lot = |drawn: bool| {
        if drawn {
            WaitReason::NotSelected
        } else {
            WaitReason::Capacity
        }
    };
    match &spec.rule {
        Rule::ChairDiscretion(_) => lot(!allocation.granted.is_empty()),
        // No lot: the slots went to earlier inscriptions.
        Rule::Fcfs => WaitReason::Capacity,
        // No lot: higher scores, or equal ones inscribed earlier, took the slots.
        Rule::ProgressiveStack(_) => WaitReason::Capacity,
        // Only a lot within a list that gave someone a slot; everyone else waits for capacity.
        Rule::Alternation(p) => {
            let (reserved, open) = alternation_lists(p, session);
            let list = if reserved.contains(&request) {
                reserved
            } else {
                open
            };
            lot(p.within == AlternationWithin::Lottery
                && allocation.granted.iter().any(|g| list.contains(&g.request)))
        }
        // A lot is drawn only when more organisations request than there are slots.
        Rule::CappedLottery => lot(slots > 0 && session.requesters().len() > slots),
        // Everyone not in the drawn panel lost its lot, unless the session has no slot.
        Rule::FairLottery(_) => lot(slots > 0),
        // A lot among equals cut the rank of the last granted: its members that wait lost it;
        // everyone of a worse rank waits for capacity.
        Rule::Rotation(p) => {
            let worst_granted = allocation
                .granted
                .iter()
                .map(|g| rotation_rank(p.key, session, g.request))
                .max();
            lot(p.ties == RotationTies::Lottery
                && worst_granted == Some(rotation_rank(p.key, session, request)))
        }
        // Inside its constituency: no turn, or a deterministic cut, is capacity; a pool that
        // gave a turn by lot (two or more members) is not_selected.
        Rule::ConstituencyRoundRobin(p) => {
            let mine = constituency_of(p, session, request);
            let same = |r: u32| constituency_of(p, session, r) == mine;
            let turns: Vec<u32> = allocation
                .granted
                .iter()
                .map(|g| g.request)
                .filter(|&g| same(g))
                .collect();
            if turns.is_empty() {
                return WaitReason::Capacity;
            }
            match p.within {
                WithinConstituency::Inscription => WaitReason::Capacity,
                WithinConstituency::Lottery => WaitReason::NotSelected,
                WithinConstituency::FocalPoint => {
                    let focal = session
                        .requesters()
                        .iter()
                        .filter(|&&r| same(r) && is_focal_point(session, r))
                        .count();
                    lot(is_focal_point(session, request) || turns.len() > focal)
                }
                _ => {
                    let rank =
                        |r: u32| rotation_rank(RotationKey::FewestThenLeastRecent, session, r);
                    lot(turns.iter().map(|&g| rank(g)).max() == Some(rank(request)))
                }
            }
        }
        Rule::GrassrootsPriority(p) => match p.mode {
            GrassrootsMode::Strict => lot(if in_class {
                slots > 0
            } else {
                slots > class_requesters.min(slots)
            }),
            GrassrootsMode::Reserved => {
                let reserved = exact_reserved(p.share.unwrap(), slots as u32) as usize;
                let open = slots - reserved.min(class_requesters);
                lot(if in_class { slots > 0 } else { open > 0 })
            }
            _ => lot(slots > 0),
        },
        Rule::RegionalBalance(p) => {
            let region = roster.region_of(org);
            let quota = granted_orgs
                .iter()
                .filter(|&&o| roster.region_of(o) == region)
                .count();
            let class_took = granted_orgs
                .iter()
                .filter(|&&o| roster.region_of(o) == region && roster.in_class(o))
                .count();
            let name = &*roster.regions()[region];
            // A region that lost a tie decided by lot lost a lot; one that won it did not.
            let tied = allocation.steps.iter().any(|step| {
                let step = serde_json::to_value(step).unwrap();
                let names = |field: &str| step[field].as_array().unwrap().iter().any(|r| r == name);
                step["step"] == "tie_broken_by_lot" && names("regions") && !names("winners")
            });
            lot(tied
                || match p.within_region {
                    WithinRegion::Order => false,
                    WithinRegion::GrassrootsFirst if !in_class => quota > class_took,
                    _ => quota > 0,
                })
        }
    }
}

/// Arbitrary JSON: scalars of every type (extreme numbers included), arrays and objects.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::{Value, json};
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        prop_oneof![any::<f64>(), Just(1e308), Just(5e-324), Just(-0.0)]
            .prop_map(|x| serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)),
        ".{0,12}".prop_map(Value::String),
        prop::sample::select(vec![
            "o0",
            "asia",
            "grassroots",
            "end",
            "lottery",
            "reserved"
        ])
        .prop_map(|s| json!(s)),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// The chair's drawn count d, replayed from the seed: it is the policy's first draw.
fn chair_draw(spec: &ChairDiscretionSpec, session: &Session, seed: u64) -> Option<u64> {
    let chair = session.chair.clone().unwrap_or_default();
    let min = spec.min_slots.unwrap_or(chair.min_slots);
    let max = spec.max_slots.unwrap_or(chair.max_slots);
    (min <= max).then(|| {
        u64::from(min) + lot::uniform_below(&mut lot::seeded(seed), u64::from(max - min) + 1)
    })
}

fn region_of<'a>(input: &'a SessionInput, id: &str) -> &'a str {
    &input
        .organisations
        .iter()
        .find(|o| o.id == id)
        .unwrap()
        .region
}

fn granted_by_region<'a>(input: &'a SessionInput, a: &Allocation) -> BTreeMap<&'a str, usize> {
    let mut counts = BTreeMap::new();
    for g in &a.granted {
        *counts.entry(region_of(input, &g.organisation)).or_insert(0) += 1;
    }
    counts
}

fn requesters_by_region(session: &CheckedSession) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for &r in session.requesters() {
        let org = session.organisation_of(r as usize);
        let region = session.roster().regions()[session.roster().region_of(org)].to_string();
        *counts.entry(region).or_insert(0) += 1;
    }
    counts
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// The five promises, for every policy.
    #[test]
    fn every_policy_keeps_the_five_promises(
        input in session_input(),
        spec in policy_spec(),
        seed in any::<u64>(),
    ) {
        let policy = policy::build(&spec.description()).unwrap();
        let session = input.clone().check().unwrap();
        let result = policy.allocate_seeded(&session, seed);
        if let Rule::ChairDiscretion(chair_spec) = &spec.rule
            && chair_draw(chair_spec, &input.session, seed).is_none()
        {
            // min_slots above max_slots, from the policy and the chair together.
            let err = result.unwrap_err();
            prop_assert!(err.field().ends_with("min_slots"), "{}", err);
            return Ok(());
        }
        if let (Rule::FairLottery(p), Err(err)) = (&spec.rule, &result) {
            // Quotas no panel meets (tests/fair_lottery.rs checks these by brute force).
            prop_assert_eq!(err.kind(), floorshare::ErrorKind::Infeasible, "{}", err);
            prop_assert!(err.field().starts_with("policy.quotas"), "{}", err);
            // Without this, any case could end here: quotas that bound nothing are always met,
            // and with no slot or room for everyone the one panel must miss a bound.
            prop_assert!(p.quotas.iter().any(|q| q.min.values().any(|&lo| lo > 0) || !q.max.is_empty()));
            let slots = input.session.slots as usize;
            if slots == 0 || session.requesters().len() <= slots {
                let count = |q: &Quota, value: &str| if slots == 0 { 0 } else {
                    session.requesters().iter()
                        .filter(|&&r| category_value(&q.category, &session, session.organisation_of(r as usize)) == value)
                        .count() as u32
                };
                let missed = p.quotas.iter().any(|q| {
                    q.min.iter().any(|(v, &lo)| count(q, v) < lo) || q.max.iter().any(|(v, &hi)| count(q, v) > hi)
                });
                prop_assert!(missed, "{}", err);
            }
            return Ok(());
        }
        let allocation = result.unwrap();

        // 1. Nothing is lost: every request exactly once.
        let mut seen: Vec<u32> = allocation.granted.iter().map(|g| g.request)
            .chain(allocation.waitlisted.iter().map(|w| w.request)).collect();
        seen.sort_unstable();
        prop_assert_eq!(seen, (0..input.requests.len() as u32).collect::<Vec<_>>());
        for g in &allocation.granted {
            prop_assert_eq!(&*g.organisation, input.requests[g.request as usize].organisation.as_str());
        }
        for w in &allocation.waitlisted {
            prop_assert_eq!(w.organisation, input.requests[w.request as usize].organisation.as_str());
            prop_assert_eq!(w.reason == WaitReason::Duplicate, session.is_duplicate(w.request as usize));
        }
        // Waitlisted in inscription order.
        let position: BTreeMap<u32, usize> = session.inscription_order().iter().enumerate()
            .map(|(p, &r)| (r, p)).collect();
        let waiting: Vec<u32> = allocation.waitlisted.iter().map(|w| w.request).collect();
        prop_assert!(waiting.windows(2).all(|w| position[&w[0]] < position[&w[1]]));

        for w in &allocation.waitlisted {
            // The reason each case must have: `not_selected` exactly when a lot drew from a pool
            // the organisation was in.
            prop_assert_eq!(w.reason, expected_wait(&spec, &session, &allocation, w.request), "{:?}", w);
        }
        // The allocation records what is needed to re-run it.
        prop_assert_eq!(&allocation.policy, &spec.description());
        prop_assert_eq!(allocation.seed, Some(seed));
        prop_assert_eq!(allocation.floorshare, env!("CARGO_PKG_VERSION"));
        prop_assert_eq!(allocation.session.as_str(), "s");

        // 2. Capacity: at most `slots`, at most one per organisation.
        prop_assert!(allocation.granted.len() <= input.session.slots as usize);
        let speakers: BTreeSet<&str> = allocation.granted.iter().map(|g| &*g.organisation).collect();
        prop_assert_eq!(speakers.len(), allocation.granted.len());
        for (i, g) in allocation.granted.iter().enumerate() {
            prop_assert_eq!(g.position as usize, i + 1);
            let asked = input.requests[g.request as usize].minutes.unwrap_or(u32::MAX);
            prop_assert_eq!(g.minutes, asked.min(input.session.minutes_per_slot));
            prop_assert_eq!(g.start_minute.is_some(), input.session.length_minutes.is_some());
        }
        // Start minutes follow the placement, the policy's overriding the session's.
        if let Some(length) = input.session.length_minutes {
            let placement = spec.placement().unwrap_or(input.session.placement);
            let g = allocation.granted.len() as u64;
            let total: u64 = allocation.granted.iter().map(|x| u64::from(x.minutes)).sum();
            let mut next = match placement {
                Placement::End if total <= u64::from(length) => u64::from(length) - total,
                _ => 0,
            };
            for (i, grant) in allocation.granted.iter().enumerate() {
                let expected = match placement {
                    Placement::Spread => i as u64 * u64::from(length) / g,
                    _ => next,
                };
                prop_assert_eq!(u64::from(grant.start_minute.unwrap()), expected);
                next += u64::from(grant.minutes);
            }
        }

        // 3. Determinism: same input and seed, byte-identical JSON, also through a JSON round trip.
        let json = serde_json::to_string(&allocation).unwrap();
        prop_assert_eq!(&json, &serde_json::to_string(&policy.allocate_seeded(&session, seed).unwrap()).unwrap());
        let reread: SessionInput = serde_json::from_str(&serde_json::to_string(&input).unwrap()).unwrap();
        let again = policy.allocate_seeded(&reread.check().unwrap(), seed).unwrap();
        prop_assert_eq!(&json, &serde_json::to_string(&again).unwrap());

        // 5. Work conservation.
        let requesters = session.requesters().len() as u64;
        let slots = u64::from(input.session.slots);
        let expected = match &spec.rule {
            Rule::ChairDiscretion(chair_spec) => {
                chair_draw(chair_spec, &input.session, seed).unwrap().min(slots).min(requesters)
            }
            // Hard alternation stops when the reserved list runs out.
            Rule::Alternation(p) => alternation_count(p, &session),
            _ => slots.min(requesters),
        };
        prop_assert_eq!(allocation.granted.len() as u64, expected);
    }

    /// Regional balance under equal weights: an unserved region trails no region by more than
    /// one slot; no two consecutive speakers share a region unless only one region is left.
    #[test]
    fn regional_balance_is_balanced(
        input in session_input(),
        method in prop::sample::select(Method::ALL.to_vec()),
        within_region in prop::sample::select(vec![WithinRegion::Lottery, WithinRegion::Order, WithinRegion::GrassrootsFirst]),
        seed in any::<u64>(),
    ) {
        let policy = policy::RegionalBalance::new(RegionalBalanceSpec {
            method, within_region, ..Default::default()
        }).unwrap();
        let session = input.clone().check().unwrap();
        let allocation = policy.allocate_seeded(&session, seed).unwrap();
        let granted = granted_by_region(&input, &allocation);
        for (region, &asked) in &requesters_by_region(&session) {
            let got = granted.get(region.as_str()).copied().unwrap_or(0);
            if got < asked {
                for (other, &theirs) in &granted {
                    prop_assert!(got + 1 >= theirs, "{} got {}, {} got {}", region, got, other, theirs);
                }
            }
        }
        // Speaking order: at each position a region with the most speakers left among those
        // other than the previous speaker's (the previous one only when no other has any).
        let regions: Vec<&str> = allocation.granted.iter().map(|g| region_of(&input, &g.organisation)).collect();
        let mut left = granted.clone();
        for (i, region) in regions.iter().enumerate() {
            let previous = if i > 0 { Some(regions[i - 1]) } else { None };
            let others: Vec<usize> = left.iter()
                .filter(|(r, n)| **n > 0 && Some(**r) != previous)
                .map(|(_, n)| *n).collect();
            if others.is_empty() {
                prop_assert_eq!(Some(*region), previous);
            } else {
                prop_assert!(Some(*region) != previous, "{:?}", regions);
                prop_assert_eq!(left[region], *others.iter().max().unwrap(), "{:?}", regions);
            }
            *left.get_mut(region).unwrap() -= 1;
        }
    }

    /// Regional balance with an explicit weight map hands out exactly the apportionment of the
    /// weights when every region has enough requests.
    #[test]
    fn explicit_weights_give_the_apportionment(
        weights in prop::collection::vec(1u32..50, 1..=7),
        slots in 0u32..20,
        method in prop::sample::select(Method::ALL.to_vec()),
        seed in any::<u64>(),
    ) {
        let regions = &GCM_REGIONS[..weights.len()];
        // Every region has `slots` requesters: always enough.
        let organisations: Vec<Organisation> = regions.iter()
            .flat_map(|r| (0..slots.max(1)).map(move |i| Organisation::new(format!("{r}{i}"), *r, Kind::Other)))
            .collect();
        let requests = organisations.iter().map(|o| Request::new(&o.id)).collect();
        let input = SessionInput::new(Session::new("s", slots), organisations, requests);
        let map: BTreeMap<String, f64> = regions.iter().map(|r| r.to_string())
            .zip(weights.iter().map(|&w| f64::from(w))).collect();
        let policy = policy::RegionalBalance::new(RegionalBalanceSpec {
            weights: RegionWeights::Explicit(map), method, ..Default::default()
        }).unwrap();
        let allocation = policy.allocate_seeded(&input.clone().check().unwrap(), seed).unwrap();
        // The policy's first draws are the apportionment's tie-breaks: replay them.
        let weights_f: Vec<f64> = weights.iter().map(|&w| f64::from(w)).collect();
        let expected = apportion::apportion(method, &weights_f, slots, &mut lot::seeded(seed)).unwrap();
        let granted = granted_by_region(&input, &allocation);
        for (region, &seats) in regions.iter().zip(&expected.seats) {
            prop_assert_eq!(granted.get(region).copied().unwrap_or(0), seats as usize, "{}", region);
        }
    }

    /// Grassroots priority, strict: nobody outside the class while a class member waits; the
    /// class speaks first. Reserved: at least min(⌈share·slots⌉, class requesters) class slots,
    /// reserved winners first.
    #[test]
    fn grassroots_priority_keeps_its_promises(
        input in session_input(),
        share in prop_oneof![
            0.0f64..=1.0,
            (0u32..=100).prop_map(|k| f64::from(k) / 100.0),
            (0u32..=1000).prop_map(|k| f64::from(k) / 1000.0),
        ],
        seed in any::<u64>(),
    ) {
        let session = input.clone().check().unwrap();
        let in_class = |id: &str| session.roster().in_class(session.roster().index_of(id).unwrap());
        let class_requesters = session.requesters().iter()
            .filter(|&&r| session.roster().in_class(session.organisation_of(r as usize))).count();

        let strict = GrassrootsPriority::strict().allocate_seeded(&session, seed).unwrap();
        let class_flags: Vec<bool> = strict.granted.iter().map(|g| in_class(&g.organisation)).collect();
        let class_waits = strict.waitlisted.iter()
            .any(|w| w.reason != WaitReason::Duplicate && in_class(w.organisation));
        if class_waits {
            prop_assert!(class_flags.iter().all(|&c| c));
        }
        prop_assert!(class_flags.windows(2).all(|w| w[0] || !w[1]), "class first: {:?}", class_flags);

        let policy = GrassrootsPriority::reserved(share).unwrap();
        let reserved = policy.allocate_seeded(&session, seed).unwrap();
        let class_slots = reserved.granted.iter().filter(|g| in_class(&g.organisation)).count();
        // ⌈share·slots⌉ exactly, reading share as its shortest round-trip decimal.
        let reserved_slots = exact_reserved(share, input.session.slots) as usize;
        prop_assert_eq!(reserved_slots, policy.reserved_slots(input.session.slots) as usize);
        let promised = reserved_slots.min(class_requesters);
        prop_assert!(class_slots >= promised);
        let reserved_flags: Vec<bool> = reserved.granted.iter().map(|g| g.reason == GrantReason::Reserved).collect();
        prop_assert_eq!(reserved_flags.iter().filter(|&&r| r).count(), promised);
        prop_assert!(reserved_flags.windows(2).all(|w| w[0] || !w[1]));
    }

    /// First come, first served: no organisation waits while one inscribed after it is granted;
    /// the granted speak in inscription order.
    #[test]
    fn fcfs_never_passes_over_an_earlier_inscription(
        input in session_input(),
        seed in any::<u64>(),
    ) {
        let session = input.check().unwrap();
        let policy = policy::Fcfs;
        let allocation = policy.allocate_seeded(&session, seed).unwrap();
        let position: BTreeMap<u32, usize> = session.inscription_order().iter().enumerate()
            .map(|(p, &r)| (r, p)).collect();
        let granted: Vec<usize> = allocation.granted.iter().map(|g| position[&g.request]).collect();
        prop_assert!(granted.windows(2).all(|w| w[0] < w[1]), "{:?}", granted);
        for w in allocation.waitlisted.iter().filter(|w| w.reason != WaitReason::Duplicate) {
            let waits = position[&w.request];
            prop_assert!(granted.iter().all(|&g| g < waits), "{} waits behind a later inscription", w.organisation);
        }
    }

    /// Capped lottery: everyone in inscription order while they fit; otherwise exactly the
    /// uniform draw without replacement of `slots` requesters, replayed from the seed (the
    /// draw order is the speaking order). Equal chances are tested in `tests/statistics.rs`.
    #[test]
    fn capped_lottery_is_inscription_order_or_a_uniform_draw(
        input in session_input(),
        seed in any::<u64>(),
    ) {
        let session = input.check().unwrap();
        let policy = policy::CappedLottery;
        let allocation = policy.allocate_seeded(&session, seed).unwrap();
        let granted: Vec<u32> = allocation.granted.iter().map(|g| g.request).collect();
        let requesters = session.requesters();
        let slots = session.session().slots as usize;
        if requesters.len() <= slots {
            prop_assert_eq!(&granted[..], requesters);
            prop_assert!(allocation.granted.iter().all(|g| g.reason == GrantReason::InscriptionOrder));
        } else {
            let mut pool = requesters.to_vec();
            let drawn = lot::draw_to_front(&mut lot::seeded(seed), &mut pool, slots);
            prop_assert_eq!(&granted[..], &pool[..drawn]);
            prop_assert!(allocation.granted.iter().all(|g| g.reason == GrantReason::Lottery));
        }
    }

    /// Rotation: no organisation is granted while one of strictly better rank waits; the
    /// granted speak in rank order (equal ranks in inscription order with `ties:
    /// inscription`). Histories vary: never heard, heard once or more, in sessions 0–4.
    #[test]
    fn rotation_never_grants_a_worse_rank_while_a_better_waits(
        input in session_input(),
        heard in prop::collection::vec(prop::option::of((1u32..4, 0u32..5)), 30),
        spec in rotation_spec(),
        seed in any::<u64>(),
    ) {
        let mut input = input;
        input.history = input.organisations.iter().zip(&heard).map(|(o, h)| HistoryEntry {
            organisation: o.id.clone(),
            slots: h.map_or(0, |(s, _)| s),
            minutes: 0,
            last_session: h.map(|(_, l)| l),
        }).collect();
        let session = input.check().unwrap();
        let policy = policy::Rotation::new(spec.clone());
        let allocation = policy.allocate_seeded(&session, seed).unwrap();
        let rank = |r: u32| rotation_rank(spec.key, &session, r);
        let granted: Vec<(u64, u64)> = allocation.granted.iter().map(|g| rank(g.request)).collect();
        prop_assert!(granted.windows(2).all(|w| w[0] <= w[1]), "rank order: {:?}", granted);
        if let Some(worst) = granted.iter().max() {
            for w in allocation.waitlisted.iter().filter(|w| w.reason != WaitReason::Duplicate) {
                prop_assert!(rank(w.request) >= *worst, "{} waits with a better rank", w.organisation);
            }
        }
        if spec.ties == RotationTies::Inscription {
            let position: BTreeMap<u32, usize> = session.inscription_order().iter().enumerate()
                .map(|(p, &r)| (r, p)).collect();
            let order: Vec<((u64, u64), usize)> = allocation.granted.iter()
                .map(|g| (rank(g.request), position[&g.request])).collect();
            prop_assert!(order.windows(2).all(|w| w[0] < w[1]), "{:?}", order);
        }
        prop_assert!(allocation.granted.iter().all(|g| g.reason == GrantReason::Rotation));
    }

    /// Constituency round robin: a constituency gets a (t+1)-th slot only when every
    /// constituency with a waiting requester has t; the speaking order is the granting order,
    /// cycle by cycle, constituencies by (never heard, then heard longest ago; the list; the
    /// name); every waiting organisation has the reason of the one rule.
    #[test]
    fn constituency_round_robin_gives_seconds_only_after_firsts(
        input in session_input(),
        tags in prop::collection::vec((prop::option::of(0usize..4), prop::bool::weighted(0.3)), 30),
        heard in prop::collection::vec(prop::option::of((1u32..4, 0u32..5)), 30),
        spec in constituency_spec(),
        seed in any::<u64>(),
    ) {
        let mut input = input;
        for (o, &(c, focal)) in input.organisations.iter_mut().zip(&tags) {
            if let Some(c) = c {
                o.tags.insert("constituency".into(), CONSTITUENCIES[c].into());
            }
            if focal {
                o.tags.insert("focal_point".into(), "true".into());
            }
        }
        input.history = input.organisations.iter().zip(&heard).map(|(o, h)| HistoryEntry {
            organisation: o.id.clone(),
            slots: h.map_or(0, |(s, _)| s),
            minutes: 0,
            last_session: h.map(|(_, l)| l),
        }).collect();
        let session = input.clone().check().unwrap();
        let policy = policy::build(&Rule::ConstituencyRoundRobin(spec.clone()).description()).unwrap();
        let allocation = policy.allocate_seeded(&session, seed).unwrap();
        let of = |r: u32| constituency_of(&spec, &session, r);
        let mut granted: BTreeMap<String, usize> = BTreeMap::new();
        for g in &allocation.granted {
            *granted.entry(of(g.request)).or_default() += 1;
        }
        for w in allocation.waitlisted.iter().filter(|w| w.reason != WaitReason::Duplicate) {
            let mine = granted.get(&of(w.request)).copied().unwrap_or(0);
            for (c, &n) in &granted {
                prop_assert!(n <= mine + 1, "{} has {} while {} waits with {}", c, n, w.organisation, mine);
            }
            let spec = PolicySpec { rule: Rule::ConstituencyRoundRobin(spec.clone()), placement: None };
            prop_assert_eq!(w.reason, expected_wait(&spec, &session, &allocation, w.request), "{:?}", w);
        }
        // The walking order, from the history of every member.
        let mut last: BTreeMap<String, Option<u32>> = BTreeMap::new();
        for (o, h) in input.organisations.iter().zip(&heard) {
            let value = spec.category.value_of(o, session.roster().in_class(session.roster().index_of(&o.id).unwrap())).into_owned();
            let entry = last.entry(value).or_default();
            *entry = (*entry).max(h.map(|(_, l)| l));
        }
        let listed = |c: &str| spec.constituencies.as_ref()
            .and_then(|l| l.iter().position(|v| v == c)).unwrap_or(usize::MAX);
        let mut turn: BTreeMap<String, usize> = BTreeMap::new();
        let keys: Vec<_> = allocation.granted.iter().map(|g| {
            let c = of(g.request);
            let t = turn.entry(c.clone()).or_default();
            *t += 1;
            prop_assert_eq!(g.detail.as_deref(), Some(&*if c.is_empty() { format!("\"\": turn {t}") } else { format!("{c}: turn {t}") }));
            Ok((*t, last[&c], listed(&c), c))
        }).collect::<Result<_, TestCaseError>>()?;
        prop_assert!(keys.windows(2).all(|w| w[0] < w[1]), "{:?}", keys);
        prop_assert!(allocation.granted.iter().all(|g| g.reason == GrantReason::ConstituencyTurn));
    }

    /// Over a process with one slot per session and every constituency asking each time,
    /// the constituencies take turns in a fixed cycle (the history carried from session to
    /// session with `Allocation::record`).
    #[test]
    fn constituencies_take_turns_in_a_fixed_cycle(
        sizes in prop::collection::vec(1usize..4, 1..6),
        asking in prop::collection::vec(any::<u64>(), 18),
        spec in constituency_spec(),
        seed in any::<u64>(),
    ) {
        let mut spec = spec;
        spec.category = "tag:constituency".parse().unwrap();
        // Some named in the generated lists, so that the list breaks the first cycle's ties.
        let names: Vec<String> = ["tungo", "youngo", "bingo", "ringo", "engo"][..sizes.len()]
            .iter().map(|c| c.to_string()).collect();
        let organisations: Vec<Organisation> = sizes.iter().enumerate().flat_map(|(c, &n)| {
            let name = names[c].clone();
            (0..n).map(move |i| {
                let mut o = Organisation::new(format!("{name}_{i}"), "europe", Kind::Other);
                o.tags.insert("constituency".into(), name.clone());
                if i == 0 {
                    o.tags.insert("focal_point".into(), "true".into());
                }
                o
            })
        }).collect();
        let policy = policy::build(&Rule::ConstituencyRoundRobin(spec).description()).unwrap();
        let sessions = 3 * sizes.len();
        let mut history: Vec<HistoryEntry> = Vec::new();
        let mut cycle: Vec<String> = Vec::new();
        for (i, mask) in asking.iter().take(sessions).enumerate() {
            // A non-empty subset of each constituency's members asks.
            let requests: Vec<Request> = organisations.iter().enumerate()
                .filter(|&(j, o)| o.id.ends_with("_0") || mask >> (j % 64) & 1 == 1)
                .map(|(_, o)| Request::new(&o.id)).collect();
            let mut input = SessionInput::new(Session::new(format!("s{i}"), 1), organisations.clone(), requests);
            input.history = history.clone();
            let mut checked = input.check().unwrap();
            let allocation = policy.allocate_seeded(&checked, seed.wrapping_add(i as u64)).unwrap();
            prop_assert_eq!(allocation.granted.len(), 1);
            let speaker = &*allocation.granted[0].organisation;
            let constituency = speaker.split('_').next().unwrap().to_string();
            if i < sizes.len() {
                prop_assert!(!cycle.contains(&constituency), "{} twice in the first cycle", constituency);
                cycle.push(constituency);
            } else {
                prop_assert_eq!(&constituency, &cycle[i % sizes.len()], "session {}", i);
            }
            allocation.record(&mut checked, i as u32);
            let carried = checked.into_history();
            history = organisations.iter().enumerate().map(|(j, o)| {
                let r = carried.get(j);
                HistoryEntry { organisation: o.id.clone(), slots: r.slots, minutes: r.minutes, last_session: r.last_session }
            }).collect();
        }
    }

    /// Progressive stack: no organisation waits while one with a lower score is granted (nor
    /// while one of an equal score inscribed after it is); the granted speak in score order,
    /// equal scores in inscription order. Histories vary: never heard, heard in sessions 0–4.
    #[test]
    fn progressive_stack_never_grants_a_lower_score_while_a_higher_waits(
        input in session_input(),
        heard in prop::collection::vec(prop::option::of((1u32..4, 0u32..5)), 30),
        spec in progressive_stack_spec(),
        seed in any::<u64>(),
    ) {
        let mut input = input;
        input.history = input.organisations.iter().zip(&heard).map(|(o, h)| HistoryEntry {
            organisation: o.id.clone(),
            slots: h.map_or(0, |(s, _)| s),
            minutes: 0,
            last_session: h.map(|(_, l)| l),
        }).collect();
        let session = input.check().unwrap();
        let policy = policy::ProgressiveStack::new(spec.clone()).unwrap();
        let allocation = policy.allocate_seeded(&session, seed).unwrap();
        let position: BTreeMap<u32, usize> = session.inscription_order().iter().enumerate()
            .map(|(p, &r)| (r, p)).collect();
        // (−score, inscription position): the granted in increasing order.
        let key = |r: u32| (-stack_score(&spec, &session, r), position[&r]);
        let granted: Vec<(f64, usize)> = allocation.granted.iter().map(|g| key(g.request)).collect();
        prop_assert!(granted.windows(2).all(|w| w[0] < w[1]), "score order: {:?}", granted);
        for w in allocation.waitlisted.iter().filter(|w| w.reason != WaitReason::Duplicate) {
            let waits = key(w.request);
            prop_assert!(granted.iter().all(|g| *g < waits), "{} waits with a higher score", w.organisation);
        }
        prop_assert!(allocation.granted.iter().all(|g| g.reason == GrantReason::ProgressiveStack));
    }

    /// Alternation: reserved and open organisations alternate, reserved first, while both lists
    /// last; then the open list continues (soft) or the list stops (hard) when the reserved
    /// list runs out, and reserved organisations take the open positions when the open list
    /// runs out. Hard mode never grants an open organisation at a reserved position. With
    /// `within: inscription` each list gives its members in inscription order.
    #[test]
    fn alternation_alternates_reserved_first(
        input in session_input(),
        spec in alternation_spec(),
        seed in any::<u64>(),
    ) {
        let session = input.check().unwrap();
        let policy = policy::Alternation::new(spec.clone());
        let allocation = policy.allocate_seeded(&session, seed).unwrap();
        let (reserved, open) = alternation_lists(&spec, &session);
        let (mut from_reserved, mut from_open) = (Vec::new(), Vec::new());
        for (i, g) in allocation.granted.iter().enumerate() {
            let is_reserved = reserved.contains(&g.request);
            let expected = if i % 2 == 0 {
                if spec.mode == AlternationMode::Hard {
                    prop_assert!(is_reserved, "an open organisation at reserved position {}", i + 1);
                }
                from_reserved.len() < reserved.len()
            } else {
                from_open.len() == open.len()
            };
            prop_assert_eq!(is_reserved, expected, "position {}", i + 1);
            if is_reserved { from_reserved.push(g.request) } else { from_open.push(g.request) }
        }
        prop_assert_eq!(allocation.granted.len() as u64, alternation_count(&spec, &session));
        if spec.within == AlternationWithin::Inscription {
            prop_assert_eq!(&from_reserved[..], &reserved[..from_reserved.len()]);
            prop_assert_eq!(&from_open[..], &open[..from_open.len()]);
        }
        prop_assert!(allocation.granted.iter().all(|g| g.reason == GrantReason::Alternation));
    }

    /// The metrics of any allocation are finite or `None`, never NaN, and the simulator's
    /// one-pass counts agree with the full metrics.
    #[test]
    fn metrics_are_defined_or_none_and_agree(
        input in session_input(),
        spec in policy_spec(),
        seed in any::<u64>(),
    ) {
        use floorshare::metrics::{AllocationMetrics, SessionFigures};
        let session = input.clone().check().unwrap();
        let Ok(allocation) = policy::build(&spec.description()).unwrap().allocate_seeded(&session, seed) else {
            // An impossible chair range or infeasible quotas, tested above; no other error.
            prop_assert!(matches!(spec.rule, Rule::ChairDiscretion(_) | Rule::FairLottery(_)));
            return Ok(());
        };
        let m = AllocationMetrics::measure(&session, &allocation);
        let finite = |v: Option<f64>| v.is_none_or(f64::is_finite);
        for v in [m.loosemore_hanby, m.gallagher, m.sainte_lague_index, m.max_deviation,
                  m.region_entropy, m.late_share, m.themes_heard_share, m.region_selection_rate_ratio,
                  m.region_max_exposure_disparity] {
            prop_assert!(finite(v));
        }
        for g in m.by_region.values().chain(m.by_kind.values()).chain([&m.grassroots_class]) {
            for v in [g.selection_rate, g.slot_share, g.target_share, g.representation_ratio,
                      g.mean_position, g.exposure_share, g.exposure_disparity] {
                prop_assert!(finite(v));
            }
        }
        let f = SessionFigures::measure(&session, &allocation);
        let same = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(x), Some(y)) => (x - y).abs() < 1e-12,
            (x, y) => x == y,
        };
        prop_assert!(same(f.region_disproportionality().map(|d| d.gallagher), m.gallagher));
        // AllocationMetrics reads region_entropy, late_share and themes_heard_share from
        // SessionFigures: comparing the two compared a value with itself. Each is worked out
        // here from the input and the granted list instead.
        let n = allocation.granted.len() as f64;
        let mut by_region: BTreeMap<&str, f64> = BTreeMap::new();
        for g in &allocation.granted {
            *by_region.entry(region_of(&input, &g.organisation)).or_default() += 1.0;
        }
        let asking = requesters_by_region(&session).len() as f64;
        let entropy = (n > 0.0).then(|| if asking <= 1.0 {
            0.0
        } else {
            -by_region.values().map(|c| c / n * (c / n).ln()).sum::<f64>() / asking.ln()
        });
        prop_assert!(same(m.region_entropy, entropy), "{:?} vs {:?}", m.region_entropy, entropy);
        // Late: starting in the last fifth of the session (5·start ≥ 4·length).
        let late = input.session.length_minutes.filter(|_| n > 0.0).map(|length| {
            allocation.granted.iter()
                .filter(|g| 5 * u64::from(g.start_minute.unwrap()) >= 4 * u64::from(length))
                .count() as f64 / n
        });
        prop_assert!(same(m.late_share, late), "{:?} vs {:?}", m.late_share, late);
        let theme = |r: u32| input.requests[r as usize].theme.as_deref();
        let requested: BTreeSet<&str> = session.requesters().iter().filter_map(|&r| theme(r)).collect();
        let heard: BTreeSet<&str> = allocation.granted.iter().filter_map(|g| theme(g.request)).collect();
        let themes = (!requested.is_empty()).then(|| heard.len() as f64 / requested.len() as f64);
        prop_assert!(same(m.themes_heard_share, themes), "{:?} vs {:?}", m.themes_heard_share, themes);
        prop_assert!(same(f.class_slot_share(), m.grassroots_class.slot_share));
        prop_assert!(same(f.class_request_share(), m.grassroots_class.target_share));
        prop_assert!(same(f.class_mean_position(), m.grassroots_class.mean_position));
        // A kind without requesters has no row in by_kind: its share is 0 once anyone speaks.
        let ngo_share = m.by_kind.get("international_ngo").and_then(|g| g.slot_share);
        let ngo_share = ngo_share.or((!allocation.granted.is_empty()).then_some(0.0));
        prop_assert!(same(f.kind_slot_share(Kind::InternationalNgo), ngo_share));
    }

    /// Bad parameters are typed errors naming their field, never panics.
    #[test]
    fn bad_parameters_are_errors(
        bad in prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(-1.0), Just(0.0), -1e6f64..0.0, Just(1.0000001e12), Just(1e300)],
        share in prop_oneof![1.000001f64..1e9, -1e9f64..-1e-9, Just(f64::NAN)],
        weight in prop_oneof![-1e9f64..0.999999, Just(f64::NAN), Just(f64::INFINITY), Just(1e13)],
    ) {
        // Through the Rust constructors: NaN and infinities have no JSON form.
        let familiarity = ChairDiscretionSpec {
            familiarity: Some(BTreeMap::from([(Kind::Academia, bad)])), ..Default::default()
        };
        prop_assert_eq!(policy::ChairDiscretion::new(familiarity).unwrap_err().field().to_string(), "familiarity.academia");
        let weights = RegionalBalanceSpec {
            weights: RegionWeights::Explicit(BTreeMap::from([("asia".to_string(), bad)])), ..Default::default()
        };
        // Region weights go to exact apportionment: any positive finite number is valid.
        if bad.is_finite() && bad > 0.0 {
            prop_assert!(policy::RegionalBalance::new(weights).is_ok());
        } else {
            prop_assert_eq!(policy::RegionalBalance::new(weights).unwrap_err().field().to_string(), "weights.asia");
        }
        prop_assert_eq!(GrassrootsPriority::reserved(share).unwrap_err().field().to_string(), "share");
        prop_assert_eq!(GrassrootsPriority::weighted(weight).unwrap_err().field().to_string(), "weight");
        let mark = |weight| Mark { category: Category::Kind, value: "grassroots".into(), weight };
        let stack = |marks, recent_penalty| ProgressiveStackSpec {
            marks, recent_penalty, recent_sessions: 1,
        };
        prop_assert_eq!(policy::ProgressiveStack::new(stack(vec![], 0.0)).unwrap_err().field().to_string(), "marks");
        if !(bad.is_finite() && bad > 0.0) {
            prop_assert_eq!(
                policy::ProgressiveStack::new(stack(vec![mark(1.0), mark(bad)], 0.0)).unwrap_err().field().to_string(),
                "marks[1].weight"
            );
        }
        let penalty = -bad;
        if !(penalty.is_finite() && penalty <= 0.0) {
            prop_assert_eq!(
                policy::ProgressiveStack::new(stack(vec![mark(1.0)], penalty)).unwrap_err().field().to_string(),
                "recent_penalty"
            );
        }
    }

    /// Arbitrary bytes never panic the JSON reader.
    #[test]
    fn arbitrary_text_does_not_panic(text in ".{0,200}") {
        let _ = floorshare::interchange::AllocationInput::from_json_str(&text);
    }

    /// Structurally valid JSON with wrong values: a valid document whose value at a random
    /// place (any depth) is replaced by arbitrary JSON, or a document of the right shape made of
    /// arbitrary values. An allocation or a one-line error naming a field; never a panic.
    #[test]
    fn valid_json_with_wrong_values_is_an_error_or_an_allocation(
        input in session_input(),
        spec in policy_spec(),
        path in prop::collection::vec(any::<prop::sample::Index>(), 1..5),
        value in json_value(),
        parts in prop::collection::vec(json_value(), 5),
    ) {
        let mut document = serde_json::to_value(&input).unwrap();
        document["policy"] = serde_json::to_value(spec.description()).unwrap();
        document["seed"] = serde_json::json!(1);
        // Walk down `path` through objects and arrays and replace what is there.
        let mut pointer = String::new();
        let mut here = &document;
        for index in &path {
            let (key, next) = match here {
                serde_json::Value::Object(map) if !map.is_empty() => {
                    let (key, next) = map.iter().nth(index.index(map.len())).unwrap();
                    (key.replace('~', "~0").replace('/', "~1"), next)
                }
                serde_json::Value::Array(items) if !items.is_empty() => {
                    let i = index.index(items.len());
                    (i.to_string(), &items[i])
                }
                _ => break,
            };
            pointer.push('/');
            pointer.push_str(&key);
            here = next;
        }
        *document.pointer_mut(&pointer).unwrap() = value;
        let shaped = serde_json::json!({
            "session": parts[0], "organisations": parts[1], "requests": parts[2],
            "policy": parts[3], "seed": parts[4],
        });
        for document in [document, shaped] {
            match floorshare::interchange::AllocationInput::from_json(document) {
                Ok(job) => {
                    if let Err(err) = job.allocate() {
                        prop_assert!(!err.field().is_empty());
                    }
                }
                Err(err) => {
                    prop_assert!(!err.field().is_empty(), "{}", err);
                    prop_assert_eq!(err.to_string().lines().count(), 1, "{}", err);
                }
            }
        }
    }

    /// Valid documents with one field replaced by an extreme or ill-typed value: an error or
    /// an allocation, never a panic.
    #[test]
    fn documents_with_extreme_values_do_not_panic(
        input in session_input(),
        spec in policy_spec(),
        field in prop::sample::select(vec![
            "/session/slots", "/session/minutes_per_slot", "/session/length_minutes",
            "/session/chair/min_slots", "/session/chair/max_slots", "/policy/share",
            "/policy/weight", "/policy/min_slots", "/policy/max_slots", "/seed",
            "/requests/0/minutes", "/requests/0/order", "/organisations/0/id",
            "/policy/familiarity/international_ngo", "/policy/weights/asia",
            "/policy/marks/0/weight", "/policy/marks", "/policy/recent_penalty",
            "/policy/recent_sessions", "/policy/category", "/policy/value", "/policy/mode",
        ]),
        value in prop_oneof![
            Just(serde_json::json!(u64::MAX)), Just(serde_json::json!(u32::MAX)),
            Just(serde_json::json!(-1)), Just(serde_json::json!(0)), Just(serde_json::json!(1e308)),
            Just(serde_json::json!(5e-324)), Just(serde_json::json!("")), Just(serde_json::json!(null)),
            Just(serde_json::json!([])), Just(serde_json::json!({})), Just(serde_json::json!(0.5)),
        ],
    ) {
        let mut document = serde_json::to_value(&input).unwrap();
        document["policy"] = serde_json::to_value(spec.description()).unwrap();
        document["seed"] = serde_json::json!(1);
        if let Some(slot) = document.pointer_mut(field) {
            *slot = value;
        }
        if let Ok(job) = floorshare::interchange::AllocationInput::from_json(document) {
            let _ = job.allocate();
        }
    }
}
