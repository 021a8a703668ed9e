//! The checked form every policy reads: requests resolved against a [`Roster`], in
//! inscription order, duplicates marked.
//!
//! A [`SessionInput`](super::SessionInput) is validated into a [`CheckedSession`]; a simulator
//! builds one from a shared roster and requests it resolved itself. Policies only ever see
//! checked sessions, so they cannot meet a dangling id or a NaN weight.

use std::collections::HashMap;
use std::sync::Arc;

use super::{History, Request, Roster, Session};
use crate::{Error, Result};

/// The requests [`CheckedSession::new`] checks, written with organisation ids: a slice of
/// [`Request`]s, or the interned requests of a document read by the JSON reader (which keeps
/// one shared string per distinct id and theme instead of one per request).
pub(crate) trait RequestSource {
    /// Number of requests.
    fn len(&self) -> usize;
    /// Id of the requesting organisation of request `i`.
    fn organisation(&self, i: usize) -> &str;
    /// Minutes asked for by request `i`.
    fn minutes(&self, i: usize) -> Option<u32>;
    /// Explicit inscription order of request `i`.
    fn order(&self, i: usize) -> Option<u64>;
    /// Theme of request `i`.
    fn theme(&self, i: usize) -> Option<&str>;
    /// The theme `name` of request `i` as a shared string (a new one unless the source
    /// interned it already).
    fn shared_theme(&self, _i: usize, name: &str) -> Arc<str> {
        Arc::from(name)
    }
    /// Co-signatories of request `i`, by id.
    fn on_behalf_of(&self, i: usize) -> impl Iterator<Item = &str>;
}

impl RequestSource for [Request] {
    fn len(&self) -> usize {
        <[Request]>::len(self)
    }
    fn organisation(&self, i: usize) -> &str {
        &self[i].organisation
    }
    fn minutes(&self, i: usize) -> Option<u32> {
        self[i].minutes
    }
    fn order(&self, i: usize) -> Option<u64> {
        self[i].order
    }
    fn theme(&self, i: usize) -> Option<&str> {
        self[i].theme.as_deref()
    }
    fn on_behalf_of(&self, i: usize) -> impl Iterator<Item = &str> {
        self[i].on_behalf_of.iter().map(String::as_str)
    }
}

/// A request resolved against a roster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedRequest {
    /// Index of the organisation in the roster.
    pub organisation: u32,
    /// Minutes a granted slot lasts: `min(asked, minutes_per_slot)`.
    pub minutes: u32,
    /// The theme raised, if any: an index into the session's
    /// [`themes`](CheckedSession::themes).
    pub theme: Option<u32>,
}

/// Everything one policy decision reads, checked: the session, the roster, the requests in
/// input order with their inscription order and duplicates marked, and the history.
///
/// Build it with [`SessionInput::check`](super::SessionInput::check), with
/// [`CheckedSession::new`] from a shared [`Roster`], or with [`CheckedSession::from_requests`]
/// from requests already resolved. A simulator that runs many sessions of one process builds
/// one and moves it from session to session with [`CheckedSession::next_session`], recording
/// grants through [`CheckedSession::history_mut`]: once its buffers are large enough, that
/// allocates nothing.
///
/// # Example
///
/// ```
/// use std::sync::Arc;
/// use floorshare::model::{
///     CheckedRequest, CheckedSession, GrassrootsClass, History, Kind, Organisation, Roster, Session,
/// };
///
/// let roster = Arc::new(Roster::new(
///     vec![
///         Organisation::new("a", "europe", Kind::InternationalNgo),
///         Organisation::new("b", "africa", Kind::Grassroots),
///     ],
///     GrassrootsClass::default(),
/// )?);
/// let asks = |orgs: &[u32]| -> Vec<CheckedRequest> {
///     orgs.iter()
///         .map(|&organisation| CheckedRequest { organisation, minutes: 3, theme: None })
///         .collect()
/// };
/// let session = Arc::new(Session::new("s", 1));
/// let mut checked =
///     CheckedSession::from_requests(session.clone(), roster.clone(), asks(&[1, 0, 1]), Arc::from([]), History::new(2))?;
/// assert_eq!(checked.requesters(), [0, 1]);
/// assert!(checked.is_duplicate(2));
///
/// // A grant to "b" in session 0, then the next session, reusing every buffer.
/// if let Some(record) = checked.history_mut().get_mut(1) {
///     record.slots += 1;
///     record.last_session = Some(0);
/// }
/// checked.next_session(session, &asks(&[0]))?;
/// assert_eq!(checked.requesters(), [0]);
/// assert_eq!(checked.history().get(1).slots, 1);
/// # Ok::<(), floorshare::Error>(())
/// ```
#[derive(Clone)]
pub struct CheckedSession {
    session: Arc<Session>,
    roster: Arc<Roster>,
    requests: Vec<CheckedRequest>,
    inscription: Vec<u32>,
    requesters: Vec<u32>,
    duplicate: Vec<bool>,
    history: History,
    /// The distinct themes the requests name, indexed by [`CheckedRequest::theme`].
    themes: Arc<[Arc<str>]>,
    /// Co-signatories of joint statements (roster indices), request by request:
    /// `cosigners[cosigned[r].clone()]`; empty ranges for requests that are not joint.
    cosigners: Vec<u32>,
    cosigned: Vec<std::ops::Range<u32>>,
    /// Scratch for the duplicate detection: one flag per organisation of the roster, all
    /// `false` between calls (each marking clears the flags it set, one by one or, when most
    /// organisations asked, with one fill), so that moving to the next session costs
    /// O(requests), not O(roster), and allocates nothing.
    seen: Vec<bool>,
}

