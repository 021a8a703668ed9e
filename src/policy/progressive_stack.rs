//! `progressive_stack`: the highest scores of weighted marks speak first.

use rand::Rng;
use serde::{Deserialize, Serialize};

use super::{Description, Policy};
use crate::decision::{Decision, GrantReason, Note, Rule, WaitReason};
use crate::model::{Category, CheckedSession, ValueMatch};
use crate::{Error, Result};

/// One mark of a progressive stack: organisations whose `category` has `value` carry
/// `weight`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mark {
    /// The category read (`region`, `kind`, `class`, `migrant_led`, `country`, `tag:KEY`).
    pub category: Category,
    /// The value that carries the mark (`""` for organisations without a country or tag).
    pub value: String,
    /// The weight it adds to the score: a positive finite number.
    pub weight: f64,
}

/// Parameters of `progressive_stack`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgressiveStackSpec {
    /// The marks (required, at least one).
    #[serde(default)]
    pub marks: Vec<Mark>,
    /// Added to the score of an organisation that spoke in one of the last `recent_sessions`
    /// sessions: a finite number ≤ 0 (default 0).
    #[serde(default)]
    pub recent_penalty: f64,
    /// How many of the last sessions count as recent (default 1).
    #[serde(default = "one")]
    pub recent_sessions: u32,
}

fn one() -> u32 {
    1
}

/// A progressive stack with numeric weights: each organisation scores the weights of the
/// marks it carries, less a penalty when it spoke recently; the highest scores speak first.
///
/// **Practice.** Facilitation's progressive stack: "people from non-dominant groups are
/// allowed to speak before people from dominant groups" (Wikipedia, *Progressive stack*), and
/// stack-keepers "prefer to hear first from people who haven't spoken yet, or don't often
/// speak" and "from marginalized people who may otherwise be silenced… by 'they who shout
/// loudest' or 'first come first served' orderings" (Tech Workers Coalition, stack
/// guidelines). The Stack Facilitation App turns both into numeric weights added up per
/// speaker; here the marks are categories of organisations and the recency is the process's
/// history.
///
/// **Rule.** An organisation's score is the sum of the `weight`s of the `marks` whose
/// `category` has its `value` for it, plus `recent_penalty` (≤ 0, default 0) when it spoke in
/// one of the last `recent_sessions` sessions (default 1: its last session in the history is
/// at least the current session index − `recent_sessions`). The `slots` highest scores are
/// granted; equal scores go by inscription order. Speaking order: score order, equal scores
/// in inscription order. No lot is drawn. The shared stages (`order`, `time`,
/// `placement`) may follow.
///
/// **Reasons.** Granted `progressive_stack` (detail: its score). Waitlisted `capacity` (higher
/// scores, or equal scores inscribed earlier, took the slots, or the session has none),
/// `duplicate` for a second request.
///
/// **Audit steps.** One `rule_applied` step, rule `highest_scores`, with the granted
/// organisations in speaking order.
///
/// **Promise.** No organisation waits while one with a lower score is granted; the granted
/// speak in score order.
///
/// # Example
///
/// ```
/// use floorshare::allocation::Allocate;
/// use floorshare::decision::{GrantReason, WaitReason};
/// use floorshare::model::*;
/// use floorshare::policy::ProgressiveStack;
///
/// let organisations = vec![
///     Organisation::new("ngo", "europe", Kind::InternationalNgo),
///     Organisation::new("union", "africa", Kind::TradeUnion),
///     Organisation::new("grassroots", "africa", Kind::Grassroots),
/// ];
/// let requests = organisations.iter().map(|o| Request::new(&o.id)).collect();
/// let input = SessionInput::new(Session::new("s", 2), organisations, requests);
/// let policy = floorshare::policy::from_json(serde_json::json!({
///     "name": "progressive_stack",
///     "marks": [{"category": "class", "value": "grassroots", "weight": 2.0},
///               {"category": "region", "value": "africa", "weight": 1.0}]
/// }))?;
/// let allocation = policy.allocate_seeded(&input.check()?, 0)?;
/// let speakers: Vec<&str> = allocation.granted.iter().map(|g| &*g.organisation).collect();
/// assert_eq!(speakers, ["grassroots", "union"]);
/// assert_eq!(allocation.granted[0].reason, GrantReason::ProgressiveStack);
/// assert_eq!(allocation.granted[0].detail.as_deref(), Some("score 3"));
/// assert_eq!(allocation.waitlisted.get(0).unwrap().reason, WaitReason::Capacity);
///
/// let err = floorshare::policy::from_json(serde_json::json!({
///     "name": "progressive_stack", "marks": []
/// })).unwrap_err();
/// assert_eq!(err.field(), "marks");
/// # let _ = ProgressiveStack::NAME;
/// # Ok::<(), floorshare::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressiveStack {
    spec: ProgressiveStackSpec,
}

