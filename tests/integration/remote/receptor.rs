//! Jobs dispatched over a real Receptor mesh, the way AWX dispatches them: a controller and two
//! execution nodes on loopback, each a `receptor` daemon with its own control socket, the nodes
//! listening on TCP and the controller peering to both. Each node has a `work-command` of work
//! type `ansible-runner` running `ansible-runner worker` with runtime params allowed: node A runs
//! this binary, node B the Python reference. The tests go through the venv's `receptorctl`:
//! `work submit` with the `transmit` stream as the payload and
//! `params=--private-data-dir=DIR --delete`, `work results` piped into `process`, `work cancel`,
//! `work release`, and the health check AWX runs (`--no-payload`, `params=--worker-info`).
//!
//! Everything runs on this machine, so what a node leaves behind is visible in /proc and on disk.

use std::fs;
use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use serde_json::Value;

use crate::common::{
    names, needs, ours, processes_with, receptor, reference, test_path, text, venv, wait_until, Artifacts, Pdd,
    PATIENCE,
};
use crate::stream::{lines, sub};

const PLAYBOOK: &str =
    "- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: msg=over-the-mesh\n    - command: \"true\"\n";

/// Node A runs this binary's worker, node B the reference's.
const NODE_A: &str = "node-a";

const NODE_B: &str = "node-b";

/// A controller and two execution nodes, started for one test and killed when it drops.
struct Mesh {
    dir: tempfile::TempDir,
    /// Each running daemon, by node ID.
    daemons: Vec<(String, Child)>,
}

impl Mesh {
    fn start() -> Self {
        let mut mesh = Self { dir: tempfile::tempdir().unwrap(), daemons: Vec::new() };
        let ours = PathBuf::from(env!("CARGO_BIN_EXE_ansible-runner"));
        let theirs = venv().join("bin/ansible-runner");
        let (a, b) = (mesh.start_node(NODE_A, &ours), mesh.start_node(NODE_B, &theirs));
        let peers = format!("- tcp-peer:\n    address: 127.0.0.1:{a}\n- tcp-peer:\n    address: 127.0.0.1:{b}\n");
        mesh.start_daemon("controller", &peers);
        mesh.wait_for_routes(&[NODE_A, NODE_B]);
        mesh
    }

    /// A controller and one execution node, `node1`, configured by docs/remote.md's `receptor.yml`
    /// with the test's own port, socket and data dir, and this binary as the worker.
    fn documented(node_config: &str) -> Self {
        let mut mesh = Self { dir: tempfile::tempdir().unwrap(), daemons: Vec::new() };
        let port = mesh.start_documented_node(node_config);
        mesh.start_daemon("controller", &format!("- tcp-peer:\n    address: 127.0.0.1:{port}\n"));
        mesh.wait_for_routes(&["node1"]);
        mesh
    }

    /// `node1` from `config` as written, but for what only the test's machine can say; returns its
    /// port, trying another when the probed one was taken before the daemon bound it.
    fn start_documented_node(&mut self, config: &str) -> u16 {
        for _ in 0..5 {
            let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
            let config = config
                .replace("port: 27199", &format!("port: {port}"))
                .replace("/run/receptor/receptor.sock", self.path("node1.sock").to_str().unwrap())
                .replace(
                    "    id: node1\n",
                    &format!("    id: node1\n    datadir: {}\n", self.path("node1.data").display()),
                )
                .replace("command: ansible-runner", &format!("command: {}", env!("CARGO_BIN_EXE_ansible-runner")));
            fs::write(self.path("node1.yml"), config).unwrap();
            if self.spawn_daemon("node1") {
                return port;
            }
        }
        panic!("node1 found no free port to listen on");
    }

