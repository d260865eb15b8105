//! Streams that try to make `process` or `worker` misbehave: zips that write outside the private
//! data dir, payloads that are no zip, event fields naming files elsewhere, controller paths the
//! worker would write to, rc values that are not exit codes, jobs that cannot start, impossible sizes
//! and lines made to exhaust memory. Hostile streams are written by Python in the test; the Python
//! ansible-runner 2.4.3 is the peer where it can produce the case itself.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

use crate::common::{needs, ours, reference, text, venv_bin, Artifacts, Pdd};
use crate::stream::{feed, lines, sub};

/// Helpers for the stream-writing scripts: `line(obj)` writes a JSON line, `zipped(entries)` a zip
/// frame of `name -> content` (a name ending in `/` is a directory).
const PRELUDE: &str = r#"
import base64, io, json, sys, zipfile
out = sys.stdout.buffer
def line(obj):
    out.write(json.dumps(obj).encode() + b"\n")
def zipped(entries):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, content in entries.items():
            z.writestr(name, content)
    data = buf.getvalue()
    line({"zipfile": len(data)})
    out.write(base64.b64encode(data))
"#;

const GOOD_UUID: &str = "0242ac11-0002-443b-cdb1-000000000006";

const LOCAL: &str = "ansible_connection=local ansible_python_interpreter=\"{{ ansible_playbook_python }}\"";

