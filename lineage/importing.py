"""Import files and folders: find each input's importer, validate its records, write atomically.

One call of :func:`import_paths` is one transaction. Each input it finds (a file, or a folder
an importer reads whole) becomes one *source* and one row in ``imports``: a generation that
supersedes the previous import of the same source. By default any problem anywhere rolls the
whole call back; with ``lenient`` the valid records are written and the problems reported.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import stat
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePath

from lineage import reclassify
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
    merge_nodes,
)
from lineage.registry import Importer, UnknownFormat, detect, importer_named
from lineage.store import ImportUnit, Store, UnitOutcome

BLANK_CHECK_BYTES = 1 << 16  # larger files are not blank in practice; never read them twice
MAX_LOCATIONS_PER_SUBJECT = MAX_PLACES


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_when(text: str) -> str:
    """Normalise a date or time given by a user to the store's UTC form.

    >>> parse_when("2025-03-01")
    '2025-03-01T00:00:00.000000Z'
    >>> parse_when("2025-03-01T12:30:00+02:00")
    '2025-03-01T10:30:00.000000Z'
    """
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"not a date or time: {text!r} (use YYYY-MM-DD or ISO 8601)") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def just_before(when: str) -> str:
    """The moment one microsecond before ``when`` (a store time): the state before a generation.

    >>> just_before("2025-03-01T00:00:00.000000Z")
    '2025-02-28T23:59:59.999999Z'
    """
    moment = datetime.strptime(when, "%Y-%m-%dT%H:%M:%S.%fZ") - timedelta(microseconds=1)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class Input:
    """One thing to import: a path, the importer that reads it, and options just for it."""

    path: Path
    importer: Importer
    options: dict[str, str] = field(default_factory=dict)


@dataclass
class UnitReport:
    path: str
    importer: str
    node_count: int
    edge_count: int
    problems: list[Problem]
    outcome: UnitOutcome | None = None
    notices: list[Notice] = field(default_factory=list)


@dataclass
class ImportReport:
    units: list[UnitReport] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    committed: bool = False
    notices: list[Notice] = field(default_factory=list)  # warnings: reported, never a failure
    # Earlier imports whose classification this import changed, rewritten without reading them.
    reclassified: list[UnitReport] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def discover(
    paths: Sequence[Path], fmt: str | None = None, *, unread: list[Path] | None = None
) -> tuple[list[Input], list[Problem], list[str]]:
    """The inputs under ``paths``: (inputs, problems, skipped files).

    A file given by name must be readable by some importer (or by ``fmt``), else it is a
    problem (or, with ``unread``, listed there); files found in a folder that no importer
    reads are skipped. Hidden entries and symbolic links inside
    folders are skipped too, so a walk never leaves the folder the user gave.
    """
    forced = importer_named(fmt) if fmt else None
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
            problems.append(Problem(Location(str(folder)), f"cannot list folder: {_reason(exc)}"))
            return
        for entry in entries:
            if not _is_utf8(entry.name):  # the folder's own name was checked before
                problems.append(bad_name(entry))
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
            imp = forced or detect(path)
            if imp is None and (locked := unreadable(path)) is not None:
                problems.append(locked)
            elif imp is None and unread is not None:
                unread.append(path)
            elif imp is None:
                problems.append(
                    Problem(
                        Location(str(path)),
                        "no importer recognises this file; name one with --format "
                        "(lineage formats lists them)",
                    )
                )
            else:
                inputs.append(Input(path, imp))
    return inputs, problems, skipped


def shown_name(name: str | os.PathLike) -> str:
    """A file name as text any UTF-8 output can hold: bytes that are not UTF-8 as ``\\xff``.

    >>> shown_name(os.fsdecode(b"bad\\xff.jsonl"))
    'bad\\\\xff.jsonl'
    """
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def bad_name(path: Path) -> Problem | None:
    """A problem if the name of ``path`` (or of the folder it resolves to) is not UTF-8 text:
    a database holds only UTF-8, so such a file is reported by its escaped name and left out."""
    text = str(path)
    if _is_utf8(text):
        try:
            text = str(path.resolve())  # the source key is the resolved path
        except (OSError, RuntimeError):
            return None
        if _is_utf8(text):
            return None
    return Problem(Location(shown_name(text)), "the file name is not UTF-8 text; left out (rename it to read it)")


KINDS = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
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
        return Problem(Location(str(path)), f"cannot read: {_reason(exc)}")
    os.close(fd)
    return None


def _reason(exc: OSError) -> str:
    """``permission denied``: the system's words for an error, as the rest of a message."""
    text = exc.strerror or str(exc)
    return text[:1].lower() + text[1:]


