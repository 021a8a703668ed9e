//! Value stability: the exact output of every randomised policy for a fixed input and seed,
//! as `rand` pins its algorithms. A change here changes published allocations: it is a
//! breaking change and must be deliberate.

use floorshare::allocation::Allocate;
use floorshare::model::*;
use floorshare::policy;

/// 21 organisations, three per region: an international NGO, a grassroots organisation and a
/// migrant-led diaspora organisation; all ask, the NGOs first; 5 slots of 3 minutes in 120.
fn session() -> CheckedSession {
    let mut organisations = Vec::new();
    for (kind, suffix) in [
        (Kind::InternationalNgo, "ngo"),
        (Kind::Grassroots, "gr"),
        (Kind::Diaspora, "dia"),
    ] {
        for region in GCM_REGIONS {
            organisations.push(
                Organisation::new(format!("{region}-{suffix}"), region, kind)
                    .migrant_led(kind == Kind::Diaspora),
            );
        }
    }
    let requests = organisations.iter().map(|o| Request::new(&o.id)).collect();
    SessionInput::new(
        Session::new("vs", 5)
            .with_length(120)
            .with_chair(Chair::default()),
        organisations,
        requests,
    )
    .check()
    .unwrap()
}

fn speakers(description: serde_json::Value, seed: u64) -> Vec<String> {
    let policy = policy::from_json(description).unwrap();
    let allocation = policy.allocate_seeded(&session(), seed).unwrap();
    allocation
        .granted
        .iter()
        .map(|g| format!("{}@{}", g.organisation, g.start_minute.unwrap()))
        .collect()
}

#[test]
fn chair_discretion_default_profile() {
    assert_eq!(
        speakers(serde_json::json!({"name":"chair_discretion"}), 42),
        ["pacific-ngo@114", "mena-ngo@117"]
    );
    assert_eq!(
        speakers(serde_json::json!({"name":"chair_discretion"}), 7),
        ["north_america-gr@117"]
    );
}

#[test]
fn chair_discretion_five_picks() {
    assert_eq!(
        speakers(
            serde_json::json!({"max_slots":5,"min_slots":5,"name":"chair_discretion"}),
            42
        ),
        [
            "europe-dia@105",
            "mena-dia@108",
            "mena-ngo@111",
            "mena-gr@114",
            "north_america-ngo@117"
        ]
    );
    assert_eq!(
        speakers(
            serde_json::json!({"max_slots":5,"min_slots":5,"name":"chair_discretion"}),
            7
        ),
        [
            "asia-gr@105",
            "europe-ngo@108",
            "latin_america-dia@111",
            "asia-ngo@114",
            "africa-dia@117"
        ]
    );
}

#[test]
fn regional_balance_default() {
    assert_eq!(
        speakers(serde_json::json!({"name":"regional_balance"}), 42),
        [
            "europe-gr@105",
            "pacific-dia@108",
            "asia-ngo@111",
            "north_america-ngo@114",
            "africa-gr@117"
        ]
    );
    assert_eq!(
        speakers(serde_json::json!({"name":"regional_balance"}), 7),
        [
            "africa-gr@105",
            "europe-dia@108",
            "pacific-ngo@111",
            "north_america-dia@114",
            "mena-ngo@117"
        ]
    );
}

#[test]
fn regional_balance_dhondt_weights_grassroots_first_with_a_tie() {
    assert_eq!(
        speakers(
            serde_json::json!({"method":"dhondt","name":"regional_balance","weights":{"africa":3,"asia":3,"europe":1,"latin_america":2,"mena":2,"north_america":1,"pacific":1},"within_region":"grassroots_first"}),
            42
        ),
        [
            "asia-dia@105",
            "latin_america-dia@108",
            "asia-gr@111",
            "mena-dia@114",
            "africa-gr@117"
        ]
    );
    assert_eq!(
        speakers(
            serde_json::json!({"method":"dhondt","name":"regional_balance","weights":{"africa":3,"asia":3,"europe":1,"latin_america":2,"mena":2,"north_america":1,"pacific":1},"within_region":"grassroots_first"}),
            7
        ),
        [
            "africa-gr@105",
            "asia-dia@108",
            "mena-dia@111",
            "latin_america-gr@114",
            "africa-dia@117"
        ]
    );
}

#[test]
fn grassroots_strict() {
    assert_eq!(
        speakers(serde_json::json!({"name":"grassroots_priority"}), 42),
        [
            "mena-dia@105",
            "north_america-gr@108",
            "pacific-dia@111",
            "latin_america-dia@114",
            "africa-gr@117"
        ]
    );
    assert_eq!(
        speakers(serde_json::json!({"name":"grassroots_priority"}), 7),
        [
            "africa-gr@105",
            "latin_america-gr@108",
            "latin_america-dia@111",
            "africa-dia@114",
            "pacific-dia@117"
        ]
    );
}

