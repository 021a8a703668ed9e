//! What a simulation reports: per policy, per metric, n, mean, M2 and a 95% interval.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::organisations::CountsJson;
use super::{METRICS, Metric, OrganisationCounts, Population, Scenario};
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

/// One policy's summaries, by metric name (see [`METRICS`]): of the metric's values, and of
/// its paired differences from the baseline policy.
///
/// A paired difference is taken run by run: the policy's value in a run less the baseline's
/// in the same run (a per-session metric's value in a run is its mean over the run's
/// sessions), over the runs where both are defined. Every policy of a run sees the same
/// population and the same requests (common random numbers), so the differences' interval is
/// far tighter than the two policies' own intervals would suggest: a difference is
/// significant when its 95% interval excludes 0 ([`PolicySummary::significant`]). The
/// baseline's own differences are 0.
///
/// JSON: `{"name", "metrics": {"<metric>": {"n", "mean", "m2", "ci_low", "ci_high", "diff":
/// {"n", "mean", "m2", "ci_low", "ci_high"}}}}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(from = "PolicyDocument")]
pub struct PolicySummary {
    /// The policy's label.
    pub name: String,
    /// Each metric's summary.
    pub metrics: BTreeMap<String, Summary>,
    /// Each metric's paired difference from the baseline policy, run by run.
    pub diffs: BTreeMap<String, Summary>,
    /// With an explicit population: each organisation's sessions asked and granted, in the
    /// order of [`SimulationSummary::organisations`] (JSON: the counts, then the minimum and
    /// Gini of the selection probabilities and of the expected slots).
    pub organisations: Option<OrganisationCounts>,
}

impl PolicySummary {
    /// Whether the paired difference of `metric` from the baseline is significant: at least
    /// two runs, and a 95% interval that excludes 0.
    pub fn significant(&self, metric: &str) -> bool {
        self.diffs.get(metric).is_some_and(|diff| {
            let (low, high) = diff.ci95();
            diff.n >= 2 && (low > 0.0 || high < 0.0)
        })
    }
}

impl Serialize for PolicySummary {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct MetricJson<'a> {
            #[serde(flatten)]
            value: &'a Summary,
            diff: Summary,
        }
        #[derive(Serialize)]
        struct PolicyJson<'a> {
            name: &'a str,
            metrics: BTreeMap<&'a str, MetricJson<'a>>,
            #[serde(skip_serializing_if = "Option::is_none")]
            organisations: Option<CountsJson<'a>>,
        }
        let metrics = self
            .metrics
            .iter()
            .map(|(name, value)| {
                let diff = self.diffs.get(name).copied().unwrap_or_default();
                (name.as_str(), MetricJson { value, diff })
            })
            .collect();
        PolicyJson {
            name: &self.name,
            metrics,
            organisations: self.organisations.as_ref().map(CountsJson::new),
        }
        .serialize(serializer)
    }
}

/// Which shards of a simulation a summary holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardSet {
    /// Into how many shards the runs were split.
    pub count: u64,
    /// The shards held, ascending.
    pub indices: Vec<u64>,
}

impl ShardSet {
    /// The set of `shard` alone: what the summary of one shard's runs holds, for a plain
    /// simulation and a sweep alike.
    pub(crate) fn one(shard: Shard) -> Self {
        ShardSet {
            count: shard.count,
            indices: vec![shard.index],
        }
    }
}

/// The summary of a simulation, or of some shards of it:
/// `{"scenario", "runs", "seed", "total_runs", "shards", "floorshare", "baseline", "policies":
/// [{"name", "metrics": {"<metric>": {"n", "mean", "m2", "ci_low", "ci_high", "diff": {"n",
/// "mean", "m2", "ci_low", "ci_high"}}}}]}`, `diff` being the paired difference from the
/// baseline policy ([`PolicySummary`]). `runs` counts the
/// runs it holds, `total_runs` those of the whole simulation; `shards` says which shards it
/// holds, and is absent once it holds all of them (or for a run that was not sharded).
///
/// A summary read from a file is not trusted: [`SimulationSummary::from_json_str`] reads it
/// strictly and [`SimulationSummary::check`]s what it says about itself, and
/// [`SimulationSummary::merge`] checks both sides before it adds anything.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
    /// The label of the baseline policy, from which each policy's paired differences are
    /// taken.
    pub baseline: String,
    /// With an explicit population, the organisations' ids, in its order: the organisations
    /// each policy's [`PolicySummary::organisations`] counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisations: Option<Vec<String>>,
    /// Per policy, in the scenario's order.
    pub policies: Vec<PolicySummary>,
}

