//! Failure alerts: the run summary sent (HTTP POST) as JSON to `--notify-url` when the run ends.
//! Delivery is bounded in time and retried on transient errors; its failure is the caller's to
//! report on stderr and never touches the job's exit code or artifacts.

use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;
use thiserror::Error;

use super::RunEnd;
pub use crate::request::NotifyOn;

/// Pauses between attempts; the last one repeats.
const BACKOFF: [Duration; 3] = [Duration::from_millis(500), Duration::from_secs(1), Duration::from_secs(2)];

impl NotifyOn {
    /// A skip is no failure: the run that holds the lock is still going, and reports itself.
    pub fn should_send(self, end: RunEnd) -> bool {
        match self {
            Self::Always => true,
            Self::FailureOrSkipped => !end.succeeded(),
            Self::Failure => !end.succeeded() && end != RunEnd::Skipped,
        }
    }
}

/// Why an alert was not delivered. `url` is shown without its path, query or credentials:
/// webhook URLs usually carry their secret there, and these messages end up in CI logs.
#[derive(Debug, Error)]
pub enum NotifyError {
    #[error("notify-url {url}: not an http:// or https:// URL")]
    BadUrl { url: String },
    #[error("notify-url {url}: {reason} after {attempts} attempt{}", plural(*.attempts))]
    Transport { url: String, reason: String, attempts: u32 },
    #[error("notify-url {url}: the server answered HTTP {status} after {attempts} attempt{}", plural(*.attempts))]
    Status { url: String, status: u16, attempts: u32 },
    #[error("notify-url {url}: no answer within {:.1}s ({attempts} attempt{})", .budget.as_secs_f64(), plural(*.attempts))]
    TimedOut { url: String, budget: Duration, attempts: u32 },
    #[error("notify-url: cannot encode the payload: {0}")]
    Encode(#[from] serde_json::Error),
}

fn plural(count: u32) -> &'static str {
    if count == 1 {
        ""
    } else {
        "s"
    }
}

/// POSTs `payload` to `url` as JSON; any 2xx answer is success. Connection errors, timeouts, 5xx
/// and 429 are retried up to `attempts` tries in all, with a short pause between them. `timeout`
/// bounds the whole delivery, retries and pauses included, so an alert never holds up the end of a
/// job for longer; a retry that would not fit in it is not started. Proxies come from the usual
/// `HTTP(S)_PROXY`/`NO_PROXY` variables.
pub fn deliver(url: &str, payload: &Value, timeout: Duration, attempts: u32) -> Result<(), NotifyError> {
    Delivery { backoff: &BACKOFF, proxy_from_env: true }.send(url, payload, timeout, attempts)
}

/// How an attempt went wrong.
enum Failure {
    Status(u16),
    TimedOut,
    Transport(String),
}

struct Delivery<'b> {
    backoff: &'b [Duration],
    proxy_from_env: bool,
}

impl Delivery<'_> {
    fn send(&self, url: &str, payload: &Value, timeout: Duration, attempts: u32) -> Result<(), NotifyError> {
        let shown = redact(url);
        let scheme = url.split_once("://").map(|(scheme, _)| scheme.to_ascii_lowercase());
        if !matches!(scheme.as_deref(), Some("http" | "https")) {
            return Err(NotifyError::BadUrl { url: shown });
        }
        let body = serde_json::to_vec(payload)?;
        let deadline = Instant::now() + timeout;
        let attempts = attempts.max(1);
        let mut tried = 0;
        let failure = loop {
            tried += 1;
            let remaining = deadline.saturating_duration_since(Instant::now());
            let (failure, retry) = match self.post(url, &body, remaining) {
                Ok(status) if (200..300).contains(&status) => return Ok(()),
                Ok(status) => (Failure::Status(status), status >= 500 || status == 429),
                Err(ureq::Error::BadUri(_)) => return Err(NotifyError::BadUrl { url: shown }),
                Err(err) => classify(&err),
            };
            let pause = self.backoff.get(tried as usize - 1).or(self.backoff.last()).copied().unwrap_or_default();
            if !retry || tried >= attempts || Instant::now() + pause >= deadline {
                break failure;
            }
            thread::sleep(pause);
        };
        Err(match failure {
            Failure::Status(status) => NotifyError::Status { url: shown, status, attempts: tried },
            Failure::TimedOut => NotifyError::TimedOut { url: shown, budget: timeout, attempts: tried },
            Failure::Transport(reason) => NotifyError::Transport { url: shown, reason, attempts: tried },
        })
    }

    /// One POST; the HTTP status when the server answered at all.
    fn post(&self, url: &str, body: &[u8], timeout: Duration) -> Result<u16, ureq::Error> {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            // A redirected POST loses its body; report the 3xx instead of following it.
            .max_redirects(0)
            // The local label tells the webhook which implementation posted (the Python tool sends
            // no alerts at all).
            .user_agent(format!("ansible-runner/{}+rust", env!("CARGO_PKG_VERSION")))
            .proxy(if self.proxy_from_env { ureq::Proxy::try_from_env() } else { None })
            .build();
        let agent = ureq::Agent::new_with_config(config);
        let response = agent.post(url).header("Content-Type", "application/json").send(body)?;
        Ok(response.status().as_u16())
    }
}

