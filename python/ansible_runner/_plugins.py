"""`ansible_runner.plugins`: the modules that installed packages register under the
`ansible_runner.plugins` entry-point group, by name. Each one's `event_handler(config, event)`
and `status_handler(config, status_data)` are called with those of every job.

This one dict is the package's `plugins` attribute and what every module calls, so an application
that adds or removes a plugin there (as the reference's applications do) changes what every job
calls. It imports nothing of the package, so any module can import it.
"""

from __future__ import annotations

import sys
from importlib import metadata
from typing import Any

_GROUP = 'ansible_runner.plugins'


def _load() -> dict[str, Any]:
    """What each entry point of the group loads (a module, as a rule), by the entry point's name."""
    if sys.version_info >= (3, 10):
        found = metadata.entry_points(group=_GROUP)
    else:  # Python 3.9: entry_points() takes no selection and returns a dict by group
        found = metadata.entry_points().get(_GROUP, [])
    return {entry_point.name: entry_point.load() for entry_point in found}


plugins: dict[str, Any] = _load()
