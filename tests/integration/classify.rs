//! The outcome labels (docs/science.md) on constructed parameter sets, with
//! every evaluation loss recomputed here independently.

use basinmap::classify::{
    ClassifyConfig, EVAL_POINTS, Label, Verdict, classify, diverged, eval_grid,
    mean_deviation_from_line, model_value,
};

/// The label of a run whose settled parameters are its final ones.
fn classify_final(act: Activation, params: [f64; 4], loss: f64, cfg: &ClassifyConfig) -> Verdict {
    classify(act, params, diverged(params, loss, cfg), cfg)
}
use basinmap::problem::activation::{Activation, SELU_LAMBDA};

fn grid() -> Vec<f64> {
    (0..=1000).map(|j| j as f64 / 1000.0 - 0.5).collect()
}

/// L1 loss of any function against relu on the evaluation grid.
fn grid_loss(g: impl Fn(f64) -> f64) -> f64 {
    grid()
        .iter()
        .map(|&x| (g(x) - x.max(0.0)).abs())
        .sum::<f64>()
        / 1001.0
}

fn label(act: Activation, params: [f64; 4]) -> (Label, f64) {
    let v = classify_final(act, params, 0.1, &ClassifyConfig::default());
    (v.label, v.eval_loss)
}

#[test]
fn evaluation_grid_is_1001_points_with_exact_ends() {
    let xs: Vec<f64> = eval_grid().collect();
    assert_eq!(xs.len(), 1001);
    assert_eq!(EVAL_POINTS, 1001);
    assert_eq!((xs[0], xs[500], xs[1000]), (-0.5, 0.0, 0.5));
    for (x, want) in xs.iter().zip(grid()) {
        assert!((x - want).abs() <= 1e-16, "{x} vs {want}");
    }
}

#[test]
fn dead_relu_is_stuck_dead() {
    // a = 1, b = -2: a·x + b in [-2.5, -1.5], relu 0 everywhere: g = d.
    for d in [0.0, 0.3, -0.2] {
        let (l, loss) = label(Activation::Relu, [1.0, -2.0, 1.0, d]);
        assert_eq!(l, Label::StuckDead, "d = {d}");
        assert!((loss - grid_loss(|_| d)).abs() < 1e-15);
    }
    // g = 0: loss is the mean of relu on the grid, Σ_{j=0}^{500} (j/1000) / 1001.
    let (_, loss) = label(Activation::Relu, [1.0, -2.0, 1.0, 0.0]);
    assert!((loss - 125.25 / 1001.0).abs() < 1e-15, "{loss}");
    // A saturated tanh and an elu deep in its flat part are dead too.
    assert_eq!(
        label(Activation::Tanh, [1.0, 30.0, 1.0, 0.0]).0,
        Label::StuckDead
    );
    assert_eq!(
        label(Activation::Elu, [1.0, -40.0, 2.0, 0.5]).0,
        Label::StuckDead
    );
}

#[test]
fn linear_selu_is_stuck_linear() {
    // a = 1, b = 1: every pre-activation in [0.5, 1.5] > 0, g = c·λ·(x + 1) + d.
    for (c, d) in [(1.0, -0.5), (0.5, 0.0), (-1.0, 2.0)] {
        let params = [1.0, 1.0, c, d];
        let (l, loss) = label(Activation::Selu, params);
        assert_eq!(l, Label::StuckLinear, "c = {c}, d = {d}");
        let want = grid_loss(|x| c * SELU_LAMBDA * (x + 1.0) + d);
        assert!((loss - want).abs() < 1e-14, "{loss} vs {want}");
    }
    // Also the the reference table (docs/science.md) picture: selu from a = 1, b = 0.5 whose
    // pre-activations stay positive (a·x + b in [0, 1]).
    assert_eq!(
        label(Activation::Selu, [1.0, 0.55, 1.0, -0.5]).0,
        Label::StuckLinear
    );
}

