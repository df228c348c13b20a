//! One heatmap figure, whatever it shows: panels side by side (up to four
//! per row) over the same two grid axes, one colored cell per grid point,
//! tick labels and axis names, start markers, and a legend (color swatches or
//! a colorbar). The map builders (`outcome_map`, `speed_map`, ...) fill in a
//! [`HeatmapFigure`]; this module lays it out and draws it with plotters.
//!
//! Cells are whole layout pixels wide and tall, so [`HeatmapLayout::cell_rect`]
//! says exactly which pixels show a grid point (PNG files hold
//! [`HeatmapLayout::pixel_ratio`] device pixels per layout pixel). Each row of
//! cells is drawn as one rectangle per run of equal colors, which keeps
//! 129 × 129 panels fast and SVG files small.

use super::Format;
use super::canvas::{self, Drawing, Drawn};
use super::font::{FAMILY, text_width};
use super::palette::{INK, MUTED, STRIP_FILL, viridis};
use super::tally::count_share;
use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::Path;

/// One axis of the map: its parameter name and grid values (cell order).
#[derive(Clone, Debug)]
pub struct MapAxis {
    pub name: &'static str,
    pub values: Vec<f64>,
}

/// One panel: a title and a color per cell, row-major from the bottom row
/// (`cells[iy * nx + ix]`, `iy = 0` at the bottom).
#[derive(Clone, Debug)]
pub struct Panel {
    /// What the panel shows (an activation, a training variant): the
    /// page's name for it.
    pub title: String,
    /// What its cells add up to (`"converged 28% (4,660 of 16,641)"`),
    /// drawn after the title; may be empty.
    pub note: String,
    pub cells: Vec<RGBColor>,
}

impl Panel {
    /// The title as drawn: `"selu · converged 28% (4,660 of 16,641)"`.
    pub fn heading(&self) -> String {
        if self.note.is_empty() {
            self.title.clone()
        } else {
            format!("{} · {}", self.title, self.note)
        }
    }

