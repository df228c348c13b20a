//! The eight activations of docs/science.md, each with value and derivative.
//!
//! Two implementations sit side by side: [`Activation::reference`], plain
//! `f64` with `std`/`libm` functions, which the classifier and the tests use;
//! and [`Activation::eval_lanes`], the vectorisable one the training kernel
//! uses. Tests hold the second to the first.

use crate::simd::{Lane, math};
use std::fmt;
use std::str::FromStr;

pub const SELU_LAMBDA: f64 = 1.050_700_987_355_480_493_419_334_985_294_6;
pub const SELU_ALPHA: f64 = 1.673_263_242_354_377_284_817_042_991_671_7;
pub const LEAKY_SLOPE: f64 = 0.01;

/// Lists the activations once: the enum, [`Activation::ALL`], the names, a
/// type per activation ([`kinds`]) and [`Activation::dispatch`] all come from
/// this list. A new activation is one line here, then the compiler asks for
/// its arm in every `match` below (its reference, its lane version) and
/// nowhere else.
macro_rules! activations {
    ($($variant:ident => $name:literal),+ $(,)?) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Activation {
            $($variant),+
        }

        impl Activation {
            pub const ALL: [Activation; [$($name),+].len()] = [$(Activation::$variant),+];

            /// The name used on the command line, in specs and in results.
            pub fn name(self) -> &'static str {
                match self {
                    $(Activation::$variant => $name),+
                }
            }

            /// Runs `op` with the activation as a type, so the code `op`
            /// runs is compiled once per activation with the activation a
            /// constant (the training kernel's inner loop then holds only
            /// its own arithmetic).
            #[inline(always)]
            pub fn dispatch<Op: WithActivation>(self, op: Op) -> Op::Output {
                match self {
                    $(Activation::$variant => op.with_activation::<kinds::$variant>()),+
                }
            }
        }

        /// One type per activation, for [`Activation::dispatch`].
        pub mod kinds {
            $(
                #[doc = concat!("`", $name, "` as a type.")]
                #[derive(Clone, Copy, Debug)]
                pub struct $variant;

                impl super::ActivationKind for $variant {
                    const ACTIVATION: super::Activation = super::Activation::$variant;
                }
            )+
        }
    };
}

activations! {
    Relu => "relu",
    LeakyRelu => "leaky_relu",
    Elu => "elu",
    Selu => "selu",
    Softplus => "softplus",
    Gelu => "gelu",
    Silu => "silu",
    Tanh => "tanh",
}

/// An activation known at compile time (a type of [`kinds`]).
pub trait ActivationKind: Copy + Send + Sync + 'static {
    const ACTIVATION: Activation;
}

/// What [`Activation::dispatch`] runs: code generic over the activation.
pub trait WithActivation {
    type Output;
    fn with_activation<K: ActivationKind>(self) -> Self::Output;
}

impl Activation {
    /// Comma-separated list of every valid name, for error messages.
    pub fn valid_names() -> String {
        Self::ALL.map(Self::name).join(", ")
    }

    /// `(f(z), f'(z))` in `f64` from `std` and `libm`: the reference.
    /// Kinks follow TensorFlow/PyTorch: the derivative at `z = 0` is the
    /// left piece's.
    pub fn reference(self, z: f64) -> (f64, f64) {
        match self {
            Activation::Relu => {
                if z > 0.0 {
                    (z, 1.0)
                } else {
                    (0.0, 0.0)
                }
            }
            Activation::LeakyRelu => {
                if z > 0.0 {
                    (z, 1.0)
                } else {
                    (LEAKY_SLOPE * z, LEAKY_SLOPE)
                }
            }
            Activation::Elu => {
                if z > 0.0 {
                    (z, 1.0)
                } else {
                    (z.exp_m1(), z.exp())
                }
            }
            Activation::Selu => {
                if z > 0.0 {
                    (SELU_LAMBDA * z, SELU_LAMBDA)
                } else {
                    (
                        SELU_LAMBDA * SELU_ALPHA * z.exp_m1(),
                        SELU_LAMBDA * SELU_ALPHA * z.exp(),
                    )
                }
            }
            Activation::Softplus => {
                let value = z.max(0.0) + (-z.abs()).exp().ln_1p();
                (value, reference_sigmoid(z))
            }
            Activation::Gelu => {
                let cdf = 0.5 * libm::erfc(-z * std::f64::consts::FRAC_1_SQRT_2);
                // -z²/2 = q + e exactly; exp(q)(1 + e) avoids the |z²/2|-ulp
                // error of rounding -z²/2 (600 ulp at z = -35).
                let (h, cap) = (-0.5 * z, 40.0);
                let q = h * z;
                let e = h.mul_add(z, -q);
                let pdf = if z.abs() < cap {
                    q.exp() * (1.0 + e)
                } else {
                    0.0
                } / (2.0 * std::f64::consts::PI).sqrt();
                (z * cdf, cdf + z * pdf)
            }
            Activation::Silu => {
                let s = reference_sigmoid(z);
                (z * s, s * (1.0 + z * (1.0 - s)))
            }
            Activation::Tanh => {
                let t = z.tanh();
                (t, 1.0 - t * t)
            }
        }
    }

