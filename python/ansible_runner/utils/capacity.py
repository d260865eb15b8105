"""What an execution node offers: its CPUs, its memory and its lasting id (AWX asks for these)."""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

from ansible_runner.utils import write_private_file


def get_cpu_count() -> int:
    """The machine's CPU count."""
    return os.cpu_count() or 1


def get_mem_in_bytes() -> int | str:
    """Total memory from /proc/meminfo, or why it cannot be known."""
    try:
        text = Path('/proc/meminfo').read_text(encoding='ascii', errors='replace')
    except FileNotFoundError:
        return 'The /proc/meminfo file could not found, memory capacity undiscoverable.'
    found = re.search(r'^MemTotal:\s+(\d+)', text, re.M)
    if found is None:
        return 'The /proc/meminfo file has no MemTotal line, memory capacity undiscoverable.'
    return int(found.group(1)) * 1024


def _default_path() -> Path:
    return Path.home() / '.ansible_runner_uuid'


def ensure_uuid(uuid_file_path: Path | None = None, mode: int = 0o600) -> str:
    """The node's id from `uuid_file_path` (default `~/.ansible_runner_uuid`), made on first use."""
    path = uuid_file_path or _default_path()
    if path.exists():
        path.chmod(mode)
        return path.read_text().strip()
    return _set_uuid(path, mode)


def _set_uuid(uuid_file_path: Path | None = None, mode: int = 0o600) -> str:
    path = uuid_file_path or _default_path()
    made = str(uuid.uuid4())
    write_private_file(os.fspath(path), made)
    path.chmod(mode)
    return made
