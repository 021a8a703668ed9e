//! The one seeded fair-lottery instance generator (SPEC §4, Settled detail 16: "one seeded
//! instance generator, committed, serves the benchmark and the peer script").
//!
//! Included with `#[path = "peers/fair_instance.rs"]` by `benches/fair_pricing.rs` and by
//! `examples/fair_instance.rs`, which writes the instance as a floorshare session
//! (`fair_lottery` policy) for `benches/peers/fair_lottery.py` and solves it with
//! `floorshare::fair::solve`.
//!
//! The pool: `n` organisations, each with a value in every one of `categories` categories of
//! [`VALUES`] values. Each organisation has a latent position `u` in [0, 1); in each category
//! its value is, with chance ½, the Zipf(1) quantile of `u` (shared across categories, so the
//! categories correlate), else an independent Zipf(1) draw — value 0 is the most frequent.
//! The quotas: for value v of category j with share s of the pool and p = k·s, at least
//! ⌈p − 1⌉ (and at least 0) and at most ⌊p + 1⌋ seats — every count within ±1 of
//! proportional. Everything is a function of (n, categories, k, seed) through
//! `floorshare::lot::seeded(seed)`.
//!
//! Category 0 is the organisation's `region` (the seven GCM regions); the others are tags
//! (`tag:sector`, `tag:language`, `tag:scale`, then `tag:category_J`), so that the instance is
//! a real floorshare session.

use floorshare::fair::TypeSpace;
use floorshare::lot;
use floorshare::model::GCM_REGIONS;

/// Values per category.
pub const VALUES: u32 = 7;

/// A generated instance: each organisation's value index in every category, and the quotas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    /// Seats to fill.
    pub k: u32,
    /// Per organisation (in generation order), its value in each category (`0..VALUES`).
    pub organisations: Vec<Vec<u32>>,
    /// `bounds[j][v] = (min, max)` seats for value `v` of category `j`.
    pub bounds: Vec<Vec<(u32, u32)>>,
}

impl Instance {
    /// The instance of `n` organisations in `categories` categories, `k` seats, drawn from
    /// `lot::seeded(seed)` (see the module documentation).
    pub fn generate(n: usize, categories: usize, k: u32, seed: u64) -> Instance {
        let mut rng = lot::seeded(seed);
        let zipf: Vec<f64> = (0..VALUES).map(|v| 1.0 / f64::from(v + 1)).collect();
        let total: f64 = zipf.iter().sum();
        let quantile = |u: f64| {
            let mut acc = 0.0;
            for (v, z) in zipf.iter().enumerate() {
                acc += z / total;
                if u < acc {
                    return v as u32;
                }
            }
            VALUES - 1
        };
        let organisations: Vec<Vec<u32>> = (0..n)
            .map(|_| {
                let latent = lot::unit_interval(&mut rng);
                (0..categories)
                    .map(|_| {
                        if lot::uniform_below(&mut rng, 2) == 0 {
                            quantile(latent)
                        } else {
                            lot::weighted_index(&mut rng, &zipf).expect("positive weights") as u32
                        }
                    })
                    .collect()
            })
            .collect();
        let bounds = (0..categories)
            .map(|j| {
                (0..VALUES)
                    .map(|v| {
                        let members = organisations.iter().filter(|o| o[j] == v).count();
                        let p = f64::from(k) * members as f64 / n as f64;
                        ((p - 1.0).ceil().max(0.0) as u32, (p + 1.0).floor() as u32)
                    })
                    .collect()
            })
            .collect();
        Instance {
            k,
            organisations,
            bounds,
        }
    }

    /// Number of categories.
    pub fn categories(&self) -> usize {
        self.bounds.len()
    }

    /// Organisations with value `v` in category `j`.
    pub fn members(&self, j: usize, v: u32) -> usize {
        self.organisations.iter().filter(|o| o[j] == v).count()
    }

    /// The instance in type space: a type per distinct value vector (in increasing order of
    /// the vector), its size the organisations sharing it.
    pub fn type_space(&self) -> TypeSpace {
        let mut sorted = self.organisations.clone();
        sorted.sort();
        let mut types: Vec<(u32, Vec<u32>)> = Vec::new();
        for o in sorted {
            match types.last_mut() {
                Some((m, vals)) if *vals == o => *m += 1,
                _ => types.push((1, o)),
            }
        }
        TypeSpace::new(
            self.k,
            vec![VALUES; self.categories()],
            &types,
            &self.bounds,
        )
    }
}

/// The session's name of category `j`: `region`, then tags.
pub fn category_name(j: usize) -> String {
    match j {
        0 => "region".to_owned(),
        1 => "tag:sector".to_owned(),
        2 => "tag:language".to_owned(),
        3 => "tag:scale".to_owned(),
        _ => format!("tag:category_{j}"),
    }
}

/// The session's name of value `v` of category `j`.
pub fn value_name(j: usize, v: u32) -> String {
    const SECTOR: [&str; 7] = [
        "health",
        "education",
        "labour",
        "housing",
        "legal_aid",
        "climate",
        "culture",
    ];
    const LANGUAGE: [&str; 7] = [
        "english",
        "french",
        "spanish",
        "arabic",
        "russian",
        "chinese",
        "portuguese",
    ];
    const SCALE: [&str; 7] = [
        "local",
        "provincial",
        "national",
        "subregional",
        "regional",
        "continental",
        "global",
    ];
    let names = match j {
        0 => &GCM_REGIONS,
        1 => &SECTOR,
        2 => &LANGUAGE,
        3 => &SCALE,
        _ => return format!("value_{v}"),
    };
    names[v as usize].to_owned()
}
