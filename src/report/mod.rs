//! End-of-run reports built from the event stream: the one-line summary, a `JUnit` XML file and a
//! JSON alert posted to a URL. The collectors are ordinary event sinks; what they read from events
//! (per-host task results and their error messages) is decoded here once for all of them.

mod junit;
mod metrics;
mod notify;
pub mod origin;
mod record;
mod run;
mod summary;

pub use junit::JunitCollector;
pub use notify::{deliver, NotifyOn};
pub use origin::JobOrigin;
pub use record::{RunPlace, UnstartedRun};
pub use run::{RunReports, SummaryStyle};
pub use summary::{human_duration, SummaryCollector};

use std::cmp::Ordering;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::events::{Event, EventKind};
use crate::exit::Status;

/// The longest error message kept for one host, so one line and one alert stay readable.
const MESSAGE_MAX_CHARS: usize = 200;

/// How a run ended, as the reports say it. Besides a job's own status, a run can end before its
/// job starts: refused (a malformed `env/` file, an artifact dir that cannot be made), which is a
/// failure, or skipped because another run holds `--lock`, which is not — an operator chooses
/// with `--notify-on` whether a skip alerts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunEnd {
    Job(Status),
    NotStarted,
    Skipped,
}

impl RunEnd {
    /// The `status` in the alert and the metrics: a run that never started `failed`.
    pub fn status(self) -> &'static str {
        match self {
            Self::Job(status) => status.as_str(),
            Self::NotStarted => "failed",
            Self::Skipped => "skipped",
        }
    }

    /// How the summary line and the alert's text say it.
    pub fn words(self) -> &'static str {
        match self {
            Self::NotStarted => "not started",
            other => other.status(),
        }
    }

    pub fn succeeded(self) -> bool {
        self == Self::Job(Status::Successful)
    }
}

impl From<Status> for RunEnd {
    fn from(status: Status) -> Self {
        Self::Job(status)
    }
}

/// `text` split where its leading run of digits (or of non-digits) ends.
fn leading_run(text: &str, digits: bool) -> (&str, &str) {
    text.split_at(text.find(|c: char| c.is_ascii_digit() != digits).unwrap_or(text.len()))
}

/// Host names in natural order, as a person counts them: `web1, web2, web10` (digit runs compare
/// by value, the rest as text).
fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a, b);
    loop {
        let (Some(ca), Some(cb)) = (a.chars().next(), b.chars().next()) else { return a.len().cmp(&b.len()) };
        let order = if ca.is_ascii_digit() && cb.is_ascii_digit() {
            let ((da, ra), (db, rb)) = (leading_run(a, true), leading_run(b, true));
            (a, b) = (ra, rb);
            let (ta, tb) = (da.trim_start_matches('0'), db.trim_start_matches('0'));
            ta.len().cmp(&tb.len()).then_with(|| ta.cmp(tb)).then_with(|| da.len().cmp(&db.len()))
        } else {
            let ((ta, ra), (tb, rb)) = (leading_run(a, false), leading_run(b, false));
            (a, b) = (ra, rb);
            ta.cmp(tb)
        };
        if order != Ordering::Equal {
            return order;
        }
    }
}

/// How one host's run of one task ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Ok,
    Failed,
    Skipped,
    Unreachable,
}

/// The fields of a `runner_on_*` result event that the reports use; missing fields read as empty.
struct TaskResult<'e> {
    outcome: Outcome,
    host: &'e str,
    task: &'e str,
    task_uuid: &'e str,
    task_path: &'e str,
    play: &'e str,
    play_uuid: &'e str,
    duration: Option<f64>,
    start: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
    /// A failure Ansible was told to ignore: the host goes on and the play does not fail.
    ignore_errors: bool,
    res: Option<&'e Map<String, Value>>,
}

impl<'e> TaskResult<'e> {
    /// The result carried by `event`, or `None` when it is not a final per-host result (item
    /// events, task starts, verbose lines).
    fn from_event(event: &'e Event) -> Option<Self> {
        let outcome = match event.kind {
            EventKind::RunnerOnOk => Outcome::Ok,
            EventKind::RunnerOnFailed => Outcome::Failed,
            EventKind::RunnerOnSkipped => Outcome::Skipped,
            EventKind::RunnerOnUnreachable => Outcome::Unreachable,
            _ => return None,
        };
        let data = event_data(event);
        Some(Self {
            outcome,
            host: str_field(data, "host"),
            task: str_field(data, "task"),
            task_uuid: str_field(data, "task_uuid"),
            task_path: str_field(data, "task_path"),
            play: str_field(data, "play"),
            play_uuid: str_field(data, "play_uuid"),
            duration: data
                .and_then(|d| d.get("duration"))
                .and_then(Value::as_f64)
                .filter(|d| d.is_finite() && *d >= 0.0),
            start: data.and_then(|d| d.get("start")).and_then(Value::as_str).and_then(parse_time),
            end: data.and_then(|d| d.get("end")).and_then(Value::as_str).and_then(parse_time),
            ignore_errors: data.and_then(|d| d.get("ignore_errors")).and_then(Value::as_bool).unwrap_or(false),
            res: data.and_then(|d| d.get("res")).and_then(Value::as_object),
        })
    }

