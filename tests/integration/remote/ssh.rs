//! `transmit | ssh node ansible-runner worker | process` with real parts: a real OpenSSH server
//! (Debian's openssh-server, which scripts/test installs) runs as a node in a network namespace the
//! test makes, reached from a second namespace over a veth pair with link-local addresses that
//! exist only inside those two namespaces. The node runs this checkout's binary and `.venv`.
//!
//! Both namespaces share the filesystem and the process table with the test, so "it ran on the
//! node" is proven through the network namespace: the task reports the namespace it ran in, and
//! it sees a variable only the node's sshd sets (`SetEnv`).

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use serde_json::Value;

use crate::common::{needs, ours, processes_with, text, venv_bin, wait_until, Pdd};

const SSHD: &str = "/usr/sbin/sshd";

const PORT: &str = "2222";

const CONTROLLER_ADDR: &str = "169.254.47.1";

const NODE_ADDR: &str = "169.254.47.2";

/// Runs `ip` with `args`; panics with its stderr when it fails.
fn ip(args: &[&str]) {
    let out = Command::new("ip").args(args).output().expect("the ip command (iproute2) is needed");
    assert!(out.status.success(), "ip {}: {}", args.join(" "), text(&out).1);
}

/// The inode of a network namespace, as `/proc/PID/ns/net` links show it (`net:[INODE]`).
fn netns_of_pid(pid: i32) -> String {
    fs::read_link(format!("/proc/{pid}/ns/net")).map(|l| l.display().to_string()).unwrap_or_default()
}

/// Two network namespaces joined by a veth pair, an sshd serving in one (the node), a key pair
/// for root; everything is removed on drop.
struct Node {
    controller_ns: String,
    remote_ns: String,
    dir: tempfile::TempDir,
    sshd: Option<Child>,
    /// What the node's sshd puts into every session's environment.
    session_mark: String,
}

impl Node {
    fn start(tag: &str) -> Self {
        assert!(
            Path::new(SSHD).exists(),
            "{SSHD} is missing: install Debian's openssh-server (scripts/test installs it)"
        );
        let id = format!("{}{tag}", std::process::id());
        let (controller_ns, remote_ns) = (format!("arc{id}"), format!("arn{id}"));
        ip(&["netns", "add", &controller_ns]);
        ip(&["netns", "add", &remote_ns]);
        let dir = tempfile::tempdir().unwrap();
        let session_mark = format!("node-session-{id}");
        // From here on, a failure still removes the namespaces (Drop).
        let mut node = Self { controller_ns, remote_ns, dir, sshd: None, session_mark };
        node.link();
        node.keys();
        node.serve();
        node
    }

