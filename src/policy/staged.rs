//! A policy followed by the shared stages.

use rand::Rng;

use super::{Description, Policy};
use crate::Result;
use crate::decision::Decision;
use crate::model::CheckedSession;
use crate::stage::Stages;

/// A policy followed by the shared [stages](crate::stage): its own rule chooses who speaks,
/// then the time cut, the speaking `order`, the minutes (`time`) and the `placement` apply.
///
/// The [`Registry`](super::Registry) builds one whenever a description carries `order`, `time`
/// or `placement`, for floorshare's policies and any a caller registers alike. Its description
/// is the policy's, followed by the stages that are not the default.
///
/// # Example
///
/// ```
/// use floorshare::allocation::Allocate;
/// use floorshare::model::*;
/// use floorshare::policy::{Fcfs, Staged};
/// use floorshare::stage::{Order, Stages};
///
/// let organisations = vec![
///     Organisation::new("a", "europe", Kind::InternationalNgo),
///     Organisation::new("b", "africa", Kind::Grassroots),
/// ];
/// let requests = vec![Request::new("a"), Request::new("b")];
/// let session = SessionInput::new(Session::new("s", 2).with_length(60), organisations, requests).check()?;
/// let policy = Staged::new(Fcfs, Stages::new().with_order(Order::Lottery).with_placement(Placement::Start))?;
/// let allocation = policy.allocate_seeded(&session, 7)?;
/// assert_eq!(allocation.granted.len(), 2);
/// assert_eq!(allocation.granted[0].start_minute, Some(0));
/// assert_eq!(allocation.policy.to_string(), r#"{"name":"fcfs","placement":"start","order":"lottery"}"#);
/// # Ok::<(), floorshare::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Staged<P> {
    policy: P,
    stages: Stages,
}

impl<P: Policy> Staged<P> {
    /// `policy` followed by `stages`.
    ///
    /// # Errors
    ///
    /// As [`Stages::check`], naming the stage parameter at fault.
    pub fn new(policy: P, stages: Stages) -> Result<Self> {
        stages.check()?;
        Ok(Staged { policy, stages })
    }

    /// The policy whose rule chooses the speakers.
    pub fn policy(&self) -> &P {
        &self.policy
    }

    /// The stages.
    pub fn stages(&self) -> &Stages {
        &self.stages
    }
}

impl<P: Policy> Policy for Staged<P> {
    fn describe(&self) -> Description {
        let mut description = self.policy.describe();
        for (key, value) in self.stages.parameters() {
            description.set_parameter(key, value);
        }
        description
    }

    /// The policy's own rule (the stages run in [`decide`](Policy::decide)).
    fn select(
        &self,
        session: &CheckedSession,
        rng: &mut dyn Rng,
        decision: &mut Decision,
    ) -> Result<()> {
        self.policy.select(session, rng, decision)
    }

    fn decide(
        &self,
        session: &CheckedSession,
        rng: &mut dyn Rng,
        decision: &mut Decision,
    ) -> Result<()> {
        decision.begin(session);
        self.policy.select(session, rng, decision)?;
        decision.check(session)?;
        self.stages.apply(session, rng, decision)?;
        decision.place(session, self.stages.placement);
        Ok(())
    }
}
