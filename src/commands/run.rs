//! `ansible-runner run`: one job in the foreground, shown live on the terminal, with the run lock
//! and the reports the flags ask for; the exit code is the job's rc.

use std::io;
use std::path::Path;

use anyhow::Context;

use crate::debuglog::DebugLog;
use crate::display::{stdout_is_terminal, stdout_wants_colour, TerminalRenderer};
use crate::events::EventSink;
use crate::job::{JobSpec, OutputMode};
use crate::lock;
use crate::progress::Progress;
use crate::report::{JobOrigin, RunReports, SummaryStyle};
use crate::request::JobRequest;
use crate::runner::{self, NoStatus, RunContext};

/// `ansible-runner run`: the job in the foreground; the exit code is the job's rc.
pub fn run_command(request: &JobRequest) -> anyhow::Result<i32> {
    let spec = JobSpec::resolve(request)?;
    let logging = &spec.logging;
    let mut debug = DebugLog::open(logging.debug, logging.logfile.as_deref()).with_context(|| {
        format!("cannot open log file {}", logging.logfile.as_deref().unwrap_or(Path::new("")).display())
    })?;
    let _lock = spec.report.lock.then(|| lock::acquire(&spec.pdd.root, spec.report.lock_wait)).transpose()?;
    runner::persist_cmdline(&spec, request)?;
    let cancel = runner::install_cancel_handlers()?;
    let on_terminal = stdout_is_terminal();
    let mut terminal = TerminalRenderer::new(io::stdout(), spec.output, stdout_wants_colour());
    if on_terminal {
        terminal = terminal.with_progress(Progress::on_stdout());
    }
    let style = summary_style(spec.output, on_terminal, spec.report.summary);
    let mut reports = RunReports::new(&spec.report, style).with_origin(JobOrigin::of(&spec));
    let mut sinks: Vec<&mut dyn EventSink> = vec![&mut terminal];
    sinks.extend(reports.sinks());
    let context = RunContext { cancel: &cancel, sinks, status: &mut NoStatus, event_files: true };
    let outcome = runner::run_job(&spec, context, &mut debug);
    terminal.finish();
    let outcome = outcome?;
    reports.finish(outcome.status, outcome.rc, &spec.ident, &outcome.artifact_dir);
    Ok(outcome.rc)
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
