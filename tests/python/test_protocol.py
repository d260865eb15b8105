"""One vocabulary for the pipe between the package and the binary: the request keys PROTOCOL.md
lists, the ones the binary's request type reads (src/request/api.rs) and the ones the package
sends are the same set, so that none is added, renamed or dropped in one place alone."""

from __future__ import annotations

import re
from pathlib import Path

from ansible_runner.config import _command, runner

REPO = Path(__file__).resolve().parents[2]


def binary_keys() -> set[str]:
    source = (REPO / 'src' / 'request' / 'api.rs').read_text()
    body = source.split('pub struct ApiRequest {', 1)[1].split('\n}', 1)[0]
    return set(re.findall(r'^\s*pub (\w+):', body, re.M))


def documented_keys() -> set[str]:
    """The first cell of each row of the request's key tables (rows indented under step 1)."""
    text = (REPO / 'python' / 'PROTOCOL.md').read_text()
    request = text.split('## Application → runner', 1)[1].split('\n2. ', 1)[0]
    keys: set[str] = set()
    for row in re.findall(r'^ {3}\| (.+?) \|', request, re.M):
        keys.update(re.findall(r'`(\w+)`', row))
    return keys - {'key'}


def package_keys() -> set[str]:
    return {*runner._REQUEST_KEYS, *_command._REQUEST_KEYS, *_command._DESCRIPTORS, 'protocol'}


def test_the_binary_the_document_and_the_package_name_the_same_request_keys():
    binary, documented, sent = binary_keys(), documented_keys(), package_keys()
    assert binary == documented, \
        f'only in api.rs: {binary - documented}; only in PROTOCOL.md: {documented - binary}'
    assert sent <= binary, f'sent but not read by the binary: {sent - binary}'
    assert binary - sent == set(), f'read by the binary, never sent: {binary - sent}'


def test_the_check_reads_what_it_compares():
    assert {'private_data_dir', 'event_files', 'stdout_text', 'protocol', 'output_fd'} <= binary_keys()
    assert {'private_data_dir', 'event_files', 'stdout_text', 'protocol', 'output_fd'} <= documented_keys()
