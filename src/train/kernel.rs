//! The training kernel: `L::WIDTH` models `g(x) = c·f(a·x + b) + d`, one per lane,
//! trained together by full-batch (or minibatch) L1 descent.
//!
//! All models of a call share the activation, the settings and the data, so
//! each x is a broadcast and the four gradient sums stay inside their lane.
//! Data points are summed in order, one at a time, so a model's arithmetic
//! never depends on its neighbours or on the lane type.

use super::config::TrainConfig;
use super::optimizer::{OptimizerState, PARAMS};
use crate::problem::activation::Activation;
use crate::problem::data::TrainingData;
use crate::simd::lane::MAX_WIDTH;
use crate::simd::{Lane, Real};

/// What the kernel leaves for each lane.
pub struct LaneOutcome<L> {
    /// Parameters `a, b, c, d` after the last step.
    pub params: [L; PARAMS],
    /// Training loss of the final parameters (on the last step's batch).
    pub final_loss: L,
    /// Per lane, the first step from which the training loss stayed below
    /// the threshold to the end (0 = from the start); `None` if it ended above.
    pub converged_at: Vec<Option<u32>>,
}

/// Receives `(step, loss, params)` for step 0 (the start) to `steps`, where
/// `loss` is the training loss of those parameters.
pub trait StepObserver<L> {
    fn observe(&mut self, step: u32, loss: &L, params: &[L; PARAMS]);
}

/// Observes nothing; compiles away.
pub struct NoObserver;

impl<L> StepObserver<L> for NoObserver {
    #[inline(always)]
    fn observe(&mut self, _: u32, _: &L, _: &[L; PARAMS]) {}
}

/// Mean absolute error and its gradient with respect to `a, b, c, d`.
#[inline(always)]
pub fn loss_and_gradient<L: Lane>(
    activation: Activation,
    params: &[L; PARAMS],
    xs: &[L::Elem],
    targets: &[L::Elem],
) -> (L, [L; PARAMS]) {
    let [a, b, c, d] = *params;
    let zero = L::constant(0.0);
    let (mut abs_sum, mut sum_s, mut sum_sf, mut sum_sfp, mut sum_sfpx) =
        (zero, zero, zero, zero, zero);
    for (&x, &t) in xs.iter().zip(targets) {
        let x = L::splat(x);
        let z = a.mul_add(x, b);
        let (f, slope) = activation.eval_lanes(z);
        let residual = c.mul_add(f, d) - L::splat(t);
        let s = residual.sign();
        abs_sum = abs_sum + residual.abs();
        sum_s = sum_s + s;
        sum_sf = s.mul_add(f, sum_sf);
        let s_slope = s * slope;
        sum_sfp = sum_sfp + s_slope;
        sum_sfpx = s_slope.mul_add(x, sum_sfpx);
    }
    let n = L::constant(xs.len() as f64);
    // dL/da = c·mean(s·f'·x), dL/db = c·mean(s·f'), dL/dc = mean(s·f), dL/dd = mean(s)
    let grads = [c * (sum_sfpx / n), c * (sum_sfp / n), sum_sf / n, sum_s / n];
    (abs_sum / n, grads)
}

/// Trains one model per lane from `starts` for `cfg.steps` steps.
#[inline(always)]
pub fn train_lanes<L: Lane>(
    activation: Activation,
    cfg: &TrainConfig,
    data: &TrainingData<L::Elem>,
    starts: [L; PARAMS],
    converged_loss: L::Elem,
    observer: &mut impl StepObserver<L>,
) -> LaneOutcome<L> {
    // One copy of the loop per activation, chosen once here: with the
    // activation a constant, each inner loop holds only its own arithmetic
    // and keeps everything in registers.
    macro_rules! per_activation {
        ($($index:literal),*) => {
            match activation.index() {
                $($index => train_lanes_for::<L, $index>(cfg, data, starts, converged_loss, observer),)*
                _ => unreachable!("{} activations", Activation::ALL.len()),
            }
        };
    }
    per_activation!(0, 1, 2, 3, 4, 5, 6, 7)
}

/// [`train_lanes`] for the activation `Activation::ALL[ACTIVATION]`.
#[inline(always)]
fn train_lanes_for<L: Lane, const ACTIVATION: usize>(
    cfg: &TrainConfig,
    data: &TrainingData<L::Elem>,
    starts: [L; PARAMS],
    converged_loss: L::Elem,
    observer: &mut impl StepObserver<L>,
) -> LaneOutcome<L> {
    let activation = Activation::ALL[ACTIVATION];
    let mut params = starts;
    let mut optimizer = OptimizerState::<L>::new(cfg);
    // Per lane, the last step whose loss was not below the threshold.
    let mut last_above: Vec<Option<u32>> = vec![None; L::WIDTH];
    let threshold = L::splat(converged_loss);
    let mut note_loss = |step: u32, loss: &L| {
        // 1 where the loss is below the threshold, 0 where not (or NaN).
        let mut below = [L::Elem::zero(); MAX_WIDTH];
        threshold
            .select_gt(*loss, L::constant(1.0), L::constant(0.0))
            .store(&mut below);
        for (above, &below) in last_above.iter_mut().zip(&below) {
            if below == L::Elem::zero() {
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
    let converged_at = last_above
        .into_iter()
        .map(|above| match above {
            None => Some(0),
            Some(step) if step == cfg.steps => None,
            Some(step) => Some(step + 1),
        })
        .collect();
    LaneOutcome {
        params,
        final_loss,
        converged_at,
    }
}