    /// Cells drawn in `color`.
    pub fn count(&self, color: RGBColor) -> usize {
        self.cells.iter().filter(|&&c| c == color).count()
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum MarkerShape {
    Circle,
    Diamond,
    /// A rectangle `width × height` cells around the marker's point: a
    /// zoom's window on its parent's map.
    Window {
        width: f64,
        height: f64,
    },
}

/// A point drawn on every panel, in fractional cell indices.
#[derive(Clone, Debug)]
pub struct Marker {
    pub shape: MarkerShape,
    pub x: f64,
    pub y: f64,
    pub label: String,
}

/// How values map to viridis.
#[derive(Clone, Copy, Debug)]
pub struct ColorScale {
    pub min: f64,
    pub max: f64,
    pub log: bool,
    /// Low values bright, high values dark.
    pub reversed: bool,
}

impl ColorScale {
    fn fraction(&self, v: f64) -> f64 {
        let t = if self.max <= self.min {
            0.5
        } else if self.log {
            (v.max(self.min).ln() - self.min.ln()) / (self.max.ln() - self.min.ln())
        } else {
            (v - self.min) / (self.max - self.min)
        };
        let t = t.clamp(0.0, 1.0);
        if self.reversed { 1.0 - t } else { t }
    }

    pub fn color(&self, v: f64) -> RGBColor {
        viridis(self.fraction(v))
    }

    /// Value at position `t` in [0, 1] from `min` to `max`.
    fn value_at(&self, t: f64) -> f64 {
        if self.log {
            (self.min.ln() + t * (self.max.ln() - self.min.ln())).exp()
        } else {
            self.min + t * (self.max - self.min)
        }
    }

    fn ticks(&self) -> Vec<(f64, String)> {
        if self.max <= self.min {
            return vec![(self.min, format_value(self.min))];
        }
        if self.log {
            log_ticks(self.min, self.max)
        } else {
            nice_ticks(self.min, self.max, 5)
        }
    }
}

/// Ticks of a log axis from `min` to `max` (both positive): 1, 2 and 5
/// times powers of ten, only the powers when that makes more than seven,
/// the ends when fewer than two fall inside.
pub(crate) fn log_ticks(min: f64, max: f64) -> Vec<(f64, String)> {
    let mut ticks = Vec::new();
    let mut decade = 10f64.powf(min.log10().floor());
    while decade <= max * 1.0001 {
        for m in [1.0, 2.0, 5.0] {
            let v = decade * m;
            if v >= min * 0.9999 && v <= max * 1.0001 {
                ticks.push((v, format_value(v)));
            }
        }
        decade *= 10.0;
    }
    if ticks.len() > 7 {
        ticks.retain(|(v, _)| (v.log10() - v.log10().round()).abs() < 1e-9);
    }
    if ticks.len() < 2 {
        ticks = vec![(min, format_value(min)), (max, format_value(max))];
    }
    ticks
}

/// A legend entry: a color, what it means, and how many cells show it.
#[derive(Clone, Debug, PartialEq)]
pub struct Swatch {
    pub color: RGBColor,
    pub text: String,
    /// `"9,120 (14%)"`, drawn in a column after the texts; may be empty.
    pub count: String,
}

impl Swatch {
    pub fn new(color: RGBColor, text: impl Into<String>) -> Swatch {
        Swatch {
            color,
            text: text.into(),
            count: String::new(),
        }
    }
}

#[derive(Clone, Debug)]
pub enum Legend {
    Swatches(Vec<Swatch>),
    Colorbar {
        title: String,
        scale: ColorScale,
        /// Swatches under the bar, for cells off the scale.
        extra: Vec<Swatch>,
    },
}

impl Legend {
    /// The legend of what `panels` show: only the swatches some cell is
    /// drawn in, each counting those cells over every panel, with their
    /// share of all cells (`"9,120 (14%)"`). Counting the drawn colors keeps
    /// the legend true to the picture whatever a cell stands for.
    pub fn counted(self, panels: &[Panel]) -> Legend {
        let total: usize = panels.iter().map(|p| p.cells.len()).sum();
        let count = |items: Vec<Swatch>| -> Vec<Swatch> {
            items
                .into_iter()
                .filter_map(|s| {
                    let n: usize = panels.iter().map(|p| p.count(s.color)).sum();
                    (n > 0).then(|| Swatch {
                        count: count_share(n, total),
                        ..s
                    })
                })
                .collect()
        };
        match self {
            Legend::Swatches(items) => Legend::Swatches(count(items)),
            Legend::Colorbar {
                title,
                scale,
                extra,
            } => Legend::Colorbar {
                title,
                scale,
                extra: count(extra),
            },
        }
    }

    fn swatches(&self) -> &[Swatch] {
        match self {
            Legend::Swatches(items) => items,
            Legend::Colorbar { extra, .. } => extra,
        }
    }
}

/// A labelled group of consecutive panels that starts a new row under a
/// band with its label: one training variant's panels in a faceted figure.
#[derive(Clone, Debug, PartialEq)]
pub struct Strip {
    pub label: String,
    /// How many panels (following the previous strip's) it holds.
    pub panels: usize,
}

#[derive(Clone, Debug)]
pub struct HeatmapFigure {
    pub title: String,
    pub subtitle: String,
    pub x: MapAxis,
    pub y: MapAxis,
    pub panels: Vec<Panel>,
    /// Empty: the panels fill rows of up to four. Otherwise each strip's
    /// panels start a new row (wrapping at four), under the strip's label;
    /// the strips' counts add up to the number of panels.
    pub strips: Vec<Strip>,
    pub markers: Vec<Marker>,
    pub legend: Legend,
}

// Font sizes in plotters' units (1.24 em).
const TITLE: f64 = 25.0;
const SUBTITLE: f64 = 18.0;
const PANEL_TITLE: f64 = 20.0;
const AXIS_NAME: f64 = 21.0;
const TICK_LABEL: f64 = 16.0;
const LEGEND_TEXT: f64 = 17.0;

const MARGIN: i32 = 18;
const TICK_LEN: i32 = 5;
const COLUMN_GAP: i32 = 28;
const ROW_GAP: i32 = 14;
const MAX_COLUMNS: usize = 4;
const PANEL_TITLE_HEIGHT: i32 = 28;
const STRIP_HEIGHT: i32 = 34;
const STRIP_TEXT: f64 = 21.0;
const SWATCH: i32 = 16;
const LEGEND_ROW: i32 = 24;
const COLORBAR_WIDTH: i32 = 20;
const MARKER_RADIUS: i32 = 7;

fn em(size: f64) -> i32 {
    (size / 1.24).round() as i32
}

/// Where everything of a figure goes, in layout pixels (the CSS pixels the
/// page shows the picture at).
#[derive(Clone, Debug, PartialEq)]
pub struct HeatmapLayout {
    pub width: u32,
    pub height: u32,
    /// Device pixels per layout pixel in the written file: the PNG is
    /// `width * pixel_ratio` pixels wide (2, for HiDPI screens); SVG is 1.
    pub pixel_ratio: u32,
    pub nx: usize,
    pub ny: usize,
    pub cell_width: u32,
    pub cell_height: u32,
    /// Top-left pixel of each panel's cell area.
    pub panel_origins: Vec<(i32, i32)>,
    pub columns: usize,
    /// Column of each panel (0 = leftmost, which carries the y axis name).
    panel_columns: Vec<usize>,
    /// Top-left corner of each strip's band, and the band's width.
    strip_origins: Vec<(i32, i32)>,
    strip_width: i32,
    legend_origin: (i32, i32),
    y_label_width: i32,
}

impl HeatmapLayout {
    pub fn new(figure: &HeatmapFigure) -> HeatmapLayout {
        let (nx, ny) = (figure.x.values.len().max(1), figure.y.values.len().max(1));
        // About 400 pixels per panel side, in whole pixels per cell.
        let cell_width = ((400 + nx / 2) / nx).clamp(1, 96) as u32;
        let cell_height = ((400 + ny / 2) / ny).clamp(1, 96) as u32;
        let (panel_w, panel_h) = (
            nx as i32 * cell_width as i32,
            ny as i32 * cell_height as i32,
        );
        let n = figure.panels.len().max(1);
        let groups: Vec<usize> = if figure.strips.is_empty() {
            vec![n]
        } else {
            figure.strips.iter().map(|s| s.panels.max(1)).collect()
        };
        let strip_h = if figure.strips.is_empty() {
            0
        } else {
            STRIP_HEIGHT
        };
        let columns = groups.iter().copied().max().unwrap_or(1).min(MAX_COLUMNS);
        let rows: usize = groups.iter().map(|g| g.div_ceil(columns)).sum();
        // Panel titles wider than a panel (a variant's settings over a
        // narrow plane) push the columns apart.
        let widest_title = figure
            .panels
            .iter()
            .map(|p| text_width(&p.heading(), PANEL_TITLE).ceil() as i32)
            .max()
            .unwrap_or(0);
        let pitch = (panel_w + COLUMN_GAP).max(widest_title + 16);

        let y_ticks = axis_ticks(&figure.y, panel_h);
        let y_label_width = y_ticks
            .iter()
            .map(|(_, s)| text_width(s, TICK_LABEL).ceil() as i32)
            .max()
            .unwrap_or(0);
        let left = MARGIN + em(AXIS_NAME) + 10 + y_label_width + 6 + TICK_LEN;
        let top = MARGIN + em(TITLE) + 8 + em(SUBTITLE) + 14;
        let below = TICK_LEN + 4 + em(TICK_LABEL) + 8 + em(AXIS_NAME) + 4;
        let row_height = PANEL_TITLE_HEIGHT + panel_h + below + ROW_GAP;

        let mut panel_origins = Vec::with_capacity(n);
        let mut panel_columns = Vec::with_capacity(n);
        let mut strip_origins = Vec::with_capacity(groups.len());
        let mut row0 = 0i32;
        for (g, &count) in groups.iter().enumerate() {
            let band_top = top + row0 * row_height + g as i32 * strip_h;
            strip_origins.push((MARGIN, band_top));
            for k in 0..count {
                let (col, row) = (k % columns, row0 + (k / columns) as i32);
                panel_columns.push(col);
                panel_origins.push((
                    left + col as i32 * pitch,
                    band_top + strip_h + (row - row0) * row_height + PANEL_TITLE_HEIGHT,
                ));
            }
            row0 += count.div_ceil(columns) as i32;
        }
        panel_origins.truncate(n);
        panel_columns.truncate(n);
        let strip_width = left + columns as i32 * pitch - COLUMN_GAP - MARGIN;
        let legend_x = left + columns as i32 * pitch + 8;
        let legend_origin = (legend_x, top + strip_h + PANEL_TITLE_HEIGHT);
        let (legend_w, legend_h) = legend_size(figure, panel_h);
        let title_w = figure
            .strips
            .iter()
            .map(|s| text_width(&s.label, STRIP_TEXT) + 14.0)
            .fold(
                text_width(&figure.title, TITLE).max(text_width(&figure.subtitle, SUBTITLE)),
                f64::max,
            )
            .ceil() as i32;
        let width = (legend_x + legend_w + MARGIN).max(MARGIN + title_w + MARGIN);
        let height = (top + rows as i32 * row_height + groups.len() as i32 * strip_h)
            .max(legend_origin.1 + legend_h)
            + MARGIN
            - ROW_GAP;
        HeatmapLayout {
            width: width as u32,
            height: height as u32,
            pixel_ratio: 1,
            nx,
            ny,
            cell_width,
            cell_height,
            panel_origins,
            columns,
            panel_columns,
            strip_origins,
            strip_width,
            legend_origin,
            y_label_width,
        }
    }

    fn panel_size(&self) -> (i32, i32) {
        (
            self.nx as i32 * self.cell_width as i32,
            self.ny as i32 * self.cell_height as i32,
        )
    }

    /// Pixels of cell `(ix, iy)` of `panel` (`iy = 0` is the bottom row):
    /// top-left inclusive, bottom-right exclusive.
    pub fn cell_rect(&self, panel: usize, ix: usize, iy: usize) -> ((i32, i32), (i32, i32)) {
        let (ox, oy) = self.panel_origins[panel];
        let (w, h) = (self.cell_width as i32, self.cell_height as i32);
        let x0 = ox + ix as i32 * w;
        let y0 = oy + (self.ny - 1 - iy) as i32 * h;
        ((x0, y0), (x0 + w, y0 + h))
    }

    /// The pixel at the middle of a cell.
    pub fn cell_center(&self, panel: usize, ix: usize, iy: usize) -> (u32, u32) {
        let ((x0, y0), (x1, y1)) = self.cell_rect(panel, ix, iy);
        (((x0 + x1 - 1) / 2) as u32, ((y0 + y1 - 1) / 2) as u32)
    }

    /// Pixel position of a fractional cell coordinate in a panel.
    fn point(&self, panel: usize, fx: f64, fy: f64) -> (i32, i32) {
        let (ox, oy) = self.panel_origins[panel];
        let x = ox as f64 + (fx + 0.5) * self.cell_width as f64;
        let y = oy as f64 + (self.ny as f64 - 0.5 - fy) * self.cell_height as f64;
        (x.round() as i32, y.round() as i32)
    }
}

/// Widths of the legend's columns: the swatch texts, their counts (right
/// after the widest swatch text), and everything beside the swatches,
/// markers' texts included.
fn legend_columns(figure: &HeatmapFigure) -> (i32, i32, i32) {
    let widest = |texts: &mut dyn Iterator<Item = &str>| {
        texts
            .map(|s| text_width(s, LEGEND_TEXT).ceil() as i32)
            .max()
            .unwrap_or(0)
    };
    let swatches = figure.legend.swatches();
    let text_w = widest(&mut swatches.iter().map(|s| s.text.as_str()));
    let count_w = widest(&mut swatches.iter().map(|s| s.count.as_str()));
    let with_counts = if count_w > 0 {
        text_w + COUNT_GAP + count_w
    } else {
        text_w
    };
    let markers = widest(&mut figure.markers.iter().map(|m| m.label.as_str()));
    (text_w, count_w, with_counts.max(markers))
}

/// Gap between a legend text and its count.
const COUNT_GAP: i32 = 14;

fn colorbar_height(panel_h: i32) -> i32 {
    panel_h.clamp(140, 260)
}

fn legend_size(figure: &HeatmapFigure, panel_h: i32) -> (i32, i32) {
    let (_, _, text_w) = legend_columns(figure);
    let markers = marker_legend(figure).len() as i32;
    match &figure.legend {
        Legend::Swatches(items) => (
            SWATCH + 10 + text_w,
            (items.len() as i32 + markers) * LEGEND_ROW,
        ),
        Legend::Colorbar {
            title,
            scale,
            extra,
        } => {
            let tick_w = scale
                .ticks()
                .iter()
                .map(|(_, s)| text_width(s, TICK_LABEL).ceil() as i32)
                .max()
                .unwrap_or(0);
            let w = (text_width(title, LEGEND_TEXT).ceil() as i32)
                .max(COLORBAR_WIDTH + TICK_LEN + 6 + tick_w)
                .max(SWATCH + 10 + text_w);
            let h = LEGEND_ROW
                + colorbar_height(panel_h)
                + 16
                + (extra.len() as i32 + markers) * LEGEND_ROW;
            (w, h)
        }
    }
}

/// One legend entry per marker shape.
fn marker_legend(figure: &HeatmapFigure) -> Vec<&Marker> {
    let mut seen: Vec<&Marker> = Vec::new();
    for m in &figure.markers {
        if !seen.iter().any(|s| s.label == m.label) {
            seen.push(m);
        }
    }
    seen
}

/// Shortest readable form of a grid value (6 significant digits).
pub(crate) fn format_value(v: f64) -> String {
    let rounded: f64 = format!("{v:.5e}").parse().unwrap_or(v);
    if rounded == 0.0 {
        "0".into()
    } else {
        format!("{rounded}")
    }
}

/// `v` to `digits` significant digits, shortest form: `0.0612`, `184`.
pub(crate) fn significant(v: f64, digits: usize) -> String {
    let rounded: f64 = format!("{v:.*e}", digits.max(1) - 1).parse().unwrap_or(v);
    format_value(rounded)
}

/// Ticks at round numbers between `lo` and `hi`, about `target` of them.
fn nice_ticks(lo: f64, hi: f64, target: usize) -> Vec<(f64, String)> {
    let (lo, hi) = (lo.min(hi), lo.max(hi));
    let span = hi - lo;
    if span <= 0.0 || !span.is_finite() {
        return vec![(lo, format_value(lo))];
    }
    let raw = span / target.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw * 0.999)
        .unwrap_or(10.0 * magnitude);
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    (first..=last)
        .map(|i| {
            let v = i as f64 * step;
            (v, format_value(v))
        })
        .collect()
}

/// Tick positions (fractional cell index) and labels for an axis `len_px` long.
fn axis_ticks(axis: &MapAxis, len_px: i32) -> Vec<(f64, String)> {
    let v = &axis.values;
    let n = v.len();
    if n <= 1 {
        return v.iter().map(|&x| (0.0, format_value(x))).collect();
    }
    let labels: Vec<String> = v.iter().map(|&x| format_value(x)).collect();
    let widest = labels
        .iter()
        .map(|s| text_width(s, TICK_LABEL))
        .fold(0.0, f64::max);
    let cell = len_px as f64 / n as f64;
    // Every value when they fit side by side (horizontal labels need their width).
    if n <= 12 && cell >= widest.max(em(TICK_LABEL) as f64) + 6.0 {
        return labels
            .into_iter()
            .enumerate()
            .map(|(i, s)| (i as f64, s))
            .collect();
    }
    let step = (v[n - 1] - v[0]) / (n - 1) as f64;
    let even = step != 0.0
        && v.iter()
            .enumerate()
            .all(|(i, &x)| (x - (v[0] + i as f64 * step)).abs() <= 1e-6 * step.abs() * n as f64);
    let target = ((len_px as f64 / (widest + 24.0)).floor() as usize).clamp(2, 7);
    if even {
        nice_ticks(v[0], v[n - 1], target)
            .into_iter()
            .map(|(t, s)| ((t - v[0]) / step, s))
            .collect()
    } else {
        let every = n.div_ceil(target);
        (0..n)
            .step_by(every)
            .map(|i| (i as f64, labels[i].clone()))
            .collect()
    }
}

fn style(size: f64, color: RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    TextStyle {
        font: FontDesc::new(FontFamily::Name(FAMILY), size, FontStyle::Normal),
        color: color.to_backend_color(),
        pos: Pos::new(h, v),
    }
}

/// Draws `figure` to `path` and returns where its cells are.
pub fn write(figure: &HeatmapFigure, path: &Path, format: Format) -> Result<HeatmapLayout> {
    let mut layout = HeatmapLayout::new(figure);
    layout.pixel_ratio = canvas::pixel_ratio(format);
    canvas::write(
        path,
        format,
        &Figure {
            figure,
            layout: &layout,
        },
    )?;
    Ok(layout)
}

/// A figure with its layout, ready to draw.
struct Figure<'a> {
    figure: &'a HeatmapFigure,
    layout: &'a HeatmapLayout,
}

