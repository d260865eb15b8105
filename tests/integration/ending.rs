//! How jobs end, on real ansible-core: `stop` and `is-alive` touch only their own directory's job,
//! no process outlives its job however it ends, every phase is bounded by `job_timeout`, and typed
//! answers leave nothing in the output. Jobs run `sleep` with a unique argument that /proc is
//! searched for afterwards.

use std::fs;
use std::path::Path;
use std::process::{Child, Command};
use std::time::Duration;

use crate::common::{ours, processes_with, text, wait_until, Pdd};
use crate::control::{assert_nothing_left, control, sleeping_pdd};

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
    let marker = "42.0101";
    let theirs = sleeping_pdd(marker);
    start(&theirs);
    wait_until(Duration::from_secs(30), "the task to start", || !processes_with(marker).is_empty());
    let here = Pdd::new();
    let their_pid = fs::read_to_string(theirs.path().join("pid")).unwrap();
    let their_record = fs::read_to_string(theirs.path().join("pid.json")).unwrap();

    fs::write(here.path().join("pid"), &their_pid).unwrap();
    assert_stale(here.path(), "another directory's pid");
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
    let mut impostor = Command::new("bash").args(["-c", "exec -a ansible-runner-x sleep 42.0202"]).spawn().unwrap();
    let pid = impostor.id();
    wait_until(Duration::from_secs(10), "the impostor to exec", || {
        fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|c| c.starts_with(b"ansible-runner-x\0"))
    });
    let here = Pdd::new();
    fs::write(here.path().join("pid"), format!("{pid}\n")).unwrap();
    assert_stale(here.path(), "a reused pid");
    assert!(still_running(&mut impostor), "stop signalled a process that is not its job");
    impostor.kill().unwrap();
    impostor.wait().unwrap();
}