    /// Waits until the controller routes to every node of `nodes`.
    fn wait_for_routes(&self, nodes: &[&str]) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let status = self.ctl().args(["status", "--json"]).stderr(Stdio::null()).output().unwrap();
            let status = serde_json::from_slice::<Value>(&status.stdout).unwrap_or_default();
            if nodes.iter().all(|node| status["RoutingTable"].get(node).is_some()) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for the controller to route to {nodes:?}: {status}\n{}",
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Every daemon's log, for a failure's message.
    fn logs(&self) -> String {
        ["controller", NODE_A, NODE_B]
            .iter()
            .map(|node| {
                format!("{node}: {}", fs::read_to_string(self.path(&format!("{node}.log"))).unwrap_or_default())
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// An execution node listening on a free port of 127.0.0.1, running `runner worker`; returns
    /// the port. Another program may take the port between the probe and the daemon's bind: the
    /// daemon then exits at once, and the node starts again on another port.
    fn start_node(&mut self, node: &str, runner: &Path) -> u16 {
        for _ in 0..5 {
            let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
            let config = format!(
                "- tcp-listener:\n    bindaddr: 127.0.0.1\n    port: {port}\n\
                 - work-command:\n    worktype: ansible-runner\n    command: {}\n    params: worker\n    \
                 allowruntimeparams: true\n",
                runner.display()
            );
            if self.start_daemon(node, &config) {
                return port;
            }
        }
        panic!("{node} found no free port to listen on");
    }

    /// Starts `receptor` as `node` with `config` added to its node and control-service sections;
    /// returns once its control socket is up, or false if the daemon exited first.
    fn start_daemon(&mut self, node: &str, config: &str) -> bool {
        let config = format!(
            "---\n- node:\n    id: {node}\n    datadir: {}\n- log-level: info\n\
             - control-service:\n    service: control\n    filename: {}\n{config}",
            self.path(&format!("{node}.data")).display(),
            self.path(&format!("{node}.sock")).display()
        );
        fs::write(self.path(&format!("{node}.yml")), config).unwrap();
        self.spawn_daemon(node)
    }

    /// Starts `receptor` as `node` with the configuration [`Mesh::start_daemon`] wrote.
    fn spawn_daemon(&mut self, node: &str) -> bool {
        let socket = self.path(&format!("{node}.sock"));
        let log_path = self.path(&format!("{node}.log"));
        // A restarted node's socket is still there: it counts once the new daemon has made it again.
        let _ = fs::remove_file(&socket);
        let log = fs::OpenOptions::new().create(true).append(true).open(&log_path).unwrap();
        let mut daemon = Command::new(receptor().unwrap());
        // The work's environment is the daemon's: the venv's ansible-playbook first, as for `ours()`.
        daemon.env("PATH", test_path()).env_remove("ANSIBLE_ROLES_PATH").env_remove("NO_COLOR");
        for var in ["RUNNER_PLAYBOOK", "RUNNER_MODULE", "RUNNER_ROLE", "RUNNER_BINARY"] {
            daemon.env_remove(var);
        }
        let mut child = daemon
            .arg("--config")
            .arg(self.path(&format!("{node}.yml")))
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        let mut exited = false;
        wait_until(&format!("{node}'s control socket"), || {
            exited = child.try_wait().unwrap().is_some();
            exited || socket.exists()
        });
        if exited {
            let said = fs::read_to_string(&log_path).unwrap_or_default();
            assert!(said.contains("address already in use"), "receptor {node} exited: {said}");
            return false;
        }
        self.daemons.push((node.to_owned(), child));
        true
    }

    /// Kills `node`'s daemon at once, as a crash would.
    fn kill_daemon(&mut self, node: &str) {
        let at = self.daemons.iter().position(|(id, _)| id == node).unwrap_or_else(|| panic!("{node} is not running"));
        let (_, mut daemon) = self.daemons.remove(at);
        daemon.kill().unwrap();
        daemon.wait().unwrap();
    }

    /// The venv's `receptorctl` on the controller's socket.
    fn ctl(&self) -> Command {
        let mut cmd = Command::new(venv().join("bin/receptorctl"));
        cmd.arg("--socket").arg(self.path("controller.sock"));
        cmd
    }

    /// Submits `payload` to `node` as AWX does, the worker keeping the job in a private data dir
    /// named after `job` and deleting it at the end; returns the unit ID.
    fn submit(&self, node: &str, job: &str, payload: &[u8]) -> String {
        self.submit_with(node, job, payload, "")
    }

    /// [`Mesh::submit`] with `extra` added to the worker's params.
    fn submit_with(&self, node: &str, job: &str, payload: &[u8], extra: &str) -> String {
        let file = self.path(&format!("{job}.payload"));
        fs::write(&file, payload).unwrap();
        let params = format!("params=--private-data-dir={} --delete{extra}", self.job_dir(job).display());
        Self::unit(
            self.ctl()
                .args(["work", "submit", "ansible-runner", "--node", node, "--payload"])
                .arg(&file)
                .args(["-a", &params]),
        )
    }

    /// Runs a `work submit` command; returns the unit ID it prints.
    fn unit(submit: &mut Command) -> String {
        let submitted = submit.output().unwrap();
        let (stdout, stderr) = text(&submitted);
        assert!(submitted.status.success(), "work submit: {stdout} {stderr}");
        stdout
            .lines()
            .find_map(|line| line.strip_prefix("Unit ID: "))
            .unwrap_or_else(|| panic!("no unit ID in {stdout}"))
            .trim()
            .to_owned()
    }

    /// Where the node's worker runs `job`.
    fn job_dir(&self, job: &str) -> PathBuf {
        self.path(&format!("{job}.job"))
    }

    /// `work results UNIT`, streamed until the unit ends: the worker's stdout and stderr.
    fn results(&self) -> Command {
        let mut cmd = self.ctl();
        cmd.args(["work", "results"]);
        cmd
    }

    /// `work results UNIT | PROCESSOR process TARGET -i IDENT`.
    fn process(&self, unit: &str, processor: Command, target: &Path, ident: &str) -> Output {
        let mut results = self.results().arg(unit).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
        let processed = sub(processor, &["process", target.to_str().unwrap(), "-i", ident])
            .stdin(results.stdout.take().unwrap())
            .output()
            .unwrap();
        results.wait().unwrap();
        processed
    }

    /// The file where `node` keeps the output of the work `unit` of the controller runs there.
    fn node_stdout(&self, node: &str, unit: &str) -> PathBuf {
        let listed = self.ctl().args(["work", "list", "--unit_id", unit]).stderr(Stdio::null()).output().unwrap();
        let listed: Value = serde_json::from_slice(&listed.stdout).unwrap();
        let remote = listed[unit]["ExtraData"]["RemoteUnitID"].as_str().unwrap_or_else(|| panic!("{listed}"));
        self.path(&format!("{node}.data")).join(node).join(remote).join("stdout")
    }

    fn release(&self, unit: &str) {
        let released = self.ctl().args(["work", "release", unit]).output().unwrap();
        assert!(released.status.success(), "work release: {:?}", text(&released));
    }
}

impl Drop for Mesh {
    fn drop(&mut self) {
        for (_, daemon) in &mut self.daemons {
            let _ = daemon.kill();
            let _ = daemon.wait();
        }
        // Receptor runs each unit in a session of its own, which outlives the daemon: what a failed
        // test left running is found by the mesh's dir on its command line (the unit dir, the
        // private data dir).
        for pid in processes_with(&self.dir.path().display().to_string()) {
            let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
        }
    }
}

/// A job of `playbook` packed by `transmitter`, with `ident` as its ident.
fn payload(transmitter: Command, playbook: &str, ident: &str) -> (Pdd, Vec<u8>) {
    let pdd = Pdd::new();
    pdd.file("project/site.yml", playbook);
    let sent =
        sub(transmitter, &["transmit", pdd.path().to_str().unwrap(), "-p", "site.yml", "-i", ident]).output().unwrap();
    assert_eq!(sent.status.code(), Some(0), "transmit: {:?}", text(&sent));
    (pdd, sent.stdout)
}

/// Every pairing of `transmit`, worker and `process`, this binary's and the reference's, runs a job
/// over the mesh: each job succeeds, and its node deletes the private data dir.
#[test]
fn every_pairing_of_transmit_worker_and_process_runs_over_the_mesh() {
    needs!(Receptor);
    let mesh = Mesh::start();
    let sides = [("ours", ours as fn() -> Command), ("reference", reference)];
    for (sender, transmitter) in sides {
        for (node, worker) in [(NODE_A, "ours"), (NODE_B, "reference")] {
            for (receiver, processor) in sides {
                let job = format!("mesh-{sender}-{worker}-{receiver}");
                let (_pdd, sent) = payload(transmitter(), PLAYBOOK, &job);
                let unit = mesh.submit(node, &job, &sent);
                let target = tempfile::tempdir().unwrap();
                let processed = mesh.process(&unit, processor(), target.path(), &job);
                assert_eq!(processed.status.code(), Some(0), "{job}: process: {:?}", text(&processed));
                let artifacts = Artifacts { dir: target.path().join("artifacts").join(&job) };
                crate::stream::assert_two_tasks_succeeded(&artifacts, "over-the-mesh");
                assert!(!mesh.job_dir(&job).exists(), "--delete left {}", mesh.job_dir(&job).display());
                mesh.release(&unit);
            }
        }
    }
}

#[test]
fn a_failing_job_over_the_mesh_is_recorded_failed_with_its_rc() {
    needs!(Receptor);
    let mesh = Mesh::start();
    let job = "mesh-fail";
    let (_pdd, sent) = payload(ours(), "- hosts: all\n  gather_facts: false\n  tasks:\n    - fail: msg=boom\n", job);
    let unit = mesh.submit(NODE_A, job, &sent);
    let target = tempfile::tempdir().unwrap();
    let processed = mesh.process(&unit, ours(), target.path(), job);
    assert_eq!(processed.status.code(), Some(2), "process: {:?}", text(&processed));
    let artifacts = Artifacts { dir: target.path().join("artifacts").join(job) };
    assert_eq!((artifacts.read("status"), artifacts.read("rc")), ("failed".into(), "2".into()));
    let names = names(&artifacts.events());
    assert!(names.iter().any(|n| n == "runner_on_failed"), "{names:?}");
    assert!(artifacts.read("stdout").contains("boom"));
    mesh.release(&unit);
}

#[test]
fn garbage_payload_over_the_mesh_is_answered_with_an_error_and_eof() {
    needs!(Receptor);
    let mesh = Mesh::start();
    let unit = mesh.submit(NODE_A, "mesh-garbage", b"this is not json\n");
    let results = mesh.results().arg(&unit).stderr(Stdio::null()).output().unwrap();
    let lines = lines(&results.stdout);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0]["status"], "error");
    assert!(lines[0]["job_explanation"].as_str().unwrap().contains("Failed to JSON parse"));
    assert_eq!(lines[1], serde_json::json!({"eof": true}));
    mesh.release(&unit);
}

/// The stream's last line.
const EOF: &[u8] = b"{\"eof\": true}";

/// Checks that `stream` is nothing but the worker's JSON lines, each zip payload where its
/// `zipfile` line announces it: a stray line (a notice on the worker's stderr, which Receptor
/// merges into the results) fails it.
fn assert_only_stream_lines(stream: &[u8]) {
    let mut rest = stream;
    while !rest.is_empty() {
        let end = rest.iter().position(|&b| b == b'\n').map_or(rest.len(), |i| i + 1);
        let line = String::from_utf8_lossy(&rest[..end]);
        let parsed: Value = serde_json::from_str(line.trim_end())
            .unwrap_or_else(|e| panic!("a line that is not the stream's ({e}): {line:?}"));
        rest = &rest[end..];
        // N is the archive's size; its padded base64 follows, with no newline after it.
        if let Some(size) = parsed.get("zipfile").and_then(Value::as_u64) {
            let encoded = usize::try_from(size.div_ceil(3) * 4).unwrap();
            assert!(rest.len() >= encoded, "the zip payload is cut: {encoded} bytes announced, {} left", rest.len());
            rest = &rest[encoded..];
        }
    }
}

/// `work cancel` of a job running on this binary's worker: the results stay a clean stream that
/// ends canceled, both `process` implementations record the cancel, and nothing of the job is left.
#[test]
fn work_cancel_ends_our_worker_s_job_with_a_clean_canceled_stream() {
    needs!(Receptor);
    let mesh = Mesh::start();
    let marker = "67.2424";
    let job = "mesh-cancel";
    let pdd = crate::common::sleeping_pdd(marker);
    let sent = ours().args(["transmit", pdd.path().to_str().unwrap(), "-p", "sleep.yml", "-i", job]).output().unwrap();
    let unit = mesh.submit(NODE_A, job, &sent.stdout);
    // Read as AWX does, while the job runs, up to the stream's eof: `work results` of a canceled
    // unit does not end by itself (receptorctl 1.6.9 on receptor 1.4.9), whichever worker ran it.
    let mut results = mesh.results().arg(&unit).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let mut stdout = results.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let (mut bytes, mut chunk) = (Vec::new(), [0; 8192]);
        while !bytes.windows(EOF.len()).any(|window| window == EOF) {
            match stdout.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => bytes.extend_from_slice(&chunk[..n]),
            }
        }
        bytes
    });
    wait_until("the task to start on the node", || !processes_with(marker).is_empty());
    let canceled = mesh.ctl().args(["work", "cancel", &unit]).output().unwrap();
    assert!(canceled.status.success(), "work cancel: {:?}", text(&canceled));
    wait_until("the results to reach the stream's eof", || reader.is_finished());
    let streamed = reader.join().unwrap();
    results.kill().unwrap();
    results.wait().unwrap();
    crate::common::assert_nothing_left(marker);
    assert_only_stream_lines(&streamed);
    // What the node kept of the worker's output once the worker is gone: nothing after eof either.
    let job_dir = mesh.job_dir(job).display().to_string();
    wait_until("the worker to exit", || processes_with(&job_dir).is_empty());
    let kept = fs::read(mesh.node_stdout(NODE_A, &unit)).unwrap();
    assert_only_stream_lines(&kept);
    assert!(kept.trim_ascii_end().ends_with(EOF), "{}", String::from_utf8_lossy(&kept));
    let lines = lines(&streamed);
    let statuses: Vec<&str> = lines.iter().filter_map(|l| l.get("status").and_then(Value::as_str)).collect();
    assert_eq!(statuses, ["starting", "running", "canceled"]);
    assert_eq!(lines.last().unwrap(), &serde_json::json!({"eof": true}));
    for (name, processor) in [("ours", ours()), ("reference", reference())] {
        let target = tempfile::tempdir().unwrap();
        let processed =
            crate::stream::feed(sub(processor, &["process", target.path().to_str().unwrap(), "-i", job]), &streamed);
        let artifacts = Artifacts { dir: target.path().join("artifacts").join(job) };
        assert_eq!(
            (artifacts.read("status"), artifacts.read("rc")),
            ("canceled".into(), "254".into()),
            "{name}: {:?}",
            text(&processed)
        );
    }
    mesh.release(&unit);
}

