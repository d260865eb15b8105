//! The embedded Ansible stdout callback and the directory it is installed into for one run:
//! `callback/awx_display.py` (pointed at by `ANSIBLE_CALLBACK_PLUGINS`) and the `events` FIFO the
//! plugin writes one JSON record per event into. A local run uses a private temp dir; a container
//! job uses its artifact dir, the one place both sides of the bind mount see. Either way both
//! disappear when the run ends.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use nix::sys::stat::Mode;

/// The plugin's source, shipped inside the binary so the runner needs no Python package.
pub const PLUGIN_SOURCE: &str = include_str!("callback/awx_display.py");

pub struct CallbackInstall {
    root: PathBuf,
    /// Owns the root of a local run's install; `None` when the install lives in an artifact dir.
    temp: Option<tempfile::TempDir>,
}

impl CallbackInstall {
    /// Writes the plugin and creates the event FIFO in a fresh 0700 temp directory.
    pub fn create() -> io::Result<Self> {
        let temp = tempfile::Builder::new().prefix("ansible-runner-").tempdir()?;
        let root = temp.path().to_owned();
        populate(&root)?;
        Ok(Self { root, temp: Some(temp) })
    }

    /// Writes the plugin and creates the event FIFO inside `dir` (created 0700 if needed),
    /// replacing any left there by an earlier run.
    pub fn create_in(dir: &Path) -> io::Result<Self> {
        crate::config::create_dir_private(dir)?;
        let install = Self { root: dir.to_owned(), temp: None };
        install.remove_from_dir()?;
        populate(dir)?;
        Ok(install)
    }

    pub fn plugin_dir(&self) -> PathBuf {
        self.root.join("callback")
    }

    pub fn events_path(&self) -> PathBuf {
        self.root.join("events")
    }

    fn remove_from_dir(&self) -> io::Result<()> {
        let absent_ok = |result: io::Result<()>| match result {
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(()),
            other => other,
        };
        absent_ok(fs::remove_dir_all(self.plugin_dir()))?;
        absent_ok(fs::remove_file(self.events_path()))
    }
}

impl Drop for CallbackInstall {
    fn drop(&mut self) {
        if self.temp.is_none() {
            // Best effort: the run has ended and its status is already written.
            let _ = self.remove_from_dir();
        }
    }
}

fn populate(root: &Path) -> io::Result<()> {
    let plugin_dir = root.join("callback");
    fs::create_dir(&plugin_dir)?;
    fs::write(plugin_dir.join(format!("{}.py", crate::command::CALLBACK_NAME)), PLUGIN_SOURCE)?;
    nix::unistd::mkfifo(&root.join("events"), Mode::S_IRUSR | Mode::S_IWUSR).map_err(io::Error::from)
}