impl Drawing for Figure<'_> {
    fn size(&self) -> (u32, u32) {
        (self.layout.width, self.layout.height)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn<DB> {
        draw(root, self.figure, self.layout)
    }
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    figure: &HeatmapFigure,
    layout: &HeatmapLayout,
) -> Drawn<DB> {
    root.fill(&WHITE)?;
    root.draw_text(
        &figure.title,
        &style(TITLE, INK, HPos::Left, VPos::Top),
        (MARGIN, MARGIN),
    )?;
    root.draw_text(
        &figure.subtitle,
        &style(SUBTITLE, MUTED, HPos::Left, VPos::Top),
        (MARGIN, MARGIN + em(TITLE) + 8),
    )?;
    let (panel_w, panel_h) = layout.panel_size();
    let x_ticks = axis_ticks(&figure.x, panel_w);
    let y_ticks = axis_ticks(&figure.y, panel_h);
    for (strip, &(x, y)) in figure.strips.iter().zip(&layout.strip_origins) {
        root.draw(&Rectangle::new(
            [(x, y), (x + layout.strip_width, y + STRIP_HEIGHT - 6)],
            STRIP_FILL.filled(),
        ))?;
        root.draw(&Rectangle::new(
            [(x, y), (x + 4, y + STRIP_HEIGHT - 6)],
            INK.filled(),
        ))?;
        root.draw_text(
            &strip.label,
            &style(STRIP_TEXT, INK, HPos::Left, VPos::Center),
            (x + 14, y + (STRIP_HEIGHT - 6) / 2),
        )?;
    }
    for (p, panel) in figure.panels.iter().enumerate() {
        let first_column = layout.panel_columns[p] == 0;
        let (ox, oy) = layout.panel_origins[p];
        draw_panel_title(root, panel, (ox + panel_w / 2, oy - 8))?;
        draw_cells(root, layout, p, &panel.cells)?;
        root.draw(&Rectangle::new(
            [(ox - 1, oy - 1), (ox + panel_w, oy + panel_h)],
            INK,
        ))?;
        draw_x_axis(root, &figure.x, &x_ticks, layout, (ox, oy + panel_h))?;
        draw_y_ticks(root, &y_ticks, layout, (ox, oy), first_column)?;
        if first_column {
            let x = ox - TICK_LEN - 6 - layout.y_label_width - 10 - em(AXIS_NAME) / 2;
            let name_style = TextStyle {
                font: FontDesc::new(FontFamily::Name(FAMILY), AXIS_NAME, FontStyle::Normal)
                    .transform(FontTransform::Rotate270),
                ..style(AXIS_NAME, INK, HPos::Center, VPos::Center)
            };
            root.draw_text(figure.y.name, &name_style, (x, oy + panel_h / 2))?;
        }
        for marker in &figure.markers {
            if let MarkerShape::Window { width, height } = marker.shape {
                let (x0, y0) = layout.point(p, marker.x - width / 2.0, marker.y - height / 2.0);
                let (x1, y1) = layout.point(p, marker.x + width / 2.0, marker.y + height / 2.0);
                // At least a few pixels, so a deep zoom's window shows.
                let (x0, x1) = (x0.min(x1 - 3), x1.max(x0 + 3));
                let (y0, y1) = (y0.max(y1 + 3), y1.min(y0 - 3));
                root.draw(&Rectangle::new([(x0, y0), (x1, y1)], BLACK.stroke_width(4)))?;
                root.draw(&Rectangle::new([(x0, y0), (x1, y1)], WHITE.stroke_width(2)))?;
            } else {
                draw_marker(root, marker.shape, layout.point(p, marker.x, marker.y))?;
            }
        }
    }
    draw_legend(root, figure, layout)
}

