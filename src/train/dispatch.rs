//! Training many models at once: the activation becomes a type
//! ([`Activation::dispatch`]), the lanes the widest the CPU has
//! ([`Isa::dispatch`]), and [`TrainGroups`], the one generic entry point,
//! trains the starts a lane group at a time. Sweeps run it on an instruction
//! set; a single observed run on one scalar lane.
//!
//! Every lane type performs the same IEEE operations per lane, so the choice
//! changes speed only, never a result bit (tested in
//! `tests/integration/kernel.rs`).

use super::config::{Kernel, TrainConfig};
use super::kernel::{
    Direct, Gradient, LaneOutcome, NoObserver, Prefix, StepObserver, Tracking, train_lanes,
};
use super::optimizer::PARAMS;
use super::prefix::{Pieces, PrefixData};
use crate::problem::activation::{Activation, ActivationKind, WithActivation};
use crate::problem::data::TrainingData;
pub use crate::simd::Isa;
use crate::simd::lane::MAX_WIDTH;
use crate::simd::{Lane, Real, WithLanes, dispatch};
use std::marker::PhantomData;

/// How one model ended, in its training precision.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ModelEnd<T> {
    /// Parameters after the last step.
    pub final_params: [T; PARAMS],
    pub final_loss: T,
    /// The settled parameters: the lowest-loss of the last `window`.
    pub settled_params: [T; PARAMS],
    pub settled_loss: T,
    pub settled_step: u32,
    /// Mean training loss over steps 0 to `steps`.
    pub mean_loss: f64,
    pub converged_at: Option<u32>,
}

/// One kernel call: on which instruction set, with which activation and
/// settings, on what data, from which starts.
pub struct KernelCall<'a, T> {
    pub isa: Isa,
    pub activation: Activation,
    pub cfg: &'a TrainConfig,
    pub data: &'a TrainingData<T>,
    pub starts: &'a [[f64; PARAMS]],
    pub tracking: Tracking<f64>,
}

/// A precision the kernel is compiled for. Implemented for `f32` and `f64`
/// here, so the kernel's copies (instruction set × activation) are compiled
/// once, in this crate, and generic callers elsewhere (tests, benchmarks)
/// link to them instead of compiling them again.
pub trait KernelPrecision: Real {
    fn train(call: KernelCall<'_, Self>) -> Vec<ModelEnd<Self>>;
}

macro_rules! kernel_precision {
    ($($t:ty),*) => {$(
        impl KernelPrecision for $t {
            fn train(call: KernelCall<'_, Self>) -> Vec<ModelEnd<Self>> {
                let mut observer = NoObserver;
                let groups =
                    TrainGroups::new(call.cfg, call.data, call.starts, call.tracking, &mut observer);
                call.activation.dispatch(ForActivation { groups, lanes: call.isa })
            }
        }
    )*};
}

kernel_precision!(f32, f64);

/// Trains one model per start, a lane group at a time, on the best
/// instruction set.
pub fn train_models<T: KernelPrecision>(
    activation: Activation,
    cfg: &TrainConfig,
    data: &TrainingData<T>,
    starts: &[[f64; PARAMS]],
    tracking: Tracking<f64>,
) -> Vec<ModelEnd<T>> {
    train_models_on(Isa::detect(), activation, cfg, data, starts, tracking)
}

/// As [`train_models`], on a given instruction set.
///
/// # Panics
/// If this CPU lacks `isa` (see [`Isa::available`]).
pub fn train_models_on<T: KernelPrecision>(
    isa: Isa,
    activation: Activation,
    cfg: &TrainConfig,
    data: &TrainingData<T>,
    starts: &[[f64; PARAMS]],
    tracking: Tracking<f64>,
) -> Vec<ModelEnd<T>> {
    T::train(KernelCall {
        isa,
        activation,
        cfg,
        data,
        starts,
        tracking,
    })
}

/// Trains one model on one scalar lane and shows every step to `observer`.
/// Bit for bit the model a sweep trains from the same start.
pub fn train_observed<T: Real>(
    activation: Activation,
    cfg: &TrainConfig,
    data: &TrainingData<T>,
    start: [f64; PARAMS],
    tracking: Tracking<f64>,
    observer: &mut impl StepObserver,
) -> ModelEnd<T> {
    let starts = [start];
    let groups = TrainGroups::new(cfg, data, &starts, tracking, observer);
    activation.dispatch(ForActivation {
        groups,
        lanes: Scalar,
    })[0]
}

/// The one training entry point: every lane group of `starts`, with
/// `observer` watching, for the activation `K` and any lane type.
pub struct TrainGroups<'a, T, O> {
    cfg: &'a TrainConfig,
    data: &'a TrainingData<T>,
    starts: &'a [[f64; PARAMS]],
    tracking: Tracking<T>,
    observer: &'a mut O,
}

impl<'a, T: Real, O: StepObserver> TrainGroups<'a, T, O> {
    pub fn new(
        cfg: &'a TrainConfig,
        data: &'a TrainingData<T>,
        starts: &'a [[f64; PARAMS]],
        tracking: Tracking<f64>,
        observer: &'a mut O,
    ) -> Self {
        TrainGroups {
            cfg,
            data,
            starts,
            tracking: Tracking {
                converged_loss: T::from_f64(tracking.converged_loss),
                window: tracking.window,
            },
            observer,
        }
    }
}

