"""Fixtures for the API tests: real ansible-core on localhost, the package installed from the wheel."""

from __future__ import annotations

import os
import sys
import time
import uuid
from collections.abc import Callable, Generator
from pathlib import Path

import pytest

import ansible_runner

LOCAL_INVENTORY = ('localhost ansible_connection=local '
                   'ansible_python_interpreter="{{ ansible_playbook_python }}"')
FINAL = ('successful', 'failed', 'timeout', 'canceled')
# How long a test waits for what it expects before it gives up: a safety net, not a measure, long
# enough for a busy machine, where Ansible may take many seconds to start.
PATIENCE = 120.0

# Ansible's tools live beside the interpreter of this venv, which need not be on PATH.
os.environ['PATH'] = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get('PATH', '')])
os.environ.setdefault('ANSIBLE_DEVEL_WARNING', 'False')
os.environ.setdefault('ANSIBLE_DEPRECATION_WARNINGS', 'False')


def pytest_configure(config: pytest.Config) -> None:
    """Refuse to test a source checkout: these tests are about the installed wheel. Name the
    marker that selects tests by what the Python can install (-W error refuses unknown ones).
    """
    config.addinivalue_line('markers', 'navigator: needs ansible-navigator, which needs Python 3.10 or newer')
    config.addinivalue_line('markers',
                            'rulebook: needs ansible-rulebook and Java 17 (installed in .venv-api only)')
    config.addinivalue_line('markers', 'soak: a long-lived application, thousands of jobs (.venv-api only)')
    location = Path(ansible_runner.__file__).resolve()
    if 'site-packages' not in location.parts:
        raise pytest.UsageError(f'ansible_runner is imported from {location}, not from an installed wheel; '
                                'run scripts/setup/venv-api and use .venv-api/bin/python -m pytest')


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None],
                              ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """With ANSIBLE_RUNNER_TEST_NO_SKIPS=1 (scripts/test) a skip fails: there, every part a test
    needs (the reference, ansible-navigator, podman, tmux) is installed, so a skip hides a gap."""
    del call
    report = yield
    no_skips = os.environ.get('ANSIBLE_RUNNER_TEST_NO_SKIPS') == '1'
    if no_skips and report.skipped and not hasattr(report, 'wasxfail'):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = 'failed'
        report.longrepr = f'SKIPPED {item.nodeid}: {reason} (ANSIBLE_RUNNER_TEST_NO_SKIPS=1 fails every skip)'
    return report


def wait_for(condition: Callable[[], object], timeout: float = PATIENCE, interval: float = 0.02) -> object:
    """Poll `condition` until it is truthy; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f'condition not met within {timeout} s: {condition}')
        time.sleep(interval)


def play(*tasks: dict, **options: object) -> list[dict]:
    """A one-play playbook on localhost without fact gathering."""
    return [{'hosts': 'all', 'gather_facts': False, 'tasks': list(tasks), **options}]


def processes_with(marker: str) -> list[int]:
    """Pids of live processes whose environment holds `marker`."""
    needle = marker.encode()
    found = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f'/proc/{entry}/environ', 'rb') as handle:
                if needle in handle.read():
                    found.append(int(entry))
        except OSError:
            continue
    return found


def sleeps_with(marker: str) -> list[int]:
    """The `sleep` processes (a task's command) among those whose environment holds `marker`."""
    def is_sleep(pid: int) -> bool:
        try:
            with open(f'/proc/{pid}/cmdline', 'rb') as handle:
                return handle.read().startswith(b'sleep\0')
        except OSError:
            return False
    return [pid for pid in processes_with(marker) if is_sleep(pid)]


@pytest.fixture
def pdd(tmp_path: Path) -> Path:
    """A private data dir whose inventory is localhost over the local connection."""
    private_data_dir = tmp_path / 'pdd'
    (private_data_dir / 'inventory').mkdir(parents=True)
    (private_data_dir / 'inventory' / 'hosts').write_text(LOCAL_INVENTORY + '\n')
    return private_data_dir


@pytest.fixture
def marker() -> str:
    """A value unique to this test, put in the job's environment to find its processes."""
    return f'API_TEST_MARKER_{uuid.uuid4().hex}'
