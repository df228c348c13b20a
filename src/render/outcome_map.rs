//! Outcome maps: every start of a plane colored by the label its run ended
//! with, one panel per activation; and, with replicates, the probability of
//! convergence per start.

use super::caption::{layout_sentence, layout_words, per_variant, where_words};
use super::heatmap::{ColorScale, HeatmapFigure, Legend, Swatch};
use super::palette::{NOT_RUN, label_color};
use super::panels::{activation_figure, cell_unit, colorbar, share_note};
use super::panels::{activation_panels, majority_label, plane_cells};
use super::plane::{Plane, original_start_markers};
use super::sweep_cells::{Facets, SweepCells};
use super::tally::{percent, thousands};
use crate::classify::Label;
use plotters::style::RGBColor;

/// Swatches for every label and "not run", in a fixed order.
pub(crate) fn label_legend() -> Vec<Swatch> {
    let mut items: Vec<_> = Label::ALL
        .iter()
        .map(|&l| Swatch::new(label_color(l), l.name()))
        .collect();
    items.push(Swatch::new(NOT_RUN, "not run yet"));
    items
}

/// `"converged 28% of 166,410 runs"`: what a panel shading each start by
/// its fraction of converged runs adds up to.
pub(crate) fn runs_note(converged: usize, done: usize) -> String {
    if done == 0 {
        return "not run yet".into();
    }
    format!(
        "converged {} of {} runs",
        percent(converged, done),
        thousands(done)
    )
}

/// "relu 48%, selu 12%": share of finished runs in the plane that converged.
pub(crate) fn converged_shares(cells: &SweepCells, plane: &Plane) -> String {
    let (nx, ny) = plane.size(cells);
    let shares: Vec<String> = cells
        .activations
        .iter()
        .enumerate()
        .map(|(act, activation)| {
            let (mut done, mut converged) = (0usize, 0usize);
            for iy in 0..ny {
                for ix in 0..nx {
                    for run in cells
                        .replicates_at(act, plane.index(ix, iy))
                        .iter()
                        .flatten()
                    {
                        done += 1;
                        converged += usize::from(run.converged());
                    }
                }
            }
            if done == 0 {
                format!("{activation} not run yet")
            } else {
                format!(
                    "{activation} {:.0}%",
                    100.0 * converged as f64 / done as f64
                )
            }
        })
        .collect();
    shares.join(", ")
}

/// A filled cell's color under `--show-runs`: its label's, washed out, so
/// the trained cells stand out along the boundaries.
fn filled_tint(color: RGBColor) -> RGBColor {
    let wash = |c: u8| ((u16::from(c) + 2 * 255) / 3) as u8;
    RGBColor(wash(color.0), wash(color.1), wash(color.2))
}

pub(crate) fn figure(
    facets: &Facets,
    plane: &Plane,
    training: &str,
    show_runs: bool,
) -> (HeatmapFigure, String) {
    let cells = facets.first();
    // With replicates a cell shows its majority label: the notes count
    // starts, as drawn, not runs.
    let panels = activation_panels(facets, |cells, act| {
        let (mut converged, mut finished) = (0, 0);
        let colors = plane_cells(cells, plane, |idx| {
            let runs = cells.replicates_at(act, idx);
            let Some(label) = majority_label(runs) else {
                return NOT_RUN;
            };
            finished += 1;
            converged += usize::from(label == Label::Converged);
            let filled = runs
                .iter()
                .flatten()
                .all(|r| r.record >= facets.filled_from);
            if show_runs && filled {
                filled_tint(label_color(label))
            } else {
                label_color(label)
            }
        });
        let note = share_note("converged", converged, finished, cell_unit(cells));
        (colors, note)
    });
    let _markers = original_start_markers(cells, plane, false);
    let (x, y) = (plane.x_axis(cells), plane.y_axis(cells));
    let which = if cells.replicates > 1 {
        format!(
            "the most frequent label over its {} replicates",
            cells.replicates
        )
    } else {
        "the label its run ended with".to_string()
    };
    let caption = format!(
        "Outcome of every start in the {x}–{y} plane ({at}), {layout}. \
         Each cell is one start ({x}₀, {y}₀); its color is {which}. Converged in this plane: {shares}.",
        x = x.name,
        y = y.name,
        at = where_words(cells, plane),
        layout = layout_words(facets),
        shares = per_variant(facets, |cells| converged_shares(cells, plane)),
    );
    let figure = activation_figure(
        facets,
        plane,
        training,
        "How each run ended",
        panels,
        Legend::Swatches(label_legend()),
    );
    (figure, caption)
}

/// Probability of convergence per start, over the replicates.
pub(crate) fn probability_figure(
    facets: &Facets,
    plane: &Plane,
    training: &str,
) -> (HeatmapFigure, String) {
    let cells = facets.first();
    let scale = ColorScale {
        min: 0.0,
        max: 1.0,
        log: false,
        reversed: false,
    };
    let panels = activation_panels(facets, |cells, act| {
        let (mut runs_done, mut runs_converged) = (0, 0);
        let colors = plane_cells(cells, plane, |idx| {
            let runs = cells.replicates_at(act, idx);
            let done: Vec<_> = runs.iter().flatten().collect();
            if done.is_empty() {
                NOT_RUN
            } else {
                let converged = done.iter().filter(|r| r.converged()).count();
                runs_done += done.len();
                runs_converged += converged;
                scale.color(converged as f64 / done.len() as f64)
            }
        });
        (colors, runs_note(runs_converged, runs_done))
    });
    let (x, y) = (plane.x_axis(cells), plane.y_axis(cells));
    let caption = format!(
        "Probability of convergence of every start in the {}–{} plane ({}): the fraction of its {} replicates \
         (independent data seeds) whose run converged. Yellow: always; dark purple: never.{}",
        x.name,
        y.name,
        where_words(cells, plane),
        cells.replicates,
        layout_sentence(facets),
    );
    let legend = colorbar("fraction converged", scale, Vec::new());
    let figure = activation_figure(
        facets,
        plane,
        training,
        "Probability of convergence",
        panels,
        legend,
    );
    (figure, caption)
}
