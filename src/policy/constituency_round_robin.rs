//! `constituency_round_robin`: one turn per constituency, in full cycles, those heard longest
//! ago first.

use std::sync::{Arc, LazyLock};

use rand::Rng;
use serde::{Deserialize, Serialize};

use super::rotation::{Rank, fewest_then_least_recent};
use super::{Description, Policy};
use crate::decision::{Decision, GrantReason, Note, Pool, Rule, Step, WaitReason, Weighting};
use crate::lot;
use crate::model::{Category, CheckedSession};
use crate::{Error, ErrorKind, Result};

/// How `constituency_round_robin` picks inside a constituency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum WithinConstituency {
    /// Focal points (tag `focal_point` = `"true"`) first, by lot among them when there are
    /// several; then the other members by lot.
    #[default]
    FocalPoint,
    /// A uniform lot among the constituency's requesting organisations.
    Lottery,
    /// Inscription order.
    Inscription,
    /// The `rotation` ranking (`fewest_then_least_recent`), equal ranks by lot.
    Rotation,
}

/// Parameters of `constituency_round_robin`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConstituencyRoundRobinSpec {
    /// The category whose values are the constituencies (default `tag:constituency`).
    #[serde(default = "default_category")]
    pub category: Category,
    /// The order that breaks ties between constituencies heard equally recently; values not in
    /// it follow, sorted by name. When given, non-empty with distinct values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constituencies: Option<Vec<String>>,
    /// How a constituency picks its speakers (default `focal_point`).
    #[serde(default)]
    pub within: WithinConstituency,
}

fn default_category() -> Category {
    Category::Tag("constituency".into())
}

impl Default for ConstituencyRoundRobinSpec {
    fn default() -> Self {
        ConstituencyRoundRobinSpec {
            category: default_category(),
            constituencies: None,
            within: WithinConstituency::default(),
        }
    }
}

