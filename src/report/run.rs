//! The reports of one run, driven by the flags: collectors to hand to the pipeline, then, when the
//! run has ended, the summary line, the JUnit file and the alert. A report that cannot be written
//! or delivered is said on stderr; it never changes the job's exit code or artifacts.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};

use super::metrics::MetricsCollector;
use super::record::{record_ending, RunPlace};
use super::summary::RunSummary;
use super::{deliver, JobOrigin, JunitCollector, NotifyOn, RunEnd, SummaryCollector};
use crate::events::EventSink;
use crate::exit::Status;
use crate::request::ReportOptions;

/// The whole delivery of an alert, retries included, never delays the end of a job by more.
const NOTIFY_BUDGET: Duration = Duration::from_secs(15);
const NOTIFY_ATTEMPTS: u32 = 3;

/// How the end of a run is shown on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SummaryStyle {
    Silent,
    OneLine,
    /// On a terminal: the line and the slowest tasks.
    WithSlowest,
}

pub struct RunReports {
    summary: SummaryCollector,
    junit: Option<(JunitCollector, PathBuf)>,
    metrics: Option<(MetricsCollector, PathBuf)>,
    notify: Option<(String, NotifyOn)>,
    style: SummaryStyle,
    /// Whether the summary line is coloured by how the run ended (stderr is a terminal).
    colour: bool,
    started: DateTime<Utc>,
    /// When the run ended, for a run shown again later (`replay`); otherwise when it finishes.
    ended: Option<DateTime<Utc>>,
    origin: Option<JobOrigin>,
    env_cmdline: Option<String>,
}

impl RunReports {
    pub fn new(args: &ReportOptions, style: SummaryStyle) -> Self {
        let on = args.notify_on;
        Self {
            summary: SummaryCollector::new(),
            junit: args.junit.clone().map(|path| (JunitCollector::new(), path)),
            metrics: args.metrics_file.clone().map(|path| (MetricsCollector::new(), path)),
            notify: args.notify_url.clone().map(|url| (url, on)),
            style,
            colour: false,
            started: Utc::now(),
            ended: None,
            origin: None,
            env_cmdline: None,
        }
    }

    /// Names the job and the machine in the summary line, the alert and the JUnit properties.
    pub fn with_origin(mut self, origin: JobOrigin) -> Self {
        self.set_origin(origin);
        self
    }

    /// As `with_origin`, once more is known (the job resolved).
    pub fn set_origin(&mut self, origin: JobOrigin) {
        if let Some((junit, _)) = &mut self.junit {
            junit.set_origin(Some(origin.clone()));
        }
        self.origin = Some(origin);
    }

    /// The run's own start and end, for a run that ended before its reports are made.
    pub fn with_times(mut self, started: DateTime<Utc>, ended: DateTime<Utc>) -> Self {
        (self.started, self.ended) = (started, Some(ended));
        self
    }

    pub fn set_style(&mut self, style: SummaryStyle) {
        self.style = style;
    }

    /// Colours the summary line by how the run ended.
    pub fn with_colour(mut self, colour: bool) -> Self {
        self.colour = colour;
        self
    }

    /// Says in the summary line which arguments came from `env/cmdline` rather than the command line.
    pub fn set_env_cmdline(&mut self, args: Option<String>) {
        self.env_cmdline = args;
    }

    /// The collectors, to be given every event of the run.
    pub fn sinks(&mut self) -> Vec<&mut dyn EventSink> {
        let mut sinks: Vec<&mut dyn EventSink> = vec![&mut self.summary];
        if let Some((junit, _)) = &mut self.junit {
            sinks.push(junit);
        }
        if let Some((metrics, _)) = &mut self.metrics {
            sinks.push(metrics);
        }
        sinks
    }

    /// Writes the JUnit and metrics files, prints the summary and sends the alert.
    pub fn finish(self, status: Status, rc: i32, ident: &str, artifact_dir: &Path) {
        self.finish_with(status, rc, ident, artifact_dir, None);
    }

