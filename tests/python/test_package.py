"""The installed package as a whole, on whichever Python runs the suite (3.9 to 3.13)."""

from __future__ import annotations

import importlib
import os
import pkgutil
import subprocess
import sys

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
