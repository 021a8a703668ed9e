//! `alternation`: a reserved list and an open list take turns, as quota speakers lists do.

use rand::Rng;
use serde::{Deserialize, Serialize};

use super::{Description, Policy};
use crate::Result;
use crate::decision::{Decision, GrantReason, Note, Pool, Rule, WaitReason, Weighting};
use crate::lot;
use crate::model::{Category, CheckedSession, ValueMatch};

/// How `alternation` orders each list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AlternationWithin {
    /// Inscription order.
    #[default]
    Inscription,
    /// A uniform lot orders each list.
    Lottery,
}

/// What `alternation` does when the reserved list runs out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AlternationMode {
    /// When one list is empty the other continues.
    #[default]
    Soft,
    /// A reserved position that finds the reserved list empty stops the list: the remaining
    /// slots stay unused.
    Hard,
}

/// Parameters of `alternation`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlternationSpec {
    /// The category that forms the reserved list (required).
    pub category: Category,
    /// The value of `category` of the reserved list's members (required).
    pub value: String,
    /// The order of each list (default `inscription`).
    #[serde(default)]
    pub within: AlternationWithin,
    /// What happens when the reserved list runs out (default `soft`).
    #[serde(default)]
    pub mode: AlternationMode,
}

/// Alternation: speakers alternate between a reserved list and an open list, the reserved
/// list first, as the gender-quota speakers lists of assemblies and parties do.
///
/// **Practice.** The hard quota of the HU Berlin student parliament (2009): "Frauen und
/// Männer reden abwechselnd" (women and men speak alternately), women "werden in die
/// Redeliste quotiert, auch wenn sie sich später gemeldet haben" (are moved forward even if
/// they asked later), and when only men are left the debate stops unless continuation is
/// moved. Bündnis 90/Die Grünen keep two lists; "open" places are for all genders, and when
/// the women's list is exhausted the women present decide whether debate continues. The
/// Lichtenberg district assembly (Berlin, 2017, §26(1)) gave the floor "abwechselnd an eine
/// Frau und einen Mann in der Reihenfolge der Wortmeldungen" (alternately to a woman and a
/// man, in order of request), another man speaking when no woman follows. Mode `hard` is the
/// first (`QuotaAlternation`), mode `soft` the last (`SoftAlternation`); the reserved list is
/// any category's value, so a class quota works the same way.
///
/// **Rule.** The reserved list is the requesting organisations whose `category` has `value`
/// (an organisation without the value, `""` included unless `value` is `""`, is open); the
/// open list is everyone else. Each list is in inscription order (`within: inscription`,
/// default) or in the order of a uniform lot (`within: lottery`). Positions 1, 3, 5, … are
/// reserved, 2, 4, 6, … open, and each takes the next member of its list. When the open list
/// runs out, reserved organisations take the open positions (both modes). When the reserved
/// list runs out: mode `soft` (default) lets the open list take the reserved positions; mode
/// `hard` stops at the first reserved position that finds the reserved list empty, and the
/// remaining slots stay unused (a documented exception to work conservation). Speaking order:
/// the positions. The shared stages may follow.
///
/// **Draws** (`within: lottery`), only for the members a list gives: first the reserved
/// list's, then the open list's, each drawn uniformly without replacement from its list in
/// inscription order (a partial Fisher–Yates shuffle, the draw order being the list's order).
/// A list of one, or one that gives no member, draws nothing.
///
/// **Reasons.** Granted `alternation` (detail: the position, reserved or open, and whether
/// the other list took it). Waitlisted `not_selected` when its list was drawn by lot and gave
/// a slot to someone else (`within: lottery`); otherwise `capacity` (the positions were
/// filled, hard alternation stopped, or the session has none); `duplicate` for a second
/// request.
///
/// **Audit steps.** With `within: lottery`, a `lot_drawn` step per list that gave members
/// (pool `reserved_list` or `open_list`, its size, weighting `uniform`, the winners in draw
/// order), then `rule_applied` (rule `alternation`, granting no one: it only orders);
/// otherwise `rule_applied` (rule `alternation`) with the granted in speaking order. When hard
/// alternation left slots unused, a final `rule_applied` (rule `reserved_list_exhausted`,
/// granting no one).
///
/// **Promise.** While both lists last, reserved and open organisations alternate, reserved
/// first; mode `hard` never grants an open organisation at a reserved position.
///
/// # Example
///
/// ```
/// use floorshare::allocation::Allocate;
/// use floorshare::decision::{GrantReason, WaitReason};
/// use floorshare::model::*;
///
/// let person = |id: &str, gender: &str| {
///     let mut o = Organisation::new(id, "europe", Kind::Other);
///     o.tags.insert("gender".into(), gender.into());
///     o
/// };
/// let organisations = vec![person("m1", "m"), person("m2", "m"), person("w1", "w"), person("m3", "m")];
/// let requests = organisations.iter().map(|o| Request::new(&o.id)).collect();
/// let input = SessionInput::new(Session::new("s", 4), organisations, requests);
/// let session = input.check()?;
/// let soft = floorshare::policy::from_json(serde_json::json!({
///     "name": "alternation", "category": "tag:gender", "value": "w"
/// }))?;
/// let allocation = soft.allocate_seeded(&session, 0)?;
/// let speakers: Vec<&str> = allocation.granted.iter().map(|g| &*g.organisation).collect();
/// // The woman first although she asked third; then the open list continues.
/// assert_eq!(speakers, ["w1", "m1", "m2", "m3"]);
/// assert_eq!(allocation.granted[2].reason, GrantReason::Alternation);
/// assert_eq!(allocation.granted[2].detail.as_deref(), Some("position 3: reserved, the reserved list exhausted"));
///
/// let hard = floorshare::policy::from_json(serde_json::json!({
///     "name": "alternation", "category": "tag:gender", "value": "w", "mode": "hard"
/// }))?;
/// let allocation = hard.allocate_seeded(&session, 0)?;
/// let speakers: Vec<&str> = allocation.granted.iter().map(|g| &*g.organisation).collect();
/// // No woman left for position 3: the list stops, two slots unused.
/// assert_eq!(speakers, ["w1", "m1"]);
/// assert_eq!(allocation.waitlisted.get(0).unwrap().reason, WaitReason::Capacity);
/// # Ok::<(), floorshare::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alternation {
    spec: AlternationSpec,
}

