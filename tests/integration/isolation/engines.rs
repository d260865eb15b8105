//! Real container engines and the bubblewrap sandbox, as the execution-environment tests use them:
//! the image scripts/setup/ee-image builds (no registry), podman run the way this machine needs it
//! (scripts/testing/podman-ns), a private docker daemon for the whole test run (scripts/testing/test-dockerd), and an
//! Ansible under /opt for the sandbox (scripts/setup/sandbox-ansible). The tests here prove each piece
//! works on this machine, that the event FIFO works through a bind mount, and that the reference
//! runs a playbook in each engine, so comparisons against it rest on a working baseline.

use std::ffi::OsStr;
use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, ErrorKind, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use nix::sys::stat::Mode;
use serde_json::Value;

use crate::common::{names, needs, reference, text, venv_bin, Pdd};

/// The execution-environment image: Debian bookworm minbase, python3, ansible-core 2.19.
pub const IMAGE: &str = "localhost/ansible-runner-ee:test";

/// Starting a container under load takes seconds; this bounds every wait on one.
const CONTAINER_LIMIT: Duration = Duration::from_secs(120);

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts").join(name)
}

/// Runs one of the set-up scripts (idempotent, quick once done) and returns its stdout.
fn run_script(name: &str, args: &[&str]) -> String {
    assert!(
        nix::unistd::Uid::effective().is_root(),
        "the engine tests need root: podman in a private mount namespace, dockerd, debootstrap"
    );
    let out = Command::new(script(name)).args(args).stdin(Stdio::null()).output().unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "scripts/{name} failed (did scripts/setup/engines run?):\n{stderr}");
    stdout.trim().to_owned()
}

/// A container engine, ready to use: the image is loaded into it on first use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Podman,
    Docker,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Podman => "podman",
            Engine::Docker => "docker",
        }
    }

    /// `cmd` (ours, the reference or the engine itself) set to run where this engine works here:
    /// podman inside scripts/testing/podman-ns, docker against the private daemon. Program, arguments,
    /// environment and working directory carry over; set stdio on the result.
    pub fn wrap(self, cmd: Command) -> Command {
        match self {
            Engine::Podman => {
                PODMAN_IMAGE.get_or_init(|| {
                    run_script("setup/ee-image", &[]);
                });
                let mut wrapped = rewrap(&cmd, script("testing/podman-ns"));
                wrapped.env("CONTAINERS_CONF", containers_conf());
                wrapped
            }
            Engine::Docker => {
                let mut cmd = cmd;
                cmd.env("DOCKER_HOST", &docker().host);
                cmd
            }
        }
    }

    /// The engine's own command line.
    pub fn cli(self) -> Command {
        self.wrap(Command::new(self.name()))
    }

    /// Containers (running or stopped) with exactly this name: a finished job must leave none.
    pub fn containers_named(self, name: &str) -> Vec<String> {
        let filter = format!("name=^{name}$");
        let out = self.cli().args(["ps", "--all", "--filter", &filter, "--format", "{{.Names}}"]).output().unwrap();
        assert!(out.status.success(), "{} ps: {:?}", self.name(), text(&out));
        text(&out).0.lines().map(str::to_owned).collect()
    }
}

static PODMAN_IMAGE: OnceLock<()> = OnceLock::new();

pub fn containers_conf() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/integration/fixtures/engines/containers.conf")
}

/// A new command running `program` with `cmd`'s program and arguments after it, and `cmd`'s
/// environment changes and working directory.
fn rewrap(cmd: &Command, program: impl AsRef<OsStr>) -> Command {
    let mut wrapped = Command::new(program);
    wrapped.arg(cmd.get_program()).args(cmd.get_args());
    for (key, value) in cmd.get_envs() {
        match value {
            Some(value) => wrapped.env(key, value),
            None => wrapped.env_remove(key),
        };
    }
    if let Some(dir) = cmd.get_current_dir() {
        wrapped.current_dir(dir);
    }
    wrapped
}

/// The private docker daemon. scripts/testing/test-dockerd stops it and removes its files when its stdin,
/// held open by the `Child` kept here, closes: when this test process ends, however it ends.
struct Dockerd {
    host: String,
    _serving: Child,
}

static DOCKERD: OnceLock<Dockerd> = OnceLock::new();

fn docker() -> &'static Dockerd {
    DOCKERD.get_or_init(|| {
        run_script("setup/ee-image", &["--path"]);
        let mut serving = Command::new(script("testing/test-dockerd"))
            .arg("serve")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut host = String::new();
        BufReader::new(serving.stdout.take().unwrap()).read_line(&mut host).unwrap();
        assert!(
            host.starts_with("unix://"),
            "scripts/testing/test-dockerd did not start dockerd (its message is above)"
        );
        Dockerd { host: host.trim().to_owned(), _serving: serving }
    })
}

/// The `bin` directory of the Ansible under /opt that the sandbox can see.
pub fn sandbox_ansible_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| PathBuf::from(run_script("setup/sandbox-ansible", &[])))
}

