//! `worker cleanup`: old private data dirs removed while a running job's dir and system folders
//! are kept, and `--remove-images` removing only the name it is given, on podman and docker.

use std::fs;
use std::process::Command;

use crate::common::{needs, ours, text};
use crate::isolation::containers::run;
use crate::isolation::engines::{Engine, IMAGE};

#[test]
fn worker_cleanup_removes_old_dirs_but_not_running_jobs_or_system_folders() {
    needs!(Ansible);
    let place = tempfile::tempdir().unwrap();
    for name in ["old1", "old2"] {
        fs::create_dir(place.path().join(name)).unwrap();
    }
    // A job started in `busy` protects it.
    let busy = place.path().join("busy");
    fs::create_dir_all(busy.join("project")).unwrap();
    let nap = "- hosts: localhost\n  gather_facts: false\n  tasks:\n    - command: sleep 58.3131\n";
    fs::write(busy.join("project/nap.yml"), nap).unwrap();
    let started = ours().arg("start").arg(&busy).args(["-p", "nap.yml"]).output().unwrap();
    assert_eq!(started.status.code(), Some(0), "{:?}", text(&started));
    crate::common::wait_until("the started job's task", || !crate::common::processes_with("58.3131").is_empty());
    // A pid file naming a process that is not that directory's job (a reused pid, or a process
    // that only calls itself ansible-runner) does not protect a folder.
    let mut impostor = Command::new("bash").args(["-c", "exec -a ansible-runner sleep 30"]).spawn().unwrap();
    crate::common::wait_until("the impostor", || {
        fs::read(format!("/proc/{}/cmdline", impostor.id())).is_ok_and(|c| c.starts_with(b"ansible-runner"))
    });
    fs::create_dir(place.path().join("reused")).unwrap();
    fs::write(place.path().join("reused/pid"), format!("{}\n", impostor.id())).unwrap();
    let pattern = format!("{}/*", place.path().display());
    let out = ours().args(["worker", "cleanup", "--file-pattern", &pattern, "--grace-period", "0"]).output().unwrap();
    impostor.kill().unwrap();
    impostor.wait().unwrap();
    let stopped = ours().arg("stop").arg(&busy).output().unwrap();
    assert_eq!(stopped.status.code(), Some(0), "{:?}", text(&stopped));
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let stdout = text(&out).0;
    assert!(stdout.contains("Removed 3 private data dir(s)") && stdout.ends_with("(changed: True)\n"), "{stdout}");
    assert!(place.path().join("busy").exists() && !place.path().join("old1").exists());
    assert!(!place.path().join("reused").exists());

    let refused = ours().args(["worker", "cleanup", "--file-pattern", "/us*"]).output().unwrap();
    assert_eq!(refused.status.code(), Some(1));
    assert!(text(&refused).1.contains("system folders"));
}

/// `worker cleanup --remove-images` removes the name it is given and no other: the image stays
/// under its other names, and `--image-prune` then leaves it alone.
fn cleanup_removes_only_the_named_tag(engine: Engine) {
    let probe = format!("localhost/cleanup-probe:{}", uuid::Uuid::new_v4().simple());
    let tagged = engine.cli().args(["tag", IMAGE, &probe]).output().unwrap();
    assert!(tagged.status.success(), "{:?}", text(&tagged));
    let mut cleanup = ours();
    cleanup.args(["worker", "cleanup", "--remove-images", &probe, "--image-prune"]);
    cleanup.args(["--process-isolation-executable", engine.name()]);
    let out = run(engine.wrap(cleanup));
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert!(text(&out).0.contains("Removed 1 image(s)"), "{:?}", text(&out));
    let names = |name: &str| {
        let listed = engine.cli().args(["images", "--quiet", name]).output().unwrap();
        assert!(listed.status.success(), "{:?}", text(&listed));
        !text(&listed).0.trim().is_empty()
    };
    assert!(!names(&probe), "{probe} is removed");
    assert!(names(IMAGE), "{IMAGE} is still there under its own name");
}

#[test]
fn podman_cleanup_removes_only_the_named_tag() {
    needs!(Podman);
    cleanup_removes_only_the_named_tag(Engine::Podman);
}

#[test]
fn docker_cleanup_removes_only_the_named_tag() {
    needs!(Docker);
    cleanup_removes_only_the_named_tag(Engine::Docker);
}
