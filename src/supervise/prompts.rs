//! Answering prompts in the job's output with the texts from `env/passwords`.
//!
//! Prompts discard typed-ahead input right after printing themselves (Ansible's `pause` flushes the
//! terminal, `getpass` sets it with TCSAFLUSH), so an answer is typed after a short delay and typed
//! again while nothing new is printed; a copy that arrives early is flushed by the prompt itself.

use std::fs::File;
use std::io::{self, Write};
use std::time::{Duration, Instant};

use regex::Regex;

/// A prompt pattern and the text typed in answer (from `env/passwords`).
pub struct PromptAnswer {
    pub pattern: Regex,
    pub answer: String,
}

/// How much recent output is searched for prompts.
const PROMPT_WINDOW: usize = 1024;
const ANSWER_DELAY: Duration = Duration::from_millis(100);
const ANSWER_RETRY: Duration = Duration::from_secs(1);
const ANSWER_TRIES: u8 = 5;

/// Watches the recent output for prompts and types their answers when due.
pub struct PromptMatcher<'a> {
    /// The child's terminal; `None` when the child has none, and nothing is answered.
    answers: Option<File>,
    window: String,
    prompts: &'a [PromptAnswer],
    pending: Option<PendingAnswer>,
}

struct PendingAnswer {
    text: String,
    due: Instant,
    tries_left: u8,
}

impl<'a> PromptMatcher<'a> {
    pub fn new(answers: Option<File>, prompts: &'a [PromptAnswer]) -> Self {
        Self { answers, window: String::new(), prompts, pending: None }
    }

    /// Adds output text and looks for a prompt in it.
    pub fn see(&mut self, text: &str) {
        if self.answers.is_none() || text.is_empty() {
            return;
        }
        // New output means the last answer was taken.
        self.pending = None;
        self.window.push_str(text);
        if self.window.len() > PROMPT_WINDOW {
            let mut cut = self.window.len() - PROMPT_WINDOW;
            while !self.window.is_char_boundary(cut) {
                cut += 1;
            }
            self.window.drain(..cut);
        }
        let found = self.prompts.iter().find_map(|p| p.pattern.find(&self.window).map(|m| (m.end(), &p.answer)));
        if let Some((end, answer)) = found {
            self.pending = Some(PendingAnswer {
                text: format!("{answer}\n"),
                due: Instant::now() + ANSWER_DELAY,
                tries_left: ANSWER_TRIES,
            });
            self.window.drain(..end);
        }
    }

    /// Looks for a prompt in raw output.
    pub fn see_raw(&mut self, bytes: &[u8]) {
        if self.active() {
            self.see(&String::from_utf8_lossy(bytes));
        }
    }

    /// Looks for a prompt in an event: prompts printed through Ansible's display (the `pause`
    /// module) arrive as events, not as raw output.
    pub fn see_event(&mut self, line: &[u8]) {
        if !self.active() {
            return;
        }
        let stdout = serde_json::from_slice::<serde_json::Value>(line)
            .ok()
            .and_then(|v| v.get("stdout").and_then(|s| s.as_str()).map(str::to_owned));
        if let Some(text) = stdout {
            self.see(&text);
        }
    }

    /// Types a pending answer when it is due; returns whether it did.
    pub fn tick(&mut self, now: Instant) -> io::Result<bool> {
        let (Some(answers), Some(pending)) = (&mut self.answers, &mut self.pending) else { return Ok(false) };
        if now < pending.due {
            return Ok(false);
        }
        silence_echo(answers);
        answers.write_all(pending.text.as_bytes())?;
        pending.tries_left -= 1;
        pending.due = now + ANSWER_RETRY;
        if pending.tries_left == 0 {
            self.pending = None;
        }
        Ok(true)
    }

    pub fn next_due(&self) -> Option<Instant> {
        self.pending.as_ref().map(|p| p.due)
    }

    fn active(&self) -> bool {
        self.answers.is_some()
    }
}

/// Turns the terminal's echo off before an answer is typed. Prompts that show what is typed turn
/// it on while they read (Ansible's `pause` does): the answer would come back as output, after the
/// prompt, in `stdout` and on the screen. The prompt restores its own settings when it is done.
/// Best effort: on anything but a terminal there is no echo to turn off.
fn silence_echo(terminal: &File) {
    use nix::sys::termios::{tcgetattr, tcsetattr, LocalFlags, SetArg};
    if let Ok(mut settings) = tcgetattr(terminal) {
        if settings.local_flags.contains(LocalFlags::ECHO) {
            settings.local_flags.remove(LocalFlags::ECHO);
            let _ = tcsetattr(terminal, SetArg::TCSANOW, &settings);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompt_matcher_answers_after_a_delay_and_retries_until_output() {
        let file = tempfile::NamedTempFile::new().unwrap();
        let prompts = [PromptAnswer { pattern: Regex::new("(?m)Password:\\s*$").unwrap(), answer: "s3cret".into() }];
        let mut matcher = PromptMatcher::new(Some(file.reopen().unwrap()), &prompts);
        matcher.see("Enter ");
        assert!(matcher.next_due().is_none());
        matcher.see("Password: ");
        let due = matcher.next_due().unwrap();
        assert!(!matcher.tick(due.checked_sub(Duration::from_millis(50)).unwrap()).unwrap(), "typed before the delay");
        assert!(matcher.tick(due).unwrap());
        assert!(matcher.tick(due + ANSWER_RETRY).unwrap(), "retyped while nothing was printed");
        matcher.see("\nok\n");
        assert!(matcher.next_due().is_none(), "output stops the retries");
        assert_eq!(std::fs::read_to_string(file.path()).unwrap(), "s3cret\ns3cret\n");
    }

    #[test]
    fn prompts_printed_as_events_are_answered() {
        let file = tempfile::NamedTempFile::new().unwrap();
        let prompts = [PromptAnswer { pattern: Regex::new("(?m)Continue\\?\\s*$").unwrap(), answer: "yes".into() }];
        let mut matcher = PromptMatcher::new(Some(file.reopen().unwrap()), &prompts);
        matcher.see_event(br#"{"event": "verbose", "stdout": "Continue? "}"#);
        assert!(matcher.next_due().is_some());
        let mut without_terminal = PromptMatcher::new(None, &prompts);
        without_terminal.see_event(br#"{"stdout": "Continue? "}"#);
        without_terminal.see_raw(b"Continue? ");
        assert!(without_terminal.next_due().is_none(), "nothing is answered without a terminal");
    }
}