#[test]
fn exact_fit_is_converged() {
    for (act, params) in [
        (Activation::Relu, [1.0, 0.0, 1.0, 0.0]),
        (Activation::Relu, [2.0, 0.0, 0.5, 0.0]),
        (Activation::LeakyRelu, [1.0, 0.0, 1.0, 0.0]),
    ] {
        let (l, loss) = label(act, params);
        assert_eq!(l, Label::Converged, "{act} {params:?}");
        assert!((loss - grid_loss(|x| model_value(act, params, x))).abs() < 1e-16);
    }
    assert_eq!(label(Activation::Relu, [1.0, 0.0, 1.0, 0.0]).1, 0.0);
    // A sharp softplus, softplus(50x)/50, is within ln2/50 of relu everywhere.
    let (l, loss) = label(Activation::Softplus, [50.0, 0.0, 0.02, 0.0]);
    assert_eq!(l, Label::Converged);
    let want = grid_loss(|x| (50.0 * x).exp().ln_1p() / 50.0);
    assert!(
        (loss - want).abs() < 1e-12 && loss < 0.02 * std::f64::consts::LN_2,
        "{loss}"
    );
}

#[test]
fn diverged_runs() {
    let act = Activation::Relu;
    let cfg = ClassifyConfig::default();
    for params in [
        [f64::NAN, 0.0, 1.0, 0.0],
        [1.0, f64::INFINITY, 1.0, 0.0],
        [1.0, 0.0, f64::NEG_INFINITY, 0.0],
        [1.0, 0.0, 1.0, 2e6],
        [-1.5e6, 0.0, 1.0, 0.0],
    ] {
        assert_eq!(
            classify_final(act, params, 0.5, &cfg).label,
            Label::Diverged,
            "{params:?}"
        );
    }
    // A perfect fit whose training loss is not finite still diverged.
    for train_loss in [f64::NAN, f64::INFINITY] {
        assert_eq!(
            classify_final(act, [1.0, 0.0, 1.0, 0.0], train_loss, &cfg).label,
            Label::Diverged
        );
    }
    // Large but within 1e6: not diverged (a dead relu with a huge b).
    assert_eq!(
        classify_final(act, [1.0, -9.9e5, 1.0, 0.0], 0.1, &cfg).label,
        Label::StuckDead
    );
    // ... nor at the edge of the allowed magnitudes with a finite g.
    assert_eq!(
        classify_final(Activation::Softplus, [9e5, 9e5, 9e5, 0.0], 0.1, &cfg).label,
        Label::StuckLinear
    );
}

#[test]
fn bent_but_wrong_is_unconverged() {
    // relu(-x): bent, eval loss mean|x| ≈ 1/4, range 0.5.
    let (l, loss) = label(Activation::Relu, [-1.0, 0.0, 1.0, 0.0]);
    assert_eq!(l, Label::Unconverged);
    assert!((loss - grid_loss(|x| (-x).max(0.0))).abs() < 1e-15);
    assert!((loss - 0.25).abs() < 1e-3);
    // relu shifted up by 0.1: right shape, wrong place.
    let (l, loss) = label(Activation::Relu, [1.0, 0.0, 1.0, 0.1]);
    assert_eq!(l, Label::Unconverged);
    assert!((loss - 0.1).abs() < 1e-12);
    // An S-shaped tanh.
    assert_eq!(
        label(Activation::Tanh, [6.0, 0.0, 0.5, 0.0]).0,
        Label::Unconverged
    );
}

