//! The command line as typed: clap structures that carry data only. `RunArgs::to_request` turns the
//! job's flags into the neutral `JobRequest`; the commands read the rest, and no module below them
//! depends on clap.

pub mod assets;
pub mod diagnostics;
pub mod outcome;

use std::path::PathBuf;
use std::time::Duration;

use clap::{ArgAction, Args, Parser, Subcommand};

use crate::request::{IsolationRequest, JobRequest, LoggingOptions, NotifyOn, ReportOptions};

/// Printed to stdout when no command is given, before the usage error (as the Python tool does).
pub const COMMON_USAGE: &str = "
These are common Ansible Runner commands:

    execute a playbook contained in an ansible-runner directory:

        ansible-runner run /tmp/private -p playbook.yml
        ansible-runner start /tmp/private -p playbook.yml
        ansible-runner stop /tmp/private
        ansible-runner is-alive /tmp/private

    directly execute ansible primitives:

        ansible-runner run . -r role_name --hosts myhost
        ansible-runner run . -m command -a \"ls -l\" --hosts myhost

`ansible-runner --help` list of optional command line arguments
";

/// `--version`: in a pipe exactly the reference's (`2.4.3`), so scripts that compare or parse it
/// keep working; on a terminal a person also learns which implementation answered.
pub fn version_text(on_terminal: bool) -> String {
    let version = env!("CARGO_PKG_VERSION");
    if on_terminal {
        format!("{version}+rust (the native ansible-runner; a drop-in for the Python ansible-runner {version})")
    } else {
        version.to_owned()
    }
}

#[derive(Debug, Parser)]
#[command(
    name = "ansible-runner",
    about = "Run Ansible playbooks, modules and roles, recording every event and artifact",
    long_about = "Run Ansible playbooks, modules and roles from a private data directory, capture every \
                  Ansible event, and write the run's artifacts (command, rc, status, stdout, job_events/).",
    disable_version_flag = true,
    subcommand_required = false,
    arg_required_else_help = false,
    // As argparse: a unique prefix of an option is the option, and a repeated option's last value wins.
    infer_long_args = true,
    args_override_self = true
)]
pub struct Cli {
    /// Print the version and exit
    #[arg(long, action = ArgAction::SetTrue)]
    pub version: bool,

    /// Options accepted before the command, as the Python tool accepts them (used by `process`)
    #[command(flatten)]
    pub top: TopLevelArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options the Python tool also accepts before the command name; only commands without their own
/// copy of an option (`process`) take the value from here.
#[derive(Debug, Args, Default, Clone)]
pub struct TopLevelArgs {
    /// Suppress Ansible output (for `process`)
    #[arg(short = 'q', long = "quiet", global = false)]
    pub quiet: bool,
    /// Print events as JSON lines (for `process`)
    #[arg(short = 'j', long = "json")]
    pub json: bool,
    /// Artifact directory (for `process`)
    #[arg(long = "artifact-dir", value_name = "ARTIFACT_DIR")]
    pub artifact_dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run ansible-runner in the foreground
    Run(ReportedRunArgs),
    /// Start an ansible-runner process in the background
    Start(ReportedRunArgs),
    /// Stop an ansible-runner process started with `start`
    Stop(ControlArgs),
    /// Check if an ansible-runner process started with `start` is running
    #[command(name = "is-alive")]
    IsAlive(ControlArgs),
    /// Send a job template
    Transmit(RunArgs),
    /// Execute work streamed from a controlling instance
    Worker(WorkerArgs),
    /// Receive the output of remote ansible-runner work and distribute the results
    Process(ProcessArgs),
    /// Show a finished or running job again from its artifacts
    Replay(ReplayArgs),
    /// List the runs kept under artifacts/, newest first
    History(HistoryArgs),
}

/// Options of `run`, `start` and `transmit`.
#[derive(Debug, Args, Clone, Default)]
pub struct RunArgs {
    /// Base directory containing the ansible-runner metadata (project, inventory, env, etc)
    #[arg(value_name = "PRIVATE_DATA_DIR")]
    pub private_data_dir: PathBuf,

