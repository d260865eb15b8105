//! The run summary: per-host counts, the failed and unreachable hosts with their first error, the
//! task that failed first and how long each task took, gathered from events so that one line at the
//! end (and the alert payload) can say what happened without anyone reading the whole output.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use indexmap::IndexMap;
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::{
    clean_line, clip, created, event_data, iso, natural_cmp, seconds_between, str_field, JobOrigin, Outcome, RunEnd,
    TaskRecords, TaskResult,
};
use crate::events::{Event, EventKind, EventSink};
use crate::exit::Status;

/// At most this many host names are spelled out in the one-line summary.
const HOSTS_IN_LINE: usize = 10;

/// What one host did, as Ansible's `PLAY RECAP` counts it (`ok` includes `changed`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct HostCounts {
    pub ok: u64,
    pub changed: u64,
    pub failed: u64,
    pub unreachable: u64,
    pub skipped: u64,
    pub rescued: u64,
    pub ignored: u64,
}

/// A failed or unreachable host, the first error it reported and the task that reported it
/// (`None` when no result event carried one, for instance when only the final stats named the host).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostError {
    pub host: String,
    pub message: Option<String>,
    pub task: Option<String>,
}

/// The first task that failed (or found its host unreachable) on a host the run reports as failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailingTask {
    pub task: String,
    pub play: String,
    pub host: String,
    /// `file:line` of the task, so the reader can open it directly.
    pub task_path: String,
}

/// How a run ended, ready to print or to send.
#[derive(Debug, Clone)]
pub struct RunSummary {
    pub ident: String,
    pub status: RunEnd,
    pub rc: i32,
    pub started: DateTime<Utc>,
    pub ended: DateTime<Utc>,
    /// Seconds, to the millisecond.
    pub duration: f64,
    pub hosts: BTreeMap<String, HostCounts>,
    pub failed_hosts: Vec<HostError>,
    pub unreachable_hosts: Vec<HostError>,
    pub failing_task: Option<FailingTask>,
    /// `None` for a run that left no artifact dir (one that could not start).
    pub artifact_dir: Option<PathBuf>,
    /// Wall time of each task run, in the order the tasks started.
    pub tasks: Vec<TaskTime>,
    /// Why the run ended as it did when no host result says it: Ansible's error line (a syntax
    /// error fails before any host runs), the task and hosts a timeout or cancel cut short, or
    /// why the run could not start.
    pub reason: Option<String>,
    /// `env/cmdline` arguments this command line did not give (an earlier `--cmdline` leaves them
    /// there, and every later run gets them: a `--check` kept by mistake turns runs into dry runs).
    pub env_cmdline: Option<String>,
    /// Which job ran where, when the caller knows it.
    pub origin: Option<JobOrigin>,
}

/// How long one run of a task took across all its hosts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskTime {
    pub task: String,
    pub play: String,
    pub seconds: f64,
}

/// Which counter of [`HostCounts`] a stats field fills.
type CountSlot = fn(&mut HostCounts) -> &mut u64;

/// The first error of a host, with where it happened and when (event order).
#[derive(Debug, Clone)]
struct HostRecord {
    order: usize,
    message: String,
    task: String,
    play: String,
    task_path: String,
}

/// One run of a task: from its start event, and the span of its hosts' results.
#[derive(Debug, Clone)]
struct TaskRun {
    uuid: String,
    task: String,
    play: String,
    /// Start event time, and the next task's start (the fallback when no host reported a result).
    opened: Option<DateTime<Utc>>,
    closed: Option<DateTime<Utc>>,
    first_start: Option<DateTime<Utc>>,
    last_end: Option<DateTime<Utc>>,
    longest: Option<f64>,
}

impl TaskRun {
    fn new(uuid: &str, task: &str, play: &str, opened: Option<DateTime<Utc>>) -> Self {
        Self {
            uuid: uuid.to_owned(),
            task: task.to_owned(),
            play: play.to_owned(),
            opened,
            closed: None,
            first_start: None,
            last_end: None,
            longest: None,
        }
    }

    fn seconds(&self, run_end: DateTime<Utc>) -> f64 {
        let from_results = match (self.first_start, self.last_end) {
            (Some(start), Some(end)) => Some(seconds_between(start, end)),
            _ => None,
        };
        from_results
            .or(self.longest)
            .or_else(|| self.opened.map(|open| seconds_between(open, self.closed.unwrap_or(run_end))))
            .unwrap_or(0.0)
    }
}