impl SimulationSummary {
    pub(crate) fn new(
        scenario: &Scenario,
        runs: u64,
        labels: impl Iterator<Item = String>,
        summaries: Vec<Vec<Summary>>,
        diffs: Vec<Vec<Summary>>,
        organisations: Vec<OrganisationCounts>,
    ) -> Self {
        let by_name = |summaries: Vec<Summary>| -> BTreeMap<String, Summary> {
            METRICS
                .iter()
                .map(|m| m.to_string())
                .zip(summaries)
                .collect()
        };
        let mut counts = organisations.into_iter();
        let policies: Vec<PolicySummary> = labels
            .zip(summaries.into_iter().zip(diffs))
            .map(|(name, (metrics, diffs))| PolicySummary {
                name,
                metrics: by_name(metrics),
                diffs: by_name(diffs),
                organisations: counts.next(),
            })
            .collect();
        let ids = match &scenario.population {
            Population::Organisations(list) if policies[0].organisations.is_some() => {
                Some(list.iter().map(|org| org.id.clone()).collect())
            }
            _ => None,
        };
        let baseline = policies[scenario.baseline_index()].name.clone();
        SimulationSummary {
            scenario: scenario.name.clone(),
            runs,
            seed: scenario.seed,
            total_runs: scenario.runs,
            shards: None,
            floorshare: env!("CARGO_PKG_VERSION").to_string(),
            baseline,
            organisations: ids,
            policies,
        }
    }

    /// Reads a summary written by [`Serialize`] (the simulation tool's `--json`), strictly:
    /// unknown fields, repeated keys and numbers that do not fit their field are refused, and
    /// the summary is then [`check`](SimulationSummary::check)ed, so that a merge never trusts
    /// what a file says about itself.
    ///
    /// # Errors
    ///
    /// - [`ErrorKind::Syntax`] naming `input` when the text is not JSON;
    /// - an error naming the field at fault when the document is not a summary:
    ///   [`ErrorKind::UnknownField`] (`shard` for `shards`), [`ErrorKind::MissingField`],
    ///   [`ErrorKind::WrongType`] (a `null` mean), [`ErrorKind::OutOfRange`] (a negative `n`, a
    ///   count above 2⁶⁴ − 1, `1e309`) or [`ErrorKind::DuplicateId`] (a metric given twice);
    /// - the errors of [`SimulationSummary::check`].
    ///
    /// ```
    /// use floorshare::sim::SimulationSummary;
    ///
    /// let err = SimulationSummary::from_json_str(r#"{"scenario": "s", "runs": 1, "seed": 0,
    ///     "total_runs": 3, "shard": {"count": 3, "indices": [1]}, "floorshare": "0.1.0",
    ///     "policies": []}"#).unwrap_err();
    /// assert_eq!(err.field(), "shard");
    /// assert!(err.to_string().contains("unknown field `shard`"), "{err}");
    /// ```
    pub fn from_json_str(json: &str) -> Result<Self> {
        let mut reader = serde_json::Deserializer::from_str(json);
        let document: SummaryDocument =
            serde_path_to_error::deserialize(&mut reader).map_err(|err| {
                let path = err.path().to_string();
                Error::from_path_to_error(&path, &err.into_inner())
            })?;
        reader
            .end()
            .map_err(|err| Error::from_serde_json("input", &err))?;
        let summary = document.into_summary();
        summary.check()?;
        Ok(summary)
    }

