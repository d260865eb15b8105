//! Hostile and unlucky input on the command line and in the private data dir: numbers out of any
//! sensible range, inputs too large to start a program with, a full disk, unreadable keys, links to
//! another user's files, and usage errors in the reference's words.

use std::fs;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

use crate::common::{needs, ours, reference, text, Pdd};

const PLAYBOOK: &str = "- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: msg=hi\n";

/// Asserts a one-line error on stderr (after the usage, for a usage error) naming `what`, and no panic.
fn assert_one_line_error(out: &Output, code: i32, what: &str) -> String {
    let (_, stderr) = text(out);
    assert_eq!(out.status.code(), Some(code), "{stderr}");
    assert!(!stderr.contains("panicked") && !stderr.contains("backtrace"), "{stderr}");
    let line = stderr.lines().last().unwrap_or_default().to_owned();
    assert!(line.contains(what), "{what:?} missing from {stderr:?}");
    // A usage error starts with the usage, whose continuation lines are indented.
    let lines: Vec<&str> = stderr.trim_end().lines().collect();
    let usage = &lines[..lines.len() - 1];
    assert!(
        usage.iter().enumerate().all(|(i, l)| (i == 0) == l.starts_with("usage: ") && !l.contains("error")),
        "{stderr}"
    );
    line
}

#[test]
fn out_of_range_settings_are_one_line_errors_naming_the_file() {
    let values = ["1e99", "1e300", "18446744073709551617", "'1e99'", "-1", ".nan", ".inf", "'nan'", "'inf'", "1e400"];
    for key in ["job_timeout", "idle_timeout", "pexpect_timeout"] {
        for value in values {
            let pdd = Pdd::new();
            pdd.file("project/site.yml", PLAYBOOK).file("env/settings", &format!("{key}: {value}\n"));
            let out = ours().arg("run").arg(pdd.path()).args(["-p", "site.yml"]).output().unwrap();
            let line = assert_one_line_error(&out, 1, "env/settings");
            assert!(line.contains(key) && line.contains("from 0 to 1000000000"), "{value}: {line}");
            crate::common::assert_nothing_ran(pdd.path(), key);
        }
    }
    let pdd = Pdd::new();
    pdd.file("project/site.yml", PLAYBOOK).file("env/settings", "{\"job_timeout\": 1e99}");
    let out = ours().arg("run").arg(pdd.path()).args(["-p", "site.yml"]).output().unwrap();
    assert_one_line_error(&out, 1, "env/settings");
}

#[test]
fn the_largest_accepted_timeout_runs() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file("project/site.yml", PLAYBOOK).file("env/settings", "job_timeout: 1000000000\nidle_timeout: '1e9'\n");
    let out = ours().arg("run").arg(pdd.path()).args(["-p", "site.yml", "-i", "max"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert_eq!(pdd.artifacts("max").read("status"), "successful");
}

#[test]
fn out_of_range_seconds_flags_are_usage_errors_naming_the_flag() {
    let expected = "(expected a number of seconds from 0 to 1000000000)";
    for value in ["1e99", "-1", "nan", "inf", "18446744073709551617"] {
        let out = ours().args(["run", "/tmp", "-p", "x.yml", "--lock", "--lock-wait", value]).output().unwrap();
        let line = assert_one_line_error(&out, 2, "argument --lock-wait");
        assert_eq!(
            line,
            format!("ansible-runner run: error: argument --lock-wait: invalid value: '{value}' {expected}")
        );
        let out = ours().args(["worker", "--keepalive-seconds", value]).stdin(Stdio::null()).output().unwrap();
        assert_one_line_error(&out, 2, "argument --keepalive-seconds");
    }
    let out = ours().arg("worker").env("ANSIBLE_RUNNER_KEEPALIVE_SECONDS", "1e99").output().unwrap();
    assert_one_line_error(&out, 2, "--keepalive-seconds (set by ANSIBLE_RUNNER_KEEPALIVE_SECONDS)");
}

/// Runs `worker` on a stream made of one kwargs line and eof.
fn worker_on(kwargs: &str) -> Output {
    let mut child =
        ours().arg("worker").stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let stream = format!("{{\"kwargs\": {kwargs}}}\n{{\"eof\": true}}\n");
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), stream.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn worker_answers_out_of_range_stream_settings_with_an_error_status_and_eof() {
    for settings in ["{\"job_timeout\": 1e99}", "{\"idle_timeout\": -5}", "{\"job_timeout\": \"1e99\"}"] {
        let out = worker_on(&format!("{{\"playbook\": \"x.yml\", \"settings\": {settings}}}"));
        let (stdout, stderr) = text(&out);
        assert!(!stderr.contains("panicked"), "{stderr}");
        let lines: Vec<Value> = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 2, "{stdout}");
        assert_eq!(lines[0]["status"], "error");
        let explanation = lines[0]["job_explanation"].as_str().unwrap();
        assert!(explanation.contains("env/settings") && explanation.contains("from 0 to"), "{explanation}");
        assert_eq!(lines[1], serde_json::json!({"eof": true}));
    }
}