/// The panel's heading centered on `(x, bottom)`: its title and its note
/// as separate texts, so the title stays findable on its own in an SVG.
fn draw_panel_title<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    panel: &Panel,
    (x, bottom): (i32, i32),
) -> Drawn<DB> {
    if panel.note.is_empty() {
        return root.draw_text(
            &panel.title,
            &style(PANEL_TITLE, INK, HPos::Center, VPos::Bottom),
            (x, bottom),
        );
    }
    let left = x - (text_width(&panel.heading(), PANEL_TITLE) / 2.0).round() as i32;
    let title_style = style(PANEL_TITLE, INK, HPos::Left, VPos::Bottom);
    root.draw_text(&panel.title, &title_style, (left, bottom))?;
    // After the title and a space (SVG drops a leading one).
    let after = text_width(&format!("{} ", panel.title), PANEL_TITLE).round() as i32;
    root.draw_text(
        &format!("· {}", panel.note),
        &title_style,
        (left + after, bottom),
    )
}

fn draw_cells<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    layout: &HeatmapLayout,
    p: usize,
    cells: &[RGBColor],
) -> Drawn<DB> {
    let nx = layout.nx;
    for iy in 0..layout.ny {
        let row = &cells[iy * nx..(iy + 1) * nx];
        let mut start = 0;
        while start < nx {
            let mut end = start + 1;
            while end < nx && row[end] == row[start] {
                end += 1;
            }
            let ((x0, y0), _) = layout.cell_rect(p, start, iy);
            let (_, (x1, y1)) = layout.cell_rect(p, end - 1, iy);
            root.draw(&Rectangle::new([(x0, y0), (x1, y1)], row[start].filled()))?;
            start = end;
        }
    }
    Ok(())
}

