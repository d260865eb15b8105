"""Callbacks: when they are called, in which order, and what their results decide."""

from __future__ import annotations

import os
import time

import pytest

import ansible_runner
from ansible_runner import CallbackError
from ansible_runner.interface import init_runner
from conftest import play, processes_with


def test_event_handler_sees_events_live(pdd, tmp_path):
    release = tmp_path / 'release'
    seen: list[tuple[str, str]] = []
    holder: dict[str, ansible_runner.Runner] = {}

    def handler(event: dict) -> bool:
        task = event.get('event_data', {}).get('task')
        if task == 'slow':
            seen.append((event['event'], holder['runner'].status))
            if event['event'] == 'runner_on_start':
                release.touch()
        return True

    # The slow task waits for what the handler does on its start: had the start come only at the
    # end, the task would have failed, waiting in vain.
    runner = init_runner(private_data_dir=pdd, quiet=True, event_handler=handler,
                         playbook=play({'name': 'slow', 'wait_for': {'path': str(release), 'timeout': 120}}))
    holder['runner'] = runner
    runner.run()
    assert runner.status == 'successful'
    starts = [status for name, status in seen if name in ('playbook_on_task_start', 'runner_on_start')]
    assert starts, seen
    assert all(status == 'running' for status in starts), seen


def test_callback_order(pdd):
    calls: list[str] = []

    def status_handler(data: dict, runner_config: object) -> None:
        assert runner_config is not None
        if data['status'] == 'starting':
            assert data['command'] and data['env'] and data['cwd']
        calls.append(f"status:{data['status']}")

    def event_handler(event: dict) -> bool:
        if not calls or calls[-1] != 'event':
            calls.append('event')
        return True

    def artifacts_handler(artifact_dir: str) -> None:
        assert os.path.isdir(artifact_dir)
        with open(os.path.join(artifact_dir, 'status')) as handle:
            assert handle.read() == 'successful'
        calls.append('artifacts')

    def finished_callback(runner: ansible_runner.Runner) -> None:
        assert runner.status == 'successful'
        calls.append('finished')

    ansible_runner.run(private_data_dir=pdd, quiet=True, playbook=play({'ping': None}),
                       status_handler=status_handler, event_handler=event_handler,
                       artifacts_handler=artifacts_handler, finished_callback=finished_callback)
    assert calls == ['status:starting', 'status:running', 'event', 'status:successful',
                     'artifacts', 'finished']


@pytest.mark.parametrize(('answer', 'kept'), [(False, False), (None, False), (True, True)])
def test_event_handler_result_decides_the_event_files(pdd, answer, kept):
    handled: list[str] = []

    def handler(event: dict) -> object:
        handled.append(event['event'])
        return answer

    runner = ansible_runner.run(private_data_dir=pdd, quiet=True, event_handler=handler,
                                playbook=play({'ping': None}))
    assert runner.status == 'successful'
    assert 'playbook_on_stats' in handled
    files = os.listdir(os.path.join(runner.config.artifact_dir, 'job_events'))
    assert bool(files) is kept
    if kept:
        assert len(files) == len(handled)


def test_event_handler_oserror_is_swallowed(pdd):
    def handler(event: dict) -> bool:
        raise OSError('disk trouble')

    runner = ansible_runner.run(private_data_dir=pdd, quiet=True, event_handler=handler,
                                playbook=play({'ping': None}))
    assert runner.status == 'successful'


def test_raising_event_handler_ends_the_job(pdd, marker):
    raised: list[float] = []

    def handler(event: dict) -> bool:
        if event['event'] == 'runner_on_start':
            raised.append(time.monotonic())
            raise RuntimeError('handler broke')
        return True

    runner = init_runner(private_data_dir=pdd, quiet=True, event_handler=handler,
                         envvars={marker: '1'}, playbook=play({'command': 'sleep 60'}))
    with pytest.raises(RuntimeError, match='handler broke'):
        runner.run()
    # The task would sleep a minute.
    assert time.monotonic() - raised[0] < 30
    assert processes_with(marker) == []
    assert runner.status in ('canceled', 'failed')
    for name in ('status', 'rc'):
        assert os.path.exists(os.path.join(runner.config.artifact_dir, name))


def test_raising_cancel_callback_is_a_callback_error(pdd, marker):
    def cancel_callback() -> bool:
        raise ValueError('cannot tell')

    runner = init_runner(private_data_dir=pdd, quiet=True, cancel_callback=cancel_callback,
                         envvars={marker: '1'}, playbook=play({'command': 'sleep 60'}))
    with pytest.raises(CallbackError, match='Exception in Cancel Callback: cannot tell'):
        runner.run()
    assert processes_with(marker) == []
    with open(os.path.join(runner.config.artifact_dir, 'status')) as handle:
        assert handle.read() == runner.status
    with open(os.path.join(runner.config.artifact_dir, 'rc')) as handle:
        assert handle.read() == str(runner.rc)


@pytest.mark.parametrize(('name', 'message'), [('artifacts_handler', 'Artifact'),
                                               ('finished_callback', 'Finished')])
def test_raising_end_callbacks_are_callback_errors(pdd, name, message):
    def broken(_: object) -> None:
        raise KeyError('nope')

    with pytest.raises(CallbackError, match=f'Exception in {message} Callback'):
        ansible_runner.run(private_data_dir=pdd, quiet=True, playbook=play({'ping': None}),
                           **{name: broken})


def test_plugins_are_called(pdd, monkeypatch):
    calls: list[str] = []

    class Plugin:
        @staticmethod
        def event_handler(config: object, event: dict) -> None:
            calls.append('event')

        @staticmethod
        def status_handler(config: object, status: dict) -> None:
            calls.append(status['status'])

    monkeypatch.setitem(ansible_runner.plugins, 'test-plugin', Plugin)
    ansible_runner.run(private_data_dir=pdd, quiet=True, playbook=play({'ping': None}))
    assert calls[:2] == ['starting', 'running'] and calls[-1] == 'successful'
    assert 'event' in calls
