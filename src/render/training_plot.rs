//! `basinmap train --plot`: the learned function at several steps over
//! relu, and, when the run's losses are known, the training loss over the
//! steps with the settled step and `converged_at` marked. The title states
//! how the run ended.

use super::Format;
use super::canvas::{self, Drawing, Drawn};
use super::font::FAMILY;
use super::heatmap::{format_value, log_ticks, significant};
use super::palette::{INK, MUTED, okabe_ito};
use crate::classify::{Label, model_value};
use crate::problem::activation::Activation;
use anyhow::{Result, bail};
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::Path;

const WIDTH: u32 = 960;
const TITLE_HEIGHT: u32 = 44;
const FUNCTION_HEIGHT: u32 = 536;
const LOSS_HEIGHT: u32 = 360;
const LEGEND_WIDTH: u32 = 250;
const SAMPLES: usize = 401;
/// Curves beyond this are clipped, so one diverged snapshot cannot flatten
/// the others.
const Y_LIMIT: f64 = 5.0;
/// At most this many points of the loss curve: longer runs are drawn as
/// the lowest and highest loss of each of half as many step ranges, an
/// envelope that keeps every burst.
const LOSS_POINTS: usize = 1200;

/// The snapshots' colors, in step order (cycling).
pub const STEP_COLORS: [RGBColor; 7] = [
    okabe_ito::ORANGE,
    okabe_ito::SKY_BLUE,
    okabe_ito::BLUISH_GREEN,
    okabe_ito::BLUE,
    okabe_ito::VERMILLION,
    okabe_ito::REDDISH_PURPLE,
    okabe_ito::YELLOW,
];
const LOSS_COLOR: RGBColor = okabe_ito::BLUE;
const SETTLED_COLOR: RGBColor = okabe_ito::VERMILLION;
const CONVERGED_COLOR: RGBColor = okabe_ito::BLUISH_GREEN;
const GRID: RGBColor = RGBColor(225, 225, 225);
/// The target, relu: black, darker than any text or axis.
pub const TARGET_COLOR: RGBColor = okabe_ito::BLACK;

/// What `--plot` knows of a finished run besides its snapshots.
#[derive(Clone, Debug)]
pub struct RunTrace {
    /// Training loss at every step, from step 0.
    pub losses: Vec<f64>,
    pub label: Label,
    pub train_loss: f64,
    pub eval_loss: f64,
    pub settled_step: u32,
    pub converged_at: Option<u32>,
    /// The loss below which a run counts as converged.
    pub threshold: f64,
}

/// Draws `g` at each `(step, params)` snapshot, with relu, on [-0.5, 0.5]:
/// PNG or SVG by the file name's extension. Without the run's losses there
/// is no loss panel.
pub fn draw(path: &Path, activation: Activation, snapshots: &[(u32, [f64; 4])]) -> Result<()> {
    draw_run(path, activation, snapshots, None)
}

/// [`draw`], with the loss panel and the outcome in the title when `run` is
/// given.
pub fn draw_run(
    path: &Path,
    activation: Activation,
    snapshots: &[(u32, [f64; 4])],
    run: Option<&RunTrace>,
) -> Result<()> {
    if snapshots.is_empty() {
        bail!("no snapshots to draw");
    }
    let format = Format::from_path(path)?;
    let plot = TrainingPlot {
        activation,
        snapshots,
        run,
    };
    canvas::write(path, format, &plot)
}

struct TrainingPlot<'a> {
    activation: Activation,
    snapshots: &'a [(u32, [f64; 4])],
    run: Option<&'a RunTrace>,
}

impl Drawing for TrainingPlot<'_> {
    fn size(&self) -> (u32, u32) {
        let loss = if self.run.is_some() { LOSS_HEIGHT } else { 0 };
        (WIDTH, TITLE_HEIGHT + FUNCTION_HEIGHT + loss)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn<DB> {
        root.fill(&WHITE)?;
        root.draw_text(
            &self.title(),
            &text(22.0, INK, HPos::Left, VPos::Top),
            (16, 14),
        )?;
        let (_, body) = root.split_vertically(TITLE_HEIGHT);
        let (function, loss) = body.split_vertically(FUNCTION_HEIGHT);
        plot_function(&function, self.activation, self.snapshots)?;
        if let Some(run) = self.run {
            plot_loss(&loss, run)?;
        }
        Ok(())
    }
}

