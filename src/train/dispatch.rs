//! Runtime CPU-feature dispatch: the one generic kernel compiled for
//! AVX-512, AVX2+FMA and the portable baseline, chosen at run time so users
//! never set RUSTFLAGS.
//!
//! Every variant performs the same IEEE operations per lane, so the choice
//! changes speed only, never a result bit (tested in `tests/kernel.rs`).

use super::config::TrainConfig;
use super::kernel::{LaneOutcome, NoObserver, StepObserver, train_lanes};
use super::optimizer::PARAMS;
use crate::problem::activation::Activation;
use crate::problem::data::TrainingData;
use crate::simd::{Lanes, Real};

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
            if std::is_x86_feature_detected!("avx512f") && std::is_x86_feature_detected!("avx512dq") {
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

/// Final state of one model, in its training precision.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ModelEnd<T> {
    pub params: [T; PARAMS],
    pub final_loss: T,
    pub converged_at: Option<u32>,
}

/// Trains one model per start, `W` at a time, on the best instruction set.
pub fn train_models<T: Real>(
    activation: Activation,
    cfg: &TrainConfig,
    data: &TrainingData<T>,
    starts: &[[f64; PARAMS]],
    converged_loss: f64,
) -> Vec<ModelEnd<T>> {
    train_models_on(Isa::detect(), activation, cfg, data, starts, converged_loss)
}

/// As [`train_models`], on a given instruction set (which must be available).
pub fn train_models_on<T: Real>(
    isa: Isa,
    activation: Activation,
    cfg: &TrainConfig,
    data: &TrainingData<T>,
    starts: &[[f64; PARAMS]],
    converged_loss: f64,
) -> Vec<ModelEnd<T>> {
    assert!(Isa::available().contains(&isa), "{} is not available", isa.name());
    let wide = T::NAME == "f32";
    let args = (activation, cfg, data, starts, T::from_f64(converged_loss));
    // Two registers' worth of lanes per group, so the FMA latency of the
    // running sums is hidden behind the other register's work.
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `isa` was checked to be available on this CPU just above.
    unsafe {
        match (isa, wide) {
            (Isa::Avx512, true) => return groups_avx512::<T, 32>(args),
            (Isa::Avx512, false) => return groups_avx512::<T, 16>(args),
            (Isa::Avx2Fma, true) => return groups_avx2::<T, 16>(args),
            (Isa::Avx2Fma, false) => return groups_avx2::<T, 8>(args),
            (Isa::Portable, _) => {}
        }
    }
    if wide {
        groups::<T, 8>(args)
    } else {
        groups::<T, 4>(args)
    }
}

type GroupArgs<'a, T> = (Activation, &'a TrainConfig, &'a TrainingData<T>, &'a [[f64; PARAMS]], T);

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,avx2,fma")]
unsafe fn groups_avx512<T: Real, const W: usize>(args: GroupArgs<'_, T>) -> Vec<ModelEnd<T>> {
    groups::<T, W>(args)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn groups_avx2<T: Real, const W: usize>(args: GroupArgs<'_, T>) -> Vec<ModelEnd<T>> {
    groups::<T, W>(args)
}

#[inline(always)]
fn groups<T: Real, const W: usize>(
    (activation, cfg, data, starts, converged_loss): GroupArgs<'_, T>,
) -> Vec<ModelEnd<T>> {
    let mut ends = Vec::with_capacity(starts.len());
    for chunk in starts.chunks(W) {
        // Idle lanes repeat the first start; their results are dropped.
        let lanes = pack_starts::<T, W>(chunk);
        let out = train_lanes(activation, cfg, data, lanes, converged_loss, &mut NoObserver);
        ends.extend((0..chunk.len()).map(|lane| unpack(&out, lane)));
    }
    ends
}

/// Trains one model and shows every step to `observer`.
pub fn train_observed<T: Real>(
    activation: Activation,
    cfg: &TrainConfig,
    data: &TrainingData<T>,
    start: [f64; PARAMS],
    converged_loss: f64,
    observer: &mut impl StepObserver<T, 1>,
) -> ModelEnd<T> {
    let lanes = pack_starts::<T, 1>(&[start]);
    let out = train_lanes(activation, cfg, data, lanes, T::from_f64(converged_loss), observer);
    unpack(&out, 0)
}

fn pack_starts<T: Real, const W: usize>(chunk: &[[f64; PARAMS]]) -> [Lanes<T, W>; PARAMS] {
    std::array::from_fn(|p| {
        Lanes(std::array::from_fn(|lane| {
            T::from_f64(chunk.get(lane).unwrap_or(&chunk[0])[p])
        }))
    })
}

fn unpack<T: Real, const W: usize>(out: &LaneOutcome<T, W>, lane: usize) -> ModelEnd<T> {
    ModelEnd {
        params: out.params.map(|p| p.0[lane]),
        final_loss: out.final_loss.0[lane],
        converged_at: out.converged_at[lane],
    }
}
