//! Inputs the fuzz targets of `fuzz/` found failing, kept as tests once fixed (each is also in
//! the target's seed corpus).

use floorshare::interchange::AllocationInput;
use floorshare::sim::SimulationSummary;

/// `session` target: an empty key was an unknown field with an empty path (`: unknown field
/// ```), a line naming nothing.
#[test]
fn an_empty_key_is_named() {
    let found = r#"{"":{"id":"ties","slots":1,"length_minutes":60,"placement":"spread"},"organosations":[{"id":"east-1","region":"eastnorth-1"},{"organisation":"north-2"},{"organion":"est-2"}],"policy":{"name":"capped_lottery","time":{"fixed":2}},"seed":54}"#;
    let err = AllocationInput::from_json_str(found).unwrap_err();
    assert_eq!(err.field(), r#""""#);
    for (document, field) in [
        (
            r#"{"session":{"id":"s","slots":1,"":2},"organisations":[],"requests":[],"policy":{"name":"fcfs"},"seed":1}"#,
            r#"session."""#,
        ),
        (
            r#"{"session":{"id":"s","slots":1},"organisations":[],"requests":[],"policy":{"name":"fcfs","":1},"seed":1}"#,
            r#"policy."""#,
        ),
    ] {
        let err = AllocationInput::from_json_str(document).unwrap_err();
        assert_eq!(err.field(), field, "{err}");
    }
    let err = SimulationSummary::from_json_str(r#"{"":1}"#).unwrap_err();
    assert_eq!(err.field(), r#""""#, "{err}");
}
