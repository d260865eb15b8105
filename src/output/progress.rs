//! Live progress on a terminal: the current play and task, hosts done out of hosts started, the
//! run's ok/changed/failed/unreachable counts and the elapsed time, redrawn in place below the
//! scrolling Ansible text. Only the terminal renderer uses it, and only when stdout is a terminal.

use std::io;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use console::Term;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle, TermLike};
use serde_json::Value;

use crate::events::{Event, EventKind};

/// The progress line on screen, if any: a notice the runner prints on its own (the cancel notice
/// after Ctrl-C) clears it first and lets it redraw below, instead of leaving it behind.
static ON_SCREEN: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// Prints `text` on stderr, above the progress line when one is drawn.
pub fn notice(text: &str) {
    let shown = ON_SCREEN.lock().unwrap_or_else(PoisonError::into_inner).clone();
    if let Some(bar) = shown {
        bar.suspend(|| errln!("{text}"));
    } else {
        errln!("{text}");
    }
}

/// Stdout's terminal, a few columns narrower than it is: on a progress line that filled the width,
/// the `^C` the terminal echoes on Ctrl-C would wrap onto a new line below it, and the progress
/// line, no longer the current line, would stay on screen for good.
#[derive(Debug)]
struct Narrow(Term);

/// Room left for the terminal's echo of a control key (`^C`, `^\\`) and the cursor after it.
const ECHO_ROOM: u16 = 3;

impl TermLike for Narrow {
    fn width(&self) -> u16 {
        self.0.size().1.saturating_sub(ECHO_ROOM)
    }
    fn move_cursor_up(&self, n: usize) -> io::Result<()> {
        self.0.move_cursor_up(n)
    }
    fn move_cursor_down(&self, n: usize) -> io::Result<()> {
        self.0.move_cursor_down(n)
    }
    fn move_cursor_right(&self, n: usize) -> io::Result<()> {
        self.0.move_cursor_right(n)
    }
    fn move_cursor_left(&self, n: usize) -> io::Result<()> {
        self.0.move_cursor_left(n)
    }
    fn write_line(&self, s: &str) -> io::Result<()> {
        self.0.write_line(s)
    }
    fn write_str(&self, s: &str) -> io::Result<()> {
        self.0.write_str(s)
    }
    fn clear_line(&self) -> io::Result<()> {
        self.0.clear_line()
    }
    fn flush(&self) -> io::Result<()> {
        self.0.flush()
    }
}

#[derive(Default)]
struct Counts {
    ok: u64,
    changed: u64,
    failed: u64,
    unreachable: u64,
}

pub struct Progress {
    bar: ProgressBar,
    play: String,
    task: String,
    started: u64,
    done: u64,
    counts: Counts,
}

impl Progress {
    /// A spinner line drawn on the terminal behind stdout, ticking on its own so the clock moves
    /// during long tasks.
    pub fn on_stdout() -> Self {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::term_like(Box::new(Narrow(Term::stdout()))));
        let style = ProgressStyle::with_template("{spinner:.cyan} [{elapsed_precise}] {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        bar.set_style(style);
        bar.enable_steady_tick(Duration::from_millis(200));
        *ON_SCREEN.lock().unwrap_or_else(PoisonError::into_inner) = Some(bar.clone());
        Self { bar, play: String::new(), task: String::new(), started: 0, done: 0, counts: Counts::default() }
    }

    /// Runs `write` with the progress line cleared, so the text scrolls above it.
    pub fn suspend<R>(&self, write: impl FnOnce() -> R) -> R {
        self.bar.suspend(write)
    }

    pub fn update(&mut self, event: &Event) {
        let data = event.json.get("event_data");
        let field = |key: &str| data.and_then(|d| d.get(key)).and_then(Value::as_str).unwrap_or_default().to_owned();
        match &event.kind {
            EventKind::PlaybookOnPlayStart => {
                self.play = field("name");
                self.task.clear();
            }
            EventKind::PlaybookOnTaskStart => {
                self.task = field("name");
                self.started = 0;
                self.done = 0;
            }
            EventKind::RunnerOnStart => self.started += 1,
            EventKind::RunnerOnOk => {
                self.done += 1;
                // As in Ansible's recap, a changed result is also an ok one.
                self.counts.ok += 1;
                if data.and_then(|d| d.get("res")).and_then(|r| r.get("changed")) == Some(&Value::Bool(true)) {
                    self.counts.changed += 1;
                }
            }
            EventKind::RunnerOnFailed => {
                self.done += 1;
                let ignored = data.and_then(|d| d.get("ignore_errors")) == Some(&Value::Bool(true));
                if ignored {
                    self.counts.ok += 1;
                } else {
                    self.counts.failed += 1;
                }
            }
            EventKind::RunnerOnSkipped => self.done += 1,
            EventKind::RunnerOnUnreachable => {
                self.done += 1;
                self.counts.unreachable += 1;
            }
            _ => return,
        }
        self.bar.set_message(self.line());
    }

    fn line(&self) -> String {
        let c = &self.counts;
        format!(
            "PLAY [{}] TASK [{}] hosts {}/{} | ok={} changed={} failed={} unreachable={}",
            self.play, self.task, self.done, self.started, c.ok, c.changed, c.failed, c.unreachable
        )
    }

    pub fn finish(&self) {
        ON_SCREEN.lock().unwrap_or_else(PoisonError::into_inner).take();
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(value: &Value) -> Event {
        Event::from_json(value.as_object().unwrap().clone())
    }

    #[test]
    fn counts_follow_the_events() {
        let mut progress = Progress {
            bar: ProgressBar::hidden(),
            play: String::new(),
            task: String::new(),
            started: 0,
            done: 0,
            counts: Counts::default(),
        };
        progress.update(&event(&json!({"event": "playbook_on_play_start", "event_data": {"name": "web"}})));
        progress.update(&event(&json!({"event": "playbook_on_task_start", "event_data": {"name": "install"}})));
        progress.update(&event(&json!({"event": "runner_on_start", "event_data": {"host": "a"}})));
        progress.update(&event(&json!({"event": "runner_on_start", "event_data": {"host": "b"}})));
        progress
            .update(&event(&json!({"event": "runner_on_ok", "event_data": {"host": "a", "res": {"changed": true}}})));
        assert_eq!(progress.line(), "PLAY [web] TASK [install] hosts 1/2 | ok=1 changed=1 failed=0 unreachable=0");
        progress.update(&event(&json!({"event": "runner_on_unreachable", "event_data": {"host": "b"}})));
        assert_eq!(progress.line(), "PLAY [web] TASK [install] hosts 2/2 | ok=1 changed=1 failed=0 unreachable=1");
    }
}
