//! Small helpers every stage uses, with no knowledge of jobs.

pub mod atomic;
pub mod fs;
pub mod io;
pub mod lookup;
pub mod pyjson;
pub mod redact;
pub mod shown;
