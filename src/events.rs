//! Events as typed data and the pipeline that numbers them. Events arrive from two places: records
//! written by the embedded callback plugin, and raw output lines printed outside any callback. The
//! pipeline gives each a `counter` (1..N, no gaps), `start_line`/`end_line` against the stdout text
//! and the `runner_ident`, then hands it to every sink in order. Sinks only consume.

use std::io;

use serde_json::{Map, Value};

/// Names of the events the runner itself acts on; everything else is carried as `Other`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    PlaybookOnStart,
    PlaybookOnPlayStart,
    PlaybookOnTaskStart,
    PlaybookOnStats,
    RunnerOnStart,
    RunnerOnOk,
    RunnerOnFailed,
    RunnerOnSkipped,
    RunnerOnUnreachable,
    Verbose,
    Other(String),
}

impl EventKind {
    pub fn from_name(name: &str) -> Self {
        match name {
            "playbook_on_start" => Self::PlaybookOnStart,
            "playbook_on_play_start" => Self::PlaybookOnPlayStart,
            "playbook_on_task_start" => Self::PlaybookOnTaskStart,
            "playbook_on_stats" => Self::PlaybookOnStats,
            "runner_on_start" => Self::RunnerOnStart,
            "runner_on_ok" => Self::RunnerOnOk,
            "runner_on_failed" => Self::RunnerOnFailed,
            "runner_on_skipped" => Self::RunnerOnSkipped,
            "runner_on_unreachable" => Self::RunnerOnUnreachable,
            "verbose" => Self::Verbose,
            other => Self::Other(other.to_owned()),
        }
    }
}

/// One event: its kind, the whole JSON object in file order (so fields the runner does not model
/// round-trip untouched), and the text it adds to the human-readable output.
#[derive(Debug, Clone)]
pub struct Event {
    pub kind: EventKind,
    pub json: Map<String, Value>,
    /// What this event contributes to the `stdout` artifact and the terminal.
    pub text: String,
}

impl Event {
    /// Rebuilds an event from a JSON object received whole (a worker stream, an event file).
    pub fn from_json(json: Map<String, Value>) -> Self {
        let name = json.get("event").and_then(Value::as_str).unwrap_or_default();
        let stdout = json.get("stdout").and_then(Value::as_str).unwrap_or_default();
        let text = received_text(name, stdout, json.contains_key("event_data"));
        Self { kind: EventKind::from_name(name), json, text }
    }

    /// Whether `-j` (`json_mode`) shows this event as its JSON line, on the terminal and in `stdout`:
    /// output from outside the plugin stays text, as the Python tool shows it.
    pub fn shown_as_json(&self) -> bool {
        self.kind != EventKind::Verbose
    }

    pub fn counter(&self) -> u64 {
        self.json.get("counter").and_then(Value::as_u64).unwrap_or(0)
    }

    pub fn uuid(&self) -> &str {
        self.json.get("uuid").and_then(Value::as_str).unwrap_or_default()
    }

    /// `<counter>-<uuid>.json`, the event's file name under `job_events/`.
    pub fn file_name(&self) -> String {
        format!("{}-{}.json", self.counter(), self.uuid())
    }
}

/// What an event received whole (named `event`, with `stdout`) adds to the human text: its stdout and
/// a newline. A raw output line (`verbose` without event data) was printed even when blank; a
/// callback event without stdout prints nothing.
pub fn received_text(event: &str, stdout: &str, has_event_data: bool) -> String {
    let raw_line = event == "verbose" && !has_event_data;
    if stdout.is_empty() && !raw_line {
        return String::new();
    }
    let mut text = String::with_capacity(stdout.len() + 1);
    text.push_str(stdout);
    text.push('\n');
    text
}

/// Receives every event in order, and the end of the run.
pub trait EventSink {
    fn on_event(&mut self, event: &Event) -> io::Result<()>;
}

/// Numbers events and fans them out to the sinks.
pub struct EventPipeline<'s> {
    ident: String,
    counter: u64,
    line: u64,
    pending_raw: Vec<u8>,
    /// An answer was typed since the last complete raw line (see `answer_typed`).
    answered: bool,
    secrets: Vec<String>,
    sinks: Vec<&'s mut dyn EventSink>,
}

