//! The JSON interchange format: one session, its organisations and requests, a
//! policy description and a seed in; the allocation out. The contract for tools in other
//! languages, and what `examples/allocate.rs` reads.
//!
//! Reading is strict: unknown fields, in policy parameters too, are rejected, and every error
//! names the field at fault with a path such as `policy.share` or `requests[3].organisation`
//! and quotes the offending value.
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

use serde_json::Value;

use crate::allocation::Allocation;
use crate::decision::Decision;
use crate::model::{CheckedSession, SessionInput};
use crate::policy::{Policy, Registry, built_in};
use crate::{Error, ErrorKind, Result, lot};

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
    /// Reads and checks a JSON document: syntax, shape, then the policy description, then the
    /// session input. The first problem found is returned. The policy is one of floorshare's
    /// own ([`from_json_str_with`](AllocationInput::from_json_str_with) takes a registry).
    ///
    /// # Errors
    ///
    /// The first problem found, naming its field:
    ///
    /// - [`ErrorKind::Syntax`] naming `input` when the text is not JSON;
    /// - [`ErrorKind::WrongType`] naming `input` when the document is not an object, and
    ///   [`ErrorKind::MissingField`] naming `input` when it has no `policy` or no `seed`;
    /// - [`ErrorKind::WrongType`], [`ErrorKind::MissingField`], [`ErrorKind::UnknownField`],
    ///   [`ErrorKind::UnknownName`] or [`ErrorKind::OutOfRange`] when a field cannot be read
    ///   (`seed`, `session.placement`, `organisations[1].kind`, an unknown top-level field);
    /// - the errors of [`Registry::from_json`] under `policy` (`policy.name`, `policy.share`);
    /// - the errors of [`SessionInput::check`]: [`ErrorKind::UnknownId`] naming
    ///   `requests[i].organisation` or `history[i].organisation`, [`ErrorKind::DuplicateId`]
    ///   naming `organisations[i].id` or `history[i].organisation`, [`ErrorKind::OutOfRange`]
    ///   for a value its field does not allow (`session.chair.min_slots`,
    ///   `requests[i].minutes`, an empty id).
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
        let value: Value =
            serde_json::from_str(json).map_err(|err| Error::from_serde_json("input", &err))?;
        Self::from_json_with(value, registry)
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
        let Value::Object(mut document) = value else {
            return Err(Error::json_as(
                ErrorKind::WrongType,
                "input",
                format!(
                    "expected an object, found {}",
                    crate::error::quote_json(&value)
                ),
            ));
        };
        let missing = |field: &str| Error::json("input", format!("missing field `{field}`"));
        let policy = document.remove("policy").ok_or_else(|| missing("policy"))?;
        let seed = document.remove("seed").ok_or_else(|| missing("seed"))?;
        let seed: u64 = Error::read_json(seed).map_err(|e| e.within("seed"))?;
        let policy = registry.from_json(policy).map_err(|e| e.within("policy"))?;
        let session: SessionInput = Error::read_json(Value::Object(document))?;
        Ok(AllocationInput {
            session: session.check()?,
            policy,
            seed,
        })
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
    /// As [`Policy::decide`](crate::policy::Policy::decide).
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
            "sesion: unknown field `sesion`, expected one of `session`, `organisations`, `requests`, `history`, `grassroots_class`"
        );
    }

    #[test]
    fn syntax_errors_give_the_position() {
        let err = AllocationInput::from_json_str("{\"session\": ").unwrap_err();
        assert_eq!(err.field(), "input");
        assert!(err.to_string().contains("line 1"), "{err}");
    }
}
