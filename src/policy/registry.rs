//! The registry: policy names mapped to constructors, floorshare's own and the caller's.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, OnceLock};

use serde_json::Value;

use super::{Description, Policy, Staged};
use crate::stage::Stages;
use crate::{Error, ErrorKind, Result};

/// Builds a policy from its description; checks the parameters (errors name them relative to
/// the description).
pub type Constructor = dyn Fn(&Description) -> Result<Box<dyn Policy>> + Send + Sync;

/// Maps policy names to constructors, so that a JSON description (`{"name": ..., ...}`) —
/// in [`from_json`](Registry::from_json), the `allocate` tool's input
/// ([`AllocationInput::from_json_with`](crate::interchange::AllocationInput::from_json_with))
/// or a scenario file ([`Simulation::with_registry`](crate::sim::Simulation::with_registry)) —
/// can name a built-in policy or one the caller wrote.
///
/// [`Registry::default`] holds floorshare's policies; [`Registry::register`] adds yours.
///
/// # Example: a policy of your own
///
/// ```
/// use floorshare::allocation::Allocate;
/// use floorshare::decision::{Decision, GrantReason, Note};
/// use floorshare::model::*;
/// use floorshare::policy::{Description, Policy, Registry};
/// use serde::{Deserialize, Serialize};
///
/// /// The latest inscribed speak first.
/// #[derive(Debug, Serialize, Deserialize)]
/// #[serde(deny_unknown_fields)]
/// struct LastComeFirstServed {
///     #[serde(default)]
///     skip: u32,
/// }
///
/// impl Policy for LastComeFirstServed {
///     fn describe(&self) -> Description {
///         Description::with_parameters("last_come_first_served", self).expect("a struct")
///     }
///     fn select(
///         &self,
///         session: &CheckedSession,
///         _rng: &mut dyn rand::Rng,
///         decision: &mut Decision,
///     ) -> floorshare::Result<()> {
///         let slots = session.session().slots as usize;
///         for &request in session.requesters().iter().rev().skip(self.skip as usize).take(slots) {
///             decision.grant(request, GrantReason::Custom("last_in"), Note::Text("inscribed late"));
///         }
///         Ok(())
///     }
/// }
///
/// let mut registry = Registry::default();
/// registry.register("last_come_first_served", |d| {
///     Ok(Box::new(d.read::<LastComeFirstServed>()?) as Box<dyn Policy>)
/// })?;
/// let policy = registry.from_json(serde_json::json!({"name": "last_come_first_served"}))?;
///
/// let session = SessionInput::new(
///     Session::new("s", 1),
///     vec![Organisation::new("a", "asia", Kind::Grassroots), Organisation::new("b", "asia", Kind::Academia)],
///     vec![Request::new("a"), Request::new("b")],
/// )
/// .check()?;
/// let allocation = policy.allocate_seeded(&session, 1)?;
/// assert_eq!(&*allocation.granted[0].organisation, "b");
/// assert_eq!(allocation.policy.to_string(), r#"{"name":"last_come_first_served","skip":0}"#);
/// # Ok::<(), floorshare::Error>(())
/// ```
#[derive(Clone)]
pub struct Registry {
    constructors: BTreeMap<String, Arc<Constructor>>,
}

impl Registry {
    /// A registry with no policy at all (see [`Registry::default`] for the built-ins).
    pub fn empty() -> Self {
        Registry {
            constructors: BTreeMap::new(),
        }
    }

    /// Adds a policy under `name`.
    ///
    /// # Errors
    ///
    /// An [`Error::InvalidValue`] naming `name`: [`ErrorKind::OutOfRange`] when the name is
    /// empty, [`ErrorKind::DuplicateId`] when it is registered already (a built-in cannot be
    /// replaced silently).
    pub fn register(
        &mut self,
        name: impl Into<String>,
        constructor: impl Fn(&Description) -> Result<Box<dyn Policy>> + Send + Sync + 'static,
    ) -> Result<&mut Self> {
        let name = name.into();
        if name.is_empty() {
            return Err(Error::invalid("name", "\"\"", "is empty"));
        }
        if self.constructors.contains_key(&name) {
            return Err(Error::invalid_as(
                ErrorKind::DuplicateId,
                "name",
                format!("{name:?}"),
                "is registered already",
            ));
        }
        self.constructors.insert(name, Arc::new(constructor));
        Ok(self)
    }

    /// The registered names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.constructors.keys().map(String::as_str)
    }

    /// Builds the policy `description` names.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::UnknownName`] ([`Error::UnknownPolicy`]) naming `name` when no policy has
    /// that name; the constructor's errors otherwise, named relative to the description (for
    /// the built-in policies, as their `from_description` says: [`ErrorKind::UnknownField`],
    /// [`ErrorKind::UnknownName`], [`ErrorKind::WrongType`], [`ErrorKind::MissingField`] or
    /// [`ErrorKind::OutOfRange`] naming a parameter).
    pub fn build(&self, description: &Description) -> Result<Box<dyn Policy>> {
        let constructor =
            self.constructors
                .get(description.name())
                .ok_or_else(|| Error::UnknownPolicy {
                    field: "name".into(),
                    name: description.name().to_string(),
                })?;
        let mut own = description.clone();
        let stages =
            Stages::from_parameters(Value::Object(own.take_parameters(&Stages::PARAMETERS)))?;
        let policy = constructor(&own).map_err(|mut err| {
            // A misspelt stage is as likely as a misspelt parameter: name both.
            if let Error::Json {
                kind: ErrorKind::UnknownField,
                message,
                ..
            } = &mut err
            {
                match message.strip_suffix("there are no fields") {
                    Some(head) => {
                        *message = format!("{head}expected a stage: `placement`, `order`, `time`")
                    }
                    None => message.push_str(", or a stage: `placement`, `order`, `time`"),
                }
            }
            err
        })?;
        Ok(if stages.is_default() {
            policy
        } else {
            Box::new(Staged::new(policy, stages)?)
        })
    }

    /// Reads a JSON description and builds the policy it names.
    ///
    /// # Errors
    ///
    /// As [`Description::from_json`] and [`Registry::build`].
    pub fn from_json(&self, value: Value) -> Result<Box<dyn Policy>> {
        self.build(&Description::from_json(value)?)
    }
}

impl Default for Registry {
    /// floorshare's own policies.
    fn default() -> Self {
        let mut registry = Registry::empty();
        for (name, constructor) in super::BUILT_IN {
            registry
                .constructors
                .insert(name.to_string(), Arc::new(constructor));
        }
        registry
    }
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry")
            .field("names", &self.constructors.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// The registry of floorshare's own policies, built once.
pub fn built_in() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(Registry::default)
}
