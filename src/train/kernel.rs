//! The training kernel: `L::WIDTH` models `g(x) = c·f(a·x + b) + d`, one per lane,
//! trained together by full-batch (or minibatch) L1 descent.
//!
//! All models of a call share the activation, the settings and the data, so
//! each x is a broadcast and the four gradient sums stay inside their lane.
//! Data points are summed in order, one at a time, so a model's arithmetic
//! never depends on its neighbours or on the lane type.

use super::config::TrainConfig;
use super::optimizer::{OptimizerState, PARAMS};
use super::prefix::{self, Pieces, PrefixData};
use crate::problem::activation::{Activation, ActivationKind};
use crate::problem::data::TrainingData;
use crate::simd::lane::MAX_WIDTH;
use crate::simd::{Lane, Real};
use std::marker::PhantomData;

/// What the kernel leaves for each lane.
pub struct LaneOutcome<L> {
    /// Parameters `a, b, c, d` after the last step.
    pub final_params: [L; PARAMS],
    /// Training loss of the final parameters (on the last step's batch).
    pub final_loss: L,
    /// Of the last `window` parameter values, the one with the lowest
    /// training loss (the latest of equals; NaN counts as +infinity).
    pub settled_params: [L; PARAMS],
    /// The training loss of the settled parameters.
    pub settled_loss: L,
    /// Per lane, the step of the settled parameters.
    pub settled_step: Vec<u32>,
    /// Per lane, the mean training loss over steps 0 to `steps`.
    pub mean_loss: Vec<f64>,
    /// Per lane, the step after the last excursion above the threshold that
    /// started at step 0 or lasted `window` steps or more (0 = from the
    /// start); `None` if that excursion runs to the end.
    pub converged_at: Vec<Option<u32>>,
}

/// What the kernel watches besides the parameters: the loss threshold of
/// convergence and the window of the settled rule.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tracking<T> {
    pub converged_loss: T,
    /// 1 to `classify::MAX_WINDOW`.
    pub window: u32,
}

/// Receives `(step, loss, params)` of every lane for step 0 (the start) to
/// `steps`, where `loss` is the training loss of those parameters.
pub trait StepObserver {
    fn observe<L: Lane>(&mut self, step: u32, loss: &L, params: &[L; PARAMS]);
}

/// Observes nothing; compiles away.
pub struct NoObserver;

impl StepObserver for NoObserver {
    #[inline(always)]
    fn observe<L: Lane>(&mut self, _: u32, _: &L, _: &[L; PARAMS]) {}
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

/// How a step's loss and gradient are computed for every lane: by the
/// direct kernel ([`Direct`]) or by the shortcut for linear pieces
/// ([`Prefix`]).
pub(crate) trait Gradient<L: Lane> {
    /// Loss and gradient of `params` on the batch of `step` (1-based).
    fn at(&self, step: u32, params: &[L; PARAMS]) -> (L, [L; PARAMS]);
}

/// The direct kernel: every point of the batch, for the activation `K`.
///
/// The activation is a constant so that each copy of the loop holds only
/// its own arithmetic and keeps everything in registers; `train::dispatch`
/// picks the copy once per call.
pub(crate) struct Direct<'a, T, K> {
    pub data: &'a TrainingData<T>,
    pub kind: PhantomData<K>,
}

impl<L: Lane, K: ActivationKind> Gradient<L> for Direct<'_, L::Elem, K> {
    #[inline(always)]
    fn at(&self, step: u32, params: &[L; PARAMS]) -> (L, [L; PARAMS]) {
        let (xs, targets) = self.data.batch(step);
        loss_and_gradient(K::ACTIVATION, params, xs, targets)
    }
}

/// The shortcut for linear pieces (`train::prefix`), one lane at a time:
/// each model's arithmetic is its own, whatever the lane type.
pub(crate) struct Prefix<'a, T> {
    pub data: &'a PrefixData<'a, T>,
    pub pieces: Pieces,
}

impl<L: Lane> Gradient<L> for Prefix<'_, L::Elem> {
    #[inline(always)]
    fn at(&self, step: u32, params: &[L; PARAMS]) -> (L, [L; PARAMS]) {
        let batch = self.data.batch(step);
        let mut values = [[L::Elem::zero(); MAX_WIDTH]; PARAMS];
        for (p, out) in params.iter().zip(&mut values) {
            p.store(out);
        }
        let mut losses = [L::Elem::zero(); MAX_WIDTH];
        let mut grads = [[L::Elem::zero(); MAX_WIDTH]; PARAMS];
        for lane in 0..L::WIDTH {
            let model: [L::Elem; PARAMS] = std::array::from_fn(|p| values[p][lane]);
            let split = prefix::split(&batch, model[0], model[1]);
            let (loss, grad) = prefix::loss_and_gradient(self.pieces, &batch, model, split);
            losses[lane] = loss;
            for (g, out) in grad.iter().zip(&mut grads) {
                out[lane] = *g;
            }
        }
        (L::load(&losses), grads.map(|g| L::load(&g)))
    }
}

