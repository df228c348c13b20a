//! Runtime CPU-feature dispatch in the style of pulp's `WithSimd`: code that
//! is generic over a lane type implements [`WithLanes`], and [`Isa::dispatch`]
//! runs it with the widest lanes this CPU proves it has (AVX-512, AVX2+FMA, or
//! the portable arrays), so users never set RUSTFLAGS.
//!
//! The x86 register types run vector instructions the baseline target may
//! lack, so they are private to `simd` and only this module names them: it
//! hands them out only inside a `#[target_feature]` function, reached only
//! through a token ([`Avx512`], [`Avx2Fma`]) that can only be made by
//! detecting the features. Safe code elsewhere cannot get hold of one.
//!
//! Every lane type performs the same IEEE operations, so the choice changes
//! speed only, never a result bit.

use super::lane::{Lane, Lanes};
use super::real::Real;

/// Code generic over the lane type, run by [`Isa::dispatch`]. Implementations
/// should be `#[inline(always)]`, so their body is compiled with the
/// instruction set's features.
pub trait WithLanes {
    type Elem: Real;
    type Output;
    /// Whether to run on two registers per lane group (the default) or one,
    /// on AVX-512. Two give each running sum two independent chains; one
    /// leaves twice the registers free, which long chains need so as not to
    /// spill. Either gives the same bits.
    const PAIRED: bool = true;
    fn with_lanes<L: Lane<Elem = Self::Elem>>(self) -> Self::Output;
}

pub(super) mod sealed {
    use super::Lane;

    /// The lane types of a precision on each instruction set: two
    /// registers' worth each, so running sums have independent dependency
    /// chains, and on AVX-512 also one register's worth. Sealed:
    /// implemented for `f32` and `f64` only, and not nameable outside
    /// `simd`, so the register types cannot leak.
    pub trait PrecisionLanes: Sized + 'static {
        type Avx512: Lane<Elem = Self>;
        type Avx512Single: Lane<Elem = Self>;
        type Avx2: Lane<Elem = Self>;
        type Portable: Lane<Elem = Self>;
    }
}

use sealed::PrecisionLanes;

#[cfg(target_arch = "x86_64")]
mod lanes {
    use super::super::pair::Pair;
    use super::super::x86::{F32x8, F32x16, F64x4, F64x8};
    use super::{Lanes, PrecisionLanes};

    impl PrecisionLanes for f32 {
        type Avx512 = Pair<F32x16>;
        type Avx512Single = F32x16;
        type Avx2 = Pair<F32x8>;
        type Portable = Lanes<f32, 8>;
    }

    impl PrecisionLanes for f64 {
        type Avx512 = Pair<F64x8>;
        type Avx512Single = F64x8;
        type Avx2 = Pair<F64x4>;
        type Portable = Lanes<f64, 4>;
    }
}

#[cfg(not(target_arch = "x86_64"))]
mod lanes {
    use super::{Lanes, PrecisionLanes};

    impl PrecisionLanes for f32 {
        type Avx512 = Lanes<f32, 8>;
        type Avx512Single = Lanes<f32, 8>;
        type Avx2 = Lanes<f32, 8>;
        type Portable = Lanes<f32, 8>;
    }

    impl PrecisionLanes for f64 {
        type Avx512 = Lanes<f64, 4>;
        type Avx512Single = Lanes<f64, 4>;
        type Avx2 = Lanes<f64, 4>;
        type Portable = Lanes<f64, 4>;
    }
}

/// An instruction set a kernel call can run on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Isa {
    Avx512,
    Avx2Fma,
    Portable,
}

impl Isa {
    /// The best instruction set this CPU supports.
    pub fn detect() -> Isa {
        if Avx512::detect().is_some() {
            Isa::Avx512
        } else if Avx2Fma::detect().is_some() {
            Isa::Avx2Fma
        } else {
            Isa::Portable
        }
    }

