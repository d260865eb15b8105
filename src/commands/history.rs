//! `ansible-runner history`: the runs kept under `artifacts/`, newest first, as a table or JSON
//! lines. Built for thousands of kept runs: ordering needs one `stat` per run (of `job_events/`,
//! made when the run starts), and only the runs shown are read further — their `status` and `rc`,
//! the last few event files (the final stats), and the `command` file for what ran.

use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use anyhow::{bail, Context};
use chrono::{DateTime, Local, SecondsFormat, Utc};
use serde_json::{json, Map, Value};

use crate::artifacts::runmark;
use crate::artifacts::runs::{newest_first, RunDir};
use crate::cli::HistoryArgs;
use crate::exit::ExitStatus;
use crate::job::pdd::PrivateDataDir;
use crate::report::human_duration;

/// How many of the last event files are searched for the final stats (a message about how the
/// run ended can follow them).
const STATS_SEARCH: usize = 3;
/// How many of the first event files are searched for the role's name in role mode.
const ROLE_SEARCH: u64 = 12;

/// What is shown for one run.
struct Run {
    ident: String,
    dir: PathBuf,
    started: SystemTime,
    ended: Option<SystemTime>,
    /// `successful`, `failed`, `timeout`, `canceled`, `running` / `died` without `status`, or
    /// `unknown` when `status` is there but cannot be read (`unreadable` says why).
    status: String,
    unreadable: Option<String>,
    rc: Option<i32>,
    failed: Option<usize>,
    unreachable: Option<usize>,
    ran: Option<String>,
}

pub fn history_command(args: &HistoryArgs) -> anyhow::Result<ExitStatus> {
    let pdd = crate::util::fs::absolute(&args.private_data_dir);
    if !pdd.is_dir() {
        bail!("{}: no such private data dir", pdd.display());
    }
    let root = PrivateDataDir { root: pdd.clone() }.artifact_root(args.artifact_dir.as_deref());
    let mut found: Vec<RunDir> = newest_first(&root)
        .with_context(|| format!("cannot read {}", root.display()))?
        .into_iter()
        .filter(|run| run.is_run)
        .collect();
    if found.is_empty() {
        errln!("ansible-runner: no runs in {}", root.display());
        return Ok(ExitStatus::Success);
    }
    let limit = args.last.map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX));
    found.truncate(limit);
    let runs = describe_all(found);
    let mut out = io::BufWriter::new(io::stdout().lock());
    let written = if args.json {
        runs.iter().try_for_each(|run| writeln!(out, "{}", json_line(run)))
    } else {
        for run in &runs {
            if let Some(reason) = &run.unreadable {
                errln!("ansible-runner: run {}: status unknown: {reason}", printable(&run.ident));
            }
        }
        out.write_all(table(&runs).as_bytes())
    };
    match written.and_then(|()| out.flush()) {
        // A closed pipe (`| head`) is the reader's choice, not an error.
        Err(err) if err.kind() != io::ErrorKind::BrokenPipe => Err(err).context("cannot write the history"),
        _ => Ok(ExitStatus::Success),
    }
}

/// Fewer runs than this are read on the calling thread alone.
const PARALLEL_FROM: usize = 64;

/// Reads what is shown for each run, in order, on a few threads: the work is mostly file system
/// calls, which proceed in parallel.
fn describe_all(mut found: Vec<RunDir>) -> Vec<Run> {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get).min(8);
    if threads < 2 || found.len() < PARALLEL_FROM {
        return found.into_iter().map(describe).collect();
    }
    let per_thread = found.len().div_ceil(threads);
    let mut chunks = Vec::with_capacity(threads);
    while !found.is_empty() {
        let rest = found.split_off(per_thread.min(found.len()));
        chunks.push(std::mem::replace(&mut found, rest));
    }
    std::thread::scope(|scope| {
        let workers: Vec<_> = chunks
            .into_iter()
            .map(|chunk| scope.spawn(|| chunk.into_iter().map(describe).collect::<Vec<_>>()))
            .collect();
        workers.into_iter().flat_map(|w| w.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    })
}

