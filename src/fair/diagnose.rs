//! Diagnosis of infeasible quotas: the smallest relaxation of the quota bounds that makes a
//! [`TypeSpace`] feasible. The definition, the tie rule and the algorithms are documented at
//! [`smallest_relaxation`].

use super::TypeSpace;
use super::simplex::{Lp, Relation, Row, Status};

/// Which side of a quota a [`Change`] moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Bound {
    /// The least seats of a value; a relaxation lowers it.
    Min,
    /// The most seats of a value; a relaxation raises it.
    Max,
}

/// One quota bound changed by a relaxation: bound `bound` of value `value` of category
/// `category`, from `from` seats to `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    /// The category (in the order the space was built, the quota order).
    pub category: usize,
    /// The value within the category (in the order the space was built, the name order).
    pub value: u32,
    /// The side of the quota changed.
    pub bound: Bound,
    /// The bound as given.
    pub from: u32,
    /// The relaxed bound: lower than `from` for [`Bound::Min`], higher for [`Bound::Max`].
    pub to: u32,
}

impl Change {
    /// Units changed: `|from − to|`.
    pub fn units(&self) -> u32 {
        self.from.abs_diff(self.to)
    }
}

/// The smallest relaxation of infeasible quotas, as defined at [`smallest_relaxation`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    /// The changed bounds, in bound order (category, value, minimum before maximum); never
    /// empty.
    pub changes: Vec<Change>,
    /// A panel (seats per type) that meets the relaxed quotas: the proof that the relaxation
    /// suffices.
    pub witness: Vec<u32>,
    /// Proven to change the fewest units in total. `false` only if the node limit of the
    /// branch and bound (three or more categories) or a simplex iteration limit was reached:
    /// the relaxation is then feasible (the witness proves it) but perhaps not the smallest —
    /// possibly even unneeded, if the search stopped before finding a feasible panel.
    pub minimal: bool,
    /// Proven to be the relaxation the tie rule selects among those with the fewest units
    /// (implies `minimal`). `false` if a limit was reached.
    pub preferred: bool,
}

impl Diagnosis {
    /// Total units changed: the relaxation's size.
    pub fn units(&self) -> u32 {
        self.changes.iter().map(Change::units).sum()
    }

    /// `space` with the changes applied (the space the diagnosis was made for).
    ///
    /// # Panics
    ///
    /// If a change names a category or value that `space` does not have.
    pub fn relaxed(&self, space: &TypeSpace) -> TypeSpace {
        let mut bounds: Vec<Vec<(u32, u32)>> = (0..space.categories())
            .map(|j| {
                (0..space.values(j))
                    .map(|v| (space.min(j, v), space.max(j, v)))
                    .collect()
            })
            .collect();
        for change in &self.changes {
            let entry = &mut bounds[change.category][change.value as usize];
            match change.bound {
                Bound::Min => entry.0 = change.to,
                Bound::Max => entry.1 = change.to,
            }
        }
        let types: Vec<(u32, Vec<u32>)> = (0..space.types())
            .map(|t| {
                let values = (0..space.categories())
                    .map(|j| space.value_of(t, j))
                    .collect();
                (space.size(t), values)
            })
            .collect();
        let values = (0..space.categories()).map(|j| space.values(j)).collect();
        TypeSpace::new(space.k(), values, &types, &bounds)
    }
}

/// Limits of a diagnosis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DiagnosisOptions {
    /// Most branch-and-bound nodes over the whole diagnosis (the fewest units and every tie
    /// stage together) for three or more categories; `None`: [`default_diagnosis_node_limit`].
    /// One or two categories never branch and ignore it.
    pub node_limit: Option<u64>,
}

/// The default node limit of a diagnosis of `space`: `5 000 + 10 · types`. A function of the
/// instance's size only, so results never depend on the machine's speed.
pub fn default_diagnosis_node_limit(space: &TypeSpace) -> u64 {
    5_000 + 10 * space.types() as u64
}

/// The smallest relaxation that makes `space` feasible, with the default limits; `None` when
/// `space` is feasible as it stands.
///
/// # The problem
///
/// A *relaxation* lowers some minima `min(j, v)` and raises some maxima `max(j, v)`; its size is
/// the total number of units changed. The seats `k` and the type sizes are fixed, and the caller
/// guarantees `k ≤ Σ size(t)`, so relaxing every quota fully is always feasible.
///
/// For a panel (type counts `c_t ≤ size(t)` summing to `k`) with `s_jv` seats for value `v` of
/// category `j`, its *violation* of the minimum is `max(0, min(j, v) − s_jv)` and of the maximum
/// `max(0, s_jv − max(j, v))`. A relaxation makes the space feasible exactly when some panel's
/// violations are all within it, so the fewest units is the least total violation over all
/// panels; and a relaxation with the fewest units is *exactly* the violation profile of a panel
/// (a unit the panel does not need could be dropped, giving a smaller relaxation). The
/// diagnosis therefore minimises the total violation over panels — an integer programme — and
/// reports the chosen panel (the *witness*) with it.
///
/// # Tie rule
///
/// The bounds are ordered by category, then value, then minimum before maximum:
/// `(0, 0, Min), (0, 0, Max), (0, 1, Min), …, (1, 0, Min), …`. The caller numbers categories in
/// quota order and each category's values in name order, so this is "quota order, then value
/// name". Among the relaxations with the fewest units, the diagnosis returns the one whose
/// vector of units per bound, in that order, is **lexicographically greatest**: as many units as
/// possible on the first bound, then, with that fixed, as many as possible on the second, and so
/// on. Equivalently: write each unit of change as the position of its bound and sort the list;
/// all candidate lists have the same length, and the returned relaxation has the
/// lexicographically smallest list. The rule is deterministic and picks exactly one relaxation.
///
/// It is computed by lexicographic optimisation: with the fewest total `d` found, for each bound
/// in order, maximise its units over panels of total violation `d` whose earlier bounds carry
/// the units already chosen; stop once the chosen units sum to `d`. (A bound whose units cannot
/// be positive — a minimum of 0, a maximum at least the members of its value or `k` — is
/// skipped.)
///
/// # Algorithms
///
/// - **No category**: always feasible (`None`).
/// - **One or two categories**: a minimum-cost flow of `k` units, source → values of category 0
///   → values of category 1 → sink (with one category: source → values → sink). The arc
///   between a value of category 0 and one of category 1 carries the seats of the types with
///   that pair of values, capacity their members; the seats of a value cost a convex
///   piecewise-linear function of the flow through it (slope −1 below the minimum, 0 within the
///   bounds, +1 above the maximum), modelled as parallel arcs of increasing cost. The network
///   matrix is totally unimodular and the capacities are integers, so an optimal flow is
///   integral and the flow optimum *is* the integer optimum: exact, no branching. Solved by
///   successive shortest paths with Bellman–Ford labels (negative costs allowed; the network
///   starts acyclic). The tie stages run the same flow with a cost of `M` per unit of violation
///   and `M − 1` on the bound being maximised (`M` larger than any total violation, so the total
///   stays least first), and each already chosen bound held at its units by a prefix of cost
///   `−B` (`B` larger than every other cost difference) forcing the seats of its value. See
///   Ahuja, Magnanti & Orlin, *Network Flows* (Prentice Hall, 1993), chapters 9 (minimum cost
///   flows, successive shortest paths, integrality) and 14 (convex cost flows as parallel arcs).
/// - **Three or more categories** (no network structure; NP-hard in general): depth-first branch
///   and bound on the type counts over the linear relaxation, solved by the crate's
///   [`simplex`](crate::fair::simplex) with warm re-solves (one row for the seats, one per
///   quota with its two violation columns, one summing the violations). The objective is an
///   integer, so a node is pruned when the floor of its relaxation's value is no better than
///   the incumbent. (The type columns get tiny distinct nonnegative costs, at most `10⁻⁷` and
///   `10⁻³ / k` per seat: they break the relaxation's dual degeneracy — without them one warm
///   re-solve took tens of thousands of simplex iterations — and can only raise the
///   relaxation's value, by less than the integer step the bound is rounded to, so the bound
///   stays valid.)
///   Each node also rounds its point to a panel (largest fractional parts) for incumbents. The
///   tie stages run the same search with the total held at `d` and the chosen bounds fixed. All
///   the searches share one budget of nodes ([`DiagnosisOptions::node_limit`], by default
///   [`default_diagnosis_node_limit`]); each simplex solve is bounded by its own iteration limit.
///   Nothing depends on wall-clock time. If a limit is reached the best relaxation found is
///   returned — still feasible, with its witness — flagged `minimal: false` (or
///   `preferred: false` if only a tie stage was cut short).
///
/// Every returned relaxation is checked: the witness must satisfy the relaxed quotas
/// ([`TypeSpace::is_feasible`] on [`Diagnosis::relaxed`]).
///
/// # Panics
///
/// If `k` exceeds the total members of the types (then no relaxation of the quotas helps).
///
/// # Example
///
/// ```
/// use floorshare::fair::{Bound, Change, TypeSpace, smallest_relaxation};
///
/// // 3 seats; one category with 2 values; value 0 has 2 members but a minimum of 3.
/// let space = TypeSpace::new(
///     3,
///     vec![2],
///     &[(2, vec![0]), (4, vec![1])],
///     &[vec![(3, 3), (0, 3)]],
/// );
/// let diagnosis = smallest_relaxation(&space).expect("infeasible");
/// assert_eq!(
///     diagnosis.changes,
///     vec![Change { category: 0, value: 0, bound: Bound::Min, from: 3, to: 2 }],
/// );
/// assert_eq!(diagnosis.units(), 1);
/// assert!(diagnosis.minimal && diagnosis.preferred);
/// assert!(diagnosis.relaxed(&space).is_feasible(&diagnosis.witness));
///
/// // Relaxed, the quotas are feasible: nothing to diagnose.
/// assert_eq!(smallest_relaxation(&diagnosis.relaxed(&space)), None);
/// ```
pub fn smallest_relaxation(space: &TypeSpace) -> Option<Diagnosis> {
    smallest_relaxation_with(space, DiagnosisOptions::default())
}

