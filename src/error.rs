//! The crate's one error type, and the kinds of error a caller can match on.
//!
//! Every failure names the place at fault: a `field` path in the input (`policy.share`,
//! `requests[3].organisation`, `session.chair.min_slots`) and, where there is one, the offending
//! value or id, quoted. [`Error::field`] gives the path alone, for tools that point at it;
//! [`Error::kind`] says what went wrong, as an [`ErrorKind`] for code that reacts to it.
//!
//! Paths use the names of the JSON interchange format ([`crate::interchange`]), with `[i]` for
//! list items and `.key` for map keys, so that a user of the JSON tool and a user of the Rust
//! API read the same message.
//!
//! # Example
//!
//! ```
//! use floorshare::error::ErrorKind;
//! use floorshare::interchange::AllocationInput;
//!
//! let err = AllocationInput::from_json_str(r#"{
//!     "session": {"id": "ts1", "slots": 1},
//!     "organisations": [{"id": "o1", "region": "pacific", "kind": "grassroots"}],
//!     "requests": [{"organisation": "o1"}],
//!     "policy": {"name": "loudest_first"},
//!     "seed": 42
//! }"#).unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::UnknownName);
//! assert_eq!(err.field(), "policy.name");
//! assert_eq!(err.to_string(), r#"policy.name: unknown policy "loudest_first""#);
//! ```

use std::fmt;

/// A convenient alias for results whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, for a caller that reacts to it: an [`Error`]'s [`kind`](Error::kind).
///
/// The kind is a classification only; the error itself keeps the field path
/// ([`Error::field`]) and the message. New kinds may be added, so a `match` needs a `_` arm.
///
/// # Example
///
/// ```
/// use floorshare::error::ErrorKind;
/// use floorshare::policy::GrassrootsPriority;
///
/// let err = GrassrootsPriority::reserved(1.5).unwrap_err();
/// let advice = match err.kind() {
///     ErrorKind::OutOfRange => format!("change the value of {}", err.field()),
///     ErrorKind::UnknownField => format!("remove {}", err.field()),
///     _ => err.to_string(),
/// };
/// assert_eq!(advice, "change the value of share");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The text is not well-formed JSON, or ends too early (serde_json's `Syntax` and `Eof`
    /// categories); or an argument is not written as its field expects (a shard that is not
    /// `i/n`).
    Syntax,
    /// The input could not be read (serde_json's `Io` category).
    Io,
    /// A value of the wrong JSON type or shape: a string where a number belongs, a list of
    /// the wrong length, a document that is not an object (serde's "invalid type" and
    /// "invalid length").
    WrongType,
    /// A required field is absent (serde's "missing field": a document without `seed`, a
    /// policy description without `name`, `share` in mode `reserved`).
    MissingField,
    /// A field that is not allowed where it is: unknown (serde's "unknown field"; unknown
    /// fields are always rejected, so that a typo cannot silently change a policy), or not
    /// used in the chosen mode (`share` in mode `strict`).
    UnknownField,
    /// A name that floorshare does not know: an unknown policy name, or an unknown variant of
    /// a closed list (an organisation kind, an apportionment method, a placement, region
    /// weights other than `equal` or `requests`; serde's "unknown variant").
    UnknownName,
    /// An id that names nothing in the input: an unknown organisation in a request, a history
    /// entry or a map, a region that is not one of the population's.
    UnknownId,
    /// An id or name given twice where it must be unique: two organisations with one id, two
    /// sessions with one id, two policies with one label, a policy name registered twice, a
    /// request granted twice.
    DuplicateId,
    /// A value of the right type outside what its field allows: a negative or non-finite
    /// weight, a share above 1, `min_slots` above `max_slots`, zero runs, an empty list that
    /// needs an item, an index outside its list (serde's "invalid value", such as `-1` for
    /// the unsigned `seed`).
    OutOfRange,
    /// A requesting region is missing from an explicit weight map.
    MissingWeight,
    /// More than a limit allows: more slots than can be apportioned exactly, more organisations
    /// than a population may have, more granted slots than the session has.
    TooLarge,
    /// Two values that must agree do not: summaries of different scenarios or seeds that
    /// cannot be merged, a decision list and a group list of different lengths.
    Mismatch,
    /// Constraints that no outcome can meet together: a fair lottery's quotas that no panel
    /// meets (the message gives the smallest relaxation that would).
    Infeasible,
    /// A reader's own message that none of the kinds above describes (a custom serde error
    /// from a caller's parameter type).
    Other,
}

