//! The runner's own state beside a job: pid files, the run lock and the detached process of `start`.

pub mod daemon;
pub mod lock;
pub mod pidfile;
