//! `[train]` lists as sweep axes: parsing, enumeration order, labels, the
//! data sizes that do not apply, and errors.

use basinmap::spec::SweepSpec;
use basinmap::train::config::{Optimizer, Precision};
use std::path::Path;

fn spec(train: &str) -> Result<SweepSpec, String> {
    let text = format!(
        "name = \"t\"\nactivations = [\"relu\", \"selu\"]\n[grid]\na = 1.0\nb = 0.5\nc = [1.0, 2.0]\nd = 0.0\n[train]\n{train}\n"
    );
    SweepSpec::parse(&text, Path::new("t.toml")).map_err(|e| format!("{e:#}"))
}

#[test]
fn lists_enumerate_as_a_product_first_key_slowest() {
    let s =
        spec("lr = [0.01, 0.1]\noptimizer = [\"adam\", \"sgd\"]\nprecision = [\"f32\", \"f64\"]")
            .unwrap();
    assert_eq!(s.train.varying_keys(), ["lr", "optimizer", "precision"]);
    let variants = s.train.variants();
    assert_eq!(variants.len(), 8);
    let described: Vec<String> = variants.iter().map(|v| v.describe()).collect();
    assert_eq!(described[0], "lr=0.01, optimizer=adam, precision=f32");
    assert_eq!(described[1], "lr=0.01, optimizer=adam, precision=f64");
    assert_eq!(described[2], "lr=0.01, optimizer=sgd, precision=f32");
    assert_eq!(described[7], "lr=0.1, optimizer=sgd, precision=f64");
    let last = &variants[7].config;
    assert_eq!(
        (last.lr, last.optimizer, last.precision),
        (0.1, Optimizer::Sgd, Precision::F64)
    );
    // 8 variants x 2 activations x 2 points.
    assert_eq!(basinmap::grid::SweepGrid::new(&s).total_runs(), 32);
}

#[test]
fn data_sizes_that_do_not_apply_collapse() {
    let s = spec("data = { mode = [\"fixed\", \"fresh\"], n = 1024, batch = [64, 16] }").unwrap();
    let described: Vec<String> = s.train.variants().iter().map(|v| v.describe()).collect();
    assert_eq!(
        described,
        [
            "data.mode=fixed, data.batch=-",
            "data.mode=fresh, data.batch=64",
            "data.mode=fresh, data.batch=16"
        ]
    );
    let s = spec("data = { mode = [\"fixed\", \"fresh\"], n = [256, 1024], batch = 32 }").unwrap();
    let described: Vec<String> = s.train.variants().iter().map(|v| v.describe()).collect();
    assert_eq!(
        described,
        [
            "data.mode=fixed, data.n=256",
            "data.mode=fixed, data.n=1024",
            "data.mode=fresh, data.n=-"
        ]
    );
}

#[test]
fn a_list_of_one_is_not_an_axis_and_round_trips() {
    let s = spec("lr = [0.3]\nsteps = 10").unwrap();
    assert!(s.train.varying_keys().is_empty());
    assert_eq!(s.train.variants().len(), 1);
    assert_eq!(s.train.single().unwrap().lr, 0.3);
    // The stored spec keeps lists as lists.
    let text = toml::to_string(&s).unwrap();
    assert!(text.contains("lr = [0.3]"), "{text}");
    let again = SweepSpec::parse(&text, Path::new("again.toml")).unwrap();
    assert_eq!(again, s);
}

#[test]
fn several_values_need_a_pick_for_a_single_run() {
    let s = spec("lr = [0.01, 0.1]").unwrap();
    let message = s.train.single().unwrap_err();
    assert!(
        message.contains("train.lr") && message.contains("--lr"),
        "{message}"
    );
}

#[test]
fn empty_repeated_and_unknown_values_are_errors_naming_the_key() {
    for (train, words) in [
        ("lr = []", vec!["train.lr", "empty"]),
        ("steps = [10, 10]", vec!["train.steps", "twice"]),
        (
            "optimizer = [\"adam\", \"rmsprop\"]",
            vec!["rmsprop", "sgd", "t.toml:"],
        ),
        (
            "data = { mode = [\"fixed\", \"random\"] }",
            vec!["random", "fresh"],
        ),
        (
            "data = { batch = [64, 0], mode = \"fresh\" }",
            vec!["train.data.batch", "at least 1"],
        ),
        ("lr = [0.1, nan]", vec!["train.lr", "finite"]),
        ("steps = [100, 0]", vec!["train.steps", "at least 1"]),
    ] {
        let message = spec(train).unwrap_err();
        for word in words {
            assert!(
                message.contains(word),
                "{train}: '{word}' missing from: {message}"
            );
        }
    }
}