/// Reads what is shown for one run.
fn describe(found: RunDir) -> Run {
    let mut unreadable = None;
    let (status, mut ended) = match read_status(&found.dir.join("status")) {
        Ok(Some((text, modified))) => (text.trim().to_owned(), Some(modified.unwrap_or(found.started))),
        Ok(None) if runmark::is_running(&found.dir) => ("running".to_owned(), None),
        Ok(None) => ("died".to_owned(), None),
        Err(reason) => {
            unreadable = Some(reason);
            ("unknown".to_owned(), None)
        }
    };
    let rc = read_small(&found.dir.join("rc")).and_then(|(text, _)| text.trim().parse().ok());
    let (mut failed, mut unreachable) = (None, None);
    if let Some(status_time) = ended {
        let last = last_events(&found.dir);
        (failed, unreachable) = last.host_counts.unzip();
        ended = Some(last.written.map_or(status_time, |written| written.max(status_time)));
    }
    Run {
        ran: what_ran(&found.dir),
        ident: found.ident,
        dir: found.dir,
        started: found.started,
        ended,
        status,
        unreadable,
        rc,
        failed,
        unreachable,
    }
}

/// A run's `status`: its text and time, `None` when there is none yet, or why it cannot be read
/// (a link is not followed, a FIFO not waited on).
fn read_status(path: &Path) -> Result<Option<(String, Option<SystemTime>)>, String> {
    let flags = nix::libc::O_NONBLOCK | nix::libc::O_NOFOLLOW;
    let file = match fs::OpenOptions::new().read(true).custom_flags(flags).open(path) {
        Ok(file) => file,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(err) if err.raw_os_error() == Some(nix::libc::ELOOP) => return Err("status is a symbolic link".to_owned()),
        Err(err) => return Err(format!("cannot read status: {err}")),
    };
    let meta = file.metadata().map_err(|err| format!("cannot read status: {err}"))?;
    if !meta.is_file() {
        return Err("status is not a regular file".to_owned());
    }
    let mut bytes = Vec::new();
    io::Read::read_to_end(&mut io::Read::take(file, 4096), &mut bytes)
        .map_err(|err| format!("cannot read status: {err}"))?;
    let text = String::from_utf8(bytes).map_err(|_| "status is not text".to_owned())?;
    Ok(Some((text, meta.modified().ok())))
}

/// The most read of a `command` or event file: far more than a real one holds.
const READ_LIMIT: u64 = 1 << 20;

/// A small regular file's text and modification time (at most 4 KiB of it).
fn read_small(path: &Path) -> Option<(String, Option<SystemTime>)> {
    let (bytes, modified) = read_prefix(path, 4096)?;
    Some((String::from_utf8(bytes).ok()?, modified))
}

/// At most `limit` bytes of a regular file and its modification time, from one open that neither
/// blocks (a FIFO in its place cannot hang the listing) nor follows a symlink the run left there.
fn read_prefix(path: &Path, limit: u64) -> Option<(Vec<u8>, Option<SystemTime>)> {
    let flags = nix::libc::O_NONBLOCK | nix::libc::O_NOFOLLOW;
    let file = fs::OpenOptions::new().read(true).custom_flags(flags).open(path).ok()?;
    let meta = file.metadata().ok().filter(fs::Metadata::is_file)?;
    let mut bytes = Vec::new();
    io::Read::read_to_end(&mut io::Read::take(file, limit), &mut bytes).ok()?;
    Some((bytes, meta.modified().ok()))
}

