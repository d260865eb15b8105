//! `start`, `stop` and `is-alive`: a job running detached from the terminal, found again through
//! `<private_data_dir>/pid`. Unlike the Python tool, `start` refuses a directory whose job is still
//! alive (and clears a stale pid file), and `stop` ends the whole job and leaves `status`/`rc`.

use std::fs::{self, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

use crate::artifacts::{self, Status};
use crate::cli::RunArgs;
use crate::config::{self, PrivateDataDir};
use crate::exit;
use crate::job::JobSpec;
use crate::runner;

/// Hidden flag telling `run` that it is the detached half of `start`.
pub const DAEMON_FLAG: &str = "--daemonized";
/// How long `stop` waits for the job to end gracefully before killing what is left.
const STOP_PATIENCE: Duration = Duration::from_secs(15);

fn pid_file(pdd: &Path) -> PathBuf {
    pdd.join("pid")
}

/// `daemon.log` receives the detached job's own errors; created 0600 as the Python tool does.
fn touch_daemon_log(pdd: &Path) -> io::Result<fs::File> {
    OpenOptions::new().create(true).append(true).mode(0o600).open(pdd.join("daemon.log"))
}

/// Reads the pid recorded in `<pdd>/pid`; `None` when there is no pid file.
fn read_pid(pdd: &Path) -> anyhow::Result<Option<Pid>> {
    let path = pid_file(pdd);
    let text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(err).with_context(|| format!("cannot read {}", path.display())),
    };
    let first = text.lines().next().unwrap_or_default().trim();
    let pid: i32 =
        first.parse().with_context(|| format!("{} does not hold a process id: {first:?}", path.display()))?;
    Ok(Some(Pid::from_raw(pid)))
}

/// Whether `pid` is a live ansible-runner process (not a reused pid of something else).
fn runner_alive(pid: Pid) -> bool {
    if pid.as_raw() <= 0 || kill(pid, None).is_err() {
        return false;
    }
    let zombie = fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| stat.rfind(')').and_then(|i| stat.get(i + 2..i + 3)).map(|s| s == "Z"))
        .unwrap_or(false);
    if zombie {
        return false;
    }
    match fs::read(format!("/proc/{pid}/cmdline")) {
        Ok(cmdline) => String::from_utf8_lossy(&cmdline).contains("ansible-runner"),
        Err(_) => true,
    }
}

/// Whether `<pdd>/pid` names a live ansible-runner (an unreadable pid file counts as not running).
pub fn job_alive(pdd: &Path) -> bool {
    read_pid(pdd).ok().flatten().is_some_and(runner_alive)
}

/// `ansible-runner start`: validates, then re-runs itself as a detached `run` and returns at once.
pub fn start_command(args: &RunArgs) -> anyhow::Result<i32> {
    let spec = JobSpec::resolve(&args.to_request())?;
    let pdd = &spec.pdd.root;
    let log = touch_daemon_log(pdd).with_context(|| format!("cannot create {}", pdd.join("daemon.log").display()))?;
    if let Some(pid) = read_pid(pdd)? {
        if runner_alive(pid) {
            bail!(
                "a job is already running in {} (pid {pid}); stop it with `ansible-runner stop {}`",
                pdd.display(),
                pdd.display()
            );
        }
        fs::remove_file(pid_file(pdd)).with_context(|| format!("cannot remove stale {}", pid_file(pdd).display()))?;
    }
    if args.report.lock {
        // Refuse at once rather than from the detached process, whose errors only reach daemon.log.
        drop(crate::lock::acquire(pdd, None)?);
    }
    let mut pid_out = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o644)
        .open(pid_file(pdd))
        .with_context(|| format!("cannot create {} (is another start running?)", pid_file(pdd).display()))?;

    let exe = std::env::current_exe().context("cannot find this program's own path")?;
    let mut argv: Vec<String> = std::env::args().skip(1).collect();
    match command_position(&argv, "start") {
        Some(index) => argv[index] = "run".to_owned(),
        None => bail!("cannot find the `start` command in the arguments"),
    }
    argv.push(DAEMON_FLAG.to_owned());
    let mut command = Command::new(exe);
    command.args(&argv).stdin(Stdio::piped()).stdout(Stdio::null()).stderr(Stdio::from(log));
    // SAFETY: setsid and umask are async-signal-safe and touch no memory of the parent.
    unsafe {
        command.pre_exec(|| {
            nix::unistd::setsid().map_err(io::Error::from)?;
            nix::sys::stat::umask(nix::sys::stat::Mode::from_bits_truncate(0o022));
            Ok(())
        });
    }
    let mut child = command.spawn().context("cannot start the detached job")?;
    let written = writeln!(pid_out, "{}", child.id());
    // Closing the pipe lets the detached job go on: by then the pid file names it.
    drop(child.stdin.take());
    if let Err(err) = written {
        let _ = child.kill();
        let _ = fs::remove_file(pid_file(pdd));
        return Err(err).context("cannot write the pid file");
    }
    Ok(exit::OK)
}