    /// The one-line error message of a failed or unreachable result.
    fn message(&self) -> String {
        self.res.and_then(error_message).unwrap_or_else(|| {
            match self.outcome {
                Outcome::Unreachable => "unreachable",
                _ => "failed",
            }
            .to_owned()
        })
    }
}

fn event_data(event: &Event) -> Option<&Map<String, Value>> {
    event.json.get("event_data").and_then(Value::as_object)
}

fn str_field<'e>(data: Option<&'e Map<String, Value>>, key: &str) -> &'e str {
    data.and_then(|d| d.get(key)).and_then(Value::as_str).unwrap_or_default()
}

/// Event timestamps are Python `isoformat()` strings with an offset.
fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text).ok().map(|t| t.with_timezone(&Utc))
}

/// When the event was made (`created`), for tasks that never report a result.
fn created(event: &Event) -> Option<DateTime<Utc>> {
    event.json.get("created").and_then(Value::as_str).and_then(parse_time)
}

/// Time as the events write it (Python's `isoformat()` of an aware UTC datetime).
fn iso(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string()
}

/// Seconds from `from` to `to`; zero when the clock went backwards.
fn seconds_between(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    (to - from).to_std().map_or(0.0, |d| d.as_secs_f64())
}

/// What went wrong, in one line: `msg` (its first line), followed by the last line of `stderr`
/// (or `module_stderr`) because for commands `msg` alone is only "non-zero return code". For a
/// loop, the first failed item says more than "One or more items failed".
fn error_message(res: &Map<String, Value>) -> Option<String> {
    if let Some(item) = first_failed_item(res) {
        if let Some(inner) = error_message(item) {
            let label = item.get("_ansible_item_label").or_else(|| item.get("item")).map(label_text);
            return Some(clip(&match label {
                Some(label) if !label.is_empty() => format!("item {label}: {inner}"),
                _ => inner,
            }));
        }
    }
    let text = |key: &str| res.get(key).map(label_text).map(|t| console::strip_ansi_codes(&t).into_owned());
    let msg = text("msg").and_then(|m| first_line(&m)).or_else(|| text("censored").and_then(|m| first_line(&m)));
    let stderr = ["stderr", "module_stderr"].into_iter().find_map(|key| text(key).and_then(|t| last_line(&t)));
    let line = match (msg, stderr) {
        (Some(msg), Some(stderr)) if !msg.contains(&stderr) => format!("{msg}: {stderr}"),
        (Some(msg), _) => msg,
        (None, Some(stderr)) => stderr,
        (None, None) => return None,
    };
    Some(clip(&line))
}

fn first_failed_item(res: &Map<String, Value>) -> Option<&Map<String, Value>> {
    res.get("results")?
        .as_array()?
        .iter()
        .filter_map(Value::as_object)
        .find(|item| item.get("failed").and_then(Value::as_bool) == Some(true))
}

/// A value as a person reads it: strings bare, anything else as compact JSON.
fn label_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn first_line(text: &str) -> Option<String> {
    text.lines().map(clean_line).find(|l| !l.is_empty())
}

fn last_line(text: &str) -> Option<String> {
    text.lines().rev().map(clean_line).find(|l| !l.is_empty())
}

/// A line safe to print on one line: control characters become spaces, ends trimmed.
fn clean_line(line: &str) -> String {
    line.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().trim().to_owned()
}

