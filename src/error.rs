//! The crate's one error type.
//!
//! Every failure names the place at fault: a `field` path in the input (`policy.share`,
//! `requests[3].organisation`, `session.chair.min_slots`) and, where there is one, the offending
//! value or id, quoted. [`Error::field`] gives the path alone, for tools that point at it.
//!
//! Paths use the JSON interchange names (SPEC §6), with `[i]` for list items and `.key` for
//! map keys, so that a user of the JSON tool and a user of the Rust API read the same message.

use std::fmt;

/// A convenient alias for results whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in floorshare. Input is checked once, when it is validated, and
/// every variant names the field or id at fault; nothing panics on bad input.
///
/// # Example
///
/// ```
/// use floorshare::policy::GrassrootsPriority;
///
/// let err = GrassrootsPriority::reserved(1.5).unwrap_err();
/// assert_eq!(err.field(), "share");
/// assert_eq!(err.to_string(), "share: 1.5 is outside [0, 1]");
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input could not be read as the expected JSON shape: a syntax error, a wrong type, a
    /// missing required field or an unknown one (unknown fields are always rejected, so that a
    /// typo cannot silently change a policy).
    #[error("{}: {}", one_line(field), one_line(message))]
    Json {
        /// Path of the value at fault (`input` for the document itself).
        field: String,
        /// What the JSON reader said, quoting the value where it has one.
        message: String,
    },
    /// A value has the right type but is outside what its field allows (a negative weight, a
    /// share above 1, `min_slots` above `max_slots`, …).
    #[error("{}: {} {}", one_line(field), one_line(value), one_line(problem))]
    InvalidValue {
        /// Path of the value at fault.
        field: String,
        /// The offending value, as written.
        value: String,
        /// What is wrong with it, completing the sentence "`value` …".
        problem: String,
    },
    /// A request, a history entry or a map names an organisation that is not in the list.
    #[error("{}: unknown organisation {id:?}", one_line(field))]
    UnknownOrganisation {
        /// Path of the value at fault.
        field: String,
        /// The organisation id that was not found.
        id: String,
    },
    /// Two organisations (or two history entries) share one id.
    #[error("{}: duplicate organisation id {id:?}", one_line(field))]
    DuplicateOrganisation {
        /// Path of the second occurrence.
        field: String,
        /// The id given twice.
        id: String,
    },
    /// A policy description names no policy that floorshare knows.
    #[error("{}: unknown policy {name:?}", one_line(field))]
    UnknownPolicy {
        /// Path of the name (`policy.name` in the JSON tool).
        field: String,
        /// The name given.
        name: String,
    },
    /// A region that has requesting organisations is missing from an explicit weight map.
    #[error("{}: no weight for requesting region {region:?}", one_line(field))]
    MissingRegionWeight {
        /// Path of the weight map.
        field: String,
        /// The region without a weight.
        region: String,
    },
}

impl Error {
    /// The path of the field at fault, as in the message's first words.
    pub fn field(&self) -> &str {
        match self {
            Error::Json { field, .. }
            | Error::InvalidValue { field, .. }
            | Error::UnknownOrganisation { field, .. }
            | Error::DuplicateOrganisation { field, .. }
            | Error::UnknownPolicy { field, .. }
            | Error::MissingRegionWeight { field, .. } => field,
        }
    }

    /// The same error with its field path placed under `prefix` (`share` under `policy` becomes
    /// `policy.share`). Used where a part of a document is checked on its own.
    pub fn within(mut self, prefix: &str) -> Self {
        let field = match &mut self {
            Error::Json { field, .. }
            | Error::InvalidValue { field, .. }
            | Error::UnknownOrganisation { field, .. }
            | Error::DuplicateOrganisation { field, .. }
            | Error::UnknownPolicy { field, .. }
            | Error::MissingRegionWeight { field, .. } => field,
        };
        *field = join_path(prefix, field);
        self
    }

    /// An [`Error::InvalidValue`] for `field`, quoting `value` with its `Display` form.
    pub(crate) fn invalid(
        field: impl Into<String>,
        value: impl fmt::Display,
        problem: impl Into<String>,
    ) -> Self {
        Error::InvalidValue {
            field: field.into(),
            value: value.to_string(),
            problem: problem.into(),
        }
    }

    /// Reads `T` from a JSON value, naming the path of any field at fault.
    pub(crate) fn read_json<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T> {
        serde_path_to_error::deserialize(value).map_err(|err| {
            // A key that could not be read (an unknown enum variant) shows as `?`: its map is
            // the field.
            let path = err.path().to_string();
            let path = path.strip_suffix(".?").unwrap_or(&path);
            Error::Json {
                field: if path == "." || path == "?" {
                    "input".to_string()
                } else {
                    path.to_string()
                },
                message: err.into_inner().to_string(),
            }
        })
    }
}

/// `text` with control characters escaped (`\n`, `\u{1b}`), so that a message quoting user
/// data (a map key, an id) stays on one line.
fn one_line(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().any(char::is_control) {
        text.chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_default().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect::<String>()
            .into()
    } else {
        text.into()
    }
}

/// `prefix.field`, or `prefix[0]…` when the field is a list index, or `prefix` alone when the
/// field is the whole value.
fn join_path(prefix: &str, field: &str) -> String {
    if prefix.is_empty() {
        field.to_string()
    } else if field.is_empty() || field == "input" {
        prefix.to_string()
    } else if field.starts_with('[') {
        format!("{prefix}{field}")
    } else {
        format!("{prefix}.{field}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn within_prefixes_every_kind_of_path() {
        let err = Error::invalid("share", 1.5, "is outside [0, 1]").within("policy");
        assert_eq!(err.field(), "policy.share");
        assert_eq!(err.to_string(), "policy.share: 1.5 is outside [0, 1]");
        let err = Error::invalid("[2].id", "x", "is empty").within("organisations");
        assert_eq!(err.field(), "organisations[2].id");
        let err = Error::invalid("input", "x", "is bad").within("policy");
        assert_eq!(err.field(), "policy");
    }

    #[test]
    fn messages_stay_on_one_line() {
        let err = Error::invalid("weights.a\nb", -1, "is negative");
        assert_eq!(err.to_string(), "weights.a\\nb: -1 is negative");
        let err = Error::read_json::<std::collections::BTreeMap<crate::model::Kind, f64>>(
            serde_json::json!({"bad\nkind": 1.0}),
        )
        .unwrap_err();
        assert_eq!(err.to_string().lines().count(), 1, "{err}");
        assert_eq!(err.field(), "input");
    }

    #[test]
    fn read_json_names_the_nested_field_and_quotes_the_value() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Inner {
            slots: u32,
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Outer {
            session: Inner,
        }
        let err = Error::read_json::<Outer>(serde_json::json!({"session": {"slots": "two"}}))
            .unwrap_err();
        assert_eq!(err.field(), "session.slots");
        assert!(err.to_string().contains("\"two\""), "{err}");
    }
}
