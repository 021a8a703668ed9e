//! The counts of one allocation from which the per-session metrics follow, computed in one
//! pass over roster indices: the fast path the simulator uses for every simulated session.

use super::Granted;
use super::diversity::normalised_entropy_of;
use super::{Disproportionality, is_late, normalised_position};
use crate::model::{CheckedSession, Kind};

/// Counts of one allocation of one session, by region (indexed like the roster's regions), by
/// kind and for the grassroots class, with the shares and indices of [`crate::metrics`]
/// derived from them. A derived value is `None` (`null` in JSON) where it is undefined: a share
/// of nothing (nothing granted, requested or themed), the class's mean position when it has no
/// slot, the late share without a session length.
///
/// # Example
///
/// ```
/// use floorshare::allocation::Allocate;
/// use floorshare::metrics::SessionFigures;
/// use floorshare::model::*;
/// use floorshare::policy::GrassrootsPriority;
///
/// let organisations = vec![
///     Organisation::new("a", "asia", Kind::Grassroots),
///     Organisation::new("b", "europe", Kind::InternationalNgo),
///     Organisation::new("c", "europe", Kind::InternationalNgo),
/// ];
/// let requests = organisations.iter().map(|o| Request::new(&o.id)).collect();
/// let session = SessionInput::new(Session::new("s", 2).with_length(100), organisations, requests)
/// .check()?;
/// let allocation = GrassrootsPriority::strict().allocate_seeded(&session, 1)?;
/// let figures = SessionFigures::measure(&session, &allocation);
/// assert_eq!(figures.class_slot_share(), Some(0.5));
/// assert_eq!(figures.class_request_share(), Some(1.0 / 3.0));
/// assert_eq!(figures.kind_slot_share(Kind::InternationalNgo), Some(0.5));
/// assert_eq!(figures.late_share(), Some(1.0));
/// # Ok::<(), floorshare::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SessionFigures {
    /// Requesting organisations per region.
    pub region_requests: Vec<u32>,
    /// Granted slots per region.
    pub region_granted: Vec<u32>,
    /// Requesting organisations per kind ([`Kind::index`]).
    pub kind_requests: [u32; Kind::ALL.len()],
    /// Granted slots per kind.
    pub kind_granted: [u32; Kind::ALL.len()],
    /// Requesting organisations of the grassroots class.
    pub class_requests: u32,
    /// Slots granted to the grassroots class.
    pub class_granted: u32,
    /// Sum of the class's normalised positions.
    pub class_position_sum: f64,
    /// Granted slots starting in the last fifth of the session; `None` without a length.
    pub late: Option<u32>,
    /// Distinct themes requested.
    pub themes_requested: u32,
    /// Distinct themes heard.
    pub themes_heard: u32,
    /// Slots granted to organisations that had no slot before this session (by its history).
    pub first_time_granted: u32,
    /// Distinct organisations that asked: requesters and co-signatories of the requesters'
    /// joint statements.
    pub voices_asked: u32,
    /// Distinct organisations heard: speakers and co-signatories of granted joint statements.
    pub voices_heard: u32,
    /// Working memory: a mark per theme of the session.
    theme_marks: ThemeMarks,
    /// Working memory: a mark per organisation of the roster (sessions with joint statements
    /// only), all 0 between calls.
    voice_marks: ThemeMarks,
}

/// Marks of a theme: requested by a requesting organisation, heard in a granted slot.
const REQUESTED: u8 = 1;
const HEARD: u8 = 2;

/// Working memory of [`SessionFigures::measure_into`]; never part of the figures' value, so
/// two figures compare equal whatever their memory holds.
#[derive(Debug, Clone, Default)]
struct ThemeMarks(Vec<u8>);

impl PartialEq for ThemeMarks {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

fn share(part: u32, whole: u32) -> Option<f64> {
    (whole > 0).then(|| f64::from(part) / f64::from(whole))
}

impl SessionFigures {
    /// Counts `allocation` of `session`.
    ///
    /// # Panics
    ///
    /// If `allocation` is not of `session` (a granted request index outside its requests).
    pub fn measure(session: &CheckedSession, allocation: &impl Granted) -> Self {
        let mut figures = SessionFigures::default();
        figures.measure_into(session, allocation);
        figures
    }

