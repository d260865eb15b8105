"""`ansible-runner` called in-process: `main(argv)` runs the runner binary with `argv`, its output
going through `sys.stdout` and `sys.stderr` (so a caller that replaced them sees it), and ends as
the Python tool's `main` does: a job's rc is returned; a command line that cannot be parsed, a
help or version request, and the tool's own argument checks raise `SystemExit`.
"""

from __future__ import annotations

import codecs
import errno
import os
import re
import subprocess
import sys
import threading
from typing import IO, Any

from ansible_runner import _binary

# What the runner says, bare, when it refuses arguments the way the Python tool's parser.exit(1) does.
_ARGUMENT_CHECKS = (
    'The --hosts option can only be used with -m or -r',
    'The -p option must be specified when not using -m or -r',
    'Value for --inventory does not appear to be a valid path.',
)


# How the runner says it could not make the private data dir, where the Python tool's os.makedirs
# raises: the dir is a file, or the OS refused (its errno ends the message).
_NOT_A_DIR = re.compile(
    r'^ansible-runner: private data dir (?P<path>.+) exists and is not a directory$', re.M)
_CANNOT_CREATE = re.compile(
    r'^ansible-runner: cannot create private data dir (?P<path>.+): .+ \(os error (?P<errno>\d+)\)$', re.M)


def _fileno(stream: Any) -> int | None:
    try:
        return int(stream.fileno())
    except (AttributeError, OSError, ValueError):
        return None


def _relay(source: Any, target: Any, kept: list[bytes] | None) -> None:
    """Copies the runner's output to `target` as it comes: bytes to its buffer when it has one,
    else text. `kept` collects the first 64 KiB, to read the runner's error from.
    """
    buffer = getattr(target, 'buffer', None)
    decoder = codecs.getincrementaldecoder('utf-8')(errors='replace')
    while chunk := source.read1(65536):
        if kept is not None and sum(map(len, kept)) < 65536:
            kept.append(chunk)
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


def _ends_in_exit(args: list[str], rc: int, stderr: str) -> bool:
    """Whether the Python tool would have raised SystemExit here rather than returned `rc`."""
    if rc == 0:
        return any(arg in ('-h', '--help', '--version') for arg in args)
    if rc == 2:
        return 'usage: ansible-runner' in stderr
    return rc == 1 and stderr.strip() in _ARGUMENT_CHECKS


def _private_dir_error(rc: int, stderr: str) -> OSError | None:
    """The OSError the Python tool raises when the private data dir cannot be made (a caller may
    catch it), from the runner's report of the same failure.
    """
    if rc != 1:
        return None
    if found := _NOT_A_DIR.search(stderr):
        return OSError(errno.EEXIST, os.strerror(errno.EEXIST), found['path'])
    if found := _CANNOT_CREATE.search(stderr):
        code = int(found['errno'])
        return OSError(code, os.strerror(code), found['path'])
    return None


def main(sys_args: list[str] | None = None) -> int:
    """Runs `ansible-runner` with `sys_args` (default: this process's arguments)."""
    args = list(sys.argv[1:] if sys_args is None else sys_args)
    stdin_fd = _fileno(sys.stdin)
    stdout_fd = _fileno(sys.stdout) if sys.stdout is sys.__stdout__ else None
    with subprocess.Popen(
        [_binary.find_binary(), *args],
        stdin=stdin_fd if stdin_fd is not None else subprocess.PIPE,
        stdout=stdout_fd if stdout_fd is not None else subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as proc:
        kept: list[bytes] = []
        threads = [threading.Thread(target=_relay, args=(proc.stderr, sys.stderr, kept), daemon=True)]
        if proc.stdout is not None:
            threads.append(threading.Thread(target=_relay, args=(proc.stdout, sys.stdout, None), daemon=True))
        if proc.stdin is not None:
            threads.append(threading.Thread(target=_feed, args=(sys.stdin, proc.stdin), daemon=True))
        for thread in threads:
            thread.start()
        rc = proc.wait()
        for thread in threads:
            thread.join()
    stderr = b''.join(kept).decode('utf-8', errors='replace')
    if error := _private_dir_error(rc, stderr):
        raise error
    if _ends_in_exit(args, rc, stderr):
        raise SystemExit(rc)
    return rc


if __name__ == '__main__':
    sys.exit(main())