    // Groups without a heading of their own come first, so they stay under "Options".
    #[command(flatten)]
    pub job: JobArgs,

    #[command(flatten)]
    pub isolation: IsolationArgs,

    #[command(flatten)]
    pub logging: LoggingArgs,

    #[command(flatten)]
    pub output: OutputArgs,

    #[command(flatten)]
    pub ansible: AnsibleArgs,

    #[command(flatten)]
    pub roles: RoleArgs,
}

/// `run` and `start`: the job's options, and the reports and run lock only a local run can honour
/// (`transmit` refuses them; `stop` and `is-alive` have no run to report on).
#[derive(Debug, Args, Clone, Default)]
pub struct ReportedRunArgs {
    #[command(flatten)]
    pub run: RunArgs,

    #[command(flatten)]
    pub report: RunReportArgs,

    /// Set by `start` on the detached process it launches, with the canonical private data dir
    #[arg(long = "daemonized", value_name = "DIR", hide = true)]
    pub daemonized: Option<PathBuf>,
}

impl ReportedRunArgs {
    /// The job's request with its reports.
    pub fn to_request(&self) -> JobRequest {
        JobRequest { report: self.report.to_options(), ..self.run.to_request() }
    }
}

/// What to run.
#[derive(Debug, Args, Clone, Default)]
pub struct JobArgs {
    /// Invoke an Ansible playbook from the ansible-runner project (See Ansible Playbook Options below)
    #[arg(short = 'p', long = "playbook", env = "RUNNER_PLAYBOOK", hide_env_values = true, group = "job_kind")]
    pub playbook: Option<String>,

    /// Invoke an Ansible module directly without a playbook (See Ansible Module Options below)
    #[arg(short = 'm', long = "module", env = "RUNNER_MODULE", hide_env_values = true, group = "job_kind")]
    pub module: Option<String>,

    /// Invoke an Ansible role directly without a playbook (See Ansible Role Options below)
    #[arg(short = 'r', long = "role", env = "RUNNER_ROLE", hide_env_values = true, group = "job_kind")]
    pub role: Option<String>,
}

/// Where results go and how they are shown.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Ansible Runner Options")]
pub struct OutputArgs {
    /// The full path to an executable to use instead of ansible or ansible-playbook
    #[arg(short = 'b', long = "binary", env = "RUNNER_BINARY", hide_env_values = true)]
    pub binary: Option<String>,

    /// An identifier that will be used when generating the artifacts directory and can be used to
    /// uniquely identify a playbook run (default: a new uuid)
    #[arg(short = 'i', long = "ident")]
    pub ident: Option<String>,

    /// Automatically clean up old artifact directories after a given number have been created
    /// (default: 0, which disables rotation)
    #[arg(
        long = "rotate-artifacts",
        default_value_t = 0,
        value_name = "ROTATE_ARTIFACTS",
        value_parser = int,
        allow_negative_numbers = true
    )]
    pub rotate_artifacts: i64,

    /// Optional path for the artifact root directory, by default it is located inside the private data dir
    #[arg(long = "artifact-dir", value_name = "ARTIFACT_DIR")]
    pub artifact_dir: Option<PathBuf>,

    /// Optional path for the location of the playbook content directory, by default this is
    /// `project` inside the private data dir
    #[arg(long = "project-dir", value_name = "PROJECT_DIR")]
    pub project_dir: Option<PathBuf>,

    /// Optional path for the location of the inventory content directory, by default this is
    /// `inventory` inside the private data dir
    #[arg(long = "inventory", value_name = "INVENTORY")]
    pub inventory: Option<String>,

    /// Output the JSON event structure to stdout instead of Ansible output
    #[arg(short = 'j', long = "json")]
    pub json: bool,

    /// Omit event data from all events
    #[arg(long = "omit-event-data")]
    pub omit_event_data: bool,

    /// Only include event data for failed tasks
    #[arg(long = "only-failed-event-data")]
    pub only_failed_event_data: bool,

    /// Do not write the inputs of this run (such as --cmdline) into the private data dir's env/
    #[arg(long = "omit-env-files")]
    pub omit_env_files: bool,

    /// Disable all output
    #[arg(short = 'q', long = "quiet")]
    pub quiet: bool,

    /// Increase Ansible verbosity
    #[arg(short = 'v', action = ArgAction::Count)]
    pub verbosity: u8,
}

