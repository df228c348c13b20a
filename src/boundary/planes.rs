//! A plane sweep's label images, one per plane (training variant,
//! activation, replicate), and their boundary metrics.

use super::image::{LabelImage, UNKNOWN};
use super::{BasinEntropy, BoxCounting, basin_entropy, box_counting};
use crate::classify::Label;
use crate::grid::SweepGrid;
use serde::Serialize;

/// The metrics of one plane.
#[derive(Clone, Debug, Serialize)]
pub struct PlaneBoundary {
    pub activation: String,
    /// The training variant (`"lr=0.1"`), empty when nothing is listed.
    pub variant: String,
    pub replicate: u32,
    /// Cells along the two axes (the finest level of a refined plane).
    pub size: [usize; 2],
    /// Cells with a label (all, once the sweep is complete).
    pub labelled: u64,
    pub box_counting: Option<BoxCounting>,
    pub entropy: Option<BasinEntropy>,
    /// Share of boundary points per level (one entry when not refined),
    /// where the level is complete.
    pub boundary_share: Vec<Option<f64>>,
}

/// A plane's metrics written out for a table, `missing` where one is not
/// known: `basinmap boundary` and the page show the same numbers.
pub struct BoundaryCells {
    /// `1.253 ± 0.025`.
    pub dimension: String,
    /// `8–256`: the box sizes fitted, in cells.
    pub fit: String,
    pub sb: String,
    pub sbb: String,
    /// The boundary share of each level, `8.2% 5.1% …`.
    pub shares: String,
}

impl PlaneBoundary {
    pub fn cells(&self, missing: &str) -> BoundaryCells {
        let (dimension, fit) = match &self.box_counting {
            Some(b) => (
                format!("{:.3} ± {:.3}", b.dimension, b.standard_error),
                format!("{}–{}", b.fit_range.0, b.fit_range.1),
            ),
            None => (missing.to_string(), missing.to_string()),
        };
        let (sb, sbb) = match &self.entropy {
            Some(e) => (format!("{:.4}", e.sb), format!("{:.4}", e.sbb)),
            None => (missing.to_string(), missing.to_string()),
        };
        let shares: Vec<String> = self
            .boundary_share
            .iter()
            .map(|s| s.map_or(missing.to_string(), |s| format!("{:.1}%", 100.0 * s)))
            .collect();
        BoundaryCells {
            dimension,
            fit,
            sb,
            sbb,
            shares: shares.join(" "),
        }
    }
}

/// The metrics of every plane of `grid`, from the label of each run id
/// (`stored`); an error naming what is wrong when `grid` is no plane.
pub fn plane_boundaries(
    grid: &SweepGrid,
    stored: impl Fn(u64) -> Option<Label> + Sync,
) -> Result<Vec<PlaneBoundary>, String> {
    let lens = grid.starts.lattice_lens().ok_or(
        "boundary metrics need a lattice: this sweep samples its starts at random ([grid] sample)",
    )?;
    let varying: Vec<usize> = (0..4).filter(|&k| lens[k] > 1).collect();
    if varying.len() != 2 {
        return Err(format!(
            "boundary metrics need a plane (exactly two varying axes); this sweep varies {}",
            varying.len()
        ));
    }
    let size = [lens[varying[0]], lens[varying[1]]];
    let points = grid.points();
    let images: Vec<(LabelImage, Vec<Option<f64>>)> = match &grid.refinement {
        Some(refinement) => grid
            .plan_planes(refinement, &stored)
            .into_iter()
            .map(|plane| {
                let labels = plane.labels.iter().map(|l| code(*l)).collect();
                let shares = (0..=refinement.levels)
                    .map(|k| plane.counts.get(k as usize).and_then(|c| c.boundary))
                    .collect();
                (LabelImage::new(size[1], size[0], labels), shares)
            })
            .collect(),
        None => (0..grid.group_count())
            .map(|group| {
                let labels = (0..points)
                    .map(|p| code(stored(group * points + p)))
                    .collect();
                let image = LabelImage::new(size[1], size[0], labels);
                let share = image.complete().then(|| image.boundary_share());
                (image, vec![share])
            })
            .collect(),
    };
    Ok(images
        .into_iter()
        .enumerate()
        .map(|(group, (image, boundary_share))| {
            let key = grid.key(group as u64 * points);
            PlaneBoundary {
                activation: grid.activations[key.activation].name().to_string(),
                variant: grid.variants[key.variant].describe(),
                replicate: key.replicate,
                size,
                labelled: image.labels.iter().filter(|&&l| l != UNKNOWN).count() as u64,
                box_counting: box_counting(&image.boundary(), image.width, image.height),
                entropy: basin_entropy(&image),
                boundary_share,
            }
        })
        .collect())
}

fn code(label: Option<Label>) -> u8 {
    label.map_or(UNKNOWN, |l| {
        Label::ALL.iter().position(|&x| x == l).unwrap() as u8
    })
}
