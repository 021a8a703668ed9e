//! The decision for one session: who speaks, in which order, when, and why; who waits, and why.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{CheckedSession, Placement, PolicySpec};
use crate::{Error, Result};

/// Why a request was granted: a stable snake_case code (SPEC §3). Each policy documents the
/// codes it uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum GrantReason {
    /// Picked by the chair (`chair_discretion`).
    ChairPick,
    /// Within its region's apportioned quota (`regional_balance`).
    RegionalQuota,
    /// Granted ahead of others as a member of the grassroots class (`grassroots_priority`,
    /// strict mode).
    GrassrootsPriority,
    /// Won a slot reserved for the grassroots class (`grassroots_priority`, reserved mode).
    Reserved,
    /// Won an open lottery.
    Lottery,
}

/// Why a request was not granted: a stable snake_case code (SPEC §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum WaitReason {
    /// Lost a draw, or the chair did not pick it.
    NotSelected,
    /// No slot was left for it under a deterministic rule.
    Capacity,
    /// A second (or later) request of an organisation in the same session.
    Duplicate,
}

impl GrantReason {
    /// The stable snake_case code, as in JSON.
    pub fn code(self) -> &'static str {
        match self {
            GrantReason::ChairPick => "chair_pick",
            GrantReason::RegionalQuota => "regional_quota",
            GrantReason::GrassrootsPriority => "grassroots_priority",
            GrantReason::Reserved => "reserved",
            GrantReason::Lottery => "lottery",
        }
    }
}

impl WaitReason {
    /// The stable snake_case code, as in JSON.
    pub fn code(self) -> &'static str {
        match self {
            WaitReason::NotSelected => "not_selected",
            WaitReason::Capacity => "capacity",
            WaitReason::Duplicate => "duplicate",
        }
    }
}

impl std::fmt::Display for GrantReason {
    /// The code, honouring width and alignment.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.code())
    }
}

impl std::fmt::Display for WaitReason {
    /// The code, honouring width and alignment.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.code())
    }
}

/// A granted slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// Speaking position, 1 for the first speaker.
    pub position: u32,
    /// Id of the organisation that speaks.
    pub organisation: Arc<str>,
    /// Minutes granted.
    pub minutes: u32,
    /// Minute of the session at which the slot starts (absent when the session length is not
    /// known).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_minute: Option<u32>,
    /// Why it was granted.
    pub reason: GrantReason,
    /// A human-readable detail of the reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<Arc<str>>,
    /// Index of the granted request in the input's `requests` list.
    pub request: u32,
}

/// A request that was not granted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waitlisted {
    /// Id of the organisation that waits.
    pub organisation: Arc<str>,
    /// Why it waits.
    pub reason: WaitReason,
    /// A human-readable detail of the reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<Arc<str>>,
    /// Index of the request in the input's `requests` list.
    pub request: u32,
}

/// The decision for one session (SPEC §3): granted slots in speaking order, waitlisted
/// requests in inscription order, and what is needed to re-run it (the policy description
/// with its defaults filled in, the seed, the crate version).
///
/// Every request appears exactly once, granted or waitlisted; at most `slots` are granted, at
/// most one per organisation. [`Allocation::from_decision`] enforces this for every policy,
/// floorshare's own and yours.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Allocation {
    /// Id of the session.
    pub session: String,
    /// The policy that decided, with every parameter spelled out.
    pub policy: PolicySpec,
    /// The seed of the generator, when the allocation was made from a seed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Version of floorshare that decided.
    pub floorshare: String,
    /// Granted slots in speaking order.
    pub granted: Vec<Grant>,
    /// Requests not granted, in inscription order.
    pub waitlisted: Vec<Waitlisted>,
}

/// One granted request, as a policy decides it, before positions and minutes are assigned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pick {
    /// Index of the request in the session's requests.
    pub request: u32,
    /// Why it was granted.
    pub reason: GrantReason,
    /// Detail of the reason.
    pub detail: Option<Arc<str>>,
}

/// Why a requesting organisation waits, as a policy decides it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    /// Why it waits.
    pub reason: WaitReason,
    /// Detail of the reason.
    pub detail: Option<Arc<str>>,
}

