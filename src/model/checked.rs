//! The checked form every policy reads: requests resolved against a [`Roster`], in
//! inscription order, duplicates marked.
//!
//! A [`SessionInput`](super::SessionInput) is validated into a [`CheckedSession`]; a simulator
//! builds one from a shared roster and requests it resolved itself. Policies only ever see
//! checked sessions, so they cannot meet a dangling id or a NaN weight.

use std::sync::Arc;

use super::{History, Request, Roster, Session};
use crate::{Error, Result};

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
        check_history(&roster, &history)?;
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
        check_history(&roster, &history)?;
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

/// A history with no records, or with one per organisation of `roster`, else an error naming
/// `history`.
fn check_history(roster: &Roster, history: &History) -> Result<()> {
    let records = history.len();
    if records == 0 || records == roster.len() {
        return Ok(());
    }
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    Err(Error::invalid(
        "history",
        format_args!("{records} record{}", plural(records)),
        format!(
            "for a roster of {} organisation{} (give one record per organisation, or none)",
            roster.len(),
            plural(roster.len())
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{GrassrootsClass, Kind, Organisation};

    fn roster(n: usize) -> Arc<Roster> {
        let organisations = (0..n)
            .map(|i| Organisation::new(format!("o{i}"), "europe", Kind::Grassroots))
            .collect();
        Arc::new(Roster::new(organisations, GrassrootsClass::default()).unwrap())
    }

    #[test]
    fn history_has_no_record_or_one_per_organisation() {
        let requests = [Request::new("o1")];
        for history in [History::default(), History::new(5)] {
            assert!(
                CheckedSession::new(Session::new("s", 1), roster(5), &requests, history).is_ok()
            );
        }
        let err = CheckedSession::new(Session::new("s", 1), roster(5), &requests, History::new(3))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "history: 3 records for a roster of 5 organisations \
             (give one record per organisation, or none)"
        );
        assert!(matches!(err, Error::InvalidValue { .. }));
        let err =
            CheckedSession::from_requests(Session::new("s", 1), roster(1), vec![], History::new(2))
                .unwrap_err();
        assert_eq!(
            err.to_string(),
            "history: 2 records for a roster of 1 organisation \
             (give one record per organisation, or none)"
        );
    }
}