#[test]
fn grassroots_reserved() {
    assert_eq!(
        speakers(
            serde_json::json!({"mode":"reserved","name":"grassroots_priority","share":0.4}),
            42
        ),
        [
            "mena-dia@105",
            "north_america-gr@108",
            "pacific-dia@111",
            "africa-dia@114",
            "europe-dia@117"
        ]
    );
    assert_eq!(
        speakers(
            serde_json::json!({"mode":"reserved","name":"grassroots_priority","share":0.4}),
            7
        ),
        [
            "africa-gr@105",
            "latin_america-gr@108",
            "asia-dia@111",
            "europe-gr@114",
            "pacific-dia@117"
        ]
    );
}

#[test]
fn grassroots_weighted() {
    assert_eq!(
        speakers(
            serde_json::json!({"mode":"weighted","name":"grassroots_priority","weight":3}),
            42
        ),
        [
            "mena-gr@105",
            "mena-ngo@108",
            "africa-dia@111",
            "north_america-dia@114",
            "latin_america-dia@117"
        ]
    );
    assert_eq!(
        speakers(
            serde_json::json!({"mode":"weighted","name":"grassroots_priority","weight":3}),
            7
        ),
        [
            "europe-gr@105",
            "north_america-gr@108",
            "latin_america-ngo@111",
            "latin_america-gr@114",
            "africa-ngo@117"
        ]
    );
}

#[test]
fn the_dhondt_tie_is_reported_in_the_reason() {
    // Africa and Asia (weight 3) tie for the fifth slot at 3/2: the lot decides, and says so.
    let policy = policy::from_json(serde_json::json!({"name": "regional_balance", "method": "dhondt", "weights": {"africa": 3, "asia": 3, "europe": 1, "latin_america": 2, "mena": 2, "north_america": 1, "pacific": 1}})).unwrap();
    let allocation = policy.allocate_seeded(&session(), 42).unwrap();
    let tied: Vec<&str> = allocation
        .granted
        .iter()
        .filter_map(|g| g.detail.as_deref())
        .filter(|d| d.ends_with("(tie broken by lot)"))
        .collect();
    assert_eq!(
        tied,
        [
            "asia: 1 of 2 (tie broken by lot)",
            "africa: 1 of 1 (tie broken by lot)",
            "asia: 2 of 2 (tie broken by lot)"
        ]
    );
}

#[test]
fn fcfs_is_the_inscription_order_whatever_the_seed() {
    for seed in [42, 7] {
        assert_eq!(
            speakers(serde_json::json!({"name":"fcfs"}), seed),
            [
                "africa-ngo@105",
                "asia-ngo@108",
                "europe-ngo@111",
                "latin_america-ngo@114",
                "mena-ngo@117"
            ]
        );
    }
}

#[test]
fn capped_lottery_draws_five_of_twenty_one() {
    assert_eq!(
        speakers(serde_json::json!({"name":"capped_lottery"}), 42),
        [
            "latin_america-dia@105",
            "africa-gr@108",
            "pacific-dia@111",
            "asia-dia@114",
            "africa-ngo@117"
        ]
    );
    assert_eq!(
        speakers(serde_json::json!({"name":"capped_lottery"}), 7),
        [
            "asia-ngo@105",
            "mena-ngo@108",
            "asia-dia@111",
            "latin_america-gr@114",
            "pacific-dia@117"
        ]
    );
}

/// The 21 organisations of [`session`] with a history: the NGOs spoke twice (last in session
/// 1 for the first four regions, 3 for the others), the grassroots organisations once (in
/// session 2), the diaspora organisations never.
fn session_with_history() -> CheckedSession {
    let mut input = SessionInput::new(
        Session::new("vs", 8).with_length(120),
        Vec::new(),
        Vec::new(),
    );
    for (kind, suffix) in [
        (Kind::InternationalNgo, "ngo"),
        (Kind::Grassroots, "gr"),
        (Kind::Diaspora, "dia"),
    ] {
        for (i, region) in GCM_REGIONS.iter().enumerate() {
            let id = format!("{region}-{suffix}");
            let (slots, last_session) = match suffix {
                "ngo" => (2, Some(if i < 4 { 1 } else { 3 })),
                "gr" => (1, Some(2)),
                _ => (0, None),
            };
            input.history.push(HistoryEntry {
                organisation: id.clone(),
                slots,
                minutes: u64::from(slots) * 3,
                last_session,
            });
            input.requests.push(Request::new(&id));
            input
                .organisations
                .push(Organisation::new(id, *region, kind).migrant_led(kind == Kind::Diaspora));
        }
    }
    input.check().unwrap()
}

fn rotation_speakers(description: serde_json::Value, seed: u64) -> Vec<String> {
    let policy = policy::from_json(description).unwrap();
    let allocation = policy
        .allocate_seeded(&session_with_history(), seed)
        .unwrap();
    allocation
        .granted
        .iter()
        .map(|g| format!("{}@{}", g.organisation, g.start_minute.unwrap()))
        .collect()
}

