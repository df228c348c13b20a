//! The finished runs of a sweep arranged on its grid: for every training
//! variant ([`Facets`]), activation, grid point and replicate, the label and
//! convergence step, or nothing when that run is not done yet.

use crate::classify::Label;
use crate::grid::SweepGrid;
use crate::problem::activation::Activation;
use crate::spec::SweepSpec;
use crate::store::RunRecord;
use std::collections::HashMap;

/// Parameter names in axis order.
pub(crate) const AXIS_NAMES: [&str; 4] = ["a", "b", "c", "d"];

/// What a map needs to know about one run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunSummary {
    pub label: Label,
    pub converged_at: Option<u32>,
    /// Mean training loss over the run.
    pub mean_loss: f64,
    /// Its record's index in the records the cells were built from.
    pub record: usize,
}

impl RunSummary {
    pub fn converged(&self) -> bool {
        self.label == Label::Converged
    }
}

/// A sweep's runs indexed by (activation, grid point, replicate).
#[derive(Clone, Debug)]
pub struct SweepCells {
    /// The values of a, b, c, d.
    pub axes: [Vec<f64>; 4],
    pub activations: Vec<Activation>,
    pub replicates: u32,
    runs: Vec<Option<RunSummary>>,
    /// Records placed on the grid.
    pub done: usize,
    /// Records whose start, activation or replicate is not in the spec.
    pub off_grid: usize,
    /// Axis value (as bits) to its index, per axis: placing a record is a
    /// lookup, not a search (a refined plane places millions).
    lookup: [HashMap<u64, usize>; 4],
}

impl SweepCells {
    /// An empty grid of runs for `spec`'s starts, activations and replicates.
    fn empty(spec: &SweepSpec) -> SweepCells {
        let axes = spec.lattice().axes().map(|(_, axis)| axis.values());
        let points: usize = axes.iter().map(Vec::len).product();
        let lookup = std::array::from_fn(|k| {
            axes[k]
                .iter()
                .enumerate()
                .map(|(i, v)| (v.to_bits(), i))
                .collect()
        });
        SweepCells {
            lookup,
            axes,
            activations: spec.activations.clone(),
            replicates: spec.replicates,
            runs: vec![None; points * spec.activations.len() * spec.replicates as usize],
            done: 0,
            off_grid: 0,
        }
    }

    /// Places `record` on the grid (a later record of the same run replaces
    /// an earlier one); `false` when its start, activation or replicate is
    /// not in the spec.
    fn place(&mut self, record: &RunRecord, index: usize) -> bool {
        let Some(act) = self
            .activations
            .iter()
            .position(|&a| a == record.activation)
        else {
            return false;
        };
        if record.replicate >= self.replicates {
            return false;
        }
        let mut idx = [0usize; 4];
        for (k, (slot, &v)) in idx.iter_mut().zip(&record.start).enumerate() {
            let exact = self.lookup[k].get(&v.to_bits()).copied();
            match exact.or_else(|| index_of(&self.axes[k], v)) {
                Some(i) => *slot = i,
                None => return false,
            }
        }
        let slot = self.slot(act, self.point(idx), record.replicate);
        if self.runs[slot].is_none() {
            self.done += 1;
        }
        self.runs[slot] = Some(RunSummary {
            label: record.outcome.label,
            converged_at: record.outcome.converged_at,
            mean_loss: record.outcome.mean_loss,
            record: index,
        });
        true
    }

    /// Number of grid points.
    pub fn points(&self) -> usize {
        self.axes.iter().map(Vec::len).product()
    }

    /// Number of runs the whole sweep has.
    pub fn total_runs(&self) -> usize {
        self.runs.len()
    }

    /// The flat index of the point with axis indices `idx`.
    pub fn point(&self, idx: [usize; 4]) -> usize {
        ((idx[0] * self.axes[1].len() + idx[1]) * self.axes[2].len() + idx[2]) * self.axes[3].len()
            + idx[3]
    }

