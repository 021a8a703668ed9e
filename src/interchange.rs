//! The JSON interchange format: one session, its organisations and requests, a
//! policy description and a seed in; the allocation out. The contract for tools in other
//! languages, and what `examples/allocate.rs` reads.
//!
//! Reading is strict: unknown fields, in policy parameters too, are rejected, and so is a key
//! given twice in one object; every error names the field at fault with a path such as
//! `policy.share` or `requests[3].organisation` and quotes the offending value (cut to
//! [`MAX_QUOTED_CHARS`](crate::error::MAX_QUOTED_CHARS) characters).
//!
//! Reading is bounded: a document of more than [`MAX_DOCUMENT_BYTES`] (64 MiB) or with more
//! than [`MAX_REQUESTS`] requests is refused with an error naming the limit, before the rest
//! is read. The text is read straight into the typed session (no JSON value of the whole
//! document), the requests compact with their organisation ids and themes interned: the
//! memory a document needs stays within a small multiple of its size.
//!
//! # Example
//!
//! ```
//! use floorshare::interchange::AllocationInput;
//!
//! let input = AllocationInput::from_json_str(r#"{
//!     "session": {"id": "ts1", "slots": 1, "length_minutes": 180},
//!     "organisations": [{"id": "o1", "region": "pacific", "kind": "grassroots"}],
//!     "requests": [{"organisation": "o1", "theme": "climate"}],
//!     "policy": {"name": "grassroots_priority"},
//!     "seed": 42
//! }"#)?;
//! let allocation = input.allocate()?;
//! assert_eq!(&*allocation.granted[0].organisation, "o1");
//! assert_eq!(allocation.seed, Some(42));
//!
//! let err = AllocationInput::from_json_str(r#"{
//!     "session": {"id": "ts1", "slots": 1},
//!     "organisations": [],
//!     "policy": {"name": "loudest_first"},
//!     "seed": 42
//! }"#).unwrap_err();
//! assert_eq!(err.to_string(), r#"policy.name: unknown policy "loudest_first""#);
//! # Ok::<(), floorshare::Error>(())
//! ```

use std::fmt;
use std::io::Read;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Unexpected, Visitor};
use serde_json::{Map, Value};

use crate::allocation::Allocation;
use crate::decision::Decision;
use crate::model::{CheckedSession, FieldKey, RequestsSeed, SessionParts};
use crate::policy::{Policy, Registry, built_in};
use crate::{Error, ErrorKind, Result, lot};

/// The largest document the reader accepts: 64 MiB. A longer one is refused with
/// `input: document exceeds 64 MiB` ([`ErrorKind::TooLarge`]), after reading one byte more
/// than the limit and no further.
pub const MAX_DOCUMENT_BYTES: usize = 64 * 1024 * 1024;

/// The most requests a document may hold: 1 000 000. One more is refused with
/// `requests: document exceeds 1000000 requests` ([`ErrorKind::TooLarge`]) as soon as it is
/// met, before the rest of the document is read.
pub const MAX_REQUESTS: usize = 1_000_000;

/// The error for a document longer than [`MAX_DOCUMENT_BYTES`].
fn too_long() -> Error {
    Error::json_as(
        ErrorKind::TooLarge,
        "input",
        format!("document exceeds {} MiB", MAX_DOCUMENT_BYTES >> 20),
    )
}

/// Reads a whole document from `reader`, refusing it as soon as it is longer than
/// [`MAX_DOCUMENT_BYTES`]: at most one byte more than the limit is read, whatever the reader
/// (an endless one such as `/dev/zero` included).
///
/// # Errors
///
/// [`ErrorKind::TooLarge`] naming `input` (`input: document exceeds 64 MiB`) when the
/// document is longer; [`ErrorKind::Io`] naming `input` when the reader fails.
///
/// # Example
///
/// ```
/// use floorshare::interchange::read_limited;
///
/// let endless = std::io::repeat(b' ');
/// let err = read_limited(endless).unwrap_err();
/// assert_eq!(err.to_string(), "input: document exceeds 64 MiB");
/// assert_eq!(read_limited(&b"{}"[..])?, b"{}");
/// # Ok::<(), floorshare::Error>(())
/// ```
pub fn read_limited(reader: impl Read) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_DOCUMENT_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|err| Error::json_as(ErrorKind::Io, "input", format!("cannot read: {err}")))?;
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(too_long());
    }
    Ok(bytes)
}

