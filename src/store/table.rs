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
use crate::grid::SweepGrid;
use crate::problem::activation::Activation;
use crate::spec::SweepSpec;
use crate::train::RunOutcome;
use anyhow::{Context, Result, bail};
use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The columns of a sweep's tables: the fixed ones, then one per varying
/// `[train]` setting, whose values identify the run's variant.
#[derive(Clone, Debug)]
pub struct TableFormat {
    header: String,
    variant_values: Vec<Vec<String>>,
    variant_by_values: HashMap<Vec<String>, u32>,
}

impl TableFormat {
    pub fn new(spec: &SweepSpec, grid: &SweepGrid) -> TableFormat {
        let mut columns: Vec<&str> = COLUMNS.to_vec();
        columns.extend(spec.train.varying_keys());
        let variant_values: Vec<Vec<String>> = grid
            .variants
            .iter()
            .map(|v| v.labels.iter().map(|(_, value)| value.clone()).collect())
            .collect();
        let variant_by_values = variant_values
            .iter()
            .enumerate()
            .map(|(i, values)| (values.clone(), i as u32))
            .collect();
        TableFormat {
            header: format!("{}\n", columns.join(",")),
            variant_values,
            variant_by_values,
        }
    }

    /// The header line, newline included.
    pub fn header(&self) -> &str {
        &self.header
    }
}

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
pub(crate) fn read_table(path: &Path, format: &TableFormat) -> Result<TableContents> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let header = format.header();
    if !bytes.starts_with(header.as_bytes()) {
        return Ok(TableContents {
            records: Vec::new(),
            intact_len: 0,
            damaged_bytes: bytes.len() as u64,
        });
    }
    // Only newline-terminated rows count; parse until the first bad one.
    let body_end = bytes
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1)
        .max(header.len());
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .quoting(false)
        .from_reader(&bytes[header.len()..body_end]);
    let mut records = Vec::new();
    let mut row = csv::StringRecord::new();
    let mut offset = header.len();
    loop {
        let row_start = header.len() + reader.position().byte() as usize;
        match reader.read_record(&mut row) {
            Ok(true) => match parse_row(&row, format) {
                Some(record) => {
                    records.push(record);
                    offset = header.len() + reader.position().byte() as usize;
                }
                None => {
                    offset = row_start;
                    break;
                }
            },
            Ok(false) => break,
            Err(_) => {
                offset = row_start;
                break;
            }
        }
    }
    Ok(TableContents {
        records,
        intact_len: offset as u64,
        damaged_bytes: (bytes.len() - offset) as u64,
    })
}

fn parse_row(row: &csv::StringRecord, format: &TableFormat) -> Option<RunRecord> {
    if row.len() != COLUMNS.len() + format.variant_values[0].len() {
        return None;
    }
    let variant = if row.len() == COLUMNS.len() {
        0
    } else {
        let settings: Vec<String> = row.iter().skip(COLUMNS.len()).map(str::to_string).collect();
        *format.variant_by_values.get(&settings)?
    };
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
    let settled_step: u32 = row[14].parse().ok()?;
    Some(RunRecord {
        start,
        activation,
        replicate,
        variant,
        outcome: RunOutcome {
            params,
            train_loss: number(10)?,
            eval_loss: number(11)?,
            label,
            converged_at,
            settled_step,
            mean_loss: number(15)?,
        },
    })
}

/// Formats records as CSV rows (no header), numbers at full round-trip precision.
pub(crate) fn format_rows(records: &[RunRecord], format: &TableFormat) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    for r in records {
        let o = &r.outcome;
        let mut fields = vec![
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
            o.settled_step.to_string(),
            format_number(o.mean_loss),
        ];
        fields.extend(format.variant_values[r.variant as usize].iter().cloned());
        writer.write_record(&fields).expect("writing to memory");
    }
    writer.into_inner().expect("writing to memory")
}

/// Shortest text that parses back to the same `f64`.
pub(crate) fn format_number(v: f64) -> String {
    format!("{v:?}")
}

/// The one writer of a table: holds its lock, appends durable chunks.
pub struct TableWriter {
    file: File,
    path: PathBuf,
    format: TableFormat,
}

impl TableWriter {
    /// Opens (creating with a header if needed) and locks the table at
    /// `path`, cuts off a damaged tail, and returns its intact records.
    pub fn open(path: &Path, format: &TableFormat) -> Result<(TableWriter, Vec<RunRecord>)> {
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
        let contents = read_table(path, format)?;
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
            format: format.clone(),
        };
        if contents.intact_len == 0 {
            writer.append_bytes(format.header().as_bytes())?;
        }
        Ok((writer, contents.records))
    }

    /// Appends rows and waits until they are on disk.
    pub fn append(&mut self, records: &[RunRecord]) -> Result<()> {
        let bytes = format_rows(records, &self.format);
        self.append_bytes(&bytes)
    }

    fn append_bytes(&mut self, bytes: &[u8]) -> Result<()> {
        self.file
            .write_all(bytes)
            .and_then(|()| self.file.sync_data())
            .with_context(|| format!("cannot write to {}", self.path.display()))
    }
}
