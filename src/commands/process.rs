//! `ansible-runner process`: turns a worker's stream (stdin) into the artifacts a local run writes,
//! printing the events as `run` does. Unlike the Python tool it exits non-zero for any job that did
//! not succeed, reports a broken stream on stderr (keeping whatever arrived, and recording the job as
//! `failed` when no `status` arrived), refuses event fields that would name a file outside
//! `job_events/`, and honours Ctrl-C.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use serde_json::{Map, Value};

use crate::artifacts::{self, ArtifactsWriter, Status};
use crate::cli::{ProcessArgs, TopLevelArgs};
use crate::config::{self, PrivateDataDir};
use crate::display::{stdout_wants_colour, TerminalRenderer};
use crate::events::{Event, EventSink};
use crate::exit;
use crate::job::OutputMode;
use crate::streaming::{extract_zip, Frame, StreamReader};

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

pub fn process_command(args: &ProcessArgs, top: &TopLevelArgs) -> anyhow::Result<i32> {
    let pdd = PrivateDataDir::open_or_create(&args.private_data_dir)?;
    // As the Python tool: `--artifact-dir` is the run's own dir, `-i` names one under the root.
    let artifact_dir: PathBuf = match (&top.artifact_dir, &args.ident) {
        (Some(dir), _) => config::absolute(dir),
        (None, ident) => pdd.artifact_root(None).join(ident.as_deref().unwrap_or_default()),
    };
    let mode = OutputMode::from_flags(top.quiet || args.quiet, top.json || args.json);
    let received = ArtifactsWriter::for_stream(&artifact_dir).map_err(anyhow::Error::from).and_then(|mut writer| {
        let received = receive(&mut writer, &artifact_dir, mode);
        let closed = writer.close();
        received.and_then(|worker_error| closed.map(|()| worker_error).map_err(Into::into))
    });
    match received {
        Err(err) => {
            mark_failed(&artifact_dir);
            Err(err)
        }
        Ok(Some(explanation)) => {
            mark_failed(&artifact_dir);
            errln!("ansible-runner: the worker reported an error: {explanation}");
            Ok(exit::FAILURE)
        }
        Ok(None) => {
            let Ok(status) = fs::read_to_string(artifact_dir.join("status")) else {
                mark_failed(&artifact_dir);
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

/// Reads the stream to its eof line, writing events and unpacking the artifacts. Returns the
/// explanation of an `error` status the worker sent, if any.
fn receive(writer: &mut ArtifactsWriter, artifact_dir: &Path, mode: OutputMode) -> anyhow::Result<Option<String>> {
    let mut terminal = TerminalRenderer::new(io::stdout(), mode, stdout_wants_colour());
    let stdin = io::stdin();
    let mut reader = StreamReader::new(stdin.lock());
    let broken = || format!("the worker stream is broken; what arrived is in {}", artifact_dir.display());
    let mut error: Option<String> = None;
    loop {
        let frame = reader.next_frame().with_context(broken)?;
        match frame {
            None => bail!(
                "the worker stream ended before its eof line (worker died or stream cut); what arrived is in {}",
                artifact_dir.display()
            ),
            Some(Frame::Zip { file }) => {
                extract_zip(file, artifact_dir)
                    .with_context(|| format!("cannot unpack the worker's artifacts into {}", artifact_dir.display()))?;
            }
            Some(Frame::Json(line)) => {
                if line.contains_key("eof") {
                    return Ok(error);
                }
                if let Some(status) = line.get("status").and_then(Value::as_str) {
                    if status == "error" {
                        let explanation =
                            line.get("job_explanation").and_then(Value::as_str).unwrap_or("no explanation");
                        error = Some(explanation.to_owned());
                    }
                    continue;
                }
                if line.get("event").and_then(Value::as_str) == Some("keepalive") {
                    continue;
                }
                if !truthy(line.get("counter")) || !truthy(line.get("uuid")) {
                    continue;
                }
                check_file_name_fields(&line).with_context(broken)?;
                let event = Event::from_json(line);
                writer.write_received(&event, reader.last_line()).context("cannot write an event")?;
                terminal.on_event(&event).context("cannot print an event")?;
            }
        }
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
fn job_exit_code(status: &str, rc: &str) -> i32 {
    match rc.trim().parse::<i32>() {
        Ok(rc @ 1..=255) => rc,
        Ok(0) if status.trim() == "successful" => exit::OK,
        _ => exit::FAILURE,
    }
}

/// The counter and uuid of a streamed event become its file name `<counter>-<uuid>.json`: anything
/// but a positive integer and a uuid (Ansible's, or a random one, maybe with `_N` suffixes) could
/// name a file elsewhere, as `"uuid": "/../../x"` does with the Python tool.
fn check_file_name_fields(line: &Map<String, Value>) -> Result<(), BadEvent> {
    let shown = |value: Option<&Value>| {
        value.map(Value::to_string).unwrap_or_default().chars().take(SHOWN_FIELD_CHARS).collect()
    };
    if line.get("counter").and_then(Value::as_u64).is_none_or(|counter| counter == 0) {
        return Err(BadEvent::Counter(shown(line.get("counter"))));
    }
    if !line.get("uuid").and_then(Value::as_str).is_some_and(is_event_uuid) {
        return Err(BadEvent::Uuid(shown(line.get("uuid"))));
    }
    Ok(())
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

/// Python truthiness of a JSON value, as the Python tool tests `counter` and `uuid`.
fn truthy(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null | Value::Bool(false)) => false,
        Some(Value::Number(n)) => n.as_f64() != Some(0.0),
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(o)) => !o.is_empty(),
        Some(Value::Bool(true)) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
        let check = |counter: Value| {
            let line = json!({"counter": counter, "uuid": uuid});
            check_file_name_fields(line.as_object().unwrap())
        };
        assert!(check(json!(7)).is_ok());
        for bad in [json!(-1), json!(1.5), json!("3"), json!("../x"), json!(true)] {
            assert!(matches!(check(bad.clone()), Err(BadEvent::Counter(_))), "{bad}");
        }
    }

    #[test]
    fn exit_code_is_never_zero_for_a_job_that_did_not_succeed() {
        assert_eq!(job_exit_code("successful", "0"), 0);
        assert_eq!(job_exit_code("failed", "2\n"), 2);
        assert_eq!(job_exit_code("canceled", "254"), 254);
        assert_eq!(job_exit_code("failed", "255"), 255);
        for (status, rc) in [("failed", "None"), ("failed", "256"), ("failed", "-5"), ("failed", "0"), ("failed", "")] {
            assert_eq!(job_exit_code(status, rc), 1, "{status} {rc}");
        }
        assert_eq!(job_exit_code("successful", "None"), 1);
        assert_eq!(job_exit_code("timeout", "4294967296"), 1);
    }
}
