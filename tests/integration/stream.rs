//! transmit | worker | process, in every pairing with the Python ansible-runner 2.4.3, on a real
//! playbook; keepalives; --delete; garbage and truncated streams (hostile ones are in `hostile`).

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

use crate::common::{assert_stream_invariants, names, needs, ours, reference, text, Pdd};

const PLAYBOOK: &str =
    "- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: msg=streamed\n    - command: \"true\"\n";

/// Runs `cmd` with `input` on stdin.
pub fn feed(mut cmd: Command, input: &[u8]) -> Output {
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

pub fn sub(mut cmd: Command, args: &[&str]) -> Command {
    cmd.args(args);
    cmd
}

/// transmit on `transmitter`, worker on `runner`, process on `processor`.
fn pipeline(transmitter: fn() -> Command, runner: fn() -> Command, processor: fn() -> Command) {
    let pdd = Pdd::new();
    pdd.file("project/site.yml", PLAYBOOK);
    let sent = sub(transmitter(), &["transmit", pdd.path().to_str().unwrap(), "-p", "site.yml", "-i", "wire"])
        .output()
        .unwrap();
    assert_eq!(sent.status.code(), Some(0), "transmit: {:?}", text(&sent));
    let worked = feed(sub(runner(), &["worker"]), &sent.stdout);
    assert_eq!(worked.status.code(), Some(0), "worker: {:?}", text(&worked));
    let target = tempfile::tempdir().unwrap();
    let processed = feed(sub(processor(), &["process", target.path().to_str().unwrap(), "-i", "wire"]), &worked.stdout);
    assert_eq!(processed.status.code(), Some(0), "process: {:?}", text(&processed));
    let artifacts = crate::common::Artifacts { dir: target.path().join("artifacts/wire") };
    assert_two_tasks_succeeded(&artifacts, "streamed");
}

/// What a successful run of a two-task playbook leaves: status, rc, its events in order, its text.
pub fn assert_two_tasks_succeeded(artifacts: &crate::common::Artifacts, text: &str) {
    assert_eq!((artifacts.read("status"), artifacts.read("rc")), ("successful".into(), "0".into()));
    let events = artifacts.events();
    assert_stream_invariants(&events);
    let names = names(&events);
    assert_eq!(crate::common::first_after_start_up(&names), Some("playbook_on_start"));
    assert_eq!(names.last().map(String::as_str), Some("playbook_on_stats"));
    assert_eq!(names.iter().filter(|n| *n == "runner_on_ok").count(), 2, "{names:?}");
    assert!(artifacts.read("stdout").contains(text));
}

#[test]
fn reference_transmit_our_worker_reference_process() {
    needs!(Reference);
    pipeline(reference, ours, reference);
}

#[test]
fn our_transmit_reference_worker_reference_process() {
    needs!(Reference);
    pipeline(ours, reference, reference);
}

#[test]
fn reference_transmit_reference_worker_our_process() {
    needs!(Reference);
    pipeline(reference, reference, ours);
}

#[test]
fn ours_end_to_end() {
    needs!(Ansible);
    pipeline(ours, ours, ours);
}

pub fn lines(output: &[u8]) -> Vec<Value> {
    // Only the JSON lines: a zip payload runs into the next line, so split it off.
    String::from_utf8_lossy(output)
        .lines()
        .filter_map(|line| {
            serde_json::from_str::<Value>(line)
                .ok()
                .or_else(|| line.find("{\"").and_then(|i| serde_json::from_str(&line[i..]).ok()))
        })
        .collect()
}

#[test]
fn worker_streams_status_lines_in_order_and_redacts_secrets() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file("project/site.yml", PLAYBOOK).file("env/envvars", "SERVICE_TOKEN: tok-on-the-wire\n");
    // A misspelt setting: `run` warns on stderr, which a worker keeps silent (Receptor merges it in).
    pdd.file("env/settings", "idle_timout: 600\n");
    let sent = ours().args(["transmit", pdd.path().to_str().unwrap(), "-p", "site.yml", "-i", "w1"]).output().unwrap();
    let worked = feed(sub(ours(), &["worker"]), &sent.stdout);
    assert_eq!(worked.status.code(), Some(0));
    assert_eq!(text(&worked).1, "", "the worker wrote on stderr");
    assert!(!String::from_utf8_lossy(&worked.stdout).contains("tok-on-the-wire"), "a secret went on the wire");
    let lines = lines(&worked.stdout);
    let statuses: Vec<&str> = lines.iter().filter_map(|l| l.get("status").and_then(Value::as_str)).collect();
    assert_eq!(statuses, ["starting", "running", "successful"]);
    let starting = &lines[0];
    assert_eq!(starting["runner_ident"], "w1");
    assert_eq!(starting["command"][0], "ansible-playbook");
    assert_eq!(starting["env"]["SERVICE_TOKEN"], "**********");
    assert_eq!(lines.last().unwrap(), &serde_json::json!({"eof": true}));
    assert!(String::from_utf8_lossy(&worked.stdout).contains("{\"zipfile\": "));
}

