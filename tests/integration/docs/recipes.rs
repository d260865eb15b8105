//! The cron and CI recipes of docs/operators.md and docs/ci.md, run as written: each test reads the
//! block tagged with its name, and only the places it names (the job's dir, the webhook, the log
//! and metrics files) are swapped for test ones.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::common::{needs, test_path, Pdd, PATIENCE};
use crate::docs::block;
use crate::reports::server;

const FAILING: &str =
    "- hosts: all\n  gather_facts: false\n  tasks:\n    - name: Check sshd config\n      command: \"false\"\n";

/// Runs `script` in a shell with this binary first on PATH, then the venv's Ansible, as a CI
/// pipeline (`CI_PIPELINE_ID`) would.
fn shell(script: &str, cwd: &Path) -> std::process::Output {
    let bin = Path::new(env!("CARGO_BIN_EXE_ansible-runner")).parent().unwrap().display().to_string();
    let mut command = Command::new("sh");
    command.arg("-c").arg(script).current_dir(cwd).env("PATH", format!("{bin}:{}", test_path()));
    command.env("CI_PIPELINE_ID", "4711").output().unwrap()
}

#[test]
fn the_cron_recipe_logs_alerts_writes_metrics_and_keeps_a_bounded_history() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file("project/site.yml", FAILING);
    for old in 0..50 {
        let dir = pdd.path().join(format!("artifacts/old-{old}"));
        fs::create_dir_all(&dir).unwrap();
        let when = std::time::SystemTime::now() - Duration::from_secs(86_400 - old);
        fs::File::open(&dir).unwrap().set_modified(when).unwrap();
    }
    let scratch = tempfile::tempdir().unwrap();
    let (log, metrics) = (scratch.path().join("web.log"), scratch.path().join("web.prom"));
    let (url, alerts) = server(200, 1);
    let recipe = block("the_cron_recipe_logs_alerts_writes_metrics_and_keeps_a_bounded_history");
    let command = recipe
        .trim_end()
        .strip_prefix("*/30 * * * * ")
        .expect("a crontab line due every 30 minutes")
        .replace("/srv/jobs/web", pdd.path().to_str().unwrap())
        .replace("https://hooks.example.com/ansible", &url)
        .replace("/var/lib/node_exporter/textfile/web.prom", metrics.to_str().unwrap())
        .replace("/var/log/ansible/web.log", log.to_str().unwrap());
    let out = shell(&command, scratch.path());
    assert_eq!(out.status.code(), Some(2), "the job's rc: {out:?}");
    let alert = alerts.recv_timeout(PATIENCE).expect("an alert for the failed run");
    assert_eq!(alert["status"], "failed");
    let logged = fs::read_to_string(&log).unwrap();
    assert!(logged.contains("TASK [Check sshd config]"), "Ansible's output is logged: {logged}");
    assert!(logged.lines().last().unwrap_or_default().contains("failed"), "the summary closes the log: {logged}");
    assert!(fs::read_to_string(&metrics).unwrap().contains("ansible_runner_last_run_status"));
    let kept = fs::read_dir(pdd.path().join("artifacts")).unwrap().count();
    assert_eq!(kept, 48, "--rotate-artifacts bounds the history");
}

#[test]
fn the_ci_recipe_fails_the_step_and_leaves_junit() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file("project/deploy.yml", FAILING);
    let script = block("the_ci_recipe_fails_the_step_and_leaves_junit");
    assert!(script.starts_with("ansible-runner run . -p deploy.yml "), "{script}");
    let out = shell(&script, pdd.path());
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let junit = fs::read_to_string(pdd.path().join("reports/ansible.xml")).unwrap();
    assert!(junit.contains("<failure"), "{junit}");
    assert_eq!(pdd.artifacts("ci-4711").read("status"), "failed");
}
