//! The `JUnit` XML report: one `<testsuite>` per play and one `<testcase>` per task and host, so CI
//! systems show an Ansible run like a test run. Unreachable hosts are `<error>`s: the `JUnit` word for
//! "could not run" (as opposed to `<failure>`, "ran and was wrong"); Jenkins, GitLab, Azure DevOps
//! and the GitHub report actions all count both as red, and GitLab shows errors apart.

use std::collections::{HashMap, VecDeque};
use std::fmt::Write as _;
use std::io;
use std::path::Path;

use chrono::{DateTime, Utc};
use indexmap::IndexMap;
use serde_json::{Map, Value};

use super::{
    clip, created, error_message, event_data, label_text, seconds_between, str_field, Outcome, TaskRecords, TaskResult,
};
use super::{JobOrigin, RunEnd};
use crate::events::{Event, EventSink};
use crate::exit::Status;

/// Lines of raw output kept to explain a run that ended without a failing task.
const OUTPUT_TAIL_LINES: usize = 20;
/// Result fields shown, in this order, in the text of a failure.
const DETAIL_FIELDS: [&str; 8] =
    ["msg", "cmd", "rc", "stdout", "stderr", "module_stdout", "module_stderr", "exception"];

#[derive(Debug, Clone)]
enum Verdict {
    Passed,
    /// A failure Ansible was told to ignore: green, with what went wrong kept in `<system-out>`.
    Ignored {
        message: String,
        detail: String,
    },
    Skipped {
        message: Option<String>,
    },
    Failure {
        message: String,
        detail: String,
    },
    Error {
        kind: &'static str,
        message: String,
        detail: String,
    },
}

/// A test case; its `classname` is the name of its suite (the play).
#[derive(Debug, Clone)]
struct Case {
    name: String,
    seconds: f64,
    verdict: Verdict,
}

#[derive(Debug, Clone)]
struct Suite {
    name: String,
    cases: Vec<Case>,
}

/// A host that started a task and has not reported the result yet.
#[derive(Debug, Clone)]
struct Running {
    play_key: String,
    play: String,
    task: String,
    started: Option<DateTime<Utc>>,
}

/// Collects task results as test cases; [`JunitCollector::write`] writes the report.
#[derive(Debug, Default)]
pub struct JunitCollector {
    suites: Vec<Suite>,
    suite_index: HashMap<String, usize>,
    /// Keyed by (task uuid, host): what a timeout or cancel cut short.
    running: IndexMap<(String, String), Running>,
    output_tail: VecDeque<String>,
    last_event_at: Option<DateTime<Utc>>,
    /// Written as `<properties>` of every suite, so a CI server collecting reports from many
    /// machines shows which job ran where.
    origin: Option<JobOrigin>,
}

impl JunitCollector {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn set_origin(&mut self, origin: Option<JobOrigin>) {
        self.origin = origin;
    }

    /// Writes the report for a run that ended with `status`, atomically (a temporary file in the
    /// same directory, then a rename), creating missing parent directories. `reason` says why a run
    /// ended so when no task case does (see `RunSummary::reason`).
    pub fn write(&self, path: &Path, status: impl Into<RunEnd>, reason: Option<&str>) -> io::Result<()> {
        // As any new file: readable by others unless the umask says otherwise.
        super::write_report(path, 0o666, self.render(status.into(), reason).as_bytes())
    }

    /// The report as XML text.
    fn render(&self, end: RunEnd, reason: Option<&str>) -> String {
        let mut suites = self.suites.clone();
        if let RunEnd::Job(status) = end {
            if status != Status::Successful {
                self.add_unfinished(&mut suites, status);
            }
        }
        if let Some(case) = self.run_case(end, reason, &suites) {
            suites.push(Suite { name: "ansible-runner".to_owned(), cases: vec![case] });
        }
        let totals = Totals::of(suites.iter().flat_map(|s| &s.cases));
        let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(xml, "<testsuites name=\"ansible-runner\"{}>", totals.attributes());
        for suite in &suites {
            let totals = Totals::of(&suite.cases);
            let _ = writeln!(xml, "  <testsuite name=\"{}\"{}>", escape(&suite.name, true), totals.attributes());
            self.render_properties(&mut xml);
            for case in &suite.cases {
                render_case(&mut xml, &suite.name, case);
            }
            xml.push_str("  </testsuite>\n");
        }
        xml.push_str("</testsuites>\n");
        xml
    }

