//! Sweep specs (`sweeps/*.toml`, docs/formats.md), read strictly: every
//! mistake is reported with the file, the key (and line where the TOML
//! parser knows it) and what would be valid, before anything runs.

pub mod axis;
pub mod refine;
pub mod render;
pub mod train_axes;

use crate::classify::ClassifyConfig;
use crate::problem::activation::Activation;
use anyhow::{Result, anyhow};
pub use axis::Axis;
pub use refine::RefineSpec;
pub use render::{Pin, RenderOptions};
use serde::{Deserialize, Serialize};
use std::path::Path;
pub use train_axes::{TrainSpec, TrainVariant};

/// A whole sweep: which starts, which activations, how to train and label.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepSpec {
    /// Results go to `results/<name>/` unless `--out` is given.
    pub name: String,
    pub activations: Vec<Activation>,
    /// Independent data seeds per point: `seed`, `seed + 1`, ...
    #[serde(default = "one")]
    pub replicates: u32,
    pub grid: GridSpec,
    /// Training settings; listed values are sweep axes.
    #[serde(default)]
    pub train: TrainSpec,
    #[serde(default)]
    pub classify: ClassifyConfig,
    /// Adaptive refinement of a plane, level by level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refine: Option<RefineSpec>,
    /// How the maps are drawn; not part of the sweep's fingerprint.
    #[serde(default)]
    pub render: RenderOptions,
    /// A zoom's window in its parent sweep (`basinmap zoom`); not part of
    /// the fingerprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zoom: Option<ZoomOrigin>,
}

/// Where a zoom's window lies: its parent's results directory (as `zoom`
/// was given it), the window's centre on the plane's two axes, and its
/// width.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZoomOrigin {
    pub parent: std::path::PathBuf,
    pub at: [f64; 2],
    pub width: f64,
}

/// The starting points: each parameter a number, a list or a range; all
/// combinations (a grid), or `sample.n` random draws from the box they span.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GridSpec {
    pub a: Axis,
    pub b: Axis,
    pub c: Axis,
    pub d: Axis,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample: Option<SampleSpec>,
}

/// `[grid] sample = { n, seed }`: random starts instead of a grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SampleSpec {
    /// How many starts.
    pub n: u64,
    /// Start `i` depends only on `(seed, i)`.
    pub seed: u64,
}

impl GridSpec {
    /// The four axes with their names, in parameter order.
    pub fn axes(&self) -> [(&'static str, &Axis); 4] {
        [
            ("a", &self.a),
            ("b", &self.b),
            ("c", &self.c),
            ("d", &self.d),
        ]
    }
}

fn one() -> u32 {
    1
}

impl SweepSpec {
    /// Parses and validates the spec file at `path`.
    pub fn load(path: &Path) -> Result<SweepSpec> {
        let text = read_spec_text(path)?;
        Self::parse(&text, path)
    }

    /// Parses and validates spec text; `path` is used in messages only.
    pub fn parse(text: &str, path: &Path) -> Result<SweepSpec> {
        let mut spec: SweepSpec = toml::from_str(text).map_err(|e| toml_error(path, text, &e))?;
        resolve_data_file(&mut spec.train, path);
        spec.validate()
            .map_err(|msg| anyhow!("{}: {msg}", path.display()))?;
        Ok(spec)
    }

    /// Checks what the types alone cannot; the message names the key.
    pub fn validate(&self) -> Result<(), String> {
        validate_name(&self.name)?;
        if self.activations.is_empty() {
            return Err(format!(
                "activations is empty: list at least one of {}",
                Activation::valid_names()
            ));
        }
        for (i, act) in self.activations.iter().enumerate() {
            if self.activations[..i].contains(act) {
                return Err(format!("activations lists '{act}' twice"));
            }
        }
        if self.replicates == 0 {
            return Err("replicates = 0: must be at least 1".into());
        }
        match self.grid.sample {
            None => {
                for (name, axis) in self.grid.axes() {
                    axis.validate().map_err(|e| format!("grid.{name}: {e}"))?;
                }
            }
            Some(sample) => {
                if sample.n == 0 {
                    return Err("grid.sample.n = 0: draw at least 1 start".into());
                }
                for (name, axis) in self.grid.axes() {
                    axis.validate_for_sampling()
                        .map_err(|e| format!("grid.{name}: {e}"))?;
                }
            }
        }
        if let Some(refine) = &self.refine {
            refine.validate(&self.grid)?;
        }
        self.train.validate()?;
        self.validate_counts()?;
        self.classify.validate()?;
        self.render.validate()
    }

    /// The lattice runs live on: the grid as given, or its finest level
    /// when refined (coarser levels are sub-lattices of it).
    pub fn lattice(&self) -> GridSpec {
        match self.refine {
            Some(refine) => self.grid.refined(refine.levels),
            None => self.grid.clone(),
        }
    }

    /// How many runs the sweep has, if that fits in a `u64` (run ids do).
    /// A refined sweep counts its finest lattice: the runs it may need.
    pub fn run_count(&self) -> Option<u64> {
        self.runs_on(&self.lattice())
    }

