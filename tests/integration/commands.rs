//! Commands through the real binary that no other module drives end to end:
//! `render DIR` in both formats, `open`, `bench`, a sweep on `file` data,
//! and a sweep with non-default Adam constants.

use crate::util::xml::check_xml;
use crate::util::{basinmap, ok, refused, run, sorted_rows, stderr, stdout, write_spec};
use basinmap::classify::ClassifyConfig;
use basinmap::problem::activation::Activation;
use basinmap::train::config::TrainConfig;
use basinmap::train::{PreparedData, train_and_classify};
use std::path::Path;

const TINY: &str = r#"
name = "tiny"
activations = ["relu", "softplus"]
[grid]
a = 1.0
b = 0.5
c = [-1.0, 1.0]
d = [-0.5, 0.0, 0.5]
[train]
steps = 200
data = { mode = "fixed", n = 64, seed = 3 }
"#;

fn run_spec(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let spec = write_spec(dir, &format!("{name}.toml"), text);
    let out = dir.join(name);
    ok(&run(&[
        "run",
        spec.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]));
    out
}

#[test]
fn render_redraws_every_picture_as_png_or_svg() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run_spec(tmp.path(), "tiny", TINY);
    for picture in [
        "outcome-c-d",
        "compare-selu-softplus-c-d",
        "speed-c-d",
        "loss-c-d",
    ] {
        // No compare map: the sweep does not run selu.
        let exists = out.join(format!("{picture}.png")).exists();
        assert_eq!(exists, !picture.starts_with("compare"), "{picture}");
    }
    std::fs::remove_file(out.join("outcome-c-d.png")).unwrap();
    let printed = ok(&run(&["render", out.to_str().unwrap()]));
    assert!(out.join("outcome-c-d.png").exists(), "redrawn");
    assert!(printed.contains("12 of 12 runs drawn"), "{printed}");

    let printed = ok(&run(&["render", out.to_str().unwrap(), "--format", "svg"]));
    for line in printed.lines().filter(|l| l.ends_with(".svg")) {
        let text = std::fs::read_to_string(line).unwrap();
        check_xml(&text).unwrap_or_else(|e| panic!("{line}: {e}"));
    }
    assert_eq!(printed.lines().filter(|l| l.ends_with(".svg")).count(), 3);
    let page = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(page.contains("outcome-c-d.svg"), "the page shows the SVGs");

    let bad = run(&["render", out.to_str().unwrap(), "--format", "gif"]);
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("png, svg"), "{}", stderr(&bad));
}

#[test]
fn open_hands_the_page_to_the_desktop_viewer_or_says_where_it_is() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run_spec(tmp.path(), "tiny", TINY);
    // A stand-in xdg-open that records what it was asked to open.
    let bin = tmp.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let record = tmp.path().join("opened.txt");
    let script = bin.join("xdg-open");
    std::fs::write(
        &script,
        format!("#!/bin/sh\necho \"$1\" > {}\n", record.display()),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let page = out.join("index.html").canonicalize().unwrap();

    let opened = basinmap()
        .args(["open", out.to_str().unwrap()])
        .env("PATH", &bin)
        .env("DISPLAY", ":0")
        .output()
        .unwrap();
    assert_eq!(stdout(&opened).trim(), format!("opened {}", page.display()));
    let asked = std::fs::read_to_string(&record).unwrap();
    assert_eq!(asked.trim(), page.display().to_string());

    // No desktop: the path to open by hand.
    let headless = basinmap()
        .args(["open", out.to_str().unwrap()])
        .env("PATH", &bin)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    assert!(headless.status.success());
    assert!(
        stdout(&headless).contains(&format!("open this file in a browser: {}", page.display())),
        "{}",
        stdout(&headless)
    );
    // No page yet: says how to draw it.
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    refused(&run(&["open", empty.to_str().unwrap()]), "basinmap render");
}

#[test]
fn bench_prints_one_row_per_activation_precision_kernel_size_and_thread_count() {
    let printed = ok(&run(&[
        "bench",
        "--act",
        "relu,selu",
        "--precision",
        "f64",
        "--models",
        "64",
        "--steps",
        "5",
        "--repeats",
        "1",
        "--threads",
        "2",
        "--kernel",
        "direct,auto",
        "--n",
        "64,128",
    ]));
    let rows: Vec<Vec<&str>> = printed
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().collect())
        .collect();
    // activation, precision, kernel, points, threads: the last varies fastest.
    let mut want = Vec::new();
    for act in ["relu", "selu"] {
        for kernel in ["direct", "auto"] {
            for points in ["64", "128"] {
                for threads in ["1", "2"] {
                    want.push([act, "f64", kernel, points, threads]);
                }
            }
        }
    }
    assert_eq!(rows.len(), want.len(), "{printed}");
    for (row, want) in rows.iter().zip(&want) {
        assert_eq!(&row[..5], want, "{printed}");
        let rate: f64 = row[5].parse().unwrap();
        assert!(rate > 0.0 && rate.is_finite(), "{printed}");
    }
}

