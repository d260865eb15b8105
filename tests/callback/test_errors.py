"""Errors displayed outside callbacks become 'error' events."""

import pytest

from harness import ANSIBLE_CORE, assert_same_run, run_pair


@pytest.fixture(scope='module')
def runs(tmp_path_factory):
    return run_pair(tmp_path_factory.mktemp('errors'), 'broken_include.yml')


def test_error_event(runs):
    ours = runs[0]
    assert ours.rc == 4
    assert ours.stdout == '' and ours.stderr == ''
    error = ours.events[-1]
    assert error['event'] == 'error'
    if ANSIBLE_CORE >= (2, 19):
        assert error['stdout'].startswith('\x1b[0;31m[ERROR]: YAML parsing failed:')
    else:
        assert error['stdout'].startswith('\x1b[0;31mERROR! We were unable to read either as JSON nor YAML')
    assert error['event_data']['error'] is True
    assert error['event_data']['task'] == 'include broken'
    assert 'playbook_on_stats' not in [e['event'] for e in ours.events]


def test_same_as_reference(runs):
    assert_same_run(*runs)
