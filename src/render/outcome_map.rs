//! Outcome maps: every start of a plane colored by the label its run ended
//! with, one panel per activation; and, with replicates, the probability of
//! convergence per start.

use super::caption::{layout_sentence, layout_words, per_variant, where_words};
use super::heatmap::{ColorScale, HeatmapFigure, Legend};
use super::palette::{NOT_RUN, label_color};
use super::panels::{activation_figure, colorbar};
use super::panels::{activation_panels, majority_label, plane_cells};
use super::plane::{Plane, original_start_markers};
use super::sweep_cells::{Facets, SweepCells};
use crate::classify::Label;

/// Swatches for every label and "not run", in a fixed order.
pub(crate) fn label_legend() -> Vec<(plotters::style::RGBColor, String)> {
    let mut items: Vec<_> = Label::ALL
        .iter()
        .map(|&l| (label_color(l), l.name().to_string()))
        .collect();
    items.push((NOT_RUN, "not run yet".into()));
    items
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

pub(crate) fn figure(facets: &Facets, plane: &Plane, training: &str) -> (HeatmapFigure, String) {
    let cells = facets.first();
    let panels = activation_panels(facets, |cells, act| {
        plane_cells(cells, plane, |idx| {
            majority_label(cells.replicates_at(act, idx)).map_or(NOT_RUN, label_color)
        })
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
        plane_cells(cells, plane, |idx| {
            let runs = cells.replicates_at(act, idx);
            let done: Vec<_> = runs.iter().flatten().collect();
            if done.is_empty() {
                NOT_RUN
            } else {
                let p = done.iter().filter(|r| r.converged()).count() as f64 / done.len() as f64;
                scale.color(p)
            }
        })
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
