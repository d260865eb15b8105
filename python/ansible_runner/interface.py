"""The functions applications call: `run()`, `run_async()` and the command family."""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Mapping
from typing import Any

from ansible_runner._isolation import check_isolation
from ansible_runner._plugins import plugins
from ansible_runner.config._command import CommandJobConfig
from ansible_runner.config.ansible_cfg import AnsibleCfgConfig
from ansible_runner.config.command import CommandConfig
from ansible_runner.config.doc import DocConfig
from ansible_runner.config.inventory import InventoryConfig
from ansible_runner.config.runner import RunnerConfig
from ansible_runner.runner import Runner
from ansible_runner.streaming import Processor, Transmitter, Worker
from ansible_runner.utils import (
    check_isolation_executable_installed,
    dump_artifacts,
    sanitize_json_response,
)

logging.getLogger('ansible-runner').addHandler(logging.NullHandler())

_CALLBACKS = ('event_handler', 'status_handler', 'artifacts_handler', 'cancel_callback',
              'finished_callback')


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


def _check_isolation(kwargs: Mapping[str, Any]) -> None:
    # This module's name for the check, looked up at each call: patching
    # `interface.check_isolation_executable_installed` (as the reference's tests do) takes effect.
    check_isolation(kwargs, check_isolation_executable_installed)


def init_runner(**kwargs: Any) -> Any:
    """Write the in-memory inputs, prepare the job in its runner child, return its Runner.

    The job waits, prepared, until `Runner.run()` starts it; `runner.config` already holds
    the real command line and environment.
    """
    _configure_logging(kwargs)
    streamer = kwargs.pop('streamer', None)
    if streamer:
        return _streamer(streamer, kwargs)
    kwargs.pop('_input', None)
    kwargs.pop('_output', None)
    callbacks = {name: kwargs.pop(name, None) for name in _CALLBACKS}
    dump_artifacts(kwargs)
    _check_isolation(kwargs)
    config = RunnerConfig(**kwargs)
    # With nothing in the application looking at events, the runner writes their files itself.
    config.runner_writes_events = callbacks['event_handler'] is None and not plugins
    config.prepare()
    return Runner(config, **callbacks)


def _relative_to(path: Any, base: str) -> Any:
    if isinstance(path, str) and os.path.isabs(path) and path.startswith(base):
        return os.path.relpath(path, base)
    return path


def _streamer(streamer: str, kwargs: dict[str, Any]) -> Any:
    """The Transmitter, Worker or Processor of a `streamer=` run, as the reference builds it."""
    if streamer not in ('worker', 'process'):
        dump_artifacts(kwargs)
    pdd = kwargs.get('private_data_dir')
    if pdd:
        # Paths the dump made absolute travel relative to the private data dir.
        kwargs['playbook'] = _relative_to(kwargs.get('playbook'), os.path.join(pdd, 'project'))
        kwargs['inventory'] = _relative_to(kwargs.get('inventory'), pdd)
        roles_path = (kwargs.get('envvars') or {}).get('ANSIBLE_ROLES_PATH')
        if roles_path:
            kwargs['envvars']['ANSIBLE_ROLES_PATH'] = _relative_to(roles_path, pdd)
    for key in ('playbook', 'inventory'):
        if kwargs.get(key) is None:
            kwargs.pop(key, None)
    callbacks = _callbacks(kwargs)
    if streamer == 'transmit':
        kwargs.pop('_input', None)
        return Transmitter(**kwargs)
    if streamer == 'worker':
        return Worker(**kwargs)
    if streamer == 'process':
        kwargs.pop('_output', None)
        return Processor(**callbacks, **kwargs)
    raise ValueError(f'unknown streamer {streamer!r}: it is one of transmit, worker, process')


def run(**kwargs: Any) -> Any:
    """Run a playbook, module or command job to its end and return its Runner."""
    runner = init_runner(**kwargs)
    runner.run()
    return runner


def run_async(**kwargs: Any) -> tuple[threading.Thread, Any]:
    """Start a job on a thread of its own; return that thread and the job's Runner."""
    runner = init_runner(**kwargs)
    thread = threading.Thread(target=runner.run)
    thread.start()
    return thread, runner


def _callbacks(kwargs: dict[str, Any]) -> dict[str, Any]:
    """The callback keywords, taken out of `kwargs`."""
    return {name: kwargs.pop(name, None) for name in _CALLBACKS}


def _command_runner(config: CommandJobConfig, callbacks: dict[str, Any],
                    prepare: Callable[[], None]) -> Runner:
    """Prepare a command job with `prepare` and return its Runner."""
    config.runner_writes_events = callbacks['event_handler'] is None and not plugins
    prepare()
    return Runner(config, **callbacks)


def _start(runner: Runner) -> threading.Thread:
    thread = threading.Thread(target=runner.run)
    thread.start()
    return thread


def _results(runner: Runner) -> tuple[str, str]:
    """Run the job; its stdout and stderr artifacts as text."""
    runner.run()
    with runner.stdout as stdout, runner.stderr as stderr:
        return stdout.read(), stderr.read()


def _json(response: str) -> Any:
    return json.loads(sanitize_json_response(response))


def init_command_config(executable_cmd: str, cmdline_args: list[str] | None = None,
                        **kwargs: Any) -> Runner:
    """The Runner of a prepared `run_command()` job."""
    _configure_logging(kwargs)
    callbacks = _callbacks(kwargs)
    config = CommandConfig(**kwargs)
    return _command_runner(config, callbacks,
                           lambda: config.prepare_run_command(executable_cmd, cmdline_args))


