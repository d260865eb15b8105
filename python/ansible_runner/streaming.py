"""The `streamer=` modes of `run()`: `transmit` writes a job to a stream, `worker` runs a streamed
job (in `ansible-runner worker`) and streams its results back, `process` reads those results
into the artifact dir and calls the application's handlers. Their streams are the reference's.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Callable
from typing import IO, Any

from ansible_runner._binary import find_binary
from ansible_runner._isolation import check_isolation
from ansible_runner._plugins import plugins
from ansible_runner._types import ArtifactsHandler, CancelCallback, EventHandler, StatusHandler
from ansible_runner.utils import write_private_file
from ansible_runner.utils.streaming import StreamError, stream_dir, unstream_dir

_PUMP_CHUNK = 1 << 16
# Kwargs lines longer than this are not looked at here; the worker binary still checks them.
_FIRST_LINE_LIMIT = 1 << 20


class _Encoder(json.JSONEncoder):
    """UUIDs as their hex text, as the reference writes them."""

    def default(self, o: Any) -> Any:
        if isinstance(o, uuid.UUID):
            return o.hex
        return super().default(o)


class MockConfig:
    """What status handlers of a processed job get as `runner_config`."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings
        self.command: list[str] | None = None
        self.cwd: str | None = None
        self.env: dict[str, str] | None = None


class Transmitter:
    """Writes the job's keywords and its private data dir to `_output`."""

    def __init__(self, _output: IO[bytes] | None = None, **kwargs: Any) -> None:
        self._output = _output if _output is not None else sys.stdout.buffer
        self.private_data_dir = os.path.abspath(kwargs.pop('private_data_dir'))
        self.only_transmit_kwargs = kwargs.pop('only_transmit_kwargs', False)
        kwargs.pop('keepalive_seconds', None)  # a worker setting that older workers refuse
        self.kwargs = kwargs
        self.status = 'unstarted'
        self.rc: int | None = None

    def run(self) -> tuple[str, int | None]:
        self._output.write(json.dumps({'kwargs': self.kwargs}, cls=_Encoder).encode('utf-8') + b'\n')
        self._output.flush()
        if not self.only_transmit_kwargs:
            stream_dir(self.private_data_dir, self._output)
        self._output.write(b'{"eof": true}\n')
        self._output.flush()
        return self.status, self.rc


def _pump(source: IO[bytes], target: IO[bytes], first: bytes = b'') -> None:
    """Copy `first`, then `source` to `target` until its end, then close `target`. What has
    arrived is passed on at once (`read1`): a socket's sender may keep it open after the stream's end.
    """
    read = getattr(source, 'read1', source.read)
    try:
        if first:
            target.write(first)
            target.flush()
        while True:
            chunk = read(_PUMP_CHUNK)
            if not chunk:
                break
            target.write(chunk)
            target.flush()
    except (BrokenPipeError, ValueError, OSError):
        pass
    finally:
        with contextlib.suppress(OSError):
            target.close()


