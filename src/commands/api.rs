//! `ansible-runner api` (hidden): one job for the Python package `ansible_runner`, over stdin and
//! stdout as `python/PROTOCOL.md` describes. The request comes as one JSON line; status lines, the
//! events and the final status with rc go back; stdin stays open as the job's lifeline, so an
//! application that is gone takes its job along.

use std::cell::RefCell;
use std::fs::File;
use std::io::{self, BufRead, IsTerminal, Read, Seek, SeekFrom};
use std::os::fd::AsRawFd;
use std::rc::Rc;
use std::sync::mpsc::{self, Receiver, Sender};

use serde_json::{json, Map, Value};

use crate::artifacts::dir::ArtifactDir;
use crate::events::{Event, EventSink};
use crate::exit::{self, ExitStatus};
use crate::job::command_line::CommandLine;
use crate::job::{JobError, JobSpec};
use crate::output::debuglog::DebugLog;
use crate::request::api::{ApiRequest, RequestError, PROTOCOL};
use crate::runner::{self, RunContext, StatusObserver};
use crate::streaming::StreamWriter;
use crate::supervise::{Input, InputSender, Inputs};

/// The request line is bounded like any stream line.
const MAX_REQUEST: u64 = 64 << 20;

type Writer = Rc<RefCell<StreamWriter<io::Stdout>>>;

/// Writes one line to the application. A closed pipe is the application gone, which cancels the
/// job (its stdin ends too): the job then ends `canceled` in its artifacts, with nobody left to
/// tell, rather than failing on the first event it cannot hand over.
fn tell(writer: &Writer, value: &impl serde::Serialize) -> io::Result<()> {
    match writer.borrow_mut().write_json(value) {
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        written => written,
    }
}

/// What the application says after its request.
enum Control {
    Run,
    Cancel,
}

/// Runs the job the request on stdin describes. The exit code is the job's rc, or 1 when the
/// request is refused (after an `error` line and eof).
pub fn api_command() -> anyhow::Result<ExitStatus> {
    if io::stdin().is_terminal() {
        let message = "api is the pipe of the Python package `ansible_runner`; run a job with `ansible-runner run`";
        return Err(exit::Failure::new(exit::USAGE, message).into());
    }
    crate::output::silence_notices();
    let writer: Writer = Rc::new(RefCell::new(StreamWriter::new(io::stdout())));
    let mut stdin = io::stdin().lock();
    let Received { spec, event_files, stdout_text, inputs, control, stderr } = match receive(&mut stdin) {
        Ok(received) => received,
        Err(refused) => {
            let mut out = writer.borrow_mut();
            out.write_json(&refused.line())?;
            out.write_json(&json!({"eof": true}))?;
            return Ok(ExitStatus::Refused);
        }
    };
    drop(stdin);
    let mut events = ApiEvents { writer: Rc::clone(&writer) };
    let places = json!({
        "artifact_dir": spec.artifact_dir().to_string_lossy(),
        "settings": spec.env.settings_given,
        "fact_cache": spec.fact_cache_jsonfile.then(|| spec.artifact_dir().join(&spec.env.settings.fact_cache).to_string_lossy().into_owned()),
    });
    let mut status = ApiStatus { writer: Rc::clone(&writer), ident: spec.ident.clone(), places, control };
    let context =
        RunContext { inputs: &inputs, sinks: vec![&mut events], status: &mut status, event_files, stdout_text };
    let mut debug = DebugLog::open(spec.logging.debug, None)?;
    let (final_line, rc) = match runner::run_job(&spec, context, &mut debug) {
        Ok(outcome) => (json!({"status": outcome.status.as_str(), "rc": outcome.rc}), outcome.rc),
        Err(err) => {
            let explanation = exit::one_line(&err);
            crate::output::last_word(&format!("ansible-runner: {explanation}"));
            let line = json!({"status": "failed", "rc": exit::RC_RUNNER_FAILED, "job_explanation": explanation});
            (line, exit::RC_RUNNER_FAILED)
        }
    };
    if let Some(captured) = stderr {
        if let Err(err) = store_stderr(&spec, captured) {
            crate::output::last_word(&format!(
                "ansible-runner: cannot store the command's stderr: {}",
                exit::one_line(&err)
            ));
        }
    }
    let mut line = final_line;
    line["runner_ident"] = Value::from(spec.ident.clone());
    tell(&writer, &line)?;
    tell(&writer, &json!({"eof": true}))?;
    Ok(ExitStatus::Job(rc))
}

