"""Find the inputs under the paths a user gave: walk folders, sniff files, refuse what cannot be read.

A file that is not a regular file (a FIFO, a device), one that cannot be opened, and one whose
name is not UTF-8 text are problems; hidden entries and symbolic links inside folders are skipped,
so a walk never leaves the folder the user gave.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lineage.ingest.protocol import Importer
from lineage.ingest.registry import detect, importer_named
from lineage.records import Location, Problem

NO_IMPORTER = "no importer recognises this file; name one with --format (lineage formats lists them)"


@dataclass
class Input:
    """One thing to import: a path, the importer that reads it, and options just for it."""

    path: Path
    importer: Importer
    options: dict[str, str] = field(default_factory=dict)


def discover(
    paths: Sequence[Path],
    fmt: str | None = None,
    *,
    unread: list[Path] | None = None,
    formats: Mapping[Path, str] | None = None,
) -> tuple[list[Input], list[Problem], list[str]]:
    """The inputs under ``paths``: (inputs, problems, skipped files).

    A file given by name must be readable by some importer (or by ``fmt``, or by the importer
    ``formats`` names for it), else it is a problem (or, with ``unread``, listed there); files
    found in a folder that no importer reads are skipped. Hidden entries and symbolic links inside
    folders are skipped too, so a walk never leaves the folder the user gave.
    """
    forced = importer_named(fmt) if fmt else None
    chosen = {Path(p): importer_named(name) for p, name in (formats or {}).items()}
    inputs: list[Input] = []
    problems: list[Problem] = []
    skipped: list[str] = []

    def claim(p: Path) -> Importer | None:
        if forced is not None:
            return forced if _sniffs(forced, p) else None
        return detect(p)

    def walk(folder: Path) -> None:
        whole = claim(folder)
        if whole is not None:
            inputs.append(Input(folder, whole))
            return
        try:
            entries = sorted(folder.iterdir(), key=lambda e: e.name)
        except OSError as exc:
            problems.append(Problem(Location(str(folder)), f"cannot list folder: {reason(exc)}"))
            return
        for entry in entries:
            if not is_utf8(entry.name):  # the folder's own name was checked before
                problems.append(misnamed(entry))
            elif entry.name.startswith(".") or entry.is_symlink():
                skipped.append(str(entry))
            elif entry.is_dir():
                walk(entry)
            elif (odd := not_regular(entry)) is not None:
                problems.append(odd)
            else:
                imp = claim(entry)
                if imp is None and (locked := unreadable(entry)) is not None:
                    problems.append(locked)
                elif imp is None:
                    skipped.append(str(entry))
                else:
                    inputs.append(Input(entry, imp))

    for path in paths:
        if (why := bad_name(path)) is not None:
            problems.append(why)
        elif not path.exists():
            problems.append(Problem(Location(str(path)), "no such file or folder"))
        elif path.is_dir():
            walk(path)
        elif (odd := not_regular(path, follow=True)) is not None:
            problems.append(odd)
        else:
            imp = chosen.get(path) or forced or detect(path)
            if imp is None and (locked := unreadable(path)) is not None:
                problems.append(locked)
            elif imp is None and unread is not None:
                unread.append(path)
            elif imp is None:
                problems.append(Problem(Location(str(path)), NO_IMPORTER))
            else:
                inputs.append(Input(path, imp))
    return inputs, problems, skipped


def shown_name(name: str | os.PathLike[str]) -> str:
    """A file name as text any UTF-8 output can hold: bytes that are not UTF-8 as ``\\xff``.

    >>> shown_name(os.fsdecode(b"bad\\xff.jsonl"))
    'bad\\\\xff.jsonl'
    """
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def bad_name(path: Path) -> Problem | None:
    """A problem if the name of ``path`` (or of the folder it resolves to) is not UTF-8 text:
    a database holds only UTF-8, so such a file is reported by its escaped name and left out."""
    text = str(path)
    if is_utf8(text):
        try:
            text = str(path.resolve())  # the source key is the resolved path
        except (OSError, RuntimeError):
            return None
        if is_utf8(text):
            return None
    return Problem(Location(shown_name(text)), "the file name is not UTF-8 text; left out (rename it to read it)")


def misnamed(path: Path) -> Problem:
    """The problem of ``path``, whose own name is known not to be UTF-8 text."""
    problem = bad_name(path)
    assert problem is not None
    return problem


KINDS: tuple[tuple[Callable[[int], bool], str], ...] = (
    (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder"))  # fmt: skip


def not_regular(path: Path, *, follow: bool = False) -> Problem | None:
    """A problem if ``path`` is not a regular file (a FIFO or a device would block or never end:
    it is never opened). A symbolic link counts as what it names only with ``follow``."""
    try:
        mode = (os.stat if follow else os.lstat)(path).st_mode
    except OSError:
        return None  # gone: reading it says so
    if stat.S_ISREG(mode) or (stat.S_ISLNK(mode) and not follow):
        return None
    kind = next((k for test, k in KINDS if test(mode)), "not a file")
    return Problem(Location(str(path)), f"not a regular file ({kind}); not read")


def unreadable(path: Path) -> Problem | None:
    """A problem if the regular file at ``path`` cannot be opened for reading."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # non-blocking: even a FIFO could not stall it
    except FileNotFoundError:
        return None
    except OSError as exc:
        return Problem(Location(str(path)), f"cannot read: {reason(exc)}")
    os.close(fd)
    return None


def reason(exc: OSError) -> str:
    """``permission denied``: the system's words for an error, as the rest of a message."""
    text = exc.strerror or str(exc)
    return text[:1].lower() + text[1:]


def _sniffs(imp: Importer, path: Path) -> bool:
    try:
        return bool(imp.sniff(path))
    except OSError:
        return False
