//! Scenarios: what a simulation runs, as JSON with unknown fields rejected.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::apportion;
use crate::model::{Category, Chair, GrassrootsClass, Kind, Organisation, Session};
use crate::policy::{ChairDiscretion, Description, Policy, RegionalBalance, Registry, built_in};
use crate::{Error, ErrorKind, Result};

use super::Sweep;

/// A simulated process: who may speak, which sessions there are, how organisations ask, which
/// policies to compare, how many runs and from which seed.
///
/// # Example
///
/// ```
/// use floorshare::sim::Scenario;
///
/// let scenario = Scenario::from_json_str(r#"{
///     "name": "small",
///     "population": {"generate": {"counts": {"asia": {"grassroots": 5, "international_ngo": 1},
///                                            "europe": {"international_ngo": 3}}}},
///     "sessions": [{"id": "s1", "slots": 2, "length_minutes": 120}],
///     "behaviour": {"ask_probability": {"international_ngo": 0.9, "grassroots": 0.3}},
///     "policies": [{"label": "baseline", "policy": {"name": "chair_discretion"}}],
///     "runs": 10,
///     "seed": 1
/// }"#)?;
/// assert_eq!(scenario.policies[0].label, "baseline");
///
/// let err = Scenario::from_json_str(r#"{"name": "x",
///     "population": {"generate": {"counts": {"asia": {"grassroots": 3}}}},
///     "sessions": [{"id": "s", "slots": 1}], "behaviour": {"ask_probability": {"grassroots": 1.5}},
///     "policies": [{"label": "baseline", "policy": {"name": "chair_discretion"}}]}"#);
/// assert_eq!(err.unwrap_err().field(), "behaviour.ask_probability.grassroots");
/// # Ok::<(), floorshare::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short name, recorded in summaries.
    pub name: String,
    /// What the scenario models, and its sources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Who may ask to speak.
    pub population: Population,
    /// Who counts as grassroots (default: kind `grassroots` or migrant-led).
    #[serde(default)]
    pub grassroots_class: GrassrootsClass,
    /// The sessions of the process, in order.
    pub sessions: Vec<Session>,
    /// How organisations ask to speak.
    pub behaviour: Behaviour,
    /// The policies compared, each under a label.
    pub policies: Vec<LabelledPolicy>,
    /// The label of the policy the others are compared with, run by run (the paired
    /// differences of the summary); absent, the first policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
    /// Number of runs (default 1000).
    #[serde(default = "Scenario::default_runs")]
    pub runs: u64,
    /// Master seed (default 0).
    #[serde(default)]
    pub seed: u64,
    /// One parameter to sweep, when given: the scenario runs once per value, with the same
    /// seeds ([`SweepSimulation`](super::SweepSimulation); see [`Sweep`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sweep: Option<Sweep>,
}

/// The organisations of a scenario: an explicit list, or a generator.
///
/// JSON: `{"organisations": [...]}` or `{"generate": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Population {
    /// These organisations, in every run.
    Organisations(Vec<Organisation>),
    /// Organisations drawn afresh in every run.
    Generate(PopulationGenerator),
}

/// Generates a population: `counts[region][kind]` organisations of each kind in each region,
/// each migrant-led with probability `migrant_led_rate[kind]` (0 for kinds not named). Ids are
/// `"{region}-{kind}-{i}"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PopulationGenerator {
    /// Organisations per region and kind.
    pub counts: BTreeMap<String, BTreeMap<Kind, u32>>,
    /// Probability that an organisation of a kind is migrant-led.
    #[serde(default)]
    pub migrant_led_rate: BTreeMap<Kind, f64>,
}

/// How organisations ask to speak and what they raise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Behaviour {
    /// Probability that an organisation of a kind asks to speak in a session, independently
    /// per session.
    pub ask_probability: BTreeMap<Kind, f64>,
    /// The probability for kinds not named (default 0).
    #[serde(default)]
    pub default_ask_probability: f64,
    /// Themes organisations care about; each organisation draws `themes_per_organisation` of
    /// them at random, and raises one of its themes, at random, whenever it asks.
    #[serde(default)]
    pub themes: Vec<String>,
    /// How many of `themes` each organisation cares about (default 1).
    #[serde(default = "Behaviour::default_themes_per_organisation")]
    pub themes_per_organisation: u32,
    /// Themes that only a region's organisations care about, added to theirs (the Pacific's
    /// climate change).
    #[serde(default)]
    pub regional_themes: BTreeMap<String, Vec<String>>,
    /// Joint statements: when given, the organisations that ask in a session speak through
    /// one focal point per value of a category (see [`JointStatements`]). Absent (the
    /// default), every organisation that asks makes its own request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joint_statements: Option<JointStatements>,
}

