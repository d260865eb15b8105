//! One module per command: each turns its parsed arguments into work and an exit code.

pub mod cleanup;
pub mod history;
pub mod is_alive;
pub mod process;
pub mod replay;
pub mod run;
pub mod start;
pub mod stop;
pub mod transmit;
pub mod worker;
