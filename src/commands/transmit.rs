//! `ansible-runner transmit`: a job packed into a stream on stdout — the kwargs line, the private
//! data dir as a base64 zip, and the eof line — for a `worker` elsewhere to run.

use std::fs::File;
use std::io::{self, BufWriter};
use std::os::fd::AsFd;
use std::path::Path;

use anyhow::Context;
use serde_json::{json, Value};

use crate::exit::ExitStatus;
use crate::job::pdd::PrivateDataDir;
use crate::job::role::RolePlaybook;
use crate::job::{JobError, JobKind, JobSpec};
use crate::request::kwargs::Kwargs;
use crate::request::JobRequest;
use crate::streaming::StreamWriter;

pub fn transmit_command(request: &JobRequest) -> anyhow::Result<ExitStatus> {
    let spec = JobSpec::resolve(request).map_err(JobError::into_ending)?;
    spec.persist_cmdline()?;
    let role_playbook = RolePlaybook::for_job(&spec)?;
    let kwargs = stream_kwargs(&spec, role_playbook.as_ref().map(RolePlaybook::path));
    let mut writer = StreamWriter::new(BufWriter::with_capacity(OUT_BUF, raw_stdout()?));
    let skip_artifacts = spec.as_given.artifact_dir.is_none();
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
    Ok(ExitStatus::Success)
}

/// Bytes of the stream held before they are written; frames are flushed whole.
const OUT_BUF: usize = 64 * 1024;

/// Stdout as a plain file. Rust's stdout is line-buffered and searches every write for a newline:
/// a cost the stream, mostly one long base64 payload without newlines, need not pay.
fn raw_stdout() -> anyhow::Result<File> {
    let fd = io::stdout().as_fd().try_clone_to_owned().context("cannot use stdout")?;
    Ok(File::from(fd))
}

/// What `transmit` sends for a resolved job. Paths inside the private data dir travel relative
/// to it so that the worker can place them in its own copy.
fn stream_kwargs(spec: &JobSpec, role_playbook: Option<&Path>) -> Kwargs {
    let pdd = &spec.pdd.root;
    let playbook = match (&spec.kind, role_playbook) {
        (JobKind::Role { .. }, Some(path)) => path.file_name().map(|n| n.to_string_lossy().into_owned()),
        (JobKind::Playbook { playbook }, _) => {
            let path = Path::new(playbook);
            Some(path.strip_prefix(&spec.project_dir).map_or_else(|_| playbook.clone(), |p| p.display().to_string()))
        }
        _ => None,
    };
    let (module, module_args, host_pattern) = match &spec.kind {
        JobKind::Module { module, args, hosts } => (Some(module.clone()), args.clone(), hosts.clone()),
        _ => (None, None, None),
    };
    let given = &spec.as_given;
    let given_inventory = given.inventory.then(|| spec.inventory.first()).flatten();
    let inventory = given_inventory.map(|path| {
        Value::String(path.strip_prefix(pdd).map_or_else(|_| path.display().to_string(), |p| p.display().to_string()))
    });
    Kwargs {
        ident: Some(spec.ident.clone()),
        binary: spec.binary.clone(),
        playbook,
        module,
        module_args,
        host_pattern,
        verbosity: (spec.verbosity > 0).then_some(spec.verbosity),
        quiet: given.quiet,
        rotate_artifacts: spec.rotate_artifacts,
        json_mode: spec.json,
        omit_event_data: spec.omit_event_data,
        only_failed_event_data: spec.only_failed_event_data,
        inventory,
        forks: spec.forks.clone().map(Value::String),
        project_dir: given.project_dir.as_ref().map(|p| p.display().to_string()),
        artifact_dir: given.artifact_dir.as_ref().map(|p| p.display().to_string()),
        roles_path: spec.roles_path.as_ref().map(|p| vec![p.clone()]),
        cmdline: if given.omit_env_files { given.cmdline.clone() } else { None },
        limit: spec.limit.clone(),
        suppress_env_files: given.omit_env_files,
        ..Kwargs::default()
    }
}
