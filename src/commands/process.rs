//! `ansible-runner process`: turns a worker's stream (stdin) into the artifacts a local run writes,
//! printing the events as `run` does. Unlike the Python tool it exits non-zero for any job that did
//! not succeed, reports a broken stream on stderr (keeping whatever arrived, and recording the job as
//! `failed` when no `status` arrived), refuses event fields that would name a file outside
//! `job_events/`, and honours Ctrl-C.

use std::borrow::Cow;
use std::fs;
use std::io::{self, BufReader};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

use crate::artifacts::{self, ArtifactsWriter};
use crate::cli::{ProcessArgs, TopLevelArgs};
use crate::events::{received_text, Event, EventSink};
use crate::exit::{self, ExitStatus, Failure, Status};
use crate::job::pdd::PrivateDataDir;
use crate::job::OutputMode;
use crate::output::display::{stderr_wants_colour, stdout_wants_colour, TerminalRenderer};
use crate::report::origin::{controller_name, dir_name};
use crate::report::{JobOrigin, RunReports, SummaryStyle};
use crate::streaming::{
    as_str, as_u64, extract_zip, parse_line_object, shown, truthy, HeadFrame, LineHead, StreamReader,
};

/// Longest event uuid accepted: Ansible's own ids are 36 characters, plus `_N` for repeated plays
/// and tasks; the file name `<counter>-<uuid>.json` must stay well under the 255-byte limit.
const MAX_UUID_LEN: usize = 200;
/// Characters of a refused field quoted in the error.
const SHOWN_FIELD_CHARS: usize = 100;

/// Event fields that cannot be used in a file name.
#[derive(Debug, thiserror::Error)]
enum BadEvent {
    #[error("an event's counter is not a positive integer: {0}")]
    Counter(String),
    #[error("an event's uuid is not a uuid: {0}")]
    Uuid(String),
}

pub fn process_command(args: &ProcessArgs, top: &TopLevelArgs) -> anyhow::Result<ExitStatus> {
    let pdd = PrivateDataDir::open_or_create(&args.private_data_dir)?;
    // As the Python tool: `--artifact-dir` is the run's own dir, `-i` names one under the root.
    let artifact_dir: PathBuf = match (&top.artifact_dir, &args.ident) {
        (Some(dir), _) => crate::util::fs::absolute(dir),
        (None, ident) => pdd.artifact_root(None).join(ident.as_deref().unwrap_or_default()),
    };
    let mode = OutputMode::from_flags(top.quiet || args.quiet, top.json || args.json);
    let options = args.report.to_options();
    let style = summary_style(mode, options.summary);
    let wanted = style != SummaryStyle::Silent
        || options.junit.is_some()
        || options.notify_url.is_some()
        || options.metrics_file.is_some();
    let mut reports = RunReports::new(&options, style).with_colour(stderr_wants_colour());
    let received = ArtifactsWriter::for_stream(&artifact_dir).map_err(anyhow::Error::from).and_then(|mut writer| {
        let received = receive(&mut writer, &artifact_dir, mode, wanted.then_some(&mut reports));
        let closed = writer.close();
        received.and_then(|worker_error| closed.map(|()| worker_error).map_err(Into::into))
    });
    let reason = match &received {
        Ok(explanation) => explanation.clone(),
        Err(err) => Some(crate::exit::one_line(err)),
    };
    let ended = conclude(received, &artifact_dir);
    if wanted {
        let ident = artifact_dir.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
        let ran = crate::commands::history::what_ran(&artifact_dir).unwrap_or_else(|| "remote job".to_owned());
        reports.set_origin(JobOrigin { controller: controller_name(), job: dir_name(&pdd.root), ran });
        let status = fs::read_to_string(artifact_dir.join("status")).ok().and_then(|text| Status::parse(&text));
        let rc = fs::read_to_string(artifact_dir.join("rc")).ok().and_then(|rc| rc.trim().parse().ok());
        let status = status.unwrap_or(Status::Failed);
        reports.finish_with(status, rc.unwrap_or(exit::FAILURE), &ident, &artifact_dir, reason);
    }
    ended
}