/// Cuts a message to [`MESSAGE_MAX_CHARS`] characters, marking the cut.
fn clip(text: &str) -> String {
    if text.chars().count() <= MESSAGE_MAX_CHARS {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(MESSAGE_MAX_CHARS - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
pub(crate) mod testdata {
    //! Events captured from real `-j` runs, replayed into the collectors.

    use std::path::Path;

    use serde_json::{Map, Value};

    use crate::events::{Event, EventSink};

    /// The events of `src/report/testdata/<name>.jsonl`.
    pub fn events(name: &str) -> Vec<Event> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/report/testdata").join(format!("{name}.jsonl"));
        let text = std::fs::read_to_string(&path).unwrap();
        text.lines().map(|line| Event::from_json(serde_json::from_str::<Map<String, Value>>(line).unwrap())).collect()
    }

    pub fn replay(sink: &mut dyn EventSink, events: &[Event]) {
        for event in events {
            sink.on_event(event).unwrap();
        }
    }

    /// A result event shaped like the callback's, for cases no real run produced.
    pub fn result(event: &str, play: &str, task: &str, host: &str, data: Value) -> Event {
        let mut event_data = serde_json::json!({
            "playbook": "site.yml",
            "play": play,
            "play_uuid": format!("play-{play}"),
            "task": task,
            "task_uuid": format!("task-{play}-{task}"),
            "task_path": "/srv/site.yml:3",
            "host": host,
            "start": "2026-01-01T00:00:00.000000+00:00",
            "end": "2026-01-01T00:00:01.500000+00:00",
            "duration": 1.5,
        });
        if let (Some(base), Value::Object(extra)) = (event_data.as_object_mut(), data) {
            base.extend(extra);
        }
        let json = serde_json::json!({
            "uuid": "00000000-0000-0000-0000-000000000000",
            "counter": 1,
            "stdout": "",
            "event": event,
            "created": "2026-01-01T00:00:01.500000+00:00",
            "event_data": event_data,
        });
        Event::from_json(json.as_object().unwrap().clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn res(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            other => panic!("not an object: {other}"),
        }
    }

    #[test]
    fn message_adds_the_last_stderr_line_to_msg() {
        let r = res(json!({"msg": "non-zero return code", "stderr": "warning\nls: cannot access '/x'\n\n", "rc": 2}));
        assert_eq!(error_message(&r).unwrap(), "non-zero return code: ls: cannot access '/x'");
    }

    #[test]
    fn message_falls_back_to_module_stderr_and_keeps_one_line() {
        let r = res(
            json!({"msg": "MODULE FAILURE\nSee stdout/stderr", "module_stderr": "Traceback\n  x\nKeyError: 'a'\n"}),
        );
        assert_eq!(error_message(&r).unwrap(), "MODULE FAILURE: KeyError: 'a'");
        let r = res(json!({"stderr": "\u{1b}[31mred\tand\rbold\u{1b}[0m"}));
        assert_eq!(error_message(&r).unwrap(), "red and bold");
        assert_eq!(error_message(&res(json!({"changed": false}))), None);
    }

    #[test]
    fn message_prefers_the_failed_loop_item() {
        let r = res(json!({"msg": "One or more items failed", "results": [
            {"failed": false, "msg": "fine", "item": "a"},
            {"failed": true, "msg": "Assertion failed", "item": {"name": "b"}, "_ansible_item_label": "b"},
        ]}));
        assert_eq!(error_message(&r).unwrap(), "item b: Assertion failed");
    }

    #[test]
    fn hosts_sort_in_natural_order() {
        let mut hosts = ["web10", "web2", "db", "web1", "web11", "web02", "a10b2", "a10b10", "a9"];
        hosts.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(hosts, ["a9", "a10b2", "a10b10", "db", "web1", "web2", "web02", "web10", "web11"]);
        assert_eq!(natural_cmp("", "a"), Ordering::Less);
        assert_eq!(natural_cmp("x", "x"), Ordering::Equal);
    }

    #[test]
    fn message_is_clipped_to_200_characters() {
        let long = "é".repeat(500);
        let clipped = error_message(&res(json!({"msg": long}))).unwrap();
        assert_eq!(clipped.chars().count(), MESSAGE_MAX_CHARS);
        assert!(clipped.ends_with('…'));
    }
}

/// A report built from task starts, output and results: the dispatch of events to them is shared.
trait TaskRecords {
    fn record_start(&mut self, event: &Event);
    fn record_output(&mut self, event: &Event);
    fn record_result(&mut self, result: &TaskResult<'_>);

    /// Hands an event to the record it feeds, if any.
    fn record(&mut self, event: &Event) {
        match event.kind {
            EventKind::RunnerOnStart => self.record_start(event),
            EventKind::Verbose => self.record_output(event),
            _ => {
                if let Some(result) = TaskResult::from_event(event) {
                    self.record_result(&result);
                }
            }
        }
    }
}

/// Writes a report file whole or not at all, synced (CI servers and Prometheus read it as the
/// run's last word), creating missing parent directories.
fn write_report(path: &std::path::Path, mode: u32, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent().filter(|parent| !parent.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    crate::util::atomic::write(path, bytes, mode, crate::util::atomic::Durability::Synced)
}