/// The bytes a Python script writes with [`PRELUDE`] available.
fn python_stream(script: &str) -> Vec<u8> {
    let out = Command::new(venv_bin().join("python")).arg("-c").arg(format!("{PRELUDE}\n{script}")).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

fn process_into(dir: &Path, input: &[u8]) -> Output {
    feed(sub(ours(), &["process", dir.to_str().unwrap(), "-q"]), input)
}

/// Asserts a clean refusal: exit 1, one line on stderr containing `message`, no panic.
fn assert_one_line_error(out: &Output, message: &str) {
    let stderr = text(out).1;
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(message) && !stderr.contains("panicked"), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
}

#[test]
fn process_refuses_event_fields_that_would_name_a_file_elsewhere() {
    needs!(Ansible);
    let place = tempfile::tempdir().unwrap();
    let victim = place.path().join("victim");
    fs::create_dir(&victim).unwrap();
    fs::write(victim.join("ESCAPED.json"), "original").unwrap();
    let up = "/..".repeat(40);
    let bad_uuid = format!("{{'uuid': '{up}{}/ESCAPED', 'counter': 2}}", victim.display());
    let bad_counter = format!("{{'uuid': '{GOOD_UUID}', 'counter': '{up}{}/C'}}", victim.display());
    for (fields, message) in [(bad_uuid, "uuid is not a uuid"), (bad_counter, "counter is not a positive integer")] {
        // The zip makes `job_events/1-/` a directory, so `1-/../..` resolves as the Python tool would.
        let stream = python_stream(&format!(
            "line({{'status': 'running'}})\nzipped({{'job_events/1-/': ''}})\n\
             line({{'event': 'verbose', 'uuid': '{GOOD_UUID}', 'counter': 1, 'stdout': 'kept'}})\n\
             line(dict(event='verbose', stdout='x', **{fields}))\nline({{'eof': True}})"
        ));
        let target = tempfile::tempdir().unwrap();
        let out = process_into(target.path(), &stream);
        assert_one_line_error(&out, message);
        assert_eq!(fs::read_dir(&victim).unwrap().count(), 1, "{message}: a file appeared next to the victim");
        assert_eq!(fs::read_to_string(victim.join("ESCAPED.json")).unwrap(), "original", "{message}");
        let artifacts = Artifacts { dir: target.path().join("artifacts") };
        assert_eq!((artifacts.read("status").as_str(), artifacts.read("rc").as_str()), ("failed", "1"));
        assert!(artifacts.dir.join(format!("job_events/1-{GOOD_UUID}.json")).exists(), "the good event is kept");
        assert!(artifacts.read("stdout").contains("kept"));
    }
}

#[test]
fn worker_keeps_artifacts_and_fact_cache_inside_its_private_data_dir() {
    needs!(Ansible);
    let place = tempfile::tempdir().unwrap();
    let controller_artifacts = place.path().join("controller-artifacts");
    let facts = place.path().join("facts-elsewhere");
    let pdd = Pdd::new();
    pdd.file(
        "project/facts.yml",
        "- hosts: all\n  gather_facts: false\n  tasks:\n    - set_fact:\n        colour: blue\n        cacheable: true\n",
    );
    pdd.file("env/settings", &format!("fact_cache: {}\n", facts.display()));
    let args = ["transmit", pdd.path().to_str().unwrap(), "-p", "facts.yml", "-i", "rebased", "--artifact-dir"];
    let sent = ours().args(args).arg(&controller_artifacts).output().unwrap();
    assert_eq!(sent.status.code(), Some(0), "{:?}", text(&sent));
    let node = place.path().join("node");
    let worked = feed(sub(ours(), &["worker", "--private-data-dir", node.to_str().unwrap()]), &sent.stdout);
    assert_eq!(worked.status.code(), Some(0), "{:?}", text(&worked));
    assert!(!controller_artifacts.exists(), "the worker wrote its artifacts at the controller's path");
    assert!(!facts.exists(), "the worker's job wrote its fact cache at the controller's path");
    let rebased = node.join(controller_artifacts.strip_prefix("/").unwrap()).join("rebased");
    assert_eq!(fs::read_to_string(rebased.join("status")).unwrap(), "successful");
    let cache = rebased.join(facts.strip_prefix("/").unwrap());
    assert_eq!(fs::read_dir(&cache).unwrap().count(), 1, "one host's facts in {}", cache.display());

    // The artifacts come back as they were: the controller sees the usual layout.
    let controller = tempfile::tempdir().unwrap();
    let processed = feed(sub(ours(), &["process", controller.path().to_str().unwrap(), "-i", "x"]), &worked.stdout);
    assert_eq!(processed.status.code(), Some(0), "{:?}", text(&processed));
    let artifacts = Artifacts { dir: controller.path().join("artifacts/x") };
    assert_eq!(artifacts.read("status"), "successful");
    assert!(artifacts.dir.join("command").exists() && !artifacts.events().is_empty());
}

#[test]
fn process_never_exits_zero_for_a_job_that_did_not_succeed() {
    needs!(Reference);
    // The Python worker records rc `None` for a job killed by a signal: here the job kills its own
    // ansible-playbook.
    let marker = format!("kill-me-{}", std::process::id());
    let pdd = Pdd::new();
    pdd.file(
        &format!("project/{marker}.yml"),
        &format!("- hosts: all\n  gather_facts: false\n  tasks:\n    - command: pkill -KILL -f {marker}\n"),
    );
    let sent = reference().args(["transmit", pdd.path().to_str().unwrap(), "-p", &format!("{marker}.yml")]).output();
    let worked = feed(sub(reference(), &["worker"]), &sent.unwrap().stdout);
    let target = tempfile::tempdir().unwrap();
    let out = process_into(target.path(), &worked.stdout);
    let artifacts = Artifacts { dir: target.path().join("artifacts") };
    assert_eq!((artifacts.read("status").as_str(), artifacts.read("rc").as_str()), ("failed", "None"));
    assert_eq!(out.status.code(), Some(1), "{:?}", text(&out));

    for (status, rc, code) in
        [("failed", "256", 1), ("failed", "-5", 1), ("failed", "0", 1), ("failed", "2", 2), ("successful", "0", 0)]
    {
        let stream = python_stream(&format!(
            "line({{'status': '{status}'}})\nzipped({{'status': '{status}', 'rc': '{rc}'}})\nline({{'eof': True}})"
        ));
        let target = tempfile::tempdir().unwrap();
        let out = process_into(target.path(), &stream);
        assert_eq!(out.status.code(), Some(code), "status {status}, rc {rc}: {:?}", text(&out));
    }
}

/// Asserts the worker's stream ends with an error status line and eof, and that `process` turns it
/// into a `failed` job.
fn assert_error_then_eof(worked: &Output, what: &str) {
    let lines = lines(&worked.stdout);
    let stderr = text(worked).1;
    assert!(!stderr.contains("panicked"), "{what}: {stderr}");
    assert!(lines.len() >= 2, "{what}: {lines:?} {stderr}");
    let (error, eof) = (&lines[lines.len() - 2], &lines[lines.len() - 1]);
    assert_eq!(error["status"], "error", "{what}: {lines:?}");
    assert!(error["job_explanation"].as_str().is_some_and(|e| !e.is_empty()), "{what}: {error}");
    assert_eq!(eof, &serde_json::json!({"eof": true}), "{what}");
    let target = tempfile::tempdir().unwrap();
    let processed = process_into(target.path(), &worked.stdout);
    assert_one_line_error(&processed, "the worker reported an error");
    assert_eq!(fs::read_to_string(target.path().join("artifacts/status")).unwrap(), "failed", "{what}");
}

#[test]
fn worker_always_ends_its_stream_with_a_status_and_eof() {
    needs!(Ansible);
    let place = tempfile::tempdir().unwrap();
    let long_ident = python_stream(
        "line({'kwargs': {'ident': 'i' * 5000, 'playbook': 'x.yml'}})\nzipped({'project/x.yml': '- hosts: all'})\nline({'eof': True})",
    );
    let artifacts_is_a_file = python_stream(
        "line({'kwargs': {'playbook': 'x.yml'}})\nzipped({'project/x.yml': '- hosts: all', 'artifacts': 'a file'})\nline({'eof': True})",
    );
    let impossible_size = b"{\"kwargs\": {}}\n{\"zipfile\": 18446744073709551615}\nAAAA".to_vec();
    let plain = b"{\"kwargs\": {\"playbook\": \"x.yml\"}}\n{\"eof\": true}\n".to_vec();
    fs::write(place.path().join("file"), "").unwrap();
    let under_a_file = place.path().join("file/pdd");
    let cases: [(&str, Vec<u8>, Vec<&str>); 4] = [
        ("a 5000-character ident", long_ident, vec![]),
        ("artifacts/ is a file", artifacts_is_a_file, vec![]),
        ("an impossible zip size", impossible_size, vec![]),
        (
            "a private data dir that cannot be created",
            plain,
            vec!["--private-data-dir", under_a_file.to_str().unwrap()],
        ),
    ];
    for (what, input, extra) in cases {
        let mut cmd = sub(ours(), &["worker"]);
        cmd.args(extra);
        let worked = feed(cmd, &input);
        assert_error_then_eof(&worked, what);
    }
}

/// Runs `ansible-runner process` from Python, feeding it `kind` (`giant` MiB of one line without a
/// newline, or a line of `dense` values); prints the exit code, the peak RSS in MiB and stderr.
const MEASURE: &str = r#"
import resource, subprocess, sys
kind, size, cmd = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
try:
    if kind == "giant":
        chunk = b"x" * (1 << 20)
        for _ in range(size):
            p.stdin.write(chunk)
    else:
        p.stdin.write(b'{"a": [' + b"0," * size + b"0]}\n")
    p.stdin.close()
except BrokenPipeError:
    pass
err = p.stderr.read().decode()
p.wait()
print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024, err, sep="\n", end="")
"#;

