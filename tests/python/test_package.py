"""The installed package as a whole, on whichever Python runs the suite (3.9 to 3.13)."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import os
import pkgutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import ansible_runner


def test_every_module_imports():
    # A module the suite never loads would still show, here, syntax or a runtime annotation
    # (`X | Y` outside an annotation, say) that this Python lacks.
    names = [m.name for m in pkgutil.walk_packages(ansible_runner.__path__, 'ansible_runner.')]
    assert 'ansible_runner.config.runner' in names
    for name in names:
        importlib.import_module(name)


def test_plugins_come_from_entry_points(tmp_path):
    # Python 3.9's entry_points() takes no group and returns a dict: the package reads both forms.
    (tmp_path / 'demo_plugin.py').write_text('MARK = "loaded"\n')
    info = tmp_path / 'demo_plugin-1.0.dist-info'
    info.mkdir()
    (info / 'METADATA').write_text('Metadata-Version: 2.1\nName: demo-plugin\nVersion: 1.0\n')
    (info / 'entry_points.txt').write_text('[ansible_runner.plugins]\ndemo = demo_plugin\n')
    code = 'import ansible_runner; print(sorted(ansible_runner.plugins), ansible_runner.plugins["demo"].MARK)'
    found = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True,
                           env={**os.environ, 'PYTHONPATH': str(tmp_path)})
    assert found.stdout == "['demo'] loaded\n"


def _modules() -> list[tuple[str, Path]]:
    """Every module of the installed package but its `__init__`, by name, with its file."""
    root = Path(ansible_runner.__file__).parent
    found = []
    for path in sorted(root.rglob('*.py')):
        parts = path.relative_to(root).with_suffix('').parts
        if parts == ('__init__',):
            continue
        if parts[-1] == '__init__':
            parts = parts[:-1]
        found.append(('.'.join(('ansible_runner', *parts)), path))
    return found


def _submodules() -> set[str]:
    root = Path(ansible_runner.__file__).parent
    return {p.stem for p in root.glob('*.py')} | {p.parent.name for p in root.glob('*/__init__.py')}


def _imports_of_the_package(name: str, path: Path) -> list[str]:
    """The import statements of a module that reach the package's `__init__` for a name of its
    own: `import ansible_runner` (or `import ansible_runner.x`, which binds `ansible_runner`), and
    `from ansible_runner import NAME` where NAME is not a submodule.
    """
    package = name if path.name == '__init__.py' else name.rpartition('.')[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding='utf-8'))):
        if isinstance(node, ast.Import):
            # `import ansible_runner.x` binds `ansible_runner` too; `import ansible_runner.x as y` does not.
            found += [f'import {a.name}' + (f' as {a.asname}' if a.asname else '') for a in node.names
                      if a.name == 'ansible_runner'
                      or (a.name.startswith('ansible_runner.') and not a.asname)]
        elif isinstance(node, ast.ImportFrom):
            base = importlib.util.resolve_name('.' * node.level + (node.module or ''), package)
            if base == 'ansible_runner':
                found += [f'from ansible_runner import {a.name}' for a in node.names
                          if a.name not in _submodules()]
    return found


def test_no_module_imports_the_package_itself():
    # The package's `__init__` imports its modules; a module that imports `ansible_runner` back
    # (to reach `ansible_runner.plugins`, say) depends on the order the package initialises in.
    modules = _modules()
    assert len(modules) > 15
    offenders = {name: found for name, path in modules if (found := _imports_of_the_package(name, path))}
    assert offenders == {}


def test_plugins_is_one_dict_everywhere():
    from ansible_runner import _plugins, interface, runner, streaming

    assert ansible_runner.plugins is _plugins.plugins
    for module in (interface, runner, streaming):
        assert module.plugins is ansible_runner.plugins


def test_dir_lists_the_api_and_the_public_submodules():
    listed = {name for name in dir(ansible_runner) if not (name.startswith('__') and name.endswith('__'))}
    submodules = {name for name in listed if isinstance(getattr(ansible_runner, name), ModuleType)}
    assert {'interface', 'runner', 'exceptions'} <= submodules
    assert not any(name.startswith('_') for name in submodules)
    assert listed - submodules == set(ansible_runner.__all__) - {'__version__'}
    assert '__version__' in dir(ansible_runner)
    assert not {'Any', 'annotations', 'importlib_metadata'} & set(dir(ansible_runner))


REFERENCE_INIT = next(iter(sorted((Path(__file__).resolve().parents[2] / '.venv').glob(
    'lib/python3*/site-packages/ansible_runner/__init__.py'))), None)


@pytest.mark.skipif(REFERENCE_INIT is None, reason='the reference is not in .venv')
def test_every_name_of_the_references_package_imports():
    assert REFERENCE_INIT is not None
    names = set()
    for node in ast.parse(REFERENCE_INIT.read_text(encoding='utf-8')).body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split('.')[0] for a in node.names}
        elif isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    assert {'run', 'plugins', 'importlib_metadata', 'RunnerConfig'} <= names
    for name in names:
        namespace: dict[str, object] = {}
        exec(f'from ansible_runner import {name}', namespace)
        assert name in namespace
