"""The ``lineage`` command line: a thin layer over the Python API (see docs/cli.md)."""

from __future__ import annotations

import contextlib
import functools
import math
import os
import sys
import time
from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path

import click
import networkx as nx

from lineage import __version__
from lineage.analyses import FINDING_KINDS, diff, find_all, impact, simulate, trace
from lineage.analyses.signals import EPSILON
from lineage.atomic import atomic_folder, atomic_path, write_atomic
from lineage.check import FAIL_ON, check_change
from lineage.graph import load_flag_history, load_graph
from lineage.ingest import ImportReport, ImportSession
from lineage.ingest.registry import importers
from lineage.records import NODE_KINDS
from lineage.refs import RefError, resolve
from lineage.render import reports as report
from lineage.render import text as present
from lineage.render.reports import diff_json
from lineage.store import DatabaseError, Store, StoreError, explain
from lineage.views.focus import default_focus
from lineage.when import just_before, parse_when

MAX_PROBLEMS_SHOWN = 20
COMMANDS_GROUP = "lineage.commands"  # plug-in commands (the explorer registers `gui` here)


class Failure(click.ClickException):
    """An error the user can act on: printed as ``Error: message``, exit status ``code``."""

    def __init__(self, message: str, code: int = 1):
        # The message names what the user and the data named: never a raw control to the terminal.
        super().__init__(present.printable_lines(message))
        self.exit_code = code


class NoDisplay(Failure):
    """No screen to open a window on (the demo prints its result as text instead); a screen
    the explorer cannot use (missing system libraries) is a plain :class:`Failure`."""


