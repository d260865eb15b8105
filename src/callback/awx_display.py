# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stdout callback that turns Ansible's output into job events.

The runner drops this file into ``<tmp>/callback/`` next to a channel
``<tmp>/events`` (normally a FIFO).  Each finished event is written to the
channel as one JSON line carrying the exact text Ansible displayed for it.
Without the channel the plugin is just its parent callback.
"""

from __future__ import annotations

DOCUMENTATION = """
    name: awx_display
    type: stdout
    short_description: Ansible output as job events for ansible-runner
    version_added: "2.0"
    description:
        - Prints what the default (or configured) stdout callback prints and,
          when the runner's event channel exists, sends it as job events instead.
    extends_documentation_fragment:
      - default_callback
      - result_format_callback
    requirements:
      - Set as stdout callback in configuration
"""

import contextlib
import datetime
import functools
import inspect
import json
import math
import os
import re
import threading
from json.encoder import c_make_encoder
from json.encoder import encode_basestring as encode_json_string

from ansible import constants as C
from ansible.plugins.loader import callback_loader
from ansible.utils import color as ansible_color
from ansible.utils.display import Display

try:
    from ansible.module_utils.common.json import AnsibleJSONEncoder as _BaseEncoder
except ImportError:  # pragma: no cover - very old ansible-core
    _BaseEncoder = json.JSONEncoder


# The runner names the FIFO when the plugin comes from its cache; otherwise it sits beside the
# plugin's directory.
CHANNEL = os.environ.get('RUNNER_EVENT_CHANNEL') or os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'events')

CENSORED = "the output has been hidden due to the fact that 'no_log: true' was specified for this result"

IS_ADHOC = bool(os.getenv('AD_HOC_COMMAND_ID'))

# Events that keep their data under RUNNER_ONLY_FAILED_EVENTS.  The reference
# lists "runner_on_item_failed", a name that is never emitted, so failed loop
# items lost their data there; the real event name is used here.
FAILED_EVENTS = frozenset(('runner_on_failed', 'runner_on_async_failed', 'runner_item_on_failed'))

# Flags set by Display methods, in the order that decides the event name.
DISPLAY_EVENT_FLAGS = ('debug', 'verbose', 'deprecated', 'warning', 'system_warning', 'error')

# Setup results carry the controller's environment, which events leave out when the action is
# written exactly so (the implicit fact gathering is): applications such as ansible-rulebook read
# `ansible_env` from `ansible.builtin.setup` results, as the reference keeps it there.
FACT_GATHERING_ACTIONS = frozenset(('setup', 'gather_facts'))

ID_VARIABLES = (
    ('job_id', 'JOB_ID'),
    ('ad_hoc_command_id', 'AD_HOC_COMMAND_ID'),
    ('project_update_id', 'PROJECT_UPDATE_ID'),
)


def _parent_name():
    name = os.getenv('ORIGINAL_STDOUT_CALLBACK')
    if name:
        return name
    return 'minimal' if IS_ADHOC else 'default'


def _load_parent():
    name = _parent_name()
    try:
        parent = callback_loader.get(name, class_only=True)
    except Exception:  # e.g. a malformed collection name
        parent = None
    if parent is None:  # unknown ORIGINAL_STDOUT_CALLBACK: fall back rather than break the run
        name = 'minimal' if IS_ADHOC else 'default'
        parent = callback_loader.get(name, class_only=True)
    return name, parent


# (two statements: ansible-doc's source scan chokes on tuple assignments)
_PARENT = _load_parent()
_PARENT_NAME = _PARENT[0]
ParentCallback = _PARENT[1]


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


# The bits uuid.UUID(version=4) sets and clears: RFC 4122 variant, version 4.
_UUID4_CLEAR = ~(0xc000 << 48 | 0xf000 << 64)
_UUID4_SET = 0x8000 << 48 | 4 << 76


def _uuid4():
    """``str(uuid.uuid4())``, from the same 16 random bytes, without making a UUID object (a
    fifth of the cost, and every event takes one)."""
    digits = '%032x' % (int.from_bytes(os.urandom(16), 'big') & _UUID4_CLEAR | _UUID4_SET)
    return '%s-%s-%s-%s-%s' % (digits[:8], digits[8:12], digits[12:16], digits[16:20], digits[20:])


def _env_true(name):
    return os.getenv(name, 'False').lower() == 'true'


def _max_event_res():
    try:
        return int(os.getenv('MAX_EVENT_RES', '700000'))
    except ValueError:
        return 700000


def _job_ids():
    ids = {}
    for key, var in ID_VARIABLES:
        try:
            ids[key] = int(os.getenv(var, ''))
        except ValueError:
            pass
    return ids


# The runner sets these before Ansible starts and nothing changes them during a run: read once,
# not for each of the thousands of events a loop can send.
OMIT_EVENTS = _env_true('RUNNER_OMIT_EVENTS')
# The job's stdout is the caller's (run_command's output_fd): print there as Ansible would, besides
# sending each event.
DISPLAY_PRINTS = _env_true('RUNNER_DISPLAY_PRINTS')
ONLY_FAILED_EVENTS = _env_true('RUNNER_ONLY_FAILED_EVENTS')
MAX_EVENT_RES = _max_event_res()
JOB_IDS = _job_ids()


class _Encoder(_BaseEncoder):
    """Ansible's encoder (vault, dates, unsafe text), made total: unknown
    objects become strings so an odd result never breaks the run."""

    def default(self, o):
        try:
            return super().default(o)
        except TypeError:
            if type(o).__name__ == '_WrappedValue':  # how 2.19's encoder hands over some values
                o = getattr(o, 'wrapped', o)
            if isinstance(o, bytes):
                return o.decode('utf-8', errors='replace')
            if isinstance(o, (set, frozenset, tuple)):
                return list(o)
            return str(o)


def _plain(value):
    """Last-resort conversion to strict-JSON types (string keys, finite floats)."""
    if isinstance(value, dict):
        return {k if isinstance(k, str) else str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    try:
        return _plain(json.loads(json.dumps(value, cls=_Encoder)))
    except Exception:
        return str(value)


def _escape_char(match):
    code = ord(match.group())
    if 0xD800 <= code <= 0xDFFF:
        return '\\ufffd'  # a lone surrogate is not valid JSON text for most readers
    if code > 0xFFFF:
        code -= 0x10000
        return '\\u%04x\\u%04x' % (0xD800 | (code >> 10), 0xDC00 | (code & 0x3FF))
    return '\\u%04x' % code


_NON_ASCII = re.compile(r'[^\x00-\x7f]')


# Results come from JSON and hold no cycles (were one there, the encoder's recursion limit would
# stop it): no bookkeeping of every container seen.
_ENCODER = _Encoder(allow_nan=False, ensure_ascii=False, check_circular=False)
_PLAIN_ENCODER = json.JSONEncoder(allow_nan=False, ensure_ascii=False, check_circular=False)

# ansible-core 2.19 replaced the encoder with one that walks every value in Python (some fifty
# calls per loop item); the results it hands to callbacks are plain Python data already, which
# the standard encoder writes the same way in a fraction of the time.
_WALKING_ENCODER = _BaseEncoder.__module__.startswith('ansible._internal')


def _prebuilt(encoder):
    """``encoder``'s C encoding function, made once: ``(value, 0)`` -> chunks of its JSON.

    JSONEncoder.encode makes one afresh for every value it encodes, through three Python calls.
    2.19's encoder, which walks every value itself, and a Python without json's C part keep
    encode().
    """
    if c_make_encoder is None or (_WALKING_ENCODER and isinstance(encoder, _BaseEncoder)):
        return lambda value, _level: (encoder.encode(value),)
    return c_make_encoder(None, encoder.default, encode_json_string, None, encoder.key_separator,
                          encoder.item_separator, encoder.sort_keys, encoder.skipkeys, encoder.allow_nan)


_ENCODE = _prebuilt(_ENCODER)
_ENCODE_PLAIN = _prebuilt(_PLAIN_ENCODER)

_SCALARS = frozenset((str, int, float, bool, type(None)))


def _is_plain(value, depth=0):
    """Whether ``value`` holds only JSON's own types (exactly: no tagged or unsafe subclasses)."""
    kind = type(value)
    if kind in _SCALARS:
        return True
    if depth > 64:
        return False
    if kind is dict:
        return all(type(k) is str and _is_plain(v, depth + 1) for k, v in value.items())
    if kind is list:
        return all(_is_plain(v, depth + 1) for v in value)
    return False


