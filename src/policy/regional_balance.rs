//! `regional_balance`: apportioned regional quotas.

use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

use rand::Rng;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{Description, Policy};
use crate::apportion::{self, Method};
use crate::decision::{
    Decision, GrantReason, Note, Pool, QuotaLine, Rule, Step, WaitReason, Weighting,
};
use crate::lot;
use crate::model::CheckedSession;
use crate::{Error, ErrorKind, Result};

/// How regions are weighted by `regional_balance`.
///
/// JSON: `"equal"`, `"requests"`, or an object region → positive number.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub enum RegionWeights {
    /// Every requesting region weighs the same.
    #[default]
    Equal,
    /// A region weighs its number of requesting organisations.
    Requests,
    /// Explicit weights; a requesting region missing from the map is an error, a mapped
    /// region with no requests is ignored.
    Explicit(BTreeMap<String, f64>),
}

impl Serialize for RegionWeights {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            RegionWeights::Equal => serializer.serialize_str("equal"),
            RegionWeights::Requests => serializer.serialize_str("requests"),
            RegionWeights::Explicit(map) => map.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for RegionWeights {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = RegionWeights;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(r#""equal", "requests" or a map region → positive number"#)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<RegionWeights, E> {
                match v {
                    "equal" => Ok(RegionWeights::Equal),
                    "requests" => Ok(RegionWeights::Requests),
                    other => Err(E::invalid_value(serde::de::Unexpected::Str(other), &self)),
                }
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<RegionWeights, A::Error> {
                BTreeMap::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(RegionWeights::Explicit)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// How `regional_balance` picks within a region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum WithinRegion {
    /// A uniform lottery among the region's requesting organisations.
    #[default]
    Lottery,
    /// Inscription order.
    Order,
    /// The grassroots class by lottery, then the rest by lottery.
    GrassrootsFirst,
}

/// Parameters of `regional_balance`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionalBalanceSpec {
    /// Region weights (default `equal`).
    #[serde(default)]
    pub weights: RegionWeights,
    /// Apportionment method (default `sainte_lague`).
    #[serde(default)]
    pub method: Method,
    /// Pick rule within a region (default `lottery`).
    #[serde(default)]
    pub within_region: WithinRegion,
}

/// Apportioned regional quotas: the slots are shared among the regions that asked, so that no
/// region's voice depends on being in New York or Geneva.
///
/// **Practice.** The seven regional civil-society consultations of 2017 and the regional focal
/// points of the 2018 negotiation rounds, which raised issues that would otherwise have stayed
/// silent (climate change, raised by the Pacific representative; GCM 2017–2018); regional
/// repartition of speaking slots in UN bodies (a Human Rights Council secretariat non-paper on
/// the Universal Periodic Review speakers' list, never adopted, divided its 60 slots by
/// regional group: Africa 17, Asia 17, Eastern Europe 8, Latin America and the Caribbean 10,
/// Western Europe and others 9; reported by UPR Info,
/// <https://upr-info.org/en/news/new-proposal-registration-upr-speakers-list>).
///
/// **Rule.**
/// 1. *Quotas.* The `slots` are apportioned among the regions that have requesting
///    organisations with `method` (default Sainte-Laguë) over region weights: `equal`
///    (default), `requests` (the number of requesting organisations), or an explicit map
///    region → positive number (a requesting region missing from it is an error naming it; a
///    mapped region with no requests is ignored).
/// 2. *Caps.* A region whose share reaches its number of requesting organisations is capped
///    at that number, and the slots still free are apportioned again among the regions not yet
///    capped; repeated until no region is newly capped. With explicit weights and more
///    requesting organisations than its share in every region, nothing is capped and the
///    quotas are exactly the apportionment of the weights. When there are at least as many
///    slots as requesting organisations, everyone speaks without an apportionment.
/// 3. *Within a region*: `lottery` (default, uniform), `order` (inscription order) or
///    `grassroots_first` (the grassroots class by lottery, then the rest by lottery).
/// 4. *Speaking order*: at each position, the region with the most granted speakers still to
///    place, other than the previous speaker's region whenever another region has speakers
///    left; ties by a region order drawn by lot; within a region, its pick order. So no two
///    consecutive speakers share a region when that is possible.
///
/// **Draws**, in order: apportionment ties (only when one changes the result); each region's
/// picks, regions by name; the region order for speaking.
///
/// **Reasons.** Granted `regional_quota` (detail `"europe: 1 of 2"`, plus `"(tie broken by
/// lot)"` when an apportionment tie that changed the result involved the region). Waitlisted
/// `not_selected` when a draw decided: the within-region lottery, or a tie on the quotas that
/// the region lost by lot (detail `"europe: quota 1 filled"`, `"europe: lost the lot for a slot"`); `capacity`
/// when the rule alone did: inscription `order` within the region, no slot apportioned to it
/// (`"europe: no slot apportioned"`), or, with `grassroots_first`, the class filled the
/// region's quota before the others' draw.
///
/// **Promise** (equal weights): if region a has a requesting organisation not granted, then
/// granted(a) ≥ granted(b) − 1 for every region b.
///
/// # Example
///
/// ```
/// use floorshare::allocation::Allocate;
/// use floorshare::model::*;
/// use floorshare::policy::RegionalBalance;
///
/// let organisations = vec![
///     Organisation::new("ny1", "north_america", Kind::InternationalNgo),
///     Organisation::new("ny2", "north_america", Kind::InternationalNgo),
///     Organisation::new("ge1", "europe", Kind::InternationalNgo),
///     Organisation::new("suva", "pacific", Kind::Grassroots),
/// ];
/// let requests = organisations.iter().map(|o| Request::new(&o.id)).collect();
/// let session = SessionInput::new(Session::new("ts2", 3), organisations, requests)
/// .check()?;
/// let allocation = RegionalBalance::default().allocate_seeded(&session, 3)?;
/// // One speaker from each of the three regions, Pacific included.
/// assert_eq!(allocation.granted.len(), 3);
/// assert!(allocation.granted.iter().any(|g| &*g.organisation == "suva"));
/// # Ok::<(), floorshare::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RegionalBalance {
    spec: RegionalBalanceSpec,
}

impl RegionalBalance {
    /// The name in policy descriptions.
    pub const NAME: &'static str = "regional_balance";

