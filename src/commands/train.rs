//! `basinmap train`: one run, with its label, optionally traced step by step.

use super::{SettingsUse, print_stdout, resolve_settings};
use crate::classify::ClassifyConfig;
use crate::cli::TrainArgs;
use crate::problem::activation::Activation;
use crate::render::training_plot::{self, RunTrace};
use crate::simd::{Lane, Real};
use crate::train::config::{Optimizer, TrainConfig};
use crate::train::dispatch::train_observed;
use crate::train::kernel::StepObserver;
use crate::train::optimizer::PARAMS;
use crate::train::{PreparedData, RunOutcome, outcome};
use anyhow::{Context, Result};
use serde_json::json;
use std::fmt::Write as _;
use std::path::Path;

/// Steps at which `--plot` draws the learned function (plus the last).
const PLOT_STEPS: [u32; 4] = [0, 10, 100, 1000];

pub fn run(args: TrainArgs) -> Result<()> {
    let (train, classify_cfg) = resolve_settings(&args.settings, None, SettingsUse::Train)?;
    let data = PreparedData::prepare(&train)?;
    let mut recorder = Recorder {
        print_every: args.print_every,
        last_step: train.steps,
        keep_trace: args.trace.is_some(),
        keep_snapshots: args.plot.is_some(),
        ..Recorder::default()
    };
    let result = train_one(
        args.activation,
        &train,
        &classify_cfg,
        &data,
        args.start,
        &mut recorder,
    );

    if let Some(path) = &args.trace {
        write_trace(path, &recorder.trace)?;
    }
    if let Some(path) = &args.plot {
        let run = RunTrace {
            losses: std::mem::take(&mut recorder.losses),
            label: result.label,
            train_loss: result.train_loss,
            eval_loss: result.eval_loss,
            settled_step: result.settled_step,
            converged_at: result.converged_at,
            threshold: classify_cfg.converged_loss,
        };
        training_plot::draw_run(path, args.activation, &recorder.snapshots, Some(&run))
            .with_context(|| format!("cannot draw --plot {}", path.display()))?;
    }
    if args.json {
        let named = |[a, b, c, d]: [f64; 4]| json!({"a": a, "b": b, "c": c, "d": d});
        let object = json!({
            "activation": args.activation.name(),
            "start": args.start,
            "settled": named(result.params),
            "settled_step": result.settled_step,
            "final": named(recorder.last_params),
            "train_loss": result.train_loss,
            "eval_loss": result.eval_loss,
            "mean_loss": result.mean_loss,
            "label": result.label.name(),
            "converged_at": result.converged_at,
            "window": classify_cfg.window,
        });
        print_stdout(&format!("{object}\n"))
    } else {
        print_stdout(&recorder.printed)?;
        print_stdout(&summary(
            args.activation,
            args.start,
            &train,
            &classify_cfg,
            &result,
        ))
    }
}

/// Trains in the configured precision, showing each step to `recorder`.
fn train_one(
    activation: Activation,
    train: &TrainConfig,
    classify_cfg: &ClassifyConfig,
    data: &PreparedData,
    start: [f64; 4],
    recorder: &mut Recorder,
) -> RunOutcome {
    let tracking = crate::train::tracking(classify_cfg);
    match data {
        PreparedData::F32(d) => {
            let end = train_observed(activation, train, d, start, tracking, recorder);
            outcome(activation, classify_cfg, end)
        }
        PreparedData::F64(d) => {
            let end = train_observed(activation, train, d, start, tracking, recorder);
            outcome(activation, classify_cfg, end)
        }
    }
}

fn summary(
    activation: Activation,
    start: [f64; 4],
    train: &TrainConfig,
    classify_cfg: &ClassifyConfig,
    result: &RunOutcome,
) -> String {
    let [a, b, c, d] = result.params;
    let optimizer = match train.optimizer {
        Optimizer::Adam => format!("adam ({})", train.adam),
        Optimizer::Sgd => "sgd".to_string(),
    };
    let window = classify_cfg.window;
    let settled_from = if window == 1 {
        "the final step".to_string()
    } else {
        format!("lowest loss of the last {window}")
    };
    let speed = match result.converged_at {
        Some(step) if window > 1 => format!(
            " (loss below {} from step {step}, bursts shorter than {window} steps ignored)",
            classify_cfg.converged_loss
        ),
        Some(step) => format!(
            " (loss below {} from step {step})",
            classify_cfg.converged_loss
        ),
        None => String::new(),
    };
    format!(
        "{activation} from a={} b={} c={} d={}\n  \
         {optimizer}, lr {}, {} steps, {}, data {}\n  \
         settled  a={a:.6} b={b:.6} c={c:.6} d={d:.6} (step {}, {settled_from})\n  \
         loss     train {:.6}, eval {:.6}, mean over the run {:.6}\n  \
         label    {}{speed}\n",
        start[0],
        start[1],
        start[2],
        start[3],
        train.lr,
        train.steps,
        train.precision,
        train.data,
        result.settled_step,
        result.train_loss,
        result.eval_loss,
        result.mean_loss,
        result.label,
    )
}

/// Collects what `--print-every`, `--trace` and `--plot` need.
#[derive(Default)]
struct Recorder {
    print_every: Option<u32>,
    last_step: u32,
    keep_trace: bool,
    keep_snapshots: bool,
    printed: String,
    trace: Vec<(u32, f64, [f64; PARAMS])>,
    snapshots: Vec<(u32, [f64; PARAMS])>,
    /// Training loss at every step, for the plot's loss panel.
    losses: Vec<f64>,
    /// Parameters of the last step seen: the final ones once training ends.
    last_params: [f64; PARAMS],
}

impl StepObserver for Recorder {
    fn observe<L: Lane>(&mut self, step: u32, loss: &L, params: &[L; PARAMS]) {
        let loss = loss.lane(0).to_f64();
        let params = params.map(|p| p.lane(0).to_f64());
        self.last_params = params;
        if let Some(every) = self.print_every
            && (step.is_multiple_of(every) || step == self.last_step)
        {
            let [a, b, c, d] = params;
            let _ = writeln!(
                self.printed,
                "step {step:>6}  loss {loss:.6}  a={a:.6} b={b:.6} c={c:.6} d={d:.6}"
            );
        }
        if self.keep_trace {
            self.trace.push((step, loss, params));
        }
        if self.keep_snapshots {
            self.losses.push(loss);
            if PLOT_STEPS.contains(&step) || step == self.last_step {
                self.snapshots.push((step, params));
            }
        }
    }
}

/// Writes the trace; any failure (a full disk half-way included) names the
/// file.
fn write_trace(path: &Path, rows: &[(u32, f64, [f64; PARAMS])]) -> Result<()> {
    let write = || -> Result<()> {
        let mut writer = csv::Writer::from_path(path)?;
        writer.write_record(["step", "loss", "a", "b", "c", "d"])?;
        for (step, loss, [a, b, c, d]) in rows {
            writer.serialize((step, loss, a, b, c, d))?;
        }
        writer.flush()?;
        Ok(())
    };
    write().with_context(|| format!("cannot write --trace {}", path.display()))
}