/// The reference's fixed bubblewrap layout (read-only system dirs, private /tmp), as recorded in
/// fixtures/isolation: everything before the first per-job bind.
pub fn reference_sandbox_layout() -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/integration/fixtures/isolation/bwrap-playbook.json");
    let record: Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    let argv: Vec<String> =
        record["engine_calls"][1]["argv"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_owned()).collect();
    let end = argv.iter().position(|a| a.contains('{')).unwrap() - 1;
    argv[1..end].to_vec()
}

/// A fresh, unique job ident: container names are machine-wide and test runs may overlap.
pub fn unique_ident(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().simple())
}

fn runs_the_image(engine: Engine) {
    let out = engine.cli().args(["run", "--rm", IMAGE, "ansible-playbook", "--version"]).output().unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{} run: {stderr}", engine.name());
    assert!(stdout.contains("ansible-playbook [core 2.19."), "{stdout}");
    assert!(stdout.contains("/usr/local/ansible/bin/python3"), "{stdout}");
}

#[test]
fn podman_runs_the_image() {
    needs!(Podman);
    runs_the_image(Engine::Podman);
}

#[test]
fn docker_runs_the_image() {
    needs!(Docker);
    runs_the_image(Engine::Docker);
}

/// Writes one JSON line into the FIFO, waits for the host's answer (a file in the same mount),
/// writes a second line: the host must read the first while the container still runs.
const FIFO_WRITER: &str = "import json, os, time
fd = os.open('/runner/events', os.O_WRONLY | os.O_APPEND)
os.write(fd, json.dumps({'n': 1, 'pid': os.getpid()}).encode() + b'\\n')
while not os.path.exists('/runner/ack'):
    time.sleep(0.02)
os.write(fd, json.dumps({'n': 2}).encode() + b'\\n')
";

/// Reads the next line from a non-blocking FIFO, failing early if the container ends first.
fn next_line(fifo: &mut File, pending: &mut Vec<u8>, child: &mut Child, what: &str) -> Value {
    let deadline = Instant::now() + CONTAINER_LIMIT;
    loop {
        if let Some(end) = pending.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = pending.drain(..=end).collect();
            return serde_json::from_slice(&line).unwrap();
        }
        let mut chunk = [0u8; 4096];
        match fifo.read(&mut chunk) {
            Ok(n) => pending.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                if let Some(status) = child.try_wait().unwrap() {
                    let mut stderr = String::new();
                    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
                    panic!("the container ended ({status}) before {what}: {stderr}");
                }
                assert!(Instant::now() < deadline, "timed out waiting for {what}");
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => panic!("reading the FIFO: {e}"),
        }
    }
}

fn events_cross_the_bind_mount(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let fifo_path = dir.path().join("events");
    nix::unistd::mkfifo(&fifo_path, Mode::S_IRUSR | Mode::S_IWUSR).unwrap();
    // Read-write like the runner: the FIFO never reports end-of-file between writers.
    let mut fifo =
        OpenOptions::new().read(true).write(true).custom_flags(nix::libc::O_NONBLOCK).open(&fifo_path).unwrap();
    let mount = format!("{}/:/runner/:Z", dir.path().display());
    let mut cli = engine.cli();
    cli.args(["run", "--rm", "-v", &mount]);
    if engine == Engine::Docker {
        cli.arg(format!("--user={}", nix::unistd::getuid()));
    }
    let mut child =
        cli.args([IMAGE, "python3", "-c", FIFO_WRITER]).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();

    let mut pending = Vec::new();
    let first = next_line(&mut fifo, &mut pending, &mut child, "the first line");
    assert!(child.try_wait().unwrap().is_none(), "the first line must arrive while the container runs");
    assert_eq!(first["n"], 1);
    assert_eq!(first["pid"], 1, "the writer runs as the container's first process");
    fs::write(dir.path().join("ack"), "").unwrap();
    let second = next_line(&mut fifo, &mut pending, &mut child, "the second line");
    assert_eq!(second["n"], 2);
    assert!(child.wait().unwrap().success());
}

#[test]
fn podman_container_writes_into_a_host_fifo_through_the_bind_mount() {
    needs!(Podman);
    events_cross_the_bind_mount(Engine::Podman);
}

#[test]
fn docker_container_writes_into_a_host_fifo_through_the_bind_mount() {
    needs!(Docker);
    events_cross_the_bind_mount(Engine::Docker);
}

#[test]
fn bwrap_runs_the_opt_ansible_with_the_reference_layout() {
    needs!(Bubblewrap);
    let bin = sandbox_ansible_bin();
    let host_only = tempfile::NamedTempFile::new().unwrap();
    let job = tempfile::tempdir().unwrap();
    let playbook = format!(
        "- hosts: localhost\n  gather_facts: false\n  tasks:\n    - copy: content=\"sandboxed\\n\" dest=\"{{{{ playbook_dir }}}}/written\"\n    - stat: path={}\n      register: hidden\n    - assert: {{that: [not hidden.stat.exists]}}\n",
        host_only.path().display()
    );
    fs::write(job.path().join("site.yml"), playbook).unwrap();
    let job_dir = job.path().to_str().unwrap();
    let out = Command::new("bwrap")
        .args(reference_sandbox_layout())
        .args(["--bind", job_dir, job_dir, "--chdir", job_dir])
        .arg(bin.join("ansible-playbook"))
        .args(["-i", "localhost,", "-c", "local", "-e", "ansible_python_interpreter={{ ansible_playbook_python }}"])
        .arg("site.yml")
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "bwrap: {stdout}\n{stderr}");
    assert_eq!(fs::read_to_string(job.path().join("written")).unwrap(), "sandboxed\n", "the job dir is writable");
    assert!(stdout.contains("ok=3"), "the host's /tmp is hidden from the job: {stdout}");
}

