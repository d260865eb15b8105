"""RunnerConfig: the settings of a playbook, module or command job, prepared by the runner.

`prepare()` starts the job's `ansible-runner api` child and sends it the request; the child
answers with the real command line, environment and places, which fill this object before
`Runner.run()` lets Ansible start.
"""

from __future__ import annotations

import os
import shlex
from typing import Any

from ansible_runner._types import StrPath
from ansible_runner.config._base import BaseConfig
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

        :param private_data_dir: The job's directory (made when missing): its `env/` inputs are read there,
            and its artifacts go to `artifacts/` unless `artifact_dir` says otherwise. A new temporary
            directory when omitted.
        :param playbook: The playbook's path, relative to the project dir or absolute.
        :param inventory: The inventory, in place of `<private_data_dir>/inventory`: a path, or a list of
            sources (an empty list passes none).
        :param roles_path: A directory, or a list of them, for `ANSIBLE_ROLES_PATH`.
        :param limit: Narrow the inventory to the hosts this pattern matches (`--limit`).
        :param module: Run this module ad hoc (`ansible -m MODULE`) instead of a playbook.
        :param module_args: The arguments of the ad-hoc `module` (`-a`).
        :param verbosity: How verbose Ansible is: the number of `-v` flags.
        :param host_pattern: The hosts the ad-hoc `module` runs on.
        :param binary: The program to run in place of `ansible-playbook` (or `ansible` for `module`).
        :param extravars: Extra variables (`-e`), passed after those of `env/extravars`, so these win.
        :param suppress_output_file: Write no `stdout` and `stderr` artifact files.
        :param suppress_ansible_output: Print none of Ansible's output on this process's stdout (the
            `suppress_ansible_output` setting wins).
        :param process_isolation_path: Where a sandboxed job's temporary directories are made; `/tmp` when
            omitted.
        :param process_isolation_hide_paths: A path, or a list of them, that a sandboxed job does not see.
        :param process_isolation_show_paths: A path, or a list of them, that a sandboxed job sees.
        :param process_isolation_ro_paths: A path, or a list of them, that a sandboxed job sees read-only.
        :param tags: Run only the tasks with these tags (`--tags`).
        :param skip_tags: Skip the tasks with these tags (`--skip-tags`).
        :param directory_isolation_base_path: Copy the project into a new temporary directory under this path
            and run the job there.
        :param forks: How many hosts Ansible works on in parallel (`--forks`).
        :param cmdline: More Ansible options, as shell words; in place of `env/cmdline`.
        :param omit_event_data: Keep only each event's text and type, not its `event_data`.
        :param only_failed_event_data: As `omit_event_data`, except for the events of failed tasks.
        :param host_cwd: The directory the job runs in. An isolated job mounts it at the same path, where it
            is the working directory unless `container_workdir` names another.
        :param envvars: Environment variables for the job, on top of this process's environment; the values of
            an `env/envvars` file win over these.
        :param passwords: Answers to prompts: each key is a regular expression matched against the job's
            output, its value the text typed in reply (the job then runs on a pseudo-terminal); the entries of
            an `env/passwords` file win.
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
        :param process_isolation: Run the job isolated: in a container when `process_isolation_executable` is
            a container engine (podman, docker), else in a bubblewrap sandbox.
        :param process_isolation_executable: The container engine (`podman`, `docker`) or sandbox program
            (`bwrap`) of an isolated job; `podman` when omitted.
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
        :param suppress_env_files: Kept on the config for `run()`, which then writes nothing to `env/`; the
            config itself never writes there.
        :param keepalive_seconds: A setting of streamed jobs' workers; accepted and not used by a job run
            here.
        """
        self.runner_mode = 'pexpect'
        super().__init__(private_data_dir, host_cwd=host_cwd, envvars=envvars, passwords=passwords,
                         settings=settings, project_dir=project_dir, artifact_dir=artifact_dir,
                         fact_cache_type=fact_cache_type, fact_cache=fact_cache,
                         process_isolation=process_isolation,
                         process_isolation_executable=process_isolation_executable,
                         container_image=container_image, container_volume_mounts=container_volume_mounts,
                         container_options=container_options, container_workdir=container_workdir,
                         container_auth_data=container_auth_data, ident=ident,
                         rotate_artifacts=rotate_artifacts, timeout=timeout, ssh_key=ssh_key, quiet=quiet,
                         json_mode=json_mode, check_job_event_data=check_job_event_data,
                         suppress_env_files=suppress_env_files, keepalive_seconds=keepalive_seconds)
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

