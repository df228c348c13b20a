//! Full-batch gradients of the L1 loss: the lane kernel's
//! `loss_and_gradient` against central finite differences of the plain
//! reference loss, at random parameters where the loss is differentiable,
//! for all eight activations; and the reference gradient against the kernel.

use basinmap::problem::activation::Activation;
use basinmap::problem::data::uniform_stream;
use basinmap::simd::{Lane, Lanes};
use basinmap::train::kernel::loss_and_gradient;
use basinmap::train::reference;

/// SplitMix64: a tiny, fixed generator for test parameters.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn has_kink(act: Activation) -> bool {
    matches!(
        act,
        Activation::Relu | Activation::LeakyRelu | Activation::Elu | Activation::Selu
    )
}

/// Signs of every residual and (for kinked activations) side of every
/// pre-activation: the loss is smooth wherever this pattern is constant.
fn pattern(act: Activation, theta: [f64; 4], xs: &[f64]) -> Vec<(i8, bool)> {
    let [a, b, c, d] = theta;
    xs.iter()
        .map(|&x| {
            let z = a * x + b;
            let r = c * act.reference(z).0 + d - x.max(0.0);
            let side = has_kink(act) && z > 0.0;
            (r.signum() as i8 * (r != 0.0) as i8, side)
        })
        .collect()
}

/// Minimum |residual| and (kinked) |pre-activation| over the data.
fn margins(act: Activation, [a, b, c, d]: [f64; 4], xs: &[f64]) -> f64 {
    xs.iter()
        .map(|&x| {
            let z = a * x + b;
            let r = (c * act.reference(z).0 + d - x.max(0.0)).abs();
            if has_kink(act) { r.min(z.abs()) } else { r }
        })
        .fold(f64::INFINITY, f64::min)
}

const H: f64 = 1e-5;

/// Random parameters at which no residual is near 0 and no pre-activation
/// is near a kink, and the pattern is the same at every point the finite
/// differences touch (so they see one smooth piece of the loss).
fn differentiable_point(act: Activation, rng: &mut SplitMix, xs: &[f64]) -> [f64; 4] {
    loop {
        let theta = [
            rng.uniform(-3.0, 3.0),
            rng.uniform(-1.5, 1.5),
            rng.uniform(-2.0, 2.0),
            rng.uniform(-1.0, 1.0),
        ];
        if margins(act, theta, xs) < 1e-3 {
            continue;
        }
        let base = pattern(act, theta, xs);
        let stable = (0..4).all(|k| {
            [-H, -H / 2.0, H / 2.0, H].iter().all(|&step| {
                let mut t = theta;
                t[k] += step;
                pattern(act, t, xs) == base
            })
        });
        if stable {
            return theta;
        }
    }
}

/// Richardson-extrapolated central difference of the reference loss.
fn fd_gradient(act: Activation, theta: [f64; 4], xs: &[f64]) -> [f64; 4] {
    std::array::from_fn(|k| {
        let at = |step: f64| {
            let mut t = theta;
            t[k] += step;
            reference::loss(act, t, xs)
        };
        let central = |h: f64| (at(h) - at(-h)) / (2.0 * h);
        (4.0 * central(H / 2.0) - central(H)) / 3.0
    })
}

fn kernel_f64(act: Activation, theta: [f64; 4], xs: &[f64]) -> (f64, [f64; 4]) {
    let targets: Vec<f64> = xs.iter().map(|&x| x.max(0.0)).collect();
    let params = theta.map(Lanes::<f64, 1>::splat);
    let (loss, grads) = loss_and_gradient(act, &params, xs, &targets);
    (loss.0[0], grads.map(|g| g.0[0]))
}

#[test]
fn kernel_gradient_matches_finite_differences() {
    let xs = uniform_stream(7, 64);
    let mut rng = SplitMix(2024);
    let mut worst = 0.0f64;
    for act in Activation::ALL {
        for _ in 0..25 {
            let theta = differentiable_point(act, &mut rng, &xs);
            let (loss, grad) = kernel_f64(act, theta, &xs);
            let ref_loss = reference::loss(act, theta, &xs);
            assert!(
                (loss - ref_loss).abs() <= 1e-14 * (1.0 + ref_loss),
                "{act} loss at {theta:?}"
            );
            let fd = fd_gradient(act, theta, &xs);
            for k in 0..4 {
                // Rounding error of the differences: ~2^-52·loss/H, times
                // about 3 from the extrapolation: a few 1e-10 for losses of
                // a few units. Measured worst 2.6e-10.
                let err = (grad[k] - fd[k]).abs();
                worst = worst.max(err);
                assert!(
                    err <= 1e-9,
                    "{act} at {theta:?}: dL/d{} kernel {} vs finite difference {}",
                    ["a", "b", "c", "d"][k],
                    grad[k],
                    fd[k]
                );
            }
        }
    }
    println!("worst |kernel gradient - finite difference| = {worst:e}");
}

#[test]
fn reference_gradient_matches_kernel() {
    // Also at arbitrary points (kinks and residual signs wherever they fall):
    // both use sign(0) = 0 and the left derivative at kinks, so they agree
    // everywhere, up to summation order.
    let xs = uniform_stream(11, 256);
    let mut rng = SplitMix(99);
    for act in Activation::ALL {
        for _ in 0..50 {
            let theta = [
                rng.uniform(-4.0, 4.0),
                rng.uniform(-2.0, 2.0),
                rng.uniform(-3.0, 3.0),
                rng.uniform(-1.0, 1.0),
            ];
            let (_, grad) = kernel_f64(act, theta, &xs);
            let want = reference::gradient(act, theta, &xs);
            for k in 0..4 {
                assert!(
                    (grad[k] - want[k]).abs() <= 1e-13,
                    "{act} at {theta:?}: kernel {grad:?} vs reference {want:?}"
                );
            }
        }
    }
}

