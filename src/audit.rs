//! Checking and explaining a published allocation: [`verify`] replays the recorded policy and
//! seed on the session and names the first difference; [`explain`] says in plain words what
//! each audit step did and why each organisation was granted or waits.
//!
//! Election software works this way: a result is published with everything needed to
//! recompute it, and anyone can recompute it (the Dutch Kiesraad's Abacus records every seat
//! change as a typed step for the same reason). An allocation record carries its policy with
//! every parameter spelled out, its seed and the crate version; replaying them on the same
//! session must give the same record, field for field.
//!
//! # Example
//!
//! ```
//! use floorshare::allocation::Allocate;
//! use floorshare::audit::{self, Mismatch};
//! use floorshare::model::*;
//! use floorshare::policy;
//!
//! let session = SessionInput::new(
//!     Session::new("s", 1),
//!     vec![Organisation::new("a", "asia", Kind::Grassroots),
//!          Organisation::new("b", "europe", Kind::Academia)],
//!     vec![Request::new("a"), Request::new("b")],
//! )
//! .check()?;
//! let policy = policy::from_json(serde_json::json!({"name": "capped_lottery"}))?;
//! let record = serde_json::to_value(policy.allocate_seeded(&session, 9)?).unwrap();
//! assert!(audit::verify(&session, &record, &policy::built_in()).is_ok());
//!
//! // Someone swaps the speaker.
//! let mut tampered = record.clone();
//! let other = if record["granted"][0]["organisation"] == "a" { "b" } else { "a" };
//! tampered["granted"][0]["organisation"] = other.into();
//! let err = audit::verify(&session, &tampered, &policy::built_in()).unwrap_err();
//! assert!(matches!(err, Mismatch::Difference { ref path, .. } if path == "granted[0].organisation"));
//!
//! let allocation = policy.allocate_seeded(&session, 9)?;
//! let text = audit::explain(&session, &allocation);
//! assert!(text.lines().any(|line| line.starts_with("a: ")));
//! # Ok::<(), floorshare::Error>(())
//! ```

use std::fmt::{self, Write};

use serde_json::Value;

use crate::allocation::{Allocate, Allocation, AuditStep};
use crate::decision::{GrantReason, WaitReason};
use crate::error::quote_json;
use crate::model::CheckedSession;
use crate::policy::Registry;
use crate::{Error, ErrorKind};

/// The version of floorshare that replays records.
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// A record replayed to the same allocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The recorded policy's name.
    pub policy: String,
    /// The recorded seed.
    pub seed: u64,
    /// Speakers granted.
    pub granted: usize,
}

/// Why a record does not verify.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Mismatch {
    /// The record was made by another version of floorshare: replaying it here proves
    /// nothing either way.
    #[error(
        "the record was made by floorshare {recorded}, this is floorshare {running}: replay it with {recorded}"
    )]
    Version {
        /// The record's `floorshare` field.
        recorded: String,
        /// This version.
        running: String,
    },
    /// The record lacks what a replay needs, or its policy cannot be built.
    #[error("record: {0}")]
    Record(Error),
    /// The replay itself failed on this session.
    #[error("replay: {0}")]
    Replay(Error),
    /// The replay differs: the first difference, in the record's field order.
    #[error("{path}: recorded {recorded}, replayed {replayed}")]
    Difference {
        /// Where (`granted[1].organisation`, `seed`).
        path: String,
        /// The record's value (`absent` when it has none), cut short.
        recorded: String,
        /// The replay's value, likewise.
        replayed: String,
    },
}

/// The fields of a record, in the order they are written (and compared).
const FIELDS: [&str; 8] = [
    "session",
    "policy",
    "seed",
    "floorshare",
    "granted",
    "waitlisted",
    "steps",
    "lottery",
];

