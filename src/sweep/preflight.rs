//! What `run` and `resume` check before anything starts, and `run` before
//! it creates the results directory, so that a refused sweep leaves
//! nothing behind:
//!
//! - its data files read as x values (not empty, not garbage, finite);
//! - this machine can hold it: the memory of its training data, starts
//!   and record of done runs, and the disk of its results table against
//!   the free space (a refusal adds the time at this machine's measured
//!   speed, and how to shard);
//! - its starts are distinct runs in the precision they train in.
//!
//! A refusal is one line naming the spec and the key, with the numbers.
//! The spec's own rules (types, ranges, names, counts that wrap) were
//! checked when it was read ([`SweepSpec::validate`]).

use crate::benchmark::{BenchConfig, BenchSetup, measure};
use crate::grid::starts::Sample;
use crate::grid::{CHUNK_RUNS, Shard};
use crate::problem::activation::Activation;
use crate::problem::data::{DataMode, read_x_file};
use crate::spec::SweepSpec;
use crate::store::META_FILE;
use crate::train::config::{Kernel, Precision, TrainConfig};
use anyhow::{Result, anyhow, bail};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A runs-table row without variant columns, roughly: 16 fields, most of
/// them shortest-form `f64` values, and the sweep's 16-digit identity.
const ROW_BYTES: u64 = 220;

/// Memory per value of a grid axis: the value and its entry in the table
/// that maps values back to their index.
const AXIS_VALUE_BYTES: u128 = 40;

/// Memory per sampled start: its entry in the table that maps starts back
/// to their number, built when rows are read back (with growth slack).
const SAMPLED_START_BYTES: u128 = 96;

/// What the checks read that the results directory needs too.
#[derive(Debug, Default)]
pub struct Checked {
    /// The data file's bytes, read once for the fingerprint and the
    /// directory's copy, so that the two agree.
    pub data_file: Option<Vec<u8>>,
}

