//! The `time` stage: the minutes of each granted slot.

use std::fmt;
use std::sync::Arc;

use rand::Rng;
use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::Scratch;
use crate::apportion::{self, MAX_UNITS, Method};
use crate::decision::{Decision, Pool, Step, ValueLine, Weighting};
use crate::model::{Category, CheckedSession};
use crate::{Error, Result};

/// The minutes of each granted slot.
///
/// - `"fixed"` (default): min(requested, the session's `minutes_per_slot`).
/// - `{"fixed": M}`: M minutes each (M ≥ 1), overriding the session's and the request's.
/// - `{"equal_split": {"window": W, "floor": f}}`: W minutes shared by the g granted speakers
///   by Hamilton's method with equal weights: exact integers summing to W, ⌊W/g⌋ each and the
///   W mod g extra minutes to the earliest speakers. If W/g < f, the list is first cut to
///   ⌊W/f⌋ speakers (the policy's last picks wait `capacity`). W ≥ 1, f ≥ 1. A fixed window
///   shared by whoever is on the list, with a minimum worth speaking for, as facilitated
///   dialogues and the Human Rights Council's shortened speaking times do.
/// - `{"group_proportional": {"window": W, "category": C, "equal_part": α, "method": M}}`:
///   the European Parliament's rule for debates (Rules of Procedure, Rule 171: part of the
///   speaking time divided equally among the political groups, the rest in proportion to
///   their members). W minutes go to the values of C that have a granted speaker, as one
///   apportionment in whole minutes by method M (default `sainte_lague`) over the weights
///   α/G + (1 − α)·r_v/R, where G is the number of such values, r_v the value's requesting
///   organisations and R = Σr_v; α in [0, 1]. A value's minutes are split among its speakers
///   by Hamilton with equal weights (extra minutes to its earliest speakers); a speaker left
///   with 0 minutes is cut (waits `capacity`). The apportionment is a `minutes_apportioned`
///   step; a tie is broken by lot (`lot_drawn`, pool `tied_values`).
///
/// A cut is recorded as a `time_cut` step naming the speakers cut.
///
/// # Example
///
/// ```
/// use floorshare::stage::{EqualSplit, Time};
///
/// let time: Time = serde_json::from_str(r#"{"equal_split": {"window": 12, "floor": 3}}"#)?;
/// assert_eq!(time, Time::EqualSplit(EqualSplit { window: 12, floor: 3 }));
/// assert_eq!(serde_json::from_str::<Time>(r#""fixed""#)?, Time::Fixed);
/// assert_eq!(serde_json::from_str::<Time>(r#"{"fixed": 2}"#)?, Time::FixedMinutes(2));
/// assert_eq!(serde_json::to_string(&Time::FixedMinutes(2))?, r#"{"fixed":2}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub enum Time {
    /// Each speaker's request, capped by the session's `minutes_per_slot`.
    #[default]
    Fixed,
    /// The same minutes for every speaker.
    FixedMinutes(u32),
    /// A window shared equally, with a floor per speaker.
    EqualSplit(EqualSplit),
    /// A window shared among the values of a category, part equally, part by size.
    GroupProportional(GroupProportional),
}

/// The parameters of [`Time::EqualSplit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EqualSplit {
    /// The minutes shared, ≥ 1.
    pub window: u32,
    /// The fewest minutes worth a slot, ≥ 1.
    pub floor: u32,
}

/// The parameters of [`Time::GroupProportional`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupProportional {
    /// The minutes shared, from 1 to [`MAX_UNITS`].
    pub window: u32,
    /// The category whose values share the window.
    pub category: Arc<Category>,
    /// The part shared equally among the values, in [0, 1].
    pub equal_part: f64,
    /// The apportionment method (default `sainte_lague`).
    #[serde(default = "sainte_lague")]
    pub method: Method,
}

fn sainte_lague() -> Method {
    Method::SainteLague
}

/// The rules written as a one-key object.
#[derive(Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum Tagged {
    Fixed(u32),
    EqualSplit(EqualSplit),
    GroupProportional(GroupProportional),
}

