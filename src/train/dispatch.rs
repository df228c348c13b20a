//! Runtime CPU-feature dispatch: the one generic kernel compiled for
//! AVX-512, AVX2+FMA and the portable baseline, chosen at run time so users
//! never set RUSTFLAGS.
//!
//! Every variant performs the same IEEE operations per lane, so the choice
//! changes speed only, never a result bit (tested in `tests/kernel.rs`).

use super::config::TrainConfig;
use super::kernel::{LaneOutcome, NoObserver, StepObserver, Tracking, train_lanes};
use super::optimizer::PARAMS;
use crate::problem::activation::Activation;
use crate::problem::data::TrainingData;
use crate::simd::lane::MAX_WIDTH;
use crate::simd::{Lane, Lanes, Real};

/// The instruction set a kernel call runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Isa {
    Avx512,
    Avx2Fma,
    Portable,
}

impl Isa {
    /// The best instruction set this CPU supports.
    pub fn detect() -> Isa {
        #[cfg(target_arch = "x86_64")]
        {
            if std::is_x86_feature_detected!("avx512f") && std::is_x86_feature_detected!("avx512dq")
            {
                return Isa::Avx512;
            }
            if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
                return Isa::Avx2Fma;
            }
        }
        Isa::Portable
    }

    /// Every instruction set this CPU can run (for tests and benchmarks).
    pub fn available() -> Vec<Isa> {
        let best = Isa::detect();
        [Isa::Avx512, Isa::Avx2Fma, Isa::Portable]
            .into_iter()
            .skip_while(|&isa| isa != best)
            .collect()
    }

    pub fn name(self) -> &'static str {
        match self {
            Isa::Avx512 => "avx512",
            Isa::Avx2Fma => "avx2+fma",
            Isa::Portable => "portable",
        }
    }
}

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

/// A precision the kernel is compiled for. Implemented for `f32` and `f64`
/// here, so the kernel's copies (instruction set × activation) are compiled
/// once, in this crate, and generic callers elsewhere (tests, benchmarks)
/// link to them instead of compiling them again.
pub trait KernelPrecision: Real {
    fn train_models_on(
        isa: Isa,
        activation: Activation,
        cfg: &TrainConfig,
        data: &TrainingData<Self>,
        starts: &[[f64; PARAMS]],
        tracking: Tracking<f64>,
    ) -> Vec<ModelEnd<Self>>;
}

macro_rules! kernel_precision {
    ($($t:ty),*) => {$(
        impl KernelPrecision for $t {
            fn train_models_on(
                isa: Isa,
                activation: Activation,
                cfg: &TrainConfig,
                data: &TrainingData<Self>,
                starts: &[[f64; PARAMS]],
                tracking: Tracking<f64>,
            ) -> Vec<ModelEnd<Self>> {
                compiled_train_models_on(isa, activation, cfg, data, starts, tracking)
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
    T::train_models_on(Isa::detect(), activation, cfg, data, starts, tracking)
}

/// As [`train_models`], on a given instruction set (which must be available).
pub fn train_models_on<T: KernelPrecision>(
    isa: Isa,
    activation: Activation,
    cfg: &TrainConfig,
    data: &TrainingData<T>,
    starts: &[[f64; PARAMS]],
    tracking: Tracking<f64>,
) -> Vec<ModelEnd<T>> {
    T::train_models_on(isa, activation, cfg, data, starts, tracking)
}

fn compiled_train_models_on<T: Real>(
    isa: Isa,
    activation: Activation,
    cfg: &TrainConfig,
    data: &TrainingData<T>,
    starts: &[[f64; PARAMS]],
    tracking: Tracking<f64>,
) -> Vec<ModelEnd<T>> {
    assert!(
        Isa::available().contains(&isa),
        "{} is not available",
        isa.name()
    );
    let args = (cfg, data, starts, in_precision(tracking));
    // One function per instruction set, precision and activation: each is
    // compiled (and register-allocated) on its own.
    macro_rules! per_activation {
        ($run:ident) => {
            match activation.index() {
                0 => $run::<T, 0>(args),
                1 => $run::<T, 1>(args),
                2 => $run::<T, 2>(args),
                3 => $run::<T, 3>(args),
                4 => $run::<T, 4>(args),
                5 => $run::<T, 5>(args),
                6 => $run::<T, 6>(args),
                7 => $run::<T, 7>(args),
                _ => unreachable!("{} activations", Activation::ALL.len()),
            }
        };
    }
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `isa` was checked to be available on this CPU just above.
    unsafe {
        match isa {
            Isa::Avx512 => return per_activation!(groups_avx512),
            Isa::Avx2Fma => return per_activation!(groups_avx2),
            Isa::Portable => {}
        }
    }
    per_activation!(groups_portable)
}

type GroupArgs<'a, T> = (
    &'a TrainConfig,
    &'a TrainingData<T>,
    &'a [[f64; PARAMS]],
    Tracking<T>,
);

fn in_precision<T: Real>(tracking: Tracking<f64>) -> Tracking<T> {
    Tracking {
        converged_loss: T::from_f64(tracking.converged_loss),
        window: tracking.window,
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,avx2,fma")]
unsafe fn groups_avx512<T: Real, const ACTIVATION: usize>(
    args: GroupArgs<'_, T>,
) -> Vec<ModelEnd<T>> {
    groups::<T::Avx512Lanes, ACTIVATION>(args)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn groups_avx2<T: Real, const ACTIVATION: usize>(
    args: GroupArgs<'_, T>,
) -> Vec<ModelEnd<T>> {
    groups::<T::Avx2Lanes, ACTIVATION>(args)
}

fn groups_portable<T: Real, const ACTIVATION: usize>(args: GroupArgs<'_, T>) -> Vec<ModelEnd<T>> {
    groups::<T::PortableLanes, ACTIVATION>(args)
}

#[inline(always)]
fn groups<L: Lane, const ACTIVATION: usize>(
    (cfg, data, starts, tracking): GroupArgs<'_, L::Elem>,
) -> Vec<ModelEnd<L::Elem>> {
    let mut ends = Vec::with_capacity(starts.len());
    for chunk in starts.chunks(L::WIDTH) {
        // Idle lanes repeat the first start; their results are dropped.
        let lanes = pack_starts::<L>(chunk);
        let out = train_lanes::<L, ACTIVATION>(cfg, data, lanes, tracking, &mut NoObserver);
        ends.extend(unpack(&out, chunk.len()));
    }
    ends
}

/// Trains one model and shows every step to `observer`.
pub fn train_observed<T: Real>(
    activation: Activation,
    cfg: &TrainConfig,
    data: &TrainingData<T>,
    start: [f64; PARAMS],
    tracking: Tracking<f64>,
    observer: &mut impl StepObserver<Lanes<T, 1>>,
) -> ModelEnd<T> {
    let lanes = pack_starts::<Lanes<T, 1>>(&[start]);
    let tracking = in_precision(tracking);
    macro_rules! per_activation {
        ($($index:literal),*) => {
            match activation.index() {
                $($index => train_lanes::<_, $index>(cfg, data, lanes, tracking, observer),)*
                _ => unreachable!("{} activations", Activation::ALL.len()),
            }
        };
    }
    let out = per_activation!(0, 1, 2, 3, 4, 5, 6, 7);
    unpack(&out, 1)[0]
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
