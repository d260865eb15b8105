"""An application that runs for weeks: one process starts many short jobs, 50 at a time, with
event handlers and cancels mixed in, then calls `run_command` and a `get_*` helper many times.
Afterwards it holds the descriptors, threads and children it held before (no zombie), no job's
temp dir is left, and its memory has not grown by more than a few MiB.

`SOAK_JOBS` (default 1,000) and `SOAK_CALLS` (default 200) size it; `scripts/testing/soak-api` runs a
longer round.
"""

from __future__ import annotations

import gc
import os
import threading
from pathlib import Path

import pytest

import ansible_runner
from conftest import PATIENCE

JOBS = int(os.environ.get('SOAK_JOBS', '1000'))
CALLS = int(os.environ.get('SOAK_CALLS', '200'))
AT_ONCE = 50
# Memory a long-lived application may gain over the run (allocator pools, caches): a few MiB.
MEMORY_SLACK_KIB = 4096


def left_in(temp: Path) -> list[str]:
    """Everything under the temp dir but the user's runtime dir, which the runner keeps (empty)."""
    runtime = f'ansible-runner-{os.geteuid()}'
    names = (str(path.relative_to(temp)) for path in temp.rglob('*'))
    return sorted(name for name in names if name != runtime)


def snapshot(temp: Path) -> dict:
    """What the process holds: descriptors, threads, children (zombies among them), what the jobs
    left in their temp dir, resident memory."""
    gc.collect()
    me = str(os.getpid())
    children = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open(f'/proc/{entry}/stat') as handle:
                fields = handle.read().rsplit(')', 1)[1].split()
        except OSError:
            continue
        if fields[1] == me:
            children.append((entry, fields[0]))
    with open('/proc/self/status') as handle:
        rss = next(int(line.split()[1]) for line in handle if line.startswith('VmRSS:'))
    return {
        'descriptors': len(os.listdir('/proc/self/fd')),
        'threads': threading.active_count(),
        'children': children,
        'temp_dirs': left_in(temp),
        'rss_kib': rss,
    }


def one_job(pdd: Path, number: int, seen: list[int]) -> tuple[threading.Thread, ansible_runner.Runner]:
    """Every fifth job is a sleep canceled once it runs; the others print two lines, which come
    back as events to the handler."""
    if number % 5 == 0:
        started = threading.Event()
        return ansible_runner.run_command_async(
            'sleep', ['300'], private_data_dir=str(pdd), ident=f'job-{number}', quiet=True,
            status_handler=lambda data, runner_config: started.set() if data['status'] == 'running' else None,
            cancel_callback=started.is_set)
    return ansible_runner.run_command_async(
        'sh', ['-c', f'echo first-{number}; echo second-{number}'], private_data_dir=str(pdd),
        ident=f'job-{number}', quiet=True, event_handler=lambda event: seen.append(number) or False)


def run_jobs(pdd: Path, first: int, count: int) -> None:
    seen: list[int] = []
    for start in range(first, first + count, AT_ONCE):
        batch = [one_job(pdd, number, seen) for number in range(start, min(start + AT_ONCE, first + count))]
        for thread, runner in batch:
            thread.join(PATIENCE)
            assert not thread.is_alive()
            expected = 'canceled' if runner.config.ident.endswith(('0', '5')) else 'successful'
            assert runner.status == expected, (runner.config.ident, runner.status, runner.rc)
    quick = [n for n in range(first, first + count) if n % 5]
    assert sorted(set(seen)) == quick, 'a handler missed its events'


@pytest.mark.soak
def test_thousands_of_jobs_leave_the_application_as_it_was(tmp_path, monkeypatch):
    pdd = tmp_path / 'pdd'
    pdd.mkdir()
    # The jobs' temp dirs go here, where nothing else on the machine puts any.
    temp = tmp_path / 'tmp'
    temp.mkdir()
    monkeypatch.setenv('TMPDIR', str(temp))
    monkeypatch.delenv('XDG_RUNTIME_DIR', raising=False)
    run_jobs(pdd, 0, AT_ONCE)  # warm-up: the allocator's pools and the package's caches
    before = snapshot(temp)
    assert before['temp_dirs'] == []
    run_jobs(pdd, AT_ONCE, JOBS)
    for _ in range(CALLS):
        out, err, rc = ansible_runner.run_command('true', runner_mode='subprocess', private_data_dir=str(pdd),
                                                  quiet=True)
        assert rc == 0, (out, err)
    for _ in range(CALLS):
        response, error = ansible_runner.get_plugin_list(list_files=False, response_format='json', quiet=True)
        assert 'ansible.builtin.command' in response, error
    after = snapshot(temp)
    for held in ('descriptors', 'threads', 'children', 'temp_dirs'):
        assert after[held] == before[held], (held, before[held], after[held])
    grown = after['rss_kib'] - before['rss_kib']
    assert grown <= MEMORY_SLACK_KIB, f'RSS grew by {grown} KiB over {JOBS} jobs and {CALLS} calls'
