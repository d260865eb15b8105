//! Process isolation in a bubblewrap sandbox (any `--process-isolation-executable` other than
//! podman and docker), in the Python tool's layout: read-only system dirs, an empty `/tmp`, the
//! private data dir and the show paths writable, hidden paths covered by empty stand-ins, and
//! optionally the project run from a copy. The argv is a pure function of a `Layout`; `prepare`
//! makes the stand-ins and the copy, and removes them when dropped.

use std::fs;
use std::io;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::job::command_line::CommandLine;
use crate::job::isolation::Sandbox;
use crate::job::JobSpec;

/// What every sandbox gets, before the job's own binds.
const SYSTEM_LAYOUT: [&str; 27] = [
    "--die-with-parent",
    "--unshare-pid",
    "--dev-bind",
    "/dev",
    "dev",
    "--proc",
    "/proc",
    "--dir",
    "/tmp",
    "--ro-bind",
    "/bin",
    "/bin",
    "--ro-bind",
    "/etc",
    "/etc",
    "--ro-bind",
    "/usr",
    "/usr",
    "--ro-bind",
    "/opt",
    "/opt",
    "--symlink",
    "usr/lib",
    "/lib",
    "--symlink",
    "usr/lib64",
    "/lib64",
];

/// The binds of one job's sandbox, every path real and sorted.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// (empty stand-in, hidden path)
    pub hidden: Vec<(PathBuf, PathBuf)>,
    pub read_only: Vec<PathBuf>,
    pub writable: Vec<PathBuf>,
    /// The job's working directory inside the sandbox.
    pub chdir: PathBuf,
    /// Where the sandbox program itself starts.
    pub engine_cwd: PathBuf,
}

/// The sandbox program's command line around `inner` (the local command line).
pub fn wrap(executable: &str, layout: &Layout, inner: &CommandLine) -> CommandLine {
    let text = |path: &Path| path.display().to_string();
    let mut argv = vec![executable.to_owned()];
    argv.extend(SYSTEM_LAYOUT.map(str::to_owned));
    for (stand_in, hidden) in &layout.hidden {
        argv.extend(["--bind".to_owned(), text(stand_in), text(hidden)]);
    }
    for path in &layout.read_only {
        argv.extend(["--ro-bind".to_owned(), text(path), text(path)]);
    }
    for path in &layout.writable {
        argv.extend(["--bind".to_owned(), text(path), text(path)]);
    }
    argv.extend(["--chdir".to_owned(), text(&layout.chdir)]);
    argv.extend(inner.command.iter().cloned());
    CommandLine { command: argv, cwd: layout.engine_cwd.clone(), env: inner.env.clone() }
}

/// A sandbox made ready on disk; its stand-ins and project copy go when it is dropped.
pub struct Prepared {
    pub layout: Layout,
    _stand_ins: tempfile::TempDir,
    _copy: Option<tempfile::TempDir>,
}

