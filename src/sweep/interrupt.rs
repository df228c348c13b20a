//! Interruptions: Ctrl-C (SIGINT), SIGTERM (as `kill` and `scancel` send)
//! and SIGHUP. The first one lets the chunks in flight finish and be
//! written; the second one exits at once (what is written is safe either
//! way). The command then exits with the shell's convention, 128 + the
//! signal's number (130 after SIGINT, 143 after SIGTERM), so a script can
//! tell an interruption from an error.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, OnceLock};

static STOP: OnceLock<Arc<AtomicBool>> = OnceLock::new();

/// The number of the first signal received, 0 while none was.
static RECEIVED: AtomicI32 = AtomicI32::new(0);

/// A signal that stops a sweep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StopSignal(i32);

impl StopSignal {
    pub const INT: StopSignal = StopSignal(2);
    pub const HUP: StopSignal = StopSignal(1);
    pub const TERM: StopSignal = StopSignal(15);

    /// The exit status after this signal: 128 + its number.
    pub fn exit_code(self) -> u8 {
        u8::try_from(128 + self.0).unwrap_or(1)
    }

    /// What stopped the sweep, in words: `interrupted` (by Ctrl-C, as
    /// ever), `terminated (SIGTERM)`.
    fn cause(self) -> &'static str {
        match self {
            StopSignal::INT => "interrupted",
            StopSignal::TERM => "terminated (SIGTERM)",
            StopSignal::HUP => "hung up (SIGHUP)",
            _ => "stopped by a signal",
        }
    }

    /// How to stop at once: the same signal again.
    fn again(self) -> &'static str {
        match self {
            StopSignal::INT => "Ctrl-C again to stop now",
            StopSignal::TERM => "SIGTERM again to stop now",
            _ => "the signal again to stop now",
        }
    }
}

/// The error a sweep that a signal stopped ends with; `main` turns it into
/// exit status 128 + the signal's number.
#[derive(Debug)]
pub struct Interrupted {
    pub signal: StopSignal,
    /// What was saved and how to go on.
    pub message: String,
}

impl fmt::Display for Interrupted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.signal.cause(), self.message)
    }
}

impl std::error::Error for Interrupted {}

/// The signal that set the stop flag, if one did.
pub(crate) fn received() -> Option<StopSignal> {
    match RECEIVED.load(Ordering::SeqCst) {
        0 => None,
        n => Some(StopSignal(n)),
    }
}

/// Records `signal` and raises the flag; a second signal exits at once.
fn on_signal(flag: &AtomicBool, signal: StopSignal) {
    if flag.swap(true, Ordering::SeqCst) {
        eprintln!("\nbasinmap: stopped; every run reported done is saved");
        std::process::exit(signal.exit_code().into());
    }
    RECEIVED.store(signal.0, Ordering::SeqCst);
    let what = match signal {
        StopSignal::INT => String::new(),
        other => format!("{}: ", other.cause()),
    };
    eprintln!(
        "\nbasinmap: {what}stopping after the runs in progress ({})",
        signal.again()
    );
}

/// The flag that turns true on the first signal (installed once per
/// process).
pub(crate) fn install() -> Arc<AtomicBool> {
    STOP.get_or_init(|| {
        let flag = Arc::new(AtomicBool::new(false));
        if let Err(err) = listen(Arc::clone(&flag)) {
            eprintln!(
                "note: signal handling unavailable ({err}); an interrupt still keeps every finished run"
            );
        }
        flag
    })
    .clone()
}

/// Unix: a thread receives SIGINT, SIGTERM and SIGHUP (told apart, unlike
/// with one handler for all) and acts on each outside signal context.
#[cfg(unix)]
fn listen(flag: Arc<AtomicBool>) -> std::io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                on_signal(&flag, StopSignal(signal));
            }
        })?;
    Ok(())
}

/// Elsewhere: ctrlc's one handler; every interruption counts as Ctrl-C.
#[cfg(not(unix))]
fn listen(flag: Arc<AtomicBool>) -> std::io::Result<()> {
    ctrlc::set_handler(move || on_signal(&flag, StopSignal::INT)).map_err(std::io::Error::other)
}
