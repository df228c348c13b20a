//! Adaptive refinement (`[refine] levels`), zoom and boundary metrics,
//! through the real binary.

use crate::util::png::Image;
use crate::util::{basinmap, ok, out_arg, refused, run, sorted_rows, stdout, write_spec};
use basinmap::classify::Label;
use basinmap::render::palette::label_color;
use basinmap::store::{Access, ResultsDir, filled};
use plotters::style::RGBColor;
use std::collections::HashMap;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

/// A c-d plane with `points` per axis, refined `levels` times (0: none).
fn plane(name: &str, activations: &str, points: u32, levels: u32, steps: u32) -> String {
    let refine = if levels > 0 {
        format!("\n[refine]\nlevels = {levels}\n")
    } else {
        String::new()
    };
    format!(
        r#"name = "{name}"
activations = [{activations}]
[grid]
a = 1.0
b = 0.5
c = {{ from = -2.0, to = 2.0, points = {points} }}
d = {{ from = -2.0, to = 2.0, points = {points} }}
[train]
steps = {steps}
data = {{ mode = "fixed", n = 256, seed = 0 }}
{refine}"#
    )
}

/// Writes `text` as `NAME.toml` in `dir` and runs it quietly into
/// `dir/NAME`, which it returns.
fn run_plane(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let spec = write_spec(dir, &format!("{name}.toml"), text);
    let out = dir.join(name);
    ok(&run(&[
        "run",
        spec.to_str().unwrap(),
        "--out",
        &out_arg(&out),
        "--quiet",
    ]));
    out
}

/// Every cell's label by (activation, c0, d0), filled cells included.
fn labels(dir: &Path) -> HashMap<(String, u64, u64), Label> {
    let results = ResultsDir::open(dir, Access::Read).unwrap();
    let stored = results.load_runs().unwrap();
    let completed = filled::complete(&results.grid, stored.by_id.into_values().collect());
    completed
        .records
        .iter()
        .map(|r| {
            (
                (
                    r.activation.name().to_string(),
                    r.start[2].to_bits(),
                    r.start[3].to_bits(),
                ),
                r.label(),
            )
        })
        .collect()
}

