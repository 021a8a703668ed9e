//! What a simulation reports: per policy, per metric, n, mean, M2 and a 95% interval.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::{METRICS, Scenario};
use crate::metrics::Summary;
use crate::{Error, ErrorKind, Result};

/// A part of a simulation's runs: shard `index` of `count` holds the contiguous runs
/// `⌊index·R/count⌋ .. ⌊(index+1)·R/count⌋` of R runs. Written `index/count` (`0/4` … `3/4`).
///
/// ```
/// use floorshare::sim::Shard;
///
/// let shard: Shard = "1/4".parse()?;
/// assert_eq!(shard.runs(10), 2..5);
/// assert!("4/4".parse::<Shard>().is_err());
/// # Ok::<(), floorshare::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// Which shard, from 0.
    pub index: u64,
    /// How many shards.
    pub count: u64,
}

impl Shard {
    /// The runs of this shard among `runs` runs.
    pub fn runs(&self, runs: u64) -> Range<u64> {
        let at = |i: u64| (u128::from(i) * u128::from(runs) / u128::from(self.count)) as u64;
        at(self.index)..at(self.index + 1)
    }
}

impl FromStr for Shard {
    type Err = Error;

    /// Reads `i/n` (`0/4`, spaces around the numbers allowed).
    ///
    /// # Errors
    ///
    /// Naming `shard`: [`ErrorKind::Syntax`] when the text is not two unsigned integers
    /// separated by `/`, [`ErrorKind::OutOfRange`] when `i ≥ n`.
    fn from_str(s: &str) -> Result<Self> {
        let invalid =
            |kind| Error::invalid_as(kind, "shard", format!("{s:?}"), "is not i/n with i < n");
        let syntax = || invalid(ErrorKind::Syntax);
        let (index, count) = s.split_once('/').ok_or_else(syntax)?;
        let index: u64 = index.trim().parse().map_err(|_| syntax())?;
        let count: u64 = count.trim().parse().map_err(|_| syntax())?;
        if index >= count {
            return Err(invalid(ErrorKind::OutOfRange));
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// One policy's summaries, by metric name (see [`METRICS`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicySummary {
    /// The policy's label.
    pub name: String,
    /// Each metric's summary.
    pub metrics: BTreeMap<String, Summary>,
}

/// Which shards of a simulation a summary holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardSet {
    /// Into how many shards the runs were split.
    pub count: u64,
    /// The shards held, ascending.
    pub indices: Vec<u64>,
}

/// The summary of a simulation, or of some shards of it:
/// `{"scenario", "runs", "seed", "total_runs", "shards", "floorshare", "policies": [{"name",
/// "metrics": {"<metric>": {"n", "mean", "m2", "ci_low", "ci_high"}}}]}`. `runs` counts the
/// runs it holds, `total_runs` those of the whole simulation; `shards` says which shards it
/// holds, and is absent once it holds all of them (or for a run that was not sharded).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimulationSummary {
    /// The scenario's name.
    pub scenario: String,
    /// Runs summarised.
    pub runs: u64,
    /// The master seed.
    pub seed: u64,
    /// Runs of the whole simulation.
    pub total_runs: u64,
    /// The shards this summary holds; absent when it holds every run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shards: Option<ShardSet>,
    /// Version of floorshare that ran it.
    pub floorshare: String,
    /// Per policy, in the scenario's order.
    pub policies: Vec<PolicySummary>,
}

impl SimulationSummary {
    pub(crate) fn new(
        scenario: &Scenario,
        runs: u64,
        labels: impl Iterator<Item = String>,
        summaries: Vec<Vec<Summary>>,
    ) -> Self {
        let policies = labels
            .zip(summaries)
            .map(|(name, metrics)| PolicySummary {
                name,
                metrics: METRICS.iter().map(|m| m.to_string()).zip(metrics).collect(),
            })
            .collect();
        SimulationSummary {
            scenario: scenario.name.clone(),
            runs,
            seed: scenario.seed,
            total_runs: scenario.runs,
            shards: None,
            floorshare: env!("CARGO_PKG_VERSION").to_string(),
            policies,
        }
    }

