//! `fcfs`: first come, first served, the speakers list of most UN bodies.

use rand::Rng;

use super::{Description, Policy};
use crate::Result;
use crate::decision::{Decision, GrantReason, Note, Rule, WaitReason};
use crate::model::CheckedSession;

/// First come, first served: the slots go to the organisations that inscribed first.
///
/// **Practice.** The speakers list of most UN bodies. The General Assembly's President calls
/// speakers "in the order in which they signify their desire to speak" (rules of procedure,
/// rule 68, A/520/Rev.17; a secondary account of the 74th general debate confirms speakers
/// are "put on the list in the order of their request"). At the Human Rights Council the NGO
/// list for a UPR report adoption has "only ten slots which will be allocated on a first come,
/// first serve basis" (UPR Info, *New modalities for NGOs to register on the speakers' list
/// for UPR reports adoption*), and the OHCHR's online system for NGO oral statements orders its
/// list by, among other things, "time of registration" (OHCHR, *Guidelines on the NGO
/// registration system for oral statements*).
///
/// **Rule.** Grant the first `slots` requesting organisations in inscription order (the
/// request's `order`, by default its position in the list). Speaking order: inscription order.
/// No lot is drawn. The shared stages may follow.
///
/// **Reasons.** Granted `inscription_order`; waitlisted `capacity` (the slots went to earlier
/// inscriptions, or the session has none), `duplicate` for a second request.
///
/// **Audit steps.** One `rule_applied` step, rule `inscription_order`, with the granted
/// organisations.
///
/// **Promise.** No organisation is waitlisted while one inscribed after it is granted.
///
/// # Example
///
/// ```
/// use floorshare::allocation::Allocate;
/// use floorshare::decision::{GrantReason, WaitReason};
/// use floorshare::model::*;
/// use floorshare::policy::Fcfs;
///
/// let organisations = vec![
///     Organisation::new("early", "europe", Kind::InternationalNgo),
///     Organisation::new("late", "africa", Kind::Grassroots),
///     Organisation::new("first", "asia", Kind::Diaspora),
/// ];
/// // "first" inscribed before the others although it is listed last.
/// let inscribed = |id: &str, order| Request { order: Some(order), ..Request::new(id) };
/// let requests = vec![inscribed("early", 2), inscribed("late", 3), inscribed("first", 1)];
/// let session = SessionInput::new(Session::new("hrc", 2), organisations, requests).check()?;
/// let allocation = Fcfs.allocate_seeded(&session, 0)?;
/// let speakers: Vec<&str> = allocation.granted.iter().map(|g| &*g.organisation).collect();
/// assert_eq!(speakers, ["first", "early"]);
/// assert_eq!(allocation.granted[0].reason, GrantReason::InscriptionOrder);
/// assert_eq!(allocation.waitlisted.get(0).unwrap().reason, WaitReason::Capacity);
/// # Ok::<(), floorshare::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Fcfs;

impl Fcfs {
    /// The name in policy descriptions.
    pub const NAME: &'static str = "fcfs";

    /// Builds the policy from its description (the registry's constructor).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::UnknownField`](crate::ErrorKind::UnknownField) naming any parameter:
    /// the policy takes none of its own (the shared [stages](crate::stage) apply).
    pub fn from_description(description: &Description) -> Result<Box<dyn Policy>> {
        description.read::<super::NoParameters>()?;
        Ok(Box::new(Fcfs))
    }
}

impl Policy for Fcfs {
    fn describe(&self) -> Description {
        Description::new(Self::NAME)
    }

    fn select(
        &self,
        session: &CheckedSession,
        _rng: &mut dyn Rng,
        decision: &mut Decision,
    ) -> Result<()> {
        let requesters = session.requesters();
        let slots = session.session().slots as usize;
        let (granted, waiting) = requesters.split_at(slots.min(requesters.len()));
        for &r in granted {
            decision.grant(
                r,
                GrantReason::InscriptionOrder,
                Note::Text("first come, first served"),
            );
        }
        decision.rule_applied(Rule::InscriptionOrder, granted.iter().copied());
        let wait = decision.wait_reason(
            WaitReason::Capacity,
            Note::Text(if slots == 0 {
                "no slot in this session"
            } else {
                "the slots went to earlier inscriptions"
            }),
        );
        for &r in waiting {
            decision.wait(r, wait);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::allocation::Allocate;
    use crate::model::*;

    #[test]
    fn grants_the_first_inscribed_and_waits_the_rest_for_capacity() {
        let organisations: Vec<Organisation> = (0..5)
            .map(|i| Organisation::new(format!("o{i}"), "r", Kind::Other))
            .collect();
        // o4 inscribes first although listed last; o1 asks twice.
        let requests = [0, 1, 1, 2, 3, 4]
            .into_iter()
            .enumerate()
            .map(|(i, o)| Request {
                order: Some(if o == 4 { 0 } else { i as u64 + 1 }),
                ..Request::new(format!("o{o}"))
            })
            .collect();
        let session = SessionInput::new(Session::new("s", 3), organisations, requests)
            .check()
            .unwrap();
        let a = Fcfs.allocate_seeded(&session, 9).unwrap();
        let speakers: Vec<&str> = a.granted.iter().map(|g| &*g.organisation).collect();
        assert_eq!(speakers, ["o4", "o0", "o1"]);
        let waits: Vec<(&str, WaitReason)> = a
            .waitlisted
            .iter()
            .map(|w| (w.organisation, w.reason))
            .collect();
        assert_eq!(
            waits,
            [
                ("o1", WaitReason::Duplicate),
                ("o2", WaitReason::Capacity),
                ("o3", WaitReason::Capacity)
            ]
        );
        let step = serde_json::to_value(&a.steps).unwrap();
        assert_eq!(
            step,
            serde_json::json!([{"step": "rule_applied", "rule": "inscription_order",
                                "granted": ["o4", "o0", "o1"]}])
        );
    }
}