/// Pixel offset of a fractional cell index along an axis of `cell` pixels.
fn tick_offset(t: f64, cell: u32) -> i32 {
    ((t + 0.5) * cell as f64).round() as i32
}

fn draw_x_axis<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    axis: &MapAxis,
    ticks: &[(f64, String)],
    layout: &HeatmapLayout,
    (ox, bottom): (i32, i32),
) -> Drawn<DB> {
    let label = style(TICK_LABEL, INK, HPos::Center, VPos::Top);
    for (t, text) in ticks {
        let x = ox + tick_offset(*t, layout.cell_width);
        root.draw(&PathElement::new(
            vec![(x, bottom), (x, bottom + TICK_LEN)],
            INK,
        ))?;
        root.draw_text(text, &label, (x, bottom + TICK_LEN + 4))?;
    }
    let (panel_w, _) = layout.panel_size();
    root.draw_text(
        axis.name,
        &style(AXIS_NAME, INK, HPos::Center, VPos::Top),
        (ox + panel_w / 2, bottom + TICK_LEN + 4 + em(TICK_LABEL) + 8),
    )
}

fn draw_y_ticks<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ticks: &[(f64, String)],
    layout: &HeatmapLayout,
    (ox, oy): (i32, i32),
    with_labels: bool,
) -> Drawn<DB> {
    let (_, panel_h) = layout.panel_size();
    let label = style(TICK_LABEL, INK, HPos::Right, VPos::Center);
    for (t, text) in ticks {
        let y = oy + panel_h - tick_offset(*t, layout.cell_height);
        root.draw(&PathElement::new(
            vec![(ox - 1 - TICK_LEN, y), (ox - 1, y)],
            INK,
        ))?;
        if with_labels {
            root.draw_text(text, &label, (ox - TICK_LEN - 6, y))?;
        }
    }
    Ok(())
}

