//! basinmap: maps where gradient descent on `g(x) = c·f(a·x + b) + d`
//! converges to `relu(x)` and where it gets stuck.
//!
//! Follow one run from spec to pixel: [`spec`] reads the sweep file,
//! [`problem`] defines activations and data, [`train`] steps the models
//! (the lane kernel in `train/kernel.rs`), [`classify`] labels them.

pub mod benchmark;
pub mod boundary;
pub mod classify;
pub mod cli;
pub mod commands;
pub mod grid;
pub mod output;
pub mod problem;
pub mod render;
pub mod simd;
pub mod spec;
pub mod stats;
pub mod store;
pub mod sweep;
pub mod train;