def run_command(executable_cmd: str, cmdline_args: list[str] | None = None,
                **kwargs: Any) -> tuple[str, str, int | None]:
    """Run any command as a job; its stdout, stderr (empty in `pexpect` mode) and rc."""
    runner = init_command_config(executable_cmd, cmdline_args=cmdline_args, **kwargs)
    response, error = _results(runner)
    return response, error, runner.rc


def run_command_async(executable_cmd: str, cmdline_args: list[str] | None = None,
                      **kwargs: Any) -> tuple[threading.Thread, Runner]:
    """Start any command as a job on a thread of its own; that thread and the job's Runner."""
    runner = init_command_config(executable_cmd, cmdline_args=cmdline_args, **kwargs)
    return _start(runner), runner


def init_plugin_docs_config(plugin_names: list[str], plugin_type: str | None = None,
                            response_format: str | None = None, snippet: bool = False,
                            playbook_dir: str | None = None, module_path: str | None = None,
                            **kwargs: Any) -> Runner:
    """The Runner of a prepared `ansible-doc` job for `plugin_names`."""
    callbacks = _callbacks(kwargs)
    config = DocConfig(**kwargs)
    return _command_runner(config, callbacks, lambda: config.prepare_plugin_docs_command(
        plugin_names, plugin_type=plugin_type, response_format=response_format, snippet=snippet,
        playbook_dir=playbook_dir, module_path=module_path))


def get_plugin_docs(plugin_names: list[str], plugin_type: str | None = None,
                    response_format: str | None = None, snippet: bool = False,
                    playbook_dir: str | None = None, module_path: str | None = None,
                    **kwargs: Any) -> tuple[Any, str]:
    """Plugin documentation from `ansible-doc`: (response, error); JSON parsed when asked."""
    runner = init_plugin_docs_config(plugin_names, plugin_type=plugin_type,
                                     response_format=response_format, snippet=snippet,
                                     playbook_dir=playbook_dir, module_path=module_path, **kwargs)
    response, error = _results(runner)
    if response and response_format == 'json':
        return _json(response), error
    return response, error


def get_plugin_docs_async(plugin_names: list[str], plugin_type: str | None = None,
                          response_format: str | None = None, snippet: bool = False,
                          playbook_dir: str | None = None, module_path: str | None = None,
                          **kwargs: Any) -> tuple[threading.Thread, Runner]:
    """`get_plugin_docs()` on a thread of its own; that thread and the job's Runner."""
    runner = init_plugin_docs_config(plugin_names, plugin_type=plugin_type,
                                     response_format=response_format, snippet=snippet,
                                     playbook_dir=playbook_dir, module_path=module_path, **kwargs)
    return _start(runner), runner


def get_plugin_list(list_files: bool | None = None, response_format: str | None = None,
                    plugin_type: str | None = None, playbook_dir: str | None = None,
                    module_path: str | None = None, **kwargs: Any) -> tuple[Any, str]:
    """The installed plugins from `ansible-doc -l` (or `-F`): (response, error)."""
    callbacks = _callbacks(kwargs)
    config = DocConfig(**kwargs)
    runner = _command_runner(config, callbacks, lambda: config.prepare_plugin_list_command(
        list_files=list_files, response_format=response_format, plugin_type=plugin_type,
        playbook_dir=playbook_dir, module_path=module_path))
    response, error = _results(runner)
    if response and response_format == 'json':
        return _json(response), error
    return response, error


def get_inventory(action: str, inventories: list[str], response_format: str | None = None,
                  host: str | None = None, playbook_dir: str | None = None,
                  vault_ids: str | None = None, vault_password_file: str | None = None,
                  output_file: str | None = None, export: bool | None = None,
                  **kwargs: Any) -> tuple[Any, str]:
    """Inventory details from `ansible-inventory`: (response, error)."""
    callbacks = _callbacks(kwargs)
    config = InventoryConfig(**kwargs)
    runner = _command_runner(config, callbacks, lambda: config.prepare_inventory_command(
        action=action, inventories=inventories, response_format=response_format, host=host,
        playbook_dir=playbook_dir, vault_ids=vault_ids, vault_password_file=vault_password_file,
        output_file=output_file, export=export))
    response, error = _results(runner)
    if response and response_format == 'json':
        return _json(response), error
    return response, error


def get_ansible_config(action: str, config_file: str | None = None,
                       only_changed: bool | None = None, **kwargs: Any) -> tuple[str, str]:
    """Configuration from `ansible-config`: (response, error), both text."""
    callbacks = _callbacks(kwargs)
    config = AnsibleCfgConfig(**kwargs)
    runner = _command_runner(config, callbacks, lambda: config.prepare_ansible_config_command(
        action=action, config_file=config_file, only_changed=only_changed))
    return _results(runner)


def get_role_list(collection: str | None = None, playbook_dir: str | None = None,
                  **kwargs: Any) -> tuple[Any, str]:
    """Roles with an argument spec, from `ansible-doc -t role -l -j`: (dict, error)."""
    callbacks = _callbacks(kwargs)
    config = DocConfig(**kwargs)
    runner = _command_runner(config, callbacks,
                             lambda: config.prepare_role_list_command(collection, playbook_dir))
    response, error = _results(runner)
    return (_json(response) if response else response), error


def get_role_argspec(role: str, collection: str | None = None, playbook_dir: str | None = None,
                     **kwargs: Any) -> tuple[Any, str]:
    """A role's argument spec, from `ansible-doc -t role -j`: (dict, error)."""
    callbacks = _callbacks(kwargs)
    config = DocConfig(**kwargs)
    runner = _command_runner(config, callbacks, lambda: config.prepare_role_argspec_command(
        role, collection, playbook_dir))
    response, error = _results(runner)
    return (_json(response) if response else response), error
