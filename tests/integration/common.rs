//! Shared helpers: private data dirs made on the fly, the binary and the reference as commands,
//! and readers for the artifacts they write.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

/// `.venv/bin` of the checkout, where scripts/venv installs ansible-core and the reference.
pub fn venv_bin() -> PathBuf {
    let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin");
    assert!(
        bin.join("ansible-playbook").exists(),
        "run scripts/venv --with-reference first: {} is missing",
        bin.display()
    );
    bin
}

/// PATH with the venv first, so both runners find the same ansible-core. Without a venv the
/// tests that need only the binary (help, usage errors, completions) still run.
pub fn test_path() -> String {
    let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin");
    format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default())
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

/// Polls `condition` every 20 ms until it holds; panics after `limit`.
pub fn wait_until(limit: Duration, what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
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
