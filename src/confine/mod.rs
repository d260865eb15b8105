//! Confining a job's command line in its isolation (chosen in `job::isolation`): the container
//! engine's `run` command, or the bubblewrap sandbox with what it needs on disk.

pub mod container;
pub mod sandbox;
