//! Monte Carlo simulation of whole processes: many runs of a scenario's sessions under each
//! policy, with the metrics summarised over runs.
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
//! process metrics (`gini_slots`, `never_heard_share`, `never_voiced_share`) one value per run.
//!
//! **Joint statements.** A scenario may merge each session's requesters into one statement
//! per value of a category ([`JointStatements`], the 2018 regional focal points): a
//! deterministic step after the requests are drawn, so the draws stay common to every policy
//! (and to the same scenario without joint statements). A policy may have its own setting
//! ([`PolicyJointStatements`]: another category, or none), so that policies with and without
//! joint statements are compared in one scenario, paired: a run merges the drawn requests
//! once per distinct setting and checks its sessions once per setting, not once per policy.
//! `voice_share` and `never_voiced_share` then count the co-signatories' voices; without
//! joint statements they equal the share of requesting organisations heard and
//! `never_heard_share`.
//!
//! **Memory.** A run reuses one [`Workspace`] (per thread): the requests, the checked session,
//! the decision buffer and the metric counts are refilled in place, so that simulating a
//! session allocates nothing once the workspace is warm (a test with a counting allocator
//! checks it).
//!
//! **Shards.** [`Shard`] `i/n` runs the contiguous range of runs
//! `⌊i·R/n⌋ .. ⌊(i+1)·R/n⌋`; merging the shards' summaries ([`SimulationSummary::merge`]) gives
//! the full run's summary to rounding (1e-9 relative).
//!
//! **Sweeps.** A scenario may sweep one parameter over a list of values
//! ([`SweepSimulation`], module `sweep`): every value runs the same runs with the same seeds.
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

mod behaviour;
mod metric;
mod organisations;
mod scenario;
mod seeds;
mod summary;
mod sweep;

use std::ops::Range;
use std::sync::Arc;

pub use metric::{METRICS, Metric};
pub use organisations::{OrganisationCounts, OrganisationSpread, Spread};
pub use scenario::{
    Behaviour, JointStatements, LabelledPolicy, PolicyJointStatements, Population,
    PopulationGenerator, Scenario,
};
pub use seeds::{POPULATION_STREAM, REQUESTS_STREAM, derive_seed, policy_stream};
pub use summary::{MAX_NAME, PolicySummary, Shard, ShardSet, SimulationSummary};
pub use sweep::{
    AnySummary, MAX_SWEEP_RUNS, Sweep, SweepSimulation, SweepSummary, SweepValue, SweptSummaries,
    ValueSummary,
};

use crate::decision::Decision;
use crate::lot;
use crate::metrics::{ProcessTally, SessionFigures, Summary, gini_in_place, never_heard_share};
use crate::model::{CheckedSession, History, Session};
use crate::policy::{Registry, built_in};
use crate::{Error, Result};

/// Runs merged at once: the unit of parallel work and of progress reports.
const CHUNK: u64 = 256;

/// A checked scenario, ready to run: policies built, the population's roster built once,
/// themes interned.
#[derive(Debug)]
pub struct Simulation {
    scenario: Scenario,
    policies: Vec<scenario::BuiltPolicy>,
    sessions: Vec<Arc<Session>>,
    behaviour: behaviour::Behaviour,
}

