//! One job from start to end: prepare the artifact dir, install the callback, build the command
//! line, run the child, feed the event pipeline, and record `status` and `rc`.

pub mod sshagent;

use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::artifacts::dir::ArtifactDir;
use crate::artifacts::runmark::RunningMark;
use crate::artifacts::{self, ArtifactsWriter};
use crate::callback::CallbackInstall;
use crate::confine::{container, sandbox};
use crate::events::{EventPipeline, EventSink};
use crate::exit::{self, Status};
use crate::job::command_line::{CommandLine, RunPaths};
use crate::job::isolation::Isolation;
use crate::job::role::RolePlaybook;
use crate::job::JobSpec;
use crate::output::debuglog::DebugLog;
use crate::runner::sshagent::{AgentError, Bounds, SshAgent};
use crate::supervise::{self, Ending, Inputs, Output, PromptAnswer, Supervision, TimeoutKind};

/// How a finished job ended.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    pub status: Status,
    pub rc: i32,
    pub artifact_dir: PathBuf,
    /// The artifact dir as opened before the job ran, which an isolated job cannot redirect.
    pub dir: ArtifactDir,
}

/// Told when a job has its command line and when it starts; a worker and the Python API stream
/// these as status lines.
pub trait StatusObserver {
    /// `line` is the command line as it runs, `redacted` as the `command` artifact shows it.
    fn starting(&mut self, _line: &CommandLine, _redacted: &CommandLine) -> io::Result<()> {
        Ok(())
    }
    fn running(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A local run reports its status through its artifacts only.
pub struct NoStatus;

impl StatusObserver for NoStatus {}

/// Where a job's events and status go besides its artifact dir.
pub struct RunContext<'a> {
    /// The runner's signals and cancel requests, which every phase of the job gives way to.
    pub inputs: &'a Inputs,
    pub sinks: Vec<&'a mut dyn EventSink>,
    pub status: &'a mut dyn StatusObserver,
    /// Whether `job_events/<counter>-<uuid>.json` files are written.
    pub event_files: bool,
    /// Whether the events' text goes into `stdout` (else the file stays empty for its owner).
    pub stdout_text: bool,
}

/// Runs a resolved job, handing every event to the artifact writer and then to the context's sinks.
/// Once the artifact dir exists it ends with `status` and `rc` whatever happens: a run the runner
/// cannot complete is recorded as `failed` (`exit::RC_RUNNER_FAILED`) and the error returned.
pub fn run_job(spec: &JobSpec, context: RunContext<'_>, debug: &mut DebugLog) -> anyhow::Result<RunOutcome> {
    let RunContext { inputs, sinks, status: observer, event_files, stdout_text } = context;
    let setup = Setup::before_artifacts(spec, inputs)?;
    let artifact_dir = spec.artifact_dir();
    let (dir, running) = claim_artifact_dir(&artifact_dir)?;
    // From here on the artifact dir exists: whatever fails, it ends with a status.
    let launched = match setup.launch(spec, &dir, inputs) {
        Ok(Some(launched)) => launched,
        Ok(None) => return stopped_while_preparing(&dir, inputs, artifact_dir),
        Err(err) => return Err(failed_early(&dir, err)),
    };
    log_launch(debug, &launched.line, &artifact_dir);
    let redacted = launched.record.redacted();
    let held = dir.clone();
    let mut writer = artifacts_writer(spec, dir, running, &redacted, event_files, stdout_text)?;
    let job = PreparedJob { spec, setup: &setup, launched: &launched, redacted: &redacted };
    let ended = run_prepared(&job, inputs, &mut writer, sinks, observer);
    let Launched { callback, isolated, .. } = launched;
    // The job has ended: its container, and what its isolation kept on disk, go first.
    drop(isolated);
    let (status, rc) = ended.inspect_err(|_| writer.abandon())?;
    writer.finish(status, rc)?;
    debug.line(&format!("status: {} rc: {rc}", status.as_str()));
    drop(setup);
    drop(callback);
    Ok(RunOutcome { status, rc, artifact_dir, dir: held })
}

/// Records a run the runner could not prepare as `failed`, and passes its error on.
fn failed_early(dir: &ArtifactDir, err: anyhow::Error) -> anyhow::Error {
    let _ = artifacts::write_final(dir, Status::Failed, exit::RC_RUNNER_FAILED, [None, None]);
    err
}

/// The debug log's record of what is about to run.
fn log_launch(debug: &mut DebugLog, line: &CommandLine, artifact_dir: &Path) {
    debug.line(&format!("command: {}", shell_words::join(&line.command)));
    debug.line(&format!("cwd: {}", line.cwd.display()));
    debug.line(&format!("artifacts: {}", artifact_dir.display()));
}

/// The job's artifact writer; `stdout` gets no text when the text went to the caller's descriptor
/// or its owner writes it.
fn artifacts_writer(
    spec: &JobSpec,
    dir: ArtifactDir,
    running: Option<RunningMark>,
    redacted: &CommandLine,
    event_files: bool,
    stdout_text: bool,
) -> anyhow::Result<ArtifactsWriter> {
    let suppress = spec.env.settings.suppress_output_file;
    let mut writer = ArtifactsWriter::create(dir, running, redacted, suppress, event_files, spec.json)?;
    if spec.output_passed_through() || !stdout_text {
        writer.leave_out_text();
    }
    Ok(writer)
}

/// What a job needs before its artifact dir exists; dropping it stops the agent and removes the
/// role's playbook.
struct Setup {
    /// When `job_timeout` runs out, counted from the start of the job.
    deadline: Option<Instant>,
    prompts: Vec<PromptAnswer>,
    agent: Option<SshAgent>,
    /// How the job ended before Ansible started (a timeout or cancel while loading the SSH key).
    stopped_early: Option<Ending>,
    role_playbook: Option<RolePlaybook>,
}

impl Setup {
    /// Warns of settings that look mistyped, then writes a role's playbook, compiles the prompt
    /// answers and starts the job's ssh-agent.
    fn before_artifacts(spec: &JobSpec, inputs: &Inputs) -> anyhow::Result<Self> {
        for warning in spec.env.settings.typo_warnings(&spec.pdd.env_file("settings")) {
            errln!("ansible-runner: warning: {warning}");
        }
        // job_timeout bounds every phase of the job, not only the Ansible process.
        let deadline =
            spec.env.settings.job_timeout.map(Duration::from_secs_f64).and_then(|t| Instant::now().checked_add(t));
        let role_playbook = RolePlaybook::for_job(spec)?;
        let prompts = prompt_answers(spec)?;
        let (agent, stopped_early) = start_agent(spec, Bounds { deadline, inputs })?;
        Ok(Self { deadline, prompts, agent, stopped_early, role_playbook })
    }

