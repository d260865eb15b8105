//! The one way a final file is written: whole or not at all. The bytes go to a temp file beside the
//! target (`.<name>.tmp`, created exclusively and never through a symlink), which is renamed over
//! the target; when anything fails the temp file is removed, so a full disk leaves no debris and a
//! reader sees the old content or the whole new one. A file that is new (an event file) is written
//! unnamed instead, and named once whole.

use std::fs::File;
use std::io::{self, Write};
use std::os::fd::{AsFd, BorrowedFd};
use std::path::Path;

use nix::fcntl::{self, OFlag};
use nix::sys::stat::Mode;
use nix::unistd::{self, UnlinkatFlags};

/// Whether the new content must survive a crash of the machine, not just of the runner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// Renamed without waiting for the disk: artifacts, event files and inputs, which the run that
    /// writes them reads back or rewrites, and which a crash of the machine would cut short anyway.
    Renamed,
    /// Synced to disk before the rename: reports that other tools (a CI server, Prometheus) read
    /// later as the run's last word, and that must not come back empty after a power loss.
    Synced,
}

/// Writes `name` in the open directory `dir`.
pub fn write_at(dir: BorrowedFd<'_>, name: &str, bytes: &[u8], mode: u32, durability: Durability) -> io::Result<()> {
    let temp = format!(".{name}.tmp");
    let flags = OFlag::O_WRONLY | OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    let create = || fcntl::openat(dir, temp.as_str(), flags, Mode::from_bits_truncate(mode));
    let fd = match create() {
        // A temp name left by a killed run (or planted) is replaced, never followed.
        Err(nix::errno::Errno::EEXIST) => {
            let _ = unistd::unlinkat(dir, temp.as_str(), UnlinkatFlags::NoRemoveDir);
            create()?
        }
        created => created?,
    };
    let mut file = File::from(fd);
    let written = file.write_all(bytes).and_then(|()| match durability {
        Durability::Synced => file.sync_all(),
        Durability::Renamed => Ok(()),
    });
    drop(file);
    let renamed = written.and_then(|()| Ok(fcntl::renameat(dir, temp.as_str(), dir, name)?));
    if renamed.is_err() {
        let _ = unistd::unlinkat(dir, temp.as_str(), UnlinkatFlags::NoRemoveDir);
    }
    renamed
}

/// Writes `name`, new in `dir`, as an unnamed file (`O_TMPFILE`) that gets its name once whole: one
/// directory entry made instead of a temp name made, looked up and renamed. Event files are
/// written thousands per run, and a filesystem that scans its directories (ext4 without an index)
/// pays for each lookup. Where unnamed files are not supported, or the name is taken, [`write_at`].
pub fn write_new_at(dir: BorrowedFd<'_>, name: &str, bytes: &[u8], mode: u32) -> io::Result<()> {
    let Ok(mut file) = unnamed_file(dir, mode) else {
        return write_at(dir, name, bytes, mode, Durability::Renamed);
    };
    file.write_all(bytes)?;
    link(&file, dir, name).or_else(|_| write_at(dir, name, bytes, mode, Durability::Renamed))
}

/// An unnamed file in `dir` (`O_TMPFILE`): gone with its descriptor unless [`link`] names it.
pub fn unnamed_file(dir: BorrowedFd<'_>, mode: u32) -> io::Result<File> {
    let flags = OFlag::O_WRONLY | OFlag::O_TMPFILE | OFlag::O_CLOEXEC;
    Ok(File::from(fcntl::openat(dir, ".", flags, Mode::from_bits_truncate(mode))?))
}

/// Gives an unnamed file of `dir` the name `name` (refused if the name is taken).
pub fn link(file: &File, dir: BorrowedFd<'_>, name: &str) -> io::Result<()> {
    let unnamed = format!("/proc/self/fd/{}", std::os::fd::AsRawFd::as_raw_fd(file));
    Ok(unistd::linkat(fcntl::AT_FDCWD, unnamed.as_str(), dir, name, fcntl::AtFlags::AT_SYMLINK_FOLLOW)?)
}

/// Writes the file at `path` (its directory must exist).
pub fn write(path: &Path, bytes: &[u8], mode: u32, durability: Durability) -> io::Result<()> {
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .and_then(|name| name.to_str())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, format!("{} names no file", path.display())))?;
    let flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC;
    let dir = fcntl::open(dir, flags, Mode::empty())?;
    write_at(dir.as_fd(), name, bytes, mode, durability)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn replaces_the_whole_file_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rc");
        write(&path, b"0", 0o600, Durability::Renamed).unwrap();
        write(&path, b"254", 0o600, Durability::Synced).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "254");
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_new_file_appears_whole_and_a_taken_name_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let handle = File::open(dir.path()).unwrap();
        write_new_at(handle.as_fd(), "1-a.json", b"{}", 0o600).unwrap();
        assert_eq!(std::fs::read_to_string(dir.path().join("1-a.json")).unwrap(), "{}");
        assert_eq!(std::fs::metadata(dir.path().join("1-a.json")).unwrap().permissions().mode() & 0o777, 0o600);
        write_new_at(handle.as_fd(), "1-a.json", b"[]", 0o600).unwrap();
        assert_eq!(std::fs::read_to_string(dir.path().join("1-a.json")).unwrap(), "[]");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_planted_temp_symlink_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere");
        std::fs::write(&target, "kept").unwrap();
        std::os::unix::fs::symlink(&target, dir.path().join(".status.tmp")).unwrap();
        write(&dir.path().join("status"), b"failed", 0o600, Durability::Renamed).unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "kept");
        assert!(!dir.path().join(".status.tmp").exists(), "the planted temp name is left behind");
        assert_eq!(std::fs::read_to_string(dir.path().join("status")).unwrap(), "failed");
    }
}
