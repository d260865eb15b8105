"""The functions applications call: `run()`, `run_async()` and the command family.

Every keyword is a named parameter, with the reference's default. The keywords of a call travel on
as the reference's `**kwargs` did: those the caller left at their default are left out, so that
`not given` and `given its default` do the same everywhere; the few whose mere presence means
something (`role`, `role_vars`) default to a marker that is never passed on.
"""

from __future__ import annotations

import inspect
import json
import logging
import os
import threading
from collections.abc import Callable, Mapping
from typing import IO, Any, Literal, overload

from ansible_runner._docs import ANY_COMMAND, COMMAND, COMMON, RUN, params
from ansible_runner._isolation import check_isolation
from ansible_runner._plugins import plugins
from ansible_runner._types import (
    ArtifactsHandler,
    CancelCallback,
    EventHandler,
    FileDescriptorLike,
    StatusHandler,
    StrPath,
)
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


class _Unset:
    """The default of a keyword whose presence alone means something: it is never passed on."""

    def __repr__(self) -> str:
        return '<not given>'


# Typed as Any so that it can stand as the default of a parameter of any type.
_UNSET: Any = _Unset()


def _is_default(value: object, default: object) -> bool:
    if value is _UNSET or value is default:
        return True
    return type(value) is type(default) and value == default


# The keyword-only parameters of each public function, with their defaults, read from its
# signature once all are defined (at call time, the function's name might be an application's
# wrapper of it).
_KEYWORD_DEFAULTS: dict[str, dict[str, object]] = {}


def _keywords(values: Mapping[str, Any], function: str) -> dict[str, Any]:
    """The keyword-only arguments of a call of `function`, from its `locals()`, as the `**kwargs`
    of the reference's function would hold them: without those the caller left at their default.
    """
    return {name: values[name] for name, default in _KEYWORD_DEFAULTS[function].items()
            if not _is_default(values[name], default)}


def _record_keyword_defaults(*functions: Callable[..., object]) -> None:
    for function in functions:
        parameters = inspect.signature(function).parameters.values()
        _KEYWORD_DEFAULTS[function.__name__] = {
            p.name: p.default for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY}


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


def init_runner(**kwargs: Any) -> Runner | Transmitter | Worker | Processor:
    """Write the in-memory inputs, prepare the job in its runner child, return its Runner.

    Takes the keywords of `run()`. The job waits, prepared, until `Runner.run()` starts it;
    `runner.config` already holds the real command line and environment. With `streamer`, the
    Transmitter, Worker or Processor of that step is returned instead.
    """
    _configure_logging(kwargs)
    streamer = kwargs.pop('streamer', None)
    if streamer:
        return _streamer(streamer, kwargs)
    kwargs.pop('_input', None)
    kwargs.pop('_output', None)
    callbacks = _callbacks(kwargs)
    dump_artifacts(kwargs)
    _check_isolation(kwargs)
    config = RunnerConfig(**kwargs)
    # With nothing in the application looking at events, the runner writes their files itself.
    config.runner_writes_events = callbacks['event_handler'] is None and not plugins
    config.prepare()
    return Runner(config, **callbacks)


def _relative_to(path: object, base: str) -> object:
    if isinstance(path, str) and os.path.isabs(path) and path.startswith(base):
        return os.path.relpath(path, base)
    return path


def _streamer(streamer: str, kwargs: dict[str, Any]) -> Transmitter | Worker | Processor:
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


@overload
def run(
        *, private_data_dir: StrPath | None = ..., ident: str | None = ...,
        artifact_dir: StrPath | None = ..., project_dir: StrPath | None = ...,
        playbook: str | list[dict[str, Any]] | dict[str, Any] | None = ..., module: str | None = ...,
        module_args: str | None = ..., host_pattern: str | None = ..., binary: str | None = ...,
        role: str = ..., role_vars: dict[str, Any] = ..., role_skip_facts: bool = ..., hosts: str = ...,
        roles_path: StrPath | list[StrPath] | None = ...,
        inventory: StrPath | list[str] | dict[str, Any] | None = ..., limit: str | None = ...,
        forks: int | str | None = ..., verbosity: int | None = ..., tags: str | None = ...,
        skip_tags: str | None = ..., extravars: dict[str, Any] | None = ..., cmdline: str | None = ...,
        envvars: dict[str, Any] | None = ..., passwords: dict[str, str] | None = ...,
        settings: dict[str, Any] | None = ..., ssh_key: str | None = ..., suppress_env_files: bool = ...,
        timeout: float | None = ..., host_cwd: StrPath | None = ..., quiet: bool = ...,
        json_mode: bool = ..., suppress_output_file: bool = ..., suppress_ansible_output: bool = ...,
        omit_event_data: bool = ..., only_failed_event_data: bool = ..., check_job_event_data: bool = ...,
        rotate_artifacts: int = ..., fact_cache: str | None = ..., fact_cache_type: str = ...,
        process_isolation: bool = ..., process_isolation_executable: str | None = ...,
        process_isolation_path: str | None = ..., process_isolation_hide_paths: str | list[str] | None = ...,
        process_isolation_show_paths: str | list[str] | None = ...,
        process_isolation_ro_paths: str | list[str] | None = ...,
        directory_isolation_base_path: str | None = ..., container_image: str = ...,
        container_volume_mounts: list[str] | None = ..., container_options: list[str] | None = ...,
        container_workdir: str | None = ..., container_auth_data: dict[str, str] | None = ...,
        keepalive_seconds: float | None = ..., streamer: None = ..., _input: IO[bytes] | None = ...,
        _output: IO[bytes] | None = ..., only_transmit_kwargs: bool = ...,
        event_handler: EventHandler | None = ..., status_handler: StatusHandler | None = ...,
        artifacts_handler: ArtifactsHandler | None = ..., cancel_callback: CancelCallback | None = ...,
        finished_callback: Callable[[Runner], object] | None = ..., debug: bool | None = ...,
        logfile: str | None = ..., ignore_logging: bool = ...,
) -> Runner: ...


