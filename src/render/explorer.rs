//! The data behind the page's explorer (`explorer.js`): every plane the maps
//! draw, with each panel's cells as compact label codes and, within a size
//! budget, each run's settled parameters, losses and speed.
//!
//! It is embedded in `index.html` as one JSON block, so the page works from
//! a file, offline, with no request to anywhere. The script draws the panels
//! from it (zoom and pan at native resolution, any compare pair), answers
//! hover and click, and rebuilds the `basinmap train` command of a run.

use super::palette::{NOT_RUN, PairOutcome, VIRIDIS, activation_color, hex, label_color};
use super::panels::majority_label;
use super::plane::{Plane, axis_pairs, pin_indices};
use super::sweep_cells::{AXIS_NAMES, Facets, label_index};
use super::{Picture, PictureKind};
use crate::classify::Label;
use crate::grid::SweepGrid;
use crate::problem::activation::{Activation, LEAKY_SLOPE, SELU_ALPHA, SELU_LAMBDA};
use crate::problem::data::DataMode;
use crate::spec::SweepSpec;
use crate::store::RunRecord;
use base64::Engine;
use serde::Serialize;

/// Runs on the maps beyond which the page embeds labels only: every run's
/// details cost 48 bytes of base64, so 100 000 runs make a page of ~5 MB
/// that a browser still opens in a moment.
pub const DETAIL_BUDGET: usize = 100_000;

/// Cells on the maps beyond which the page embeds nothing to explore (one
/// byte each): the static pictures stay.
pub const LABEL_BUDGET: usize = 8_000_000;

/// The values embedded per run, in this order, as little-endian `f32`.
pub const DETAIL_FIELDS: [&str; 9] = [
    "a",
    "b",
    "c",
    "d",
    "train_loss",
    "eval_loss",
    "mean_loss",
    "converged_at",
    "settled_step",
];

