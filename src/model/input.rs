//! Raw input: one session as a user writes it, validated once into the checked form.
//!
//! [`SessionInput`] is what a user writes (serde, unknown fields rejected). [`SessionInput::check`]
//! validates it into a [`CheckedSession`]: ids resolved to indices, regions interned, the
//! grassroots class evaluated, requests put in inscription order and duplicates marked.

use serde::{Deserialize, Serialize};

use super::{CheckedSession, GrassrootsClass, HistoryEntry, Organisation, Request, Session};
use crate::Result;

/// One session's input as a user writes it (the JSON document of one allocation, without its
/// `policy` and `seed`): the session, the organisations, the requests, the history and the
/// grassroots class.
///
/// # Example
///
/// ```
/// use floorshare::model::SessionInput;
///
/// let input: SessionInput = serde_json::from_str(r#"{
///     "session": {"id": "ts1", "slots": 1},
///     "organisations": [{"id": "o1", "region": "pacific", "kind": "grassroots"}],
///     "requests": [{"organisation": "o1"}, {"organisation": "o9"}]
/// }"#)?;
/// let err = input.check().unwrap_err();
/// assert_eq!(err.to_string(), r#"requests[1].organisation: unknown organisation "o9""#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionInput {
    /// The session.
    pub session: Session,
    /// Every organisation that may be named by a request or in the history.
    pub organisations: Vec<Organisation>,
    /// The requests to speak, in list order.
    #[serde(default)]
    pub requests: Vec<Request>,
    /// What organisations were granted in earlier sessions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<HistoryEntry>,
    /// Who counts as grassroots (default: kind `grassroots` or migrant-led).
    #[serde(default)]
    pub grassroots_class: GrassrootsClass,
}

impl SessionInput {
    /// An input without history, with the default grassroots class (kind `grassroots` or
    /// migrant-led).
    pub fn new(session: Session, organisations: Vec<Organisation>, requests: Vec<Request>) -> Self {
        SessionInput {
            session,
            organisations,
            requests,
            history: Vec::new(),
            grassroots_class: GrassrootsClass::default(),
        }
    }