/// One session document read into its typed form but not yet checked: the session's parts,
/// and the `policy` and `seed` when the document gives them. What a tool reads when it
/// replaces the document's policy or seed before checking
/// ([`set_policy`](Document::set_policy), [`set_seed`](Document::set_seed)); most callers
/// use [`AllocationInput`]'s readers directly.
///
/// # Example
///
/// ```
/// use floorshare::interchange::Document;
///
/// let mut document = Document::from_json_str(r#"{
///     "session": {"id": "ts1", "slots": 1},
///     "organisations": [{"id": "o1", "region": "pacific", "kind": "grassroots"}],
///     "requests": [{"organisation": "o1"}]
/// }"#)?;
/// assert_eq!(document.seed(), None);
/// document.set_policy(serde_json::json!({"name": "fcfs"}));
/// document.set_seed(7);
/// let input = document.into_input()?;
/// assert_eq!(input.seed, 7);
///
/// let err = Document::from_json_str(r#"{"seed": 1, "seed": 2}"#).unwrap_err();
/// assert_eq!(err.to_string(), "seed: duplicate field `seed`");
/// # Ok::<(), floorshare::Error>(())
/// ```
#[derive(Debug)]
pub struct Document {
    parts: SessionParts,
    policy: Option<Value>,
    seed: Option<u64>,
}

impl Document {
    /// Reads a document from `reader` (at most [`MAX_DOCUMENT_BYTES`] and one byte; see
    /// [`read_limited`]), then as [`Document::from_slice`].
    ///
    /// # Errors
    ///
    /// The errors of [`read_limited`], then those of [`Document::from_slice`].
    pub fn from_reader(reader: impl Read) -> Result<Self> {
        Self::from_slice(&read_limited(reader)?)
    }

    /// Reads a document from JSON text, as [`Document::from_slice`].
    ///
    /// # Errors
    ///
    /// As [`Document::from_slice`].
    pub fn from_json_str(json: &str) -> Result<Self> {
        Self::from_slice(json.as_bytes())
    }

    /// Reads a document from JSON text (UTF-8), straight into its typed form.
    ///
    /// # Errors
    ///
    /// The first problem met in reading order, naming its field:
    ///
    /// - [`ErrorKind::TooLarge`] naming `input` when the text is longer than
    ///   [`MAX_DOCUMENT_BYTES`], or naming `requests` at request [`MAX_REQUESTS`] + 1;
    /// - [`ErrorKind::Syntax`] naming `input` when the text is not JSON; naming the field when
    ///   a number is out of range (`1e309`) or the nesting deeper than 128;
    /// - [`ErrorKind::WrongType`] naming `input` when the document is not an object;
    /// - [`ErrorKind::UnknownField`] naming an unknown key, [`ErrorKind::DuplicateId`] naming
    ///   a key given twice in one object (`seed: duplicate field `seed``);
    /// - [`ErrorKind::WrongType`], [`ErrorKind::MissingField`], [`ErrorKind::UnknownName`] or
    ///   [`ErrorKind::OutOfRange`] when a field cannot be read (`seed`, `session.placement`,
    ///   `organisations[1].kind`; a seed of 2⁶⁴ or more is out of range).
    pub fn from_slice(json: &[u8]) -> Result<Self> {
        if json.len() > MAX_DOCUMENT_BYTES {
            return Err(too_long());
        }
        let mut deserializer = serde_json::Deserializer::from_slice(json);
        let document = Self::read(&mut deserializer)?;
        deserializer
            .end()
            .map_err(|err| Error::from_serde_json("input", &err))?;
        Ok(document)
    }