impl ErrorKind {
    /// The kind as a stable snake_case code (`unknown_field`, `out_of_range`), for tools that
    /// report it.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Syntax => "syntax",
            ErrorKind::Io => "io",
            ErrorKind::WrongType => "wrong_type",
            ErrorKind::MissingField => "missing_field",
            ErrorKind::UnknownField => "unknown_field",
            ErrorKind::UnknownName => "unknown_name",
            ErrorKind::UnknownId => "unknown_id",
            ErrorKind::DuplicateId => "duplicate_id",
            ErrorKind::OutOfRange => "out_of_range",
            ErrorKind::MissingWeight => "missing_weight",
            ErrorKind::TooLarge => "too_large",
            ErrorKind::Mismatch => "mismatch",
            ErrorKind::Infeasible => "infeasible",
            ErrorKind::Other => "other",
        }
    }

    /// The kind of a JSON reader's message, from serde's fixed wording ("missing field",
    /// "unknown field", "unknown variant", "invalid type", "invalid value", "invalid length")
    /// and the "expected …, found …" of floorshare's own shape checks. A message that quotes
    /// an inner error as `path: message` is classified by its inner message.
    fn of_json_message(message: &str) -> Self {
        const PREFIXES: [(&str, ErrorKind); 10] = [
            ("missing field", ErrorKind::MissingField),
            // A key given twice in one object (serde's wording for a struct field; the
            // reader's for a map key).
            ("duplicate field", ErrorKind::DuplicateId),
            ("duplicate key", ErrorKind::DuplicateId),
            ("unknown field", ErrorKind::UnknownField),
            ("unknown variant", ErrorKind::UnknownName),
            ("invalid type", ErrorKind::WrongType),
            ("invalid length", ErrorKind::WrongType),
            // A string a reader does not accept is a name it does not know (region weights
            // other than `equal` or `requests`).
            ("invalid value: string ", ErrorKind::UnknownName),
            ("invalid value", ErrorKind::OutOfRange),
            ("expected ", ErrorKind::WrongType),
        ];
        if let Some(&(_, kind)) = PREFIXES
            .iter()
            .find(|(prefix, _)| message.starts_with(prefix))
        {
            return kind;
        }
        // A floorshare error passed through serde as a custom message (a policy description
        // inside a scenario): `name: missing field `name``.
        match message.split_once(": ") {
            Some((path, inner)) if !path.is_empty() && !path.contains(char::is_whitespace) => {
                Self::of_json_message(inner)
            }
            _ => ErrorKind::Other,
        }
    }

    /// The kind of a serde_json error: its category, then its message.
    fn of_serde_json(err: &serde_json::Error) -> Self {
        match err.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                ErrorKind::Syntax
            }
            serde_json::error::Category::Io => ErrorKind::Io,
            serde_json::error::Category::Data => Self::of_json_message(&err.to_string()),
        }
    }
}

