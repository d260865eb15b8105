//! How a run and the program end, in one place: a run's status, and the binary's exit codes (a
//! job's own rc is passed through unchanged).

/// How a run ended, as written to `status` and `rc`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Successful,
    Failed,
    Timeout,
    Canceled,
}

impl Status {
    /// Every status a run can end with.
    pub const ALL: [Self; 4] = [Self::Successful, Self::Failed, Self::Timeout, Self::Canceled];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Successful => "successful",
            Self::Failed => "failed",
            Self::Timeout => "timeout",
            Self::Canceled => "canceled",
        }
    }
}

impl Status {
    /// The status a `status` file names, if it names one.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == text.trim())
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

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

/// How the program ends when the runner itself did not fail: a job's rc, passed through, is one
/// thing and the runner's own outcomes are others; [`ExitStatus::code`] is the one place they
/// become a process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Done; for `is-alive`, the job is running.
    Success,
    /// A job's rc as recorded in its `rc` file: Ansible's own, or 254, 127, 128+n.
    Job(i32),
    /// `is-alive`: no job runs.
    NotRunning,
    /// A refusal the runner already told where its reader looks (the api pipe, a worker's stream).
    Refused,
    /// `process`: a job that did not succeed with no rc an exit code can carry (`None`, -5, 256).
    FailedWithoutRc,
}

impl ExitStatus {
    /// The process exit code. An rc no exit code can carry (negative, over 255) is a failure,
    /// never wrapped around to look like another code, least of all 0.
    pub fn code(self) -> i32 {
        match self {
            Self::Success => OK,
            Self::Job(rc) if (0..=255).contains(&rc) => rc,
            Self::Job(_) | Self::NotRunning | Self::Refused | Self::FailedWithoutRc => FAILURE,
        }
    }
}

/// Every exit code and what it means: the man pages' EXIT STATUS section is made from this list, and
/// a test holds the table of docs/compatibility.md to it.
pub const MEANINGS: [(&str, &str); 9] = [
    ("0", "The job succeeded; for is-alive, the job is running."),
    ("Ansible's rc", "The job failed: 1 error, 2 failed hosts, 4 unreachable hosts or a parse error, and so on."),
    (
        "rc or 1",
        "process: the job's rc when it is 1 to 255, otherwise 1 for a job whose status is not successful \
         (rc None from a job killed by a signal, 256, -5, 0).",
    ),
    (
        "1",
        "The runner refused: a bad flag value or env/ file (a timeout in env/settings outside 0 to \
         1000000000 s included), a missing pid file, a broken stream (process); for is-alive, the job is \
         not running. Also a run whose artifact dir exists that the runner could not complete (a full \
         disk, a command line or environment too large to start the program): status failed, rc 1, the \
         reason on stderr.",
    ),
    (
        "2",
        "The command line cannot be parsed; the error line is argparse's (--lock-wait and \
         --keepalive-seconds outside 0 to 1000000000 s included).",
    ),
    ("75", "--lock: another run holds the private data dir."),
    ("127", "The Ansible program is not installed; the message says how to install it."),
    ("128+n", "The Ansible process was killed by signal n from outside."),
    ("254", "Timeout (job_timeout, idle_timeout) or canceled (Ctrl-C, SIGTERM, stop)."),
];

/// An error that ends the program with an exit code of its own, or in the Python tool's own words.
/// Error types that need more than exit 1 and an `ansible-runner:` prefix convert into this where
/// they are raised (`From` impls beside them); every other error ends the program with `FAILURE`.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Failure {
    code: i32,
    /// Printed as it is, without the `ansible-runner:` prefix.
    bare: bool,
    message: String,
}

impl Failure {
    pub fn new(code: i32, message: impl Into<String>) -> Self {
        Self { code, bare: false, message: message.into() }
    }

    /// A refusal worded as the Python tool words it, printed bare, exit 1.
    pub fn bare(message: impl Into<String>) -> Self {
        Self { code: FAILURE, bare: true, message: message.into() }
    }

    pub fn code(&self) -> i32 {
        self.code
    }
}

/// Whether an error ends the program as the Python tool's `parser.exit` or `sys.exit(message)` does
/// (its refusals in its own words): a `SystemExit` for the package's in-process `main()`.
pub fn is_parser_exit(err: &anyhow::Error) -> bool {
    err.downcast_ref::<Failure>().is_some_and(|failure| failure.bare)
}

/// The exit code an error ends the program with.
pub fn code_of(err: &anyhow::Error) -> i32 {
    err.downcast_ref::<Failure>().map_or(FAILURE, Failure::code)
}

/// The message an error ends the program with: bare as the Python tool words it, or one line that
/// says each cause once (many messages already end with their cause: `cannot read X: <io error>`).
pub fn message_of(err: &anyhow::Error) -> String {
    if let Some(failure) = err.downcast_ref::<Failure>().filter(|failure| failure.bare) {
        return failure.message.clone();
    }
    format!("ansible-runner: {}", one_line(err))
}

/// An error and its causes on one line, each text said once.
pub fn one_line(err: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if line.is_empty() {
            line = text;
        } else if !line.contains(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_s_rc_passes_through_and_one_no_exit_code_carries_is_a_failure() {
        assert_eq!(ExitStatus::Job(4).code(), 4);
        assert_eq!(ExitStatus::Job(254).code(), 254);
        assert_eq!(ExitStatus::Job(256).code(), FAILURE);
        assert_eq!(ExitStatus::Job(-13).code(), FAILURE);
        assert_eq!(ExitStatus::NotRunning.code(), FAILURE);
    }

    #[test]
    fn a_cause_already_in_the_message_is_not_repeated() {
        let io = std::io::Error::from_raw_os_error(17);
        let err = anyhow::Error::new(io)
            .context("cannot write artifact /a/x: File exists (os error 17)")
            .context("cannot prepare the run");
        assert_eq!(one_line(&err), "cannot prepare the run: cannot write artifact /a/x: File exists (os error 17)");
        let plain = anyhow::anyhow!("first").context("second");
        assert_eq!(one_line(&plain), "second: first");
    }

    #[test]
    fn a_failure_owns_its_code_and_wording_through_context() {
        let locked = anyhow::Error::new(Failure::new(LOCKED, "held")).context("cannot run");
        assert_eq!(code_of(&locked), LOCKED);
        assert_eq!(message_of(&locked), "ansible-runner: cannot run: held");
        let bare = anyhow::Error::new(Failure::bare("The -p option must be specified when not using -m or -r"));
        assert_eq!(message_of(&bare), "The -p option must be specified when not using -m or -r");
        assert_eq!(code_of(&anyhow::anyhow!("plain")), FAILURE);
    }
}