    /// Reads a document from a parsed JSON value (which cannot repeat a key, nor exceed a
    /// limit it was parsed under).
    ///
    /// # Errors
    ///
    /// As [`Document::from_slice`], without [`ErrorKind::Syntax`].
    pub fn from_json(value: Value) -> Result<Self> {
        Self::read(value)
    }

    /// Reads through `deserializer`, naming the path of any field at fault.
    fn read<'de, D>(deserializer: D) -> Result<Self>
    where
        D: Deserializer<'de, Error = serde_json::Error>,
    {
        let mut too_many = false;
        let mut track = serde_path_to_error::Track::new();
        let read = DocumentSeed {
            too_many: &mut too_many,
        }
        .deserialize(serde_path_to_error::Deserializer::new(
            deserializer,
            &mut track,
        ));
        match read {
            Ok(document) => Ok(document),
            Err(_) if too_many => Err(Error::json_as(
                ErrorKind::TooLarge,
                "requests",
                format!("document exceeds {MAX_REQUESTS} requests"),
            )),
            Err(err) => Err(Error::from_path_to_error(&track.path().to_string(), &err)),
        }
    }

    /// The document's policy description, if it gives one.
    pub fn policy(&self) -> Option<&Value> {
        self.policy.as_ref()
    }

    /// The document's seed, if it gives one.
    pub fn seed(&self) -> Option<u64> {
        self.seed
    }

    /// Replaces (or gives) the policy description.
    pub fn set_policy(&mut self, policy: Value) {
        self.policy = Some(policy);
    }

    /// Replaces (or gives) the seed.
    pub fn set_seed(&mut self, seed: u64) {
        self.seed = Some(seed);
    }

    /// Checks the session alone, whatever the policy and seed.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::MissingField`] naming `input` without `session` or `organisations`; the
    /// errors of [`SessionInput::check`](crate::model::SessionInput::check).
    pub fn check_session(self) -> Result<CheckedSession> {
        self.parts.check()
    }

    /// Checks the document into an allocation job under floorshare's own policies.
    ///
    /// # Errors
    ///
    /// As [`Document::into_input_with`].
    pub fn into_input(self) -> Result<AllocationInput> {
        self.into_input_with(built_in())
    }

    /// Checks the document into an allocation job, with the policies of `registry`: the
    /// policy description first, then the session.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::MissingField`] naming `input` without `policy` or `seed`; the errors of
    /// [`Registry::from_json`] under `policy` (`policy.name`, `policy.share`); then those of
    /// [`Document::check_session`].
    pub fn into_input_with(self, registry: &Registry) -> Result<AllocationInput> {
        let missing = |field: &str| Error::json("input", format!("missing field `{field}`"));
        let policy = self.policy.ok_or_else(|| missing("policy"))?;
        let seed = self.seed.ok_or_else(|| missing("seed"))?;
        let policy = registry.from_json(policy).map_err(|e| e.within("policy"))?;
        Ok(AllocationInput {
            session: self.parts.check()?,
            policy,
            seed,
        })
    }
}

/// The keys of a document.
const DOCUMENT_FIELDS: &[&str] = &[
    "session",
    "organisations",
    "requests",
    "history",
    "grassroots_class",
    "policy",
    "seed",
];

/// Reads a whole document, its requests compact and limited to [`MAX_REQUESTS`].
struct DocumentSeed<'a> {
    too_many: &'a mut bool,
}

