//! `basinmap render DIR`: (re)draw every map and `index.html`, also while a
//! sweep is still running (cells not yet run are drawn as such).

use super::print_stdout;
use crate::cli::RenderArgs;
use crate::render::render_sweep;
use crate::store::{Access, ResultsDir};
use anyhow::Result;
use std::fmt::Write;

pub fn run(args: RenderArgs) -> Result<()> {
    let dir = ResultsDir::open(&args.dir, Access::Read)?;
    let stored = dir.load_runs()?;
    let records: Vec<_> = stored.by_id.into_values().collect();
    let mut spec = dir.spec.clone();
    spec.render.show_runs |= args.show_runs;
    let trained = records.len();
    let report = render_sweep(&dir.path, &spec, &dir.grid, &records, args.format)?;
    let mut out = String::new();
    for picture in &report.pictures {
        let _ = writeln!(out, "{}", dir.path.join(&picture.file).display());
    }
    if dir.grid.refinement.is_some() {
        let _ = writeln!(
            out,
            "{} of {} cells drawn ({trained} trained, {} filled); page: {}",
            report.runs_done,
            report.runs_total,
            report.runs_done.saturating_sub(trained),
            report.index.display()
        );
    } else {
        let _ = writeln!(
            out,
            "{} of {} runs drawn; page: {}",
            report.runs_done,
            report.runs_total,
            report.index.display()
        );
    }
    print_stdout(&out)
}