/// [`smallest_relaxation`] with explicit limits.
///
/// # Panics
///
/// If `k` exceeds the total members of the types.
pub fn smallest_relaxation_with(space: &TypeSpace, options: DiagnosisOptions) -> Option<Diagnosis> {
    let members: u64 = (0..space.types()).map(|t| u64::from(space.size(t))).sum();
    assert!(
        u64::from(space.k()) <= members,
        "k = {} exceeds the {members} members: no relaxation of the quotas helps",
        space.k()
    );
    let quotas = Quotas::new(space);
    match space.categories() {
        0 => None,
        1 | 2 => {
            let mut engine = FlowEngine::new(space, &quotas);
            diagnose(space, &quotas, &mut engine)
        }
        _ => {
            let limit = options
                .node_limit
                .unwrap_or_else(|| default_diagnosis_node_limit(space));
            let mut engine = MipEngine::new(space, &quotas, limit);
            diagnose(space, &quotas, &mut engine)
        }
    }
}

/// The quotas of a space, flattened: quota `q = offset(j) + v`, its bounds `2q` (minimum) and
/// `2q + 1` (maximum) — bound order is the tie rule's order.
struct Quotas {
    /// Category of each quota.
    category: Vec<usize>,
    /// Value of each quota within its category.
    value: Vec<u32>,
    /// Least seats of each quota.
    min: Vec<u32>,
    /// Most seats of each quota.
    max: Vec<u32>,
    /// Seats each quota can get at most: `min(k, members of its value)`.
    avail: Vec<u32>,
    /// Quota of type `t` in category `j`, at `t · categories + j`.
    quota_of: Vec<usize>,
}

impl Quotas {
    fn new(space: &TypeSpace) -> Self {
        let categories = space.categories();
        let mut category = Vec::new();
        let mut value = Vec::new();
        let mut min = Vec::new();
        let mut max = Vec::new();
        let mut offsets = Vec::with_capacity(categories);
        for j in 0..categories {
            offsets.push(category.len());
            for v in 0..space.values(j) {
                category.push(j);
                value.push(v);
                min.push(space.min(j, v));
                max.push(space.max(j, v));
            }
        }
        let mut members = vec![0u64; category.len()];
        let mut quota_of = Vec::with_capacity(space.types() * categories);
        for t in 0..space.types() {
            for (j, &offset) in offsets.iter().enumerate() {
                let q = offset + space.value_of(t, j) as usize;
                quota_of.push(q);
                members[q] += u64::from(space.size(t));
            }
        }
        let avail = members
            .iter()
            .map(|&m| m.min(u64::from(space.k())) as u32)
            .collect();
        Quotas {
            category,
            value,
            min,
            max,
            avail,
            quota_of,
        }
    }

    /// Number of quotas.
    fn len(&self) -> usize {
        self.min.len()
    }

    /// The most units bound `b` can usefully change: the minimum itself, or the seats above the
    /// maximum that the value can get.
    fn cap(&self, b: usize) -> u32 {
        let q = b / 2;
        if side(b) == Bound::Min {
            self.min[q]
        } else {
            self.avail[q].saturating_sub(self.max[q])
        }
    }

    /// An upper bound on any panel's total violation, `Σ_q (min_q + k)`.
    fn violation_bound(&self, k: u32) -> u64 {
        self.min.iter().map(|&m| u64::from(m) + u64::from(k)).sum()
    }

    /// The violation of each bound (`2 · len()` entries) by the panel `counts`.
    fn violations(&self, counts: &[u32]) -> Vec<u32> {
        let categories = if counts.is_empty() {
            0
        } else {
            self.quota_of.len() / counts.len()
        };
        let mut seats = vec![0u64; self.len()];
        for (t, &c) in counts.iter().enumerate() {
            for &q in &self.quota_of[t * categories..(t + 1) * categories] {
                seats[q] += u64::from(c);
            }
        }
        let mut out = Vec::with_capacity(2 * self.len());
        for (q, &s) in seats.iter().enumerate() {
            out.push(u64::from(self.min[q]).saturating_sub(s) as u32);
            out.push(s.saturating_sub(u64::from(self.max[q])) as u32);
        }
        out
    }
}

