"""Run real Ansible with the awx_display plugin and, for comparisons, the
reference ansible-runner on the same project; compare their events."""

from __future__ import annotations

import glob
import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from ansible.release import __version__ as _ANSIBLE_VERSION

# The ansible-core these tests run on, as (major, minor): where Ansible's own text or results
# differ between versions, the tests say what each version prints.
ANSIBLE_CORE = tuple(int(part) for part in _ANSIBLE_VERSION.split('.')[:2])

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
PLUGIN = REPO / 'src' / 'callback' / 'awx_display.py'
FIXTURES = HERE / 'fixtures'
BIN = Path(sys.executable).parent

# Keys the reader adds; the plugin must not write them.
READER_KEYS = ('counter', 'start_line', 'end_line', 'runner_ident')

UUID_RE = re.compile(r'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(_\d+)?$')
CREATED_RE = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$')

TIMEOUT = 120


def tool(name):
    path = BIN / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if not found:
        pytest.fail('%s is not installed: run scripts/setup/venv --with-reference' % name)
    return found


def base_env(**extra):
    """The caller's environment without anything that would steer Ansible or the plugin."""
    drop = ('ANSIBLE_', 'RUNNER_')
    names = ('AD_HOC_COMMAND_ID', 'JOB_ID', 'PROJECT_UPDATE_ID', 'ORIGINAL_STDOUT_CALLBACK',
             'MAX_EVENT_RES', 'NO_COLOR', 'AWX_ISOLATED_DATA_DIR')
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop) and k not in names}
    env['PATH'] = str(BIN) + os.pathsep + env.get('PATH', '')
    env['ANSIBLE_RETRY_FILES_ENABLED'] = 'False'
    env['ANSIBLE_HOST_KEY_CHECKING'] = 'False'
    env.update(extra)
    return env


def make_pdd(root):
    """A private data dir with the fixture project and inventory."""
    pdd = Path(root) / 'pdd'
    shutil.copytree(FIXTURES / 'project', pdd / 'project')
    shutil.copytree(FIXTURES / 'inventory', pdd / 'inventory')
    return pdd


