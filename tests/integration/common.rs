//! Shared helpers: private data dirs made on the fly, the binary and the reference as commands,
//! and readers for the artifacts they write.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;
use serde_json::{Map, Value};

/// The venv holding ansible-core and the reference: `.venv` of the checkout (scripts/setup/venv), or the
/// one `ANSIBLE_RUNNER_TEST_VENV` names, so that a run can point it elsewhere to see what skips.
pub fn venv() -> PathBuf {
    std::env::var_os("ANSIBLE_RUNNER_TEST_VENV")
        .map_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv"), PathBuf::from)
}

/// The venv's `bin`; only tests that start with `needs!(Ansible)` may ask for it.
pub fn venv_bin() -> PathBuf {
    let bin = venv().join("bin");
    assert!(
        bin.join("ansible-playbook").exists(),
        "run scripts/setup/venv --with-reference first: {} is missing",
        bin.display()
    );
    bin
}

/// The Python of `.venv-api`, where scripts/setup/venv-api installs the package from its wheel.
pub fn api_python() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv-api/bin/python")
}

/// PATH with the venv first, so both runners find the same ansible-core. Without a venv the
/// tests that need only the binary (help, usage errors, completions) still run.
pub fn test_path() -> String {
    format!("{}:{}", venv().join("bin").display(), std::env::var("PATH").unwrap_or_default())
}

/// The binary under test, with a clean, predictable environment.
pub fn ours() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ansible-runner"));
    cmd.env("PATH", test_path()).env_remove("ANSIBLE_ROLES_PATH").env_remove("NO_COLOR");
    for var in ["RUNNER_PLAYBOOK", "RUNNER_MODULE", "RUNNER_ROLE", "RUNNER_BINARY"] {
        cmd.env_remove(var);
    }
    cmd
}

/// The Python reference, ansible-runner 2.4.3.
pub fn reference() -> Command {
    let mut cmd = Command::new(venv_bin().join("ansible-runner"));
    cmd.env("PATH", test_path()).env_remove("ANSIBLE_ROLES_PATH");
    cmd
}

pub const LOCAL_INVENTORY: &str =
    "localhost ansible_connection=local ansible_python_interpreter=\"{{ ansible_playbook_python }}\"\n";

/// A private data dir in a temp dir, built file by file.
pub struct Pdd {
    pub dir: tempfile::TempDir,
}

impl Pdd {
    /// A private data dir with a localhost inventory.
    pub fn new() -> Self {
        let pdd = Self { dir: tempfile::tempdir().unwrap() };
        pdd.file("inventory/hosts", LOCAL_INVENTORY);
        pdd
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn file(&self, relative: &str, content: &str) -> &Self {
        let path = self.path().join(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, content).unwrap();
        self
    }

    pub fn artifacts(&self, ident: &str) -> Artifacts {
        Artifacts { dir: self.path().join("artifacts").join(ident) }
    }

    /// A copy of this private data dir (for running the reference on the same inputs).
    pub fn copy(&self) -> Self {
        let other = Self { dir: tempfile::tempdir().unwrap() };
        for entry in walkdir::WalkDir::new(self.path()).min_depth(1) {
            let entry = entry.unwrap();
            let target = other.path().join(entry.path().strip_prefix(self.path()).unwrap());
            if entry.file_type().is_dir() {
                fs::create_dir_all(&target).unwrap();
            } else {
                fs::copy(entry.path(), &target).unwrap();
            }
        }
        other
    }
}

/// Reads what a run left in `artifacts/<ident>/`.
pub struct Artifacts {
    pub dir: PathBuf,
}

impl Artifacts {
    pub fn read(&self, name: &str) -> String {
        fs::read_to_string(self.dir.join(name)).unwrap_or_else(|e| panic!("{}: {e}", self.dir.join(name).display()))
    }

