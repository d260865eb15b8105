//! `ansible-runner worker`: reads a job stream on stdin, runs the job quietly in a private data dir,
//! and streams status lines, every event, the artifacts zip and eof on stdout. Anything wrong with
//! the input becomes an in-stream `error` status followed by eof, never a crash.

use std::fs;
use std::io;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use anyhow::Context;
use serde_json::{json, Value};

use crate::cli::WorkerArgs;
use crate::events::{Event, EventSink};
use crate::exit::{self, ExitStatus};
use crate::job::command_line::CommandLine;
use crate::job::settings::Settings;
use crate::job::{JobError, JobSpec};
use crate::output::debuglog::DebugLog;
use crate::request::kwargs::{rebase, Kwargs};
use crate::runner::{self, RunContext, StatusObserver};
use crate::streaming::{extract_zip, pack_dir, Frame, StreamReader, StreamWriter};
use crate::supervise::{Input, Inputs};
use crate::util::fs::create_dir_private;

type SharedWriter = Arc<Mutex<StreamWriter<io::Stdout>>>;

/// Locks the stream writer; a writer poisoned by a panicking thread is still whole between frames.
fn lock(writer: &SharedWriter) -> MutexGuard<'_, StreamWriter<io::Stdout>> {
    writer.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Why a worker could not finish its job normally.
enum Failure {
    /// Told to the controller as an `error` status line before eof; the worker exits with `code`.
    Job { line: Value, code: ExitStatus },
    /// The stream itself cannot be written: only stderr is left.
    Stream(io::Error),
}

impl Failure {
    fn job(explanation: impl std::fmt::Display) -> Self {
        Self::Job {
            line: json!({"status": "error", "job_explanation": explanation.to_string()}),
            code: ExitStatus::Refused,
        }
    }
}

/// Whatever goes wrong, the stream ends with a status line and eof, so that a controller never
/// waits for a job that is gone.
pub fn worker_command(args: &WorkerArgs) -> anyhow::Result<ExitStatus> {
    crate::output::silence_notices();
    let writer: SharedWriter = Arc::new(Mutex::new(StreamWriter::new(io::stdout())));
    let keepalive = Keepalive::start(&writer, args.keepalive_seconds.unwrap_or(0.0));
    let panicked = PanicMessage::catch();
    // A bug must not leave the controller without eof either; the panic message goes in the stream.
    let served = panic::catch_unwind(AssertUnwindSafe(|| serve_in_dir(args, &writer, &keepalive)))
        .unwrap_or_else(|_| Err(Failure::job(format!("The worker failed unexpectedly: {}", panicked.take()))));
    let result = match served {
        Ok(code) => Ok(code),
        Err(Failure::Job { line, code }) => {
            let mut out = lock(&writer);
            out.write_json(&line).and_then(|()| keepalive.write_eof(&mut out)).map(|()| code)
        }
        Err(Failure::Stream(err)) => Err(err),
    };
    keepalive.stop();
    result.context("cannot write the worker stream")
}

/// Where a panic's message goes instead of stderr, which Receptor would merge into the stream.
struct PanicMessage(Arc<Mutex<Option<String>>>);

impl PanicMessage {
    fn catch() -> Self {
        let slot = Arc::new(Mutex::new(None));
        let kept = Arc::clone(&slot);
        panic::set_hook(Box::new(move |info| {
            *kept.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(info.to_string());
        }));
        Self(slot)
    }

    fn take(&self) -> String {
        let message = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        message.unwrap_or_else(|| "a panic without a message".to_owned())
    }
}

/// Serves the job in the private data dir the flags ask for, or in a temp dir.
fn serve_in_dir(args: &WorkerArgs, writer: &SharedWriter, keepalive: &Keepalive) -> Result<ExitStatus, Failure> {
    let (pdd, _temp) = if let Some(dir) = &args.private_data_dir {
        let dir = crate::util::fs::absolute(dir);
        if args.delete {
            let _ = fs::remove_dir_all(&dir);
        }
        (dir, None)
    } else {
        let temp = tempfile::Builder::new()
            .prefix("ansible-runner-worker-")
            .tempdir()
            .map_err(|err| Failure::job(format!("Job could not be prepared: cannot make a temp dir: {err}")))?;
        (temp.path().to_owned(), Some(temp))
    };
    create_dir_private(&pdd)
        .map_err(|err| Failure::job(format!("Job could not be prepared: cannot create {}: {err}", pdd.display())))?;
    let result = serve(&pdd, writer, keepalive);
    if args.delete && args.private_data_dir.is_some() {
        let _ = fs::remove_dir_all(&pdd);
    }
    result
}

