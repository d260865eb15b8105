//! A run's artifact dir, held open. An isolated job sees its artifact dir (it is mounted into the
//! container or bound into the sandbox) and can rewrite it: replace `artifacts/<ident>` with a
//! symlink to a host dir, or put symlinks at the names the runner uses. Everything the runner does
//! there goes through this handle, opened before the job starts, relative to it (`openat`,
//! `unlinkat`, `renameat`, `O_NOFOLLOW`), so no path the job can rewrite is resolved again.

use std::ffi::CString;
use std::fs::File;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use nix::errno::Errno;
use nix::fcntl::{self, OFlag};
use nix::sys::stat::{self, Mode};
use nix::unistd::{self, UnlinkatFlags};

use crate::util::atomic::{self, Durability};

/// Deeper trees are not removed: each level holds a descriptor.
const MAX_DEPTH: usize = 128;

/// The open artifact dir; clones share the descriptor.
#[derive(Clone, Debug)]
pub struct ArtifactDir {
    path: PathBuf,
    fd: Arc<OwnedFd>,
}

impl ArtifactDir {
    /// Creates `path` (0700, with its parents) if needed and opens it.
    pub fn create(path: &Path) -> io::Result<Self> {
        crate::util::fs::create_dir_private(path)?;
        Self::open(path)
    }

    /// Opens an existing dir; a symlink in its place is refused (`ELOOP`).
    pub fn open(path: &Path) -> io::Result<Self> {
        let flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
        let fd = fcntl::openat(fcntl::AT_FDCWD, path, flags, Mode::empty())?;
        Ok(Self { path: path.to_owned(), fd: Arc::new(fd) })
    }

    /// The path it was opened by, for messages and for the job's command line.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A path to the dir as it was opened, whatever has since been moved or linked in its place:
    /// for code that can only take a path (packing the artifacts into a stream).
    pub fn held_path(&self) -> PathBuf {
        PathBuf::from(format!("/proc/self/fd/{}", self.fd.as_raw_fd()))
    }

    pub fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    /// Writes `name` so that readers see the old content or the whole new one: a temp file renamed
    /// over it, removed if anything fails.
    pub fn write_atomic(&self, name: &str, bytes: &[u8], mode: u32) -> io::Result<()> {
        atomic::write_at(self.fd(), name, bytes, mode, Durability::Renamed)
    }

    /// Creates (or truncates, or with `append` extends) the regular file `name`.
    pub fn create_file(&self, name: &str, mode: u32, append: bool) -> io::Result<File> {
        let tail = if append { OFlag::O_APPEND } else { OFlag::O_TRUNC };
        let flags = OFlag::O_WRONLY | OFlag::O_CREAT | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC | tail;
        Ok(File::from(fcntl::openat(self.fd(), name, flags, Mode::from_bits_truncate(mode))?))
    }

    /// An unnamed file in the dir (`O_TMPFILE`), to be named later by `link`.
    pub fn unnamed_file(&self) -> io::Result<File> {
        atomic::unnamed_file(self.fd(), 0o600)
    }

    /// Gives an unnamed file of this dir the name `name`.
    pub fn link(&self, file: &File, name: &str) -> io::Result<()> {
        atomic::link(file, self.fd(), name)
    }

    pub fn create_dir(&self, name: &str) -> io::Result<()> {
        Ok(stat::mkdirat(self.fd(), name, Mode::from_bits_truncate(0o700))?)
    }

    /// Opens the dir `name` inside; a symlink there is refused.
    pub fn open_dir(&self, name: &str) -> io::Result<File> {
        let flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
        Ok(File::from(fcntl::openat(self.fd(), name, flags, Mode::empty())?))
    }

    pub fn make_fifo(&self, name: &str) -> io::Result<()> {
        Ok(unistd::mkfifoat(self.fd(), name, Mode::S_IRUSR | Mode::S_IWUSR)?)
    }

    /// Removes `name` whatever it is (a symlink itself, never what it points to); gone is fine.
    pub fn remove(&self, name: &str) -> io::Result<()> {
        remove_at(self.fd(), name, 0)
    }
}

/// Removes `name` in `dir`, a dir with everything in it, walking by descriptors.
fn remove_at(dir: BorrowedFd<'_>, name: &str, depth: usize) -> io::Result<()> {
    match unistd::unlinkat(dir, name, UnlinkatFlags::NoRemoveDir) {
        Ok(()) | Err(Errno::ENOENT) => return Ok(()),
        Err(Errno::EISDIR) if depth < MAX_DEPTH => {}
        Err(err) => return Err(err.into()),
    }
    let flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    let mut inner = nix::dir::Dir::from_fd(fcntl::openat(dir, name, flags, Mode::empty())?)?;
    let names: Vec<CString> = inner
        .iter()
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_owned())
        .filter(|entry| entry.as_bytes() != b"." && entry.as_bytes() != b"..")
        .collect();
    for entry in names {
        let entry = entry.to_str().map_err(io::Error::other)?;
        remove_at(inner.as_fd(), entry, depth + 1)?;
    }
    match unistd::unlinkat(dir, name, UnlinkatFlags::RemoveDir) {
        Ok(()) | Err(Errno::ENOENT) => Ok(()),
        Err(err) => Err(err.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn nothing_is_followed_through_a_swapped_dir_or_planted_links() {
        let root = tempfile::tempdir().unwrap();
        let (dir, victim) = (root.path().join("run"), root.path().join("victim"));
        let handle = ArtifactDir::create(&dir).unwrap();
        handle.create_dir("callback").unwrap();
        fs::write(dir.join("callback/plugin.py"), "x").unwrap();
        fs::create_dir(&victim).unwrap();
        fs::write(victim.join("keep"), "host").unwrap();
        std::os::unix::fs::symlink(&victim, dir.join("callback/link")).unwrap();
        fs::rename(&dir, root.path().join("moved")).unwrap();
        std::os::unix::fs::symlink(&victim, &dir).unwrap();
        handle.remove("callback").unwrap();
        handle.write_atomic("status", b"failed", 0o600).unwrap();
        assert_eq!(fs::read_to_string(victim.join("keep")).unwrap(), "host");
        assert!(!victim.join("status").exists());
        assert_eq!(fs::read_to_string(root.path().join("moved/status")).unwrap(), "failed");
        assert!(!root.path().join("moved/callback").exists());
        assert!(ArtifactDir::open(&dir).is_err(), "a symlink in place of the dir is refused");
    }
}
