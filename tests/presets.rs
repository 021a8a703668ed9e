//! The policy presets of `examples/policies/`: each is a description the registry builds, the
//! `allocate` tool runs with `--policy` on the catalogue demonstration session, and the README
//! tabulates with its sources and assumptions.

mod common;

use std::path::Path;

use serde_json::Value;

const PRESETS: [&str; 8] = [
    "gcm_thematic_2017",
    "gcm_negotiations_2018",
    "imrf_roundtable",
    "hlpf_major_groups",
    "unfccc_constituencies",
    "hrc_upr_ngos",
    "hrc_upr_states",
    "european_parliament",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn preset(name: &str) -> Value {
    let path = root().join(format!("examples/policies/{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn allocate(args: &[&str]) -> std::process::Output {
    std::process::Command::new(common::example("allocate"))
        .current_dir(root())
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn every_preset_file_is_listed_and_builds() {
    let mut files: Vec<String> = std::fs::read_dir(root().join("examples/policies"))
        .unwrap()
        .map(|entry| {
            let name = entry.unwrap().file_name().into_string().unwrap();
            name.strip_suffix(".json").unwrap().to_string()
        })
        .collect();
    files.sort();
    let mut listed = PRESETS.map(String::from).to_vec();
    listed.sort();
    assert_eq!(files, listed);
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    for name in PRESETS {
        let policy = floorshare::policy::from_json(preset(name)).unwrap();
        // The record names the policy with every default spelled out; built again from it,
        // the same policy.
        let description = serde_json::to_value(policy.describe()).unwrap();
        let again = floorshare::policy::from_json(description.clone()).unwrap();
        assert_eq!(serde_json::to_value(again.describe()).unwrap(), description);
        assert!(
            readme.contains(&format!("`{name}`")),
            "the README's preset table lacks {name}"
        );
    }
}

#[test]
fn every_preset_runs_in_the_allocate_tool() {
    let session = "examples/sessions/catalogue_session.json";
    for name in PRESETS {
        let file = format!("examples/policies/{name}.json");
        let output = allocate(&["--policy", &file, session]);
        assert!(
            output.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let allocation: Value = serde_json::from_slice(&output.stdout).unwrap();
        let granted = allocation["granted"].as_array().unwrap();
        assert!(!granted.is_empty(), "{name} granted nobody");
        // The policy recorded is the preset with its defaults filled in.
        for (key, value) in preset(name).as_object().unwrap() {
            assert_eq!(&allocation["policy"][key], value, "{name}: {key}");
        }
        let again = allocate(&["--policy", &file, session]);
        assert_eq!(again.stdout, output.stdout, "{name} is not reproducible");
    }
}

#[test]
fn presets_do_what_their_sources_say() {
    let session = "examples/sessions/catalogue_session.json";
    let run = |name: &str| -> Value {
        let output = allocate(&[
            "--policy",
            &format!("examples/policies/{name}.json"),
            session,
        ]);
        serde_json::from_slice(&output.stdout).unwrap()
    };
    let minutes = |allocation: &Value| -> Vec<u64> {
        allocation["granted"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["minutes"].as_u64().unwrap())
            .collect()
    };
    // UNFCCC: two-minute interventions, one per constituency.
    let unfccc = run("unfccc_constituencies");
    assert!(minutes(&unfccc).iter().all(|&m| m == 2));
    // HRC, State speakers: whole minutes, a lot draws who speaks (4 slots, 14 inscribed).
    let states = run("hrc_upr_states");
    assert!(minutes(&states).iter().all(|&m| m == 2));
    assert_eq!(states["granted"][0]["reason"], "lottery");
    // European Parliament: the 60-minute window shared out in full.
    let parliament = run("european_parliament");
    assert_eq!(minutes(&parliament).iter().sum::<u64>(), 60);
    assert!(
        parliament["steps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["step"] == "minutes_apportioned")
    );
    // IMRF: a member of the grassroots class opens the round table.
    let imrf = run("imrf_roundtable");
    let first = imrf["granted"][0]["organisation"].as_str().unwrap();
    let input: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join(session)).unwrap()).unwrap();
    let org = input["organisations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == first)
        .unwrap();
    assert!(
        org["kind"] == "grassroots" || org["migrant_led"] == true,
        "{org}"
    );
}

#[test]
fn bad_preset_parameters_are_one_line_errors_naming_the_field() {
    let session = root().join("examples/sessions/catalogue_session.json");
    let mut document: Value =
        serde_json::from_str(&std::fs::read_to_string(session).unwrap()).unwrap();
    let cases = [
        (
            serde_json::json!({"name": "constituency_round_robin", "category": "tag:"}),
            "policy.category",
        ),
        (
            serde_json::json!({"name": "constituency_round_robin", "constituencies": []}),
            "policy.constituencies",
        ),
        (
            serde_json::json!({"name": "progressive_stack", "marks": [{"category": "class", "value": "grassroots", "weight": -1.0}]}),
            "policy.marks[0].weight",
        ),
        (
            serde_json::json!({"name": "fcfs", "order": {"alternate": "religion"}}),
            "policy.order",
        ),
        (
            serde_json::json!({"name": "fcfs", "time": {"group_proportional": {"window": 10, "category": "region", "equal_part": 1.5}}}),
            "policy.time.group_proportional.equal_part",
        ),
    ];
    for (policy, field) in cases {
        document["policy"] = policy.clone();
        let output = common::run_with_stdin("allocate", &[], &document.to_string());
        assert_eq!(output.status.code(), Some(2), "{policy}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.starts_with(field), "{policy}: {stderr}");
    }
    // An unknown co-signatory.
    document["policy"] = serde_json::json!({"name": "fcfs"});
    document["requests"][0]["on_behalf_of"] = serde_json::json!(["nobody"]);
    let output = common::run_with_stdin("allocate", &[], &document.to_string());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.starts_with("requests[0].on_behalf_of[0]"),
        "{stderr}"
    );
}