/// Replays the allocation record `record` (as JSON, as the `allocate` tool writes it) on
/// `session`: its policy, built from `registry` exactly as recorded, with its seed. The
/// record's `metrics`, if any, are not compared.
///
/// # Errors
///
/// [`Mismatch::Version`] when the record was made by another version of floorshare;
/// [`Mismatch::Record`] when it has no `policy` or `seed`, or its policy cannot be built;
/// [`Mismatch::Replay`] when the policy fails on the session; [`Mismatch::Difference`] naming
/// the first field that differs, recorded against replayed.
pub fn verify(
    session: &CheckedSession,
    record: &Value,
    registry: &Registry,
) -> Result<Verified, Mismatch> {
    let recorded_version = record.get("floorshare").and_then(Value::as_str);
    if recorded_version != Some(VERSION) {
        return Err(Mismatch::Version {
            recorded: recorded_version.map_or_else(|| "(none)".into(), str::to_owned),
            running: VERSION.into(),
        });
    }
    let policy = record.get("policy").cloned().ok_or_else(|| {
        Mismatch::Record(Error::json_as(
            ErrorKind::MissingField,
            "policy",
            "missing field `policy`",
        ))
    })?;
    let policy = registry
        .from_json(policy)
        .map_err(|err| Mismatch::Record(err.within("policy")))?;
    let seed = record.get("seed").and_then(Value::as_u64).ok_or_else(|| {
        Mismatch::Record(Error::json_as(
            ErrorKind::MissingField,
            "seed",
            "missing, or not an unsigned integer",
        ))
    })?;
    let replayed = policy
        .allocate_seeded(session, seed)
        .map_err(Mismatch::Replay)?;
    let replayed_json = serde_json::to_value(&replayed).expect("a record serialises");
    for field in FIELDS {
        first_difference(
            field.to_owned(),
            record.get(field),
            replayed_json.get(field),
        )?;
    }
    // Fields the replay does not write (but `metrics`) are differences too.
    if let Some(extra) = record.as_object().and_then(|map| {
        map.keys()
            .find(|k| *k != "metrics" && !FIELDS.contains(&k.as_str()))
    }) {
        first_difference(extra.clone(), record.get(extra), None)?;
    }
    Ok(Verified {
        policy: replayed.policy.name().to_owned(),
        seed,
        granted: replayed.granted.len(),
    })
}

/// The first place where `recorded` and `replayed` differ, depth first.
fn first_difference(
    path: String,
    recorded: Option<&Value>,
    replayed: Option<&Value>,
) -> Result<(), Mismatch> {
    match (recorded, replayed) {
        (Some(Value::Object(a)), Some(Value::Object(b))) => {
            for key in a.keys().chain(b.keys().filter(|k| !a.contains_key(*k))) {
                first_difference(format!("{path}.{key}"), a.get(key), b.get(key))?;
            }
            Ok(())
        }
        (Some(Value::Array(a)), Some(Value::Array(b))) => {
            for i in 0..a.len().max(b.len()) {
                first_difference(format!("{path}[{i}]"), a.get(i), b.get(i))?;
            }
            Ok(())
        }
        (a, b) if a == b => Ok(()),
        (a, b) => Err(Mismatch::Difference {
            path,
            recorded: quote(a),
            replayed: quote(b),
        }),
    }
}

/// A value for a message, cut short; `absent` for none.
fn quote(value: Option<&Value>) -> String {
    value.map_or_else(|| "absent".into(), quote_json)
}

/// The allocation in plain words: one line per audit step, then one line per requesting
/// organisation (and duplicate request) saying why it was granted or waits.
pub fn explain(session: &CheckedSession, allocation: &Allocation) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "session {}: policy {} (seed {}), {} of {} slots granted",
        allocation.session,
        allocation.policy.name(),
        allocation
            .seed
            .map_or_else(|| "none".to_owned(), |s| s.to_string()),
        allocation.granted.len(),
        session.session().slots
    );
    for (i, step) in allocation.steps.iter().enumerate() {
        let _ = writeln!(out, "step {}: {}", i + 1, StepWords(step));
    }
    if let Some(lottery) = &allocation.lottery {
        let _ = writeln!(
            out,
            "lottery: {} panels, panel {} drawn; least chance {} (no lottery can give everyone more than {})",
            lottery.panels,
            lottery.drawn_panel,
            lottery.minimum_probability,
            lottery.certified_upper_bound
        );
    }
    for grant in &allocation.granted {
        let _ = write!(
            out,
            "{}: speaks {}{}, {} minutes — {}",
            grant.organisation,
            ordinal(grant.position),
            grant
                .start_minute
                .map_or_else(String::new, |m| format!(" at minute {m}")),
            grant.minutes,
            granted_words(grant.reason)
        );
        if let Some(detail) = &grant.detail {
            let _ = write!(out, " ({detail})");
        }
        out.push('\n');
    }
    for waiting in allocation.waitlisted.iter() {
        let _ = write!(
            out,
            "{}: waits — {}",
            waiting.organisation,
            waiting_words(waiting.reason)
        );
        if let Some(detail) = waiting.detail {
            let _ = write!(out, " ({detail})");
        }
        out.push('\n');
    }
    out
}

fn ordinal(position: u32) -> String {
    let suffix = match (position % 10, position % 100) {
        (1, p) if p != 11 => "st",
        (2, p) if p != 12 => "nd",
        (3, p) if p != 13 => "rd",
        _ => "th",
    };
    format!("{position}{suffix}")
}

