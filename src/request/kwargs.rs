//! The `{"kwargs": …}` line of a job stream: what `transmit` sends and `worker` rebuilds a job from.
//! Keys and their order are those of the Python ansible-runner 2.4.3, so either side can be Python.

use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::request::{IsolationRequest, JobRequest};

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
    /// The job as the worker runs it inside its private data dir. Relative paths are taken inside
    /// that dir (the Python worker leaves some of them pointing nowhere); the artifact dir, which
    /// the worker writes, is rebased under it whatever the controller named. The worker runs quietly.
    pub fn to_request(&self, pdd: &Path) -> JobRequest {
        let inside = |value: &str| inside_pdd(pdd, value).display().to_string();
        let inventory = match &self.inventory {
            Some(Value::String(path)) => vec![inside(path)],
            Some(Value::Array(paths)) => paths.iter().filter_map(Value::as_str).map(inside).collect(),
            _ => Vec::new(),
        };
        JobRequest {
            private_data_dir: pdd.to_owned(),
            playbook: self.playbook.clone(),
            module: self.module.clone(),
            module_args: self.module_args.clone(),
            hosts: self.host_pattern.clone(),
            limit: self.limit.clone(),
            forks: self.forks.as_ref().and_then(scalar_text),
            cmdline: self.cmdline.clone(),
            binary: self.binary.clone(),
            ident: self.ident.clone(),
            inventory,
            project_dir: self.project_dir.as_deref().map(|p| inside_pdd(pdd, p)),
            artifact_dir: self.artifact_dir.as_deref().map(|p| rebase(pdd, p)),
            roles_path: self
                .roles_path
                .as_ref()
                .map(|paths| paths.iter().map(|p| inside(p)).collect::<Vec<_>>().join(":")),
            rotate_artifacts: self.rotate_artifacts,
            verbosity: self.verbosity.unwrap_or(0),
            quiet: true,
            omit_event_data: self.omit_event_data,
            only_failed_event_data: self.only_failed_event_data,
            omit_env_files: self.suppress_env_files,
            isolation: self.isolation(),
            ..JobRequest::default()
        }
    }

    fn isolation(&self) -> IsolationRequest {
        let list = |given: &Option<Vec<String>>| given.clone().unwrap_or_default();
        IsolationRequest {
            process_isolation: self.process_isolation.unwrap_or(false),
            executable: self.process_isolation_executable.clone(),
            path: self.process_isolation_path.clone(),
            hide_paths: list(&self.process_isolation_hide_paths),
            show_paths: list(&self.process_isolation_show_paths),
            ro_paths: list(&self.process_isolation_ro_paths),
            directory_isolation_base_path: self.directory_isolation_base_path.clone(),
            container_image: self.container_image.clone(),
            container_volume_mounts: list(&self.container_volume_mounts),
            container_options: list(&self.container_options),
            ..IsolationRequest::default()
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

/// A path the controller names for something the worker writes, placed under `base` as if `base`
/// were the root: `/srv/a` and `srv/a` both become `base/srv/a`, and `..` never climbs above `base`.
/// A worker never writes where a controller path happens to point on its node.
pub fn rebase(base: &Path, value: &str) -> PathBuf {
    let mut path = base.to_path_buf();
    let mut depth = 0usize;
    for part in Path::new(value).components() {
        match part {
            Component::Normal(name) => {
                path.push(name);
                depth += 1;
            }
            Component::ParentDir if depth > 0 => {
                path.pop();
                depth -= 1;
            }
            Component::ParentDir | Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
        }
    }
    path
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
        let request = kwargs.to_request(Path::new("/w"));
        assert_eq!(request.inventory, ["/w/inventory/hosts"]);
        assert_eq!(request.forks.as_deref(), Some("3"));
        assert_eq!(request.roles_path.as_deref(), Some("/w/roles"));
        assert!(request.quiet);
    }

    #[test]
    fn written_paths_are_rebased_under_the_worker_dir() {
        let base = Path::new("/w");
        assert_eq!(rebase(base, "/srv/ctl/artifacts"), Path::new("/w/srv/ctl/artifacts"));
        assert_eq!(rebase(base, "artifacts"), Path::new("/w/artifacts"));
        assert_eq!(rebase(base, "../../../etc/./x/../y"), Path::new("/w/etc/y"));
        assert_eq!(rebase(base, "a/../.."), Path::new("/w"));
        assert_eq!(rebase(Path::new(""), "/"), Path::new(""));
        let kwargs: Kwargs = serde_json::from_str(r#"{"artifact_dir": "/tmp/ctl/arts"}"#).unwrap();
        assert_eq!(kwargs.to_request(base).artifact_dir.as_deref(), Some(Path::new("/w/tmp/ctl/arts")));
    }
}
