//! A sweep's fingerprint: what must match for stored runs to be continued.
//!
//! It hashes (SHA-256) the spec in canonical form, the tool version, the
//! kernel id (a hash of the numeric sources, which can change within a
//! version) and the training data's identity (for `file` data, the file's
//! bytes), so a resume can never mix runs of different sweeps or builds.

use crate::grid::SweepGrid;
use crate::problem::data::DataMode;
use crate::spec::SweepSpec;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

pub(crate) const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");
/// Hash of the sources that decide a run's numbers (see `build.rs`).
pub(crate) const KERNEL_ID: &str = env!("BASINMAP_KERNEL_ID");

/// `sweep.json`: identifies the sweep a results directory holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepMeta {
    pub fingerprint: String,
    pub tool_version: String,
    /// Absent in directories of builds before the kernel id existed.
    #[serde(default)]
    pub kernel_id: String,
    pub data: String,
    pub total_runs: u64,
}

impl SweepMeta {
    /// The fingerprint of `spec` (with its `grid`) run by this build.
    pub fn of(spec: &SweepSpec, grid: &SweepGrid) -> Result<SweepMeta> {
        SweepMeta::of_build(spec, grid, TOOL_VERSION, KERNEL_ID)
    }

    /// [`SweepMeta::of`] with the data file's bytes as already read (by
    /// the checks before a run): what is hashed is what was checked.
    pub fn of_data(
        spec: &SweepSpec,
        grid: &SweepGrid,
        data_file: Option<&[u8]>,
    ) -> Result<SweepMeta> {
        match data_file {
            Some(bytes) => Ok(SweepMeta::hashed(
                spec,
                grid,
                TOOL_VERSION,
                KERNEL_ID,
                bytes,
            )),
            None => SweepMeta::of(spec, grid),
        }
    }

    /// The fingerprint `spec` has when run by the given build.
    pub fn of_build(
        spec: &SweepSpec,
        grid: &SweepGrid,
        tool_version: &str,
        kernel_id: &str,
    ) -> Result<SweepMeta> {
        let bytes = match (&spec.train.data.file, uses_file(spec)) {
            (Some(path), true) => std::fs::read(path)
                .with_context(|| format!("cannot read data file {}", path.display()))?,
            _ => Vec::new(),
        };
        Ok(SweepMeta::hashed(
            spec,
            grid,
            tool_version,
            kernel_id,
            &bytes,
        ))
    }

    /// The fingerprint, given the data file's bytes (ignored when the spec
    /// uses none).
    fn hashed(
        spec: &SweepSpec,
        grid: &SweepGrid,
        tool_version: &str,
        kernel_id: &str,
        data_file: &[u8],
    ) -> SweepMeta {
        let mut described: Vec<String> = Vec::new();
        for variant in &grid.variants {
            // A data file is identified by its bytes (below), not its path.
            let text = match variant.config.data.mode {
                DataMode::File => "file".to_string(),
                _ => variant.config.data.to_string(),
            };
            if !described.contains(&text) {
                described.push(text);
            }
        }
        let mut data = described.join("; ");
        if uses_file(spec) && spec.train.data.file.is_some() {
            data.push_str(&format!(" sha256={}", hex(&Sha256::digest(data_file))));
        }
        let canonical = serde_json::to_string(&results_part(spec)).expect("spec serialises");
        let mut hasher = Sha256::new();
        for part in [canonical.as_str(), tool_version, kernel_id, data.as_str()] {
            hasher.update(part.as_bytes());
            hasher.update([0]);
        }
        SweepMeta {
            fingerprint: hex(&hasher.finalize()),
            tool_version: tool_version.to_string(),
            kernel_id: kernel_id.to_string(),
            data,
            total_runs: grid.total_runs(),
        }
    }
}

/// Whether some variant of `spec` trains on its data file.
fn uses_file(spec: &SweepSpec) -> bool {
    spec.train.data.mode.values.contains(&DataMode::File)
}

/// The part of a spec that decides results: everything but `[render]` and
/// `[zoom]`, and
/// but where a `data.file` lies (its bytes are hashed instead), so the
/// results directory's own copy of the file is the same sweep.
fn results_part(spec: &SweepSpec) -> SweepSpec {
    let mut part = SweepSpec {
        render: Default::default(),
        zoom: None,
        ..spec.clone()
    };
    if part.train.data.file.is_some() {
        part.train.data.file = Some(DATA_COPY.into());
    }
    part
}

/// The name of a results directory's copy of a `file`-data sweep's x
/// values.
pub(crate) const DATA_COPY: &str = "data.txt";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The settings in which two specs differ, as `key: ours vs theirs` lines.
pub fn differences(ours: &SweepSpec, theirs: &SweepSpec) -> Vec<String> {
    let mut out = Vec::new();
    let a = serde_json::to_value(results_part(ours)).expect("spec serialises");
    let b = serde_json::to_value(results_part(theirs)).expect("spec serialises");
    diff_values("", &a, &b, &mut out);
    out
}

fn diff_values(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let sub = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                diff_values(
                    &sub,
                    x.get(key).unwrap_or(&Value::Null),
                    y.get(key).unwrap_or(&Value::Null),
                    out,
                );
            }
        }
        _ if a != b => out.push(format!("{path}: {a} (new) vs {b} (stored)")),
        _ => {}
    }
}
