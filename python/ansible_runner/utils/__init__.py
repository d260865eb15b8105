"""Helpers shared by the API: writing the job's input files and reading its event files."""

from __future__ import annotations

import atexit
import contextlib
import functools
import json
import os
import re
import shutil
import subprocess
import sysconfig
import tempfile
from collections.abc import Iterable, Iterator, MutableMapping
from shlex import quote
from typing import Any

from ansible_runner import defaults
from ansible_runner.exceptions import ConfigurationError

_EVENT_FILE = re.compile(r'^[0-9]+-.+json$')


def isplaybook(obj: Any) -> bool:
    """Tell plays given in memory (a list of dicts) from a playbook path."""
    return isinstance(obj, Iterable) and not isinstance(obj, (str, MutableMapping))


def isinventory(obj: Any) -> bool:
    """Tell an inventory that must be written to disk (a dict or text) from a list of paths."""
    return isinstance(obj, (MutableMapping, str))


def check_isolation_executable_installed(isolation_executable: str) -> bool:
    """Whether `<executable> --version` runs, as the reference checks before an isolated job."""
    try:
        with subprocess.Popen([isolation_executable, '--version'],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
            proc.communicate()
            return proc.returncode == 0
    except OSError:
        return False


def is_dir_owner(directory: str) -> bool:
    """Whether this process's effective user owns `directory` (the reference offers it; callers
    use it to tell a per-user install from a system one).
    """
    return os.stat(directory).st_uid == os.geteuid()


def write_private_file(path: str, data: str | bytes) -> None:
    """Write a file readable by its owner only, whole or not at all: a temp file beside it, renamed
    over it. Neither name is followed if it is a symlink, and the temp file never stays behind.
    """
    if isinstance(data, str):
        data = data.encode('utf-8')
    directory, name = os.path.split(path)
    temporary = os.path.join(directory, f'.{name}.tmp')
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        with os.fdopen(fd, 'wb') as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def cleanup_folder(folder: str) -> bool:
    """Removes `folder`; whether there was one to remove."""
    try:
        shutil.rmtree(folder)
    except (FileNotFoundError, NotADirectoryError):
        return False
    return True


def register_for_cleanup(folder: str) -> None:
    """Removes `folder` when the interpreter exits."""
    atexit.register(cleanup_folder, folder)


def dump_artifact(obj: str, path: str, filename: str | None = None) -> str:
    """Write `obj` to `path/filename` unless that file already holds it; return the file's path."""
    os.makedirs(path, mode=0o700, exist_ok=True)
    if filename is None:
        fd, target = tempfile.mkstemp(dir=path)
        os.close(fd)
    else:
        target = os.path.join(path, filename)
    data = str(obj).encode('utf-8')
    if os.path.exists(target):
        with open(target, 'rb') as handle:
            if handle.read() == data:
                return target
    write_private_file(target, data)
    return target


def _new_private_data_dir() -> str:
    return tempfile.mkdtemp(prefix=defaults.AUTO_CREATE_NAMING, dir=defaults.AUTO_CREATE_DIR)


def _dump_role(kwargs: dict[str, Any], private_data_dir: str) -> None:
    """Turn `role=` into a one-play playbook and point ANSIBLE_ROLES_PATH at the roles."""
    role: dict[str, Any] = {'name': kwargs.pop('role')}
    if 'role_vars' in kwargs:
        role['vars'] = kwargs.pop('role_vars')
    play: dict[str, Any] = {'hosts': kwargs.pop('hosts', 'all'), 'roles': [role]}
    if kwargs.pop('role_skip_facts', False):
        play['gather_facts'] = False
    kwargs['playbook'] = [play]
    if kwargs.get('envvars') is None:
        kwargs['envvars'] = {}
    own_roles = os.path.join(private_data_dir, 'roles')
    roles_path = kwargs.pop('roles_path', None)
    if isinstance(roles_path, (list, tuple)):
        roles_path = ':'.join(os.fspath(p) for p in roles_path)
    kwargs['envvars']['ANSIBLE_ROLES_PATH'] = f'{roles_path}:{own_roles}' if roles_path else own_roles


def _dump_playbook(kwargs: dict[str, Any], private_data_dir: str) -> None:
    playbook = kwargs.get('playbook')
    if not playbook:
        return
    if isinstance(playbook, MutableMapping):
        playbook = [playbook]
    if isplaybook(playbook):
        path = os.path.join(private_data_dir, 'project')
        kwargs['playbook'] = dump_artifact(json.dumps(playbook), path, 'main.json')


def _dump_inventory(kwargs: dict[str, Any], private_data_dir: str) -> None:
    obj = kwargs.get('inventory')
    if not obj or not isinventory(obj):
        return
    path = os.path.join(private_data_dir, 'inventory')
    if isinstance(obj, MutableMapping):
        kwargs['inventory'] = dump_artifact(json.dumps(obj), path, 'hosts.json')
    elif not os.path.exists(os.path.join(path, obj)):
        kwargs['inventory'] = dump_artifact(obj, path, 'hosts')
    elif os.path.isabs(obj):
        kwargs['inventory'] = obj
    else:
        kwargs['inventory'] = os.path.join(path, obj)


def _dump_env_files(kwargs: dict[str, Any], private_data_dir: str) -> None:
    """Write env/ files that do not exist yet; what was written is taken out of `kwargs`."""
    path = os.path.join(private_data_dir, 'env')
    for key in ('envvars', 'extravars', 'passwords', 'settings', 'ssh_key', 'cmdline'):
        obj = kwargs.get(key)
        if not obj or os.path.exists(os.path.join(path, key)):
            continue
        text = json.dumps(obj) if key in ('envvars', 'extravars', 'passwords', 'settings') else str(obj)
        dump_artifact(text, path, key)
        kwargs.pop(key)


def dump_artifacts(kwargs: dict[str, Any]) -> None:
    """Write what the keywords hold in memory to the private data dir, as the reference does.

    Plays, inventories and (unless `suppress_env_files`) env/ values land on disk, and `kwargs`
    is rewritten to name the files.
    """
    private_data_dir = kwargs.get('private_data_dir')
    if not private_data_dir:
        private_data_dir = _new_private_data_dir()
    private_data_dir = os.path.abspath(os.fspath(private_data_dir))
    if not os.path.exists(private_data_dir):
        raise ValueError('private_data_dir path is either invalid or does not exist')
    kwargs['private_data_dir'] = private_data_dir
    if 'role' in kwargs:
        _dump_role(kwargs, private_data_dir)
    _dump_playbook(kwargs, private_data_dir)
    _dump_inventory(kwargs, private_data_dir)
    if not kwargs.get('suppress_env_files', False):
        _dump_env_files(kwargs, private_data_dir)


def cleanup_artifact_dir(path: str, num_keep: int = 0) -> None:
    """Keep only the `num_keep` newest artifact dirs under `path` (0 keeps all)."""
    if num_keep < 1:
        return
    entries = sorted((os.path.join(path, p) for p in os.listdir(path)), key=os.path.getmtime)
    for entry in entries[:max(0, len(entries) - num_keep)]:
        shutil.rmtree(entry)


def event_file_counter(name: str) -> int:
    """The counter that leads an event file's name, for sorting."""
    return int(name.split('-', 1)[0])


def collect_new_events(event_path: str,
                       old_events: dict[str, bool]) -> Iterator[tuple[dict[str, Any], dict[str, bool]]]:
    """Yield events from files in `event_path` not yet in `old_events`, in counter order."""
    names = [n for n in os.listdir(event_path)
             if _EVENT_FILE.match(n) and '-partial' not in n and n not in old_events]
    names.sort(key=event_file_counter)
    for name in names:
        with open(os.path.join(event_path, name), encoding='utf-8') as handle:
            try:
                event = json.load(handle)
            except ValueError:
                break
        old_events[name] = True
        yield event, old_events


def args2cmdline(*args: str) -> str:
    """Quote each argument for a POSIX shell and join them."""
    return ' '.join(quote(a) for a in args)


def ensure_str(s: Any, encoding: str = 'utf-8', errors: str = 'strict') -> str:
    """Return `s` as text, decoding bytes."""
    if isinstance(s, bytes):
        return s.decode(encoding, errors)
    if not isinstance(s, str):
        raise TypeError(f"not expecting type '{type(s)}'")
    return s


def sanitize_container_name(original_name: str) -> str:
    """Replace what docker and podman refuse in a container name with `_`."""
    return re.sub('[^a-zA-Z0-9_-]', '_', str(original_name))


def sanitize_json_response(data: str) -> str:
    """Drop whatever an Ansible tool printed before its JSON document."""
    start = data.find('{')
    return data[start:].strip() if start >= 0 else data


@functools.cache
def _scripts_dir() -> str:
    """The interpreter's scripts dir: fixed for the process, and costly to work out per call."""
    return sysconfig.get_path('scripts')


def job_path() -> str | None:
    """PATH with the interpreter's scripts dir at its end when Ansible is installed there and PATH
    does not name it, so that an application started as `/venv/bin/python app.py` (a service, a
    cron job) without the venv activated still finds `ansible-playbook`; None when PATH will do.
    Jobs run with it (`envvars` still override it), and commands are looked up on it.
    """
    scripts = _scripts_dir()
    path = os.environ.get('PATH', '')
    if not scripts or scripts in path.split(os.pathsep):
        return None
    if not os.access(os.path.join(scripts, 'ansible-playbook'), os.X_OK):
        return None
    return os.pathsep.join(filter(None, (path, scripts)))


def get_executable_path(name: str) -> str:
    """The full path of `name` on the jobs' PATH, or ConfigurationError."""
    path = shutil.which(name, path=job_path())
    if path is None:
        raise ConfigurationError(f'{name} command not found')
    return path
