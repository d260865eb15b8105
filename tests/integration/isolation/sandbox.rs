//! Jobs in a real bubblewrap sandbox, with the Ansible under /opt that scripts/setup/sandbox-ansible
//! makes (the sandbox shows only /bin, /etc, /usr, /opt and the private data dir): the same events
//! as a local run, hidden paths hidden, the project run from a copy, and nothing left afterwards.

use std::fs;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::common::{
    assert_stream_invariants, names, needs, ours, processes_with, runs_before_exit, text, wait_until,
    with_time_to_start, Pdd,
};
use crate::isolation::engines::sandbox_ansible_bin;

/// `ours` with the sandbox's Ansible first on PATH.
pub fn with_opt_ansible() -> Command {
    let mut cmd = ours();
    cmd.env("PATH", format!("{}:{}", sandbox_ansible_bin().display(), std::env::var("PATH").unwrap_or_default()));
    cmd.stdin(Stdio::null());
    cmd
}

#[test]
fn sandboxed_job_gives_the_local_events_and_hides_what_it_must() {
    needs!(Bubblewrap);
    let scratch = tempfile::tempdir().unwrap();
    let secret = scratch.path().join("secret");
    fs::create_dir(&secret).unwrap();
    fs::write(secret.join("key"), "host secret\n").unwrap();
    let (pi, di) = (scratch.path().join("pi"), scratch.path().join("di"));
    let pdd = Pdd::new();
    let playbook = format!(
        "- hosts: all\n  gather_facts: false\n  tasks:\n    - stat: path={}/key\n      register: hidden\n    - debug: msg=\"hidden={{{{ not hidden.stat.exists }}}}\"\n    - copy: content=\"made\\n\" dest=\"{{{{ playbook_dir }}}}/made\"\n",
        secret.display()
    );
    pdd.file("project/site.yml", &playbook);

    let out = with_opt_ansible()
        .arg("run")
        .arg(pdd.path())
        .args(["-p", "site.yml", "--ident", "boxed", "--process-isolation", "--process-isolation-executable", "bwrap"])
        .arg("--process-isolation-path")
        .arg(&pi)
        .arg("--process-isolation-hide-paths")
        .arg(&secret)
        .arg("--directory-isolation-base-path")
        .arg(&di)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert!(!pdd.path().join("project/made").exists(), "the job wrote into its copy, not the project");
    let local = with_opt_ansible().arg("run").arg(pdd.path()).args(["-p", "site.yml", "--ident", "local"]).output();
    assert_eq!(local.unwrap().status.code(), Some(0));

    let (boxed, here) = (pdd.artifacts("boxed"), pdd.artifacts("local"));
    let events = boxed.events();
    assert_stream_invariants(&events);
    assert_eq!(names(&events), names(&here.events()));
    assert!(boxed.read("stdout").contains("hidden=True"), "{}", boxed.read("stdout"));
    assert!(here.read("stdout").contains("hidden=False"));
    assert_eq!(boxed.read("status"), "successful");
    let command: serde_json::Value = serde_json::from_str(&boxed.read("command")).unwrap();
    assert_eq!(command["command"][0], "bwrap");
    assert_eq!(command["cwd"], di.display().to_string());
    assert_eq!(fs::read_dir(&pi).unwrap().count(), 0, "stand-ins removed");
    assert_eq!(fs::read_dir(&di).unwrap().count(), 0, "the project copy is removed");
    for gone in ["events", "callback"] {
        assert!(!boxed.dir.join(gone).exists(), "{gone} is removed when the job ends");
    }
}

#[test]
fn sandboxed_job_times_out_and_leaves_no_process() {
    needs!(Bubblewrap);
    let marker = "147.1122";
    with_time_to_start(10, |limit| {
        let pdd = Pdd::new();
        let playbook = format!("- hosts: all\n  gather_facts: false\n  tasks:\n    - command: sleep {marker}\n");
        pdd.file("project/site.yml", &playbook).file("env/settings", &format!("job_timeout: {limit}\n"));
        let mut child = with_opt_ansible()
            .arg("run")
            .arg(pdd.path())
            .args(["-p", "site.yml", "--ident", "slow", "--process-isolation", "--process-isolation-executable"])
            .arg("bwrap")
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let ran = runs_before_exit(&mut child, marker);
        assert_eq!(child.wait().unwrap().code(), Some(254));
        let artifacts = pdd.artifacts("slow");
        assert_eq!((artifacts.read("status"), artifacts.read("rc")), ("timeout".to_owned(), "254".to_owned()));
        assert!(processes_with(marker).is_empty(), "the sandboxed sleep is gone");
        ran.then_some(())
    });
}