    /// The events ordered by counter.
    pub fn events(&self) -> Vec<Map<String, Value>> {
        let mut events: Vec<Map<String, Value>> = fs::read_dir(self.dir.join("job_events"))
            .unwrap()
            .map(|entry| {
                let path = entry.unwrap().path();
                serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap()
            })
            .collect();
        events.sort_by_key(|e| e["counter"].as_u64().unwrap());
        events
    }

    /// The `stdout` artifact as lines, colour codes and carriage returns removed.
    pub fn stdout_lines(&self) -> Vec<String> {
        plain_lines(&self.read("stdout"))
    }
}

pub fn plain_lines(text: &str) -> Vec<String> {
    console::strip_ansi_codes(text).replace('\r', "").lines().map(str::to_owned).collect()
}

pub fn names(events: &[Map<String, Value>]) -> Vec<String> {
    events.iter().map(|e| e["event"].as_str().unwrap().to_owned()).collect()
}

/// The first event that is not `verbose`: whatever Ansible's Python prints at start-up (a
/// library's deprecation warning, say) comes as `verbose` events before `playbook_on_start`.
pub fn first_after_start_up(names: &[String]) -> Option<&str> {
    names.iter().map(String::as_str).find(|name| *name != "verbose")
}

pub fn text(output: &Output) -> (String, String) {
    (String::from_utf8_lossy(&output.stdout).into_owned(), String::from_utf8_lossy(&output.stderr).into_owned())
}

/// Asserts the invariants every event stream must keep: counters 1..N and contiguous lines.
pub fn assert_stream_invariants(events: &[Map<String, Value>]) {
    let mut line = 0;
    for (index, event) in events.iter().enumerate() {
        assert_eq!(event["counter"].as_u64().unwrap(), index as u64 + 1, "counter gap at {event:?}");
        assert_eq!(event["start_line"].as_u64().unwrap(), line, "start_line not contiguous at {event:?}");
        line = event["end_line"].as_u64().unwrap();
        assert!(line >= event["start_line"].as_u64().unwrap());
    }
}

/// Processes whose command line contains `marker` (tests give each job a unique `sleep` argument).
pub fn processes_with(marker: &str) -> Vec<i32> {
    fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|c| String::from_utf8_lossy(&c).replace('\0', " ").contains(marker))
        })
        .collect()
}

/// How long a test waits for what it expects before it gives up: a safety net, not a measure,
/// long enough for a busy machine, where Ansible may take many seconds to start.
pub const PATIENCE: Duration = Duration::from_secs(120);

