//! The metrics a simulation summarises: a typed catalogue, in table order.

use serde::{Deserialize, Serialize};

use crate::metrics::SessionFigures;
use crate::model::Kind;

/// A metric the simulator summarises over runs. Per-session metrics contribute one value per
/// simulated session (none where the value is undefined, e.g. a share of zero slots); per-run
/// metrics one value per run of the process.
///
/// | metric | value per session (or per run) |
/// |---|---|
/// | `slots_granted` | slots granted |
/// | `grassroots_slot_share` | the grassroots class's share of the granted slots |
/// | `grassroots_request_share` | its share of the requesting organisations |
/// | `international_ngo_slot_share` | international NGOs' share of the granted slots |
/// | `grassroots_mean_position` | mean normalised position of the class's slots (0 first, 1 last) |
/// | `region_gallagher` | Gallagher index of regions' slot shares against their request shares |
/// | `region_entropy` | normalised entropy of the speakers' regions |
/// | `late_share` | share of granted slots in the last fifth of the session |
/// | `themes_heard_share` | distinct themes heard over distinct themes requested |
/// | `first_time_speaker_share` | share of granted slots to organisations not heard before in the run's process |
/// | `voice_share` | voices heard (speakers and co-signatories of granted joint statements) over the distinct organisations that asked (requesters and co-signatories of their requests, duplicates excluded) |
/// | `gini_slots` | per run: Gini of slots across organisations that requested at least once (as requesters) |
/// | `never_heard_share` | per run: share of those organisations (requesters) never granted a slot |
/// | `never_voiced_share` | per run: share of the organisations that asked for a voice at least once (as requesters or co-signatories) never voiced: never a speaker, nor a co-signatory of a granted joint statement |
///
/// Joint statements come from the scenario
/// ([`Behaviour::joint_statements`](super::Behaviour::joint_statements)). Without them a
/// voice is a requester's own: `voice_share` is the share of the requesting organisations
/// heard (slots granted over requesting organisations) and `never_voiced_share` equals
/// `never_heard_share`. With them, `never_heard_share` keeps its definition (requesters only:
/// a co-signatory that never asked on its own does not count there), while
/// `never_voiced_share` counts every organisation that asked through a statement.
///
/// ```
/// use floorshare::sim::Metric;
///
/// assert_eq!(Metric::GiniSlots.name(), "gini_slots");
/// assert!(Metric::GiniSlots.per_run());
/// assert_eq!(Metric::ALL[Metric::LateShare.index()], Metric::LateShare);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Metric {
    /// Slots granted.
    SlotsGranted,
    /// The grassroots class's share of the granted slots.
    GrassrootsSlotShare,
    /// The grassroots class's share of the requesting organisations.
    GrassrootsRequestShare,
    /// International NGOs' share of the granted slots.
    InternationalNgoSlotShare,
    /// Mean normalised position of the class's slots (0 first, 1 last).
    GrassrootsMeanPosition,
    /// Gallagher index of the regions' slot shares against their request shares.
    RegionGallagher,
    /// Normalised entropy of the speakers' regions.
    RegionEntropy,
    /// Share of the granted slots in the last fifth of the session.
    LateShare,
    /// Distinct themes heard over distinct themes requested.
    ThemesHeardShare,
    /// Share of the granted slots that went to organisations not heard before in the process.
    FirstTimeSpeakerShare,
    /// Voices heard over the distinct organisations that asked, as requesters or
    /// co-signatories ([`SessionFigures::voice_share`]).
    VoiceShare,
    /// Per run: Gini of slots across the organisations that requested at least once.
    GiniSlots,
    /// Per run: share of those organisations never granted a slot.
    NeverHeardShare,
    /// Per run: share of the organisations that asked for a voice at least once (requesters
    /// or co-signatories) that were never voiced
    /// ([`ProcessTally::never_voiced_share`](crate::metrics::ProcessTally::never_voiced_share)).
    NeverVoicedShare,
}

impl Metric {
    /// Every metric, in table order.
    pub const ALL: [Metric; 14] = [
        Metric::SlotsGranted,
        Metric::GrassrootsSlotShare,
        Metric::GrassrootsRequestShare,
        Metric::InternationalNgoSlotShare,
        Metric::GrassrootsMeanPosition,
        Metric::RegionGallagher,
        Metric::RegionEntropy,
        Metric::LateShare,
        Metric::ThemesHeardShare,
        Metric::FirstTimeSpeakerShare,
        Metric::VoiceShare,
        Metric::GiniSlots,
        Metric::NeverHeardShare,
        Metric::NeverVoicedShare,
    ];

