//! Running a sweep: every pending chunk of this shard on a `rayon` pool,
//! each finished chunk written durably by the one writer thread before it
//! counts as done.

pub mod interrupt;
mod levels;
pub mod preflight;

use crate::grid::{CHUNK_RUNS, Chunk, Shard, SweepGrid};
use crate::output::progress::Progress;
use crate::store::table::{HeaderState, TableFormat, TableWriter, scan_table};
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
/// chunk's pending runs only then; what is done is read back a line at a
/// time into one bit per run of the shard ([`DoneRuns`]): memory does not
/// grow with the number of rows stored.
pub(crate) fn run_sweep(dir: &ResultsDir, options: &SweepOptions) -> Result<SweepReport> {
    if dir.grid.refinement.is_some() {
        return levels::run_levels(dir, options);
    }
    let grid = &dir.grid;
    let shard = options.shard;
    let mut table = ShardTable::open(dir, shard)?;
    let mut done = DoneRuns::load(dir, shard)?;
    let (shard_runs, mut pending) = count_pending(grid, shard, |id| done.contains(id));
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
        table.start_writing(dir, pending)?;
        done = DoneRuns::load(dir, shard)?;
        pending = count_pending(grid, shard, |id| done.contains(id)).1;
        report.done_before = shard_runs - pending;
        if pending == 0 {
            return Ok(report);
        }
    }
    let is_done = |id: u64| done.contains(id);
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

/// A shard's runs table, and its writer once there is something to write.
struct ShardTable {
    path: std::path::PathBuf,
    writer: Option<TableWriter>,
}

impl ShardTable {
    /// A damaged table is repaired first (its writer says how), so that
    /// what follows reads it whole; an intact one is only read, so that a
    /// complete directory needs no write access.
    fn open(dir: &ResultsDir, shard: Shard) -> Result<ShardTable> {
        let path = dir.path.join(table_name(shard));
        let writer = match needs_repair(&path, &dir.format)? {
            true => Some(TableWriter::open(&path, &dir.format)?),
            false => None,
        };
        Ok(ShardTable { path, writer })
    }

    /// Locks the table for writing `rows` more rows, after checking the
    /// disk holds them. Another process may have added rows meanwhile:
    /// the caller reads what is done again.
    fn start_writing(&mut self, dir: &ResultsDir, rows: u64) -> Result<()> {
        if self.writer.is_none() {
            preflight::check_disk(&dir.path, rows, preflight::row_bytes(&dir.spec))?;
            self.writer = Some(TableWriter::open(&self.path, &dir.format)?);
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
    let contents = scan_table(path, format, |_| {})?;
    Ok(
        matches!(contents.header, HeaderState::Damaged | HeaderState::Legacy)
            || !contents.damaged.is_empty()
            || contents.unreadable.is_some(),
    )
}

/// Which runs of a shard are done: one bit per run, by its place among the
/// shard's chunks (a 64-bit word per chunk of 64 runs). What is read back
/// from the tables to resume costs an eighth of a byte per run, not a
/// record per row.
struct DoneRuns {
    words: Vec<u64>,
    points: u64,
    chunks_per_group: u64,
    shard: Shard,
}

impl DoneRuns {
    /// The runs of `shard` stored in `dir`'s tables (any of them).
    fn load(dir: &ResultsDir, shard: Shard) -> Result<DoneRuns> {
        let grid = &dir.grid;
        let chunks = shard_chunk_count(grid, shard)?;
        let mut words = Vec::new();
        words.try_reserve_exact(chunks).map_err(|_| {
            anyhow::anyhow!(
                "{}: this machine cannot hold the record of which runs are done ({chunks} chunks of {CHUNK_RUNS} runs, 8 bytes each): shard the sweep with --shard K/N",
                dir.path.display()
            )
        })?;
        words.resize(chunks, 0);
        let mut done = DoneRuns {
            words,
            points: grid.points(),
            chunks_per_group: grid.points().div_ceil(CHUNK_RUNS),
            shard,
        };
        dir.scan_runs(|id, _| {
            if let Some((word, bit)) = done.slot(id) {
                done.words[word] |= 1u64 << bit;
            }
        })?;
        Ok(done)
    }

    /// The word and bit of run `id`, if it is one of the shard's.
    fn slot(&self, id: u64) -> Option<(usize, u64)> {
        let (group, point) = (id / self.points, id % self.points);
        let chunk = group * self.chunks_per_group + point / CHUNK_RUNS;
        let (first, count) = (u64::from(self.shard.index - 1), u64::from(self.shard.count));
        (chunk % count == first).then(|| ((chunk / count) as usize, point % CHUNK_RUNS))
    }

    fn contains(&self, id: u64) -> bool {
        self.slot(id)
            .is_some_and(|(word, bit)| self.words[word] >> bit & 1 == 1)
    }
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
