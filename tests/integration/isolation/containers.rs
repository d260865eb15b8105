//! Jobs in real containers (podman and docker, the image of scripts/setup/ee-image): the same events,
//! stdout, rc and status as a local run, and a timeout or a cancel ends the container too. Every
//! test runs on both engines.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Output, Stdio};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

use crate::common::{assert_stream_invariants, names, needs, ours, reference, text, wait_until, Pdd};
use crate::isolation::engines::{unique_ident, Engine, IMAGE};

const PLAYBOOK: &str = r#"- hosts: all
  gather_facts: false
  tasks:
    - debug: msg={{ greeting }}
    - command: echo from-the-job
      register: said
    - debug:
        msg: "{{ said.stdout }} {{ lookup('env', 'API_TOKEN') }}"
"#;

fn pdd() -> Pdd {
    let pdd = Pdd::new();
    pdd.file("project/site.yml", PLAYBOOK)
        .file("env/extravars", "greeting: hello\n")
        .file("env/envvars", "API_TOKEN: s3cret-token\n");
    pdd
}

/// `ours run <pdd> -p site.yml --ident <ident>` in `engine`'s container, with `extra` flags.
pub fn in_container(engine: Engine, pdd: &Pdd, ident: &str, extra: &[&str]) -> Command {
    let mut cmd = ours();
    cmd.arg("run").arg(pdd.path()).args(["-p", "site.yml", "--ident", ident, "--process-isolation"]);
    cmd.args(["--process-isolation-executable", engine.name(), "--container-image", IMAGE]).args(extra);
    engine.wrap(cmd)
}

pub fn run(mut cmd: Command) -> Output {
    cmd.stdin(Stdio::null()).output().unwrap()
}

fn same_run_as_local(engine: Engine) {
    let pdd = pdd();
    let ident = unique_ident("same");
    let out = run(in_container(engine, &pdd, &ident, &[]));
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let local = run({
        let mut cmd = ours();
        cmd.arg("run").arg(pdd.path()).args(["-p", "site.yml", "--ident", "local"]);
        cmd
    });
    assert_eq!(local.status.code(), Some(0), "{:?}", text(&local));
    assert_eq!(stdout, text(&local).0, "the terminal shows the same");

    let (inside, here) = (pdd.artifacts(&ident), pdd.artifacts("local"));
    let events = inside.events();
    assert_stream_invariants(&events);
    assert_eq!(names(&events), names(&here.events()));
    let lines = |events: &[serde_json::Map<String, serde_json::Value>]| -> Vec<(u64, u64, String)> {
        let field = |e: &serde_json::Map<String, serde_json::Value>, k: &str| e[k].as_u64().unwrap();
        events.iter().map(|e| (field(e, "start_line"), field(e, "end_line"), e["stdout"].to_string())).collect()
    };
    assert_eq!(lines(&events), lines(&here.events()), "event lines and text");
    assert_eq!(inside.stdout_lines(), here.stdout_lines());
    assert!(inside.read("stdout").contains("from-the-job s3cret-token"), "env/envvars reach the container");
    assert_eq!((inside.read("status"), inside.read("rc")), ("successful".to_owned(), "0".to_owned()));

    let command: serde_json::Value = serde_json::from_str(&inside.read("command")).unwrap();
    assert_eq!(command["command"][0], engine.name());
    assert_eq!(command["cwd"], "/runner/project");
    assert_eq!(command["env"]["API_TOKEN"], "**********", "the command artifact masks secrets");
    for gone in ["env.list", "events", "callback"] {
        assert!(!inside.dir.join(gone).exists(), "{gone} is removed when the job ends");
    }
    assert_eq!(engine.containers_named(&format!("ansible_runner_{ident}")), Vec::<String>::new());
}

#[test]
fn podman_job_runs_as_a_local_one() {
    needs!(Podman, Ansible);
    same_run_as_local(Engine::Podman);
}

#[test]
fn docker_job_runs_as_a_local_one() {
    needs!(Docker, Ansible);
    same_run_as_local(Engine::Docker);
}

const SLEEPER: &str = "- hosts: all
  gather_facts: false
  tasks:
    - command: sleep 300
";

