"""A playbook exercising every host outcome, compared with the reference."""

import json

import pytest

from harness import (ANSIBLE_CORE, CREATED_RE, READER_KEYS, TIMING_TEXT, UUID_RE, assert_same_run, norm_text,
                     run_pair)

CENSORED = "the output has been hidden due to the fact that 'no_log: true' was specified for this result"


@pytest.fixture(scope='module')
def runs(tmp_path_factory):
    # One fork: which host shows a deduplicated [ERROR] must not be a race.
    return run_pair(tmp_path_factory.mktemp('playbook'), 'main.yml', ['--forks', '1'])


@pytest.fixture(scope='module')
def ours(runs):
    return runs[0]


def by_event(run, name):
    return [e for e in run.events if e['event'] == name]


def test_run_finished_with_failures(ours):
    assert ours.rc == 4, ours.stderr  # unreachable host wins


def test_nothing_printed_outside_the_channel(ours):
    # Inventory parsing happens before the plugin loads; that text is not ours.
    assert ours.stdout == ''
    assert 'Traceback' not in ours.stderr


def test_record_layout(ours):
    assert ours.events
    for line, event in zip(ours.lines, ours.events):
        assert line.endswith('\n') and line.count('\n') == 1
        assert line.isascii()
        keys = list(event)
        assert keys[:3] == ['uuid', 'stdout', 'event']
        assert keys[-1] == 'event_data'
        optional = [k for k in keys[3:-1] if k not in ('pid', 'created')]
        assert optional in ([], ['parent_uuid'], ['verbosity'], ['parent_uuid', 'verbosity'])
        assert keys.index('pid') < keys.index('created')
        assert not set(keys) & set(READER_KEYS)
        assert event['pid'] == ours.pid
        assert CREATED_RE.match(event['created'])
        assert UUID_RE.match(event['uuid'])
        assert '\r' not in event['stdout']


def test_uuids_unique(ours):
    uuids = [e['uuid'] for e in ours.events]
    assert len(uuids) == len(set(uuids))


def test_event_sequence_and_parents(ours):
    names = [e['event'] for e in ours.events]
    assert names[0] == 'playbook_on_start'
    assert names[-1] == 'playbook_on_stats'
    for name in ('playbook_on_play_start', 'playbook_on_task_start', 'runner_on_start', 'runner_on_ok',
                 'runner_on_failed', 'runner_on_skipped', 'runner_on_unreachable', 'runner_item_on_ok',
                 'runner_item_on_failed', 'runner_item_on_skipped', 'playbook_on_include', 'playbook_on_notify',
                 'runner_retry', 'runner_on_async_ok', 'runner_on_file_diff', 'warning'):
        assert name in names, name
    start = ours.events[0]
    assert 'parent_uuid' not in start
    assert start['uuid'] == start['event_data']['playbook_uuid']
    plays = by_event(ours, 'playbook_on_play_start')
    assert [p['event_data']['name'] for p in plays] == ['everything', 'roles', 'nobody', 'all fail']
    for play in plays:
        assert play['parent_uuid'] == start['uuid']
        assert play['uuid'] == play['event_data']['play_uuid']
    for task in by_event(ours, 'playbook_on_task_start'):
        assert task['uuid'] == task['event_data']['task_uuid']
        assert task['parent_uuid'] == task['event_data']['play_uuid']
    for event in ours.events:
        if event['event'].startswith('runner_'):
            assert event['parent_uuid'] == event['event_data']['task_uuid']
    assert by_event(ours, 'playbook_on_stats')[0]['parent_uuid'] == start['uuid']


def test_stdout_is_raw_display_text(ours):
    play = by_event(ours, 'playbook_on_play_start')[0]
    assert play['stdout'] == '\nPLAY [everything] ' + '*' * 62 + '\n'
    assert by_event(ours, 'runner_on_start')[0]['stdout'] == ''
    ok = [e for e in by_event(ours, 'runner_on_ok') if e['event_data']['task'] == 'ping it']
    assert {e['stdout'] for e in ok} == {'\x1b[0;32mok: [localhost]\x1b[0m\n', '\x1b[0;32mok: [other]\x1b[0m\n'}


