//! A detached job: `start`, `stop` and `is-alive`. `stop` and `is-alive` touch only their own
//! directory's job (never another directory's, never a reused pid), and a started job outlives the
//! terminal that started it.

use std::fs;
use std::path::Path;
use std::process::{Child, Command};
use std::time::Duration;

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

use crate::common::{
    assert_nothing_left, control, drain, needs, ours, processes_with, sleeping_pdd, spawn_on_terminal, text,
    wait_until, Pdd,
};

#[test]
fn start_is_alive_stop_is_alive() {
    needs!(Ansible);
    let marker = "41.0606";
    let pdd = sleeping_pdd(marker);
    let started = ours().arg("start").arg(pdd.path()).args(["-i", "job", "-p", "sleep.yml"]).output().unwrap();
    assert_eq!(started.status.code(), Some(0), "{:?}", text(&started));
    assert!(pdd.path().join("pid").exists());
    assert_eq!(control("is-alive", pdd.path()).status.code(), Some(0));
    wait_until("the task to start", || !processes_with(marker).is_empty());

    let again = ours().arg("start").arg(pdd.path()).args(["-i", "other", "-p", "sleep.yml"]).output().unwrap();
    assert_eq!(again.status.code(), Some(1));
    assert!(text(&again).1.contains("already running"), "{:?}", text(&again));

    let stopped = control("stop", pdd.path());
    assert_eq!(stopped.status.code(), Some(0), "{:?}", text(&stopped));
    assert_nothing_left(marker);
    assert!(!pdd.path().join("pid").exists());
    assert_eq!(control("is-alive", pdd.path()).status.code(), Some(1));
    let artifacts = pdd.artifacts("job");
    assert_eq!(artifacts.read("status"), "canceled");
    assert_eq!(artifacts.read("rc"), "254");
    assert!(artifacts.read("stdout").contains("TASK [nap]"));

    let nothing = control("stop", pdd.path());
    assert_eq!(nothing.status.code(), Some(1));
    assert!(text(&nothing).1.contains("no pid file"));
}

#[test]
fn stale_pid_file_does_not_block_start() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file("project/quick.yml", "- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: msg=quick\n");
    let mut gone = std::process::Command::new("true").spawn().unwrap();
    let dead = gone.id();
    gone.wait().unwrap();
    pdd.file("pid", &format!("{dead}\n"));
    assert_eq!(control("is-alive", pdd.path()).status.code(), Some(1));
    let started = ours().arg("start").arg(pdd.path()).args(["-i", "job", "-p", "quick.yml"]).output().unwrap();
    assert_eq!(started.status.code(), Some(0), "{:?}", text(&started));
    wait_until("the job to finish", || pdd.path().join("artifacts/job/status").exists());
    assert_eq!(pdd.artifacts("job").read("status"), "successful");
    wait_until("the pid file to go", || !pdd.path().join("pid").exists());
    assert_eq!(control("is-alive", pdd.path()).status.code(), Some(1));
}

/// `start` hands its detached job the request itself, so option values that read like command names
/// (a top-level `--artifact-dir start`, `-i start`) cannot confuse where the job's options begin.
#[test]
fn start_hands_the_detached_job_its_whole_request() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file("project/quick.yml", "- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: msg=quick\n");
    let cwd = tempfile::tempdir().unwrap();
    let started = ours()
        .current_dir(cwd.path())
        .args(["--artifact-dir", "start", "start"])
        .arg(pdd.path())
        .args(["-i", "start", "-p", "quick.yml", "--limit", "localhost"])
        .output()
        .unwrap();
    assert_eq!(started.status.code(), Some(0), "{:?}", text(&started));
    wait_until("the job to finish", || pdd.path().join("artifacts/start/status").exists());
    let artifacts = pdd.artifacts("start");
    assert_eq!(artifacts.read("status"), "successful");
    assert!(artifacts.read("command").contains("--limit"), "{}", artifacts.read("command"));
    assert!(artifacts.read("stdout").contains("quick"));
    wait_until("the pid file to go", || !pdd.path().join("pid").exists());
}

#[test]
fn is_alive_answers_for_a_run_too_and_start_lock_is_the_run_lock() {
    needs!(Ansible);
    let marker = "41.0607";
    let pdd = sleeping_pdd(marker);
    let mut run = ours().arg("run").arg(pdd.path()).args(["-i", "fg", "-p", "sleep.yml", "-q"]).spawn().unwrap();
    wait_until("the task to start", || !processes_with(marker).is_empty());
    assert_eq!(control("is-alive", pdd.path()).status.code(), Some(0), "a foreground run is alive");
    kill(Pid::from_raw(run.id() as i32), Signal::SIGTERM).unwrap();
    run.wait().unwrap();
    assert_eq!(control("is-alive", pdd.path()).status.code(), Some(1));

    let started = ours().arg("start").arg(pdd.path()).args(["-i", "bg", "-p", "sleep.yml", "--lock"]).output().unwrap();
    assert_eq!(started.status.code(), Some(0), "{:?}", text(&started));
    wait_until("the started task", || !processes_with(marker).is_empty());
    let locked =
        ours().arg("run").arg(pdd.path()).args(["-i", "second", "-p", "sleep.yml", "--lock"]).output().unwrap();
    assert_eq!(locked.status.code(), Some(75), "{:?}", text(&locked));
    assert_eq!(control("stop", pdd.path()).status.code(), Some(0));
    assert_nothing_left(marker);
}

