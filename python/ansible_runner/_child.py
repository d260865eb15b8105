"""The `ansible-runner api` child process: one per job, JSON lines over its stdin and stdout.

PROTOCOL.md beside this package is the contract. The child runs in a session of its own so that
a terminal's Ctrl-C reaches only the application, which cancels the job over the pipe; the end
of its stdin (the application gone, even by SIGKILL) makes the child cancel the job itself.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import subprocess
import time
import weakref
from collections.abc import Sequence
from typing import IO, Any

from ansible_runner._binary import find_binary
from ansible_runner.utils import job_path

# The version of the pipe this package speaks (PROTOCOL.md): sent in each request, and expected
# back in `starting` from a binary that speaks it too.
PROTOCOL = 1
_CHUNK = 1 << 18
# Seconds a child that has been told to stop gets before it is terminated, then killed.
STOP_GRACE = 15.0
_KILL_GRACE = 5.0


def _exited_within(proc: subprocess.Popen[bytes], seconds: float) -> bool:
    """Whether the child exits within `seconds`, woken the moment it does: `Popen.wait(timeout)`
    polls with growing sleeps, which cost a short call more than the child's whole work.
    """
    if proc.poll() is not None:
        return True
    try:
        pidfd = os.pidfd_open(proc.pid)
    except (AttributeError, OSError):  # no pidfd on this kernel or Python: let Popen poll
        pidfd = None
    if pidfd is not None:
        try:
            select.select([pidfd], [], [], seconds)
        finally:
            os.close(pidfd)
        seconds = 0.0
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        return False
    return True


def _reap(proc: subprocess.Popen[bytes], grace: float) -> None:
    """Close our end of stdin, give the child `grace` seconds, then make sure it is gone."""
    _close_quietly(proc.stdin)
    if not _exited_within(proc, grace):
        proc.terminate()
        try:
            proc.wait(timeout=_KILL_GRACE)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    _close_quietly(proc.stdout)


def _close_quietly(handle: IO[bytes] | None) -> None:
    if handle is not None:
        with contextlib.suppress(OSError):
            handle.close()


def _child_env() -> dict[str, str] | None:
    """The runner's environment: this one, with PATH as `job_path` gives it; None to inherit."""
    path = job_path()
    return None if path is None else {**os.environ, 'PATH': path}


class Child:
    """A running `ansible-runner api` process, read line by line without blocking for long."""

    def __init__(self, binary: str | None = None, pass_fds: Sequence[int] = ()) -> None:
        self.proc = subprocess.Popen(
            [binary or find_binary(), 'api'],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None,
            close_fds=True, pass_fds=tuple(pass_fds), start_new_session=True, env=_child_env())
        assert self.proc.stdout is not None
        self._fd = self.proc.stdout.fileno()
        self._poller = select.poll()
        self._poller.register(self._fd, select.POLLIN | select.POLLHUP | select.POLLERR)
        self._pending: list[bytes] = []
        self.ended = False
        # Whatever happens to the Runner, the child is reaped and both pipes closed.
        self._finalizer = weakref.finalize(self, _reap, self.proc, STOP_GRACE)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def send(self, message: dict[str, Any]) -> bool:
        """Write one control line; False when the child no longer reads."""
        stdin = self.proc.stdin
        if stdin is None or stdin.closed:
            return False
        try:
            stdin.write(json.dumps(message).encode('utf-8') + b'\n')
            stdin.flush()
        except (BrokenPipeError, ValueError, OSError):
            return False
        return True

    def read_lines(self, timeout: float) -> list[bytes]:
        """Complete lines that arrive within `timeout` seconds (maybe none); sets `ended` at EOF."""
        if self.ended:
            return []
        if not self._poller.poll(timeout * 1000.0):
            return []
        chunk = os.read(self._fd, _CHUNK)
        if not chunk:
            self.ended = True
            tail = b''.join(self._pending)
            self._pending = []
            return [tail] if tail.strip() else []
        if b'\n' not in chunk:
            self._pending.append(chunk)
            return []
        if self._pending:
            self._pending.append(chunk)
            chunk = b''.join(self._pending)
            self._pending = []
        lines = chunk.split(b'\n')
        tail = lines.pop()
        if tail:
            self._pending.append(tail)
        return lines

    def read_until_end(self, deadline: float) -> list[bytes]:
        """All lines left, stopping at EOF or at `deadline` (a time.monotonic() value)."""
        lines: list[bytes] = []
        while not self.ended:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            lines.extend(self.read_lines(min(left, 0.5)))
        return lines

    def finish(self, grace: float = STOP_GRACE) -> int:
        """Reap the child (terminating it after `grace` seconds) and return its exit status."""
        self._finalizer.detach()
        _reap(self.proc, grace)
        return self.proc.returncode
