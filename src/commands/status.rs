//! `basinmap status DIR`: how far a sweep is, per activation and per shard.

use super::print_stdout;
use crate::cli::DirArgs;
use crate::grid::Shard;
use crate::store::{Access, ResultsDir};
use anyhow::Result;
use std::collections::BTreeSet;
use std::fmt::Write;

pub fn run(args: DirArgs) -> Result<()> {
    let dir = ResultsDir::open(&args.dir, Access::Read)?;
    let grid = &dir.grid;
    let stored = dir.load_runs()?;
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

/// `N` of a `runs-shard-K-of-N.csv` table name.
fn shard_count_of(name: &str) -> Option<u32> {
    name.strip_prefix("runs-shard-")?
        .strip_suffix(".csv")?
        .split_once("-of-")?
        .1
        .parse()
        .ok()
}
