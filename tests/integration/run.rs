//! `run` on real ansible-core: artifacts, events, terminal modes and the live progress line, exit
//! codes, and the run lock.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use serde_json::Value;

use crate::common::{
    assert_stream_invariants, names, needs, ours, plain_lines, processes_with, run_on_pty, text, wait_until, Pdd,
    TWO_TASKS,
};

const PLAYBOOK: &str = r#"
- hosts: all
  gather_facts: false
  tasks:
    - name: say hello
      debug: msg="{{ greeting | default('hi') }}"
    - name: change something
      command: "true"
      changed_when: true
      notify: handle it
    - name: record stats
      set_stats:
        data: {answer: 42}
  handlers:
    - name: handle it
      debug: msg=handled
"#;

fn run(pdd: &Pdd, extra: &[&str]) -> std::process::Output {
    ours().arg("run").arg(pdd.path()).args(["-i", "t"]).args(extra).output().unwrap()
}

#[test]
fn playbook_run_writes_every_artifact() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file("project/site.yml", PLAYBOOK).file("env/extravars", "greeting: from extravars\n");
    let out = run(&pdd, &["-p", "site.yml"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let artifacts = pdd.artifacts("t");
    assert_eq!(artifacts.read("rc"), "0");
    assert_eq!(artifacts.read("status"), "successful");
    for name in ["command", "stdout", "stderr", "job_events", "fact_cache"] {
        assert!(artifacts.dir.join(name).exists(), "{name} missing");
    }
    for name in ["command", "stdout", "rc", "status"] {
        let mode = fs::metadata(artifacts.dir.join(name)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{name}");
    }
    let command: serde_json::Map<String, Value> = serde_json::from_str(&artifacts.read("command")).unwrap();
    assert_eq!(command.keys().collect::<Vec<_>>(), ["command", "cwd", "env"]);
    assert_eq!(command["command"][0], "ansible-playbook");
    assert_eq!(command["cwd"], pdd.path().join("project").to_str().unwrap());
    assert_eq!(command["env"]["ANSIBLE_STDOUT_CALLBACK"], "awx_display");

    let events = artifacts.events();
    assert_stream_invariants(&events);
    let names = names(&events);
    assert_eq!(crate::common::first_after_start_up(&names), Some("playbook_on_start"));
    assert_eq!(names.last().map(String::as_str), Some("playbook_on_stats"));
    for expected in
        ["playbook_on_play_start", "playbook_on_task_start", "runner_on_start", "runner_on_ok", "playbook_on_notify"]
    {
        assert!(names.iter().any(|n| n == expected), "{expected} missing from {names:?}");
    }
    let stats = events.last().unwrap();
    assert_eq!(stats["event_data"]["artifact_data"], serde_json::json!({"answer": 42}));
    assert_eq!(stats["event_data"]["changed"], serde_json::json!({"localhost": 1}));
    let hello = events.iter().find(|e| e["event"] == "runner_on_ok" && e["event_data"]["task"] == "say hello").unwrap();
    assert_eq!(hello["event_data"]["res"]["msg"], "from extravars");
    for event in &events {
        let file = artifacts.dir.join("job_events").join(format!(
            "{}-{}.json",
            event["counter"],
            event["uuid"].as_str().unwrap()
        ));
        assert!(file.exists(), "{}", file.display());
    }

    // The stdout artifact is the events' text, in order.
    let from_events: Vec<String> = events
        .iter()
        .filter(|e| !e["stdout"].as_str().unwrap().is_empty())
        .flat_map(|e| plain_lines(e["stdout"].as_str().unwrap()))
        .collect();
    assert_eq!(artifacts.stdout_lines(), from_events);
    // What was printed (piped, so without colour) is the same text.
    let printed = text(&out).0;
    assert!(!printed.contains('\u{1b}'), "colour codes on a pipe");
    assert_eq!(plain_lines(&printed), from_events);
}

#[test]
fn json_mode_prints_one_line_per_event_json_but_for_outside_output() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file("project/site.yml", PLAYBOOK);
    let out = run(&pdd, &["-p", "site.yml", "-j", "-v"]);
    assert_eq!(out.status.code(), Some(0));
    let printed = text(&out).0;
    let events = pdd.artifacts("t").events();
    assert_eq!(printed.lines().count(), events.len());
    // Output from outside the plugin (`-v`'s "No config file found") stays text, as the
    // reference prints it; every other event is its JSON line.
    for (line, event) in printed.lines().zip(&events) {
        if event["event"] == "verbose" {
            assert_eq!(line, event["stdout"], "{line}");
        } else {
            assert_eq!(serde_json::from_str::<Value>(line).unwrap(), Value::Object(event.clone()));
        }
    }
    assert!(events.iter().any(|e| e["event"] == "verbose"), "no output from outside the plugin to show");
    // The `stdout` artifact holds what was shown, as the reference's does in JSON mode.
    assert_eq!(pdd.artifacts("t").read("stdout"), printed);
}

#[test]
fn quiet_prints_nothing_but_writes_artifacts() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file("project/site.yml", PLAYBOOK);
    let out = run(&pdd, &["-p", "site.yml", "-q"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out).0, "");
    assert!(pdd.artifacts("t").events().len() > 5);
}

