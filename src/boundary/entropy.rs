//! Basin entropy (Daza et al. 2016). The image is cut into boxes of
//! `BOX × BOX` cells; box `i` holds label `j` in a share `p_ij` of its
//! cells and has Gibbs entropy `S_i = -Σ_j p_ij ln p_ij`. `Sb` is the mean
//! of `S_i` over all boxes, `Sbb` the mean over the boxes that hold more
//! than one label (boundary boxes). With two labels `S_i ≤ ln 2`, so `Sbb >
//! ln 2` can only come from boxes holding three labels or more, which a
//! smooth border between two basins never gives: a sufficient sign that the
//! boundary is fractal (the "ln 2 criterion").

use super::image::{LabelImage, UNKNOWN};
use serde::Serialize;

/// Box side in cells, as in Daza et al.'s examples.
pub const BOX: usize = 5;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BasinEntropy {
    /// `Sb`: mean entropy over all boxes.
    pub sb: f64,
    /// `Sbb`: mean entropy over boundary boxes (0 when there are none).
    pub sbb: f64,
    /// Boxes used (whole boxes with every cell labelled).
    pub boxes: u64,
    /// Of those, boundary boxes.
    pub boundary_boxes: u64,
}

impl BasinEntropy {
    /// `Sbb > ln 2`: the boundary is fractal (the converse need not hold).
    pub fn fractal_sign(&self) -> bool {
        self.sbb > std::f64::consts::LN_2
    }
}

/// `Sb` and `Sbb` of `image`, over its whole `BOX × BOX` boxes whose cells
/// are all labelled; `None` when there is no such box.
pub fn basin_entropy(image: &LabelImage) -> Option<BasinEntropy> {
    let (mut total, mut boundary_total) = (0.0, 0.0);
    let (mut boxes, mut boundary_boxes) = (0u64, 0u64);
    for by in 0..image.height / BOX {
        'next: for bx in 0..image.width / BOX {
            let mut counts = [0u32; 256];
            for y in by * BOX..(by + 1) * BOX {
                for x in bx * BOX..(bx + 1) * BOX {
                    let label = image.at(x, y);
                    if label == UNKNOWN {
                        continue 'next;
                    }
                    counts[label as usize] += 1;
                }
            }
            let cells = (BOX * BOX) as f64;
            let entropy: f64 = counts
                .iter()
                .filter(|&&n| n > 0)
                .map(|&n| {
                    let p = f64::from(n) / cells;
                    -p * p.ln()
                })
                .sum();
            boxes += 1;
            total += entropy;
            if counts.iter().filter(|&&n| n > 0).count() > 1 {
                boundary_boxes += 1;
                boundary_total += entropy;
            }
        }
    }
    (boxes > 0).then(|| BasinEntropy {
        sb: total / boxes as f64,
        sbb: if boundary_boxes > 0 {
            boundary_total / boundary_boxes as f64
        } else {
            0.0
        },
        boxes,
        boundary_boxes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropies_by_hand() {
        // 10 × 5: the left box all label 0; the right box 10 cells of label
        // 0 and 15 of label 1, so S = -(0.4 ln 0.4 + 0.6 ln 0.6).
        let mut labels = vec![0u8; 50];
        for y in 0..5 {
            for x in 5..10 {
                labels[y * 10 + x] = u8::from(x >= 7);
            }
        }
        let e = basin_entropy(&LabelImage::new(10, 5, labels)).unwrap();
        let s = -(0.4f64 * 0.4f64.ln() + 0.6 * 0.6f64.ln());
        assert_eq!((e.boxes, e.boundary_boxes), (2, 1));
        assert!((e.sbb - s).abs() < 1e-12);
        assert!((e.sb - s / 2.0).abs() < 1e-12);
        assert!(!e.fractal_sign());
    }

    #[test]
    fn three_labels_in_a_box_can_pass_ln_2() {
        let labels: Vec<u8> = (0..25).map(|i| (i % 3) as u8).collect();
        let e = basin_entropy(&LabelImage::new(5, 5, labels)).unwrap();
        assert!(e.fractal_sign(), "{}", e.sbb);
        // An unlabelled cell leaves its box out.
        let mut labels = vec![0u8; 25];
        labels[7] = UNKNOWN;
        assert!(basin_entropy(&LabelImage::new(5, 5, labels)).is_none());
    }
}