    /// `(f(z), f'(z))` for every lane, in the lanes' precision.
    #[inline(always)]
    pub fn eval_lanes<L: Lane>(self, z: L) -> (L, L) {
        self.finish_lanes(z, self.begin_lanes(z))
    }

    /// The first half of [`Activation::eval_lanes`] (mostly its exponential),
    /// which the kernel runs a data point ahead of the second,
    /// [`Activation::finish_lanes`], so both halves find their inputs ready.
    #[inline(always)]
    pub fn begin_lanes<L: Lane>(self, z: L) -> (L, L) {
        // Unused slots hold a constant, which the kernel need not carry.
        let unused = L::constant(0.0);
        match self {
            // elu and selu keep their exponential in `finish_lanes`, beside
            // the test that skips it.
            Activation::Relu | Activation::LeakyRelu | Activation::Elu | Activation::Selu => {
                (unused, unused)
            }
            Activation::Softplus | Activation::Silu => (math::exp(-z.abs()), unused),
            Activation::Gelu => math::normal_begin(z),
            Activation::Tanh => math::tanh_begin(z),
        }
    }

    /// `(f(z), f'(z))` given `z` and [`Activation::begin_lanes`]`(z)`.
    #[inline(always)]
    pub fn finish_lanes<L: Lane>(self, z: L, (p, q): (L, L)) -> (L, L) {
        let zero = L::constant(0.0);
        let one = L::constant(1.0);
        match self {
            Activation::Relu => (z.max(zero), z.select_gt(zero, one, zero)),
            Activation::LeakyRelu => {
                let slope = L::constant(LEAKY_SLOPE);
                (z.max(slope * z), z.select_gt(zero, one, slope))
            }
            // On the positive piece (where the linear trap lives) every lane
            // often agrees: then the exponential is skipped, with the same
            // results the selects below would give.
            Activation::Elu if z.all_gt(zero) => (z, one),
            Activation::Selu if z.all_gt(zero) => {
                let lambda = L::constant(SELU_LAMBDA);
                (lambda * z, lambda)
            }
            Activation::Elu => {
                let (e, em1) = math::exp_expm1(zero.min(z));
                (z.select_gt(zero, z, em1), z.select_gt(zero, one, e))
            }
            Activation::Selu => {
                let (e, em1) = math::exp_expm1(zero.min(z));
                let lambda = L::constant(SELU_LAMBDA);
                let lambda_alpha = L::constant(SELU_LAMBDA * SELU_ALPHA);
                (
                    z.select_gt(zero, lambda * z, lambda_alpha * em1),
                    z.select_gt(zero, lambda, lambda_alpha * e),
                )
            }
            Activation::Softplus => math::softplus_sigmoid_of(z, p),
            Activation::Gelu => {
                let (cdf, pdf) = math::normal_cdf_pdf_of(z, (p, q));
                (z * cdf, z.mul_add(pdf, cdf))
            }
            Activation::Silu => {
                let s = math::sigmoid_of(z, p);
                (z * s, s * z.mul_add(one - s, one))
            }
            Activation::Tanh => {
                let t = math::tanh_of(z, (p, q));
                (t, t.mul_add(-t, one))
            }
        }
    }
}

fn reference_sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

impl fmt::Display for Activation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The possible values clap lists in `--help` and its errors.
impl clap::ValueEnum for Activation {
    fn value_variants<'a>() -> &'a [Self] {
        &Self::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.name()))
    }
}

impl FromStr for Activation {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|a| a.name() == s)
            .ok_or_else(|| format!("unknown activation '{s}' (valid: {})", Self::valid_names()))
    }
}

impl serde::Serialize for Activation {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> serde::Deserialize<'de> for Activation {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}