impl ProgressiveStack {
    /// The name in policy descriptions.
    pub const NAME: &'static str = "progressive_stack";

    /// The policy with its parameters checked.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::OutOfRange`](crate::ErrorKind::OutOfRange) naming `marks` when there is
    /// no mark (missing or empty), `marks[i].weight` when a weight is not a positive finite number, or
    /// `recent_penalty` when the penalty is not a finite number ≤ 0. (An unknown category is
    /// an error of the description, naming `marks[i].category`.)
    pub fn new(spec: ProgressiveStackSpec) -> Result<Self> {
        if spec.marks.is_empty() {
            return Err(Error::invalid(
                "marks",
                "[]",
                "is missing or empty: at least one mark is required",
            ));
        }
        for (i, mark) in spec.marks.iter().enumerate() {
            if !(mark.weight.is_finite() && mark.weight > 0.0) {
                return Err(Error::invalid(
                    format!("marks[{i}].weight"),
                    mark.weight,
                    "is not a positive finite number",
                ));
            }
        }
        if !(spec.recent_penalty.is_finite() && spec.recent_penalty <= 0.0) {
            return Err(Error::invalid(
                "recent_penalty",
                spec.recent_penalty,
                "is not a finite number ≤ 0",
            ));
        }
        Ok(ProgressiveStack { spec })
    }

    /// Builds the policy from its description (the registry's constructor).
    ///
    /// # Errors
    ///
    /// As [`Description::read`] for a parameter the policy does not take or cannot read
    /// (`marks`, `marks[i].category`, `recent_penalty`, `recent_sessions`), and
    /// as [`ProgressiveStack::new`].
    pub fn from_description(description: &Description) -> Result<Box<dyn Policy>> {
        Ok(Box::new(Self::new(description.read()?)?))
    }

    /// The parameters.
    pub fn params(&self) -> &ProgressiveStackSpec {
        &self.spec
    }
}

/// The buffers `progressive_stack` reuses from session to session.
#[derive(Debug, Default)]
struct Scratch {
    /// Every requester as one integer: its score's [`rank_key`] above its position in
    /// inscription order, so that ascending keys are the stack's order.
    items: Vec<u128>,
    /// Each mark resolved against the session's roster.
    matches: Vec<ValueMatch>,
}

/// The marks resolved against one session's roster, and the session's index.
struct Scorer<'a> {
    spec: &'a ProgressiveStackSpec,
    matches: &'a [ValueMatch],
    session: &'a CheckedSession,
    index: u64,
}

impl Scorer<'_> {
    /// The score of the organisation at roster index `org`, and whether the recent penalty
    /// applied: the weights of its marks, in the order given, plus the penalty when its last
    /// session is at least the session index − `recent_sessions`.
    fn score(&self, org: usize) -> (f64, bool) {
        let roster = self.session.roster();
        let mut score = 0.0;
        for (mark, matcher) in self.spec.marks.iter().zip(self.matches) {
            if matcher.matches(&mark.category, &mark.value, roster, org) {
                score += mark.weight;
            }
        }
        let recent = self
            .session
            .history()
            .get(org)
            .last_session
            .is_some_and(|last| {
                u64::from(last) + u64::from(self.spec.recent_sessions) >= self.index
            });
        if recent {
            score += self.spec.recent_penalty;
        }
        (score, recent)
    }
}

