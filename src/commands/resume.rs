//! `basinmap resume DIR`: continue a sweep with the spec stored in DIR.

use super::run::{execute, resolve_shard};
use crate::cli::ResumeArgs;
use crate::store::{Access, ResultsDir};
use anyhow::Result;

pub fn run(args: ResumeArgs) -> Result<()> {
    let dir = ResultsDir::open(&args.dir, Access::Write)?;
    let shard = resolve_shard(&args.sweep)?;
    execute(&dir, &args.sweep, shard, args.format)
}