def friendly(func: Callable) -> Callable:
    """Turn expected errors into messages; ``--debug`` lets the traceback through."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        ctx = click.get_current_context()
        try:
            return _unless_out_of_memory(func, args, kwargs, ctx)
        except (StoreError, ValueError, nx.NetworkXException) as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            raise Failure(str(exc)) from None
        except DatabaseError as exc:  # damage SQLite finds only when it reads the page
            if ctx.obj and ctx.obj.get("debug"):
                raise
            raise Failure(explain(ctx.obj["db"], exc)) from None
        except RefError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            lines = [str(exc)]
            if exc.candidates:
                lines.append("closest: " + ", ".join(exc.candidates))
            # Unknown: a usage error (2). Ambiguous: the data names several things so (1).
            raise Failure("\n".join(lines), code=1 if exc.matches else 2) from None

    return wrapper


DOING = {"import": "importing", "check": "checking the change", "findings": "looking for findings",
         "impact": "working out the impact", "export": "exporting", "report": "writing the report",
         "trace": "tracing", "simulate": "simulating", "diff": "comparing", "nodes": "listing nodes",
         "show": "reading the node", "hash": "hashing the graph"}  # fmt: skip


def out_of_memory(ctx: click.Context) -> str:
    """The one line for a MemoryError: nothing is written when memory runs out (an import is
    one transaction; every output file is written whole or not at all)."""
    doing = DOING.get(ctx.info_name or "", f"running {ctx.info_name}")
    return f"out of memory while {doing}; nothing was written (free some memory, or ask for less)"


def finite(ctx: click.Context, param: click.Parameter, value: float) -> float:
    if value is not None and not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a number between 0 and 1")
    return value


def known_format(fmt: str | None) -> None:
    """An unknown --format is bad usage (exit 2), like any other bad option value."""
    from lineage.ingest.registry import UnknownFormat, importer_named

    if fmt is not None:
        try:
            importer_named(fmt)
        except UnknownFormat as exc:
            raise Failure(str(exc), code=2) from None


def _unless_out_of_memory(func: Callable, args, kwargs, ctx: click.Context):
    """Run the command; a MemoryError becomes one line. The message is made only after the
    frames that held the memory are gone (inside the ``except`` they are still alive)."""
    failed = False
    try:
        return func(*args, **kwargs)
    except MemoryError:
        if ctx.obj and ctx.obj.get("debug"):
            raise
        failed = True
    if failed:
        import gc

        gc.collect()
        raise Failure(out_of_memory(ctx))


class LineageGroup(click.Group):
    """The command group, extended by plug-in commands from the ``lineage.commands`` group."""

    def _plugins(self) -> dict[str, click.Command]:
        found = {}
        for ep in entry_points(group=COMMANDS_GROUP):
            if ep.name not in self.commands:
                found[ep.name] = ep
        return found

    def list_commands(self, ctx):
        return sorted({*self.commands, *self._plugins()})

    def get_command(self, ctx, name):
        if name in self.commands:
            return self.commands[name]
        ep = self._plugins().get(name)
        return ep.load() if ep else None


def default_db() -> str:
    return os.environ.get("LINEAGE_DB") or "lineage.db"


@click.group(cls=LineageGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db", "db_path", metavar="PATH", default=None,
    help="The lineage database (default: $LINEAGE_DB, else ./lineage.db).",
)  # fmt: skip
@click.option("--debug", is_flag=True, help="Show tracebacks instead of short messages.")
@click.version_option(__version__, prog_name="lineage")
@click.pass_context
def cli(ctx: click.Context, db_path: str | None, debug: bool) -> None:
    """Lineage Explorer: what depends on what in your ML system."""
    ctx.ensure_object(dict)
    ctx.obj["db"] = db_path or default_db()
    ctx.obj["debug"] = debug


def open_store(create: bool = False) -> Store:
    ctx = click.get_current_context()
    store = Store.open(ctx.obj["db"], create=create)
    ctx.call_on_close(store.close)
    return store


def emit(text: str) -> None:
    click.echo(present.printable_lines(text) if _to_terminal() else text)


def _to_terminal() -> bool:
    """Standard output is a terminal: then no raw control character may reach it."""
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


# -- import ---------------------------------------------------------------------------------


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
def import_command(paths, fmt, lenient, source, at, options, force):
    """Import lineage from files and folders (searched recursively).

    The format of each file is detected unless --format names it. The whole import is one
    transaction: on any error nothing is written, unless --lenient is given. Importing an
    unchanged file again adds nothing.
    """
    known_format(fmt)
    valid_at = parse_when(at) if at else None
    obj = click.get_current_context().obj
    pairs = {}
    for option in options:
        key, sep, value = option.partition("=")
        if not sep or not key:
            raise Failure(f"--option takes KEY=VALUE, not {option!r}", code=2)
        pairs[key.strip()] = value
    # A database is created only when there is something to write into it.
    existing = open_store() if Path(obj["db"]).exists() else None
    target = obj["db"] if existing is None else existing
    session = ImportSession(target, paths, fmt=fmt, source=source, valid_at=valid_at, options=pairs,
                            lenient=lenient, force=force, debug=obj["debug"])  # fmt: skip
    with progress_bar() as progress:
        session.plan(progress)
    report = session.commit()
    store = open_store() if existing is None and report.committed else existing
    print_import_report(report, store, lenient)


@contextlib.contextmanager
def progress_bar():
    """A progress bar on stderr for long imports (only on a terminal, only after a second)."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                   TimeRemainingColumn(), transient=True, console=rich_console())  # fmt: skip
    started = time.monotonic()
    task = None

    def update(done: int, total: int, label: str) -> None:
        nonlocal task
        if time.monotonic() - started < 1.0:
            return
        if task is None:
            bar.start()
            task = bar.add_task(Path(label).name, total=total)
        bar.update(task, completed=done, total=total, description=Path(label).name)

    try:
        yield update
    finally:
        bar.stop()


def rich_console():
    from rich.console import Console

    return Console(stderr=True)