/// Why a grant, in words.
fn granted_words(reason: GrantReason) -> String {
    match reason {
        GrantReason::ChairPick => "picked by the chair".into(),
        GrantReason::RegionalQuota => "within its region's quota".into(),
        GrantReason::GrassrootsPriority => "the grassroots class goes first".into(),
        GrantReason::Reserved => "won a slot reserved for the grassroots class".into(),
        GrantReason::Lottery => "drawn by lot".into(),
        GrantReason::InscriptionOrder => "inscribed early enough".into(),
        GrantReason::Rotation => "its turn by fewest and least recent speeches".into(),
        GrantReason::ProgressiveStack => "among the highest scores of the stack".into(),
        GrantReason::Alternation => "its list's turn in the alternation".into(),
        GrantReason::ConstituencyTurn => "its constituency's turn".into(),
        GrantReason::FairLottery => "in the panel drawn from the fair lottery".into(),
        other => format!("granted `{other}`"),
    }
}

/// Why a wait, in words.
fn waiting_words(reason: WaitReason) -> String {
    match reason {
        WaitReason::NotSelected => "it was in a pool a lot drew from, and was not drawn".into(),
        WaitReason::Capacity => "no slot was left for it under the rule".into(),
        WaitReason::Duplicate => "a second request of the same organisation".into(),
        other => format!("waits `{other}`"),
    }
}

/// An audit step in plain words.
struct StepWords<'a>(&'a AuditStep);

impl fmt::Display for StepWords<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |items: &[std::sync::Arc<str>]| items.join(", ");
        match self.0 {
            AuditStep::CountDrawn { min, max, drawn } => {
                write!(f, "the chair's count drawn from {min}..={max}: {drawn}")
            }
            AuditStep::QuotaComputed {
                method,
                round,
                units,
                regions,
            } => {
                let shares: Vec<String> = regions
                    .iter()
                    .map(|r| format!("{} {} (weight {})", r.region, r.units, r.weight))
                    .collect();
                write!(
                    f,
                    "{units} slots apportioned by {method} (round {round}): {}",
                    shares.join(", ")
                )
            }
            AuditStep::CapApplied { region, cap } => {
                write!(f, "{region} capped at its {cap} requesting organisations")
            }
            AuditStep::TieBrokenByLot {
                regions,
                winners,
                units,
            } => write!(
                f,
                "{} tied for {units} slot(s); a lot gave them to {}",
                list(regions),
                list(winners)
            ),
            AuditStep::LotDrawn {
                pool,
                region,
                size,
                weighting,
                class_weight,
                winners,
            } => {
                write!(f, "a lot ({weighting}")?;
                if let Some(w) = class_weight {
                    write!(f, ", class weight {w}")?;
                }
                write!(f, ") drew from the pool {pool}")?;
                if let Some(region) = region {
                    write!(f, " of {region}")?;
                }
                write!(f, " ({size} members): {}", list(winners))
            }
            AuditStep::RegionOrderDrawn { order } => {
                write!(f, "a lot drew the order of regions: {}", list(order))
            }
            AuditStep::ConstituencyOrder { order } => {
                write!(f, "constituencies take turns in the order {}", list(order))
            }
            AuditStep::RuleApplied {
                rule,
                region,
                reserved,
                slots,
                granted,
            } => {
                write!(f, "the rule {rule}")?;
                if let Some(region) = region {
                    write!(f, " in {region}")?;
                }
                if let (Some(r), Some(s)) = (reserved, slots) {
                    write!(f, " ({r} of {s} slots reserved)")?;
                }
                if !granted.is_empty() {
                    write!(f, " granted {}", list(granted))?;
                }
                Ok(())
            }
            AuditStep::SpeakingOrder { rule, order } => {
                write!(f, "the speaking order by {rule}: {}", list(order))
            }
            AuditStep::ValueOrderDrawn { category, order } => write!(
                f,
                "a lot drew the order of the values of {category}: {}",
                list(order)
            ),
            AuditStep::TimeCut { window, kept, cut } => write!(
                f,
                "{window} minutes keep {kept} speakers; cut for time: {}",
                list(cut)
            ),
            AuditStep::MinutesApportioned {
                category,
                method,
                window,
                values,
            } => {
                let shares: Vec<String> = values
                    .iter()
                    .map(|v| format!("{} {} min", v.value, v.minutes))
                    .collect();
                write!(
                    f,
                    "{window} minutes apportioned among the values of {category} by {method}: {}",
                    shares.join(", ")
                )
            }
            AuditStep::PanelDrawn {
                panels,
                drawn_panel,
                panel,
            } => write!(
                f,
                "panel {drawn_panel} drawn from {panels} equally likely panels: {}",
                list(panel)
            ),
            AuditStep::Custom {
                code,
                detail,
                organisations,
            } => {
                write!(f, "{code}")?;
                if let Some(detail) = detail {
                    write!(f, ": {detail}")?;
                }
                if !organisations.is_empty() {
                    write!(f, " ({})", list(organisations))?;
                }
                Ok(())
            }
            #[allow(unreachable_patterns)]
            other => write!(f, "{other:?}"),
        }
    }
}
