//! Categories: the one way to name a grouping of organisations, used by every policy, stage
//! and metric that groups them.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::index::KeyIndex;
use super::{Kind, Organisation, Roster};
use crate::{Error, ErrorKind, Result};

/// A way of grouping organisations, written as a string wherever a policy, a stage or a metric
/// groups them: `region`, `kind`, `class` (values `grassroots` and `other`, by the grassroots
/// class), `migrant_led` (`true`/`false`), `country`, or `tag:KEY` (the value of tag KEY). An
/// organisation without a country or without the tag has the value `""` in that category, an
/// ordinary value.
///
/// # Example
///
/// ```
/// use floorshare::model::{Category, Kind, Organisation};
///
/// let category: Category = "tag:constituency".parse()?;
/// let mut org = Organisation::new("o1", "pacific", Kind::Grassroots);
/// org.tags.insert("constituency".into(), "women_and_gender".into());
/// assert_eq!(category.value_of(&org, true), "women_and_gender");
/// assert_eq!(Category::Class.value_of(&org, true), "grassroots");
/// assert_eq!(Category::Country.value_of(&org, true), "");
///
/// let err = "gender".parse::<Category>().unwrap_err();
/// assert_eq!(err.to_string(), r#"category: unknown category "gender" (region, kind, class, migrant_led, country or tag:KEY)"#);
/// # Ok::<(), floorshare::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Category {
    /// The organisation's region.
    Region,
    /// Its kind (`grassroots`, `international_ngo`, …).
    Kind,
    /// `grassroots` when in the grassroots class, else `other`.
    Class,
    /// `true` when migrant-led, else `false`.
    MigrantLed,
    /// Its country (`""` when not given).
    Country,
    /// The value of one of its tags (`""` when it has not that tag).
    Tag(String),
}

impl Category {
    /// The organisation's value in this category; `in_class` says whether it is in the
    /// grassroots class (a roster knows: [`Roster::in_class`](super::Roster::in_class)).
    pub fn value_of<'a>(&self, organisation: &'a Organisation, in_class: bool) -> Cow<'a, str> {
        match self {
            Category::Region => Cow::Borrowed(&organisation.region),
            Category::Kind => Cow::Borrowed(organisation.kind.name()),
            Category::Class => Cow::Borrowed(if in_class { "grassroots" } else { "other" }),
            Category::MigrantLed => Cow::Borrowed(if organisation.migrant_led {
                "true"
            } else {
                "false"
            }),
            Category::Country => Cow::Borrowed(organisation.country.as_deref().unwrap_or("")),
            Category::Tag(key) => {
                Cow::Borrowed(organisation.tags.get(key).map_or("", String::as_str))
            }
        }
    }

    /// The name as written (`region`, `tag:constituency`).
    pub fn name(&self) -> Cow<'_, str> {
        match self {
            Category::Region => "region".into(),
            Category::Kind => "kind".into(),
            Category::Class => "class".into(),
            Category::MigrantLed => "migrant_led".into(),
            Category::Country => "country".into(),
            Category::Tag(key) => format!("tag:{key}").into(),
        }
    }
}

/// Whether an organisation of a roster has one value of a category, resolved once per roster
/// so that testing an organisation reads no string for the region, kind, class and migrant-led
/// categories (a policy tests every requester of a session of 100 000).
#[derive(Debug, Clone, Copy)]
pub(crate) enum ValueMatch {
    /// No organisation of the roster has the value.
    Never,
    /// The region with this index in the roster's regions.
    Region(usize),
    /// The kind.
    Kind(Kind),
    /// In the grassroots class (`true`) or not.
    Class(bool),
    /// Migrant-led (`true`) or not.
    MigrantLed(bool),
    /// Read and compared: country and tags.
    Text,
}

