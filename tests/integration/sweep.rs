//! Sweeps end to end through the real binary: determinism across threads,
//! shards and SIGKILL interruptions, locking, refusal of a different spec.

use crate::util::{basinmap, ok, out_arg, run, sorted_rows, stderr, stdout, write_spec};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

/// About 300 runs with little data: a second or so per full run.
pub(crate) const SMALL: &str = r#"
name = "small"
activations = ["relu", "selu", "softplus"]
replicates = 2
[grid]
a = 1.0
b = [0.5, -0.25]
c = { from = -2.0, to = 2.0, points = 7 }
d = { from = -2.0, to = 2.0, points = 7 }
[train]
steps = 300
data = { mode = "fixed", n = 64, seed = 3 }
"#;

/// Heavy enough (about 2·10^10 sample-steps, several seconds) to be
/// killed mid-way.
const SLOW: &str = r#"
name = "slow"
activations = ["elu", "selu", "softplus", "gelu"]
[grid]
a = 1.0
b = 0.5
c = { from = -2.0, to = 2.0, points = 48 }
d = { from = -2.0, to = 2.0, points = 48 }
[train]
steps = 2000
data = { mode = "fixed", n = 1024, seed = 0 }
"#;

const SLOW_RUNS: usize = 4 * 48 * 48;