/// The memory one thread reuses from run to run: the run's requests, one checked session per
/// session of the process (checked once per run and joint-statement setting, whatever the
/// number of policies), the
/// history a policy carries through them, the decision buffer, the metric counts and the
/// run's summaries. Get one from [`Simulation::workspace`].
#[derive(Debug)]
pub struct Workspace {
    draws: behaviour::Draws,
    checked: Vec<CheckedSession>,
    history: History,
    flags: Vec<bool>,
    decision: Decision,
    figures: SessionFigures,
    process: ProcessTally,
    values: Vec<f64>,
    summaries: Vec<Vec<Summary>>,
    /// Per policy, with an explicit population: each organisation's counts over the runs
    /// this workspace ran since they were last taken.
    organisations: Vec<OrganisationCounts>,
}

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
    /// As [`Scenario::check_with`], and errors of the population (`population…`);
    /// [`ErrorKind::UnknownField`](crate::ErrorKind::UnknownField) naming `sweep` when the
    /// scenario has a sweep (it runs with [`SweepSimulation`]).
    pub fn with_registry(scenario: Scenario, registry: &Registry) -> Result<Self> {
        if let Some(sweep) = &scenario.sweep {
            return Err(Error::invalid_as(
                crate::ErrorKind::UnknownField,
                "sweep",
                format!("{:?}", sweep.parameter),
                "is a sweep: the scenario runs once per value with SweepSimulation",
            ));
        }
        scenario.check_with(registry)?;
        let policies = scenario.build_policies(registry)?;
        let behaviour = behaviour::Behaviour::new(&scenario)?;
        let sessions = scenario.sessions.iter().cloned().map(Arc::new).collect();
        Ok(Simulation {
            scenario,
            policies,
            sessions,
            behaviour,
        })
    }

    /// The scenario.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// A workspace for [`Simulation::run_into`]: one roster its sessions share (a copy of a
    /// generated population's, so each run can redraw the flags in place, or the explicit
    /// roster itself). The sessions hold no history of their own: the policy's is swapped in
    /// while it goes through them, so a workspace holds one roster and one history however
    /// many sessions the process has.
    pub fn workspace(&self) -> Workspace {
        let organisations = self.behaviour.roster.len();
        let roster = if self.behaviour.is_generated() {
            Arc::new((*self.behaviour.roster).clone())
        } else {
            self.behaviour.roster.clone()
        };
        let checked = self
            .sessions
            .iter()
            .map(|session| {
                CheckedSession::from_requests(
                    session.clone(),
                    roster.clone(),
                    Vec::new(),
                    self.behaviour.themes.clone(),
                    History::default(),
                )
                .expect("the scenario's sessions are checked")
            })
            .collect();
        Workspace {
            draws: behaviour::Draws::default(),
            checked,
            history: History::new(organisations),
            flags: Vec::with_capacity(organisations),
            decision: Decision::new(),
            figures: SessionFigures::default(),
            process: ProcessTally::new(organisations),
            values: Vec::with_capacity(organisations),
            summaries: vec![vec![Summary::default(); Metric::ALL.len()]; self.policies.len()],
            organisations: self.organisation_counts(),
        }
    }

    /// Runs every run of the scenario.
    ///
    /// # Errors
    ///
    /// A policy's error on a simulated session, naming `sessions[i]` where the session is at
    /// fault, and `policies[p].…` (`policies[2].policy.weights`) for policy `p`'s own errors.
    /// The scenario's check finds before the first run what can be found without running
    /// ([`Scenario::check_with`]), so these are errors only a draw can reveal (quotas of a
    /// `fair_lottery` that the drawn requesters cannot meet).
    pub fn run_all(&self) -> Result<SimulationSummary> {
        self.run_range(0..self.scenario.runs, |_| {})
    }

    /// Runs the runs of `shard` (a contiguous range).
    ///
    /// # Errors
    ///
    /// As [`Simulation::run_all`].
    pub fn run_shard(
        &self,
        shard: Shard,
        progress: impl Fn(u64) + Sync,
    ) -> Result<SimulationSummary> {
        let mut summary = self.run_range(shard.runs(self.scenario.runs), progress)?;
        summary.shards = Some(ShardSet::one(shard));
        Ok(summary)
    }

    /// Runs the runs in `runs`, calling `progress` with the number of runs done after each
    /// chunk of runs. With the `rayon` feature, the runs of a chunk run in parallel; the result
    /// is the same, bit for bit, whatever the number of threads.
    ///
    /// # Errors
    ///
    /// As [`Simulation::run_all`].
    pub fn run_range(
        &self,
        runs: Range<u64>,
        progress: impl Fn(u64) + Sync,
    ) -> Result<SimulationSummary> {
        let mut total = Totals::new(self.policies.len(), self.scenario.baseline_index());
        total.organisations = self.organisation_counts();
        let mut workspace = self.workspace();
        let mut start = runs.start;
        while start < runs.end {
            let end = runs.end.min(start.saturating_add(CHUNK));
            self.chunk(start..end, &mut workspace, &mut total)?;
            progress(end - runs.start);
            start = end;
        }
        Ok(SimulationSummary::new(
            &self.scenario,
            runs.end - runs.start,
            self.policies.iter().map(|(label, _)| label.to_string()),
            total.values,
            total.diffs,
            total.organisations,
        ))
    }

    /// Zero counts per policy for an explicit population's organisations; none for a
    /// generated one (its organisations are drawn anew, with made-up ids).
    fn organisation_counts(&self) -> Vec<OrganisationCounts> {
        match self.scenario.population {
            scenario::Population::Organisations(_) => {
                let counts = OrganisationCounts::new(self.behaviour.roster.len());
                vec![counts; self.policies.len()]
            }
            _ => Vec::new(),
        }
    }

    /// Runs `runs` and merges their summaries into `total`, in run order. The runs are split
    /// into one contiguous part per thread, each run through one workspace.
    #[cfg(feature = "rayon")]
    fn chunk(
        &self,
        runs: Range<u64>,
        _workspace: &mut Workspace,
        total: &mut Totals,
    ) -> Result<()> {
        use rayon::prelude::*;
        let parts = rayon::current_num_threads().max(1) as u64;
        let length = runs.end - runs.start;
        // Per part: each run's summaries [policy][metric], and the part's counts.
        type Part = (Vec<Vec<Vec<Summary>>>, Vec<OrganisationCounts>);
        let summaries: Vec<Part> = (0..parts)
            .into_par_iter()
            .map(|part| {
                let start = runs.start + length * part / parts;
                let end = runs.start + length * (part + 1) / parts;
                let mut workspace = self.workspace();
                let runs = (start..end)
                    .map(|run| self.run_into(run, &mut workspace).map(<[_]>::to_vec))
                    .collect::<Result<Vec<_>>>()?;
                Ok((runs, workspace.organisations))
            })
            .collect::<Result<_>>()?;
        for (runs, mut counts) in summaries {
            for run in &runs {
                total.add(run);
            }
            total.add_counts(&mut counts);
        }
        Ok(())
    }

    /// Runs `runs` and merges their summaries into `total`, in run order.
    #[cfg(not(feature = "rayon"))]
    fn chunk(&self, runs: Range<u64>, workspace: &mut Workspace, total: &mut Totals) -> Result<()> {
        for run in runs {
            total.add(self.run_into(run, workspace)?);
        }
        total.add_counts(&mut workspace.organisations);
        Ok(())
    }

    /// Run `run` on its own: its summaries `[policy][metric]`, in [`Metric::ALL`] order.
    ///
    /// # Errors
    ///
    /// As [`Simulation::run_all`].
    pub fn run_one(&self, run: u64) -> Result<Vec<Vec<Summary>>> {
        self.run_into(run, &mut self.workspace()).map(<[_]>::to_vec)
    }

    /// Run `run` in `workspace`: the population and requests drawn once, then every policy
    /// through every session with its own history and generator. Returns the run's summaries
    /// `[policy][metric]`, in [`Metric::ALL`] order. Allocates nothing once `workspace` has
    /// seen a run as large.
    ///
    /// # Errors
    ///
    /// As [`Simulation::run_all`]; an error naming `workspace` when `workspace` was not made
    /// by this simulation's [`Simulation::workspace`].
    pub fn run_into<'w>(
        &self,
        run: u64,
        workspace: &'w mut Workspace,
    ) -> Result<&'w [Vec<Summary>]> {
        let seed = self.scenario.seed;
        let fits = workspace.checked.len() == self.sessions.len()
            && workspace.summaries.len() == self.policies.len()
            && workspace
                .checked
                .iter()
                .all(|c| c.roster().len() == self.behaviour.roster.len());
        if !fits {
            return Err(Error::invalid(
                "workspace",
                "given",
                "is not one of this simulation's (see Simulation::workspace)",
            ));
        }
        let Workspace {
            draws,
            checked,
            history,
            flags,
            decision,
            figures,
            process,
            values,
            summaries,
            organisations: counts,
        } = workspace;
        if self.behaviour.is_generated() {
            let mut rng = lot::seeded(derive_seed(seed, run, POPULATION_STREAM));
            self.behaviour.draw_population(&mut rng, flags);
            CheckedSession::update_shared_roster(checked, |roster| {
                for (org, &migrant_led) in flags.iter().enumerate() {
                    roster.set_migrant_led(org, migrant_led);
                }
            })
            .expect("the workspace's sessions alone share its roster");
        }
        let roster = &self.behaviour.roster;
        let mut rng = lot::seeded(derive_seed(seed, run, REQUESTS_STREAM));
        self.behaviour
            .draw_requests(&mut rng, roster, &self.sessions, draws);
        let organisations = roster.len();
        // The policies grouped by joint-statement setting: each setting's statements merged
        // (by this run's roster, its migrant-led flags drawn above) and the sessions checked
        // once, for all its policies.
        let mut checked_for = None;
        for (setting, p) in self.behaviour.policies_by_setting() {
            if checked_for != Some(setting) {
                let run_roster = checked.first().map_or(roster, |c| c.roster());
                self.behaviour.join(setting, run_roster, draws);
                for (index, (checked, session)) in
                    checked.iter_mut().zip(&self.sessions).enumerate()
                {
                    let (requests, cosigners, on_behalf_of) = draws.session(index);
                    checked
                        .next_session_joint(session.clone(), requests, cosigners, on_behalf_of)
                        .map_err(|e| e.within(&format!("sessions[{index}]")))?;
                }
                checked_for = Some(setting);
            }
            let (policy, summaries) = (&self.policies[p].1, &mut summaries[p]);
            let mut rng = lot::seeded(derive_seed(seed, run, policy_stream(p)));
            summaries.fill(Summary::default());
            history.reset(organisations);
            process.reset(organisations);
            for (index, checked) in checked.iter_mut().enumerate() {
                // The policy's own history goes through the sessions of its process.
                std::mem::swap(checked.history_mut(), history);
                // A policy's error names its field as the session tool would (`policy.weights`):
                // placed under the policy's index, it is the scenario's path.
                policy
                    .decide(checked, &mut rng, decision)
                    .map_err(|e| e.within(&format!("policies[{p}]")))?;
                figures.measure_into(checked, decision);
                for metric in Metric::ALL.into_iter().filter(|m| !m.per_run()) {
                    summaries[metric.index()].push_some(metric.of_session(figures));
                }
                process.add(checked, decision);
                if let Some(counts) = counts.get_mut(p) {
                    counts.add(checked, decision);
                }
                remember(checked, decision, index as u32);
                std::mem::swap(checked.history_mut(), history);
            }
            // Only the two indices the summary reports (the others cost transcendentals).
            process.slots_into(values);
            if !values.is_empty() {
                // Counts are always in the indices' domain.
                summaries[Metric::NeverHeardShare.index()]
                    .push_some(never_heard_share(values).ok());
                summaries[Metric::GiniSlots.index()].push_some(gini_in_place(values).ok());
            }
            if process.voice_askers() > 0 {
                summaries[Metric::NeverVoicedShare.index()].push(process.never_voiced_share());
            }
        }
        for counts in counts.iter_mut() {
            counts.runs += 1;
        }
        Ok(summaries)
    }
}