impl std::fmt::Debug for CheckedSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckedSession")
            .field("session", &self.session)
            .field("roster", &self.roster)
            .field("requests", &self.requests)
            .field("inscription", &self.inscription)
            .field("requesters", &self.requesters)
            .field("duplicate", &self.duplicate)
            .field("history", &self.history)
            .field("themes", &self.themes)
            .field("cosigners", &self.cosigners)
            .finish_non_exhaustive()
    }
}

impl CheckedSession {
    /// Checks `session` and `requests` against `roster`, with `history` (no records, or one
    /// per organisation of the roster).
    ///
    /// Requests keep their list positions; their inscription order follows their `order`
    /// (list position when absent; equal orders keep list order). A later request of an
    /// organisation that asked already, in inscription order, is a duplicate.
    ///
    /// # Errors
    ///
    /// - the session's own errors under `session` (`session.minutes_per_slot`,
    ///   `session.chair.min_slots`, …; see [`Session::check`]);
    /// - `history` ([`Error::InvalidValue`]) when it holds records but not one per
    ///   organisation;
    /// - `requests[i].organisation` ([`Error::UnknownOrganisation`]) when the roster has no
    ///   organisation with that id;
    /// - `requests[i].minutes` ([`Error::InvalidValue`]) when it is 0;
    /// - `requests[i].on_behalf_of[j]`: an unknown organisation
    ///   ([`Error::UnknownOrganisation`]), one named twice in the list
    ///   ([`Error::DuplicateOrganisation`]), or the requester itself ([`Error::InvalidValue`]);
    /// - `requests` ([`Error::InvalidValue`]) when there are 2³² or more.
    pub fn new(
        session: impl Into<Arc<Session>>,
        roster: Arc<Roster>,
        requests: &[Request],
        history: History,
    ) -> Result<Self> {
        Self::from_source(session.into(), roster, requests, history)
    }

    /// As [`CheckedSession::new`], from any list of requests written by ids: a slice of
    /// [`Request`]s, or the interned requests of a document read by the JSON reader.
    pub(crate) fn from_source(
        session: Arc<Session>,
        roster: Arc<Roster>,
        requests: &(impl RequestSource + ?Sized),
        history: History,
    ) -> Result<Self> {
        session.check().map_err(|e| e.within("session"))?;
        check_history(&roster, &history)?;
        let count = requests.len();
        check_count(count)?;
        let minutes_per_slot = session.minutes_per_slot;
        let mut built = Self::empty(session, roster, count, history);
        // Explicit inscription orders, collected from the first request that gives one
        // (the requests before it are in list order): nothing to collect, nor to sort, when
        // no request gives an order.
        let mut orders: Option<Vec<u64>> = None;
        // Themes interned in order of first appearance.
        let mut themes: Vec<Arc<str>> = Vec::new();
        let mut theme_index: HashMap<Arc<str>, u32> = HashMap::new();
        // Requests often name organisations in roster order (lists exported together, one
        // request per organisation). While they do, the next request is first compared with
        // the organisation after the last one, which costs one comparison of two ids read in
        // order instead of a lookup at a random place of the index; as soon as they do not,
        // every request is looked up, until two consecutive ones are neighbours again.
        let mut next = 0;
        let mut in_step = true;
        for i in 0..count {
            let roster = &built.roster;
            let requester = requests.organisation(i);
            let organisation = if in_step && next < roster.len() && roster.id(next) == requester {
                next
            } else {
                let found =
                    roster
                        .index_of(requester)
                        .ok_or_else(|| Error::UnknownOrganisation {
                            field: format!("requests[{i}].organisation"),
                            id: requester.to_owned(),
                        })?;
                in_step = found == next;
                found
            };
            next = organisation + 1;
            let organisation = organisation as u32;
            let minutes = match requests.minutes(i) {
                Some(0) => {
                    return Err(Error::invalid(
                        format!("requests[{i}].minutes"),
                        0,
                        "is not positive",
                    ));
                }
                Some(m) => m.min(minutes_per_slot),
                None => minutes_per_slot,
            };
            match (&mut orders, requests.order(i)) {
                (Some(orders), order) => orders.push(order.unwrap_or(i as u64)),
                (None, Some(order)) => {
                    let mut collected = Vec::with_capacity(count);
                    collected.extend(0..i as u64);
                    collected.push(order);
                    orders = Some(collected);
                }
                (None, None) => {}
            }
            let theme = requests.theme(i).map(|name| match theme_index.get(name) {
                Some(&index) => index,
                None => {
                    let name: Arc<str> = requests.shared_theme(i, name);
                    themes.push(name.clone());
                    theme_index.insert(name, themes.len() as u32 - 1);
                    themes.len() as u32 - 1
                }
            });
            built.requests.push(CheckedRequest {
                organisation,
                minutes,
                theme,
            });
            let start = built.cosigners.len() as u32;
            for (j, id) in requests.on_behalf_of(i).enumerate() {
                let field = || format!("requests[{i}].on_behalf_of[{j}]");
                let cosigner =
                    built
                        .roster
                        .index_of(id)
                        .ok_or_else(|| Error::UnknownOrganisation {
                            field: field(),
                            id: id.to_owned(),
                        })? as u32;
                if cosigner == organisation {
                    return Err(Error::invalid(
                        field(),
                        format_args!("{id:?}"),
                        "is the requester itself",
                    ));
                }
                if built.cosigners[start as usize..].contains(&cosigner) {
                    return Err(Error::DuplicateOrganisation {
                        field: field(),
                        id: id.to_owned(),
                    });
                }
                built.cosigners.push(cosigner);
            }
            if built.cosigners.len() as u32 > start {
                built.cosigned.resize(i, 0..0);
                built.cosigned.push(start..built.cosigners.len() as u32);
            }
        }
        if !built.cosigners.is_empty() {
            built.cosigned.resize(count, 0..0);
        }
        built.themes = Arc::from(themes);
        let orders = orders.filter(|orders| orders.windows(2).any(|w| w[0] > w[1]));
        built.mark(orders.as_deref());
        Ok(built)
    }

