//! The starting points of one group of runs, numbered `0..count()`: either
//! every combination of the axes' values (a lattice, row-major in a, b, c,
//! d) or `n` draws from the box the axes span (a sample).
//!
//! A sampled start depends only on `(seed, i)`: ChaCha8 seeded with `seed`
//! is positioned at word `8·i` and gives four `u64`, one per axis. So any
//! start can be computed alone, in any order, on any machine, and sampled
//! sweeps resume and shard like lattices.

use crate::spec::{Axis, GridSpec, SampleSpec};
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use std::collections::HashMap;
use std::sync::OnceLock;

/// Where the starts of a sweep come from.
pub enum Starts {
    Lattice(Lattice),
    Sample(Sample),
}

impl Starts {
    pub fn new(grid: &GridSpec) -> Starts {
        let axes = grid.axes().map(|(_, axis)| axis.clone());
        match grid.sample {
            None => Starts::Lattice(Lattice::new(axes.map(|a| a.values()))),
            Some(sample) => Starts::Sample(Sample::new(axes, sample)),
        }
    }

    /// Values per axis of a lattice; `None` for sampled starts.
    pub fn lattice_lens(&self) -> Option<[usize; 4]> {
        match self {
            Starts::Lattice(l) => Some(l.axes.each_ref().map(Vec::len)),
            Starts::Sample(_) => None,
        }
    }

    /// How many starts.
    pub fn count(&self) -> u64 {
        match self {
            Starts::Lattice(l) => l.count(),
            Starts::Sample(s) => s.n,
        }
    }

    /// Start number `point`.
    pub fn start(&self, point: u64) -> [f64; 4] {
        match self {
            Starts::Lattice(l) => l.start(point),
            Starts::Sample(s) => s.start(point),
        }
    }

    /// The number of the start with exactly these values, if it is one.
    pub fn find(&self, start: [f64; 4]) -> Option<u64> {
        match self {
            Starts::Lattice(l) => l.find(start),
            Starts::Sample(s) => s.find(start),
        }
    }
}

/// Every combination of the axes' values.
pub struct Lattice {
    /// Values of the a, b, c, d axes.
    pub axes: [Vec<f64>; 4],
    /// Axis value (as bits) to its index, per axis, to read results back.
    lookup: [HashMap<u64, usize>; 4],
}

impl Lattice {
    pub fn new(axes: [Vec<f64>; 4]) -> Lattice {
        let lookup = std::array::from_fn(|i| {
            axes[i]
                .iter()
                .enumerate()
                .map(|(index, v)| (v.to_bits(), index))
                .collect()
        });
        Lattice { axes, lookup }
    }

    pub fn count(&self) -> u64 {
        self.axes.iter().map(|a| a.len() as u64).product()
    }

    /// The axis indices of start number `point`.
    pub fn indices(&self, mut point: u64) -> [usize; 4] {
        let mut index = [0; 4];
        for axis in (0..4).rev() {
            let len = self.axes[axis].len() as u64;
            index[axis] = (point % len) as usize;
            point /= len;
        }
        index
    }

    /// The number of the start at these axis indices.
    pub fn point(&self, index: [usize; 4]) -> u64 {
        (0..4).fold(0, |point, axis| {
            point * self.axes[axis].len() as u64 + index[axis] as u64
        })
    }

    pub fn start(&self, point: u64) -> [f64; 4] {
        let index = self.indices(point);
        std::array::from_fn(|axis| self.axes[axis][index[axis]])
    }

    pub fn find(&self, start: [f64; 4]) -> Option<u64> {
        let mut index = [0; 4];
        for axis in 0..4 {
            index[axis] = *self.lookup[axis].get(&start[axis].to_bits())?;
        }
        Some(self.point(index))
    }
}

/// `n` starts drawn uniformly from the box the axes span.
pub struct Sample {
    axes: [Axis; 4],
    n: u64,
    seed: u64,
    /// Start (as bits) to its number, built on first use.
    lookup: OnceLock<HashMap<[u64; 4], u64>>,
}

impl Sample {
    pub fn new(axes: [Axis; 4], sample: SampleSpec) -> Sample {
        Sample {
            axes,
            n: sample.n,
            seed: sample.seed,
            lookup: OnceLock::new(),
        }
    }

    /// Start number `i`: per axis, a number stays fixed, a list gives one
    /// of its values (each equally likely), a range `[from, to]` a uniform
    /// value `from + (to - from)·u` with `u` a multiple of 2^-53 in [0, 1).
    pub fn start(&self, i: u64) -> [f64; 4] {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        rng.set_word_pos(8 * u128::from(i));
        let words: [u64; 4] = std::array::from_fn(|_| rng.next_u64());
        std::array::from_fn(|axis| match &self.axes[axis] {
            Axis::Value(v) => *v,
            Axis::List(values) => {
                let pick = (u128::from(words[axis]) * values.len() as u128) >> 64;
                values[pick as usize]
            }
            Axis::Range { from, to, .. } => {
                let u = (words[axis] >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
                from + (to - from) * u
            }
        })
    }

    /// The first two draws that give the same start, if any: rows are
    /// told apart by their start, so such a sample could never complete.
    /// Takes time and memory in proportion to `n`, like [`Sample::find`].
    pub fn first_repeat(&self) -> Option<(u64, u64)> {
        let mut seen: HashMap<[u64; 4], u64> = HashMap::new();
        (0..self.n).find_map(|i| {
            let bits = self.start(i).map(f64::to_bits);
            seen.insert(bits, i).map(|earlier| (earlier, i))
        })
    }

    pub fn find(&self, start: [f64; 4]) -> Option<u64> {
        let lookup = self.lookup.get_or_init(|| {
            (0..self.n)
                .map(|i| (self.start(i).map(f64::to_bits), i))
                .collect()
        });
        lookup.get(&start.map(f64::to_bits)).copied()
    }
}
