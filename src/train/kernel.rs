//! The training kernel: `W` models `g(x) = c·f(a·x + b) + d`, one per lane,
//! trained together by full-batch (or minibatch) L1 descent.
//!
//! All models of a call share the activation, the settings and the data, so
//! each x is a broadcast and the four gradient sums stay inside their lane.
//! Data points are summed in order, one at a time, so a model's arithmetic
//! never depends on its neighbours or on `W`.

use super::config::TrainConfig;
use super::optimizer::{OptimizerState, PARAMS};
use crate::problem::activation::Activation;
use crate::problem::data::TrainingData;
use crate::simd::{Lanes, Real};

/// What the kernel leaves for each lane.
pub struct LaneOutcome<T, const W: usize> {
    /// Parameters `a, b, c, d` after the last step.
    pub params: [Lanes<T, W>; PARAMS],
    /// Training loss of the final parameters (on the last step's batch).
    pub final_loss: Lanes<T, W>,
    /// Number of the first step from which the training loss stayed below
    /// the threshold to the end (0 = from the start); `None` if it ended above.
    pub converged_at: [Option<u32>; W],
}

/// Receives `(step, loss, params)` for step 0 (the start) to `steps`, where
/// `loss` is the training loss of those parameters.
pub trait StepObserver<T, const W: usize> {
    fn observe(&mut self, step: u32, loss: &Lanes<T, W>, params: &[Lanes<T, W>; PARAMS]);
}

/// Observes nothing; compiles away.
pub struct NoObserver;

impl<T, const W: usize> StepObserver<T, W> for NoObserver {
    #[inline(always)]
    fn observe(&mut self, _: u32, _: &Lanes<T, W>, _: &[Lanes<T, W>; PARAMS]) {}
}

/// Mean absolute error and its gradient with respect to `a, b, c, d`.
#[inline(always)]
pub fn loss_and_gradient<T: Real, const W: usize>(
    activation: Activation,
    params: &[Lanes<T, W>; PARAMS],
    xs: &[T],
    targets: &[T],
) -> (Lanes<T, W>, [Lanes<T, W>; PARAMS]) {
    let [a, b, c, d] = *params;
    let zero = Lanes::splat(T::zero());
    let (mut abs_sum, mut sum_s, mut sum_sf, mut sum_sfp, mut sum_sfpx) = (zero, zero, zero, zero, zero);
    for (&x, &t) in xs.iter().zip(targets) {
        let x = Lanes::splat(x);
        let z = a.mul_add(x, b);
        let (f, slope) = activation.eval_lanes(z);
        let residual = c.mul_add(f, d) - Lanes::splat(t);
        let s = residual.sign();
        abs_sum = abs_sum + residual.abs();
        sum_s = sum_s + s;
        sum_sf = s.mul_add(f, sum_sf);
        let s_slope = s * slope;
        sum_sfp = sum_sfp + s_slope;
        sum_sfpx = s_slope.mul_add(x, sum_sfpx);
    }
    let n = Lanes::splat(T::from_f64(xs.len() as f64));
    // dL/da = c·mean(s·f'·x), dL/db = c·mean(s·f'), dL/dc = mean(s·f), dL/dd = mean(s)
    let grads = [c * (sum_sfpx / n), c * (sum_sfp / n), sum_sf / n, sum_s / n];
    (abs_sum / n, grads)
}

/// Trains `W` models from `starts` for `cfg.steps` steps.
#[inline(always)]
pub fn train_lanes<T: Real, const W: usize>(
    activation: Activation,
    cfg: &TrainConfig,
    data: &TrainingData<T>,
    starts: [Lanes<T, W>; PARAMS],
    converged_loss: T,
    observer: &mut impl StepObserver<T, W>,
) -> LaneOutcome<T, W> {
    let mut params = starts;
    let mut optimizer = OptimizerState::<T, W>::new(cfg);
    // Last step whose loss was not below the threshold (None: none yet).
    let mut last_above: [Option<u32>; W] = [None; W];
    let mut note_loss = |step: u32, loss: &Lanes<T, W>| {
        for (lane, above) in last_above.iter_mut().enumerate() {
            if !(loss.0[lane] < converged_loss) {
                *above = Some(step);
            }
        }
    };
    for step in 1..=cfg.steps {
        let (xs, targets) = data.batch(step);
        let (loss, grads) = loss_and_gradient(activation, &params, xs, targets);
        note_loss(step - 1, &loss);
        observer.observe(step - 1, &loss, &params);
        optimizer.update(step, &mut params, &grads);
    }
    let (xs, targets) = data.batch(cfg.steps);
    let (final_loss, _) = loss_and_gradient(activation, &params, xs, targets);
    note_loss(cfg.steps, &final_loss);
    observer.observe(cfg.steps, &final_loss, &params);
    let converged_at = last_above.map(|above| match above {
        None => Some(0),
        Some(step) if step == cfg.steps => None,
        Some(step) => Some(step + 1),
    });
    LaneOutcome {
        params,
        final_loss,
        converged_at,
    }
}
