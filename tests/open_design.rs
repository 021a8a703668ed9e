//! A policy written outside the crate: registered, built from a JSON description by the
//! allocate tool's reader and by a scenario, and recorded truthfully (its own name, parameters,
//! reason and step codes) in its allocations.

use floorshare::decision::{Decision, GrantReason, Note, Step, WaitReason};
use floorshare::interchange::AllocationInput;
use floorshare::model::CheckedSession;
use floorshare::policy::{Description, Policy, Registry};
use floorshare::sim::{Scenario, Simulation};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Speaks in reverse inscription order, skipping the first `skip` of them: a rule no built-in
/// policy has.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LastComeFirstServed {
    skip: u32,
    #[serde(default)]
    note: Option<String>,
}

impl Policy for LastComeFirstServed {
    fn describe(&self) -> Description {
        Description::with_parameters("last_come_first_served", self).unwrap()
    }

    fn select(
        &self,
        session: &CheckedSession,
        _rng: &mut dyn rand::Rng,
        decision: &mut Decision,
    ) -> floorshare::Result<()> {
        let slots = session.session().slots as usize;
        for &request in session
            .requesters()
            .iter()
            .rev()
            .skip(self.skip as usize)
            .take(slots)
        {
            decision.grant(
                request,
                GrantReason::Custom("last_in"),
                Note::Text("inscribed late"),
            );
        }
        let reversed = decision.push_indices(session.requesters().iter().rev().copied());
        decision.step(Step::Custom {
            code: "reversed_list",
            note: Note::Custom(self.note.clone().unwrap_or_default().into()),
            requests: reversed,
        });
        let wait = decision.wait_reason(WaitReason::Capacity, Note::Text("inscribed early"));
        for &request in session.requesters() {
            decision.wait(request, wait);
        }
        Ok(())
    }
}

fn registry() -> Registry {
    let mut registry = Registry::default();
    registry
        .register("last_come_first_served", |description| {
            let policy: LastComeFirstServed = description.read()?;
            if policy.skip > 100 {
                return Err(floorshare::Error::invalid_as(
                    floorshare::ErrorKind::TooLarge,
                    "skip",
                    policy.skip,
                    "is more than 100",
                ));
            }
            Ok(Box::new(policy) as Box<dyn Policy>)
        })
        .unwrap();
    registry
}

fn document(policy: Value) -> String {
    json!({
        "session": {"id": "s1", "slots": 2, "length_minutes": 60},
        "organisations": [
            {"id": "a", "region": "asia", "kind": "grassroots"},
            {"id": "b", "region": "asia", "kind": "academia"},
            {"id": "c", "region": "europe", "kind": "international_ngo"},
            {"id": "d", "region": "africa", "kind": "trade_union"}],
        "requests": [{"organisation": "a"}, {"organisation": "b"}, {"organisation": "c"},
                     {"organisation": "d"}],
        "policy": policy,
        "seed": 9
    })
    .to_string()
}

#[test]
fn an_outside_policy_records_its_own_name_parameters_and_codes() {
    let registry = registry();
    let input = AllocationInput::from_json_str_with(
        &document(json!({"name": "last_come_first_served", "skip": 1, "note": "why"})),
        &registry,
    )
    .unwrap();
    let allocation = input.allocate().unwrap();
    let output = serde_json::to_value(&allocation).unwrap();
    assert_eq!(
        output["policy"],
        json!({"name": "last_come_first_served", "skip": 1, "note": "why"})
    );
    let speakers: Vec<&str> = allocation
        .granted
        .iter()
        .map(|g| &*g.organisation)
        .collect();
    assert_eq!(speakers, ["c", "b"]);
    assert_eq!(output["granted"][0]["reason"], "last_in");
    assert_eq!(output["granted"][0]["detail"], "inscribed late");
    assert_eq!(output["waitlisted"][0]["reason"], "capacity");
    assert_eq!(
        output["steps"],
        json!([{"step": "custom", "code": "reversed_list", "detail": "why",
                "organisations": ["d", "c", "b", "a"]}])
    );
}

