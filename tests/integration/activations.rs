//! The eight activations' reference derivatives against finite differences
//! of their reference values, the kink conventions of docs/science.md, and
//! their names.

use basinmap::problem::activation::{Activation, LEAKY_SLOPE, SELU_ALPHA, SELU_LAMBDA};
use basinmap::simd::{Lane, Lanes};

/// Richardson-extrapolated central difference of the reference value:
/// truncation error O(h^4), rounding error about eps·|f| / h.
fn finite_difference(act: Activation, z: f64, h: f64) -> f64 {
    let f = |z: f64| act.reference(z).0;
    let central = |h: f64| (f(z + h) - f(z - h)) / (2.0 * h);
    (4.0 * central(h / 2.0) - central(h)) / 3.0
}

/// Points in [-30, 30], dense near 0 on a log scale, none within `gap` of 0
/// (the kink of relu, leaky_relu, elu and selu).
fn sample_points(gap: f64) -> Vec<f64> {
    let mut zs: Vec<f64> = (0..=6000)
        .map(|i| -30.0 + i as f64 * 0.01 + 0.003_7)
        .collect();
    for k in 0..=60 {
        let m = 10f64.powf(-3.0 + k as f64 * 0.05);
        zs.extend([m, -m]);
    }
    zs.retain(|z| z.abs() >= gap);
    zs
}

#[test]
fn derivatives_match_finite_differences() {
    // Step h = 1e-4 stays 10 steps away from the kink (all |z| >= 1e-3).
    // Error budget: truncation ~h^4·|f^(5)|/... < 1e-14, rounding
    // ~2^-52·|f|/h·(4/3+1/3) < 1e-11·|f|. Tolerance 1e-10·(1 + |f| + |f'|)
    // is above that (measured worst: 6.2e-12) and many orders below any
    // formula mistake.
    let h = 1e-4;
    let mut worst = 0.0f64;
    for act in Activation::ALL {
        for z in sample_points(1e-3) {
            let (value, derivative) = act.reference(z);
            let fd = finite_difference(act, z, h);
            let err = (fd - derivative).abs() / (1.0 + value.abs() + derivative.abs());
            worst = worst.max(err);
            assert!(
                err <= 1e-10,
                "{act}'({z}) = {derivative}, finite difference {fd} (scaled error {err:e})"
            );
        }
    }
    println!("worst scaled |f' - finite difference| = {worst:e}");
}

