"""Errors displayed outside callbacks become 'error' events."""

import pytest

from harness import assert_same_run, make_pdd, start_ours, start_reference


@pytest.fixture(scope='module')
def runs(tmp_path_factory, have_reference):
    root = tmp_path_factory.mktemp('errors')
    pdd = make_pdd(root)
    ours = start_ours(root / 'ours', ['-i', str(pdd / 'inventory'), 'broken_include.yml'], cwd=pdd / 'project')
    ref = start_reference(pdd, ['-p', 'broken_include.yml']) if have_reference else None
    return ours.wait(), ref.wait() if ref else None


def test_error_event(runs):
    ours = runs[0]
    assert ours.rc == 4
    assert ours.stdout == '' and ours.stderr == ''
    error = ours.events[-1]
    assert error['event'] == 'error'
    assert error['stdout'].startswith('\x1b[0;31m[ERROR]: YAML parsing failed:')
    assert error['event_data']['error'] is True
    assert error['event_data']['task'] == 'include broken'
    assert 'playbook_on_stats' not in [e['event'] for e in ours.events]


def test_same_as_reference(runs):
    assert_same_run(*runs)
