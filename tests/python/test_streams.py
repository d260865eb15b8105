"""`streamer=` modes: this package's streams against the reference's worker (in .venv), both ways,
through BytesIO and pipes; and streams that are cut or garbage."""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
from pathlib import Path

import pytest

import ansible_runner
from conftest import play

VENV = os.environ.get('ANSIBLE_RUNNER_TEST_VENV', Path(__file__).resolve().parents[2] / '.venv')
REFERENCE = Path(VENV) / 'bin' / 'ansible-runner'
needs_reference = pytest.mark.skipif(not REFERENCE.exists(), reason=f'the reference is not in {VENV}')


@pytest.fixture
def job(pdd: Path) -> Path:
    (pdd / 'project').mkdir()
    (pdd / 'project' / 'site.yml').write_text(json.dumps(play({'debug': {'msg': 'streamed-hello'}})))
    return pdd


def transmit(job: Path) -> bytes:
    stream = io.BytesIO()
    transmitter = ansible_runner.run(private_data_dir=str(job), playbook='site.yml',
                                     streamer='transmit', _output=stream)
    assert transmitter.status == 'unstarted'
    return stream.getvalue()


def process(stream: io.BufferedIOBase, into: Path) -> tuple[object, list[dict], list[str]]:
    events: list[dict] = []
    statuses: list[str] = []
    processor = ansible_runner.run(private_data_dir=str(into), streamer='process', _input=stream,
                                   event_handler=lambda event: events.append(event) or True,
                                   quiet=True,
                                   status_handler=lambda data, runner_config: statuses.append(
                                       data['status']))
    return processor, events, statuses


def assert_processed(processor: object, events: list[dict], statuses: list[str], into: Path) -> None:
    assert processor.status == 'successful'
    assert statuses[-1] == 'successful'
    assert any('streamed-hello' in event.get('stdout', '') for event in events)
    artifacts = into / 'artifacts'
    assert (artifacts / 'status').read_text() == 'successful'
    assert (artifacts / 'rc').read_text() == '0'
    assert len(list((artifacts / 'job_events').iterdir())) == len(events)


@needs_reference
def test_our_transmit_reference_worker_our_process_through_bytesio(job, tmp_path):
    worked = subprocess.run([str(REFERENCE), 'worker'], input=transmit(job), capture_output=True,
                            check=True, timeout=300)
    processor, events, statuses = process(io.BytesIO(worked.stdout), tmp_path / 'out')
    assert_processed(processor, events, statuses, tmp_path / 'out')


@needs_reference
def test_reference_transmit_our_worker_reference_process_through_pipes(job, tmp_path):
    transmitted = subprocess.run([str(REFERENCE), 'transmit', str(job), '-p', 'site.yml'],
                                 capture_output=True, check=True, timeout=300).stdout
    read_end, write_end = os.pipe()
    consumer = subprocess.Popen([str(REFERENCE), 'process', str(tmp_path / 'out')], stdin=read_end,
                                stdout=subprocess.PIPE)
    os.close(read_end)
    with open(write_end, 'wb') as output:
        worker = ansible_runner.run(streamer='worker', _input=io.BytesIO(transmitted), _output=output)
    shown, _ = consumer.communicate(timeout=300)
    assert (worker.status, worker.rc) == ('successful', 0)
    assert consumer.returncode == 0
    assert b'streamed-hello' in shown
    assert (tmp_path / 'out' / 'artifacts' / 'status').read_text() == 'successful'


def test_all_three_in_this_package_through_a_pipe(job, tmp_path):
    read_end, write_end = os.pipe()
    with open(write_end, 'wb') as output, open(read_end, 'rb') as worked:
        worker = ansible_runner.run(streamer='worker', _input=io.BytesIO(transmit(job)), _output=output)
        output.close()
        processor, events, statuses = process(worked, tmp_path / 'out')
    assert worker.status == 'successful'
    assert_processed(processor, events, statuses, tmp_path / 'out')


def zip_line(payload: bytes) -> bytes:
    return json.dumps({'zipfile': len(payload)}).encode() + b'\n' + base64.b64encode(payload)


def evil_zip() -> bytes:
    import zipfile
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w') as archive:
        archive.writestr('../escaped.txt', 'out')
    return buffer.getvalue()


@pytest.mark.parametrize(('stream', 'explanation'), [
    (b'', 'Unexpected empty line encountered during worker stream'),
    (b'{"status": "starting"}\nthis is not json\n', 'Failed to JSON parse a line from worker stream'),
    (b'{"zipfile": 1000}\nQUJD', 'the stream ended inside a zip archive'),
    (zip_line(b'not a zip at all') + b'\n{"eof": true}\n', 'is not a zip file'),
    (zip_line(evil_zip()) + b'\n{"eof": true}\n', 'would be written outside its directory'),
])
def test_a_cut_or_garbage_stream_is_an_error_and_writes_nothing_outside(tmp_path, stream, explanation):
    into = tmp_path / 'deep' / 'out'
    explanations: list[str] = []
    processor = ansible_runner.run(
        private_data_dir=str(into), streamer='process', _input=io.BytesIO(stream), quiet=True,
        status_handler=lambda data, runner_config: explanations.append(data.get('job_explanation', '')))
    assert processor.status == 'error'
    assert explanation in explanations[-1]
    inside = sorted(p.name for p in (tmp_path / 'deep').rglob('*'))
    assert sorted(p.name for p in tmp_path.rglob('*')) == sorted([*inside, 'deep'])
    assert not (tmp_path / 'deep' / 'escaped.txt').exists()
