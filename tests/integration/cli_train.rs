//! `basinmap train` and `basinmap data` through the real binary: the JSON
//! object, the trace file, the printed data, and every kind of bad input
//! (non-zero exit, one message naming the flag or file and what is valid, no
//! panic or backtrace).

use basinmap::classify::ClassifyConfig;
use basinmap::problem::activation::Activation;
use basinmap::problem::data::{DataSpec, uniform_stream};
use basinmap::train::config::TrainConfig;
use basinmap::train::{PreparedData, train_and_classify};
use std::path::Path;
use std::process::{Command, Output};

fn basinmap(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_basinmap"))
        .args(args)
        // A panic would then print a backtrace, which the checks look for.
        .env("RUST_BACKTRACE", "1")
        .output()
        .expect("basinmap starts")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 stdout")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn succeed(args: &[&str]) -> String {
    let o = basinmap(args);
    assert!(
        o.status.success(),
        "basinmap {args:?} failed: {}",
        stderr(&o)
    );
    stdout(&o)
}

/// Runs a command that must fail, and checks the common rules: non-zero
/// exit that is not a panic's (101), no panic or backtrace, one message
/// line (clap's standard "Usage:" and "For more information" lines aside)
/// starting with "error:". Returns that line.
fn fail(args: &[&str]) -> String {
    let o = basinmap(args);
    let err = stderr(&o);
    assert!(
        !o.status.success(),
        "basinmap {args:?} succeeded; stdout {}",
        stdout(&o)
    );
    assert_ne!(
        o.status.code(),
        Some(101),
        "basinmap {args:?} panicked: {err}"
    );
    for word in ["panicked", "backtrace", "RUST_BACKTRACE"] {
        assert!(
            !err.contains(word),
            "basinmap {args:?}: stderr mentions {word}: {err}"
        );
    }
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| {
            !l.trim().is_empty()
                && !l.starts_with("Usage:")
                && !l.starts_with("For more information")
        })
        .collect();
    assert_eq!(
        lines.len(),
        1,
        "basinmap {args:?}: expected one message line: {err}"
    );
    assert!(lines[0].starts_with("error:"), "{err}");
    assert!(
        stdout(&o).is_empty(),
        "basinmap {args:?}: printed results despite the error"
    );
    lines[0].to_string()
}

fn assert_mentions(message: &str, words: &[&str]) {
    for w in words {
        assert!(message.contains(w), "message lacks '{w}': {message}");
    }
}

const SPEC_START: &str = "1,0.5,1,-0.5";
const KEYS: [&str; 11] = [
    "activation",
    "converged_at",
    "eval_loss",
    "final",
    "label",
    "mean_loss",
    "settled",
    "settled_step",
    "start",
    "train_loss",
    "window",
];

/// The number after `"key":` in the JSON text, parsed by Rust's correctly
/// rounding parser (serde_json's default float parser may be off by an ulp,
/// which would hide or fake a bit-for-bit difference).
fn raw_number(json: &str, key: &str) -> f64 {
    let tag = format!("\"{key}\":");
    let at = json
        .find(&tag)
        .unwrap_or_else(|| panic!("no {key} in {json}"))
        + tag.len();
    let text: String = json[at..]
        .chars()
        .take_while(|c| !matches!(c, ',' | '}'))
        .collect();
    text.trim()
        .parse()
        .unwrap_or_else(|_| panic!("{key}: '{text}' is not a number"))
}

/// The number after `"key":` inside the object `"object":{...}`.
fn raw_field(json: &str, object: &str, key: &str) -> f64 {
    let tag = format!("\"{object}\":{{");
    let at = json
        .find(&tag)
        .unwrap_or_else(|| panic!("no {object} in {json}"));
    let end = at + json[at..].find('}').expect("object closes");
    raw_number(&json[at + tag.len() - 1..=end], key)
}

fn json_of(out: &str) -> serde_json::Map<String, serde_json::Value> {
    assert_eq!(
        out.trim_end().lines().count(),
        1,
        "exactly one line of JSON: {out}"
    );
    let value: serde_json::Value = serde_json::from_str(out).expect("valid JSON");
    value.as_object().expect("one JSON object").clone()
}

/// `xs` with each consecutive batch of `batch` values sorted: the order
/// `basinmap data` prints (the order the kernel uses).
fn sorted_batches(xs: &[f64], batch: usize) -> Vec<f64> {
    let mut xs = xs.to_vec();
    for chunk in xs.chunks_mut(batch) {
        chunk.sort_by(|a, b| a.partial_cmp(b).unwrap());
    }
    xs
}