    /// As `finish`, with the reason when the caller knows better than the events (a broken stream).
    pub fn finish_with(mut self, status: Status, rc: i32, ident: &str, artifact_dir: &Path, reason: Option<String>) {
        let mut summary = self.summary_of(status.into(), rc, ident, artifact_dir);
        if reason.is_some() {
            summary.reason = reason;
        }
        self.deliver(&summary);
    }

    /// The reports of a run that ended with `err` instead of an outcome: `skipped` when another run
    /// holds `--lock`, otherwise not started (or, when the job had started and the runner could not
    /// complete it, `failed`), with the error as the reason. `place` is where the run keeps its
    /// artifacts, when known: the ending is recorded there for `history`.
    pub fn finish_early(mut self, err: &anyhow::Error, place: Option<&RunPlace>, since: SystemTime) {
        let rc = crate::exit::code_of(err);
        let reason = crate::exit::one_line(err);
        let mut end = if rc == crate::exit::LOCKED { RunEnd::Skipped } else { RunEnd::NotStarted };
        let mut recorded = None;
        if let Some(place) = place {
            // An error here is the artifact dir that could not be made, or one another run is using.
            if let Ok(ended) = record_ending(place, end, rc, &reason, since) {
                (end, recorded) = (ended, Some(place.artifact_dir.as_path()));
            }
        }
        let ident = place.map_or("", |p| p.ident.as_str());
        let mut summary = self.summary_of(end, rc, ident, recorded.unwrap_or(Path::new("")));
        summary.artifact_dir = recorded.map(Path::to_owned);
        summary.reason = Some(reason);
        self.deliver(&summary);
    }

    fn summary_of(&mut self, end: RunEnd, rc: i32, ident: &str, artifact_dir: &Path) -> RunSummary {
        let mut summary = std::mem::take(&mut self.summary).finish(
            end,
            rc,
            self.started,
            self.ended.unwrap_or_else(Utc::now),
            ident,
            artifact_dir,
        );
        summary.origin.clone_from(&self.origin);
        summary.env_cmdline.clone_from(&self.env_cmdline);
        summary
    }

    fn deliver(&self, summary: &RunSummary) {
        if let Some((metrics, path)) = &self.metrics {
            if let Err(err) = metrics.write(path, summary, summary.origin.as_ref()) {
                errln!("ansible-runner: cannot write the metrics file {}: {err}", path.display());
            }
        }
        if let Some((junit, path)) = &self.junit {
            if let Err(err) = junit.write(path, summary.status, summary.reason.as_deref()) {
                errln!("ansible-runner: cannot write the JUnit report {}: {err}", path.display());
            }
        }
        let text = match self.style {
            SummaryStyle::Silent => None,
            SummaryStyle::OneLine => Some(summary.one_line()),
            SummaryStyle::WithSlowest => Some(summary.with_slowest(5)),
        };
        if let Some(text) = text {
            errln!("{}", if self.colour { coloured(&text, summary.status) } else { text });
        }
        if let Some((url, on)) = &self.notify {
            if on.should_send(summary.status) {
                if let Err(err) = deliver(url, &summary.notify_payload(), NOTIFY_BUDGET, NOTIFY_ATTEMPTS) {
                    errln!("ansible-runner: alert not delivered: {err}");
                }
            }
        }
    }
}

/// The summary's first line in green for a success, yellow for a skip or a cancel, red otherwise.
fn coloured(text: &str, end: RunEnd) -> String {
    let style = match end {
        RunEnd::Job(Status::Successful) => console::Style::new().green(),
        RunEnd::Skipped | RunEnd::Job(Status::Canceled) => console::Style::new().yellow(),
        _ => console::Style::new().red(),
    }
    .force_styling(true);
    let (first, rest) = text.split_once('\n').map_or((text, None), |(first, rest)| (first, Some(rest)));
    let first = style.apply_to(first).to_string();
    rest.map_or_else(|| first.clone(), |rest| format!("{first}\n{rest}"))
}