    /// The callback plugin installed and the command lines to start and to record, with the job's
    /// isolation in place; `None` when the job had to stop (canceled or out of time) while it was
    /// being prepared.
    fn launch(&self, spec: &JobSpec, dir: &ArtifactDir, inputs: &Inputs) -> anyhow::Result<Option<Launched>> {
        let stop = || inputs.canceled() || self.deadline.is_some_and(|d| Instant::now() >= d);
        // An isolated job sees the private data dir, not the runner's temp dir.
        let callback = match spec.isolation {
            Some(_) => CallbackInstall::create_in(dir),
            None => CallbackInstall::create(),
        }
        .context("cannot install the event callback plugin")?;
        let lines = self.command_lines(spec, dir, &callback, &stop);
        if lines.as_ref().is_err_and(|err| stop() && interrupted(err)) {
            return Ok(None);
        }
        let (line, record, isolated) = lines?;
        let mut launched = Launched { callback, line, record, isolated };
        launched.add_env(self.agent.as_ref().filter(|_| spec.container().is_none()));
        Ok(Some(launched))
    }

    /// The command line to start and the one the `command` artifact shows (the same unless the job
    /// runs in a container), with what the job's isolation keeps on disk.
    fn command_lines(
        &self,
        spec: &JobSpec,
        dir: &ArtifactDir,
        callback: &CallbackInstall,
        stop: &dyn Fn() -> bool,
    ) -> anyhow::Result<(CommandLine, CommandLine, Isolated)> {
        let agent_socket = self.agent.as_ref().map(SshAgent::socket);
        let role_playbook = self.role_playbook.as_ref().map(RolePlaybook::path);
        match &spec.isolation {
            None => {
                let line = local_line(spec, callback, role_playbook);
                Ok((line.clone(), line, Isolated::Local))
            }
            Some(Isolation::Sandbox(sandbox)) => {
                let inner = local_line(spec, callback, role_playbook);
                let prepared = sandbox::prepare(sandbox, spec, &inner, agent_socket.and_then(Path::parent), stop)
                    .with_context(|| format!("cannot prepare the sandbox under {}", sandbox.path.display()))?;
                let line = sandbox::wrap(&sandbox.executable, &prepared.layout, &inner);
                Ok((line.clone(), line, Isolated::Sandbox { _prepared: prepared }))
            }
            Some(Isolation::Container(container)) => {
                let prepared = container::prepare(container, spec, dir, role_playbook, agent_socket)?;
                Ok((prepared.engine, prepared.record, Isolated::Container { _cleanup: prepared.cleanup }))
            }
        }
    }
}

/// The command line as the job runs on this host (in a sandbox, inside it).
fn local_line(spec: &JobSpec, callback: &CallbackInstall, role_playbook: Option<&Path>) -> CommandLine {
    let artifact_dir = spec.artifact_dir();
    let plugin_dir = callback.plugin_dir();
    let local = RunPaths { artifact_dir: &artifact_dir, callback_dir: &plugin_dir, role_playbook };
    CommandLine::build(spec, &local, std::env::vars())
}

/// A job ready to start: its callback plugin, the command line to start and the one recorded,
/// and what its isolation keeps on disk.
struct Launched {
    callback: CallbackInstall,
    line: CommandLine,
    record: CommandLine,
    isolated: Isolated,
}

impl Launched {
    /// The event channel of the callback plugin and the job's own ssh-agent (`agent`, for a job
    /// outside a container: a container gets the socket mounted, and its path inside, from
    /// `container::prepare`) go into both command lines' environment.
    fn add_env(&mut self, agent: Option<&SshAgent>) {
        if let Some((var, channel)) = self.callback.channel_env() {
            self.line.env.insert(var.to_owned(), channel.clone());
            self.record.env.insert(var.to_owned(), channel);
        }
        if let Some(agent) = agent {
            self.line.env.extend(agent.env());
            self.record.env.extend(agent.env());
        }
    }
}

/// What a job's isolation keeps while the job runs, held only to be dropped when it ends: a
/// container (removed then) and the files for its engine, or a sandbox's stand-ins and copy.
enum Isolated {
    /// A job run here keeps nothing.
    Local,
    Sandbox {
        _prepared: sandbox::Prepared,
    },
    Container {
        _cleanup: container::Cleanup,
    },
}

/// Whether `err` is a preparation step giving up because the job must stop.
fn interrupted(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| cause.downcast_ref::<io::Error>().is_some_and(|e| e.kind() == io::ErrorKind::Interrupted))
}

