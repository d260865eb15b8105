"""CommandConfig: the settings of a `run_command()` job, any executable with its arguments."""

from __future__ import annotations

import os
from typing import Any

from ansible_runner._types import FileDescriptorLike, StrPath
from ansible_runner.config._base import BaseExecutionMode
from ansible_runner.config._command import CommandJobConfig, check_runner_mode
from ansible_runner.exceptions import ConfigurationError

__all__ = ['BaseExecutionMode', 'CommandConfig']


class CommandConfig(CommandJobConfig):
    """How to run one command; `prepare_run_command()` prepares its job."""

    # Ansible programs that never prompt, so they run in `subprocess` mode unless told otherwise.
    _ANSIBLE_NON_INERACTIVE_CMDS = ('ansible-config', 'ansible-doc', 'ansible-galaxy')

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
        """The settings of one command's job; a runner mode it does not know is refused here.

        :param input_fd: In `subprocess` mode, the command's stdin: a file object or descriptor of this
            process, which the command reads directly.
        :param output_fd: In `subprocess` mode, the command's stdout: a file object or descriptor that the
            command writes directly (that output is not in the `stdout` artifact).
        :param error_fd: In `subprocess` mode, the command's stderr, as `output_fd`.
        :param runner_mode: `pexpect` (on a pseudo-terminal, prompts answered from `passwords`, stderr mixed
            into stdout) or `subprocess` (stdout and stderr apart, no prompts answered). When omitted:
            `subprocess` if `input_fd` is given or the program is `ansible-config`, `ansible-doc` or
            `ansible-galaxy`, else `pexpect`.
        :param private_data_dir: The job's directory (made when missing): its `env/` inputs are read there,
            and its artifacts go to `artifacts/` unless `artifact_dir` says otherwise. A new temporary
            directory when omitted.
        :param host_cwd: The directory the command runs in; the application's own working directory when
            omitted. A containerized job mounts it at the same path, where it is the working directory unless
            `container_workdir` names another.
        :param envvars: Environment variables for the job, on top of this process's environment; the values of
            an `env/envvars` file win over these.
        :param passwords: Answers to prompts (`pexpect` mode only): each key is a regular expression matched
            against the command's output, its value the text typed in reply; the entries of an `env/passwords`
            file win.
        :param settings: Runner settings (`job_timeout`, `idle_timeout`, `pexpect_timeout`,
            `suppress_ansible_output`, the isolation settings, ...); the values of an `env/settings` file win.
        :param project_dir: Where playbooks are looked up; `<private_data_dir>/project` when omitted.
        :param artifact_dir: The directory the run's own artifact dir, `<artifact_dir>/<ident>`, is made in;
            `<private_data_dir>/artifacts` when omitted.
        :param fact_cache_type: The Ansible fact cache plugin of the job. With `jsonfile`, the default, the
            cache is a directory of the artifact dir that `Runner.get_fact_cache()` and
            `Runner.set_fact_cache()` read and write.
        :param fact_cache: The name of the `jsonfile` fact cache's directory in the artifact dir; `fact_cache`
            when omitted.
        :param process_isolation: Run the command in a container of `container_image`, with the engine
            `process_isolation_executable` names.
        :param process_isolation_executable: The container engine, `podman` (the default) or `docker`.
        :param container_image: The image (an execution environment) a containerized job runs in.
        :param container_volume_mounts: More bind mounts for the container, each `host_path:container_path`
            with an optional `:options` suffix.
        :param container_options: More options for the container engine's `run` command.
        :param container_workdir: The working directory inside the container.
        :param container_auth_data: Credentials for the registry of `container_image`: `host`, `username`,
            `password`, and `verify_ssl` (false to allow a registry without valid TLS). They are kept in a
            private directory for the job's lifetime.
        :param ident: The run's identifier, which names its artifact dir; a new UUID when omitted.
        :param rotate_artifacts: Keep only this many artifact dirs, the newest, under `artifact_dir`; 0 keeps
            them all.
        :param timeout: Seconds the job may run: it is then stopped and ends with status `timeout`. Takes the
            place of the `job_timeout` setting.
        :param ssh_key: A private key (its text), loaded into an `ssh-agent` that the job runs under; an
            `env/ssh_key` file is used instead when there is one.
        :param quiet: Print none of the job's output on this process's stdout.
        :param json_mode: Print each event on this process's stdout as a line of JSON rather than its text.
        :param check_job_event_data: Accepted as the reference accepts it (there, it checks that each event's
            data arrived whole); events reach the application whole here, so it changes nothing.
        :param suppress_env_files: Accepted as the reference accepts it: the command family writes nothing to
            `env/` anyway.
        :param keepalive_seconds: A setting of streamed jobs' workers; accepted and not used by a job run
            here.
        """
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
        super().__init__(private_data_dir=private_data_dir, host_cwd=host_cwd, envvars=envvars,
                         passwords=passwords, settings=settings, project_dir=project_dir,
                         artifact_dir=artifact_dir, fact_cache_type=fact_cache_type, fact_cache=fact_cache,
                         process_isolation=process_isolation,
                         process_isolation_executable=process_isolation_executable,
                         container_image=container_image, container_volume_mounts=container_volume_mounts,
                         container_options=container_options, container_workdir=container_workdir,
                         container_auth_data=container_auth_data, ident=ident,
                         rotate_artifacts=rotate_artifacts, timeout=timeout, ssh_key=ssh_key, quiet=quiet,
                         json_mode=json_mode, check_job_event_data=check_job_event_data,
                         suppress_env_files=suppress_env_files, keepalive_seconds=keepalive_seconds)

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
