//! The `[train]` table of a sweep spec, where `lr`, `steps`, `optimizer`,
//! `adam`, `precision`, `data.mode`, `data.n` and `data.batch` may each be a
//! list. Every list of two or more values is a sweep axis; the sweep runs the
//! Cartesian product of them (the *variants*) with the grid of starts.

use crate::problem::data::{DataMode, DataSpec};
use crate::train::config::{AdamFlavour, Kernel, Optimizer, Precision, TrainConfig};
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
    pub kernel: OneOrMany<Kernel>,
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
            kernel: OneOrMany::one(c.kernel),
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

/// A variant's value of a setting its data mode does not use.
const NOT_APPLICABLE: &str = "-";

/// One combination of the listed settings.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainVariant {
    pub config: TrainConfig,
    /// `(key path, value)` of each varying setting, in column order.
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

    /// The `basinmap train` flags that pick this combination (`--lr`,
    /// `0.3`), without the settings its data mode does not use.
    pub fn flags(&self) -> Vec<String> {
        self.labels
            .iter()
            .filter(|(_, value)| value != NOT_APPLICABLE)
            .filter_map(|(key, value)| {
                let axis = AXES.iter().find(|axis| axis.key == *key)?;
                Some([axis.flag.to_string(), value.clone()])
            })
            .flatten()
            .collect()
    }
}

/// One listable `[train]` setting: its key path (the runs table's column),
/// the flag that picks one value on the command line, its values as text,
/// how to set value `i` in a configuration, and which data modes it
/// applies to.
struct SettingAxis {
    key: &'static str,
    flag: &'static str,
    texts: fn(&TrainSpec) -> Vec<String>,
    apply: fn(&TrainSpec, usize, &mut TrainConfig),
    applies_to: fn(DataMode) -> bool,
}

fn texts<T>(v: &OneOrMany<T>, f: impl Fn(&T) -> String) -> Vec<String> {
    v.values.iter().map(f).collect()
}

/// The listable settings, in column order (the first varies slowest).
const AXES: [SettingAxis; 9] = [
    SettingAxis {
        key: "lr",
        flag: "--lr",
        texts: |t| texts(&t.lr, |v| format!("{v:?}")),
        apply: |t, i, c| c.lr = t.lr.values[i],
        applies_to: |_| true,
    },
    SettingAxis {
        key: "steps",
        flag: "--steps",
        texts: |t| texts(&t.steps, u32::to_string),
        apply: |t, i, c| c.steps = t.steps.values[i],
        applies_to: |_| true,
    },
    SettingAxis {
        key: "optimizer",
        flag: "--optimizer",
        texts: |t| texts(&t.optimizer, |v| v.name().to_string()),
        apply: |t, i, c| c.optimizer = t.optimizer.values[i],
        applies_to: |_| true,
    },
    SettingAxis {
        key: "adam",
        flag: "--adam",
        texts: |t| texts(&t.adam, |v| v.name().to_string()),
        apply: |t, i, c| c.adam = t.adam.values[i],
        applies_to: |_| true,
    },
    SettingAxis {
        key: "precision",
        flag: "--precision",
        texts: |t| texts(&t.precision, |v| v.name().to_string()),
        apply: |t, i, c| c.precision = t.precision.values[i],
        applies_to: |_| true,
    },
    SettingAxis {
        key: "kernel",
        flag: "--kernel",
        texts: |t| texts(&t.kernel, |v| v.name().to_string()),
        apply: |t, i, c| c.kernel = t.kernel.values[i],
        applies_to: |_| true,
    },
    SettingAxis {
        key: "data.mode",
        flag: "--data",
        texts: |t| texts(&t.data.mode, |v| v.name().to_string()),
        apply: |t, i, c| c.data.mode = t.data.mode.values[i],
        applies_to: |_| true,
    },
    SettingAxis {
        key: "data.n",
        flag: "--n",
        texts: |t| texts(&t.data.n, usize::to_string),
        apply: |t, i, c| c.data.n = t.data.n.values[i],
        applies_to: |mode| matches!(mode, DataMode::Fixed | DataMode::Grid),
    },
    SettingAxis {
        key: "data.batch",
        flag: "--batch",
        texts: |t| texts(&t.data.batch, usize::to_string),
        apply: |t, i, c| c.data.batch = t.data.batch.values[i],
        applies_to: |mode| mode == DataMode::Fresh,
    },
];