#[test]
fn inputs_too_large_to_start_a_program_end_with_status_failed() {
    needs!(Ansible);
    let huge = "x".repeat(200_000);
    for (file, content) in [("env/envvars", format!("BIG: {huge}\n")), ("env/cmdline", format!("-e big={huge}"))] {
        let pdd = Pdd::new();
        pdd.file("project/site.yml", PLAYBOOK).file(file, &content);
        let out = ours().arg("run").arg(pdd.path()).args(["-p", "site.yml", "-i", "big"]).output().unwrap();
        let line = assert_one_line_error(&out, 1, "Argument list too long");
        assert!(line.contains(file), "{file}: {line}");
        let artifacts = pdd.artifacts("big");
        assert_eq!((artifacts.read("status").as_str(), artifacts.read("rc").as_str()), ("failed", "1"), "{file}");
    }
}

/// Runs `ansible-runner` with its artifact dir on a fresh tmpfs of `size` in a private mount
/// namespace, then copies what it left to `copy` (the tmpfs goes away with the namespace).
fn run_on_small_tmpfs(pdd: &Pdd, size: &str, copy: &Path) -> (i32, String) {
    let mount = pdd.path().join("small");
    fs::create_dir(&mount).unwrap();
    let script = r#"mount -t tmpfs -o "size=$1" tmpfs "$2" || exit 99
"$3" run "$4" -p big.yml -i full --artifact-dir "$2" 2>"$5/stderr" >/dev/null
echo $? >"$5/exit"
cp -a "$2/." "$5/copy""#;
    let status = Command::new("unshare")
        .args(["-m", "sh", "-c", script, "sh", size])
        .arg(&mount)
        .arg(env!("CARGO_BIN_EXE_ansible-runner"))
        .arg(pdd.path())
        .arg(copy)
        .env("PATH", crate::common::test_path())
        .status()
        .unwrap();
    assert!(status.success(), "unshare and mount need root on Linux");
    let exit = fs::read_to_string(copy.join("exit")).unwrap().trim().parse().unwrap();
    (exit, fs::read_to_string(copy.join("stderr")).unwrap())
}

#[test]
fn a_full_disk_leaves_no_temp_files_and_still_records_the_status() {
    needs!(Root, Ansible);
    let big_events = "- hosts: all\n  gather_facts: false\n  tasks:\n    - debug:\n        msg: \"{{ 'x' * 20000 }}\"\n      loop: \"{{ range(40) | list }}\"\n";
    // With the stdout artifact the disk fills on either file; without it, on the event files.
    for settings in ["{}", "suppress_output_file: true"] {
        let pdd = Pdd::new();
        pdd.file("project/big.yml", big_events).file("env/settings", settings);
        let copy = tempfile::tempdir().unwrap();
        let (exit, stderr) = run_on_small_tmpfs(&pdd, "400k", copy.path());
        assert_eq!(exit, 1, "{settings}: {stderr}");
        assert!(stderr.contains("No space left on device") && !stderr.contains("panicked"), "{stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
        let left: Vec<String> = walkdir::WalkDir::new(copy.path().join("copy"))
            .into_iter()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            left.iter().all(|name| Path::new(name).extension().is_none_or(|ext| ext != "tmp")),
            "{settings}: temp files left: {left:?}"
        );
        let dir = copy.path().join("copy/full");
        let read =
            |name: &str| fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{settings}: {name}: {e}"));
        assert_eq!((read("status").as_str(), read("rc").as_str()), ("failed", "1"), "{settings}");
    }
}