def print_import_report(report: ImportReport, store: Store | None, lenient: bool) -> None:
    if report.committed and store is not None:
        rows = []
        for unit in report.units:
            if unit.outcome is None:
                what = "not imported (unreadable)"
            elif unit.outcome.unchanged:
                what = "unchanged (imported before)"
            else:
                what = f"{_plural(unit.node_count, 'node')}, {_plural(unit.edge_count, 'edge')}"
            rows.append((unit.importer, unit.path, what))
        if rows:
            emit(present.table(rows, ("FORMAT", "PATH", "READ")))
        for unit in report.reclassified[:MAX_PROBLEMS_SHOWN]:
            emit(f"classified again (new rules or declarations): {present.printable(unit.path)}")
        if len(report.reclassified) > MAX_PROBLEMS_SHOWN:
            emit(f"... and {len(report.reclassified) - MAX_PROBLEMS_SHOWN} more imports classified again")
        written = [u.outcome for u in report.units if u.outcome and not u.outcome.unchanged]
        written += [u.outcome for u in report.reclassified]
        changes = [
            _count(sum(o.nodes_added for o in written), "node", "added"),
            _count(sum(o.edges_added for o in written), "edge", "added"),
            _count(sum(o.nodes_removed for o in written), "node", "removed"),
            _count(sum(o.edges_removed for o in written), "edge", "removed"),
        ]
        changed = ", ".join(c for c in changes if c) or "no change to the graph"
        imported = sum(1 for u in report.units if u.outcome and not u.outcome.unchanged)
        emit(f"imported {imported} of {len(report.units)} sources: {changed}")
        counts = store.counts()
        emit(f"graph: {counts['nodes']} nodes, {counts['edges']} edges")
    if report.skipped:
        count = len(report.skipped)
        shown = ", ".join(present.printable(str(p)) for p in report.skipped[:5]) + (", ..." if count > 5 else "")
        click.echo(f"skipped {count} file{'s' if count != 1 else ''} no importer recognises: {shown}"
                   " (to read one anyway: --format NAME; see lineage formats)", err=True)  # fmt: skip
    for notice in report.notices[:MAX_PROBLEMS_SHOWN]:
        click.echo(present.printable(str(notice)), err=True)
    if len(report.notices) > MAX_PROBLEMS_SHOWN:
        click.echo(f"... and {len(report.notices) - MAX_PROBLEMS_SHOWN} more warnings", err=True)
    if report.problems:
        for problem in report.problems[:MAX_PROBLEMS_SHOWN]:
            click.echo(present.printable(str(problem)), err=True)
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


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"


def _count(n: int, noun: str, verb: str) -> str:
    return f"{_plural(n, noun)} {verb}" if n else ""


# -- formats, nodes, show -------------------------------------------------------------------


@cli.command("formats")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def formats_command(as_json):
    """List the importers and what they read."""
    found = importers()
    if as_json:
        emit(present.to_json([
            {"name": i.name, "description": i.description, "reads": i.reads,
             "options": dict(i.options)} for i in found
        ]))  # fmt: skip
        return
    emit(present.table([(i.name, i.description, i.reads) for i in found],
                       ("NAME", "DESCRIPTION", "READS")))  # fmt: skip
    for imp in found:
        for key, meaning in imp.options.items():
            emit(f"  {imp.name} option {key}: {meaning}")


@cli.command("nodes")
@click.option("--kind", type=click.Choice(NODE_KINDS), help="Only nodes of this kind.")
@click.option("--owner", metavar="NAME", help="Only nodes this owner or team owns.")
@click.option("--status", type=click.Choice(("active", "proposed", "deprecated")))
@click.option("--search", "text", metavar="TEXT", help="Full-text search of names, tags, attributes.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of NODE objects.")
@friendly
def nodes_command(kind, owner, status, text, as_json):
    """List nodes, sorted by id."""
    store = open_store()
    ids = store.search(text, limit=10_000) if text else None
    nodes = store.nodes(kind=kind, owner=owner, status=status, ids=ids)
    if as_json:
        emit(present.to_json([present.node_json(n["id"], n) for n in nodes]))
    elif nodes:
        emit(present.nodes_text(nodes))


@cli.command("show")
@click.argument("ref")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@friendly
def show_command(ref, as_json):
    """Show a node: attributes, status, edges in and out, and every source that mentions it."""
    store = open_store()
    node_id = resolve(store, ref)
    node = {**store.node(node_id), "aliases": store.aliases_of(node_id)}
    incoming, outgoing = store.edges_of(node_id)
    provenance = store.node_provenance(node_id)
    if as_json:
        emit(present.to_json(present.show_json(node, incoming, outgoing, provenance)))
    else:
        emit(present.show_text(node, incoming, outgoing, provenance))


@cli.command("hash")
@friendly
def hash_command():
    """Print a fingerprint of the current graph (SHA-256 of its nodes, edges and attributes).

    Import ids, times and the order of imports do not count: two databases with the same graph
    print the same hash.
    """
    from lineage.canonical import canonical_hash

    emit(canonical_hash(*open_store().snapshot()))


