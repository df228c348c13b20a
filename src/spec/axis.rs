//! One axis of the starts: a number, a list of numbers, or an inclusive
//! range `{ from, to, points }` (`points` only for grids: sampled starts
//! draw from the whole range).

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Axis {
    Value(f64),
    List(Vec<f64>),
    Range {
        from: f64,
        to: f64,
        #[serde(skip_serializing_if = "Option::is_none")]
        points: Option<u32>,
    },
}

impl Axis {
    /// Checks an axis of sampled starts: finite, and a range not empty.
    /// `points` plays no part (sampled ranges are drawn from, not cut).
    pub fn validate_for_sampling(&self) -> Result<(), String> {
        match *self {
            Axis::Range { from, to, .. } => {
                finite(from)?;
                finite(to)?;
                if from >= to {
                    return Err(format!(
                        "range from {from} to {to} is empty or inverted: sampled starts need `from` < `to` (or use a number)"
                    ));
                }
                if !(to - from).is_finite() {
                    return Err(format!(
                        "range from {from} to {to} is too wide to sample: its width overflows"
                    ));
                }
                Ok(())
            }
            _ => self.validate(),
        }
    }

    /// Checks an axis of a grid: finiteness, emptiness, order and duplicates.
    pub fn validate(&self) -> Result<(), String> {
        match *self {
            Axis::Value(v) => finite(v),
            Axis::List(ref values) => {
                if values.is_empty() {
                    return Err("the list is empty: give at least one number".into());
                }
                for (i, &v) in values.iter().enumerate() {
                    finite(v)?;
                    if values[..i].contains(&v) {
                        return Err(format!("the list holds {v} twice"));
                    }
                }
                Ok(())
            }
            Axis::Range { from, to, points } => {
                finite(from)?;
                finite(to)?;
                let Some(points) = points else {
                    return Err(format!(
                        "range from {from} to {to} has no `points`: a grid needs them (or draw starts with [grid] sample = {{ n, seed }})"
                    ));
                };
                if points == 0 {
                    return Err("points = 0: a range needs at least 1 point".into());
                }
                if from > to {
                    return Err(format!(
                        "range from {from} to {to} is inverted: `from` must not exceed `to`"
                    ));
                }
                if from == to && points > 1 {
                    return Err(format!(
                        "range from {from} to {to} is empty but asks for {points} points: widen it or use a number"
                    ));
                }
                if from < to && points == 1 {
                    return Err(format!(
                        "range from {from} to {to} with points = 1 is ambiguous: use at least 2 points or a number"
                    ));
                }
                if !(to - from).is_finite() {
                    return Err(format!(
                        "range from {from:?} to {to:?} is too wide: its width overflows, so its values would be infinite or NaN; narrow it"
                    ));
                }
                Ok(())
            }
        }
    }

    /// Checks that every value is a finite `f32`, for an axis that
    /// variants in `f32` train from: beyond ±3.4e38 a start would be
    /// infinite. A range's values lie between its ends.
    pub fn validate_f32(&self) -> Result<(), String> {
        let ends = match *self {
            Axis::Value(v) => vec![v],
            Axis::List(ref values) => values.clone(),
            Axis::Range { from, to, .. } => vec![from, to],
        };
        match ends.into_iter().find(|&v| !(v as f32).is_finite()) {
            Some(v) => Err(format!(
                "{v:?} is beyond the range of f32 (±{:e}), so a run in train.precision = \"f32\" would start at infinity: use smaller values, or precision = \"f64\"",
                f32::MAX
            )),
            None => Ok(()),
        }
    }