impl fmt::Display for ErrorKind {
    /// The snake_case code of [`ErrorKind::as_str`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything that can go wrong in floorshare. Input is checked once, when it is validated, and
/// every variant names the field or id at fault; nothing panics on bad input.
///
/// Match on [`Error::kind`] to react to an error; the variants say which value is at fault.
///
/// # Example
///
/// ```
/// use floorshare::error::ErrorKind;
/// use floorshare::policy::GrassrootsPriority;
///
/// let err = GrassrootsPriority::reserved(1.5).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::OutOfRange);
/// assert_eq!(err.field(), "share");
/// assert_eq!(err.to_string(), "share: 1.5 is outside [0, 1]");
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input could not be read as the expected JSON shape: a syntax error, a wrong type, a
    /// missing required field or an unknown one (unknown fields are always rejected, so that a
    /// typo cannot silently change a policy).
    #[error("{}: {}", shown_path(field), shown(message))]
    Json {
        /// What went wrong, classified when the error was made: [`ErrorKind::Syntax`] or
        /// [`ErrorKind::Io`] by serde_json's category, otherwise by serde's wording
        /// (`MissingField`, `UnknownField`, `UnknownName`, `WrongType`, `OutOfRange`), or
        /// `Other` for a reader's own message.
        kind: ErrorKind,
        /// Path of the value at fault (`input` for the document itself).
        field: String,
        /// What the JSON reader said, quoting the value where it has one.
        message: String,
    },
    /// A value has the right type but its field does not allow it (a negative weight, a share
    /// above 1, `min_slots` above `max_slots`, a session id used twice, …).
    #[error("{}: {} {}", shown_path(field), shown_value(value), shown(problem))]
    InvalidValue {
        /// What is wrong: most often [`ErrorKind::OutOfRange`]; also `TooLarge`,
        /// `DuplicateId`, `UnknownId`, `UnknownField`, `Mismatch` or `Syntax`.
        kind: ErrorKind,
        /// Path of the value at fault.
        field: String,
        /// The offending value, as written.
        value: String,
        /// What is wrong with it, completing the sentence "`value` …".
        problem: String,
    },
    /// A request, a history entry or a map names an organisation that is not in the list
    /// ([`ErrorKind::UnknownId`]).
    #[error("{}: unknown organisation {}", shown_path(field), quoted(id))]
    UnknownOrganisation {
        /// Path of the value at fault.
        field: String,
        /// The organisation id that was not found.
        id: String,
    },
    /// Two organisations (or two history entries) share one id ([`ErrorKind::DuplicateId`]).
    #[error("{}: duplicate organisation id {}", shown_path(field), quoted(id))]
    DuplicateOrganisation {
        /// Path of the second occurrence.
        field: String,
        /// The id given twice.
        id: String,
    },
    /// A policy description names no policy that floorshare knows
    /// ([`ErrorKind::UnknownName`]).
    #[error("{}: unknown policy {}", shown_path(field), quoted(name))]
    UnknownPolicy {
        /// Path of the name (`policy.name` in the JSON tool).
        field: String,
        /// The name given.
        name: String,
    },
    /// A region that has requesting organisations is missing from an explicit weight map
    /// ([`ErrorKind::MissingWeight`]).
    #[error(
        "{}: no weight for requesting region {}",
        shown_path(field),
        quoted(region)
    )]
    MissingRegionWeight {
        /// Path of the weight map.
        field: String,
        /// The region without a weight.
        region: String,
    },
}

