//! The whole computation: relaxation, decomposition into panels, rounding to the lottery drawn
//! from, and the certificate.

use super::{
    Pricer, PricingOptions, Progress, RelaxationBound, TypeSpace, UniformLottery, decompose,
    uniform_lottery_towards,
};

/// What the lottery makes as equal as it can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    /// The least probability as high as possible.
    Maximin,
    /// The least as high as possible, then the second least, and so on.
    #[default]
    Leximin,
}

/// Rounding and decomposition each cost at most this share of the least probability, so that
/// the lottery drawn from stays within 1% of the certified bound when the relaxation's
/// optimum is reachable.
pub const TOLERANCE: f64 = 0.004;

/// Branch-and-bound nodes per pricing call of the decomposition (three or more categories):
/// past it the best panel found is used.
pub const DECOMPOSITION_NODE_LIMIT: u64 = 100;

/// A solved fair lottery.
#[derive(Debug, Clone)]
pub struct Solved {
    /// The uniform lottery over m panels actually drawn from.
    pub lottery: UniformLottery,
    /// The certified upper bound on the least quantity (probability, or history plus
    /// probability with process fairness) of any lottery over feasible panels.
    pub upper_bound: f64,
    /// The least quantity under `lottery`.
    pub minimum: f64,
    /// How the decomposition went.
    pub progress: Progress,
    /// Whether `upper_bound` is certified (no linear programme of the relaxation stopped at
    /// its iteration limit).
    pub certified: bool,
}

/// Solves `space` for `objective`; `history[t]` is the slots each member of type t already has
/// (all zeros without process fairness). `None` when no quota-feasible panel exists.
pub fn solve(space: &TypeSpace, history: &[f64], objective: Objective) -> Option<Solved> {
    let mut relaxation = RelaxationBound::new(space, history);
    let point = match objective {
        Objective::Leximin => relaxation.leximin()?,
        Objective::Maximin => relaxation.maximin_point()?,
    };
    // Warm starts and a node limit: the decomposition needs good panels fast, not proofs
    // (nothing is certified from a pricing call; the minimum is measured on the lottery).
    let mut pricer = Pricer::with_options(
        space,
        PricingOptions {
            node_limit: Some(DECOMPOSITION_NODE_LIMIT),
        },
    );
    pricer.set_warm_starts(true);
    let iterations = 50 * space.types() as u32 + 1_000;
    let (panels, progress) = decompose(
        space,
        &mut pricer,
        &point.seats,
        &point.probabilities,
        TOLERANCE,
        iterations,
    )?;
    let lottery = uniform_lottery_towards(space, &panels, history, &point.probabilities, TOLERANCE);
    let m = lottery.panels() as f64;
    let minimum = (0..space.types())
        .flat_map(|t| (0..space.size(t) as usize).map(move |r| (t, r)))
        .map(|(t, r)| history[t] + f64::from(lottery.count(t, r)) / m)
        .fold(f64::INFINITY, f64::min);
    Some(Solved {
        lottery,
        upper_bound: point.upper_bound,
        minimum,
        progress,
        certified: !relaxation.limit_reached(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_instance_is_solved_within_one_percent_of_its_bound() {
        // 12 organisations in 2 categories (region × class), 3 seats, one seat at least for
        // each region.
        let space = TypeSpace::new(
            3,
            vec![3, 2],
            &[
                (3, vec![0, 0]),
                (2, vec![0, 1]),
                (1, vec![1, 0]),
                (2, vec![1, 1]),
                (3, vec![2, 0]),
                (1, vec![2, 1]),
            ],
            &[vec![(1, 3), (1, 3), (1, 3)], vec![(0, 3), (1, 3)]],
        );
        let solved = solve(&space, &[0.0; 6], Objective::Leximin).unwrap();
        assert!(solved.minimum >= 0.99 * solved.upper_bound, "{solved:?}");
        assert!(solved.minimum <= solved.upper_bound + 1e-9);
        for i in 0..solved.lottery.panels() {
            let mut counts = vec![0u32; 6];
            for &(t, _) in solved.lottery.panel(i) {
                counts[t as usize] += 1;
            }
            assert!(space.is_feasible(&counts));
        }
    }
}
