//! Jobs run on another node: over SSH (`transmit | ssh node ansible-runner worker | process`) and
//! over a Receptor mesh, the way AWX dispatches them.

mod receptor;
mod ssh;
