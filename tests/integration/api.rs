//! `ansible-runner api`, the pipe the Python package drives (python/PROTOCOL.md), spoken directly:
//! what comes back, what is written, and how the job ends when the application goes away.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};

use crate::common::{needs, ours, processes_with, wait_until, Pdd};

const SLEEP_PLAY: &str = "- hosts: localhost\n  gather_facts: false\n  tasks:\n    - command: sleep 42.0331\n";

struct Api {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: std::io::Lines<BufReader<ChildStdout>>,
}

impl Api {
    fn start(request: &Value) -> Self {
        let mut child =
            ours().arg("api").stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "{request}").unwrap();
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
        Self { child, stdin: Some(stdin), lines }
    }

    fn send(&mut self, line: &str) {
        writeln!(self.stdin.as_mut().unwrap(), "{line}").unwrap();
    }

    fn next(&mut self) -> Map<String, Value> {
        serde_json::from_str(&self.lines.next().expect("a line before the pipe closed").unwrap()).unwrap()
    }

    /// Reads up to the eof line; returns every line before it.
    fn rest(&mut self) -> Vec<Map<String, Value>> {
        let mut seen = Vec::new();
        loop {
            let line = self.next();
            if line.contains_key("eof") {
                return seen;
            }
            seen.push(line);
        }
    }
}

fn request(pdd: &Pdd, ident: &str, extra: &Value) -> Value {
    let mut request = json!({
        "private_data_dir": pdd.path(),
        "ident": ident,
        "artifact_dir": pdd.path().join("artifacts"),
        "protocol": 1,
    });
    request.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    request
}

/// A package that speaks another version of the pipe, or none, is refused at once, both versions
/// named; one that speaks this one finds it in `starting`.
#[test]
fn the_pipe_s_version_is_checked_both_ways() {
    let pdd = Pdd::new();
    for (theirs, named) in [(json!(2), "version 2"), (Value::Null, "no version")] {
        let mut api = Api::start(&request(&pdd, "v", &json!({"protocol": theirs, "command": ["true"]})));
        let refused = api.next();
        assert_eq!((refused["status"].as_str(), refused["error"].as_str()), (Some("error"), Some("RuntimeError")));
        let message = refused["message"].as_str().unwrap();
        assert!(message.contains(named) && message.contains("version 1"), "{message}");
        assert_eq!(api.next()["eof"], true);
    }
    let mut api = Api::start(&request(&pdd, "v", &json!({"command": ["true"]})));
    assert_eq!(api.next()["protocol"], 1);
}

/// A private data dir that cannot be made is the `OSError` the Python tool's `os.makedirs` raises,
/// its errno and path as fields.
#[test]
fn a_private_data_dir_that_cannot_be_made_is_an_os_error_with_errno_and_path() {
    let pdd = Pdd::new();
    let file = pdd.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let mut api = Api::start(&json!({"private_data_dir": file, "protocol": 1, "command": ["true"]}));
    let refused = api.next();
    assert_eq!(refused["error"], "OSError", "{refused:?}");
    assert_eq!((refused["errno"].as_i64(), refused["filename"].as_str()), (Some(17), file.to_str()));
}

#[test]
fn a_job_runs_only_after_the_go_ahead_and_reports_every_event_and_its_rc() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file("project/p.yml", "- hosts: localhost\n  gather_facts: false\n  tasks:\n    - debug: msg={{ x }}\n");
    let mut api = Api::start(&request(
        &pdd,
        "go",
        &json!({"playbook": "p.yml", "extravars": {"x": "from memory"}, "envvars": {"DB_PASSWORD": "s3cret"}}),
    ));
    let starting = api.next();
    assert_eq!(starting["status"], "starting");
    // The pipe is the application's own: the environment is real, the artifact masked.
    assert_eq!(starting["env"]["DB_PASSWORD"], "s3cret");
    assert_eq!(starting["artifact_dir"], json!(pdd.path().join("artifacts/go")));
    let artifacts = pdd.artifacts("go");
    assert!(!artifacts.read("command").contains("s3cret"));
    assert!(!artifacts.dir.join("status").exists(), "the job must wait for the go-ahead");
    api.send(r#"{"run": true}"#);
    let lines = api.rest();
    assert_eq!(lines[0]["status"], "running");
    let events: Vec<_> = lines.iter().filter(|l| l.contains_key("event")).collect();
    assert!(events.iter().any(|e| e["stdout"].as_str().unwrap().contains("from memory")));
    let last = lines.last().unwrap();
    assert_eq!((last["status"].as_str(), last["rc"].as_i64()), (Some("successful"), Some(0)));
    assert_eq!(artifacts.read("status"), "successful");
    assert_eq!(std::fs::read_dir(artifacts.dir.join("job_events")).unwrap().count(), 0, "files are the package's");
    assert!(!pdd.path().join("env/extravars").exists() && !pdd.path().join("env/envvars").exists());
    assert!(api.child.wait().unwrap().success());
}

