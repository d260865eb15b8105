//! The private data dir: its layout and the inputs kept in `env/`. Unlike the Python tool, a file
//! that exists but cannot be understood is an error naming the file, never silently ignored.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde_json::Value;

use crate::job::files::{check_link_owner, read_mapping, read_optional_text, split_cmdline, ConfigError};
use crate::job::settings::Settings;
use crate::request::GivenInputs;
use crate::util::fs::{absolute, create_dir_private};
use crate::util::pyjson::python_str;

/// Files the runner keeps in the private data dir itself, beside the job's inputs.
pub const PID_FILE: &str = "pid";
/// What `start` records of the process it launched (see `pidfile`).
pub const PID_RECORD: &str = "pid.json";
pub const DAEMON_LOG: &str = "daemon.log";
pub const LOCK_FILE: &str = ".ansible-runner.lock";

/// The private data dir, made absolute, with the paths the runner reads from it.
#[derive(Debug, Clone)]
pub struct PrivateDataDir {
    pub root: PathBuf,
}

impl PrivateDataDir {
    /// Makes the path absolute and creates the directory (0700) if it is missing, as the Python tool does.
    pub fn open_or_create(path: &Path) -> Result<Self, ConfigError> {
        let root = absolute(path);
        match fs::metadata(&root) {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => return Err(ConfigError::NotADirectory(root)),
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                create_dir_private(&root).map_err(|source| ConfigError::CreateDir { path: root.clone(), source })?;
            }
            Err(source) => return Err(ConfigError::Read { path: root, source }),
        }
        Ok(Self { root })
    }

    /// Where runs keep their artifacts: `given` (`--artifact-dir`) or `<pdd>/artifacts`.
    pub fn artifact_root(&self, given: Option<&Path>) -> PathBuf {
        given.map_or_else(|| self.root.join("artifacts"), absolute)
    }

    /// Whether `relative` (a path inside the dir) is the runner's own state rather than the job's
    /// input: the pid file and its record, the daemon log, the run lock, and the artifacts of
    /// earlier runs unless asked for. `transmit` leaves these out: they are of no use to a worker,
    /// and old artifacts can be most of the stream.
    pub fn is_runner_state(relative: &Path, with_artifacts: bool) -> bool {
        let mut components = relative.components();
        let (Some(top), None) = (components.next(), components.next()) else { return false };
        let top = top.as_os_str();
        [PID_FILE, PID_RECORD, DAEMON_LOG, LOCK_FILE].iter().any(|name| top == *name)
            || (with_artifacts && top == "artifacts")
    }

    /// Writes `cmdline` into `env/cmdline` (owner only) unless that file exists.
    pub fn store_cmdline(&self, cmdline: &str) -> Result<(), StoreError> {
        let path = self.env_file("cmdline");
        if path.exists() {
            return Ok(());
        }
        let env_dir = self.root.join("env");
        create_dir_private(&env_dir).map_err(|source| StoreError::CreateDir { path: env_dir, source })?;
        crate::util::atomic::write(&path, cmdline.as_bytes(), 0o600, crate::util::atomic::Durability::Renamed)
            .map_err(|source| StoreError::Write { path, source })
    }

    pub fn env_file(&self, name: &str) -> PathBuf {
        self.root.join("env").join(name)
    }

    pub fn inventory(&self) -> PathBuf {
        self.root.join("inventory")
    }

    pub fn project(&self) -> PathBuf {
        self.root.join("project")
    }

    pub fn roles(&self) -> PathBuf {
        self.root.join("roles")
    }

    /// Reads every input of `env/` that the runner interprets itself, over the values `given` in
    /// memory (the Python API's keywords): a file's entries win where both name the same key.
    pub fn load_env(&self, given: &GivenInputs) -> Result<EnvInputs, ConfigError> {
        let settings_path = self.env_file("settings");
        let mut settings_map = given.settings.clone();
        settings_map.extend(read_mapping(&settings_path)?.unwrap_or_default());
        let settings = Settings::from_mapping(&settings_path, &settings_map)?;
        let settings_given = settings_map;
        let envvars_path = self.env_file("envvars");
        let file_envvars = file_texts(&envvars_path)?;
        // A keyword's fault is named as the keyword, a file's as the file.
        check_env_names(&given.envvars, Path::new("envvars"))?;
        check_env_names(&file_envvars, &envvars_path)?;
        let envvars = merged(&given.envvars, file_envvars);
        let passwords = merged(&given.passwords, file_texts(&self.env_file("passwords"))?);
        let cmdline_path = self.env_file("cmdline");
        let cmdline = read_optional_text(&cmdline_path, "a command line")?;
        if let Some(text) = &cmdline {
            split_cmdline(text).map_err(|reason| ConfigError::BadCmdline { path: cmdline_path.clone(), reason })?;
        }
        let ssh_key =
            match read_optional_text(&self.env_file("ssh_key"), "a private key in text (PEM or OpenSSH) form")? {
                Some(key) => Some(key),
                None => given.ssh_key.clone(),
            };
        let extravars = self.env_file("extravars");
        // Ansible reads it, and its errors quote the lines they fail on.
        check_link_owner(&extravars)?;
        let extravars = extravars.exists().then_some(extravars);
        let args_path = self.root.join("args");
        let args = read_optional_text(&args_path, "a command line")?;
        if let Some(text) = &args {
            split_cmdline(text).map_err(|reason| ConfigError::BadCmdline { path: args_path.clone(), reason })?;
        }
        let given_extravars = given.extravars.clone().filter(|vars| !vars.is_empty());
        Ok(EnvInputs {
            settings,
            settings_given,
            envvars,
            passwords,
            cmdline,
            ssh_key,
            extravars,
            given_extravars,
            args,
        })
    }
}