/// The side of bound `b` (`2q` is quota `q`'s minimum, `2q + 1` its maximum).
fn side(b: usize) -> Bound {
    if b & 1 == 0 { Bound::Min } else { Bound::Max }
}

/// Whether `profile` has total `total` and the units `fixed` where given.
fn meets(profile: &[u32], total: u32, fixed: &[Option<u32>]) -> bool {
    profile.iter().map(|&u| u64::from(u)).sum::<u64>() == u64::from(total)
        && profile
            .iter()
            .zip(fixed)
            .all(|(&u, f)| f.is_none_or(|f| f == u))
}

/// An exact (or budgeted) solver of the two kinds of problem the diagnosis is made of.
trait Engine {
    /// A panel of least total violation, and whether it is proven least.
    fn fewest(&mut self) -> (Vec<u32>, bool);

    /// Among panels of total violation `total` whose violation is `fixed[b']` wherever given,
    /// one with the most violation at bound `b` (the panel `incumbent` is one of them), and
    /// whether it is proven most.
    fn most_at(
        &mut self,
        b: usize,
        total: u32,
        fixed: &[Option<u32>],
        incumbent: &[u32],
    ) -> (Vec<u32>, bool);
}

/// The fewest units, then the tie rule's lexicographic stages, then the check.
fn diagnose(space: &TypeSpace, quotas: &Quotas, engine: &mut impl Engine) -> Option<Diagnosis> {
    let (mut witness, minimal) = engine.fewest();
    let mut profile = quotas.violations(&witness);
    let total: u32 = profile.iter().sum();
    if total == 0 {
        return None;
    }
    let bounds = profile.len();
    let mut preferred = minimal;
    if minimal {
        let mut fixed: Vec<Option<u32>> = vec![None; bounds];
        let mut used = 0;
        for b in 0..bounds {
            if used == total {
                break;
            }
            let most = quotas.cap(b).min(total - used);
            if profile[b] < most {
                let (panel, proven) = engine.most_at(b, total, &fixed, &witness);
                let next = quotas.violations(&panel);
                assert!(
                    meets(&next, total, &fixed),
                    "a tie stage keeps the total and the chosen bounds"
                );
                preferred &= proven;
                if next[b] > profile[b] {
                    witness = panel;
                    profile = next;
                }
            }
            fixed[b] = Some(profile[b]);
            used += profile[b];
        }
    }
    let changes = (0..bounds)
        .filter(|&b| profile[b] > 0)
        .map(|b| {
            let q = b / 2;
            let (bound, from, to) = if side(b) == Bound::Min {
                (Bound::Min, quotas.min[q], quotas.min[q] - profile[b])
            } else {
                (Bound::Max, quotas.max[q], quotas.max[q] + profile[b])
            };
            Change {
                category: quotas.category[q],
                value: quotas.value[q],
                bound,
                from,
                to,
            }
        })
        .collect();
    let diagnosis = Diagnosis {
        changes,
        witness,
        minimal,
        preferred,
    };
    assert!(
        diagnosis.relaxed(space).is_feasible(&diagnosis.witness),
        "the witness meets the relaxed quotas"
    );
    Some(diagnosis)
}

// ---------------------------------------------------------------------------------------------
// One or two categories: minimum-cost flow.

/// A residual network for minimum-cost flow by successive shortest paths. Arc `a` and `a ^ 1`
/// are a forward arc and its reverse.
struct Network {
    adjacent: Vec<Vec<usize>>,
    head: Vec<usize>,
    residual: Vec<u64>,
    cost: Vec<i128>,
}

impl Network {
    fn new(nodes: usize) -> Self {
        Network {
            adjacent: vec![Vec::new(); nodes],
            head: Vec::new(),
            residual: Vec::new(),
            cost: Vec::new(),
        }
    }

    /// Adds an arc `from → to` of capacity `capacity` and unit cost `cost`; returns its id.
    fn arc(&mut self, from: usize, to: usize, capacity: u64, cost: i128) -> usize {
        let id = self.head.len();
        self.head.extend([to, from]);
        self.residual.extend([capacity, 0]);
        self.cost.extend([cost, -cost]);
        self.adjacent[from].push(id);
        self.adjacent[to].push(id + 1);
        id
    }

    /// Flow on arc `a`.
    fn flow(&self, a: usize) -> u64 {
        self.residual[a ^ 1]
    }

    /// Sends up to `amount` units from `source` to `sink` at least cost (successive shortest
    /// paths, Bellman–Ford labels in node order; the network must have no negative cycle, true
    /// of an acyclic start and kept by augmenting along shortest paths). Returns the units
    /// sent. At most `amount` augmentations of at most `nodes` label passes each.
    fn send(&mut self, source: usize, sink: usize, amount: u64) -> u64 {
        let nodes = self.adjacent.len();
        let mut sent = 0;
        let mut distance: Vec<Option<i128>> = vec![None; nodes];
        let mut via = vec![usize::MAX; nodes];
        while sent < amount {
            distance.fill(None);
            distance[source] = Some(0);
            for _ in 0..nodes {
                let mut changed = false;
                for x in 0..nodes {
                    let Some(dx) = distance[x] else { continue };
                    for &a in &self.adjacent[x] {
                        if self.residual[a] == 0 {
                            continue;
                        }
                        let y = self.head[a];
                        let dy = dx + self.cost[a];
                        if distance[y].is_none_or(|d| dy < d) {
                            distance[y] = Some(dy);
                            via[y] = a;
                            changed = true;
                        }
                    }
                }
                if !changed {
                    break;
                }
            }
            if distance[sink].is_none() {
                break;
            }
            let mut push = amount - sent;
            let mut x = sink;
            while x != source {
                let a = via[x];
                push = push.min(self.residual[a]);
                x = self.head[a ^ 1];
            }
            let mut x = sink;
            while x != source {
                let a = via[x];
                self.residual[a] -= push;
                self.residual[a ^ 1] += push;
                x = self.head[a ^ 1];
            }
            sent += push;
        }
        sent
    }
}

/// The flow model of a space with one or two categories (see [`smallest_relaxation`]).
struct FlowEngine<'a> {
    space: &'a TypeSpace,
    quotas: &'a Quotas,
    /// Groups of types sharing their quotas (one per value with one category, per pair of
    /// values with two): the quotas and the types, in type order.
    groups: Vec<(usize, Option<usize>, Vec<usize>)>,
}

impl<'a> FlowEngine<'a> {
    fn new(space: &'a TypeSpace, quotas: &'a Quotas) -> Self {
        let categories = space.categories();
        let mut groups: Vec<(usize, Option<usize>, Vec<usize>)> = Vec::new();
        let mut index = std::collections::BTreeMap::new();
        for t in 0..space.types() {
            let first = quotas.quota_of[t * categories];
            let second = (categories == 2).then(|| quotas.quota_of[t * categories + 1]);
            let g = *index.entry((first, second)).or_insert_with(|| {
                groups.push((first, second, Vec::new()));
                groups.len() - 1
            });
            groups[g].2.push(t);
        }
        FlowEngine {
            space,
            quotas,
            groups,
        }
    }