impl<'de> DeserializeSeed<'de> for DocumentSeed<'_> {
    type Value = Document;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Document, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for DocumentSeed<'_> {
    type Value = Document;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a session document object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Document, A::Error> {
        let mut parts = SessionParts::default();
        let mut policy = None;
        let mut seed = None;
        let mut seen = 0;
        while let Some(key) = map.next_key_seed(FieldKey {
            fields: DOCUMENT_FIELDS,
            seen: &mut seen,
        })? {
            match key {
                0 => parts.session = Some(map.next_value()?),
                1 => parts.organisations = Some(map.next_value()?),
                2 => map.next_value_seed(RequestsSeed {
                    into: &mut parts.requests,
                    limit: MAX_REQUESTS,
                    too_many: self.too_many,
                })?,
                3 => parts.history = map.next_value()?,
                4 => parts.grassroots_class = map.next_value()?,
                5 => policy = Some(map.next_value_seed(StrictValue)?),
                _ => seed = Some(map.next_value_seed(SeedValue)?),
            }
        }
        Ok(Document {
            parts,
            policy,
            seed,
        })
    }
}

/// The `seed`: an unsigned 64-bit integer, with serde's messages for `u64`, and a number of
/// 2⁶⁴ or more named as out of range (serde_json reads it as a float).
struct SeedValue;

impl<'de> DeserializeSeed<'de> for SeedValue {
    type Value = u64;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<u64, D::Error> {
        deserializer.deserialize_u64(self)
    }
}

impl Visitor<'_> for SeedValue {
    type Value = u64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("u64")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
        Ok(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
        u64::try_from(v).map_err(|_| E::invalid_value(Unexpected::Signed(v), &self))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<u64, E> {
        // 2^64 as a float: the first integer a u64 cannot hold.
        if v.fract() == 0.0 && v >= 18_446_744_073_709_551_616.0 {
            Err(E::invalid_value(
                Unexpected::Other("an integer above 18446744073709551615"),
                &self,
            ))
        } else {
            Err(E::invalid_type(Unexpected::Float(v), &self))
        }
    }
}

/// Reads JSON text into a [`Value`] as serde_json does, except that a key given twice in one
/// object is an error instead of the last one silently winning: what a scenario, a policy
/// file or a published record is read with.
///
/// # Errors
///
/// [`ErrorKind::Syntax`] naming `input` when the text is not JSON (or has text after the
/// value); [`ErrorKind::DuplicateId`] naming the path of a key given twice
/// (`policies[1].policy.share`).
///
/// # Example
///
/// ```
/// use floorshare::interchange::read_json_value;
///
/// assert_eq!(read_json_value(r#"{"seed": 1}"#)?["seed"], 1);
/// let err = read_json_value(r#"{"a": {"seed": 1, "seed": 2}}"#).unwrap_err();
/// assert_eq!(err.field(), "a.seed");
/// assert_eq!(err.kind(), floorshare::ErrorKind::DuplicateId);
/// # Ok::<(), floorshare::Error>(())
/// ```
pub fn read_json_value(json: &str) -> Result<Value> {
    let mut reader = serde_json::Deserializer::from_str(json);
    let mut track = serde_path_to_error::Track::new();
    let value = StrictValue
        .deserialize(serde_path_to_error::Deserializer::new(
            &mut reader,
            &mut track,
        ))
        .map_err(|err| Error::from_path_to_error(&track.path().to_string(), &err))?;
    reader
        .end()
        .map_err(|err| Error::from_serde_json("input", &err))?;
    Ok(value)
}

/// A JSON value (the policy description) read as serde_json reads a [`Value`], except that a
/// key given twice in one object is an error (`duplicate key `share``) naming the key.
struct StrictValue;

impl<'de> DeserializeSeed<'de> for StrictValue {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        // JSON numbers are finite; `null` stands for anything else, as in serde_json.
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        StrictValue.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(StrictValue)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key_seed(NewKey(&map))? {
            let value = access.next_value_seed(StrictValue)?;
            map.insert(key, value);
        }
        Ok(Value::Object(map))
    }
}

/// A key not yet in `map`.
struct NewKey<'a>(&'a Map<String, Value>);