#[test]
fn thresholds_are_settable() {
    let strict = |f: fn(&mut ClassifyConfig)| {
        let mut cfg = ClassifyConfig::default();
        f(&mut cfg);
        cfg
    };
    // converged_loss: the sharp softplus (loss (2/50²)·π²/12 ≈ 6.6e-4) is
    // converged at 0.03, unconverged (it bends) at 5e-4.
    let params = [50.0, 0.0, 0.02, 0.0];
    let v = classify_final(
        Activation::Softplus,
        params,
        0.0,
        &ClassifyConfig::default(),
    );
    assert_eq!(v.label, Label::Converged);
    assert!(
        (v.eval_loss - 2.0 / 2500.0 * std::f64::consts::PI.powi(2) / 12.0).abs() < 2e-5,
        "{}",
        v.eval_loss
    );
    let tight = strict(|c| c.converged_loss = 5e-4);
    assert_eq!(
        classify_final(Activation::Softplus, params, 0.0, &tight).label,
        Label::Unconverged
    );
    let loose = strict(|c| c.converged_loss = 0.2);
    // ... and with a loose threshold even the best line (1/16) "converges".
    assert_eq!(
        classify_final(Activation::Relu, [1.0, 10.0, 0.5, 0.125 - 5.0], 0.0, &loose).label,
        Label::Converged
    );

    // dead_range: a leaky relu below its kink with c = 0.05 has slope
    // 0.01·0.05 = 5e-4 and range 5e-4 on [-0.5, 0.5]: dead by default (the
    // dead rule comes before the linear one), linear if dead means < 1e-4.
    let leaky = [1.0, -2.0, 0.05, 0.0];
    assert_eq!(label(Activation::LeakyRelu, leaky).0, Label::StuckDead);
    let fine = strict(|c| c.dead_range = 1e-4);
    assert_eq!(
        classify_final(Activation::LeakyRelu, leaky, 0.1, &fine).label,
        Label::StuckLinear
    );

    // linear_deviation: relu(-x) deviates from its line by 1/16 on a range
    // of 1/2, i.e. 12.5%: unconverged at 2%, linear at 15%.
    let lenient = strict(|c| c.linear_deviation = 0.15);
    assert_eq!(
        classify_final(Activation::Relu, [-1.0, 0.0, 1.0, 0.0], 0.1, &lenient).label,
        Label::StuckLinear
    );
    let lenient = strict(|c| c.linear_deviation = 0.12);
    assert_eq!(
        classify_final(Activation::Relu, [-1.0, 0.0, 1.0, 0.0], 0.1, &lenient).label,
        Label::Unconverged
    );

    // diverged_magnitude.
    let small = strict(|c| c.diverged_magnitude = 100.0);
    assert_eq!(
        classify_final(Activation::Relu, [1.0, -200.0, 1.0, 0.0], 0.1, &small).label,
        Label::Diverged
    );
    assert_eq!(
        label(Activation::Relu, [1.0, -200.0, 1.0, 0.0]).0,
        Label::StuckDead
    );

    // Settable from a spec's [classify] table, unknown keys refused.
    let cfg: ClassifyConfig = toml::from_str("converged_loss = 0.01\ndead_range = 0.5").unwrap();
    assert_eq!((cfg.converged_loss, cfg.dead_range), (0.01, 0.5));
    assert_eq!(
        cfg.linear_deviation,
        ClassifyConfig::default().linear_deviation
    );
    assert!(toml::from_str::<ClassifyConfig>("converged = 0.01").is_err());
    assert!(strict(|c| c.converged_loss = f64::NAN).validate().is_err());
    assert!(strict(|c| c.dead_range = 0.0).validate().is_err());
}

#[test]
fn defaults_are_the_spec_ones() {
    let cfg = ClassifyConfig::default();
    assert_eq!(cfg.converged_loss, 0.03);
    assert_eq!(cfg.dead_range, 1e-3);
    assert_eq!(cfg.linear_deviation, 0.02);
    assert_eq!(cfg.diverged_magnitude, 1e6);
}

