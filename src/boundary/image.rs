//! A plane's labels as an image: `width × height` cells, row-major, each a
//! label code or [`UNKNOWN`].

/// A cell with no label (its run is not done).
pub const UNKNOWN: u8 = u8::MAX;

#[derive(Clone, Debug, PartialEq)]
pub struct LabelImage {
    pub width: usize,
    pub height: usize,
    pub labels: Vec<u8>,
}

impl LabelImage {
    pub fn new(width: usize, height: usize, labels: Vec<u8>) -> LabelImage {
        assert_eq!(labels.len(), width * height, "labels fill the image");
        LabelImage {
            width,
            height,
            labels,
        }
    }

    pub fn at(&self, x: usize, y: usize) -> u8 {
        self.labels[y * self.width + x]
    }

    /// Whether every cell has a label.
    pub fn complete(&self) -> bool {
        !self.labels.contains(&UNKNOWN)
    }

    /// The boundary cells: those with a known label and an 8-neighbour of
    /// another known label.
    pub fn boundary(&self) -> Vec<bool> {
        let (w, h) = (self.width, self.height);
        let mut flags = vec![false; w * h];
        for y in 0..h {
            for x in 0..w {
                let here = self.at(x, y);
                if here == UNKNOWN {
                    continue;
                }
                flags[y * w + x] = (y.saturating_sub(1)..=(y + 1).min(h - 1)).any(|ny| {
                    (x.saturating_sub(1)..=(x + 1).min(w - 1)).any(|nx| {
                        let there = self.at(nx, ny);
                        there != UNKNOWN && there != here
                    })
                });
            }
        }
        flags
    }

    /// Share of the known cells that are boundary cells.
    pub fn boundary_share(&self) -> f64 {
        let known = self.labels.iter().filter(|&&l| l != UNKNOWN).count();
        let boundary = self.boundary().iter().filter(|&&b| b).count();
        if known == 0 {
            0.0
        } else {
            boundary as f64 / known as f64
        }
    }
}
