//! Text without system fonts: DejaVu Sans is compiled into the binary and
//! drawn with `ab_glyph`.
//!
//! Why this exists: plotters built without its `ttf` feature (which needs
//! fontconfig and installed fonts, absent on a fresh machine) only has a
//! placeholder font that measures text crudely and panics when asked to
//! draw. Its own `ab_glyph` feature measures every string as `size / 1.24`
//! tall and puts the baseline at half the size, so labels land above where
//! the layout expects them. [`TextBackend`] wraps any plotters backend and takes over the two text
//! methods: it measures with the embedded font's real advances and, for
//! bitmaps, rasterises the glyphs itself. SVG keeps its `<text>` elements (the
//! viewer draws them with a font-family list starting with DejaVu Sans); only
//! their measuring needs the font.
//!
//! Size convention (plotters'): a style's `size` is 1.24 em, as the SVG
//! backend writes `font-size = size / 1.24`. Layout boxes are 1 em tall, from
//! 0.76 em above the baseline to 0.24 em below, which matches the SVG
//! backend's baseline offsets for top, center and bottom anchors.
//!
//! A raster [`TextBackend`] can also draw at `scale` device pixels per
//! layout pixel: callers lay out and draw in layout pixels (the size the page
//! shows a picture at), and every shape, line width and glyph lands `scale`
//! times larger in the bitmap, so HiDPI screens get sharp pictures without
//! any drawing code knowing about it.

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
    rasterizer,
};
use std::sync::LazyLock;

/// DejaVu Sans (Bitstream Vera licence, see `assets/fonts/LICENSE`).
static FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

static FONT: LazyLock<FontRef<'static>> = LazyLock::new(|| {
    FontRef::try_from_slice(FONT_BYTES).expect("the embedded DejaVu Sans font parses")
});

/// The font-family list SVG text is written with.
pub(crate) const FAMILY: &str = "DejaVu Sans, Bitstream Vera Sans, Verdana, sans-serif";

/// Ratio of plotters' font size to the em size.
const SIZE_PER_EM: f64 = 1.24;
/// Baseline position below the layout box's top, in em.
const ASCENT_EM: f64 = 0.76;

/// The `ab_glyph` scale whose em is `em_px` pixels.
fn scale_for_em(em_px: f32) -> PxScale {
    let font = &*FONT;
    let units_per_em = font.units_per_em().unwrap_or(2048.0);
    PxScale::from(em_px * font.height_unscaled() / units_per_em)
}

/// Width in pixels of `text` at plotters font size `size`.
pub(crate) fn text_width(text: &str, size: f64) -> f64 {
    let font = FONT.as_scaled(scale_for_em((size / SIZE_PER_EM) as f32));
    let mut width = 0.0f32;
    let mut previous = None;
    for c in text.chars() {
        let id = font.glyph_id(c);
        if let Some(p) = previous {
            width += font.kern(p, id);
        }
        width += font.h_advance(id);
        previous = Some(id);
    }
    width as f64
}

/// `(width, height)` of the layout box of `text` at plotters font size `size`.
pub(crate) fn text_size(text: &str, size: f64) -> (u32, u32) {
    (
        text_width(text, size).ceil() as u32,
        (size / SIZE_PER_EM).round() as u32,
    )
}

/// Calls `plot(x, y, coverage)` for every pixel of `text` laid out with the
/// layout box's top-left corner at (0, 0).
fn rasterize(text: &str, size: f64, mut plot: impl FnMut(i32, i32, f32)) {
    let em = size / SIZE_PER_EM;
    let font = FONT.as_scaled(scale_for_em(em as f32));
    let baseline = (em * ASCENT_EM) as f32;
    let mut caret = 0.0f32;
    let mut previous = None;
    for c in text.chars() {
        let id = font.glyph_id(c);
        if let Some(p) = previous {
            caret += font.kern(p, id);
        }
        let glyph = id.with_scale_and_position(font.scale(), point(caret, baseline));
        if let Some(outline) = font.outline_glyph(glyph) {
            let bounds = outline.px_bounds();
            let (x0, y0) = (bounds.min.x as i32, bounds.min.y as i32);
            outline.draw(|gx, gy, coverage| plot(x0 + gx as i32, y0 + gy as i32, coverage));
        }
        caret += font.h_advance(id);
        previous = Some(id);
    }
}

/// A plotters backend whose text is measured (and, for bitmaps, drawn) with
/// the embedded font. Every other call goes to the wrapped backend, scaled
/// from layout to device pixels.
pub struct TextBackend<B> {
    inner: B,
    /// Draw glyphs as pixels (bitmaps) rather than delegating (SVG).
    rasterize: bool,
    /// Device pixels per layout pixel.
    scale: i32,
}

