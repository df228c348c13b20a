//! Running a refined sweep level by level (`crate::grid::refine`).
//!
//! Each pass reads what is stored, works out every plane's levels, and
//! trains this shard's part of the first level not complete. A level's
//! runs are cut into chunks (per plane, in point order, at most
//! `CHUNK_RUNS`), and chunk `i` of the level belongs to shard `i mod N + 1`:
//! the lists are the same for every process, so shards split a level
//! without talking to each other. A shard whose part is done while other
//! shards' is not stops and says so: the next level needs all of it.

use super::{Held, Job, ShardTable, SweepOptions, SweepReport, execute, job_of};
use crate::grid::refine::PlaneState;
use crate::grid::{CHUNK_RUNS, Refinement, Shard, SweepGrid};
use crate::output::progress::Progress;
use crate::store::{ResultsDir, StoredRuns};
use anyhow::Result;
use std::ops::Range;

pub(super) fn run_levels(dir: &ResultsDir, options: &SweepOptions) -> Result<SweepReport> {
    let grid = &dir.grid;
    let refinement = grid.refinement.expect("a refined sweep");
    let shard = options.shard;
    let mut table = ShardTable::open(dir, shard)?;
    let mut done_now = 0;
    let mut interrupted = false;
    let mut held = None;
    // The tables and planes as they are when no more is trained here.
    let (stored, planes) = loop {
        // Labels are needed (not only what is done): a refined sweep
        // holds the stored rows of its levels.
        let stored = dir.load_runs()?;
        let planes = plan(grid, &refinement, &stored);
        let Some(level) = planes.iter().filter_map(|p| p.current).min() else {
            break (stored, planes);
        };
        if let Some(limit) = options.up_to_level
            && level > limit
        {
            held = Some(Held::Stopped { level: limit });
            break (stored, planes);
        }
        let mine = shard_chunks(&planes, level, shard);
        let is_done = |id: u64| stored.by_id.contains_key(&id);
        let ids = |(group, range): &(u64, Range<usize>)| -> Vec<u64> {
            planes[*group as usize].needed[level as usize][range.clone()]
                .iter()
                .map(|&point| group * grid.points() + point)
                .collect()
        };
        let total: u64 = mine.iter().map(|(_, r)| r.len() as u64).sum();
        let pending: u64 = mine
            .iter()
            .map(|chunk| ids(chunk).into_iter().filter(|&id| !is_done(id)).count() as u64)
            .sum();
        if pending == 0 {
            held = Some(Held::Waiting { level });
            break (stored, planes);
        }
        if table.writer.is_none() {
            // Locked now; rows another process added meanwhile are read
            // on the next pass, and a chunk of them is only rerun if both
            // processes run the same shard, which the lock prevents.
            table.start_writing(dir, pending)?;
        }
        if !options.quiet {
            let filled: u64 = planes.iter().map(|p| p.counts[level as usize].filled).sum();
            let [u, v] = refinement.level_size(level);
            eprintln!(
                "basinmap: level {level} of {} ({u}×{v}): {total} runs to train{}, {filled} points filled",
                refinement.levels,
                if shard.is_whole() {
                    String::new()
                } else {
                    format!(" in shard {shard}")
                },
            );
        }
        let mut progress = Progress::new(total, total - pending, options.quiet);
        let (done, stopped) = execute(
            dir,
            options,
            table.writer.as_mut().expect("opened"),
            &mut progress,
            mine.len(),
            |k| -> Option<Job> { job_of(grid, ids(&mine[k]), is_done) },
        )?;
        progress.finish();
        done_now += done;
        if stopped {
            interrupted = true;
            // Rows were added since this pass read the tables.
            let stored = dir.load_runs()?;
            let planes = plan(grid, &refinement, &stored);
            break (stored, planes);
        }
    };
    // What this shard has of the levels reached.
    let last = planes
        .iter()
        .map(|p| p.current.unwrap_or(refinement.levels))
        .min()
        .unwrap_or(0);
    let last = match held {
        Some(Held::Stopped { level }) => level.min(last),
        _ => last,
    };
    let (mut shard_runs, mut done) = (0, 0);
    for level in 0..=last {
        for (group, range) in shard_chunks(&planes, level, shard) {
            for &point in &planes[group as usize].needed[level as usize][range] {
                shard_runs += 1;
                done += u64::from(stored.by_id.contains_key(&(group * grid.points() + point)));
            }
        }
    }
    let complete = done == shard_runs && planes.iter().all(|p| p.current.is_none());
    Ok(SweepReport {
        shard_runs,
        done_before: done - done_now.min(done),
        done_now,
        interrupted: interrupted && !complete,
        held: if complete || interrupted { None } else { held },
    })
}

fn plan(grid: &SweepGrid, refinement: &Refinement, stored: &StoredRuns) -> Vec<PlaneState> {
    grid.plan_planes(refinement, |id| stored.by_id.get(&id).map(|r| r.label()))
}

/// The chunks of `level` that belong to `shard`: (group, range of that
/// plane's list of the level's points). Planes that have not reached the
/// level contribute nothing.
fn shard_chunks(planes: &[PlaneState], level: u32, shard: Shard) -> Vec<(u64, Range<usize>)> {
    let chunk = CHUNK_RUNS as usize;
    planes
        .iter()
        .enumerate()
        .filter_map(|(group, plane)| Some((group as u64, plane.needed.get(level as usize)?.len())))
        .flat_map(|(group, len)| {
            (0..len)
                .step_by(chunk)
                .map(move |s| (group, s..(s + chunk).min(len)))
        })
        .enumerate()
        .filter(|(index, _)| shard.owns(*index as u64))
        .map(|(_, chunk)| chunk)
        .collect()
}
