//! Cancel and timeout escalation, as a state machine without side effects: the watch loop asks it
//! what to do at each turn and does it, and sleeps until the next deadline it names. A first
//! cancel request asks the job to stop (SIGINT), then insists (SIGTERM), then kills it; a second
//! request, or a timeout, kills it at once.

use std::time::{Duration, Instant};

use super::{Ending, TimeoutKind};

/// How long a cancelled job gets to stop after SIGINT, then after SIGTERM, before SIGKILL.
pub const CANCEL_GRACE: Duration = Duration::from_secs(2);
/// Limits are passed when time is past them, not on them: the loop wakes this much later.
const PAST: Duration = Duration::from_millis(1);

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Running,
    /// Asked to stop with SIGINT at this instant.
    Interrupted(Instant),
    /// Told to stop with SIGTERM at this instant.
    Terminated(Instant),
    /// Cancelled and killed.
    Canceled,
    /// Killed for passing a limit.
    TimedOut(TimeoutKind),
}

/// What the loop must do to the job's processes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Say that the job is being cancelled, and send every process SIGINT.
    Interrupt,
    /// Send every process SIGTERM.
    Terminate,
    /// SIGKILL every process, now.
    Kill,
}

impl State {
    /// The next state given the cancel requests counted so far and the limit passed, if any.
    /// Limits apply only while no cancel is under way.
    pub fn advance(self, requests: usize, overdue: Option<TimeoutKind>, now: Instant) -> (State, Option<Action>) {
        let kill = (State::Canceled, Some(Action::Kill));
        match self {
            State::Running => match (overdue, requests) {
                (Some(kind), _) => (State::TimedOut(kind), Some(Action::Kill)),
                (None, 0) => (self, None),
                (None, 1) => (State::Interrupted(now), Some(Action::Interrupt)),
                (None, _) => kill,
            },
            State::Interrupted(_) if requests >= 2 => kill,
            State::Interrupted(at) if now.duration_since(at) >= CANCEL_GRACE => {
                (State::Terminated(now), Some(Action::Terminate))
            }
            State::Terminated(at) if requests >= 2 || now.duration_since(at) >= CANCEL_GRACE => kill,
            _ => (self, None),
        }
    }

    /// When the next step of a cancel under way is due, if one is.
    pub fn next_due(self) -> Option<Instant> {
        match self {
            State::Interrupted(at) | State::Terminated(at) => at.checked_add(CANCEL_GRACE),
            _ => None,
        }
    }

    /// The ending decided here, when a cancel or a limit decided it; `None` leaves it to the child.
    pub fn ending(self) -> Option<Ending> {
        match self {
            State::Running => None,
            State::Interrupted(_) | State::Terminated(_) | State::Canceled => Some(Ending::Canceled),
            State::TimedOut(kind) => Some(Ending::TimedOut(kind)),
        }
    }
}

/// The job and idle timeouts, counted from the job's start and its last activity.
pub struct Limits {
    pub started: Instant,
    pub job: Option<Duration>,
    pub idle: Option<Duration>,
}

impl Limits {
    /// The limit passed at `now`, the job's before the idle one.
    pub fn overdue(&self, now: Instant, last_activity: Instant) -> Option<TimeoutKind> {
        if self.job.is_some_and(|limit| now.duration_since(self.started) > limit) {
            Some(TimeoutKind::Job)
        } else if self.idle.is_some_and(|limit| now.duration_since(last_activity) > limit) {
            Some(TimeoutKind::Idle)
        } else {
            None
        }
    }

    /// When the first limit passes, if any applies.
    pub fn next_due(&self, last_activity: Instant) -> Option<Instant> {
        let past = |start: Instant, limit: Duration| start.checked_add(limit)?.checked_add(PAST);
        let job = self.job.and_then(|limit| past(self.started, limit));
        let idle = self.idle.and_then(|limit| past(last_activity, limit));
        job.into_iter().chain(idle).min()
    }