#[test]
fn lanes_and_f32_agree_with_the_reference() {
    // Four different models in one Lanes<f64, 4>, and the same in
    // Lanes<f32, 8> (parameters rounded to f32 first; residuals kept at
    // least 1e-3 from 0 so f32 rounding cannot flip a sign).
    let xs = uniform_stream(3, 128);
    let xs32: Vec<f32> = xs.iter().map(|&x| x as f32).collect();
    let targets32: Vec<f32> = xs32.iter().map(|&x| x.max(0.0)).collect();
    let targets: Vec<f64> = xs.iter().map(|&x| x.max(0.0)).collect();
    let mut rng = SplitMix(5);
    for act in Activation::ALL {
        let thetas: [[f64; 4]; 4] = std::array::from_fn(|_| {
            let t = differentiable_point(act, &mut rng, &xs);
            t.map(|v| v as f32 as f64)
        });
        let params64: [Lanes<f64, 4>; 4] =
            std::array::from_fn(|p| Lanes(std::array::from_fn(|l| thetas[l][p])));
        let params32: [Lanes<f32, 8>; 4] =
            std::array::from_fn(|p| Lanes(std::array::from_fn(|l| thetas[l % 4][p] as f32)));
        let (loss64, grad64) = loss_and_gradient(act, &params64, &xs, &targets);
        let (loss32, grad32) = loss_and_gradient(act, &params32, &xs32, &targets32);
        for (l, theta) in thetas.iter().enumerate() {
            if margins(act, *theta, &xs) < 1e-3 {
                continue;
            }
            let want = reference::gradient(act, *theta, &xs);
            let want_loss = reference::loss(act, *theta, &xs);
            assert!((loss64.0[l] - want_loss).abs() <= 1e-14);
            assert!(
                (loss32.0[l] as f64 - want_loss).abs() <= 2e-6,
                "{act} f32 loss"
            );
            for k in 0..4 {
                assert!(
                    (grad64[k].0[l] - want[k]).abs() <= 1e-13,
                    "{act} f64 lane {l}"
                );
                // f32: 128 terms each with relative error ~1e-7, values O(3).
                assert!(
                    (grad32[k].0[l] as f64 - want[k]).abs() <= 2e-6 * (1.0 + want[k].abs()),
                    "{act} f32 lane {l} dL/d{k}: {} vs {}",
                    grad32[k].0[l],
                    want[k]
                );
                assert_eq!(
                    grad32[k].0[l].to_bits(),
                    grad32[k].0[l + 4].to_bits(),
                    "lanes l and l+4 hold the same model"
                );
            }
        }
    }
}

#[test]
fn sign_of_zero_residual_is_zero() {
    // g = leaky_relu(x) against relu(x): residual 0 for x > 0, 0.01x - 0 < 0
    // for x < 0. With sign(0) = 0 only the negative x contribute:
    // dL/da = c·mean(s f' x) = -0.01·Σ_{x<0} x / n, dL/db = -0.01·#neg / n,
    // dL/dc = mean(s f) = -Σ_{x<0} 0.01 x / n, dL/dd = mean(s) = -#neg / n.
    let xs = uniform_stream(0, 1024);
    let n = xs.len() as f64;
    let neg: Vec<f64> = xs.iter().copied().filter(|&x| x < 0.0).collect();
    assert!(neg.len() > 400 && neg.len() < 624);
    let sum_neg: f64 = neg.iter().sum();
    let want = [
        -0.01 * sum_neg / n,
        -0.01 * neg.len() as f64 / n,
        -0.01 * sum_neg / n,
        -(neg.len() as f64) / n,
    ];
    let want_loss = -0.01 * sum_neg / n;
    let theta = [1.0, 0.0, 1.0, 0.0];
    let (loss, grad) = kernel_f64(Activation::LeakyRelu, theta, &xs);
    let ref_grad = reference::gradient(Activation::LeakyRelu, theta, &xs);
    assert!((loss - want_loss).abs() < 1e-15);
    for k in 0..4 {
        assert!(
            (grad[k] - want[k]).abs() < 1e-15,
            "kernel dL/d{k}: {} vs {}",
            grad[k],
            want[k]
        );
        assert!((ref_grad[k] - want[k]).abs() < 1e-15, "reference dL/d{k}");
    }
    // relu fits relu exactly: every residual is 0, so is every gradient.
    for act_theta in [[1.0, 0.0, 1.0, 0.0], [2.0, 0.0, 0.5, 0.0]] {
        let (loss, grad) = kernel_f64(Activation::Relu, act_theta, &xs);
        assert_eq!((loss, grad), (0.0, [0.0; 4]));
        assert_eq!(
            reference::gradient(Activation::Relu, act_theta, &xs),
            [0.0; 4]
        );
        let xs32: Vec<f32> = xs.iter().map(|&x| x as f32).collect();
        let t32: Vec<f32> = xs32.iter().map(|&x| x.max(0.0)).collect();
        let (l32, g32) = loss_and_gradient(
            Activation::Relu,
            &act_theta.map(|v| Lanes::<f32, 8>::splat(v as f32)),
            &xs32,
            &t32,
        );
        assert_eq!(l32.0, [0.0; 8]);
        assert!(g32.iter().all(|g| g.0 == [0.0; 8]));
    }
}
