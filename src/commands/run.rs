//! `basinmap run SPEC.toml`: start or continue a sweep, then show its outcome.

use crate::cli::{RunArgs, SweepArgs};
use crate::grid::{Shard, SweepGrid};
use crate::output::tables::{label_counts, label_table};
use crate::render::{Format, render_all_with};
use crate::spec::SweepSpec;
use crate::store::ResultsDir;
use crate::sweep::{SweepOptions, run_sweep};
use anyhow::{Result, bail};
use std::path::PathBuf;

pub fn run(args: RunArgs) -> Result<()> {
    let spec = SweepSpec::load(&args.spec)?;
    let shard = resolve_shard(&args.sweep)?;
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from("results").join(&spec.name));
    let dir = ResultsDir::prepare(&out, &spec)?;
    execute(&dir, &args.sweep, shard, args.format)
}

/// The shard to run: `--shard`, else a SLURM array task's, else the whole sweep.
pub fn resolve_shard(args: &SweepArgs) -> Result<Shard> {
    if let Some(shard) = args.shard {
        return Ok(shard);
    }
    Ok(Shard::from_slurm(|name| std::env::var(name).ok())?.unwrap_or(Shard::WHOLE))
}

/// Runs what is left of `shard` in `dir` and reports.
pub fn execute(dir: &ResultsDir, args: &SweepArgs, shard: Shard, format: Format) -> Result<()> {
    let options = SweepOptions {
        threads: args.threads.map(|t| t as usize),
        shard,
        quiet: args.quiet,
    };
    let what = if shard.is_whole() {
        format!("{} runs", dir.meta.total_runs)
    } else {
        format!("shard {shard} of {} runs", dir.meta.total_runs)
    };
    if !args.quiet {
        eprintln!(
            "basinmap: {} ({what}) -> {}",
            dir.spec.name,
            dir.path.display()
        );
    }
    let report = run_sweep(dir, &options)?;
    if report.interrupted {
        bail!(
            "interrupted: {} of {} runs saved in {}; continue with `basinmap resume {}{}`",
            report.done_before + report.done_now,
            report.shard_runs,
            dir.path.display(),
            dir.path.display(),
            if shard.is_whole() {
                String::new()
            } else {
                format!(" --shard {shard}")
            }
        );
    }
    if !args.quiet {
        eprintln!(
            "basinmap: {} runs done now, {} before, {} in all",
            report.done_now, report.done_before, report.shard_runs
        );
    }
    let grid = SweepGrid::new(&dir.spec);
    let stored = dir.load_runs(&grid)?;
    let counts = label_counts(&dir.spec.activations, stored.by_id.values());
    super::print_stdout(&label_table(&counts))?;
    if shard.is_whole() {
        let records: Vec<_> = stored.by_id.into_values().collect();
        let report = render_all_with(&dir.path, &dir.spec, &records, format, &dir.spec.render)?;
        super::print_stdout(&format!(
            "{} pictures; open {} (or run `basinmap open {}`)\n",
            report.pictures.len(),
            report.index.display(),
            dir.path.display()
        ))
    } else {
        // Shards finish at different times; one render once all are done.
        super::print_stdout(&format!(
            "shard {shard} done; once every shard is, draw the maps with `basinmap render {}`\n",
            dir.path.display()
        ))
    }
}
