//! `--metrics-file`: the last run of a job in the Prometheus text exposition format, for
//! node_exporter's textfile collector. Monitoring can then alert both on a run that failed and on
//! one that stopped happening (an end timestamp that grows old), which no wrapper script catches.

use std::fmt::Write as _;
use std::io;
use std::path::Path;

use super::summary::{HostCounts, RunSummary};
use super::{JobOrigin, RunEnd};
use crate::events::{Event, EventSink};
use crate::exit::Status;

/// Host outcomes, worst first: a host counts once, under the worst thing that happened to it.
const OUTCOMES: [&str; 4] = ["unreachable", "failed", "changed", "ok"];

/// Counts the run's events; [`MetricsCollector::write`] writes the file when the run has ended.
#[derive(Debug, Default)]
pub struct MetricsCollector {
    events: u64,
}

impl EventSink for MetricsCollector {
    fn on_event(&mut self, _event: &Event) -> io::Result<()> {
        self.events += 1;
        Ok(())
    }
}

impl MetricsCollector {
    pub fn new() -> Self {
        Self::default()
    }

    /// Replaces `path` atomically (a temporary file in its directory, then a rename): the
    /// collector reads either the previous run or this one, never half a file.
    pub fn write(&self, path: &Path, summary: &RunSummary, origin: Option<&JobOrigin>) -> io::Result<()> {
        // The temp name does not end in `.prom`: the textfile collector never reads it unfinished.
        super::write_report(path, 0o644, self.render(summary, origin).as_bytes())
    }

    /// The exposition text.
    fn render(&self, summary: &RunSummary, origin: Option<&JobOrigin>) -> String {
        // Not `job`: Prometheus gives every scraped series its own `job` label (the scrape job).
        let job =
            origin.map_or(String::new(), |o| format!("runner_job=\"{}\",ran=\"{}\"", escape(&o.job), escape(&o.ran)));
        let labels = |extra: &str| match (job.is_empty(), extra.is_empty()) {
            (true, true) => String::new(),
            (true, false) => format!("{{{extra}}}"),
            (false, true) => format!("{{{job}}}"),
            (false, false) => format!("{{{job},{extra}}}"),
        };
        let mut out = String::new();
        let mut gauge = |name: &str, help: &str, series: &[(String, String)]| {
            let _ = writeln!(out, "# HELP ansible_runner_{name} {help}\n# TYPE ansible_runner_{name} gauge");
            for (extra, value) in series {
                let _ = writeln!(out, "ansible_runner_{name}{} {value}", labels(extra));
            }
        };
        let one = |value: String| [(String::new(), value)];
        let ident = format!("ident=\"{}\"", escape(&summary.ident));
        gauge("last_run_info", "The last run of the job, by ident.", &[(ident, "1".to_owned())]);
        let statuses: Vec<(String, String)> = Status::ALL
            .iter()
            .map(|s| RunEnd::Job(*s).status())
            .chain([RunEnd::Skipped.status()])
            .map(|s| (format!("status=\"{s}\""), u8::from(s == summary.status.status()).to_string()))
            .collect();
        gauge("last_run_status", "How the last run ended: 1 for its status, 0 for the others.", &statuses);
        gauge("last_run_rc", "Exit code of the last run.", &one(summary.rc.to_string()));
        let start = unix_seconds(summary.started);
        let end = unix_seconds(summary.ended);
        gauge("last_run_start_timestamp_seconds", "When the last run started.", &one(start));
        gauge("last_run_end_timestamp_seconds", "When the last run ended.", &one(end));
        gauge("last_run_duration_seconds", "How long the last run took.", &one(format!("{:.3}", summary.duration)));
        let hosts: Vec<(String, String)> = OUTCOMES
            .iter()
            .map(|o| {
                let count = summary.hosts.values().filter(|c| outcome(c) == *o).count();
                (format!("outcome=\"{o}\""), count.to_string())
            })
            .collect();
        gauge("last_run_hosts", "Hosts of the last run by their worst outcome.", &hosts);
        gauge("last_run_events", "Events the last run produced.", &one(self.events.to_string()));
        out
    }
}

/// The worst thing that happened to a host, as one of [`OUTCOMES`].
fn outcome(counts: &HostCounts) -> &'static str {
    if counts.unreachable > 0 {
        "unreachable"
    } else if counts.failed > 0 {
        "failed"
    } else if counts.changed > 0 {
        "changed"
    } else {
        "ok"
    }
}

/// Seconds since the Unix epoch, to the millisecond.
fn unix_seconds(time: chrono::DateTime<chrono::Utc>) -> String {
    let millis = time.timestamp_millis();
    format!("{}.{:03}", millis.div_euclid(1000), millis.rem_euclid(1000))
}

/// A label value as the exposition format quotes it: backslash, double quote and newline escaped.
fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testdata::{events, replay};
    use crate::report::SummaryCollector;

    #[test]
    fn renders_every_series_with_the_job_labels() {
        let events = events("fail");
        let mut metrics = MetricsCollector::new();
        let mut summary = SummaryCollector::new();
        replay(&mut metrics, &events);
        replay(&mut summary, &events);
        let t = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&chrono::Utc);
        let summary = summary.finish(
            Status::Failed,
            4,
            t("2026-01-01T00:00:00.25Z"),
            t("2026-01-01T00:00:03Z"),
            "id\"1",
            Path::new("/a"),
        );
        let origin = JobOrigin { controller: "c".into(), job: "web\\scan".into(), ran: "site\n.yml".into() };
        let text = metrics.render(&summary, Some(&origin));
        let labels = r#"runner_job="web\\scan",ran="site\n.yml""#;
        for line in [
            format!(r#"ansible_runner_last_run_info{{{labels},ident="id\"1"}} 1"#),
            format!(r#"ansible_runner_last_run_status{{{labels},status="failed"}} 1"#),
            format!(r#"ansible_runner_last_run_status{{{labels},status="successful"}} 0"#),
            format!("ansible_runner_last_run_rc{{{labels}}} 4"),
            format!("ansible_runner_last_run_start_timestamp_seconds{{{labels}}} 1767225600.250"),
            format!("ansible_runner_last_run_duration_seconds{{{labels}}} 2.750"),
            format!(r#"ansible_runner_last_run_hosts{{{labels},outcome="unreachable"}} 1"#),
            format!(r#"ansible_runner_last_run_hosts{{{labels},outcome="failed"}} 2"#),
            format!("ansible_runner_last_run_events{{{labels}}} {}", events.len()),
        ] {
            assert!(text.lines().any(|l| l == line), "{line} missing from\n{text}");
        }
        assert_eq!(unix_seconds(t("1969-12-31T23:59:59.5Z")), "-1.500");
    }
}
