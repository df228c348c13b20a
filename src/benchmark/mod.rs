//! `basinmap bench`: kernel throughput in sample-steps per second
//! (models × steps × data points / s), per activation and precision, on one
//! thread and on all of them. The workload is the sweep's: fixed data,
//! starts spread over the c-d plane.

use crate::classify::ClassifyConfig;
use crate::problem::activation::Activation;
use crate::train::config::{Kernel, Precision, TrainConfig};
use crate::train::dispatch::Isa;
use crate::train::{PreparedData, train_and_classify};
use anyhow::{Context, Result};
use rayon::prelude::*;
use std::time::Instant;

/// What every measurement shares.
pub struct BenchSetup {
    pub models: usize,
    pub steps: u32,
    pub repeats: usize,
    pub threads: usize,
}

/// One configuration to measure.
#[derive(Clone, Copy, Debug)]
pub struct BenchConfig {
    pub activation: Activation,
    pub precision: Precision,
    pub kernel: Kernel,
    pub points: usize,
    pub threads: usize,
}

/// One measured configuration.
pub struct BenchResult {
    pub config: BenchConfig,
    /// Median over repeats.
    pub sample_steps_per_second: f64,
    pub seconds_median: f64,
}

/// Starts spread over c, d in [-2, 2] with a = 1, b = 0.5, as in the sweeps.
pub(crate) fn bench_starts(models: usize) -> Vec<[f64; 4]> {
    let side = (models as f64).sqrt().ceil() as usize;
    (0..models)
        .map(|i| {
            let c = -2.0 + 4.0 * (i / side) as f64 / side.max(2) as f64;
            let d = -2.0 + 4.0 * (i % side) as f64 / side.max(2) as f64;
            [1.0, 0.5, c, d]
        })
        .collect()
}

pub fn measure(setup: &BenchSetup, config: BenchConfig) -> Result<BenchResult> {
    let BenchConfig {
        activation,
        precision,
        kernel,
        points,
        threads,
    } = config;
    let mut cfg = TrainConfig {
        steps: setup.steps,
        precision,
        kernel,
        ..TrainConfig::default()
    };
    cfg.data.n = points;
    let data = PreparedData::prepare(&cfg)?;
    let classify = ClassifyConfig::default();
    let starts = bench_starts(setup.models);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("cannot start worker threads")?;
    // Same chunking as sweeps: 64 models per task, one chunk per task.
    let mut seconds: Vec<f64> = (0..setup.repeats)
        .map(|_| {
            let start = Instant::now();
            pool.install(|| {
                starts.par_chunks(64).with_max_len(1).for_each(|chunk| {
                    std::hint::black_box(train_and_classify(
                        activation, &cfg, &classify, &data, chunk,
                    ));
                })
            });
            start.elapsed().as_secs_f64()
        })
        .collect();
    seconds.sort_by(f64::total_cmp);
    let median = seconds[seconds.len() / 2];
    let work = setup.models as f64 * setup.steps as f64 * points as f64;
    Ok(BenchResult {
        config,
        sample_steps_per_second: work / median,
        seconds_median: median,
    })
}

/// The instruction set the kernel dispatches to here.
pub(crate) fn isa_name() -> &'static str {
    Isa::detect().name()
}