/// Reads and resolves the request, then listens to stdin on a thread of its own: control lines
/// and, at its end, the application gone.
fn receive(stdin: &mut impl BufRead) -> Result<Received, RequestError> {
    let mut line = Vec::new();
    stdin.take(MAX_REQUEST).read_until(b'\n', &mut line).map_err(|err| value_error(&err.to_string()))?;
    if line.is_empty() {
        return Err(value_error("no request on stdin"));
    }
    let api_request = ApiRequest::parse(&line)?;
    RequestError::check_protocol(api_request.protocol)?;
    let event_files = api_request.event_files.unwrap_or(false);
    let stdout_text = api_request.stdout_text.unwrap_or(true);
    let request = api_request.into_request()?;
    let mut spec = JobSpec::resolve(&request).map_err(|err| refusal(&err))?;
    make_artifact_dir(&spec)?;
    let stderr = capture_stderr(&mut spec)?;
    let inputs = Inputs::with_signals().map_err(|err| value_error(&err.to_string()))?;
    let sender = inputs.sender();
    crate::streaming::hangup::when_stdout_closes(move || sender.send(Input::ReaderGone));
    let (sender, receiver) = mpsc::channel();
    let requests = inputs.sender();
    std::thread::spawn(move || listen(&requests, &sender));
    Ok(Received { spec, event_files, stdout_text, inputs, control: receiver, stderr })
}

/// The resolved job and what goes with it.
struct Received {
    spec: JobSpec,
    /// Whether the runner writes the job's event files.
    event_files: bool,
    /// Whether the runner writes the events' text to `stdout`.
    stdout_text: bool,
    /// Signals and cancel requests, for the job.
    inputs: Inputs,
    /// The application's controls.
    control: Receiver<Control>,
    /// Where a `subprocess` command's stderr goes until it is copied into the artifact dir.
    stderr: Option<File>,
}

/// A command's descriptors from the package are checked open and kept from the job's other
/// processes, and whether they are a terminal is noted; a `subprocess` command whose stderr is not passed through gets a temp file for it,
/// which (unlike a pipe) can neither fill up nor be held open by a process the job leaves behind.
fn capture_stderr(spec: &mut JobSpec) -> Result<Option<File>, RequestError> {
    let Some(command) = spec.command.as_mut() else { return Ok(None) };
    for fd in [command.stdio.stdin, command.stdio.stdout, command.stdio.stderr].into_iter().flatten() {
        // SAFETY: fcntl on a number only reads and sets that descriptor's flags; a closed one fails.
        if unsafe { nix::libc::fcntl(fd, nix::libc::F_SETFD, nix::libc::FD_CLOEXEC) } == -1 {
            return Err(value_error(&format!("descriptor {fd} for the command is not open")));
        }
    }
    // SAFETY: isatty only inspects an open descriptor (checked above).
    let is_terminal = |fd: Option<i32>| fd.is_some_and(|fd| unsafe { nix::libc::isatty(fd) } == 1);
    command.on_terminal = is_terminal(command.stdio.stdin) && is_terminal(command.stdio.stdout);
    if !command.separate_streams || command.stdio.stderr.is_some() {
        return Ok(None);
    }
    let file =
        tempfile::tempfile().map_err(|err| value_error(&format!("cannot create a temp file for stderr: {err}")))?;
    command.stdio.stderr = Some(file.as_raw_fd());
    Ok(Some(file))
}

/// Puts a `subprocess` command's stderr into the artifact dir's `stderr`, as the Python tool does.
fn store_stderr(spec: &JobSpec, mut captured: File) -> anyhow::Result<()> {
    if spec.env.settings.suppress_output_file {
        return Ok(());
    }
    let mut text = Vec::new();
    captured.seek(SeekFrom::Start(0))?;
    captured.read_to_end(&mut text)?;
    let dir = ArtifactDir::open(&spec.artifact_dir())?;
    dir.write_atomic("stderr", &text, 0o644)?;
    Ok(())
}

fn value_error(detail: &str) -> RequestError {
    RequestError::new("ValueError", format!("ansible-runner api: {detail}"))
}

/// A job the runner cannot prepare: an `OSError` where the Python tool's `os.makedirs` of the
/// private data dir raises one, else a `ConfigurationError`.
fn refusal(err: &JobError) -> RequestError {
    match err.os_error() {
        Some((errno, path)) => RequestError {
            os_error: Some((errno, path.display().to_string())),
            ..RequestError::new("OSError", err.to_string())
        },
        None => RequestError::new("ConfigurationError", err.to_string()),
    }
}