/// What went wrong in words, and whether another attempt may go better.
fn classify(err: &ureq::Error) -> (Failure, bool) {
    match err {
        ureq::Error::Timeout(_) => (Failure::TimedOut, true),
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => (Failure::TimedOut, true),
        ureq::Error::Io(io) => {
            let reason = match io.kind() {
                std::io::ErrorKind::ConnectionRefused => "connection refused".to_owned(),
                std::io::ErrorKind::ConnectionReset => "connection reset".to_owned(),
                std::io::ErrorKind::UnexpectedEof => "connection closed before an answer".to_owned(),
                _ => io.to_string(),
            };
            (Failure::Transport(reason), true)
        }
        ureq::Error::HostNotFound => (Failure::Transport("host not found".to_owned()), true),
        ureq::Error::ConnectionFailed => (Failure::Transport("connection failed".to_owned()), true),
        ureq::Error::Protocol(_) => (Failure::Transport(format!("bad answer ({err})")), true),
        // TLS and configuration problems do not fix themselves a second later.
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) => (Failure::Transport(format!("TLS: {err}")), false),
        other => (Failure::Transport(other.to_string()), false),
    }
}

/// `scheme://host:port` plus `/…` when there was more: never the path, query or user info.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "(not a URL)".to_owned();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    let tail = if rest[end..].trim_start_matches('/').is_empty() { "" } else { "/…" };
    format!("{scheme}://{host}{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::thread::JoinHandle;

    use serde_json::json;

    const FAST: Delivery<'static> = Delivery { backoff: &[Duration::from_millis(20)], proxy_from_env: false };
    /// A time budget that only a stuck delivery reaches, however busy the machine: the servers
    /// here answer at once.
    const AMPLE: Duration = Duration::from_secs(60);

    /// Reads one request: its head (request line and headers) and its body.
    fn read_request(stream: &mut TcpStream) -> (String, Vec<u8>) {
        let mut reader = BufReader::new(stream);
        let mut head = String::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line == "\r\n" || line.is_empty() {
                break;
            }
            head.push_str(&line);
        }
        let length = head
            .lines()
            .find_map(|l| {
                l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap())
            })
            .unwrap_or(0);
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        (head, body)
    }

    /// Head and body of each request a test server received.
    type Received = Vec<(String, Vec<u8>)>;

    /// A server answering one request per status in `statuses`, then returning what it received.
    fn serve(statuses: &[u16]) -> (String, JoinHandle<Received>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hooks/secret-token?key=k", listener.local_addr().unwrap());
        let statuses = statuses.to_vec();
        let handle = thread::spawn(move || {
            let mut seen = Vec::new();
            for status in statuses {
                let (mut stream, _) = listener.accept().unwrap();
                seen.push(read_request(&mut stream));
                write!(stream, "HTTP/1.1 {status} X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok").unwrap();
            }
            seen
        });
        (url, handle)
    }

    fn payload() -> Value {
        json!({"ident": "abc", "status": "failed", "rc": 2, "failed_hosts": [{"host": "web1", "message": "boom <&>"}]})
    }

    #[test]
    fn posts_the_payload_as_json() {
        let (url, server) = serve(&[200]);
        deliver(&url, &payload(), AMPLE, 3).unwrap();
        let requests = server.join().unwrap();
        let (head, body) = &requests[0];
        assert!(head.starts_with("POST /hooks/secret-token?key=k HTTP/1.1\r\n"), "{head}");
        assert!(head.to_ascii_lowercase().contains("content-type: application/json\r\n"), "{head}");
        assert_eq!(serde_json::from_slice::<Value>(body).unwrap(), payload());
    }

    #[test]
    fn server_errors_are_retried() {
        let (url, server) = serve(&[500, 503, 204]);
        FAST.send(&url, &payload(), AMPLE, 3).unwrap();
        assert_eq!(server.join().unwrap().len(), 3);
    }

    #[test]
    fn client_errors_are_not_retried() {
        let (url, server) = serve(&[404]);
        let err = FAST.send(&url, &payload(), AMPLE, 3).unwrap_err();
        assert!(matches!(err, NotifyError::Status { status: 404, attempts: 1, .. }), "{err:?}");
        server.join().unwrap();
    }

    #[test]
    fn persistent_server_errors_give_up_after_the_attempts() {
        let (url, server) = serve(&[500, 502]);
        let err = FAST.send(&url, &payload(), AMPLE, 2).unwrap_err();
        let port = url.split(':').nth(2).unwrap().split('/').next().unwrap();
        assert_eq!(
            err.to_string(),
            format!("notify-url http://127.0.0.1:{port}/…: the server answered HTTP 502 after 2 attempts")
        );
        server.join().unwrap();
    }

    #[test]
    fn connection_refused_is_an_error_after_every_attempt() {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let url = format!("http://127.0.0.1:{port}/hook");
        let err = FAST.send(&url, &payload(), AMPLE, 3).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("notify-url http://127.0.0.1:{port}/…: connection refused after 3 attempts")
        );
    }

    #[test]
    fn a_silent_server_is_bounded_by_the_timeout() {
        // Connections complete in the listen backlog, and nothing ever answers.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let started = Instant::now();
        let err = deliver(&url, &payload(), Duration::from_millis(400), 3).unwrap_err();
        let elapsed = started.elapsed();
        assert!(matches!(err, NotifyError::TimedOut { attempts: 1, .. }), "{err:?}");
        assert!(elapsed >= Duration::from_millis(400) && elapsed < Duration::from_secs(3), "{elapsed:?}");
        assert!(err.to_string().ends_with(": no answer within 0.4s (1 attempt)"), "{err}");
        drop(listener);
    }

    #[test]
    fn urls_are_checked_and_never_shown_with_their_secret() {
        let err = deliver("ftp://example.invalid/x", &payload(), Duration::from_secs(1), 1).unwrap_err();
        assert!(matches!(err, NotifyError::BadUrl { .. }), "{err:?}");
        assert_eq!(redact("https://user:pw@hooks.example.com/services/T0/B0/XYZ?x=1"), "https://hooks.example.com/…");
        assert_eq!(redact("http://127.0.0.1:8080/"), "http://127.0.0.1:8080");
        assert_eq!(redact("hooks.example.com/x"), "(not a URL)");
    }

    #[test]
    fn notify_on_failure_covers_every_unsuccessful_status() {
        use crate::exit::Status;
        let ends = Status::ALL.iter().map(|s| RunEnd::Job(*s)).chain([RunEnd::NotStarted, RunEnd::Skipped]);
        for end in ends {
            let failure = !matches!(end, RunEnd::Job(Status::Successful) | RunEnd::Skipped);
            assert_eq!(NotifyOn::Failure.should_send(end), failure, "{end:?}");
            assert_eq!(NotifyOn::FailureOrSkipped.should_send(end), failure || end == RunEnd::Skipped, "{end:?}");
            assert!(NotifyOn::Always.should_send(end));
        }
        assert_eq!(NotifyOn::default(), NotifyOn::Failure);
    }
}
