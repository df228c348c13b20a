//! Bad specs: each is refused before anything runs, with a message naming
//! the file and the key, and no results directory is left behind.

use crate::util::{run, stderr, write_spec};

const GOOD: &str = r#"name = "ok"
activations = ["relu", "selu"]
replicates = 1
[grid]
a = 1.0
b = 0.5
c = { from = -2.0, to = 2.0, points = 3 }
d = [-0.5, 0.0]
[train]
steps = 10
data = { mode = "fixed", n = 8, seed = 0 }
[classify]
converged_loss = 0.03
"#;

/// (what is wrong, edit of the good spec, words the message must contain)
fn cases() -> Vec<(&'static str, String, Vec<&'static str>)> {
    let edit = |from: &str, to: &str| {
        assert!(GOOD.contains(from), "{from}");
        GOOD.replace(from, to)
    };
    vec![
        (
            "unknown top-level key",
            edit("replicates = 1", "replicates = 1\ncolour = 3"),
            vec!["colour", ":4:"],
        ),
        (
            "unknown train key",
            edit("steps = 10", "stepz = 10"),
            vec!["stepz", "steps", ":10:"],
        ),
        (
            "unknown activation",
            edit("\"selu\"", "\"swish\""),
            vec!["swish", "softplus", ":2:"],
        ),
        (
            "empty activations",
            edit("[\"relu\", \"selu\"]", "[]"),
            vec!["activations", "relu"],
        ),
        (
            "duplicate activation",
            edit("\"selu\"", "\"relu\""),
            vec!["activations", "relu", "twice"],
        ),
        (
            "inverted range",
            edit("from = -2.0, to = 2.0", "from = 2.0, to = -2.0"),
            vec!["grid.c", "inverted"],
        ),
        (
            "zero points",
            edit("points = 3", "points = 0"),
            vec!["grid.c", "points = 0"],
        ),
        (
            "empty list",
            edit("d = [-0.5, 0.0]", "d = []"),
            vec!["grid.d", "empty"],
        ),
        (
            "nan value",
            edit("a = 1.0", "a = nan"),
            vec!["grid.a", "finite"],
        ),
        (
            "infinite range end",
            edit("to = 2.0", "to = inf"),
            vec!["grid.c", "finite"],
        ),
        (
            "zero steps",
            edit("steps = 10", "steps = 0"),
            vec!["train.steps", "at least 1"],
        ),
        (
            "zero data",
            edit("n = 8", "n = 0"),
            vec!["train.data.n", "at least 1"],
        ),
        (
            "zero replicates",
            edit("replicates = 1", "replicates = 0"),
            vec!["replicates", "at least 1"],
        ),
        (
            "unknown data mode",
            edit("mode = \"fixed\"", "mode = \"random\""),
            vec!["random", "fresh"],
        ),
        (
            "unknown optimizer",
            edit("steps = 10", "steps = 10\noptimizer = \"rmsprop\""),
            vec!["rmsprop", "adam", "sgd"],
        ),
        (
            "nan learning rate",
            edit("steps = 10", "steps = 10\nlr = nan"),
            vec!["train.lr", "finite"],
        ),
        (
            "negative threshold",
            edit("converged_loss = 0.03", "converged_loss = -1.0"),
            vec!["classify.converged_loss"],
        ),
        ("missing axis", edit("d = [-0.5, 0.0]\n", ""), vec!["d"]),
        (
            "unknown range key",
            edit("points = 3", "points = 3, step = 1"),
            vec!["step", "points"],
        ),
        (
            "text where a number belongs",
            edit("a = 1.0", "a = \"one\""),
            vec!["a number", ":5:"],
        ),
        (
            "file mode without file",
            edit("mode = \"fixed\"", "mode = \"file\""),
            vec!["train.data.file"],
        ),
        (
            "name with a slash",
            edit("name = \"ok\"", "name = \"a/b\""),
            vec!["name"],
        ),
        (
            "not TOML at all",
            "name = \"ok\"\nthis is not toml".to_string(),
            vec![":2:"],
        ),
    ]
}

#[test]
fn every_bad_spec_is_refused_naming_file_and_key_and_leaves_no_results() {
    let tmp = tempfile::tempdir().unwrap();
    let good = write_spec(tmp.path(), "good.toml", GOOD);
    let out = tmp.path().join("out-good");
    let output = run(&[
        "run",
        good.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(
        output.status.success(),
        "the good spec must run: {}",
        stderr(&output)
    );

    let cases = cases();
    assert!(cases.len() >= 12);
    for (index, (what, text, words)) in cases.into_iter().enumerate() {
        let file = format!("bad-{index}.toml");
        let spec = write_spec(tmp.path(), &file, &text);
        let out = tmp.path().join(format!("out-{index}"));
        let output = run(&[
            "run",
            spec.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ]);
        let message = stderr(&output);
        assert!(!output.status.success(), "{what}: accepted");
        assert!(
            message.contains(&file),
            "{what}: message does not name the file: {message}"
        );
        for word in words {
            assert!(
                message.contains(word),
                "{what}: message lacks '{word}': {message}"
            );
        }
        assert!(!message.contains("panicked"), "{what}: {message}");
        assert_eq!(
            message.trim().lines().count(),
            1,
            "{what}: not one line: {message}"
        );
        assert!(!out.exists(), "{what}: left a results directory behind");
    }
}

#[test]
fn shard_and_thread_flags_are_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let good = write_spec(tmp.path(), "good.toml", GOOD);
    for (flag, value) in [
        ("--shard", "0/3"),
        ("--shard", "4/3"),
        ("--shard", "x"),
        ("--threads", "0"),
    ] {
        let out = tmp.path().join("out");
        let output = run(&[
            "run",
            good.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            flag,
            value,
        ]);
        assert!(!output.status.success(), "{flag} {value} accepted");
        let message = stderr(&output);
        assert!(message.contains(flag), "{message}");
        assert!(!out.exists());
    }
}
