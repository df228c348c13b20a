//! `basinmap run SPEC.toml`: start or continue a sweep, then show its outcome.

use crate::cli::{RunArgs, SweepArgs};
use crate::grid::Shard;
use crate::output::progress::{format_elapsed, runs_per_second};
use crate::output::tables::{label_counts, label_table};
use crate::render::palette::PairOutcome;
use crate::render::tally::Tally;
use crate::render::{Format, render_sweep};
use crate::spec::SweepSpec;
use crate::store::{ResultsDir, SPEC_FILE};
use crate::sweep::interrupt::{self, Interrupted, StopSignal};
use crate::sweep::{Held, SweepOptions, preflight, run_sweep};
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

pub fn run(args: RunArgs) -> Result<()> {
    let spec = SweepSpec::load(&args.spec)?;
    let shard = resolve_shard(&args.sweep)?;
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from("results").join(&spec.name));
    // Everything is checked before the directory is created.
    let checked = preflight::check(&spec, &args.spec, &out, shard)?;
    let dir = ResultsDir::prepare(&out, &spec, checked.data_file.as_deref())?;
    execute(&dir, &args.sweep, shard, args.format)
}

/// The shard to run: `--shard`, else a SLURM array task's, else the whole sweep.
pub(crate) fn resolve_shard(args: &SweepArgs) -> Result<Shard> {
    if let Some(shard) = args.shard {
        return Ok(shard);
    }
    Ok(Shard::from_slurm(|name| std::env::var(name).ok())?.unwrap_or(Shard::WHOLE))
}

