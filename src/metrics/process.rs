//! A whole process: what each organisation that asked was granted over many sessions.

use serde::{Deserialize, Serialize};

use super::Granted;
use super::{atkinson, gini, jain, never_heard_share, theil_t, top_decile_share};
use crate::Result;
use crate::model::CheckedSession;

/// The inequality indices of one list of values (see each function for its formula and
/// degenerate answers).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Inequality {
    /// [`gini`](super::gini).
    pub gini: f64,
    /// [`theil_t`](super::theil_t).
    pub theil_t: f64,
    /// [`atkinson`](super::atkinson) with ε = 0.5.
    pub atkinson_0_5: f64,
    /// Atkinson with ε = 1.
    pub atkinson_1: f64,
    /// Atkinson with ε = 2.
    pub atkinson_2: f64,
    /// [`jain`](super::jain).
    pub jain: f64,
    /// [`never_heard_share`](super::never_heard_share).
    pub never_heard_share: f64,
    /// [`top_decile_share`](super::top_decile_share).
    pub top_decile_share: f64,
}

impl Inequality {
    /// Every index of `values` (finite and non-negative, else an error naming the value).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::OutOfRange`](crate::ErrorKind::OutOfRange) naming `values[i]` when a value
    /// is negative, NaN or infinite.
    ///
    /// # Example
    ///
    /// ```
    /// use floorshare::metrics::Inequality;
    ///
    /// let equal = Inequality::of(&[2.0, 2.0, 2.0])?;
    /// assert_eq!((equal.gini, equal.jain, equal.never_heard_share), (0.0, 1.0, 0.0));
    /// # Ok::<(), floorshare::Error>(())
    /// ```
    pub fn of(values: &[f64]) -> Result<Self> {
        Ok(Inequality {
            gini: gini(values)?,
            theil_t: theil_t(values)?,
            atkinson_0_5: atkinson(values, 0.5)?,
            atkinson_1: atkinson(values, 1.0)?,
            atkinson_2: atkinson(values, 2.0)?,
            jain: jain(values)?,
            never_heard_share: never_heard_share(values)?,
            top_decile_share: top_decile_share(values)?,
        })
    }
}

/// Slots and minutes per organisation over the sessions of a process (one roster), for the
/// inequality across the organisations that requested at least once; and who asked for a voice
/// and was voiced, for [`ProcessTally::never_voiced_share`].
///
/// "Requested at least once" means *as a requester* (the inequality indices and
/// `never_heard_share` count those); "asked for a voice" means as a requester or as a
/// co-signatory of a request (`on_behalf_of`), duplicates excluded. Without joint statements
/// the two are the same organisations, and `never_voiced_share` equals `never_heard_share`.
///
/// ```
/// use floorshare::allocation::Allocate;
/// use floorshare::metrics::ProcessTally;
/// use floorshare::model::*;
/// use floorshare::policy::RegionalBalance;
///
/// let organisations = vec![
///     Organisation::new("a", "asia", Kind::Grassroots),
///     Organisation::new("b", "asia", Kind::Grassroots),
///     Organisation::new("quiet", "asia", Kind::Academia),
/// ];
/// let session = SessionInput::new(Session::new("s", 1), organisations, vec![Request::new("a"), Request::new("b")])
/// .check()?;
/// let mut process = ProcessTally::new(3);
/// process.add(&session, &RegionalBalance::default().allocate_seeded(&session, 1)?);
/// // Two organisations asked, one was heard: "quiet" never asked and does not count.
/// assert_eq!(process.slots().len(), 2);
/// assert_eq!(process.slot_inequality().never_heard_share, 0.5);
/// # Ok::<(), floorshare::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ProcessTally {
    requested: Vec<bool>,
    slots: Vec<u64>,
    minutes: Vec<u64>,
    /// Per organisation: asked for a voice (bit 1) and was voiced (bit 2).
    #[serde(default)]
    voice: Vec<u8>,
    /// Organisations that asked for a voice.
    #[serde(default)]
    voice_askers: u64,
    /// Organisations voiced (every one of them asked).
    #[serde(default)]
    voiced: u64,
}

/// Marks of [`ProcessTally::voice`].
const ASKED: u8 = 1;
const VOICED: u8 = 2;

impl ProcessTally {
    /// A tally for a roster of `organisations` organisations.
    pub fn new(organisations: usize) -> Self {
        ProcessTally {
            requested: vec![false; organisations],
            slots: vec![0; organisations],
            minutes: vec![0; organisations],
            voice: vec![0; organisations],
            voice_askers: 0,
            voiced: 0,
        }
    }