impl Error {
    /// What went wrong, for a caller that reacts to it.
    ///
    /// ```
    /// use floorshare::error::ErrorKind;
    /// use floorshare::interchange::AllocationInput;
    ///
    /// let err = AllocationInput::from_json_str("{\"session\": ").unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::Syntax);
    /// assert_eq!(err.field(), "input");
    /// ```
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Json { kind, .. } | Error::InvalidValue { kind, .. } => *kind,
            Error::UnknownOrganisation { .. } => ErrorKind::UnknownId,
            Error::DuplicateOrganisation { .. } => ErrorKind::DuplicateId,
            Error::UnknownPolicy { .. } => ErrorKind::UnknownName,
            Error::MissingRegionWeight { .. } => ErrorKind::MissingWeight,
        }
    }

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

    /// An [`Error::InvalidValue`] of kind [`ErrorKind::OutOfRange`] for `field`, quoting
    /// `value` with its `Display` form: what a policy written outside the crate returns for a
    /// bad parameter, so that its errors read like floorshare's own.
    ///
    /// ```
    /// let err = floorshare::Error::invalid("skip", 101, "is more than 100");
    /// assert_eq!(err.to_string(), "skip: 101 is more than 100");
    /// assert_eq!(err.kind(), floorshare::ErrorKind::OutOfRange);
    /// ```
    pub fn invalid(
        field: impl Into<String>,
        value: impl fmt::Display,
        problem: impl Into<String>,
    ) -> Self {
        Self::invalid_as(ErrorKind::OutOfRange, field, value, problem)
    }

    /// An [`Error::InvalidValue`] of `kind` for `field`, quoting `value` with its `Display`
    /// form.
    pub fn invalid_as(
        kind: ErrorKind,
        field: impl Into<String>,
        value: impl fmt::Display,
        problem: impl Into<String>,
    ) -> Self {
        Error::InvalidValue {
            kind,
            field: field.into(),
            value: value.to_string(),
            problem: problem.into(),
        }
    }

    /// An [`Error::Json`] for `field`, its kind read from `message` as serde words it
    /// (`missing field `seed`` is [`ErrorKind::MissingField`], `expected an object, found 3`
    /// is [`ErrorKind::WrongType`]).
    pub(crate) fn json(field: impl Into<String>, message: impl Into<String>) -> Self {
        let message = message.into();
        Error::Json {
            kind: ErrorKind::of_json_message(&message),
            field: field.into(),
            message,
        }
    }

    /// An [`Error::Json`] of `kind` for `field`.
    pub(crate) fn json_as(
        kind: ErrorKind,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Error::Json {
            kind,
            field: field.into(),
            message: message.into(),
        }
    }

    /// An [`Error::Json`] for `field` from a serde_json error, classified by its category and
    /// its message.
    ///
    /// A data error (a wrong type, an unknown field) is about the field its path names: its
    /// message leaves out serde_json's `at line … column …`, as when a value is read, so that
    /// the message is the same whether the document was text or a parsed value. A syntax
    /// error keeps its position.
    pub(crate) fn from_serde_json(field: impl Into<String>, err: &serde_json::Error) -> Self {
        let mut message = err.to_string();
        if err.classify() == serde_json::error::Category::Data && err.line() != 0 {
            let position = format!(" at line {} column {}", err.line(), err.column());
            if message.ends_with(&position) {
                message.truncate(message.len() - position.len());
            }
        }
        Error::Json {
            kind: ErrorKind::of_serde_json(err),
            field: field.into(),
            message,
        }
    }

    /// An [`Error::Json`] from a serde_json error met at `path` (as serde_path_to_error
    /// writes it; `.` for the document itself, `?` for a key that could not be read). A
    /// syntax error names `input`, unless it is about one value: a number out of range
    /// (`1e309`) or nesting deeper than serde_json's limit of 128 name the field.
    pub(crate) fn from_path_to_error(path: &str, err: &serde_json::Error) -> Self {
        // A key that could not be read (an unknown enum variant) shows as `?`: its map is
        // the field.
        let path = path.strip_suffix(".?").unwrap_or(path);
        let about_a_value = || {
            let message = err.to_string();
            message.starts_with("number out of range")
                || message.starts_with("recursion limit exceeded")
        };
        let field = match err.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof
                if !about_a_value() =>
            {
                "input"
            }
            serde_json::error::Category::Io => "input",
            _ if path == "." || path == "?" => "input",
            _ => return Error::from_serde_json(readable_path(path), err),
        };
        Error::from_serde_json(field, err)
    }

    /// Reads `T` from a JSON value, naming the path of any field at fault.
    pub(crate) fn read_json<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T> {
        let mut track = serde_path_to_error::Track::new();
        T::deserialize(serde_path_to_error::Deserializer::new(value, &mut track))
            .map_err(|err| Self::from_path_to_error(&track.path().to_string(), &err))
    }
}

/// A path with its empty keys written `""` (a key `""` would otherwise leave the field
/// empty, or end it with a dot: `session.`).
fn readable_path(path: &str) -> String {
    if !path.split('.').any(str::is_empty) {
        return path.to_owned();
    }
    path.split('.')
        .map(|segment| if segment.is_empty() { "\"\"" } else { segment })
        .collect::<Vec<_>>()
        .join(".")
}

/// The most characters of input a message quotes: a quoted value, id or name longer than
/// this is cut to its first 80 characters followed by `…`, so that a wrong value as large as
/// the document (a 10 MB string) stays a short one-line message. One rule for every error
/// that quotes input, and for field paths (which hold map keys).
pub const MAX_QUOTED_CHARS: usize = 80;

/// `text` cut to [`MAX_QUOTED_CHARS`] characters, with `…` when it was longer.
pub(crate) fn cut(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(MAX_QUOTED_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]).into(),
        None => text.into(),
    }
}

