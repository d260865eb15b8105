//! `replay` of a recorded run: the same text the run printed, `--follow` on a running job to its
//! end, and the JUnit report and summary rebuilt from the recorded events.

use std::fs;

use crate::common::{needs, ours, text, wait_until, Pdd, TWO_TASKS};

#[test]
fn replay_prints_what_the_run_printed() {
    needs!(Ansible);
    let pdd = Pdd::new();
    pdd.file("project/site.yml", TWO_TASKS);
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
