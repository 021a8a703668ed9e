//! Parameter sweeps: one scenario run for each value of one parameter, with the same seeds
//! (see [`Sweep`]).

use std::fmt;
use std::ops::Range;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Number, Value};

use super::summary::check_label;
use super::{PolicySummary, Scenario, Shard, ShardSet, Simulation, SimulationSummary};
use crate::model::{Chair, Session};
use crate::policy::{Description, Registry, built_in};
use crate::{Error, ErrorKind, Result};

/// The most runs a sweep may ask for in all (10⁹): the scenario's runs times the number of
/// values.
pub const MAX_SWEEP_RUNS: u64 = 1_000_000_000;

/// The session fields a sweep may set (after `sessions.`).
const SESSION_FIELDS: [&str; 6] = [
    "slots",
    "minutes_per_slot",
    "length_minutes",
    "placement",
    "chair.min_slots",
    "chair.max_slots",
];

/// One parameter of a scenario and the values it takes (`"sweep": {"parameter":
/// "sessions.slots", "values": [1, 2, 3]}`): the scenario is run for each value, with the same
/// seeds.
///
/// Each value gives a scenario of its own — the base scenario with the parameter set to the
/// value — and every value's scenario runs the same runs with the same master seed, so the population and the requests of run r are the same for every value
/// (common random numbers across values too) and the curves over the values are paired.
///
/// **Parameters** ([`Sweep::parameter`]):
///
/// - a field of every session: `sessions.slots`, `sessions.minutes_per_slot`,
///   `sessions.length_minutes`, `sessions.placement` (`"end"`, `"start"`, `"spread"`),
///   `sessions.chair.min_slots` or `sessions.chair.max_slots` (a session without a chair gets the
///   default chair with the bound set, which is what its policies read anyway);
/// - a parameter of one policy, by its label: `policies.LABEL.PARAM`
///   (`policies.grassroots_reserved.share`), set in that policy's description; `PARAM` may be a
///   dotted path into an object parameter (`policies.regions.weights.asia`). Labels may hold
///   dots: the longest label that fits is taken.
///
/// **Values** are numbers or strings, all of one type (strings make a categorical axis), none
/// twice, strings made of letters, digits, `_`, `-` and `.` (they are CSV and table cells).
///
/// **Checks.** Everything is checked before the first run: the parameter's path, the values,
/// and each value's scenario as completely as any scenario ([`Scenario::check_with`]); a value
/// that makes a session or a policy invalid is an error naming `sweep.values[i]` whose message
/// names the field (`sweep.values[0]: 0 gives sessions[0].minutes_per_slot: 0 is not
/// positive`). Runs × values is at most [`MAX_SWEEP_RUNS`].
///
/// **Summaries.** A [`SweepSummary`] holds, beside the usual header, one list of policy
/// summaries per value; its shards hold the same runs for every value, and merge value by value
/// ([`SweepSummary::merge`]).
///
/// # Example
///
/// ```
/// use floorshare::sim::{Scenario, SweepSimulation, SweepValue};
///
/// let scenario = Scenario::from_json_str(r#"{
///     "name": "slots",
///     "population": {"generate": {"counts": {"asia": {"grassroots": 8, "international_ngo": 2},
///                                            "europe": {"international_ngo": 6}}}},
///     "sessions": [{"id": "s1", "slots": 2}],
///     "behaviour": {"ask_probability": {"international_ngo": 0.9, "grassroots": 0.5}},
///     "policies": [{"label": "regions", "policy": {"name": "regional_balance"}}],
///     "sweep": {"parameter": "sessions.slots", "values": [1, 3]},
///     "runs": 50, "seed": 7
/// }"#)?;
/// let summary = SweepSimulation::new(scenario)?.run_all()?;
/// assert_eq!(summary.sweep.parameter, "sessions.slots");
/// let granted: Vec<f64> = summary.sweep.values.iter()
///     .map(|v| v.policies[0].metrics["slots_granted"].mean)
///     .collect();
/// assert_eq!(summary.sweep.values[1].value, SweepValue::from(3));
/// assert!(granted[1] > granted[0]);
///
/// // A value that makes a session invalid is found before any run, naming the value.
/// let err = Scenario::from_json_str(r#"{
///     "name": "bad",
///     "population": {"generate": {"counts": {"asia": {"grassroots": 3}}}},
///     "sessions": [{"id": "s1", "slots": 2}],
///     "behaviour": {"ask_probability": {"grassroots": 0.5}},
///     "policies": [{"label": "regions", "policy": {"name": "regional_balance"}}],
///     "sweep": {"parameter": "sessions.minutes_per_slot", "values": [3, 0]}
/// }"#).unwrap_err();
/// assert_eq!(err.field(), "sweep.values[1]");
/// assert!(err.to_string().contains("sessions[0].minutes_per_slot"), "{err}");
/// # Ok::<(), floorshare::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sweep {
    /// The parameter's path: `sessions.FIELD` or `policies.LABEL.PARAM`.
    pub parameter: String,
    /// The values, in the order they are run and reported.
    pub values: Vec<SweepValue>,
}

/// A value of a swept parameter: a JSON number or a string.
///
/// ```
/// use floorshare::sim::SweepValue;
///
/// let values: Vec<SweepValue> = serde_json::from_str(r#"[2, 0.25, "spread"]"#)?;
/// assert_eq!(values[0], SweepValue::from(2));
/// assert_eq!(values[1].as_f64(), Some(0.25));
/// assert_eq!(values[2].to_string(), "spread");
/// assert!(serde_json::from_str::<SweepValue>("[1]").is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum SweepValue {
    /// A number, as JSON writes it (`3`, `0.5`).
    Number(Number),
    /// A string (a placement, a method): the values make a categorical axis.
    Text(String),
}

impl SweepValue {
    /// The value as a number, for a numeric axis; `None` for a string.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            SweepValue::Number(n) => n.as_f64(),
            SweepValue::Text(_) => None,
        }
    }

    /// The value as JSON.
    pub fn to_json(&self) -> Value {
        match self {
            SweepValue::Number(n) => Value::Number(n.clone()),
            SweepValue::Text(s) => Value::String(s.clone()),
        }
    }

    /// The value as a message quotes it: a number as written, a string in quotes.
    fn quoted(&self) -> String {
        match self {
            SweepValue::Number(n) => n.to_string(),
            SweepValue::Text(s) => format!("{:?}", crate::error::cut(s)),
        }
    }

    /// Whether `self` and `other` are the same value: numbers compared by value (`2` and
    /// `2.0` are one value), integers exactly.
    fn same(&self, other: &SweepValue) -> bool {
        match (self, other) {
            (SweepValue::Text(a), SweepValue::Text(b)) => a == b,
            (SweepValue::Number(a), SweepValue::Number(b)) => {
                let integer = |n: &Number| {
                    n.as_u64()
                        .map(i128::from)
                        .or_else(|| n.as_i64().map(i128::from))
                };
                match (integer(a), integer(b)) {
                    (Some(a), Some(b)) => a == b,
                    _ => a.as_f64() == b.as_f64(),
                }
            }
            _ => false,
        }
    }
}