    /// Adds one session's allocation (the session's roster must be the tally's).
    ///
    /// # Panics
    ///
    /// If `allocation` is not of `session` (a granted request index outside its requests).
    pub fn add(&mut self, session: &CheckedSession, allocation: &impl Granted) {
        if self.voice.len() != self.slots.len() {
            // A tally read from JSON written before voices were counted.
            self.voice.resize(self.slots.len(), 0);
        }
        // Voices, in the same passes: each requester and co-signatory asked; each speaker and
        // co-signatory of a granted statement was voiced. O(requests + co-signatories).
        let joint = session.has_joint_statements();
        let voice = &mut self.voice;
        let mut mark = |org: usize, bit: u8, count: &mut u64| {
            if let Some(marks) = voice.get_mut(org) {
                *count += u64::from(*marks & bit == 0);
                *marks |= bit;
            }
        };
        for &r in session.requesters() {
            let r = r as usize;
            let org = session.organisation_of(r);
            if let Some(asked) = self.requested.get_mut(org) {
                *asked = true;
            }
            mark(org, ASKED, &mut self.voice_askers);
            if joint {
                for &org in session.on_behalf_of(r) {
                    mark(org as usize, ASKED, &mut self.voice_askers);
                }
            }
        }
        for grant in allocation.slots() {
            let r = grant.request as usize;
            let org = session.organisation_of(r);
            if org < self.slots.len() {
                self.slots[org] += 1;
                self.minutes[org] += u64::from(grant.minutes);
            }
            mark(org, VOICED, &mut self.voiced);
            if joint {
                for &org in session.on_behalf_of(r) {
                    mark(org as usize, VOICED, &mut self.voiced);
                }
            }
        }
    }

    /// Share of the organisations that asked for a voice in the process (as requesters or
    /// co-signatories of a request) that were never voiced: never a speaker, nor a co-signatory
    /// of a granted joint statement. 0 when no one asked (as
    /// [`never_heard_share`](super::never_heard_share) of nothing).
    ///
    /// ```
    /// use floorshare::allocation::Allocate;
    /// use floorshare::metrics::ProcessTally;
    /// use floorshare::model::*;
    /// use floorshare::policy::Fcfs;
    ///
    /// let organisations = vec![
    ///     Organisation::new("focal", "pacific", Kind::Grassroots),
    ///     Organisation::new("a", "pacific", Kind::Grassroots),
    ///     Organisation::new("b", "asia", Kind::Grassroots),
    ///     Organisation::new("c", "asia", Kind::Grassroots),
    /// ];
    /// let requests = vec![
    ///     Request::new("focal").on_behalf_of(["a"]),
    ///     Request::new("b").on_behalf_of(["c"]),
    /// ];
    /// let session = SessionInput::new(Session::new("s", 1), organisations, requests).check()?;
    /// let mut process = ProcessTally::new(4);
    /// process.add(&session, &Fcfs::default().allocate_seeded(&session, 1)?);
    /// // "focal" spoke for "a"; "b" and "c" were not voiced. Of the two requesters, one spoke.
    /// assert_eq!(process.never_voiced_share(), 0.5);
    /// assert_eq!(process.slot_inequality().never_heard_share, 0.5);
    /// # Ok::<(), floorshare::Error>(())
    /// ```
    pub fn never_voiced_share(&self) -> f64 {
        if self.voice_askers == 0 {
            return 0.0;
        }
        (self.voice_askers - self.voiced) as f64 / self.voice_askers as f64
    }

    /// Number of organisations that asked for a voice (requesters and co-signatories).
    pub fn voice_askers(&self) -> u64 {
        self.voice_askers
    }

    /// Number of organisations voiced (speakers and co-signatories of granted statements).
    pub fn voiced(&self) -> u64 {
        self.voiced
    }

    /// Slots of each organisation that requested at least once, in roster order.
    pub fn slots(&self) -> Vec<f64> {
        self.of_requesters(&self.slots)
    }

    /// As [`ProcessTally::slots`], into `out` (cleared first; its memory is reused).
    pub fn slots_into(&self, out: &mut Vec<f64>) {
        self.of_requesters_into(&self.slots, out);
    }

    /// Starts a new process of `organisations` organisations, keeping the memory.
    pub fn reset(&mut self, organisations: usize) {
        for list in [&mut self.slots, &mut self.minutes] {
            list.clear();
            list.resize(organisations, 0);
        }
        self.requested.clear();
        self.requested.resize(organisations, false);
        self.voice.clear();
        self.voice.resize(organisations, 0);
        self.voice_askers = 0;
        self.voiced = 0;
    }