/// Options passed on to Ansible.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Ansible Options")]
pub struct AnsibleArgs {
    /// Module arguments
    #[arg(
        short = 'a',
        long = "args",
        value_name = "MODULE_ARGS",
        allow_hyphen_values = true,
        help_heading = "Ansible Module Options"
    )]
    pub module_args: Option<String>,

    /// Define the set of hosts to execute against (only with -m or -r)
    #[arg(long = "hosts", value_name = "HOSTS")]
    pub hosts: Option<String>,

    /// Matches Ansible's `--limit` parameter to further constrain the inventory to be used
    #[arg(long = "limit", value_name = "LIMIT")]
    pub limit: Option<String>,

    /// Command line options to pass to ansible-playbook at execution time
    #[arg(long = "cmdline", value_name = "CMDLINE", allow_hyphen_values = true)]
    pub cmdline: Option<String>,

    /// Matches Ansible's `--forks` parameter to set the number of concurrent processes
    #[arg(long = "forks", value_name = "FORKS")]
    pub forks: Option<String>,
}

/// Options of role mode.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Ansible Role Options")]
pub struct RoleArgs {
    /// Path used to locate the role to be executed (default: <private_data_dir>/roles)
    #[arg(long = "roles-path", env = "ANSIBLE_ROLES_PATH", hide_env_values = true, value_name = "ROLES_PATH")]
    pub roles_path: Option<String>,

    /// Variables to pass to the role at runtime, as "key1=value1 key2=value2"
    #[arg(long = "role-vars", value_name = "ROLE_VARS")]
    pub role_vars: Option<String>,

    /// Disable fact collection when the role is executed
    #[arg(long = "role-skip-facts")]
    pub role_skip_facts: bool,
}

/// Process isolation: a container engine (podman, docker) or a bubblewrap sandbox.
#[derive(Debug, Args, Clone, Default)]
pub struct IsolationArgs {
    /// Run the job in a container (podman, docker: see --container-image) or a bubblewrap sandbox
    #[arg(long = "process-isolation")]
    pub process_isolation: bool,
    /// Process isolation executable or container engine
    #[arg(long = "process-isolation-executable", value_name = "EXECUTABLE")]
    pub process_isolation_executable: Option<String>,
    /// Path that an isolated playbook run will use for staging
    #[arg(long = "process-isolation-path", value_name = "PATH")]
    pub process_isolation_path: Option<String>,
    /// List of paths on the system that should be hidden from the playbook run
    #[arg(long = "process-isolation-hide-paths", num_args = 0.., value_name = "PATH")]
    pub process_isolation_hide_paths: Option<Vec<String>>,
    /// List of paths on the system that should be exposed to the playbook run
    #[arg(long = "process-isolation-show-paths", num_args = 0.., value_name = "PATH")]
    pub process_isolation_show_paths: Option<Vec<String>>,
    /// List of paths on the system that should be exposed to the playbook run as read-only
    #[arg(long = "process-isolation-ro-paths", num_args = 0.., value_name = "PATH")]
    pub process_isolation_ro_paths: Option<Vec<String>>,
    /// Copy the project into a temporary directory under this path
    #[arg(long = "directory-isolation-base-path", value_name = "PATH")]
    pub directory_isolation_base_path: Option<String>,
    /// Container image to use when running an Ansible task
    #[arg(help_heading = "Ansible Container Options", long = "container-image", value_name = "IMAGE")]
    pub container_image: Option<String>,
    /// Bind mounts (in the form 'host_dir:/container_dir'); may be repeated
    #[arg(help_heading = "Ansible Container Options", long = "container-volume-mount", value_name = "MOUNT")]
    pub container_volume_mounts: Vec<String>,
    /// Extra options to pass to the container engine; may be repeated
    #[arg(
        help_heading = "Ansible Container Options",
        long = "container-option",
        value_name = "OPTION",
        allow_hyphen_values = true
    )]
    pub container_options: Vec<String>,
}