    /// Builds the policy from its description (the registry's constructor).
    ///
    /// # Errors
    ///
    /// As [`Description::read`] for a parameter the policy does not take or cannot read (`method`,
    /// `weights`, `within_region`), named relative to the description; then as
    /// [`RegionalBalance::new`].
    pub fn from_description(description: &Description) -> Result<Box<dyn Policy>> {
        Ok(Box::new(Self::new(description.read()?)?))
    }

    /// Checks the parameters: explicit weights positive and finite (errors name
    /// `weights.<region>`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::OutOfRange`] naming `weights.<region>` when an explicit weight is not
    /// positive and finite.
    pub fn new(spec: RegionalBalanceSpec) -> Result<Self> {
        if let RegionWeights::Explicit(map) = &spec.weights {
            for (region, &weight) in map {
                if !(weight > 0.0 && weight.is_finite()) {
                    return Err(Error::invalid(
                        format!("weights.{region}"),
                        weight,
                        "is not a positive finite number",
                    ));
                }
            }
        }
        Ok(RegionalBalance { spec })
    }

    /// Equal weights with `method` and lottery within regions.
    pub fn with_method(method: Method) -> Self {
        RegionalBalance {
            spec: RegionalBalanceSpec {
                method,
                ..RegionalBalanceSpec::default()
            },
        }
    }

    /// The parameters.
    pub fn params(&self) -> &RegionalBalanceSpec {
        &self.spec
    }