impl<'de> DeserializeSeed<'de> for NewKey<'_> {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
        let key = String::deserialize(deserializer)?;
        if self.0.contains_key(&key) {
            return Err(de::Error::custom(format_args!("duplicate key `{key}`")));
        }
        Ok(key)
    }
}

/// One allocation job as the JSON tool reads it: the session input, the policy (already
/// checked and built) and the seed.
#[derive(Debug)]
pub struct AllocationInput {
    /// The checked session.
    pub session: CheckedSession,
    /// The policy to run.
    pub policy: Box<dyn Policy>,
    /// The seed of the portable generator (required).
    pub seed: u64,
}

impl AllocationInput {
    /// Reads and checks a JSON document: its text straight into the typed session (see
    /// [`Document::from_slice`]), then the policy description, then the session. The first
    /// problem found is returned. The policy is one of floorshare's own
    /// ([`from_json_str_with`](AllocationInput::from_json_str_with) takes a registry).
    ///
    /// # Errors
    ///
    /// The first problem found, naming its field:
    ///
    /// - the errors of [`Document::from_slice`]: [`ErrorKind::TooLarge`] (over
    ///   [`MAX_DOCUMENT_BYTES`] or [`MAX_REQUESTS`]), [`ErrorKind::Syntax`] naming `input`
    ///   when the text is not JSON, [`ErrorKind::WrongType`] naming `input` when the document
    ///   is not an object, [`ErrorKind::DuplicateId`] for a key given twice, and
    ///   [`ErrorKind::WrongType`], [`ErrorKind::MissingField`], [`ErrorKind::UnknownField`],
    ///   [`ErrorKind::UnknownName`] or [`ErrorKind::OutOfRange`] when a field cannot be read
    ///   (`seed`, `session.placement`, `organisations[1].kind`, an unknown top-level field);
    /// - [`ErrorKind::MissingField`] naming `input` when it has no `policy` or no `seed`;
    /// - the errors of [`Registry::from_json`] under `policy` (`policy.name`, `policy.share`);
    /// - [`ErrorKind::MissingField`] naming `input` when it has no `session` or no
    ///   `organisations`, then the errors of
    ///   [`SessionInput::check`](crate::model::SessionInput::check):
    ///   [`ErrorKind::UnknownId`] naming `requests[i].organisation` or
    ///   `history[i].organisation`, [`ErrorKind::DuplicateId`] naming `organisations[i].id`
    ///   or `history[i].organisation`, [`ErrorKind::OutOfRange`] for a value its field does
    ///   not allow (`session.chair.min_slots`, `requests[i].minutes`, an empty id).
    pub fn from_json_str(json: &str) -> Result<Self> {
        Self::from_json_str_with(json, built_in())
    }

    /// As [`AllocationInput::from_json_str`], with the policies of `registry` (yours beside
    /// the built-in ones): what a tool embedding floorshare calls.
    ///
    /// # Errors
    ///
    /// As [`AllocationInput::from_json_str`].
    pub fn from_json_str_with(json: &str, registry: &Registry) -> Result<Self> {
        Document::from_json_str(json)?.into_input_with(registry)
    }

    /// As [`AllocationInput::from_json_str`], reading the document from `reader`: at most
    /// [`MAX_DOCUMENT_BYTES`] and one byte are read (see [`read_limited`]).
    ///
    /// # Errors
    ///
    /// The errors of [`read_limited`], then as [`AllocationInput::from_json_str`].
    pub fn from_reader(reader: impl Read) -> Result<Self> {
        Self::from_reader_with(reader, built_in())
    }

    /// As [`AllocationInput::from_reader`], with the policies of `registry`.
    ///
    /// # Errors
    ///
    /// As [`AllocationInput::from_reader`].
    pub fn from_reader_with(reader: impl Read, registry: &Registry) -> Result<Self> {
        Document::from_reader(reader)?.into_input_with(registry)
    }

