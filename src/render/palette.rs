//! The fixed colors of every picture: one Okabe-Ito color per label (the same
//! label has the same color everywhere), a neutral "not run", the compare
//! categories, and viridis for continuous values. Okabe-Ito and viridis stay
//! distinguishable under the common color-vision deficiencies.

use crate::classify::Label;
use crate::problem::activation::Activation;
use plotters::style::RGBColor;

/// Okabe & Ito (2008), "Color Universal Design".
pub mod okabe_ito {
    use plotters::style::RGBColor;
    pub const ORANGE: RGBColor = RGBColor(230, 159, 0);
    pub const SKY_BLUE: RGBColor = RGBColor(86, 180, 233);
    pub const BLUISH_GREEN: RGBColor = RGBColor(0, 158, 115);
    pub const YELLOW: RGBColor = RGBColor(240, 228, 66);
    pub const BLUE: RGBColor = RGBColor(0, 114, 178);
    pub const VERMILLION: RGBColor = RGBColor(213, 94, 0);
    pub const REDDISH_PURPLE: RGBColor = RGBColor(204, 121, 167);
    pub const BLACK: RGBColor = RGBColor(0, 0, 0);
}

/// Cells with no finished run yet.
pub const NOT_RUN: RGBColor = RGBColor(226, 226, 226);
/// Speed maps: cells whose runs did not converge.
pub const NOT_CONVERGED: RGBColor = RGBColor(150, 150, 150);
/// Frames, ticks and text.
pub(crate) const INK: RGBColor = RGBColor(34, 34, 34);
/// Secondary text.
pub(crate) const MUTED: RGBColor = RGBColor(90, 90, 90);
/// The band behind a faceted figure's row label.
pub(crate) const STRIP_FILL: RGBColor = RGBColor(236, 236, 236);

/// The color of a label, identical in every picture and on the page.
/// One color per activation, for curves drawn together (the page's
/// learned-function plot): distinct for colour-blind readers, and none is
/// the target's gray.
pub(crate) fn activation_color(activation: Activation) -> RGBColor {
    match activation {
        Activation::Relu => okabe_ito::BLACK,
        Activation::LeakyRelu => okabe_ito::REDDISH_PURPLE,
        Activation::Elu => okabe_ito::BLUE,
        Activation::Selu => okabe_ito::VERMILLION,
        Activation::Softplus => okabe_ito::BLUISH_GREEN,
        Activation::Gelu => okabe_ito::ORANGE,
        Activation::Silu => okabe_ito::SKY_BLUE,
        Activation::Tanh => RGBColor(140, 90, 20),
    }
}

pub fn label_color(label: Label) -> RGBColor {
    match label {
        Label::Converged => okabe_ito::BLUISH_GREEN,
        Label::StuckLinear => okabe_ito::ORANGE,
        Label::StuckDead => okabe_ito::BLUE,
        Label::Unconverged => okabe_ito::REDDISH_PURPLE,
        Label::Diverged => okabe_ito::BLACK,
    }
}

/// Outcome of a pair of activations at one start.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PairOutcome {
    Both,
    OnlyFirst,
    OnlySecond,
    Neither,
}

impl PairOutcome {
    pub const ALL: [PairOutcome; 4] = [
        PairOutcome::Both,
        PairOutcome::OnlyFirst,
        PairOutcome::OnlySecond,
        PairOutcome::Neither,
    ];

    pub fn of(first_converged: bool, second_converged: bool) -> PairOutcome {
        match (first_converged, second_converged) {
            (true, true) => PairOutcome::Both,
            (true, false) => PairOutcome::OnlyFirst,
            (false, true) => PairOutcome::OnlySecond,
            (false, false) => PairOutcome::Neither,
        }
    }

    pub fn color(self) -> RGBColor {
        match self {
            PairOutcome::Both => okabe_ito::SKY_BLUE,
            PairOutcome::OnlyFirst => okabe_ito::YELLOW,
            PairOutcome::OnlySecond => okabe_ito::VERMILLION,
            PairOutcome::Neither => RGBColor(85, 85, 85),
        }
    }

    /// Legend text, naming the two activations.
    pub fn describe(self, first: &str, second: &str) -> String {
        match self {
            PairOutcome::Both => "both converge".into(),
            PairOutcome::OnlyFirst => format!("only {first} converges"),
            PairOutcome::OnlySecond => format!("only {second} converges"),
            PairOutcome::Neither => "neither converges".into(),
        }
    }
}

/// Matplotlib's viridis at t = 0, 0.1, ..., 1.
pub(crate) const VIRIDIS: [(u8, u8, u8); 11] = [
    (68, 1, 84),
    (72, 36, 117),
    (65, 68, 135),
    (53, 95, 141),
    (42, 120, 142),
    (33, 145, 140),
    (34, 168, 132),
    (68, 191, 112),
    (122, 209, 81),
    (189, 223, 38),
    (253, 231, 37),
];

/// Viridis at `t` in [0, 1] (clamped), interpolated linearly.
pub fn viridis(t: f64) -> RGBColor {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let scaled = t * (VIRIDIS.len() - 1) as f64;
    let i = (scaled.floor() as usize).min(VIRIDIS.len() - 2);
    let f = scaled - i as f64;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    let mix = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// `#rrggbb`, for the page.
pub(crate) fn hex(color: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", color.0, color.1, color.2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_color_is_distinct() {
        let mut colors: Vec<RGBColor> = Label::ALL.iter().map(|&l| label_color(l)).collect();
        colors.push(NOT_RUN);
        colors.push(NOT_CONVERGED);
        for (i, a) in colors.iter().enumerate() {
            for b in &colors[..i] {
                assert_ne!(a, b);
            }
        }
    }

    #[test]
    fn viridis_ends() {
        assert_eq!(viridis(0.0), RGBColor(68, 1, 84));
        assert_eq!(viridis(1.0), RGBColor(253, 231, 37));
        assert_eq!(viridis(0.5), RGBColor(33, 145, 140));
        assert_eq!(hex(viridis(2.0)), "#fde725");
    }
}
