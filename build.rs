//! Computes the kernel id: a hash of what decides a run's numbers, the code
//! of the problem, the kernel, the vector math and the classifier
//! (`src/problem`, `src/simd`, `src/train`, `src/classify.rs`). It goes into
//! each sweep's fingerprint, so rows computed by builds whose numerics
//! differ are never mixed in one results directory, even when the crate
//! version is the same.
//!
//! What is hashed is each file's token stream, without comments, doc
//! comments and layout (tokenised by `proc-macro2`, the standard Rust
//! tokenizer): editing a comment or reformatting leaves the id, and so
//! resumes, alone; changing an operation or a constant changes it.

use proc_macro2::{TokenStream, TokenTree};
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
        let text = std::fs::read_to_string(file).expect("numeric source readable");
        let tokens: TokenStream = text.parse().expect("numeric source tokenises");
        hasher.update(file.to_string_lossy().as_bytes());
        hasher.update([0]);
        hasher.update(without_docs(tokens).to_string().as_bytes());
        hasher.update([0]);
    }
    let id: String = hasher.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    println!("cargo:rustc-env=BASINMAP_KERNEL_ID={id}");
}

/// `tokens` without doc comments (which the tokenizer keeps as
/// `#[doc = "..."]` and `#![doc = "..."]` attributes); plain comments are
/// gone already.
fn without_docs(tokens: TokenStream) -> TokenStream {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::with_capacity(trees.len());
    let mut i = 0;
    while i < trees.len() {
        let bang = matches!(&trees.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '!');
        let group_at = i + 1 + usize::from(bang);
        let is_doc = matches!(&trees[i], TokenTree::Punct(p) if p.as_char() == '#')
            && matches!(trees.get(group_at), Some(TokenTree::Group(g))
                if g.stream().into_iter().next().is_some_and(|t| t.to_string() == "doc"));
        if is_doc {
            i = group_at + 1;
            continue;
        }
        out.push(match &trees[i] {
            TokenTree::Group(g) => {
                let mut inner = proc_macro2::Group::new(g.delimiter(), without_docs(g.stream()));
                inner.set_span(g.span());
                TokenTree::Group(inner)
            }
            other => other.clone(),
        });
        i += 1;
    }
    out.into_iter().collect()
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
