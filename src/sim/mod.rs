//! Monte Carlo simulation of whole processes (SPEC §7): many runs of a scenario's sessions under
//! each policy, with the metrics summarised over runs.
//!
//! **Seeds.** Run r draws from generators seeded with [`derive_seed`]`(seed, r, stream)`:
//! stream 0 for the population, 1 for the requests, 2 + p for policy p's own draws. The
//! derivation is SplitMix64 applied three times (portable integer arithmetic), so a run's
//! results depend only on (seed, r), never on the number of threads or on which shard runs it.
//!
//! **Common random numbers.** Within a run the population and every session's requests are
//! drawn once and shared by all policies; differences between policies are then paired.
//!
//! **History** is carried session to session within a run, per policy: policies that read it
//! see the past their own decisions made.
//!
//! **Summaries.** Each run summarises its own values ([`Summary`]: n, mean, M2); the runs'
//! summaries are merged in run order (Chan's formula), in chunks whatever the threads, so the
//! result is bit-identical with one thread or many. Per-session metrics contribute one value
//! per session (`n` = sessions × runs, less the sessions where the metric is undefined);
//! process metrics (`gini_slots`, `never_heard_share`) one value per run.
//!
//! **Shards.** [`Shard`] `i/n` runs the contiguous range of runs
//! `⌊i·R/n⌋ .. ⌊(i+1)·R/n⌋`; merging the shards' summaries ([`SimulationSummary::merge`]) gives
//! the full run's summary to rounding (1e-9 relative).
//!
//! # Example
//!
//! ```
//! use floorshare::sim::{Scenario, Simulation};
//!
//! let scenario = Scenario::from_json_str(r#"{
//!     "name": "small",
//!     "population": {"generate": {"counts": {"asia": {"grassroots": 8, "international_ngo": 2},
//!                                            "europe": {"international_ngo": 6}}}},
//!     "sessions": [{"id": "s1", "slots": 2, "length_minutes": 120},
//!                  {"id": "s2", "slots": 2, "length_minutes": 120}],
//!     "behaviour": {"ask_probability": {"international_ngo": 0.9, "grassroots": 0.3}},
//!     "policies": [{"label": "baseline", "policy": {"name": "chair_discretion"}},
//!                  {"label": "grassroots", "policy": {"name": "grassroots_priority"}}],
//!     "runs": 200,
//!     "seed": 7
//! }"#)?;
//! let summary = Simulation::new(scenario)?.run_all()?;
//! let share = |label: &str| {
//!     let policy = summary.policies.iter().find(|p| p.name == label).unwrap();
//!     policy.metrics["grassroots_slot_share"].mean
//! };
//! assert!(share("grassroots") > share("baseline"));
//! # Ok::<(), floorshare::Error>(())
//! ```

mod scenario;
mod summary;

use std::ops::Range;
use std::sync::Arc;

pub use scenario::{Behaviour, LabelledPolicy, Population, PopulationGenerator, Scenario};
pub use summary::{PolicySummary, Shard, ShardSet, SimulationSummary};

use crate::Result;
use crate::decision::Decision;
use crate::lot;
use crate::metrics::{ProcessTally, SessionFigures, Summary, gini, never_heard_share};
use crate::model::{CheckedRequest, CheckedSession, History, Kind, Organisation, Roster, Session};
use crate::policy::{Registry, built_in};

/// The metrics a simulation summarises, in table order.
///
/// | name | value per session (or per run) |
/// |---|---|
/// | `slots_granted` | slots granted |
/// | `grassroots_slot_share` | the grassroots class's share of the granted slots |
/// | `grassroots_request_share` | its share of the requesting organisations |
/// | `international_ngo_slot_share` | international NGOs' share of the granted slots |
/// | `grassroots_mean_position` | mean normalised position of the class's slots (0 first, 1 last) |
/// | `region_gallagher` | Gallagher index of regions' slot shares against their request shares |
/// | `region_entropy` | normalised entropy of the speakers' regions |
/// | `late_share` | share of granted slots in the last fifth of the session |
/// | `themes_heard_share` | distinct themes heard over distinct themes requested |
/// | `first_time_speaker_share` | share of granted slots to organisations not heard before in the run's process |
/// | `gini_slots` | per run: Gini of slots across organisations that requested at least once |
/// | `never_heard_share` | per run: share of those organisations never granted a slot |
pub const METRICS: [&str; 12] = [
    "slots_granted",
    "grassroots_slot_share",
    "grassroots_request_share",
    "international_ngo_slot_share",
    "grassroots_mean_position",
    "region_gallagher",
    "region_entropy",
    "late_share",
    "themes_heard_share",
    "first_time_speaker_share",
    "gini_slots",
    "never_heard_share",
];