/// A hollow marker (black-white-black outline), visible on every cell color
/// and leaving the cell under it visible.
fn draw_marker<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    shape: MarkerShape,
    (x, y): (i32, i32),
) -> Drawn<DB> {
    let r = MARKER_RADIUS;
    match shape {
        MarkerShape::Circle => {
            root.draw(&Circle::new((x, y), r, BLACK.stroke_width(4)))?;
            root.draw(&Circle::new((x, y), r, WHITE.stroke_width(2)))?;
        }
        // Panels draw a window at its size; this is its legend icon.
        MarkerShape::Window { .. } => {
            let path = vec![
                (x - r, y - r),
                (x + r, y - r),
                (x + r, y + r),
                (x - r, y + r),
                (x - r, y - r),
            ];
            root.draw(&PathElement::new(path.clone(), BLACK.stroke_width(4)))?;
            root.draw(&PathElement::new(path, WHITE.stroke_width(2)))?;
        }
        MarkerShape::Diamond => {
            let r = r + 1;
            let path = vec![(x, y - r), (x + r, y), (x, y + r), (x - r, y), (x, y - r)];
            root.draw(&PathElement::new(path.clone(), BLACK.stroke_width(4)))?;
            root.draw(&PathElement::new(path, WHITE.stroke_width(2)))?;
        }
    }
    Ok(())
}