try:
    from ansible.utils.unsafe_proxy import AnsibleUnsafeText as _UnsafeText
except ImportError:  # pragma: no cover - ansible-core without unsafe text
    _UnsafeText = str

# Types whose repr is at most ten times as long as their JSON here: a character takes at most ten
# characters in a repr ('\U000e0001') and at least one in this JSON; True, None and numbers take
# as many; a dict or list adds the same brackets and separators to its items', and keys that JSON
# quotes only grow.  Unsafe text is one while its repr is str's.  From 2.19 on, results hold no
# unsafe text and their str() costs little: no such check there.
_REPR_BOUNDED = None if _WALKING_ENCODER else frozenset((str, int, float, bool, type(None)))
if _REPR_BOUNDED and repr(_UnsafeText('\'"\n\x85')) == repr('\'"\n\x85'):
    _REPR_BOUNDED |= {_UnsafeText}


def _repr_bounded(value, depth=0):
    """Whether ``value`` is made of dicts and lists (exactly) of ``_REPR_BOUNDED`` types."""
    kind = type(value)
    if kind is dict:
        if not _REPR_BOUNDED.issuperset(map(type, value)):
            return False
        items = value.values()
    elif kind is list:
        items = value
    else:
        return kind in _REPR_BOUNDED
    if depth > 64:
        return False
    # (the types of a list's or dict's items checked in one go first: most are scalars)
    return _REPR_BOUNDED.issuperset(map(type, items)) or all(
        type(item) in _REPR_BOUNDED or _repr_bounded(item, depth + 1) for item in items)


