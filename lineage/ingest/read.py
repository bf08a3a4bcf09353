"""Read one input with its importer into an import unit: every record validated, problems collected.

A unit stands on its own: its edges name only its own nodes, and nothing in it names a file whose
name is not UTF-8 text. Reading never raises for bad input (an importer's failure is a problem
too), only for running out of memory, and for anything with ``debug``.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import zlib
from collections.abc import Callable, Hashable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

from lineage.ingest.discover import Input, bad_name, is_utf8, misnamed, not_regular, reason, shown_name
from lineage.ingest.protocol import OBSERVED
from lineage.records import (
    MAX_PLACES,
    EdgeRecord,
    InputError,
    Location,
    NodeRecord,
    Notice,
    Problem,
    Progress,
    Setting,
    check_edge,
    check_node,
    check_setting,
    evidence_set,
    merge_nodes,
)
from lineage.store import ImportUnit
from lineage.when import utc_now

BLANK_CHECK_BYTES = 1 << 16  # larger files are not blank in practice; never read them twice
MAX_LOCATIONS_PER_SUBJECT = MAX_PLACES

ProgressCallback = Callable[[int, int, str], None]
"""``progress(done, total, label)``: how far an import has got; it may raise to stop it."""


class _Digest(Protocol):
    def update(self, data: bytes, /) -> None: ...


def content_hash(path: Path, problems: list[Problem] | None = None) -> str:
    """SHA-256 of a file, or of a folder's files (relative names and contents).

    Inside a folder, a file that is not regular (a FIFO, a device) is never opened, and one that
    cannot be read, or whose name is not UTF-8, is hashed by its name alone: each is a problem
    added to ``problems`` (raised as :class:`InputError` without it), so the rest still reads.
    """
    digest = hashlib.sha256()
    found: list[Problem] = []
    if path.is_dir():
        for root, dirs, files in os.walk(path):
            dirs.sort()
            for name in list(dirs):
                if not is_utf8(name):
                    found.append(misnamed(Path(root, name)))
                    dirs.remove(name)
            for name in sorted(files):
                full = Path(root, name)
                if full.is_symlink():
                    continue
                digest.update(str(full.relative_to(path)).encode("utf-8", "surrogateescape"))
                digest.update(b"\0")
                why = bad_name(full) if not is_utf8(name) else None
                why = why or not_regular(full)
                if why is None:
                    try:
                        _hash_file(full, digest)
                    except FileNotFoundError:
                        raise
                    except OSError as exc:
                        why = Problem(Location(str(full)), f"cannot read: {reason(exc)}")
                if why is not None:
                    found.append(why)
                    digest.update(b"\0unread\0")
    else:
        _hash_file(path, digest)
    if found and problems is None:
        raise InputError(found[0].location, found[0].message)
    if problems is not None:
        problems.extend(found)
    return digest.hexdigest()


def _hash_file(path: Path, digest: _Digest) -> None:
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)


def read_input(
    item: Input, *, source: str, valid_at: str, debug: bool = False,
    options: Mapping[str, str] | None = None,
    progress: ProgressCallback | None = None,
) -> ImportUnit:  # fmt: skip
    """Read and validate one input's records into a unit; problems are collected, not raised."""
    started = utc_now()
    unit = ImportUnit(
        importer=item.importer.name,
        source=source,
        path=str(item.path),
        content_hash="",
        started_at=started,
        valid_at=valid_at,
        nodes={},
        edges={},
        edge_evidence={},
        node_locations={},
        edge_locations={},
        rank=getattr(item.importer, "rank", OBSERVED),  # a plug-in that does not subclass Importer observes
    )
    try:
        unit = replace(unit, content_hash=content_hash(item.path, unit.problems))
        reader = item.importer.read(item.path, options) if options else item.importer.read(item.path)
        for record in reader:
            kept = _renamed(record, unit)
            if kept is None:
                continue
            if isinstance(kept, NodeRecord):
                _add_node(unit, kept)
            elif isinstance(kept, EdgeRecord):
                _add_edge(unit, kept)
            elif isinstance(kept, Problem):
                unit.problems.append(kept)
            elif isinstance(kept, Notice):
                unit.notices.append(kept)
            elif isinstance(kept, Setting):
                why = check_setting(kept)
                if why:
                    unit.problems.append(Problem(kept.location, why))
                else:
                    unit.settings.append(kept)
            elif isinstance(kept, Progress):
                if progress:
                    progress(kept.done, kept.total, str(item.path))
            else:
                raise TypeError(f"importer yielded {type(kept).__name__}, not a record")
    except InputError as exc:
        unit.problems.append(exc.problem)
    except FileNotFoundError as exc:  # found by discover, gone before it was read
        gone = Location(str(exc.filename or item.path))
        unit.problems.append(Problem(gone, "vanished during the import (deleted or moved?)"))
    except OSError as exc:
        where = exc.filename if isinstance(exc.filename, str) and is_utf8(exc.filename) else str(item.path)
        unit.problems.append(Problem(Location(where), f"cannot read: {reason(exc)}"))
    except RecursionError:
        if debug:
            raise
        unit.problems.append(Problem(Location(str(item.path)), "nested too deeply to read"))
    except MemoryError:
        raise  # the CLI says "out of memory while importing" in one line; nothing is written
    except Exception as exc:
        if debug:
            raise
        unit.problems.append(
            Problem(
                Location(str(item.path)),
                f"the {item.importer.name} importer failed: {type(exc).__name__}: {exc} "
                "(run with --debug for the traceback)",
            )
        )
    if not (unit.nodes or unit.edges or unit.settings or unit.problems) and _is_blank(item.path):
        unit.problems.append(Problem(Location(str(item.path), line=1), "the file is empty"))
    _check_endpoints(unit)
    unit.problems[:] = list(dict.fromkeys(unit.problems))  # a file the hash and the reader both name
    return unit


