//! `basinmap zoom DIR --at X,Y --width W`: a child sweep of a plane sweep,
//! a square window around one point of its plane, with the parent's
//! settings (training, labels, refinement, render) and the same axes. The
//! child's spec remembers the window, so its page links back to the parent
//! and marks the window on the parent's map.

use super::run::execute;
use crate::cli::ZoomArgs;
use crate::spec::train_axes::OneOrMany;
use crate::spec::{Axis, SweepSpec, ZoomOrigin};
use crate::store::{Access, ResultsDir};
use crate::sweep::preflight;
use anyhow::{Result, anyhow, bail};
use std::path::{Path, PathBuf};

pub fn run(args: ZoomArgs) -> Result<()> {
    let parent = ResultsDir::open(&args.dir, Access::Read)?;
    let shard = super::run::resolve_shard(&args.sweep)?;
    let spec = child_spec(&parent, &args)?;
    let out = match &args.out {
        Some(out) => out.clone(),
        None => PathBuf::from("results").join(&spec.name),
    };
    // The window is named in its spec relative to where the child lives, so
    // the pair can move together.
    let mut spec = spec;
    if let Some(zoom) = &mut spec.zoom {
        zoom.parent = relative_path(&out, &parent.path);
    }
    let checked = preflight::check(
        &spec,
        &parent.path.join(crate::store::SPEC_FILE),
        &out,
        shard,
    )
    .map_err(|e| zoom_error(e, &args))?;
    let dir = ResultsDir::prepare(&out, &spec, checked.data_file.as_deref())?;
    execute(&dir, &args.sweep, shard, args.format)
}

/// The parent's spec with the plane's two axes cut to the window.
fn child_spec(parent: &ResultsDir, args: &ZoomArgs) -> Result<SweepSpec> {
    let mut spec = parent.spec.clone();
    if spec.grid.sample.is_some() {
        bail!(
            "{}: zoom needs a plane sweep on a grid; this one samples its starts at random ([grid] sample)",
            parent.path.display()
        );
    }
    let names = ["a", "b", "c", "d"];
    let varying: Vec<usize> = (0..4)
        .filter(|&k| spec.grid.axes()[k].1.len() > 1)
        .collect();
    if varying.len() != 2 {
        bail!(
            "{}: zoom needs a plane (exactly two varying axes); this sweep varies {}",
            parent.path.display(),
            varying.len()
        );
    }
    let half = args.width / 2.0;
    for (&k, &centre) in varying.iter().zip(&args.at) {
        let points = match args.points {
            Some(points) => points,
            None => spec.grid.axes()[k].1.len() as u32,
        };
        let (from, to) = (centre - half, centre + half);
        if !(from.is_finite() && to.is_finite()) || from >= to {
            bail!(
                "--at {}, --width {}: the window on {} from {from:?} to {to:?} is not a range of distinct finite numbers",
                args.at.map(|v| v.to_string()).join(","),
                args.width,
                names[k]
            );
        }
        let axis = Axis::Range {
            from,
            to,
            points: Some(points),
        };
        match k {
            0 => spec.grid.a = axis,
            1 => spec.grid.b = axis,
            2 => spec.grid.c = axis,
            _ => spec.grid.d = axis,
        }
    }
    if let Some(precision) = args.precision {
        spec.train.precision = OneOrMany::one(precision);
    }
    spec.name = child_name(&spec.name);
    spec.zoom = Some(ZoomOrigin {
        parent: parent.path.clone(),
        at: args.at,
        width: args.width,
    });
    spec.validate()
        .map_err(|e| anyhow!("the zoom's spec is not valid: {e}"))?;
    Ok(spec)
}

/// `NAME-zoom-K` for the first K whose `results/` directory is free.
fn child_name(parent: &str) -> String {
    let stem: String = parent
        .chars()
        .take(crate::spec::NAME_MAX_CHARS - 12)
        .collect();
    (1..)
        .map(|k| format!("{stem}-zoom-{k}"))
        .find(|name| !Path::new("results").join(name).exists())
        .expect("some name is free")
}

/// A refusal of the window's starts gets the zoom's way out: `--precision
/// f64`, or a wider window.
fn zoom_error(err: anyhow::Error, args: &ZoomArgs) -> anyhow::Error {
    let text = err.to_string();
    if text.contains("same number in f32") {
        anyhow!(
            "zoom --width {}: too narrow for f32 starts, whose values would collide ({text}); zoom with --precision f64 (starts stay distinct down to widths near 1e-12 times the centre's size), or use a wider window",
            args.width
        )
    } else if text.contains("collide in f64") {
        anyhow!(
            "zoom --width {}: too narrow even for f64 starts, whose values would collide ({text}); use a wider window",
            args.width
        )
    } else {
        err
    }
}

/// `to` relative to the directory `from` (both as given, made absolute).
fn relative_path(from: &Path, to: &Path) -> PathBuf {
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let (from, to) = (absolute(from), absolute(to));
    let common = from
        .components()
        .zip(to.components())
        .take_while(|(a, b)| a == b)
        .count();
    let mut path = PathBuf::new();
    for _ in from.components().skip(common) {
        path.push("..");
    }
    for part in to.components().skip(common) {
        path.push(part);
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative_path(Path::new("/r/a-zoom-1"), Path::new("/r/a")),
            PathBuf::from("../a")
        );
        assert_eq!(
            relative_path(Path::new("/x/y/z"), Path::new("/x/p")),
            PathBuf::from("../../p")
        );
    }
}
