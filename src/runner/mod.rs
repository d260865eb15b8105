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
use crate::events::{EventPipeline, EventSink};
use crate::exit::{self, Status};
use crate::isolation;
use crate::isolation::sandbox;
use crate::job::command_line::{CommandLine, RunPaths};
use crate::job::isolation::Isolation;
use crate::job::role::RolePlaybook;
use crate::job::JobSpec;
use crate::output::debuglog::DebugLog;
use crate::request::JobRequest;
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

/// The Python tool stores a `--cmdline` into `env/cmdline` when that file is absent (unless
/// `--omit-env-files`), and later runs pick it up; kept for compatibility.
pub fn persist_cmdline(spec: &JobSpec, request: &JobRequest) -> anyhow::Result<()> {
    let Some(cmdline) = &request.cmdline else { return Ok(()) };
    let path = spec.pdd.env_file("cmdline");
    if request.omit_env_files || path.exists() {
        return Ok(());
    }
    let env_dir = spec.pdd.root.join("env");
    crate::util::fs::create_dir_private(&env_dir).with_context(|| format!("cannot create {}", env_dir.display()))?;
    crate::util::atomic::write(&path, cmdline.as_bytes(), 0o600, crate::util::atomic::Durability::Renamed)
        .with_context(|| format!("cannot write {}", path.display()))
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
    for warning in spec.env.settings.typo_warnings(&spec.pdd.env_file("settings")) {
        errln!("ansible-runner: warning: {warning}");
    }
    // job_timeout bounds every phase of the job, not only the Ansible process.
    let deadline =
        spec.env.settings.job_timeout.map(Duration::from_secs_f64).and_then(|t| Instant::now().checked_add(t));
    let role_playbook = RolePlaybook::for_job(spec)?;
    let prompts = prompt_answers(spec)?;
    let (agent, stopped_early) = start_agent(spec, Bounds { deadline, inputs })?;
    let artifact_dir = spec.artifact_dir();
    let (dir, running) = claim_artifact_dir(&artifact_dir)?;
    let held = dir.clone();
    // From here on the artifact dir exists: whatever fails, it ends with a status.
    let failed_early = |err: anyhow::Error| {
        let _ = artifacts::write_final(&dir, Status::Failed, exit::RC_RUNNER_FAILED, [None, None]);
        err
    };
    let stop = || inputs.canceled() || deadline.is_some_and(|d| Instant::now() >= d);
    let launch = Launch { spec, dir: &dir, role_playbook: role_playbook.as_ref(), agent: agent.as_ref(), stop: &stop };
    let Launched { callback, line, record, isolated } = match launch.lines() {
        Ok(Some(lines)) => lines,
        Ok(None) => return stopped_while_preparing(&dir, inputs, artifact_dir),
        Err(err) => return Err(failed_early(err)),
    };
    debug.line(&format!("command: {}", shell_words::join(&line.command)));
    debug.line(&format!("cwd: {}", line.cwd.display()));
    debug.line(&format!("artifacts: {}", artifact_dir.display()));

    let redacted = record.redacted();
    let mut writer = artifacts_writer(spec, dir, running, &redacted, event_files, stdout_text)?;
    let job = PreparedJob {
        spec,
        line: &line,
        record: &record,
        redacted: &redacted,
        agent: agent.as_ref(),
        callback: &callback,
        deadline,
        stopped_early,
    };
    let ended = run_prepared(&job, &prompts, inputs, &mut writer, sinks, observer);
    remove_container(spec, isolated.as_ref());
    drop(isolated);
    let (status, rc) = match ended {
        Ok(ended) => ended,
        Err(err) => {
            writer.abandon();
            return Err(err);
        }
    };
    writer.finish(status, rc)?;
    debug.line(&format!("status: {} rc: {rc}", status.as_str()));
    drop(agent);
    drop(role_playbook);
    drop(callback);
    Ok(RunOutcome { status, rc, artifact_dir, dir: held })
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

/// What the command lines of a job are made from, once its artifact dir exists.
struct Launch<'a> {
    spec: &'a JobSpec,
    dir: &'a ArtifactDir,
    role_playbook: Option<&'a RolePlaybook>,
    agent: Option<&'a SshAgent>,
    /// Whether the job must stop (canceled or out of time): preparing an isolated job gives way.
    stop: &'a dyn Fn() -> bool,
}