impl<B: DrawingBackend> TextBackend<B> {
    /// For pixel backends: glyphs are rasterised here, and everything is
    /// drawn `scale` times larger than laid out (`inner` is `scale` times the
    /// layout size).
    pub fn raster(inner: B, scale: u32) -> Self {
        TextBackend {
            inner,
            rasterize: true,
            scale: scale.max(1) as i32,
        }
    }

    /// For vector backends that write text as text: only measuring changes.
    pub fn vector(inner: B) -> Self {
        TextBackend {
            inner,
            rasterize: false,
            scale: 1,
        }
    }

    /// The device pixel at the middle of layout pixel `p` (its top-left
    /// quarter's corner when `scale` is even).
    fn center(&self, (x, y): BackendCoord) -> BackendCoord {
        let s = self.scale;
        (x * s + s / 2, y * s + s / 2)
    }

    /// The device pixels of the layout pixels from `from` to `to`
    /// (inclusive), as a rectangle `w` layout pixels thick across the line.
    fn line_block(&self, from: BackendCoord, to: BackendCoord, w: u32) -> [BackendCoord; 2] {
        let s = self.scale;
        let thick = w.max(1) as i32 * s;
        let (x0, x1) = (from.0.min(to.0) * s, (from.0.max(to.0) + 1) * s);
        let (y0, y1) = (from.1.min(to.1) * s, (from.1.max(to.1) + 1) * s);
        if from.1 == to.1 {
            let top = y0 + s / 2 - thick / 2;
            [(x0, top), (x1, top + thick)]
        } else {
            let left = x0 + s / 2 - thick / 2;
            [(left, y0), (left + thick, y1)]
        }
    }
}

/// A color and a line width, for handing scaled strokes to the inner backend.
struct Stroke {
    color: BackendColor,
    width: u32,
}

impl BackendStyle for Stroke {
    fn color(&self) -> BackendColor {
        self.color
    }

    fn stroke_width(&self) -> u32 {
        self.width
    }
}

type DrawResult<E> = Result<(), DrawingErrorKind<E>>;