/// A job canceled or timed out before Ansible could start: it ends `canceled` or `timeout`.
fn stopped_while_preparing(dir: &ArtifactDir, inputs: &Inputs, artifact_dir: PathBuf) -> anyhow::Result<RunOutcome> {
    let status = if inputs.canceled() { Status::Canceled } else { Status::Timeout };
    errln!(
        "ansible-runner: the job was {} while it was being prepared",
        if status == Status::Canceled { "canceled" } else { "timed out" }
    );
    artifacts::write_final(dir, status, exit::RC_TIMEOUT_OR_CANCEL, [None, None])?;
    Ok(RunOutcome { status, rc: exit::RC_TIMEOUT_OR_CANCEL, artifact_dir, dir: dir.clone() })
}

/// Opens the artifact dir (made if needed) and claims it for this run, before anything is written
/// there: a dir another run holds is refused untouched.
fn claim_artifact_dir(path: &Path) -> anyhow::Result<(ArtifactDir, Option<RunningMark>)> {
    let dir = ArtifactDir::create(path)
        .map_err(|source| artifacts::ArtifactError::Write { path: path.to_owned(), source })?;
    let running = artifacts::claim(&dir)?;
    Ok((dir, running))
}

/// A job with its artifact dir in place, ready to start.
struct PreparedJob<'a> {
    spec: &'a JobSpec,
    setup: &'a Setup,
    /// The command line to start, and the one the job sees (the engine's, for a container).
    launched: &'a Launched,
    /// The recorded command line as the `command` artifact shows it.
    redacted: &'a CommandLine,
}

/// What the event pipeline's errors say.
const RECORDING: &str = "cannot record the run's events";

/// The part of a job that runs with its artifact dir in place: status lines, rotation, the child
/// and its events. Returns how the job ended.
fn run_prepared(
    job: &PreparedJob<'_>,
    inputs: &Inputs,
    writer: &mut ArtifactsWriter,
    sinks: Vec<&mut dyn EventSink>,
    observer: &mut dyn StatusObserver,
) -> anyhow::Result<(Status, i32)> {
    let (spec, line) = (job.spec, &job.launched.line);
    observer.starting(&job.launched.record, job.redacted).context("cannot report the job's start")?;
    artifacts::rotate(&spec.artifact_root, spec.rotate_artifacts)?;
    let mut pipeline = event_pipeline(job, writer, sinks)?;
    let Some(program) = supervise::resolve_program(line.program(), line) else {
        return not_startable(spec, line, &mut pipeline);
    };
    observer.running().context("cannot report the job's start")?;
    let ending = run_child(job, &program, inputs, &mut pipeline);
    pipeline.finish().context(RECORDING)?;
    let ending = ending.map_err(|err| child_error(err, &program))?;
    if let Some(message) = ending_message(spec, line.program(), ending) {
        pipeline.emit_message(&message).context(RECORDING)?;
    }
    Ok(outcome(ending))
}

