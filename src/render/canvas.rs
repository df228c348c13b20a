//! Writing a picture to its file. Pictures are laid out and drawn in layout
//! pixels, the CSS pixels the page shows them at; the file format decides
//! what that becomes:
//! - PNG at [`PNG_PIXEL_RATIO`] device pixels per layout pixel (fonts, lines
//!   and cells alike), so a HiDPI screen shows it sharp at its layout size.
//!   Its `pHYs` chunk says so (192 dpi against CSS's 96), for viewers that
//!   read it and for the tests;
//! - SVG at one unit per layout pixel, every filled rectangle (cells,
//!   swatches, colorbar rows) rendered with `shape-rendering="crispEdges"`,
//!   so a viewer scaling the map does not open hairline seams between
//!   cells.

use super::Format;
use super::font::TextBackend;
use anyhow::{Result, anyhow};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::io::BufWriter;
use std::path::Path;

/// Device pixels per layout pixel in PNG files.
pub const PNG_PIXEL_RATIO: u32 = 2;

/// Pixels per metre of one CSS pixel (96 dpi), the `pHYs` unit.
pub const CSS_PIXELS_PER_METRE: f64 = 96.0 / 0.0254;

/// Device pixels per layout pixel of a picture written as `format`.
pub fn pixel_ratio(format: Format) -> u32 {
    match format {
        Format::Png => PNG_PIXEL_RATIO,
        Format::Svg => 1,
    }
}

pub(crate) type Drawn<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// A picture that can draw itself, in layout pixels, on any backend.
pub(crate) trait Drawing {
    /// Width and height in layout pixels.
    fn size(&self) -> (u32, u32);

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn<DB>;
}

/// Draws `drawing` into `path` as `format`.
pub(crate) fn write(path: &Path, format: Format, drawing: &impl Drawing) -> Result<()> {
    let failed = |e: &dyn std::fmt::Display| anyhow!("cannot draw {}: {e}", path.display());
    let (width, height) = drawing.size();
    match format {
        Format::Png => {
            let ratio = PNG_PIXEL_RATIO;
            let device = (width * ratio, height * ratio);
            let mut rgb = vec![0u8; device.0 as usize * device.1 as usize * 3];
            {
                let backend = BitMapBackend::with_buffer(&mut rgb, device);
                let root = TextBackend::raster(backend, ratio).into_drawing_area();
                drawing.draw(&root).map_err(|e| failed(&e))?;
                root.present().map_err(|e| failed(&e))?;
            }
            write_png(path, &rgb, device, ratio).map_err(|e| failed(&e))
        }
        Format::Svg => {
            let mut svg = String::new();
            {
                let backend = SVGBackend::with_string(&mut svg, (width, height));
                let root = TextBackend::vector(backend).into_drawing_area();
                drawing.draw(&root).map_err(|e| failed(&e))?;
                root.present().map_err(|e| failed(&e))?;
            }
            std::fs::write(path, crisp_fills(&svg)).map_err(|e| failed(&e))
        }
    }
}

/// Encodes 8-bit RGB pixels as a PNG whose `pHYs` chunk gives `ratio` device
/// pixels per CSS pixel. Flat-colored maps compress well at the high setting.
fn write_png(path: &Path, rgb: &[u8], (width, height): (u32, u32), ratio: u32) -> Result<()> {
    let file = std::fs::File::create(path)?;
    let mut encoder = png::Encoder::new(BufWriter::new(file), width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::High);
    let per_metre = (CSS_PIXELS_PER_METRE * f64::from(ratio)).round() as u32;
    encoder.set_pixel_dims(Some(png::PixelDimensions {
        xppu: per_metre,
        yppu: per_metre,
        unit: png::Unit::Meter,
    }));
    let mut writer = encoder.write_header()?;
    writer.write_image_data(rgb)?;
    writer.finish()?;
    Ok(())
}

/// `svg` with every run of filled `<rect>`s (the only elements plotters
/// writes with `stroke="none"`, one per line) in a
/// `<g shape-rendering="crispEdges">`; outlines, paths, circles and text
/// keep their smooth rendering. A group per run, not an attribute per
/// rectangle, keeps the file as small as it was.
pub(crate) fn crisp_fills(svg: &str) -> String {
    const OPEN: &str = "<g shape-rendering=\"crispEdges\">\n";
    const CLOSE: &str = "</g>\n";
    let mut out = String::with_capacity(svg.len() + 1024);
    let mut open = false;
    for line in svg.split_inclusive('\n') {
        let filled = line.starts_with("<rect ") && line.trim_end().ends_with("stroke=\"none\"/>");
        if filled != open {
            out.push_str(if filled { OPEN } else { CLOSE });
            open = filled;
        }
        out.push_str(line);
    }
    if open {
        out.push_str(CLOSE);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_filled_rects_turn_crisp() {
        let fill = "<rect x=\"0\" y=\"0\" width=\"3\" height=\"3\" opacity=\"1\" fill=\"#E69F00\" stroke=\"none\"/>\n";
        let outline = "<rect x=\"0\" y=\"0\" width=\"3\" height=\"3\" opacity=\"1\" fill=\"none\" stroke=\"#222222\"/>\n";
        let circle =
            "<circle cx=\"1\" cy=\"1\" r=\"2\" opacity=\"1\" fill=\"none\" stroke=\"#000000\"/>\n";
        let svg = format!("<svg>\n{fill}{fill}{outline}{circle}{fill}</svg>\n");
        let crisp = crisp_fills(&svg);
        let group = "<g shape-rendering=\"crispEdges\">\n";
        assert_eq!(
            crisp,
            format!("<svg>\n{group}{fill}{fill}</g>\n{outline}{circle}{group}{fill}</g>\n</svg>\n")
        );
    }
}
