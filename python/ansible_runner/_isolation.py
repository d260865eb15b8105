"""The check an isolated job gets before it starts: its container engine must be installed.

Imported by `interface` (for `run()`) and `streaming` (for a worker's streamed job), and imports
nothing that imports them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import Any

from ansible_runner.utils import check_isolation_executable_installed


def check_isolation(kwargs: Mapping[str, Any],
                    installed: Callable[[str], bool] = check_isolation_executable_installed) -> None:
    """A job with `process_isolation` whose engine is not installed (as `installed` tells) ends
    the application with exit status 1 and a message on stdout, as it does with the reference.
    """
    if not kwargs.get('process_isolation', False):
        return
    executable = kwargs.get('process_isolation_executable') or 'podman'
    if not installed(executable):
        print(f'Unable to find process isolation executable: {executable}')
        sys.exit(1)
