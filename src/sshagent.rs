//! `env/ssh_key`: a private `ssh-agent` for one job. The key goes to the agent through a pipe, never
//! to a file; the agent's socket lives in a 0700 temp dir and the agent is stopped when the job ends,
//! however it ends.

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use thiserror::Error;

#[derive(Debug, Error)]
pub enum AgentError {
    #[error("env/ssh_key: cannot start ssh-agent ({0}); install the OpenSSH client")]
    Start(std::io::Error),
    #[error("env/ssh_key: ssh-agent did not create its socket")]
    NoSocket,
    #[error("env/ssh_key: ssh-add refused the key: {0}")]
    Refused(String),
}

pub struct SshAgent {
    agent: Child,
    socket: PathBuf,
    _dir: tempfile::TempDir,
    /// What `ssh-add` printed (for example `Identity added: …`), shown with the job's output.
    pub added_message: String,
}

impl SshAgent {
    pub fn start(key: &str) -> Result<Self, AgentError> {
        let dir = tempfile::Builder::new().prefix("ansible-runner-agent-").tempdir().map_err(AgentError::Start)?;
        let socket = dir.path().join("agent.sock");
        let agent = Command::new("ssh-agent")
            .arg("-D")
            .arg("-a")
            .arg(&socket)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(AgentError::Start)?;
        let mut started = Self { agent, socket, _dir: dir, added_message: String::new() };
        let deadline = Instant::now() + Duration::from_secs(5);
        while !started.socket.exists() {
            if Instant::now() > deadline || started.agent.try_wait().ok().flatten().is_some() {
                return Err(AgentError::NoSocket);
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let added = started.add(key)?;
        if !added.status.success() {
            return Err(AgentError::Refused(String::from_utf8_lossy(&added.stderr).trim().to_owned()));
        }
        started.added_message = String::from_utf8_lossy(&added.stderr).into_owned();
        Ok(started)
    }

    fn add(&self, key: &str) -> Result<Output, AgentError> {
        let mut command = Command::new("ssh-add");
        command
            .arg("-")
            .env("SSH_AUTH_SOCK", &self.socket)
            .env_remove("SSH_ASKPASS")
            .env_remove("DISPLAY")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // SAFETY: setsid is async-signal-safe. Without a controlling terminal, an encrypted key fails
        // at once instead of waiting for a passphrase nobody will type.
        unsafe {
            command.pre_exec(|| nix::unistd::setsid().map(drop).map_err(std::io::Error::from));
        }
        let mut child = command.spawn().map_err(AgentError::Start)?;
        if let Some(mut stdin) = child.stdin.take() {
            let mut text = key.to_owned();
            if !text.ends_with('\n') {
                text.push('\n');
            }
            stdin.write_all(text.as_bytes()).map_err(AgentError::Start)?;
        }
        child.wait_with_output().map_err(AgentError::Start)
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
        // The end-of-job sweep may have ended and reaped the agent already: then its pid is no
        // longer ours to signal.
        if let Ok(None) = self.agent.try_wait() {
            let _ = self.agent.kill();
            let _ = self.agent.wait();
        }
    }
}