/// Constituency round robin: each constituency takes one turn, those heard longest ago first,
/// and a constituency speaks a second time only once every constituency with a waiting
/// requester has spoken.
///
/// **Practice.** UNFCCC observer constituencies (BINGO, ENGO, IPO, LGMA, RINGO, TUNGO, Women
/// and Gender, YOUNGO, Farmers) each "provide a focal point for communication with the
/// Secretariat", and constituencies "are given the chance to offer two minute interventions";
/// within YOUNGO, a speaker was chosen "by drawing lots among those who had not yet spoken"
/// (practitioners' accounts; no secretariat text on rotating slots among constituencies was
/// found). The HLPF's Major Groups and other Stakeholders coordinate "to ensure effective,
/// broad and balanced participation" (A/RES/67/290, para. 16), each group nominating its own
/// speakers through its organising partners. The round robin encodes the one turn per
/// constituency of these practices; the rotation formula between constituencies is an
/// assumption.
///
/// **Rule.** Constituencies are the values of `category` (default `tag:constituency`; an
/// organisation without the value is in the constituency `""`, an ordinary value). Order the
/// constituencies with a requesting organisation by the most recent session in which any of
/// their members spoke (counting every member in the history, requesting this session or
/// not): never heard first, then heard longest ago; ties by the order of `constituencies`,
/// values not in it following, sorted by name. Walk that order granting one slot to each
/// constituency with a requesting organisation not yet granted; repeat full cycles while
/// slots and such organisations remain. Inside a constituency, `within` picks:
/// - `focal_point` (default): focal points (tag `focal_point` = `"true"`) first — by lot when
///   there are several — then the other members by lot (two pools, each its own lot);
/// - `lottery`: a uniform lot among the members;
/// - `inscription`: inscription order;
/// - `rotation`: the `rotation` ranking (fewest slots, then never heard, then heard longest
///   ago), equal ranks by lot.
///
/// The granted speak in granting order. The shared stages (`order`, `time`,
/// `placement`) may follow.
///
/// **Draws**, constituency by constituency in their order, once the number of turns of each is
/// known: a pool of two or more members that gives at least one turn draws its winners
/// uniformly without replacement, in draw order (a partial Fisher–Yates shuffle of the pool
/// in inscription order); with `rotation`, each better rank that fits whole is shuffled and the
/// rank the turns cut through draws its winners.
///
/// **Reasons.** Granted `constituency_turn` (detail: the constituency and its turn, e.g.
/// `"women_and_gender: turn 1"`). Waitlisted `not_selected` when it was in a pool a lot drew
/// from inside its constituency and was not drawn; otherwise `capacity` (no turn left for its
/// constituency, or its constituency's turns went to members ranked or inscribed before it);
/// `duplicate` for a second request.
///
/// **Audit steps.** `constituency_order` (the constituencies with a requesting organisation,
/// in order); a `lot_drawn` for each lot inside a constituency (pool `focal_points`,
/// `other_members` — `constituency_members` when it has no focal point —, `constituency_members`
/// with `within: lottery`, or `tied_rank`, its size, weighting `uniform`, the
/// winners only); then `rule_applied` (rule `constituency_round_robin`) with the
/// organisations granted without a lot, in speaking order.
///
/// **Promise.** A constituency gets a second slot only when every constituency with a waiting
/// requester has one; over a process with one slot per session and every constituency asking
/// each time, the constituencies take turns in a fixed cycle.
///
/// # Example
///
/// ```
/// use floorshare::allocation::Allocate;
/// use floorshare::decision::GrantReason;
/// use floorshare::model::*;
/// use floorshare::policy::ConstituencyRoundRobin;
///
/// let member = |id: &str, constituency: &str| {
///     let mut o = Organisation::new(id, "global", Kind::InternationalNgo);
///     o.tags.insert("constituency".into(), constituency.into());
///     o
/// };
/// let organisations = vec![
///     member("y1", "youngo"), member("y2", "youngo"), member("w1", "women_and_gender"),
/// ];
/// let requests = organisations.iter().map(|o| Request::new(&o.id)).collect();
/// let input = SessionInput::new(Session::new("sb", 3), organisations, requests);
/// let allocation = ConstituencyRoundRobin::default().allocate_seeded(&input.check()?, 1)?;
/// // Both never heard: ties by name. Women and gender speak, then YOUNGO, then YOUNGO again.
/// let details: Vec<&str> =
///     allocation.granted.iter().map(|g| g.detail.as_deref().unwrap()).collect();
/// assert_eq!(details, ["women_and_gender: turn 1", "youngo: turn 1", "youngo: turn 2"]);
/// assert_eq!(allocation.granted[0].reason, GrantReason::ConstituencyTurn);
/// # Ok::<(), floorshare::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConstituencyRoundRobin {
    spec: ConstituencyRoundRobinSpec,
}

impl ConstituencyRoundRobin {
    /// The name in policy descriptions.
    pub const NAME: &'static str = "constituency_round_robin";

    /// Checks the parameters: `constituencies`, when given, is non-empty with distinct values.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::OutOfRange`] naming `constituencies` when it is empty;
    /// [`ErrorKind::DuplicateId`] naming `constituencies[i]` for a value repeated at `i`.
    pub fn new(spec: ConstituencyRoundRobinSpec) -> Result<Self> {
        if let Some(list) = &spec.constituencies {
            if list.is_empty() {
                return Err(Error::invalid(
                    "constituencies",
                    "[]",
                    "is empty (leave it out to order ties by name)",
                ));
            }
            for (i, value) in list.iter().enumerate() {
                if list[..i].contains(value) {
                    return Err(Error::invalid_as(
                        ErrorKind::DuplicateId,
                        format!("constituencies[{i}]"),
                        format_args!("{value:?}"),
                        "repeats an earlier constituency",
                    ));
                }
            }
        }
        Ok(ConstituencyRoundRobin { spec })
    }

    /// Builds the policy from its description (the registry's constructor).
    ///
    /// # Errors
    ///
    /// As [`Description::read`] for a parameter the policy does not take or cannot read
    /// (`category`, `constituencies`, `within`), and as
    /// [`ConstituencyRoundRobin::new`].
    pub fn from_description(description: &Description) -> Result<Box<dyn Policy>> {
        Ok(Box::new(Self::new(description.read()?)?))
    }

    /// The parameters.
    pub fn params(&self) -> &ConstituencyRoundRobinSpec {
        &self.spec
    }

