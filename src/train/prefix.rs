//! The exact shortcut for linear pieces: `[train] kernel = "auto"`.
//!
//! For relu and leaky_relu a point's residual `r = c·f(a·x + b) + d − relu(x)`
//! is linear in `x` between the breakpoints `x = 0` and `a·x + b = 0`, so on
//! sorted data the points of one piece are a run of indices, and within it
//! the points where `r` has one sign are a sub-run. The loss and the four
//! gradient sums then need only the count and the sum of `x` over a few
//! runs: differences of prefix sums, built once per batch, around a few
//! searches that start from a guess and are exact for any guess. That is a
//! handful of operations per step instead of one pass over the points.
//! elu and selu have a linear piece too, but no shortcut: summing their
//! other points one by one around it was measured slower than the direct
//! kernel, which skips their exponential wherever a whole lane group sits
//! on the linear piece (docs/science.md, section 13).
//!
//! The sums are formed in `f64` in a different order from the direct
//! kernel's, so results differ from it in the last bits (and a residual at
//! rounding level may get a different sign). Each model is computed on its
//! own, in scalar code, so the results are the same on every instruction
//! set and lane width.

use super::optimizer::PARAMS;
use crate::problem::activation::{Activation, LEAKY_SLOPE};
use crate::problem::data::TrainingData;
use crate::simd::Real;

/// The two linear pieces of a piecewise-linear activation:
/// `f(z) = k_pos·z` for `z > 0`, `k_neg·z` otherwise.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pieces {
    pub k_pos: f64,
    pub k_neg: f64,
}

impl Pieces {
    /// The pieces of `activation` in the precision `T` (slopes rounded as
    /// the direct kernel rounds them), or `None` if it is not piecewise
    /// linear: then `auto` is the direct kernel.
    pub fn of<T: Real>(activation: Activation) -> Option<Pieces> {
        match activation {
            Activation::Relu => Some(Pieces {
                k_pos: 1.0,
                k_neg: 0.0,
            }),
            Activation::LeakyRelu => Some(Pieces {
                k_pos: 1.0,
                k_neg: T::from_f64(LEAKY_SLOPE).to_f64(),
            }),
            Activation::Elu
            | Activation::Selu
            | Activation::Softplus
            | Activation::Gelu
            | Activation::Silu
            | Activation::Tanh => None,
        }
    }
}

/// Every batch of a [`TrainingData`] with what the shortcut needs: the
/// prefix sums of `x`, where `x > 0` begins, and a table that turns a value
/// of `x` into a nearby index.
pub struct PrefixData<'a, T> {
    data: &'a TrainingData<T>,
    /// Every x in `f64` (exact), for the linear pieces' sign tests.
    wide: Vec<f64>,
    /// Per batch, `n + 1` sums: `prefix[i]` = x₀ + … + x_{i−1}, in `f64`.
    prefix: Vec<f64>,
    /// Per batch, `buckets + 1` entries: the first index whose `x` is at
    /// least the bucket's lower edge.
    buckets: Vec<u32>,
    /// Per batch: smallest x, buckets per unit of x, first index with x > 0.
    shape: Vec<(f64, f64, usize)>,
}

impl<'a, T: Real> PrefixData<'a, T> {
    /// Builds the sums and tables of every batch: O(total points), once.
    pub fn new(data: &'a TrainingData<T>) -> Self {
        let n = data.batch_len();
        let batches = data.all_xs().len() / n;
        let mut prefix = Vec::with_capacity(batches * (n + 1));
        let mut buckets = Vec::with_capacity(batches * (n + 1));
        let mut shape = Vec::with_capacity(batches);
        for xs in data.all_xs().chunks(n) {
            let mut sum = 0.0;
            prefix.push(sum);
            for x in xs {
                sum += x.to_f64();
                prefix.push(sum);
            }
            let (lo, hi) = (xs[0].to_f64(), xs[n - 1].to_f64());
            let per_unit = if hi > lo { n as f64 / (hi - lo) } else { 0.0 };
            let mut i = 0;
            for k in 0..=n {
                let edge = lo + k as f64 / per_unit.max(f64::MIN_POSITIVE);
                while i < n && xs[i].to_f64() < edge {
                    i += 1;
                }
                buckets.push(i as u32);
            }
            let first_positive = xs.partition_point(|x| *x <= T::zero());
            shape.push((lo, per_unit, first_positive));
        }
        PrefixData {
            data,
            wide: data.all_xs().iter().map(|x| x.to_f64()).collect(),
            prefix,
            buckets,
            shape,
        }
    }

