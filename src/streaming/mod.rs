//! The byte-stream codec shared by `transmit`, `worker` and `process`: framed JSON lines, directories
//! sent as base64 zip payloads, and safe unpacking of those payloads, as the Python tool frames them.
//!
//! Memory stays flat whatever the size of the tree or the payload: archives are built in and decoded
//! into anonymous temp files, and moved through fixed-size buffers.

pub mod hangup;

mod archive_file;
mod extract;
mod frame;
#[cfg(test)]
mod fuzz;
mod head;
mod zip_out;

pub use extract::extract_zip;
pub use frame::{parse_line_object, Frame, HeadFrame, StreamReader, StreamWriter};
pub use head::{as_str, as_u64, shown, truthy, LineHead};
pub use zip_out::pack_dir;

/// Helpers shared by the unit tests of this module's files.
#[cfg(test)]
mod test_support {
    use std::collections::BTreeMap;
    use std::fs;
    use std::io::Write;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    use std::path::{Path, PathBuf};

    use nix::sys::stat::{utimensat, Mode, UtimensatFlags};
    use nix::sys::time::TimeSpec;

    /// A scratch directory with a root to build trees in and room for siblings next to it.
    pub(super) struct TreeBuilder {
        dir: tempfile::TempDir,
        root: PathBuf,
    }

    impl TreeBuilder {
        pub(super) fn new() -> Self {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path().join("tree");
            fs::create_dir(&root).unwrap();
            Self { dir, root }
        }

        pub(super) fn path(&self) -> &Path {
            &self.root
        }

        /// The directory holding the tree, for siblings that must stay untouched.
        pub(super) fn outer(&self) -> &Path {
            self.dir.path()
        }

        pub(super) fn dir(&self, rel: &str, mode: u32) -> &Self {
            let path = self.root.join(rel);
            fs::create_dir_all(&path).unwrap();
            fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
            self
        }

        pub(super) fn file(&self, rel: &str, content: &[u8], mode: u32) -> &Self {
            let path = self.root.join(rel);
            fs::write(&path, content).unwrap();
            fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
            self
        }

        pub(super) fn symlink(&self, rel: &str, target: &str) -> &Self {
            std::os::unix::fs::symlink(target, self.root.join(rel)).unwrap();
            self
        }

        pub(super) fn fifo(&self, rel: &str) -> &Self {
            nix::unistd::mkfifo(&self.root.join(rel), Mode::from_bits_truncate(0o600)).unwrap();
            self
        }
    }

    pub(super) fn set_mtime(path: &Path, secs: i64) {
        let time = TimeSpec::new(secs, 0);
        utimensat(nix::fcntl::AT_FDCWD, path, &time, &time, UtimensatFlags::NoFollowSymlink).unwrap();
    }

    /// A program of the reference's venv (`.venv`, or the one `ANSIBLE_RUNNER_TEST_VENV` names), or
    /// `None` for a test to return on: it is skipped by name, as the integration tests skip, and
    /// recorded in the file `ANSIBLE_RUNNER_TEST_SKIPS` names, for scripts/test to fail on.
    pub(super) fn venv_bin(name: &str) -> Option<PathBuf> {
        let venv = std::env::var_os("ANSIBLE_RUNNER_TEST_VENV")
            .map_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv"), PathBuf::from);
        let path = venv.join("bin").join(name);
        if path.exists() {
            return Some(path);
        }
        let test = std::thread::current().name().unwrap_or("a test").to_owned();
        let line = format!("SKIPPED {test}: needs {} (scripts/setup/venv --with-reference)\n", path.display());
        // Straight to the process's stderr: libtest would hold back what `eprintln!` prints.
        let _ = std::io::stderr().write_all(line.as_bytes());
        if let Some(record) = std::env::var_os("ANSIBLE_RUNNER_TEST_SKIPS") {
            let file = fs::OpenOptions::new().create(true).append(true).open(&record);
            file.and_then(|mut file| file.write_all(line.as_bytes())).expect("ANSIBLE_RUNNER_TEST_SKIPS is writable");
        }
        None
    }

    pub(super) fn python() -> Option<PathBuf> {
        venv_bin("python")
    }

    #[derive(Debug, PartialEq, Eq)]
    pub(super) enum Node {
        Dir { mode: u32 },
        File { mode: u32, content: Vec<u8> },
        Symlink { target: PathBuf },
        Special,
    }