/// How many members each list gives: `(reserved, open)` out of lists of `r` and `o` members
/// for `k` slots. Soft: min(k, r + o) in all; hard: when the reserved list runs out first,
/// the alternation stops at the reserved position after its last member.
pub(crate) fn takes(k: u64, r: u64, o: u64, mode: AlternationMode) -> (u64, u64) {
    let n = k.min(r + o);
    let (half_up, half_down) = (n.div_ceil(2), n / 2);
    if o < r {
        // The open list runs out first (or never): reserved organisations fill in.
        let open = o.min(half_down);
        (n - open, open)
    } else {
        // The reserved list runs out first (or at the same time, or never).
        let reserved = r.min(half_up);
        match mode {
            AlternationMode::Hard => (reserved, reserved.min(half_down)),
            _ => (reserved, n - reserved),
        }
    }
}

impl Alternation {
    /// The name in policy descriptions.
    pub const NAME: &'static str = "alternation";

    /// The policy with its parameters (every combination is valid).
    pub fn new(spec: AlternationSpec) -> Self {
        Alternation { spec }
    }

    /// Builds the policy from its description (the registry's constructor).
    ///
    /// # Errors
    ///
    /// As [`Description::read`] for a parameter the policy does not take or cannot read
    /// (`category` and `value`, both required; `within`, `mode`), named relative
    /// to the description.
    pub fn from_description(description: &Description) -> Result<Box<dyn Policy>> {
        Ok(Box::new(Self::new(description.read()?)))
    }

    /// The parameters.
    pub fn params(&self) -> &AlternationSpec {
        &self.spec
    }
}

