//! The toy problem of docs/science.md: activations and training data.

pub mod activation;
pub mod data;