/// Gathers the summary while events flow; [`SummaryCollector::finish`] turns it into a [`RunSummary`].
#[derive(Debug, Default)]
pub struct SummaryCollector {
    /// Counts from `playbook_on_stats`: authoritative (it knows about rescued blocks) but only
    /// sent when the playbook ends normally.
    stats: Option<BTreeMap<String, HostCounts>>,
    /// Counts made from results, used when the stats never came (timeout, cancel, crash).
    counted: BTreeMap<String, HostCounts>,
    failures: IndexMap<String, HostRecord>,
    unreachables: IndexMap<String, HostRecord>,
    tasks: Vec<TaskRun>,
    /// Index of the task run still waiting for the next start event to close its window.
    open_task: Option<usize>,
    results_seen: usize,
    /// Hosts that started a task and have not reported its result, keyed by (task uuid, host),
    /// with the task's name: what a timeout or cancel cut short.
    running: IndexMap<(String, String), String>,
    /// Ansible's first error line (`ERROR! …`, `[ERROR]: …`) with the `Origin:` line after it.
    ansible_error: Option<String>,
    /// The last line of output outside the tasks (the runner's own word on how the job ended).
    last_output: Option<String>,
    /// Whether the line before was Ansible's error, so that an `Origin:` line joins it.
    error_open: bool,
}

impl SummaryCollector {
    pub fn new() -> Self {
        Self::default()
    }

    /// The summary of the finished run; works with any subset of events, including none.
    pub fn finish(
        mut self,
        status: impl Into<RunEnd>,
        rc: i32,
        started: DateTime<Utc>,
        ended: DateTime<Utc>,
        ident: &str,
        artifact_dir: &Path,
    ) -> RunSummary {
        let tasks = self
            .tasks
            .iter()
            .map(|t| TaskTime { task: t.task.clone(), play: t.play.clone(), seconds: t.seconds(ended) })
            .collect();
        let from_stats = self.stats.is_some();
        let status = status.into();
        let reason = self.reason(status);
        let hosts = self.stats.take().unwrap_or_else(|| std::mem::take(&mut self.counted));
        let (failed, unreachable) = self.failing_hosts(&hosts, from_stats);
        let failing_task = self.failing_task(&failed, &unreachable);
        let errors = |names: &[&str], records: &IndexMap<String, HostRecord>| -> Vec<HostError> {
            names
                .iter()
                .map(|h| HostError {
                    host: (*h).to_owned(),
                    message: records.get(*h).map(|r| r.message.clone()),
                    task: records.get(*h).map(|r| r.task.clone()),
                })
                .collect()
        };
        let duration = (seconds_between(started, ended) * 1000.0).round() / 1000.0;
        let reason = reason.filter(|_| stopped(status) || (failed.is_empty() && unreachable.is_empty()));
        RunSummary {
            ident: ident.to_owned(),
            status,
            rc,
            started,
            ended,
            duration,
            failed_hosts: errors(&failed, &self.failures),
            unreachable_hosts: errors(&unreachable, &self.unreachables),
            hosts,
            failing_task,
            artifact_dir: Some(artifact_dir.to_owned()),
            tasks,
            reason,
            env_cmdline: None,
            origin: None,
        }
    }

