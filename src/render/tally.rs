//! What the page's text says about a sweep, counted straight from its
//! records, lattice or sample alike: runs per training variant, activation
//! and label, and for the compare pair, which of the two converged from the
//! same start and data seed.

use super::palette::PairOutcome;
use super::sweep_cells::label_index;
use crate::classify::Label;
use crate::grid::SweepGrid;
use crate::problem::activation::Activation;
use crate::spec::TrainVariant;
use crate::store::RunRecord;
use std::collections::HashMap;

/// How often each pair outcome occurs, over (start, replicate) pairs where
/// both runs are done.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PairCounts {
    /// Indexed like `PairOutcome::ALL`.
    pub counts: [usize; 4],
}

impl PairCounts {
    pub fn add(&mut self, outcome: PairOutcome) {
        self.counts[outcome as usize] += 1;
    }

    pub fn get(&self, outcome: PairOutcome) -> usize {
        self.counts[outcome as usize]
    }

    /// Pairs where both runs are done.
    pub fn total(&self) -> usize {
        self.counts.iter().sum()
    }

    /// Adds another tally's counts.
    pub fn merge(&mut self, other: &PairCounts) {
        for (total, n) in self.counts.iter_mut().zip(other.counts) {
            *total += n;
        }
    }

    /// "123 of 4000 (3.1%)" for `outcome`.
    pub fn describe(&self, outcome: PairOutcome) -> String {
        let n = self.get(outcome);
        let total = self.total();
        if total == 0 {
            return "0 of 0".into();
        }
        format!("{n} of {total} ({:.1}%)", 100.0 * n as f64 / total as f64)
    }
}

/// One training variant's runs.
#[derive(Clone, Debug)]
pub struct VariantTally {
    /// [`TrainVariant::describe`]: `"lr=0.1"`, `"data.mode=fixed,
    /// data.batch=-"`; empty when nothing is listed. The page's
    /// `data-variant` attribute.
    pub describe: String,
    /// What it is labelled with: `describe` without the settings that do
    /// not apply to it (`"data.mode=fixed"`).
    pub title: String,
    /// Per activation (in the spec's order), runs per label (in
    /// `Label::ALL` order).
    pub labels: Vec<[usize; Label::ALL.len()]>,
    /// Runs of each activation not done yet.
    pub missing: Vec<usize>,
    /// The compare pair, when the sweep runs both.
    pub pair: Option<PairCounts>,
}

/// Every variant's runs, in the order of `SweepGrid::variants`.
#[derive(Clone, Debug)]
pub struct Tally {
    pub activations: Vec<Activation>,
    pub variants: Vec<VariantTally>,
    pub replicates: u32,
}

impl Tally {
    pub fn new(grid: &SweepGrid, records: &[RunRecord], pair: (Activation, Activation)) -> Tally {
        let acts = grid.activations.len();
        let find = |a: Activation| grid.activations.iter().position(|&x| x == a);
        let pair_index = find(pair.0).zip(find(pair.1));
        let mut variants: Vec<VariantTally> = grid
            .variants
            .iter()
            .map(|v| VariantTally {
                describe: v.describe(),
                title: variant_title(v),
                labels: vec![[0; Label::ALL.len()]; acts],
                missing: vec![0; acts],
                pair: pair_index.map(|_| PairCounts::default()),
            })
            .collect();
        // (variant, replicate, start's number) -> converged? of the pair's runs.
        let mut pairs: HashMap<(u32, u32, u64), [Option<bool>; 2]> = HashMap::new();
        for r in records {
            let Some(id) = grid.find(r.start, r.activation, r.replicate, r.variant) else {
                continue;
            };
            let (Some(act), Some(variant)) =
                (find(r.activation), variants.get_mut(r.variant as usize))
            else {
                continue;
            };
            variant.labels[act][label_index(r.label())] += 1;
            if let Some((first, second)) = pair_index {
                let side = if act == first {
                    0
                } else if act == second {
                    1
                } else {
                    continue;
                };
                let key = (r.variant, r.replicate, id % grid.points());
                pairs.entry(key).or_default()[side] = Some(r.label() == Label::Converged);
            }
        }
        for ((variant, _, _), sides) in pairs {
            if let ([Some(a), Some(b)], Some(counts)) =
                (sides, &mut variants[variant as usize].pair)
            {
                counts.add(PairOutcome::of(a, b));
            }
        }
        let per_activation = grid.points() * u64::from(grid.replicates);
        for variant in &mut variants {
            for (labels, missing) in variant.labels.iter().zip(&mut variant.missing) {
                let done: usize = labels.iter().sum();
                *missing = (per_activation as usize).saturating_sub(done);
            }
        }
        Tally {
            activations: grid.activations.clone(),
            variants,
            replicates: grid.replicates,
        }
    }

    /// The compare pair's counts over every variant.
    pub fn pair_total(&self) -> Option<PairCounts> {
        let mut all: Option<PairCounts> = None;
        for v in &self.variants {
            if let Some(p) = &v.pair {
                all.get_or_insert_with(PairCounts::default).merge(p);
            }
        }
        all
    }

    /// More than one training variant.
    pub fn faceted(&self) -> bool {
        self.variants.len() > 1
    }

    /// Finished runs.
    pub fn done(&self) -> usize {
        self.variants
            .iter()
            .flat_map(|v| &v.labels)
            .map(|l| l.iter().sum::<usize>())
            .sum()
    }

    /// Runs of the whole sweep.
    pub fn total(&self) -> usize {
        self.done() + self.variants.iter().flat_map(|v| &v.missing).sum::<usize>()
    }
}

/// `16641` as `"16,641"`: counts in pictures read at a glance.
pub(crate) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `part` of `whole` as a whole percentage that never rounds a few to
/// "0%" or nearly all to "100%": `"28%"`, `"<1%"`, `">99%"`.
pub(crate) fn percent(part: usize, whole: usize) -> String {
    if whole == 0 || part == 0 {
        return "0%".into();
    }
    if part >= whole {
        return "100%".into();
    }
    let p = 100.0 * part as f64 / whole as f64;
    if p < 1.0 {
        "<1%".into()
    } else if p > 99.0 {
        ">99%".into()
    } else {
        format!("{p:.0}%")
    }
}

/// `"9,120 (14%)"`: a count and its share of `whole`.
pub(crate) fn count_share(part: usize, whole: usize) -> String {
    format!("{} ({})", thousands(part), percent(part, whole))
}

/// A variant's label without the settings that do not apply to it (those
/// reading `-`); its full description if that leaves nothing.
pub(crate) fn variant_title(variant: &TrainVariant) -> String {
    let parts: Vec<String> = variant
        .labels
        .iter()
        .filter(|(_, v)| v != "-")
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if parts.is_empty() {
        variant.describe()
    } else {
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_group_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(16641), "16,641");
        assert_eq!(thousands(1234567), "1,234,567");
    }

    #[test]
    fn percentages_keep_rare_and_nearly_all_apart() {
        assert_eq!(percent(4660, 16641), "28%");
        assert_eq!(percent(1, 16641), "<1%");
        assert_eq!(percent(16640, 16641), ">99%");
        assert_eq!(percent(0, 10), "0%");
        assert_eq!(percent(10, 10), "100%");
        assert_eq!(count_share(9120, 66564), "9,120 (14%)");
    }
}
