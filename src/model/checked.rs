//! Raw input, validated once into the checked form every policy reads.
//!
//! [`SessionInput`] is what a user writes (serde, unknown fields rejected). [`SessionInput::check`]
//! validates it into a [`CheckedSession`]: ids resolved to indices, regions interned, the
//! grassroots class evaluated, requests put in inscription order and duplicates marked. Policies
//! only ever see checked sessions, so they cannot meet a dangling id or a NaN weight.

use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{GrassrootsClass, History, HistoryEntry, Organisation, Request, Session};
use crate::{Error, Result};

/// The organisations of a process, checked: unique non-empty ids, non-empty regions, regions
/// interned (sorted by name), grassroots class evaluated. Shared (through an [`Arc`]) by every
/// session of a process.
///
/// # Example
///
/// ```
/// use floorshare::model::{GrassrootsClass, Kind, Organisation, Roster};
///
/// let roster = Roster::new(
///     vec![
///         Organisation::new("a", "europe", Kind::InternationalNgo),
///         Organisation::new("b", "africa", Kind::Grassroots),
///     ],
///     GrassrootsClass::default(),
/// )?;
/// assert_eq!(roster.regions().len(), 2);
/// assert_eq!(&*roster.regions()[roster.region_of(0)], "europe");
/// assert!(roster.in_class(1));
/// assert_eq!(roster.index_of("b"), Some(1));
/// # Ok::<(), floorshare::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Roster {
    organisations: Vec<Organisation>,
    ids: Vec<Arc<str>>,
    index: HashMap<Arc<str>, u32>,
    regions: Vec<Arc<str>>,
    region_of: Vec<u32>,
    in_class: Vec<bool>,
    class: GrassrootsClass,
}

impl Roster {
    /// Checks `organisations` and evaluates `class` on each. Errors name the organisation's
    /// position (`organisations[3].id`).
    pub fn new(organisations: Vec<Organisation>, class: GrassrootsClass) -> Result<Self> {
        let count = u32::try_from(organisations.len())
            .map_err(|_| Error::invalid("organisations", organisations.len(), "is too many"))?;
        let mut index = HashMap::with_capacity(count as usize);
        let mut ids = Vec::with_capacity(count as usize);
        // Distinct regions first (a hash set), so only they are sorted.
        let mut region_names = std::collections::HashSet::new();
        for (i, org) in organisations.iter().enumerate() {
            if org.id.is_empty() {
                return Err(Error::invalid(
                    format!("organisations[{i}].id"),
                    "\"\"",
                    "is empty",
                ));
            }
            if org.region.is_empty() {
                return Err(Error::invalid(
                    format!("organisations[{i}].region"),
                    "\"\"",
                    "is empty",
                ));
            }
            let id: Arc<str> = Arc::from(org.id.as_str());
            if index.insert(id.clone(), i as u32).is_some() {
                return Err(Error::DuplicateOrganisation {
                    field: format!("organisations[{i}].id"),
                    id: org.id.clone(),
                });
            }
            ids.push(id);
            region_names.insert(org.region.as_str());
        }
        let mut region_names: Vec<&str> = region_names.into_iter().collect();
        region_names.sort_unstable();
        let regions: Vec<Arc<str>> = region_names.iter().map(|&r| Arc::from(r)).collect();
        let region_of = organisations
            .iter()
            .map(|org| {
                regions
                    .binary_search_by(|r| (**r).cmp(&org.region))
                    .unwrap_or(0) as u32
            })
            .collect();
        let in_class = organisations
            .iter()
            .map(|org| class.contains(org))
            .collect();
        Ok(Roster {
            organisations,
            ids,
            index,
            regions,
            region_of,
            in_class,
            class,
        })
    }

    /// Number of organisations.
    pub fn len(&self) -> usize {
        self.organisations.len()
    }

    /// Whether the roster has no organisation.
    pub fn is_empty(&self) -> bool {
        self.organisations.is_empty()
    }

    /// The organisations, in the order given.
    pub fn organisations(&self) -> &[Organisation] {
        &self.organisations
    }