#[test]
fn a_refined_plane_agrees_with_brute_force_and_trains_a_fraction() {
    let tmp = tempfile::tempdir().unwrap();
    let acts = r#""relu", "elu", "selu", "softplus""#;
    let b = run_plane(tmp.path(), "brute", &plane("brute", acts, 65, 0, 2000));
    let r = run_plane(tmp.path(), "refined", &plane("refined", acts, 17, 2, 2000));
    let (truth, got) = (labels(&b), labels(&r));
    assert_eq!(truth.len(), 4 * 65 * 65);
    assert_eq!(got.len(), truth.len(), "every finest cell has a label");
    for act in ["relu", "elu", "selu", "softplus"] {
        let cells: Vec<_> = truth.keys().filter(|k| k.0 == act).collect();
        let agree = cells
            .iter()
            .filter(|k| got.get(**k) == truth.get(**k))
            .count();
        let share = agree as f64 / cells.len() as f64;
        eprintln!(
            "{act}: {agree} of {} cells agree ({:.2}%)",
            cells.len(),
            100.0 * share
        );
        assert!(share >= 0.995, "{act}: {agree} of {} agree", cells.len());
    }
    let trained = std::fs::read_to_string(r.join("runs.csv"))
        .unwrap()
        .lines()
        .count()
        - 1;
    eprintln!("refined: {trained} runs for {} cells", truth.len());
    assert!(trained < truth.len(), "{trained}");
    // Every refined run is the brute-force run from its start, bit for bit
    // (but for the last column, the sweep's identity).
    let without_sweep = |rows: Vec<String>| -> Vec<String> {
        rows.into_iter()
            .map(|row| row.rsplit_once(',').unwrap().0.to_string())
            .collect()
    };
    let brute_rows: std::collections::HashSet<String> =
        without_sweep(sorted_rows(&b)).into_iter().collect();
    let refined_rows = without_sweep(sorted_rows(&r));
    assert_eq!(refined_rows.len(), trained);
    assert!(
        refined_rows.iter().all(|row| brute_rows.contains(row)),
        "a refined run differs from brute force"
    );

    let status = ok(&run(&["status", r.to_str().unwrap()]));
    assert!(
        status.contains("17×17") && status.contains("65×65"),
        "{status}"
    );
    assert!(
        status
            .lines()
            .last()
            .unwrap()
            .starts_with("complete: 2 levels"),
        "{status}"
    );
    let summary: serde_json::Value =
        serde_json::from_str(&ok(&run(&["summary", r.to_str().unwrap(), "--json"]))).unwrap();
    let count = |part: &str| -> u64 {
        summary[part]
            .as_object()
            .unwrap()
            .values()
            .map(|activation| activation["runs"].as_u64().unwrap())
            .sum()
    };
    assert_eq!(count("trained") as usize, trained);
    assert_eq!((count("trained") + count("filled")) as usize, truth.len());

    // The maps are drawn at the finest level, filled cells like trained
    // ones; --show-runs washes out the filled cells.
    let converged = label_color(Label::Converged);
    let washed = {
        let wash = |c: u8| ((u16::from(c) + 2 * 255) / 3) as u8;
        RGBColor(wash(converged.0), wash(converged.1), wash(converged.2))
    };
    let outcome = r.join("outcome-c-d.png");
    let plain = Image::read(&outcome);
    assert_eq!(plain.count(washed), 0);
    let rendered = ok(&run(&["render", r.to_str().unwrap(), "--show-runs"]));
    assert!(
        rendered.contains(&format!("({trained} trained,")),
        "{rendered}"
    );
    let shown = Image::read(&outcome);
    assert!(
        shown.count(washed) > 0,
        "filled converged cells are washed out"
    );
    assert!(shown.count(converged) > 0 && shown.count(converged) < plain.count(converged));
    let boundary = ok(&run(&["boundary", r.to_str().unwrap()]));
    assert_eq!(
        boundary.lines().filter(|l| l.starts_with("selu")).count(),
        1,
        "{boundary}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&ok(&run(&["boundary", r.to_str().unwrap(), "--json"]))).unwrap();
    let planes = json.as_array().unwrap();
    assert_eq!(planes.len(), 4);
    for p in planes {
        assert_eq!(p["size"], serde_json::json!([65, 65]));
        assert_eq!(p["boundary_share"].as_array().unwrap().len(), 3);
    }
    let page = std::fs::read_to_string(r.join("index.html")).unwrap();
    assert!(page.contains("id=\"boundary\""));
}

#[test]
fn refined_sweeps_are_identical_whole_sharded_and_killed() {
    let tmp = tempfile::tempdir().unwrap();
    // Two learning rates and two replicates: four planes per activation,
    // each refined on its own.
    let text = plane("r", r#""relu", "selu""#, 9, 3, 2000)
        .replace("steps = 2000", "steps = 2000\nlr = [0.05, 0.1]")
        .replace("activations =", "replicates = 2\nactivations =");
    let spec = write_spec(tmp.path(), "r.toml", &text);
    let spec = spec.to_str().unwrap();
    let whole = tmp.path().join("whole");
    ok(&run(&[
        "run",
        spec,
        "--out",
        &out_arg(&whole),
        "--quiet",
        "--threads",
        "2",
    ]));
    let expected = sorted_rows(&whole);
    assert!(expected.len() > 8 * 81, "some runs beyond level 0");
    let status = ok(&run(&["status", whole.to_str().unwrap()]));
    assert!(status.contains("(8 planes"), "{status}");

    // Shards: each pass runs what it can; a shard waiting for the others says so.
    let sharded = tmp.path().join("sharded");
    let mut waited = false;
    for _pass in 0..5 {
        for k in 1..=3 {
            let out = ok(&run(&[
                "run",
                spec,
                "--out",
                &out_arg(&sharded),
                "--quiet",
                "--threads",
                "1",
                "--shard",
                &format!("{k}/3"),
            ]));
            waited |= out.contains("other shards' is not");
        }
    }
    assert!(waited, "a shard finished a level before the others did");
    assert_eq!(sorted_rows(&sharded), expected);

    // --level stops after a level.
    let stepped = tmp.path().join("stepped");
    let out = ok(&run(&[
        "run",
        spec,
        "--out",
        &out_arg(&stepped),
        "--quiet",
        "--level",
        "1",
    ]));
    assert!(out.contains("stopped after level 1"), "{out}");
    let status = ok(&run(&["status", stepped.to_str().unwrap()]));
    assert!(status.contains("incomplete: level 2"), "{status}");
    ok(&run(&["resume", stepped.to_str().unwrap(), "--quiet"]));
    assert_eq!(sorted_rows(&stepped), expected);

    // SIGKILL at a few moments, then resume.
    let killed = tmp.path().join("killed");
    for wait_ms in [30, 300, 900] {
        let mut child = basinmap()
            .args(["run", spec, "--out", &out_arg(&killed), "--quiet"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(wait_ms));
        child.kill().unwrap();
        child.wait().unwrap();
    }
    ok(&run(&["resume", killed.to_str().unwrap(), "--quiet"]));
    assert_eq!(sorted_rows(&killed), expected);
}

#[test]
fn bad_refinements_and_zooms_are_refused_before_anything_exists() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = [
        (
            plane("cube", "\"relu\"", 5, 2, 100).replace("a = 1.0", "a = [0.5, 1.0]"),
            "varies 3 axes",
        ),
        (
            plane("zero", "\"relu\"", 5, 0, 100) + "[refine]\nlevels = 0\n",
            "refine.levels = 0",
        ),
        (
            plane("huge", "\"relu\"", 129, 0, 100) + "[refine]\nlevels = 16\n",
            "cells per plane",
        ),
        (
            plane("neg", "\"relu\"", 5, 0, 100) + "[refine]\nlevels = -1\n",
            "refine.levels = -1",
        ),
        (
            plane("list", "\"relu\"", 5, 2, 100).replace(
                "c = { from = -2.0, to = 2.0, points = 5 }",
                "c = [0.0, 1.0, 3.0]",
            ),
            "grid.c is a list",
        ),
    ];
    for (i, (text, needle)) in cases.iter().enumerate() {
        let spec = write_spec(tmp.path(), &format!("bad{i}.toml"), text);
        let out = tmp.path().join(format!("out{i}"));
        refused(
            &run(&["run", spec.to_str().unwrap(), "--out", &out_arg(&out)]),
            needle,
        );
        assert!(!out.exists(), "case {i} created {}", out.display());
    }

    // A parent to zoom into.
    let parent = run_plane(tmp.path(), "p", &plane("p", "\"relu\"", 5, 0, 100));
    let child = tmp.path().join("child");
    let narrow = run(&[
        "zoom",
        parent.to_str().unwrap(),
        "--at",
        "0.3,-0.45",
        "--width",
        "1e-7",
        "--out",
        &out_arg(&child),
    ]);
    refused(&narrow, "--precision f64");
    assert!(!child.exists());
    let far = run(&[
        "zoom",
        parent.to_str().unwrap(),
        "--at",
        "0.3,-0.45",
        "--width",
        "1e-16",
        "--out",
        &out_arg(&child),
        "--precision",
        "f64",
    ]);
    refused(&far, "collide");
    assert!(!child.exists());
    // In f64 the same window, and one far narrower, are fine.
    let deep = tmp.path().join("deep");
    ok(&run(&[
        "zoom",
        parent.to_str().unwrap(),
        "--at",
        "0.3,-0.45",
        "--width",
        "1e-12",
        "--points",
        "3",
        "--precision",
        "f64",
        "--out",
        &out_arg(&deep),
        "--quiet",
    ]));
    assert_eq!(sorted_rows(&deep).len(), 9);
    refused(
        &run(&[
            "zoom",
            parent.to_str().unwrap(),
            "--at",
            "0.3",
            "--width",
            "0.1",
        ]),
        "two comma-separated numbers",
    );
    refused(
        &run(&[
            "zoom",
            parent.to_str().unwrap(),
            "--at",
            "0.3,0",
            "--width",
            "-1",
        ]),
        "greater than 0",
    );
}

#[test]
fn a_zoom_sweeps_a_window_with_the_parents_settings_and_links_back() {
    let tmp = tempfile::tempdir().unwrap();
    let parent = run_plane(
        tmp.path(),
        "p",
        &plane("p", "\"relu\", \"selu\"", 9, 0, 300),
    );
    let child = tmp.path().join("child");
    let out = stdout(&run(&[
        "zoom",
        parent.to_str().unwrap(),
        "--at",
        "0.5,-0.5",
        "--width",
        "0.25",
        "--points",
        "5",
        "--out",
        &out_arg(&child),
        "--quiet",
    ]));
    assert!(out.contains("pictures"), "{out}");
    let child_spec = std::fs::read_to_string(child.join("spec.toml")).unwrap();
    assert!(child_spec.contains("steps = 300"), "{child_spec}");
    assert!(
        child_spec.contains("from = 0.375") && child_spec.contains("to = 0.625"),
        "{child_spec}"
    );
    assert!(
        child_spec.contains("from = -0.625") && child_spec.contains("to = -0.375"),
        "{child_spec}"
    );
    assert!(child_spec.contains("parent = \"../p\""), "{child_spec}");
    assert_eq!(sorted_rows(&child).len(), 2 * 25);
    let page = std::fs::read_to_string(child.join("index.html")).unwrap();
    assert!(
        page.contains("href=\"../p/index.html\""),
        "the zoom's page links to its parent"
    );
    assert!(child.join("parent-window.png").is_file());
    // The window's corner is a start, exactly.
    let rows = sorted_rows(&child);
    assert!(
        rows.iter()
            .any(|r| r.starts_with("1.0,0.5,0.375,-0.625,relu,")),
        "{rows:?}"
    );
}
