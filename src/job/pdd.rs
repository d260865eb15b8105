//! The private data dir: its layout and the inputs kept in `env/`. Unlike the Python tool, a file
//! that exists but cannot be understood is an error naming the file, never silently ignored.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde_json::Value;
use thiserror::Error;

use crate::job::settings::Settings;
use crate::request::{GivenInputs, SECONDS_RANGE};
use crate::util::fs::{absolute, create_dir_private};
use crate::util::pyjson::python_str;

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("private data dir {0} exists and is not a directory")]
    NotADirectory(PathBuf),
    #[error("cannot create private data dir {path}: {source}")]
    CreateDir { path: PathBuf, source: io::Error },
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: io::Error },
    #[error("{path} is not valid YAML or JSON: {reason}")]
    Syntax { path: PathBuf, reason: String },
    #[error("{path} must contain a mapping of keys to values, found {found}")]
    NotAMapping { path: PathBuf, found: &'static str },
    #[error("{path}: setting `{key}` must be {expected}")]
    BadSetting { path: PathBuf, key: String, expected: &'static str },
    #[error("{path}: setting `{key}` must be {SECONDS_RANGE}, found {found}")]
    BadSeconds { path: PathBuf, key: String, found: String },
    #[error("{path} is not {expected}: it holds bytes that are not UTF-8 text")]
    NotText { path: PathBuf, expected: &'static str },
    #[error("{path}: {reason}")]
    BadCmdline { path: PathBuf, reason: String },
}
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
        let envvars = merged_texts(&given.envvars, &self.env_file("envvars"))?;
        let passwords = merged_texts(&given.passwords, &self.env_file("passwords"))?;
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

/// `given` pairs, then the mapping in `path` with its values as Python's `str()` gives them; a key
/// the file names again takes the file's value in the given key's place.
fn merged_texts(given: &[(String, String)], path: &Path) -> Result<Vec<(String, String)>, ConfigError> {
    let mut merged: IndexMap<String, String> = given.iter().cloned().collect();
    for (key, value) in read_mapping(path)?.unwrap_or_default() {
        merged.insert(key, python_str(&value));
    }
    Ok(merged.into_iter().collect())
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

/// Reads a JSON-or-YAML file that must hold a mapping. A missing file is `None`; an empty one is an
/// empty mapping.
pub fn read_mapping(path: &Path) -> Result<Option<serde_json::Map<String, Value>>, ConfigError> {
    let Some(text) = read_optional_text(path, "YAML or JSON text")? else { return Ok(None) };
    if text.trim().is_empty() {
        return Ok(Some(serde_json::Map::new()));
    }
    let value: Value = match serde_json::from_str(&text) {
        Ok(value) => value,
        Err(_) => {
            serde_yaml_ng::from_str::<YamlValue>(&text)
                .map_err(|err| ConfigError::Syntax { path: path.to_owned(), reason: err.to_string() })?
                .0
        }
    };
    match value {
        Value::Object(map) => Ok(Some(map)),
        Value::Null => Ok(Some(serde_json::Map::new())),
        other => Err(ConfigError::NotAMapping { path: path.to_owned(), found: json_kind(&other) }),
    }
}

/// A YAML document as JSON data, except that `.nan` and `.inf` become the text Python's `str()`
/// gives them (`nan`, `inf`, `-inf`) where JSON data has no room for them: `env/envvars` values
/// come out as in the Python tool, and a setting written as `.nan` is refused instead of read as unset.
struct YamlValue(Value);

impl<'de> serde::Deserialize<'de> for YamlValue {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(YamlVisitor).map(YamlValue)
    }
}

struct YamlVisitor;

impl<'de> serde::de::Visitor<'de> for YamlVisitor {
    type Value = Value;

    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("YAML data")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_i128<E: serde::de::Error>(self, v: i128) -> Result<Value, E> {
        v.to_string().parse().map(Value::Number).map_err(E::custom)
    }
    fn visit_u128<E: serde::de::Error>(self, v: u128) -> Result<Value, E> {
        v.to_string().parse().map(Value::Number).map_err(E::custom)
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        let python = if v.is_nan() {
            "nan"
        } else if v > 0.0 {
            "inf"
        } else {
            "-inf"
        };
        Ok(serde_json::Number::from_f64(v).map_or_else(|| Value::String(python.to_owned()), Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(YamlValue(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some((key, YamlValue(value))) = map.next_entry::<String, YamlValue>()? {
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

/// Reads a text file; `expected` says what it should hold when it turns out not to be text.
fn read_optional_text(path: &Path, expected: &'static str) -> Result<Option<String>, ConfigError> {
    match fs::read(path) {
        Ok(bytes) => {
            String::from_utf8(bytes).map(Some).map_err(|_| ConfigError::NotText { path: path.to_owned(), expected })
        }
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(ConfigError::Read { path: path.to_owned(), source }),
    }
}

/// Splits a command line the way a POSIX shell would, with a one-line reason on failure.
pub fn split_cmdline(text: &str) -> Result<Vec<String>, String> {
    shell_words::split(text).map_err(|_| "unbalanced quotes in the command line".to_owned())
}

pub fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_mapping_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings");
        fs::write(&path, "job_timeout: [1\n").unwrap();
        let err = read_mapping(&path).unwrap_err().to_string();
        assert!(err.contains(&path.display().to_string()), "{err}");
        fs::write(&path, "- a\n- b\n").unwrap();
        let err = read_mapping(&path).unwrap_err().to_string();
        assert!(err.contains("found a list"), "{err}");
    }

    #[test]
    fn yaml_nan_and_infinity_read_as_python_prints_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("envvars");
        fs::write(&path, "A: .nan\nB: -.inf\nC: 18446744073709551617\n").unwrap();
        let map = read_mapping(&path).unwrap().unwrap();
        let shown: Vec<String> = map.values().map(python_str).collect();
        assert_eq!(shown, ["nan", "-inf", "18446744073709551617"]);
    }

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