/// How the organisations that ask in a session combine into joint statements:
/// `{"by": CATEGORY}` (a [`Category`]: `region`, `kind`, `class`, `migrant_led`, `country` or
/// `tag:KEY`). The 2018 GCM regional focal points are `{"by": "region"}`: one statement per
/// region.
///
/// In each session, once the requests are drawn (who asks, what theme each raises, the
/// inscription order — the same draws as without joint statements, so the random numbers
/// stay common to every policy and to the scenario without this field), the requesters are
/// grouped by their value of the category. A value with a single requester keeps its request
/// as it is. A value with several requesters makes **one** request: its focal point's, on
/// behalf of the others ([`Request::on_behalf_of`](crate::model::Request::on_behalf_of),
/// listed in inscription order); the others' own requests are withdrawn. The focal point is
/// the first requester, in inscription order, with tag `focal_point` = `"true"`, or else the
/// first requester inscribed. The joint request keeps the focal point's place in the
/// inscription order, its minutes and its theme (the co-signatories' themes are then not
/// requested). Organisations without the country or the tag share the value `""`, and so
/// speak together, as [`Category`] treats it: an ordinary value. The grouping is
/// deterministic: it draws nothing.
///
/// The voice metrics read the statements: `voice_share` and `never_voiced_share` count the
/// co-signatories, `never_heard_share` only the requesters (see [`Metric`](super::Metric)).
///
/// A generated population has no tags, so its focal points are the first inscribed; its
/// `class` and `migrant_led` values follow each run's migrant-led draws.
///
/// This is the behaviour's setting, for every policy that does not set its own
/// ([`LabelledPolicy::joint_statements`]: another category, or none).
///
/// ```
/// use floorshare::sim::Scenario;
///
/// let scenario = Scenario::from_json_str(r#"{
///     "name": "focal_points",
///     "population": {"generate": {"counts": {"asia": {"grassroots": 5}, "pacific": {"grassroots": 3}}}},
///     "sessions": [{"id": "s1", "slots": 1}],
///     "behaviour": {"ask_probability": {}, "default_ask_probability": 0.5, "joint_statements": {"by": "region"}},
///     "policies": [{"label": "regions", "policy": {"name": "regional_balance"}}],
///     "runs": 10
/// }"#)?;
/// let joint = scenario.behaviour.joint_statements.as_ref().unwrap();
/// assert_eq!(joint.by.name(), "region");
///
/// let err = Scenario::from_json_str(r#"{"name": "x",
///     "population": {"generate": {"counts": {"asia": {"grassroots": 3}}}},
///     "sessions": [{"id": "s", "slots": 1}],
///     "behaviour": {"ask_probability": {}, "default_ask_probability": 0.5, "joint_statements": {"by": "colour"}},
///     "policies": [{"label": "baseline", "policy": {"name": "chair_discretion"}}]}"#);
/// assert_eq!(err.unwrap_err().field(), "behaviour.joint_statements.by");
/// # Ok::<(), floorshare::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct JointStatements {
    /// The category whose values make the statements: one per value among the requesters.
    pub by: Category,
}

impl JointStatements {
    /// One joint statement per value of `by` among a session's requesters.
    pub fn by(category: Category) -> Self {
        JointStatements { by: category }
    }
}

/// A labelled policy, built.
pub(crate) type BuiltPolicy = (String, Box<dyn Policy>);

