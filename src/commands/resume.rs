//! `basinmap resume DIR`: continue a sweep with the spec stored in DIR.

use super::run::{execute, resolve_shard};
use crate::cli::ResumeArgs;
use crate::store::{Access, ResultsDir, SPEC_FILE};
use crate::sweep::preflight;
use anyhow::Result;

pub fn run(args: ResumeArgs) -> Result<()> {
    let dir = ResultsDir::open(&args.dir, Access::Write)?;
    let shard = resolve_shard(&args.sweep)?;
    preflight::check(&dir.spec, &dir.path.join(SPEC_FILE), &dir.path, shard)?;
    execute(&dir, &args.sweep, shard, args.format)
}