# -- trace, impact --------------------------------------------------------------------------


@cli.command("trace")
@click.argument("source_ref", metavar="FROM")
@click.argument("target_ref", metavar="TO")
@click.option("--max-paths", default=20, show_default=True, type=click.IntRange(min=1))
@click.option("--max-length", type=click.IntRange(min=1), help="Longest path, in edges.")
@click.option("--json", "as_json", is_flag=True, help='Print {"paths": [[NODE, ...], ...]}.')
@friendly
def trace_command(source_ref, target_ref, max_paths, max_length, as_json):
    """Every path from FROM to TO in the direction data flows, shortest first."""
    store = open_store()
    source, target = resolve(store, source_ref), resolve(store, target_ref)
    graph = load_graph(store)
    result = trace(graph, source, target, max_paths=max_paths, max_length=max_length)
    emit(present.to_json(present.trace_json(graph, result)) if as_json else present.trace_text(result))


def graph_as_of(store: Store, as_of: str | None):
    return load_graph(store, as_of=parse_when(as_of) if as_of else None)


def resolve_in(store: Store, graph, ref: str) -> str:
    """Resolve REF, and insist the node exists in the graph at hand (which may be historical)."""
    node_id = resolve(store, ref) if ref not in graph else ref
    if node_id not in graph:
        raise RefError(f"{node_id} did not exist then", [])
    return node_id


AS_OF = click.option("--as-of", metavar="WHEN", help="Answer for the graph as it was then.")


@cli.command("impact")
@click.argument("ref")
@click.option("--depth", type=click.IntRange(min=0), help="At most this many hops (default: all).")
@click.option("--upstream", is_flag=True, help="Also list what the node depends on.")
@AS_OF
@click.option("--json", "as_json", is_flag=True, help="Print JSON (see docs/cli.md).")
@click.option("--format", "fmt", type=click.Choice(("text", "json", "html", "md", "csv")), default="text",
              show_default=True, help="text, JSON, or a report: HTML, Markdown, CSV.")  # fmt: skip
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write to FILE.")
@friendly
def impact_command(ref, depth, upstream, as_of, as_json, fmt, output):
    """What a change to REF reaches downstream (and upstream), by hop, kind and owner.

    With --format html, md or csv, a full impact report: the impact subgraph, what removing
    REF breaks, the findings that touch it and where every edge was said.
    """
    store = open_store()
    if depth is not None and as_of is None and fmt in ("text", "json"):
        # A bounded question: read only the nodes within reach, not the whole graph.
        from lineage.graph import build_graph

        node_id = resolve(store, ref)
        graph = build_graph(*store.nearby_rows(node_id, depth, upstream=upstream))
    else:
        graph = graph_as_of(store, as_of)
        node_id = resolve_in(store, graph, ref)
    if fmt in ("html", "md", "csv"):
        from lineage.render.impact_report import build, render_report

        history = load_flag_history(store)
        text = render_report(build(store, graph, node_id, flag_history=history), fmt)
        write_or_print(text, output)
        return
    as_json = as_json or fmt == "json"
    result = impact(graph, node_id, depth=depth, upstream=upstream)
    text = present.to_json(present.impact_json(graph, result)) if as_json else present.impact_text(result)
    write_or_print(text, output)


def write_or_print(text: str | bytes, output: str | None) -> None:
    if output is None:
        text = text if isinstance(text, str) else text.decode("utf-8", "replace")
        emit(text)  # on a terminal, through the escaper
        return
    data = text.encode("utf-8") if isinstance(text, str) else text
    try:
        write_atomic(output, data)  # complete or absent: an old file survives a failure whole
    except OSError as exc:
        raise Failure(f"{output}: cannot write: {exc.strerror or exc}") from None
    click.echo(f"wrote {present.printable(str(output))}", err=True)


@cli.command("report")
@click.argument("refs", nargs=-1, required=True, metavar="REF...")
@click.option("-o", "--output", required=True, metavar="DIR_OR_ZIP",
              help="A folder, or a file ending in .zip, for the bundle.")  # fmt: skip
