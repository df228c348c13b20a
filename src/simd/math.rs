//! Elementary functions over any [`Lane`] type, branch-free so
//! they vectorise.
//!
//! Each is built from Taylor series of known remainder on a reduced range
//! (no borrowed minimax tables), with the degree chosen per precision in
//! [`Real`]. Accuracy against `std` is tested in `tests/vector_math.rs`.

use super::lane::Lane;
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
fn taylor_tail<L: Lane>(r: L, first: usize, degree: usize) -> L {
    let mut acc = L::constant(INV_FACTORIAL[first + degree]);
    for k in (0..degree).rev() {
        acc = acc.mul_add(r, L::constant(INV_FACTORIAL[first + k]));
    }
    acc
}

/// `e^x`, with gradual underflow, overflow to `inf` and NaN passed through.
#[inline(always)]
pub fn exp<L: Lane>(x: L) -> L {
    exp_expm1(x).0
}

/// `e^x - 1`, accurate near zero (where `exp(x) - 1` would cancel).
#[inline(always)]
pub fn expm1<L: Lane>(x: L) -> L {
    exp_expm1(x).1
}

/// `(e^x, e^x - 1)` from one range reduction: `x = n·ln2 + r` and
/// `t = (e^r - 1)/r` by its Taylor series, then `e^x = 2^n (t·r + 1)` and
/// `e^x - 1 = t·(r·2^n) + (2^n - 1)`, neither with cancellation.
#[inline(always)]
pub(crate) fn exp_expm1<L: Lane>(x: L) -> (L, L) {
    exp_expm1_reduced(exp_reduce(x))
}

/// The range reduction of [`exp_expm1`]: `(n, r)` with `x = n·ln2 + r`,
/// `|r| <= ln2/2` (a kernel stage of its own).
#[inline(always)]
pub(crate) fn exp_reduce<L: Lane>(x: L) -> (L, L) {
    let lo = L::constant(L::Elem::EXP_MIN_ARG);
    let hi = L::constant(L::Elem::EXP_MAX_ARG);
    let x = x.clamp_keep_nan(lo, hi);
    let n = (x * L::constant(std::f64::consts::LOG2_E)).round_ties_even();
    // Cody-Waite reduction: ln2 split in a part exact in T and the rest
    // (the rest includes LN2_TAIL, without which f64 has no rest at all and
    // r is off by n·2.3e-17: 200 ulp of exp near the overflow threshold).
    let ln2_hi = L::Elem::from_f64(LN2);
    let ln2_lo = L::Elem::from_f64((LN2 - ln2_hi.to_f64()) + LN2_TAIL);
    let r = n.mul_add(L::splat(-ln2_hi), x);
    (n, n.mul_add(L::splat(-ln2_lo), r))
}

/// [`exp_expm1`] given [`exp_reduce`]`(x)`.
#[inline(always)]
pub(crate) fn exp_expm1_reduced<L: Lane>((n, r): (L, L)) -> (L, L) {
    // Horner down to t = Σ r^k/(k+1)!, so that e^r = t·r + 1 in one more
    // FMA, and e^r - 1 = t·r without cancellation.
    let t = taylor_tail(r, 1, L::Elem::EXP_DEGREE - 1);
    let one = L::constant(1.0);
    let exp = t.mul_add(r, one).scale_exp2(n);
    // 2^n - 1 is exact for |n| <= 24; beyond, e^x - 1 is e^x or -1 to
    // within rounding, and 2^n itself may overflow.
    let scale = one.scale_exp2(n);
    // t·(r·2^n) + (2^n - 1) in one rounding (r·2^n is exact).
    let expm1 = n.abs().select_gt(
        L::constant(24.0),
        exp - one,
        t.mul_add(r * scale, scale - one),
    );
    (exp, expm1)
}

/// `e^x - 1` for `x <= 0` given `exp_reduce(x)`: `exp_expm1`'s
/// `t·(r·2^n) + (2^n - 1)` without its branch for large `|n|`, which only
/// `x > 0` needs (where `2^n` overflows). For `n < -24`, `2^n - 1` rounds
/// to -1 and the result stays within an ulp of `e^x - 1`.
#[inline(always)]
pub fn expm1_nonpositive_reduced<L: Lane>((n, r): (L, L)) -> L {
    let t = taylor_tail(r, 1, L::Elem::EXP_DEGREE - 1);
    let one = L::constant(1.0);
    let scale = one.scale_exp2(n);
    t.mul_add(r * scale, scale - one)
}

/// `ln(1 + u)` for `u` in `[0, 1]`, accurate for tiny `u`:
/// `2 atanh(s)` with `s = u / (2 + u) <= 1/3`.
#[inline(always)]
pub fn ln_1p_unit<L: Lane>(u: L) -> L {
    // 2s = 2u / (2 + u) in one rounding (2u is exact): halving first would
    // round a subnormal u twice, and softplus(-100) in f32 is subnormal.
    let two_s = (u + u) / (L::constant(2.0) + u);
    let w = L::constant(0.25) * two_s * two_s;
    let mut acc = L::constant(1.0 / (2 * L::Elem::LN1P_TERMS - 1) as f64);
    for k in (0..L::Elem::LN1P_TERMS - 1).rev() {
        acc = acc.mul_add(w, L::constant(1.0 / (2 * k + 1) as f64));
    }
    two_s * acc
}

/// `1 / (1 + e^-z)` without overflow for any `z`.
#[inline(always)]
pub fn sigmoid<L: Lane>(z: L) -> L {
    sigmoid_of(z, exp(-z.abs()))
}

