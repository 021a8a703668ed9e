//! `fair_lottery`: a lottery over quota-feasible panels whose least-favoured organisation has
//! the highest chance.

use std::collections::BTreeMap;

use rand::Rng;
use serde::{Deserialize, Serialize};

use super::{Description, Policy};
use crate::decision::{Decision, GrantReason, Note, Pool, Rule, Step, WaitReason, Weighting};
use crate::fair::{self, Objective, TypeSpace};
use crate::model::{Category, CheckedSession};
use crate::{Error, ErrorKind, Result, lot};

/// One quota of a fair lottery: for each named value of `category`, the least and most
/// organisations with that value among the granted. Values not named are unbounded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quota {
    /// The category read (`region`, `kind`, `class`, `migrant_led`, `country`, `tag:KEY`).
    pub category: Category,
    /// Least granted per value (absent: 0).
    #[serde(default)]
    pub min: BTreeMap<String, u32>,
    /// Most granted per value (absent: unbounded).
    #[serde(default)]
    pub max: BTreeMap<String, u32>,
}

/// Parameters of `fair_lottery`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FairLotterySpec {
    /// The quotas, at most one per category (default none).
    #[serde(default)]
    pub quotas: Vec<Quota>,
    /// `leximin` (default) or `maximin`.
    #[serde(default)]
    pub objective: Objective,
    /// Equalise expected slots over the process so far (history slots plus this session's
    /// probability) instead of this session's probability alone (default `false`).
    #[serde(default)]
    pub process: bool,
}

/// A fair lottery with quotas: the slots go to a panel drawn from a lottery over panels that
/// meet every quota, the lottery chosen so that the least selection probability of any
/// requesting organisation is as high as possible (maximin), then the second least, and so on
/// (leximin).
///
/// **Source.** Flanigan, Gölz, Gupta, Hennig & Procaccia, "Fair algorithms for selecting
/// citizens' assemblies", *Nature* 596, 548–552 (2021) — the algorithm behind the selection of
/// citizens' assemblies; the uniform lottery over m panels drawn in public follows Flanigan,
/// Kehne & Procaccia, "Fair sortition made transparent", NeurIPS 2021. With `process`, the
/// equalised quantity is each organisation's expected slots over the process so far:
/// speaking slots recur session after session, so an organisation's chance over the whole
/// process is what matters to it.
///
/// **Rule.** k = min(`slots`, requesting organisations). A panel is k requesting
/// organisations such that, for every quota and every value it names, the number with that
/// value lies in [`min`, `max`]. The solver ([`crate::fair`]) works on types (organisations
/// with the same value in every quota category — and, with `process`, the same slots so far),
/// computes the relaxation's optimum as a certified upper bound, decomposes it into panels
/// and rounds the distribution to a uniform lottery over m panels (m large enough that
/// rounding costs under 0.4% of the minimum). One panel is drawn uniformly with the seeded
/// generator; its speaking order is a uniform random permutation, drawn after the panel. When
/// every requester fits (k = n) all are granted with probability 1, in inscription order, and
/// nothing is drawn. Every loop of the solver is bounded by iteration counts, so the result
/// depends on the input and the seed only.
///
/// **Reasons.** Granted `fair_lottery` (detail: its probability, and in how many of the m
/// panels it sits). Waitlisted `not_selected` (not in the drawn panel — also when its
/// probability was 0), `capacity` when the session has no slot, `duplicate` for a second
/// request.
///
/// **Report.** The allocation's `lottery` object: every requesting organisation's exact
/// probability under the m-panel lottery, the certified upper bound, the achieved minimum
/// (with `process`: of history slots + probability), m and the drawn index; the panels
/// themselves are in [`Decision::lottery`] (the `allocate` tool writes them with `--panels`).
///
/// **Audit steps.** `panel_drawn` (m, the index, the panel), then, with two speakers or more, a
/// `lot_drawn` step of pool `drawn_panel` with the speaking order; `rule_applied` `everyone_fits` when nothing was drawn.
///
/// **Promises.** Every panel meets every quota; the probabilities sum to k; the achieved
/// minimum is at most the certified bound; over seeds each organisation is drawn as often as
/// its probability says.
///
/// # Errors at decision time
///
/// Quotas no panel can meet are an [`ErrorKind::Infeasible`] error naming the first quota in
/// conflict (`policy.quotas[i]`) and the smallest relaxation that makes them feasible.
///
/// # Example
///
/// Two slots among six organisations, one from the south at least and one academic at most:
///
/// ```
/// use floorshare::allocation::Allocate;
/// use floorshare::model::*;
///
/// let organisations = vec![
///     Organisation::new("a", "north", Kind::Academia),
///     Organisation::new("b", "north", Kind::Academia),
///     Organisation::new("c", "north", Kind::InternationalNgo),
///     Organisation::new("d", "north", Kind::InternationalNgo),
///     Organisation::new("e", "south", Kind::Grassroots),
///     Organisation::new("f", "south", Kind::Academia),
/// ];
/// let requests = organisations.iter().map(|o| Request::new(&o.id)).collect();
/// let session = SessionInput::new(Session::new("s", 2), organisations, requests).check()?;
/// let policy = floorshare::policy::from_json(serde_json::json!({
///     "name": "fair_lottery",
///     "quotas": [{"category": "region", "min": {"south": 1}},
///                {"category": "kind", "max": {"academia": 1}}]
/// }))?;
/// let allocation = policy.allocate_seeded(&session, 7)?;
/// let lottery = allocation.lottery.as_ref().unwrap();
/// let total: f64 = lottery.probabilities.values().sum();
/// assert!((total - 2.0).abs() < 1e-9);
/// // No lottery can give everyone more than 1/3: the bound is certified, the minimum close.
/// assert!(lottery.minimum_probability <= lottery.certified_upper_bound + 1e-9);
/// assert!(lottery.minimum_probability >= 0.99 * lottery.certified_upper_bound);
/// assert_eq!(allocation.granted.len(), 2);
/// # Ok::<(), floorshare::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct FairLottery {
    spec: FairLotterySpec,
}

