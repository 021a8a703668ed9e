//! `regional_balance`: apportioned regional quotas.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;

use rand::Rng;

use super::Policy;
use crate::apportion::{self, Method};
use crate::lot;
use crate::model::{
    Allocation, CheckedSession, GrantReason, Pick, PolicySpec, RegionWeights, RegionalBalanceSpec,
    WaitReason, Waiting, WithinRegion,
};
use crate::{Error, Result};

/// Apportioned regional quotas: the slots are shared among the regions that asked, so that no
/// region's voice depends on being in New York or Geneva.
///
/// **Practice.** The seven regional civil-society consultations of 2017 and the regional focal
/// points of the 2018 negotiation rounds, which raised issues that would otherwise have stayed
/// silent (climate change, raised by the Pacific representative; SPEC §1); regional seat
/// allocation in UN bodies (the 60-slot HRC proposal: Africa 17, Asia 17, …;
/// `research/procedures.md`).
///
/// **Rule** (SPEC §4).
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
/// `not_selected` when a draw decided: the within-region lottery, or a lot on the region's
/// quota (detail `"europe: quota 1 filled"`, `"europe: lost the lot for a slot"`); `capacity`
/// when the rule alone did: inscription `order` within the region, or no slot apportioned to
/// it (`"europe: no slot apportioned"`).
///
/// **Promise** (equal weights): if region a has a requesting organisation not granted, then
/// granted(a) ≥ granted(b) − 1 for every region b.
///
/// # Example
///
/// ```
/// use floorshare::model::*;
/// use floorshare::policy::{Policy, RegionalBalance};
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
    /// Checks the parameters: explicit weights positive and finite (errors name
    /// `weights.<region>`).
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

    /// Each requesting region's quota, capped by its number of requesting organisations, and
    /// whether a lot decided part of it (an apportionment tie that changed the result).
    fn quotas(
        &self,
        names: &[&str],
        counts: &[usize],
        slots: u32,
        rng: &mut dyn Rng,
    ) -> Result<(Vec<u32>, Vec<bool>)> {
        let weights = match &self.spec.weights {
            RegionWeights::Equal => vec![1.0; counts.len()],
            RegionWeights::Requests => counts.iter().map(|&c| c as f64).collect(),
            RegionWeights::Explicit(map) => names
                .iter()
                .map(|&name| {
                    map.get(name)
                        .copied()
                        .ok_or_else(|| Error::MissingRegionWeight {
                            field: "policy.weights".into(),
                            region: name.to_string(),
                        })
                })
                .collect::<Result<_>>()?,
        };
        let mut quota = vec![0u32; counts.len()];
        let mut by_lot = vec![false; counts.len()];
        let requesters: usize = counts.iter().sum();
        if slots as usize >= requesters {
            // Everyone is capped at once: every requesting organisation speaks.
            for (q, &c) in quota.iter_mut().zip(counts) {
                *q = c as u32;
            }
            return Ok((quota, by_lot));
        }
        let mut capped = vec![false; counts.len()];
        let mut free = slots;
        while free > 0 {
            let open: Vec<usize> = (0..counts.len()).filter(|&r| !capped[r]).collect();
            let open_weights: Vec<f64> = open.iter().map(|&r| weights[r]).collect();
            let shares =
                apportion::apportion(self.spec.method, &open_weights, free, rng).map_err(|_| {
                    Error::invalid(
                        "session.slots",
                        slots,
                        format!(
                            "is more than {}, the most slots apportioned exactly",
                            apportion::MAX_UNITS
                        ),
                    )
                })?;
            let newly_capped: Vec<bool> = open
                .iter()
                .zip(&shares.seats)
                .map(|(&r, &s)| s as usize >= counts[r])
                .collect();
            let last_round = !newly_capped.contains(&true);
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
                    }
                }
            }
            if last_round {
                for (&r, &s) in open.iter().zip(&shares.seats) {
                    quota[r] = s;
                }
                break;
            }
            for (i, &r) in open.iter().enumerate() {
                if newly_capped[i] {
                    capped[r] = true;
                    quota[r] = counts[r] as u32;
                    free -= counts[r] as u32;
                }
            }
        }
        Ok((quota, by_lot))
    }
}

impl Policy for RegionalBalance {
    fn spec(&self) -> PolicySpec {
        PolicySpec::RegionalBalance(self.spec.clone())
    }

