"""The public functions' and classes' signatures: every keyword the reference accepts is a named
parameter here, documented, with no `**kwargs` left to swallow a typo; and calls pass on what
they passed on when the functions took `**kwargs`.

The reference's keywords are read from its source in .venv with `ast` (it is not importable here).
"""

from __future__ import annotations

import ast
import inspect
import io
import json
import pydoc
import re
from pathlib import Path

import pytest

import ansible_runner
from ansible_runner import interface
from ansible_runner.config._base import BaseConfig
from ansible_runner.config._command import CommandJobConfig
from ansible_runner.config.ansible_cfg import AnsibleCfgConfig
from ansible_runner.config.command import CommandConfig
from ansible_runner.config.doc import DocConfig
from ansible_runner.config.inventory import InventoryConfig

VENV = Path(__file__).resolve().parents[2] / '.venv'
REFERENCE = next(iter(sorted(VENV.glob('lib/python3*/site-packages/ansible_runner'))), None)
needs_reference = pytest.mark.skipif(REFERENCE is None or not (REFERENCE / 'interface.py').exists(),
                                     reason=f'the reference is not in {VENV}')

# Where each public function's keywords go in the reference: the function itself, the `init_*`
# function it hands its `**kwargs` to, and the constructors and helpers that take them from there.
_JOB = [('config/_base.py', 'BaseConfig.__init__')]
_RUN = [('interface.py', 'run'), ('interface.py', 'init_runner'), ('utils/__init__.py', 'dump_artifacts'),
        ('config/runner.py', 'RunnerConfig.__init__'), ('streaming.py', 'Transmitter.__init__'),
        ('streaming.py', 'Worker.__init__'), ('streaming.py', 'Processor.__init__'), *_JOB]
_COMMAND = [('interface.py', 'run_command'), ('interface.py', 'init_command_config'),
            ('config/command.py', 'CommandConfig.__init__'), *_JOB]
_PLUGIN_DOCS = [('interface.py', 'get_plugin_docs'), ('interface.py', 'init_plugin_docs_config'),
                ('config/doc.py', 'DocConfig.__init__'), *_JOB]
SOURCES = {
    'run': _RUN,
    'run_async': [('interface.py', 'run_async'), *_RUN],
    'run_command': _COMMAND,
    'run_command_async': [('interface.py', 'run_command_async'), *_COMMAND],
    'get_plugin_docs': _PLUGIN_DOCS,
    'get_plugin_docs_async': [('interface.py', 'get_plugin_docs_async'), *_PLUGIN_DOCS],
    'get_plugin_list': [('interface.py', 'get_plugin_list'), ('config/doc.py', 'DocConfig.__init__'), *_JOB],
    'get_inventory': [('interface.py', 'get_inventory'), ('config/inventory.py', 'InventoryConfig.__init__'),
                      *_JOB],
    'get_ansible_config': [('interface.py', 'get_ansible_config'),
                           ('config/ansible_cfg.py', 'AnsibleCfgConfig.__init__'), *_JOB],
    'get_role_list': [('interface.py', 'get_role_list'), ('config/doc.py', 'DocConfig.__init__'), *_JOB],
    'get_role_argspec': [('interface.py', 'get_role_argspec'), ('config/doc.py', 'DocConfig.__init__'),
                         *_JOB],
}
PUBLIC_FUNCTIONS = sorted(SOURCES)
CLASSES = [ansible_runner.Runner, ansible_runner.RunnerConfig, BaseConfig, CommandJobConfig, CommandConfig,
           DocConfig, InventoryConfig, AnsibleCfgConfig]


def _definition(path: str, qualname: str) -> ast.FunctionDef:
    assert REFERENCE is not None
    tree = ast.parse((REFERENCE / path).read_text(encoding='utf-8'))
    scope: list[ast.stmt] = tree.body
    *outer, name = qualname.split('.')
    for class_name in outer:
        scope = next(n for n in scope if isinstance(n, ast.ClassDef) and n.name == class_name).body
    return next(n for n in scope if isinstance(n, ast.FunctionDef) and n.name == name)


def _accepted(function: ast.FunctionDef) -> set[str]:
    """What a definition of the reference takes by keyword: its named parameters, those its
    docstring documents, and the keys it reads from its `kwargs` dict.
    """
    args = function.args
    names = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs} - {'self', 'kwargs'}
    names |= set(re.findall(r':param (?:[\w.|]+ )*?(\w+):', ast.get_docstring(function) or ''))
    for node in ast.walk(function):
        key = None
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id == 'kwargs'
                and node.func.attr in ('get', 'pop') and node.args):
            key = node.args[0]
        elif (isinstance(node, ast.Compare) and isinstance(node.ops[0], (ast.In, ast.NotIn))
              and isinstance(node.comparators[0], ast.Name) and node.comparators[0].id == 'kwargs'):
            key = node.left
        elif (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name)
              and node.value.id == 'kwargs'):
            key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            names.add(key.value)
    return names


def _named(function: object) -> dict[str, inspect.Parameter]:
    return {name: parameter for name, parameter in inspect.signature(function).parameters.items()
            if parameter.kind not in (parameter.VAR_KEYWORD, parameter.VAR_POSITIONAL)}


@needs_reference
@pytest.mark.parametrize('name', PUBLIC_FUNCTIONS)
def test_every_keyword_of_the_reference_is_a_named_parameter(name):
    expected: set[str] = set()
    for path, qualname in SOURCES[name]:
        expected |= _accepted(_definition(path, qualname))
    assert len(expected) > 20, f'too few keywords read from the reference for {name}: {sorted(expected)}'
    missing = expected - set(_named(getattr(ansible_runner, name)))
    assert not missing, f'{name}() has no parameter for {sorted(missing)}'


