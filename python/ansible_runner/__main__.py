"""`ansible-runner` called in-process: `main(argv)` runs the runner binary with `argv`, its output
going through `sys.stdout` and `sys.stderr` (so a caller that replaced them sees it), and ends as
the Python tool's `main` does: a job's rc is returned; a command line that cannot be parsed, a
help or version request, and the tool's own argument checks raise `SystemExit`; a private data
dir that cannot be made raises `OSError`. The runner says which on a descriptor of its own
(PROTOCOL.md, "The command line in-process"), never in words to be matched.
"""

from __future__ import annotations

import codecs
import json
import os
import subprocess
import sys
import threading
from typing import IO, Any

from ansible_runner import _binary

# The descriptor the runner writes how it ended on, for `main()` to raise what the Python tool raises.
OUTCOME_FD_VAR = 'ANSIBLE_RUNNER_OUTCOME_FD'


def _fileno(stream: Any) -> int | None:
    try:
        return int(stream.fileno())
    except (AttributeError, OSError, ValueError):
        return None


def _relay(source: Any, target: Any) -> None:
    """Copies the runner's output to `target` as it comes: bytes to its buffer when it has one,
    else text.
    """
    buffer = getattr(target, 'buffer', None)
    decoder = codecs.getincrementaldecoder('utf-8')(errors='replace')
    while chunk := source.read1(65536):
        if buffer is not None:
            target.flush()
            buffer.write(chunk)
            buffer.flush()
        else:
            target.write(decoder.decode(chunk))
            target.flush()
    if buffer is None:
        target.write(decoder.decode(b'', final=True))


def _feed(source: Any, sink: IO[bytes]) -> None:
    """Gives the runner what a replaced `sys.stdin` holds (a `transmit` stream, say)."""
    reader = getattr(source, 'buffer', source)
    try:
        while chunk := reader.read(65536):
            sink.write(chunk.encode('utf-8') if isinstance(chunk, str) else chunk)
    except OSError:  # the runner is gone, or the stream cannot be read (pytest's stdin)
        pass
    finally:
        sink.close()


def _raise_as_the_tool(outcome: bytes, rc: int) -> None:
    """Raises what the Python tool raises where the runner ended as `outcome` says (its line on
    the outcome descriptor); nothing when the tool returns the code.
    """
    try:
        told = json.loads(outcome.decode('utf-8'))
    except ValueError:  # no line: a runner older than the outcome line, or one that crashed
        return
    if not isinstance(told, dict):
        return
    if told.get('raise') == 'SystemExit':
        raise SystemExit(rc)
    if told.get('raise') == 'OSError' and isinstance(told.get('errno'), int):
        raise OSError(told['errno'], os.strerror(told['errno']), told.get('filename'))


def main(sys_args: list[str] | None = None) -> int:
    """Runs `ansible-runner` with `sys_args` (default: this process's arguments)."""
    args = list(sys.argv[1:] if sys_args is None else sys_args)
    stdin_fd = _fileno(sys.stdin)
    stdout_fd = _fileno(sys.stdout) if sys.stdout is sys.__stdout__ else None
    outcome_read, outcome_write = os.pipe()
    try:
        with subprocess.Popen(
            [_binary.find_binary(), *args],
            stdin=stdin_fd if stdin_fd is not None else subprocess.PIPE,
            stdout=stdout_fd if stdout_fd is not None else subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=(outcome_write,),
            env={**os.environ, OUTCOME_FD_VAR: str(outcome_write)},
        ) as proc:
            os.close(outcome_write)
            outcome_write = -1
            rc = _wait(proc)
        with os.fdopen(outcome_read, 'rb') as told:
            outcome_read = -1
            outcome = told.read()
    finally:
        for fd in (outcome_read, outcome_write):
            if fd >= 0:
                os.close(fd)
    _raise_as_the_tool(outcome, rc)
    return rc


def _wait(proc: subprocess.Popen[bytes]) -> int:
    """Relays the runner's stdio while it runs; returns its exit code."""
    threads = [threading.Thread(target=_relay, args=(proc.stderr, sys.stderr), daemon=True)]
    if proc.stdout is not None:
        threads.append(threading.Thread(target=_relay, args=(proc.stdout, sys.stdout), daemon=True))
    if proc.stdin is not None:
        threads.append(threading.Thread(target=_feed, args=(sys.stdin, proc.stdin), daemon=True))
    for thread in threads:
        thread.start()
    rc = proc.wait()
    for thread in threads:
        thread.join()
    return rc


if __name__ == '__main__':
    sys.exit(main())