def _sniffs(imp: Importer, path: Path) -> bool:
    try:
        return bool(imp.sniff(path))
    except OSError:
        return False


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
                if not _is_utf8(name):
                    found.append(bad_name(Path(root, name)))
                    dirs.remove(name)
            for name in sorted(files):
                full = Path(root, name)
                if full.is_symlink():
                    continue
                digest.update(str(full.relative_to(path)).encode("utf-8", "surrogateescape"))
                digest.update(b"\0")
                why = bad_name(full) if not _is_utf8(name) else None
                why = why or not_regular(full)
                if why is None:
                    try:
                        _hash_file(full, digest)
                    except FileNotFoundError:
                        raise
                    except OSError as exc:
                        why = Problem(Location(str(full)), f"cannot read: {_reason(exc)}")
                if why is not None:
                    found.append(why)
                    digest.update(b"\0unread\0")
    else:
        _hash_file(path, digest)
    if found and problems is None:
        raise InputError(found[0])
    if problems is not None:
        problems.extend(found)
    return digest.hexdigest()


def _hash_file(path: Path, digest) -> None:
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)


def read_input(
    item: Input, *, source: str, valid_at: str, debug: bool = False,
    options: Mapping[str, str] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
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
        rank=getattr(item.importer, "rank", ImportUnit.rank),  # one that does not say: observed
    )
    try:
        unit.content_hash = content_hash(item.path, unit.problems)
        reader = item.importer.read(item.path, options) if options else item.importer.read(item.path)
        for record in reader:
            record = _renamed(record, unit)
            if record is None:
                continue
            if isinstance(record, NodeRecord):
                _add_node(unit, record)
            elif isinstance(record, EdgeRecord):
                _add_edge(unit, record)
            elif isinstance(record, Problem):
                unit.problems.append(record)
            elif isinstance(record, Notice):
                unit.notices.append(record)
            elif isinstance(record, Setting):
                why = check_setting(record)
                if why:
                    unit.problems.append(Problem(record.location, why))
                else:
                    unit.settings.append(record)
            elif isinstance(record, Progress):
                if progress:
                    progress(record.done, record.total, str(item.path))
            else:
                raise TypeError(f"importer yielded {type(record).__name__}, not a record")
    except InputError as exc:
        unit.problems.append(exc.problem)
    except FileNotFoundError as exc:  # found by discover, gone before it was read
        gone = Location(str(exc.filename or item.path))
        unit.problems.append(Problem(gone, "vanished during the import (deleted or moved?)"))
    except OSError as exc:
        where = exc.filename if isinstance(exc.filename, str) and _is_utf8(exc.filename) else str(item.path)
        unit.problems.append(Problem(Location(where), f"cannot read: {_reason(exc)}"))
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


def _renamed(record, unit: ImportUnit):
    """``record``, kept clear of file names that are not UTF-8 text (the database holds only
    UTF-8): such a file is reported by its escaped name, and what only it said is left out
    (None). A problem or warning at such a file is kept, at its escaped name."""
    location = getattr(record, "location", None)
    places = [location, *getattr(record, "places", ())]
    bad = [p for p in places if p is not None and not _is_utf8(p.file)]
    if not bad:
        return record
    if isinstance(record, Problem | Notice):
        return type(record)(replace(location, file=shown_name(location.file)), record.message)
    unit.problems += [bad_name(Path(place.file)) for place in bad]
    good = [p for p in places if p is not None and _is_utf8(p.file)]
    if not good or not isinstance(record, NodeRecord | EdgeRecord):
        return None
    record.location, record.places = good[0], tuple(good[1:])
    return record


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


def _add_location(locations: dict, key, loc: Location | None) -> None:
    if loc is None:
        return
    seen = locations.setdefault(key, [])
    if len(seen) < MAX_LOCATIONS_PER_SUBJECT and loc not in seen:
        seen.append(loc)


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
    _add_location(unit.node_locations, nid, node.location)
    for place in node.places:
        _add_location(unit.node_locations, nid, place)