@needs_reference
@pytest.mark.parametrize('name', PUBLIC_FUNCTIONS)
def test_positional_parameters_are_the_references(name):
    args = _definition('interface.py', name).args
    theirs = [a.arg for a in args.posonlyargs + args.args]
    ours = [p.name for p in inspect.signature(getattr(ansible_runner, name)).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    assert ours == theirs


@pytest.mark.parametrize('name', PUBLIC_FUNCTIONS)
def test_no_catch_all_keywords(name):
    kinds = {p.kind for p in inspect.signature(getattr(ansible_runner, name)).parameters.values()}
    assert inspect.Parameter.VAR_KEYWORD not in kinds, f'{name}() takes **kwargs'
    with pytest.raises(TypeError, match='no_such_keyword'):
        getattr(ansible_runner, name)(no_such_keyword=1)


@pytest.mark.parametrize('target', [*PUBLIC_FUNCTIONS, *CLASSES], ids=str)
def test_every_parameter_is_typed_and_documented(target):
    # A class documents its parameters on `__init__`, where help() shows them in subclasses too.
    function = getattr(ansible_runner, target) if isinstance(target, str) else target
    docstring = inspect.getdoc(function.__init__ if inspect.isclass(function) else function) or ''
    documented = set(re.findall(r':param (\w+):', docstring))
    for name, parameter in _named(function).items():
        if name == 'self':
            continue
        assert parameter.annotation is not inspect.Parameter.empty, f'{name} has no type'
        assert name in documented, f'{name} is not documented'
    assert documented <= set(_named(function)), 'a documented parameter that does not exist'


def test_help_shows_parameters_and_their_defaults():
    text = pydoc.render_doc(ansible_runner.run, renderer=pydoc.plaintext)
    assert "fact_cache_type: 'str' = 'jsonfile'" in text
    assert ':param private_data_dir:' in text
    assert "-> 'Runner | Transmitter | Worker | Processor'" in text
    text = pydoc.render_doc(ansible_runner.RunnerConfig, renderer=pydoc.plaintext)
    assert 'container_image' in text and ':param container_image:' in text


def _overloads(name: str) -> list[ast.FunctionDef]:
    tree = ast.parse(Path(interface.__file__).read_text(encoding='utf-8'))
    return [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name]


@pytest.mark.parametrize('name', ['run', 'run_async'])
def test_overloads_list_the_parameters_of_the_implementation(name):
    definitions = _overloads(name)
    assert len(definitions) == 3, 'two overloads (with and without streamer) and the implementation'
    implementation = [a.arg for a in definitions[-1].args.kwonlyargs]
    for overload in definitions[:-1]:
        assert [a.arg for a in overload.args.kwonlyargs] == implementation


def _transmitted(**kwargs: object) -> dict[str, object]:
    out = io.BytesIO()
    ansible_runner.run(streamer='transmit', _output=out, only_transmit_kwargs=True, **kwargs)
    return json.loads(out.getvalue().splitlines()[0])['kwargs']


def test_a_keyword_given_its_default_travels_as_an_omitted_one(tmp_path):
    given = _transmitted(private_data_dir=str(tmp_path), playbook='site.yml', quiet=False, limit=None,
                         fact_cache_type='jsonfile', rotate_artifacts=0, ignore_logging=True)
    assert given == _transmitted(private_data_dir=str(tmp_path), playbook='site.yml')
    assert given == {'playbook': 'site.yml'}
    changed = _transmitted(private_data_dir=str(tmp_path), playbook='site.yml', quiet=True, limit='web',
                           rotate_artifacts=3, timeout=0.5)
    assert changed == {'playbook': 'site.yml', 'quiet': True, 'limit': 'web', 'rotate_artifacts': 3,
                       'timeout': 0.5}


def test_role_keywords_count_when_given_even_as_none(tmp_path):
    plays = tmp_path / 'project' / 'main.json'
    _transmitted(private_data_dir=str(tmp_path), role='web')
    assert json.loads(plays.read_text()) == [{'hosts': 'all', 'roles': [{'name': 'web'}]}]
    _transmitted(private_data_dir=str(tmp_path), role='web', role_vars=None, hosts='db', role_skip_facts=True)
    assert json.loads(plays.read_text()) == [
        {'hosts': 'db', 'roles': [{'name': 'web', 'vars': None}], 'gather_facts': False}]


def test_role_keywords_without_a_role_are_refused_as_before(tmp_path):
    for keyword, value in (('role_vars', {}), ('hosts', 'web'), ('role_skip_facts', True)):
        with pytest.raises(TypeError, match=keyword):
            ansible_runner.run(private_data_dir=str(tmp_path), playbook='site.yml', **{keyword: value})


def test_keywords_travel_when_an_application_wraps_the_function(tmp_path, monkeypatch):
    # A spy on `interface.run` (as tests of applications set up) must not change what `run` passes on.
    original = interface.run

    def spy(**kwargs: object) -> object:
        return original(**kwargs)

    monkeypatch.setattr(interface, 'run', spy)
    out = io.BytesIO()
    interface.run(streamer='transmit', _output=out, only_transmit_kwargs=True, private_data_dir=str(tmp_path),
                  playbook='site.yml', limit='web')
    assert json.loads(out.getvalue().splitlines()[0])['kwargs'] == {'playbook': 'site.yml', 'limit': 'web'}
