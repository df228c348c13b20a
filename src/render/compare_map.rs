//! Compare maps: for a pair of activations (default selu vs softplus), each
//! start colored by which of the two converged from it.

use super::caption::{subtitle, title, where_words};
use super::heatmap::{HeatmapFigure, Legend, Panel, Swatch};
use super::palette::{NOT_RUN, PairOutcome};
use super::panels::{cell_unit, plane_cells, share_note};
use super::plane::{Plane, original_start_markers};
use super::sweep_cells::{Facets, SweepCells};
use super::tally::PairCounts;
use crate::problem::activation::Activation;
use plotters::style::RGBColor;
use std::fmt::Write;

/// Positions of the pair in the sweep's activations, when both are there.
fn pair_indices(cells: &SweepCells, pair: (Activation, Activation)) -> Option<(usize, usize)> {
    let find = |a| cells.activations.iter().position(|&x| x == a);
    Some((find(pair.0)?, find(pair.1)?))
}

/// The pair outcomes of every replicate at one grid point.
fn outcomes_at(
    cells: &SweepCells,
    (p, q): (usize, usize),
    idx: [usize; 4],
) -> impl Iterator<Item = PairOutcome> + '_ {
    let first = cells.replicates_at(p, idx);
    let second = cells.replicates_at(q, idx);
    first.iter().zip(second).filter_map(|(a, b)| match (a, b) {
        (Some(a), Some(b)) => Some(PairOutcome::of(a.converged(), b.converged())),
        _ => None,
    })
}

/// Pair outcome counts over the whole sweep.
fn sweep_counts(cells: &SweepCells, pair: (usize, usize)) -> PairCounts {
    let mut counts = PairCounts::default();
    let lens = cells.axes.each_ref().map(Vec::len);
    for a in 0..lens[0] {
        for b in 0..lens[1] {
            for c in 0..lens[2] {
                for d in 0..lens[3] {
                    outcomes_at(cells, pair, [a, b, c, d]).for_each(|o| counts.add(o));
                }
            }
        }
    }
    counts
}

/// "starts" or "runs (start × replicate)" for captions.
fn unit(cells: &SweepCells) -> &'static str {
    if cells.replicates > 1 {
        "start/seed pairs"
    } else {
        "starts"
    }
}

/// One variant's compare panel: cell colors, and the pair outcome counts in
/// the plane and in the whole sweep.
fn variant_panel(
    cells: &SweepCells,
    plane: &Plane,
    indices: (usize, usize),
) -> (Vec<RGBColor>, PairCounts, PairCounts) {
    let mut plane_counts = PairCounts::default();
    let colors = plane_cells(cells, plane, |idx| {
        let mut here = PairCounts::default();
        outcomes_at(cells, indices, idx).for_each(|o| here.add(o));
        for (total, n) in plane_counts.counts.iter_mut().zip(here.counts) {
            *total += n;
        }
        PairOutcome::ALL
            .into_iter()
            .filter(|&o| here.get(o) > 0)
            .max_by_key(|&o| (here.get(o), std::cmp::Reverse(o)))
            .map_or(NOT_RUN, PairOutcome::color)
    });
    (colors, plane_counts, sweep_counts(cells, indices))
}

/// One panel per training variant (titled by its settings), side by side.
pub(crate) fn figure(
    facets: &Facets,
    plane: &Plane,
    training: &str,
    pair: (Activation, Activation),
) -> Option<(HeatmapFigure, String)> {
    let cells = facets.first();
    let indices = pair_indices(cells, pair)?;
    let (first, second) = (pair.0.name(), pair.1.name());
    let drawn: Vec<_> = facets
        .facets
        .iter()
        .map(|f| variant_panel(&f.cells, plane, indices))
        .collect();
    let mut legend: Vec<_> = PairOutcome::ALL
        .iter()
        .map(|o| Swatch::new(o.color(), o.describe(first, second)))
        .collect();
    legend.push(Swatch::new(NOT_RUN, "not run yet"));
    let (x, y) = (plane.x_axis(cells), plane.y_axis(cells));
    let caption = if facets.faceted() {
        let mut only_second = Vec::new();
        let mut only_first = Vec::new();
        for (f, (_, in_plane, sweep)) in facets.facets.iter().zip(&drawn) {
            let mut text = format!(
                "{}: {}",
                f.title,
                in_plane.describe(PairOutcome::OnlySecond)
            );
            if sweep != in_plane {
                let _ = write!(
                    text,
                    " (whole sweep {})",
                    sweep.describe(PairOutcome::OnlySecond)
                );
            }
            only_second.push(text);
            only_first.push(format!(
                "{}: {}",
                f.title,
                in_plane.describe(PairOutcome::OnlyFirst)
            ));
        }
        format!(
            "{first} against {second} in the {}–{} plane ({}), one panel per training setting: which of the two \
             converged from each start. {second} converges where {first} fails (vermillion), in {} of this \
             plane: {}. The reverse (only {first} converges, yellow): {}.",
            x.name,
            y.name,
            where_words(cells, plane),
            unit(cells),
            only_second.join("; "),
            only_first.join("; "),
        )
    } else {
        let (_, in_plane, sweep) = &drawn[0];
        let whole = if sweep == in_plane {
            String::new()
        } else {
            format!(
                " In the whole sweep: {}.",
                sweep.describe(PairOutcome::OnlySecond)
            )
        };
        format!(
            "{first} against {second} in the {}–{} plane ({}): which of the two converged from each start. \
             {second} converges where {first} fails (vermillion) from {} {} in this plane.{whole} \
             The reverse (only {first} converges, yellow): {}.",
            x.name,
            y.name,
            where_words(cells, plane),
            in_plane.describe(PairOutcome::OnlySecond),
            unit(cells),
            in_plane.describe(PairOutcome::OnlyFirst),
        )
    };
    // Counted from the drawn cells: with replicates, each start's most
    // frequent outcome.
    let panels: Vec<Panel> = facets
        .facets
        .iter()
        .zip(drawn)
        .map(|(f, (colors, _, _))| {
            let only_second = PairOutcome::OnlySecond.color();
            let part = colors.iter().filter(|&&c| c == only_second).count();
            let whole = colors.iter().filter(|&&c| c != NOT_RUN).count();
            Panel {
                title: if facets.faceted() {
                    f.title.clone()
                } else {
                    format!("{first} vs {second}")
                },
                note: share_note(&format!("only {second}"), part, whole, cell_unit(&f.cells)),
                cells: colors,
            }
        })
        .collect();
    let figure = HeatmapFigure {
        title: title(&format!("{first} vs {second}: who converges"), cells, plane),
        subtitle: subtitle(facets, plane, training, "panel"),
        x,
        y,
        legend: Legend::Swatches(legend).counted(&panels),
        panels,
        strips: Vec::new(),
        markers: original_start_markers(cells, plane, false),
    };
    Some((figure, caption))
}
