//! Command-line parsing only: what each command accepts. No behaviour here.

use crate::grid::Shard;
use crate::problem::activation::Activation;
use crate::problem::data::DataMode;
use crate::render::Format;
use crate::train::config::{AdamFlavour, Kernel, Optimizer, Precision};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "basinmap",
    version,
    about = "Maps where gradient descent on c·f(a·x+b)+d converges to relu(x) and where it gets stuck"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a sweep (or continue it), then render its heatmaps
    Run(RunArgs),
    /// Continue an interrupted sweep with the spec stored in DIR
    Resume(ResumeArgs),
    /// Runs done / total per activation and per shard, and what is left
    Status(DirArgs),
    /// Per activation, how many runs ended with each label
    Summary(SummaryArgs),
    /// (Re)draw every heatmap and DIR/index.html
    Render(RenderArgs),
    /// Open DIR/index.html in the desktop's default viewer
    Open(DirArgs),
    /// Train one model and print its outcome
    Train(TrainArgs),
    /// Print the training x values of a spec, one per line
    Data(DataArgs),
    /// Measure kernel throughput in sample-steps per second
    Bench(BenchArgs),
    /// Boundary metrics of a plane sweep: box-counting dimension, basin
    /// entropy, boundary share per level
    Boundary(BoundaryArgs),
    /// Sweep a window around a point of a plane sweep, with its settings
    Zoom(ZoomArgs),
}

#[derive(Debug, Args)]
pub struct BoundaryArgs {
    /// Results directory of a plane sweep
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// Print the metrics as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ZoomArgs {
    /// Results directory of a plane sweep (the parent)
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// Centre of the window, on the plane's two axes in order (c,d on the
    /// c-d plane)
    #[arg(long, value_name = "X,Y", value_parser = parse_pair, allow_hyphen_values = true)]
    pub at: [f64; 2],

    /// Width of the (square) window, in parameter units
    #[arg(long, value_name = "W", value_parser = parse_positive, allow_hyphen_values = true)]
    pub width: f64,

    /// Train the zoom in this precision instead of the parent's (f64 keeps
    /// starts distinct down to widths near 1e-12)
    #[arg(long)]
    pub precision: Option<Precision>,

    /// Points per axis of the window's level 0 [default: the parent's]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(2..))]
    pub points: Option<u32>,

    /// Results directory of the zoom [default: results/<parent name>-zoom-<k>]
    #[arg(long, value_name = "DIR2")]
    pub out: Option<PathBuf>,

    #[command(flatten)]
    pub sweep: SweepArgs,

    /// Picture format of the heatmaps drawn at the end: png or svg
    #[arg(long, default_value = "png")]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The sweep spec (see sweeps/)
    #[arg(value_name = "SPEC.toml")]
    pub spec: PathBuf,

    #[arg(
        long,
        value_name = "DIR",
        help = "Results directory [default: results/<name>]"
    )]
    pub out: Option<PathBuf>,

    #[command(flatten)]
    pub sweep: SweepArgs,

    /// Picture format of the heatmaps drawn at the end: png or svg
    #[arg(long, default_value = "png")]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ResumeArgs {
    /// Results directory of the sweep to continue
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    #[command(flatten)]
    pub sweep: SweepArgs,

    /// Picture format of the heatmaps drawn at the end: png or svg
    #[arg(long, default_value = "png")]
    pub format: Format,
}

/// Most worker threads a command starts: more than any machine's cores,
/// and few enough to start at once (billions kept spawning for minutes).
const MAX_THREADS: i64 = 4096;

/// How a sweep is spread over cores and machines.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Worker threads [default: every core]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=MAX_THREADS))]
    pub threads: Option<u32>,

    /// Run only the K-th of N disjoint slices (K from 1); in a SLURM array
    /// job the slice comes from SLURM_ARRAY_TASK_* when this is not given
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,

    /// No progress output
    #[arg(long, short)]
    pub quiet: bool,

    /// A refined sweep ([refine] levels) stops after this level (0 is the
    /// grid as given); for job arrays that run one level each
    #[arg(long, value_name = "L")]
    pub level: Option<u32>,
}

#[derive(Debug, Args)]
pub struct DirArgs {
    /// Results directory of a sweep
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// Results directory of a sweep
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// On a refined plane, wash out the filled cells of the outcome maps so
    /// that the trained ones show
    #[arg(long)]
    pub show_runs: bool,

    /// Picture format: png or svg
    #[arg(long, default_value = "png")]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct SummaryArgs {
    /// Results directory of a sweep
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// Print {activation: {label: count}} as JSON ({group: {activation:
    /// {label: count}}} with --by)
    #[arg(long)]
    pub json: bool,