/// A policy's own joint statements, overriding the behaviour's
/// ([`Behaviour::joint_statements`]) for this policy alone: `{"by": CATEGORY}` (one statement
/// per value of the category, as [`JointStatements`] says) or `"none"` (every organisation that
/// asks makes its own request, whatever the behaviour says). A policy without the field
/// follows the behaviour.
///
/// The requests are drawn once per run whatever the policies' settings; each setting then
/// merges them its own way, a deterministic step that draws nothing. A policy thus sees
/// exactly the requests — and gives exactly the figures — it would see in a scenario whose
/// behaviour had its setting for every policy: the draws stay common to every policy, and
/// differences between a policy with joint statements and one without are paired.
///
/// ```
/// use floorshare::sim::{PolicyJointStatements, Scenario};
///
/// let scenario = Scenario::from_json_str(r#"{
///     "name": "focal_points_or_not",
///     "population": {"generate": {"counts": {"asia": {"grassroots": 5}, "pacific": {"grassroots": 3}}}},
///     "sessions": [{"id": "s1", "slots": 1}],
///     "behaviour": {"ask_probability": {}, "default_ask_probability": 0.5,
///                   "joint_statements": {"by": "region"}},
///     "policies": [
///         {"label": "focal_points", "policy": {"name": "regional_balance"}},
///         {"label": "each_alone", "policy": {"name": "regional_balance"}, "joint_statements": "none"},
///         {"label": "by_class", "policy": {"name": "fcfs"}, "joint_statements": {"by": "class"}}],
///     "runs": 10
/// }"#)?;
/// let by = |i: usize| scenario.policies[i].joint_statements_by(&scenario.behaviour);
/// assert_eq!(by(0).map(|c| c.name()), Some("region".into())); // the behaviour's
/// assert_eq!(by(1), None);
/// assert_eq!(by(2).map(|c| c.name()), Some("class".into()));
/// assert_eq!(scenario.policies[1].joint_statements, Some(PolicyJointStatements::None));
///
/// let err = Scenario::from_json_str(r#"{"name": "x",
///     "population": {"generate": {"counts": {"asia": {"grassroots": 3}}}},
///     "sessions": [{"id": "s", "slots": 1}], "behaviour": {"ask_probability": {}},
///     "policies": [{"label": "p", "policy": {"name": "fcfs"}, "joint_statements": {"by": "colour"}}]}"#);
/// assert_eq!(err.unwrap_err().field(), "policies[0].joint_statements.by");
/// # Ok::<(), floorshare::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PolicyJointStatements {
    /// `"none"`: no joint statements for this policy.
    None,
    /// `{"by": CATEGORY}`: one joint statement per value of the category among a session's
    /// requesters.
    By(Category),
}

/// A policy under the label the tables and summaries use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelledPolicy {
    /// The label (`baseline_2017`).
    pub label: String,
    /// The policy description (a built-in policy, or one of the registry the simulation is
    /// given).
    pub policy: Description,
    /// This policy's own joint statements, overriding `behaviour.joint_statements`
    /// ([`PolicyJointStatements`]); absent (the default), the behaviour's. `null` is refused,
    /// so that it cannot be mistaken for `"none"`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub joint_statements: Option<PolicyJointStatements>,
}

/// A field that may be absent (then `None`, by `#[serde(default)]`) but, when present, must be
/// a value: `null` is an error.
fn present<'de, D, T>(deserializer: D) -> std::result::Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

impl LabelledPolicy {
    /// The category whose values make this policy's joint statements under `behaviour`
    /// (its own setting, else the behaviour's), or `None` when it has none.
    pub fn joint_statements_by<'a>(&'a self, behaviour: &'a Behaviour) -> Option<&'a Category> {
        match &self.joint_statements {
            Some(PolicyJointStatements::None) => None,
            Some(PolicyJointStatements::By(category)) => Some(category),
            None => behaviour.joint_statements.as_ref().map(|joint| &joint.by),
        }
    }
}

impl Scenario {
    fn default_runs() -> u64 {
        1000
    }

    /// Reads and checks a scenario whose policies are floorshare's own; errors name the field
    /// at fault.
    ///
    /// # Errors
    ///
    /// As [`Scenario::from_json_str_with`].
    pub fn from_json_str(json: &str) -> Result<Self> {
        Self::from_json_str_with(json, built_in())
    }

    /// Reads and checks a scenario whose policies are in `registry`.
    ///
    /// # Errors
    ///
    /// - [`ErrorKind::Syntax`] naming `input` when the text is not JSON, and
    ///   [`ErrorKind::DuplicateId`] naming a key given twice in one object;
    /// - an [`Error::Json`] naming the field at fault when the document is not a scenario:
    ///   [`ErrorKind::WrongType`], [`ErrorKind::MissingField`], [`ErrorKind::UnknownField`]
    ///   (unknown fields are rejected), [`ErrorKind::UnknownName`] (an unknown kind) or
    ///   [`ErrorKind::OutOfRange`] (`sessions[0].slots`, `policies[1].policy.name`);
    /// - the errors of [`Scenario::check_with`].
    pub fn from_json_str_with(json: &str, registry: &Registry) -> Result<Self> {
        let value = crate::interchange::read_json_value(json)?;
        let scenario: Scenario = Error::read_json(value)?;
        scenario.check_with(registry)?;
        Ok(scenario)
    }

