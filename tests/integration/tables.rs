//! Damaged and foreign runs tables: readers count every intact row and say
//! what they skipped; the writer repairs without touching an intact row,
//! and never discards a table it cannot read.

use crate::sweep::{SMALL, run_small};
use crate::util::{ok, run, sorted_rows, stderr, stdout, write_spec};
use std::path::Path;

/// The table's lines, header first.
fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn write_lines(path: &Path, lines: &[String]) {
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

fn status(dir: &Path) -> std::process::Output {
    run(&["status", dir.to_str().unwrap()])
}

/// Whether `status` says the sweep is complete.
fn complete(out: &std::process::Output) -> bool {
    stdout(out).lines().any(|l| l.starts_with("complete:"))
}

fn resume(dir: &Path) -> std::process::Output {
    run(&["resume", dir.to_str().unwrap(), "--quiet"])
}

#[test]
fn a_garbage_line_mid_table_costs_that_row_only_and_is_repaired() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, dir) = run_small(tmp.path(), "garbage", &[]);
    let table = dir.join("runs.csv");
    let expected = sorted_rows(&dir);
    let original = lines(&table);
    let total = original.len() - 1;
    // Row 100 of 588 replaced by garbage: one run lost, all others intact.
    let mut damaged = original.clone();
    damaged[100] = "1.0,0.5,garbage,\u{1}\u{2},selu".to_string();
    write_lines(&table, &damaged);

    let out = status(&dir);
    ok(&out);
    let warning = stderr(&out);
    assert!(
        warning.contains("runs.csv") && warning.contains("line 101"),
        "{warning}"
    );
    assert!(
        stdout(&out).contains(&format!("incomplete: {} / {total} runs", total - 1)),
        "{}",
        stdout(&out)
    );

    let out = resume(&dir);
    ok(&out);
    let note = stderr(&out);
    assert!(note.contains("runs.csv.damaged"), "{note}");
    // Every intact row kept, in order; the lost run rerun, bit-identical.
    let repaired = lines(&table);
    let kept: Vec<&String> = original
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 100)
        .map(|(_, l)| l)
        .collect();
    assert_eq!(
        repaired[..kept.len()].iter().collect::<Vec<_>>(),
        kept,
        "intact rows changed"
    );
    assert_eq!(sorted_rows(&dir), expected);
    let saved = std::fs::read_to_string(dir.join("runs.csv.damaged")).unwrap();
    assert!(saved.contains("garbage"), "{saved}");
    // Nothing left to warn about.
    assert!(!stderr(&status(&dir)).contains("warning"));
}

#[test]
fn a_flipped_byte_in_the_header_loses_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, dir) = run_small(tmp.path(), "header", &[]);
    let table = dir.join("runs.csv");
    let expected = sorted_rows(&dir);
    let before = std::fs::read(&table).unwrap();
    let mut bytes = before.clone();
    bytes[3] ^= 0x20; // "a0,b0" -> "a0,B0"
    std::fs::write(&table, &bytes).unwrap();

    let out = status(&dir);
    ok(&out);
    assert!(stderr(&out).contains("header"), "{}", stderr(&out));
    assert!(complete(&out), "{}", stdout(&out));

    let out = resume(&dir);
    ok(&out);
    assert!(stderr(&out).contains("header"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&table).unwrap(), before);
    assert_eq!(sorted_rows(&dir), expected);
}

#[test]
fn a_table_of_another_layout_is_moved_aside_never_truncated() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, dir) = run_small(tmp.path(), "layout", &[]);
    let table = dir.join("runs.csv");
    let expected = sorted_rows(&dir);
    // An extra column on every line: not this sweep's table.
    let widened: Vec<String> = lines(&table).iter().map(|l| format!("{l},x")).collect();
    write_lines(&table, &widened);
    let widened_bytes = std::fs::read(&table).unwrap();

    let out = status(&dir);
    ok(&out);
    assert!(stderr(&out).contains("not counted"), "{}", stderr(&out));

    let out = resume(&dir);
    ok(&out);
    let note = stderr(&out);
    assert!(note.contains("runs.csv.unreadable-1"), "{note}");
    assert_eq!(
        std::fs::read(dir.join("runs.csv.unreadable-1")).unwrap(),
        widened_bytes,
        "the unreadable table is kept as it was"
    );
    assert_eq!(sorted_rows(&dir), expected);
}

#[test]
fn a_table_of_another_sweep_with_the_same_grid_is_not_taken_as_results() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, dir) = run_small(tmp.path(), "mine", &[]);
    let expected = sorted_rows(&dir);
    // The same grid trained for 200 steps, not 300.
    let other_spec = write_spec(
        tmp.path(),
        "other.toml",
        &SMALL.replace("steps = 300", "steps = 200"),
    );
    let other = tmp.path().join("other");
    ok(&run(&[
        "run",
        other_spec.to_str().unwrap(),
        "--out",
        other.to_str().unwrap(),
        "--quiet",
    ]));
    std::fs::copy(other.join("runs.csv"), dir.join("runs.csv")).unwrap();

    let out = status(&dir);
    ok(&out);
    assert!(stderr(&out).contains("another sweep"), "{}", stderr(&out));
    assert!(!complete(&out), "{}", stdout(&out));

    let out = resume(&dir);
    ok(&out);
    assert!(stderr(&out).contains("unreadable-1"), "{}", stderr(&out));
    assert_eq!(sorted_rows(&dir), expected);
}

#[test]
fn a_table_without_the_sweep_column_is_read_and_upgraded_without_rerunning() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, dir) = run_small(tmp.path(), "legacy", &[]);
    let table = dir.join("runs.csv");
    let expected = sorted_rows(&dir);
    let current = lines(&table);
    let legacy: Vec<String> = current
        .iter()
        .map(|l| l.rsplit_once(',').unwrap().0.to_string())
        .collect();
    assert!(current[0].ends_with(",sweep"));
    write_lines(&table, &legacy);

    let out = status(&dir);
    ok(&out);
    assert!(complete(&out), "{}", stdout(&out));
    let out = resume(&dir);
    ok(&out);
    assert!(stderr(&out).contains("sweep column"), "{}", stderr(&out));
    assert_eq!(lines(&table), current);
    assert_eq!(sorted_rows(&dir), expected);
}