impl<B: DrawingBackend> DrawingBackend for TextBackend<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        let (w, h) = self.inner.get_size();
        let s = self.scale as u32;
        (w / s, h / s)
    }

    fn ensure_prepared(&mut self) -> DrawResult<B::ErrorType> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> DrawResult<B::ErrorType> {
        self.inner.present()
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> DrawResult<B::ErrorType> {
        if self.scale == 1 {
            return self.inner.draw_pixel(point, color);
        }
        let s = self.scale;
        let corner = (point.0 * s, point.1 * s);
        self.inner
            .draw_rect(corner, (corner.0 + s, corner.1 + s), &color, true)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> DrawResult<B::ErrorType> {
        if self.scale == 1 {
            return self.inner.draw_line(from, to, style);
        }
        if style.color().alpha == 0.0 || style.stroke_width() == 0 {
            return Ok(());
        }
        // Axis-aligned lines (frames, ticks, grid lines) stay whole device
        // pixels wide, as sharp as at scale 1.
        if from.0 == to.0 || from.1 == to.1 {
            let [a, b] = self.line_block(from, to, style.stroke_width());
            return self.inner.draw_rect(a, b, &style.color(), true);
        }
        let stroke = Stroke {
            color: style.color(),
            width: style.stroke_width() * self.scale as u32,
        };
        self.inner
            .draw_line(self.center(from), self.center(to), &stroke)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> DrawResult<B::ErrorType> {
        if self.scale == 1 {
            return self.inner.draw_rect(upper_left, bottom_right, style, fill);
        }
        if !fill {
            // Four scaled lines.
            return rasterizer::draw_rect(self, upper_left, bottom_right, style, false);
        }
        let s = self.scale;
        self.inner.draw_rect(
            (upper_left.0 * s, upper_left.1 * s),
            (bottom_right.0 * s, bottom_right.1 * s),
            style,
            true,
        )
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> DrawResult<B::ErrorType> {
        if self.scale == 1 {
            return self.inner.draw_path(path, style);
        }
        let points: Vec<BackendCoord> = path.into_iter().collect();
        if points
            .windows(2)
            .all(|w| w[0].0 == w[1].0 || w[0].1 == w[1].1)
        {
            for w in points.windows(2) {
                self.draw_line(w[0], w[1], style)?;
            }
            return Ok(());
        }
        // Segment by segment with round joins: plotters fills a wide path
        // as one polygon, which a zigzag (a loss curve) folds over itself,
        // leaving holes.
        let stroke = Stroke {
            color: style.color(),
            width: style.stroke_width() * self.scale as u32,
        };
        let centers: Vec<BackendCoord> = points.into_iter().map(|p| self.center(p)).collect();
        for w in centers.windows(2) {
            self.inner.draw_line(w[0], w[1], &stroke)?;
        }
        if stroke.width >= 3 {
            for &joint in centers.iter().skip(1).take(centers.len().saturating_sub(2)) {
                self.inner
                    .draw_circle(joint, stroke.width / 2, &stroke.color, true)?;
            }
        }
        Ok(())
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> DrawResult<B::ErrorType> {
        if self.scale == 1 {
            return self.inner.draw_circle(center, radius, style, fill);
        }
        let stroke = Stroke {
            color: style.color(),
            width: style.stroke_width() * self.scale as u32,
        };
        self.inner.draw_circle(
            self.center(center),
            radius * self.scale as u32,
            &stroke,
            fill,
        )
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> DrawResult<B::ErrorType> {
        if self.scale == 1 {
            return self.inner.fill_polygon(vert, style);
        }
        let centers: Vec<BackendCoord> = vert.into_iter().map(|p| self.center(p)).collect();
        self.inner.fill_polygon(centers, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> DrawResult<B::ErrorType> {
        if self.scale == 1 {
            return self.inner.blit_bitmap(pos, size, src);
        }
        // Each source pixel becomes a scale × scale block.
        let s = self.scale as usize;
        let (w, h) = (size.0 as usize, size.1 as usize);
        let mut scaled = Vec::with_capacity(src.len() * s * s);
        for row in src.chunks(w * 3).take(h) {
            let wide: Vec<u8> = row
                .chunks(3)
                .flat_map(|rgb| std::iter::repeat_n(rgb, s).flatten().copied())
                .collect();
            for _ in 0..s {
                scaled.extend_from_slice(&wide);
            }
        }
        let scale = self.scale;
        self.inner.blit_bitmap(
            (pos.0 * scale, pos.1 * scale),
            (size.0 * s as u32, size.1 * s as u32),
            &scaled,
        )
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<B::ErrorType>> {
        Ok(text_size(text, style.size()))
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> DrawResult<B::ErrorType> {
        if !self.rasterize {
            return self.inner.draw_text(text, style, pos);
        }
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        // Glyphs are rasterised at device size, so they are sharp, not
        // enlarged pixels.
        let s = self.scale;
        let size = style.size() * f64::from(s);
        let (width, height) = text_size(text, size);
        let (width, height) = (width as i32, height as i32);
        let dx = match style.anchor().h_pos {
            HPos::Left => 0,
            HPos::Center => -width / 2,
            HPos::Right => -width,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0,
            VPos::Center => -height / 2,
            VPos::Bottom => -height,
        };
        let transform = style.transform();
        let origin = (pos.0 * s, pos.1 * s);
        let mut result = Ok(());
        rasterize(text, size, |x, y, coverage| {
            if result.is_err() || coverage <= 0.0 {
                return;
            }
            let (tx, ty) = transform.transform(x + dx, y + dy);
            let pixel_color = BackendColor {
                alpha: color.alpha * f64::from(coverage.min(1.0)),
                rgb: color.rgb,
            };
            result = self
                .inner
                .draw_pixel((origin.0 + tx, origin.1 + ty), pixel_color);
        });
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_with_real_advances() {
        let narrow = text_width("iiii", 20.0);
        let wide = text_width("WWWW", 20.0);
        assert!(narrow > 0.0 && wide > 2.0 * narrow, "{narrow} {wide}");
        assert_eq!(text_size("", 24.8).1, 20);
    }

    #[test]
    fn rasterizes_inside_the_layout_box() {
        let (w, h) = text_size("Hg", 31.0);
        let (mut min_y, mut max_y, mut max_x, mut count) = (i32::MAX, i32::MIN, i32::MIN, 0);
        rasterize("Hg", 31.0, |x, y, c| {
            if c > 0.5 {
                min_y = min_y.min(y);
                max_y = max_y.max(y);
                max_x = max_x.max(x);
                count += 1;
            }
        });
        assert!(count > 50);
        assert!(
            min_y >= 0 && max_y <= h as i32 + 1,
            "{min_y}..{max_y} in {h}"
        );
        assert!(max_x <= w as i32, "{max_x} in {w}");
    }
}