    /// The name in tables, CSV and JSON.
    pub const fn name(self) -> &'static str {
        match self {
            Metric::SlotsGranted => "slots_granted",
            Metric::GrassrootsSlotShare => "grassroots_slot_share",
            Metric::GrassrootsRequestShare => "grassroots_request_share",
            Metric::InternationalNgoSlotShare => "international_ngo_slot_share",
            Metric::GrassrootsMeanPosition => "grassroots_mean_position",
            Metric::RegionGallagher => "region_gallagher",
            Metric::RegionEntropy => "region_entropy",
            Metric::LateShare => "late_share",
            Metric::ThemesHeardShare => "themes_heard_share",
            Metric::FirstTimeSpeakerShare => "first_time_speaker_share",
            Metric::VoiceShare => "voice_share",
            Metric::GiniSlots => "gini_slots",
            Metric::NeverHeardShare => "never_heard_share",
            Metric::NeverVoicedShare => "never_voiced_share",
        }
    }

    /// Its position in [`Metric::ALL`] (and in a policy's row of summaries).
    pub const fn index(self) -> usize {
        self as usize
    }

    /// Whether it is measured once per run (of the whole process) rather than per session.
    pub const fn per_run(self) -> bool {
        matches!(
            self,
            Metric::GiniSlots | Metric::NeverHeardShare | Metric::NeverVoicedShare
        )
    }

    /// The range of its values, `(low, high)`: `[0, 4 294 967 295]` slots for
    /// `slots_granted` (a session's slots are a `u32`), `[0, 1]` for every other metric (shares,
    /// normalised positions and indices). A summary's mean lies within it
    /// ([`SimulationSummary::check`](super::SimulationSummary::check)).
    ///
    /// ```
    /// use floorshare::sim::Metric;
    ///
    /// assert_eq!(Metric::LateShare.bounds(), (0.0, 1.0));
    /// assert_eq!(Metric::SlotsGranted.bounds().1, f64::from(u32::MAX));
    /// ```
    pub const fn bounds(self) -> (f64, f64) {
        match self {
            Metric::SlotsGranted => (0.0, u32::MAX as f64),
            _ => (0.0, 1.0),
        }
    }

    /// Its value for one session; `None` where undefined, and for per-run metrics.
    pub fn of_session(self, figures: &SessionFigures) -> Option<f64> {
        match self {
            Metric::SlotsGranted => Some(f64::from(figures.granted())),
            Metric::GrassrootsSlotShare => figures.class_slot_share(),
            Metric::GrassrootsRequestShare => figures.class_request_share(),
            Metric::InternationalNgoSlotShare => figures.kind_slot_share(Kind::InternationalNgo),
            Metric::GrassrootsMeanPosition => figures.class_mean_position(),
            Metric::RegionGallagher => figures.region_disproportionality().map(|d| d.gallagher),
            Metric::RegionEntropy => figures.region_entropy(),
            Metric::LateShare => figures.late_share(),
            Metric::ThemesHeardShare => figures.themes_heard_share(),
            Metric::FirstTimeSpeakerShare => figures.first_time_share(),
            Metric::VoiceShare => figures.voice_share(),
            Metric::GiniSlots | Metric::NeverHeardShare | Metric::NeverVoicedShare => None,
        }
    }
}

/// The metric names, in table order: [`Metric::ALL`]'s names.
pub const METRICS: [&str; Metric::ALL.len()] = {
    let mut names = [""; Metric::ALL.len()];
    let mut i = 0;
    while i < names.len() {
        names[i] = Metric::ALL[i].name();
        i += 1;
    }
    names
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_and_names_agree() {
        for (i, metric) in Metric::ALL.into_iter().enumerate() {
            assert_eq!(metric.index(), i);
            assert_eq!(METRICS[i], metric.name());
            assert_eq!(
                serde_json::to_value(metric).unwrap(),
                serde_json::json!(metric.name())
            );
        }
        // Per-session metrics come first, per-run ones last.
        let first_per_run = Metric::ALL.iter().position(|m| m.per_run()).unwrap();
        assert!(Metric::ALL[first_per_run..].iter().all(|m| m.per_run()));
        // Slots granted is defined for every session, even one with nothing granted.
        assert_eq!(
            Metric::SlotsGranted.of_session(&SessionFigures::default()),
            Some(0.0)
        );
        // The voice metrics sit beside their counterparts: the voice share last of the
        // per-session ones, never_voiced_share right after never_heard_share.
        assert_eq!(
            Metric::VoiceShare.index() + 1,
            Metric::GiniSlots.index(),
            "{METRICS:?}"
        );
        assert_eq!(
            Metric::NeverHeardShare.index() + 1,
            Metric::NeverVoicedShare.index()
        );
        assert!(!Metric::VoiceShare.per_run() && Metric::NeverVoicedShare.per_run());
        let mut figures = SessionFigures::default();
        (figures.voices_asked, figures.voices_heard) = (4, 3);
        assert_eq!(Metric::VoiceShare.of_session(&figures), Some(0.75));
        assert_eq!(
            Metric::VoiceShare.of_session(&SessionFigures::default()),
            None
        );
        assert_eq!(Metric::NeverVoicedShare.of_session(&figures), None);
    }
}
