//! Small helpers every stage uses, with no knowledge of jobs.

pub mod pyjson;
