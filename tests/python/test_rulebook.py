"""ansible-rulebook (from PyPI, installed beside this package) running its actions on it: rules on
the built-in `range` source firing `run_playbook` (whose `set_stats` come back as facts) and
`run_module`, a failing playbook retried, a ruleset that gathers facts and matches on
`ansible_env`, and `json_mode` with `verbosity` passed through. What each shows was checked
against ansible-rulebook on the Python ansible-runner 2.4.3: the same rules fire, the same lines
come out.

ansible-rulebook's rule engine runs on Java 17 (Drools through jpy): JAVA_HOME is the JDK of the
`java` on PATH.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

RULEBOOK = Path(sys.executable).with_name('ansible-rulebook')
JAVA = shutil.which('java')
pytestmark = [pytest.mark.rulebook, pytest.mark.skipif(
    not RULEBOOK.exists() or JAVA is None, reason='ansible-rulebook or Java 17 is not installed')]

INVENTORY = 'localhost ansible_connection=local ansible_python_interpreter="{{ ansible_playbook_python }}"\n'
PLAY = ('- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: msg=from-rulebook\n'
        '    - set_stats:\n        data:\n          answer: 42\n')
FAILING = '- hosts: all\n  gather_facts: false\n  tasks:\n    - fail: msg=failing-on-purpose\n'


def ruleset(rules: str, *, limit: int = 3, gather_facts: bool = False) -> str:
    return (f'---\n- name: rules\n  hosts: all\n  gather_facts: {str(gather_facts).lower()}\n'
            f'  sources:\n    - range:\n        limit: {limit}\n  rules:\n{rules}')


def rulebook(tmp_path: Path, rules: str) -> subprocess.CompletedProcess[str]:
    """Runs the ruleset with the playbooks above beside it; its output, the job's text included."""
    (tmp_path / 'rules.yml').write_text(rules)
    (tmp_path / 'play.yml').write_text(PLAY)
    (tmp_path / 'fail.yml').write_text(FAILING)
    (tmp_path / 'inventory').write_text(INVENTORY)
    import ansible_rulebook
    sources = Path(ansible_rulebook.__file__).parent / 'event_source'
    java_home = Path(os.path.realpath(str(JAVA))).parents[1]
    env = {**os.environ, 'JAVA_HOME': str(java_home),
           'PATH': f'{RULEBOOK.parent}{os.pathsep}{os.environ.get("PATH", "")}'}
    return subprocess.run([str(RULEBOOK), '-r', 'rules.yml', '-i', 'inventory', '-S', str(sources)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, check=False)


def test_range_rules_run_a_playbook_whose_stats_come_back_and_a_module(tmp_path):
    ran = rulebook(tmp_path, ruleset(
        '    - name: playbook on 2\n      condition: event.i == 2\n'
        '      action:\n        run_playbook:\n          name: play.yml\n          set_facts: true\n'
        '    - name: module on 1\n      condition: event.i == 1\n'
        '      action:\n        run_module:\n          name: ansible.builtin.debug\n'
        '          module_args:\n            msg: from-module\n'
        '    - name: the stats as a fact\n      condition: fact.answer == 42\n'
        '      action:\n        debug:\n          msg: answer-came-back\n'))
    assert ran.returncode == 0, ran.stdout + ran.stderr
    for shown in ('from-rulebook', 'from-module', 'answer-came-back'):
        assert shown in ran.stdout, ran.stdout + ran.stderr


def test_a_failing_playbook_is_retried(tmp_path):
    ran = rulebook(tmp_path, ruleset(
        '    - name: failing\n      condition: event.i == 0\n'
        '      action:\n        run_playbook:\n          name: fail.yml\n'
        '          retry: true\n          retries: 1\n          delay: 0\n', limit=1))
    assert ran.stdout.count('fatal: [localhost]: FAILED!') == 2, ran.stdout + ran.stderr


def test_gathered_facts_keep_ansible_env_for_the_rules(tmp_path):
    # ansible-rulebook gathers with `ansible.builtin.setup`, whose result keeps ansible_env.
    ran = rulebook(tmp_path, ruleset(
        '    - name: home known\n      condition: fact.ansible_env.HOME is defined\n'
        '      action:\n        debug:\n          msg: home-is-known\n', limit=1, gather_facts=True))
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert 'home-is-known' in ran.stdout, ran.stdout + ran.stderr


def test_json_mode_shows_the_events_as_the_rulebook_tagged_them(tmp_path):
    ran = rulebook(tmp_path, ruleset(
        '    - name: json\n      condition: event.i == 0\n'
        '      action:\n        run_playbook:\n          name: play.yml\n'
        '          json_mode: true\n          verbosity: 1\n', limit=1))
    assert ran.returncode == 0, ran.stdout + ran.stderr
    lines = ran.stdout.splitlines()
    events = [json.loads(line) for line in lines if line.startswith('{"uuid"')]
    assert {'playbook_on_start', 'runner_on_ok', 'playbook_on_stats'} <= {e['event'] for e in events}
    assert all('job_id' in e and 'ansible_rulebook_id' in e for e in events), ran.stdout
    # -v's line from before the plugin loads is text, not JSON, as with the reference.
    assert 'No config file found; using defaults' in lines