    /// How many runs its first level has: all of them, unless refined.
    pub fn first_level_run_count(&self) -> Option<u64> {
        self.runs_on(&self.grid)
    }

    fn runs_on(&self, grid: &GridSpec) -> Option<u64> {
        let starts = match grid.sample {
            Some(sample) => sample.n,
            None => grid
                .axes()
                .iter()
                .try_fold(1u64, |n, (_, axis)| n.checked_mul(axis.len() as u64))?,
        };
        starts
            .checked_mul(self.train.variants().len() as u64)?
            .checked_mul(self.activations.len() as u64)?
            .checked_mul(u64::from(self.replicates))
    }

    /// Refuses counts that wrap: more runs than ids, or data seeds past
    /// `u64::MAX` (replicate `r` uses `seed + r`).
    fn validate_counts(&self) -> Result<(), String> {
        if self.run_count().is_none() {
            let starts = match self.grid.sample {
                Some(sample) => format!("{} sampled starts", sample.n),
                None => {
                    let lens: Vec<String> = self
                        .lattice()
                        .axes()
                        .iter()
                        .map(|(_, axis)| axis.len().to_string())
                        .collect();
                    format!("{} starts", lens.join(" × "))
                }
            };
            return Err(format!(
                "grid: {starts} × {} activation(s) × {} replicate(s) × {} training variant(s) is more than {} runs, more than can be numbered (let alone run): use fewer points, or draw starts with [grid] sample = {{ n, seed }}",
                self.activations.len(),
                self.replicates,
                self.train.variants().len(),
                u64::MAX
            ));
        }
        let last_replicate = u64::from(self.replicates) - 1;
        if self.train.data.seed.checked_add(last_replicate).is_none() {
            return Err(format!(
                "train.data.seed = {}: replicate r trains on seed + r, and with replicates = {} the seeds pass {}: use a seed of at most {}",
                self.train.data.seed,
                self.replicates,
                u64::MAX,
                u64::MAX - last_replicate
            ));
        }
        Ok(())
    }
}

/// Longest accepted `name`, in characters: a directory name that every
/// file system takes, and that stays readable in paths and messages.
pub const NAME_MAX_CHARS: usize = 100;

/// A name is the directory `results/<name>/`: it must be a portable file
/// name (POSIX's portable set: letters, digits, `-`, `_`, `.`), not hidden,
/// and short, so that the path can be typed, copied and archived anywhere.
fn validate_name(name: &str) -> Result<(), String> {
    let bad = name
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')));
    let problem = if name.is_empty() {
        "is empty".to_string()
    } else if let Some(c) = bad {
        format!("holds {c:?}")
    } else if name.starts_with('.') {
        "starts with '.'".to_string()
    } else if name.chars().count() > NAME_MAX_CHARS {
        format!("is {} characters long", name.chars().count())
    } else {
        return Ok(());
    };
    Err(format!(
        "name = {}: {problem}; a name is a directory (results/<name>/), so it may hold letters A-Z and a-z, digits, '-', '_' and '.', not start with '.', and have at most {NAME_MAX_CHARS} characters",
        shown(name)
    ))
}

/// A value for a message: quoted and escaped, and cut after 40 characters.
fn shown(text: &str) -> String {
    const SHOWN: usize = 40;
    if text.chars().count() <= SHOWN {
        format!("{text:?}")
    } else {
        let head: String = text.chars().take(SHOWN).collect();
        format!("{head:?}…")
    }
}

/// The `[train]` and `[classify]` tables of any spec file (other keys are
/// ignored), for `basinmap train --spec`.
#[derive(Debug, Default, Deserialize)]
pub struct Settings {
    #[serde(default)]
    pub train: TrainSpec,
    #[serde(default)]
    pub classify: ClassifyConfig,
}

impl Settings {
    pub fn load(path: &Path) -> Result<Settings> {
        let text = read_spec_text(path)?;
        let mut settings: Settings =
            toml::from_str(&text).map_err(|e| toml_error(path, &text, &e))?;
        resolve_data_file(&mut settings.train, path);
        settings
            .train
            .validate()
            .and_then(|()| settings.classify.validate())
            .map_err(|msg| anyhow!("{}: {msg}", path.display()))?;
        Ok(settings)
    }
}

/// A relative `data.file` is relative to the spec's own directory, so a
/// spec means the same wherever it is run from (and once stored, resumes).
fn resolve_data_file(train: &mut TrainSpec, spec_path: &Path) {
    if let Some(file) = &train.data.file
        && file.is_relative()
    {
        let base = spec_path.parent().unwrap_or(Path::new("."));
        let joined = base.join(file);
        train.data.file = Some(std::path::absolute(&joined).unwrap_or(joined));
    }
}

fn read_spec_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| anyhow!("cannot read spec {}: {e}", path.display()))
}

/// One line: `file:line:column: message`.
fn toml_error(path: &Path, text: &str, err: &toml::de::Error) -> anyhow::Error {
    let message = err.message().trim().replace('\n', " ");
    match err.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
            anyhow!("{}:{line}:{column}: {message}", path.display())
        }
        None => anyhow!("{}: {message}", path.display()),
    }
}