/// What runs `job` on `node`, below its daemon: Receptor's command runner and the worker, not the
/// job's own processes (Ansible and what it started).
fn unit_processes(mesh: &Mesh, job: &str) -> Vec<i32> {
    let ours = fs::canonicalize(env!("CARGO_BIN_EXE_ansible-runner")).unwrap();
    let daemon = fs::canonicalize(receptor().unwrap()).unwrap();
    processes_with(&mesh.job_dir(job).display().to_string())
        .into_iter()
        .filter(|pid| fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| exe == ours || exe == daemon))
        .collect()
}

/// `work results` of `unit` read in the background, all of it there to see as it arrives.
fn results_so_far(mesh: &Mesh, unit: &str) -> (Child, Arc<Mutex<Vec<u8>>>, std::thread::JoinHandle<()>) {
    let mut results = mesh.results().arg(unit).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let mut stdout = results.stdout.take().unwrap();
    let bytes = Arc::new(Mutex::new(Vec::new()));
    let kept = Arc::clone(&bytes);
    let reader = std::thread::spawn(move || {
        let mut chunk = [0; 8192];
        while let Ok(n @ 1..) = stdout.read(&mut chunk) {
            kept.lock().unwrap().extend_from_slice(&chunk[..n]);
        }
    });
    (results, bytes, reader)
}

