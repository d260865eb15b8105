//! The private data dir: its layout and the inputs kept in `env/`. Unlike the Python tool, a file
//! that exists but cannot be understood is an error naming the file, never silently ignored.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde_json::Value;
use thiserror::Error;

use crate::request::GivenInputs;

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

/// The longest timeout or wait accepted, in seconds (about 31 years): beyond any real job, and far
/// below what deadline arithmetic can hold, so no number a user writes can overflow a clock.
pub const MAX_SECONDS: f64 = 1e9;
/// The accepted range, as error messages state it.
pub const SECONDS_RANGE: &str = "a number of seconds from 0 to 1000000000";

/// `value` when it is a usable number of seconds; `None` for NaN, negatives, infinities and
/// anything above `MAX_SECONDS`.
pub fn seconds_in_range(value: f64) -> Option<f64> {
    (0.0..=MAX_SECONDS).contains(&value).then_some(value)
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

/// `env/settings`, the keys this runner acts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub idle_timeout: Option<f64>,
    pub job_timeout: Option<f64>,
    pub suppress_output_file: bool,
    pub suppress_ansible_output: Option<bool>,
    pub fact_cache: String,
    /// The isolation keys replace the matching flags when present (lists are not merged).
    pub process_isolation: Option<bool>,
    pub process_isolation_executable: Option<String>,
    pub container_image: Option<String>,
    pub container_options: Option<Vec<String>>,
    pub container_volume_mounts: Option<Vec<String>>,
    pub process_isolation_path: Option<String>,
    pub process_isolation_hide_paths: Option<Vec<String>>,
    pub process_isolation_show_paths: Option<Vec<String>>,
    pub process_isolation_ro_paths: Option<Vec<String>>,
    pub directory_isolation_base_path: Option<String>,
    pub container_auth_data: Option<RegistryAuth>,
    /// Keys no ansible-runner reads (a typo that would silently change nothing), in file order.
    pub unknown: Vec<String>,
}

/// Every key `env/settings` may hold: those read here and those only the Python tool's pexpect or
/// subprocess modes read.
const KNOWN_SETTINGS: [&str; 21] = [
    "idle_timeout",
    "job_timeout",
    "pexpect_timeout",
    "pexpect_use_poll",
    "subprocess_timeout",
    "suppress_output_file",
    "suppress_ansible_output",
    "fact_cache",
    "fact_cache_type",
    "process_isolation",
    "process_isolation_executable",
    "process_isolation_path",
    "process_isolation_hide_paths",
    "process_isolation_show_paths",
    "process_isolation_ro_paths",
    "container_image",
    "container_options",
    "container_volume_mounts",
    "container_auth_data",
    "directory_isolation_base_path",
    "directory_isolation_cleanup",
];

impl Settings {
    /// One warning per unknown key, naming the known key it most likely meant.
    pub fn typo_warnings(&self, path: &Path) -> Vec<String> {
        self.unknown
            .iter()
            .map(|key| {
                let closest = KNOWN_SETTINGS
                    .iter()
                    .map(|known| (strsim::jaro_winkler(key, known), known))
                    .max_by(|a, b| a.0.total_cmp(&b.0))
                    .filter(|(score, _)| *score > 0.85);
                let hint = closest.map(|(_, known)| format!("; did you mean `{known}`?")).unwrap_or_default();
                format!("{}: unknown setting `{key}` has no effect{hint}", path.display())
            })
            .collect()
    }
}

/// `container_auth_data`: credentials for the registry the container image comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct RegistryAuth {
    pub host: String,
    pub username: String,
    pub password: String,
    /// `false` marks the registry insecure (plain HTTP or an unverified certificate).
    pub verify_ssl: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            idle_timeout: None,
            job_timeout: None,
            suppress_output_file: false,
            suppress_ansible_output: None,
            fact_cache: "fact_cache".to_owned(),
            process_isolation: None,
            process_isolation_executable: None,
            container_image: None,
            container_options: None,
            container_volume_mounts: None,
            process_isolation_path: None,
            process_isolation_hide_paths: None,
            process_isolation_show_paths: None,
            process_isolation_ro_paths: None,
            directory_isolation_base_path: None,
            container_auth_data: None,
            unknown: Vec::new(),
        }
    }
}

