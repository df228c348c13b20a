//! Label fractions with their uncertainty: the Wilson score interval.
//!
//! Why Wilson: the plain `p ± z·sqrt(p(1-p)/n)` collapses to a point at
//! `p = 0` or `1` and leaves [0, 1] near them, and exactly there the claims
//! live ("softplus converges from any start"). Wilson's interval stays in
//! [0, 1] and keeps a width at the ends.

/// The normal quantile of a two-sided 95% interval.
pub const Z95: f64 = 1.959963984540054;

/// `count` of `total` runs, with a 95% confidence interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fraction {
    pub count: u64,
    pub total: u64,
}

impl Fraction {
    pub fn new(count: u64, total: u64) -> Fraction {
        Fraction { count, total }
    }

    /// `count / total`; 0 of 0 is 0.
    pub fn value(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            self.count as f64 / self.total as f64
        }
    }

    /// The 95% Wilson score interval; [0, 1] when nothing was counted.
    pub fn wilson95(&self) -> (f64, f64) {
        wilson(self.count, self.total, Z95)
    }
}

/// The Wilson score interval of `k` successes in `n` trials at normal
/// quantile `z`:
/// `(p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)`, `p = k/n`.
pub fn wilson(k: u64, n: u64, z: f64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let n = n as f64;
    let p = k as f64 / n;
    let z2 = z * z;
    let denominator = 1.0 + z2 / n;
    let center = (p + z2 / (2.0 * n)) / denominator;
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denominator;
    // At a count of 0 (or n) the end is exactly 0 (or 1); computed, it
    // would be off by a rounding error.
    let lo = if k == 0 {
        0.0
    } else {
        (center - half).max(0.0)
    };
    let hi = if k as f64 == n {
        1.0
    } else {
        (center + half).min(1.0)
    };
    (lo, hi)
}

/// The median of `values` (the mean of the middle two for an even count),
/// `None` for none. NaN sorts last.
pub fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let m = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[m]
    } else {
        (values[m - 1] + values[m]) / 2.0
    })
}
