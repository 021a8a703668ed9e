//! Bounded input (SPEC §6 limits, issue 10 part 3): documents over 64 MiB or with more than
//! 1 000 000 requests are refused with one line naming the limit, before the rest is read;
//! error lines stay short whatever the input; out-of-range numbers and deep nesting name
//! their field; a key given twice is an error naming it; shared strings are interned.
//!
//! Every input here is small or streamed: no test holds a document of the limit's size.

use std::io::Read;
use std::process::Command;

use floorshare::ErrorKind;
use floorshare::interchange::{
    AllocationInput, Document, MAX_DOCUMENT_BYTES, MAX_REQUESTS, read_limited,
};
use serde_json::{Value, json};

mod common;

fn document() -> Value {
    json!({
        "session": {"id": "ts1", "slots": 2, "length_minutes": 180,
                    "chair": {"id": "c", "familiarity": {"academia": 2.0}}},
        "organisations": [
            {"id": "o1", "region": "pacific", "kind": "grassroots", "tags": {"gender": "f"}},
            {"id": "o2", "region": "europe", "kind": "international_ngo"},
            {"id": "o3", "region": "europe", "kind": "trade_union"}],
        "requests": [{"organisation": "o1", "theme": "climate"},
                     {"organisation": "o2", "theme": "climate"},
                     {"organisation": "o3", "theme": "labour"}],
        "policy": {"name": "regional_balance", "method": "dhondt"},
        "seed": 42
    })
}

/// The document's text with `marker` (a JSON string in it) replaced by `raw`: a way to write
/// what `serde_json::Value` cannot hold (a repeated key, `1e309`).
fn with_raw(marker: &str, raw: &str) -> String {
    let text = document().to_string();
    let quoted = format!("\"{marker}\"");
    assert!(text.contains(&quoted), "{marker} not in {text}");
    text.replacen(&quoted, raw, 1)
}

/// The error of reading and checking `text`.
fn error_of(text: &str) -> floorshare::Error {
    AllocationInput::from_json_str(text).unwrap_err()
}

/// A reader of `head`, then `body` repeated for ever, counting the bytes it gives.
struct Endless<'a> {
    head: &'a [u8],
    body: &'a [u8],
    at: usize,
    given: u64,
}

impl Read for Endless<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut n = 0;
        while n < buf.len() {
            let byte = if self.at < self.head.len() {
                self.head[self.at]
            } else {
                self.body[(self.at - self.head.len()) % self.body.len()]
            };
            buf[n] = byte;
            n += 1;
            self.at += 1;
        }
        self.given += n as u64;
        Ok(n)
    }
}

#[test]
fn a_document_over_64_mib_is_refused_after_reading_one_byte_more() {
    let mut endless = Endless {
        head: br#"{"session": {"id": "s", "slots": 1}, "organisations": [], "requests": ["#,
        body: br#"{"organisation": "o1"}, "#,
        at: 0,
        given: 0,
    };
    let err = Document::from_reader(&mut endless).unwrap_err();
    assert_eq!(err.to_string(), "input: document exceeds 64 MiB");
    assert_eq!(err.kind(), ErrorKind::TooLarge);
    assert_eq!(endless.given, MAX_DOCUMENT_BYTES as u64 + 1);
    // The same through AllocationInput, and for a slice already in memory.
    let err = AllocationInput::from_reader(std::io::repeat(b' ')).unwrap_err();
    assert_eq!(err.to_string(), "input: document exceeds 64 MiB");
    // Exactly at the limit is read (and then judged as JSON).
    let mut exact = vec![b' '; MAX_DOCUMENT_BYTES - 2];
    exact.extend_from_slice(b"{}");
    let err = AllocationInput::from_reader(&exact[..]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MissingField, "{err}");
    assert_eq!(read_limited(&b"[]"[..]).unwrap(), b"[]");
}

#[test]
fn endless_input_like_dev_zero_fails_fast_with_the_limit() {
    let err = AllocationInput::from_reader(std::io::repeat(0)).unwrap_err();
    assert_eq!(err.to_string(), "input: document exceeds 64 MiB");
    // The tool on /dev/zero itself (and on an endless stdin, through the same reader).
    if std::path::Path::new("/dev/zero").exists() {
        let out = Command::new(common::example("allocate"))
            .arg("/dev/zero")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(out.stdout.is_empty());
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            "input: document exceeds 64 MiB\n"
        );
    }
}