    /// The most organisations a generated population may have (10 million): a bound that
    /// keeps a typo in a count a typed error instead of an exhausted memory.
    pub const MAX_ORGANISATIONS: u64 = 10_000_000;

    /// The most themes drawn in a run, over all organisations (100 million: 400 MB of theme
    /// numbers per thread): organisations × `themes_per_organisation` (at most the themes).
    pub const MAX_THEME_DRAWS: u64 = 100_000_000;

    /// The most runs a scenario may ask for (a billion): far beyond any study, and a bound
    /// that keeps a typo in the run count (`--runs 18446744073709551615`) a typed error
    /// rather than a run that never ends.
    pub const MAX_RUNS: u64 = 1_000_000_000;

    /// The index of the baseline policy: the one labelled [`Scenario::baseline`], or the
    /// first. A checked scenario names one of its policies.
    pub fn baseline_index(&self) -> usize {
        self.baseline
            .as_ref()
            .and_then(|label| self.policies.iter().position(|p| &p.label == label))
            .unwrap_or(0)
    }

    /// Checks the scenario: a non-empty population of at most [`Scenario::MAX_ORGANISATIONS`],
    /// probabilities in [0, 1], at least one session, sessions valid with distinct ids, at
    /// least one policy, labels unique and made of letters, digits, `_`, `-` and `.` (they are
    /// CSV and table cells), policies valid — every parameter, and what the process reveals
    /// about them (weight maps against the regions that may ask, a chair's bounds) — regional
    /// themes naming regions of the population, at least one run, themes per organisation
    /// available. Everything is checked before the first run. Policies are floorshare's own.
    ///
    /// # Errors
    ///
    /// As [`Scenario::check_with`].
    pub fn check(&self) -> Result<()> {
        self.check_with(built_in())
    }