    /// Moves the job's start by the time the job was stopped, which does not count against it.
    pub fn pause(&mut self, stopped: Duration) {
        self.started = self.started.checked_add(stopped).unwrap_or(self.started);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GRACE: Duration = CANCEL_GRACE;

    fn after(start: Instant, steps: &[(usize, Duration)]) -> Vec<(State, Option<Action>)> {
        let mut state = State::Running;
        steps
            .iter()
            .map(|&(requests, elapsed)| {
                let step = state.advance(requests, None, start + elapsed);
                state = step.0;
                step
            })
            .collect()
    }

    #[test]
    fn one_request_interrupts_then_terminates_then_kills() {
        let t0 = Instant::now();
        let steps = after(
            t0,
            &[(0, Duration::ZERO), (1, GRACE), (1, (GRACE * 2).checked_sub(Duration::from_millis(1)).unwrap())],
        );
        assert_eq!(steps[0], (State::Running, None));
        assert_eq!(steps[1], (State::Interrupted(t0 + GRACE), Some(Action::Interrupt)));
        assert_eq!(steps[2], (State::Interrupted(t0 + GRACE), None), "still within the grace");
        let steps = after(
            t0,
            &[
                (1, Duration::ZERO),
                (1, GRACE),
                (1, (GRACE * 2).checked_sub(Duration::from_millis(1)).unwrap()),
                (1, GRACE * 2),
            ],
        );
        assert_eq!(steps[1], (State::Terminated(t0 + GRACE), Some(Action::Terminate)));
        assert_eq!(steps[2], (State::Terminated(t0 + GRACE), None), "still within the second grace");
        assert_eq!(steps[3], (State::Canceled, Some(Action::Kill)));
        assert_eq!(steps[3].0.ending(), Some(Ending::Canceled));
    }

    #[test]
    fn a_second_request_kills_at_any_stage() {
        let t0 = Instant::now();
        let at_once = after(t0, &[(2, Duration::ZERO)]);
        assert_eq!(at_once[0], (State::Canceled, Some(Action::Kill)));
        let interrupted = after(t0, &[(1, Duration::ZERO), (2, Duration::from_millis(10))]);
        assert_eq!(interrupted[1], (State::Canceled, Some(Action::Kill)));
        let terminated = after(t0, &[(1, Duration::ZERO), (1, GRACE), (2, GRACE + Duration::from_millis(10))]);
        assert_eq!(terminated[2], (State::Canceled, Some(Action::Kill)));
        assert_eq!(State::Canceled.advance(3, None, t0 + GRACE * 9), (State::Canceled, None), "killed once");
    }

    #[test]
    fn a_timeout_kills_and_names_the_limit() {
        let now = Instant::now();
        let step = State::Running.advance(0, Some(TimeoutKind::Idle), now);
        assert_eq!(step, (State::TimedOut(TimeoutKind::Idle), Some(Action::Kill)));
        assert_eq!(step.0.ending(), Some(Ending::TimedOut(TimeoutKind::Idle)));
        let job = State::Running.advance(1, Some(TimeoutKind::Job), now);
        assert_eq!(job, (State::TimedOut(TimeoutKind::Job), Some(Action::Kill)), "the limit before the request");
        let cancelling = State::Interrupted(now);
        assert_eq!(cancelling.advance(1, Some(TimeoutKind::Job), now), (cancelling, None), "no limit while cancelling");
        assert_eq!(State::Running.ending(), None);
        assert_eq!(State::Interrupted(now).ending(), Some(Ending::Canceled), "a job that stopped when asked");
    }

    #[test]
    fn limits_name_the_job_limit_first_and_wake_the_loop_just_past_them() {
        let started = Instant::now();
        let limits = Limits { started, job: Some(Duration::from_secs(10)), idle: Some(Duration::from_secs(3)) };
        assert_eq!(limits.overdue(started + Duration::from_secs(3), started), None, "on the limit is not past it");
        let late = started + Duration::from_secs(11);
        assert_eq!(limits.overdue(late, started), Some(TimeoutKind::Job));
        assert_eq!(limits.overdue(started + Duration::from_secs(4), started), Some(TimeoutKind::Idle));
        assert_eq!(limits.overdue(started + Duration::from_secs(4), started + Duration::from_secs(2)), None);
        assert_eq!(limits.next_due(started), Some(started + Duration::from_secs(3) + PAST), "the idle limit first");
        let active = started + Duration::from_secs(8);
        assert_eq!(limits.next_due(active), Some(started + Duration::from_secs(10) + PAST), "then the job's");
        let none = Limits { started, job: None, idle: None };
        assert_eq!((none.overdue(late, started), none.next_due(late)), (None, None), "no limit, no wake-up");
    }

    #[test]
    fn a_pause_moves_the_job_limit_on() {
        let started = Instant::now();
        let mut limits = Limits { started, job: Some(Duration::from_secs(10)), idle: None };
        limits.pause(Duration::from_secs(5));
        assert_eq!(limits.overdue(started + Duration::from_secs(12), started), None, "12 s, 5 of them stopped");
        assert_eq!(limits.overdue(started + Duration::from_secs(16), started), Some(TimeoutKind::Job));
        assert_eq!(limits.next_due(started), Some(started + Duration::from_secs(15) + PAST));
    }

    #[test]
    fn only_a_cancel_under_way_has_a_step_due() {
        let now = Instant::now();
        assert_eq!(State::Running.next_due(), None);
        assert_eq!(State::Interrupted(now).next_due(), Some(now + GRACE));
        assert_eq!(State::Terminated(now).next_due(), Some(now + GRACE));
        assert_eq!(State::Canceled.next_due(), None);
        assert_eq!(State::TimedOut(TimeoutKind::Job).next_due(), None);
    }
}