impl FairLottery {
    /// The name in policy descriptions.
    pub const NAME: &'static str = "fair_lottery";

    /// The policy with its parameters checked.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::DuplicateId`] naming `quotas[i].category` when two quotas read one
    /// category; [`ErrorKind::OutOfRange`] naming `quotas[i].max.VALUE` when a value's
    /// maximum is below its minimum.
    pub fn new(spec: FairLotterySpec) -> Result<Self> {
        for (i, quota) in spec.quotas.iter().enumerate() {
            if let Some(j) = spec.quotas[..i]
                .iter()
                .position(|q| q.category == quota.category)
            {
                return Err(Error::invalid_as(
                    ErrorKind::DuplicateId,
                    format!("quotas[{i}].category"),
                    format_args!("{:?}", quota.category.name()),
                    format!("has quotas already in quotas[{j}]"),
                ));
            }
            for (value, &max) in &quota.max {
                let min = quota.min.get(value).copied().unwrap_or(0);
                if max < min {
                    return Err(Error::invalid(
                        format!("quotas[{i}].max.{value}"),
                        max,
                        format!("is below its minimum {min}"),
                    ));
                }
            }
        }
        Ok(FairLottery { spec })
    }

    /// Builds the policy from its description (the registry's constructor).
    ///
    /// # Errors
    ///
    /// As [`Description::read`] for a parameter the policy does not take or cannot read, and
    /// as [`FairLottery::new`].
    pub fn from_description(description: &Description) -> Result<Box<dyn Policy>> {
        Ok(Box::new(Self::new(description.read()?)?))
    }

    /// The parameters.
    pub fn params(&self) -> &FairLotterySpec {
        &self.spec
    }

    /// The session as a type space: per quota, the named values in name order and one more
    /// value for every value not named (unbounded); types are the requesters with equal values
    /// in every quota category (and, with `process`, equal slots so far).
    fn instance(&self, session: &CheckedSession, k: u32) -> Instance {
        let roster = session.roster();
        let quotas = &self.spec.quotas;
        let named: Vec<Vec<&str>> = quotas
            .iter()
            .map(|q| {
                let mut names: Vec<&str> = q.min.keys().chain(q.max.keys()).map(|s| &**s).collect();
                names.sort_unstable();
                names.dedup();
                names
            })
            .collect();
        let width = quotas.len() + 1;
        let requesters = session.requesters();
        let mut keys: Vec<u32> = Vec::with_capacity(requesters.len() * width);
        for &r in requesters {
            let org = session.organisation_of(r as usize);
            for (quota, names) in quotas.iter().zip(&named) {
                let value = roster.value_of(&quota.category, org);
                let id = names.binary_search(&&*value).unwrap_or(names.len());
                keys.push(id as u32);
            }
            keys.push(if self.spec.process {
                session.history().get(org).slots
            } else {
                0
            });
        }
        let key = |p: usize| &keys[p * width..(p + 1) * width];
        // Types in key order, members in inscription order.
        let mut positions: Vec<u32> = (0..requesters.len() as u32).collect();
        positions.sort_by(|&a, &b| key(a as usize).cmp(key(b as usize)));
        let mut types: Vec<(u32, Vec<u32>)> = Vec::new();
        let mut starts: Vec<usize> = Vec::new();
        let mut history: Vec<f64> = Vec::new();
        for (i, &p) in positions.iter().enumerate() {
            let this = key(p as usize);
            if i == 0 || key(positions[i - 1] as usize) != this {
                types.push((0, this[..quotas.len()].to_vec()));
                starts.push(i);
                history.push(f64::from(this[quotas.len()]));
            }
            types.last_mut().expect("a type was pushed").0 += 1;
        }
        starts.push(positions.len());
        let values: Vec<u32> = named.iter().map(|names| names.len() as u32 + 1).collect();
        let bounds: Vec<Vec<(u32, u32)>> = quotas
            .iter()
            .zip(&named)
            .map(|(quota, names)| {
                names
                    .iter()
                    .map(|&name| {
                        let min = quota.min.get(name).copied().unwrap_or(0);
                        let max = quota.max.get(name).copied().unwrap_or(k).min(k.max(min));
                        (min, max)
                    })
                    .chain([(0, k)])
                    .collect()
            })
            .collect();
        Instance {
            space: TypeSpace::new(k, values, &types, &bounds),
            types,
            bounds,
            members: positions,
            starts,
            history,
            named: named
                .into_iter()
                .map(|names| names.into_iter().map(str::to_owned).collect())
                .collect(),
        }
    }

