"""Finds the native `ansible-runner` executable that runs every job.

The Python reference installs a script of the same name, so a candidate counts only when it is
an ELF executable; looking happens at first use, so importing the package never fails.
"""

from __future__ import annotations

import os
import sys
import sysconfig

ENV_VAR = 'ANSIBLE_RUNNER_BINARY'
NAME = 'ansible-runner'
_ELF_MAGIC = b'\x7fELF'

_found: str | None = None


class RunnerBinaryNotFound(ImportError):
    """The native executable is not installed where this package looks for it."""


def is_native(path: str) -> bool:
    """Whether `path` is an executable ELF file (not the reference's Python script)."""
    try:
        with open(path, 'rb') as handle:
            magic = handle.read(len(_ELF_MAGIC))
    except OSError:
        return False
    return magic == _ELF_MAGIC and os.access(path, os.X_OK)


def candidates() -> list[str]:
    """Every place looked at, in order: the wheel's scripts dir, the interpreter's dir, PATH."""
    dirs: list[str] = []
    scripts = sysconfig.get_path('scripts')
    if scripts:
        dirs.append(scripts)
    dirs.append(os.path.dirname(os.path.abspath(sys.executable)))
    dirs.extend(d for d in os.environ.get('PATH', '').split(os.pathsep) if d)
    seen: list[str] = []
    for directory in dirs:
        path = os.path.join(directory, NAME)
        if path not in seen:
            seen.append(path)
    return seen


def _not_found(looked: list[str]) -> RunnerBinaryNotFound:
    places = '\n  '.join(looked)
    return RunnerBinaryNotFound(
        f'the native {NAME} executable was not found; looked at:\n  {places}\n'
        f'Install the ansible-runner wheel with pip (it puts the executable next to the '
        f'interpreter), or set {ENV_VAR} to the executable\'s path.')


def find_binary() -> str:
    """The executable's path; RunnerBinaryNotFound (an ImportError) says where it looked."""
    global _found
    override = os.environ.get(ENV_VAR)
    if override:
        if is_native(override):
            return override
        raise _not_found([f'{override} (from {ENV_VAR}: not a native executable)'])
    if _found is not None and is_native(_found):
        return _found
    looked = candidates()
    for path in looked:
        if is_native(path):
            _found = path
            return path
    raise _not_found(looked)
