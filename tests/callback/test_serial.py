"""serial: repeated play/task uuids get _2, _3 suffixes on their start events."""

import pytest

from harness import assert_same_events, run_pair


@pytest.fixture(scope='module')
def runs(tmp_path_factory):
    return run_pair(tmp_path_factory.mktemp('serial'), 'serial.yml')


def test_duplicate_uuids_numbered(runs):
    ours = runs[0]
    assert ours.rc == 0, ours.stderr
    plays = [e for e in ours.events if e['event'] == 'playbook_on_play_start']
    tasks = [e for e in ours.events if e['event'] == 'playbook_on_task_start']
    assert len(plays) == 2 and len(tasks) == 2
    assert plays[1]['uuid'] == plays[0]['uuid'] + '_2'
    assert tasks[1]['uuid'] == tasks[0]['uuid'] + '_2'
    # the renamed play uuid becomes the play context of its batch
    assert plays[1]['event_data']['play_uuid'] == plays[1]['uuid']
    # the task context keeps Ansible's uuid, and task_uuid comes first when
    # choosing a parent: the repeated task start hangs off the first one
    assert tasks[1]['event_data']['task_uuid'] == tasks[0]['uuid']
    assert tasks[1]['parent_uuid'] == tasks[0]['uuid']

def test_same_as_reference(runs):
    ours, ref = runs
    assert_same_events(ref.events, ours.events)
