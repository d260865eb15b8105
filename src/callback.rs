//! The embedded Ansible stdout callback and the private directory it is installed into for one run:
//! `callback/awx_display.py` (pointed at by `ANSIBLE_CALLBACK_PLUGINS`) and the `events` FIFO the
//! plugin writes one JSON record per event into. The directory disappears when the run ends.

use std::fs;
use std::io;
use std::path::PathBuf;

use nix::sys::stat::Mode;

/// The plugin's source, shipped inside the binary so the runner needs no Python package.
pub const PLUGIN_SOURCE: &str = include_str!("callback/awx_display.py");

pub struct CallbackInstall {
    dir: tempfile::TempDir,
}

impl CallbackInstall {
    /// Writes the plugin and creates the event FIFO in a fresh 0700 temp directory.
    pub fn create() -> io::Result<Self> {
        let dir = tempfile::Builder::new().prefix("ansible-runner-").tempdir()?;
        let plugin_dir = dir.path().join("callback");
        fs::create_dir(&plugin_dir)?;
        fs::write(plugin_dir.join(format!("{}.py", crate::command::CALLBACK_NAME)), PLUGIN_SOURCE)?;
        nix::unistd::mkfifo(&dir.path().join("events"), Mode::S_IRUSR | Mode::S_IWUSR).map_err(io::Error::from)?;
        Ok(Self { dir })
    }

    pub fn plugin_dir(&self) -> PathBuf {
        self.dir.path().join("callback")
    }

    pub fn events_path(&self) -> PathBuf {
        self.dir.path().join("events")
    }
}