/// The closing summary as `run` shows it: on a terminal (not with `-q`), or when asked.
fn summary_style(mode: OutputMode, asked: bool) -> SummaryStyle {
    use std::io::IsTerminal;
    if asked || (mode != OutputMode::Quiet && io::stderr().is_terminal()) {
        SummaryStyle::OneLine
    } else {
        SummaryStyle::Silent
    }
}

/// The exit code from what the stream delivered; a stream that went wrong marks the job `failed`.
fn conclude(received: anyhow::Result<Option<String>>, artifact_dir: &Path) -> anyhow::Result<ExitStatus> {
    match received {
        Err(err) => {
            mark_failed(artifact_dir);
            Err(err)
        }
        Ok(Some(explanation)) => {
            mark_failed(artifact_dir);
            Err(Failure::new(exit::FAILURE, format!("the worker reported an error: {explanation}")).into())
        }
        Ok(None) => {
            let Ok(status) = fs::read_to_string(artifact_dir.join("status")) else {
                mark_failed(artifact_dir);
                bail!(
                    "the worker stream ended without the job's status; what arrived is in {}",
                    artifact_dir.display()
                );
            };
            let rc = fs::read_to_string(artifact_dir.join("rc")).unwrap_or_default();
            Ok(job_exit_code(&status, &rc))
        }
    }
}

/// Input read ahead from stdin: dozens of typical events, so the reader seldom waits on the pipe.
const INPUT_BUF: usize = 64 * 1024;

/// Reads the stream to its eof line, writing events and unpacking the artifacts. Returns the
/// explanation of an `error` status the worker sent, if any.
fn receive(
    writer: &mut ArtifactsWriter,
    artifact_dir: &Path,
    mode: OutputMode,
    reports: Option<&mut RunReports>,
) -> anyhow::Result<Option<String>> {
    let terminal = TerminalRenderer::new(io::stdout(), mode, stdout_wants_colour());
    let mut reader = StreamReader::new(BufReader::with_capacity(INPUT_BUF, io::stdin().lock()));
    let mut receiving = Receiving { writer, terminal, artifact_dir, mode, error: None, reports };
    loop {
        if !reader.has_buffered_input() {
            receiving.writer.hand_off_events().context("cannot write an event")?;
        }
        match reader.next_head(|frame| receiving.on_frame(frame)).with_context(|| broken(artifact_dir))? {
            None => bail!(
                "the worker stream ended before its eof line (worker died or stream cut); what arrived is in {}",
                artifact_dir.display()
            ),
            Some(step) => {
                if step? == Step::Eof {
                    return Ok(receiving.error);
                }
            }
        }
    }
}

fn broken(artifact_dir: &Path) -> String {
    format!("the worker stream is broken; what arrived is in {}", artifact_dir.display())
}

/// Where received frames go.
struct Receiving<'a> {
    writer: &'a mut ArtifactsWriter,
    terminal: TerminalRenderer<io::Stdout>,
    artifact_dir: &'a Path,
    mode: OutputMode,
    /// The explanation of an `error` status, once one arrived.
    error: Option<String>,
    /// The reports to build from the events, when any is wanted.
    reports: Option<&'a mut RunReports>,
}

#[derive(Debug, PartialEq, Eq)]
enum Step {
    Next,
    Eof,
}

