//! [`Pair`]: two lane vectors operated on as one, so every running sum in
//! the kernel has two independent dependency chains and the FMA latency
//! hides behind the other half's work.

use super::lane::Lane;
use std::ops::{Add, Div, Mul, Neg, Sub};

#[derive(Clone, Copy, Debug)]
pub struct Pair<V>(pub V, pub V);

impl<V: Lane> Lane for Pair<V> {
    type Elem = V::Elem;
    const WIDTH: usize = 2 * V::WIDTH;

    #[inline(always)]
    fn splat(v: Self::Elem) -> Self {
        Pair(V::splat(v), V::splat(v))
    }
    #[inline(always)]
    fn load(values: &[Self::Elem]) -> Self {
        Pair(V::load(values), V::load(&values[V::WIDTH..]))
    }
    #[inline(always)]
    fn store(self, out: &mut [Self::Elem]) {
        self.0.store(out);
        self.1.store(&mut out[V::WIDTH..]);
    }
    #[inline(always)]
    fn mul_add(self, a: Self, b: Self) -> Self {
        Pair(self.0.mul_add(a.0, b.0), self.1.mul_add(a.1, b.1))
    }
    #[inline(always)]
    fn sqrt(self) -> Self {
        Pair(self.0.sqrt(), self.1.sqrt())
    }
    #[inline(always)]
    fn abs(self) -> Self {
        Pair(self.0.abs(), self.1.abs())
    }
    #[inline(always)]
    fn round_ties_even(self) -> Self {
        Pair(self.0.round_ties_even(), self.1.round_ties_even())
    }
    #[inline(always)]
    fn floor(self) -> Self {
        Pair(self.0.floor(), self.1.floor())
    }
    #[inline(always)]
    fn pow2i(self) -> Self {
        Pair(self.0.pow2i(), self.1.pow2i())
    }
    #[inline(always)]
    fn scale_exp2(self, n: Self) -> Self {
        Pair(self.0.scale_exp2(n.0), self.1.scale_exp2(n.1))
    }
    #[inline(always)]
    fn max(self, rhs: Self) -> Self {
        Pair(self.0.max(rhs.0), self.1.max(rhs.1))
    }
    #[inline(always)]
    fn min(self, rhs: Self) -> Self {
        Pair(self.0.min(rhs.0), self.1.min(rhs.1))
    }
    #[inline(always)]
    fn clamp_keep_nan(self, lo: Self, hi: Self) -> Self {
        Pair(
            self.0.clamp_keep_nan(lo.0, hi.0),
            self.1.clamp_keep_nan(lo.1, hi.1),
        )
    }
    #[inline(always)]
    fn all_gt(self, rhs: Self) -> bool {
        self.0.all_gt(rhs.0) & self.1.all_gt(rhs.1)
    }
    #[inline(always)]
    fn select_gt(self, rhs: Self, then: Self, other: Self) -> Self {
        Pair(
            self.0.select_gt(rhs.0, then.0, other.0),
            self.1.select_gt(rhs.1, then.1, other.1),
        )
    }
}

macro_rules! pair_binary_op {
    ($trait:ident, $method:ident) => {
        impl<V: Lane> $trait for Pair<V> {
            type Output = Self;
            #[inline(always)]
            fn $method(self, rhs: Self) -> Self {
                Pair(self.0.$method(rhs.0), self.1.$method(rhs.1))
            }
        }
    };
}

pair_binary_op!(Add, add);
pair_binary_op!(Sub, sub);
pair_binary_op!(Mul, mul);
pair_binary_op!(Div, div);

impl<V: Lane> Neg for Pair<V> {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        Pair(-self.0, -self.1)
    }
}
