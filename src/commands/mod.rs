//! One file per command; each turns parsed arguments into work.

pub mod bench;
pub mod boundary;
pub mod data;
pub mod open;
pub mod render;
pub mod resume;
pub mod run;
pub mod status;
pub mod summary;
pub mod train;
pub mod zoom;

use crate::classify::ClassifyConfig;
use crate::cli::{Command, SettingsArgs};
use crate::problem::data::DataMode;
use crate::spec::Settings;
use crate::spec::train_axes::OneOrMany;
use crate::sweep::preflight;
use crate::train::config::TrainConfig;
use anyhow::{Result, anyhow};
use std::io::{self, Write};

pub fn run(command: Command) -> Result<()> {
    match command {
        Command::Run(args) => run::run(args),
        Command::Resume(args) => resume::run(args),
        Command::Status(args) => status::run(args),
        Command::Summary(args) => summary::run(args),
        Command::Render(args) => render::run(args),
        Command::Open(args) => open::run(args),
        Command::Train(args) => train::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Data(args) => data::run(args),
        Command::Boundary(args) => boundary::run(args),
        Command::Zoom(args) => zoom::run(args),
    }
}

/// What the resolved settings are for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum SettingsUse {
    /// Training a model: every listed setting needs one value.
    Train,
    /// Printing the data: only the settings the data depend on do.
    Data,
}

/// Settings from `--spec` (or `spec`), then each flag on top. A spec whose
/// `[train]` lists several values of a setting needs a flag to pick one.
pub(crate) fn resolve_settings(
    args: &SettingsArgs,
    spec: Option<&std::path::Path>,
    purpose: SettingsUse,
) -> Result<(TrainConfig, ClassifyConfig)> {
    let spec = spec.or(args.spec.as_deref());
    let Settings {
        mut train,
        mut classify,
    } = match spec {
        Some(path) => Settings::load(path)?,
        None => Settings::default(),
    };
    if let Some(steps) = args.steps {
        train.steps = OneOrMany::one(steps);
    }
    if let Some(lr) = args.lr {
        train.lr = OneOrMany::one(lr);
    }
    if let Some(optimizer) = args.optimizer {
        train.optimizer = OneOrMany::one(optimizer);
    }
    if let Some(adam) = args.adam {
        train.adam = OneOrMany::one(adam);
    }
    if let Some(precision) = args.precision {
        train.precision = OneOrMany::one(precision);
    }
    if let Some(kernel) = args.kernel {
        train.kernel = OneOrMany::one(kernel);
    }
    if let Some(mode) = args.data_mode {
        train.data.mode = OneOrMany::one(mode);
    }
    if let Some(n) = args.n {
        train.data.n = OneOrMany::one(n as usize);
    }
    if let Some(batch) = args.batch {
        train.data.batch = OneOrMany::one(batch as usize);
    }
    if let Some(seed) = args.data_seed {
        train.data.seed = seed;
    }
    if let Some(file) = &args.data_file {
        train.data.file = Some(file.clone());
        if args.data_mode.is_none() {
            train.data.mode = OneOrMany::one(DataMode::File);
        }
    }
    if let Some(loss) = args.converged_loss {
        classify.converged_loss = loss;
    }
    let in_spec = |msg: String| match spec {
        Some(path) => anyhow!("{}: {msg}", path.display()),
        None => anyhow!("{msg}"),
    };
    if purpose == SettingsUse::Data {
        train = train.data_only();
    }
    let train = train.single().map_err(in_spec)?;
    if train.data.mode == DataMode::File && train.data.file.is_none() {
        return Err(anyhow!(
            "--data file needs --data-file FILE (one x value per line)"
        ));
    }
    train.validate().map_err(anyhow::Error::msg)?;
    classify.validate().map_err(anyhow::Error::msg)?;
    // Name where a data file came from; refuse data that cannot fit.
    let file_key = if args.data_file.is_some() {
        "--data-file"
    } else {
        "train.data.file"
    };
    let in_flags = |msg: String| match spec {
        Some(path) if args.data_file.is_none() => anyhow!("{}: {msg}", path.display()),
        _ => anyhow!("{msg}"),
    };
    preflight::check_data(&train, file_key).map_err(in_flags)?;
    Ok((train, classify))
}

/// Writes to stdout; a closed pipe (`| head`) ends output quietly.
pub(crate) fn print_stdout(text: &str) -> Result<()> {
    match io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}
