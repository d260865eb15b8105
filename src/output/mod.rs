//! What a person or a log reads while a job runs: the event display, the progress line and the
//! runner's debug log.

pub mod debuglog;
pub mod display;
pub mod progress;

use std::sync::atomic::{AtomicBool, Ordering};

static SILENT: AtomicBool = AtomicBool::new(false);

/// Keeps the runner's notices (warnings, the cancel notice, what went wrong with a report) off
/// stderr for the rest of the process: a worker's stderr is merged into its stream by Receptor, so
/// what a worker reports goes into the stream instead.
pub fn silence_notices() {
    SILENT.store(true, Ordering::Relaxed);
}

pub fn notices_silenced() -> bool {
    SILENT.load(Ordering::Relaxed)
}
