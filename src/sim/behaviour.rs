//! What a run draws before any policy decides, shared by every policy of the run (common
//! random numbers): the population's migrant-led flags and every session's requests, merged
//! into joint statements when the scenario asks for them (a deterministic step that draws
//! nothing, once per distinct setting of the policies).

use std::ops::Range;
use std::sync::Arc;

use rand::Rng;

use super::scenario::{Population, Scenario};
use crate::Result;
use crate::lot;
use crate::model::{Category, CheckedRequest, Kind, Organisation, Roster, Session};

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
    /// Per region of the roster ([`Roster::region_of`]), the indices of the themes only its
    /// organisations raise: held once per region, never copied per organisation, so memory
    /// does not grow with organisations × themes.
    regional_themes: Vec<Vec<u32>>,
    /// Probability of asking per session, by kind.
    ask: [f64; Kind::ALL.len()],
    /// The distinct joint-statement settings of the policies (none, or one category each), in
    /// the order of the first policy using each: a run checks its sessions once per setting.
    pub(super) settings: Vec<Setting>,
}

/// One joint-statement setting and the policies that have it.
#[derive(Debug)]
pub(super) struct Setting {
    /// How the requests of a session merge into joint statements; `None`: they do not.
    joint: Option<Joint>,
    /// The policies with this setting, by index, in the scenario's order.
    pub(super) policies: Vec<usize>,
}

/// The scenario's joint statements, prepared once: the category's values numbered, and the
/// focal points marked.
#[derive(Debug)]
struct Joint {
    key: GroupKey,
    /// Number of values of the category (groups): `key.group` is below it.
    groups: usize,
    /// Per organisation, whether it is a focal point (tag `focal_point` = `"true"`); empty when
    /// no organisation is.
    focal: Vec<bool>,
}

/// An organisation's value of the joint statements' category, as a number: read from the
/// roster (region, kind, and the class and migrant-led flag, which a generated population
/// redraws every run), or numbered once (country, tags).
#[derive(Debug)]
enum GroupKey {
    Region,
    Kind,
    Class,
    MigrantLed,
    /// Per organisation, the number of its value (values numbered in roster order).
    Numbered(Vec<u32>),
}

impl GroupKey {
    fn group(&self, roster: &Roster, org: usize) -> usize {
        match self {
            GroupKey::Region => roster.region_of(org),
            GroupKey::Kind => roster.organisations()[org].kind.index(),
            GroupKey::Class => usize::from(roster.in_class(org)),
            GroupKey::MigrantLed => usize::from(roster.migrant_led(org)),
            GroupKey::Numbered(of) => of[org] as usize,
        }
    }
}

impl Joint {
    fn new(category: &Category, roster: &Roster) -> Self {
        let (key, groups) = match category {
            Category::Region => (GroupKey::Region, roster.regions().len()),
            Category::Kind => (GroupKey::Kind, Kind::ALL.len()),
            Category::Class => (GroupKey::Class, 2),
            Category::MigrantLed => (GroupKey::MigrantLed, 2),
            other => {
                // Country and tags: each distinct value numbered, in roster order.
                let mut numbers: std::collections::HashMap<std::borrow::Cow<'_, str>, u32> =
                    Default::default();
                let of = (0..roster.len())
                    .map(|org| {
                        let next = numbers.len() as u32;
                        *numbers.entry(roster.value_of(other, org)).or_insert(next)
                    })
                    .collect();
                (GroupKey::Numbered(of), numbers.len())
            }
        };
        let focal: Vec<bool> = roster
            .organisations()
            .iter()
            .map(|org| org.tags.get("focal_point").is_some_and(|v| v == "true"))
            .collect();
        let focal = if focal.contains(&true) {
            focal
        } else {
            Vec::new()
        };
        Joint { key, groups, focal }
    }