    /// The failed and unreachable hosts in natural order: from the play recap when there is one,
    /// else from the results seen.
    fn failing_hosts<'a>(
        &'a self,
        hosts: &'a BTreeMap<String, HostCounts>,
        from_stats: bool,
    ) -> (Vec<&'a str>, Vec<&'a str>) {
        let (mut failed, mut unreachable): (Vec<&str>, Vec<&str>) = if from_stats {
            (
                hosts.iter().filter(|(_, c)| c.failed > 0).map(|(h, _)| h.as_str()).collect(),
                hosts.iter().filter(|(_, c)| c.unreachable > 0).map(|(h, _)| h.as_str()).collect(),
            )
        } else {
            (self.failures.keys().map(String::as_str).collect(), self.unreachables.keys().map(String::as_str).collect())
        };
        failed.sort_by(|a, b| natural_cmp(a, b));
        unreachable.sort_by(|a, b| natural_cmp(a, b));
        (failed, unreachable)
    }

    /// The first task that failed or could not reach one of these hosts.
    fn failing_task(&self, failed: &[&str], unreachable: &[&str]) -> Option<FailingTask> {
        failed
            .iter()
            .filter_map(|h| self.failures.get(*h).map(|r| (*h, r)))
            .chain(unreachable.iter().filter_map(|h| self.unreachables.get(*h).map(|r| (*h, r))))
            .min_by_key(|(_, r)| r.order)
            .map(|(host, r)| FailingTask {
                task: r.task.clone(),
                play: r.play.clone(),
                host: host.to_owned(),
                task_path: r.task_path.clone(),
            })
    }

    /// Why a run that did not succeed ended so, for when its host results do not say it: the
    /// hosts a timeout or cancel cut short, else Ansible's error line, else the last line of output.
    fn reason(&self, status: RunEnd) -> Option<String> {
        if status.succeeded() {
            return None;
        }
        stopped(status)
            .then(|| self.cut_short())
            .flatten()
            .or_else(|| self.ansible_error.clone())
            .or_else(|| self.last_output.clone())
    }

    /// `"Hang forever" was running on web1, web2`: the tasks still running, with their hosts.
    fn cut_short(&self) -> Option<String> {
        let mut by_task: IndexMap<&str, Vec<&str>> = IndexMap::new();
        for ((_, host), task) in &self.running {
            by_task.entry(task.as_str()).or_default().push(host.as_str());
        }
        let parts: Vec<String> = by_task
            .into_iter()
            .map(|(task, mut hosts)| {
                hosts.sort_by(|a, b| natural_cmp(a, b));
                let names: Vec<HostError> =
                    hosts.iter().map(|h| HostError { host: (*h).to_owned(), message: None, task: None }).collect();
                format!("{task:?} was running on {}", host_list(&names))
            })
            .collect();
        (!parts.is_empty()).then(|| clip(&parts.join("; ")))
    }

    fn start_task(&mut self, event: &Event) {
        let at = created(event);
        self.close_task(at);
        let data = event_data(event);
        self.tasks.push(TaskRun::new(
            str_field(data, "task_uuid"),
            str_field(data, "task"),
            str_field(data, "play"),
            at,
        ));
        self.open_task = Some(self.tasks.len() - 1);
    }

    fn close_task(&mut self, at: Option<DateTime<Utc>>) {
        if let Some(index) = self.open_task.take() {
            if let Some(task) = self.tasks.get_mut(index) {
                task.closed = at;
            }
        }
    }

    fn time_result(&mut self, result: &TaskResult<'_>) {
        let index = if let Some(index) = self.tasks.iter().rposition(|t| t.uuid == result.task_uuid) {
            index
        } else {
            // Ad-hoc runs send results without a task start.
            self.tasks.push(TaskRun::new(result.task_uuid, result.task, result.play, result.start));
            self.tasks.len() - 1
        };
        let Some(task) = self.tasks.get_mut(index) else { return };
        if let Some(start) = result.start {
            task.first_start = Some(task.first_start.map_or(start, |s| s.min(start)));
        }
        if let Some(end) = result.end {
            task.last_end = Some(task.last_end.map_or(end, |e| e.max(end)));
        }
        if let Some(duration) = result.duration {
            task.longest = Some(task.longest.map_or(duration, |l| l.max(duration)));
        }
    }

    fn record_stats(&mut self, event: &Event) {
        let Some(data) = event_data(event) else { return };
        let mut hosts: BTreeMap<String, HostCounts> = BTreeMap::new();
        // `processed` names every host that ran, including those with nothing to count.
        for host in data.get("processed").and_then(Value::as_object).into_iter().flat_map(Map::keys) {
            hosts.entry(host.clone()).or_default();
        }
        let fields: [(&str, CountSlot); 7] = [
            ("ok", |c| &mut c.ok),
            ("changed", |c| &mut c.changed),
            ("failures", |c| &mut c.failed),
            ("dark", |c| &mut c.unreachable),
            ("skipped", |c| &mut c.skipped),
            ("rescued", |c| &mut c.rescued),
            ("ignored", |c| &mut c.ignored),
        ];
        for (key, slot) in fields {
            let Some(per_host) = data.get(key).and_then(Value::as_object) else { continue };
            for (host, count) in per_host {
                *slot(hosts.entry(host.clone()).or_default()) = count.as_u64().unwrap_or(0);
            }
        }
        self.stats = Some(hosts);
    }
}

