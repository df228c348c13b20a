//! Runs tables: append-only CSV files that survive any interruption.
//!
//! Rows are written a chunk at a time with one `write` and then `fsync`ed;
//! only then are they reported done. A row counts only once its newline is
//! on disk, so an interruption at any instant leaves at worst a damaged tail
//! (a partial or garbled last row), which readers ignore and the next writer
//! of that file cuts off before appending. Each table is held under an
//! exclusive lock by its one writer, so two processes cannot interleave rows.

use super::record::{COLUMNS, RunRecord};
use crate::classify::Label;
use crate::problem::activation::Activation;
use crate::train::RunOutcome;
use anyhow::{Context, Result, bail};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The rows of one table that parsed, and how much of its tail was damaged.
pub struct TableContents {
    pub records: Vec<RunRecord>,
    /// Byte length of the intact part (header and whole rows).
    pub intact_len: u64,
    /// Bytes after the intact part (a damaged trailing row), 0 if none.
    pub damaged_bytes: u64,
}

/// Reads a table, dropping a damaged tail. A file without a complete header
/// reads as empty.
pub fn read_table(path: &Path) -> Result<TableContents> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let header = format!("{}\n", COLUMNS.join(","));
    if !bytes.starts_with(header.as_bytes()) {
        return Ok(TableContents {
            records: Vec::new(),
            intact_len: 0,
            damaged_bytes: bytes.len() as u64,
        });
    }
    let mut records = Vec::new();
    let mut offset = header.len();
    // Only newline-terminated rows count; parse until the first bad one.
    while let Some(end) = bytes[offset..].iter().position(|&b| b == b'\n') {
        let line = &bytes[offset..offset + end];
        match std::str::from_utf8(line).ok().and_then(parse_row) {
            Some(record) => records.push(record),
            None => break,
        }
        offset += end + 1;
    }
    Ok(TableContents {
        records,
        intact_len: offset as u64,
        damaged_bytes: (bytes.len() - offset) as u64,
    })
}

fn parse_row(line: &str) -> Option<RunRecord> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(line.as_bytes());
    let row = reader.records().next()?.ok()?;
    if row.len() != COLUMNS.len() {
        return None;
    }
    let number = |i: usize| row[i].parse::<f64>().ok();
    let start = [number(0)?, number(1)?, number(2)?, number(3)?];
    let activation: Activation = row[4].parse().ok()?;
    let replicate: u32 = row[5].parse().ok()?;
    let params = [number(6)?, number(7)?, number(8)?, number(9)?];
    let label: Label = row[12].parse().ok()?;
    let converged_at = match &row[13] {
        "" => None,
        text => Some(text.parse::<u32>().ok()?),
    };
    Some(RunRecord {
        start,
        activation,
        replicate,
        outcome: RunOutcome {
            params,
            train_loss: number(10)?,
            eval_loss: number(11)?,
            label,
            converged_at,
        },
    })
}

/// Formats records as CSV rows (no header), numbers at full round-trip precision.
pub fn format_rows(records: &[RunRecord]) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    for r in records {
        let o = &r.outcome;
        let fields = [
            format_number(r.start[0]),
            format_number(r.start[1]),
            format_number(r.start[2]),
            format_number(r.start[3]),
            r.activation.name().to_string(),
            r.replicate.to_string(),
            format_number(o.params[0]),
            format_number(o.params[1]),
            format_number(o.params[2]),
            format_number(o.params[3]),
            format_number(o.train_loss),
            format_number(o.eval_loss),
            o.label.name().to_string(),
            o.converged_at.map(|s| s.to_string()).unwrap_or_default(),
        ];
        writer.write_record(&fields).expect("writing to memory");
    }
    writer.into_inner().expect("writing to memory")
}

/// Shortest text that parses back to the same `f64`.
pub fn format_number(v: f64) -> String {
    format!("{v:?}")
}

/// The one writer of a table: holds its lock, appends durable chunks.
pub struct TableWriter {
    file: File,
    path: PathBuf,
}

impl TableWriter {
    /// Opens (creating with a header if needed) and locks the table at
    /// `path`, cuts off a damaged tail, and returns its intact records.
    pub fn open(path: &Path) -> Result<(TableWriter, Vec<RunRecord>)> {
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .with_context(|| format!("cannot open {} for writing", path.display()))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => bail!(
                "another basinmap process is writing {}: wait for it to finish, or give this one a different --shard",
                path.display()
            ),
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("cannot lock {}", path.display()));
            }
        }
        let contents = read_table(path)?;
        if contents.damaged_bytes > 0 || contents.intact_len == 0 {
            if contents.damaged_bytes > 0 && contents.intact_len > 0 {
                eprintln!(
                    "note: {}: dropped a damaged trailing row ({} bytes); it will be recomputed",
                    path.display(),
                    contents.damaged_bytes
                );
            }
            file.set_len(contents.intact_len)
                .with_context(|| format!("cannot repair {}", path.display()))?;
        }
        let mut writer = TableWriter {
            file,
            path: path.to_path_buf(),
        };
        if contents.intact_len == 0 {
            writer.append_bytes(format!("{}\n", COLUMNS.join(",")).as_bytes())?;
        }
        Ok((writer, contents.records))
    }

    /// Appends rows and waits until they are on disk.
    pub fn append(&mut self, records: &[RunRecord]) -> Result<()> {
        self.append_bytes(&format_rows(records))
    }

    fn append_bytes(&mut self, bytes: &[u8]) -> Result<()> {
        self.file
            .write_all(bytes)
            .and_then(|()| self.file.sync_data())
            .with_context(|| format!("cannot write to {}", self.path.display()))
    }
}
