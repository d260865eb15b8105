//! The request of the Python API (`ansible_runner.run(**kwargs)`), as the package sends it to
//! `ansible-runner api` (see `python/PROTOCOL.md`): the keyword shape, after the package has written
//! what the Python tool writes to disk. It becomes one neutral `JobRequest` here and nowhere else.

use std::path::PathBuf;

use serde::Deserialize;
use serde_json::{Map, Value};
use thiserror::Error;

use crate::request::seconds_in_range;
use crate::request::SECONDS_RANGE;
use crate::request::{ChildStdio, GenericCommand, GivenInputs, IsolationRequest, JobRequest};
use crate::util::pyjson::python_str;

/// The version of the pipe between the Python package and this binary (python/PROTOCOL.md): the
/// package sends it in its request and finds it in `starting`; a package and a binary that speak
/// different versions refuse each other at once, naming both.
pub const PROTOCOL: u32 = 1;

/// A request the runner refuses before anything exists; the package raises `exception(message)`.
#[derive(Debug, Error)]
#[error("{message}")]
pub struct RequestError {
    /// The Python exception class the reference raises for this input.
    pub exception: &'static str,
    pub message: String,
    /// For an `OSError`: its errno and the path it names, as `os.makedirs` raises them.
    pub os_error: Option<(i32, String)>,
}

impl RequestError {
    pub fn new(exception: &'static str, message: impl Into<String>) -> Self {
        Self { exception, message: message.into(), os_error: None }
    }

    /// Refuses a package that speaks another version of the pipe (or none: one from before it had
    /// versions), naming both.
    pub fn check_protocol(theirs: Option<u32>) -> Result<(), Self> {
        if theirs == Some(PROTOCOL) {
            return Ok(());
        }
        let theirs = theirs.map_or_else(|| "no version".to_owned(), |version| format!("version {version}"));
        Err(Self::new(
            "RuntimeError",
            format!(
                "the ansible_runner package speaks pipe {theirs} and this ansible-runner binary ({} {}) version \
                 {PROTOCOL}: install both from the same wheel, or point ANSIBLE_RUNNER_BINARY at the one that came with \
                 the package",
                std::env::current_exe().map(|path| path.display().to_string()).unwrap_or_default(),
                env!("CARGO_PKG_VERSION"),
            ),
        ))
    }

    /// The line that tells the package why its request was refused.
    pub fn line(&self) -> serde_json::Value {
        let mut line = serde_json::json!({"status": "error", "error": self.exception, "message": self.message});
        if let Some((errno, filename)) = &self.os_error {
            line["errno"] = (*errno).into();
            line["filename"] = filename.clone().into();
        }
        line
    }

    fn configuration(message: impl Into<String>) -> Self {
        Self::new("ConfigurationError", message)
    }
}

/// One path or several, as the keywords accept them.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            Self::One(one) => vec![one],
            Self::Many(many) => many,
        }
    }
}