    /// Checks what the summary says about itself, as strictly as a scenario is checked:
    ///
    /// - `scenario` a name a scenario may have, `floorshare` a version (non-empty, at most
    ///   [`MAX_NAME`] characters, no control characters), `total_runs` positive;
    /// - `shards`, when present: `count` positive, `indices` non-empty, each within
    ///   `0..count` and none twice;
    /// - `runs` exactly the runs its shards hold of `total_runs` ([`Shard::runs`]), or
    ///   `total_runs` without `shards` (a summary of 33 runs of 50 is never a complete one);
    /// - `policies` non-empty, with distinct labels the scenario check accepts (letters,
    ///   digits, `_`, `-`, `.`: they are CSV and table cells);
    /// - every metric of [`METRICS`] present and no other, each with a finite `mean` within
    ///   its [`Metric::bounds`], a finite `m2` ≥ 0 and at most `n`·(range)²/4, `mean` and
    ///   `m2` zero when `n` = 0 and `m2` zero when `n` = 1; `n` of a per-run metric at most
    ///   `runs`; `n` of `slots_granted` (defined in every session) the same for every policy
    ///   and a multiple of `runs` (`runs` × sessions), and `n` of every other per-session
    ///   metric at most that.
    ///
    /// So every number a checked summary writes (the interval too) is finite.
    ///
    /// # Errors
    ///
    /// The first problem found, naming its field (`shards.indices[1]`,
    /// `policies[0].metrics.late_share.m2`): [`ErrorKind::OutOfRange`] for a value outside its
    /// range, [`ErrorKind::DuplicateId`] for a shard or label given twice,
    /// [`ErrorKind::Mismatch`] naming `runs` when the runs do not add up,
    /// [`ErrorKind::UnknownName`] or [`ErrorKind::MissingField`] naming
    /// `policies[i].metrics` for an unknown or a missing metric.
    pub fn check(&self) -> Result<()> {
        check_name("scenario", &self.scenario)?;
        check_name("floorshare", &self.floorshare)?;
        if self.total_runs == 0 {
            return Err(Error::invalid("total_runs", 0, "is not positive"));
        }
        let held = match &self.shards {
            None => self.total_runs,
            Some(set) => {
                if set.count == 0 {
                    return Err(Error::invalid("shards.count", 0, "is not positive"));
                }
                if set.indices.is_empty() {
                    return Err(Error::invalid("shards.indices", "[]", "is empty"));
                }
                let mut seen = BTreeSet::new();
                let mut held = 0u64;
                for (k, &index) in set.indices.iter().enumerate() {
                    let field = format!("shards.indices[{k}]");
                    if index >= set.count {
                        return Err(Error::invalid(
                            field,
                            index,
                            format!("is not a shard of {} (0 to {})", set.count, set.count - 1),
                        ));
                    }
                    if !seen.insert(index) {
                        return Err(Error::invalid_as(
                            ErrorKind::DuplicateId,
                            field,
                            index,
                            "is listed twice: its runs would count twice",
                        ));
                    }
                    let runs = Shard {
                        index,
                        count: set.count,
                    }
                    .runs(self.total_runs);
                    // Distinct shards hold disjoint runs: the sum stays within total_runs.
                    held += runs.end - runs.start;
                }
                held
            }
        };
        if self.runs != held {
            let of = match &self.shards {
                None => "the total_runs of a summary without shards".to_string(),
                Some(set) => format!(
                    "the {held} runs that shards {:?} of {} hold of {} runs",
                    set.indices, set.count, self.total_runs
                ),
            };
            return Err(Error::invalid_as(
                ErrorKind::Mismatch,
                "runs",
                self.runs,
                format!("is not {of}"),
            ));
        }
        if self.policies.is_empty() {
            return Err(Error::invalid("policies", "[]", "is empty"));
        }
        let mut labels = BTreeSet::new();
        let mut values_per_run = None;
        for (i, policy) in self.policies.iter().enumerate() {
            let field = format!("policies[{i}].name");
            check_label(&field, &policy.name)?;
            if !labels.insert(&policy.name) {
                return Err(Error::invalid_as(
                    ErrorKind::DuplicateId,
                    field,
                    format!("{:?}", policy.name),
                    "is used twice",
                ));
            }
            let metrics = format!("policies[{i}].metrics");
            check_metric_names(&metrics, &policy.metrics)?;
            // slots_granted is defined in every session: its n is runs × sessions.
            let sessions_n = self.metric(i, Metric::SlotsGranted)?.n;
            let field = format!("{metrics}.slots_granted.n");
            match values_per_run {
                None if self.runs == 0 && sessions_n != 0 => {
                    return Err(Error::invalid_as(
                        ErrorKind::Mismatch,
                        field,
                        sessions_n,
                        "is not 0, with no run",
                    ));
                }
                None if self.runs > 0 && sessions_n % self.runs != 0 => {
                    return Err(Error::invalid_as(
                        ErrorKind::Mismatch,
                        field,
                        sessions_n,
                        format!("is not a whole number of sessions for {} runs", self.runs),
                    ));
                }
                None => values_per_run = Some(sessions_n),
                Some(first) if first != sessions_n => {
                    return Err(Error::invalid_as(
                        ErrorKind::Mismatch,
                        field,
                        sessions_n,
                        format!("differs from policies[0]'s {first}"),
                    ));
                }
                Some(_) => {}
            }
            let baseline = policy.name == self.baseline;
            for metric in Metric::ALL {
                let most = if metric.per_run() {
                    self.runs
                } else {
                    sessions_n
                };
                let field = format!("{metrics}.{}", metric.name());
                let own = self.metric(i, metric)?;
                check_metric(&field, metric, own, most)?;
                let diff = self.policies[i].diffs.get(metric.name()).ok_or_else(|| {
                    Error::invalid_as(ErrorKind::MissingField, &field, "diff", "is missing")
                })?;
                // One difference per run where both the policy and the baseline have a value.
                let most = self.runs.min(own.n);
                check_diff(&format!("{field}.diff"), metric, diff, most, baseline)?;
            }
            check_metric_names(&format!("policies[{i}].diffs"), &policy.diffs)?;
        }
        self.check_organisations(values_per_run.unwrap_or(0) / self.runs.max(1))?;
        if !labels.contains(&self.baseline) {
            return Err(Error::invalid_as(
                ErrorKind::UnknownName,
                "baseline",
                format!("{:?}", cut(&self.baseline)),
                "is not the name of one of the policies",
            ));
        }
        Ok(())
    }

