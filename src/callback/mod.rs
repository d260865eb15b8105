//! The embedded Ansible stdout callback and where it is installed for one run: `awx_display.py`
//! (its directory is `ANSIBLE_CALLBACK_PLUGINS`) and the `events` FIFO the plugin writes one JSON
//! record per event into.
//!
//! A local run takes the plugin from the user's cache (`$XDG_CACHE_HOME/ansible-runner/`, else
//! `~/.cache/ansible-runner/`), written once per plugin version: a directory only its owner can
//! write, the file checked byte for byte against the embedded source before each use, so that no
//! job pays for writing it and Python can keep its bytecode. The FIFO is the run's own, under a
//! name nobody can guess in the user's private runtime dir (`$XDG_RUNTIME_DIR/ansible-runner/`,
//! else `<tmp>/ansible-runner-<uid>/`, kept between runs: making and removing a directory per run
//! cost a short job a millisecond on a filesystem that discards freed blocks), and the plugin
//! finds it through `RUNNER_EVENT_CHANNEL`. Where the cache or the runtime dir cannot be used,
//! plugin and FIFO share a private temp dir. A container or sandbox job uses its artifact dir, the
//! one place both sides of the bind mount see, for both. All of a run's own files disappear when
//! it ends.

use std::fs::{self, File};
use std::io::{self, Read};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use nix::fcntl::{self, OFlag};
use nix::sys::stat::Mode;

use crate::artifacts::dir::ArtifactDir;
use crate::job::command_line::EVENT_CHANNEL_VAR;
use crate::supervise::procfs::ProcStat;

/// The plugin's source, shipped inside the binary so the runner needs no Python package.
pub const PLUGIN_SOURCE: &str = include_str!("awx_display.py");

pub struct CallbackInstall {
    root: PathBuf,
    place: Place,
    /// The plugin's directory when it is not `<root>/callback`: the user's cache.
    cached: Option<PathBuf>,
}

/// Where the install lives, and so how it goes.
enum Place {
    /// A local run's FIFO in the user's runtime dir (`root`), unlinked when the run ends.
    Runtime { dir: OwnedFd, fifo: String },
    /// A local run's private temp dir, removed with it.
    Temp { _dir: tempfile::TempDir },
    /// An isolated job's artifact dir, which the job can rewrite: removed through the handle.
    Artifacts(ArtifactDir),
}

impl CallbackInstall {
    /// The plugin from the user's cache and the event FIFO in the user's runtime dir; plugin and
    /// FIFO both in a fresh 0700 temp directory when either cannot be used.
    pub fn create() -> io::Result<Self> {
        let cached = cache_root().and_then(|base| cached_plugin(&base).ok());
        if cached.is_some() {
            let root = runtime_dir();
            if let Ok(place) = runtime_fifo(&root) {
                return Ok(Self { root, place, cached });
            }
        }
        let temp = tempfile::Builder::new().prefix("ansible-runner-").tempdir()?;
        let root = temp.path().to_owned();
        if cached.is_none() {
            write_plugin(&root)?;
        }
        nix::unistd::mkfifo(&root.join("events"), Mode::S_IRUSR | Mode::S_IWUSR).map_err(io::Error::from)?;
        Ok(Self { root, place: Place::Temp { _dir: temp }, cached })
    }

    /// Writes the plugin and creates the event FIFO inside the artifact dir, replacing any left
    /// there by an earlier run.
    pub fn create_in(dir: &ArtifactDir) -> io::Result<Self> {
        let install = Self { root: dir.path().to_owned(), place: Place::Artifacts(dir.clone()), cached: None };
        remove_from(dir)?;
        dir.create_dir("callback")?;
        let plugin_dir = dir.open_dir("callback")?;
        let name = plugin_file_name();
        crate::util::atomic::write_at(
            plugin_dir.as_fd(),
            &name,
            PLUGIN_SOURCE.as_bytes(),
            0o644,
            crate::util::atomic::Durability::Renamed,
        )?;
        dir.make_fifo("events")?;
        Ok(install)
    }

    pub fn plugin_dir(&self) -> PathBuf {
        self.cached.clone().unwrap_or_else(|| self.root.join("callback"))
    }

