//! [`Lane`]: a vector of independent values of one precision, and
//! [`Lanes`], its portable array implementation.
//!
//! The training kernel and the vector math are written once against
//! [`Lane`]. Implementations: [`Lanes<T, W>`] (element-wise loops over an
//! array: the portable path, and with `W = 1` the scalar one), the x86
//! register types of `simd::x86`, and [`Pair`](super::pair::Pair) of any of
//! them. Every implementation performs exactly the same IEEE operations per
//! element (FMA where `mul_add` is written, nowhere else), so a model's
//! result is bit-identical whatever the lane type.

use super::real::Real;
use std::ops::{Add, Div, Mul, Neg, Sub};

/// Largest `WIDTH` of any lane type (for stack buffers).
pub(crate) const MAX_WIDTH: usize = 64;

/// `WIDTH` values stepped together, one model each.
pub trait Lane:
    Copy
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
{
    type Elem: Real;
    const WIDTH: usize;

    fn splat(v: Self::Elem) -> Self;
    /// Lanes from `values[..WIDTH]`.
    fn load(values: &[Self::Elem]) -> Self;
    /// Writes the lanes to `out[..WIDTH]`.
    fn store(self, out: &mut [Self::Elem]);
    /// `self * a + b`, fused (one rounding).
    fn mul_add(self, a: Self, b: Self) -> Self;
    fn sqrt(self) -> Self;
    fn abs(self) -> Self;
    fn round_ties_even(self) -> Self;
    fn floor(self) -> Self;
    /// `2^self` for integral lanes within the normal exponent range.
    fn pow2i(self) -> Self;
    /// Per lane: `if self > rhs { then } else { other }` (false for NaN).
    fn select_gt(self, rhs: Self, then: Self, other: Self) -> Self;
    /// `self > rhs` in every lane (false if any lane is NaN).
    fn all_gt(self, rhs: Self) -> bool;

    #[inline(always)]
    fn constant(v: f64) -> Self {
        Self::splat(Self::Elem::from_f64(v))
    }

    /// Per lane: `if self < rhs { then } else { other }` (false for NaN).
    #[inline(always)]
    fn select_lt(self, rhs: Self, then: Self, other: Self) -> Self {
        rhs.select_gt(self, then, other)
    }

    /// `self · 2^n` for integral `n`, rounded once (so also into the
    /// subnormals and to infinity). Default: two exact-range halves; AVX-512
    /// has one instruction for it.
    #[inline(always)]
    fn scale_exp2(self, n: Self) -> Self {
        let n1 = (n * Self::constant(0.5)).floor();
        self * n1.pow2i() * (n - n1).pow2i()
    }

    /// Per lane `if self > rhs { self } else { rhs }` (so `rhs` for NaN),
    /// which is x86's `max`: a two-cycle instruction where compare and
    /// select take eight on the critical path.
    #[inline(always)]
    fn max(self, rhs: Self) -> Self {
        self.select_gt(rhs, self, rhs)
    }

    /// Per lane `if self < rhs { self } else { rhs }` (so `rhs` for NaN),
    /// which is x86's `min`.
    #[inline(always)]
    fn min(self, rhs: Self) -> Self {
        self.select_lt(rhs, self, rhs)
    }

    /// `self` limited to `[lo, hi]`, NaN staying NaN.
    #[inline(always)]
    fn clamp_keep_nan(self, lo: Self, hi: Self) -> Self {
        self.select_lt(lo, lo, self.select_gt(hi, hi, self))
    }

    /// Per lane `+1`, `-1` or `0` (`sign(0) = 0`, as TensorFlow and PyTorch;
    /// NaN maps to 0, and is caught later by the divergence check).
    #[inline(always)]
    fn sign(self) -> Self {
        let zero = Self::constant(0.0);
        let one = Self::constant(1.0);
        self.select_gt(zero, one, self.select_lt(zero, -one, zero))
    }

    /// Applies a scalar function to each lane (for what has no vector form).
    #[inline(always)]
    fn map(self, f: impl Fn(Self::Elem) -> Self::Elem) -> Self {
        let mut buffer = [Self::Elem::default(); MAX_WIDTH];
        self.store(&mut buffer);
        for v in &mut buffer[..Self::WIDTH] {
            *v = f(*v);
        }
        Self::load(&buffer)
    }

    /// The value of lane `index`.
    #[inline(always)]
    fn lane(self, index: usize) -> Self::Elem {
        let mut buffer = [Self::Elem::default(); MAX_WIDTH];
        self.store(&mut buffer);
        buffer[index]
    }
}

/// `W` values in an array, operated on element by element.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Lanes<T, const W: usize>(pub [T; W]);

impl<T: Real, const W: usize> Lanes<T, W> {
    #[inline(always)]
    fn each(self, f: impl Fn(T) -> T) -> Self {
        let mut out = self.0;
        for v in out.iter_mut() {
            *v = f(*v);
        }
        Self(out)
    }
}

impl<T: Real, const W: usize> Lane for Lanes<T, W> {
    type Elem = T;
    const WIDTH: usize = W;

    #[inline(always)]
    fn splat(v: T) -> Self {
        Self([v; W])
    }

    #[inline(always)]
    fn load(values: &[T]) -> Self {
        Self(std::array::from_fn(|i| values[i]))
    }

    #[inline(always)]
    fn store(self, out: &mut [T]) {
        out[..W].copy_from_slice(&self.0);
    }

    #[inline(always)]
    fn mul_add(self, a: Self, b: Self) -> Self {
        let mut out = self.0;
        for ((o, a), b) in out.iter_mut().zip(a.0).zip(b.0) {
            *o = o.mul_add(a, b);
        }
        Self(out)
    }

    #[inline(always)]
    fn sqrt(self) -> Self {
        self.each(T::sqrt)
    }

    #[inline(always)]
    fn abs(self) -> Self {
        self.each(T::abs)
    }

    #[inline(always)]
    fn round_ties_even(self) -> Self {
        self.each(T::round_ties_even)
    }

    #[inline(always)]
    fn floor(self) -> Self {
        self.each(T::floor)
    }

    #[inline(always)]
    fn pow2i(self) -> Self {
        self.each(T::pow2i)
    }

    #[inline(always)]
    fn all_gt(self, rhs: Self) -> bool {
        self.0.iter().zip(rhs.0).all(|(&a, b)| a > b)
    }

    #[inline(always)]
    fn select_gt(self, rhs: Self, then: Self, other: Self) -> Self {
        let mut out = other.0;
        for (((o, a), b), t) in out.iter_mut().zip(self.0).zip(rhs.0).zip(then.0) {
            if a > b {
                *o = t;
            }
        }
        Self(out)
    }
}

macro_rules! lanes_binary_op {
    ($trait:ident, $method:ident, $op:tt) => {
        impl<T: Real, const W: usize> $trait for Lanes<T, W> {
            type Output = Self;
            #[inline(always)]
            fn $method(self, rhs: Self) -> Self {
                let mut out = self.0;
                for (o, r) in out.iter_mut().zip(rhs.0) {
                    *o = *o $op r;
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
        self.each(|v| -v)
    }
}
