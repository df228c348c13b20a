//! Outcome maps: every start of a plane colored by the label its run ended
//! with, one panel per activation; and, with replicates, the probability of
//! convergence per start.

use super::heatmap::{ColorScale, HeatmapFigure, Legend, Panel};
use super::palette::{NOT_RUN, label_color};
use super::plane::{Plane, original_start_markers};
use super::sweep_cells::{RunSummary, SweepCells, label_index};
use crate::classify::Label;

/// The most frequent label among the finished runs (ties go to the earlier
/// label of `Label::ALL`), or `None` when none has finished.
pub fn majority_label(runs: &[Option<RunSummary>]) -> Option<Label> {
    let mut counts = [0usize; 5];
    for run in runs.iter().flatten() {
        counts[label_index(run.label)] += 1;
    }
    let best = (0..5).max_by_key(|&i| (counts[i], std::cmp::Reverse(i)))?;
    (counts[best] > 0).then_some(Label::ALL[best])
}

/// Swatches for every label and "not run", in a fixed order.
pub fn label_legend() -> Vec<(plotters::style::RGBColor, String)> {
    let mut items: Vec<_> = Label::ALL
        .iter()
        .map(|&l| (label_color(l), l.name().to_string()))
        .collect();
    items.push((NOT_RUN, "not run yet".into()));
    items
}

/// Subtitle words for where a plane sits.
pub fn where_words(cells: &SweepCells, plane: &Plane) -> String {
    let fixed = plane.fixed_values(cells);
    if plane.hidden(cells).is_empty() {
        fixed
    } else {
        format!("slice through the pin point {fixed}")
    }
}

/// Figure title: what it shows, the plane's axes and the other axes' values.
pub fn title(what: &str, cells: &SweepCells, plane: &Plane) -> String {
    format!(
        "{what}, by start ({}, {}) at {}",
        super::sweep_cells::AXIS_NAMES[plane.x],
        super::sweep_cells::AXIS_NAMES[plane.y],
        plane.fixed_values(cells)
    )
}

/// Figure subtitle: whether this is a slice, and how the sweep trained.
pub fn subtitle(cells: &SweepCells, plane: &Plane, training: &str) -> String {
    if plane.hidden(cells).is_empty() {
        training.to_string()
    } else {
        format!("slice through the pin point (all values: marginal maps) · {training}")
    }
}

/// "relu 48%, selu 12%": share of finished runs in the plane that converged.
pub fn converged_shares(cells: &SweepCells, plane: &Plane) -> String {
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

pub fn figure(cells: &SweepCells, plane: &Plane, training: &str) -> (HeatmapFigure, String) {
    let (nx, ny) = plane.size(cells);
    let panels = (0..cells.activations.len())
        .map(|act| Panel {
            title: cells.activations[act].name().to_string(),
            cells: (0..ny)
                .flat_map(|iy| (0..nx).map(move |ix| (ix, iy)))
                .map(|(ix, iy)| {
                    majority_label(cells.replicates_at(act, plane.index(ix, iy)))
                        .map_or(NOT_RUN, label_color)
                })
                .collect(),
        })
        .collect();
    let markers = original_start_markers(cells, plane, false);
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
        "Outcome of every start in the {x}–{y} plane ({at}), one panel per activation. \
         Each cell is one start ({x}₀, {y}₀); its color is {which}. Converged in this plane: {shares}.",
        x = x.name,
        y = y.name,
        at = where_words(cells, plane),
        shares = converged_shares(cells, plane),
    );
    let figure = HeatmapFigure {
        title: title("How each run ended", cells, plane),
        subtitle: subtitle(cells, plane, training),
        x,
        y,
        panels,
        markers,
        legend: Legend::Swatches(label_legend()),
    };
    (figure, caption)
}

/// Probability of convergence per start, over the replicates.
pub fn probability_figure(
    cells: &SweepCells,
    plane: &Plane,
    training: &str,
) -> (HeatmapFigure, String) {
    let (nx, ny) = plane.size(cells);
    let scale = ColorScale {
        min: 0.0,
        max: 1.0,
        log: false,
        reversed: false,
    };
    let panels = (0..cells.activations.len())
        .map(|act| Panel {
            title: cells.activations[act].name().to_string(),
            cells: (0..ny)
                .flat_map(|iy| (0..nx).map(move |ix| (ix, iy)))
                .map(|(ix, iy)| {
                    let runs = cells.replicates_at(act, plane.index(ix, iy));
                    let done: Vec<_> = runs.iter().flatten().collect();
                    if done.is_empty() {
                        NOT_RUN
                    } else {
                        let p = done.iter().filter(|r| r.converged()).count() as f64
                            / done.len() as f64;
                        scale.color(p)
                    }
                })
                .collect(),
        })
        .collect();
    let (x, y) = (plane.x_axis(cells), plane.y_axis(cells));
    let caption = format!(
        "Probability of convergence of every start in the {}–{} plane ({}): the fraction of its {} replicates \
         (independent data seeds) whose run converged. Yellow: always; dark purple: never.",
        x.name,
        y.name,
        where_words(cells, plane),
        cells.replicates
    );
    let figure = HeatmapFigure {
        title: title("Probability of convergence", cells, plane),
        subtitle: subtitle(cells, plane, training),
        x,
        y,
        panels,
        markers: original_start_markers(cells, plane, false),
        legend: Legend::Colorbar {
            title: "fraction converged".into(),
            scale,
            extra: vec![(NOT_RUN, "not run yet".into())],
        },
    };
    (figure, caption)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(label: Label) -> Option<RunSummary> {
        Some(RunSummary {
            label,
            converged_at: None,
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