    /// Builds a checked session from requests already resolved against `roster`, in
    /// inscription order (what a simulator does), their themes indices into `themes`, with
    /// `history` (no records, or one per organisation of the roster).
    ///
    /// # Errors
    ///
    /// - the session's own errors under `session` (see [`Session::check`]);
    /// - `history` ([`Error::InvalidValue`]) when it holds records but not one per
    ///   organisation;
    /// - `requests[i].organisation` ([`Error::InvalidValue`]) when it is not an index into the
    ///   roster;
    /// - `requests[i].theme` ([`Error::InvalidValue`]) when it is not an index into `themes`;
    /// - `requests` ([`Error::InvalidValue`]) when there are 2³² or more.
    pub fn from_requests(
        session: impl Into<Arc<Session>>,
        roster: Arc<Roster>,
        requests: Vec<CheckedRequest>,
        themes: Arc<[Arc<str>]>,
        history: History,
    ) -> Result<Self> {
        let session = session.into();
        check_resolved(&session, &roster, &requests, &themes, &history)?;
        let mut built = Self::empty(session, roster, 0, history);
        built.themes = themes;
        built.requests = requests;
        built.mark(None);
        Ok(built)
    }

    /// Moves to another session of the same process: replaces the session and the requests
    /// (resolved against this roster, in inscription order, as [`CheckedSession::from_requests`]
    /// takes them) and keeps the roster and the history, with whatever was recorded in it
    /// through [`CheckedSession::history_mut`]. The result is the checked session that
    /// `from_requests` would build from the same session, requests and history.
    ///
    /// Every internal buffer is reused (cleared, then refilled): once their capacities suffice
    /// (after the largest session so far), the call allocates nothing, and its cost is
    /// proportional to the number of requests, not to the size of the roster. The requests are
    /// copied; a theme is an [`Arc`], so copying one only counts a reference.
    ///
    /// # Errors
    ///
    /// The errors of [`CheckedSession::from_requests`] (`session…`, `history`,
    /// `requests[i].organisation`, `requests`). On error the checked session is left as it
    /// was.
    pub fn next_session(
        &mut self,
        session: Arc<Session>,
        requests: &[CheckedRequest],
    ) -> Result<()> {
        self.next_session_joint(session, requests, &[], &[])
    }

    /// As [`CheckedSession::next_session`], with joint statements: request `r` speaks on
    /// behalf of the organisations (roster indices) `cosigners[on_behalf_of[r]]`.
    /// `on_behalf_of` is empty when no request is joint, else holds one range per request
    /// (an empty range for a request that is not joint). What a simulator that merges
    /// requests into joint statements calls; the cost stays proportional to the requests and
    /// co-signatories, and nothing is allocated once the buffers are large enough.
    ///
    /// # Errors
    ///
    /// The errors of [`CheckedSession::next_session`], and:
    ///
    /// - `on_behalf_of` ([`Error::InvalidValue`]) when it is neither empty nor one range per
    ///   request;
    /// - `requests[i].on_behalf_of` ([`Error::InvalidValue`]) when its range is not within
    ///   `cosigners`;
    /// - `requests[i].on_behalf_of[j]` ([`Error::InvalidValue`]) when it is not an index into
    ///   the roster or is the requester itself, ([`Error::DuplicateOrganisation`]) when it is
    ///   named twice in the request's list.
    ///
    /// On error the checked session is left as it was.
    ///
    /// # Example
    ///
    /// ```
    /// use std::sync::Arc;
    /// use floorshare::model::{CheckedRequest, CheckedSession, History, Kind, Organisation, Roster, Session};
    ///
    /// let roster = Arc::new(Roster::new(
    ///     (0..3).map(|i| Organisation::new(format!("o{i}"), "pacific", Kind::Grassroots)).collect(),
    ///     Default::default(),
    /// )?);
    /// let ask = |organisation| CheckedRequest { organisation, minutes: 3, theme: None };
    /// let session = Arc::new(Session::new("s", 1));
    /// let mut checked = CheckedSession::from_requests(
    ///     session.clone(), roster, vec![], Arc::from([]), History::new(3))?;
    /// // o2 speaks on behalf of o0 and o1; o1 also asked on its own.
    /// checked.next_session_joint(session, &[ask(2), ask(1)], &[0, 1], &[0..2, 2..2])?;
    /// assert_eq!(checked.on_behalf_of(0), [0, 1]);
    /// assert!(checked.on_behalf_of(1).is_empty());
    /// # Ok::<(), floorshare::Error>(())
    /// ```
    pub fn next_session_joint(
        &mut self,
        session: Arc<Session>,
        requests: &[CheckedRequest],
        cosigners: &[u32],
        on_behalf_of: &[std::ops::Range<u32>],
    ) -> Result<()> {
        check_resolved(
            &session,
            &self.roster,
            requests,
            &self.themes,
            &self.history,
        )?;
        self.check_joint(requests, cosigners, on_behalf_of)?;
        self.session = session;
        self.cosigners.clear();
        self.cosigned.clear();
        if on_behalf_of.iter().any(|range| !range.is_empty()) {
            self.cosigners.extend_from_slice(cosigners);
            self.cosigned.extend_from_slice(on_behalf_of);
        }
        self.requests.clear();
        self.requests.extend_from_slice(requests);
        self.mark(None);
        Ok(())
    }