    /// Every instruction set this CPU can run, best first.
    pub fn available() -> Vec<Isa> {
        let best = Isa::detect();
        [Isa::Avx512, Isa::Avx2Fma, Isa::Portable]
            .into_iter()
            .skip_while(|&isa| isa != best)
            .collect()
    }

    pub fn name(self) -> &'static str {
        match self {
            Isa::Avx512 => "avx512",
            Isa::Avx2Fma => "avx2+fma",
            Isa::Portable => "portable",
        }
    }

    /// Runs `op` with this instruction set's lanes for its precision.
    ///
    /// # Panics
    /// If this CPU lacks the instruction set (see [`Isa::available`]).
    #[inline]
    pub fn dispatch<Op: WithLanes>(self, op: Op) -> Op::Output {
        fn missing(isa: Isa) -> ! {
            panic!("{} is not available on this CPU", isa.name())
        }
        match self {
            Isa::Avx512 => Avx512::detect().unwrap_or_else(|| missing(self)).run(op),
            Isa::Avx2Fma => Avx2Fma::detect().unwrap_or_else(|| missing(self)).run(op),
            Isa::Portable => op.with_lanes::<<Op::Elem as PrecisionLanes>::Portable>(),
        }
    }
}

/// Proof that this CPU runs AVX-512F, AVX-512DQ, AVX2 and FMA: only
/// [`Avx512::detect`] makes one.
#[derive(Clone, Copy, Debug)]
pub struct Avx512 {
    _proof: (),
}

impl Avx512 {
    pub fn detect() -> Option<Avx512> {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx512f")
            && std::is_x86_feature_detected!("avx512dq")
            && std::is_x86_feature_detected!("avx2")
            && std::is_x86_feature_detected!("fma")
        {
            return Some(Avx512 { _proof: () });
        }
        None
    }

    /// Runs `op` with AVX-512 register lanes.
    #[inline]
    pub fn run<Op: WithLanes>(self, op: Op) -> Op::Output {
        #[cfg(target_arch = "x86_64")]
        {
            #[target_feature(enable = "avx512f,avx512dq,avx2,fma")]
            fn with_avx512<Op: WithLanes>(op: Op) -> Op::Output {
                if Op::PAIRED {
                    op.with_lanes::<<Op::Elem as PrecisionLanes>::Avx512>()
                } else {
                    op.with_lanes::<<Op::Elem as PrecisionLanes>::Avx512Single>()
                }
            }
            // SAFETY: `self` exists only if `detect` found every feature
            // `with_avx512` enables.
            unsafe { with_avx512(op) }
        }
        #[cfg(not(target_arch = "x86_64"))]
        op.with_lanes::<<Op::Elem as PrecisionLanes>::Portable>()
    }
}

/// Proof that this CPU runs AVX2 and FMA: only [`Avx2Fma::detect`] makes one.
#[derive(Clone, Copy, Debug)]
pub struct Avx2Fma {
    _proof: (),
}

impl Avx2Fma {
    pub fn detect() -> Option<Avx2Fma> {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            return Some(Avx2Fma { _proof: () });
        }
        None
    }

    /// Runs `op` with AVX2 register lanes.
    #[inline]
    pub fn run<Op: WithLanes>(self, op: Op) -> Op::Output {
        #[cfg(target_arch = "x86_64")]
        {
            #[target_feature(enable = "avx2,fma")]
            fn with_avx2<Op: WithLanes>(op: Op) -> Op::Output {
                op.with_lanes::<<Op::Elem as PrecisionLanes>::Avx2>()
            }
            // SAFETY: `self` exists only if `detect` found every feature
            // `with_avx2` enables.
            unsafe { with_avx2(op) }
        }
        #[cfg(not(target_arch = "x86_64"))]
        op.with_lanes::<<Op::Elem as PrecisionLanes>::Portable>()
    }
}

/// Runs `op` on one lane of portable arrays: the scalar path, for a single
/// model observed step by step.
#[inline]
pub fn scalar<Op: WithLanes>(op: Op) -> Op::Output {
    op.with_lanes::<Lanes<Op::Elem, 1>>()
}
