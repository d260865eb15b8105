//! `--metrics-file` read back with the real Prometheus parser (`prometheus_client`, installed into
//! `.venv/` by `scripts/setup/venv --with-reference`), for `run` and for a job started with `start`.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::common::{needs, ours, text, venv_bin, wait_until, Pdd};

/// Parses exposition text with `prometheus_client`'s own parser; one JSON object per sample.
const PARSE: &str = r#"
import json, sys
from prometheus_client.parser import text_string_to_metric_families
print(json.dumps([
    {"family": f.name, "type": f.type, "name": s.name, "labels": s.labels, "value": s.value}
    for f in text_string_to_metric_families(sys.stdin.read()) for s in f.samples
]))
"#;

/// Samples by name and sorted labels (`name{a=1,b=2}`), as the real parser reads `path`.
fn parse(path: &Path) -> BTreeMap<String, f64> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut python = Command::new(venv_bin().join("python"))
        .args(["-c", PARSE])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    python.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let out = python.wait_with_output().unwrap();
    let (stdout, stderr) = self::text(&out);
    assert!(
        !stderr.contains("No module named 'prometheus_client'"),
        "prometheus_client is missing: run scripts/setup/venv --with-reference"
    );
    assert!(out.status.success(), "the Prometheus parser refused the file:\n{stderr}\n{text}");
    let samples: Vec<Value> = serde_json::from_str(&stdout).unwrap();
    samples
        .iter()
        .map(|s| {
            assert_eq!(s["type"], "gauge", "{s}");
            let labels: Vec<String> = s["labels"]
                .as_object()
                .unwrap()
                .iter()
                .filter(|(k, _)| *k != "runner_job" && *k != "ran")
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap()))
                .collect();
            let name = s["name"].as_str().unwrap().trim_start_matches("ansible_runner_");
            (format!("{name}{{{}}}", labels.join(",")), s["value"].as_f64().unwrap())
        })
        .collect()
}

/// The `runner_job` and `ran` labels every sample carries (they must be the same on all).
fn job_labels(path: &Path) -> (String, String) {
    let text = std::fs::read_to_string(path).unwrap();
    let sample = text.lines().find(|l| l.starts_with("ansible_runner_last_run_rc{")).unwrap();
    let job = sample.split("runner_job=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let ran = sample.split("ran=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    (job, ran)
}

fn now() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs_f64()
}

const INVENTORY: &str = "\
fine ansible_connection=local ansible_python_interpreter=\"{{ ansible_playbook_python }}\"
bad ansible_connection=local ansible_python_interpreter=\"{{ ansible_playbook_python }}\"
";

const PLAYBOOK: &str = "\
- hosts: all
  gather_facts: false
  tasks:
    - command: \"{{ 'false' if inventory_hostname == 'bad' else 'true' }}\"
";

