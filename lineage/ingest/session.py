"""The one way to import: an :class:`ImportSession` finds, reads and writes what the user gave.

The command line, the explorer, ``lineage check`` and the demo all import through it. Each input
it finds (a file, or a folder an importer reads whole) becomes one *source* and one row in
``imports``: a generation that supersedes the previous import of the same source. One commit is
one transaction: by default any problem anywhere writes nothing at all; with ``lenient`` the valid
records are written and the problems reported.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from lineage.ingest import discover as discovery
from lineage.ingest.discover import NO_IMPORTER, Input
from lineage.ingest.held import HeldUnit, hold
from lineage.ingest.read import ProgressCallback, read_input
from lineage.ingest.registry import UnknownFormat
from lineage.ingest.report import ImportReport, UnitReport
from lineage.ingest.settle import (
    ConfigRule,
    Plan,
    config_input,
    import_order,
    option_problems,
    own_options,
    read_config_rules,
    read_first,
    stored_config_rules,
    write,
)
from lineage.records import Location, Problem
from lineage.store import Store
from lineage.when import utc_now


class Cancelled(BaseException):
    """An import stopped before it wrote anything (raised by a progress callback, or by the
    session when ``cancel`` says so).

    A BaseException, not an Exception: reading turns an importer's exceptions into problems, and a
    cancel raised from a progress callback inside an importer must go through that.
    """


@dataclass
class Found:
    """What the paths hold, nothing read yet: the inputs in import order, problems, skipped files."""

    inputs: list[Input]
    problems: list[Problem]
    skipped: list[str]


class ImportSession:
    """One import of ``paths`` into ``store``: :meth:`plan` reads, :meth:`commit` writes.

    ``store`` is a :class:`~lineage.store.Store`, or the path of a database, opened only to read the
    manifests' ``configs:`` rules stored there and created only when there is something to write
    (None: plan only). ``fmt`` names the importer of every input, ``formats`` the importer of
    some files given by name (the explorer's answer for a file no importer recognises); ``source`` names the source when
    a single input is imported (so a changed copy of a file can stand in for the original);
    ``valid_at`` dates the snapshot (default: now); ``options`` go to the importers that declare
    them; ``lenient`` writes the valid records despite problems; ``force`` writes a new generation
    even of a source whose content has not changed; ``debug`` lets an importer's exception through.
    """

    def __init__(
        self,
        store: Store | str | os.PathLike[str] | None,
        paths: Sequence[str | os.PathLike[str]],
        *,
        fmt: str | None = None,
        source: str | None = None,
        valid_at: str | None = None,
        options: Mapping[str, str] | None = None,
        lenient: bool = False,
        force: bool = False,
        debug: bool = False,
        formats: Mapping[str | os.PathLike[str], str] | None = None,
    ) -> None:
        self.store = store
        self.paths = [Path(p) for p in paths]
        self.formats = {Path(p): name for p, name in (formats or {}).items()}
        self.fmt, self.source, self.valid_at = fmt, source, valid_at
        self.options = dict(options or {})
        self.lenient, self.force, self.debug = lenient, force, debug
        self._plan: Plan | None = None
        self._committed: ImportReport | None = None

    def found(self) -> Found:
        """The inputs under the paths, in the order an import reads them; nothing is read."""
        inputs, problems, skipped = discovery.discover(self.paths, self.fmt, formats=self.formats)
        return Found(sorted(inputs, key=import_order), problems, skipped)

    def plan(self, progress: ProgressCallback | None = None) -> Plan:
        """Find, read and validate the inputs (once); nothing is written.

        ``progress(done, total, label)`` is called as inputs are read; it may raise
        :class:`Cancelled` to stop.
        """
        if self._plan is None:
            self._plan = prepare(self, progress=progress)
        return self._plan

    def commit(
        self, progress: ProgressCallback | None = None, cancel: Callable[[], bool] | None = None
    ) -> ImportReport:
        """Plan (unless planned), then write in one transaction; what happened.

        ``cancel`` is asked once everything is read, just before anything is written: True stops
        the import (raising :class:`Cancelled`), and from then on it is not interrupted.
        """
        if self._committed is not None:
            return self._committed
        plan = self.plan(progress)
        if cancel is not None and cancel():
            raise Cancelled
        if not plan.writes(self.lenient):
            report = plan.report  # nothing to write: no database is created
        elif isinstance(self.store, Store):
            report = commit(self.store, plan, lenient=self.lenient, force=self.force)
        elif self.store is None:
            raise ValueError("an import session without a store only plans")
        else:
            with Store.open(self.store, create=True) as store:
                report = commit(store, plan, lenient=self.lenient, force=self.force)
        self._committed = report
        return report

    def stored_rules(self) -> list[ConfigRule]:
        """The ``configs:`` rules of the manifests stored already."""
        if isinstance(self.store, Store):
            return stored_config_rules(self.store)
        if self.store is not None and _has_database(Path(self.store)):
            with Store.open(self.store) as store:
                return stored_config_rules(store)
        return []


# The two steps of a session, module functions so that a test can stand in for either.


def prepare(session: ImportSession, *, progress: ProgressCallback | None = None) -> Plan:
    """Find, read and validate what ``session`` imports, without writing anything."""
    config_rules = session.stored_rules()
    report = ImportReport()
    unread: list[Path] = []
    try:
        inputs, problems, skipped = discovery.discover(
            session.paths, session.fmt, unread=unread, formats=session.formats
        )
    except UnknownFormat as exc:
        report.problems.append(Problem(Location("--format"), str(exc)))
        return Plan(report, [])
    report.problems.extend(problems)
    report.problems.extend(option_problems(session.options, inputs))
    source = session.source
    if source is not None and len(inputs) > 1:
        report.problems.append(Problem(Location("--source"), "--source names one input, but there are several"))
        return Plan(report, [])
    when = session.valid_at or utc_now()
    # Files no importer recognises may be teams' configs that a manifest's rule describes
    # (a manifest stored before, or one read in this very import: those are read first).
    rule_inputs: list[Input] = []
    pre_read: dict[int, HeldUnit | None] = {}
    if session.fmt is None:
        manifest_rules: list[ConfigRule] = []
        for item in read_first(inputs):
            key = source or str(item.path.resolve())
            held = pre_read[id(item)] = hold(read_input(item, source=key, valid_at=when, debug=session.debug))
            manifest_rules += read_config_rules(held.shell)
        rules = [*config_rules, *manifest_rules]
        candidates = [Path(s) for s in skipped] + unread
        matched = {p: config_input(p, rules) for p in candidates}
        rule_inputs = [i for i in matched.values() if i is not None]
        skipped = [s for s in skipped if matched.get(Path(s)) is None]
        unread = [p for p in unread if matched.get(p) is None]
    report.skipped = skipped
    report.problems += [Problem(Location(str(path)), NO_IMPORTER) for path in unread]
    # The same inputs in any order give the same graph: where sources disagree the later
    # import wins, so "later" must not depend on the order the paths were given in.
    ordered = sorted(inputs + rule_inputs, key=import_order)
    units: list[HeldUnit] = []
    for index, item in enumerate(ordered):
        if progress:
            progress(index, len(ordered), str(item.path))
        key = source or str(item.path.resolve())
        # Held as soon as it is read: its records as objects go before the next input is read.
        held = pre_read.pop(id(item), None) or hold(
            read_input(
                item, source=key, valid_at=when, debug=session.debug,
                options=own_options(session.options, item), progress=progress,
            )
        )  # fmt: skip
        units.append(held)
        shell = held.shell
        report.problems.extend(shell.problems)
        report.notices.extend(shell.notices)
        report.units.append(
            UnitReport(
                str(item.path), shell.importer, held.node_count, held.edge_count, shell.problems, notices=shell.notices
            )  # fmt: skip
        )
    return Plan(report, units)


def _has_database(path: Path) -> bool:
    """Whether there is something at ``path`` to open (an empty file is no database yet)."""
    return path.exists() and not (path.is_file() and path.stat().st_size == 0)


def commit(store: Store, plan: Plan, *, lenient: bool = False, force: bool = False) -> ImportReport:
    """Write ``plan`` into ``store`` in one transaction (:func:`lineage.ingest.settle.write`)."""
    return write(store, plan, lenient=lenient, force=force)


def import_paths(
    store: Store,
    paths: Sequence[str | os.PathLike[str]],
    *,
    fmt: str | None = None,
    lenient: bool = False,
    source: str | None = None,
    valid_at: str | None = None,
    debug: bool = False,
    options: Mapping[str, str] | None = None,
    force: bool = False,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import ``paths`` into ``store`` in one transaction and say what happened (one session)."""
    session = ImportSession(store, paths, fmt=fmt, source=source, valid_at=valid_at, options=options,
                            lenient=lenient, force=force, debug=debug)  # fmt: skip
    return session.commit(progress)