    /// As [`AllocationInput::from_json_str`], from a parsed JSON value.
    ///
    /// # Errors
    ///
    /// As [`AllocationInput::from_json_str`], without [`ErrorKind::Syntax`].
    pub fn from_json(value: Value) -> Result<Self> {
        Self::from_json_with(value, built_in())
    }

    /// As [`AllocationInput::from_json_str_with`], from a parsed JSON value.
    ///
    /// # Errors
    ///
    /// As [`AllocationInput::from_json_str`], without [`ErrorKind::Syntax`].
    pub fn from_json_with(value: Value, registry: &Registry) -> Result<Self> {
        Document::from_json(value)?.into_input_with(registry)
    }

    /// Runs the policy on the session with the seed.
    ///
    /// # Errors
    ///
    /// As [`Policy::decide`] (for the built-in policies, [`ErrorKind::MissingWeight`] naming
    /// `policy.weights`, [`ErrorKind::TooLarge`] naming `session.slots`,
    /// [`ErrorKind::OutOfRange`] naming `policy.min_slots` or `session.chair.min_slots`).
    pub fn allocate(&self) -> Result<Allocation> {
        self.decide(&mut Decision::new())
    }

    /// As [`allocate`](AllocationInput::allocate), deciding into `decision`, which keeps what
    /// the record does not show in full (the panels of a `fair_lottery`:
    /// [`Decision::lottery`]).
    ///
    /// # Errors
    ///
    /// As [`Policy::decide`].
    pub fn decide(&self, decision: &mut Decision) -> Result<Allocation> {
        self.policy
            .decide(&self.session, &mut lot::seeded(self.seed), decision)?;
        Allocation::from_decision(
            &self.session,
            self.policy.describe(),
            decision,
            Some(self.seed),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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

    fn error_with(edit: impl FnOnce(&mut Value)) -> String {
        let mut doc = document();
        edit(&mut doc);
        AllocationInput::from_json(doc).unwrap_err().to_string()
    }

    #[test]
    fn every_error_names_its_field() {
        assert_eq!(
            error_with(|d| d["seed"] = json!(-1)),
            "seed: invalid value: integer `-1`, expected u64"
        );
        assert_eq!(
            error_with(|d| d["policy"]["share"] = json!(0.5)),
            "policy.share: unknown field `share`, expected one of `weights`, `method`, `within_region`, or a stage: `placement`, `order`, `time`"
        );
        assert_eq!(
            error_with(|d| d["policy"]["method"] = json!("borda")),
            "policy.method: unknown variant `borda`, expected one of `hamilton`, `dhondt`, `sainte_lague`, `modified_sainte_lague`, `huntington_hill`, `adams`, `dean`"
        );
        assert_eq!(
            error_with(|d| d["session"]["placement"] = json!("middle")),
            "session.placement: unknown variant `middle`, expected one of `end`, `start`, `spread`"
        );
        assert_eq!(
            error_with(|d| d["organisations"][1]["kind"] = json!("bingo")),
            "organisations[1].kind: unknown variant `bingo`, expected one of `grassroots`, `national_ngo`, `international_ngo`, `trade_union`, `academia`, `private_sector`, `local_authority`, `faith_based`, `diaspora`, `other`"
        );
        assert_eq!(
            error_with(|d| d["requests"][1]["organisation"] = json!("o7")),
            r#"requests[1].organisation: unknown organisation "o7""#
        );
        assert_eq!(
            error_with(|d| {
                d.as_object_mut().unwrap().remove("seed");
            }),
            "input: missing field `seed`"
        );
        assert_eq!(
            error_with(|d| d["sesion"] = json!(1)),
            "sesion: unknown field `sesion`, expected one of `session`, `organisations`, `requests`, `history`, `grassroots_class`, `policy`, `seed`"
        );
    }

    #[test]
    fn syntax_errors_give_the_position() {
        let err = AllocationInput::from_json_str("{\"session\": ").unwrap_err();
        assert_eq!(err.field(), "input");
        assert!(err.to_string().contains("line 1"), "{err}");
    }
}