    /// Position of `name` in the tie-breaking list (values not in it after every listed one).
    fn listed(&self, name: &str) -> u32 {
        self.spec
            .constituencies
            .as_deref()
            .and_then(|list| list.iter().position(|v| v == name))
            .map_or(u32::MAX, |p| p as u32)
    }

    /// The constituencies of this session into `s.groups`, in order of first requester, and
    /// their members into `s.members`: grouped, inscription order within, focal points before
    /// the others (a stable counting sort, so no sort by flag is needed after). `id(org)` is
    /// the value id of the organisation at roster index `org` (`names` the values); `focal`
    /// the ids of tag `focal_point` and the id of `"true"`.
    fn group(
        &self,
        s: &mut Scratch,
        session: &CheckedSession,
        names: &[Arc<str>],
        id: impl Fn(usize) -> u32,
        (flags, focal_point): (&[u32], u32),
    ) {
        let Scratch {
            local,
            groups,
            group_of,
            members,
            ..
        } = s;
        let requesters = session.requesters();
        groups.clear();
        group_of.clear();
        group_of.extend(requesters.iter().map(|&r| {
            let org = session.organisation_of(r as usize);
            let name = id(org);
            let mut g = local[name as usize];
            if g == NONE {
                g = groups.len() as u32;
                local[name as usize] = g;
                groups.push(Group {
                    name,
                    listed: self.listed(&names[name as usize]),
                    ..Group::default()
                });
            }
            let focal = flags.get(org) == Some(&focal_point);
            let group = &mut groups[g as usize];
            group.len += 1;
            group.split += u32::from(focal);
            g << 1 | u32::from(focal)
        }));
        let mut start = 0;
        for group in groups.iter_mut() {
            group.start = start;
            group.next = [start, start + group.split];
            start += group.len;
        }
        members.clear();
        members.resize(requesters.len(), 0);
        for (&r, &tagged) in requesters.iter().zip(group_of.iter()) {
            let group = &mut groups[(tagged >> 1) as usize];
            let next = &mut group.next[usize::from(tagged & 1 == 0)];
            members[*next as usize] = r;
            *next += 1;
        }
    }
}

/// Not a constituency of this session.
const NONE: u32 = u32::MAX;

/// The category of the focal-point flag (tag `focal_point`), built once rather than per session.
static FOCAL_POINT: LazyLock<Category> = LazyLock::new(|| Category::Tag("focal_point".into()));

/// A constituency with a requesting organisation.
#[derive(Debug, Clone, Default)]
struct Group {
    /// Its value id in the roster's values of the category.
    name: u32,
    /// The most recent session any member spoke in.
    last: Option<u32>,
    /// Its position in the policy's list.
    listed: u32,
    /// Its members: a range of [`Scratch::members`], granted ones first in turn order.
    start: u32,
    len: u32,
    /// Where the counting sort puts its next focal point and its next other member.
    next: [u32; 2],
    /// Turns it takes this session.
    turns: u32,
    /// Members (positions within the group) won in a lot: two ranges.
    by_lot: [(u32, u32); 2],
    /// Whether losers in the focal points (first) and in the rest (second) lost a lot; the
    /// first `split` members are the first pool (with `focal_point`, counted while grouping).
    lost_lot: [bool; 2],
    split: u32,
}

/// The buffers `constituency_round_robin` reuses from session to session.
#[derive(Debug, Default)]
struct Scratch {
    /// Value id → group of this session (or [`NONE`]); all [`NONE`] between sessions.
    local: Vec<u32>,
    groups: Vec<Group>,
    /// Each requester's group (by position in the requesters) shifted left by one, its
    /// focal-point flag in the low bit: read once, then reused by the counting sort (reading
    /// it back is cheaper than looking the organisation up again).
    group_of: Vec<u32>,
    /// Request indices grouped by constituency, inscription order within.
    members: Vec<u32>,
    /// Groups in walking order.
    order: Vec<u32>,
    /// Groups still taking turns.
    active: Vec<u32>,
    /// A constituency's members with their rotation rank (`within: rotation`).
    ranked: Vec<(Rank, u32)>,
    /// The requests granted without a lot, in speaking order.
    deterministic: Vec<u32>,
    /// The last order recorded, reused when it did not change.
    last_order: Option<Arc<[Arc<str>]>>,
}

