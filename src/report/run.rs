//! The reports of one run, driven by the flags: collectors to hand to the pipeline, then, when the
//! run has ended, the summary line, the JUnit file and the alert. A report that cannot be written
//! or delivered is said on stderr; it never changes the job's exit code or artifacts.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::metrics::MetricsCollector;
use super::{deliver, JobOrigin, JunitCollector, NotifyOn, SummaryCollector};
use crate::artifacts::Status;
use crate::events::EventSink;
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
    started: DateTime<Utc>,
    origin: Option<JobOrigin>,
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
            started: Utc::now(),
            origin: None,
        }
    }

    /// Names the job and the machine in the summary line, the alert and the JUnit properties.
    pub fn with_origin(mut self, origin: JobOrigin) -> Self {
        self.junit = self.junit.map(|(junit, path)| (junit.with_origin(Some(origin.clone())), path));
        self.origin = Some(origin);
        self
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
        let mut summary = self.summary.finish(status, rc, self.started, Utc::now(), ident, artifact_dir);
        summary.origin = self.origin;
        if let Some((metrics, path)) = &self.metrics {
            if let Err(err) = metrics.write(path, &summary, summary.origin.as_ref()) {
                errln!("ansible-runner: cannot write the metrics file {}: {err}", path.display());
            }
        }
        if let Some((junit, path)) = &self.junit {
            if let Err(err) = junit.write(path, status) {
                errln!("ansible-runner: cannot write the JUnit report {}: {err}", path.display());
            }
        }
        match self.style {
            SummaryStyle::Silent => {}
            SummaryStyle::OneLine => errln!("{}", summary.one_line()),
            SummaryStyle::WithSlowest => errln!("{}", summary.with_slowest(5)),
        }
        if let Some((url, on)) = &self.notify {
            if on.should_send(status) {
                if let Err(err) = deliver(url, &summary.notify_payload(), NOTIFY_BUDGET, NOTIFY_ATTEMPTS) {
                    errln!("ansible-runner: alert not delivered: {err}");
                }
            }
        }
    }
}