    /// The batch used at `step` (1-based), as the direct kernel picks it.
    #[inline]
    pub fn batch(&self, step: u32) -> Batch<'_, T> {
        let n = self.data.batch_len();
        let (xs, _) = self.data.batch(step);
        let index = (step as usize - 1) % self.shape.len();
        let (x_min, per_unit, first_positive) = self.shape[index];
        let table = index * (n + 1)..(index + 1) * (n + 1);
        Batch {
            xs,
            wide: &self.wide[index * n..(index + 1) * n],
            prefix: &self.prefix[table.clone()],
            buckets: &self.buckets[table],
            x_min,
            per_unit,
            first_positive,
        }
    }
}

/// One sorted batch and its sums.
#[derive(Clone, Copy)]
pub struct Batch<'a, T> {
    xs: &'a [T],
    wide: &'a [f64],
    prefix: &'a [f64],
    buckets: &'a [u32],
    x_min: f64,
    per_unit: f64,
    first_positive: usize,
}

impl<T: Real> Batch<'_, T> {
    /// An index near the first point with `x ≥ value` (any index is a valid
    /// guess; a good one saves the search).
    #[inline(always)]
    fn guess(&self, value: f64) -> usize {
        let k = (value - self.x_min) * self.per_unit;
        // NaN and negatives go to bucket 0, large values to the last.
        let k = if k > 0.0 {
            k.min(self.xs.len() as f64)
        } else {
            0.0
        };
        self.buckets[k as usize] as usize
    }

    #[inline(always)]
    fn sum_x(&self, lo: usize, hi: usize) -> f64 {
        self.prefix[hi] - self.prefix[lo]
    }
}

/// Points probed around a guess, without branches, before any search.
const PROBES: usize = 8;

/// The first index in `lo..hi` where `holds` is true (or `hi`), for a
/// predicate that is false and then true over the run, probing near
/// `guess` first. Exact whatever the guess; with a guess within a few
/// points of the answer (the usual case) it costs `PROBES` independent
/// probes and no unpredictable branch.
#[inline(always)]
pub fn first_true(lo: usize, hi: usize, guess: usize, holds: impl Fn(usize) -> bool) -> usize {
    // The guess is the first point of the bucket holding the boundary, so
    // the answer is usually at or a little after it.
    let start = guess
        .saturating_sub(1)
        .min(hi.saturating_sub(PROBES))
        .max(lo);
    let end = (start + PROBES).min(hi);
    let falses = (start..end).map(|i| usize::from(!holds(i))).sum::<usize>();
    if falses == 0 && start > lo {
        gallop(lo, start, start, &holds)
    } else if falses == end - start && end < hi {
        gallop(end, hi, end, &holds)
    } else {
        start + falses
    }
}