@overload
def run(
        *, private_data_dir: StrPath | None = ..., ident: str | None = ...,
        artifact_dir: StrPath | None = ..., project_dir: StrPath | None = ...,
        playbook: str | list[dict[str, Any]] | dict[str, Any] | None = ..., module: str | None = ...,
        module_args: str | None = ..., host_pattern: str | None = ..., binary: str | None = ...,
        role: str = ..., role_vars: dict[str, Any] = ..., role_skip_facts: bool = ..., hosts: str = ...,
        roles_path: StrPath | list[StrPath] | None = ...,
        inventory: StrPath | list[str] | dict[str, Any] | None = ..., limit: str | None = ...,
        forks: int | str | None = ..., verbosity: int | None = ..., tags: str | None = ...,
        skip_tags: str | None = ..., extravars: dict[str, Any] | None = ..., cmdline: str | None = ...,
        envvars: dict[str, Any] | None = ..., passwords: dict[str, str] | None = ...,
        settings: dict[str, Any] | None = ..., ssh_key: str | None = ..., suppress_env_files: bool = ...,
        timeout: float | None = ..., host_cwd: StrPath | None = ..., quiet: bool = ...,
        json_mode: bool = ..., suppress_output_file: bool = ..., suppress_ansible_output: bool = ...,
        omit_event_data: bool = ..., only_failed_event_data: bool = ..., check_job_event_data: bool = ...,
        rotate_artifacts: int = ..., fact_cache: str | None = ..., fact_cache_type: str = ...,
        process_isolation: bool = ..., process_isolation_executable: str | None = ...,
        process_isolation_path: str | None = ..., process_isolation_hide_paths: str | list[str] | None = ...,
        process_isolation_show_paths: str | list[str] | None = ...,
        process_isolation_ro_paths: str | list[str] | None = ...,
        directory_isolation_base_path: str | None = ..., container_image: str = ...,
        container_volume_mounts: list[str] | None = ..., container_options: list[str] | None = ...,
        container_workdir: str | None = ..., container_auth_data: dict[str, str] | None = ...,
        keepalive_seconds: float | None = ..., streamer: Literal['transmit', 'worker', 'process'],
        _input: IO[bytes] | None = ..., _output: IO[bytes] | None = ..., only_transmit_kwargs: bool = ...,
        event_handler: EventHandler | None = ..., status_handler: StatusHandler | None = ...,
        artifacts_handler: ArtifactsHandler | None = ..., cancel_callback: CancelCallback | None = ...,
        finished_callback: Callable[[Processor], object] | None = ..., debug: bool | None = ...,
        logfile: str | None = ..., ignore_logging: bool = ...,
) -> Transmitter | Worker | Processor: ...