/// Reads the job, runs it, streams the results. Returns the exit code.
fn serve(pdd: &Path, writer: &SharedWriter, keepalive: &Keepalive) -> Result<ExitStatus, Failure> {
    let kwargs = receive_job(pdd).map_err(|line| Failure::Job { line, code: ExitStatus::Success })?;
    let spec = prepare_job(pdd, &kwargs)
        .map_err(|err| Failure::job(format!("Job could not be prepared: {}", exit::one_line(&err))))?;
    let cannot_run = |err: anyhow::Error| Failure::job(format!("Job could not be run: {}", exit::one_line(&err)));
    let inputs = Inputs::with_signals().map_err(|err| cannot_run(err.into()))?;
    let mut debug = DebugLog::open(false, None).map_err(|err| cannot_run(err.into()))?;
    let sender = inputs.sender();
    crate::streaming::hangup::when_stdout_closes(move || sender.send(Input::ReaderGone));
    let mut events = StreamSink { writer: Arc::clone(writer) };
    let mut status = StatusLines { writer: Arc::clone(writer), ident: spec.ident.clone() };
    let context = RunContext {
        inputs: &inputs,
        sinks: vec![&mut events],
        status: &mut status,
        event_files: false,
        stdout_text: true,
    };
    let outcome = runner::run_job(&spec, context, &mut debug).map_err(cannot_run)?;
    // Through the dir opened before the job ran: an isolated job may have put a link to a host dir
    // in its place, which must not be packed and sent.
    let packed = pack_dir(&outcome.dir.held_path(), |_| true)
        .map_err(|err| Failure::job(format!("The job's artifacts could not be packed: {err}")))?;
    let mut out = lock(writer);
    out.write_json(&json!({"status": outcome.status.as_str(), "runner_ident": spec.ident}))
        .and_then(|()| out.write_zip(packed))
        .and_then(|_| keepalive.write_eof(&mut out))
        .map_err(Failure::Stream)?;
    Ok(ExitStatus::Job(outcome.rc))
}

/// The job the kwargs describe, run inside `pdd`: inputs sent as kwargs are written into `env/`, and
/// every path the runner writes to stays under `pdd` (the controller's `artifact_dir` is rebased by
/// [`Kwargs::to_request`], the fact cache is kept inside the artifact dir).
fn prepare_job(pdd: &Path, kwargs: &Kwargs) -> anyhow::Result<JobSpec> {
    dump_env_inputs(pdd, kwargs).context("cannot write the job's env/ inputs")?;
    let mut spec = JobSpec::resolve(&kwargs.to_request(pdd)).map_err(JobError::into_ending)?;
    let fact_cache = rebase(Path::new(""), &spec.env.settings.fact_cache);
    spec.env.settings.fact_cache = if fact_cache.as_os_str().is_empty() {
        Settings::default().fact_cache
    } else {
        fact_cache.to_string_lossy().into_owned()
    };
    Ok(spec)
}

/// Reads frames until eof: the kwargs and the private data dir. Errors are the in-stream status
/// line the Python worker would send for them.
fn receive_job(pdd: &Path) -> Result<Kwargs, Value> {
    let stdin = io::stdin();
    let mut reader = StreamReader::new(stdin.lock());
    let mut kwargs = None;
    loop {
        let frame = match reader.next_frame() {
            Ok(Some(frame)) => frame,
            Ok(None) => return Err(parse_error("the stream ended before its eof line")),
            Err(err) if err.in_zip_payload() => return Err(extract_error(&err.to_string())),
            Err(err) => return Err(parse_error(&err.to_string())),
        };
        match frame {
            Frame::Zip { file } => {
                if let Err(err) = extract_zip(file, pdd) {
                    return Err(extract_error(&err.to_string()));
                }
            }
            Frame::Json(mut line) => {
                if let Some(value) = line.remove("kwargs") {
                    match serde_json::from_value::<Kwargs>(value) {
                        Ok(parsed) => kwargs = Some(parsed),
                        Err(err) => {
                            let reason = crate::util::shown::scrubbed(&err.to_string());
                            return Err(parse_error(&format!("kwargs: {reason}")));
                        }
                    }
                } else if line.contains_key("eof") {
                    return kwargs.ok_or_else(|| parse_error("no kwargs line before eof"));
                }
            }
        }
    }
}

fn extract_error(detail: &str) -> Value {
    json!({
        "status": "error",
        "job_explanation": "Failed to extract private data directory on worker.",
        "result_traceback": detail,
    })
}

fn parse_error(detail: &str) -> Value {
    json!({
        "status": "error",
        "job_explanation": "Failed to JSON parse a line from transmit stream.",
        "result_traceback": detail,
    })
}

