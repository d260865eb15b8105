"""RunnerConfig: the settings of a playbook, module or command job, prepared by the runner.

`prepare()` starts the job's `ansible-runner api` child and sends it the request; the child
answers with the real command line, environment and places, which fill this object before
`Runner.run()` lets Ansible start.
"""

from __future__ import annotations

import os
import shlex
from typing import Any

from ansible_runner._docs import COMMON, params
from ansible_runner._types import StrPath
from ansible_runner.config._base import BaseConfig, base_keywords
from ansible_runner.exceptions import ConfigurationError


class ExecutionMode:
    """What kind of executable the job runs."""

    NONE = 0
    ANSIBLE = 1
    ANSIBLE_PLAYBOOK = 2
    RAW = 3


# Request keys whose value comes from the attribute of another name.
_RENAMED = {
    'extravars': 'extra_vars',
    'cmdline': 'cmdline_args',
    'ssh_key': 'ssh_key_data',
    'fact_cache': '_fact_cache_name',
    'artifact_dir': 'artifact_root',
    'directory_isolation_base_path': 'directory_isolation_path',
    'event_files': 'runner_writes_events',
    'stdout_text': 'runner_writes_stdout',
}

_REQUEST_KEYS = (
    'private_data_dir', 'ident', 'artifact_dir', 'project_dir', 'playbook', 'module',
    'module_args', 'host_pattern', 'binary', 'inventory', 'roles_path', 'limit', 'tags',
    'skip_tags', 'cmdline', 'forks', 'verbosity', 'envvars', 'extravars', 'passwords',
    'settings', 'ssh_key', 'timeout', 'host_cwd', 'rotate_artifacts', 'suppress_env_files',
    'fact_cache', 'fact_cache_type', 'json_mode', 'quiet', 'suppress_output_file',
    'omit_event_data', 'only_failed_event_data', 'process_isolation',
    'process_isolation_executable', 'process_isolation_path', 'process_isolation_hide_paths',
    'process_isolation_show_paths', 'process_isolation_ro_paths', 'container_image',
    'container_volume_mounts', 'container_options', 'container_workdir', 'container_auth_data',
    'directory_isolation_base_path', 'event_files', 'stdout_text',
)

def _jsonable(value: Any) -> Any:
    """Paths as text and tuples as lists, so that the request is plain JSON."""
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


