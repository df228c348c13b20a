//! x86-64 register lane types: AVX-512 (`F32x16`, `F64x8`) and AVX2+FMA
//! (`F32x8`, `F64x4`).
//!
//! Each operation is one intrinsic with the same IEEE semantics as the
//! portable [`Lanes`](super::Lanes) path (ordered compares, round-to-nearest
//! FMA, correctly rounded sqrt and division, negation and `abs` on the sign
//! bit), so results match it bit for bit.
//!
//! # Safety
//! The methods call intrinsics of instruction sets the baseline target may
//! lack. The types are private to `simd`, and only `simd::dispatch` names
//! them: it uses them only inside `#[target_feature]` functions that are
//! reached through a token made by detecting the features. There
//! everything inlines into native instructions.

use super::lane::Lane;
use std::arch::x86_64::*;
use std::ops::{Add, Div, Mul, Neg, Sub};

macro_rules! register_lane {
    (
        $name:ident, $reg:ty, $elem:ty, $width:literal,
        splat: $splat:ident, load: $load:ident, store: $store:ident,
        add: $add:ident, sub: $sub:ident, mul: $mul:ident, div: $div:ident,
        fmadd: $fmadd:ident, sqrt: $sqrt:ident,
        abs: |$ax:ident| $abs:expr,
        neg: |$nx:ident| $neg:expr,
        round: |$rx:ident| $round:expr,
        floor: |$fx:ident| $floor:expr,
        pow2i: |$px:ident| $pow2i:expr,
        select_gt: |$sa:ident, $sb:ident, $st:ident, $so:ident| $select:expr,
        all_gt: |$ga:ident, $gb:ident| $all_gt:expr,
        min: $min:ident, max: $max:ident
        $(, scalef: $scalef:ident)? $(,)?
    ) => {
        #[derive(Clone, Copy, Debug)]
        pub struct $name($reg);

        impl Lane for $name {
            type Elem = $elem;
            const WIDTH: usize = $width;

            #[inline(always)]
            fn splat(v: $elem) -> Self {
                // SAFETY: see the module docs.
                unsafe { $name($splat(v)) }
            }
            #[inline(always)]
            fn load(values: &[$elem]) -> Self {
                assert!(values.len() >= $width);
                // SAFETY: bounds checked above; see the module docs.
                unsafe { $name($load(values.as_ptr())) }
            }
            #[inline(always)]
            fn store(self, out: &mut [$elem]) {
                assert!(out.len() >= $width);
                // SAFETY: bounds checked above; see the module docs.
                unsafe { $store(out.as_mut_ptr(), self.0) }
            }
            #[inline(always)]
            fn mul_add(self, a: Self, b: Self) -> Self {
                // SAFETY: see the module docs.
                unsafe { $name($fmadd(self.0, a.0, b.0)) }
            }
            #[inline(always)]
            fn sqrt(self) -> Self {
                // SAFETY: see the module docs.
                unsafe { $name($sqrt(self.0)) }
            }
            #[inline(always)]
            fn abs(self) -> Self {
                let $ax = self.0;
                // SAFETY: see the module docs.
                unsafe { $name($abs) }
            }
            #[inline(always)]
            fn round_ties_even(self) -> Self {
                let $rx = self.0;
                // SAFETY: see the module docs.
                unsafe { $name($round) }
            }
            #[inline(always)]
            fn floor(self) -> Self {
                let $fx = self.0;
                // SAFETY: see the module docs.
                unsafe { $name($floor) }
            }
            #[inline(always)]
            fn pow2i(self) -> Self {
                let $px = self.0;
                // SAFETY: see the module docs.
                unsafe { $name($pow2i) }
            }
            // x86 min/max return their second operand when either is NaN
            // or both are zero: exactly the trait's `max` and `min`.
            #[inline(always)]
            fn max(self, rhs: Self) -> Self {
                // SAFETY: see the module docs.
                unsafe { $name($max(self.0, rhs.0)) }
            }
            #[inline(always)]
            fn min(self, rhs: Self) -> Self {
                // SAFETY: see the module docs.
                unsafe { $name($min(self.0, rhs.0)) }
            }
            // With `self` second, a NaN passes through, as the default.
            #[inline(always)]
            fn clamp_keep_nan(self, lo: Self, hi: Self) -> Self {
                // SAFETY: see the module docs.
                unsafe { $name($max(lo.0, $min(hi.0, self.0))) }
            }
            $(
                #[inline(always)]
                fn scale_exp2(self, n: Self) -> Self {
                    // SAFETY: see the module docs.
                    unsafe { $name($scalef(self.0, n.0)) }
                }
            )?
            #[inline(always)]
            fn all_gt(self, rhs: Self) -> bool {
                let ($ga, $gb) = (self.0, rhs.0);
                // SAFETY: see the module docs.
                unsafe { $all_gt }
            }
            #[inline(always)]
            fn select_gt(self, rhs: Self, then: Self, other: Self) -> Self {
                let ($sa, $sb, $st, $so) = (self.0, rhs.0, then.0, other.0);
                // SAFETY: see the module docs.
                unsafe { $name($select) }
            }
        }

        impl Add for $name {
            type Output = Self;
            #[inline(always)]
            fn add(self, rhs: Self) -> Self {
                // SAFETY: see the module docs.
                unsafe { $name($add(self.0, rhs.0)) }
            }
        }
        impl Sub for $name {
            type Output = Self;
            #[inline(always)]
            fn sub(self, rhs: Self) -> Self {
                // SAFETY: see the module docs.
                unsafe { $name($sub(self.0, rhs.0)) }
            }
        }
        impl Mul for $name {
            type Output = Self;
            #[inline(always)]
            fn mul(self, rhs: Self) -> Self {
                // SAFETY: see the module docs.
                unsafe { $name($mul(self.0, rhs.0)) }
            }
        }
        impl Div for $name {
            type Output = Self;
            #[inline(always)]
            fn div(self, rhs: Self) -> Self {
                // SAFETY: see the module docs.
                unsafe { $name($div(self.0, rhs.0)) }
            }
        }
        impl Neg for $name {
            type Output = Self;
            #[inline(always)]
            fn neg(self) -> Self {
                let $nx = self.0;
                // SAFETY: see the module docs.
                unsafe { $name($neg) }
            }
        }
    };
}