#[test]
fn worker_exit_code_is_the_job_rc() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file("project/fail.yml", "- hosts: all\n  gather_facts: false\n  tasks:\n    - fail: msg=no\n");
    let sent = ours().args(["transmit", pdd.path().to_str().unwrap(), "-p", "fail.yml"]).output().unwrap();
    let worked = feed(sub(ours(), &["worker"]), &sent.stdout);
    assert_eq!(worked.status.code(), Some(2));
    let target = tempfile::tempdir().unwrap();
    let processed = feed(sub(ours(), &["process", target.path().to_str().unwrap(), "-q"]), &worked.stdout);
    assert_eq!(processed.status.code(), Some(2), "process exits with the job's rc");
    assert_eq!(fs::read_to_string(target.path().join("artifacts/status")).unwrap(), "failed");
    assert_eq!(text(&processed).0, "", "-q after the command prints nothing");

    // The Python tool's own spelling: -q before the command; without it the events are shown.
    let quiet = feed(sub(ours(), &["-q", "process", target.path().to_str().unwrap(), "-i", "top"]), &worked.stdout);
    assert_eq!((quiet.status.code(), text(&quiet).0.as_str()), (Some(2), ""));
    let shown = feed(sub(ours(), &["process", target.path().to_str().unwrap(), "-i", "shown"]), &worked.stdout);
    assert!(text(&shown).0.contains("msg=no") || text(&shown).0.contains("\"no\""), "{}", text(&shown).0);
}

#[test]
fn keepalives_flow_while_the_job_is_silent() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file("project/nap.yml", "- hosts: all\n  gather_facts: false\n  tasks:\n    - command: sleep 2\n");
    let sent = ours().args(["transmit", pdd.path().to_str().unwrap(), "-p", "nap.yml"]).output().unwrap();
    let worked = feed(sub(ours(), &["worker", "--keepalive-seconds", "0.5"]), &sent.stdout);
    assert_eq!(worked.status.code(), Some(0));
    let lines = lines(&worked.stdout);
    let keepalives = lines.iter().filter(|l| l.get("event") == Some(&Value::from("keepalive"))).count();
    assert!(keepalives >= 2, "only {keepalives} keepalives during a 2 s silence");
    assert_eq!(lines.last().unwrap(), &serde_json::json!({"eof": true}), "nothing may follow eof");
    let target = tempfile::tempdir().unwrap();
    let processed = feed(sub(ours(), &["process", target.path().to_str().unwrap(), "-q"]), &worked.stdout);
    assert_eq!(processed.status.code(), Some(0));
    let events = crate::common::Artifacts { dir: target.path().join("artifacts") }.events();
    assert!(events.iter().all(|e| e["event"] != "keepalive"));
}