#[test]
fn sandboxed_job_uses_the_private_ssh_agent() {
    needs!(Bubblewrap, SshClient);
    let pdd = crate::isolation::containers::agent_pdd();
    let out = with_opt_ansible()
        .arg("run")
        .arg(pdd.path())
        .args(["-p", "site.yml", "--ident", "agent", "--process-isolation", "--process-isolation-executable", "bwrap"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let stdout = pdd.artifacts("agent").read("stdout");
    assert!(stdout.contains("agent-keys=1 kind=12"), "the agent's socket is bound into the sandbox: {stdout}");
}

#[test]
fn a_sandbox_that_cannot_be_prepared_fails_the_job_with_a_status() {
    needs!(Bubblewrap);
    let pdd = Pdd::new();
    pdd.file("project/site.yml", "- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: msg=x\n");
    let out = with_opt_ansible()
        .arg("run")
        .arg(pdd.path())
        .args([
            "-p",
            "site.yml",
            "--ident",
            "unready",
            "--process-isolation",
            "--process-isolation-executable",
            "bwrap",
        ])
        .args(["--process-isolation-path", "/proc/no-such-dir"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out).1;
    assert!(stderr.contains("cannot prepare the sandbox under /proc/no-such-dir"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    let artifacts = pdd.artifacts("unready");
    assert_eq!((artifacts.read("status"), artifacts.read("rc")), ("failed".to_owned(), "1".to_owned()));
}

/// `ours run <pdd> -p site.yml --ident <ident>` in the sandbox, the project run from a copy under `di`.
fn boxed_with_copy(pdd: &Pdd, ident: &str, di: &std::path::Path) -> Command {
    let mut cmd = with_opt_ansible();
    cmd.arg("run").arg(pdd.path()).args(["-p", "site.yml", "--ident", ident, "--process-isolation"]);
    cmd.args(["--process-isolation-executable", "bwrap", "--directory-isolation-base-path"]).arg(di);
    cmd
}

#[test]
fn the_project_copy_is_owner_only_and_keeps_the_modes_inside() {
    use std::os::unix::fs::PermissionsExt;
    needs!(Bubblewrap);
    let scratch = tempfile::tempdir().unwrap();
    let di = scratch.path().join("di");
    let pdd = Pdd::new();
    let playbook = "- hosts: all\n  gather_facts: false\n  tasks:\n    - stat: path={{ playbook_dir }}\n      register: top\n    - stat: path={{ playbook_dir }}/secret\n      register: inside\n    - debug: msg=\"top={{ top.stat.mode }} inside={{ inside.stat.mode }}\"\n";
    pdd.file("project/site.yml", playbook).file("project/secret", "s3cret\n");
    fs::set_permissions(pdd.path().join("project/secret"), fs::Permissions::from_mode(0o640)).unwrap();
    fs::set_permissions(pdd.path().join("project"), fs::Permissions::from_mode(0o700)).unwrap();
    let out = boxed_with_copy(&pdd, "modes", &di).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let stdout = pdd.artifacts("modes").read("stdout");
    assert!(stdout.contains("top=0700 inside=0640"), "{stdout}");
}

#[test]
fn a_fifo_in_the_project_is_refused_by_name_and_the_partial_copy_removed() {
    needs!(Bubblewrap);
    let scratch = tempfile::tempdir().unwrap();
    let di = scratch.path().join("di");
    let pdd = Pdd::new();
    pdd.file("project/site.yml", "- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: msg=x\n");
    let fifo = pdd.path().join("project/pipe");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRUSR | nix::sys::stat::Mode::S_IWUSR).unwrap();
    let began = std::time::Instant::now();
    let mut child = boxed_with_copy(&pdd, "fifo", &di).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    wait_until("the run to end", || child.try_wait().unwrap().is_some());
    let out = child.wait_with_output().unwrap();
    assert!(began.elapsed() < Duration::from_secs(30));
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out).1;
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains(&fifo.display().to_string()) && stderr.contains("FIFO"), "{stderr}");
    assert_eq!(fs::read_dir(&di).unwrap().count(), 0, "the partial copy is removed");
    assert_eq!(pdd.artifacts("fifo").read("status"), "failed");
}

/// A project too large to copy within `job_timeout` (a 64 GiB sparse file) ends the job on time,
/// `timeout`, with the partial copy removed; a cancel stops the copy the same way.
#[test]
fn the_project_copy_is_bounded_by_job_timeout_and_cancelable() {
    needs!(Bubblewrap);
    for (ident, cancel) in [("copy-timeout", false), ("copy-cancel", true)] {
        let scratch = tempfile::tempdir().unwrap();
        let di = scratch.path().join("di");
        let pdd = Pdd::new();
        pdd.file("project/site.yml", "- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: msg=x\n");
        if !cancel {
            pdd.file("env/settings", "job_timeout: 2\n");
        }
        fs::File::create(pdd.path().join("project/huge")).unwrap().set_len(64 << 30).unwrap();
        let began = std::time::Instant::now();
        let mut child = boxed_with_copy(&pdd, ident, &di).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
        if cancel {
            wait_until("the copy to begin", || fs::read_dir(&di).is_ok_and(|mut entries| entries.next().is_some()));
            nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), nix::sys::signal::SIGTERM).unwrap();
        }
        wait_until("the run to end", || child.try_wait().unwrap().is_some());
        let took = began.elapsed();
        let out = child.wait_with_output().unwrap();
        let expected = if cancel { "canceled" } else { "timeout" };
        assert_eq!(pdd.artifacts(ident).read("status"), expected, "{:?}", text(&out));
        assert_eq!(out.status.code(), Some(254));
        // The copy alone would take minutes.
        assert!(took < Duration::from_secs(20), "{ident} took {took:?}");
        assert_eq!(fs::read_dir(&di).unwrap().count(), 0, "the partial copy is removed");
    }
}
