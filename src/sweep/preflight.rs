//! What `run` and `resume` check before anything starts, and `run` before
//! it creates the results directory, so that a refused sweep leaves
//! nothing behind:
//!
//! - its data files read as x values (not empty, not garbage, finite);
//! - this machine can hold it: the memory of its training data and starts,
//!   and the disk of its results table against the free space;
//! - its starts are distinct runs in the precision they train in.
//!
//! A refusal is one line naming the spec and the key, with the numbers.
//! The spec's own rules (types, ranges, names, counts that wrap) were
//! checked when it was read ([`SweepSpec::validate`]).

use crate::grid::Shard;
use crate::grid::starts::Sample;
use crate::problem::data::{DataMode, read_x_file};
use crate::spec::SweepSpec;
use crate::store::META_FILE;
use crate::train::config::{Precision, TrainConfig};
use anyhow::{Result, anyhow, bail};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A runs-table row without variant columns, roughly: 16 fields, most of
/// them shortest-form `f64` values, and the sweep's 16-digit identity.
const ROW_BYTES: u64 = 220;

/// Memory per value of a grid axis: the value and its entry in the table
/// that maps values back to their index.
const AXIS_VALUE_BYTES: u128 = 40;

/// Memory per sampled start: its entry in the table that maps starts back
/// to their number, built when rows are read back (with growth slack).
const SAMPLED_START_BYTES: u128 = 96;

/// Checks everything about `spec` that needs the file system or this
/// machine, before `out` (its results directory) is created or written.
/// `spec_path` is named in messages.
pub(crate) fn check(spec: &SweepSpec, spec_path: &Path, out: &Path, shard: Shard) -> Result<()> {
    let in_spec = |msg: String| anyhow!("{}: {msg}", spec_path.display());
    let memory = available_memory();
    let files = read_data_files(spec, memory).map_err(in_spec)?;
    let footprint = Footprint::of(spec, &files);
    // A directory that holds the sweep already checks the disk its
    // missing runs need, once it knows how many are missing.
    let disk = if out.join(META_FILE).exists() {
        None
    } else {
        Some(DiskNeed::of(&footprint, shard, out))
    };
    footprint.check(memory, disk.as_ref()).map_err(in_spec)?;
    check_starts(spec).map_err(in_spec)?;
    Ok(())
}

/// Refuses to start `rows` more runs in `dir` when their rows would not fit
/// on its file system.
pub(crate) fn check_disk(dir: &Path, rows: u64, row_bytes: u64) -> Result<()> {
    let need = DiskNeed {
        rows,
        row_bytes,
        dir: dir.to_path_buf(),
        free: free_space(dir),
    };
    if need.fits() {
        return Ok(());
    }
    bail!("{}: {}; {}", dir.display(), need.describe(), need.advice())
}

/// For one training configuration (`train`, `data`): refuses a data file
/// that cannot be read, naming it as `file_key` (the spec's key or the
/// flag that gave it), and data larger than the memory available.
pub(crate) fn check_data(config: &TrainConfig, file_key: &str) -> Result<(), String> {
    let memory = available_memory();
    if let (DataMode::File, Some(path)) = (config.data.mode, &config.data.file) {
        let key = format!("{file_key} = {:?}", path.display().to_string());
        let size = std::fs::metadata(path)
            .map_err(|e| format!("{key}: cannot read it: {e}"))?
            .len();
        if let Some(available) = memory
            && u128::from(size) > available / 2
        {
            return Err(format!(
                "{key}: the file is {}, more than half the memory available ({})",
                human_bytes(size.into()),
                human_bytes(available)
            ));
        }
        return Ok(());
    }
    let (values, key) = data_values(config, &HashMap::new());
    let need = values * (2 * value_bytes(config) + 16);
    if memory.is_some_and(|available| need > available) || need > isize::MAX as u128 {
        return Err(format!(
            "{key}: the data need {} of memory ({} available); use less data",
            human_bytes(need),
            memory.map_or("unknown".to_string(), human_bytes)
        ));
    }
    Ok(())
}

/// ~Bytes of one row of `spec`'s tables.
pub(crate) fn row_bytes(spec: &SweepSpec) -> u64 {
    let variants = spec.train.variants();
    let variant_columns: usize = spec
        .train
        .varying_keys()
        .iter()
        .map(|key| {
            let longest = variants
                .iter()
                .filter_map(|v| v.labels.iter().find(|(k, _)| k == key))
                .map(|(_, value)| value.len())
                .max()
                .unwrap_or(0);
            longest + 1
        })
        .sum();
    ROW_BYTES + variant_columns as u64
}

