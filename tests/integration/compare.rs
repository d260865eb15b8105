//! Side by side with the Python ansible-runner 2.4.3 on identical private data dirs: the same
//! event sequence, `event_data` keys, stdout lines, artifact files, rc and status.

use std::collections::BTreeSet;
use std::fs;
use std::process::Output;

use serde_json::{Map, Value};

use crate::common::{needs, ours, reference, text, Pdd};

struct Run {
    rc: String,
    status: String,
    files: BTreeSet<String>,
    events: Vec<Map<String, Value>>,
    stdout: Vec<String>,
}

fn collect(pdd: &Pdd, ident: &str) -> Run {
    let artifacts = pdd.artifacts(ident);
    let files = fs::read_dir(&artifacts.dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    let root = pdd.path().to_str().unwrap().to_owned();
    let stdout = artifacts.stdout_lines().into_iter().map(|l| l.replace(&root, "<pdd>")).collect();
    Run {
        rc: artifacts.read("rc"),
        status: artifacts.read("status"),
        files,
        events: in_host_order(artifacts.events()),
        stdout,
    }
}

/// Task ordinal, host, and (for events whose host is not recorded) the event name.
type SortKey = (usize, String, String);

/// Ansible interleaves one host's events with another host's depending on timing, even with one
/// fork; within a task and host the order is fixed. Sorts (stably) by task, then host; events whose
/// host is not recorded (event data omitted) are sorted by name within their task.
fn in_host_order(events: Vec<Map<String, Value>>) -> Vec<Map<String, Value>> {
    let mut task = 0;
    let mut keyed: Vec<(SortKey, Map<String, Value>)> = events
        .into_iter()
        .map(|event| {
            if event["event"] == "playbook_on_task_start" || event["event"] == "playbook_on_stats" {
                task += 1;
            }
            let host = event
                .get("event_data")
                .and_then(|d| d.get("host"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let name = event["event"].as_str().unwrap_or_default();
            let unplaced = if host.is_empty() && name.starts_with("runner_") { name.to_owned() } else { String::new() };
            ((task, host, unplaced), event)
        })
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    keyed.into_iter().map(|(_, event)| event).collect()
}

/// Runs both implementations with the same arguments on copies of `pdd` and compares everything
/// that must match.
fn compare(pdd: &Pdd, args: &[&str]) -> (Run, Run) {
    let theirs_pdd = pdd.copy();
    let mine = ours().arg("run").arg(pdd.path()).args(["-i", "cmp", "-q"]).args(args).output().unwrap();
    let theirs = reference().arg("run").arg(theirs_pdd.path()).args(["-i", "cmp", "-q"]).args(args).output().unwrap();
    assert_eq!(
        mine.status.code(),
        theirs.status.code(),
        "exit codes differ: ours {:?}, reference {:?}",
        text(&mine),
        text(&theirs)
    );
    let (mine, theirs) = (collect(pdd, "cmp"), collect(&theirs_pdd, "cmp"));
    assert_eq!(mine.rc, theirs.rc);
    assert_eq!(mine.status, theirs.status);
    assert_eq!(mine.files, theirs.files, "artifact files differ");
    // Without event data a `runner_on_start` cannot be tied to its host, so its position is timing:
    // those are compared by number only.
    let unplaced = |run: &Run| {
        run.events
            .iter()
            .filter(|e| e["event"] == "runner_on_start" && e["event_data"] == serde_json::json!({}))
            .count()
    };
    assert_eq!(unplaced(&mine), unplaced(&theirs));
    let shape = |run: &Run| -> Vec<(String, Vec<String>, Vec<String>)> {
        run.events
            .iter()
            .filter(|e| !(e["event"] == "runner_on_start" && e["event_data"] == serde_json::json!({})))
            .map(|e| {
                let top = e.keys().filter(|k| k.as_str() != "verbosity").cloned().collect();
                let data = e
                    .get("event_data")
                    .and_then(Value::as_object)
                    .map(|d| d.keys().cloned().collect())
                    .unwrap_or_default();
                (e["event"].as_str().unwrap().to_owned(), top, data)
            })
            .collect()
    };
    let (my_shape, their_shape) = (shape(&mine), shape(&theirs));
    let my_names: Vec<&str> = my_shape.iter().map(|s| s.0.as_str()).collect();
    let their_names: Vec<&str> = their_shape.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(my_names, their_names, "event sequences differ");
    for (mine_event, their_event) in my_shape.iter().zip(&their_shape) {
        assert_eq!(mine_event, their_event, "event fields differ");
    }
    assert_eq!(mine.stdout, theirs.stdout, "stdout lines differ");
    // Line numbers (of events that print something) and parent links agree event by event.
    for (a, b) in mine.events.iter().zip(&theirs.events) {
        if a["stdout"] != "" && unplaced(&mine) == 0 {
            let lines = |e: &Map<String, Value>| (e["start_line"].as_u64(), e["end_line"].as_u64());
            assert_eq!(lines(a), lines(b), "{}", a["event"]);
        }
        assert_eq!(a.contains_key("parent_uuid"), b.contains_key("parent_uuid"), "{}", a["event"]);
    }
    (mine, theirs)
}

#[test]
fn playbook_with_gathered_facts() {
    needs!(Reference);
    let pdd = Pdd::new();
    pdd.file("project/facts.yml", "- hosts: all\n  tasks:\n    - debug: var=ansible_facts.system\n");
    let (mine, _) = compare(&pdd, &["-p", "facts.yml"]);
    assert!(mine.files.contains("fact_cache"));
    let setup = mine.events.iter().find(|e| e["event"] == "runner_on_ok").unwrap();
    let facts = &setup["event_data"]["res"]["ansible_facts"];
    assert!(facts.get("ansible_system").is_some(), "facts are recorded");
    assert!(facts.get("ansible_env").is_none(), "ansible_env is dropped as the reference does");
}

#[test]
fn ad_hoc_module() {
    needs!(Reference);
    let pdd = Pdd::new();
    compare(&pdd, &["-m", "command", "-a", "echo hi", "--hosts", "localhost"]);
}

#[test]
fn role() {
    needs!(Reference);
    let pdd = Pdd::new();
    pdd.file("project/roles/hello/tasks/main.yml", "- debug: msg=\"role says {{ word | default('x') }}\"\n");
    pdd.file("project/keep.txt", "");
    compare(&pdd, &["-r", "hello", "--role-vars", "word=hi", "--hosts", "localhost"]);
    assert!(pdd.path().join("project/keep.txt").exists());
}

const HOST_STATUS_INVENTORY: &str = "\
[local]
ok
changed
failed
skipped
ignored
rescued

[local:vars]
ansible_connection=local
ansible_python_interpreter=\"{{ ansible_playbook_python }}\"

[remote]
unreachable ansible_connection=ssh ansible_host=127.0.0.1 ansible_port=1 ansible_ssh_common_args='-o ConnectTimeout=2'
";

const HOST_STATUS_PLAYBOOK: &str = r#"
- hosts: all
  gather_facts: false
  tasks:
    - name: reach
      ping:
    - name: change
      command: "true"
      changed_when: inventory_hostname == 'changed'
      when: inventory_hostname != 'skipped'
    - name: fail
      fail: msg="failed on purpose"
      when: inventory_hostname == 'failed'
    - name: ignore
      fail: msg="ignored on purpose"
      when: inventory_hostname == 'ignored'
      ignore_errors: true
    - name: rescue me
      block:
        - fail: msg="rescued on purpose"
          when: inventory_hostname == 'rescued'
      rescue:
        - debug: msg=rescued
    - name: loop
      debug: msg="{{ item }}"
      loop: [1, 2]
      loop_control:
        label: "{{ item }}"
    - name: secret
      debug: msg="do not show"
      no_log: true
"#;

fn host_status_pdd() -> Pdd {
    let pdd = Pdd::new();
    pdd.file("inventory/hosts", HOST_STATUS_INVENTORY).file("project/status.yml", HOST_STATUS_PLAYBOOK);
    pdd
}

#[test]
fn hosts_ending_ok_changed_failed_skipped_ignored_rescued_unreachable() {
    needs!(Reference, SshClient);
    let pdd = host_status_pdd();
    let (mine, _) = compare(&pdd, &["-p", "status.yml", "--forks", "1"]);
    assert_eq!(mine.rc, "4");
    let stats = &mine.events.last().unwrap()["event_data"];
    assert_eq!(stats["dark"], serde_json::json!({"unreachable": 1}));
    assert_eq!(stats["failures"], serde_json::json!({"failed": 1}));
    assert_eq!(stats["ignored"], serde_json::json!({"ignored": 1}));
    assert_eq!(stats["rescued"], serde_json::json!({"rescued": 1}));
    let text = serde_json::to_string(&mine.events).unwrap();
    assert!(!text.contains("do not show"), "no_log output leaked");
}

#[test]
fn omit_event_data() {
    needs!(Reference);
    let pdd = host_status_pdd();
    let (mine, _) = compare(&pdd, &["-p", "status.yml", "--forks", "1", "--omit-event-data"]);
    assert!(mine
        .events
        .iter()
        .filter(|e| e.contains_key("event_data"))
        .all(|e| e["event_data"] == serde_json::json!({})));
}

#[test]
fn only_failed_event_data() {
    needs!(Reference);
    let pdd = host_status_pdd();
    let (mine, _) = compare(&pdd, &["-p", "status.yml", "--forks", "1", "--only-failed-event-data"]);
    let with_data: BTreeSet<&str> = mine
        .events
        .iter()
        .filter(|e| e.get("event_data").is_some_and(|d| d != &serde_json::json!({})))
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(with_data, BTreeSet::from(["runner_on_failed"]));
}

const HANDLER_PLAYBOOK: &str = r#"
- hosts: all
  gather_facts: false
  tasks:
    - name: change it
      command: "true"
      notify: restart it
    - name: not this one
      debug: msg=skipped
      when: false
  handlers:
    - name: restart it
      debug: msg=restarted
"#;

/// The events `-j` printed, one JSON object per line, in host order.
fn json_lines(output: &Output) -> Vec<Map<String, Value>> {
    let lines = String::from_utf8_lossy(&output.stdout).lines().map(str::to_owned).collect::<Vec<_>>();
    let events = lines
        .iter()
        .filter(|line| !line.is_empty())
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON event ({e}): {line}")))
        .collect();
    in_host_order(events)
}

/// Event names with their `event_data` keys, as `-j` shows them.
fn json_shape(output: &Output) -> Vec<(String, Vec<String>)> {
    json_lines(output)
        .iter()
        .map(|e| {
            let data = e.get("event_data").and_then(Value::as_object).map(|d| d.keys().cloned().collect());
            (e["event"].as_str().unwrap_or_default().to_owned(), data.unwrap_or_default())
        })
        .collect()
}

#[test]
fn json_lines_of_a_handler_and_a_skipped_task() {
    needs!(Reference);
    let pdd = Pdd::new();
    pdd.file("project/handler.yml", HANDLER_PLAYBOOK);
    let theirs_pdd = pdd.copy();
    let args = ["-i", "cmp", "-j", "-p", "handler.yml"];
    let mine = ours().arg("run").arg(pdd.path()).args(args).output().unwrap();
    let theirs = reference().arg("run").arg(theirs_pdd.path()).args(args).output().unwrap();
    assert_eq!(mine.status.code(), theirs.status.code(), "ours {:?}, reference {:?}", text(&mine), text(&theirs));
    assert_eq!(json_shape(&mine), json_shape(&theirs));
    let names: Vec<String> = json_shape(&mine).into_iter().map(|(name, _)| name).collect();
    for expected in ["playbook_on_notify", "runner_on_skipped", "playbook_on_stats"] {
        assert!(names.iter().any(|n| n == expected), "{expected} missing from {names:?}");
    }
}

/// Each line of `-j` output as the kind it is: `Some(event name)` for an event's JSON, `None` for
/// text, with the text's words.
fn line_kinds(out: &str) -> Vec<(Option<String>, String)> {
    out.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| match serde_json::from_str::<Value>(line) {
            Ok(event) => (Some(event["event"].as_str().unwrap_or_default().to_owned()), String::new()),
            Err(_) => (None, console::strip_ansi_codes(line).trim().to_owned()),
        })
        .collect()
}

/// With `-j`, what Ansible prints before the plugin loads (here: the warnings of a job without an
/// inventory) stays text on the terminal and in `stdout`, between the events' JSON lines, as the
/// reference shows it.
#[test]
fn json_mode_keeps_output_from_outside_the_plugin_as_text() {
    needs!(Reference);
    let pdd = Pdd::new();
    pdd.file("project/site.yml", "- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: msg=hi\n");
    fs::remove_dir_all(pdd.path().join("inventory")).unwrap();
    let theirs_pdd = pdd.copy();
    let args = ["-i", "raw", "-j", "-p", "site.yml"];
    let mine = ours().arg("run").arg(pdd.path()).args(args).output().unwrap();
    let theirs = reference().arg("run").arg(theirs_pdd.path()).args(args).output().unwrap();
    let shown = line_kinds(&String::from_utf8_lossy(&mine.stdout));
    assert_eq!(shown, line_kinds(&String::from_utf8_lossy(&theirs.stdout)));
    assert!(shown.iter().any(|(kind, text)| kind.is_none() && text.starts_with("[WARNING]")), "{shown:?}");
    assert_eq!(
        line_kinds(&pdd.artifacts("raw").read("stdout")),
        line_kinds(&theirs_pdd.artifacts("raw").read("stdout"))
    );
}

/// `ansible_env` leaves a fact-gathering result only when the action is written `setup` (or
/// `gather_facts`), the reference's rule: after `ansible.builtin.setup` it is there, where
/// ansible-rulebook's rules on `fact.ansible_env` find it.
#[test]
fn ansible_env_is_dropped_by_the_reference_s_rule() {
    needs!(Reference);
    let pdd = Pdd::new();
    pdd.file(
        "project/facts.yml",
        "- hosts: all\n  gather_facts: false\n  tasks:\n    - name: short\n      setup: gather_subset=min\n    \
         - name: full\n      ansible.builtin.setup: gather_subset=min\n",
    );
    let (mine, theirs) = compare(&pdd, &["-p", "facts.yml"]);
    let kept = |events: &[Map<String, Value>]| -> Vec<(String, bool)> {
        events
            .iter()
            .filter(|e| e["event"] == "runner_on_ok")
            .map(|e| {
                let data = &e["event_data"];
                (
                    data["task"].as_str().unwrap_or_default().to_owned(),
                    data["res"]["ansible_facts"].get("ansible_env").is_some(),
                )
            })
            .collect()
    };
    assert_eq!(kept(&mine.events), [("short".to_owned(), false), ("full".to_owned(), true)]);
    assert_eq!(kept(&mine.events), kept(&theirs.events));
}
