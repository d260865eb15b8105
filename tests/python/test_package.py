"""The installed package as a whole, on whichever Python runs the suite (3.9 to 3.13)."""

from __future__ import annotations

import importlib
import pkgutil

import ansible_runner


def test_every_module_imports():
    # A module the suite never loads would still show, here, syntax or a runtime annotation
    # (`X | Y` outside an annotation, say) that this Python lacks.
    names = [m.name for m in pkgutil.walk_packages(ansible_runner.__path__, 'ansible_runner.')]
    assert 'ansible_runner.config.runner' in names
    for name in names:
        importlib.import_module(name)
