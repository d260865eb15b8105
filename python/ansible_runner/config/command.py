"""CommandConfig: the settings of a `run_command()` job, any executable with its arguments."""

from __future__ import annotations

import os
from typing import Any

from ansible_runner._docs import ANY_COMMAND, COMMAND, COMMON, params
from ansible_runner._types import FileDescriptorLike, StrPath
from ansible_runner.config._base import BaseExecutionMode, base_keywords
from ansible_runner.config._command import CommandJobConfig, check_runner_mode
from ansible_runner.exceptions import ConfigurationError

__all__ = ['BaseExecutionMode', 'CommandConfig']


class CommandConfig(CommandJobConfig):
    """How to run one command; `prepare_run_command()` prepares its job."""

    # Ansible programs that never prompt, so they run in `subprocess` mode unless told otherwise.
    _ANSIBLE_NON_INERACTIVE_CMDS = ('ansible-config', 'ansible-doc', 'ansible-galaxy')

    @params(ANY_COMMAND, COMMAND, COMMON)
    def __init__(
            self, input_fd: FileDescriptorLike | None = None, output_fd: FileDescriptorLike | None = None,
            error_fd: FileDescriptorLike | None = None, runner_mode: str | None = None, *,
            private_data_dir: StrPath | None = None, host_cwd: StrPath | None = None,
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
        """The settings of one command's job; a runner mode it does not know is refused here."""
        self.input_fd = input_fd
        self.output_fd = output_fd
        self.error_fd = error_fd
        # The reference's check, as it words and applies it.
        if runner_mode == 'pexpect' and not self.input_fd:
            raise ConfigurationError("input_fd is applicable only with 'subprocess' runner mode")
        check_runner_mode(runner_mode)
        self.runner_mode = runner_mode
        self.execution_mode = BaseExecutionMode.NONE
        self.executable_cmd = ''
        super().__init__(**base_keywords(locals()))

    def should_allocate_tty(self) -> bool:
        """A container gets a terminal only when both input and output are terminals."""
        return bool(self.input_fd is not None and hasattr(self.input_fd, 'isatty')
                    and self.input_fd.isatty()
                    and self.output_fd is not None and hasattr(self.output_fd, 'isatty')
                    and self.output_fd.isatty())

    def descriptors(self) -> dict[str, Any]:
        if self.runner_mode != 'subprocess':
            return {}
        given = {'input_fd': self.input_fd, 'output_fd': self.output_fd, 'error_fd': self.error_fd}
        return {key: value for key, value in given.items() if value}

    def _set_runner_mode(self) -> None:
        name = self.executable_cmd.split(os.pathsep)[-1]
        if self.input_fd is not None or name in self._ANSIBLE_NON_INERACTIVE_CMDS:
            self.runner_mode = 'subprocess'
        else:
            self.runner_mode = 'pexpect'

    def prepare_run_command(self, executable_cmd: str,
                            cmdline_args: list[str] | None = None) -> None:
        """Check the command, pick the mode and prepare the job in its runner child."""
        self.executable_cmd = executable_cmd
        if self.runner_mode is None:
            self._set_runner_mode()
        if not self.executable_cmd:
            raise ConfigurationError("For CommandRunner 'executable_cmd' value is required")
        name = self.executable_cmd.split(os.pathsep)[-1]
        if name.startswith('ansible'):
            self.execution_mode = BaseExecutionMode.ANSIBLE_COMMANDS
        else:
            self.execution_mode = BaseExecutionMode.GENERIC_COMMANDS
        if (self.execution_mode == BaseExecutionMode.GENERIC_COMMANDS and 'python' in name
                and cmdline_args is None):
            raise ConfigurationError('Runner requires python filename for execution')
        self.cmdline_args = list(cmdline_args or [])
        self.launch([self.executable_cmd, *self.cmdline_args])
        if 'output_fd' in self.descriptors():
            # The command prints to the caller's descriptor itself; its events' text is not echoed.
            self.suppress_ansible_output = True
