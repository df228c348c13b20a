//! Which planes of the grid get drawn, the pin point that fixes the other
//! axes, and where the original discussion's starts fall in a plane.

use super::heatmap::{MapAxis, Marker, MarkerShape, format_value};
use super::sweep_cells::{AXIS_NAMES, SweepCells, nearest};

/// The original discussion's start, `a = 1, b = 0.5, c = 1, d = -0.5`: the
/// default pin point.
pub(crate) const DEFAULT_PIN: [f64; 4] = [1.0, 0.5, 1.0, -0.5];

/// The two starts of the reference table (docs/science.md), marked wherever they lie in a plane.
pub(crate) const ORIGINAL_STARTS: [([f64; 4], MarkerShape); 2] = [
    ([1.0, 0.5, 1.0, -0.5], MarkerShape::Circle),
    ([1.0, 0.5, 1.0, 0.0], MarkerShape::Diamond),
];

/// A plane through the grid: axis `x` across, `y` up, every other axis at
/// index `pin[k]`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Plane {
    pub x: usize,
    pub y: usize,
    pub pin: [usize; 4],
}

impl Plane {
    /// Axis indices of cell `(ix, iy)`.
    pub fn index(&self, ix: usize, iy: usize) -> [usize; 4] {
        let mut idx = self.pin;
        idx[self.x] = ix;
        idx[self.y] = iy;
        idx
    }

    /// `"c-d"`, for file names.
    pub fn stem(&self) -> String {
        format!("{}-{}", AXIS_NAMES[self.x], AXIS_NAMES[self.y])
    }

    /// The other axes that vary in the sweep.
    pub fn hidden(&self, cells: &SweepCells) -> Vec<usize> {
        cells
            .varying()
            .into_iter()
            .filter(|&k| k != self.x && k != self.y)
            .collect()
    }

    /// `"a = 1, b = 0.5"`: the values of the other axes in this plane.
    pub fn fixed_values(&self, cells: &SweepCells) -> String {
        (0..4)
            .filter(|&k| k != self.x && k != self.y)
            .map(|k| {
                format!(
                    "{} = {}",
                    AXIS_NAMES[k],
                    format_value(cells.axes[k][self.pin[k]])
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn x_axis(&self, cells: &SweepCells) -> MapAxis {
        MapAxis {
            name: AXIS_NAMES[self.x],
            values: cells.axes[self.x].clone(),
        }
    }

    pub fn y_axis(&self, cells: &SweepCells) -> MapAxis {
        MapAxis {
            name: AXIS_NAMES[self.y],
            values: cells.axes[self.y].clone(),
        }
    }

    pub fn size(&self, cells: &SweepCells) -> (usize, usize) {
        (cells.axes[self.x].len(), cells.axes[self.y].len())
    }
}

/// The pin point's index on every axis: the grid value nearest to the
/// requested (or default) value.
pub(crate) fn pin_indices(cells: &SweepCells, pin: [Option<f64>; 4]) -> [usize; 4] {
    std::array::from_fn(|k| {
        let want = pin[k].unwrap_or(DEFAULT_PIN[k]);
        nearest(&cells.axes[k], want).map_or(0, |(i, _)| i)
    })
}

/// The axis pairs to draw: every pair of varying axes; with fewer than two
/// varying axes, one plane that includes them (padded with fixed axes).
pub(crate) fn axis_pairs(cells: &SweepCells) -> Vec<(usize, usize)> {
    let varying = cells.varying();
    match varying.len() {
        0 => vec![(2, 3)],
        1 => {
            let v = varying[0];
            let other = if v == 3 { 2 } else { 3 };
            vec![(v.min(other), v.max(other))]
        }
        _ => {
            let mut pairs = Vec::new();
            for (i, &x) in varying.iter().enumerate() {
                for &y in &varying[i + 1..] {
                    pairs.push((x, y));
                }
            }
            pairs
        }
    }
}

/// Where `v` sits among `values` as a fractional cell index, if it lies
/// within the cells (up to half a cell past either end).
pub(crate) fn fractional_index(values: &[f64], v: f64) -> Option<f64> {
    let n = values.len();
    if n == 1 {
        return ((v - values[0]).abs() <= 1e-9 * v.abs().max(1.0)).then_some(0.0);
    }
    for i in 0..n - 1 {
        let (lo, hi) = (values[i], values[i + 1]);
        if (lo <= v && v <= hi) || (hi <= v && v <= lo) {
            return Some(if hi == lo {
                i as f64
            } else {
                i as f64 + (v - lo) / (hi - lo)
            });
        }
    }
    let before = (v - values[0]) / (values[1] - values[0]);
    if (-0.5..0.0).contains(&before) {
        return Some(before);
    }
    let after = (v - values[n - 1]) / (values[n - 1] - values[n - 2]);
    (0.0..=0.5)
        .contains(&after)
        .then_some((n - 1) as f64 + after)
}

/// Markers for the original starts that lie in `plane`. With `projected`,
/// the hidden axes are summarised over (marginal maps), so only the two
/// drawn coordinates must fall inside; otherwise the start must also sit in
/// this slice's cell on every other axis.
pub(crate) fn original_start_markers(
    cells: &SweepCells,
    plane: &Plane,
    projected: bool,
) -> Vec<Marker> {
    let mut markers = Vec::new();
    for (start, shape) in ORIGINAL_STARTS {
        let in_slice = (0..4).filter(|&k| k != plane.x && k != plane.y).all(|k| {
            let values = &cells.axes[k];
            if projected && values.len() > 1 {
                return true;
            }
            fractional_index(values, start[k]).is_some()
                && nearest(values, start[k]).is_some_and(|(i, _)| i == plane.pin[k])
        });
        let x = fractional_index(&cells.axes[plane.x], start[plane.x]);
        let y = fractional_index(&cells.axes[plane.y], start[plane.y]);
        if let (true, Some(x), Some(y)) = (in_slice, x, y) {
            markers.push(Marker {
                shape,
                x,
                y,
                label: start_label(start),
            });
        }
    }
    markers
}

/// `"start a=1, b=0.5, c=1, d=-0.5"`.
pub(crate) fn start_label(start: [f64; 4]) -> String {
    let parts: Vec<String> = (0..4)
        .map(|k| format!("{}={}", AXIS_NAMES[k], format_value(start[k])))
        .collect();
    format!("start {}", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractional_positions() {
        let v = [-0.5, 0.0, 0.5];
        assert_eq!(fractional_index(&v, -0.5), Some(0.0));
        assert_eq!(fractional_index(&v, 0.25), Some(1.5));
        assert!((fractional_index(&v, 0.7).unwrap() - 2.4).abs() < 1e-9);
        assert_eq!(fractional_index(&v, 0.8), None);
        assert_eq!(fractional_index(&[1.0], 1.0), Some(0.0));
        assert_eq!(fractional_index(&[1.0], 1.5), None);
    }
}
