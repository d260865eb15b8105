"""What the configurations of the `run_command()` family share: a whole command line that the
runner child runs as given, in `pexpect` or `subprocess` mode, with descriptors passed through.
"""

from __future__ import annotations

import os
from typing import Any

from ansible_runner._types import FileDescriptorLike, StrPath
from ansible_runner.config._base import BaseConfig, BaseExecutionMode
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
        """The settings of a command job; `launch()` starts its runner child.

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
