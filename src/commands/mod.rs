//! One module per command that is not the job itself (`run`, `start`, `stop` and `is-alive` live
//! with the job runner and its daemon): each turns its parsed arguments into work and an exit code.

pub mod cleanup;
pub mod process;
pub mod replay;
pub mod transmit;
pub mod worker;
