//! Position in the speaking order and in the session: "too late", as civil society was heard
//! at the end of each thematic session of the 2017 GCM consultations.

/// Normalised position of speaking position `p` (1-based) among `g` granted slots:
/// (p − 1)/(g − 1), from 0 (first) to 1 (last); 0 when g = 1.
///
/// ```
/// use floorshare::metrics::normalised_position;
///
/// assert_eq!(normalised_position(1, 5), 0.0);
/// assert_eq!(normalised_position(5, 5), 1.0);
/// assert_eq!(normalised_position(1, 1), 0.0);
/// ```
pub fn normalised_position(p: u32, g: u32) -> f64 {
    if g <= 1 {
        0.0
    } else {
        f64::from(p.saturating_sub(1)) / f64::from(g - 1)
    }
}

/// Attention given to speaking position `p` (1-based): 1/log₂(1 + p), the position discount of
/// discounted cumulative gain (Järvelin & Kekäläinen, *ACM TOIS* 20, 2002), used for exposure
/// in rankings (Singh & Joachims, "Fairness of Exposure in Rankings", KDD 2018).
///
/// ```
/// use floorshare::metrics::attention;
///
/// assert_eq!(attention(1), 1.0);
/// assert_eq!(attention(3), 0.5);
/// ```
pub fn attention(p: u32) -> f64 {
    1.0 / (1.0 + f64::from(p)).log2()
}

/// Whether a slot starting at `start_minute` lies in the last fifth of a session of `length`
/// minutes: start_minute ≥ 0.8·L (compared exactly as 5·start ≥ 4·L).
///
/// ```
/// use floorshare::metrics::is_late;
///
/// assert!(is_late(144, 180));
/// assert!(!is_late(143, 180));
/// ```
pub fn is_late(start_minute: u32, length: u32) -> bool {
    5 * u64::from(start_minute) >= 4 * u64::from(length)
}