const NEAREST: i32 = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;
const DOWN: i32 = _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC;

register_lane!(
    F32x16, __m512, f32, 16,
    splat: _mm512_set1_ps, load: _mm512_loadu_ps, store: _mm512_storeu_ps,
    add: _mm512_add_ps, sub: _mm512_sub_ps, mul: _mm512_mul_ps, div: _mm512_div_ps,
    fmadd: _mm512_fmadd_ps, sqrt: _mm512_sqrt_ps,
    abs: |x| _mm512_abs_ps(x),
    neg: |x| _mm512_xor_ps(x, _mm512_set1_ps(-0.0)),
    round: |x| _mm512_roundscale_ps::<NEAREST>(x),
    floor: |x| _mm512_roundscale_ps::<DOWN>(x),
    pow2i: |x| _mm512_castsi512_ps(_mm512_slli_epi32::<23>(_mm512_castps_si512(
        _mm512_add_ps(x, _mm512_set1_ps(8_388_735.0))
    ))),
    select_gt: |a, b, then, other| _mm512_mask_blend_ps(_mm512_cmp_ps_mask::<_CMP_GT_OQ>(a, b), other, then),
    all_gt: |a, b| _mm512_cmp_ps_mask::<_CMP_GT_OQ>(a, b) == 0xFFFF,
    min: _mm512_min_ps, max: _mm512_max_ps, scalef: _mm512_scalef_ps,
);

