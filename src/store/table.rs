//! Runs tables: append-only CSV files that survive any interruption, and
//! damage anywhere in them.
//!
//! Rows are written a chunk at a time with one `write` and then `fsync`ed;
//! only then are they reported done. A row counts only once its newline is
//! on disk, so an interruption at any instant leaves at worst a partial
//! last row. Each table is held under an exclusive lock by its one writer,
//! so two processes cannot interleave rows.
//!
//! Every row ends with a `sweep` column: the first 16 hex digits of the
//! fingerprint of the sweep that wrote it, so a row or a whole table of
//! another sweep is recognised wherever it ends up, and the tables stay
//! plain CSV.
//!
//! Readers skip what they cannot read (a damaged line anywhere, a row of
//! another sweep), count it and warn; they never drop an intact row. The
//! table's writer repairs it before appending ([`TableWriter::open`]).

use super::record::{COLUMNS, RunRecord};
use crate::classify::Label;
use crate::grid::SweepGrid;
use crate::problem::activation::Activation;
use crate::spec::SweepSpec;
use crate::train::RunOutcome;
use anyhow::{Context, Result, bail};
use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// The last column: which sweep wrote the row.
pub(crate) const SWEEP_COLUMN: &str = "sweep";

/// Hex digits of the fingerprint a row carries: 64 bits tell sweeps apart.
const SWEEP_ID_LEN: usize = 16;

/// The columns of a sweep's tables: the fixed ones, then one per varying
/// `[train]` setting, whose values identify the run's variant, then the
/// sweep's identity.
#[derive(Clone, Debug)]
pub struct TableFormat {
    header: String,
    /// The header of tables written before rows carried the sweep column;
    /// still read, and upgraded by their writer.
    legacy_header: String,
    sweep_id: String,
    variant_values: Vec<Vec<String>>,
    variant_by_values: HashMap<Vec<String>, u32>,
}

impl TableFormat {
    /// The tables of the sweep `spec` whose fingerprint is `fingerprint`.
    pub fn new(spec: &SweepSpec, grid: &SweepGrid, fingerprint: &str) -> TableFormat {
        let mut columns: Vec<&str> = COLUMNS.to_vec();
        columns.extend(spec.train.varying_keys());
        let legacy_header = format!("{}\n", columns.join(","));
        columns.push(SWEEP_COLUMN);
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
            legacy_header,
            sweep_id: fingerprint.chars().take(SWEEP_ID_LEN).collect(),
            variant_values,
            variant_by_values,
        }
    }

    /// The header line, newline included.
    pub fn header(&self) -> &str {
        &self.header
    }

    /// The identity every row of this sweep carries.
    pub fn sweep_id(&self) -> &str {
        &self.sweep_id
    }
}

/// How a table's first line reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeaderState {
    /// This sweep's header.
    Intact,
    /// The header of a table without the `sweep` column.
    Legacy,
    /// Empty, or a header cut short: nothing else in the file.
    Missing,
    /// Not the expected header, though the rows below read as this sweep's
    /// (a flipped byte, say).
    Damaged,
}

/// What one table holds, and what in it could not be read.
pub struct TableContents {
    pub header: HeaderState,
    /// Lines that are not readable rows of this sweep, as (line number,
    /// byte range), in file order; an unfinished last line included.
    pub damaged: Vec<(usize, Range<usize>)>,
    /// How many of the damaged lines are rows of another sweep.
    pub foreign: usize,
    /// Set when nothing in the table can be read as this sweep's: why.
    pub unreadable: Option<String>,
    /// How many intact rows the table holds.
    pub rows: usize,
    /// Where the last intact row ends (the header's end if none does).
    last_intact_end: usize,
    /// Where the header line ends.
    header_end: usize,
}

impl TableContents {
    /// Whether the damage is only an unfinished or damaged end of the file
    /// (what an interruption leaves), with the header intact.
    pub fn damage_is_tail(&self) -> bool {
        self.header == HeaderState::Intact
            && self
                .damaged
                .iter()
                .all(|(_, range)| range.start >= self.last_intact_end)
    }

