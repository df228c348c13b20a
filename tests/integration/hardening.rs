//! Issue 14, items 6–12: what is refused before anything is created (data
//! files, sizes, colliding starts, names; bench sizes), exit statuses after
//! signals, and a complete directory that is only read.

use crate::util::{available, basinmap, ok, run, stderr, stdout, write_spec};
use basinmap::grid::{Shard, SweepGrid};
use basinmap::spec::SweepSpec;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, SystemTime};

/// A sweep of 4 runs that takes a moment; `{name}`, `{a}` and `{extra}`
/// (more `[train]` keys) are filled in.
const TEMPLATE: &str = r#"name = "{name}"
activations = ["relu"]
replicates = {replicates}
[grid]
a = {a}
b = 0.5
c = [1.0, 2.0]
d = [0.0, 1.0]
[train]
steps = 20
{extra}
"#;

fn spec_text(name: &str, replicates: &str, a: &str, extra: &str) -> String {
    TEMPLATE
        .replace("{name}", name)
        .replace("{replicates}", replicates)
        .replace("{a}", a)
        .replace("{extra}", extra)
}

/// Runs `text` (written as `file` in `tmp`) into `tmp/out-<file>`.
fn run_text(tmp: &Path, file: &str, text: &str) -> (Output, PathBuf) {
    let spec = write_spec(tmp, file, text);
    let out = tmp.join(format!("out-{file}"));
    let output = run(&[
        "run",
        spec.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    (output, out)
}

/// A refusal as issue 14 asks for it: status 1 (no abort, no panic), one
/// line naming the spec file and every word of `words`, no directory.
fn assert_refused(what: &str, file: &str, output: &Output, out: &Path, words: &[&str]) {
    let message = stderr(output);
    assert_eq!(output.status.code(), Some(1), "{what}: status: {message}");
    assert!(!message.contains("panicked"), "{what}: {message}");
    assert!(!message.contains("backtrace"), "{what}: {message}");
    assert_eq!(message.trim().lines().count(), 1, "{what}: {message}");
    assert!(message.starts_with("error: "), "{what}: {message}");
    assert!(message.contains(file), "{what}: names no file: {message}");
    for word in words {
        assert!(message.contains(word), "{what}: lacks '{word}': {message}");
    }
    assert!(!out.exists(), "{what}: left {} behind", out.display());
}

#[test]
fn data_file_contents_are_checked_before_the_directory_is_created() {
    let tmp = tempfile::tempdir().unwrap();
    let files: [(&str, &[u8], &[&str]); 5] = [
        ("empty", b"", &["no x values"]),
        ("garbage", b"x\n0.1\nnot a number\n", &["line 3"]),
        ("non-finite", b"0.1\ninf\n", &["line 2", "finite"]),
        ("binary", b"\x00\xff\xfe\x01\x89PNG\x80", &["UTF-8"]),
        ("missing", b"", &["cannot read"]),
    ];
    for (what, bytes, words) in files {
        let data = tmp.path().join(format!("{what}.txt"));
        if what != "missing" {
            std::fs::write(&data, bytes).unwrap();
        }
        let extra = format!("data = {{ mode = \"file\", file = \"{what}.txt\" }}");
        let file = format!("{what}.toml");
        let (output, out) = run_text(tmp.path(), &file, &spec_text("d", "1", "1.0", &extra));
        let named = format!("{what}.txt");
        let mut words = words.to_vec();
        words.extend(["train.data.file", &named]);
        assert_refused(what, &file, &output, &out, &words);
    }
    // The same file, fixed, runs.
    std::fs::write(tmp.path().join("good.txt"), "x\n-0.25\n0.1\n0.4\n").unwrap();
    let extra = "data = { mode = \"file\", file = \"good.txt\" }";
    let (output, out) = run_text(tmp.path(), "good.toml", &spec_text("d", "1", "1.0", extra));
    ok(&output);
    assert!(out.join("sweep.json").exists());
}

#[test]
fn sizes_that_cannot_work_are_refused_up_front_with_the_numbers() {
    let tmp = tempfile::tempdir().unwrap();
    let huge_axis = "{ from = 0.0, to = 1.0, points = 100000 }";
    let cases = [
        (
            "data.n = 1e12",
            spec_text(
                "n",
                "1",
                "1.0",
                "data = { mode = \"fixed\", n = 1000000000000 }",
            ),
            vec!["4 runs", "memory", "train.data.n = 1000000000000"],
        ),
        (
            "batch = 2^32",
            spec_text(
                "b",
                "1",
                "1.0",
                "data = { mode = \"fresh\", batch = 4294967296 }",
            ),
            vec!["memory", "train.data.batch = 4294967296"],
        ),
        (
            "replicates = 2^32 - 1",
            spec_text("r", "4294967295", "1.0", ""),
            vec![
                "17179869180 runs",
                "memory",
                "replicate",
                "disk",
                "--shard K/N",
                "at the measured speed of this machine",
            ],
        ),
        (
            "4 axes × 100 000 points",
            TEMPLATE
                .replace("[1.0, 2.0]", huge_axis)
                .replace("[0.0, 1.0]", huge_axis)
                .replace("{a}", huge_axis)
                .replace("b = 0.5", &format!("b = {huge_axis}"))
                .replace("{name}", "g")
                .replace("{replicates}", "1")
                .replace("{extra}", ""),
            vec!["grid", "100000 × 100000 × 100000 × 100000", "runs"],
        ),
        (
            "a table larger than any disk",
            TEMPLATE
                .replace("[1.0, 2.0]", "{ from = 0.0, to = 1.0, points = 3000 }")
                .replace("[0.0, 1.0]", "{ from = 0.0, to = 1.0, points = 3000 }")
                .replace("{a}", "{ from = 0.0, to = 1.0, points = 3000 }")
                .replace("b = 0.5", "b = { from = 0.0, to = 1.0, points = 3000 }")
                .replace("{name}", "disk")
                .replace("{replicates}", "1")
                .replace("{extra}", ""),
            vec![
                "81000000000000 runs",
                "disk",
                "free",
                "--shard K/N",
                "of computing at the measured speed of this machine",
                "N shards",
            ],
        ),
        (
            "data seeds past 2^64",
            spec_text("s", "2", "1.0", "data = { seed = 18446744073709551615 }"),
            vec!["train.data.seed", "replicates = 2"],
        ),
    ];
    for (index, (what, text, words)) in cases.into_iter().enumerate() {
        let file = format!("size-{index}.toml");
        let (output, out) = run_text(tmp.path(), &file, &text);
        assert_ne!(output.status.code(), Some(134), "{what}: aborted");
        assert_refused(what, &file, &output, &out, &words);
    }
}

#[test]
fn the_run_count_is_checked_and_chunks_are_computed_from_their_index() {
    let axis = "{ from = 0.0, to = 1.0, points = 100000 }";
    let text = format!(
        "name = \"x\"\nactivations = [\"relu\"]\n[grid]\na = {axis}\nb = {axis}\nc = {axis}\nd = {axis}\n"
    );
    // 10^20 runs: wrapped to 7766279631452241920 before.
    let error = SweepSpec::parse(&text, Path::new("x.toml")).unwrap_err();
    assert!(error.to_string().contains("runs"), "{error}");

    // 3000^4 = 8.1·10^13 runs: numbered, chunked and sharded by
    // arithmetic, with no list of chunks or runs.
    let text = text.replace("100000", "3000");
    let spec = SweepSpec::parse(&text, Path::new("x.toml")).unwrap();
    assert_eq!(spec.run_count(), Some(81_000_000_000_000));
    let grid = SweepGrid::new(&spec);
    assert_eq!(grid.total_runs(), 81_000_000_000_000);
    let last = grid.chunk(grid.chunk_count() - 1);
    assert_eq!(last.first + last.len, grid.total_runs());
    let shard = Shard {
        index: 1_000_000,
        count: 1_000_000,
    };
    let chunk = grid.shard_chunks(shard).nth(1000).unwrap();
    assert_eq!(chunk.index, 999_999 + 1000 * 1_000_000);
}

#[test]
fn colliding_and_overflowing_starts_are_refused_naming_the_key() {
    let tmp = tempfile::tempdir().unwrap();
    let f64_only = "precision = \"f64\"";
    let cases = [
        (
            "a range finer than f64",
            "{ from = 1.0, to = 1.0000000000000002, points = 3 }",
            "",
            vec!["grid.a", "collide", "f64"],
        ),
        (
            "a range finer than f32",
            "{ from = 1.0, to = 1.0000001, points = 3 }",
            "",
            vec!["grid.a", "same number in f32", "precision"],
        ),
        (
            "a list alike in f32",
            "[0.1, 0.10000000001]",
            "precision = [\"f64\", \"f32\"]",
            vec!["grid.a", "same number in f32"],
        ),
        ("beyond f32", "1e300", "", vec!["grid.a", "1e300", "f32"]),
        (
            "a range whose width overflows",
            "{ from = -1e308, to = 1e308, points = 3 }",
            f64_only,
            vec!["grid.a", "-1e308", "overflows"],
        ),
    ];
    for (index, (what, a, extra, words)) in cases.into_iter().enumerate() {
        let file = format!("starts-{index}.toml");
        let (output, out) = run_text(tmp.path(), &file, &spec_text("c", "1", a, extra));
        assert_refused(what, &file, &output, &out, &words);
    }
    // A sample whose draws repeat (no range to draw from) never completes.
    let sampled = spec_text("s", "1", "[1.0, 2.0]", "").replace(
        "d = [0.0, 1.0]",
        "d = [0.0, 1.0]\nsample = { n = 10, seed = 1 }",
    );
    let (output, out) = run_text(tmp.path(), "sampled.toml", &sampled);
    assert_refused(
        "repeating draws",
        "sampled.toml",
        &output,
        &out,
        &["grid.sample", "same start"],
    );
    // In f64 the range finer than f32 is three distinct runs.
    let text = spec_text(
        "c",
        "1",
        "{ from = 1.0, to = 1.0000001, points = 3 }",
        f64_only,
    );
    let (output, out) = run_text(tmp.path(), "f64.toml", &text);
    ok(&output);
    let status = ok(&run(&["status", out.to_str().unwrap()]));
    assert!(status.contains("complete: 12 / 12 runs"), "{status}");
}

#[test]
fn names_are_portable_directory_names() {
    let tmp = tempfile::tempdir().unwrap();
    let long = "x".repeat(101);
    for (index, name) in [
        "a b",
        "tab\\there",
        "",
        ".hidden",
        "a/b",
        "é",
        long.as_str(),
    ]
    .into_iter()
    .enumerate()
    {
        let file = format!("name-{index}.toml");
        let (output, out) = run_text(tmp.path(), &file, &spec_text(name, "1", "1.0", ""));
        assert_refused(name, &file, &output, &out, &["name = ", "letters"]);
    }
    let (output, _) = run_text(
        tmp.path(),
        "fine.toml",
        &spec_text(&"ok-1_2.x".repeat(12), "1", "1.0", ""),
    );
    ok(&output);
}

#[test]
fn train_and_data_refuse_data_that_cannot_fit_and_name_the_data_file() {
    let output = run(&["data", "--n", "1000000000000"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("train.data.n = 1000000000000"));
    assert!(stderr(&output).contains("memory"));
    let output = run(&[
        "train",
        "--act",
        "relu",
        "--start",
        "1,0.5,1,0",
        "--data-file",
        "/nonexistent/xs.txt",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("--data-file"),
        "{}",
        stderr(&output)
    );
    assert!(stderr(&output).contains("/nonexistent/xs.txt"));
}

#[test]
fn bench_refuses_sizes_it_cannot_hold_naming_the_flag() {
    // Each aborted (memory allocation failed, or a capacity overflow).
    for (flag, value) in [
        ("--n", "1000000000000000"),
        ("--models", "1000000000000000"),
        ("--repeats", "18446744073709551615"),
    ] {
        let output = run(&["bench", "--act", "relu", "--precision", "f32", flag, value]);
        let message = stderr(&output);
        assert_eq!(output.status.code(), Some(1), "{flag}: {message}");
        assert_eq!(message.trim().lines().count(), 1, "{flag}: {message}");
        for word in ["error: ", flag, value, "memory"] {
            assert!(message.contains(word), "{flag}: lacks '{word}': {message}");
        }
    }
    // Billions of threads kept spawning for minutes; now refused at once.
    for command in [&["run", "x.toml"][..], &["resume", "x"], &["bench"]] {
        let output = run(&[command, &["--threads", "4000000000"]].concat());
        let message = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{command:?}: {message}");
        assert_eq!(message.trim().lines().count(), 1, "{command:?}: {message}");
        assert!(
            message.contains("--threads") && message.contains("1..=4096"),
            "{message}"
        );
    }
    // A small bench still runs.
    let output = run(&[
        "bench",
        "--act",
        "relu",
        "--precision",
        "f32",
        "--models",
        "64",
        "--steps",
        "5",
        "--n",
        "16",
        "--repeats",
        "1",
    ]);
    assert!(ok(&output).contains("relu"));
}

/// Heavy enough (9216 runs of 2000 steps on 1024 points) to be stopped
/// long before it ends.
const SLOW: &str = r#"name = "slow"
activations = ["elu", "selu", "softplus", "gelu"]
[grid]
a = 1.0
b = 0.5
c = { from = -2.0, to = 2.0, points = 48 }
d = { from = -2.0, to = 2.0, points = 48 }
[train]
steps = 2000
"#;

/// Starts `args`, waits until the sweep in `out` has written a row (so it
/// listens for signals), sends `signal` with `kill`, and returns the
/// exit status and standard error.
fn signalled(args: &[&str], out: &Path, signal: &str) -> (Option<i32>, String) {
    let rows_before = table_rows(out);
    let child = basinmap()
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = SystemTime::now() + Duration::from_secs(120);
    while table_rows(out) <= rows_before {
        assert!(SystemTime::now() < deadline, "no row was written");
        std::thread::sleep(Duration::from_millis(10));
    }
    let sent = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let output = child.wait_with_output().unwrap();
    (output.status.code(), stderr(&output))
}

/// Rows in `out/runs.csv` (0 if there is none yet).
fn table_rows(out: &Path) -> usize {
    std::fs::read_to_string(out.join("runs.csv"))
        .map(|t| t.lines().count().saturating_sub(1))
        .unwrap_or(0)
}

#[test]
fn sigint_exits_130_and_sigterm_143_after_saving_the_runs_in_flight() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = write_spec(tmp.path(), "slow.toml", SLOW);
    let out = tmp.path().join("slow");
    let (spec, out_arg) = (spec.to_str().unwrap(), out.to_str().unwrap());

    let args = ["run", spec, "--out", out_arg, "--quiet", "--threads", "1"];
    let (code, message) = signalled(&args, &out, "TERM");
    assert_eq!(code, Some(143), "{message}");
    assert!(message.contains("SIGTERM"), "{message}");
    assert!(!message.contains("Ctrl-C"), "{message}");
    assert!(message.contains("basinmap resume"), "{message}");
    let saved = table_rows(&out);
    assert!(saved > 0 && saved < 9216, "{saved} rows");

    let args = ["resume", out_arg, "--quiet", "--threads", "1"];
    let (code, message) = signalled(&args, &out, "INT");
    assert_eq!(code, Some(130), "{message}");
    assert!(message.contains("Ctrl-C"), "{message}");
    assert!(table_rows(&out) > saved);
}

/// Every file in `dir` with its bytes and modification time.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>, SystemTime)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
            (path.clone(), std::fs::read(&path).unwrap(), modified)
        })
        .collect();
    files.sort();
    files
}

