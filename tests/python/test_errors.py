"""Input the API refuses, and what it says, worded as the reference words it."""

from __future__ import annotations

import errno
import io

import pytest

import ansible_runner
from ansible_runner import ConfigurationError, RunnerConfig
from ansible_runner._binary import RunnerBinaryNotFound
from conftest import play


def test_private_data_dir_that_does_not_exist(tmp_path):
    with pytest.raises(ValueError, match=r'^private_data_dir path is either invalid or does not exist$'):
        ansible_runner.run(private_data_dir=str(tmp_path / 'nope'), playbook='x.yml')


def test_unknown_keyword(pdd):
    # Python's own message. `run()` names its keywords, so it refuses one itself, where the
    # reference's `run(**kwargs)` passes it on to `BaseConfig.__init__()`, which refuses it.
    with pytest.raises(TypeError, match=r"^run\(\) got an unexpected keyword argument 'bogus'$"):
        ansible_runner.run(private_data_dir=pdd, playbook='x.yml', bogus=1)


@pytest.mark.parametrize('inventory', [123, ['hosts', 7]])
def test_inventory_of_a_wrong_type(pdd, inventory):
    found = type(inventory if isinstance(inventory, int) else inventory[1]).__name__
    with pytest.raises(TypeError, match=rf'^sequence item \d+: expected str instance, {found} found$'):
        ansible_runner.run(private_data_dir=pdd, playbook='x.yml', inventory=inventory)


def test_playbook_and_module_together(pdd):
    with pytest.raises(ConfigurationError, match='Only one of playbook and module options are allowed'):
        ansible_runner.run(private_data_dir=pdd, playbook=play({'ping': None}), module='ping')


def test_missing_container_engine_exits(pdd, capsys):
    with pytest.raises(SystemExit) as exited:
        ansible_runner.run(private_data_dir=pdd, playbook='x.yml', process_isolation=True,
                           process_isolation_executable='no-such-engine', container_image='x')
    assert exited.value.code == 1
    assert 'Unable to find process isolation executable: no-such-engine' in capsys.readouterr().out


def test_a_worker_for_a_missing_container_engine_exits_before_the_job(pdd, tmp_path, capsys):
    sent = io.BytesIO()
    transmitter = ansible_runner.run(private_data_dir=pdd, playbook='x.yml', streamer='transmit',
                                     _output=sent, process_isolation=True,
                                     process_isolation_executable='no-such-engine')
    assert transmitter.rc is None, 'transmit does not need the engine'
    worked = io.BytesIO()
    with pytest.raises(SystemExit) as exited:
        ansible_runner.run(streamer='worker', _input=io.BytesIO(sent.getvalue()), _output=worked,
                           private_data_dir=str(tmp_path / 'worker'))
    assert exited.value.code == 1
    assert 'Unable to find process isolation executable: no-such-engine' in capsys.readouterr().out
    assert worked.getvalue() == b''


def test_missing_binary_fails_at_use_not_import(pdd, tmp_path, monkeypatch):
    script = tmp_path / 'ansible-runner'
    script.write_text('#!/usr/bin/env python3\n')
    script.chmod(0o755)
    monkeypatch.setenv('ANSIBLE_RUNNER_BINARY', str(script))
    with pytest.raises(RunnerBinaryNotFound, match='ANSIBLE_RUNNER_BINARY') as raised:
        ansible_runner.run(private_data_dir=pdd, playbook='x.yml')
    assert isinstance(raised.value, ImportError)
    assert 'pip install' in str(raised.value) or 'Install' in str(raised.value)


def test_public_names():
    for name in ('run', 'run_async', 'Runner', 'RunnerConfig', 'AnsibleRunnerException',
                 'ConfigurationError', 'CallbackError', 'plugins', '__version__'):
        assert hasattr(ansible_runner, name)
    assert ansible_runner.__version__.startswith('2.4.3')
    from ansible_runner.runner_config import RunnerConfig as OldPath

    assert OldPath is RunnerConfig
    from ansible_runner import defaults

    assert defaults.AUTO_CREATE_NAMING == '.ansible-runner-'


def test_private_files_are_whole_owner_only_and_follow_no_link(tmp_path):
    from ansible_runner.utils import write_private_file

    target = tmp_path / '7-x.json'
    write_private_file(str(target), '{"a": 1}')
    assert target.read_text() == '{"a": 1}'
    assert oct(target.stat().st_mode & 0o777) == '0o600'
    assert sorted(p.name for p in tmp_path.iterdir()) == ['7-x.json'], 'no temp file stays behind'
    elsewhere = tmp_path / 'elsewhere'
    elsewhere.write_text('keep')
    (tmp_path / '.8-x.json.tmp').symlink_to(elsewhere)
    with pytest.raises(OSError, match='Too many levels of symbolic links'):
        write_private_file(str(tmp_path / '8-x.json'), 'data')
    assert elsewhere.read_text() == 'keep'


def test_a_file_as_private_data_dir_is_the_os_error_the_reference_raises(tmp_path):
    not_a_dir = tmp_path / 'file'
    not_a_dir.write_text('x')
    with pytest.raises(FileExistsError) as raised:
        ansible_runner.run(private_data_dir=str(not_a_dir), module='ping', host_pattern='localhost')
    assert (raised.value.errno, raised.value.filename) == (errno.EEXIST, str(not_a_dir))


def test_a_binary_that_speaks_another_pipe_version_is_refused_naming_both():
    from ansible_runner.config._base import _check_protocol
    for theirs, said in ((None, 'no version'), (2, 'version 2')):
        named = f'speaks pipe {said} and this ansible_runner package version 1'
        with pytest.raises(RuntimeError, match=named):
            _check_protocol(theirs)