fn times_out(engine: Engine) {
    let pdd = Pdd::new();
    pdd.file("project/site.yml", SLEEPER).file("env/settings", "job_timeout: 3\n");
    let ident = unique_ident("timeout");
    let out = run(in_container(engine, &pdd, &ident, &[]));
    assert_eq!(out.status.code(), Some(254), "{:?}", text(&out));
    let artifacts = pdd.artifacts(&ident);
    assert_eq!((artifacts.read("status"), artifacts.read("rc")), ("timeout".to_owned(), "254".to_owned()));
    assert_eq!(engine.containers_named(&format!("ansible_runner_{ident}")), Vec::<String>::new());
    assert!(!artifacts.dir.join("env.list").exists());
}

#[test]
fn podman_timeout_ends_the_container() {
    needs!(Podman);
    times_out(Engine::Podman);
}

#[test]
fn docker_timeout_ends_the_container() {
    needs!(Docker);
    times_out(Engine::Docker);
}

/// Whether the job's output shows its (only) task, read from the `stdout` artifact as it grows:
/// event files may be half-written while the job runs.
fn task_started(artifacts: &crate::common::Artifacts) -> bool {
    fs::read_to_string(artifacts.dir.join("stdout")).is_ok_and(|text| text.contains("TASK [command]"))
}

fn cancels(engine: Engine, signal: Signal) {
    let pdd = Pdd::new();
    pdd.file("project/site.yml", SLEEPER);
    let ident = unique_ident("cancel");
    let name = format!("ansible_runner_{ident}");
    let mut child = in_container(engine, &pdd, &ident, &[]).stdin(Stdio::null()).stdout(Stdio::null()).spawn().unwrap();
    let artifacts = pdd.artifacts(&ident);
    wait_until("the sleeping task to start", || task_started(&artifacts));
    let env_list = fs::metadata(artifacts.dir.join("env.list")).unwrap();
    assert_eq!(env_list.permissions().mode() & 0o777, 0o600, "env.list holds secrets: owner only");
    let pid = Pid::from_raw(i32::try_from(child.id()).unwrap());
    kill(pid, signal).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(254));
    assert_eq!((artifacts.read("status"), artifacts.read("rc")), ("canceled".to_owned(), "254".to_owned()));
    assert_eq!(engine.containers_named(&name), Vec::<String>::new(), "no container left");
    assert!(!artifacts.dir.join("env.list").exists());
}

#[test]
fn podman_sigterm_ends_the_container() {
    needs!(Podman);
    cancels(Engine::Podman, Signal::SIGTERM);
}

#[test]
fn docker_ctrl_c_ends_the_container() {
    needs!(Docker);
    cancels(Engine::Docker, Signal::SIGINT);
}

#[test]
fn a_missing_engine_is_named_and_nothing_is_written() {
    let pdd = pdd();
    let out = run({
        let mut cmd = ours();
        cmd.arg("run").arg(pdd.path()).args(["-p", "site.yml", "--ident", "x", "--process-isolation"]);
        cmd.args(["--process-isolation-executable", "no-such-engine", "--container-image", IMAGE]);
        cmd
    });
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out).1.trim(), "Unable to find process isolation executable: no-such-engine");
    crate::common::assert_nothing_ran(pdd.path(), "refused");
}

#[test]
fn system_dirs_are_refused_as_mounts() {
    needs!(Podman);
    let pdd = pdd();
    let link = pdd.path().join("root-link");
    std::os::unix::fs::symlink("/", &link).unwrap();
    let through_link = format!("{}:/hostroot", link.display());
    let spelled = ["/:/host", "/home/:/h", "/usr:/u", "/./:/hostroot", "/etc/..:/hostroot", "/usr/./:/u"];
    for mount in spelled.iter().copied().chain([through_link.as_str()]) {
        let out = run({
            let mut cmd = ours();
            cmd.arg("run").arg(pdd.path()).args(["-p", "site.yml", "--process-isolation"]);
            // Refused before the engine is started: nothing needs wrapping.
            cmd.args(["--container-image", IMAGE]);
            cmd.args(["--container-volume-mount", mount]);
            cmd
        });
        assert_eq!(out.status.code(), Some(1));
        let stderr = text(&out).1;
        assert!(stderr.contains("cannot mount '/', '/home' or '/usr'") && stderr.contains(mount), "{stderr}");
        crate::common::assert_nothing_ran(pdd.path(), "refused");
    }
}