def _to_json(value):
    """Strict, ASCII-only JSON, escaped the way json.dumps escapes by default.

    NaN/Infinity and lone surrogates are not JSON that other readers accept,
    so they become null and U+FFFD instead of failing or passing through.
    """
    if type(value) is str:  # an event's uuid and stdout: what every encoder does with a string
        text = encode_json_string(value)
    else:
        encode = _ENCODE_PLAIN if _WALKING_ENCODER and _is_plain(value) else _ENCODE
        try:
            text = ''.join(encode(value, 0))
        except (TypeError, ValueError, RecursionError):
            text = ''.join(_ENCODE_PLAIN(_plain(value), 0))
    # Most events are ASCII already: a check costs far less than a scan for characters to escape.
    return text if text.isascii() else _NON_ASCII.sub(_escape_char, text)


def _safe_text(text):
    # Undecodable bytes reach Display as lone surrogates; Ansible prints them as '?'.
    if text.isascii():
        return text
    try:
        text.encode('utf-8')
    except UnicodeEncodeError:
        text = text.encode('utf-8', errors='replace').decode('utf-8')
    return text


class _Channel:
    """Line writer for the events channel; gives up quietly if it goes away."""

    def __init__(self, path):
        self.path = path
        self.fd = None
        self.broken = False
        self.lock = threading.Lock()

    def send(self, line):
        data = line.encode('ascii')
        with self.lock:
            if self.broken:
                return
            try:
                if self.fd is None:
                    self.fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | getattr(os, 'O_CLOEXEC', 0))
                view = memoryview(data)
                while view:
                    view = view[os.write(self.fd, view):]
            except OSError:
                self.broken = True
                if self.fd is not None:
                    with contextlib.suppress(OSError):
                        os.close(self.fd)
                    self.fd = None


class _State:
    """Process-wide capture state.

    Kept on the Display class so that a second import of this module (the
    plugin loader may import a file more than once) shares it instead of
    wrapping Display with a second, disconnected set of frames.
    """

    def __init__(self):
        self.main = True
        self.originals = {}  # Display's methods that the hooks replace, by name
        os.register_at_fork(after_in_child=self._forked)
        self.channel = _Channel(CHANNEL)
        # Display's own lock: it already serialises every write and every
        # worker fork, so holding it for an event keeps events contiguous.
        self.lock = getattr(Display(), '_lock', None) or threading.RLock()
        self.context = {}  # playbook/play/task context shared by all threads
        self.local = threading.local()

    def _forked(self):
        """In a forked worker, events are not sent and Display is Ansible's own again.

        Workers call Display thousands of times a run (debug messages, some ten a loop item): with
        the hooks gone nothing stands in between, not even a check of where the call runs.
        """
        self.main = False
        for name, method in self.originals.items():
            setattr(Display, name, method)

    def frames(self):
        frames = getattr(self.local, 'frames', None)
        if frames is None:
            frames = self.local.frames = []
        return frames

    def flags(self):
        flags = getattr(self.local, 'flags', None)
        if flags is None:
            flags = self.local.flags = []
        return flags

    def capture(self, text):
        """Route displayed text to the open event, or make it an event of its own."""
        text = _safe_text(text)
        with self.lock:
            frames = self.frames()
            if frames:
                frames[-1].append(text)
                return
            created = _now()
            data = dict(self.context)
            for flag in self.flags():
                data.update(flag)
            data['uuid'] = _uuid4()
            event = next((f for f in DISPLAY_EVENT_FLAGS if data.get(f)), 'verbose')
            event_uuid, rest = _record(event, data, created)
            self.channel.send(_line(event_uuid, text, rest))


