"""Hostile values through the Python API, as a web form or a URL could pass them to `run()`:
each ends in a named exception or a job that fails cleanly, never a hang or a crash of the
application, nothing written outside the private data dir, nothing left running."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import ansible_runner
from ansible_runner import ConfigurationError
from conftest import LOCAL_INVENTORY


def deep(levels: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(levels):
        value = {'a': value}
    return value


REFUSED = [
    ('ident with a slash', {'ident': 'a/b'}, ConfigurationError),
    ('ident ..', {'ident': '..'}, ConfigurationError),
    ('ident with NUL', {'ident': 'a\x00b'}, ValueError),
    ('ident of 4 KiB', {'ident': 'x' * 4096}, OSError),
    ('ident that is not UTF-8', {'ident': 'a\udcff'}, ValueError),
    ('extravars with a tuple key', {'extravars': {(1, 2): 'b'}}, TypeError),
    ('extravars nested 100,000 deep', {'extravars': deep(100_000)}, RecursionError),
    ('envvars name with =', {'envvars': {'A=B': 'x'}}, ConfigurationError),
    ('envvars value with NUL', {'envvars': {'A': 'x\x00y'}}, ConfigurationError),
    ('timeout NaN', {'timeout': float('nan')}, ValueError),
    ('timeout negative', {'timeout': -5}, ConfigurationError),
    ('timeout of 1e300 s', {'timeout': 1e300}, ConfigurationError),
]


def children() -> list[str]:
    me = str(os.getpid())
    found = []
    for entry in os.listdir('/proc'):
        try:
            with open(f'/proc/{entry}/stat') as handle:
                if handle.read().rsplit(')', 1)[1].split()[1] == me:
                    found.append(entry)
        except (OSError, IndexError):
            continue
    return found


def only_inside(root: Path, pdd: Path) -> None:
    """Nothing but the private data dir under `root`."""
    assert sorted(p.name for p in root.iterdir()) == [pdd.name]


@pytest.mark.parametrize(('_case', 'given', 'raised'), REFUSED, ids=[case for case, _, _ in REFUSED])
def test_a_hostile_value_is_refused_with_a_named_exception(tmp_path, _case, given, raised):
    pdd = tmp_path / 'pdd'
    pdd.mkdir()
    with pytest.raises(raised):
        ansible_runner.run(private_data_dir=str(pdd), module='ping', host_pattern='localhost', quiet=True,
                           **given)
    only_inside(tmp_path, pdd)
    assert children() == []


def test_hostile_values_a_job_can_carry_run_or_fail_cleanly(tmp_path):
    # Each job in a private data dir of its own: what the package writes to `env/` (the cmdline)
    # stays there for the next job in the same dir, as with the reference.
    pdds = tmp_path / 'pdds'
    planted = tmp_path / 'planted'
    jobs = [
        ({'extravars': {'a': 'x\x00y'}, 'module': 'debug', 'module_args': 'var=a'}, 'successful'),
        # More than one argument may hold: it reaches Ansible through env/extravars alone (the
        # reference's spawn raises there, passing it on the command line too).
        ({'extravars': {'a': 'x' * 10_000_000}, 'module': 'ping'}, 'successful'),
        # Never a shell: the metacharacters are arguments Ansible refuses.
        ({'cmdline': f'; touch {planted} $(touch {planted})', 'module': 'ping'}, 'failed'),
        ({'passwords': {'(a+)+$': 'x', '(.*a){30}': 'y'}, 'module': 'ping'}, 'successful'),
    ]
    for number, (given, status) in enumerate(jobs):
        pdd = pdds / str(number)
        (pdd / 'inventory').mkdir(parents=True)
        (pdd / 'inventory' / 'hosts').write_text(LOCAL_INVENTORY + '\n')
        runner = ansible_runner.run(private_data_dir=str(pdd), host_pattern='localhost', quiet=True, **given)
        assert runner.status == status, (given.keys(), runner.status, runner.rc)
    assert not planted.exists()
    only_inside(tmp_path, pdds)
    assert children() == []


def test_an_inventory_text_naming_a_path_is_a_host_never_a_file_read(tmp_path):
    pdd = tmp_path / 'pdd'
    pdd.mkdir()
    runner = ansible_runner.run(private_data_dir=str(pdd), inventory='[web]\n/etc/passwd\n',
                                host_pattern='web', module='ping', quiet=True)
    with runner.stdout as shown:
        assert 'root:' not in shown.read()
    assert (runner.status, runner.rc) == ('failed', 4)


def test_a_closed_descriptor_for_the_output_is_refused(tmp_path):
    read_end, write_end = os.pipe()
    os.close(read_end)
    os.close(write_end)
    with pytest.raises(OSError, match='Bad file descriptor'):
        ansible_runner.run_command('echo', ['hi'], output_fd=write_end,
                                   runner_mode='subprocess', private_data_dir=str(tmp_path))
    assert children() == []


FULL_DISK_JOB = '''
import json, os, shutil, sys
import ansible_runner
target, pdd = sys.argv[1], sys.argv[2]
big = [{'hosts': 'all', 'gather_facts': False,
        'tasks': [{'debug': {'msg': "{{ 'x' * 20000 }}"}, 'loop': '{{ range(40) | list }}'}]}]
small = [{'hosts': 'all', 'gather_facts': False, 'tasks': [{'debug': {'msg': 'fits'}}]}]
runner = ansible_runner.run(private_data_dir=pdd, artifact_dir=target, ident='full', playbook=big,
                            quiet=True, event_handler=lambda event: True)
kept = os.path.join(target, 'full')
files = {name: open(os.path.join(kept, name)).read() if os.path.exists(os.path.join(kept, name)) else None
         for name in ('status', 'rc')}
shutil.rmtree(kept)
after = ansible_runner.run(private_data_dir=pdd, artifact_dir=target, ident='next', playbook=small,
                           quiet=True)
print(json.dumps({'full': [runner.status, runner.rc, runner.errored, runner.job_explanation],
                  'files': files, 'next': [after.status, after.rc]}))
'''


@pytest.mark.skipif(os.geteuid() != 0, reason='mounting a small tmpfs needs root')
def test_a_disk_that_fills_mid_job_fails_it_by_name_and_the_next_job_runs(tmp_path):
    pdd = tmp_path / 'pdd'
    (pdd / 'inventory').mkdir(parents=True)
    (pdd / 'inventory' / 'hosts').write_text(LOCAL_INVENTORY + '\n')
    mount = tmp_path / 'small'
    mount.mkdir()
    script = 'mount -t tmpfs -o size=400k tmpfs "$1" || exit 99; exec "$2" -c "$3" "$1" "$4"'
    argv = ['unshare', '-m', 'sh', '-c', script, 'sh', str(mount), sys.executable, FULL_DISK_JOB, str(pdd)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    told = json.loads(done.stdout.splitlines()[-1])
    status, rc, errored, explanation = told['full']
    assert (status, rc, errored) == ('failed', 1, True), told
    assert 'No space left on device' in explanation
    # Whole or absent, never cut short.
    assert told['files'] in ({'status': 'failed', 'rc': '1'}, {'status': None, 'rc': None}), told
    assert told['next'] == ['successful', 0], told


def test_an_ident_naming_an_existing_run_replaces_it_whole(tmp_path):
    pdd = tmp_path / 'pdd'
    (pdd / 'inventory').mkdir(parents=True)
    (pdd / 'inventory' / 'hosts').write_text(LOCAL_INVENTORY + '\n')
    counts = []
    for message in ('first', 'second'):
        runner = ansible_runner.run(private_data_dir=str(pdd), ident='same', module='debug',
                                    module_args=f'msg={message}', host_pattern='localhost', quiet=True)
        assert runner.status == 'successful'
        counts.append(len(list((pdd / 'artifacts' / 'same' / 'job_events').iterdir())))
    # The second run's events only, not both runs' mixed in one dir.
    assert counts[0] == counts[1]
    with runner.stdout as shown:
        text = shown.read()
    assert 'second' in text and 'first' not in text


def test_descriptors_the_application_uses_elsewhere_stay_its_own(tmp_path):
    pdd = str(tmp_path / 'pdd')
    with open(tmp_path / 'app.log', 'w+') as log:
        log.write('app before\n')
        log.flush()
        # Its own log as the command's output: the output goes after what the application wrote,
        # and the descriptor is still the application's to write to.
        assert ansible_runner.run_command('echo', ['from the command'], output_fd=log.fileno(),
                                          runner_mode='subprocess', private_data_dir=pdd) == ('', '', 0)
        log.write('app after\n')
    assert (tmp_path / 'app.log').read_text() == 'app before\nfrom the command\napp after\n'
    with open(tmp_path / 'write-only', 'w') as write_only:
        # A descriptor open for writing as the input: the command cannot read it and fails.
        out, err, rc = ansible_runner.run_command('cat', [], input_fd=write_only.fileno(),
                                                  runner_mode='subprocess', private_data_dir=pdd)
        assert (out, rc) == ('', 1) and 'Bad file descriptor' in err
        write_only.write('still mine\n')
    assert (tmp_path / 'write-only').read_text() == 'still mine\n'
    with socket.socket() as listening:
        listening.bind(('127.0.0.1', 0))
        listening.listen()
        out, err, rc = ansible_runner.run_command('cat', [], input_fd=listening.fileno(),
                                                  runner_mode='subprocess', private_data_dir=pdd)
        assert (out, rc) == ('', 1) and 'not connected' in err
        assert listening.getsockname()[0] == '127.0.0.1'
    # A closed one is refused before anything runs (the reference runs the command without it).
    read_end, write_end = os.pipe()
    os.close(read_end)
    os.close(write_end)
    with pytest.raises(OSError, match='Bad file descriptor'):
        ansible_runner.run_command('cat', [], input_fd=read_end, runner_mode='subprocess',
                                   private_data_dir=pdd)
    assert children() == []


UNWRITABLE_ARTIFACT_DIR = '''
import json, sys
import ansible_runner
try:
    ansible_runner.run(private_data_dir=sys.argv[1], artifact_dir=sys.argv[2], ident='x', module='ping',
                       host_pattern='localhost', quiet=True)
except OSError as err:
    print(json.dumps([type(err).__name__, err.errno, err.filename]))
'''


def test_an_artifact_dir_that_is_a_file_or_unwritable_is_the_os_error_the_reference_raises(tmp_path):
    pdd = tmp_path / 'pdd'
    pdd.mkdir()
    (tmp_path / 'a-file').write_text('')
    with pytest.raises(NotADirectoryError) as raised:
        ansible_runner.run(private_data_dir=str(pdd), artifact_dir=str(tmp_path / 'a-file'), ident='x',
                           module='ping', host_pattern='localhost', quiet=True)
    assert raised.value.filename == str(tmp_path / 'a-file' / 'x')
    locked = tmp_path / 'locked'
    locked.mkdir(mode=0o500)
    # Root's file modes are checked only without the capabilities that override them.
    unprivileged = ['setpriv', '--bounding-set', '-dac_override,-dac_read_search',
                    '--inh-caps', '-dac_override,-dac_read_search'] if os.geteuid() == 0 else []
    argv = [*unprivileged, sys.executable, '-c', UNWRITABLE_ARTIFACT_DIR, str(pdd), str(locked)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False)
    assert json.loads(done.stdout) == ['PermissionError', 13, str(locked / 'x')], done.stderr
    assert list(locked.iterdir()) == []
    assert sorted(p.name for p in pdd.iterdir()) == []


def test_a_private_data_dir_reached_through_a_symlink_is_used_where_it_leads(tmp_path):
    real = tmp_path / 'real'
    (real / 'inventory').mkdir(parents=True)
    (real / 'inventory' / 'hosts').write_text(LOCAL_INVENTORY + '\n')
    (tmp_path / 'link').symlink_to(real)
    runner = ansible_runner.run(private_data_dir=str(tmp_path / 'link'), ident='linked', module='ping',
                                host_pattern='localhost', quiet=True)
    assert (runner.status, runner.rc) == ('successful', 0)
    assert (real / 'artifacts' / 'linked' / 'rc').read_text() == '0'
    assert sorted(p.name for p in tmp_path.iterdir()) == ['link', 'real']