    /// Each requesting region's quota (`scratch.quota`), capped by its number of requesting
    /// organisations, and whether a lot decided part of it (`scratch.by_lot`: an apportionment
    /// tie that changed the result); the apportionments, caps and ties are recorded as steps.
    fn quotas(
        &self,
        session: &CheckedSession,
        scratch: &mut Scratch,
        rng: &mut dyn Rng,
        decision: &mut Decision,
    ) -> Result<()> {
        let regions = session.roster().regions();
        let slots = session.session().slots;
        let Scratch {
            asking,
            counts,
            weights,
            quota,
            by_lot,
            lost_lot,
            capped,
            open,
            open_weights,
            workspace,
            shares,
            ..
        } = scratch;
        weights.clear();
        match &self.spec.weights {
            RegionWeights::Equal => weights.resize(counts.len(), 1.0),
            RegionWeights::Requests => weights.extend(counts.iter().map(|&c| c as f64)),
            RegionWeights::Explicit(map) => {
                for &g in asking.iter() {
                    let name = &*regions[g as usize];
                    let weight =
                        map.get(name)
                            .copied()
                            .ok_or_else(|| Error::MissingRegionWeight {
                                field: "policy.weights".into(),
                                region: name.to_string(),
                            })?;
                    weights.push(weight);
                }
            }
        }
        quota.clear();
        quota.resize(counts.len(), 0);
        by_lot.clear();
        by_lot.resize(counts.len(), false);
        lost_lot.clear();
        lost_lot.resize(counts.len(), false);
        let requesters: usize = counts.iter().sum();
        if slots as usize >= requesters {
            // Everyone is capped at once: every requesting organisation speaks.
            for (q, &c) in quota.iter_mut().zip(counts.iter()) {
                *q = c as u32;
            }
            decision.rule_applied(Rule::EveryoneFits, []);
            return Ok(());
        }
        capped.clear();
        capped.resize(counts.len(), false);
        let mut free = slots;
        let mut round = 0;
        while free > 0 {
            round += 1;
            open.clear();
            open.extend((0..counts.len()).filter(|&r| !capped[r]));
            open_weights.clear();
            open_weights.extend(open.iter().map(|&r| weights[r]));
            apportion::apportion_into(self.spec.method, open_weights, free, rng, workspace, shares)
                .map_err(|_| {
                    Error::invalid_as(
                        ErrorKind::TooLarge,
                        "session.slots",
                        slots,
                        format!(
                            "is more than {}, the most slots apportioned exactly",
                            apportion::MAX_UNITS
                        ),
                    )
                })?;
            let shares = &*shares;
            let lines =
                decision.push_quota_lines(open.iter().zip(&shares.seats).map(|(&r, &units)| {
                    QuotaLine {
                        region: asking[r],
                        weight: weights[r],
                        units,
                    }
                }));
            decision.step(Step::QuotaComputed {
                method: self.spec.method,
                round,
                units: free,
                lines,
            });
            let reaches_cap = |i: usize| shares.seats[i] as usize >= counts[open[i]];
            let last_round = !(0..open.len()).any(reaches_cap);
            for tie in &shares.ties {
                // In the last round a tie decides quotas; in a capping round, only when the
                // contested unit is what capped a winner.
                let mattered = last_round
                    || tie
                        .winners
                        .iter()
                        .any(|&w| shares.seats[w] as usize == counts[open[w]]);
                if mattered {
                    for &g in &tie.groups {
                        by_lot[open[g]] = true;
                        lost_lot[open[g]] |= !tie.winners.contains(&g);
                    }
                    let tied = decision.push_indices(tie.groups.iter().map(|&g| asking[open[g]]));
                    let winners =
                        decision.push_indices(tie.winners.iter().map(|&g| asking[open[g]]));
                    decision.step(Step::TieBrokenByLot {
                        regions: tied,
                        winners,
                        units: tie.units,
                    });
                }
            }
            if last_round {
                for (&r, &s) in open.iter().zip(&shares.seats) {
                    quota[r] = s;
                }
                break;
            }
            for (i, &r) in open.iter().enumerate() {
                if reaches_cap(i) {
                    capped[r] = true;
                    quota[r] = counts[r] as u32;
                    free -= counts[r] as u32;
                    decision.step(Step::CapApplied {
                        region: asking[r],
                        cap: counts[r] as u32,
                    });
                }
            }
        }
        Ok(())
    }
}

impl Policy for RegionalBalance {
    fn describe(&self) -> Description {
        Description::with_parameters(Self::NAME, &self.spec).expect("parameters are a struct")
    }