/// Makes the run's artifact dir before the go-ahead, as the Python tool does while configuring:
/// a base that is a file or cannot be written is the application's `OSError`, not a failed job.
fn make_artifact_dir(spec: &JobSpec) -> Result<(), RequestError> {
    let path = spec.artifact_dir();
    crate::util::fs::create_dir_private(&path).map_err(|err| RequestError {
        os_error: err.raw_os_error().map(|errno| (errno, path.display().to_string())),
        ..RequestError::new("OSError", format!("cannot make the artifact dir {}: {err}", path.display()))
    })
}

/// Turns the lines after the request into controls: a cancel line, or one that means nothing else,
/// is a cancel request, the same one a signal makes; the end of stdin, or an error reading it, is
/// the application gone, and the last thing heard.
fn listen(inputs: &InputSender, controls: &Sender<Control>) {
    let mut stdin = io::stdin().lock();
    let mut line = Vec::new();
    while let Ok(1..) = next_line(&mut stdin, &mut line) {
        let control = if is_run(&line) {
            Control::Run
        } else if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        } else {
            inputs.send(Input::CancelLine);
            Control::Cancel
        };
        // The job may be past its start already; nobody waiting is fine.
        let _ = controls.send(control);
    }
    inputs.send(Input::ApplicationGone);
    let _ = controls.send(Control::Cancel);
}

/// Longest control line kept: the package's are a few bytes.
const MAX_CONTROL_LINE: usize = 64 << 10;

/// Reads the next line into `line`, without its newline, keeping at most [`MAX_CONTROL_LINE`]
/// bytes of it (a longer one is read to its end all the same, and means nothing but a cancel), so
/// that an application flooding the pipe cannot grow the runner's memory. Returns the bytes
/// consumed: 0 at the end of the input.
fn next_line(input: &mut impl BufRead, line: &mut Vec<u8>) -> io::Result<usize> {
    line.clear();
    let mut consumed = 0;
    loop {
        let available = input.fill_buf()?;
        if available.is_empty() {
            return Ok(consumed);
        }
        let end = available.iter().position(|byte| *byte == b'\n');
        let chunk = &available[..end.unwrap_or(available.len())];
        let room = MAX_CONTROL_LINE.saturating_sub(line.len());
        line.extend_from_slice(&chunk[..chunk.len().min(room)]);
        let used = chunk.len() + usize::from(end.is_some());
        consumed += used;
        input.consume(used);
        if end.is_some() {
            return Ok(consumed);
        }
    }
}

fn is_run(line: &[u8]) -> bool {
    serde_json::from_slice::<Map<String, Value>>(line).is_ok_and(|map| map.get("run") == Some(&Value::Bool(true)))
}

/// Every event, as its `job_events/` file would hold it: the package decides which files to write.
struct ApiEvents {
    writer: Writer,
}

impl EventSink for ApiEvents {
    fn on_event(&mut self, event: &Event) -> io::Result<()> {
        tell(&self.writer, &event.json)
    }
}

/// The `starting` line carries the real command line (the pipe is the application's own), then
/// waits for the application's go-ahead: `init_runner()` prepares a job that `Runner.run()` starts.
struct ApiStatus {
    writer: Writer,
    ident: String,
    /// `artifact_dir` and `fact_cache`, as the job uses them.
    places: Value,
    control: Receiver<Control>,
}

impl StatusObserver for ApiStatus {
    fn starting(&mut self, line: &CommandLine, _redacted: &CommandLine) -> io::Result<()> {
        let mut status = line.starting_status(&self.ident);
        if let Value::Object(places) = &self.places {
            status.extend(places.clone());
        }
        status.insert("protocol".to_owned(), PROTOCOL.into());
        tell(&self.writer, &status)?;
        // A cancel (or the application gone) before the go-ahead has been counted already: the
        // job ends `canceled` without starting Ansible.
        let _ = self.control.recv();
        Ok(())
    }

    fn running(&mut self) -> io::Result<()> {
        tell(&self.writer, &json!({"status": "running", "runner_ident": self.ident}))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flood_without_newlines_is_kept_short_and_the_next_line_still_read() {
        let mut input = vec![b'x'; 200 << 10];
        input.extend_from_slice(b"\n{\"run\": true}\n");
        let mut reader = io::BufReader::with_capacity(4096, input.as_slice());
        let mut line = Vec::new();
        assert_eq!(next_line(&mut reader, &mut line).unwrap(), (200 << 10) + 1);
        assert_eq!(line.len(), MAX_CONTROL_LINE);
        assert!(!is_run(&line));
        assert_eq!(next_line(&mut reader, &mut line).unwrap(), 14);
        assert!(is_run(&line));
        assert_eq!(next_line(&mut reader, &mut line).unwrap(), 0);
    }
}
