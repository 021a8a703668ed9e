//! What the JSON reader builds from a document: the session's parts read straight into their
//! typed form, with the requests kept compact and their strings interned (one shared string
//! per distinct organisation id and theme, however many requests name it).

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Arc;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::checked::RequestSource;
use super::{CheckedSession, GrassrootsClass, HistoryEntry, Organisation, Roster, Session};
use crate::{Error, Result};

/// Distinct strings, each kept once as an [`Arc<str>`] and numbered in order of first
/// appearance.
#[derive(Debug, Default)]
pub(crate) struct Interner {
    strings: Vec<Arc<str>>,
    index: HashMap<Arc<str>, u32>,
}

impl Interner {
    /// The number of `text`, interning it when new.
    pub(crate) fn intern(&mut self, text: &str) -> u32 {
        if let Some(&id) = self.index.get(text) {
            return id;
        }
        let shared: Arc<str> = Arc::from(text);
        let id = self.strings.len() as u32;
        self.strings.push(shared.clone());
        self.index.insert(shared, id);
        id
    }

    /// The string numbered `id`.
    pub(crate) fn get(&self, id: u32) -> &Arc<str> {
        &self.strings[id as usize]
    }
}

/// No theme, in [`Compact::theme`].
const NO_THEME: u32 = u32::MAX;

/// One request as read: interned organisation id and theme, the minutes asked for. Explicit
/// orders and co-signatories, which few requests give, are kept aside.
#[derive(Debug, Clone, Copy)]
struct Compact {
    organisation: u32,
    theme: u32,
    minutes: Option<u32>,
}

/// The `requests` of a document as the reader keeps them: 16 bytes per request plus the
/// distinct strings, instead of a [`Request`](super::Request) with its own strings each.
#[derive(Debug, Default)]
pub(crate) struct ParsedRequests {
    strings: Interner,
    requests: Vec<Compact>,
    /// `(request, order)` for the requests that give an order, by request.
    orders: Vec<(u32, u64)>,
    /// `(request, start, end)`: request's co-signatories are `cosigners[start..end]`.
    cosigned: Vec<(u32, u32, u32)>,
    cosigners: Vec<u32>,
}

impl ParsedRequests {
    /// The shared string of request `i`'s theme, if it has one (the one [`CheckedSession`]
    /// keeps too).
    pub(crate) fn theme_arc(&self, i: usize) -> Option<&Arc<str>> {
        let theme = self.requests[i].theme;
        (theme != NO_THEME).then(|| self.strings.get(theme))
    }
}

impl RequestSource for ParsedRequests {
    fn len(&self) -> usize {
        self.requests.len()
    }
    fn organisation(&self, i: usize) -> &str {
        self.strings.get(self.requests[i].organisation)
    }
    fn minutes(&self, i: usize) -> Option<u32> {
        self.requests[i].minutes
    }
    fn order(&self, i: usize) -> Option<u64> {
        let i = i as u32;
        self.orders
            .binary_search_by_key(&i, |&(r, _)| r)
            .ok()
            .map(|at| self.orders[at].1)
    }
    fn theme(&self, i: usize) -> Option<&str> {
        self.theme_arc(i).map(|theme| &**theme)
    }
    fn shared_theme(&self, i: usize, name: &str) -> Arc<str> {
        self.theme_arc(i)
            .cloned()
            .unwrap_or_else(|| Arc::from(name))
    }
    fn on_behalf_of(&self, i: usize) -> impl Iterator<Item = &str> {
        let i = i as u32;
        let range = match self.cosigned.binary_search_by_key(&i, |&(r, _, _)| r) {
            Ok(at) => self.cosigned[at].1 as usize..self.cosigned[at].2 as usize,
            Err(_) => 0..0,
        };
        self.cosigners[range]
            .iter()
            .map(|&id| &**self.strings.get(id))
    }
}

/// The session's parts of a document (everything but `policy` and `seed`), read but not
/// checked.
#[derive(Debug, Default)]
pub(crate) struct SessionParts {
    /// `session`, required.
    pub(crate) session: Option<Session>,
    /// `organisations`, required.
    pub(crate) organisations: Option<Vec<Organisation>>,
    /// `requests`.
    pub(crate) requests: ParsedRequests,
    /// `history`.
    pub(crate) history: Vec<HistoryEntry>,
    /// `grassroots_class`.
    pub(crate) grassroots_class: GrassrootsClass,
}

impl SessionParts {
    /// Checks the parts into a session, as [`SessionInput::check`](super::SessionInput::check)
    /// does.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::MissingField`](crate::ErrorKind::MissingField) naming `input` when
    /// `session` or `organisations` is absent; then the errors of `SessionInput::check`.
    pub(crate) fn check(self) -> Result<CheckedSession> {
        let missing = |field: &str| Error::json("input", format!("missing field `{field}`"));
        let session = self.session.ok_or_else(|| missing("session"))?;
        let organisations = self.organisations.ok_or_else(|| missing("organisations"))?;
        check_parts(
            session,
            organisations,
            self.grassroots_class,
            &self.history,
            &self.requests,
        )
    }
}