/// The buffers `alternation` reuses from session to session.
#[derive(Debug, Default)]
struct Scratch {
    /// The reserved list, request indices.
    reserved: Vec<u32>,
    /// The open list, request indices.
    open: Vec<u32>,
    /// The granted, in speaking order.
    order: Vec<u32>,
}

impl Policy for Alternation {
    fn describe(&self) -> Description {
        Description::with_parameters(Self::NAME, &self.spec).expect("parameters are a struct")
    }

    fn select(
        &self,
        session: &CheckedSession,
        rng: &mut dyn Rng,
        decision: &mut Decision,
    ) -> Result<()> {
        let requesters = session.requesters();
        let slots = u64::from(session.session().slots);
        let mut scratch = decision.take_scratch::<Scratch>();
        let Scratch {
            reserved,
            open,
            order,
        } = &mut *scratch;
        reserved.clear();
        open.clear();
        let roster = session.roster();
        let reserved_value = ValueMatch::new(&self.spec.category, &self.spec.value, roster);
        for &r in requesters {
            let org = session.organisation_of(r as usize);
            if reserved_value.matches(&self.spec.category, &self.spec.value, roster, org) {
                reserved.push(r);
            } else {
                open.push(r);
            }
        }
        let (take_r, take_o) = takes(
            slots,
            reserved.len() as u64,
            open.len() as u64,
            self.spec.mode,
        );
        let (take_r, take_o) = (take_r as usize, take_o as usize);
        let lottery = self.spec.within == AlternationWithin::Lottery;
        if lottery {
            for (list, take, pool) in [
                (&mut *reserved, take_r, Pool::ReservedList),
                (&mut *open, take_o, Pool::OpenList),
            ] {
                if list.len() > 1 && take > 0 {
                    lot::draw_to_front(rng, list, take);
                    decision.lot_drawn(
                        pool,
                        list.len(),
                        Weighting::Uniform,
                        list[..take].iter().copied(),
                    );
                }
            }
        }
        let granted = take_r + take_o;
        order.clear();
        let (mut next_r, mut next_o) = (0, 0);
        for p in 0..granted {
            let reserved_position = p % 2 == 0;
            let from_reserved = if reserved_position {
                next_r < take_r
            } else {
                next_o >= take_o
            };
            let r = if from_reserved {
                next_r += 1;
                reserved[next_r - 1]
            } else {
                next_o += 1;
                open[next_o - 1]
            };
            order.push(r);
            decision.grant(
                r,
                GrantReason::Alternation,
                Note::AlternationPosition {
                    position: p as u32 + 1,
                    reserved_position,
                    from_reserved,
                },
            );
        }
        // With lots the lists' members were drawn: the rule only orders them.
        let by_rule = if lottery { &order[..0] } else { &order[..] };
        decision.rule_applied(Rule::Alternation, by_rule.iter().copied());
        let stopped = (granted as u64) < slots.min(requesters.len() as u64);
        if stopped {
            decision.rule_applied(Rule::ReservedListExhausted, []);
        }
        let note = if slots == 0 {
            "no slot in this session"
        } else if stopped {
            "the reserved list ran out: hard alternation stopped"
        } else {
            "the alternation's positions were filled"
        };
        let wait = decision.wait_reason(WaitReason::Capacity, Note::Text(note));
        for &r in requesters {
            decision.wait(r, wait);
        }
        if lottery {
            let lost = decision.wait_reason(
                WaitReason::NotSelected,
                Note::Text("lost the lot within its list"),
            );
            for (list, take) in [(&*reserved, take_r), (&*open, take_o)] {
                if take > 0 {
                    for &r in &list[take..] {
                        decision.wait(r, lost);
                    }
                }
            }
        }
        decision.put_scratch(scratch);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::allocation::Allocate;
    use crate::model::*;

    /// Organisations o0.. with gender tags from `genders` (`w` reserved), all asking.
    fn session(slots: u32, genders: &str) -> CheckedSession {
        let organisations: Vec<Organisation> = genders
            .chars()
            .enumerate()
            .map(|(i, g)| {
                let mut o = Organisation::new(format!("o{i}"), "r", Kind::Other);
                o.tags.insert("gender".into(), g.to_string());
                o
            })
            .collect();
        let requests = organisations.iter().map(|o| Request::new(&o.id)).collect();
        SessionInput::new(Session::new("s", slots), organisations, requests)
            .check()
            .unwrap()
    }

    fn run(json: serde_json::Value, slots: u32, genders: &str) -> crate::allocation::Allocation {
        let mut description = serde_json::json!({"name": "alternation", "category": "tag:gender",
                                                 "value": "w"});
        description
            .as_object_mut()
            .unwrap()
            .extend(json.as_object().unwrap().clone());
        crate::policy::from_json(description)
            .unwrap()
            .allocate_seeded(&session(slots, genders), 3)
            .unwrap()
    }

    fn speakers(a: &crate::allocation::Allocation) -> Vec<&str> {
        a.granted.iter().map(|g| &*g.organisation).collect()
    }

    #[test]
    fn takes_follow_the_modes() {
        use AlternationMode::{Hard, Soft};
        assert_eq!(takes(4, 1, 3, Soft), (1, 3));
        assert_eq!(takes(4, 1, 3, Hard), (1, 1));
        assert_eq!(takes(5, 2, 5, Hard), (2, 2));
        assert_eq!(takes(5, 4, 1, Hard), (4, 1));
        assert_eq!(takes(3, 0, 5, Hard), (0, 0));
        assert_eq!(takes(u64::from(u32::MAX), 3, 3, Hard), (3, 3));
    }

    #[test]
    fn soft_and_hard_alternation() {
        // o0 m, o1 w, o2 m, o3 m, o4 m, o5 w.
        let a = run(serde_json::json!({}), 5, "mwmmmw");
        assert_eq!(speakers(&a), ["o1", "o0", "o5", "o2", "o3"]);
        assert_eq!(
            serde_json::to_value(&a.steps).unwrap(),
            serde_json::json!([{"step": "rule_applied", "rule": "alternation",
                                "granted": ["o1", "o0", "o5", "o2", "o3"]}])
        );
        let a = run(serde_json::json!({"mode": "hard"}), 6, "mwmmmw");
        assert_eq!(speakers(&a), ["o1", "o0", "o5", "o2"]);
        let steps = serde_json::to_value(&a.steps).unwrap();
        assert_eq!(steps[1]["rule"], "reserved_list_exhausted");
        assert!(
            a.waitlisted
                .iter()
                .all(|w| w.reason == WaitReason::Capacity)
        );
        // The open list runs out first: reserved organisations take the open positions.
        let a = run(serde_json::json!({"mode": "hard"}), 4, "wwmw");
        assert_eq!(speakers(&a), ["o0", "o2", "o1", "o3"]);
        assert_eq!(
            a.granted[3].detail.as_deref(),
            Some("position 4: open, the open list exhausted")
        );
    }

    #[test]
    fn lots_order_each_list_and_their_losers_are_not_selected() {
        let a = run(serde_json::json!({"within": "lottery"}), 3, "mmmmww");
        let granted = speakers(&a);
        assert_eq!(granted.len(), 3);
        // Both women (o4, o5) at positions 1 and 3, one man between.
        assert!(["o4", "o5"].contains(&granted[0]) && ["o4", "o5"].contains(&granted[2]));
        let steps = serde_json::to_value(&a.steps).unwrap();
        assert_eq!(steps[0]["pool"], "reserved_list");
        assert_eq!(steps[0]["size"], 2);
        assert_eq!(steps[1]["pool"], "open_list");
        assert_eq!(steps[1]["winners"].as_array().unwrap().len(), 1);
        assert_eq!(steps[2]["rule"], "alternation");
        // The rule only ordered: it granted no one itself.
        assert!(steps[2]["granted"].as_array().is_none_or(Vec::is_empty));
        assert!(
            a.waitlisted
                .iter()
                .all(|w| w.reason == WaitReason::NotSelected)
        );
    }
}