#[test]
fn exit_code_is_ansibles_rc() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file("project/fail.yml", "- hosts: all\n  gather_facts: false\n  tasks:\n    - fail: msg=boom\n");
    let out = run(&pdd, &["-p", "fail.yml"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(pdd.artifacts("t").read("rc"), "2");
    assert_eq!(pdd.artifacts("t").read("status"), "failed");
    assert!(text(&out).0.contains("boom"));
}

#[test]
fn ad_hoc_module_runs_ansible() {
    needs!(Ansible);
    let pdd = Pdd::new();
    let out = run(&pdd, &["-m", "command", "-a", "echo ad-hoc-output", "--hosts", "localhost"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let artifacts = pdd.artifacts("t");
    let command: Value = serde_json::from_str(&artifacts.read("command")).unwrap();
    assert_eq!(command["command"][0], "ansible");
    assert_eq!(command["cwd"], pdd.path().to_str().unwrap());
    let events = artifacts.events();
    assert_stream_invariants(&events);
    let ok = events.iter().find(|e| e["event"] == "runner_on_ok").expect("runner_on_ok");
    assert_eq!(ok["ad_hoc_command_id"], 1);
    assert!(ok["stdout"].as_str().unwrap().contains("ad-hoc-output"));
}

#[test]
fn role_from_the_default_roles_path_runs_and_leaves_nothing_behind() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file("roles/hello/tasks/main.yml", "- debug: msg=\"role says {{ word }}\"\n");
    let out = run(&pdd, &["-r", "hello", "--role-vars", "word=hi", "--role-skip-facts", "--hosts", "localhost"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert!(text(&out).0.contains("role says hi"));
    assert!(!pdd.path().join("project").exists(), "the synthesised project dir must be removed");
    let command: Value = serde_json::from_str(&pdd.artifacts("t").read("command")).unwrap();
    assert_eq!(command["env"]["ANSIBLE_ROLES_PATH"], pdd.path().join("roles").to_str().unwrap());
}

#[test]
fn missing_ansible_is_rc_127_with_a_hint() {
    let pdd = Pdd::new();
    pdd.file("project/site.yml", PLAYBOOK);
    let out = ours()
        .arg("run")
        .arg(pdd.path())
        .args(["-i", "t", "-p", "site.yml"])
        .env("PATH", "/nonexistent")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(127));
    let artifacts = pdd.artifacts("t");
    assert_eq!(artifacts.read("rc"), "127");
    assert_eq!(artifacts.read("status"), "failed");
    assert_eq!(artifacts.stdout_lines(), ["The command was not found or was not executable: ansible-playbook."]);
    assert!(text(&out).1.contains("pip install ansible-core"));
}

#[test]
fn secret_names_with_pass_credential_or_private_are_masked() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file("project/site.yml", PLAYBOOK).file("env/envvars", "DB_PASS: hunter2-pass\n");
    let out = ours()
        .arg("run")
        .arg(pdd.path())
        .args(["-i", "m", "-p", "site.yml"])
        .env("GCP_CREDENTIALS", "cred-secret")
        .env("SIGNING_PRIVATE_PEM", "pem-secret")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let command: Value = serde_json::from_str(&pdd.artifacts("m").read("command")).unwrap();
    for name in ["DB_PASS", "GCP_CREDENTIALS", "SIGNING_PRIVATE_PEM"] {
        assert_eq!(command["env"][name], "**********", "{name}");
    }
    assert_eq!(command["env"]["HOME"], std::env::var("HOME").unwrap(), "other values stay");
}

#[test]
fn secrets_never_reach_the_artifacts() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file("project/site.yml", PLAYBOOK).file("env/envvars", "DB_PASSWORD: hunter2-envvars\n");
    let out = ours()
        .arg("run")
        .arg(pdd.path())
        .args(["-i", "t", "-p", "site.yml"])
        .env("API_TOKEN", "tok-inherited-secret")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let artifacts = pdd.artifacts("t");
    let command: Value = serde_json::from_str(&artifacts.read("command")).unwrap();
    assert_eq!(command["env"]["DB_PASSWORD"], "**********");
    assert_eq!(command["env"]["API_TOKEN"], "**********");
    for entry in walkdir::WalkDir::new(&artifacts.dir) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let content = fs::read_to_string(entry.path()).unwrap_or_default();
            assert!(
                !content.contains("hunter2-envvars") && !content.contains("tok-inherited-secret"),
                "{}",
                entry.path().display()
            );
        }
    }
}

