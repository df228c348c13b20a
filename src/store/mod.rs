//! The result store: one directory per sweep holding
//!
//! - `spec.toml`: the spec as it was run (normalised, self-contained);
//! - `sweep.json`: its fingerprint ([`fingerprint::SweepMeta`]);
//! - `runs.csv`, or `runs-shard-K-of-N.csv` per shard: the runs tables
//!   ([`table`]), each written by one process only, so shards can share the
//!   directory on a shared file system.
//!
//! Readers merge every table; a run found in two tables (say, an unsharded
//! run resumed as shards) counts once.

pub mod filled;
pub mod fingerprint;
pub mod record;
pub mod table;

use crate::grid::{Shard, SweepGrid};
use crate::problem::data::DataMode;
use crate::spec::SweepSpec;
use anyhow::{Context, Result, anyhow, bail};
use fingerprint::{SweepMeta, differences};
pub use record::RunRecord;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use table::{TableFormat, scan_table};

pub(crate) const SPEC_FILE: &str = "spec.toml";
pub(crate) const META_FILE: &str = "sweep.json";

/// The runs table a shard writes.
pub(crate) fn table_name(shard: Shard) -> String {
    if shard.is_whole() {
        "runs.csv".to_string()
    } else {
        format!("runs-shard-{}-of-{}.csv", shard.index, shard.count)
    }
}

/// What a command will do with a results directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// status, summary, render: any build may read it.
    Read,
    /// resume: only a build with the same numerics may add runs.
    Write,
}

/// A results directory and the sweep it holds, read once: the spec, its
/// fingerprint, its grid (variants, activations, replicates, starts) and
/// the columns of its tables. Commands pass this one value on.
pub struct ResultsDir {
    pub path: PathBuf,
    pub spec: SweepSpec,
    pub meta: SweepMeta,
    pub grid: SweepGrid,
    pub format: TableFormat,
}

/// What the tables of a directory hold, merged.
pub struct StoredRuns {
    /// Each finished run once, keyed by run id.
    pub by_id: HashMap<u64, RunRecord>,
    /// Every table with the number of intact rows it holds.
    pub tables: Vec<(PathBuf, usize)>,
}

impl ResultsDir {
    /// Makes `path` ready to run `spec`: creates it, or checks that what it
    /// holds is the same sweep. `data_file` is the data file's bytes as the
    /// checks before the run read them (read here when `None`): the
    /// fingerprint and the directory's copy are of the same bytes.
    pub fn prepare(path: &Path, spec: &SweepSpec, data_file: Option<&[u8]>) -> Result<ResultsDir> {
        let grid = SweepGrid::new(spec);
        let meta = SweepMeta::of_data(spec, &grid, data_file)?;
        if path.join(META_FILE).exists() {
            let stored = ResultsDir::open(path, Access::Read)?;
            if stored.meta.fingerprint != meta.fingerprint {
                let mut what = differences(spec, &stored.spec);
                if stored.meta.tool_version != meta.tool_version {
                    what.push(format!(
                        "tool version: {} (new) vs {} (stored)",
                        meta.tool_version, stored.meta.tool_version
                    ));
                }
                if stored.meta.kernel_id != meta.kernel_id {
                    what.push(format!(
                        "kernel build: {} (new) vs {} (stored)",
                        meta.kernel_id, stored.meta.kernel_id
                    ));
                }
                if what.is_empty() && stored.meta.data != meta.data {
                    what.push(format!(
                        "data: {} (new) vs {} (stored)",
                        meta.data, stored.meta.data
                    ));
                }
                bail!(
                    "{} holds a different sweep ({}). To keep both, run with --out OTHER_DIR; to continue the stored one, run `basinmap resume {}`; to start over, delete the directory",
                    path.display(),
                    what.join("; "),
                    path.display()
                );
            }
            return Ok(stored);
        }
        std::fs::create_dir_all(path)
            .with_context(|| format!("cannot create results directory {}", path.display()))?;
        // A data file is copied in, and the stored spec names the copy, so
        // the directory stays readable when the original moves or changes.
        let mut stored_spec = spec.clone();
        let uses_file = spec.train.data.mode.values.contains(&DataMode::File);
        let copied = uses_file && spec.train.data.file.is_some();
        if let Some(file) = spec.train.data.file.as_ref().filter(|_| uses_file) {
            let read;
            let bytes = match data_file {
                Some(bytes) => bytes,
                None => {
                    read = std::fs::read(file)
                        .with_context(|| format!("cannot read data file {}", file.display()))?;
                    &read
                }
            };
            write_atomically(&path.join(fingerprint::DATA_COPY), bytes)?;
            stored_spec.train.data.file = Some(fingerprint::DATA_COPY.into());
        }
        let spec_text = format!(
            "# The spec as run by basinmap {}; `basinmap resume` reads it.\n{}",
            meta.tool_version,
            toml::to_string(&stored_spec).context("cannot serialise the spec")?
        );
        write_atomically(&path.join(SPEC_FILE), spec_text.as_bytes())?;
        let meta_text = serde_json::to_string_pretty(&meta).expect("meta serialises");
        // sweep.json last: its presence marks a complete directory header.
        write_atomically(&path.join(META_FILE), meta_text.as_bytes())?;
        if copied {
            let copy = path.join(fingerprint::DATA_COPY);
            stored_spec.train.data.file = Some(std::path::absolute(&copy).unwrap_or(copy));
        }
        Ok(ResultsDir::of(path, stored_spec, meta, grid))
    }