#[test]
fn worker_keeps_or_deletes_its_private_data_dir() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file("project/site.yml", PLAYBOOK);
    let sent = ours().args(["transmit", pdd.path().to_str().unwrap(), "-p", "site.yml", "-i", "k"]).output().unwrap();
    let place = tempfile::tempdir().unwrap();
    let kept = place.path().join("kept");
    let worked = feed(sub(ours(), &["worker", "--private-data-dir", kept.to_str().unwrap()]), &sent.stdout);
    assert_eq!(worked.status.code(), Some(0));
    assert!(kept.join("project/site.yml").exists() && kept.join("artifacts/k/status").exists());
    let deleted = place.path().join("deleted");
    fs::create_dir(&deleted).unwrap();
    fs::write(deleted.join("stale"), "old").unwrap();
    let worked =
        feed(sub(ours(), &["worker", "--private-data-dir", deleted.to_str().unwrap(), "--delete"]), &sent.stdout);
    assert_eq!(worked.status.code(), Some(0));
    assert!(!deleted.exists(), "--delete removes the dir afterwards");
}

/// Receptor's `work cancel`: SIGINT to the worker alone. Its stderr, which Receptor merges into the
/// results, stays empty; the stream ends canceled, zip, eof; both `process` record the cancel.
#[test]
fn a_canceled_worker_says_nothing_on_stderr_and_its_stream_ends_canceled() {
    needs!(Ansible, Reference);
    let marker = "61.2424";
    let pdd = crate::common::sleeping_pdd(marker);
    let sent = ours().args(["transmit", pdd.path().to_str().unwrap(), "-p", "sleep.yml", "-i", "c"]).output().unwrap();
    let mut worker =
        ours().arg("worker").stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    worker.stdin.take().unwrap().write_all(&sent.stdout).unwrap();
    let (mut stdout, mut stderr) = (worker.stdout.take().unwrap(), worker.stderr.take().unwrap());
    let reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut bytes).map(|_| bytes)
    });
    crate::common::wait_until("the task to start", || !crate::common::processes_with(marker).is_empty());
    let pid = nix::unistd::Pid::from_raw(i32::try_from(worker.id()).unwrap());
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).unwrap();
    let mut said = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut said).unwrap();
    worker.wait().unwrap();
    let streamed = reader.join().unwrap().unwrap();
    assert_eq!(said, "", "the worker wrote on stderr");
    crate::common::assert_nothing_left(marker);
    let lines = lines(&streamed);
    let statuses: Vec<&str> = lines.iter().filter_map(|l| l.get("status").and_then(Value::as_str)).collect();
    assert_eq!(statuses, ["starting", "running", "canceled"]);
    assert!(String::from_utf8_lossy(&streamed).contains("{\"zipfile\": "));
    assert_eq!(lines.last().unwrap(), &serde_json::json!({"eof": true}));
    for (name, processor) in [("ours", ours as fn() -> Command), ("reference", reference)] {
        let target = tempfile::tempdir().unwrap();
        let processed = feed(sub(processor(), &["process", target.path().to_str().unwrap(), "-i", "c"]), &streamed);
        let artifacts = crate::common::Artifacts { dir: target.path().join("artifacts/c") };
        assert_eq!((artifacts.read("status"), artifacts.read("rc")), ("canceled".into(), "254".into()), "{name}");
        if name == "ours" {
            assert_eq!(processed.status.code(), Some(254), "{:?}", text(&processed));
        }
    }
}

#[test]
fn garbage_and_truncated_input_become_error_status_lines() {
    // A cut zip payload is a failed extraction: a_bad_zip_payload_is_a_failed_extraction_not_a_bad_line.
    for input in [&b"this is not json\n"[..], b"{\"kwargs\": {\"playbook\": \"x.yml\"}}\n{\"eof\"", b""] {
        let worked = feed(sub(ours(), &["worker"]), input);
        assert_eq!(worked.status.code(), Some(0), "{:?}", text(&worked));
        let lines = lines(&worked.stdout);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(lines[0]["status"], "error");
        assert!(lines[0]["job_explanation"].as_str().unwrap().contains("Failed to JSON parse"));
        assert_eq!(lines[1], serde_json::json!({"eof": true}));
    }
}