#[test]
fn registry_errors_name_the_field() {
    let registry = registry();
    let error = |policy: Value| {
        AllocationInput::from_json_str_with(&document(policy), &registry)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        error(json!({"name": "last_come_first_served", "skip": 101})),
        "policy.skip: 101 is more than 100"
    );
    let unknown = error(json!({"name": "last_come_first_served", "skip": 1, "skp": 2}));
    assert_eq!(
        unknown,
        "policy.skp: unknown field `skp`, expected `skip` or `note`, or a stage: `placement`, `order`, `time`"
    );
    // Without the registry, the name is unknown.
    assert_eq!(
        AllocationInput::from_json_str(&document(json!({"name": "last_come_first_served"})))
            .unwrap_err()
            .to_string(),
        r#"policy.name: unknown policy "last_come_first_served""#
    );
    // A name cannot be taken twice, built-in or not.
    let mut twice = registry.clone();
    assert!(
        twice
            .register("regional_balance", |_| unreachable!())
            .is_err()
    );
    assert!(twice.register("", |_| unreachable!()).is_err());
    assert!(registry.names().any(|n| n == "last_come_first_served"));
    assert!(registry.names().any(|n| n == "chair_discretion"));
}

#[test]
fn a_scenario_can_name_an_outside_policy() {
    let scenario = json!({
        "name": "outside",
        "population": {"generate": {"counts": {"asia": {"grassroots": 5, "academia": 3},
                                               "europe": {"international_ngo": 4}}}},
        "sessions": [{"id": "s1", "slots": 2, "length_minutes": 60},
                     {"id": "s2", "slots": 2, "length_minutes": 60}],
        "behaviour": {"ask_probability": {"international_ngo": 0.9}},
        "policies": [{"label": "mine", "policy": {"name": "last_come_first_served", "skip": 0}},
                     {"label": "baseline", "policy": {"name": "chair_discretion"}}],
        "runs": 20,
        "seed": 3
    })
    .to_string();
    assert!(Scenario::from_json_str(&scenario).is_err());
    let scenario = Scenario::from_json_str_with(&scenario, &registry()).unwrap();
    let summary = Simulation::with_registry(scenario, &registry())
        .unwrap()
        .run_all()
        .unwrap();
    let mine = summary.policies.iter().find(|p| p.name == "mine").unwrap();
    // Two slots and at least two requesters in almost every session: two granted each time.
    assert!(mine.metrics["slots_granted"].mean > 1.5);
}

/// A policy that writes nonsense into its decision gets an error naming the place, never a
/// record that panics.
#[test]
fn a_decision_naming_what_the_session_lacks_is_an_error() {
    use floorshare::allocation::{Allocate, Allocation};
    use floorshare::decision::{Pool, Weighting};

    #[derive(Debug)]
    struct Careless;
    impl Policy for Careless {
        fn describe(&self) -> Description {
            Description::new("careless")
        }
        fn select(
            &self,
            session: &CheckedSession,
            _rng: &mut dyn rand::Rng,
            decision: &mut Decision,
        ) -> floorshare::Result<()> {
            decision.grant(session.requesters()[0], GrantReason::Lottery, Note::None);
            decision.lot_drawn(Pool::Region(99), 4, Weighting::Uniform, [0]);
            Ok(())
        }
    }
    let input =
        AllocationInput::from_json_str(&document(json!({"name": "chair_discretion"}))).unwrap();
    let err = Careless.allocate_seeded(&input.session, 1).unwrap_err();
    assert_eq!(err.field(), "steps[0]");
    // A record is built only from a decision the session accepted.
    let mut decision = Decision::new();
    decision.begin(&input.session);
    let err = Allocation::from_decision(&input.session, Careless.describe(), &decision, None)
        .unwrap_err();
    assert_eq!(err.field(), "decision");
}
