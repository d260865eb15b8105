//! Packing a directory tree into a zip archive in an anonymous temp file, laid out as the reference packs it.

use std::fs::{self, File, Metadata};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use chrono::{Datelike, Local, TimeZone, Timelike};
use flate2::{Compress, Compression, FlushCompress, Status};
use nix::fcntl::OFlag;
use zip::result::ZipError;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, System, ZipWriter};

use super::archive_file::ArchiveFile;
use crate::util::io::read_up_to;

/// Unix file-type bits of a symlink entry (`0o120000`) plus `0o777`, as the reference stores links.
const SYMLINK_MODE: u32 = 0o120_777;
/// MS-DOS "directory" attribute, which the reference adds to directory entries.
const DOS_DIR_ATTR: u32 = 0x10;
/// Read buffer for copying file content into the archive.
const COPY_BUF: usize = 64 * 1024;

/// A finished zip archive held in an anonymous temp file, rewound, ready to be framed.
#[derive(Debug)]
pub struct PackedZip {
    file: File,
    size: u64,
}

impl PackedZip {
    /// Wraps an existing archive file (any content), measuring it and rewinding it.
    ///
    /// # Errors
    /// Seek failures on `file`.
    pub fn from_file(mut file: File) -> io::Result<Self> {
        let size = file.seek(SeekFrom::End(0))?;
        file.rewind()?;
        Ok(Self { file, size })
    }

    /// Length of the archive in bytes: the `N` of the `{"zipfile": N}` header.
    #[must_use]
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The rewound archive file.
    #[must_use]
    pub fn into_file(self) -> File {
        self.file
    }
}

