//! The artifact directory of a run (`artifacts/<ident>/`): `command`, `job_events/`, `stdout`,
//! `stderr`, `status`, `rc`, and rotation of old runs. Final files are written atomically
//! (temp file + rename) so a killed run never leaves half a file.

pub mod dir;
pub mod runmark;
pub mod runs;

use std::fs::{self, File};
use std::io::{self, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex};
use std::thread;

use thiserror::Error;

use crate::artifacts::dir::ArtifactDir;
use crate::artifacts::runmark::RunningMark;
use crate::events::{Event, EventSink};
use crate::exit::{self, Status};
use crate::job::command_line::CommandLine;
use crate::util::pyjson;

#[derive(Debug, Error)]
pub enum ArtifactError {
    #[error("cannot write artifact {path}: {source}")]
    Write { path: PathBuf, source: io::Error },
    #[error("cannot rotate artifacts in {path}: {source}")]
    Rotate { path: PathBuf, source: io::Error },
    #[error(
        "artifact dir {path} is in use by another run with the same ident; give another --ident or wait until it ends"
    )]
    InUse { path: PathBuf },
}

/// Space for `status` and `rc`, taken when the run starts, so that a run that fills the disk can
/// still say how it ended. The files are unnamed (`O_TMPFILE`) until then: a runner that dies
/// leaves nothing behind. Where a filesystem has no unnamed files, the ordinary write is used.
#[derive(Default)]
struct Reserved {
    status: Option<File>,
    rc: Option<File>,
}

/// Longer than any status or rc.
const RESERVED_BYTES: usize = 16;

impl Reserved {
    fn take(dir: &ArtifactDir) -> Self {
        Self { status: reserve(dir), rc: reserve(dir) }
    }
}

fn reserve(dir: &ArtifactDir) -> Option<File> {
    let mut file = dir.unnamed_file().ok()?;
    file.write_all(&[b' '; RESERVED_BYTES]).ok()?;
    Some(file)
}

/// Writes `content` into a reserved file (within the space it already holds) and gives it its name.
fn publish(file: &File, content: &[u8], dir: &ArtifactDir, name: &str) -> io::Result<()> {
    let len = u64::try_from(content.len()).map_err(io::Error::other)?;
    file.write_all_at(content, 0)?;
    file.set_len(len)?;
    // A stale name (planted, or left by a run that died) is replaced rather than kept.
    dir.remove(name)?;
    dir.link(file, name)
}

/// The artifact sink: event files and the stdout text as events arrive, status and rc at the end.
pub struct ArtifactsWriter {
    /// Opened before the job started: nothing the job does to the path is followed.
    dir: ArtifactDir,
    events_dir: PathBuf,
    /// Buffered for `process`, whose stdout is rebuilt in one go; unbuffered (live) for a run.
    stdout: Option<Box<dyn Write + Send>>,
    /// `None` for a worker, which streams its events instead (its `job_events/` stays empty).
    event_files: Option<EventFiles>,
    /// `stdout` holds each event as a JSON line (`-j`) rather than its text.
    json_lines: bool,
    reserved: Reserved,
    /// Tells `history` the run is in progress and keeps other runs out; `None` where the
    /// filesystem cannot lock.
    _running: Option<RunningMark>,
}

/// An I/O error that names the file it happened to.
fn naming(path: &Path, err: &io::Error) -> io::Error {
    io::Error::new(err.kind(), format!("cannot write {}: {err}", path.display()))
}

/// One event file: its name in `job_events/` and its content.
struct EventFile {
    name: String,
    content: Vec<u8>,
}

/// Where event files are written. A run's events come one at a time, a moment apart, from a job
/// whose CPU they share: each is written by the thread that receives it, since waking another
/// thread per event would cost more than the write. `process` reads events as fast as its input
/// comes, so a pool of writers takes them in batches.
enum EventFiles {
    Inline { dir: File, events_dir: PathBuf },
    Pool(WriterPool),
}

impl EventFiles {
    fn inline(dir: File, events_dir: &Path) -> Self {
        Self::Inline { dir, events_dir: events_dir.to_owned() }
    }

    fn send(&mut self, file: EventFile) -> io::Result<()> {
        match self {
            Self::Inline { dir, events_dir } => {
                write_event(dir, &file).map_err(|err| naming(&events_dir.join(&file.name), &err))
            }
            Self::Pool(pool) => pool.send(file),
        }
    }

    fn hand_off(&mut self) -> io::Result<()> {
        match self {
            Self::Inline { .. } => Ok(()),
            Self::Pool(pool) => pool.hand_off(),
        }
    }

    fn close(&mut self) -> io::Result<()> {
        match self {
            Self::Inline { .. } => Ok(()),
            Self::Pool(pool) => pool.close(),
        }
    }
}

