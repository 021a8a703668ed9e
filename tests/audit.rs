//! `audit::verify` and `audit::explain` on every pinned allocation: every policy's records
//! verify; a tampered record (a swapped speaker, a changed seed, a changed reason, another
//! version, a missing field) fails naming the right field; every organisation's line names
//! its reason. And the same through the `allocate` tool (`--verify`, `--explain`).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use floorshare::allocation::Allocate;
use floorshare::audit::{self, Mismatch};
use floorshare::model::{CheckedSession, SessionInput};
use floorshare::policy;
use serde_json::{Value, json};

mod common;

fn pins() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pins")
}

/// Every pinned session with its pinned records (those that are allocations, not errors).
fn pinned() -> Vec<(String, CheckedSession, Vec<Value>)> {
    let mut all = Vec::new();
    for entry in fs::read_dir(pins().join("sessions")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let input: SessionInput =
            serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        let session = input.check().unwrap();
        let cases: Vec<Value> = serde_json::from_str(
            &fs::read_to_string(pins().join("allocations").join(format!("{name}.json"))).unwrap(),
        )
        .unwrap();
        let records = cases
            .iter()
            .filter_map(|case| case["output"].as_str())
            .map(|text| serde_json::from_str(text).unwrap())
            .collect();
        all.push((name, session, records));
    }
    all.sort_by(|a, b| a.0.cmp(&b.0));
    all
}

#[test]
fn every_pinned_allocation_verifies_and_is_explained() {
    let registry = policy::built_in();
    let mut verified = 0;
    let mut policies = std::collections::BTreeSet::new();
    for (name, session, records) in pinned() {
        for record in &records {
            let result = audit::verify(&session, record, registry);
            let ok = result.unwrap_or_else(|e| panic!("{name}: {e}\n{record}"));
            assert_eq!(ok.seed, record["seed"].as_u64().unwrap());
            policies.insert(ok.policy.clone());
            verified += 1;
        }
        // One explanation per session, of its first record: a line per step, a line per
        // request, each organisation's line naming its reason in words.
        let Some(record) = records.first() else {
            continue;
        };
        let policy = registry.from_json(record["policy"].clone()).unwrap();
        let allocation = policy
            .allocate_seeded(&session, record["seed"].as_u64().unwrap())
            .unwrap();
        let text = audit::explain(&session, &allocation);
        let lines: Vec<&str> = text.lines().collect();
        let steps = allocation.steps.len();
        assert_eq!(
            lines.len(),
            1 + steps + allocation.granted.len() + allocation.waitlisted.len(),
            "{name}:\n{text}"
        );
        for grant in &allocation.granted {
            assert!(
                lines
                    .iter()
                    .any(|l| l.starts_with(&format!("{}: speaks ", grant.organisation))),
                "{name}: {}",
                grant.organisation
            );
        }
        for waiting in allocation.waitlisted.iter() {
            let words = match waiting.reason.code() {
                "not_selected" => "was not drawn",
                "capacity" => "no slot was left",
                "duplicate" => "a second request",
                other => panic!("{other}"),
            };
            assert!(
                lines.iter().any(
                    |l| l.starts_with(&format!("{}: waits", waiting.organisation))
                        && l.contains(words)
                ),
                "{name}: {} {words}\n{text}",
                waiting.organisation
            );
        }
    }
    // Every built-in policy has pinned records, and all of them verified.
    assert!(verified > 1000, "{verified}");
    for name in policy::built_in().names() {
        assert!(policies.contains(name), "no pinned record of {name}");
    }
}

/// A session and a record of it with two speakers and some waiting.
fn sample() -> (CheckedSession, Value) {
    let (_, session, records) = pinned()
        .into_iter()
        .find(|(name, _, _)| name == "catalogue")
        .unwrap();
    let record = records
        .into_iter()
        .find(|r| {
            r["policy"]["name"] == "regional_balance"
                && r["granted"].as_array().unwrap().len() >= 2
                && !r["waitlisted"].as_array().unwrap().is_empty()
        })
        .unwrap();
    (session, record)
}

fn difference(session: &CheckedSession, record: &Value) -> (String, String, String) {
    match audit::verify(session, record, policy::built_in()) {
        Err(Mismatch::Difference {
            path,
            recorded,
            replayed,
        }) => (path, recorded, replayed),
        other => panic!("{other:?}"),
    }
}