    /// Every entry under `root` (not following links) with its relative path, kind and mtime.
    pub(super) fn snapshot(root: &Path) -> BTreeMap<PathBuf, (Node, i64)> {
        walkdir::WalkDir::new(root)
            .min_depth(1)
            .into_iter()
            .map(|entry| {
                let entry = entry.unwrap();
                let meta = entry.path().symlink_metadata().unwrap();
                let mode = meta.mode() & 0o7777;
                let node = if meta.file_type().is_symlink() {
                    Node::Symlink { target: fs::read_link(entry.path()).unwrap() }
                } else if meta.is_dir() {
                    Node::Dir { mode }
                } else if !meta.is_file() {
                    Node::Special
                } else {
                    Node::File { mode, content: fs::read(entry.path()).unwrap() }
                };
                (entry.path().strip_prefix(root).unwrap().to_path_buf(), (node, meta.mtime()))
            })
            .collect()
    }

    /// Asserts that `got` holds the same entries as `want`, with mtimes of files and directories
    /// within the 2 s resolution of zip timestamps.
    pub(super) fn assert_same_tree(
        want: &BTreeMap<PathBuf, (Node, i64)>,
        got: &BTreeMap<PathBuf, (Node, i64)>,
        check_dir_mtimes: bool,
    ) {
        let want_names: Vec<_> = want.keys().collect();
        let got_names: Vec<_> = got.keys().collect();
        assert_eq!(want_names, got_names);
        for (path, (node, mtime)) in want {
            let (got_node, got_mtime) = &got[path];
            assert_eq!(node, got_node, "{}", path.display());
            let check = match node {
                Node::File { .. } => true,
                Node::Dir { .. } => check_dir_mtimes,
                Node::Symlink { .. } | Node::Special => false,
            };
            if check {
                assert!((mtime - got_mtime).abs() <= 2, "{}: mtime {mtime} vs {got_mtime}", path.display());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::{assert_same_tree, python, set_mtime, snapshot, venv_bin, Node, TreeBuilder};
    use super::*;
    use chrono::{Local, NaiveDate, TimeZone};
    use serde_json::json;
    use std::io::{Cursor, Write};
    use std::path::Path;
    use std::process::{Command, Stdio};

    fn read_all(bytes: Vec<u8>) -> Vec<Frame> {
        let mut reader = StreamReader::new(Cursor::new(bytes));
        let mut frames = Vec::new();
        while let Some(frame) = reader.next_frame().unwrap() {
            frames.push(frame);
        }
        frames
    }

    fn sample_tree() -> TreeBuilder {
        let tree = TreeBuilder::new();
        tree.dir("project/roles/r/tasks", 0o755).file("project/roles/r/tasks/main.yml", b"- debug: msg=x\n", 0o644);
        tree.file("project/t.yml", &b"- hosts: all\n  gather_facts: false\n".repeat(500), 0o644);
        tree.file("project/run.sh", b"#!/bin/sh\n", 0o755).symlink("project/link.yml", "t.yml");
        tree.symlink("project/roles_link", "roles/r").dir("env", 0o700).file("env/ssh_secret", b"k", 0o600);
        tree.fifo("env/ssh_key_data").dir("empty", 0o750).file("old.txt", b"from 1970", 0o640);
        tree.file("caf\u{e9}-\u{65e5}\u{672c}.txt", b"unicode name", 0o644).dir("inventory", 0o755);
        tree.file("inventory/hosts", b"localhost ansible_connection=local\n", 0o755);
        set_mtime(&tree.path().join("old.txt"), 3 * 86_400);
        set_mtime(&tree.path().join("project/t.yml"), 1_600_000_001);
        tree
    }

    #[test]
    fn round_trip_writer_reader_extract() {
        let tree = sample_tree();
        let mut writer = StreamWriter::new(Vec::new());
        writer.write_json(&json!({"kwargs": {"ident": "rt"}})).unwrap();
        let size = writer.write_zip_dir(tree.path(), |_| true).unwrap();
        writer.write_json(&json!({"eof": true})).unwrap();

        let mut frames = read_all(writer.into_inner()).into_iter();
        assert!(matches!(frames.next(), Some(Frame::Json(map)) if map["kwargs"]["ident"] == "rt"));
        let Some(Frame::Zip { file }) = frames.next() else { panic!("no zip frame") };
        assert_eq!(file.metadata().unwrap().len(), size);
        assert!(matches!(frames.next(), Some(Frame::Json(map)) if map["eof"] == true));
        assert!(frames.next().is_none());

        let dest = tree.outer().join("dest");
        let summary = extract_zip(file, &dest).unwrap();
        assert_eq!(summary, extract::ExtractSummary { files: 7, dirs: 7, symlinks: 2, skipped: 0 });

        let mut want = snapshot(tree.path());
        assert!(want.remove(Path::new("env/ssh_key_data")).is_some(), "the FIFO is not sent");
        let clamped =
            Local.from_local_datetime(&NaiveDate::from_ymd_opt(1980, 1, 1).unwrap().and_hms_opt(0, 0, 0).unwrap());
        want.get_mut(Path::new("old.txt")).unwrap().1 = clamped.earliest().unwrap().timestamp();
        let got = snapshot(&dest);
        assert_same_tree(&want, &got, true);
        assert_eq!(got[Path::new("project/t.yml")].1, 1_600_000_000, "zip time has 2 s resolution");
        assert!(
            matches!(&got[Path::new("project/roles_link")].0, Node::Symlink { target } if target == Path::new("roles/r"))
        );
    }

    #[test]
    fn reference_transmit_stream_is_read_and_extracted() {
        let Some(runner) = venv_bin("ansible-runner") else { return };
        let tree = TreeBuilder::new();
        tree.dir("project", 0o755).file("project/x.yml", b"- hosts: all\n  tasks: []\n", 0o644);
        tree.symlink("project/link.yml", "x.yml").dir("env", 0o755).file("env/envvars", b"A: b\n", 0o600);
        tree.dir("inventory", 0o755).file("inventory/hosts", b"localhost\n", 0o755).fifo("env/ssh_key_data");
        let out = Command::new(runner).arg("transmit").arg(tree.path()).args(["-p", "x.yml"]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

        let mut frames = read_all(out.stdout).into_iter();
        let Some(Frame::Json(kwargs)) = frames.next() else { panic!("no kwargs line") };
        assert_eq!(kwargs["kwargs"]["playbook"], "x.yml");
        let Some(Frame::Zip { file }) = frames.next() else { panic!("no zip frame") };
        assert!(matches!(frames.next(), Some(Frame::Json(map)) if map["eof"] == true));
        assert!(frames.next().is_none());

        let dest = tree.outer().join("dest");
        extract_zip(file, &dest).unwrap();
        let mut want = snapshot(tree.path());
        want.remove(Path::new("env/ssh_key_data"));
        // The reference stores no directory mtimes worth keeping: it re-times them before filling them.
        assert_same_tree(&want, &snapshot(&dest), false);
    }

    #[test]
    fn reference_reader_unpacks_our_stream() {
        let Some(py) = venv_bin("ansible-runner").and_then(|_| python()) else { return };
        let tree = sample_tree();
        // The reference cannot open FIFOs and keeps full modes; compare what it can handle.
        std::fs::remove_file(tree.path().join("env/ssh_key_data")).unwrap();
        let mut writer = StreamWriter::new(Vec::new());
        writer.write_zip_dir(tree.path(), |_| true).unwrap();
        writer.write_json(&json!({"eof": true})).unwrap();
        let dest = tree.outer().join("py-dest");
        let script = r#"
import json, sys
from ansible_runner.utils.streaming import unstream_dir
src = sys.stdin.buffer
header = json.loads(src.readline())
unstream_dir(src, header["zipfile"], sys.argv[1])
assert json.loads(src.readline()) == {"eof": True}
assert src.read() == b""
"#;
        let mut child = Command::new(py).arg("-c").arg(script).arg(&dest).stdin(Stdio::piped()).spawn().unwrap();
        child.stdin.take().unwrap().write_all(&writer.into_inner()).unwrap();
        assert!(child.wait().unwrap().success());
        let want = snapshot(tree.path());
        let got = snapshot(&dest);
        assert_eq!(want.keys().collect::<Vec<_>>(), got.keys().collect::<Vec<_>>());
        for (path, (node, _)) in &want {
            assert_eq!(node, &got[path].0, "{}", path.display());
        }
    }
}
