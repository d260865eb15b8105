//! `ansible-runner replay`: shows a run again from its artifacts — the same text as it printed
//! live (or `-j` JSON lines), and optionally its JUnit report — and with `--follow` keeps showing a
//! running job's events as they are written, until its `status` appears.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

use crate::config::{self, PrivateDataDir};
use crate::display::{stdout_wants_colour, TerminalRenderer};
use crate::events::{Event, EventSink};
use crate::job::OutputMode;

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
    let newest = fs::read_dir(root)
        .with_context(|| format!("no runs in {}", root.display()))?
        .filter_map(Result::ok)
        .filter(|e| e.path().join("job_events").is_dir())
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .max();
    newest.map(|(_, path)| path).with_context(|| format!("no runs in {}", root.display()))
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

/// `ansible-runner replay`.
pub fn replay_command(args: &crate::cli::ReplayArgs) -> anyhow::Result<i32> {
    let pdd = PrivateDataDir { root: config::absolute(&args.private_data_dir) };
    let root = pdd.artifact_root(args.artifact_dir.as_deref());
    let dir = find_run(&root, args.ident.as_deref())?;
    let mode = OutputMode::from_flags(args.quiet, args.json);
    let mut terminal = TerminalRenderer::new(std::io::stdout(), mode, stdout_wants_colour());
    replay_events(&dir, args.follow, &mut [&mut terminal])?;
    let rc = fs::read_to_string(dir.join("rc")).ok().and_then(|rc| rc.trim().parse().ok());
    Ok(rc.unwrap_or(crate::exit::OK))
}
