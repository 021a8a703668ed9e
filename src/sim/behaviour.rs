//! What a run draws before any policy decides, shared by every policy of the run (common
//! random numbers): the population's migrant-led flags and every session's requests.

use std::ops::Range;
use std::sync::Arc;

use rand::Rng;

use super::scenario::{Population, Scenario};
use crate::Result;
use crate::lot;
use crate::model::{CheckedRequest, Kind, Organisation, Roster, Session};

/// The scenario's population and behaviour, prepared once: the roster (for a generated
/// population, with every migrant-led flag unset: each run draws them), the themes interned,
/// and the probabilities by kind.
#[derive(Debug)]
pub(super) struct Behaviour {
    /// The roster of an explicit population, or the template of a generated one.
    pub(super) roster: Arc<Roster>,
    /// Per organisation of a generated population, its kind's migrant-led rate.
    migrant_led_rate: Option<Vec<f64>>,
    /// Every theme, by index: the scenario's themes first, then the regional ones not among
    /// them.
    pub(super) themes: Arc<[Arc<str>]>,
    /// How many of the scenario's themes each organisation draws.
    themes_drawn: usize,
    /// The scenario's themes, as indices into `themes`, in the scenario's order.
    general_themes: Vec<u32>,
    /// Per organisation, the indices of the themes only its region raises.
    regional_themes: Vec<Vec<u32>>,
    /// Probability of asking per session, by kind.
    ask: [f64; Kind::ALL.len()],
}

/// The memory a run's draws reuse: every session's requests and each organisation's themes.
#[derive(Debug, Default)]
pub(super) struct Draws {
    /// Requests per session, in inscription order.
    pub(super) requests: Vec<Vec<CheckedRequest>>,
    /// The themes each organisation cares about: `cares[cares_of[org]]`.
    cares: Vec<u32>,
    cares_of: Vec<Range<usize>>,
    /// The scenario's themes, shuffled per organisation.
    pool: Vec<u32>,
}

impl Behaviour {
    pub(super) fn new(scenario: &Scenario) -> Result<Self> {
        let (organisations, migrant_led_rate) = match &scenario.population {
            Population::Organisations(organisations) => (organisations.clone(), None),
            Population::Generate(generator) => {
                let mut organisations = Vec::new();
                let mut rates = Vec::new();
                for (region, kinds) in &generator.counts {
                    for (&kind, &count) in kinds {
                        let rate = generator
                            .migrant_led_rate
                            .get(&kind)
                            .copied()
                            .unwrap_or(0.0);
                        organisations.extend((0..count).map(|i| {
                            Organisation::new(format!("{region}-{kind}-{i}"), region, kind)
                        }));
                        rates.extend((0..count).map(|_| rate));
                    }
                }
                (organisations, Some(rates))
            }
        };
        let roster = Roster::new(organisations, scenario.grassroots_class.clone())
            .map_err(|e| e.within("population"))?;
        let behaviour = &scenario.behaviour;
        let mut themes: Vec<Arc<str>> = Vec::new();
        let mut intern = |name: &str| -> u32 {
            match themes.iter().position(|t| &**t == name) {
                Some(i) => i as u32,
                None => {
                    themes.push(Arc::from(name));
                    themes.len() as u32 - 1
                }
            }
        };
        let general: Vec<u32> = behaviour.themes.iter().map(|t| intern(t)).collect();
        let by_region: std::collections::BTreeMap<&str, Vec<u32>> = behaviour
            .regional_themes
            .iter()
            .map(|(region, names)| (region.as_str(), names.iter().map(|t| intern(t)).collect()))
            .collect();
        let regional_themes = roster
            .organisations()
            .iter()
            .map(|org| {
                by_region
                    .get(org.region.as_str())
                    .cloned()
                    .unwrap_or_default()
            })
            .collect();
        let mut ask = [0.0; Kind::ALL.len()];
        for kind in Kind::ALL {
            ask[kind.index()] = behaviour.ask_probability_of(kind);
        }
        Ok(Behaviour {
            roster: Arc::new(roster),
            migrant_led_rate,
            themes_drawn: (behaviour.themes_per_organisation as usize).min(general.len()),
            general_themes: general,
            themes: Arc::from(themes),
            regional_themes,
            ask,
        })
    }

    /// Whether each run draws its own migrant-led flags (a generated population).
    pub(super) fn is_generated(&self) -> bool {
        self.migrant_led_rate.is_some()
    }

    /// Draws the migrant-led flags of a generated population into `flags`: one uniform per
    /// organisation, in roster order.
    pub(super) fn draw_population(&self, rng: &mut impl Rng, flags: &mut Vec<bool>) {
        flags.clear();
        if let Some(rates) = &self.migrant_led_rate {
            flags.extend(rates.iter().map(|&rate| lot::unit_interval(rng) < rate));
        }
    }

    /// Draws every session's requests into `draws`: each organisation's themes (a draw of
    /// the scenario's themes, then its region's own), then per session whether each
    /// organisation asks (its kind's probability) and which of its themes it raises; the
    /// inscription order is drawn by lot.
    pub(super) fn draw_requests(
        &self,
        rng: &mut impl Rng,
        roster: &Roster,
        sessions: &[Arc<Session>],
        draws: &mut Draws,
    ) {
        let Draws {
            requests,
            cares,
            cares_of,
            pool,
        } = draws;
        cares.clear();
        cares_of.clear();
        for org in 0..roster.len() {
            pool.clear();
            pool.extend_from_slice(&self.general_themes);
            let drawn = lot::draw_to_front(rng, pool, self.themes_drawn);
            let start = cares.len();
            cares.extend_from_slice(&pool[..drawn]);
            cares.extend_from_slice(&self.regional_themes[org]);
            cares_of.push(start..cares.len());
        }
        requests.resize_with(sessions.len(), Vec::new);
        for (session, requests) in sessions.iter().zip(requests.iter_mut()) {
            requests.clear();
            requests.reserve(roster.len());
            for (org, organisation) in roster.organisations().iter().enumerate() {
                if lot::unit_interval(rng) >= self.ask[organisation.kind.index()] {
                    continue;
                }
                let theirs = &cares[cares_of[org].clone()];
                let theme = match theirs.len() {
                    0 => None,
                    n => Some(theirs[lot::uniform_below(rng, n as u64) as usize]),
                };
                requests.push(CheckedRequest {
                    organisation: org as u32,
                    minutes: session.minutes_per_slot,
                    theme,
                });
            }
            let n = requests.len();
            lot::draw_to_front(rng, requests, n);
        }
    }
}