/// [`first_true`] by galloping away from `guess`, then bisecting: O(log
/// distance) probes.
#[inline(always)]
fn gallop(lo: usize, hi: usize, guess: usize, holds: &impl Fn(usize) -> bool) -> usize {
    let bisect = |mut lo: usize, mut hi: usize| {
        // The answer is in lo..=hi and `holds(hi)` if hi is in the run.
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if holds(mid) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        lo
    };
    let guess = guess.clamp(lo, hi);
    let mut step = 1;
    if guess < hi && !holds(guess) {
        let mut below = guess;
        loop {
            let probe = below + step;
            if probe >= hi {
                return bisect(below + 1, hi);
            }
            if holds(probe) {
                return bisect(below + 1, probe);
            }
            below = probe;
            step *= 2;
        }
    }
    let mut above = guess;
    while above > lo {
        let probe = above.saturating_sub(step).max(lo);
        if !holds(probe) {
            return bisect(probe + 1, above);
        }
        above = probe;
        step *= 2;
    }
    lo
}

/// Sums over points of `|r|`, `s`, `s·f`, `s·f'` and `s·f'·x` (`s = sign r`),
/// as the direct kernel's, in `f64`.
#[derive(Clone, Copy, Default, Debug, PartialEq)]
pub struct Sums {
    pub abs_residual: f64,
    pub s: f64,
    pub s_f: f64,
    pub s_slope: f64,
    pub s_slope_x: f64,
}

/// Where a model's points lie: the run with `z = a·x + b > 0` and the run of
/// the others.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Split {
    pub positive: (usize, usize),
    pub others: (usize, usize),
}

/// The runs of `z > 0` and `z ≤ 0`, decided exactly as the direct kernel
/// computes `z = fma(a, x, b)`: monotone in `x`, so `z > 0` is a run at the
/// top of the batch if `a > 0` and at the bottom if `a < 0`.
#[inline(always)]
pub fn split<T: Real>(batch: &Batch<'_, T>, a: T, b: T) -> Split {
    let xs = batch.xs;
    let n = xs.len();
    let zero = T::zero();
    let z_positive = |i: usize| a.mul_add(xs[i], b) > zero;
    let kink = batch.guess(-b.to_f64() / a.to_f64());
    let (positive, others) = if a > zero {
        let lo = first_true(0, n, kink, z_positive);
        ((lo, n), (0, lo))
    } else if a < zero {
        let hi = first_true(0, n, kink, |i| !z_positive(i));
        ((0, hi), (hi, n))
    } else if b > zero {
        ((0, n), (n, n))
    } else {
        // a = 0 and z = b ≤ 0, or a NaN parameter: no point is on z > 0.
        ((n, n), (0, n))
    };
    Split { positive, others }
}

/// One model's mean absolute error and gradient with respect to `a, b, c, d`
/// on `batch`, by the shortcut, given its [`split`].
#[inline(always)]
pub fn loss_and_gradient<T: Real>(
    pieces: Pieces,
    batch: &Batch<'_, T>,
    params: [T; PARAMS],
    split: Split,
) -> (T, [T; PARAMS]) {
    if !params.iter().all(|p| p.is_finite()) {
        let nan = T::from_f64(f64::NAN);
        return (nan, [nan; PARAMS]);
    }
    let sums = sums(pieces, batch, params, split);
    let n = batch.xs.len() as f64;
    let c = params[2].to_f64();
    let grads = [
        c * (sums.s_slope_x / n),
        c * (sums.s_slope / n),
        sums.s_f / n,
        sums.s / n,
    ];
    (T::from_f64(sums.abs_residual / n), grads.map(T::from_f64))
}

/// The five sums of one model with finite parameters.
#[inline(always)]
pub fn sums<T: Real>(
    Pieces { k_pos, k_neg }: Pieces,
    batch: &Batch<'_, T>,
    params: [T; PARAMS],
    Split { positive, others }: Split,
) -> Sums {
    let params = params.map(T::to_f64);
    let mut sums = Sums::default();
    linear_run(&mut sums, batch, positive, k_pos, params);
    linear_run(&mut sums, batch, others, k_neg, params);
    sums
}

