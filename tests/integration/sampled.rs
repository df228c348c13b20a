//! Sampled starts (`[grid] sample = { n, seed }`): each start depends only
//! on `(seed, i)`, so sampled sweeps are identical whole, sharded and
//! resumed; `summary` gives fractions with 95% Wilson intervals, checked
//! here against the score test they invert.

use crate::util::{basinmap, ok, refused, run, sorted_rows, stderr, stdout, write_spec};
use basinmap::grid::SweepGrid;
use basinmap::spec::SweepSpec;
use basinmap::stats::{Fraction, Z95, wilson};
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

/// 300 starts × 2 activations: a listed b, ranges for c and d, a fixed a.
const SAMPLED: &str = r#"
name = "sampled"
activations = ["relu", "softplus"]
[grid]
a = 1.0
b = [0.5, 0.25]
c = { from = -2.0, to = 2.0 }
d = { from = -2.0, to = 2.0, points = 9 }
sample = { n = 300, seed = 5 }
[train]
steps = 300
data = { mode = "fixed", n = 64, seed = 3 }
"#;

fn spec(text: &str) -> SweepSpec {
    SweepSpec::parse(text, Path::new("sampled.toml")).unwrap()
}

#[test]
fn a_sampled_start_depends_only_on_seed_and_index() {
    let grid = SweepGrid::new(&spec(SAMPLED));
    assert_eq!(grid.points(), 300);
    let starts: Vec<[f64; 4]> = (0..300).map(|i| grid.starts.start(i)).collect();
    // Computed backwards, alone, or again: the same values.
    for i in (0..300).rev() {
        assert_eq!(grid.starts.start(i), starts[i as usize]);
        assert_eq!(grid.starts.find(starts[i as usize]), Some(i));
    }
    // Each axis as the spec says: a fixed, b from the list, c and d in
    // their ranges, spread over them (not bunched).
    let mut b_counts = [0; 2];
    for s in &starts {
        assert_eq!(s[0], 1.0);
        b_counts[usize::from(s[1] == 0.25)] += 1;
        assert!(s[1] == 0.5 || s[1] == 0.25);
        for v in [s[2], s[3]] {
            assert!((-2.0..=2.0).contains(&v), "{v}");
        }
    }
    assert!(b_counts.iter().all(|&n| n > 100), "{b_counts:?}");
    for axis in [2, 3] {
        let mut quarters = [0; 4];
        for s in &starts {
            quarters[(((s[axis] + 2.0) / 1.0) as usize).min(3)] += 1;
        }
        assert!(
            quarters.iter().all(|&n| n > 45),
            "axis {axis}: {quarters:?}"
        );
    }
    // Another seed, other starts; the same seed in another spec with more
    // starts, the same first 300.
    let other = SweepGrid::new(&spec(&SAMPLED.replace("seed = 5", "seed = 6")));
    assert_ne!(other.starts.start(0), starts[0]);
    let longer = SweepGrid::new(&spec(&SAMPLED.replace("n = 300", "n = 1000")));
    assert_eq!(longer.starts.start(299), starts[299]);
    // A start not drawn is not found.
    assert_eq!(grid.starts.find([1.0, 0.5, 0.0, 0.0]), None);
}

