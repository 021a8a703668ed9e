//! The organisations of a process, checked once and shared by its sessions.

use std::borrow::Cow;
use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};

use super::category::CategoryValues;
use super::index::{KeyIndex, MAX_KEYS};
use super::{Category, GrassrootsClass, History, HistoryEntry, Kind, Organisation};
use crate::{Error, Result};

/// The organisations of a process, checked: unique non-empty ids, non-empty regions, regions
/// interned (sorted by name), grassroots class evaluated. Shared (through an [`Arc`]) by every
/// session of a process. A policy that groups every requester by a category
/// (`constituency_round_robin`) has the roster keep each organisation's value in it as a
/// 4-byte id, built on the first session that asks and shared by the roster's clones, so that
/// later sessions read no tag.
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
    /// What no roster method changes, shared by the roster's clones: a clone costs two flags
    /// per organisation, however large the population.
    facts: Arc<Facts>,
    /// Per organisation, whether it is migrant-led: as given, or as set since
    /// ([`Roster::set_migrant_led`]).
    migrant_led: Vec<bool>,
    in_class: Vec<bool>,
    class: GrassrootsClass,
    values: ValuesCache,
}

/// The organisations as given, their index by id and their regions.
#[derive(Debug)]
struct Facts {
    organisations: Vec<Organisation>,
    index: KeyIndex,
    regions: Vec<Arc<str>>,
    region_of: Vec<u32>,
}

/// The categories' values built so far ([`Roster::values`]), shared with the roster's clones.
#[derive(Default)]
struct ValuesCache(RwLock<Vec<Arc<CategoryValues>>>);

/// The most categories a roster keeps values for; past it they are built at each use (a
/// policy reads one or two categories, a process a handful).
const MAX_CACHED_CATEGORIES: usize = 16;

impl Clone for ValuesCache {
    fn clone(&self) -> Self {
        let held = self.0.read().unwrap_or_else(PoisonError::into_inner);
        ValuesCache(RwLock::new(held.clone()))
    }
}

impl fmt::Debug for ValuesCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let held = self.0.read().unwrap_or_else(PoisonError::into_inner);
        f.debug_list()
            .entries(held.iter().map(|values| values.category()))
            .finish()
    }
}

