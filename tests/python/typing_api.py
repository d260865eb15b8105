"""Calls as applications write them, for `mypy --strict` (scripts/test); never run, and not a test
module. It checks that the public signatures tell a type checker what each call returns and
refuse what no function takes: a `# type: ignore[code]` marks a call that must be refused, and
--strict (`warn_unused_ignores`) fails should mypy accept it.
"""

from __future__ import annotations

import io
import threading
from typing import TYPE_CHECKING, Any

import ansible_runner
from ansible_runner import Runner, RunnerConfig
from ansible_runner.streaming import Processor, Transmitter, Worker

if TYPE_CHECKING:
    from typing_extensions import assert_type


def keep_failures(event: dict[str, Any]) -> bool:
    return event.get('event') == 'runner_on_failed'


def on_status(data: dict[str, Any], runner_config: RunnerConfig) -> None:
    print(data['status'], runner_config.command)


def on_finished(runner: Runner) -> None:
    print(runner.status, runner.rc)


def playbook_jobs(pdd: str) -> None:
    runner = ansible_runner.run(private_data_dir=pdd, playbook='site.yml', extravars={'v': 1},
                                event_handler=keep_failures, status_handler=on_status,
                                finished_callback=on_finished, cancel_callback=lambda: False)
    assert_type(runner, Runner)
    assert_type(runner.rc, int | None)
    assert_type(runner.stats, dict[str, Any] | None)
    thread, started = ansible_runner.run_async(private_data_dir=pdd, role='web', role_vars={'port': 80})
    assert_type(thread, threading.Thread)
    assert_type(started, Runner)
    assert_type(started.config.artifact_dir, str)
    ansible_runner.run(private_data_dir=pdd, playbok='site.yml')  # type: ignore[call-overload]
    ansible_runner.run(private_data_dir=pdd, forks=[5])  # type: ignore[call-overload]


def streamed_jobs(pdd: str) -> None:
    stream = io.BytesIO()
    step = ansible_runner.run(private_data_dir=pdd, playbook='site.yml', streamer='transmit', _output=stream)
    assert_type(step, Transmitter | Worker | Processor)
    thread, worker = ansible_runner.run_async(streamer='worker', _input=stream, _output=io.BytesIO())
    assert_type(worker, Transmitter | Worker | Processor)
    thread.join()


def commands(pdd: str) -> None:
    stdout, stderr, rc = ansible_runner.run_command('ansible-playbook', ['site.yml'], private_data_dir=pdd,
                                                    runner_mode='subprocess', finished_callback=on_finished)
    assert_type(stdout, str)
    assert_type(stderr, str)
    assert_type(rc, int | None)
    thread, runner = ansible_runner.run_command_async('sleep', ['1'], input_fd=0)
    assert_type(runner, Runner)
    thread.join()
    ansible_runner.run_command('ls', cmdline_arg=['-l'])  # type: ignore[call-arg]
    docs, error = ansible_runner.get_plugin_docs(['ping'], response_format='json', quiet=True)
    assert_type(error, str)
    inventory, _ = ansible_runner.get_inventory('list', ['hosts'], response_format='json', timeout=30)
    config, _ = ansible_runner.get_ansible_config('dump', only_changed=True)
    assert_type(config, str)
    roles, _ = ansible_runner.get_role_argspec('web', collection='acme.site', playbook_dir=pdd)
    ansible_runner.get_role_list(collection=1)  # type: ignore[arg-type]
    print(docs, inventory, roles)


def a_config_run_by_hand(pdd: str) -> None:
    config = RunnerConfig(pdd, playbook='site.yml', envvars={'A': 'b'}, rotate_artifacts=3)
    config.prepare()
    status, rc = Runner(config=config, finished_callback=on_finished).run()
    assert_type(status, str)
    assert_type(rc, int | None)
    RunnerConfig(pdd, playbooks='site.yml')  # type: ignore[call-arg]


def plugins() -> None:
    ansible_runner.plugins['audit'] = object()
    del ansible_runner.plugins['audit']