impl Policy for ConstituencyRoundRobin {
    fn describe(&self) -> Description {
        Description::with_parameters(Self::NAME, &self.spec).expect("parameters are a struct")
    }

    fn select(
        &self,
        session: &CheckedSession,
        rng: &mut dyn Rng,
        decision: &mut Decision,
    ) -> Result<()> {
        let requesters = session.requesters();
        let roster = session.roster();
        let history = session.history();
        let k = (session.session().slots as usize).min(requesters.len());
        if k == 0 {
            decision.rule_applied(Rule::ConstituencyRoundRobin, []);
            let reason = if session.session().slots == 0 {
                "no slot in this session"
            } else {
                "no requester"
            };
            let wait = decision.wait_reason(WaitReason::Capacity, Note::Text(reason));
            for &r in requesters {
                decision.wait(r, wait);
            }
            return Ok(());
        }
        let mut scratch = decision.take_scratch::<Scratch>();
        let s = &mut *scratch;
        // Value ids kept by the roster: one integer per requester, no tag read, no hashing.
        // With `focal_point`, the ids of tag `focal_point` too (both read in one pass the first
        // time), and the id of "true" among them (none when no organisation is a focal point).
        let (values, flags) = match self.spec.within {
            WithinConstituency::FocalPoint => {
                let [values, flags] = roster.values([&self.spec.category, &FOCAL_POINT]);
                (values, Some(flags))
            }
            _ => {
                let [values] = roster.values([&self.spec.category]);
                (values, None)
            }
        };
        let names = values.names();
        let focal = flags
            .as_deref()
            .and_then(|flags| Some((flags.stored()?, flags.find("true")?)))
            .unwrap_or((&[], NONE));
        if s.local.len() < names.len() {
            s.local.resize(names.len(), NONE);
        }
        // One loop per way of reading ids, so that the loop itself does not branch on it.
        match values.stored() {
            Some(ids) => self.group(s, session, names, |org| ids[org], focal),
            None => self.group(s, session, names, |org| values.id(roster, org), focal),
        }
        // Recency: every member in the history, requesting or not.
        for (org, record) in history.records().iter().enumerate() {
            let Some(last) = record.last_session else {
                continue;
            };
            if org >= roster.len() {
                continue;
            }
            let g = s.local[values.id(roster, org) as usize];
            if g != NONE {
                let group = &mut s.groups[g as usize];
                group.last = group.last.max(Some(last));
            }
        }
        // The walking order: never heard first, then heard longest ago; the list; the name.
        s.order.clear();
        s.order.extend(0..s.groups.len() as u32);
        {
            let groups = &s.groups;
            s.order.sort_unstable_by(|&a, &b| {
                let (a, b) = (&groups[a as usize], &groups[b as usize]);
                (a.last, a.listed, &names[a.name as usize]).cmp(&(
                    b.last,
                    b.listed,
                    &names[b.name as usize],
                ))
            });
        }
        // Turns: t full cycles (Σ min(len, t) ≤ k, t largest), then one more for the first
        // constituencies in order that still have members, while slots remain.
        let total = |t: u32| -> usize {
            s.groups
                .iter()
                .map(|g| g.len.min(t) as usize)
                .sum::<usize>()
        };
        let (mut low, mut high) = (0u32, s.groups.iter().map(|g| g.len).max().unwrap_or(0));
        while low < high {
            let mid = low + (high - low).div_ceil(2);
            if total(mid) <= k {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        let cycles = low;
        let mut extra = k - total(cycles);
        for &g in &s.order {
            let group = &mut s.groups[g as usize];
            group.turns = group.len.min(cycles);
            if group.len > cycles && extra > 0 {
                group.turns += 1;
                extra -= 1;
            }
        }
        // The order step.
        let order = match &s.last_order {
            Some(last)
                if last.len() == s.order.len()
                    && last
                        .iter()
                        .zip(&s.order)
                        .all(|(a, &g)| *a == names[s.groups[g as usize].name as usize]) =>
            {
                last.clone()
            }
            _ => {
                let order: Arc<[Arc<str>]> = s
                    .order
                    .iter()
                    .map(|&g| names[s.groups[g as usize].name as usize].clone())
                    .collect();
                s.last_order = Some(order.clone());
                order
            }
        };
        decision.step(Step::ConstituencyOrder { order });
        // Inside each constituency: its granted members to the front, in turn order.
        for &g in &s.order {
            let group = &mut s.groups[g as usize];
            let turns = group.turns as usize;
            if turns == 0 {
                continue;
            }
            let members = &mut s.members[group.start as usize..(group.start + group.len) as usize];
            let len = members.len();
            match self.spec.within {
                WithinConstituency::Inscription => {}
                WithinConstituency::Lottery => {
                    group.split = len as u32;
                    if len > 1 {
                        lot::draw_to_front(rng, members, turns);
                        decision.lot_drawn(
                            Pool::ConstituencyMembers,
                            len,
                            Weighting::Uniform,
                            members[..turns].iter().copied(),
                        );
                        group.by_lot[0] = (0, turns as u32);
                        group.lost_lot[0] = true;
                    }
                }
                WithinConstituency::FocalPoint => {
                    // Focal points first already (the counting sort), each part in
                    // inscription order.
                    let focal = group.split as usize;
                    let from_focal = turns.min(focal);
                    if focal > 1 {
                        lot::draw_to_front(rng, &mut members[..focal], from_focal);
                        decision.lot_drawn(
                            Pool::FocalPoints,
                            focal,
                            Weighting::Uniform,
                            members[..from_focal].iter().copied(),
                        );
                        group.by_lot[0] = (0, from_focal as u32);
                        group.lost_lot[0] = true;
                    }
                    let from_others = turns - from_focal;
                    let others = len - focal;
                    if from_others > 0 && others > 1 {
                        lot::draw_to_front(rng, &mut members[focal..], from_others);
                        let pool = if focal == 0 {
                            Pool::ConstituencyMembers
                        } else {
                            Pool::OtherMembers
                        };
                        decision.lot_drawn(
                            pool,
                            others,
                            Weighting::Uniform,
                            members[focal..turns].iter().copied(),
                        );
                        group.by_lot[1] = (focal as u32, turns as u32);
                        group.lost_lot[1] = true;
                    }
                }
                WithinConstituency::Rotation => {
                    s.ranked.clear();
                    s.ranked.extend(members.iter().map(|&r| {
                        let record = history.get(session.organisation_of(r as usize));
                        (fewest_then_least_recent(record), r)
                    }));
                    // Stable: inscription order within a rank before the lots.
                    s.ranked.sort_by_key(|&(rank, _)| rank);
                    let cut = s.ranked[turns - 1].0;
                    let mut begin = 0;
                    while begin < len && s.ranked[begin].0 < cut {
                        let rank = s.ranked[begin].0;
                        let end = begin
                            + s.ranked[begin..]
                                .iter()
                                .take_while(|&&(r, _)| r == rank)
                                .count();
                        lot::draw_to_front(rng, &mut s.ranked[begin..end], end - begin);
                        begin = end;
                    }
                    let tied_end = begin
                        + s.ranked[begin..]
                            .iter()
                            .take_while(|&&(r, _)| r == cut)
                            .count();
                    let left = turns - begin;
                    lot::draw_to_front(rng, &mut s.ranked[begin..tied_end], left);
                    for (m, &(_, r)) in members.iter_mut().zip(&s.ranked) {
                        *m = r;
                    }
                    if tied_end - begin > left {
                        decision.lot_drawn(
                            Pool::TiedRank,
                            tied_end - begin,
                            Weighting::Uniform,
                            members[begin..turns].iter().copied(),
                        );
                        group.by_lot[0] = (begin as u32, turns as u32);
                        group.lost_lot[0] = true;
                    }
                    // Losers of the cut rank lost a lot; worse ranks wait for capacity.
                    group.split = tied_end as u32;
                }
            }
        }
        // The turns, in full cycles.
        s.active.clear();
        s.active.extend(
            s.order
                .iter()
                .copied()
                .filter(|&g| s.groups[g as usize].turns > 0),
        );
        let mut turn = 0;
        while !s.active.is_empty() {
            for &g in &s.active {
                let group = &s.groups[g as usize];
                decision.grant(
                    s.members[(group.start + turn) as usize],
                    GrantReason::ConstituencyTurn,
                    Note::ConstituencyTurn {
                        constituency: names[group.name as usize].clone(),
                        turn: turn + 1,
                    },
                );
            }
            turn += 1;
            let groups = &s.groups;
            s.active.retain(|&g| groups[g as usize].turns > turn);
        }
        // Granted without a lot, in speaking order.
        let mut turn = 0;
        s.deterministic.clear();
        s.active.clear();
        s.active.extend(
            s.order
                .iter()
                .copied()
                .filter(|&g| s.groups[g as usize].turns > 0),
        );
        while !s.active.is_empty() {
            for &g in &s.active {
                let group = &s.groups[g as usize];
                let won = group
                    .by_lot
                    .iter()
                    .any(|&(from, to)| (from..to).contains(&turn));
                if !won {
                    s.deterministic
                        .push(s.members[(group.start + turn) as usize]);
                }
            }
            turn += 1;
            let groups = &s.groups;
            s.active.retain(|&g| groups[g as usize].turns > turn);
        }
        decision.rule_applied(
            Rule::ConstituencyRoundRobin,
            s.deterministic.iter().copied(),
        );
        // Reasons to wait.
        let no_turn = decision.wait_reason(
            WaitReason::Capacity,
            Note::Text("no turn left for its constituency"),
        );
        let ahead = decision.wait_reason(
            WaitReason::Capacity,
            Note::Text("its constituency's turns went to members before it"),
        );
        let lost = decision.wait_reason(
            WaitReason::NotSelected,
            Note::Text("lost the lot inside its constituency"),
        );
        for group in &s.groups {
            let members = &s.members[group.start as usize..(group.start + group.len) as usize];
            for (i, &r) in members.iter().enumerate().skip(group.turns as usize) {
                let wait = if group.turns == 0 {
                    no_turn
                } else if (i < group.split as usize && group.lost_lot[0])
                    || (i >= group.split as usize && group.lost_lot[1])
                {
                    lost
                } else {
                    ahead
                };
                decision.wait(r, wait);
            }
        }
        for group in &s.groups {
            s.local[group.name as usize] = NONE;
        }
        decision.put_scratch(scratch);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::allocation::Allocate;
    use crate::model::*;

    /// Organisations (id, constituency, focal point), all asking, with (slots, last session)
    /// histories for the first ones.
    fn session(
        slots: u32,
        members: &[(&str, &str, bool)],
        history: &[(&str, u32, u32)],
    ) -> CheckedSession {
        session_asking(slots, members, members.len(), history)
    }

    /// As [`session`], only the first `asking` organisations asking.
    fn session_asking(
        slots: u32,
        members: &[(&str, &str, bool)],
        asking: usize,
        history: &[(&str, u32, u32)],
    ) -> CheckedSession {
        let organisations: Vec<Organisation> = members
            .iter()
            .map(|&(id, c, focal)| {
                let mut o = Organisation::new(id, "r", Kind::Other);
                if !c.is_empty() {
                    o.tags.insert("constituency".into(), c.into());
                }
                if focal {
                    o.tags.insert("focal_point".into(), "true".into());
                }
                o
            })
            .collect();
        let requests = organisations[..asking]
            .iter()
            .map(|o| Request::new(&o.id))
            .collect();
        let mut input = SessionInput::new(Session::new("s", slots), organisations, requests);
        input.history = history
            .iter()
            .map(|&(id, slots, last)| HistoryEntry {
                organisation: id.into(),
                slots,
                minutes: 3 * u64::from(slots),
                last_session: Some(last),
            })
            .collect();
        input.check().unwrap()
    }

    fn policy(value: serde_json::Value) -> Box<dyn Policy> {
        crate::policy::from_json(value).unwrap()
    }

    #[test]
    fn parameters_are_checked_naming_the_field() {
        let err = |value| crate::policy::from_json(value).unwrap_err().to_string();
        assert_eq!(
            err(serde_json::json!({"name": "constituency_round_robin", "constituencies": []})),
            "constituencies: [] is empty (leave it out to order ties by name)"
        );
        assert_eq!(
            err(serde_json::json!({"name": "constituency_round_robin",
                "constituencies": ["a", "b", "a"]})),
            r#"constituencies[2]: "a" repeats an earlier constituency"#
        );
        let e = crate::policy::from_json(
            serde_json::json!({"name": "constituency_round_robin", "category": "gender"}),
        )
        .unwrap_err();
        assert_eq!(e.field(), "category");
        assert!(!e.to_string().contains('\n'));
    }

    #[test]
    fn never_heard_first_then_longest_ago_then_the_list() {
        let members = [
            ("b1", "bingo", false),
            ("b2", "bingo", false),
            ("e1", "engo", false),
            ("y1", "youngo", false),
            ("n1", "", false),
        ];
        // ENGO spoke in session 3 through a member not asking now; BINGO in session 1.
        let mut all = members.to_vec();
        all.push(("e9", "engo", false));
        let checked = session_asking(6, &all, members.len(), &[("b1", 1, 1), ("e9", 1, 3)]);
        let a = policy(serde_json::json!({"name": "constituency_round_robin",
            "constituencies": ["youngo"], "within": "inscription"}))
        .allocate_seeded(&checked, 1)
        .unwrap();
        let speakers: Vec<&str> = a.granted.iter().map(|g| &*g.organisation).collect();
        // Never heard: youngo (listed), then "" (by name); then bingo (1), engo (3); bingo again.
        assert_eq!(speakers, ["y1", "n1", "b1", "e1", "b2"]);
        let steps = serde_json::to_value(&a.steps).unwrap();
        assert_eq!(steps[0]["step"], "constituency_order");
        assert_eq!(
            steps[0]["order"],
            serde_json::json!(["youngo", "", "bingo", "engo"])
        );
        assert_eq!(a.granted[1].detail.as_deref(), Some(r#""": turn 1"#));
        assert_eq!(a.granted[4].detail.as_deref(), Some("bingo: turn 2"));
    }

    #[test]
    fn focal_points_first_and_losers_by_pool() {
        let members = [
            ("w1", "women", false),
            ("w2", "women", true),
            ("w3", "women", true),
            ("w4", "women", false),
            ("f1", "farmers", false),
            ("f2", "farmers", false),
        ];
        let a = ConstituencyRoundRobin::default()
            .allocate_seeded(&session(2, &members, &[]), 9)
            .unwrap();
        let speakers: Vec<&str> = a.granted.iter().map(|g| &*g.organisation).collect();
        assert!(speakers[0].starts_with('f'));
        assert!(speakers[1] == "w2" || speakers[1] == "w3", "{speakers:?}");
        for w in a.waitlisted.iter() {
            let expected = match w.organisation {
                // Lost the lot among focal points, or among the farmers.
                "w2" | "w3" | "f1" | "f2" => WaitReason::NotSelected,
                // The other members of women were never drawn from.
                _ => WaitReason::Capacity,
            };
            assert_eq!(w.reason, expected, "{}", w.organisation);
        }
        let pools: Vec<String> = serde_json::to_value(&a.steps)
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["step"] == "lot_drawn")
            .map(|s| format!("{}/{}", s["pool"].as_str().unwrap(), s["size"]))
            .collect();
        assert_eq!(pools, ["constituency_members/2", "focal_points/2"]);
    }

    #[test]
    fn rotation_within_ranks_members() {
        let members = [("a", "c", false), ("b", "c", false), ("d", "c", false)];
        let a =
            policy(serde_json::json!({"name": "constituency_round_robin", "within": "rotation"}))
                .allocate_seeded(&session(2, &members, &[("a", 2, 0), ("b", 1, 1)]), 3)
                .unwrap();
        let speakers: Vec<&str> = a.granted.iter().map(|g| &*g.organisation).collect();
        assert_eq!(speakers, ["d", "b"]);
        assert_eq!(a.waitlisted.get(0).unwrap().reason, WaitReason::Capacity);
    }

    #[test]
    fn no_slot_means_capacity_for_everyone() {
        let a = ConstituencyRoundRobin::default()
            .allocate_seeded(&session(0, &[("a", "x", true)], &[]), 1)
            .unwrap();
        assert!(a.granted.is_empty());
        assert_eq!(a.waitlisted.get(0).unwrap().reason, WaitReason::Capacity);
    }
}
