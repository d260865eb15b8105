"""The plugin file itself: it compiles and Ansible accepts its documentation."""

import py_compile
import subprocess

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
