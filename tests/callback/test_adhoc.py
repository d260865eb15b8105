"""Ad-hoc runs: the minimal callback, ad_hoc_command_id, no play/task starts."""

import pytest

from harness import assert_same_events, make_pdd, start_ours, start_reference

COMMANDS = {
    'ping': ['-m', 'ping'],
    'command': ['-m', 'command', '-a', 'echo hi'],
}


@pytest.fixture(scope='module')
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp('adhoc')
    pdd = make_pdd(root)
    jobs = {}
    for name, args in COMMANDS.items():
        jobs[name, 'ours'] = start_ours(root / ('ours-' + name), ['-i', str(pdd / 'inventory')] + args + ['localhost'],
                                        cwd=pdd, adhoc=True)
        jobs[name, 'ref'] = start_reference(pdd, args + ['--hosts', 'localhost'])
    return {key: job.wait() for key, job in jobs.items()}


@pytest.mark.parametrize('name', sorted(COMMANDS))
def test_adhoc_events(runs, name):
    ours = runs[name, 'ours']
    assert ours.rc == 0, ours.stderr
    assert ours.stdout == ''
    names = [e['event'] for e in ours.events]
    assert names == ['playbook_on_start', 'runner_on_start', 'runner_on_ok', 'playbook_on_stats']
    for event in ours.events:
        assert list(event)[:5] == ['uuid', 'stdout', 'event', 'ad_hoc_command_id', 'pid']
        assert event['ad_hoc_command_id'] == 1
        assert event['event_data']['playbook'] == '__adhoc_playbook__'
        assert 'play' not in event['event_data']
    ok = ours.events[2]
    assert ok['event_data']['task_path'] == ''
    assert ok['event_data']['task'] == COMMANDS[name][1]
    assert ok['parent_uuid'] == ok['event_data']['task_uuid']
    if name == 'ping':
        assert ok['stdout'].startswith('\x1b[0;32mlocalhost | SUCCESS => {')
    else:
        assert ok['stdout'] == '\x1b[0;33mlocalhost | CHANGED | rc=0 >>\x1b[0m\n\x1b[0;33mhi\x1b[0m\n'


@pytest.mark.parametrize('name', sorted(COMMANDS))
def test_same_as_reference(runs, name):
    assert_same_events(runs[name, 'ref'].events, runs[name, 'ours'].events)
