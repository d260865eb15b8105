"""`ansible_runner.utils.capacity` (what an execution node reports) and `utils.args2cmdline`,
compared with the reference in .venv where it is there."""

from __future__ import annotations

import json
import multiprocessing
import re
import shlex
import stat
import subprocess
import uuid
from pathlib import Path

import pytest

from ansible_runner._binary import find_binary
from ansible_runner.utils import args2cmdline
from ansible_runner.utils.capacity import ensure_uuid, get_cpu_count, get_mem_in_bytes

REFERENCE_PYTHON = Path(__file__).resolve().parents[2] / '.venv' / 'bin' / 'python'
needs_reference = pytest.mark.skipif(not REFERENCE_PYTHON.exists(), reason='the reference is not in .venv')


def reference(code: str) -> object:
    """What `code` (an expression) gives in the reference's interpreter, through JSON."""
    done = subprocess.run([str(REFERENCE_PYTHON), '-c', f'import json, ansible_runner.utils, '
                           f'ansible_runner.utils.capacity as c; print(json.dumps({code}))'],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_cpu_count_is_the_machines():
    assert get_cpu_count() == multiprocessing.cpu_count()


def test_memory_is_memtotal_in_bytes():
    text = Path('/proc/meminfo').read_text()
    kib = int(re.search(r'^MemTotal:\s+(\d+) kB', text, re.M).group(1))
    assert get_mem_in_bytes() == kib * 1024


@needs_reference
def test_cpu_and_memory_as_the_reference_counts_them():
    assert [get_cpu_count(), get_mem_in_bytes()] == reference('[c.get_cpu_count(), c.get_mem_in_bytes()]')


def test_ensure_uuid_makes_an_owner_only_file_once(tmp_path):
    path = tmp_path / 'node_uuid'
    made = ensure_uuid(path)
    assert str(uuid.UUID(made)) == made
    assert path.read_text() == made
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert ensure_uuid(path) == made, 'stable across calls'
    assert sorted(p.name for p in tmp_path.iterdir()) == ['node_uuid'], 'no temp file stays behind'


def test_ensure_uuid_keeps_an_existing_id_and_tightens_its_mode(tmp_path):
    path = tmp_path / 'node_uuid'
    path.write_text('  existing-node-id\n')
    path.chmod(0o644)
    assert ensure_uuid(path) == 'existing-node-id'
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_default_file_is_in_home_and_shared_with_worker_info(tmp_path, monkeypatch):
    monkeypatch.setenv('HOME', str(tmp_path))
    made = ensure_uuid()
    assert (tmp_path / '.ansible_runner_uuid').read_text() == made
    info = subprocess.run([find_binary(), 'worker', '--worker-info'], capture_output=True, text=True,
                          check=True).stdout
    assert f'uuid: {made}' in info


@needs_reference
def test_ensure_uuid_reads_what_the_reference_wrote(tmp_path):
    path = tmp_path / 'node_uuid'
    theirs = reference(f'c.ensure_uuid(__import__("pathlib").Path({str(path)!r}))')
    assert ensure_uuid(path) == theirs


ARGS = ['plain', 'two words', "it's", '$HOME', '', '--opt=a;b', 'ünï']


def test_args2cmdline_quotes_for_a_posix_shell():
    line = args2cmdline(*ARGS)
    assert shlex.split(line) == ARGS
    echoed = subprocess.run(['sh', '-c', f'printf "%s\\n" {line}'], capture_output=True, text=True,
                            check=True)
    assert echoed.stdout.split('\n')[:-1] == ARGS


@needs_reference
def test_args2cmdline_as_the_reference_writes_it():
    assert args2cmdline(*ARGS) == reference(f'ansible_runner.utils.args2cmdline(*{ARGS!r})')