    /// As [`Scenario::check`], with the policies of `registry`.
    ///
    /// # Errors
    ///
    /// The first problem found, naming its field by its full path, so that nothing the
    /// scenario says is found wrong only once runs have begun:
    ///
    /// - [`ErrorKind::OutOfRange`] naming `name` (empty, longer than
    ///   [`MAX_NAME`](super::MAX_NAME) characters, or with control characters), `population`
    ///   (no organisations),
    ///   `population.generate.counts` (an empty region name), a probability outside [0, 1]
    ///   (`behaviour.ask_probability.<kind>`, `behaviour.default_ask_probability`,
    ///   `population.generate.migrant_led_rate.<kind>`), `behaviour.themes_per_organisation`
    ///   (more than the themes), `sessions` or `policies` (empty), `sessions[i].<field>` (a
    ///   session's own check), `policies[i].label` (empty, longer than
    ///   [`MAX_NAME`](super::MAX_NAME), or not made of the allowed characters: a comma or a
    ///   newline would break CSV), `runs` (zero), or a `chair_discretion` bound that a
    ///   session's chair contradicts (`policies[i].policy.min_slots` above
    ///   `sessions[j].chair.max_slots`, or `sessions[j].chair.min_slots` above
    ///   `policies[i].policy.max_slots`);
    /// - [`ErrorKind::MissingWeight`] naming `policies[i].policy.weights` when an explicit
    ///   `regional_balance` weight map lacks a region whose organisations may ask to speak
    ///   (a kind with a positive ask probability);
    /// - [`ErrorKind::TooLarge`] naming `population` (more than
    ///   [`Scenario::MAX_ORGANISATIONS`]), `runs` (more than [`Scenario::MAX_RUNS`]),
    ///   `behaviour.themes_per_organisation` (more than [`Scenario::MAX_THEME_DRAWS`] themes
    ///   drawn in a run), or `sessions[j].slots` when `regional_balance`
    ///   would have to apportion more than [`MAX_UNITS`](crate::apportion::MAX_UNITS) slots;
    /// - [`ErrorKind::UnknownId`] naming `behaviour.regional_themes.<region>` (not a region of
    ///   the population);
    /// - [`ErrorKind::DuplicateId`] naming `sessions[i].id` or `policies[i].label`;
    /// - the errors of [`Registry::build`] under `policies[i].policy` (an unknown policy name,
    ///   unknown or invalid parameters);
    /// - with a `sweep`, its errors (see [`Sweep`]): `sweep.parameter` naming nothing a sweep
    ///   may set, `sweep.values` empty, `sweep.values[i]` mixed, repeated, or making the
    ///   scenario invalid (the message names the field), `runs` when runs × values is more
    ///   than [`MAX_SWEEP_RUNS`](super::MAX_SWEEP_RUNS). Every value's scenario is checked.
    pub fn check_with(&self, registry: &Registry) -> Result<()> {
        super::summary::check_name("name", &self.name)?;
        let probability = |field: String, p: f64| {
            if (0.0..=1.0).contains(&p) {
                Ok(())
            } else {
                Err(Error::invalid(field, p, "is outside [0, 1]"))
            }
        };
        let regions: BTreeSet<&str> = match &self.population {
            Population::Organisations(organisations) => {
                organisations.iter().map(|o| o.region.as_str()).collect()
            }
            Population::Generate(generator) => generator
                .counts
                .iter()
                .filter(|(_, kinds)| kinds.values().any(|&c| c > 0))
                .map(|(region, _)| region.as_str())
                .collect(),
        };
        // The regions whose organisations may ask to speak: every weight map needs them.
        let asking_regions: BTreeSet<&str> = match &self.population {
            Population::Organisations(organisations) => organisations
                .iter()
                .filter(|o| self.behaviour.ask_probability_of(o.kind) > 0.0)
                .map(|o| o.region.as_str())
                .collect(),
            Population::Generate(generator) => generator
                .counts
                .iter()
                .filter(|(_, kinds)| {
                    kinds
                        .iter()
                        .any(|(&kind, &c)| c > 0 && self.behaviour.ask_probability_of(kind) > 0.0)
                })
                .map(|(region, _)| region.as_str())
                .collect(),
        };
        let organisations: u64 = match &self.population {
            Population::Organisations(organisations) => organisations.len() as u64,
            Population::Generate(generator) => generator
                .counts
                .values()
                .flat_map(|kinds| kinds.values())
                .map(|&c| u64::from(c))
                .sum(),
        };
        if organisations == 0 || organisations > Self::MAX_ORGANISATIONS {
            return Err(Error::invalid_as(
                if organisations == 0 {
                    ErrorKind::OutOfRange
                } else {
                    ErrorKind::TooLarge
                },
                "population",
                organisations,
                format!(
                    "organisations: a population needs 1 to {}",
                    Self::MAX_ORGANISATIONS
                ),
            ));
        }
        if let Population::Generate(generator) = &self.population {
            for region in generator.counts.keys() {
                if region.is_empty() {
                    return Err(Error::invalid(
                        "population.generate.counts",
                        "\"\"",
                        "names an empty region",
                    ));
                }
            }
            for (kind, &p) in &generator.migrant_led_rate {
                probability(format!("population.generate.migrant_led_rate.{kind}"), p)?;
            }
        }
        for (kind, &p) in &self.behaviour.ask_probability {
            probability(format!("behaviour.ask_probability.{kind}"), p)?;
        }
        probability(
            "behaviour.default_ask_probability".into(),
            self.behaviour.default_ask_probability,
        )?;
        if self.behaviour.themes_per_organisation as usize > self.behaviour.themes.len()
            && !self.behaviour.themes.is_empty()
        {
            return Err(Error::invalid(
                "behaviour.themes_per_organisation",
                self.behaviour.themes_per_organisation,
                format!("is more than the {} themes", self.behaviour.themes.len()),
            ));
        }
        let drawn = (self.behaviour.themes_per_organisation as usize)
            .min(self.behaviour.themes.len()) as u64;
        if drawn.saturating_mul(organisations) > Self::MAX_THEME_DRAWS {
            return Err(Error::invalid_as(
                ErrorKind::TooLarge,
                "behaviour.themes_per_organisation",
                self.behaviour.themes_per_organisation,
                format!(
                    "themes for each of {organisations} organisations is more than {} in all",
                    Self::MAX_THEME_DRAWS
                ),
            ));
        }
        for region in self.behaviour.regional_themes.keys() {
            if !regions.contains(region.as_str()) {
                return Err(Error::invalid_as(
                    ErrorKind::UnknownId,
                    format!("behaviour.regional_themes.{region}"),
                    format!("{region:?}"),
                    "is not a region of the population",
                ));
            }
        }
        if self.sessions.is_empty() {
            return Err(Error::invalid("sessions", "[]", "is empty"));
        }
        let mut ids = BTreeSet::new();
        for (i, session) in self.sessions.iter().enumerate() {
            session
                .check()
                .map_err(|e| e.within(&format!("sessions[{i}]")))?;
            if !ids.insert(&session.id) {
                return Err(Error::invalid_as(
                    ErrorKind::DuplicateId,
                    format!("sessions[{i}].id"),
                    format!("{:?}", session.id),
                    "is used twice",
                ));
            }
        }
        if self.policies.is_empty() {
            return Err(Error::invalid("policies", "[]", "is empty"));
        }
        let mut labels = BTreeSet::new();
        for (i, labelled) in self.policies.iter().enumerate() {
            let field = format!("policies[{i}].label");
            super::summary::check_label(&field, &labelled.label)?;
            if !labels.insert(&labelled.label) {
                return Err(Error::invalid_as(
                    ErrorKind::DuplicateId,
                    field,
                    format!("{:?}", labelled.label),
                    "is used twice",
                ));
            }
            let within = format!("policies[{i}].policy");
            registry
                .build(&labelled.policy)
                .map_err(|e| e.within(&within))?;
            self.check_against_process(i, &labelled.policy, &asking_regions, organisations)?;
        }
        if let Some(baseline) = &self.baseline
            && !labels.contains(baseline)
        {
            return Err(Error::invalid_as(
                ErrorKind::UnknownName,
                "baseline",
                format!("{baseline:?}"),
                "is not the label of one of the policies",
            ));
        }
        if self.runs == 0 || self.runs > Self::MAX_RUNS {
            return Err(Error::invalid_as(
                if self.runs == 0 {
                    ErrorKind::OutOfRange
                } else {
                    ErrorKind::TooLarge
                },
                "runs",
                self.runs,
                format!("is not within 1 to {}", Self::MAX_RUNS),
            ));
        }
        if let Some(sweep) = &self.sweep {
            super::sweep::check(self, sweep, registry)?;
        }
        Ok(())
    }