    fn slot(&self, act: usize, point: usize, replicate: u32) -> usize {
        (act * self.points() + point) * self.replicates as usize + replicate as usize
    }

    /// The run of activation number `act` at `idx`, replicate `replicate`.
    pub fn run(&self, act: usize, idx: [usize; 4], replicate: u32) -> Option<RunSummary> {
        self.runs[self.slot(act, self.point(idx), replicate)]
    }

    /// Every replicate's run (or `None`) at one point.
    pub fn replicates_at(&self, act: usize, idx: [usize; 4]) -> &[Option<RunSummary>] {
        let start = self.slot(act, self.point(idx), 0);
        &self.runs[start..start + self.replicates as usize]
    }

    /// Every run slot of one activation.
    pub fn runs_of(&self, act: usize) -> &[Option<RunSummary>] {
        let n = self.points() * self.replicates as usize;
        &self.runs[act * n..(act + 1) * n]
    }

    /// Per activation: count of each label (in `Label::ALL` order) and of
    /// runs not done.
    pub fn label_counts(&self, act: usize) -> ([usize; 5], usize) {
        let mut counts = [0usize; 5];
        let mut missing = 0;
        for run in self.runs_of(act) {
            match run {
                Some(r) => counts[label_index(r.label)] += 1,
                None => missing += 1,
            }
        }
        (counts, missing)
    }

    /// Axes with more than one value.
    pub fn varying(&self) -> Vec<usize> {
        (0..4).filter(|&k| self.axes[k].len() > 1).collect()
    }

    /// Smallest and largest `converged_at` of converged runs, if any.
    pub fn converged_at_range(&self) -> Option<(u32, u32)> {
        self.runs
            .iter()
            .flatten()
            .filter(|r| r.converged())
            .filter_map(|r| r.converged_at)
            .fold(None, |acc, s| match acc {
                None => Some((s, s)),
                Some((lo, hi)) => Some((lo.min(s), hi.max(s))),
            })
    }
}

impl SweepCells {
    /// Smallest and largest finite, positive `mean_loss`, if any.
    pub fn mean_loss_range(&self) -> Option<(f64, f64)> {
        self.runs
            .iter()
            .flatten()
            .map(|r| r.mean_loss)
            .filter(|l| l.is_finite() && *l > 0.0)
            .fold(None, |acc, l| match acc {
                None => Some((l, l)),
                Some((lo, hi)) => Some((lo.min(l), hi.max(l))),
            })
    }
}

/// The runs of one training variant (one combination of the settings the
/// spec's `[train]` table lists).
#[derive(Clone, Debug)]
pub struct Facet {
    /// [`crate::spec::TrainVariant::describe`]: `"lr=0.1"`, `"data.mode=fixed,
    /// data.batch=-"`; empty when nothing is listed. The page's
    /// `data-variant` attribute.
    pub describe: String,
    /// What the maps are labelled with: `describe` without the settings that
    /// do not apply to this variant (`"data.mode=fixed"`).
    pub title: String,
    pub cells: SweepCells,
}

/// A sweep's runs split by training variant, in the order of
/// [`SweepGrid::variants`] (the index a [`RunRecord`]'s `variant` holds).
/// One facet when the spec lists no training setting.
#[derive(Clone, Debug)]
pub struct Facets {
    pub facets: Vec<Facet>,
    /// The settings that vary (`"lr"`, `"data.mode"`, ...).
    pub keys: Vec<&'static str>,
    /// Records placed on the grid.
    pub done: usize,
    /// Records whose start, activation, replicate or variant is not in the
    /// spec.
    pub off_grid: usize,
    /// Records from this index on were filled by refinement, not trained
    /// (`crate::store::filled`); `usize::MAX` when none were.
    pub filled_from: usize,
}