/// The pipeline that hands every event to the artifact writer, then to `sinks`; the job's ssh-agent
/// has said that it holds the key.
fn event_pipeline<'a, 's: 'a>(
    job: &PreparedJob<'_>,
    writer: &'a mut ArtifactsWriter,
    sinks: Vec<&'s mut dyn EventSink>,
) -> anyhow::Result<EventPipeline<'a>> {
    let spec = job.spec;
    let mut all_sinks: Vec<&mut dyn EventSink> = Vec::with_capacity(sinks.len() + 1);
    all_sinks.push(writer);
    for sink in sinks {
        all_sinks.push(sink);
    }
    let mut pipeline = EventPipeline::new(&spec.ident, all_sinks)
        .with_secrets(spec.env.passwords.iter().map(|(_, answer)| answer.clone()));
    if let Some(agent) = &job.setup.agent {
        pipeline.feed_raw(agent.added_message.as_bytes()).context(RECORDING)?;
    }
    Ok(pipeline)
}

/// A job whose program cannot be started fails with `RC_NOT_FOUND`, its events saying why.
fn not_startable(
    spec: &JobSpec,
    line: &CommandLine,
    pipeline: &mut EventPipeline<'_>,
) -> anyhow::Result<(Status, i32)> {
    pipeline
        .emit_message(&format!("The command was not found or was not executable: {}.", line.program()))
        .context(RECORDING)?;
    // A command of the Python API's `run_command()` is any program: its output says it all.
    if spec.command.is_none() {
        errln!("ansible-runner: {}", not_found(line.program(), &line.cwd));
    }
    Ok((Status::Failed, exit::RC_NOT_FOUND))
}

/// Runs the child to its end, its output fed to `pipeline`; a job that ended, or was canceled,
/// while it was being prepared does not start it.
fn run_child(
    job: &PreparedJob<'_>,
    program: &Path,
    inputs: &Inputs,
    pipeline: &mut EventPipeline<'_>,
) -> io::Result<Ending> {
    let supervision = supervision(job, inputs);
    let recording = |err: io::Error| io::Error::new(err.kind(), format!("{RECORDING}: {err}"));
    match job.setup.stopped_early {
        Some(ending) => Ok(ending),
        // Canceled while it was being prepared: Ansible is not started at all.
        None if inputs.canceled() => Ok(Ending::Canceled),
        None => {
            let (line, events) = (&job.launched.line, job.launched.callback.events_path());
            supervise::run(line, program, &events, &supervision, |output| match output {
                Output::Raw(bytes) => pipeline.feed_raw(bytes).map_err(recording),
                Output::Record(line) => pipeline.feed_record(line).map_err(recording),
                Output::Answered => {
                    pipeline.answer_typed();
                    Ok(())
                }
                Output::Interrupting => {
                    crate::output::progress::notice("ansible-runner: canceling the job (interrupt again to force it)");
                    Ok(())
                }
            })
        }
    }
}

/// How the child is watched: the job's limits, what answers its prompts, and its stdio.
fn supervision<'a>(job: &PreparedJob<'a>, inputs: &'a Inputs) -> Supervision<'a> {
    let spec = job.spec;
    let separate_streams = spec.command.as_ref().is_some_and(|command| command.separate_streams);
    Supervision {
        job_timeout: job.setup.deadline.map(|deadline| deadline.saturating_duration_since(Instant::now())),
        idle_timeout: spec.env.settings.idle_timeout.map(Duration::from_secs_f64),
        inputs,
        // The `subprocess` mode of a command keeps its streams apart, so it gets no terminal.
        prompts: if separate_streams { &[] } else { &job.setup.prompts },
        terminal: spec.container().is_some() && !separate_streams,
        stdio: spec.command.as_ref().map(|command| command.stdio).unwrap_or_default(),
    }
}