#[test]
fn a_complete_directory_is_only_read() {
    let tmp = tempfile::tempdir().unwrap();
    let (output, out) = run_text(tmp.path(), "done.toml", &spec_text("done", "1", "1.0", ""));
    ok(&output);
    let before = snapshot(&out);
    let spec = tmp.path().join("done.toml");
    let out_arg = out.to_str().unwrap();
    for args in [
        vec!["run", spec.to_str().unwrap(), "--out", out_arg, "--quiet"],
        vec!["resume", out_arg, "--quiet"],
    ] {
        let printed = ok(&run(&args));
        assert!(printed.contains("up to date"), "{printed}");
        assert_eq!(snapshot(&out), before, "{args:?} changed the directory");
    }
    // Another format is something to draw.
    let printed = ok(&run(&["resume", out_arg, "--quiet", "--format", "svg"]));
    assert!(printed.contains("pictures"), "{printed}");
    assert!(out.join("outcome-c-d.svg").exists());
}

/// Runs `args` with `dir` mounted read-only (a bind mount in a private
/// mount namespace); `None` where this machine cannot do that.
fn with_read_only(dir: &Path, args: &[&str]) -> Option<Output> {
    let probe = Command::new("unshare")
        .args(["-m", "true"])
        .stderr(Stdio::null())
        .status();
    if !probe.is_ok_and(|s| s.success()) {
        return None;
    }
    let script = r#"mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@""#;
    let output = Command::new("unshare")
        .args(["-m", "sh", "-c", script, "sh"])
        .arg(dir)
        .arg(env!("CARGO_BIN_EXE_basinmap"))
        .args(args)
        .output()
        .unwrap();
    Some(output)
}

