//! Training runs: settings, the lane kernel, the optimizer, CPU dispatch and
//! the plain scalar reference the kernel is tested against.
//!
//! [`train_and_classify`] is the one entry point the commands use: it takes
//! starts in `f64`, trains in the configured precision and labels each run.

pub mod config;
pub mod dispatch;
pub mod kernel;
pub mod optimizer;
pub mod prefix;
pub mod reference;

use crate::classify::{ClassifyConfig, Label, classify, diverged};
use crate::problem::activation::Activation;
use crate::problem::data::TrainingData;
use crate::simd::Real;
use anyhow::Result;
use config::{Precision, TrainConfig};
use dispatch::ModelEnd;
use kernel::Tracking;

/// Everything recorded about one finished run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunOutcome {
    /// The settled `a, b, c, d`: of the last `window` parameter values, the
    /// one with the lowest training loss.
    pub params: [f64; 4],
    /// Training loss of the settled parameters.
    pub train_loss: f64,
    /// Loss of the settled parameters on the evaluation grid, in `f64`.
    pub eval_loss: f64,
    pub label: Label,
    /// Converged runs only: the step after the last excursion of the
    /// training loss above the threshold that was not a short burst.
    pub converged_at: Option<u32>,
    /// The step of the settled parameters.
    pub settled_step: u32,
    /// Mean training loss over steps 0 to `steps`.
    pub mean_loss: f64,
}

/// Training data materialised in the precision the settings ask for.
pub enum PreparedData {
    F32(TrainingData<f32>),
    F64(TrainingData<f64>),
}

impl PreparedData {
    pub fn prepare(cfg: &TrainConfig) -> Result<Self> {
        Ok(match cfg.precision {
            Precision::F32 => PreparedData::F32(TrainingData::prepare(&cfg.data, cfg.steps)?),
            Precision::F64 => PreparedData::F64(TrainingData::prepare(&cfg.data, cfg.steps)?),
        })
    }

    /// Every x value in use order, as the shortest decimal that reads back
    /// as exactly that value in `f64`. `f32` values are widened first (which
    /// is exact), so the text means the same number to a reader in either
    /// precision: the f32 shortest form ("0.15469712") would read back in f64
    /// as a different number than the one trained on (0.15469712018966675).
    pub fn formatted_xs(&self) -> Vec<String> {
        match self {
            PreparedData::F32(d) => d
                .all_xs()
                .iter()
                .map(|&x| format!("{:?}", x as f64))
                .collect(),
            PreparedData::F64(d) => d.all_xs().iter().map(|x| format!("{x:?}")).collect(),
        }
    }
}

/// Trains one model per start and labels each.
pub fn train_and_classify(
    activation: Activation,
    cfg: &TrainConfig,
    classify_cfg: &ClassifyConfig,
    data: &PreparedData,
    starts: &[[f64; 4]],
) -> Vec<RunOutcome> {
    let tracking = tracking(classify_cfg);
    match data {
        PreparedData::F32(d) => dispatch::train_models(activation, cfg, d, starts, tracking)
            .into_iter()
            .map(|end| outcome(activation, classify_cfg, end))
            .collect(),
        PreparedData::F64(d) => dispatch::train_models(activation, cfg, d, starts, tracking)
            .into_iter()
            .map(|end| outcome(activation, classify_cfg, end))
            .collect(),
    }
}

/// What the kernel tracks for the classifier's settings.
pub fn tracking(classify_cfg: &ClassifyConfig) -> Tracking<f64> {
    Tracking {
        converged_loss: classify_cfg.converged_loss,
        window: classify_cfg.window,
    }
}

/// Labels a model's end state.
pub fn outcome<T: Real>(
    activation: Activation,
    classify_cfg: &ClassifyConfig,
    end: ModelEnd<T>,
) -> RunOutcome {
    let params = end.settled_params.map(T::to_f64);
    let diverged = diverged(
        end.final_params.map(T::to_f64),
        end.final_loss.to_f64(),
        classify_cfg,
    );
    let verdict = classify(activation, params, diverged, classify_cfg);
    RunOutcome {
        params,
        train_loss: end.settled_loss.to_f64(),
        eval_loss: verdict.eval_loss,
        label: verdict.label,
        converged_at: end
            .converged_at
            .filter(|_| verdict.label == Label::Converged),
        settled_step: end.settled_step,
        mean_loss: end.mean_loss,
    }
}
