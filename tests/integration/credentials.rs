//! What a job is given to answer with: passwords typed into prompts (never echoed into the output),
//! SSH keys loaded into a private agent that goes away with the job, and the bounds on loading them.
//! Jobs run `sleep` with a unique argument that /proc is searched for afterwards.

use std::fs;
use std::path::Path;
use std::time::Duration;

use crate::common::{
    assert_nothing_left, names, needs, ours, plain_lines, processes_with, reference, sleeping_pdd, text, Pdd,
};

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
