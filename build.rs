//! Computes the kernel id: a hash of every source file that decides a run's
//! numbers (the problem, the kernel, the vector math, the classifier). It
//! goes into each sweep's fingerprint, so rows computed by builds whose
//! numerics differ are never mixed in one results directory, even when the
//! crate version is the same.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

const NUMERIC_SOURCES: [&str; 4] = ["src/problem", "src/simd", "src/train", "src/classify.rs"];

fn main() {
    let mut files: Vec<PathBuf> = Vec::new();
    for source in NUMERIC_SOURCES {
        println!("cargo:rerun-if-changed={source}");
        collect(Path::new(source), &mut files);
    }
    files.sort();
    let mut hasher = Sha256::new();
    for file in &files {
        hasher.update(file.to_string_lossy().as_bytes());
        hasher.update(std::fs::read(file).expect("numeric source readable"));
    }
    let id: String = hasher.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    println!("cargo:rustc-env=BASINMAP_KERNEL_ID={id}");
}

fn collect(path: &Path, files: &mut Vec<PathBuf>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).expect("numeric source dir readable") {
            collect(&entry.expect("dir entry").path(), files);
        }
    } else if path.extension().is_some_and(|e| e == "rs") {
        files.push(path.to_path_buf());
    }
}