#[test]
fn rotate_artifacts_keeps_the_newest_runs() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file("project/site.yml", "- hosts: all\n  gather_facts: false\n  tasks: []\n");
    for ident in ["a", "b", "c"] {
        let out = ours()
            .arg("run")
            .arg(pdd.path())
            .args(["-i", ident, "-p", "site.yml", "--rotate-artifacts", "2", "-q"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
    }
    let mut left: Vec<String> = fs::read_dir(pdd.path().join("artifacts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    left.sort();
    assert_eq!(left, ["b", "c"]);
}

#[test]
fn cmdline_is_passed_first_and_kept_in_env_cmdline() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file("project/site.yml", "- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: var=from_cmdline\n");
    let out = run(&pdd, &["-p", "site.yml", "--cmdline", "-e from_cmdline=yes"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out).0.contains("\"from_cmdline\": \"yes\""));
    let command: Value = serde_json::from_str(&pdd.artifacts("t").read("command")).unwrap();
    assert_eq!(command["command"][1], "-e");
    assert_eq!(fs::read_to_string(pdd.path().join("env/cmdline")).unwrap(), "-e from_cmdline=yes");
}

#[test]
fn reused_ident_does_not_mix_events() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file("project/site.yml", PLAYBOOK);
    assert_eq!(run(&pdd, &["-p", "site.yml", "-q"]).status.code(), Some(0));
    let first = pdd.artifacts("t").events().len();
    assert_eq!(run(&pdd, &["-p", "site.yml", "-q"]).status.code(), Some(0));
    let events = pdd.artifacts("t").events();
    assert_eq!(events.len(), first);
    assert_stream_invariants(&events);
}

#[test]
fn a_second_run_with_the_same_ident_refuses_at_once_and_leaves_the_first_alone() {
    use nix::sys::signal::{kill, Signal};
    use std::process::Stdio;
    use std::time::{Duration, Instant};
    needs!(Ansible);
    let marker = "61.4207";
    let pdd = Pdd::new();
    pdd.file(
        "project/site.yml",
        &format!("- hosts: all\n  gather_facts: false\n  tasks:\n    - command: sleep {marker}\n"),
    );
    let mut first = ours();
    first.arg("run").arg(pdd.path()).args(["-p", "site.yml", "--ident", "same"]);
    let mut first = first.stdin(Stdio::null()).stdout(Stdio::null()).spawn().unwrap();
    crate::common::wait_until("the first run's task", || !crate::common::processes_with(marker).is_empty());
    let events_before = pdd.artifacts("same").events().len();
    // An `ansible-playbook` first on the second run's PATH that leaves a mark, should it be run.
    let stand_in = tempfile::tempdir().unwrap();
    let mark = stand_in.path().join("ran");
    fs::write(stand_in.path().join("ansible-playbook"), format!("#!/bin/sh\ntouch {}\n", mark.display())).unwrap();
    fs::set_permissions(stand_in.path().join("ansible-playbook"), fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", stand_in.path().display(), crate::common::test_path());
    let began = Instant::now();
    let mut second = ours();
    second.env("PATH", path).arg("run").arg(pdd.path()).args(["-p", "site.yml", "--ident", "same"]);
    let second = second.output().unwrap();
    let took = began.elapsed();
    assert_eq!(second.status.code(), Some(1), "{:?}", text(&second));
    let stderr = text(&second).1;
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("is in use by another run with the same ident"), "{stderr}");
    assert!(!mark.exists(), "refused at once, not after starting Ansible");
    // The first run's task sleeps 61 s: the second did not wait for it to end.
    assert!(took < Duration::from_secs(30), "refused at once: {took:?}");
    let artifacts = pdd.artifacts("same");
    assert_eq!(artifacts.events().len(), events_before, "the first run's events are untouched");
    assert!(!artifacts.dir.join("status").exists(), "no status for the first run from the second");
    kill(nix::unistd::Pid::from_raw(first.id() as i32), Signal::SIGTERM).unwrap();
    assert_eq!(first.wait().unwrap().code(), Some(254));
    assert_eq!(artifacts.read("status"), "canceled");
    assert_stream_invariants(&artifacts.events());
}

#[test]
fn a_program_that_cannot_start_is_named_with_the_reason() {
    let pdd = Pdd::new();
    pdd.file("project/p.yml", "- hosts: all\n  tasks: []\n");
    let scripts = tempfile::tempdir().unwrap();
    let (plain, orphan) = (scripts.path().join("plain"), scripts.path().join("orphan"));
    fs::write(&plain, "#!/bin/sh\n").unwrap();
    fs::write(&orphan, "#!/nonexistent/interpreter\n").unwrap();
    fs::set_permissions(&orphan, fs::Permissions::from_mode(0o755)).unwrap();
    let said = |binary: &std::path::Path| {
        let out = ours().arg("run").arg(pdd.path()).args(["-p", "p.yml", "-q", "-b"]).arg(binary).output().unwrap();
        (out.status.code(), text(&out).1)
    };
    let (code, stderr) = said(&plain);
    assert_eq!(code, Some(127));
    assert!(stderr.contains(&format!("{} is not executable", plain.display())), "{stderr}");
    let (code, stderr) = said(&orphan);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains(&format!("cannot start {}: the interpreter its #! line names was not found", orphan.display())),
        "{stderr}"
    );
}

