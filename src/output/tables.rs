//! Plain-text tables for `status` and `summary`.

use crate::classify::Label;
use crate::grid::SweepGrid;
use crate::problem::activation::Activation;
use crate::spec::train_axes::axis_keys;
use crate::stats::Fraction;
use crate::store::RunRecord;
use crate::store::table::format_number;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Label counts per activation, in the spec's activation order.
pub(crate) fn label_counts<'a>(
    activations: &[Activation],
    records: impl IntoIterator<Item = &'a RunRecord>,
) -> Vec<(Activation, [u64; Label::ALL.len()])> {
    let mut counts: BTreeMap<Activation, [u64; Label::ALL.len()]> = activations
        .iter()
        .map(|&a| (a, [0; Label::ALL.len()]))
        .collect();
    for record in records {
        if let Some(row) = counts.get_mut(&record.activation) {
            let slot = Label::ALL
                .iter()
                .position(|&l| l == record.label())
                .expect("label listed");
            row[slot] += 1;
        }
    }
    activations.iter().map(|a| (*a, counts[a])).collect()
}

/// `activation  converged  stuck-linear ...` with one row per activation:
/// the counts, then each label's fraction with its 95% interval.
pub(crate) fn label_table(counts: &[(Activation, [u64; Label::ALL.len()])]) -> String {
    let mut out = String::new();
    let _ = write!(out, "{:<12}", "activation");
    for label in Label::ALL {
        let _ = write!(out, " {:>12}", label.name());
    }
    let _ = writeln!(out, " {:>8}", "total");
    for (activation, row) in counts {
        let _ = write!(out, "{:<12}", activation.name());
        for n in row {
            let _ = write!(out, " {n:>12}");
        }
        let _ = writeln!(out, " {:>8}", row.iter().sum::<u64>());
    }
    let _ = writeln!(
        out,
        "\n% of runs [95% interval, Wilson]:\n{}",
        fraction_header("activation")
    );
    for (activation, row) in counts {
        let _ = write!(out, "{:<12}", activation.name());
        let _ = writeln!(out, "{}", fraction_cells(row));
    }
    out
}

/// Header of a fraction table whose first column is `first`.
fn fraction_header(first: &str) -> String {
    let mut out = format!("{first:<12}");
    for label in Label::ALL {
        let _ = write!(out, " {:>21}", label.name());
    }
    out
}

/// `  17.58 [16.99, 18.18]` per label.
fn fraction_cells(row: &[u64; Label::ALL.len()]) -> String {
    let total: u64 = row.iter().sum();
    let mut out = String::new();
    for &n in row {
        let f = Fraction::new(n, total);
        let (lo, hi) = f.wilson95();
        let _ = write!(
            out,
            " {:>21}",
            format!(
                "{:.2} [{:.2}, {:.2}]",
                100.0 * f.value(),
                100.0 * lo,
                100.0 * hi
            )
        );
    }
    out
}

/// `{activation: {"runs": n, "labels": {label: {"count", "fraction",
/// "ci95": [low, high]}}}}` for `summary --json`.
pub(crate) fn label_json(counts: &[(Activation, [u64; Label::ALL.len()])]) -> serde_json::Value {
    let mut object = serde_json::Map::new();
    for (activation, row) in counts {
        let total: u64 = row.iter().sum();
        let labels: serde_json::Map<String, serde_json::Value> = Label::ALL
            .iter()
            .zip(row)
            .map(|(label, &n)| {
                let f = Fraction::new(n, total);
                let (lo, hi) = f.wilson95();
                let entry = serde_json::json!({
                    "count": n,
                    "fraction": f.value(),
                    "ci95": [lo, hi],
                });
                (label.name().to_string(), entry)
            })
            .collect();
        object.insert(
            activation.name().to_string(),
            serde_json::json!({"runs": total, "labels": labels}),
        );
    }
    object.into()
}

/// An axis to group runs by in `summary --by`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupAxis {
    /// `a`, `b`, `c` or `d` (index).
    Start(usize),
    Replicate,
    /// A listed `[train]` setting, by key path.
    Setting(&'static str),
}

impl GroupAxis {
    pub fn parse(key: &str) -> Result<GroupAxis, String> {
        if let Some(i) = ["a", "b", "c", "d"].iter().position(|&k| k == key) {
            return Ok(GroupAxis::Start(i));
        }
        if key == "replicate" {
            return Ok(GroupAxis::Replicate);
        }
        if let Some(key) = axis_keys().find(|&k| k == key) {
            return Ok(GroupAxis::Setting(key));
        }
        Err(format!(
            "unknown axis (valid: a, b, c, d, replicate, {})",
            axis_keys().collect::<Vec<_>>().join(", ")
        ))
    }

    fn name(self) -> String {
        match self {
            GroupAxis::Start(i) => ["a", "b", "c", "d"][i].to_string(),
            GroupAxis::Replicate => "replicate".to_string(),
            GroupAxis::Setting(key) => key.to_string(),
        }
    }

    /// The group a run falls in, as text.
    fn value(self, grid: &SweepGrid, record: &RunRecord) -> String {
        match self {
            GroupAxis::Start(i) => format_number(record.start[i]),
            GroupAxis::Replicate => record.replicate.to_string(),
            GroupAxis::Setting(key) => {
                let variant = &grid.variants[record.variant as usize];
                match variant.labels.iter().find(|(k, _)| *k == key) {
                    Some((_, value)) => value.clone(),
                    None => "(all)".to_string(),
                }
            }
        }
    }
}

type Groups = Vec<(String, Vec<(Activation, [u64; Label::ALL.len()])>)>;

/// Label counts per group value (in order of first appearance along the
/// grid's axis order) and activation.
fn group_counts(grid: &SweepGrid, axis: GroupAxis, records: &[&RunRecord]) -> Groups {
    let mut by_value: BTreeMap<String, Vec<&RunRecord>> = BTreeMap::new();
    for &record in records {
        by_value
            .entry(axis.value(grid, record))
            .or_default()
            .push(record);
    }
    let mut groups: Groups = by_value
        .into_iter()
        .map(|(value, rs)| (value, label_counts(&grid.activations, rs)))
        .collect();
    // Numbers sort numerically, names alphabetically.
    groups.sort_by(
        |(x, _), (y, _)| match (x.parse::<f64>(), y.parse::<f64>()) {
            (Ok(p), Ok(q)) => p.total_cmp(&q),
            _ => x.cmp(y),
        },
    );
    groups
}

/// Label fractions with their 95% intervals per group and activation.
pub(crate) fn grouped_table(grid: &SweepGrid, axis: GroupAxis, records: &[&RunRecord]) -> String {
    let mut out = String::new();
    let name = axis.name();
    let _ = writeln!(
        out,
        "% of runs [95% interval, Wilson], per {name} and activation:"
    );
    let _ = writeln!(
        out,
        "{name:<12} {} {:>8}",
        fraction_header("activation"),
        "runs"
    );
    for (value, counts) in group_counts(grid, axis, records) {
        for (activation, row) in counts {
            let total: u64 = row.iter().sum();
            let _ = writeln!(
                out,
                "{value:<12} {:<12}{} {total:>8}",
                activation.name(),
                fraction_cells(&row)
            );
        }
    }
    out
}

/// `{group: <label_json of the group>}`.
pub(crate) fn grouped_json(
    grid: &SweepGrid,
    axis: GroupAxis,
    records: &[&RunRecord],
) -> serde_json::Value {
    let mut object = serde_json::Map::new();
    for (value, counts) in group_counts(grid, axis, records) {
        object.insert(value, label_json(&counts));
    }
    object.into()
}
