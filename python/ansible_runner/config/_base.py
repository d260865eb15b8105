"""Settings shared by every kind of job, with the reference's keywords and attribute names."""

from __future__ import annotations

import inspect
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from typing import Any
from uuid import uuid4

from ansible_runner import defaults
from ansible_runner._binary import find_binary
from ansible_runner._child import PROTOCOL, Child
from ansible_runner._docs import COMMON, params
from ansible_runner._types import StrPath
from ansible_runner.exceptions import ConfigurationError
from ansible_runner.utils import sanitize_container_name

_CONTAINER_ENGINES = ('docker', 'podman')

# Attributes that `env/settings` (or the `settings` keyword) decide over the keywords, as in the
# reference, which shows the values a job really ran with.
_ISOLATION_SETTINGS = ('process_isolation', 'process_isolation_executable', 'container_image',
                       'container_volume_mounts', 'container_options', 'container_auth_data')

# Exceptions the runner names in an `error` line, beyond ConfigurationError.
_ERRORS: dict[str, type[Exception]] = {'ValueError': ValueError, 'TypeError': TypeError,
                                        'RuntimeError': RuntimeError}


def _check_protocol(theirs: object) -> None:
    """A binary that speaks another version of the pipe (or none: one older than versions) is
    refused at once, both versions named.
    """
    if theirs != PROTOCOL:
        spoken = 'no version' if theirs is None else f'version {theirs}'
        raise RuntimeError(
            f'the ansible-runner binary ({find_binary()}) speaks pipe {spoken} and this ansible_runner '
            f'package version {PROTOCOL}: install both from the same wheel, or point '
            'ANSIBLE_RUNNER_BINARY at the one that came with the package')


def _refusal(message: dict[str, Any]) -> Exception:
    """The exception the runner's `error` line names, built from its fields."""
    text = message.get('message', 'the runner refused the job')
    if message.get('error') == 'OSError' and isinstance(message.get('errno'), int):
        code = message['errno']
        return OSError(code, os.strerror(code), message.get('filename'))
    return _ERRORS.get(message.get('error', ''), ConfigurationError)(text)


def _registry_auth_path(command: list[str], image: str) -> str | None:
    """Where the engine reads the job's registry credentials, as the reference names it: podman's
    `--authfile` (the file), docker's `--config` (the dir). Read from the engine's options in the
    command line the runner built (before the image; what follows it is Ansible's).
    """
    for arg in command:
        if arg == image:
            break
        for flag in ('--authfile=', '--config='):
            if arg.startswith(flag):
                return arg[len(flag):]
    return None


class BaseExecutionMode:
    """What kind of command a job of the `run_command()` family runs."""

    NONE = 0
    ANSIBLE_COMMANDS = 1
    GENERIC_COMMANDS = 2