    /// Opens a directory that holds a sweep, checking spec and fingerprint
    /// agree. Reading accepts a directory written by another build (its rows
    /// are what they are); writing into it needs the same numerics.
    pub fn open(path: &Path, access: Access) -> Result<ResultsDir> {
        if access == Access::Write {
            remove_stale_temporaries(path);
        }
        let meta_path = path.join(META_FILE);
        let meta_text = std::fs::read_to_string(&meta_path).map_err(|_| {
            anyhow!(
                "{} holds no basinmap sweep (no {META_FILE}); start one with `basinmap run SPEC.toml --out {}`",
                path.display(),
                path.display()
            )
        })?;
        let meta: SweepMeta = serde_json::from_str(&meta_text)
            .with_context(|| format!("{} is damaged", meta_path.display()))?;
        let spec = SweepSpec::load(&path.join(SPEC_FILE))?;
        let grid = SweepGrid::new(&spec);
        let actual = SweepMeta::of(&spec, &grid)?;
        let as_written = SweepMeta::of_build(&spec, &grid, &meta.tool_version, &meta.kernel_id)?;
        let same_spec = as_written.fingerprint == meta.fingerprint;
        if actual.fingerprint != meta.fingerprint && !(same_spec && access == Access::Read) {
            if same_spec {
                bail!(
                    "{} was written by basinmap {} (kernel {}), this is {} (kernel {}): results of builds with different numerics are not mixed; continue it with the build that started it, or run the spec again into a new --out directory",
                    path.display(),
                    meta.tool_version,
                    meta.kernel_id,
                    actual.tool_version,
                    actual.kernel_id
                );
            }
            bail!(
                "{} does not match the fingerprint in {} (was it edited, or did its data file change?): restore it, or run the spec into a new --out directory",
                path.join(SPEC_FILE).display(),
                meta_path.display()
            );
        }
        Ok(ResultsDir::of(path, spec, meta, grid))
    }

    fn of(path: &Path, spec: SweepSpec, meta: SweepMeta, grid: SweepGrid) -> ResultsDir {
        let format = TableFormat::new(&spec, &grid, &meta.fingerprint);
        ResultsDir {
            path: path.to_path_buf(),
            spec,
            meta,
            grid,
            format,
        }
    }

    /// Every runs table in the directory, sorted by name.
    pub fn table_paths(&self) -> Result<Vec<PathBuf>> {
        let mut paths = Vec::new();
        for entry in std::fs::read_dir(&self.path)
            .with_context(|| format!("cannot list {}", self.path.display()))?
        {
            let path = entry?.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.starts_with("runs") && name.ends_with(".csv") {
                paths.push(path);
            }
        }
        paths.sort();
        Ok(paths)
    }

    /// Reads every table, merged and de-duplicated by run id.
    pub fn load_runs(&self) -> Result<StoredRuns> {
        let mut by_id = HashMap::new();
        let tables = self.scan_runs(|id, record| {
            by_id.entry(id).or_insert(record);
        })?;
        Ok(StoredRuns { by_id, tables })
    }