impl From<u64> for SweepValue {
    fn from(value: u64) -> Self {
        SweepValue::Number(value.into())
    }
}

impl From<&str> for SweepValue {
    fn from(value: &str) -> Self {
        SweepValue::Text(value.to_string())
    }
}

impl fmt::Display for SweepValue {
    /// A number as JSON writes it, a string as it is (a table heading, a CSV cell).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SweepValue::Number(n) => write!(f, "{n}"),
            SweepValue::Text(s) => f.write_str(s),
        }
    }
}

impl Serialize for SweepValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            SweepValue::Number(n) => n.serialize(serializer),
            SweepValue::Text(s) => s.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for SweepValue {
    /// A JSON number or string; anything else is "invalid type: …, expected a number or a
    /// string".
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::Number(n) => Ok(SweepValue::Number(n)),
            Value::String(s) => Ok(SweepValue::Text(s)),
            other => Err(serde::de::Error::custom(format_args!(
                "invalid type: {}, expected a number or a string",
                crate::error::quote_json(&other)
            ))),
        }
    }
}

/// Where a sweep's parameter lives in the scenario.
#[derive(Debug, Clone, PartialEq)]
enum Target {
    /// A field of every session, as a path of keys (`["chair", "max_slots"]`).
    Sessions(Vec<String>),
    /// A parameter of policy `index`, as a path of keys into its description.
    Policy { index: usize, path: Vec<String> },
}

impl Sweep {
    /// Resolves the parameter against `scenario`, naming `sweep.parameter` when it names
    /// nothing a sweep may set.
    fn target(&self, scenario: &Scenario) -> Result<Target> {
        let unknown = |kind, problem: String| {
            Error::invalid_as(
                kind,
                "sweep.parameter",
                format!("{:?}", crate::error::cut(&self.parameter)),
                problem,
            )
        };
        if let Some(field) = self.parameter.strip_prefix("sessions.") {
            if SESSION_FIELDS.contains(&field) {
                return Ok(Target::Sessions(
                    field.split('.').map(str::to_string).collect(),
                ));
            }
            return Err(unknown(
                ErrorKind::UnknownField,
                format!(
                    "is not a session field a sweep may set (sessions. followed by one of {})",
                    SESSION_FIELDS.join(", ")
                ),
            ));
        }
        let Some(rest) = self.parameter.strip_prefix("policies.") else {
            return Err(unknown(
                ErrorKind::UnknownField,
                "is neither sessions.FIELD nor policies.LABEL.PARAM".to_string(),
            ));
        };
        // Labels may hold dots: the longest label followed by a dot and a parameter.
        let Some((index, labelled)) = scenario
            .policies
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                rest.strip_prefix(p.label.as_str())
                    .is_some_and(|after| after.len() > 1 && after.starts_with('.'))
            })
            .max_by_key(|(_, p)| p.label.len())
        else {
            return Err(unknown(
                ErrorKind::UnknownId,
                "names no policy label of the scenario followed by a parameter \
                 (policies.LABEL.PARAM)"
                    .to_string(),
            ));
        };
        let path: Vec<String> = rest[labelled.label.len() + 1..]
            .split('.')
            .map(str::to_string)
            .collect();
        if path.iter().any(String::is_empty) {
            return Err(unknown(
                ErrorKind::UnknownField,
                "has an empty parameter name".to_string(),
            ));
        }
        if path[0] == "name" {
            return Err(unknown(
                ErrorKind::UnknownField,
                "sets a policy's name: a sweep sets a parameter".to_string(),
            ));
        }
        // Each step but the last must be an object, or absent (then made).
        let mut at = policy_json(&labelled.policy);
        for (depth, key) in path[..path.len() - 1].iter().enumerate() {
            match at.get(key) {
                None => break,
                Some(Value::Object(inner)) => at = inner.clone(),
                Some(other) => {
                    return Err(unknown(
                        ErrorKind::WrongType,
                        format!(
                            "goes into {}, which is {}, not an object",
                            path[..=depth].join("."),
                            crate::error::quote_json(other)
                        ),
                    ));
                }
            }
        }
        Ok(Target::Policy { index, path })
    }

    /// Checks the values on their own: at least one, all numbers or all strings, none twice,
    /// strings plain.
    fn check_values(&self) -> Result<()> {
        let Some(first) = self.values.first() else {
            return Err(Error::invalid("sweep.values", "[]", "is empty"));
        };
        for (i, value) in self.values.iter().enumerate() {
            let field = format!("sweep.values[{i}]");
            if std::mem::discriminant(value) != std::mem::discriminant(first) {
                return Err(Error::invalid_as(
                    ErrorKind::WrongType,
                    field,
                    value.quoted(),
                    format!(
                        "is not a {} as sweep.values[0] is: values are all numbers or all strings",
                        if first.as_f64().is_some() {
                            "number"
                        } else {
                            "string"
                        }
                    ),
                ));
            }
            if let SweepValue::Text(text) = value {
                check_label(&field, text)?;
            }
            if let Some(j) = self.values[..i].iter().position(|v| v.same(value)) {
                return Err(Error::invalid_as(
                    ErrorKind::DuplicateId,
                    field,
                    value.quoted(),
                    format!("repeats sweep.values[{j}]"),
                ));
            }
        }
        Ok(())
    }

    /// The scenario of value `i`: `base` without its sweep, the parameter set to the value.
    ///
    /// # Errors
    ///
    /// As [`Sweep::scenarios`] for that value.
    fn scenario_of(&self, base: &Scenario, target: &Target, i: usize) -> Result<Scenario> {
        let value = &self.values[i];
        let mut scenario = base.clone();
        scenario.sweep = None;
        let json = value.to_json();
        match target {
            Target::Sessions(path) => {
                for (j, session) in scenario.sessions.iter_mut().enumerate() {
                    let mut object = serde_json::to_value(&*session)
                        .expect("a session serialises")
                        .as_object()
                        .cloned()
                        .expect("a session is an object");
                    if path[0] == "chair" && object.get("chair").is_none_or(Value::is_null) {
                        object.insert(
                            "chair".into(),
                            serde_json::to_value(Chair::default()).expect("a chair serialises"),
                        );
                    }
                    set(&mut object, path, json.clone());
                    *session = Error::read_json::<Session>(Value::Object(object))
                        .map_err(|e| at_value(i, value, e.within(&format!("sessions[{j}]"))))?;
                }
            }
            Target::Policy { index, path } => {
                let labelled = &mut scenario.policies[*index];
                let mut object = policy_json(&labelled.policy);
                set(&mut object, path, json);
                labelled.policy = Description::from_json(Value::Object(object)).map_err(|e| {
                    at_value(i, value, e.within(&format!("policies[{index}].policy")))
                })?;
            }
        }
        Ok(scenario)
    }

    /// Every value's scenario, each checked as completely as a scenario is
    /// ([`Scenario::check_with`]), with `registry`'s policies.
    ///
    /// # Errors
    ///
    /// Naming `sweep.parameter` when the parameter names nothing a sweep may set (an unknown
    /// session field, a label no policy has, a parameter the policy does not take),
    /// `sweep.values` or `sweep.values[i]` when the values are empty, mixed, repeated or not
    /// plain strings, `runs` when runs × values is more than [`MAX_SWEEP_RUNS`], and
    /// `sweep.values[i]` when value `i` makes the scenario invalid (its message names the
    /// field: `sessions[0].slots`, `policies[3].policy.share`).
    fn scenarios(&self, base: &Scenario, registry: &Registry) -> Result<Vec<Scenario>> {
        let target = self.target(base)?;
        self.check_values()?;
        let runs = u128::from(base.runs) * self.values.len() as u128;
        if runs > u128::from(MAX_SWEEP_RUNS) {
            return Err(Error::invalid_as(
                ErrorKind::TooLarge,
                "runs",
                base.runs,
                format!(
                    "for each of {} values is more than {MAX_SWEEP_RUNS} runs in all",
                    self.values.len()
                ),
            ));
        }
        (0..self.values.len())
            .map(|i| {
                let scenario = self.scenario_of(base, &target, i)?;
                scenario.check_with(registry).map_err(|err| {
                    // A parameter the policy does not take is the parameter's fault, whatever
                    // the value.
                    if let Target::Policy { index, path } = &target
                        && err.kind() == ErrorKind::UnknownField
                        && err.field() == format!("policies[{index}].policy.{}", path[0])
                    {
                        return Error::invalid_as(
                            ErrorKind::UnknownField,
                            "sweep.parameter",
                            format!("{:?}", crate::error::cut(&self.parameter)),
                            format!("is not a parameter policy {index} takes: {err}"),
                        );
                    }
                    at_value(i, &self.values[i], err)
                })?;
                Ok(scenario)
            })
            .collect()
    }
}

