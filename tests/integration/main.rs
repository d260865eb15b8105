//! One integration-test binary: every test runs the real `ansible-runner` binary against real
//! ansible-core from `.venv/`, and the comparison tests run the Python ansible-runner 2.4.3 too.

// Child pids fit in an i32 and the counts compared with floats are small.
#![allow(clippy::cast_possible_wrap, clippy::cast_precision_loss)]

mod api;
mod assets;
mod cli;
mod common;
mod compare;
mod containers;
mod control;
mod docs;
mod ending;
mod engines;
mod hardening_input;
mod history;
mod hostile_api;
mod hostile_job;
mod layering;
mod metrics;
mod ops;
mod receptor;
mod recipes;
mod remote_ssh;
mod reports;
mod run;
mod sandbox;
mod stream;
mod stream_hostile;