/// A document with `requests` requests of one organisation, then `tail`.
fn many_requests(requests: usize, tail: &str) -> Vec<u8> {
    let mut text = br#"{"session": {"id": "s", "slots": 1}, "organisations": [{"id": "a", "region": "r", "kind": "other"}], "requests": ["#.to_vec();
    for i in 0..requests {
        if i > 0 {
            text.push(b',');
        }
        text.extend_from_slice(br#"{"organisation":"a"}"#);
    }
    text.extend_from_slice(tail.as_bytes());
    text
}

#[test]
fn more_than_a_million_requests_are_refused_before_reading_further() {
    // One request too many, followed by text that is not JSON: the limit is met first.
    let err = Document::from_slice(&many_requests(MAX_REQUESTS + 1, ", !!! not JSON")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "requests: document exceeds 1000000 requests"
    );
    assert_eq!((err.kind(), err.field()), (ErrorKind::TooLarge, "requests"));
    // A million requests are read; the text after them is then judged.
    let err = Document::from_slice(&many_requests(MAX_REQUESTS, "] !!!")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Syntax, "{err}");
    assert!(err.to_string().starts_with("input: "), "{err}");
}

/// Asserts that `err` is one short line, the quoted input cut with `…`.
fn assert_short(err: &floorshare::Error) {
    let line = err.to_string();
    assert_eq!(line.lines().count(), 1);
    assert!(line.chars().count() < 300, "{} characters", line.len());
    assert!(line.contains('…'), "{line}");
}

#[test]
fn a_10_mb_string_value_gives_a_short_line() {
    let huge = "x".repeat(10_000_000);
    // A wrong type quoting the value (serde's message).
    let mut doc = document();
    doc["session"]["slots"] = json!(huge);
    let err = error_of(&doc.to_string());
    assert_short(&err);
    assert_eq!(err.field(), "session.slots");
    let mut doc = document();
    doc["seed"] = json!(huge);
    let err = error_of(&doc.to_string());
    assert_short(&err);
    assert_eq!(err.field(), "seed");
    assert!(
        err.to_string().starts_with(&format!(
            "seed: invalid type: string \"{}…\"",
            "x".repeat(80)
        )),
        "{}",
        &err.to_string()[..120]
    );
    // Ids and names quoted by floorshare's own messages.
    let mut doc = document();
    doc["requests"][1]["organisation"] = json!(huge);
    let err = error_of(&doc.to_string());
    assert_short(&err);
    assert_eq!(err.field(), "requests[1].organisation");
    let mut doc = document();
    doc["policy"]["name"] = json!(huge);
    assert_short(&error_of(&doc.to_string()));
    // An unknown key of that size, in the path and in the message.
    let mut doc = document();
    doc["policy"][&huge] = json!(1);
    assert_short(&error_of(&doc.to_string()));
    let mut doc = document();
    doc["organisations"][0]["id"] = json!(huge);
    doc["organisations"][1]["id"] = json!(huge);
    assert_short(&error_of(&doc.to_string()));
    // The tool prints the same short line.
    let mut doc = document();
    doc["seed"] = json!(huge);
    let out = common::run_with_stdin("allocate", &[], &doc.to_string());
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stderr.len() < 300, "{} bytes", out.stderr.len());
}

#[test]
fn quoted_values_are_cut_at_80_characters() {
    let mut doc = document();
    doc["requests"][0]["organisation"] = json!("y".repeat(81));
    let err = error_of(&doc.to_string());
    assert_eq!(
        err.to_string(),
        format!(
            "requests[0].organisation: unknown organisation \"{}…\"",
            "y".repeat(80)
        )
    );
    let mut doc = document();
    doc["requests"][0]["organisation"] = json!("y".repeat(80));
    let err = error_of(&doc.to_string());
    assert!(!err.to_string().contains('…'), "{err}");
}

#[test]
fn out_of_range_numbers_name_their_field() {
    let err = error_of(&with_raw("ts1", "\"ts1\", \"slots\": 1e309"));
    // A repeated `slots` would be the next error; the number comes first.
    assert_eq!(err.field(), "session.slots", "{err}");
    assert!(err.to_string().contains("number out of range"), "{err}");
    let mut doc = document();
    doc["seed"] = json!("SEED");
    let err = error_of(&doc.to_string().replace("\"SEED\"", "1e309"));
    assert_eq!(err.field(), "seed", "{err}");
    let err = error_of(&doc.to_string().replace("\"SEED\"", "18446744073709551616"));
    assert_eq!((err.kind(), err.field()), (ErrorKind::OutOfRange, "seed"));
    assert_eq!(
        err.to_string(),
        "seed: invalid value: an integer above 18446744073709551615, expected u64"
    );
    let largest = AllocationInput::from_json_str(
        &doc.to_string().replace("\"SEED\"", "18446744073709551615"),
    )
    .unwrap();
    assert_eq!(largest.seed, u64::MAX);
    // Inside the policy description, which is read as a JSON value.
    let err = error_of(&with_raw(
        "dhondt",
        "\"dhondt\", \"weights\": {\"europe\": 1e309}",
    ));
    assert_eq!(err.field(), "policy.weights.europe", "{err}");
    // Inside a request.
    let err = error_of(&with_raw("labour", "\"labour\", \"minutes\": -1e400"));
    assert_eq!(err.field(), "requests[2].minutes", "{err}");
}