/// The summaries of the runs so far, `[policy][metric]` in [`Metric::ALL`] order: of each
/// metric's values, and of its paired differences from the baseline policy.
struct Totals {
    values: Vec<Vec<Summary>>,
    diffs: Vec<Vec<Summary>>,
    baseline: usize,
    organisations: Vec<OrganisationCounts>,
}

impl Totals {
    fn new(policies: usize, baseline: usize) -> Self {
        let empty = vec![vec![Summary::default(); Metric::ALL.len()]; policies];
        Totals {
            values: empty.clone(),
            diffs: empty,
            baseline,
            organisations: Vec::new(),
        }
    }

    /// Moves a workspace's counts per organisation into the total: added, then zeroed in
    /// place (the workspace goes on counting the next runs without allocating).
    fn add_counts(&mut self, counts: &mut [OrganisationCounts]) {
        for (total, counts) in self.organisations.iter_mut().zip(counts) {
            total
                .merge(counts)
                .expect("counts of one simulation's runs fit (at most 10⁹ runs)");
            counts.clear();
        }
    }

    /// Adds one run's summaries. Its paired difference for a policy and metric is the run's
    /// value under the policy less the baseline's (a per-session metric's value in a run being
    /// its mean over the run's sessions); a run where either is undefined adds none.
    fn add(&mut self, run: &[Vec<Summary>]) {
        let baseline = &run[self.baseline];
        for ((values, diffs), policy) in self.values.iter_mut().zip(&mut self.diffs).zip(run) {
            for (((value, diff), own), base) in
                values.iter_mut().zip(diffs).zip(policy).zip(baseline)
            {
                value.merge(own);
                if own.n > 0 && base.n > 0 {
                    diff.push(own.mean - base.mean);
                }
            }
        }
    }
}