    fn select(
        &self,
        session: &CheckedSession,
        rng: &mut dyn Rng,
        decision: &mut Decision,
    ) -> Result<()> {
        let mut scratch = decision.take_scratch::<Scratch>();
        let result = self.select_with(session, rng, decision, &mut scratch);
        decision.put_scratch(scratch);
        result
    }
}

impl RegionalBalance {
    fn select_with(
        &self,
        session: &CheckedSession,
        rng: &mut dyn Rng,
        decision: &mut Decision,
        scratch: &mut Scratch,
    ) -> Result<()> {
        let roster = session.roster();
        let region_of = |r: u32| roster.region_of(session.organisation_of(r as usize));
        // Requesting organisations grouped by region (regions in name order, the roster's),
        // each region in inscription order, in one buffer.
        let regions = roster.regions().len();
        let ranges = &mut scratch.ranges;
        ranges.clear();
        ranges.resize(regions, 0..0);
        for &r in session.requesters() {
            ranges[region_of(r)].end += 1;
        }
        let mut start = 0;
        for range in ranges.iter_mut() {
            let len = range.end;
            *range = start..start;
            start += len;
        }
        scratch.items.clear();
        scratch.items.resize(start, 0);
        // With grassroots first, each item's class beside it, read once here in request order
        // rather than at random later.
        let with_class = self.spec.within_region == WithinRegion::GrassrootsFirst;
        scratch.in_class.clear();
        scratch
            .in_class
            .resize(if with_class { start } else { 0 }, false);
        for &r in session.requesters() {
            let org = session.organisation_of(r as usize);
            let range = &mut ranges[roster.region_of(org)];
            scratch.items[range.end] = r;
            if with_class {
                scratch.in_class[range.end] = roster.in_class(org);
            }
            range.end += 1;
        }
        scratch.asking.clear();
        scratch
            .asking
            .extend((0..regions as u32).filter(|&g| !ranges[g as usize].is_empty()));
        scratch.counts.clear();
        scratch.counts.extend(
            scratch
                .asking
                .iter()
                .map(|&g| scratch.ranges[g as usize].len()),
        );
        self.quotas(session, scratch, rng, decision)?;

        // Each region's picks, in pick order, at the front of its range.
        let Scratch {
            items,
            ranges,
            asking,
            quota,
            by_lot,
            lost_lot,
            tmp,
            others,
            in_class,
            lot_order,
            heap: heap_memory,
            next_of,
            class_took,
            ..
        } = &mut *scratch;
        class_took.clear();
        class_took.resize(asking.len(), 0);
        for (i, &g) in asking.iter().enumerate() {
            let candidates = &mut items[ranges[g as usize].clone()];
            let q = quota[i] as usize;
            match self.spec.within_region {
                WithinRegion::Lottery => {
                    let n = lot::draw_to_front(rng, candidates, q);
                    decision.lot_drawn(
                        Pool::Region(g),
                        candidates.len(),
                        Weighting::Uniform,
                        candidates[..n].iter().copied(),
                    );
                }
                WithinRegion::Order => {
                    if q > 0 {
                        decision.rule_applied(
                            Rule::InscriptionOrderInRegion(g),
                            candidates[..q].iter().copied(),
                        );
                    }
                }
                WithinRegion::GrassrootsFirst => {
                    // Stable partition: the class first, each part in inscription order.
                    let flags = &mut in_class[ranges[g as usize].clone()];
                    tmp.clear();
                    others.clear();
                    for (&r, &member) in candidates.iter().zip(flags.iter()) {
                        if member {
                            tmp.push(r);
                        } else {
                            others.push(r);
                        }
                    }
                    let (class, rest) = (&mut tmp[..], &mut others[..]);
                    let from_class = lot::draw_to_front(rng, class, q);
                    let from_rest = lot::draw_to_front(rng, rest, q - from_class);
                    class_took[i] = from_class as u32;
                    for (pool, members, drawn) in [
                        (Pool::ClassInRegion(g), &*class, from_class),
                        (Pool::OthersInRegion(g), &*rest, from_rest),
                    ] {
                        decision.lot_drawn(
                            pool,
                            members.len(),
                            Weighting::Uniform,
                            members[..drawn].iter().copied(),
                        );
                    }
                    // The region's picks first, then everyone else of the region.
                    let reordered = (class[..from_class].iter().map(|&r| (r, true)))
                        .chain(rest[..from_rest].iter().map(|&r| (r, false)))
                        .chain(class[from_class..].iter().map(|&r| (r, true)))
                        .chain(rest[from_rest..].iter().map(|&r| (r, false)));
                    for ((slot, flag), (r, member)) in
                        candidates.iter_mut().zip(flags.iter_mut()).zip(reordered)
                    {
                        *slot = r;
                        *flag = member;
                    }
                }
            }
        }

        // Speaking order: most speakers left first, never the previous region when avoidable,
        // ties by a region order drawn by lot.
        lot_order.clear();
        lot_order.extend((0..asking.len()).filter(|&i| quota[i] > 0));
        let len = lot_order.len();
        lot::draw_to_front(rng, lot_order, len);
        if len > 1 {
            let order = decision.push_indices(lot_order.iter().map(|&i| asking[i]));
            decision.step(Step::RegionOrderDrawn { order });
        }
        next_of.clear();
        next_of.resize(asking.len(), 0);
        crate::stage::interleave(
            lot_order.iter().map(|&i| (quota[i], i as u32)),
            heap_memory,
            |i| {
                let i = i as usize;
                let k = next_of[i];
                next_of[i] += 1;
                let g = asking[i];
                decision.grant(
                    items[ranges[g as usize].start + k],
                    GrantReason::RegionalQuota,
                    Note::RegionTurn {
                        region: g,
                        turn: k as u32 + 1,
                        quota: quota[i],
                        tie_by_lot: by_lot[i],
                    },
                );
            },
        );

        // One rule for every wait: `not_selected` if and only if the organisation was in a pool a
        // lot drew from — a tie lot its region lost, or a draw within the region that had
        // a slot to give — and `capacity` otherwise (inscription order, no slot apportioned,
        // or the class filled the region's quota before the others' draw).
        for (i, &g) in asking.iter().enumerate() {
            let note = Note::RegionWait {
                region: g,
                quota: quota[i],
                by_lot: by_lot[i],
            };
            let wait = |drawn: bool, decision: &mut Decision| {
                // A region that lost a tie lost a lot: every member waiting was in its pool.
                let reason = if lost_lot[i] || drawn {
                    WaitReason::NotSelected
                } else {
                    WaitReason::Capacity
                };
                decision.wait_reason(reason, note.clone())
            };
            let (class_wait, others_wait) = match self.spec.within_region {
                WithinRegion::Order => {
                    let w = wait(false, decision);
                    (w, w)
                }
                WithinRegion::Lottery => {
                    let w = wait(quota[i] > 0, decision);
                    (w, w)
                }
                WithinRegion::GrassrootsFirst => (
                    wait(quota[i] > 0, decision),
                    wait(quota[i] > class_took[i], decision),
                ),
            };
            let range = ranges[g as usize].clone();
            if class_wait == others_wait {
                for &r in &items[range] {
                    decision.wait(r, class_wait);
                }
            } else {
                for (&r, &member) in items[range.clone()].iter().zip(&in_class[range]) {
                    decision.wait(r, if member { class_wait } else { others_wait });
                }
            }
        }
        Ok(())
    }
}

/// The buffers `regional_balance` reuses from session to session. Regions are indexed two
/// ways: `g` in the roster's regions, `i` among the regions that asked (`asking[i] = g`).
#[derive(Debug, Default)]
struct Scratch {
    /// Requesting organisations grouped by region; a region's picks come first in its range.
    items: Vec<u32>,
    /// Each roster region's range of `items`.
    ranges: Vec<Range<usize>>,
    /// Roster regions with requesting organisations.
    asking: Vec<u32>,
    /// Requesting organisations per asking region.
    counts: Vec<usize>,
    /// Weight per asking region.
    weights: Vec<f64>,
    /// Quota per asking region.
    quota: Vec<u32>,
    /// Whether a lot decided part of an asking region's quota.
    by_lot: Vec<bool>,
    /// Whether an asking region lost a contested unit in such a lot.
    lost_lot: Vec<bool>,
    /// Whether an asking region is capped.
    capped: Vec<bool>,
    /// Asking regions not capped yet, and their weights.
    open: Vec<usize>,
    open_weights: Vec<f64>,
    /// A region's class members and other members (grassroots first).
    tmp: Vec<u32>,
    others: Vec<u32>,
    /// Whether each of `items` is in the grassroots class (grassroots first only).
    in_class: Vec<bool>,
    /// Asking regions with a quota, in the drawn order.
    lot_order: Vec<usize>,
    /// The speaking-order queue's memory.
    heap: Vec<(u32, Reverse<u32>, u32)>,
    /// Per asking region, how many of its picks have spoken.
    next_of: Vec<usize>,
    /// Per asking region, the slots its grassroots class took (grassroots first).
    class_took: Vec<u32>,
    /// The apportionment's working memory and result.
    workspace: apportion::Workspace,
    shares: apportion::Apportionment,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::allocation::{Allocate, Allocation};
    use crate::model::*;
    use std::collections::BTreeMap;