    /// Adds the runs summarised by `other`, other shards of the same simulation: metric by
    /// metric with Chan's formula. Once every shard is in, `shards` is dropped.
    ///
    /// # Errors
    ///
    /// - [`ErrorKind::Mismatch`] naming `scenario`, `seed`, `total_runs`, `shards.count` or
    ///   `policies` when the two do not describe the same simulation, or `shards` when either
    ///   is not made of shards;
    /// - [`ErrorKind::DuplicateId`] naming `shards.indices` when they share a shard (which
    ///   would count its runs twice).
    ///
    /// # Example
    ///
    /// ```
    /// use floorshare::sim::{Scenario, Simulation};
    ///
    /// let scenario = Scenario::from_json_str(r#"{
    ///     "name": "tiny", "runs": 40, "seed": 3,
    ///     "population": {"generate": {"counts": {"asia": {"grassroots": 4, "international_ngo": 2}}}},
    ///     "sessions": [{"id": "s", "slots": 1}],
    ///     "behaviour": {"ask_probability": {"international_ngo": 1.0, "grassroots": 0.5}},
    ///     "policies": [{"label": "baseline", "policy": {"name": "chair_discretion"}}]
    /// }"#)?;
    /// let simulation = Simulation::new(scenario)?;
    /// let whole = simulation.run_all()?;
    /// let mut merged = simulation.run_shard("0/2".parse()?, |_| {})?;
    /// merged.merge(&simulation.run_shard("1/2".parse()?, |_| {})?)?;
    /// assert_eq!(merged.runs, whole.runs);
    /// let (a, b) = (&merged.policies[0].metrics["gini_slots"], &whole.policies[0].metrics["gini_slots"]);
    /// assert_eq!(a.n, b.n);
    /// assert!((a.mean - b.mean).abs() <= 1e-9 * b.mean.abs());
    /// # Ok::<(), floorshare::Error>(())
    /// ```
    pub fn merge(&mut self, other: &SimulationSummary) -> Result<()> {
        if other.scenario != self.scenario {
            return Err(Error::invalid_as(
                ErrorKind::Mismatch,
                "scenario",
                format!("{:?}", other.scenario),
                format!("differs from {:?}", self.scenario),
            ));
        }
        if other.seed != self.seed {
            return Err(Error::invalid_as(
                ErrorKind::Mismatch,
                "seed",
                other.seed,
                format!("differs from {}", self.seed),
            ));
        }
        if other.total_runs != self.total_runs {
            return Err(Error::invalid_as(
                ErrorKind::Mismatch,
                "total_runs",
                other.total_runs,
                format!("differs from {}", self.total_runs),
            ));
        }
        let (Some(mine), Some(theirs)) = (&self.shards, &other.shards) else {
            return Err(Error::invalid_as(
                ErrorKind::Mismatch,
                "shards",
                "none",
                "says a summary holds every run already: only shards merge",
            ));
        };
        if mine.count != theirs.count {
            return Err(Error::invalid_as(
                ErrorKind::Mismatch,
                "shards.count",
                theirs.count,
                format!("differs from {}", mine.count),
            ));
        }
        if let Some(twice) = theirs.indices.iter().find(|i| mine.indices.contains(i)) {
            return Err(Error::invalid_as(
                ErrorKind::DuplicateId,
                "shards.indices",
                twice,
                "is a shard merged already: its runs would count twice",
            ));
        }
        let mut indices = mine.indices.clone();
        indices.extend(&theirs.indices);
        indices.sort_unstable();
        let count = mine.count;
        let labels = |s: &SimulationSummary| {
            s.policies
                .iter()
                .map(|p| p.name.clone())
                .collect::<Vec<_>>()
        };
        if labels(other) != labels(self) {
            return Err(Error::invalid_as(
                ErrorKind::Mismatch,
                "policies",
                format!("{:?}", labels(other)),
                format!("differ from {:?}", labels(self)),
            ));
        }
        for (mine, theirs) in self.policies.iter_mut().zip(&other.policies) {
            for (name, summary) in &theirs.metrics {
                mine.metrics.entry(name.clone()).or_default().merge(summary);
            }
        }
        self.runs += other.runs;
        self.shards = (indices.len() as u64 != count).then_some(ShardSet { count, indices });
        Ok(())
    }
}
