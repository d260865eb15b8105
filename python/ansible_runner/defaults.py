"""Module-level defaults that applications and test suites patch."""

from __future__ import annotations

default_process_isolation_executable = 'podman'
registry_auth_prefix = 'ansible_runner_registry_'

# Minutes a `worker cleanup` leaves alone.
GRACE_PERIOD_DEFAULT = 60

# Prefix and parent of the private data dir made when the caller gives none
# (None: the system's temporary directory).
AUTO_CREATE_NAMING = '.ansible-runner-'
AUTO_CREATE_DIR: str | None = None
