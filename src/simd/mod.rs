//! Lane types and vector math the training kernel is written against.

pub mod lane;
pub mod math;
pub mod real;

pub use lane::Lanes;
pub use real::Real;
