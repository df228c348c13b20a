//! Elementary functions over [`Lanes`], branch-free so they vectorise.
//!
//! Each is built from Taylor series of known remainder on a reduced range
//! (no borrowed minimax tables), with the degree chosen per precision in
//! [`Real`]. Accuracy against `std` is tested in `tests/vector_math.rs`.

use super::lane::Lanes;
use super::real::Real;

const LN2: f64 = std::f64::consts::LN_2;
/// `ln 2 - LN2`: the part of ln 2 that `LN2` (an `f64`) cannot hold.
const LN2_TAIL: f64 = 2.319_046_813_846_299_6e-17;

/// `1/k!` for k = 0..=20, computed at compile time so kernels load
/// constants instead of dividing in the hot loop.
const INV_FACTORIAL: [f64; 21] = {
    let mut table = [1.0; 21];
    let mut k = 1;
    while k < 21 {
        table[k] = table[k - 1] / k as f64;
        k += 1;
    }
    table
};

/// Horner evaluation of `Σ_{k=0}^{degree} r^k / (k + first)!`.
#[inline(always)]
fn taylor_tail<T: Real, const W: usize>(r: Lanes<T, W>, first: usize, degree: usize) -> Lanes<T, W> {
    let mut acc = Lanes::constant(INV_FACTORIAL[first + degree]);
    for k in (0..degree).rev() {
        acc = acc.mul_add(r, Lanes::constant(INV_FACTORIAL[first + k]));
    }
    acc
}

/// `e^x`, with gradual underflow, overflow to `inf` and NaN passed through.
#[inline(always)]
pub fn exp<T: Real, const W: usize>(x: Lanes<T, W>) -> Lanes<T, W> {
    let lo = Lanes::constant(T::EXP_MIN_ARG);
    let hi = Lanes::constant(T::EXP_MAX_ARG);
    // Compare-and-select (not min/max) so that NaN stays NaN.
    let x = x.select_lt(lo, lo, x.select_gt(hi, hi, x));
    let n = (x * Lanes::constant(std::f64::consts::LOG2_E)).round_ties_even();
    // Cody-Waite reduction: ln2 split in a part exact in T and the rest
    // (the rest includes LN2_TAIL, without which f64 has no rest at all and
    // r is off by n·2.3e-17: 200 ulp of exp near the overflow threshold).
    let ln2_hi = T::from_f64(LN2);
    let ln2_lo = T::from_f64((LN2 - ln2_hi.to_f64()) + LN2_TAIL);
    let r = n.mul_add(Lanes::splat(-ln2_hi), x);
    let r = n.mul_add(Lanes::splat(-ln2_lo), r);
    let p = taylor_tail(r, 0, T::EXP_DEGREE);
    // Scale in two halves so results in the subnormal range and up to the
    // overflow threshold never need an out-of-range exponent.
    let n1 = (n * Lanes::constant(0.5)).floor();
    let n2 = n - n1;
    p * n1.pow2i() * n2.pow2i()
}

/// `e^x - 1`, accurate near zero (where `exp(x) - 1` would cancel).
#[inline(always)]
pub fn expm1<T: Real, const W: usize>(x: Lanes<T, W>) -> Lanes<T, W> {
    let small = (x * x).mul_add(taylor_tail(x, 2, T::EXPM1_DEGREE - 2), x);
    let large = exp(x) - Lanes::constant(1.0);
    let half = Lanes::constant(0.5);
    x.abs().select_lt(half, small, large)
}

/// `ln(1 + u)` for `u` in `[0, 1]`, accurate for tiny `u`:
/// `2 atanh(s)` with `s = u / (2 + u) <= 1/3`.
#[inline(always)]
pub fn ln_1p_unit<T: Real, const W: usize>(u: Lanes<T, W>) -> Lanes<T, W> {
    // 2s = 2u / (2 + u) in one rounding (2u is exact): halving first would
    // round a subnormal u twice, and softplus(-100) in f32 is subnormal.
    let two_s = (u + u) / (Lanes::constant(2.0) + u);
    let w = Lanes::constant(0.25) * two_s * two_s;
    let mut acc = Lanes::constant(1.0 / (2 * T::LN1P_TERMS - 1) as f64);
    for k in (0..T::LN1P_TERMS - 1).rev() {
        acc = acc.mul_add(w, Lanes::constant(1.0 / (2 * k + 1) as f64));
    }
    two_s * acc
}

/// `1 / (1 + e^-z)` without overflow for any `z`.
#[inline(always)]
pub fn sigmoid<T: Real, const W: usize>(z: Lanes<T, W>) -> Lanes<T, W> {
    let e = exp(-z.abs());
    let one = Lanes::constant(1.0);
    let denom = one + e;
    z.select_lt(Lanes::constant(0.0), e / denom, one / denom)
}

/// `ln(1 + e^z)` without overflow or cancellation for any `z`.
#[inline(always)]
pub fn softplus<T: Real, const W: usize>(z: Lanes<T, W>) -> Lanes<T, W> {
    let zero = Lanes::constant(0.0);
    let positive_part = z.select_gt(zero, z, zero);
    positive_part + ln_1p_unit(exp(-z.abs()))
}

/// `tanh(z) = -expm1(-2|z|) / (2 + expm1(-2|z|))` with the sign of `z`.
#[inline(always)]
pub fn tanh<T: Real, const W: usize>(z: Lanes<T, W>) -> Lanes<T, W> {
    let u = expm1(Lanes::constant(-2.0) * z.abs());
    let t = -u / (Lanes::constant(2.0) + u);
    z.select_lt(Lanes::constant(0.0), -t, t)
}

/// Standard normal CDF `Φ(z) = erfc(-z/√2) / 2`, per lane through `libm`
/// in `f64` (exact to libm; not yet vectorised).
#[inline(always)]
pub fn normal_cdf<T: Real, const W: usize>(z: Lanes<T, W>) -> Lanes<T, W> {
    z.map(|v| T::from_f64(0.5 * libm::erfc(-v.to_f64() * std::f64::consts::FRAC_1_SQRT_2)))
}

/// Standard normal density `φ(z)`.
#[inline(always)]
pub fn normal_pdf<T: Real, const W: usize>(z: Lanes<T, W>) -> Lanes<T, W> {
    let inv_sqrt_2pi = 1.0 / (2.0 * std::f64::consts::PI).sqrt();
    // -z²/2 = q + e exactly (e recovered by FMA); exp(q + e) = exp(q)(1 + e).
    // Rounding -z²/2 alone would cost |z²/2| ulps of relative error.
    // |z| is capped at 64 (φ underflows to 0 long before) so q stays finite.
    let cap = Lanes::constant(64.0);
    let z = z.abs();
    let z = z.select_gt(cap, cap, z);
    let h = Lanes::constant(-0.5) * z;
    let q = h * z;
    let e = h.mul_add(z, -q);
    let eq = exp(q);
    eq.mul_add(e, eq) * Lanes::constant(inv_sqrt_2pi)
}