/// Adds the points `lo..hi`, on which `f(z) = k·z`, split where the target
/// changes piece at x = 0.
#[inline(always)]
fn linear_run<T: Real>(
    sums: &mut Sums,
    batch: &Batch<'_, T>,
    (lo, hi): (usize, usize),
    k: f64,
    params: [f64; PARAMS],
) {
    let split = batch.first_positive.clamp(lo, hi);
    linear_piece(sums, batch, (lo, split), k, 0.0, params);
    linear_piece(sums, batch, (split, hi), k, 1.0, params);
}

/// Adds the points `lo..hi`, on which `r = α·x + β` with
/// `α = c·k·a − target_slope` and `β = c·k·b + d`: the points with one sign
/// of r are a sub-run, found by the sign of `fma(α, x, β)` in `f64`.
#[inline(always)]
fn linear_piece<T: Real>(
    sums: &mut Sums,
    batch: &Batch<'_, T>,
    (lo, hi): (usize, usize),
    k: f64,
    target_slope: f64,
    [a, b, c, d]: [f64; PARAMS],
) {
    if lo >= hi {
        return;
    }
    let ck = c * k;
    let alpha = ck.mul_add(a, -target_slope);
    let beta = ck.mul_add(b, d);
    let xs = batch.wide;
    let r = |i: usize| alpha.mul_add(xs[i], beta);
    // Counts and x sums of the points with r < 0 and r > 0.
    let (negative, positive) = if alpha > 0.0 {
        let guess = batch.guess(-beta / alpha);
        let not_negative = first_true(lo, hi, guess, |i| r(i) >= 0.0);
        let positive = past_zeros(not_negative, hi, |i| r(i) > 0.0);
        ((lo, not_negative), (positive, hi))
    } else if alpha < 0.0 {
        let guess = batch.guess(-beta / alpha);
        let not_positive = first_true(lo, hi, guess, |i| r(i) <= 0.0);
        let negative = past_zeros(not_positive, hi, |i| r(i) < 0.0);
        ((negative, hi), (lo, not_positive))
    } else if beta > 0.0 {
        ((lo, lo), (lo, hi))
    } else if beta < 0.0 {
        ((lo, hi), (lo, lo))
    } else {
        ((lo, lo), (lo, lo))
    };
    let count = |(lo, hi): (usize, usize)| (hi - lo) as f64;
    let s = count(positive) - count(negative);
    let s_x = batch.sum_x(positive.0, positive.1) - batch.sum_x(negative.0, negative.1);
    // |r| = s·r, and on this piece f = k·(a·x + b), f' = k.
    sums.abs_residual += alpha.mul_add(s_x, beta * s);
    sums.s += s;
    sums.s_f += k * a.mul_add(s_x, b * s);
    sums.s_slope += k * s;
    sums.s_slope_x += k * s_x;
}

/// The first index from `from` on where `holds`, past the points whose
/// residual is exactly 0 (almost always none).
#[inline(always)]
fn past_zeros(from: usize, hi: usize, holds: impl Fn(usize) -> bool) -> usize {
    if from == hi || holds(from) {
        from
    } else {
        gallop(from, hi, from, &holds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_true_finds_the_boundary_from_any_guess() {
        for n in 0..40usize {
            for boundary in 0..=n {
                for lo in 0..=n {
                    for hi in lo..=n {
                        let want = boundary.clamp(lo, hi);
                        for guess in 0..=n + 2 {
                            let holds = |i: usize| {
                                assert!((lo..hi).contains(&i), "probe {i} outside {lo}..{hi}");
                                i >= boundary
                            };
                            let got = first_true(lo, hi, guess, holds);
                            assert_eq!(
                                got, want,
                                "n {n} boundary {boundary} run {lo}..{hi} guess {guess}"
                            );
                            let got = gallop(lo, hi, guess, &holds);
                            assert_eq!(
                                got, want,
                                "gallop: n {n} boundary {boundary} run {lo}..{hi} guess {guess}"
                            );
                        }
                    }
                }
            }
        }
    }
}