/// Reads every data file the spec's variants use, naming `train.data.file`
/// in any error; returns the number of x values of each.
fn read_data_files(
    spec: &SweepSpec,
    memory: Option<u128>,
) -> Result<HashMap<PathBuf, usize>, String> {
    let mut counts = HashMap::new();
    let uses_file = spec.train.data.mode.values.contains(&DataMode::File);
    let Some(path) = spec.train.data.file.as_ref().filter(|_| uses_file) else {
        return Ok(counts);
    };
    let key = format!("train.data.file = {:?}", path.display().to_string());
    let size = std::fs::metadata(path)
        .map_err(|e| format!("{key}: cannot read it: {e}"))?
        .len();
    if let Some(available) = memory
        && u128::from(size) > available / 2
    {
        return Err(format!(
            "{key}: the file is {}, more than half the memory available ({}): a data file is read whole; use a smaller one",
            human_bytes(size.into()),
            human_bytes(available)
        ));
    }
    let xs = read_x_file(path).map_err(|e| format!("{key}: {e:#}"))?;
    counts.insert(path.clone(), xs.len());
    Ok(counts)
}

/// What a sweep holds in memory and writes to disk, from its spec alone:
/// nothing of its size is allocated to find out.
struct Footprint {
    runs: u64,
    /// Training data of every variant and replicate (kept for the whole
    /// sweep) plus the largest one's scratch while it is prepared.
    data_bytes: u128,
    /// The grid's axis values, or a sample's start table.
    start_bytes: u128,
    row_bytes: u64,
    /// The variant with the most data, for the message: which key.
    largest: String,
    replicates: u32,
}

impl Footprint {
    fn of(spec: &SweepSpec, files: &HashMap<PathBuf, usize>) -> Footprint {
        let variants = spec.train.variants();
        let replicates = u128::from(spec.replicates);
        let mut data_bytes = 0u128;
        let mut largest = (0u128, 0u128, String::new());
        for variant in &variants {
            let (values, key) = data_values(&variant.config, files);
            let kept = values * 2 * value_bytes(&variant.config);
            data_bytes = data_bytes.saturating_add(kept.saturating_mul(replicates));
            if kept >= largest.0 {
                largest = (kept, values, key);
            }
        }
        // Drawn in f64, and copied once more to be sorted into batches.
        let scratch = largest.1 * 16;
        let start_bytes = match spec.grid.sample {
            Some(sample) => u128::from(sample.n) * SAMPLED_START_BYTES,
            None => spec
                .lattice()
                .axes()
                .iter()
                .map(|(_, axis)| axis.len() as u128 * AXIS_VALUE_BYTES)
                .sum(),
        };
        Footprint {
            // A refined sweep's later levels check their own rows' disk
            // when they know how many they need.
            runs: spec.first_level_run_count().unwrap_or(u64::MAX),
            data_bytes: data_bytes.saturating_add(scratch),
            start_bytes,
            row_bytes: row_bytes(spec),
            largest: largest.2,
            replicates: spec.replicates,
        }
    }

    fn memory(&self) -> u128 {
        self.data_bytes.saturating_add(self.start_bytes)
    }

    /// One line: the numbers, what does not fit, and what to do.
    fn check(&self, memory: Option<u128>, disk: Option<&DiskNeed>) -> Result<(), String> {
        let memory_fits = memory.is_none_or(|available| self.memory() <= available)
            && self.memory() <= isize::MAX as u128;
        let disk_fits = disk.is_none_or(DiskNeed::fits);
        if memory_fits && disk_fits {
            return Ok(());
        }
        let mut facts = vec![format!(
            "{} runs need {} of memory for their training data and starts ({} available)",
            self.runs,
            human_bytes(self.memory()),
            memory.map_or("unknown".to_string(), human_bytes)
        )];
        if let Some(disk) = disk {
            facts.push(disk.describe());
        }
        let mut advice = Vec::new();
        if !memory_fits {
            advice.push(format!(
                "too much memory: the largest data is {}, held once per replicate ({} of them); use less data or fewer replicates (shards hold all of it too)",
                self.largest, self.replicates
            ));
        }
        if let Some(disk) = disk.filter(|d| !d.fits()) {
            advice.push(format!("too much disk: {}", disk.advice()));
        }
        Err(format!(
            "refusing to start: {}; {}",
            facts.join(", and "),
            advice.join("; ")
        ))
    }
}

/// How many x values a variant's data hold, and the key that says so.
fn data_values(config: &TrainConfig, files: &HashMap<PathBuf, usize>) -> (u128, String) {
    let data = &config.data;
    match data.mode {
        DataMode::Fixed | DataMode::Grid => (
            data.n as u128,
            format!("train.data.n = {} ({} data)", data.n, data.mode.name()),
        ),
        DataMode::Fresh => (
            data.batch as u128 * u128::from(config.steps),
            format!(
                "train.data.batch = {} × train.steps = {} (fresh data)",
                data.batch, config.steps
            ),
        ),
        DataMode::File => {
            let count = data
                .file
                .as_ref()
                .and_then(|f| files.get(f))
                .copied()
                .unwrap_or(0);
            (count as u128, format!("train.data.file ({count} values)"))
        }
    }
}

