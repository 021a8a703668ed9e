//! One thematic session of the 2017 GCM consultations, allocated under the three mission
//! policies: who got the floor, where in the session, and why.
//!
//! ```text
//! cargo run --release --example gcm_2017_session
//! ```
//!
//! The session is thematic session 2 (New York, 22–23 May 2017: drivers of migration,
//! including adverse effects of climate change). The organisations are illustrative: the
//! seven regions of the 2017 regional consultations, a minority of international NGOs with
//! offices in New York or Geneva (all of whom ask to speak), and grassroots, migrant-led and
//! national organisations (some of whom ask). Their names are invented.

use std::collections::BTreeMap;

use floorshare::allocation::Allocate;
use floorshare::model::*;
use floorshare::policy::{self, Policy};

/// (region, kind, migrant-led, name, asks to speak, theme)
const ORGANISATIONS: &[(&str, Kind, bool, &str, bool, &str)] = &[
    (
        "north_america",
        Kind::InternationalNgo,
        false,
        "Global Migration Policy Network (New York)",
        true,
        "governance",
    ),
    (
        "north_america",
        Kind::InternationalNgo,
        false,
        "Refugee Rights Watch (New York)",
        true,
        "protection",
    ),
    (
        "north_america",
        Kind::Diaspora,
        true,
        "Caribbean Diaspora Council",
        true,
        "remittances",
    ),
    (
        "north_america",
        Kind::TradeUnion,
        false,
        "Domestic Workers United",
        false,
        "labour",
    ),
    (
        "europe",
        Kind::InternationalNgo,
        false,
        "International Migration Forum (Geneva)",
        true,
        "governance",
    ),
    (
        "europe",
        Kind::InternationalNgo,
        false,
        "Humanitarian Alliance (Geneva)",
        true,
        "protection",
    ),
    (
        "europe",
        Kind::InternationalNgo,
        false,
        "Development Partners International (Geneva)",
        true,
        "development",
    ),
    (
        "europe",
        Kind::FaithBased,
        false,
        "Churches' Commission for Migrants",
        true,
        "protection",
    ),
    (
        "europe",
        Kind::Grassroots,
        true,
        "Undocumented Migrants' Platform",
        false,
        "regularisation",
    ),
    (
        "africa",
        Kind::Grassroots,
        true,
        "Sahel Returnees' Association",
        true,
        "return",
    ),
    (
        "africa",
        Kind::NationalNgo,
        false,
        "Migrant Rights Centre Bamako",
        true,
        "drivers",
    ),
    (
        "africa",
        Kind::Grassroots,
        false,
        "Women on the Move Lagos",
        false,
        "gender",
    ),
    (
        "africa",
        Kind::TradeUnion,
        false,
        "Pan-African Workers' Federation",
        false,
        "labour",
    ),
    (
        "asia",
        Kind::Grassroots,
        true,
        "Migrant Domestic Workers' Union Hong Kong",
        true,
        "labour",
    ),
    (
        "asia",
        Kind::NationalNgo,
        false,
        "Migrant Forum Dhaka",
        true,
        "recruitment",
    ),
    (
        "asia",
        Kind::Grassroots,
        false,
        "Bangkok Border Communities",
        false,
        "drivers",
    ),
    (
        "mena",
        Kind::Grassroots,
        true,
        "Syrian Women's Network Beirut",
        true,
        "displacement",
    ),
    (
        "mena",
        Kind::NationalNgo,
        false,
        "Gulf Labour Rights",
        false,
        "labour",
    ),
    (
        "latin_america",
        Kind::Grassroots,
        true,
        "Red de Migrantes Quito",
        true,
        "regularisation",
    ),
    (
        "latin_america",
        Kind::NationalNgo,
        false,
        "Centro de Derechos Humanos Tijuana",
        true,
        "transit",
    ),
    (
        "latin_america",
        Kind::Academia,
        false,
        "Observatorio de Migraciones",
        false,
        "data",
    ),
    (
        "pacific",
        Kind::Grassroots,
        true,
        "Pacific Climate Migrants",
        true,
        "climate",
    ),
    (
        "pacific",
        Kind::NationalNgo,
        false,
        "Islands Development Trust",
        false,
        "climate",
    ),
];

