//! Policy descriptions: a name plus parameters as JSON, open to policies written anywhere.

use std::fmt;

use serde::de::DeserializeOwned;
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::{Error, ErrorKind, Result};

/// What a policy is and with which parameters, as written in JSON:
/// `{"name": "regional_balance", "method": "dhondt"}`.
///
/// A description is the name plus a JSON object of parameters, not a variant of a closed enum,
/// so a policy written outside this crate describes itself truthfully in its allocations, and a
/// [`Registry`](super::Registry) maps names to constructors. Parameters keep the order a policy
/// writes them in; floorshare's policies spell out every default, so that a record says exactly
/// what ran.
///
/// # Example
///
/// ```
/// use floorshare::policy::Description;
///
/// let description: Description =
///     serde_json::from_str(r#"{"name": "regional_balance", "method": "dhondt"}"#)?;
/// assert_eq!(description.name(), "regional_balance");
/// assert_eq!(description.parameters()["method"], "dhondt");
/// assert_eq!(
///     serde_json::to_string(&description)?,
///     r#"{"name":"regional_balance","method":"dhondt"}"#
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Description {
    name: String,
    parameters: Map<String, Value>,
}

impl Description {
    /// A description with no parameters.
    pub fn new(name: impl Into<String>) -> Self {
        Description {
            name: name.into(),
            parameters: Map::new(),
        }
    }

    /// A description whose parameters are `parameters` serialised (a struct or a map; its
    /// fields become the parameters, in their order).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::WrongType`] naming `parameters` when `parameters` does not serialise to a
    /// JSON object without a `name` field.
    pub fn with_parameters(name: impl Into<String>, parameters: &impl Serialize) -> Result<Self> {
        let invalid = |message: String| Error::json_as(ErrorKind::WrongType, "parameters", message);
        match serde_json::to_value(parameters) {
            Ok(Value::Object(parameters)) if !parameters.contains_key("name") => Ok(Description {
                name: name.into(),
                parameters,
            }),
            Ok(Value::Object(_)) => Err(invalid("a parameter may not be called `name`".into())),
            Ok(other) => Err(invalid(format!(
                "expected an object, found {}",
                crate::error::quote_json(&other)
            ))),
            Err(err) => Err(invalid(err.to_string())),
        }
    }

    /// Reads a description from JSON: an object with a string `name`; the other fields are the
    /// parameters. Error paths are relative to the description (`name`); place them with
    /// [`Error::within`].
    ///
    /// # Errors
    ///
    /// [`ErrorKind::WrongType`] naming `input` when `value` is not an object, or `name` when
    /// the name is not a string; [`ErrorKind::MissingField`] naming `name` when it is
    /// missing.
    pub fn from_json(value: Value) -> Result<Self> {
        let Value::Object(mut parameters) = value else {
            return Err(Error::json_as(
                ErrorKind::WrongType,
                "input",
                format!(
                    "expected a policy description object, found {}",
                    crate::error::quote_json(&value)
                ),
            ));
        };
        let name = match parameters.remove("name") {
            Some(Value::String(name)) => name,
            Some(other) => {
                return Err(Error::json_as(
                    ErrorKind::WrongType,
                    "name",
                    format!(
                        "expected a policy name string, found {}",
                        crate::error::quote_json(&other)
                    ),
                ));
            }
            None => {
                return Err(Error::json("name", "missing field `name`"));
            }
        };
        Ok(Description { name, parameters })
    }

    /// The policy's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The parameters, without the name.
    pub fn parameters(&self) -> &Map<String, Value> {
        &self.parameters
    }

    /// Sets parameter `key` to `value` (replacing it in place, or appending it).
    pub(crate) fn set_parameter(&mut self, key: String, value: Value) {
        self.parameters.insert(key, value);
    }

    /// Takes the parameters named `keys` out of the description.
    pub(crate) fn take_parameters(&mut self, keys: &[&str]) -> Map<String, Value> {
        keys.iter()
            .filter_map(|&key| Some((key.to_string(), self.parameters.shift_remove(key)?)))
            .collect()
    }

    /// Reads the parameters into `T` (typically a struct with `#[serde(deny_unknown_fields)]`,
    /// so that a typo is an error, not a silent default).
    ///
    /// # Errors
    ///
    /// An [`Error::Json`] naming the parameter at fault (`weights.europe`), relative to the
    /// description: [`ErrorKind::UnknownField`], [`ErrorKind::MissingField`],
    /// [`ErrorKind::UnknownName`] (an unknown variant), [`ErrorKind::WrongType`] or
    /// [`ErrorKind::OutOfRange`], as [`Error::kind`] says.
    pub fn read<T: DeserializeOwned>(&self) -> Result<T> {
        Error::read_json(Value::Object(self.parameters.clone()))
    }
}

impl fmt::Display for Description {
    /// The description as compact JSON.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let json = serde_json::to_string(self).map_err(|_| fmt::Error)?;
        f.write_str(&json)
    }
}

impl Serialize for Description {
    /// `{"name": ..., ...parameters}`, the name first.
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.parameters.len() + 1))?;
        map.serialize_entry("name", &self.name)?;
        for (key, value) in &self.parameters {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Description {
    /// As [`Description::from_json`].
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Description::from_json(value).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_are_checked_with_paths() {
        let err = Description::from_json(json!({"mode": "strict"})).unwrap_err();
        assert_eq!(err.field(), "name");
        let err = Description::from_json(json!({"name": 3})).unwrap_err();
        assert_eq!(err.within("policy").field(), "policy.name");
        let err = Description::from_json(json!([1])).unwrap_err();
        assert_eq!(err.within("policy").field(), "policy");
    }

    #[test]
    fn parameters_keep_their_order_and_round_trip() {
        #[derive(Serialize)]
        struct Params {
            zeta: u32,
            alpha: &'static str,
        }
        let d = Description::with_parameters(
            "mine",
            &Params {
                zeta: 1,
                alpha: "a",
            },
        )
        .unwrap();
        let text = serde_json::to_string(&d).unwrap();
        assert_eq!(text, r#"{"name":"mine","zeta":1,"alpha":"a"}"#);
        let back: Description = serde_json::from_str(&text).unwrap();
        assert_eq!(back, d);
        assert!(Description::with_parameters("x", &json!({"name": "y"})).is_err());
        assert!(Description::with_parameters("x", &json!([1])).is_err());
    }
}
