//! [`Lanes`]: `W` independent values of one precision, stepped together.
//!
//! The training kernel and the vector math are written once against this
//! type. Every operation is an element-wise loop over a fixed-size array;
//! compiled inside a `#[target_feature]` function (see `dispatch`) each loop
//! becomes one vector instruction. Because every lane performs exactly the
//! same IEEE operations (FMA where `mul_add` is written, nowhere else), a
//! model's result is bit-identical whatever the width: `Lanes<T, 1>` is the
//! scalar path, `Lanes<f32, 16>` fills an AVX-512 register.

use super::real::Real;
use std::ops::{Add, Div, Mul, Neg, Sub};

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Lanes<T, const W: usize>(pub [T; W]);

impl<T: Real, const W: usize> Lanes<T, W> {
    #[inline(always)]
    pub fn splat(v: T) -> Self {
        Self([v; W])
    }

    #[inline(always)]
    pub fn constant(v: f64) -> Self {
        Self::splat(T::from_f64(v))
    }

    #[inline(always)]
    pub fn map(self, f: impl Fn(T) -> T) -> Self {
        let mut out = self.0;
        for v in out.iter_mut() {
            *v = f(*v);
        }
        Self(out)
    }

    #[inline(always)]
    pub fn zip(self, other: Self, f: impl Fn(T, T) -> T) -> Self {
        let mut out = self.0;
        for (v, o) in out.iter_mut().zip(other.0) {
            *v = f(*v, o);
        }
        Self(out)
    }

    /// `self * a + b`, fused (one rounding).
    #[inline(always)]
    pub fn mul_add(self, a: Self, b: Self) -> Self {
        let mut out = self.0;
        for i in 0..W {
            out[i] = out[i].mul_add(a.0[i], b.0[i]);
        }
        Self(out)
    }

    #[inline(always)]
    pub fn sqrt(self) -> Self {
        self.map(T::sqrt)
    }

    #[inline(always)]
    pub fn abs(self) -> Self {
        self.map(T::abs)
    }

    #[inline(always)]
    pub fn round_ties_even(self) -> Self {
        self.map(T::round_ties_even)
    }

    #[inline(always)]
    pub fn floor(self) -> Self {
        self.map(T::floor)
    }

    #[inline(always)]
    pub fn pow2i(self) -> Self {
        self.map(T::pow2i)
    }

    /// Per lane: `if self > rhs { then } else { other }` (false for NaN).
    #[inline(always)]
    pub fn select_gt(self, rhs: Self, then: Self, other: Self) -> Self {
        let mut out = other.0;
        for i in 0..W {
            if self.0[i] > rhs.0[i] {
                out[i] = then.0[i];
            }
        }
        Self(out)
    }

    /// Per lane: `if self < rhs { then } else { other }` (false for NaN).
    #[inline(always)]
    pub fn select_lt(self, rhs: Self, then: Self, other: Self) -> Self {
        rhs.select_gt(self, then, other)
    }

    /// Per lane `+1`, `-1` or `0` (`sign(0) = 0`, as TensorFlow and PyTorch;
    /// NaN maps to 0, and is caught later by the divergence check).
    #[inline(always)]
    pub fn sign(self) -> Self {
        let zero = Self::splat(T::zero());
        let one = Self::splat(T::one());
        self.select_gt(zero, one, self.select_lt(zero, -one, zero))
    }
}

macro_rules! lanes_binary_op {
    ($trait:ident, $method:ident, $op:tt) => {
        impl<T: Real, const W: usize> $trait for Lanes<T, W> {
            type Output = Self;
            #[inline(always)]
            fn $method(self, rhs: Self) -> Self {
                let mut out = self.0;
                for i in 0..W {
                    out[i] = out[i] $op rhs.0[i];
                }
                Self(out)
            }
        }
    };
}

lanes_binary_op!(Add, add, +);
lanes_binary_op!(Sub, sub, -);
lanes_binary_op!(Mul, mul, *);
lanes_binary_op!(Div, div, /);

impl<T: Real, const W: usize> Neg for Lanes<T, W> {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        self.map(|v| -v)
    }
}