/// Writer threads: an atomic write is a create and a rename, and on some filesystems those
/// metadata operations, not the runner, set the pace of `process`. Files go to the writers in
/// batches: a hand-off per event would wake a writer, and the sender when the queue was full,
/// every time.
struct WriterPool {
    batch: Vec<EventFile>,
    batch_limit: usize,
    queue: Option<mpsc::SyncSender<Vec<EventFile>>>,
    writers: Vec<thread::JoinHandle<io::Result<()>>>,
}

/// Two: creating files in one directory takes that directory's lock, so more writers mostly wait
/// (spinning, on tmpfs) for each other, while one alone leaves the filesystem idle whenever it is
/// between calls.
const EVENT_WRITERS: usize = 2;
/// Events waiting to be written; bounds memory when the disk is slower than the events.
const EVENT_BACKLOG: usize = 256;
/// Events per hand-off for `process`, whose events come as fast as its input is read.
const STREAM_BATCH: usize = 64;

impl WriterPool {
    /// Writers for the open `dir` (`events_dir`), handed `batch_limit` files at a time. Files are
    /// created relative to it: no walk of its path per file.
    fn start(dir: File, events_dir: &Path, batch_limit: usize) -> Self {
        let dir = Arc::new(dir);
        let (queue, jobs) = mpsc::sync_channel::<Vec<EventFile>>((EVENT_BACKLOG / batch_limit).max(1));
        let jobs = Arc::new(Mutex::new(jobs));
        let writers = (0..EVENT_WRITERS)
            .map(|_| {
                let (jobs, dir, events_dir) = (Arc::clone(&jobs), Arc::clone(&dir), events_dir.to_owned());
                thread::spawn(move || -> io::Result<()> {
                    loop {
                        let next = jobs.lock().unwrap_or_else(std::sync::PoisonError::into_inner).recv();
                        let Ok(batch) = next else { return Ok(()) };
                        for file in batch {
                            write_event(&dir, &file).map_err(|err| naming(&events_dir.join(&file.name), &err))?;
                        }
                    }
                })
            })
            .collect();
        Self { batch: Vec::with_capacity(batch_limit), batch_limit, queue: Some(queue), writers }
    }

    /// Queues an event file; once every writer has stopped on an error, that error.
    fn send(&mut self, file: EventFile) -> io::Result<()> {
        self.batch.push(file);
        if self.batch.len() >= self.batch_limit {
            self.hand_off()?;
        }
        Ok(())
    }

    /// Hands the files held back for batching to the writers.
    fn hand_off(&mut self) -> io::Result<()> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(self.batch_limit));
        let stopped = || io::Error::other("the event file writers stopped after an error");
        let sent = self.queue.as_ref().ok_or_else(stopped)?.send(batch);
        if sent.is_err() {
            return Err(self.close().err().unwrap_or_else(stopped));
        }
        Ok(())
    }

    /// Waits until every queued event is on disk; the first write error, if any.
    fn close(&mut self) -> io::Result<()> {
        let rest = std::mem::take(&mut self.batch);
        if let (Some(queue), false) = (&self.queue, rest.is_empty()) {
            // A refused batch means the writers stopped on an error, which joining them returns.
            let _ = queue.send(rest);
        }
        drop(self.queue.take());
        let mut first_error = Ok(());
        for writer in self.writers.drain(..) {
            let result = writer.join().unwrap_or_else(|_| Err(io::Error::other("an event file writer panicked")));
            if first_error.is_ok() {
                first_error = result;
            }
        }
        first_error
    }
}

/// Whatever ends the run, the events already received reach the disk.
impl Drop for WriterPool {
    fn drop(&mut self) {
        let _ = self.close();
    }
}

/// Writes one event file into the open `job_events/`, whole or not at all.
fn write_event(dir: &File, file: &EventFile) -> io::Result<()> {
    crate::util::atomic::write_new_at(std::os::fd::AsFd::as_fd(dir), &file.name, &file.content, 0o600)
}

impl ArtifactsWriter {
    /// Fills the claimed artifact dir: an empty `job_events/`, `stdout` and `stderr`, and
    /// `command`. If that fails half-way, the dir still ends with `status` `failed` (when it can be
    /// written at all).
    pub fn create(
        dir: ArtifactDir,
        running: Option<RunningMark>,
        command: &CommandLine,
        suppress_output_file: bool,
        event_files: bool,
        json_lines: bool,
    ) -> Result<Self, ArtifactError> {
        let record_failure = |_: &ArtifactError| {
            let _ = write_final(&dir, Status::Failed, exit::RC_RUNNER_FAILED, [None, None]);
        };
        let (events_dir, events) = prepare_events_dir(&dir).inspect_err(record_failure)?;
        let stdout = Self::prepare(&dir, command, suppress_output_file).inspect_err(record_failure)?;
        let event_files = event_files.then(|| EventFiles::inline(events, &events_dir));
        let reserved = Reserved::take(&dir);
        Ok(Self { dir, events_dir, stdout, event_files, json_lines, reserved, _running: running })
    }

