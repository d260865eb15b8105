//! `ansible-runner transmit`: a job packed into a stream on stdout — the kwargs line, the private
//! data dir as a base64 zip, and the eof line — for a `worker` elsewhere to run.

use std::fs::File;
use std::io::{self, BufWriter};
use std::os::fd::AsFd;

use anyhow::Context;
use serde_json::json;

use crate::exit;
use crate::job::pdd::PrivateDataDir;
use crate::job::role::RolePlaybook;
use crate::job::{JobKind, JobSpec};
use crate::request::kwargs::Kwargs;
use crate::request::JobRequest;
use crate::runner;
use crate::streaming::StreamWriter;

pub fn transmit_command(request: &JobRequest) -> anyhow::Result<i32> {
    let spec = JobSpec::resolve(request)?;
    runner::persist_cmdline(&spec, request)?;
    let role_playbook = match &spec.kind {
        JobKind::Role { role, vars, hosts, gather_facts } => Some(
            RolePlaybook::write(&spec.project_dir, role, vars.as_ref(), hosts.as_deref(), *gather_facts)
                .with_context(|| format!("cannot write the role playbook into {}", spec.project_dir.display()))?,
        ),
        _ => None,
    };
    let kwargs = Kwargs::from_request(request, &spec, role_playbook.as_ref().map(RolePlaybook::path));
    let mut writer = StreamWriter::new(BufWriter::with_capacity(OUT_BUF, raw_stdout()?));
    let skip_artifacts = request.artifact_dir.is_none();
    let sent = writer
        .write_json(&json!({ "kwargs": kwargs }))
        .context("cannot write the job stream")
        .and_then(|()| {
            writer
                .write_zip_dir(&spec.pdd.root, |relative| !PrivateDataDir::is_runner_state(relative, skip_artifacts))
                .context("cannot send the private data dir")
        })
        .and_then(|_| writer.write_json(&json!({"eof": true})).context("cannot write the job stream"));
    drop(role_playbook);
    sent?;
    Ok(exit::OK)
}

/// Bytes of the stream held before they are written; frames are flushed whole.
const OUT_BUF: usize = 64 * 1024;

/// Stdout as a plain file. Rust's stdout is line-buffered and searches every write for a newline:
/// a cost the stream, mostly one long base64 payload without newlines, need not pay.
fn raw_stdout() -> anyhow::Result<File> {
    let fd = io::stdout().as_fd().try_clone_to_owned().context("cannot use stdout")?;
    Ok(File::from(fd))
}
