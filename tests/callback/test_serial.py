"""serial: repeated play/task uuids get _2, _3 suffixes on their start events."""

import pytest

from harness import assert_same_events, make_pdd, start_ours, start_reference


@pytest.fixture(scope='module')
def runs(tmp_path_factory, have_reference):
    root = tmp_path_factory.mktemp('serial')
    pdd = make_pdd(root)
    ours = start_ours(root / 'ours', ['-i', str(pdd / 'inventory'), 'serial.yml'], cwd=pdd / 'project')
    ref = start_reference(pdd, ['-p', 'serial.yml']) if have_reference else None
    return ours.wait(), ref.wait() if ref else None


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
    if ref is None:
        pytest.fail('the reference ansible-runner is not installed: run scripts/venv --with-reference')
    assert_same_events(ref.events, ours.events)
