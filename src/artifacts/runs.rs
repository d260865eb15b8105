//! The runs under an artifact root, newest first: the one answer to "which run is newest" that
//! rotation, `replay`, `history` and `stop` share.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// A directory under the artifact root.
#[derive(Debug, Clone, PartialEq)]
pub struct RunDir {
    pub ident: String,
    pub dir: PathBuf,
    /// When the run started (see `start_time`).
    pub started: SystemTime,
    /// Whether it holds a run (`job_events/`), and not something else someone put there.
    pub is_run: bool,
}

/// Every directory under `root`, newest first, ties by ident; a missing root has none.
pub fn newest_first(root: &Path) -> io::Result<Vec<RunDir>> {
    let entries = match fs::read_dir(root) {
        Ok(entries) => entries,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(err),
    };
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry?;
        if !entry.file_type()?.is_dir() {
            continue;
        }
        let dir = entry.path();
        let (started, is_run) = match start_time(&dir) {
            Some(started) => (started, true),
            None => (entry.metadata()?.modified()?, false),
        };
        found.push(RunDir { ident: entry.file_name().to_string_lossy().into_owned(), dir, started, is_run });
    }
    order(&mut found);
    Ok(found)
}

/// Newest first, ties by ident.
pub fn order(found: &mut [RunDir]) {
    found.sort_unstable_by(|a, b| b.started.cmp(&a.started).then_with(|| a.ident.cmp(&b.ident)));
}

/// When the run in `dir` started: `job_events/` is made afresh as each run starts, `process`
/// included, so its creation time says it. Where the filesystem keeps no creation time, the
/// `command` file, written as a local run starts. `None` for anything that is not a run dir.
fn start_time(dir: &Path) -> Option<SystemTime> {
    let events = fs::metadata(dir.join("job_events")).ok().filter(fs::Metadata::is_dir)?;
    events
        .created()
        .or_else(|_| fs::metadata(dir.join("command")).and_then(|m| m.modified()))
        .or_else(|_| events.modified())
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn newest_first_then_by_ident() {
        let at = |secs| SystemTime::UNIX_EPOCH + Duration::from_secs(secs);
        let run = |ident: &str, secs| RunDir {
            ident: ident.to_owned(),
            dir: PathBuf::new(),
            started: at(secs),
            is_run: true,
        };
        let mut found = vec![run("b", 5), run("a", 5), run("c", 9)];
        order(&mut found);
        let idents: Vec<&str> = found.iter().map(|f| f.ident.as_str()).collect();
        assert_eq!(idents, ["c", "a", "b"]);
    }

    #[test]
    fn runs_and_other_dirs_are_told_apart_and_files_left_out() {
        let root = tempfile::tempdir().unwrap();
        fs::create_dir_all(root.path().join("one/job_events")).unwrap();
        fs::create_dir(root.path().join("notes")).unwrap();
        fs::write(root.path().join("stray"), "").unwrap();
        let found = newest_first(root.path()).unwrap();
        let mut seen: Vec<(&str, bool)> = found.iter().map(|run| (run.ident.as_str(), run.is_run)).collect();
        seen.sort_unstable();
        assert_eq!(seen, [("notes", false), ("one", true)]);
        assert!(newest_first(&root.path().join("missing")).unwrap().is_empty());
    }
}