impl TaskRecords for SummaryCollector {
    fn record_start(&mut self, event: &Event) {
        let data = event_data(event);
        let key = (str_field(data, "task_uuid").to_owned(), str_field(data, "host").to_owned());
        self.running.insert(key, str_field(data, "task").to_owned());
    }

    /// Keeps Ansible's error line and the last line of output from output outside the tasks.
    fn record_output(&mut self, event: &Event) {
        let text = console::strip_ansi_codes(&event.text).into_owned();
        for line in text.lines().map(clean_line).filter(|l| !l.is_empty()) {
            let is_error = line.starts_with("ERROR!") || line.starts_with("[ERROR]:");
            if self.error_open && line.starts_with("Origin:") {
                if let Some(error) = &mut self.ansible_error {
                    *error = clip(&format!("{error} ({line})"));
                }
            }
            self.error_open = is_error && self.ansible_error.is_none();
            if self.error_open {
                self.ansible_error = Some(clip(&line));
            }
            self.last_output = Some(clip(&line));
        }
    }

    fn record_result(&mut self, result: &TaskResult<'_>) {
        self.results_seen += 1;
        self.running.shift_remove(&(result.task_uuid.to_owned(), result.host.to_owned()));
        let counts = self.counted.entry(result.host.to_owned()).or_default();
        let changed = result.res.and_then(|r| r.get("changed")).and_then(Value::as_bool).unwrap_or(false);
        match result.outcome {
            Outcome::Ok => {
                counts.ok += 1;
                counts.changed += u64::from(changed);
            }
            Outcome::Failed if result.ignore_errors => {
                counts.ok += 1;
                counts.ignored += 1;
                counts.changed += u64::from(changed);
            }
            Outcome::Failed => counts.failed += 1,
            Outcome::Skipped => counts.skipped += 1,
            Outcome::Unreachable => counts.unreachable += 1,
        }
        let records = match result.outcome {
            Outcome::Failed if !result.ignore_errors => Some(&mut self.failures),
            Outcome::Unreachable => Some(&mut self.unreachables),
            _ => None,
        };
        if let Some(records) = records {
            if !records.contains_key(result.host) {
                records.insert(
                    result.host.to_owned(),
                    HostRecord {
                        order: self.results_seen,
                        message: result.message(),
                        task: result.task.to_owned(),
                        play: result.play.to_owned(),
                        task_path: result.task_path.to_owned(),
                    },
                );
            }
        }
        self.time_result(result);
    }
}

impl EventSink for SummaryCollector {
    fn on_event(&mut self, event: &Event) -> io::Result<()> {
        match &event.kind {
            EventKind::PlaybookOnTaskStart => self.start_task(event),
            EventKind::Other(name) if name == "playbook_on_handler_task_start" => self.start_task(event),
            EventKind::PlaybookOnPlayStart => self.close_task(created(event)),
            EventKind::PlaybookOnStats => {
                self.close_task(created(event));
                self.record_stats(event);
            }
            _ => self.record(event),
        }
        Ok(())
    }
}

impl RunSummary {
    /// One line for stderr: status, rc, duration, why (when the hosts do not say it), failed and
    /// unreachable hosts, extra arguments from `env/cmdline`, artifact dir. A run that never
    /// started says only how it ended and why.
    pub fn one_line(&self) -> String {
        let origin = self.origin.as_ref().map(|o| format!("{} ", o.label())).unwrap_or_default();
        let mut line = format!("ansible-runner: {origin}{} (rc {})", self.status.words(), self.rc);
        if matches!(self.status, RunEnd::Job(_)) {
            let _ = write!(line, " in {}", human_duration(self.duration));
        }
        if let Some(reason) = &self.reason {
            let _ = write!(line, " — {reason}");
        }
        if matches!(self.status, RunEnd::Job(_)) {
            let _ = write!(
                line,
                "; failed: {}; unreachable: {}",
                host_list(&self.failed_hosts),
                host_list(&self.unreachable_hosts)
            );
        }
        if let Some(args) = &self.env_cmdline {
            let _ = write!(line, "; with env/cmdline: {args}");
        }
        if let Some(dir) = &self.artifact_dir {
            let shown: String =
                dir.display().to_string().chars().map(|c| if c.is_control() { '?' } else { c }).collect();
            let _ = write!(line, "; artifacts: {shown}");
        }
        line
    }