impl Facets {
    pub fn new(spec: &SweepSpec, grid: &SweepGrid, records: &[RunRecord]) -> Facets {
        let variants = &grid.variants;
        let keys = variants
            .first()
            .map(|v| v.labels.iter().map(|(k, _)| *k).collect())
            .unwrap_or_default();
        let mut facets: Vec<Facet> = variants
            .iter()
            .map(|v| Facet {
                describe: v.describe(),
                title: super::tally::variant_title(v),
                cells: SweepCells::empty(spec),
            })
            .collect();
        if facets.is_empty() {
            facets.push(Facet {
                describe: String::new(),
                title: String::new(),
                cells: SweepCells::empty(spec),
            });
        }
        let mut off_grid = 0;
        for (index, record) in records.iter().enumerate() {
            let placed = facets
                .get_mut(record.variant as usize)
                .is_some_and(|f| f.cells.place(record, index));
            off_grid += usize::from(!placed);
        }
        let done = facets.iter().map(|f| f.cells.done).sum();
        Facets {
            facets,
            keys,
            done,
            off_grid,
            filled_from: usize::MAX,
        }
    }

    /// More than one training variant: every map gets one row (or panel)
    /// per variant.
    pub fn faceted(&self) -> bool {
        self.facets.len() > 1
    }

    /// The first variant's runs: the grid, activations and replicates are
    /// the same in every variant.
    pub fn first(&self) -> &SweepCells {
        &self.facets[0].cells
    }

    /// Number of runs the whole sweep has.
    pub fn total_runs(&self) -> usize {
        self.facets.iter().map(|f| f.cells.total_runs()).sum()
    }

    /// Smallest and largest `converged_at` of converged runs of any variant.
    pub fn converged_at_range(&self) -> Option<(u32, u32)> {
        self.facets
            .iter()
            .filter_map(|f| f.cells.converged_at_range())
            .reduce(|(lo, hi), (l, h)| (lo.min(l), hi.max(h)))
    }

    /// Smallest and largest mean loss of any variant (finite, positive).
    pub fn mean_loss_range(&self) -> Option<(f64, f64)> {
        self.facets
            .iter()
            .filter_map(|f| f.cells.mean_loss_range())
            .reduce(|(lo, hi), (l, h)| (lo.min(l), hi.max(h)))
    }

    /// `"lr"`, `"data.mode / data.batch"`: what the rows differ in.
    pub fn keys_words(&self) -> String {
        self.keys.join(" / ")
    }
}

/// Position of a label in `Label::ALL`.
pub(crate) fn label_index(label: Label) -> usize {
    Label::ALL
        .iter()
        .position(|&l| l == label)
        .expect("every label is in ALL")
}

/// The index of `v` among `values`: an exact match, or one within a tiny
/// tolerance (values read back from text may differ in the last bits).
pub fn index_of(values: &[f64], v: f64) -> Option<usize> {
    if let Some(i) = values.iter().position(|&x| x == v) {
        return Some(i);
    }
    let scale = values.iter().fold(v.abs(), |m, x| m.max(x.abs())).max(1.0);
    let (i, distance) = nearest(values, v)?;
    (distance <= 1e-9 * scale).then_some(i)
}

/// The index of the value nearest to `v`, and the distance.
pub fn nearest(values: &[f64], v: f64) -> Option<(usize, f64)> {
    values
        .iter()
        .enumerate()
        .map(|(i, &x)| (i, (x - v).abs()))
        .filter(|(_, d)| d.is_finite())
        .min_by(|a, b| a.1.total_cmp(&b.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_tolerates_last_bit_differences() {
        let values = [-0.5, 0.0, 0.1 + 0.2];
        assert_eq!(index_of(&values, 0.3), Some(2));
        assert_eq!(index_of(&values, -0.5), Some(0));
        assert_eq!(index_of(&values, 0.25), None);
        assert_eq!(nearest(&values, 0.2).map(|n| n.0), Some(2));
    }
}
