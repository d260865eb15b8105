//! What an isolated job (in a podman or docker container, or the bubblewrap sandbox) can do to its
//! own artifact dir and container must not make the runner act on the host or on other jobs.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::common::{needs, text, wait_until, Pdd};
use crate::isolation::containers::in_container;
use crate::isolation::engines::{unique_ident, Engine};
use crate::isolation::sandbox::with_opt_ansible;

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
    needs!(Podman);
    swap_in_container(Engine::Podman);
}

#[test]
fn docker_job_swapping_its_artifact_dir_for_a_link_touches_nothing_on_the_host() {
    needs!(Docker);
    swap_in_container(Engine::Docker);
}

#[test]
fn sandboxed_job_swapping_its_artifact_dir_for_a_link_touches_nothing_on_the_host() {
    needs!(Bubblewrap);
    let victim = victim();
    let pdd = Pdd::new();
    pdd.file("project/site.yml", &swapping_playbook(victim.path()));
    let mut cmd = with_opt_ansible();
    cmd.arg("run").arg(pdd.path()).args(["-p", "site.yml", "--ident", "swap", "--process-isolation"]);
    cmd.args(["--process-isolation-executable", "bwrap"]);
    swap_leaves_the_host_alone(cmd, &pdd, "swap", victim.path());
}

/// Job A cannot start because job B's container holds the name A's ident maps to (`<u>.1` and
/// `<u>_1` both give `ansible_runner_<u>_1`): A fails, and B's container is left running.
fn name_clash_leaves_the_other_job_alone(engine: Engine) {
    use nix::sys::signal::{kill, Signal};
    use nix::unistd::Pid;
    let pdd = Pdd::new();
    pdd.file("project/site.yml", SLEEPER);
    let base = unique_ident("clash");
    let (ident_b, ident_a) = (format!("{base}_1"), format!("{base}.1"));
    let name = format!("ansible_runner_{base}_1");
    let mut b = in_container(engine, &pdd, &ident_b, &[]).stdin(Stdio::null()).stdout(Stdio::null()).spawn().unwrap();
    let artifacts_b = pdd.artifacts(&ident_b);
    wait_until("job B's task to start", || {
        fs::read_to_string(artifacts_b.dir.join("stdout")).is_ok_and(|t| t.contains("TASK [command]"))
    });
    let a = in_container(engine, &pdd, &ident_a, &[]).stdin(Stdio::null()).output().unwrap();
    assert_ne!(a.status.code(), Some(0), "{:?}", text(&a));
    assert_eq!(pdd.artifacts(&ident_a).read("status"), "failed");
    assert_eq!(engine.containers_named(&name), vec![name.clone()], "B's container is still there");
    assert!(b.try_wait().unwrap().is_none(), "job B still runs");
    kill(Pid::from_raw(i32::try_from(b.id()).unwrap()), Signal::SIGTERM).unwrap();
    assert_eq!(b.wait().unwrap().code(), Some(254));
    assert_eq!(artifacts_b.read("status"), "canceled", "B ends as it was ended, not failed");
    assert_eq!(engine.containers_named(&name), Vec::<String>::new());
}

#[test]
fn podman_job_that_cannot_start_leaves_the_container_holding_its_name_alone() {
    needs!(Podman);
    name_clash_leaves_the_other_job_alone(Engine::Podman);
}

#[test]
fn docker_job_that_cannot_start_leaves_the_container_holding_its_name_alone() {
    needs!(Docker);
    name_clash_leaves_the_other_job_alone(Engine::Docker);
}

/// A container renamed through `container_options` is still ended on a timeout.
fn renamed_container_ends_on_timeout(engine: Engine) {
    let pdd = Pdd::new();
    pdd.file("project/site.yml", SLEEPER).file("env/settings", "job_timeout: 3\n");
    let ident = unique_ident("renamed");
    let renamed = unique_ident("other-name");
    let option = format!("--container-option=--name={renamed}");
    let out = in_container(engine, &pdd, &ident, &[&option]).stdin(Stdio::null()).output().unwrap();
    assert_eq!(out.status.code(), Some(254), "{:?}", text(&out));
    assert_eq!(pdd.artifacts(&ident).read("status"), "timeout");
    assert_eq!(engine.containers_named(&renamed), Vec::<String>::new(), "the renamed container is gone");
}

#[test]
fn podman_renamed_container_ends_on_timeout() {
    needs!(Podman);
    renamed_container_ends_on_timeout(Engine::Podman);
}

#[test]
fn docker_renamed_container_ends_on_timeout() {
    needs!(Docker);
    renamed_container_ends_on_timeout(Engine::Docker);
}

const SLEEPER: &str = "- hosts: all\n  gather_facts: false\n  tasks:\n    - command: sleep 300\n";

/// A sandboxed job on a worker swaps its artifact dir for a link to a host dir: the artifacts the
/// worker streams back are the run's own, and nothing of the host dir leaves the node.
#[test]
fn a_worker_streams_back_its_own_artifacts_not_a_host_dir_the_job_linked_in() {
    needs!(Bubblewrap);
    let victim = victim();
    fs::write(victim.path().join("host-secret"), "not for the controller").unwrap();
    let pdd = Pdd::new();
    pdd.file("project/site.yml", &swapping_playbook(victim.path()));
    let stream = crate::common::ours()
        .arg("transmit")
        .arg(pdd.path())
        .args(["-p", "site.yml", "--ident", "wswap", "--process-isolation"])
        .args(["--process-isolation-executable", "bwrap"])
        .output()
        .unwrap();
    assert!(stream.status.success(), "{:?}", text(&stream));
    let node = tempfile::tempdir().unwrap();
    let mut worker = with_opt_ansible();
    worker.arg("worker").arg("--private-data-dir").arg(node.path()).stdin(Stdio::piped()).stdout(Stdio::piped());
    let mut child = worker.spawn().unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), &stream.stdout).unwrap();
    let results = child.wait_with_output().unwrap();
    let controller = Pdd::new();
    let mut process = crate::common::ours()
        .arg("process")
        .arg(controller.path())
        .args(["--ident", "wswap"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut process.stdin.take().unwrap(), &results.stdout).unwrap();
    assert!(process.wait().unwrap().success());
    let received = controller.path().join("artifacts/wswap");
    assert_eq!(fs::read_to_string(received.join("status")).unwrap(), "successful");
    assert!(!received.join("host-secret").exists(), "the host dir was packed and sent");
    assert_eq!(fs::read_to_string(victim.path().join("env.list")).unwrap(), "host");
}
