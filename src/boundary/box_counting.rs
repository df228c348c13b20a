//! Box-counting dimension of a set of cells: `N(s)`, the number of `s × s`
//! boxes (a tiling from the image's corner) that hold a cell of the set,
//! grows as `s^-D`; `D` is the slope of `ln N(s)` against `ln (1/s)`,
//! fitted by least squares over box sizes `s = 2^k`.
//!
//! The fit range starts at `s = 8`: the boundary set is two cells thick (a
//! cell on each side of a border), and boxes must be several times that
//! before they see its shape rather than its thickness (below, the count is
//! inflated and the slope too steep: a straight edge at 22° reads 1.09 with
//! `s` from 2). It ends where 8 boxes still fit across the image; beyond,
//! there are too few to count. At least three sizes are fitted (an image of
//! 257 cells or more across), so there is a residual to give an error.
//! Both ends are reported with the result.

use serde::Serialize;

/// Smallest box size fitted, in cells.
pub const MIN_BOX: usize = 8;
/// The largest box fitted fits this many times across the image's shorter side.
pub const MIN_BOXES_ACROSS: usize = 8;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BoxCounting {
    /// The fitted dimension.
    pub dimension: f64,
    /// Its standard error from the fit's residuals (0 with two sizes).
    pub standard_error: f64,
    /// Smallest and largest box size fitted, in cells.
    pub fit_range: (usize, usize),
    /// `(s, N(s))` for every size fitted.
    pub counts: Vec<(usize, u64)>,
}

/// The box-counting dimension of the cells flagged in `set` (`width ×
/// height`, row-major); `None` when the set is empty or the image is too
/// small for three box sizes.
pub fn box_counting(set: &[bool], width: usize, height: usize) -> Option<BoxCounting> {
    if !set.contains(&true) {
        return None;
    }
    let shorter = width.min(height);
    let mut counts = Vec::new();
    let mut s = MIN_BOX;
    while s * MIN_BOXES_ACROSS <= shorter {
        counts.push((s, occupied_boxes(set, width, height, s)));
        s *= 2;
    }
    if counts.len() < 3 {
        return None;
    }
    let points: Vec<(f64, f64)> = counts
        .iter()
        .map(|&(s, n)| (-(s as f64).ln(), (n as f64).ln()))
        .collect();
    let (dimension, standard_error) = fit_slope(&points);
    Some(BoxCounting {
        dimension,
        standard_error,
        fit_range: (counts[0].0, counts[counts.len() - 1].0),
        counts,
    })
}

/// Boxes of side `s` holding at least one flagged cell.
fn occupied_boxes(set: &[bool], width: usize, height: usize, s: usize) -> u64 {
    let across = width.div_ceil(s);
    let mut occupied = vec![false; across * height.div_ceil(s)];
    for y in 0..height {
        for x in 0..width {
            if set[y * width + x] {
                occupied[(y / s) * across + x / s] = true;
            }
        }
    }
    occupied.iter().filter(|&&o| o).count() as u64
}

/// Least-squares slope of `y` on `x`, and its standard error.
fn fit_slope(points: &[(f64, f64)]) -> (f64, f64) {
    let n = points.len() as f64;
    let mx = points.iter().map(|p| p.0).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let slope = sxy / sxx;
    let intercept = my - slope * mx;
    let residuals: f64 = points
        .iter()
        .map(|p| (p.1 - intercept - slope * p.0).powi(2))
        .sum();
    let error = if points.len() > 2 {
        (residuals / (n - 2.0) / sxx).sqrt()
    } else {
        0.0
    };
    (slope, error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slope_and_error_by_hand() {
        // y = 2x + 1 exactly: slope 2, no error.
        let (slope, error) = fit_slope(&[(0.0, 1.0), (1.0, 3.0), (2.0, 5.0)]);
        assert!((slope - 2.0).abs() < 1e-12 && error.abs() < 1e-12);
        // (0,0), (1,1), (2,1): slope 1/2, residuals 1/6, 1/3, 1/6 (sum of
        // squares 1/6), sxx = 2: error sqrt(1/6 / 1 / 2).
        let (slope, error) = fit_slope(&[(0.0, 0.0), (1.0, 1.0), (2.0, 1.0)]);
        assert!((slope - 0.5).abs() < 1e-12);
        assert!((error - (1.0f64 / 12.0).sqrt()).abs() < 1e-12);
    }

    #[test]
    fn boxes_count_partial_ones_at_the_edges() {
        // A 5 × 3 image with one cell set in each corner.
        let mut set = vec![false; 15];
        for i in [0, 4, 10, 14] {
            set[i] = true;
        }
        assert_eq!(occupied_boxes(&set, 5, 3, 1), 4);
        assert_eq!(occupied_boxes(&set, 5, 3, 2), 4);
        assert_eq!(occupied_boxes(&set, 5, 3, 4), 2);
        assert_eq!(occupied_boxes(&set, 5, 3, 8), 1);
    }
}