    fn render_properties(&self, xml: &mut String) {
        let Some(origin) = &self.origin else { return };
        xml.push_str("    <properties>\n");
        for (name, value) in [("controller", &origin.controller), ("job", &origin.job), ("ran", &origin.ran)] {
            let _ = writeln!(xml, "      <property name=\"{name}\" value=\"{}\"/>", escape(value, true));
        }
        xml.push_str("    </properties>\n");
    }

    /// Hosts still running a task when the run was stopped, as errors, so CI shows what hung.
    fn add_unfinished(&self, suites: &mut Vec<Suite>, status: Status) {
        let message = match status {
            Status::Timeout => "did not finish: the run timed out",
            Status::Canceled => "did not finish: the run was canceled",
            _ => "did not finish",
        };
        let mut added: HashMap<&str, usize> = HashMap::new();
        for ((_, host), running) in &self.running {
            let seconds = match (running.started, self.last_event_at) {
                (Some(start), Some(last)) => seconds_between(start, last),
                _ => 0.0,
            };
            let case = Case {
                name: case_name(&running.task, host),
                seconds,
                verdict: Verdict::Error { kind: "unfinished", message: message.to_owned(), detail: String::new() },
            };
            // A play whose first task never finished has no suite yet.
            let index = self.suite_index.get(&running.play_key).copied().unwrap_or_else(|| {
                *added.entry(&running.play_key).or_insert_with(|| {
                    suites.push(Suite { name: running.play.clone(), cases: Vec::new() });
                    suites.len() - 1
                })
            });
            if let Some(suite) = suites.get_mut(index) {
                suite.cases.push(case);
            }
        }
    }

    /// A case for the run itself when it did not succeed and no task case says so already (a
    /// timeout, a cancel, a syntax error, a missing playbook, a run that could not start), its
    /// message the reason, with the end of the raw output. A run `--lock` skipped is a skipped case.
    fn run_case(&self, end: RunEnd, reason: Option<&str>, suites: &[Suite]) -> Option<Case> {
        let already_red = suites
            .iter()
            .flat_map(|s| &s.cases)
            .any(|c| matches!(c.verdict, Verdict::Failure { .. } | Verdict::Error { .. }));
        let stopped = matches!(end, RunEnd::Job(Status::Timeout | Status::Canceled));
        if end.succeeded() || (already_red && !stopped) {
            return None;
        }
        let message = reason.map_or_else(|| end.words().to_owned(), |reason| format!("{}: {reason}", end.words()));
        let detail = self.output_tail.iter().map(String::as_str).collect::<Vec<_>>().join("\n");
        let verdict = if end == RunEnd::Skipped {
            Verdict::Skipped { message: Some(message) }
        } else {
            Verdict::Error { kind: "run", message, detail }
        };
        Some(Case { name: "run".to_owned(), seconds: 0.0, verdict })
    }

    fn suite_for(&mut self, play_key: &str, play: &str) -> &mut Suite {
        let index = if let Some(&index) = self.suite_index.get(play_key) {
            index
        } else {
            self.suites.push(Suite { name: play.to_owned(), cases: Vec::new() });
            self.suite_index.insert(play_key.to_owned(), self.suites.len() - 1);
            self.suites.len() - 1
        };
        &mut self.suites[index]
    }
}

impl TaskRecords for JunitCollector {
    fn record_start(&mut self, event: &Event) {
        let data = event_data(event);
        let play = play_name(str_field(data, "play"));
        let running = Running {
            play_key: play_key(str_field(data, "play_uuid"), &play),
            play,
            task: str_field(data, "task").to_owned(),
            started: created(event),
        };
        self.running.insert((str_field(data, "task_uuid").to_owned(), str_field(data, "host").to_owned()), running);
    }

    fn record_output(&mut self, event: &Event) {
        let text = console::strip_ansi_codes(&event.text).into_owned();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            if self.output_tail.len() == OUTPUT_TAIL_LINES {
                self.output_tail.pop_front();
            }
            self.output_tail.push_back(line.to_owned());
        }
    }

    fn record_result(&mut self, result: &TaskResult<'_>) {
        self.running.shift_remove(&(result.task_uuid.to_owned(), result.host.to_owned()));
        let verdict = match result.outcome {
            Outcome::Ok => Verdict::Passed,
            Outcome::Skipped => Verdict::Skipped {
                message: result.res.and_then(|r| r.get("skip_reason")).and_then(Value::as_str).map(clip),
            },
            Outcome::Failed if result.ignore_errors => {
                Verdict::Ignored { message: result.message(), detail: detail(result) }
            }
            Outcome::Failed => Verdict::Failure { message: result.message(), detail: detail(result) },
            Outcome::Unreachable => {
                Verdict::Error { kind: "unreachable", message: result.message(), detail: detail(result) }
            }
        };
        let play = play_name(result.play);
        let case = Case { name: case_name(result.task, result.host), seconds: result.duration.unwrap_or(0.0), verdict };
        let key = play_key(result.play_uuid, &play);
        self.suite_for(&key, &play).cases.push(case);
    }
}