/// Where `command` stands in the arguments, skipping the values of top-level options that take one.
fn command_position(argv: &[String], command: &str) -> Option<usize> {
    let mut skip_value = false;
    for (index, arg) in argv.iter().enumerate() {
        if std::mem::take(&mut skip_value) {
            continue;
        }
        if arg == command {
            return Some(index);
        }
        skip_value = matches!(arg.as_str(), "--artifact-dir" | "--generate-assets");
    }
    None
}

/// The detached half of `start`: waits until `start` has recorded its pid, runs the job quietly,
/// and removes the pid file at the end.
pub fn daemon_run(args: &RunArgs) -> anyhow::Result<i32> {
    let mut gate = Vec::new();
    let _ = io::stdin().read_to_end(&mut gate);
    let null = fs::File::open("/dev/null").context("cannot open /dev/null")?;
    nix::unistd::dup2_stdin(null).context("cannot detach standard input")?;
    let pdd = config::absolute(&args.private_data_dir);
    let guard = PidFileGuard { path: pid_file(&pdd), pid: Pid::this() };
    let mut quiet = args.to_request();
    quiet.quiet = true;
    let result = crate::commands::run::run_command(&quiet);
    drop(guard);
    result
}

/// Removes the pid file when the detached job ends, if it still names this process.
struct PidFileGuard {
    path: PathBuf,
    pid: Pid,
}

impl Drop for PidFileGuard {
    fn drop(&mut self) {
        let ours = fs::read_to_string(&self.path).is_ok_and(|text| text.trim() == self.pid.to_string());
        if ours {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// `ansible-runner is-alive`: 0 while the started job runs, 1 otherwise.
pub fn is_alive_command(args: &RunArgs) -> anyhow::Result<i32> {
    let pdd = PrivateDataDir::open_or_create(&args.private_data_dir)?;
    let _ = touch_daemon_log(&pdd.root);
    Ok(match read_pid(&pdd.root)? {
        Some(pid) if runner_alive(pid) => exit::OK,
        _ => exit::FAILURE,
    })
}

/// `ansible-runner stop`: cancels the started job as Ctrl-C would, waits until every process of it
/// is gone, and makes sure its artifacts say `canceled`.
pub fn stop_command(args: &RunArgs) -> anyhow::Result<i32> {
    let pdd = PrivateDataDir::open_or_create(&args.private_data_dir)?;
    let _ = touch_daemon_log(&pdd.root);
    let Some(pid) = read_pid(&pdd.root)? else {
        errln!("ansible-runner: no job started with `start` is running in {} (no pid file)", pdd.root.display());
        return Ok(exit::FAILURE);
    };
    if !runner_alive(pid) {
        let _ = fs::remove_file(pid_file(&pdd.root));
        errln!("ansible-runner: the job in {} had already ended (stale pid file removed)", pdd.root.display());
        return Ok(exit::OK);
    }
    let _ = kill(pid, Signal::SIGTERM);
    let deadline = Instant::now() + STOP_PATIENCE;
    while runner_alive(pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    if runner_alive(pid) {
        // The job did not end in time: kill its processes first, then the runner itself.
        for child in crate::child::descendants(pid) {
            let _ = kill(child, Signal::SIGKILL);
        }
        let _ = kill(pid, Signal::SIGKILL);
        mark_unfinished_canceled(&artifact_root(args, &pdd));
    }
    let _ = fs::remove_file(pid_file(&pdd.root));
    Ok(exit::OK)
}

fn artifact_root(args: &RunArgs, pdd: &PrivateDataDir) -> PathBuf {
    args.output.artifact_dir.as_deref().map_or_else(|| pdd.root.join("artifacts"), config::absolute)
}

/// Writes `canceled`/254 into the newest artifact dir that has no status yet.
fn mark_unfinished_canceled(root: &Path) {
    let Ok(entries) = fs::read_dir(root) else { return };
    let newest = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir() && !e.path().join("status").exists())
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .max();
    if let Some((_, dir)) = newest {
        let _ = artifacts::write_status(&dir, Status::Canceled, runner::RC_TIMEOUT_OR_CANCEL);
    }
}

#[cfg(test)]
mod tests {
    use super::command_position;

    #[test]
    fn finds_the_command_not_an_option_value() {
        let argv: Vec<String> =
            ["--artifact-dir", "start", "start", "/pdd", "-p", "start"].iter().map(|s| (*s).to_owned()).collect();
        assert_eq!(command_position(&argv, "start"), Some(2));
    }
}
