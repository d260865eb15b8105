"""`streamer=` modes: this package's streams against the reference's worker (in .venv), both ways,
through BytesIO and pipes; and streams that are cut or garbage."""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import threading
import time
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


def through(transport: str, data: bytes, consume) -> object:
    """`consume(stream)` reading `data` from a BytesIO, or from a pipe a thread writes it to."""
    if transport == 'bytesio':
        return consume(io.BytesIO(data))
    read_end, write_end = os.pipe()

    def write() -> None:
        with open(write_end, 'wb') as pipe:
            pipe.write(data)

    writer = threading.Thread(target=write)
    writer.start()
    with open(read_end, 'rb') as stream:
        result = consume(stream)
    writer.join()
    return result


@needs_reference
@pytest.mark.parametrize('transport', ['bytesio', 'pipe'])
def test_our_transmit_reference_worker_our_process(job, tmp_path, transport):
    worked = subprocess.run([str(REFERENCE), 'worker'], input=transmit(job), capture_output=True,
                            check=True, timeout=300)
    processor, events, statuses = through(transport, worked.stdout,
                                          lambda stream: process(stream, tmp_path / 'out'))
    assert_processed(processor, events, statuses, tmp_path / 'out')


def reference_transmit(job: Path) -> bytes:
    return subprocess.run([str(REFERENCE), 'transmit', str(job), '-p', 'site.yml'],
                          capture_output=True, check=True, timeout=300).stdout


@needs_reference
def test_reference_transmit_our_worker_reference_process_through_pipes(job, tmp_path):
    read_end, write_end = os.pipe()
    consumer = subprocess.Popen([str(REFERENCE), 'process', str(tmp_path / 'out')], stdin=read_end,
                                stdout=subprocess.PIPE)
    os.close(read_end)
    with open(write_end, 'wb') as output:
        worker = through('pipe', reference_transmit(job),
                         lambda stream: ansible_runner.run(streamer='worker', _input=stream, _output=output))
    shown, _ = consumer.communicate(timeout=300)
    assert (worker.status, worker.rc) == ('successful', 0)
    assert consumer.returncode == 0
    assert b'streamed-hello' in shown
    assert (tmp_path / 'out' / 'artifacts' / 'status').read_text() == 'successful'


@needs_reference
def test_reference_transmit_our_worker_reference_process_through_bytesio(job, tmp_path):
    output = io.BytesIO()
    worker = ansible_runner.run(streamer='worker', _input=io.BytesIO(reference_transmit(job)), _output=output)
    assert (worker.status, worker.rc) == ('successful', 0)
    shown = subprocess.run([str(REFERENCE), 'process', str(tmp_path / 'out')], input=output.getvalue(),
                           capture_output=True, check=True, timeout=300).stdout
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


def test_a_worker_fed_a_long_line_without_end_reports_an_error_and_reads_it_whole(tmp_path):
    # Three MiB with no line end: more than the Python side looks at before starting the worker,
    # which must still get every byte (it reports what it could not parse) and end.
    garbage = b'x' * (3 << 20)
    output = io.BytesIO()
    worker = ansible_runner.run(streamer='worker', _input=io.BytesIO(garbage), _output=output,
                                private_data_dir=str(tmp_path / 'w'))
    assert worker.status == 'error'
    lines = [json.loads(line) for line in output.getvalue().splitlines() if line.strip()]
    assert lines[0]['status'] == 'error'
    assert lines[-1] == {'eof': True}


def frames(stream: bytes) -> list[dict]:
    """Every line of a worker's stream as JSON, each zip payload decoded to its announced size: a
    keepalive written into the middle of a line or a payload fails here.
    """
    reader = io.BytesIO(stream)
    parsed = []
    while line := reader.readline():
        if not line.strip():
            continue
        try:
            frame = json.loads(line)
        except ValueError:
            pytest.fail(f'not a JSON line in the stream: {line[:200]!r}')
        parsed.append(frame)
        if 'zipfile' in frame:
            size = frame['zipfile']
            payload = reader.read(4 * ((size + 2) // 3))
            assert len(base64.b64decode(payload, validate=True)) == size
    return parsed


@pytest.fixture
def sleeper(pdd: Path) -> Path:
    """A job with a two-second silence: one task that sleeps."""
    (pdd / 'project').mkdir()
    (pdd / 'project' / 'sleep.yml').write_text(json.dumps(play(
        {'name': 'Sleep a while', 'command': 'sleep {{ sleep_interval }}'})))
    return pdd


@pytest.mark.parametrize(('setting', 'env', 'per_second'), [
    (0, None, 0),          # off, the default
    (1, None, 1),          # about one a second of silence, give or take the artifacts
    (None, '1', 1),        # no keyword: ANSIBLE_RUNNER_KEEPALIVE_SECONDS decides
    (1e-9, None, None),    # as often as the worker can: nothing may be corrupted
])
def test_keepalives_are_whole_lines_counted_by_the_setting_and_never_processed(
        sleeper, tmp_path, monkeypatch, setting, env, per_second):
    if env is None:
        monkeypatch.delenv('ANSIBLE_RUNNER_KEEPALIVE_SECONDS', raising=False)
    else:
        monkeypatch.setenv('ANSIBLE_RUNNER_KEEPALIVE_SECONDS', env)
    sent = io.BytesIO()
    ansible_runner.run(private_data_dir=str(sleeper), playbook='sleep.yml', streamer='transmit',
                       _output=sent, extravars={'sleep_interval': 2},
                       verbosity=5 if setting == 1e-9 else None)
    worked = io.BytesIO()
    started = time.monotonic()
    worker = ansible_runner.run(streamer='worker', _input=io.BytesIO(sent.getvalue()), _output=worked,
                                private_data_dir=str(tmp_path / 'worker'), keepalive_seconds=setting)
    took = time.monotonic() - started
    assert worker.status == 'successful'
    parsed = frames(worked.getvalue())
    keepalives = [frame for frame in parsed if frame.get('event') == 'keepalive']
    # The task's silence alone lasts 2 s; on a busy machine the job has longer ones, and more.
    if per_second is None:
        assert keepalives
    elif per_second == 0:
        assert not keepalives
    else:
        assert 1 <= len(keepalives) <= per_second * took + 1, (len(keepalives), took)
    assert all(frame == {'event': 'keepalive', 'counter': 0, 'uuid': 0} for frame in keepalives)
    assert parsed[-1] == {'eof': True}

    processor, events, _ = process(io.BytesIO(worked.getvalue()), tmp_path / 'out')
    assert processor.status == 'successful'
    assert 'keepalive' not in {event['event'] for event in events}
    stdout = '\n'.join(event.get('stdout', '') for event in events)
    assert 'Sleep a while' in stdout and '"event": "keepalive"' not in stdout
    assert len(list((tmp_path / 'out' / 'artifacts' / 'job_events').iterdir())) == len(events)
