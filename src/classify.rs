//! The outcome labels (docs/science.md, "Outcomes"), decided in `f64` on the
//! evaluation grid (1001 evenly spaced points of [-0.5, 0.5], independent of
//! the data) from a run's *settled* parameters; only `diverged` looks at the
//! final ones.

use crate::problem::activation::Activation;
use serde::{Deserialize, Serialize};
use std::fmt;

pub const EVAL_POINTS: usize = 1001;

/// Thresholds: the `[classify]` table of a spec.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClassifyConfig {
    /// Evaluation loss below which a run has converged.
    pub converged_loss: f64,
    /// `max g - min g` below which `g` counts as constant.
    pub dead_range: f64,
    /// Mean absolute deviation from the least-squares line, relative to
    /// `max g - min g`, below which `g` counts as affine.
    pub linear_deviation: f64,
    /// Parameter magnitude above which a run has diverged.
    pub diverged_magnitude: f64,
    /// How many of the last parameter values compete to be the settled
    /// ones; also the shortest excursion above `converged_loss` that
    /// `converged_at` does not ignore. 1 is the final-step rule.
    pub window: u32,
}

/// Largest `window`: the kernel tracks the settled step per lane as an
/// offset into the window in the training precision, exact up to 2^24.
pub(crate) const MAX_WINDOW: u32 = 1 << 24;

impl Default for ClassifyConfig {
    fn default() -> Self {
        ClassifyConfig {
            converged_loss: 0.03,
            dead_range: 1e-3,
            linear_deviation: 0.02,
            diverged_magnitude: 1e6,
            window: 100,
        }
    }
}

impl ClassifyConfig {
    pub fn validate(&self) -> Result<(), String> {
        for (key, value) in [
            ("classify.converged_loss", self.converged_loss),
            ("classify.dead_range", self.dead_range),
            ("classify.linear_deviation", self.linear_deviation),
            ("classify.diverged_magnitude", self.diverged_magnitude),
        ] {
            if !(value.is_finite() && value > 0.0) {
                return Err(format!("{key} = {value}: must be a finite number > 0"));
            }
        }
        if !(1..=MAX_WINDOW).contains(&self.window) {
            return Err(format!(
                "classify.window = {}: must be from 1 (the final step alone) to {MAX_WINDOW}",
                self.window
            ));
        }
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Label {
    Converged,
    StuckLinear,
    StuckDead,
    Unconverged,
    Diverged,
}

impl Label {
    pub const ALL: [Label; 5] = [
        Label::Converged,
        Label::StuckLinear,
        Label::StuckDead,
        Label::Unconverged,
        Label::Diverged,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Label::Converged => "converged",
            Label::StuckLinear => "stuck-linear",
            Label::StuckDead => "stuck-dead",
            Label::Unconverged => "unconverged",
            Label::Diverged => "diverged",
        }
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Label {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Label::ALL
            .into_iter()
            .find(|l| l.name() == s)
            .ok_or_else(|| format!("unknown label '{s}'"))
    }
}

/// The evaluation grid's x values.
pub fn eval_grid() -> impl Iterator<Item = f64> {
    (0..EVAL_POINTS).map(|j| -0.5 + j as f64 / (EVAL_POINTS - 1) as f64)
}

/// `g(x) = c·f(a·x + b) + d` in `f64`.
pub fn model_value(activation: Activation, [a, b, c, d]: [f64; 4], x: f64) -> f64 {
    c * activation.reference(a * x + b).0 + d
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Verdict {
    pub eval_loss: f64,
    pub label: Label,
}

/// Whether a run diverged: a final parameter or the final training loss is
/// not finite, or a final parameter's magnitude exceeds the threshold.
pub fn diverged(final_params: [f64; 4], final_loss: f64, cfg: &ClassifyConfig) -> bool {
    !final_loss.is_finite()
        || final_params
            .iter()
            .any(|p| !p.is_finite() || p.abs() > cfg.diverged_magnitude)
}

/// Labels a run from its settled parameters, given whether it [`diverged`].
pub fn classify(
    activation: Activation,
    params: [f64; 4],
    diverged: bool,
    cfg: &ClassifyConfig,
) -> Verdict {
    let xs: Vec<f64> = eval_grid().collect();
    let gs: Vec<f64> = xs
        .iter()
        .map(|&x| model_value(activation, params, x))
        .collect();
    let eval_loss = xs
        .iter()
        .zip(&gs)
        .map(|(&x, &g)| (g - x.max(0.0)).abs())
        .sum::<f64>()
        / EVAL_POINTS as f64;
    let label = if diverged || !eval_loss.is_finite() {
        Label::Diverged
    } else if eval_loss < cfg.converged_loss {
        Label::Converged
    } else {
        let (lo, hi) = gs
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &g| {
                (lo.min(g), hi.max(g))
            });
        let range = hi - lo;
        if range < cfg.dead_range {
            Label::StuckDead
        } else if mean_deviation_from_line(&xs, &gs) < cfg.linear_deviation * range {
            Label::StuckLinear
        } else {
            Label::Unconverged
        }
    };
    Verdict { eval_loss, label }
}

/// Mean absolute deviation of `ys` from their least-squares line in `xs`.
pub fn mean_deviation_from_line(xs: &[f64], ys: &[f64]) -> f64 {
    let n = xs.len() as f64;
    let mean_x = xs.iter().sum::<f64>() / n;
    let mean_y = ys.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (&x, &y) in xs.iter().zip(ys) {
        sxy += (x - mean_x) * (y - mean_y);
        sxx += (x - mean_x) * (x - mean_x);
    }
    let slope = sxy / sxx;
    xs.iter()
        .zip(ys)
        .map(|(&x, &y)| (y - (mean_y + slope * (x - mean_x))).abs())
        .sum::<f64>()
        / n
}