/// The checks of [`SessionInput::check`](super::SessionInput::check), on any list of requests.
pub(crate) fn check_parts(
    session: Session,
    organisations: Vec<Organisation>,
    class: GrassrootsClass,
    history: &[HistoryEntry],
    requests: &(impl RequestSource + ?Sized),
) -> Result<CheckedSession> {
    let roster = Roster::new(organisations, class)?;
    let checked_history = roster.history(history).map_err(|e| e.within("history"))?;
    if let Some(index) = session.index {
        for (i, entry) in history.iter().enumerate() {
            if let Some(last) = entry.last_session.filter(|&last| last >= index) {
                return Err(Error::invalid(
                    format!("history[{i}].last_session"),
                    last,
                    format!("is not before the session's index {index}"),
                ));
            }
        }
    }
    CheckedSession::from_source(
        Arc::new(session),
        Arc::new(roster),
        requests,
        checked_history,
    )
}

/// A key of an object whose keys are `fields`: its position in `fields`, or an error, raised
/// while the key is read so that the error's path ends with the key: an unknown key (serde's
/// "unknown field" message) or one already seen (serde's "duplicate field").
pub(crate) struct FieldKey<'a> {
    /// The allowed keys.
    pub(crate) fields: &'static [&'static str],
    /// One bit per field already seen.
    pub(crate) seen: &'a mut u64,
}

impl<'de> DeserializeSeed<'de> for FieldKey<'_> {
    type Value = usize;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for FieldKey<'_> {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("field identifier")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<usize, E> {
        let Some(at) = self.fields.iter().position(|&f| f == key) else {
            return Err(E::unknown_field(key, self.fields));
        };
        if *self.seen & (1 << at) != 0 {
            return Err(E::duplicate_field(self.fields[at]));
        }
        *self.seen |= 1 << at;
        Ok(at)
    }
}

/// A string, interned.
struct Interned<'a>(&'a mut Interner);

impl<'de> DeserializeSeed<'de> for Interned<'_> {
    type Value = u32;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<u32, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Interned<'_> {
    type Value = u32;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<u32, E> {
        Ok(self.0.intern(text))
    }
}

/// An optional string (absent or `null`: none), interned.
struct OptionalInterned<'a>(&'a mut Interner);

impl<'de> DeserializeSeed<'de> for OptionalInterned<'_> {
    type Value = Option<u32>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<u32>, D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for OptionalInterned<'_> {
    type Value = Option<u32>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("option")
    }

    fn visit_none<E: de::Error>(self) -> Result<Option<u32>, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<u32>, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<u32>, D::Error> {
        Interned(self.0).deserialize(deserializer).map(Some)
    }
}

/// A list of strings, interned, appended to a list.
struct InternedList<'a> {
    strings: &'a mut Interner,
    into: &'a mut Vec<u32>,
}

impl<'de> DeserializeSeed<'de> for InternedList<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for InternedList<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a sequence")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(id) = seq.next_element_seed(Interned(self.strings))? {
            self.into.push(id);
        }
        Ok(())
    }
}

/// The `requests` list, read into a [`ParsedRequests`], refused past `limit` requests.
pub(crate) struct RequestsSeed<'a> {
    /// Where the requests go.
    pub(crate) into: &'a mut ParsedRequests,
    /// The most requests allowed.
    pub(crate) limit: usize,
    /// Set when the list has more than `limit` requests (the error is then the reader's own).
    pub(crate) too_many: &'a mut bool,
}

impl<'de> DeserializeSeed<'de> for RequestsSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for RequestsSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a sequence")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        loop {
            if self.into.requests.len() == self.limit {
                // One more request is one too many; the end of the list is not.
                if seq.next_element::<de::IgnoredAny>()?.is_none() {
                    return Ok(());
                }
                *self.too_many = true;
                return Err(de::Error::custom(format_args!(
                    "more than {} requests",
                    self.limit
                )));
            }
            if seq.next_element_seed(RequestSeed(self.into))?.is_none() {
                return Ok(());
            }
        }
    }
}

/// One request, appended to a [`ParsedRequests`].
struct RequestSeed<'a>(&'a mut ParsedRequests);

/// The fields of a request, as [`Request`](super::Request) names them.
const REQUEST_FIELDS: &[&str] = &["organisation", "minutes", "theme", "order", "on_behalf_of"];

impl<'de> DeserializeSeed<'de> for RequestSeed<'_> {
    type Value = Option<()>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<()>, D::Error> {
        deserializer.deserialize_struct("Request", REQUEST_FIELDS, self)
    }
}

