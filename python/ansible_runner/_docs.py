"""The text of each parameter of the public functions and the config classes, written once.

A function's docstring holds its summary, its `:returns:` and the `:param` lines that only it has;
`@params(...)` adds a line for every other parameter of its signature, in the signature's order,
from the first table that knows the name. A parameter that no table knows, or a line naming no
parameter, fails at import time.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

_Function = TypeVar('_Function', bound=Callable[..., Any])

_ENTRY = re.compile(r'^:param (\w+): (.*?)(?=^:|\Z)', re.MULTILINE | re.DOTALL)


def _entries(block: str) -> dict[str, str]:
    """The `:param NAME: text` entries of a block (continuation lines indented by 4), by name."""
    return {name: f':param {name}: {text.rstrip()}' for name, text in _ENTRY.findall(block)}


def _documented(function: Callable[..., Any]) -> list[str]:
    """The names of the parameters a docstring documents: all but `self`, `*args` and `**kwargs`."""
    skipped = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    return [parameter.name for parameter in inspect.signature(function).parameters.values()
            if parameter.name != 'self' and parameter.kind not in skipped]


def compose(function: Callable[..., Any], *tables: Mapping[str, str]) -> str:
    """The docstring of `function`: its own summary, a `:param` line for each of its parameters
    (its own docstring's, else that of the first of `tables` that has one), then its `:returns:`.
    """
    doc = inspect.cleandoc(function.__doc__ or '')
    start = re.search(r'^:(?:param |returns:)', doc, re.MULTILINE)
    summary, rest = (doc[:start.start()], doc[start.start():]) if start else (doc, '')
    own_block, returns_mark, returns = rest.partition(':returns:')
    own = _entries(own_block)
    names = _documented(function)
    extra = sorted(set(own) - set(names))
    if extra:
        raise TypeError(f'{function.__qualname__}() documents {extra}, which it does not take')
    lines: list[str] = []
    for name in names:
        text = own.get(name) or next((table[name] for table in tables if name in table), None)
        if text is None:
            raise TypeError(f'{function.__qualname__}() has no documentation for {name!r}')
        lines.append(text)
    if returns_mark:
        lines.append(f'{returns_mark}{returns.rstrip()}')
    return f'{summary.rstrip()}\n\n' + '\n'.join(lines) + '\n'


def params(*tables: Mapping[str, str]) -> Callable[[_Function], _Function]:
    """Complete the docstring of the function it decorates with `compose()` (unless `python -OO`
    took the docstrings away).
    """
    def fill(function: _Function) -> _Function:
        if function.__doc__ is not None:
            function.__doc__ = compose(function, *tables)
        return function
    return fill


# What each parameter means wherever a table below does not say otherwise: for the config classes
# and the command family, and for `run()` where it takes the same parameter.
COMMON = _entries("""
:param private_data_dir: The job's directory (made when missing): its `env/` inputs are read there,
    and its artifacts go to `artifacts/` unless `artifact_dir` says otherwise. A new temporary
    directory when omitted.
:param ident: The run's identifier, which names its artifact dir; a new UUID when omitted.
:param artifact_dir: The directory the run's own artifact dir, `<artifact_dir>/<ident>`, is made in;
    `<private_data_dir>/artifacts` when omitted.
:param project_dir: Where playbooks are looked up; `<private_data_dir>/project` when omitted.
:param playbook: The playbook: a path, relative to the project dir or absolute, or plays given in
    memory (a list of dicts, or one dict), which are written to `project/main.json`.
:param module: Run this module ad hoc (`ansible -m MODULE`) instead of a playbook.
:param module_args: The arguments of the ad-hoc `module` (`-a`).
:param host_pattern: The hosts the ad-hoc `module` runs on.
:param binary: The program to run in place of `ansible-playbook` (or `ansible` for `module`).
:param role: Run this role: the job runs a generated one-play playbook that applies it, with
    `<private_data_dir>/roles` added to `ANSIBLE_ROLES_PATH` (after `roles_path`).
:param role_vars: The variables of `role`.
:param role_skip_facts: Do not gather facts in the play of `role`.
:param hosts: The hosts the play of `role` runs on.
:param roles_path: A directory, or a list of them, for `ANSIBLE_ROLES_PATH`.
:param inventory: The inventory, in place of `<private_data_dir>/inventory`: a path (relative to that
    directory, or absolute), a list of sources (an empty list passes none), a dict in Ansible's
    YAML/JSON inventory structure (written to `inventory/hosts.json`) or INI text (written to
    `inventory/hosts`).
:param limit: Narrow the inventory to the hosts this pattern matches (`--limit`).
:param forks: How many hosts Ansible works on in parallel (`--forks`).
:param verbosity: How verbose Ansible is: the number of `-v` flags.
:param tags: Run only the tasks with these tags (`--tags`).
:param skip_tags: Skip the tasks with these tags (`--skip-tags`).
:param extravars: Extra variables (`-e`). Written to `env/extravars` when that file does not exist yet
    (and `suppress_env_files` is not set); otherwise passed after the file, so these win.
:param cmdline: More Ansible options, as shell words; in place of `env/cmdline`.
:param envvars: Environment variables for the job, on top of this process's environment; the values of
    an `env/envvars` file win over these.
:param passwords: Answers to prompts: each key is a regular expression matched against the job's
    output, its value the text typed in reply (the job then runs on a pseudo-terminal); the entries of
    an `env/passwords` file win.
:param settings: Runner settings (`job_timeout`, `idle_timeout`, `pexpect_timeout`,
    `suppress_ansible_output`, the isolation settings, ...); the values of an `env/settings` file win.
:param ssh_key: A private key (its text), loaded into an `ssh-agent` that the job runs under; an
    `env/ssh_key` file is used instead when there is one.
:param suppress_env_files: Kept on the config for `run()`, which then writes nothing to `env/`; the
    config itself never writes there.
:param timeout: Seconds the job may run: it is then stopped and ends with status `timeout`. Takes the
    place of the `job_timeout` setting.
:param host_cwd: The directory the job runs in. An isolated job mounts it at the same path, where it
    is the working directory unless `container_workdir` names another.
:param quiet: Print none of the job's output on this process's stdout.
:param json_mode: Print each event on this process's stdout as a line of JSON rather than its text.
:param suppress_output_file: Write no `stdout` and `stderr` artifact files.
:param suppress_ansible_output: Print none of Ansible's output on this process's stdout (the
    `suppress_ansible_output` setting wins).
:param omit_event_data: Keep only each event's text and type, not its `event_data`.
:param only_failed_event_data: As `omit_event_data`, except for the events of failed tasks.
:param check_job_event_data: Accepted as the reference accepts it (there, it checks that each event's
    data arrived whole); events reach the application whole here, so it changes nothing.
:param rotate_artifacts: Keep only this many artifact dirs, the newest, under `artifact_dir`; 0 keeps
    them all.
:param fact_cache: The name of the `jsonfile` fact cache's directory in the artifact dir; `fact_cache`
    when omitted.
:param fact_cache_type: The Ansible fact cache plugin of the job. With `jsonfile`, the default, the
    cache is a directory of the artifact dir that `Runner.get_fact_cache()` and
    `Runner.set_fact_cache()` read and write.
:param process_isolation: Run the job isolated: in a container when `process_isolation_executable` is
    a container engine (podman, docker), else in a bubblewrap sandbox.
:param process_isolation_executable: The container engine (`podman`, `docker`) or sandbox program
    (`bwrap`) of an isolated job; `podman` when omitted.
:param process_isolation_path: Where a sandboxed job's temporary directories are made; `/tmp` when
    omitted.
:param process_isolation_hide_paths: A path, or a list of them, that a sandboxed job does not see.
:param process_isolation_show_paths: A path, or a list of them, that a sandboxed job sees.
:param process_isolation_ro_paths: A path, or a list of them, that a sandboxed job sees read-only.
:param directory_isolation_base_path: Copy the project into a new temporary directory under this path
    and run the job there.
:param container_image: The image (an execution environment) a containerized job runs in.
:param container_volume_mounts: More bind mounts for the container, each `host_path:container_path`
    with an optional `:options` suffix.
:param container_options: More options for the container engine's `run` command.
:param container_workdir: The working directory inside the container.
:param container_auth_data: Credentials for the registry of `container_image`: `host`, `username`,
    `password`, and `verify_ssl` (false to allow a registry without valid TLS). They are kept in a
    private directory for the job's lifetime.
:param keepalive_seconds: A setting of streamed jobs' workers; accepted and not used by a job run
    here.
:param streamer: One step of a streamed job instead of the job: `transmit` writes the job (these
    keywords and the private data dir) to `_output`; `worker` runs the job read from `_input` and
    writes its results to `_output`; `process` reads those results from `_input` into the artifact dir
    and calls the handlers. The object of that step is returned in place of a `Runner`.
:param _input: The stream a `worker` or `process` step reads; this process's stdin when omitted.
:param _output: The stream a `transmit` or `worker` step writes; this process's stdout when omitted.
:param only_transmit_kwargs: With `transmit`, send the keywords without the private data dir.
:param event_handler: Called with each event (a dict) in order. The event's file in `job_events/` is
    written only when it returns something truthy; an `OSError` it raises is ignored, any other
    exception stops the job and is raised.
:param status_handler: Called as `status_handler(data, runner_config=config)` on each change of
    status; `data` holds `status` and `runner_ident`, and on `starting` also the job's `command`,
    `env` and `cwd`.
:param artifacts_handler: Called with the run's artifact dir once the job has ended.
:param cancel_callback: Polled while the job runs: a truthy result cancels the job. Without it, SIGINT
    and SIGTERM cancel the job while it runs on the main thread. Setting `canceled` on the Runner
    cancels the job too.
:param finished_callback: Called last, with the Runner, once the job has ended and the other handlers
    have run.
:param debug: With `ignore_logging=False`: True sets the `ansible-runner` logger to DEBUG.
:param logfile: With `ignore_logging=False`: also log to this file.
:param ignore_logging: Leave logging as the application set it up; False applies `debug` and
    `logfile`.
:param executable_cmd: The program to run, looked up on the job's PATH unless it is a path.
:param cmdline_args: Its arguments. A program whose name contains `python` needs them (the script to
    run).
:param input_fd: In `subprocess` mode, the command's stdin: a file object or descriptor of this
    process, which the command reads directly.
:param output_fd: In `subprocess` mode, the command's stdout: a file object or descriptor that the
    command writes directly (that output is not in the `stdout` artifact).
:param error_fd: In `subprocess` mode, the command's stderr, as `output_fd`.
:param runner_mode: `subprocess` (the default: stdout and stderr apart) or `pexpect` (on a
    pseudo-terminal, stderr mixed into stdout).
:param plugin_names: The plugins to document, by name.
:param plugin_type: Their type (`module`, `become`, `cache`, `callback`, `connection`, `inventory`,
    `lookup`, `vars`, `strategy`, ...); Ansible's default, `module`, when omitted.
:param response_format: `json` (the response is then the parsed document) or `human` (Ansible's text);
    Ansible's text when omitted.
:param snippet: Show each plugin's usage snippet instead of its documentation (`-s`).
:param playbook_dir: A playbook directory, whose adjacent plugins, roles and collections Ansible then
    finds (`--playbook-dir`).
:param module_path: Directories (joined with `:`) searched for modules before the configured ones
    (`-M`).
""")

# What `run()` and `run_async()` say instead: they write their in-memory inputs to `env/`, and need
# an existing private data dir.
RUN = _entries("""
:param private_data_dir: The job's directory, which must exist: its inputs are read from `project/`,
    `inventory/` and `env/`, and its artifacts go to `artifacts/` unless `artifact_dir` says
    otherwise. A new temporary directory when omitted.
:param envvars: Environment variables for the job, on top of this process's environment. Written to
    `env/envvars` when that file does not exist yet (and `suppress_env_files` is not set); the file's
    values win over these.
:param passwords: Answers to prompts: each key is a regular expression matched against the job's
    output, its value the text typed in reply (the job then runs on a pseudo-terminal). Written to
    `env/passwords` as `envvars` is; the file's entries win.
:param settings: Runner settings (`job_timeout`, `idle_timeout`, `pexpect_timeout`,
    `suppress_ansible_output`, the isolation settings, ...). Written to `env/settings` as `envvars`
    is; the file's values win.
:param ssh_key: A private key (its text), loaded into an `ssh-agent` that the job runs under. Written
    to `env/ssh_key` as `envvars` is; an existing file is used instead.
:param suppress_env_files: Write nothing to `env/`: `envvars`, `extravars`, `passwords`, `settings`
    and `ssh_key` reach the job from memory only.
:param process_isolation: Run the job isolated: in a container when `process_isolation_executable` is
    a container engine (podman, docker), else in a bubblewrap sandbox. A container engine that is not
    installed ends the application with exit status 1, as the reference does.
""")

# What the command family (`run_command()`, the `get_*()` functions and their configs) says instead:
# it runs one command, in a container at most.
COMMAND = _entries("""
:param host_cwd: The directory the command runs in; the application's own working directory when
    omitted. A containerized job mounts it at the same path, where it is the working directory unless
    `container_workdir` names another.
:param passwords: Answers to prompts (`pexpect` mode only): each key is a regular expression matched
    against the command's output, its value the text typed in reply; the entries of an `env/passwords`
    file win.
:param suppress_env_files: Accepted as the reference accepts it: the command family writes nothing to
    `env/` anyway.
:param process_isolation: Run the command in a container of `container_image`, with the engine
    `process_isolation_executable` names.
:param process_isolation_executable: The container engine, `podman` (the default) or `docker`.
""")

# `run_command()`'s mode, which can answer prompts, unlike the Ansible tools' default.
ANY_COMMAND = _entries("""
:param runner_mode: `pexpect` (on a pseudo-terminal, prompts answered from `passwords`, stderr mixed
    into stdout) or `subprocess` (stdout and stderr apart, no prompts answered). When omitted:
    `subprocess` if `input_fd` is given or the program is `ansible-config`, `ansible-doc` or
    `ansible-galaxy`, else `pexpect`.
""")
