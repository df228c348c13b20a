//! Reading the PNGs basinmap draws, pixel by pixel.

use plotters::style::RGBColor;
use std::collections::HashSet;
use std::path::Path;

pub struct Image {
    pub width: u32,
    pub height: u32,
    rgb: Vec<[u8; 3]>,
}

impl Image {
    pub fn read(path: &Path) -> Image {
        let file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
        let mut reader = png::Decoder::new(file)
            .read_info()
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut buf = vec![0; reader.output_buffer_size().expect("buffer size")];
        let info = reader.next_frame(&mut buf).unwrap();
        let channels = match info.color_type {
            png::ColorType::Rgb => 3,
            png::ColorType::Rgba => 4,
            other => panic!("{}: unexpected color type {other:?}", path.display()),
        };
        assert_eq!(info.bit_depth, png::BitDepth::Eight);
        let rgb = buf[..info.buffer_size()]
            .chunks(channels)
            .map(|p| [p[0], p[1], p[2]])
            .collect();
        Image {
            width: info.width,
            height: info.height,
            rgb,
        }
    }

    pub fn pixel(&self, (x, y): (u32, u32)) -> RGBColor {
        let [r, g, b] = self.rgb[(y * self.width + x) as usize];
        RGBColor(r, g, b)
    }

    /// Distinct colors inside a rectangle.
    pub fn colors_in(&self, (x0, y0): (i32, i32), (x1, y1): (i32, i32)) -> usize {
        let mut seen = HashSet::new();
        for y in y0.max(0)..y1.min(self.height as i32) {
            for x in x0.max(0)..x1.min(self.width as i32) {
                seen.insert(self.rgb[(y as u32 * self.width + x as u32) as usize]);
            }
        }
        seen.len()
    }
}