/// Checks everything about `spec` that needs the file system or this
/// machine, before `out` (its results directory) is created or written.
/// `spec_path` is named in messages.
pub fn check(spec: &SweepSpec, spec_path: &Path, out: &Path, shard: Shard) -> Result<Checked> {
    let in_spec = |msg: String| anyhow!("{}: {msg}", spec_path.display());
    let memory = available_memory();
    let (files, data_file) = read_data_files(spec, memory).map_err(in_spec)?;
    let footprint = Footprint::of(spec, &files, shard);
    // A directory that holds the sweep already checks the disk its
    // missing runs need, once it knows how many are missing.
    let disk = if out.join(META_FILE).exists() {
        None
    } else {
        Some(DiskNeed::of(&footprint, shard, out))
    };
    footprint.check(memory, disk.as_ref()).map_err(in_spec)?;
    check_starts(spec).map_err(in_spec)?;
    Ok(Checked { data_file })
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
        return check_file_size(path, &key, memory);
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

/// Refuses a data file that cannot be read, or that is larger than half
/// the memory (it is read whole); `key` names it.
fn check_file_size(path: &Path, key: &str, memory: Option<u128>) -> Result<(), String> {
    let size = std::fs::metadata(path)
        .map_err(|e| format!("{key}: cannot read it: {e}"))?
        .len();
    match memory {
        Some(available) if u128::from(size) > available / 2 => Err(format!(
            "{key}: the file is {}, more than half the memory available ({}): a data file is read whole; use a smaller one",
            human_bytes(size.into()),
            human_bytes(available)
        )),
        _ => Ok(()),
    }
}

/// The number of x values of each data file.
type ValueCounts = HashMap<PathBuf, usize>;

/// Reads the data file the spec's variants use (if any), naming
/// `train.data.file` in any error; returns the number of x values of each
/// file, and the file's bytes.
fn read_data_files(
    spec: &SweepSpec,
    memory: Option<u128>,
) -> Result<(ValueCounts, Option<Vec<u8>>), String> {
    let mut counts = HashMap::new();
    let uses_file = spec.train.data.mode.values.contains(&DataMode::File);
    let Some(path) = spec.train.data.file.as_ref().filter(|_| uses_file) else {
        return Ok((counts, None));
    };
    let key = format!("train.data.file = {:?}", path.display().to_string());
    check_file_size(path, &key, memory)?;
    // Parsed by the reader training uses (whose source is part of the
    // kernel id, so it stays as it is), then read once more as the bytes
    // that are hashed and copied.
    let xs = read_x_file(path).map_err(|e| format!("{key}: {e:#}"))?;
    let bytes = std::fs::read(path).map_err(|e| format!("{key}: cannot read it: {e}"))?;
    counts.insert(path.clone(), xs.len());
    Ok((counts, Some(bytes)))
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
    /// Which runs of the shard are done: a bit per run.
    done_bytes: u128,
    row_bytes: u64,
    /// The variant with the most data, for the message: which key.
    largest: String,
    replicates: u32,
    /// Sample-steps (models × steps × points per step) of each activation
    /// in each precision, for the time at this machine's speed.
    work: Vec<(Activation, Precision, f64)>,
}

impl Footprint {
    fn of(spec: &SweepSpec, files: &ValueCounts, shard: Shard) -> Footprint {
        let variants = spec.train.variants();
        let replicates = u128::from(spec.replicates);
        let starts = spec.grid.sample.map_or_else(
            || {
                spec.grid
                    .axes()
                    .iter()
                    .map(|(_, a)| a.len() as f64)
                    .product()
            },
            |sample| sample.n as f64,
        );
        let mut data_bytes = 0u128;
        let mut largest = (0u128, 0u128, String::new());
        let mut work = Vec::new();
        for variant in &variants {
            let (values, key) = data_values(&variant.config, files);
            let kept = values * 2 * value_bytes(&variant.config);
            data_bytes = data_bytes.saturating_add(kept.saturating_mul(replicates));
            if kept >= largest.0 {
                largest = (kept, values, key);
            }
            let config = &variant.config;
            let per_step = match config.data.mode {
                DataMode::Fresh => config.data.batch as f64,
                _ => values as f64,
            };
            let models = starts * f64::from(spec.replicates);
            for &activation in &spec.activations {
                let sample_steps = models * f64::from(config.steps) * per_step;
                work.push((activation, config.precision, sample_steps));
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
        let runs = spec.run_count().unwrap_or(u64::MAX);
        Footprint {
            // A refined sweep's later levels check their own rows' disk
            // when they know how many they need.
            runs: match spec.refine {
                Some(_) => spec.first_level_run_count().unwrap_or(u64::MAX),
                None => runs,
            },
            data_bytes: data_bytes.saturating_add(scratch),
            start_bytes,
            done_bytes: u128::from(runs.div_ceil(u64::from(shard.count)).div_ceil(CHUNK_RUNS)) * 8,
            row_bytes: row_bytes(spec),
            largest: largest.2,
            replicates: spec.replicates,
            work,
        }
    }

    fn memory(&self) -> u128 {
        self.data_bytes
            .saturating_add(self.start_bytes)
            .saturating_add(self.done_bytes)
    }

    /// The sweep's time on every core of this machine at its measured
    /// speed (a short calibration of the kernel, run only for a refusal),
    /// and the number of cores; `None` where it cannot be measured.
    fn time(&self) -> Option<(f64, usize)> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let mut seconds = 0.0;
        for &(activation, precision, sample_steps) in &self.work {
            seconds += sample_steps / measured_speed(activation, precision)?;
        }
        Some((seconds / threads as f64, threads))
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
            "{} runs need {} of memory for their training data, starts and record of done runs ({} available)",
            self.runs,
            human_bytes(self.memory()),
            memory.map_or("unknown".to_string(), human_bytes)
        )];
        if let Some(disk) = disk {
            facts.push(disk.describe());
        }
        if let Some((seconds, threads)) = self.time() {
            facts.push(format!(
                "~{} of computing at the measured speed of this machine ({threads} threads; N shards on N such machines take 1/N of it each)",
                human_duration(seconds)
            ));
        }
        let mut advice = Vec::new();
        if !memory_fits && self.done_bytes > self.data_bytes.saturating_add(self.start_bytes) {
            advice.push(
                "too much memory: most of it is the record of done runs (a bit per run); shard the sweep: each of N shards keeps 1/N of it".to_string(),
            );
        } else if !memory_fits {
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

/// Sample-steps per second of the kernel on one thread for `activation`
/// in `precision`: a calibration of a few milliseconds (64 models × 32
/// steps × 256 points, best of 3), measured once per process.
fn measured_speed(activation: Activation, precision: Precision) -> Option<f64> {
    static MEASURED: Mutex<Vec<(Activation, Precision, f64)>> = Mutex::new(Vec::new());
    let mut measured = MEASURED.lock().ok()?;
    if let Some(&(_, _, speed)) = measured
        .iter()
        .find(|&&(a, p, _)| a == activation && p == precision)
    {
        return Some(speed);
    }
    let setup = BenchSetup {
        models: 64,
        steps: 32,
        repeats: 3,
        threads: 1,
    };
    // The direct kernel's speed: for a sweep on the shortcut an upper bound
    // of its time.
    let config = BenchConfig {
        activation,
        precision,
        kernel: Kernel::Direct,
        points: 256,
        threads: 1,
    };
    let speed = measure(&setup, config).ok()?.sample_steps_per_second;
    let speed = (speed.is_finite() && speed > 0.0).then_some(speed)?;
    measured.push((activation, precision, speed));
    Some(speed)
}

/// `45 s`, `12 min`, `3.5 h`, `40 days`, `2100 years`, `3.2e9 years`.
fn human_duration(seconds: f64) -> String {
    const DAY: f64 = 86_400.0;
    const YEAR: f64 = 365.25 * DAY;
    match seconds {
        s if s < 120.0 => format!("{s:.0} s"),
        s if s < 7_200.0 => format!("{:.0} min", s / 60.0),
        s if s < 2.0 * DAY => format!("{:.1} h", s / 3_600.0),
        s if s < 2.0 * YEAR => format!("{:.0} days", s / DAY),
        s if s < 1e6 * YEAR => format!("{:.0} years", s / YEAR),
        s => format!("{:.1e} years", s / YEAR),
    }
}

/// For `bench`: refuses sizes whose data (`--n` values in f64, and their
/// targets), starts (`--models`) and timings (`--repeats`) cannot be held
/// in memory, naming the flag that asks for the most.
pub(crate) fn check_bench(models: u64, points: u64, repeats: u64) -> Result<(), String> {
    let parts = [
        ("--n", points, u128::from(points) * 32),
        ("--models", models, u128::from(models) * 32),
        ("--repeats", repeats, u128::from(repeats) * 8),
    ];
    let need: u128 = parts.iter().map(|p| p.2).sum();
    let memory = available_memory();
    if memory.is_none_or(|available| need <= available) && need <= isize::MAX as u128 {
        return Ok(());
    }
    let (flag, value, _) = parts.iter().max_by_key(|p| p.2).expect("three parts");
    Err(format!(
        "{flag} {value}: the benchmark needs {} of memory ({} available); use a smaller {flag}",
        human_bytes(need),
        memory.map_or("unknown".to_string(), human_bytes)
    ))
}

/// How many x values a variant's data hold, and the key that says so.
fn data_values(config: &TrainConfig, files: &ValueCounts) -> (u128, String) {
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

/// Memory one cell of a refined plane takes while its maps are drawn: its
/// record (filled cells are expanded), its map cell and its share of the
/// counts. Measured: 3.2 GB for the 16.8 M cells of 2049 × 2049 × 4.
const DRAWN_CELL_BYTES: u128 = 200;

/// Refuses to draw the `cells` cells of a refined sweep in `dir` when this
/// machine lacks the memory, rather than abort partway.
pub(crate) fn check_drawing(dir: &Path, cells: u64) -> Result<()> {
    let need = u128::from(cells) * DRAWN_CELL_BYTES;
    if let Some(available) = available_memory()
        && need > available
    {
        bail!(
            "{}: drawing its {cells} cells (every level of its refined planes) needs about {} of memory, and {} is available: draw it on a machine with more memory, or zoom into a window (`basinmap zoom`)",
            dir.display(),
            human_bytes(need),
            human_bytes(available)
        );
    }
    Ok(())
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