impl Launch<'_> {
    /// The callback plugin installed and the command lines to start and to record, with what an
    /// isolated job keeps on disk; `None` when the job had to stop while it was being prepared.
    fn lines(&self) -> anyhow::Result<Option<Launched>> {
        let spec = self.spec;
        // An isolated job sees the private data dir, not the runner's temp dir.
        let callback = match spec.isolation {
            Some(_) => CallbackInstall::create_in(self.dir),
            None => CallbackInstall::create(),
        }
        .context("cannot install the event callback plugin")?;
        let lines = command_lines(spec, self.dir, &callback, self.role_playbook, self.agent, self.stop);
        if lines.as_ref().is_err_and(|err| (self.stop)() && interrupted(err)) {
            return Ok(None);
        }
        let (mut line, mut record, isolated) = lines?;
        if let Some((var, channel)) = callback.channel_env() {
            line.env.insert(var.to_owned(), channel.clone());
            record.env.insert(var.to_owned(), channel);
        }
        if let Some(agent) = self.agent.filter(|_| spec.container().is_none()) {
            // A container gets the agent's socket mounted, and its path inside, from `command_lines`.
            line.env.extend(agent.env());
            record.env.extend(agent.env());
        }
        Ok(Some(Launched { callback, line, record, isolated }))
    }
}

/// A job ready to start: its callback plugin, the command line to start and the one recorded,
/// and what an isolated job keeps on disk.
struct Launched {
    callback: CallbackInstall,
    line: CommandLine,
    record: CommandLine,
    isolated: Option<Isolated>,
}

/// Makes sure a container job's container is gone, saying so when it cannot be removed.
fn remove_container(spec: &JobSpec, isolated: Option<&Isolated>) {
    if let (Some(container), Some(Isolated::Container { cid_dir, .. })) = (spec.container(), isolated) {
        if let Err(reason) = isolation::container::remove_container(container, &cid_dir.path().join(CID_FILE)) {
            errln!("ansible-runner: {reason}");
        }
    }
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
fn claim_artifact_dir(path: &Path) -> anyhow::Result<(ArtifactDir, Option<crate::artifacts::runmark::RunningMark>)> {
    let dir = ArtifactDir::create(path)
        .map_err(|source| artifacts::ArtifactError::Write { path: path.to_owned(), source })?;
    let running = artifacts::claim(&dir)?;
    Ok((dir, running))
}

/// The command line to start and the one the `command` artifact shows (the same unless the job
/// runs in a container), with what an isolated job needs on disk.
fn command_lines(
    spec: &JobSpec,
    dir: &ArtifactDir,
    callback: &CallbackInstall,
    role_playbook: Option<&RolePlaybook>,
    agent: Option<&SshAgent>,
    stop: &dyn Fn() -> bool,
) -> anyhow::Result<(CommandLine, CommandLine, Option<Isolated>)> {
    let agent_socket = agent.map(SshAgent::socket);
    let artifact_dir = spec.artifact_dir();
    let role_playbook = role_playbook.map(RolePlaybook::path);
    let plugin_dir = callback.plugin_dir();
    let local = RunPaths { artifact_dir: &artifact_dir, callback_dir: &plugin_dir, role_playbook };
    let container = match &spec.isolation {
        None => {
            let line = CommandLine::build(spec, &local, std::env::vars());
            return Ok((line.clone(), line, None));
        }
        Some(Isolation::Sandbox(sandbox)) => {
            let inner = CommandLine::build(spec, &local, std::env::vars());
            let prepared = sandbox::prepare(sandbox, spec, &inner, agent_socket.and_then(Path::parent), stop)
                .with_context(|| format!("cannot prepare the sandbox under {}", sandbox.path.display()))?;
            let line = sandbox::wrap(&sandbox.executable, &prepared.layout, &inner);
            return Ok((line.clone(), line, Some(Isolated::Sandbox { _prepared: prepared })));
        }
        Some(Isolation::Container(container)) => container,
    };
    let inside = isolation::container::container_artifact_dir(&spec.ident);
    let paths = RunPaths { artifact_dir: &inside, callback_dir: &inside.join("callback"), role_playbook };
    let inner = CommandLine::build(&isolation::container::container_spec(spec), &paths, Vec::new());
    let env_path = artifact_dir.join("env.list");
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let registry = match &container.auth {
        Some(auth) => Some(write_registry_files(container, auth, &spec.ident)?),
        None => None,
    };
    let runner = (cwd, std::env::vars().collect());
    let auth_dir = registry.as_ref().map(tempfile::TempDir::path);
    // Outside the artifact dir, where the job cannot rewrite the id.
    let cid_dir = tempfile::Builder::new()
        .prefix("ansible_runner_cid_")
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700))
        .tempdir()
        .context("cannot create a temp dir for the container id")?;
    let cid_file = cid_dir.path().join(CID_FILE);
    let host =
        isolation::container::HostFiles { env_file: &env_path, auth_dir, agent_socket, cid_file: Some(&cid_file) };
    if spec.command.is_some() {
        // A command's container gets the project dir mounted as its default workdir.
        let project = spec.pdd.root.join("project");
        crate::util::fs::create_dir_private(&project)
            .with_context(|| format!("cannot create {}", project.display()))?;
    }
    let launch = isolation::container::launch(container, spec, &inner, &host, runner)?;
    let env_file = EnvFile::write(dir, &launch.env_list)?;
    let isolated = Isolated::Container { _env_file: env_file, _registry: registry, cid_dir };
    Ok((launch.engine, launch.record, Some(isolated)))
}