    /// As [`SessionFigures::measure`], into `self`, reusing its memory: what the simulator does
    /// for every simulated session, allocating nothing once warmed up. One pass over the
    /// requesters and one over the granted slots; distinct themes are counted with one mark
    /// per theme of the session, so the cost stays linear in the requests.
    ///
    /// # Panics
    ///
    /// As [`SessionFigures::measure`].
    pub fn measure_into(&mut self, session: &CheckedSession, allocation: &impl Granted) {
        let roster = session.roster();
        let regions = roster.regions().len();
        let mut region_requests = std::mem::take(&mut self.region_requests);
        let mut region_granted = std::mem::take(&mut self.region_granted);
        let mut marks = std::mem::take(&mut self.theme_marks.0);
        let mut voices = std::mem::take(&mut self.voice_marks.0);
        for counts in [&mut region_requests, &mut region_granted] {
            counts.clear();
            counts.resize(regions, 0);
        }
        marks.clear();
        marks.resize(session.themes().len(), 0);
        *self = SessionFigures::default();
        for &r in session.requesters() {
            let org = session.organisation_of(r as usize);
            region_requests[roster.region_of(org)] += 1;
            self.kind_requests[roster.organisations()[org].kind.index()] += 1;
            self.class_requests += u32::from(roster.in_class(org));
            if let Some(theme) = session.requests()[r as usize].theme {
                let mark = &mut marks[theme as usize];
                self.themes_requested += u32::from(*mark & REQUESTED == 0);
                *mark |= REQUESTED;
            }
        }
        let g = allocation.slots().len() as u32;
        let length = session.session().length_minutes;
        let mut late = 0;
        for grant in allocation.slots() {
            let org = session.organisation_of(grant.request as usize);
            region_granted[roster.region_of(org)] += 1;
            self.kind_granted[roster.organisations()[org].kind.index()] += 1;
            self.first_time_granted += u32::from(session.history().get(org).slots == 0);
            if roster.in_class(org) {
                self.class_granted += 1;
                self.class_position_sum += normalised_position(grant.position, g);
            }
            if let (Some(start), Some(length)) = (grant.start_minute, length) {
                late += u32::from(is_late(start, length));
            }
            if let Some(theme) = session.requests()[grant.request as usize].theme {
                let mark = &mut marks[theme as usize];
                self.themes_heard += u32::from(*mark & HEARD == 0);
                *mark |= HEARD;
            }
        }
        self.late = length.map(|_| late);
        if session.has_joint_statements() {
            // One mark per organisation of the roster, all 0 between calls: only the marks
            // set here are cleared, so the cost follows the requests, not the roster.
            voices.resize(roster.len(), 0);
            let voices_of = |r: usize| {
                std::iter::once(session.organisation_of(r))
                    .chain(session.on_behalf_of(r).iter().map(|&o| o as usize))
            };
            for &r in session.requesters() {
                for org in voices_of(r as usize) {
                    self.voices_asked += u32::from(voices[org] & REQUESTED == 0);
                    voices[org] |= REQUESTED;
                }
            }
            for grant in allocation.slots() {
                for org in voices_of(grant.request as usize) {
                    self.voices_heard += u32::from(voices[org] & HEARD == 0);
                    voices[org] |= HEARD;
                }
            }
            for r in session
                .requesters()
                .iter()
                .copied()
                .chain(allocation.slots().map(|grant| grant.request))
            {
                for org in voices_of(r as usize) {
                    voices[org] = 0;
                }
            }
        } else {
            // Without joint statements every voice is a requester's or a speaker's own.
            self.voices_asked = session.requesters().len() as u32;
            self.voices_heard = g;
        }
        self.region_requests = region_requests;
        self.region_granted = region_granted;
        self.theme_marks.0 = marks;
        self.voice_marks.0 = voices;
    }

    /// Number of regions with requesting organisations.
    pub fn requesting_regions(&self) -> u32 {
        self.region_requests.iter().filter(|&&r| r > 0).count() as u32
    }

    /// Number of distinct regions among the speakers.
    pub fn distinct_regions(&self) -> u32 {
        self.region_granted.iter().filter(|&&g| g > 0).count() as u32
    }

    /// Requesting organisations.
    pub fn requests(&self) -> u32 {
        self.region_requests.iter().sum()
    }

    /// Granted slots.
    pub fn granted(&self) -> u32 {
        self.region_granted.iter().sum()
    }

    /// The grassroots class's share of the granted slots; `None` when nothing is granted.
    pub fn class_slot_share(&self) -> Option<f64> {
        share(self.class_granted, self.granted())
    }

    /// The grassroots class's share of the requesting organisations; `None` without requests.
    pub fn class_request_share(&self) -> Option<f64> {
        share(self.class_requests, self.requests())
    }