    /// Minutes of each organisation that requested at least once, in roster order.
    pub fn minutes(&self) -> Vec<f64> {
        self.of_requesters(&self.minutes)
    }

    fn of_requesters(&self, values: &[u64]) -> Vec<f64> {
        let mut out = Vec::new();
        self.of_requesters_into(values, &mut out);
        out
    }

    fn of_requesters_into(&self, values: &[u64], out: &mut Vec<f64>) {
        out.clear();
        out.extend(
            values
                .iter()
                .zip(&self.requested)
                .filter(|(_, asked)| **asked)
                .map(|(&v, _)| v as f64),
        );
    }

    /// Inequality of slots across the organisations that requested.
    pub fn slot_inequality(&self) -> Inequality {
        Self::inequality(&self.slots())
    }

    /// Inequality of minutes across the organisations that requested.
    pub fn minute_inequality(&self) -> Inequality {
        Self::inequality(&self.minutes())
    }

    /// The indices of counts, which are always in their domain (finite, non-negative).
    fn inequality(counts: &[f64]) -> Inequality {
        Inequality::of(counts).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::tests::Grants;
    use crate::model::{History, Kind, Organisation, Request, Roster, Session};
    use std::sync::Arc;

    fn roster(n: usize) -> Arc<Roster> {
        Arc::new(
            Roster::new(
                (0..n)
                    .map(|i| Organisation::new(format!("o{i}"), "asia", Kind::Grassroots))
                    .collect(),
                Default::default(),
            )
            .unwrap(),
        )
    }

    fn session(roster: &Arc<Roster>, requests: &[Request]) -> CheckedSession {
        CheckedSession::new(
            Session::new("s", 2),
            roster.clone(),
            requests,
            History::default(),
        )
        .unwrap()
    }

    #[test]
    fn voices_count_cosignatories_and_requesters_count_requesters() {
        let roster = roster(7);
        let mut process = ProcessTally::new(7);
        // Session 1: o0 for o1 and o2 (granted), o3 for o4 (waiting), o0 again (duplicate).
        let first = session(
            &roster,
            &[
                Request::new("o0").on_behalf_of(["o1", "o2"]),
                Request::new("o3").on_behalf_of(["o4"]),
                Request::new("o0").on_behalf_of(["o5"]),
            ],
        );
        process.add(&first, &Grants(vec![0]));
        // Asked for a voice: o0..o4 (o5 only through a duplicate); voiced: o0, o1, o2.
        assert_eq!((process.voice_askers(), process.voiced()), (5, 3));
        assert_eq!(process.never_voiced_share(), 2.0 / 5.0);
        // Requested (for never_heard_share): o0 and o3; heard: o0.
        assert_eq!(process.slots(), [1.0, 0.0]);
        assert_eq!(process.slot_inequality().never_heard_share, 0.5);
        // Session 2: o4 speaks alone and is granted; o6 asks and waits.
        let second = session(&roster, &[Request::new("o4"), Request::new("o6")]);
        process.add(&second, &Grants(vec![0]));
        assert_eq!((process.voice_askers(), process.voiced()), (6, 4));
        assert_eq!(process.never_voiced_share(), 2.0 / 6.0);
        assert_eq!(process.slots(), [1.0, 0.0, 1.0, 0.0]);
        process.reset(7);
        assert_eq!(process, ProcessTally::new(7));
        assert_eq!(process.never_voiced_share(), 0.0);
    }

    #[test]
    fn without_joint_statements_never_voiced_is_never_heard() {
        let roster = roster(5);
        let mut process = ProcessTally::new(5);
        for (asks, granted) in [
            (&["o0", "o1", "o2", "o1"][..], vec![1]),
            (&["o3", "o2"], vec![]),
            (&["o2", "o0"], vec![1, 0]),
        ] {
            let requests: Vec<Request> = asks.iter().map(|&id| Request::new(id)).collect();
            process.add(&session(&roster, &requests), &Grants(granted));
            assert_eq!(
                process.never_voiced_share(),
                process.slot_inequality().never_heard_share
            );
        }
        assert_eq!(process.never_voiced_share(), 1.0 / 4.0);
    }

    #[test]
    fn a_tally_written_before_voices_were_counted_still_reads_and_counts() {
        let json = r#"{"requested": [true, false], "slots": [1, 0], "minutes": [3, 0]}"#;
        let mut process: ProcessTally = serde_json::from_str(json).unwrap();
        assert_eq!(process.never_voiced_share(), 0.0);
        let roster = roster(2);
        process.add(&session(&roster, &[Request::new("o1")]), &Grants(vec![]));
        assert_eq!(process.never_voiced_share(), 1.0);
    }
}