const SIGN: u64 = 1 << 63;

/// A key whose ascending order is the descending order of scores (`f64::total_cmp`).
fn rank_key(score: f64) -> u64 {
    let bits = score.to_bits();
    // The order of `total_cmp`, as unsigned integers…
    let ascending = if bits & SIGN != 0 { !bits } else { bits | SIGN };
    // …reversed.
    !ascending
}

/// The score of a [`rank_key`].
fn score_of(key: u64) -> f64 {
    let ascending = !key;
    f64::from_bits(if ascending & SIGN != 0 {
        ascending & !SIGN
    } else {
        !ascending
    })
}

impl Policy for ProgressiveStack {
    fn describe(&self) -> Description {
        Description::with_parameters(Self::NAME, &self.spec).expect("parameters are a struct")
    }

    fn select(
        &self,
        session: &CheckedSession,
        _rng: &mut dyn Rng,
        decision: &mut Decision,
    ) -> Result<()> {
        let requesters = session.requesters();
        let slots = session.session().slots as usize;
        let k = slots.min(requesters.len());
        let mut scratch = decision.take_scratch::<Scratch>();
        let Scratch { items, matches } = &mut *scratch;
        matches.clear();
        matches.extend(
            self.spec
                .marks
                .iter()
                .map(|m| ValueMatch::new(&m.category, &m.value, session.roster())),
        );
        let scorer = Scorer {
            spec: &self.spec,
            matches,
            session,
            index: u64::from(session.index()),
        };
        items.clear();
        items.extend(requesters.iter().enumerate().map(|(pos, &r)| {
            let (score, _) = scorer.score(session.organisation_of(r as usize));
            // -0.0 and 0.0 are one score.
            u128::from(rank_key(score + 0.0)) << 32 | pos as u128
        }));
        if k > 0 && k < items.len() {
            items.select_nth_unstable(k - 1);
        }
        let top = &mut items[..k];
        top.sort_unstable();
        let pos_of = |item: u128| item as u32;
        for &item in top.iter() {
            let score = score_of((item >> 32) as u64);
            let r = requesters[pos_of(item) as usize];
            let recent = scorer.score(session.organisation_of(r as usize)).1;
            decision.grant(
                r,
                GrantReason::ProgressiveStack,
                Note::Score { score, recent },
            );
        }
        decision.rule_applied(
            Rule::HighestScores,
            top.iter().map(|&item| requesters[pos_of(item) as usize]),
        );
        let wait = decision.wait_reason(
            WaitReason::Capacity,
            Note::Text(if slots == 0 {
                "no slot in this session"
            } else {
                "higher scores, or equal scores inscribed earlier, took the slots"
            }),
        );
        for &item in &items[k..] {
            decision.wait(requesters[pos_of(item) as usize], wait);
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

    fn spec(marks: serde_json::Value, penalty: f64, sessions: u32) -> serde_json::Value {
        serde_json::json!({"name": "progressive_stack", "marks": marks,
                           "recent_penalty": penalty, "recent_sessions": sessions})
    }

    #[test]
    fn scores_marks_and_penalises_recent_speakers() {
        let organisations = vec![
            Organisation::new("a", "africa", Kind::Grassroots),
            Organisation::new("b", "africa", Kind::Grassroots),
            Organisation::new("c", "europe", Kind::Academia),
            Organisation::new("d", "africa", Kind::Academia),
        ];
        let requests = organisations.iter().map(|o| Request::new(&o.id)).collect();
        let mut input = SessionInput::new(Session::new("s", 3), organisations, requests);
        input.session.index = Some(5);
        input.history = vec![
            HistoryEntry {
                organisation: "a".into(),
                slots: 1,
                minutes: 3,
                last_session: Some(4),
            },
            HistoryEntry {
                organisation: "d".into(),
                slots: 1,
                minutes: 3,
                last_session: Some(2),
            },
        ];
        let session = input.check().unwrap();
        let marks = serde_json::json!([
            {"category": "kind", "value": "grassroots", "weight": 2.0},
            {"category": "region", "value": "africa", "weight": 1.0}]);
        // Scores: a 3 − 2.5 = 0.5 (spoke in session 4), b 3, c 0, d 1 (session 2 is not recent).
        let policy = crate::policy::from_json(spec(marks.clone(), -2.5, 1)).unwrap();
        let a = policy.allocate_seeded(&session, 1).unwrap();
        let speakers: Vec<&str> = a.granted.iter().map(|g| &*g.organisation).collect();
        assert_eq!(speakers, ["b", "d", "a"]);
        assert_eq!(
            a.granted[2].detail.as_deref(),
            Some("score 0.5, spoke recently")
        );
        assert_eq!(a.waitlisted.get(0).unwrap().reason, WaitReason::Capacity);
        assert_eq!(
            serde_json::to_value(&a.steps).unwrap(),
            serde_json::json!([{"step": "rule_applied", "rule": "highest_scores",
                                "granted": ["b", "d", "a"]}])
        );
        // Three recent sessions reach d's session 2: d scores 1 − 2.5 = −1.5, below c.
        let policy = crate::policy::from_json(spec(marks, -2.5, 3)).unwrap();
        let a = policy.allocate_seeded(&session, 1).unwrap();
        let speakers: Vec<&str> = a.granted.iter().map(|g| &*g.organisation).collect();
        assert_eq!(speakers, ["b", "a", "c"]);
    }

    #[test]
    fn rank_keys_order_scores_highest_first_and_give_them_back() {
        let scores = [
            f64::INFINITY,
            1e300,
            3.5,
            1.0,
            0.0,
            -1e-300,
            -2.5,
            f64::NEG_INFINITY,
        ];
        for pair in scores.windows(2) {
            assert!(rank_key(pair[0]) < rank_key(pair[1]), "{pair:?}");
        }
        for score in scores {
            assert_eq!(score_of(rank_key(score)).to_bits(), score.to_bits());
        }
    }

    #[test]
    fn bad_parameters_name_their_field() {
        let err = |value: serde_json::Value| {
            crate::policy::from_json(value)
                .unwrap_err()
                .field()
                .to_string()
        };
        let mark = |category: &str, weight: f64| serde_json::json!({"category": category, "value": "x", "weight": weight});
        assert_eq!(
            err(serde_json::json!({"name": "progressive_stack"})),
            "marks"
        );
        assert_eq!(err(spec(serde_json::json!([]), 0.0, 1)), "marks");
        assert_eq!(
            err(spec(
                serde_json::json!([mark("kind", 1.0), mark("kind", 0.0)]),
                0.0,
                1
            )),
            "marks[1].weight"
        );
        assert_eq!(
            err(spec(
                serde_json::json!([mark("kind", 1.0), mark("gender", 1.0)]),
                0.0,
                1
            )),
            "marks[1].category"
        );
        assert_eq!(
            err(spec(serde_json::json!([mark("kind", 1.0)]), 0.5, 1)),
            "recent_penalty"
        );
        let spec = ProgressiveStackSpec {
            marks: vec![Mark {
                category: Category::Kind,
                value: "x".into(),
                weight: f64::NAN,
            }],
            recent_penalty: 0.0,
            recent_sessions: 1,
        };
        assert_eq!(
            ProgressiveStack::new(spec.clone()).unwrap_err().to_string(),
            "marks[0].weight: NaN is not a positive finite number"
        );
    }
}