/// The status and rc a job's ending is recorded as.
fn outcome(ending: Ending) -> (Status, i32) {
    match ending {
        Ending::Exited(0) => (Status::Successful, 0),
        Ending::Exited(code) => (Status::Failed, code),
        Ending::Signalled(signal) => (Status::Failed, exit::RC_SIGNAL_BASE + signal),
        Ending::TimedOut(_) => (Status::Timeout, exit::RC_TIMEOUT_OR_CANCEL),
        Ending::Canceled => (Status::Canceled, exit::RC_TIMEOUT_OR_CANCEL),
    }
}

/// Why the program named by a path, or looked up on PATH, cannot be started.
fn not_found(program: &str, cwd: &Path) -> String {
    if !program.contains('/') {
        return format!(
            "`{program}` was not found on PATH; install Ansible with `pip install ansible-core` (or put its bin \
             directory on PATH)"
        );
    }
    let path = cwd.join(program);
    match path.metadata() {
        Ok(meta) if meta.is_file() => format!("{} is not executable (chmod +x it)", path.display()),
        Ok(_) => format!("{} is not a file", path.display()),
        Err(err) => format!("{}: {err}", path.display()),
    }
}

/// Why the child could not be run to its end, naming the program's path; a command line or
/// environment larger than the kernel accepts (E2BIG) says where such a size comes from, and a
/// script that exists but "is not found" has an interpreter (`#!`) that is not there.
fn child_error(err: io::Error, program: &Path) -> anyhow::Error {
    let program = program.display();
    match err.raw_os_error() {
        Some(nix::libc::E2BIG) => anyhow::anyhow!(
            "cannot start {program}: {err}: its command line and environment are larger than the system \
             allows; check env/envvars, env/cmdline and --cmdline for an oversized value"
        ),
        Some(nix::libc::ENOENT) => {
            anyhow::anyhow!("cannot start {program}: the interpreter its #! line names was not found")
        }
        _ => anyhow::Error::new(err).context(format!("running {program}")),
    }
}

/// Starts the private ssh-agent for `env/ssh_key`, if any. A timeout or cancel while it starts is
/// the job's ending (the job still gets its artifacts); any other failure is an error.
fn start_agent(spec: &JobSpec, bounds: Bounds<'_>) -> anyhow::Result<(Option<SshAgent>, Option<Ending>)> {
    let Some(key) = spec.env.ssh_key.as_deref() else { return Ok((None, None)) };
    match SshAgent::start(key, bounds) {
        Ok(agent) => Ok((Some(agent), None)),
        Err(AgentError::TimedOut) => Ok((None, Some(Ending::TimedOut(TimeoutKind::Job)))),
        Err(AgentError::Canceled) => Ok((None, Some(Ending::Canceled))),
        Err(err) => Err(err.into()),
    }
}

/// A line in the job's output saying why the runner ended it, so `stdout` explains the status.
fn ending_message(spec: &JobSpec, program: &str, ending: Ending) -> Option<String> {
    let settings = &spec.env.settings;
    match ending {
        Ending::TimedOut(TimeoutKind::Job) => Some(format!(
            "ansible-runner: the job ran longer than job_timeout ({} s) and was stopped",
            settings.job_timeout.unwrap_or_default()
        )),
        Ending::TimedOut(TimeoutKind::Idle) => {
            let hint = if spec.env.passwords.is_empty() {
                ""
            } else {
                " (waiting at a prompt that no pattern in env/passwords matched?)"
            };
            Some(format!(
                "ansible-runner: no output for idle_timeout ({} s){hint}; the job was stopped",
                settings.idle_timeout.unwrap_or_default()
            ))
        }
        Ending::Canceled => Some("ansible-runner: the job was canceled".to_owned()),
        Ending::Signalled(signal) => Some(format!("ansible-runner: {program} was killed by signal {signal}")),
        Ending::Exited(_) => None,
    }
}

/// `env/passwords` compiled: patterns are regular expressions matched line by line (multi-line mode).
fn prompt_answers(spec: &JobSpec) -> anyhow::Result<Vec<PromptAnswer>> {
    spec.env
        .passwords
        .iter()
        .map(|(pattern, answer)| {
            let compiled = regex::RegexBuilder::new(pattern).multi_line(true).build().map_err(|err| {
                // The regex error draws a caret under the pattern over several lines; its last line says why.
                let text = err.to_string();
                let reason = text.lines().last().unwrap_or_default().trim_start_matches("error: ").to_owned();
                anyhow::anyhow!(
                    "{}: pattern {} is not a valid regular expression ({reason})",
                    spec.pdd.env_file("passwords").display(),
                    crate::util::shown::quoted(pattern)
                )
            })?;
            Ok(PromptAnswer { pattern: compiled, answer: answer.clone() })
        })
        .collect()
}
