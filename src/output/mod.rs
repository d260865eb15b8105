//! What a person or a log reads while a job runs: the event display, the progress line and the
//! runner's debug log.

pub mod debuglog;
pub mod display;
pub mod progress;