#[test]
fn an_image_that_reads_like_an_option_is_refused() {
    needs!(Podman);
    let pdd = pdd();
    let out = run({
        let mut cmd = ours();
        cmd.arg("run").arg(pdd.path()).args(["-p", "site.yml", "--process-isolation"]);
        cmd.arg("--container-image=--privileged");
        cmd
    });
    assert_eq!(out.status.code(), Some(1), "{:?}", text(&out));
    let stderr = text(&out).1;
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("container image \"--privileged\" starts with '-'"), "{stderr}");
    crate::common::assert_nothing_ran(pdd.path(), "refused");
}

/// `stop` ends a `start`ed container job and returns once it is over (the reference's `stop`
/// leaves the container running).
fn stop_ends(engine: Engine) {
    let pdd = Pdd::new();
    pdd.file("project/site.yml", SLEEPER);
    let ident = unique_ident("stop");
    let mut start = ours();
    start.arg("start").arg(pdd.path()).args(["-p", "site.yml", "--ident", &ident, "--process-isolation"]);
    start.args(["--process-isolation-executable", engine.name(), "--container-image", IMAGE]);
    let started = run(engine.wrap(start));
    assert_eq!(started.status.code(), Some(0), "{:?}", text(&started));
    let artifacts = pdd.artifacts(&ident);
    wait_until("the sleeping task to start", || task_started(&artifacts));
    let name = format!("ansible_runner_{ident}");
    assert_eq!(engine.containers_named(&name), vec![name.clone()], "the job runs in its container");
    let stopped = run({
        let mut cmd = ours();
        cmd.arg("stop").arg(pdd.path());
        cmd
    });
    assert_eq!(stopped.status.code(), Some(0), "{:?}", text(&stopped));
    assert_eq!((artifacts.read("status"), artifacts.read("rc")), ("canceled".to_owned(), "254".to_owned()));
    assert_eq!(engine.containers_named(&name), Vec::<String>::new(), "no container left");
}

#[test]
fn podman_stop_ends_the_container() {
    needs!(Podman);
    stop_ends(Engine::Podman);
}

#[test]
fn docker_stop_ends_the_container() {
    needs!(Docker);
    stop_ends(Engine::Docker);
}

/// An image the engine cannot find: the engine's own message in the job's output, `failed`,
/// the engine's exit code as rc, and no container.
fn missing_image(engine: Engine) {
    let pdd = pdd();
    let ident = unique_ident("noimage");
    let mut cmd = ours();
    cmd.arg("run").arg(pdd.path()).args(["-p", "site.yml", "--ident", &ident, "--process-isolation"]);
    cmd.args(["--process-isolation-executable", engine.name()]);
    cmd.args(["--container-image", "localhost/ansible-runner-missing:none"]);
    let out = run(engine.wrap(cmd));
    let artifacts = pdd.artifacts(&ident);
    assert_eq!(artifacts.read("status"), "failed");
    assert_eq!(artifacts.read("rc"), "125", "the engine's own exit code");
    assert_eq!(out.status.code(), Some(125));
    assert!(artifacts.read("stdout").contains("localhost/ansible-runner-missing"), "{}", artifacts.read("stdout"));
    assert!(!artifacts.dir.join("env.list").exists());
    assert_eq!(engine.containers_named(&format!("ansible_runner_{ident}")), Vec::<String>::new());
}

#[test]
fn podman_missing_image_fails_with_the_engines_message() {
    needs!(Podman);
    missing_image(Engine::Podman);
}

#[test]
fn docker_missing_image_fails_with_the_engines_message() {
    needs!(Docker);
    missing_image(Engine::Docker);
}