class Worker:
    """Runs the job streamed on `_input` in `ansible-runner worker`; its stream goes to `_output`."""

    def __init__(self, _input: IO[bytes] | None = None, _output: IO[bytes] | None = None,
                 keepalive_seconds: float | None = None, **kwargs: Any) -> None:
        self._input = _input if _input is not None else sys.stdin.buffer
        self._output = _output if _output is not None else sys.stdout.buffer
        if keepalive_seconds is None:
            keepalive_seconds = float(os.environ.get('ANSIBLE_RUNNER_KEEPALIVE_SECONDS', '0'))
        self.keepalive_seconds = keepalive_seconds
        self.kwargs = kwargs
        self.private_data_dir: str | None = kwargs.get('private_data_dir')
        self.status = 'unstarted'
        self.rc: int | None = None

    def _command(self) -> list[str]:
        command = [find_binary(), 'worker', '--keepalive-seconds', f'{self.keepalive_seconds:g}']
        if self.private_data_dir:
            command.extend(['--private-data-dir', os.path.abspath(self.private_data_dir)])
        return command

    def _first_line(self) -> bytes:
        """The stream's first line, which holds the job's kwargs when a transmitter wrote it; at
        most `_FIRST_LINE_LIMIT` bytes of it (the rest follows in the pump, so the stream reaching
        the worker is whole either way, and garbage without a line end cannot fill memory).
        """
        try:
            return self._input.readline(_FIRST_LINE_LIMIT)
        except (OSError, ValueError):
            return b''

    def _check_isolation(self, line: bytes) -> None:
        """A job for a container engine that is not installed ends the application before the
        job starts, as the reference's worker ends (it runs the job through `run()`, which checks).
        """
        try:
            message = json.loads(line)
        except ValueError:
            return
        job = message.get('kwargs') if isinstance(message, dict) else None
        if isinstance(job, dict):
            check_isolation({**self.kwargs, **job})

    def run(self) -> tuple[str, int | None]:
        first = self._first_line()
        self._check_isolation(first)
        proc = subprocess.Popen(self._command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                close_fds=True)
        assert proc.stdin is not None
        assert proc.stdout is not None
        feeder = threading.Thread(target=_pump, args=(self._input, proc.stdin, first), daemon=True)
        feeder.start()
        with proc.stdout:
            self._relay(proc.stdout)
        proc.wait()
        feeder.join(timeout=1.0)
        if self.status in ('unstarted', 'starting', 'running'):
            self.status = 'error'
        self.rc = proc.returncode
        return self.status, self.rc

    def _relay(self, stream: IO[bytes]) -> None:
        """Pass the worker's stream on, noting each status it reports."""
        while True:
            line = stream.readline()
            if not line:
                return
            self._output.write(line)
            try:
                message = json.loads(line)
            except ValueError:
                message = None
            if isinstance(message, dict):
                if 'status' in message:
                    self.status = str(message['status'])
                elif isinstance(message.get('zipfile'), int):
                    length = message['zipfile']
                    remaining = 4 * ((length + 2) // 3)
                    while remaining > 0:
                        chunk = stream.read(min(remaining, _PUMP_CHUNK))
                        if not chunk:
                            break
                        self._output.write(chunk)
                        remaining -= len(chunk)
            self._output.flush()


class Processor:
    """Reads a worker's stream from `_input`: events and statuses go to the handlers, the
    artifacts into the artifact dir.
    """

    def __init__(self, _input: IO[bytes] | None = None,
                 status_handler: StatusHandler | None = None,
                 event_handler: EventHandler | None = None,
                 artifacts_handler: ArtifactsHandler | None = None,
                 cancel_callback: CancelCallback | None = None,
                 finished_callback: Callable[[Processor], object] | None = None,
                 **kwargs: Any) -> None:
        self._input = _input if _input is not None else sys.stdin.buffer
        self.quiet = kwargs.get('quiet')
        self.private_data_dir = kwargs.get('private_data_dir') or tempfile.mkdtemp()
        settings = kwargs.get('settings')
        self.config = MockConfig(settings if settings is not None else self._settings_file())
        artifacts = os.path.abspath(os.path.join(self.private_data_dir, 'artifacts'))
        if kwargs.get('artifact_dir'):
            self.artifact_dir = os.path.abspath(kwargs['artifact_dir'])
        elif kwargs.get('ident'):
            self.artifact_dir = os.path.join(artifacts, str(kwargs['ident']))
        else:
            self.artifact_dir = artifacts
        self.status_handler = status_handler
        self.event_handler = event_handler
        self.artifacts_handler = artifacts_handler
        self.cancel_callback = cancel_callback
        self.finished_callback = finished_callback
        self.status = 'unstarted'
        self.rc: int | None = None

    def _settings_file(self) -> dict[str, Any]:
        # Only the JSON form of YAML is read here: the package uses no YAML parser.
        path = os.path.join(self.private_data_dir, 'env', 'settings')
        try:
            with open(path, encoding='utf-8') as handle:
                loaded = json.load(handle)
        except (OSError, ValueError):
            return {}
        return loaded if isinstance(loaded, dict) else {}

    def status_callback(self, status_data: dict[str, Any]) -> None:
        self.status = status_data['status']
        if self.status == 'starting':
            self.config.command = status_data.get('command')
            self.config.env = status_data.get('env')
            self.config.cwd = status_data.get('cwd')
        for plugin in plugins.values():
            plugin.status_handler(self.config, status_data)
        if self.status_handler is not None:
            self.status_handler(status_data, runner_config=self.config)

    def event_callback(self, event_data: dict[str, Any]) -> None:
        counter, uuid_value = event_data.get('counter'), event_data.get('uuid')
        if not counter or not uuid_value:
            return
        if not self.quiet and 'stdout' in event_data:
            print(event_data['stdout'])
        keep = self.event_handler(event_data) if self.event_handler is not None else True
        for plugin in plugins.values():
            plugin.event_handler(self.config, event_data)
        if keep:
            name = f'{counter}-{uuid_value}.json'
            if '/' in name or name.startswith('.'):
                raise StreamError(f'an event with an unusable counter or uuid: {name!r}')
            path = os.path.join(self.artifact_dir, 'job_events', name)
            write_private_file(path, json.dumps(event_data))

    def artifacts_callback(self, artifacts_data: dict[str, Any]) -> None:
        unstream_dir(self._input, artifacts_data['zipfile'], self.artifact_dir)
        if self.artifacts_handler is not None:
            self.artifacts_handler(self.artifact_dir)

    def _error(self, explanation: str) -> None:
        self.status_callback({'status': 'error', 'job_explanation': explanation})

    def run(self) -> tuple[str, int | None]:
        os.makedirs(os.path.join(self.artifact_dir, 'job_events'), 0o700, exist_ok=True)
        while self._step():
            pass
        self._read_rc()
        if self.finished_callback is not None:
            self.finished_callback(self)
        return self.status, self.rc

    def _step(self) -> bool:
        """Handle one line of the stream; False at its end."""
        try:
            line = self._input.readline()
        except OSError as exc:
            self._error(f'Failed to read from worker stream. Error: {exc}')
            return False
        if not line:
            self._error('Unexpected empty line encountered during worker stream. Worker did not '
                        'produce events or streaming was aborted, check execution node health.')
            return False
        try:
            data = json.loads(line)
        except ValueError as exc:
            self._error(f'Failed to JSON parse a line from worker stream. Error: {exc} '
                        f'Line with invalid JSON data: {line[:1000]!r}')
            return False
        if not isinstance(data, dict):
            self._error(f'Failed to JSON parse a line from worker stream. Error: not an object '
                        f'Line with invalid JSON data: {line[:1000]!r}')
            return False
        return self._dispatch(data)

    def _dispatch(self, data: dict[str, Any]) -> bool:
        if 'status' in data:
            self.status_callback(data)
        elif 'zipfile' in data:
            try:
                self.artifacts_callback(data)
            except (StreamError, OSError) as exc:
                self._error(f'Failed to extract the artifacts of the worker stream: {exc}')
                return False
        elif 'eof' in data:
            return False
        elif data.get('event') != 'keepalive':
            self.event_callback(data)
        return True

    def _read_rc(self) -> None:
        path = os.path.join(self.artifact_dir, 'rc')
        try:
            info = os.stat(path, follow_symlinks=False)
            if stat.S_ISREG(info.st_mode):
                with open(path, encoding='utf-8') as handle:
                    self.rc = int(handle.read().strip())
        except (OSError, ValueError):
            pass
