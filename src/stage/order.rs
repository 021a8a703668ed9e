//! The `order` stage: the speaking order of the granted set.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;

use rand::Rng;
use serde::{Deserialize, Serialize};

use super::{PickValues, Scratch};
use crate::decision::{Decision, OrderRule, Pool, Step, Weighting};
use crate::lot;
use crate::model::{Category, CheckedSession};
use crate::{Error, ErrorKind, Result};

/// The speaking order of the granted set, whoever chose it.
///
/// - `"policy"` (default): the policy's own order.
/// - `"inscription"`: inscription order (the speakers list of most UN bodies: the General
///   Assembly's rules of procedure, rule 68).
/// - `"lottery"`: a uniform random permutation (the Human Rights Council draws the order of
///   the speakers it draws; a `lot_drawn` step from the pool `granted`).
/// - `{"alternate": CATEGORY}`: at each position the value of the category with the most
///   granted speakers still to place, other than the previous speaker's value whenever
///   possible; ties by a value order drawn by lot (a `value_order_drawn` step); within a value,
///   the policy's order. This is `regional_balance`'s own speaking order, for any category:
///   the European Parliament's alternation of political groups in debates.
/// - `{"tiers": {"category": CATEGORY, "values": [[v, ...], ...]}}`: earlier tiers speak first;
///   values not listed form a last tier; within a tier, the policy's order (the IMRF's
///   migrant-community speaker opening a round table, as the class first).
///
/// Every rule but `policy` records a `speaking_order` step with the new order (the lottery
/// records its lot instead).
///
/// # Example
///
/// ```
/// use floorshare::model::Category;
/// use floorshare::stage::{Order, Tiers};
///
/// let order: Order = serde_json::from_str(r#"{"tiers": {"category": "class", "values": [["grassroots"]]}}"#)?;
/// assert_eq!(order, Order::Tiers(Tiers { category: Category::Class, values: vec![vec!["grassroots".into()]] }));
/// let order: Order = serde_json::from_str(r#""lottery""#)?;
/// assert_eq!(order, Order::Lottery);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Order {
    /// The policy's own order.
    #[default]
    Policy,
    /// Inscription order.
    Inscription,
    /// A uniform random permutation.
    Lottery,
    /// Values of the category alternate, the most numerous first.
    Alternate(Arc<Category>),
    /// Tiers of values, earlier tiers first.
    Tiers(Tiers),
}

/// The parameters of [`Order::Tiers`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tiers {
    /// The category whose values are tiered.
    pub category: Category,
    /// The tiers, first to speak first; each a non-empty list of distinct values. Values not
    /// listed speak last.
    pub values: Vec<Vec<String>>,
}

impl Order {
    /// Whether this is the policy's own order.
    pub fn is_policy(&self) -> bool {
        *self == Order::Policy
    }

    pub(super) fn check(&self) -> Result<()> {
        let Order::Tiers(tiers) = self else {
            return Ok(());
        };
        if tiers.values.is_empty() {
            return Err(Error::invalid("order.tiers.values", "[]", "lists no tier"));
        }
        let mut listed = Vec::new();
        for (i, tier) in tiers.values.iter().enumerate() {
            if tier.is_empty() {
                return Err(Error::invalid(
                    format!("order.tiers.values[{i}]"),
                    "[]",
                    "is an empty tier",
                ));
            }
            listed.extend(tier.iter().enumerate().map(|(j, value)| (value, i, j)));
        }
        listed.sort();
        if let Some(pair) = listed.windows(2).find(|pair| pair[0].0 == pair[1].0) {
            let ((value, a, b), (_, i, j)) = (pair[0], pair[1]);
            return Err(Error::invalid_as(
                ErrorKind::DuplicateId,
                format!("order.tiers.values[{i}][{j}]"),
                format_args!("{value:?}"),
                format!("is listed already at values[{a}][{b}]"),
            ));
        }
        Ok(())
    }