/// transmit on `transmitter`, a container job on `worker` (wrapped for `engine`), process on
/// `processor`: isolation travels in the zipped `env/settings`, as the Python tool sends it.
fn streamed(engine: Engine, transmitter: fn() -> Command, worker: fn() -> Command, processor: fn() -> Command) {
    let pdd = pdd();
    let settings =
        format!("process_isolation: true\nprocess_isolation_executable: {}\ncontainer_image: {IMAGE}\n", engine.name());
    pdd.file("env/settings", &settings);
    let ident = unique_ident("wire");
    let mut transmit = transmitter();
    transmit.arg("transmit").arg(pdd.path()).args(["-p", "site.yml", "-i", &ident]);
    let sent = transmit.output().unwrap();
    assert_eq!(sent.status.code(), Some(0), "transmit: {:?}", text(&sent));
    let mut work = worker();
    work.arg("worker");
    let worked = crate::stream::feed(engine.wrap(work), &sent.stdout);
    assert_eq!(worked.status.code(), Some(0), "worker: {:?}", text(&worked));
    let target = tempfile::tempdir().unwrap();
    let mut process = processor();
    process.arg("process").arg(target.path()).args(["-i", &ident]);
    let processed = crate::stream::feed(process, &worked.stdout);
    assert_eq!(processed.status.code(), Some(0), "process: {:?}", text(&processed));
    let artifacts = crate::common::Artifacts { dir: target.path().join("artifacts").join(&ident) };
    assert_eq!((artifacts.read("status"), artifacts.read("rc")), ("successful".to_owned(), "0".to_owned()));
    let events = artifacts.events();
    assert_stream_invariants(&events);
    let names = names(&events);
    assert_eq!(crate::common::first_after_start_up(&names), Some("playbook_on_start"));
    assert_eq!(names.last().map(String::as_str), Some("playbook_on_stats"));
    assert!(artifacts.read("stdout").contains("from-the-job s3cret-token"));
    let starting = crate::stream::lines(&worked.stdout).into_iter().find(|l| l["status"] == "starting").unwrap();
    assert_eq!(starting["command"][0], engine.name(), "the worker ran the job in {}", engine.name());
    assert_eq!(engine.containers_named(&format!("ansible_runner_{ident}")), Vec::<String>::new());
}

#[test]
fn podman_job_from_our_transmit_runs_on_the_reference_worker() {
    needs!(Podman, Reference);
    streamed(Engine::Podman, ours, reference, ours);
}

#[test]
fn podman_job_from_the_reference_transmit_runs_on_our_worker() {
    needs!(Podman, Reference);
    streamed(Engine::Podman, reference, ours, reference);
}

#[test]
fn docker_job_from_our_transmit_runs_on_the_reference_worker() {
    needs!(Docker, Reference);
    streamed(Engine::Docker, ours, reference, ours);
}

#[test]
fn docker_job_from_the_reference_transmit_runs_on_our_worker() {
    needs!(Docker, Reference);
    streamed(Engine::Docker, reference, ours, reference);
}

