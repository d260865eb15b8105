//! Reading the private data dir's input files: YAML or JSON mappings and plain text, with errors
//! that name the file (unlike the Python tool, a file that exists but cannot be understood is never
//! silently ignored).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde_json::Value;
use thiserror::Error;

use crate::request::SECONDS_RANGE;

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
    #[error("{path}: {reason}")]
    BadEnvvar { path: PathBuf, reason: String },
    #[error(
        "{0} is a symlink to a file another user owns: refused (an input of a private data dir may link only to \
         files of the link's own owner)"
    )]
    ForeignLink(PathBuf),
}

impl ConfigError {
    /// The errno and path of the `OSError` the Python tool's `os.makedirs` of the private data dir
    /// raises where this error stops the job; `None` for the errors it reports otherwise.
    pub fn os_error(&self) -> Option<(i32, &Path)> {
        match self {
            Self::NotADirectory(path) => Some((nix::libc::EEXIST, path)),
            Self::CreateDir { path, source } => source.raw_os_error().map(|errno| (errno, path.as_path())),
            _ => None,
        }
    }
}

/// Refuses an input file reached through a symlink whose owner does not own the file it leads to
/// (as Apache's `SymLinksIfOwnerMatch`): whoever prepares a private data dir must not make the
/// runner, often root, read a file they cannot, such as `/etc/shadow` behind `env/settings`, and
/// show it in a warning, an artifact or Ansible's error. A missing file is left to the caller.
pub fn check_link_owner(path: &Path) -> Result<(), ConfigError> {
    open_input(path).map(drop)
}

/// Opens an input of the private data dir; `None` when it is missing. A symlink is followed only
/// when its owner owns what it leads to, judged on the file opened, so that the link cannot be
/// swapped for another between the check and the read.
fn open_input(path: &Path) -> Result<Option<fs::File>, ConfigError> {
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
    let read_error = |source| ConfigError::Read { path: path.to_owned(), source };
    match fs::OpenOptions::new().read(true).custom_flags(nix::libc::O_NOFOLLOW).open(path) {
        Ok(file) => return Ok(Some(file)),
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(err) if err.raw_os_error() != Some(nix::libc::ELOOP) => return Err(read_error(err)),
        Err(_) => {}
    }
    let link = fs::symlink_metadata(path).map_err(read_error)?;
    let file = match fs::File::open(path) {
        Ok(file) => file,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(read_error(err)),
    };
    if file.metadata().map_err(read_error)?.uid() != link.uid() {
        return Err(ConfigError::ForeignLink(path.to_owned()));
    }
    Ok(Some(file))
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
                .map_err(|err| ConfigError::Syntax {
                    path: path.to_owned(),
                    reason: crate::util::shown::scrubbed(&err.to_string()),
                })?
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
pub fn read_optional_text(path: &Path, expected: &'static str) -> Result<Option<String>, ConfigError> {
    use std::io::Read;
    let Some(mut file) = open_input(path)? else { return Ok(None) };
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(|source| ConfigError::Read { path: path.to_owned(), source })?;
    String::from_utf8(bytes).map(Some).map_err(|_| ConfigError::NotText { path: path.to_owned(), expected })
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
    use crate::util::pyjson::python_str;

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
}