    /// The checks of [`CheckedSession::next_session_joint`]'s co-signatories, with the `seen`
    /// scratch (left all `false`): O(requests + co-signatories).
    fn check_joint(
        &mut self,
        requests: &[CheckedRequest],
        cosigners: &[u32],
        on_behalf_of: &[std::ops::Range<u32>],
    ) -> Result<()> {
        if on_behalf_of.is_empty() {
            return Ok(());
        }
        if on_behalf_of.len() != requests.len() {
            return Err(Error::invalid(
                "on_behalf_of",
                format_args!("{} ranges", on_behalf_of.len()),
                format!(
                    "for {} requests (give one range per request, or none)",
                    requests.len()
                ),
            ));
        }
        let organisations = self.roster.len();
        for (i, (request, range)) in requests.iter().zip(on_behalf_of).enumerate() {
            let Some(list) = cosigners.get(range.start as usize..range.end as usize) else {
                if range.is_empty() {
                    continue;
                }
                return Err(Error::invalid(
                    format!("requests[{i}].on_behalf_of"),
                    format_args!("{range:?}"),
                    format!("is not within the {} co-signatories", cosigners.len()),
                ));
            };
            let mut error = None;
            let mut marked = 0;
            for (j, &cosigner) in list.iter().enumerate() {
                let field = || format!("requests[{i}].on_behalf_of[{j}]");
                if cosigner as usize >= organisations {
                    error = Some(Error::invalid(
                        field(),
                        cosigner,
                        "is not an index into the roster",
                    ));
                } else if cosigner == request.organisation {
                    error = Some(Error::invalid(field(), cosigner, "is the requester itself"));
                } else if std::mem::replace(&mut self.seen[cosigner as usize], true) {
                    error = Some(Error::DuplicateOrganisation {
                        field: field(),
                        id: self.roster.id(cosigner as usize).to_string(),
                    });
                } else {
                    marked = j + 1;
                    continue;
                }
                break;
            }
            for &cosigner in &list[..marked] {
                self.seen[cosigner as usize] = false;
            }
            if let Some(error) = error {
                return Err(error);
            }
        }
        Ok(())
    }

    /// A checked session without requests, with room for `capacity` of them.
    fn empty(
        session: Arc<Session>,
        roster: Arc<Roster>,
        capacity: usize,
        history: History,
    ) -> Self {
        let seen = vec![false; roster.len()];
        CheckedSession {
            session,
            roster,
            requests: Vec::with_capacity(capacity),
            inscription: Vec::with_capacity(capacity),
            requesters: Vec::with_capacity(capacity),
            duplicate: Vec::with_capacity(capacity),
            history,
            themes: Arc::from([]),
            cosigners: Vec::new(),
            cosigned: Vec::new(),
            seen,
        }
    }

    /// Fills in the inscription order (list order, or stably by `orders` when given: one per
    /// request, equal orders keeping list order), the requesters and the duplicates of the
    /// requests, reusing the buffers. Every request's organisation must be an index into the
    /// roster.
    fn mark(&mut self, orders: Option<&[u64]>) {
        let count = self.requests.len();
        self.inscription.clear();
        self.inscription.extend(0..count as u32);
        if let Some(orders) = orders {
            self.inscription.sort_by_key(|&i| orders[i as usize]);
        }
        self.duplicate.clear();
        self.duplicate.resize(count, false);
        self.requesters.clear();
        for &r in &self.inscription {
            let org = self.requests[r as usize].organisation as usize;
            if std::mem::replace(&mut self.seen[org], true) {
                self.duplicate[r as usize] = true;
            } else {
                self.requesters.push(r);
            }
        }
        self.clear_seen();
    }

    /// Clears the flags of the scratch that marking set: those of the requesters'
    /// organisations, one by one when they are few (a session of a large process), or all at
    /// once when they are many, which is cheaper than reading their requests again.
    fn clear_seen(&mut self) {
        if self.requesters.len() >= self.seen.len() / 16 {
            self.seen.fill(false);
        } else {
            for &r in &self.requesters {
                self.seen[self.requests[r as usize].organisation as usize] = false;
            }
        }
    }

