//! The `[train]` table of a sweep spec, where `lr`, `steps`, `optimizer`,
//! `adam`, `precision`, `data.mode`, `data.n` and `data.batch` may each be a
//! list. Every list of two or more values is a sweep axis; the sweep runs the
//! Cartesian product of them (the *variants*) with the grid of starts.

use crate::problem::data::{DataMode, DataSpec};
use crate::train::config::{AdamFlavour, Optimizer, Precision, TrainConfig};
use serde::de::{self, Deserialize, Deserializer, IntoDeserializer, SeqAccess, Visitor};
use serde::{Serialize, Serializer};
use std::fmt;
use std::marker::PhantomData;
use std::path::PathBuf;

/// One value or a list of values.
#[derive(Clone, Debug, PartialEq)]
pub struct OneOrMany<T> {
    pub values: Vec<T>,
    /// Written as a list (even of one value) in the spec.
    pub listed: bool,
}

impl<T> OneOrMany<T> {
    pub fn one(value: T) -> Self {
        OneOrMany {
            values: vec![value],
            listed: false,
        }
    }

    /// A sweep axis: more than one value.
    pub fn varies(&self) -> bool {
        self.values.len() > 1
    }
}

impl<T: Serialize> Serialize for OneOrMany<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.listed {
            self.values.serialize(serializer)
        } else {
            self.values[0].serialize(serializer)
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(OneOrManyVisitor(PhantomData))
    }
}

struct OneOrManyVisitor<T>(PhantomData<T>);

macro_rules! forward_scalar {
    ($($method:ident: $ty:ty),*) => {
        $(
            fn $method<E: de::Error>(self, v: $ty) -> Result<Self::Value, E> {
                Ok(OneOrMany::one(T::deserialize(v.into_deserializer())?))
            }
        )*
    };
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for OneOrManyVisitor<T> {
    type Value = OneOrMany<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a value or a list of values")
    }

    forward_scalar!(visit_bool: bool, visit_i64: i64, visit_u64: u64, visit_f64: f64);

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(OneOrMany::one(T::deserialize(v.into_deserializer())?))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut values = Vec::new();
        while let Some(v) = seq.next_element()? {
            values.push(v);
        }
        Ok(OneOrMany {
            values,
            listed: true,
        })
    }
}

/// The `data` table, with listable `mode`, `n` and `batch`.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DataAxes {
    pub mode: OneOrMany<DataMode>,
    pub n: OneOrMany<usize>,
    pub batch: OneOrMany<usize>,
    pub seed: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<PathBuf>,
}

impl Default for DataAxes {
    fn default() -> Self {
        let d = DataSpec::default();
        DataAxes {
            mode: OneOrMany::one(d.mode),
            n: OneOrMany::one(d.n),
            batch: OneOrMany::one(d.batch),
            seed: d.seed,
            file: d.file,
        }
    }
}

/// The `[train]` table as written.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrainSpec {
    pub steps: OneOrMany<u32>,
    pub optimizer: OneOrMany<Optimizer>,
    pub adam: OneOrMany<AdamFlavour>,
    pub lr: OneOrMany<f64>,
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
    pub precision: OneOrMany<Precision>,
    pub data: DataAxes,
}

impl Default for TrainSpec {
    fn default() -> Self {
        TrainSpec::from(TrainConfig::default())
    }
}

impl From<TrainConfig> for TrainSpec {
    fn from(c: TrainConfig) -> Self {
        TrainSpec {
            steps: OneOrMany::one(c.steps),
            optimizer: OneOrMany::one(c.optimizer),
            adam: OneOrMany::one(c.adam),
            lr: OneOrMany::one(c.lr),
            beta1: c.beta1,
            beta2: c.beta2,
            eps: c.eps,
            precision: OneOrMany::one(c.precision),
            data: DataAxes {
                mode: OneOrMany::one(c.data.mode),
                n: OneOrMany::one(c.data.n),
                batch: OneOrMany::one(c.data.batch),
                seed: c.data.seed,
                file: c.data.file,
            },
        }
    }
}

/// One combination of the listed settings.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainVariant {
    pub config: TrainConfig,
    /// `(key path, value)` of each varying setting, in [`AXIS_KEYS`] order.
    pub labels: Vec<(&'static str, String)>,
}