#[test]
fn rotation_fewest_then_least_recent_by_lot() {
    // 8 slots: the seven never heard, then one of the seven heard once, by lot.
    assert_eq!(
        rotation_speakers(serde_json::json!({"name":"rotation"}), 42),
        [
            "north_america-dia@96",
            "europe-dia@99",
            "pacific-dia@102",
            "africa-dia@105",
            "asia-dia@108",
            "mena-dia@111",
            "latin_america-dia@114",
            "africa-gr@117"
        ]
    );
    assert_eq!(
        rotation_speakers(serde_json::json!({"name":"rotation"}), 7),
        [
            "africa-dia@96",
            "europe-dia@99",
            "north_america-dia@102",
            "mena-dia@105",
            "pacific-dia@108",
            "asia-dia@111",
            "latin_america-dia@114",
            "north_america-gr@117"
        ]
    );
}

#[test]
fn rotation_not_yet_heard_first_by_lot_on_the_plain_session() {
    // No history: everyone ties, so 5 of 21 are drawn, as capped_lottery draws them.
    assert_eq!(
        speakers(
            serde_json::json!({"name":"rotation","key":"not_yet_heard_first"}),
            42
        ),
        [
            "latin_america-dia@105",
            "africa-gr@108",
            "pacific-dia@111",
            "asia-dia@114",
            "africa-ngo@117"
        ]
    );
    assert_eq!(
        speakers(
            serde_json::json!({"name":"rotation","key":"not_yet_heard_first"}),
            7
        ),
        [
            "asia-ngo@105",
            "mena-ngo@108",
            "asia-dia@111",
            "latin_america-gr@114",
            "pacific-dia@117"
        ]
    );
}

#[test]
fn constituency_round_robin_over_regions_by_lot() {
    // Constituencies are the regions; africa, asia, europe and latin_america last spoke in
    // session 2, mena, north_america and pacific in session 3: the first four open each cycle,
    // by name; 8 slots give africa a second turn. Inside each region a lot among its
    // three members (no focal point), or the rotation ranking (never heard first).
    assert_eq!(
        rotation_speakers(
            serde_json::json!({"name":"constituency_round_robin","category":"region"}),
            42
        ),
        [
            "africa-dia@96",
            "asia-dia@99",
            "europe-dia@102",
            "latin_america-dia@105",
            "mena-gr@108",
            "north_america-ngo@111",
            "pacific-gr@114",
            "africa-gr@117"
        ]
    );
    assert_eq!(
        rotation_speakers(
            serde_json::json!({"name":"constituency_round_robin","category":"region","within":"rotation"}),
            7
        ),
        [
            "africa-dia@96",
            "asia-dia@99",
            "europe-dia@102",
            "latin_america-dia@105",
            "mena-dia@108",
            "north_america-dia@111",
            "pacific-dia@114",
            "africa-gr@117"
        ]
    );
}

#[test]
fn progressive_stack_scores_marks_less_the_recent_penalty() {
    // Session index 4; the grassroots organisations (class 2, spoke in session 2) score −0.5,
    // the diaspora organisations (class 2 + diaspora 1) 3, the NGOs 0 (last in session 1) or
    // −2.5 (last in session 3). No lot: the same speakers whatever the seed.
    let description = serde_json::json!({
        "name": "progressive_stack",
        "marks": [{"category": "class", "value": "grassroots", "weight": 2.0},
                  {"category": "kind", "value": "diaspora", "weight": 1.0}],
        "recent_penalty": -2.5,
        "recent_sessions": 2
    });
    let expected = [
        "africa-dia@96",
        "asia-dia@99",
        "europe-dia@102",
        "latin_america-dia@105",
        "mena-dia@108",
        "north_america-dia@111",
        "pacific-dia@114",
        "africa-ngo@117",
    ];
    for seed in [42, 7] {
        assert_eq!(rotation_speakers(description.clone(), seed), expected);
    }
}

#[test]
fn alternation_by_lot_within_each_list() {
    // Reserved list: the seven grassroots organisations; open list: the fourteen others. Three
    // reserved and two open positions, each list's members drawn by lot.
    let description = serde_json::json!({
        "name": "alternation", "category": "kind", "value": "grassroots", "within": "lottery"
    });
    assert_eq!(
        speakers(description.clone(), 42),
        [
            "north_america-gr@105",
            "europe-dia@108",
            "europe-gr@111",
            "mena-dia@114",
            "pacific-gr@117"
        ]
    );
    assert_eq!(
        speakers(description, 7),
        [
            "africa-gr@105",
            "north_america-ngo@108",
            "europe-gr@111",
            "pacific-dia@114",
            "north_america-gr@117"
        ]
    );
}
