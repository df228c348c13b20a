//! Pictures: heatmaps of sweeps, the page that shows them, and the learned
//! function of one run.
//!
//! [`render_all`] turns a sweep's records (finished or not) into every map
//! and `index.html`:
//! - outcome maps, for each pair of varying axes, one panel per activation
//!   (`outcome_map`), and with replicates the probability of convergence;
//! - speed maps, converged starts shaded by `converged_at` (`speed_map`);
//! - loss maps, every start shaded by its mean training loss (`loss_map`);
//! - compare maps for a pair of activations (`compare_map`);
//! - with more than two varying axes, the maps are slices through a pin point
//!   and marginal maps summarise the hidden axes (`marginal_map`).
//!
//! When the spec's `[train]` table lists several values (training
//! *variants*, `spec.train.variants()`), every picture shows all variants on
//! shared axes and colors: the activation maps (outcome, speed, probability,
//! marginal) as a grid with one row per variant, under a band labelled with
//! its settings, and one column per activation; the compare map one panel
//! per variant. A reader follows a basin down a column, setting to setting,
//! in one image. The page lists the variants and gives the summary table
//! one block per variant (`data-variant` = `TrainVariant::describe()`). With
//! one variant everything is drawn as before.
//!
//! `heatmap` lays out and draws any of them with plotters, `canvas` writes
//! the files (PNG at two device pixels per layout pixel, SVG with crisp
//! cells), `font` supplies the embedded font, `palette` the fixed colors,
//! `html` the page.

pub mod canvas;
pub mod caption;
pub mod compare_map;
pub mod explorer;
pub mod font;
pub mod heatmap;
pub mod html;
pub mod loss_map;
pub mod marginal_map;
pub mod outcome_map;
pub mod palette;
pub mod panels;
pub mod plane;
pub mod sample_map;
pub mod speed_map;
pub mod sweep_cells;
pub mod tally;
pub mod training_plot;
pub mod training_words;
pub mod viewer;
pub mod zoom_window;

pub use heatmap::HeatmapLayout;
pub(crate) use viewer::open_in_viewer;

use crate::grid::SweepGrid;
use crate::spec::{RenderOptions, SweepSpec};
use crate::store::RunRecord;
use anyhow::{Result, bail};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use sweep_cells::Facets;
use tally::Tally;

/// Picture file format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    #[default]
    Png,
    Svg,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Svg => "svg",
        }
    }

    /// The format a file name asks for (`.png` or `.svg`, any case).
    pub fn from_path(path: &Path) -> Result<Format> {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        match ext.parse() {
            Ok(format) => Ok(format),
            Err(_) => bail!(
                "{}: cannot tell the picture format: the file name must end in .png or .svg",
                path.display()
            ),
        }
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Format, String> {
        match s.to_ascii_lowercase().as_str() {
            "png" => Ok(Format::Png),
            "svg" => Ok(Format::Svg),
            _ => Err(format!("unknown picture format '{s}' (valid: png, svg)")),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.extension())
    }
}

/// What a picture shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PictureKind {
    /// Labels per start, one panel per activation.
    Outcome,
    /// Probability of convergence over replicates.
    Probability,
    /// Steps to converge.
    Speed,
    /// Mean training loss.
    Loss,
    /// Pair of activations.
    Compare,
    /// Fraction converged over hidden axes.
    Marginal,
    /// Sampled starts: converged fraction per bin.
    Binned,
}

impl PictureKind {
    pub fn heading(self) -> &'static str {
        match self {
            PictureKind::Outcome => "Outcome maps",
            PictureKind::Compare => "Compare maps",
            PictureKind::Speed => "Speed maps",
            PictureKind::Loss => "Loss maps",
            PictureKind::Probability => "Probability of convergence",
            PictureKind::Marginal => "Marginal maps",
            PictureKind::Binned => "Converged fraction by region",
        }
    }
}

/// One written picture.
#[derive(Clone, Debug)]
pub struct Picture {
    /// File name inside the render directory.
    pub file: String,
    pub kind: PictureKind,
    /// Axis names across and up.
    pub axes: (&'static str, &'static str),
    pub caption: String,
    /// Panel titles, left to right, then top to bottom.
    pub panels: Vec<String>,
    /// The training variant each panel shows ([`TrainVariant::describe`],
    /// the page's `data-variant`), one per panel; empty strings when the
    /// spec lists no training setting.
    ///
    /// [`TrainVariant::describe`]: crate::spec::TrainVariant::describe
    pub variants: Vec<String>,
    /// Where each cell was drawn.
    pub layout: HeatmapLayout,
}