@params(RUN, COMMON)
def run(
        *, private_data_dir: StrPath | None = None, ident: str | None = None,
        artifact_dir: StrPath | None = None, project_dir: StrPath | None = None,
        playbook: str | list[dict[str, Any]] | dict[str, Any] | None = None, module: str | None = None,
        module_args: str | None = None, host_pattern: str | None = None, binary: str | None = None,
        role: str = _UNSET, role_vars: dict[str, Any] = _UNSET, role_skip_facts: bool = False,
        hosts: str = 'all', roles_path: StrPath | list[StrPath] | None = None,
        inventory: StrPath | list[str] | dict[str, Any] | None = None, limit: str | None = None,
        forks: int | str | None = None, verbosity: int | None = None, tags: str | None = None,
        skip_tags: str | None = None, extravars: dict[str, Any] | None = None, cmdline: str | None = None,
        envvars: dict[str, Any] | None = None, passwords: dict[str, str] | None = None,
        settings: dict[str, Any] | None = None, ssh_key: str | None = None, suppress_env_files: bool = False,
        timeout: float | None = None, host_cwd: StrPath | None = None, quiet: bool = False,
        json_mode: bool = False, suppress_output_file: bool = False, suppress_ansible_output: bool = False,
        omit_event_data: bool = False, only_failed_event_data: bool = False,
        check_job_event_data: bool = False, rotate_artifacts: int = 0, fact_cache: str | None = None,
        fact_cache_type: str = 'jsonfile', process_isolation: bool = False,
        process_isolation_executable: str | None = None, process_isolation_path: str | None = None,
        process_isolation_hide_paths: str | list[str] | None = None,
        process_isolation_show_paths: str | list[str] | None = None,
        process_isolation_ro_paths: str | list[str] | None = None,
        directory_isolation_base_path: str | None = None, container_image: str = '',
        container_volume_mounts: list[str] | None = None, container_options: list[str] | None = None,
        container_workdir: str | None = None, container_auth_data: dict[str, str] | None = None,
        keepalive_seconds: float | None = None, streamer: str | None = None, _input: IO[bytes] | None = None,
        _output: IO[bytes] | None = None, only_transmit_kwargs: bool = False,
        event_handler: EventHandler | None = None, status_handler: StatusHandler | None = None,
        artifacts_handler: ArtifactsHandler | None = None, cancel_callback: CancelCallback | None = None,
        finished_callback: Callable[[Runner], object] | Callable[[Processor], object] | None = None,
        debug: bool | None = None, logfile: str | None = None, ignore_logging: bool = True,
) -> Runner | Transmitter | Worker | Processor:
    """Run a playbook, role, ad-hoc module or other program as a job, to its end; its Runner.

    The job runs in an `ansible-runner api` child process; the callbacks run on the calling thread.
    The inputs given in memory are written where the reference writes them: plays to
    `project/main.json`, an inventory dict or INI text under `inventory/`, and `envvars`,
    `extravars`, `passwords`, `settings` and `ssh_key` to `env/` (unless `suppress_env_files`).

    :returns: The job's Runner, once the job has ended and every callback has run; with `streamer`,
        the Transmitter, Worker or Processor of that step, once it has run.
    """
    runner = init_runner(**_keywords(locals(), 'run'))
    runner.run()
    return runner


@overload
def run_async(
        *, private_data_dir: StrPath | None = ..., ident: str | None = ...,
        artifact_dir: StrPath | None = ..., project_dir: StrPath | None = ...,
        playbook: str | list[dict[str, Any]] | dict[str, Any] | None = ..., module: str | None = ...,
        module_args: str | None = ..., host_pattern: str | None = ..., binary: str | None = ...,
        role: str = ..., role_vars: dict[str, Any] = ..., role_skip_facts: bool = ..., hosts: str = ...,
        roles_path: StrPath | list[StrPath] | None = ...,
        inventory: StrPath | list[str] | dict[str, Any] | None = ..., limit: str | None = ...,
        forks: int | str | None = ..., verbosity: int | None = ..., tags: str | None = ...,
        skip_tags: str | None = ..., extravars: dict[str, Any] | None = ..., cmdline: str | None = ...,
        envvars: dict[str, Any] | None = ..., passwords: dict[str, str] | None = ...,
        settings: dict[str, Any] | None = ..., ssh_key: str | None = ..., suppress_env_files: bool = ...,
        timeout: float | None = ..., host_cwd: StrPath | None = ..., quiet: bool = ...,
        json_mode: bool = ..., suppress_output_file: bool = ..., suppress_ansible_output: bool = ...,
        omit_event_data: bool = ..., only_failed_event_data: bool = ..., check_job_event_data: bool = ...,
        rotate_artifacts: int = ..., fact_cache: str | None = ..., fact_cache_type: str = ...,
        process_isolation: bool = ..., process_isolation_executable: str | None = ...,
        process_isolation_path: str | None = ..., process_isolation_hide_paths: str | list[str] | None = ...,
        process_isolation_show_paths: str | list[str] | None = ...,
        process_isolation_ro_paths: str | list[str] | None = ...,
        directory_isolation_base_path: str | None = ..., container_image: str = ...,
        container_volume_mounts: list[str] | None = ..., container_options: list[str] | None = ...,
        container_workdir: str | None = ..., container_auth_data: dict[str, str] | None = ...,
        keepalive_seconds: float | None = ..., streamer: None = ..., _input: IO[bytes] | None = ...,
        _output: IO[bytes] | None = ..., only_transmit_kwargs: bool = ...,
        event_handler: EventHandler | None = ..., status_handler: StatusHandler | None = ...,
        artifacts_handler: ArtifactsHandler | None = ..., cancel_callback: CancelCallback | None = ...,
        finished_callback: Callable[[Runner], object] | None = ..., debug: bool | None = ...,
        logfile: str | None = ..., ignore_logging: bool = ...,
) -> tuple[threading.Thread, Runner]: ...