/// Adds the session's grants to the history the checked session carries.
fn remember(checked: &mut CheckedSession, decision: &Decision, session: u32) {
    checked.record(
        decision
            .picks()
            .iter()
            .map(|pick| (pick.request, pick.minutes)),
        session,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Category, CheckedRequest, Kind, Organisation, Roster};

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
        let mut session = CheckedSession::from_requests(
            Session::new("s", 2),
            Arc::new(roster),
            requests,
            Arc::from([]),
            History::new(3),
        )
        .unwrap();
        let mut decision = Decision::new();
        decision.begin(&session);
        decision.grant(1, crate::decision::GrantReason::Lottery, Default::default());
        decision.finish(&session, None).unwrap();
        remember(&mut session, &decision, 4);
        remember(&mut session, &decision, 5);
        let history = session.history();
        assert_eq!(history.get(0).slots, 2);
        assert_eq!(history.get(0).minutes, 4);
        assert_eq!(history.get(0).last_session, Some(5));
        assert_eq!(history.get(2).slots, 0);
    }

    #[test]
    fn a_workspace_gives_the_same_runs_as_fresh_ones() {
        let scenario =
            Scenario::from_json_str(include_str!("../../examples/scenarios/gcm_2017.json"))
                .unwrap();
        for joint in [None, Some("region"), Some("class"), Some("mixed")] {
            let mut scenario = scenario.clone();
            scenario.behaviour.joint_statements =
                joint.map(|by| JointStatements::by(by.replace("mixed", "region").parse().unwrap()));
            if joint == Some("mixed") {
                // Settings interleaved over the policies: region, none, class, region, none, …
                for (p, labelled) in scenario.policies.iter_mut().enumerate() {
                    labelled.joint_statements = match p % 3 {
                        0 => None,
                        1 => Some(PolicyJointStatements::None),
                        _ => Some(PolicyJointStatements::By(Category::Class)),
                    };
                }
            }
            let simulation = Simulation::new(scenario).unwrap();
            let mut workspace = simulation.workspace();
            for run in [3, 0, 7, 3] {
                let reused = simulation.run_into(run, &mut workspace).unwrap().to_vec();
                assert_eq!(
                    reused,
                    simulation.run_one(run).unwrap(),
                    "{joint:?} run {run}"
                );
            }
        }
    }

    /// What keeps a population of millions within memory: a workspace's sessions share one
    /// roster, and that roster shares its organisations with the simulation's.
    #[test]
    fn a_workspace_holds_one_roster_sharing_the_organisations() {
        let simulation = Simulation::new(
            Scenario::from_json_str(include_str!("../../examples/scenarios/gcm_2017.json"))
                .unwrap(),
        )
        .unwrap();
        let mut workspace = simulation.workspace();
        for run in [0, 1] {
            simulation.run_into(run, &mut workspace).unwrap();
            let first = workspace.checked[0].roster();
            assert!(workspace.checked.len() > 1);
            assert!(
                workspace
                    .checked
                    .iter()
                    .all(|c| Arc::ptr_eq(c.roster(), first))
            );
            assert!(std::ptr::eq(
                first.organisations(),
                simulation.behaviour.roster.organisations()
            ));
        }
    }

    #[test]
    fn statements_that_merge_no_one_change_nothing() {
        // Every organisation has its own country: each value has one requester, so the joint
        // statements are the requests themselves and every figure is as without them.
        let organisations: Vec<Organisation> = (0..40)
            .map(|i| {
                let kind = if i % 4 == 0 {
                    Kind::InternationalNgo
                } else {
                    Kind::Grassroots
                };
                let mut org = Organisation::new(format!("o{i}"), ["asia", "africa"][i % 2], kind);
                org.country = Some(format!("c{i}"));
                org
            })
            .collect();
        let mut scenario = Scenario::from_json_str(&format!(
            r#"{{"name": "x", "population": {{"organisations": {}}},
                "sessions": [{{"id": "s1", "slots": 2}}, {{"id": "s2", "slots": 3}}],
                "behaviour": {{"ask_probability": {{"grassroots": 0.3, "international_ngo": 0.9}}}},
                "policies": [{{"label": "chair", "policy": {{"name": "chair_discretion"}}}},
                             {{"label": "regions", "policy": {{"name": "regional_balance"}}}}],
                "runs": 30, "seed": 3}}"#,
            serde_json::to_string(&organisations).unwrap()
        ))
        .unwrap();
        let plain = Simulation::new(scenario.clone())
            .unwrap()
            .run_all()
            .unwrap();
        scenario.behaviour.joint_statements = Some(JointStatements::by(Category::Country));
        let joint = Simulation::new(scenario).unwrap().run_all().unwrap();
        assert_eq!(plain, joint);
        for policy in &plain.policies {
            assert_eq!(
                policy.metrics["never_voiced_share"],
                policy.metrics["never_heard_share"]
            );
        }
    }
}