fn start(pdd: &Pdd) {
    let started = ours().arg("start").arg(pdd.path()).args(["-i", "job", "-p", "sleep.yml"]).output().unwrap();
    assert_eq!(started.status.code(), Some(0), "{:?}", text(&started));
}

/// `is-alive` says 1 and `stop` refuses with a message, for a pid file naming something else.
fn assert_stale(pdd: &Path, what: &str) {
    assert_eq!(control("is-alive", pdd).status.code(), Some(1), "is-alive with {what}");
    let stopped = control("stop", pdd);
    assert_eq!(stopped.status.code(), Some(1), "stop with {what}: {:?}", text(&stopped));
    assert!(text(&stopped).1.contains("nothing was signalled"), "{what}: {:?}", text(&stopped));
}

fn still_running(child: &mut Child) -> bool {
    child.try_wait().unwrap().is_none()
}

#[test]
fn stop_and_is_alive_leave_another_directory_s_job_alone() {
    needs!(Ansible);
    let marker = "58.0101";
    let theirs = sleeping_pdd(marker);
    start(&theirs);
    wait_until("the task to start", || !processes_with(marker).is_empty());
    let here = Pdd::new();
    let their_pid = fs::read_to_string(theirs.path().join("pid")).unwrap();
    fs::write(here.path().join("pid"), &their_pid).unwrap();
    assert_stale(here.path(), "another directory's pid");

    let their_record = fs::read_to_string(theirs.path().join("pid.json")).unwrap();
    fs::write(here.path().join("pid"), &their_pid).unwrap();
    fs::write(here.path().join("pid.json"), &their_record).unwrap();
    assert_stale(here.path(), "another directory's pid and record");
    // A record edited to name this directory: the job's own command line still names the other.
    let mut forged: serde_json::Value = serde_json::from_str(&their_record).unwrap();
    forged["private_data_dir"] = fs::canonicalize(here.path()).unwrap().to_str().unwrap().into();
    fs::write(here.path().join("pid"), &their_pid).unwrap();
    fs::write(here.path().join("pid.json"), forged.to_string()).unwrap();
    assert_stale(here.path(), "a record forged for this directory");
    assert!(!here.path().join("pid").exists(), "stop removes a stale pid file");

    assert_eq!(control("is-alive", theirs.path()).status.code(), Some(0), "their job was touched");
    assert!(!processes_with(marker).is_empty(), "their job's task was killed");
    assert_eq!(control("stop", theirs.path()).status.code(), Some(0));
    assert_nothing_left(marker);
}

#[test]
fn stop_and_is_alive_leave_a_reused_pid_alone() {
    let mut impostor = Command::new("bash").args(["-c", "exec -a ansible-runner-x sleep 58.0202"]).spawn().unwrap();
    let pid = impostor.id();
    wait_until("the impostor to exec", || {
        fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|c| c.starts_with(b"ansible-runner-x\0"))
    });
    let here = Pdd::new();
    fs::write(here.path().join("pid"), format!("{pid}\n")).unwrap();
    assert_stale(here.path(), "a reused pid");
    assert!(still_running(&mut impostor), "stop signalled a process that is not its job");
    impostor.kill().unwrap();
    impostor.wait().unwrap();
}

#[test]
fn a_started_job_outlives_the_terminal_that_started_it() {
    needs!(Ansible);
    let marker = "58.0808";
    let pdd = sleeping_pdd(marker);
    let mut shell = Command::new("sh");
    shell
        .args(["-c", r#""$0" start "$1" -i job -p sleep.yml && exec sleep 5808.09"#])
        .arg(env!("CARGO_BIN_EXE_ansible-runner"))
        .arg(pdd.path())
        .env("PATH", crate::common::test_path());
    let (mut shell, mut master) = spawn_on_terminal(&mut shell);
    // The shell's sleep outlasts any wait for the job's task to start, however busy the machine.
    let shell_sleeps = format!("/proc/{}/cmdline", shell.id());
    wait_until("the task and the shell's sleep to start", || {
        drain(&mut master);
        !processes_with(marker).is_empty() && fs::read(&shell_sleeps).is_ok_and(|c| c.starts_with(b"sleep\0"))
    });
    let _ = kill(Pid::from_raw(-(shell.id() as i32)), Signal::SIGHUP);
    drop(master);
    let ended = shell.wait().unwrap();
    assert_eq!(std::os::unix::process::ExitStatusExt::signal(&ended), Some(Signal::SIGHUP as i32), "{ended:?}");
    // Had the hang-up reached the job, it would be canceling now; give it the time to show.
    let watch = std::time::Instant::now();
    while watch.elapsed() < Duration::from_millis(1500) {
        assert!(!pdd.path().join("artifacts/job/status").exists(), "the hang-up ended the started job");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(control("is-alive", pdd.path()).status.code(), Some(0));
    assert!(!processes_with(marker).is_empty());
    assert_eq!(control("stop", pdd.path()).status.code(), Some(0));
    assert_eq!(pdd.artifacts("job").read("status"), "canceled");
    assert_nothing_left(marker);
}