impl Roster {
    /// Checks `organisations` and evaluates `class` on each.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidValue`] naming `organisations[i].id` or `organisations[i].region` when
    /// one is empty, or `organisations` when there are more than 2³⁰;
    /// [`Error::DuplicateOrganisation`] naming `organisations[i].id` when an id was given
    /// before (`i` is the later position).
    pub fn new(organisations: Vec<Organisation>, class: GrassrootsClass) -> Result<Self> {
        let count = organisations.len();
        if count > MAX_KEYS {
            return Err(Error::invalid("organisations", count, "is too many"));
        }
        let mut index = KeyIndex::with_capacity(count);
        let mut in_class = Vec::with_capacity(count);
        // Regions are numbered in order of first appearance, then renumbered by name, so that
        // only the distinct ones are sorted.
        let mut region_index = KeyIndex::with_capacity(8);
        let mut first_of_region: Vec<u32> = Vec::new();
        let mut region_of = Vec::with_capacity(count);
        // The grassroots class by kind, looked up instead of searched for each organisation.
        let kind_in_class = Kind::ALL.map(|kind| class.kinds.contains(&kind));
        // The ids' hashes, for the index built once they are all known (a page of its table
        // at a time, cheaper than inserting them one by one at random places).
        let mut hashes = Vec::with_capacity(count);
        // The first empty id or region, reported unless an id repeats before it.
        let mut empty = None;
        for (i, org) in organisations.iter().enumerate() {
            if org.id.is_empty() {
                empty = Some(Error::invalid(
                    format!("organisations[{i}].id"),
                    "\"\"",
                    "is empty",
                ));
                break;
            }
            if org.region.is_empty() {
                empty = Some(Error::invalid(
                    format!("organisations[{i}].region"),
                    "\"\"",
                    "is empty",
                ));
                break;
            }
            hashes.push(index.hash(&org.id));
            let hash = region_index.hash(&org.region);
            let region = region_index
                .insert(hash, &org.region, |r| {
                    &organisations[first_of_region[r as usize] as usize].region
                })
                .inspect(|_| first_of_region.push(i as u32))
                .unwrap_or_else(|held| held);
            region_of.push(region);
            // As `class.contains(org)`.
            in_class
                .push(kind_in_class[org.kind.index()] || (class.migrant_led && org.migrant_led));
        }
        // Errors in list order: a repeated id before the first empty field comes first.
        if let Some(i) = index.insert_all(&hashes, |p| &organisations[p as usize].id) {
            return Err(Error::DuplicateOrganisation {
                field: format!("organisations[{i}].id"),
                id: organisations[i as usize].id.clone(),
            });
        }
        if let Some(error) = empty {
            return Err(error);
        }
        let region_name = |r: u32| {
            organisations[first_of_region[r as usize] as usize]
                .region
                .as_str()
        };
        let mut by_name: Vec<u32> = (0..first_of_region.len() as u32).collect();
        by_name.sort_unstable_by(|&a, &b| region_name(a).cmp(region_name(b)));
        let mut rank = vec![0u32; by_name.len()];
        for (sorted, &r) in by_name.iter().enumerate() {
            rank[r as usize] = sorted as u32;
        }
        for region in &mut region_of {
            *region = rank[*region as usize];
        }
        let regions = by_name.iter().map(|&r| Arc::from(region_name(r))).collect();
        Ok(Roster {
            migrant_led: organisations.iter().map(|org| org.migrant_led).collect(),
            facts: Arc::new(Facts {
                organisations,
                index,
                regions,
                region_of,
            }),
            in_class,
            class,
            values: ValuesCache::default(),
        })
    }

    /// Number of organisations.
    pub fn len(&self) -> usize {
        self.facts.organisations.len()
    }

    /// Whether the roster has no organisation.
    pub fn is_empty(&self) -> bool {
        self.facts.organisations.is_empty()
    }

    /// The organisations, in the order given and as given: a migrant-led flag set since
    /// ([`Roster::set_migrant_led`]) is read with [`Roster::migrant_led`], and an
    /// organisation's value in a category with [`Roster::value_of`].
    pub fn organisations(&self) -> &[Organisation] {
        &self.facts.organisations
    }

    /// The id of the organisation at `index`.
    ///
    /// # Panics
    ///
    /// When `index` is not below [`Roster::len`].
    pub fn id(&self, index: usize) -> &str {
        &self.facts.organisations[index].id
    }