/// Refuses a variable no environment can hold as named: an empty name, or one with `=` (which
/// would set another variable) or NUL (which would cut it short). The file names where it is;
/// the name is quoted only when plain.
fn check_env_names(envvars: &[(String, String)], path: &Path) -> Result<(), ConfigError> {
    for (position, (name, value)) in envvars.iter().enumerate() {
        let bad_name = name.is_empty() || name.contains(['=', '\0']);
        if bad_name || value.contains('\0') {
            let what = if bad_name { "name" } else { "value" };
            let reason = format!(
                "variable {} ({}) has a {what} no environment can hold (empty, or with `=` or NUL)",
                position + 1,
                crate::util::shown::quoted(name)
            );
            return Err(ConfigError::BadEnvvar { path: path.to_owned(), reason });
        }
    }
    Ok(())
}

/// The mapping in `path` (none when absent), its values as Python's `str()` gives them.
fn file_texts(path: &Path) -> Result<Vec<(String, String)>, ConfigError> {
    let mapping = read_mapping(path)?.unwrap_or_default();
    Ok(mapping.into_iter().map(|(key, value)| (key, python_str(&value))).collect())
}

/// `given` pairs, then the file's: a key the file names again takes the file's value in the given
/// key's place.
fn merged(given: &[(String, String)], from_file: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut merged: IndexMap<String, String> = given.iter().cloned().collect();
    merged.extend(from_file);
    merged.into_iter().collect()
}

/// An input the runner could not store into `env/`.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create {path}")]
    CreateDir { path: PathBuf, source: io::Error },
    #[error("cannot write {path}")]
    Write { path: PathBuf, source: io::Error },
}

/// The inputs found under `env/` (and the `args` override).
#[derive(Debug, Clone, Default)]
pub struct EnvInputs {
    pub settings: Settings,
    /// Every setting as given (in memory and in `env/settings`, the file's over the others),
    /// including keys only the Python API acts on (`pexpect_timeout`, `suppress_ansible_output`).
    pub settings_given: serde_json::Map<String, Value>,
    /// `env/envvars`, values converted to strings the way Python's `str()` does.
    pub envvars: Vec<(String, String)>,
    /// `env/passwords`: prompt pattern → answer.
    pub passwords: Vec<(String, String)>,
    pub cmdline: Option<String>,
    pub ssh_key: Option<String>,
    /// Path of `env/extravars`, handed to Ansible as `-e @path` (Ansible parses it).
    pub extravars: Option<PathBuf>,
    /// Extra vars given in memory, handed to Ansible as one JSON `-e` after the file's.
    pub given_extravars: Option<serde_json::Map<String, Value>>,
    /// Text of `<pdd>/args`, a complete command line replacing everything.
    pub args: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runner_state_is_told_from_the_job_s_input() {
        let state = |p: &str, with_artifacts| PrivateDataDir::is_runner_state(Path::new(p), with_artifacts);
        assert!(state("artifacts", true));
        assert!(!state("artifacts", false));
        for own in ["pid", "pid.json", "daemon.log", ".ansible-runner.lock"] {
            assert!(state(own, false), "{own}");
        }
        assert!(!state("project/artifacts", true));
        assert!(!state("project/pid", true));
        assert!(!state("project", true));
    }
}