def _record(event, data, created):
    """Serialise one event for the channel, minus its stdout.

    Returns ``(uuid, rest)``; ``_line`` joins them with the stdout.  The line
    is the job event without counter, line numbers and runner ident, which the
    reader adds.
    """
    data = dict(data)
    event_uuid = data.get('uuid') or _uuid4()
    head = {'event': event}
    head.update(JOB_IDS)
    head['pid'] = os.getpid()
    head['created'] = created.isoformat()
    for key in ('task_uuid', 'play_uuid', 'playbook_uuid'):
        parent = data.get(key)
        if parent and parent != event_uuid:
            head['parent_uuid'] = parent
            break
    if 'verbosity' in data:
        head['verbosity'] = data.pop('verbosity')
    if OMIT_EVENTS or (ONLY_FAILED_EVENTS and event not in FAILED_EVENTS):
        data = {}
    head['event_data'] = data
    if event != 'playbook_on_stats' and 'res' in data:
        return event_uuid, _to_json_within_limit(head, data)
    return event_uuid, _to_json(head)


def _to_json_within_limit(head, data):
    """``head`` as JSON, ``data``'s result emptied if its str() is longer than MAX_EVENT_RES.

    That length is the reference's measure.  Before 2.19 every string of a result is unsafe
    text, whose repr is Python code that str() runs for each key and value; a result of
    ``_REPR_BOUNDED`` types whose JSON is under a tenth of the limit is within it without that.
    """
    res = data['res']
    text = None
    if _REPR_BOUNDED and _repr_bounded(res):
        text = _to_json(head)
        if len(text) * 10 <= MAX_EVENT_RES:
            return text
    if len(str(res)) > MAX_EVENT_RES:
        data['res'] = {}
        text = None
    return text or _to_json(head)


def _line(event_uuid, stdout, rest):
    return '{"uuid": %s, "stdout": %s, %s\n' % (_to_json(event_uuid), _to_json(stdout), rest[1:])


def _install_display_hooks(state):
    """Send everything Display prints in the main process to ``state``.

    Forked workers hand their display calls to the main process (or, on
    older ansible-core, print them themselves): the fork takes the hooks out
    there (``_State._forked``).
    """
    original_display = state.originals['display'] = Display.display
    bind_display = _Binder(_signature(original_display, 'display'))

    @functools.wraps(original_display)
    def display(self, *args, **kwargs):
        try:
            params = bind_display(self, args, kwargs)
        except TypeError:
            return original_display(self, *args, **kwargs)  # let Display report the bad call
        log_only = params.get('log_only')
        # Let Display validate the message and do its file logging, but not print (unless asked).
        params['log_only'] = log_only or not DISPLAY_PRINTS
        try:
            result = original_display(self, **params)
        except TypeError:
            # A Display whose parameters are not the ones bound: print as asked, uncaptured,
            # rather than lose the message or fail the job.
            return original_display(self, *args, **kwargs)
        if not log_only:
            state.capture(_render(params['msg'], params.get('color'), params.get('newline', True)))
        return result

    Display.display = display

    def flagged(func, make_flags):
        @functools.wraps(func)
        def wrapper(self, *args, **kwargs):
            try:
                flags = make_flags(self, args, kwargs)
            except TypeError:
                return func(self, *args, **kwargs)
            stack = state.flags()
            stack.append(flags)
            try:
                return func(self, *args, **kwargs)
            finally:
                stack.pop()
        return wrapper

    for name in dir(Display):
        if name.startswith('_') or 'cow' in name or 'prompt' in name:
            continue
        if name in ('display', 'v', 'vv', 'vvv', 'vvvv', 'vvvvv', 'vvvvvv'):
            continue
        raw = inspect.getattr_static(Display, name)
        if not inspect.isfunction(raw):  # skip static/class methods and data
            continue
        if name == 'verbose':
            make_flags = functools.partial(_verbose_flags, _Binder(_signature(raw, 'verbose')))
        else:
            make_flags = functools.partial(lambda flag, *_call: {flag: True}, name)
        state.originals[name] = raw
        setattr(Display, name, flagged(raw, make_flags))


