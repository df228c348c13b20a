//! Boundary metrics of a plane's label image: are the borders between
//! basins smooth curves or fractal?
//!
//! - [`box_counting`]: the box-counting dimension of the set of boundary
//!   cells (cells with an 8-neighbour of another label), fitted over a
//!   stated range of box sizes, with its standard error;
//! - [`basin_entropy`]: basin entropy `Sb` and boundary basin entropy `Sbb`
//!   (Daza, Wagemakers, Georgeot, Guéry-Odelin and Sanjuán, Sci. Rep. 6,
//!   31416, 2016). `Sbb > ln 2` is a sufficient condition for a fractal
//!   boundary.
//!
//! Both read a [`LabelImage`]; `crate::commands::boundary` builds one per
//! plane of a sweep and reports them.

pub mod box_counting;
pub mod entropy;
pub mod image;
pub mod planes;

pub use box_counting::{BoxCounting, box_counting};
pub use entropy::{BasinEntropy, basin_entropy};
pub use image::LabelImage;
