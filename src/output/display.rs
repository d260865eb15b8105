//! The terminal sink: Ansible's own text (coloured on a terminal, plain otherwise), one JSON line
//! per event with `-j`, or nothing with `-q`. A closed stdout pipe ends the display quietly; the
//! run and its artifacts go on.

use std::io::{self, Write};

use crate::events::{Event, EventSink};
use crate::job::OutputMode;
use crate::output::progress::Progress;
use crate::util::pyjson;

pub struct TerminalRenderer<W: Write> {
    out: W,
    mode: OutputMode,
    colour: bool,
    closed: bool,
    progress: Option<Progress>,
}

impl<W: Write> TerminalRenderer<W> {
    pub fn new(out: W, mode: OutputMode, colour: bool) -> Self {
        Self { out, mode, colour, closed: false, progress: None }
    }

    /// Adds the live progress line; only for the pretty mode on a terminal.
    pub fn with_progress(mut self, progress: Progress) -> Self {
        if self.mode == OutputMode::Pretty {
            self.progress = Some(progress);
        }
        self
    }

    /// Clears the progress line for good (before the run's summary is printed).
    pub fn finish(&mut self) {
        if let Some(progress) = self.progress.take() {
            progress.finish();
        }
    }

    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        let out = &mut self.out;
        let written = match &self.progress {
            Some(progress) => progress.suspend(|| out.write_all(bytes).and_then(|()| out.flush())),
            None => out.write_all(bytes).and_then(|()| out.flush()),
        };
        match written {
            // A closed pipe, or a terminal that was hung up (EIO): the job goes on without it.
            Err(err) if err.kind() == io::ErrorKind::BrokenPipe || err.raw_os_error() == Some(nix::libc::EIO) => {
                self.closed = true;
                Ok(())
            }
            other => other,
        }
    }
}

impl<W: Write> TerminalRenderer<W> {
    /// Prints an event's text in the pretty mode (the only mode that shows it), without its colours
    /// unless they were asked for: for a caller that has the text but not the whole event.
    pub fn on_text(&mut self, text: &str) -> io::Result<()> {
        match self.mode {
            OutputMode::Pretty => self.show_text(text),
            OutputMode::Quiet | OutputMode::Json => Ok(()),
        }
    }

    fn show_text(&mut self, text: &str) -> io::Result<()> {
        if text.is_empty() {
            Ok(())
        } else if self.colour {
            self.write(text.as_bytes())
        } else {
            self.write(console::strip_ansi_codes(text).as_bytes())
        }
    }
}

/// Whether text for stdout should keep its colours: a terminal, and `NO_COLOR` unset.
pub fn stdout_wants_colour() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && stdout_is_terminal()
}

/// Whether the summary line on stderr is coloured: a terminal, and `NO_COLOR` unset.
pub fn stderr_wants_colour() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && console::Term::stderr().is_term()
}

/// Live progress and the slowest-task list are for people at a terminal, never for pipes and logs.
pub fn stdout_is_terminal() -> bool {
    console::Term::stdout().is_term()
}

impl<W: Write> EventSink for TerminalRenderer<W> {
    fn on_event(&mut self, event: &Event) -> io::Result<()> {
        if let Some(progress) = &mut self.progress {
            progress.update(event);
        }
        match self.mode {
            OutputMode::Quiet => Ok(()),
            OutputMode::Json if event.shown_as_json() => self.write(&pyjson::to_line(&event.json)),
            OutputMode::Json | OutputMode::Pretty => self.show_text(&event.text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(stdout: &str) -> Event {
        Event::from_json(
            json!({"uuid": "u", "counter": 1, "stdout": stdout, "event": "runner_on_ok"}).as_object().unwrap().clone(),
        )
    }

    #[test]
    fn pretty_strips_colour_when_asked() {
        let mut out = Vec::new();
        TerminalRenderer::new(&mut out, OutputMode::Pretty, false).on_event(&event("\u{1b}[0;32mok\u{1b}[0m")).unwrap();
        assert_eq!(out, b"ok\n");
    }

    #[test]
    fn json_mode_prints_one_line_per_event_even_when_empty() {
        let mut out = Vec::new();
        let mut renderer = TerminalRenderer::new(&mut out, OutputMode::Json, false);
        renderer.on_event(&event("")).unwrap();
        renderer.on_event(&event("x")).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().count(), 2);
        assert!(text.starts_with(r#"{"uuid": "u", "counter": 1, "stdout": """#));
    }

    #[test]
    fn broken_pipe_is_quiet() {
        struct Closed;
        impl Write for Closed {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let mut renderer = TerminalRenderer::new(Closed, OutputMode::Pretty, true);
        assert!(renderer.on_event(&event("x")).is_ok());
        assert!(renderer.on_event(&event("y")).is_ok());
    }
}