#[test]
fn process_reports_a_cut_stream_and_keeps_what_arrived() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file("project/site.yml", PLAYBOOK);
    let sent = ours().args(["transmit", pdd.path().to_str().unwrap(), "-p", "site.yml"]).output().unwrap();
    let worked = feed(sub(ours(), &["worker"]), &sent.stdout);
    let full = String::from_utf8_lossy(&worked.stdout).into_owned();
    let cut = &full[..full.find("{\"status\": \"successful\"").unwrap()];
    let target = tempfile::tempdir().unwrap();
    let processed = feed(sub(ours(), &["process", target.path().to_str().unwrap(), "-q"]), cut.as_bytes());
    assert_eq!(processed.status.code(), Some(1));
    let stderr = text(&processed).1;
    assert!(stderr.contains("ended before its eof"), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    let events = crate::common::Artifacts { dir: target.path().join("artifacts") }.events();
    assert!(events.len() >= 5, "the events that arrived are kept");

    let garbage = feed(
        sub(ours(), &["process", target.path().to_str().unwrap(), "-q"]),
        b"{\"status\": \"running\"}\nnot json\n",
    );
    assert_eq!(garbage.status.code(), Some(1));
    assert!(text(&garbage).1.contains("not valid JSON"), "{}", text(&garbage).1);
}

#[test]
fn in_tree_symlinks_and_modes_survive_the_trip() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file("project/site.yml", PLAYBOOK).file("project/run.sh", "#!/bin/sh\n");
    std::os::unix::fs::symlink("site.yml", pdd.path().join("project/alias.yml")).unwrap();
    fs::set_permissions(pdd.path().join("project/run.sh"), std::os::unix::fs::PermissionsExt::from_mode(0o750))
        .unwrap();
    let sent = ours().args(["transmit", pdd.path().to_str().unwrap(), "-p", "alias.yml"]).output().unwrap();
    let place = tempfile::tempdir().unwrap();
    let target = place.path().join("w");
    let worked = feed(sub(ours(), &["worker", "--private-data-dir", target.to_str().unwrap()]), &sent.stdout);
    assert_eq!(worked.status.code(), Some(0), "{:?}", text(&worked));
    assert_eq!(fs::read_link(target.join("project/alias.yml")).unwrap(), Path::new("site.yml"));
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&fs::metadata(target.join("project/run.sh")).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o750);
}

#[test]
fn worker_info_has_the_reference_keys() {
    needs!(Reference);
    let home = tempfile::tempdir().unwrap();
    let mine = ours().args(["worker", "--worker-info"]).env("HOME", home.path()).output().unwrap();
    let theirs = reference().args(["worker", "--worker-info"]).env("HOME", home.path()).output().unwrap();
    assert_eq!(mine.status.code(), Some(0));
    let keys = |out: &Output| -> Vec<String> {
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(text.ends_with("}\n\n"), "{text:?}");
        text.trim().trim_matches(['{', '}']).split(", ").map(|kv| kv.split(':').next().unwrap().to_owned()).collect()
    };
    assert_eq!(keys(&mine), keys(&theirs));
    let uuid = fs::read_to_string(home.path().join(".ansible_runner_uuid")).unwrap();
    assert!(String::from_utf8_lossy(&mine.stdout).contains(&format!("uuid: {uuid}")), "both share the node's uuid");
}

