//! Sweep progress on stderr: a live bar on a terminal, a plain line every
//! few seconds otherwise (logs of batch jobs), nothing with `--quiet`.

use indicatif::{HumanCount, ProgressBar, ProgressState, ProgressStyle};
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
                    "{bar:40.cyan/blue} {human_pos}/{human_len} runs  {rate}  ETA {eta}  {msg}",
                )
                .expect("valid template")
                .with_key(
                    "rate",
                    |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                        let _ = write!(w, "{}", runs_per_second(state.per_sec()));
                    },
                )
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
                        "basinmap: {}/{} runs ({:.1}%), {}, ETA {}",
                        HumanCount(*done),
                        HumanCount(*total),
                        100.0 * *done as f64 / (*total).max(1) as f64,
                        runs_per_second(rate),
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

/// `1,450 runs/s`.
pub(crate) fn runs_per_second(rate: f64) -> String {
    let rate = if rate.is_finite() { rate.max(0.0) } else { 0.0 };
    format!("{} runs/s", HumanCount(rate.round() as u64))
}

/// `1.9 s` under a minute, else as [`format_duration`].
pub(crate) fn format_elapsed(seconds: f64) -> String {
    if seconds < 59.95 {
        format!("{seconds:.1} s")
    } else {
        format_duration(seconds)
    }
}

/// `1h 02m`, `3m 05s`, `12s`.
pub(crate) fn format_duration(seconds: f64) -> String {
    let s = seconds.round() as u64;
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m {:02}s", s / 60, s % 60),
        _ => format!("{}h {:02}m", s / 3600, (s % 3600) / 60),
    }
}
