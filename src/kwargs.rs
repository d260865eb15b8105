//! The `{"kwargs": …}` line of a job stream: what `transmit` sends and `worker` rebuilds a job from.
//! Keys and their order are those of the Python ansible-runner 2.4.3, so either side can be Python.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::cli::{AnsibleArgs, IsolationArgs, JobArgs, LoggingArgs, OutputArgs, ReportArgs, RoleArgs, RunArgs};
use crate::job::{JobKind, JobSpec};

/// The job's parameters as they travel in a stream.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Kwargs {
    pub ident: Option<String>,
    pub binary: Option<String>,
    pub playbook: Option<String>,
    pub module: Option<String>,
    pub module_args: Option<String>,
    pub host_pattern: Option<String>,
    pub verbosity: Option<u8>,
    pub quiet: bool,
    pub rotate_artifacts: i64,
    pub json_mode: bool,
    pub omit_event_data: bool,
    pub only_failed_event_data: bool,
    /// A path string, or (from the Python API) a list of them.
    pub inventory: Option<Value>,
    /// Any scalar; the Python tool passes the text through.
    pub forks: Option<Value>,
    pub project_dir: Option<String>,
    pub artifact_dir: Option<String>,
    pub roles_path: Option<Vec<String>>,
    pub process_isolation: Option<bool>,
    pub process_isolation_executable: Option<String>,
    pub process_isolation_path: Option<String>,
    pub process_isolation_hide_paths: Option<Vec<String>>,
    pub process_isolation_show_paths: Option<Vec<String>>,
    pub process_isolation_ro_paths: Option<Vec<String>>,
    pub container_image: Option<String>,
    pub container_volume_mounts: Option<Vec<String>>,
    pub container_options: Option<Vec<String>>,
    pub directory_isolation_base_path: Option<String>,
    pub cmdline: Option<String>,
    pub limit: Option<String>,
    pub suppress_env_files: bool,
    /// Inputs the Python API may send instead of files (written into `env/` when absent there).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub envvars: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extravars: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passwords: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settings: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ssh_key: Option<String>,
}

impl Kwargs {
    /// What `transmit` sends for a resolved job. Paths inside the private data dir travel relative
    /// to it so that the worker can place them in its own copy.
    pub fn from_job(args: &RunArgs, spec: &JobSpec, role_playbook: Option<&Path>) -> Self {
        let pdd = &spec.pdd.root;
        let playbook = match (&spec.kind, role_playbook) {
            (JobKind::Role { .. }, Some(path)) => path.file_name().map(|n| n.to_string_lossy().into_owned()),
            (JobKind::Playbook { playbook }, _) => {
                let path = Path::new(playbook);
                Some(
                    path.strip_prefix(&spec.project_dir).map_or_else(|_| playbook.clone(), |p| p.display().to_string()),
                )
            }
            _ => None,
        };
        let (module, module_args, host_pattern) = match &spec.kind {
            JobKind::Module { module, args, hosts } => (Some(module.clone()), args.clone(), hosts.clone()),
            _ => (None, None, None),
        };
        let inventory = args.output.inventory.as_ref().and_then(|_| spec.inventory.first()).map(|path| {
            Value::String(
                path.strip_prefix(pdd).map_or_else(|_| path.display().to_string(), |p| p.display().to_string()),
            )
        });
        Self {
            ident: Some(spec.ident.clone()),
            binary: spec.binary.clone(),
            playbook,
            module,
            module_args,
            host_pattern,
            verbosity: (spec.verbosity > 0).then_some(spec.verbosity),
            quiet: args.output.quiet,
            rotate_artifacts: spec.rotate_artifacts,
            json_mode: args.output.json,
            omit_event_data: spec.omit_event_data,
            only_failed_event_data: spec.only_failed_event_data,
            inventory,
            forks: spec.forks.clone().map(Value::String),
            project_dir: args.output.project_dir.as_ref().map(|p| p.display().to_string()),
            artifact_dir: args.output.artifact_dir.as_ref().map(|p| p.display().to_string()),
            roles_path: args.roles.roles_path.as_ref().map(|p| vec![p.clone()]),
            cmdline: if args.output.omit_env_files { args.ansible.cmdline.clone() } else { None },
            limit: spec.limit.clone(),
            suppress_env_files: args.output.omit_env_files,
            ..Self::default()
        }
    }

