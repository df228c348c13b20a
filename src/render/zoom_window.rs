//! A zoom's window on its parent: the parent's outcome map with the window
//! marked, drawn into the zoom's directory, and the page's words for it.

use super::heatmap::{Marker, MarkerShape};
use super::plane::{Plane, fractional_index};
use super::sweep_cells::Facets;
use super::{Format, heatmap, outcome_map, training_words};
use crate::spec::ZoomOrigin;
use crate::store::{Access, ResultsDir};
use anyhow::Result;
use std::path::Path;

/// The picture's file stem.
pub const STEM: &str = "parent-window";

/// Draws the parent's outcome map with the window marked into `dir`, and
/// returns the picture's file name and the parent page's path relative to
/// `dir`; `None` when the parent is not there to draw (moved or deleted).
pub fn draw(dir: &Path, origin: &ZoomOrigin, format: Format) -> Result<Option<(String, String)>> {
    let parent_path = dir.join(&origin.parent);
    let Ok(parent) = ResultsDir::open(&parent_path, Access::Read) else {
        return Ok(None);
    };
    if let Some(refinement) = &parent.grid.refinement {
        let cells = refinement.points() as u64 * parent.grid.group_count();
        if let Err(why) = crate::sweep::preflight::check_drawing(&parent.path, cells) {
            eprintln!("note: the parent's map with the window is not drawn: {why}");
            return Ok(None);
        }
    }
    let stored = parent.load_runs()?;
    let completed =
        crate::store::filled::complete(&parent.grid, stored.by_id.into_values().collect());
    let facets = Facets::new(&parent.spec, &parent.grid, &completed.records);
    let cells = facets.first();
    let varying = cells.varying();
    if varying.len() != 2 {
        return Ok(None);
    }
    let plane = Plane {
        x: varying[0],
        y: varying[1],
        pin: [0; 4],
    };
    let training = training_words::training_summary(&parent.spec, &parent.grid.variants);
    let (mut figure, _) = outcome_map::figure(&facets, &plane, &training, false);
    let at = |axis: usize, v: f64| fractional_index(&cells.axes[axis], v);
    let spacing = |axis: usize| {
        let values = &cells.axes[axis];
        (values[values.len() - 1] - values[0]) / (values.len() - 1) as f64
    };
    if let (Some(x), Some(y)) = (at(plane.x, origin.at[0]), at(plane.y, origin.at[1])) {
        figure.markers.push(Marker {
            shape: MarkerShape::Window {
                width: origin.width / spacing(plane.x),
                height: origin.width / spacing(plane.y),
            },
            x,
            y,
            label: "the zoom's window".to_string(),
        });
    }
    figure.title = format!("The zoom's window on its parent, {}", parent.spec.name);
    let file = format!("{STEM}.{}", format.extension());
    crate::store::replace_atomically(&dir.join(&file), |tmp| heatmap::write(&figure, tmp, format))?;
    let page = origin.parent.join("index.html").display().to_string();
    Ok(Some((file, page)))
}
