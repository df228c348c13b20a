//! Training settings: the `[train]` table of a spec, defaults from docs/science.md.

use crate::problem::data::DataSpec;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Optimizer {
    #[default]
    Adam,
    Sgd,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AdamFlavour {
    /// TensorFlow 1.x `AdamOptimizer`: bias correction folded into the step size.
    #[default]
    Tf1,
    /// PyTorch `Adam`: bias-corrected moments.
    Pytorch,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    #[default]
    F32,
    F64,
}

macro_rules! named_choice {
    ($ty:ty, $what:literal, $($variant:path => $name:literal),+) => {
        impl $ty {
            pub const NAMES: &'static str = concat!($($name, ", "),+);
            pub fn name(self) -> &'static str {
                match self { $($variant => $name),+ }
            }
        }
        impl std::str::FromStr for $ty {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($name => Ok($variant),)+
                    _ => Err(format!(
                        "unknown {} '{}' (valid: {})",
                        $what,
                        s,
                        Self::NAMES.trim_end_matches(", ")
                    )),
                }
            }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

/// Which kernel computes each step's loss and gradient.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kernel {
    /// Every data point, in data order: the reference numerics.
    #[default]
    Direct,
    /// The exact shortcut for linear pieces (`train::prefix`) where the
    /// activation has one (relu, leaky_relu, elu, selu), the direct kernel
    /// elsewhere.
    Auto,
}

named_choice!(Optimizer, "optimizer", Optimizer::Adam => "adam", Optimizer::Sgd => "sgd");
named_choice!(AdamFlavour, "adam flavour", AdamFlavour::Tf1 => "tf1", AdamFlavour::Pytorch => "pytorch");
named_choice!(Precision, "precision", Precision::F32 => "f32", Precision::F64 => "f64");
named_choice!(Kernel, "kernel", Kernel::Direct => "direct", Kernel::Auto => "auto");

/// How one model is trained.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrainConfig {
    pub steps: u32,
    pub optimizer: Optimizer,
    pub adam: AdamFlavour,
    pub lr: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
    pub precision: Precision,
    pub kernel: Kernel,
    pub data: DataSpec,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            steps: 2000,
            optimizer: Optimizer::Adam,
            adam: AdamFlavour::Tf1,
            lr: 0.1,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            precision: Precision::F32,
            kernel: Kernel::Direct,
            data: DataSpec::default(),
        }
    }
}

impl TrainConfig {
    /// Checks every setting; the error names the key (`train.<key>`) and
    /// what would be valid.
    pub fn validate(&self) -> Result<(), String> {
        if self.steps == 0 {
            return Err("train.steps = 0: must be at least 1".into());
        }
        check_positive("train.lr", self.lr)?;
        check_positive("train.eps", self.eps)?;
        for (key, beta) in [("train.beta1", self.beta1), ("train.beta2", self.beta2)] {
            if !(beta.is_finite() && (0.0..1.0).contains(&beta)) {
                return Err(format!("{key} = {beta}: must be in [0, 1)"));
            }
        }
        self.data.validate().map_err(|e| format!("train.{e}"))
    }
}

fn check_positive(key: &str, value: f64) -> Result<(), String> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(format!("{key} = {value}: must be a finite number > 0"))
    }
}
