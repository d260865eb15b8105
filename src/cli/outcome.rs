//! How the program ended, for the Python package's in-process `main()` (python/PROTOCOL.md, "The
//! command line in-process"): which exception the Python tool raises where this binary exits, told
//! as fields on a descriptor the package passes (`ANSIBLE_RUNNER_OUTCOME_FD`), never as words to
//! be matched in stderr.

use std::io::Write;
use std::os::fd::{FromRawFd, OwnedFd};
use std::path::PathBuf;
use std::sync::Mutex;

use serde_json::json;

use crate::exit::{self, ExitStatus};
use crate::job::files::ConfigError;
use crate::job::JobError;

/// The descriptor, 3 or more, the package reads the outcome line from.
pub const OUTCOME_FD_VAR: &str = "ANSIBLE_RUNNER_OUTCOME_FD";

/// The descriptor claimed at start, written once at the end.
static OUTCOME: Mutex<Option<OwnedFd>> = Mutex::new(None);

/// Takes the outcome descriptor the package passed, before anything else runs: marked
/// close-on-exec and its variable removed, so that no job, and no runner a job starts, holds it
/// open or writes to it.
pub fn claim() {
    let Some(fd) = std::env::var(OUTCOME_FD_VAR).ok().and_then(|fd| fd.parse::<i32>().ok()) else { return };
    // SAFETY: the program is single-threaded this early; nothing else reads the environment now.
    unsafe { std::env::remove_var(OUTCOME_FD_VAR) };
    // SAFETY: fcntl on a number only reads and sets that descriptor's flags; a closed one fails.
    if fd < 3 || unsafe { nix::libc::fcntl(fd, nix::libc::F_SETFD, nix::libc::FD_CLOEXEC) } == -1 {
        return;
    }
    // SAFETY: the descriptor is open (checked above) and was passed for the outcome line alone;
    // this is its one owner.
    let owned = unsafe { OwnedFd::from_raw_fd(fd) };
    if let Ok(mut slot) = OUTCOME.lock() {
        *slot = Some(owned);
    }
}

/// What the Python tool does where this program ends.
#[derive(Debug, PartialEq, Eq)]
pub enum Raise {
    /// Returns the exit code (a job's rc, a refusal of the runner's own).
    Nothing,
    /// Ends in `SystemExit` with the exit code: argparse's help, version and usage errors, and
    /// the tool's own argument checks (`parser.exit`, `sys.exit`).
    SystemExit,
    /// `os.makedirs` of the private data dir raised.
    OsError { errno: i32, filename: PathBuf },
}

/// The exit code and what the Python tool raises with it.
pub struct Ending {
    pub code: i32,
    pub raise: Raise,
}

impl Ending {
    pub fn returned(status: ExitStatus) -> Self {
        Self { code: status.code(), raise: Raise::Nothing }
    }

    pub fn system_exit(code: i32) -> Self {
        Self { code, raise: Raise::SystemExit }
    }

    /// How an error ends the program.
    pub fn of_error(err: &anyhow::Error) -> Self {
        let raise = if exit::is_parser_exit(err) {
            Raise::SystemExit
        } else {
            err.chain().find_map(os_error).unwrap_or(Raise::Nothing)
        };
        Self { code: exit::code_of(err), raise }
    }

    /// Writes the outcome line when the package asked for it ([`claim`]); a closed reader is
    /// ignored (the exit code still says the most).
    pub fn tell(&self) {
        let Some(fd) = OUTCOME.lock().ok().and_then(|mut slot| slot.take()) else { return };
        let _ = writeln!(std::fs::File::from(fd), "{}", self.line());
    }

    fn line(&self) -> serde_json::Value {
        let mut line = json!({"protocol": crate::request::api::PROTOCOL, "rc": self.code, "raise": null});
        match &self.raise {
            Raise::Nothing => {}
            Raise::SystemExit => line["raise"] = json!("SystemExit"),
            Raise::OsError { errno, filename } => {
                line["raise"] = json!("OSError");
                line["errno"] = json!(errno);
                line["filename"] = json!(filename.to_string_lossy());
            }
        }
        line
    }
}

/// The `OSError` a cause of the error stands for, where it is a job or configuration error.
fn os_error(cause: &(dyn std::error::Error + 'static)) -> Option<Raise> {
    let (errno, filename) = match cause.downcast_ref::<JobError>() {
        Some(job) => job.os_error(),
        None => cause.downcast_ref::<ConfigError>().and_then(ConfigError::os_error),
    }?;
    Some(Raise::OsError { errno, filename: filename.to_owned() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_ending_says_what_the_python_tool_raises() {
        assert_eq!(Ending::returned(ExitStatus::Job(2)).line(), json!({"protocol": 1, "rc": 2, "raise": null}));
        assert_eq!(Ending::system_exit(0).line()["raise"], "SystemExit");
        let checks = crate::job::JobError::NothingToRun.into_ending();
        assert_eq!(Ending::of_error(&checks).raise, Raise::SystemExit);
        let refused = JobError::Config(ConfigError::NotADirectory("/srv/x".into())).into_ending();
        let ending = Ending::of_error(&refused);
        assert_eq!(
            ending.line(),
            json!({"protocol": 1, "rc": 1, "raise": "OSError", "errno": 17, "filename": "/srv/x"})
        );
        assert_eq!(Ending::of_error(&anyhow::anyhow!("plain")).raise, Raise::Nothing);
    }
}
