//! `ansible-runner replay`: shows a run again from its artifacts — the same text as it printed
//! live (or `-j` JSON lines), its summary line, and optionally its JUnit report — and with
//! `--follow` keeps showing a running job's events as they are written, until its `status` appears.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

use chrono::{DateTime, Utc};

use crate::events::{Event, EventSink};
use crate::exit::ExitStatus;
use crate::exit::Status;
use crate::job::pdd::PrivateDataDir;
use crate::job::OutputMode;
use crate::output::display::{stderr_wants_colour, stdout_wants_colour, TerminalRenderer};
use crate::report::{RunReports, SummaryStyle};
use crate::request::ReportOptions;

const FOLLOW_POLL: Duration = Duration::from_millis(100);

/// The artifact dir to show: the named ident, or the most recently modified run.
pub fn find_run(root: &Path, ident: Option<&str>) -> anyhow::Result<PathBuf> {
    if let Some(ident) = ident {
        let dir = root.join(ident);
        if !dir.join("job_events").is_dir() {
            bail!("no run {ident:?} in {}", root.display());
        }
        return Ok(dir);
    }
    let runs = crate::artifacts::runs::newest_first(root).with_context(|| format!("cannot read {}", root.display()))?;
    let newest = runs.into_iter().find(|run| run.is_run);
    newest.map(|run| run.dir).with_context(|| format!("no runs in {}", root.display()))
}

/// Reads the events written so far, keyed by counter.
fn read_events(dir: &Path, after: u64) -> anyhow::Result<BTreeMap<u64, PathBuf>> {
    let events_dir = dir.join("job_events");
    let mut found = BTreeMap::new();
    for entry in fs::read_dir(&events_dir).with_context(|| format!("cannot read {}", events_dir.display()))? {
        let path = entry.with_context(|| format!("cannot read {}", events_dir.display()))?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if Path::new(name).extension().is_none_or(|ext| ext != "json") || name.starts_with('.') {
            continue;
        }
        if let Some(counter) = name.split('-').next().and_then(|c| c.parse::<u64>().ok()) {
            if counter > after {
                found.insert(counter, path);
            }
        }
    }
    Ok(found)
}

fn load(path: &Path) -> anyhow::Result<Event> {
    let text = fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let json = serde_json::from_str(&text).with_context(|| format!("{} is not an event", path.display()))?;
    Ok(Event::from_json(json))
}

/// Feeds the run's events, in counter order, to `sinks`; with `follow`, waits for more until the
/// run's `status` file exists and no event is missing.
pub fn replay_events(dir: &Path, follow: bool, sinks: &mut [&mut dyn EventSink]) -> anyhow::Result<u64> {
    let mut next = 1;
    let mut stalled_since: Option<Instant> = None;
    loop {
        let finished = dir.join("status").exists();
        let mut progressed = false;
        for (counter, path) in read_events(dir, next - 1)? {
            if counter != next {
                break;
            }
            let event = load(&path)?;
            for sink in sinks.iter_mut() {
                sink.on_event(&event).context("cannot show an event")?;
            }
            next += 1;
            progressed = true;
        }
        if !follow {
            return Ok(next - 1);
        }
        if finished && !progressed {
            // A run that ended has all its events written; a gap left by a killed runner is not worth waiting for.
            let since = *stalled_since.get_or_insert_with(Instant::now);
            if read_events(dir, next - 1)?.is_empty() || since.elapsed() > Duration::from_secs(1) {
                return Ok(next - 1);
            }
        } else {
            stalled_since = None;
        }
        if !progressed {
            std::thread::sleep(FOLLOW_POLL);
        }
    }
}

/// `ansible-runner replay`: the events, then the reports of the run as its artifacts tell it: the
/// summary line (on a terminal, or with `-q`, which shows it in place of the events) and `--junit`.
pub fn replay_command(args: &crate::cli::ReplayArgs) -> anyhow::Result<ExitStatus> {
    let pdd = PrivateDataDir { root: crate::util::fs::absolute(&args.private_data_dir) };
    let root = pdd.artifact_root(args.artifact_dir.as_deref());
    let dir = find_run(&root, args.ident.as_deref())?;
    let mode = OutputMode::from_flags(args.quiet, args.json);
    let mut terminal = TerminalRenderer::new(std::io::stdout(), mode, stdout_wants_colour());
    let style = replay_summary_style(args.quiet, args.json);
    let options = ReportOptions { junit: args.junit.clone(), ..ReportOptions::default() };
    let mut reports = RunReports::new(&options, style).with_colour(stderr_wants_colour());
    let mut span = Span::default();
    let mut sinks: Vec<&mut dyn EventSink> = vec![&mut terminal, &mut span];
    sinks.extend(reports.sinks());
    replay_events(&dir, args.follow, &mut sinks)?;
    let rc = fs::read_to_string(dir.join("rc")).ok().and_then(|rc| rc.trim().parse().ok());
    let status = fs::read_to_string(dir.join("status")).ok().and_then(|text| Status::parse(&text));
    if let (Some(status), Some((started, ended))) = (status, span.times()) {
        let ident = dir.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
        reports.with_times(started, ended).finish(status, rc.unwrap_or(crate::exit::FAILURE), &ident, &dir);
    } else if args.junit.is_some() || args.quiet {
        errln!("ansible-runner: {} has not ended (no status) or has no events: no summary", dir.display());
    }
    Ok(rc.map_or(ExitStatus::Success, ExitStatus::Job))
}

/// `-q` promises the summary in place of the events; otherwise it is for a person at a terminal,
/// and `-j` keeps stderr for JSON consumers as `run -j` does.
fn replay_summary_style(quiet: bool, json: bool) -> SummaryStyle {
    use std::io::IsTerminal;
    if quiet || (!json && std::io::stderr().is_terminal()) {
        SummaryStyle::OneLine
    } else {
        SummaryStyle::Silent
    }
}

/// The first and last time an event was made: when the run started and ended.
#[derive(Default)]
struct Span {
    first: Option<DateTime<Utc>>,
    last: Option<DateTime<Utc>>,
}

impl Span {
    fn times(&self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        Some((self.first?, self.last?))
    }
}

impl EventSink for Span {
    fn on_event(&mut self, event: &Event) -> std::io::Result<()> {
        let created = event.json.get("created").and_then(serde_json::Value::as_str);
        if let Some(at) = created.and_then(|text| DateTime::parse_from_rfc3339(text).ok()) {
            let at = at.with_timezone(&Utc);
            self.first = Some(self.first.map_or(at, |first| first.min(at)));
            self.last = Some(self.last.map_or(at, |last| last.max(at)));
        }
        Ok(())
    }
}
