//! End-of-run reports on real ansible-core: the summary line (on a terminal, in colour, or when
//! asked), the JUnit file checked against the run's events, alerts received by a real HTTP server on
//! loopback, and the metrics file (in `metrics`).

mod metrics;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;

use serde_json::Value;

use crate::common::{needs, ours, run_on_pty, text, wait_until, with_time_to_start, Pdd, PATIENCE, TWO_TASKS};

const INVENTORY: &str = "\
ok ansible_connection=local ansible_python_interpreter=\"{{ ansible_playbook_python }}\"
bad ansible_connection=local ansible_python_interpreter=\"{{ ansible_playbook_python }}\"
down ansible_connection=ssh ansible_host=127.0.0.1 ansible_port=1 ansible_ssh_common_args='-o ConnectTimeout=2'
";

const PLAYBOOK: &str = r#"
- name: checks
  hosts: all
  gather_facts: false
  tasks:
    - name: reach
      ping:
    - name: break one
      command: "false"
      when: inventory_hostname == 'bad'
    - name: skip one
      debug: msg=x
      when: inventory_hostname == 'nobody'
"#;

fn failing_pdd() -> Pdd {
    let pdd = Pdd::new();
    pdd.file("inventory/hosts", INVENTORY).file("project/site.yml", PLAYBOOK);
    pdd
}

#[test]
fn summary_line_says_what_happened() {
    needs!(Ansible, SshClient);
    let pdd = failing_pdd();
    let out = ours().arg("run").arg(pdd.path()).args(["-p", "site.yml", "-i", "s", "--summary"]).output().unwrap();
    assert_eq!(out.status.code(), Some(4));
    let stderr = text(&out).1;
    let line = stderr.lines().last().unwrap();
    for expected in ["failed", "rc 4", "bad", "down", pdd.path().join("artifacts/s").to_str().unwrap()] {
        assert!(line.contains(expected), "{expected:?} missing from {line:?}");
    }
    let quiet = ours().arg("run").arg(pdd.path()).args(["-p", "site.yml", "-i", "q", "-q"]).output().unwrap();
    assert_eq!(text(&quiet).1, "", "-q prints nothing");
    let quiet = ours().arg("run").arg(pdd.path()).args(["-p", "site.yml", "-i", "qs", "-q", "--summary"]).output();
    assert!(text(&quiet.unwrap()).1.contains("failed (rc 4)"), "--summary asks for it even with -q");
}

#[test]
fn junit_report_matches_the_events() {
    needs!(Ansible, SshClient);
    let pdd = failing_pdd();
    let report = pdd.path().join("reports/junit.xml");
    let out = ours()
        .arg("run")
        .arg(pdd.path())
        .args(["-p", "site.yml", "-i", "j", "-q", "--junit", report.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    let xml = std::fs::read_to_string(&report).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let cases: Vec<roxmltree::Node> = doc.descendants().filter(|n| n.has_tag_name("testcase")).collect();
    let events = pdd.artifacts("j").events();
    let results = events
        .iter()
        .filter(|e| {
            ["runner_on_ok", "runner_on_failed", "runner_on_skipped", "runner_on_unreachable"]
                .contains(&e["event"].as_str().unwrap())
        })
        .count();
    assert_eq!(cases.len(), results, "one test case per task and host");
    let failed: Vec<&str> = cases
        .iter()
        .filter(|c| c.children().any(|k| k.has_tag_name("failure")))
        .map(|c| c.attribute("name").unwrap())
        .collect();
    assert_eq!(failed, ["break one [bad]"]);
    let unreachable = cases.iter().find(|c| c.attribute("name") == Some("reach [down]")).unwrap();
    let error = unreachable.children().find(|k| k.has_tag_name("error")).expect("unreachable is an error");
    assert!(error.attribute("message").unwrap().contains("ssh"), "{:?}", error.attribute("message"));
    assert!(cases.iter().any(|c| c.children().any(|k| k.has_tag_name("skipped"))));
}

/// A one-shot HTTP server on loopback: answers each request with `status`, reports bodies.
pub fn server(status: u16, requests: usize) -> (String, mpsc::Receiver<Value>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(requests) {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let (mut length, mut agent) = (0, String::new());
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if line == "\r\n" || line.is_empty() {
                    break;
                }
                if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = value.trim().parse().unwrap();
                }
                if line.to_ascii_lowercase().starts_with("user-agent:") {
                    line["user-agent:".len()..].trim().clone_into(&mut agent);
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            stream
                .write_all(format!("HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").as_bytes())
                .unwrap();
            let mut payload: Value = serde_json::from_slice(&body).unwrap();
            // Not part of the body: the header, for the tests that look at who posted.
            payload["user_agent_header"] = Value::from(agent);
            let _ = tx.send(payload);
        }
    });
    (url, rx)
}