#[test]
fn train_json_is_one_object_with_the_documented_keys() {
    for act in ["selu", "softplus"] {
        let out = succeed(&["train", "--act", act, "--start", SPEC_START, "--json"]);
        let obj = json_of(&out);
        let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(keys, KEYS, "{out}");
        assert_eq!(obj["activation"], act);
        let start: Vec<f64> = obj["start"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert_eq!(start, [1.0, 0.5, 1.0, -0.5]);
        let fin = obj["final"].as_object().unwrap();
        let mut fkeys: Vec<&str> = fin.keys().map(String::as_str).collect();
        fkeys.sort();
        assert_eq!(fkeys, ["a", "b", "c", "d"]);
        assert!(["a", "b", "c", "d"].iter().all(|k| fin[*k].is_number()));
        let params = ["a", "b", "c", "d"].map(|k| raw_field(&out, "settled", k));
        let settled = obj["settled"].as_object().unwrap();
        assert_eq!(settled.len(), 4);
        let settled_step = obj["settled_step"].as_u64().unwrap() as u32;
        let mean_loss = raw_number(&out, "mean_loss");
        let train_loss = raw_number(&out, "train_loss");
        let eval_loss = raw_number(&out, "eval_loss");
        let label = obj["label"].as_str().unwrap();
        let converged_at = &obj["converged_at"];
        assert!(
            converged_at.is_null() || converged_at.is_u64(),
            "{converged_at}"
        );

        // The same run through the library (defaults: 2000 steps, Adam tf1,
        // f32, fixed n = 1024 seed 0), bit for bit.
        let cfg = TrainConfig::default();
        let data = PreparedData::prepare(&cfg).unwrap();
        let activation: Activation = act.parse().unwrap();
        let want = train_and_classify(
            activation,
            &cfg,
            &ClassifyConfig::default(),
            &data,
            &[[1.0, 0.5, 1.0, -0.5]],
        )[0];
        assert_eq!(params, want.params, "{act}");
        assert_eq!(settled_step, want.settled_step);
        assert_eq!(mean_loss, want.mean_loss);
        assert!(
            (1901..=2000).contains(&settled_step),
            "in the last 100: {settled_step}"
        );
        assert_eq!(obj["window"], 100);
        assert_eq!(train_loss, want.train_loss);
        assert_eq!(eval_loss, want.eval_loss);
        assert_eq!(label, want.label.name());
        assert_eq!(converged_at.as_u64().map(|s| s as u32), want.converged_at);
        // the reference table (docs/science.md), data seed 0.
        assert_eq!(
            label,
            if act == "selu" {
                "stuck-linear"
            } else {
                "converged"
            }
        );
    }
}

#[test]
fn converged_at_is_a_number_when_converged() {
    // relu from its own solution: loss 0 from step 0.
    let out = succeed(&[
        "train", "--act", "relu", "--start", "1,0,1,0", "--steps", "5", "--json",
    ]);
    let obj = json_of(&out);
    assert_eq!(obj["label"], "converged");
    assert_eq!(obj["converged_at"], 0);
    assert_eq!(obj["eval_loss"], 0.0);
    // selu stuck: null.
    let out = succeed(&[
        "train",
        "--act",
        "selu",
        "--start",
        "1,0.5,1,0",
        "--steps",
        "100",
        "--json",
    ]);
    assert!(json_of(&out)["converged_at"].is_null());
}

#[test]
fn trace_has_a_header_and_one_row_per_step() {
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("t.csv");
    let steps = 37;
    let out = succeed(&[
        "train",
        "--act",
        "elu",
        "--start",
        SPEC_START,
        "--steps",
        &steps.to_string(),
        "--precision",
        "f64",
        "--json",
        "--trace",
        trace.to_str().unwrap(),
    ]);
    let obj = json_of(&out);
    let text = std::fs::read_to_string(&trace).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("step,loss,a,b,c,d"));
    let rows: Vec<Vec<f64>> = lines
        .map(|l| {
            l.split(',')
                .map(|f| f.parse::<f64>().unwrap_or_else(|_| panic!("'{f}' in {l}")))
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), steps + 1, "rows for steps 0..=steps");
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row.len(), 6);
        assert_eq!(row[0], i as f64, "step column");
        assert!(row[1].is_finite() && row[1] >= 0.0);
    }
    assert_eq!(rows[0][2..], [1.0, 0.5, 1.0, -0.5], "row 0 is the start");
    assert!(obj["final"].is_object());
    let last = &rows[steps];
    assert_eq!(
        last[2..],
        ["a", "b", "c", "d"].map(|k| raw_field(&out, "final", k)),
        "last row is the end"
    );
    // The settled row: its step, parameters and loss; the lowest of the
    // last 100 steps (here all 38 rows), the latest of equals.
    let settled = &rows[obj["settled_step"].as_u64().unwrap() as usize];
    assert_eq!(
        settled[2..],
        ["a", "b", "c", "d"].map(|k| raw_field(&out, "settled", k))
    );
    assert_eq!(settled[1], raw_number(&out, "train_loss"));
    assert!(rows.iter().all(|r| r[1] > settled[1] || r[0] <= settled[0]));
    let mean = rows.iter().map(|r| r[1]).sum::<f64>() / rows.len() as f64;
    assert_eq!(mean, raw_number(&out, "mean_loss"));
    // The loss column is the L1 loss of that row's parameters on the data.
    let xs = uniform_stream(0, 1024);
    for row in rows.iter().step_by(9) {
        let p = [row[2], row[3], row[4], row[5]];
        let want = basinmap::train::reference::loss(Activation::Elu, p, &xs);
        assert!(
            (row[1] - want).abs() < 1e-12,
            "step {}: {} vs {want}",
            row[0],
            row[1]
        );
    }
}

