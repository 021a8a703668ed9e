//! Summary merging as `gcm_2017 merge` does it: two summaries, plain or of a sweep (the input
//! split at its first newline), read strictly, then merged. A summary either side refuses is
//! one line naming a field; a merge that succeeds gives a summary that passes the same checks,
//! has no `null` where a number belongs and reads back equal.
#![no_main]

use floorshare::sim::AnySummary;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (first, second) = text.split_once('\n').unwrap_or((text, text));
    let read = |json: &str| match AnySummary::from_json_str(json) {
        Ok(summary) => Some(summary),
        Err(err) => {
            assert!(!err.field().is_empty(), "{err}");
            assert_eq!(err.to_string().lines().count(), 1, "{err}");
            None
        }
    };
    let (Some(mut merged), Some(other)) = (read(first), read(second)) else {
        return;
    };
    let before = merged.clone();
    if merged.merge(&other).is_err() {
        // A refused merge changes nothing.
        assert_eq!(merged, before);
        return;
    }
    let json = match &merged {
        AnySummary::Plain(summary) => {
            summary.check().unwrap();
            serde_json::to_string(summary).unwrap()
        }
        AnySummary::Sweep(summary) => {
            summary.check().unwrap();
            serde_json::to_string(summary).unwrap()
        }
    };
    assert!(!json.contains("null"), "{json}");
    let back = AnySummary::from_json_str(&json).unwrap();
    assert_eq!(back, merged);
});