    pub fn events_path(&self) -> PathBuf {
        match &self.place {
            Place::Runtime { fifo, .. } => self.root.join(fifo),
            _ => self.root.join("events"),
        }
    }

    /// The FIFO's path for the job's environment, when the plugin does not sit beside it.
    pub fn channel_env(&self) -> Option<(&'static str, String)> {
        self.cached.as_ref().map(|_| (EVENT_CHANNEL_VAR, self.events_path().display().to_string()))
    }
}

fn remove_from(dir: &ArtifactDir) -> io::Result<()> {
    dir.remove("callback")?;
    dir.remove("events")
}

impl Drop for CallbackInstall {
    fn drop(&mut self) {
        // Best effort: the run has ended and its status is already written.
        match &self.place {
            Place::Artifacts(dir) => {
                let _ = remove_from(dir);
            }
            Place::Runtime { dir, fifo } => {
                let _ = nix::unistd::unlinkat(dir, fifo.as_str(), nix::unistd::UnlinkatFlags::NoRemoveDir);
            }
            Place::Temp { .. } => {}
        }
    }
}

/// The user's runtime dir for the runner's FIFOs: `$XDG_RUNTIME_DIR/ansible-runner` (a tmpfs
/// made for this), else `ansible-runner-<uid>` in the temp dir.
fn runtime_dir() -> PathBuf {
    match std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from).filter(|path| path.is_absolute()) {
        Some(dir) => dir.join("ansible-runner"),
        None => std::env::temp_dir().join(format!("ansible-runner-{}", nix::unistd::geteuid())),
    }
}

/// A FIFO under a fresh name in the private dir `root` (made if missing; refused when another
/// user owns it or can write it, or it is a symlink). The name carries this runner's pid and start
/// time, so that FIFOs of runners killed before they could unlink theirs are removed here.
fn runtime_fifo(root: &Path) -> io::Result<Place> {
    let dir = private_dir(None, root)?;
    let me = ProcStat::read(nix::unistd::getpid()).ok_or_else(|| io::Error::other("cannot read /proc/self/stat"))?;
    remove_orphaned_fifos(&dir);
    let fifo = format!("events-{}-{}-{}", me.pid, me.start_time, uuid::Uuid::new_v4().simple());
    nix::unistd::mkfifoat(dir.as_fd(), fifo.as_str(), Mode::S_IRUSR | Mode::S_IWUSR).map_err(io::Error::from)?;
    Ok(Place::Runtime { dir, fifo })
}

/// Unlinks the FIFOs in `dir` whose runner is gone (its pid free, or taken by a later process).
fn remove_orphaned_fifos(dir: &OwnedFd) {
    let Ok(fd) = dir.try_clone() else { return };
    let Ok(entries) = nix::dir::Dir::from_fd(fd) else { return };
    for entry in entries.into_iter().flatten() {
        let Some(name) = entry.file_name().to_str().ok().map(str::to_owned) else { continue };
        if fifo_owner(&name).is_some_and(|(pid, start)| ProcStat::read(pid).is_none_or(|p| p.start_time != start)) {
            let _ = nix::unistd::unlinkat(dir, name.as_str(), nix::unistd::UnlinkatFlags::NoRemoveDir);
        }
    }
}

/// The pid and start time in a FIFO name `events-<pid>-<start time>-<random>`.
fn fifo_owner(name: &str) -> Option<(nix::unistd::Pid, u64)> {
    let mut parts = name.strip_prefix("events-")?.split('-');
    let pid = parts.next()?.parse().ok()?;
    Some((nix::unistd::Pid::from_raw(pid), parts.next()?.parse().ok()?))
}

fn plugin_file_name() -> String {
    format!("{}.py", crate::job::command_line::CALLBACK_NAME)
}

fn write_plugin(root: &Path) -> io::Result<()> {
    let plugin_dir = root.join("callback");
    fs::create_dir(&plugin_dir)?;
    fs::write(plugin_dir.join(plugin_file_name()), PLUGIN_SOURCE)
}

/// `$XDG_CACHE_HOME` (when absolute), else `~/.cache`.
fn cache_root() -> Option<PathBuf> {
    let xdg = std::env::var_os("XDG_CACHE_HOME").map(PathBuf::from).filter(|path| path.is_absolute());
    xdg.or_else(|| {
        std::env::var_os("HOME").map(PathBuf::from).filter(|home| home.is_absolute()).map(|h| h.join(".cache"))
    })
}

