//! Unpacking a received zip into a directory, refusing anything that would reach outside it.
//!
//! Every path is walked component by component from a directory descriptor of the destination with
//! `O_NOFOLLOW`, so neither a symlink from the archive nor one already on disk can redirect a write,
//! chmod or utime. Symlinks that the archive creates must stay inside the destination.

use std::ffi::{OsStr, OsString};
use std::fs::{self, File};
use std::io::{self, Read};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use chrono::{Local, NaiveDate, TimeZone};
use nix::errno::Errno;
use nix::fcntl::{openat, AtFlags, OFlag};
use nix::sys::stat::{fstatat, mkdirat, Mode, SFlag};
use nix::unistd::{symlinkat, unlinkat, UnlinkatFlags};
use zip::read::ZipFile;
use zip::result::ZipError;
use zip::ZipArchive;

/// Longest symlink target accepted (Linux `PATH_MAX` includes the NUL).
const MAX_LINK_TARGET: u64 = 4095;
const S_IFMT: u32 = 0o170_000;
const S_IFLNK: u32 = 0o120_000;

/// What an extraction produced.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ExtractSummary {
    pub files: u64,
    pub dirs: u64,
    pub symlinks: u64,
    /// Entries left alone: an existing directory at their place, or an existing FIFO (removed, as the
    /// reference does, so a stale `ssh_key_data` pipe never blocks a later reader).
    pub skipped: u64,
}

/// Why an entry is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("absolute path")]
    Absolute,
    #[error("`..` in the path")]
    ParentDir,
    #[error("NUL byte in the path")]
    Nul,
    #[error("empty path")]
    Empty,
    #[error("path passes through the symlink {0:?}")]
    ThroughSymlink(String),
    #[error("symlink target {0:?} is absolute")]
    AbsoluteTarget(String),
    #[error("symlink target {0:?} points outside the destination")]
    EscapingTarget(String),
    /// `a/..` can leave the tree when `a` is itself a link, which a lexical check cannot see.
    #[error("symlink target {0:?} has `..` after a directory name")]
    DotDotAfterName(String),
    #[error("symlink target is empty, longer than {MAX_LINK_TARGET} bytes or contains NUL")]
    BadTarget,
}

/// Why an extraction stopped.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("not a readable zip archive: {0}")]
    Archive(#[from] ZipError),
    #[error("refusing zip entry {name:?}: {reason}")]
    Refused { name: String, reason: Refusal },
    #[error("cannot create or open the destination {}: {source}", path.display())]
    Dest {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot extract zip entry {name:?} under {}: {source}", dest.display())]
    Io {
        name: String,
        dest: PathBuf,
        #[source]
        source: io::Error,
    },
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Dir,
    File,
    Symlink,
}

/// A directory created from an entry: its mode and time are applied at the end, so a read-only
/// directory can still be filled and later entries do not bump its mtime.
struct PendingDir {
    parts: Vec<OsString>,
    mode: u32,
    mtime: Option<SystemTime>,
}

/// Extracts the zip in `file` into `dest` (created if missing).
///
/// Semantics (the reference's, hardened): absolute names, `..` components and names passing through
/// any symlink are refused; symlink entries become real symlinks only if their target is relative and
/// stays inside `dest`; modes are masked to `0o777` (archives without Unix modes give `0o644`/`0o755`);
/// mtimes come from the zip (local time). At the target path an existing symlink or file is replaced, an
/// existing FIFO is removed and the entry skipped, an existing directory is kept as is. The first refused
/// entry stops the extraction with an error; entries before it stay extracted.
///
/// # Errors
/// [`ExtractError`]: an unreadable archive, a refused entry (naming it), or a filesystem failure.
pub fn extract_zip(file: File, dest: &Path) -> Result<ExtractSummary, ExtractError> {
    let mut archive = ZipArchive::new(file)?;
    let dest_err = |source| ExtractError::Dest { path: dest.to_path_buf(), source };
    fs::create_dir_all(dest).map_err(dest_err)?;
    let root =
        openat(nix::fcntl::AT_FDCWD, dest, OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC, Mode::empty())
            .map_err(|errno| dest_err(errno.into()))?;
    let mut extractor = Extractor { root, dest, summary: ExtractSummary::default(), pending: Vec::new() };
    for index in 0..archive.len() {
        extractor.entry(&mut archive.by_index(index)?)?;
    }
    extractor.finish_dirs()
}

struct Extractor<'a> {
    root: OwnedFd,
    dest: &'a Path,
    summary: ExtractSummary,
    pending: Vec<PendingDir>,
}

