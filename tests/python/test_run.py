"""Jobs that run to their end: playbooks, ad-hoc modules, inputs that reach the play."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading

import ansible_runner
from ansible_runner.interface import init_runner
from conftest import FINAL, LOCAL_INVENTORY, PATIENCE, play, wait_for


def ok_results(runner: ansible_runner.Runner) -> list[dict]:
    return [e['event_data']['res'] for e in runner.events if e['event'] == 'runner_on_ok']


def test_playbook_run(pdd):
    runner = ansible_runner.run(private_data_dir=str(pdd), quiet=True,
                                playbook=play({'debug': {'msg': 'hello'}}))
    assert (runner.status, runner.rc) == ('successful', 0)
    events = [e['event'] for e in runner.events if e['event'] != 'verbose']
    assert events == ['playbook_on_start', 'playbook_on_play_start', 'playbook_on_task_start',
                      'runner_on_start', 'runner_on_ok', 'playbook_on_stats']
    assert runner.stats['ok'] == {'localhost': 1}
    with runner.stdout as stdout:
        assert 'ok: [localhost]' in stdout.read()
    with open(os.path.join(runner.config.artifact_dir, 'status')) as handle:
        assert handle.read() == 'successful'


def test_playbook_given_as_one_play_dict(pdd):
    runner = ansible_runner.run(private_data_dir=pdd, quiet=True,
                                playbook=play({'debug': {'msg': 'hello'}})[0])
    assert runner.status == 'successful'
    assert (pdd / 'project' / 'main.json').exists()


def test_event_files_are_private_and_match_the_events(pdd):
    runner = ansible_runner.run(private_data_dir=pdd, quiet=True, playbook=play({'ping': None}))
    directory = os.path.join(runner.config.artifact_dir, 'job_events')
    names = os.listdir(directory)
    assert names and all(n.endswith('.json') for n in names)
    for name in names:
        assert stat.S_IMODE(os.stat(os.path.join(directory, name)).st_mode) == 0o600
    events = list(runner.events)
    assert [e['counter'] for e in events] == sorted(e['counter'] for e in events)
    assert all(e['runner_ident'] == runner.config.ident and 'created' in e for e in events)


def test_adhoc_command(pdd):
    runner = ansible_runner.run(private_data_dir=str(pdd), quiet=True, module='command',
                                module_args='uptime', host_pattern='localhost')
    assert (runner.status, runner.rc) == ('successful', 0)
    results = ok_results(runner)
    assert len(results) == 1
    assert 'load average' in results[0]['stdout']
    assert runner.config.command[0] == 'ansible'


def test_an_application_run_without_its_venv_on_path_finds_ansible(pdd):
    # A service started as /venv/bin/python app.py: PATH has the system's dirs only.
    script = ('import ansible_runner, sys; '
              'r = ansible_runner.run(private_data_dir=sys.argv[1], quiet=True, module="ping", '
              'host_pattern="localhost"); out, _ = ansible_runner.get_ansible_config("list", quiet=True); '
              'print(r.status, r.rc, r.config.env["PATH"], "DEFAULT_FORKS" in out)')
    env = {'PATH': '/usr/bin:/bin', 'HOME': os.environ.get('HOME', '/tmp')}
    done = subprocess.run([sys.executable, '-c', script, str(pdd)], env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    status, rc, path, config_listed = done.stdout.split()
    assert (status, rc) == ('successful', '0'), done.stderr
    assert config_listed == 'True', 'the get_* helpers look commands up on the same PATH'
    assert path.startswith('/usr/bin:/bin:'), 'the system PATH comes first'


def test_inventory_given_as_text(tmp_path):
    runner = ansible_runner.run(private_data_dir=tmp_path, quiet=True, inventory=LOCAL_INVENTORY,
                                playbook=play({'ping': None}))
    assert runner.status == 'successful'
    assert (tmp_path / 'inventory' / 'hosts').read_text() == LOCAL_INVENTORY


def test_extravars_reach_the_play(pdd):
    runner = ansible_runner.run(private_data_dir=str(pdd), quiet=True,
                                extravars={'greeting': 'hello-from-extravars', 'count': 3},
                                playbook=play({'debug': {'msg': '{{ greeting }} {{ count + 1 }}'}}))
    assert runner.status == 'successful'
    assert ok_results(runner)[0]['msg'] == 'hello-from-extravars 4'
    assert (pdd / 'env' / 'extravars').exists()


def test_config_is_prepared_before_the_run(pdd):
    runner = init_runner(private_data_dir=str(pdd), quiet=True, envvars={'FROM_TEST': 'yes'},
                         playbook=play({'ping': None}))
    assert runner.status == 'unstarted'
    assert runner.config.command[0] == 'ansible-playbook'
    assert runner.config.env['FROM_TEST'] == 'yes'
    assert runner.config.cwd
    assert runner.config.artifact_dir.endswith(runner.config.ident)
    assert runner.run() == ('successful', 0)


def test_environment_the_job_sees_is_config_env(pdd):
    task = {'name': 'env', 'debug': {'msg': "{{ lookup('ansible.builtin.env', 'FROM_TEST') }}"}}
    runner = ansible_runner.run(private_data_dir=pdd, quiet=True, envvars={'FROM_TEST': 'FOOBAR'},
                                playbook=play(task))
    assert ok_results(runner)[0]['msg'] == runner.config.env['FROM_TEST'] == 'FOOBAR'


def test_event_text_goes_to_stdout_unless_quiet(pdd, capsys):
    ansible_runner.run(private_data_dir=pdd, playbook=play({'debug': {'msg': 'shown-text'}}))
    assert 'shown-text' in capsys.readouterr().out
    ansible_runner.run(private_data_dir=pdd, quiet=True, playbook=play({'debug': {'msg': 'hidden'}}))
    assert capsys.readouterr().out == ''


def test_json_mode_prints_events_as_json(pdd, capsys):
    ansible_runner.run(private_data_dir=pdd, json_mode=True, playbook=play({'ping': None}))
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith('{')]
    assert any('"playbook_on_stats"' in line for line in lines)


def test_json_mode_shows_and_keeps_events_as_the_handler_left_them(pdd, capsys):
    # ansible-rulebook tags each event in its handler; the console and `stdout` show the tags.
    def tag(event: dict) -> bool:
        event['job_id'] = 'rule-42'
        return True

    runner = ansible_runner.run(private_data_dir=pdd, ident='tagged', json_mode=True, event_handler=tag,
                                playbook=play({'debug': {'msg': 'tag-me'}}))
    assert runner.status == 'successful'
    for shown in (capsys.readouterr().out, (pdd / 'artifacts' / 'tagged' / 'stdout').read_text()):
        events = [json.loads(line) for line in shown.splitlines() if line.startswith('{')]
        assert {'playbook_on_start', 'runner_on_ok', 'playbook_on_stats'} <= {e['event'] for e in events}
        assert all(event.get('job_id') == 'rule-42' for event in events), shown


def test_run_async_polled_until_done(pdd):
    thread, runner = ansible_runner.run_async(private_data_dir=str(pdd), quiet=True,
                                              playbook=play({'command': 'sleep 1'}))
    assert isinstance(thread, threading.Thread)
    wait_for(lambda: runner.status in FINAL)
    thread.join(timeout=PATIENCE)
    assert not thread.is_alive()
    assert (runner.status, runner.rc) == ('successful', 0)


def test_failing_playbook(pdd):
    runner = ansible_runner.run(private_data_dir=pdd, quiet=True,
                                playbook=play({'fail': {'msg': 'on purpose'}}))
    assert (runner.status, runner.rc) == ('failed', 2)
    assert runner.stats['failures'] == {'localhost': 1}


def test_playbook_that_does_not_exist(pdd):
    runner = ansible_runner.run(private_data_dir=pdd, quiet=True, playbook='missing.yml')
    assert runner.status == 'failed'
    assert runner.rc not in (None, 0)


def test_role_becomes_a_play(pdd):
    tasks = pdd / 'roles' / 'greeter' / 'tasks'
    tasks.mkdir(parents=True)
    tasks.joinpath('main.yml').write_text('- debug:\n    msg: "role says {{ who }}"\n')
    runner = ansible_runner.run(private_data_dir=pdd, quiet=True, role='greeter',
                                role_vars={'who': 'hi'}, role_skip_facts=True, hosts='localhost')
    assert runner.status == 'successful'
    assert ok_results(runner)[0]['msg'] == 'role says hi'


def test_passwords_answer_a_prompt(pdd):
    # The runner masks password answers in events, so the play reports a comparison instead.
    playbook = play({'debug': {'msg': "match={{ secret_word == 'swordfish' }}"}},
                    vars_prompt=[{'name': 'secret_word', 'prompt': 'Type the secret word', 'private': False}])
    runner = ansible_runner.run(private_data_dir=pdd, quiet=True, playbook=playbook,
                                passwords={r'Type the secret word': 'swordfish'})
    assert runner.status == 'successful'
    assert ok_results(runner)[0]['msg'] == 'match=True'


def test_suppress_env_files_writes_nothing_but_values_reach_the_job(pdd):
    task = {'debug': {'msg': "{{ lookup('ansible.builtin.env', 'SUPPRESSED_VAR') }} {{ word }}"}}
    runner = ansible_runner.run(private_data_dir=pdd, quiet=True, suppress_env_files=True,
                                envvars={'SUPPRESSED_VAR': 'from-envvars'},
                                extravars={'word': 'from-extravars'},
                                settings={'job_timeout': 600}, playbook=play(task))
    assert runner.status == 'successful'
    assert ok_results(runner)[0]['msg'] == 'from-envvars from-extravars'
    env_dir = pdd / 'env'
    assert not env_dir.exists() or list(env_dir.iterdir()) == []


def test_timeout_ends_the_job_on_time(pdd):
    import time

    running: list[float] = []

    def status_handler(data: dict, runner_config: object) -> None:
        if data['status'] == 'running':
            running.append(time.monotonic())

    started = time.monotonic()
    runner = ansible_runner.run(private_data_dir=pdd, quiet=True, timeout=2, status_handler=status_handler,
                                playbook=play({'command': 'sleep 60'}))
    ended = time.monotonic()
    assert (runner.status, runner.rc) == ('timeout', 254)
    assert runner.timed_out
    # The limit counts from the job's start, which a busy machine may be slow to reach; the task
    # alone would sleep a minute.
    assert ended - started >= 2
    assert ended - running[0] < 10
