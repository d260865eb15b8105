"""`ansible_runner.cleanup`: private data dirs of finished jobs go, running and recent ones stay, a
pattern that reaches a system folder is refused; images untagged and pruned on a real podman."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from pathlib import Path

import pytest

import ansible_runner
from ansible_runner.cleanup import cleanup_dirs, validate_pattern
from conftest import LOCAL_INVENTORY, wait_for

REPO = Path(__file__).resolve().parents[2]
PODMAN_NS = REPO / 'scripts' / 'testing' / 'podman-ns'
TEST_IMAGE = 'localhost/ansible-runner-ee:test'
HOUR_AGO = time.time() - 3600


def job_dir(parent: Path, name: str, mtime: float | None = HOUR_AGO) -> Path:
    """A private data dir with a localhost inventory, last modified at `mtime`."""
    directory = parent / name
    (directory / 'inventory').mkdir(parents=True)
    (directory / 'inventory' / 'hosts').write_text(LOCAL_INVENTORY + '\n')
    if mtime is not None:
        os.utime(directory, (mtime, mtime))
    return directory


def test_finished_dirs_go_recent_excluded_and_running_ones_stay(tmp_path, capsys):
    release = tmp_path / 'release'
    running = job_dir(tmp_path, 'job-running', mtime=None)
    (running / 'project').mkdir()
    (running / 'project' / 'wait.yml').write_text(json.dumps([{
        'hosts': 'all', 'gather_facts': False,
        'tasks': [{'wait_for': {'path': str(release), 'timeout': 120}}]}]))
    thread, runner = ansible_runner.run_async(private_data_dir=str(running), playbook='wait.yml', quiet=True)
    try:
        wait_for(lambda: runner.status == 'running')
        os.utime(running, (HOUR_AGO, HOUR_AGO))  # old by its time: only its running job keeps it
        finished = job_dir(tmp_path, 'job-finished')
        excluded = job_dir(tmp_path, 'job-keep-me')
        recent = job_dir(tmp_path, 'job-recent', mtime=time.time())
        removed = cleanup_dirs(str(tmp_path / 'job-*'), exclude_strings=['keep-me'], grace_period=30)
        assert removed == 1
        assert not finished.exists()
        assert excluded.exists() and recent.exists() and running.exists()
        assert f'Excluding running project {running} from cleanup' in capsys.readouterr().out
    finally:
        release.touch()
        thread.join(120)
    assert runner.status == 'successful'
    assert cleanup_dirs(str(tmp_path / 'job-running'), grace_period=0) == 1
    assert not running.exists()


def test_no_grace_period_takes_recent_dirs_and_their_registry_credentials(tmp_path, capsys):
    recent = job_dir(tmp_path, 'recent', mtime=time.time())
    ident = f'cleanup-test-{uuid.uuid4().hex}'
    (recent / 'artifacts' / ident).mkdir(parents=True)
    credentials = Path(tempfile.mkdtemp(prefix=f'ansible_runner_registry_{ident}_'))
    assert cleanup_dirs(str(recent), grace_period=0) == 1
    assert not recent.exists() and not credentials.exists()
    assert f'Removed associated registry auth dir {credentials}' in capsys.readouterr().out


@pytest.mark.parametrize('pattern', ['/', '/us?', '/et*', '/var/'])
def test_a_pattern_reaching_a_system_folder_is_refused(pattern):
    with pytest.raises(RuntimeError, match='Provided pattern could result in deleting system folders'):
        validate_pattern(pattern)


def test_cleanup_dirs_refuses_the_temp_dir_and_links_to_system_folders(tmp_path, monkeypatch):
    # A temp dir of the test's own stands in for the system's, so a failed refusal costs nothing.
    fake_tmp = tmp_path / 'tmp'
    fake_tmp.mkdir()
    monkeypatch.setattr(tempfile, 'tempdir', str(fake_tmp))
    (tmp_path / 'etc-link').symlink_to('/etc')
    for pattern in (str(fake_tmp), str(tmp_path / 'etc-*')):
        with pytest.raises(SystemExit) as refused:
            cleanup_dirs(pattern, grace_period=0)
        assert 'Refusing to continue for user system safety.' in str(refused.value.code)
    assert fake_tmp.is_dir() and Path('/etc').is_dir()


# -- images, on a real podman ------------------------------------------------------------------

def podman(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(PODMAN_NS), 'podman', *args], capture_output=True, text=True, check=False)


def podman_image_present() -> bool:
    return shutil.which('podman') is not None and podman('image', 'exists', TEST_IMAGE).returncode == 0


def in_podman_ns(code: str) -> str:
    """Runs `code` in this venv's Python where podman works (scripts/testing/podman-ns); its stdout."""
    done = subprocess.run([str(PODMAN_NS), sys.executable, '-c', textwrap.dedent(code)],
                          capture_output=True, text=True, check=True)
    return done.stdout


needs_podman = pytest.mark.skipif(not podman_image_present(), reason=f'podman or {TEST_IMAGE} is missing')


@needs_podman
def test_cleanup_images_untags_only_the_named_tag():
    throwaway = f'localhost/cleanup-test-{uuid.uuid4().hex[:12]}:throwaway'
    assert podman('tag', TEST_IMAGE, throwaway).returncode == 0
    try:
        counts = in_podman_ns(f"""
            from ansible_runner.cleanup import cleanup_images
            print(cleanup_images([{throwaway!r}], runtime='podman'))
            print(cleanup_images([{throwaway!r}], runtime='podman'))
        """)
        assert counts.split() == ['1', '0']
        assert podman('image', 'exists', throwaway).returncode == 1
        assert podman('image', 'exists', TEST_IMAGE).returncode == 0, 'the image under its other name stays'
    finally:
        podman('untag', TEST_IMAGE, throwaway)


@needs_podman
def test_prune_images_removes_an_untagged_image(tmp_path):
    # A label-only build: a new image of its own, made without a registry or a container.
    name = f'localhost/cleanup-test-{uuid.uuid4().hex[:12]}:prune'
    (tmp_path / 'Containerfile').write_text(f'FROM {TEST_IMAGE}\nLABEL cleanup-test={uuid.uuid4().hex}\n')
    built = podman('build', '--quiet', '--tag', name, str(tmp_path))
    assert built.returncode == 0, built.stderr
    image_id = built.stdout.strip().splitlines()[-1]
    try:
        result = in_podman_ns(f"""
            from ansible_runner.cleanup import cleanup_images, prune_images
            print(cleanup_images([{name!r}], runtime='podman'))
            print(prune_images(runtime='podman'))
        """)
        assert result.split() == ['1', 'True']
        assert podman('image', 'exists', image_id).returncode == 1
        assert podman('image', 'exists', TEST_IMAGE).returncode == 0
    finally:
        podman('rmi', '--force', image_id)