    /// The shared id of the organisation at `index`.
    pub fn id(&self, index: usize) -> &Arc<str> {
        &self.ids[index]
    }

    /// The index of the organisation with id `id`.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.index.get(id).map(|&i| i as usize)
    }

    /// The distinct regions of the organisations, sorted by name.
    pub fn regions(&self) -> &[Arc<str>] {
        &self.regions
    }

    /// The index in [`Roster::regions`] of the region of the organisation at `index`.
    pub fn region_of(&self, index: usize) -> usize {
        self.region_of[index] as usize
    }

    /// Whether the organisation at `index` is in the grassroots class.
    pub fn in_class(&self, index: usize) -> bool {
        self.in_class[index]
    }

    /// The grassroots class the roster was checked with.
    pub fn grassroots_class(&self) -> &GrassrootsClass {
        &self.class
    }

    /// Checks a history list against the roster: every organisation known, none twice.
    /// Errors name the entry (`[2].organisation`, relative to the list).
    pub fn history(&self, entries: &[HistoryEntry]) -> Result<History> {
        let mut history = History::new(self.len());
        let mut seen = vec![false; self.len()];
        for (i, entry) in entries.iter().enumerate() {
            let field = || format!("[{i}].organisation");
            let org =
                self.index_of(&entry.organisation)
                    .ok_or_else(|| Error::UnknownOrganisation {
                        field: field(),
                        id: entry.organisation.clone(),
                    })?;
            if std::mem::replace(&mut seen[org], true) {
                return Err(Error::DuplicateOrganisation {
                    field: field(),
                    id: entry.organisation.clone(),
                });
            }
            if let Some(record) = history.get_mut(org) {
                record.slots = entry.slots;
                record.minutes = entry.minutes;
                record.last_session = entry.last_session;
            }
        }
        Ok(history)
    }
}

/// A request resolved against a roster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedRequest {
    /// Index of the organisation in the roster.
    pub organisation: u32,
    /// Minutes a granted slot lasts: `min(asked, minutes_per_slot)`.
    pub minutes: u32,
    /// The theme raised, if any.
    pub theme: Option<Arc<str>>,
}

/// Everything one policy decision reads, checked: the session, the roster, the requests in
/// input order with their inscription order and duplicates marked, and the history.
///
/// Build it with [`SessionInput::check`], or with [`CheckedSession::new`] from a shared
/// [`Roster`] (what a simulator does for each of many sessions).
#[derive(Debug, Clone)]
pub struct CheckedSession {
    session: Arc<Session>,
    roster: Arc<Roster>,
    requests: Vec<CheckedRequest>,
    inscription: Vec<u32>,
    requesters: Vec<u32>,
    duplicate: Vec<bool>,
    history: History,
}