    /// The arcs of quota `q` between `from` and `to`: the seats of its value cost `unit[2q]`
    /// per seat short of the minimum and `unit[2q + 1]` per seat above the maximum; a fixed
    /// bound forces the seats into its range by a prefix of cost `−big`.
    fn quota_arcs(
        &self,
        network: &mut Network,
        (from, to): (usize, usize),
        q: usize,
        unit: &[i128],
        fixed: &[Option<u32>],
        big: i128,
    ) {
        let min = u64::from(self.quotas.min[q]);
        let max = u64::from(self.quotas.max[q]);
        let (mut low, mut high) = (0u64, u64::from(self.space.k()));
        if let Some(u) = fixed[2 * q] {
            let seats = min - u64::from(u);
            low = low.max(seats);
            if u > 0 {
                high = high.min(seats);
            }
        }
        if let Some(u) = fixed[2 * q + 1] {
            let seats = max + u64::from(u);
            high = high.min(seats);
            if u > 0 {
                low = low.max(seats);
            }
        }
        let cost = |i: u64| {
            (if i < low { -big } else { 0 })
                + (if i < min { -unit[2 * q] } else { 0 })
                + (if i >= max { unit[2 * q + 1] } else { 0 })
        };
        let mut cuts = vec![0, low.min(high), min.min(high), max.min(high), high];
        cuts.sort_unstable();
        cuts.dedup();
        for pair in cuts.windows(2) {
            network.arc(from, to, pair[1] - pair[0], cost(pair[0]));
        }
    }

    /// A least-cost panel for unit costs `unit` per bound and the bounds `fixed`.
    fn panel(&self, unit: &[i128], fixed: &[Option<u32>], big: i128) -> Vec<u32> {
        let quotas = self.quotas.len();
        let (source, sink) = (quotas, quotas + 1);
        let mut network = Network::new(quotas + 2);
        for q in 0..quotas {
            let ends = if self.quotas.category[q] == 0 {
                (source, q)
            } else {
                (q, sink)
            };
            self.quota_arcs(&mut network, ends, q, unit, fixed, big);
        }
        let arcs: Vec<usize> = self
            .groups
            .iter()
            .map(|(first, second, types)| {
                let members = types.iter().map(|&t| u64::from(self.space.size(t))).sum();
                network.arc(*first, second.unwrap_or(sink), members, 0)
            })
            .collect();
        let k = u64::from(self.space.k());
        let sent = network.send(source, sink, k);
        assert_eq!(
            sent, k,
            "k seats can be filled (k ≤ members, fixings feasible)"
        );
        let mut counts = vec![0; self.space.types()];
        for ((_, _, types), &a) in self.groups.iter().zip(&arcs) {
            let mut left = network.flow(a);
            for &t in types {
                let take = left.min(u64::from(self.space.size(t)));
                counts[t] = take as u32;
                left -= take;
            }
        }
        counts
    }
}

impl Engine for FlowEngine<'_> {
    fn fewest(&mut self) -> (Vec<u32>, bool) {
        let unit = vec![1; 2 * self.quotas.len()];
        let fixed = vec![None; unit.len()];
        (self.panel(&unit, &fixed, 0), true)
    }

    fn most_at(
        &mut self,
        b: usize,
        _total: u32,
        fixed: &[Option<u32>],
        _incumbent: &[u32],
    ) -> (Vec<u32>, bool) {
        // Cost M per unit of violation, M − 1 at bound b: least total first (M exceeds any
        // total violation, hence any gain at b), then most at b. `big` exceeds the spread of
        // all other costs of a flow of k units.
        let bound = i128::from(self.quotas.violation_bound(self.space.k()));
        let m = bound + 1;
        let big = 2 * m * (bound + 1) + 1;
        let mut unit = vec![m; 2 * self.quotas.len()];
        unit[b] = m - 1;
        (self.panel(&unit, fixed, big), true)
    }
}

// ---------------------------------------------------------------------------------------------
// Three or more categories: branch and bound over the linear relaxation.

/// Integrality tolerance on the relaxation's type counts and objective.
const INTEGRAL: f64 = 1e-6;

/// Largest cost per seat added to the type columns to break the relaxation's dual degeneracy
/// (at most `10⁻³ / k`).
const PERTURBATION: f64 = 1e-7;

/// The linear relaxation of the violation problem and the branch and bound over it.
struct MipEngine<'a> {
    space: &'a TypeSpace,
    quotas: &'a Quotas,
    lp: Lp,
    /// Column of each bound's violation, if it can be positive.
    slack: Vec<Option<usize>>,
    /// Column of the total violation.
    total: usize,
    /// Nodes left in the budget.
    nodes: u64,
    /// Whether the programme has been solved once (later solves are warm).
    solved: bool,
}

impl<'a> MipEngine<'a> {
    fn new(space: &'a TypeSpace, quotas: &'a Quotas, nodes: u64) -> Self {
        let n = space.types();
        let categories = space.categories();
        let mut bounds: Vec<(f64, f64)> = (0..n).map(|t| (0.0, f64::from(space.size(t)))).collect();
        let mut slack = Vec::with_capacity(2 * quotas.len());
        let mut sum = Vec::new();
        for b in 0..2 * quotas.len() {
            let cap = quotas.cap(b);
            slack.push((cap > 0).then(|| {
                bounds.push((0.0, f64::from(cap)));
                sum.push((bounds.len() - 1, 1.0));
                bounds.len() - 1
            }));
        }
        let total = bounds.len();
        let all: f64 = (0..2 * quotas.len())
            .map(|b| f64::from(quotas.cap(b)))
            .sum();
        bounds.push((0.0, all));
        sum.push((total, -1.0));
        let mut members: Vec<Vec<(usize, f64)>> = vec![Vec::new(); quotas.len()];
        for t in 0..n {
            for &q in &quotas.quota_of[t * categories..(t + 1) * categories] {
                members[q].push((t, 1.0));
            }
        }
        let mut rows = vec![
            Row::new(
                (0..n).map(|t| (t, 1.0)).collect(),
                Relation::Eq,
                f64::from(space.k()),
            ),
            Row::new(sum, Relation::Eq, 0.0),
        ];
        for (q, terms) in members.into_iter().enumerate() {
            let (min, max) = (f64::from(quotas.min[q]), f64::from(quotas.max[q]));
            let (under, over) = (slack[2 * q], slack[2 * q + 1]);
            if under.is_none() && over.is_none() && quotas.max[q] >= quotas.avail[q] {
                continue; // min 0 and max out of reach: the row can never bind.
            }
            let with = |mut terms: Vec<(usize, f64)>, under: bool, over: bool| {
                terms.extend(slack[2 * q].filter(|_| under).map(|c| (c, 1.0)));
                terms.extend(slack[2 * q + 1].filter(|_| over).map(|c| (c, -1.0)));
                terms
            };
            if min <= max {
                rows.push(Row::range(with(terms, true, true), min, max));
            } else {
                rows.push(Row::range(
                    with(terms.clone(), true, false),
                    min,
                    f64::INFINITY,
                ));
                rows.push(Row::range(with(terms, false, true), f64::NEG_INFINITY, max));
            }
        }
        let objective = vec![0.0; bounds.len()];
        MipEngine {
            space,
            quotas,
            lp: Lp::new(rows, bounds, objective),
            slack,
            total,
            nodes,
            solved: false,
        }
    }

