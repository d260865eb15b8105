"""DocConfig: `ansible-doc` jobs for plugin docs, plugin lists, role lists and role argspecs."""

from __future__ import annotations

from typing import Any

from ansible_runner._docs import COMMAND, COMMON, params
from ansible_runner._types import StrPath
from ansible_runner.config._base import BaseExecutionMode, base_keywords
from ansible_runner.config._command import CommandJobConfig, check_runner_mode
from ansible_runner.exceptions import ConfigurationError
from ansible_runner.utils import get_executable_path


class AnsibleToolConfig(CommandJobConfig):
    """A job running one Ansible program (found on PATH unless it runs in isolation), in
    `subprocess` mode unless asked otherwise.
    """

    program = ''

    @params(COMMAND, COMMON)
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
        """The settings of a job running `program`, looked up on PATH here unless the job is isolated."""
        self.runner_mode = runner_mode if runner_mode else 'subprocess'
        check_runner_mode(self.runner_mode)
        self.executable_path = (self.program if process_isolation
                                else get_executable_path(self.program))
        self.execution_mode = BaseExecutionMode.ANSIBLE_COMMANDS
        super().__init__(**base_keywords(locals()))

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