    /// The `n` slowest task runs, slowest first, as (task name, seconds); tasks that took less
    /// than the 0.1 s the list shows are no news.
    pub fn slowest_tasks(&self, n: usize) -> Vec<(String, f64)> {
        let mut tasks: Vec<&TaskTime> = self.tasks.iter().filter(|t| t.seconds >= 0.05).collect();
        tasks.sort_by(|a, b| b.seconds.total_cmp(&a.seconds));
        tasks
            .into_iter()
            .take(n)
            .map(|t| (if t.task.is_empty() { "(unnamed task)".to_owned() } else { t.task.clone() }, t.seconds))
            .collect()
    }

    /// The one line followed by the `n` slowest tasks, one per line, for a terminal.
    pub fn with_slowest(&self, n: usize) -> String {
        let mut text = self.one_line();
        let slowest = self.slowest_tasks(n);
        if !slowest.is_empty() {
            text.push_str("\nslowest tasks:");
            for (task, seconds) in slowest {
                let _ = write!(text, "\n  {:>8}  {task}", human_duration(seconds));
            }
        }
        text
    }

    /// The JSON posted to `--notify-url`. `text` says what happened where in one line, so chat
    /// webhooks that show a `text` field (Slack, Mattermost, Rocket.Chat) display it as they are.
    pub fn notify_payload(&self) -> Value {
        let mut payload = Map::new();
        if let Some(origin) = &self.origin {
            payload.insert("job".into(), json!(origin.job));
            payload.insert("controller".into(), json!(origin.controller));
            payload.insert("ran".into(), json!(origin.ran));
        }
        payload.insert("ident".into(), json!(self.ident));
        payload.insert("status".into(), json!(self.status.status()));
        payload.insert("rc".into(), json!(self.rc));
        payload.insert("started".into(), json!(iso(self.started)));
        payload.insert("ended".into(), json!(iso(self.ended)));
        payload.insert("duration".into(), json!(self.duration));
        payload.insert("failed_hosts".into(), json!(self.failed_hosts));
        payload.insert("unreachable_hosts".into(), json!(self.unreachable_hosts));
        payload.insert("failing_task".into(), json!(self.failing_task));
        payload.insert("reason".into(), json!(self.reason));
        payload.insert("artifact_dir".into(), json!(self.artifact_dir.as_ref().map(|d| d.display().to_string())));
        payload.insert("text".into(), json!(self.alert_text()));
        Value::Object(payload)
    }

    /// `web_scan on ctl-01: site.yml failed (rc 2) — web1, web2 failed at "Check sshd config"`:
    /// which job, where, how it ended, and which hosts failed at which task.
    pub fn alert_text(&self) -> String {
        let origin = self.origin.as_ref().map_or_else(|| "ansible-runner:".to_owned(), JobOrigin::label);
        let mut text = format!("{origin} {} (rc {})", self.status.words(), self.rc);
        let groups: Vec<String> = [(&self.failed_hosts, "failed"), (&self.unreachable_hosts, "unreachable")]
            .into_iter()
            .flat_map(|(hosts, verb)| by_task(hosts).into_iter().map(move |(task, names)| (task, names, verb)))
            .map(|(task, names, verb)| match task {
                Some(task) if !task.is_empty() => format!("{names} {verb} at {task:?}"),
                _ => format!("{names} {verb}"),
            })
            .chain(self.reason.clone())
            .collect();
        if !groups.is_empty() {
            let _ = write!(text, " — {}", groups.join("; "));
        }
        text
    }
}

/// Whether the run was stopped from outside the playbook (a timeout or a cancel).
fn stopped(status: RunEnd) -> bool {
    matches!(status, RunEnd::Job(Status::Timeout | Status::Canceled))
}

/// Hosts grouped by the task they first failed at, in the order the groups first appear.
fn by_task(hosts: &[HostError]) -> Vec<(Option<&str>, String)> {
    let mut groups: IndexMap<Option<&str>, Vec<HostError>> = IndexMap::new();
    for host in hosts {
        groups.entry(host.task.as_deref()).or_default().push(host.clone());
    }
    groups.into_iter().map(|(task, hosts)| (task, host_list(&hosts))).collect()
}

