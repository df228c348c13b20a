//! The README cannot lie: every `console` block in it is run here with the
//! binary under test and its printed output compared (trycmd; `[..]` and
//! `...` mark what differs from run to run, such as timings).
//!
//! The commands run in a scratch directory holding a copy of `sweeps/`, so
//! `results/` of the checkout is never touched: trycmd runs a case's
//! commands in `<case>.in/` when it exists, so the README is copied next to
//! such a directory.

use std::path::Path;

#[test]
fn readme_examples_print_what_the_readme_shows() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scratch = tempfile::tempdir().unwrap();
    let readme = scratch.path().join("README.md");
    std::fs::copy(root.join("README.md"), &readme).unwrap();
    let sweeps = scratch.path().join("README.in").join("sweeps");
    std::fs::create_dir_all(&sweeps).unwrap();
    for entry in std::fs::read_dir(root.join("sweeps")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, sweeps.join(path.file_name().unwrap())).unwrap();
    }
    trycmd::TestCases::new()
        .register_bin("basinmap", Path::new(env!("CARGO_BIN_EXE_basinmap")))
        .case(&readme);
}
