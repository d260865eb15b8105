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
use crate::job::{JobError, JobSpec, OutputMode};
use crate::output::debuglog::DebugLog;
use crate::output::display::{stderr_wants_colour, stdout_is_terminal, stdout_wants_colour, TerminalRenderer};
use crate::output::progress::Progress;
use crate::report::{JobOrigin, RunPlace, RunReports, SummaryStyle};
use crate::request::JobRequest;
use crate::runner::{self, NoStatus, RunContext, RunOutcome};
use crate::state::lock;
use crate::supervise::Inputs;

/// `ansible-runner run`: the job in the foreground; the exit code is the job's rc.
pub fn run_command(request: &JobRequest) -> anyhow::Result<ExitStatus> {
    let since = SystemTime::now();
    let on_terminal = stdout_is_terminal();
    let output = OutputMode::from_flags(request.quiet, request.json);
    let mut reports = RunReports::new(&request.report, summary_style(output, on_terminal, request.report.summary))
        .with_origin(JobOrigin::of_request(request))
        .with_colour(stderr_wants_colour());
    let mut place = RunPlace::of_request(request);
    match run_reported(request, &mut reports, &mut place) {
        Ok((outcome, ident)) => {
            reports.finish(outcome.status, outcome.rc, &ident, &outcome.artifact_dir);
            Ok(ExitStatus::Job(outcome.rc))
        }
        Err(err) => {
            finish_unstarted(reports, request, &err, place.as_ref(), since);
            Err(err)
        }
    }
}

/// Reports a job that never ran (refused, skipped by `--lock`), for `run` and `start` alike.
pub fn report_unstarted(request: &JobRequest, err: &anyhow::Error, since: SystemTime) {
    let style = summary_style(OutputMode::from_flags(request.quiet, request.json), false, request.report.summary);
    let reports = RunReports::new(&request.report, style)
        .with_origin(JobOrigin::of_request(request))
        .with_colour(stderr_wants_colour());
    finish_unstarted(reports, request, err, RunPlace::of_request(request).as_ref(), since);
}

fn finish_unstarted(
    mut reports: RunReports,
    request: &JobRequest,
    err: &anyhow::Error,
    place: Option<&RunPlace>,
    since: SystemTime,
) {
    // The error itself is said on stderr as the program ends: the line again only when asked.
    if !request.report.summary {
        reports.set_style(SummaryStyle::Silent);
    }
    reports.finish_early(err, place, since);
}

/// Resolves and runs the job, feeding `reports`; `place` follows what is known of its artifact dir.
/// Returns how the job ended and its ident.
fn run_reported(
    request: &JobRequest,
    reports: &mut RunReports,
    place: &mut Option<RunPlace>,
) -> anyhow::Result<(RunOutcome, String)> {
    let spec = JobSpec::resolve(request).map_err(JobError::into_ending)?;
    *place = Some(RunPlace::resolved(&spec.ident, spec.artifact_dir()));
    reports.set_origin(JobOrigin::of(&spec));
    let on_terminal = stdout_is_terminal();
    reports.set_style(summary_style(spec.output, on_terminal, spec.report.summary));
    if request.cmdline.is_none() {
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
    runner::persist_cmdline(&spec, request)?;
    let inputs = Inputs::with_signals()?;
    let mut terminal = TerminalRenderer::new(io::stdout(), spec.output, stdout_wants_colour());
    if on_terminal {
        terminal = terminal.with_progress(Progress::on_stdout());
    }
    let mut sinks: Vec<&mut dyn EventSink> = vec![&mut terminal];
    sinks.extend(reports.sinks());
    let context = RunContext { inputs: &inputs, sinks, status: &mut NoStatus, event_files: true, stdout_text: true };
    let outcome = runner::run_job(&spec, context, &mut debug);
    terminal.finish();
    let outcome = outcome?;
    Ok((outcome, spec.ident))
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
