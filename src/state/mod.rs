//! The runner's own state beside a job: pid files, the run lock, the run mark that says a run is in
//! progress, and the detached process of `start`.

pub mod daemon;
pub mod lock;
pub mod pidfile;
pub mod runmark;
