//! Outcome maps: every start of a plane colored by the label its run ended
//! with, one panel per activation; and, with replicates, the probability of
//! convergence per start.

use super::heatmap::{ColorScale, HeatmapFigure, Legend, Panel, Strip};
use super::palette::{NOT_RUN, label_color};
use super::plane::{Plane, original_start_markers};
use super::sweep_cells::{Facets, RunSummary, SweepCells, label_index};
use crate::classify::Label;
use plotters::style::RGBColor;

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

/// How the sweep trained, and with several training variants what each
/// row (`per = "row"`) or panel (`per = "panel"`) differs in.
pub fn training_words(facets: &Facets, training: &str, per: &str) -> String {
    if !facets.faceted() {
        return training.to_string();
    }
    let rows = format!("one {per} per {}", facets.keys_words());
    if training.is_empty() {
        rows
    } else {
        format!("{training} · {rows}")
    }
}

/// Figure subtitle: whether this is a slice, and how the sweep trained.
pub fn subtitle(facets: &Facets, plane: &Plane, training: &str, per: &str) -> String {
    let training = training_words(facets, training, per);
    if plane.hidden(facets.first()).is_empty() {
        training
    } else {
        format!("slice through the pin point (all values: marginal maps) · {training}")
    }
}

/// One strip per training variant of `panels` panels each, or none for a
/// single variant.
pub fn strips(facets: &Facets, panels: usize) -> Vec<Strip> {
    if !facets.faceted() {
        return Vec::new();
    }
    facets
        .facets
        .iter()
        .map(|f| Strip {
            label: f.title.clone(),
            panels,
        })
        .collect()
}

/// `"lr=0.01: <text>; lr=0.1: <text>"`, one part per variant, or the one
/// variant's text alone.
pub fn per_variant(facets: &Facets, text: impl Fn(&SweepCells) -> String) -> String {
    if !facets.faceted() {
        return text(facets.first());
    }
    facets
        .facets
        .iter()
        .map(|f| format!("{}: {}", f.title, text(&f.cells)))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Caption words for the layout: `"one panel per activation"`, or with
/// variants `"one row per training setting (lr=0.01; lr=0.1) and one panel
/// per activation"`.
pub fn layout_words(facets: &Facets) -> String {
    if !facets.faceted() {
        return "one panel per activation".to_string();
    }
    let titles: Vec<&str> = facets.facets.iter().map(|f| f.title.as_str()).collect();
    format!(
        "one row per training setting ({}) and one panel per activation",
        titles.join("; ")
    )
}

/// `" One row per training setting (lr=0.01; lr=0.1) and one panel per
/// activation."` to end a caption with, or nothing for a single variant.
pub fn layout_sentence(facets: &Facets) -> String {
    if !facets.faceted() {
        return String::new();
    }
    let words = layout_words(facets);
    let mut chars = words.chars();
    let first = chars.next().map(|c| c.to_uppercase().to_string());
    format!(" {}{}.", first.unwrap_or_default(), chars.as_str())
}

/// The panels of every variant, `panel(cells, act)` drawing activation
/// number `act` of one variant; panels are titled by activation.
pub fn activation_panels(
    facets: &Facets,
    panel: impl Fn(&SweepCells, usize) -> Vec<RGBColor>,
) -> Vec<Panel> {
    facets
        .facets
        .iter()
        .flat_map(|f| {
            let cells = &f.cells;
            (0..cells.activations.len()).map(|act| Panel {
                title: cells.activations[act].name().to_string(),
                cells: panel(cells, act),
            })
        })
        .collect()
}

/// The colors of a plane's cells, row-major from the bottom row.
pub fn plane_cells(
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

pub fn figure(facets: &Facets, plane: &Plane, training: &str) -> (HeatmapFigure, String) {
    let cells = facets.first();
    let panels = activation_panels(facets, |cells, act| {
        plane_cells(cells, plane, |idx| {
            majority_label(cells.replicates_at(act, idx)).map_or(NOT_RUN, label_color)
        })
    });
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
        "Outcome of every start in the {x}–{y} plane ({at}), {layout}. \
         Each cell is one start ({x}₀, {y}₀); its color is {which}. Converged in this plane: {shares}.",
        x = x.name,
        y = y.name,
        at = where_words(cells, plane),
        layout = layout_words(facets),
        shares = per_variant(facets, |cells| converged_shares(cells, plane)),
    );
    let figure = HeatmapFigure {
        title: title("How each run ended", cells, plane),
        subtitle: subtitle(facets, plane, training, "row"),
        x,
        y,
        panels,
        strips: strips(facets, cells.activations.len()),
        markers,
        legend: Legend::Swatches(label_legend()),
    };
    (figure, caption)
}

/// Probability of convergence per start, over the replicates.
pub fn probability_figure(
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
    let figure = HeatmapFigure {
        title: title("Probability of convergence", cells, plane),
        subtitle: subtitle(facets, plane, training, "row"),
        x,
        y,
        panels,
        strips: strips(facets, cells.activations.len()),
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