@overload
def run_async(
        *, private_data_dir: StrPath | None = ..., ident: str | None = ...,
        artifact_dir: StrPath | None = ..., project_dir: StrPath | None = ...,
        playbook: str | list[dict[str, Any]] | dict[str, Any] | None = ..., module: str | None = ...,
        module_args: str | None = ..., host_pattern: str | None = ..., binary: str | None = ...,
        role: str = ..., role_vars: dict[str, Any] = ..., role_skip_facts: bool = ..., hosts: str = ...,
        roles_path: StrPath | list[StrPath] | None = ...,
        inventory: StrPath | list[str] | dict[str, Any] | None = ..., limit: str | None = ...,
        forks: int | str | None = ..., verbosity: int | None = ..., tags: str | None = ...,
        skip_tags: str | None = ..., extravars: dict[str, Any] | None = ..., cmdline: str | None = ...,
        envvars: dict[str, Any] | None = ..., passwords: dict[str, str] | None = ...,
        settings: dict[str, Any] | None = ..., ssh_key: str | None = ..., suppress_env_files: bool = ...,
        timeout: float | None = ..., host_cwd: StrPath | None = ..., quiet: bool = ...,
        json_mode: bool = ..., suppress_output_file: bool = ..., suppress_ansible_output: bool = ...,
        omit_event_data: bool = ..., only_failed_event_data: bool = ..., check_job_event_data: bool = ...,
        rotate_artifacts: int = ..., fact_cache: str | None = ..., fact_cache_type: str = ...,
        process_isolation: bool = ..., process_isolation_executable: str | None = ...,
        process_isolation_path: str | None = ..., process_isolation_hide_paths: str | list[str] | None = ...,
        process_isolation_show_paths: str | list[str] | None = ...,
        process_isolation_ro_paths: str | list[str] | None = ...,
        directory_isolation_base_path: str | None = ..., container_image: str = ...,
        container_volume_mounts: list[str] | None = ..., container_options: list[str] | None = ...,
        container_workdir: str | None = ..., container_auth_data: dict[str, str] | None = ...,
        keepalive_seconds: float | None = ..., streamer: Literal['transmit', 'worker', 'process'],
        _input: IO[bytes] | None = ..., _output: IO[bytes] | None = ..., only_transmit_kwargs: bool = ...,
        event_handler: EventHandler | None = ..., status_handler: StatusHandler | None = ...,
        artifacts_handler: ArtifactsHandler | None = ..., cancel_callback: CancelCallback | None = ...,
        finished_callback: Callable[[Processor], object] | None = ..., debug: bool | None = ...,
        logfile: str | None = ..., ignore_logging: bool = ...,
) -> tuple[threading.Thread, Transmitter | Worker | Processor]: ...


@params(RUN, COMMON)
def run_async(
        *, private_data_dir: StrPath | None = None, ident: str | None = None,
        artifact_dir: StrPath | None = None, project_dir: StrPath | None = None,
        playbook: str | list[dict[str, Any]] | dict[str, Any] | None = None, module: str | None = None,
        module_args: str | None = None, host_pattern: str | None = None, binary: str | None = None,
        role: str = _UNSET, role_vars: dict[str, Any] = _UNSET, role_skip_facts: bool = False,
        hosts: str = 'all', roles_path: StrPath | list[StrPath] | None = None,
        inventory: StrPath | list[str] | dict[str, Any] | None = None, limit: str | None = None,
        forks: int | str | None = None, verbosity: int | None = None, tags: str | None = None,
        skip_tags: str | None = None, extravars: dict[str, Any] | None = None, cmdline: str | None = None,
        envvars: dict[str, Any] | None = None, passwords: dict[str, str] | None = None,
        settings: dict[str, Any] | None = None, ssh_key: str | None = None, suppress_env_files: bool = False,
        timeout: float | None = None, host_cwd: StrPath | None = None, quiet: bool = False,
        json_mode: bool = False, suppress_output_file: bool = False, suppress_ansible_output: bool = False,
        omit_event_data: bool = False, only_failed_event_data: bool = False,
        check_job_event_data: bool = False, rotate_artifacts: int = 0, fact_cache: str | None = None,
        fact_cache_type: str = 'jsonfile', process_isolation: bool = False,
        process_isolation_executable: str | None = None, process_isolation_path: str | None = None,
        process_isolation_hide_paths: str | list[str] | None = None,
        process_isolation_show_paths: str | list[str] | None = None,
        process_isolation_ro_paths: str | list[str] | None = None,
        directory_isolation_base_path: str | None = None, container_image: str = '',
        container_volume_mounts: list[str] | None = None, container_options: list[str] | None = None,
        container_workdir: str | None = None, container_auth_data: dict[str, str] | None = None,
        keepalive_seconds: float | None = None, streamer: str | None = None, _input: IO[bytes] | None = None,
        _output: IO[bytes] | None = None, only_transmit_kwargs: bool = False,
        event_handler: EventHandler | None = None, status_handler: StatusHandler | None = None,
        artifacts_handler: ArtifactsHandler | None = None, cancel_callback: CancelCallback | None = None,
        finished_callback: Callable[[Runner], object] | Callable[[Processor], object] | None = None,
        debug: bool | None = None, logfile: str | None = None, ignore_logging: bool = True,
) -> tuple[threading.Thread, Runner | Transmitter | Worker | Processor]:
    """Start a job as `run()` does, on a thread of its own; that thread and the job's Runner.

    The job is prepared before this returns (`runner.config` holds its command line and
    environment); the thread runs it and calls the callbacks. Join the thread to wait for its end.

    :returns: The started thread and the job's Runner (with `streamer`, the Transmitter, Worker or
        Processor of that step).
    """
    runner = init_runner(**_keywords(locals(), 'run_async'))
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
    """The JSON document an Ansible program printed (whatever it printed before it left out)."""
    return json.loads(sanitize_json_response(response))