#[test]
fn a_complete_directory_runs_and_resumes_on_a_read_only_file_system() {
    let tmp = tempfile::tempdir().unwrap();
    let (output, out) = run_text(tmp.path(), "ro.toml", &spec_text("ro", "1", "1.0", ""));
    ok(&output);
    let spec = tmp.path().join("ro.toml");
    let out_arg = out.to_str().unwrap();
    let Some(output) = with_read_only(&out, &["resume", out_arg, "--quiet"]) else {
        available("read-only bind mounts (unshare -m)", false);
        return;
    };
    assert!(output.status.success(), "resume: {}", stderr(&output));
    assert!(stdout(&output).contains("up to date"));
    let run_args = ["run", spec.to_str().unwrap(), "--out", out_arg, "--quiet"];
    let output = with_read_only(&out, &run_args).unwrap();
    assert!(output.status.success(), "run: {}", stderr(&output));
    // The mount was read-only: drawing in another format must fail.
    let output = with_read_only(&out, &["resume", out_arg, "--quiet", "--format", "svg"]).unwrap();
    assert!(!output.status.success(), "the file system was writable");
}

/// Runs `basinmap render` on a copy of `dir` on a tmpfs with `spare` bytes
/// free beyond what the copy takes (a private mount namespace), and copies
/// what it left to `back`; `None` where this machine cannot mount one.
fn render_on_full_disk(dir: &Path, spare: u64, back: &Path) -> Option<Output> {
    let probe = Command::new("unshare")
        .args(["-m", "true"])
        .stderr(Stdio::null())
        .status();
    if !probe.is_ok_and(|s| s.success()) {
        return None;
    }
    let used: u64 = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len().div_ceil(4096) * 4096)
        .sum();
    let mount = dir.with_extension("tmpfs");
    std::fs::create_dir_all(&mount).unwrap();
    std::fs::create_dir_all(back).unwrap();
    let script = r#"mount -t tmpfs -o size="$1" tmpfs "$2" && cp -a "$3"/. "$2"/ || exit 99
