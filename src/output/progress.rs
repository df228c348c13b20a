//! Sweep progress on stderr: a live bar on a terminal, a plain line every
//! few seconds otherwise (logs of batch jobs), nothing with `--quiet`.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::time::{Duration, Instant};

const LOG_EVERY: Duration = Duration::from_secs(10);

pub enum Progress {
    Bar(ProgressBar),
    Log {
        total: u64,
        done: u64,
        started_at: u64,
        start: Instant,
        last_line: Instant,
    },
    Quiet,
}

impl Progress {
    /// Progress over `total` runs of which `done` are already finished.
    pub fn new(total: u64, done: u64, quiet: bool) -> Progress {
        if quiet {
            Progress::Quiet
        } else if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(total).with_position(done);
            bar.set_style(
                ProgressStyle::with_template(
                    "{bar:40.cyan/blue} {pos}/{len} runs  {per_sec:.0}  ETA {eta}  {msg}",
                )
                .expect("valid template")
                .progress_chars("=> "),
            );
            bar.reset_eta();
            Progress::Bar(bar)
        } else {
            let now = Instant::now();
            Progress::Log {
                total,
                done,
                started_at: done,
                start: now,
                last_line: now,
            }
        }
    }

    pub fn advance(&mut self, runs: u64) {
        match self {
            Progress::Bar(bar) => bar.inc(runs),
            Progress::Log {
                total,
                done,
                started_at,
                start,
                last_line,
            } => {
                *done += runs;
                if last_line.elapsed() >= LOG_EVERY || *done == *total {
                    *last_line = Instant::now();
                    let rate =
                        (*done - *started_at) as f64 / start.elapsed().as_secs_f64().max(1e-9);
                    let eta = (*total - *done) as f64 / rate.max(1e-9);
                    eprintln!(
                        "basinmap: {done}/{total} runs ({:.1}%), {rate:.0} runs/s, ETA {}",
                        100.0 * *done as f64 / (*total).max(1) as f64,
                        format_duration(eta)
                    );
                }
            }
            Progress::Quiet => {}
        }
    }

    pub fn message(&self, text: &str) {
        match self {
            Progress::Bar(bar) => bar.set_message(text.to_string()),
            Progress::Log { .. } => eprintln!("basinmap: {text}"),
            Progress::Quiet => {}
        }
    }

    pub fn finish(&self) {
        if let Progress::Bar(bar) = self {
            bar.finish();
        }
    }
}

/// `1h 02m`, `3m 05s`, `12s`.
pub fn format_duration(seconds: f64) -> String {
    let s = seconds.round() as u64;
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m {:02}s", s / 60, s % 60),
        _ => format!("{}h {:02}m", s / 3600, (s % 3600) / 60),
    }
}
