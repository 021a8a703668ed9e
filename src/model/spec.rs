//! Policy descriptions: the data that says which policy to run with which parameters, as
//! written in JSON (`{"name": "regional_balance", "method": "dhondt"}`, SPEC §6).
//!
//! A description is plain data; the `policy` module checks it and turns it into a runnable
//! [`Policy`](crate::policy::Policy) (`floorshare::policy::build`). Every description
//! serialises with all its defaults spelled out, so an allocation records exactly what ran.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::{Kind, Placement};
use crate::apportion::Method;
use crate::{Error, Result};

/// Parameters of `chair_discretion`. Each given field overrides the session chair's profile.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChairDiscretionSpec {
    /// Overrides the chair's `min_slots`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_slots: Option<u32>,
    /// Overrides the chair's `max_slots`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_slots: Option<u32>,
    /// Replaces the chair's familiarity map.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub familiarity: Option<BTreeMap<Kind, f64>>,
    /// Overrides the session's placement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placement: Option<Placement>,
}

/// How regions are weighted by `regional_balance`.
///
/// JSON: `"equal"`, `"requests"`, or an object region → positive number.
#[derive(Debug, Clone, PartialEq, Default)]
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
    /// Overrides the session's placement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placement: Option<Placement>,
}

/// The modes of `grassroots_priority`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrassrootsMode {
    /// Progressive stack: the whole class before anyone else.
    #[default]
    Strict,
    /// A share of the slots reserved for the class, the rest by open lottery.
    Reserved,
    /// Weighted draws favouring the class.
    Weighted,
}

/// Parameters of `grassroots_priority`. `share` is required in (and only allowed in) mode
/// `reserved`, `weight` in mode `weighted`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrassrootsPrioritySpec {
    /// The mode (default `strict`).
    #[serde(default)]
    pub mode: GrassrootsMode,
    /// Share of the slots reserved for the class, in [0, 1] (mode `reserved`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share: Option<f64>,
    /// Weight of a class member in the draws, ≥ 1 (mode `weighted`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
    /// Overrides the session's placement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placement: Option<Placement>,
}

/// A policy description: its `name` and its parameters (SPEC §6).
///
/// # Example
///
/// ```
/// use floorshare::model::PolicySpec;
///
/// let spec: PolicySpec = serde_json::from_str(r#"{"name": "regional_balance", "method": "dhondt"}"#)?;
/// assert_eq!(spec.name(), "regional_balance");
/// // Defaults are spelled out when written back.
/// assert_eq!(
///     serde_json::to_string(&spec)?,
///     r#"{"name":"regional_balance","weights":"equal","method":"dhondt","within_region":"lottery"}"#
/// );
///
/// // Unknown parameters are rejected: a typo must not silently change a policy.
/// let err = PolicySpec::from_json(serde_json::json!({"name": "regional_balance", "metod": "dhondt"}));
/// assert_eq!(err.unwrap_err().field(), "metod");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "name", rename_all = "snake_case")]
pub enum PolicySpec {
    /// The 2017 baseline: the chair picks at their discretion.
    ChairDiscretion(ChairDiscretionSpec),
    /// Apportioned regional quotas.
    RegionalBalance(RegionalBalanceSpec),
    /// The grassroots class first.
    GrassrootsPriority(GrassrootsPrioritySpec),
}

impl Default for PolicySpec {
    /// `chair_discretion` with the session chair's profile: the 2017 practice.
    fn default() -> Self {
        PolicySpec::ChairDiscretion(ChairDiscretionSpec::default())
    }
}

impl PolicySpec {
    /// The names of the policies floorshare knows, as written in JSON.
    pub const NAMES: [&'static str; 3] = [
        "chair_discretion",
        "regional_balance",
        "grassroots_priority",
    ];

    /// The policy's JSON name.
    pub fn name(&self) -> &'static str {
        match self {
            PolicySpec::ChairDiscretion(_) => Self::NAMES[0],
            PolicySpec::RegionalBalance(_) => Self::NAMES[1],
            PolicySpec::GrassrootsPriority(_) => Self::NAMES[2],
        }
    }

    /// The placement the description sets, overriding the session's, if any.
    pub fn placement(&self) -> Option<Placement> {
        match self {
            PolicySpec::ChairDiscretion(spec) => spec.placement,
            PolicySpec::RegionalBalance(spec) => spec.placement,
            PolicySpec::GrassrootsPriority(spec) => spec.placement,
        }
    }

    /// Reads a description from JSON: the `name` first, then the parameters into the named
    /// policy's parameter struct, rejecting unknown fields. Error paths are relative to the
    /// description (`name`, `weights.europe`); place them with [`Error::within`].
    pub fn from_json(value: Value) -> Result<PolicySpec> {
        let Value::Object(mut map) = value else {
            return Err(Error::Json {
                field: "input".into(),
                message: format!("expected a policy description object, found {value}"),
            });
        };
        let name = match map.remove("name") {
            Some(Value::String(name)) => name,
            Some(other) => {
                return Err(Error::Json {
                    field: "name".into(),
                    message: format!("expected a policy name string, found {other}"),
                });
            }
            None => {
                return Err(Error::Json {
                    field: "name".into(),
                    message: "missing field `name`".into(),
                });
            }
        };
        let params = Value::Object(map);
        match name.as_str() {
            "chair_discretion" => Error::read_json(params).map(PolicySpec::ChairDiscretion),
            "regional_balance" => Error::read_json(params).map(PolicySpec::RegionalBalance),
            "grassroots_priority" => Error::read_json(params).map(PolicySpec::GrassrootsPriority),
            _ => Err(Error::UnknownPolicy {
                field: "name".into(),
                name,
            }),
        }
    }
}

impl<'de> Deserialize<'de> for PolicySpec {
    /// As [`PolicySpec::from_json`]; the error message carries the inner field path.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        PolicySpec::from_json(value).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_and_parameters_are_checked_with_paths() {
        let err = PolicySpec::from_json(json!({"name": "loudest_first"})).unwrap_err();
        assert_eq!(
            err.within("policy").to_string(),
            r#"policy.name: unknown policy "loudest_first""#
        );
        let err = PolicySpec::from_json(json!({"name": "regional_balance", "weights": "loud"}))
            .unwrap_err();
        assert_eq!(err.field(), "weights");
        assert!(err.to_string().contains("\"loud\""), "{err}");
        let err =
            PolicySpec::from_json(json!({"name": "regional_balance", "weights": {"asia": "x"}}))
                .unwrap_err();
        assert_eq!(err.field(), "weights.asia");
        let err = PolicySpec::from_json(json!({"mode": "strict"})).unwrap_err();
        assert_eq!(err.field(), "name");
        let err = PolicySpec::from_json(json!({"name": "grassroots_priority", "mode": "loud"}))
            .unwrap_err();
        assert_eq!(err.field(), "mode");
    }

    #[test]
    fn descriptions_round_trip() {
        for value in [
            json!({"name": "chair_discretion", "min_slots": 1, "familiarity": {"academia": 2.5}}),
            json!({"name": "regional_balance", "weights": {"asia": 2.0, "europe": 1.0}, "method": "dean", "within_region": "grassroots_first", "placement": "spread"}),
            json!({"name": "grassroots_priority", "mode": "reserved", "share": 0.14}),
        ] {
            let spec = PolicySpec::from_json(value.clone()).unwrap();
            let back = serde_json::to_value(&spec).unwrap();
            assert_eq!(PolicySpec::from_json(back).unwrap(), spec);
        }
    }
}
