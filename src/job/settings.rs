//! `env/settings`: the keys this runner acts on, typed, and the ones it knows but leaves alone.

use std::path::Path;

use serde_json::Value;

use crate::job::files::{json_kind, ConfigError};
use crate::request::seconds_in_range;

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
                // A key that is not a name may be a line of some other file, read through a link: not
                // shown, and no closest setting offered.
                let plain = crate::util::shown::is_plain(key);
                let closest = KNOWN_SETTINGS
                    .iter()
                    .filter(|_| plain)
                    .map(|known| (strsim::jaro_winkler(key, known), known))
                    .max_by(|a, b| a.0.total_cmp(&b.0))
                    .filter(|(score, _)| *score > 0.85);
                let hint = closest.map(|(_, known)| format!("; did you mean `{known}`?")).unwrap_or_default();
                format!("{}: unknown setting {} has no effect{hint}", path.display(), crate::util::shown::quoted(key))
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
    pub fn from_mapping(path: &Path, map: &serde_json::Map<String, Value>) -> Result<Self, ConfigError> {
        let read = Reader { path, map };
        let fact_cache = match map.get("fact_cache") {
            None | Some(Value::Null) => Self::default().fact_cache,
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            Some(_) => return Err(read.bad("fact_cache", "a directory name")),
        };
        // Checked but not kept: it paced the Python tool's polling; timers here are event-driven.
        read.seconds("pexpect_timeout")?;
        let settings = Self {
            // Zero means "no timeout" in the Python tool.
            idle_timeout: read.seconds("idle_timeout")?.filter(|v| *v > 0.0),
            job_timeout: read.seconds("job_timeout")?.filter(|v| *v > 0.0),
            suppress_output_file: read.flag("suppress_output_file")?.unwrap_or(false),
            suppress_ansible_output: read.flag("suppress_ansible_output")?,
            fact_cache,
            process_isolation: read.flag("process_isolation")?,
            process_isolation_executable: read.text("process_isolation_executable")?,
            container_image: read.text("container_image")?,
            container_options: read.list("container_options")?,
            container_volume_mounts: read.list("container_volume_mounts")?,
            process_isolation_path: read.text("process_isolation_path")?,
            process_isolation_hide_paths: read.list("process_isolation_hide_paths")?,
            process_isolation_show_paths: read.list("process_isolation_show_paths")?,
            process_isolation_ro_paths: read.list("process_isolation_ro_paths")?,
            directory_isolation_base_path: read.text("directory_isolation_base_path")?,
            container_auth_data: registry_auth(map.get("container_auth_data"))
                .map_err(|expected| read.bad("container_auth_data", expected))?,
            unknown: map.keys().filter(|key| !KNOWN_SETTINGS.contains(&key.as_str())).cloned().collect(),
        };
        Ok(settings)
    }
}

/// Typed reads of `env/settings` keys; a wrong type is an error naming the file, key and type.
struct Reader<'a> {
    path: &'a Path,
    map: &'a serde_json::Map<String, Value>,
}

impl Reader<'_> {
    fn bad(&self, key: &str, expected: &'static str) -> ConfigError {
        ConfigError::BadSetting { path: self.path.to_owned(), key: key.to_owned(), expected }
    }

    fn seconds(&self, key: &str) -> Result<Option<f64>, ConfigError> {
        let (text, found) = match self.map.get(key) {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::Number(n)) => (n.to_string(), n.to_string()),
            Some(Value::String(s)) => (s.trim().to_owned(), crate::util::shown::quoted(s)),
            Some(other) => (String::new(), json_kind(other).to_owned()),
        };
        let out_of_range = || ConfigError::BadSeconds { path: self.path.to_owned(), key: key.to_owned(), found };
        text.parse::<f64>().ok().and_then(seconds_in_range).map(Some).ok_or_else(out_of_range)
    }

    fn flag(&self, key: &str) -> Result<Option<bool>, ConfigError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(self.bad(key, "true or false")),
        }
    }

    fn text(&self, key: &str) -> Result<Option<String>, ConfigError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(self.bad(key, "a string")),
        }
    }

    fn list(&self, key: &str) -> Result<Option<Vec<String>>, ConfigError> {
        let expected = "a list of strings";
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| item.as_str().map(str::to_owned).ok_or_else(|| self.bad(key, expected)))
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(_) => Err(self.bad(key, expected)),
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
}
