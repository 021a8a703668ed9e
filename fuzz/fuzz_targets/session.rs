//! A session document as the `allocate` tool reads it: decode, check, allocate under the
//! decoded policy, measure, and verify the record against itself. Every accepted input must
//! keep the promises of every policy: nothing lost, capacity, determinism, and a record that
//! replays to itself.
#![no_main]

use floorshare::allocation::Allocate;
use floorshare::audit;
use floorshare::interchange::AllocationInput;
use floorshare::metrics::AllocationMetrics;
use floorshare::policy;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let input = match AllocationInput::from_json_str(text) {
        Ok(input) => input,
        Err(err) => {
            // A bad document is one line naming a field.
            assert!(!err.field().is_empty(), "{err}");
            assert_eq!(err.to_string().lines().count(), 1, "{err}");
            return;
        }
    };
    let Ok(allocation) = input.allocate() else {
        return;
    };
    let session = &input.session;
    // Nothing lost: every request exactly once.
    let mut seen: Vec<u32> = allocation
        .granted
        .iter()
        .map(|g| g.request)
        .chain(allocation.waitlisted.iter().map(|w| w.request))
        .collect();
    seen.sort_unstable();
    assert!(seen.iter().copied().eq(0..session.requests().len() as u32));
    // Capacity: at most `slots`, one per organisation.
    assert!(allocation.granted.len() <= session.session().slots as usize);
    let mut speakers: Vec<usize> = allocation
        .granted
        .iter()
        .map(|g| session.organisation_of(g.request as usize))
        .collect();
    speakers.sort_unstable();
    speakers.dedup();
    assert_eq!(speakers.len(), allocation.granted.len());
    // Determinism, and the record replays to itself.
    let again = input.policy.allocate_seeded(session, input.seed).unwrap();
    let record = serde_json::to_value(&allocation).unwrap();
    assert_eq!(record, serde_json::to_value(&again).unwrap());
    audit::verify(session, &record, policy::built_in()).unwrap();
    let _ = audit::explain(session, &allocation);
    // Metrics are defined or absent, never NaN.
    let metrics = AllocationMetrics::measure(session, &allocation);
    let json = serde_json::to_string(&metrics).unwrap();
    assert!(!json.contains("NaN"));
});