impl Extractor<'_> {
    fn entry(&mut self, entry: &mut ZipFile<'_, File>) -> Result<(), ExtractError> {
        let raw = entry.name_raw().to_vec();
        let name = String::from_utf8_lossy(&raw).into_owned();
        let refused = |reason| ExtractError::Refused { name: name.clone(), reason };
        let io_err = |source| ExtractError::Io { name: name.clone(), dest: self.dest.to_path_buf(), source };

        let (kind, mode) = kind_and_mode(&raw, entry.external_attributes() >> 16);
        let parts = split_name(&raw).map_err(refused)?;
        let Some((last, parents)) = parts.split_last() else {
            // "./" names the destination itself, which is left as it is.
            return if kind == Kind::Dir { Ok(()) } else { Err(refused(Refusal::Empty)) };
        };
        let mut target = Vec::new();
        if kind == Kind::Symlink {
            if entry.size() > MAX_LINK_TARGET {
                return Err(refused(Refusal::BadTarget));
            }
            entry.by_ref().take(MAX_LINK_TARGET + 1).read_to_end(&mut target).map_err(io_err)?;
            check_link_target(&target, parents.len()).map_err(refused)?;
        }
        let mtime = entry.last_modified().and_then(zip_to_system_time);

        let parent = open_dirs(&self.root, parents, true).map_err(|err| err.into_extract(&name, self.dest))?;
        if !make_room(&parent, last).map_err(|errno| io_err(errno.into()))? {
            self.summary.skipped += 1;
            return Ok(());
        }

        match kind {
            Kind::Dir => {
                mkdirat(&parent, *last, Mode::S_IRWXU).map_err(|e| io_err(e.into()))?;
                let parts = parts.iter().map(|p| p.to_os_string()).collect();
                self.pending.push(PendingDir { parts, mode, mtime });
                self.summary.dirs += 1;
            }
            Kind::Symlink => {
                symlinkat(OsStr::from_bytes(&target), &parent, *last).map_err(|e| io_err(e.into()))?;
                self.summary.symlinks += 1;
            }
            Kind::File => {
                let flags = OFlag::O_WRONLY | OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
                let fd = openat(&parent, *last, flags, Mode::S_IRUSR | Mode::S_IWUSR).map_err(|e| io_err(e.into()))?;
                let mut out = File::from(fd);
                io::copy(entry, &mut out).map_err(io_err)?;
                finish_node(&out, mode, mtime).map_err(io_err)?;
                self.summary.files += 1;
            }
        }
        Ok(())
    }

    /// Applies directory modes and times, deepest first, so a directory stays writable and searchable
    /// while its children are finished.
    fn finish_dirs(mut self) -> Result<ExtractSummary, ExtractError> {
        self.pending.sort_by_key(|dir| std::cmp::Reverse(dir.parts.len()));
        for dir in &self.pending {
            let parts: Vec<&OsStr> = dir.parts.iter().map(OsString::as_os_str).collect();
            let name = parts.iter().map(|p| p.to_string_lossy()).collect::<Vec<_>>().join("/") + "/";
            let fd = open_dirs(&self.root, &parts, false).map_err(|err| err.into_extract(&name, self.dest))?;
            finish_node(&File::from(fd), dir.mode, dir.mtime).map_err(|source| ExtractError::Io {
                name,
                dest: self.dest.to_path_buf(),
                source,
            })?;
        }
        Ok(self.summary)
    }
}

fn finish_node(file: &File, mode: u32, mtime: Option<SystemTime>) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(mode))?;
    if let Some(time) = mtime {
        file.set_times(fs::FileTimes::new().set_accessed(time).set_modified(time))?;
    }
    Ok(())
}

/// What an entry is, from its name and the Unix mode in its attributes, and the permission bits it
/// gets (setuid, setgid and sticky bits are dropped; entries without a mode get the usual ones).
fn kind_and_mode(raw: &[u8], attr_mode: u32) -> (Kind, u32) {
    let kind = if raw.ends_with(b"/") {
        Kind::Dir
    } else if attr_mode & S_IFMT == S_IFLNK {
        Kind::Symlink
    } else {
        Kind::File
    };
    let mode = match (attr_mode, kind) {
        (0, Kind::Dir) => 0o755,
        (0, _) => 0o644,
        (mode, _) => mode & 0o777,
    };
    (kind, mode)
}