impl CheckedSession {
    /// Checks `session` and `requests` against `roster`. Errors name the field at fault
    /// (`session.minutes_per_slot`, `requests[3].organisation`, `requests[0].minutes`).
    pub fn new(
        session: impl Into<Arc<Session>>,
        roster: Arc<Roster>,
        requests: &[Request],
        history: History,
    ) -> Result<Self> {
        let session = session.into();
        session.check().map_err(|e| e.within("session"))?;
        let checked = requests
            .iter()
            .enumerate()
            .map(|(i, request)| {
                let organisation = roster.index_of(&request.organisation).ok_or_else(|| {
                    Error::UnknownOrganisation {
                        field: format!("requests[{i}].organisation"),
                        id: request.organisation.clone(),
                    }
                })? as u32;
                let minutes = match request.minutes {
                    Some(0) => {
                        return Err(Error::invalid(
                            format!("requests[{i}].minutes"),
                            0,
                            "is not positive",
                        ));
                    }
                    Some(m) => m.min(session.minutes_per_slot),
                    None => session.minutes_per_slot,
                };
                Ok(CheckedRequest {
                    organisation,
                    minutes,
                    theme: request.theme.as_deref().map(Arc::from),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let orders: Vec<u64> = requests
            .iter()
            .enumerate()
            .map(|(i, r)| r.order.unwrap_or(i as u64))
            .collect();
        Self::from_checked(session, roster, checked, &orders, history)
    }

    /// Builds a checked session from requests already resolved against `roster`, in
    /// inscription order (what the simulator does). Fails only when a request names an index
    /// outside the roster or the session is invalid.
    pub fn from_requests(
        session: impl Into<Arc<Session>>,
        roster: Arc<Roster>,
        requests: Vec<CheckedRequest>,
        history: History,
    ) -> Result<Self> {
        let session = session.into();
        session.check().map_err(|e| e.within("session"))?;
        for (i, request) in requests.iter().enumerate() {
            if request.organisation as usize >= roster.len() {
                return Err(Error::invalid(
                    format!("requests[{i}].organisation"),
                    request.organisation,
                    "is not an index into the roster",
                ));
            }
        }
        let orders: Vec<u64> = (0..requests.len() as u64).collect();
        Self::from_checked(session, roster, requests, &orders, history)
    }

    fn from_checked(
        session: Arc<Session>,
        roster: Arc<Roster>,
        requests: Vec<CheckedRequest>,
        orders: &[u64],
        history: History,
    ) -> Result<Self> {
        if u32::try_from(requests.len()).is_err() {
            return Err(Error::invalid("requests", requests.len(), "is too many"));
        }
        let mut inscription: Vec<u32> = (0..requests.len() as u32).collect();
        if orders.windows(2).any(|w| w[0] > w[1]) {
            // Stable: equal orders keep list order.
            inscription.sort_by_key(|&i| orders[i as usize]);
        }
        let mut seen = vec![false; roster.len()];
        let mut duplicate = vec![false; requests.len()];
        let mut requesters = Vec::with_capacity(requests.len());
        for &r in &inscription {
            let org = requests[r as usize].organisation as usize;
            if std::mem::replace(&mut seen[org], true) {
                duplicate[r as usize] = true;
            } else {
                requesters.push(r);
            }
        }
        Ok(CheckedSession {
            session,
            roster,
            requests,
            inscription,
            requesters,
            duplicate,
            history,
        })
    }

    /// The session.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The roster of organisations.
    pub fn roster(&self) -> &Arc<Roster> {
        &self.roster
    }

    /// The requests, in input order.
    pub fn requests(&self) -> &[CheckedRequest] {
        &self.requests
    }

    /// Request indices in inscription order.
    pub fn inscription_order(&self) -> &[u32] {
        &self.inscription
    }

    /// The requesting organisations: for each organisation that asked, the index of its first
    /// request in inscription order; listed in inscription order. Duplicates are not here.
    pub fn requesters(&self) -> &[u32] {
        &self.requesters
    }

    /// Whether request `index` is a duplicate (a later request of an organisation that asked
    /// already in this session).
    pub fn is_duplicate(&self, index: usize) -> bool {
        self.duplicate[index]
    }

    /// The roster index of the organisation behind request `index`.
    pub fn organisation_of(&self, index: usize) -> usize {
        self.requests[index].organisation as usize
    }

    /// What each organisation was granted before this session.
    pub fn history(&self) -> &History {
        &self.history
    }

    /// Gives the history back, to carry it to the next session without a copy.
    pub fn into_history(self) -> History {
        self.history
    }
}

/// One session's input as a user writes it (SPEC §6 without `policy` and `seed`): the
/// session, the organisations, the requests, the history and the grassroots class.
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

    /// Validates the input into the form policies read. Every failure names its field.
    pub fn check(self) -> Result<CheckedSession> {
        let roster = Roster::new(self.organisations, self.grassroots_class)?;
        let history = roster
            .history(&self.history)
            .map_err(|e| e.within("history"))?;
        CheckedSession::new(self.session, Arc::new(roster), &self.requests, history)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;

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
    fn minutes_are_capped_by_the_slot() {
        let mut raw = input();
        raw.requests[0].minutes = Some(10);
        raw.requests[1].minutes = Some(2);
        let checked = raw.check().unwrap();
        assert_eq!(checked.requests()[0].minutes, 3);
        assert_eq!(checked.requests()[1].minutes, 2);
    }
}