/// `run` and `start`: the reports, and the run lock only a local run can hold.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Reports and alerts")]
pub struct RunReportArgs {
    #[command(flatten)]
    pub reports: ReportArgs,

    /// Take an exclusive lock on the private data dir; exit 75 at once if another run holds it
    #[arg(long = "lock")]
    pub lock: bool,

    /// With --lock: wait up to this many seconds for the lock instead of exiting
    #[arg(
        long = "lock-wait",
        value_name = "SECONDS",
        requires = "lock",
        value_parser = seconds,
        allow_negative_numbers = true
    )]
    pub lock_wait: Option<f64>,
}

/// Diagnostics of the runner itself.
#[derive(Debug, Args, Clone, Default)]
pub struct LoggingArgs {
    /// Enable ansible-runner debug output logging
    #[arg(long = "debug")]
    pub debug: bool,
    /// Log output messages to a file
    #[arg(long = "logfile", value_name = "LOGFILE")]
    pub logfile: Option<PathBuf>,
}

/// `stop` and `is-alive` take the run options too (and ignore them), as the Python tool does.
#[derive(Debug, Args, Clone)]
pub struct ControlArgs {
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Debug, Args, Clone)]
#[command(args_conflicts_with_subcommands = true)]
pub struct WorkerArgs {
    /// Base directory containing the ansible-runner metadata (default: a temporary directory)
    #[arg(long = "private-data-dir", value_name = "PRIVATE_DATA_DIR")]
    pub private_data_dir: Option<PathBuf>,
    /// Delete the private data directory before and after the run
    #[arg(long = "delete")]
    pub delete: bool,
    /// Emit a keepalive line after this many seconds without output (0 disables)
    #[arg(
        long = "keepalive-seconds",
        env = "ANSIBLE_RUNNER_KEEPALIVE_SECONDS",
        hide_env_values = true,
        value_name = "SECONDS",
        value_parser = seconds,
        allow_negative_numbers = true
    )]
    pub keepalive_seconds: Option<f64>,
    /// Show the execution node's capacity and version information, then exit
    #[arg(long = "worker-info")]
    pub worker_info: bool,

    #[command(subcommand)]
    pub action: Option<WorkerAction>,
}

#[derive(Debug, Subcommand, Clone)]
pub enum WorkerAction {
    /// Clean up old private data dirs left by workers, and optionally container images
    Cleanup(CleanupArgs),
}

#[derive(Debug, Args, Clone)]
pub struct CleanupArgs {
    /// Glob of private data dirs to delete
    #[arg(long = "file-pattern", value_name = "GLOB")]
    pub file_pattern: Option<String>,
    /// Skip any matching path that contains one of these strings
    #[arg(long = "exclude-strings", num_args = 0.., value_name = "STRING")]
    pub exclude_strings: Vec<String>,
    /// Skip directories modified within this many minutes (0 disables)
    #[arg(
        long = "grace-period",
        default_value_t = 60,
        value_name = "MINUTES",
        value_parser = minutes,
        allow_negative_numbers = true
    )]
    pub grace_period: u64,
    /// Container images to remove
    #[arg(long = "remove-images", num_args = 0.., value_name = "IMAGE")]
    pub remove_images: Vec<String>,
    /// Prune dangling container images after removing
    #[arg(long = "image-prune")]
    pub image_prune: bool,
    /// Container engine used for image work
    #[arg(long = "process-isolation-executable", default_value = "podman", value_name = "EXECUTABLE")]
    pub process_isolation_executable: String,
}

#[derive(Debug, Args, Clone)]
pub struct ProcessArgs {
    /// Base directory to write the artifacts into
    #[arg(value_name = "PRIVATE_DATA_DIR")]
    pub private_data_dir: PathBuf,
    /// Write the artifacts into artifacts/IDENT
    #[arg(short = 'i', long = "ident")]
    pub ident: Option<String>,
    /// Print nothing (also accepted before the command, as the Python tool requires)
    #[arg(short = 'q', long = "quiet")]
    pub quiet: bool,
    /// Print events as JSON lines
    #[arg(short = 'j', long = "json")]
    pub json: bool,
    #[command(flatten)]
    pub report: ReportArgs,
}