def init_command_config(executable_cmd: str, cmdline_args: list[str] | None = None,
                        **kwargs: Any) -> Runner:
    """The Runner of a prepared `run_command()` job; takes the keywords of `run_command()`."""
    _configure_logging(kwargs)
    callbacks = _callbacks(kwargs)
    config = CommandConfig(**kwargs)
    return _command_runner(config, callbacks,
                           lambda: config.prepare_run_command(executable_cmd, cmdline_args))


@params(ANY_COMMAND, COMMAND, COMMON)
def run_command(
        executable_cmd: str, cmdline_args: list[str] | None = None, *,
        input_fd: FileDescriptorLike | None = None, output_fd: FileDescriptorLike | None = None,
        error_fd: FileDescriptorLike | None = None, runner_mode: str | None = None,
        private_data_dir: StrPath | None = None, ident: str | None = None,
        artifact_dir: StrPath | None = None, project_dir: StrPath | None = None,
        host_cwd: StrPath | None = None, envvars: dict[str, Any] | None = None,
        passwords: dict[str, str] | None = None, settings: dict[str, Any] | None = None,
        ssh_key: str | None = None, suppress_env_files: bool = False, timeout: float | None = None,
        quiet: bool = False, json_mode: bool = False, check_job_event_data: bool = False,
        rotate_artifacts: int = 0, fact_cache: str | None = None, fact_cache_type: str = 'jsonfile',
        process_isolation: bool = False, process_isolation_executable: str | None = None,
        container_image: str = '', container_volume_mounts: list[str] | None = None,
        container_options: list[str] | None = None, container_workdir: str | None = None,
        container_auth_data: dict[str, str] | None = None, keepalive_seconds: float | None = None,
        event_handler: EventHandler | None = None, status_handler: StatusHandler | None = None,
        artifacts_handler: ArtifactsHandler | None = None, cancel_callback: CancelCallback | None = None,
        finished_callback: Callable[[Runner], object] | None = None, debug: bool | None = None,
        logfile: str | None = None, ignore_logging: bool = True,
) -> tuple[str, str, int | None]:
    """Run any program as a job, to its end; what it printed and how it ended.

    :returns: `(stdout, stderr, rc)`: the job's `stdout` and `stderr` artifacts as text (stderr is
        empty in `pexpect` mode, where it is mixed into stdout) and its exit status.
    """
    runner = init_command_config(executable_cmd, cmdline_args, **_keywords(locals(), 'run_command'))
    response, error = _results(runner)
    return response, error, runner.rc


@params(ANY_COMMAND, COMMAND, COMMON)
def run_command_async(
        executable_cmd: str, cmdline_args: list[str] | None = None, *,
        input_fd: FileDescriptorLike | None = None, output_fd: FileDescriptorLike | None = None,
        error_fd: FileDescriptorLike | None = None, runner_mode: str | None = None,
        private_data_dir: StrPath | None = None, ident: str | None = None,
        artifact_dir: StrPath | None = None, project_dir: StrPath | None = None,
        host_cwd: StrPath | None = None, envvars: dict[str, Any] | None = None,
        passwords: dict[str, str] | None = None, settings: dict[str, Any] | None = None,
        ssh_key: str | None = None, suppress_env_files: bool = False, timeout: float | None = None,
        quiet: bool = False, json_mode: bool = False, check_job_event_data: bool = False,
        rotate_artifacts: int = 0, fact_cache: str | None = None, fact_cache_type: str = 'jsonfile',
        process_isolation: bool = False, process_isolation_executable: str | None = None,
        container_image: str = '', container_volume_mounts: list[str] | None = None,
        container_options: list[str] | None = None, container_workdir: str | None = None,
        container_auth_data: dict[str, str] | None = None, keepalive_seconds: float | None = None,
        event_handler: EventHandler | None = None, status_handler: StatusHandler | None = None,
        artifacts_handler: ArtifactsHandler | None = None, cancel_callback: CancelCallback | None = None,
        finished_callback: Callable[[Runner], object] | None = None, debug: bool | None = None,
        logfile: str | None = None, ignore_logging: bool = True,
) -> tuple[threading.Thread, Runner]:
    """Start any program as a job, as `run_command()` does, on a thread of its own.

    :returns: The started thread and the job's Runner; read `runner.stdout`, `runner.stderr` and
        `runner.rc` once the thread has ended.
    """
    runner = init_command_config(executable_cmd, cmdline_args,
                                 **_keywords(locals(), 'run_command_async'))
    return _start(runner), runner


def init_plugin_docs_config(plugin_names: list[str], plugin_type: str | None = None,
                            response_format: str | None = None, snippet: bool = False,
                            playbook_dir: str | None = None, module_path: str | None = None,
                            **kwargs: Any) -> Runner:
    """The Runner of a prepared `ansible-doc` job for `plugin_names`; takes the keywords of
    `get_plugin_docs()`.
    """
    callbacks = _callbacks(kwargs)
    config = DocConfig(**kwargs)
    return _command_runner(config, callbacks, lambda: config.prepare_plugin_docs_command(
        plugin_names, plugin_type=plugin_type, response_format=response_format, snippet=snippet,
        playbook_dir=playbook_dir, module_path=module_path))


