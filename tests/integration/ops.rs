//! Operator features on real ansible-core: live progress under a pseudo-terminal, the run lock,
//! and replay.

use std::fs;
use std::io::Read;
use std::process::Stdio;

use crate::common::{needs, ours, processes_with, text, wait_until, Pdd};

const PLAYBOOK: &str = "- hosts: all\n  gather_facts: false\n  tasks:\n    - name: first\n      debug: msg=one\n    - name: second\n      command: \"true\"\n";

/// Runs the binary with stdout and stderr on a new pseudo-terminal and returns what it drew.
fn run_on_pty(pdd: &Pdd, args: &[&str]) -> String {
    let pty = nix::pty::openpty(None, None).unwrap();
    let mut child = ours()
        .arg("run")
        .arg(pdd.path())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::from(pty.slave.try_clone().unwrap()))
        .stderr(Stdio::from(pty.slave))
        .spawn()
        .unwrap();
    let mut master = fs::File::from(pty.master);
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    // Until EOF, or EIO: the last holder of the terminal's other side is gone.
    while let Ok(n @ 1..) = master.read(&mut buf) {
        seen.extend_from_slice(&buf[..n]);
    }
    assert!(child.wait().unwrap().success());
    String::from_utf8_lossy(&seen).into_owned()
}

#[test]
fn progress_is_drawn_on_a_terminal_and_absent_when_piped() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file("project/site.yml", PLAYBOOK);
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
fn summary_line_only_on_a_terminal_or_when_asked() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file("project/site.yml", PLAYBOOK);
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
fn lock_refuses_a_second_run_and_waits_when_asked() {
    needs!(Ansible);
    let marker = "42.0707";
    let pdd = Pdd::new();
    pdd.file(
        "project/nap.yml",
        &format!("- hosts: all\n  gather_facts: false\n  tasks:\n    - command: sleep {marker}\n"),
    );
    pdd.file("project/quick.yml", PLAYBOOK);
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

#[test]
fn replay_prints_what_the_run_printed() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file("project/site.yml", PLAYBOOK);
    let live = ours().arg("run").arg(pdd.path()).args(["-p", "site.yml", "-i", "r1"]).output().unwrap();
    let replayed = ours().arg("replay").arg(pdd.path()).args(["-i", "r1"]).output().unwrap();
    assert_eq!(replayed.status.code(), Some(0));
    assert_eq!(text(&replayed).0, text(&live).0);
    let live_json = ours().arg("run").arg(pdd.path()).args(["-p", "site.yml", "-i", "r2", "-j"]).output().unwrap();
    let latest = ours().arg("replay").arg(pdd.path()).arg("-j").output().unwrap();
    assert_eq!(text(&latest).0, text(&live_json).0, "the latest run, as JSON lines");
    let missing = ours().arg("replay").arg(pdd.path()).args(["-i", "nope"]).output().unwrap();
    assert_eq!(missing.status.code(), Some(1));
}

#[test]
fn replay_follow_tails_a_running_job_to_its_end() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file(
        "project/slow.yml",
        "- hosts: all\n  gather_facts: false\n  tasks:\n    - command: sleep 2\n    - debug: msg=after-the-nap\n",
    );
    let started = ours().arg("start").arg(pdd.path()).args(["-p", "slow.yml", "-i", "f"]).output().unwrap();
    assert_eq!(started.status.code(), Some(0));
    wait_until("the first event", || {
        fs::read_dir(pdd.path().join("artifacts/f/job_events")).is_ok_and(|mut d| d.next().is_some())
    });
    let followed = ours().arg("replay").arg(pdd.path()).args(["-i", "f", "--follow"]).output().unwrap();
    assert_eq!(followed.status.code(), Some(0));
    let out = text(&followed).0;
    assert!(out.contains("after-the-nap") && out.contains("PLAY RECAP"), "{out}");
    let recorded = fs::read_to_string(pdd.path().join("artifacts/f/stdout")).unwrap();
    assert_eq!(out, console::strip_ansi_codes(&recorded), "replay shows the recorded text");
}

#[test]
fn replay_writes_junit_and_quiet_prints_the_summary() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file(
        "project/fail.yml",
        "- hosts: all\n  gather_facts: false\n  tasks:\n    - name: break\n      command: \"false\"\n",
    );
    let live = ours().arg("run").arg(pdd.path()).args(["-p", "fail.yml", "-i", "rj", "-q"]).output().unwrap();
    assert_eq!(live.status.code(), Some(2));
    let report = pdd.path().join("replayed.xml");
    let replayed = ours()
        .arg("replay")
        .arg(pdd.path())
        .args(["-i", "rj", "-q", "--junit", report.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(replayed.status.code(), Some(2));
    let (stdout, stderr) = text(&replayed);
    assert_eq!(stdout, "", "-q prints no events");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("ansible-runner: failed (rc 2) in ") && stderr.contains("failed: localhost;"),
        "{stderr}"
    );
    let xml = fs::read_to_string(&report).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let failure = doc.descendants().find(|n| n.has_tag_name("failure")).expect("the failed task is a failure");
    assert_eq!(failure.parent().unwrap().attribute("name"), Some("break [localhost]"));
    let piped = ours().arg("replay").arg(pdd.path()).args(["-i", "rj"]).output().unwrap();
    assert_eq!(text(&piped).1, "", "in a pipe, without -q, no summary");
}

#[test]
fn summary_is_coloured_on_a_terminal_and_names_env_cmdline() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file("project/site.yml", PLAYBOOK).file("env/cmdline", "--diff");
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

/// Ctrl-C typed in a real terminal (tmux) while the progress line is drawn: the cancel notice
/// takes its place and no progress line is left behind on the screen.
#[test]
fn ctrl_c_leaves_no_progress_line_behind() {
    needs!(Ansible, Tmux);
    let pdd = Pdd::new();
    pdd.file(
        "project/nap.yml",
        "- hosts: all\n  gather_facts: false\n  tasks:\n    - name: nap\n      command: sleep 39.0412\n",
    );
    let session = format!("ctrlc-{}", std::process::id());
    let tmux = |args: &[&str]| {
        std::process::Command::new("tmux").args(args).output().expect("tmux (scripts/test installs it)")
    };
    let command = format!(
        "PATH={} {} run {} -p nap.yml; sleep 60",
        crate::common::test_path(),
        env!("CARGO_BIN_EXE_ansible-runner"),
        pdd.path().display()
    );
    assert!(tmux(&["new-session", "-d", "-s", &session, "-x", "120", "-y", "40", &command]).status.success());
    wait_until("the task to start", || !processes_with("39.0412").is_empty());
    wait_until("the progress line", || {
        String::from_utf8_lossy(&tmux(&["capture-pane", "-p", "-t", &session]).stdout).contains("hosts 0/1")
    });
    assert!(tmux(&["send-keys", "-t", &session, "C-c"]).status.success());
    // The summary line is printed once the progress line is gone for good.
    wait_until("the run's summary", || {
        String::from_utf8_lossy(&tmux(&["capture-pane", "-p", "-t", &session]).stdout).contains("canceled (rc 254)")
    });
    let screen = String::from_utf8_lossy(&tmux(&["capture-pane", "-p", "-t", &session]).stdout).into_owned();
    let _ = tmux(&["kill-session", "-t", &session]);
    assert!(screen.contains("canceling the job"), "{screen}");
    assert!(!screen.contains("hosts 0/1"), "a progress line was left on screen:\n{screen}");
}
