"""Reading log files: gzip or not, line by line, with line numbers and progress.

Lines are read as bytes and decoded one at a time, so a bad byte is reported at its line and
a log of any size streams through in constant memory.
"""

from __future__ import annotations

import gzip
import json
import os
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lineage.records import InputError, Location, Problem, Progress

from .._kit.structured import Rejected, strict_loads

GZIP_MAGIC = b"\x1f\x8b"
PROGRESS_EVERY = 20_000  # lines
# Bounds on what a file can make us hold in memory: a few KB of gzip can expand to gigabytes
# (a "gzip bomb"). Logs stream line by line, so a line is bounded; a file read whole (one
# OpenLineage event or a list of them) is bounded as a whole. Module attributes, so a caller
# or a test can set others.
MAX_LINE_BYTES = 64 * 1024 * 1024
MAX_GZIP_BYTES = 1024 * 1024 * 1024


def _mib(size: int) -> str:
    """
    >>> _mib(64 * 1024 * 1024), _mib(1_000_000)
    ('64 MiB', '1,000,000 bytes')
    """
    mib, rest = divmod(size, 1024 * 1024)
    return f"{mib} MiB" if mib and not rest else f"{size:,} bytes"


def is_gzip(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(2) == GZIP_MAGIC


def head(path: Path, size: int = 4096) -> bytes:
    """The first ``size`` bytes of a file, decompressed if it is gzip ('' if unreadable)."""
    try:
        with open(path, "rb") as fh:
            start = fh.read(max(size, 65536))
    except OSError:
        return b""
    if not start.startswith(GZIP_MAGIC):
        return start[:size]
    try:  # a stream decompressor gives what it can of a truncated file, where gzip.open raises
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(start, size)
    except zlib.error:
        return b""


def logical_suffix(path: Path) -> str:
    """The suffix that says the format: ``.jsonl`` for ``events.jsonl.gz``."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return suffixes[-1] if suffixes else ""


def lines(path: Path) -> Iterator[tuple[int, str | None, int, int]]:
    """(line number, text or None when not UTF-8, bytes read, total bytes) for each line."""
    total = os.path.getsize(path)
    file = str(path)
    raw = open(path, "rb")  # noqa: SIM115 (closed below; gzip reads through it)
    try:
        stream = gzip.GzipFile(fileobj=raw) if is_gzip(path) else raw
        number = 0
        limit = MAX_LINE_BYTES
        try:
            for number, line in enumerate(iter(lambda: stream.readline(limit + 1), b""), start=1):  # noqa: B007
                if len(line) > limit:
                    raise InputError(Location(file, line=number), f"line longer than {_mib(limit)}: not a log")
                try:
                    text = line.decode("utf-8")
                except UnicodeDecodeError:
                    text = None
                yield number, text, raw.tell(), total
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise InputError(Location(file, line=number + 1), f"corrupt or truncated gzip: {exc}") from None
    finally:
        raw.close()


def text_lines(path: Path) -> Iterator[tuple[int, str | Problem, Progress | None]]:
    """(line number, text or a Problem, progress now and then) for each non-blank line."""
    file = str(path)
    for number, text, done, total in lines(path):
        progress = Progress(done, total) if number % PROGRESS_EVERY == 0 else None
        if text is None:
            yield number, Problem(Location(file, line=number), "not valid UTF-8 text"), progress
        elif "\x00" in text:  # text logs never hold NUL bytes: this is binary data or a torn write
            yield number, Problem(Location(file, line=number), "a NUL byte: binary data, not text"), progress
        elif text.strip():
            yield number, text.rstrip("\r\n"), progress


def json_lines(path: Path) -> Iterator[tuple[int, Any, Progress | None]]:
    """(line number, parsed value or a Problem, progress) for each line of a JSON Lines file."""
    file = str(path)
    for number, text, progress in text_lines(path):
        if isinstance(text, str):
            try:
                text = strict_loads(text)
            except json.JSONDecodeError as exc:
                text = Problem(Location(file, line=number), f"invalid JSON: {exc.msg}")
            except Rejected as exc:
                text = Problem(Location(file, line=number), f"invalid JSON: {exc}")
            except RecursionError:
                text = Problem(Location(file, line=number), "invalid JSON: nested too deeply")
        yield number, text, progress


def read_text(path: Path) -> bytes:
    """A whole file's bytes, decompressed if it is gzip (at most MAX_GZIP_BYTES of them)."""
    try:
        if is_gzip(path):
            limit = MAX_GZIP_BYTES
            with gzip.open(path, "rb") as fh:
                data = fh.read(limit + 1)
            if len(data) > limit:
                raise InputError(Location(str(path)), f"decompressed, larger than {_mib(limit)}: not read")
            return data
        return path.read_bytes()
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise InputError(Location(str(path)), f"corrupt or truncated gzip: {exc}") from None