/// `len` bytes that no compressor can shrink (xorshift64*), the same for every seed.
fn incompressible(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        out.extend_from_slice(&state.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    out.truncate(len);
    out
}

#[test]
fn our_transmit_python_worker_our_process_carry_a_large_incompressible_file() {
    needs!(Reference);
    // The archive stores what does not compress and deflates the rest: the Python worker must
    // unpack both kinds, byte for byte.
    let pdd = Pdd::new();
    pdd.file("project/site.yml", PLAYBOOK);
    let big = incompressible(8 << 20, 7);
    let notes = "- name: a line that compresses well\n".repeat(10_000);
    fs::write(pdd.path().join("project/big.bin"), &big).unwrap();
    pdd.file("project/notes.txt", &notes);
    let sent =
        sub(ours(), &["transmit", pdd.path().to_str().unwrap(), "-p", "site.yml", "-i", "wire"]).output().unwrap();
    assert_eq!(sent.status.code(), Some(0), "transmit: {:?}", text(&sent).1);
    assert!(sent.stdout.len() < (big.len() + notes.len() / 4) / 3 * 4, "stream of {} bytes", sent.stdout.len());
    let place = tempfile::tempdir().unwrap();
    let node = place.path().join("node");
    let worked = feed(sub(reference(), &["worker", "--private-data-dir", node.to_str().unwrap()]), &sent.stdout);
    assert_eq!(worked.status.code(), Some(0), "worker: {:?}", text(&worked).1);
    assert!(fs::read(node.join("project/big.bin")).unwrap() == big, "big.bin changed on the way");
    assert_eq!(fs::read_to_string(node.join("project/notes.txt")).unwrap(), notes);
    let target = tempfile::tempdir().unwrap();
    let processed = feed(sub(ours(), &["process", target.path().to_str().unwrap(), "-i", "wire"]), &worked.stdout);
    assert_eq!(processed.status.code(), Some(0), "process: {:?}", text(&processed));
    let artifacts = crate::common::Artifacts { dir: target.path().join("artifacts/wire") };
    assert_eq!(artifacts.read("status"), "successful");
    assert!(artifacts.read("stdout").contains("streamed"));
}

#[test]
fn process_stores_an_event_line_longer_than_a_mebibyte_whole() {
    let stdout = "y".repeat(2 << 20);
    let event = format!(
        "{{\"uuid\": \"0242ac11-0002-443b-cdb1-000000000006\", \"counter\": 1, \"stdout\": \"{stdout}\", \"event\": \"verbose\"}}"
    );
    let stream = format!("{{\"status\": \"running\"}}\n{event}\n{{\"status\": \"successful\"}}\n{{\"eof\": true}}\n");
    let target = tempfile::tempdir().unwrap();
    let processed = feed(sub(ours(), &["process", target.path().to_str().unwrap(), "-q"]), stream.as_bytes());
    assert_eq!(processed.status.code(), Some(1), "no status file arrived: {:?}", text(&processed).1);
    let dir = target.path().join("artifacts");
    let stored = fs::read_to_string(dir.join("job_events/1-0242ac11-0002-443b-cdb1-000000000006.json")).unwrap();
    assert!(stored == event, "the event file holds {} bytes, not the {}-byte line", stored.len(), event.len());
    assert_eq!(fs::read_to_string(dir.join("stdout")).unwrap(), format!("{stdout}\n"));
}

#[test]
fn process_writes_each_event_before_waiting_for_more_input() {
    // Event files are handed to the writers in batches; a pause in the stream must not hold one back.
    let target = tempfile::tempdir().unwrap();
    let mut child = sub(ours(), &["process", target.path().to_str().unwrap(), "-q"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let events = target.path().join("artifacts/job_events");
    for counter in 1..=3 {
        let uuid = format!("0242ac11-0002-443b-cdb1-00000000000{counter}");
        writeln!(
            stdin,
            "{{\"uuid\": \"{uuid}\", \"counter\": {counter}, \"stdout\": \"e{counter}\", \"event\": \"verbose\"}}"
        )
        .unwrap();
        stdin.flush().unwrap();
        let file = events.join(format!("{counter}-{uuid}.json"));
        crate::common::wait_until("the event file", || file.exists());
    }
    stdin.write_all(b"{\"status\": \"successful\"}\n{\"eof\": true}\n").unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "no status file arrived: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(fs::read_dir(&events).unwrap().count(), 3, "no temp file is left");
}