"$5" render "$2"; status=$?; cp -a "$2"/. "$4"/; exit $status"#;
    let output = Command::new("unshare")
        .args(["-m", "sh", "-c", script, "sh", &(used + spare).to_string()])
        .args([&mount, dir, back])
        .arg(env!("CARGO_BIN_EXE_basinmap"))
        .output()
        .unwrap();
    assert_ne!(output.status.code(), Some(99), "{}", stderr(&output));
    Some(output)
}

#[test]
fn rendering_into_a_full_disk_leaves_every_file_whole_and_says_so_in_one_line() {
    let tmp = tempfile::tempdir().unwrap();
    let (output, out) = run_text(tmp.path(), "full.toml", &spec_text("full", "1", "1.0", ""));
    ok(&output);
    let back = tmp.path().join("back");
    // Room for a few pages: the first picture's temporary fills it.
    let Some(output) = render_on_full_disk(&out, 16 * 1024, &back) else {
        available("tmpfs mounts (unshare -m)", false);
        return;
    };
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{message}");
    assert_eq!(message.trim().lines().count(), 1, "{message}");
    assert!(message.starts_with("error: "), "{message}");
    assert!(message.contains("No space left"), "{message}");
    // Display, not Debug: no `Os { code: 28, … }`.
    assert!(
        !message.contains("Os {") && !message.contains("kind:"),
        "{message}"
    );
    // The pictures and page of the last render are still whole, and no
    // temporary is left.
    for entry in std::fs::read_dir(&back).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        assert!(!name.starts_with(".tmp-"), "left {name}");
        let before = std::fs::read(out.join(&name)).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), before, "{name} changed");
    }
}