    /// The counts per organisation: with ids (distinct, non-empty), one set per policy, of
    /// this summary's runs, each organisation asking in at most `sessions_per_run` sessions a
    /// run; without, none.
    fn check_organisations(&self, sessions_per_run: u64) -> Result<()> {
        let Some(ids) = &self.organisations else {
            if let Some(i) = self.policies.iter().position(|p| p.organisations.is_some()) {
                return Err(Error::invalid_as(
                    ErrorKind::UnknownField,
                    format!("policies[{i}].organisations"),
                    "given",
                    "counts organisations the summary does not name (no `organisations`)",
                ));
            }
            return Ok(());
        };
        let mut seen = BTreeSet::new();
        for (k, id) in ids.iter().enumerate() {
            if id.is_empty() || !seen.insert(id) {
                return Err(Error::invalid_as(
                    ErrorKind::DuplicateId,
                    format!("organisations[{k}]"),
                    format!("{:?}", cut(id)),
                    "is empty or given before",
                ));
            }
        }
        for (i, policy) in self.policies.iter().enumerate() {
            let field = format!("policies[{i}].organisations");
            let counts = policy.organisations.as_ref().ok_or_else(|| {
                Error::invalid_as(ErrorKind::MissingField, &field, "none", "is missing")
            })?;
            if counts.runs != self.runs {
                return Err(Error::invalid_as(
                    ErrorKind::Mismatch,
                    format!("{field}.runs"),
                    counts.runs,
                    format!("is not the summary's {} runs", self.runs),
                ));
            }
            counts
                .check(ids.len(), sessions_per_run)
                .map_err(|e| e.within(&field))?;
        }
        Ok(())
    }

    /// Policy `i`'s summary of `metric`, or an error naming the missing metric.
    fn metric(&self, i: usize, metric: Metric) -> Result<&Summary> {
        self.policies[i].metrics.get(metric.name()).ok_or_else(|| {
            Error::invalid_as(
                ErrorKind::MissingField,
                format!("policies[{i}].metrics"),
                format!("{:?}", metric.name()),
                "is missing",
            )
        })
    }

