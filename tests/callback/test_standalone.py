"""Without the runner: the plugin is its parent callback. And a channel that
goes away or a different parent callback must not break the run."""

import json
import threading

import pytest

from harness import (ANSIBLE_CORE, TIMEOUT, Job, assert_same_events, base_env, install_plugin, make_pdd, norm_text,
                     start_ours, start_reference, tool)


@pytest.fixture(scope='module')
def pdd(tmp_path_factory):
    return make_pdd(tmp_path_factory.mktemp('standalone'))


def test_without_channel_prints_like_default(pdd, tmp_path):
    args = ['-i', str(pdd / 'inventory'), 'flags.yml']
    ours = start_ours(tmp_path / 'ours', args, cwd=pdd / 'project', channel=False)
    plain = Job([tool('ansible-playbook')] + args, pdd / 'project', base_env(), lambda run: None)
    ours, plain = ours.wait(), plain.wait()
    assert not (tmp_path / 'ours' / 'events').exists()
    assert ours.rc == plain.rc == 0, ours.stderr
    assert 'PLAY RECAP' in ours.stdout
    assert '\x1b[' not in ours.stdout  # not a terminal, and nothing forced
    assert norm_text(ours.stdout) == norm_text(plain.stdout)
    assert norm_text(ours.stderr) == norm_text(plain.stderr)


def test_fifo_reader_gets_every_event_then_eof(pdd, tmp_path):
    callback_dir, events = install_plugin(tmp_path, fifo=True)
    lines = []

    def reader():
        with open(events, 'rb') as fifo:
            lines.extend(fifo)  # returns at EOF: every writer, forks included, is gone

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    env = base_env(ANSIBLE_CALLBACK_PLUGINS=str(callback_dir), ANSIBLE_STDOUT_CALLBACK='awx_display',
                   ORIGINAL_STDOUT_CALLBACK='no.such.callback')
    run = Job([tool('ansible-playbook'), '-i', str(pdd / 'inventory'), 'flags.yml'], pdd / 'project', env,
              lambda run: None).wait()
    thread.join(TIMEOUT)
    assert not thread.is_alive()
    assert run.rc == 0, run.stderr
    names = [json.loads(line)['event'] for line in lines]
    assert names[0] == 'playbook_on_start' and names[-1] == 'playbook_on_stats'
    assert 'runner_item_on_failed' in names
    # an unknown ORIGINAL_STDOUT_CALLBACK falls back to the default callback
    assert any(b'TASK [fine] ***' in line for line in lines)


def test_channel_closed_by_reader(pdd, tmp_path):
    callback_dir, events = install_plugin(tmp_path, fifo=True)
    first = []

    def reader():
        with open(events, 'rb') as fifo:
            first.append(fifo.readline())

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    env = base_env(ANSIBLE_CALLBACK_PLUGINS=str(callback_dir), ANSIBLE_STDOUT_CALLBACK='awx_display')
    run = Job([tool('ansible-playbook'), '-i', str(pdd / 'inventory'), 'flags.yml'], pdd / 'project', env,
              lambda run: None).wait()
    thread.join(TIMEOUT)
    assert json.loads(first[0])['event'] == 'playbook_on_start'
    assert run.rc == 0
    assert 'Traceback' not in run.stderr and 'Error' not in run.stderr
    assert run.stdout == ''


def test_other_parent_callback(pdd, tmp_path):
    env = {'ORIGINAL_STDOUT_CALLBACK': 'oneline'}
    ours = start_ours(tmp_path, ['-i', str(pdd / 'inventory'), 'flags.yml'], cwd=pdd / 'project', env=env)
    ref = start_reference(pdd, ['-p', 'flags.yml'], env=env)
    run = ours.wait()
    assert run.rc == 0, run.stderr
    assert run.stdout == '' and 'Traceback' not in run.stderr
    ok, = [e for e in run.events if e['event'] == 'runner_on_ok' and e['event_data']['task'] == 'fine']
    assert ok['stdout'].startswith('\x1b[0;32mlocalhost | SUCCESS => {    "changed": false,')
    assert ok['stdout'].count('\n') == 1  # one line per result
    # The reference crashes at the start (oneline declares no options and it merges None into a
    # dict): compare the notices it sent before its error.
    ref_events = ref.wait().events
    names = [e['event'] for e in ref_events]
    notices = [e for e in ref_events[:names.index('error')] if 'event_data' in e]
    assert_same_events(notices, run.events[:len(notices)])
    assert run.events[len(notices)]['event'] == 'playbook_on_start'
    if ANSIBLE_CORE in ((2, 19), (2, 20)):
        # oneline is deprecated: Ansible's notice is two display calls, so two events
        assert [e['event'] for e in notices] == ['deprecated', 'deprecated']
        assert run.events[0]['event_data'] == {'deprecated': True, 'warning': True, 'uuid': run.events[0]['uuid']}
        assert '[DEPRECATION WARNING]: The oneline callback plugin is deprecated.' in run.events[1]['stdout']
    elif ANSIBLE_CORE >= (2, 21):
        # 2.21 warns as the parent callback loads, before any plugin can hook Display: the notice is
        # Ansible's own stderr, as it is the reference's raw output.
        assert notices == []
        assert '[DEPRECATION WARNING]: oneline has been deprecated.' in run.stderr


def test_no_color(pdd, tmp_path):
    run = start_ours(tmp_path, ['-i', str(pdd / 'inventory'), 'flags.yml'], cwd=pdd / 'project',
                     env={'NO_COLOR': '1'}).wait()
    assert run.rc == 0, run.stderr
    text = ''.join(e['stdout'] for e in run.events)
    assert 'ok: [localhost]' in text
    assert '\x1b[' not in text