/// Answers shorter than this (`y`, `yes`) are ordinary words, not secrets worth masking.
const MIN_SECRET_LEN: usize = 4;
/// What replaces a secret in event text and data.
pub const MASK: &str = "********";

impl<'s> EventPipeline<'s> {
    pub fn new(ident: &str, sinks: Vec<&'s mut dyn EventSink>) -> Self {
        Self {
            ident: ident.to_owned(),
            counter: 0,
            line: 0,
            pending_raw: Vec::new(),
            answered: false,
            secrets: Vec::new(),
            sinks,
        }
    }

    /// Values (prompt answers) masked wherever they appear in events, since programs may echo them.
    pub fn with_secrets(mut self, secrets: impl IntoIterator<Item = String>) -> Self {
        self.secrets = secrets.into_iter().filter(|s| s.chars().count() >= MIN_SECRET_LEN).collect();
        self
    }

    /// Raw output of the child (not from the callback): each complete line becomes a `verbose` event.
    pub fn feed_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.pending_raw.extend_from_slice(bytes);
        while let Some(end) = self.pending_raw.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = self.pending_raw.drain(..=end).collect();
            self.answered = false;
            self.emit_raw(&String::from_utf8_lossy(&line))?;
        }
        Ok(())
    }

    /// Says that an answer was typed at a prompt. The program reads it and moves on, but the
    /// prompt's line stays unfinished when the answer is not echoed (`input()` with echo off), or
    /// holds only the controls that cleared it (Ansible's `pause`): that line ends before the next
    /// event instead of being joined to later output, and is dropped if it shows nothing.
    pub fn answer_typed(&mut self) {
        self.answered = true;
    }

    /// One line written by the callback plugin: a JSON event without counter and line numbers.
    pub fn feed_record(&mut self, line: &[u8]) -> io::Result<()> {
        if std::mem::take(&mut self.answered) {
            self.end_partial_line()?;
        }
        match serde_json::from_slice::<Map<String, Value>>(line) {
            Ok(record) => self.emit_record(record),
            // Never lose output: anything unreadable on the channel is kept as text.
            Err(_) => self.emit_raw(&format!("{}\n", String::from_utf8_lossy(line))),
        }
    }

    /// Flushes a final partial raw line (the Python tool drops it; here only one that shows nothing).
    pub fn finish(&mut self) -> io::Result<()> {
        self.end_partial_line()
    }

    /// Emits the unfinished raw line as a line of its own, unless it shows nothing: only terminal
    /// controls (a cleared prompt line) would otherwise land as debris after later output.
    fn end_partial_line(&mut self) -> io::Result<()> {
        let rest = std::mem::take(&mut self.pending_raw);
        if rest.is_empty() || shows_nothing(&rest) {
            return Ok(());
        }
        let mut text = String::from_utf8_lossy(&rest).into_owned();
        text.push('\n');
        self.emit_raw(&text)
    }

    /// Emits a runner-made `verbose` event (for example "command not found").
    pub fn emit_message(&mut self, message: &str) -> io::Result<()> {
        self.emit_raw(&format!("{message}\n"))
    }

    fn emit_record(&mut self, record: Map<String, Value>) -> io::Result<()> {
        let raw_stdout = record.get("stdout").and_then(Value::as_str).unwrap_or_default();
        let newlines = raw_stdout.bytes().filter(|b| *b == b'\n').count() as u64;
        // What the event adds to the human text: its stdout without trailing line ends, then one `\n`.
        let mut text = raw_stdout.trim_end_matches(['\r', '\n']).to_owned();
        self.counter += 1;
        let start_line = self.line;
        self.line += newlines;
        let mut json = Map::with_capacity(record.len() + 4);
        for (key, value) in record {
            match key.as_str() {
                "uuid" => {
                    json.insert(key, value);
                    json.insert("counter".to_owned(), Value::from(self.counter));
                }
                "stdout" => {
                    json.insert(key, Value::String(text.clone()));
                    json.insert("start_line".to_owned(), Value::from(start_line));
                    json.insert("end_line".to_owned(), Value::from(self.line));
                    json.insert("runner_ident".to_owned(), Value::String(self.ident.clone()));
                }
                "counter" | "start_line" | "end_line" | "runner_ident" => {}
                _ => {
                    json.insert(key, value);
                }
            }
        }
        if !text.is_empty() {
            text.push('\n');
        }
        let kind = EventKind::from_name(json.get("event").and_then(Value::as_str).unwrap_or_default());
        self.dispatch(&Event { kind, json, text })
    }

    fn emit_raw(&mut self, line: &str) -> io::Result<()> {
        self.counter += 1;
        let start_line = self.line;
        self.line += line.bytes().filter(|b| *b == b'\n').count() as u64;
        let mut json = Map::with_capacity(8);
        json.insert("event".to_owned(), Value::from("verbose"));
        json.insert("uuid".to_owned(), Value::String(uuid::Uuid::new_v4().to_string()));
        json.insert("counter".to_owned(), Value::from(self.counter));
        json.insert("stdout".to_owned(), Value::String(line.trim_end_matches(['\r', '\n']).to_owned()));
        json.insert("start_line".to_owned(), Value::from(start_line));
        json.insert("end_line".to_owned(), Value::from(self.line));
        json.insert("runner_ident".to_owned(), Value::String(self.ident.clone()));
        json.insert("created".to_owned(), Value::String(now_iso()));
        self.dispatch(&Event { kind: EventKind::Verbose, json, text: line.to_owned() })
    }

    fn dispatch(&mut self, event: &Event) -> io::Result<()> {
        if !self.secrets.is_empty() {
            let mut masked = event.clone();
            masked.text = mask_text(&masked.text, &self.secrets);
            for value in masked.json.values_mut() {
                mask_value(value, &self.secrets);
            }
            return self.send(&masked);
        }
        self.send(event)
    }

    fn send(&mut self, event: &Event) -> io::Result<()> {
        for sink in &mut self.sinks {
            sink.on_event(event)?;
        }
        Ok(())
    }
}

