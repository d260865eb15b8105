//! How a job ends when it is told to or runs out of time: `job_timeout` and `idle_timeout`,
//! SIGTERM, SIGHUP, SIGINT and SIGQUIT, Ctrl-C and Ctrl-Z typed on a terminal, the terminal closed,
//! and the runner or ansible-playbook killed. After each, no process of the job may remain: every
//! job here runs `sleep` with a unique argument, and /proc is searched for it.

use std::fs;
use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

use crate::common::{
    assert_nothing_left, drain, needs, ours, processes_with, runs_before_exit, sleeping_pdd, spawn_on_terminal,
    spawn_run, text, wait_until, with_time_to_start, Pdd,
};

#[test]
fn job_timeout_stops_the_job_and_everything_it_started() {
    needs!(Ansible);
    let marker = "141.0101";
    with_time_to_start(6, |limit| {
        let pdd = sleeping_pdd(marker);
        pdd.file("env/settings", &format!("job_timeout: {limit}\n"));
        let started = Instant::now();
        let mut runner = spawn_run(&pdd, &["-p", "sleep.yml"]);
        let ran = runs_before_exit(&mut runner, marker);
        let status = runner.wait().unwrap();
        let took = started.elapsed();
        let artifacts = pdd.artifacts("job");
        assert_eq!(artifacts.read("status"), "timeout");
        if !ran {
            return None;
        }
        // The task alone would sleep 141 s, longer than any limit tried.
        let limit = Duration::from_secs(limit);
        assert!(took >= limit && took < limit + Duration::from_secs(19), "the timeout did not fire on time: {took:?}");
        assert_eq!(status.code(), Some(254));
        assert_eq!(artifacts.read("rc"), "254");
        assert_nothing_left(marker);
        let stdout = artifacts.read("stdout");
        assert!(stdout.contains("TASK [nap]"), "events before the timeout are kept: {stdout}");
        assert!(stdout.contains(&format!("job_timeout ({} s)", limit.as_secs())));
        Some(())
    });
}

#[test]
fn idle_timeout_stops_a_silent_job() {
    needs!(Ansible);
    let marker = "41.0202";
    let pdd = sleeping_pdd(marker);
    pdd.file("env/settings", "idle_timeout: 2\n");
    let out = ours().arg("run").arg(pdd.path()).args(["-i", "job", "-p", "sleep.yml", "-q"]).output().unwrap();
    assert_eq!(out.status.code(), Some(254));
    assert_eq!(pdd.artifacts("job").read("status"), "timeout");
    assert_nothing_left(marker);
}

pub fn cancel_with(signal: Signal, marker: &str) {
    let pdd = sleeping_pdd(marker);
    let mut child = spawn_run(&pdd, &["-p", "sleep.yml"]);
    wait_until("the task to start", || !processes_with(marker).is_empty());
    kill(Pid::from_raw(child.id() as i32), signal).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(254));
    let artifacts = pdd.artifacts("job");
    assert_eq!(artifacts.read("status"), "canceled");
    assert_eq!(artifacts.read("rc"), "254");
    assert!(artifacts.read("stdout").contains("TASK [nap]"));
    assert!(!artifacts.events().is_empty());
    assert_nothing_left(marker);
}

#[test]
fn sigterm_cancels_run() {
    needs!(Ansible);
    cancel_with(Signal::SIGTERM, "41.0303");
}

#[test]
fn ctrl_c_cancels_run() {
    needs!(Ansible);
    cancel_with(Signal::SIGINT, "41.0404");
}