/// `web1, web2`, `none`, or the first few and how many more.
fn host_list(hosts: &[HostError]) -> String {
    if hosts.is_empty() {
        return "none".to_owned();
    }
    let mut text = hosts.iter().take(HOSTS_IN_LINE).map(|h| h.host.as_str()).collect::<Vec<_>>().join(", ");
    if hosts.len() > HOSTS_IN_LINE {
        let _ = write!(text, " and {} more", hosts.len() - HOSTS_IN_LINE);
    }
    text
}

/// `0.4s`, `12.3s`, `3m05s`, `1h02m03s`.
pub fn human_duration(seconds: f64) -> String {
    if seconds < 59.95 {
        return format!("{:.1}s", seconds.max(0.0));
    }
    let total = std::time::Duration::try_from_secs_f64(seconds.round()).unwrap_or_default().as_secs();
    let (h, m, s) = (total / 3600, total / 60 % 60, total % 60);
    if h > 0 {
        format!("{h}h{m:02}m{s:02}s")
    } else {
        format!("{m}m{s:02}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testdata::{events, replay, result};
    use serde_json::json;

    fn time(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    /// Replays a captured run, taking start and end from its first and last events.
    fn summarize(name: &str, status: Status, rc: i32) -> RunSummary {
        let events = events(name);
        let mut collector = SummaryCollector::new();
        replay(&mut collector, &events);
        let started = created(&events[0]).unwrap();
        let ended = events.iter().rev().find_map(created).unwrap();
        collector.finish(status, rc, started, ended, "ID", Path::new(&format!("/srv/ci/{name}/artifacts/ID")))
    }

    #[test]
    fn failed_run_lists_hosts_with_their_first_error() {
        let summary = summarize("fail", Status::Failed, 4);
        assert_eq!(
            summary.failed_hosts,
            [
                HostError {
                    host: "web1".into(),
                    message: Some("non-zero return code: boom <&> \"quoted\"".into()),
                    task: Some("Fail with shell".into())
                },
                HostError {
                    host: "web2".into(),
                    message: Some("item bad: Assertion failed".into()),
                    task: Some("Check items".into())
                },
            ]
        );
        assert_eq!(summary.unreachable_hosts.len(), 1);
        assert_eq!(summary.unreachable_hosts[0].host, "db1");
        assert!(summary.unreachable_hosts[0].message.as_deref().unwrap().contains("Connection refused"));
        // The unreachable host came first, in the setup play.
        let failing = summary.failing_task.clone().unwrap();
        assert_eq!((failing.task.as_str(), failing.host.as_str()), ("Ignored failure", "db1"));
        assert_eq!(failing.task_path, "/srv/ci/fail/project/site.yml:13");
        assert_eq!(
            summary.hosts["web1"],
            HostCounts { ok: 3, changed: 2, failed: 1, unreachable: 0, skipped: 1, rescued: 0, ignored: 1 }
        );
    }

    #[test]
    fn one_line_says_everything_on_one_line() {
        let line = summarize("fail", Status::Failed, 4).one_line();
        assert!(!line.contains('\n'));
        assert!(line.starts_with("ansible-runner: failed (rc 4) in "), "{line}");
        assert!(
            line.ends_with("; failed: web1, web2; unreachable: db1; artifacts: /srv/ci/fail/artifacts/ID"),
            "{line}"
        );
        let ok = summarize("demo", Status::Successful, 0).one_line();
        assert!(ok.contains("successful (rc 0)") && ok.contains("failed: none; unreachable: none"), "{ok}");
    }

    #[test]
    fn counts_fall_back_to_results_when_stats_never_came() {
        let summary = summarize("slow", Status::Timeout, 254);
        assert_eq!(summary.hosts["web1"], HostCounts { ok: 1, changed: 1, ..HostCounts::default() });
        assert!(summary.failed_hosts.is_empty() && summary.failing_task.is_none());
        // The task killed by the timeout ran from its start to the end of the run.
        let slowest = summary.slowest_tasks(5);
        assert_eq!(slowest[0].0, "Hang forever");
        assert!(slowest[0].1 > 3.0, "{slowest:?}");
        assert_eq!(slowest.len(), 2);
    }

    #[test]
    fn fallback_failures_skip_ignored_errors() {
        let mut collector = SummaryCollector::new();
        let ignored = result("runner_on_failed", "p", "t", "a", json!({"ignore_errors": true, "res": {"msg": "meh"}}));
        let real = result("runner_on_failed", "p", "t2", "b", json!({"ignore_errors": null, "res": {"msg": "bad"}}));
        let later = result("runner_on_failed", "p", "t3", "b", json!({"res": {"msg": "worse"}}));
        replay(&mut collector, &[ignored, real, later]);
        let t = time("2026-01-01T00:00:00Z");
        let summary = collector.finish(Status::Canceled, 254, t, t, "x", Path::new("/a"));
        assert_eq!(
            summary.failed_hosts,
            [HostError { host: "b".into(), message: Some("bad".into()), task: Some("t2".into()) }]
        );
        assert_eq!(summary.hosts["a"].ignored, 1);
        assert_eq!(summary.failing_task.unwrap().task, "t2");
    }

    #[test]
    fn rescued_failures_are_not_reported_when_stats_say_so() {
        let mut collector = SummaryCollector::new();
        let failed = result("runner_on_failed", "p", "t", "a", json!({"res": {"msg": "rescued later"}}));
        let stats = Event::from_json(
            json!({"event": "playbook_on_stats", "event_data": {"ok": {"a": 2}, "failures": {}, "rescued": {"a": 1}, "processed": {"a": 1}}})
                .as_object()
                .unwrap()
                .clone(),
        );
        replay(&mut collector, &[failed, stats]);
        let t = time("2026-01-01T00:00:00Z");
        let summary = collector.finish(Status::Successful, 0, t, t, "x", Path::new("/a"));
        assert!(summary.failed_hosts.is_empty() && summary.failing_task.is_none());
        assert_eq!(summary.hosts["a"], HostCounts { ok: 2, rescued: 1, ..HostCounts::default() });
    }

    #[test]
    fn zero_events_still_summarize() {
        let started = time("2026-01-01T00:00:00Z");
        let ended = time("2026-01-01T00:01:05.400Z");
        let summary =
            SummaryCollector::new().finish(Status::Failed, 127, started, ended, "id", Path::new("/x/artifacts/id"));
        assert_eq!(
            summary.one_line(),
            "ansible-runner: failed (rc 127) in 1m05s; failed: none; unreachable: none; artifacts: /x/artifacts/id"
        );
        assert!(summary.slowest_tasks(3).is_empty());
        let payload = summary.notify_payload();
        assert_eq!(payload["failing_task"], Value::Null);
        assert_eq!(payload["duration"].as_f64(), Some(65.4));
        assert_eq!(payload["started"], "2026-01-01T00:00:00.000000+00:00");
    }

    #[test]
    fn slowest_tasks_use_the_span_of_results() {
        let summary = summarize("fail", Status::Failed, 4);
        let slowest = summary.slowest_tasks(2);
        assert_eq!(slowest[0].0, "Take a moment");
        assert!(slowest[0].1 >= 1.2 && slowest[0].1 < 2.0, "{slowest:?}");
        let text = summary.with_slowest(2);
        assert_eq!(text.lines().count(), 4);
        assert!(text.lines().nth(2).unwrap().ends_with("Take a moment"), "{text}");
    }

    #[test]
    fn long_host_lists_are_cut() {
        let hosts: Vec<HostError> =
            (0..12).map(|i| HostError { host: format!("h{i}"), message: None, task: None }).collect();
        assert_eq!(host_list(&hosts), "h0, h1, h2, h3, h4, h5, h6, h7, h8, h9 and 2 more");
        assert_eq!(human_duration(3723.0), "1h02m03s");
        assert_eq!(human_duration(0.04), "0.0s");
    }

    #[test]
    fn alert_text_says_what_failed_where() {
        let mut summary = summarize("fail", Status::Failed, 4);
        assert_eq!(
            summary.alert_text(),
            "ansible-runner: failed (rc 4) — web1 failed at \"Fail with shell\"; web2 failed at \"Check items\"; \
             db1 unreachable at \"Ignored failure\""
        );
        summary.origin =
            Some(JobOrigin { controller: "ctl-01".into(), job: "compliance_scan".into(), ran: "validate.yml".into() });
        summary.failed_hosts.iter_mut().for_each(|h| h.task = Some("Check sshd config".into()));
        summary.unreachable_hosts.clear();
        assert_eq!(
            summary.alert_text(),
            "compliance_scan on ctl-01: validate.yml failed (rc 4) — web1, web2 failed at \"Check sshd config\""
        );
        assert!(summary
            .one_line()
            .starts_with("ansible-runner: compliance_scan on ctl-01: validate.yml failed (rc 4) in "));
        let payload = summary.notify_payload();
        assert_eq!(
            (&payload["job"], &payload["controller"], &payload["ran"]),
            (&json!("compliance_scan"), &json!("ctl-01"), &json!("validate.yml"))
        );
        assert_eq!(payload["text"], json!(summary.alert_text()));
    }

    fn verbose(text: &str) -> Event {
        Event::from_json(json!({"event": "verbose", "stdout": text}).as_object().unwrap().clone())
    }

    #[test]
    fn a_run_without_host_failures_says_why() {
        let mut collector = SummaryCollector::new();
        let lines = ["\u{1b}[0;31m[ERROR]: YAML parsing failed: bad\u{1b}[0m", "Origin: /p/site.yml:3:1", "", "more"];
        replay(&mut collector, &lines.map(verbose));
        let t = time("2026-01-01T00:00:00Z");
        let summary = collector.finish(Status::Failed, 4, t, t, "x", Path::new("/a"));
        assert_eq!(summary.reason.as_deref(), Some("[ERROR]: YAML parsing failed: bad (Origin: /p/site.yml:3:1)"));
        assert!(summary.one_line().contains("failed (rc 4) in 0.0s — [ERROR]: YAML parsing failed: bad ("));
        assert!(summary.alert_text().ends_with(" — [ERROR]: YAML parsing failed: bad (Origin: /p/site.yml:3:1)"));
        // Host failures say it themselves.
        assert_eq!(summarize("fail", Status::Failed, 4).reason, None);
    }

    #[test]
    fn a_stopped_run_names_what_was_running_in_natural_order() {
        let mut collector = SummaryCollector::new();
        let start = |host: &str| result("runner_on_start", "p", "Hang", host, json!({}));
        let hosts = ["web10", "web2", "web1", "web11"];
        replay(&mut collector, &hosts.map(start));
        replay(&mut collector, &[result("runner_on_ok", "p", "Hang", "web11", json!({}))]);
        let t = time("2026-01-01T00:00:00Z");
        let summary = collector.finish(Status::Canceled, 254, t, t, "x", Path::new("/a"));
        assert_eq!(summary.reason.as_deref(), Some("\"Hang\" was running on web1, web2, web10"));
        let mut collector = SummaryCollector::new();
        let failed = |host: &str| result("runner_on_failed", "p", "t", host, json!({"res": {"msg": "x"}}));
        replay(&mut collector, &hosts.map(failed));
        let summary = collector.finish(Status::Failed, 2, t, t, "x", Path::new("/a"));
        assert!(summary.one_line().contains("failed: web1, web2, web10, web11;"), "{}", summary.one_line());
    }

    #[test]
    fn runs_that_never_started_say_so_and_instant_tasks_are_no_news() {
        let t = time("2026-01-01T00:00:00Z");
        let mut summary = SummaryCollector::new().finish(RunEnd::Skipped, 75, t, t, "x", Path::new("/a/x"));
        summary.reason = Some("another run holds the lock".into());
        summary.env_cmdline = Some("--check".into());
        assert_eq!(
            summary.one_line(),
            "ansible-runner: skipped (rc 75) — another run holds the lock; with env/cmdline: --check; artifacts: /a/x"
        );
        assert_eq!(summary.notify_payload()["status"], "skipped");
        summary.tasks = vec![
            TaskTime { task: "instant".into(), play: "p".into(), seconds: 0.04 },
            TaskTime { task: "slow".into(), play: "p".into(), seconds: 2.0 },
        ];
        assert_eq!(summary.slowest_tasks(5), [("slow".to_owned(), 2.0)]);
    }

    #[test]
    fn notify_payload_has_the_documented_keys() {
        let payload = summarize("fail", Status::Failed, 4).notify_payload();
        let keys: Vec<&str> = payload.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "ident",
                "status",
                "rc",
                "started",
                "ended",
                "duration",
                "failed_hosts",
                "unreachable_hosts",
                "failing_task",
                "reason",
                "artifact_dir",
                "text"
            ]
        );
        assert_eq!(
            payload["failed_hosts"][0],
            json!({"host": "web1", "message": "non-zero return code: boom <&> \"quoted\"", "task": "Fail with shell"})
        );
        assert_eq!(payload["failing_task"]["task"], "Ignored failure");
        assert_eq!(payload["artifact_dir"], "/srv/ci/fail/artifacts/ID");
    }
}