@friendly
def report_command(refs, output):
    """Impact reports of REFs, in every format (HTML, Markdown, CSV, JSON, SVG, GraphML)."""
    import zipfile

    from lineage.render.graphs import render
    from lineage.render.impact_report import build, render_report, slug
    from lineage.views.scenes import impact_scene

    store = open_store()
    graph = load_graph(store)
    history = load_flag_history(store)
    files: dict[str, bytes] = {}
    for ref in refs:
        node = resolve(store, ref)
        report = build(store, graph, node, flag_history=history)
        for fmt in ("html", "md", "csv", "json"):
            files[f"{slug(node)}.{fmt}"] = render_report(report, fmt).encode("utf-8")
        scene = impact_scene(graph, node)
        for fmt in ("svg", "graphml"):
            files[f"{slug(node)}.{fmt}"] = render(scene, fmt)
    target = Path(output)
    try:
        if target.suffix.lower() == ".zip":
            with atomic_path(target) as temp, zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as bundle:
                for name, data in files.items():
                    bundle.writestr(name, data)
        else:
            with atomic_folder(target) as folder:  # the whole bundle appears, or none of it
                for name, data in files.items():
                    write_atomic(folder / name, data)
    except OSError as exc:
        raise Failure(f"{output}: cannot write: {exc.strerror or exc}") from None
    emit(present.table([(name, len(data)) for name, data in files.items()], ("FILE", "BYTES")))


@cli.command("export")
@click.argument("ref", required=False)
@click.option("--mode", type=click.Choice(("explore", "impact", "trace", "simulate")), default="explore",
              show_default=True, help="Which view of REF.")  # fmt: skip
@click.option("--depth", default=2, show_default=True, type=click.IntRange(1, 12), help="Hops (explore).")
@click.option("--to", "trace_to", metavar="REF", help="Trace: the other end.")
@click.option("--remove", "removals", multiple=True, metavar="REF", help="Simulate: remove REF (repeatable).")
@click.option("--format", "fmt", type=click.Choice(("svg", "png", "pdf", "dot", "graphml", "json")),
              required=True, help="The graph format.")  # fmt: skip
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE (default: stdout).")
@friendly
def export_command(ref, mode, depth, trace_to, removals, fmt, output):
    """Export a view of the graph (REF's neighbourhood, impact, a trace, a simulation) as SVG,
    PNG, PDF, DOT, GraphML or JSON. Without REF: the most central feature."""
    from lineage.render.graphs import render
    from lineage.views.scenes import build_scene
    from lineage.views.spec import ViewSpec

    store = open_store()
    graph = load_graph(store)
    node = resolve(store, ref) if ref else default_focus(graph)
    spec = ViewSpec(mode=mode, focus=node, depth=depth)
    if mode == "trace":
        if not trace_to:
            raise Failure("--mode trace needs --to REF", code=2)
        spec = spec.replace(trace=(node, resolve(store, trace_to)))
    elif mode == "simulate":
        spec = spec.replace(removed=tuple(resolve(store, r) for r in removals) or (node,))
    scene = build_scene(graph, spec)
    data = render(scene, fmt)
    if output is None and fmt in ("png", "pdf"):
        raise Failure(f"{fmt} is binary: name a file with -o", code=2)
    write_or_print(data, output)


# -- simulate, findings, diff, check ---------------------------------------------------------


@cli.command("simulate")
@click.argument("refs", nargs=-1, metavar="REF...")
@click.option("--edge", "edges", nargs=2, multiple=True, metavar="FROM TO",
              help="Also remove the edge FROM -> TO (repeatable).")  # fmt: skip
@AS_OF
@click.option("--json", "as_json", is_flag=True, help="Print JSON (see docs/cli.md).")
@friendly
def simulate_command(refs, edges, as_of, as_json):
    """Remove nodes (and edges) hypothetically: what breaks, what degrades, what is untouched."""
    if not refs and not edges:
        raise Failure("name something to remove: REF... or --edge FROM TO", code=2)
    store = open_store()
    graph = graph_as_of(store, as_of)
    nodes = [resolve_in(store, graph, r) for r in refs]
    cut = [(resolve_in(store, graph, a), resolve_in(store, graph, b)) for a, b in edges]
    result = simulate(graph, nodes, cut)
    emit(present.to_json(report.simulation_json(graph, result)) if as_json
         else report.simulation_text(result))  # fmt: skip