/// Whether Ansible was asked to stop (SIGINT) rather than killed: it says so on its way out,
/// given the time.
fn interrupted(lines: &[Map<String, Value>]) -> bool {
    lines.iter().any(|line| line.get("stdout").and_then(Value::as_str).is_some_and(|s| s.contains("User interrupted")))
}

/// How long a cancel may take to reach the job's task on a busy machine: well within the 2 s the
/// runner gives a cancelled job before it insists (SIGTERM), which would end the task too. (The
/// reference looks for a cancel every 5 s.)
const AT_ONCE: Duration = Duration::from_millis(1500);

#[test]
fn the_application_gone_cancels_the_job_at_once() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file("project/sleep.yml", SLEEP_PLAY);
    let mut api = Api::start(&request(&pdd, "gone", &json!({"playbook": "sleep.yml"})));
    assert_eq!(api.next()["status"], "starting");
    api.send(r#"{"run": true}"#);
    wait_until("the sleeping task", || !processes_with("42.0331").is_empty());
    let closed = Instant::now();
    drop(api.stdin.take());
    wait_until("no process of the job", || processes_with("42.0331").is_empty());
    let took = closed.elapsed();
    let lines = api.rest();
    assert!(took < AT_ONCE, "the task was ended {took:?} after the application went");
    assert!(!interrupted(&lines), "the job was interrupted, not ended at once: {lines:?}");
    assert_eq!(lines.last().unwrap()["status"], "canceled");
    assert_eq!(lines.last().unwrap()["rc"], 254);
    assert_eq!(pdd.artifacts("gone").read("status"), "canceled");
    api.child.wait().unwrap();
}

/// The interrupt reaches every process of the job, the task's `sleep` too, which it ends.
#[test]
fn a_cancel_line_interrupts_the_job_at_once() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file("project/sleep.yml", &SLEEP_PLAY.replace("42.0331", "42.0332"));
    let mut api = Api::start(&request(&pdd, "cancel", &json!({"playbook": "sleep.yml"})));
    api.next();
    api.send(r#"{"run": true}"#);
    wait_until("the sleeping task", || !processes_with("42.0332").is_empty());
    let sent = Instant::now();
    api.send(r#"{"cancel": true}"#);
    wait_until("the task to end", || processes_with("42.0332").is_empty());
    let took = sent.elapsed();
    let lines = api.rest();
    assert!(took < AT_ONCE, "the task was interrupted {took:?} after the cancel");
    assert_eq!(lines.last().unwrap()["status"], "canceled");
    api.child.wait().unwrap();
}

#[test]
fn a_job_never_started_is_canceled_without_running_ansible() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file("project/sleep.yml", &SLEEP_PLAY.replace("42.0331", "42.0333"));
    let mut api = Api::start(&request(&pdd, "never", &json!({"playbook": "sleep.yml"})));
    api.next();
    drop(api.stdin.take());
    let lines = api.rest();
    assert_eq!(lines.last().unwrap()["status"], "canceled");
    assert!(processes_with("42.0333").is_empty());
    assert_eq!(pdd.artifacts("never").read("rc"), "254");
    api.child.wait().unwrap();
}

#[test]
fn refused_requests_name_the_exception_and_leave_nothing_behind() {
    let pdd = Pdd::new();
    for (extra, exception, words) in [
        (json!({"playbook": "p.yml", "module": "ping"}), "ConfigurationError", "Only one of playbook and module"),
        (json!({"playbook": "p.yml", "timeout": -5}), "ConfigurationError", "timeout must be"),
        (json!({"playbook": "p.yml", "playbok": "x"}), "ValueError", "unknown field `playbok`"),
        (json!({"playbook": "p.yml", "verbosity": 300}), "ConfigurationError", "verbosity must be"),
    ] {
        let mut api = Api::start(&request(&pdd, "refused", &extra));
        let lines = api.rest();
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert_eq!(lines[0]["status"], "error");
        assert_eq!(lines[0]["error"], exception);
        assert!(lines[0]["message"].as_str().unwrap().contains(words), "{lines:?}");
        assert_eq!(api.child.wait().unwrap().code(), Some(1));
    }
    assert!(!pdd.path().join("artifacts/refused").exists());
}