    /// Merges `requests` (one session's, in inscription order, one per organisation) into
    /// joint statements in place: per group with several requesters, its focal point's
    /// request on behalf of the others (in inscription order), the others withdrawn. Writes
    /// the co-signatories into `cosigners` and, per request kept, its range into `ranges`
    /// (both left empty when nothing merges). O(requests); allocates nothing once `scratch`
    /// and the outputs are large enough.
    fn merge(
        &self,
        roster: &Roster,
        requests: &mut Vec<CheckedRequest>,
        cosigners: &mut Vec<u32>,
        ranges: &mut Vec<Range<u32>>,
        scratch: &mut JoinScratch,
    ) {
        cosigners.clear();
        ranges.clear();
        let JoinScratch {
            group_of,
            count,
            lead,
            lead_is_focal,
            end,
            touched,
            members,
        } = scratch;
        // Per group: all 0 (count) between calls; the rest is set on a group's first requester.
        count.resize(self.groups, 0);
        lead.resize(self.groups, 0);
        lead_is_focal.resize(self.groups, false);
        end.resize(self.groups, 0);
        group_of.clear();
        touched.clear();
        for (i, request) in requests.iter().enumerate() {
            let org = request.organisation as usize;
            let g = self.key.group(roster, org);
            group_of.push(g as u32);
            let focal = self.focal.get(org).copied().unwrap_or(false);
            if count[g] == 0 {
                touched.push(g as u32);
                lead[g] = i as u32;
                lead_is_focal[g] = focal;
            } else if focal && !lead_is_focal[g] {
                lead[g] = i as u32;
                lead_is_focal[g] = true;
            }
            count[g] += 1;
        }
        if touched.len() < requests.len() {
            // Members of each group, in inscription order: group g's are
            // `members[end[g] - count[g]..end[g]]` once filled.
            let mut next = 0;
            for &g in touched.iter() {
                end[g as usize] = next;
                next += count[g as usize];
            }
            members.clear();
            members.resize(requests.len(), 0);
            for (request, &g) in requests.iter().zip(group_of.iter()) {
                let at = &mut end[g as usize];
                members[*at as usize] = request.organisation;
                *at += 1;
            }
            let mut kept = 0;
            for i in 0..requests.len() {
                let g = group_of[i] as usize;
                let n = count[g];
                if n > 1 && lead[g] != i as u32 {
                    continue;
                }
                let start = cosigners.len() as u32;
                if n > 1 {
                    let speaker = requests[i].organisation;
                    let group = &members[(end[g] - n) as usize..end[g] as usize];
                    cosigners.extend(group.iter().copied().filter(|&o| o != speaker));
                }
                ranges.push(start..cosigners.len() as u32);
                requests.swap(kept, i);
                kept += 1;
            }
            requests.truncate(kept);
        }
        for &g in touched.iter() {
            count[g as usize] = 0;
        }
    }
}

/// Working memory of [`Joint::merge`].
#[derive(Debug, Default)]
pub(super) struct JoinScratch {
    /// Per request, its group.
    group_of: Vec<u32>,
    /// Per group: its requesters (0 between calls), the request that speaks for it, whether
    /// that is a focal point, and the end of its members in `members`.
    count: Vec<u32>,
    lead: Vec<u32>,
    lead_is_focal: Vec<bool>,
    end: Vec<u32>,
    /// The groups with requesters, in order of first requester.
    touched: Vec<u32>,
    /// The requesters' organisations, grouped.
    members: Vec<u32>,
}

/// The memory a run's draws reuse: every session's requests and each organisation's themes.
#[derive(Debug, Default)]
pub(super) struct Draws {
    /// Requests per session, in inscription order, as drawn.
    pub(super) requests: Vec<Vec<CheckedRequest>>,
    /// Per session, the requests merged into joint statements by the setting
    /// [`Behaviour::join`] last merged with (when it has joint statements).
    joined: Vec<Vec<CheckedRequest>>,
    /// Whether the last [`Behaviour::join`] merged: `joined`, `cosigners` and `on_behalf_of`
    /// are then the sessions' requests; otherwise `requests` are.
    merged: bool,
    /// The scenario's themes each organisation drew, `themes_drawn` of them each:
    /// organisation `org`'s are `cares[org·themes_drawn ..]`; its region's own themes follow
    /// them in its list of themes, without being copied here.
    cares: Vec<u32>,
    /// The scenario's themes, shuffled per organisation and put back in order after.
    pool: Vec<u32>,
    /// The swaps of the organisation's shuffle, to undo it.
    swaps: Vec<u32>,
    /// Per session with joint statements, the co-signatories of its requests: request r of
    /// session s (in `joined`) speaks on behalf of `cosigners[s][on_behalf_of[s][r]]`.
    cosigners: Vec<Vec<u32>>,
    on_behalf_of: Vec<Vec<Range<u32>>>,
    join: JoinScratch,
}