#[test]
fn a_sweep_on_file_data_trains_on_exactly_those_values() {
    let tmp = tempfile::tempdir().unwrap();
    let xs = "# x values\n-0.4\n-0.1\n0.05\n0.2\n0.45\n";
    std::fs::write(tmp.path().join("xs.txt"), xs).unwrap();
    let text = TINY.replace(
        "data = { mode = \"fixed\", n = 64, seed = 3 }",
        "data = { mode = \"file\", file = \"xs.txt\" }",
    );
    let out = run_spec(tmp.path(), "file", &text);
    let rows = sorted_rows(&out);
    assert_eq!(rows.len(), 12);
    // The library on the same five values gives the same rows.
    let mut cfg = TrainConfig {
        steps: 200,
        ..TrainConfig::default()
    };
    cfg.data.mode = basinmap::problem::data::DataMode::File;
    cfg.data.file = Some(tmp.path().join("xs.txt"));
    let data = PreparedData::prepare(&cfg).unwrap();
    let start = [1.0, 0.5, 1.0, 0.0];
    let want = train_and_classify(
        Activation::Softplus,
        &cfg,
        &ClassifyConfig::default(),
        &data,
        &[start],
    )[0];
    let row = rows
        .iter()
        .find(|r| r.starts_with("1.0,0.5,1.0,0.0,softplus,"))
        .expect("the softplus run from c = 1, d = 0");
    let fields: Vec<&str> = row.split(',').collect();
    assert_eq!(fields[6].parse::<f64>().unwrap(), want.params[0]);
    assert_eq!(fields[12], want.label.name());
    // The data file's bytes are part of the sweep's identity.
    let meta = std::fs::read_to_string(out.join("sweep.json")).unwrap();
    assert!(meta.contains("sha256="), "{meta}");

    // The directory keeps its own copy: with the original moved away and a
    // changed file in its place, every command still reads the sweep.
    assert_eq!(std::fs::read_to_string(out.join("data.txt")).unwrap(), xs);
    std::fs::rename(tmp.path().join("xs.txt"), tmp.path().join("moved.txt")).unwrap();
    std::fs::write(tmp.path().join("xs.txt"), "0.3\n").unwrap();
    let dir = out.to_str().unwrap();
    for args in [
        vec!["status", dir],
        vec!["summary", dir],
        vec!["render", dir],
        vec!["resume", dir, "--quiet"],
    ] {
        ok(&run(&args));
    }
    assert_eq!(sorted_rows(&out).len(), 12, "nothing rerun or lost");
    let spec_copy = out.join("spec.toml");
    let again = run(&[
        "train",
        "--spec",
        spec_copy.to_str().unwrap(),
        "--act",
        "softplus",
        "--start",
        "1,0.5,1,0",
        "--json",
    ]);
    ok(&again);
    let json: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(json["settled"]["a"].as_f64().unwrap(), want.params[0]);
}

#[test]
fn a_sweep_with_other_adam_constants_uses_them() {
    let tmp = tempfile::tempdir().unwrap();
    let text = TINY.replace(
        "steps = 200\n",
        "steps = 200\nbeta1 = 0.5\nbeta2 = 0.9\neps = 0.001\n",
    );
    let out = run_spec(tmp.path(), "adam", &text);
    let defaults = run_spec(tmp.path(), "defaults", TINY);
    let (rows, default_rows) = (sorted_rows(&out), sorted_rows(&defaults));
    assert_eq!(rows.len(), default_rows.len());
    assert_ne!(rows, default_rows, "the constants change the runs");
    let mut cfg = TrainConfig {
        steps: 200,
        beta1: 0.5,
        beta2: 0.9,
        eps: 0.001,
        ..TrainConfig::default()
    };
    cfg.data.n = 64;
    cfg.data.seed = 3;
    let data = PreparedData::prepare(&cfg).unwrap();
    let want = train_and_classify(
        Activation::Relu,
        &cfg,
        &ClassifyConfig::default(),
        &data,
        &[[1.0, 0.5, -1.0, 0.5]],
    )[0];
    let row = rows
        .iter()
        .find(|r| r.starts_with("1.0,0.5,-1.0,0.5,relu,"))
        .unwrap();
    let fields: Vec<&str> = row.split(',').collect();
    let params: Vec<f64> = fields[6..10].iter().map(|f| f.parse().unwrap()).collect();
    assert_eq!(params, want.params);
    let stored = std::fs::read_to_string(out.join("spec.toml")).unwrap();
    assert!(stored.contains("beta1 = 0.5"), "{stored}");
}

/// A spec whose `[train]` lists data regimes and learning rates.
const LISTED: &str = r#"
name = "listed"
activations = ["relu"]
[grid]
a = 1.0
b = 0.5
c = 1.0
d = 0.0
[train]
steps = 20
lr = [0.05, 0.1]
data = { mode = ["fixed", "fresh"], n = 16, batch = [8, 4] }
"#;

#[test]
fn listed_settings_name_the_flag_that_picks_one() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = write_spec(tmp.path(), "listed.toml", LISTED);
    let spec = spec.to_str().unwrap();
    let train = |extra: &[&str]| {
        let mut args = vec![
            "train",
            "--act",
            "relu",
            "--start",
            "1,0.5,1,0",
            "--spec",
            spec,
        ];
        args.extend_from_slice(extra);
        run(&args)
    };
    let refused = train(&["--lr", "0.1"]);
    assert!(!refused.status.success());
    let message = stderr(&refused);
    assert!(
        message.contains("train.data.mode lists several values"),
        "{message}"
    );
    assert!(
        message.contains("with --data on the command line"),
        "{message}"
    );
    // The flag is --data; there is no --mode.
    assert!(!message.contains("--mode"), "{message}");
    // Fixed data uses no batch size: the listed batches are no choice.
    ok(&train(&["--lr", "0.1", "--data", "fixed"]));
    let refused = train(&["--lr", "0.1", "--data", "fresh"]);
    assert!(
        stderr(&refused).contains("with --batch"),
        "{}",
        stderr(&refused)
    );

    // The data do not depend on the learning rate.
    let xs = ok(&run(&["data", spec, "--data", "fixed"]));
    assert_eq!(xs.lines().count(), 16);
    // One spec, not two.
    let both = run(&["data", spec, "--spec", spec]);
    assert_eq!(both.status.code(), Some(2));
    assert!(
        stderr(&both).contains("cannot be used with"),
        "{}",
        stderr(&both)
    );
}