impl Serialize for Time {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = match self {
            Time::Fixed => return serializer.serialize_str("fixed"),
            _ => serializer.serialize_map(Some(1))?,
        };
        match self {
            Time::Fixed => unreachable!(),
            Time::FixedMinutes(m) => map.serialize_entry("fixed", m)?,
            Time::EqualSplit(split) => map.serialize_entry("equal_split", split)?,
            Time::GroupProportional(rule) => map.serialize_entry("group_proportional", rule)?,
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Time {
    /// `"fixed"` or a one-key object naming the rule.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct TimeVisitor;
        impl<'de> Visitor<'de> for TimeVisitor {
            type Value = Time;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    r#""fixed", {"fixed": M}, {"equal_split": {...}} or {"group_proportional": {...}}"#,
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Time, E> {
                match v {
                    "fixed" => Ok(Time::Fixed),
                    _ => Err(E::unknown_variant(
                        v,
                        &["fixed", "equal_split", "group_proportional"],
                    )),
                }
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> std::result::Result<Time, A::Error> {
                if let Some(keys) = map.size_hint().filter(|&keys| keys != 1) {
                    return Err(de::Error::custom(format_args!(
                        "expected one rule, as in {{\"fixed\": 2}}, found an object with {keys} keys"
                    )));
                }
                Ok(
                    match Tagged::deserialize(de::value::MapAccessDeserializer::new(map))? {
                        Tagged::Fixed(m) => Time::FixedMinutes(m),
                        Tagged::EqualSplit(split) => Time::EqualSplit(split),
                        Tagged::GroupProportional(rule) => Time::GroupProportional(rule),
                    },
                )
            }
        }
        deserializer.deserialize_any(TimeVisitor)
    }
}

impl Time {
    /// Whether this is the default, each speaker's own minutes.
    pub fn is_fixed(&self) -> bool {
        *self == Time::Fixed
    }

    pub(super) fn check(&self) -> Result<()> {
        let at_least_one = |field: &str, value: u32| {
            if value == 0 {
                Err(Error::invalid(field, 0, "is below 1"))
            } else {
                Ok(())
            }
        };
        match self {
            Time::Fixed => Ok(()),
            Time::FixedMinutes(m) => at_least_one("time.fixed", *m),
            Time::EqualSplit(split) => {
                at_least_one("time.equal_split.window", split.window)?;
                at_least_one("time.equal_split.floor", split.floor)
            }
            Time::GroupProportional(rule) => {
                at_least_one("time.group_proportional.window", rule.window)?;
                if rule.window > MAX_UNITS {
                    return Err(Error::invalid(
                        "time.group_proportional.window",
                        rule.window,
                        format!("is above {MAX_UNITS}, the most an apportionment shares"),
                    ));
                }
                if !(0.0..=1.0).contains(&rule.equal_part) {
                    return Err(Error::invalid(
                        "time.group_proportional.equal_part",
                        rule.equal_part,
                        "is outside [0, 1]",
                    ));
                }
                Ok(())
            }
        }
    }

    /// The category whose values share the window.
    pub(super) fn category(&self) -> Option<&Category> {
        match self {
            Time::GroupProportional(rule) => Some(&rule.category),
            _ => None,
        }
    }

    /// The minutes shared (0 for the fixed rules).
    pub(super) fn window(&self) -> u32 {
        match self {
            Time::EqualSplit(split) => split.window,
            Time::GroupProportional(rule) => rule.window,
            Time::Fixed | Time::FixedMinutes(_) => 0,
        }
    }

    /// Which picks keep a slot: writes into `scratch.kept` one flag per pick (all kept unless
    /// the window cannot give them a minute or the floor). Group proportional apportions the
    /// window here, leaving each value's minutes in `scratch.per_value`.
    pub(super) fn cut(
        &self,
        session: &CheckedSession,
        rng: &mut dyn Rng,
        decision: &mut Decision,
        scratch: &mut Scratch,
    ) -> Result<()> {
        let picks = decision.picks().len();
        scratch.kept.clear();
        scratch.kept.resize(picks, true);
        match self {
            Time::Fixed | Time::FixedMinutes(_) => {}
            Time::EqualSplit(split) => {
                if u64::from(split.window) < u64::from(split.floor) * picks as u64 {
                    let keep = (split.window / split.floor) as usize;
                    scratch.kept[keep..].fill(false);
                }
            }
            Time::GroupProportional(rule) => {
                apportion_window(rule, session, rng, decision, scratch)?;
                // A value's speakers beyond its minutes, the last in the policy's order, get
                // none.
                let Scratch {
                    values,
                    per_value,
                    per_value_2: seen,
                    kept,
                    ..
                } = scratch;
                seen.clear();
                seen.resize(values.len(), 0);
                for (keep, &v) in kept.iter_mut().zip(&values.ids) {
                    seen[v as usize] += 1;
                    *keep = seen[v as usize] <= per_value[v as usize];
                }
            }
        }
        Ok(())
    }

    /// The minutes of the picks in their final speaking order (after the cut and the order
    /// stage; `scratch.values.ids` follows the picks).
    pub(super) fn minutes(&self, decision: &mut Decision, scratch: &mut Scratch) {
        let speakers = decision.picks().len() as u32;
        match self {
            Time::Fixed => {}
            &Time::FixedMinutes(m) => decision.set_minutes((0..speakers).map(|_| m)),
            Time::EqualSplit(split) => {
                if let Some(each) = split.window.checked_div(speakers) {
                    let extra = split.window % speakers;
                    decision.set_minutes((0..speakers).map(|i| each + u32::from(i < extra)));
                }
            }
            Time::GroupProportional(_) => {
                let Scratch {
                    values,
                    per_value: minutes,
                    per_value_2: count,
                    ..
                } = scratch;
                // Each value's speakers left, then its minutes split among them.
                count.clear();
                count.resize(values.len(), 0);
                for &v in &values.ids {
                    count[v as usize] += 1;
                }
                let split = |v: usize| {
                    let n = count[v].max(1);
                    (minutes[v] / n, minutes[v] % n)
                };
                let mut turn = std::mem::take(&mut scratch.ranked);
                turn.clear();
                turn.resize(values.len(), 0);
                decision.set_minutes(values.ids.iter().map(|&v| {
                    let (each, extra) = split(v as usize);
                    let t = turn[v as usize];
                    turn[v as usize] += 1;
                    each + u32::from(t < extra)
                }));
                scratch.ranked = turn;
            }
        }
    }
}

/// Group proportional's apportionment of the window among the values with a granted speaker:
/// each value's minutes into `scratch.per_value`, the steps into `decision`.
fn apportion_window(
    rule: &GroupProportional,
    session: &CheckedSession,
    rng: &mut dyn Rng,
    decision: &mut Decision,
    scratch: &mut Scratch,
) -> Result<()> {
    let values = &scratch.values;
    let groups = values.len();
    scratch.per_value.clear();
    if groups == 0 {
        return Ok(());
    }
    // r_v: requesting organisations per value, values found by binary search among the
    // granted ones (sorted by name); requesters of other values do not count.
    let requesting = &mut scratch.per_value_2;
    requesting.clear();
    requesting.resize(groups, 0);
    let roster = session.roster();
    let value_of = |request: u32| {
        let org = session.organisation_of(request as usize);
        roster.value_of(&rule.category, org)
    };
    for &r in session.requesters() {
        let value = value_of(r);
        let (mut low, mut high) = (0, groups);
        while low < high {
            let middle = (low + high) / 2;
            match value_of(values.first_request(middle as u32)).cmp(&value) {
                std::cmp::Ordering::Less => low = middle + 1,
                std::cmp::Ordering::Greater => high = middle,
                std::cmp::Ordering::Equal => {
                    requesting[middle] += 1;
                    break;
                }
            }
        }
    }
    let g = groups as f64;
    let total: f64 = requesting.iter().map(|&r| f64::from(r)).sum();
    // The weights α/G + (1 − α)·r_v/R, scaled by G·R so that values with equal r_v weigh
    // exactly the same.
    let alpha = rule.equal_part;
    scratch.weights.clear();
    scratch.weights.extend(
        requesting
            .iter()
            .map(|&r| alpha * total + (1.0 - alpha) * g * f64::from(r)),
    );
    apportion::apportion_into(
        rule.method,
        &scratch.weights,
        rule.window,
        rng,
        &mut scratch.apportion,
        &mut scratch.apportionment,
    )?;
    let seats = &scratch.apportionment.seats;
    let lines = decision.push_value_lines((0..groups).map(|v| ValueLine {
        speaker: values.first_request(v as u32),
        weight: scratch.weights[v] / (g * total),
        minutes: seats[v],
    }));
    decision.step(Step::MinutesApportioned {
        category: rule.category.clone(),
        method: rule.method,
        window: rule.window,
        lines,
    });
    for tie in &scratch.apportionment.ties {
        decision.lot_drawn(
            Pool::TiedValues,
            tie.groups.len(),
            Weighting::Uniform,
            tie.winners.iter().map(|&v| values.first_request(v as u32)),
        );
    }
    scratch.per_value.extend_from_slice(seats);
    Ok(())
}