    fn link(&self) {
        let (c, n) = (&self.controller_ns, &self.remote_ns);
        ip(&["link", "add", "veth0", "netns", c, "type", "veth", "peer", "name", "veth0", "netns", n]);
        ip(&["-n", c, "addr", "add", &format!("{CONTROLLER_ADDR}/30"), "dev", "veth0"]);
        ip(&["-n", n, "addr", "add", &format!("{NODE_ADDR}/30"), "dev", "veth0"]);
        for ns in [c, n] {
            ip(&["-n", ns, "link", "set", "lo", "up"]);
            ip(&["-n", ns, "link", "set", "veth0", "up"]);
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn keys(&self) {
        for key in ["host_key", "client_key"] {
            let made = Command::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", "", "-f"])
                .arg(self.path(key))
                .output()
                .unwrap();
            assert!(made.status.success(), "ssh-keygen: {}", text(&made).1);
        }
        fs::copy(self.path("client_key.pub"), self.path("authorized_keys")).unwrap();
    }

    /// sshd in the node namespace with a configuration of its own; returns once it listens.
    fn serve(&mut self) {
        let config = format!(
            "Port {PORT}\nListenAddress {NODE_ADDR}\nHostKey {}\nAuthorizedKeysFile {}\nPidFile {}\n\
             PermitRootLogin prohibit-password\nPubkeyAuthentication yes\nPasswordAuthentication no\n\
             KbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\nSetEnv RUNNER_TEST_NODE={}\n\
             ClientAliveInterval 1\nClientAliveCountMax 3\n",
            self.path("host_key").display(),
            self.path("authorized_keys").display(),
            self.path("sshd.pid").display(),
            self.session_mark
        );
        fs::write(self.path("sshd_config"), config).unwrap();
        // sshd's privilege separation directory.
        fs::create_dir_all("/run/sshd").unwrap();
        let log = fs::File::create(self.path("sshd.log")).unwrap();
        let sshd = Command::new("ip")
            .args(["netns", "exec", &self.remote_ns, SSHD, "-D", "-e", "-f"])
            .arg(self.path("sshd_config"))
            .stdin(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        self.sshd = Some(sshd);
        let log = self.path("sshd.log");
        wait_until("sshd to listen", || {
            let text = fs::read_to_string(&log).unwrap_or_default();
            assert!(!text.contains("fatal"), "sshd failed: {text}");
            text.contains("Server listening on")
        });
    }

    /// `ssh root@node COMMAND` from the controller namespace.
    fn ssh(&self, remote: &str) -> Command {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &self.controller_ns, "ssh", "-F", "/dev/null", "-i"])
            .arg(self.path("client_key"))
            .args(["-p", PORT, "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no"])
            .args(["-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=10"])
            .args(["-o", "ServerAliveInterval=1", "-o", "ServerAliveCountMax=3"])
            .arg(format!("root@{NODE_ADDR}"))
            .arg(remote);
        cmd
    }

    /// The worker command line run on the node: this checkout's binary, with `.venv/bin` first on
    /// PATH, in a private data dir of its own (so the test can find the worker by it).
    fn worker_command(worker_pdd: &Path) -> String {
        let binary = env!("CARGO_BIN_EXE_ansible-runner");
        let path = format!("PATH={}:/usr/bin:/bin", venv_bin().display());
        let worker_pdd = worker_pdd.display().to_string();
        let argv =
            ["env", &path, binary, "worker", "--keepalive-seconds", "1", "--delete", "--private-data-dir", &worker_pdd];
        shell_words::join(argv)
    }

    fn remote_ns(&self) -> String {
        format!("net:[{}]", fs::metadata(format!("/run/netns/{}", self.remote_ns)).unwrap().ino())
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        if let Some(sshd) = &mut self.sshd {
            let _ = sshd.kill();
            let _ = sshd.wait();
        }
        for ns in [&self.controller_ns, &self.remote_ns] {
            if let Ok(out) = Command::new("ip").args(["netns", "pids", ns]).output() {
                for pid in String::from_utf8_lossy(&out.stdout).split_whitespace().filter_map(|p| p.parse().ok()) {
                    let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
                }
            }
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
    }
}

/// A job on its way: ssh to the node running the worker, `process -j` on the controller, and a
/// relay between them that counts the keepalive lines going by.
struct RemoteJob {
    ssh: Child,
    process: Child,
    events: BufReader<ChildStdout>,
    keepalives: Arc<AtomicUsize>,
    relay: Option<JoinHandle<()>>,
}

impl RemoteJob {
    fn start(node: &Node, pdd: &Pdd, worker_pdd: &Path) -> Self {
        let sent = ours().arg("transmit").arg(pdd.path()).args(["-p", "site.yml", "-i", "remote"]).output().unwrap();
        assert_eq!(sent.status.code(), Some(0), "transmit: {}", text(&sent).1);
        let mut ssh =
            node.ssh(&Node::worker_command(worker_pdd)).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
        let mut to_node = ssh.stdin.take().unwrap();
        std::thread::spawn(move || {
            let _ = to_node.write_all(&sent.stdout);
        });
        let mut process = ours()
            .arg("process")
            .arg(pdd.path())
            .args(["-i", "remote", "-j"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let keepalives = Arc::new(AtomicUsize::new(0));
        let relay = relay(ssh.stdout.take().unwrap(), process.stdin.take().unwrap(), Arc::clone(&keepalives));
        let events = BufReader::new(process.stdout.take().unwrap());
        Self { ssh, process, events, keepalives, relay: Some(relay) }
    }

    /// The next event `process` printed, or `None` at its end.
    fn next_event(&mut self) -> Option<Value> {
        let mut line = String::new();
        match self.events.read_line(&mut line).unwrap() {
            0 => None,
            _ => Some(serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"))),
        }
    }

    /// Reads events until one matches; returns all read, the match last.
    fn events_until(&mut self, what: &str, matches: impl Fn(&Value) -> bool) -> Vec<Value> {
        let mut seen = Vec::new();
        loop {
            let event = self.next_event().unwrap_or_else(|| panic!("process ended before {what}: {seen:?}"));
            let found = matches(&event);
            seen.push(event);
            if found {
                return seen;
            }
        }
    }

    /// Reads the remaining events and waits for `process`: its exit code and stderr.
    fn finish(mut self, mut seen: Vec<Value>) -> (Option<i32>, String, Vec<Value>) {
        while let Some(event) = self.next_event() {
            seen.push(event);
        }
        let out = self.process.wait_with_output().unwrap();
        let _ = self.ssh.wait();
        if let Some(relay) = self.relay.take() {
            relay.join().unwrap();
        }
        (out.status.code(), text(&out).1, seen)
    }
}

/// Copies the worker's stream to `process` line by line, counting keepalives; closes `process`'s
/// input when the stream ends (the worker finished, or the connection broke).
fn relay(from: ChildStdout, mut to: std::process::ChildStdin, keepalives: Arc<AtomicUsize>) -> JoinHandle<()> {
    std::thread::spawn(move || {
        let mut reader = BufReader::new(from);
        let mut line = Vec::new();
        while reader.read_until(b'\n', &mut line).is_ok_and(|n| n > 0) {
            if line.starts_with(b"{\"event\": \"keepalive\"") {
                keepalives.fetch_add(1, Ordering::SeqCst);
            }
            if to.write_all(&line).is_err() {
                return;
            }
            line.clear();
        }
    })
}

fn task_event(event: &Value, name: &str, task: &str) -> bool {
    event["event"] == name && event["event_data"]["task"] == task
}

fn playbook(marker: &str) -> String {
    format!(
        "- hosts: all\n  gather_facts: false\n  tasks:\n    - name: where\n      command: readlink /proc/self/ns/net\n\
         \x20   - name: session\n      debug:\n        msg: \"{{{{ lookup('env', 'RUNNER_TEST_NODE') }}}}\"\n\
         \x20   - name: nap\n      command: sleep {marker}\n"
    )
}

#[test]
fn job_runs_on_the_node_and_streams_back_live() {
    needs!(Sshd, Ansible);
    let node = Node::start("a");
    let marker = "4.47101";
    let pdd = Pdd::new();
    pdd.file("project/site.yml", &playbook(marker));
    let worker_pdd = node.path("worker-a");
    let mut job = RemoteJob::start(&node, &pdd, &worker_pdd);

    let mut seen = job.events_until("the nap task to start", |e| task_event(e, "runner_on_start", "nap"));
    // The start event is already here and the sleep has yet to run (or is running) on the node:
    // events arrive live. Had they come at the end, the sleep would be over and gone.
    wait_until("the nap on the node", || !processes_with(marker).is_empty());
    let sleeping = processes_with(marker);
    assert_eq!(netns_of_pid(sleeping[0]), node.remote_ns(), "the task runs in the node's namespace");
    let where_ran = seen.iter().find(|e| task_event(e, "runner_on_ok", "where")).unwrap();
    assert_eq!(where_ran["event_data"]["res"]["stdout"], node.remote_ns());
    let session = seen.iter().find(|e| task_event(e, "runner_on_ok", "session")).unwrap();
    assert_eq!(session["event_data"]["res"]["msg"], node.session_mark, "the worker runs in the node's ssh session");

    let keepalives = Arc::clone(&job.keepalives);
    let (code, stderr, events) = job.finish(std::mem::take(&mut seen));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(keepalives.load(Ordering::SeqCst) >= 1, "no keepalive during the silent task");
    let artifacts = pdd.artifacts("remote");
    assert_eq!(artifacts.read("status"), "successful");
    assert_eq!(artifacts.read("rc"), "0");
    assert!(artifacts.read("command").contains("ansible-playbook"), "the worker's artifacts arrived");
    assert_eq!(artifacts.events().len(), events.len(), "every event printed is on disk");
    assert!(artifacts.read("stdout").contains("TASK [nap]"));
    wait_until("the worker to end", || processes_with(worker_pdd.to_str().unwrap()).is_empty());
    assert!(!worker_pdd.exists(), "--delete removed the node's private data dir");
}

#[test]
fn cut_connection_fails_the_run_and_ends_the_job_on_the_node() {
    needs!(Sshd, Ansible);
    let node = Node::start("b");
    let marker = "300.47202";
    let pdd = Pdd::new();
    pdd.file("project/site.yml", &playbook(marker));
    let worker_pdd = node.path("worker-b");
    let mut job = RemoteJob::start(&node, &pdd, &worker_pdd);
    let seen = job.events_until("the nap task to start", |e| task_event(e, "runner_on_start", "nap"));
    wait_until("the nap on the node", || !processes_with(marker).is_empty());
    let history = ours().arg("history").arg(pdd.path()).arg("-j").output().unwrap();
    let listed: Value = serde_json::from_slice(history.stdout.split(|b| *b == b'\n').next().unwrap()).unwrap();
    assert_eq!((&listed["ident"], &listed["status"]), (&Value::from("remote"), &Value::from("running")));

    let ssh = job.ssh.id();
    assert_eq!(fs::read_to_string(format!("/proc/{ssh}/comm")).unwrap().trim(), "ssh");
    kill(Pid::from_raw(i32::try_from(ssh).unwrap()), Signal::SIGKILL).unwrap();

    let (code, stderr, events) = job.finish(seen);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("ended before its eof line"), "{stderr}");
    let artifacts = pdd.artifacts("remote");
    assert_eq!(artifacts.read("status"), "failed");
    assert_eq!(artifacts.read("rc"), "1");
    let kept = artifacts.events();
    assert_eq!(kept.len(), events.len(), "every event received is kept");
    assert!(kept.iter().any(|e| e["event"] == "runner_on_start" && e["event_data"]["task"] == "nap"));
    wait_until("the job and the worker on the node to end", || {
        processes_with(marker).is_empty() && processes_with(worker_pdd.to_str().unwrap()).is_empty()
    });
}

#[test]
fn worker_ends_its_job_when_its_reader_goes() {
    needs!(Ansible);
    // The same cut without sshd: the pipe from the worker closes while the job is silent.
    let marker = "300.47303";
    let pdd = Pdd::new();
    // One silent task: what the worker writes before it stays well within the pipe's buffer.
    pdd.file(
        "project/site.yml",
        &format!("- hosts: all\n  gather_facts: false\n  tasks:\n    - command: sleep {marker}\n"),
    );
    let sent = ours().arg("transmit").arg(pdd.path()).args(["-p", "site.yml"]).output().unwrap();
    let mut worker =
        ours().arg("worker").stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    worker.stdin.take().unwrap().write_all(&sent.stdout).unwrap();
    wait_until("the nap", || !processes_with(marker).is_empty());
    drop(worker.stdout.take());
    wait_until("the job to end", || processes_with(marker).is_empty());
    wait_until("the worker to exit", || worker.try_wait().unwrap().is_some());
}

/// docs/remote.md's SSH recipes, run as written: a shell function in front of them takes `ssh NODE`
/// to this test's node (every name to the one node), where this binary and the venv's Ansible are
/// on PATH; the job's dir is a test one.
#[test]
fn the_documented_ssh_recipes_run_their_jobs_on_the_node() {
    needs!(Sshd, Ansible);
    let node = Node::start("d");
    let pdd = Pdd::new();
    let local = "ansible_connection=local ansible_python_interpreter=\"{{ ansible_playbook_python }}\"";
    pdd.file("inventory/hosts", &format!("node1 {local}\nnode2 {local}\nnode3 {local}\n"));
    pdd.file("project/site.yml", &playbook("0"));
    let bin = Path::new(env!("CARGO_BIN_EXE_ansible-runner")).parent().unwrap().display().to_string();
    let on_node = format!("PATH={bin}:{}:/usr/bin:/bin", venv_bin().display());
    let ssh = node.ssh("");
    let mut words: Vec<String> =
        std::iter::once(ssh.get_program()).chain(ssh.get_args()).map(|w| w.to_string_lossy().into_owned()).collect();
    words.pop();
    let function = format!("ssh() {{ shift; {} \"{on_node} $*\"; }}\n", shell_words::join(&words));
    for (recipe, idents) in crate::docs::blocks("the_documented_ssh_recipes_run_their_jobs_on_the_node")
        .iter()
        .zip([&["nightly"][..], &["web-node1", "web-node2", "web-node3"]])
    {
        let script = function.clone() + &recipe.replace("/srv/jobs/web", pdd.path().to_str().unwrap());
        let out = Command::new("bash")
            .arg("-c")
            .arg(&script)
            .env("PATH", format!("{bin}:{}", crate::common::test_path()))
            .output()
            .unwrap();
        assert!(out.status.success(), "{recipe}: {out:?}");
        for ident in idents {
            let artifacts = pdd.artifacts(ident);
            assert_eq!(artifacts.read("status"), "successful", "{ident}");
            let events = artifacts.events();
            let ran = events.iter().find(|e| e["event"] == "runner_on_ok" && e["event_data"]["task"] == "where");
            assert_eq!(ran.unwrap()["event_data"]["res"]["stdout"], node.remote_ns(), "{ident} ran on the node");
        }
    }
}
