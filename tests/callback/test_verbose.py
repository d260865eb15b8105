"""-vvv: verbose events from the main process and from forked workers."""

import pytest

from harness import assert_same_run, run_pair


@pytest.fixture(scope='module')
def runs(tmp_path_factory):
    return run_pair(tmp_path_factory.mktemp('verbose'), 'verbose.yml', ['-vvv'])


@pytest.fixture(scope='module')
def ours(runs):
    return runs[0]


def test_text_from_before_the_plugin_goes_to_real_stdout(ours):
    assert ours.rc == 0, ours.stderr
    assert 'ansible-playbook [core ' in ours.stdout
    assert 'Parsed ' in ours.stdout  # inventory parsing, -vvv
    assert not any('ansible-playbook [core ' in e['stdout'] for e in ours.events)
    assert ours.stdout.count('\n') == len(ours.stdout.splitlines())  # nothing after the plugin loaded
    assert 'Skipping callback' not in ours.stdout


def test_main_process_verbose_events(ours):
    plays = [e for e in ours.events if '1 plays in verbose.yml' in e['stdout']]
    assert len(plays) == 1
    event = plays[0]
    assert event['event'] == 'verbose'
    assert event['verbosity'] == 2
    assert list(event)[-2:] == ['verbosity', 'event_data']
    assert list(event['event_data']) == ['playbook', 'playbook_uuid', 'verbose', 'uuid']
    assert event['stdout'] == '\x1b[0;34m1 plays in verbose.yml\x1b[0m\n'
    meta = [e for e in ours.events if 'META: ending play' in e['stdout']]
    assert meta and meta[0]['verbosity'] == 2 and meta[0]['event_data']['task'] == 'end of play'


def test_worker_verbose_events(ours):
    # Workers proxy Display's private half to the main process: no flags there.
    worker = [e for e in ours.events if 'ESTABLISH LOCAL CONNECTION' in e['stdout']]
    assert len(worker) == 1
    event = worker[0]
    assert event['event'] == 'verbose'
    assert 'verbosity' not in event
    assert 'verbose' not in event['event_data']
    assert event['event_data']['task'] == 'run a command'
    assert event['parent_uuid'] == event['event_data']['task_uuid']


def test_task_path_belongs_to_task_start(ours):
    starts = [e for e in ours.events if e['event'] == 'playbook_on_task_start']
    assert all('task path: ' in e['stdout'] for e in starts)


def test_same_as_reference(runs):
    assert_same_run(*runs)
