//! The sweep grid: every run a spec asks for, each with a stable id.
//!
//! Runs are numbered by training variant (the combination of listed
//! `[train]` settings), then activation, then replicate, then the starting
//! point `(a, b, c, d)` in row-major order of the axes. The id depends on
//! the spec alone, so threads, shards and interruptions cannot change which
//! run is which. Runs are cut into fixed chunks of `CHUNK_RUNS` (64) that never
//! straddle a group (variant, activation, replicate: one kernel call's
//! settings and data); chunks are the unit of scheduling, of sharding and of
//! durable writes.

pub mod refine;
pub mod shard;
pub mod starts;

use crate::problem::activation::Activation;
use crate::spec::{SweepSpec, TrainVariant};
pub use refine::Refinement;
pub use shard::Shard;
use starts::Starts;

/// Runs per chunk: a multiple of every kernel lane width.
pub(crate) const CHUNK_RUNS: u64 = 64;

/// Where one run sits in the grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RunKey {
    /// Index into [`SweepGrid::variants`].
    pub variant: usize,
    pub activation: usize,
    pub replicate: u32,
    /// The start's number (see [`Starts`]).
    pub point: u64,
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
    pub starts: Starts,
    /// A refined plane's shape; its starts are the finest lattice.
    pub refinement: Option<Refinement>,
}

impl SweepGrid {
    pub fn new(spec: &SweepSpec) -> SweepGrid {
        let lattice = spec.lattice();
        let refinement = spec.refine.map(|refine| {
            let lens = lattice.axes().map(|(_, axis)| axis.len());
            let mut varying = (0..4).filter(|&i| lens[i] > 1);
            let axes = [varying.next().unwrap_or(0), varying.next().unwrap_or(1)];
            Refinement {
                levels: refine.levels,
                axes,
                size: axes.map(|i| lens[i]),
            }
        });
        SweepGrid {
            variants: spec.train.variants(),
            activations: spec.activations.clone(),
            replicates: spec.replicates,
            starts: Starts::new(&lattice),
            refinement,
        }
    }

    /// Number of groups (variant, activation, replicate): the planes a
    /// refined sweep refines separately.
    pub fn group_count(&self) -> u64 {
        self.groups()
    }

    /// A refined sweep's planes, one per group in group order, as far as
    /// the labels stored for run ids (`stored(id)`) let them be known.
    pub fn plan_planes(
        &self,
        refinement: &Refinement,
        stored: impl Fn(u64) -> Option<crate::classify::Label> + Sync,
    ) -> Vec<refine::PlaneState> {
        use rayon::prelude::*;
        let points = self.points();
        (0..self.groups())
            .into_par_iter()
            .map(|group| refinement.plan(|point| stored(group * points + point)))
            .collect()
    }

    /// Starting points per group (variant, activation, replicate).
    pub fn points(&self) -> u64 {
        self.starts.count()
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
        let replicates = self.replicates as u64;
        let activations = self.activations.len() as u64;
        RunKey {
            variant: (group / replicates / activations) as usize,
            activation: (group / replicates % activations) as usize,
            replicate: (group % replicates) as u32,
            point: id % points,
        }
    }

    /// The id of `key`.
    pub fn id(&self, key: &RunKey) -> u64 {
        let group = (key.variant as u64 * self.activations.len() as u64 + key.activation as u64)
            * self.replicates as u64
            + key.replicate as u64;
        group * self.points() + key.point
    }

    /// Starting `a, b, c, d` of a run.
    pub fn start(&self, key: &RunKey) -> [f64; 4] {
        self.starts.start(key.point)
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
        Some(self.id(&RunKey {
            variant: variant as usize,
            activation,
            replicate,
            point: self.starts.find(start)?,
        }))
    }

    /// Chunks per group: the last one of a group may be short.
    fn chunks_per_group(&self) -> u64 {
        self.points().div_ceil(CHUNK_RUNS)
    }

    /// Number of chunks of the whole sweep.
    pub fn chunk_count(&self) -> u64 {
        self.groups() * self.chunks_per_group()
    }

    /// Chunk number `index`, computed, not looked up: memory does not grow
    /// with the sweep.
    pub fn chunk(&self, index: u64) -> Chunk {
        let per_group = self.chunks_per_group();
        let (group, within) = (index / per_group, index % per_group);
        let offset = within * CHUNK_RUNS;
        Chunk {
            index,
            first: group * self.points() + offset,
            len: CHUNK_RUNS.min(self.points() - offset),
        }
    }

    /// The chunks that belong to `shard`, in id order.
    pub fn shard_chunks(&self, shard: Shard) -> impl Iterator<Item = Chunk> + '_ {
        (shard.index as u64 - 1..self.chunk_count())
            .step_by(shard.count as usize)
            .map(|index| self.chunk(index))
    }
}