    /// Keeps `stdout` empty: the job's text went to a descriptor the caller passed, as with the
    /// Python tool, whose `stdout` holds what it read from the job (nothing, then).
    pub fn leave_out_text(&mut self) {
        self.stdout = None;
    }

    fn prepare(
        dir: &ArtifactDir,
        command: &CommandLine,
        suppress_output_file: bool,
    ) -> Result<Option<Box<dyn Write + Send>>, ArtifactError> {
        let command_path = dir.path().join("command");
        dir.write_atomic("command", &pyjson::to_vec_unicode(command), 0o600).map_err(fail(&command_path))?;
        remove_stale_status(dir)?;
        if suppress_output_file {
            return Ok(None);
        }
        let open = |name: &str, mode: u32| dir.create_file(name, mode, false).map_err(fail(&dir.path().join(name)));
        let stdout = open("stdout", 0o600)?;
        open("stderr", 0o644)?;
        Ok(Some(Box::new(stdout)))
    }

    /// For events that arrive already numbered (`process`): `job_events/` and `stdout` only; the
    /// other files come from the worker's artifact zip.
    pub fn for_stream(path: &Path) -> Result<Self, ArtifactError> {
        let dir = ArtifactDir::create(path).map_err(fail(path))?;
        let running = claim(&dir)?;
        let (events_dir, events) = prepare_events_dir(&dir)?;
        // An earlier run's ending must not stand for this one while it streams in.
        remove_stale_status(&dir)?;
        let stdout = dir.create_file("stdout", 0o600, true).map_err(fail(&path.join("stdout")))?;
        let stdout: Box<dyn Write + Send> = Box::new(io::BufWriter::with_capacity(64 * 1024, stdout));
        let event_files = EventFiles::Pool(WriterPool::start(events, &events_dir, STREAM_BATCH));
        Ok(Self {
            dir,
            events_dir,
            stdout: Some(stdout),
            event_files: Some(event_files),
            json_lines: false,
            reserved: Reserved::default(),
            _running: running,
        })
    }

    /// Waits until every event file is written (before `status`, so a finished run is complete).
    pub fn close(&mut self) -> Result<(), ArtifactError> {
        if let Some(file) = &mut self.stdout {
            file.flush().map_err(|source| ArtifactError::Write { path: self.dir.path().join("stdout"), source })?;
        }
        match &mut self.event_files {
            Some(files) => {
                files.close().map_err(|source| ArtifactError::Write { path: self.events_dir.clone(), source })
            }
            None => Ok(()),
        }
    }

    /// Writes `status` then `rc`, as the Python tool does. Events that could not all be written
    /// make the run `failed` (and the error is returned).
    pub fn finish(&mut self, status: Status, rc: i32) -> Result<(), ArtifactError> {
        if let Err(err) = self.close() {
            let _ = self.write_status(Status::Failed, exit::RC_RUNNER_FAILED);
            return Err(err);
        }
        self.write_status(status, rc)
    }

    /// Ends a run the runner could not complete: what can still be written is, then `failed`.
    pub fn abandon(&mut self) {
        let _ = self.close();
        let _ = self.write_status(Status::Failed, exit::RC_RUNNER_FAILED);
    }

    fn write_status(&mut self, status: Status, rc: i32) -> Result<(), ArtifactError> {
        let reserved = [self.reserved.status.take(), self.reserved.rc.take()];
        write_final(&self.dir, status, rc, reserved)
    }
}

/// Writes the final `status` and `rc` files of the artifact dir at `path` (a symlink in its place
/// is not followed).
pub fn write_status(path: &Path, status: Status, rc: i32) -> Result<(), ArtifactError> {
    let dir = ArtifactDir::open(path).map_err(fail(path))?;
    write_final(&dir, status, rc, [None, None])
}

/// `status` then `rc`, each into its reserved space when there is one, else written the usual way.
pub fn write_final(
    dir: &ArtifactDir,
    status: Status,
    rc: i32,
    reserved: [Option<File>; 2],
) -> Result<(), ArtifactError> {
    let contents = [("status", status.as_str().to_owned()), ("rc", rc.to_string())];
    for ((name, content), space) in contents.into_iter().zip(reserved) {
        if space.is_some_and(|file| publish(&file, content.as_bytes(), dir, name).is_ok()) {
            continue;
        }
        dir.write_atomic(name, content.as_bytes(), 0o600).map_err(fail(&dir.path().join(name)))?;
    }
    Ok(())
}