    /// Adds the runs summarised by `other`, other shards of the same simulation: metric by
    /// metric with Chan's formula. Once every shard is in, `shards` is dropped. Both are
    /// [`check`](SimulationSummary::check)ed first and the result after, so that a merge
    /// never wraps a count, never makes a number that is not finite, and never labels a
    /// partial result complete; on error `self` is unchanged.
    ///
    /// # Errors
    ///
    /// - the errors of [`SimulationSummary::check`], of either summary or of the result;
    /// - [`ErrorKind::Mismatch`] naming `scenario`, `seed`, `total_runs`, `floorshare`,
    ///   `shards.count`, `policies` or `policies[i].metrics.slots_granted.n` (another number
    ///   of sessions per run) when the two do not describe the same simulation, or `shards`
    ///   when either is not made of shards;
    /// - [`ErrorKind::DuplicateId`] naming `shards.indices` when they share a shard (which
    ///   would count its runs twice);
    /// - [`ErrorKind::TooLarge`] naming `policies[i].metrics.<metric>.n` or `runs` when a
    ///   sum would overflow.
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
        self.check()?;
        other.check()?;
        // The fields that say which simulation a summary is of: (field, theirs, mine).
        let identity = [
            (
                "scenario",
                format!("{:?}", other.scenario),
                format!("{:?}", self.scenario),
            ),
            ("seed", other.seed.to_string(), self.seed.to_string()),
            (
                "total_runs",
                other.total_runs.to_string(),
                self.total_runs.to_string(),
            ),
            (
                "baseline",
                format!("{:?}", other.baseline),
                format!("{:?}", self.baseline),
            ),
        ];
        if let Some((field, theirs, mine)) = identity.into_iter().find(|(_, a, b)| a != b) {
            return Err(Error::invalid_as(
                ErrorKind::Mismatch,
                field,
                theirs,
                format!("differs from {mine}"),
            ));
        }
        if other.floorshare != self.floorshare {
            return Err(Error::invalid_as(
                ErrorKind::Mismatch,
                "floorshare",
                format!("{:?}", other.floorshare),
                format!(
                    "differs from {:?}: runs of two versions may differ",
                    self.floorshare
                ),
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
        // Both are checked: every metric is present, and slots_granted's n is runs × sessions.
        let sessions = |s: &SimulationSummary| {
            (s.runs > 0).then(|| s.policies[0].metrics[Metric::SlotsGranted.name()].n / s.runs)
        };
        if let (Some(mine), Some(theirs)) = (sessions(self), sessions(other))
            && mine != theirs
        {
            return Err(Error::invalid_as(
                ErrorKind::Mismatch,
                "policies[0].metrics.slots_granted.n",
                other.policies[0].metrics[Metric::SlotsGranted.name()].n,
                format!("says {theirs} sessions per run, not {mine}"),
            ));
        }
        let too_large = |field: String, a: u64, b: u64| {
            Error::invalid_as(
                ErrorKind::TooLarge,
                field,
                b,
                format!("overflows when added to {a}"),
            )
        };
        if other.organisations != self.organisations {
            return Err(Error::invalid_as(
                ErrorKind::Mismatch,
                "organisations",
                other.organisations.as_ref().map_or(0, Vec::len),
                "are not the same organisations",
            ));
        }
        let mut merged = self.clone();
        merged.runs = self
            .runs
            .checked_add(other.runs)
            .ok_or_else(|| too_large("runs".into(), self.runs, other.runs))?;
        for (i, (mine, theirs)) in merged.policies.iter_mut().zip(&other.policies).enumerate() {
            let sides = [
                (&mut mine.metrics, &theirs.metrics, ""),
                (&mut mine.diffs, &theirs.diffs, ".diff"),
            ];
            if let (Some(mine), Some(theirs)) = (&mut mine.organisations, &theirs.organisations) {
                mine.merge(theirs)
                    .map_err(|e| e.within(&format!("policies[{i}].organisations")))?;
            }
            for (mine, theirs, part) in sides {
                for (name, summary) in theirs {
                    let total = mine.entry(name.clone()).or_default();
                    if total.n.checked_add(summary.n).is_none() {
                        return Err(too_large(
                            format!("policies[{i}].metrics.{name}{part}.n"),
                            total.n,
                            summary.n,
                        ));
                    }
                    total.merge(summary);
                }
            }
        }
        merged.shards = (indices.len() as u64 != count).then_some(ShardSet { count, indices });
        merged.check()?;
        *self = merged;
        Ok(())
    }
}

/// The most characters of a scenario name, a policy label or a version: they are table, CSV
/// and chart text, so a longer one is a mistake, not a name.
pub const MAX_NAME: usize = 200;

/// `name` is one a scenario (`scenario`) or a version (`floorshare`) may have: non-empty, at
/// most [`MAX_NAME`] characters, no control characters (it heads tables and charts).
pub(crate) fn check_name(field: &str, name: &str) -> Result<()> {
    if name.is_empty() || name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
        return Err(Error::invalid(
            field,
            format!("{:?}", cut(name)),
            format!("is empty, longer than {MAX_NAME} characters, or has control characters"),
        ));
    }
    Ok(())
}

/// `label` is one a policy may have: non-empty, at most [`MAX_NAME`] characters, made of
/// letters, digits, `_`, `-` and `.` (it is a CSV and table cell).
pub(crate) fn check_label(field: &str, label: &str) -> Result<()> {
    let plain = label
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if label.is_empty() || label.len() > MAX_NAME || !plain {
        return Err(Error::invalid(
            field,
            format!("{:?}", cut(label)),
            format!(
                "is empty, longer than {MAX_NAME} characters, or not made of letters, digits, \
                 _, - and ."
            ),
        ));
    }
    Ok(())
}

/// `text`, cut to 60 characters with `…` when longer, for a message that quotes it.
fn cut(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// Refuses a key of `map` (a policy's metrics or its diffs, named by `field`) that is not one
/// of [`METRICS`]: both maps are keyed by metric name and checked alike.
fn check_metric_names(field: &str, map: &BTreeMap<String, Summary>) -> Result<()> {
    match map.keys().find(|name| !METRICS.contains(&name.as_str())) {
        Some(unknown) => Err(Error::invalid_as(
            ErrorKind::UnknownName,
            field,
            format!("{unknown:?}"),
            "is not a metric floorshare knows",
        )),
        None => Ok(()),
    }
}

/// One metric's summary checked: at most `most` values, a finite mean within the metric's
/// bounds, M2 finite, ≥ 0 and at most what values within the bounds can give.
fn check_metric(field: &str, metric: Metric, s: &Summary, most: u64) -> Result<()> {
    let counted = if metric.per_run() { "runs" } else { "sessions" };
    let (low, high) = metric.bounds();
    let within = format!("the range of {}", metric.name());
    check_summary(field, s, (most, counted), (low, high, &within))
}

/// A paired difference checked: at most `most` values (one per run where the metric is
/// defined), within ± the metric's range, and exactly 0 for the baseline's own.
fn check_diff(field: &str, metric: Metric, s: &Summary, most: u64, baseline: bool) -> Result<()> {
    let (low, high) = metric.bounds();
    let within = format!("the range of differences of {}", metric.name());
    let counted = "runs where the metric is defined";
    check_summary(field, s, (most, counted), (low - high, high - low, &within))?;
    if baseline && (s.mean != 0.0 || s.m2 != 0.0) {
        let (name, value) = if s.mean != 0.0 {
            ("mean", s.mean)
        } else {
            ("m2", s.m2)
        };
        return Err(Error::invalid(
            format!("{field}.{name}"),
            format!("{value:?}"),
            "is not 0: the baseline's difference from itself",
        ));
    }
    Ok(())
}

/// A summary checked: at most `most` values (`counted` says of what), a finite mean within
/// [low, high] (`within` names that range), M2 finite, ≥ 0 and at most what values within
/// the range can give.
fn check_summary(
    field: &str,
    s: &Summary,
    (most, counted): (u64, &str),
    (low, high, within): (f64, f64, &str),
) -> Result<()> {
    let at = |name: &str| format!("{field}.{name}");
    // Debug writes 1.7e308 as such, where Display would write 309 digits.
    let show = |value: f64| format!("{value:?}");
    if s.n > most {
        return Err(Error::invalid(
            at("n"),
            s.n,
            format!("is more than the {most} values its {counted} give"),
        ));
    }
    if !s.mean.is_finite() {
        return Err(Error::invalid(
            at("mean"),
            show(s.mean),
            "is not a finite number",
        ));
    }
    if !s.m2.is_finite() || s.m2 < 0.0 {
        return Err(Error::invalid(
            at("m2"),
            show(s.m2),
            "is not a finite number ≥ 0 (a sum of squares)",
        ));
    }
    if s.n == 0 && (s.mean != 0.0 || s.m2 != 0.0) {
        let (name, value) = if s.mean != 0.0 {
            ("mean", s.mean)
        } else {
            ("m2", s.m2)
        };
        return Err(Error::invalid(at(name), show(value), "is not 0 with n = 0"));
    }
    if s.n == 1 && s.m2 != 0.0 {
        return Err(Error::invalid(at("m2"), show(s.m2), "is not 0 with n = 1"));
    }
    // Rounding may take a mean of values within the bounds a hair outside them.
    let slack = 1e-9 * (high - low);
    if !(low - slack..=high + slack).contains(&s.mean) {
        return Err(Error::invalid(
            at("mean"),
            show(s.mean),
            format!("is outside [{low}, {high}], {within}"),
        ));
    }
    // Values within [low, high] have a variance of at most (high − low)²/4.
    let most_m2 = s.n as f64 * (high - low) * (high - low) / 4.0;
    if s.m2 > most_m2 * (1.0 + 1e-9) + 1e-12 {
        return Err(Error::invalid(
            at("m2"),
            show(s.m2),
            format!(
                "is more than {most_m2}, the most {} values within [{low}, {high}] give",
                s.n
            ),
        ));
    }
    Ok(())
}

/// A summary as its JSON says it, every field known: what [`SimulationSummary::from_json_str`]
/// reads before it checks.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SummaryDocument {
    scenario: String,
    runs: u64,
    seed: u64,
    total_runs: u64,
    #[serde(default)]
    shards: Option<ShardSet>,
    floorshare: String,
    baseline: String,
    #[serde(default)]
    organisations: Option<Vec<String>>,
    policies: Vec<PolicySummary>,
}

/// A policy's summaries as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyDocument {
    name: String,
    metrics: UniqueMap<MetricDocument>,
    #[serde(default)]
    organisations: Option<OrganisationCounts>,
}