/// The registry credentials for the engine, in a 0700 temp dir of files readable by the owner
/// only; the dir goes when the job ends.
fn write_registry_files(
    container: &crate::job::isolation::Container,
    auth: &crate::job::settings::RegistryAuth,
    ident: &str,
) -> anyhow::Result<tempfile::TempDir> {
    let dir = tempfile::Builder::new()
        .prefix(&format!("ansible_runner_registry_{ident}_"))
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700))
        .tempdir()
        .context("cannot create a temp dir for the registry credentials")?;
    for (name, text) in isolation::container::registry_files(container.engine, auth) {
        let path = dir.path().join(name);
        crate::util::atomic::write(&path, text.as_bytes(), 0o600, crate::util::atomic::Durability::Renamed)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(dir)
}

/// The name of the engine's `--cidfile` in its temp dir.
const CID_FILE: &str = "cid";

/// What an isolated job has on disk while it runs; dropping it removes that.
enum Isolated {
    /// `cid_dir` holds `CID_FILE`, the id of the container the engine created.
    Container {
        _env_file: EnvFile,
        _registry: Option<tempfile::TempDir>,
        cid_dir: tempfile::TempDir,
    },
    Sandbox {
        _prepared: sandbox::Prepared,
    },
}

/// The container's `--env-file` in the artifact dir: readable by the runner's user only (it holds
/// every secret of `env/envvars`) and removed, through the dir's handle, when the job ends.
struct EnvFile(ArtifactDir);

impl EnvFile {
    const NAME: &str = "env.list";

    fn write(dir: &ArtifactDir, text: &str) -> anyhow::Result<Self> {
        dir.write_atomic(Self::NAME, text.as_bytes(), 0o600)
            .with_context(|| format!("cannot write {}", dir.path().join(Self::NAME).display()))?;
        Ok(Self(dir.clone()))
    }
}

impl Drop for EnvFile {
    fn drop(&mut self) {
        // Best effort: the job has ended; a file already gone is what is wanted.
        let _ = self.0.remove(Self::NAME);
    }
}