/// The plugin's directory in the cache under `base`, made or mended as needed:
/// `ansible-runner/callback-<version>-<digest>/awx_display.py`. Every directory on the way from
/// `ansible-runner` down must be the runner's user's and writable by nobody else, and the file
/// must hold exactly the embedded source; otherwise the cache is not used (an error).
fn cached_plugin(base: &Path) -> io::Result<PathBuf> {
    fs::create_dir_all(base)?;
    let top = base.join("ansible-runner");
    let top_fd = private_dir(None, &top)?;
    let name = format!("callback-{}-{:016x}", env!("CARGO_PKG_VERSION"), fnv1a(PLUGIN_SOURCE.as_bytes()));
    let dir_fd = private_dir(Some(&top_fd), Path::new(&name))?;
    let file = plugin_file_name();
    if !holds_plugin(&dir_fd, &file) {
        crate::util::atomic::write_at(
            dir_fd.as_fd(),
            &file,
            PLUGIN_SOURCE.as_bytes(),
            0o600,
            crate::util::atomic::Durability::Renamed,
        )?;
    }
    Ok(top.join(name))
}

/// Opens (creating it 0700 if missing) a directory that must be the runner's user's and not
/// writable by group or others, never through a symlink.
fn private_dir(parent: Option<&OwnedFd>, path: &Path) -> io::Result<OwnedFd> {
    let mode = Mode::from_bits_truncate(0o700);
    let made = match parent {
        Some(dir) => nix::sys::stat::mkdirat(dir.as_fd(), path, mode),
        None => nix::unistd::mkdir(path, mode),
    };
    match made {
        Ok(()) | Err(nix::errno::Errno::EEXIST) => {}
        Err(err) => return Err(err.into()),
    }
    let flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    let fd = match parent {
        Some(dir) => fcntl::openat(dir.as_fd(), path, flags, Mode::empty())?,
        None => fcntl::open(path, flags, Mode::empty())?,
    };
    owned_privately(&File::from(fd.try_clone()?).metadata()?)?;
    Ok(fd)
}

fn owned_privately(meta: &fs::Metadata) -> io::Result<()> {
    if meta.uid() != nix::unistd::geteuid().as_raw() || meta.mode() & 0o022 != 0 {
        return Err(io::Error::new(io::ErrorKind::PermissionDenied, "not private to this user"));
    }
    Ok(())
}

/// Whether `name` in `dir` is a regular file of this user's, writable by nobody else, holding
/// exactly the embedded plugin.
fn holds_plugin(dir: &OwnedFd, name: &str) -> bool {
    let flags = OFlag::O_RDONLY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    let Ok(fd) = fcntl::openat(dir.as_fd(), name, flags, Mode::empty()) else { return false };
    let mut file = File::from(fd);
    let Ok(meta) = file.metadata() else { return false };
    if !meta.is_file() || owned_privately(&meta).is_err() || meta.len() != PLUGIN_SOURCE.len() as u64 {
        return false;
    }
    let mut held = Vec::with_capacity(PLUGIN_SOURCE.len());
    file.read_to_end(&mut held).is_ok() && held == PLUGIN_SOURCE.as_bytes()
}