/// The event files of a run whose counter `keep` accepts, in counter order.
fn event_files(dir: &Path, keep: impl Fn(u64) -> bool) -> Vec<(u64, PathBuf)> {
    let Ok(entries) = fs::read_dir(dir.join("job_events")) else { return Vec::new() };
    let mut files: Vec<(u64, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name();
            let name = name.to_str()?;
            let counter = name.strip_suffix(".json")?.split('-').next()?.parse().ok()?;
            keep(counter).then(|| (counter, e.path()))
        })
        .collect();
    files.sort_unstable_by_key(|(counter, _)| *counter);
    files
}

/// What the last event files of a finished run tell.
struct LastEvents {
    /// When the last event was written here. For a run received by `process` this is more exact
    /// than `status`, whose time comes from the worker's zip (two-second steps).
    written: Option<SystemTime>,
    /// Hosts that failed and hosts that were unreachable, from the final stats; `None` when the
    /// run ended without them (cancelled, crashed).
    host_counts: Option<(usize, usize)>,
}

/// Reads the last event files, found by counter.
fn last_events(dir: &Path) -> LastEvents {
    let mut files = event_files(dir, |_| true);
    let tail = files.split_off(files.len().saturating_sub(STATS_SEARCH));
    let written = tail.last().and_then(|(_, path)| fs::metadata(path).and_then(|m| m.modified()).ok());
    LastEvents { written, host_counts: host_counts(&tail) }
}

/// Counts from the `playbook_on_stats` event among `tail`, the last event files.
fn host_counts(tail: &[(u64, PathBuf)]) -> Option<(usize, usize)> {
    tail.iter().rev().find_map(|(_, path)| {
        let event = read_event(path)?;
        if event.get("event").and_then(Value::as_str) != Some("playbook_on_stats") {
            return None;
        }
        let data = event.get("event_data")?;
        let hosts_with = |key: &str| {
            data.get(key)
                .and_then(Value::as_object)
                .map_or(0, |per_host| per_host.values().filter(|count| count.as_u64().is_some_and(|c| c > 0)).count())
        };
        Some((hosts_with("failures"), hosts_with("dark")))
    })
}

fn read_event(path: &Path) -> Option<Map<String, Value>> {
    serde_json::from_slice(&read_prefix(path, READ_LIMIT)?.0).ok()
}

/// What ran, read from the `command` artifact: the playbook, `module NAME`, `role NAME` (the role
/// playbook is a temporary file; its role's name is found in the first task events), or the program.
pub fn what_ran(dir: &Path) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Command {
        command: Vec<String>,
    }
    let command: Command = serde_json::from_slice(&read_prefix(&dir.join("command"), READ_LIMIT)?.0).ok()?;
    let argv = command.command;
    let program = Path::new(argv.first()?).file_name()?.to_string_lossy().into_owned();
    match program.as_str() {
        "ansible" => {
            let module = argv.iter().position(|a| a == "-m").and_then(|i| argv.get(i + 1));
            Some(format!("module {}", module.map_or("command", String::as_str)))
        }
        "ansible-playbook" => {
            let playbook = argv.last()?;
            let name = Path::new(playbook).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let generated = name.len() == 32 && name.bytes().all(|b| b.is_ascii_hexdigit());
            if generated {
                Some(role_name(dir).map_or_else(|| "role".to_owned(), |role| format!("role {role}")))
            } else {
                Some(playbook.clone())
            }
        }
        _ => Some(program),
    }
}

/// The role of a role-mode run: the `role` of its first task event that names one.
fn role_name(dir: &Path) -> Option<String> {
    event_files(dir, |counter| counter <= ROLE_SEARCH).iter().find_map(|(_, path)| {
        let event = read_event(path)?;
        let role = event.get("event_data")?.get("role")?.as_str()?;
        (!role.is_empty()).then(|| role.to_owned())
    })
}

impl Run {
    fn duration(&self) -> Option<f64> {
        let until = match (&self.ended, self.status.as_str()) {
            (Some(ended), _) => *ended,
            (None, "running") => SystemTime::now(),
            _ => return None,
        };
        Some(until.duration_since(self.started).map_or(0.0, |d| d.as_secs_f64()))
    }
}