/// Bytes of one x value (or target) in the configuration's precision.
fn value_bytes(config: &TrainConfig) -> u128 {
    match config.precision {
        Precision::F32 => 4,
        Precision::F64 => 8,
    }
}

/// The disk a shard's rows need, and what is free where they go.
struct DiskNeed {
    rows: u64,
    row_bytes: u64,
    /// Where the table goes (or its nearest existing parent).
    dir: PathBuf,
    /// `None` where the free space cannot be read.
    free: Option<u128>,
}

impl DiskNeed {
    /// The rows of `shard` (about 1/N of the runs) in the directory `out`.
    fn of(footprint: &Footprint, shard: Shard, out: &Path) -> DiskNeed {
        let dir = existing_ancestor(out);
        DiskNeed {
            rows: footprint.runs.div_ceil(u64::from(shard.count)),
            row_bytes: footprint.row_bytes,
            free: free_space(&dir),
            dir,
        }
    }

    fn bytes(&self) -> u128 {
        u128::from(self.rows) * u128::from(self.row_bytes)
    }

    fn fits(&self) -> bool {
        self.free.is_none_or(|free| self.bytes() <= free)
    }

    fn describe(&self) -> String {
        format!(
            "~{} of disk for the results table ({} rows × ~{} bytes; {} free in {})",
            human_bytes(self.bytes()),
            self.rows,
            self.row_bytes,
            self.free.map_or("unknown".to_string(), human_bytes),
            self.dir.display()
        )
    }

    /// Shard it: N machines with this much free space each take 1/N.
    fn advice(&self) -> String {
        let free = self.free.unwrap_or(0).max(1);
        let shards = self.bytes().div_ceil(free).max(2);
        format!(
            "free space, or shard the sweep: `--shard K/N` runs 1/N of the runs and writes 1/N of the rows (here N of at least {shards}, each shard on a disk with that much free space)"
        )
    }
}

/// `path`, or its nearest parent that exists (`.` for a relative path
/// whose first part does not): where a new directory would go.
fn existing_ancestor(path: &Path) -> PathBuf {
    path.ancestors()
        .find(|p| p.exists())
        .map(|p| {
            if p.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                p.to_path_buf()
            }
        })
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Grid axes: distinct values, finite in every precision they train in.
/// Sampled starts: finite in every precision, and no two draws alike.
fn check_starts(spec: &SweepSpec) -> Result<(), String> {
    let in_f32 = spec.train.precision.values.contains(&Precision::F32);
    let Some(sample) = spec.grid.sample else {
        // A refined plane's finest level holds every coarser one.
        for (name, axis) in spec.lattice().axes() {
            axis.validate_distinct(in_f32)
                .map_err(|e| format!("grid.{name}: {e}"))?;
        }
        return Ok(());
    };
    if in_f32 {
        for (name, axis) in spec.grid.axes() {
            axis.validate_f32()
                .map_err(|e| format!("grid.{name}: {e}"))?;
        }
    }
    let draws = Sample::new(spec.grid.axes().map(|(_, axis)| axis.clone()), sample);
    match draws.first_repeat() {
        Some((first, second)) => Err(format!(
            "grid.sample: draws {first} and {second} give the same start {:?}: runs are told apart by their start, so this sample could never complete; draw from a range on some axis (lists and numbers repeat), or draw fewer than n = {}",
            draws.start(first),
            sample.n
        )),
        None => Ok(()),
    }
}

/// Memory this process may still use: the kernel's estimate of what can be
/// had without swapping (`MemAvailable`), or less under a cgroup limit.
/// `None` where neither can be read.
fn available_memory() -> Option<u128> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok();
    let available = meminfo.as_deref().and_then(|text| {
        let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
        let kib: u128 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib * 1024)
    });
    let read = |name: &str| -> Option<u128> {
        std::fs::read_to_string(Path::new("/sys/fs/cgroup").join(name))
            .ok()?
            .trim()
            .parse()
            .ok()
    };
    let cgroup =
        read("memory.max").map(|max| max.saturating_sub(read("memory.current").unwrap_or(0)));
    match (available, cgroup) {
        (Some(a), Some(c)) => Some(a.min(c)),
        (a, c) => a.or(c),
    }
}

/// Bytes free for an unprivileged writer on the file system of `dir`.
#[cfg(unix)]
fn free_space(dir: &Path) -> Option<u128> {
    let stats = nix::sys::statvfs::statvfs(dir).ok()?;
    #[allow(clippy::unnecessary_cast)] // the field types differ by platform
    Some(stats.blocks_available() as u128 * stats.fragment_size() as u128)
}

#[cfg(not(unix))]
fn free_space(_dir: &Path) -> Option<u128> {
    None
}

/// `1.5 GiB`: binary units, one decimal.
fn human_bytes(bytes: u128) -> String {
    const UNITS: [&str; 7] = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} bytes")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}
