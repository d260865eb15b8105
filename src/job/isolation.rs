//! How a job is isolated, as resolved from the flags and `env/settings`: in a container (podman or
//! docker) or a bubblewrap sandbox. These types know nothing of the job they isolate; the
//! `confine` stage wraps a job's command line in them.

use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::job::settings::{RegistryAuth, Settings};
use crate::request::IsolationRequest;
use crate::util::fs::lexically_normal;
use crate::util::lookup::find_executable;

/// Where the private data dir appears inside the container.
pub const MOUNT_POINT: &str = "/runner";

/// Sources a container may not mount: the Python tool refuses them too.
const REFUSED_SOURCES: [&str; 3] = ["/", "/home", "/usr"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Podman,
    Docker,
}

/// A job's container, as resolved from the flags and `env/settings`.
#[derive(Debug, Clone, PartialEq)]
pub struct Container {
    /// The engine program as given (a name on `PATH` or a path).
    pub executable: String,
    pub engine: Engine,
    pub image: String,
    pub volume_mounts: Vec<String>,
    pub options: Vec<String>,
    /// Registry credentials (`container_auth_data` in `env/settings`).
    pub auth: Option<RegistryAuth>,
    /// The working directory inside, as the Python API's `container_workdir` gives it.
    pub workdir: Option<String>,
    /// The Python API's `host_cwd`: mounted at the same path, and the working directory inside
    /// when there is no `workdir`.
    pub host_cwd: Option<PathBuf>,
}

#[derive(Debug, Error)]
pub enum IsolationError {
    #[error("Unable to find process isolation executable: {0}")]
    MissingEngine(String),
    #[error("process isolation with {0} needs an image: give --container-image or container_image in env/settings")]
    NoImage(String),
    #[error("container mount {0:?}: cannot mount '/', '/home' or '/usr' into the container")]
    RefusedMount(String),
    #[error("container image {0:?} starts with '-', where the engine would read it as an option")]
    OptionLikeImage(String),
}

/// Where an isolated job runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Isolation {
    Container(Container),
    Sandbox(Sandbox),
}

/// How the job is isolated, or `None` for a local run. Keys in `env/settings` replace the flags;
/// `path_var` is the `PATH` the engine is looked up on.
pub fn resolve(
    request: &IsolationRequest,
    settings: &Settings,
    path_var: Option<&str>,
) -> Result<Option<Isolation>, IsolationError> {
    if !settings.process_isolation.unwrap_or(request.process_isolation) {
        return Ok(None);
    }
    let executable = settings
        .process_isolation_executable
        .clone()
        .or_else(|| request.executable.clone())
        .unwrap_or_else(|| "podman".to_owned());
    if find_executable(&executable, path_var, Path::new(".")).is_none() {
        return Err(IsolationError::MissingEngine(executable));
    }
    let engine = match Path::new(&executable).file_name().and_then(|name| name.to_str()) {
        Some("podman") => Engine::Podman,
        Some("docker") => Engine::Docker,
        _ => return Ok(Some(Isolation::Sandbox(Sandbox::resolve(executable, request, settings)))),
    };
    let image = settings.container_image.clone().or_else(|| request.container_image.clone()).filter(|i| !i.is_empty());
    let Some(image) = image else { return Err(IsolationError::NoImage(executable)) };
    if image.starts_with('-') {
        return Err(IsolationError::OptionLikeImage(image));
    }
    let volume_mounts =
        settings.container_volume_mounts.clone().unwrap_or_else(|| request.container_volume_mounts.clone());
    if let Some(refused) = volume_mounts.iter().find(|mount| is_refused(mount)) {
        return Err(IsolationError::RefusedMount(refused.clone()));
    }
    let options = settings.container_options.clone().unwrap_or_else(|| request.container_options.clone());
    if let Some(host_cwd) = request.host_cwd.as_ref().filter(|dir| is_refused(&dir.display().to_string())) {
        return Err(IsolationError::RefusedMount(host_cwd.display().to_string()));
    }
    Ok(Some(Isolation::Container(Container {
        executable,
        engine,
        image,
        volume_mounts,
        options,
        auth: settings.container_auth_data.clone(),
        workdir: request.container_workdir.clone(),
        host_cwd: request.host_cwd.clone(),
    })))
}

/// Whether a mount's source is one of `REFUSED_SOURCES`, however it is spelled: both the path as
/// written with `.` and `..` worked out (an engine may create a missing source) and the real path
/// (through symlinks) are checked. A mistake guard, not a boundary: `container_options` can mount
/// anything.
pub fn is_refused(mount: &str) -> bool {
    let source = Path::new(mount.split(':').next().unwrap_or_default());
    let refused = |path: &Path| REFUSED_SOURCES.iter().any(|dir| path == Path::new(dir));
    refused(&lexically_normal(source)) || source.canonicalize().is_ok_and(|real| refused(&real))
}

/// The container's name: the ident with anything but letters, digits, `_` and `-` made `_`.
pub fn container_name(ident: &str) -> String {
    let safe: String =
        ident.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '_' }).collect();
    format!("ansible_runner_{safe}")
}

/// A job's sandbox, as resolved from the flags and `env/settings` (settings win).
#[derive(Debug, Clone, PartialEq)]
pub struct Sandbox {
    pub executable: String,
    /// Where the hidden paths' empty stand-ins are made.
    pub path: PathBuf,
    pub hide_paths: Vec<String>,
    pub show_paths: Vec<String>,
    pub ro_paths: Vec<String>,
    /// When set, the project runs from a copy made under it, removed afterwards.
    pub directory_isolation_base_path: Option<PathBuf>,
}

impl Sandbox {
    pub fn resolve(executable: String, request: &IsolationRequest, settings: &Settings) -> Self {
        let pick = |setting: &Option<Vec<String>>, flag: &Vec<String>| setting.clone().unwrap_or_else(|| flag.clone());
        Self {
            executable,
            path: PathBuf::from(
                settings.process_isolation_path.clone().or_else(|| request.path.clone()).unwrap_or("/tmp".into()),
            ),
            hide_paths: pick(&settings.process_isolation_hide_paths, &request.hide_paths),
            show_paths: pick(&settings.process_isolation_show_paths, &request.show_paths),
            ro_paths: pick(&settings.process_isolation_ro_paths, &request.ro_paths),
            directory_isolation_base_path: settings
                .directory_isolation_base_path
                .clone()
                .or_else(|| request.directory_isolation_base_path.clone())
                .map(PathBuf::from),
        }
    }
}