    /// Mean normalised position of the class's slots; `None` when it has none.
    pub fn class_mean_position(&self) -> Option<f64> {
        (self.class_granted > 0).then(|| self.class_position_sum / f64::from(self.class_granted))
    }

    /// `kind`'s share of the granted slots; `None` when nothing is granted.
    pub fn kind_slot_share(&self, kind: Kind) -> Option<f64> {
        share(self.kind_granted[kind.index()], self.granted())
    }

    /// Disproportionality of the regions' slot shares against their shares of the requests
    /// (regions with requests or slots); `None` when nothing is granted.
    pub fn region_disproportionality(&self) -> Option<Disproportionality> {
        let requests = self.requests();
        if requests == 0 {
            return None;
        }
        let granted = self.granted();
        if granted == 0 {
            return None;
        }
        Some(Disproportionality::from_pairs(
            self.region_requests
                .iter()
                .zip(&self.region_granted)
                .filter(|(r, g)| **r > 0 || **g > 0)
                .map(|(&r, &g)| {
                    (
                        f64::from(g) / f64::from(granted),
                        f64::from(r) / f64::from(requests),
                    )
                }),
        ))
    }

    /// [`normalised_entropy`](super::normalised_entropy) of the speakers' regions; `None` when nothing is granted.
    pub fn region_entropy(&self) -> Option<f64> {
        normalised_entropy_of(
            self.region_granted.iter().map(|&g| u64::from(g)),
            self.requesting_regions() as usize,
        )
    }

    /// Share of the granted slots in the last fifth of the session; `None` without a session
    /// length or when nothing is granted.
    pub fn late_share(&self) -> Option<f64> {
        share(self.late?, self.granted())
    }

    /// Share of the granted slots that went to organisations never heard before in the
    /// process (rotation: "no second speaker until all have spoken"); `None` when nothing is
    /// granted.
    pub fn first_time_share(&self) -> Option<f64> {
        share(self.first_time_granted, self.granted())
    }

    /// Voices heard over the organisations that asked, as requesters or co-signatories of
    /// joint statements; `None` when no one asked.
    pub fn voice_share(&self) -> Option<f64> {
        share(self.voices_heard, self.voices_asked)
    }

    /// Themes heard over themes requested; `None` when no request named a theme.
    pub fn themes_heard_share(&self) -> Option<f64> {
        share(self.themes_heard, self.themes_requested)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::tests::Grants;
    use crate::model::{History, Organisation, Request, Roster, Session};
    use std::sync::Arc;

    #[test]
    fn voices_are_counted_afresh_in_every_session_with_reused_marks() {
        let roster = Arc::new(
            Roster::new(
                (0..6)
                    .map(|i| Organisation::new(format!("o{i}"), "asia", Kind::Grassroots))
                    .collect(),
                Default::default(),
            )
            .unwrap(),
        );
        let session = |requests: &[Request]| {
            CheckedSession::new(
                Session::new("s", 2),
                roster.clone(),
                requests,
                History::default(),
            )
            .unwrap()
        };
        let sessions = [
            (
                session(&[
                    Request::new("o0").on_behalf_of(["o1", "o2"]),
                    Request::new("o3").on_behalf_of(["o2"]),
                    Request::new("o4"),
                ]),
                vec![1, 2],
                (5, 3),
            ),
            (
                session(&[Request::new("o1").on_behalf_of(["o0"]), Request::new("o5")]),
                vec![0],
                (3, 2),
            ),
            (
                session(&[Request::new("o2"), Request::new("o3")]),
                vec![1],
                (2, 1),
            ),
            (session(&[]), vec![], (0, 0)),
        ];
        let mut reused = SessionFigures::default();
        for _ in 0..2 {
            for (session, granted, (asked, heard)) in &sessions {
                let granted = Grants(granted.clone());
                reused.measure_into(session, &granted);
                assert_eq!((reused.voices_asked, reused.voices_heard), (*asked, *heard));
                assert_eq!(reused, SessionFigures::measure(session, &granted));
                assert!(reused.voice_marks.0.iter().all(|&m| m == 0));
            }
        }
        // Without joint statements, the voice share is the share of requesters heard.
        let (plain, granted, _) = &sessions[2];
        let figures = SessionFigures::measure(plain, &Grants(granted.clone()));
        assert_eq!(figures.voice_share(), Some(0.5));
        assert_eq!(
            figures.voice_share(),
            Some(f64::from(figures.granted()) / f64::from(figures.requests()))
        );
        assert_eq!(SessionFigures::default().voice_share(), None);
    }
}
