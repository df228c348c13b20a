//! `basinmap status DIR`: how far a sweep is, per activation and per shard.

use super::print_stdout;
use crate::cli::DirArgs;
use crate::grid::Shard;
use crate::grid::refine::{LevelCounts, Refinement};
use crate::store::{Access, ResultsDir, StoredRuns};
use anyhow::Result;
use std::collections::BTreeSet;
use std::fmt::Write;

pub fn run(args: DirArgs) -> Result<()> {
    let dir = ResultsDir::open(&args.dir, Access::Read)?;
    let grid = &dir.grid;
    let stored = dir.load_runs()?;
    if let Some(refinement) = &grid.refinement {
        return print_stdout(&levels(&dir, refinement, &stored));
    }
    let total = grid.total_runs();
    let done = stored.by_id.len() as u64;
    let per_activation = grid.points() * grid.replicates as u64;

    let mut out = String::new();
    let _ = writeln!(out, "{}: {}", dir.spec.name, dir.path.display());
    let _ = writeln!(
        out,
        "{:<12} {:>10} {:>10} {:>10}",
        "activation", "done", "total", "left"
    );
    for (index, activation) in grid.activations.iter().enumerate() {
        let done = stored
            .by_id
            .keys()
            .filter(|&&id| grid.key(id).activation == index)
            .count() as u64;
        let _ = writeln!(
            out,
            "{:<12} {done:>10} {per_activation:>10} {:>10}",
            activation.name(),
            per_activation - done
        );
    }

    // Shards: every N seen in a table name, so resubmitting the right tasks is easy.
    let counts: BTreeSet<u32> = stored
        .tables
        .iter()
        .filter_map(|(path, _)| shard_count_of(path.file_name()?.to_str()?))
        .collect();
    let mut incomplete_shards: Vec<Shard> = Vec::new();
    for count in counts {
        let _ = writeln!(out, "shards of {count}:");
        for index in 1..=count {
            let shard = Shard { index, count };
            let chunks: Vec<_> = grid.shard_chunks(shard).collect();
            let slice_total: u64 = chunks.iter().map(|c| c.len).sum();
            let slice_done = chunks
                .iter()
                .flat_map(|c| c.first..c.first + c.len)
                .filter(|id| stored.by_id.contains_key(id))
                .count() as u64;
            let state = if slice_done == slice_total {
                "complete"
            } else {
                incomplete_shards.push(shard);
                "incomplete"
            };
            let _ = writeln!(
                out,
                "  shard {shard:<7} {slice_done:>10} / {slice_total:<10} {state}"
            );
        }
    }
    for (path, rows) in &stored.tables {
        let _ = writeln!(out, "table {}: {rows} rows", path.display());
    }
    if done == total {
        let _ = writeln!(out, "complete: {done} / {total} runs");
    } else if incomplete_shards.is_empty() {
        let _ = writeln!(
            out,
            "incomplete: {done} / {total} runs, {} left; continue with `basinmap resume {}`",
            total - done,
            dir.path.display()
        );
    } else {
        let shards: Vec<String> = incomplete_shards.iter().map(|s| s.to_string()).collect();
        let _ = writeln!(
            out,
            "incomplete: {done} / {total} runs, {} left; continue each incomplete shard ({}) with `basinmap resume {} --shard K/N` (SLURM: resubmit array task K-1), or all of it here with `basinmap resume {}`",
            total - done,
            shards.join(", "),
            dir.path.display(),
            dir.path.display()
        );
    }
    print_stdout(&out)
}

/// A refined sweep's status: per level, its resolution, the runs it
/// trains (done / needed) and the points it fills, over every plane.
fn levels(dir: &ResultsDir, refinement: &Refinement, stored: &StoredRuns) -> String {
    let grid = &dir.grid;
    let planes = grid.plan_planes(refinement, |id| stored.by_id.get(&id).map(|r| r.label()));
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {} ({} planes: activations × variants × replicates)",
        dir.spec.name,
        dir.path.display(),
        planes.len()
    );
    let _ = writeln!(
        out,
        "{:<6} {:>11} {:>10} {:>10} {:>10} {:>9}",
        "level", "resolution", "done", "to train", "filled", "boundary"
    );
    let current = planes.iter().filter_map(|p| p.current).min();
    for level in 0..=refinement.levels {
        let size = super::run::size_words(refinement.level_size(level));
        let counts: Vec<_> = planes
            .iter()
            .filter_map(|p| p.counts.get(level as usize))
            .collect();
        if counts.len() < planes.len() {
            let _ = writeln!(
                out,
                "{level:<6} {size:>11} {:>10} {:>10} {:>10} {:>9}",
                "-", "-", "-", "-"
            );
            continue;
        }
        let sum = |f: &dyn Fn(&LevelCounts) -> u64| counts.iter().map(|c| f(c)).sum::<u64>();
        let boundary = if counts.iter().all(|c| c.boundary.is_some()) {
            let mean = counts.iter().filter_map(|c| c.boundary).sum::<f64>() / counts.len() as f64;
            format!("{:.1}%", 100.0 * mean)
        } else {
            "-".to_string()
        };
        let _ = writeln!(
            out,
            "{level:<6} {size:>11} {:>10} {:>10} {:>10} {boundary:>9}",
            sum(&|c| c.done),
            sum(&|c| c.needed),
            sum(&|c| c.filled),
        );
    }
    for (path, rows) in &stored.tables {
        let _ = writeln!(out, "table {}: {rows} rows", path.display());
    }
    let trained: u64 = planes.iter().flat_map(|p| &p.counts).map(|c| c.done).sum();
    let brute = grid.total_runs();
    match current {
        None => {
            let _ = writeln!(
                out,
                "complete: {} levels, {trained} runs trained for {brute} cells ({:.1}% of brute force)",
                refinement.levels,
                100.0 * trained as f64 / brute as f64
            );
        }
        Some(level) => {
            let left: u64 = planes
                .iter()
                .filter_map(|p| p.counts.get(level as usize))
                .map(|c| c.needed - c.done)
                .sum();
            let _ = writeln!(
                out,
                "incomplete: level {level} has {left} runs left (later levels are known once it is done); continue with `basinmap resume {}` (shards: `--shard K/N` each)",
                dir.path.display()
            );
        }
    }
    out
}

/// `N` of a `runs-shard-K-of-N.csv` table name.
fn shard_count_of(name: &str) -> Option<u32> {
    name.strip_prefix("runs-shard-")?
        .strip_suffix(".csv")?
        .split_once("-of-")?
        .1
        .parse()
        .ok()
}
