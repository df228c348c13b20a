//! The reference table (docs/science.md, "Reference results"), honestly:
//! fixed data of 1024 points, 2000 steps, Adam tf1, f32, from a = 1,
//! b = 0.5, c = 1 and d in {-0.5, 0}, over data seeds 0..8 (all eight, none
//! picked), labelled from the settled parameters.
//!
//! - selu ends stuck-linear from both starts for every seed;
//! - softplus ends converged from both starts for every seed, fast;
//! - relu and elu converge from d = 0 for at least 6 of the 8 seeds.
//!
//! What relu and elu do from d = -0.5 is a knife edge: this test prints it
//! (`-- --nocapture`) and asserts nothing about it.
//!
//! Measured (f32; bit-identical on every ISA; each batch summed in
//! ascending x; window 100):
//!
//! | start | relu | elu | selu | softplus |
//! | --- | --- | --- | --- | --- |
//! | d = -0.5 | stuck-linear 7/8, converged 1/8 (seed 7) | stuck-linear 7/8, converged 1/8 (seed 7) | stuck-linear 8/8 | converged 8/8 |
//! | d = 0 | converged 8/8 | converged 8/8 | stuck-linear 8/8 | converged 8/8 |
//!
//! Read at the final step alone (window 1), relu from d = 0 at seed 5 and
//! softplus from d = 0 at seed 7 ended "unconverged": step 2000 fell inside
//! one of Adam's short oscillation bursts. relu from d = -0.5 at seed 7 is
//! not held by the trap for good: b drifts down, and the run escapes at
//! step ~1780-1950 in f32 and between steps 2000 and 2500 in f64.

use basinmap::classify::{ClassifyConfig, Label};
use basinmap::problem::activation::Activation;
use basinmap::problem::data::DataSpec;
use basinmap::train::config::{AdamFlavour, Optimizer, Precision, TrainConfig};
use basinmap::train::{PreparedData, RunOutcome, train_and_classify};

const SEEDS: std::ops::Range<u64> = 0..8;
const STARTS: [[f64; 4]; 2] = [[1.0, 0.5, 1.0, -0.5], [1.0, 0.5, 1.0, 0.0]];

fn config(seed: u64) -> TrainConfig {
    TrainConfig {
        steps: 2000,
        optimizer: Optimizer::Adam,
        adam: AdamFlavour::Tf1,
        lr: 0.1,
        precision: Precision::F32,
        data: DataSpec {
            n: 1024,
            seed,
            ..DataSpec::default()
        },
        ..TrainConfig::default()
    }
}

/// Outcomes per seed, for [d = -0.5, d = 0].
fn table(act: Activation) -> Vec<[RunOutcome; 2]> {
    SEEDS
        .map(|seed| {
            let cfg = config(seed);
            let data = PreparedData::prepare(&cfg).unwrap();
            let out = train_and_classify(act, &cfg, &ClassifyConfig::default(), &data, &STARTS);
            [out[0], out[1]]
        })
        .collect()
}

fn show(act: Activation, rows: &[[RunOutcome; 2]]) {
    for (d_index, d) in [(0, "-0.5"), (1, "0")] {
        println!("{act} from d = {d}:");
        for (seed, row) in SEEDS.zip(rows) {
            let o = &row[d_index];
            let [a, b, c, dd] = o.params;
            println!(
                "  seed {seed}: {:<12} eval {:.4}  train {:.4}  converged_at {:<6}  settled a={a:.3} b={b:.3} c={c:.3} d={dd:.3}",
                o.label.name(),
                o.eval_loss,
                o.train_loss,
                o.converged_at.map_or("-".to_string(), |s| s.to_string()),
            );
        }
    }
}

fn count(rows: &[[RunOutcome; 2]], d_index: usize, label: Label) -> usize {
    rows.iter().filter(|r| r[d_index].label == label).count()
}

#[test]
fn selu_is_stuck_linear_from_both_starts_for_every_seed() {
    let rows = table(Activation::Selu);
    show(Activation::Selu, &rows);
    for (seed, row) in SEEDS.zip(&rows) {
        for (o, start) in row.iter().zip(STARTS) {
            assert_eq!(
                o.label,
                Label::StuckLinear,
                "selu seed {seed} from {start:?}: {o:?}"
            );
        }
    }
}

/// The table as literally stated: softplus converges from both starts for
/// every seed. With labels read at the final step alone this failed for 1
/// of the 16 runs (step 2000 fell inside one of Adam's oscillation bursts);
/// the settled parameters are not caught in a burst.
#[test]
fn softplus_is_converged_from_both_starts_for_every_seed() {
    let rows = table(Activation::Softplus);
    show(Activation::Softplus, &rows);
    for (seed, row) in SEEDS.zip(&rows) {
        for (o, start) in row.iter().zip(STARTS) {
            assert_eq!(
                o.label,
                Label::Converged,
                "softplus seed {seed} from {start:?}: {o:?}"
            );
            // Fast, not at the end: the burst-tolerant speed.
            let step = o.converged_at.expect("converged runs have a speed");
            assert!(
                step < 1000,
                "softplus seed {seed} from {start:?}: step {step}"
            );
        }
    }
}

#[test]
fn relu_and_elu_converge_from_d_0_for_most_seeds() {
    for act in [Activation::Relu, Activation::Elu] {
        let rows = table(act);
        show(act, &rows);
        let from_0 = count(&rows, 1, Label::Converged);
        let from_minus = count(&rows, 0, Label::Converged);
        let linear_minus = count(&rows, 0, Label::StuckLinear);
        println!(
            "{act}: converged from d = 0 for {from_0}/8 seeds; from d = -0.5 converged {from_minus}/8, stuck-linear {linear_minus}/8"
        );
        assert!(
            from_0 >= 6,
            "{act} converged from d = 0 for only {from_0} of 8 seeds"
        );
    }
}
