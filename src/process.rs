//! `ansible-runner process`: turns a worker's stream (stdin) into the artifacts a local run writes,
//! printing the events as `run` does. Unlike the Python tool it exits with the job's rc, reports a
//! broken stream on stderr (keeping whatever arrived), and honours Ctrl-C.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context};
use serde_json::Value;

use crate::artifacts::{self, ArtifactsWriter, Status};
use crate::cli::{ProcessArgs, TopLevelArgs};
use crate::config::{self, PrivateDataDir};
use crate::display::{stdout_wants_colour, TerminalRenderer};
use crate::events::{Event, EventSink};
use crate::exit;
use crate::job::OutputMode;
use crate::streaming::{extract_zip, Frame, StreamReader};

pub fn process_command(args: &ProcessArgs, top: &TopLevelArgs) -> anyhow::Result<i32> {
    let pdd = PrivateDataDir::open_or_create(&args.private_data_dir)?;
    let artifact_dir: PathBuf = match (&top.artifact_dir, &args.ident) {
        (Some(dir), _) => config::absolute(dir),
        (None, Some(ident)) => pdd.root.join("artifacts").join(ident),
        (None, None) => pdd.root.join("artifacts"),
    };
    let mode = OutputMode::from_flags(top.quiet || args.quiet, top.json || args.json);
    let mut writer = ArtifactsWriter::for_stream(&artifact_dir)?;
    let mut terminal = TerminalRenderer::new(io::stdout(), mode, stdout_wants_colour());
    let stdin = io::stdin();
    let mut reader = StreamReader::new(stdin.lock());
    let mut error: Option<String> = None;
    loop {
        let frame = match reader.next_frame() {
            Ok(frame) => frame,
            Err(err) => {
                let err = anyhow::Error::new(err)
                    .context(format!("the worker stream is broken; what arrived is in {}", artifact_dir.display()));
                return Err(broken_off(&mut writer, &artifact_dir, err));
            }
        };
        match frame {
            None => {
                let err = anyhow!(
                    "the worker stream ended before its eof line (worker died or stream cut); what arrived is in {}",
                    artifact_dir.display()
                );
                return Err(broken_off(&mut writer, &artifact_dir, err));
            }
            Some(Frame::Zip { file }) => {
                extract_zip(file, &artifact_dir)
                    .with_context(|| format!("cannot unpack the worker's artifacts into {}", artifact_dir.display()))?;
            }
            Some(Frame::Json(line)) => {
                if line.contains_key("eof") {
                    break;
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
                let event = Event::from_json(line);
                writer.write_received(&event, reader.last_line()).context("cannot write an event")?;
                terminal.on_event(&event).context("cannot print an event")?;
            }
        }
    }
    writer.close()?;
    if let Some(explanation) = error {
        errln!("ansible-runner: the worker reported an error: {explanation}");
        return Ok(exit::FAILURE);
    }
    Ok(fs::read_to_string(artifact_dir.join("rc")).ok().and_then(|rc| rc.trim().parse().ok()).unwrap_or(exit::OK))
}

/// Ends a stream that broke off: every event received is written out, and the run is marked
/// `failed` (rc 1) unless the worker's own `status` had arrived, so that its artifacts never look
/// like a run still in progress.
fn broken_off(writer: &mut ArtifactsWriter, dir: &Path, err: anyhow::Error) -> anyhow::Error {
    if let Err(close) = writer.close() {
        errln!("ansible-runner: {close}");
    }
    if !dir.join("status").exists() {
        if let Err(status) = artifacts::write_status(dir, Status::Failed, exit::FAILURE) {
            errln!("ansible-runner: {status}");
        }
    }
    err
}

/// Python truthiness of a JSON value, as the Python tool tests `counter` and `uuid`.
fn truthy(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) | Some(Value::Bool(false)) => false,
        Some(Value::Number(n)) => n.as_f64() != Some(0.0),
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(o)) => !o.is_empty(),
        Some(Value::Bool(true)) => true,
    }
}