#[test]
fn an_error_and_its_cause_are_said_once() {
    let pdd = Pdd::new();
    pdd.file("project/site.yml", PLAYBOOK).file("artifacts", "a file where the artifact root should be");
    let out = ours().arg("run").arg(pdd.path()).args(["-p", "site.yml", "-i", "x"]).output().unwrap();
    // As `mkdir` and the reference's `os.makedirs` name it: the file is in the path, not in place.
    let line = assert_one_line_error(&out, 1, "Not a directory (os error 20)");
    assert_eq!(line.matches("os error 20").count(), 1, "{line}");

    let under_a_file = pdd.path().join("artifacts/pdd");
    let out = ours().arg("run").arg(&under_a_file).args(["-p", "site.yml"]).output().unwrap();
    let line = assert_one_line_error(&out, 1, "Not a directory (os error 20)");
    assert_eq!(line.matches("os error 20").count(), 1, "{line}");
}

#[test]
fn a_binary_ssh_key_is_called_what_it_is() {
    let pdd = Pdd::new();
    pdd.file("project/site.yml", PLAYBOOK);
    fs::create_dir(pdd.path().join("env")).unwrap();
    // The start of a DER-encoded key: binary, not the text form ssh-add reads.
    fs::write(pdd.path().join("env/ssh_key"), [0x30, 0x82, 0x04, 0xa4, 0xff, 0xfe, 0x00, 0x01]).unwrap();
    let out = ours().arg("run").arg(pdd.path()).args(["-p", "site.yml"]).output().unwrap();
    let line = assert_one_line_error(&out, 1, "env/ssh_key");
    assert!(line.contains("not a private key in text (PEM or OpenSSH) form"), "{line}");
    assert!(!line.contains("YAML"), "{line}");
}

