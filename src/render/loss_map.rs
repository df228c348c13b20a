//! Loss maps: every start shaded by its run's mean training loss, on a log
//! scale. Unlike the outcome map it is continuous across labels (the
//! quantity behind the published "trainability boundary" images), so the
//! structure inside a basin shows: how well and how fast each start fit.
//! One color scale for every loss map of a sweep.

use super::caption::{layout_sentence, strips, subtitle, title, where_words};
use super::heatmap::{ColorScale, HeatmapFigure, Legend, format_value};
use super::palette::NOT_RUN;
use super::panels::{activation_panels, plane_cells};
use super::plane::{Plane, original_start_markers};
use super::sweep_cells::{Facets, RunSummary};

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
pub fn cell_loss(runs: &[Option<RunSummary>]) -> Option<f64> {
    let mut losses: Vec<f64> = runs
        .iter()
        .flatten()
        .map(|r| {
            if r.mean_loss.is_nan() {
                f64::INFINITY
            } else {
                r.mean_loss
            }
        })
        .collect();
    if losses.is_empty() {
        return None;
    }
    losses.sort_by(f64::total_cmp);
    let m = losses.len() / 2;
    Some(if losses.len() % 2 == 1 {
        losses[m]
    } else {
        (losses[m - 1] + losses[m]) / 2.0
    })
}

pub fn figure(
    facets: &Facets,
    plane: &Plane,
    training: &str,
    scale: ColorScale,
) -> (HeatmapFigure, String) {
    let cells = facets.first();
    let panels = activation_panels(facets, |cells, act| {
        plane_cells(cells, plane, |idx| {
            cell_loss(cells.replicates_at(act, idx)).map_or(NOT_RUN, |loss| scale.color(loss))
        })
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
        if facets.faceted() {
            format!("{} One color scale for every row.", layout_sentence(facets))
        } else {
            String::new()
        },
    );
    let figure = HeatmapFigure {
        title: title("Mean training loss", cells, plane),
        subtitle: subtitle(facets, plane, training, "row"),
        x,
        y,
        panels,
        strips: strips(facets, cells.activations.len()),
        markers: original_start_markers(cells, plane, false),
        legend: Legend::Colorbar {
            title: "mean training loss".into(),
            scale,
            extra: vec![(NOT_RUN, "not run yet".into())],
        },
    };
    (figure, caption)
}