    /// A panel near the point `x` (its type counts): integral entries kept, the rest rounded
    /// down and the seats left given to the largest fractional parts (ties to the lower
    /// index), then to any type with room, in type order.
    fn round(&self, x: &[f64]) -> Vec<u32> {
        let n = self.space.types();
        let mut counts: Vec<u32> = (0..n)
            .map(|t| {
                let v = if (x[t] - x[t].round()).abs() <= INTEGRAL {
                    x[t].round()
                } else {
                    x[t].floor()
                };
                (v.max(0.0) as u32).min(self.space.size(t))
            })
            .collect();
        let k = u64::from(self.space.k());
        let mut sum: u64 = counts.iter().map(|&c| u64::from(c)).sum();
        for t in (0..n).rev() {
            if sum <= k {
                break;
            }
            let cut = counts[t].min((sum - k) as u32);
            counts[t] -= cut;
            sum -= u64::from(cut);
        }
        let mut order: Vec<usize> = (0..n)
            .filter(|&t| counts[t] < self.space.size(t) && x[t] > f64::from(counts[t]))
            .collect();
        order.sort_by(|&a, &b| {
            let fa = x[a] - f64::from(counts[a]);
            let fb = x[b] - f64::from(counts[b]);
            fb.total_cmp(&fa).then(a.cmp(&b))
        });
        for t in order {
            if sum == k {
                break;
            }
            counts[t] += 1;
            sum += 1;
        }
        for (t, count) in counts.iter_mut().enumerate() {
            if sum == k {
                break;
            }
            let add = (self.space.size(t) - *count).min((k - sum) as u32);
            *count += add;
            sum += u64::from(add);
        }
        counts
    }

    /// Maximises an integer-valued objective over panels by depth-first branch and bound:
    /// `objective` is the relaxation's (over all columns), `value` the exact objective of a
    /// panel (`None` if the panel is outside the stage's constraints); starts from
    /// `incumbent`; no panel is worth more than `ceiling`. Returns the best panel and whether
    /// it is proven best.
    fn search(
        &mut self,
        objective: &[f64],
        value: impl Fn(&[u32]) -> Option<i64>,
        ceiling: i64,
        incumbent: (Vec<u32>, i64),
    ) -> (Vec<u32>, bool) {
        let n = self.space.types();
        // The objective has no cost on the type columns, so every dual step of the simplex
        // is degenerate (tens of thousands of iterations per warm re-solve on 800 types).
        // Small distinct nonnegative costs break the ties: the perturbed optimum is at least
        // the true one (a valid bound) and exceeds it by at most `PERTURBATION · k ≤ 10⁻³`,
        // below the integer steps the bound is rounded to.
        let scale = PERTURBATION.min(1e-3 / f64::from(self.space.k().max(1)));
        let mut objective = objective.to_vec();
        for (t, cost) in objective[..n].iter_mut().enumerate() {
            // A Weyl sequence: fractional parts of (t + 1)/φ, well spread in [0, 1).
            let spread = ((t + 1) as f64 * 0.618_033_988_749_895).fract();
            *cost += scale * (0.5 + 0.5 * spread);
        }
        self.lp.set_objective(&objective);
        let (mut best, mut best_value) = incumbent;
        let mut proven = true;
        // A node: the type columns whose bounds differ from the root's, with their bounds.
        let mut stack: Vec<Vec<(usize, u32, u32)>> = vec![Vec::new()];
        let mut applied: Vec<usize> = Vec::new();
        while let Some(node) = stack.pop() {
            if best_value >= ceiling {
                break;
            }
            if self.nodes == 0 {
                proven = false;
                break;
            }
            self.nodes -= 1;
            for t in applied.drain(..) {
                self.lp.set_bounds(t, 0.0, f64::from(self.space.size(t)));
            }
            for &(t, lo, hi) in &node {
                self.lp.set_bounds(t, f64::from(lo), f64::from(hi));
                applied.push(t);
            }
            let mut status = if self.solved {
                self.lp.resolve()
            } else {
                self.solved = true;
                self.lp.solve()
            };
            if status == Status::IterationLimit {
                // A warm re-solve can stall numerically; a cold solve starts afresh.
                status = self.lp.solve();
            }
            match status {
                Status::Optimal => {}
                Status::Infeasible => continue,
                Status::IterationLimit => {
                    proven = false;
                    continue;
                }
            }
            let bound = (self.lp.objective() + INTEGRAL).floor();
            if bound <= best_value as f64 {
                continue;
            }
            let x = &self.lp.x()[..n];
            let panel = self.round(x);
            if let Some(v) = value(&panel)
                && v > best_value
            {
                best_value = v;
                best = panel;
            }
            if bound <= best_value as f64 {
                continue;
            }
            // Branch on the most fractional count (ties to the lower index).
            let mut branch: Option<(usize, f64)> = None;
            for (t, &xt) in x.iter().enumerate() {
                let f = xt - xt.floor();
                let distance = f.min(1.0 - f);
                if distance > INTEGRAL && branch.is_none_or(|(_, d)| distance > d) {
                    branch = Some((t, distance));
                }
            }
            let Some((t, _)) = branch else {
                // Integral, yet its exact value falls short of the relaxation's: numerical
                // trouble; give the node up.
                proven = false;
                continue;
            };
            let xt = x[t];
            let floor = xt.floor() as u32;
            let (lo, hi) = node
                .iter()
                .find(|e| e.0 == t)
                .map_or((0, self.space.size(t)), |e| (e.1, e.2));
            let child = |lo: u32, hi: u32| {
                let mut child: Vec<(usize, u32, u32)> =
                    node.iter().copied().filter(|e| e.0 != t).collect();
                child.push((t, lo, hi));
                child
            };
            let down = child(lo, floor.min(hi));
            let up = child((floor + 1).max(lo), hi);
            if xt - xt.floor() >= 0.5 {
                stack.push(down);
                stack.push(up);
            } else {
                stack.push(up);
                stack.push(down);
            }
        }
        for t in applied {
            self.lp.set_bounds(t, 0.0, f64::from(self.space.size(t)));
        }
        (best, proven)
    }

    /// The total violation column's bounds.
    fn set_total(&mut self, lo: f64, hi: f64) {
        self.lp.set_bounds(self.total, lo, hi);
    }
}

