"""`ansible_runner.__main__.main(argv)` in-process: a run's rc is returned, what the Python tool
ends with SystemExit ends so here, and every byte of output goes through the sys.stdout and
sys.stderr the caller put in place."""

from __future__ import annotations

import errno
import io
import json
import sys
from pathlib import Path

import pytest

from ansible_runner.__main__ import main
from conftest import play


@pytest.fixture
def project(pdd: Path) -> Path:
    (pdd / 'project').mkdir()
    (pdd / 'project' / 'site.yml').write_text(json.dumps(play({'debug': {'msg': 'from-main'}})))
    (pdd / 'project' / 'fail.yml').write_text(json.dumps(play({'fail': {'msg': 'failed-on-purpose'}})))
    return pdd


def test_a_run_returns_its_rc_and_prints_through_sys_stdout(project, capsys):
    assert main(['run', str(project), '-p', 'site.yml']) == 0
    out, _ = capsys.readouterr()
    assert 'from-main' in out
    assert (project / 'artifacts').is_dir()


def test_a_failed_run_returns_its_rc_without_raising(project, capsys):
    assert main(['run', str(project), '-p', 'fail.yml']) == 2
    assert 'failed-on-purpose' in capsys.readouterr().out


def test_output_reaches_a_text_only_stdout(project, monkeypatch):
    replaced = io.StringIO()  # no .buffer and no descriptor: the text path
    monkeypatch.setattr(sys, 'stdout', replaced)
    assert main(['run', str(project), '-p', 'site.yml', '--json']) == 0
    events = [json.loads(line) for line in replaced.getvalue().splitlines() if line.strip()]
    assert 'playbook_on_stats' in [event['event'] for event in events]


@pytest.mark.parametrize(('argv', 'expected'), [
    (['run'], 'the following arguments are required'),
    (['no-such-command'], 'invalid choice'),
    (['run', '/tmp', '-p'], 'argument -p/--playbook: expected one argument'),
    (['run', '/tmp', '-p', 'x.yml', '--rotate-artifacts', 'many'], "invalid int value: 'many'"),
])
def test_usage_errors_raise_systemexit_2(argv, expected, capsys):
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    out, err = capsys.readouterr()
    assert out == ''
    assert 'usage: ansible-runner' in err and expected in err


@pytest.mark.parametrize(('argv', 'stream', 'expected'), [
    (['--help'], 'out', 'Usage: ansible-runner'),
    (['--version'], 'out', '2.4.3'),
])
def test_help_and_version_end_in_systemexit_0(argv, stream, expected, capsys):
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 0
    assert expected in getattr(capsys.readouterr(), stream)


@pytest.mark.parametrize(('argv', 'message'), [
    (['--hosts', 'localhost', '-p', 'site.yml'], 'The --hosts option can only be used with -m or -r'),
    ([], 'The -p option must be specified when not using -m or -r'),
    (['-p', 'site.yml', '--inventory', 'nowhere'],
     'Value for --inventory does not appear to be a valid path.'),
])
def test_the_tools_argument_checks_exit_1(project, argv, message, capsys):
    with pytest.raises(SystemExit) as exited:
        main(['run', str(project), *argv])
    assert exited.value.code == 1
    assert capsys.readouterr().err.strip() == message


def test_a_file_as_private_data_dir_raises_file_exists(tmp_path, capsys):
    not_a_dir = tmp_path / 'file'
    not_a_dir.write_text('x')
    with pytest.raises(FileExistsError) as raised:
        main(['run', '-m', 'ping', '--hosts', 'localhost', str(not_a_dir)])
    assert (raised.value.errno, raised.value.filename) == (errno.EEXIST, str(not_a_dir))
    assert str(not_a_dir) in capsys.readouterr().err


def test_a_failing_job_returns_its_rc_and_the_outcome_descriptor_stays_with_the_runner(project):
    # rc 2 is also argparse's: the runner says which one this is. The job never sees the variable
    # that names the runner's descriptor.
    (project / 'project' / 'fail.yml').write_text(json.dumps(play(
        {'shell': 'test -z "${ANSIBLE_RUNNER_OUTCOME_FD-}"'}, {'fail': {'msg': 'on-purpose'}})))
    assert main(['run', str(project), '-p', 'fail.yml']) == 2
    events = [json.loads(p.read_text()) for p in (project / 'artifacts').glob('*/job_events/*.json')]
    assert any(e['event'] == 'runner_on_ok' and e['event_data']['task_action'] == 'shell' for e in events)


def test_a_private_data_dir_that_cannot_be_made_raises_the_os_error():
    # procfs refuses every mkdir, even to root.
    with pytest.raises(FileNotFoundError) as raised:
        main(['run', '-m', 'ping', '--hosts', 'localhost', '/proc/no-such-entry/pdd'])
    assert raised.value.errno == errno.ENOENT


def test_transmit_worker_process_through_replaced_streams(project, tmp_path, monkeypatch):
    """The three commands in a row, each stream a BytesIO behind sys.stdin or sys.stdout."""

    def call(argv: list[str], given: bytes) -> bytes:
        stdout = io.TextIOWrapper(io.BytesIO(), encoding='utf-8')
        monkeypatch.setattr(sys, 'stdin', io.TextIOWrapper(io.BytesIO(given), encoding='utf-8'))
        monkeypatch.setattr(sys, 'stdout', stdout)
        assert main(argv) == 0
        stdout.flush()
        return stdout.buffer.getvalue()

    sent = call(['transmit', str(project), '-p', 'site.yml'], b'')
    worked = call(['worker'], sent)
    shown = call(['process', str(tmp_path / 'out')], worked)
    assert worked.endswith(b'{"eof": true}\n')
    assert b'from-main' in shown
    assert (tmp_path / 'out' / 'artifacts').is_dir()
