//! Ctrl-C: the first one lets the chunks in flight finish and be written,
//! the second one exits at once (what is written is safe either way).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

static STOP: OnceLock<Arc<AtomicBool>> = OnceLock::new();

/// The flag that turns true on Ctrl-C (installed once per process).
pub(crate) fn install() -> Arc<AtomicBool> {
    STOP.get_or_init(|| {
        let flag = Arc::new(AtomicBool::new(false));
        let handler_flag = Arc::clone(&flag);
        let installed = ctrlc::set_handler(move || {
            if handler_flag.swap(true, Ordering::SeqCst) {
                eprintln!("\nbasinmap: stopped; every run reported done is saved");
                std::process::exit(130);
            }
            eprintln!("\nbasinmap: stopping after the runs in progress (Ctrl-C again to stop now)");
        });
        if let Err(err) = installed {
            eprintln!("note: Ctrl-C handling unavailable ({err}); an interrupt still keeps every finished run");
        }
        flag
    })
    .clone()
}