/// Polls `condition` every 20 ms until it holds; panics after [`PATIENCE`].
pub fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Waits until a process with `marker` in its command line runs, or `child` exits first (its
/// time limit came before its task, say); true for the first.
pub fn runs_before_exit(child: &mut Child, marker: &str) -> bool {
    let mut runs = false;
    wait_until("the task to start or the run to end", || {
        runs = !processes_with(marker).is_empty();
        runs || child.try_wait().unwrap().is_some()
    });
    runs
}

/// Runs a test whose job must get somewhere (into its task, say) before its `job_timeout` ends
/// it: `attempt` gets the limit in seconds, `first` and then doubled while it returns `None`,
/// which it does when the limit came first, as it may where Ansible is slow to start.
pub fn with_time_to_start(first: u64, mut attempt: impl FnMut(u64) -> Option<()>) {
    let mut limit = first;
    for _ in 0..4 {
        if attempt(limit).is_some() {
            return;
        }
        limit *= 2;
    }
    panic!("the job never got going within its job_timeout, up to {} s", limit / 2);
}

/// No job ran in the private data dir `pdd`: `artifacts/` holds at most the record of a run that
/// could not start (`status`, `rc` and the `reason`; no `command`, no events).
pub fn assert_nothing_ran(pdd: &Path, what: &str) {
    let Ok(runs) = fs::read_dir(pdd.join("artifacts")) else { return };
    for run in runs {
        let dir = run.unwrap().path();
        assert!(!dir.join("command").exists(), "{what}: a job ran in {}", dir.display());
        assert!(dir.join("reason").exists(), "{what}: {} is no record of a run that did not start", dir.display());
    }
}

/// A job that sleeps in its one task, `sleep <marker>`, so /proc shows whether it still runs.
pub fn sleeping_pdd(marker: &str) -> Pdd {
    let pdd = Pdd::new();
    pdd.file(
        "project/sleep.yml",
        &format!("- hosts: all\n  gather_facts: false\n  tasks:\n    - name: nap\n      command: sleep {marker}\n"),
    );
    pdd
}

/// `run` of `pdd` as job `job`, its stdout piped and never read: a job to signal or time out.
pub fn spawn_run(pdd: &Pdd, extra: &[&str]) -> Child {
    ours().arg("run").arg(pdd.path()).args(["-i", "job"]).args(extra).stdout(Stdio::piped()).spawn().unwrap()
}

/// No process with `marker` in its command line remains.
pub fn assert_nothing_left(marker: &str) {
    // The kill is synchronous, but /proc may still list a process being reaped for a moment.
    wait_until("the job's processes to disappear", || processes_with(marker).is_empty());
}

/// `command` (`start`, `stop`, `is-alive`) of `pdd`, run to its end.
pub fn control(command: &str, pdd: &Path) -> std::process::Output {
    ours().arg(command).arg(pdd).output().unwrap()
}

/// A pseudo-terminal whose slave side becomes the controlling terminal and stdio of `command`,
/// run as a session leader, as a login shell or an SSH session would be.
pub fn spawn_on_terminal(command: &mut Command) -> (Child, fs::File) {
    use nix::fcntl::{fcntl, FcntlArg, FdFlag};
    use std::os::unix::process::CommandExt;
    let pty = nix::pty::openpty(None, None).unwrap();
    // Else the program inherits the master side too, and closing ours would hang nothing up.
    for fd in [&pty.master, &pty.slave] {
        fcntl(fd, FcntlArg::F_SETFD(FdFlag::FD_CLOEXEC)).unwrap();
    }
    command.stdin(pty.slave.try_clone().unwrap()).stdout(pty.slave.try_clone().unwrap()).stderr(pty.slave);
    // SAFETY: setsid, ioctl and sigaction are async-signal-safe.
    unsafe {
        command.pre_exec(|| {
            // As a terminal's session starts: hang-ups not ignored, even when the tests run under
            // nohup (an ignored signal stays ignored across exec).
            nix::sys::signal::signal(Signal::SIGHUP, nix::sys::signal::SigHandler::SigDfl)?;
            nix::unistd::setsid()?;
            if nix::libc::ioctl(0, nix::libc::TIOCSCTTY, 0) == -1 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = command.spawn().unwrap();
    let master = fs::File::from(pty.master);
    nix::fcntl::fcntl(&master, nix::fcntl::FcntlArg::F_SETFL(nix::fcntl::OFlag::O_NONBLOCK)).unwrap();
    (child, master)
}

/// Reads whatever the terminal has to show, so that the program never blocks writing to it.
pub fn drain(master: &mut fs::File) {
    use std::io::Read;
    let mut buf = [0u8; 4096];
    while matches!(master.read(&mut buf), Ok(n) if n > 0) {}
}

/// Two tasks on one host: a debug and a command that changes something.
pub const TWO_TASKS: &str = "- hosts: all\n  gather_facts: false\n  tasks:\n    - name: first\n      debug: msg=one\n    - name: second\n      command: \"true\"\n";

/// Runs the binary with stdout and stderr on a new pseudo-terminal and returns what it drew.
pub fn run_on_pty(pdd: &Pdd, args: &[&str]) -> String {
    let pty = nix::pty::openpty(None, None).unwrap();
    let mut child = ours()
        .arg("run")
        .arg(pdd.path())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::from(pty.slave.try_clone().unwrap()))
        .stderr(Stdio::from(pty.slave))
        .spawn()
        .unwrap();
    let mut master = fs::File::from(pty.master);
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    // Until EOF, or EIO: the last holder of the terminal's other side is gone.
    while let Ok(n @ 1..) = master.read(&mut buf) {
        seen.extend_from_slice(&buf[..n]);
    }
    assert!(child.wait().unwrap().success());
    String::from_utf8_lossy(&seen).into_owned()
}

/// A part of the machine that some tests need besides the binary. A test that lacks one is
/// skipped by name rather than failed, so a red run always means a bug; scripts/test fails on
/// any skip, so a machine that has everything runs everything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Root,
    /// ansible-core in the venv.
    Ansible,
    /// The Python ansible-runner 2.4.3 in the venv.
    Reference,
    /// The Prometheus parser in the venv.
    Prometheus,
    Podman,
    Docker,
    Bubblewrap,
    /// An OpenSSH server and `ip` to put it in a network namespace of its own.
    Sshd,
    /// ssh (Ansible's way to the hosts meant to be unreachable), ssh-keygen, ssh-agent, ssh-add.
    SshClient,
    /// The Receptor daemon (on PATH, else `../shared/tools/receptor/receptor` beside the checkout)
    /// and `receptorctl` in the venv.
    Receptor,
    /// `.venv-api`, with the Python package installed as a user gets it (scripts/setup/venv-api).
    ApiVenv,
    Tmux,
    Zsh,
    Fish,
}

impl Part {
    /// What the skip line calls this part, and how to get it.
    fn describe(self) -> (&'static str, &'static str) {
        match self {
            Part::Root => ("root", "run the tests as root"),
            Part::Ansible => {
                ("ansible-core in the test venv", "scripts/setup/venv, or a venv named by ANSIBLE_RUNNER_TEST_VENV")
            }
            Part::Reference => {
                ("the Python ansible-runner 2.4.3 in the test venv", "scripts/setup/venv --with-reference")
            }
            Part::Prometheus => ("prometheus_client in the test venv", "scripts/setup/venv --with-reference"),
            Part::Podman => ("podman", "scripts/setup/engines installs it"),
            Part::Docker => ("docker and dockerd", "scripts/setup/engines installs them"),
            Part::Bubblewrap => ("a working bubblewrap", "scripts/setup/engines installs it"),
            Part::Sshd => ("sshd and ip", "apt-get install openssh-server iproute2"),
            Part::SshClient => ("the OpenSSH client", "apt-get install openssh-client"),
            Part::Receptor => (
                "receptor (on PATH, else in ../shared/tools/receptor/) and receptorctl in the test venv",
                "go install github.com/ansible/receptor/cmd/receptor-cl@v1.4.9, scripts/setup/venv --with-reference",
            ),
            Part::ApiVenv => ("the package's venv .venv-api", "scripts/setup/venv-api"),
            Part::Tmux => ("tmux", "apt-get install tmux"),
            Part::Zsh => ("zsh", "apt-get install zsh"),
            Part::Fish => ("fish", "apt-get install fish"),
        }
    }

    /// Parts this one is no use without: the engines, the sandbox's Ansible under /opt and
    /// network namespaces are set up as root, and the venv's extras come with ansible-core.
    fn implies(self) -> &'static [Part] {
        match self {
            Part::Podman | Part::Docker | Part::Bubblewrap => &[Part::Root],
            Part::Sshd => &[Part::Root, Part::SshClient],
            Part::Reference | Part::Prometheus | Part::ApiVenv => &[Part::Ansible],
            Part::Receptor => &[Part::Ansible, Part::Reference],
            _ => &[],
        }
    }

    fn check(self) -> bool {
        match self {
            Part::Root => nix::unistd::Uid::effective().is_root(),
            // Importing it proves the venv's interpreter is there and readable by this user.
            Part::Ansible => {
                venv().join("bin/ansible-playbook").exists()
                    && runs(venv().join("bin/python"), &["-c", "import ansible"])
            }
            Part::Reference => venv().join("bin/ansible-runner").exists(),
            Part::Prometheus => runs(venv().join("bin/python"), &["-c", "import prometheus_client"]),
            Part::Podman => runs("podman", &["--version"]),
            Part::Docker => runs("docker", &["--version"]) && runs("dockerd", &["--version"]),
            Part::Bubblewrap => runs("bwrap", &["--ro-bind", "/", "/", "true"]),
            Part::Sshd => Path::new("/usr/sbin/sshd").exists() && runs("ip", &["netns", "list"]),
            Part::SshClient => ["ssh", "ssh-keygen", "ssh-agent", "ssh-add"].into_iter().all(on_path),
            Part::Receptor => {
                receptor().is_some_and(|daemon| runs(daemon, &["--version"])) && venv().join("bin/receptorctl").exists()
            }
            Part::ApiVenv => runs(api_python(), &["-c", "import ansible_runner"]),
            Part::Tmux => on_path("tmux"),
            Part::Zsh => on_path("zsh"),
            Part::Fish => on_path("fish"),
        }
    }

    /// Whether this machine has the part, checked once per test process.
    fn present(self) -> bool {
        // One slot per variant (`Fish` is the last).
        const SLOTS: usize = Part::Fish as usize + 1;
        static CHECKED: [OnceLock<bool>; SLOTS] = [const { OnceLock::new() }; SLOTS];
        *CHECKED[self as usize].get_or_init(|| self.check())
    }
}

/// Whether `program` starts and succeeds with `args`, quietly.
fn runs(program: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

fn on_path(program: &str) -> bool {
    find_on_path(program).is_some()
}

fn find_on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(program)).find(|candidate| candidate.is_file())
}

