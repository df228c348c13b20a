//! The `[refine]` table: adaptive refinement of a plane. Level 0 is the
//! grid as given; each further level halves the spacing of the two varying
//! axes, but trains only the new points next to a label boundary of the
//! level before (`crate::grid::refine`). Runs live on the finest lattice,
//! whose values include every coarser level's exactly.

use super::{Axis, GridSpec};
use serde::{Deserialize, Serialize};

/// Deepest refinement accepted: 2^16 times the given resolution is already
/// far finer than any map can show.
pub const MAX_LEVELS: u32 = 16;

/// Most cells a plane's finest level may have (8193 × 8193): every level
/// is planned, and a refined map drawn, over all of them in memory.
pub const MAX_PLANE_CELLS: u64 = 8193 * 8193;

/// `[refine] levels = L`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefineSpec {
    /// Levels beyond the given grid; each doubles the resolution.
    #[serde(deserialize_with = "levels")]
    pub levels: u32,
}

/// Any integer, so that a negative or huge one is refused naming the key
/// and the valid range (not as a bare type error).
fn levels<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    let value = i64::deserialize(deserializer)?;
    u32::try_from(value)
        .ok()
        .filter(|&v| v <= MAX_LEVELS)
        .ok_or_else(|| {
            serde::de::Error::custom(format!(
                "refine.levels = {value}: give 1 to {MAX_LEVELS} levels (each doubles the resolution of the plane)"
            ))
        })
}

impl RefineSpec {
    /// Checks the levels and that `grid` is a plane that can be refined:
    /// a lattice (not sampled) whose varying axes are exactly two ranges.
    pub fn validate(&self, grid: &GridSpec) -> Result<(), String> {
        if self.levels == 0 || self.levels > MAX_LEVELS {
            return Err(format!(
                "refine.levels = {}: give 1 to {MAX_LEVELS} levels (each doubles the resolution of the plane)",
                self.levels
            ));
        }
        if grid.sample.is_some() {
            return Err(
                "refine: sampled starts ([grid] sample) cannot be refined: refinement halves a lattice's spacing; drop one of [refine] and sample"
                    .into(),
            );
        }
        let varying: Vec<&str> = grid
            .axes()
            .iter()
            .filter(|(_, axis)| axis.len() > 1)
            .map(|(name, _)| *name)
            .collect();
        if varying.len() != 2 {
            return Err(format!(
                "refine: the grid varies {} axes ({}), but refinement needs a plane: exactly two axes given as ranges {{ from, to, points }}, the others single numbers",
                varying.len(),
                if varying.is_empty() {
                    "none".to_string()
                } else {
                    varying.join(", ")
                }
            ));
        }
        for (name, axis) in grid.axes() {
            if let Axis::List(values) = axis
                && values.len() > 1
            {
                return Err(format!(
                    "refine: grid.{name} is a list; refinement halves even spacing, so give the axis as a range {{ from, to, points }}"
                ));
            }
        }
        let finest = grid.refined(self.levels);
        let sides: Vec<u64> = finest
            .axes()
            .iter()
            .map(|(_, axis)| axis.len() as u64)
            .filter(|&n| n > 1)
            .collect();
        let cells = sides.iter().product::<u64>();
        if sides.iter().any(|&n| n >= u64::from(u32::MAX)) || cells > MAX_PLANE_CELLS {
            return Err(format!(
                "refine.levels = {}: the finest level would be {} × {} cells per plane, more than basinmap refines (at most {MAX_PLANE_CELLS}, 8193 × 8193: every level is planned in memory); use fewer levels, or `basinmap zoom` into a window",
                self.levels, sides[0], sides[1]
            ));
        }
        Ok(())
    }
}

impl GridSpec {
    /// The lattice at `levels` refinements: every range with more than one
    /// point cut 2^levels times finer. Value `i` of the given range is value
    /// `i·2^levels` of the finer one, bit for bit (see [`Axis::values`]:
    /// `i/(n-1)` is the same quotient after scaling both by a power of two).
    pub fn refined(&self, levels: u32) -> GridSpec {
        let refine = |axis: &Axis| match *axis {
            Axis::Range {
                from,
                to,
                points: Some(points),
            } if points > 1 => Axis::Range {
                from,
                to,
                points: Some(
                    ((u64::from(points) - 1) << levels)
                        .saturating_add(1)
                        .min(u64::from(u32::MAX)) as u32,
                ),
            },
            ref other => other.clone(),
        };
        GridSpec {
            a: refine(&self.a),
            b: refine(&self.b),
            c: refine(&self.c),
            d: refine(&self.d),
            sample: self.sample,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plane(points: u32) -> GridSpec {
        GridSpec {
            a: Axis::Value(1.0),
            b: Axis::Value(0.5),
            c: Axis::Range {
                from: -2.0,
                to: 2.0,
                points: Some(points),
            },
            d: Axis::Range {
                from: -1.3,
                to: 0.7,
                points: Some(points),
            },
            sample: None,
        }
    }

    #[test]
    fn coarse_values_are_finest_values_bit_for_bit() {
        for points in [2, 3, 17, 65, 129] {
            let coarse = plane(points);
            for levels in 1..=6 {
                let fine = coarse.refined(levels);
                for ((_, c), (_, f)) in coarse.axes().iter().zip(fine.axes().iter()) {
                    let (cv, fv) = (c.values(), f.values());
                    assert_eq!(fv.len(), (cv.len() - 1) * (1 << levels) + 1);
                    for (i, v) in cv.iter().enumerate() {
                        assert_eq!(
                            v.to_bits(),
                            fv[i << levels].to_bits(),
                            "{points} {levels} {i}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn only_planes_of_ranges_refine() {
        let ok = RefineSpec { levels: 2 };
        assert!(ok.validate(&plane(9)).is_ok());
        assert!(RefineSpec { levels: 0 }.validate(&plane(9)).is_err());
        assert!(RefineSpec { levels: 17 }.validate(&plane(9)).is_err());
        // 8193 × 8193 is the most; one level more is refused.
        assert!(RefineSpec { levels: 10 }.validate(&plane(9)).is_ok());
        let deep = RefineSpec { levels: 11 }.validate(&plane(9)).unwrap_err();
        assert!(deep.contains("16385 × 16385 cells per plane"), "{deep}");
        let mut line = plane(9);
        line.d = Axis::Value(0.0);
        assert!(
            ok.validate(&line)
                .unwrap_err()
                .contains("varies 1 axes (c)")
        );
        let mut listed = plane(9);
        listed.c = Axis::List(vec![0.0, 1.0, 3.0]);
        assert!(
            ok.validate(&listed)
                .unwrap_err()
                .contains("grid.c is a list")
        );
        let mut cube = plane(9);
        cube.a = Axis::List(vec![0.5, 1.0]);
        assert!(ok.validate(&cube).unwrap_err().contains("varies 3 axes"));
    }
}