class RunnerConfig(BaseConfig):
    """How to run an `ansible-playbook`, `ansible` or other command job.

    Built by `run()` and `run_async()`; `prepare()` fills `command`, `env`, `cwd`,
    `artifact_dir` and `fact_cache` with the values the job will really use.
    """

    @params(COMMON)
    def __init__(
            self, private_data_dir: StrPath | None, playbook: StrPath | None = None,
            inventory: StrPath | list[str] | None = None, roles_path: StrPath | list[StrPath] | None = None,
            limit: str | None = None, module: str | None = None, module_args: str | None = None,
            verbosity: int | None = None, host_pattern: str | None = None, binary: str | None = None,
            extravars: dict[str, Any] | None = None, suppress_output_file: bool = False,
            suppress_ansible_output: bool = False, process_isolation_path: str | None = None,
            process_isolation_hide_paths: str | list[str] | None = None,
            process_isolation_show_paths: str | list[str] | None = None,
            process_isolation_ro_paths: str | list[str] | None = None, tags: str | None = None,
            skip_tags: str | None = None, directory_isolation_base_path: str | None = None,
            forks: int | str | None = None, cmdline: str | None = None, omit_event_data: bool = False,
            only_failed_event_data: bool = False, *, host_cwd: StrPath | None = None,
            envvars: dict[str, Any] | None = None, passwords: dict[str, str] | None = None,
            settings: dict[str, Any] | None = None, project_dir: StrPath | None = None,
            artifact_dir: StrPath | None = None, fact_cache_type: str = 'jsonfile',
            fact_cache: str | None = None, process_isolation: bool = False,
            process_isolation_executable: str | None = None, container_image: str = '',
            container_volume_mounts: list[str] | None = None, container_options: list[str] | None = None,
            container_workdir: str | None = None, container_auth_data: dict[str, str] | None = None,
            ident: str | None = None, rotate_artifacts: int = 0, timeout: float | None = None,
            ssh_key: str | None = None, quiet: bool = False, json_mode: bool = False,
            check_job_event_data: bool = False, suppress_env_files: bool = False,
            keepalive_seconds: float | None = None,
    ) -> None:
        """The settings of a playbook, ad-hoc or other job; `prepare()` starts its runner child.

        :param playbook: The playbook's path, relative to the project dir or absolute.
        :param inventory: The inventory, in place of `<private_data_dir>/inventory`: a path, or a list of
            sources (an empty list passes none).
        :param extravars: Extra variables (`-e`), passed after those of `env/extravars`, so these win.
        """
        self.runner_mode = 'pexpect'
        super().__init__(**base_keywords(locals()))
        self.playbook = playbook
        self.inventory = inventory
        self.roles_path = roles_path
        self.limit = limit
        self.module = module
        self.module_args = module_args
        self.host_pattern = host_pattern
        self.binary = binary
        self.extra_vars = extravars
        self.process_isolation_path = process_isolation_path
        self.process_isolation_path_actual: str | None = None
        self.process_isolation_hide_paths = process_isolation_hide_paths
        self.process_isolation_show_paths = process_isolation_show_paths
        self.process_isolation_ro_paths = process_isolation_ro_paths
        self.directory_isolation_path = directory_isolation_base_path
        self.directory_isolation_cleanup = True
        self.verbosity = verbosity
        self.suppress_output_file = suppress_output_file
        self.suppress_ansible_output = suppress_ansible_output
        self.tags = tags
        self.skip_tags = skip_tags
        self.execution_mode = ExecutionMode.NONE
        self.forks = forks
        self.cmdline_args = cmdline
        self.omit_event_data = omit_event_data
        self.only_failed_event_data = only_failed_event_data
        self.job_timeout: float | None = None
        self.idle_timeout: float | None = None
        self.pexpect_timeout: float = 5

    @property
    def sandboxed(self) -> bool:
        """Whether the job runs in a sandbox (bubblewrap) rather than a container."""
        return bool(self.process_isolation) and not self.containerized

    def request(self) -> dict[str, Any]:
        """The request line for the runner: every keyword it needs, `None`s left out."""
        request: dict[str, Any] = {}
        for key in _REQUEST_KEYS:
            value = getattr(self, _RENAMED.get(key, key), None)
            if value is not None:
                request[key] = _jsonable(value)
        return request

    def prepare(self) -> None:
        """Start the job's runner child and wait until it has prepared the job (or refused it)."""
        if self.private_data_dir is None:
            raise ConfigurationError('Runner Base Directory is not defined')
        if self.module and self.playbook:
            raise ConfigurationError('Only one of playbook and module options are allowed')
        self._prepare_inventory()
        starting = self._start_child(self.request())
        self._take_starting(starting)
        self._apply_settings(starting.get('settings') or {})

    def _prepare_inventory(self) -> None:
        """An inventory path that exists relative to the current directory becomes absolute.

        Any other type fails as it fails in the reference, where the value lands in the command
        line after `-i` and joining that line raises.
        """
        if isinstance(self.inventory, os.PathLike):
            self.inventory = os.fspath(self.inventory)
        bad = [self.inventory] if not isinstance(self.inventory, (str, list, type(None))) else [
            item for item in self.inventory or [] if not isinstance(item, str)]
        if bad and not isinstance(self.inventory, str):
            position = 2 + len(shlex.split(self.cmdline_args or ''))
            raise TypeError(f'sequence item {position}: expected str instance, {type(bad[0]).__name__} found')
        if isinstance(self.inventory, str) and os.path.exists(self.inventory):
            self.inventory = os.path.abspath(self.inventory)

    def _apply_settings(self, settings: dict[str, Any]) -> None:
        """The settings the package acts on itself (console output, timeouts it reports), as the
        runner read them: the keyword settings with `env/settings` over them.
        """
        self.settings = settings
        self.suppress_ansible_output = settings.get(
            'suppress_ansible_output', self.quiet or self.suppress_ansible_output)
        self.pexpect_timeout = settings.get('pexpect_timeout', 5)
        self.idle_timeout = settings.get('idle_timeout')
        self.job_timeout = self.timeout if self.timeout else settings.get('job_timeout')
        self.directory_isolation_cleanup = bool(settings.get('directory_isolation_cleanup', True))
        self.directory_isolation_path = settings.get('directory_isolation_base_path',
                                                     self.directory_isolation_path)
        for key in ('process_isolation_path', 'process_isolation_hide_paths', 'process_isolation_show_paths',
                    'process_isolation_ro_paths'):
            setattr(self, key, settings.get(key, getattr(self, key)))
        if self.module:
            self.execution_mode = ExecutionMode.ANSIBLE
        elif self.binary:
            self.execution_mode = ExecutionMode.RAW
        else:
            self.execution_mode = ExecutionMode.ANSIBLE_PLAYBOOK