impl Draws {
    /// Session `s`'s requests under the setting [`Behaviour::join`] last merged with, their
    /// co-signatories and ranges (as
    /// [`CheckedSession::next_session_joint`](crate::model::CheckedSession::next_session_joint)
    /// takes them; co-signatories and ranges empty without joint statements).
    pub(super) fn session(&self, s: usize) -> (&[CheckedRequest], &[u32], &[Range<u32>]) {
        if self.merged {
            (&self.joined[s], &self.cosigners[s], &self.on_behalf_of[s])
        } else {
            (&self.requests[s], &[], &[])
        }
    }
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
        let mut numbers: std::collections::HashMap<Arc<str>, u32> =
            std::collections::HashMap::new();
        let mut intern = |name: &str| -> u32 {
            match numbers.get(name) {
                Some(&i) => i,
                None => {
                    let theme: Arc<str> = Arc::from(name);
                    let i = themes.len() as u32;
                    themes.push(theme.clone());
                    numbers.insert(theme, i);
                    i
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
            .regions()
            .iter()
            .map(|region| by_region.get(&**region).cloned().unwrap_or_default())
            .collect();
        let mut ask = [0.0; Kind::ALL.len()];
        for kind in Kind::ALL {
            ask[kind.index()] = behaviour.ask_probability_of(kind);
        }
        let mut categories: Vec<Option<&Category>> = Vec::new();
        let mut settings: Vec<Setting> = Vec::new();
        for (p, labelled) in scenario.policies.iter().enumerate() {
            let by = labelled.joint_statements_by(behaviour);
            match categories.iter().position(|&c| c == by) {
                Some(setting) => settings[setting].policies.push(p),
                None => {
                    categories.push(by);
                    settings.push(Setting {
                        joint: by.map(|category| Joint::new(category, &roster)),
                        policies: vec![p],
                    });
                }
            }
        }
        Ok(Behaviour {
            migrant_led_rate,
            themes_drawn: (behaviour.themes_per_organisation as usize).min(general.len()),
            general_themes: general,
            themes: Arc::from(themes),
            regional_themes,
            ask,
            settings,
            roster: Arc::new(roster),
        })
    }

    /// Merges every session's drawn requests into the joint statements of `setting` (an
    /// index into [`Behaviour::settings`]), into the copies [`Draws::session`] then gives; a
    /// setting without joint statements gives the requests as drawn. `roster` is this run's
    /// (with its migrant-led flags, which the `class` and `migrant_led` categories read).
    /// Draws nothing and leaves the drawn requests as they are: they stay common random
    /// numbers for every setting.
    pub(super) fn join(&self, setting: usize, roster: &Roster, draws: &mut Draws) {
        let Some(joint) = &self.settings[setting].joint else {
            draws.merged = false;
            return;
        };
        let Draws {
            requests,
            joined,
            merged,
            cosigners,
            on_behalf_of,
            join,
            ..
        } = draws;
        *merged = true;
        joined.resize_with(requests.len(), Vec::new);
        cosigners.resize_with(requests.len(), Vec::new);
        on_behalf_of.resize_with(requests.len(), Vec::new);
        for (((drawn, requests), cosigners), ranges) in requests
            .iter()
            .zip(joined.iter_mut())
            .zip(cosigners.iter_mut())
            .zip(on_behalf_of.iter_mut())
        {
            requests.clear();
            requests.extend_from_slice(drawn);
            joint.merge(roster, requests, cosigners, ranges, join);
            if cosigners.is_empty() {
                ranges.clear();
            }
        }
    }

    /// Every policy, by index, with its setting (an index into [`Behaviour::settings`]):
    /// grouped by setting, settings in order.
    pub(super) fn policies_by_setting(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.settings
            .iter()
            .enumerate()
            .flat_map(|(setting, with)| with.policies.iter().map(move |&p| (setting, p)))
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
            pool,
            swaps,
            ..
        } = draws;
        cares.clear();
        let drawn = self.themes_drawn;
        pool.clear();
        pool.extend_from_slice(&self.general_themes);
        for _ in 0..roster.len() {
            // lot::draw_to_front's partial shuffle, the same draws, with its swaps undone
            // after: the pool is back in the scenario's order for the next organisation at
            // the cost of the themes drawn, not of all the themes.
            swaps.clear();
            for i in 0..drawn {
                let j = i + lot::uniform_below(rng, (pool.len() - i) as u64) as usize;
                pool.swap(i, j);
                swaps.push(j as u32);
            }
            cares.extend_from_slice(&pool[..drawn]);
            for (i, &j) in swaps.iter().enumerate().rev() {
                pool.swap(i, j as usize);
            }
        }
        requests.resize_with(sessions.len(), Vec::new);
        for (session, requests) in sessions.iter().zip(requests.iter_mut()) {
            requests.clear();
            requests.reserve(roster.len());
            for (org, organisation) in roster.organisations().iter().enumerate() {
                if lot::unit_interval(rng) >= self.ask[organisation.kind.index()] {
                    continue;
                }
                // Its themes: the drawn ones, then its region's own.
                let own = &cares[org * drawn..(org + 1) * drawn];
                let regional = &self.regional_themes[roster.region_of(org)];
                let theme = match own.len() + regional.len() {
                    0 => None,
                    n => {
                        let k = lot::uniform_below(rng, n as u64) as usize;
                        Some(
                            own.get(k)
                                .copied()
                                .unwrap_or_else(|| regional[k - own.len()]),
                        )
                    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::GrassrootsClass;

    /// Organisations `(id, region, focal point)`, grassroots.
    fn roster(organisations: &[(&str, &str, bool)]) -> Roster {
        Roster::new(
            organisations
                .iter()
                .map(|&(id, region, focal)| {
                    let mut org = Organisation::new(id, region, Kind::Grassroots);
                    if focal {
                        org.tags.insert("focal_point".into(), "true".into());
                    }
                    org
                })
                .collect(),
            GrassrootsClass::default(),
        )
        .unwrap()
    }

    /// Requests of these organisations, in this inscription order, each with its own theme
    /// and minutes.
    fn asks(orgs: &[u32]) -> Vec<CheckedRequest> {
        orgs.iter()
            .map(|&organisation| CheckedRequest {
                organisation,
                minutes: 1 + organisation,
                theme: Some(organisation),
            })
            .collect()
    }

    fn merged(
        joint: &Joint,
        roster: &Roster,
        orgs: &[u32],
        scratch: &mut JoinScratch,
    ) -> (Vec<CheckedRequest>, Vec<Vec<u32>>) {
        let mut requests = asks(orgs);
        let (mut cosigners, mut ranges) = (Vec::new(), Vec::new());
        joint.merge(roster, &mut requests, &mut cosigners, &mut ranges, scratch);
        assert!(scratch.count.iter().all(|&c| c == 0), "counts left at 0");
        let lists = if ranges.is_empty() {
            assert!(cosigners.is_empty());
            vec![Vec::new(); requests.len()]
        } else {
            assert_eq!(ranges.len(), requests.len());
            ranges
                .iter()
                .map(|r| cosigners[r.start as usize..r.end as usize].to_vec())
                .collect()
        };
        (requests, lists)
    }

    #[test]
    fn one_statement_per_value_by_its_focal_point_or_first_inscribed() {
        let roster = roster(&[
            ("p0", "pacific", false),
            ("a1", "asia", false),
            ("p2", "pacific", true),
            ("a3", "asia", false),
            ("e4", "europe", false),
            ("p5", "pacific", false),
            ("a6", "asia", false),
        ]);
        let joint = Joint::new(&Category::Region, &roster);
        let mut scratch = JoinScratch::default();
        for _ in 0..2 {
            // Pacific: p5, p2 (focal), p0; Asia: a1, a3, a6 (no focal point); Europe: e4 alone.
            let (requests, lists) = merged(&joint, &roster, &[5, 1, 4, 2, 3, 0, 6], &mut scratch);
            // The statements keep their speakers' places: a1 (first Asian), e4, p2 (focal).
            assert_eq!(requests, asks(&[1, 4, 2]));
            assert_eq!(lists, [vec![3, 6], vec![], vec![5, 0]]);
            // Nothing to merge: the requests as they were, no co-signatories.
            let (requests, lists) = merged(&joint, &roster, &[4, 0, 3], &mut scratch);
            assert_eq!(requests, asks(&[4, 0, 3]));
            assert!(lists.iter().all(Vec::is_empty));
            let (requests, _) = merged(&joint, &roster, &[], &mut scratch);
            assert!(requests.is_empty());
        }
    }

    #[test]
    fn categories_of_the_roster_and_numbered_values_group_alike() {
        let mut organisations: Vec<Organisation> = ["x", "y", "x", ""]
            .iter()
            .enumerate()
            .map(|(i, constituency)| {
                let mut org = Organisation::new(format!("o{i}"), "asia", Kind::Grassroots);
                if !constituency.is_empty() {
                    org.tags
                        .insert("constituency".into(), constituency.to_string());
                }
                org
            })
            .collect();
        organisations[1].kind = Kind::InternationalNgo;
        organisations[3].kind = Kind::InternationalNgo;
        let mut roster = Roster::new(organisations, GrassrootsClass::default()).unwrap();
        let mut scratch = JoinScratch::default();
        let tag = Joint::new(&"tag:constituency".parse().unwrap(), &roster);
        assert_eq!(tag.groups, 3, "x, y and the empty value");
        let (requests, lists) = merged(&tag, &roster, &[3, 2, 1, 0], &mut scratch);
        assert_eq!(requests, asks(&[3, 2, 1]));
        assert_eq!(lists, [vec![], vec![0], vec![]]);
        // The class follows the roster's migrant-led flags, as a run redraws them.
        let class = Joint::new(&Category::Class, &roster);
        let (requests, lists) = merged(&class, &roster, &[1, 0, 3, 2], &mut scratch);
        assert_eq!(requests, asks(&[1, 0]));
        assert_eq!(lists, [vec![3], vec![2]]);
        roster.set_migrant_led(3, true);
        let (requests, lists) = merged(&class, &roster, &[1, 0, 3, 2], &mut scratch);
        assert_eq!(requests, asks(&[1, 0]));
        assert_eq!(lists, [vec![], vec![3, 2]]);
        let kind = Joint::new(&Category::Kind, &roster);
        let (_, lists) = merged(&kind, &roster, &[2, 3, 0, 1], &mut scratch);
        assert_eq!(lists, [vec![0], vec![1]]);
        let migrant_led = Joint::new(&Category::MigrantLed, &roster);
        let (_, lists) = merged(&migrant_led, &roster, &[2, 3, 0, 1], &mut scratch);
        assert_eq!(lists, [vec![0, 1], vec![]]);
    }

    #[test]
    fn joint_statements_draw_nothing_and_keep_every_voice() {
        let json = |joint: &str| {
            format!(
                r#"{{"name": "x",
                "population": {{"generate": {{"counts": {{"asia": {{"grassroots": 30, "international_ngo": 5}},
                                               "pacific": {{"grassroots": 20}}}},
                                   "migrant_led_rate": {{"grassroots": 0.5}}}}}},
                "sessions": [{{"id": "s1", "slots": 1}}, {{"id": "s2", "slots": 2}}],
                "behaviour": {{"ask_probability": {{"grassroots": 0.3, "international_ngo": 0.9}},
                               "themes": ["a", "b", "c"]{joint}}},
                "policies": [{{"label": "p", "policy": {{"name": "fcfs"}}}}]}}"#
            )
        };
        let plain = Scenario::from_json_str(&json("")).unwrap();
        let joint =
            Scenario::from_json_str(&json(r#", "joint_statements": {"by": "region"}"#)).unwrap();
        let sessions: Vec<Arc<Session>> = plain.sessions.iter().cloned().map(Arc::new).collect();
        let (plain, joint) = (
            Behaviour::new(&plain).unwrap(),
            Behaviour::new(&joint).unwrap(),
        );
        let (mut a, mut b) = (Draws::default(), Draws::default());
        for seed in 0..20 {
            plain.draw_requests(&mut lot::seeded(seed), &plain.roster, &sessions, &mut a);
            plain.join(0, &plain.roster, &mut a);
            joint.draw_requests(&mut lot::seeded(seed), &joint.roster, &sessions, &mut b);
            let drawn = b.requests.clone();
            joint.join(0, &joint.roster, &mut b);
            assert_eq!(a.requests, drawn, "the same draws");
            assert_eq!(b.requests, drawn, "the draws kept as they were");
            for (s, drawn) in drawn.iter().enumerate() {
                assert_eq!(a.session(s), (&drawn[..], &[][..], &[][..]));
                // Every organisation that asked is a speaker or a co-signatory, once.
                let (requests, cosigners, ranges) = b.session(s);
                let mut voices: Vec<u32> = requests
                    .iter()
                    .map(|r| r.organisation)
                    .chain(cosigners.iter().copied())
                    .collect();
                voices.sort_unstable();
                let mut asked: Vec<u32> = drawn.iter().map(|r| r.organisation).collect();
                asked.sort_unstable();
                assert_eq!(voices, asked);
                // At most one statement per region, each a drawn request as it was.
                assert!(requests.len() <= 2);
                assert!(requests.iter().all(|r| drawn.contains(r)));
                assert!(ranges.is_empty() || ranges.len() == requests.len());
            }
        }
    }

    #[test]
    fn policies_share_one_setting_each_and_merge_by_it() {
        // The behaviour merges by region; p1 keeps it, p2 says "none", p3 merges by kind, p4
        // names the behaviour's own category: three settings, in order of first use.
        let scenario = Scenario::from_json_str(
            r#"{"name": "x",
            "population": {"generate": {"counts": {"asia": {"grassroots": 30, "international_ngo": 5},
                                           "pacific": {"grassroots": 20}}}},
            "sessions": [{"id": "s1", "slots": 1}, {"id": "s2", "slots": 2}],
            "behaviour": {"ask_probability": {"grassroots": 0.3, "international_ngo": 0.9},
                          "joint_statements": {"by": "region"}},
            "policies": [{"label": "p0", "policy": {"name": "fcfs"}},
                         {"label": "p1", "policy": {"name": "fcfs"}, "joint_statements": "none"},
                         {"label": "p2", "policy": {"name": "fcfs"}, "joint_statements": {"by": "kind"}},
                         {"label": "p3", "policy": {"name": "fcfs"}, "joint_statements": {"by": "region"}},
                         {"label": "p4", "policy": {"name": "fcfs"}, "joint_statements": "none"}]}"#,
        )
        .unwrap();
        let behaviour = Behaviour::new(&scenario).unwrap();
        let policies: Vec<&[usize]> = behaviour.settings.iter().map(|s| &s.policies[..]).collect();
        assert_eq!(policies, [&[0, 3][..], &[1, 4], &[2]]);
        let sessions: Vec<Arc<Session>> = scenario.sessions.iter().cloned().map(Arc::new).collect();
        let mut draws = Draws::default();
        behaviour.draw_requests(
            &mut lot::seeded(5),
            &behaviour.roster,
            &sessions,
            &mut draws,
        );
        let drawn = draws.requests.clone();
        // Whatever the order the settings merge in, each gives the same statements.
        for order in [[0, 1, 2], [2, 0, 1], [1, 2, 0]] {
            for setting in order {
                behaviour.join(setting, &behaviour.roster, &mut draws);
                for (s, drawn) in drawn.iter().enumerate() {
                    let (requests, cosigners, _) = draws.session(s);
                    let roster = &behaviour.roster;
                    let mut values: Vec<usize> = requests
                        .iter()
                        .map(|r| {
                            let org = r.organisation as usize;
                            match setting {
                                0 => roster.region_of(org),
                                _ => roster.organisations()[org].kind.index(),
                            }
                        })
                        .collect();
                    if setting == 1 {
                        assert_eq!((requests, cosigners), (&drawn[..], &[][..]));
                    } else {
                        // One statement per region (setting 0) or kind (setting 2), speaking
                        // for every other requester of its value.
                        let speakers = values.len();
                        values.sort_unstable();
                        values.dedup();
                        assert_eq!(values.len(), speakers);
                        assert_eq!(speakers + cosigners.len(), drawn.len());
                    }
                }
            }
            assert_eq!(draws.requests, drawn, "the draws kept as they were");
        }
    }
}