@params(COMMAND, COMMON)
def get_plugin_docs(
        plugin_names: list[str], plugin_type: str | None = None, response_format: str | None = None,
        snippet: bool = False, playbook_dir: str | None = None, module_path: str | None = None, *,
        runner_mode: str | None = None, private_data_dir: StrPath | None = None, ident: str | None = None,
        artifact_dir: StrPath | None = None, project_dir: StrPath | None = None,
        host_cwd: StrPath | None = None, envvars: dict[str, Any] | None = None,
        passwords: dict[str, str] | None = None, settings: dict[str, Any] | None = None,
        ssh_key: str | None = None, suppress_env_files: bool = False, timeout: float | None = None,
        quiet: bool = False, json_mode: bool = False, check_job_event_data: bool = False,
        rotate_artifacts: int = 0, fact_cache: str | None = None, fact_cache_type: str = 'jsonfile',
        process_isolation: bool = False, process_isolation_executable: str | None = None,
        container_image: str = '', container_volume_mounts: list[str] | None = None,
        container_options: list[str] | None = None, container_workdir: str | None = None,
        container_auth_data: dict[str, str] | None = None, keepalive_seconds: float | None = None,
        event_handler: EventHandler | None = None, status_handler: StatusHandler | None = None,
        artifacts_handler: ArtifactsHandler | None = None, cancel_callback: CancelCallback | None = None,
        finished_callback: Callable[[Runner], object] | None = None,
) -> tuple[Any, str]:
    """The documentation of plugins, from `ansible-doc`.

    :returns: `(response, error)`: `ansible-doc`'s output (with `response_format='json'`, the
        parsed document, a dict by plugin name) and its stderr.
    """
    runner = init_plugin_docs_config(plugin_names, plugin_type=plugin_type,
                                     response_format=response_format, snippet=snippet,
                                     playbook_dir=playbook_dir, module_path=module_path,
                                     **_keywords(locals(), 'get_plugin_docs'))
    response, error = _results(runner)
    if response and response_format == 'json':
        return _json(response), error
    return response, error


@params(COMMAND, COMMON)
def get_plugin_docs_async(
        plugin_names: list[str], plugin_type: str | None = None, response_format: str | None = None,
        snippet: bool = False, playbook_dir: str | None = None, module_path: str | None = None, *,
        runner_mode: str | None = None, private_data_dir: StrPath | None = None, ident: str | None = None,
        artifact_dir: StrPath | None = None, project_dir: StrPath | None = None,
        host_cwd: StrPath | None = None, envvars: dict[str, Any] | None = None,
        passwords: dict[str, str] | None = None, settings: dict[str, Any] | None = None,
        ssh_key: str | None = None, suppress_env_files: bool = False, timeout: float | None = None,
        quiet: bool = False, json_mode: bool = False, check_job_event_data: bool = False,
        rotate_artifacts: int = 0, fact_cache: str | None = None, fact_cache_type: str = 'jsonfile',
        process_isolation: bool = False, process_isolation_executable: str | None = None,
        container_image: str = '', container_volume_mounts: list[str] | None = None,
        container_options: list[str] | None = None, container_workdir: str | None = None,
        container_auth_data: dict[str, str] | None = None, keepalive_seconds: float | None = None,
        event_handler: EventHandler | None = None, status_handler: StatusHandler | None = None,
        artifacts_handler: ArtifactsHandler | None = None, cancel_callback: CancelCallback | None = None,
        finished_callback: Callable[[Runner], object] | None = None,
) -> tuple[threading.Thread, Runner]:
    """Start `ansible-doc` for plugins' documentation, as `get_plugin_docs()` does, on a thread of
    its own.

    :returns: The started thread and the job's Runner; `runner.stdout` holds the documentation
        once the thread has ended.
    """
    runner = init_plugin_docs_config(plugin_names, plugin_type=plugin_type,
                                     response_format=response_format, snippet=snippet,
                                     playbook_dir=playbook_dir, module_path=module_path,
                                     **_keywords(locals(), 'get_plugin_docs_async'))
    return _start(runner), runner