class BaseConfig:
    """Where a job's files live and how it runs; `prepare()` in subclasses completes it."""

    @params(COMMON)
    def __init__(
            self, private_data_dir: StrPath | None = None, host_cwd: StrPath | None = None,
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
        """The job's places and settings; its private data dir and artifact dir are made here."""
        del keepalive_seconds  # a worker setting: accepted, as the reference does, and unused
        self.host_cwd = os.path.abspath(os.fspath(host_cwd)) if host_cwd else None
        self.envvars = envvars
        self.ssh_key_data = ssh_key
        self.command: list[str] = []
        self.env: dict[str, str] = {}
        self.process_isolation = process_isolation
        self.process_isolation_executable = (process_isolation_executable
                                             or defaults.default_process_isolation_executable)
        self.container_image = container_image
        self.container_volume_mounts = container_volume_mounts
        self.container_workdir = container_workdir
        self.container_auth_data = container_auth_data
        self.container_name = ''
        self.registry_auth_path: str | None = None
        self.container_options = container_options
        self.rotate_artifacts = rotate_artifacts
        self.quiet = quiet
        self.json_mode = json_mode
        self.passwords = passwords
        self.settings = settings
        self.timeout = timeout
        self.check_job_event_data = check_job_event_data
        self.suppress_env_files = suppress_env_files
        # Set before prepare() when no handler or plugin sees events: the runner writes
        # job_events/ itself instead of sending each event for the package to write.
        self.runner_writes_events = False
        self._child: Child | None = None
        self._set_places(private_data_dir, artifact_dir, ident, project_dir)
        self.fact_cache_type = fact_cache_type
        self._fact_cache_name = fact_cache
        self.fact_cache = (os.path.join(self.artifact_dir, fact_cache or 'fact_cache')
                           if fact_cache_type == 'jsonfile' else None)
        self.cwd = self.host_cwd or os.getcwd()
        os.makedirs(self.artifact_dir, mode=0o700, exist_ok=True)

    def _set_places(self, private_data_dir: StrPath | None, artifact_dir: StrPath | None,
                    ident: str | None, project_dir: StrPath | None) -> None:
        if private_data_dir:
            self.private_data_dir = os.path.abspath(os.fspath(private_data_dir))
            os.makedirs(self.private_data_dir, mode=0o700, exist_ok=True)
        else:
            self.private_data_dir = tempfile.mkdtemp(prefix=defaults.AUTO_CREATE_NAMING,
                                                     dir=defaults.AUTO_CREATE_DIR)
        if artifact_dir is None:
            self.artifact_root = os.path.join(self.private_data_dir, 'artifacts')
        else:
            self.artifact_root = os.path.abspath(os.fspath(artifact_dir))
        self.ident = str(uuid4()) if ident is None else str(ident)
        self.artifact_dir = os.path.join(self.artifact_root, self.ident)
        if project_dir:
            self.project_dir = os.fspath(project_dir)
        else:
            self.project_dir = os.path.join(self.private_data_dir, 'project')

    @property
    def runner_writes_stdout(self) -> bool:
        """Whether the runner writes the events' text to `stdout`. In `json_mode` the file holds
        each event as the application's handler left it, so the package writes it whenever a
        handler or plugin sees the events.
        """
        return self.runner_writes_events or not self.json_mode

    @property
    def containerized(self) -> bool:
        """Whether the job runs in a docker or podman container."""
        return bool(self.process_isolation) and self.process_isolation_executable in _CONTAINER_ENGINES

    # -- the job's runner child ----------------------------------------------------------------

    def _start_child(self, request: dict[str, Any], pass_fds: Sequence[int] = ()) -> dict[str, Any]:
        """Start the runner child with `request` and return its `starting` line once the job is
        prepared; the child waits there until `Runner.run()` lets it go on.
        """
        self.release_child()
        child = Child(pass_fds=pass_fds)
        try:
            child.send({**request, 'protocol': PROTOCOL})
            starting = self._await_starting(child)
        except BaseException:
            child.send({'cancel': True})
            child.finish()
            raise
        self._child = child
        return starting

    @staticmethod
    def _await_starting(child: Child) -> dict[str, Any]:
        """Read the child's first status: `starting`, or the error it refused the job with."""
        while True:
            for line in child.read_lines(1.0):
                if not line.strip():
                    continue
                message: dict[str, Any] = json.loads(line)
                status = message.get('status')
                if status == 'starting':
                    _check_protocol(message.get('protocol'))
                    return message
                if status == 'error':
                    raise _refusal(message)
            if child.ended:
                code = child.finish()
                raise ConfigurationError(
                    f'ansible-runner api ended (exit status {code}) before preparing the job')

    def _take_starting(self, starting: dict[str, Any]) -> None:
        """The real command line, environment and places, as the runner will use them."""
        self.command = starting.get('command', [])
        self.env = starting.get('env', {})
        self.cwd = starting.get('cwd', self.cwd)
        self.artifact_dir = starting.get('artifact_dir', self.artifact_dir)
        self.fact_cache = starting.get('fact_cache', self.fact_cache)
        settings = starting.get('settings') or {}
        for key in _ISOLATION_SETTINGS:
            if key in settings:
                setattr(self, key, settings[key])
        if self.containerized:
            self.container_name = f'ansible_runner_{sanitize_container_name(self.ident)}'
            self.registry_auth_path = _registry_auth_path(self.command, self.container_image)

    def take_child(self) -> Child | None:
        """Hand the prepared child to the Runner that starts the job (once)."""
        child, self._child = self._child, None
        return child

    def release_child(self) -> None:
        """Cancel and reap a child that was prepared and never started."""
        child = self.take_child()
        if child is not None:
            child.send({'cancel': True})
            child.finish()


# The keywords of BaseConfig, which each subclass takes too and hands on as they came.
_BASE_KEYWORDS = tuple(name for name in inspect.signature(BaseConfig.__init__).parameters if name != 'self')


def base_keywords(values: Mapping[str, Any]) -> dict[str, Any]:
    """BaseConfig's keywords, from the `locals()` of a subclass's `__init__` that takes them all."""
    return {name: values[name] for name in _BASE_KEYWORDS}
