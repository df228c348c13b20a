//! The integration suite, one test binary (the ripgrep layout): shared
//! helpers live in `util/`, each module tests one part of basinmap.

mod util;

mod activations;
mod bad_specs;
mod boundary;
mod classify;
mod cli_train;
mod commands;
mod crash;
mod data;
mod figures;
mod gradients;
mod hardening;
mod kernel;
mod kernel_vs_reference_sweep;
mod normal_cdf;
mod optimizer;
mod page;
mod readme;
mod reference_table;
mod refine;
mod render;
mod sampled;
mod settled_labels;
mod shortcut;
mod spec_fuzz;
mod sweep;
mod tables;
mod train_axes;
mod vector_math;
