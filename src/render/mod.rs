//! Pictures: heatmaps of sweeps and the learned function of one run.

pub mod training_plot;
