//! Issue 14, "prove it": valid specs mutated at random (types, numbers,
//! keys, nesting, raw bytes) never crash basinmap. Each is a sweep or one
//! error line naming the spec, and a refused one leaves no directory.
//!
//! The bulk runs in-process through what `run` checks before it creates
//! anything ([`SweepSpec::load`], [`preflight::check`]); a few hundred go
//! through the binary, whose verdict must be the same. The cases are drawn
//! from a fixed seed, so a failure reproduces.

use crate::util::{basinmap, stderr};
use basinmap::grid::{Shard, SweepGrid};
use basinmap::spec::SweepSpec;
use basinmap::sweep::preflight;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::time::Instant;
use toml::Value;

/// Valid specs to start from: a grid with listed training settings, a
/// sample over file data, and listed data regimes in both precisions.
const BASES: [&str; 3] = [
    r#"name = "fuzz"
activations = ["relu", "selu"]
replicates = 2
[grid]
a = 1.0
b = [0.5, -0.25]
c = { from = -2.0, to = 2.0, points = 3 }
d = { from = -2.0, to = 2.0, points = 3 }
[train]
steps = 20
lr = [0.05, 0.1]
data = { mode = "fixed", n = 16, seed = 3 }
[classify]
converged_loss = 0.001
[render]
compare = ["relu", "selu"]
pin = { a = 1.0, b = 0.5 }
"#,
    r#"name = "fuzz-file"
activations = ["softplus", "elu"]
[grid]
a = { from = 0.5, to = 1.5 }
b = { from = -1.0, to = 1.0 }
c = [1.0, 2.0]
d = 0.0
sample = { n = 8, seed = 1 }
[train]
steps = 10
optimizer = "sgd"
precision = "f64"
data = { mode = "file", file = "xs.txt" }
"#,
    r#"name = "fuzz-data"
activations = ["gelu"]
[grid]
a = 1.0
b = 0.5
c = { from = -1.0, to = 1.0, points = 2 }
d = [0.0, 0.5]
[train]
steps = 12
adam = "pytorch"
precision = ["f32", "f64"]
data = { mode = ["fixed", "fresh", "grid"], n = 8, batch = [4, 2], seed = 5 }
"#,
];

/// The data file the second base reads.
const XS: &str = "x\n-0.4\n-0.1\n0.2\n0.45\n";

/// One change to a spec: `kind` says what, `at` where (an index into its
/// values, or its bytes), `with` with what (an index into a table).
#[derive(Clone, Debug)]
struct Mutation {
    kind: u8,
    at: u32,
    with: u32,
}

const KINDS: u8 = 9;

fn cases() -> impl Strategy<Value = (usize, Vec<Mutation>)> {
    let mutation = (0..KINDS, any::<u32>(), any::<u32>()).prop_map(|(kind, at, with)| Mutation {
        kind,
        at,
        with,
    });
    (0..BASES.len(), prop::collection::vec(mutation, 1..4))
}

/// Values a key may be given instead of its own: edges of every type.
fn replacements() -> Vec<Value> {
    let table = |text: &str| -> Value { text.parse::<toml::Table>().unwrap().into() };
    let mut values: Vec<Value> = [
        0,
        1,
        -1,
        2,
        3,
        64,
        100_000,
        4_294_967_295,
        4_294_967_296,
        1_000_000_000_000,
        i64::MAX,
        i64::MIN,
    ]
    .into_iter()
    .map(Value::Integer)
    .collect();
    values.extend(
        [
            0.0,
            -0.0,
            0.5,
            1.0,
            -2.0,
            1.000_000_000_000_000_2,
            1e300,
            -1e308,
            f64::NAN,
            f64::INFINITY,
            5e-324,
        ]
        .map(Value::Float),
    );
    let long = "x".repeat(300);
    values.extend(
        [
            "",
            "relu",
            "selu",
            "softplus",
            "fixed",
            "fresh",
            "grid",
            "file",
            "f32",
            "f64",
            "adam",
            "sgd",
            "tf1",
            "missing.txt",
            "xs.txt",
            "é",
            "a/b",
            "\u{1}",
            &long,
            "../..",
        ]
        .map(|s| Value::String(s.to_string())),
    );
    values.push(Value::Boolean(true));
    values.extend([
        Value::Array(vec![]),
        Value::Array(vec![Value::Float(1.0), Value::Float(1.0)]),
        Value::Array(vec![
            Value::String("relu".into()),
            Value::String("relu".into()),
        ]),
        Value::Array(vec![Value::Integer(1), Value::String("x".into())]),
        table(""),
        table("from = 1.0\nto = 1.0\npoints = 3"),
        table("from = -1e308\nto = 1e308\npoints = 3"),
        table("from = 0.0\nto = 1.0\npoints = 100000"),
        table("n = 5\nseed = 1"),
        table("mode = \"file\""),
    ]);
    values
}