impl EventSink for JunitCollector {
    fn on_event(&mut self, event: &Event) -> io::Result<()> {
        if let Some(at) = created(event) {
            self.last_event_at = Some(self.last_event_at.map_or(at, |last| last.max(at)));
        }
        self.record(event);
        Ok(())
    }
}

/// Counts for a `<testsuite>` or `<testsuites>` element.
struct Totals {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
    seconds: f64,
}

impl Totals {
    fn of<'c>(cases: impl IntoIterator<Item = &'c Case>) -> Self {
        let mut totals = Self { tests: 0, failures: 0, errors: 0, skipped: 0, seconds: 0.0 };
        for case in cases {
            totals.tests += 1;
            totals.seconds += case.seconds;
            match case.verdict {
                Verdict::Failure { .. } => totals.failures += 1,
                Verdict::Error { .. } => totals.errors += 1,
                Verdict::Skipped { .. } => totals.skipped += 1,
                Verdict::Passed | Verdict::Ignored { .. } => {}
            }
        }
        totals
    }

    fn attributes(&self) -> String {
        format!(
            " tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{:.3}\"",
            self.tests, self.failures, self.errors, self.skipped, self.seconds
        )
    }
}

fn render_case(xml: &mut String, classname: &str, case: &Case) {
    let _ = write!(
        xml,
        "    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\"",
        escape(classname, true),
        escape(&case.name, true),
        case.seconds
    );
    let (tag, kind, message, body) = match &case.verdict {
        Verdict::Passed => {
            xml.push_str("/>\n");
            return;
        }
        Verdict::Skipped { message: None } => {
            xml.push_str(">\n      <skipped/>\n    </testcase>\n");
            return;
        }
        Verdict::Skipped { message: Some(message) } => {
            let _ = write!(xml, ">\n      <skipped message=\"{}\"/>\n    </testcase>\n", escape(message, true));
            return;
        }
        Verdict::Ignored { message, detail } => {
            let _ = write!(
                xml,
                ">\n      <system-out>{}</system-out>\n    </testcase>\n",
                escape(&format!("failed, ignored (ignore_errors): {message}\n{detail}"), false)
            );
            return;
        }
        Verdict::Failure { message, detail } => ("failure", "failed", message, detail),
        Verdict::Error { kind, message, detail } => ("error", *kind, message, detail),
    };
    let _ = write!(xml, ">\n      <{tag} message=\"{}\" type=\"{kind}\"", escape(message, true));
    if body.is_empty() {
        xml.push_str("/>\n");
    } else {
        let _ = writeln!(xml, ">{}</{tag}>", escape(body, false));
    }
    xml.push_str("    </testcase>\n");
}

/// The text of a failure: where the task is, then the result fields a person looks at first.
fn detail(result: &TaskResult<'_>) -> String {
    let mut text = String::new();
    if !result.task_path.is_empty() {
        let _ = writeln!(text, "task: {}", result.task_path);
    }
    if let Some(res) = result.res {
        detail_fields(&mut text, res);
        let failed_items = res
            .get("results")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_object)
            .filter(|item| item.get("failed").and_then(Value::as_bool) == Some(true));
        for item in failed_items {
            let label =
                item.get("_ansible_item_label").or_else(|| item.get("item")).map(label_text).unwrap_or_default();
            let message = error_message(item).unwrap_or_else(|| "failed".to_owned());
            let _ = writeln!(text, "item {label}: {message}");
        }
    }
    console::strip_ansi_codes(text.trim_end()).into_owned()
}

fn detail_fields(text: &mut String, res: &Map<String, Value>) {
    for key in DETAIL_FIELDS {
        let Some(value) = res.get(key) else { continue };
        let value = label_text(value);
        // Ansible puts this placeholder where no traceback was captured.
        if value.trim().is_empty() || value == "(traceback unavailable)" {
            continue;
        }
        if value.contains('\n') {
            let _ = writeln!(text, "{key}:\n{}", value.trim_end());
        } else {
            let _ = writeln!(text, "{key}: {value}");
        }
    }
}

fn case_name(task: &str, host: &str) -> String {
    format!("{task} [{host}]")
}