impl TrainingPlot<'_> {
    /// `"selu from a=1, b=0.5, c=1, d=-0.5: stuck-linear, eval loss 0.0626
    /// (train 0.0643)"`.
    fn title(&self) -> String {
        let start = self.snapshots[0].1;
        let mut title = format!(
            "{} from a={}, b={}, c={}, d={}",
            self.activation,
            format_value(start[0]),
            format_value(start[1]),
            format_value(start[2]),
            format_value(start[3])
        );
        if let Some(run) = self.run {
            title.push_str(&format!(
                ": {}, eval loss {} (train {})",
                run.label,
                significant(run.eval_loss, 3),
                significant(run.train_loss, 3)
            ));
        }
        title
    }
}

fn text(size: f64, color: RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    TextStyle {
        font: FontDesc::new(FontFamily::Name(FAMILY), size, FontStyle::Normal),
        color: color.to_backend_color(),
        pos: Pos::new(h, v),
    }
}

/// A tick label of a linear axis spanning `span`: round-off next to zero
/// reads "0", never "-0" or "-0.0".
fn tick_label(v: f64, span: f64) -> String {
    if v.abs() <= span.abs() * 1e-9 {
        "0".into()
    } else {
        significant(v, 6)
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

/// Line width of snapshot `i` of `count`: the last widest, each earlier one
/// narrower, so where curves coincide every one still shows at the edges
/// of the one under it.
fn snapshot_width(i: usize, count: usize) -> u32 {
    (9 - 2 * (count - 1 - i) as i32).max(2) as u32
}

/// The target, relu: a thin dashed line over every curve, so it shows even
/// over a run that learned it exactly.
fn target_style() -> ShapeStyle {
    TARGET_COLOR.stroke_width(2)
}
const TARGET_DASH: (u32, u32) = (9, 6);

fn plot_function<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    activation: Activation,
    snapshots: &[(u32, [f64; 4])],
) -> Drawn<DB> {
    let (chart_area, legend_area) = area.split_horizontally(WIDTH - LEGEND_WIDTH);
    let curves: Vec<Vec<(f64, f64)>> = snapshots
        .iter()
        .map(|&(_, p)| curve(activation, p))
        .collect();
    let (lo, hi) = y_range(&curves);
    let mut chart = ChartBuilder::on(&chart_area)
        .caption(
            "learned function g(x) = c·f(a·x + b) + d",
            text(19.0, MUTED, HPos::Left, VPos::Top),
        )
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
        .x_label_formatter(&|v| tick_label(*v, 1.0))
        .y_label_formatter(&|v| tick_label(*v, hi - lo))
        .axis_style(INK)
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .draw()?;
    let count = curves.len();
    for (i, points) in curves.iter().enumerate().rev() {
        let color = STEP_COLORS[i % STEP_COLORS.len()];
        let clipped = points
            .iter()
            .filter(|(_, y)| y.is_finite())
            .map(|&(x, y)| (x, y.clamp(lo, hi)));
        chart.draw_series(LineSeries::new(
            clipped,
            color.stroke_width(snapshot_width(i, count)),
        ))?;
    }
    let target = (0..SAMPLES).map(|i| {
        let x = -0.5 + i as f64 / (SAMPLES - 1) as f64;
        (x, x.max(0.0))
    });
    chart.draw_series(DashedLineSeries::new(
        target,
        TARGET_DASH.0,
        TARGET_DASH.1,
        target_style(),
    ))?;

    // Legend, beside the chart so it never hides a curve.
    let mut y = 60;
    let x = 8;
    let entry = text(17.0, INK, HPos::Left, VPos::Center);
    legend_area.draw(&DashedPathElement::new(
        vec![(x, y), (x + 34, y)],
        TARGET_DASH.0,
        TARGET_DASH.1,
        target_style(),
    ))?;
    legend_area.draw_text("relu(x), the target", &entry, (x + 44, y))?;
    for (i, &(step, _)) in snapshots.iter().enumerate() {
        y += 28;
        let color = STEP_COLORS[i % STEP_COLORS.len()];
        legend_area.draw(&PathElement::new(
            vec![(x, y), (x + 34, y)],
            color.stroke_width(snapshot_width(i, count)),
        ))?;
        legend_area.draw_text(&step_name(i, step, count), &entry, (x + 44, y))?;
    }
    let last = snapshots[count - 1].1;
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
            &entry,
            (x + 10, y),
        )?;
    }
    Ok(())
}

