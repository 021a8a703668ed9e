//! Organisations that ask to speak, their kinds, and the grassroots class.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What sort of organisation asks to speak. The JSON names are the snake_case
/// variant names (`international_ngo`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A community-based, usually volunteer organisation working where migrants live.
    Grassroots,
    /// A non-governmental organisation working in one country.
    NationalNgo,
    /// An international NGO, typically with offices in New York or Geneva.
    InternationalNgo,
    /// A trade union or workers' federation.
    TradeUnion,
    /// A university or research institute.
    Academia,
    /// A business or business association.
    PrivateSector,
    /// A city or other local government.
    LocalAuthority,
    /// A faith-based organisation.
    FaithBased,
    /// A diaspora organisation.
    Diaspora,
    /// Anything else.
    Other,
}

impl Kind {
    /// Every kind, in declaration order (the order used wherever kinds are listed).
    pub const ALL: [Kind; 10] = [
        Kind::Grassroots,
        Kind::NationalNgo,
        Kind::InternationalNgo,
        Kind::TradeUnion,
        Kind::Academia,
        Kind::PrivateSector,
        Kind::LocalAuthority,
        Kind::FaithBased,
        Kind::Diaspora,
        Kind::Other,
    ];

    /// The JSON name of the kind (`international_ngo`).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Grassroots => "grassroots",
            Kind::NationalNgo => "national_ngo",
            Kind::InternationalNgo => "international_ngo",
            Kind::TradeUnion => "trade_union",
            Kind::Academia => "academia",
            Kind::PrivateSector => "private_sector",
            Kind::LocalAuthority => "local_authority",
            Kind::FaithBased => "faith_based",
            Kind::Diaspora => "diaspora",
            Kind::Other => "other",
        }
    }

    /// The kind's position in [`Kind::ALL`], for per-kind tables.
    pub fn index(self) -> usize {
        self as usize
    }
}

impl std::fmt::Display for Kind {
    /// The JSON name, honouring width and alignment (`{:<18}`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.name())
    }
}

/// The seven regions of the 2017 GCM regional civil-society consultations (Asia, MENA, Africa,
/// North America, Europe, Latin America, Pacific), in name order: a preset, since regions are
/// free strings and other bodies use other schemes.
pub const GCM_REGIONS: [&str; 7] = [
    "africa",
    "asia",
    "europe",
    "latin_america",
    "mena",
    "north_america",
    "pacific",
];

/// An organisation that may ask for the floor: a unique id, a region (a free string), a kind
/// and, optionally, a name, a country and custom tags.
///
/// # Example
///
/// ```
/// use floorshare::model::{Kind, Organisation};
///
/// let org = Organisation::new("o1", "pacific", Kind::Grassroots).migrant_led(true);
/// assert_eq!(org.region, "pacific");
/// let json = serde_json::to_string(&org)?;
/// assert_eq!(json, r#"{"id":"o1","region":"pacific","kind":"grassroots","migrant_led":true}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organisation {
    /// Unique id within a session's organisation list.
    pub id: String,
    /// Human-readable name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Region, a free string (the seven GCM regions are a preset; other bodies use others).
    pub region: String,
    /// What sort of organisation it is.
    pub kind: Kind,
    /// Whether migrants lead it.
    #[serde(default)]
    pub migrant_led: bool,
    /// Country, free string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Custom categories (speaker gender, constituency, …), name → value.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "super::parsed::unique_keys"
    )]
    pub tags: BTreeMap<String, String>,
}

impl Organisation {
    /// An organisation with the given id, region and kind, not migrant-led, with no name,
    /// country or tags.
    pub fn new(id: impl Into<String>, region: impl Into<String>, kind: Kind) -> Self {
        Organisation {
            id: id.into(),
            name: None,
            region: region.into(),
            kind,
            migrant_led: false,
            country: None,
            tags: BTreeMap::new(),
        }
    }

    /// The same organisation, marked migrant-led or not.
    pub fn migrant_led(mut self, migrant_led: bool) -> Self {
        self.migrant_led = migrant_led;
        self
    }

    /// The same organisation with a name.
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
}

/// Who counts as "grassroots" for grassroots priority and for the metrics: an
/// organisation is in the class when its kind is one of `kinds`, or when `migrant_led` is true
/// and the organisation is migrant-led. Default: `{"kinds": ["grassroots"], "migrant_led": true}`;
/// each field defaults on its own.
///
/// # Example
///
/// ```
/// use floorshare::model::{GrassrootsClass, Kind, Organisation};
///
/// let class = GrassrootsClass::default();
/// assert!(class.contains(&Organisation::new("a", "asia", Kind::Grassroots)));
/// assert!(class.contains(&Organisation::new("b", "asia", Kind::Diaspora).migrant_led(true)));
/// assert!(!class.contains(&Organisation::new("c", "europe", Kind::InternationalNgo)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrassrootsClass {
    /// Kinds that belong to the class.
    #[serde(default = "GrassrootsClass::default_kinds")]
    pub kinds: Vec<Kind>,
    /// Whether every migrant-led organisation belongs to the class, whatever its kind.
    #[serde(default = "GrassrootsClass::default_migrant_led")]
    pub migrant_led: bool,
}

impl GrassrootsClass {
    fn default_kinds() -> Vec<Kind> {
        vec![Kind::Grassroots]
    }

    fn default_migrant_led() -> bool {
        true
    }

    /// Whether `organisation` belongs to the class.
    pub fn contains(&self, organisation: &Organisation) -> bool {
        self.kinds.contains(&organisation.kind) || (self.migrant_led && organisation.migrant_led)
    }
}

impl Default for GrassrootsClass {
    fn default() -> Self {
        GrassrootsClass {
            kinds: Self::default_kinds(),
            migrant_led: Self::default_migrant_led(),
        }
    }
}
