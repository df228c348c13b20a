//! `basinmap train --plot`: the learned function at several steps over relu.

use crate::problem::activation::Activation;
use anyhow::{Result, bail};
use std::path::Path;

/// Draws `g` at each `(step, params)` snapshot, with relu, on [-0.5, 0.5].
pub fn draw(_path: &Path, _activation: Activation, _snapshots: &[(u32, [f64; 4])]) -> Result<()> {
    bail!("drawing is not built yet")
}
