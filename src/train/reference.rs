//! The plain scalar reference: one model, `f64`, `std`/`libm` functions, and
//! the formulas written exactly as SPEC section 1 states them. Slow and
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

/// Trains one model in `f64` on the given per-step batches
/// (`batches[(step - 1) % batches.len()]`); returns the final parameters.
pub fn train(
    activation: Activation,
    cfg: &TrainConfig,
    batches: &[Vec<f64>],
    start: [f64; 4],
) -> [f64; 4] {
    let mut theta = start;
    let mut m = [0.0; 4];
    let mut v = [0.0; 4];
    for t in 1..=cfg.steps {
        let xs = &batches[(t as usize - 1) % batches.len()];
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
    }
    theta
}