@cli.command("findings")
@AS_OF
@click.option("--only", multiple=True, type=click.Choice(list(FINDING_KINDS)),
              help="Only this kind of finding (repeatable).")  # fmt: skip
@click.option("--epsilon", default=EPSILON, show_default=True, type=click.FloatRange(0, 1),
              callback=finite, help="Share of a model's weight under which a feature is negligible.")  # fmt: skip
@click.option("--top", default=10, show_default=True, type=click.IntRange(min=1),
              help="How many CACE hotspots.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (see docs/cli.md).")
@friendly
def findings_command(as_of, only, epsilon, top, as_json):
    """Find the ML technical-debt patterns: loops, undeclared consumers, weak and stale signals,
    cascades, dead flags, deprecated signals in use, hotspots."""
    store = open_store()
    when = parse_when(as_of) if as_of else None
    graph = load_graph(store, as_of=when)
    history = load_flag_history(store, as_of=when)
    found = find_all(graph, flag_history=history, epsilon=epsilon, top=top, only=only or None)
    emit(present.to_json(report.findings_json(graph, found)) if as_json
         else report.findings_text(found))  # fmt: skip


@cli.command("diff")
@click.option("--from", "from_", metavar="WHEN",
              help="The earlier state (default: just before the newest import).")  # fmt: skip
@click.option("--to", metavar="WHEN", help="The later state (default: now).")
@click.option("--against", metavar="DB", type=click.Path(dir_okay=False),
              help="Compare with another database's current graph (it is the later state).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (see docs/cli.md).")
@friendly
def diff_command(from_, to, against, as_json):
    """Nodes and edges added, removed and changed between two points in time (or databases)."""
    store = open_store()
    if against:
        if from_ or to:
            raise Failure("--against compares current graphs; leave out --from and --to", code=2)
        with Store.open(against) as other:
            after = other.snapshot()
        before, labels = store.snapshot(), (store.path, against)
    else:
        latest = store.latest_valid_at()
        start = parse_when(from_) if from_ else _just_before(latest)
        end = parse_when(to) if to else None
        before, after = store.snapshot(start), store.snapshot(end)
        newest = f"before the newest import ({latest[:19].replace('T', ' ')})" if latest else "empty"
        labels = (from_ or newest, to or "now")
    result = diff(*before, *after)
    emit(present.to_json(diff_json(result)) if as_json else report.diff_text(result, *labels))


def _just_before(when: str | None) -> str:
    return just_before(when) if when else "0000"


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
def check_command(paths, removals, edges, fail_on, fmt, source, as_json):
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


# -- tours -----------------------------------------------------------------------------------


@cli.group("tour")
def tour_group():
    """Walkthroughs: ordered views with notes, for design reviews."""


@tour_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@friendly
def tour_list(as_json):
    """List the tours in the database."""
    tours = open_store().tours()
    if as_json:
        emit(present.to_json(tours))
    elif tours:
        rows = [(t["name"], t["steps"], t["description"]) for t in tours]
        emit(present.table(rows, ("NAME", "STEPS", "DESCRIPTION")))


@tour_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@friendly
def tour_import(path):
    """Save the tour written in a YAML file (lineage_tour: 1) into the database."""
    from lineage.records import InputError
    from lineage.views.tours import parse_tour

    store = open_store()
    try:
        name, description, steps = parse_tour(path.read_bytes(), str(path), store)
    except InputError as exc:
        raise Failure(str(exc)) from None
    store.save_tour(name, [s.to_json() for s in steps], description)
    emit(f"saved tour {present.printable(name)} ({len(steps)} steps)")


