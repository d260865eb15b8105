"""Removing what finished jobs leave behind: private data dirs that match a pattern, and
container images (what AWX's `worker cleanup` asks of an execution node).

A directory whose job is still running is kept: the runner binary's `is-alive` decides, since it
knows a pid file's process is this job's and not a reused pid.
"""

from __future__ import annotations

import argparse
import datetime
import glob
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from ansible_runner import _binary
from ansible_runner.defaults import (
    GRACE_PERIOD_DEFAULT,
    default_process_isolation_executable,
    registry_auth_prefix,
)
from ansible_runner.utils import cleanup_folder

__all__ = ['add_cleanup_args', 'run_cleanup']

_SYSTEM_FOLDERS = ('/', '/bin', '/dev', '/home', '/lib', '/mnt', '/proc', '/run', '/sys', '/usr', '/boot',
                   '/etc', '/opt', '/sbin', '/var')


def add_cleanup_args(command: argparse.ArgumentParser) -> None:
    """The `cleanup` options, as `ansible-runner worker cleanup` takes them."""
    command.add_argument('--file-pattern',
                         help='A glob of private data dirs to remove, e.g. /tmp/.ansible-runner-*')
    command.add_argument('--exclude-strings', nargs='*',
                         help='Keep a directory whose path contains any of these strings.')
    command.add_argument('--remove-images', nargs='*',
                         help='Image tags to remove; --image-prune then deletes their layers.')
    command.add_argument('--grace-period', default=GRACE_PERIOD_DEFAULT, type=int,
                         help='Keep directories modified within this many minutes (0: none kept).')
    command.add_argument('--image-prune', action='store_true',
                         help='Run the engine\'s `image prune --force` after untagging.')
    command.add_argument('--process-isolation-executable', default='podman',
                         help='The container engine whose images are cleaned up (default: podman).')


def run_command(cmd: list[str]) -> str:
    """`cmd`'s stdout, stripped; a failure prints the command and its output and raises."""
    done = subprocess.run(cmd, capture_output=True, check=False)
    stdout = done.stdout.decode('utf-8', errors='replace')
    if done.returncode != 0:
        print('Error running command:')
        print(' '.join(cmd))
        print('Stdout:')
        print(stdout)
        raise RuntimeError('Error running command')
    return stdout.strip()


def is_alive(directory: str) -> int:
    """1 when a job started in `directory` is still running, else 0."""
    checked = subprocess.run([_binary.find_binary(), 'is-alive', directory], capture_output=True, check=False)
    return 1 if checked.returncode == 0 else 0


def project_idents(directory: str) -> list[str]:
    """The idents `directory` has artifacts for."""
    try:
        return os.listdir(os.path.join(directory, 'artifacts'))
    except (FileNotFoundError, NotADirectoryError):
        return []


def delete_associated_folders(directory: str) -> None:
    """Removes the registry credential dirs the jobs of `directory` used."""
    for ident in project_idents(directory):
        for found in glob.glob(os.path.join(tempfile.gettempdir(), f'{registry_auth_prefix}{ident}_*')):
            if cleanup_folder(found):
                print(f'Removed associated registry auth dir {found}')


def validate_pattern(pattern: str) -> None:
    """Refuses a pattern that reaches a system folder or the temp dir itself."""
    folders = (*_SYSTEM_FOLDERS, tempfile.gettempdir())
    refused = {Path(folder) for folder in folders} | {Path(folder).resolve() for folder in folders}
    bad = [found for found in glob.glob(pattern) if {Path(found), Path(found).resolve()} & refused]
    if bad:
        raise RuntimeError(f'Provided pattern could result in deleting system folders:\n{" ".join(bad)}\n'
                           'Refusing to continue for user system safety.')


def _recent(directory: str, grace_period: int) -> bool:
    modified = datetime.datetime.fromtimestamp(os.stat(directory).st_mtime)
    return modified > datetime.datetime.now() - datetime.timedelta(minutes=grace_period)


def cleanup_dirs(pattern: str, exclude_strings: list[str] | None = None,
                 grace_period: int = GRACE_PERIOD_DEFAULT) -> int:
    """Removes the finished private data dirs `pattern` matches; how many went."""
    try:
        validate_pattern(pattern)
    except RuntimeError as err:
        sys.exit(str(err))
    removed = 0
    for directory in glob.glob(pattern):
        if any(str(kept) in directory for kept in exclude_strings or []):
            continue
        if grace_period and _recent(directory, grace_period):
            continue
        if is_alive(directory):
            print(f'Excluding running project {directory} from cleanup')
            continue
        delete_associated_folders(directory)
        if cleanup_folder(directory):
            removed += 1
    return removed


def cleanup_images(images: list[str], runtime: str) -> int:
    """Untags the named images (their layers go with `prune_images`); how many were untagged."""
    removed = 0
    for image in images:
        if not run_command([runtime, 'images', '--format={{.Repository}}:{{.Tag}}', image]):
            continue
        if runtime == 'podman':
            # Naming the tag twice removes only it, as `docker rmi` does, not every name of the image.
            try:
                run_command([runtime, 'image', 'untag', image, image])
                removed += 1
            except RuntimeError:
                pass
        else:
            removed += run_command([runtime, 'rmi', image, '-f']).count('Untagged:')
    return removed


def prune_images(runtime: str) -> bool:
    """Prunes dangling images; whether anything was removed."""
    stdout = run_command([runtime, 'image', 'prune', '-f'])
    return bool(stdout) and stdout != 'Total reclaimed space: 0B'


def run_cleanup(vargs: dict[str, Any]) -> None:
    """What `cleanup` does with parsed options, printing what changed."""
    runtime = vargs.get('process_isolation_executable') or default_process_isolation_executable
    dirs = images = 0
    pruned = False
    pattern = vargs.get('file_pattern')
    if pattern:
        dirs = cleanup_dirs(pattern, exclude_strings=vargs.get('exclude_strings') or [],
                            grace_period=vargs.get('grace_period', GRACE_PERIOD_DEFAULT))
        if dirs:
            print(f'Removed {dirs} private data dir(s) in pattern {pattern}')
    if vargs.get('remove_images'):
        images = cleanup_images(vargs['remove_images'], runtime=runtime)
        if images:
            print(f'Removed {images} image(s)')
    if vargs.get('image_prune'):
        pruned = prune_images(runtime=runtime)
        if pruned:
            print('Pruned images')
    print(f'(changed: {bool(dirs or images or pruned)})')