/// The Receptor daemon: `receptor` on PATH, else the build kept in `shared/tools/receptor/` beside
/// the checkout (for machines that cannot reach the Go module proxy to build one).
pub fn receptor() -> Option<PathBuf> {
    find_on_path("receptor").or_else(|| {
        let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/tools/receptor/receptor");
        shared.is_file().then_some(shared)
    })
}

/// Whether the machine has every part in `parts`. If not, prints `SKIPPED <test>: needs …` and
/// appends it to the file `ANSIBLE_RUNNER_TEST_SKIPS` names, for scripts/test to fail on.
pub fn require(parts: &[Part]) -> bool {
    let mut missing: Vec<Part> = Vec::new();
    for &part in parts {
        for &wanted in part.implies().iter().chain([&part]) {
            if !wanted.present() && !missing.contains(&wanted) {
                missing.push(wanted);
            }
        }
    }
    if missing.is_empty() {
        return true;
    }
    let needs: Vec<String> =
        missing.iter().map(|part| format!("{} ({})", part.describe().0, part.describe().1)).collect();
    // libtest names each test's thread after the test.
    let test = std::thread::current().name().unwrap_or("a test").to_owned();
    let line = format!("SKIPPED {test}: needs {}\n", needs.join(", "));
    // Straight to the process's stderr: libtest would hold back what `eprintln!` prints.
    let _ = std::io::stderr().write_all(line.as_bytes());
    if let Some(record) = std::env::var_os("ANSIBLE_RUNNER_TEST_SKIPS") {
        let file = fs::OpenOptions::new().create(true).append(true).open(&record);
        file.and_then(|mut file| file.write_all(line.as_bytes()))
            .unwrap_or_else(|e| panic!("ANSIBLE_RUNNER_TEST_SKIPS={}: {e}", Path::new(&record).display()));
    }
    false
}

/// Ends the test early, skipped by name, unless the machine has every part named:
/// `needs!(Podman, Ansible);`.
macro_rules! needs {
    ($($part:ident),+ $(,)?) => {
        if !$crate::common::require(&[$($crate::common::Part::$part),+]) {
            return;
        }
    };
}
pub(crate) use needs;