    fn allocate(&self, session: &CheckedSession, rng: &mut dyn Rng) -> Result<Allocation> {
        let roster = session.roster();
        // Requesting organisations by region; regions in name order (the roster's order).
        let mut by_region: Vec<Vec<u32>> = vec![Vec::new(); roster.regions().len()];
        for &r in session.requesters() {
            by_region[roster.region_of(session.organisation_of(r as usize))].push(r);
        }
        let asking: Vec<usize> = (0..by_region.len())
            .filter(|&g| !by_region[g].is_empty())
            .collect();
        let names: Vec<&str> = asking.iter().map(|&g| &*roster.regions()[g]).collect();
        let counts: Vec<usize> = asking.iter().map(|&g| by_region[g].len()).collect();
        let (quota, by_lot) = self.quotas(&names, &counts, session.session().slots, rng)?;

        // Each region's picks, in pick order.
        let mut picked: Vec<Vec<u32>> = Vec::with_capacity(asking.len());
        for (i, &g) in asking.iter().enumerate() {
            let candidates = &mut by_region[g];
            let q = quota[i] as usize;
            match self.spec.within_region {
                WithinRegion::Lottery => {
                    lot::draw_to_front(rng, candidates, q);
                }
                WithinRegion::Order => {}
                WithinRegion::GrassrootsFirst => {
                    // Stable partition: the class first, each part in inscription order.
                    let (mut class, mut rest): (Vec<u32>, Vec<u32>) = candidates
                        .iter()
                        .partition(|&&r| roster.in_class(session.organisation_of(r as usize)));
                    let from_class = lot::draw_to_front(rng, &mut class, q);
                    let from_rest = lot::draw_to_front(rng, &mut rest, q - from_class);
                    class.truncate(from_class);
                    class.extend_from_slice(&rest[..from_rest]);
                    *candidates = class;
                }
            }
            candidates.truncate(q);
            picked.push(std::mem::take(candidates));
        }

        // Speaking order: most speakers left first, never the previous region when avoidable,
        // ties by a region order drawn by lot.
        let mut lot_order: Vec<usize> = (0..asking.len()).filter(|&i| quota[i] > 0).collect();
        let len = lot_order.len();
        lot::draw_to_front(rng, &mut lot_order, len);
        let mut heap: BinaryHeap<(usize, Reverse<usize>, usize)> = lot_order
            .iter()
            .enumerate()
            .map(|(rank, &i)| (picked[i].len(), Reverse(rank), i))
            .collect();
        let mut next_of = vec![0usize; asking.len()];
        let mut picks = Vec::with_capacity(quota.iter().map(|&q| q as usize).sum());
        let mut previous = None;
        while let Some(mut top) = heap.pop() {
            if Some(top.2) == previous
                && let Some(second) = heap.pop()
            {
                heap.push(top);
                top = second;
            }
            let (left, rank, i) = top;
            let k = next_of[i];
            next_of[i] += 1;
            let tie_note = if by_lot[i] {
                " (tie broken by lot)"
            } else {
                ""
            };
            picks.push(Pick {
                request: picked[i][k],
                reason: GrantReason::RegionalQuota,
                detail: Some(Arc::from(format!(
                    "{}: {} of {}{tie_note}",
                    names[i],
                    k + 1,
                    quota[i]
                ))),
            });
            if left > 1 {
                heap.push((left - 1, rank, i));
            }
            previous = Some(i);
        }

        // A region's waiting organisations lost a draw if a lot decided its quota or they lost
        // the draw within the region; otherwise the quota rule left no slot for them.
        let waiting: Vec<Waiting> = (0..asking.len())
            .map(|i| {
                let drawn_within = quota[i] > 0 && self.spec.within_region != WithinRegion::Order;
                Waiting {
                    reason: if by_lot[i] || drawn_within {
                        WaitReason::NotSelected
                    } else {
                        WaitReason::Capacity
                    },
                    detail: Some(Arc::from(match (quota[i], by_lot[i]) {
                        (0, true) => format!("{}: lost the lot for a slot", names[i]),
                        (0, false) => format!("{}: no slot apportioned", names[i]),
                        (q, _) => format!("{}: quota {q} filled", names[i]),
                    })),
                }
            })
            .collect();
        let region_slot: Vec<usize> = {
            let mut slot = vec![usize::MAX; roster.regions().len()];
            for (i, &g) in asking.iter().enumerate() {
                slot[g] = i;
            }
            slot
        };
        Allocation::from_decision(session, self.spec(), self.spec.placement, picks, |r| {
            waiting[region_slot[roster.region_of(session.organisation_of(r as usize))]].clone()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
            allocation.waitlisted[0].detail.as_deref(),
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
            assert_eq!((w.reason, w.detail.as_deref().unwrap()), expected);
        }
    }
}