const PLAYBOOK: &str = "- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: msg=contained\n";

fn reference_runs_a_playbook_in(engine: Engine) {
    let pdd = Pdd::new();
    pdd.file("project/site.yml", PLAYBOOK);
    let ident = unique_ident("ref");
    let mut cmd = reference();
    cmd.arg("run").arg(pdd.path()).args(["-p", "site.yml", "-i", &ident, "-q", "--process-isolation"]);
    cmd.args(["--process-isolation-executable", engine.name(), "--container-image", IMAGE]);
    let out = engine.wrap(cmd).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let artifacts = pdd.artifacts(&ident);
    assert_eq!(artifacts.read("status"), "successful");
    let command: Value = serde_json::from_str(&artifacts.read("command")).unwrap();
    assert_eq!(command["command"][0], engine.name());
    assert_eq!(command["cwd"], "/runner/project");
    let events = artifacts.events();
    let names = names(&events);
    assert_eq!(crate::common::first_after_start_up(&names), Some("playbook_on_start"));
    assert_eq!(names.last().map(String::as_str), Some("playbook_on_stats"));
    assert!(artifacts.read("stdout").contains("contained"));
    assert!(engine.containers_named(&format!("ansible_runner_{ident}")).is_empty());
}

#[test]
fn reference_runs_a_playbook_in_podman() {
    needs!(Podman, Reference);
    reference_runs_a_playbook_in(Engine::Podman);
}

#[test]
fn reference_runs_a_playbook_in_docker() {
    needs!(Docker, Reference);
    reference_runs_a_playbook_in(Engine::Docker);
}

/// The reference's callback plugin directory, which its sandbox cannot see unless bound in.
fn reference_callback_dir() -> PathBuf {
    let lib = venv_bin().join("../lib");
    let python = fs::read_dir(&lib).unwrap().map(|e| e.unwrap().path()).find(|p| p.join("site-packages").is_dir());
    let dir = python.unwrap().join("site-packages/ansible_runner/display_callback/callback");
    dir.canonicalize().unwrap()
}

#[test]
fn reference_runs_a_playbook_in_bwrap() {
    needs!(Bubblewrap, Reference);
    let pdd = Pdd::new();
    pdd.file("project/site.yml", PLAYBOOK);
    let path = format!("{}:{}", sandbox_ansible_bin().display(), std::env::var("PATH").unwrap_or_default());
    let out = reference()
        .arg("run")
        .arg(pdd.path())
        .args([
            "-p",
            "site.yml",
            "-i",
            "sandboxed",
            "-q",
            "--process-isolation",
            "--process-isolation-executable",
            "bwrap",
        ])
        .arg("--process-isolation-ro-paths")
        .arg(reference_callback_dir())
        .env("PATH", path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let artifacts = pdd.artifacts("sandboxed");
    assert_eq!(artifacts.read("status"), "successful");
    let command: Value = serde_json::from_str(&artifacts.read("command")).unwrap();
    assert_eq!(command["command"][0], "bwrap");
    let events = artifacts.events();
    assert_eq!(names(&events).last().map(String::as_str), Some("playbook_on_stats"));
    assert!(artifacts.read("stdout").contains("contained"));
}

/// fixtures/isolation records what the reference does with process isolation (see its README);
/// regenerating it must give the same records, or the implementation tests against stale data.
#[test]
fn isolation_fixtures_are_what_the_reference_does() {
    needs!(Reference);
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/integration/fixtures/isolation");
    let fresh = tempfile::tempdir().unwrap();
    let out = Command::new(venv_bin().join("python"))
        .arg(fixtures.join("capture.py"))
        .env("CAPTURE_OUT", fresh.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "capture.py: {:?}", text(&out));
    let records = |dir: &Path| -> Vec<(String, Value)> {
        let mut records: Vec<(String, Value)> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .map(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                (name, serde_json::from_str(&fs::read_to_string(&p).unwrap()).unwrap())
            })
            .collect();
        records.sort_by(|a, b| a.0.cmp(&b.0));
        records
    };
    let (committed, regenerated) = (records(&fixtures), records(fresh.path()));
    assert_eq!(
        committed.iter().map(|r| &r.0).collect::<Vec<_>>(),
        regenerated.iter().map(|r| &r.0).collect::<Vec<_>>()
    );
    for ((name, old), (_, new)) in committed.iter().zip(&regenerated) {
        assert_eq!(old, new, "{name} is stale: run tests/integration/fixtures/isolation/capture.py");
    }
}
