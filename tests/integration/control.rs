//! Job control on real ansible-core: timeouts, cancel, prompts, SSH keys, start/stop/is-alive.
//! After each, no process of the job may remain: every job here runs `sleep` with a unique
//! argument, and /proc is searched for it.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

use crate::common::{needs, ours, processes_with, runs_before_exit, text, wait_until, with_time_to_start, Pdd};

pub fn sleeping_pdd(marker: &str) -> Pdd {
    let pdd = Pdd::new();
    pdd.file(
        "project/sleep.yml",
        &format!("- hosts: all\n  gather_facts: false\n  tasks:\n    - name: nap\n      command: sleep {marker}\n"),
    );
    pdd
}

pub fn spawn_run(pdd: &Pdd, extra: &[&str]) -> Child {
    ours().arg("run").arg(pdd.path()).args(["-i", "job"]).args(extra).stdout(Stdio::piped()).spawn().unwrap()
}

pub fn assert_nothing_left(marker: &str) {
    // The kill is synchronous, but /proc may still list a process being reaped for a moment.
    wait_until("the job's processes to disappear", || processes_with(marker).is_empty());
}

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

pub fn control(command: &str, pdd: &Path) -> std::process::Output {
    ours().arg(command).arg(pdd).output().unwrap()
}

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

const PAUSE_PLAYBOOK: &str = r#"
- hosts: all
  gather_facts: false
  tasks:
    - pause:
        prompt: "Enter the launch code"
      register: answer
    - debug: msg="got {{ answer.user_input }}"
"#;

#[test]
fn pause_prompt_is_answered_from_env_passwords() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file("project/pause.yml", PAUSE_PLAYBOOK).file("env/passwords", "\"Enter the launch code\": \"1234\"\n");
    pdd.file("env/settings", "job_timeout: 60\n");
    let out = ours().arg("run").arg(pdd.path()).args(["-i", "job", "-p", "pause.yml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert!(text(&out).0.contains("got ********"), "{}", text(&out).0);
    let artifacts = pdd.artifacts("job");
    assert_eq!(artifacts.read("status"), "successful");
    let everything = serde_json::to_string(&artifacts.events()).unwrap() + &artifacts.read("stdout");
    assert!(!everything.contains("1234"), "the answer must not land in the artifacts");
}

#[test]
fn unanswered_prompt_ends_by_idle_timeout_and_says_why() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file("project/pause.yml", PAUSE_PLAYBOOK).file("env/passwords", "\"no such prompt\": \"x\"\n");
    pdd.file("env/settings", "idle_timeout: 3\n");
    let out = ours().arg("run").arg(pdd.path()).args(["-i", "job", "-p", "pause.yml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(254));
    let artifacts = pdd.artifacts("job");
    assert_eq!(artifacts.read("status"), "timeout");
    assert!(artifacts.read("stdout").contains("env/passwords"), "{}", artifacts.read("stdout"));
}

#[test]
fn ssh_key_is_loaded_into_a_private_agent_that_goes_away() {
    needs!(Ansible, SshClient);
    let pdd = Pdd::new();
    let key = pdd.path().join("id_test");
    let made = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "runner-test-key", "-f"])
        .arg(&key)
        .output()
        .unwrap();
    assert!(made.status.success());
    pdd.file("env/ssh_key", &fs::read_to_string(&key).unwrap());
    fs::remove_file(&key).unwrap();
    pdd.file("project/agent.yml", "- hosts: all\n  gather_facts: false\n  tasks:\n    - command: ssh-add -l\n");
    let out = ours().arg("run").arg(pdd.path()).args(["-i", "job", "-p", "agent.yml", "-v"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert!(text(&out).0.contains("runner-test-key"), "the agent did not hold the key: {}", text(&out).0);
    let command: serde_json::Value = serde_json::from_str(&pdd.artifacts("job").read("command")).unwrap();
    let socket = command["env"]["SSH_AUTH_SOCK"].as_str().unwrap().to_owned();
    let agent: i32 = command["env"]["SSH_AGENT_PID"].as_str().unwrap().parse().unwrap();
    assert!(!Path::new(&socket).exists(), "the agent's socket is removed");
    assert!(processes_with(&socket).is_empty(), "the agent (pid {agent}) is gone");
    let text_everywhere = walkdir::WalkDir::new(pdd.path().join("artifacts"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| fs::read_to_string(e.path()).unwrap_or_default())
        .collect::<String>();
    assert!(!text_everywhere.contains("PRIVATE KEY"), "the key must not land in artifacts");
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
