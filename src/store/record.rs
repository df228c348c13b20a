//! One row of the runs table: a start, its activation and replicate, and
//! how the run ended.

use crate::classify::Label;
use crate::problem::activation::Activation;
use crate::train::RunOutcome;

/// The runs table's columns, in order (SPEC section 5).
pub const COLUMNS: [&str; 14] = [
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
];

/// A finished run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunRecord {
    /// Starting `a, b, c, d`.
    pub start: [f64; 4],
    pub activation: Activation,
    pub replicate: u32,
    pub outcome: RunOutcome,
}

impl RunRecord {
    pub fn label(&self) -> Label {
        self.outcome.label
    }
}
