//! The embedded Ansible stdout callback and the directory it is installed into for one run:
//! `callback/awx_display.py` (pointed at by `ANSIBLE_CALLBACK_PLUGINS`) and the `events` FIFO the
//! plugin writes one JSON record per event into. A local run uses a private temp dir; a container
//! job uses its artifact dir, the one place both sides of the bind mount see. Either way both
//! disappear when the run ends.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use std::os::fd::AsFd;

use nix::sys::stat::Mode;

use crate::artifacts::dir::ArtifactDir;

/// The plugin's source, shipped inside the binary so the runner needs no Python package.
pub const PLUGIN_SOURCE: &str = include_str!("awx_display.py");

pub struct CallbackInstall {
    root: PathBuf,
    place: Place,
}

/// Where the install lives, and so how it goes.
enum Place {
    /// A local run's private temp dir, removed with it.
    Temp { _dir: tempfile::TempDir },
    /// An isolated job's artifact dir, which the job can rewrite: removed through the handle.
    Artifacts(ArtifactDir),
}

impl CallbackInstall {
    /// Writes the plugin and creates the event FIFO in a fresh 0700 temp directory.
    pub fn create() -> io::Result<Self> {
        let temp = tempfile::Builder::new().prefix("ansible-runner-").tempdir()?;
        let root = temp.path().to_owned();
        populate(&root)?;
        Ok(Self { root, place: Place::Temp { _dir: temp } })
    }

    /// Writes the plugin and creates the event FIFO inside the artifact dir, replacing any left
    /// there by an earlier run.
    pub fn create_in(dir: &ArtifactDir) -> io::Result<Self> {
        let install = Self { root: dir.path().to_owned(), place: Place::Artifacts(dir.clone()) };
        remove_from(dir)?;
        dir.create_dir("callback")?;
        let plugin_dir = dir.open_dir("callback")?;
        let name = format!("{}.py", crate::job::command_line::CALLBACK_NAME);
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
        self.root.join("callback")
    }

    pub fn events_path(&self) -> PathBuf {
        self.root.join("events")
    }
}

fn remove_from(dir: &ArtifactDir) -> io::Result<()> {
    dir.remove("callback")?;
    dir.remove("events")
}

impl Drop for CallbackInstall {
    fn drop(&mut self) {
        if let Place::Artifacts(dir) = &self.place {
            // Best effort: the run has ended and its status is already written.
            let _ = remove_from(dir);
        }
    }
}

fn populate(root: &Path) -> io::Result<()> {
    let plugin_dir = root.join("callback");
    fs::create_dir(&plugin_dir)?;
    fs::write(plugin_dir.join(format!("{}.py", crate::job::command_line::CALLBACK_NAME)), PLUGIN_SOURCE)?;
    nix::unistd::mkfifo(&root.join("events"), Mode::S_IRUSR | Mode::S_IWUSR).map_err(io::Error::from)
}
