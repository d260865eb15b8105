//! Hostile requests on the pipe the Python package drives (`ansible-runner api`), written as an
//! application passing a web form's or a URL's values through would write them: each is refused
//! in one line naming the Python exception the package raises, before anything runs, with nothing
//! written outside the private data dir and no message repeating kilobytes of the input.

use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{json, Map, Value};

use crate::common::{ours, Pdd};

/// What the runner answers to one request line (given as bytes, so it may be cut or not JSON),
/// and its exit code: every line up to the eof line.
fn answer_of(mut command: Command, request: &[u8]) -> (Vec<Map<String, Value>>, Option<i32>) {
    let mut child = command.arg("api").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(request).unwrap();
    let output = child.wait_with_output().unwrap();
    let lines = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<Map<String, Value>> = lines.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert_eq!(lines.last().map(|line| line.contains_key("eof")), Some(true), "{lines:?}");
    (lines[..lines.len() - 1].to_vec(), output.status.code())
}

/// The one refusal line a request gets, after checking it is the only line and the exit is 1.
fn refusal(command: Command, request: &[u8]) -> Map<String, Value> {
    let (lines, code) = answer_of(command, request);
    assert_eq!((lines.len(), code), (1, Some(1)), "{lines:?}");
    assert_eq!(lines[0]["status"], "error", "{lines:?}");
    lines[0].clone()
}

fn request_in(pdd: &Path, extra: &Value) -> Vec<u8> {
    let mut request = json!({"private_data_dir": pdd, "ident": "hostile", "protocol": 1, "module": "ping",
                             "host_pattern": "localhost"});
    request.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    format!("{request}\n").into_bytes()
}

/// The private data dir holds nothing but what the test put there: no artifacts of a refused job.
fn untouched(pdd: &Pdd) {
    assert!(!pdd.path().join("artifacts").exists(), "a refused request left artifacts");
}

#[test]
fn hostile_values_are_refused_in_one_line_naming_the_exception() {
    let pdd = Pdd::new();
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    for (extra, exception, words) in [
        (json!({"ident": "a/b"}), "ConfigurationError", "cannot be used as a directory name"),
        (json!({"ident": ".."}), "ConfigurationError", "cannot be used as a directory name"),
        (json!({"ident": "a\u{0}b"}), "ConfigurationError", "cannot be used as a directory name"),
        (json!({"ident": "x".repeat(4096)}), "ConfigurationError", "(4096 characters)"),
        (json!({"envvars": {"A=B": "x"}}), "ConfigurationError", "envvars: variable 1"),
        (json!({"envvars": {"A": "x\u{0}y"}}), "ConfigurationError", "envvars: variable 1"),
        (json!({"timeout": -5}), "ConfigurationError", "timeout must be"),
        (json!({"timeout": 1e300}), "ConfigurationError", "got 1e300"),
    ] {
        let refused = refusal(ours(), &request_in(pdd.path(), &extra));
        assert_eq!(refused["error"], exception, "{extra}: {refused:?}");
        let message = refused["message"].as_str().unwrap();
        assert!(message.contains(words) && message.len() < 400, "{extra}: {message}");
    }
    for (request, words) in [
        (br#"{"private_data_dir": "/tmp", "ident": "a\udcff"}"#.to_vec(), "lone leading surrogate"),
        (format!(r#"{{"private_data_dir": "/tmp", "extravars": {{"a": {deep}}}}}"#).into_bytes(), "recursion limit"),
        // Cut mid-line: the application died while writing it.
        (br#"{"private_data_dir": "/tmp", "ident": "cut"#.to_vec(), "EOF while parsing"),
    ] {
        let refused = refusal(ours(), &request);
        assert_eq!(refused["error"], "ValueError", "{refused:?}");
        assert!(refused["message"].as_str().unwrap().contains(words), "{refused:?}");
    }
    untouched(&pdd);
}

/// As `os.makedirs` raises them when the Python tool configures the run: the application gets the
/// `OSError` subclass for the errno, with the path, instead of a job that fails later.
#[test]
fn an_artifact_dir_that_is_a_file_or_cannot_be_written_is_an_os_error_with_errno_and_path() {
    let pdd = Pdd::new();
    pdd.file("a-file", "");
    let file_base = pdd.path().join("a-file");
    let refused = refusal(ours(), &request_in(pdd.path(), &json!({"artifact_dir": file_base})));
    assert_eq!((refused["error"].as_str(), refused["errno"].as_i64()), (Some("OSError"), Some(20)), "{refused:?}");
    assert_eq!(refused["filename"], json!(file_base.join("hostile")));

    let locked = pdd.path().join("locked");
    fs::create_dir(&locked).unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o500)).unwrap();
    let refused = refusal(without_privilege(), &request_in(pdd.path(), &json!({"artifact_dir": locked})));
    assert_eq!((refused["error"].as_str(), refused["errno"].as_i64()), (Some("OSError"), Some(13)), "{refused:?}");
    assert_eq!(refused["filename"], json!(locked.join("hostile")));
    assert_eq!(fs::read_dir(&locked).unwrap().count(), 0);
}

/// The runner as a user whose permissions are checked: root without the capabilities that
/// override file modes, through `setpriv` (util-linux).
fn without_privilege() -> Command {
    if !nix::unistd::geteuid().is_root() {
        return ours();
    }
    let plain = ours();
    let mut command = Command::new("setpriv");
    let drop = "-dac_override,-dac_read_search";
    command.args(["--bounding-set", drop, "--inh-caps", drop]).arg(plain.get_program());
    command.envs(plain.get_envs().filter_map(|(name, value)| value.map(|value| (name, value))));
    command
}