    /// The error for quotas no panel meets: the first quota the smallest relaxation changes,
    /// the quotas it conflicts with, and the relaxation.
    fn infeasible(&self, instance: &Instance) -> Error {
        let Some(diagnosis) = fair::smallest_relaxation(&instance.space) else {
            // Feasible quotas, yet no panel found: the solver's iteration limits.
            return Error::invalid_as(
                ErrorKind::Infeasible,
                "policy.quotas",
                format_args!("{} quotas", self.spec.quotas.len()),
                "admit panels, but the solver found none within its iteration limits",
            );
        };
        let first = diagnosis.changes[0].category;
        // The quotas in conflict with the first one the relaxation changes: none when it
        // cannot be met alone, else those it cannot be met together with, two at a time.
        let conflict = if !instance.feasible_with_only(&[first]) {
            "cannot be met by the requesting organisations".to_owned()
        } else {
            let partners: Vec<String> = (0..self.spec.quotas.len())
                .filter(|&j| j != first && !instance.feasible_with_only(&[first, j]))
                .map(|j| format!("policy.quotas[{j}]"))
                .collect();
            if partners.is_empty() {
                "cannot be met together with the other quotas".to_owned()
            } else {
                format!("cannot be met together with {}", partners.join(", "))
            }
        };
        let changes: Vec<String> = diagnosis
            .changes
            .iter()
            .map(|change| {
                let bound = match change.bound {
                    fair::Bound::Min => "min",
                    fair::Bound::Max => "max",
                };
                let value = instance.named[change.category]
                    .get(change.value as usize)
                    .map_or("(values not named)", String::as_str);
                format!(
                    "policy.quotas[{}].{bound}.{value} from {} to {}",
                    change.category, change.from, change.to
                )
            })
            .collect();
        let smallest = if diagnosis.minimal {
            "the smallest relaxation that meets them"
        } else {
            "a relaxation that meets them (the search for the smallest reached its limit)"
        };
        Error::invalid_as(
            ErrorKind::Infeasible,
            format!("policy.quotas[{first}]"),
            format_args!("{:?}", self.spec.quotas[first].category.name()),
            format!(
                "{conflict}; {smallest}, {} unit(s): {}",
                diagnosis.units(),
                changes.join(", ")
            ),
        )
    }
}

/// A session as the solver sees it, and the way back to its requests.
struct Instance {
    space: TypeSpace,
    /// The types (size, value per quota) and bounds (per quota, per value) it was built from.
    types: Vec<(u32, Vec<u32>)>,
    bounds: Vec<Vec<(u32, u32)>>,
    /// Positions in the requesters' list, grouped by type (type t's members at
    /// `members[starts[t]..starts[t + 1]]`, in inscription order).
    members: Vec<u32>,
    starts: Vec<usize>,
    /// Slots so far of each type's members (0 without `process`).
    history: Vec<f64>,
    /// Each quota's named values, in name order.
    named: Vec<Vec<String>>,
}

impl Instance {
    /// The fewest slots so far of any type (infinite without types).
    fn least_history(&self) -> f64 {
        self.history.iter().copied().fold(f64::INFINITY, f64::min)
    }

    /// Whether some panel meets the quotas `kept` alone (the others unbounded).
    fn feasible_with_only(&self, kept: &[usize]) -> bool {
        let k = self.space.k();
        let bounds: Vec<Vec<(u32, u32)>> = self
            .bounds
            .iter()
            .enumerate()
            .map(|(i, list)| {
                if kept.contains(&i) {
                    list.clone()
                } else {
                    vec![(0, k); list.len()]
                }
            })
            .collect();
        let values = bounds.iter().map(|list| list.len() as u32).collect();
        fair::smallest_relaxation(&TypeSpace::new(k, values, &self.types, &bounds)).is_none()
    }