impl Allocation {
    /// Turns a policy's decision into an allocation: `picks` are the granted requests in
    /// speaking order; `waiting` says why a requesting organisation that was not picked waits
    /// (duplicates are marked `duplicate` without asking). Positions, minutes and start minutes
    /// follow from the session and `placement` (the policy's own placement, overriding the
    /// session's).
    ///
    /// Fails, naming `granted`, if the picks break capacity: more than `slots`, a request picked
    /// twice, a duplicate picked, or an index outside the requests.
    ///
    /// # Example
    ///
    /// ```
    /// use floorshare::model::*;
    ///
    /// let session = SessionInput::new(
    ///     Session::new("s", 1).with_length(60),
    ///     vec![
    ///         Organisation::new("a", "asia", Kind::Grassroots),
    ///         Organisation::new("b", "asia", Kind::Academia),
    ///     ],
    ///     vec![Request::new("a"), Request::new("b")],
    /// )
    /// .check()?;
    /// let picks = vec![Pick { request: 1, reason: GrantReason::Lottery, detail: None }];
    /// let allocation = Allocation::from_decision(
    ///     &session,
    ///     PolicySpec::default(),
    ///     None,
    ///     picks,
    ///     |_| Waiting { reason: WaitReason::NotSelected, detail: None },
    /// )?;
    /// assert_eq!(&*allocation.granted[0].organisation, "b");
    /// assert_eq!(allocation.granted[0].start_minute, Some(57));
    /// assert_eq!(&*allocation.waitlisted[0].organisation, "a");
    /// # Ok::<(), floorshare::Error>(())
    /// ```
    pub fn from_decision(
        session: &CheckedSession,
        policy: PolicySpec,
        placement: Option<Placement>,
        picks: Vec<Pick>,
        mut waiting: impl FnMut(u32) -> Waiting,
    ) -> Result<Allocation> {
        let requests = session.requests();
        let slots = session.session().slots as usize;
        if picks.len() > slots {
            return Err(Error::invalid(
                "granted",
                picks.len(),
                format!("slots are more than the session's {slots}"),
            ));
        }
        let mut granted_flag = vec![false; requests.len()];
        for pick in &picks {
            let r = pick.request as usize;
            if r >= requests.len() || session.is_duplicate(r) || granted_flag[r] {
                return Err(Error::invalid(
                    "granted",
                    pick.request,
                    "is not a request that can be granted (out of range, duplicate or twice)",
                ));
            }
            granted_flag[r] = true;
        }
        let roster = session.roster();
        let minutes: Vec<u32> = picks
            .iter()
            .map(|p| requests[p.request as usize].minutes)
            .collect();
        let starts = session
            .session()
            .length_minutes
            .map(|length| {
                placement
                    .unwrap_or(session.session().placement)
                    .start_minutes(&minutes, length)
            })
            .unwrap_or_default();
        let granted = picks
            .into_iter()
            .enumerate()
            .map(|(i, pick)| Grant {
                position: i as u32 + 1,
                organisation: roster
                    .id(session.organisation_of(pick.request as usize))
                    .clone(),
                minutes: minutes[i],
                start_minute: starts.get(i).copied(),
                reason: pick.reason,
                detail: pick.detail,
                request: pick.request,
            })
            .collect();
        let waitlisted = session
            .inscription_order()
            .iter()
            .filter(|&&r| !granted_flag[r as usize])
            .map(|&r| {
                let Waiting { reason, detail } = if session.is_duplicate(r as usize) {
                    Waiting {
                        reason: WaitReason::Duplicate,
                        detail: None,
                    }
                } else {
                    waiting(r)
                };
                Waitlisted {
                    organisation: roster.id(session.organisation_of(r as usize)).clone(),
                    reason,
                    detail,
                    request: r,
                }
            })
            .collect();
        Ok(Allocation {
            session: session.session().id.clone(),
            policy,
            seed: None,
            floorshare: env!("CARGO_PKG_VERSION").to_string(),
            granted,
            waitlisted,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_json_names() {
        for reason in [
            GrantReason::ChairPick,
            GrantReason::RegionalQuota,
            GrantReason::GrassrootsPriority,
            GrantReason::Reserved,
            GrantReason::Lottery,
        ] {
            let json = serde_json::to_string(&reason).unwrap();
            assert_eq!(json, format!("\"{}\"", reason.code()));
        }
        for reason in [
            WaitReason::NotSelected,
            WaitReason::Capacity,
            WaitReason::Duplicate,
        ] {
            let json = serde_json::to_string(&reason).unwrap();
            assert_eq!(json, format!("\"{reason}\""));
        }
    }
}