/// What `run_job` has set up before the artifact dir exists.
struct PreparedJob<'a> {
    spec: &'a JobSpec,
    line: &'a CommandLine,
    /// The command line as the job sees it (the engine's, for a container), and as written to the
    /// `command` artifact.
    record: &'a CommandLine,
    redacted: &'a CommandLine,
    agent: Option<&'a SshAgent>,
    callback: &'a CallbackInstall,
    /// When `job_timeout` runs out, counted from the start of the job.
    deadline: Option<Instant>,
    /// How the job ended before Ansible started (a timeout or cancel while loading the SSH key).
    stopped_early: Option<Ending>,
}

/// The part of a job that runs with its artifact dir in place: status lines, rotation, the child
/// and its events. Returns how the job ended.
fn run_prepared(
    job: &PreparedJob<'_>,
    prompts: &[PromptAnswer],
    inputs: &Inputs,
    writer: &mut ArtifactsWriter,
    sinks: Vec<&mut dyn EventSink>,
    observer: &mut dyn StatusObserver,
) -> anyhow::Result<(Status, i32)> {
    let (spec, line) = (job.spec, job.line);
    observer.starting(job.record, job.redacted).context("cannot report the job's start")?;
    artifacts::rotate(&spec.artifact_root, spec.rotate_artifacts)?;
    let mut all_sinks: Vec<&mut dyn EventSink> = Vec::with_capacity(sinks.len() + 1);
    all_sinks.push(writer);
    for sink in sinks {
        all_sinks.push(sink);
    }
    let mut pipeline = EventPipeline::new(&spec.ident, all_sinks)
        .with_secrets(spec.env.passwords.iter().map(|(_, answer)| answer.clone()));
    if let Some(agent) = job.agent {
        pipeline.feed_raw(agent.added_message.as_bytes()).context("cannot record the run's events")?;
    }
    let Some(program) = supervise::resolve_program(line.program(), line) else {
        pipeline
            .emit_message(&format!("The command was not found or was not executable: {}.", line.program()))
            .context("cannot record the run's events")?;
        // A command of the Python API's `run_command()` is any program: its output says it all.
        if spec.command.is_none() {
            errln!("ansible-runner: {}", not_found(line.program(), &line.cwd));
        }
        return Ok((Status::Failed, exit::RC_NOT_FOUND));
    };
    observer.running().context("cannot report the job's start")?;
    let supervision = supervision(job, prompts, inputs);
    let recording = |err: io::Error| io::Error::new(err.kind(), format!("cannot record the run's events: {err}"));
    let ending = match job.stopped_early {
        Some(ending) => Ok(ending),
        // Canceled while it was being prepared: Ansible is not started at all.
        None if inputs.canceled() => Ok(Ending::Canceled),
        None => supervise::run(line, &program, &job.callback.events_path(), &supervision, |output| match output {
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
        }),
    };
    pipeline.finish().context("cannot record the run's events")?;
    let ending = ending.map_err(|err| child_error(err, &program))?;
    if let Some(message) = ending_message(spec, line.program(), ending) {
        pipeline.emit_message(&message).context("cannot record the run's events")?;
    }
    Ok(outcome(ending))
}

/// How the child is watched: the job's limits, what answers its prompts, and its stdio.
fn supervision<'a>(job: &PreparedJob<'_>, prompts: &'a [PromptAnswer], inputs: &'a Inputs) -> Supervision<'a> {
    let spec = job.spec;
    let separate_streams = spec.command.as_ref().is_some_and(|command| command.separate_streams);
    Supervision {
        job_timeout: job.deadline.map(|deadline| deadline.saturating_duration_since(Instant::now())),
        idle_timeout: spec.env.settings.idle_timeout.map(Duration::from_secs_f64),
        inputs,
        // The `subprocess` mode of a command keeps its streams apart, so it gets no terminal.
        prompts: if separate_streams { &[] } else { prompts },
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