def test_warning_outside_callbacks_is_its_own_event(ours):
    first, second = by_event(ours, 'warning')
    assert first['stdout'] == ('\x1b[1;35m[WARNING]: Could not match supplied host pattern, ignoring: '
                               'nosuchhost\x1b[0m\n')
    assert list(first['event_data']) == ['playbook', 'playbook_uuid', 'warning', 'uuid']
    assert first['event_data']['warning'] is True
    assert first['parent_uuid'] == first['event_data']['playbook_uuid']
    # Play and task context linger until replaced: the warning for the third
    # play is issued while the second play's last task is still "current".
    assert 'nosuchgroup' in second['stdout']
    assert second['event_data']['play'] == 'roles'
    assert second['event_data']['task'] == 'from a collection role'
    assert second['parent_uuid'] == second['event_data']['task_uuid']


def test_roles(ours):
    role, collection_role = [e for e in by_event(ours, 'playbook_on_task_start') if e['event_data'].get('role')]
    assert role['event_data']['role'] == 'myrole' and 'resolved_role' not in role['event_data']
    data = collection_role['event_data']
    assert data['role'] == 'crole' and data['resolved_role'] == 'ns.col.crole'
    assert list(data).index('resolved_role') == list(data).index('role') - 1


def test_no_hosts_matched(ours):
    event, = by_event(ours, 'playbook_on_no_hosts_matched')
    assert event['stdout'] == '\x1b[0;36mskipping: no hosts matched\x1b[0m\n'
    assert event['parent_uuid'] == event['event_data']['play_uuid']


def test_errors_inside_callbacks_stay_in_the_event(ours):
    failed = [e for e in by_event(ours, 'runner_on_failed') if e['event_data']['task'] == 'failure ignored']
    assert len(failed) == 2
    # From 2.19 the default callback reports a failure through Display.error (once per task, as
    # the first host's); before, it displays the result in red.
    first = '[ERROR]: Task failed: Module failed:' if ANSIBLE_CORE >= (2, 19) else 'fatal: [localhost]: FAILED!'
    assert any(first in e['stdout'] for e in failed)
    assert any('fatal: [other]: FAILED!' in e['stdout'] for e in failed)
    assert not by_event(ours, 'error')


def test_no_log_censoring(ours):
    # Before 2.19 Ansible censors the result itself and keeps `changed`; from 2.19 the plugin does.
    censored = {'censored': CENSORED} if ANSIBLE_CORE >= (2, 19) else {'censored': CENSORED, 'changed': False}
    secret = [e for e in by_event(ours, 'runner_on_ok') if e['event_data']['task'] == 'secret']
    assert [e['event_data']['res'] for e in secret] == [censored] * 2
    items = [e for e in by_event(ours, 'runner_item_on_ok') if e['event_data']['task'] == 'secret items']
    assert sorted(json.dumps(e['event_data']['res'].get('censored')) for e in items) == \
        sorted([json.dumps(CENSORED)] * 2 + ['null'] * 2)
    # one censored item censors the whole loop result
    loops = [e for e in by_event(ours, 'runner_on_ok') if e['event_data']['task'] == 'secret items']
    assert [e['event_data']['res'] for e in loops] == [censored] * 2
    assert 'top secret' not in ''.join(ours.lines)


def test_facts_without_environment(ours):
    facts = [e for e in by_event(ours, 'runner_on_ok') if e['event_data']['task'] == 'Gathering Facts']
    assert len(facts) == 2
    for event in facts:
        assert 'ansible_hostname' in event['event_data']['res']['ansible_facts']
        assert 'ansible_env' not in event['event_data']['res']['ansible_facts']