/// Keys a key may be renamed to, or nested under: every key of a spec,
/// and one that none has.
const KEYS: [&str; 34] = [
    "name",
    "activations",
    "replicates",
    "grid",
    "a",
    "b",
    "c",
    "d",
    "sample",
    "n",
    "seed",
    "from",
    "to",
    "points",
    "train",
    "steps",
    "lr",
    "optimizer",
    "adam",
    "precision",
    "data",
    "mode",
    "batch",
    "file",
    "classify",
    "converged_loss",
    "dead_range",
    "linear_deviation",
    "diverged_magnitude",
    "window",
    "render",
    "pin",
    "compare",
    "bogus",
];

#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

/// The path to every value below `value`, parents before children.
fn paths(value: &Value, prefix: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    let children: Vec<(Step, &Value)> = match value {
        Value::Table(t) => t.iter().map(|(k, v)| (Step::Key(k.clone()), v)).collect(),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .map(|(i, v)| (Step::Index(i), v))
            .collect(),
        _ => return,
    };
    for (step, child) in children {
        prefix.push(step);
        out.push(prefix.clone());
        paths(child, prefix, out);
        prefix.pop();
    }
}

fn get_mut<'a>(value: &'a mut Value, path: &[Step]) -> &'a mut Value {
    path.iter().fold(value, |v, step| match (v, step) {
        (Value::Table(t), Step::Key(k)) => t.get_mut(k).unwrap(),
        (Value::Array(a), Step::Index(i)) => &mut a[*i],
        _ => unreachable!("paths lead to values"),
    })
}

/// Applies a mutation of the spec's structure (kinds 0 to 6).
fn mutate_value(root: &mut Value, m: &Mutation, pool: &[Value]) {
    let mut all = Vec::new();
    paths(root, &mut Vec::new(), &mut all);
    let Some(path) = all.get(m.at as usize % all.len().max(1)).cloned() else {
        return;
    };
    let with = m.with as usize;
    let (parent_path, last) = path.split_at(path.len() - 1);
    match m.kind {
        // A value of another kind or size.
        0 => *get_mut(root, &path) = pool[with % pool.len()].clone(),
        // The same value as another type.
        1 => {
            let value = get_mut(root, &path);
            *value = match (value.clone(), with % 3) {
                (Value::Integer(i), 0) => Value::Float(i as f64),
                (Value::Integer(i), 1) => Value::String(i.to_string()),
                (Value::Float(f), 0) => Value::Integer(f as i64),
                (Value::Float(f), 1) => Value::String(f.to_string()),
                (Value::String(s), 0) => Value::Array(vec![Value::String(s)]),
                (Value::String(s), _) => Value::Integer(s.len() as i64),
                (Value::Array(mut a), 0) if !a.is_empty() => a.swap_remove(0),
                (Value::Table(t), 0) => Value::Array(vec![Value::Table(t)]),
                (other, _) => Value::String(other.to_string()),
            };
        }
        // A key removed.
        2 => match (get_mut(root, parent_path), &last[0]) {
            (Value::Table(t), Step::Key(k)) => {
                t.remove(k);
            }
            (Value::Array(a), Step::Index(i)) => {
                a.remove(*i);
            }
            _ => {}
        },
        // A key renamed.
        3 => {
            if let (Value::Table(t), Step::Key(k)) = (get_mut(root, parent_path), &last[0])
                && let Some(v) = t.remove(k)
            {
                t.insert(KEYS[with % KEYS.len()].to_string(), v);
            }
        }
        // Nested one level deeper, or copied to the top.
        4 => {
            let value = get_mut(root, &path);
            match with % 3 {
                0 => *value = Value::Array(vec![value.clone()]),
                1 => {
                    let mut table = toml::Table::new();
                    table.insert(KEYS[(with / 3) % KEYS.len()].to_string(), value.clone());
                    *value = Value::Table(table);
                }
                _ => {
                    let copy = value.clone();
                    if let (Value::Table(top), Step::Key(k)) = (&mut *root, &path[path.len() - 1]) {
                        top.insert(k.clone(), copy);
                    }
                }
            }
        }
        // A list grown, or a value listed twice.
        5 => {
            let value = get_mut(root, &path);
            match value {
                Value::Array(a) if !a.is_empty() => {
                    let first = a[0].clone();
                    a.extend(std::iter::repeat_n(first, 1 + with % 8));
                }
                other => *other = Value::Array(vec![other.clone(), other.clone()]),
            }
        }
        // A number nudged to an edge.
        _ => {
            let value = get_mut(root, &path);
            match value {
                Value::Integer(i) => {
                    *i = match with % 5 {
                        0 => i.wrapping_neg(),
                        1 => i.wrapping_add(1),
                        2 => i.wrapping_sub(1),
                        3 => i64::from(u32::MAX),
                        _ => 0,
                    }
                }
                Value::Float(f) => {
                    *f = match with % 6 {
                        0 => -*f,
                        1 => f64::from_bits(f.to_bits().wrapping_add(1)),
                        2 => *f * 1e300,
                        3 => f64::NAN,
                        4 => f64::NEG_INFINITY,
                        _ => 0.0,
                    }
                }
                _ => {}
            }
        }
    }
}