/// A swatch, its text, and its count right-aligned at `count_right`.
fn draw_swatch<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (x, y): (i32, i32),
    swatch: &Swatch,
    count_right: i32,
) -> Drawn<DB> {
    root.draw(&Rectangle::new(
        [(x, y), (x + SWATCH, y + SWATCH)],
        swatch.color.filled(),
    ))?;
    root.draw(&Rectangle::new([(x, y), (x + SWATCH, y + SWATCH)], INK))?;
    root.draw_text(
        &swatch.text,
        &style(LEGEND_TEXT, INK, HPos::Left, VPos::Center),
        (x + SWATCH + 10, y + SWATCH / 2),
    )?;
    root.draw_text(
        &swatch.count,
        &style(LEGEND_TEXT, MUTED, HPos::Right, VPos::Center),
        (count_right, y + SWATCH / 2),
    )
}

fn draw_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    figure: &HeatmapFigure,
    layout: &HeatmapLayout,
) -> Drawn<DB> {
    let (x, mut y) = layout.legend_origin;
    let (text_w, count_w, _) = legend_columns(figure);
    let count_right = x + SWATCH + 10 + text_w + COUNT_GAP + count_w;
    match &figure.legend {
        Legend::Swatches(items) => {
            for swatch in items {
                draw_swatch(root, (x, y), swatch, count_right)?;
                y += LEGEND_ROW;
            }
        }
        Legend::Colorbar {
            title,
            scale,
            extra,
        } => {
            root.draw_text(
                title,
                &style(LEGEND_TEXT, INK, HPos::Left, VPos::Top),
                (x, y),
            )?;
            y += LEGEND_ROW;
            let (_, panel_h) = layout.panel_size();
            let h = colorbar_height(panel_h);
            for row in 0..h {
                // Top of the bar is `max`.
                let t = 1.0 - (row as f64 + 0.5) / h as f64;
                let color = scale.color(scale.value_at(t));
                root.draw(&Rectangle::new(
                    [(x, y + row), (x + COLORBAR_WIDTH, y + row + 1)],
                    color.filled(),
                ))?;
            }
            root.draw(&Rectangle::new(
                [(x - 1, y - 1), (x + COLORBAR_WIDTH, y + h)],
                INK,
            ))?;
            let label = style(TICK_LABEL, INK, HPos::Left, VPos::Center);
            for (v, text) in scale.ticks() {
                let t = if scale.max <= scale.min {
                    0.5
                } else if scale.log {
                    (v.ln() - scale.min.ln()) / (scale.max.ln() - scale.min.ln())
                } else {
                    (v - scale.min) / (scale.max - scale.min)
                };
                let ty = y + ((1.0 - t) * (h - 1) as f64).round() as i32;
                let tx = x + COLORBAR_WIDTH;
                root.draw(&PathElement::new(vec![(tx, ty), (tx + TICK_LEN, ty)], INK))?;
                root.draw_text(&text, &label, (tx + TICK_LEN + 4, ty))?;
            }
            y += h + 16;
            for swatch in extra {
                draw_swatch(root, (x, y), swatch, count_right)?;
                y += LEGEND_ROW;
            }
        }
    }
    for marker in marker_legend(figure) {
        draw_marker(root, marker.shape, (x + SWATCH / 2, y + SWATCH / 2))?;
        root.draw_text(
            &marker.label,
            &style(LEGEND_TEXT, INK, HPos::Left, VPos::Center),
            (x + SWATCH + 10, y + SWATCH / 2),
        )?;
        y += LEGEND_ROW;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_ticks_are_round() {
        let t: Vec<String> = nice_ticks(-2.0, 2.0, 5).into_iter().map(|t| t.1).collect();
        assert_eq!(t, ["-2", "-1", "0", "1", "2"]);
        let t: Vec<String> = nice_ticks(0.0, 1.0, 4).into_iter().map(|t| t.1).collect();
        assert_eq!(t, ["0", "0.25", "0.5", "0.75", "1"]);
    }

    #[test]
    fn values_format_short() {
        assert_eq!(format_value(0.1 + 0.2), "0.3");
        assert_eq!(format_value(-0.5), "-0.5");
        assert_eq!(format_value(-0.0), "0");
        assert_eq!(format_value(2000.0), "2000");
        assert_eq!(significant(0.061234, 3), "0.0612");
        assert_eq!(significant(1234567.0, 3), "1230000");
        assert_eq!(significant(183.6, 3), "184");
    }

    #[test]
    fn even_axes_tick_at_round_values() {
        let values: Vec<f64> = (0..129).map(|i| -2.0 + 4.0 * i as f64 / 128.0).collect();
        let ticks = axis_ticks(&MapAxis { name: "c", values }, 387);
        assert!(
            ticks
                .iter()
                .any(|(t, s)| s == "0" && (*t - 64.0).abs() < 1e-9),
            "{ticks:?}"
        );
    }
}