impl ValueMatch {
    /// The test of `category` = `value` for the organisations of `roster`.
    pub(crate) fn new(category: &Category, value: &str, roster: &Roster) -> Self {
        match category {
            Category::Region => roster
                .regions()
                .binary_search_by(|r| (**r).cmp(value))
                .map_or(ValueMatch::Never, ValueMatch::Region),
            Category::Kind => Kind::ALL
                .iter()
                .find(|k| k.name() == value)
                .map_or(ValueMatch::Never, |&k| ValueMatch::Kind(k)),
            Category::Class => match value {
                "grassroots" => ValueMatch::Class(true),
                "other" => ValueMatch::Class(false),
                _ => ValueMatch::Never,
            },
            Category::MigrantLed => match value {
                "true" => ValueMatch::MigrantLed(true),
                "false" => ValueMatch::MigrantLed(false),
                _ => ValueMatch::Never,
            },
            _ => ValueMatch::Text,
        }
    }

    /// Whether the organisation at `index` in `roster` has `value` in `category` (the roster,
    /// category and value given to [`ValueMatch::new`]).
    pub(crate) fn matches(
        self,
        category: &Category,
        value: &str,
        roster: &Roster,
        index: usize,
    ) -> bool {
        match self {
            ValueMatch::Never => false,
            ValueMatch::Region(g) => roster.region_of(index) == g,
            ValueMatch::Kind(kind) => roster.organisations()[index].kind == kind,
            ValueMatch::Class(class) => roster.in_class(index) == class,
            ValueMatch::MigrantLed(m) => roster.migrant_led(index) == m,
            ValueMatch::Text => roster.value_of(category, index) == value,
        }
    }
}

/// A category's values over the organisations of a roster, as compact ids (`0..names.len()`,
/// in order of first appearance): a policy that groups every requester by a category reads one
/// integer per requester instead of its tags, a `BTreeMap` behind a pointer per organisation
/// (a cache miss each at 100 000). Built once per roster and kept by it
/// ([`Roster::values`](super::Roster::values)), so it holds only what no roster method changes.
#[derive(Debug)]
pub(crate) struct CategoryValues {
    category: Category,
    /// The distinct values, the id of each its position.
    names: Vec<Arc<str>>,
    ids: ValueIds,
}

/// Where an organisation's value id comes from.
#[derive(Debug)]
enum ValueIds {
    /// Kind, country and tags: one id per organisation, read once, and the values' index.
    Stored {
        of: Vec<u32>,
        index: KeyIndex,
    },
    /// The roster's region index (names: its regions, sorted).
    Region,
    /// Read from the roster at each use ([`Roster::set_migrant_led`](super::Roster::set_migrant_led)
    /// changes them): id 1 for `grassroots` / `true`, 0 for `other` / `false`.
    Class,
    MigrantLed,
}

/// One stored category's values while they are read: ids given in order of first appearance.
struct Interner {
    names: Vec<Arc<str>>,
    index: KeyIndex,
    of: Vec<u32>,
}

impl Interner {
    fn new(organisations: usize) -> Self {
        Interner {
            names: Vec::new(),
            index: KeyIndex::with_capacity(8),
            of: Vec::with_capacity(organisations),
        }
    }

    /// The next organisation's value.
    fn push(&mut self, value: &str) {
        let names = &mut self.names;
        let hash = self.index.hash(value);
        let id = self
            .index
            .insert(hash, value, |v| &names[v as usize])
            .inspect(|_| names.push(Arc::from(value)))
            .unwrap_or_else(|held| held);
        self.of.push(id);
    }
}