#[derive(Serialize)]
pub struct ExplorerData {
    /// Label names in code order (`'0'` is the first); `'.'` is "not run".
    labels: Vec<&'static str>,
    label_colors: Vec<String>,
    not_run_color: String,
    /// Pair outcomes in `PairOutcome::ALL` order.
    pair_colors: Vec<String>,
    viridis: Vec<[u8; 3]>,
    activations: Vec<Activation>,
    activation_colors: Vec<String>,
    /// The activations' constants, so the page computes them as Rust does.
    constants: Constants,
    variants: Vec<VariantInfo>,
    replicates: u32,
    /// The `[render] compare` pair, as activation indices.
    compare: [usize; 2],
    /// `basinmap train --spec …` needs the spec: its path as the page names it.
    spec_path: String,
    detail: bool,
    detail_fields: [&'static str; 9],
    detail_budget: usize,
    label_budget: usize,
    /// Runs the maps show (planes × panels × cells).
    map_runs: usize,
    speed: ScaleInfo,
    loss: ScaleInfo,
    converged_loss: f64,
    planes: Vec<PlaneData>,
    /// The static pictures whose cells answer hover and click.
    pictures: Vec<PictureData>,
}

#[derive(Serialize)]
struct Constants {
    leaky_slope: f64,
    selu_alpha: f64,
    selu_lambda: f64,
}

#[derive(Serialize)]
struct VariantInfo {
    describe: String,
    title: String,
    /// Flags that pick this setting on `basinmap train` (`["--lr", "0.3"]`).
    flags: Vec<String>,
    /// Seed of fixed and fresh data (replicate `r` trains on `seed + r`);
    /// `None` for data that has no seed.
    data_seed: Option<u64>,
}

#[derive(Serialize)]
struct ScaleInfo {
    min: f64,
    max: f64,
    log: bool,
}

#[derive(Serialize)]
struct PlaneData {
    x: &'static str,
    y: &'static str,
    x_values: Vec<f64>,
    y_values: Vec<f64>,
    /// The start's value on every axis; the plane's two are overwritten.
    pin: [f64; 4],
    /// `"c-d"`, as in the pictures' file names.
    stem: String,
    /// Variant-major, activation-minor.
    panels: Vec<PanelData>,
}

#[derive(Serialize)]
struct PanelData {
    variant: usize,
    activation: usize,
    /// One character per cell, row by row from the bottom row: the code of
    /// the most frequent label over the replicates, or `'.'`.
    labels: String,
    /// Replicate 0's run per cell: `DETAIL_FIELDS` as base64 `f32`s (NaN
    /// where not run), or empty beyond the budget.
    detail: String,
}

#[derive(Serialize)]
struct PictureData {
    file: String,
    kind: &'static str,
    stem: String,
    /// Image size in layout pixels.
    width: u32,
    height: u32,
    nx: usize,
    ny: usize,
    cell_width: u32,
    cell_height: u32,
    /// Top-left of each panel's cells, and what the panel shows: `(variant,
    /// activation)` or, on a compare map, `(variant, none)`.
    panels: Vec<PicturePanel>,
}

#[derive(Serialize)]
struct PicturePanel {
    left: i32,
    top: i32,
    variant: usize,
    activation: Option<usize>,
}

impl ExplorerData {
    /// The explorer's data, or `None` for sampled sweeps (their maps bin
    /// runs; no cell is one run) and beyond [`LABEL_BUDGET`].
    pub fn new(
        spec: &SweepSpec,
        grid: &SweepGrid,
        facets: &Facets,
        records: &[RunRecord],
        pictures: &[Picture],
        spec_path: String,
    ) -> Option<ExplorerData> {
        if spec.grid.sample.is_some() {
            return None;
        }
        let cells = facets.first();
        let pin = pin_indices(cells, spec.render.pin.values());
        let planes: Vec<Plane> = axis_pairs(cells)
            .into_iter()
            .map(|(x, y)| Plane { x, y, pin })
            .collect();
        let panels = facets.facets.len() * cells.activations.len();
        let map_runs: usize = planes
            .iter()
            .map(|p| {
                let (nx, ny) = p.size(cells);
                nx * ny * panels
            })
            .sum();
        if map_runs > LABEL_BUDGET {
            return None;
        }
        let detail = map_runs <= DETAIL_BUDGET;
        let index_of = |a: Activation| cells.activations.iter().position(|&x| x == a);
        let (first, second) = spec.render.compare;
        let compare = match (index_of(first), index_of(second)) {
            (Some(f), Some(s)) => [f, s],
            _ => [0, 1.min(cells.activations.len() - 1)],
        };
        let speed = super::speed_map::scale(facets);
        let loss = super::loss_map::scale(facets);
        let variants = grid
            .variants
            .iter()
            .zip(&facets.facets)
            .map(|(v, f)| VariantInfo {
                describe: f.describe.clone(),
                title: f.title.clone(),
                flags: v.flags(),
                data_seed: matches!(v.config.data.mode, DataMode::Fixed | DataMode::Fresh)
                    .then_some(v.config.data.seed),
            })
            .collect();
        Some(ExplorerData {
            labels: Label::ALL.iter().map(|l| l.name()).collect(),
            label_colors: Label::ALL.iter().map(|&l| hex(label_color(l))).collect(),
            not_run_color: hex(NOT_RUN),
            pair_colors: PairOutcome::ALL.iter().map(|o| hex(o.color())).collect(),
            viridis: VIRIDIS.iter().map(|&(r, g, b)| [r, g, b]).collect(),
            activations: cells.activations.clone(),
            activation_colors: cells
                .activations
                .iter()
                .map(|&a| hex(activation_color(a)))
                .collect(),
            constants: Constants {
                leaky_slope: LEAKY_SLOPE,
                selu_alpha: SELU_ALPHA,
                selu_lambda: SELU_LAMBDA,
            },
            variants,
            replicates: cells.replicates,
            compare,
            spec_path,
            detail,
            detail_fields: DETAIL_FIELDS,
            detail_budget: DETAIL_BUDGET,
            label_budget: LABEL_BUDGET,
            map_runs,
            speed: ScaleInfo {
                min: speed.min,
                max: speed.max,
                log: speed.log,
            },
            loss: ScaleInfo {
                min: loss.min,
                max: loss.max,
                log: loss.log,
            },
            converged_loss: spec.classify.converged_loss,
            planes: planes
                .iter()
                .map(|p| plane_data(facets, records, p, detail))
                .collect(),
            pictures: pictures
                .iter()
                .filter_map(|p| picture_data(p, cells.activations.len()))
                .collect(),
        })
    }