def _renamed(record: Any, unit: ImportUnit) -> object | None:
    """``record``, kept clear of file names that are not UTF-8 text (the database holds only
    UTF-8): such a file is reported by its escaped name, and what only it said is left out
    (None). A problem or warning at such a file is kept, at its escaped name."""
    location: Location | None = getattr(record, "location", None)
    further = getattr(record, "places", ())
    if not further:  # the usual case: one place (or none), in a file named once for all
        if location is None or _utf8_file(location.file):
            return record  # type: ignore[no-any-return]
    elif (location is None or _utf8_file(location.file)) and all(_utf8_file(p.file) for p in further if p is not None):
        return record  # type: ignore[no-any-return]
    places = (location, *further)
    bad = [p for p in places if p is not None and not is_utf8(p.file)]
    if isinstance(record, Problem | Notice):
        assert location is not None
        return type(record)(replace(location, file=shown_name(location.file)), record.message)
    unit.problems.extend(misnamed(Path(place.file)) for place in bad)
    good = [p for p in places if p is not None and is_utf8(p.file)]
    if not good or not isinstance(record, NodeRecord | EdgeRecord):
        return None
    record.location, record.places = good[0], tuple(good[1:])
    return record


_UTF8_FILES: dict[str, bool] = {}  # file name -> is_utf8: a log names one file a million times
_UTF8_FILES_KEPT = 4096


def _utf8_file(name: str) -> bool:
    """:func:`is_utf8` of a file name, asked once per name (a bounded memo)."""
    known = _UTF8_FILES.get(name)
    if known is None:
        if len(_UTF8_FILES) >= _UTF8_FILES_KEPT:
            _UTF8_FILES.clear()
        known = _UTF8_FILES[name] = is_utf8(name)
    return known


def _is_blank(path: Path) -> bool:
    """Whether ``path`` is a file holding nothing but white space (gzip-compressed or not)."""
    try:
        if not path.is_file() or path.stat().st_size > BLANK_CHECK_BYTES:
            return False
        data = path.read_bytes()
        if data.startswith(b"\x1f\x8b"):
            data = gzip.decompress(data)
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile):
        return False
    return not data.strip()


def _where(record: NodeRecord | EdgeRecord, unit: ImportUnit) -> Location:
    return record.location or Location(unit.path)


def _add_places(locations: dict[Any, list[Location]], key: Hashable, record: NodeRecord | EdgeRecord) -> None:
    """The record's place and further places, each once, up to MAX_LOCATIONS_PER_SUBJECT in all
    (as :func:`_add_location` of each in turn: the first places given are kept)."""
    loc, places = record.location, record.places
    seen = locations.get(key)
    if seen is None:
        if not places:  # the usual case: one place, said for the first time
            if loc is not None:
                locations[key] = [loc]
            return
        fresh = list(dict.fromkeys(p for p in (loc, *places) if p is not None))  # hashed, not compared pairwise
        if fresh:
            locations[key] = fresh[:MAX_LOCATIONS_PER_SUBJECT]
        return
    if len(seen) >= MAX_LOCATIONS_PER_SUBJECT:
        return
    for place in (loc, *places):
        if place is not None and place not in seen:
            seen.append(place)
            if len(seen) >= MAX_LOCATIONS_PER_SUBJECT:
                return


def _add_node(unit: ImportUnit, node: NodeRecord) -> None:
    why = check_node(node)
    if why:
        unit.problems.append(Problem(_where(node, unit), why))
        return
    nid = node.id
    known = unit.nodes.get(nid)
    if known is None or known.reference:
        unit.nodes[nid] = node if known is None or not node.reference else known
    elif not node.reference:
        merge_nodes(known, node)
    _add_places(unit.node_locations, nid, node)


def _add_edge(unit: ImportUnit, edge: EdgeRecord) -> None:
    why = check_edge(edge)
    if why:
        unit.problems.append(Problem(_where(edge, unit), why))
        return
    key = edge.key
    known = unit.edges.get(key)
    if known is None:
        unit.edges[key] = edge
        unit.edge_evidence[key] = evidence_set(edge.evidence)
    else:
        if edge.weight is not None:
            known.weight = edge.weight
        if edge.attributes:
            known.attributes = {**known.attributes, **edge.attributes}
        seen = unit.edge_evidence[key]
        if edge.evidence not in seen:
            unit.edge_evidence[key] = evidence_set(*seen, edge.evidence)
    _add_places(unit.edge_locations, key, edge)


def _check_endpoints(unit: ImportUnit) -> None:
    """Every edge must name nodes of its own input, so a source stands on its own."""
    for key, edge in list(unit.edges.items()):
        missing = [end for end in (edge.source, edge.target) if end not in unit.nodes]
        if missing:
            unit.problems.append(Problem(_where(edge, unit), f"edge names unknown node {missing[0]!r}"))
            del unit.edges[key]
            unit.edge_evidence.pop(key, None)
            unit.edge_locations.pop(key, None)