/// A node that dies mid-job (the worker, Receptor's command runner and the daemon killed at once,
/// as a crash or the OOM killer would): no process of the job goes on running there, `process`
/// records what reached the controller as a failed job, and the private data dir the worker could
/// not delete is removed by `worker cleanup`, sent as AWX sends it once the node is back.
#[test]
fn a_node_that_dies_mid_job_leaves_nothing_running_and_its_dir_to_worker_cleanup() {
    needs!(Receptor);
    let mut mesh = Mesh::start();
    let (marker, job) = ("67.3131", "mesh-crash");
    let pdd = crate::common::sleeping_pdd(marker);
    let sent = ours().args(["transmit", pdd.path().to_str().unwrap(), "-p", "sleep.yml", "-i", job]).output().unwrap();
    let unit = mesh.submit(NODE_A, job, &sent.stdout);
    let (mut results, streamed, reader) = results_so_far(&mesh, &unit);
    wait_until("the task's start to reach the controller", || {
        String::from_utf8_lossy(&streamed.lock().unwrap()).contains("\"runner_on_start\"")
    });
    // runner_on_start goes out before the task's module starts: on a busy machine, a while before.
    wait_until("the task's sleep to start on the node", || !processes_with(marker).is_empty());
    let below_daemon = unit_processes(&mesh, job);
    assert_eq!(below_daemon.len(), 2, "the command runner and the worker: {below_daemon:?}");
    for pid in below_daemon {
        kill(Pid::from_raw(pid), Signal::SIGKILL).unwrap();
    }
    mesh.kill_daemon(NODE_A);
    crate::common::assert_nothing_left(marker);
    let job_dir = mesh.job_dir(job);
    wait_until("the job's processes to end", || processes_with(&job_dir.display().to_string()).is_empty());
    // The controller waits for a node that may come back: its reader is ended here.
    results.kill().unwrap();
    results.wait().unwrap();
    reader.join().unwrap();
    let streamed = streamed.lock().unwrap().clone();
    let target = tempfile::tempdir().unwrap();
    let processed =
        crate::stream::feed(sub(ours(), &["process", target.path().to_str().unwrap(), "-i", job]), &streamed);
    assert_eq!(processed.status.code(), Some(1), "process: {:?}", text(&processed));
    assert!(text(&processed).1.contains("before its eof"), "{:?}", text(&processed));
    let artifacts = Artifacts { dir: target.path().join("artifacts").join(job) };
    assert_eq!((artifacts.read("status"), artifacts.read("rc")), ("failed".into(), "1".into()));
    assert!(names(&artifacts.events()).iter().any(|n| n == "runner_on_start"));
    assert!(job_dir.is_dir(), "the killed worker deleted its private data dir");
    assert!(mesh.spawn_daemon(NODE_A), "{}", mesh.logs());
    mesh.wait_for_routes(&[NODE_A]);
    let pattern = format!("params=cleanup --file-pattern={}/*.job --grace-period=0", mesh.dir.path().display());
    let cleanup = Mesh::unit(mesh.ctl().args([
        "work",
        "submit",
        "ansible-runner",
        "--node",
        NODE_A,
        "--no-payload",
        "-a",
        &pattern,
    ]));
    let cleaned = mesh.results().arg(&cleanup).stderr(Stdio::null()).output().unwrap();
    assert!(String::from_utf8_lossy(&cleaned.stdout).contains("(changed: True)"), "{:?}", text(&cleaned));
    assert!(!job_dir.exists(), "worker cleanup left {}", job_dir.display());
    mesh.release(&cleanup);
}

