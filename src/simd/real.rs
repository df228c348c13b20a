//! The two floating-point precisions a run can use, behind one trait.
//!
//! Everything numeric in the training kernel is generic over [`Real`], so
//! `f32` (the original experiment's precision) and `f64` share one code path.

use std::fmt::{Debug, Display};
use std::ops::{Add, Div, Mul, Neg, Sub};

/// A scalar floating-point type the kernel can train in.
pub trait Real:
    super::dispatch::sealed::PrecisionLanes
    + Copy
    + Default
    + PartialOrd
    + Debug
    + Display
    + Send
    + Sync
    + 'static
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
{
    /// Name used in specs and results (`"f32"` / `"f64"`).
    const NAME: &'static str;
    /// Degree of the Taylor polynomial for `exp` on `[-ln2/2, ln2/2]`
    /// (remainder below half an ulp).
    const EXP_DEGREE: usize;
    /// Number of odd terms of the `atanh` series used by `ln_1p` on `[0, 1]`.
    const LN1P_TERMS: usize;
    /// Chebyshev coefficients of `F(u) = (1 + 2x)·exp(x²)·erfc(x)`,
    /// `u = (x - 2)/(x + 2)`, truncated below this precision's ulp
    /// (`scripts/fit-erfcx.py`).
    const ERFCX_CHEBYSHEV: &'static [f64];
    /// Below this, `exp` underflows to zero.
    const EXP_MIN_ARG: f64;
    /// Above this, `exp` overflows to infinity.
    const EXP_MAX_ARG: f64;

    fn from_f64(v: f64) -> Self;
    fn to_f64(self) -> f64;
    fn mul_add(self, a: Self, b: Self) -> Self;
    fn sqrt(self) -> Self;
    fn abs(self) -> Self;
    fn round_ties_even(self) -> Self;
    fn floor(self) -> Self;
    /// `2^self` for an integral `self` within the normal exponent range.
    fn pow2i(self) -> Self;
    fn is_finite(self) -> bool;

    #[inline(always)]
    fn zero() -> Self {
        Self::from_f64(0.0)
    }
    #[inline(always)]
    fn one() -> Self {
        Self::from_f64(1.0)
    }
}

/// Chebyshev coefficients of `F(u) = (1 + 2x)·exp(x²)·erfc(x)`,
/// `u = (x - 2)/(x + 2)`, from `scripts/fit-erfcx.py`; each precision uses
/// the leading terms whose tail is below its ulp.
const ERFCX_CHEBYSHEV: [f64; 29] = [
    1.1760066555883004,
    0.025779673870048207,
    -0.10659315067778503,
    0.03880887957448382,
    -0.005414899930893725,
    -0.00040815257282372384,
    0.00019843768248553527,
    9.842532776048127e-06,
    -7.763265561062859e-06,
    -7.174001457529682e-07,
    3.140694955581843e-07,
    6.188423669546144e-08,
    -9.890619934492214e-09,
    -4.59539962251018e-09,
    -7.180587728177086e-11,
    2.6296183336364044e-10,
    4.867734056607904e-11,
    -8.026804193759018e-12,
    -4.779133570845298e-12,
    -4.3470126478464435e-13,
    2.412314273846194e-13,
    8.610900521277247e-14,
    2.59476489837122e-15,
    -5.872254381501051e-15,
    -1.7019328812344317e-15,
    1.387358712117345e-17,
    1.4092174407259632e-16,
    3.84127549399939e-17,
    -7.115293125772235e-19,
];

impl Real for f32 {
    const NAME: &'static str = "f32";
    const EXP_DEGREE: usize = 7;
    const LN1P_TERMS: usize = 8;
    const ERFCX_CHEBYSHEV: &'static [f64] = ERFCX_CHEBYSHEV.as_slice().split_at(14).0;
    const EXP_MIN_ARG: f64 = -104.0;
    const EXP_MAX_ARG: f64 = 89.0;

    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        v as f32
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self as f64
    }
    #[inline(always)]
    fn mul_add(self, a: Self, b: Self) -> Self {
        f32::mul_add(self, a, b)
    }
    #[inline(always)]
    fn sqrt(self) -> Self {
        f32::sqrt(self)
    }
    #[inline(always)]
    fn abs(self) -> Self {
        f32::abs(self)
    }
    #[inline(always)]
    fn round_ties_even(self) -> Self {
        f32::round_ties_even(self)
    }
    #[inline(always)]
    fn floor(self) -> Self {
        f32::floor(self)
    }
    #[inline(always)]
    fn pow2i(self) -> Self {
        // Adding 2^23 + 127 puts n + 127 in the low mantissa bits; shifting
        // them into the exponent field stays in vector registers (an
        // `as i32` cast would not: its NaN and saturation rules scalarise).
        f32::from_bits((self + 8_388_735.0).to_bits() << 23)
    }
    #[inline(always)]
    fn is_finite(self) -> bool {
        f32::is_finite(self)
    }
}

impl Real for f64 {
    const NAME: &'static str = "f64";
    const EXP_DEGREE: usize = 13;
    const LN1P_TERMS: usize = 18;
    const ERFCX_CHEBYSHEV: &'static [f64] = &ERFCX_CHEBYSHEV;
    const EXP_MIN_ARG: f64 = -746.0;
    const EXP_MAX_ARG: f64 = 710.0;

    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        v
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self
    }
    #[inline(always)]
    fn mul_add(self, a: Self, b: Self) -> Self {
        f64::mul_add(self, a, b)
    }
    #[inline(always)]
    fn sqrt(self) -> Self {
        f64::sqrt(self)
    }
    #[inline(always)]
    fn abs(self) -> Self {
        f64::abs(self)
    }
    #[inline(always)]
    fn round_ties_even(self) -> Self {
        f64::round_ties_even(self)
    }
    #[inline(always)]
    fn floor(self) -> Self {
        f64::floor(self)
    }
    #[inline(always)]
    fn pow2i(self) -> Self {
        // As for f32: 2^52 + 1023 puts n + 1023 in the low mantissa bits.
        f64::from_bits((self + 4_503_599_627_371_519.0).to_bits() << 52)
    }
    #[inline(always)]
    fn is_finite(self) -> bool {
        f64::is_finite(self)
    }
}
