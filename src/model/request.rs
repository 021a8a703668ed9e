//! Requests to speak and what organisations were granted before.

use serde::{Deserialize, Serialize};

/// An organisation asking to speak in a session. A later request of the same organisation
/// in the same session (in inscription order) is a duplicate, always waitlisted.
///
/// # Example
///
/// ```
/// use floorshare::model::Request;
///
/// let request: Request = serde_json::from_str(r#"{"organisation": "o1", "theme": "climate"}"#)?;
/// assert_eq!(request, Request::new("o1").on_theme("climate"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// Id of the requesting organisation.
    pub organisation: String,
    /// Minutes asked for (default the session's `minutes_per_slot`); a granted slot lasts
    /// `min(minutes, minutes_per_slot)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<u32>,
    /// The theme the organisation wants to raise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<String>,
    /// Inscription order, lower first (default: the request's position in the list). Equal
    /// orders keep list order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<u64>,
    /// A joint statement: the ids of the organisations on whose behalf the requester speaks
    /// (distinct, not the requester). A granted joint statement gives each of them a voice —
    /// heard through the statement — but not a slot: how the 2018 GCM regional focal points,
    /// UNFCCC constituency focal points and the Major Groups' organising partners speak.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub on_behalf_of: Vec<String>,
}

impl Request {
    /// A request of `organisation` for a full slot, with no theme, in list order.
    pub fn new(organisation: impl Into<String>) -> Self {
        Request {
            organisation: organisation.into(),
            minutes: None,
            theme: None,
            order: None,
            on_behalf_of: Vec::new(),
        }
    }

    /// The same request as a joint statement on behalf of `organisations`.
    pub fn on_behalf_of<S: Into<String>>(
        mut self,
        organisations: impl IntoIterator<Item = S>,
    ) -> Self {
        self.on_behalf_of = organisations.into_iter().map(Into::into).collect();
        self
    }

    /// The same request, on `theme`.
    pub fn on_theme(mut self, theme: impl Into<String>) -> Self {
        self.theme = Some(theme.into());
        self
    }
}

/// What one organisation was granted in earlier sessions of the same process, as written in
/// the JSON input's `history` list. Sessions of a process are numbered 0, 1, 2, … in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryEntry {
    /// Id of the organisation.
    pub organisation: String,
    /// Slots granted so far.
    #[serde(default)]
    pub slots: u32,
    /// Minutes granted so far.
    #[serde(default)]
    pub minutes: u64,
    /// Index of the last session it spoke in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_session: Option<u32>,
}

/// One organisation's record in a checked [`History`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Record {
    /// Slots granted so far.
    pub slots: u32,
    /// Minutes granted so far.
    pub minutes: u64,
    /// Index of the last session it spoke in.
    pub last_session: Option<u32>,
}

/// What every organisation of a roster was granted before: one [`Record`] per organisation,
/// indexed like the roster, or no record at all. Rotation policies read it; the simulator
/// writes it.
///
/// A history with no records (the [`Default`], or what a session input without `history`
/// gives) means that every organisation has the default record: nothing granted, never spoke.
/// It costs nothing to build, whatever the size of the roster. A checked session accepts a
/// history with no records or with exactly one record per organisation of its roster.
///
/// # Example
///
/// ```
/// use floorshare::model::History;
///
/// let none = History::default();
/// assert_eq!(none.get(41).slots, 0);
/// let mut history = History::new(3);
/// if let Some(record) = history.get_mut(2) {
///     record.slots += 1;
///     record.last_session = Some(0);
/// }
/// assert_eq!(history.get(2).slots, 1);
/// assert_eq!(history.len(), 3);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct History {
    records: Vec<Record>,
}

impl History {
    /// A history of `organisations` default records (nothing granted yet), one per
    /// organisation of a roster of that size. Use it to record grants with
    /// [`History::get_mut`]; [`History::default`] is the cheaper "no history" when nothing
    /// will be recorded.
    pub fn new(organisations: usize) -> Self {
        History {
            records: vec![Record::default(); organisations],
        }
    }

    /// The record of the organisation at `index` in the roster: the default record when the
    /// history has none for it (a history with no records, or `index` out of range).
    pub fn get(&self, index: usize) -> Record {
        self.records.get(index).copied().unwrap_or_default()
    }

    /// Mutable access to the record of the organisation at `index` in the roster; `None` when
    /// the history holds no record for it (a history with no records, or `index` out of
    /// range): build it with [`History::new`] to record grants.
    pub fn get_mut(&mut self, index: usize) -> Option<&mut Record> {
        self.records.get_mut(index)
    }

    /// All records, indexed like the roster (empty for a history with no records).
    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// Records one session of a process: each organisation of `spoke` (roster index, minutes
    /// granted) gains a slot and its minutes, and `index` becomes its last session. A history
    /// with no records first gets one per organisation of a roster of `organisations`. Out of
    /// range indices are ignored.
    ///
    /// ```
    /// use floorshare::model::History;
    ///
    /// let mut history = History::default();
    /// history.record(3, [(1, 3), (2, 2)], 0);
    /// history.record(3, [(1, 3)], 1);
    /// assert_eq!(history.get(1).slots, 2);
    /// assert_eq!(history.get(1).minutes, 6);
    /// assert_eq!(history.get(1).last_session, Some(1));
    /// assert_eq!(history.get(2).last_session, Some(0));
    /// ```
    pub fn record(
        &mut self,
        organisations: usize,
        spoke: impl IntoIterator<Item = (usize, u32)>,
        index: u32,
    ) {
        if self.records.is_empty() {
            self.reset(organisations);
        }
        for (org, minutes) in spoke {
            if let Some(record) = self.records.get_mut(org) {
                record.slots += 1;
                record.minutes += u64::from(minutes);
                record.last_session = Some(index);
            }
        }
    }

    /// Starts again with `organisations` default records (nothing granted yet), keeping the
    /// memory: a simulator begins each simulated process with it.
    pub fn reset(&mut self, organisations: usize) {
        self.records.clear();
        self.records.resize(organisations, Record::default());
    }

    /// Number of records: the roster's size, or 0 for "no history".
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether the history holds no record (every organisation has the default record).
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}