/// Whether `bytes` hold only control characters and escape sequences (cursor moves, line
/// erases), nothing a reader of the text would see. Controls met inside an escape sequence are
/// carried out by a terminal without ending it, and ESC starts a sequence afresh.
fn shows_nothing(bytes: &[u8]) -> bool {
    enum State {
        Text,
        Escape,
        Csi,
    }
    let mut state = State::Text;
    for &byte in bytes {
        state = match (state, byte) {
            (_, 0x1b) => State::Escape,
            (state, byte) if byte < 0x20 || byte == 0x7f => state,
            (State::Escape, b'[') | (State::Csi, 0x20..=0x3f) => State::Csi,
            (State::Escape, 0x20..=0x2f) => State::Escape,
            (State::Escape | State::Csi, 0x40..=0x7e) => State::Text,
            _ => return false,
        };
    }
    true
}

fn mask_text(text: &str, secrets: &[String]) -> String {
    secrets.iter().fold(text.to_owned(), |acc, secret| acc.replace(secret.as_str(), MASK))
}

fn mask_value(value: &mut Value, secrets: &[String]) {
    match value {
        Value::String(text) if secrets.iter().any(|s| text.contains(s.as_str())) => *text = mask_text(text, secrets),
        Value::Array(items) => items.iter_mut().for_each(|v| mask_value(v, secrets)),
        Value::Object(map) => map.values_mut().for_each(|v| mask_value(v, secrets)),
        _ => {}
    }
}