/// Makes the hidden paths' stand-ins and, with a directory isolation base path, the project copy.
/// `agent_dir` (the dir of the job's ssh-agent socket) is bound in too. The copy ends early, with
/// an `Interrupted` error, as soon as `stop` says so (the job timed out or was canceled).
pub fn prepare(
    sandbox: &Sandbox,
    spec: &JobSpec,
    inner: &CommandLine,
    agent_dir: Option<&Path>,
    stop: &dyn Fn() -> bool,
) -> io::Result<Prepared> {
    fs::create_dir_all(&sandbox.path)?;
    let stand_ins = tempfile::Builder::new().prefix("ansible_runner_pi_").tempdir_in(&sandbox.path)?;
    let mut hidden = Vec::new();
    for (index, path) in real(&sandbox.hide_paths).into_iter().enumerate() {
        let stand_in = stand_ins.path().join(format!("tmp{index}"));
        if path.is_dir() {
            fs::DirBuilder::new().mode(0o700).create(&stand_in)?;
        } else {
            fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&stand_in)?;
        }
        hidden.push((stand_in, path));
    }
    let mut writable: Vec<String> = sandbox.show_paths.clone();
    writable.push(spec.pdd.root.display().to_string());
    writable.push(spec.artifact_dir().display().to_string());
    writable.extend(agent_dir.map(|dir| dir.display().to_string()));
    let mut writable = real(&writable);
    let pdd = spec.pdd.root.canonicalize()?;
    writable.retain(|path| *path == pdd || !path.starts_with(&pdd));
    let (mut chdir, mut engine_cwd, mut copy) = (inner.cwd.clone(), inner.cwd.clone(), None);
    if let Some(base) = sandbox.directory_isolation_base_path.as_deref().filter(|_| inner.cwd == spec.project_dir) {
        fs::create_dir_all(base)?;
        // Owner only, as the project itself may be: the copy can hold its secrets.
        let made = tempfile::Builder::new()
            .prefix("runner_di_")
            .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700))
            .tempdir_in(base)?;
        copy_tree(&spec.project_dir, made.path(), stop)?;
        (chdir, engine_cwd, copy) = (made.path().to_owned(), base.to_owned(), Some(made));
    }
    let read_only = real(&sandbox.ro_paths);
    // The Python tool binds nothing for the copy, so a copy outside the visible dirs (under
    // `/tmp`, say) is not there in the sandbox; bind it then.
    let visible = |path: &Path| {
        ["/bin", "/etc", "/usr", "/opt"].iter().any(|dir| path.starts_with(dir))
            || read_only.iter().chain(&writable).any(|dir| path.starts_with(dir))
    };
    if copy.is_some() && !visible(&chdir) {
        writable.push(chdir.clone());
        writable.sort();
    }
    let layout = Layout { hidden, read_only, writable, chdir, engine_cwd };
    Ok(Prepared { layout, _stand_ins: stand_ins, _copy: copy })
}

/// The paths that exist, resolved, sorted and without repeats; the others are skipped, as the
/// Python tool skips them.
fn real(paths: &[String]) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = paths.iter().filter_map(|path| Path::new(path).canonicalize().ok()).collect();
    found.sort();
    found.dedup();
    found
}

fn copy_tree(from: &Path, to: &Path, stop: &dyn Fn() -> bool) -> io::Result<()> {
    for entry in walkdir::WalkDir::new(from).min_depth(1) {
        let entry = entry.map_err(io::Error::other)?;
        stopping(stop)?;
        let relative = entry.path().strip_prefix(from).map_err(io::Error::other)?;
        let target = to.join(relative);
        let kind = entry.file_type();
        if kind.is_dir() {
            fs::create_dir(&target)?;
        } else if kind.is_symlink() {
            std::os::unix::fs::symlink(fs::read_link(entry.path())?, &target)?;
        } else if kind.is_file() {
            copy_file(entry.path(), &target, stop)?;
        } else {
            // Opening a FIFO blocks until a writer comes; a socket or device is no project file.
            return Err(special_file(entry.path()));
        }
    }
    Ok(())
}

/// Copies a regular file, opened without blocking and without following a link, so that one
/// swapped for a FIFO after the walk looked at it cannot hang the copy.
fn copy_file(from: &Path, to: &Path, stop: &dyn Fn() -> bool) -> io::Result<()> {
    let mut source =
        fs::OpenOptions::new().read(true).custom_flags(nix::libc::O_NONBLOCK | nix::libc::O_NOFOLLOW).open(from)?;
    let meta = source.metadata()?;
    if !meta.is_file() {
        return Err(special_file(from));
    }
    let mut target = fs::OpenOptions::new().write(true).create_new(true).mode(meta.permissions().mode()).open(to)?;
    let mut buf = vec![0u8; COPY_CHUNK];
    loop {
        stopping(stop)?;
        let n = io::Read::read(&mut source, &mut buf)?;
        if n == 0 {
            return target.set_permissions(meta.permissions());
        }
        io::Write::write_all(&mut target, &buf[..n])?;
    }
}

/// How much of a file is copied between two looks at `stop`: a large file cannot hold a timeout.
const COPY_CHUNK: usize = 1 << 20;

/// `Interrupted` once the job must stop: the copy is abandoned (and removed with its temp dir).
fn stopping(stop: &dyn Fn() -> bool) -> io::Result<()> {
    if stop() {
        return Err(io::Error::new(io::ErrorKind::Interrupted, "the project copy was stopped"));
    }
    Ok(())
}

fn special_file(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "{}: not a regular file, dir or symlink (a FIFO, socket or device); the project copy refuses it",
            path.display()
        ),
    )
}