    /// The line numbers of the damaged lines, for messages: `"1001, 1002"`
    /// (at most five, then how many more).
    pub fn damaged_lines(&self) -> String {
        let mut shown: Vec<String> = self
            .damaged
            .iter()
            .take(5)
            .map(|(line, _)| line.to_string())
            .collect();
        if self.damaged.len() > 5 {
            shown.push(format!("and {} more", self.damaged.len() - 5));
        }
        shown.join(", ")
    }

    /// What a reader should be told about this table, if anything.
    pub fn warning(&self, path: &Path) -> Option<String> {
        if let Some(reason) = &self.unreadable {
            return Some(format!(
                "warning: {}: {reason}; its rows are not counted. `basinmap resume` moves it aside (nothing is deleted)",
                path.display()
            ));
        }
        let mut problems = Vec::new();
        if self.header == HeaderState::Damaged {
            problems.push("its header line is damaged".to_string());
        }
        if !self.damaged.is_empty() {
            let foreign = if self.foreign > 0 {
                format!(" ({} of them rows of another sweep)", self.foreign)
            } else {
                String::new()
            };
            problems.push(format!(
                "{} line(s) cannot be read as rows of this sweep{foreign} (line {})",
                self.damaged.len(),
                self.damaged_lines()
            ));
        }
        if problems.is_empty() {
            return None;
        }
        Some(format!(
            "warning: {}: {}; the {} intact rows are counted. `basinmap resume` repairs the table and reruns what was lost",
            path.display(),
            problems.join(", and "),
            self.rows
        ))
    }
}

/// Reads a table a line at a time, handing each intact row to `row`, and
/// tells where the damage is. Rows are not kept: memory does not grow
/// with the table.
pub(crate) fn scan_table(
    path: &Path,
    format: &TableFormat,
    row: impl FnMut(RunRecord),
) -> Result<TableContents> {
    let file = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    scan_lines(std::io::BufReader::new(file), format, row)
        .with_context(|| format!("cannot read {}", path.display()))
}

fn scan_lines(
    mut reader: impl BufRead,
    format: &TableFormat,
    mut row: impl FnMut(RunRecord),
) -> std::io::Result<TableContents> {
    let mut first = Vec::new();
    let header_end = reader.read_until(b'\n', &mut first)?;
    let complete = first.ends_with(b"\n");
    let (header, legacy) = if first == format.header.as_bytes() {
        (HeaderState::Intact, false)
    } else if first == format.legacy_header.as_bytes() {
        (HeaderState::Legacy, true)
    } else if !complete && format.header.as_bytes().starts_with(&first) {
        (HeaderState::Missing, false)
    } else {
        (HeaderState::Damaged, false)
    };
    let mut contents = TableContents {
        header,
        damaged: Vec::new(),
        foreign: 0,
        unreadable: None,
        rows: 0,
        last_intact_end: header_end,
        header_end,
    };
    if header == HeaderState::Missing {
        return Ok(contents);
    }
    let mut first_foreign = None;
    let mut text = Vec::new();
    let mut start = header_end;
    let mut line = 2;
    loop {
        text.clear();
        let read = reader.read_until(b'\n', &mut text)?;
        if read == 0 {
            break;
        }
        let end = start + read;
        let parsed = if text.ends_with(b"\n") {
            parse_line(&text[..text.len() - 1], format, legacy)
        } else {
            Row::Bad
        };
        match parsed {
            Row::Ours(record) => {
                row(record);
                contents.rows += 1;
                contents.last_intact_end = end;
            }
            Row::Foreign => {
                contents.foreign += 1;
                contents.damaged.push((line, start..end));
                first_foreign.get_or_insert_with(|| foreign_id(&text));
            }
            Row::Bad => contents.damaged.push((line, start..end)),
        }
        start = end;
        line += 1;
    }
    // Unreadable only when no row reads as this sweep's, so `row` has not
    // been called.
    if header == HeaderState::Damaged {
        // Rows decide whether the first line was this sweep's header: a
        // table of another layout reads no row at all.
        if contents.rows == 0 {
            contents.unreadable = Some(if contents.foreign > 0 {
                format!("its rows belong to another sweep (not {})", format.sweep_id)
            } else {
                "it is not a runs table of this sweep (its first line is not this sweep's header, and no row \
                 reads as one of its runs)"
                    .to_string()
            });
        }
    } else if contents.rows == 0 && contents.foreign > 0 {
        contents.unreadable = Some(format!(
            "its rows belong to another sweep (sweep {}, not {})",
            first_foreign.unwrap_or_default(),
            format.sweep_id
        ));
    }
    Ok(contents)
}