#[test]
fn data_prints_the_pinned_values() {
    // Pinned in tests/data.rs: x = k / 2^24 - 0.5.
    let seed0 = [
        10983995u32,
        11896311,
        12245184,
        7816869,
        8512166,
        11729677,
        9411464,
        1009504,
    ];
    let seed1 = [
        9217037u32, 6752588, 16518798, 1348614, 3540742, 10008619, 6490125, 3679655,
    ];
    for precision in ["f32", "f64"] {
        for (seed, ks) in [("0", seed0), ("1", seed1)] {
            let out = succeed(&["data", "--data-seed", seed, "--precision", precision]);
            let xs: Vec<f64> = out
                .lines()
                .map(|l| l.parse::<f64>().expect("a number per line"))
                .collect();
            assert_eq!(xs.len(), 1024, "default n");
            for k in ks {
                let x = k as f64 / 16_777_216.0 - 0.5;
                assert!(xs.contains(&x), "seed {seed} {precision}: {x}");
            }
            let stream = uniform_stream(seed.parse().unwrap(), 1024);
            assert_eq!(xs, sorted_batches(&stream, 1024));
        }
    }
    assert_eq!(
        succeed(&["data", "--data", "grid", "--n", "5"]),
        "-0.5\n-0.25\n0.0\n0.25\n0.5\n"
    );
    let grid: Vec<f64> = succeed(&["data", "--data", "grid", "--n", "5"])
        .lines()
        .map(|l| l.parse().unwrap())
        .collect();
    assert_eq!(grid, [-0.5, -0.25, 0.0, 0.25, 0.5]);
    // Fresh data: batch * steps values, the stream in use order (each
    // batch sorted).
    let out = succeed(&[
        "data",
        "--data",
        "fresh",
        "--batch",
        "8",
        "--steps",
        "3",
        "--data-seed",
        "4",
    ]);
    let xs: Vec<f64> = out.lines().map(|l| l.parse().unwrap()).collect();
    assert_eq!(xs, sorted_batches(&uniform_stream(4, 24), 8));
}

#[test]
fn data_reads_a_spec_and_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("s.toml");
    std::fs::write(
        &spec,
        "[train]\ndata = { mode = \"fixed\", n = 7, seed = 1 }\n",
    )
    .unwrap();
    let xs: Vec<f64> = succeed(&["data", spec.to_str().unwrap()])
        .lines()
        .map(|l| l.parse().unwrap())
        .collect();
    assert_eq!(xs, sorted_batches(&uniform_stream(1, 7), 7));
    let file = dir.path().join("x.csv");
    std::fs::write(&file, "x\n0.125\n-0.3\n0.1\n").unwrap();
    let out = succeed(&[
        "data",
        "--data-file",
        file.to_str().unwrap(),
        "--precision",
        "f64",
    ]);
    assert_eq!(out, "-0.3\n0.1\n0.125\n");
    // Trained in f32, a file's x values are rounded to f32: printed as that.
    let out = succeed(&["data", "--data-file", file.to_str().unwrap()]);
    let xs: Vec<f64> = out.lines().map(|l| l.parse().unwrap()).collect();
    assert_eq!(xs, [-0.3f32 as f64, 0.1f32 as f64, 0.125]);
}