/// Removes the `status` and `rc` of an earlier run with the same ident: they describe a finished
/// job, and this one has not finished.
fn remove_stale_status(dir: &ArtifactDir) -> Result<(), ArtifactError> {
    for stale in ["status", "rc"] {
        dir.remove(stale).map_err(fail(&dir.path().join(stale)))?;
    }
    Ok(())
}

/// Claims the dir for this run; a dir another run holds is refused with a message saying so.
pub fn claim(dir: &ArtifactDir) -> Result<Option<RunningMark>, ArtifactError> {
    match runmark::claim(dir) {
        Ok(mark) => Ok(Some(mark)),
        Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
            Err(ArtifactError::InUse { path: dir.path().to_owned() })
        }
        // A filesystem without locks: the run goes on unmarked.
        Err(_) => Ok(None),
    }
}

/// Maps an I/O error to one naming the artifact path.
fn fail(path: &Path) -> impl FnOnce(io::Error) -> ArtifactError {
    let path = path.to_owned();
    move |source| ArtifactError::Write { path, source }
}

/// An empty `job_events/`, opened: events of an earlier run with the same ident are removed so that
/// runs never mix.
fn prepare_events_dir(dir: &ArtifactDir) -> Result<(PathBuf, File), ArtifactError> {
    let events_dir = dir.path().join("job_events");
    dir.remove("job_events").map_err(fail(&events_dir))?;
    dir.create_dir("job_events").map_err(fail(&events_dir))?;
    let events = dir.open_dir("job_events").map_err(fail(&events_dir))?;
    Ok((events_dir, events))
}

impl ArtifactsWriter {
    /// Records an event received whole from a stream: `line` is stored unchanged as its file `name`
    /// (`<counter>-<uuid>.json`) and `text` is added to `stdout`.
    pub fn write_received(&mut self, name: String, line: &[u8], text: &str) -> io::Result<()> {
        self.record(name, line.to_vec(), text)
    }

    /// Hands the event files held back for batching to the writers: for a caller about to wait for
    /// input, so that no event waits in memory for the next one.
    pub fn hand_off_events(&mut self) -> io::Result<()> {
        self.event_files.as_mut().map_or(Ok(()), EventFiles::hand_off)
    }

    fn record(&mut self, name: String, content: Vec<u8>, text: &str) -> io::Result<()> {
        if let Some(files) = &mut self.event_files {
            files.send(EventFile { name, content })?;
        }
        if let Some(file) = &mut self.stdout {
            file.write_all(text.as_bytes()).map_err(|err| naming(&self.dir.path().join("stdout"), &err))?;
        }
        Ok(())
    }
}

impl EventSink for ArtifactsWriter {
    fn on_event(&mut self, event: &Event) -> io::Result<()> {
        let content = pyjson::to_vec(&event.json);
        if self.json_lines && event.shown_as_json() {
            let line = format!("{}\n", String::from_utf8_lossy(&content));
            return self.record(event.file_name(), content, &line);
        }
        self.record(event.file_name(), content, &event.text)
    }
}

/// Keeps the newest `keep` entries of the artifact root. Plain files in the root are left alone
/// rather than crashing the run, unlike the Python tool.
pub fn rotate(root: &Path, keep: i64) -> Result<(), ArtifactError> {
    let Ok(keep) = usize::try_from(keep) else { return Ok(()) };
    if keep == 0 {
        return Ok(());
    }
    let fail = |source| ArtifactError::Rotate { path: root.to_owned(), source };
    for old in runs::newest_first(root).map_err(fail)?.into_iter().skip(keep) {
        fs::remove_dir_all(&old.dir).map_err(fail)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime};

    #[test]
    fn rotation_keeps_the_newest_and_skips_files() {
        let root = tempfile::tempdir().unwrap();
        let base = SystemTime::now() - Duration::from_secs(100);
        for (i, name) in ["b", "a", "c"].iter().enumerate() {
            let dir = root.path().join(name);
            fs::create_dir(&dir).unwrap();
            fs::File::open(&dir).unwrap().set_modified(base + Duration::from_secs(i as u64 * 10)).unwrap();
        }
        fs::write(root.path().join("stray"), "x").unwrap();
        rotate(root.path(), 2).unwrap();
        let mut left: Vec<String> =
            fs::read_dir(root.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        left.sort();
        assert_eq!(left, ["a", "c", "stray"]);
    }

    #[test]
    fn atomic_write_replaces_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rc");
        crate::util::atomic::write(&path, b"0", 0o600, crate::util::atomic::Durability::Renamed).unwrap();
        crate::util::atomic::write(&path, b"254", 0o600, crate::util::atomic::Durability::Renamed).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "254");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