impl CategoryValues {
    /// The values of each of `categories` over the organisations of `roster`, in that order.
    /// The stored ones are read in one pass over the organisations, so that an organisation's
    /// tags are fetched from memory once for all of them rather than once per category.
    pub(crate) fn build(categories: &[&Category], roster: &Roster) -> Vec<Self> {
        let stored = |category: &Category| {
            matches!(
                category,
                Category::Kind | Category::Country | Category::Tag(_)
            )
        };
        let mut interners: Vec<Interner> = categories
            .iter()
            .filter(|c| stored(c))
            .map(|_| Interner::new(roster.len()))
            .collect();
        if !interners.is_empty() {
            for organisation in roster.organisations() {
                let each = categories.iter().filter(|c| stored(c));
                for (category, interner) in each.zip(&mut interners) {
                    // `in_class` only matters to the class, not read here.
                    interner.push(&category.value_of(organisation, false));
                }
            }
        }
        let mut interners = interners.into_iter();
        categories
            .iter()
            .map(|&category| {
                let (names, ids) = match category {
                    Category::Region => (roster.regions().to_vec(), ValueIds::Region),
                    Category::Class => (vec!["other".into(), "grassroots".into()], ValueIds::Class),
                    Category::MigrantLed => {
                        (vec!["false".into(), "true".into()], ValueIds::MigrantLed)
                    }
                    Category::Kind | Category::Country | Category::Tag(_) => {
                        let Interner { names, index, of } =
                            interners.next().expect("one interner per stored category");
                        (names, ValueIds::Stored { of, index })
                    }
                };
                CategoryValues {
                    category: category.clone(),
                    names,
                    ids,
                }
            })
            .collect()
    }

    /// The category.
    pub(crate) fn category(&self) -> &Category {
        &self.category
    }

    /// The distinct values; an id is a position here.
    pub(crate) fn names(&self) -> &[Arc<str>] {
        &self.names
    }

    /// The id of the value of the organisation at `index` in `roster` (the roster these values
    /// were built from, or a clone of it).
    #[inline]
    pub(crate) fn id(&self, roster: &Roster, index: usize) -> u32 {
        match &self.ids {
            ValueIds::Stored { of, .. } => of[index],
            ValueIds::Region => roster.region_of(index) as u32,
            ValueIds::Class => u32::from(roster.in_class(index)),
            ValueIds::MigrantLed => u32::from(roster.migrant_led(index)),
        }
    }

    /// Every organisation's value id, for the categories whose ids are stored (kind, country,
    /// tags); `None` for the others (see [`CategoryValues::id`]).
    pub(crate) fn stored(&self) -> Option<&[u32]> {
        match &self.ids {
            ValueIds::Stored { of, .. } => Some(of),
            _ => None,
        }
    }

    /// The id of `value`, or `None` when no organisation has it.
    pub(crate) fn find(&self, value: &str) -> Option<u32> {
        match &self.ids {
            ValueIds::Stored { index, .. } => {
                index.get(index.hash(value), value, |v| &self.names[v as usize])
            }
            _ => self
                .names
                .iter()
                .position(|name| **name == *value)
                .map(|v| v as u32),
        }
    }
}

impl FromStr for Category {
    type Err = Error;

    /// # Errors
    ///
    /// [`ErrorKind::UnknownName`] naming `category` for any other name, or `tag:` without a
    /// key.
    fn from_str(name: &str) -> Result<Self> {
        Ok(match name {
            "region" => Category::Region,
            "kind" => Category::Kind,
            "class" => Category::Class,
            "migrant_led" => Category::MigrantLed,
            "country" => Category::Country,
            _ => match name.strip_prefix("tag:") {
                Some(key) if !key.is_empty() => Category::Tag(key.to_string()),
                _ => {
                    return Err(Error::invalid_as(
                        ErrorKind::UnknownName,
                        "category",
                        format_args!("unknown category {name:?}"),
                        "(region, kind, class, migrant_led, country or tag:KEY)",
                    ));
                }
            },
        })
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.name())
    }
}

impl Serialize for Category {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.name())
    }
}

