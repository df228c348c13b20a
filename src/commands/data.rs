//! `basinmap data`: the x values a spec trains on, in use order, so another
//! implementation can train on exactly the same data.

use super::{SettingsUse, print_stdout, resolve_settings};
use crate::cli::DataArgs;
use crate::train::PreparedData;
use anyhow::Result;

pub fn run(args: DataArgs) -> Result<()> {
    let (train, _) = resolve_settings(&args.settings, args.spec.as_deref(), SettingsUse::Data)?;
    let data = PreparedData::prepare(&train)?;
    let mut out = data.formatted_xs().join("\n");
    out.push('\n');
    print_stdout(&out)
}