#[test]
fn a_private_data_dir_named_in_bytes_that_are_not_utf8_is_refused_before_anything_is_written() {
    use std::os::unix::ffi::OsStrExt;
    let parent = Pdd::new();
    let dir = parent.path().join(std::ffi::OsStr::from_bytes(b"caf\xe9"));
    fs::create_dir_all(dir.join("project")).unwrap();
    fs::write(dir.join("project/site.yml"), PLAYBOOK).unwrap();
    fs::create_dir_all(dir.join("inventory")).unwrap();
    fs::write(dir.join("inventory/hosts"), crate::common::LOCAL_INVENTORY).unwrap();
    let before: Vec<_> = fs::read_dir(parent.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    let out = ours().arg("run").arg(&dir).args(["-p", "site.yml", "-i", "latin1"]).output().unwrap();
    let line = assert_one_line_error(&out, 1, "caf");
    assert!(line.contains("not valid UTF-8"), "{line}");
    assert!(!dir.join("artifacts").exists(), "nothing written in the dir");
    let after: Vec<_> = fs::read_dir(parent.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(before, after, "no sibling dir with another name made");
}

/// Every usage error the reference can produce, as argparse words it.
const USAGE_ERRORS: [&[&str]; 24] = [
    &["run"],
    &["start"],
    &["stop"],
    &["is-alive"],
    &["transmit"],
    &["process"],
    &["run", "DIR", "-p", "a", "-r", "b"],
    &["run", "DIR", "-r", "a", "-p", "b"],
    &["run", "DIR", "-p", "a", "-m", "b"],
    &["run", "DIR", "-m", "a", "-r", "b"],
    &["run", "DIR", "--playbook=a", "--role=b"],
    &["run", "DIR", "--rotate-artifacts", "abc"],
    &["run", "DIR", "--rotate-artifacts", "1.5"],
    &["worker", "cleanup", "--grace-period", "abc"],
    &["run", "DIR", "--bogus"],
    &["run", "DIR", "-z"],
    &["run", "DIR", "extra"],
    &["worker", "cleanup", "--bogus"],
    &["bogus"],
    &["worker", "bogus"],
    &["--bogus"],
    &["run", "DIR", "-p"],
    &["worker", "cleanup", "--file-pattern"],
    &["run", "DIR", "--omit"],
];

#[test]
fn usage_errors_are_worded_as_the_reference_words_them() {
    needs!(Reference);
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path().to_str().unwrap();
    for args in USAGE_ERRORS {
        let args: Vec<&str> = args.iter().map(|a| if *a == "DIR" { dir } else { a }).collect();
        let mine = ours().args(&args).stdin(Stdio::null()).output().unwrap();
        let theirs = reference().args(&args).stdin(Stdio::null()).output().unwrap();
        assert_eq!((mine.status.code(), theirs.status.code()), (Some(2), Some(2)), "{args:?}");
        let (mine, theirs) = (text(&mine).1, text(&theirs).1);
        let last = |stderr: &str| stderr.lines().last().unwrap_or_default().to_owned();
        let expected = last(&theirs).replace(", 'process')", ", 'process', 'replay', 'history')");
        assert_eq!(last(&mine), expected, "{args:?}");
        assert!(mine.starts_with("usage: ansible-runner"), "{args:?}: {mine}");
    }
}

/// A root-only file's line, recognisable wherever it lands.
const SHADOW: &str = "root:$6$Zq8SECRETSALT$0ffShadowHashNobodyMaySee:20228:0:99999:7:::\n\
                      daemon:*:20228:0:99999:7:::\n";

const SHADOW_MARK: &str = "SECRETSALT";

/// Every file under `dir`, and what the run printed, holds nothing of `mark`.
fn assert_nowhere(mark: &str, out: &Output, dir: &Path) {
    let (stdout, stderr) = text(out);
    assert!(!stdout.contains(mark) && !stderr.contains(mark), "{stdout}\n{stderr}");
    for entry in walkdir::WalkDir::new(dir).into_iter().filter_map(Result::ok) {
        if entry.file_type().is_file() && !entry.path().starts_with(dir.join("env")) {
            let held = String::from_utf8_lossy(&fs::read(entry.path()).unwrap()).into_owned();
            assert!(!held.contains(mark), "{} holds the secret", entry.path().display());
        }
    }
}

/// An input of the private data dir that is a symlink to a file its owner does not own (here: the
/// link belongs to `nobody`, the secret to root, the runner is root) is refused by name, and the
/// secret appears in no message and no artifact.
#[test]
fn an_input_linked_to_another_user_s_file_is_refused_and_shown_nowhere() {
    needs!(Ansible);
    let secrets = tempfile::tempdir().unwrap();
    let secret = secrets.path().join("shadow");
    fs::write(&secret, SHADOW).unwrap();
    for name in ["settings", "envvars", "extravars", "passwords", "cmdline", "ssh_key"] {
        let pdd = Pdd::new();
        pdd.file("project/site.yml", PLAYBOOK);
        let link = pdd.path().join("env").join(name);
        fs::create_dir_all(link.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(&secret, &link).unwrap();
        std::os::unix::fs::lchown(&link, Some(65534), Some(65534)).unwrap();
        let out = ours().arg("run").arg(pdd.path()).args(["-p", "site.yml", "-i", "x"]).output().unwrap();
        let line = assert_one_line_error(&out, 1, "a symlink to a file another user owns");
        assert!(line.contains(&format!("env/{name}")), "{name}: {line}");
        assert_nowhere(SHADOW_MARK, &out, pdd.path());
    }
}

/// The same file linked by its own owner is read, as the reference reads it: its lines are unknown
/// settings, which the warning counts without showing, and the job runs.
#[test]
fn a_warning_about_settings_read_through_a_link_shows_no_line_of_the_file() {
    needs!(Ansible);
    let secrets = tempfile::tempdir().unwrap();
    let secret = secrets.path().join("shadow");
    fs::write(&secret, SHADOW).unwrap();
    let pdd = Pdd::new();
    pdd.file("project/site.yml", PLAYBOOK);
    fs::create_dir_all(pdd.path().join("env")).unwrap();
    std::os::unix::fs::symlink(&secret, pdd.path().join("env/settings")).unwrap();
    let out = ours().arg("run").arg(pdd.path()).args(["-p", "site.yml", "-i", "x"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let stderr = text(&out).1;
    assert!(stderr.contains("env/settings: unknown setting a value of"), "{stderr}");
    assert_nowhere(SHADOW_MARK, &out, pdd.path());
    assert_nowhere("root:", &out, pdd.path());
}

/// `worker` and `process` on a disk that fills mid-job: the worker's stream ends with an `error`
/// line naming the disk and eof (its stderr silent); `process` exits 1 naming the disk, and its
/// `status`/`rc` are whole or absent, with no temp file left.
#[test]
fn worker_and_process_on_a_full_disk_say_so_and_leave_nothing_half_written() {
    needs!(Root, Ansible);
    let big_events = "- hosts: all\n  gather_facts: false\n  tasks:\n    - debug:\n        msg: \"{{ 'x' * 20000 }}\"\n      loop: \"{{ range(40) | list }}\"\n";
    let pdd = Pdd::new();
    pdd.file("project/big.yml", big_events);
    let sent = ours().args(["transmit", pdd.path().to_str().unwrap(), "-p", "big.yml", "-i", "w"]).output().unwrap();
    let work = tempfile::tempdir().unwrap();
    let (stream, good) = (work.path().join("stream"), work.path().join("good"));
    fs::write(&stream, &sent.stdout).unwrap();
    let mut worker = ours();
    worker.args(["worker", "--private-data-dir"]).arg(work.path().join("roomy"));
    let full_run = crate::stream::feed(worker, &sent.stdout);
    fs::write(&good, &full_run.stdout).unwrap();
    let mount = work.path().join("small");
    fs::create_dir(&mount).unwrap();
    let script = r#"mount -t tmpfs -o size=400k tmpfs "$1" || exit 99
"$2" worker --private-data-dir "$1/job" <"$3/stream" >"$3/worked" 2>"$3/worker.err"; echo $? >"$3/worker.exit"
rm -rf "$1/job"
"$2" process "$1" -i w -q <"$3/good" >/dev/null 2>"$3/process.err"; echo $? >"$3/process.exit"
cp -a "$1/." "$3/copy""#;
    let status = Command::new("unshare")
        .args(["-m", "sh", "-c", script, "sh"])
        .arg(&mount)
        .arg(env!("CARGO_BIN_EXE_ansible-runner"))
        .arg(work.path())
        .env("PATH", crate::common::test_path())
        .status()
        .unwrap();
    assert!(status.success(), "unshare and mount need root on Linux");
    let read = |name: &str| fs::read_to_string(work.path().join(name)).unwrap();
    assert_eq!((read("worker.exit").trim(), read("worker.err").as_str()), ("1", ""));
    let lines = crate::stream::lines(read("worked").as_bytes());
    let error = &lines[lines.len() - 2];
    assert_eq!(error["status"], "error", "{error}");
    assert!(error["job_explanation"].as_str().unwrap().contains("No space left on device"), "{error}");
    assert_eq!(lines.last().unwrap(), &serde_json::json!({"eof": true}));
    assert_eq!(read("process.exit").trim(), "1");
    let said = read("process.err");
    assert!(said.contains("No space left on device") && said.trim_end().lines().count() == 1, "{said}");
    let dir = work.path().join("copy/artifacts/w");
    for (name, whole) in [("status", "failed"), ("rc", "1")] {
        let kept = fs::read_to_string(dir.join(name)).ok();
        assert!(kept.as_deref().is_none_or(|kept| kept == whole), "{name}: {kept:?}");
    }
    let left: Vec<_> = walkdir::WalkDir::new(work.path().join("copy")).into_iter().filter_map(Result::ok).collect();
    assert!(left.iter().all(|e| e.path().extension().is_none_or(|ext| ext != "tmp")), "temp files left");
}
