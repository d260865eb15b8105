"""Runner: starts a prepared job, relays its events and statuses to the application's callbacks.

The job itself runs in the `ansible-runner api` child that `RunnerConfig.prepare()` started;
this side reads its JSON lines, prints event text, calls the callbacks in the reference's order,
writes the event files the event handler keeps, and cancels the job when asked.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any, TextIO, Union

from ansible_runner._child import STOP_GRACE, Child
from ansible_runner._plugins import plugins
from ansible_runner._types import ArtifactsHandler, CancelCallback, EventHandler, StatusHandler
from ansible_runner.config._base import BaseConfig
from ansible_runner.config.runner import RunnerConfig
from ansible_runner.exceptions import AnsibleRunnerException, CallbackError
from ansible_runner.utils import collect_new_events, write_private_file

FINAL_STATUSES = ('successful', 'failed', 'timeout', 'canceled')
# How often a running job checks the cancel callback and `canceled`, in seconds.
CANCEL_POLL = 0.1
# The exit status reported when the child ends without saying how the job ended.
RC_LOST = 255

# What `signal.signal()` returned for each signal whose handler was replaced.
_Signals = dict[int, Union[Callable[[int, Union[FrameType, None]], Any], int, signal.Handlers, None]]


def _parse(line: bytes) -> dict[str, Any] | None:
    """One line of the child's as a JSON object; None (and a note on stderr) for anything else."""
    if not line.strip():
        return None
    try:
        message = json.loads(line)
    except ValueError:
        message = None
    if not isinstance(message, dict):
        sys.stderr.write(f'ansible_runner: ignored a line from ansible-runner api: {line[:200]!r}\n')
        return None
    return message