/// Bytes that matter to TOML or to a reader of text.
const BYTES: [u8; 12] = [
    0x00, 0xff, 0x80, b'[', b']', b'{', b'"', b'=', b'\n', b'#', b'\\', b',',
];

/// Applies a mutation of the raw text (kinds 7 and 8).
fn mutate_bytes(bytes: &mut Vec<u8>, m: &Mutation) {
    if bytes.is_empty() {
        bytes.push(BYTES[m.with as usize % BYTES.len()]);
        return;
    }
    let at = m.at as usize % bytes.len();
    let with = m.with as usize;
    if m.kind == 7 {
        bytes[at] ^= 1 << (with % 8);
        return;
    }
    match with % 4 {
        0 => bytes.truncate(at),
        1 => bytes.insert(at, BYTES[(with / 4) % BYTES.len()]),
        2 => {
            let end = (at + 1 + (with / 4) % 16).min(bytes.len());
            bytes.drain(at..end);
        }
        _ => {
            let start = bytes[..at]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            let end = bytes[at..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len(), |i| at + i + 1);
            let line = bytes[start..end].to_vec();
            bytes.splice(start..start, line);
        }
    }
}

/// The spec file's bytes after `mutations` of base `base`: structure
/// first, then raw bytes.
fn mutated(base: usize, mutations: &[Mutation], pool: &[Value]) -> Vec<u8> {
    let mut root: Value = BASES[base].parse::<toml::Table>().unwrap().into();
    for m in mutations.iter().filter(|m| m.kind < 7) {
        mutate_value(&mut root, m, pool);
    }
    let mut bytes = match toml::to_string(&root) {
        Ok(text) => text.into_bytes(),
        // What TOML cannot write (say, a top level that is no table)
        // goes as the base text.
        Err(_) => BASES[base].as_bytes().to_vec(),
    };
    for m in mutations.iter().filter(|m| m.kind >= 7) {
        mutate_bytes(&mut bytes, m);
    }
    bytes
}

/// What `run` decides before it creates anything: the spec if it may run.
/// Fails the case on a panic, on an error that is not one line naming the
/// spec, on a sweep that is not one, or on anything created.
fn verdict(spec_path: &Path, out: &Path) -> Result<Option<SweepSpec>, TestCaseError> {
    let checked = catch_unwind(AssertUnwindSafe(|| {
        let spec = SweepSpec::load(spec_path)?;
        preflight::check(&spec, spec_path, out, Shard::WHOLE)?;
        anyhow::Ok(spec)
    }))
    .map_err(|_| TestCaseError::fail("panicked"))?;
    if out.exists() {
        return Err(TestCaseError::fail("the checks created the directory"));
    }
    match checked {
        Ok(spec) => {
            let runs = spec.run_count().filter(|&n| n > 0);
            let grid = SweepGrid::new(&spec);
            let Some(runs) = runs.filter(|&n| n == grid.total_runs()) else {
                return Err(TestCaseError::fail("accepted a sweep without runs"));
            };
            for id in [0, runs - 1] {
                let start = grid.start(&grid.key(id));
                if !start.iter().all(|v| v.is_finite()) {
                    return Err(TestCaseError::fail(format!("run {id} starts at {start:?}")));
                }
            }
            Ok(Some(spec))
        }
        Err(err) => {
            let message = format!("{err:#}");
            let file = spec_path.file_name().unwrap().to_str().unwrap();
            if message.is_empty() || message.contains('\n') || !message.contains(file) {
                return Err(TestCaseError::fail(format!(
                    "not one line naming {file}: {message:?}"
                )));
            }
            Ok(None)
        }
    }
}