#[test]
fn derivative_formulas_match_closed_forms() {
    // The same derivatives written differently, at points where each is
    // far from its kink: catches a formula that is consistently wrong in a
    // way a finite difference of an equally wrong value would share.
    for z in sample_points(1e-3) {
        let sig = 1.0 / (1.0 + (-z).exp());
        let phi = (-z * z / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt();
        let cdf = 0.5 * (1.0 + libm::erf(z / 2f64.sqrt()));
        let expected = [
            (Activation::Relu, if z > 0.0 { 1.0 } else { 0.0 }),
            (Activation::LeakyRelu, if z > 0.0 { 1.0 } else { 0.01 }),
            (Activation::Elu, if z > 0.0 { 1.0 } else { z.exp() }),
            (
                Activation::Selu,
                if z > 0.0 {
                    SELU_LAMBDA
                } else {
                    SELU_LAMBDA * SELU_ALPHA * z.exp()
                },
            ),
            (Activation::Softplus, sig),
            (Activation::Gelu, cdf + z * phi),
            (Activation::Silu, sig + z * sig * (1.0 - sig)),
            (Activation::Tanh, 1.0 / z.cosh().powi(2)),
        ];
        for (act, want) in expected {
            let got = act.reference(z).1;
            assert!(
                (got - want).abs()
                    <= 1e-14 * (1.0 + want.abs() + z.abs() * phi.max(sig * (1.0 - sig))),
                "{act}'({z}) = {got}, closed form {want}"
            );
        }
    }
}

#[test]
fn kink_conventions_at_zero() {
    // docs/science.md: the derivative at z = 0 is the left piece's, as
    // TensorFlow and PyTorch do (elu'(0) = exp(0) = 1, selu'(0) = λα).
    let expected = [
        (Activation::Relu, 0.0, 0.0),
        (Activation::LeakyRelu, 0.0, LEAKY_SLOPE),
        (Activation::Elu, 0.0, 1.0),
        (Activation::Selu, 0.0, SELU_LAMBDA * SELU_ALPHA),
        (Activation::Softplus, std::f64::consts::LN_2, 0.5),
        (Activation::Gelu, 0.0, 0.5),
        (Activation::Silu, 0.0, 0.5),
        (Activation::Tanh, 0.0, 1.0),
    ];
    assert_eq!(LEAKY_SLOPE, 0.01);
    for (act, value, slope) in expected {
        for zero in [0.0, -0.0] {
            assert_eq!(
                act.reference(zero),
                (value, slope),
                "{act} reference at {zero}"
            );
            let (v, d) = act.eval_lanes(Lanes::<f64, 4>::splat(zero));
            // (ln 2 from the vector log may be one ulp off; the slope is exact.)
            assert!(
                (v.0[0].abs() - value).abs() <= f64::EPSILON / 2.0,
                "{act} f64 lanes value at {zero}"
            );
            assert_eq!(d.0[0], slope, "{act} f64 lanes slope at {zero}");
            let (v, d) = act.eval_lanes(Lanes::<f32, 8>::splat(zero as f32));
            assert_eq!(
                v.0[0].abs(),
                value as f32,
                "{act} f32 lanes value at {zero}"
            );
            assert_eq!(d.0[0], slope as f32, "{act} f32 lanes slope at {zero}");
        }
    }
    // Just right of the kink, the right piece's slope.
    let right = f64::from_bits(1);
    assert_eq!(Activation::Relu.reference(right).1, 1.0);
    assert_eq!(Activation::LeakyRelu.reference(right).1, 1.0);
    assert_eq!(Activation::Elu.reference(right).1, 1.0);
    assert_eq!(Activation::Selu.reference(right).1, SELU_LAMBDA);
    assert_eq!(Activation::Relu.reference(-right), (0.0, 0.0));
}

#[test]
#[allow(clippy::excessive_precision)] // the digits docs/science.md writes
fn selu_constants_are_the_published_ones() {
    // Klambauer et al. 2017, to the digits docs/science.md gives.
    assert_eq!(SELU_LAMBDA, 1.0507009873554804934193349852946);
    assert_eq!(SELU_ALPHA, 1.6732632423543772848170429916717);
    // selu(-inf) = -λα, the well-known saturation value -1.7581.
    let floor = Activation::Selu.reference(-1000.0).0;
    assert!((floor + 1.758_099_340_847_376_6).abs() < 1e-15, "{floor}");
}

#[test]
fn names_round_trip() {
    let names = [
        "relu",
        "leaky_relu",
        "elu",
        "selu",
        "softplus",
        "gelu",
        "silu",
        "tanh",
    ];
    assert_eq!(Activation::ALL.len(), names.len());
    for (act, name) in Activation::ALL.into_iter().zip(names) {
        assert_eq!(act.name(), name);
        assert_eq!(act.to_string(), name);
        assert_eq!(name.parse::<Activation>(), Ok(act));
        // Specs and results spell them the same way through serde.
        let json = serde_json::to_string(&act).unwrap();
        assert_eq!(json, format!("\"{name}\""));
        assert_eq!(serde_json::from_str::<Activation>(&json).unwrap(), act);
    }
}

#[test]
fn unknown_name_lists_the_valid_ones() {
    for bad in ["sigmoid", "", "ReLU", "relu ", "leaky-relu"] {
        let err = bad.parse::<Activation>().unwrap_err();
        assert!(
            err.contains(&format!("'{bad}'")),
            "message should quote the input: {err}"
        );
        for act in Activation::ALL {
            assert!(err.contains(act.name()), "message should list {act}: {err}");
        }
        assert!(!err.contains('\n'), "one line: {err}");
    }
    let err = serde_json::from_str::<Activation>("\"swish\"")
        .unwrap_err()
        .to_string();
    assert!(err.contains("swish") && err.contains("softplus"), "{err}");
}
