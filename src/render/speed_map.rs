//! Speed maps: converged starts shaded by the step from which their training
//! loss stayed below the threshold, so slow and fast basins show, not only
//! the boundary. One color scale for every speed map of a sweep.

use super::caption::one_scale_sentence;
use super::caption::where_words;
use super::heatmap::{ColorScale, HeatmapFigure, Swatch, format_value};
use super::palette::{NOT_CONVERGED, NOT_RUN};
use super::panels::{activation_figure, colorbar};
use super::panels::{activation_panels, majority_label, plane_cells};
use super::plane::Plane;
use super::sweep_cells::Facets;
use super::tally::thousands;
use crate::classify::Label;
use crate::stats::median;

/// The sweep-wide scale (every training variant's runs): log when the steps
/// span more than a factor of 20.
pub fn scale(facets: &Facets) -> ColorScale {
    let (lo, hi) = facets.converged_at_range().unwrap_or((1, 2));
    let (lo, hi) = (f64::from(lo.max(1)), f64::from(hi.max(1)));
    ColorScale {
        min: lo,
        max: hi.max(lo),
        log: hi / lo >= 20.0,
        reversed: true,
    }
}

/// Median of the convergence steps of the converged runs, when most of the
/// cell's finished runs converged.
fn cell_step(runs: &[Option<super::sweep_cells::RunSummary>]) -> Option<f64> {
    if majority_label(runs) != Some(Label::Converged) {
        return None;
    }
    median(
        runs.iter()
            .flatten()
            .filter(|r| r.converged())
            .filter_map(|r| r.converged_at.map(f64::from))
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
        let mut steps = Vec::new();
        let colors = plane_cells(cells, plane, |idx| {
            let runs = cells.replicates_at(act, idx);
            match cell_step(runs) {
                Some(step) => {
                    steps.push(step);
                    scale.color(step)
                }
                None if runs.iter().all(Option::is_none) => NOT_RUN,
                None => NOT_CONVERGED,
            }
        });
        let note = match median(steps.clone()) {
            Some(step) => format!(
                "{} converged, median step {}",
                thousands(steps.len()),
                format_value(step.round())
            ),
            None => "none converged".into(),
        };
        (colors, note)
    });
    let (x, y) = (plane.x_axis(cells), plane.y_axis(cells));
    let median = if cells.replicates > 1 {
        " (median over the converged replicates)"
    } else {
        ""
    };
    let caption = format!(
        "How fast each start converged in the {}–{} plane ({}): the training step from which the loss stayed \
         below the convergence threshold{median}, from {} (bright) to {} steps (dark){}. \
         Gray cells did not converge.{}",
        x.name,
        y.name,
        where_words(cells, plane),
        format_value(scale.min),
        format_value(scale.max),
        if scale.log { ", on a log scale" } else { "" },
        one_scale_sentence(facets),
    );
    let legend = colorbar(
        "converged at step",
        scale,
        vec![Swatch::new(NOT_CONVERGED, "did not converge")],
    );
    let figure = activation_figure(facets, plane, training, "Steps to converge", panels, legend);
    (figure, caption)
}
