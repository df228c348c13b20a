//! One line on how a sweep trained (steps, optimizer, learning rate,
//! precision, data), for subtitles and the page; with several training
//! variants, only what they share.

use super::heatmap::format_value;
use crate::problem::data::DataMode;
use crate::spec::{SweepSpec, TrainVariant};
use crate::train::config::Optimizer;

/// One line on how the sweep trained, for subtitles. When `[train]` lists
/// several values of a setting, only the settings common to every variant
/// (see [`common_training`]).
pub(crate) fn training_summary(spec: &SweepSpec, variants: &[TrainVariant]) -> String {
    if variants.len() > 1 {
        return common_training(spec, &variants[0]);
    }
    let t = &variants[0].config;
    let optimizer = match t.optimizer {
        Optimizer::Adam => format!("adam ({})", t.adam.name()),
        Optimizer::Sgd => "sgd".to_string(),
    };
    let data = &t.data;
    let data = match data.mode {
        DataMode::Fresh => format!("fresh data, batch {}", data.batch),
        DataMode::File => "data from file".to_string(),
        mode => format!("{} data, n = {}", mode.name(), data.n),
    };
    format!(
        "{} steps, {optimizer}, lr {}, {}, {data}{}",
        t.steps,
        format_value(t.lr),
        t.precision.name(),
        replicates_words(spec)
    )
}

fn replicates_words(spec: &SweepSpec) -> String {
    if spec.replicates > 1 {
        format!(", {} replicates", spec.replicates)
    } else {
        String::new()
    }
}

/// The training settings every variant shares, in the words of
/// [`training_summary`] (`"2000 steps, adam (tf1), f32, fixed data, n = 1024"`
/// when only `lr` is listed); the listed ones are in each variant's label.
pub(crate) fn common_training(spec: &SweepSpec, first: &TrainVariant) -> String {
    let train = &spec.train;
    let t = &first.config;
    let mut parts: Vec<String> = Vec::new();
    if !train.steps.varies() {
        parts.push(format!("{} steps", t.steps));
    }
    let uses_adam = train.optimizer.values.contains(&Optimizer::Adam);
    match (train.optimizer.varies(), train.adam.varies()) {
        (false, false) => parts.push(match t.optimizer {
            Optimizer::Adam => format!("adam ({})", t.adam.name()),
            Optimizer::Sgd => "sgd".to_string(),
        }),
        (false, true) => parts.push("adam".to_string()),
        (true, false) if uses_adam => parts.push(format!("adam flavour {}", t.adam.name())),
        _ => {}
    }
    if !train.lr.varies() {
        parts.push(format!("lr {}", format_value(t.lr)));
    }
    if !train.precision.varies() {
        parts.push(t.precision.name().to_string());
    }
    let data = &train.data;
    let modes = &data.mode.values;
    if !data.mode.varies() {
        parts.push(match t.data.mode {
            DataMode::Fresh if data.batch.varies() => "fresh data".to_string(),
            DataMode::Fresh => format!("fresh data, batch {}", t.data.batch),
            DataMode::File => "data from file".to_string(),
            mode if data.n.varies() => format!("{} data", mode.name()),
            mode => format!("{} data, n = {}", mode.name(), t.data.n),
        });
    } else {
        let sized: Vec<&str> = modes
            .iter()
            .filter(|m| matches!(m, DataMode::Fixed | DataMode::Grid))
            .map(|m| m.name())
            .collect();
        if !sized.is_empty() && !data.n.varies() {
            parts.push(format!("n = {} for {} data", t.data.n, sized.join("/")));
        }
        if modes.contains(&DataMode::Fresh) && !data.batch.varies() {
            parts.push(format!("batch {} for fresh data", t.data.batch));
        }
    }
    if spec.replicates > 1 {
        parts.push(format!("{} replicates", spec.replicates));
    }
    parts.join(", ")
}