/// The callback plugin comes from the user's cache, written once, and the run's FIFO from the
/// user's runtime dir (kept, empty, for the next run); where that cache cannot be made (a
/// read-only home, a file in its place) the run installs the plugin beside its own FIFO and still
/// gets every event; either way nothing of the run is left at its end, and a FIFO named by an outer
/// job's environment is not used.
#[test]
fn the_plugin_comes_from_the_cache_or_without_one_from_the_run_s_own_dir() {
    needs!(Ansible);
    let cache = tempfile::tempdir().unwrap();
    let blocked = cache.path().join("a-file");
    fs::write(&blocked, "x").unwrap();
    let temp = tempfile::tempdir().unwrap();
    let mut counts = Vec::new();
    for cache_home in [cache.path(), blocked.as_path()] {
        let pdd = Pdd::new();
        pdd.file("project/site.yml", PLAYBOOK);
        let out = ours()
            .env("XDG_CACHE_HOME", cache_home)
            .env("TMPDIR", temp.path())
            .env_remove("XDG_RUNTIME_DIR")
            // As a job run from inside another job sees it: that job's FIFO is not this one's.
            .env("RUNNER_EVENT_CHANNEL", cache.path().join("outer-job-events"))
            .arg("run")
            .arg(pdd.path())
            .args(["-p", "site.yml", "-i", "t", "-q"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
        counts.push(pdd.artifacts("t").events().len());
        assert_eq!(left_in(temp.path()), Vec::<String>::new(), "the run left files in the temp dir");
    }
    assert!(counts[0] > 5, "{counts:?}");
    assert_eq!(counts[0], counts[1], "the same events with and without the cache");
    let cached: Vec<_> = fs::read_dir(cache.path().join("ansible-runner")).unwrap().collect();
    assert_eq!(cached.len(), 1, "one plugin version in the cache");
}

/// The run's FIFO goes in the user's runtime dir (`$XDG_RUNTIME_DIR/ansible-runner`), unlinked at
/// the run's end; a runtime dir that cannot be used (`XDG_RUNTIME_DIR` names a file) is passed
/// over for a private temp dir, and every event still comes.
#[test]
fn the_fifo_goes_in_the_runtime_dir_or_without_one_in_a_temp_dir() {
    needs!(Ansible);
    let scratch = tempfile::tempdir().unwrap();
    let (runtime, not_a_dir, temp) =
        (scratch.path().join("run"), scratch.path().join("a-file"), scratch.path().join("tmp"));
    fs::create_dir(&runtime).unwrap();
    fs::create_dir(&temp).unwrap();
    fs::write(&not_a_dir, "x").unwrap();
    let mut runs = Vec::new();
    for runtime_dir in [&runtime, &not_a_dir] {
        let pdd = Pdd::new();
        pdd.file("project/site.yml", PLAYBOOK);
        let out = ours()
            .env("XDG_CACHE_HOME", scratch.path().join("cache"))
            .env("XDG_RUNTIME_DIR", runtime_dir)
            .env("TMPDIR", &temp)
            .arg("run")
            .arg(pdd.path())
            .args(["-p", "site.yml", "-i", "t", "-q"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
        let command: Value = serde_json::from_str(&pdd.artifacts("t").read("command")).unwrap();
        let channel = command["env"]["RUNNER_EVENT_CHANNEL"].as_str().unwrap().to_owned();
        runs.push((channel, pdd.artifacts("t").events().len()));
    }
    assert!(runs[0].0.starts_with(&format!("{}/ansible-runner/events-", runtime.display())), "{runs:?}");
    assert!(runs[1].0.starts_with(&format!("{}/ansible-runner-", temp.display())), "{runs:?}");
    assert!(runs[0].1 > 5 && runs[0].1 == runs[1].1, "the same events either way: {runs:?}");
    assert_eq!(fs::read_dir(runtime.join("ansible-runner")).unwrap().count(), 0, "a FIFO outlived its run");
    assert_eq!(fs::read_dir(&temp).unwrap().count(), 0, "the temp dir outlived its run");
}

/// Everything under `dir` but the user's (empty) runtime dir.
fn left_in(dir: &Path) -> Vec<String> {
    let runtime = format!("ansible-runner-{}", nix::unistd::geteuid());
    walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .map(|entry| entry.unwrap().path().strip_prefix(dir).unwrap().display().to_string())
        .filter(|name| *name != runtime)
        .collect()
}

#[test]
fn progress_is_drawn_on_a_terminal_and_absent_when_piped() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file("project/site.yml", TWO_TASKS);
    let drawn = run_on_pty(&pdd, &["-p", "site.yml", "-i", "tty"]);
    assert!(drawn.contains("TASK [second]") && drawn.contains("hosts 1/1"), "{drawn}");
    assert!(drawn.contains("ok=1"), "{drawn}");
    assert!(drawn.contains("ok=2 changed=1"), "counts as in the recap: {drawn}");
    assert!(drawn.contains("\u{1b}[0;32m"), "colours on a terminal");

    let piped = ours().arg("run").arg(pdd.path()).args(["-p", "site.yml", "-i", "pipe"]).output().unwrap();
    let (stdout, stderr) = text(&piped);
    assert!(!stdout.contains("hosts 1/1") && !stderr.contains("hosts 1/1"));
    assert!(!stdout.contains('\u{1b}'));

    let json = run_on_pty(&pdd, &["-p", "site.yml", "-i", "json", "-j"]);
    assert!(!json.contains("hosts 1/1"), "no progress with -j");
}

#[test]
fn lock_refuses_a_second_run_and_waits_when_asked() {
    needs!(Ansible);
    let marker = "42.0707";
    let pdd = Pdd::new();
    pdd.file(
        "project/nap.yml",
        &format!("- hosts: all\n  gather_facts: false\n  tasks:\n    - command: sleep {marker}\n"),
    );
    pdd.file("project/quick.yml", TWO_TASKS);
    let mut holder =
        ours().arg("run").arg(pdd.path()).args(["-p", "nap.yml", "-i", "a", "-q", "--lock"]).spawn().unwrap();
    wait_until("the first run to start", || !processes_with(marker).is_empty());

    let refused =
        ours().arg("run").arg(pdd.path()).args(["-p", "quick.yml", "-i", "b", "-q", "--lock"]).output().unwrap();
    assert_eq!(refused.status.code(), Some(75));
    assert!(text(&refused).1.contains("holds the lock"), "{:?}", text(&refused));
    assert!(!pdd.path().join("artifacts/b/command").exists(), "a refused run must not start");
    assert_eq!(fs::read_to_string(pdd.path().join("artifacts/b/status")).unwrap(), "skipped", "history shows it");

    // A killed holder never leaves a stale lock.
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(holder.id() as i32), nix::sys::signal::Signal::SIGKILL).unwrap();
    holder.wait().unwrap();
    let waited = ours()
        .arg("run")
        .arg(pdd.path())
        .args(["-p", "quick.yml", "-i", "c", "-q", "--lock", "--lock-wait", "30"])
        .output()
        .unwrap();
    assert_eq!(waited.status.code(), Some(0), "{:?}", text(&waited));
    let _ = std::process::Command::new("pkill").args(["-f", marker]).status();
}