    /// Validates the input into the form policies read: organisation ids resolved to roster
    /// indices, regions interned, the grassroots class evaluated, requests put in inscription
    /// order and duplicates marked.
    ///
    /// # Errors
    ///
    /// Every error names its field, as a path in the JSON document:
    ///
    /// - `organisations[i].id`, `organisations[i].region`: empty, or an id given twice (see
    ///   [`Roster::new`](super::Roster::new));
    /// - `history[i].organisation`: an organisation not in `organisations`, or given twice
    ///   (see [`Roster::history`](super::Roster::history));
    /// - `history[i].last_session`: absent with `slots` ≥ 1, given with `slots` 0, or not
    ///   before `session.index`;
    /// - `session.…`: the session's own errors (`session.minutes_per_slot`,
    ///   `session.chair.familiarity.academia`, …; see [`Session::check`]);
    /// - `requests[i].organisation`: an organisation not in `organisations`;
    /// - `requests[i].minutes`: 0.
    pub fn check(self) -> Result<CheckedSession> {
        super::parsed::check_parts(
            self.session,
            self.organisations,
            self.grassroots_class,
            &self.history,
            &self.requests[..],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Kind, Roster};
    use std::sync::Arc;

    fn input() -> SessionInput {
        SessionInput::new(
            Session::new("s", 2),
            vec![
                Organisation::new("a", "europe", Kind::InternationalNgo),
                Organisation::new("b", "africa", Kind::Grassroots),
            ],
            vec![Request::new("a"), Request::new("b"), Request::new("a")],
        )
    }

    #[test]
    fn the_session_index_and_the_history_agree() {
        let entry = |slots, last_session| HistoryEntry {
            organisation: "a".into(),
            slots,
            minutes: 3,
            last_session,
        };
        // Default index: 1 + the latest session anyone spoke in, or 0 without history.
        assert_eq!(input().check().unwrap().index(), 0);
        let mut raw = input();
        raw.history = vec![entry(2, Some(4))];
        assert_eq!(raw.check().unwrap().index(), 5);
        let mut raw = input();
        raw.session.index = Some(9);
        raw.history = vec![entry(2, Some(4))];
        assert_eq!(raw.check().unwrap().index(), 9);
        // A last session not before the index, or that does not fit the slots, is an error.
        let mut raw = input();
        raw.session.index = Some(4);
        raw.history = vec![entry(2, Some(4))];
        assert_eq!(
            raw.check().unwrap_err().to_string(),
            "history[0].last_session: 4 is not before the session's index 4"
        );
        for (slots, last) in [(1, None), (0, Some(2))] {
            let mut raw = input();
            raw.history = vec![entry(slots, last)];
            assert_eq!(raw.check().unwrap_err().field(), "history[0].last_session");
        }
    }

    #[test]
    fn duplicates_follow_inscription_order() {
        let mut raw = input();
        raw.requests[0].order = Some(10);
        let checked = raw.check().unwrap();
        assert_eq!(checked.inscription_order(), [1, 2, 0]);
        assert_eq!(checked.requesters(), [1, 2]);
        assert!(checked.is_duplicate(0));
        assert!(!checked.is_duplicate(2));
    }

    #[test]
    fn orders_given_after_the_first_request_count_too() {
        // Implicit orders are list positions: 0, 1, then an explicit 0.
        let mut raw = input();
        raw.requests[2].order = Some(0);
        let checked = raw.check().unwrap();
        assert_eq!(checked.inscription_order(), [0, 2, 1]);
        assert_eq!(checked.requesters(), [0, 1]);
        assert!(checked.is_duplicate(2));
        // Explicit orders that keep list order change nothing.
        let mut raw = input();
        raw.requests[1].order = Some(1);
        raw.requests[2].order = Some(7);
        let checked = raw.check().unwrap();
        assert_eq!(checked.inscription_order(), [0, 1, 2]);
        assert!(checked.is_duplicate(2));
        // SessionInput::check and CheckedSession::new agree.
        let mut raw = input();
        raw.requests[0].order = Some(5);
        raw.requests[1].order = Some(5);
        let borrowed = CheckedSession::new(
            raw.session.clone(),
            Arc::new(Roster::new(raw.organisations.clone(), GrassrootsClass::default()).unwrap()),
            &raw.requests,
            Default::default(),
        )
        .unwrap();
        let owned = raw.check().unwrap();
        assert_eq!(owned.inscription_order(), [2, 0, 1]);
        assert_eq!(owned.inscription_order(), borrowed.inscription_order());
        assert_eq!(owned.requests(), borrowed.requests());
        assert_eq!(owned.requesters(), borrowed.requesters());
    }

    #[test]
    fn errors_name_the_field_and_id() {
        let mut raw = input();
        raw.organisations[1].id = "a".into();
        assert_eq!(
            raw.check().unwrap_err().to_string(),
            r#"organisations[1].id: duplicate organisation id "a""#
        );
        let mut raw = input();
        raw.history = vec![HistoryEntry {
            organisation: "zz".into(),
            slots: 1,
            minutes: 3,
            last_session: None,
        }];
        assert_eq!(
            raw.check().unwrap_err().to_string(),
            r#"history[0].organisation: unknown organisation "zz""#
        );
        let mut raw = input();
        raw.requests[2].minutes = Some(0);
        assert_eq!(raw.check().unwrap_err().field(), "requests[2].minutes");
        let mut raw = input();
        raw.session.minutes_per_slot = 0;
        assert_eq!(raw.check().unwrap_err().field(), "session.minutes_per_slot");
    }

    #[test]
    fn history_is_empty_unless_given() {
        assert!(input().check().unwrap().history().is_empty());
        let mut raw = input();
        raw.history = vec![HistoryEntry {
            organisation: "b".into(),
            slots: 2,
            minutes: 6,
            last_session: Some(1),
        }];
        let checked = raw.check().unwrap();
        assert_eq!(checked.history().len(), 2);
        assert_eq!(checked.history().get(0), Default::default());
        assert_eq!(checked.history().get(1).slots, 2);
        assert_eq!(checked.history().get(1).last_session, Some(1));
    }

    #[test]
    fn minutes_are_capped_by_the_slot() {
        let mut raw = input();
        raw.requests[0].minutes = Some(10);
        raw.requests[1].minutes = Some(2);
        let checked = raw.check().unwrap();
        assert_eq!(checked.requests()[0].minutes, 3);
        assert_eq!(checked.requests()[1].minutes, 2);
    }
}
