//! Maps of sampled sweeps (`[grid] sample`): random starts are not cells of
//! a lattice, so each map bins them. For every pair of varying axes, a
//! range is cut into equal bins (a listed axis keeps one bin per value) and
//! each bin is shaded by the fraction of its runs that converged, over every
//! start whose other coordinates fall anywhere in the box. No point clouds:
//! a bin's color is a fraction of many runs, so it can be read.

use super::heatmap::{ColorScale, HeatmapFigure, Legend, MapAxis, Panel, Strip, Swatch};
use super::outcome_map::runs_note;
use super::palette::NOT_RUN;
use super::sweep_cells::AXIS_NAMES;
use crate::classify::Label;
use crate::grid::SweepGrid;
use crate::spec::{Axis, SweepSpec};
use crate::store::RunRecord;
use plotters::style::RGBColor;

/// How one axis of a sampled sweep is binned.
#[derive(Clone, Debug)]
pub enum Bins {
    /// `count` equal bins of `[from, to]`.
    Range { from: f64, to: f64, count: usize },
    /// One bin per listed value.
    Values(Vec<f64>),
}

impl Bins {
    /// The bins of a varying axis, or `None` for a fixed one. Ranges get
    /// about sqrt(n / 64) bins (at least 4, at most 64), so an average bin
    /// of a two-axis map holds 64 starts.
    pub fn of(axis: &Axis, samples: u64) -> Option<Bins> {
        match axis {
            Axis::Value(_) => None,
            Axis::List(values) if values.len() < 2 => None,
            Axis::List(values) => Some(Bins::Values(values.clone())),
            Axis::Range { from, to, .. } => Some(Bins::Range {
                from: *from,
                to: *to,
                count: ((samples as f64 / 64.0).sqrt().round() as usize).clamp(4, 64),
            }),
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Bins::Range { count, .. } => *count,
            Bins::Values(values) => values.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bin `v` falls in.
    pub fn index(&self, v: f64) -> Option<usize> {
        match self {
            Bins::Range { from, to, count } => {
                let t = (v - from) / (to - from);
                (0.0..=1.0)
                    .contains(&t)
                    .then(|| ((t * *count as f64) as usize).min(count - 1))
            }
            Bins::Values(values) => values.iter().position(|&x| x == v),
        }
    }

    /// The value at each bin's center (what the axis is labelled with).
    pub fn centers(&self) -> Vec<f64> {
        match self {
            Bins::Range { from, to, count } => (0..*count)
                .map(|k| from + (to - from) * (k as f64 + 0.5) / *count as f64)
                .collect(),
            Bins::Values(values) => values.clone(),
        }
    }
}

/// One binned map per pair of varying axes: `(file stem, axes, figure,
/// caption)`.
pub fn figures(
    spec: &SweepSpec,
    grid: &SweepGrid,
    records: &[RunRecord],
    training: &str,
) -> Vec<((usize, usize), HeatmapFigure, String)> {
    let n = spec.grid.sample.map_or(0, |s| s.n);
    let bins: Vec<Option<Bins>> = spec
        .grid
        .axes()
        .iter()
        .map(|(_, axis)| Bins::of(axis, n))
        .collect();
    let varying: Vec<usize> = (0..4).filter(|&k| bins[k].is_some()).collect();
    let mut pairs = Vec::new();
    for (i, &x) in varying.iter().enumerate() {
        for &y in &varying[i + 1..] {
            pairs.push((x, y));
        }
    }
    pairs
        .into_iter()
        .map(|(x, y)| {
            let (bx, by) = (
                bins[x].as_ref().expect("varying"),
                bins[y].as_ref().expect("varying"),
            );
            let (figure, caption) = figure(spec, grid, records, training, (x, y), (bx, by));
            ((x, y), figure, caption)
        })
        .collect()
}

fn figure(
    spec: &SweepSpec,
    grid: &SweepGrid,
    records: &[RunRecord],
    training: &str,
    (x, y): (usize, usize),
    (bx, by): (&Bins, &Bins),
) -> (HeatmapFigure, String) {
    let scale = ColorScale {
        min: 0.0,
        max: 1.0,
        log: false,
        reversed: false,
    };
    let (nx, ny) = (bx.len(), by.len());
    let activations = grid.activations.len();
    // [variant][activation][bin]: (converged, runs)
    let mut tallies = vec![vec![vec![(0u64, 0u64); nx * ny]; activations]; grid.variants.len()];
    for r in records {
        let Some(act) = grid.activations.iter().position(|&a| a == r.activation) else {
            continue;
        };
        let (Some(ix), Some(iy)) = (bx.index(r.start[x]), by.index(r.start[y])) else {
            continue;
        };
        if let Some(variant) = tallies.get_mut(r.variant as usize) {
            let cell = &mut variant[act][iy * nx + ix];
            cell.0 += u64::from(r.label() == Label::Converged);
            cell.1 += 1;
        }
    }
    let faceted = grid.variants.len() > 1;
    let mut panels = Vec::new();
    let mut strips = Vec::new();
    for (variant, per_activation) in grid.variants.iter().zip(&tallies) {
        for (act, cells) in per_activation.iter().enumerate() {
            let colors: Vec<RGBColor> = cells
                .iter()
                .map(|&(converged, runs)| {
                    if runs == 0 {
                        NOT_RUN
                    } else {
                        scale.color(converged as f64 / runs as f64)
                    }
                })
                .collect();
            let converged: u64 = cells.iter().map(|c| c.0).sum();
            let runs: u64 = cells.iter().map(|c| c.1).sum();
            panels.push(Panel {
                title: grid.activations[act].name().to_string(),
                note: runs_note(converged as usize, runs as usize),
                cells: colors,
            });
        }
        if faceted {
            strips.push(Strip {
                label: variant.describe(),
                panels: activations,
            });
        }
    }
    let (xn, yn) = (AXIS_NAMES[x], AXIS_NAMES[y]);
    let hidden: Vec<&str> = (0..4)
        .filter(|&k| k != x && k != y)
        .filter(|&k| Bins::of(spec.grid.axes()[k].1, 0).is_some())
        .map(|k| AXIS_NAMES[k])
        .collect();
    let over = if hidden.is_empty() {
        String::new()
    } else {
        format!(", over every value of {}", hidden.join(" and "))
    };
    let n = spec.grid.sample.map_or(0, |s| s.n);
    let caption = format!(
        "Fraction of runs that converged, by region of the {xn}–{yn} plane{over}: {n} random starts, binned \
         {nx} × {ny}; each bin's color is the share of its runs that converged. Yellow: all; dark purple: none. \
         Gray: no start fell in the bin yet."
    );
    let figure = HeatmapFigure {
        title: format!("Converged fraction by start region ({xn}, {yn}){over}"),
        subtitle: if faceted {
            format!("{training} · one row per training setting")
        } else {
            training.to_string()
        },
        x: MapAxis {
            name: AXIS_NAMES[x],
            values: bx.centers(),
        },
        y: MapAxis {
            name: AXIS_NAMES[y],
            values: by.centers(),
        },
        legend: Legend::Colorbar {
            title: "fraction converged".into(),
            scale,
            extra: vec![Swatch::new(NOT_RUN, "no start here yet")],
        }
        .counted(&panels),
        panels,
        strips,
        markers: Vec::new(),
    };
    (figure, caption)
}
