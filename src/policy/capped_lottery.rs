//! `capped_lottery`: inscription order while everyone fits, a lot when too many inscribe.

use rand::Rng;

use super::{Description, Policy};
use crate::Result;
use crate::decision::{Decision, GrantReason, Note, Pool, Rule, WaitReason};
use crate::model::CheckedSession;

/// A capped lottery: everyone who inscribed speaks while they fit; when more inscribe than
/// there are slots, a lot draws who speaks and in which order.
///
/// **Practice.** The State speakers' list for the adoption of a UPR report at the Human Rights
/// Council: "If there is more than 13 States inscribed… the HRC President will draw by lots…
/// the 13 countries which will be given the floor and the order" (UPR Info, *New modalities
/// for States to register on the speakers' list for UPR reports adoption during the HRC
/// plenary*).
///
/// **Rule.** When the requesting organisations number at most `slots`, all are granted, in
/// inscription order. Otherwise `slots` of them are drawn uniformly without replacement, and
/// the draw order is the speaking order. The shared stages (`order`, `time`,
/// `placement`) may follow.
///
/// **Draws.** Only when more organisations request than there are slots (and there is a
/// slot): a partial Fisher–Yates shuffle of the requesters in inscription order, one uniform
/// index per slot.
///
/// **Reasons.** Granted `inscription_order` (everyone fits) or `lottery` (drawn). Waitlisted
/// `not_selected` (lost the draw), or `capacity` when no lot was drawn (a session without
/// slots); `duplicate` for a second request.
///
/// **Audit steps.** `rule_applied` (rule `everyone_fits`, with the granted organisations) when
/// everyone fits; otherwise `lot_drawn` (pool `requesters`, its size, weighting `uniform`, the
/// winners in draw order) when a slot was drawn.
///
/// **Promise.** When a lot is drawn, every requesting organisation has the same chance,
/// slots / requesters, of a slot (tested statistically over fixed seeds).
///
/// # Example
///
/// ```
/// use floorshare::allocation::Allocate;
/// use floorshare::decision::{GrantReason, WaitReason};
/// use floorshare::model::*;
/// use floorshare::policy::CappedLottery;
///
/// let organisations: Vec<Organisation> = (0..5)
///     .map(|i| Organisation::new(format!("state{i}"), "europe", Kind::Other))
///     .collect();
/// let requests = organisations.iter().map(|o| Request::new(&o.id)).collect();
/// let input = SessionInput::new(Session::new("upr", 3), organisations, requests);
/// // Five inscribed for three slots: a lot draws the three speakers and their order.
/// let allocation = CappedLottery.allocate_seeded(&input.clone().check()?, 13)?;
/// assert_eq!(allocation.granted.len(), 3);
/// assert!(allocation.granted.iter().all(|g| g.reason == GrantReason::Lottery));
/// assert!(allocation.waitlisted.iter().all(|w| w.reason == WaitReason::NotSelected));
///
/// // With five slots everyone speaks, in inscription order.
/// let mut input = input;
/// input.session.slots = 5;
/// let allocation = CappedLottery.allocate_seeded(&input.check()?, 13)?;
/// assert_eq!(&*allocation.granted[0].organisation, "state0");
/// assert_eq!(allocation.granted[0].reason, GrantReason::InscriptionOrder);
/// # Ok::<(), floorshare::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CappedLottery;

impl CappedLottery {
    /// The name in policy descriptions.
    pub const NAME: &'static str = "capped_lottery";

    /// Builds the policy from its description (the registry's constructor).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::UnknownField`](crate::ErrorKind::UnknownField) naming any parameter:
    /// the policy takes none of its own (the shared [stages](crate::stage) apply).
    pub fn from_description(description: &Description) -> Result<Box<dyn Policy>> {
        description.read::<super::NoParameters>()?;
        Ok(Box::new(CappedLottery))
    }
}

impl Policy for CappedLottery {
    fn describe(&self) -> Description {
        Description::new(Self::NAME)
    }

    fn select(
        &self,
        session: &CheckedSession,
        rng: &mut dyn Rng,
        decision: &mut Decision,
    ) -> Result<()> {
        let requesters = session.requesters();
        let slots = session.session().slots as usize;
        if requesters.len() <= slots {
            for &r in requesters {
                decision.grant(
                    r,
                    GrantReason::InscriptionOrder,
                    Note::Text("every requester fits: inscription order"),
                );
            }
            decision.rule_applied(Rule::EveryoneFits, requesters.iter().copied());
            return Ok(());
        }
        if slots == 0 {
            let wait =
                decision.wait_reason(WaitReason::Capacity, Note::Text("no slot in this session"));
            for &r in requesters {
                decision.wait(r, wait);
            }
            return Ok(());
        }
        let mut pool = decision.take_scratch::<Vec<u32>>();
        pool.clear();
        pool.extend_from_slice(requesters);
        decision.grant_by_lot(
            rng,
            &mut pool,
            slots,
            Pool::Requesters,
            GrantReason::Lottery,
            Note::Text("drawn by lot: more requesters than slots"),
        );
        decision.put_scratch(pool);
        let lost = decision.wait_reason(WaitReason::NotSelected, Note::Text("not drawn"));
        for &r in requesters {
            decision.wait(r, lost);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::allocation::Allocate;
    use crate::model::*;

    fn session(requesters: usize, slots: u32) -> CheckedSession {
        let organisations: Vec<Organisation> = (0..requesters)
            .map(|i| Organisation::new(format!("o{i}"), "r", Kind::Other))
            .collect();
        let requests = organisations.iter().map(|o| Request::new(&o.id)).collect();
        SessionInput::new(Session::new("s", slots), organisations, requests)
            .check()
            .unwrap()
    }

    #[test]
    fn a_lot_only_when_too_many_inscribe() {
        let fits = CappedLottery.allocate_seeded(&session(3, 3), 1).unwrap();
        let speakers: Vec<&str> = fits.granted.iter().map(|g| &*g.organisation).collect();
        assert_eq!(speakers, ["o0", "o1", "o2"]);
        assert_eq!(
            serde_json::to_value(&fits.steps).unwrap(),
            serde_json::json!([{"step": "rule_applied", "rule": "everyone_fits",
                                "granted": ["o0", "o1", "o2"]}])
        );

        let drawn = CappedLottery.allocate_seeded(&session(14, 13), 1).unwrap();
        assert_eq!(drawn.granted.len(), 13);
        assert!(
            drawn
                .granted
                .iter()
                .all(|g| g.reason == GrantReason::Lottery)
        );
        assert_eq!(drawn.waitlisted.len(), 1);
        assert_eq!(
            drawn.waitlisted.get(0).unwrap().reason,
            WaitReason::NotSelected
        );
        let step = serde_json::to_value(&drawn.steps).unwrap();
        assert_eq!(step[0]["pool"], "requesters");
        assert_eq!(step[0]["size"], 14);
        assert_eq!(step[0]["winners"].as_array().unwrap().len(), 13);

        let none = CappedLottery.allocate_seeded(&session(4, 0), 1).unwrap();
        assert!(none.granted.is_empty() && none.steps.is_empty());
        assert!(
            none.waitlisted
                .iter()
                .all(|w| w.reason == WaitReason::Capacity)
        );
    }
}