class _Abort(Exception):
    """Ends the relay at once; `cause` is raised once the job has stopped."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.cause = cause


class Runner:
    """One job: `run()` starts it and returns `(status, rc)` when it has ended.

    `run()`, `run_async()` and the command family build it; so can an application, from a config
    it made (`RunnerConfig`, or a config of the command family once prepared).
    """

    def __init__(self, config: BaseConfig, cancel_callback: CancelCallback | None = None,
                 remove_partials: bool = True,
                 event_handler: EventHandler | None = None,
                 artifacts_handler: ArtifactsHandler | None = None,
                 finished_callback: Callable[[Runner], object] | None = None,
                 status_handler: StatusHandler | None = None) -> None:
        """A Runner for the job that `config` describes, with the application's callbacks.

        :param config: The job's configuration; this Runner's `run()` prepares a `RunnerConfig` that
            has not been prepared yet.
        :param cancel_callback: Polled while the job runs: a truthy result cancels the job. Without
            it, SIGINT and SIGTERM cancel the job while it runs on the main thread. Setting `canceled`
            cancels the job too.
        :param remove_partials: Kept for the reference's callers; there are no partial event files to
            remove here.
        :param event_handler: Called with each event (a dict) in order. The event's file in
            `job_events/` is written only when it returns something truthy; an `OSError` it raises is
            ignored, any other exception stops the job and is raised.
        :param artifacts_handler: Called with the run's artifact dir once the job has ended.
        :param finished_callback: Called last, with this Runner, once the job has ended and the other
            handlers have run.
        :param status_handler: Called as `status_handler(data, runner_config=config)` on each change of
            status; `data` holds `status` and `runner_ident`, and on `starting` also the job's
            `command`, `env` and `cwd`.
        """
        self.config = config
        self.cancel_callback = cancel_callback
        self.event_handler = event_handler
        self.artifacts_handler = artifacts_handler
        self.finished_callback = finished_callback
        self.status_handler = status_handler
        self.canceled = False
        self.timed_out = False
        self.errored = False
        self.status = 'unstarted'
        self.rc: int | None = None
        self.remove_partials = remove_partials
        self.last_stdout_update = 0.0
        self.runner_mode = getattr(config, 'runner_mode', 'pexpect')
        self.job_explanation: str | None = None
        self._cancel_sent = False
        self._plugins: list[Any] = []
        self._out: list[str] = []
        self._stdout_file: TextIO | None = None
        self._leftover: list[bytes] = []

    # -- callbacks ---------------------------------------------------------------------------

    def status_callback(self, status: str) -> None:
        """Record `status` and tell the plugins, then the status handler."""
        self.status = status
        data: dict[str, Any] = {'status': status, 'runner_ident': str(self.config.ident)}
        if status == 'starting':
            data.update({'command': self.config.command, 'env': self.config.env,
                         'cwd': self.config.cwd})
        for plugin in plugins.values():
            plugin.status_handler(self.config, data)
        if self.status_handler is not None:
            self.status_handler(data, runner_config=self.config)

    def event_callback(self, event: dict[str, Any], raw: bytes | None = None) -> None:
        """Hand one event to the handler and plugins; keep its file when the handler says so."""
        self.last_stdout_update = time.time()
        if 'uuid' not in event:
            return
        event.setdefault('runner_ident', str(self.config.ident))
        if 'created' not in event:
            event['created'] = datetime.datetime.now(datetime.timezone.utc).isoformat()
        try:
            keep = self.event_handler(event) if self.event_handler is not None else True
            for plugin in self._plugins:
                plugin.event_handler(self.config, event)
            if keep and not self.config.runner_writes_events:
                untouched = self.event_handler is None and not self._plugins
                self._write_event(event, raw if untouched else None)
        except OSError:
            pass

    def _keep_in_stdout(self, line: str) -> None:
        """Add an event, as `json_mode` shows it, to the `stdout` artifact (opened once per run)."""
        if getattr(self.config, 'suppress_output_file', False):
            return
        try:
            if self._stdout_file is None:
                path = os.path.join(self.config.artifact_dir, 'stdout')
                self._stdout_file = open(path, 'a', encoding='utf-8')  # noqa: SIM115 (run() closes it)
            self._stdout_file.write(line + '\n')
        except OSError:
            pass

    @staticmethod
    def _json_mode_line(event: dict[str, Any]) -> str:
        """What `json_mode` shows of an event: its JSON as it stands, or the text of output from
        outside the plugin (`verbose`), as the reference shows them.
        """
        if event.get('event') == 'verbose':
            return str(event.get('stdout') or '')
        return json.dumps(event)

    def _write_event(self, event: dict[str, Any], raw: bytes | None) -> None:
        """`job_events/<counter>-<uuid>.json`, mode 0600, whole or not at all."""
        name = f"{event['counter']}-{event['uuid']}.json"
        data = raw if raw is not None else json.dumps(event).encode('utf-8')
        write_private_file(os.path.join(self.config.artifact_dir, 'job_events', name), data)

    # -- running -------------------------------------------------------------------------------

    def run(self) -> tuple[str, int | None]:
        """Start the job, relay it until it ends, then call the artifacts and finished callbacks."""
        child = self._claim_child()
        self._plugins = list(plugins.values())
        os.makedirs(os.path.join(self.config.artifact_dir, 'job_events'), mode=0o700, exist_ok=True)
        previous = self._install_signal_handlers()
        try:
            self._relay(child)
        finally:
            self._restore_signal_handlers(previous)
            if self._stdout_file is not None:
                self._stdout_file.close()
                self._stdout_file = None
        self._ensure_status_files()
        self._call_end_handlers()
        return self.status, self.rc

    def _claim_child(self) -> Child:
        """The child that prepared the job; a playbook job run again is prepared anew."""
        child = self.config.take_child()
        if child is None:
            if not isinstance(self.config, RunnerConfig):
                raise AttributeError(f"'{type(self.config).__name__}' object has no attribute 'prepare'")
            self.config.prepare()
            child = self.config.take_child()
            if child is None:
                raise AnsibleRunnerException('the job was prepared without a runner child')
        return child

    def _relay(self, child: Child) -> None:
        """Drive the child from `starting` to its end; on an abort stop the job, then raise."""
        try:
            self.status_callback('starting')
            # Canceled already: the runner ends the job without starting Ansible.
            self._cancel_sent = self.canceled
            child.send({'cancel': True} if self.canceled else {'run': True})
            self._pump(child)
        except _Abort as abort:
            self._stop(child)
            raise abort.cause from abort.cause.__cause__
        except BaseException:
            self._stop(child)
            raise
        self._finish(child)

    def _pump(self, child: Child) -> None:
        """Read the child's lines until its eof, polling for cancellation in between."""
        last_poll = 0.0
        while True:
            lines = child.read_lines(CANCEL_POLL)
            if lines and self._handle_lines(lines):
                return
            if child.ended:
                self._lost(child)
                return
            now = time.monotonic()
            if now - last_poll >= CANCEL_POLL:
                last_poll = now
                self._poll_cancel(child)

    def _handle_lines(self, lines: list[bytes]) -> bool:
        """Act on a batch of lines; True once the eof line has come."""
        try:
            for index, line in enumerate(lines):
                message = _parse(line)
                if message is None:
                    continue
                try:
                    if 'event' in message:
                        self._on_event(message, line)
                    elif 'status' in message:
                        self._on_status(message)
                    elif message.get('eof'):
                        return True
                except _Abort:
                    # How the job ended may be in the rest of this batch.
                    self._leftover = lines[index + 1:]
                    raise
        finally:
            self._flush_output()
        return False

    def _on_event(self, event: dict[str, Any], raw: bytes) -> None:
        try:
            self.event_callback(event, raw)
        except Exception as exc:
            raise _Abort(exc) from exc
        # Shown and kept as the handler left it, as the reference shows and keeps it.
        line = self._json_mode_line(event) if getattr(self.config, 'json_mode', False) else None
        if line is not None and 'uuid' in event and not self.config.runner_writes_stdout:
            self._keep_in_stdout(line)
        self._queue_output(event, line)

    def _on_status(self, message: dict[str, Any]) -> None:
        status = message['status']
        if status in FINAL_STATUSES:
            self._record_end(message)
        elif status == 'error':
            message = {**message, 'status': 'failed', 'job_explanation': message.get('message')}
            self._record_end(message)
            status = 'failed'
        try:
            self.status_callback(status)
        except Exception as exc:
            raise _Abort(exc) from exc

    def _record_end(self, message: dict[str, Any]) -> None:
        status = message['status']
        self.rc = message.get('rc', self.rc)
        self.canceled = self.canceled or status == 'canceled'
        self.timed_out = status == 'timeout'
        self.job_explanation = message.get('job_explanation')
        if status == 'failed' and self.job_explanation:
            self.errored = True
        self.status = status

    def _lost(self, child: Child) -> None:
        """The child ended without eof: the job failed, and nothing hangs waiting for it."""
        code = child.finish(grace=1.0)
        self.errored = True
        self.job_explanation = f'ansible-runner api ended without finishing the job (exit status {code})'
        self.rc = code if code and code > 0 else RC_LOST
        self.status_callback('failed')

    def _poll_cancel(self, child: Child) -> None:
        if self.cancel_callback is not None and not self.canceled:
            try:
                if self.cancel_callback():
                    self.canceled = True
            except Exception as exc:
                error = CallbackError(f'Exception in Cancel Callback: {exc}')
                error.__cause__ = exc
                raise _Abort(error) from exc
        if self.canceled and not self._cancel_sent:
            child.send({'cancel': True})
            self._cancel_sent = True

    def _stop(self, child: Child) -> None:
        """Cancel the job and wait for the child's end, recording how the job ended."""
        child.send({'cancel': True})
        self._cancel_sent = True
        deadline = time.monotonic() + STOP_GRACE
        leftover, self._leftover = self._leftover, []
        for line in leftover + child.read_until_end(deadline):
            message = _parse(line)
            if message is not None and message.get('status') in FINAL_STATUSES:
                self._record_end(message)
        child.finish(grace=max(0.0, deadline - time.monotonic()))
        if self.status not in FINAL_STATUSES:
            self.status, self.errored = 'failed', True
            self.rc = self.rc if self.rc is not None else RC_LOST
        self._ensure_status_files()

    @staticmethod
    def _finish(child: Child) -> None:
        child.finish()

    def _ensure_status_files(self) -> None:
        """`status` and `rc` on disk, should the runner not have written them."""
        for name, value in (('status', self.status), ('rc', self.rc)):
            path = os.path.join(self.config.artifact_dir, name)
            if not os.path.exists(path) and os.path.isdir(self.config.artifact_dir):
                write_private_file(path, str(value))

    def _call_end_handlers(self) -> None:
        if self.artifacts_handler is not None:
            try:
                self.artifacts_handler(self.config.artifact_dir)
            except Exception as exc:
                raise CallbackError(f'Exception in Artifact Callback: {exc}') from exc
        if self.finished_callback is not None:
            try:
                self.finished_callback(self)
            except Exception as exc:
                raise CallbackError(f'Exception in Finished Callback: {exc}') from exc

    # -- console output ------------------------------------------------------------------------

    def _queue_output(self, event: dict[str, Any], line: str | None) -> None:
        """Queue what the console shows of the event: `line` in `json_mode`, else its text."""
        if getattr(self.config, 'suppress_ansible_output', False):
            return
        shown = line if line is not None else event.get('stdout')
        if shown:
            self._out.append(shown)

    def _flush_output(self) -> None:
        if self._out:
            sys.stdout.write('\n'.join(self._out) + '\n')
            sys.stdout.flush()
            self._out = []

    # -- signals -------------------------------------------------------------------------------

    def _install_signal_handlers(self) -> _Signals:
        """With no cancel callback, SIGINT and SIGTERM cancel the job while it runs (main thread)."""
        if self.cancel_callback is not None or threading.current_thread() is not threading.main_thread():
            return {}

        def cancel(signum: int, frame: FrameType | None) -> None:
            del signum, frame
            self.canceled = True

        previous: _Signals = {}
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, cancel)
        return previous

    @staticmethod
    def _restore_signal_handlers(previous: _Signals) -> None:
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)

    # -- results -------------------------------------------------------------------------------

    @property
    def stdout(self) -> TextIO:
        """The job's stdout artifact, opened for reading."""
        return self._open_artifact('stdout')

    @property
    def stderr(self) -> TextIO:
        """The job's stderr artifact, opened for reading."""
        return self._open_artifact('stderr')

    def _open_artifact(self, name: str) -> TextIO:
        path = os.path.join(self.config.artifact_dir, name)
        if not os.path.exists(path):
            raise AnsibleRunnerException(f'{name} missing')
        return open(path)  # the caller closes it, as with the reference

    @property
    def events(self) -> Iterator[dict[str, Any]]:
        """The job's kept events in counter order, following the job while it runs."""
        event_path = os.path.join(self.config.artifact_dir, 'job_events')
        started = time.monotonic()
        while not os.path.exists(event_path):
            if time.monotonic() - started > 60:
                raise AnsibleRunnerException(f'events directory is missing: {event_path}')
            time.sleep(0.05)
        seen: dict[str, bool] = {}
        while self.status == 'running':
            found = False
            for event, _ in collect_new_events(event_path, seen):
                found = True
                yield event
            if not found:
                time.sleep(0.05)
        for event, _ in collect_new_events(event_path, seen):
            yield event

    @property
    def stats(self) -> dict[str, Any] | None:
        """The totals of the `playbook_on_stats` event, or None when there is none."""
        last = [e for e in self.events if e.get('event') == 'playbook_on_stats']
        if not last:
            return None
        data = last[0]['event_data']
        keys = ('skipped', 'ok', 'dark', 'failures', 'ignored', 'rescued', 'processed', 'changed')
        return {key: data.get(key, {}) for key in keys}

    def host_events(self, host: str) -> Iterator[dict[str, Any]]:
        """The events of tasks that ran on `host`."""
        return (e for e in self.events if e.get('event_data', {}).get('host') == host)

    @classmethod
    def handle_termination(cls, pid: int, pidfile: str | None = None) -> None:
        """Kill the process group of `pid` and remove `pidfile`, ignoring what is already gone."""
        with contextlib.suppress(OSError):
            os.killpg(os.getpgid(pid), signal.SIGKILL)
        if pidfile:
            with contextlib.suppress(OSError):
                os.remove(pidfile)

    def _fact_cache_path(self, host: str) -> str:
        if self.config.fact_cache_type != 'jsonfile':
            raise Exception('Unsupported fact cache type.  Only "jsonfile" is supported for '
                            'reading and writing facts from ansible-runner')
        if self.config.fact_cache is None:  # a jsonfile cache always has its directory
            raise AnsibleRunnerException('the fact cache has no directory')
        return os.path.join(self.config.fact_cache, host)

    def get_fact_cache(self, host: str) -> dict[str, Any]:
        """The facts cached for `host` (jsonfile cache only)."""
        path = self._fact_cache_path(host)
        if not os.path.exists(path):
            return {}
        with open(path) as handle:
            facts: dict[str, Any] = json.loads(handle.read())
        return facts

    def set_fact_cache(self, host: str, data: dict[str, Any]) -> int:
        """Replace the facts cached for `host` (jsonfile cache only)."""
        path = self._fact_cache_path(host)
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        with open(path, 'w') as handle:
            return handle.write(json.dumps(data))
