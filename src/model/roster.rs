//! The organisations of a process, checked once and shared by its sessions.

use std::collections::HashMap;
use std::sync::Arc;

use super::{GrassrootsClass, History, HistoryEntry, Organisation};
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

    /// Checks a history list against the roster: every organisation known, none twice. An
    /// empty list gives a history with no records (every organisation has the default
    /// record), which costs nothing; otherwise the history holds one record per organisation.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownOrganisation`] when an entry names an organisation not in the roster,
    /// [`Error::DuplicateOrganisation`] when two entries name the same one. The field is the
    /// later entry's, relative to the list (`[2].organisation`).
    pub fn history(&self, entries: &[HistoryEntry]) -> Result<History> {
        if entries.is_empty() {
            return Ok(History::default());
        }
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
