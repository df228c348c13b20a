//! Loss maps: every start shaded by its run's mean training loss, on a log
//! scale. Unlike the outcome map it is continuous across labels (the
//! quantity behind the published "trainability boundary" images), so the
//! structure inside a basin shows: how well and how fast each start fit.
//! One color scale for every loss map of a sweep.

use super::caption::one_scale_sentence;
use super::caption::where_words;
use super::heatmap::{ColorScale, HeatmapFigure, format_value, significant};
use super::palette::NOT_RUN;
use super::panels::{activation_figure, colorbar};
use super::panels::{activation_panels, plane_cells};
use super::plane::Plane;
use super::sweep_cells::{Facets, RunSummary};
use crate::stats::median;

/// The sweep-wide log scale over every finite, positive mean loss (low
/// losses bright).
pub fn scale(facets: &Facets) -> ColorScale {
    let (lo, hi) = facets.mean_loss_range().unwrap_or((1e-3, 1.0));
    ColorScale {
        min: lo,
        max: hi.max(lo),
        log: true,
        reversed: true,
    }
}

/// The median mean loss over a cell's finished replicates (a diverged run's
/// NaN counts as the highest).
pub(crate) fn cell_loss(runs: &[Option<RunSummary>]) -> Option<f64> {
    median(
        runs.iter()
            .flatten()
            .map(|r| {
                if r.mean_loss.is_nan() {
                    f64::INFINITY
                } else {
                    r.mean_loss
                }
            })
            .collect(),
    )
}

pub(crate) fn figure(
    facets: &Facets,
    plane: &Plane,
    training: &str,
    scale: ColorScale,
) -> (HeatmapFigure, String) {
    let cells = facets.first();
    let panels = activation_panels(facets, |cells, act| {
        let mut losses = Vec::new();
        let colors = plane_cells(cells, plane, |idx| {
            cell_loss(cells.replicates_at(act, idx)).map_or(NOT_RUN, |loss| {
                losses.push(loss);
                scale.color(loss)
            })
        });
        let note = median(losses).map_or("not run yet".into(), |loss| {
            format!("median {}", significant(loss, 3))
        });
        (colors, note)
    });
    let (x, y) = (plane.x_axis(cells), plane.y_axis(cells));
    let median = if cells.replicates > 1 {
        " (median over the replicates)"
    } else {
        ""
    };
    let caption = format!(
        "How well each start trained in the {}–{} plane ({}): the mean training loss over the whole run{median}, \
         from {} (bright) to {} (dark) on a log scale. It shades every run, whatever its label, so the structure \
         inside a basin and across its boundary shows.{}",
        x.name,
        y.name,
        where_words(cells, plane),
        format_value(scale.min),
        format_value(scale.max),
        one_scale_sentence(facets),
    );
    let legend = colorbar("mean training loss", scale, Vec::new());
    let figure = activation_figure(
        facets,
        plane,
        training,
        "Mean training loss",
        panels,
        legend,
    );
    (figure, caption)
}
