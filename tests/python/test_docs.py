"""The composed docstrings: each parameter's text is written once in `_docs`, and each public
function's and config class's docstring documents exactly the parameters its signature has.
"""

from __future__ import annotations

import inspect
import re
import subprocess
import sys

import pytest

import ansible_runner
from ansible_runner import _docs
from ansible_runner.config._base import BaseConfig
from ansible_runner.config._command import CommandJobConfig
from ansible_runner.config.ansible_cfg import AnsibleCfgConfig
from ansible_runner.config.command import CommandConfig
from ansible_runner.config.doc import AnsibleToolConfig, DocConfig
from ansible_runner.config.inventory import InventoryConfig

FUNCTIONS = ['run', 'run_async', 'run_command', 'run_command_async', 'get_plugin_docs',
             'get_plugin_docs_async', 'get_plugin_list', 'get_inventory', 'get_ansible_config',
             'get_role_list', 'get_role_argspec']
CLASSES = [ansible_runner.RunnerConfig, BaseConfig, CommandJobConfig, CommandConfig, AnsibleToolConfig,
           DocConfig, InventoryConfig, AnsibleCfgConfig]
TABLES = {'COMMON': _docs.COMMON, 'RUN': _docs.RUN, 'COMMAND': _docs.COMMAND,
          'ANY_COMMAND': _docs.ANY_COMMAND}


def _documented_callables() -> list[object]:
    return [*(getattr(ansible_runner, name) for name in FUNCTIONS), *(cls.__init__ for cls in CLASSES)]


@pytest.mark.parametrize('target', _documented_callables(), ids=lambda t: t.__qualname__)
def test_the_params_are_the_signatures_in_its_order(target):
    names = [name for name in inspect.signature(target).parameters if name != 'self']
    documented = re.findall(r'^:param (\w+):', inspect.getdoc(target) or '', re.MULTILINE)
    assert documented == names


@pytest.mark.parametrize('target', _documented_callables(), ids=lambda t: t.__qualname__)
def test_a_summary_comes_first_and_returns_last(target):
    doc = inspect.getdoc(target) or ''
    assert not doc.startswith(':'), 'no summary'
    assert ':returns:' not in doc or doc.rindex(':returns:') > doc.rindex(':param ')


def test_every_text_of_the_tables_is_used_somewhere():
    docs = '\n'.join(inspect.getdoc(target) or '' for target in _documented_callables())
    for table_name, table in TABLES.items():
        for name, text in table.items():
            assert text in docs, f'{table_name}[{name!r}] is in no docstring'


def test_the_other_tables_say_something_else_than_common():
    # A table after COMMON holds only what says something else than COMMON does.
    for table_name in ('RUN', 'COMMAND', 'ANY_COMMAND'):
        for name, text in TABLES[table_name].items():
            assert _docs.COMMON.get(name) != text, f'{table_name}[{name!r}] repeats COMMON'


def test_own_text_wins_and_the_first_table_that_knows_a_name_is_taken():
    first = {'a': ':param a: first a.'}
    second = {'a': ':param a: second a.', 'b': ':param b: second b.', 'c': ':param c: second c.'}

    @_docs.params(first, second)
    def function(a: int, b: int, *, c: int = 0, **kwargs: object) -> int:
        """Summary.

        More text.

        :param c: its own c,
            over two lines.
        :returns: a number.
        """
        return a + b + c

    assert inspect.getdoc(function) == (
        'Summary.\n\nMore text.\n\n:param a: first a.\n:param b: second b.\n'
        ':param c: its own c,\n    over two lines.\n:returns: a number.')


def test_a_parameter_without_a_text_is_refused_at_definition():
    with pytest.raises(TypeError, match="no documentation for 'b'"):
        @_docs.params({'a': ':param a: a.'})
        def function(a: int, b: int) -> None:
            """Summary."""


def test_a_text_for_no_parameter_is_refused_at_definition():
    with pytest.raises(TypeError, match=r"documents \['z'\]"):
        @_docs.params({'a': ':param a: a.'})
        def function(a: int) -> None:
            """Summary.

            :param z: not a parameter.
            """


def test_the_package_imports_without_docstrings():
    # `python -OO` takes every docstring away, so the functions' own `:param` lines are gone too.
    code = 'import ansible_runner; assert ansible_runner.run.__doc__ is None; print("ok")'
    result = subprocess.run([sys.executable, '-OO', '-c', code], capture_output=True, text=True, check=False)
    assert result.stdout.strip() == 'ok', result.stderr
