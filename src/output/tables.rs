//! Plain-text tables for `status` and `summary`.

use crate::classify::Label;
use crate::problem::activation::Activation;
use crate::store::RunRecord;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Label counts per activation, in the spec's activation order.
pub fn label_counts<'a>(
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

/// `activation  converged  stuck-linear ...` with one row per activation.
pub fn label_table(counts: &[(Activation, [u64; Label::ALL.len()])]) -> String {
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
    out
}

/// `{activation: {label: count}}` for `summary --json`.
pub fn label_json(counts: &[(Activation, [u64; Label::ALL.len()])]) -> serde_json::Value {
    let mut object = serde_json::Map::new();
    for (activation, row) in counts {
        let labels: serde_json::Map<String, serde_json::Value> = Label::ALL
            .iter()
            .zip(row)
            .map(|(label, &n)| (label.name().to_string(), n.into()))
            .collect();
        object.insert(activation.name().to_string(), labels.into());
    }
    object.into()
}
