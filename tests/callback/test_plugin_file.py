"""The plugin file itself: it compiles and Ansible accepts its documentation."""

import importlib.util
import os
import py_compile
import subprocess
import uuid

import pytest

from harness import PLUGIN, base_env, install_plugin, tool


def test_compiles(tmp_path):
    py_compile.compile(str(PLUGIN), cfile=str(tmp_path / 'awx_display.pyc'), doraise=True)


def test_ansible_doc_loads_it(tmp_path):
    callback_dir, _ = install_plugin(tmp_path, channel=False)
    env = base_env(ANSIBLE_CALLBACK_PLUGINS=str(callback_dir))
    proc = subprocess.run([tool('ansible-doc'), '-t', 'callback', '--json', 'awx_display'], env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert '[WARNING]' not in proc.stderr
    import json
    doc = json.loads(proc.stdout)['awx_display']['doc']
    assert doc['type'] == 'stdout'
    for option in ('display_skipped_hosts', 'display_ok_hosts', 'show_custom_stats', 'result_format',
                   'pretty_results', 'check_mode_markers'):
        assert option in doc['options'], option


def load_plugin(tmp_path, monkeypatch):
    """The plugin as a module of this process, without a channel (nothing hooked)."""
    monkeypatch.setenv('RUNNER_EVENT_CHANNEL', str(tmp_path / 'no-channel'))
    spec = importlib.util.spec_from_file_location('awx_display_under_test', PLUGIN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.STATE is None
    return module


def test_uuids_are_uuid4s_of_the_same_bytes(tmp_path, monkeypatch):
    plugin = load_plugin(tmp_path, monkeypatch)
    for random in (bytes(16), b'\xff' * 16, *(os.urandom(16) for _ in range(1000))):
        monkeypatch.setattr(os, 'urandom', lambda _n, random=random: random)
        assert plugin._uuid4() == str(uuid.uuid4())


def test_results_judged_by_their_json_are_within_the_limit(tmp_path, monkeypatch):
    """A result let through on its JSON's length alone: its str(), the reference's measure, is at
    most ten times that length, whatever characters its strings hold."""
    plugin = load_plugin(tmp_path, monkeypatch)
    if not plugin._REPR_BOUNDED:
        pytest.skip('results are measured with str() on this ansible-core')
    from ansible.utils.unsafe_proxy import wrap_var
    worst = '\U000e0001\x00\x7f\x85\u200b\ud800\'"\\\n'
    results = [
        {'msg': worst}, [worst * 50], {1: None, 2.5: True, None: -0.0, False: [[]]},
        {'nested': [{'a': [worst, 1, 1.5e300, None]}]}, {'nan': float('nan')}, worst,
    ]
    for result in results + [wrap_var(result) for result in results]:
        assert plugin._repr_bounded(result), result
        assert len(str(result)) <= 10 * len(plugin._to_json(result)), result
    for unbounded in ({'t': (1,)}, {'s': {1}}, [b'x'], {(1, 2): 1}, [wrap_var(b'x')]):
        assert not plugin._repr_bounded(unbounded)