/// Trains one model per lane from `starts` for `cfg.steps` steps, each
/// step's loss and gradient from `gradient`.
#[inline(always)]
pub(crate) fn train_lanes<L: Lane>(
    cfg: &TrainConfig,
    gradient: &impl Gradient<L>,
    starts: [L; PARAMS],
    tracking: Tracking<L::Elem>,
    observer: &mut impl StepObserver,
) -> LaneOutcome<L> {
    let mut params = starts;
    let mut optimizer = OptimizerState::<L>::new(cfg);
    let mut settled = Settled::new(cfg.steps, tracking.window, &params);
    let mut losses = LossHistory::new(L::WIDTH, tracking);
    for step in 1..=cfg.steps {
        let (loss, grads) = gradient.at(step, &params);
        settled.observe(step - 1, loss, &params);
        losses.observe(step - 1, loss);
        observer.observe(step - 1, &loss, &params);
        optimizer.update(step, &mut params, &grads);
    }
    let (final_loss, _) = gradient.at(cfg.steps, &params);
    settled.observe(cfg.steps, final_loss, &params);
    losses.observe(cfg.steps, final_loss);
    observer.observe(cfg.steps, &final_loss, &params);
    let (mean_loss, converged_at) = losses.finish(cfg.steps);
    LaneOutcome {
        final_params: params,
        final_loss,
        settled_params: settled.params,
        settled_loss: settled.loss,
        settled_step: settled.steps(),
        mean_loss,
        converged_at,
    }
}

/// The settled rule, online: from the first step of the window on, each
/// step's parameters replace the best so far unless their loss is higher.
/// All in lane selects, so it costs a few vector operations per step and
/// is the same on every instruction set.
struct Settled<L> {
    /// First step of the window.
    first: u32,
    /// Best loss so far with NaN as +infinity: the comparison key.
    key: L,
    loss: L,
    params: [L; PARAMS],
    /// Steps after `first`, in the training precision (exact: the window
    /// is at most 2^24 steps).
    offset: L,
}

impl<L: Lane> Settled<L> {
    #[inline(always)]
    fn new(steps: u32, window: u32, start: &[L; PARAMS]) -> Self {
        let infinity = L::constant(f64::INFINITY);
        Settled {
            first: (steps + 1).saturating_sub(window),
            key: infinity,
            loss: infinity,
            params: *start,
            offset: L::constant(0.0),
        }
    }

    #[inline(always)]
    fn observe(&mut self, step: u32, loss: L, params: &[L; PARAMS]) {
        if step < self.first {
            return;
        }
        let key = loss.min(L::constant(f64::INFINITY));
        let best_key = self.key;
        // Keep the best only where this step's loss is strictly higher:
        // equals go to the later step.
        let keep = |best: L, new: L| key.select_gt(best_key, best, new);
        for (best, new) in self.params.iter_mut().zip(params) {
            *best = keep(*best, *new);
        }
        self.loss = keep(self.loss, loss);
        self.offset = keep(self.offset, L::constant(f64::from(step - self.first)));
        self.key = keep(self.key, key);
    }

    fn steps(&self) -> Vec<u32> {
        let mut offsets = [L::Elem::zero(); MAX_WIDTH];
        self.offset.store(&mut offsets);
        offsets[..L::WIDTH]
            .iter()
            .map(|o| self.first + o.to_f64() as u32)
            .collect()
    }
}

/// Per lane, what needs each step's loss as a number: its sum in `f64`
/// (for the mean) and the excursions above the convergence threshold.
struct LossHistory<T> {
    threshold: T,
    window: u32,
    sums: Vec<f64>,
    excursions: Vec<Excursions>,
}

impl<T: Real> LossHistory<T> {
    fn new(width: usize, tracking: Tracking<T>) -> Self {
        LossHistory {
            threshold: tracking.converged_loss,
            window: tracking.window,
            sums: vec![0.0; width],
            excursions: vec![Excursions::default(); width],
        }
    }

    #[inline(always)]
    fn observe<L: Lane<Elem = T>>(&mut self, step: u32, loss: L) {
        let mut values = [T::zero(); MAX_WIDTH];
        loss.store(&mut values);
        for ((sum, excursions), &value) in
            self.sums.iter_mut().zip(&mut self.excursions).zip(&values)
        {
            *sum += value.to_f64();
            // NaN is not below: it extends an excursion.
            excursions.observe(step, value < self.threshold, self.window);
        }
    }

    fn finish(self, steps: u32) -> (Vec<f64>, Vec<Option<u32>>) {
        let count = f64::from(steps) + 1.0;
        let means = self.sums.iter().map(|s| s / count).collect();
        let converged_at = self
            .excursions
            .iter()
            .map(|e| e.converged_at(steps, self.window))
            .collect();
        (means, converged_at)
    }
}

/// One lane's excursions: maximal runs of steps whose loss is not below the
/// threshold. Those that start at step 0 or last `window` steps or more
/// count; shorter ones (Adam's oscillation bursts) are ignored.
#[derive(Clone, Copy, Debug, Default)]
struct Excursions {
    /// Start of the excursion under way, if any.
    open: Option<u32>,
    /// The step after the last counted excursion (0 if none).
    after_last: u32,
}

impl Excursions {
    #[inline(always)]
    fn observe(&mut self, step: u32, below: bool, window: u32) {
        match (self.open, below) {
            (None, false) => self.open = Some(step),
            (Some(start), true) => {
                if start == 0 || step - start >= window {
                    self.after_last = step;
                }
                self.open = None;
            }
            _ => {}
        }
    }

    fn converged_at(&self, steps: u32, window: u32) -> Option<u32> {
        match self.open {
            Some(start) if start == 0 || steps + 1 - start >= window => None,
            _ => Some(self.after_last),
        }
    }
}
