//! `basinmap open DIR`: show a sweep's page in the desktop's viewer.

use crate::cli::DirArgs;
use crate::render::open_in_viewer;
use anyhow::{Result, bail};

pub fn run(args: DirArgs) -> Result<()> {
    let index = args.dir.join("index.html");
    if !index.exists() {
        bail!(
            "{} does not exist: draw it with `basinmap render {}`",
            index.display(),
            args.dir.display()
        );
    }
    open_in_viewer(&index)
}