/// FNV-1a, 64 bits: names the plugin's version in the cache (a name, not a security check: the
/// content itself is compared before each use).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};

    fn plugin_in(dir: &Path) -> PathBuf {
        dir.join(plugin_file_name())
    }

    /// A directory at `path` that everyone can write: what a private dir must refuse.
    fn open_to_all(path: &Path) {
        fs::create_dir(path).unwrap();
        fs::set_permissions(path, fs::Permissions::from_mode(0o777)).unwrap();
    }

    #[test]
    fn the_cache_is_made_private_and_reused() {
        let base = tempfile::tempdir().unwrap();
        let first = cached_plugin(base.path()).unwrap();
        assert_eq!(fs::read_to_string(plugin_in(&first)).unwrap(), PLUGIN_SOURCE);
        for dir in [base.path().join("ansible-runner"), first.clone()] {
            assert_eq!(fs::metadata(&dir).unwrap().mode() & 0o777, 0o700, "{}", dir.display());
        }
        let written = fs::metadata(plugin_in(&first)).unwrap().modified().unwrap();
        assert_eq!(cached_plugin(base.path()).unwrap(), first);
        assert_eq!(fs::metadata(plugin_in(&first)).unwrap().modified().unwrap(), written, "rewritten");
    }

    #[test]
    fn a_changed_plugin_is_put_back() {
        let base = tempfile::tempdir().unwrap();
        let dir = cached_plugin(base.path()).unwrap();
        fs::write(plugin_in(&dir), "import os; os.system('evil')\n").unwrap();
        assert_eq!(cached_plugin(base.path()).unwrap(), dir);
        assert_eq!(fs::read_to_string(plugin_in(&dir)).unwrap(), PLUGIN_SOURCE);
        // A symlink in its place is replaced, not followed.
        let elsewhere = base.path().join("elsewhere.py");
        fs::write(&elsewhere, PLUGIN_SOURCE).unwrap();
        fs::remove_file(plugin_in(&dir)).unwrap();
        std::os::unix::fs::symlink(&elsewhere, plugin_in(&dir)).unwrap();
        cached_plugin(base.path()).unwrap();
        assert!(fs::symlink_metadata(plugin_in(&dir)).unwrap().is_file());
    }

    #[test]
    fn a_cache_others_can_write_or_a_symlinked_one_is_not_used() {
        let base = tempfile::tempdir().unwrap();
        let top = base.path().join("ansible-runner");
        open_to_all(&top);
        assert!(cached_plugin(base.path()).is_err());
        fs::remove_dir(&top).unwrap();
        let other = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(other.path(), &top).unwrap();
        assert!(cached_plugin(base.path()).is_err());
        assert_eq!(fs::read_dir(other.path()).unwrap().count(), 0, "wrote through the symlink");
    }

    #[test]
    fn the_fifo_goes_in_a_private_runtime_dir_and_goes_with_the_run() {
        let base = tempfile::tempdir().unwrap();
        let root = base.path().join("ansible-runner-test");
        let place = runtime_fifo(&root).unwrap();
        let install = CallbackInstall { root: root.clone(), place, cached: Some(base.path().to_owned()) };
        let fifo = install.events_path();
        assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo(), "{}", fifo.display());
        assert_eq!(fs::metadata(&root).unwrap().mode() & 0o777, 0o700);
        assert_eq!(install.channel_env().unwrap().1, fifo.display().to_string());
        drop(install);
        assert!(!fifo.exists(), "the FIFO outlived its run");
        assert!(root.is_dir(), "the runtime dir is kept for the next run");
    }

    #[test]
    fn a_runtime_dir_others_can_write_or_a_symlinked_one_is_not_used() {
        let base = tempfile::tempdir().unwrap();
        let open = base.path().join("open");
        open_to_all(&open);
        assert!(runtime_fifo(&open).is_err());
        let link = base.path().join("link");
        let private = base.path().join("private");
        fs::create_dir(&private).unwrap();
        std::os::unix::fs::symlink(&private, &link).unwrap();
        assert!(runtime_fifo(&link).is_err());
        assert_eq!(fs::read_dir(&open).unwrap().count() + fs::read_dir(&private).unwrap().count(), 0);
    }

    #[test]
    fn fifos_of_runners_that_are_gone_are_removed_and_live_ones_kept() {
        let root = tempfile::tempdir().unwrap();
        let me = ProcStat::read(nix::unistd::getpid()).unwrap();
        let live = format!("events-{}-{}-a", me.pid, me.start_time);
        let reused = format!("events-{}-{}-b", me.pid, me.start_time + 1);
        let gone = format!("events-{}-{}-c", i32::MAX, me.start_time);
        for name in [&live, &reused, &gone, &"unrelated".to_owned()] {
            nix::unistd::mkfifo(&root.path().join(name), Mode::S_IRWXU).unwrap();
        }
        let place = runtime_fifo(root.path()).unwrap();
        let mut left: Vec<_> = fs::read_dir(root.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        left.sort();
        let Place::Runtime { fifo, .. } = place else { panic!("not a runtime FIFO") };
        let mut expected: Vec<std::ffi::OsString> = vec![fifo.into(), live.into(), "unrelated".into()];
        expected.sort();
        assert_eq!(left, expected);
    }
}
