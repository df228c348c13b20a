//! Marginal maps, for sweeps where more than two axes vary: the fraction of
//! runs that converged at each (x, y), over every value of the hidden axes
//! (and every replicate).

use super::caption::{layout_sentence, strips, training_words};
use super::heatmap::{ColorScale, HeatmapFigure, Legend, Swatch, format_value};
use super::outcome_map::runs_note;
use super::palette::NOT_RUN;
use super::panels::activation_panels;
use super::plane::{Plane, original_start_markers};
use super::sweep_cells::{AXIS_NAMES, Facets};

pub(crate) fn figure(facets: &Facets, plane: &Plane, training: &str) -> (HeatmapFigure, String) {
    let cells = facets.first();
    let (nx, ny) = plane.size(cells);
    let hidden = plane.hidden(cells);
    let scale = ColorScale {
        min: 0.0,
        max: 1.0,
        log: false,
        reversed: false,
    };
    // Every combination of hidden-axis indices.
    let combos: Vec<[usize; 4]> = {
        let mut combos = vec![plane.pin];
        for &k in &hidden {
            combos = combos
                .into_iter()
                .flat_map(|idx| {
                    (0..cells.axes[k].len()).map(move |i| {
                        let mut idx = idx;
                        idx[k] = i;
                        idx
                    })
                })
                .collect();
        }
        combos
    };
    let panels = activation_panels(facets, |cells, act| {
        let (mut runs_done, mut runs_converged) = (0, 0);
        let colors = (0..ny)
            .flat_map(|iy| (0..nx).map(move |ix| (ix, iy)))
            .map(|(ix, iy)| {
                let (mut done, mut converged) = (0usize, 0usize);
                for combo in &combos {
                    let mut idx = *combo;
                    idx[plane.x] = ix;
                    idx[plane.y] = iy;
                    for run in cells.replicates_at(act, idx).iter().flatten() {
                        done += 1;
                        converged += usize::from(run.converged());
                    }
                }
                runs_done += done;
                runs_converged += converged;
                if done == 0 {
                    NOT_RUN
                } else {
                    scale.color(converged as f64 / done as f64)
                }
            })
            .collect();
        (colors, runs_note(runs_converged, runs_done))
    });
    let over: Vec<String> = hidden
        .iter()
        .map(|&k| {
            let v = &cells.axes[k];
            format!(
                "{} ({} values, {} to {})",
                AXIS_NAMES[k],
                v.len(),
                format_value(v[0]),
                format_value(v[v.len() - 1])
            )
        })
        .collect();
    let over = over.join(" and ");
    let per_cell = combos.len() * cells.replicates as usize;
    let (x, y) = (plane.x_axis(cells), plane.y_axis(cells));
    let caption = format!(
        "Fraction of runs that converged at each ({}, {}), over all values of {over}{}: {per_cell} runs per cell. \
         Yellow: every start converged; dark purple: none did. Markers show where the original starts project.{}",
        x.name,
        y.name,
        if cells.replicates > 1 {
            " and every replicate"
        } else {
            ""
        },
        layout_sentence(facets),
    );
    let fixed: Vec<String> = (0..4)
        .filter(|&k| k != plane.x && k != plane.y && !hidden.contains(&k))
        .map(|k| format!("{} = {}", AXIS_NAMES[k], format_value(cells.axes[k][0])))
        .collect();
    let mut over_words = format!(
        "over all {}",
        hidden
            .iter()
            .map(|&k| AXIS_NAMES[k])
            .collect::<Vec<_>>()
            .join(", ")
    );
    if !fixed.is_empty() {
        over_words.push_str(&format!(" at {}", fixed.join(", ")));
    }
    let legend = Legend::Colorbar {
        title: "fraction converged".into(),
        scale,
        extra: vec![Swatch::new(NOT_RUN, "not run yet")],
    };
    let figure = HeatmapFigure {
        title: format!(
            "Fraction converged, by ({}, {}), {over_words}",
            x.name, y.name
        ),
        subtitle: training_words(facets, training, "row"),
        x,
        y,
        legend: legend.counted(&panels),
        panels,
        strips: strips(facets, cells.activations.len()),
        markers: original_start_markers(cells, plane, true),
    };
    (figure, caption)
}
