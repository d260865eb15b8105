"""Dispatching a job to an execution node over a real Receptor mesh from Python, as AWX does: the
payload is what ``run(streamer='transmit')`` writes, receptorctl's ``ReceptorControl`` submits it
and streams the results back, and ``run(streamer='process')`` consumes them, its handlers firing
as the events arrive. The node runs this package's own ``ansible-runner worker``.

The mesh is a controller and one execution node on 127.0.0.1, each a ``receptor`` daemon (found
on PATH, else in ../shared/tools/receptor/ beside the checkout) with its own control socket.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Generator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from conftest import PATIENCE, play, wait_for

try:
    from receptorctl.socket_interface import ReceptorControl
except ImportError:  # the test below skips, naming what is missing
    ReceptorControl = None

SHARED_RECEPTOR = Path(__file__).resolve().parents[2].parent / 'shared' / 'tools' / 'receptor' / 'receptor'
RECEPTOR = shutil.which('receptor') or (str(SHARED_RECEPTOR) if SHARED_RECEPTOR.is_file() else None)
# The installed package's binary, the one ansible_runner runs jobs on.
WORKER = Path(sys.executable).parent / 'ansible-runner'
NODE = 'node1'
# The recipe the dispatch tests run as written.
DOCS = Path(__file__).resolve().parents[2] / 'docs' / 'remote.md'

pytestmark = pytest.mark.skipif(RECEPTOR is None or ReceptorControl is None,
                                reason='needs receptor (on PATH or in ../shared/tools) and receptorctl')


class Mesh:
    """A controller and an execution node whose work type ``ansible-runner`` runs ``WORKER worker``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.daemons: list[subprocess.Popen[bytes]] = []

    def start(self) -> None:
        port = self.start_node()
        self.start_daemon('controller', f'- tcp-peer:\n    address: 127.0.0.1:{port}\n')
        wait_for(lambda: NODE in self.command('status').get('RoutingTable', {}))

    def start_node(self) -> int:
        """Starts the node on a free port; another program may take the port first, then it tries
        another."""
        for _ in range(5):
            with socket.socket() as probe:
                probe.bind(('127.0.0.1', 0))
                port = probe.getsockname()[1]
            if self.start_daemon(NODE, f'- tcp-listener:\n    bindaddr: 127.0.0.1\n    port: {port}\n'
                                       f'- work-command:\n    worktype: ansible-runner\n'
                                       f'    command: {WORKER}\n    params: worker\n'
                                       f'    allowruntimeparams: true\n'):
                return port
        pytest.fail('the node found no free port')

    def start_daemon(self, node: str, config: str) -> bool:
        """Starts ``receptor`` as ``node``; True once its control socket is up, False if it exited
        first because its port was taken."""
        sock = self.root / f'{node}.sock'
        path = self.root / f'{node}.yml'
        path.write_text(f'---\n- node:\n    id: {node}\n    datadir: {self.root / node}\n'
                        f'- control-service:\n    service: control\n    filename: {sock}\n{config}')
        log = self.root / f'{node}.log'
        with open(log, 'ab') as output:
            daemon = subprocess.Popen([str(RECEPTOR), '--config', str(path)], stdin=subprocess.DEVNULL,
                                      stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
        wait_for(lambda: daemon.poll() is not None or sock.exists())
        if daemon.poll() is not None:
            assert 'address already in use' in log.read_text(), log.read_text()
            return False
        self.daemons.append(daemon)
        return True

    def ctl(self) -> ReceptorControl:
        """A new connection to the controller: one per command, as AWX makes them."""
        return ReceptorControl(str(self.root / 'controller.sock'))

    def command(self, command: str) -> dict:
        with closing(self.ctl()) as ctl:
            return ctl.simple_command(command)

    def stop(self) -> None:
        for daemon in self.daemons:
            daemon.kill()
            daemon.wait()


@pytest.fixture
def mesh(tmp_path: Path) -> Generator[Mesh, None, None]:
    started = Mesh(tmp_path / 'mesh')
    started.root.mkdir()
    try:
        started.start()
        yield started
    finally:
        started.stop()


def documented(test: str) -> str:
    """The text of docs/remote.md's block tagged ``test=<test>``, which that test runs as written."""
    text = DOCS.read_text()
    start = text.index('\n', text.index(f'```python test={test}\n')) + 1
    return text[start:text.index('```', start)]


def dispatch(mesh: Mesh, job: Path, handler: object) -> tuple[str, int]:
    """docs/remote.md's ``dispatch``, run as written but for the controller's socket and where the
    node keeps the job: transmit, submit, stream the results into process, release."""
    recipe = (documented('test_a_job_dispatched_from_python_runs_on_the_node_and_its_handlers_fire_live')
              .replace('/run/receptor/controller.sock', str(mesh.root / 'controller.sock'))
              .replace('/tmp/job_', f'{job.parent}/on-node-'))
    namespace: dict[str, Any] = {}
    exec(compile(recipe, str(DOCS), 'exec'), namespace)
    status, rc = namespace['dispatch'](str(job), NODE, handler)
    return status, rc


def test_a_job_dispatched_from_python_runs_on_the_node_and_its_handlers_fire_live(
        mesh: Mesh, pdd: Path, tmp_path: Path) -> None:
    # The second task waits for a file that only the event handler makes, on the first task's
    # result: the job can succeed only if the handler fires while the job still runs on the node.
    go = tmp_path / 'go'
    (pdd / 'project').mkdir()
    (pdd / 'project' / 'site.yml').write_text(json.dumps(play(
        {'name': 'first', 'debug': {'msg': 'over-the-mesh'}},
        {'name': 'second', 'wait_for': {'path': str(go), 'timeout': int(PATIENCE)}})))
    seen: list[dict] = []
    arrived: dict[str, float] = {}

    def handler(event: dict) -> bool:
        seen.append(event)
        if event['event'] == 'runner_on_ok' and event['event_data'].get('task') == 'first':
            arrived['first'] = time.monotonic()
            go.touch()
        return True

    status, rc = dispatch(mesh, pdd, handler)
    assert status == 'successful', [event.get('stdout') for event in seen]
    assert rc == 0
    assert 'first' in arrived
    names = [event['event'] for event in seen]
    assert names.count('runner_on_ok') == 2, names
    assert names[-1] == 'playbook_on_stats'
    assert any('over-the-mesh' in event.get('stdout', '') for event in seen)
    assert (pdd / 'artifacts' / 'status').read_text() == 'successful'
    assert len(list((pdd / 'artifacts' / 'job_events').iterdir())) == len(seen)
    assert not list(pdd.parent.glob('on-node-*')), '--delete left the private data dir on the node'


def test_a_failing_job_dispatched_from_python_is_recorded_failed(mesh: Mesh, pdd: Path) -> None:
    (pdd / 'project').mkdir()
    (pdd / 'project' / 'site.yml').write_text(json.dumps(play({'fail': {'msg': 'boom'}})))
    seen: list[dict] = []
    assert dispatch(mesh, pdd, lambda event: seen.append(event) or True) == ('failed', 2)
    assert any(event['event'] == 'runner_on_failed' for event in seen)
    assert os.path.exists(pdd / 'artifacts' / 'rc')