#[test]
fn what_a_command_leaves_running_in_the_background_ends_with_the_job() {
    let pdd = Pdd::new();
    let mut api = Api::start(&request(
        &pdd,
        "background",
        &json!({"command": ["sh", "-c", "sleep 42.0334 >/dev/null 2>&1 & echo started"], "runner_mode": "subprocess"}),
    ));
    api.next();
    api.send(r#"{"run": true}"#);
    let lines = api.rest();
    assert_eq!(lines.last().unwrap()["status"], "successful");
    // Swept before the final status: re-parented to the runner, the sleep kept it from being childless.
    assert!(processes_with("42.0334").is_empty());
    api.child.wait().unwrap();
}

#[test]
fn an_args_file_or_a_binary_is_the_whole_command_and_nothing_at_all_is_refused() {
    let pdd = Pdd::new();
    pdd.file("args", "sh -c 'echo hi world; echo goodbye world'\n");
    let mut api = Api::start(&request(&pdd, "args", &json!({})));
    assert_eq!(api.next()["command"], json!(["sh", "-c", "echo hi world; echo goodbye world"]));
    api.send(r#"{"run": true}"#);
    let lines = api.rest();
    let texts: Vec<_> = lines.iter().filter(|l| l.contains_key("event")).map(|e| e["stdout"].clone()).collect();
    assert_eq!(texts, [json!("hi world"), json!("goodbye world")]);
    assert_eq!(lines.last().unwrap()["status"], "successful");
    api.child.wait().unwrap();

    let empty = Pdd::new();
    let mut api = Api::start(&request(&empty, "none", &json!({})));
    let lines = api.rest();
    assert_eq!(lines[0]["error"], "ConfigurationError");
    assert_eq!(lines[0]["message"], "Runner playbook required when running ansible-playbook");
    api.child.wait().unwrap();

    let mut api = Api::start(&request(&empty, "binary", &json!({"binary": "echo", "cmdline": "from binary"})));
    // As in the Python tool, a binary still gets the inventory (and the other Ansible options).
    let command = api.next()["command"].clone();
    assert_eq!(command.as_array().unwrap()[..3], [json!("echo"), json!("from"), json!("binary")], "{command}");
    api.send(r#"{"run": true}"#);
    assert_eq!(api.rest().last().unwrap()["status"], "successful");
    api.child.wait().unwrap();
}

#[test]
fn a_request_that_is_not_json_is_refused_in_one_line() {
    let mut child = ours().arg("api").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(b"\xff not json\n").unwrap();
    let output = child.wait_with_output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].contains("\"ValueError\"") && lines[0].contains("malformed request"), "{text}");
    assert_eq!(output.status.code(), Some(1));
}

/// The runner's context switches so far (`/proc/<pid>/status`), a count of its wake-ups.
fn wakeups(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field =
        |name: &str| -> u64 { status.lines().find_map(|l| l.strip_prefix(name)).unwrap().trim().parse().unwrap() };
    field("voluntary_ctxt_switches:") + field("nonvoluntary_ctxt_switches:")
}

#[test]
fn a_command_whose_output_is_the_callers_does_not_keep_the_runner_busy() {
    use std::os::fd::AsRawFd;
    let pdd = Pdd::new();
    let sink = tempfile::tempfile().unwrap();
    // Inherited by the runner, as the package hands over its application's descriptors.
    nix::fcntl::fcntl(&sink, nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::empty())).unwrap();
    let fd = sink.as_raw_fd();
    let mut api = Api::start(&request(
        &pdd,
        "passthrough",
        &json!({"command": ["sleep", "1.5"], "runner_mode": "subprocess", "output_fd": fd, "error_fd": fd}),
    ));
    assert_eq!(api.next()["status"], "starting");
    api.send(r#"{"run": true}"#);
    assert_eq!(api.next()["status"], "running");
    let before = wakeups(api.child.id());
    let lines = api.rest();
    let woke = wakeups(api.child.id()) - before;
    assert_eq!(lines.last().unwrap()["status"], "successful");
    // Looking for the exit every 2 ms would be about 750 wake-ups in 1.5 s.
    assert!(woke < 200, "the runner woke {woke} times while the command slept");
    api.child.wait().unwrap();
}