/// Waits until the runs tables in `dir` hold at least `rows` rows.
fn wait_for_rows(dir: &Path, rows: usize) {
    for _ in 0..6000 {
        if dir.join("sweep.json").exists() && sorted_rows(dir).len() >= rows {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("{} never reached {rows} rows", dir.display());
}

/// Writes the SMALL spec into `tmp` and runs it (quietly, plus `extra`)
/// into `tmp/<name>`; returns the spec and the results directory.
pub(crate) fn run_small(tmp: &Path, name: &str, extra: &[&str]) -> (PathBuf, PathBuf) {
    let spec = write_spec(tmp, "small.toml", SMALL);
    let out = tmp.join(name);
    let out_dir = out_arg(&out);
    let mut args = vec!["run", spec.to_str().unwrap(), "--out", &out_dir, "--quiet"];
    args.extend_from_slice(extra);
    ok(&run(&args));
    (spec, out)
}

#[test]
fn threads_and_shards_give_the_same_rows_bit_for_bit() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = write_spec(tmp.path(), "small.toml", SMALL);
    let spec = spec.to_str().unwrap();

    let one = tmp.path().join("one-thread");
    ok(&run(&[
        "run",
        spec,
        "--out",
        &out_arg(&one),
        "--threads",
        "1",
        "--quiet",
    ]));
    let two = tmp.path().join("two-threads");
    ok(&run(&[
        "run",
        spec,
        "--out",
        &out_arg(&two),
        "--threads",
        "2",
        "--quiet",
    ]));
    let reference = sorted_rows(&one);
    assert_eq!(reference.len(), 3 * 2 * 2 * 7 * 7);
    assert_eq!(sorted_rows(&two), reference);

    // Three shards, run at the same time into one directory.
    let sharded = tmp.path().join("sharded");
    let children: Vec<_> = (1..=3)
        .map(|k| {
            basinmap()
                .args([
                    "run",
                    spec,
                    "--out",
                    &out_arg(&sharded),
                    "--quiet",
                    "--threads",
                    "1",
                ])
                .args(["--shard", &format!("{k}/3")])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
    }
    let sharded_rows = sorted_rows(&sharded);
    assert_eq!(sharded_rows, reference);
    // Shards are disjoint: no row appears in two tables.
    assert_eq!(
        sharded_rows.iter().collect::<BTreeSet<_>>().len(),
        sharded_rows.len()
    );

    // Summaries agree too.
    let summary = |dir: &Path| ok(&run(&["summary", dir.to_str().unwrap(), "--json"]));
    assert_eq!(summary(&sharded), summary(&one));
    let status = ok(&run(&["status", sharded.to_str().unwrap()]));
    assert!(status.contains("complete: 588 / 588"), "{status}");
    assert!(status.contains("shard 2/3"), "{status}");
}

#[test]
fn slurm_array_variables_pick_the_shard() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = write_spec(tmp.path(), "small.toml", SMALL);
    let out = tmp.path().join("slurm");
    let output = basinmap()
        .args([
            "run",
            spec.to_str().unwrap(),
            "--out",
            &out_arg(&out),
            "--quiet",
        ])
        .env("SLURM_ARRAY_TASK_ID", "5")
        .env("SLURM_ARRAY_TASK_MIN", "4")
        .env("SLURM_ARRAY_TASK_COUNT", "3")
        .output()
        .unwrap();
    ok(&output);
    assert!(out.join("runs-shard-2-of-3.csv").exists());
    let status = ok(&run(&["status", out.to_str().unwrap()]));
    assert!(status.contains("shard 2/3"), "{status}");
    assert!(status.contains("incomplete"), "{status}");
}

#[test]
fn sigkill_at_any_moment_then_resume_equals_one_uninterrupted_run() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = write_spec(tmp.path(), "slow.toml", SLOW);
    let spec = spec.to_str().unwrap();
    let reference = tmp.path().join("reference");
    ok(&run(&[
        "run",
        spec,
        "--out",
        &out_arg(&reference),
        "--quiet",
    ]));
    let expected = sorted_rows(&reference);
    assert_eq!(expected.len(), SLOW_RUNS);

    let killed = tmp.path().join("killed");
    let mut row_counts = Vec::new();
    // Kill at start-up, right after the first chunk, and a third and two
    // thirds of the way through.
    for kill_at_rows in [0, 1, SLOW_RUNS / 3, 2 * SLOW_RUNS / 3] {
        let mut child = basinmap()
            .args(["run", spec, "--out", &out_arg(&killed), "--quiet"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        if kill_at_rows == 0 {
            std::thread::sleep(Duration::from_millis(20));
        } else {
            wait_for_rows(&killed, kill_at_rows);
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let rows = sorted_rows(&killed);
        // Whatever was written is exactly a subset of the reference.
        let expected_set: BTreeSet<_> = expected.iter().collect();
        assert!(
            rows.iter().all(|r| expected_set.contains(r)),
            "a row differs after kill"
        );
        assert!(rows.len() < SLOW_RUNS, "the sweep finished before the kill");
        row_counts.push(rows.len());
    }
    // Power loss mid-write: a damaged trailing row is dropped and recomputed.
    let table = killed.join("runs.csv");
    let mut bytes = std::fs::read(&table).unwrap();
    bytes.extend_from_slice(b"1.0,0.5,-2.0,-1.8260869565217392,selu,0,0.12");
    std::fs::write(&table, bytes).unwrap();
    let status = ok(&run(&["status", killed.to_str().unwrap()]));
    assert!(status.contains("incomplete"), "{status}");

    ok(&run(&["resume", killed.to_str().unwrap(), "--quiet"]));
    let resumed = sorted_rows(&killed);
    assert_eq!(
        resumed.len(),
        expected.len(),
        "rows lost or duplicated (counts after kills: {row_counts:?})"
    );
    assert_eq!(resumed, expected);
    // A finished sweep resumes to nothing new.
    let again = run(&["run", spec, "--out", &out_arg(&killed), "--quiet"]);
    ok(&again);
    assert_eq!(sorted_rows(&killed), expected);
}

#[test]
fn a_second_writer_of_the_same_table_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = write_spec(tmp.path(), "slow.toml", SLOW);
    let out = tmp.path().join("locked");
    let mut first = basinmap()
        .args([
            "run",
            spec.to_str().unwrap(),
            "--out",
            &out_arg(&out),
            "--quiet",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the first process holds its table and is working.
    wait_for_rows(&out, 1);
    let second = run(&["resume", out.to_str().unwrap(), "--quiet"]);
    first.kill().unwrap();
    first.wait().unwrap();
    assert!(!second.status.success());
    let message = stderr(&second);
    assert!(message.contains("another basinmap process"), "{message}");
    assert!(message.contains("runs.csv"), "{message}");
}

#[test]
fn a_different_spec_in_the_same_directory_is_refused_with_what_differs() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, out) = run_small(tmp.path(), "taken", &[]);
    let before = sorted_rows(&out);
    let changed = write_spec(
        tmp.path(),
        "changed.toml",
        &SMALL.replace("steps = 300", "steps = 400"),
    );
    let output = run(&[
        "run",
        changed.to_str().unwrap(),
        "--out",
        &out_arg(&out),
        "--quiet",
    ]);
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(
        message.contains("train.steps: 400 (new) vs 300 (stored)"),
        "{message}"
    );
    assert!(message.contains("--out"), "{message}");
    assert!(message.contains("basinmap resume"), "{message}");
    assert_eq!(
        sorted_rows(&out),
        before,
        "refusal must not touch the results"
    );
}

#[test]
fn summary_json_counts_every_label_of_every_activation() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, out) = run_small(tmp.path(), "summary", &[]);
    let json: serde_json::Value =
        serde_json::from_str(&ok(&run(&["summary", out.to_str().unwrap(), "--json"]))).unwrap();
    let object = json.as_object().unwrap();
    assert_eq!(
        object.keys().collect::<Vec<_>>(),
        ["relu", "selu", "softplus"]
    );
    let rows = sorted_rows(&out);
    for (activation, entry) in object {
        let labels = entry["labels"].as_object().unwrap();
        assert_eq!(labels.len(), 5);
        let runs = rows
            .iter()
            .filter(|r| r.contains(&format!(",{activation},")))
            .count();
        assert_eq!(entry["runs"].as_u64().unwrap() as usize, runs);
        for (label, counted) in labels {
            let count = &counted["count"];
            let expected = rows
                .iter()
                .filter(|r| {
                    r.contains(&format!(",{activation},")) && r.contains(&format!(",{label},"))
                })
                .count();
            assert_eq!(
                count.as_u64().unwrap() as usize,
                expected,
                "{activation} {label}"
            );
        }
    }
    let text = stdout(&run(&["summary", out.to_str().unwrap()]));
    assert!(text.contains("stuck-linear"));
}