/// A stand-in for Ansible that ignores SIGINT and SIGTERM (noting the SIGTERM, which the first
/// Ctrl-C's grace would bring): real Ansible cannot be made to on demand.
#[test]
fn second_ctrl_c_forces_the_job_down() {
    let marker = "41.0505";
    let pdd = Pdd::new();
    let script = pdd.path().join("stubborn");
    let terminated = pdd.path().join("terminated");
    let body = format!("trap '' INT\ntrap 'echo >{}' TERM\nsleep {marker} &\nwait\nwait\n", terminated.display());
    fs::write(&script, format!("#!/bin/sh\n{body}")).unwrap();
    fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let mut child = ours()
        .arg("run")
        .arg(pdd.path())
        .args(["-i", "job", "-p", "x.yml", "--binary", script.to_str().unwrap()])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_until("the stand-in to start", || !processes_with(marker).is_empty());
    let pid = Pid::from_raw(child.id() as i32);
    kill(pid, Signal::SIGINT).unwrap();
    // Signals sent back to back merge into one: wait until the first was taken.
    let mut notice = String::new();
    BufReader::new(child.stderr.take().unwrap()).read_line(&mut notice).unwrap();
    assert!(notice.contains("interrupt again to force"), "{notice}");
    assert!(child.try_wait().unwrap().is_none(), "one Ctrl-C waits for the job to stop by itself");
    kill(pid, Signal::SIGINT).unwrap();
    let status = child.wait().unwrap();
    assert!(!terminated.exists(), "the second Ctrl-C did not force the stop: the grace ran out");
    assert_eq!(status.code(), Some(254));
    assert_eq!(pdd.artifacts("job").read("status"), "canceled");
    assert_nothing_left(marker);
}

/// A runner started in the background of a script (`ansible-runner run ... &`) has SIGINT
/// ignored; its job does not, so that a Ctrl-C's interrupt reaches it. The stand-in says so.
#[test]
fn a_runner_started_with_sigint_ignored_still_interrupts_its_job() {
    use nix::sys::signal::{signal, SigHandler};
    use std::os::unix::process::CommandExt;
    let marker = "41.0515";
    let pdd = Pdd::new();
    let script = pdd.path().join("interruptible");
    fs::write(&script, format!("#!/bin/sh\ntrap 'echo interrupted; exit 3' INT\nsleep {marker} &\nwait\n")).unwrap();
    fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let mut command = ours();
    command.arg("run").arg(pdd.path()).args(["-i", "job", "-p", "x.yml", "--binary", script.to_str().unwrap()]);
    // SAFETY: sigaction is async-signal-safe.
    unsafe {
        command.pre_exec(|| signal(Signal::SIGINT, SigHandler::SigIgn).map(drop).map_err(std::io::Error::from));
    }
    let mut child = command.stdout(Stdio::null()).spawn().unwrap();
    wait_until("the stand-in to start", || !processes_with(marker).is_empty());
    kill(Pid::from_raw(child.id() as i32), Signal::SIGINT).unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(254));
    let artifacts = pdd.artifacts("job");
    assert_eq!(artifacts.read("status"), "canceled");
    assert!(artifacts.read("stdout").contains("interrupted"), "{}", artifacts.read("stdout"));
    assert_nothing_left(marker);
}

/// A stand-in that prints and then dies by SIGKILL: a crash mid-stream cannot be had from real
/// Ansible on demand.
#[test]
fn a_child_killed_by_a_signal_is_rc_128_plus_n_and_keeps_its_output() {
    let pdd = Pdd::new();
    let script = pdd.path().join("crash");
    fs::write(&script, "#!/bin/sh\necho before the crash\nkill -9 $$\n").unwrap();
    fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let out = ours()
        .arg("run")
        .arg(pdd.path())
        .args(["-i", "job", "-p", "x.yml", "--binary", script.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(137), "{:?}", text(&out));
    let artifacts = pdd.artifacts("job");
    assert_eq!(artifacts.read("rc"), "137");
    assert_eq!(artifacts.read("status"), "failed");
    let stdout = artifacts.read("stdout");
    assert!(stdout.contains("before the crash") && stdout.contains("killed by signal 9"), "{stdout}");
}

/// `(pid, parent, state)` of every process, from /proc.
fn process_table() -> Vec<(i32, i32, char)> {
    let stat = |pid: i32| {
        let text = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        let mut fields = text.rsplit_once(')')?.1.split_whitespace();
        let state = fields.next()?.chars().next()?;
        Some((pid, fields.next()?.parse().ok()?, state))
    };
    fs::read_dir("/proc").unwrap().filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok()).filter_map(stat).collect()
}

