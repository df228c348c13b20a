//! `basinmap summary DIR`: label counts per activation.

use super::print_stdout;
use crate::cli::SummaryArgs;
use crate::grid::SweepGrid;
use crate::output::tables::{label_counts, label_json, label_table};
use crate::store::ResultsDir;
use anyhow::Result;

pub fn run(args: SummaryArgs) -> Result<()> {
    let dir = ResultsDir::open(&args.dir)?;
    let stored = dir.load_runs(&SweepGrid::new(&dir.spec))?;
    let counts = label_counts(&dir.spec.activations, stored.by_id.values());
    if args.json {
        print_stdout(&format!("{}\n", label_json(&counts)))
    } else {
        print_stdout(&label_table(&counts))
    }
}