def _add_edge(unit: ImportUnit, edge: EdgeRecord) -> None:
    why = check_edge(edge)
    if why:
        unit.problems.append(Problem(_where(edge, unit), why))
        return
    key = edge.key
    known = unit.edges.get(key)
    if known is None:
        unit.edges[key] = edge
    else:
        if edge.weight is not None:
            known.weight = edge.weight
        if edge.attributes:
            known.attributes = {**known.attributes, **edge.attributes}
    unit.edge_evidence.setdefault(key, set()).add(edge.evidence)
    _add_location(unit.edge_locations, key, edge.location)
    for place in edge.places:
        _add_location(unit.edge_locations, key, place)


def _check_endpoints(unit: ImportUnit) -> None:
    """Every edge must name nodes of its own input, so a source stands on its own."""
    for key, edge in list(unit.edges.items()):
        missing = [end for end in (edge.source, edge.target) if end not in unit.nodes]
        if missing:
            unit.problems.append(
                Problem(_where(edge, unit), f"edge names unknown node {missing[0]!r}")
            )
            del unit.edges[key]
            unit.edge_evidence.pop(key, None)
            unit.edge_locations.pop(key, None)


@dataclass
class Prepared:
    """Inputs read and validated, not yet written: see :func:`prepare` and :func:`commit`."""

    report: ImportReport
    units: list[ImportUnit]


def prepare(
    paths: Sequence[str | Path],
    *,
    fmt: str | None = None,
    source: str | None = None,
    valid_at: str | None = None,
    debug: bool = False,
    options: Mapping[str, str] | None = None,
    config_rules: Sequence[dict] = (),
    progress: Callable[[int, int, str], None] | None = None,
) -> Prepared:
    """Find, read and validate ``paths`` without touching any database.

    ``options`` go to the importers that declare them (see each importer's ``options``).
    ``config_rules`` are the ``configs:`` rules of manifests already stored.
    """
    report = ImportReport()
    unread: list[Path] = []
    try:
        inputs, problems, skipped = discover([Path(p) for p in paths], fmt, unread=unread)
    except UnknownFormat as exc:
        report.problems.append(Problem(Location("--format"), str(exc)))
        return Prepared(report, [])
    report.problems.extend(problems)
    options = dict(options or {})
    accepted = {key for item in inputs for key in getattr(item.importer, "options", {})}
    for key in sorted(set(options) - accepted):
        known = ", ".join(sorted(accepted)) or "none"
        report.problems.append(
            Problem(Location("--option"), f"no importer here takes option {key!r} (they take: {known})")
        )
    if source is not None and len(inputs) > 1:
        report.problems.append(
            Problem(Location("--source"), "--source names one input, but there are several")
        )
        return Prepared(report, [])
    when = valid_at or utc_now()
    units: list[ImportUnit] = []
    # Files no importer recognises may be teams' configs that a manifest's rule describes
    # (a manifest stored before, or one read in this very import: those are read first).
    rule_inputs = []
    pre_read: dict[int, ImportUnit] = {}
    if fmt is None:
        first = [i for i in inputs if i.importer.name == "manifest"]
        inputs = first + [i for i in inputs if i.importer.name != "manifest"]
        manifest_rules = []
        for item in first:
            unit = read_input(item, source=source or str(item.path.resolve()), valid_at=when,
                              debug=debug)  # fmt: skip
            pre_read[id(item)] = unit
            manifest_rules += [_with_where(s) for s in unit.settings if s.section == "configs"]
        rules = [*config_rules, *manifest_rules]
        candidates = [Path(s) for s in skipped] + unread
        matched = {p: _config_input(p, rules) for p in candidates}
        rule_inputs = [i for i in matched.values() if i is not None]
        skipped = [s for s in skipped if matched.get(Path(s)) is None]
        unread = [p for p in unread if matched.get(p) is None]
    report.skipped = skipped
    for path in unread:
        report.problems.append(Problem(
            Location(str(path)),
            "no importer recognises this file; name one with --format (lineage formats lists them)",
        ))  # fmt: skip
    # The same inputs in any order give the same graph: where sources disagree the later
    # import wins, so "later" must not depend on the order the paths were given in.
    inputs = sorted(inputs + rule_inputs, key=_import_order)
    for index, item in enumerate(inputs):
        if progress:
            progress(index, len(inputs), str(item.path))
        key = source or str(item.path.resolve())
        own = {k: v for k, v in options.items() if k in getattr(item.importer, "options", {})}
        own.update(item.options)
        unit = pre_read.get(id(item)) or read_input(
            item, source=key, valid_at=when, debug=debug, options=own, progress=progress
        )
        units.append(unit)
        report.problems.extend(unit.problems)
        report.notices.extend(unit.notices)
        report.units.append(
            UnitReport(str(item.path), unit.importer, len(unit.nodes), len(unit.edges),
                       unit.problems, notices=unit.notices)  # fmt: skip
        )
    return Prepared(report, units)