impl<'de> Visitor<'de> for RequestSeed<'_> {
    type Value = Option<()>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("struct Request")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<()>, A::Error> {
        let parsed = self.0;
        let index = parsed.requests.len() as u32;
        let mut seen = 0;
        let mut organisation = None;
        let mut theme = NO_THEME;
        let mut minutes = None;
        let cosigners_start = parsed.cosigners.len() as u32;
        while let Some(key) = map.next_key_seed(FieldKey {
            fields: REQUEST_FIELDS,
            seen: &mut seen,
        })? {
            match key {
                0 => organisation = Some(map.next_value_seed(Interned(&mut parsed.strings))?),
                1 => minutes = map.next_value::<Option<u32>>()?,
                2 => {
                    theme = map
                        .next_value_seed(OptionalInterned(&mut parsed.strings))?
                        .unwrap_or(NO_THEME)
                }
                3 => {
                    if let Some(order) = map.next_value::<Option<u64>>()? {
                        parsed.orders.push((index, order));
                    }
                }
                _ => map.next_value_seed(InternedList {
                    strings: &mut parsed.strings,
                    into: &mut parsed.cosigners,
                })?,
            }
        }
        let organisation = organisation.ok_or_else(|| de::Error::missing_field("organisation"))?;
        let cosigners_end = parsed.cosigners.len() as u32;
        if cosigners_end > cosigners_start {
            parsed
                .cosigned
                .push((index, cosigners_start, cosigners_end));
        }
        parsed.requests.push(Compact {
            organisation,
            theme,
            minutes,
        });
        Ok(Some(()))
    }
}

/// Deserialises a map whose keys must be distinct: a key given twice is an error naming it
/// (`duplicate key `gender``), with the key in the error's path; serde's own maps keep the
/// last value silently.
pub(crate) fn unique_keys<'de, D, K, V>(deserializer: D) -> Result<BTreeMap<K, V>, D::Error>
where
    D: Deserializer<'de>,
    K: Deserialize<'de> + Ord + fmt::Display,
    V: Deserialize<'de>,
{
    struct MapVisitor<K, V>(std::marker::PhantomData<(K, V)>);
    struct Key<'a, K, V>(&'a BTreeMap<K, V>);

    impl<'de, K, V> DeserializeSeed<'de> for Key<'_, K, V>
    where
        K: Deserialize<'de> + Ord + fmt::Display,
    {
        type Value = K;

        fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<K, D::Error> {
            let key = K::deserialize(deserializer)?;
            if self.0.contains_key(&key) {
                return Err(de::Error::custom(format_args!("duplicate key `{key}`")));
            }
            Ok(key)
        }
    }

    impl<'de, K, V> Visitor<'de> for MapVisitor<K, V>
    where
        K: Deserialize<'de> + Ord + fmt::Display,
        V: Deserialize<'de>,
    {
        type Value = BTreeMap<K, V>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a map")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
            let mut map = BTreeMap::new();
            while let Some(key) = access.next_key_seed(Key(&map))? {
                let value = access.next_value()?;
                map.insert(key, value);
            }
            Ok(map)
        }
    }

    deserializer.deserialize_map(MapVisitor(std::marker::PhantomData))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> ParsedRequests {
        let mut parsed = ParsedRequests::default();
        let mut too_many = false;
        let mut deserializer = serde_json::Deserializer::from_str(json);
        RequestsSeed {
            into: &mut parsed,
            limit: 3,
            too_many: &mut too_many,
        }
        .deserialize(&mut deserializer)
        .unwrap();
        parsed
    }

    #[test]
    fn requests_share_one_string_per_theme_and_id_with_the_checked_session() {
        let parsed = read(
            r#"[{"organisation": "a", "theme": "climate"}, {"organisation": "b"},
                {"organisation": "a", "theme": "climate", "order": 0}]"#,
        );
        let (first, last) = (parsed.theme_arc(0).unwrap(), parsed.theme_arc(2).unwrap());
        assert!(Arc::ptr_eq(first, last));
        assert_eq!(
            parsed.requests[0].organisation,
            parsed.requests[2].organisation
        );
        assert_eq!(parsed.order(2), Some(0));
        assert_eq!(parsed.order(1), None);
        let organisations = ["a", "b"]
            .map(|id| Organisation::new(id, "r", super::super::Kind::Other))
            .to_vec();
        let theme = parsed.theme_arc(0).unwrap().clone();
        let checked = check_parts(
            Session::new("s", 1),
            organisations,
            GrassrootsClass::default(),
            &[],
            &parsed,
        )
        .unwrap();
        assert!(Arc::ptr_eq(&checked.themes()[0], &theme));
        assert_eq!(checked.inscription_order(), [0, 2, 1]);
    }

    #[test]
    fn the_limit_is_exact() {
        assert_eq!(
            read(
                "[{\"organisation\": \"a\"}, {\"organisation\": \"a\"}, {\"organisation\": \"a\"}]"
            )
            .len(),
            3
        );
        let mut parsed = ParsedRequests::default();
        let mut too_many = false;
        let json = r#"[{"organisation": "a"}, {"organisation": "a"}, {"organisation": "a"}, 1"#;
        let err = RequestsSeed {
            into: &mut parsed,
            limit: 3,
            too_many: &mut too_many,
        }
        .deserialize(&mut serde_json::Deserializer::from_str(json));
        assert!(err.is_err() && too_many);
    }
}