impl Receiving<'_> {
    fn on_frame(&mut self, frame: HeadFrame<'_>) -> anyhow::Result<Step> {
        match frame {
            HeadFrame::Zip { file } => {
                extract_zip(file, self.artifact_dir).with_context(|| {
                    format!("cannot unpack the worker's artifacts into {}", self.artifact_dir.display())
                })?;
                Ok(Step::Next)
            }
            HeadFrame::Line(head) => self.on_line(&head),
        }
    }

    /// An event line is stored as it came; status lines, keepalives and lines without a counter
    /// and uuid are not events, as for the Python tool.
    fn on_line(&mut self, head: &LineHead<'_>) -> anyhow::Result<Step> {
        if head.is_eof() {
            return Ok(Step::Eof);
        }
        if let Some(status) = head.status() {
            if status == "error" {
                let explanation = head.job_explanation().map_or_else(|| "no explanation".to_owned(), Cow::into_owned);
                self.error = Some(explanation);
            }
            return Ok(Step::Next);
        }
        let event = head.event();
        let event = event.as_deref().unwrap_or_default();
        if event == "keepalive" || !truthy(head.counter()) || !truthy(head.uuid()) {
            return Ok(Step::Next);
        }
        let name = event_file_name(head).with_context(|| broken(self.artifact_dir))?;
        let text = received_text(event, head.stdout().as_deref().unwrap_or_default(), head.has_event_data());
        self.writer.write_received(name, head.line().as_bytes(), &text).context("cannot write an event")?;
        // Only JSON output and the reports need the whole event: the text alone is cheaper.
        let event = if self.mode == OutputMode::Json || self.reports.is_some() {
            let json = parse_line_object(head.line()).with_context(|| broken(self.artifact_dir))?;
            Some(Event::from_json(json))
        } else {
            None
        };
        let printed = match (&event, self.mode) {
            (Some(event), OutputMode::Json) => self.terminal.on_event(event),
            _ => self.terminal.on_text(&text),
        };
        printed.context("cannot print an event")?;
        if let (Some(event), Some(reports)) = (&event, self.reports.as_deref_mut()) {
            for sink in reports.sinks() {
                sink.on_event(event).context("cannot report an event")?;
            }
        }
        Ok(Step::Next)
    }
}

/// Records a job whose stream went wrong as `failed` (rc 1), unless the worker's own `status`
/// already arrived: an artifact dir always ends with `status` and `rc` when it can be written.
fn mark_failed(artifact_dir: &Path) {
    if artifact_dir.is_dir() && !artifact_dir.join("status").exists() {
        let _ = artifacts::write_status(artifact_dir, Status::Failed, exit::FAILURE);
    }
}

/// `process`'s exit code from the job's `status` and `rc` files: an rc from 1 to 255 as it is, 0 only
/// for a `successful` job with rc 0, and 1 for anything else (`None` from a job killed by a signal,
/// 256, -5, a missing rc), so that a job that did not succeed never exits 0.
fn job_exit_code(status: &str, rc: &str) -> ExitStatus {
    match rc.trim().parse::<i32>() {
        Ok(rc @ 1..=255) => ExitStatus::Job(rc),
        Ok(0) if status.trim() == "successful" => ExitStatus::Success,
        _ => ExitStatus::FailedWithoutRc,
    }
}

/// The counter and uuid of a streamed event become its file name `<counter>-<uuid>.json`: anything
/// but a positive integer and a uuid (Ansible's, or a random one, maybe with `_N` suffixes) could
/// name a file elsewhere, as `"uuid": "/../../x"` does with the Python tool.
fn event_file_name(head: &LineHead<'_>) -> Result<String, BadEvent> {
    let counter = head
        .counter()
        .and_then(as_u64)
        .filter(|counter| *counter > 0)
        .ok_or_else(|| BadEvent::Counter(shown(head.counter(), SHOWN_FIELD_CHARS)))?;
    let uuid = head
        .uuid()
        .and_then(as_str)
        .filter(|uuid| is_event_uuid(uuid))
        .ok_or_else(|| BadEvent::Uuid(shown(head.uuid(), SHOWN_FIELD_CHARS)))?;
    Ok(format!("{counter}-{uuid}.json"))
}

