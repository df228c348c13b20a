//! One and three optimizer steps against arithmetic worked out by hand from
//! docs/science.md (lr 0.1, beta1 0.9, beta2 0.999, eps 1e-8, t from 1).
//!
//! The hand arithmetic spells out every power of beta as a literal
//! (1 - 0.9^2 = 0.19, 1 - 0.999^3 = 0.002997001, ...), so it shares nothing
//! with the implementation but the formulas of the spec.

use basinmap::simd::{Lane, Lanes, Real};
use basinmap::train::config::{AdamFlavour, Optimizer, TrainConfig};
use basinmap::train::optimizer::OptimizerState;

const START: [f64; 4] = [1.0, 0.5, 1.0, -0.5];

/// Gradients of (a, b, c, d) at steps 1, 2, 3. `c` has gradients far below
/// eps·1e3 so the flavours' different placement of eps shows; `d` is zero
/// for two steps (moments start at exactly 0, the update must be exactly 0).
const GRADS: [[f64; 4]; 3] = [
    [0.5, -0.25, 1e-6, 0.0],
    [0.25, 0.5, -2e-6, 0.0],
    [-1.0, 0.5, 3e-7, 0.125],
];

fn config(optimizer: Optimizer, adam: AdamFlavour) -> TrainConfig {
    TrainConfig {
        optimizer,
        adam,
        ..TrainConfig::default()
    }
}

/// Runs the implementation for `steps` steps with `Lanes<T, 1>`.
fn implementation<T: Real>(cfg: &TrainConfig, steps: usize) -> [f64; 4] {
    let mut state = OptimizerState::<Lanes<T, 1>>::new(cfg);
    let mut params = START.map(|p| Lanes::<T, 1>::splat(T::from_f64(p)));
    for (t, g) in GRADS.iter().take(steps).enumerate() {
        let grads = g.map(|v| Lanes::<T, 1>::splat(T::from_f64(v)));
        state.update(t as u32 + 1, &mut params, &grads);
    }
    params.map(|p| p.0[0].to_f64())
}

/// TensorFlow 1.x Adam, by hand, one parameter, three steps:
/// lr_t = lr·sqrt(1 - beta2^t)/(1 - beta1^t); θ -= lr_t·m/(sqrt(v) + eps).
fn tf1_by_hand(theta0: f64, g: [f64; 3]) -> [f64; 3] {
    // step 1: 1 - 0.9 = 0.1, 1 - 0.999 = 0.001
    let m1 = 0.1 * g[0];
    let v1 = 0.001 * g[0] * g[0];
    let theta1 = theta0 - 0.1 * 0.001f64.sqrt() / 0.1 * m1 / (v1.sqrt() + 1e-8);
    // step 2: 1 - 0.9^2 = 0.19, 1 - 0.999^2 = 0.001999
    let m2 = 0.9 * m1 + 0.1 * g[1];
    let v2 = 0.999 * v1 + 0.001 * g[1] * g[1];
    let theta2 = theta1 - 0.1 * 0.001999f64.sqrt() / 0.19 * m2 / (v2.sqrt() + 1e-8);
    // step 3: 1 - 0.9^3 = 0.271, 1 - 0.999^3 = 0.002997001
    let m3 = 0.9 * m2 + 0.1 * g[2];
    let v3 = 0.999 * v2 + 0.001 * g[2] * g[2];
    let theta3 = theta2 - 0.1 * 0.002997001f64.sqrt() / 0.271 * m3 / (v3.sqrt() + 1e-8);
    [theta1, theta2, theta3]
}

/// PyTorch Adam, by hand: θ -= lr·m̂/(sqrt(v̂) + eps), m̂ = m/(1 - beta1^t),
/// v̂ = v/(1 - beta2^t).
fn pytorch_by_hand(theta0: f64, g: [f64; 3]) -> [f64; 3] {
    let m1 = 0.1 * g[0];
    let v1 = 0.001 * g[0] * g[0];
    let theta1 = theta0 - 0.1 * (m1 / 0.1) / ((v1 / 0.001).sqrt() + 1e-8);
    let m2 = 0.9 * m1 + 0.1 * g[1];
    let v2 = 0.999 * v1 + 0.001 * g[1] * g[1];
    let theta2 = theta1 - 0.1 * (m2 / 0.19) / ((v2 / 0.001999).sqrt() + 1e-8);
    let m3 = 0.9 * m2 + 0.1 * g[2];
    let v3 = 0.999 * v2 + 0.001 * g[2] * g[2];
    let theta3 = theta2 - 0.1 * (m3 / 0.271) / ((v3 / 0.002997001).sqrt() + 1e-8);
    [theta1, theta2, theta3]
}

/// Plain SGD by hand: θ -= lr·g.
fn sgd_by_hand(theta0: f64, g: [f64; 3]) -> [f64; 3] {
    let theta1 = theta0 - 0.1 * g[0];
    let theta2 = theta1 - 0.1 * g[1];
    let theta3 = theta2 - 0.1 * g[2];
    [theta1, theta2, theta3]
}

fn by_hand(rule: fn(f64, [f64; 3]) -> [f64; 3], step: usize) -> [f64; 4] {
    std::array::from_fn(|p| rule(START[p], [GRADS[0][p], GRADS[1][p], GRADS[2][p]])[step - 1])
}

