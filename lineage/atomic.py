"""Outputs that are complete or absent, never partial.

Every file an output command (or the explorer) writes goes through :func:`write_atomic` or
:func:`atomic_path`: the bytes go to a hidden temporary file in the same folder
(``.NAME.XXXXXXXX.SUFFIX.tmp``), are flushed and fsynced, then renamed over the target in one
step. On a full disk, an error or an interrupt the old file (if any) is left byte for byte as
it was and the temporary file is removed; a SIGKILL can leave only the hidden temporary file,
never a cut-off NAME. A folder output is built in a temporary sibling folder and renamed into
place whole (:func:`atomic_folder`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def _fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (best effort: not every filesystem allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _parent(target: Path) -> Path:
    return target.parent if str(target.parent) else Path(".")


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike, *, suffix: str | None = None) -> Iterator[Path]:
    """A temporary path beside ``target`` for any writer to fill (zipfile, a library that wants a
    file name). On a clean exit it is fsynced and renamed to ``target`` (keeping an existing
    target's permissions); on any error it is removed and ``target`` is as it was. ``suffix``
    goes before ``.tmp`` (default: the target's own suffix)."""
    target = Path(target)
    folder = _parent(target)
    ending = (target.suffix if suffix is None else suffix) + ".tmp"
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=ending, dir=folder)
    os.close(fd)
    temp = Path(name)
    try:
        yield temp
        _fsync_file(temp)
        try:
            mode = os.stat(target).st_mode & 0o7777
        except OSError:
            mode = 0o666 & ~_umask()
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    _fsync_folder(folder)


def write_atomic(target: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``target``: the whole of it, or (on any error) nothing at all."""
    with atomic_path(target) as temp:
        fd = os.open(temp, os.O_WRONLY | os.O_TRUNC)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_folder(target: str | os.PathLike) -> Iterator[Path]:
    """A temporary sibling folder to fill. On a clean exit its files are fsynced, then a new
    (or empty) ``target`` is replaced by it in one rename; into a folder that already holds
    files, the new files are renamed in only after every one of them was written, so each is
    whole and an error leaves every old file as it was. On any error the temporary folder is
    removed."""
    target = Path(target)
    parent = _parent(target)
    parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent))
    try:
        yield temp
        for folder, _, files in os.walk(temp):
            for name in files:
                _fsync_file(Path(folder, name))
            _fsync_folder(Path(folder))
        if target.is_dir() and any(target.iterdir()):
            for item in sorted(temp.iterdir()):
                os.replace(item, target / item.name)
            _fsync_folder(target)
            temp.rmdir()
        else:
            os.chmod(temp, 0o777 & ~_umask())
            if target.is_dir():
                target.rmdir()  # empty: a folder cannot be renamed over another
            os.rename(temp, target)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    _fsync_folder(parent)
