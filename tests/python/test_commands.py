"""`run_command()` and the `get_*()` family: real commands and real Ansible tools on the host."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

import ansible_runner
from ansible_runner import ConfigurationError
from conftest import LOCAL_INVENTORY, play


def test_subprocess_mode_keeps_stderr_apart(pdd):
    out, err, rc = ansible_runner.run_command(
        sys.executable, ['-c', 'import sys; print("to-out"); print("to-err", file=sys.stderr); sys.exit(3)'],
        private_data_dir=pdd, runner_mode='subprocess', quiet=True)
    assert (out, err, rc) == ('to-out\n', 'to-err\n', 3)


def test_pexpect_mode_puts_both_streams_in_stdout(pdd):
    out, err, rc = ansible_runner.run_command(
        sys.executable, ['-c', 'import sys; print("to-out"); print("to-err", file=sys.stderr)'],
        private_data_dir=pdd, quiet=True)
    assert 'to-out' in out and 'to-err' in out
    assert (err, rc) == ('', 0)


def test_the_command_runs_as_given_where_asked(pdd, tmp_path):
    (pdd / 'env').mkdir()
    (pdd / 'env' / 'cmdline').write_text('--not-appended')
    out, _, rc = ansible_runner.run_command(
        sys.executable, ['-c', 'import os, sys; print(os.getcwd()); print(sys.argv[1:])', 'a b'],
        private_data_dir=pdd, host_cwd=str(tmp_path), envvars={'X': '1'}, runner_mode='subprocess',
        quiet=True)
    assert out.splitlines() == [str(tmp_path), "['a b']"]
    assert rc == 0


def test_descriptors_go_straight_to_the_command(pdd, tmp_path):
    source = tmp_path / 'in.txt'
    source.write_text('typed\n')
    target = tmp_path / 'out.txt'
    errors = tmp_path / 'err.txt'
    with open(source) as stdin, open(target, 'w') as stdout, open(errors, 'w') as stderr:
        out, err, rc = ansible_runner.run_command(
            sys.executable,
            ['-c', 'import sys; print(input().upper()); print("oops", file=sys.stderr)'],
            private_data_dir=pdd, input_fd=stdin, output_fd=stdout, error_fd=stderr, quiet=True)
    assert (out, err, rc) == ('', '', 0)
    assert target.read_text() == 'TYPED\n'
    assert errors.read_text() == 'oops\n'


@pytest.mark.parametrize('quiet', [True, False])
def test_ansible_playbook_prints_to_the_descriptor_given_and_still_sends_events(pdd, tmp_path, capfd, quiet):
    # ansible-navigator's `--pae false`: the playbook's own output is the user's, whatever `quiet`.
    (pdd / 'project').mkdir()
    (pdd / 'project' / 'site.yml').write_text(json.dumps(play({'debug': {'msg': 'to-the-fd'}})))
    target = tmp_path / 'out.txt'
    events: list[dict] = []
    with open(os.devnull) as stdin, open(target, 'w') as stdout, open(tmp_path / 'err', 'w') as stderr:
        out, err, rc = ansible_runner.run_command(
            'ansible-playbook', [str(pdd / 'project' / 'site.yml'), '-i', str(pdd / 'inventory' / 'hosts')],
            private_data_dir=pdd, input_fd=stdin, output_fd=stdout, error_fd=stderr, quiet=quiet,
            event_handler=events.append)
    assert (out, rc) == ('', 0), err
    shown = target.read_text()
    assert 'to-the-fd' in shown and 'ok=1' in shown
    assert '\x1b[' not in shown, 'colours in a file: Ansible decides them by its stdout'
    assert 'to-the-fd' not in capfd.readouterr().out
    assert any('to-the-fd' in event.get('stdout', '') for event in events)


def test_a_missing_executable_is_rc_127(pdd):
    out, _, rc = ansible_runner.run_command('no-such-command-here', ['x'], private_data_dir=pdd,
                                            quiet=True)
    assert rc == 127
    assert 'The command was not found or was not executable: no-such-command-here.' in out


def test_ansible_playbook_as_a_command_still_sends_events(pdd):
    (pdd / 'project').mkdir()
    (pdd / 'project' / 'site.yml').write_text(json.dumps(play({'debug': {'msg': 'hi-there'}})))
    events = []
    thread, runner = ansible_runner.run_command_async(
        'ansible-playbook', [str(pdd / 'project' / 'site.yml'), '-i', str(pdd / 'inventory' / 'hosts')],
        private_data_dir=pdd, event_handler=events.append, quiet=True)
    thread.join(120)
    assert runner.status == 'successful'
    assert 'playbook_on_stats' in [event['event'] for event in events]
    assert any('hi-there' in event.get('stdout', '') for event in events)


def test_timeout_ends_the_command(pdd):
    _, _, rc = ansible_runner.run_command(sys.executable, ['-c', 'import time; time.sleep(60)'],
                                          private_data_dir=pdd, timeout=1, quiet=True)
    assert rc == 254


def test_get_inventory_parses_json(pdd):
    inventory = pdd / 'inventory' / 'hosts'
    inventory.write_text(LOCAL_INVENTORY + '\n[web]\nweb1\n')
    response, error = ansible_runner.get_inventory('list', [str(inventory)], response_format='json',
                                                   private_data_dir=pdd, quiet=True)
    assert response['web']['hosts'] == ['web1']
    assert 'localhost' in response['_meta']['hostvars']
    assert error == ''
    host, _ = ansible_runner.get_inventory('host', [str(inventory)], host='web1',
                                           response_format='json', quiet=True)
    assert host == {}


def test_get_ansible_config_and_docs(pdd):
    config, _ = ansible_runner.get_ansible_config('dump', only_changed=True,
                                                  envvars={'ANSIBLE_FORKS': '17'}, quiet=True)
    assert 'DEFAULT_FORKS' in config and '17' in config
    docs, _ = ansible_runner.get_plugin_docs(['ansible.builtin.debug'], response_format='json',
                                             quiet=True)
    assert 'msg' in docs['ansible.builtin.debug']['doc']['options']
    listed, _ = ansible_runner.get_plugin_list(response_format='json', plugin_type='callback',
                                               quiet=True)
    assert 'ansible.builtin.default' in listed


@pytest.mark.parametrize(('call', 'message'), [
    (lambda: ansible_runner.get_inventory('nope', []),
     'Invalid action nope, valid value is one of either graph, host, list'),
    (lambda: ansible_runner.get_inventory('list', [], response_format='xml'),
     'Invalid response_format xml, valid value is one of either json, yaml, toml'),
    (lambda: ansible_runner.get_inventory('host', []),
     "Value of host parameter is required when action in 'host'"),
    (lambda: ansible_runner.get_plugin_docs(['x'], response_format='xml'),
     'Invalid response_format xml, valid value is one of either json, human'),
    (lambda: ansible_runner.get_ansible_config('show'),
     'Invalid action show, valid value is one of either list, dump, view'),
    (lambda: ansible_runner.get_ansible_config('list', only_changed=True),
     "only_changed is applicable for action 'dump'"),
    (lambda: ansible_runner.run_command('echo', runner_mode='shell'),
     "Invalid runner mode shell, valid value is either 'pexpect' or 'subprocess'"),
    (lambda: ansible_runner.run_command('python3'),
     'Runner requires python filename for execution'),
])
def test_bad_input_is_refused_as_the_reference_refuses_it(call, message):
    with pytest.raises(ConfigurationError) as refused:
        call()
    assert str(refused.value) == message


def test_a_missing_ansible_tool_is_named(monkeypatch):
    here = os.path.dirname(os.path.abspath(__file__))
    monkeypatch.setenv('PATH', here)
    # Ansible is installed beside this interpreter, where commands are looked up too: point that
    # place elsewhere, as on a machine where it is not installed at all.
    monkeypatch.setattr(sysconfig, 'get_path', lambda name: here)
    # (the package looks the place up once per process)
    monkeypatch.setattr(ansible_runner.utils, '_scripts_dir', lambda: here)
    with pytest.raises(ConfigurationError, match=r'^ansible-config command not found$'):
        ansible_runner.get_ansible_config('list')


REFERENCE_PYTHON = Path(__file__).resolve().parents[2] / '.venv' / 'bin' / 'python'

# Runs one call and prints what came of it as JSON: its result, or the exception's type and words.
OUTCOME = '''
import json, sys
import ansible_runner
try:
    result = eval(sys.argv[1])
    print(json.dumps({'result': result}))
except BaseException as exc:
    print(json.dumps({'raised': f'{type(exc).__module__}.{type(exc).__name__}', 'message': str(exc)}))
'''


def outcome(python: Path, call: str, cwd: Path) -> dict:
    env = dict(os.environ, TMPDIR=str(cwd), PATH=f'{python.parent}{os.pathsep}{os.environ["PATH"]}')
    done = subprocess.run([str(python), '-c', OUTCOME, call], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, check=True, timeout=120)
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not REFERENCE_PYTHON.exists(), reason='the reference is not in .venv')
@pytest.mark.parametrize('call', [
    "ansible_runner.get_inventory('nope', [])",
    "ansible_runner.get_inventory('list', ['hosts'], response_format='xml')",
    "ansible_runner.get_inventory('host', ['hosts'])",
    "ansible_runner.get_plugin_docs(['x'], response_format='xml')",
    "ansible_runner.get_plugin_list(response_format='xml')",
    "ansible_runner.get_ansible_config('show')",
    "ansible_runner.get_ansible_config('list', only_changed=True)",
    "ansible_runner.run_command('echo', runner_mode='shell')",
    "ansible_runner.run_command('no-such-command-here', ['x'], private_data_dir='pdd', quiet=True)",
])
def test_bad_input_comes_out_as_it_does_from_the_reference(tmp_path, call):
    (tmp_path / 'pdd').mkdir()
    ours = outcome(Path(sys.executable), call, tmp_path)
    shutil.rmtree(tmp_path / 'pdd')
    (tmp_path / 'pdd').mkdir()
    assert ours == outcome(REFERENCE_PYTHON, call, tmp_path)