def test_unreachable(ours):
    event, = by_event(ours, 'runner_on_unreachable')
    data = event['event_data']
    assert data['host'] == 'dead'
    assert list(data)[-7:] == ['host', 'remote_addr', 'start', 'end', 'duration', 'res', 'uuid']
    assert data['res']['unreachable'] is True
    assert 'UNREACHABLE!' in event['stdout']


def test_host_result_fields(ours):
    ok = by_event(ours, 'runner_on_ok')[0]
    assert list(ok['event_data'])[-8:] == ['host', 'remote_addr', 'res', 'start', 'end', 'duration', 'event_loop', 'uuid']
    assert isinstance(ok['event_data']['duration'], float)
    assert CREATED_RE.match(ok['event_data']['start'])
    failed = by_event(ours, 'runner_on_failed')[0]
    assert list(failed['event_data'])[-9:] == ['host', 'remote_addr', 'res', 'start', 'end', 'duration',
                                               'ignore_errors', 'event_loop', 'uuid']
    skipped = by_event(ours, 'runner_on_skipped')[0]
    assert 'res' not in skipped['event_data']
    item = by_event(ours, 'runner_item_on_failed')[0]
    assert list(item['event_data'])[-3:] == ['host', 'res', 'uuid']
    assert item['event_data']['res']['item'] == 2


def test_handler_and_notify(ours):
    notify, = by_event(ours, 'playbook_on_notify')
    assert notify['event_data']['host'] == 'other'
    assert notify['event_data']['handler'] == 'my handler'
    handler = [e for e in by_event(ours, 'playbook_on_task_start') if e['event_data']['name'] == 'my handler']
    assert handler and handler[0]['event_data']['is_conditional'] is True
    assert 'RUNNING HANDLER [my handler]' in handler[0]['stdout']


def test_include(ours):
    include, = by_event(ours, 'playbook_on_include')
    assert include['event_data']['included_file'].endswith('/project/inc.yml')
    assert 'included: ' in include['stdout']


def test_stats(ours):
    stats, = by_event(ours, 'playbook_on_stats')
    data = stats['event_data']
    assert list(data) == ['playbook', 'playbook_uuid', 'changed', 'dark', 'failures', 'ignored', 'ok',
                          'processed', 'rescued', 'skipped', 'artifact_data', 'uuid']
    assert data['artifact_data'] == {'foo': 'barbar'}  # set_stats aggregates per host
    assert data['dark'] == {'dead': 1}
    assert data['rescued'] == {'other': 1}
    assert 'PLAY RECAP' in stats['stdout']


def test_async_retry_diff(ours):
    retry, = by_event(ours, 'runner_retry')
    assert 'FAILED - RETRYING' in retry['stdout']
    async_ok, = by_event(ours, 'runner_on_async_ok')
    assert list(async_ok['event_data'])[-4:] == ['host', 'res', 'jid', 'uuid']
    assert async_ok['event_data']['jid']
    diff, = by_event(ours, 'runner_on_file_diff')
    assert list(diff['event_data'])[-3:] == ['host', 'diff', 'uuid']
    assert '+h\u00e9llo' in diff['stdout']


def test_same_as_reference(runs):
    assert_same_run(*runs)


BANNERS = ('PLAY [', 'TASK [', 'RUNNING HANDLER [', 'PLAY RECAP')


def by_banner(text):
    """The text's lines, cut at each banner, each part's lines sorted: hosts finish a task in an
    order Ansible does not fix, even with one fork."""
    parts = [[]]
    for line in norm_text(text).splitlines():
        if any(timing in line for timing in TIMING_TEXT):
            continue
        if any(banner in line for banner in BANNERS):
            parts.append([])
        parts[-1].append(line)
    return [sorted(part) for part in parts]


def test_same_stdout_artifact_as_reference(runs):
    """The console text the reader rebuilds from our events equals the reference's."""
    ours, ref = runs
    rebuilt = ''
    for event in ours.events:
        text = event['stdout'].rstrip('\r\n')
        if text:
            rebuilt += text + '\n'
    assert by_banner(rebuilt) == by_banner(ref.artifact_stdout.replace('\r\n', '\n'))