@tour_group.command("export")
@click.argument("name")
@click.option("--format", "fmt", type=click.Choice(("html", "pdf")), default="html", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE (default: NAME.FORMAT).")
@friendly
def tour_export(name, fmt, output):
    """Export a tour: a self-contained HTML slide show (arrow keys), or a PDF, a page a step."""
    from lineage.render.tours import tour_html, tour_pdf
    from lineage.views.tours import Step

    store = open_store()
    tour = store.tour(name)
    if tour is None:
        known = ", ".join(t["name"] for t in store.tours()) or "none"
        raise Failure(f"no tour named {name!r} (tours: {known})", code=2)
    steps = [Step.from_json(s) for s in tour["steps"]]
    graph = load_graph(store)
    if fmt == "html":
        data = tour_html(name, tour["description"], steps, graph, store)
    else:
        data = tour_pdf(name, steps, graph, store)
    write_or_print(data, output or f"{_safe_name(name)}.{fmt}")


@tour_group.command("delete")
@click.argument("name")
@friendly
def tour_delete(name):
    """Delete a tour."""
    if not open_store().delete_tour(name):
        raise Failure(f"no tour named {name!r}", code=2)
    emit(f"deleted tour {present.printable(name)}")


def _safe_name(name: str) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "tour"


# -- demo -----------------------------------------------------------------------------------


@cli.command("demo")
@click.option("--no-open", is_flag=True, help="Build the demo database only.")
@friendly
def demo_command(no_open):
    """Build the demo database from resources/demo through the importers, then open it.

    The database is rebuilt from scratch at --db (default ./lineage.db), then the explorer
    opens on it. With $LINEAGE_SCREENSHOT set, the explorer renders to that PNG and exits;
    without a display (or without the explorer installed), the impact of the demo's most
    central feature is printed instead.
    """
    from lineage.demo import build_demo

    ctx = click.get_current_context()
    db_path = ctx.obj["db"]
    summary = build_demo(db_path)
    emit(f"demo built at {db_path}: {summary['nodes']} nodes, {summary['edges']} edges "
         f"from {summary['imports']} imports")  # fmt: skip
    if no_open:
        return
    gui = cli.get_command(ctx, "gui")
    if gui is not None:
        try:
            ctx.invoke(gui)
            return
        except NoDisplay as exc:  # no screen here: say so and show the impact instead
            click.echo(f"not opening the explorer: {exc.message}", err=True)
    with Store.open(db_path) as store:
        graph = load_graph(store)
        node = default_focus(graph)
        emit(present.impact_text(impact(graph, node)))


@cli.command("synth")
@click.option("--nodes", type=click.IntRange(min=50), default=10_000, show_default=True, help="About how many nodes.")
@click.option("--seed", type=int, default=0, show_default=True, help="The same seed writes the same files.")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="The folder to write into (created if missing).")  # fmt: skip
@friendly
def synth_command(nodes, seed, output):
    """Write synthetic lineage (OpenLineage events, a manifest, serving logs) to import.

    Heavy-tailed fan-out, feature tables read by many models, correction cascades, feedback
    loops through consumer logs, deprecated models and undeclared consumers: for benchmarks
    (make bench), and to try the explorer on a large graph.
    """
    from lineage.synth import write_synthetic

    if output.exists() and any(output.iterdir()):
        raise Failure(f"{output}: not empty; give a new or empty folder", code=2)
    try:
        with atomic_folder(output) as folder:  # a benchmark never imports half a graph
            counts = write_synthetic(folder, nodes=nodes, seed=seed)
    except OSError as exc:
        raise Failure(f"{output}: cannot write: {exc.strerror or exc}") from None
    emit(f"wrote {counts.nodes} nodes ({counts.features} features, {counts.models} models, "
         f"{counts.consumers} consumers) in {counts.events} OpenLineage events, a manifest and "
         f"serving logs to {output}; import with: lineage import {output}")  # fmt: skip


def _quiet_about_memory(unraisable) -> None:
    """A finalizer that runs out of memory (a generator closed while memory is short) is part
    of the one shortage the command reports in one line: no "Exception ignored" traceback."""
    if not issubclass(unraisable.exc_type, MemoryError):
        sys.__unraisablehook__(unraisable)


def main() -> None:
    sys.unraisablehook = _quiet_about_memory
    failed = False
    try:
        cli(prog_name="lineage")
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except MemoryError:  # outside a command (the commands say what they were doing)
        if "--debug" in sys.argv[1:]:
            raise
        failed = True
    if failed:
        sys.stderr.write("Error: out of memory; nothing was written\n")
        sys.exit(1)
