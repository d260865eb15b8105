//! `env/ssh_key`: a private `ssh-agent` for one job. The key goes to the agent through a pipe, never
//! to a file; the agent's socket lives in a 0700 temp dir and the agent is stopped when the job ends,
//! however it ends. Starting the agent and adding the key are bounded by the job's deadline and
//! give way to a cancel, like the rest of the job.

use std::io::{Read, Write};
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;
use thiserror::Error;

use crate::supervise::{own_session, Inputs};

/// The largest `env/ssh_key` accepted. The largest private key OpenSSH makes (RSA, 16384 bits) is
/// about 12 KiB; anything past 64 KiB is not a key, and `ssh-add` can take minutes to say so.
pub const MAX_KEY_BYTES: usize = 64 * 1024;
/// How long `ssh-agent` gets to create its socket when the job sets no earlier deadline.
const SOCKET_PATIENCE: Duration = Duration::from_secs(5);
const POLL: Duration = Duration::from_millis(5);

#[derive(Debug, Error)]
pub enum AgentError {
    #[error(
        "env/ssh_key holds {0} bytes, more than any private key (at most {limit} KiB are accepted)",
        limit = MAX_KEY_BYTES / 1024
    )]
    TooLarge(usize),
    #[error("env/ssh_key: cannot start ssh-agent ({0}); install the OpenSSH client")]
    Start(std::io::Error),
    #[error("env/ssh_key: ssh-agent did not create its socket")]
    NoSocket,
    #[error("env/ssh_key: ssh-add refused the key: {0}")]
    Refused(String),
    /// The job's deadline passed while the agent was being prepared.
    #[error("env/ssh_key: the job timed out while the key was being loaded")]
    TimedOut,
    #[error("env/ssh_key: the job was canceled while the key was being loaded")]
    Canceled,
}

/// The job's deadline and cancel requests, which every phase of the job gives way to.
#[derive(Clone, Copy)]
pub struct Bounds<'a> {
    pub deadline: Option<Instant>,
    pub inputs: &'a Inputs,
}

impl Bounds<'_> {
    /// Why the phase must stop now, if it must.
    fn check(&self) -> Result<(), AgentError> {
        if self.inputs.canceled() {
            return Err(AgentError::Canceled);
        }
        if self.deadline.is_some_and(|deadline| Instant::now() >= deadline) {
            return Err(AgentError::TimedOut);
        }
        Ok(())
    }
}

pub struct SshAgent {
    agent: Child,
    socket: PathBuf,
    _dir: tempfile::TempDir,
    /// What `ssh-add` printed (for example `Identity added: …`), shown with the job's output.
    pub added_message: String,
}

impl SshAgent {
    pub fn start(key: &str, bounds: Bounds<'_>) -> Result<Self, AgentError> {
        if key.len() > MAX_KEY_BYTES {
            return Err(AgentError::TooLarge(key.len()));
        }
        let dir = tempfile::Builder::new().prefix("ansible-runner-agent-").tempdir().map_err(AgentError::Start)?;
        let socket = dir.path().join("agent.sock");
        let mut command = Command::new("ssh-agent");
        command.arg("-D").arg("-a").arg(&socket).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
        // Its own session keeps the terminal's signals away; it ends with the runner, even a killed one.
        own_session(&mut command, false);
        let agent = command.spawn().map_err(AgentError::Start)?;
        let mut started = Self { agent, socket, _dir: dir, added_message: String::new() };
        let patience = Instant::now() + SOCKET_PATIENCE;
        while !started.socket.exists() {
            bounds.check()?;
            if Instant::now() > patience || started.agent.try_wait().ok().flatten().is_some() {
                return Err(AgentError::NoSocket);
            }
            thread::sleep(POLL);
        }
        let (status, output) = started.add(key, bounds)?;
        if !status.success() {
            return Err(AgentError::Refused(output.trim().to_owned()));
        }
        started.added_message = output;
        Ok(started)
    }

    /// Runs `ssh-add -` with the key on its input; returns its status and what it printed.
    fn add(&self, key: &str, bounds: Bounds<'_>) -> Result<(ExitStatus, String), AgentError> {
        let (read_end, write_end) = nix::unistd::pipe().map_err(|err| AgentError::Start(err.into()))?;
        let mut child = self.spawn_ssh_add(write_end)?;
        let mut text = key.to_owned();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        // Written and read on threads of their own, so that an ssh-add that stops reading or keeps
        // printing cannot block the wait below; both end when ssh-add does.
        let stdin = child.stdin.take();
        let writer = thread::spawn(move || stdin.map(|mut input| input.write_all(text.as_bytes())));
        let reader = thread::spawn(move || {
            let mut output = Vec::new();
            let _ = std::fs::File::from(read_end).read_to_end(&mut output);
            output
        });
        let status = wait_bounded(&mut child, bounds)?;
        let _ = writer.join();
        let output = reader.join().unwrap_or_default();
        Ok((status, String::from_utf8_lossy(&output).into_owned()))
    }

    /// Starts `ssh-add -` for this agent, both its output streams going to `output`; the runner
    /// keeps no copy of `output`, so reading its pipe ends when ssh-add does.
    fn spawn_ssh_add(&self, output: OwnedFd) -> Result<Child, AgentError> {
        let mut command = Command::new("ssh-add");
        command
            .arg("-")
            .env("SSH_AUTH_SOCK", &self.socket)
            .env_remove("SSH_ASKPASS")
            .env_remove("DISPLAY")
            .stdin(Stdio::piped())
            .stdout(Stdio::from(output.try_clone().map_err(AgentError::Start)?))
            .stderr(Stdio::from(output));
        // Without a controlling terminal, an encrypted key fails at once instead of waiting for a
        // passphrase nobody will type.
        own_session(&mut command, false);
        command.spawn().map_err(AgentError::Start)
    }

    /// The agent's socket, for an isolated job to be given access to.
    pub fn socket(&self) -> &Path {
        &self.socket
    }

    /// Variables that point the job at this agent.
    pub fn env(&self) -> [(String, String); 2] {
        [
            ("SSH_AUTH_SOCK".to_owned(), self.socket.display().to_string()),
            ("SSH_AGENT_PID".to_owned(), self.agent.id().to_string()),
        ]
    }
}

impl Drop for SshAgent {
    fn drop(&mut self) {
        // The job's sweep leaves the agent alone (it is not the job's); an agent that died by
        // itself is only reaped, its pid no longer ours to signal. Else its process group goes,
        // with anything it started.
        if let Ok(None) = self.agent.try_wait() {
            kill_group(&self.agent);
            let _ = self.agent.wait();
        }
    }
}

/// Waits for `child` to end, polling; once the job must stop, kills its group first.
fn wait_bounded(child: &mut Child, bounds: Bounds<'_>) -> Result<ExitStatus, AgentError> {
    loop {
        if let Some(status) = child.try_wait().map_err(AgentError::Start)? {
            return Ok(status);
        }
        if let Err(stop) = bounds.check() {
            kill_group(child);
            let _ = child.wait();
            return Err(stop);
        }
        thread::sleep(POLL);
    }
}

/// SIGKILLs the process group `child` leads (it was started in a session of its own).
fn kill_group(child: &Child) {
    if let Ok(pid) = i32::try_from(child.id()) {
        let _ = nix::sys::signal::killpg(nix::unistd::Pid::from_raw(pid), Signal::SIGKILL);
    }
}