class Job:
    """A started process; ``wait()`` returns the finished run."""

    def __init__(self, argv, cwd, env, collect, stdin=None):
        self.argv = argv
        self.proc = subprocess.Popen(argv, cwd=str(cwd), env=env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self._stdin = stdin
        self._collect = collect
        self._result = None

    def wait(self):
        if self._result is None:
            out, err = self.proc.communicate(self._stdin, timeout=TIMEOUT)
            run = Run(self.proc.returncode, out.decode('utf-8', 'replace'), err.decode('utf-8', 'replace'),
                      self.proc.pid, self.argv)
            self._collect(run)
            self._result = run
        return self._result


class Run:
    def __init__(self, rc, stdout, stderr, pid, argv):
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.pid = pid
        self.argv = argv
        self.lines = []
        self.events = []

    def __repr__(self):
        return '<Run %s rc=%s events=%d>' % (' '.join(self.argv), self.rc, len(self.events))


def install_plugin(workdir, channel=True, fifo=False):
    """``<workdir>/callback/awx_display.py`` plus the channel next to it."""
    workdir = Path(workdir)
    (workdir / 'callback').mkdir(parents=True, exist_ok=True)
    shutil.copy(PLUGIN, workdir / 'callback' / 'awx_display.py')
    events = workdir / 'events'
    if channel:
        if fifo:
            os.mkfifo(events)
        else:
            events.write_bytes(b'')
    return workdir / 'callback', events


def start_ours(workdir, argv, cwd, adhoc=False, channel=True, env=None, stdin=None):
    """Run ``ansible-playbook``/``ansible`` with the plugin as stdout callback."""
    callback_dir, events = install_plugin(workdir, channel=channel)
    run_env = base_env(ANSIBLE_CALLBACK_PLUGINS=str(callback_dir), ANSIBLE_STDOUT_CALLBACK='awx_display')
    if adhoc:
        run_env.update(ANSIBLE_LOAD_CALLBACK_PLUGINS='1', AD_HOC_COMMAND_ID='1')
    run_env.update(env or {})
    program = tool('ansible' if adhoc else 'ansible-playbook')

    def collect(run):
        if channel and events.exists():
            raw = events.read_text(encoding='ascii')
            run.lines = raw.splitlines(keepends=True)
            run.events = [json.loads(line) for line in run.lines]

    return Job([program] + list(argv), cwd, run_env, collect, stdin=stdin)


def start_reference(pdd, runner_args, env=None):
    """Run the reference ``ansible-runner run`` on ``pdd``; events sorted by counter."""
    ident = str(uuid.uuid4())
    argv = [tool('ansible-runner'), 'run', str(pdd), '--ident', ident] + list(runner_args)

    def collect(run):
        files = glob.glob(os.path.join(str(pdd), 'artifacts', ident, 'job_events', '*.json'))
        files.sort(key=lambda p: int(os.path.basename(p).split('-')[0]))
        run.events = [json.load(open(f)) for f in files]
        stdout_file = Path(pdd) / 'artifacts' / ident / 'stdout'
        run.artifact_stdout = stdout_file.read_text() if stdout_file.exists() else ''

    return Job(argv, pdd, base_env(**(env or {})), collect)


def run_pair(root, playbook, extra=()):
    """Runs ``playbook`` of a fresh fixture project with our plugin and with the reference,
    concurrently, and returns both finished runs ``(ours, reference)``."""
    pdd = make_pdd(root)
    ours = start_ours(root / 'ours', ['-i', str(pdd / 'inventory')] + list(extra) + [playbook], cwd=pdd / 'project')
    ref = start_reference(pdd, ['-p', playbook] + list(extra))
    return ours.wait(), ref.wait()


# --- comparison ----------------------------------------------------------------

_VOLATILE = [
    (re.compile(r'\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?(\+00:00)?'), '<time>'),
    (re.compile(r'\d+:\d\d:\d\d\.\d+'), '<delta>'),
    (re.compile(r'j\d+\.\d+'), '<jid>'),
    (re.compile(r'ansible-tmp-[\d.-]+'), 'ansible-tmp-<n>'),
    (re.compile(r'ansible-local-\w+/tmp\w+'), 'ansible-local-<n>'),
    (re.compile(r'"duration": [\d.]+'), '"duration": <n>'),
]


def norm_text(text):
    for pattern, repl in _VOLATILE:
        text = pattern.sub(repl, text)
    return text


def ref_stdout(event):
    return norm_text(event['stdout'].replace('\r\n', '\n').rstrip('\r\n'))


def our_stdout(event):
    return norm_text(event['stdout'].rstrip('\r\n'))


# event_data values that do not depend on the run
STABLE_KEYS = {
    'playbook', 'play', 'play_pattern', 'task', 'task_action', 'resolved_action', 'task_args',
    'task_path', 'role', 'resolved_role', 'host', 'remote_addr', 'name', 'pattern', 'is_conditional',
    'ignore_errors', 'event_loop', 'included_file', 'handler', 'artifact_data', 'changed', 'dark',
    'failures', 'ok', 'processed', 'rescued', 'skipped', 'ignored', 'diff', 'debug', 'verbose',
    'deprecated', 'warning', 'system_warning', 'error', 'varname', 'private', 'prompt', 'default',
}


def res_summary(res):
    if not isinstance(res, dict):
        return repr(type(res))
    summary = {'keys': sorted(res)}
    for key in ('msg', 'censored', 'changed', 'failed', 'skipped', 'item', 'rc', 'stdout', 'attempts'):
        if key in res:
            summary[key] = norm_text(json.dumps(res[key], sort_keys=True))
    if isinstance(res.get('results'), list):
        summary['results'] = [res_summary(item) for item in res['results']]
    return summary


def uuid_kind(event):
    data = event.get('event_data') or {}
    value = event['uuid']
    for key in ('task_uuid', 'play_uuid', 'playbook_uuid'):
        if data.get(key) and value.split('_')[0] == data[key].split('_')[0]:
            return key + (value[len(data[key].split('_')[0]):] or '')
    return 'uuid4' if UUID_RE.match(value) else 'bad'


def signature(event, by_uuid, stdout_of):
    data = event.get('event_data') or {}
    parent = event.get('parent_uuid')
    if parent is None:
        parent_kind = None
    elif parent in by_uuid:
        p = by_uuid[parent]
        parent_kind = (p['event'], (p.get('event_data') or {}).get('name'))
    else:
        parent_kind = 'unknown'
    top = [k for k in event if k not in READER_KEYS]
    return {
        'event': event['event'],
        'top_keys': top,
        'data_keys': list(data),
        'values': {k: norm_text(json.dumps(data[k], sort_keys=True)) for k in data if k in STABLE_KEYS},
        'res': res_summary(data['res']) if 'res' in data else None,
        'stdout': stdout_of(event),
        'parent': parent_kind,
        'uuid': uuid_kind(event),
        'verbosity': event.get('verbosity'),
    }


def host_of(event):
    data = event.get('event_data') or {}
    return data.get('host') or data.get('remote_addr')


def segments(sigs, events):
    """Group events: each event without a host starts a group; host events are
    compared as a multiset within their group, since hosts race each other."""
    groups = []
    for sig, event in zip(sigs, events):
        if host_of(event) is None or not groups:
            groups.append((sig, []))
        else:
            groups[-1][1].append(sig)
    return [(head, sorted(rest, key=lambda s: json.dumps(s, sort_keys=True))) for head, rest in groups]


# How often Ansible polls an async job before it finishes depends on how busy the machine is.
TIMING_EVENTS = ('runner_on_async_poll',)
TIMING_TEXT = ('ASYNC POLL on ',)


def comparable(ref_events, our_events):
    """Both runs as lists of groups of normalised signatures."""
    ref_events = [e for e in ref_events if 'event_data' in e]  # raw pre-callback lines
    ref_events = [e for e in ref_events if e['event'] not in TIMING_EVENTS]
    our_events = [e for e in our_events if e['event'] not in TIMING_EVENTS]
    ref_by_uuid = {e['uuid']: e for e in ref_events}
    our_by_uuid = {e['uuid']: e for e in our_events}
    ref_sigs = [signature(e, ref_by_uuid, ref_stdout) for e in ref_events]
    our_sigs = [signature(e, our_by_uuid, our_stdout) for e in our_events]
    return segments(ref_sigs, ref_events), segments(our_sigs, our_events)


def _differences(ref, ours):
    return ['%s %s:\n  reference: %r\n  ours:      %r' % (ref['event'], key, ref[key], ours.get(key))
            for key in ref if ref[key] != ours.get(key)]


def assert_same_run(ours, ref):
    """Same rc and same events as the reference run of the same project."""
    assert ref.rc == ours.rc
    assert_same_events(ref.events, ours.events)


def assert_same_events(ref_events, our_events):
    """Event names, key sets and order, parent/uuid structure and stdout text agree."""
    ref_groups, our_groups = comparable(ref_events, our_events)
    assert [g[0]['event'] for g in our_groups] == [g[0]['event'] for g in ref_groups]
    problems = []
    for ref_group, our_group in zip(ref_groups, our_groups):
        problems += _differences(ref_group[0], our_group[0])
        if sorted(s['event'] for s in our_group[1]) != sorted(s['event'] for s in ref_group[1]):
            problems.append('host events after %s: reference %s, ours %s' % (
                ref_group[0]['event'], [s['event'] for s in ref_group[1]], [s['event'] for s in our_group[1]]))
            continue
        for ref, ours in zip(ref_group[1], our_group[1]):
            problems += _differences(ref, ours)
    assert not problems, '\n'.join(problems)