/// The checksum of the big file, then how many small files arrived.
const LARGE_PLAYBOOK: &str = "- hosts: all\n  gather_facts: false\n  tasks:\n    - command: sha256sum big.bin\n    \
                              - shell: find files -type f | wc -l\n";

/// `len` bytes that do not compress (xorshift64), so the stream carries them whole.
fn noise(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut bytes = Vec::with_capacity(len + 8);
    while bytes.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        bytes.extend_from_slice(&state.to_le_bytes());
    }
    bytes.truncate(len);
    bytes
}

/// A private data dir carrying a large project (a 24 MiB file that does not compress and 2,000
/// small ones) reaches both workers whole, and the job's artifacts come back.
#[test]
fn a_large_project_reaches_both_workers_whole() {
    needs!(Receptor);
    let mesh = Mesh::start();
    let pdd = Pdd::new();
    pdd.file("project/site.yml", LARGE_PLAYBOOK);
    for i in 0..2000 {
        pdd.file(&format!("project/files/{i:04}.txt"), &format!("file {i}\n"));
    }
    let big = pdd.path().join("project/big.bin");
    fs::write(&big, noise(24 << 20)).unwrap();
    let sum = Command::new("sha256sum").arg(&big).output().unwrap();
    let sum = String::from_utf8_lossy(&sum.stdout).split_whitespace().next().unwrap().to_owned();
    for (node, job) in [(NODE_A, "mesh-large-ours"), (NODE_B, "mesh-large-ref")] {
        let sent =
            ours().args(["transmit", pdd.path().to_str().unwrap(), "-p", "site.yml", "-i", job]).output().unwrap();
        assert!(sent.stdout.len() > 24 << 20, "{} bytes sent", sent.stdout.len());
        let unit = mesh.submit(node, job, &sent.stdout);
        let target = tempfile::tempdir().unwrap();
        let processed = mesh.process(&unit, ours(), target.path(), job);
        assert_eq!(processed.status.code(), Some(0), "{node}: {:?}", text(&processed));
        let artifacts = Artifacts { dir: target.path().join("artifacts").join(job) };
        let outputs: Vec<String> = artifacts
            .events()
            .iter()
            .filter(|e| e["event"] == "runner_on_ok")
            .map(|e| e["event_data"]["res"]["stdout"].as_str().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(outputs, [format!("{sum}  big.bin"), "2000".to_owned()], "{node}");
        mesh.release(&unit);
    }
}

/// The health check AWX runs on a node: a unit with no payload and `--worker-info`. Both workers
/// answer with the same keys, no errors, and the daemon's machine's CPU count.
#[test]
fn worker_info_over_the_mesh_has_the_reference_s_keys() {
    needs!(Receptor);
    let mesh = Mesh::start();
    let info = |node: &str| -> serde_json::Map<String, Value> {
        let unit = Mesh::unit(
            mesh.ctl()
                .args(["work", "submit", "ansible-runner", "--node", node, "--no-payload"])
                .args(["-a", "params=--worker-info"]),
        );
        let results = mesh.results().arg(&unit).stderr(Stdio::null()).output().unwrap();
        mesh.release(&unit);
        let info: Value = serde_yaml_ng::from_slice(&results.stdout)
            .unwrap_or_else(|e| panic!("{node}: {e}: {}", String::from_utf8_lossy(&results.stdout)));
        info.as_object().cloned().unwrap_or_else(|| panic!("{node}: {info}"))
    };
    let (mine, theirs) = (info(NODE_A), info(NODE_B));
    assert_eq!(mine.keys().collect::<Vec<_>>(), theirs.keys().collect::<Vec<_>>());
    assert_eq!(mine["errors"], serde_json::json!([]), "{mine:?}");
    assert_eq!(mine["cpu_count"], theirs["cpu_count"]);
}

/// `--keepalive-seconds` given as a runtime param: keepalive lines come through the mesh while
/// the job is silent, and `process` keeps none of them as events.
#[test]
fn keepalives_flow_through_the_mesh_while_the_job_is_silent() {
    needs!(Receptor);
    let mesh = Mesh::start();
    let job = "mesh-keepalive";
    let (_pdd, sent) = payload(ours(), "- hosts: all\n  gather_facts: false\n  tasks:\n    - command: sleep 2\n", job);
    let unit = mesh.submit_with(NODE_A, job, &sent, " --keepalive-seconds=0.5");
    let results = mesh.results().arg(&unit).stderr(Stdio::null()).output().unwrap();
    let lines = lines(&results.stdout);
    let keepalives = lines.iter().filter(|l| l.get("event") == Some(&Value::from("keepalive"))).count();
    assert!(keepalives >= 2, "only {keepalives} keepalives during a 2 s silence");
    let target = tempfile::tempdir().unwrap();
    let processed =
        crate::stream::feed(sub(ours(), &["process", target.path().to_str().unwrap(), "-i", job]), &results.stdout);
    assert_eq!(processed.status.code(), Some(0), "process: {:?}", text(&processed));
    let artifacts = Artifacts { dir: target.path().join("artifacts").join(job) };
    assert_eq!(artifacts.read("status"), "successful");
    assert!(artifacts.events().iter().all(|e| e["event"] != "keepalive"));
    mesh.release(&unit);
}

/// The check above catches what it is there for: a notice between the stream's lines, and one
/// glued to the zip payload.
#[test]
fn the_stream_check_catches_a_stray_line() {
    let clean = b"{\"status\": \"canceled\"}\n{\"zipfile\": 3}\nYWJj{\"eof\": true}\n";
    assert_only_stream_lines(clean);
    for stray in [
        &b"{\"status\": \"canceled\"}\nansible-runner: canceling the job\n{\"eof\": true}\n"[..],
        b"{\"zipfile\": 3}\nYWJjnotice\n{\"eof\": true}\n",
    ] {
        let caught = std::panic::catch_unwind(|| assert_only_stream_lines(stray));
        assert!(caught.is_err(), "{}", String::from_utf8_lossy(stray));
    }
}

/// docs/remote.md's execution node, run as written: its `receptor.yml` (with the test's port, socket
/// and data dir), the controller's shell recipe (transmit, submit, results into process, release)
/// and the `worker cleanup` unit, with the job's dirs and the controller's socket the test's own.
#[test]
fn the_documented_receptor_node_runs_a_job_and_a_cleanup() {
    needs!(Receptor);
    let documented = crate::docs::blocks("the_documented_receptor_node_runs_a_job_and_a_cleanup");
    let [config, recipe, cleanup] = &documented[..] else { panic!("three blocks: {documented:?}") };
    let mesh = Mesh::documented(config);
    let pdd = Pdd::new();
    pdd.file("project/site.yml", PLAYBOOK);
    let stale = mesh.path("awx_stale");
    fs::create_dir(&stale).unwrap();
    let long_ago = std::time::SystemTime::now() - Duration::from_secs(2 * 3600);
    fs::File::open(&stale).unwrap().set_modified(long_ago).unwrap();
    let ours = |text: &str| {
        text.replace("/run/receptor/controller.sock", mesh.path("controller.sock").to_str().unwrap())
            .replace("/srv/jobs/web", pdd.path().to_str().unwrap())
            .replace("/tmp/nightly", mesh.path("nightly").to_str().unwrap())
            .replace("/tmp/awx_", mesh.path("awx_").to_str().unwrap())
    };
    let ctl = recipe.lines().next().unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_ansible-runner")).parent().unwrap().display().to_string();
    for script in [ours(recipe), ours(&format!("{ctl}\n{cleanup}"))] {
        let mut shell = Command::new("bash");
        shell.args(["-e", "-c", &script]).current_dir(mesh.dir.path());
        let out = shell.env("PATH", format!("{bin}:{}", test_path())).output().unwrap();
        assert!(out.status.success(), "{script}: {out:?}\n{}", mesh.logs());
    }
    assert_eq!(pdd.artifacts("nightly").read("status"), "successful");
    assert!(!mesh.path("nightly").exists(), "--delete left the node's private data dir");
    wait_until("worker cleanup to remove the stale dir", || !stale.exists());
}