/// A policy description as a JSON object (`{"name": ..., parameters...}`).
fn policy_json(policy: &Description) -> Map<String, Value> {
    match serde_json::to_value(policy).expect("a description serialises") {
        Value::Object(object) => object,
        _ => unreachable!("a description serialises as an object"),
    }
}

/// Sets `object[path[0]][path[1]]…` to `value`, making the objects on the way that are
/// absent ([`Sweep::target`] has refused paths through anything else).
fn set(object: &mut Map<String, Value>, path: &[String], value: Value) {
    let (last, steps) = path.split_last().expect("a path has a key");
    let mut at = object;
    for key in steps {
        let next = at
            .entry(key.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        if !next.is_object() {
            *next = Value::Object(Map::new());
        }
        at = next.as_object_mut().expect("made an object above");
    }
    at.insert(last.clone(), value);
}

/// `err`, met with value `i`, as an error naming `sweep.values[i]` whose message names the
/// field: `sweep.values[2]: 0 gives sessions[0].minutes_per_slot: 0 is not positive`.
fn at_value(i: usize, value: &SweepValue, err: Error) -> Error {
    Error::invalid_as(
        err.kind(),
        format!("sweep.values[{i}]"),
        value.quoted(),
        format!("gives {err}"),
    )
}

/// Checks a scenario's sweep, each value's scenario included (called by
/// [`Scenario::check_with`]).
pub(super) fn check(scenario: &Scenario, sweep: &Sweep, registry: &Registry) -> Result<()> {
    sweep.scenarios(scenario, registry).map(drop)
}

/// A scenario with a sweep, checked and ready to run: one [`Simulation`] per value, built in
/// turn as the value's runs begin (so that a large population is held once at a time).
///
/// Every value runs the same runs with the same seed: a value equal to the base scenario's
/// gives the base scenario's summary exactly.
#[derive(Debug)]
pub struct SweepSimulation {
    scenario: Scenario,
    sweep: Sweep,
    scenarios: Vec<Scenario>,
    registry: Registry,
}

impl SweepSimulation {
    /// Checks the scenario, whose policies are floorshare's own, and each of its values'.
    ///
    /// # Errors
    ///
    /// As [`SweepSimulation::with_registry`].
    pub fn new(scenario: Scenario) -> Result<Self> {
        Self::with_registry(scenario, built_in())
    }

    /// As [`SweepSimulation::new`], with the policies of `registry`.
    ///
    /// # Errors
    ///
    /// An error naming `sweep` when the scenario has no sweep; the errors of
    /// [`Scenario::check_with`] (the sweep's among them: `sweep.parameter`, `sweep.values[i]`);
    /// the errors of the population ([`Simulation::with_registry`]).
    pub fn with_registry(scenario: Scenario, registry: &Registry) -> Result<Self> {
        let Some(sweep) = scenario.sweep.clone() else {
            return Err(Error::json_as(
                ErrorKind::MissingField,
                "sweep",
                "missing field `sweep`: a scenario without a sweep runs with Simulation",
            ));
        };
        scenario.check_with(registry)?;
        let scenarios = sweep.scenarios(&scenario, registry)?;
        // The population does not depend on the value: built once here, so that its errors
        // too are found before the first run.
        Simulation::with_registry(scenarios[0].clone(), registry)?;
        Ok(SweepSimulation {
            scenario,
            sweep,
            scenarios,
            registry: registry.clone(),
        })
    }

    /// The scenario, with its sweep.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The sweep.
    pub fn sweep(&self) -> &Sweep {
        &self.sweep
    }

    /// Value `i`'s scenario: the scenario without its sweep, the parameter set to the value.
    pub fn scenario_of(&self, i: usize) -> Option<&Scenario> {
        self.scenarios.get(i)
    }

    /// Runs every run of the scenario for every value.
    ///
    /// # Errors
    ///
    /// As [`Simulation::run_all`], naming `sweep.values[i]` (its message names the field).
    pub fn run_all(&self) -> Result<SweepSummary> {
        self.run_range(0..self.scenario.runs, |_| {})
    }

    /// Runs the runs of `shard` for every value (the same runs for each).
    ///
    /// # Errors
    ///
    /// As [`SweepSimulation::run_all`].
    pub fn run_shard(&self, shard: Shard, progress: impl Fn(u64) + Sync) -> Result<SweepSummary> {
        let mut summary = self.run_range(shard.runs(self.scenario.runs), progress)?;
        summary.shards = Some(ShardSet::one(shard));
        Ok(summary)
    }

    /// Runs the runs in `runs` for every value in turn, calling `progress` with the runs done
    /// so far over all values (at most `runs.len()` × values).
    ///
    /// # Errors
    ///
    /// As [`SweepSimulation::run_all`].
    pub fn run_range(
        &self,
        runs: Range<u64>,
        progress: impl Fn(u64) + Sync,
    ) -> Result<SweepSummary> {
        let per_value = runs.end.saturating_sub(runs.start);
        let mut values = Vec::with_capacity(self.scenarios.len());
        let mut header = None;
        for (i, scenario) in self.scenarios.iter().enumerate() {
            let value = &self.sweep.values[i];
            let simulation = Simulation::with_registry(scenario.clone(), &self.registry)
                .map_err(|e| at_value(i, value, e))?;
            let done = per_value * i as u64;
            let summary = simulation
                .run_range(runs.clone(), |d| progress(done + d))
                .map_err(|e| at_value(i, value, e))?;
            // The baseline's label and the organisations do not depend on the value.
            header.get_or_insert_with(|| (summary.baseline.clone(), summary.organisations.clone()));
            values.push(ValueSummary {
                value: value.clone(),
                policies: summary.policies,
            });
        }
        let (baseline, organisations) = header.expect("a sweep has values");
        Ok(SweepSummary {
            scenario: self.scenario.name.clone(),
            runs: per_value,
            seed: self.scenario.seed,
            total_runs: self.scenario.runs,
            shards: None,
            floorshare: env!("CARGO_PKG_VERSION").to_string(),
            baseline,
            organisations,
            sweep: SweptSummaries {
                parameter: self.sweep.parameter.clone(),
                values,
            },
        })
    }
}

/// The summary of a sweep, or of some shards of it: the header of a [`SimulationSummary`]
/// (`scenario`, `runs` — per value —, `seed`, `total_runs`, `shards`, `floorshare`,
/// `baseline`, and with an explicit population `organisations`) and
/// `"sweep": {"parameter": P, "values": [{"value": V, "policies": [...]}]}`, each value's
/// `policies` as a [`SimulationSummary`]'s.
///
/// A summary read from a file is not trusted: [`SweepSummary::from_json_str`] reads it
/// strictly and [`SweepSummary::check`]s it, and [`SweepSummary::merge`] checks both sides.
///
/// ```
/// use floorshare::sim::{Scenario, SweepSimulation, SweepSummary};
///
/// let scenario = Scenario::from_json_str(r#"{
///     "name": "placement", "runs": 12, "seed": 1,
///     "population": {"generate": {"counts": {"asia": {"grassroots": 4, "international_ngo": 2}}}},
///     "sessions": [{"id": "s", "slots": 1, "length_minutes": 60}],
///     "behaviour": {"ask_probability": {"international_ngo": 1.0, "grassroots": 0.5}},
///     "policies": [{"label": "chair", "policy": {"name": "chair_discretion"}}],
///     "sweep": {"parameter": "sessions.placement", "values": ["end", "start"]}
/// }"#)?;
/// let simulation = SweepSimulation::new(scenario)?;
/// let whole = simulation.run_all()?;
/// let json = serde_json::to_string(&whole).unwrap();
/// assert_eq!(SweepSummary::from_json_str(&json)?, whole);
///
/// let mut merged = simulation.run_shard("0/2".parse()?, |_| {})?;
/// merged.merge(&simulation.run_shard("1/2".parse()?, |_| {})?)?;
/// assert_eq!(merged.runs, 12);
/// assert_eq!(merged.shards, None);
/// let late = |s: &SweepSummary, v: usize| s.sweep.values[v].policies[0].metrics["late_share"].mean;
/// assert_eq!((late(&merged, 0), late(&merged, 1)), (1.0, 0.0));
/// # Ok::<(), floorshare::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SweepSummary {
    /// The scenario's name.
    pub scenario: String,
    /// Runs summarised, for each value.
    pub runs: u64,
    /// The master seed.
    pub seed: u64,
    /// Runs of the whole simulation, for each value.
    pub total_runs: u64,
    /// The shards this summary holds (the same for every value); absent when it holds every
    /// run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shards: Option<ShardSet>,
    /// Version of floorshare that ran it.
    pub floorshare: String,
    /// The label of the baseline policy (the same for every value), as
    /// [`SimulationSummary::baseline`].
    pub baseline: String,
    /// With an explicit population, the organisations' ids (the same for every value), as
    /// [`SimulationSummary::organisations`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organisations: Option<Vec<String>>,
    /// The parameter and each value's summaries.
    pub sweep: SweptSummaries,
}

