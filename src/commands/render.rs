//! `basinmap render DIR`: (re)draw every map and `index.html`, also while a
//! sweep is still running (cells not yet run are drawn as such).

use super::print_stdout;
use crate::cli::RenderArgs;
use crate::grid::SweepGrid;
use crate::render::render_all;
use crate::store::{Access, ResultsDir};
use anyhow::Result;
use std::fmt::Write;

pub fn run(args: RenderArgs) -> Result<()> {
    let dir = ResultsDir::open(&args.dir, Access::Read)?;
    let stored = dir.load_runs(&SweepGrid::new(&dir.spec))?;
    let records: Vec<_> = stored.by_id.into_values().collect();
    let report = render_all(&dir.path, &dir.spec, &records, args.format)?;
    let mut out = String::new();
    for picture in &report.pictures {
        let _ = writeln!(out, "{}", dir.path.join(&picture.file).display());
    }
    let _ = writeln!(
        out,
        "{} of {} runs drawn; page: {}",
        report.runs_done,
        report.runs_total,
        report.index.display()
    );
    print_stdout(&out)
}