fn json_line(run: &Run) -> Value {
    let time = |t: SystemTime| DateTime::<Utc>::from(t).to_rfc3339_opts(SecondsFormat::Millis, true);
    json!({
        "ident": run.ident,
        "started": time(run.started),
        "ended": run.ended.map(time),
        "duration": run.duration().map(|d| (d * 1000.0).round() / 1000.0),
        "status": run.status,
        "status_unreadable": run.unreadable,
        "rc": run.rc,
        "failed_hosts": run.failed,
        "unreachable_hosts": run.unreachable,
        "ran": run.ran,
        "artifact_dir": run.dir.display().to_string(),
    })
}

const HEADINGS: [&str; 8] = ["IDENT", "STARTED", "DURATION", "STATUS", "RC", "FAILED", "UNREACHABLE", "RAN"];
/// Columns aligned right (numbers).
const RIGHT: [bool; 8] = [false, false, true, false, true, true, true, false];

/// The runs as an aligned table, one line each under a heading line.
fn table(runs: &[Run]) -> String {
    let dash = || "-".to_owned();
    let count = |n: Option<usize>| n.map_or_else(dash, |n| n.to_string());
    let rows: Vec<[String; 8]> = runs
        .iter()
        .map(|run| {
            [
                printable(&run.ident),
                DateTime::<Local>::from(run.started).format("%Y-%m-%d %H:%M:%S").to_string(),
                run.duration().map_or_else(dash, human_duration),
                printable(&run.status),
                run.rc.map_or_else(dash, |rc| rc.to_string()),
                count(run.failed),
                count(run.unreachable),
                run.ran.as_deref().map_or_else(dash, printable),
            ]
        })
        .collect();
    let mut widths = HEADINGS.map(|h| h.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    for row in std::iter::once(HEADINGS.map(str::to_owned)).chain(rows) {
        let cells: Vec<String> = row
            .iter()
            .zip(widths.iter().zip(RIGHT))
            .map(|(cell, (&width, right))| if right { format!("{cell:>width$}") } else { format!("{cell:<width$}") })
            .collect();
        text.push_str(cells.join("  ").trim_end());
        text.push('\n');
    }
    text
}

/// Text safe on one line of a table: control characters shown as `?`.
fn printable(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { '?' } else { c }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn run(ident: &str, status: &str, rc: Option<i32>, ran: Option<&str>) -> Run {
        let started = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        Run {
            ident: ident.to_owned(),
            dir: PathBuf::from("/a").join(ident),
            started,
            ended: (status != "died").then(|| started + Duration::from_millis(3_250)),
            status: status.to_owned(),
            unreadable: None,
            rc,
            failed: rc.map(|_| 2),
            unreachable: rc.map(|_| 0),
            ran: ran.map(str::to_owned),
        }
    }

    #[test]
    fn table_aligns_columns_and_dashes_what_is_unknown() {
        let runs = [run("a", "failed", Some(2), Some("site.yml")), run("bbbbbbbbbbbbbb", "died", None, None)];
        let text = table(&runs);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        let status_at = lines[0].find("STATUS").unwrap();
        assert_eq!(&lines[1][status_at..status_at + 6], "failed");
        assert_eq!(&lines[2][status_at..status_at + 4], "died");
        assert!(lines[1].ends_with("  site.yml"), "{}", lines[1]);
        assert!(lines[2].ends_with("  -"), "{}", lines[2]);
        assert!(lines[1].contains("3.2s"), "{}", lines[1]);
    }

    #[test]
    fn json_lines_carry_nulls_for_unknowns() {
        let line = json_line(&run("x", "died", None, None));
        assert_eq!(line["status"], "died");
        assert_eq!(line["ended"], Value::Null);
        assert_eq!(line["duration"], Value::Null);
        assert_eq!(line["started"], "2027-01-15T08:00:00.000Z");
        assert_eq!(json_line(&run("y", "failed", Some(2), None))["duration"], 3.25);
    }
}
