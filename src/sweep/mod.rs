//! Running a sweep: every pending chunk of this shard on a `rayon` pool,
//! each finished chunk written durably by the one writer thread before it
//! counts as done.

pub mod interrupt;

use crate::grid::{Chunk, Shard, SweepGrid};
use crate::output::progress::Progress;
use crate::store::table::TableWriter;
use crate::store::{ResultsDir, RunRecord, table_name};
use crate::train::config::TrainConfig;
use crate::train::{PreparedData, train_and_classify};
use anyhow::{Context, Result};
use rayon::prelude::*;
use std::sync::atomic::Ordering;
use std::sync::mpsc;

pub struct SweepOptions {
    /// Worker threads; `None` for every core.
    pub threads: Option<usize>,
    pub shard: Shard,
    pub quiet: bool,
}

/// How far a sweep (or shard) got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SweepReport {
    /// Runs of this shard.
    pub shard_runs: u64,
    /// Runs of this shard found done before starting.
    pub done_before: u64,
    /// Runs finished by this call.
    pub done_now: u64,
    /// Stopped early by Ctrl-C.
    pub interrupted: bool,
}

impl SweepReport {
    pub fn complete(&self) -> bool {
        self.done_before + self.done_now == self.shard_runs
    }
}

/// A chunk's runs that are still to do.
struct Job {
    variant: usize,
    activation: usize,
    replicate: u32,
    ids: Vec<u64>,
}

/// Runs what is left of `shard` in `dir`.
pub(crate) fn run_sweep(dir: &ResultsDir, options: &SweepOptions) -> Result<SweepReport> {
    let grid = &dir.grid;
    // Lock our table (repairing its tail) before reading what is done.
    let (mut writer, _) =
        TableWriter::open(&dir.path.join(table_name(options.shard)), &dir.format)?;
    let stored = dir.load_runs()?;
    let chunks: Vec<Chunk> = grid.shard_chunks(options.shard).collect();
    let shard_runs: u64 = chunks.iter().map(|c| c.len).sum();
    let jobs: Vec<Job> = chunks
        .iter()
        .filter_map(|chunk| pending_job(grid, chunk, |id| stored.by_id.contains_key(&id)))
        .collect();
    let pending: u64 = jobs.iter().map(|j| j.ids.len() as u64).sum();
    let done_before = shard_runs - pending;
    let mut report = SweepReport {
        shard_runs,
        done_before,
        done_now: 0,
        interrupted: false,
    };
    if jobs.is_empty() {
        return Ok(report);
    }

    let data = prepare_data(grid)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads.unwrap_or(0))
        .build()
        .context("cannot start worker threads")?;
    let stop = interrupt::install();
    let mut progress = Progress::new(shard_runs, done_before, options.quiet);
    let (sender, receiver) = mpsc::channel::<Vec<RunRecord>>();
    let spec = &dir.spec;

    let written = std::thread::scope(|scope| -> Result<()> {
        scope.spawn(|| {
            pool.install(|| {
                // One chunk per task: chunks differ in cost (elu and selu
                // skip work on some parts of the plane), and rayon's default
                // splitting leaves runs of many chunks that a finished
                // thread cannot take over.
                jobs.par_iter()
                    .with_max_len(1)
                    .for_each_with(sender, |sender, job| {
                        if stop.load(Ordering::Relaxed) {
                            return;
                        }
                        let activation = spec.activations[job.activation];
                        let starts: Vec<[f64; 4]> = job
                            .ids
                            .iter()
                            .map(|&id| grid.start(&grid.key(id)))
                            .collect();
                        let outcomes = train_and_classify(
                            activation,
                            &grid.variants[job.variant].config,
                            &spec.classify,
                            &data[job.variant][job.replicate as usize],
                            &starts,
                        );
                        let records = starts
                            .into_iter()
                            .zip(outcomes)
                            .map(|(start, outcome)| RunRecord {
                                start,
                                activation,
                                replicate: job.replicate,
                                variant: job.variant as u32,
                                outcome,
                            })
                            .collect();
                        // The receiver only goes away after an error; nothing to do then.
                        let _ = sender.send(records);
                    });
            });
        });
        for records in receiver {
            if let Err(err) = writer.append(&records) {
                stop.store(true, Ordering::Relaxed);
                return Err(err);
            }
            report.done_now += records.len() as u64;
            progress.advance(records.len() as u64);
        }
        Ok(())
    });
    progress.finish();
    written?;
    report.interrupted = stop.load(Ordering::Relaxed) && !report.complete();
    Ok(report)
}

fn pending_job(grid: &SweepGrid, chunk: &Chunk, is_done: impl Fn(u64) -> bool) -> Option<Job> {
    let ids: Vec<u64> = (chunk.first..chunk.first + chunk.len)
        .filter(|&id| !is_done(id))
        .collect();
    let key = grid.key(chunk.first);
    (!ids.is_empty()).then_some(Job {
        variant: key.variant,
        activation: key.activation,
        replicate: key.replicate,
        ids,
    })
}

/// Training data of every variant and replicate, in the variant's precision.
fn prepare_data(grid: &SweepGrid) -> Result<Vec<Vec<PreparedData>>> {
    grid.variants
        .iter()
        .map(|variant| {
            (0..grid.replicates)
                .map(|r| {
                    let cfg = TrainConfig {
                        data: variant.config.data.for_replicate(r),
                        ..variant.config.clone()
                    };
                    PreparedData::prepare(&cfg)
                })
                .collect()
        })
        .collect()
}
