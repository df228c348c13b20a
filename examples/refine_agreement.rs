//! How well a refined plane stands for brute force: per activation, the
//! share of the finest cells whose label (trained or filled) equals the
//! brute-force sweep's at the same start, with the disagreeing starts.
//!
//! ```sh
//! cargo run --release --example refine_agreement -- REFINED_DIR BRUTE_DIR
//! ```

use basinmap::store::{Access, ResultsDir, filled};
use std::collections::HashMap;
use std::path::Path;

type Cells = HashMap<(String, [u64; 4]), (basinmap::classify::Label, bool)>;

/// Every cell's label and whether it was filled, by activation and start.
fn cells(dir: &Path) -> Result<(Cells, usize), String> {
    let results = ResultsDir::open(dir, Access::Read).map_err(|e| e.to_string())?;
    let stored = results.load_runs().map_err(|e| e.to_string())?;
    let completed = filled::complete(&results.grid, stored.by_id.into_values().collect());
    let trained = completed.runs;
    let cells = completed
        .records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            (
                (r.activation.name().to_string(), r.start.map(f64::to_bits)),
                (r.label(), completed.is_filled(i)),
            )
        })
        .collect();
    Ok((cells, trained))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [refined, brute] = &args[..] else {
        eprintln!("usage: refine_agreement REFINED_DIR BRUTE_DIR");
        std::process::exit(2);
    };
    let ((refined, trained), (brute, runs)) =
        match (cells(Path::new(refined)), cells(Path::new(brute))) {
            (Ok(r), Ok(b)) => (r, b),
            (Err(e), _) | (_, Err(e)) => {
                eprintln!("error: {e}");
                std::process::exit(1);
            }
        };
    println!("refined: {trained} runs trained; brute force: {runs} runs");
    let mut activations: Vec<&String> = brute.keys().map(|(a, _)| a).collect();
    activations.sort();
    activations.dedup();
    println!(
        "{:<10} {:>9} {:>9} {:>9}  disagreeing (trained/filled)",
        "activation", "cells", "agree", "share"
    );
    for act in activations {
        let (mut cells, mut agree, mut wrong_trained, mut wrong_filled) = (0, 0, 0, 0);
        let mut examples = Vec::new();
        for ((a, start), (label, _)) in &brute {
            if a != act {
                continue;
            }
            cells += 1;
            match refined.get(&(a.clone(), *start)) {
                Some((l, _)) if l == label => agree += 1,
                Some((l, was_filled)) => {
                    if *was_filled {
                        wrong_filled += 1;
                    } else {
                        wrong_trained += 1;
                    }
                    if examples.len() < 3 {
                        let s = start.map(f64::from_bits);
                        examples.push(format!("c={} d={}: {l} vs {label}", s[2], s[3]));
                    }
                }
                None => {}
            }
        }
        println!(
            "{act:<10} {cells:>9} {agree:>9} {:>8.2}%  {wrong_trained}/{wrong_filled} {}",
            100.0 * agree as f64 / cells.max(1) as f64,
            examples.join("; ")
        );
    }
}