/// What [`render_all`] wrote.
#[derive(Clone, Debug)]
pub struct RenderReport {
    pub index: PathBuf,
    pub pictures: Vec<Picture>,
    pub runs_done: usize,
    pub runs_total: usize,
    /// Records whose start, activation or replicate is not in the spec.
    pub runs_ignored: usize,
    /// What the page's text counted (filled cells of a refined plane
    /// included), for the caller's own summary.
    pub tally: Tally,
}

/// A picture to draw: its file, kind, axes and contents.
struct Job {
    file: String,
    kind: PictureKind,
    axes: (&'static str, &'static str),
    figure: heatmap::HeatmapFigure,
    caption: String,
    /// Per panel: the variant it shows.
    variants: Vec<String>,
}

/// Draws every map of a sweep into `dir` and writes `dir/index.html`, as
/// the spec's `[render]` table says.
pub fn render_all(
    dir: &Path,
    spec: &SweepSpec,
    records: &[RunRecord],
    format: Format,
) -> Result<RenderReport> {
    render_sweep(dir, spec, &SweepGrid::new(spec), records, format)
}

/// [`render_all`] with the sweep's grid already built (as a loaded results
/// directory has it).
pub fn render_sweep(
    dir: &Path,
    spec: &SweepSpec,
    grid: &SweepGrid,
    records: &[RunRecord],
    format: Format,
) -> Result<RenderReport> {
    let options = &spec.render;
    options.validate().map_err(|e| anyhow::anyhow!(e))?;
    std::fs::create_dir_all(dir)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
    crate::store::remove_stale_temporaries(dir);
    // A refined plane is drawn at its finest level, filled cells included.
    if let Some(refinement) = &grid.refinement {
        let cells = refinement.points() as u64 * grid.group_count();
        crate::sweep::preflight::check_drawing(dir, cells)?;
    }
    let completed = crate::store::filled::complete(grid, records.to_vec());
    let records = &completed.records[..];
    let tally = Tally::new(grid, records, options.compare);
    let training = training_words::training_summary(spec, &grid.variants);
    let (jobs, runs_ignored, facets) = if spec.grid.sample.is_some() {
        let placed = records
            .iter()
            .filter(|r| {
                grid.find(r.start, r.activation, r.replicate, r.variant)
                    .is_some()
            })
            .count();
        (
            plan_sampled(spec, grid, records, &training, format),
            records.len() - placed,
            None,
        )
    } else {
        let mut facets = Facets::new(spec, grid, records);
        if completed.runs < records.len() {
            facets.filled_from = completed.runs;
        }
        let off_grid = facets.off_grid;
        (
            plan(&facets, options, &training, format),
            off_grid,
            Some(facets),
        )
    };
    let pictures = jobs
        .into_par_iter()
        .map(|job| {
            let layout = crate::store::replace_atomically(&dir.join(&job.file), |tmp| {
                heatmap::write(&job.figure, tmp, format)
            })?;
            Ok(Picture {
                file: job.file,
                kind: job.kind,
                axes: job.axes,
                caption: job.caption,
                panels: job.figure.panels.iter().map(|p| p.title.clone()).collect(),
                variants: job.variants,
                layout,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let spec_file = dir.join(crate::store::SPEC_FILE);
    let spec_path = if spec_file.is_file() {
        spec_file.display().to_string()
    } else {
        "SPEC.toml".to_string()
    };
    let explorer = facets.and_then(|facets| {
        explorer::ExplorerData::new(spec, grid, &facets, records, &pictures, spec_path)
    });
    let mut extras = Vec::new();
    if let Some(origin) = &spec.zoom
        && let Some((file, page)) = zoom_window::draw(dir, origin, format)?
    {
        extras.push(html::zoom_section(spec, origin, &file, &page));
    }
    if spec.grid.sample.is_none() {
        let labels: std::collections::HashMap<u64, crate::classify::Label> = records
            [..completed.runs]
            .iter()
            .filter_map(|r| {
                Some((
                    grid.find(r.start, r.activation, r.replicate, r.variant)?,
                    r.label(),
                ))
            })
            .collect();
        if let Ok(planes) =
            crate::boundary::planes::plane_boundaries(grid, |id| labels.get(&id).copied())
        {
            extras.push(html::boundary_section(&planes, &dir.display().to_string()));
        }
    }
    let index = html::write_index(
        dir,
        spec,
        &tally,
        &training,
        &pictures,
        explorer.as_ref(),
        &extras,
    )?;
    Ok(RenderReport {
        index,
        pictures,
        runs_done: tally.done(),
        runs_total: tally.total(),
        runs_ignored,
        tally,
    })
}

/// The pictures of a sampled sweep: one binned map per pair of varying axes.
fn plan_sampled(
    spec: &SweepSpec,
    grid: &SweepGrid,
    records: &[RunRecord],
    training: &str,
    format: Format,
) -> Vec<Job> {
    let per_activation: Vec<String> = grid
        .variants
        .iter()
        .flat_map(|v| std::iter::repeat_n(v.describe(), grid.activations.len()))
        .collect();
    sample_map::figures(spec, grid, records, training)
        .into_iter()
        .map(|((x, y), figure, caption)| Job {
            file: format!(
                "binned-{}-{}.{}",
                sweep_cells::AXIS_NAMES[x],
                sweep_cells::AXIS_NAMES[y],
                format.extension()
            ),
            kind: PictureKind::Binned,
            axes: (sweep_cells::AXIS_NAMES[x], sweep_cells::AXIS_NAMES[y]),
            figure,
            caption,
            variants: per_activation.clone(),
        })
        .collect()
}

/// Every picture of a sweep, in page order. With several training variants
/// each picture shows all of them: the activation maps one row per variant,
/// the compare map one panel per variant.
fn plan(facets: &Facets, options: &RenderOptions, training: &str, format: Format) -> Vec<Job> {
    let cells = facets.first();
    let pin = plane::pin_indices(cells, options.pin.values());
    let planes: Vec<plane::Plane> = plane::axis_pairs(cells)
        .into_iter()
        .map(|(x, y)| plane::Plane { x, y, pin })
        .collect();
    let speed_scale = speed_map::scale(facets);
    let loss_scale = loss_map::scale(facets);
    let ext = format.extension();
    let per_activation: Vec<String> = facets
        .facets
        .iter()
        .flat_map(|f| std::iter::repeat_n(f.describe.clone(), cells.activations.len()))
        .collect();
    let per_variant: Vec<String> = facets.facets.iter().map(|f| f.describe.clone()).collect();
    let mut jobs = Vec::new();
    let mut push = |kind, file: String, p: &plane::Plane, (figure, caption)| {
        let variants = if kind == PictureKind::Compare {
            per_variant.clone()
        } else {
            per_activation.clone()
        };
        jobs.push(Job {
            file,
            kind,
            axes: (sweep_cells::AXIS_NAMES[p.x], sweep_cells::AXIS_NAMES[p.y]),
            figure,
            caption,
            variants,
        })
    };
    for p in &planes {
        push(
            PictureKind::Outcome,
            format!("outcome-{}.{ext}", p.stem()),
            p,
            outcome_map::figure(facets, p, training, options.show_runs),
        );
    }
    let (first, second) = options.compare;
    for p in &planes {
        if let Some(fig) = compare_map::figure(facets, p, training, options.compare) {
            push(
                PictureKind::Compare,
                format!("compare-{first}-{second}-{}.{ext}", p.stem()),
                p,
                fig,
            );
        }
    }
    for p in &planes {
        push(
            PictureKind::Speed,
            format!("speed-{}.{ext}", p.stem()),
            p,
            speed_map::figure(facets, p, training, speed_scale),
        );
    }
    for p in &planes {
        push(
            PictureKind::Loss,
            format!("loss-{}.{ext}", p.stem()),
            p,
            loss_map::figure(facets, p, training, loss_scale),
        );
    }
    if cells.replicates > 1 {
        for p in &planes {
            push(
                PictureKind::Probability,
                format!("probability-{}.{ext}", p.stem()),
                p,
                outcome_map::probability_figure(facets, p, training),
            );
        }
    }
    for p in planes.iter().filter(|p| !p.hidden(cells).is_empty()) {
        push(
            PictureKind::Marginal,
            format!("marginal-{}.{ext}", p.stem()),
            p,
            marginal_map::figure(facets, p, training),
        );
    }
    jobs
}