#[test]
fn run_writes_the_last_run_for_the_textfile_collector() {
    needs!(Prometheus);
    let pdd = Pdd::new();
    pdd.file("inventory/hosts", INVENTORY).file("project/site.yml", PLAYBOOK);
    let textfile = tempfile::tempdir().unwrap();
    let metrics = textfile.path().join("collector/web.prom");
    let before = now();
    let out = ours()
        .arg("run")
        .arg(pdd.path())
        .args(["-p", "site.yml", "-i", "m", "-q", "--metrics-file", metrics.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out).1);
    let samples = parse(&metrics);
    let name = pdd.path().file_name().unwrap().to_str().unwrap().to_owned();
    assert_eq!(job_labels(&metrics), (name, "site.yml".to_owned()));
    assert_eq!(samples["last_run_info{ident=m}"], 1.0);
    assert_eq!(samples["last_run_status{status=failed}"], 1.0);
    for other in ["successful", "timeout", "canceled"] {
        assert_eq!(samples[&format!("last_run_status{{status={other}}}")], 0.0, "{other}");
    }
    assert_eq!(samples["last_run_rc{}"], 2.0);
    assert_eq!(samples["last_run_hosts{outcome=failed}"], 1.0);
    assert_eq!(samples["last_run_hosts{outcome=changed}"], 1.0, "the command task reports changed");
    assert_eq!(samples["last_run_hosts{outcome=unreachable}"], 0.0);
    assert_eq!(samples["last_run_events{}"], pdd.artifacts("m").events().len() as f64);
    let (start, end) = (samples["last_run_start_timestamp_seconds{}"], samples["last_run_end_timestamp_seconds{}"]);
    assert!(before - 1.0 <= start && start <= end && end <= now() + 1.0, "{start} {end}");
    assert!((samples["last_run_duration_seconds{}"] - (end - start)).abs() < 0.01);
    let left: Vec<_> = std::fs::read_dir(metrics.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, ["web.prom"], "no temporary file is left beside it");

    // The next run replaces the file as a whole.
    pdd.file("inventory/hosts", &INVENTORY.replace("bad ", "good "));
    let ok = ours()
        .arg("run")
        .arg(pdd.path())
        .args(["-p", "site.yml", "-i", "m2", "-q", "--metrics-file", metrics.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(ok.status.code(), Some(0));
    let samples = parse(&metrics);
    assert_eq!(samples["last_run_status{status=successful}"], 1.0);
    assert_eq!(samples["last_run_status{status=failed}"], 0.0);
    assert!(!samples.contains_key("last_run_info{ident=m}"));
    assert_eq!(samples["last_run_hosts{outcome=changed}"], 2.0);
}

#[test]
fn started_job_writes_the_metrics_when_it_ends() {
    needs!(Prometheus);
    let pdd = Pdd::new();
    pdd.file("project/ok.yml", "- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: msg=fine\n");
    let metrics = pdd.path().join("job.prom");
    let out = ours()
        .arg("start")
        .arg(pdd.path())
        .args(["-p", "ok.yml", "-i", "bg", "--metrics-file", metrics.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);
    wait_until("the started job's metrics file", || metrics.exists());
    wait_until("the started job to end", || !pdd.path().join("pid").exists());
    let samples = parse(&metrics);
    assert_eq!(samples["last_run_info{ident=bg}"], 1.0);
    assert_eq!(samples["last_run_status{status=successful}"], 1.0);
    assert_eq!(samples["last_run_hosts{outcome=ok}"], 1.0);
}

#[test]
fn unwritable_metrics_file_keeps_the_job_result() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file("project/ok.yml", "- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: msg=fine\n");
    pdd.file("blocker", "a file where a directory should be");
    let metrics = pdd.path().join("blocker/job.prom");
    let out = ours()
        .arg("run")
        .arg(pdd.path())
        .args(["-p", "ok.yml", "-i", "x", "-q", "--metrics-file", metrics.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = text(&out).1;
    assert!(stderr.contains(&format!("cannot write the metrics file {}", metrics.display())), "{stderr}");
    assert_eq!(pdd.artifacts("x").read("status"), "successful");
}

#[test]
fn runs_that_cannot_start_or_are_skipped_write_the_metrics_too() {
    needs!(Prometheus);
    let pdd = Pdd::new();
    pdd.file("project/ok.yml", "- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: msg=fine\n");
    pdd.file("env/settings", "job_timeout: \"5m\"\n");
    let metrics = pdd.path().join("job.prom");
    let run = |extra: &[&str]| {
        ours()
            .arg("run")
            .arg(pdd.path())
            .args(["-p", "ok.yml", "-q", "--metrics-file", metrics.to_str().unwrap()])
            .args(extra)
            .output()
            .unwrap()
    };
    let refused = run(&["-i", "bad-settings"]);
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused).1);
    let samples = parse(&metrics);
    assert_eq!(samples["last_run_status{status=failed}"], 1.0);
    assert_eq!(samples["last_run_status{status=skipped}"], 0.0);
    assert_eq!(samples["last_run_rc{}"], 1.0);
    assert_eq!(samples["last_run_info{ident=bad-settings}"], 1.0);
    assert!(now() - samples["last_run_end_timestamp_seconds{}"] < 60.0);

    std::fs::remove_file(pdd.path().join("env/settings")).unwrap();
    let file = std::fs::File::create(pdd.path().join(".ansible-runner.lock")).unwrap();
    let _held = nix::fcntl::Flock::lock(file, nix::fcntl::FlockArg::LockExclusiveNonblock).unwrap();
    let skipped = run(&["-i", "locked", "--lock"]);
    assert_eq!(skipped.status.code(), Some(75));
    let samples = parse(&metrics);
    assert_eq!(samples["last_run_status{status=skipped}"], 1.0);
    assert_eq!(samples["last_run_status{status=failed}"], 0.0);
    assert_eq!(samples["last_run_rc{}"], 75.0);
}
