"""The functions applications call: `run()`, `run_async()` and the command family."""

from __future__ import annotations

import logging
import sys
import threading
from typing import Any

import ansible_runner
from ansible_runner.config.runner import RunnerConfig
from ansible_runner.runner import Runner
from ansible_runner.utils import check_isolation_executable_installed, dump_artifacts

logging.getLogger('ansible-runner').addHandler(logging.NullHandler())

_CALLBACKS = ('event_handler', 'status_handler', 'artifacts_handler', 'cancel_callback',
              'finished_callback')
_NOT_YET = 'ansible_runner.{} is not provided by this package yet'


def _configure_logging(kwargs: dict[str, Any]) -> None:
    """Honour `debug` and `logfile` the way the reference does when `ignore_logging=False`."""
    debug = kwargs.pop('debug', None)
    logfile = kwargs.pop('logfile', None)
    if kwargs.pop('ignore_logging', True):
        return
    logger = logging.getLogger('ansible-runner')
    if debug is True:
        logger.setLevel(logging.DEBUG)
    if logfile:
        logger.addHandler(logging.FileHandler(logfile))


def _check_isolation(kwargs: dict[str, Any]) -> None:
    """A missing container engine ends the application, as it does with the reference."""
    if not kwargs.get('process_isolation', False):
        return
    executable = kwargs.get('process_isolation_executable') or 'podman'
    if not check_isolation_executable_installed(executable):
        print(f'Unable to find process isolation executable: {executable}')
        sys.exit(1)


def init_runner(**kwargs: Any) -> Runner:
    """Write the in-memory inputs, prepare the job in its runner child, return its Runner.

    The job waits, prepared, until `Runner.run()` starts it; `runner.config` already holds
    the real command line and environment.
    """
    _configure_logging(kwargs)
    if kwargs.pop('streamer', None):
        raise NotImplementedError('streamer modes are not provided by this package yet')
    kwargs.pop('_input', None)
    kwargs.pop('_output', None)
    callbacks = {name: kwargs.pop(name, None) for name in _CALLBACKS}
    dump_artifacts(kwargs)
    _check_isolation(kwargs)
    config = RunnerConfig(**kwargs)
    # With nothing in the application looking at events, the runner writes their files itself.
    config.runner_writes_events = callbacks['event_handler'] is None and not ansible_runner.plugins
    config.prepare()
    return Runner(config, **callbacks)


def run(**kwargs: Any) -> Runner:
    """Run a playbook, module or command job to its end and return its Runner."""
    runner = init_runner(**kwargs)
    runner.run()
    return runner


def run_async(**kwargs: Any) -> tuple[threading.Thread, Runner]:
    """Start a job on a thread of its own; return that thread and the job's Runner."""
    runner = init_runner(**kwargs)
    thread = threading.Thread(target=runner.run)
    thread.start()
    return thread, runner


def run_command(executable_cmd: str, cmdline_args: list[str] | None = None,
                **kwargs: Any) -> tuple[str, str, int]:
    """Run any command as a job; not provided yet."""
    raise NotImplementedError(_NOT_YET.format('run_command'))


def run_command_async(executable_cmd: str, cmdline_args: list[str] | None = None,
                      **kwargs: Any) -> tuple[threading.Thread, Runner]:
    """Start any command as a job; not provided yet."""
    raise NotImplementedError(_NOT_YET.format('run_command_async'))


def get_plugin_docs(plugin_names: list[str], plugin_type: str | None = None,
                    response_format: str | None = None, snippet: bool = False,
                    playbook_dir: str | None = None, module_path: str | None = None,
                    **kwargs: Any) -> tuple[Any, Any]:
    """Plugin documentation from ansible-doc; not provided yet."""
    raise NotImplementedError(_NOT_YET.format('get_plugin_docs'))


def get_plugin_docs_async(plugin_names: list[str], plugin_type: str | None = None,
                          response_format: str | None = None, snippet: bool = False,
                          playbook_dir: str | None = None, module_path: str | None = None,
                          **kwargs: Any) -> tuple[threading.Thread, Runner]:
    """Plugin documentation from ansible-doc, in the background; not provided yet."""
    raise NotImplementedError(_NOT_YET.format('get_plugin_docs_async'))


def get_plugin_list(list_files: bool | None = None, response_format: str | None = None,
                    plugin_type: str | None = None, playbook_dir: str | None = None,
                    module_path: str | None = None, **kwargs: Any) -> tuple[Any, Any]:
    """The installed plugins from ansible-doc; not provided yet."""
    raise NotImplementedError(_NOT_YET.format('get_plugin_list'))


def get_inventory(action: str, inventories: list[str], response_format: str | None = None,
                  host: str | None = None, playbook_dir: str | None = None,
                  vault_ids: str | None = None, vault_password_file: str | None = None,
                  output_file: str | None = None, export: bool | None = None,
                  **kwargs: Any) -> tuple[Any, Any]:
    """Inventory details from ansible-inventory; not provided yet."""
    raise NotImplementedError(_NOT_YET.format('get_inventory'))


def get_ansible_config(action: str, config_file: str | None = None,
                       only_changed: bool | None = None, **kwargs: Any) -> tuple[Any, Any]:
    """Configuration from ansible-config; not provided yet."""
    raise NotImplementedError(_NOT_YET.format('get_ansible_config'))


def get_role_list(collection: str | None = None, playbook_dir: str | None = None,
                  **kwargs: Any) -> tuple[Any, Any]:
    """Installed roles from ansible-doc; not provided yet."""
    raise NotImplementedError(_NOT_YET.format('get_role_list'))


def get_role_argspec(role: str, collection: str | None = None, playbook_dir: str | None = None,
                     **kwargs: Any) -> tuple[Any, Any]:
    """A role's argument spec from ansible-doc; not provided yet."""
    raise NotImplementedError(_NOT_YET.format('get_role_argspec'))
