//! The words every map shares: titles, subtitles, where a plane sits, how
//! the sweep trained, and how the panels are laid out (one row per training
//! variant). One place, so every kind of map says it the same way.

use super::heatmap::Strip;
use super::plane::Plane;
use super::sweep_cells::{Facets, SweepCells};

/// Subtitle words for where a plane sits.
pub(crate) fn where_words(cells: &SweepCells, plane: &Plane) -> String {
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
pub(crate) fn training_words(facets: &Facets, training: &str, per: &str) -> String {
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
pub(crate) fn subtitle(facets: &Facets, plane: &Plane, training: &str, per: &str) -> String {
    let training = training_words(facets, training, per);
    if plane.hidden(facets.first()).is_empty() {
        training
    } else {
        format!("slice through the pin point (all values: marginal maps) · {training}")
    }
}

/// One strip per training variant of `panels` panels each, or none for a
/// single variant.
pub(crate) fn strips(facets: &Facets, panels: usize) -> Vec<Strip> {
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
pub(crate) fn per_variant(facets: &Facets, text: impl Fn(&SweepCells) -> String) -> String {
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
pub(crate) fn layout_words(facets: &Facets) -> String {
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
pub(crate) fn layout_sentence(facets: &Facets) -> String {
    if !facets.faceted() {
        return String::new();
    }
    let words = layout_words(facets);
    let mut chars = words.chars();
    let first = chars.next().map(|c| c.to_uppercase().to_string());
    format!(" {}{}.", first.unwrap_or_default(), chars.as_str())
}

/// `" One color scale for every row."` after the layout sentence, for maps
/// of several training variants; nothing for one.
pub(crate) fn one_scale_sentence(facets: &Facets) -> String {
    if facets.faceted() {
        format!("{} One color scale for every row.", layout_sentence(facets))
    } else {
        String::new()
    }
}