/// A JSON value as a message quotes it: its compact text, cut to [`MAX_QUOTED_CHARS`]
/// characters with `…` when longer. Only the first characters are written out, whatever the
/// size of the value.
pub(crate) fn quote_json(value: &serde_json::Value) -> String {
    /// A writer that keeps the first [`MAX_QUOTED_CHARS`] + 1 characters and then refuses
    /// more, so that a large value is not written out in full.
    struct Prefix(String, usize);
    impl std::io::Write for Prefix {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let room = MAX_QUOTED_CHARS + 1 - self.1;
            if room == 0 {
                return Err(std::io::Error::other("enough"));
            }
            // serde_json writes whole strings or escapes, so each piece is UTF-8.
            let text = String::from_utf8_lossy(buf);
            for c in text.chars().take(room) {
                self.0.push(c);
                self.1 += 1;
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut prefix = Prefix(String::new(), 0);
    let _ = serde_json::to_writer(&mut prefix, value);
    cut(&prefix.0).into_owned()
}

/// An id or name quoted as a message shows it: cut (see [`cut`]), then in double quotes with
/// Rust's escapes, so that it stays on one line.
fn quoted(text: &str) -> String {
    match text.char_indices().nth(MAX_QUOTED_CHARS) {
        Some((end, _)) => format!("{:?}", format!("{}…", &text[..end])),
        None => format!("{text:?}"),
    }
}

/// A field path as a message shows it: on one line, and cut (see [`cut`]) when longer than
/// [`MAX_QUOTED_CHARS`] characters (a path through a 10 MB map key, or 128 nested lists).
fn shown_path(path: &str) -> String {
    one_line(&cut(path)).into_owned()
}

/// An offending value as a message shows it: as [`shown`], and cut (see [`cut`]) when it
/// quotes nothing (a long number, a list written out).
fn shown_value(value: &str) -> String {
    if value.contains(['"', '`']) {
        shown(value)
    } else {
        one_line(&cut(value)).into_owned()
    }
}

/// A message as an error line shows it: on one line, every quoted span in it (between `"`
/// and `"`, or between backquotes) cut to [`MAX_QUOTED_CHARS`] characters with `…`, and the
/// whole cut when it quotes nothing but is longer than four times that.
fn shown(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(4 * MAX_QUOTED_CHARS));
    let mut chars = message.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c != '"' && c != '`' {
            continue;
        }
        // Inside a quoted span: copy up to MAX_QUOTED_CHARS characters, skip the rest, up to
        // the closing delimiter (a `\"` escape inside double quotes does not close).
        let mut kept = 0;
        let mut escaped = false;
        let mut closed = false;
        for inner in chars.by_ref() {
            if inner == c && !escaped {
                if kept > MAX_QUOTED_CHARS {
                    out.push('…');
                }
                out.push(inner);
                closed = true;
                break;
            }
            escaped = c == '"' && inner == '\\' && !escaped;
            kept += 1;
            if kept <= MAX_QUOTED_CHARS {
                out.push(inner);
            }
        }
        if !closed && kept > MAX_QUOTED_CHARS {
            out.push('…');
        }
    }
    let out = match out.char_indices().nth(4 * MAX_QUOTED_CHARS) {
        Some((end, _)) if !message.contains(['"', '`']) => format!("{}…", &out[..end]),
        _ => out,
    };
    one_line(&out).into_owned()
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
    fn quoted_values_stay_short() {
        let huge = serde_json::Value::Array(vec![serde_json::json!(12345); 100_000]);
        let quoted = quote_json(&huge);
        assert!(quoted.chars().count() <= 81, "{quoted}");
        assert!(quoted.ends_with('…'));
        assert_eq!(quote_json(&serde_json::json!([1, 2])), "[1,2]");
        let err = crate::policy::Description::from_json(huge).unwrap_err();
        assert!(err.to_string().len() < 200, "{err}");
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

    /// The kinds of the errors a caller meets, from real inputs.
    mod kinds {
        use serde_json::{Value, json};

        use crate::ErrorKind;
        use crate::interchange::AllocationInput;
        use crate::sim::Scenario;

        fn document() -> Value {
            json!({
                "session": {"id": "ts1", "slots": 2, "length_minutes": 180},
                "organisations": [
                    {"id": "o1", "region": "pacific", "kind": "grassroots"},
                    {"id": "o2", "region": "europe", "kind": "international_ngo"}],
                "requests": [{"organisation": "o1"}, {"organisation": "o2"}],
                "policy": {"name": "regional_balance"},
                "seed": 1
            })
        }

        /// The error of the document edited by `edit`, read (and allocated when it reads).
        fn error_with(edit: impl FnOnce(&mut Value)) -> crate::Error {
            let mut doc = document();
            edit(&mut doc);
            match AllocationInput::from_json(doc) {
                Err(err) => err,
                Ok(input) => input.allocate().unwrap_err(),
            }
        }

        fn scenario_error_with(edit: impl FnOnce(&mut Value)) -> crate::Error {
            let mut scenario: Value = serde_json::from_str(include_str!(
                "../tests/pins/sim/scenarios/explicit_small.json"
            ))
            .unwrap();
            edit(&mut scenario);
            Scenario::from_json_str(&scenario.to_string()).unwrap_err()
        }

        #[test]
        fn syntax() {
            let err = AllocationInput::from_json_str("{\"session\": ").unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Syntax, "{err}");
            let err = AllocationInput::from_json_str("{\"seed\": 1,}").unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Syntax, "{err}");
            let err = "1-2".parse::<crate::sim::Shard>().unwrap_err();
            assert_eq!((err.kind(), err.field()), (ErrorKind::Syntax, "shard"));
        }

        #[test]
        fn io() {
            struct Broken;
            impl std::io::Read for Broken {
                fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
                    Err(std::io::Error::other("disk gone"))
                }
            }
            let err = serde_json::from_reader::<_, Value>(Broken).unwrap_err();
            assert_eq!(
                super::Error::from_serde_json("input", &err).kind(),
                ErrorKind::Io
            );
        }

        #[test]
        fn wrong_type() {
            let err = error_with(|d| d["seed"] = json!("42"));
            assert_eq!((err.kind(), err.field()), (ErrorKind::WrongType, "seed"));
            let err = error_with(|d| d["session"]["slots"] = json!([2]));
            assert_eq!(
                (err.kind(), err.field()),
                (ErrorKind::WrongType, "session.slots")
            );
            let err = AllocationInput::from_json_str("[1]").unwrap_err();
            assert_eq!((err.kind(), err.field()), (ErrorKind::WrongType, "input"));
            let err = error_with(|d| d["policy"] = json!({"name": 7}));
            assert_eq!(
                (err.kind(), err.field()),
                (ErrorKind::WrongType, "policy.name")
            );
        }

        #[test]
        fn missing_field() {
            let err = error_with(|d| {
                d.as_object_mut().unwrap().remove("seed");
            });
            assert_eq!(
                (err.kind(), err.field()),
                (ErrorKind::MissingField, "input")
            );
            assert_eq!(err.to_string(), "input: missing field `seed`");
            let err = error_with(|d| {
                d["policy"] = json!({"name": "grassroots_priority", "mode": "reserved"})
            });
            assert_eq!(
                (err.kind(), err.field()),
                (ErrorKind::MissingField, "policy.share")
            );
            let err = error_with(|d| d["session"].as_object_mut().unwrap().clear());
            assert_eq!(
                (err.kind(), err.field()),
                (ErrorKind::MissingField, "session")
            );
            // A policy description without a name, read inside a scenario: the description's
            // own error passes through serde as a message, and keeps its kind.
            let err = scenario_error_with(|s| s["policies"][0]["policy"] = json!({}));
            assert_eq!(
                (err.kind(), err.field()),
                (ErrorKind::MissingField, "policies[0].policy")
            );
        }

        #[test]
        fn unknown_field() {
            let err = error_with(|d| d["policy"]["share"] = json!(0.5));
            assert_eq!(
                (err.kind(), err.field()),
                (ErrorKind::UnknownField, "policy.share")
            );
            let err = error_with(|d| d["sesion"] = json!(1));
            assert_eq!(
                (err.kind(), err.field()),
                (ErrorKind::UnknownField, "sesion")
            );
            let err =
                error_with(|d| d["policy"] = json!({"name": "grassroots_priority", "share": 0.5}));
            assert_eq!(
                (err.kind(), err.field()),
                (ErrorKind::UnknownField, "policy.share")
            );
        }

        #[test]
        fn unknown_name() {
            let err = error_with(|d| d["policy"]["name"] = json!("loudest_first"));
            assert_eq!(
                (err.kind(), err.field()),
                (ErrorKind::UnknownName, "policy.name")
            );
            let err = error_with(|d| d["organisations"][1]["kind"] = json!("bingo"));
            assert_eq!(
                (err.kind(), err.field()),
                (ErrorKind::UnknownName, "organisations[1].kind")
            );
            let err = error_with(|d| d["policy"]["method"] = json!("borda"));
            assert_eq!(
                (err.kind(), err.field()),
                (ErrorKind::UnknownName, "policy.method")
            );
            let err = error_with(|d| d["policy"]["weights"] = json!("equl"));
            assert_eq!(
                (err.kind(), err.field()),
                (ErrorKind::UnknownName, "policy.weights")
            );
            let err = error_with(|d| {
                d["session"]["chair"] = json!({"id": "c", "familiarity": {"bingo": 2.0}});
            });
            assert_eq!(err.kind(), ErrorKind::UnknownName, "{err}");
        }

        #[test]
        fn unknown_id() {
            let err = error_with(|d| d["requests"][1]["organisation"] = json!("o7"));
            assert_eq!(
                (err.kind(), err.field()),
                (ErrorKind::UnknownId, "requests[1].organisation")
            );
            let err = scenario_error_with(|s| {
                s["behaviour"]["regional_themes"] = json!({"antarctica": ["ice"]});
            });
            assert_eq!(err.kind(), ErrorKind::UnknownId, "{err}");
        }

        #[test]
        fn duplicate_id() {
            let err = error_with(|d| d["organisations"][1]["id"] = json!("o1"));
            assert_eq!(
                (err.kind(), err.field()),
                (ErrorKind::DuplicateId, "organisations[1].id")
            );
            let err = scenario_error_with(|s| s["sessions"][1]["id"] = json!("s1"));
            assert_eq!(
                (err.kind(), err.field()),
                (ErrorKind::DuplicateId, "sessions[1].id")
            );
            let err = scenario_error_with(|s| s["policies"][1]["label"] = json!("baseline"));
            assert_eq!(
                (err.kind(), err.field()),
                (ErrorKind::DuplicateId, "policies[1].label")
            );
            let err = scenario_error_with(|s| s["policies"][1]["label"] = json!("a b"));
            assert_eq!(
                (err.kind(), err.field()),
                (ErrorKind::OutOfRange, "policies[1].label")
            );
        }

        #[test]
        fn out_of_range() {
            let err = error_with(|d| {
                d["policy"] =
                    json!({"name": "grassroots_priority", "mode": "reserved", "share": 1.5});
            });
            assert_eq!(
                (err.kind(), err.field()),
                (ErrorKind::OutOfRange, "policy.share")
            );
            assert_eq!(err.to_string(), "policy.share: 1.5 is outside [0, 1]");
            let err = error_with(|d| d["seed"] = json!(-1));
            assert_eq!((err.kind(), err.field()), (ErrorKind::OutOfRange, "seed"));
            let err = "3/2".parse::<crate::sim::Shard>().unwrap_err();
            assert_eq!((err.kind(), err.field()), (ErrorKind::OutOfRange, "shard"));
        }

        #[test]
        fn missing_weight() {
            let err = error_with(|d| d["policy"]["weights"] = json!({"europe": 1.0}));
            assert_eq!(
                (err.kind(), err.field()),
                (ErrorKind::MissingWeight, "policy.weights")
            );
            assert_eq!(
                err.to_string(),
                r#"policy.weights: no weight for requesting region "pacific""#
            );
        }

        #[test]
        fn too_large() {
            let err = scenario_error_with(|s| {
                s["population"] =
                    json!({"generate": {"counts": {"africa": {"grassroots": 20_000_000}}}});
            });
            assert_eq!(
                (err.kind(), err.field()),
                (ErrorKind::TooLarge, "population")
            );
        }

        #[test]
        fn mismatch() {
            let err = crate::metrics::SelectionRates::from_decisions(&[0, 1], &[true]).unwrap_err();
            assert_eq!((err.kind(), err.field()), (ErrorKind::Mismatch, "granted"));
        }

        #[test]
        fn other_for_a_custom_message() {
            #[derive(Debug)]
            struct Picky;
            impl<'de> serde::Deserialize<'de> for Picky {
                fn deserialize<D: serde::Deserializer<'de>>(_: D) -> Result<Self, D::Error> {
                    Err(serde::de::Error::custom("never pleased"))
                }
            }
            let err = super::Error::read_json::<Picky>(json!(1)).unwrap_err();
            assert_eq!(
                (err.kind(), err.to_string().as_str()),
                (ErrorKind::Other, "input: never pleased")
            );
        }

        #[test]
        fn codes_are_snake_case() {
            assert_eq!(ErrorKind::UnknownField.to_string(), "unknown_field");
            assert_eq!(ErrorKind::OutOfRange.as_str(), "out_of_range");
        }
    }
}
