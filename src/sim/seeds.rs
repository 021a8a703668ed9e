//! Where every random draw of a simulation comes from: portable seeds derived per run and
//! stream, so that results depend only on (master seed, run), never on threads or shards.

/// The generator stream of a run that draws the population (migrant-led flags).
pub const POPULATION_STREAM: u64 = 0;
/// The generator stream of a run that draws every session's requests, shared by all policies
/// (common random numbers).
pub const REQUESTS_STREAM: u64 = 1;

/// The generator stream of policy `p`'s own draws (`2 + p`).
pub const fn policy_stream(p: usize) -> u64 {
    2 + p as u64
}

/// The seed of stream `stream` of run `run` under master seed `master`: SplitMix64 applied to
/// the master seed, mixed with the run, mixed with the stream (Steele, Lea & Flood, "Fast
/// splittable pseudorandom number generators", OOPSLA 2014). Portable integer arithmetic only.
///
/// ```
/// use floorshare::sim::derive_seed;
///
/// assert_ne!(derive_seed(1, 0, 0), derive_seed(1, 1, 0));
/// assert_ne!(derive_seed(1, 0, 0), derive_seed(1, 0, 1));
/// assert_eq!(derive_seed(1, 2, 3), derive_seed(1, 2, 3));
/// ```
pub fn derive_seed(master: u64, run: u64, stream: u64) -> u64 {
    fn splitmix64(x: u64) -> u64 {
        let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    splitmix64(splitmix64(splitmix64(master) ^ run) ^ stream)
}
