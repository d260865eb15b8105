"""ansible-runner's Python API; every job runs in a child `ansible-runner api` process."""

from types import ModuleType as _ModuleType

from ansible_runner._plugins import plugins
from ansible_runner.exceptions import AnsibleRunnerException, CallbackError, ConfigurationError
from ansible_runner.interface import (
    get_ansible_config,
    get_inventory,
    get_plugin_docs,
    get_plugin_docs_async,
    get_plugin_list,
    get_role_argspec,
    get_role_list,
    run,
    run_async,
    run_command,
    run_command_async,
)
from ansible_runner.runner import Runner
from ansible_runner.runner_config import RunnerConfig

# The reference's package has this name too (`from ansible_runner import importlib_metadata`
# works there); it is not API, so `dir()` leaves it out.
from ansible_runner.utils.importlib_compat import importlib_metadata


def _version() -> str:
    try:
        return importlib_metadata.version('ansible-runner')
    except importlib_metadata.PackageNotFoundError:
        return '0+unknown'


__version__ = _version()

__all__ = [
    'AnsibleRunnerException',
    'CallbackError',
    'ConfigurationError',
    'Runner',
    'RunnerConfig',
    '__version__',
    'get_ansible_config',
    'get_inventory',
    'get_plugin_docs',
    'get_plugin_docs_async',
    'get_plugin_list',
    'get_role_argspec',
    'get_role_list',
    'plugins',
    'run',
    'run_async',
    'run_command',
    'run_command_async',
]


def __dir__() -> list[str]:
    """`dir(ansible_runner)`: the API, the module's own dunder names and the public submodules
    imported so far, without the names it imports for its own use.
    """
    return sorted({*__all__, *(name for name, value in globals().items() if _listed(name, value))})


def _listed(name: str, value: object) -> bool:
    """Whether `dir()` shows `name`: a dunder name, or a public submodule."""
    if name.startswith('__') and name.endswith('__'):
        return True
    return (not name.startswith('_') and isinstance(value, _ModuleType)
            and value.__name__ == f'{__name__}.{name}')