impl TrainVariant {
    /// `lr=0.1, data.mode=fresh`, or empty when nothing varies.
    pub fn describe(&self) -> String {
        self.labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The listable settings, in column order.
pub const AXIS_KEYS: [&str; 8] = [
    "lr",
    "steps",
    "optimizer",
    "adam",
    "precision",
    "data.mode",
    "data.n",
    "data.batch",
];

impl TrainSpec {
    /// Each listable setting's values as text (for columns and messages).
    fn axis_texts(&self) -> [Vec<String>; 8] {
        fn texts<T>(v: &OneOrMany<T>, f: impl Fn(&T) -> String) -> Vec<String> {
            v.values.iter().map(f).collect()
        }
        [
            texts(&self.lr, |v| format!("{v:?}")),
            texts(&self.steps, |v| v.to_string()),
            texts(&self.optimizer, |v| v.name().to_string()),
            texts(&self.adam, |v| v.name().to_string()),
            texts(&self.precision, |v| v.name().to_string()),
            texts(&self.data.mode, |v| v.name().to_string()),
            texts(&self.data.n, |v| v.to_string()),
            texts(&self.data.batch, |v| v.to_string()),
        ]
    }

    /// The key paths of the settings that vary, in column order.
    pub fn varying_keys(&self) -> Vec<&'static str> {
        AXIS_KEYS
            .iter()
            .zip(self.axis_texts())
            .filter(|(_, values)| values.len() > 1)
            .map(|(k, _)| *k)
            .collect()
    }

    /// Every combination of the listed values, the first key varying
    /// slowest. A data size that does not apply to the combination's mode
    /// (`n` of `fresh` data, `batch` of `fixed` or `grid` data, both of
    /// `file` data) reads `-`, and combinations that differ only there are
    /// one variant: `mode = ["fixed", "fresh"], batch = [64, 16]` gives
    /// fixed, fresh/64 and fresh/16.
    pub fn variants(&self) -> Vec<TrainVariant> {
        let texts = self.axis_texts();
        let lens: Vec<usize> = texts.iter().map(Vec::len).collect();
        let total: usize = lens.iter().product();
        let mut variants: Vec<TrainVariant> = Vec::new();
        let candidates = (0..total).map(|mut index| {
            let mut pick = [0usize; 8];
            for axis in (0..8).rev() {
                pick[axis] = index % lens[axis];
                index /= lens[axis];
            }
            let config = TrainConfig {
                lr: self.lr.values[pick[0]],
                steps: self.steps.values[pick[1]],
                optimizer: self.optimizer.values[pick[2]],
                adam: self.adam.values[pick[3]],
                precision: self.precision.values[pick[4]],
                beta1: self.beta1,
                beta2: self.beta2,
                eps: self.eps,
                data: DataSpec {
                    mode: self.data.mode.values[pick[5]],
                    n: self.data.n.values[pick[6]],
                    batch: self.data.batch.values[pick[7]],
                    seed: self.data.seed,
                    file: self.data.file.clone(),
                },
            };
            let mode = config.data.mode;
            let applies = |axis: usize| match AXIS_KEYS[axis] {
                "data.n" => matches!(mode, DataMode::Fixed | DataMode::Grid),
                "data.batch" => mode == DataMode::Fresh,
                _ => true,
            };
            let labels = (0..8)
                .filter(|&axis| lens[axis] > 1)
                .map(|axis| {
                    let value = if applies(axis) {
                        texts[axis][pick[axis]].clone()
                    } else {
                        "-".to_string()
                    };
                    (AXIS_KEYS[axis], value)
                })
                .collect();
            TrainVariant { config, labels }
        });
        for candidate in candidates {
            if !variants.iter().any(|v| v.labels == candidate.labels) {
                variants.push(candidate);
            }
        }
        variants
    }

    /// The single configuration, if no setting is listed with several values.
    pub fn single(&self) -> Result<TrainConfig, String> {
        match self.varying_keys().first() {
            Some(key) => Err(format!(
                "train.{key} lists several values; pick one (with --{} on the command line)",
                key.trim_start_matches("data.")
            )),
            None => Ok(self.variants().remove(0).config),
        }
    }

    /// Checks lists (non-empty, no repeats) and every combination.
    pub fn validate(&self) -> Result<(), String> {
        for (key, values) in AXIS_KEYS.iter().zip(self.axis_texts()) {
            if values.is_empty() {
                return Err(format!(
                    "train.{key} = []: an empty list; give at least one value"
                ));
            }
            for (i, v) in values.iter().enumerate() {
                if values[..i].contains(v) {
                    return Err(format!("train.{key} lists {v} twice"));
                }
            }
        }
        for variant in self.variants() {
            variant.config.validate()?;
        }
        Ok(())
    }
}