#[test]
fn malformed_start_is_refused() {
    let valid = ["--start", "a,b,c,d", "four"];
    for start in [
        "1,2,3",
        "1,2,3,4,5",
        "",
        "x,0,1,0",
        "1,0.5,1,zero",
        "1;0.5;1;0",
    ] {
        let m = fail(&["train", "--act", "relu", "--start", start]);
        assert_mentions(&m, &valid[..2]);
        assert!(
            m.contains("four") || m.contains("not a number"),
            "says what is valid: {m}"
        );
    }
    for start in ["nan,0.5,1,0", "1,0.5,inf,0", "1,0.5,1,-NaN"] {
        let m = fail(&["train", "--act", "relu", "--start", start]);
        assert_mentions(&m, &["--start", "not a finite number"]);
    }
}

#[test]
fn unknown_activation_lists_the_valid_ones() {
    for name in ["sigmoid", "ReLU", ""] {
        let m = fail(&["train", "--act", name, "--start", SPEC_START]);
        assert_mentions(&m, &["--act"]);
        for act in Activation::ALL {
            assert!(m.contains(act.name()), "{m}");
        }
    }
}

#[test]
fn zero_steps_and_zero_data_are_refused() {
    for (flag, extra) in [
        ("--steps", &[][..]),
        ("--n", &[][..]),
        ("--n", &["--data", "grid"][..]),
        ("--batch", &["--data", "fresh"][..]),
    ] {
        let mut args = vec!["train", "--act", "relu", "--start", SPEC_START, flag, "0"];
        args.extend_from_slice(extra);
        let m = fail(&args);
        assert_mentions(&m, &[flag, "1.."]);
        // Same for `data`.
        let mut args = vec!["data", flag, "0"];
        args.extend_from_slice(extra);
        assert_mentions(&fail(&args), &[flag]);
    }
    // A one-point grid cannot span [-0.5, 0.5].
    let m = fail(&[
        "train", "--act", "relu", "--start", SPEC_START, "--data", "grid", "--n", "1",
    ]);
    assert_mentions(&m, &["n = 1", "at least 2"]);
}

#[test]
fn nan_anywhere_is_refused() {
    for (flag, value) in [
        ("--lr", "nan"),
        ("--lr", "inf"),
        ("--converged-loss", "NaN"),
    ] {
        let m = fail(&["train", "--act", "relu", "--start", SPEC_START, flag, value]);
        assert_mentions(&m, &[flag, "not a finite number"]);
    }
    for (flag, value) in [("--lr", "0"), ("--lr", "-0.1")] {
        let m = fail(&[
            "train",
            "--act",
            "relu",
            "--start",
            SPEC_START,
            &format!("{flag}={value}"),
        ]);
        assert_mentions(&m, &[flag]);
    }
}

#[test]
fn unknown_choices_list_the_valid_ones() {
    for (flag, value, valid) in [
        ("--data", "random", &["fixed", "fresh", "grid", "file"][..]),
        ("--precision", "f16", &["f32", "f64"][..]),
        ("--optimizer", "rmsprop", &["adam", "sgd"][..]),
        ("--adam", "keras", &["tf1", "pytorch"][..]),
    ] {
        let m = fail(&["train", "--act", "relu", "--start", SPEC_START, flag, value]);
        assert_mentions(&m, &[flag, value]);
        assert_mentions(&m, valid);
    }
    let m = fail(&[
        "train", "--act", "relu", "--start", SPEC_START, "--data", "file",
    ]);
    assert_mentions(&m, &["--data-file"]);
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn bad_data_files_are_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.txt");
    let cases = [
        (missing.to_str().unwrap().to_string(), vec!["missing.txt"]),
        (
            write(dir.path(), "empty.txt", ""),
            vec!["empty.txt", "one number per line"],
        ),
        (
            write(dir.path(), "header_only.csv", "x\n"),
            vec!["header_only.csv", "one number per line"],
        ),
        (
            write(dir.path(), "words.txt", "0.1\nabc\n"),
            vec!["words.txt", "line 2", "'abc'", "one x value per line"],
        ),
        (
            write(dir.path(), "nan.txt", "0.1\nnan\n0.2\n"),
            vec!["nan.txt", "line 2", "not a finite number"],
        ),
        (
            write(dir.path(), "two.csv", "x,y\n0.1,0.2\n"),
            vec!["two.csv", "more than one column"],
        ),
    ];
    for (path, words) in cases {
        for cmd in ["train", "data"] {
            let mut args = vec![cmd, "--data-file", &path];
            if cmd == "train" {
                args.extend(["--act", "relu", "--start", SPEC_START]);
            }
            assert_mentions(&fail(&args), &words);
        }
    }
}

