"""The API inside applications: a Flask service, and an application killed mid-run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import flask

import ansible_runner
from conftest import FINAL, play, processes_with, sleeps_with, wait_for


def make_app() -> flask.Flask:
    app = flask.Flask('jobs')
    jobs: dict[str, ansible_runner.Runner] = {}

    @app.post('/jobs')
    def start() -> tuple[dict, int]:
        body = flask.request.get_json()
        _, runner = ansible_runner.run_async(private_data_dir=body['private_data_dir'], quiet=True,
                                             playbook=body['playbook'])
        jobs[runner.config.ident] = runner
        return {'ident': runner.config.ident}, 201

    @app.get('/jobs/<ident>')
    def status(ident: str) -> dict:
        runner = jobs[ident]
        return {'status': runner.status, 'rc': runner.rc}

    return app


def test_flask_app_starts_and_reports_jobs(pdd):
    client = make_app().test_client()
    idents = []
    for word in ('one', 'two'):
        reply = client.post('/jobs', json={'private_data_dir': str(pdd),
                                           'playbook': play({'debug': {'msg': word}})})
        assert reply.status_code == 201
        idents.append(reply.get_json()['ident'])
    for ident in idents:
        final = wait_for(lambda ident=ident: finished(client, ident))
        assert final == {'status': 'successful', 'rc': 0}


def finished(client: object, ident: str) -> dict | None:
    reply = client.get(f'/jobs/{ident}').get_json()
    return reply if reply['status'] in FINAL else None


APP = textwrap.dedent('''
    import sys
    import ansible_runner
    ansible_runner.run(private_data_dir=sys.argv[1], quiet=True, envvars={sys.argv[2]: '1'},
                       playbook=[{'hosts': 'all', 'gather_facts': False,
                                  'tasks': [{'command': 'sleep 120'}]}])
''')


def test_killed_application_leaves_no_job_process_and_a_canceled_job(pdd, marker):
    app = subprocess.Popen([sys.executable, '-c', APP, str(pdd), marker],
                           stdout=subprocess.DEVNULL, env=os.environ.copy())
    try:
        # The sleep task's own process carries the marker too: the job is well under way.
        wait_for(lambda: sleeps_with(marker))
        app.send_signal(signal.SIGKILL)
        app.wait()
        wait_for(lambda: processes_with(marker) == [], interval=0.1)
        # The job was canceled because its application went away, and its artifacts say so.
        artifacts, = (pdd / 'artifacts').iterdir()
        wait_for((artifacts / 'rc').exists)
        assert ((artifacts / 'status').read_text(), (artifacts / 'rc').read_text()) == ('canceled', '254')
        assert 'the job was canceled' in (artifacts / 'stdout').read_text()
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()