/// `8-4-4-4-12` hex digits, then any number of `_<digits>` (Ansible's callback numbers repeated play
/// and task uuids that way).
fn is_event_uuid(text: &str) -> bool {
    let Some((head, tail)) = text.split_at_checked(36) else { return false };
    let groups_ok =
        head.split('-').map(str::len).eq([8, 4, 4, 4, 12]) && head.bytes().all(|b| b == b'-' || b.is_ascii_hexdigit());
    let suffixes_ok = tail.is_empty()
        || tail
            .strip_prefix('_')
            .is_some_and(|rest| rest.split('_').all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())));
    text.len() <= MAX_UUID_LEN && groups_ok && suffixes_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_from_ansible_and_uuid4_pass_paths_do_not() {
        for good in [
            "0242ac11-0002-443b-cdb1-000000000006",
            "0242ac11-0002-443b-cdb1-000000000006_1",
            "0242ac11-0002-443b-cdb1-000000000006_2_1",
            "9F1C2A3B-4D5E-4F60-8A7B-1C2D3E4F5A6B",
        ] {
            assert!(is_event_uuid(good), "{good}");
        }
        for bad in [
            "",
            "/../../tmp/x",
            "0242ac11-0002-443b-cdb1-000000000006/..",
            "0242ac11-0002-443b-cdb1-00000000000g",
            "0242ac11-0002-443b-cdb1-0000000000066",
            "0242ac11-0002-443b-cdb1-000000000006_",
            "0242ac11-0002-443b-cdb1-000000000006__1",
            "0242ac11--002-443b-cdb1-0000000000066",
            "0242ac11-0002-443b-cdb1-00000000000\u{e9}",
            &format!("0242ac11-0002-443b-cdb1-000000000006{}", "_1".repeat(100)),
        ] {
            assert!(!is_event_uuid(bad), "{bad}");
        }
    }

    #[test]
    fn counter_must_be_a_positive_integer() {
        let uuid = "0242ac11-0002-443b-cdb1-000000000006";
        let check = |counter: &str| {
            let line = format!("{{\"counter\": {counter}, \"uuid\": \"{uuid}\"}}");
            event_file_name(&LineHead::parse(&line).unwrap())
        };
        assert_eq!(check("7").unwrap(), format!("7-{uuid}.json"));
        for bad in ["-1", "1.5", "0", "\"3\"", "\"../x\"", "true", "[1]"] {
            assert!(matches!(check(bad), Err(BadEvent::Counter(_))), "{bad}");
        }
        let err = check("{\"a\": [1, 2]}").unwrap_err();
        assert_eq!(err.to_string(), "an event's counter is not a positive integer: {\"a\":[1,2]}");
    }

    #[test]
    fn uuid_is_read_as_the_json_string_it_is() {
        let name =
            |uuid: &str| event_file_name(&LineHead::parse(&format!("{{\"counter\": 2, \"uuid\": {uuid}}}")).unwrap());
        assert_eq!(
            name("\"0242ac11-0002-443b-cdb1-00000000000\\u0036\"").unwrap(),
            "2-0242ac11-0002-443b-cdb1-000000000006.json"
        );
        assert!(matches!(name("\"..\\/x\""), Err(BadEvent::Uuid(_))));
        assert!(matches!(name("7"), Err(BadEvent::Uuid(_))));
    }

    #[test]
    fn exit_code_is_never_zero_for_a_job_that_did_not_succeed() {
        assert_eq!(job_exit_code("successful", "0").code(), 0);
        assert_eq!(job_exit_code("failed", "2\n").code(), 2);
        assert_eq!(job_exit_code("canceled", "254").code(), 254);
        assert_eq!(job_exit_code("failed", "255").code(), 255);
        for (status, rc) in [("failed", "None"), ("failed", "256"), ("failed", "-5"), ("failed", "0"), ("failed", "")] {
            assert_eq!(job_exit_code(status, rc).code(), 1, "{status} {rc}");
        }
        assert_eq!(job_exit_code("successful", "None").code(), 1);
        assert_eq!(job_exit_code("timeout", "4294967296").code(), 1);
    }
}
