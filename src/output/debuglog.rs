//! `--debug` and `--logfile`: the runner's own diagnostic lines, on stdout with `--debug` and
//! appended to the log file as `YYYY-mm-dd HH:MM:SS,mmm: message` (the Python tool's format).

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

pub struct DebugLog {
    to_stdout: bool,
    file: Option<File>,
}

impl DebugLog {
    /// The log file is created even without `--debug`, as the Python tool does.
    pub fn open(debug: bool, logfile: Option<&Path>) -> io::Result<Self> {
        let file = logfile.map(|path| OpenOptions::new().create(true).append(true).open(path)).transpose()?;
        Ok(Self { to_stdout: debug, file })
    }

    pub fn line(&mut self, message: &str) {
        if !self.to_stdout {
            return;
        }
        outln!("{message}");
        if let Some(file) = &mut self.file {
            let stamp = chrono::Local::now().format("%Y-%m-%d %H:%M:%S,%3f");
            // Diagnostics must never fail the job.
            let _ = writeln!(file, "{stamp}: {message}");
        }
    }
}