fn check(name: &str, cfg: &TrainConfig, rule: fn(f64, [f64; 3]) -> [f64; 3]) {
    for steps in [1, 3] {
        let want = by_hand(rule, steps);
        let got64 = implementation::<f64>(cfg, steps);
        let got32 = implementation::<f32>(cfg, steps);
        for p in 0..4 {
            // f64: the implementation folds the bias corrections differently
            // (and fuses multiply-adds): a few ulps of |θ| ~ 1 (measured
            // worst 6.7e-16).
            assert!(
                (got64[p] - want[p]).abs() <= 1e-15,
                "{name} f64, {steps} step(s), param {p}: {} vs hand {}",
                got64[p],
                want[p]
            );
            // f32: constants, moments and θ all rounded to f32; θ is about
            // 1, so one f32 ulp of θ is 2^-23 = 1.19e-7 (measured worst
            // 6.1e-8, half an ulp: the f32 run rounds to the nearest f32 of
            // the exact trajectory).
            assert!(
                (got32[p] - want[p]).abs() <= 1.2e-7,
                "{name} f32, {steps} step(s), param {p}: {} vs hand {}",
                got32[p],
                want[p]
            );
        }
    }
}

#[test]
fn adam_tf1_one_and_three_steps() {
    check(
        "adam tf1",
        &config(Optimizer::Adam, AdamFlavour::Tf1),
        tf1_by_hand,
    );
}

#[test]
fn adam_pytorch_one_and_three_steps() {
    check(
        "adam pytorch",
        &config(Optimizer::Adam, AdamFlavour::Pytorch),
        pytorch_by_hand,
    );
}

#[test]
fn sgd_one_and_three_steps() {
    check(
        "sgd",
        &config(Optimizer::Sgd, AdamFlavour::Tf1),
        sgd_by_hand,
    );
}

#[test]
fn first_adam_step_has_the_textbook_size() {
    // Step 1 moves each parameter by about lr against its gradient's sign,
    // whatever the gradient's size, until eps matters: for |g| = 0.5 the
    // move is 0.1·(1 - 1e-8/(sqrt(0.001)·0.5)) in tf1 and 0.1·0.5/(0.5 + 1e-8)
    // in pytorch; for |g| = 1e-6 eps dominates differently:
    // tf1 0.1·sqrt(1e-3)·1e-6/(sqrt(1e-3)·1e-6 + 1e-8) = 0.0759746926...,
    // pytorch 0.1·1e-6/(1e-6 + 1e-8) = 0.0990099009...
    let tf1 = implementation::<f64>(&config(Optimizer::Adam, AdamFlavour::Tf1), 1);
    let torch = implementation::<f64>(&config(Optimizer::Adam, AdamFlavour::Pytorch), 1);
    let tf1_moves = [START[0] - tf1[0], START[1] - tf1[1], START[2] - tf1[2]];
    let torch_moves = [
        START[0] - torch[0],
        START[1] - torch[1],
        START[2] - torch[2],
    ];
    assert!((tf1_moves[0] - 0.1 * (1.0 - 1e-8 / (0.001f64.sqrt() * 0.5))).abs() < 1e-12);
    assert!((tf1_moves[1] + 0.1 * (1.0 - 1e-8 / (0.001f64.sqrt() * 0.25))).abs() < 1e-12);
    assert!(
        (tf1_moves[2] - 0.075_974_692_6).abs() < 1e-10,
        "{}",
        tf1_moves[2]
    );
    assert!((torch_moves[0] - 0.1 * 0.5 / (0.5 + 1e-8)).abs() < 1e-12);
    assert!(
        (torch_moves[2] - 0.099_009_900_99).abs() < 1e-10,
        "{}",
        torch_moves[2]
    );
    // d's gradient is 0: no move at all, in both flavours and precisions.
    assert_eq!(tf1[3], START[3]);
    assert_eq!(torch[3], START[3]);
    assert_eq!(
        implementation::<f32>(&config(Optimizer::Adam, AdamFlavour::Tf1), 2)[3],
        START[3]
    );
}

#[test]
fn lanes_are_updated_independently() {
    // Three models with different gradients in one Lanes<f64, 3> end exactly
    // where each ends alone.
    let cfg = config(Optimizer::Adam, AdamFlavour::Tf1);
    let per_lane = |lane: usize, step: usize| -> [f64; 4] {
        GRADS[(step + lane) % 3].map(|g| g * (lane as f64 + 1.0))
    };
    let mut wide = OptimizerState::<Lanes<f64, 3>>::new(&cfg);
    let mut wide_params = START.map(Lanes::<f64, 3>::splat);
    for step in 0..3 {
        let grads: [Lanes<f64, 3>; 4] =
            std::array::from_fn(|p| Lanes(std::array::from_fn(|lane| per_lane(lane, step)[p])));
        wide.update(step as u32 + 1, &mut wide_params, &grads);
    }
    for lane in 0..3 {
        let mut alone = OptimizerState::<Lanes<f64, 1>>::new(&cfg);
        let mut params = START.map(Lanes::<f64, 1>::splat);
        for step in 0..3 {
            let grads = per_lane(lane, step).map(Lanes::<f64, 1>::splat);
            alone.update(step as u32 + 1, &mut params, &grads);
        }
        for p in 0..4 {
            assert_eq!(
                params[p].0[0].to_bits(),
                wide_params[p].0[lane].to_bits(),
                "lane {lane} param {p}"
            );
        }
    }
}
