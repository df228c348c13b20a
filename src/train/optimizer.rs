//! Parameter updates: Adam (TensorFlow 1.x and PyTorch flavours) and SGD,
//! applied to all lanes at once.
//!
//! The step-dependent scalars (`beta^t`, the step size) are computed once per
//! step in `f64` and rounded to the training precision, so they are the same
//! for every lane and every width.

use super::config::{AdamFlavour, Optimizer, TrainConfig};
use crate::simd::Lane;

pub const PARAMS: usize = 4;

/// The optimizer and its moment estimates for `W` models.
pub struct OptimizerState<L> {
    rule: Rule,
    m: [L; PARAMS],
    v: [L; PARAMS],
}

#[derive(Clone, Copy)]
enum Rule {
    Sgd {
        lr: f64,
    },
    Adam {
        flavour: AdamFlavour,
        lr: f64,
        beta1: f64,
        beta2: f64,
        eps: f64,
    },
}

impl<L: Lane> OptimizerState<L> {
    pub fn new(cfg: &TrainConfig) -> Self {
        let rule = match cfg.optimizer {
            Optimizer::Sgd => Rule::Sgd { lr: cfg.lr },
            Optimizer::Adam => Rule::Adam {
                flavour: cfg.adam,
                lr: cfg.lr,
                beta1: cfg.beta1,
                beta2: cfg.beta2,
                eps: cfg.eps,
            },
        };
        let zero = L::constant(0.0);
        OptimizerState {
            rule,
            m: [zero; PARAMS],
            v: [zero; PARAMS],
        }
    }

    /// Applies update number `t` (1-based) with gradients `grads`.
    #[inline(always)]
    pub fn update(&mut self, t: u32, params: &mut [L; PARAMS], grads: &[L; PARAMS]) {
        match self.rule {
            Rule::Sgd { lr } => {
                let neg_lr = L::constant(-lr);
                for (p, g) in params.iter_mut().zip(grads) {
                    *p = g.mul_add(neg_lr, *p);
                }
            }
            Rule::Adam {
                flavour,
                lr,
                beta1,
                beta2,
                eps,
            } => {
                let bias1 = 1.0 - beta1.powi(t as i32);
                let bias2 = 1.0 - beta2.powi(t as i32);
                let b1 = L::constant(beta1);
                let b2 = L::constant(beta2);
                let one_minus_b1 = L::constant(1.0 - beta1);
                let one_minus_b2 = L::constant(1.0 - beta2);
                let eps = L::constant(eps);
                // tf1: θ -= lr·sqrt(1-β2^t)/(1-β1^t) · m / (sqrt(v) + ε)
                // pytorch: θ -= lr/(1-β1^t) · m / (sqrt(v)/sqrt(1-β2^t) + ε)
                let (step_size, v_scale) = match flavour {
                    AdamFlavour::Tf1 => (lr * bias2.sqrt() / bias1, 1.0),
                    AdamFlavour::Pytorch => (lr / bias1, 1.0 / bias2.sqrt()),
                };
                let neg_step = L::constant(-step_size);
                let v_scale = L::constant(v_scale);
                for i in 0..PARAMS {
                    let g = grads[i];
                    let m = self.m[i].mul_add(b1, one_minus_b1 * g);
                    let v = self.v[i].mul_add(b2, one_minus_b2 * g * g);
                    self.m[i] = m;
                    self.v[i] = v;
                    let denom = v.sqrt().mul_add(v_scale, eps);
                    params[i] = (neg_step * m / denom) + params[i];
                }
            }
        }
    }
}