#[test]
fn failure_alert_is_posted_with_the_summary() {
    needs!(Ansible, SshClient);
    let pdd = failing_pdd();
    let (url, bodies) = server(200, 1);
    let out = ours()
        .arg("run")
        .arg(pdd.path())
        .args(["-p", "site.yml", "-i", "n", "-q", "--notify-url", &url])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    let payload = bodies.recv_timeout(PATIENCE).expect("no alert arrived");
    assert_eq!(payload["ident"], "n");
    assert_eq!(payload["status"], "failed");
    assert_eq!(payload["rc"], 4);
    let failed: Vec<&str> =
        payload["failed_hosts"].as_array().unwrap().iter().map(|h| h["host"].as_str().unwrap()).collect();
    assert_eq!(failed, ["bad"]);
    assert_eq!(payload["unreachable_hosts"][0]["host"], "down");
    assert_eq!(payload["failing_task"]["task"], "reach");
    assert!(payload["duration"].as_f64().unwrap() > 0.0);
    assert_eq!(payload["artifact_dir"], pdd.path().join("artifacts/n").to_str().unwrap());
    assert_eq!(payload["user_agent_header"], "ansible-runner/2.4.3+rust", "the implementation is named");
}

#[test]
fn success_alerts_only_with_always() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file("project/ok.yml", "- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: msg=fine\n");
    let (url, bodies) = server(204, 1);
    let quiet = ours().arg("run").arg(pdd.path()).args(["-p", "ok.yml", "-q", "--notify-url", &url]).output().unwrap();
    assert_eq!(quiet.status.code(), Some(0));
    let loud = ours()
        .arg("run")
        .arg(pdd.path())
        .args(["-p", "ok.yml", "-q", "-i", "always", "--notify-url", &url, "--notify-on", "always"])
        .output()
        .unwrap();
    assert_eq!(loud.status.code(), Some(0));
    let payload = bodies.recv_timeout(PATIENCE).expect("no alert arrived");
    assert_eq!(payload["ident"], "always", "the run without --notify-on always must not have posted");
    assert_eq!(payload["status"], "successful");
}

#[test]
fn unreachable_alert_server_changes_nothing() {
    needs!(Ansible, SshClient);
    let pdd = failing_pdd();
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", closed.local_addr().unwrap());
    drop(closed);
    let out = ours()
        .arg("run")
        .arg(pdd.path())
        .args(["-p", "site.yml", "-i", "u", "-q", "--notify-url", &url])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "the job's exit code is kept");
    assert!(text(&out).1.contains("alert not delivered"), "{}", text(&out).1);
    assert_eq!(pdd.artifacts("u").read("status"), "failed");
}

/// The machine's host name, as the kernel reports it.
fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap().trim().to_owned()
}

/// A private data dir named as a job is (the reports name the job after it), with the inventory,
/// the playbook and `more` files; the temp dir holding it goes with the returned guard.
fn compliance_scan(more: &[(&str, &str)]) -> (tempfile::TempDir, std::path::PathBuf) {
    let parent = tempfile::tempdir().unwrap();
    let pdd = parent.path().join("compliance_scan");
    for (relative, content) in [("inventory/hosts", INVENTORY), ("project/site.yml", PLAYBOOK)].iter().chain(more) {
        std::fs::create_dir_all(pdd.join(relative).parent().unwrap()).unwrap();
        std::fs::write(pdd.join(relative), content).unwrap();
    }
    (parent, pdd)
}

