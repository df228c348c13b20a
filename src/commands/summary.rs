//! `basinmap summary DIR`: label counts per activation, optionally per
//! group of any axis (`--by lr`).

use super::print_stdout;
use crate::cli::SummaryArgs;
use crate::output::tables::{
    GroupAxis, grouped_json, grouped_table, label_counts, label_json, label_table,
};
use crate::store::{Access, ResultsDir, filled};
use anyhow::{Result, anyhow, bail};

pub fn run(args: SummaryArgs) -> Result<()> {
    let dir = ResultsDir::open(&args.dir, Access::Read)?;
    let grid = &dir.grid;
    let stored = dir.load_runs()?;
    if let Some(by) = &args.by {
        let axis = GroupAxis::parse(by).map_err(|e| anyhow!("--by {by}: {e}"))?;
        if let (GroupAxis::Start(i), Some(_)) = (axis, dir.spec.grid.sample) {
            let (name, drawn) = dir.spec.grid.axes()[i];
            if matches!(drawn, crate::spec::Axis::Range { .. }) {
                bail!(
                    "--by {name}: this sweep draws {name} at random from a range, so every run has its own value; \
                     group by a listed axis, replicate, or a [train] setting (or see the binned maps of `basinmap render`)"
                );
            }
        }
        let records: Vec<_> = stored.by_id.values().collect();
        return if args.json {
            print_stdout(&format!("{}\n", grouped_json(grid, axis, &records)))
        } else {
            print_stdout(&grouped_table(grid, axis, &records))
        };
    }
    if grid.refinement.is_some() {
        // Trained and filled cells are counted apart: a filled cell's label
        // is its coarse cell's, not the outcome of a run from there.
        let completed = filled::complete(grid, stored.by_id.into_values().collect());
        let (runs, fills) = completed.records.split_at(completed.runs);
        let trained = label_counts(&dir.spec.activations, runs.iter());
        let filled = label_counts(&dir.spec.activations, fills.iter());
        return if args.json {
            print_stdout(&format!(
                "{{\"trained\":{},\"filled\":{}}}\n",
                label_json(&trained),
                label_json(&filled)
            ))
        } else {
            print_stdout(&format!(
                "trained runs:\n{}filled cells (the label of their coarse cell, not trained):\n{}",
                label_table(&trained),
                label_table(&filled)
            ))
        };
    }
    let counts = label_counts(&dir.spec.activations, stored.by_id.values());
    if args.json {
        print_stdout(&format!("{}\n", label_json(&counts)))
    } else {
        print_stdout(&label_table(&counts))
    }
}