/// The loss curve's points: every step, or for long runs the lowest and
/// highest loss of each range of steps, in step order (the envelope a
/// line through every step would fill). Non-finite losses are left out.
fn loss_points(losses: &[f64]) -> Vec<(f64, f64)> {
    let finite = |&(_, v): &(usize, &f64)| v.is_finite();
    if losses.len() <= LOSS_POINTS {
        return losses
            .iter()
            .enumerate()
            .filter(finite)
            .map(|(s, &v)| (s as f64, v))
            .collect();
    }
    let ranges = LOSS_POINTS / 2;
    let mut points = Vec::with_capacity(LOSS_POINTS);
    for k in 0..ranges {
        let (from, to) = (k * losses.len() / ranges, (k + 1) * losses.len() / ranges);
        let in_range = losses[from..to]
            .iter()
            .enumerate()
            .map(|(i, v)| (from + i, v))
            .filter(finite);
        let mut low: Option<(usize, f64)> = None;
        let mut high: Option<(usize, f64)> = None;
        for (s, &v) in in_range {
            if low.is_none_or(|(_, l)| v < l) {
                low = Some((s, v));
            }
            if high.is_none_or(|(_, h)| v > h) {
                high = Some((s, v));
            }
        }
        let (Some(low), Some(high)) = (low, high) else {
            continue;
        };
        let (first, second) = if low.0 <= high.0 {
            (low, high)
        } else {
            (high, low)
        };
        points.push((first.0 as f64, first.1));
        if second.0 != first.0 {
            points.push((second.0 as f64, second.1));
        }
    }
    points
}

