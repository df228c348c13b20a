//! The vector standard normal CDF and density (gelu's building blocks)
//! against `libm::erfc` and `std` `exp` in `f64`, over the whole range.

use basinmap::simd::{Lane, Lanes, Real, math};

/// Distance in units in the last place of `T` between `got` and `want`
/// (`want` rounded to `T` first).
fn ulps<T: Real>(got: T, want: f64) -> f64 {
    let want_t = T::from_f64(want);
    if got == want_t {
        return 0.0;
    }
    let ulp = (T::from_f64(want.abs()).to_f64()
        * if T::NAME == "f32" {
            f32::EPSILON as f64
        } else {
            f64::EPSILON
        })
    .max(if T::NAME == "f32" {
        f32::from_bits(1) as f64
    } else {
        f64::from_bits(1)
    });
    (got.to_f64() - want).abs() / ulp
}

fn reference_cdf(z: f64) -> f64 {
    0.5 * libm::erfc(-z * std::f64::consts::FRAC_1_SQRT_2)
}

/// Max ulp error of Φ over z in [-3, 40] and of φ over [-40, 40] where the
/// results are normal numbers. The libm reference `erfc(-z/√2)/2` inherits
/// the rounding of `z/√2` magnified `z²` times, so below z = -3 the lower
/// tail is checked against mpmath instead (next test).
fn max_errors<T: Real>() -> (f64, f64, f64) {
    let (mut cdf_max, mut pdf_max, mut worst_z) = (0.0f64, 0.0f64, 0.0);
    let steps = 400_000;
    for i in 0..=steps {
        let z = -40.0 + 80.0 * i as f64 / steps as f64;
        let zt = T::from_f64(z);
        let (cdf, pdf) = math::normal_cdf_pdf(Lanes::<T, 4>::splat(zt));
        let z = zt.to_f64();
        // -z²/2 = q + r exactly, so exp(q)(1 + r) is exp(-z²/2) to within
        // ~1 ulp; exp(-0.5 * z * z) would carry z²/2 ulps of rounding error.
        let q = -0.5 * z * z;
        let r = (-0.5 * z).mul_add(z, -q);
        let want_pdf = q.exp() * (1.0 + r) / (2.0 * std::f64::consts::PI).sqrt();
        let want_cdf = reference_cdf(z);
        // Subnormal results have fewer significant bits; ulps there mislead.
        let normal = if T::NAME == "f32" {
            f32::MIN_POSITIVE as f64
        } else {
            f64::MIN_POSITIVE
        };
        let e = if want_cdf >= normal && z >= -3.0 {
            ulps(cdf.lane(0), want_cdf)
        } else {
            0.0
        };
        if e > cdf_max {
            cdf_max = e;
            worst_z = z;
        }
        // The density only matters where it is not negligible next to Φ.
        if want_pdf > 1e-30 {
            pdf_max = pdf_max.max(ulps(pdf.lane(0), want_pdf));
        }
    }
    (cdf_max, pdf_max, worst_z)
}

#[test]
fn normal_cdf_f32_within_a_few_ulps_everywhere() {
    let (cdf, pdf, z) = max_errors::<f32>();
    println!("f32: Φ max {cdf:.2} ulp (at z = {z}), φ max {pdf:.2} ulp");
    assert!(cdf <= 4.0, "Φ f32 error {cdf} ulp at z = {z}");
    assert!(pdf <= 4.0, "φ f32 error {pdf} ulp");
}

#[test]
fn normal_cdf_f64_within_a_few_ulps_everywhere() {
    let (cdf, pdf, z) = max_errors::<f64>();
    println!("f64: Φ max {cdf:.2} ulp (at z = {z}), φ max {pdf:.2} ulp");
    assert!(cdf <= 8.0, "Φ f64 error {cdf} ulp at z = {z}");
    assert!(pdf <= 8.0, "φ f64 error {pdf} ulp");
}

/// The lower tail against Φ computed with mpmath at 40 digits, rounded to
/// the nearest f64.
#[test]
fn normal_cdf_f64_deep_tail_against_mpmath() {
    let table = [
        (-3.5, 0.00023262907903552504),
        (-5.0, 2.866515718791939e-07),
        (-6.5, 4.016000583859118e-11),
        (-7.8776, 1.6686453581180905e-15),
        (-8.5, 9.479534822203318e-18),
        (-10.0, 7.619853024160525e-24),
        (-15.0, 3.670966199312751e-51),
        (-20.0, 2.7536241186062337e-89),
        (-26.25, 3.5738147891654705e-152),
        (-30.0, 4.906713927148187e-198),
        (-35.0, 1.1249107064724062e-268),
        (-37.5, 4.605353009581955e-308),
    ];
    for (z, want) in table {
        let (cdf, _) = math::normal_cdf_pdf(Lanes::<f64, 2>::splat(z));
        let e = ulps(cdf.lane(0), want);
        println!("Φ({z}) = {:e}, {e:.2} ulp from mpmath", cdf.lane(0));
        assert!(e <= 8.0, "Φ({z}) off by {e} ulp");
    }
}

#[test]
fn normal_cdf_limits_and_nan() {
    for z in [-1e30f64, -61.0, f64::NEG_INFINITY] {
        let (cdf, pdf) = math::normal_cdf_pdf(Lanes::<f64, 2>::splat(z));
        assert_eq!((cdf.lane(0), pdf.lane(0)), (0.0, 0.0));
    }
    for z in [1e30f64, 61.0, f64::INFINITY] {
        let (cdf, pdf) = math::normal_cdf_pdf(Lanes::<f64, 2>::splat(z));
        assert_eq!((cdf.lane(0), pdf.lane(0)), (1.0, 0.0));
    }
    let (cdf, _) = math::normal_cdf_pdf(Lanes::<f32, 2>::splat(f32::NAN));
    assert!(cdf.lane(0).is_nan());
    let (cdf, _) = math::normal_cdf_pdf(Lanes::<f64, 2>::splat(0.0));
    assert_eq!(cdf.lane(0), 0.5);
}