    /// Checks that the values of a grid axis are distinct runs: no two equal
    /// in `f64` (a range cut finer than `f64` resolves), nor, when some
    /// variant trains in `f32` (`in_f32`), equal once rounded to `f32`,
    /// where they would be the same run twice. Either way the sweep would
    /// hold fewer distinct runs than it counts, and never complete.
    pub fn validate_distinct(&self, in_f32: bool) -> Result<(), String> {
        if in_f32 {
            self.validate_f32()?;
        }
        match *self {
            Axis::Value(_) => Ok(()),
            Axis::List(ref values) => {
                // Equal f64 values were refused by `validate`.
                if !in_f32 {
                    return Ok(());
                }
                let mut rounded: Vec<(f32, f64)> = values.iter().map(|&v| (v as f32, v)).collect();
                rounded.sort_by(|x, y| x.0.total_cmp(&y.0));
                match rounded.windows(2).find(|w| w[0].0 == w[1].0) {
                    Some(w) => Err(format!(
                        "the list holds {:?} and {:?}, which are the same number in f32, so the same run in train.precision = \"f32\": drop one, or use precision = \"f64\"",
                        w[0].1, w[1].1
                    )),
                    None => Ok(()),
                }
            }
            Axis::Range { from, to, points } => {
                let points = points.unwrap_or(2);
                let mut previous = self.value_at(0);
                for i in 1..points {
                    let value = self.value_at(i);
                    if value <= previous {
                        return Err(format!(
                            "range from {from:?} to {to:?} with {points} points gives {previous:?} at point {} and {value:?} at point {}: its values collide in f64; use fewer points or a wider range",
                            i,
                            i + 1
                        ));
                    }
                    if in_f32 && previous as f32 == value as f32 {
                        return Err(format!(
                            "range from {from:?} to {to:?} with {points} points gives {previous:?} and {value:?} (points {} and {}), the same number in f32, so the same run in train.precision = \"f32\": use fewer points, a wider range, or precision = \"f64\"",
                            i,
                            i + 1
                        ));
                    }
                    previous = value;
                }
                Ok(())
            }
        }
    }

    /// Value number `i` of a grid axis (see [`Axis::values`]).
    fn value_at(&self, i: u32) -> f64 {
        match *self {
            Axis::Value(v) => v,
            Axis::List(ref values) => values[i as usize],
            Axis::Range { from, to, points } => {
                let last = points.unwrap_or(2).saturating_sub(1);
                if i == 0 && last == 0 {
                    from
                } else if i == last {
                    to
                } else {
                    from + (to - from) * (i as f64 / last as f64)
                }
            }
        }
    }

    /// The axis values of a grid, in order. Range values are
    /// `from + i·(to-from)/(points-1)`, with the last one exactly `to`; a range
    /// without `points` (sampled starts) gives its two ends.
    pub fn values(&self) -> Vec<f64> {
        match *self {
            Axis::Value(v) => vec![v],
            Axis::List(ref values) => values.clone(),
            Axis::Range { points, .. } => {
                (0..points.unwrap_or(2)).map(|i| self.value_at(i)).collect()
            }
        }
    }

    pub fn len(&self) -> usize {
        match *self {
            Axis::Value(_) => 1,
            Axis::List(ref values) => values.len(),
            Axis::Range { points, .. } => points.unwrap_or(2) as usize,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn finite(v: f64) -> Result<(), String> {
    if v.is_finite() {
        Ok(())
    } else {
        Err(format!("{v} is not a finite number"))
    }
}

impl<'de> Deserialize<'de> for Axis {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Axis, D::Error> {
        deserializer.deserialize_any(AxisVisitor)
    }
}

struct AxisVisitor;

const EXPECTED: &str =
    "a number, a list of numbers, or a range { from = .., to = .., points = .. }";

impl<'de> Visitor<'de> for AxisVisitor {
    type Value = Axis;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(EXPECTED)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Axis, E> {
        Ok(Axis::Value(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Axis, E> {
        Ok(Axis::Value(v as f64))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Axis, E> {
        Ok(Axis::Value(v as f64))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Axis, A::Error> {
        let mut values = Vec::new();
        while let Some(Number(v)) = seq.next_element::<Number>()? {
            values.push(v);
        }
        Ok(Axis::List(values))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Axis, A::Error> {
        let (mut from, mut to, mut points) = (None, None, None);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "from" => from = Some(map.next_value::<Number>()?.0),
                "to" => to = Some(map.next_value::<Number>()?.0),
                "points" => points = Some(map.next_value::<u32>()?),
                other => {
                    return Err(de::Error::unknown_field(other, &["from", "to", "points"]));
                }
            }
        }
        Ok(Axis::Range {
            from: from.ok_or_else(|| de::Error::missing_field("from"))?,
            to: to.ok_or_else(|| de::Error::missing_field("to"))?,
            points,
        })
    }
}

/// A TOML integer or float, as `f64`.
struct Number(f64);

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Number, D::Error> {
        struct NumberVisitor;
        impl Visitor<'_> for NumberVisitor {
            type Value = Number;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Number, E> {
                Ok(Number(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Number, E> {
                Ok(Number(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Number, E> {
                Ok(Number(v as f64))
            }
        }
        deserializer.deserialize_any(NumberVisitor)
    }
}