    /// Sets the speaking order of `decision`'s picks; leaves in `scratch.order` the
    /// permutation applied (position of the pick speaking i-th), empty when nothing moved.
    pub(super) fn apply(
        &self,
        session: &CheckedSession,
        rng: &mut dyn Rng,
        decision: &mut Decision,
        scratch: &mut Scratch,
    ) {
        scratch.order.clear();
        let picks = decision.picks().len();
        if picks < 2 {
            // Nothing to order, no lot to draw: no step.
            return;
        }
        let order = &mut scratch.order;
        let rule = match self {
            Order::Policy => return,
            Order::Inscription => {
                // Picks are requesters: their inscription order is the requesters' order.
                let by_request = &mut scratch.pairs;
                by_request.clear();
                by_request.extend(
                    decision
                        .picks()
                        .iter()
                        .enumerate()
                        .map(|(i, p)| (p.request, i as u32)),
                );
                by_request.sort_unstable();
                order.extend(
                    session
                        .requesters()
                        .iter()
                        .filter(|&&r| decision.is_granted(r as usize))
                        .filter_map(|r| {
                            by_request
                                .binary_search_by_key(r, |&(request, _)| request)
                                .ok()
                                .map(|k| by_request[k].1)
                        }),
                );
                OrderRule::Inscription
            }
            Order::Lottery => {
                order.extend(0..picks as u32);
                lot::draw_to_front(rng, order, picks);
                let winners = decision.push_pick_requests(order.iter().map(|&i| i as usize));
                decision.step(Step::LotDrawn {
                    pool: Pool::Granted,
                    size: picks as u32,
                    weighting: Weighting::Uniform,
                    winners,
                });
                decision.reorder(order);
                return;
            }
            Order::Alternate(category) => {
                let mut values = std::mem::take(&mut scratch.order_values);
                values.fill(session, decision, Some(category));
                alternate_values(category, &values, rng, decision, scratch);
                scratch.order_values = values;
                OrderRule::Alternate
            }
            Order::Tiers(tiers) => {
                let roster = session.roster();
                let tier_of = |request: u32| {
                    let org = session.organisation_of(request as usize);
                    let value = roster.value_of(&tiers.category, org);
                    tiers
                        .values
                        .iter()
                        .position(|tier| tier.iter().any(|v| *v == value))
                        .unwrap_or(tiers.values.len()) as u32
                };
                let keyed = &mut scratch.pairs;
                keyed.clear();
                keyed.extend(
                    decision
                        .picks()
                        .iter()
                        .enumerate()
                        .map(|(i, p)| (tier_of(p.request), i as u32)),
                );
                // (tier, position) is unique: an unstable sort is stable here, and allocates
                // nothing.
                keyed.sort_unstable();
                order.extend(keyed.iter().map(|&(_, i)| i));
                OrderRule::Tiers
            }
        };
        let order = &scratch.order;
        let speakers = decision.push_pick_requests(order.iter().map(|&i| i as usize));
        decision.step(Step::SpeakingOrder {
            rule,
            order: speakers,
        });
        decision.reorder(order);
    }
}

/// `{"alternate": CATEGORY}`: the values' order drawn by lot, then the interleaving.
fn alternate_values(
    category: &Arc<Category>,
    values: &PickValues,
    rng: &mut dyn Rng,
    decision: &mut Decision,
    scratch: &mut Scratch,
) {
    let count = values.len();
    // Each value's picks in the policy's order, in one buffer: value v's are
    // `by_value[starts[v]..starts[v + 1]]`.
    let starts = &mut scratch.order_starts;
    starts.clear();
    starts.resize(count + 1, 0);
    for &v in &values.ids {
        starts[v as usize + 1] += 1;
    }
    for v in 0..count {
        starts[v + 1] += starts[v];
    }
    let next = &mut scratch.order_next;
    next.clear();
    next.extend_from_slice(&starts[..count]);
    let by_value = &mut scratch.pairs;
    by_value.clear();
    by_value.resize(values.ids.len(), (0, 0));
    for (position, &v) in values.ids.iter().enumerate() {
        by_value[next[v as usize] as usize].1 = position as u32;
        next[v as usize] += 1;
    }
    // Ties between values by a value order drawn by lot (values start in name order).
    let ranked = &mut scratch.ranked;
    ranked.clear();
    ranked.extend(0..count as u32);
    lot::draw_to_front(rng, ranked, count);
    if count > 1 {
        let order = decision.push_indices(ranked.iter().map(|&v| values.first_request(v)));
        decision.step(Step::ValueOrderDrawn {
            category: category.clone(),
            order,
        });
    }
    next.clear();
    next.extend_from_slice(&starts[..count]);
    let order = &mut scratch.order;
    interleave(
        ranked
            .iter()
            .map(|&v| (starts[v as usize + 1] - starts[v as usize], v)),
        &mut scratch.heap,
        |v| {
            order.push(by_value[next[v as usize] as usize].1);
            next[v as usize] += 1;
        },
    );
}

/// Interleaves groups: at each position the group with the most items still to place, other
/// than the previous position's whenever another has items left; equal counts by rank (the
/// groups come in rank order, `(items, group)`). Calls `visit(group)` once per position.
/// `heap` is reused memory.
pub(crate) fn interleave(
    ranked: impl Iterator<Item = (u32, u32)>,
    heap: &mut Vec<(u32, Reverse<u32>, u32)>,
    mut visit: impl FnMut(u32),
) {
    let mut queue = BinaryHeap::from(std::mem::take(heap));
    queue.clear();
    queue.extend(
        ranked
            .enumerate()
            .filter(|&(_, (items, _))| items > 0)
            .map(|(rank, (items, group))| (items, Reverse(rank as u32), group)),
    );
    let mut previous = None;
    while let Some(mut top) = queue.pop() {
        if Some(top.2) == previous
            && let Some(second) = queue.pop()
        {
            queue.push(top);
            top = second;
        }
        let (left, rank, group) = top;
        visit(group);
        if left > 1 {
            queue.push((left - 1, rank, group));
        }
        previous = Some(group);
    }
    *heap = queue.into_vec();
}
