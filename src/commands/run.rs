//! `ansible-runner run`: one job in the foreground, shown live on the terminal, with the run lock
//! and the reports the flags ask for; the exit code is the job's rc. Whatever ends the run, the
//! reports say so: a run that cannot start (a malformed `env/` file, an artifact dir that cannot be
//! made) or that `--lock` skips still writes its metrics, posts its alert and shows in `history`.

use std::io;
use std::path::Path;
use std::time::SystemTime;

use anyhow::Context;

use crate::events::EventSink;
use crate::exit::ExitStatus;
use crate::job::{JobSpec, OutputMode};
use crate::output::debuglog::DebugLog;
use crate::output::display::{stderr_wants_colour, stdout_is_terminal, stdout_wants_colour, TerminalRenderer};
use crate::output::progress::Progress;
use crate::report::{JobOrigin, RunPlace, RunReports, SummaryStyle, UnstartedRun};
use crate::request::JobRequest;
use crate::runner::{self, NoStatus, RunContext, RunOutcome};
use crate::state::lock;
use crate::supervise::Inputs;

/// `ansible-runner run`: the job in the foreground; the exit code is the job's rc.
pub fn run_command(request: &JobRequest) -> anyhow::Result<ExitStatus> {
    let since = SystemTime::now();
    let output = OutputMode::from_flags(request.quiet, request.json);
    let style = summary_style(output, stdout_is_terminal(), request.report.summary);
    let reports = RunReports::new(&request.report, style).with_colour(stderr_wants_colour());
    // Read before resolving, which makes a missing private data dir: a run refused there leaves
    // no record in a dir only it made.
    let unstarted = UnstartedRun::of_request(request);
    match JobSpec::resolve(request) {
        Ok(spec) => run_resolved(&spec, reports, since),
        Err(err) => {
            let err = err.into_ending();
            let reports = reports.with_origin(unstarted.origin);
            finish_early(reports, request.report.summary, &err, unstarted.place.as_ref(), since);
            Err(err)
        }
    }
}

/// Reports a job that never ran (refused, skipped by `--lock`), for `run` and `start` alike, as its
/// request names it: see [`UnstartedRun`].
pub fn report_unstarted(request: &JobRequest, err: &anyhow::Error, since: SystemTime) {
    let style = summary_style(OutputMode::from_flags(request.quiet, request.json), false, request.report.summary);
    let unstarted = UnstartedRun::of_request(request);
    let reports =
        RunReports::new(&request.report, style).with_origin(unstarted.origin).with_colour(stderr_wants_colour());
    finish_early(reports, request.report.summary, err, unstarted.place.as_ref(), since);
}

/// The reports of a run that ended with `err`: the error itself is said on stderr as the program
/// ends, so the summary line says it again only when asked (`summary`).
fn finish_early(
    mut reports: RunReports,
    summary: bool,
    err: &anyhow::Error,
    place: Option<&RunPlace>,
    since: SystemTime,
) {
    if !summary {
        reports.set_style(SummaryStyle::Silent);
    }
    reports.finish_early(err, place, since);
}

/// Runs the resolved job and reports how it ended.
fn run_resolved(spec: &JobSpec, mut reports: RunReports, since: SystemTime) -> anyhow::Result<ExitStatus> {
    reports.set_origin(JobOrigin::of(spec));
    match run_reported(spec, &mut reports) {
        Ok(outcome) => {
            reports.finish(outcome.status, outcome.rc, &spec.ident, &outcome.artifact_dir);
            Ok(ExitStatus::Job(outcome.rc))
        }
        Err(err) => {
            finish_early(reports, spec.report.summary, &err, Some(&RunPlace::of(spec)), since);
            Err(err)
        }
    }
}

/// Runs the job, feeding `reports`; returns how the job ended.
fn run_reported(spec: &JobSpec, reports: &mut RunReports) -> anyhow::Result<RunOutcome> {
    let on_terminal = stdout_is_terminal();
    reports.set_style(summary_style(spec.output, on_terminal, spec.report.summary));
    if spec.as_given.cmdline.is_none() {
        reports.set_env_cmdline(spec.env.cmdline.clone().filter(|args| !args.trim().is_empty()));
    }
    let logging = &spec.logging;
    let mut debug = DebugLog::open(logging.debug, logging.logfile.as_deref()).with_context(|| {
        format!("cannot open log file {}", logging.logfile.as_deref().unwrap_or(Path::new("")).display())
    })?;
    let _lock = spec
        .report
        .lock
        .then(|| lock::acquire(&spec.pdd.root, spec.report.lock_wait))
        .transpose()
        .map_err(lock::LockError::into_ending)?;
    spec.persist_cmdline()?;
    let inputs = Inputs::with_signals()?;
    let mut terminal = TerminalRenderer::new(io::stdout(), spec.output, stdout_wants_colour());
    if on_terminal {
        terminal = terminal.with_progress(Progress::on_stdout());
    }
    let mut sinks: Vec<&mut dyn EventSink> = vec![&mut terminal];
    sinks.extend(reports.sinks());
    let context = RunContext { inputs: &inputs, sinks, status: &mut NoStatus, event_files: true, stdout_text: true };
    let outcome = runner::run_job(spec, context, &mut debug);
    terminal.finish();
    outcome
}

/// The closing summary is for a person at a terminal (or a CI log that asks with `--summary`): in a
/// pipe, stdout and stderr carry what the Python tool's do and nothing more.
fn summary_style(output: OutputMode, stdout_on_terminal: bool, asked: bool) -> SummaryStyle {
    use std::io::IsTerminal;
    let wanted = asked || (output != OutputMode::Quiet && io::stderr().is_terminal());
    if !wanted {
        SummaryStyle::Silent
    } else if output == OutputMode::Pretty && stdout_on_terminal {
        SummaryStyle::WithSlowest
    } else {
        SummaryStyle::OneLine
    }
}
