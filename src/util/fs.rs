//! Paths and directories as the runner makes them.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Makes a path absolute against the current directory without resolving symlinks.
pub fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_owned()
    } else {
        std::env::current_dir().map_or_else(|_| path.to_owned(), |cwd| cwd.join(path))
    };
    lexically_normal(&joined)
}

/// Removes `.` and resolves `..` lexically (nothing on disk is looked at), as Python's
/// `os.path.abspath` and a container engine's path cleaning do.
pub fn lexically_normal(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Creates a directory (and parents) with mode 0700 for the last component. A file where a parent
/// should be is `ENOTDIR`, as `mkdir` and Python's `os.makedirs` say, not the `EEXIST` of the
/// parent's own creation.
pub fn create_dir_private(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|err| match err.kind() {
            io::ErrorKind::AlreadyExists => io::Error::from_raw_os_error(nix::libc::ENOTDIR),
            _ => err,
        })?;
    }
    match fs::DirBuilder::new().mode(0o700).create(path) {
        Err(err) if err.kind() == io::ErrorKind::AlreadyExists && path.is_dir() => Ok(()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_in_the_path_is_not_a_directory_and_a_file_in_place_exists() {
        let temp = tempfile::tempdir().unwrap();
        let file = temp.path().join("file");
        fs::write(&file, "").unwrap();
        let under = create_dir_private(&file.join("ident")).unwrap_err();
        assert_eq!(under.raw_os_error(), Some(nix::libc::ENOTDIR));
        let deeper = create_dir_private(&file.join("a/b")).unwrap_err();
        assert_eq!(deeper.raw_os_error(), Some(nix::libc::ENOTDIR));
        assert_eq!(create_dir_private(&file).unwrap_err().raw_os_error(), Some(nix::libc::EEXIST));
        create_dir_private(&temp.path().join("new/dir")).unwrap();
        create_dir_private(&temp.path().join("new/dir")).unwrap();
    }
}