    /// The position (in the requesters' list) of member `rank` of type `t`.
    fn member(&self, t: usize, rank: usize) -> u32 {
        self.members[self.starts[t] + rank]
    }
}

impl Policy for FairLottery {
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
        let n = requesters.len();
        let k = (session.session().slots as usize).min(n) as u32;
        let instance = self.instance(session, k);
        let space = &instance.space;
        let position_of_type = |t: usize| instance.starts[t]..instance.starts[t + 1];
        if k == 0 || k as usize == n {
            // One panel: no one or everyone.
            let counts: Vec<u32> = (0..space.types()).map(|t| space.size(t)).collect();
            let counts: Vec<u32> = if k == 0 {
                vec![0; counts.len()]
            } else {
                counts
            };
            if !space.is_feasible(&counts) {
                return Err(self.infeasible(&instance));
            }
            let share = u32::from(k > 0);
            let lowest = instance.least_history();
            let lottery = decision.begin_lottery();
            lottery.certified_upper_bound = if n == 0 {
                0.0
            } else {
                lowest + f64::from(share)
            };
            lottery.minimum = lottery.certified_upper_bound;
            for &r in requesters {
                lottery.push_probability(r, f64::from(share));
            }
            lottery.push_panel(requesters.iter().copied().filter(|_| k > 0));
            if k == 0 {
                let wait = decision
                    .wait_reason(WaitReason::Capacity, Note::Text("no slot in this session"));
                for &r in requesters {
                    decision.wait(r, wait);
                }
            } else {
                for &r in requesters {
                    decision.grant(
                        r,
                        GrantReason::FairLottery,
                        Note::PanelShare {
                            count: 1,
                            panels: 1,
                        },
                    );
                }
                decision.rule_applied(Rule::EveryoneFits, requesters.iter().copied());
            }
            return Ok(());
        }
        let solved = fair::solve(space, &instance.history, self.spec.objective)
            .ok_or_else(|| self.infeasible(&instance))?;
        let m = solved.lottery.panels();
        let drawn = lot::uniform_below(rng, m as u64) as usize;
        // Every requester's count over the m panels, by position.
        let mut counts = vec![0u32; n];
        for t in 0..space.types() {
            for (rank, p) in position_of_type(t).enumerate() {
                counts[instance.members[p] as usize] = solved.lottery.count(t, rank);
            }
        }
        let mut panel: Vec<u32> = Vec::with_capacity(k as usize);
        let positions_of = |i: usize, panel: &mut Vec<u32>| {
            panel.clear();
            panel.extend(
                solved
                    .lottery
                    .panel(i)
                    .iter()
                    .map(|&(t, rank)| instance.member(t as usize, rank as usize)),
            );
            panel.sort_unstable();
        };
        let lottery = decision.begin_lottery();
        lottery.certified_upper_bound = if solved.certified {
            solved.upper_bound
        } else {
            // Without a certified relaxation, the trivial bound: no one passes 1 this session.
            instance.least_history() + 1.0
        };
        lottery.minimum = solved.minimum;
        lottery.drawn = drawn as u32;
        for (p, &r) in requesters.iter().enumerate() {
            lottery.push_probability(r, f64::from(counts[p]) / m as f64);
        }
        for i in 0..m {
            positions_of(i, &mut panel);
            lottery.push_panel(panel.iter().map(|&p| requesters[p as usize]));
        }
        positions_of(drawn, &mut panel);
        let chosen = decision.push_indices(panel.iter().map(|&p| requesters[p as usize]));
        decision.step(Step::PanelDrawn {
            panels: m as u32,
            drawn: drawn as u32,
            panel: chosen,
        });
        // The speaking order: a uniform permutation of the panel, drawn after it.
        if k >= 2 {
            lot::draw_to_front(rng, &mut panel, k as usize);
            let winners = decision.push_indices(panel.iter().map(|&p| requesters[p as usize]));
            decision.step(Step::LotDrawn {
                pool: Pool::DrawnPanel,
                size: k,
                weighting: Weighting::Uniform,
                winners,
            });
        }
        let mut in_panel = vec![false; n];
        for &p in &panel {
            in_panel[p as usize] = true;
            decision.grant(
                requesters[p as usize],
                GrantReason::FairLottery,
                Note::PanelShare {
                    count: counts[p as usize],
                    panels: m as u32,
                },
            );
        }
        let wait = decision.wait_reason(
            WaitReason::NotSelected,
            Note::Text("not in the drawn panel"),
        );
        for (p, &r) in requesters.iter().enumerate() {
            if !in_panel[p] {
                decision.wait(r, wait);
            }
        }
        Ok(())
    }
}