impl Settings {
    fn from_mapping(path: &Path, map: &serde_json::Map<String, Value>) -> Result<Self, ConfigError> {
        let bad =
            |key: &str, expected| ConfigError::BadSetting { path: path.to_owned(), key: key.to_owned(), expected };
        let seconds = |key: &str| -> Result<Option<f64>, ConfigError> {
            let (text, found) = match map.get(key) {
                None | Some(Value::Null) => return Ok(None),
                Some(Value::Number(n)) => (n.to_string(), n.to_string()),
                Some(Value::String(s)) => (s.trim().to_owned(), format!("{s:?}")),
                Some(other) => (String::new(), json_kind(other).to_owned()),
            };
            let out_of_range = || ConfigError::BadSeconds { path: path.to_owned(), key: key.to_owned(), found };
            text.parse::<f64>().ok().and_then(seconds_in_range).map(Some).ok_or_else(out_of_range)
        };
        let flag = |key: &str| -> Result<Option<bool>, ConfigError> {
            match map.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::Bool(b)) => Ok(Some(*b)),
                Some(_) => Err(bad(key, "true or false")),
            }
        };
        let text = |key: &str| -> Result<Option<String>, ConfigError> {
            match map.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(bad(key, "a string")),
            }
        };
        let list = |key: &str| -> Result<Option<Vec<String>>, ConfigError> {
            match map.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|item| item.as_str().map(str::to_owned).ok_or_else(|| bad(key, "a list of strings")))
                    .collect::<Result<Vec<_>, _>>()
                    .map(Some),
                Some(_) => Err(bad(key, "a list of strings")),
            }
        };
        let fact_cache = match map.get("fact_cache") {
            None | Some(Value::Null) => Self::default().fact_cache,
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            Some(_) => return Err(bad("fact_cache", "a directory name")),
        };
        // Checked but not kept: it paced the Python tool's polling; timers here are event-driven.
        seconds("pexpect_timeout")?;
        let settings = Self {
            // Zero means "no timeout" in the Python tool.
            idle_timeout: seconds("idle_timeout")?.filter(|v| *v > 0.0),
            job_timeout: seconds("job_timeout")?.filter(|v| *v > 0.0),
            suppress_output_file: flag("suppress_output_file")?.unwrap_or(false),
            suppress_ansible_output: flag("suppress_ansible_output")?,
            fact_cache,
            process_isolation: flag("process_isolation")?,
            process_isolation_executable: text("process_isolation_executable")?,
            container_image: text("container_image")?,
            container_options: list("container_options")?,
            container_volume_mounts: list("container_volume_mounts")?,
            process_isolation_path: text("process_isolation_path")?,
            process_isolation_hide_paths: list("process_isolation_hide_paths")?,
            process_isolation_show_paths: list("process_isolation_show_paths")?,
            process_isolation_ro_paths: list("process_isolation_ro_paths")?,
            directory_isolation_base_path: text("directory_isolation_base_path")?,
            container_auth_data: registry_auth(map.get("container_auth_data"))
                .map_err(|expected| bad("container_auth_data", expected))?,
            unknown: map.keys().filter(|key| !KNOWN_SETTINGS.contains(&key.as_str())).cloned().collect(),
        };
        Ok(settings)
    }
}

/// `container_auth_data` as a mapping of `host`, `username`, `password` (text) and an optional
/// `verify_ssl` (default true); the error says what was expected.
fn registry_auth(value: Option<&Value>) -> Result<Option<RegistryAuth>, &'static str> {
    const EXPECTED: &str = "a mapping of host, username, password and an optional verify_ssl";
    let map = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(map)) => map,
        Some(_) => return Err(EXPECTED),
    };
    let field = |key: &str| map.get(key).and_then(Value::as_str).map(str::to_owned).ok_or(EXPECTED);
    let verify_ssl = match map.get("verify_ssl") {
        None | Some(Value::Null) => true,
        Some(Value::Bool(verify)) => *verify,
        Some(_) => return Err(EXPECTED),
    };
    Ok(Some(RegistryAuth {
        host: field("host")?,
        username: field("username")?,
        password: field("password")?,
        verify_ssl,
    }))
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

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// Converts a value to text as Python's `str()` does, because the Python tool stringifies
/// `env/envvars` values that way and jobs depend on it (`True`, `None`, `2.5`).
pub fn python_str(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => python_repr(other),
    }
}

