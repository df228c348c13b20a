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
                Ok(())
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
            Axis::Range { from, to, points } => {
                let points = points.unwrap_or(2);
                if points == 1 {
                    return vec![from];
                }
                let last = points - 1;
                (0..points)
                    .map(|i| {
                        if i == last {
                            to
                        } else {
                            from + (to - from) * (i as f64 / last as f64)
                        }
                    })
                    .collect()
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