/// The state of `root` and of each of its descendants.
fn states_from(root: i32) -> Vec<(i32, char)> {
    let table = process_table();
    let mut found: Vec<(i32, char)> = table.iter().filter(|p| p.0 == root).map(|p| (p.0, p.2)).collect();
    let mut frontier = vec![root];
    while let Some(parent) = frontier.pop() {
        for &(pid, _, state) in table.iter().filter(|p| p.1 == parent) {
            frontier.push(pid);
            found.push((pid, state));
        }
    }
    found
}

fn state_of(pid: i32) -> Option<char> {
    process_table().into_iter().find(|p| p.0 == pid).map(|p| p.2)
}

/// Ctrl-Z stops the runner and every process of its job, and none of the job's time runs out while
/// they are stopped; `fg` continues them, and the job ends as if nothing happened. The ssh-agent is
/// the runner's, not the job's: it is left running.
#[test]
fn ctrl_z_stops_the_job_and_its_time_limit_until_fg() {
    with_time_to_start(10, stopped_past_the_time_limit);
}

/// One try at the Ctrl-Z test with `job_timeout` `limit`; `None` when the limit came before the stop.
fn stopped_past_the_time_limit(limit: u64) -> Option<()> {
    let marker = "3.0719";
    let pdd = sleeping_pdd(marker);
    pdd.file("env/settings", &format!("job_timeout: {limit}\n"));
    let key = pdd.path().join("id_test");
    let made =
        std::process::Command::new("ssh-keygen").args(["-q", "-t", "ed25519", "-N", "", "-f"]).arg(&key).output();
    assert!(made.unwrap().status.success());
    pdd.file("env/ssh_key", &fs::read_to_string(&key).unwrap());
    let mut runner = spawn_run(&pdd, &["-p", "sleep.yml"]);
    let pid = runner.id() as i32;
    let timed_out = |runner: &mut Child| {
        runner.wait().unwrap();
        assert_eq!(pdd.artifacts("job").read("status"), "timeout");
        None
    };
    if !runs_before_exit(&mut runner, marker) {
        return timed_out(&mut runner);
    }
    // The job started before its task: its time limit passes by then at the latest.
    let due = Instant::now() + Duration::from_secs(limit);
    let command: serde_json::Value = serde_json::from_str(&pdd.artifacts("job").read("command")).unwrap();
    let agent: i32 = command["env"]["SSH_AGENT_PID"].as_str().unwrap().parse().unwrap();
    let playbook = process_table().into_iter().find(|p| p.1 == pid && p.0 != agent).expect("no job under the runner").0;

    kill(Pid::from_raw(pid), Signal::SIGTSTP).unwrap();
    let all_stopped = || {
        let job = states_from(playbook);
        job.len() > 1 && job.iter().all(|p| p.1 == 'T') && state_of(pid) == Some('T')
    };
    let mut ended = false;
    wait_until("the runner and every process of its job to stop, or the run to end", || {
        ended = runner.try_wait().unwrap().is_some();
        ended || all_stopped()
    });
    if ended {
        return timed_out(&mut runner);
    }
    // Past the time limit: had it gone on counting, the job would be over.
    std::thread::sleep(due.saturating_duration_since(Instant::now()) + Duration::from_secs(1));
    assert!(all_stopped(), "the job went on while stopped: {:?}", states_from(playbook));
    assert!(!pdd.path().join("artifacts/job/status").exists(), "the job ended while stopped");
    assert!(!processes_with(marker).is_empty(), "the task was ended while stopped");
    assert!(state_of(agent).is_some_and(|state| state != 'T'), "the ssh-agent is not the job's");

    kill(Pid::from_raw(pid), Signal::SIGCONT).unwrap();
    let status = runner.wait().unwrap();
    let artifacts = pdd.artifacts("job");
    assert_eq!(
        (status.code(), artifacts.read("status").as_str(), artifacts.read("rc").as_str()),
        (Some(0), "successful", "0")
    );
    assert_nothing_left(marker);
    Some(())
}

