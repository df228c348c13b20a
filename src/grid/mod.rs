//! The sweep grid: every run a spec asks for, each with a stable id.
//!
//! Runs are numbered by training variant (the combination of listed
//! `[train]` settings), then activation, then replicate, then the starting
//! point `(a, b, c, d)` in row-major order of the axes. The id depends on
//! the spec alone, so threads, shards and interruptions cannot change which
//! run is which. Runs are cut into fixed chunks of [`CHUNK_RUNS`] that never
//! straddle a group (variant, activation, replicate: one kernel call's
//! settings and data); chunks are the unit of scheduling, of sharding and of
//! durable writes.

pub mod shard;

use crate::problem::activation::Activation;
use crate::spec::{SweepSpec, TrainVariant};
pub use shard::Shard;
use std::collections::HashMap;

/// Runs per chunk: a multiple of every kernel lane width.
pub const CHUNK_RUNS: u64 = 64;

/// Where one run sits in the grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RunKey {
    /// Index into [`SweepGrid::variants`].
    pub variant: usize,
    pub activation: usize,
    pub replicate: u32,
    /// Index into each of the a, b, c, d axes.
    pub point: [usize; 4],
}

/// A contiguous block of runs sharing variant, activation and replicate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chunk {
    pub index: u64,
    /// First run id.
    pub first: u64,
    /// Number of runs.
    pub len: u64,
}

pub struct SweepGrid {
    /// The combinations of listed `[train]` settings.
    pub variants: Vec<TrainVariant>,
    pub activations: Vec<Activation>,
    pub replicates: u32,
    /// Values of the a, b, c, d axes.
    pub axes: [Vec<f64>; 4],
    /// Axis value (as bits) to its index, per axis, to read results back.
    lookup: [HashMap<u64, usize>; 4],
}

impl SweepGrid {
    pub fn new(spec: &SweepSpec) -> SweepGrid {
        let axes =
            [&spec.grid.a, &spec.grid.b, &spec.grid.c, &spec.grid.d].map(|axis| axis.values());
        let lookup = std::array::from_fn(|i| {
            axes[i]
                .iter()
                .enumerate()
                .map(|(index, v)| (v.to_bits(), index))
                .collect()
        });
        SweepGrid {
            variants: spec.train.variants(),
            activations: spec.activations.clone(),
            replicates: spec.replicates,
            axes,
            lookup,
        }
    }

    /// Starting points per group (variant, activation, replicate).
    pub fn points(&self) -> u64 {
        self.axes.iter().map(|a| a.len() as u64).product()
    }

    /// Number of groups (variant, activation, replicate).
    fn groups(&self) -> u64 {
        self.variants.len() as u64 * self.activations.len() as u64 * self.replicates as u64
    }

    pub fn total_runs(&self) -> u64 {
        self.points() * self.groups()
    }

    /// The run with id `id`.
    pub fn key(&self, id: u64) -> RunKey {
        let points = self.points();
        let group = id / points;
        let mut rest = id % points;
        let mut point = [0; 4];
        for axis in (0..4).rev() {
            let len = self.axes[axis].len() as u64;
            point[axis] = (rest % len) as usize;
            rest /= len;
        }
        let replicates = self.replicates as u64;
        let activations = self.activations.len() as u64;
        RunKey {
            variant: (group / replicates / activations) as usize,
            activation: (group / replicates % activations) as usize,
            replicate: (group % replicates) as u32,
            point,
        }
    }

    /// The id of `key`.
    pub fn id(&self, key: &RunKey) -> u64 {
        let mut point_index = 0u64;
        for axis in 0..4 {
            point_index = point_index * self.axes[axis].len() as u64 + key.point[axis] as u64;
        }
        let group = (key.variant as u64 * self.activations.len() as u64 + key.activation as u64)
            * self.replicates as u64
            + key.replicate as u64;
        group * self.points() + point_index
    }

    /// Starting `a, b, c, d` of a run.
    pub fn start(&self, key: &RunKey) -> [f64; 4] {
        std::array::from_fn(|axis| self.axes[axis][key.point[axis]])
    }

    /// The id of the run with these starting values, activation, replicate
    /// and variant, if it belongs to this grid.
    pub fn find(
        &self,
        start: [f64; 4],
        activation: Activation,
        replicate: u32,
        variant: u32,
    ) -> Option<u64> {
        let activation = self.activations.iter().position(|&a| a == activation)?;
        if replicate >= self.replicates || variant as usize >= self.variants.len() {
            return None;
        }
        let mut point = [0; 4];
        for axis in 0..4 {
            point[axis] = *self.lookup[axis].get(&start[axis].to_bits())?;
        }
        Some(self.id(&RunKey {
            variant: variant as usize,
            activation,
            replicate,
            point,
        }))
    }

    /// All chunks, in id order.
    pub fn chunks(&self) -> Vec<Chunk> {
        let points = self.points();
        let groups = self.groups();
        let mut chunks = Vec::new();
        for group in 0..groups {
            let mut offset = 0;
            while offset < points {
                let len = CHUNK_RUNS.min(points - offset);
                chunks.push(Chunk {
                    index: chunks.len() as u64,
                    first: group * points + offset,
                    len,
                });
                offset += len;
            }
        }
        chunks
    }

    /// The chunks that belong to `shard`.
    pub fn shard_chunks(&self, shard: Shard) -> Vec<Chunk> {
        self.chunks()
            .into_iter()
            .filter(|chunk| shard.owns(chunk.index))
            .collect()
    }
}