    /// The roster, for changes in place (a simulator redrawing migrant-led flags between
    /// runs, [`Roster::set_migrant_led`]); `None` while another owner shares it.
    pub fn roster_mut(&mut self) -> Option<&mut Roster> {
        Arc::get_mut(&mut self.roster)
    }

    /// Changes in place the roster that `sessions` share (a simulator redrawing migrant-led
    /// flags between runs, [`Roster::set_migrant_led`]): one roster serves every session of a
    /// process, however many there are. Allocates nothing.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidValue`] naming `sessions` when they do not all share one roster that
    /// nothing else holds; the sessions are then left as they were.
    pub fn update_shared_roster(
        sessions: &mut [CheckedSession],
        update: impl FnOnce(&mut Roster),
    ) -> Result<()> {
        let count = sessions.len();
        let Some((first, others)) = sessions.split_first_mut() else {
            return Ok(());
        };
        if others
            .iter()
            .any(|s| !Arc::ptr_eq(&s.roster, &first.roster))
            || Arc::strong_count(&first.roster) != count
        {
            return Err(Error::invalid(
                "sessions",
                "given",
                "do not share one roster that nothing else holds",
            ));
        }
        // The others' references are dropped for a moment (an empty roster stands in), so
        // that the first session's is the only one.
        let stand_in = empty_roster();
        for session in others.iter_mut() {
            session.roster = stand_in.clone();
        }
        update(Arc::get_mut(&mut first.roster).expect("the only reference"));
        for session in others {
            session.roster = first.roster.clone();
        }
        Ok(())
    }

    /// The organisations (roster indices) on whose behalf request `index` speaks: empty unless
    /// it is a joint statement. Only sessions checked from raw requests
    /// ([`CheckedSession::new`]) or moved on with [`CheckedSession::next_session_joint`] carry
    /// joint statements.
    ///
    /// # Panics
    ///
    /// If `index` is not an index of the requests.
    pub fn on_behalf_of(&self, index: usize) -> &[u32] {
        assert!(index < self.requests.len(), "request {index} out of range");
        match self.cosigned.get(index) {
            Some(range) => &self.cosigners[range.start as usize..range.end as usize],
            None => &[],
        }
    }

    /// Whether any request is a joint statement.
    pub fn has_joint_statements(&self) -> bool {
        !self.cosigners.is_empty()
    }

    /// The distinct themes the requests name, indexed by [`CheckedRequest::theme`].
    pub fn themes(&self) -> &[Arc<str>] {
        &self.themes
    }

    /// The theme request `index` raises, if any.
    ///
    /// # Panics
    ///
    /// If `index` is not an index of the requests.
    pub fn theme_of(&self, index: usize) -> Option<&str> {
        self.requests[index]
            .theme
            .map(|t| &*self.themes[t as usize])
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
    ///
    /// # Panics
    ///
    /// When `index` is not below the number of requests.
    pub fn is_duplicate(&self, index: usize) -> bool {
        self.duplicate[index]
    }

    /// The roster index of the organisation behind request `index`.
    ///
    /// # Panics
    ///
    /// When `index` is not below the number of requests.
    pub fn organisation_of(&self, index: usize) -> usize {
        self.requests[index].organisation as usize
    }

    /// Records this session into its history as session `index` of the process: each granted
    /// request (request index, minutes granted) gives its organisation a slot and its minutes
    /// ([`History::record`]). Take the history out with [`CheckedSession::into_history`] for
    /// the next session, or move on with [`CheckedSession::next_session`].
    ///
    /// # Panics
    ///
    /// If a request index is not one of this session's requests.
    pub fn record(&mut self, granted: impl IntoIterator<Item = (u32, u32)>, index: u32) {
        let organisations = self.roster.len();
        let requests = &self.requests;
        self.history.record(
            organisations,
            granted
                .into_iter()
                .map(|(r, minutes)| (requests[r as usize].organisation as usize, minutes)),
            index,
        );
    }

    /// The session's number in its process: `session.index` when given, else 1 + the latest
    /// session the history records anyone speaking in, or 0 without history. "Spoke in the
    /// last r sessions" means `last_session ≥ index − r`.
    pub fn index(&self) -> u32 {
        self.session.index.unwrap_or_else(|| {
            self.history
                .records()
                .iter()
                .filter_map(|r| r.last_session)
                .max()
                .map_or(0, |last| last + 1)
        })
    }

    /// What each organisation was granted before this session (no records at all when the
    /// input gave no history: then every organisation has the default record).
    pub fn history(&self) -> &History {
        &self.history
    }

    /// Mutable access to the history, to record this session's grants in place before
    /// [`CheckedSession::next_session`]. Recording needs a record per organisation: a history
    /// with no records gives `None` from [`History::get_mut`], so start from
    /// [`History::new`]`(roster.len())` when grants are to be recorded. Changing the number of
    /// records to anything but 0 or the roster's size makes the next
    /// [`CheckedSession::next_session`] fail, naming `history`.
    pub fn history_mut(&mut self) -> &mut History {
        &mut self.history
    }

    /// Gives the history back, to carry it to the next session without a copy.
    pub fn into_history(self) -> History {
        self.history
    }
}

/// At most `u32::MAX` requests (request indices are `u32`), else an error naming `requests`.
/// An empty roster, made once: what a session holds for the moment its own is changed.
fn empty_roster() -> Arc<Roster> {
    static EMPTY: std::sync::LazyLock<Arc<Roster>> = std::sync::LazyLock::new(|| {
        Arc::new(Roster::new(Vec::new(), Default::default()).expect("an empty roster is valid"))
    });
    EMPTY.clone()
}

fn check_count(requests: usize) -> Result<()> {
    if u32::try_from(requests).is_err() {
        return Err(Error::invalid("requests", requests, "is too many"));
    }
    Ok(())
}

/// The checks of requests already resolved: the session, the history, the count and every
/// organisation index.
fn check_resolved(
    session: &Session,
    roster: &Roster,
    requests: &[CheckedRequest],
    themes: &[Arc<str>],
    history: &History,
) -> Result<()> {
    session.check().map_err(|e| e.within("session"))?;
    check_history(roster, history)?;
    for (i, request) in requests.iter().enumerate() {
        if request.organisation as usize >= roster.len() {
            return Err(Error::invalid(
                format!("requests[{i}].organisation"),
                request.organisation,
                "is not an index into the roster",
            ));
        }
        if let Some(theme) = request.theme.filter(|&t| t as usize >= themes.len()) {
            return Err(Error::invalid(
                format!("requests[{i}].theme"),
                theme,
                "is not an index into the themes",
            ));
        }
    }
    check_count(requests.len())
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
        let err = CheckedSession::from_requests(
            Session::new("s", 1),
            roster(1),
            vec![],
            themes(),
            History::new(2),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "history: 2 records for a roster of 1 organisation \
             (give one record per organisation, or none)"
        );
    }