/// Results outside any named play (an ad-hoc command with no play name) still need a suite.
fn play_name(play: &str) -> String {
    if play.is_empty() { "ansible" } else { play }.to_owned()
}

/// Plays are told apart by uuid: two plays may share a name.
fn play_key(play_uuid: &str, play: &str) -> String {
    if play_uuid.is_empty() {
        format!("name:{play}")
    } else {
        play_uuid.to_owned()
    }
}

/// XML 1.0 text or attribute content: markup characters escaped, characters XML 1.0 cannot carry
/// at all (most C0 controls, U+FFFE, U+FFFF) dropped. In attributes, line breaks and tabs are
/// written as character references so parsers do not fold them into spaces.
fn escape(text: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\'' if attribute => out.push_str("&apos;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\r' => out.push_str("&#13;"),
            '\n' | '\t' => out.push(c),
            c if is_xml_char(c) => out.push(c),
            _ => {}
        }
    }
    out
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testdata::{events, replay, result};
    use serde_json::json;
    use std::fs;

    fn report(collector: &JunitCollector, status: Status) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("reports/junit.xml");
        collector.write(&path, status, None).unwrap();
        let names: Vec<_> = fs::read_dir(path.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["junit.xml"], "no temporary file is left behind");
        fs::read_to_string(&path).unwrap()
    }

    fn collect(name: &str) -> JunitCollector {
        let mut collector = JunitCollector::new();
        replay(&mut collector, &events(name));
        collector
    }

    fn attr<'a>(node: roxmltree::Node<'a, '_>, name: &str) -> &'a str {
        node.attribute(name).unwrap_or_else(|| panic!("no {name} on {node:?}"))
    }

    fn counts<'a>(node: roxmltree::Node<'a, '_>) -> [&'a str; 4] {
        [attr(node, "tests"), attr(node, "failures"), attr(node, "errors"), attr(node, "skipped")]
    }

    #[test]
    fn failed_run_has_a_suite_per_play_and_a_case_per_host() {
        let xml = report(&collect("fail"), Status::Failed);
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "testsuites");
        assert_eq!(counts(root), ["14", "2", "1", "3"]);
        let suites: Vec<_> = root.children().filter(roxmltree::Node::is_element).collect();
        assert_eq!(suites.iter().map(|s| attr(*s, "name")).collect::<Vec<_>>(), ["Setup play", "Deploy play"]);
        assert_eq!(counts(suites[0]), ["11", "0", "1", "3"]);
        assert_eq!(counts(suites[1]), ["3", "2", "0", "0"]);

        let case = |name: &str| doc.descendants().find(|n| n.attribute("name") == Some(name)).unwrap();
        let failure = case("Fail with shell [web1]").first_element_child().unwrap();
        assert_eq!(failure.tag_name().name(), "failure");
        assert_eq!(attr(failure, "message"), "non-zero return code: boom <&> \"quoted\"");
        assert!(failure.text().unwrap().contains("stderr: boom <&> \"quoted\""));
        assert!(failure.text().unwrap().starts_with("task: /srv/ci/fail/project/site.yml:22"));
        assert_eq!(attr(case("Fail with shell [web1]"), "classname"), "Deploy play");
        assert_eq!(attr(case("Fail with shell [web1]"), "time"), "0.242");

        let unreachable = case("Ignored failure [db1]").first_element_child().unwrap();
        assert_eq!((unreachable.tag_name().name(), attr(unreachable, "type")), ("error", "unreachable"));
        assert!(attr(unreachable, "message").contains("Connection refused"));

        let ignored = case("Ignored failure [web1]").first_element_child().unwrap();
        assert_eq!(ignored.tag_name().name(), "system-out");
        assert!(ignored.text().unwrap().starts_with("failed, ignored (ignore_errors): non-zero return code"));
        assert_eq!(case("Skip me [web2]").first_element_child().unwrap().tag_name().name(), "skipped");
        assert!(case("Say hello [web1]").first_element_child().is_none());
        assert!(doc.descendants().all(|n| n.attribute("name") != Some("run")), "task failures already make it red");
    }

    #[test]
    fn timeout_adds_the_run_and_the_unfinished_tasks_as_errors() {
        let xml = report(&collect("slow"), Status::Timeout);
        let doc = roxmltree::Document::parse(&xml).unwrap();
        assert_eq!(counts(doc.root_element()), ["5", "0", "3", "0"]);
        let hung: Vec<_> = doc
            .descendants()
            .filter(|n| n.attribute("name").is_some_and(|name| name.starts_with("Hang forever")))
            .collect();
        assert_eq!(hung.len(), 2);
        let error = hung[0].first_element_child().unwrap();
        assert_eq!(attr(error, "message"), "did not finish: the run timed out");
        assert_eq!(attr(hung[0], "classname"), "Slow play");
        let run = doc.descendants().find(|n| n.attribute("name") == Some("run")).unwrap();
        assert_eq!(attr(run, "classname"), "ansible-runner");
        let error = run.first_element_child().unwrap();
        assert_eq!((error.tag_name().name(), attr(error, "message")), ("error", "timeout"));
        assert!(error.text().unwrap().contains("job_timeout (4 s)"));
    }

    #[test]
    fn a_first_task_that_never_finished_gets_its_play_suite() {
        let events = events("slow");
        let mut collector = JunitCollector::new();
        // Up to both hosts starting the first task, then the runner's timeout message.
        let cut: Vec<Event> = events[..5].iter().chain(events.last()).cloned().collect();
        replay(&mut collector, &cut);
        let xml = report(&collector, Status::Canceled);
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let suites: Vec<_> = doc.root_element().children().filter(roxmltree::Node::is_element).collect();
        assert_eq!(suites.iter().map(|s| attr(*s, "name")).collect::<Vec<_>>(), ["Slow play", "ansible-runner"]);
        assert_eq!(counts(suites[0]), ["2", "0", "2", "0"]);
        let error = suites[0].descendants().find(|n| n.has_tag_name("error")).unwrap();
        assert_eq!(attr(error, "message"), "did not finish: the run was canceled");
    }

    #[test]
    fn a_failed_run_without_task_results_is_still_red() {
        let mut collector = JunitCollector::new();
        let mut pipeline = crate::events::EventPipeline::new("id", vec![&mut collector]);
        pipeline.feed_raw(b"\x1b[0;31mERROR! the playbook: nope.yml could not be found\x1b[0m\n").unwrap();
        drop(pipeline);
        let doc_text = report(&collector, Status::Failed);
        let doc = roxmltree::Document::parse(&doc_text).unwrap();
        assert_eq!(counts(doc.root_element()), ["1", "0", "1", "0"]);
        let error = doc.descendants().find(|n| n.has_tag_name("error")).unwrap();
        assert_eq!(error.text(), Some("ERROR! the playbook: nope.yml could not be found"));
        // A successful run with no events is an empty, valid report.
        let empty = report(&JunitCollector::new(), Status::Successful);
        assert_eq!(counts(roxmltree::Document::parse(&empty).unwrap().root_element()), ["0", "0", "0", "0"]);
    }

    #[test]
    fn messages_are_escaped_and_illegal_characters_dropped() {
        let nasty = "a<b>&\"c\" 'd'\u{0}\u{1b}[31m\u{7}\u{fffe}\r\n\tend ]]> \u{1F600}";
        let event = result(
            "runner_on_failed",
            "Play <1> & \"co\"",
            "Task 'x' <y>",
            "host&1",
            json!({"res": {"msg": nasty, "stdout": nasty}}),
        );
        let mut collector = JunitCollector::new();
        replay(&mut collector, &[event]);
        let xml = report(&collector, Status::Failed);
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let case = doc.descendants().find(|n| n.has_tag_name("testcase")).unwrap();
        assert_eq!(attr(case, "classname"), "Play <1> & \"co\"");
        assert_eq!(attr(case, "name"), "Task 'x' <y> [host&1]");
        let failure = case.first_element_child().unwrap();
        // Control characters become spaces in the one-line message; U+FFFE is dropped.
        assert_eq!(attr(failure, "message"), "a<b>&\"c\" 'd'  ");
        let body = failure.text().unwrap();
        assert!(body.contains("stdout:\na<b>&\"c\" 'd'\r\n\tend ]]> \u{1F600}"), "{body:?}");
        assert_eq!(attr(doc.descendants().find(|n| n.has_tag_name("testsuite")).unwrap(), "name"), "Play <1> & \"co\"");
    }

    #[test]
    fn attributes_keep_line_breaks() {
        assert_eq!(escape("a\nb\tc\r", true), "a&#10;b&#9;c&#13;");
        assert_eq!(escape("a\nb\tc\r", false), "a\nb\tc&#13;");
    }

    #[test]
    fn rewriting_replaces_the_report() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("junit.xml");
        fs::write(&path, "old").unwrap();
        collect("demo").write(&path, Status::Successful, None).unwrap();
        let xml = fs::read_to_string(&path).unwrap();
        let doc = roxmltree::Document::parse(&xml).unwrap();
        assert_eq!(attr(doc.root_element(), "failures"), "0");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