fn runner(cases: u32) -> TestRunner {
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha))
}

#[test]
fn mutated_specs_are_a_sweep_or_one_error_line_in_process() {
    const CASES: u32 = 10_000;
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("xs.txt"), XS).unwrap();
    let pool = replacements();
    let (spec_path, out) = (tmp.path().join("case.toml"), tmp.path().join("out"));
    let (tried, sweeps) = (Cell::new(0u32), Cell::new(0u32));
    let started = Instant::now();
    let result = runner(CASES).run(&cases(), |(base, mutations)| {
        std::fs::write(&spec_path, mutated(base, &mutations, &pool)).unwrap();
        tried.set(tried.get() + 1);
        if verdict(&spec_path, &out)?.is_some() {
            sweeps.set(sweeps.get() + 1);
        }
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
    println!(
        "{} mutated specs in-process in {:.1} s: {} sweeps, {} refused",
        tried.get(),
        started.elapsed().as_secs_f64(),
        sweeps.get(),
        tried.get() - sweeps.get()
    );
    assert!(tried.get() >= CASES, "{} cases", tried.get());
    // Both outcomes occur, or the mutations miss what they are for.
    assert!(sweeps.get() > 0 && sweeps.get() < tried.get());
}

/// Sample-steps of a sweep, to run only small ones through the binary.
fn work(spec: &SweepSpec) -> f64 {
    spec.train
        .variants()
        .iter()
        .map(|v| {
            let per_step = v.config.data.n.max(v.config.data.batch) as f64;
            per_step * f64::from(v.config.steps)
        })
        .sum::<f64>()
        * spec.run_count().unwrap_or(u64::MAX) as f64
}

#[test]
fn mutated_specs_through_the_binary_agree_and_leave_nothing_on_error() {
    const CASES: u32 = 300;
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("xs.txt"), XS).unwrap();
    let pool = replacements();
    let (spec_path, out) = (tmp.path().join("case.toml"), tmp.path().join("out"));
    let (tried, ran, sweeps) = (Cell::new(0u32), Cell::new(0u32), Cell::new(0u32));
    let started = Instant::now();
    let result = runner(CASES).run(&cases(), |(base, mutations)| {
        std::fs::write(&spec_path, mutated(base, &mutations, &pool)).unwrap();
        tried.set(tried.get() + 1);
        let expected = verdict(&spec_path, &out)?;
        // Larger sweeps than the bases run in-process only: they are
        // accepted the same way and would only take time here.
        if expected.as_ref().is_some_and(|s| work(s) > 2e6) {
            return Ok(());
        }
        ran.set(ran.get() + 1);
        let output = basinmap()
            .args(["run", spec_path.to_str().unwrap(), "--out"])
            .arg(&out)
            .arg("--quiet")
            .output()
            .unwrap();
        let message = stderr(&output);
        let fail = |what: &str| TestCaseError::fail(format!("{what}: {message}"));
        match (expected.is_some(), output.status.code()) {
            (true, Some(0)) => {
                if !out.join("sweep.json").exists() || !out.join("index.html").exists() {
                    return Err(fail("a sweep without its files"));
                }
                sweeps.set(sweeps.get() + 1);
                std::fs::remove_dir_all(&out).unwrap();
            }
            (false, Some(1)) => {
                let lines: Vec<&str> = message.lines().collect();
                if lines.len() != 1 || !lines[0].starts_with("error: ") {
                    return Err(fail("not one error line"));
                }
                if out.exists() {
                    return Err(fail("refused, yet left the directory"));
                }
            }
            (_, code) => return Err(fail(&format!("status {code:?}"))),
        }
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
    println!(
        "{} mutated specs, {} through the binary in {:.1} s: {} sweeps, {} refused",
        tried.get(),
        ran.get(),
        started.elapsed().as_secs_f64(),
        sweeps.get(),
        ran.get() - sweeps.get()
    );
    assert!(ran.get() >= CASES / 2, "{} of {CASES} ran", ran.get());
    assert!(sweeps.get() > 0 && sweeps.get() < ran.get());
}