@params(COMMAND, COMMON)
def get_plugin_list(
        list_files: bool | None = None, response_format: str | None = None, plugin_type: str | None = None,
        playbook_dir: str | None = None, module_path: str | None = None, *, runner_mode: str | None = None,
        private_data_dir: StrPath | None = None, ident: str | None = None,
        artifact_dir: StrPath | None = None, project_dir: StrPath | None = None,
        host_cwd: StrPath | None = None, envvars: dict[str, Any] | None = None,
        passwords: dict[str, str] | None = None, settings: dict[str, Any] | None = None,
        ssh_key: str | None = None, suppress_env_files: bool = False, timeout: float | None = None,
        quiet: bool = False, json_mode: bool = False, check_job_event_data: bool = False,
        rotate_artifacts: int = 0, fact_cache: str | None = None, fact_cache_type: str = 'jsonfile',
        process_isolation: bool = False, process_isolation_executable: str | None = None,
        container_image: str = '', container_volume_mounts: list[str] | None = None,
        container_options: list[str] | None = None, container_workdir: str | None = None,
        container_auth_data: dict[str, str] | None = None, keepalive_seconds: float | None = None,
        event_handler: EventHandler | None = None, status_handler: StatusHandler | None = None,
        artifacts_handler: ArtifactsHandler | None = None, cancel_callback: CancelCallback | None = None,
        finished_callback: Callable[[Runner], object] | None = None,
) -> tuple[Any, str]:
    """The plugins Ansible finds, from `ansible-doc -l` (or `-F`).

    :param list_files: List each plugin's file beside its name (`-F`) instead of its description (`-l`).
    :returns: `(response, error)`: `ansible-doc`'s output (with `response_format='json'`, the
        parsed document, a dict by plugin name) and its stderr.
    """
    kwargs = _keywords(locals(), 'get_plugin_list')
    callbacks = _callbacks(kwargs)
    config = DocConfig(**kwargs)
    runner = _command_runner(config, callbacks, lambda: config.prepare_plugin_list_command(
        list_files=list_files, response_format=response_format, plugin_type=plugin_type,
        playbook_dir=playbook_dir, module_path=module_path))
    response, error = _results(runner)
    if response and response_format == 'json':
        return _json(response), error
    return response, error


@params(COMMAND, COMMON)
def get_inventory(
        action: str, inventories: list[str], response_format: str | None = None, host: str | None = None,
        playbook_dir: str | None = None, vault_ids: str | None = None,
        vault_password_file: str | None = None, output_file: str | None = None, export: bool | None = None,
        *, runner_mode: str | None = None, private_data_dir: StrPath | None = None, ident: str | None = None,
        artifact_dir: StrPath | None = None, project_dir: StrPath | None = None,
        host_cwd: StrPath | None = None, envvars: dict[str, Any] | None = None,
        passwords: dict[str, str] | None = None, settings: dict[str, Any] | None = None,
        ssh_key: str | None = None, suppress_env_files: bool = False, timeout: float | None = None,
        quiet: bool = False, json_mode: bool = False, check_job_event_data: bool = False,
        rotate_artifacts: int = 0, fact_cache: str | None = None, fact_cache_type: str = 'jsonfile',
        process_isolation: bool = False, process_isolation_executable: str | None = None,
        container_image: str = '', container_volume_mounts: list[str] | None = None,
        container_options: list[str] | None = None, container_workdir: str | None = None,
        container_auth_data: dict[str, str] | None = None, keepalive_seconds: float | None = None,
        event_handler: EventHandler | None = None, status_handler: StatusHandler | None = None,
        artifacts_handler: ArtifactsHandler | None = None, cancel_callback: CancelCallback | None = None,
        finished_callback: Callable[[Runner], object] | None = None,
) -> tuple[Any, str]:
    """An inventory as Ansible reads it, from `ansible-inventory`.

    :param action: `graph` (the groups and hosts as a tree), `host` (one host's variables) or `list`
        (every host and group).
    :param inventories: The inventory sources (`-i`), each a path or a host list.
    :param response_format: `json` (the response is then the parsed document), `yaml` or `toml` (text);
        `ansible-inventory`'s JSON text when omitted. The `graph` action takes `json` only.
    :param host: The host whose variables the `host` action shows; needed with it.
    :param playbook_dir: A playbook directory, relative to which the inventory is read (`--playbook-dir`).
    :param vault_ids: A vault identity to decrypt with (`--vault-id`).
    :param vault_password_file: A vault password file (`--vault-password-file`).
    :param output_file: Write the inventory to this file instead of stdout (`--output`).
    :param export: Show the inventory as it is written, for exporting, rather than as Ansible resolved it
        (`--export`).
    :returns: `(response, error)`: `ansible-inventory`'s output (with `response_format='json'`, the
        parsed document) and its stderr.
    """
    kwargs = _keywords(locals(), 'get_inventory')
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


@params(COMMON)
def get_ansible_config(
        action: str, config_file: str | None = None, only_changed: bool | None = None, *,
        runner_mode: str | None = None, private_data_dir: StrPath | None = None, ident: str | None = None,
        artifact_dir: StrPath | None = None, project_dir: StrPath | None = None,
        host_cwd: StrPath | None = None, envvars: dict[str, Any] | None = None,
        passwords: dict[str, str] | None = None, settings: dict[str, Any] | None = None,
        ssh_key: str | None = None, suppress_env_files: bool = False, timeout: float | None = None,
        quiet: bool = False, json_mode: bool = False, check_job_event_data: bool = False,
        rotate_artifacts: int = 0, fact_cache: str | None = None, fact_cache_type: str = 'jsonfile',
        process_isolation: bool = False, process_isolation_executable: str | None = None,
        container_image: str = '', container_volume_mounts: list[str] | None = None,
        container_options: list[str] | None = None, container_workdir: str | None = None,
        container_auth_data: dict[str, str] | None = None, keepalive_seconds: float | None = None,
        event_handler: EventHandler | None = None, status_handler: StatusHandler | None = None,
        artifacts_handler: ArtifactsHandler | None = None, cancel_callback: CancelCallback | None = None,
        finished_callback: Callable[[Runner], object] | None = None,
) -> tuple[str, str]:
    """Ansible's configuration, from `ansible-config`.

    :param action: `list` (every setting Ansible knows), `dump` (the settings in effect) or `view` (the
        configuration file).
    :param config_file: The configuration file to read (`-c`); the one Ansible finds first when omitted.
    :param only_changed: With `dump`, show only the settings that differ from their defaults
        (`--only-changed`).
    :returns: `(response, error)`: `ansible-config`'s output and its stderr, as text.
    """
    kwargs = _keywords(locals(), 'get_ansible_config')
    callbacks = _callbacks(kwargs)
    config = AnsibleCfgConfig(**kwargs)
    runner = _command_runner(config, callbacks, lambda: config.prepare_ansible_config_command(
        action=action, config_file=config_file, only_changed=only_changed))
    return _results(runner)