#[test]
fn tampered_records_fail_naming_the_first_difference() {
    let (session, record) = sample();
    assert!(audit::verify(&session, &record, policy::built_in()).is_ok());

    // Two speakers swapped.
    let mut swapped = record.clone();
    let first = record["granted"][0]["organisation"].clone();
    swapped["granted"][0]["organisation"] = record["granted"][1]["organisation"].clone();
    swapped["granted"][1]["organisation"] = first.clone();
    let (path, recorded, replayed) = difference(&session, &swapped);
    assert_eq!(path, "granted[0].organisation");
    assert_eq!(replayed, first.to_string());
    assert_eq!(recorded, record["granted"][1]["organisation"].to_string());

    // A changed reason to wait.
    let mut reason = record.clone();
    reason["waitlisted"][0]["reason"] = json!("duplicate");
    let (path, _, replayed) = difference(&session, &reason);
    assert_eq!(path, "waitlisted[0].reason");
    assert_eq!(replayed, record["waitlisted"][0]["reason"].to_string());

    // A changed seed: the record's seed wins, so the replay is of another draw — or of the
    // same result when the policy draws nothing that matters; regional_balance on this
    // session breaks a tie by lot, so some seed changes the speakers.
    let differs = (0..50u64).any(|seed| {
        let mut reseeded = record.clone();
        reseeded["seed"] = json!(seed);
        seed != record["seed"].as_u64().unwrap()
            && matches!(
                audit::verify(&session, &reseeded, policy::built_in()),
                Err(Mismatch::Difference { .. })
            )
    });
    assert!(differs, "no seed changed the record");

    // Another version.
    let mut version = record.clone();
    version["floorshare"] = json!("0.0.9");
    let err = audit::verify(&session, &version, policy::built_in()).unwrap_err();
    assert!(matches!(err, Mismatch::Version { ref recorded, .. } if recorded == "0.0.9"));
    assert!(err.to_string().contains("floorshare 0.0.9"), "{err}");

    // A missing seed, an unknown policy, an added field.
    let mut seedless = record.clone();
    seedless.as_object_mut().unwrap().remove("seed");
    let err = audit::verify(&session, &seedless, policy::built_in()).unwrap_err();
    assert!(
        matches!(err, Mismatch::Record(ref e) if e.field() == "seed"),
        "{err}"
    );
    let mut unknown = record.clone();
    unknown["policy"]["name"] = json!("loudest_first");
    let err = audit::verify(&session, &unknown, policy::built_in()).unwrap_err();
    assert!(
        matches!(err, Mismatch::Record(ref e) if e.field() == "policy.name"),
        "{err}"
    );
    let mut extra = record.clone();
    extra["granted_extra"] = json!(1);
    assert_eq!(difference(&session, &extra).0, "granted_extra");
    // `metrics` is not compared.
    let mut measured = record.clone();
    measured["metrics"] = json!({"voices_heard": 3});
    assert!(audit::verify(&session, &measured, policy::built_in()).is_ok());
}

fn tool(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(common::example("allocate"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn the_tool_verifies_and_explains_the_example_sessions() {
    let dir = std::env::temp_dir().join(format!("floorshare-audit-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sessions");
    for entry in fs::read_dir(&examples).unwrap() {
        let session = entry.unwrap().path();
        let session = session.to_str().unwrap();
        let (code, record, err) = tool(&[session]);
        assert_eq!(code, 0, "{session}: {err}");
        let record_path = dir.join("record.json");
        fs::write(&record_path, &record).unwrap();
        let record_path = record_path.to_str().unwrap();
        let (code, out, err) = tool(&["--verify", record_path, session]);
        assert_eq!((code, err.as_str()), (0, ""), "{session}");
        assert!(out.starts_with("verified: "), "{out}");

        // A record edited by hand: exit 1, the first difference on stdout.
        let mut tampered: Value = serde_json::from_str(&record).unwrap();
        tampered["granted"][0]["reason"] = json!("lottery_of_friends");
        fs::write(dir.join("tampered.json"), tampered.to_string()).unwrap();
        let tampered_path = dir.join("tampered.json");
        let (code, out, _) = tool(&["--verify", tampered_path.to_str().unwrap(), session]);
        assert_eq!(code, 1, "{session}: {out}");
        assert!(
            out.starts_with("not verified: granted[0].reason: recorded \"lottery_of_friends\""),
            "{out}"
        );

        let (code, text, _) = tool(&["--explain", session]);
        assert_eq!(code, 0);
        let allocation: Value = serde_json::from_str(&record).unwrap();
        for grant in allocation["granted"].as_array().unwrap() {
            let id = grant["organisation"].as_str().unwrap();
            assert!(
                text.lines()
                    .any(|l| l.starts_with(&format!("{id}: speaks "))),
                "{text}"
            );
        }
    }
    // Bad arguments are one line on stderr, exit 2.
    let (code, out, err) = tool(&["--verify"]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert_eq!(err.lines().count(), 1, "{err}");
    fs::remove_dir_all(&dir).ok();
}
