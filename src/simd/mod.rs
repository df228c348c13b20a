//! Lane types and vector math the training kernel is written against.

pub mod dispatch;
pub mod lane;
pub mod math;
pub mod pair;
pub mod real;
#[cfg(target_arch = "x86_64")]
mod x86;

pub use dispatch::{Isa, WithLanes};
pub use lane::{Lane, Lanes};
pub use pair::Pair;
pub use real::Real;