#[test]
fn process_memory_stays_bounded_whatever_the_line() {
    needs!(Ansible);
    // 256 MiB without a newline, and 30 million values in 60 MB (parsed whole, gigabytes: `process`
    // reads past them, building nothing, and then misses the eof line).
    for (kind, size, message) in
        [("giant", 256, "longer than 67108864 bytes"), ("dense", 30_000_000, "ended before its eof line")]
    {
        let target = tempfile::tempdir().unwrap();
        let out = Command::new(venv_bin().join("python"))
            .args(["-c", MEASURE, kind, &size.to_string(), env!("CARGO_BIN_EXE_ansible-runner"), "process", "-q"])
            .arg(target.path())
            .output()
            .unwrap();
        let report = String::from_utf8_lossy(&out.stdout).into_owned();
        let mut parts = report.splitn(3, '\n');
        let (code, rss, stderr) = (parts.next().unwrap(), parts.next().unwrap_or("0"), parts.next().unwrap_or(""));
        assert_eq!(code, "1", "{kind}: {report}");
        assert!(stderr.contains(message) && stderr.trim_end().lines().count() == 1, "{kind}: {stderr}");
        let rss: u64 = rss.parse().unwrap();
        assert!(rss < 160, "{kind}: peak RSS {rss} MiB");
        assert_eq!(fs::read_to_string(target.path().join("artifacts/status")).unwrap(), "failed");
    }
}

#[test]
fn real_worker_uuids_pass_the_check_repeats_included() {
    needs!(Reference);
    // Two hosts one at a time: Ansible's callback numbers the repeated play and task uuids `…_2`.
    // Keepalives (`counter` and `uuid` 0) and events without a uuid are skipped, as the Python tool does.
    let pdd = Pdd::new();
    pdd.file("inventory/hosts", &format!("one {LOCAL}\ntwo {LOCAL}\n"));
    pdd.file(
        "project/serial.yml",
        "- hosts: all\n  serial: 1\n  gather_facts: false\n  tasks:\n    - debug: msg=one\n",
    );
    let sent = reference().args(["transmit", pdd.path().to_str().unwrap(), "-p", "serial.yml"]).output().unwrap();
    let worked = feed(sub(reference(), &["worker"]), &sent.stdout);
    let sent_events: Vec<Value> =
        lines(&worked.stdout).into_iter().filter(|l| l.get("uuid").is_some_and(Value::is_string)).collect();
    assert!(sent_events.iter().any(|e| e["uuid"].as_str().unwrap().ends_with("_2")), "{sent_events:?}");
    let mut stream =
        b"{\"event\": \"keepalive\", \"counter\": 0, \"uuid\": 0}\n{\"event\": \"x\", \"counter\": 5}\n".to_vec();
    stream.extend(&worked.stdout);
    let target = tempfile::tempdir().unwrap();
    let out = process_into(target.path(), &stream);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert_eq!(Artifacts { dir: target.path().join("artifacts") }.events().len(), sent_events.len());
}

