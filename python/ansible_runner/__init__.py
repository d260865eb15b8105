"""ansible-runner's Python API; every job runs in a child `ansible-runner api` process."""

from __future__ import annotations

from typing import Any

from ansible_runner.exceptions import AnsibleRunnerException, CallbackError, ConfigurationError
from ansible_runner.interface import (
    get_ansible_config,
    get_inventory,
    get_plugin_docs,
    get_plugin_docs_async,
    get_plugin_list,
    get_role_argspec,
    get_role_list,
    run,
    run_async,
    run_command,
    run_command_async,
)
from ansible_runner.runner import Runner
from ansible_runner.runner_config import RunnerConfig
from ansible_runner.utils.importlib_compat import importlib_metadata


def _load_plugins() -> dict[str, Any]:
    """Modules registered under the `ansible_runner.plugins` entry-point group, by name."""
    try:
        found = importlib_metadata.entry_points(group='ansible_runner.plugins')
    except TypeError:  # Python 3.9: entry_points() takes no selection
        found = importlib_metadata.entry_points().get('ansible_runner.plugins', [])
    return {entry_point.name: entry_point.load() for entry_point in found}


def _version() -> str:
    try:
        return importlib_metadata.version('ansible-runner')
    except importlib_metadata.PackageNotFoundError:
        return '0+unknown'


plugins: dict[str, Any] = _load_plugins()
__version__ = _version()

__all__ = [
    'AnsibleRunnerException',
    'CallbackError',
    'ConfigurationError',
    'Runner',
    'RunnerConfig',
    '__version__',
    'get_ansible_config',
    'get_inventory',
    'get_plugin_docs',
    'get_plugin_docs_async',
    'get_plugin_list',
    'get_role_argspec',
    'get_role_list',
    'plugins',
    'run',
    'run_async',
    'run_command',
    'run_command_async',
]