/// The key paths of the listable settings, in column order.
pub(crate) fn axis_keys() -> impl Iterator<Item = &'static str> {
    AXES.iter().map(|a| a.key)
}

impl TrainSpec {
    /// The key paths of the settings that vary, in column order.
    pub fn varying_keys(&self) -> Vec<&'static str> {
        AXES.iter()
            .filter(|axis| (axis.texts)(self).len() > 1)
            .map(|axis| axis.key)
            .collect()
    }

    /// Every combination of the listed values, the first key varying
    /// slowest. A data size that does not apply to the combination's mode
    /// (`n` of `fresh` data, `batch` of `fixed` or `grid` data, both of
    /// `file` data) reads `-`, and combinations that differ only there are
    /// one variant: `mode = ["fixed", "fresh"], batch = [64, 16]` gives
    /// fixed, fresh/64 and fresh/16.
    pub fn variants(&self) -> Vec<TrainVariant> {
        let values: Vec<Vec<String>> = AXES.iter().map(|axis| (axis.texts)(self)).collect();
        let total: usize = values.iter().map(Vec::len).product();
        let mut variants: Vec<TrainVariant> = Vec::new();
        for mut index in 0..total {
            let mut pick = [0usize; AXES.len()];
            for (slot, axis_values) in pick.iter_mut().zip(&values).rev() {
                *slot = index % axis_values.len();
                index /= axis_values.len();
            }
            let mut config = TrainConfig {
                beta1: self.beta1,
                beta2: self.beta2,
                eps: self.eps,
                data: DataSpec {
                    seed: self.data.seed,
                    file: self.data.file.clone(),
                    ..DataSpec::default()
                },
                ..TrainConfig::default()
            };
            for (axis, &i) in AXES.iter().zip(&pick) {
                (axis.apply)(self, i, &mut config);
            }
            let labels = AXES
                .iter()
                .zip(&values)
                .zip(&pick)
                .filter(|((_, axis_values), _)| axis_values.len() > 1)
                .map(|((axis, axis_values), &i)| {
                    let value = if (axis.applies_to)(config.data.mode) {
                        axis_values[i].clone()
                    } else {
                        NOT_APPLICABLE.to_string()
                    };
                    (axis.key, value)
                })
                .collect();
            let candidate = TrainVariant { config, labels };
            if !variants.iter().any(|v| v.labels == candidate.labels) {
                variants.push(candidate);
            }
        }
        variants
    }

    /// The single configuration, if the listed values make only one
    /// variant (a data size listed for a mode that does not use it is no
    /// choice to make).
    pub fn single(&self) -> Result<TrainConfig, String> {
        let mut variants = self.variants();
        if variants.len() == 1 {
            return Ok(variants.remove(0).config);
        }
        let differs = |key: &str| {
            let value = |v: &TrainVariant| v.labels.iter().find(|(k, _)| *k == key).cloned();
            variants.iter().any(|v| value(v) != value(&variants[0]))
        };
        let axis = AXES
            .iter()
            .find(|axis| differs(axis.key))
            .expect("several variants differ in some setting");
        Err(format!(
            "train.{} lists several values; pick one (with {} on the command line)",
            axis.key, axis.flag
        ))
    }

    /// The settings that decide the training data (mode, sizes, seed, file,
    /// steps and precision); every other listed setting is set to its first
    /// value, since the data do not depend on it.
    pub fn data_only(&self) -> TrainSpec {
        fn first<T: Clone>(v: &OneOrMany<T>) -> OneOrMany<T> {
            OneOrMany::one(v.values[0].clone())
        }
        TrainSpec {
            lr: first(&self.lr),
            optimizer: first(&self.optimizer),
            adam: first(&self.adam),
            ..self.clone()
        }
    }

    /// Checks lists (non-empty, no repeats) and every combination.
    pub fn validate(&self) -> Result<(), String> {
        for axis in &AXES {
            let (key, values) = (axis.key, (axis.texts)(self));
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