#[test]
fn alert_summary_and_junit_name_the_job_and_the_controller() {
    needs!(Ansible, SshClient);
    let (_parent, pdd) = compliance_scan(&[]);
    let report = pdd.join("junit.xml");
    let (url, bodies) = server(200, 1);
    let out = ours()
        .arg("run")
        .arg(&pdd)
        .args(["-p", "site.yml", "-i", "w", "--summary", "--notify-url", &url, "--junit", report.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    let host = hostname();
    let label = format!("compliance_scan on {host}: site.yml");
    let payload = bodies.recv_timeout(PATIENCE).expect("no alert arrived");
    assert_eq!(
        (&payload["job"], &payload["controller"], &payload["ran"]),
        (&Value::from("compliance_scan"), &Value::from(host.as_str()), &Value::from("site.yml"))
    );
    assert_eq!(
        payload["text"],
        format!("{label} failed (rc 4) — bad failed at \"break one\"; down unreachable at \"reach\"")
    );
    let stderr = text(&out).1;
    let line = stderr.lines().last().unwrap();
    assert!(line.starts_with(&format!("ansible-runner: {label} failed (rc 4) in ")), "{line}");
    let xml = std::fs::read_to_string(&report).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    for suite in doc.descendants().filter(|n| n.has_tag_name("testsuite")) {
        let properties: Vec<(&str, &str)> = suite
            .descendants()
            .filter(|n| n.has_tag_name("property"))
            .map(|p| (p.attribute("name").unwrap(), p.attribute("value").unwrap()))
            .collect();
        assert_eq!(properties, [("controller", host.as_str()), ("job", "compliance_scan"), ("ran", "site.yml")]);
    }
}

#[test]
fn alerts_name_modules_and_roles() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file("roles/greet/tasks/main.yml", "- fail: msg=nope\n");
    let (url, bodies) = server(200, 2);
    let module = ours()
        .arg("run")
        .arg(pdd.path())
        .args(["-m", "command", "-a", "false", "--hosts", "localhost", "-q", "--notify-url", &url])
        .output()
        .unwrap();
    assert_eq!(module.status.code(), Some(2), "{}", text(&module).1);
    let role = ours()
        .arg("run")
        .arg(pdd.path())
        .args(["-r", "greet", "--hosts", "localhost", "-q", "--notify-url", &url])
        .output()
        .unwrap();
    assert_eq!(role.status.code(), Some(2), "{}", text(&role).1);
    let ran: Vec<Value> = (0..2).map(|_| bodies.recv_timeout(PATIENCE).unwrap()["ran"].clone()).collect();
    assert_eq!(ran, ["module command", "role greet"]);
}

/// `history -j` of `pdd`, as parsed JSON lines.
fn history(pdd: &std::path::Path) -> Vec<Value> {
    let out = ours().arg("history").arg(pdd).arg("-j").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);
    text(&out).0.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn a_run_that_cannot_start_still_alerts_and_shows_in_history() {
    let (_parent, pdd) = compliance_scan(&[("env/settings", "job_timeout: \"5m\"\n")]);
    let report = pdd.join("junit.xml");
    let (url, bodies) = server(200, 1);
    let out = ours()
        .arg("run")
        .arg(&pdd)
        .args(["-p", "site.yml", "-i", "early", "-q", "--notify-url", &url, "--junit", report.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out).1;
    assert_eq!(stderr.lines().count(), 1, "the error once, without --summary: {stderr}");
    let payload = bodies.recv_timeout(PATIENCE).expect("no alert for a run that could not start");
    let expected = format!("compliance_scan on {}: site.yml not started (rc 1) — ", hostname());
    let alert = payload["text"].as_str().unwrap();
    assert!(alert.starts_with(&expected) && alert.contains("job_timeout") && alert.contains("`5m`"), "{alert}");
    assert_eq!(
        (&payload["status"], &payload["rc"], &payload["ident"]),
        (&Value::from("failed"), &Value::from(1), &Value::from("early"))
    );
    assert!(payload["reason"].as_str().unwrap().contains("env/settings"), "{payload}");
    let xml = std::fs::read_to_string(&report).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let error = doc.descendants().find(|n| n.has_tag_name("error")).expect("the run is red");
    assert!(error.attribute("message").unwrap().starts_with("not started: "), "{xml}");
    let runs = history(&pdd);
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(
        (&runs[0]["ident"], &runs[0]["status"], &runs[0]["rc"]),
        (&Value::from("early"), &Value::from("failed"), &Value::from(1))
    );
    let reason = std::fs::read_to_string(pdd.join("artifacts/early/reason")).unwrap();
    assert!(reason.contains("job_timeout"), "{reason}");
}

#[test]
fn an_artifact_dir_that_cannot_be_made_still_alerts() {
    let pdd = failing_pdd();
    pdd.file("blocker", "a file where the artifact root should be");
    let (url, bodies) = server(200, 1);
    let out = ours()
        .arg("run")
        .arg(pdd.path())
        .args(["-p", "site.yml", "-i", "nodir", "-q", "--summary", "--notify-url", &url])
        .args(["--artifact-dir", pdd.path().join("blocker/artifacts").to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out).1);
    let payload = bodies.recv_timeout(PATIENCE).expect("no alert arrived");
    assert_eq!(payload["status"], "failed");
    assert_eq!(payload["artifact_dir"], Value::Null, "no artifact dir could be made");
    assert!(payload["reason"].as_str().unwrap().contains("blocker"), "{payload}");
    let summary = text(&out).1;
    assert!(summary.contains("not started (rc 1) — "), "--summary prints the line: {summary}");
}

#[test]
fn a_run_skipped_by_the_lock_alerts_only_when_asked() {
    let pdd = Pdd::new();
    pdd.file("project/ok.yml", "- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: msg=fine\n");
    // Held as another run holds it: an flock on the private data dir's lock file.
    let file = std::fs::File::create(pdd.path().join(".ansible-runner.lock")).unwrap();
    let _held = nix::fcntl::Flock::lock(file, nix::fcntl::FlockArg::LockExclusiveNonblock).unwrap();
    let (url, bodies) = server(200, 1);
    let run = |ident: &str, on: &str| {
        ours()
            .arg("run")
            .arg(pdd.path())
            .args(["-p", "ok.yml", "-i", ident, "-q", "--lock", "--notify-url", &url, "--notify-on", on])
            .output()
            .unwrap()
    };
    let quiet = run("skip1", "failure");
    assert_eq!(quiet.status.code(), Some(75));
    let loud = run("skip2", "failure-or-skipped");
    assert_eq!(loud.status.code(), Some(75));
    let payload = bodies.recv_timeout(PATIENCE).expect("no alert arrived");
    assert_eq!(payload["ident"], "skip2", "--notify-on failure must not alert on a skip");
    assert_eq!(payload["status"], "skipped");
    assert_eq!(payload["rc"], 75);
    assert!(
        payload["text"].as_str().unwrap().contains("ok.yml skipped (rc 75) — another run holds the lock"),
        "{payload}"
    );
    let statuses: Vec<Value> = history(pdd.path()).iter().map(|r| r["status"].clone()).collect();
    assert_eq!(statuses, ["skipped", "skipped"]);
}

#[test]
fn a_syntax_error_says_why_in_the_summary_the_alert_and_junit() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file("project/broken.yml", "- hosts: all\n  tasks: [{debug: {msg: hi}}\n");
    let report = pdd.path().join("junit.xml");
    let (url, bodies) = server(200, 1);
    let out = ours()
        .arg("run")
        .arg(pdd.path())
        .args(["-p", "broken.yml", "-i", "syn", "-q", "--summary", "--notify-url", &url])
        .args(["--junit", report.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    let stderr = text(&out).1;
    let line = stderr.lines().last().unwrap();
    assert!(line.contains("failed (rc 4) in ") && line.contains(" — ") && line.contains("ERROR"), "{line}");
    assert!(line.contains("broken.yml:3"), "where Ansible found it: {line}");
    let payload = bodies.recv_timeout(PATIENCE).expect("no alert arrived");
    let reason = payload["reason"].as_str().unwrap();
    assert!(reason.contains("ERROR") && payload["text"].as_str().unwrap().ends_with(reason), "{payload}");
    let xml = std::fs::read_to_string(&report).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let error = doc.descendants().find(|n| n.has_tag_name("error")).unwrap();
    assert_eq!(error.attribute("message"), Some(format!("failed: {reason}").as_str()));
}

/// How many `runner_on_start` events the run in `artifacts` has written so far (the file being
/// written may not parse yet).
fn tasks_started(artifacts: &crate::common::Artifacts) -> usize {
    let Ok(entries) = std::fs::read_dir(artifacts.dir.join("job_events")) else { return 0 };
    entries
        .filter_map(|entry| serde_json::from_str::<Value>(&std::fs::read_to_string(entry.ok()?.path()).ok()?).ok())
        .filter(|event| event["event"] == "runner_on_start")
        .count()
}

#[test]
fn a_timeout_names_the_task_and_hosts_that_were_running() {
    needs!(Ansible);
    with_time_to_start(3, |limit| {
        let pdd = Pdd::new();
        let hosts = crate::common::LOCAL_INVENTORY.replace("localhost", "web10");
        pdd.file("inventory/hosts", &format!("{}{hosts}", crate::common::LOCAL_INVENTORY))
            .file("env/settings", &format!("job_timeout: {limit}\n"))
            .file(
                "project/hang.yml",
                "- hosts: all\n  gather_facts: false\n  tasks:\n    - name: Hang here\n      command: sleep 31.4159\n",
            );
        let mut child = ours()
            .arg("run")
            .arg(pdd.path())
            .args(["-p", "hang.yml", "-i", "t", "-q", "--summary"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let artifacts = pdd.artifacts("t");
        let mut both = false;
        wait_until("the task to start on both hosts, or the run to end", || {
            both = tasks_started(&artifacts) == 2;
            both || child.try_wait().unwrap().is_some()
        });
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(254));
        if !both {
            return None;
        }
        let stderr = text(&out).1;
        let line = stderr.lines().last().unwrap();
        assert!(
            line.contains("timeout (rc 254) in ") && line.contains(" — \"Hang here\" was running on localhost, web10"),
            "{line}"
        );
        Some(())
    });
}

#[test]
fn process_builds_the_reports_from_the_streamed_events() {
    use crate::stream::{feed, sub};
    needs!(Ansible, SshClient);
    let pdd = failing_pdd();
    let sent =
        sub(ours(), &["transmit", pdd.path().to_str().unwrap(), "-p", "site.yml", "-i", "remote"]).output().unwrap();
    assert_eq!(sent.status.code(), Some(0), "{}", text(&sent).1);
    let worked = feed(sub(ours(), &["worker"]), &sent.stdout);
    assert!(!worked.stdout.is_empty(), "{}", text(&worked).1);
    let controller = tempfile::tempdir().unwrap();
    let report = controller.path().join("junit.xml");
    let metrics = controller.path().join("job.prom");
    let (url, bodies) = server(200, 1);
    let mut process = ours();
    process.args(["process", controller.path().to_str().unwrap(), "-i", "remote", "-q", "--summary"]).args([
        "--notify-url",
        &url,
        "--junit",
        report.to_str().unwrap(),
        "--metrics-file",
        metrics.to_str().unwrap(),
    ]);
    let processed = feed(process, &worked.stdout);
    assert_eq!(processed.status.code(), Some(4), "{}", text(&processed).1);
    let stderr = text(&processed).1;
    assert!(
        stderr.contains("site.yml failed (rc 4) in ") && stderr.contains("failed: bad; unreachable: down"),
        "{stderr}"
    );
    let payload = bodies.recv_timeout(PATIENCE).expect("no alert arrived");
    assert_eq!(
        (&payload["status"], &payload["ran"], &payload["ident"]),
        (&Value::from("failed"), &Value::from("site.yml"), &Value::from("remote"))
    );
    assert_eq!(payload["failed_hosts"][0]["host"], "bad");
    let xml = std::fs::read_to_string(&report).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let failure = doc.descendants().find(|n| n.has_tag_name("failure")).expect("the failed task");
    assert_eq!(failure.parent().unwrap().attribute("name"), Some("break one [bad]"));
    let prom = std::fs::read_to_string(&metrics).unwrap();
    assert!(prom.lines().any(|l| l.starts_with("ansible_runner_last_run_rc{") && l.ends_with(" 4")), "{prom}");
}

#[test]
fn start_reports_a_job_it_cannot_launch() {
    let pdd = Pdd::new();
    pdd.file("project/ok.yml", "- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: msg=fine\n");
    let file = std::fs::File::create(pdd.path().join(".ansible-runner.lock")).unwrap();
    let held = nix::fcntl::Flock::lock(file, nix::fcntl::FlockArg::LockExclusiveNonblock).unwrap();
    let (url, bodies) = server(200, 2);
    let start = |ident: &str| {
        ours()
            .arg("start")
            .arg(pdd.path())
            .args(["-p", "ok.yml", "-i", ident, "--lock", "--notify-url", &url, "--notify-on", "failure-or-skipped"])
            .output()
            .unwrap()
    };
    assert_eq!(start("held").status.code(), Some(75));
    let skipped = bodies.recv_timeout(PATIENCE).expect("no alert for the skipped start");
    assert_eq!((skipped["ident"].as_str(), skipped["status"].as_str()), (Some("held"), Some("skipped")));
    drop(held);
    pdd.file("env/settings", "job_timeout: \"5m\"\n");
    assert_eq!(start("bad").status.code(), Some(1));
    let refused = bodies.recv_timeout(PATIENCE).expect("no alert for the refused start");
    assert_eq!(refused["ident"], "bad");
    assert!(refused["text"].as_str().unwrap().contains("not started"), "{refused}");
    assert!(!pdd.path().join("pid").exists());
}

#[test]
fn summary_line_only_on_a_terminal_or_when_asked() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file("project/site.yml", TWO_TASKS);
    let drawn = run_on_pty(&pdd, &["-p", "site.yml", "-i", "tty"]);
    assert!(drawn.contains("ansible-runner: ") && drawn.contains("site.yml successful (rc 0)"), "{drawn}");

    let piped = ours().arg("run").arg(pdd.path()).args(["-p", "site.yml", "-i", "pipe"]).output().unwrap();
    assert_eq!(text(&piped).1, "", "in a pipe stderr is the reference's: empty");
    assert!(!text(&piped).0.contains("ansible-runner:"), "{}", text(&piped).0);

    let asked = ours().arg("run").arg(pdd.path()).args(["-p", "site.yml", "-i", "ci", "--summary"]).output().unwrap();
    let stderr = text(&asked).1;
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("ansible-runner: ") && stderr.contains("site.yml successful (rc 0)"), "{stderr}");
}

#[test]
fn summary_is_coloured_on_a_terminal_and_names_env_cmdline() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file("project/site.yml", TWO_TASKS).file("env/cmdline", "--diff");
    let drawn = run_on_pty(&pdd, &["-p", "site.yml", "-i", "colour"]);
    let line = drawn.lines().find(|l| l.contains("successful (rc 0)")).unwrap_or_else(|| panic!("{drawn}"));
    // After the last redraw of the progress line, cleared (`ESC [2K`) before the summary.
    let line = line.rsplit("\u{1b}[2K").next().unwrap();
    assert!(line.starts_with("\u{1b}[32mansible-runner: "), "green on a terminal: {line:?}");
    assert!(line.contains("; with env/cmdline: --diff;"), "{line:?}");
    let piped =
        ours().arg("run").arg(pdd.path()).args(["-p", "site.yml", "-i", "plain", "--summary"]).output().unwrap();
    let stderr = text(&piped).1;
    assert!(stderr.starts_with("ansible-runner: ") && !stderr.contains('\u{1b}'), "plain in a pipe: {stderr:?}");
    let given = ours()
        .arg("run")
        .arg(pdd.path())
        .args(["-p", "site.yml", "-i", "given", "--summary", "--cmdline", "-v"])
        .output();
    assert!(!text(&given.unwrap()).1.contains("env/cmdline"), "a --cmdline of this run replaces env/cmdline");
}
