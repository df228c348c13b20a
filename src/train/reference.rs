//! The plain scalar reference: one model, `f64`, `std`/`libm` functions, and
//! the formulas written exactly as docs/science.md states them, the settled
//! rule and `converged_at` computed from the whole loss history. Slow and
//! obvious on purpose; the fast kernel is tested against it.

use super::config::{AdamFlavour, Optimizer, TrainConfig};
use crate::problem::activation::Activation;

/// Mean absolute error of `g(x) = c·f(a·x+b)+d` against `relu(x)`.
pub fn loss(activation: Activation, [a, b, c, d]: [f64; 4], xs: &[f64]) -> f64 {
    xs.iter()
        .map(|&x| (c * activation.reference(a * x + b).0 + d - x.max(0.0)).abs())
        .sum::<f64>()
        / xs.len() as f64
}

/// Gradient of [`loss`], with `sign(0) = 0`.
pub fn gradient(activation: Activation, [a, b, c, d]: [f64; 4], xs: &[f64]) -> [f64; 4] {
    let n = xs.len() as f64;
    let mut grad = [0.0; 4];
    for &x in xs {
        let (f, slope) = activation.reference(a * x + b);
        let r = c * f + d - x.max(0.0);
        let s = if r > 0.0 {
            1.0
        } else if r < 0.0 {
            -1.0
        } else {
            0.0
        };
        grad[0] += s * c * slope * x / n;
        grad[1] += s * c * slope / n;
        grad[2] += s * f / n;
        grad[3] += s / n;
    }
    grad
}

/// One reference run: every step's parameters and training loss, and what
/// the classifier reads from them, computed from the whole history by the
/// definitions (not online, as the kernel does).
#[derive(Clone, Debug, PartialEq)]
pub struct ReferenceRun {
    /// `θ_0` (the start) to `θ_steps`.
    pub params: Vec<[f64; 4]>,
    /// `L_t`, the training loss of `θ_t` on the batch of step `max(t, 1)`.
    pub losses: Vec<f64>,
    pub history: LossSummary,
}

impl ReferenceRun {
    pub fn final_params(&self) -> [f64; 4] {
        *self.params.last().expect("at least the start")
    }

    pub fn settled_params(&self) -> [f64; 4] {
        self.params[self.history.settled_step as usize]
    }
}

/// What a run's loss history says, by definition.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LossSummary {
    /// Of the last `window` steps, the one with the lowest loss (NaN as
    /// +infinity), the latest of equals.
    pub settled_step: u32,
    pub mean_loss: f64,
    /// The step after the last excursion (maximal run of losses not below
    /// the threshold) that starts at step 0 or lasts `window` steps or
    /// more; 0 if there is none; `None` if it runs to the last step.
    pub converged_at: Option<u32>,
}

/// [`LossSummary`] of the losses `L_0 … L_T`, straight from the definitions.
pub fn summarize(losses: &[f64], threshold: f64, window: u32) -> LossSummary {
    let last = losses.len() - 1;
    let first = (losses.len()).saturating_sub(window as usize);
    let key = |l: f64| if l.is_nan() { f64::INFINITY } else { l };
    let mut settled = first;
    for t in first..=last {
        if key(losses[t]) <= key(losses[settled]) {
            settled = t;
        }
    }
    // NaN is not below the threshold.
    let below = |l: f64| l < threshold;
    let mut excursions: Vec<(usize, usize)> = Vec::new();
    let mut t = 0;
    while t <= last {
        if below(losses[t]) {
            t += 1;
            continue;
        }
        let start = t;
        while t <= last && !below(losses[t]) {
            t += 1;
        }
        excursions.push((start, t));
    }
    let counted = excursions
        .iter()
        .rev()
        .find(|&&(start, end)| start == 0 || end - start >= window as usize);
    let converged_at = match counted {
        None => Some(0),
        Some(&(_, end)) if end > last => None,
        Some(&(_, end)) => Some(end as u32),
    };
    LossSummary {
        settled_step: settled as u32,
        mean_loss: losses.iter().sum::<f64>() / losses.len() as f64,
        converged_at,
    }
}

/// Trains one model in `f64` on the given per-step batches
/// (`batches[(step - 1) % batches.len()]`), keeping every step.
pub fn train(
    activation: Activation,
    cfg: &TrainConfig,
    batches: &[Vec<f64>],
    start: [f64; 4],
    threshold: f64,
    window: u32,
) -> ReferenceRun {
    let batch = |t: u32| &batches[(t.max(1) as usize - 1) % batches.len()];
    let mut theta = start;
    let mut m = [0.0; 4];
    let mut v = [0.0; 4];
    let mut params = vec![start];
    let mut losses = Vec::new();
    for t in 1..=cfg.steps {
        let xs = batch(t);
        losses.push(loss(activation, theta, xs));
        let g = gradient(activation, theta, xs);
        for i in 0..4 {
            match cfg.optimizer {
                Optimizer::Sgd => theta[i] -= cfg.lr * g[i],
                Optimizer::Adam => {
                    m[i] = cfg.beta1 * m[i] + (1.0 - cfg.beta1) * g[i];
                    v[i] = cfg.beta2 * v[i] + (1.0 - cfg.beta2) * g[i] * g[i];
                    let bias1 = 1.0 - cfg.beta1.powi(t as i32);
                    let bias2 = 1.0 - cfg.beta2.powi(t as i32);
                    match cfg.adam {
                        AdamFlavour::Tf1 => {
                            let lr_t = cfg.lr * bias2.sqrt() / bias1;
                            theta[i] -= lr_t * m[i] / (v[i].sqrt() + cfg.eps);
                        }
                        AdamFlavour::Pytorch => {
                            let m_hat = m[i] / bias1;
                            let v_hat = v[i] / bias2;
                            theta[i] -= cfg.lr * m_hat / (v_hat.sqrt() + cfg.eps);
                        }
                    }
                }
            }
        }
        params.push(theta);
    }
    losses.push(loss(activation, theta, batch(cfg.steps)));
    let history = summarize(&losses, threshold, window);
    ReferenceRun {
        params,
        losses,
        history,
    }
}