/// Builds a zip with Python's zipfile (entries exactly as named) and frames it as a transmit stream.
fn hostile_stream(script: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("evil.zip");
    let program = format!(
        "import zipfile, stat\nz = zipfile.ZipFile({:?}, 'w')\ndef link(name, target):\n    i = zipfile.ZipInfo(name)\n    i.external_attr = (stat.S_IFLNK | 0o777) << 16\n    z.writestr(i, target)\n{script}\nz.close()\n",
        zip_path.to_str().unwrap()
    );
    let made = Command::new(venv_bin().join("python")).arg("-c").arg(&program).output().unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let zip = fs::read(&zip_path).unwrap();
    let mut stream = b"{\"kwargs\": {\"ident\": \"evil\", \"playbook\": \"x.yml\"}}\n".to_vec();
    stream.extend(format!("{{\"zipfile\": {}}}\n", zip.len()).as_bytes());
    stream.extend(base64_encode(&zip).as_bytes());
    stream.extend(b"{\"eof\": true}\n");
    stream
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[test]
fn hostile_zips_are_refused_without_writing_outside() {
    needs!(Ansible);
    let cases = [
        ("dotdot", "z.writestr('../escaped', 'x')"),
        ("nested dotdot", "z.writestr('project/../../escaped', 'x')"),
        ("absolute", "z.writestr('/tmp/ansible-runner-absolute-escape', 'x')"),
        ("absolute symlink", "link('project/out', '/tmp')"),
        ("symlink then write through it", "link('project/up', '../..')\nz.writestr('project/up/escaped', 'x')"),
    ];
    for (what, script) in cases {
        let place = tempfile::tempdir().unwrap();
        let target = place.path().join("pdd");
        let stream = hostile_stream(script);
        let worked = feed(sub(ours(), &["worker", "--private-data-dir", target.to_str().unwrap()]), &stream);
        let lines = lines(&worked.stdout);
        assert_eq!(lines.first().and_then(|l| l.get("status")), Some(&Value::from("error")), "{what}: {lines:?}");
        assert_eq!(lines[0]["job_explanation"], "Failed to extract private data directory on worker.", "{what}");
        let outside: Vec<_> = walkdir::WalkDir::new(place.path())
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_name() == "escaped")
            .collect();
        assert!(outside.is_empty(), "{what}: wrote {outside:?}");
        assert!(!Path::new("/tmp/ansible-runner-absolute-escape").exists(), "{what}");
        assert!(!place.path().join("escaped").exists() && !Path::new("/escaped").exists(), "{what}");
    }
}

#[test]
fn a_bad_zip_payload_is_a_failed_extraction_not_a_bad_line() {
    let kwargs = "{\"kwargs\": {\"playbook\": \"x.yml\"}}\n";
    let cases: [(&str, &[u8]); 4] = [
        ("raw bytes for base64", b"{\"zipfile\": 5}\n\x01\x02\x03\x04\x05{\"eof\": true}\n"),
        ("cut payload", b"{\"zipfile\": 1000}\nQUJD"),
        ("size not a number", b"{\"zipfile\": \"five\"}\nQUJD\n{\"eof\": true}\n"),
        ("payload shorter than announced", b"{\"zipfile\": 4}\nQUJD\n{\"eof\": true}\n"),
    ];
    for (what, tail) in cases {
        let place = tempfile::tempdir().unwrap();
        let target = place.path().join("w");
        let stream = [kwargs.as_bytes(), tail].concat();
        let worked = feed(sub(ours(), &["worker", "--private-data-dir", target.to_str().unwrap()]), &stream);
        let lines = lines(&worked.stdout);
        assert_eq!(lines[0]["status"], "error", "{what}: {lines:?}");
        assert_eq!(lines[0]["job_explanation"], "Failed to extract private data directory on worker.", "{what}");
        assert!(lines[0]["result_traceback"].as_str().is_some_and(|t| !t.is_empty()), "{what}");
        assert_eq!(lines.last().unwrap(), &serde_json::json!({"eof": true}), "{what}");
    }
}
