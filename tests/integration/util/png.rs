//! Reading the PNGs basinmap draws, pixel by pixel.
//!
//! basinmap writes PNGs at several device pixels per layout (CSS) pixel
//! and says how many in the `pHYs` chunk (96 dpi per CSS pixel). An
//! [`Image`] is read in layout pixels, as the page shows it and as
//! `HeatmapLayout` places cells: `width`, `height`, `pixel` and `colors_in`
//! take layout coordinates, `pixel_ratio` and `device_pixel` see the file's
//! own pixels.

use plotters::style::RGBColor;
use std::collections::HashSet;
use std::path::Path;

/// Pixels per metre of one CSS pixel (96 dpi).
const CSS_PIXELS_PER_METRE: f64 = 96.0 / 0.0254;

pub struct Image {
    /// Layout pixels across (the file's width over `pixel_ratio`).
    pub width: u32,
    pub height: u32,
    /// Device pixels per layout pixel: from the `pHYs` chunk, 1 without one.
    pub pixel_ratio: u32,
    device_width: u32,
    device_height: u32,
    rgb: Vec<[u8; 3]>,
}

impl Image {
    pub fn read(path: &Path) -> Image {
        let file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
        let mut reader = png::Decoder::new(file)
            .read_info()
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let pixel_ratio = match reader.info().pixel_dims {
            Some(png::PixelDimensions {
                xppu,
                yppu,
                unit: png::Unit::Meter,
            }) => {
                assert_eq!(xppu, yppu, "{}: square pixels", path.display());
                (f64::from(xppu) / CSS_PIXELS_PER_METRE).round().max(1.0) as u32
            }
            _ => 1,
        };
        let mut buf = vec![0; reader.output_buffer_size().expect("buffer size")];
        let info = reader.next_frame(&mut buf).unwrap();
        let channels = match info.color_type {
            png::ColorType::Rgb => 3,
            png::ColorType::Rgba => 4,
            other => panic!("{}: unexpected color type {other:?}", path.display()),
        };
        assert_eq!(info.bit_depth, png::BitDepth::Eight);
        assert!(
            info.width.is_multiple_of(pixel_ratio) && info.height.is_multiple_of(pixel_ratio),
            "{}: {}x{} pixels is not a whole number of layout pixels at ratio {pixel_ratio}",
            path.display(),
            info.width,
            info.height
        );
        let rgb = buf[..info.buffer_size()]
            .chunks(channels)
            .map(|p| [p[0], p[1], p[2]])
            .collect();
        Image {
            width: info.width / pixel_ratio,
            height: info.height / pixel_ratio,
            pixel_ratio,
            device_width: info.width,
            device_height: info.height,
            rgb,
        }
    }

    /// The file's size in its own pixels.
    pub fn device_size(&self) -> (u32, u32) {
        (self.device_width, self.device_height)
    }

    /// The file's pixel `(x, y)`.
    pub fn device_pixel(&self, (x, y): (u32, u32)) -> RGBColor {
        let [r, g, b] = self.rgb[(y * self.device_width + x) as usize];
        RGBColor(r, g, b)
    }

    /// Layout pixel `(x, y)`: the top-left device pixel of its block.
    pub fn pixel(&self, (x, y): (u32, u32)) -> RGBColor {
        self.device_pixel((x * self.pixel_ratio, y * self.pixel_ratio))
    }

    /// How many device pixels have `color`.
    pub fn count(&self, color: RGBColor) -> usize {
        let want = [color.0, color.1, color.2];
        self.rgb.iter().filter(|&&p| p == want).count()
    }

    /// Distinct colors inside a rectangle of layout pixels (every device
    /// pixel of it).
    pub fn colors_in(&self, (x0, y0): (i32, i32), (x1, y1): (i32, i32)) -> usize {
        let r = self.pixel_ratio as i32;
        let mut seen = HashSet::new();
        for y in (y0 * r).max(0)..(y1 * r).min(self.device_height as i32) {
            for x in (x0 * r).max(0)..(x1 * r).min(self.device_width as i32) {
                seen.insert(self.rgb[(y as u32 * self.device_width + x as u32) as usize]);
            }
        }
        seen.len()
    }
}