/// `container_auth_data`: the engine is pointed at a credentials file in a private temp dir,
/// which is gone when the job ends (the image is local, so the credentials are not used).
fn registry_credentials(engine: Engine) {
    let pdd = pdd();
    let settings =
        "container_auth_data: {host: \"registry.example:5000\", username: u, password: \"p:w\", verify_ssl: false}\n";
    pdd.file("env/settings", settings);
    let ident = unique_ident("auth");
    let out = run(in_container(engine, &pdd, &ident, &[]));
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let command: serde_json::Value = serde_json::from_str(&pdd.artifacts(&ident).read("command")).unwrap();
    let argv: Vec<&str> = command["command"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
    let option = match engine {
        Engine::Podman => "--authfile=",
        Engine::Docker => "--config=",
    };
    let given = argv.iter().find_map(|a| a.strip_prefix(option)).unwrap_or_else(|| panic!("no {option}: {argv:?}"));
    assert!(given.starts_with(&format!("/tmp/ansible_runner_registry_{ident}_")), "{given}");
    let dir = given.trim_end_matches("/auth.json");
    assert!(!std::path::Path::new(dir).exists(), "{dir} is removed when the job ends");
    assert_eq!(command["env"]["CONTAINERS_REGISTRIES_CONF"], format!("{dir}/registries.conf"));
}

#[test]
fn podman_registry_credentials_live_as_long_as_the_job() {
    needs!(Podman);
    registry_credentials(Engine::Podman);
}

#[test]
fn docker_registry_credentials_live_as_long_as_the_job() {
    needs!(Docker);
    registry_credentials(Engine::Docker);
}

/// Asks the agent at `SSH_AUTH_SOCK` how many keys it holds (the image has no ssh client).
const AGENT_QUERY: &str = "import os, socket, struct
s = socket.socket(socket.AF_UNIX)
s.connect(os.environ['SSH_AUTH_SOCK'])
s.sendall(struct.pack('>IB', 1, 11))
size, kind = struct.unpack('>IB', s.recv(5))
count, = struct.unpack('>I', s.recv(4))
print('agent-keys=%d kind=%d' % (count, kind))
";

/// A private data dir whose job reports what its ssh-agent holds, with `env/ssh_key` set.
pub fn agent_pdd() -> Pdd {
    let pdd = Pdd::new();
    let key = pdd.path().join("id_test");
    let made = Command::new("ssh-keygen").args(["-q", "-t", "ed25519", "-N", "", "-f"]).arg(&key).output().unwrap();
    assert!(made.status.success());
    pdd.file("env/ssh_key", &fs::read_to_string(&key).unwrap());
    fs::remove_file(&key).unwrap();
    pdd.file("project/agent_query.py", AGENT_QUERY);
    let playbook = "- hosts: all\n  gather_facts: false\n  tasks:\n    - command: python3 {{ playbook_dir }}/agent_query.py\n      register: asked\n    - debug: msg={{ asked.stdout }}\n";
    pdd.file("project/site.yml", playbook);
    pdd
}

/// `env/ssh_key`: the job's private agent socket is mounted into the container (the reference
/// runs an agent inside the image, which needs ssh-agent there).
fn agent_reaches_the_container(engine: Engine) {
    let pdd = agent_pdd();
    let ident = unique_ident("agent");
    let out = run(in_container(engine, &pdd, &ident, &[]));
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let artifacts = pdd.artifacts(&ident);
    assert!(artifacts.read("stdout").contains("agent-keys=1 kind=12"), "{}", artifacts.read("stdout"));
    let command: serde_json::Value = serde_json::from_str(&artifacts.read("command")).unwrap();
    assert_eq!(command["env"]["SSH_AUTH_SOCK"], "/run/ansible-runner-agent/agent.sock");
}

#[test]
fn podman_job_uses_the_private_ssh_agent() {
    needs!(Podman, SshClient);
    agent_reaches_the_container(Engine::Podman);
}

#[test]
fn docker_job_uses_the_private_ssh_agent() {
    needs!(Docker, SshClient);
    agent_reaches_the_container(Engine::Docker);
}

/// The `container_auth_data` dir is the owner's only while the job runs (its files are 0600).
#[test]
fn registry_credentials_dir_is_owner_only() {
    needs!(Podman);
    let engine = Engine::Podman;
    let pdd = Pdd::new();
    pdd.file("project/site.yml", SLEEPER);
    pdd.file("env/settings", "container_auth_data: {host: \"registry.example:5000\", username: u, password: pw}\n");
    let ident = unique_ident("authmode");
    let mut child = in_container(engine, &pdd, &ident, &[]).stdin(Stdio::null()).stdout(Stdio::null()).spawn().unwrap();
    let artifacts = pdd.artifacts(&ident);
    wait_until("the sleeping task to start", || task_started(&artifacts));
    let command: serde_json::Value = serde_json::from_str(&artifacts.read("command")).unwrap();
    let argv: Vec<&str> = command["command"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
    let file = argv.iter().find_map(|a| a.strip_prefix("--authfile=")).unwrap();
    let dir = std::path::Path::new(file).parent().unwrap();
    let mode = fs::metadata(dir).unwrap().permissions().mode() & 0o777;
    kill(Pid::from_raw(i32::try_from(child.id()).unwrap()), Signal::SIGTERM).unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(254));
    assert_eq!(format!("{mode:o}"), "700", "{}", dir.display());
}

/// docs/execution-environments.md's docker job, run as written but for the job's dir and the image
/// (the test image: the tests reach no registry).
#[test]
fn the_documented_docker_job_runs_in_a_container() {
    needs!(Docker, Ansible);
    let pdd = pdd();
    let script = crate::docs::block("the_documented_docker_job_runs_in_a_container")
        .replace("/srv/jobs/web", pdd.path().to_str().unwrap())
        .replace("quay.io/ansible/awx-ee:latest", IMAGE);
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_ansible-runner")).parent().unwrap().display().to_string();
    let mut shell = Command::new("bash");
    shell.args(["-e", "-c", &script]).env("PATH", format!("{bin}:{}", crate::common::test_path()));
    let out = run(Engine::Docker.wrap(shell));
    assert_eq!(out.status.code(), Some(0), "{script}: {:?}", text(&out));
    let runs: Vec<_> =
        fs::read_dir(pdd.path().join("artifacts")).unwrap().map(|entry| entry.unwrap().file_name()).collect();
    assert_eq!(runs.len(), 1, "{runs:?}");
    let artifacts = pdd.artifacts(runs[0].to_str().unwrap());
    assert_eq!(artifacts.read("status"), "successful");
    let command: serde_json::Value = serde_json::from_str(&artifacts.read("command")).unwrap();
    assert_eq!(command["command"][0], "docker", "the job ran in a docker container");
}