/// Positions in [`METRICS`] of the two metrics measured once per run.
const GINI_SLOTS: usize = 10;
const NEVER_HEARD_SHARE: usize = 11;

/// Runs merged at once: the unit of parallel work and of progress reports.
const CHUNK: u64 = 256;

/// The seed of stream `stream` of run `run` under master seed `master`: SplitMix64 applied to
/// the master seed, mixed with the run, mixed with the stream (Steele, Lea & Flood, "Fast
/// splittable pseudorandom number generators", OOPSLA 2014).
///
/// ```
/// use floorshare::sim::derive_seed;
///
/// assert_ne!(derive_seed(1, 0, 0), derive_seed(1, 1, 0));
/// assert_ne!(derive_seed(1, 0, 0), derive_seed(1, 0, 1));
/// assert_eq!(derive_seed(1, 2, 3), derive_seed(1, 2, 3));
/// ```
pub fn derive_seed(master: u64, run: u64, stream: u64) -> u64 {
    fn splitmix64(x: u64) -> u64 {
        let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    splitmix64(splitmix64(splitmix64(master) ^ run) ^ stream)
}

/// A checked scenario, ready to run: policies built, themes interned, the explicit
/// population's roster built once.
#[derive(Debug)]
pub struct Simulation {
    scenario: Scenario,
    policies: Vec<scenario::BuiltPolicy>,
    sessions: Vec<Arc<Session>>,
    // The organisations (migrant-led flags redrawn per run when generated).
    organisations: Vec<Organisation>,
    fixed_roster: Option<Arc<Roster>>,
    themes: Vec<Arc<str>>,
    // Per organisation, the themes only its region raises.
    regional_themes: Vec<Vec<Arc<str>>>,
}

/// One run's summaries: `[policy][metric]`.
type RunSummaries = Vec<Vec<Summary>>;

impl Simulation {
    /// Checks the scenario, whose policies are floorshare's own, and prepares it.
    ///
    /// # Errors
    ///
    /// As [`Scenario::check`].
    pub fn new(scenario: Scenario) -> Result<Self> {
        Self::with_registry(scenario, built_in())
    }

    /// As [`Simulation::new`], with the policies of `registry` (yours beside the built-in
    /// ones).
    ///
    /// # Errors
    ///
    /// As [`Scenario::check_with`].
    pub fn with_registry(scenario: Scenario, registry: &Registry) -> Result<Self> {
        scenario.check_with(registry)?;
        let policies = scenario.build_policies(registry)?;
        let (organisations, fixed_roster) = match &scenario.population {
            Population::Organisations(organisations) => {
                let roster = Roster::new(organisations.clone(), scenario.grassroots_class.clone())
                    .map_err(|e| e.within("population"))?;
                (organisations.clone(), Some(Arc::new(roster)))
            }
            Population::Generate(generator) => {
                let mut organisations = Vec::new();
                for (region, kinds) in &generator.counts {
                    for (&kind, &count) in kinds {
                        organisations.extend((0..count).map(|i| {
                            Organisation::new(format!("{region}-{kind}-{i}"), region, kind)
                        }));
                    }
                }
                (organisations, None)
            }
        };
        let intern = |names: &[String]| -> Vec<Arc<str>> {
            names.iter().map(|t| Arc::from(t.as_str())).collect()
        };
        let themes = intern(&scenario.behaviour.themes);
        let by_region: std::collections::BTreeMap<&str, Vec<Arc<str>>> = scenario
            .behaviour
            .regional_themes
            .iter()
            .map(|(region, names)| (region.as_str(), intern(names)))
            .collect();
        let regional_themes = organisations
            .iter()
            .map(|org| {
                by_region
                    .get(org.region.as_str())
                    .cloned()
                    .unwrap_or_default()
            })
            .collect();
        let sessions = scenario.sessions.iter().cloned().map(Arc::new).collect();
        Ok(Simulation {
            scenario,
            policies,
            sessions,
            organisations,
            fixed_roster,
            themes,
            regional_themes,
        })
    }

    /// The scenario.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Runs every run of the scenario.
    pub fn run_all(&self) -> Result<SimulationSummary> {
        self.run_range(0..self.scenario.runs, |_| {})
    }

    /// Runs the runs of `shard` (a contiguous range).
    pub fn run_shard(
        &self,
        shard: Shard,
        progress: impl Fn(u64) + Sync,
    ) -> Result<SimulationSummary> {
        let mut summary = self.run_range(shard.runs(self.scenario.runs), progress)?;
        summary.shards = Some(ShardSet {
            count: shard.count,
            indices: vec![shard.index],
        });
        Ok(summary)
    }

    /// Runs the runs in `runs`, calling `progress` with the number of runs done after each
    /// chunk of runs. With the `rayon` feature, the runs of a chunk run in parallel; the result
    /// is the same, bit for bit, whatever the number of threads.
    pub fn run_range(
        &self,
        runs: Range<u64>,
        progress: impl Fn(u64) + Sync,
    ) -> Result<SimulationSummary> {
        let mut total: RunSummaries =
            vec![vec![Summary::default(); METRICS.len()]; self.policies.len()];
        let mut start = runs.start;
        while start < runs.end {
            let end = runs.end.min(start.saturating_add(CHUNK));
            for run in self.chunk(start..end)? {
                for (policy_total, policy_run) in total.iter_mut().zip(&run) {
                    for (t, r) in policy_total.iter_mut().zip(policy_run) {
                        t.merge(r);
                    }
                }
            }
            progress(end - runs.start);
            start = end;
        }
        Ok(SimulationSummary::new(
            &self.scenario,
            runs.end - runs.start,
            self.policies.iter().map(|(label, _)| label.to_string()),
            total,
        ))
    }

    #[cfg(feature = "rayon")]
    fn chunk(&self, runs: Range<u64>) -> Result<Vec<RunSummaries>> {
        use rayon::prelude::*;
        runs.into_par_iter().map(|r| self.run_one(r)).collect()
    }

    #[cfg(not(feature = "rayon"))]
    fn chunk(&self, runs: Range<u64>) -> Result<Vec<RunSummaries>> {
        runs.map(|r| self.run_one(r)).collect()
    }

    /// The roster of run `run`: the explicit one, or the generated organisations with their
    /// migrant-led flags drawn.
    fn roster(&self, run: u64) -> Result<Arc<Roster>> {
        if let Some(roster) = &self.fixed_roster {
            return Ok(roster.clone());
        }
        let Population::Generate(generator) = &self.scenario.population else {
            unreachable!("a fixed roster is built for explicit populations")
        };
        let mut rng = lot::seeded(derive_seed(self.scenario.seed, run, 0));
        let mut organisations = self.organisations.clone();
        for org in &mut organisations {
            let rate = generator
                .migrant_led_rate
                .get(&org.kind)
                .copied()
                .unwrap_or(0.0);
            org.migrant_led = lot::unit_interval(&mut rng) < rate;
        }
        Ok(Arc::new(Roster::new(
            organisations,
            self.scenario.grassroots_class.clone(),
        )?))
    }

    /// Every session's requests in run `run`, shared by all policies: each organisation's
    /// themes, then per session whether it asks (its kind's probability) and which of its
    /// themes it raises; inscription order is drawn by lot.
    fn requests(&self, run: u64, roster: &Roster) -> Vec<Vec<CheckedRequest>> {
        let behaviour = &self.scenario.behaviour;
        let mut rng = lot::seeded(derive_seed(self.scenario.seed, run, 1));
        let per_org = (behaviour.themes_per_organisation as usize).min(self.themes.len());
        let cares: Vec<Vec<Arc<str>>> = (0..roster.len())
            .map(|org| {
                let mut themes = self.themes.clone();
                let drawn = lot::draw_to_front(&mut rng, &mut themes, per_org);
                themes.truncate(drawn);
                themes.extend(self.regional_themes[org].iter().cloned());
                themes
            })
            .collect();
        let ask: Vec<f64> = Kind::ALL
            .iter()
            .map(|&kind| behaviour.ask_probability_of(kind))
            .collect();
        self.sessions
            .iter()
            .map(|session| {
                let mut requests = Vec::new();
                for (org, organisation) in roster.organisations().iter().enumerate() {
                    if lot::unit_interval(&mut rng) >= ask[organisation.kind.index()] {
                        continue;
                    }
                    let theme = match cares[org].len() {
                        0 => None,
                        n => Some(
                            cares[org][lot::uniform_below(&mut rng, n as u64) as usize].clone(),
                        ),
                    };
                    requests.push(CheckedRequest {
                        organisation: org as u32,
                        minutes: session.minutes_per_slot,
                        theme,
                    });
                }
                let n = requests.len();
                lot::draw_to_front(&mut rng, &mut requests, n);
                requests
            })
            .collect()
    }

    /// Run `run`: the population and requests drawn once, then every policy through every
    /// session with its own history and generator.
    pub fn run_one(&self, run: u64) -> Result<Vec<Vec<Summary>>> {
        let roster = self.roster(run)?;
        let requests = self.requests(run, &roster);
        self.policies
            .iter()
            .enumerate()
            .map(|(p, (_, policy))| {
                let mut rng = lot::seeded(derive_seed(self.scenario.seed, run, 2 + p as u64));
                let mut summaries = vec![Summary::default(); METRICS.len()];
                let mut history = History::new(roster.len());
                let mut process = ProcessTally::new(roster.len());
                let mut decision = Decision::new();
                for (index, (session, requests)) in self.sessions.iter().zip(&requests).enumerate()
                {
                    let checked = CheckedSession::from_requests(
                        session.clone(),
                        roster.clone(),
                        requests.clone(),
                        history,
                    )
                    .map_err(|e| e.within(&format!("sessions[{index}]")))?;
                    policy.decide(&checked, &mut rng, &mut decision)?;
                    record_session(
                        &mut summaries,
                        &SessionFigures::measure(&checked, &decision),
                    );
                    process.add(&checked, &decision);
                    history = checked.into_history();
                    remember(&mut history, &decision, &requests[..], index as u32);
                }
                // Only the two indices the summary reports (the others cost transcendentals).
                let slots = process.slots();
                if !slots.is_empty() {
                    // Counts are always in the indices' domain.
                    summaries[GINI_SLOTS].push_some(gini(&slots).ok());
                    summaries[NEVER_HEARD_SHARE].push_some(never_heard_share(&slots).ok());
                }
                Ok(summaries)
            })
            .collect()
    }
}

/// Pushes one session's values, in [`METRICS`] order (the process metrics come per run).
fn record_session(summaries: &mut [Summary], figures: &SessionFigures) {
    let values = [
        Some(f64::from(figures.granted())),
        figures.class_slot_share(),
        figures.class_request_share(),
        figures.kind_slot_share(Kind::InternationalNgo),
        figures.class_mean_position(),
        figures.region_disproportionality().map(|d| d.gallagher),
        figures.region_entropy(),
        figures.late_share(),
        figures.themes_heard_share(),
        figures.first_time_share(),
    ];
    for (summary, value) in summaries.iter_mut().zip(values) {
        summary.push_some(value);
    }
}

/// Adds the session's grants to the history.
fn remember(history: &mut History, decision: &Decision, requests: &[CheckedRequest], session: u32) {
    for grant in decision.picks() {
        let org = requests[grant.request as usize].organisation as usize;
        if let Some(record) = history.get_mut(org) {
            record.slots += 1;
            record.minutes += u64::from(grant.minutes);
            record.last_session = Some(session);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_positions_match_their_names() {
        assert_eq!(METRICS[GINI_SLOTS], "gini_slots");
        assert_eq!(METRICS[NEVER_HEARD_SHARE], "never_heard_share");
        // record_session fills the per-session metrics, in order, before the per-run ones.
        let mut summaries = vec![Summary::default(); METRICS.len()];
        record_session(&mut summaries, &SessionFigures::default());
        assert_eq!(summaries[0].n, 1, "slots_granted is always defined");
        assert!(summaries[GINI_SLOTS..].iter().all(|s| s.n == 0));
    }

    #[test]
    fn history_remembers_each_grant() {
        let requests = vec![
            CheckedRequest {
                organisation: 2,
                minutes: 3,
                theme: None,
            },
            CheckedRequest {
                organisation: 0,
                minutes: 2,
                theme: None,
            },
        ];
        let roster = Roster::new(
            (0..3)
                .map(|i| Organisation::new(format!("o{i}"), "r", Kind::Grassroots))
                .collect(),
            Default::default(),
        )
        .unwrap();
        let session = CheckedSession::from_requests(
            Session::new("s", 2),
            Arc::new(roster),
            requests.clone(),
            History::default(),
        )
        .unwrap();
        let mut allocation = Decision::new();
        allocation.begin(&session);
        allocation.grant(1, crate::decision::GrantReason::Lottery, Default::default());
        allocation.finish(&session, None).unwrap();
        let mut history = History::new(3);
        remember(&mut history, &allocation, &requests, 4);
        remember(&mut history, &allocation, &requests, 5);
        assert_eq!(history.get(0).slots, 2);
        assert_eq!(history.get(0).minutes, 4);
        assert_eq!(history.get(0).last_session, Some(5));
        assert_eq!(history.get(2).slots, 0);
    }
}