/// [`TrainGroups`] with its activation fixed as a type.
struct WithKind<'a, T, O, K> {
    groups: TrainGroups<'a, T, O>,
    kind: PhantomData<K>,
}

impl<T: Real, O: StepObserver, K: ActivationKind> WithLanes for WithKind<'_, T, O, K> {
    type Elem = T;
    type Output = Vec<ModelEnd<T>>;
    const PAIRED: bool = paired_registers(K::ACTIVATION);

    #[inline(always)]
    fn with_lanes<L: Lane<Elem = T>>(self) -> Vec<ModelEnd<T>> {
        let TrainGroups {
            cfg,
            data,
            starts,
            tracking,
            observer,
        } = self.groups;
        let pieces = match cfg.kernel {
            Kernel::Direct => None,
            Kernel::Auto => Pieces::of::<T>(K::ACTIVATION),
        };
        match pieces {
            None => {
                let direct = Direct::<T, K> {
                    data,
                    kind: PhantomData,
                };
                train_chunks::<L>(cfg, &direct, starts, tracking, observer)
            }
            Some(pieces) => {
                let data = PrefixData::new(data);
                let prefix = Prefix::<T> {
                    data: &data,
                    pieces,
                };
                train_chunks::<L>(cfg, &prefix, starts, tracking, observer)
            }
        }
    }
}

/// Whether the activation's kernel runs on two AVX-512 registers per lane
/// group or one; measured (`basinmap bench --precision f32 --models 4096
/// --steps 2000 --threads 1`, 1024 points): one register is faster for elu
/// (1.13×), selu (1.06×) and gelu (1.15×), whose long or branchy chains
/// spill with two; two are faster for softplus (1.04×), silu and tanh
/// (1.06×); relu and leaky_relu do not care.
const fn paired_registers(activation: Activation) -> bool {
    !matches!(
        activation,
        Activation::Elu | Activation::Selu | Activation::Gelu
    )
}

/// Trains `starts` a lane group at a time.
#[inline(always)]
fn train_chunks<L: Lane>(
    cfg: &TrainConfig,
    gradient: &impl Gradient<L>,
    starts: &[[f64; PARAMS]],
    tracking: Tracking<L::Elem>,
    observer: &mut impl StepObserver,
) -> Vec<ModelEnd<L::Elem>> {
    let mut ends = Vec::with_capacity(starts.len());
    for chunk in starts.chunks(L::WIDTH) {
        // Idle lanes repeat the first start; their results are dropped.
        let lanes = pack_starts::<L>(chunk);
        let out = train_lanes(cfg, gradient, lanes, tracking, observer);
        ends.extend(unpack(&out, chunk.len()));
    }
    ends
}

/// Where a kernel call's lanes come from: an instruction set, or one scalar
/// lane. A type, so each caller compiles only the path it takes.
trait LaneChoice {
    fn run<Op: WithLanes>(self, op: Op) -> Op::Output;
}

impl LaneChoice for Isa {
    #[inline(always)]
    fn run<Op: WithLanes>(self, op: Op) -> Op::Output {
        self.dispatch(op)
    }
}

/// One lane of portable arrays.
struct Scalar;

impl LaneChoice for Scalar {
    #[inline(always)]
    fn run<Op: WithLanes>(self, op: Op) -> Op::Output {
        dispatch::scalar(op)
    }
}

/// Picks the lanes once the activation is a type: one compiled function per
/// activation, instruction set and precision, each register-allocated on
/// its own.
struct ForActivation<'a, T, O, C> {
    groups: TrainGroups<'a, T, O>,
    lanes: C,
}

impl<T: Real, O: StepObserver, C: LaneChoice> WithActivation for ForActivation<'_, T, O, C> {
    type Output = Vec<ModelEnd<T>>;

    #[inline(always)]
    fn with_activation<K: ActivationKind>(self) -> Vec<ModelEnd<T>> {
        self.lanes.run(WithKind::<T, O, K> {
            groups: self.groups,
            kind: PhantomData,
        })
    }
}

fn pack_starts<L: Lane>(chunk: &[[f64; PARAMS]]) -> [L; PARAMS] {
    std::array::from_fn(|p| {
        let mut values = [L::Elem::default(); MAX_WIDTH];
        for (lane, value) in values[..L::WIDTH].iter_mut().enumerate() {
            *value = L::Elem::from_f64(chunk.get(lane).unwrap_or(&chunk[0])[p]);
        }
        L::load(&values)
    })
}

fn unpack<L: Lane>(out: &LaneOutcome<L>, models: usize) -> Vec<ModelEnd<L::Elem>> {
    let lanes = |v: &L| {
        let mut values = [L::Elem::default(); MAX_WIDTH];
        v.store(&mut values);
        values
    };
    let final_params = out.final_params.each_ref().map(lanes);
    let settled_params = out.settled_params.each_ref().map(lanes);
    let final_loss = lanes(&out.final_loss);
    let settled_loss = lanes(&out.settled_loss);
    (0..models)
        .map(|lane| ModelEnd {
            final_params: std::array::from_fn(|p| final_params[p][lane]),
            final_loss: final_loss[lane],
            settled_params: std::array::from_fn(|p| settled_params[p][lane]),
            settled_loss: settled_loss[lane],
            settled_step: out.settled_step[lane],
            mean_loss: out.mean_loss[lane],
            converged_at: out.converged_at[lane],
        })
        .collect()
}
