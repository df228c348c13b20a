//! One row of the runs table: a start, its activation and replicate, and
//! how the run ended.

use crate::classify::Label;
use crate::problem::activation::Activation;
use crate::train::RunOutcome;

/// The runs table's first columns, in order (docs/formats.md); one column
/// per varying `[train]` setting follows, named by its key path.
pub(crate) const COLUMNS: [&str; 16] = [
    "a0",
    "b0",
    "c0",
    "d0",
    "activation",
    "replicate",
    "a",
    "b",
    "c",
    "d",
    "train_loss",
    "eval_loss",
    "label",
    "converged_at",
    "settled_step",
    "mean_loss",
];

/// A finished run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunRecord {
    /// Starting `a, b, c, d`.
    pub start: [f64; 4],
    pub activation: Activation,
    pub replicate: u32,
    /// Index of the training variant (combination of listed `[train]`
    /// settings; 0 when none is listed).
    pub variant: u32,
    pub outcome: RunOutcome,
}

impl RunRecord {
    pub fn label(&self) -> Label {
        self.outcome.label
    }
}
