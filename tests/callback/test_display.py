"""Display interception and record building, driven in-process."""

import json
import subprocess
import sys

import pytest

from harness import ANSIBLE_CORE, FIXTURES, base_env, install_plugin

CENSORED = "the output has been hidden due to the fact that 'no_log: true' was specified for this result"


def drive(tmp_path, *wrap, **env):
    callback_dir, events = install_plugin(tmp_path)
    script = [sys.executable, str(FIXTURES / 'drive_display.py'), str(callback_dir / 'awx_display.py'), *wrap]
    proc = subprocess.run(script, env=base_env(**env), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    lines = events.read_text(encoding='ascii').splitlines()
    return proc, [json.loads(line) for line in lines], lines


@pytest.fixture(scope='module')
def driven(tmp_path_factory):
    return drive(tmp_path_factory.mktemp('display'))


@pytest.fixture(scope='module')
def events(driven):
    return driven[1]


def test_nothing_reaches_real_output(driven):
    proc = driven[0]
    assert proc.stdout == ''
    assert proc.stderr == ''


def test_sequence(events):
    assert [e['event'] for e in events] == [
        'verbose', 'verbose', 'verbose', 'verbose', 'warning', 'verbose', 'error', 'verbose',
        'runner_on_ok', 'runner_on_ok', 'runner_item_on_ok', 'playbook_on_notify', 'verbose', 'runner_on_ok',
        'runner_on_ok']


def test_plain_display(events):
    plain, stderr, no_newline, crlf = events[:4]
    assert plain['stdout'] == 'plain\n'
    assert list(plain) == ['uuid', 'stdout', 'event', 'pid', 'created', 'event_data']
    assert plain['event_data'] == {'uuid': plain['uuid']}
    assert stderr['stdout'] == '\x1b[0;31mto stderr\x1b[0m\n'
    assert no_newline['stdout'] == 'no newline'
    assert crlf['stdout'] == 'crlf\nend\n'


def test_flagged_display(events):
    warning, verbose, error, banner = events[4:8]
    assert warning['stdout'] == '\x1b[1;35m[WARNING]: careful\x1b[0m\n'
    assert warning['event_data'] == {'warning': True, 'uuid': warning['uuid']}
    assert verbose['stdout'] == '\x1b[0;34m<web1> detail\x1b[0m\n'
    assert verbose['verbosity'] == 3
    assert list(verbose['event_data']) == ['verbose', 'remote_addr', 'uuid']
    assert verbose['event_data']['remote_addr'] == 'web1'
    # Before 2.19, Display.error indents its one-line message.
    indent = '' if ANSIBLE_CORE >= (2, 19) else ' '
    assert error['stdout'] == '\x1b[0;31m%s[ERROR]: bad\x1b[0m\n' % indent
    assert error['event_data']['error'] is True
    assert banner['event_data'] == {'banner': True, 'uuid': banner['uuid']}
    assert banner['stdout'].startswith('\nHELLO ****')


def test_callback_event_collects_nested_output(events):
    event = events[8]
    assert event['stdout'] == 'inside\n\x1b[1;35m[WARNING]: nested\x1b[0m\n'
    assert list(event['event_data']) == ['host', 'res', 'uuid']
    res = event['event_data']['res']
    assert res['nan'] is None  # not JSON; the line must stay parseable
    assert res['when'] == '2020-01-02'
    assert res['raw'] == '\ufffd'
    assert res['set'] == [1] and res['tuple'] == [1, 2]
    assert res['vault'] == {'__ansible_vault': '$ANSIBLE_VAULT;1.1;AES256\n3031'}


def test_censoring(events):
    loop, item = events[9], events[10]
    assert loop['event_data']['res'] == {'results': [{'censored': CENSORED}, {'b': 2}]}
    assert loop['stdout'] == repr({'censored': CENSORED}) + '\n'
    assert item['event_data']['res'] == {'censored': CENSORED}


def test_other_thread_waits_for_the_open_event(events):
    notify, thread = events[11], events[12]
    assert notify['stdout'] == 'notified\n'
    assert thread['stdout'] == 'from thread\n'


def test_non_ascii(driven, events):
    event, line = events[13], driven[2][13]
    assert event['stdout'] == '\u00fcber ?\n'  # what Ansible writes for undecodable input
    assert event['event_data']['res'] == {'text': 'h\u00e9llo \U0001F600', 'bad': '\ufffd'}
    assert '"text": "h\\u00e9llo \\ud83d\\ude00"' in line  # json.dumps' own escaping
    assert '"stdout": "\\u00fcber ?\\n"' in line


def test_tagged_strings_are_encoded_as_ansible_encodes_them(events):
    from ansible.module_utils.common.json import AnsibleJSONEncoder

    sys.path.insert(0, str(FIXTURES))
    from tagged import tagged

    value = tagged('shown as Ansible encodes it')
    expected = json.loads(json.dumps({'tagged': value, 'items': [value, 1, None]}, cls=AnsibleJSONEncoder))
    assert events[14]['event_data']['res'] == expected


def test_strict_json(driven):
    for line in driven[2]:
        json.loads(line, parse_constant=lambda name: pytest.fail('non-JSON constant %s' % name))


def test_no_color_setting(tmp_path):
    _, events, _ = drive(tmp_path, ANSIBLE_NOCOLOR='1')
    assert events[1]['stdout'] == 'to stderr\n'
    assert events[4]['stdout'] == '[WARNING]: careful\n'


def without_identity(event):
    return {k: v for k, v in event.items() if k not in ('uuid', 'pid', 'created', 'event_data')}


@pytest.mark.parametrize('wrap', ['proxy', 'opaque'])
def test_wrapped_display_methods(tmp_path, events, wrap):
    """Display methods behind a wrapper without functools.wraps (2.16's proxy_display) are
    captured as the plain ones are: through the wrapped method's own signature, or through
    Display.display's long-standing parameters when that method cannot be found."""
    proc, wrapped, _ = drive(tmp_path, wrap)
    assert proc.stdout == '' and proc.stderr == ''
    assert [without_identity(e) for e in wrapped] == [without_identity(e) for e in events]
    assert [list(e['event_data']) for e in wrapped] == [list(e['event_data']) for e in events]
