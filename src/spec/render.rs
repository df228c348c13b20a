//! The `[render]` table of a spec: how the maps are drawn. Not part of a
//! sweep's fingerprint, so it can change without rerunning anything.

use crate::problem::activation::Activation;
use serde::{Deserialize, Serialize};

/// The pin point's coordinates; a missing one defaults to the original
/// start `a = 1, b = 0.5, c = 1, d = -0.5`. Snapped to the nearest grid value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pin {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub a: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub b: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub c: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub d: Option<f64>,
}

impl Pin {
    pub fn values(&self) -> [Option<f64>; 4] {
        [self.a, self.b, self.c, self.d]
    }
}

/// Render settings: the `[render]` table of a spec, e.g.
///
/// ```toml
/// [render]
/// pin = { a = 1.0, b = 0.5 }        # slices through more than two varying axes
/// compare = ["selu", "softplus"]    # the compare map's pair
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RenderOptions {
    pub pin: Pin,
    pub compare: (Activation, Activation),
    /// A refined plane's outcome maps wash out filled cells, so the trained
    /// ones show (`render --show-runs`).
    #[serde(skip_serializing_if = "is_false")]
    pub show_runs: bool,
}

fn is_false(b: &bool) -> bool {
    !b
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            pin: Pin::default(),
            compare: (Activation::Selu, Activation::Softplus),
            show_runs: false,
        }
    }
}

impl RenderOptions {
    /// Checks what the types cannot; the message names the key.
    pub fn validate(&self) -> Result<(), String> {
        for (name, value) in ["a", "b", "c", "d"].iter().zip(self.pin.values()) {
            if let Some(v) = value
                && !v.is_finite()
            {
                return Err(format!("render.pin.{name} = {v}: must be a finite number"));
            }
        }
        if self.compare.0 == self.compare.1 {
            return Err(format!(
                "render.compare = [\"{0}\", \"{0}\"]: name two different activations",
                self.compare.0
            ));
        }
        Ok(())
    }
}