    /// Hands every stored run of the grid to `visit` with its id (a run in
    /// two tables twice), saying on standard error what cannot be read;
    /// returns every table with the number of its rows on the grid. Reads a
    /// line at a time: what it keeps is up to `visit`.
    pub fn scan_runs(
        &self,
        mut visit: impl FnMut(u64, RunRecord),
    ) -> Result<Vec<(PathBuf, usize)>> {
        let grid = &self.grid;
        let mut tables = Vec::new();
        for path in self.table_paths()? {
            let mut placed = 0;
            let mut row = 0;
            let mut off_grid = (0, None);
            let contents = scan_table(&path, &self.format, |record| {
                row += 1;
                match grid.find(
                    record.start,
                    record.activation,
                    record.replicate,
                    record.variant,
                ) {
                    Some(id) => {
                        placed += 1;
                        visit(id, record);
                    }
                    None => {
                        off_grid.0 += 1;
                        off_grid.1.get_or_insert(row);
                    }
                }
            })?;
            if let Some(warning) = contents.warning(&path) {
                eprintln!("{warning}");
            }
            if let (count, Some(first)) = off_grid {
                eprintln!(
                    "warning: {}: {count} row(s) carry this sweep's identity but no run of its grid (the first is intact row {first}); they are not counted",
                    path.display(),
                );
            }
            tables.push((path, placed));
        }
        Ok(tables)
    }
}

/// Writes a file so that readers see either nothing or all of it.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    replace_atomically(path, |tmp| {
        std::fs::write(tmp, bytes).with_context(|| format!("cannot write {}", path.display()))
    })
}

/// Has `write` produce the file at a temporary path beside `path` (same
/// extension, so writers that go by it still work), makes it durable and
/// renames it over `path`: readers see the old file or the new one, never
/// a part. On failure the temporary is removed and `path` is untouched.
pub(crate) fn replace_atomically<T>(
    path: &Path,
    write: impl FnOnce(&Path) -> Result<T>,
) -> Result<T> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = path.with_file_name(format!("{TEMP_PREFIX}{}-{name}", std::process::id()));
    let result = write(&tmp).and_then(|value| {
        std::fs::File::open(&tmp)
            .and_then(|f| f.sync_all())
            .and_then(|()| std::fs::rename(&tmp, path))
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(value)
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Temporary files are named `.tmp-PID-NAME`.
const TEMP_PREFIX: &str = ".tmp-";

/// Removes the temporaries that a killed process left in `dir`: those whose
/// process is gone. (Where that cannot be known, nothing is removed.)
pub(crate) fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        // `.tmp-PID-NAME`, and `NAME.tmpPID` as earlier versions named them.
        let pid = name
            .strip_prefix(TEMP_PREFIX)
            .and_then(|rest| rest.split_once('-'))
            .map(|(pid, _)| pid)
            .or_else(|| name.rsplit_once(".tmp").map(|(_, pid)| pid));
        let Some(pid) = pid.and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if process_gone(pid) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Whether no process `pid` runs (known on systems with `/proc`).
fn process_gone(pid: u32) -> bool {
    Path::new("/proc/self").exists() && !Path::new("/proc").join(pid.to_string()).exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_replacement_leaves_the_old_file_and_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index.html");
        std::fs::write(&path, "old").unwrap();
        let failed: Result<()> = replace_atomically(&path, |tmp| {
            std::fs::write(tmp, "half").unwrap();
            bail!("disk full")
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        write_atomically(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn temporaries_of_dead_processes_are_removed_and_live_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        // PIDs above the kernel's maximum (2^22) belong to no process.
        let dead = [".tmp-4999999-outcome-c-d.png", "spec.tmp4999998"];
        let own = format!(".tmp-{}-index.html", std::process::id());
        for name in dead.iter().copied().chain([own.as_str(), "runs.csv"]) {
            std::fs::write(dir.path().join(name), "x").unwrap();
        }
        remove_stale_temporaries(dir.path());
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        let mut expected = vec![own, "runs.csv".to_string()];
        expected.sort();
        assert_eq!(left, expected);
    }
}