/// The keywords of `run()` that reach the runner; `null` is the same as absent.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ApiRequest {
    pub private_data_dir: PathBuf,
    pub ident: Option<String>,
    pub artifact_dir: Option<PathBuf>,
    pub project_dir: Option<PathBuf>,
    pub playbook: Option<String>,
    pub module: Option<String>,
    pub module_args: Option<String>,
    pub host_pattern: Option<String>,
    pub binary: Option<String>,
    pub inventory: Option<OneOrMany>,
    pub roles_path: Option<OneOrMany>,
    pub limit: Option<String>,
    pub tags: Option<String>,
    pub skip_tags: Option<String>,
    pub cmdline: Option<String>,
    pub forks: Option<Value>,
    pub verbosity: Option<i64>,
    pub envvars: Option<Map<String, Value>>,
    pub extravars: Option<Map<String, Value>>,
    pub passwords: Option<Map<String, Value>>,
    pub settings: Option<Map<String, Value>>,
    pub ssh_key: Option<String>,
    pub timeout: Option<f64>,
    /// The Python tool uses these two for container jobs and `run_command` only; a playbook or
    /// module run on the host ignores them there, and so here. `host_cwd` is absolute (the
    /// package makes it so).
    pub host_cwd: Option<String>,
    pub container_workdir: Option<String>,
    pub rotate_artifacts: Option<i64>,
    pub suppress_env_files: Option<bool>,
    pub fact_cache: Option<String>,
    pub fact_cache_type: Option<String>,
    pub json_mode: Option<bool>,
    pub quiet: Option<bool>,
    pub suppress_output_file: Option<bool>,
    pub omit_event_data: Option<bool>,
    pub only_failed_event_data: Option<bool>,
    pub process_isolation: Option<bool>,
    pub process_isolation_executable: Option<String>,
    pub process_isolation_path: Option<String>,
    pub process_isolation_hide_paths: Option<OneOrMany>,
    pub process_isolation_show_paths: Option<OneOrMany>,
    pub process_isolation_ro_paths: Option<OneOrMany>,
    pub container_image: Option<String>,
    pub container_volume_mounts: Option<Vec<String>>,
    pub container_options: Option<Vec<String>>,
    pub container_auth_data: Option<Value>,
    pub directory_isolation_base_path: Option<String>,
    /// Whether the runner writes `job_events/` itself: the package asks for it when nothing in the
    /// application looks at events (no handler, no plugin), and writes the files itself otherwise.
    pub event_files: Option<bool>,
    /// Whether the runner writes the events' text to `stdout` (absent: it does). With `json_mode`
    /// and a handler or plugin, the package writes the events as the handler left them instead.
    pub stdout_text: Option<bool>,
    /// The pipe's version the package speaks ([`PROTOCOL`]); absent from packages older than it.
    pub protocol: Option<u32>,
    /// `run_command()` and the `get_*()` family: the whole command line, run as given.
    pub command: Option<Vec<String>>,
    /// `pexpect` (one stream, answers to prompts) or `subprocess` (stdout and stderr apart).
    pub runner_mode: Option<String>,
    /// Descriptors the package passed to this process for the command's stdio.
    pub input_fd: Option<i32>,
    pub output_fd: Option<i32>,
    pub error_fd: Option<i32>,
}

impl ApiRequest {
    /// Parses the request line; a malformed one is a `ValueError` naming what is wrong.
    pub fn parse(line: &[u8]) -> Result<Self, RequestError> {
        serde_json::from_slice(line).map_err(|err| {
            let reason = crate::util::shown::scrubbed(&err.to_string());
            RequestError::new("ValueError", format!("ansible-runner api: malformed request: {reason}"))
        })
    }

    /// The one conversion into the neutral job request, with the checks the Python tool makes
    /// before it runs anything, worded as it words them.
    pub fn into_request(self) -> Result<JobRequest, RequestError> {
        if self.module.is_some() && self.playbook.is_some() {
            return Err(RequestError::configuration("Only one of playbook and module options are allowed"));
        }
        let job_timeout = self.timeout.map(checked_timeout).transpose()?;
        let verbosity = u8::try_from(self.verbosity.unwrap_or(0))
            .map_err(|_| RequestError::configuration("verbosity must be a whole number from 0 to 255"))?;
        let given = self.given_inputs();
        let isolation = self.isolation();
        let command = self.generic_command()?;
        Ok(JobRequest {
            private_data_dir: self.private_data_dir,
            hosts: self.module.as_ref().and(self.host_pattern),
            playbook: self.playbook,
            module: self.module,
            module_args: self.module_args,
            limit: self.limit,
            forks: self.forks.as_ref().map(python_str),
            cmdline: self.cmdline,
            binary: self.binary,
            ident: self.ident,
            inventory: self.inventory.map(OneOrMany::into_vec).unwrap_or_default(),
            project_dir: self.project_dir,
            artifact_dir: self.artifact_dir,
            roles_path: self.roles_path.map(|paths| paths.into_vec().join(":")),
            rotate_artifacts: self.rotate_artifacts.unwrap_or(0),
            verbosity,
            quiet: true,
            json: self.json_mode.unwrap_or(false),
            omit_event_data: self.omit_event_data.unwrap_or(false),
            only_failed_event_data: self.only_failed_event_data.unwrap_or(false),
            omit_env_files: true,
            tags: self.tags,
            skip_tags: self.skip_tags,
            job_timeout,
            given,
            isolation,
            raw_command: true,
            command,
            ..JobRequest::default()
        })
    }