#[test]
fn sampled_sweeps_are_identical_whole_sharded_and_resumed() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = write_spec(tmp.path(), "sampled.toml", SAMPLED);
    let spec = spec.to_str().unwrap();
    let whole = tmp.path().join("whole");
    ok(&run(&[
        "run",
        spec,
        "--out",
        whole.to_str().unwrap(),
        "--quiet",
    ]));
    let expected = sorted_rows(&whole);
    assert_eq!(expected.len(), 600);

    let sharded = tmp.path().join("sharded");
    for k in 1..=3 {
        ok(&run(&[
            "run",
            spec,
            "--out",
            sharded.to_str().unwrap(),
            "--quiet",
            "--threads",
            "1",
            "--shard",
            &format!("{k}/3"),
        ]));
    }
    assert_eq!(sorted_rows(&sharded), expected);

    // Killed after its first rows, then resumed.
    let killed = tmp.path().join("killed");
    let mut child = basinmap()
        .args([
            "run",
            spec,
            "--out",
            killed.to_str().unwrap(),
            "--quiet",
            "--threads",
            "1",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..6000 {
        if killed.join("sweep.json").exists() && !sorted_rows(&killed).is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let partial = sorted_rows(&killed);
    assert!(partial.iter().all(|r| expected.contains(r)));
    ok(&run(&["resume", killed.to_str().unwrap(), "--quiet"]));
    assert_eq!(sorted_rows(&killed), expected);
    let status = ok(&run(&["status", killed.to_str().unwrap()]));
    assert!(status.contains("complete: 600 / 600"), "{status}");

    // The page bins the starts: one map per pair of varying axes.
    for pair in ["b-c", "b-d", "c-d"] {
        assert!(whole.join(format!("binned-{pair}.png")).exists(), "{pair}");
    }
    let page = std::fs::read_to_string(whole.join("index.html")).unwrap();
    assert!(page.contains("300 random points"), "page intro");
}

/// The Wilson interval inverts the score test: its ends are the two `p0`
/// with `|k/n - p0| = z·sqrt(p0(1 - p0)/n)`.
fn assert_score_ends(k: u64, n: u64, (lo, hi): (f64, f64)) {
    let p = k as f64 / n as f64;
    for end in [lo, hi] {
        if end == 0.0 || end == 1.0 {
            // Only where the count sits at that end.
            assert!(
                (end == 0.0 && k == 0) || (end == 1.0 && k == n),
                "{k}/{n}: {lo}, {hi}"
            );
            continue;
        }
        let z = (p - end).abs() / (end * (1.0 - end) / n as f64).sqrt();
        assert!((z - Z95).abs() < 1e-9, "{k}/{n}: end {end} gives z = {z}");
    }
    assert!(lo <= p && p <= hi);
}

#[test]
fn wilson_intervals_by_hand() {
    // 0 of 10: the textbook upper end z²/(n + z²) = 3.8415/13.8415.
    let (lo, hi) = wilson(0, 10, Z95);
    assert_eq!(lo, 0.0);
    assert!((hi - Z95 * Z95 / (10.0 + Z95 * Z95)).abs() < 1e-15, "{hi}");
    assert!((hi - 0.27753).abs() < 1e-5);
    // 5 of 10 is symmetric about 1/2: 0.5 ± (z/(1 + z²/10))·sqrt(0.025 + z²/400)
    // = 0.5 ± 0.26341.
    let (lo, hi) = wilson(5, 10, Z95);
    assert!(
        (lo - 0.23659).abs() < 1e-5 && (hi - 0.76341).abs() < 1e-5,
        "{lo} {hi}"
    );
    assert!((lo + hi - 1.0).abs() < 1e-15);
    // Everything at the other end mirrors 0 of 10.
    let (lo, hi) = wilson(10, 10, Z95);
    assert!((lo - (1.0 - 0.27753)).abs() < 1e-5 && (hi - 1.0).abs() < 1e-15);
    for (k, n) in [
        (0, 10),
        (5, 10),
        (10, 10),
        (1, 100),
        (81, 263),
        (2925, 16641),
    ] {
        assert_score_ends(k, n, wilson(k, n, Z95));
    }
    assert_eq!(Fraction::new(3, 4).value(), 0.75);
    assert_eq!(wilson(0, 0, Z95), (0.0, 1.0));
}

#[test]
fn summary_gives_each_fraction_with_its_interval() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = write_spec(tmp.path(), "sampled.toml", SAMPLED);
    let out = tmp.path().join("out");
    ok(&run(&[
        "run",
        spec.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]));
    let rows = sorted_rows(&out);
    let json: serde_json::Value =
        serde_json::from_str(&ok(&run(&["summary", out.to_str().unwrap(), "--json"]))).unwrap();
    for activation in ["relu", "softplus"] {
        let entry = &json[activation];
        let mine: Vec<&String> = rows
            .iter()
            .filter(|r| r.split(',').nth(4) == Some(activation))
            .collect();
        assert_eq!(entry["runs"].as_u64(), Some(mine.len() as u64));
        for label in [
            "converged",
            "stuck-linear",
            "stuck-dead",
            "unconverged",
            "diverged",
        ] {
            let k = mine
                .iter()
                .filter(|r| r.split(',').nth(12) == Some(label))
                .count() as u64;
            let got = &entry["labels"][label];
            assert_eq!(got["count"].as_u64(), Some(k), "{activation} {label}");
            let n = mine.len() as u64;
            assert!((got["fraction"].as_f64().unwrap() - k as f64 / n as f64).abs() < 1e-15);
            let ci = got["ci95"].as_array().unwrap();
            let (lo, hi) = (ci[0].as_f64().unwrap(), ci[1].as_f64().unwrap());
            assert_score_ends(k, n, (lo, hi));
        }
    }
    // Grouped by the listed b: per group, per activation, with intervals.
    let by_b: serde_json::Value = serde_json::from_str(&ok(&run(&[
        "summary",
        out.to_str().unwrap(),
        "--json",
        "--by",
        "b",
    ])))
    .unwrap();
    let groups: Vec<&String> = by_b.as_object().unwrap().keys().collect();
    assert_eq!(groups.len(), 2, "{by_b}");
    let text = stdout(&run(&["summary", out.to_str().unwrap(), "--by", "b"]));
    assert!(text.contains("95% interval"), "{text}");
    // A drawn range cannot group.
    refused(
        &run(&["summary", out.to_str().unwrap(), "--by", "c"]),
        "draws c at random",
    );
}

#[test]
fn bad_samples_are_refused_before_anything_exists() {
    let tmp = tempfile::tempdir().unwrap();
    for (text, needle) in [
        (SAMPLED.replace("n = 300", "n = 0"), "grid.sample.n = 0"),
        (
            SAMPLED.replace(
                "c = { from = -2.0, to = 2.0 }",
                "c = { from = 2.0, to = 2.0 }",
            ),
            "grid.c: range from 2 to 2 is empty",
        ),
        (
            SAMPLED.replace("sample = { n = 300, seed = 5 }\n", ""),
            "grid.c: range from -2 to 2 has no `points`",
        ),
        (
            SAMPLED.replace("seed = 5 }", "seed = 5, m = 2 }"),
            "unknown field `m`",
        ),
    ] {
        let spec = write_spec(tmp.path(), "bad.toml", &text);
        let out = tmp.path().join("never");
        let output = run(&[
            "run",
            spec.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(!output.status.success(), "{text}");
        let message = stderr(&output);
        assert!(message.contains(needle), "{needle}: {message}");
        assert!(message.contains("bad.toml"), "{message}");
        assert!(!out.exists());
    }
}