register_lane!(
    F64x8, __m512d, f64, 8,
    splat: _mm512_set1_pd, load: _mm512_loadu_pd, store: _mm512_storeu_pd,
    add: _mm512_add_pd, sub: _mm512_sub_pd, mul: _mm512_mul_pd, div: _mm512_div_pd,
    fmadd: _mm512_fmadd_pd, sqrt: _mm512_sqrt_pd,
    abs: |x| _mm512_abs_pd(x),
    neg: |x| _mm512_xor_pd(x, _mm512_set1_pd(-0.0)),
    round: |x| _mm512_roundscale_pd::<NEAREST>(x),
    floor: |x| _mm512_roundscale_pd::<DOWN>(x),
    pow2i: |x| _mm512_castsi512_pd(_mm512_slli_epi64::<52>(_mm512_castpd_si512(
        _mm512_add_pd(x, _mm512_set1_pd(4_503_599_627_371_519.0))
    ))),
    select_gt: |a, b, then, other| _mm512_mask_blend_pd(_mm512_cmp_pd_mask::<_CMP_GT_OQ>(a, b), other, then),
    all_gt: |a, b| _mm512_cmp_pd_mask::<_CMP_GT_OQ>(a, b) == 0xFF,
    min: _mm512_min_pd, max: _mm512_max_pd, scalef: _mm512_scalef_pd,
);

register_lane!(
    F32x8, __m256, f32, 8,
    splat: _mm256_set1_ps, load: _mm256_loadu_ps, store: _mm256_storeu_ps,
    add: _mm256_add_ps, sub: _mm256_sub_ps, mul: _mm256_mul_ps, div: _mm256_div_ps,
    fmadd: _mm256_fmadd_ps, sqrt: _mm256_sqrt_ps,
    abs: |x| _mm256_andnot_ps(_mm256_set1_ps(-0.0), x),
    neg: |x| _mm256_xor_ps(x, _mm256_set1_ps(-0.0)),
    round: |x| _mm256_round_ps::<NEAREST>(x),
    floor: |x| _mm256_round_ps::<DOWN>(x),
    pow2i: |x| _mm256_castsi256_ps(_mm256_slli_epi32::<23>(_mm256_castps_si256(
        _mm256_add_ps(x, _mm256_set1_ps(8_388_735.0))
    ))),
    select_gt: |a, b, then, other| _mm256_blendv_ps(other, then, _mm256_cmp_ps::<_CMP_GT_OQ>(a, b)),
    all_gt: |a, b| _mm256_movemask_ps(_mm256_cmp_ps::<_CMP_GT_OQ>(a, b)) == 0xFF,
    min: _mm256_min_ps, max: _mm256_max_ps,
);

register_lane!(
    F64x4, __m256d, f64, 4,
    splat: _mm256_set1_pd, load: _mm256_loadu_pd, store: _mm256_storeu_pd,
    add: _mm256_add_pd, sub: _mm256_sub_pd, mul: _mm256_mul_pd, div: _mm256_div_pd,
    fmadd: _mm256_fmadd_pd, sqrt: _mm256_sqrt_pd,
    abs: |x| _mm256_andnot_pd(_mm256_set1_pd(-0.0), x),
    neg: |x| _mm256_xor_pd(x, _mm256_set1_pd(-0.0)),
    round: |x| _mm256_round_pd::<NEAREST>(x),
    floor: |x| _mm256_round_pd::<DOWN>(x),
    pow2i: |x| _mm256_castsi256_pd(_mm256_slli_epi64::<52>(_mm256_castpd_si256(
        _mm256_add_pd(x, _mm256_set1_pd(4_503_599_627_371_519.0))
    ))),
    select_gt: |a, b, then, other| _mm256_blendv_pd(other, then, _mm256_cmp_pd::<_CMP_GT_OQ>(a, b)),
    all_gt: |a, b| _mm256_movemask_pd(_mm256_cmp_pd::<_CMP_GT_OQ>(a, b)) == 0xF,
    min: _mm256_min_pd, max: _mm256_max_pd,
);
