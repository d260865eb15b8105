"""What a prepared job's config shows before it starts: the values it will really run with."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ansible_runner.interface import init_runner

AUTH = {'host': 'registry.invalid', 'username': 'user', 'password': 'secret', 'verify_ssl': False}


@pytest.mark.parametrize(('engine', 'auth_file'), [('podman', 'auth.json'), ('docker', 'config.json')])
def test_isolation_from_settings_and_the_registry_credentials_path(pdd, engine, auth_file):
    # Only prepared: no container starts, so no engine is needed.
    runner = init_runner(private_data_dir=str(pdd), playbook='site.yml', ident='job_1',
                         container_auth_data=AUTH,
                         settings={'process_isolation': True, 'process_isolation_executable': engine,
                                   'container_image': 'localhost/some-image:1',
                                   'container_options': ['--user=root']})
    config = runner.config
    try:
        assert (config.process_isolation, config.process_isolation_executable) == (True, engine)
        assert config.container_image == 'localhost/some-image:1'
        assert config.container_options == ['--user=root']
        assert config.container_name == 'ansible_runner_job_1'
        # As the reference names it: podman's --authfile is the file, docker's --config the dir.
        path = config.registry_auth_path
        auth_dir = Path(path if engine == 'docker' else os.path.dirname(path))
        assert auth_dir.name.startswith('ansible_runner_registry_job_1_')
        document = json.loads((auth_dir / auth_file).read_text())
        assert document == {'auths': {'registry.invalid': {'auth': 'dXNlcjpzZWNyZXQ='}}}
        assert 'insecure = true' in (auth_dir / 'registries.conf').read_text()
        assert {oct(p.stat().st_mode & 0o777) for p in auth_dir.iterdir()} == {'0o600'}
    finally:
        config.release_child()
    assert not auth_dir.exists(), 'the credentials go with the job'


def test_no_credentials_no_path(pdd):
    runner = init_runner(private_data_dir=str(pdd), playbook='site.yml',
                         settings={'process_isolation': True, 'container_image': 'localhost/some-image:1'})
    assert runner.config.registry_auth_path is None
    runner.config.release_child()