    /// `counts[i]` requesting organisations in region `r{i}`; the first of each is grassroots.
    fn session(counts: &[usize], slots: u32) -> CheckedSession {
        let mut organisations = Vec::new();
        for (g, &n) in counts.iter().enumerate() {
            for i in 0..n {
                let kind = if i == 0 {
                    Kind::Grassroots
                } else {
                    Kind::InternationalNgo
                };
                organisations.push(Organisation::new(
                    format!("r{g}-{i}"),
                    format!("r{g}"),
                    kind,
                ));
            }
        }
        let requests = organisations.iter().map(|o| Request::new(&o.id)).collect();
        SessionInput::new(Session::new("s", slots), organisations, requests)
            .check()
            .unwrap()
    }

    fn granted_by_region(allocation: &Allocation) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for g in &allocation.granted {
            let region = g.organisation.split('-').next().unwrap().to_string();
            *counts.entry(region).or_insert(0) += 1;
        }
        counts
    }

    #[test]
    fn caps_spill_to_regions_with_more_requests() {
        // Equal weights, 7 slots, one region with a single requester.
        let allocation = RegionalBalance::default()
            .allocate_seeded(&session(&[1, 5, 5], 7), 1)
            .unwrap();
        let counts = granted_by_region(&allocation);
        assert_eq!(counts["r0"], 1);
        assert_eq!(counts["r1"] + counts["r2"], 6);
        assert!(counts["r1"].abs_diff(counts["r2"]) <= 1);
    }

