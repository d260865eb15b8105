//! `history` over real runs: finished playbook, module and role runs newest first, a started job
//! shown as running while its runner lives, and as died once its runner is killed.

use std::fs;

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use serde_json::Value;

use crate::common::{needs, ours, processes_with, text, wait_until, Pdd};

/// `history -j` as parsed JSON lines.
fn history_json(pdd: &Pdd, extra: &[&str]) -> Vec<Value> {
    let out = ours().arg("history").arg(pdd.path()).arg("-j").args(extra).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);
    text(&out).0.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn run(pdd: &Pdd, args: &[&str]) -> i32 {
    let out = ours().arg("run").arg(pdd.path()).args(["-q"]).args(args).output().unwrap();
    out.status.code().unwrap()
}

#[test]
fn finished_runs_newest_first_with_what_ran() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file(
        "inventory/hosts",
        "a ansible_connection=local ansible_python_interpreter=\"{{ ansible_playbook_python }}\"\n\
         b ansible_connection=local ansible_python_interpreter=\"{{ ansible_playbook_python }}\"\n",
    )
    .file("project/site.yml", "- hosts: all\n  gather_facts: false\n  tasks:\n    - command: \"false\"\n")
    .file("roles/greet/tasks/main.yml", "- debug: msg=hello\n");
    assert_eq!(run(&pdd, &["-p", "site.yml", "-i", "first"]), 2);
    assert_eq!(run(&pdd, &["-m", "ping", "--hosts", "a", "-i", "second"]), 0);
    assert_eq!(run(&pdd, &["-r", "greet", "--hosts", "b", "--role-skip-facts", "-i", "third"]), 0);

    let runs = history_json(&pdd, &[]);
    let idents: Vec<&str> = runs.iter().map(|r| r["ident"].as_str().unwrap()).collect();
    assert_eq!(idents, ["third", "second", "first"]);
    let first = &runs[2];
    assert_eq!((&first["status"], &first["rc"]), (&Value::from("failed"), &Value::from(2)));
    assert_eq!((&first["failed_hosts"], &first["unreachable_hosts"]), (&Value::from(2), &Value::from(0)));
    assert_eq!(first["ran"], "site.yml");
    assert!(first["duration"].as_f64().unwrap() > 0.0);
    assert_eq!(first["artifact_dir"], pdd.path().join("artifacts/first").to_str().unwrap());
    assert_eq!(runs[1]["ran"], "module ping");
    assert_eq!(runs[0]["ran"], "role greet");
    assert_eq!(runs[0]["failed_hosts"], 0);

    let newest = history_json(&pdd, &["-n", "1"]);
    assert_eq!(newest.len(), 1);
    assert_eq!(newest[0]["ident"], "third");

    // The table, also when stdout is a pipe: a heading and one aligned line per run.
    let out = ours().arg("history").arg(pdd.path()).output().unwrap();
    let table = text(&out).0;
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 4, "{table}");
    assert!(lines[0].starts_with("IDENT") && lines[0].ends_with("RAN"), "{table}");
    let status_at = lines[0].find("STATUS").unwrap();
    assert_eq!(&lines[3][status_at..status_at + 6], "failed", "{table}");
    assert!(lines[3].ends_with("  site.yml"), "{table}");
}