    /// The JSON to embed in a `<script type="application/json">` block:
    /// `<` is escaped so no text in it can close the block.
    pub fn to_embedded_json(&self) -> String {
        serde_json::to_string(self)
            .expect("explorer data is plain numbers and strings")
            .replace('<', "\\u003c")
    }
}

fn plane_data(facets: &Facets, records: &[RunRecord], plane: &Plane, detail: bool) -> PlaneData {
    let cells = facets.first();
    let (nx, ny) = plane.size(cells);
    let mut pin = [0.0; 4];
    for (k, slot) in pin.iter_mut().enumerate() {
        *slot = cells.axes[k][plane.pin[k]];
    }
    let mut panels = Vec::new();
    for (variant, facet) in facets.facets.iter().enumerate() {
        let cells = &facet.cells;
        for act in 0..cells.activations.len() {
            let mut labels = String::with_capacity(nx * ny);
            let mut bytes = Vec::with_capacity(if detail { nx * ny * 36 } else { 0 });
            for iy in 0..ny {
                for ix in 0..nx {
                    let idx = plane.index(ix, iy);
                    let runs = cells.replicates_at(act, idx);
                    labels.push(match majority_label(runs) {
                        Some(l) => char::from(b'0' + label_index(l) as u8),
                        None => '.',
                    });
                    if detail {
                        // A filled cell (refinement) has a label but no run.
                        let values = runs[0]
                            .filter(|r| r.record < facets.filled_from)
                            .map(|r| details(&records[r.record]))
                            .unwrap_or([f32::NAN; 9]);
                        for v in values {
                            bytes.extend_from_slice(&v.to_le_bytes());
                        }
                    }
                }
            }
            panels.push(PanelData {
                variant,
                activation: act,
                labels,
                detail: base64::engine::general_purpose::STANDARD.encode(&bytes),
            });
        }
    }
    PlaneData {
        x: AXIS_NAMES[plane.x],
        y: AXIS_NAMES[plane.y],
        x_values: cells.axes[plane.x].clone(),
        y_values: cells.axes[plane.y].clone(),
        pin,
        stem: plane.stem(),
        panels,
    }
}

/// One run's [`DETAIL_FIELDS`].
fn details(record: &RunRecord) -> [f32; 9] {
    let o = &record.outcome;
    let [a, b, c, d] = o.params.map(|v| v as f32);
    [
        a,
        b,
        c,
        d,
        o.train_loss as f32,
        o.eval_loss as f32,
        o.mean_loss as f32,
        o.converged_at.map_or(f32::NAN, |s| s as f32),
        o.settled_step as f32,
    ]
}

/// Where a static picture's cells are, for the kinds whose every cell is
/// one start of a plane.
fn picture_data(picture: &Picture, activations: usize) -> Option<PictureData> {
    let kind = match picture.kind {
        PictureKind::Outcome => "outcome",
        PictureKind::Compare => "compare",
        PictureKind::Speed => "speed",
        PictureKind::Loss => "loss",
        PictureKind::Probability => "probability",
        PictureKind::Marginal | PictureKind::Binned => return None,
    };
    let layout = &picture.layout;
    let per_variant = if picture.kind == PictureKind::Compare {
        1
    } else {
        activations
    };
    let panels = layout
        .panel_origins
        .iter()
        .enumerate()
        .map(|(i, &(left, top))| PicturePanel {
            left,
            top,
            variant: i / per_variant,
            activation: (picture.kind != PictureKind::Compare).then_some(i % per_variant),
        })
        .collect();
    Some(PictureData {
        file: picture.file.clone(),
        kind,
        stem: format!("{}-{}", picture.axes.0, picture.axes.1),
        width: layout.width,
        height: layout.height,
        nx: layout.nx,
        ny: layout.ny,
        cell_width: layout.cell_width,
        cell_height: layout.cell_height,
        panels,
    })
}

impl ExplorerData {
    /// Whether the page holds each run's details, not only its label.
    pub fn has_details(&self) -> bool {
        self.detail
    }

    /// Runs the maps show (planes × panels × cells).
    pub fn map_runs(&self) -> usize {
        self.map_runs
    }

    /// Where the compare pair's first activation fails and its second
    /// converges, in the first plane and training setting: the middle 80%
    /// of those starts along each axis, and the values of the other axes.
    pub fn pair_region(&self) -> Option<String> {
        let plane = self.planes.first()?;
        let panel = |act: usize| {
            plane
                .panels
                .iter()
                .find(|p| p.variant == 0 && p.activation == act)
        };
        let (first, second) = (panel(self.compare[0])?, panel(self.compare[1])?);
        let nx = plane.x_values.len();
        let (mut xs, mut ys) = (Vec::new(), Vec::new());
        for (i, (f, s)) in first.labels.bytes().zip(second.labels.bytes()).enumerate() {
            if f != b'.' && f != b'0' && s == b'0' {
                xs.push(plane.x_values[i % nx]);
                ys.push(plane.y_values[i / nx]);
            }
        }
        if xs.is_empty() {
            return None;
        }
        let middle = |values: &mut Vec<f64>| {
            values.sort_by(f64::total_cmp);
            let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
            (at(0.1), at(0.9))
        };
        let ((x0, x1), (y0, y1)) = (middle(&mut xs), middle(&mut ys));
        let v = super::heatmap::format_value;
        let others: Vec<String> = (0..4)
            .filter(|&k| AXIS_NAMES[k] != plane.x && AXIS_NAMES[k] != plane.y)
            .map(|k| format!("{}₀ = {}", AXIS_NAMES[k], v(plane.pin[k])))
            .collect();
        Some(format!(
            "mostly at {x}₀ from {} to {} and {y}₀ from {} to {} (the middle 80% of them, at {})",
            v(x0),
            v(x1),
            v(y0),
            v(y1),
            others.join(", "),
            x = plane.x,
            y = plane.y,
        ))
    }
}