    /// The command of a `run_command()` request, refused as the Python tool refuses it.
    fn generic_command(&self) -> Result<Option<GenericCommand>, RequestError> {
        let Some(argv) = &self.command else { return Ok(None) };
        if argv.first().is_none_or(String::is_empty) {
            return Err(RequestError::configuration("For CommandRunner 'executable_cmd' value is required"));
        }
        let separate_streams = match self.runner_mode.as_deref() {
            None | Some("pexpect") => false,
            Some("subprocess") => true,
            Some(other) => {
                return Err(RequestError::configuration(format!(
                    "Invalid runner mode {other}, valid value is either 'pexpect' or 'subprocess'"
                )))
            }
        };
        let stdio = ChildStdio { stdin: self.input_fd, stdout: self.output_fd, stderr: self.error_fd };
        if let Some(fd) = [stdio.stdin, stdio.stdout, stdio.stderr].into_iter().flatten().find(|fd| *fd < 3) {
            return Err(RequestError::new(
                "ValueError",
                format!("ansible-runner api: descriptor {fd} is the pipe's own; pass a copy numbered 3 or more"),
            ));
        }
        let cwd = match &self.host_cwd {
            Some(cwd) => PathBuf::from(cwd),
            None => std::env::current_dir()
                .map_err(|err| RequestError::configuration(format!("cannot read the current directory: {err}")))?,
        };
        Ok(Some(GenericCommand { argv: argv.clone(), cwd, separate_streams, on_terminal: false, stdio }))
    }

    /// Values the package kept in memory. Keywords that the Python tool lets `env/settings`
    /// override travel as settings under the file's.
    fn given_inputs(&self) -> GivenInputs {
        let mut settings = Map::new();
        if let Some(fact_cache) = &self.fact_cache {
            settings.insert("fact_cache".to_owned(), Value::from(fact_cache.clone()));
        }
        if self.suppress_output_file == Some(true) {
            settings.insert("suppress_output_file".to_owned(), Value::Bool(true));
        }
        if let Some(auth) = &self.container_auth_data {
            settings.insert("container_auth_data".to_owned(), auth.clone());
        }
        settings.extend(self.settings.clone().unwrap_or_default());
        GivenInputs {
            envvars: texts(self.envvars.as_ref()),
            extravars: self.extravars.clone(),
            passwords: texts(self.passwords.as_ref()),
            settings,
            ssh_key: self.ssh_key.clone(),
            fact_cache_type: self.fact_cache_type.clone(),
        }
    }

    fn isolation(&self) -> IsolationRequest {
        let paths = |given: &Option<OneOrMany>| given.clone().map(OneOrMany::into_vec).unwrap_or_default();
        IsolationRequest {
            process_isolation: self.process_isolation.unwrap_or(false),
            executable: self.process_isolation_executable.clone(),
            path: self.process_isolation_path.clone(),
            hide_paths: paths(&self.process_isolation_hide_paths),
            show_paths: paths(&self.process_isolation_show_paths),
            ro_paths: paths(&self.process_isolation_ro_paths),
            directory_isolation_base_path: self.directory_isolation_base_path.clone(),
            container_image: self.container_image.clone(),
            container_volume_mounts: self.container_volume_mounts.clone().unwrap_or_default(),
            container_options: self.container_options.clone().unwrap_or_default(),
            container_workdir: self.container_workdir.clone(),
            host_cwd: self.host_cwd.as_ref().map(PathBuf::from),
        }
    }
}

/// A mapping's values as the text Python's `str()` gives them, in order.
fn texts(map: Option<&Map<String, Value>>) -> Vec<(String, String)> {
    map.map(|map| map.iter().map(|(key, value)| (key.clone(), python_str(value))).collect()).unwrap_or_default()
}