    #[arg(
        long,
        value_name = "AXIS",
        help = "Group by an axis: a, b, c, d, replicate, or a [train] setting (lr, steps, optimizer, adam, \
                precision, data.mode, data.n, data.batch); prints label fractions per group and activation"
    )]
    pub by: Option<String>,
}

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Activation
    #[arg(long = "act", value_name = "NAME")]
    pub activation: Activation,

    /// Starting parameters
    #[arg(long, value_name = "a,b,c,d", value_parser = parse_start, allow_hyphen_values = true)]
    pub start: [f64; 4],

    #[command(flatten)]
    pub settings: SettingsArgs,

    /// Print one JSON object instead of the readable summary
    #[arg(long)]
    pub json: bool,

    /// Print the loss and parameters every N steps (and the last step)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub print_every: Option<u32>,

    /// Write one CSV row per step: step,loss,a,b,c,d
    #[arg(long, value_name = "FILE.csv")]
    pub trace: Option<PathBuf>,

    /// Draw the learned function at steps 0, 10, 100, 1000 and the last, over relu
    #[arg(long, value_name = "FILE.png")]
    pub plot: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Activations to measure [default: all]
    #[arg(long, value_delimiter = ',')]
    pub act: Vec<Activation>,

    /// Precisions to measure [default: f32,f64]
    #[arg(long, value_delimiter = ',')]
    pub precision: Vec<Precision>,

    /// Kernels to measure: direct, auto [default: direct]
    #[arg(long, value_delimiter = ',')]
    pub kernel: Vec<Kernel>,

    /// Models trained per measurement
    #[arg(long, default_value_t = 2048, value_parser = clap::value_parser!(u64).range(1..))]
    pub models: u64,

    /// Steps per model
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..))]
    pub steps: u32,

    /// Fixed data points (a list measures each)
    #[arg(long, default_value = "1024", value_delimiter = ',', value_parser = clap::value_parser!(u64).range(1..))]
    pub n: Vec<u64>,

    /// Repetitions; the median is reported
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..))]
    pub repeats: u64,

    /// Threads of the all-thread measurement [default: every core]
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=MAX_THREADS))]
    pub threads: Option<u32>,
}

#[derive(Debug, Args)]
pub struct DataArgs {
    #[arg(
        value_name = "SPEC.toml",
        id = "spec_file",
        conflicts_with = "spec",
        help = "Spec whose [train] table sets the data (flags override it)"
    )]
    pub spec: Option<PathBuf>,

    #[command(flatten)]
    pub settings: SettingsArgs,
}

/// Training settings: read from `--spec` (its `[train]` and `[classify]`
/// tables), each overridable by a flag.
#[derive(Debug, Args, Default)]
pub struct SettingsArgs {
    #[arg(
        long,
        value_name = "FILE.toml",
        help = "Spec file whose [train] and [classify] tables give the settings"
    )]
    pub spec: Option<PathBuf>,

    /// Training steps
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub steps: Option<u32>,

    /// Learning rate
    #[arg(long, value_parser = parse_positive)]
    pub lr: Option<f64>,

    /// adam or sgd
    #[arg(long)]
    pub optimizer: Option<Optimizer>,

    /// Adam flavour: tf1 or pytorch
    #[arg(long)]
    pub adam: Option<AdamFlavour>,

    /// f32 or f64
    #[arg(long)]
    pub precision: Option<Precision>,

    /// direct (every point) or auto (the exact shortcut for linear pieces)
    #[arg(long)]
    pub kernel: Option<Kernel>,

    /// Data mode: fixed, fresh, grid or file
    #[arg(long = "data", value_name = "MODE")]
    pub data_mode: Option<DataMode>,

    /// Points of fixed and grid data
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub n: Option<u64>,

    /// Points per step of fresh data
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub batch: Option<u64>,

    /// Seed of fixed and fresh data
    #[arg(long)]
    pub data_seed: Option<u64>,

    /// File of x values (implies --data file)
    #[arg(long, value_name = "FILE")]
    pub data_file: Option<PathBuf>,

    /// Evaluation loss below which a run counts as converged
    #[arg(long, value_parser = parse_positive)]
    pub converged_loss: Option<f64>,
}

fn parse_start(text: &str) -> Result<[f64; 4], String> {
    let fields: Vec<&str> = text.split(',').map(str::trim).collect();
    if fields.len() != 4 {
        return Err(format!(
            "expected four comma-separated numbers a,b,c,d (e.g. 1,0.5,1,-0.5), got {}",
            fields.len()
        ));
    }
    let mut start = [0.0; 4];
    for ((slot, field), name) in start.iter_mut().zip(&fields).zip(["a", "b", "c", "d"]) {
        *slot = parse_finite(field).map_err(|e| format!("{name}: {e}"))?;
    }
    Ok(start)
}

fn parse_pair(text: &str) -> Result<[f64; 2], String> {
    let fields: Vec<&str> = text.split(',').map(str::trim).collect();
    if fields.len() != 2 {
        return Err(format!(
            "expected two comma-separated numbers, the point on the plane's two axes (e.g. 0.3,-0.45), got {}",
            fields.len()
        ));
    }
    Ok([parse_finite(fields[0])?, parse_finite(fields[1])?])
}

fn parse_finite(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(format!("'{text}' is not a finite number")),
        Err(_) => Err(format!("'{text}' is not a number")),
    }
}

fn parse_positive(text: &str) -> Result<f64, String> {
    let v = parse_finite(text)?;
    if v > 0.0 {
        Ok(v)
    } else {
        Err(format!("{v} must be greater than 0"))
    }
}