/// Why a directory could not be packed or sent.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot build the zip archive: {0}")]
    Zip(#[from] ZipError),
    #[error("cannot write the zip archive to a temporary file: {0}")]
    Temp(#[source] io::Error),
    #[error("cannot write the zip frame to the stream: {0}")]
    Write(#[source] io::Error),
}

fn read_err(path: &Path) -> impl FnOnce(io::Error) -> PackError + '_ {
    move |source| PackError::Read { path: path.to_path_buf(), source }
}

/// The archive as it is built.
type Archive = ZipWriter<ArchiveFile>;

/// Deflate level of sent files: the fastest. The stream needs a zip, not the smallest one; level 1
/// deflates text several times faster than the default 6, for output a little larger.
const LEVEL: i64 = 1;
/// Files at least this large are first tried on a sample of this size: if deflate cannot shrink
/// it, the file is stored as it is rather than deflated for nothing (compressed or random data).
const SAMPLE: usize = COPY_BUF;
/// A sample is worth deflating when it shrinks to 9/10 of its size or less.
const WORTH_DEFLATING: (usize, usize) = (9, 10);

/// What a directory listing says of an entry, before it is packed.
enum Listed {
    /// A regular file: opened (without following links) and inspected when packed.
    File,
    /// Anything else, with its `lstat`.
    Other(Metadata),
}

/// Packs `root` into a zip in an anonymous temp file.
///
/// Order and attributes follow the reference so a Python peer sees the same archive:
/// top-down, at each level the non-directories then the directories (symlinks to directories count as
/// directories), each in directory-listing order. `filter` gets every path relative to `root`; `false`
/// leaves it out (a directory with its whole subtree). FIFOs, sockets and devices are skipped.
/// Memory use does not depend on file sizes: content is streamed through a fixed buffer.
///
/// # Errors
/// [`PackError::Read`] naming a path that cannot be listed or read, or a failure writing the temp file.
pub fn pack_dir(root: &Path, filter: impl Fn(&Path) -> bool) -> Result<PackedZip, PackError> {
    let temp = tempfile::tempfile().map_err(PackError::Temp)?;
    let mut zip = ZipWriter::new(ArchiveFile::new(temp));
    let mut packer =
        Packer { buf: vec![0u8; COPY_BUF], sample: Vec::new(), deflate: Compress::new(Compression::new(1), false) };
    // Directories still to list, last one next: pushing each level's sub-directories in reverse gives
    // the same pre-order as Python's top-down `os.walk`.
    let mut pending: Vec<PathBuf> = vec![PathBuf::new()];
    while let Some(rel_dir) = pending.pop() {
        let (others, dirs) = list_dir(root, &rel_dir, &filter)?;
        for (rel, abs, listed) in others.iter().chain(dirs.iter()) {
            match listed {
                Listed::File => packer.add_file(&mut zip, rel, abs)?,
                Listed::Other(meta) => add_entry(&mut zip, rel, abs, meta)?,
            }
        }
        let subdirs = dirs.into_iter().rev();
        pending.extend(subdirs.filter(|(_, _, l)| matches!(l, Listed::Other(m) if m.is_dir())).map(|(rel, _, _)| rel));
    }
    let temp = zip.finish()?.into_file().map_err(PackError::Temp)?;
    PackedZip::from_file(temp).map_err(PackError::Temp)
}

/// One listed entry: its path relative to the root, its absolute path, and what the listing said.
type Entry = (PathBuf, PathBuf, Listed);

/// The entries of `root/rel_dir` that pass `filter`: the non-directories, then the directories.
/// Like `os.walk`, symlinks are classified by what they point to: a link to a directory is listed
/// with the directories. Regular files are told by the listing's file type, without an `lstat`.
fn list_dir(
    root: &Path,
    rel_dir: &Path,
    filter: &impl Fn(&Path) -> bool,
) -> Result<(Vec<Entry>, Vec<Entry>), PackError> {
    let abs_dir = root.join(rel_dir);
    let mut others = Vec::new();
    let mut dirs = Vec::new();
    for dirent in fs::read_dir(&abs_dir).map_err(read_err(&abs_dir))? {
        let dirent = dirent.map_err(read_err(&abs_dir))?;
        let rel = rel_dir.join(dirent.file_name());
        if !filter(&rel) {
            continue;
        }
        let abs = dirent.path();
        if dirent.file_type().map_err(read_err(&abs))?.is_file() {
            others.push((rel, abs, Listed::File));
            continue;
        }
        let meta = fs::symlink_metadata(&abs).map_err(read_err(&abs))?;
        if meta.is_file() {
            others.push((rel, abs, Listed::File));
            continue;
        }
        let dir_like = meta.is_dir() || (meta.file_type().is_symlink() && fs::metadata(&abs).is_ok_and(|m| m.is_dir()));
        if dir_like {
            dirs.push((rel, abs, Listed::Other(meta)));
        } else {
            others.push((rel, abs, Listed::Other(meta)));
        }
    }
    Ok((others, dirs))
}

/// Adds a symlink or a directory entry. FIFOs, sockets and devices are left out: opening a FIFO would block (the
/// reference skips them too) and the others have no content to send.
fn add_entry(zip: &mut Archive, rel: &Path, abs: &Path, meta: &Metadata) -> Result<(), PackError> {
    let file_type = meta.file_type();
    let base = SimpleFileOptions::default().system(System::Unix);
    if file_type.is_symlink() {
        let target = fs::read_link(abs).map_err(read_err(abs))?;
        let options = base
            .compression_method(CompressionMethod::Stored)
            .external_attributes(SYMLINK_MODE << 16)
            .last_modified_time(DateTime::default());
        zip.start_file_with_options(options.name(rel.as_os_str().as_bytes()))?;
        zip.write_all(target.as_os_str().as_bytes()).map_err(PackError::Temp)?;
    } else if file_type.is_dir() {
        let mut name = rel.as_os_str().as_bytes().to_vec();
        name.push(b'/');
        let options = base
            .compression_method(CompressionMethod::Stored)
            .external_attributes(((meta.mode() & 0xFFFF) << 16) | DOS_DIR_ATTR)
            .last_modified_time(zip_time(meta.mtime()));
        zip.start_file_with_options(options.name(&name))?;
    }
    Ok(())
}

/// Buffers reused from file to file.
struct Packer {
    buf: Vec<u8>,
    sample: Vec<u8>,
    deflate: Compress,
}

impl Packer {
    /// Adds a regular file, deflated unless a sample of it shows deflating would not pay.
    fn add_file(&mut self, zip: &mut Archive, rel: &Path, abs: &Path) -> Result<(), PackError> {
        // O_NOFOLLOW|O_NONBLOCK: if the entry was swapped for a link or FIFO since listing, neither follow nor hang.
        let mut source = File::options()
            .read(true)
            .custom_flags((OFlag::O_NOFOLLOW | OFlag::O_NONBLOCK).bits())
            .open(abs)
            .map_err(read_err(abs))?;
        let meta = source.metadata().map_err(read_err(abs))?;
        if !meta.is_file() {
            return Ok(());
        }
        let mut head = 0;
        if meta.len() >= SAMPLE as u64 {
            head = read_up_to(&mut source, &mut self.buf[..SAMPLE]).map_err(read_err(abs))?;
        }
        let deflate = head < SAMPLE || worth_deflating(&mut self.deflate, &mut self.sample, &self.buf[..head]);
        // Same margin as Python's zipfile: deflate can grow incompressible data slightly.
        let large = meta.len().saturating_add(meta.len() / 20) > u64::from(u32::MAX);
        let method = if deflate { CompressionMethod::Deflated } else { CompressionMethod::Stored };
        let options = SimpleFileOptions::default()
            .system(System::Unix)
            .compression_method(method)
            .compression_level(deflate.then_some(LEVEL))
            .external_attributes((meta.mode() & 0xFFFF) << 16)
            .last_modified_time(zip_time(meta.mtime()))
            .large_file(large);
        zip.start_file_with_options(options.name(rel.as_os_str().as_bytes()))?;
        zip.write_all(&self.buf[..head]).map_err(PackError::Temp)?;
        loop {
            let n = match source.read(&mut self.buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => return Err(read_err(abs)(err)),
            };
            zip.write_all(&self.buf[..n]).map_err(PackError::Temp)?;
        }
        Ok(())
    }
}

/// Whether deflate shrinks `sample` enough to be worth running on the whole file; `out` is scratch.
fn worth_deflating(deflate: &mut Compress, out: &mut Vec<u8>, sample: &[u8]) -> bool {
    out.clear();
    out.reserve(sample.len() + sample.len() / 8 + 64);
    deflate.reset();
    let done = deflate.compress_vec(sample, out, FlushCompress::Finish);
    let (num, den) = WORTH_DEFLATING;
    // A sample that deflate could not finish within that room did not shrink.
    matches!(done, Ok(Status::StreamEnd)) && out.len() * den <= sample.len() * num
}

/// Zip timestamp for a Unix mtime: local wall-clock time, clamped into the DOS range (1980–2107)
/// like Python's `zipfile` with `strict_timestamps=False`.
pub(crate) fn zip_time(mtime: i64) -> DateTime {
    let Some(local) = Local.timestamp_opt(mtime, 0).earliest() else {
        return DateTime::default();
    };
    if local.year() < 1980 {
        return DateTime::default();
    }
    if local.year() > 2107 {
        return DateTime::from_date_and_time(2107, 12, 31, 23, 59, 58).unwrap_or_default();
    }
    let narrow = |v: u32| u8::try_from(v).unwrap_or(0);
    let year = u16::try_from(local.year()).unwrap_or(1980);
    DateTime::from_date_and_time(
        year,
        narrow(local.month()),
        narrow(local.day()),
        narrow(local.hour()),
        narrow(local.minute()),
        narrow(local.second()),
    )
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::streaming::test_support::{python, set_mtime, TreeBuilder};
    use std::process::Command;
    use zip::ZipArchive;

    fn names_and_modes(packed: PackedZip) -> Vec<(String, u32)> {
        let mut archive = ZipArchive::new(packed.into_file()).unwrap();
        (0..archive.len())
            .map(|i| {
                let entry = archive.by_index(i).unwrap();
                (String::from_utf8(entry.name_raw().to_vec()).unwrap(), entry.external_attributes() >> 16)
            })
            .collect()
    }

    #[test]
    fn lists_files_before_directories_at_each_level_and_descends_in_order() {
        let tree = TreeBuilder::new();
        tree.dir("b", 0o755).file("b/inner", b"x", 0o644).dir("a", 0o700).file("top", b"t", 0o600);
        tree.dir("a/deep", 0o755).file("a/f", b"f", 0o644);
        let entries = names_and_modes(pack_dir(tree.path(), |_| true).unwrap());
        let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
        // Listing order is the filesystem's, so check the grouping rather than one order.
        assert_eq!(names[0], "top");
        let level1: Vec<&str> = names[1..3].to_vec();
        assert!(level1.contains(&"a/") && level1.contains(&"b/"), "{names:?}");
        let a_pos = names.iter().position(|n| *n == "a/f").unwrap();
        let deep_pos = names.iter().position(|n| *n == "a/deep/").unwrap();
        assert!(a_pos < deep_pos, "files before dirs inside a/: {names:?}");
        // Depth-first: each sub-directory's content comes before the next sibling's.
        let b_inner = names.iter().position(|n| *n == "b/inner").unwrap();
        let first_is_a = names[1] == "a/";
        if first_is_a {
            assert!(deep_pos < b_inner, "{names:?}");
        } else {
            assert!(b_inner < a_pos, "{names:?}");
        }
        assert_eq!(names.len(), 6);
        let mode_of = |n: &str| entries.iter().find(|(name, _)| name == n).unwrap().1;
        assert_eq!(mode_of("top"), 0o100_600);
        assert_eq!(mode_of("a/"), 0o040_700);
    }

    #[test]
    fn stores_symlinks_unfollowed_and_skips_fifos() {
        let tree = TreeBuilder::new();
        tree.file("t.yml", b"- hosts: all\n", 0o644).symlink("link.yml", "t.yml").dir("d", 0o755);
        tree.symlink("dlink", "d").symlink("dangling", "nowhere").fifo("pipe");
        let packed = pack_dir(tree.path(), |_| true).unwrap();
        let mut archive = ZipArchive::new(packed.into_file()).unwrap();
        let mut names = Vec::new();
        for i in 0..archive.len() {
            let mut entry = archive.by_index(i).unwrap();
            let name = entry.name().unwrap().to_string();
            if name.ends_with("link.yml") || name == "dlink" || name == "dangling" {
                assert_eq!(entry.external_attributes() >> 16, SYMLINK_MODE, "{name}");
                assert_eq!(entry.compression(), CompressionMethod::Stored);
                let mut target = String::new();
                entry.read_to_string(&mut target).unwrap();
                let expected = match name.as_str() {
                    "dlink" => "d",
                    "dangling" => "nowhere",
                    _ => "t.yml",
                };
                assert_eq!(target, expected);
            }
            names.push(name);
        }
        assert!(!names.iter().any(|n| n.contains("pipe")), "{names:?}");
        assert!(!names.iter().any(|n| n.starts_with("dlink/")), "a link to a dir is not descended: {names:?}");
        // A link to a directory is grouped with the directories, as `os.walk` lists it.
        let dlink = names.iter().position(|n| n == "dlink").unwrap();
        let tyml = names.iter().position(|n| n == "t.yml").unwrap();
        assert!(tyml < dlink, "{names:?}");
    }

    #[test]
    fn stores_what_does_not_compress_and_deflates_the_rest() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let random: Vec<u8> = (0..3 * SAMPLE)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state.to_le_bytes()[3]
            })
            .collect();
        let text = b"- debug: msg=compresses\n".repeat(3 * SAMPLE / 24);
        let tree = TreeBuilder::new();
        tree.file("random.bin", &random, 0o644).file("text.yml", &text, 0o644);
        tree.file("small-random.bin", &random[..SAMPLE - 1], 0o644);
        let mut archive = ZipArchive::new(pack_dir(tree.path(), |_| true).unwrap().into_file()).unwrap();
        for (name, method, content) in [
            ("random.bin", CompressionMethod::Stored, &random[..]),
            ("text.yml", CompressionMethod::Deflated, &text[..]),
            ("small-random.bin", CompressionMethod::Deflated, &random[..SAMPLE - 1]),
        ] {
            let mut entry = archive.by_name(name).unwrap();
            assert_eq!(entry.compression(), method, "{name}");
            let mut got = Vec::new();
            entry.read_to_end(&mut got).unwrap();
            assert!(got == content, "{name} changed");
        }
        assert!(archive.by_name("text.yml").unwrap().compressed_size() * 10 < text.len() as u64);
    }

    #[test]
    fn filter_prunes_whole_subtrees() {
        let tree = TreeBuilder::new();
        tree.dir("artifacts", 0o755).file("artifacts/x", b"x", 0o644).file("keep", b"k", 0o644);
        let entries = names_and_modes(pack_dir(tree.path(), |p| p != Path::new("artifacts")).unwrap());
        assert_eq!(entries, vec![("keep".to_string(), 0o100_644)]);
    }

    #[test]
    fn clamps_old_mtimes_to_1980_and_keeps_recent_ones() {
        let tree = TreeBuilder::new();
        tree.file("old", b"o", 0o644).file("new", b"n", 0o644);
        set_mtime(&tree.path().join("old"), 86_400 * 365);
        set_mtime(&tree.path().join("new"), 1_700_000_000);
        let mut archive = ZipArchive::new(pack_dir(tree.path(), |_| true).unwrap().into_file()).unwrap();
        let old = archive.by_name("old").unwrap().last_modified().unwrap();
        assert_eq!((old.year(), old.month(), old.day(), old.hour(), old.minute()), (1980, 1, 1, 0, 0));
        let new = archive.by_name("new").unwrap().last_modified().unwrap();
        let local = Local.timestamp_opt(1_700_000_000, 0).unwrap();
        assert_eq!(
            (u32::from(new.year()), u32::from(new.month()), u32::from(new.hour()), u32::from(new.second())),
            (u32::try_from(local.year()).unwrap(), local.month(), local.hour(), local.second() / 2 * 2)
        );
    }

    #[test]
    fn missing_root_is_a_read_error_naming_it() {
        let err = pack_dir(Path::new("/nonexistent/streaming-test"), |_| true).unwrap_err();
        assert!(matches!(err, PackError::Read { .. }));
        assert!(err.to_string().contains("/nonexistent/streaming-test"), "{err}");
    }

    #[test]
    fn python_zipfile_reads_names_modes_and_symlinks() {
        let Some(py) = python() else { return };
        let tree = TreeBuilder::new();
        tree.dir("env", 0o755).file("env/cmdline", b"-v", 0o600).dir("project", 0o755);
        tree.file("project/t.yml", &b"- hosts: all\n".repeat(100), 0o644).symlink("project/link.yml", "t.yml");
        tree.dir("inventory", 0o755).file("inventory/hosts", b"localhost\n", 0o755);
        tree.file("h\u{e9}llo-\u{65e5}\u{672c}.txt", b"unicode", 0o644).dir("empty", 0o700);
        let mut packed = pack_dir(tree.path(), |_| true).unwrap().into_file();
        let zip_path = tree.path().with_extension("zip");
        io::copy(&mut packed, &mut File::create(&zip_path).unwrap()).unwrap();
        let script = r#"
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    assert z.testzip() is None
    for i in z.infolist():
        data = z.read(i)
        print(f"{i.filename}|{i.external_attr >> 16:o}|{i.create_system}|{i.compress_type}|{data.decode() if (i.external_attr >> 16) & 0o170000 == 0o120000 else len(data)}")
"#;
        let out = Command::new(py).arg("-c").arg(script).arg(&zip_path).output().unwrap();
        let _ = fs::remove_file(&zip_path);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for expected in [
            "env/|40755|3|0|0",
            "env/cmdline|100600|3|8|2",
            "project/link.yml|120777|3|0|t.yml",
            "project/t.yml|100644|3|8|1300",
            "inventory/hosts|100755|3|8|10",
            "h\u{e9}llo-\u{65e5}\u{672c}.txt|100644|3|8|7",
            "empty/|40700|3|0|0",
        ] {
            assert!(lines.contains(&expected), "missing {expected:?} in {lines:?}");
        }
        assert_eq!(lines.len(), 9, "{lines:?}");
    }
}