/// The current time as Python's `datetime.now(timezone.utc).isoformat()` prints it.
pub fn now_iso() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Collect(Vec<Event>);

    impl EventSink for Collect {
        fn on_event(&mut self, event: &Event) -> io::Result<()> {
            self.0.push(event.clone());
            Ok(())
        }
    }

    #[test]
    fn counters_and_lines_are_contiguous() {
        let mut sink = Collect::default();
        let mut pipeline = EventPipeline::new("id", vec![&mut sink]);
        pipeline.feed_raw(b"warning one\npart").unwrap();
        pipeline
            .feed_record(br#"{"uuid": "u1", "stdout": "\nPLAY [all] ***\n", "event": "playbook_on_play_start", "pid": 1, "event_data": {}}"#)
            .unwrap();
        pipeline.feed_raw(b"ial\n").unwrap();
        pipeline.feed_raw(b"no newline").unwrap();
        pipeline.finish().unwrap();
        let events = sink.0;
        let summary: Vec<(u64, u64, u64, &str)> = events
            .iter()
            .map(|e| {
                (
                    e.counter(),
                    e.json["start_line"].as_u64().unwrap(),
                    e.json["end_line"].as_u64().unwrap(),
                    e.json["stdout"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [(1, 0, 1, "warning one"), (2, 1, 3, "\nPLAY [all] ***"), (3, 3, 4, "partial"), (4, 4, 5, "no newline")]
        );
        let keys: Vec<&str> = events[1].json.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            ["uuid", "counter", "stdout", "start_line", "end_line", "runner_ident", "event", "pid", "event_data"]
        );
        let raw_keys: Vec<&str> = events[0].json.keys().map(String::as_str).collect();
        assert_eq!(
            raw_keys,
            ["event", "uuid", "counter", "stdout", "start_line", "end_line", "runner_ident", "created"]
        );
        assert_eq!(events[1].kind, EventKind::PlaybookOnPlayStart);
        assert_eq!(events[1].text, "\nPLAY [all] ***\n");
    }

    #[test]
    fn secrets_are_masked_in_text_and_data() {
        let mut sink = Collect::default();
        let mut pipeline =
            EventPipeline::new("id", vec![&mut sink]).with_secrets(["hunter22".to_owned(), "y".to_owned()]);
        pipeline.feed_raw(b"typed hunter22 y\n").unwrap();
        pipeline
            .feed_record(br#"{"uuid": "u", "stdout": "", "event": "runner_on_ok", "event_data": {"res": {"user_input": "hunter22"}}}"#)
            .unwrap();
        assert_eq!(sink.0[0].text, "typed ******** y\n");
        assert_eq!(sink.0[0].json["stdout"], "typed ******** y");
        assert_eq!(sink.0[1].json["event_data"]["res"]["user_input"], MASK);
    }

    #[test]
    fn an_answered_prompt_line_ends_before_the_next_event() {
        let mut sink = Collect::default();
        let mut pipeline = EventPipeline::new("id", vec![&mut sink]);
        let record = br#"{"uuid": "u", "stdout": "next", "event": "playbook_on_play_start"}"#;
        pipeline.feed_raw(b"Open word: ").unwrap();
        pipeline.answer_typed();
        pipeline.feed_record(record).unwrap();
        pipeline.answer_typed();
        pipeline.feed_raw(b"\x1b[\r\x1b[\x1b[K").unwrap();
        pipeline.feed_record(record).unwrap();
        pipeline.feed_raw(b"\x1b[\r\x1b[\x1b[K").unwrap();
        pipeline.finish().unwrap();
        let texts: Vec<&str> = sink.0.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(texts, ["Open word: \n", "next\n", "next\n"]);
    }

    #[test]
    fn a_partial_line_of_terminal_controls_shows_nothing() {
        assert!(shows_nothing(b"\r\x1b[2K\x1b[1;1H\x1b(B"));
        assert!(!shows_nothing(b"\x1b[0;32mok"));
        assert!(!shows_nothing(b"\x1b[Kx"));
        assert!(!shows_nothing("\x1b[\u{e9}".as_bytes()));
    }

    #[test]
    fn empty_stdout_adds_no_text() {
        let mut sink = Collect::default();
        let mut pipeline = EventPipeline::new("id", vec![&mut sink]);
        pipeline.feed_record(br#"{"uuid": "u", "stdout": "", "event": "runner_on_start"}"#).unwrap();
        assert_eq!(sink.0[0].text, "");
        assert_eq!(sink.0[0].kind, EventKind::RunnerOnStart);
    }
}