    #[test]
    fn joint_statements_are_checked_and_kept() {
        let roster = roster(4);
        let requests = [
            Request::new("o0").on_behalf_of(["o1", "o2"]),
            Request::new("o3"),
        ];
        let checked = CheckedSession::new(
            Session::new("s", 1),
            roster.clone(),
            &requests,
            History::default(),
        )
        .unwrap();
        assert!(checked.has_joint_statements());
        assert_eq!(checked.on_behalf_of(0), [1, 2]);
        assert_eq!(checked.on_behalf_of(1), [] as [u32; 0]);
        let error = |on_behalf_of: &[&str]| {
            let requests = [Request::new("o0").on_behalf_of(on_behalf_of.iter().copied())];
            CheckedSession::new(
                Session::new("s", 1),
                roster.clone(),
                &requests,
                History::default(),
            )
            .unwrap_err()
            .to_string()
        };
        assert_eq!(
            error(&["o9"]),
            r#"requests[0].on_behalf_of[0]: unknown organisation "o9""#
        );
        assert_eq!(
            error(&["o1", "o1"]),
            r#"requests[0].on_behalf_of[1]: duplicate organisation id "o1""#
        );
        assert_eq!(
            error(&["o0"]),
            r#"requests[0].on_behalf_of[0]: "o0" is the requester itself"#
        );
    }

    #[test]
    fn themes_are_interned_in_order_of_first_appearance() {
        let roster = roster(3);
        let requests = [
            Request::new("o0").on_theme("climate"),
            Request::new("o1"),
            Request::new("o2").on_theme("labour"),
            Request::new("o1").on_theme("climate"),
        ];
        let checked =
            CheckedSession::new(Session::new("s", 1), roster, &requests, History::default())
                .unwrap();
        let names: Vec<&str> = checked.themes().iter().map(|t| &**t).collect();
        assert_eq!(names, ["climate", "labour"]);
        let ids: Vec<Option<u32>> = checked.requests().iter().map(|r| r.theme).collect();
        assert_eq!(ids, [Some(0), None, Some(1), Some(0)]);
        assert_eq!(checked.theme_of(3), Some("climate"));
        // A resolved request naming a theme outside the table is an error naming it.
        let err = CheckedSession::from_requests(
            Session::new("s", 1),
            checked.roster().clone(),
            vec![CheckedRequest {
                organisation: 0,
                minutes: 1,
                theme: Some(2),
            }],
            checked.themes().into(),
            History::default(),
        )
        .unwrap_err();
        assert_eq!(err.field(), "requests[0].theme");
    }

    /// Three themes, for the requests of [`asks`].
    fn themes() -> Arc<[Arc<str>]> {
        ["t0", "t1", "t2"].into_iter().map(Arc::from).collect()
    }

    fn asks(orgs: &[u32]) -> Vec<CheckedRequest> {
        orgs.iter()
            .enumerate()
            .map(|(i, &organisation)| CheckedRequest {
                organisation,
                minutes: 1 + i as u32 % 3,
                theme: (i % 2 == 0).then_some(i as u32 % 3),
            })
            .collect()
    }

    /// Every observable part of `a` equals `b`'s, and the scratch is clear.
    fn assert_same(a: &CheckedSession, b: &CheckedSession) {
        assert_eq!(a.session(), b.session());
        assert!(Arc::ptr_eq(a.roster(), b.roster()));
        assert_eq!(a.requests(), b.requests());
        assert_eq!(a.inscription_order(), b.inscription_order());
        assert_eq!(a.requesters(), b.requesters());
        assert_eq!(a.duplicate, b.duplicate);
        assert_eq!(a.history(), b.history());
        assert_eq!(a.seen, b.seen);
        assert!(a.seen.iter().all(|&s| !s), "the scratch is left clear");
        assert_eq!(a.has_joint_statements(), b.has_joint_statements());
        for r in 0..a.requests().len() {
            assert_eq!(a.on_behalf_of(r), b.on_behalf_of(r), "request {r}");
        }
    }