def _verbose_flags(bind, display, args, kwargs):
    arguments = bind(display, args, kwargs)
    flags = {'verbose': True, 'verbosity': (arguments.get('caplevel') or 0) + 1}
    if arguments.get('host') is not None:
        flags['remote_addr'] = arguments['host']
    return flags


# The parameters the hooks read, with their defaults, as every ansible-core since 2.9 declares
# them: the fallback when a wrapper hides a method's own signature.
_KNOWN_PARAMETERS = {
    'display': (('msg', inspect.Parameter.empty), ('color', None), ('stderr', False), ('screen_only', False),
                ('log_only', False), ('newline', True)),
    'verbose': (('msg', inspect.Parameter.empty), ('host', None), ('caplevel', 2)),
}


def _real_signature(func, name):
    """The signature of the method ``name`` behind ``func``.

    ansible-core 2.16 wraps ``display``, ``warning`` and ``deprecated`` in a
    decorator without ``functools.wraps``: the wrapper's own signature is
    ``(self, *args, **kwargs)``, and the method is in the wrapper's closure.
    """
    func = inspect.unwrap(func)
    inner = [cell.cell_contents for cell in func.__closure__ or () if _holds_function(cell)]
    named = [f for f in inner if f.__name__ == name]
    if named or len(inner) == 1:
        return _real_signature((named or inner)[0], name)
    return inspect.signature(func)


def _holds_function(cell):
    try:
        return inspect.isfunction(cell.cell_contents)
    except ValueError:  # an empty cell
        return False


def _signature(func, name):
    """The method's real signature, or its long-standing parameters when that cannot be found."""
    signature = _real_signature(func, name)
    known = _KNOWN_PARAMETERS[name]
    if all(parameter in signature.parameters for parameter, _ in known):
        return signature
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    parameters = [inspect.Parameter('self', kind)]
    parameters += [inspect.Parameter(parameter, kind, default=default) for parameter, default in known]
    parameters.append(inspect.Parameter('kwargs', inspect.Parameter.VAR_KEYWORD))
    return inspect.Signature(parameters)


def _arguments(signature, display, args, kwargs):
    """A call's arguments by name, defaults filled in, ready to pass on as keywords.

    Raises TypeError when they do not fit the signature, or when surplus
    positional arguments could not be passed on by name.
    """
    bound = signature.bind(display, *args, **kwargs)
    bound.apply_defaults()
    arguments = {}
    for name, value in bound.arguments.items():
        kind = signature.parameters[name].kind
        if kind is inspect.Parameter.VAR_KEYWORD:
            arguments.update(value)
        elif kind is inspect.Parameter.VAR_POSITIONAL:
            if value:
                raise TypeError('positional arguments without a name')
        elif name != 'self':
            arguments[name] = value
    return arguments