/// The sweep id of a foreign row, for messages.
fn foreign_id(line: &[u8]) -> String {
    String::from_utf8_lossy(line)
        .trim_end()
        .rsplit(',')
        .next()
        .unwrap_or_default()
        .to_string()
}

/// One line of a table, read.
enum Row {
    Ours(RunRecord),
    /// A well-formed row that another sweep wrote.
    Foreign,
    Bad,
}

fn parse_line(text: &[u8], format: &TableFormat, legacy: bool) -> Row {
    let Ok(text) = std::str::from_utf8(text) else {
        return Row::Bad;
    };
    let fields: Vec<&str> = text.split(',').collect();
    let (fields, sweep) = if legacy {
        (&fields[..], None)
    } else {
        match fields.split_last() {
            Some((sweep, rest)) => (rest, Some(*sweep)),
            None => return Row::Bad,
        }
    };
    match parse_row(fields, format) {
        Some(record) => match sweep {
            Some(id) if id != format.sweep_id => Row::Foreign,
            _ => Row::Ours(record),
        },
        None => Row::Bad,
    }
}

/// The run a row's fields (without the sweep column) describe, if they
/// read as one.
fn parse_row(row: &[&str], format: &TableFormat) -> Option<RunRecord> {
    if row.len() != COLUMNS.len() + format.variant_values[0].len() {
        return None;
    }
    let variant = if row.len() == COLUMNS.len() {
        0
    } else {
        let settings: Vec<String> = row[COLUMNS.len()..].iter().map(|s| s.to_string()).collect();
        *format.variant_by_values.get(&settings)?
    };
    let number = |i: usize| row[i].parse::<f64>().ok();
    let start = [number(0)?, number(1)?, number(2)?, number(3)?];
    let activation: Activation = row[4].parse().ok()?;
    let replicate: u32 = row[5].parse().ok()?;
    let params = [number(6)?, number(7)?, number(8)?, number(9)?];
    let label: Label = row[12].parse().ok()?;
    let converged_at = match row[13] {
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
        fields.push(format.sweep_id.clone());
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
    /// `path`, and repairs it. It is read a line at a time (its rows are
    /// not kept), and whole only when damage above its end is rewritten.
    ///
    /// Repair never loses an intact row: an unfinished or damaged end is
    /// cut off; damaged lines further up (or rows of another sweep) are
    /// moved to `NAME.damaged` and the table is rewritten without them,
    /// atomically; a damaged header is rewritten; a table with no row of
    /// this sweep is moved aside to `NAME.unreadable-K`. Each is said on
    /// standard error.
    pub fn open(path: &Path, format: &TableFormat) -> Result<TableWriter> {
        let file = open_locked(path)?;
        let contents = scan_table(path, format, |_| {})?;
        if let Some(reason) = &contents.unreadable {
            let aside = free_name(path, "unreadable");
            std::fs::rename(path, &aside)
                .with_context(|| format!("cannot move {} aside", path.display()))?;
            eprintln!(
                "note: {}: {reason}; moved it to {} (nothing deleted) and started a new table",
                path.display(),
                aside.display()
            );
            drop(file);
            return TableWriter::open(path, format);
        }
        let file = if contents.header == HeaderState::Missing {
            file.set_len(0)
                .with_context(|| format!("cannot repair {}", path.display()))?;
            let mut writer = TableWriter {
                file,
                path: path.to_path_buf(),
                format: format.clone(),
            };
            writer.append_bytes(format.header().as_bytes())?;
            return Ok(writer);
        } else if contents.damaged.is_empty() && contents.header == HeaderState::Intact {
            file
        } else if contents.damage_is_tail() {
            let keep = contents.last_intact_end;
            let size = file
                .metadata()
                .with_context(|| format!("cannot read {}", path.display()))?
                .len();
            file.set_len(keep as u64)
                .with_context(|| format!("cannot repair {}", path.display()))?;
            eprintln!(
                "note: {}: cut off {} damaged or unfinished line(s) at its end (line {}, {} bytes); those runs will be recomputed",
                path.display(),
                contents.damaged.len(),
                contents.damaged_lines(),
                size - keep as u64
            );
            file
        } else {
            let bytes =
                std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
            rewrite(path, &bytes, &contents, format)?;
            drop(file);
            open_locked(path)?
        };
        Ok(TableWriter {
            file,
            path: path.to_path_buf(),
            format: format.clone(),
        })
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

/// Opens `path` for appending (creating it) under an exclusive lock.
fn open_locked(path: &Path) -> Result<File> {
    let file = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)
        .with_context(|| format!("cannot open {} for writing", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => bail!(
            "another basinmap process is writing {}: wait for it to finish, or give this one a different --shard",
            path.display()
        ),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("cannot lock {}", path.display()))
        }
    }
}

/// Rewrites a table with this sweep's header and its intact rows only (a
/// legacy table's rows gain the sweep column), after saving the damaged
/// lines to `NAME.damaged`. The new table replaces the old one by rename,
/// so an interruption leaves one or the other, whole.
fn rewrite(
    path: &Path,
    bytes: &[u8],
    contents: &TableContents,
    format: &TableFormat,
) -> Result<()> {
    let mut words = Vec::new();
    if !contents.damaged.is_empty() {
        let saved = path.with_extension("csv.damaged");
        let mut side = OpenOptions::new()
            .append(true)
            .create(true)
            .open(&saved)
            .with_context(|| format!("cannot open {}", saved.display()))?;
        for (_, range) in &contents.damaged {
            side.write_all(&bytes[range.clone()])
                .with_context(|| format!("cannot write {}", saved.display()))?;
            if !bytes[range.clone()].ends_with(b"\n") {
                side.write_all(b"\n")?;
            }
        }
        side.sync_all()
            .with_context(|| format!("cannot write {}", saved.display()))?;
        words.push(format!(
            "moved {} damaged line(s) (line {}{}) to {}",
            contents.damaged.len(),
            contents.damaged_lines(),
            if contents.foreign > 0 {
                format!("; {} of them rows of another sweep", contents.foreign)
            } else {
                String::new()
            },
            saved.display()
        ));
    }
    match contents.header {
        HeaderState::Damaged => words.push("rewrote its damaged header".to_string()),
        HeaderState::Legacy => words.push(format!("added the {SWEEP_COLUMN} column to its rows")),
        HeaderState::Intact | HeaderState::Missing => {}
    }
    let mut clean = Vec::with_capacity(bytes.len());
    clean.extend_from_slice(format.header().as_bytes());
    // The intact rows are the lines below the header that are not damaged.
    let mut damaged = contents
        .damaged
        .iter()
        .map(|(_, range)| range.start)
        .peekable();
    let mut end = contents.header_end;
    for row in bytes[contents.header_end..].split_inclusive(|&b| b == b'\n') {
        let start = end;
        end += row.len();
        if damaged.next_if_eq(&start).is_some() {
            continue;
        }
        if contents.header == HeaderState::Legacy {
            clean.extend_from_slice(&row[..row.len() - 1]);
            clean.extend_from_slice(format!(",{}\n", format.sweep_id).as_bytes());
        } else {
            clean.extend_from_slice(row);
        }
    }
    super::write_atomically(path, &clean)?;
    eprintln!(
        "note: {}: {}; its {} intact rows are kept as they were",
        path.display(),
        words.join(", "),
        contents.rows
    );
    Ok(())
}

/// `NAME.WHAT-K` for the first K not taken.
fn free_name(path: &Path, what: &str) -> PathBuf {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("runs.csv");
    (1..)
        .map(|k| path.with_file_name(format!("{name}.{what}-{k}")))
        .find(|candidate| !candidate.exists())
        .expect("some name is free")
}