    #[test]
    fn requests_in_roster_order_or_not_resolve_alike() {
        let roster = roster(8);
        let lists: [&[usize]; 5] = [
            &[0, 1, 2, 3, 4, 5, 6, 7],
            &[1, 2, 2, 3, 5, 6, 7, 0, 1, 2, 7],
            &[7, 6, 5, 4, 3, 2, 1, 0],
            &[3, 0, 6, 1, 4, 7, 2, 5, 5],
            &[],
        ];
        for list in lists {
            let requests: Vec<Request> =
                list.iter().map(|i| Request::new(format!("o{i}"))).collect();
            let checked = CheckedSession::new(
                Session::new("s", 1),
                roster.clone(),
                &requests,
                History::default(),
            )
            .unwrap();
            let resolved: Vec<usize> = (0..list.len())
                .map(|r| checked.organisation_of(r))
                .collect();
            assert_eq!(resolved, list);
        }
        // An unknown id after a run in roster order is still an error.
        let requests = ["o0", "o1", "o2", "o9"].map(Request::new);
        let err = CheckedSession::new(Session::new("s", 1), roster, &requests, History::default())
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"requests[3].organisation: unknown organisation "o9""#
        );
    }

    #[test]
    fn next_session_gives_what_from_requests_gives() {
        let roster = roster(6);
        let sessions: Vec<Arc<Session>> = (0..5)
            .map(|i| Arc::new(Session::new(format!("s{i}"), i)))
            .collect();
        let lists: [&[u32]; 5] = [
            &[0, 1, 2, 3, 4, 5, 0, 1],
            &[5, 5, 5],
            &[],
            &[2, 4, 2, 0, 4, 1, 3, 5, 5],
            &[1],
        ];
        let mut checked = CheckedSession::from_requests(
            sessions[0].clone(),
            roster.clone(),
            asks(lists[0]),
            themes(),
            History::new(6),
        )
        .unwrap();
        for (index, (session, list)) in sessions.iter().zip(lists).enumerate().skip(1) {
            // Record a grant in place, as a simulator does between sessions.
            if let Some(record) = checked.history_mut().get_mut(index) {
                record.slots += 1;
                record.last_session = Some(index as u32 - 1);
            }
            checked.next_session(session.clone(), &asks(list)).unwrap();
            let expected = CheckedSession::from_requests(
                session.clone(),
                roster.clone(),
                asks(list),
                themes(),
                checked.history().clone(),
            )
            .unwrap();
            assert_same(&checked, &expected);
        }
        assert_eq!(checked.history().get(3).slots, 1);
        assert_eq!(checked.history().get(4).last_session, Some(3));
    }

    #[test]
    fn next_session_reuses_its_buffers() {
        let roster = roster(6);
        let session = Arc::new(Session::new("s", 2));
        let mut checked = CheckedSession::from_requests(
            session.clone(),
            roster,
            asks(&[0, 1, 2, 3, 4, 5, 0, 1]),
            themes(),
            History::default(),
        )
        .unwrap();
        let buffers = |c: &CheckedSession| {
            (
                c.requests.as_ptr(),
                c.inscription.as_ptr(),
                c.requesters.as_ptr(),
                c.duplicate.as_ptr(),
                c.seen.as_ptr(),
            )
        };
        let before = buffers(&checked);
        for list in [&[3, 3, 1][..], &[0, 1, 2, 3, 4, 5, 5, 4], &[], &[2]] {
            checked.next_session(session.clone(), &asks(list)).unwrap();
            assert_eq!(buffers(&checked), before, "{list:?}");
        }
    }

    #[test]
    fn next_session_checks_and_leaves_the_session_as_it_was_on_error() {
        let roster = roster(3);
        let mut checked = CheckedSession::from_requests(
            Session::new("s", 1),
            roster,
            asks(&[0, 2, 0]),
            themes(),
            History::new(3),
        )
        .unwrap();
        let before = checked.clone();
        let err = checked
            .next_session(Arc::new(Session::new("t", 1)), &asks(&[1, 3]))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "requests[1].organisation: 3 is not an index into the roster"
        );
        assert_same(&checked, &before);
        let mut bad = Session::new("t", 1);
        bad.minutes_per_slot = 0;
        let err = checked
            .next_session(Arc::new(bad), &asks(&[1]))
            .unwrap_err();
        assert_eq!(err.field(), "session.minutes_per_slot");
        assert_same(&checked, &before);
        *checked.history_mut() = History::new(2);
        let err = checked
            .next_session(Arc::new(Session::new("t", 1)), &asks(&[1]))
            .unwrap_err();
        assert_eq!(err.field(), "history");
        *checked.history_mut() = History::default();
        checked
            .next_session(Arc::new(Session::new("t", 1)), &asks(&[1]))
            .unwrap();
        assert_eq!(checked.requesters(), [0]);
    }

    #[test]
    fn next_session_joint_gives_what_new_gives_from_joint_requests() {
        let roster = roster(6);
        let session = Arc::new(Session::new("s", 2));
        let mut checked = CheckedSession::from_requests(
            session.clone(),
            roster.clone(),
            vec![],
            Arc::from([]),
            History::new(6),
        )
        .unwrap();
        let plain = |organisation| CheckedRequest {
            organisation,
            minutes: 3,
            theme: None,
        };
        // o4 on behalf of o0 and o2, o1 alone, o5 on behalf of o3, then o1 again (duplicate).
        let requests = [plain(4), plain(1), plain(5), plain(1)];
        checked
            .next_session_joint(
                session.clone(),
                &requests,
                &[0, 2, 3],
                &[0..2, 2..2, 2..3, 3..3],
            )
            .unwrap();
        let raw = [
            Request::new("o4").on_behalf_of(["o0", "o2"]),
            Request::new("o1"),
            Request::new("o5").on_behalf_of(["o3"]),
            Request::new("o1"),
        ];
        let expected =
            CheckedSession::new(session.clone(), roster.clone(), &raw, History::new(6)).unwrap();
        assert_same(&checked, &expected);
        assert!(checked.is_duplicate(3));
        // Moving on without joint statements forgets them; ranges that are all empty too.
        checked.next_session(session.clone(), &requests).unwrap();
        assert!(!checked.has_joint_statements());
        assert!(checked.on_behalf_of(0).is_empty());
        checked
            .next_session_joint(session.clone(), &requests[..2], &[0], &[0..0, 0..0])
            .unwrap();
        assert!(!checked.has_joint_statements());
    }

    #[test]
    fn next_session_joint_checks_the_cosignatories_and_leaves_the_session_on_error() {
        let roster = roster(4);
        let session = Arc::new(Session::new("s", 1));
        let plain = |organisation| CheckedRequest {
            organisation,
            minutes: 3,
            theme: None,
        };
        let mut checked = CheckedSession::from_requests(
            session.clone(),
            roster,
            vec![plain(0), plain(1)],
            Arc::from([]),
            History::new(4),
        )
        .unwrap();
        checked
            .next_session_joint(session.clone(), &[plain(0), plain(1)], &[2], &[0..1, 1..1])
            .unwrap();
        let before = checked.clone();
        let requests = [plain(0), plain(1)];
        let mut error = |cosigners: &[u32], ranges: &[std::ops::Range<u32>]| {
            let err = checked
                .next_session_joint(session.clone(), &requests, cosigners, ranges)
                .unwrap_err();
            assert_same(&checked, &before);
            err.to_string()
        };
        assert_eq!(
            error(&[2], std::slice::from_ref(&(0..1))),
            "on_behalf_of: 1 ranges for 2 requests (give one range per request, or none)"
        );
        assert_eq!(
            error(&[2], &[0..2, 2..2]),
            "requests[0].on_behalf_of: 0..2 is not within the 1 co-signatories"
        );
        assert_eq!(
            error(&[2, 4], &[0..2, 2..2]),
            "requests[0].on_behalf_of[1]: 4 is not an index into the roster"
        );
        assert_eq!(
            error(&[2, 1], &[0..1, 1..2]),
            "requests[1].on_behalf_of[0]: 1 is the requester itself"
        );
        assert_eq!(
            error(&[2, 3, 2], &[0..3, 3..3]),
            r#"requests[0].on_behalf_of[2]: duplicate organisation id "o2""#
        );
        // The same organisation may co-sign two requests.
        checked
            .next_session_joint(session, &requests, &[2, 3, 2], &[0..2, 2..3])
            .unwrap();
        assert_eq!(checked.on_behalf_of(1), [2]);
    }

    #[test]
    fn sessions_sharing_one_roster_change_it_together() {
        let shared = roster(4);
        let session = |id: &str| {
            CheckedSession::from_requests(
                Session::new(id, 1),
                shared.clone(),
                Vec::new(),
                Arc::from([]),
                History::default(),
            )
            .unwrap()
        };
        let mut sessions = vec![session("s1"), session("s2"), session("s3")];
        // Held elsewhere too: refused, nothing changed.
        let err =
            CheckedSession::update_shared_roster(&mut sessions, |r| r.set_migrant_led(0, true))
                .unwrap_err();
        assert_eq!(
            err.to_string(),
            "sessions: given do not share one roster that nothing else holds"
        );
        assert!(sessions.iter().all(|s| Arc::ptr_eq(s.roster(), &shared)));
        drop(shared);
        CheckedSession::update_shared_roster(&mut sessions, |r| r.set_migrant_led(2, true))
            .unwrap();
        assert!(sessions.iter().all(|s| s.roster().migrant_led(2)));
        assert!(sessions.iter().all(|s| !s.roster().migrant_led(0)));
        assert!(Arc::ptr_eq(sessions[0].roster(), sessions[2].roster()));
        // Sessions with rosters of their own are refused.
        sessions[1] = CheckedSession::from_requests(
            Session::new("s2", 1),
            roster(4),
            Vec::new(),
            Arc::from([]),
            History::default(),
        )
        .unwrap();
        assert!(CheckedSession::update_shared_roster(&mut sessions, |_| {}).is_err());
        assert!(CheckedSession::update_shared_roster(&mut [], |_| {}).is_ok());
    }
}
