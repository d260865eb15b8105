"""ansible-navigator (from PyPI, installed beside this package) driving it with `--ee false`:
stdout mode for run, inventory, config and doc, and its interactive mode in tmux; and `run` with
`--ee true` in the test image on podman."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

NAVIGATOR = Path(sys.executable).with_name('ansible-navigator')
# ansible-navigator needs Python 3.10 or newer: scripts/test deselects these with -m 'not navigator'
# on 3.9, and runs them everywhere else with every skip failing.
pytestmark = [pytest.mark.navigator, pytest.mark.skipif(
    not NAVIGATOR.exists(), reason='ansible-navigator is not installed (it needs Python 3.10 or newer)')]

PLAY = '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - name: {}\n      {}\n'
SITE = PLAY.format('say hello', 'debug: msg=navigator-hello')
FAILING = PLAY.format('break', 'fail: msg=navigator-boom')


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / 'site.yml').write_text(SITE)
    (tmp_path / 'bad.yml').write_text(FAILING)
    (tmp_path / 'inv').write_text('localhost ansible_connection=local\n[web]\nweb1\n')
    return tmp_path


REPO = Path(__file__).resolve().parents[2]
# podman as this machine runs it, in a mount namespace of its own.
PODMAN_NS = str(REPO / 'scripts' / 'testing' / 'podman-ns')
TEST_IMAGE = os.environ.get('RUNNER_TEST_IMAGE_NAME', 'localhost/ansible-runner-ee:test')


def navigator(project: Path, *args: str, ee: tuple[str, ...] = ('--ee', 'false'),
              wrapper: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, 'PATH': f'{NAVIGATOR.parent}{os.pathsep}{os.environ.get("PATH", "")}'}
    return subprocess.run([*wrapper, str(NAVIGATOR), *args, *ee, '-m', 'stdout'], cwd=project,
                          env=env, capture_output=True, text=True, timeout=300, check=False,
                          stdin=subprocess.DEVNULL)


def podman_image_present() -> bool:
    if shutil.which('podman') is None:
        return False
    found = subprocess.run([PODMAN_NS, 'podman', 'image', 'exists', TEST_IMAGE],
                           capture_output=True, check=False)
    return found.returncode == 0


def test_this_package_is_the_one_navigator_imports():
    found = subprocess.run([sys.executable, '-c', 'import ansible_runner; print(ansible_runner.__version__)'],
                           capture_output=True, text=True, check=True)
    assert '+rust' in found.stdout


def test_run_shows_the_play_and_keeps_its_artifact(project):
    ran = navigator(project, 'run', 'site.yml')
    assert ran.returncode == 0, ran.stderr
    assert 'navigator-hello' in ran.stdout
    assert 'ok=1' in ran.stdout
    artifacts = list(project.glob('site-artifact-*.json'))
    assert len(artifacts) == 1
    kept = json.loads(artifacts[0].read_text())
    assert kept['status'] == 'successful'
    assert any(play['name'] == 'localhost' for play in kept['plays'])


@pytest.mark.parametrize('pae', ['true', 'false'])
def test_a_playbook_shows_its_output_and_rc_with_and_without_the_artifact(project, pae):
    # With `--pae false` navigator hands its own stdout to the playbook (run_command's output_fd).
    ran = navigator(project, 'run', 'site.yml', '--pae', pae)
    assert ran.returncode == 0, ran.stderr
    assert 'navigator-hello' in ran.stdout and 'ok=1' in ran.stdout
    failed = navigator(project, 'run', 'bad.yml', '--pae', pae)
    assert failed.returncode == 2
    assert 'navigator-boom' in failed.stdout
    assert bool(list(project.glob('*-artifact-*.json'))) == (pae == 'true')

@pytest.mark.skipif(not podman_image_present(), reason=f'podman or its image {TEST_IMAGE} is missing')
def test_run_in_an_execution_environment_on_podman(project):
    ee = ('--ee', 'true', '--ce', 'podman', '--eei', TEST_IMAGE, '--pp', 'never')
    wrapper = (PODMAN_NS,)
    ran = navigator(project, 'run', 'site.yml', '-i', 'inv', ee=ee, wrapper=wrapper)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert 'navigator-hello' in ran.stdout
    failed = navigator(project, 'run', 'bad.yml', ee=ee, wrapper=wrapper)
    assert failed.returncode == 2, failed.stdout + failed.stderr
    assert 'navigator-boom' in failed.stdout
    unkept = navigator(project, 'run', 'site.yml', '-i', 'inv', '--pae', 'false', ee=ee, wrapper=wrapper)
    assert unkept.returncode == 0, unkept.stdout + unkept.stderr
    assert 'navigator-hello' in unkept.stdout


def test_inventory_list(project):
    listed = navigator(project, 'inventory', '-i', 'inv', '--list')
    assert listed.returncode == 0, listed.stderr
    # On a terminal Ansible's stderr shares stdout: a warning printed at start-up may precede the JSON.
    out = listed.stdout
    document = out if out.startswith('{') else out[out.find('\n{') + 1:]
    assert json.loads(document)['web']['hosts'] == ['web1']


def test_config_dump(project):
    dumped = navigator(project, 'config', 'dump')
    assert dumped.returncode == 0, dumped.stderr
    assert 'DEFAULT_FORKS' in dumped.stdout


def test_collections(project):
    # The catalog runs as a command in json_mode: its JSON must come back as it printed it.
    listed = navigator(project, 'collections')
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert 'ansible.builtin' in listed.stdout


@pytest.mark.skipif(not podman_image_present(), reason=f'podman or its image {TEST_IMAGE} is missing')
def test_images_details_of_an_execution_environment(project):
    ee = ('--ee', 'true', '--ce', 'podman', '--eei', TEST_IMAGE, '--pp', 'never')
    shown = navigator(project, 'images', '--details', 'ansible_version', ee=ee,
                      wrapper=(PODMAN_NS,))
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert 'ansible [core' in shown.stdout


def test_doc(project):
    doc = navigator(project, 'doc', 'ansible.builtin.debug')
    assert doc.returncode == 0, doc.stderr
    assert 'ansible.builtin.debug' in doc.stdout


def screen(session: str) -> str:
    return subprocess.run(['tmux', 'capture-pane', '-p', '-t', session], capture_output=True,
                          text=True, check=True).stdout


def wait_screen(session: str, *wanted: str, timeout: float = 120.0) -> str:
    deadline = time.monotonic() + timeout
    while True:
        shown = screen(session)
        if all(text in shown for text in wanted):
            return shown
        if time.monotonic() > deadline:
            pytest.fail(f'{wanted} not on the screen within {timeout} s:\n{shown}')
        time.sleep(0.2)


@contextlib.contextmanager
def navigator_in_tmux(project: Path, *args: str) -> Iterator[str]:
    """`ansible-navigator run site.yml --ee false ARGS` in a 160x40 tmux session; its name. The
    session says `navigator-ended-<rc>` when navigator exits, and is killed at the end."""
    session = f'nav-{uuid.uuid4().hex[:8]}'
    command = (f'PATH={NAVIGATOR.parent}:$PATH {NAVIGATOR} run site.yml --ee false {" ".join(args)}; '
               f'echo navigator-ended-$?; sleep 600')
    subprocess.run(['tmux', 'new-session', '-d', '-s', session, '-x', '160', '-y', '40', '-c',
                    str(project), command], check=True)
    try:
        yield session
    finally:
        subprocess.run(['tmux', 'kill-session', '-t', session], check=False)


@pytest.mark.skipif(shutil.which('tmux') is None, reason='tmux is not installed')
def test_stdout_mode_without_the_artifact_on_a_terminal(project):
    with navigator_in_tmux(project, '-m', 'stdout', '--pae', 'false') as session:
        wait_screen(session, 'navigator-hello', 'ok=1', 'navigator-ended-0')


@pytest.mark.skipif(shutil.which('tmux') is None, reason='tmux is not installed')
def test_interactive_mode_in_tmux(project):
    with navigator_in_tmux(project, '-m', 'interactive') as session:
        # Column widths follow the terminal's: the play name may be cut ("localhos").
        shown = wait_screen(session, 'Complete', 'Successful')
        assert 'Play nam' in shown and 'localhos' in shown
        # The play's line leads to its tasks; a key sent while the screen is still being drawn
        # can be lost, so it is sent again until the task shows.
        deadline = time.monotonic() + 60
        while 'say hello' not in screen(session):
            assert time.monotonic() < deadline, screen(session)
            subprocess.run(['tmux', 'send-keys', '-t', session, '0'], check=True)
            time.sleep(1.0)
        # The task's line opens its result, where the debug message shows.
        subprocess.run(['tmux', 'send-keys', '-t', session, '0'], check=True)
        wait_screen(session, 'navigator-hello')
        subprocess.run(['tmux', 'send-keys', '-t', session, 'Escape'], check=True)
        subprocess.run(['tmux', 'send-keys', '-t', session, ':stdout', 'Enter'], check=True)
        wait_screen(session, 'PLAY RECAP')
        subprocess.run(['tmux', 'send-keys', '-t', session, ':q', 'Enter'], check=True)
        wait_screen(session, 'navigator-ended-0')
