//! Helpers shared by the tests that drive the real binary.

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

/// Writes `text` as a spec file in `dir`.
pub fn write_spec(dir: &Path, file: &str, text: &str) -> PathBuf {
    let path = dir.join(file);
    std::fs::write(&path, text).unwrap();
    path
}

/// Every data row of every runs table in `dir`, sorted: the comparable
/// content of a sweep, bit for bit.
pub fn sorted_rows(dir: &Path) -> Vec<String> {
    let mut rows = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        if name.starts_with("runs") && name.ends_with(".csv") {
            let text = std::fs::read_to_string(&path).unwrap();
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
