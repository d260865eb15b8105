//! What a person or a log reads while a job runs: the event display, the progress line and the
//! runner's debug log.

pub mod debuglog;
pub mod display;
pub mod progress;

use std::sync::atomic::{AtomicBool, Ordering};

static SILENT: AtomicBool = AtomicBool::new(false);

/// Keeps the runner's notices (warnings, the cancel notice, what went wrong with a report) off
/// stderr for the rest of the process, where stderr belongs to someone else: a worker's is merged
/// into its stream by Receptor, the `api` child's is the application's. What they must report goes
/// into their stream instead.
pub fn silence_notices() {
    SILENT.store(true, Ordering::Relaxed);
}

pub fn notices_silenced() -> bool {
    SILENT.load(Ordering::Relaxed)
}

/// Writes `text` on stderr even when notices are silenced: why the process ends, when its stream
/// cannot say it. Never panics.
pub fn last_word(text: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "{text}");
}
