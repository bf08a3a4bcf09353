"""Commands that read inputs: ``import`` (into the database), ``formats`` (the importers there
are) and ``check`` (a change imported into a private copy, as a CI gate)."""

from __future__ import annotations

from pathlib import Path

import click

from lineage.check import FAIL_ON, check_change
from lineage.cli._shared import MAX_PROBLEMS_SHOWN, emit, key_values, known_format, open_store, progress_bar
from lineage.cli.app import Failure, cli, friendly
from lineage.ingest import ImportReport, ImportSession
from lineage.ingest.registry import describe, importers
from lineage.refs import resolve
from lineage.render import reports as report
from lineage.render import text as present
from lineage.render.escape import printable
from lineage.store import Store
from lineage.when import parse_when
from lineage.words import counted


@cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", metavar="NAME", help="Read with this importer (lineage formats).")
@click.option("--lenient", is_flag=True, help="Import the valid records, report the bad ones.")
@click.option("--source", metavar="KEY", help="Name the source (one input): a new generation of it.")
@click.option("--at", "at", metavar="WHEN", help="When the input was true (default: now).")
@click.option("--option", "-o", "options", multiple=True, metavar="KEY=VALUE",
              help="An option for the importers that take it (repeatable; lineage formats).")  # fmt: skip
@click.option("--force", is_flag=True, help="Import unchanged inputs again, as a new generation.")
@friendly
def import_command(paths: tuple[Path, ...], fmt: str | None, lenient: bool, source: str | None, at: str | None,
                   options: tuple[str, ...], force: bool) -> None:  # fmt: skip
    """Import lineage from files and folders (searched recursively).

    The format of each file is detected unless --format names it. The whole import is one
    transaction: on any error nothing is written, unless --lenient is given. Importing an
    unchanged file again adds nothing.
    """
    known_format(fmt)
    valid_at = parse_when(at) if at else None
    obj = click.get_current_context().obj
    pairs = key_values(options)
    # A database is created only when there is something to write into it.
    existing = open_store() if Path(obj["db"]).exists() else None
    target = obj["db"] if existing is None else existing
    session = ImportSession(target, paths, fmt=fmt, source=source, valid_at=valid_at, options=pairs,
                            lenient=lenient, force=force, debug=obj["debug"])  # fmt: skip
    with progress_bar() as progress:
        session.plan(progress)
    result = session.commit()
    store = open_store() if existing is None and result.committed else existing
    print_import_report(result, store, lenient)


def print_import_report(report: ImportReport, store: Store | None, lenient: bool) -> None:
    """The summary on stdout, warnings and problems on stderr; problems end in a Failure."""
    if report.committed and store is not None:
        rows = []
        for unit in report.units:
            if unit.outcome is None:
                what = "not imported (unreadable)"
            elif unit.outcome.unchanged:
                what = "unchanged (imported before)"
            else:
                what = f"{counted(unit.node_count, 'node')}, {counted(unit.edge_count, 'edge')}"
            rows.append((unit.importer, unit.path, what))
        if rows:
            emit(present.table(rows, ("FORMAT", "PATH", "READ")))
        for unit in report.reclassified[:MAX_PROBLEMS_SHOWN]:
            emit(f"classified again (new rules or declarations): {printable(unit.path)}")
        if len(report.reclassified) > MAX_PROBLEMS_SHOWN:
            emit(f"... and {len(report.reclassified) - MAX_PROBLEMS_SHOWN} more imports classified again")
        totals = report.changes()
        changes = [
            _count(totals["nodes_added"], "node", "added"),
            _count(totals["edges_added"], "edge", "added"),
            _count(totals["nodes_removed"], "node", "removed"),
            _count(totals["edges_removed"], "edge", "removed"),
        ]
        changed = ", ".join(c for c in changes if c) or "no change to the graph"
        emit(f"imported {report.imported} of {len(report.units)} sources: {changed}")
        counts = store.counts()
        emit(f"graph: {counts['nodes']} nodes, {counts['edges']} edges")
    if report.skipped:
        count = len(report.skipped)
        shown = ", ".join(printable(str(p)) for p in report.skipped[:5]) + (", ..." if count > 5 else "")
        click.echo(f"skipped {count} file{'s' if count != 1 else ''} no importer recognises: {shown}"
                   " (to read one anyway: --format NAME; see lineage formats)", err=True)  # fmt: skip
    for notice in report.notices[:MAX_PROBLEMS_SHOWN]:
        click.echo(printable(str(notice)), err=True)
    if len(report.notices) > MAX_PROBLEMS_SHOWN:
        click.echo(f"... and {len(report.notices) - MAX_PROBLEMS_SHOWN} more warnings", err=True)
    if report.problems:
        for problem in report.problems[:MAX_PROBLEMS_SHOWN]:
            click.echo(printable(str(problem)), err=True)
        extra = len(report.problems) - MAX_PROBLEMS_SHOWN
        if extra > 0:
            click.echo(f"... and {extra} more", err=True)
        n = len(report.problems)
        noun = "problem" if n == 1 else "problems"
        if report.committed:
            raise Failure(f"{n} {noun}; the valid records were imported")
        hint = "" if lenient else "; fix them, or import the valid records with --lenient"
        raise Failure(f"{n} {noun}; nothing was imported{hint}")
    if not report.units:
        raise Failure("nothing to import: no file here is in a format lineage reads")


def _count(n: int, noun: str, verb: str) -> str:
    return f"{counted(n, noun)} {verb}" if n else ""


@cli.command("formats")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def formats_command(as_json: bool) -> None:
    """List the importers and what they read."""
    found = importers()
    if as_json:
        emit(present.to_json([describe(i) for i in found]))
        return
    emit(present.table([(i.name, i.description, i.reads) for i in found],
                       ("NAME", "DESCRIPTION", "READS")))  # fmt: skip
    for imp in found:
        for key, meaning in imp.options.items():
            emit(f"  {imp.name} option {key}: {meaning}")


@cli.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--remove", "removals", multiple=True, metavar="REF",
              help="Also take this node away (repeatable).")  # fmt: skip
@click.option("--edge", "edges", nargs=2, multiple=True, metavar="FROM TO",
              help="Also take the edge FROM -> TO away (repeatable).")  # fmt: skip
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="broken", show_default=True,
              help="Exit 1 when the change breaks (or degrades, or touches at all) a user.")  # fmt: skip
@click.option("--format", "fmt", metavar="NAME", help="Read PATHS with this importer.")
@click.option("--source", metavar="KEY", help="PATH stands for this source (one file).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of Markdown.")
@friendly
def check_command(paths: tuple[Path, ...], removals: tuple[str, ...], edges: tuple[tuple[str, str], ...],
                  fail_on: str, fmt: str | None, source: str | None, as_json: bool) -> None:  # fmt: skip
    """CI gate: does a change (changed manifests or configs, or removals) break a consumer?

    PATHS are the changed files, imported as new generations of their sources into a private
    copy of the database (the database itself is not written). Prints Markdown for a pull
    request comment and exits 1 when the check fails.
    """
    if not paths and not removals and not edges:
        raise Failure("give the changed files, or --remove REF, or --edge FROM TO", code=2)
    known_format(fmt)
    store = open_store()
    nodes = [resolve(store, r) for r in removals]
    cut = [(resolve(store, a), resolve(store, b)) for a, b in edges]
    result = check_change(store, paths, fmt=fmt, source=source, remove=nodes, remove_edges=cut)
    emit(present.to_json(report.check_json(result, fail_on)) if as_json
         else report.check_markdown(result, fail_on))  # fmt: skip
    if result.fails(fail_on):
        click.get_current_context().exit(1)
