"""RUNNER_OMIT_EVENTS, RUNNER_ONLY_FAILED_EVENTS, RUNNER_DISPLAY_PRINTS, MAX_EVENT_RES and job ids."""

import pytest

from harness import make_pdd, start_ours

CENSORED = "the output has been hidden due to the fact that 'no_log: true' was specified for this result"

VARIANTS = {
    'omit': {'RUNNER_OMIT_EVENTS': 'True'},
    'only_failed': {'RUNNER_ONLY_FAILED_EVENTS': 'TRUE'},
    'both': {'RUNNER_OMIT_EVENTS': 'true', 'RUNNER_ONLY_FAILED_EVENTS': 'true'},
    'ids': {'JOB_ID': '42', 'PROJECT_UPDATE_ID': '7', 'MAX_EVENT_RES': '100', 'RUNNER_OMIT_EVENTS': 'no',
            'ANSIBLE_DISPLAY_ARGS_TO_STDOUT': 'True'},
    'prints': {'RUNNER_DISPLAY_PRINTS': 'True'},
}


@pytest.fixture(scope='module')
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp('flags')
    pdd = make_pdd(root)
    jobs = {name: start_ours(root / name, ['-i', str(pdd / 'inventory'), 'flags.yml'], cwd=pdd / 'project', env=env)
            for name, env in VARIANTS.items()}
    runs = {name: job.wait() for name, job in jobs.items()}
    for run in runs.values():
        assert run.rc == 0, run.stderr
    return runs


def test_omit_keeps_everything_but_event_data(runs):
    events = runs['omit'].events
    assert len(events) > 5
    for event in events:
        assert event['event_data'] == {}
        if event['event'] != 'playbook_on_start':
            assert 'parent_uuid' in event
    assert any('ok: [localhost]' in e['stdout'] for e in events)


def test_only_failed_keeps_failures(runs):
    events = runs['only_failed'].events
    kept = {e['event'] for e in events if e['event_data']}
    assert kept == {'runner_on_failed', 'runner_item_on_failed'}
    item, = [e for e in events if e['event'] == 'runner_item_on_failed']
    assert item['event_data']['res']['msg'] == 'item 2'
    assert all(e['event_data'] == {} for e in events if e['event'] not in kept)


def test_display_prints_as_ansible_would_and_still_sends_every_event(runs):
    run = runs['prints']
    # The job's stdout here is a pipe: Ansible's own choice is no colour, for the text and the events.
    assert 'PLAY RECAP' in run.stdout and 'ok: [localhost]' in run.stdout
    assert '\x1b[' not in run.stdout
    texts = ''.join(e['stdout'] for e in run.events)
    assert 'ok: [localhost]' in texts and '\x1b[' not in texts
    assert [e['event'] for e in run.events] == [e['event'] for e in runs['omit'].events]


def test_events_alone_print_nothing(runs):
    assert 'PLAY RECAP' not in runs['omit'].stdout


def test_omit_wins(runs):
    assert all(e['event_data'] == {} for e in runs['both'].events)


def test_ids_and_res_limit(runs):
    events = runs['ids'].events
    for event in events:
        assert list(event)[:6] == ['uuid', 'stdout', 'event', 'job_id', 'project_update_id', 'pid']
        assert event['job_id'] == 42 and event['project_update_id'] == 7
    ok, = [e for e in events if e['event'] == 'runner_on_ok' and e['event_data']['task'] == 'fine']
    assert ok['event_data']['res'] == {}
    assert 'x' * 300 in ok['stdout']  # only the event data is trimmed
    stats, = [e for e in events if e['event'] == 'playbook_on_stats']
    assert stats['event_data']['ok'] == {'localhost': 4}


def test_task_args(runs):
    starts = {e['event_data']['name']: e for e in runs['ids'].events if e['event'] == 'playbook_on_task_start'}
    assert starts['fine']['event_data']['task_args'] == "msg={{ 'x' * 300 }}"
    assert "TASK [fine msg={{ 'x' * 300 }}]" in starts['fine']['stdout']
    assert starts['hush']['event_data']['task_args'] == CENSORED
    assert 'TASK [hush] ***' in starts['hush']['stdout']


def test_vars_prompt(runs):
    events = runs['ids'].events
    prompt, = [e for e in events if e['event'] == 'playbook_on_vars_prompt']
    assert list(prompt['event_data']) == ['playbook', 'playbook_uuid', 'varname', 'private', 'prompt', 'encrypt',
                                          'confirm', 'salt_size', 'salt', 'default', 'unsafe', 'uuid']
    assert prompt['event_data']['default'] == 'quiet'
    assert prompt['parent_uuid'] == prompt['event_data']['playbook_uuid']
    # without a terminal Ansible takes the default and says so, outside any callback
    warning = events[events.index(prompt) + 1]
    assert warning['event'] == 'warning'
    assert 'Not prompting as we are not in interactive mode' in warning['stdout']