#[test]
fn bad_spec_files_are_refused_naming_file_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "zero_steps.toml",
            "[train]\nsteps = 0\n",
            vec!["zero_steps.toml", "train.steps", "at least 1"],
        ),
        (
            "unknown_key.toml",
            "[train]\nsteps = 10\nstepz = 10\n",
            vec!["unknown_key.toml", "stepz", "steps"],
        ),
        (
            "unknown_classify.toml",
            "[classify]\nconverged = 0.1\n",
            vec!["unknown_classify.toml", "converged", "converged_loss"],
        ),
        (
            "zero_n.toml",
            "[train]\ndata = { n = 0 }\n",
            vec!["zero_n.toml", "data.n"],
        ),
        (
            "nan_lr.toml",
            "[train]\nlr = nan\n",
            vec!["nan_lr.toml", "train.lr"],
        ),
        (
            "bad_mode.toml",
            "[train]\ndata = { mode = \"random\" }\n",
            vec!["bad_mode.toml", "random"],
        ),
    ];
    for (name, text, words) in cases {
        let path = write(dir.path(), name, text);
        let m = fail(&[
            "train", "--act", "relu", "--start", SPEC_START, "--spec", &path,
        ]);
        assert_mentions(&m, &words);
        assert_mentions(&fail(&["data", &path]), &words);
    }
    let missing = dir.path().join("nope.toml");
    let m = fail(&[
        "train",
        "--act",
        "relu",
        "--start",
        SPEC_START,
        "--spec",
        missing.to_str().unwrap(),
    ]);
    assert_mentions(&m, &["nope.toml"]);
}

#[test]
fn spec_settings_apply_and_flags_override_them() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(
        dir.path(),
        "s.toml",
        "[train]\nsteps = 30\nprecision = \"f64\"\ndata = { mode = \"fixed\", n = 64, seed = 2 }\n[classify]\nconverged_loss = 0.5\n",
    );
    let run = |extra: &[&str]| {
        let mut args = vec![
            "train", "--act", "softplus", "--start", SPEC_START, "--spec", &spec, "--json",
        ];
        args.extend_from_slice(extra);
        let out = succeed(&args);
        (json_of(&out), out)
    };
    let library = |cfg: &TrainConfig, classify: &ClassifyConfig| {
        let data = PreparedData::prepare(cfg).unwrap();
        train_and_classify(
            Activation::Softplus,
            cfg,
            classify,
            &data,
            &[[1.0, 0.5, 1.0, -0.5]],
        )[0]
    };
    let mut cfg = TrainConfig {
        steps: 30,
        precision: basinmap::train::config::Precision::F64,
        data: DataSpec {
            n: 64,
            seed: 2,
            ..DataSpec::default()
        },
        ..TrainConfig::default()
    };
    let classify = ClassifyConfig {
        converged_loss: 0.5,
        ..ClassifyConfig::default()
    };
    let (obj, out) = run(&[]);
    let want = library(&cfg, &classify);
    assert_eq!(raw_field(&out, "settled", "a"), want.params[0]);
    assert_eq!(obj["label"], want.label.name());
    assert_eq!(
        obj["label"], "converged",
        "the spec's converged_loss = 0.5 applies"
    );
    cfg.steps = 12;
    let (_, out) = run(&["--steps", "12"]);
    assert_eq!(
        raw_field(&out, "settled", "d"),
        library(&cfg, &classify).params[3]
    );
}

#[test]
fn a_trace_that_cannot_be_written_names_the_file() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    // 2000 steps overflow the writer's buffer, so the failure comes from a
    // row, not from the final flush.
    let out = basinmap(&[
        "train",
        "--act",
        "selu",
        "--start",
        SPEC_START,
        "--trace",
        "/dev/full",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot write --trace /dev/full") && err.lines().count() == 1,
        "{err}"
    );
}