/// `timeout` in seconds, as `job_timeout`; zero means none, as in the Python tool.
fn checked_timeout(seconds: f64) -> Result<f64, RequestError> {
    seconds_in_range(seconds).ok_or_else(|| {
        RequestError::configuration(format!(
            "timeout must be {SECONDS_RANGE}, got {}",
            crate::util::shown::number(seconds)
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(json: &str) -> Result<JobRequest, RequestError> {
        ApiRequest::parse(json.as_bytes())?.into_request()
    }

    #[test]
    fn keywords_become_the_neutral_request() {
        let job = request(
            r#"{"private_data_dir": "/p", "ident": "i", "artifact_dir": "/p/artifacts", "module": "ping",
                "host_pattern": "localhost", "inventory": ["a", "b"], "roles_path": ["r1", "r2"], "forks": 5,
                "envvars": {"A": 1, "B": true}, "settings": {"job_timeout": 3}, "timeout": 9, "fact_cache": "fc",
                "tags": "t", "process_isolation_ro_paths": "/ro"}"#,
        )
        .unwrap();
        assert_eq!(job.module.as_deref(), Some("ping"));
        assert_eq!(job.hosts.as_deref(), Some("localhost"));
        assert_eq!(job.inventory, ["a", "b"]);
        assert_eq!(job.roles_path.as_deref(), Some("r1:r2"));
        assert_eq!(job.forks.as_deref(), Some("5"));
        assert_eq!(job.given.envvars, [("A".to_owned(), "1".to_owned()), ("B".to_owned(), "True".to_owned())]);
        assert_eq!(job.given.settings["job_timeout"], 3);
        assert_eq!(job.given.settings["fact_cache"], "fc");
        assert_eq!(job.job_timeout, Some(9.0));
        assert_eq!(job.tags.as_deref(), Some("t"));
        assert_eq!(job.isolation.ro_paths, ["/ro"]);
        assert!(job.quiet && job.omit_env_files);
    }

    #[test]
    fn a_host_pattern_counts_only_for_a_module() {
        let job = request(r#"{"private_data_dir": "/p", "playbook": "x.yml", "host_pattern": "all"}"#).unwrap();
        assert_eq!(job.hosts, None);
    }

    #[test]
    fn a_command_runs_as_given_where_asked() {
        let job = request(
            r#"{"private_data_dir": "/p", "command": ["ansible-doc", "-j", "copy"], "runner_mode": "subprocess",
                "host_cwd": "/tmp", "output_fd": 7}"#,
        )
        .unwrap();
        let command = job.command.unwrap();
        assert_eq!(command.argv, ["ansible-doc", "-j", "copy"]);
        assert_eq!(command.cwd, PathBuf::from("/tmp"));
        assert!(command.separate_streams);
        assert_eq!(command.stdio, ChildStdio { stdin: None, stdout: Some(7), stderr: None });
        let mode = request(r#"{"private_data_dir": "/p", "command": ["x"], "runner_mode": "pty"}"#).unwrap_err();
        assert_eq!(mode.message, "Invalid runner mode pty, valid value is either 'pexpect' or 'subprocess'");
        let empty = request(r#"{"private_data_dir": "/p", "command": []}"#).unwrap_err();
        assert_eq!(empty.exception, "ConfigurationError");
        let pipe = request(r#"{"private_data_dir": "/p", "command": ["x"], "input_fd": 0}"#).unwrap_err();
        assert_eq!(pipe.exception, "ValueError");
    }

    #[test]
    fn refusals_name_the_reference_exception() {
        let both = request(r#"{"private_data_dir": "/p", "playbook": "x.yml", "module": "ping"}"#).unwrap_err();
        assert_eq!(
            (both.exception, both.message.as_str()),
            ("ConfigurationError", "Only one of playbook and module options are allowed")
        );
        assert!(request(r#"{"private_data_dir": "/p"}"#).unwrap().raw_command, "an args file may name the command");
        let unknown = request(r#"{"private_data_dir": "/p", "playbok": "x.yml"}"#).unwrap_err();
        assert_eq!(unknown.exception, "ValueError");
        assert!(unknown.message.contains("playbok"), "{}", unknown.message);
        let timeout = request(r#"{"private_data_dir": "/p", "playbook": "x", "timeout": -1}"#).unwrap_err();
        assert!(timeout.message.contains("timeout"), "{}", timeout.message);
    }
}
