//! What an isolated job (in a podman or docker container, or the bubblewrap sandbox) can do to its
//! own artifact dir and container must not make the runner act on the host or on other jobs.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::common::{text, Pdd};
use crate::containers::in_container;
use crate::engines::{unique_ident, Engine};
use crate::sandbox::with_opt_ansible;

/// The job moves its artifact dir away and leaves a symlink to `victim` (a host path) in its place.
fn swapping_playbook(victim: &Path) -> String {
    format!(
        "- hosts: all\n  gather_facts: false\n  tasks:\n    - shell: 'd=\"$AWX_ISOLATED_DATA_DIR\"; mv \"$d\" \"$d.moved\" && ln -s {} \"$d\"'\n",
        victim.display()
    )
}

/// A host dir holding the names the runner removes and writes in an artifact dir.
fn victim() -> tempfile::TempDir {
    let victim = tempfile::tempdir().unwrap();
    fs::create_dir(victim.path().join("callback")).unwrap();
    for name in ["callback/keep.py", "env.list", "events"] {
        fs::write(victim.path().join(name), "host").unwrap();
    }
    victim
}

/// Runs `cmd`, the swapping job with `ident` in `pdd`, and checks that the host dir is untouched and
/// the run's own dir (where the job moved it) got its status.
fn swap_leaves_the_host_alone(mut cmd: Command, pdd: &Pdd, ident: &str, victim: &Path) {
    let out = cmd.stdin(Stdio::null()).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    for name in ["callback/keep.py", "env.list", "events"] {
        let kept = fs::read_to_string(victim.join(name)).unwrap_or_else(|err| panic!("{name}: {err}"));
        assert_eq!(kept, "host", "{name}");
    }
    for name in ["status", "rc", ".status.tmp", ".rc.tmp"] {
        assert!(!victim.join(name).exists(), "{name} written through the job's link");
    }
    let moved = pdd.path().join("artifacts").join(format!("{ident}.moved"));
    assert_eq!(fs::read_to_string(moved.join("status")).unwrap(), "successful");
    assert_eq!(fs::read_to_string(moved.join("rc")).unwrap(), "0");
    for gone in ["env.list", "events", "callback"] {
        assert!(!moved.join(gone).exists(), "{gone} is removed from the run's own dir");
    }
}

fn swap_in_container(engine: Engine) {
    let victim = victim();
    let pdd = Pdd::new();
    pdd.file("project/site.yml", &swapping_playbook(victim.path()));
    let ident = unique_ident("swap");
    swap_leaves_the_host_alone(in_container(engine, &pdd, &ident, &[]), &pdd, &ident, victim.path());
}

#[test]
fn podman_job_swapping_its_artifact_dir_for_a_link_touches_nothing_on_the_host() {
    swap_in_container(Engine::Podman);
}

#[test]
fn docker_job_swapping_its_artifact_dir_for_a_link_touches_nothing_on_the_host() {
    swap_in_container(Engine::Docker);
}

#[test]
fn sandboxed_job_swapping_its_artifact_dir_for_a_link_touches_nothing_on_the_host() {
    let victim = victim();
    let pdd = Pdd::new();
    pdd.file("project/site.yml", &swapping_playbook(victim.path()));
    let mut cmd = with_opt_ansible();
    cmd.arg("run").arg(pdd.path()).args(["-p", "site.yml", "--ident", "swap", "--process-isolation"]);
    cmd.args(["--process-isolation-executable", "bwrap"]);
    swap_leaves_the_host_alone(cmd, &pdd, "swap", victim.path());
}
