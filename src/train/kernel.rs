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

/// Running sums over data points of `|r|`, `s`, `s·f`, `s·f'` and `s·f'·x`,
/// where `r` is the residual and `s = sign(r)`.
#[derive(Clone, Copy)]
struct Sums<L> {
    abs_residual: L,
    s: L,
    s_f: L,
    s_slope: L,
    s_slope_x: L,
}

/// A data point's first stage: `z = a·x + b` and the first half of the
/// activation.
#[inline(always)]
fn begin<L: Lane>(activation: Activation, a: L, b: L, x: L::Elem) -> (L, (L, L)) {
    let z = a.mul_add(L::splat(x), b);
    (z, activation.begin_lanes(z))
}

/// A data point's second stage: `(f(z), f'(z))`.
#[inline(always)]
fn finish<L: Lane>(activation: Activation, (z, partial): (L, (L, L))) -> (L, L) {
    activation.finish_lanes(z, partial)
}

/// Adds one data point `(x, t)`, given its activation, to the sums.
#[inline(always)]
fn accumulate<L: Lane>(sums: &mut Sums<L>, (f, slope): (L, L), c: L, d: L, x: L::Elem, t: L::Elem) {
    let residual = c.mul_add(f, d) - L::splat(t);
    let s = residual.sign();
    sums.abs_residual = sums.abs_residual + residual.abs();
    sums.s = sums.s + s;
    sums.s_f = s.mul_add(f, sums.s_f);
    let s_slope = s * slope;
    sums.s_slope = sums.s_slope + s_slope;
    sums.s_slope_x = s_slope.mul_add(L::splat(x), sums.s_slope_x);
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
    let mut sums = Sums {
        abs_residual: zero,
        s: zero,
        s_f: zero,
        s_slope: zero,
        s_slope_x: zero,
    };
    // Software-pipelined over three points: point i + 2 begins its
    // activation, point i + 1 finishes it and point i is summed, so each
    // stage's inputs are long ready when it issues. A point's whole chain is
    // too long for the out-of-order window to overlap on its own. The sums
    // still run in data order: the results are the plain loop's, bit for bit.
    let n_points = xs.len();
    let point = |i: usize| (xs[i], targets[i]);
    if n_points == 1 {
        let finished = finish(activation, begin(activation, a, b, xs[0]));
        let (x, t) = point(0);
        accumulate(&mut sums, finished, c, d, x, t);
    } else if n_points >= 2 {
        let mut finished = finish(activation, begin(activation, a, b, xs[0]));
        let mut begun = begin(activation, a, b, xs[1]);
        for (i, &x) in xs.iter().enumerate().skip(2) {
            let next_begun = begin(activation, a, b, x);
            let next_finished = finish(activation, begun);
            let (x, t) = point(i - 2);
            accumulate(&mut sums, finished, c, d, x, t);
            begun = next_begun;
            finished = next_finished;
        }
        let (x, t) = point(n_points - 2);
        accumulate(&mut sums, finished, c, d, x, t);
        let (x, t) = point(n_points - 1);
        accumulate(&mut sums, finish(activation, begun), c, d, x, t);
    }
    let n = L::constant(xs.len() as f64);
    // dL/da = c·mean(s·f'·x), dL/db = c·mean(s·f'), dL/dc = mean(s·f), dL/dd = mean(s)
    let grads = [
        c * (sums.s_slope_x / n),
        c * (sums.s_slope / n),
        sums.s_f / n,
        sums.s / n,
    ];
    (sums.abs_residual / n, grads)
}

/// Trains one model per lane from `starts` for `cfg.steps` steps, with
/// the activation `Activation::ALL[ACTIVATION]`.
///
/// The activation is a constant so that each copy of the loop holds only
/// its own arithmetic and keeps everything in registers; `train::dispatch`
/// picks the copy once per call.
#[inline(always)]
pub fn train_lanes<L: Lane, const ACTIVATION: usize>(
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