/// Reports and alerts for people and CI systems, built from the events (`run`, `start`, and
/// `process` on the controller); none changes the job or its artifacts.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Reports and alerts")]
pub struct ReportArgs {
    /// Write a JUnit XML report of the run (a test case per task and host) to this file
    #[arg(long = "junit", value_name = "PATH")]
    pub junit: Option<PathBuf>,

    /// POST a JSON summary of the run to this URL when it ends (see --notify-on)
    #[arg(long = "notify-url", value_name = "URL", value_parser = http_url)]
    pub notify_url: Option<String>,

    /// When to send the summary: on failure (failed, timeout, canceled, not started), on failure or a
    /// run skipped by --lock, or always
    #[arg(long = "notify-on", value_enum, default_value_t = NotifyOn::Failure, value_name = "WHEN")]
    pub notify_on: NotifyOn,

    /// Write the run's status, rc, times and host counts to this file when it ends, in the
    /// Prometheus text format (for node_exporter's textfile collector)
    #[arg(long = "metrics-file", value_name = "PATH")]
    pub metrics_file: Option<PathBuf>,

    /// Print the closing summary line on stderr even when stderr is not a terminal (for CI logs)
    #[arg(long = "summary")]
    pub summary: bool,
}

impl ReportArgs {
    pub fn to_options(&self) -> ReportOptions {
        ReportOptions {
            junit: self.junit.clone(),
            notify_url: self.notify_url.clone(),
            notify_on: self.notify_on,
            summary: self.summary,
            metrics_file: self.metrics_file.clone(),
            ..ReportOptions::default()
        }
    }
}

#[derive(Debug, Args, Clone)]
pub struct ReplayArgs {
    /// Private data dir of the run
    #[arg(value_name = "PRIVATE_DATA_DIR")]
    pub private_data_dir: PathBuf,
    /// The run to show (default: the latest)
    #[arg(short = 'i', long = "ident")]
    pub ident: Option<String>,
    /// Artifact root, when the run used --artifact-dir
    #[arg(long = "artifact-dir", value_name = "ARTIFACT_DIR")]
    pub artifact_dir: Option<PathBuf>,
    /// Print events as JSON lines
    #[arg(short = 'j', long = "json")]
    pub json: bool,
    /// Print no events (the summary and --junit still apply)
    #[arg(short = 'q', long = "quiet")]
    pub quiet: bool,
    /// Keep following a running job until it ends
    #[arg(short = 'f', long = "follow")]
    pub follow: bool,
    /// Write a JUnit XML report of the run to this file
    #[arg(long = "junit", value_name = "PATH")]
    pub junit: Option<PathBuf>,
}

/// An integer as Python's `int()` reads it; beyond 64 bits it saturates (argparse has no limit, and
/// no count here means anything past that).
fn int(text: &str) -> Result<i64, String> {
    use std::num::IntErrorKind;
    let digits = text.trim().replace('_', "");
    match digits.parse::<i64>() {
        Ok(value) => Ok(value),
        Err(err) if *err.kind() == IntErrorKind::PosOverflow => Ok(i64::MAX),
        Err(err) if *err.kind() == IntErrorKind::NegOverflow => Ok(i64::MIN),
        Err(_) => Err(format!("invalid int value: '{text}'")),
    }
}

/// `--grace-period`: minutes; zero or less disables the grace period, as in the Python tool.
fn minutes(text: &str) -> Result<u64, String> {
    int(text).map(|value| u64::try_from(value).unwrap_or(0))
}

/// A number of seconds within `crate::request::MAX_SECONDS`; larger values cannot be a real wait and
/// would overflow the clock arithmetic.
fn seconds(text: &str) -> Result<f64, String> {
    let value: f64 = text.trim().parse().map_err(|_| format!("invalid float value: '{text}'"))?;
    crate::request::seconds_in_range(value)
        .ok_or_else(|| format!("invalid value: '{text}' (expected {})", crate::request::SECONDS_RANGE))
}