/// Clears the place of `name` in `parent` for a new entry, never following a link. Returns false
/// when the entry is to be skipped: an existing directory is kept (its contents merge), and a FIFO
/// is removed but not replaced.
fn make_room(parent: &OwnedFd, name: &OsStr) -> nix::Result<bool> {
    match fstatat(parent, name, AtFlags::AT_SYMLINK_NOFOLLOW) {
        Ok(stat) => {
            let file_type = SFlag::from_bits_truncate(stat.st_mode) & SFlag::S_IFMT;
            if file_type == SFlag::S_IFDIR {
                return Ok(false);
            }
            unlinkat(parent, name, UnlinkatFlags::NoRemoveDir)?;
            Ok(file_type != SFlag::S_IFIFO)
        }
        Err(Errno::ENOENT) => Ok(true),
        Err(errno) => Err(errno),
    }
}

/// Splits an entry name into path components, dropping empty and `.` ones.
fn split_name(raw: &[u8]) -> Result<Vec<&OsStr>, Refusal> {
    if raw.starts_with(b"/") {
        return Err(Refusal::Absolute);
    }
    if raw.contains(&0) {
        return Err(Refusal::Nul);
    }
    let mut parts = Vec::new();
    for part in raw.split(|&b| b == b'/') {
        match part {
            b"" | b"." => {}
            b".." => return Err(Refusal::ParentDir),
            _ => parts.push(OsStr::from_bytes(part)),
        }
    }
    Ok(parts)
}

/// Accepts a symlink target only if, resolved from the link's directory (`depth` levels below the
/// destination), it stays inside the destination. `..` is allowed only as a leading run: after a name it
/// would climb out of whatever that name links to, which cannot be checked lexically.
fn check_link_target(target: &[u8], depth: usize) -> Result<(), Refusal> {
    let shown = || String::from_utf8_lossy(target).into_owned();
    if target.is_empty() || target.contains(&0) {
        return Err(Refusal::BadTarget);
    }
    if target.starts_with(b"/") {
        return Err(Refusal::AbsoluteTarget(shown()));
    }
    let mut ups = 0usize;
    let mut seen_name = false;
    for part in target.split(|&b| b == b'/') {
        match part {
            b"" | b"." => {}
            b".." if seen_name => return Err(Refusal::DotDotAfterName(shown())),
            b".." => {
                ups += 1;
                if ups > depth {
                    return Err(Refusal::EscapingTarget(shown()));
                }
            }
            _ => seen_name = true,
        }
    }
    Ok(())
}

enum WalkError {
    /// The component at this index is a symlink.
    Symlink(usize),
    Io(io::Error),
}

impl WalkError {
    fn into_extract(self, name: &str, dest: &Path) -> ExtractError {
        match self {
            WalkError::Symlink(at) => {
                let prefix = name.split('/').filter(|p| !p.is_empty() && *p != ".").take(at + 1).collect::<Vec<_>>();
                ExtractError::Refused { name: name.to_string(), reason: Refusal::ThroughSymlink(prefix.join("/")) }
            }
            WalkError::Io(source) => ExtractError::Io { name: name.to_string(), dest: dest.to_path_buf(), source },
        }
    }
}

/// Opens the directory `root/parts…` without following any symlink, creating missing levels if asked.
fn open_dirs(root: &OwnedFd, parts: &[&OsStr], create: bool) -> Result<OwnedFd, WalkError> {
    let flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    let mut current = root.try_clone().map_err(WalkError::Io)?;
    for (index, part) in parts.iter().enumerate() {
        let next = match openat(current.as_fd(), *part, flags, Mode::empty()) {
            Err(Errno::ENOENT) if create => {
                // Like `os.makedirs`: implicit parents get 0o777 less the umask.
                match mkdirat(current.as_fd(), *part, Mode::S_IRWXU | Mode::S_IRWXG | Mode::S_IRWXO) {
                    Ok(()) | Err(Errno::EEXIST) => {}
                    Err(errno) => return Err(WalkError::Io(errno.into())),
                }
                openat(current.as_fd(), *part, flags, Mode::empty())
            }
            other => other,
        };
        current = match next {
            Ok(fd) => fd,
            Err(errno @ (Errno::ELOOP | Errno::ENOTDIR)) => {
                return match fstatat(current.as_fd(), *part, AtFlags::AT_SYMLINK_NOFOLLOW) {
                    Ok(stat) if SFlag::from_bits_truncate(stat.st_mode) & SFlag::S_IFMT == SFlag::S_IFLNK => {
                        Err(WalkError::Symlink(index))
                    }
                    _ => Err(WalkError::Io(errno.into())),
                };
            }
            Err(errno) => return Err(WalkError::Io(errno.into())),
        };
    }
    Ok(current)
}

