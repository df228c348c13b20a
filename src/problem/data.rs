//! Training inputs: the four data modes of docs/science.md.
//!
//! Random x values come from ChaCha8 (`rand_chacha::ChaCha8Rng`, seeded with
//! `seed_from_u64(seed)`), whose output stream is fixed by its algorithm and
//! portable across platforms. Each x takes one `u32` draw and keeps its top
//! 24 bits: `x = (u >> 8) / 2^24 - 0.5`, a multiple of 2^-24 in [-0.5, 0.5),
//! exact in both `f32` and `f64`, so both precisions train on identical data.
//! Changing any of this changes every published map: `tests/data.rs` pins
//! values.

use crate::simd::Real;
use anyhow::{Context, Result, bail};
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};

pub(crate) const DEFAULT_N: usize = 1024;
pub(crate) const DEFAULT_BATCH: usize = 64;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DataMode {
    /// `n` points drawn once from `seed`, the full batch at every step.
    #[default]
    Fixed,
    /// A new minibatch of `batch` points every step, from the stream of `seed`.
    Fresh,
    /// `n` evenly spaced points on [-0.5, 0.5], ends included.
    Grid,
    /// The x values of a file: one number per line, or a one-column CSV.
    File,
}

impl DataMode {
    pub const NAMES: &'static str = "fixed, fresh, grid, file";

    pub fn name(self) -> &'static str {
        match self {
            DataMode::Fixed => "fixed",
            DataMode::Fresh => "fresh",
            DataMode::Grid => "grid",
            DataMode::File => "file",
        }
    }
}

impl std::str::FromStr for DataMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "fixed" => Ok(DataMode::Fixed),
            "fresh" => Ok(DataMode::Fresh),
            "grid" => Ok(DataMode::Grid),
            "file" => Ok(DataMode::File),
            _ => Err(format!(
                "unknown data mode '{s}' (valid: {})",
                DataMode::NAMES
            )),
        }
    }
}

/// Where a run's x values come from (the `data` table of a spec).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DataSpec {
    pub mode: DataMode,
    /// Points of `fixed` and `grid` data.
    pub n: usize,
    /// Points per step of `fresh` data.
    pub batch: usize,
    /// Seed of `fixed` and `fresh` data; replicate `r` uses `seed + r`.
    pub seed: u64,
    /// The file of `file` data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<PathBuf>,
}

impl Default for DataSpec {
    fn default() -> Self {
        DataSpec {
            mode: DataMode::Fixed,
            n: DEFAULT_N,
            batch: DEFAULT_BATCH,
            seed: 0,
            file: None,
        }
    }
}

impl DataSpec {
    /// Checks the settings that do not need the file system; errors name the key.
    pub fn validate(&self) -> Result<(), String> {
        match self.mode {
            DataMode::Fixed | DataMode::Grid if self.n == 0 => {
                Err("data.n = 0: needs at least 1 point".into())
            }
            DataMode::Grid if self.n == 1 => {
                Err("data.n = 1: a grid from -0.5 to 0.5 needs at least 2 points".into())
            }
            DataMode::Fresh if self.batch == 0 => {
                Err("data.batch = 0: needs at least 1 point per step".into())
            }
            DataMode::File if self.file.is_none() => {
                Err("data.file is missing: mode \"file\" needs a file of x values".into())
            }
            _ => Ok(()),
        }
    }

    /// The same spec for replicate `r` (seed shifted by `r`).
    pub fn for_replicate(&self, replicate: u32) -> DataSpec {
        DataSpec {
            seed: self.seed + replicate as u64,
            ..self.clone()
        }
    }
}

impl fmt::Display for DataSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.mode {
            DataMode::Fixed => write!(f, "fixed n={} seed={}", self.n, self.seed),
            DataMode::Fresh => write!(f, "fresh batch={} seed={}", self.batch, self.seed),
            DataMode::Grid => write!(f, "grid n={}", self.n),
            DataMode::File => write!(
                f,
                "file {}",
                self.file.as_deref().unwrap_or(Path::new("?")).display()
            ),
        }
    }
}

/// `count` x values from the ChaCha8 stream of `seed` (see module docs).
pub fn uniform_stream(seed: u64, count: usize) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..count)
        .map(|_| (rng.next_u32() >> 8) as f64 * (1.0 / (1u64 << 24) as f64) - 0.5)
        .collect()
}