impl<'de> Deserialize<'de> for Category {
    /// From its name; an unknown name is an error quoting it.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        name.parse().map_err(|_| {
            serde::de::Error::custom(format_args!(
                "unknown category {name:?} (region, kind, class, migrant_led, country or tag:KEY)"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;

    #[test]
    fn names_round_trip_and_values_default_to_empty() {
        for name in [
            "region",
            "kind",
            "class",
            "migrant_led",
            "country",
            "tag:group",
        ] {
            let category: Category = name.parse().unwrap();
            assert_eq!(category.name(), name);
            let json = serde_json::to_string(&category).unwrap();
            assert_eq!(serde_json::from_str::<Category>(&json).unwrap(), category);
        }
        let org = Organisation::new("o", "asia", Kind::TradeUnion).migrant_led(true);
        assert_eq!(Category::Kind.value_of(&org, false), "trade_union");
        assert_eq!(Category::MigrantLed.value_of(&org, false), "true");
        assert_eq!(Category::Class.value_of(&org, false), "other");
        assert_eq!(Category::Tag("x".into()).value_of(&org, false), "");
        let err = "tag:".parse::<Category>().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnknownName);
        assert_eq!(err.field(), "category");
        let err = serde_json::from_str::<Category>("\"colour\"").unwrap_err();
        assert!(
            err.to_string().contains("unknown category \"colour\""),
            "{err}"
        );
    }

    #[test]
    fn roster_values_are_the_values_of_each_organisation() {
        use crate::model::GrassrootsClass;

        let organisations: Vec<Organisation> = (0..40)
            .map(|i| {
                let kind = Kind::ALL[i % Kind::ALL.len()];
                let mut o = Organisation::new(format!("o{i}"), ["b", "a", "c"][i % 3], kind)
                    .migrant_led(i % 4 == 0);
                if i % 5 != 0 {
                    o.tags.insert("group".into(), format!("g{}", i % 7));
                }
                if i % 2 == 0 {
                    o.country = Some(["fr", "ke"][i % 4 / 2].into());
                }
                o
            })
            .collect();
        let mut roster = Roster::new(organisations, GrassrootsClass::default()).unwrap();
        let categories: Vec<Category> = [
            "tag:group",
            "region",
            "kind",
            "class",
            "migrant_led",
            "country",
        ]
        .iter()
        .map(|name| name.parse().unwrap())
        .chain((0..20).map(|i| Category::Tag(format!("t{i}"))))
        .collect();
        let agree = |roster: &Roster| {
            // Past the roster's cache too: 26 categories.
            for category in &categories {
                let [values] = roster.values([category]);
                assert_eq!(values.category(), category);
                for i in 0..roster.len() {
                    let value = roster.value_of(category, i);
                    let id = values.id(roster, i);
                    assert_eq!(*values.names()[id as usize], *value, "{category} of o{i}");
                    assert_eq!(values.find(&value), Some(id));
                    if let Some(ids) = values.stored() {
                        assert_eq!(ids[i], id);
                    }
                }
                assert_eq!(values.find("nobody's"), None);
            }
        };
        // Several at once, built together (a category twice, one held already), as one by one.
        let fresh =
            Roster::new(roster.organisations().to_vec(), GrassrootsClass::default()).unwrap();
        let [region] = fresh.values([&categories[1]]);
        let together = fresh.values([
            &categories[0],
            &categories[1],
            &categories[7],
            &categories[0],
            &categories[4],
        ]);
        assert!(Arc::ptr_eq(&together[1], &region));
        assert!(Arc::ptr_eq(&together[0], &together[3]));
        for (values, category) in together.iter().zip([0, 1, 7, 0, 4]) {
            assert_eq!(values.category(), &categories[category]);
            assert_eq!(
                values.names(),
                roster.values([&categories[category]])[0].names()
            );
        }
        agree(&fresh);
        agree(&roster);
        // Built once, kept (the first 16 categories), and shared by clones.
        let group = Category::Tag("group".into());
        let clone = roster.clone();
        assert!(Arc::ptr_eq(
            &roster.values([&group])[0],
            &clone.values([&group])[0]
        ));
        // The class and the migrant-led flag follow the roster after the values were built.
        for i in 0..roster.len() {
            roster.set_migrant_led(i, i % 3 == 0);
        }
        agree(&roster);
    }
}