#[test]
fn started_job_is_running_until_its_runner_dies() {
    needs!(Ansible);
    let marker = "47.1301";
    let pdd = Pdd::new();
    pdd.file(
        "project/nap.yml",
        &format!("- hosts: all\n  gather_facts: false\n  tasks:\n    - command: sleep {marker}\n"),
    );
    let out = ours().arg("start").arg(pdd.path()).args(["-p", "nap.yml", "-i", "nap"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);
    wait_until("the job's sleep", || !processes_with(marker).is_empty());
    let running = &history_json(&pdd, &[])[0];
    assert_eq!((&running["ident"], &running["status"]), (&Value::from("nap"), &Value::from("running")));
    assert_eq!(running["rc"], Value::Null);
    assert_eq!(running["ran"], "nap.yml");

    // The runner dies without writing status; its job lives on as an orphan until we end it.
    let pid: i32 = fs::read_to_string(pdd.path().join("pid")).unwrap().trim().parse().unwrap();
    kill(Pid::from_raw(pid), Signal::SIGKILL).unwrap();
    wait_until("the runner to be gone", || {
        fs::read_to_string(format!("/proc/{pid}/stat")).map_or(true, |s| s.contains(") Z "))
    });
    let died = &history_json(&pdd, &[])[0];
    assert_eq!((&died["ident"], &died["status"]), (&Value::from("nap"), &Value::from("died")));
    assert_eq!(died["duration"], Value::Null);
    for orphan in processes_with(pdd.path().to_str().unwrap()).into_iter().chain(processes_with(marker)) {
        let _ = kill(Pid::from_raw(orphan), Signal::SIGKILL);
    }
    wait_until("the orphans to end", || processes_with(marker).is_empty());
}

#[test]
fn artifact_dir_and_empty_or_missing_dirs() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file("project/ok.yml", "- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: msg=x\n");
    let elsewhere = tempfile::tempdir().unwrap();
    let root = elsewhere.path().to_str().unwrap();
    assert_eq!(run(&pdd, &["-p", "ok.yml", "-i", "moved", "--artifact-dir", root]), 0);
    let runs = history_json(&pdd, &["--artifact-dir", root]);
    assert_eq!(runs.len(), 1);
    assert_eq!((&runs[0]["ident"], &runs[0]["status"]), (&Value::from("moved"), &Value::from("successful")));

    let none = ours().arg("history").arg(pdd.path()).output().unwrap();
    assert_eq!(none.status.code(), Some(0));
    assert!(text(&none).0.is_empty());
    assert!(text(&none).1.contains("no runs in"), "{}", text(&none).1);

    let missing = ours().arg("history").arg(pdd.path().join("nope")).output().unwrap();
    assert_eq!(missing.status.code(), Some(1));
    assert_eq!(
        text(&missing).1.trim(),
        format!("ansible-runner: {}: no such private data dir", pdd.path().join("nope").display())
    );
}

#[test]
fn fifos_in_place_of_command_or_the_last_event_do_not_hang_it_and_a_status_link_is_not_followed() {
    use nix::sys::stat::Mode;
    use std::process::Stdio;
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file("project/ok.yml", "- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: msg=x\n");
    assert_eq!(run(&pdd, &["-p", "ok.yml", "-i", "piped"]), 0);
    let dir = pdd.artifacts("piped").dir;
    let mut events: Vec<_> = fs::read_dir(dir.join("job_events")).unwrap().map(|e| e.unwrap().path()).collect();
    events.sort_by_key(|p| p.file_name().unwrap().to_str().unwrap().split('-').next().unwrap().parse::<u64>().unwrap());
    for path in [dir.join("command"), events.last().unwrap().clone()] {
        fs::remove_file(&path).unwrap();
        nix::unistd::mkfifo(&path, Mode::S_IRUSR | Mode::S_IWUSR).unwrap();
    }
    assert_eq!(run(&pdd, &["-p", "ok.yml", "-i", "linked"]), 0);
    let linked = pdd.artifacts("linked").dir;
    let elsewhere = tempfile::NamedTempFile::new().unwrap();
    fs::write(elsewhere.path(), "timeout").unwrap();
    fs::remove_file(linked.join("status")).unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), linked.join("status")).unwrap();

    let mut child = ours().arg("history").arg(pdd.path()).arg("--json").stdout(Stdio::piped()).spawn().unwrap();
    wait_until("history to end", || child.try_wait().unwrap().is_some());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let runs: Vec<Value> = text(&out).0.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let status = |ident: &str| runs.iter().find(|r| r["ident"] == ident).unwrap()["status"].clone();
    assert_eq!(status("piped"), "successful");
    assert_eq!(status("linked"), "unknown", "the status link is not followed, and the run did not die");
    let linked = runs.iter().find(|r| r["ident"] == "linked").unwrap();
    assert_eq!(linked["status_unreadable"], "status is a symbolic link");
    let table = ours().arg("history").arg(pdd.path()).output().unwrap();
    assert!(text(&table).1.contains("run linked: status unknown: status is a symbolic link"), "{}", text(&table).1);
}
