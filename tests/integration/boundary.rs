//! The boundary estimators on label images of known dimension.

use basinmap::boundary::{LabelImage, basin_entropy, box_counting};

const SIDE: usize = 1024;

/// Two labels split by the line `y = x·slope + offset`: a smooth edge,
/// dimension 1.
fn straight_edge(slope: f64, offset: f64) -> LabelImage {
    let labels = (0..SIDE * SIDE)
        .map(|i| {
            let (x, y) = ((i % SIDE) as f64, (i / SIDE) as f64);
            u8::from(y > x * slope + offset)
        })
        .collect();
    LabelImage::new(SIDE, SIDE, labels)
}

/// The Koch curve of `depth` across the image (left to right, bumps
/// upward), its vertices in cell units.
fn koch_points(depth: u32) -> Vec<(f64, f64)> {
    let margin = 8.0;
    let mut points = vec![(margin, 300.0), (SIDE as f64 - margin, 300.0)];
    for _ in 0..depth {
        let mut next = Vec::with_capacity(points.len() * 4);
        for w in points.windows(2) {
            let ((x0, y0), (x1, y1)) = (w[0], w[1]);
            let (dx, dy) = ((x1 - x0) / 3.0, (y1 - y0) / 3.0);
            let a = (x0 + dx, y0 + dy);
            let b = (x0 + 2.0 * dx, y0 + 2.0 * dy);
            // The apex: the middle third turned by 60 degrees.
            let (c, s) = (0.5, 3f64.sqrt() / 2.0);
            let apex = (a.0 + dx * c - dy * s, a.1 + dx * s + dy * c);
            next.extend([w[0], a, apex, b]);
        }
        next.push(*points.last().unwrap());
        points = next;
    }
    points
}

/// Two labels split by the Koch curve: cells on the curve are a wall, the
/// region reachable from the bottom row without crossing it is label 0,
/// the rest label 1.
fn koch_image(depth: u32) -> LabelImage {
    let mut wall = vec![false; SIDE * SIDE];
    let points = koch_points(depth);
    for w in points.windows(2) {
        let ((x0, y0), (x1, y1)) = (w[0], w[1]);
        let steps = ((x1 - x0).abs().max((y1 - y0).abs()) * 4.0).ceil() as usize + 1;
        for k in 0..=steps {
            let t = k as f64 / steps as f64;
            let (x, y) = (x0 + t * (x1 - x0), y0 + t * (y1 - y0));
            wall[y as usize * SIDE + x as usize] = true;
        }
    }
    // Flood from the bottom row (y = 0) through 4-neighbours.
    let mut labels = vec![1u8; SIDE * SIDE];
    let mut stack: Vec<usize> = (0..SIDE).collect();
    while let Some(i) = stack.pop() {
        if wall[i] || labels[i] == 0 {
            continue;
        }
        labels[i] = 0;
        let (x, y) = (i % SIDE, i / SIDE);
        if x > 0 {
            stack.push(i - 1);
        }
        if x + 1 < SIDE {
            stack.push(i + 1);
        }
        if y > 0 {
            stack.push(i - SIDE);
        }
        if y + 1 < SIDE {
            stack.push(i + SIDE);
        }
    }
    LabelImage::new(SIDE, SIDE, labels)
}

fn dimension(image: &LabelImage) -> (f64, f64) {
    let fit = box_counting(&image.boundary(), image.width, image.height).unwrap();
    eprintln!("{fit:?}");
    (fit.dimension, fit.standard_error)
}

#[test]
fn a_straight_edge_has_dimension_1() {
    for (slope, offset) in [(0.0, 511.5), (0.37, 200.0), (1.0, 0.5), (-2.5, 1800.0)] {
        let (d, error) = dimension(&straight_edge(slope, offset));
        assert!((d - 1.0).abs() <= 0.05, "slope {slope}: {d} ± {error}");
        let e = basin_entropy(&straight_edge(slope, offset)).unwrap();
        assert!(!e.fractal_sign(), "a smooth edge has Sbb {} <= ln 2", e.sbb);
    }
}

#[test]
fn a_koch_curve_has_dimension_log4_over_log3() {
    let expected = 4f64.ln() / 3f64.ln();
    let image = koch_image(7);
    let (d, error) = dimension(&image);
    assert!(
        (d - expected).abs() <= 0.05,
        "{d} ± {error}, expected {expected}"
    );
    // A plain two-basin boundary, fractal or not, cannot pass ln 2.
    let e = basin_entropy(&image).unwrap();
    assert!(e.sbb <= std::f64::consts::LN_2 + 1e-12);
    assert!(e.sb > 0.0 && e.boundary_boxes > 0);
}

#[test]
fn an_empty_boundary_has_no_dimension() {
    let image = LabelImage::new(64, 64, vec![3; 64 * 64]);
    assert!(box_counting(&image.boundary(), 64, 64).is_none());
    let e = basin_entropy(&image).unwrap();
    assert_eq!((e.sb, e.sbb, e.boundary_boxes), (0.0, 0.0, 0));
}