def _import_order(item: Input) -> tuple[int, str]:
    """Registries and manifests before logs (importer priority), then by path."""
    return getattr(item.importer, "priority", 100), str(item.path)


def _with_where(setting: Setting) -> dict:
    return {**setting.value, "_where": f"the configs: rule at {setting.location}"}


def _config_input(path: Path, rules: Sequence[dict]) -> Input | None:
    """The config importer with the first rule whose paths glob matches ``path``, if any."""
    if path.suffix.lower() not in (".yaml", ".yml", ".json", ".toml") or path.is_symlink():
        return None
    for rule in rules:
        if PurePath(path).match(rule["paths"]):
            return Input(path, importer_named("config"), {"rule": json.dumps(rule)})
    return None


def worth_writing(prepared: Prepared, *, lenient: bool = False) -> bool:
    """Whether :func:`commit` would write anything (atomic: only a spotless import)."""
    if prepared.report.problems and not lenient:
        return False
    return any(not _unreadable(u) for u in prepared.units)


def _unreadable(unit: ImportUnit) -> bool:
    """Nothing in it could be read: the source keeps its previous generation."""
    return bool(unit.problems) and not unit.nodes


def commit(
    store: Store, prepared: Prepared, *, lenient: bool = False, force: bool = False
) -> ImportReport:
    """Write prepared units in one transaction (nothing at all if any problem, unless lenient).

    ``force`` writes a new generation even of a source whose content has not changed. Earlier
    imports whose classification this commit changes are classified again in the same
    transaction (``lineage.reclassify.settle``).
    """
    report = prepared.report
    if not worth_writing(prepared, lenient=lenient):
        return report
    writable = [u for u in prepared.units if not _unreadable(u)]
    with store.write():
        rules_before = reclassify.rule_list(store)
        # Only what will be written is kept as read: an unchanged input's copy is stored already.
        reclassify.keep_as_read([u for u in writable if force or not store.is_current(u)])
        renames = reclassify.classify_units(store, writable, exclude_sources={u.source for u in writable})
        reclassify.seal(writable, renames)
        finished = utc_now()
        written, replaced, current = [], [], []
        for unit, unit_report in zip(prepared.units, report.units, strict=True):
            if _unreadable(unit):
                continue
            unit_report.node_count, unit_report.edge_count = len(unit.nodes), len(unit.edges)
            outcome = unit_report.outcome = store.write_unit(unit, finished, force=force)
            if not outcome.unchanged:
                written.append(outcome.import_id)
                replaced += [outcome.replaced] if outcome.replaced else []
                current += [outcome.import_id] if outcome.current else []
        rules_changed = reclassify.rule_list(store) != rules_before
        report.reclassified = [
            UnitReport(unit.path, unit.importer, len(unit.nodes), len(unit.edges), [], outcome)
            # The batch was the context it was classified in; an old snapshot in it is not current.
            for unit, outcome in reclassify.settle(store, written, replaced, rules_changed,
                                                   recheck=current if current != written else ())  # fmt: skip
        ]
    report.committed = True
    return report


def import_paths(
    store: Store,
    paths: Sequence[str | Path],
    *,
    fmt: str | None = None,
    lenient: bool = False,
    source: str | None = None,
    valid_at: str | None = None,
    debug: bool = False,
    options: Mapping[str, str] | None = None,
    force: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
) -> ImportReport:
    """Import ``paths`` into ``store`` in one transaction and say what happened.

    ``source`` names the source when a single input is imported (so a changed copy of a
    file can stand in for the original); ``valid_at`` dates the snapshot (default: now).
    """
    prepared = prepare(paths, fmt=fmt, source=source, valid_at=valid_at, debug=debug,
                       options=options, config_rules=stored_config_rules(store),
                       progress=progress)  # fmt: skip
    return commit(store, prepared, lenient=lenient, force=force)


def stored_config_rules(store: Store) -> list[dict]:
    """The ``configs:`` rules of the manifests stored, as :func:`prepare` takes them."""
    return [
        {**{k: v for k, v in r.items() if not k.startswith("_")},
         "_where": f"the configs: rule at {r['_file']}:{r['_line']}"}
        for r in store.settings("configs")
    ]  # fmt: skip