/// Zip timestamps are local wall-clock time, as the reference writes and reads them.
fn zip_to_system_time(time: zip::DateTime) -> Option<SystemTime> {
    let naive = NaiveDate::from_ymd_opt(i32::from(time.year()), u32::from(time.month()), u32::from(time.day()))?
        .and_hms_opt(u32::from(time.hour()), u32::from(time.minute()), u32::from(time.second()))?;
    // A time in a DST gap does not exist locally; reading it as UTC is off by at most the gap.
    let local = Local.from_local_datetime(&naive).earliest().map(SystemTime::from);
    local.or_else(|| Some(SystemTime::from(naive.and_utc())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::streaming::test_support::TreeBuilder;
    use std::io::{Seek, Write};
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    use zip::write::SimpleFileOptions;
    use zip::{CompressionMethod, DateTime, ZipWriter};

    enum Item<'a> {
        File(&'a str, &'a [u8], u32),
        Dir(&'a str, u32),
        Link(&'a str, &'a str),
        /// A file entry written with external attributes of 0 (no Unix mode), as DOS tools do.
        Plain(&'a str, &'a [u8]),
    }

    fn build(items: &[Item<'_>]) -> File {
        let mut zip = ZipWriter::new(tempfile::tempfile().unwrap());
        let base = SimpleFileOptions::default()
            .system(zip::System::Unix)
            .last_modified_time(DateTime::from_date_and_time(2020, 5, 17, 10, 30, 20).unwrap());
        for item in items {
            match *item {
                Item::File(name, data, mode) => {
                    zip.start_file_with_options(
                        base.external_attributes((0o100_000 | mode) << 16).name(name.as_bytes()),
                    )
                    .unwrap();
                    zip.write_all(data).unwrap();
                }
                Item::Dir(name, mode) => {
                    let options = base.compression_method(CompressionMethod::Stored);
                    zip.start_file_with_options(
                        options.external_attributes((0o040_000 | mode) << 16).name(name.as_bytes()),
                    )
                    .unwrap();
                }
                Item::Link(name, target) => {
                    let options = base.compression_method(CompressionMethod::Stored);
                    zip.start_file_with_options(options.external_attributes(0o120_777 << 16).name(name.as_bytes()))
                        .unwrap();
                    zip.write_all(target.as_bytes()).unwrap();
                }
                Item::Plain(name, data) => {
                    let options = base.system(zip::System::Dos).external_attributes(0);
                    zip.start_file_with_options(options.name(name.as_bytes())).unwrap();
                    zip.write_all(data).unwrap();
                }
            }
        }
        let mut file = zip.finish().unwrap();
        file.rewind().unwrap();
        file
    }

    /// Extracts into `<outer>/dest`, with `<outer>/sibling` watched for any write.
    fn extract_hostile(items: &[Item<'_>]) -> (TreeBuilder, Result<ExtractSummary, ExtractError>) {
        let tree = TreeBuilder::new();
        fs::create_dir(tree.outer().join("sibling")).unwrap();
        let result = extract_zip(build(items), &tree.outer().join("dest"));
        (tree, result)
    }

    fn assert_nothing_outside(tree: &TreeBuilder) {
        let mut outside: Vec<_> = fs::read_dir(tree.outer()).unwrap().map(|e| e.unwrap().file_name()).collect();
        outside.sort();
        assert_eq!(outside, ["dest", "sibling", "tree"]);
        assert_eq!(fs::read_dir(tree.outer().join("sibling")).unwrap().count(), 0, "sibling was written to");
        assert!(!Path::new("/tmp/outside-streaming-test").exists());
    }

    fn refusal(result: Result<ExtractSummary, ExtractError>) -> (String, Refusal) {
        match result {
            Err(ExtractError::Refused { name, reason }) => (name, reason),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn refuses_parent_components() {
        for name in ["../evil", "a/../../evil", "ok/../evil", "../sibling/evil"] {
            let (tree, result) = extract_hostile(&[Item::File("fine", b"x", 0o644), Item::File(name, b"bad", 0o644)]);
            assert_eq!(refusal(result), (name.to_string(), Refusal::ParentDir));
            assert_nothing_outside(&tree);
            assert!(tree.outer().join("dest/fine").exists(), "entries before the refused one stay");
        }
    }

    #[test]
    fn refuses_absolute_names() {
        let (tree, result) = extract_hostile(&[Item::File("/tmp/outside-streaming-test", b"bad", 0o644)]);
        assert_eq!(refusal(result).1, Refusal::Absolute);
        assert_nothing_outside(&tree);
        let (_, result) = extract_hostile(&[Item::Dir("/abs/evil/", 0o755)]);
        assert_eq!(refusal(result).1, Refusal::Absolute);
    }

    #[test]
    fn refuses_symlinks_pointing_outside() {
        let cases = [
            ("link", "/tmp/outside-streaming-test", Refusal::AbsoluteTarget("/tmp/outside-streaming-test".into())),
            ("link", "../..", Refusal::EscapingTarget("../..".into())),
            ("a/link", "../../sibling", Refusal::EscapingTarget("../../sibling".into())),
            ("link", "sub/../..", Refusal::DotDotAfterName("sub/../..".into())),
            ("link", "", Refusal::BadTarget),
        ];
        for (name, target, reason) in cases {
            let (tree, result) = extract_hostile(&[Item::Link(name, target), Item::File("link/evil", b"bad", 0o644)]);
            assert_eq!(refusal(result), (name.to_string(), reason));
            assert_nothing_outside(&tree);
            assert!(fs::symlink_metadata(tree.outer().join("dest").join(name)).is_err(), "{name} was created");
        }
    }

    #[test]
    fn refuses_writing_through_a_symlink_from_the_same_zip() {
        let (tree, result) = extract_hostile(&[
            Item::Dir("sub/", 0o755),
            Item::Link("inlink", "sub"),
            Item::File("inlink/evil", b"bad", 0o644),
        ]);
        assert_eq!(refusal(result), ("inlink/evil".to_string(), Refusal::ThroughSymlink("inlink".into())));
        assert_eq!(fs::read_dir(tree.outer().join("dest/sub")).unwrap().count(), 0);
        assert_nothing_outside(&tree);
    }

    #[test]
    fn refuses_writing_through_a_symlink_already_in_dest() {
        let tree = TreeBuilder::new();
        let dest = tree.outer().join("dest");
        fs::create_dir_all(dest.join("d")).unwrap();
        fs::create_dir(tree.outer().join("sibling")).unwrap();
        std::os::unix::fs::symlink("../../sibling", dest.join("d/pre")).unwrap();
        for name in ["d/pre/evil", "d/pre/deeper/evil", "./d//pre/x"] {
            let result = extract_zip(build(&[Item::File(name, b"bad", 0o644)]), &dest);
            assert_eq!(refusal(result), (name.to_string(), Refusal::ThroughSymlink("d/pre".into())));
        }
        // The link itself as a directory entry is replaced by a real directory, not followed.
        extract_zip(build(&[Item::Dir("d/pre/", 0o755)]), &dest).unwrap();
        assert!(fs::symlink_metadata(dest.join("d/pre")).unwrap().is_dir());
        assert_nothing_outside(&tree);
    }

    #[test]
    fn a_file_entry_replaces_a_symlink_instead_of_writing_through_it() {
        let tree = TreeBuilder::new();
        fs::create_dir(tree.outer().join("sibling")).unwrap();
        let victim = tree.outer().join("sibling/victim");
        fs::write(&victim, b"original").unwrap();
        let dest = tree.outer().join("dest");
        fs::create_dir(&dest).unwrap();
        std::os::unix::fs::symlink(&victim, dest.join("pre")).unwrap();
        let items =
            [Item::Link("link", "target"), Item::File("./link", b"replaced", 0o600), Item::File("pre", b"new", 0o644)];
        let summary = extract_zip(build(&items), &dest).unwrap();
        assert_eq!(summary, ExtractSummary { files: 2, dirs: 0, symlinks: 1, skipped: 0 });
        for (name, content) in [("link", &b"replaced"[..]), ("pre", b"new")] {
            let meta = fs::symlink_metadata(dest.join(name)).unwrap();
            assert!(meta.is_file(), "{name} is still a symlink");
            assert_eq!(fs::read(dest.join(name)).unwrap(), content);
        }
        assert_eq!(fs::read(&victim).unwrap(), b"original");
    }

    #[test]
    fn keeps_in_tree_symlinks_and_replaces_existing_ones() {
        let tree = TreeBuilder::new();
        let dest = tree.outer().join("dest");
        fs::create_dir_all(dest.join("a/b")).unwrap();
        std::os::unix::fs::symlink("elsewhere", dest.join("a/b/up")).unwrap();
        let items =
            [Item::File("top", b"t", 0o644), Item::Link("a/b/up", "../../top"), Item::Link("a/same", "./b/./up")];
        let summary = extract_zip(build(&items), &dest).unwrap();
        assert_eq!(summary.symlinks, 2);
        assert_eq!(fs::read_link(dest.join("a/b/up")).unwrap(), Path::new("../../top"));
        assert_eq!(fs::read(dest.join("a/same")).unwrap(), b"t");
    }

    #[test]
    fn masks_special_mode_bits_and_defaults_missing_modes() {
        let tree = TreeBuilder::new();
        let dest = tree.outer().join("dest");
        let items = [
            Item::File("setuid", b"x", 0o4755),
            Item::File("sticky", b"x", 0o1777),
            Item::File("readonly", b"x", 0o444),
            Item::Dir("ro-dir/", 0o555),
            Item::File("ro-dir/inside", b"x", 0o600),
            Item::Plain("plain", b"x"),
        ];
        extract_zip(build(&items), &dest).unwrap();
        let mode = |name: &str| fs::symlink_metadata(dest.join(name)).unwrap().mode() & 0o7777;
        assert_eq!(mode("setuid"), 0o755);
        assert_eq!(mode("sticky"), 0o777);
        assert_eq!(mode("readonly"), 0o444);
        assert_eq!(mode("ro-dir"), 0o555);
        assert_eq!(mode("ro-dir/inside"), 0o600);
        assert_eq!(mode("plain"), 0o644);
        fs::set_permissions(dest.join("ro-dir"), fs::Permissions::from_mode(0o755)).unwrap();
    }

    #[test]
    fn sets_mtimes_from_the_zip_as_local_time() {
        let tree = TreeBuilder::new();
        let dest = tree.outer().join("dest");
        extract_zip(build(&[Item::Dir("d/", 0o755), Item::File("d/f", b"x", 0o644)]), &dest).unwrap();
        let want = Local.with_ymd_and_hms(2020, 5, 17, 10, 30, 20).unwrap().timestamp();
        assert_eq!(fs::metadata(dest.join("d/f")).unwrap().mtime(), want);
        assert_eq!(fs::metadata(dest.join("d")).unwrap().mtime(), want, "dir mtime survives its children");
    }

    #[test]
    fn existing_fifo_is_removed_and_entry_skipped_existing_dir_kept() {
        let tree = TreeBuilder::new();
        let dest = tree.outer().join("dest");
        fs::create_dir_all(dest.join("keep")).unwrap();
        fs::set_permissions(dest.join("keep"), fs::Permissions::from_mode(0o700)).unwrap();
        nix::unistd::mkfifo(&dest.join("pipe"), Mode::from_bits_truncate(0o600)).unwrap();
        let items = [Item::File("pipe", b"data", 0o600), Item::Dir("keep/", 0o755), Item::File("keep/f", b"x", 0o644)];
        let summary = extract_zip(build(&items), &dest).unwrap();
        assert_eq!(summary, ExtractSummary { files: 1, dirs: 0, symlinks: 0, skipped: 2 });
        assert!(fs::symlink_metadata(dest.join("pipe")).is_err());
        assert_eq!(fs::metadata(dest.join("keep")).unwrap().mode() & 0o777, 0o700);
    }

    #[test]
    fn creates_missing_parents_and_destination() {
        let tree = TreeBuilder::new();
        let dest = tree.outer().join("new/dest");
        extract_zip(build(&[Item::File("x/y/z", b"deep", 0o640)]), &dest).unwrap();
        assert_eq!(fs::read(dest.join("x/y/z")).unwrap(), b"deep");
    }

    #[test]
    fn a_file_in_place_of_a_directory_is_an_io_error() {
        let tree = TreeBuilder::new();
        let result = extract_zip(build(&[Item::File("f", b"x", 0o644), Item::File("f/g", b"y", 0o644)]), tree.path());
        assert!(matches!(result, Err(ExtractError::Io { ref name, .. }) if name == "f/g"), "{result:?}");
    }

    #[test]
    fn not_a_zip_is_an_archive_error() {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(b"not a zip").unwrap();
        file.rewind().unwrap();
        let tree = TreeBuilder::new();
        assert!(matches!(extract_zip(file, tree.path()), Err(ExtractError::Archive(_))));
    }
}
