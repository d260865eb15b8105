"""Fixtures for the awx_display callback tests (helpers live in harness.py)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import tool  # noqa: E402


@pytest.fixture(scope='session')
def have_reference():
    """Whether the reference ansible-runner is installed next to Ansible."""
    try:
        tool('ansible-runner')
    except pytest.fail.Exception:
        return False
    return True
