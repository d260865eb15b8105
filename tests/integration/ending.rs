//! How jobs end, on real ansible-core: `stop` and `is-alive` touch only their own directory's job,
//! no process outlives its job however it ends, every phase is bounded by `job_timeout`, and typed
//! answers leave nothing in the output. Jobs run `sleep` with a unique argument that /proc is
//! searched for afterwards.

use std::fs;
use std::path::Path;
use std::process::{Child, Command};
use std::time::Duration;

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

use crate::common::{names, needs, ours, plain_lines, processes_with, reference, text, wait_until, Pdd};
use crate::control::{assert_nothing_left, cancel_with, control, sleeping_pdd, spawn_run};

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

/// A pseudo-terminal whose slave side becomes the controlling terminal and stdio of `command`,
/// run as a session leader, as a login shell or an SSH session would be.
fn spawn_on_terminal(command: &mut Command) -> (Child, fs::File) {
    use nix::fcntl::{fcntl, FcntlArg, FdFlag};
    use std::os::unix::process::CommandExt;
    let pty = nix::pty::openpty(None, None).unwrap();
    // Else the program inherits the master side too, and closing ours would hang nothing up.
    for fd in [&pty.master, &pty.slave] {
        fcntl(fd, FcntlArg::F_SETFD(FdFlag::FD_CLOEXEC)).unwrap();
    }
    command.stdin(pty.slave.try_clone().unwrap()).stdout(pty.slave.try_clone().unwrap()).stderr(pty.slave);
    // SAFETY: setsid, ioctl and sigaction are async-signal-safe.
    unsafe {
        command.pre_exec(|| {
            // As a terminal's session starts: hang-ups not ignored, even when the tests run under
            // nohup (an ignored signal stays ignored across exec).
            nix::sys::signal::signal(Signal::SIGHUP, nix::sys::signal::SigHandler::SigDfl)?;
            nix::unistd::setsid()?;
            if nix::libc::ioctl(0, nix::libc::TIOCSCTTY, 0) == -1 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = command.spawn().unwrap();
    let master = fs::File::from(pty.master);
    nix::fcntl::fcntl(&master, nix::fcntl::FcntlArg::F_SETFL(nix::fcntl::OFlag::O_NONBLOCK)).unwrap();
    (child, master)
}

/// Reads whatever the terminal has to show, so that the program never blocks writing to it.
fn drain(master: &mut fs::File) {
    use std::io::Read;
    let mut buf = [0u8; 4096];
    while matches!(master.read(&mut buf), Ok(n) if n > 0) {}
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

#[test]
fn an_implausibly_large_ssh_key_is_refused_at_once() {
    let pdd = sleeping_pdd("58.0909");
    let body = "A".repeat(70) + "\n";
    let key = format!(
        "-----BEGIN OPENSSH PRIVATE KEY-----\n{}-----END OPENSSH PRIVATE KEY-----\n",
        body.repeat(100 * 1024 / body.len())
    );
    pdd.file("env/ssh_key", &key);
    let started = std::time::Instant::now();
    let out = ours().arg("run").arg(pdd.path()).args(["-i", "job", "-p", "sleep.yml"]).output().unwrap();
    // Run, the job would sleep 58 s.
    assert!(started.elapsed() < Duration::from_secs(30), "{:?}", started.elapsed());
    assert_eq!(out.status.code(), Some(1), "{:?}", text(&out));
    let stderr = text(&out).1;
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("env/ssh_key") && stderr.contains("64 KiB"), "{stderr}");
    assert!(processes_with("58.0909").is_empty(), "the job ran anyway");
}

/// Stand-ins for ssh-agent and ssh-add that hang: the real ones cannot be made to on demand.
fn job_timeout_bounds_loading_the_ssh_key(program: &str, marker: &str) {
    let pdd = sleeping_pdd("58.1099");
    pdd.file("env/ssh_key", "-----BEGIN OPENSSH PRIVATE KEY-----\nnot really a key\n");
    pdd.file("env/settings", "job_timeout: 2\n");
    let stand_in = pdd.path().join("bin").join(program);
    pdd.file(&format!("bin/{program}"), &format!("#!/bin/sh\nsleep {marker}\n"));
    fs::set_permissions(&stand_in, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", pdd.path().join("bin").display(), crate::common::test_path());
    let started = std::time::Instant::now();
    let out = ours().env("PATH", path).arg("run").arg(pdd.path()).args(["-i", "job", "-p", "sleep.yml"]).output();
    let out = out.unwrap();
    // The stand-in would hang for 58 s.
    assert!(started.elapsed() < Duration::from_secs(30), "the {program} phase was not bounded");
    assert_eq!(out.status.code(), Some(254), "{:?}", text(&out));
    let artifacts = pdd.artifacts("job");
    assert_eq!(artifacts.read("status"), "timeout");
    assert_eq!(artifacts.read("rc"), "254");
    assert!(artifacts.read("stdout").contains("job_timeout (2 s)"), "{}", artifacts.read("stdout"));
    assert_nothing_left(marker);
    assert!(processes_with("58.1099").is_empty(), "the playbook ran after the timeout");
}

#[test]
fn job_timeout_bounds_a_hanging_ssh_add() {
    needs!(Ansible, SshClient);
    job_timeout_bounds_loading_the_ssh_key("ssh-add", "58.1010");
}

#[test]
fn job_timeout_bounds_a_hanging_ssh_agent() {
    needs!(Ansible);
    job_timeout_bounds_loading_the_ssh_key("ssh-agent", "58.1111");
}

/// Asserts that `output` ends with the recap and carries no echo of the typed answer.
fn assert_ends_with_the_recap(output: &str, what: &str) {
    for debris in ["^J", "\x1b[\r", "\x1b[\x1b[K"] {
        assert!(!output.contains(debris), "{what} holds {debris:?}: {output:?}");
    }
    let lines = plain_lines(output);
    assert!(!lines.iter().any(|line| line.starts_with("********")), "{what} shows the typed answer: {output:?}");
    let last = lines.iter().rev().find(|line| !line.trim().is_empty()).unwrap();
    assert!(last.starts_with("localhost") && last.contains("ok=3"), "{what} ends with {last:?}");
}

/// Prompts of each kind: `getpass` (echo off), `input()` (echo left off), `pause` with echo off,
/// and `pause` showing what is typed (it turns the echo on, and clears its line when done).
const PROMPTS_PLAYBOOK: &str = r#"
- hosts: all
  gather_facts: false
  vars_prompt:
    - {name: secret, prompt: "Secret word", private: true}
    - {name: open, prompt: "Open word", private: false}
  tasks:
    - pause: {prompt: "Hidden pause", echo: false}
    - pause: {prompt: "Enter the launch code"}
      register: answer
    - debug: msg="got {{ answer.user_input }}"
"#;

#[test]
fn a_typed_answer_leaves_no_echo_in_the_output() {
    needs!(Reference);
    let pdd = Pdd::new();
    pdd.file("project/pause.yml", PROMPTS_PLAYBOOK).file(
        "env/passwords",
        "\"Secret word\": \"alpha123\"\n\"Open word\": \"bravo456\"\n\"Hidden pause\": \"charlie789\"\n\
         \"Enter the launch code\": \"1234\"\n",
    );
    pdd.file("env/settings", "job_timeout: 60\n");
    let theirs = pdd.copy();
    let out = ours().arg("run").arg(pdd.path()).args(["-i", "job", "-p", "pause.yml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let artifacts = pdd.artifacts("job");
    assert_ends_with_the_recap(&artifacts.read("stdout"), "the stdout artifact");
    assert_ends_with_the_recap(&text(&out).0, "the terminal output");
    assert!(text(&out).0.contains("got ********"), "{}", text(&out).0);
    assert_eq!(names(&artifacts.events()).last().map(String::as_str), Some("playbook_on_stats"));

    let reference_run = reference().arg("run").arg(theirs.path()).args(["-i", "job", "-p", "pause.yml"]).output();
    assert_eq!(reference_run.unwrap().status.code(), Some(0));
    let (ours_lines, reference_lines) = (artifacts.stdout_lines(), theirs.artifacts("job").stdout_lines());
    // The vars_prompt prompts come first, each on a line of its own, as the reference shows them.
    assert_eq!(ours_lines[..4], reference_lines[..4]);
    assert_eq!(ours_lines.last(), reference_lines.last(), "the last line differs from the reference's");
}