@params(COMMAND, COMMON)
def get_role_list(
        collection: str | None = None, playbook_dir: str | None = None, *, runner_mode: str | None = None,
        private_data_dir: StrPath | None = None, ident: str | None = None,
        artifact_dir: StrPath | None = None, project_dir: StrPath | None = None,
        host_cwd: StrPath | None = None, envvars: dict[str, Any] | None = None,
        passwords: dict[str, str] | None = None, settings: dict[str, Any] | None = None,
        ssh_key: str | None = None, suppress_env_files: bool = False, timeout: float | None = None,
        quiet: bool = False, json_mode: bool = False, check_job_event_data: bool = False,
        rotate_artifacts: int = 0, fact_cache: str | None = None, fact_cache_type: str = 'jsonfile',
        process_isolation: bool = False, process_isolation_executable: str | None = None,
        container_image: str = '', container_volume_mounts: list[str] | None = None,
        container_options: list[str] | None = None, container_workdir: str | None = None,
        container_auth_data: dict[str, str] | None = None, keepalive_seconds: float | None = None,
        event_handler: EventHandler | None = None, status_handler: StatusHandler | None = None,
        artifacts_handler: ArtifactsHandler | None = None, cancel_callback: CancelCallback | None = None,
        finished_callback: Callable[[Runner], object] | None = None,
) -> tuple[Any, str]:
    """The roles that have an argument spec, from `ansible-doc -t role -l -j`.

    :param collection: Only the roles of this collection (its fully qualified name).
    :returns: `(response, error)`: the parsed document (a dict by collection, then by role name; an
        empty string when `ansible-doc` printed nothing) and `ansible-doc`'s stderr.
    """
    kwargs = _keywords(locals(), 'get_role_list')
    callbacks = _callbacks(kwargs)
    config = DocConfig(**kwargs)
    runner = _command_runner(config, callbacks,
                             lambda: config.prepare_role_list_command(collection, playbook_dir))
    response, error = _results(runner)
    return (_json(response) if response else response), error


@params(COMMAND, COMMON)
def get_role_argspec(
        role: str, collection: str | None = None, playbook_dir: str | None = None, *,
        runner_mode: str | None = None, private_data_dir: StrPath | None = None, ident: str | None = None,
        artifact_dir: StrPath | None = None, project_dir: StrPath | None = None,
        host_cwd: StrPath | None = None, envvars: dict[str, Any] | None = None,
        passwords: dict[str, str] | None = None, settings: dict[str, Any] | None = None,
        ssh_key: str | None = None, suppress_env_files: bool = False, timeout: float | None = None,
        quiet: bool = False, json_mode: bool = False, check_job_event_data: bool = False,
        rotate_artifacts: int = 0, fact_cache: str | None = None, fact_cache_type: str = 'jsonfile',
        process_isolation: bool = False, process_isolation_executable: str | None = None,
        container_image: str = '', container_volume_mounts: list[str] | None = None,
        container_options: list[str] | None = None, container_workdir: str | None = None,
        container_auth_data: dict[str, str] | None = None, keepalive_seconds: float | None = None,
        event_handler: EventHandler | None = None, status_handler: StatusHandler | None = None,
        artifacts_handler: ArtifactsHandler | None = None, cancel_callback: CancelCallback | None = None,
        finished_callback: Callable[[Runner], object] | None = None,
) -> tuple[Any, str]:
    """A role's argument spec, from `ansible-doc -t role -j`.

    :param role: The role, by its name, or its fully qualified name when `collection` is not given.
    :param collection: The collection of `role`, whose fully qualified name is then `<collection>.<role>`.
    :returns: `(response, error)`: the parsed document (a dict by role name, with its entry points
        and their options; an empty string when `ansible-doc` printed nothing) and `ansible-doc`'s
        stderr.
    """
    kwargs = _keywords(locals(), 'get_role_argspec')
    callbacks = _callbacks(kwargs)
    config = DocConfig(**kwargs)
    runner = _command_runner(config, callbacks, lambda: config.prepare_role_argspec_command(
        role, collection, playbook_dir))
    response, error = _results(runner)
    return (_json(response) if response else response), error


_record_keyword_defaults(run, run_async, run_command, run_command_async, get_plugin_docs,
                         get_plugin_docs_async, get_plugin_list, get_inventory, get_ansible_config,
                         get_role_list, get_role_argspec)
