//! Running a sweep: every pending chunk of this shard on a `rayon` pool,
//! each finished chunk written durably by the one writer thread before it
//! counts as done.

pub mod interrupt;
mod levels;
pub(crate) mod preflight;

use crate::grid::{Chunk, Shard, SweepGrid};
use crate::output::progress::Progress;
use crate::store::table::{HeaderState, TableFormat, TableWriter, read_table};
use crate::store::{ResultsDir, RunRecord, table_name};
use crate::train::config::TrainConfig;
use crate::train::{PreparedData, train_and_classify};
use anyhow::{Context, Result};
use rayon::prelude::*;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::mpsc;

pub struct SweepOptions {
    /// Worker threads; `None` for every core.
    pub threads: Option<usize>,
    pub shard: Shard,
    pub quiet: bool,
    /// A refined sweep stops after this level (`--level`).
    pub up_to_level: Option<u32>,
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
    /// A refined sweep that stopped before its last level: why, and where.
    pub held: Option<Held>,
}

/// Why a refined sweep stopped before its last level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Held {
    /// This shard's part of `level` is done; other shards' is not, and the
    /// next level needs all of it.
    Waiting { level: u32 },
    /// `--level` asked to stop after `level`.
    Stopped { level: u32 },
}

impl SweepReport {
    pub fn complete(&self) -> bool {
        self.done_before + self.done_now == self.shard_runs && self.held.is_none()
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
///
/// A complete shard is found so by reading alone: unless its table needs
/// repair, nothing is opened for writing, so a finished directory on a
/// read-only file system "runs". Otherwise the shard's table is locked
/// before what is done is read again, since another process may have
/// added rows meanwhile.
///
/// Chunks are computed from their index as they are taken, and each
/// chunk's pending runs only then: beyond the rows already stored, memory
/// does not grow with the number of runs.
pub(crate) fn run_sweep(dir: &ResultsDir, options: &SweepOptions) -> Result<SweepReport> {
    if dir.grid.refinement.is_some() {
        return levels::run_levels(dir, options);
    }
    let grid = &dir.grid;
    let shard = options.shard;
    let mut table = ShardTable::open(dir, shard)?;
    let mut stored = table.stored.take().expect("loaded");
    let (shard_runs, mut pending) = count_pending(grid, shard, |id| stored.by_id.contains_key(&id));
    let mut report = SweepReport {
        shard_runs,
        done_before: shard_runs - pending,
        done_now: 0,
        interrupted: false,
        held: None,
    };
    if pending == 0 {
        return Ok(report);
    }
    if table.writer.is_none() {
        drop(stored);
        table.start_writing(dir, pending)?;
        stored = dir.load_runs()?;
        pending = count_pending(grid, shard, |id| stored.by_id.contains_key(&id)).1;
        report.done_before = shard_runs - pending;
        if pending == 0 {
            return Ok(report);
        }
    }
    let is_done = |id: u64| stored.by_id.contains_key(&id);
    let chunks = shard_chunk_count(grid, shard)?;
    let mut progress = Progress::new(shard_runs, report.done_before, options.quiet);
    let (done_now, interrupted) = execute(
        dir,
        options,
        table.writer.as_mut().expect("opened"),
        &mut progress,
        chunks,
        |k| {
            pending_job(
                grid,
                &grid.chunk(shard_chunk_index(shard, k as u64)),
                is_done,
            )
        },
    )?;
    progress.finish();
    report.done_now = done_now;
    report.interrupted = interrupted && !report.complete();
    Ok(report)
}

/// A shard's runs table: what is stored, and a writer once there is
/// something to write.
struct ShardTable {
    path: std::path::PathBuf,
    writer: Option<TableWriter>,
    stored: Option<crate::store::StoredRuns>,
}

impl ShardTable {
    /// Reads what is done. A damaged table is repaired first (its writer
    /// says how), so that what follows reads it whole; an intact one is
    /// only read, so that a complete directory needs no write access.
    fn open(dir: &ResultsDir, shard: Shard) -> Result<ShardTable> {
        let path = dir.path.join(table_name(shard));
        let writer = match needs_repair(&path, &dir.format)? {
            true => Some(TableWriter::open(&path, &dir.format)?.0),
            false => None,
        };
        Ok(ShardTable {
            path,
            writer,
            stored: Some(dir.load_runs()?),
        })
    }

    /// Locks the table for writing `rows` more rows, after checking the
    /// disk holds them. Another process may have added rows meanwhile:
    /// the caller reads what is done again.
    fn start_writing(&mut self, dir: &ResultsDir, rows: u64) -> Result<()> {
        if self.writer.is_none() {
            preflight::check_disk(&dir.path, rows, preflight::row_bytes(&dir.spec))?;
            self.writer = Some(TableWriter::open(&self.path, &dir.format)?.0);
        }
        Ok(())
    }
}

/// Trains the jobs `job(0..jobs)` (`None`: nothing left there) on a
/// `rayon` pool, one job per task, and appends each job's rows durably by
/// this thread before they count as done. Returns the runs finished and
/// whether a signal stopped it.
fn execute(
    dir: &ResultsDir,
    options: &SweepOptions,
    writer: &mut TableWriter,
    progress: &mut Progress,
    jobs: usize,
    job: impl Fn(usize) -> Option<Job> + Sync,
) -> Result<(u64, bool)> {
    let grid = &dir.grid;
    let spec = &dir.spec;
    let data = prepare_data(grid)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads.unwrap_or(0))
        .build()
        .context("cannot start worker threads")?;
    let stop = interrupt::install();
    let (sender, receiver) = mpsc::channel::<Vec<RunRecord>>();
    let mut done_now = 0;
    let written = std::thread::scope(|scope| -> Result<()> {
        scope.spawn(|| {
            pool.install(|| {
                // One job per task: jobs differ in cost (elu and selu skip
                // work on some parts of the plane), and rayon's default
                // splitting leaves runs of many jobs that a finished thread
                // cannot take over.
                (0..jobs)
                    .into_par_iter()
                    .with_max_len(1)
                    .for_each_with(sender, |sender, k| {
                        if stop.load(Ordering::Relaxed) {
                            return;
                        }
                        let Some(job) = job(k) else {
                            return;
                        };
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
            done_now += records.len() as u64;
            progress.advance(records.len() as u64);
        }
        Ok(())
    });
    written?;
    Ok((done_now, stop.load(Ordering::Relaxed)))
}

/// Whether the table at `path` holds damage its writer repairs: a damaged
/// header or line, rows of another sweep, a table of another layout, or
/// rows without the `sweep` column. An intact table (or none) is left
/// alone, so that a complete directory is only read.
fn needs_repair(path: &Path, format: &TableFormat) -> Result<bool> {
    if !path.exists() {
        return Ok(false);
    }
    let contents = read_table(path, format)?;
    Ok(
        matches!(contents.header, HeaderState::Damaged | HeaderState::Legacy)
            || !contents.damaged.is_empty()
            || contents.unreadable.is_some(),
    )
}

/// The number of chunks of `shard`: every `count`-th chunk from the
/// `index`-th, so shards need no list, only arithmetic.
fn shard_chunk_count(grid: &SweepGrid, shard: Shard) -> Result<usize> {
    let first = u64::from(shard.index - 1);
    let count = grid
        .chunk_count()
        .saturating_sub(first)
        .div_ceil(u64::from(shard.count));
    usize::try_from(count).context("the sweep has more chunks than this machine can count")
}

/// The sweep-wide index of the `k`-th chunk of `shard`.
fn shard_chunk_index(shard: Shard, k: u64) -> u64 {
    u64::from(shard.index - 1) + k * u64::from(shard.count)
}

/// The runs of `shard`, and how many of them are not done; one pass over
/// its chunks, holding none of them.
fn count_pending(grid: &SweepGrid, shard: Shard, is_done: impl Fn(u64) -> bool) -> (u64, u64) {
    grid.shard_chunks(shard)
        .fold((0, 0), |(runs, pending), chunk| {
            let ids = chunk.first..chunk.first + chunk.len;
            let left = ids.filter(|&id| !is_done(id)).count() as u64;
            (runs + chunk.len, pending + left)
        })
}

fn pending_job(grid: &SweepGrid, chunk: &Chunk, is_done: impl Fn(u64) -> bool) -> Option<Job> {
    job_of(
        grid,
        (chunk.first..chunk.first + chunk.len).collect(),
        is_done,
    )
}

/// The runs `ids` (all of one group) that are not done, as a job.
fn job_of(grid: &SweepGrid, ids: Vec<u64>, is_done: impl Fn(u64) -> bool) -> Option<Job> {
    let first = *ids.first()?;
    let ids: Vec<u64> = ids.into_iter().filter(|&id| !is_done(id)).collect();
    let key = grid.key(first);
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