#[test]
fn status_of_a_directory_without_a_sweep_says_how_to_start_one() {
    let tmp = tempfile::tempdir().unwrap();
    let output = run(&["status", tmp.path().to_str().unwrap()]);
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(message.contains("holds no basinmap sweep"), "{message}");
    assert!(message.contains("basinmap run"), "{message}");
}

#[test]
fn ctrl_c_stops_cleanly_and_says_how_to_resume() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = write_spec(tmp.path(), "slow.toml", SLOW);
    let out = tmp.path().join("interrupted");
    let child = basinmap()
        .args([
            "run",
            spec.to_str().unwrap(),
            "--out",
            &out_arg(&out),
            "--threads",
            "1",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_rows(&out, 1);
    let signalled = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(signalled.success());
    let output = child.wait_with_output().unwrap();
    let message = stderr(&output);
    assert!(!output.status.success(), "{message}");
    assert!(message.contains("interrupted:"), "{message}");
    assert!(
        message.contains(&format!("basinmap resume {}", out.display())),
        "{message}"
    );
    assert!(!message.contains("panicked"), "{message}");
    let saved = sorted_rows(&out).len();
    assert!(
        saved < SLOW_RUNS,
        "finished before the interrupt; make the spec slower"
    );
    assert!(
        message.contains(&format!("interrupted: {saved} of {SLOW_RUNS} runs saved")),
        "{message}"
    );
}

/// Two learning rates × two data regimes × two replicates.
const MULTI: &str = r#"
name = "multi"
activations = ["relu", "selu", "softplus"]
replicates = 2
[grid]
a = 1.0
b = 0.5
c = { from = -2.0, to = 2.0, points = 12 }
d = { from = -2.0, to = 2.0, points = 12 }
[train]
steps = 2000
lr = [0.05, 0.2]
data = { mode = ["fixed", "fresh"], n = 1024, batch = 256, seed = 0 }
"#;

#[test]
fn a_multi_axis_sweep_resumed_or_sharded_equals_one_uninterrupted_run() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = write_spec(tmp.path(), "multi.toml", MULTI);
    let spec = spec.to_str().unwrap();
    let total = 2 * 2 * 2 * 3 * 12 * 12;

    let reference = tmp.path().join("reference");
    ok(&run(&[
        "run",
        spec,
        "--out",
        &out_arg(&reference),
        "--quiet",
    ]));
    let header = std::fs::read_to_string(reference.join("runs.csv")).unwrap();
    assert!(
        header.starts_with("a0,b0,c0,d0,activation,replicate,a,b,c,d,train_loss,eval_loss,label,converged_at,settled_step,mean_loss,lr,data.mode,sweep\n"),
        "{}",
        header.lines().next().unwrap()
    );
    let expected = sorted_rows(&reference);
    assert_eq!(expected.len(), total);
    // Every (lr, data.mode) pair appears with its share of the rows (the
    // sweep column follows them).
    for pair in [",0.05,fixed", ",0.05,fresh", ",0.2,fixed", ",0.2,fresh"] {
        let columns = format!("{pair},");
        assert_eq!(
            expected.iter().filter(|r| r.contains(&columns)).count(),
            total / 4,
            "{pair}"
        );
    }

    let killed = tmp.path().join("killed");
    for kill_at_rows in [1, total / 2] {
        let mut child = basinmap()
            .args(["run", spec, "--out", &out_arg(&killed), "--quiet"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        wait_for_rows(&killed, kill_at_rows);
        child.kill().unwrap();
        child.wait().unwrap();
    }
    ok(&run(&["resume", killed.to_str().unwrap(), "--quiet"]));
    assert_eq!(sorted_rows(&killed), expected);

    let sharded = tmp.path().join("sharded");
    for k in 1..=2 {
        ok(&run(&[
            "run",
            spec,
            "--out",
            &out_arg(&sharded),
            "--quiet",
            "--shard",
            &format!("{k}/2"),
        ]));
    }
    assert_eq!(sorted_rows(&sharded), expected);

    // Grouped summary: fractions per learning rate.
    let by_lr: serde_json::Value = serde_json::from_str(&ok(&run(&[
        "summary",
        reference.to_str().unwrap(),
        "--json",
        "--by",
        "lr",
    ])))
    .unwrap();
    let groups: Vec<&String> = by_lr.as_object().unwrap().keys().collect();
    assert_eq!(groups, ["0.05", "0.2"]);
    let count: u64 = by_lr["0.2"]["selu"]["labels"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v["count"].as_u64().unwrap())
        .sum();
    assert_eq!(by_lr["0.2"]["selu"]["runs"].as_u64(), Some(count));
    assert_eq!(count as usize, total / 2 / 3);
    let text = ok(&run(&[
        "summary",
        reference.to_str().unwrap(),
        "--by",
        "data.mode",
    ]));
    assert!(
        text.contains("fresh") && text.contains("fixed") && text.contains('%'),
        "{text}"
    );
    let bad = run(&["summary", reference.to_str().unwrap(), "--by", "colour"]);
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("--by colour") && stderr(&bad).contains("data.mode"));
}

#[test]
fn a_directory_from_another_build_can_be_read_but_not_continued() {
    use basinmap::spec::SweepSpec;
    use basinmap::store::fingerprint::SweepMeta;
    let tmp = tempfile::tempdir().unwrap();
    let (spec, out) = run_small(tmp.path(), "other-build", &["--shard", "1/2"]);
    // Pretend another build (other numerics) wrote it.
    let stored = SweepSpec::load(&out.join("spec.toml")).unwrap();
    let grid = basinmap::grid::SweepGrid::new(&stored);
    let meta = SweepMeta::of_build(&stored, &grid, "0.1.0", "0123456789abcdef").unwrap();
    std::fs::write(
        out.join("sweep.json"),
        serde_json::to_string(&meta).unwrap(),
    )
    .unwrap();

    ok(&run(&["summary", out.to_str().unwrap()]));
    ok(&run(&["status", out.to_str().unwrap()]));
    let resume = run(&["resume", out.to_str().unwrap(), "--quiet", "--shard", "2/2"]);
    assert!(!resume.status.success());
    assert!(
        stderr(&resume).contains("kernel 0123456789abcdef"),
        "{}",
        stderr(&resume)
    );
    let again = run(&[
        "run",
        spec.to_str().unwrap(),
        "--out",
        &out_arg(&out),
        "--quiet",
    ]);
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("kernel build"),
        "{}",
        stderr(&again)
    );

    // An edited stored spec is refused even for reading.
    let text = std::fs::read_to_string(out.join("spec.toml")).unwrap();
    std::fs::write(
        out.join("spec.toml"),
        text.replace("steps = 300", "steps = 301"),
    )
    .unwrap();
    let edited = run(&["summary", out.to_str().unwrap()]);
    assert!(!edited.status.success());
    assert!(
        stderr(&edited).contains("does not match the fingerprint"),
        "{}",
        stderr(&edited)
    );
}
