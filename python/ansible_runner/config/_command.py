"""What the configurations of the `run_command()` family share: a whole command line that the
runner child runs as given, in `pexpect` or `subprocess` mode, with descriptors passed through.
"""

from __future__ import annotations

import os
from typing import Any

from ansible_runner._docs import COMMAND, COMMON, params
from ansible_runner._types import FileDescriptorLike, StrPath
from ansible_runner.config._base import BaseConfig, BaseExecutionMode, base_keywords
from ansible_runner.exceptions import ConfigurationError

RUNNER_MODES = ('pexpect', 'subprocess')

# Request keys whose value comes from the attribute of another name.
_RENAMED = {
    'ssh_key': 'ssh_key_data',
    'fact_cache': '_fact_cache_name',
    'artifact_dir': 'artifact_root',
    'event_files': 'runner_writes_events',
    'stdout_text': 'runner_writes_stdout',
    'command': '_argv',
}

_REQUEST_KEYS = (
    'private_data_dir', 'ident', 'artifact_dir', 'project_dir', 'envvars', 'passwords', 'settings',
    'ssh_key', 'timeout', 'host_cwd', 'rotate_artifacts', 'suppress_env_files', 'fact_cache',
    'fact_cache_type', 'json_mode', 'quiet', 'process_isolation', 'process_isolation_executable',
    'container_image', 'container_volume_mounts', 'container_options', 'container_workdir',
    'container_auth_data', 'event_files', 'stdout_text', 'command', 'runner_mode',
)

_DESCRIPTORS = ('input_fd', 'output_fd', 'error_fd')


def check_runner_mode(runner_mode: str | None) -> None:
    """The reference's refusal of a mode it does not know."""
    if runner_mode and runner_mode not in RUNNER_MODES:
        raise ConfigurationError(
            f"Invalid runner mode {runner_mode}, valid value is either 'pexpect' or 'subprocess'")


def _descriptor(given: FileDescriptorLike) -> int:
    """The descriptor number of an int or a file object (whose buffered output is flushed first,
    since the command writes to the same descriptor).
    """
    if isinstance(given, int):
        return given
    flush = getattr(given, 'flush', None)
    if flush is not None:
        flush()
    return int(given.fileno())


class CommandJobConfig(BaseConfig):
    """A command job: `launch()` sends its argv to a runner child and takes back the real
    command line (wrapped for a container when isolated), environment and places.
    """

    execution_mode = BaseExecutionMode.NONE
    runner_mode: str | None = None

    @params(COMMAND, COMMON)
    def __init__(
            self, *, private_data_dir: StrPath | None = None, host_cwd: StrPath | None = None,
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
        """The settings of a command job; `launch()` starts its runner child."""
        super().__init__(**base_keywords(locals()))
        self._argv: list[str] = []
        self.cmdline_args: list[str] = []
        self.suppress_ansible_output = self.quiet
        self.suppress_output_file = False

    def descriptors(self) -> dict[str, Any]:
        """The caller's stdio objects by keyword; none outside `subprocess` mode."""
        return {}

    def request(self) -> dict[str, Any]:
        """The request line for the runner: every keyword it needs, `None`s left out."""
        request: dict[str, Any] = {}
        for key in _REQUEST_KEYS:
            value = getattr(self, _RENAMED.get(key, key), None)
            if value is not None:
                request[key] = os.fspath(value) if isinstance(value, os.PathLike) else value
        return request

    def launch(self, argv: list[str]) -> None:
        """Prepare the job that runs `argv` in its runner child, which waits for `Runner.run()`."""
        self._argv = [os.fspath(arg) for arg in argv]
        self.command = list(self._argv)
        request = self.request()
        copies: list[int] = []
        try:
            for key, given in self.descriptors().items():
                # A copy numbered above the child's own stdio, inherited under the same number.
                copy = os.dup(_descriptor(given))
                copies.append(copy)
                request[key] = copy
            starting = self._start_child(request, pass_fds=copies)
        finally:
            for copy in copies:
                os.close(copy)
        self._take_starting(starting)
        settings = starting.get('settings') or {}
        self.settings = settings
        self.suppress_ansible_output = settings.get('suppress_ansible_output', self.quiet)
        self.suppress_output_file = settings.get('suppress_output_file', False)
