//! `basinmap train --plot`: the learned function at several steps over relu.

use super::Format;
use super::font::{FAMILY, TextBackend};
use super::heatmap::format_value;
use super::palette::{INK, MUTED, okabe_ito};
use crate::classify::model_value;
use crate::problem::activation::Activation;
use anyhow::{Result, anyhow, bail};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::Path;

const WIDTH: u32 = 960;
const HEIGHT: u32 = 580;
const LEGEND_WIDTH: u32 = 250;
const SAMPLES: usize = 401;
/// Curves beyond this are clipped, so one diverged snapshot cannot flatten
/// the others.
const Y_LIMIT: f64 = 5.0;

const STEP_COLORS: [RGBColor; 7] = [
    okabe_ito::ORANGE,
    okabe_ito::SKY_BLUE,
    okabe_ito::BLUISH_GREEN,
    okabe_ito::BLUE,
    okabe_ito::VERMILLION,
    okabe_ito::REDDISH_PURPLE,
    okabe_ito::YELLOW,
];
const TARGET_COLOR: RGBColor = RGBColor(185, 185, 185);

/// Draws `g` at each `(step, params)` snapshot, with relu, on [-0.5, 0.5]:
/// PNG or SVG by the file name's extension.
pub fn draw(path: &Path, activation: Activation, snapshots: &[(u32, [f64; 4])]) -> Result<()> {
    if snapshots.is_empty() {
        bail!("no snapshots to draw");
    }
    let format = Format::from_path(path)?;
    let failed = |e: &dyn std::fmt::Display| anyhow!("cannot draw {}: {e}", path.display());
    match format {
        Format::Png => {
            let root =
                TextBackend::raster(BitMapBackend::new(path, (WIDTH, HEIGHT))).into_drawing_area();
            plot(&root, activation, snapshots).map_err(|e| failed(&e))?;
            root.present().map_err(|e| failed(&e))?;
        }
        Format::Svg => {
            let root =
                TextBackend::vector(SVGBackend::new(path, (WIDTH, HEIGHT))).into_drawing_area();
            plot(&root, activation, snapshots).map_err(|e| failed(&e))?;
            root.present().map_err(|e| failed(&e))?;
        }
    }
    Ok(())
}

fn text(size: f64, color: RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    TextStyle {
        font: FontDesc::new(FontFamily::Name(FAMILY), size, FontStyle::Normal),
        color: color.to_backend_color(),
        pos: Pos::new(h, v),
    }
}

fn curve(activation: Activation, params: [f64; 4]) -> Vec<(f64, f64)> {
    (0..SAMPLES)
        .map(|i| {
            let x = -0.5 + i as f64 / (SAMPLES - 1) as f64;
            (x, model_value(activation, params, x))
        })
        .collect()
}

fn y_range(curves: &[Vec<(f64, f64)>]) -> (f64, f64) {
    let (mut lo, mut hi) = (0.0f64, 0.5f64);
    for &(_, y) in curves.iter().flatten() {
        if y.is_finite() {
            lo = lo.min(y.max(-Y_LIMIT));
            hi = hi.max(y.min(Y_LIMIT));
        }
    }
    let pad = 0.06 * (hi - lo);
    (lo - pad, hi + pad)
}

fn step_name(i: usize, step: u32, count: usize) -> String {
    if i == 0 && step == 0 {
        "step 0 (start)".into()
    } else if i + 1 == count {
        format!("step {step} (last)")
    } else {
        format!("step {step}")
    }
}

type Drawn<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

fn plot<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    activation: Activation,
    snapshots: &[(u32, [f64; 4])],
) -> Drawn<DB> {
    root.fill(&WHITE)?;
    let (chart_area, legend_area) = root.split_horizontally(WIDTH - LEGEND_WIDTH);
    let curves: Vec<Vec<(f64, f64)>> = snapshots
        .iter()
        .map(|&(_, p)| curve(activation, p))
        .collect();
    let (lo, hi) = y_range(&curves);
    let start = snapshots[0].1;
    let title = format!(
        "{activation}: g(x) = c·f(a·x + b) + d during training, from a={}, b={}, c={}, d={}",
        format_value(start[0]),
        format_value(start[1]),
        format_value(start[2]),
        format_value(start[3])
    );
    let mut chart = ChartBuilder::on(&chart_area)
        .caption(title, text(21.0, INK, HPos::Left, VPos::Top))
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(64)
        .build_cartesian_2d(-0.5f64..0.5f64, lo..hi)?;
    chart
        .configure_mesh()
        .x_desc("x")
        .y_desc("g(x)")
        .axis_desc_style(text(20.0, INK, HPos::Center, VPos::Center))
        .label_style(text(16.0, INK, HPos::Center, VPos::Center))
        .light_line_style(TRANSPARENT)
        .bold_line_style(RGBColor(225, 225, 225))
        .draw()?;
    let target: Vec<(f64, f64)> = (0..SAMPLES)
        .map(|i| {
            let x = -0.5 + i as f64 / (SAMPLES - 1) as f64;
            (x, x.max(0.0))
        })
        .collect();
    chart.draw_series(LineSeries::new(target, TARGET_COLOR.stroke_width(7)))?;
    for (i, points) in curves.iter().enumerate() {
        let color = STEP_COLORS[i % STEP_COLORS.len()];
        let clipped = points
            .iter()
            .filter(|(_, y)| y.is_finite())
            .map(|&(x, y)| (x, y.clamp(lo, hi)));
        chart.draw_series(LineSeries::new(clipped, color.stroke_width(3)))?;
    }

    // Legend, beside the chart so it never hides a curve.
    let mut y = 80;
    let x = 8;
    legend_area.draw(&PathElement::new(
        vec![(x, y), (x + 34, y)],
        TARGET_COLOR.stroke_width(7),
    ))?;
    legend_area.draw_text(
        "relu(x), the target",
        &text(17.0, INK, HPos::Left, VPos::Center),
        (x + 44, y),
    )?;
    for (i, &(step, _)) in snapshots.iter().enumerate() {
        y += 28;
        let color = STEP_COLORS[i % STEP_COLORS.len()];
        legend_area.draw(&PathElement::new(
            vec![(x, y), (x + 34, y)],
            color.stroke_width(3),
        ))?;
        legend_area.draw_text(
            &step_name(i, step, snapshots.len()),
            &text(17.0, INK, HPos::Left, VPos::Center),
            (x + 44, y),
        )?;
    }
    let last = snapshots[snapshots.len() - 1].1;
    y += 40;
    legend_area.draw_text(
        "final parameters",
        &text(17.0, MUTED, HPos::Left, VPos::Center),
        (x, y),
    )?;
    for (name, value) in ["a", "b", "c", "d"].iter().zip(last) {
        y += 24;
        legend_area.draw_text(
            &format!("{name} = {}", format_value(value)),
            &text(17.0, INK, HPos::Left, VPos::Center),
            (x + 10, y),
        )?;
    }
    Ok(())
}
