//! What the terminal shows: progress and tables.

pub mod progress;
pub mod tables;