fn python_repr(value: &Value) -> String {
    match value {
        Value::Null => "None".to_owned(),
        Value::Bool(true) => "True".to_owned(),
        Value::Bool(false) => "False".to_owned(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => {
            let quote = if s.contains('\'') && !s.contains('"') { '"' } else { '\'' };
            let mut out = String::with_capacity(s.len() + 2);
            out.push(quote);
            for ch in s.chars() {
                match ch {
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\t' => out.push_str("\\t"),
                    '\r' => out.push_str("\\r"),
                    c if c == quote => {
                        out.push('\\');
                        out.push(c);
                    }
                    c => out.push(c),
                }
            }
            out.push(quote);
            out
        }
        Value::Array(items) => format!("[{}]", items.iter().map(python_repr).collect::<Vec<_>>().join(", ")),
        Value::Object(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(k, v)| format!("{}: {}", python_repr(&Value::String(k.clone())), python_repr(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Makes a path absolute against the current directory without resolving symlinks.
pub fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_owned()
    } else {
        std::env::current_dir().map_or_else(|_| path.to_owned(), |cwd| cwd.join(path))
    };
    normalize(&joined)
}

/// Removes `.` and resolves `..` lexically, as Python's `os.path.abspath` does.
fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Creates a directory (and parents) with mode 0700 for the last component.
pub fn create_dir_private(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    match fs::DirBuilder::new().mode(0o700).create(path) {
        Err(err) if err.kind() == io::ErrorKind::AlreadyExists && path.is_dir() => Ok(()),
        other => other,
    }
}

/// Environment names whose values are kept out of artifacts and streams.
pub fn is_secret_name(name: &str) -> bool {
    // `PASS` covers `PASSWORD`, `PASSWD` and a bare `DB_PASS`; `PRIVATE` covers `PRIVATE_KEY`.
    const MARKERS: [&str; 9] =
        ["PASS", "SECRET", "TOKEN", "PRIVATE", "API_KEY", "APIKEY", "ACCESS_KEY", "CREDENTIAL", "AUTH"];
    let upper = name.to_ascii_uppercase();
    MARKERS.iter().any(|marker| upper.contains(marker)) && upper != "SSH_AUTH_SOCK"
}

/// The marker that replaces a secret value in artifacts and streams.
pub const REDACTED: &str = "**********";

/// A copy of `env` safe to write to disk or a stream: secret-looking values replaced by a marker.
pub fn redact_env(env: &IndexMap<String, String>) -> IndexMap<String, String> {
    env.iter()
        .map(|(key, value)| {
            let shown = if is_secret_name(key) && !value.is_empty() { REDACTED.to_owned() } else { value.clone() };
            (key.clone(), shown)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn python_str_matches_python() {
        assert_eq!(python_str(&json!(1)), "1");
        assert_eq!(python_str(&json!(2.5)), "2.5");
        assert_eq!(python_str(&json!(null)), "None");
        assert_eq!(python_str(&json!(false)), "False");
        assert_eq!(python_str(&json!({"x": 1})), "{'x': 1}");
        assert_eq!(python_str(&json!(["a", "it's"])), "['a', \"it's\"]");
    }

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
    fn settings_are_typed() {
        let map = json!({"job_timeout": 3, "idle_timeout": "2.5", "suppress_output_file": true});
        let settings = Settings::from_mapping(Path::new("s"), map.as_object().unwrap()).unwrap();
        assert_eq!(settings.job_timeout, Some(3.0));
        assert_eq!(settings.idle_timeout, Some(2.5));
        assert!(settings.suppress_output_file);
        let bad = json!({"job_timeout": "soon"});
        assert!(Settings::from_mapping(Path::new("s"), bad.as_object().unwrap()).is_err());
    }

    #[test]
    fn isolation_settings_are_typed() {
        let map = json!({
            "process_isolation": true,
            "container_options": ["--network=none"],
            "container_auth_data": {"host": "r:5000", "username": "u", "password": "p"},
        });
        let settings = Settings::from_mapping(Path::new("s"), map.as_object().unwrap()).unwrap();
        assert_eq!(settings.process_isolation, Some(true));
        assert_eq!(settings.container_options, Some(vec!["--network=none".to_owned()]));
        assert!(settings.container_auth_data.is_some_and(|auth| auth.verify_ssl && auth.host == "r:5000"));
        for (key, value) in [
            ("container_options", json!("--network=none")),
            ("container_volume_mounts", json!([1])),
            ("container_image", json!(["a"])),
            ("container_auth_data", json!({"host": "r"})),
            ("container_auth_data", json!({"host": "r", "username": "u", "password": "p", "verify_ssl": "no"})),
        ] {
            let map = json!({ key: value });
            let err = Settings::from_mapping(Path::new("s"), map.as_object().unwrap()).unwrap_err().to_string();
            assert!(err.starts_with(&format!("s: setting `{key}` must be")), "{err}");
        }
    }

    #[test]
    fn seconds_outside_the_range_name_the_setting_and_the_range() {
        for value in [json!(1e99), json!(-1), json!("1e99"), json!("nan"), json!("inf"), json!([1])] {
            let map = json!({"idle_timeout": value});
            let err = Settings::from_mapping(Path::new("s"), map.as_object().unwrap()).unwrap_err().to_string();
            assert!(err.starts_with("s: setting `idle_timeout` must be a number of seconds from 0 to"), "{err}");
        }
        let map = json!({"job_timeout": 1e9, "idle_timeout": 0});
        let settings = Settings::from_mapping(Path::new("s"), map.as_object().unwrap()).unwrap();
        assert_eq!((settings.job_timeout, settings.idle_timeout), (Some(1e9), None));
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
    fn secret_names_are_redacted() {
        let env: IndexMap<String, String> =
            [("AWS_SECRET_ACCESS_KEY", "x"), ("HOME", "/root"), ("MY_PASSWORD", "p"), ("GITHUB_TOKEN", "t")]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
        let shown = redact_env(&env);
        assert_eq!(shown["HOME"], "/root");
        assert_eq!(shown["MY_PASSWORD"], REDACTED);
        assert_eq!(shown["GITHUB_TOKEN"], REDACTED);
        assert_eq!(shown["AWS_SECRET_ACCESS_KEY"], REDACTED);
        for name in ["DB_PASS", "LDAP_PASSWD", "GCP_CREDENTIALS", "MY_PRIVATE_PEM"] {
            assert!(is_secret_name(name), "{name}");
        }
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