class _Binder:
    """``_arguments`` for one signature, planned once per call shape (how many positional
    arguments, which keywords): Display.display runs for every event, and binding a signature
    afresh each time costs more than the rest of the hook."""

    def __init__(self, signature):
        self.signature = signature
        self.plans = {}

    def __call__(self, display, args, kwargs):
        shape = (len(args), *kwargs)
        plan = self.plans.get(shape)
        if plan is None:
            plan = self.plans[shape] = self._plan(display, args, kwargs)
        names, defaults = plan
        arguments = dict(defaults)
        arguments.update(zip(names, args))
        arguments.update(kwargs)
        return arguments

    def _plan(self, display, args, kwargs):
        """The names the positional arguments bind to, and the defaults of the rest."""
        arguments = _arguments(self.signature, display, args, kwargs)  # raises on a bad call
        positional = [p.name for p in self.signature.parameters.values()
                      if p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        names = tuple(positional[1:len(args) + 1])  # after self
        given = set(names) | set(kwargs)
        defaults = {name: value for name, value in arguments.items() if name not in given}
        return names, defaults


@functools.lru_cache(maxsize=None)
def _colour_code(color):
    return ansible_color.parsecolor(color)


def _render(msg, color, newline):
    """The text Display.display would write for these arguments."""
    msg = msg.replace('\r\n', '\n')
    has_newline = msg.endswith('\n')
    text = msg[:-1] if has_newline else msg
    if color and ansible_color.ANSIBLE_COLOR:
        # Ansible's stringc, the colour's code found once instead of by a regex each time.
        start = '\033[%sm' % _colour_code(color)
        text = start + ('\033[0m\n' + start).join(text.split('\n')) + '\033[0m'
    if has_newline or newline:
        text += '\n'
    return text


def _setup():
    if not os.path.exists(CHANNEL):
        return None
    state = getattr(Display, '_runner_event_state', None)
    if state is None:
        state = _State()
        Display._runner_event_state = state
        _install_display_hooks(state)
        # The runner reads through pipes and strips colour itself when needed;
        # keep Ansible's colours as a terminal would get them.
        if not C.ANSIBLE_NOCOLOR and not DISPLAY_PRINTS:
            ansible_color.ANSIBLE_COLOR = True
    return state


STATE = _setup()


class CallbackModule(ParentCallback):
    """The parent stdout callback, with every callback method framed as an event."""

    CALLBACK_NAME = 'awx_display'
    CALLBACK_TYPE = 'stdout'
    CALLBACK_VERSION = 2.0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._host_start = {}
        self._seen_task_uuids = set()
        self._task_uuid_counts = {}
        self._seen_play_uuids = set()
        self._play_uuid_counts = {}
        # Ansible has no playbook uuid; one per run, shared by all playbooks.
        self.playbook_uuid = _uuid4()

    def set_options(self, *args, **kwargs):
        # Options come from the parent's definitions (which may not be the
        # default callback's), so declare those under our name too.
        parent_name = getattr(ParentCallback, '_load_name', _PARENT_NAME)
        parent_defs = C.config.get_configuration_definitions('callback', parent_name) or {}
        own_defs = C.config.get_configuration_definitions('callback', self._load_name) or {}
        C.config.initialize_plugin_configuration_definitions('callback', self._load_name, {**parent_defs, **own_defs})
        return super().set_options(*args, **kwargs)

    # --- context ---------------------------------------------------------

    @staticmethod
    def _update_context(**values):
        if STATE is not None:
            with STATE.lock:
                STATE.context.update(values)

    @staticmethod
    def _drop_context(*keys):
        if STATE is not None:
            with STATE.lock:
                for key in keys:
                    STATE.context.pop(key, None)

    def _set_playbook(self, playbook):
        self._update_context(playbook=getattr(playbook, '_file_name', '???'), playbook_uuid=self.playbook_uuid)
        self._clear_play()

    @staticmethod
    def _play_pattern(play):
        hosts = getattr(play, 'hosts', '')
        if isinstance(hosts, list):
            return ','.join(hosts)
        return hosts

    def _set_play(self, play, play_uuid):
        pattern = self._play_pattern(play)
        name = play.get_name().strip() or pattern
        self._update_context(play=name, play_uuid=play_uuid, play_pattern=pattern)
        self._clear_task()

    def _clear_play(self):
        self._drop_context('play', 'play_uuid', 'play_pattern')
        self._clear_task()

    @staticmethod
    def _task_context(task):
        action = task.action  # (an attribute that runs Python each time it is read)
        ctx = {
            'task': task.name or action,
            'task_uuid': str(task._uuid),
            'task_action': action,
            'resolved_action': getattr(task, 'resolved_action', action),
            'task_args': '',
        }
        try:
            ctx['task_path'] = task.get_path()
        except AttributeError:
            pass
        if C.DISPLAY_ARGS_TO_STDOUT:
            if task.no_log:
                ctx['task_args'] = CENSORED
            else:
                ctx['task_args'] = ', '.join('%s=%s' % (k, v) for k, v in task.args.items())
        role = getattr(task, '_role', None)
        if role:
            role_name = role._role_name
            if hasattr(role, 'get_name'):
                resolved = role.get_name()
                if resolved != role_name:
                    ctx['resolved_role'] = resolved
        else:
            role_name = getattr(task, 'role_name', '')
        if role_name:
            ctx['role'] = role_name
        return ctx

    def _set_task(self, task):
        self._clear_task()
        self._update_context(**self._task_context(task))

    def _clear_task(self):
        self._drop_context('task', 'task_path', 'task_uuid', 'task_action', 'task_args', 'resolved_action',
                           'role', 'resolved_role')

    @staticmethod
    def _unique(value, seen, counts):
        """Free strategy and serial repeat play/task uuids; number the repeats."""
        if value in seen:
            counts[value] = counts.get(value, 1) + 1
            value = '%s_%d' % (value, counts[value])
        seen.add(value)
        return value

    # --- event framing ---------------------------------------------------

    @contextlib.contextmanager
    def _event(self, event, data=None, task=None):
        """Frame one callback method: its display output becomes the event's stdout."""
        if STATE is None or not STATE.main:
            yield
            return
        data = dict(data or {})
        with STATE.lock:
            created = _now()
            data.setdefault('uuid', _uuid4())
            _censor(data)
            merged = dict(STATE.context)
            merged.update(data)
            if task is not None:
                merged.update(self._task_context(task))
            # Serialise now: the parent callback edits results while printing.
            event_uuid, rest = _record(event, merged, created)
            chunks = []
            frames = STATE.frames()
            frames.append(chunks)
            try:
                yield
            finally:
                frames.pop()
                STATE.channel.send(_line(event_uuid, ''.join(chunks), rest))

    def _timing(self, result):
        start = self._host_start.get(result._host.get_name())
        if start:
            end = _now()
            return start, end, (end - start).total_seconds()
        return None, None, None

    @staticmethod
    def _event_loop(task):
        if hasattr(task, 'loop_with'):
            return task.loop_with
        return getattr(task, 'loop', None)

    @staticmethod
    def _item_data(result, jid=False):
        data = {'host': result._host.get_name(), 'res': result._result}
        if jid:
            data['jid'] = result._result.get('ansible_job_id')
        return data

    # --- playbook events -------------------------------------------------

    def v2_playbook_on_start(self, playbook):
        self._set_playbook(playbook)
        with self._event('playbook_on_start', {'uuid': self.playbook_uuid}):
            super().v2_playbook_on_start(playbook)

    def v2_playbook_on_vars_prompt(self, varname, private=True, prompt=None, encrypt=None,
                                   confirm=False, salt_size=None, salt=None, default=None, unsafe=None):
        data = {
            'varname': varname, 'private': private, 'prompt': prompt, 'encrypt': encrypt,
            'confirm': confirm, 'salt_size': salt_size, 'salt': salt, 'default': default,
            'unsafe': unsafe,
        }
        with self._event('playbook_on_vars_prompt', data):
            super().v2_playbook_on_vars_prompt(varname, private, prompt, encrypt, confirm,
                                               salt_size, salt, default, unsafe)

    def v2_playbook_on_include(self, included_file):
        data = {'included_file': included_file._filename if included_file is not None else None}
        with self._event('playbook_on_include', data):
            super().v2_playbook_on_include(included_file)

    def v2_playbook_on_play_start(self, play):
        if IS_ADHOC:
            # Ad-hoc runs have an implicit play that the reference never reports.
            return
        play_uuid = self._unique(str(play._uuid), self._seen_play_uuids, self._play_uuid_counts)
        self._set_play(play, play_uuid)
        pattern = self._play_pattern(play)
        data = {'name': play.get_name().strip() or pattern, 'pattern': pattern, 'uuid': play_uuid}
        with self._event('playbook_on_play_start', data):
            super().v2_playbook_on_play_start(play)

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._set_task(task)
        if IS_ADHOC:
            return
        task_uuid = self._unique(str(task._uuid), self._seen_task_uuids, self._task_uuid_counts)
        data = {'name': task.get_name(), 'is_conditional': is_conditional, 'uuid': task_uuid}
        with self._event('playbook_on_task_start', data, task=task):
            super().v2_playbook_on_task_start(task, is_conditional)

    def v2_playbook_on_handler_task_start(self, task):
        # Handlers are reported as conditional task starts, as v1 did.
        self._set_task(task)
        data = {'name': task.get_name(), 'uuid': str(task._uuid), 'is_conditional': True}
        with self._event('playbook_on_task_start', data, task=task):
            super().v2_playbook_on_handler_task_start(task)

    def v2_playbook_on_no_hosts_matched(self):
        with self._event('playbook_on_no_hosts_matched'):
            super().v2_playbook_on_no_hosts_matched()

    def v2_playbook_on_no_hosts_remaining(self):
        with self._event('playbook_on_no_hosts_remaining'):
            super().v2_playbook_on_no_hosts_remaining()

    def v2_playbook_on_notify(self, handler, host):
        data = {'host': host.get_name(), 'handler': handler.get_name()}
        with self._event('playbook_on_notify', data):
            super().v2_playbook_on_notify(handler, host)

    def v2_playbook_on_stats(self, stats):
        self._clear_play()
        custom = getattr(stats, 'custom', None)
        data = {
            'changed': stats.changed,
            'dark': stats.dark,
            'failures': stats.failures,
            'ignored': getattr(stats, 'ignored', 0),
            'ok': stats.ok,
            'processed': stats.processed,
            'rescued': getattr(stats, 'rescued', 0),
            'skipped': stats.skipped,
            'artifact_data': custom.get('_run', {}) if custom is not None else {},
        }
        with self._event('playbook_on_stats', data):
            super().v2_playbook_on_stats(stats)

    # --- host events -----------------------------------------------------

    def v2_runner_on_start(self, host, task):
        self._host_start[host.get_name()] = _now()
        with self._event('runner_on_start', {'host': host.get_name()}, task=task):
            super().v2_runner_on_start(host, task)

    def v2_runner_on_ok(self, result):
        if result._task.action in FACT_GATHERING_ACTIONS:
            facts = result._result.get('ansible_facts')
            if isinstance(facts, dict):
                facts.pop('ansible_env', None)
        start, end, duration = self._timing(result)
        data = {
            'host': result._host.get_name(), 'remote_addr': result._host.address, 'res': result._result,
            'start': start, 'end': end, 'duration': duration, 'event_loop': self._event_loop(result._task),
        }
        with self._event('runner_on_ok', data, task=result._task):
            super().v2_runner_on_ok(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        start, end, duration = self._timing(result)
        data = {
            'host': result._host.get_name(), 'remote_addr': result._host.address, 'res': result._result,
            'start': start, 'end': end, 'duration': duration, 'ignore_errors': ignore_errors,
            'event_loop': self._event_loop(result._task),
        }
        with self._event('runner_on_failed', data, task=result._task):
            super().v2_runner_on_failed(result, ignore_errors)

    def v2_runner_on_skipped(self, result):
        start, end, duration = self._timing(result)
        data = {
            'host': result._host.get_name(), 'remote_addr': result._host.address,
            'start': start, 'end': end, 'duration': duration, 'event_loop': self._event_loop(result._task),
        }
        with self._event('runner_on_skipped', data, task=result._task):
            super().v2_runner_on_skipped(result)

    def v2_runner_on_unreachable(self, result):
        start, end, duration = self._timing(result)
        data = {
            'host': result._host.get_name(), 'remote_addr': result._host.address,
            'start': start, 'end': end, 'duration': duration, 'res': result._result,
        }
        with self._event('runner_on_unreachable', data, task=result._task):
            super().v2_runner_on_unreachable(result)

    def v2_runner_on_async_poll(self, result):
        with self._event('runner_on_async_poll', self._item_data(result, jid=True), task=result._task):
            super().v2_runner_on_async_poll(result)

    def v2_runner_on_async_ok(self, result):
        with self._event('runner_on_async_ok', self._item_data(result, jid=True), task=result._task):
            super().v2_runner_on_async_ok(result)

    def v2_runner_on_async_failed(self, result):
        with self._event('runner_on_async_failed', self._item_data(result, jid=True), task=result._task):
            super().v2_runner_on_async_failed(result)

    def v2_on_file_diff(self, result):
        data = {'host': result._host.get_name(), 'diff': result._result.get('diff')}
        with self._event('runner_on_file_diff', data, task=result._task):
            super().v2_on_file_diff(result)

    def v2_runner_item_on_ok(self, result):
        with self._event('runner_item_on_ok', self._item_data(result), task=result._task):
            super().v2_runner_item_on_ok(result)

    def v2_runner_item_on_failed(self, result):
        with self._event('runner_item_on_failed', self._item_data(result), task=result._task):
            super().v2_runner_item_on_failed(result)

    def v2_runner_item_on_skipped(self, result):
        with self._event('runner_item_on_skipped', self._item_data(result), task=result._task):
            super().v2_runner_item_on_skipped(result)

    def v2_runner_retry(self, result):
        with self._event('runner_retry', self._item_data(result), task=result._task):
            super().v2_runner_retry(result)


def _censor(data):
    """Hide no_log results; loop items are judged one by one.

    The censored item list is put back into the result itself, so the parent
    callback prints the same censored items the event records.
    """
    res = data.get('res')
    if not res or not isinstance(res, dict):
        return
    if res.get('_ansible_no_log', False):
        res = data['res'] = {'censored': CENSORED}
    items = res.get('results')
    if items and isinstance(items, list):
        res['results'] = [
            {'censored': CENSORED} if isinstance(item, dict) and item.get('_ansible_no_log', False) else item
            for item in items
        ]