#[test]
fn deviation_from_line() {
    let xs = grid();
    for (m, k) in [(3.0, -2.0), (0.0, 0.7), (-1e-3, 5.0), (1e3, 1e3)] {
        let ys: Vec<f64> = xs.iter().map(|&x| m * x + k).collect();
        let dev = mean_deviation_from_line(&xs, &ys);
        assert!(
            dev <= 1e-14 * (1.0 + m.abs() + k.abs()),
            "line {m}x + {k}: {dev}"
        );
    }
    // relu = x/2 + |x|/2; its least-squares line on a symmetric domain is
    // x/2 + mean|x|/2, leaving | |x|/2 - 1/8 |, whose mean is 1/16.
    let relu: Vec<f64> = xs.iter().map(|&x| x.max(0.0)).collect();
    let dev = mean_deviation_from_line(&xs, &relu);
    assert!((dev - 1.0 / 16.0).abs() < 1e-3, "{dev}");
    // The same from a brute-force line: least squares by the normal
    // equations, written independently.
    let n = xs.len() as f64;
    let (sx, sy) = (xs.iter().sum::<f64>(), relu.iter().sum::<f64>());
    let sxy: f64 = xs.iter().zip(&relu).map(|(x, y)| x * y).sum();
    let sxx: f64 = xs.iter().map(|x| x * x).sum();
    let slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    let icept = (sy - slope * sx) / n;
    let want = xs
        .iter()
        .zip(&relu)
        .map(|(x, y)| (y - slope * x - icept).abs())
        .sum::<f64>()
        / n;
    assert!((dev - want).abs() < 1e-14, "{dev} vs {want}");
    assert!((slope - 0.5).abs() < 1e-12);
}

#[test]
fn best_affine_fit_and_best_constant() {
    // docs/science.md, "Outcomes": the best affine fit of relu on [-0.5, 0.5] has L1 loss
    // 1/16 (the line x/2 + 1/8), the best constant 1/8 (the constant 0).
    let line = grid_loss(|x| 0.5 * x + 0.125);
    let constant = grid_loss(|_| 0.0);
    println!("on the 1001-point grid: best line {line}, best constant {constant}");
    assert!((line - 1.0 / 16.0).abs() < 1e-4, "{line}");
    assert!((constant - 1.0 / 8.0).abs() < 1e-3, "{constant}");
    // No line and no constant does better (brute force; L1 is convex, so a
    // grid search around the optimum is enough to see it is one).
    let mut best_line = f64::INFINITY;
    let mut best_constant = f64::INFINITY;
    for i in 0..=100 {
        for j in 0..=100 {
            let (m, k) = (i as f64 / 100.0, -0.1 + j as f64 * 0.0035);
            best_line = best_line.min(grid_loss(|x| m * x + k));
        }
        best_constant = best_constant.min(grid_loss(|_| -0.2 + i as f64 * 0.004));
    }
    assert!(
        best_line >= line - 1e-12,
        "a line beats x/2 + 1/8: {best_line}"
    );
    assert!(
        best_constant >= constant - 1e-12,
        "a constant beats 0: {best_constant}"
    );
    // The classifier sees them as what they are: relu with every
    // pre-activation positive (a = 1, b = 10) makes g = c(x + 10) + d, and the
    // dead relu makes g = d.
    let v = classify_final(
        Activation::Relu,
        [1.0, 10.0, 0.5, 0.125 - 5.0],
        0.1,
        &ClassifyConfig::default(),
    );
    assert_eq!(v.label, Label::StuckLinear);
    assert!((v.eval_loss - line).abs() < 1e-12);
    let v = classify_final(
        Activation::Relu,
        [1.0, -10.0, 1.0, 0.0],
        0.1,
        &ClassifyConfig::default(),
    );
    assert_eq!(v.label, Label::StuckDead);
    assert!((v.eval_loss - constant).abs() < 1e-15);
    // Both far above the convergence threshold 0.03.
    assert!(line > 2.0 * ClassifyConfig::default().converged_loss);
}

#[test]
fn label_names() {
    let names = [
        "converged",
        "stuck-linear",
        "stuck-dead",
        "unconverged",
        "diverged",
    ];
    for (l, name) in Label::ALL.into_iter().zip(names) {
        assert_eq!(l.name(), name);
        assert_eq!(l.to_string(), name);
        assert_eq!(name.parse::<Label>(), Ok(l));
        assert_eq!(serde_json::to_string(&l).unwrap(), format!("\"{name}\""));
    }
}