    /// Checks what only the process reveals about policy `i`'s parameters, so that no run
    /// meets it late: an explicit `regional_balance` weight map against the regions whose
    /// organisations may ask, its apportionment against the sessions' slots, and
    /// `chair_discretion`'s bounds against each session's chair. Errors carry their full path.
    fn check_against_process(
        &self,
        i: usize,
        policy: &Description,
        asking_regions: &BTreeSet<&str>,
        organisations: u64,
    ) -> Result<()> {
        let parameter = |name: &str| format!("policies[{i}].policy.{name}");
        match policy.name() {
            RegionalBalance::NAME => {
                if let Some(serde_json::Value::Object(weights)) = policy.parameters().get("weights")
                    && let Some(region) = asking_regions.iter().find(|r| !weights.contains_key(**r))
                {
                    return Err(Error::MissingRegionWeight {
                        field: parameter("weights"),
                        region: region.to_string(),
                    });
                }
                // Quotas are apportioned only when the requesters outnumber the slots.
                let most = u64::from(apportion::MAX_UNITS);
                if let Some((j, session)) =
                    self.sessions.iter().enumerate().find(|(_, s)| {
                        u64::from(s.slots) > most && organisations > u64::from(s.slots)
                    })
                {
                    return Err(Error::invalid_as(
                        ErrorKind::TooLarge,
                        format!("sessions[{j}].slots"),
                        session.slots,
                        format!(
                            "is more than {most}, the most slots policies[{i}] (regional_balance) \
                             apportions exactly"
                        ),
                    ));
                }
            }
            ChairDiscretion::NAME => {
                let bound = |name: &str| {
                    policy
                        .parameters()
                        .get(name)
                        .and_then(serde_json::Value::as_u64)
                        .and_then(|v| u32::try_from(v).ok())
                };
                let (own_min, own_max) = (bound("min_slots"), bound("max_slots"));
                let default_chair = Chair::default();
                for (j, session) in self.sessions.iter().enumerate() {
                    let chair = session.chair.as_ref().unwrap_or(&default_chair);
                    let min = own_min.unwrap_or(chair.min_slots);
                    let max = own_max.unwrap_or(chair.max_slots);
                    if min > max {
                        let source = |own: bool, name: &str| {
                            if own {
                                parameter(name)
                            } else {
                                format!("sessions[{j}].chair.{name}")
                            }
                        };
                        return Err(Error::invalid(
                            source(own_min.is_some(), "min_slots"),
                            min,
                            format!(
                                "is greater than {} ({max})",
                                source(own_max.is_some(), "max_slots")
                            ),
                        ));
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// The policies, built, with their labels.
    pub(crate) fn build_policies(&self, registry: &Registry) -> Result<Vec<BuiltPolicy>> {
        self.policies
            .iter()
            .enumerate()
            .map(|(i, labelled)| {
                let policy = registry
                    .build(&labelled.policy)
                    .map_err(|e| e.within(&format!("policies[{i}].policy")))?;
                Ok((labelled.label.clone(), policy))
            })
            .collect()
    }
}

impl Behaviour {
    fn default_themes_per_organisation() -> u32 {
        1
    }

    /// The probability that an organisation of `kind` asks in a session.
    pub fn ask_probability_of(&self, kind: Kind) -> f64 {
        self.ask_probability
            .get(&kind)
            .copied()
            .unwrap_or(self.default_ask_probability)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_policy_joint(joint: &str) -> Result<Scenario> {
        Scenario::from_json_str(&format!(
            r#"{{"name": "x",
            "population": {{"generate": {{"counts": {{"asia": {{"grassroots": 3}}}}}}}},
            "sessions": [{{"id": "s", "slots": 1}}],
            "behaviour": {{"ask_probability": {{}}, "default_ask_probability": 0.5,
                           "joint_statements": {{"by": "region"}}}},
            "policies": [{{"label": "a", "policy": {{"name": "fcfs"}}}},
                         {{"label": "b", "policy": {{"name": "fcfs"}}{joint}}}]}}"#
        ))
    }

    #[test]
    fn a_policy_overrides_the_behaviours_joint_statements() {
        let read = |joint: &str| {
            let scenario = with_policy_joint(joint).unwrap();
            let by = scenario.policies[1].joint_statements_by(&scenario.behaviour);
            (
                scenario.policies[1].joint_statements.clone(),
                by.map(|c| c.name().into_owned()),
            )
        };
        assert_eq!(read(""), (None, Some("region".into())));
        assert_eq!(
            read(r#", "joint_statements": "none""#),
            (Some(PolicyJointStatements::None), None)
        );
        assert_eq!(
            read(r#", "joint_statements": {"by": "tag:major_group"}"#),
            (
                Some(PolicyJointStatements::By(Category::Tag(
                    "major_group".into()
                ))),
                Some("tag:major_group".into())
            )
        );
        // Without the behaviour's, "none" and absent agree.
        let mut scenario = with_policy_joint(r#", "joint_statements": "none""#).unwrap();
        scenario.behaviour.joint_statements = None;
        assert_eq!(
            scenario.policies[0].joint_statements_by(&scenario.behaviour),
            None
        );
        assert_eq!(
            scenario.policies[1].joint_statements_by(&scenario.behaviour),
            None
        );
        // Written back as read: absent stays absent.
        let scenario = with_policy_joint(r#", "joint_statements": "none""#).unwrap();
        let json = serde_json::to_value(&scenario).unwrap();
        assert!(json["policies"][0].get("joint_statements").is_none());
        assert_eq!(json["policies"][1]["joint_statements"], "none");
        assert_eq!(
            Scenario::from_json_str(&json.to_string()).unwrap(),
            scenario
        );
    }

    #[test]
    fn a_bad_policy_setting_names_its_field() {
        for (joint, field) in [
            (r#"{"by": "colour"}"#, "policies[1].joint_statements.by"),
            (r#"{"by": "tag:"}"#, "policies[1].joint_statements.by"),
            (r#"{"by": 3}"#, "policies[1].joint_statements.by"),
            (r#""None""#, "policies[1].joint_statements"),
            (r#""region""#, "policies[1].joint_statements"),
            (r#"{"on": "region"}"#, "policies[1].joint_statements"),
            (r#"null"#, "policies[1].joint_statements"),
        ] {
            let err = with_policy_joint(&format!(r#", "joint_statements": {joint}"#)).unwrap_err();
            assert_eq!(err.field(), field, "{joint}: {err}");
        }
        let err = with_policy_joint(r#", "joint_statements": {"by": "colour"}"#).unwrap_err();
        assert!(
            err.to_string().contains("unknown category \"colour\""),
            "{err}"
        );
    }
}