/// The sigmoid given `e = e^-|z|`: `e/(1+e)` or `1/(1+e)`, one division.
#[inline(always)]
pub(crate) fn sigmoid_of<L: Lane>(z: L, e: L) -> L {
    let one = L::constant(1.0);
    z.select_lt(L::constant(0.0), e, one) / (one + e)
}

/// `ln(1 + e^z)` without overflow or cancellation for any `z`.
#[inline(always)]
pub fn softplus<L: Lane>(z: L) -> L {
    softplus_sigmoid(z).0
}

/// `(softplus(z), sigmoid(z))`, sharing `e^-|z|` (softplus' derivative is
/// the sigmoid).
#[inline(always)]
pub(crate) fn softplus_sigmoid<L: Lane>(z: L) -> (L, L) {
    softplus_sigmoid_of(z, exp(-z.abs()))
}

/// [`softplus_sigmoid`] given `e = e^-|z|`.
#[inline(always)]
pub(crate) fn softplus_sigmoid_of<L: Lane>(z: L, e: L) -> (L, L) {
    let zero = L::constant(0.0);
    let positive_part = z.max(zero);
    (positive_part + ln_1p_unit(e), sigmoid_of(z, e))
}

/// `tanh(z) = -expm1(-2|z|) / (2 + expm1(-2|z|))` with the sign of `z`.
#[inline(always)]
pub fn tanh<L: Lane>(z: L) -> L {
    tanh_of(z, tanh_begin(z))
}

/// The first part of [`tanh`]: [`exp_reduce`]`(-2|z|)`.
#[inline(always)]
pub(crate) fn tanh_begin<L: Lane>(z: L) -> (L, L) {
    exp_reduce(L::constant(-2.0) * z.abs())
}

/// The rest of [`tanh`], given [`tanh_begin`]`(z)`.
#[inline(always)]
pub(crate) fn tanh_of<L: Lane>(z: L, reduced: (L, L)) -> L {
    let u = expm1_nonpositive_reduced(reduced);
    let t = -u / (L::constant(2.0) + u);
    z.select_lt(L::constant(0.0), -t, t)
}

/// `Φ(z)` and `φ(z)` of the standard normal distribution, together since
/// they share `exp(-z²/2)`.
///
/// `Φ(z) = erfc(|z|/√2)/2` (or one minus it), with, for `x ≥ 0`,
/// `erfc(x) = exp(-x²) · F(u) / (1 + 2x)`, `u = (x - 2)/(x + 2)`, where
/// `F` is smooth and bounded on [-1, 1] and evaluated by its Chebyshev
/// series (coefficients from `scripts/fit-erfcx.py`). `-z²/2` is split
/// exactly (FMA) so `exp` does not inherit its rounding error.
#[inline(always)]
pub fn normal_cdf_pdf<L: Lane>(z: L) -> (L, L) {
    normal_cdf_pdf_of(z, normal_begin(z))
}

/// Beyond |z| = 60 both tails are 0 in either precision; the cap keeps z²
/// finite. `min` and `max` with `z` second keep NaN.
#[inline(always)]
fn normal_cap<L: Lane>(z: L) -> L {
    let cap = L::constant(60.0);
    cap.min((-cap).max(z))
}

/// `|z|/√2`, the argument of erfc.
#[inline(always)]
fn erfc_argument<L: Lane>(z: L) -> L {
    z.abs() * L::constant(std::f64::consts::FRAC_1_SQRT_2)
}

/// The first half of [`normal_cdf_pdf`]: `(exp(-z²/2), u)`, `u` the
/// Chebyshev variable.
#[inline(always)]
pub(crate) fn normal_begin<L: Lane>(z: L) -> (L, L) {
    let z = normal_cap(z);
    let h = z * z;
    let l = z.mul_add(z, -h);
    let half = L::constant(0.5);
    let e = exp(-half * h);
    let e = e.mul_add(-half * l, e); // exp(-h/2 - l/2) to first order in l
    let x = erfc_argument(z);
    let two = L::constant(2.0);
    (e, (x - two) / (x + two))
}

/// The second half of [`normal_cdf_pdf`], given [`normal_begin`]`(z)`.
#[inline(always)]
pub(crate) fn normal_cdf_pdf_of<L: Lane>(z: L, (e, u): (L, L)) -> (L, L) {
    let z = normal_cap(z);
    let x = erfc_argument(z);
    let coeffs = L::Elem::ERFCX_CHEBYSHEV;
    let (mut b1, mut b2) = (L::constant(0.0), L::constant(0.0));
    for &c in coeffs[1..].iter().rev() {
        let b0 = (u + u).mul_add(b1, L::constant(c) - b2);
        b2 = b1;
        b1 = b0;
    }
    let f = u.mul_add(b1, L::constant(coeffs[0]) - b2);
    let half = L::constant(0.5);
    let two = L::constant(2.0);
    let tail = half * e * f / two.mul_add(x, L::constant(1.0));
    let cdf = z.select_lt(L::constant(0.0), tail, L::constant(1.0) - tail);
    let inv_sqrt_2pi = 1.0 / (2.0 * std::f64::consts::PI).sqrt();
    (cdf, e * L::constant(inv_sqrt_2pi))
}

/// Standard normal CDF `Φ(z)`.
#[inline(always)]
pub fn normal_cdf<L: Lane>(z: L) -> L {
    normal_cdf_pdf(z).0
}

/// Standard normal density `φ(z)`.
#[inline(always)]
pub fn normal_pdf<L: Lane>(z: L) -> L {
    normal_cdf_pdf(z).1
}
