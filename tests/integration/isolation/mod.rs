//! Jobs isolated from the host: in podman and docker containers (execution environments) and in
//! the bubblewrap sandbox, with the engines themselves proven to work on this machine first.

pub mod containers;
pub mod engines;
pub mod sandbox;