/// Runs what is left of `shard` in `dir` and reports.
pub(crate) fn execute(
    dir: &ResultsDir,
    args: &SweepArgs,
    shard: Shard,
    format: Format,
) -> Result<()> {
    let options = SweepOptions {
        threads: args.threads.map(|t| t as usize),
        shard,
        quiet: args.quiet,
        up_to_level: args.level,
    };
    if let Some(level) = args.level {
        let levels = dir.spec.refine.map_or(0, |r| r.levels);
        if dir.spec.refine.is_none() || level > levels {
            anyhow::bail!(
                "--level {level}: {} has {}; give a level from 0 to {levels}",
                dir.path.display(),
                if dir.spec.refine.is_none() {
                    "no [refine] levels, only the grid as given (level 0)".to_string()
                } else {
                    format!("levels 0 to {levels}")
                }
            );
        }
    }
    let runs = match &dir.grid.refinement {
        Some(r) => format!(
            "a plane refined from {} to {} in {} levels",
            size_words(r.level_size(0)),
            size_words(r.size),
            r.levels
        ),
        None => format!("{} runs", dir.meta.total_runs),
    };
    let what = if shard.is_whole() {
        runs
    } else {
        format!("shard {shard} of {runs}")
    };
    if !args.quiet {
        eprintln!(
            "basinmap: {} ({what}) -> {}",
            dir.spec.name,
            dir.path.display()
        );
    }
    let started = std::time::Instant::now();
    let report = run_sweep(dir, &options)?;
    let seconds = started.elapsed().as_secs_f64();
    if report.interrupted {
        return Err(Interrupted {
            signal: interrupt::received().unwrap_or(StopSignal::INT),
            message: format!(
                "{} of {} runs saved in {}; continue with `basinmap resume {}{}`",
                report.done_before + report.done_now,
                report.shard_runs,
                dir.path.display(),
                dir.path.display(),
                if shard.is_whole() {
                    String::new()
                } else {
                    format!(" --shard {shard}")
                }
            ),
        }
        .into());
    }
    if !args.quiet {
        eprintln!(
            "basinmap: {} runs in {} ({}); {} were done before, {} in all",
            report.done_now,
            format_elapsed(seconds),
            runs_per_second(report.done_now as f64 / seconds.max(1e-9)),
            report.done_before,
            report.shard_runs
        );
    }
    let grid = &dir.grid;
    let stored = dir.load_runs()?;
    let counts = label_counts(&dir.spec.activations, stored.by_id.values());
    if grid.refinement.is_some() {
        // The other cells are filled: `summary` counts them apart.
        super::print_stdout("trained runs:\n")?;
    }
    super::print_stdout(&label_table(&counts))?;
    if let Some(held) = report.held {
        let again = if shard.is_whole() {
            format!("basinmap resume {}", dir.path.display())
        } else {
            format!("basinmap resume {} --shard {shard}", dir.path.display())
        };
        return super::print_stdout(&match held {
            Held::Waiting { level } => format!(
                "level {level}: shard {shard}'s part is done, other shards' is not; level {} needs all of it. Once they have finished, run `{again}` (every shard does the same) to go on\n",
                level + 1
            ),
            Held::Stopped { level } => format!(
                "stopped after level {level} (--level {level}); `{again}` goes on with the next\n"
            ),
        });
    }
    if shard.is_whole() && report.done_now == 0 && maps_up_to_date(dir, format)? {
        // Nothing new to draw, and nothing is written: a finished
        // directory on a read-only file system runs and resumes.
        super::print_stdout(&format!(
            "the maps are up to date; open {} (or run `basinmap open {}`)\n",
            dir.path.join(INDEX_FILE).display(),
            dir.path.display()
        ))
    } else if shard.is_whole() {
        let records: Vec<_> = stored.by_id.into_values().collect();
        let report = render_sweep(&dir.path, &dir.spec, &dir.grid, &records, format)?;
        if let Some(line) = headline(&report.tally, dir.spec.render.compare) {
            super::print_stdout(&line)?;
        }
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

/// `65×65`.
pub(crate) fn size_words([u, v]: [usize; 2]) -> String {
    format!("{u}×{v}")
}

/// The page every render writes last.
const INDEX_FILE: &str = "index.html";

/// Whether the last render of `dir` saw every row and the spec as they are
/// now, in `format`: its page is no older than any runs table and
/// `spec.toml`, and the newest picture is in that format and no older
/// either. Reads only.
fn maps_up_to_date(dir: &ResultsDir, format: Format) -> Result<bool> {
    let modified = |path: &Path| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    let Some(page) = modified(&dir.path.join(INDEX_FILE)) else {
        return Ok(false);
    };
    let mut inputs = dir.table_paths()?;
    inputs.push(dir.path.join(SPEC_FILE));
    let mut newest_input = std::time::SystemTime::UNIX_EPOCH;
    for input in &inputs {
        match modified(input) {
            Some(time) => newest_input = newest_input.max(time),
            None => return Ok(false),
        }
    }
    let is_picture = |path: &Path| {
        path.extension()
            .is_some_and(|e| e == Format::Png.extension() || e == Format::Svg.extension())
    };
    let newest_picture = std::fs::read_dir(&dir.path)
        .with_context(|| format!("cannot list {}", dir.path.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| is_picture(path))
        .filter_map(|path| Some((modified(&path)?, path)))
        .max();
    Ok(page >= newest_input
        && newest_picture.is_some_and(|(time, path)| {
            time >= newest_input && path.extension().is_some_and(|e| e == format.extension())
        }))
}

/// `selu fails and softplus converges from 57 of 289 starts (19.7%); the
/// reverse from 31 (10.7%).`, when the sweep runs both of the compare pair.
fn headline(
    tally: &Tally,
    (first, second): (
        crate::problem::activation::Activation,
        crate::problem::activation::Activation,
    ),
) -> Option<String> {
    let pairs = tally.pair_total()?;
    let total = pairs.total();
    if total == 0 {
        return None;
    }
    let share = |n: usize| 100.0 * n as f64 / total as f64;
    let (only_second, only_first) = (
        pairs.get(PairOutcome::OnlySecond),
        pairs.get(PairOutcome::OnlyFirst),
    );
    let unit = if tally.replicates > 1 {
        "start/seed pairs"
    } else {
        "starts"
    };
    Some(format!(
        "\n{first} fails and {second} converges from {only_second} of {total} {unit} ({:.1}%); the reverse from {only_first} ({:.1}%).\n",
        share(only_second),
        share(only_first)
    ))
}
