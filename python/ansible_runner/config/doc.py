"""DocConfig: `ansible-doc` jobs for plugin docs, plugin lists, role lists and role argspecs."""

from __future__ import annotations

from typing import Any

from ansible_runner._types import StrPath
from ansible_runner.config._base import BaseExecutionMode
from ansible_runner.config._command import CommandJobConfig, check_runner_mode
from ansible_runner.exceptions import ConfigurationError
from ansible_runner.utils import get_executable_path


class AnsibleToolConfig(CommandJobConfig):
    """A job running one Ansible program (found on PATH unless it runs in isolation), in
    `subprocess` mode unless asked otherwise.
    """

    program = ''

    def __init__(
            self, runner_mode: str | None = None, *, private_data_dir: StrPath | None = None,
            host_cwd: StrPath | None = None, envvars: dict[str, Any] | None = None,
            passwords: dict[str, str] | None = None, settings: dict[str, Any] | None = None,
            project_dir: StrPath | None = None, artifact_dir: StrPath | None = None,
            fact_cache_type: str = 'jsonfile', fact_cache: str | None = None,
            process_isolation: bool = False, process_isolation_executable: str | None = None,
            container_image: str = '', container_volume_mounts: list[str] | None = None,
            container_options: list[str] | None = None, container_workdir: str | None = None,
            container_auth_data: dict[str, str] | None = None, ident: str | None = None,
            rotate_artifacts: int = 0, timeout: float | None = None, ssh_key: str | None = None,
            quiet: bool = False, json_mode: bool = False, check_job_event_data: bool = False,
            suppress_env_files: bool = False, keepalive_seconds: float | None = None,
    ) -> None:
        """The settings of a job running `program`, looked up on PATH here unless the job is isolated.

        :param runner_mode: `subprocess` (the default: stdout and stderr apart) or `pexpect` (on a
            pseudo-terminal, stderr mixed into stdout).
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
        self.runner_mode = runner_mode if runner_mode else 'subprocess'
        check_runner_mode(self.runner_mode)
        self.executable_path = (self.program if process_isolation
                                else get_executable_path(self.program))
        self.execution_mode = BaseExecutionMode.ANSIBLE_COMMANDS
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

    def run_program(self, arguments: list[str]) -> None:
        """Prepare the job running the program with `arguments`."""
        self.cmdline_args = arguments
        self.launch([self.executable_path, *arguments])


def _location_arguments(playbook_dir: str | None, module_path: str | None) -> list[str]:
    arguments: list[str] = []
    if playbook_dir:
        arguments.extend(['--playbook-dir', playbook_dir])
    if module_path:
        arguments.extend(['-M', module_path])
    return arguments


class DocConfig(AnsibleToolConfig):
    """How to run `ansible-doc`."""

    program = 'ansible-doc'
    _supported_response_formats = ('json', 'human')

    def _check_format(self, response_format: str | None) -> None:
        if response_format and response_format not in self._supported_response_formats:
            raise ConfigurationError(
                f'Invalid response_format {response_format}, valid value is one of either '
                f'{", ".join(self._supported_response_formats)}')

    @property
    def _ansible_doc_exec_path(self) -> str:
        return self.executable_path

    def prepare_plugin_docs_command(self, plugin_names: list[str], plugin_type: str | None = None,
                                    response_format: str | None = None, snippet: bool = False,
                                    playbook_dir: str | None = None,
                                    module_path: str | None = None) -> None:
        """`ansible-doc [-j] [-s] [-t TYPE] ... NAMES`."""
        self._check_format(response_format)
        if not isinstance(plugin_names, list):
            raise ConfigurationError(
                f'plugin_names should be of type list, instead received {plugin_names} '
                f'of type {type(plugin_names)}')
        arguments: list[str] = []
        if response_format == 'json':
            arguments.append('-j')
        if snippet:
            arguments.append('-s')
        if plugin_type:
            arguments.extend(['-t', plugin_type])
        arguments.extend(_location_arguments(playbook_dir, module_path))
        arguments.extend(plugin_names)
        self.run_program(arguments)

    def prepare_plugin_list_command(self, list_files: bool | None = None,
                                    response_format: str | None = None,
                                    plugin_type: str | None = None,
                                    playbook_dir: str | None = None,
                                    module_path: str | None = None) -> None:
        """`ansible-doc -l|-F [-j] [-t TYPE] ...`."""
        self._check_format(response_format)
        arguments = ['-F' if list_files else '-l']
        if response_format == 'json':
            arguments.append('-j')
        if plugin_type:
            arguments.extend(['-t', plugin_type])
        arguments.extend(_location_arguments(playbook_dir, module_path))
        self.run_program(arguments)

    def prepare_role_list_command(self, collection_name: str | None,
                                  playbook_dir: str | None) -> None:
        """`ansible-doc -t role -l -j [--playbook-dir DIR] [COLLECTION]`."""
        arguments = ['-t', 'role', '-l', '-j']
        if playbook_dir:
            arguments.extend(['--playbook-dir', playbook_dir])
        if collection_name:
            arguments.append(collection_name)
        self.run_program(arguments)

    def prepare_role_argspec_command(self, role_name: str, collection_name: str | None,
                                     playbook_dir: str | None) -> None:
        """`ansible-doc -t role -j [--playbook-dir DIR] [COLLECTION.]ROLE`."""
        arguments = ['-t', 'role', '-j']
        if playbook_dir:
            arguments.extend(['--playbook-dir', playbook_dir])
        if collection_name:
            role_name = f'{collection_name}.{role_name}'
        arguments.append(role_name)
        self.run_program(arguments)