/// `--notify-url`: checked before the run, so that a typo is not found only when the alert is due.
fn http_url(text: &str) -> Result<String, String> {
    let host = text.strip_prefix("http://").or_else(|| text.strip_prefix("https://"));
    match host.map(|rest| rest.split(['/', '?', '#']).next().unwrap_or_default()) {
        Some(host) if !host.is_empty() && !host.starts_with(':') => Ok(text.to_owned()),
        _ => Err(format!("invalid URL value: '{text}' (expected http:// or https:// and a host)")),
    }
}

impl RunArgs {
    /// The one conversion from flags to the neutral job request; nothing after it reads flags.
    pub fn to_request(&self) -> JobRequest {
        let RunArgs { private_data_dir, job, isolation, logging, output, ansible, roles } = self;
        JobRequest {
            private_data_dir: private_data_dir.clone(),
            playbook: job.playbook.clone(),
            module: job.module.clone(),
            role: job.role.clone(),
            module_args: ansible.module_args.clone(),
            hosts: ansible.hosts.clone(),
            limit: ansible.limit.clone(),
            forks: ansible.forks.clone(),
            cmdline: ansible.cmdline.clone(),
            binary: output.binary.clone(),
            ident: output.ident.clone(),
            inventory: output.inventory.iter().cloned().collect(),
            project_dir: output.project_dir.clone(),
            artifact_dir: output.artifact_dir.clone(),
            roles_path: roles.roles_path.clone(),
            role_vars: roles.role_vars.clone(),
            role_skip_facts: roles.role_skip_facts,
            rotate_artifacts: output.rotate_artifacts,
            verbosity: output.verbosity,
            quiet: output.quiet,
            json: output.json,
            omit_event_data: output.omit_event_data,
            only_failed_event_data: output.only_failed_event_data,
            omit_env_files: output.omit_env_files,
            isolation: isolation.to_request(),
            logging: LoggingOptions { debug: logging.debug, logfile: logging.logfile.clone() },
            ..JobRequest::default()
        }
    }
}

impl IsolationArgs {
    fn to_request(&self) -> IsolationRequest {
        IsolationRequest {
            process_isolation: self.process_isolation,
            executable: self.process_isolation_executable.clone(),
            path: self.process_isolation_path.clone(),
            hide_paths: self.process_isolation_hide_paths.clone().unwrap_or_default(),
            show_paths: self.process_isolation_show_paths.clone().unwrap_or_default(),
            ro_paths: self.process_isolation_ro_paths.clone().unwrap_or_default(),
            directory_isolation_base_path: self.directory_isolation_base_path.clone(),
            container_image: self.container_image.clone(),
            container_volume_mounts: self.container_volume_mounts.clone(),
            container_options: self.container_options.clone(),
            ..IsolationRequest::default()
        }
    }
}

impl RunReportArgs {
    fn to_options(&self) -> ReportOptions {
        ReportOptions {
            lock: self.lock,
            // `seconds` has checked the range, so the conversion cannot fail.
            lock_wait: self.lock_wait.and_then(|wait| Duration::try_from_secs_f64(wait).ok()),
            ..self.reports.to_options()
        }
    }
}

#[derive(Debug, Args, Clone)]
pub struct HistoryArgs {
    /// Private data dir whose runs to list
    #[arg(value_name = "PRIVATE_DATA_DIR")]
    pub private_data_dir: PathBuf,
    /// Show only the N newest runs (and read no more than those)
    #[arg(short = 'n', long = "last", value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub last: Option<u64>,
    /// Artifact root, when the runs used --artifact-dir
    #[arg(long = "artifact-dir", value_name = "ARTIFACT_DIR")]
    pub artifact_dir: Option<PathBuf>,
    /// Print one JSON object per run instead of a table
    #[arg(short = 'j', long = "json")]
    pub json: bool,
}