    /// Rebuilds the command-line form of the job inside the worker's private data dir. Relative
    /// paths are taken inside that dir (the Python worker leaves some of them pointing nowhere).
    pub fn to_run_args(&self, pdd: &Path) -> RunArgs {
        let inside = |value: &str| inside_pdd(pdd, value).display().to_string();
        let inventory = match &self.inventory {
            Some(Value::String(path)) => Some(inside(path)),
            Some(Value::Array(paths)) => paths.first().and_then(Value::as_str).map(inside),
            _ => None,
        };
        RunArgs {
            private_data_dir: pdd.to_owned(),
            job: JobArgs { playbook: self.playbook.clone(), module: self.module.clone(), role: None },
            output: OutputArgs {
                binary: self.binary.clone(),
                ident: self.ident.clone(),
                rotate_artifacts: self.rotate_artifacts,
                artifact_dir: self.artifact_dir.as_deref().map(|p| inside_pdd(pdd, p)),
                project_dir: self.project_dir.as_deref().map(|p| inside_pdd(pdd, p)),
                inventory,
                json: false,
                omit_event_data: self.omit_event_data,
                only_failed_event_data: self.only_failed_event_data,
                omit_env_files: self.suppress_env_files,
                quiet: true,
                verbosity: self.verbosity.unwrap_or(0),
            },
            ansible: AnsibleArgs {
                module_args: self.module_args.clone(),
                hosts: self.host_pattern.clone(),
                limit: self.limit.clone(),
                cmdline: self.cmdline.clone(),
                forks: self.forks.as_ref().and_then(scalar_text),
            },
            roles: RoleArgs {
                roles_path: self
                    .roles_path
                    .as_ref()
                    .map(|paths| paths.iter().map(|p| inside(p)).collect::<Vec<_>>().join(":")),
                role_vars: None,
                role_skip_facts: false,
            },
            isolation: IsolationArgs {
                process_isolation: self.process_isolation.unwrap_or(false),
                ..IsolationArgs::default()
            },
            logging: LoggingArgs::default(),
            report: ReportArgs::default(),
            daemonized: None,
        }
    }

    /// All inventory paths (a list from the Python API gives one `-i` each), made absolute in `pdd`.
    pub fn inventory_paths(&self, pdd: &Path) -> Vec<PathBuf> {
        match &self.inventory {
            Some(Value::Array(paths)) => paths.iter().filter_map(Value::as_str).map(|p| inside_pdd(pdd, p)).collect(),
            _ => Vec::new(),
        }
    }
}

/// A path from the controller, placed in the worker's private data dir unless it is absolute.
fn inside_pdd(pdd: &Path, value: &str) -> PathBuf {
    if Path::new(value).is_absolute() {
        PathBuf::from(value)
    } else {
        pdd.join(value)
    }
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_in_the_reference_order() {
        let value = serde_json::to_value(Kwargs::default()).unwrap();
        let keys: Vec<&str> = value.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "ident",
                "binary",
                "playbook",
                "module",
                "module_args",
                "host_pattern",
                "verbosity",
                "quiet",
                "rotate_artifacts",
                "json_mode",
                "omit_event_data",
                "only_failed_event_data",
                "inventory",
                "forks",
                "project_dir",
                "artifact_dir",
                "roles_path",
                "process_isolation",
                "process_isolation_executable",
                "process_isolation_path",
                "process_isolation_hide_paths",
                "process_isolation_show_paths",
                "process_isolation_ro_paths",
                "container_image",
                "container_volume_mounts",
                "container_options",
                "directory_isolation_base_path",
                "cmdline",
                "limit",
                "suppress_env_files"
            ]
        );
    }

    #[test]
    fn worker_side_paths_land_inside_its_private_data_dir() {
        let kwargs: Kwargs = serde_json::from_str(
            r#"{"ident": "x", "playbook": "t.yml", "inventory": "inventory/hosts", "forks": 3, "roles_path": ["roles"], "unknown_key": 1}"#,
        )
        .unwrap();
        let args = kwargs.to_run_args(Path::new("/w"));
        assert_eq!(args.output.inventory.as_deref(), Some("/w/inventory/hosts"));
        assert_eq!(args.ansible.forks.as_deref(), Some("3"));
        assert_eq!(args.roles.roles_path.as_deref(), Some("/w/roles"));
        assert!(args.output.quiet);
    }
}