/// A metric's summary as written, with its paired difference.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MetricDocument {
    n: u64,
    mean: f64,
    m2: f64,
    #[allow(dead_code)]
    ci_low: f64,
    #[allow(dead_code)]
    ci_high: f64,
    diff: IntervalDocument,
}

/// A summary as written: the interval must be there and be numbers, but it is recomputed
/// from n, mean and M2.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IntervalDocument {
    n: u64,
    mean: f64,
    m2: f64,
    #[allow(dead_code)]
    ci_low: f64,
    #[allow(dead_code)]
    ci_high: f64,
}

impl From<PolicyDocument> for PolicySummary {
    fn from(document: PolicyDocument) -> Self {
        let mut metrics = BTreeMap::new();
        let mut diffs = BTreeMap::new();
        for (name, m) in document.metrics.0 {
            let diff = Summary {
                n: m.diff.n,
                mean: m.diff.mean,
                m2: m.diff.m2,
            };
            diffs.insert(name.clone(), diff);
            let value = Summary {
                n: m.n,
                mean: m.mean,
                m2: m.m2,
            };
            metrics.insert(name, value);
        }
        PolicySummary {
            name: document.name,
            metrics,
            diffs,
            organisations: document.organisations,
        }
    }
}

/// A JSON object whose keys are distinct (serde's maps keep the last of two).
struct UniqueMap<V>(BTreeMap<String, V>);

impl<'de, V: Deserialize<'de>> Deserialize<'de> for UniqueMap<V> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> serde::de::Visitor<'de> for Visitor<V> {
            type Value = UniqueMap<V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object with distinct keys")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut out = BTreeMap::new();
                while let Some(key) = map.next_key::<String>()? {
                    if out.contains_key(&key) {
                        return Err(serde::de::Error::custom(format_args!(
                            "duplicate key {:?}",
                            cut(&key)
                        )));
                    }
                    let value = map.next_value()?;
                    out.insert(key, value);
                }
                Ok(UniqueMap(out))
            }
        }
        deserializer.deserialize_map(Visitor(std::marker::PhantomData))
    }
}

impl SummaryDocument {
    fn into_summary(self) -> SimulationSummary {
        SimulationSummary {
            scenario: self.scenario,
            runs: self.runs,
            seed: self.seed,
            total_runs: self.total_runs,
            shards: self.shards,
            floorshare: self.floorshare,
            baseline: self.baseline,
            organisations: self.organisations,
            policies: self.policies,
        }
    }
}
