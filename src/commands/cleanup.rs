//! `ansible-runner worker cleanup`: removes private data dirs that workers left behind (and,
//! optionally, container images). A directory whose job is still running is never removed.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

use anyhow::Context;

use crate::cli::CleanupArgs;
use crate::exit::{ExitStatus, Failure};

/// Folders a pattern must never reach, whatever it matches.
const SYSTEM_FOLDERS: [&str; 15] = [
    "/", "/bin", "/dev", "/home", "/lib", "/mnt", "/proc", "/run", "/sys", "/usr", "/boot", "/etc", "/opt", "/sbin",
    "/var",
];

pub fn cleanup_command(args: &CleanupArgs) -> anyhow::Result<ExitStatus> {
    let mut changed = false;
    if let Some(pattern) = &args.file_pattern {
        changed |= remove_dirs(args, pattern)?;
    }
    if !args.remove_images.is_empty() {
        changed |= remove_images(args);
    }
    if args.image_prune {
        let engine = &args.process_isolation_executable;
        let status = Command::new(engine).args(["image", "prune", "-f"]).status();
        if status.is_ok_and(|s| s.success()) {
            outln!("Pruned images");
            changed = true;
        }
    }
    outln!("(changed: {})", if changed { "True" } else { "False" });
    Ok(ExitStatus::Success)
}

/// Removes the private data dirs the pattern matches, but for excluded, recent and running ones.
/// Refused when the pattern reaches a system folder (nothing is removed then); else whether any went.
fn remove_dirs(args: &CleanupArgs, pattern: &str) -> anyhow::Result<bool> {
    let matches = glob::glob(pattern).with_context(|| format!("--file-pattern {pattern:?} is not a valid glob"))?;
    let paths: Vec<PathBuf> = matches.filter_map(Result::ok).collect();
    let dangerous: Vec<&PathBuf> = paths.iter().filter(|p| is_system_folder(p)).collect();
    if !dangerous.is_empty() {
        let listed: Vec<String> = dangerous.iter().map(|path| path.display().to_string()).collect();
        let message = format!(
            "Provided pattern could result in deleting system folders:\n{}\nRefusing to continue: narrow --file-pattern.",
            listed.join("\n")
        );
        return Err(Failure::bare(message).into());
    }
    let grace = Duration::from_secs(args.grace_period.saturating_mul(60));
    let mut removed = 0;
    for path in paths {
        let text = path.display().to_string();
        if args.exclude_strings.iter().any(|s| text.contains(s.as_str())) || !path.is_dir() {
            continue;
        }
        if grace > Duration::ZERO && modified_within(&path, grace) {
            continue;
        }
        // The Python tool has this test backwards and removes running jobs' folders.
        if crate::state::daemon::job_alive(&path) {
            outln!("Excluding running project {} from cleanup", path.display());
            continue;
        }
        fs::remove_dir_all(&path).with_context(|| format!("cannot remove {}", path.display()))?;
        removed += 1;
    }
    if removed > 0 {
        outln!("Removed {removed} private data dir(s) in pattern {pattern}");
    }
    Ok(removed > 0)
}

/// Takes the named images off the engine; whether any was removed.
fn remove_images(args: &CleanupArgs) -> bool {
    let engine = &args.process_isolation_executable;
    let docker = engine.ends_with("docker");
    let mut removed = 0;
    for image in &args.remove_images {
        // `podman image untag IMAGE` alone strips every name of the image (the Python tool does
        // that, and the next prune deletes an image still in use under another name); naming the
        // tag removes only it, as `docker rmi` does.
        let ok = if docker {
            Command::new(engine).args(["rmi", "-f", image]).status()
        } else {
            Command::new(engine).args(["image", "untag", image, image]).status()
        }
        .is_ok_and(|s| s.success());
        if ok {
            removed += 1;
        }
    }
    if removed > 0 {
        outln!("Removed {removed} image(s)");
    }
    removed > 0
}

fn is_system_folder(path: &Path) -> bool {
    let temp = std::env::temp_dir();
    let resolved = fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    [path, resolved.as_path()].iter().any(|p| SYSTEM_FOLDERS.iter().any(|s| Path::new(s) == *p) || *p == temp.as_path())
}

fn modified_within(path: &Path, window: Duration) -> bool {
    fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| SystemTime::now().duration_since(t).ok())
        .is_some_and(|age| age < window)
}