/// `n` evenly spaced points from -0.5 to 0.5 inclusive.
pub fn even_grid(n: usize) -> Vec<f64> {
    if n == 1 {
        return vec![0.0];
    }
    (0..n).map(|i| -0.5 + i as f64 / (n - 1) as f64).collect()
}

/// Reads x values: one number per line, or a one-column CSV with an optional
/// header line. Blank lines and lines starting with `#` are skipped.
pub fn read_x_file(path: &Path) -> Result<Vec<f64>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read data file {}", path.display()))?;
    let mut xs = Vec::new();
    let mut seen_first = false;
    for (index, line) in text.lines().enumerate() {
        let field = line.trim();
        if field.is_empty() || field.starts_with('#') {
            continue;
        }
        let is_first = !seen_first;
        seen_first = true;
        if field.contains(',') {
            bail!(
                "data file {} line {}: '{}' has more than one column; expected one x value per line",
                path.display(),
                index + 1,
                field
            );
        }
        match field.parse::<f64>() {
            Ok(x) if x.is_finite() => xs.push(x),
            Ok(_) => bail!(
                "data file {} line {}: '{}' is not a finite number",
                path.display(),
                index + 1,
                field
            ),
            // A non-numeric first line is a CSV header.
            Err(_) if is_first => {}
            Err(_) => bail!(
                "data file {} line {}: '{}' is not a number; expected one x value per line",
                path.display(),
                index + 1,
                field
            ),
        }
    }
    if xs.is_empty() {
        bail!(
            "data file {} holds no x values; expected one number per line",
            path.display()
        );
    }
    Ok(xs)
}

/// The x values of every step, materialised once and shared by all models
/// trained on the same data (the x's are broadcast across lanes).
#[derive(Clone, Debug)]
pub struct TrainingData<T> {
    xs: Vec<T>,
    targets: Vec<T>,
    batch_len: usize,
}

impl<T: Real> TrainingData<T> {
    /// Materialises `spec` for a run of `steps` steps.
    pub fn prepare(spec: &DataSpec, steps: u32) -> Result<Self> {
        spec.validate().map_err(anyhow::Error::msg)?;
        let (xs, batch_len) = match spec.mode {
            DataMode::Fixed => (uniform_stream(spec.seed, spec.n), spec.n),
            DataMode::Fresh => (
                uniform_stream(spec.seed, spec.batch * steps as usize),
                spec.batch,
            ),
            DataMode::Grid => (even_grid(spec.n), spec.n),
            DataMode::File => {
                let xs = read_x_file(spec.file.as_deref().expect("validated"))?;
                let len = xs.len();
                (xs, len)
            }
        };
        Ok(Self::from_values(&xs, batch_len))
    }

    /// Data cut into consecutive batches of `batch_len` values, each
    /// batch sorted by x.
    ///
    /// A batch's order does not change its mean, only the rounding of the
    /// sums; sorted, the points on one piece of elu and selu come in runs,
    /// so the kernel's test for skipping the exponential predicts well.
    pub fn from_values(xs: &[f64], batch_len: usize) -> Self {
        assert!(batch_len > 0 && xs.len().is_multiple_of(batch_len));
        let mut xs = xs.to_vec();
        for batch in xs.chunks_mut(batch_len) {
            batch.sort_by(f64::total_cmp);
        }
        let xs: Vec<T> = xs.iter().map(|&x| T::from_f64(x)).collect();
        let targets = xs
            .iter()
            .map(|&x| if x > T::zero() { x } else { T::zero() })
            .collect();
        TrainingData {
            xs,
            targets,
            batch_len,
        }
    }

    /// Inputs and targets of the batch used at `step` (1-based).
    #[inline]
    pub fn batch(&self, step: u32) -> (&[T], &[T]) {
        let batches = self.xs.len() / self.batch_len;
        let start = ((step as usize - 1) % batches) * self.batch_len;
        let range = start..start + self.batch_len;
        (&self.xs[range.clone()], &self.targets[range])
    }

    pub fn batch_len(&self) -> usize {
        self.batch_len
    }

    /// Every x value, in the order they are used (batch by batch, each
    /// sorted).
    pub fn all_xs(&self) -> &[T] {
        &self.xs
    }
}