/// The swept parameter and the summaries of each value, in the sweep's order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SweptSummaries {
    /// The parameter's path (`sessions.slots`).
    pub parameter: String,
    /// Per value, in the order of the scenario's values.
    pub values: Vec<ValueSummary>,
}

/// One value of a sweep and the policies' summaries under it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueSummary {
    /// The value.
    pub value: SweepValue,
    /// Per policy, in the scenario's order, as in [`SimulationSummary::policies`].
    pub policies: Vec<PolicySummary>,
}

/// A sweep summary as its JSON says it: the header and values read, each value's policies left
/// as JSON for [`SimulationSummary::from_json_str`] to read strictly.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SweepDocument {
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
    sweep: SweptDocument,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SweptDocument {
    parameter: String,
    values: Vec<ValueDocument>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ValueDocument {
    value: SweepValue,
    policies: Value,
}

/// `err`, met in value `i`'s summary: a field of its policies is placed under
/// `sweep.values[i]`; the header's fields are the sweep summary's own.
fn in_value(i: usize, err: Error) -> Error {
    if err.field().starts_with("policies") {
        err.within(&format!("sweep.values[{i}]"))
    } else {
        err
    }
}

impl SweepSummary {
    /// Value `i`'s summary as a plain simulation's: the header and the value's policies.
    ///
    /// ```
    /// # use floorshare::sim::{Scenario, SweepSimulation};
    /// # let scenario = Scenario::from_json_str(r#"{
    /// #     "name": "s", "runs": 3, "population": {"generate": {"counts": {"asia": {"grassroots": 3}}}},
    /// #     "sessions": [{"id": "s", "slots": 1}], "behaviour": {"ask_probability": {"grassroots": 0.5}},
    /// #     "policies": [{"label": "chair", "policy": {"name": "chair_discretion"}}],
    /// #     "sweep": {"parameter": "sessions.slots", "values": [0, 1]}}"#)?;
    /// let summary = SweepSimulation::new(scenario)?.run_all()?;
    /// let second = summary.value_summary(1).unwrap();
    /// assert_eq!(second.runs, 3);
    /// assert_eq!(second.policies, summary.sweep.values[1].policies);
    /// # Ok::<(), floorshare::Error>(())
    /// ```
    pub fn value_summary(&self, i: usize) -> Option<SimulationSummary> {
        let value = self.sweep.values.get(i)?;
        Some(SimulationSummary {
            scenario: self.scenario.clone(),
            runs: self.runs,
            seed: self.seed,
            total_runs: self.total_runs,
            shards: self.shards.clone(),
            floorshare: self.floorshare.clone(),
            baseline: self.baseline.clone(),
            organisations: self.organisations.clone(),
            policies: value.policies.clone(),
        })
    }

    /// Reads a summary written by [`Serialize`] (the simulation tool's `--json` for a sweep),
    /// strictly — unknown fields, repeated keys, numbers that do not fit their field are
    /// refused, each value's policies as [`SimulationSummary::from_json_str`] reads them — and
    /// [`check`](SweepSummary::check)s it.
    ///
    /// # Errors
    ///
    /// As [`SimulationSummary::from_json_str`], a value's fields named under
    /// `sweep.values[i]` (`sweep.values[1].policies[0].metrics.late_share.m2`); the errors of
    /// [`SweepSummary::check`].
    pub fn from_json_str(json: &str) -> Result<Self> {
        let document: SweepDocument = Error::read_json(crate::interchange::read_json_value(json)?)?;
        let mut values = Vec::with_capacity(document.sweep.values.len());
        for (i, value) in document.sweep.values.into_iter().enumerate() {
            let mut plain = Map::new();
            plain.insert("scenario".into(), document.scenario.clone().into());
            plain.insert("runs".into(), document.runs.into());
            plain.insert("seed".into(), document.seed.into());
            plain.insert("total_runs".into(), document.total_runs.into());
            if let Some(shards) = &document.shards {
                plain.insert(
                    "shards".into(),
                    serde_json::to_value(shards).expect("shards serialise"),
                );
            }
            plain.insert("floorshare".into(), document.floorshare.clone().into());
            plain.insert("baseline".into(), document.baseline.clone().into());
            if let Some(ids) = &document.organisations {
                plain.insert("organisations".into(), ids.clone().into());
            }
            plain.insert("policies".into(), value.policies);
            let summary = SimulationSummary::from_json_str(&Value::Object(plain).to_string())
                .map_err(|e| in_value(i, e))?;
            values.push(ValueSummary {
                value: value.value,
                policies: summary.policies,
            });
        }
        let summary = SweepSummary {
            scenario: document.scenario,
            runs: document.runs,
            seed: document.seed,
            total_runs: document.total_runs,
            shards: document.shards,
            floorshare: document.floorshare,
            baseline: document.baseline,
            organisations: document.organisations,
            sweep: SweptSummaries {
                parameter: document.sweep.parameter,
                values,
            },
        };
        summary.check()?;
        Ok(summary)
    }

    /// Checks what the summary says about itself: the header and each value's policies as
    /// [`SimulationSummary::check`] does; `sweep.parameter` a path a sweep may name
    /// (`sessions.FIELD`, or `policies.LABEL.PARAM` with a label of the summary's policies);
    /// the values non-empty, all numbers or all strings, none twice; every value with the same
    /// policy labels in the same order and the same sessions per run.
    ///
    /// # Errors
    ///
    /// The first problem found, naming its field: the errors of [`SimulationSummary::check`]
    /// (a value's under `sweep.values[i]`); `sweep.parameter`, `sweep.values`,
    /// `sweep.values[i]` as the scenario check names them;
    /// [`ErrorKind::Mismatch`] naming `sweep.values[i].policies` or
    /// `sweep.values[i].policies[0].metrics.slots_granted.n` when a value differs from the
    /// first in its policies or sessions.
    pub fn check(&self) -> Result<()> {
        let sweep = Sweep {
            parameter: self.sweep.parameter.clone(),
            values: self.sweep.values.iter().map(|v| v.value.clone()).collect(),
        };
        sweep.check_values()?;
        if !self.sweep.parameter.starts_with("sessions.") {
            // The parameter must name one of the policies (the first value's labels: all
            // values are checked to have the same).
            let labels = &self.sweep.values[0].policies;
            let rest = self.sweep.parameter.strip_prefix("policies.");
            let known = rest.is_some_and(|rest| {
                labels.iter().any(|p| {
                    rest.strip_prefix(p.name.as_str())
                        .is_some_and(|after| after.len() > 1 && after.starts_with('.'))
                })
            });
            if !known {
                return Err(Error::invalid_as(
                    ErrorKind::UnknownField,
                    "sweep.parameter",
                    format!("{:?}", crate::error::cut(&self.sweep.parameter)),
                    "is neither sessions.FIELD nor policies.LABEL.PARAM for a label of the \
                     summary's policies",
                ));
            }
        } else if !SESSION_FIELDS.contains(&&self.sweep.parameter["sessions.".len()..]) {
            return Err(Error::invalid_as(
                ErrorKind::UnknownField,
                "sweep.parameter",
                format!("{:?}", crate::error::cut(&self.sweep.parameter)),
                "is not a session field a sweep may set",
            ));
        }
        fn labels(v: &ValueSummary) -> Vec<&String> {
            v.policies.iter().map(|p| &p.name).collect()
        }
        let sessions_n = |v: &ValueSummary| {
            v.policies[0]
                .metrics
                .get(super::Metric::SlotsGranted.name())
                .map(|s| s.n)
        };
        let first = &self.sweep.values[0];
        for (i, value) in self.sweep.values.iter().enumerate() {
            let summary = self.value_summary(i).expect("within the values");
            summary.check().map_err(|e| in_value(i, e))?;
            if labels(value) != labels(first) {
                return Err(Error::invalid_as(
                    ErrorKind::Mismatch,
                    format!("sweep.values[{i}].policies"),
                    format!("{:?}", labels(value)),
                    format!("differ from sweep.values[0]'s {:?}", labels(first)),
                ));
            }
            if sessions_n(value) != sessions_n(first) {
                return Err(Error::invalid_as(
                    ErrorKind::Mismatch,
                    format!("sweep.values[{i}].policies[0].metrics.slots_granted.n"),
                    sessions_n(value).unwrap_or_default(),
                    format!(
                        "differs from sweep.values[0]'s {}: every value has the same sessions",
                        sessions_n(first).unwrap_or_default()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Adds the runs summarised by `other`, other shards of the same sweep: value by value as
    /// [`SimulationSummary::merge`] does. Both are checked first and the result after; on
    /// error `self` is unchanged.
    ///
    /// # Errors
    ///
    /// The errors of [`SweepSummary::check`] of either; [`ErrorKind::Mismatch`] naming
    /// `sweep.parameter` or `sweep.values` (another parameter, other values or another
    /// order) when the two are not shards of one sweep; the errors of
    /// [`SimulationSummary::merge`], a value's fields under `sweep.values[i]`.
    pub fn merge(&mut self, other: &SweepSummary) -> Result<()> {
        self.check()?;
        other.check()?;
        if other.sweep.parameter != self.sweep.parameter {
            return Err(Error::invalid_as(
                ErrorKind::Mismatch,
                "sweep.parameter",
                format!("{:?}", crate::error::cut(&other.sweep.parameter)),
                format!(
                    "differs from {:?}",
                    crate::error::cut(&self.sweep.parameter)
                ),
            ));
        }
        let values = |s: &SweepSummary| {
            s.sweep
                .values
                .iter()
                .map(|v| v.value.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let same = other.sweep.values.len() == self.sweep.values.len()
            && other
                .sweep
                .values
                .iter()
                .zip(&self.sweep.values)
                .all(|(a, b)| a.value == b.value);
        if !same {
            return Err(Error::invalid_as(
                ErrorKind::Mismatch,
                "sweep.values",
                format!("[{}]", crate::error::cut(&values(other))),
                format!("differ from [{}]", crate::error::cut(&values(self))),
            ));
        }
        let mut merged = self.clone();
        for i in 0..self.sweep.values.len() {
            let mut mine = self.value_summary(i).expect("within the values");
            let theirs = other.value_summary(i).expect("the same number of values");
            mine.merge(&theirs).map_err(|e| in_value(i, e))?;
            merged.runs = mine.runs;
            merged.shards = mine.shards;
            merged.organisations = mine.organisations;
            merged.sweep.values[i].policies = mine.policies;
        }
        merged.check()?;
        *self = merged;
        Ok(())
    }
}

/// A summary file of the simulation tool: a plain simulation's or a sweep's, told apart by
/// its `sweep` field. What `merge` reads, so that a sweep's shards merge as a sweep and a
/// plain summary never merges with a sweep's.
///
/// ```
/// use floorshare::sim::AnySummary;
///
/// let err = AnySummary::from_json_str("[1]").unwrap_err();
/// assert_eq!(err.field(), "input");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum AnySummary {
    /// A plain simulation's summary.
    Plain(SimulationSummary),
    /// A sweep's summary.
    Sweep(SweepSummary),
}

impl AnySummary {
    /// Reads a summary strictly: a sweep's when the document has a `sweep` field
    /// ([`SweepSummary::from_json_str`]), a plain one's otherwise
    /// ([`SimulationSummary::from_json_str`]).
    ///
    /// # Errors
    ///
    /// As the reader of the summary's type; [`ErrorKind::WrongType`] naming `input` when the
    /// document is not an object.
    pub fn from_json_str(json: &str) -> Result<Self> {
        match crate::interchange::read_json_value(json)? {
            Value::Object(object) if object.contains_key("sweep") => {
                SweepSummary::from_json_str(json).map(AnySummary::Sweep)
            }
            Value::Object(_) => SimulationSummary::from_json_str(json).map(AnySummary::Plain),
            other => Err(Error::json_as(
                ErrorKind::WrongType,
                "input",
                format!(
                    "expected a summary object, found {}",
                    crate::error::quote_json(&other)
                ),
            )),
        }
    }

    /// Merges `other` into `self`, both of one type ([`SimulationSummary::merge`],
    /// [`SweepSummary::merge`]).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Mismatch`] naming `sweep` when one is a sweep's and the other not; the
    /// errors of the type's merge.
    pub fn merge(&mut self, other: &AnySummary) -> Result<()> {
        match (self, other) {
            (AnySummary::Plain(mine), AnySummary::Plain(theirs)) => mine.merge(theirs),
            (AnySummary::Sweep(mine), AnySummary::Sweep(theirs)) => mine.merge(theirs),
            (AnySummary::Sweep(mine), AnySummary::Plain(_)) => Err(Error::invalid_as(
                ErrorKind::Mismatch,
                "sweep",
                "none",
                format!(
                    "is missing: a plain summary does not merge with a sweep of {:?}",
                    crate::error::cut(&mine.sweep.parameter)
                ),
            )),
            (AnySummary::Plain(_), AnySummary::Sweep(theirs)) => Err(Error::invalid_as(
                ErrorKind::Mismatch,
                "sweep",
                format!("{:?}", crate::error::cut(&theirs.sweep.parameter)),
                "is a sweep's: it does not merge with a plain summary",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small scenario whose policies include one with a label holding a dot, with `sweep`
    /// (JSON) added.
    fn scenario(sweep: &str) -> Result<Scenario> {
        Scenario::from_json_str(&format!(
            r#"{{"name": "small", "runs": 5, "seed": 2,
                "population": {{"generate": {{"counts": {{"asia": {{"grassroots": 5, "international_ngo": 2}},
                                                        "europe": {{"international_ngo": 3}}}}}}}},
                "sessions": [{{"id": "s1", "slots": 2, "length_minutes": 60}},
                             {{"id": "s2", "slots": 1, "chair": {{"min_slots": 1, "max_slots": 1}}}}],
                "behaviour": {{"ask_probability": {{"international_ngo": 0.9, "grassroots": 0.4}}}},
                "policies": [{{"label": "chair", "policy": {{"name": "chair_discretion"}}}},
                             {{"label": "reserved", "policy": {{"name": "grassroots_priority", "mode": "reserved", "share": 0.5}}}},
                             {{"label": "reserved.v2", "policy": {{"name": "grassroots_priority", "mode": "reserved", "share": 0.5}}}},
                             {{"label": "regions", "policy": {{"name": "regional_balance", "weights": {{"asia": 1, "europe": 2}}}}}}]
                {sweep}}}"#
        ))
    }

    fn refused(sweep: &str) -> Error {
        scenario(&format!(r#", "sweep": {sweep}"#)).unwrap_err()
    }

    fn values(sweep: &str) -> Vec<Scenario> {
        let base = scenario(&format!(r#", "sweep": {sweep}"#)).unwrap();
        base.sweep
            .as_ref()
            .unwrap()
            .scenarios(&base, built_in())
            .unwrap()
    }

    #[test]
    fn session_fields_are_set_in_every_session() {
        let scenarios = values(r#"{"parameter": "sessions.slots", "values": [0, 4]}"#);
        assert_eq!(scenarios.len(), 2);
        for (scenario, slots) in scenarios.iter().zip([0, 4]) {
            assert!(scenario.sweep.is_none());
            assert!(scenario.sessions.iter().all(|s| s.slots == slots));
        }
        let scenarios = values(r#"{"parameter": "sessions.placement", "values": ["spread"]}"#);
        assert!(
            scenarios[0]
                .sessions
                .iter()
                .all(|s| s.placement == crate::model::Placement::Spread)
        );
        // A session without a chair gets the default chair with the bound set.
        let scenarios = values(r#"{"parameter": "sessions.chair.max_slots", "values": [3]}"#);
        let chairs: Vec<&Chair> = scenarios[0]
            .sessions
            .iter()
            .map(|s| s.chair.as_ref().unwrap())
            .collect();
        assert_eq!(chairs[0].max_slots, 3);
        assert_eq!(chairs[0].min_slots, Chair::default().min_slots);
        assert_eq!(chairs[0].familiarity, Chair::default().familiarity);
        assert_eq!((chairs[1].min_slots, chairs[1].max_slots), (1, 3));
    }

    #[test]
    fn policy_parameters_are_set_by_label_the_longest_label_first() {
        let scenarios =
            values(r#"{"parameter": "policies.reserved.v2.share", "values": [0.25, 1]}"#);
        let share = |s: &Scenario, p: usize| s.policies[p].policy.parameters()["share"].clone();
        assert_eq!(share(&scenarios[0], 2), 0.25);
        assert_eq!(share(&scenarios[1], 2), 1);
        assert_eq!(
            share(&scenarios[0], 1),
            0.5,
            "the shorter label is untouched"
        );
        let scenarios = values(r#"{"parameter": "policies.regions.weights.asia", "values": [3]}"#);
        assert_eq!(
            serde_json::to_value(&scenarios[0].policies[3].policy).unwrap(),
            serde_json::json!({"name": "regional_balance", "weights": {"asia": 3, "europe": 2}})
        );
        // Absent objects on the way are made.
        let scenarios =
            values(r#"{"parameter": "policies.chair.familiarity.academia", "values": [2]}"#);
        assert_eq!(
            scenarios[0].policies[0].policy.parameters()["familiarity"],
            serde_json::json!({"academia": 2})
        );
    }

    #[test]
    fn parameters_that_name_nothing_are_refused_naming_the_parameter() {
        for (parameter, kind) in [
            ("sessions.slot", ErrorKind::UnknownField),
            ("sessions.id", ErrorKind::UnknownField),
            ("sessions", ErrorKind::UnknownField),
            ("seed", ErrorKind::UnknownField),
            ("policies.nobody.share", ErrorKind::UnknownId),
            ("policies.reserved", ErrorKind::UnknownId),
            ("policies.reserved.", ErrorKind::UnknownId),
            ("policies.reserved.name", ErrorKind::UnknownField),
            ("policies.reserved.share.x", ErrorKind::WrongType),
            ("policies.reserved.sharee", ErrorKind::UnknownField),
            ("policies.chair.familiarity..x", ErrorKind::UnknownField),
        ] {
            let err = refused(&format!(r#"{{"parameter": "{parameter}", "values": [1]}}"#));
            assert_eq!(err.field(), "sweep.parameter", "{parameter}: {err}");
            assert_eq!(err.kind(), kind, "{parameter}: {err}");
        }
    }

    #[test]
    fn values_empty_mixed_repeated_or_not_plain_are_refused() {
        for (values, field, kind) in [
            ("[]", "sweep.values", ErrorKind::OutOfRange),
            (r#"[1, "2"]"#, "sweep.values[1]", ErrorKind::WrongType),
            (r#"["end", 2]"#, "sweep.values[1]", ErrorKind::WrongType),
            ("[1, 2, 1]", "sweep.values[2]", ErrorKind::DuplicateId),
            ("[2, 2.0]", "sweep.values[1]", ErrorKind::DuplicateId),
            (
                r#"["end", "end"]"#,
                "sweep.values[1]",
                ErrorKind::DuplicateId,
            ),
            (r#"["a,b"]"#, "sweep.values[0]", ErrorKind::OutOfRange),
            ("[1, null]", "sweep.values[1]", ErrorKind::WrongType),
            ("[[1]]", "sweep.values[0]", ErrorKind::WrongType),
        ] {
            let err = refused(&format!(
                r#"{{"parameter": "sessions.slots", "values": {values}}}"#
            ));
            assert_eq!(err.field(), field, "{values}: {err}");
            assert_eq!(err.kind(), kind, "{values}: {err}");
        }
        // 2 and 3.0 are distinct; 2⁶³ and 2⁶³ + 1 too (compared exactly, not as floats).
        assert!(SweepValue::from(2).same(&serde_json::from_str("2.0").unwrap()));
        let big = |n: u64| SweepValue::from(n);
        assert!(!big(1 << 63).same(&big((1 << 63) + 1)));
    }

    #[test]
    fn a_value_that_makes_the_scenario_invalid_names_the_value_and_the_field() {
        for (sweep, field, inner, kind) in [
            (
                r#"{"parameter": "sessions.minutes_per_slot", "values": [3, 0]}"#,
                "sweep.values[1]",
                "sessions[0].minutes_per_slot",
                ErrorKind::OutOfRange,
            ),
            (
                r#"{"parameter": "sessions.slots", "values": [2, -1]}"#,
                "sweep.values[1]",
                "sessions[0].slots",
                ErrorKind::OutOfRange,
            ),
            (
                r#"{"parameter": "sessions.placement", "values": ["end", "middle"]}"#,
                "sweep.values[1]",
                "sessions[0].placement",
                ErrorKind::UnknownName,
            ),
            (
                r#"{"parameter": "sessions.placement", "values": [1]}"#,
                "sweep.values[0]",
                "sessions[0].placement",
                ErrorKind::WrongType,
            ),
            (
                r#"{"parameter": "sessions.chair.max_slots", "values": [2, 0]}"#,
                "sweep.values[1]",
                "sessions[0].chair.min_slots",
                ErrorKind::OutOfRange,
            ),
            (
                r#"{"parameter": "policies.reserved.share", "values": [0.5, 1.5]}"#,
                "sweep.values[1]",
                "policies[1].policy.share",
                ErrorKind::OutOfRange,
            ),
            (
                r#"{"parameter": "policies.regions.method", "values": ["dhondt", "fairest"]}"#,
                "sweep.values[1]",
                "policies[3].policy.method",
                ErrorKind::UnknownName,
            ),
            (
                r#"{"parameter": "policies.chair.min_slots", "values": [1, 3]}"#,
                "sweep.values[1]",
                "policies[0].policy.min_slots",
                ErrorKind::OutOfRange,
            ),
        ] {
            let err = refused(sweep);
            assert_eq!(err.field(), field, "{sweep}: {err}");
            assert_eq!(err.kind(), kind, "{sweep}: {err}");
            assert!(err.to_string().contains(inner), "{sweep}: {err}");
            assert_eq!(err.to_string().lines().count(), 1, "{err}");
        }
    }

    #[test]
    fn runs_over_all_values_are_bounded() {
        let mut base = scenario("").unwrap();
        base.sweep = Some(Sweep {
            parameter: "sessions.slots".into(),
            values: (1..=10).map(SweepValue::from).collect(),
        });
        base.runs = MAX_SWEEP_RUNS / 10;
        base.check().unwrap();
        base.runs += 1;
        let err = base.check().unwrap_err();
        assert_eq!((err.field(), err.kind()), ("runs", ErrorKind::TooLarge));
    }

    #[test]
    fn a_sweep_runs_with_sweep_simulation_only() {
        let swept =
            scenario(r#", "sweep": {"parameter": "sessions.slots", "values": [1]}"#).unwrap();
        let err = Simulation::new(swept.clone()).unwrap_err();
        assert_eq!(err.field(), "sweep");
        let plain = scenario("").unwrap();
        let err = SweepSimulation::new(plain).unwrap_err();
        assert_eq!(err.field(), "sweep");
        let simulation = SweepSimulation::new(swept).unwrap();
        assert_eq!(simulation.scenario_of(0).unwrap().sessions[0].slots, 1);
        assert!(simulation.scenario_of(1).is_none());
    }

    #[test]
    fn summaries_of_other_sweeps_or_plain_ones_do_not_merge() {
        let run = |sweep: &str, shard: &str| {
            SweepSimulation::new(scenario(sweep).unwrap())
                .unwrap()
                .run_shard(shard.parse().unwrap(), |_| {})
                .unwrap()
        };
        let slots = r#", "sweep": {"parameter": "sessions.slots", "values": [1, 2]}"#;
        let a = run(slots, "0/2");
        let b = run(slots, "1/2");
        let other_values = run(
            r#", "sweep": {"parameter": "sessions.slots", "values": [2, 1]}"#,
            "1/2",
        );
        let other_parameter = run(
            r#", "sweep": {"parameter": "sessions.minutes_per_slot", "values": [1, 2]}"#,
            "1/2",
        );
        let mut merged = a.clone();
        let err = merged.merge(&other_values).unwrap_err();
        assert_eq!(
            (err.field(), err.kind()),
            ("sweep.values", ErrorKind::Mismatch)
        );
        let err = merged.merge(&other_parameter).unwrap_err();
        assert_eq!(
            (err.field(), err.kind()),
            ("sweep.parameter", ErrorKind::Mismatch)
        );
        assert_eq!(merged, a, "unchanged by a refused merge");
        merged.merge(&b).unwrap();
        assert_eq!(merged.shards, None);
        let err = merged.merge(&b).unwrap_err();
        assert_eq!(
            err.field(),
            "shards",
            "a complete summary takes no more shards"
        );

        let plain = Simulation::new(scenario("").unwrap())
            .unwrap()
            .run_shard("1/2".parse().unwrap(), |_| {})
            .unwrap();
        let mut any = AnySummary::Sweep(a.clone());
        let err = any.merge(&AnySummary::Plain(plain.clone())).unwrap_err();
        assert_eq!((err.field(), err.kind()), ("sweep", ErrorKind::Mismatch));
        let mut any = AnySummary::Plain(plain);
        let err = any.merge(&AnySummary::Sweep(b)).unwrap_err();
        assert_eq!((err.field(), err.kind()), ("sweep", ErrorKind::Mismatch));
    }

    #[test]
    fn a_summary_checks_its_values_like_the_scenario() {
        let summary = SweepSimulation::new(
            scenario(r#", "sweep": {"parameter": "policies.reserved.share", "values": [0, 1]}"#)
                .unwrap(),
        )
        .unwrap()
        .run_all()
        .unwrap();
        summary.check().unwrap();
        let broken = |change: &dyn Fn(&mut SweepSummary)| {
            let mut s = summary.clone();
            change(&mut s);
            s.check().unwrap_err()
        };
        let err = broken(&|s| s.sweep.values[1].value = SweepValue::from(0));
        assert_eq!(err.field(), "sweep.values[1]");
        let err = broken(&|s| s.sweep.parameter = "policies.nobody.share".into());
        assert_eq!(err.field(), "sweep.parameter");
        let err = broken(&|s| s.sweep.parameter = "sessions.colour".into());
        assert_eq!(err.field(), "sweep.parameter");
        let err = broken(&|s| s.sweep.values[1].policies.swap(0, 1));
        assert_eq!(err.field(), "sweep.values[1].policies");
        let err = broken(&|s| s.sweep.values.clear());
        assert_eq!(err.field(), "sweep.values");
        let err = broken(&|s| {
            s.sweep.values[1].policies[0]
                .metrics
                .get_mut("late_share")
                .unwrap()
                .m2 = -1.0
        });
        assert_eq!(
            err.field(),
            "sweep.values[1].policies[0].metrics.late_share.m2"
        );
        let err = broken(&|s| s.runs = 4);
        assert_eq!(err.field(), "runs");
    }
}