    /// The index of the organisation with id `id`, or `None` when no organisation has it.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        let facts = &*self.facts;
        facts
            .index
            .get(facts.index.hash(id), id, |p| {
                &facts.organisations[p as usize].id
            })
            .map(|i| i as usize)
    }

    /// The distinct regions of the organisations, sorted by name.
    pub fn regions(&self) -> &[Arc<str>] {
        &self.facts.regions
    }

    /// The index in [`Roster::regions`] of the region of the organisation at `index`.
    ///
    /// # Panics
    ///
    /// When `index` is not below [`Roster::len`].
    pub fn region_of(&self, index: usize) -> usize {
        self.facts.region_of[index] as usize
    }

    /// Whether the organisation at `index` is in the grassroots class.
    ///
    /// # Panics
    ///
    /// When `index` is not below [`Roster::len`].
    pub fn in_class(&self, index: usize) -> bool {
        self.in_class[index]
    }

    /// Whether the organisation at `index` is migrant-led: as given, or as set since.
    ///
    /// # Panics
    ///
    /// When `index` is not below [`Roster::len`].
    pub fn migrant_led(&self, index: usize) -> bool {
        self.migrant_led[index]
    }

    /// The value in `category` of the organisation at `index`, with its migrant-led flag and
    /// grassroots class as they stand ([`Category::value_of`] reads the organisation as
    /// given).
    ///
    /// # Panics
    ///
    /// When `index` is not below [`Roster::len`].
    pub fn value_of(&self, category: &Category, index: usize) -> Cow<'_, str> {
        match category {
            Category::MigrantLed => Cow::Borrowed(if self.migrant_led[index] {
                "true"
            } else {
                "false"
            }),
            _ => category.value_of(&self.facts.organisations[index], self.in_class[index]),
        }
    }

    /// Sets whether the organisation at `index` is migrant-led, and re-evaluates its
    /// grassroots class in place: a simulator that draws migrant-led flags for each run of a
    /// generated population updates one roster instead of building a new one. The
    /// organisations as given ([`Roster::organisations`]) are not changed, so every clone
    /// still shares them.
    ///
    /// # Panics
    ///
    /// When `index` is not below [`Roster::len`].
    pub fn set_migrant_led(&mut self, index: usize, migrant_led: bool) {
        self.migrant_led[index] = migrant_led;
        let kind = self.facts.organisations[index].kind;
        self.in_class[index] =
            self.class.kinds.contains(&kind) || (self.class.migrant_led && migrant_led);
    }

    /// The grassroots class the roster was checked with.
    pub fn grassroots_class(&self) -> &GrassrootsClass {
        &self.class
    }

    /// The values of each of `categories` over the organisations, built on the first call for
    /// a category (those missing built together: [`CategoryValues::build`]) and kept: each
    /// session of a process then reads one id per requester.
    pub(crate) fn values<const N: usize>(
        &self,
        categories: [&Category; N],
    ) -> [Arc<CategoryValues>; N] {
        let held = |cache: &[Arc<CategoryValues>], category: &Category| {
            cache
                .iter()
                .find(|values| values.category() == category)
                .cloned()
        };
        let cache = &self.values.0;
        let found = {
            let cache = cache.read().unwrap_or_else(PoisonError::into_inner);
            categories.map(|category| held(&cache, category))
        };
        let mut missing: Vec<&Category> = Vec::new();
        for (&category, found) in categories.iter().zip(&found) {
            if found.is_none() && !missing.contains(&category) {
                missing.push(category);
            }
        }
        if missing.is_empty() {
            return found.map(|values| values.expect("every category found"));
        }
        // Built outside the lock: readers of other categories need not wait for it.
        let built = CategoryValues::build(&missing, self);
        let mut cache = cache.write().unwrap_or_else(PoisonError::into_inner);
        let built: Vec<Arc<CategoryValues>> = built
            .into_iter()
            .map(|values| {
                // Another clone's thread may have built it meanwhile: keep one.
                held(&cache, values.category()).unwrap_or_else(|| {
                    let values = Arc::new(values);
                    if cache.len() < MAX_CACHED_CATEGORIES {
                        cache.push(values.clone());
                    }
                    values
                })
            })
            .collect();
        drop(cache);
        std::array::from_fn(|i| {
            found[i].clone().unwrap_or_else(|| {
                held(&built, categories[i]).expect("every missing category built")
            })
        })
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
            // A record that spoke says when; one that never spoke says nothing.
            if (entry.slots > 0) != entry.last_session.is_some() {
                return Err(Error::invalid(
                    format!("[{i}].last_session"),
                    entry
                        .last_session
                        .map_or("absent".to_string(), |s| s.to_string()),
                    format!(
                        "does not fit {} slots (a session index when slots ≥ 1, none when 0)",
                        entry.slots
                    ),
                ));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn check(ids: &[&str], regions: &[&str]) -> Result<Roster> {
        let organisations = ids
            .iter()
            .zip(regions)
            .map(|(&id, &region)| Organisation::new(id, region, Kind::Grassroots))
            .collect();
        Roster::new(organisations, GrassrootsClass::default())
    }

    #[test]
    fn the_first_error_in_list_order_is_reported() {
        let message = |ids: &[&str], regions: &[&str]| check(ids, regions).unwrap_err().to_string();
        assert_eq!(
            message(&["a", "a", ""], &["x", "x", "x"]),
            r#"organisations[1].id: duplicate organisation id "a""#
        );
        assert_eq!(
            message(&["a", "", "a"], &["x", "x", "x"]),
            r#"organisations[1].id: "" is empty"#
        );
        assert_eq!(
            message(&["a", "b", "a"], &["x", "", "x"]),
            r#"organisations[1].region: "" is empty"#
        );
        assert_eq!(
            message(&["a", "b", "b", "a"], &["x", "x", "x", "x"]),
            r#"organisations[2].id: duplicate organisation id "b""#
        );
        // At one position, an empty field comes before a repeated id.
        assert_eq!(
            message(&["a", "b", "a"], &["x", "x", ""]),
            r#"organisations[2].region: "" is empty"#
        );
    }

    #[test]
    fn in_class_is_the_class_rule() {
        let organisations: Vec<Organisation> = Kind::ALL
            .iter()
            .flat_map(|&kind| {
                [false, true].map(|led| {
                    Organisation::new(format!("{kind}-{led}"), "x", kind).migrant_led(led)
                })
            })
            .collect();
        let classes = [
            GrassrootsClass::default(),
            GrassrootsClass {
                kinds: vec![Kind::Diaspora, Kind::FaithBased],
                migrant_led: false,
            },
            GrassrootsClass {
                kinds: vec![],
                migrant_led: true,
            },
        ];
        for class in classes {
            let roster = Roster::new(organisations.clone(), class.clone()).unwrap();
            for (i, org) in organisations.iter().enumerate() {
                assert_eq!(roster.in_class(i), class.contains(org), "{}", org.id);
            }
        }
    }

    #[test]
    fn regions_are_sorted_by_name_and_ids_found() {
        let ids: Vec<String> = (0..3000).map(|i| format!("org-{i}")).collect();
        let regions = ["mena", "africa", "pacific", "asia"];
        let organisations = ids
            .iter()
            .enumerate()
            .map(|(i, id)| Organisation::new(id, regions[i % 4], Kind::Other))
            .collect();
        let roster = Roster::new(organisations, GrassrootsClass::default()).unwrap();
        let names: Vec<&str> = roster.regions().iter().map(|r| &**r).collect();
        assert_eq!(names, ["africa", "asia", "mena", "pacific"]);
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(roster.index_of(id), Some(i));
            assert_eq!(roster.id(i), id);
            assert_eq!(&*roster.regions()[roster.region_of(i)], regions[i % 4]);
        }
        assert_eq!(roster.index_of("org-3000"), None);
        assert_eq!(roster.index_of(""), None);
    }

    /// A clone shares the organisations (a population of millions is held once) and keeps
    /// its own flags: setting one changes the class and the category values of that clone
    /// only, never the organisations as given.
    #[test]
    fn a_clone_shares_the_organisations_and_keeps_its_own_flags() {
        let roster = Roster::new(
            vec![
                Organisation::new("a", "asia", Kind::Diaspora),
                Organisation::new("b", "asia", Kind::Grassroots).migrant_led(true),
            ],
            GrassrootsClass::default(),
        )
        .unwrap();
        let mut clone = roster.clone();
        assert!(std::ptr::eq(roster.organisations(), clone.organisations()));
        clone.set_migrant_led(0, true);
        clone.set_migrant_led(1, false);
        assert!(clone.migrant_led(0) && clone.in_class(0));
        assert_eq!(clone.value_of(&Category::MigrantLed, 0), "true");
        assert_eq!(clone.value_of(&Category::Class, 0), "grassroots");
        // `b` stays in the class by its kind.
        assert!(!clone.migrant_led(1) && clone.in_class(1));
        assert!(!roster.migrant_led(0) && !roster.in_class(0));
        assert_eq!(roster.value_of(&Category::MigrantLed, 0), "false");
        assert!(!clone.organisations()[0].migrant_led);
        assert_eq!(clone.value_of(&Category::Kind, 0), "diaspora");
    }
}
