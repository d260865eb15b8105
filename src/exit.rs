//! Exit codes of the binary, in one place. A job's own rc is passed through unchanged.

/// Success, and the answer "alive" of `is-alive`.
pub const OK: i32 = 0;
/// An error the runner reports itself (bad input, missing pid file, a job that cannot be prepared).
pub const FAILURE: i32 = 1;
/// A command line that cannot be parsed (as argparse and clap both use).
pub const USAGE: i32 = 2;
/// `--lock` found another run holding the private data dir (EX_TEMPFAIL: try again later).
pub const LOCKED: i32 = 75;

/// rc recorded (and exit code) for a job that timed out or was cancelled, as the Python tool.
pub const RC_TIMEOUT_OR_CANCEL: i32 = 254;
/// rc recorded (and exit code) when the Ansible program cannot be found.
pub const RC_NOT_FOUND: i32 = 127;
/// rc recorded for a run the runner itself could not complete (a full disk, a program the system
/// refused to start); the runner exits 1 too, with the reason on stderr.
pub const RC_RUNNER_FAILED: i32 = FAILURE;
/// Added to the signal number for a job whose Ansible process a signal from outside killed.
pub const RC_SIGNAL_BASE: i32 = 128;

/// Every exit code and what it means, as the man pages' EXIT STATUS section and the README say it.
pub const MEANINGS: [(&str, &str); 9] = [
    ("0", "The job succeeded; for is-alive, the job is running."),
    ("Ansible's rc", "The job failed: 1 error, 2 failed hosts, 4 unreachable hosts or a parse error, and so on."),
    ("rc or 1", "process: the job's rc when it is 1 to 255, otherwise 1 for a job whose status is not successful."),
    (
        "1",
        "The runner refused: a bad flag value or env/ file, a missing pid file, a broken stream; for \
         is-alive, the job is not running. Also a run the runner could not complete (a full disk): status \
         failed, rc 1, the reason on stderr.",
    ),
    ("2", "The command line cannot be parsed; the error line is argparse's."),
    ("75", "--lock: another run holds the private data dir."),
    ("127", "The Ansible program is not installed."),
    ("128+n", "The Ansible process was killed by signal n from outside."),
    ("254", "Timeout (job_timeout, idle_timeout) or canceled (Ctrl-C, SIGTERM, stop)."),
];

/// Says on stderr, in one line, why the program ends, and returns its exit code. The Python tool's
/// own validation messages are printed bare, as it prints them.
pub fn report(err: &anyhow::Error) -> i32 {
    use crate::job::isolation::IsolationError::MissingEngine;
    use crate::job::JobError::{BadInventory, HostsWithoutModuleOrRole, Isolation, NothingToRun};
    let bare = matches!(
        err.downcast_ref(),
        Some(HostsWithoutModuleOrRole | NothingToRun | BadInventory | Isolation(MissingEngine(_)))
    );
    if bare {
        errln!("{err}");
    } else {
        errln!("ansible-runner: {}", crate::cli::diagnostics::one_line(err));
    }
    code_for(err)
}

/// The exit code for an error that ended the program.
pub fn code_for(err: &anyhow::Error) -> i32 {
    if err
        .downcast_ref::<crate::state::lock::LockError>()
        .is_some_and(|e| !matches!(e, crate::state::lock::LockError::Open(..)))
    {
        LOCKED
    } else {
        FAILURE
    }
}
