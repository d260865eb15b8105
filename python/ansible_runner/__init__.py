"""ansible-runner's Python API; every job runs in a child `ansible-runner api` process."""

from __future__ import annotations

from ansible_runner._plugins import plugins
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


def _version() -> str:
    try:
        return importlib_metadata.version('ansible-runner')
    except importlib_metadata.PackageNotFoundError:
        return '0+unknown'


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
