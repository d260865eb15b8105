"""Private data dirs and artifact dirs as zip archives in a stream: a `{"zipfile": N}` line, then
the N bytes of the archive in base64. Extraction never writes outside its destination.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import stat
import tempfile
import time
import zipfile
from typing import IO

_CHUNK = 3 * 256 * 1024  # archive bytes encoded per write: a multiple of 3, so no padding between
_FILE_TYPE = 0o170000


class StreamError(Exception):
    """A stream that is cut short or is not what it should be."""


def _add_entries(archive: zipfile.ZipFile, source: str) -> None:
    for dirpath, dirs, files in os.walk(source):
        relative = os.path.relpath(dirpath, source)
        relative = '' if relative == '.' else relative
        for name in files + dirs:
            path = os.path.join(dirpath, name)
            arcname = os.path.join(relative, name)
            if os.path.islink(path):
                info = zipfile.ZipInfo(arcname)
                info.create_system = 3
                info.external_attr = (0o777 | stat.S_IFLNK) << 16
                archive.writestr(info, os.readlink(path))
            elif not stat.S_ISFIFO(os.stat(path).st_mode):
                archive.write(path, arcname=arcname)


def stream_dir(source: str | None, stream: IO[bytes]) -> None:
    """Write `source` (or an empty archive) to `stream` as a zipfile line and its base64."""
    with tempfile.TemporaryFile() as packed:
        with zipfile.ZipFile(packed, 'w', compression=zipfile.ZIP_DEFLATED, allowZip64=True,
                             strict_timestamps=False) as archive:
            if source:
                _add_entries(archive, source)
        size = packed.tell()
        packed.seek(0)
        stream.write(json.dumps({'zipfile': size}).encode('utf-8') + b'\n')
        while True:
            chunk = packed.read(_CHUNK)
            if not chunk:
                break
            stream.write(base64.b64encode(chunk))
        stream.flush()


def _read_exactly(stream: IO[bytes], count: int) -> bytes:
    parts: list[bytes] = []
    while count > 0:
        part = stream.read(min(count, 1 << 20))
        if not part:
            raise StreamError('the stream ended inside a zip archive')
        parts.append(part)
        count -= len(part)
    return b''.join(parts)


def read_archive(stream: IO[bytes], length: int, into: IO[bytes]) -> None:
    """Decode the base64 of a `length`-byte archive from `stream` into the file `into`."""
    if not isinstance(length, int) or isinstance(length, bool) or length < 0:
        raise StreamError(f'a zipfile line with a bad length: {length!r}')
    remaining = length
    while remaining > 0:
        step = min(remaining, _CHUNK)
        encoded = _read_exactly(stream, 4 * ((step + 2) // 3))
        try:
            into.write(base64.b64decode(encoded, validate=True))
        except ValueError as exc:
            raise StreamError(f'the zip archive is not valid base64: {exc}') from exc
        remaining -= step
    into.flush()
    into.seek(0)


def _parts(name: str) -> list[str]:
    parts = [part for part in name.split('/') if part not in ('', '.')]
    if name.startswith('/') or '..' in parts or not parts:
        raise StreamError(f'the archive entry {name!r} would be written outside its directory')
    return parts


def _open_parent(root_fd: int, parts: list[str]) -> int:
    """The directory holding the last part, made as needed; no symlink is ever followed."""
    fd = os.dup(root_fd)
    try:
        for part in parts[:-1]:
            with contextlib.suppress(FileExistsError):
                os.mkdir(part, 0o700, dir_fd=fd)
            flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
            try:
                child = os.open(part, flags, dir_fd=fd)
            except OSError as exc:
                raise StreamError(f'the archive entry path {"/".join(parts)!r} passes through '
                                  f'something that is not a directory') from exc
            os.close(fd)
            fd = child
    except BaseException:
        os.close(fd)
        raise
    return fd


def _link_stays_inside(target: str, depth: int) -> bool:
    if target.startswith('/'):
        return False
    level = depth
    for part in (p for p in target.split('/') if p not in ('', '.')):
        level = level - 1 if part == '..' else level + 1
        if level < 0:
            return False
    return True


def _extract_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, root_fd: int) -> None:
    parts = _parts(info.filename)
    mode = info.external_attr >> 16
    kind = mode & _FILE_TYPE
    parent = _open_parent(root_fd, parts)
    name = parts[-1]
    stamp = time.mktime((*info.date_time, 0, 0, -1))
    try:
        existing = _lstat(name, parent)
        if info.is_dir() or kind == stat.S_IFDIR:
            if existing is None:
                os.mkdir(name, 0o700, dir_fd=parent)
            return
        if existing is not None:
            if stat.S_ISDIR(existing.st_mode):
                raise StreamError(f'the archive entry {info.filename!r} would replace a directory')
            os.unlink(name, dir_fd=parent)
            if stat.S_ISFIFO(existing.st_mode):
                return
        data = archive.read(info)
        if kind == stat.S_IFLNK:
            target = data.decode('utf-8', 'surrogateescape')
            if not _link_stays_inside(target, len(parts) - 1):
                raise StreamError(f'the archive link {info.filename!r} points outside its directory')
            os.symlink(target, name, dir_fd=parent)
            return
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        fd = os.open(name, flags, 0o600, dir_fd=parent)
        try:
            with open(fd, 'wb', closefd=False) as handle:
                handle.write(data)
            os.fchmod(fd, (mode & 0o777) or 0o644)
            os.utime(fd, times=(stamp, stamp))
        finally:
            os.close(fd)
    finally:
        os.close(parent)


def _lstat(name: str, dir_fd: int) -> os.stat_result | None:
    try:
        return os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return None


def unstream_dir(stream: IO[bytes], length: int, target_directory: str) -> None:
    """Read one streamed archive from `stream` and unpack it into `target_directory`."""
    os.makedirs(target_directory, mode=0o700, exist_ok=True)
    with tempfile.TemporaryFile() as packed:
        read_archive(stream, length, packed)
        try:
            archive = zipfile.ZipFile(packed)
        except zipfile.BadZipFile as exc:
            raise StreamError(f'the streamed archive is not a zip file: {exc}') from exc
        root_fd = os.open(target_directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            with archive:
                for info in archive.infolist():
                    _extract_entry(archive, info, root_fd)
        finally:
            os.close(root_fd)
