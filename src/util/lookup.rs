//! Finding a program the way a shell does: a name with a `/` is a path (relative to a directory
//! given), any other is looked up on a `PATH`.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// Where a shell's `PATH` search falls back to when there is none.
const DEFAULT_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

/// The program `program` names: a path (joined to `cwd` when relative) or the first match on
/// `path_var`; `None` when there is no executable file there.
pub fn find_executable(program: &str, path_var: Option<&str>, cwd: &Path) -> Option<PathBuf> {
    if program.is_empty() {
        return None;
    }
    if program.contains('/') {
        let path = cwd.join(program);
        return is_executable(&path).then_some(path);
    }
    path_var
        .unwrap_or(DEFAULT_PATH)
        .split(':')
        .map(|dir| Path::new(if dir.is_empty() { "." } else { dir }).join(program))
        .find(|path| is_executable(path))
}

fn is_executable(path: &Path) -> bool {
    path.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}