/// The log axis's range: every positive loss and the threshold, padded,
/// and at least a factor of 10 so it has ticks to read.
fn loss_range(points: &[(f64, f64)], threshold: f64) -> (f64, f64) {
    let positive = points
        .iter()
        .map(|&(_, v)| v)
        .chain([threshold])
        .filter(|&v| v > 0.0 && v.is_finite());
    let (lo, hi) = positive.fold((f64::INFINITY, 0.0f64), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if !lo.is_finite() {
        return (1e-3, 1.0);
    }
    let (lo, hi) = (lo / 1.3, hi * 1.3);
    if hi / lo >= 10.0 {
        (lo, hi)
    } else {
        let middle = (lo * hi).sqrt();
        (middle / 10f64.sqrt(), middle * 10f64.sqrt())
    }
}

fn plot_loss<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, run: &RunTrace) -> Drawn<DB> {
    let (chart_area, legend_area) = area.split_horizontally(WIDTH - LEGEND_WIDTH);
    let points = loss_points(&run.losses);
    let (lo, hi) = loss_range(&points, run.threshold);
    let last = run.losses.len().saturating_sub(1).max(1) as f64;
    let mut chart = ChartBuilder::on(&chart_area)
        .caption(
            "training loss by step (log scale)",
            text(19.0, MUTED, HPos::Left, VPos::Top),
        )
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(64)
        .build_cartesian_2d(0f64..last, (lo..hi).log_scale())?;
    // plotters puts too few ticks on a log axis under two decades long:
    // its y labels are drawn here, at 1, 2 and 5 times powers of ten.
    chart
        .configure_mesh()
        .x_desc("step")
        .y_desc("training loss")
        .axis_desc_style(text(20.0, INK, HPos::Center, VPos::Center))
        .label_style(text(16.0, INK, HPos::Center, VPos::Center))
        .x_label_formatter(&|v| tick_label(*v, last))
        .y_label_formatter(&|_| String::new())
        .set_tick_mark_size(LabelAreaPosition::Left, 0)
        .disable_y_mesh()
        .axis_style(INK)
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .draw()?;
    let label = text(16.0, INK, HPos::Right, VPos::Center);
    let (base_x, base_y) = area.get_base_pixel();
    for (v, tick) in log_ticks(lo, hi) {
        // Chart coordinates are the backend's; `area` draws from its corner.
        let (left, y) = chart.backend_coord(&(0.0, v));
        let (right, _) = chart.backend_coord(&(last, v));
        let (left, right, y) = (left - base_x, right - base_x, y - base_y);
        area.draw(&PathElement::new(vec![(left, y), (right, y)], GRID))?;
        area.draw(&PathElement::new(vec![(left - 5, y), (left, y)], INK))?;
        area.draw_text(&tick, &label, (left - 8, y))?;
    }
    let dash = |color: RGBColor| color.stroke_width(2);
    chart.draw_series(DashedLineSeries::new(
        [(0.0, run.threshold), (last, run.threshold)],
        6,
        5,
        dash(MUTED),
    ))?;
    if let Some(step) = run.converged_at {
        let step = f64::from(step);
        chart.draw_series(DashedLineSeries::new(
            [(step, lo), (step, hi)],
            9,
            6,
            dash(CONVERGED_COLOR),
        ))?;
    }
    let settled = f64::from(run.settled_step);
    chart.draw_series(DashedLineSeries::new(
        [(settled, lo), (settled, hi)],
        9,
        6,
        dash(SETTLED_COLOR),
    ))?;
    let clamped = points.iter().map(|&(s, v)| (s, v.clamp(lo, hi)));
    chart.draw_series(LineSeries::new(clamped, LOSS_COLOR.stroke_width(1)))?;

    let mut y = 60;
    let x = 8;
    let entry = text(17.0, INK, HPos::Left, VPos::Center);
    legend_area.draw(&PathElement::new(
        vec![(x, y), (x + 34, y)],
        LOSS_COLOR.stroke_width(2),
    ))?;
    legend_area.draw_text("training loss", &entry, (x + 44, y))?;
    let mut marks = vec![(
        MUTED,
        (6, 5),
        format!("threshold {}", format_value(run.threshold)),
    )];
    if let Some(step) = run.converged_at {
        marks.push((
            CONVERGED_COLOR,
            (9, 6),
            format!("converged from step {step}"),
        ));
    }
    marks.push((
        SETTLED_COLOR,
        (9, 6),
        format!("settled at step {}", run.settled_step),
    ));
    for (color, (size, gap), words) in marks {
        y += 28;
        legend_area.draw(&DashedPathElement::new(
            vec![(x, y), (x + 34, y)],
            size,
            gap,
            dash(color),
        ))?;
        legend_area.draw_text(&words, &entry, (x + 44, y))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_never_read_minus_zero() {
        assert_eq!(tick_label(-1.3877787807814457e-17, 1.0), "0");
        assert_eq!(tick_label(-0.0, 1.0), "0");
        assert_eq!(tick_label(-0.30000000000000004, 1.0), "-0.3");
        assert_eq!(tick_label(2000.0, 2000.0), "2000");
    }

    #[test]
    fn long_runs_keep_every_burst() {
        let mut losses = vec![0.01; 100_000];
        losses[54_321] = 0.5;
        losses[77_777] = f64::NAN;
        let points = loss_points(&losses);
        assert!(points.len() <= LOSS_POINTS);
        assert!(points.contains(&(54_321.0, 0.5)));
        assert!(points.iter().all(|(_, v)| v.is_finite()));
        assert!(points.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(loss_points(&[0.3, 0.2, f64::NAN]).len(), 2);
    }

    #[test]
    fn earlier_snapshots_are_narrower() {
        let widths: Vec<u32> = (0..5).map(|i| snapshot_width(i, 5)).collect();
        assert_eq!(widths, [2, 3, 5, 7, 9]);
    }

    #[test]
    fn loss_axis_spans_a_decade() {
        let (lo, hi) = loss_range(&[(0.0, 0.06), (1.0, 0.07)], 0.03);
        assert!(
            hi / lo >= 10.0 - 1e-9 && lo < 0.03 && hi > 0.07,
            "{lo} {hi}"
        );
    }
}