impl Engine for MipEngine<'_> {
    fn fewest(&mut self) -> (Vec<u32>, bool) {
        let quotas = self.quotas;
        let mut objective = vec![0.0; self.lp.columns()];
        objective[self.total] = -1.0;
        let value = |panel: &[u32]| {
            let total: u64 = quotas.violations(panel).iter().map(|&u| u64::from(u)).sum();
            Some(-(total as i64))
        };
        // Start from the panel that takes the types in order.
        let mut start = vec![0; self.space.types()];
        let mut left = self.space.k();
        for (t, c) in start.iter_mut().enumerate() {
            *c = left.min(self.space.size(t));
            left -= *c;
        }
        let start_value = value(&start).unwrap_or(i64::MIN);
        self.search(&objective, value, 0, (start, start_value))
    }

    fn most_at(
        &mut self,
        b: usize,
        total: u32,
        fixed: &[Option<u32>],
        incumbent: &[u32],
    ) -> (Vec<u32>, bool) {
        let Some(column) = self.slack[b] else {
            return (incumbent.to_vec(), true);
        };
        self.set_total(f64::from(total), f64::from(total));
        for (c, u) in fixed.iter().enumerate() {
            if let (Some(u), Some(col)) = (u, self.slack[c]) {
                self.lp.set_bounds(col, f64::from(*u), f64::from(*u));
            }
        }
        let mut objective = vec![0.0; self.lp.columns()];
        objective[column] = 1.0;
        let quotas = self.quotas;
        let value = |panel: &[u32]| {
            let profile = quotas.violations(panel);
            meets(&profile, total, fixed).then(|| i64::from(profile[b]))
        };
        let start = value(incumbent).expect("the incumbent meets the stage");
        let used: u32 = fixed.iter().flatten().sum();
        let ceiling = i64::from(quotas.cap(b).min(total - used));
        self.search(&objective, value, ceiling, (incumbent.to_vec(), start))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::lot::{seeded, uniform_below};

    /// Shorthand for a change.
    fn change(category: usize, value: u32, bound: Bound, from: u32, to: u32) -> Change {
        Change {
            category,
            value,
            bound,
            from,
            to,
        }
    }

    /// Every panel of `space` (counts within the sizes, summing to `k`).
    fn panels(space: &TypeSpace) -> Vec<Vec<u32>> {
        fn walk(space: &TypeSpace, t: usize, left: u32, c: &mut Vec<u32>, out: &mut Vec<Vec<u32>>) {
            if t == space.types() {
                if left == 0 {
                    out.push(c.clone());
                }
                return;
            }
            for x in 0..=left.min(space.size(t)) {
                c[t] = x;
                walk(space, t + 1, left - x, c, out);
            }
            c[t] = 0;
        }
        let mut out = Vec::new();
        walk(space, 0, space.k(), &mut vec![0; space.types()], &mut out);
        out
    }

    /// The violation profile the tie rule selects, by enumerating panels: least total, then
    /// lexicographically greatest.
    fn brute_force_profile(space: &TypeSpace) -> Vec<u32> {
        let quotas = Quotas::new(space);
        panels(space)
            .iter()
            .map(|p| quotas.violations(p))
            .min_by(|a, b| {
                let (sa, sb) = (a.iter().sum::<u32>(), b.iter().sum::<u32>());
                sa.cmp(&sb).then_with(|| b.cmp(a))
            })
            .expect("k ≤ members: a panel exists")
    }

    /// The tie rule's relaxation by enumerating *relaxations*: total units d = 0, 1, … up to
    /// `limit`, each d's unit vectors in decreasing lexicographic order, the first one under
    /// which some panel is feasible. `None` if none up to `limit`.
    fn brute_force_relaxation(space: &TypeSpace, limit: u32) -> Option<Vec<u32>> {
        let quotas = Quotas::new(space);
        let seats: Vec<Vec<u32>> = panels(space)
            .iter()
            .map(|p| {
                let mut s = vec![0; quotas.len()];
                let categories = space.categories();
                for (t, &c) in p.iter().enumerate() {
                    for &q in &quotas.quota_of[t * categories..(t + 1) * categories] {
                        s[q] += c;
                    }
                }
                s
            })
            .collect();
        let feasible = |u: &[u32]| {
            seats.iter().any(|s| {
                (0..quotas.len()).all(|q| {
                    quotas.min[q] - u[2 * q] <= s[q] && s[q] <= quotas.max[q] + u[2 * q + 1]
                })
            })
        };
        fn compositions(
            b: usize,
            left: u32,
            caps: &[u32],
            u: &mut Vec<u32>,
            found: &mut dyn FnMut(&[u32]) -> bool,
        ) -> bool {
            if b == caps.len() {
                return left == 0 && found(u);
            }
            for x in (0..=left.min(caps[b])).rev() {
                u[b] = x;
                if compositions(b + 1, left - x, caps, u, found) {
                    return true;
                }
            }
            u[b] = 0;
            false
        }
        // A minimum can drop to 0, a maximum rise to k.
        let caps: Vec<u32> = (0..2 * quotas.len())
            .map(|b| {
                if side(b) == Bound::Min {
                    quotas.min[b / 2]
                } else {
                    space.k()
                }
            })
            .collect();
        let mut u = vec![0; caps.len()];
        (0..=limit).find_map(|d| {
            let mut hit = None;
            compositions(0, d, &caps, &mut u, &mut |u| {
                let ok = feasible(u);
                if ok {
                    hit = Some(u.to_vec());
                }
                ok
            });
            hit
        })
    }

    /// The violation profile of a diagnosis (`None`: all zeros).
    fn profile_of(space: &TypeSpace, diagnosis: Option<&Diagnosis>) -> Vec<u32> {
        let quotas = Quotas::new(space);
        let mut u = vec![0; 2 * quotas.len()];
        for c in diagnosis.map_or(&[][..], |d| &d.changes) {
            let q = (0..quotas.len())
                .find(|&q| quotas.category[q] == c.category && quotas.value[q] == c.value)
                .unwrap();
            u[2 * q + usize::from(c.bound == Bound::Max)] = c.units();
        }
        u
    }

    #[test]
    fn a_feasible_space_has_no_diagnosis() {
        let one = TypeSpace::new(
            2,
            vec![2],
            &[(3, vec![0]), (1, vec![1])],
            &[vec![(0, 2), (1, 2)]],
        );
        assert_eq!(smallest_relaxation(&one), None);
        let two = TypeSpace::new(
            2,
            vec![2, 2],
            &[(1, vec![0, 0]), (1, vec![1, 1])],
            &[vec![(1, 1), (1, 1)], vec![(1, 1), (1, 1)]],
        );
        assert_eq!(smallest_relaxation(&two), None);
        let three = TypeSpace::new(
            2,
            vec![2, 2, 2],
            &[(1, vec![0, 0, 1]), (1, vec![1, 1, 0])],
            &[vec![(1, 1); 2], vec![(1, 1); 2], vec![(1, 1); 2]],
        );
        assert_eq!(smallest_relaxation(&three), None);
        let none = TypeSpace::new(2, vec![], &[(3, vec![])], &[]);
        assert_eq!(smallest_relaxation(&none), None);
    }

    #[test]
    fn an_impossible_minimum_is_lowered_by_exactly_what_is_missing() {
        // Value 0 has 2 members but a minimum of 3.
        let space = TypeSpace::new(
            4,
            vec![2],
            &[(2, vec![0]), (5, vec![1])],
            &[vec![(3, 4), (0, 4)]],
        );
        let d = smallest_relaxation(&space).unwrap();
        assert_eq!(d.changes, vec![change(0, 0, Bound::Min, 3, 2)]);
        assert!(d.minimal && d.preferred);
        assert_eq!(d.witness, vec![2, 2]);
    }

    #[test]
    fn conflicting_quotas_across_two_categories_relax_the_earlier_quota() {
        // Both women are from region 0: at least 2 women, at most 1 seat for region 0.
        // Category order decides which bound moves (by one unit either way).
        let types = [(2, vec![0, 0]), (3, vec![1, 1]), (3, vec![1, 0])];
        // Category 0 = gender (0 = woman), category 1 = region.
        let gender_first = TypeSpace::new(
            3,
            vec![2, 2],
            &types,
            &[vec![(2, 3), (0, 3)], vec![(0, 1), (0, 3)]],
        );
        let d = smallest_relaxation(&gender_first).unwrap();
        assert_eq!(d.changes, vec![change(0, 0, Bound::Min, 2, 1)]);
        assert!(d.minimal && d.preferred);
        // Region first: its maximum comes first and is raised instead.
        let swapped: Vec<(u32, Vec<u32>)> =
            types.iter().map(|(m, v)| (*m, vec![v[1], v[0]])).collect();
        let region_first = TypeSpace::new(
            3,
            vec![2, 2],
            &swapped,
            &[vec![(0, 1), (0, 3)], vec![(2, 3), (0, 3)]],
        );
        let d = smallest_relaxation(&region_first).unwrap();
        assert_eq!(d.changes, vec![change(0, 0, Bound::Max, 1, 2)]);
    }

    #[test]
    fn three_categories_are_diagnosed_exactly() {
        // 4 seats. Category 2 wants 3 seats for value 0, whose members are type 0 (2) and
        // type 3 (1); but category 0 allows at most 1 seat for value 0, which caps type 0 at 1.
        let space = TypeSpace::new(
            4,
            vec![2, 2, 2],
            &[
                (2, vec![0, 0, 0]),
                (2, vec![1, 1, 1]),
                (2, vec![1, 0, 1]),
                (1, vec![1, 1, 0]),
            ],
            &[
                vec![(0, 1), (0, 4)],
                vec![(0, 4), (0, 4)],
                vec![(3, 4), (0, 4)],
            ],
        );
        let d = smallest_relaxation(&space).unwrap();
        assert_eq!(d.units(), 1);
        // The first bound that can absorb the unit: raise category 0's value-0 maximum.
        assert_eq!(d.changes, vec![change(0, 0, Bound::Max, 1, 2)]);
        assert!(d.minimal && d.preferred);
        assert_eq!(profile_of(&space, Some(&d)), brute_force_profile(&space));
    }

    #[test]
    fn ties_put_as_many_units_as_possible_on_the_first_bound() {
        // Three values, minima 2 each, 4 seats: 2 units must go; both on value 0.
        let space = TypeSpace::new(
            4,
            vec![3],
            &[(5, vec![0]), (5, vec![1]), (5, vec![2])],
            &[vec![(2, 4); 3]],
        );
        let d = smallest_relaxation(&space).unwrap();
        assert_eq!(d.changes, vec![change(0, 0, Bound::Min, 2, 0)]);
        // Minimum 1 on value 0: one unit there, the next on value 1.
        let space = TypeSpace::new(
            3,
            vec![3],
            &[(5, vec![0]), (5, vec![1]), (5, vec![2])],
            &[vec![(1, 3), (2, 3), (2, 3)]],
        );
        let d = smallest_relaxation(&space).unwrap();
        assert_eq!(
            d.changes,
            vec![
                change(0, 0, Bound::Min, 1, 0),
                change(0, 1, Bound::Min, 2, 1)
            ]
        );
        // The same with three categories (the branch-and-bound path), value 0 of each.
        let space = TypeSpace::new(
            3,
            vec![3, 1, 1],
            &[(5, vec![0, 0, 0]), (5, vec![1, 0, 0]), (5, vec![2, 0, 0])],
            &[vec![(1, 3), (2, 3), (2, 3)], vec![(0, 3)], vec![(0, 3)]],
        );
        let d = smallest_relaxation(&space).unwrap();
        assert_eq!(
            d.changes,
            vec![
                change(0, 0, Bound::Min, 1, 0),
                change(0, 1, Bound::Min, 2, 1)
            ]
        );
        assert!(d.minimal && d.preferred);
    }

    #[test]
    fn a_minimum_above_its_maximum_moves_the_minimum() {
        // min 3 > max 2 on value 0: one unit, the minimum first in bound order.
        let space = TypeSpace::new(
            3,
            vec![2],
            &[(5, vec![0]), (5, vec![1])],
            &[vec![(3, 2), (0, 3)]],
        );
        let d = smallest_relaxation(&space).unwrap();
        assert_eq!(d.changes, vec![change(0, 0, Bound::Min, 3, 2)]);
    }

    #[test]
    fn a_node_limit_still_gives_a_feasible_relaxation() {
        let space = random_space(&mut seeded(11), 3, 3, 12);
        let d = smallest_relaxation_with(
            &space,
            DiagnosisOptions {
                node_limit: Some(1),
            },
        );
        if let Some(d) = d {
            assert!(d.relaxed(&space).is_feasible(&d.witness));
            assert!(d.preferred <= d.minimal);
        }
    }

    /// A small random space: `categories` categories of 2 or 3 values, up to `types`
    /// distinct types of 1 to 3 members, random bounds (a minimum may exceed a maximum).
    fn random_space(
        rng: &mut crate::lot::Xoshiro256PlusPlus,
        categories: usize,
        values: u64,
        types: u64,
    ) -> TypeSpace {
        let values: Vec<u32> = (0..categories)
            .map(|_| 2 + uniform_below(rng, values - 1) as u32)
            .collect();
        let mut list: Vec<(u32, Vec<u32>)> = Vec::new();
        for _ in 0..1 + uniform_below(rng, types) {
            let key: Vec<u32> = values
                .iter()
                .map(|&v| uniform_below(rng, u64::from(v)) as u32)
                .collect();
            if list.iter().all(|(_, k)| *k != key) {
                list.push((1 + uniform_below(rng, 3) as u32, key));
            }
        }
        let members: u32 = list.iter().map(|(m, _)| m).sum();
        let k = uniform_below(rng, u64::from(members) + 1) as u32;
        let bounds = values
            .iter()
            .map(|&v| {
                (0..v)
                    .map(|_| {
                        let lo = uniform_below(rng, u64::from(k.min(3)) + 2) as u32;
                        let hi = uniform_below(rng, u64::from(k) + 2) as u32;
                        (lo, hi)
                    })
                    .collect()
            })
            .collect::<Vec<Vec<(u32, u32)>>>();
        TypeSpace::new(k, values, &list, &bounds)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        /// Against brute force: the fewest units (enumerating relaxations by increasing total
        /// and testing each by enumerating panels, when the total is small) and the exact
        /// relaxation the tie rule selects (enumerating panels).
        #[test]
        fn matches_brute_force(seed in any::<u64>(), categories in 1usize..=3) {
            let space = random_space(&mut seeded(seed), categories, 3, 5);
            let d = smallest_relaxation(&space);
            let expected = brute_force_profile(&space);
            prop_assert_eq!(profile_of(&space, d.as_ref()), expected.clone());
            if let Some(by_relaxation) = brute_force_relaxation(&space, 3) {
                prop_assert_eq!(by_relaxation, expected);
            } else {
                prop_assert!(expected.iter().sum::<u32>() > 3);
            }
            if let Some(d) = d {
                prop_assert!(d.minimal && d.preferred);
                prop_assert!(d.relaxed(&space).is_feasible(&d.witness));
                prop_assert!(!space.is_feasible(&d.witness));
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// On one or two categories, spaces too big for brute force (up to 24 types of up to 6
        /// members, up to 5 values per category): the branch and bound of three or more
        /// categories, run on the same space, finds the same relaxation as the flow.
        #[test]
        fn branch_and_bound_agrees_with_the_flow(seed in any::<u64>(), categories in 1usize..=2) {
            let mut rng = seeded(seed);
            let values: Vec<u32> =
                (0..categories).map(|_| 2 + uniform_below(&mut rng, 4) as u32).collect();
            let mut types: Vec<(u32, Vec<u32>)> = Vec::new();
            for _ in 0..24 {
                let key: Vec<u32> =
                    values.iter().map(|&v| uniform_below(&mut rng, u64::from(v)) as u32).collect();
                if types.iter().all(|(_, k)| *k != key) {
                    types.push((1 + uniform_below(&mut rng, 6) as u32, key));
                }
            }
            let members: u32 = types.iter().map(|(m, _)| m).sum();
            let k = uniform_below(&mut rng, u64::from(members) + 1) as u32;
            let bounds: Vec<Vec<(u32, u32)>> = values
                .iter()
                .map(|&v| {
                    (0..v)
                        .map(|_| {
                            let share = k / v;
                            let lo = uniform_below(&mut rng, u64::from(share) + 3) as u32;
                            (lo, lo + uniform_below(&mut rng, u64::from(share) + 2) as u32)
                        })
                        .collect()
                })
                .collect();
            let space = TypeSpace::new(k, values, &types, &bounds);
            let quotas = Quotas::new(&space);
            let flow = diagnose(&space, &quotas, &mut FlowEngine::new(&space, &quotas));
            let mip = diagnose(&space, &quotas, &mut MipEngine::new(&space, &quotas, 1_000_000));
            prop_assert_eq!(flow.as_ref().map(|d| &d.changes), mip.as_ref().map(|d| &d.changes));
            if let Some(mip) = mip {
                prop_assert!(mip.minimal && mip.preferred);
            }
        }
    }

    /// The benchmark-shaped instance (`benches/fair.rs`): 2 000 organisations, 4 categories of
    /// 7 values (Zipf-like frequencies and a shared latent value), quotas within ±1 of
    /// proportional for `k` = 100; `tighten` changes the bounds.
    fn large(seed: u64, tighten: impl Fn(usize, u32, f64, (u32, u32)) -> (u32, u32)) -> TypeSpace {
        use crate::lot::{unit_interval, weighted_index};
        const K: u32 = 100;
        let mut rng = seeded(seed);
        let zipf: Vec<f64> = (0..7).map(|v| 1.0 / (f64::from(v) + 1.0)).collect();
        let mut counts = std::collections::BTreeMap::<[u32; 4], u32>::new();
        for _ in 0..2_000 {
            let latent = weighted_index(&mut rng, &zipf).unwrap() as u32;
            let mut key = [0u32; 4];
            for value in &mut key {
                *value = if unit_interval(&mut rng) < 0.4 {
                    latent
                } else {
                    weighted_index(&mut rng, &zipf).unwrap() as u32
                };
            }
            *counts.entry(key).or_default() += 1;
        }
        let types: Vec<(u32, Vec<u32>)> =
            counts.into_iter().map(|(k, m)| (m, k.to_vec())).collect();
        let bounds: Vec<Vec<(u32, u32)>> = (0..4)
            .map(|j| {
                (0..7u32)
                    .map(|v| {
                        let members: u32 = types
                            .iter()
                            .filter(|(_, key)| key[j] == v)
                            .map(|(m, _)| m)
                            .sum();
                        let share = f64::from(K) * f64::from(members) / 2_000.0;
                        let given = (
                            (share.floor() - 1.0).max(0.0) as u32,
                            share.ceil() as u32 + 1,
                        );
                        tighten(j, v, share, given)
                    })
                    .collect()
            })
            .collect();
        TypeSpace::new(K, vec![7; 4], &types, &bounds)
    }

    /// Timings of the diagnosis on the large instance made infeasible in several ways:
    /// `cargo test --release --lib fair::diagnose::tests::timing -- --ignored --nocapture`.
    #[test]
    #[ignore = "timing, run in release"]
    fn timing() {
        type Tighten = fn(usize, u32, f64, (u32, u32)) -> (u32, u32);
        let cases: [(&str, Tighten); 5] = [
            ("(0, 6) at least share + 30", |j, v, share, b| {
                if (j, v) == (0, 6) {
                    (share as u32 + 30, share as u32 + 32)
                } else {
                    b
                }
            }),
            (
                "minima of category 1 at ceil(share), + 1 on values 0 to 2",
                |j, v, share, b| {
                    if j == 1 {
                        (share.ceil() as u32 + u32::from(v < 3), b.1 + 2)
                    } else {
                        b
                    }
                },
            ),
            (
                "(0, 0) at least 60, (1, 0) at most 25",
                |j, v, _, b| match (j, v) {
                    (0, 0) => (60, 62),
                    (1, 0) => (0, 25),
                    _ => b,
                },
            ),
            (
                "every quota within floor/ceil of its share",
                |_, _, share, _| (share.floor() as u32, share.ceil() as u32),
            ),
            ("every quota exactly its rounded share", |_, _, share, _| {
                (share.round() as u32, share.round() as u32)
            }),
        ];
        for seed in [2026, 1, 2, 3, 4] {
            for (name, tighten) in cases {
                let space = large(seed, tighten);
                let start = std::time::Instant::now();
                let d = smallest_relaxation(&space);
                let elapsed = start.elapsed();
                let Some(d) = d else {
                    eprintln!("seed {seed}, {name}: feasible, {elapsed:?}");
                    continue;
                };
                eprintln!(
                    "seed {seed}, {name}: {} types, {} units in {} changes, minimal {}, \
                     preferred {}, {elapsed:?}",
                    space.types(),
                    d.units(),
                    d.changes.len(),
                    d.minimal,
                    d.preferred,
                );
            }
        }
    }
}