    #[test]
    fn speaking_order_alternates_regions_when_possible() {
        for seed in 0..20 {
            let allocation = RegionalBalance::default()
                .allocate_seeded(&session(&[4, 4, 1], 7), seed)
                .unwrap();
            let regions: Vec<&str> = allocation
                .granted
                .iter()
                .map(|g| g.organisation.split('-').next().unwrap())
                .collect();
            assert_eq!(regions.len(), 7);
            assert!(regions.windows(2).all(|w| w[0] != w[1]), "{regions:?}");
        }
    }

    #[test]
    fn grassroots_first_picks_the_class_before_the_rest() {
        for seed in 0..10 {
            let allocation = RegionalBalance::new(RegionalBalanceSpec {
                within_region: WithinRegion::GrassrootsFirst,
                ..Default::default()
            })
            .unwrap()
            .allocate_seeded(&session(&[5, 5], 2), seed)
            .unwrap();
            let mut ids: Vec<&str> = allocation
                .granted
                .iter()
                .map(|g| &*g.organisation)
                .collect();
            ids.sort();
            assert_eq!(ids, ["r0-0", "r1-0"]);
        }
    }

    #[test]
    fn order_within_region_keeps_inscription_order_and_says_capacity() {
        let allocation = RegionalBalance::new(RegionalBalanceSpec {
            within_region: WithinRegion::Order,
            ..Default::default()
        })
        .unwrap()
        .allocate_seeded(&session(&[3, 3], 4), 9)
        .unwrap();
        let mut ids: Vec<&str> = allocation
            .granted
            .iter()
            .map(|g| &*g.organisation)
            .collect();
        ids.sort();
        assert_eq!(ids, ["r0-0", "r0-1", "r1-0", "r1-1"]);
        assert!(
            allocation
                .waitlisted
                .iter()
                .all(|w| w.reason == WaitReason::Capacity)
        );
        assert_eq!(
            allocation.waitlisted.get(0).unwrap().detail,
            Some("r0: quota 2 filled")
        );
    }

