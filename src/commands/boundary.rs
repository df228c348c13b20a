//! `basinmap boundary DIR`: boundary metrics of every plane of a sweep.

use super::print_stdout;
use crate::boundary::planes::{BoundaryCells, PlaneBoundary, plane_boundaries};
use crate::cli::BoundaryArgs;
use crate::store::{Access, ResultsDir};
use anyhow::{Result, anyhow};
use std::fmt::Write;

pub fn run(args: BoundaryArgs) -> Result<()> {
    let dir = ResultsDir::open(&args.dir, Access::Read)?;
    let stored = dir.load_runs()?;
    let planes = plane_boundaries(&dir.grid, |id| stored.by_id.get(&id).map(|r| r.label()))
        .map_err(|e| anyhow!("{}: {e}", dir.path.display()))?;
    if args.json {
        let json = serde_json::to_string_pretty(&planes).expect("metrics serialise");
        return print_stdout(&format!("{json}\n"));
    }
    print_stdout(&table(&planes))
}

/// The metrics as a text table, one plane per row.
pub(crate) fn table(planes: &[PlaneBoundary]) -> String {
    let mut out = String::new();
    let variants = planes.iter().any(|p| !p.variant.is_empty());
    let replicates = planes.iter().any(|p| p.replicate > 0);
    let _ = write!(out, "{:<12}", "activation");
    if variants {
        let _ = write!(out, " {:<20}", "variant");
    }
    if replicates {
        let _ = write!(out, " {:>9}", "replicate");
    }
    let _ = writeln!(
        out,
        " {:>14} {:>10} {:>7} {:>7}  boundary share by level",
        "dimension", "fit (cells)", "Sb", "Sbb"
    );
    for p in planes {
        let _ = write!(out, "{:<12}", p.activation);
        if variants {
            let _ = write!(out, " {:<20}", p.variant);
        }
        if replicates {
            let _ = write!(out, " {:>9}", p.replicate);
        }
        let BoundaryCells {
            dimension,
            fit,
            sb,
            mut sbb,
            shares,
        } = p.cells("-");
        if p.entropy.as_ref().is_some_and(|e| e.fractal_sign()) {
            sbb.push('*');
        }
        let _ = writeln!(out, " {dimension:>14} {fit:>10} {sb:>7} {sbb:>7}  {shares}");
    }
    let _ = writeln!(
        out,
        "dimension: box counting of the boundary cells over box sizes in the fit range ('-': the plane is under 257 cells across, or has no boundary); \
         Sb, Sbb: basin entropy over 5x5-cell boxes, * where Sbb > ln 2 = 0.693 (a sufficient sign of a fractal boundary)"
    );
    out
}