/// Writes inputs the Python API sends as kwargs into `env/`, unless a file is already there.
fn dump_env_inputs(pdd: &Path, kwargs: &Kwargs) -> io::Result<()> {
    if kwargs.suppress_env_files {
        return Ok(());
    }
    let env = pdd.join("env");
    let structured = [
        ("envvars", &kwargs.envvars),
        ("extravars", &kwargs.extravars),
        ("passwords", &kwargs.passwords),
        ("settings", &kwargs.settings),
    ];
    let texts = [("ssh_key", kwargs.ssh_key.clone()), ("cmdline", kwargs.cmdline.clone())];
    let mut files: Vec<(PathBuf, Vec<u8>)> = structured
        .iter()
        .filter_map(|(name, value)| value.as_ref().map(|v| (env.join(name), crate::util::pyjson::to_vec(v))))
        .collect();
    files.extend(texts.into_iter().filter_map(|(name, text)| text.map(|t| (env.join(name), t.into_bytes()))));
    for (path, content) in files {
        if !path.exists() {
            create_dir_private(&env)?;
            crate::util::atomic::write(&path, &content, 0o600, crate::util::atomic::Durability::Renamed)?;
        }
    }
    Ok(())
}

/// Sends every event on the stream, exactly as it would be written to its file.
struct StreamSink {
    writer: SharedWriter,
}

impl EventSink for StreamSink {
    fn on_event(&mut self, event: &Event) -> io::Result<()> {
        lock(&self.writer).write_json(&event.json)
    }
}

/// The `starting` and `running` status lines.
struct StatusLines {
    writer: SharedWriter,
    ident: String,
}

impl StatusObserver for StatusLines {
    fn starting(&mut self, _line: &CommandLine, line: &CommandLine) -> io::Result<()> {
        lock(&self.writer).write_json(&line.starting_status(&self.ident))
    }

    fn running(&mut self) -> io::Result<()> {
        lock(&self.writer).write_json(&json!({"status": "running", "runner_ident": self.ident}))
    }
}

/// Writes `{"event": "keepalive", …}` whenever the stream has been quiet for the interval, so that
/// a controller (Receptor) does not take a long silent task for a dead node.
struct Keepalive {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Keepalive {
    fn start(writer: &SharedWriter, seconds: f64) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        if !(seconds > 0.0 && seconds.is_finite()) {
            return Self { stop, thread: None };
        }
        let interval = Duration::from_secs_f64(seconds);
        let writer = Arc::clone(writer);
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let tick = (interval / 4).clamp(Duration::from_millis(10), Duration::from_millis(250));
            while !flag.load(Ordering::SeqCst) {
                std::thread::park_timeout(tick);
                let mut out = lock(&writer);
                if !flag.load(Ordering::SeqCst) && out.idle_for() >= interval {
                    let line = json!({"event": "keepalive", "counter": 0, "uuid": 0});
                    if out.write_json(&line).is_err() {
                        return;
                    }
                }
            }
        });
        Self { stop, thread: Some(thread) }
    }

    /// Writes the eof line, with the writer locked, after telling the thread to stop: no keepalive
    /// can follow eof.
    fn write_eof(&self, out: &mut StreamWriter<io::Stdout>) -> io::Result<()> {
        self.stop.store(true, Ordering::SeqCst);
        out.write_json(&json!({"eof": true}))
    }

    fn stop(mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
            let _ = thread.join();
        }
    }
}

/// `worker --worker-info`: the node's capacity as one YAML flow mapping (keys sorted), as the
/// Python tool prints it for Receptor.
pub fn worker_info() -> ExitStatus {
    let mut errors: Vec<String> = Vec::new();
    let cpu_count = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let mem = fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|rest| rest.split_whitespace().next()?.parse::<u64>().ok())
        })
        .map(|kib| kib * 1024);
    if mem.is_none() {
        errors.push("cannot read MemTotal from /proc/meminfo".to_owned());
    }
    let uuid = node_uuid().map_err(|err| errors.push(err)).ok();
    let errors = errors.iter().map(|e| format!("'{}'", e.replace('\'', "''"))).collect::<Vec<_>>().join(", ");
    outln!(
        "{{cpu_count: {cpu_count}, errors: [{errors}], mem_in_bytes: {}, runner_version: {}, uuid: {}}}\n",
        mem.map_or("null".to_owned(), |m| m.to_string()),
        env!("CARGO_PKG_VERSION"),
        uuid.as_deref().unwrap_or("null")
    );
    ExitStatus::Success
}

/// The node's identity, kept in `~/.ansible_runner_uuid` (created 0600 on first use).
fn node_uuid() -> Result<String, String> {
    let home = std::env::var_os("HOME").ok_or("HOME is not set")?;
    let path = Path::new(&home).join(".ansible_runner_uuid");
    match fs::read_to_string(&path) {
        Ok(text) if !text.trim().is_empty() => Ok(text.trim().to_owned()),
        _ => {
            let fresh = uuid::Uuid::new_v4().to_string();
            crate::util::atomic::write(&path, fresh.as_bytes(), 0o600, crate::util::atomic::Durability::Renamed)
                .map_err(|err| format!("cannot write {}: {err}", path.display()))?;
            Ok(fresh)
        }
    }
}