    #[test]
    fn explicit_weights_must_cover_requesting_regions() {
        let spec = RegionalBalanceSpec {
            weights: RegionWeights::Explicit(BTreeMap::from([
                ("r0".to_string(), 2.0),
                ("elsewhere".to_string(), 9.0),
            ])),
            ..Default::default()
        };
        let err = RegionalBalance::new(spec)
            .unwrap()
            .allocate_seeded(&session(&[2, 2], 2), 1)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"policy.weights: no weight for requesting region "r1""#
        );
        let spec = RegionalBalanceSpec {
            weights: RegionWeights::Explicit(BTreeMap::from([("r0".to_string(), -2.0)])),
            ..Default::default()
        };
        assert_eq!(
            RegionalBalance::new(spec).unwrap_err().field(),
            "weights.r0"
        );
    }

    #[test]
    fn ties_are_broken_by_lot_and_said() {
        // Three regions of equal weight, one slot: a tie that the lot breaks.
        let allocation = RegionalBalance::default()
            .allocate_seeded(&session(&[2, 2, 2], 1), 5)
            .unwrap();
        assert_eq!(allocation.granted.len(), 1);
        let detail = allocation.granted[0].detail.as_deref().unwrap();
        assert!(detail.ends_with("1 of 1 (tie broken by lot)"), "{detail}");
        let winners: std::collections::BTreeSet<String> = (0..30)
            .map(|seed| {
                let a = RegionalBalance::default()
                    .allocate_seeded(&session(&[2, 2, 2], 1), seed)
                    .unwrap();
                a.granted[0]
                    .organisation
                    .split('-')
                    .next()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(winners.len(), 3, "every region can win the lot");
    }
    #[test]
    fn caps_follow_the_spec_loop_even_for_hamilton() {
        // Weights 1, 6, 6 and 1, 4, 5 requesters, 8 slots: Hamilton gives r1 its 4 requesters
        // (capped), then apportions the 4 slots left between r0 and r2 (weights 1 and 6): 1, 3.
        let spec = RegionalBalanceSpec {
            weights: RegionWeights::Explicit(BTreeMap::from([
                ("r0".to_string(), 1.0),
                ("r1".to_string(), 6.0),
                ("r2".to_string(), 6.0),
            ])),
            method: Method::Hamilton,
            ..Default::default()
        };
        let allocation = RegionalBalance::new(spec)
            .unwrap()
            .allocate_seeded(&session(&[1, 4, 5], 8), 1)
            .unwrap();
        let counts = granted_by_region(&allocation);
        assert_eq!((counts["r0"], counts["r1"], counts["r2"]), (1, 4, 3));
    }

    #[test]
    fn ties_in_discarded_rounds_are_not_reported() {
        // Equal weights, 1, 4, 4 requesters, 7 slots: r0 is capped at 1, the other two get 3
        // each: fully determined, whatever lot a discarded round drew.
        for seed in 0..10 {
            let allocation = RegionalBalance::default()
                .allocate_seeded(&session(&[1, 4, 4], 7), seed)
                .unwrap();
            assert!(
                allocation
                    .granted
                    .iter()
                    .all(|g| !g.detail.as_deref().unwrap().contains("lot")),
                "{allocation:?}"
            );
            assert!(
                allocation
                    .waitlisted
                    .iter()
                    .all(|w| w.reason == WaitReason::NotSelected)
            );
        }
    }

    #[test]
    fn more_slots_than_apportionment_handles_grant_everyone() {
        let mut session = session(&[2, 2], 0);
        let mut raw = session.session().clone();
        raw.slots = 2_000_000;
        session = CheckedSession::new(
            raw,
            session.roster().clone(),
            &["r0-0", "r0-1", "r1-0", "r1-1"].map(Request::new),
            History::default(),
        )
        .unwrap();
        let allocation = RegionalBalance::default()
            .allocate_seeded(&session, 1)
            .unwrap();
        assert_eq!(allocation.granted.len(), 4);
    }

    #[test]
    fn regions_left_out_by_the_rule_wait_for_capacity() {
        // Weights 10 and 1, one slot: r1 gets no slot by the rule, not by a lot.
        let spec = RegionalBalanceSpec {
            weights: RegionWeights::Explicit(BTreeMap::from([
                ("r0".to_string(), 10.0),
                ("r1".to_string(), 1.0),
            ])),
            ..Default::default()
        };
        let allocation = RegionalBalance::new(spec)
            .unwrap()
            .allocate_seeded(&session(&[2, 2], 1), 1)
            .unwrap();
        for w in &allocation.waitlisted {
            let expected = if w.organisation.starts_with("r1") {
                (WaitReason::Capacity, "r1: no slot apportioned")
            } else {
                (WaitReason::NotSelected, "r0: quota 1 filled")
            };
            assert_eq!((w.reason, w.detail.unwrap()), expected);
        }
    }
}