/// The process `program` among the children of `parent`, if any.
fn child_of(parent: u32, program: &str) -> Option<i32> {
    fs::read_dir("/proc").unwrap().filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok()).find(|pid| {
        let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let ppid = stat.rsplit(')').next().and_then(|rest| rest.split_whitespace().nth(1)).unwrap_or_default();
        ppid == parent.to_string()
            && fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|c| String::from_utf8_lossy(&c).contains(program))
    })
}

/// Waits for the job's task and returns the runner's `ansible-playbook` child.
fn playbook_of(runner: &Child, marker: &str) -> i32 {
    wait_until("the task to start", || !processes_with(marker).is_empty());
    child_of(runner.id(), "ansible-playbook").expect("the runner has no ansible-playbook child")
}

#[test]
fn killing_ansible_playbook_leaves_none_of_its_workers() {
    needs!(Ansible);
    let marker = "58.0303";
    let pdd = sleeping_pdd(marker);
    let mut runner = spawn_run(&pdd, &["-p", "sleep.yml"]);
    let playbook = playbook_of(&runner, marker);
    kill(Pid::from_raw(playbook), Signal::SIGKILL).unwrap();
    assert_eq!(runner.wait().unwrap().code(), Some(137));
    let artifacts = pdd.artifacts("job");
    assert_eq!(artifacts.read("status"), "failed");
    assert_eq!(artifacts.read("rc"), "137");
    // The worker running the task is in a session of its own and was not killed with its parent.
    assert_nothing_left(marker);
}

fn killing_the_runner_ends_its_job(marker: &str, passwords: Option<&str>) {
    let pdd = sleeping_pdd(marker);
    if let Some(passwords) = passwords {
        pdd.file("env/passwords", passwords);
    }
    let mut runner = spawn_run(&pdd, &["-p", "sleep.yml"]);
    let playbook = Pid::from_raw(playbook_of(&runner, marker));
    // Stopped meanwhile, ansible-playbook takes every signal the runner's death brings at once:
    // the worst order for it.
    kill(playbook, Signal::SIGSTOP).unwrap();
    kill(Pid::from_raw(runner.id() as i32), Signal::SIGKILL).unwrap();
    runner.wait().unwrap();
    kill(playbook, Signal::SIGCONT).unwrap();
    wait_until("the job to end with its runner", || {
        processes_with(marker).is_empty()
            && !fs::read(format!("/proc/{playbook}/cmdline"))
                .is_ok_and(|c| String::from_utf8_lossy(&c).contains("ansible-playbook"))
    });
}

#[test]
fn killing_the_runner_ends_its_job_on_a_pipe() {
    needs!(Ansible);
    killing_the_runner_ends_its_job("58.0404", None);
}

/// With `env/passwords` the job runs on a pseudo-terminal, which the runner's death hangs up.
#[test]
fn killing_the_runner_ends_its_job_on_a_terminal() {
    needs!(Ansible);
    killing_the_runner_ends_its_job("58.0414", Some("\"never printed\": \"x\"\n"));
}

#[test]
fn sighup_cancels_run() {
    needs!(Ansible);
    cancel_with(Signal::SIGHUP, "58.0505");
}

#[test]
fn sigquit_cancels_run() {
    needs!(Ansible);
    cancel_with(Signal::SIGQUIT, "58.0606");
}

#[test]
fn closing_the_terminal_cancels_run() {
    needs!(Ansible);
    let marker = "58.0707";
    let pdd = sleeping_pdd(marker);
    let mut command = ours();
    command.arg("run").arg(pdd.path()).args(["-i", "job", "-p", "sleep.yml"]);
    let (mut runner, mut master) = spawn_on_terminal(&mut command);
    wait_until("the task to start", || {
        drain(&mut master);
        !processes_with(marker).is_empty()
    });
    // Closing the last descriptor of the terminal's master side hangs it up: SIGHUP to the session.
    drop(master);
    assert_eq!(runner.wait().unwrap().code(), Some(254));
    let artifacts = pdd.artifacts("job");
    assert_eq!(artifacts.read("status"), "canceled");
    assert_eq!(artifacts.read("rc"), "254");
    assert_nothing_left(marker);
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
