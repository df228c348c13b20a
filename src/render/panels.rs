//! The panels of a map: one per activation (and per training variant), each
//! a color per cell of a plane; and the label a cell of replicates shows.

use super::caption::{strips, subtitle, title};
use super::heatmap::{ColorScale, HeatmapFigure, Legend, Panel, Swatch};
use super::palette::NOT_RUN;
use super::plane::{Plane, original_start_markers};
use super::sweep_cells::{Facets, RunSummary, SweepCells, label_index};
use super::tally::{percent, thousands};
use crate::classify::Label;
use plotters::style::RGBColor;

/// The most frequent label among the finished runs (ties go to the earlier
/// label of `Label::ALL`), or `None` when none has finished.
pub(crate) fn majority_label(runs: &[Option<RunSummary>]) -> Option<Label> {
    let mut counts = [0usize; 5];
    for run in runs.iter().flatten() {
        counts[label_index(run.label)] += 1;
    }
    let best = (0..5).max_by_key(|&i| (counts[i], std::cmp::Reverse(i)))?;
    (counts[best] > 0).then_some(Label::ALL[best])
}

/// The panels of every variant, `panel(cells, act)` drawing activation
/// number `act` of one variant (its cell colors and its note); panels are
/// titled by activation.
pub(crate) fn activation_panels(
    facets: &Facets,
    panel: impl Fn(&SweepCells, usize) -> (Vec<RGBColor>, String),
) -> Vec<Panel> {
    facets
        .facets
        .iter()
        .flat_map(|f| {
            let cells = &f.cells;
            (0..cells.activations.len()).map(|act| {
                let (colors, note) = panel(cells, act);
                Panel {
                    title: cells.activations[act].name().to_string(),
                    note,
                    cells: colors,
                }
            })
        })
        .collect()
}

/// A panel note: `"converged 28% (4,660 of 16,641)"`, `what` for `part` of
/// `whole` finished cells (`unit` after the count, e.g. `" starts"`), or
/// `"not run yet"` when none is finished.
pub(crate) fn share_note(what: &str, part: usize, whole: usize, unit: &str) -> String {
    if whole == 0 {
        return "not run yet".into();
    }
    format!(
        "{what} {} ({} of {}{unit})",
        percent(part, whole),
        thousands(part),
        thousands(whole)
    )
}

/// `" starts"` when a cell stands for several runs (replicates), so a
/// panel's counts say what they count; nothing when a cell is one run.
pub(crate) fn cell_unit(cells: &SweepCells) -> &'static str {
    if cells.replicates > 1 { " starts" } else { "" }
}

/// The colors of a plane's cells, row-major from the bottom row.
pub(crate) fn plane_cells(
    cells: &SweepCells,
    plane: &Plane,
    mut color: impl FnMut([usize; 4]) -> RGBColor,
) -> Vec<RGBColor> {
    let (nx, ny) = plane.size(cells);
    (0..ny)
        .flat_map(|iy| (0..nx).map(move |ix| (ix, iy)))
        .map(|(ix, iy)| color(plane.index(ix, iy)))
        .collect()
}

/// The figure of a slice map with one panel per activation (and a row per
/// training variant): titled `what` in the plane, the original starts
/// marked.
pub(crate) fn activation_figure(
    facets: &Facets,
    plane: &Plane,
    training: &str,
    what: &str,
    panels: Vec<Panel>,
    legend: Legend,
) -> HeatmapFigure {
    let cells = facets.first();
    HeatmapFigure {
        title: title(what, cells, plane),
        subtitle: subtitle(facets, plane, training, "row"),
        x: plane.x_axis(cells),
        y: plane.y_axis(cells),
        strips: strips(facets, cells.activations.len()),
        markers: original_start_markers(cells, plane, false),
        legend: legend.counted(&panels),
        panels,
    }
}

/// A colorbar legend with "not run yet" (and `extra`) swatches under it.
pub(crate) fn colorbar(title: &str, scale: ColorScale, extra: Vec<Swatch>) -> Legend {
    let mut extra = extra;
    extra.push(Swatch::new(NOT_RUN, "not run yet"));
    Legend::Colorbar {
        title: title.into(),
        scale,
        extra,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(label: Label) -> Option<RunSummary> {
        Some(RunSummary {
            label,
            converged_at: None,
            mean_loss: 0.1,
            record: 0,
        })
    }

    #[test]
    fn majority_prefers_most_frequent_then_earlier() {
        assert_eq!(majority_label(&[None, None]), None);
        assert_eq!(
            majority_label(&[
                run(Label::StuckLinear),
                None,
                run(Label::StuckLinear),
                run(Label::Converged)
            ]),
            Some(Label::StuckLinear)
        );
        assert_eq!(
            majority_label(&[run(Label::StuckLinear), run(Label::Converged)]),
            Some(Label::Converged)
        );
    }
}