/// The policies compared, with the label the table uses.
fn policies() -> Vec<(&'static str, Box<dyn Policy>)> {
    let describe = |json: serde_json::Value| policy::from_json(json).expect("a valid description");
    vec![
        (
            "baseline_2017",
            describe(serde_json::json!({"name": "chair_discretion"})),
        ),
        (
            "regional_balance",
            describe(serde_json::json!({"name": "regional_balance"})),
        ),
        (
            "grassroots_strict",
            describe(serde_json::json!({"name": "grassroots_priority"})),
        ),
        (
            "grassroots_reserved_spread",
            describe(
                serde_json::json!({"name": "grassroots_priority", "mode": "reserved", "share": 0.5, "placement": "spread"}),
            ),
        ),
    ]
}

fn main() -> Result<(), floorshare::Error> {
    let organisations: Vec<Organisation> = ORGANISATIONS
        .iter()
        .enumerate()
        .map(|(i, &(region, kind, migrant_led, name, _, _))| {
            Organisation::new(format!("o{:02}", i + 1), region, kind)
                .migrant_led(migrant_led)
                .named(name)
        })
        .collect();
    let requests = ORGANISATIONS
        .iter()
        .zip(&organisations)
        .filter(|((.., asks, _), _)| *asks)
        .map(|((.., theme), org)| Request::new(&org.id).on_theme(*theme))
        .collect();
    let mut session = Session::new("ts2", 2)
        .with_length(180)
        .with_chair(Chair::default());
    session.title =
        Some("Thematic session 2: drivers of migration, including climate change".into());
    let session = SessionInput::new(session, organisations, requests).check()?;
    let roster = session.roster();
    let class_requesters = session
        .requesters()
        .iter()
        .filter(|&&r| roster.in_class(session.organisation_of(r as usize)))
        .count();
    println!(
        "{}: {} slots of 3 minutes in 180 minutes; {} organisations ask to speak, {} of them grassroots or migrant-led.\n",
        session.session().title.as_deref().unwrap_or_default(),
        session.session().slots,
        session.requesters().len(),
        class_requesters,
    );

    let seed = 2017;
    for (label, policy) in policies() {
        let allocation = policy.allocate_seeded(&session, seed)?;
        println!(
            "{label} ({}), seed {seed}:",
            serde_json::to_string(&allocation.policy).unwrap_or_default()
        );
        for grant in &allocation.granted {
            let org =
                &roster.organisations()[roster.index_of(&grant.organisation).unwrap_or_default()];
            println!(
                "  {}. minute {:>3}  {:<45} {:<14} {:<18} {}: {}",
                grant.position,
                grant.start_minute.unwrap_or_default(),
                org.name.as_deref().unwrap_or(&org.id),
                org.region,
                org.kind,
                grant.reason,
                grant.detail.as_deref().unwrap_or_default(),
            );
        }
        let mut waiting: BTreeMap<&str, usize> = BTreeMap::new();
        for w in &allocation.waitlisted {
            *waiting.entry(w.reason.code()).or_insert(0) += 1;
        }
        println!("  waitlisted: {waiting:?}\n");
    }

    // The same session over many seeds: who is heard, on average, and how late.
    let runs = 10_000u64;
    println!("Over {runs} seeds:");
    println!(
        "  {:<28} {:>8} {:>16} {:>16} {:>14}",
        "policy", "granted", "grassroots share", "intl NGO share", "mean start"
    );
    for (label, policy) in policies() {
        let (mut granted, mut class, mut ingo, mut start) = (0u64, 0u64, 0u64, 0u64);
        for seed in 0..runs {
            let allocation = policy.allocate_seeded(&session, seed)?;
            for grant in &allocation.granted {
                let org = roster.index_of(&grant.organisation).unwrap_or_default();
                granted += 1;
                class += u64::from(roster.in_class(org));
                ingo += u64::from(roster.organisations()[org].kind == Kind::InternationalNgo);
                start += u64::from(grant.start_minute.unwrap_or_default());
            }
        }
        let share = |n: u64| n as f64 / granted.max(1) as f64;
        println!(
            "  {label:<28} {:>8.2} {:>16.2} {:>16.2} {:>11.0} min",
            granted as f64 / runs as f64,
            share(class),
            share(ingo),
            start as f64 / granted.max(1) as f64,
        );
    }
    println!(
        "\n  share of requesters: grassroots {:.2}, international NGOs {:.2}",
        class_requesters as f64 / session.requesters().len() as f64,
        session
            .requesters()
            .iter()
            .filter(
                |&&r| roster.organisations()[session.organisation_of(r as usize)].kind
                    == Kind::InternationalNgo
            )
            .count() as f64
            / session.requesters().len() as f64,
    );
    Ok(())
}
