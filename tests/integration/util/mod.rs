//! Helpers shared by the tests: driving the real binary, reading its
//! pictures (`png`, `xml`), a headless browser (`browser`), and what a run
//! must be able to do (`required`).

pub mod browser;
pub mod png;
pub mod xml;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn basinmap() -> Command {
    Command::new(env!("CARGO_BIN_EXE_basinmap"))
}

/// Runs basinmap with `args`, returning its output.
pub fn run(args: &[&str]) -> Output {
    basinmap().args(args).output().expect("basinmap starts")
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Asserts success, showing stderr otherwise.
pub fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "basinmap failed: {}",
        stderr(output)
    );
    stdout(output)
}

/// A directory as a command-line argument.
pub fn out_arg(dir: &Path) -> String {
    dir.to_str().unwrap().to_string()
}

/// Writes `text` as a spec file in `dir`.
pub fn write_spec(dir: &Path, file: &str, text: &str) -> PathBuf {
    let path = dir.join(file);
    std::fs::write(&path, text).unwrap();
    path
}

/// Every data row of every runs table in `dir`, sorted: the comparable
/// content of a sweep, bit for bit. Safe to call while a sweep writes.
pub fn sorted_rows(dir: &Path) -> Vec<String> {
    let mut rows = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        if name.starts_with("runs") && name.ends_with(".csv") {
            let text = std::fs::read_to_string(&path).unwrap();
            if !text.contains('\n') {
                // Created, header not yet written (or killed before it):
                // a state readers treat as an empty table.
                continue;
            }
            let mut lines = text.lines();
            let header = lines.next().unwrap_or("");
            assert!(
                header.starts_with(
                    "a0,b0,c0,d0,activation,replicate,a,b,c,d,train_loss,eval_loss,label,converged_at"
                ),
                "{header}"
            );
            rows.extend(lines.map(str::to_string));
        }
    }
    rows.sort();
    rows
}

/// What this test run must be able to do, from `BASINMAP_REQUIRE` (a comma
/// list such as `chromium,avx2+fma`; `.ci/run` sets it). A test that finds
/// a required capability missing fails instead of skipping.
pub fn required() -> Vec<String> {
    std::env::var("BASINMAP_REQUIRE")
        .unwrap_or_default()
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Whether a test that needs `capability` can run: `true` if it is there;
/// if not, `false` (the test says so and skips), or a failure when the
/// run requires it.
pub fn available(capability: &str, present: bool) -> bool {
    if !present {
        assert!(
            !required().iter().any(|r| r == capability),
            "{capability} is required (BASINMAP_REQUIRE) but missing"
        );
        println!("SKIPPED: {capability} is not available here");
    }
    present
}

/// Fails if an instruction set the run requires was not among those
/// `checked` (by `Isa::name`).
pub fn require_isas(checked: &[&str]) {
    for isa in ["avx512", "avx2+fma"] {
        available(isa, checked.contains(&isa));
    }
}

/// Asserts that basinmap failed and said `needle` on stderr.
pub fn refused(output: &Output, needle: &str) {
    let message = stderr(output);
    assert!(!output.status.success(), "should have failed: {message}");
    assert!(
        message.contains(needle),
        "expected '{needle}' in: {message}"
    );
}
