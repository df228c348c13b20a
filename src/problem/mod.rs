//! The toy problem of SPEC section 1: activations and training data.

pub mod activation;
pub mod data;
