//! `basinmap summary DIR`: label counts per activation, optionally per
//! group of any axis (`--by lr`).

use super::print_stdout;
use crate::cli::SummaryArgs;
use crate::grid::SweepGrid;
use crate::output::tables::{
    GroupAxis, grouped_json, grouped_table, label_counts, label_json, label_table,
};
use crate::store::{Access, ResultsDir};
use anyhow::{Result, anyhow};

pub fn run(args: SummaryArgs) -> Result<()> {
    let dir = ResultsDir::open(&args.dir, Access::Read)?;
    let grid = SweepGrid::new(&dir.spec);
    let stored = dir.load_runs(&grid)?;
    if let Some(by) = &args.by {
        let axis = GroupAxis::parse(by).map_err(|e| anyhow!("--by {by}: {e}"))?;
        let records: Vec<_> = stored.by_id.values().collect();
        return if args.json {
            print_stdout(&format!("{}\n", grouped_json(&grid, axis, &records)))
        } else {
            print_stdout(&grouped_table(&grid, axis, &records))
        };
    }
    let counts = label_counts(&dir.spec.activations, stored.by_id.values());
    if args.json {
        print_stdout(&format!("{}\n", label_json(&counts)))
    } else {
        print_stdout(&label_table(&counts))
    }
}
