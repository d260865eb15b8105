//! One integration-test binary: every test runs the real `ansible-runner` binary against real
//! ansible-core from `.venv/`, and the comparison tests run the Python ansible-runner 2.4.3 too.
//! One module per command and one per concern across commands: tests/README.md says which owns what.

// Child pids fit in an i32 and the counts compared with floats are small.
#![allow(clippy::cast_possible_wrap, clippy::cast_precision_loss)]

mod api;
mod cleanup;
mod cli;
mod common;
mod compare;
mod credentials;
mod docs;
mod history;
mod hostile;
mod isolation;
mod layering;
mod remote;
mod replay;
mod reports;
mod run;
mod signals;
mod start_stop;
mod stream;