#[test]
fn nesting_deeper_than_128_names_its_field() {
    let deep = format!("{}1{}", "[".repeat(200), "]".repeat(200));
    let err = error_of(&with_raw(
        "dhondt",
        &format!("\"dhondt\", \"weights\": {deep}"),
    ));
    assert!(err.field().starts_with("policy.weights[0]"), "{err}");
    assert!(
        err.to_string().contains("recursion limit exceeded"),
        "{err}"
    );
    assert_eq!(err.to_string().lines().count(), 1);
    assert!(err.to_string().chars().count() < 200, "{err}");
    // In a field read into a typed value, the type is wrong before the nesting is deep.
    let err = error_of(&with_raw("ts1", &format!("\"ts1\", \"title\": {deep}")));
    assert_eq!(err.field(), "session.title", "{err}");
}

#[test]
fn a_key_given_twice_is_an_error_naming_it() {
    let cases = [
        // At the top level (the last one used to win silently).
        (
            with_raw(
                "dhondt",
                "\"dhondt\"}, \"seed\": 1, \"policy\": {\"name\": \"fcfs\"",
            ),
            "policy: duplicate field `policy`",
        ),
        (
            document()
                .to_string()
                .replace("\"seed\":42", "\"seed\":1,\"seed\":2"),
            "seed: duplicate field `seed`",
        ),
        // In the session, an organisation, a request, the policy and maps.
        (
            with_raw("ts1", "\"ts1\", \"id\": \"ts2\""),
            "session: duplicate field `id`",
        ),
        (
            with_raw("grassroots", "\"grassroots\", \"kind\": \"other\""),
            "organisations[0]: duplicate field `kind`",
        ),
        (
            with_raw("labour", "\"labour\", \"organisation\": \"o1\""),
            "requests[2].organisation: duplicate field `organisation`",
        ),
        (
            with_raw("dhondt", "\"dhondt\", \"method\": \"adams\""),
            "policy.method: duplicate key `method`",
        ),
        (
            with_raw("f", "\"f\", \"gender\": \"m\""),
            "organisations[0].tags.gender: duplicate key `gender`",
        ),
        (
            document()
                .to_string()
                .replace("\"academia\":2.0", "\"academia\":2.0,\"academia\":1.0"),
            "session.chair.familiarity: duplicate key `academia`",
        ),
    ];
    for (text, expected) in cases {
        let err = error_of(&text);
        assert_eq!(err.to_string(), expected, "{text}");
        assert_eq!(err.kind(), ErrorKind::DuplicateId, "{err}");
    }
}

#[test]
fn readers_agree_and_the_tool_reads_through_the_limits() {
    let text = document().to_string();
    let from_str = AllocationInput::from_json_str(&text)
        .unwrap()
        .allocate()
        .unwrap();
    let from_reader = AllocationInput::from_reader(text.as_bytes())
        .unwrap()
        .allocate()
        .unwrap();
    let from_value = AllocationInput::from_json(document())
        .unwrap()
        .allocate()
        .unwrap();
    assert_eq!(from_str, from_reader);
    assert_eq!(from_str, from_value);
    let out = common::run_with_stdin("allocate", &[], &text);
    assert!(out.status.success());
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed, serde_json::to_value(&from_str).unwrap());
}

/// Memory cannot be measured reliably in a test; what keeps it bounded can: a theme is one
/// shared string however many requests name it, and the checked session keeps that string.
#[test]
fn themes_are_interned_once_per_distinct_value() {
    let mut doc = document();
    let requests: Vec<Value> = (0..300)
        .map(|i| {
            let theme = ["climate", "labour"][i % 2];
            json!({"organisation": format!("o{}", i % 3 + 1), "theme": theme})
        })
        .collect();
    doc["requests"] = Value::Array(requests);
    let input = AllocationInput::from_json_str(&doc.to_string()).unwrap();
    let themes = input.session.themes();
    assert_eq!(themes.len(), 2);
    assert_eq!(
        input.session.requests()[298].theme,
        input.session.requests()[0].theme
    );
}

/// A scenario, a policy file and a published record are read like the session: a key given
/// twice is an error naming it, never the last one silently winning.
#[test]
fn duplicate_keys_in_scenarios_policy_files_and_records_are_named() {
    use floorshare::sim::Scenario;
    let scenario = r#"{"name": "d", "population": {"organisations": []}, "sessions": [],
        "behaviour": {"ask_probability": {}}, "policies": [{"label": "a",
        "policy": {"name": "fcfs"}, "label": "b"}], "runs": 1}"#;
    let err = Scenario::from_json_str(scenario).unwrap_err();
    assert_eq!(err.field(), "policies[0].label", "{err}");
    assert_eq!(err.kind(), floorshare::ErrorKind::DuplicateId);

    let dir = std::env::temp_dir().join(format!("floorshare-dup-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let policy = dir.join("policy.json");
    std::fs::write(&policy, r#"{"name": "fcfs", "name": "capped_lottery"}"#).unwrap();
    let session = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/sessions/thematic_session_2.json"
    );
    let out = std::process::Command::new(common::example("allocate"))
        .args(["--policy", policy.to_str().unwrap(), session])
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("name: duplicate key `name`"), "{stderr}");
    std::fs::remove_dir_all(&dir).ok();
}
