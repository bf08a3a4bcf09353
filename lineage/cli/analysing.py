"""Commands that answer questions about the graph: ``impact`` (what a change reaches),
``trace`` (the paths between two nodes), ``simulate`` (what removing nodes breaks),
``findings`` (the technical-debt patterns) and ``diff`` (what changed between two states)."""

from __future__ import annotations

import dataclasses

import click

from lineage.analyses import FINDING_KINDS, diff, find_all, impact, simulate, trace
from lineage.analyses.signals import EPSILON
from lineage.changes import changes_between
from lineage.cli._shared import AS_OF, emit, finite, graph_as_of, open_store, write_or_print
from lineage.cli.app import Failure, cli, friendly
from lineage.graph import (
    impact_in_store,
    load_between,
    load_column_history,
    load_flag_history,
    load_nearby,
    load_removal,
)
from lineage.refs import resolve, resolve_in
from lineage.render import reports as report
from lineage.render import text as present
from lineage.render.reports import diff_json
from lineage.store import Store
from lineage.when import just_before, parse_when


@cli.command("trace")
@click.argument("source_ref", metavar="FROM")
@click.argument("target_ref", metavar="TO")
@click.option("--max-paths", default=20, show_default=True, type=click.IntRange(min=1))
@click.option("--max-length", type=click.IntRange(min=1), help="Longest path, in edges.")
@AS_OF
@click.option("--json", "as_json", is_flag=True, help='Print {"paths": [[NODE, ...], ...]}.')
@friendly
def trace_command(source_ref: str, target_ref: str, max_paths: int, max_length: int | None, as_of: str | None,
                  as_json: bool) -> None:  # fmt: skip
    """Every path from FROM to TO in the direction data flows, shortest first."""
    store = open_store()
    if as_of is None:
        source, target = resolve(store, source_ref), resolve(store, target_ref)
        graph = load_between(store, source, target)  # only what a path can pass: not the whole graph
    else:  # the SQL walks read the graph now: the graph of then is loaded whole
        graph = graph_as_of(store, as_of)
        source, target = resolve_in(store, graph, source_ref), resolve_in(store, graph, target_ref)
    result = trace(graph, source, target, max_paths=max_paths, max_length=max_length)
    emit(present.to_json(present.trace_json(graph, result)) if as_json else present.trace_text(result))


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
def impact_command(ref: str, depth: int | None, upstream: bool, as_of: str | None, as_json: bool, fmt: str,
                   output: str | None) -> None:  # fmt: skip
    """What a change to REF reaches downstream (and upstream), by hop, kind and owner.

    With --format html, md or csv, a full impact report: the impact subgraph, what removing
    REF breaks, the findings that touch it and where every edge was said.
    """
    store = open_store()
    as_json = as_json or fmt == "json"
    if as_of is None and fmt in ("text", "json"):
        # A question about one node: walk what it reaches in SQL, not the whole graph.
        node_id = resolve(store, ref)
        walked = impact_in_store(store, node_id, depth, upstream=upstream, with_attrs=as_json)
        if walked is not None:
            result, attrs = walked
            text = present.to_json(present.impact_json(attrs, result)) if as_json else present.impact_text(result)
            write_or_print(text, output)
            return
        graph = load_nearby(store, node_id, depth, upstream=upstream)
    else:
        graph = graph_as_of(store, as_of)
        node_id = resolve_in(store, graph, ref)
    if fmt in ("html", "md", "csv"):
        from lineage.render.impact_report import build, render_report

        history = load_flag_history(store)
        text = render_report(build(store, graph, node_id, flag_history=history), fmt)
        write_or_print(text, output)
        return
    result = impact(graph, node_id, depth=depth, upstream=upstream)
    text = present.to_json(present.impact_json(graph, result)) if as_json else present.impact_text(result)
    write_or_print(text, output)


@cli.command("simulate")
@click.argument("refs", nargs=-1, metavar="REF...")
@click.option("--edge", "edges", nargs=2, multiple=True, metavar="FROM TO",
              help="Also remove the edge FROM -> TO (repeatable).")  # fmt: skip
@AS_OF
@click.option("--json", "as_json", is_flag=True, help="Print JSON (see docs/cli.md).")
@friendly
def simulate_command(refs: tuple[str, ...], edges: tuple[tuple[str, str], ...], as_of: str | None,
                     as_json: bool) -> None:  # fmt: skip
    """Remove nodes (and edges) hypothetically: what breaks, what degrades, what is untouched."""
    if not refs and not edges:
        raise Failure("name something to remove: REF... or --edge FROM TO", code=2)
    store = open_store()
    if as_of is None:
        # Read only what the removal reaches and its inputs, not the whole graph; the rest is
        # unaffected, and only counted.
        nodes = [resolve(store, r) for r in refs]
        cut = [(resolve(store, a), resolve(store, b)) for a, b in edges]
        graph = load_removal(store, nodes, cut)
        result = simulate(graph, nodes, cut)
        others = store.node_count() - len(result.removed) - len(result.broken) - len(result.degraded)
        result = dataclasses.replace(result, unaffected_count=others)
    else:
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
def findings_command(as_of: str | None, only: tuple[str, ...], epsilon: float, top: int, as_json: bool) -> None:
    """Find the ML technical-debt patterns: loops, undeclared consumers, weak and stale signals,
    cascades, dead flags, deprecated signals in use, hotspots."""
    store = open_store()
    graph = graph_as_of(store, as_of)  # the whole graph: the collector paused, then frozen
    moment = parse_when(as_of) if as_of else None
    history = load_flag_history(store, as_of=moment)
    columns = load_column_history(store, graph, as_of=moment)
    found = find_all(graph, flag_history=history, column_history=columns, epsilon=epsilon, top=top, only=only or None)
    emit(present.to_json(report.findings_json(graph, found)) if as_json
         else report.findings_text(found))  # fmt: skip


@cli.command("diff")
@click.option("--since", metavar="WHEN",
              help="What changed at WHEN or later: the earlier state is the one just before WHEN.")  # fmt: skip
@click.option("--from", "from_", metavar="WHEN",
              help="The earlier state, as of WHEN (default: just before the newest import).")  # fmt: skip
@click.option("--to", metavar="WHEN", help="The later state (default: now).")
@click.option(
    "--against",
    metavar="DB",
    type=click.Path(dir_okay=False),
    help="Compare with another database's current graph (it is the later state).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (see docs/cli.md).")
@friendly
def diff_command(since: str | None, from_: str | None, to: str | None, against: str | None, as_json: bool) -> None:
    """Nodes and edges added, removed and changed between two points in time (or databases),
    each node added or removed with the import that brought it or took it out."""
    store = open_store()
    if since and from_:
        raise Failure("--since and --from both say where to start; give one", code=2)
    if against:
        if since or from_ or to:
            raise Failure("--against compares current graphs; leave out --since, --from and --to", code=2)
        with Store.open(against) as other:
            after = other.snapshot()
        result = diff(*store.snapshot(), *after)
        emit(present.to_json(diff_json(result)) if as_json else report.diff_text(result, store.path, against))
        return
    latest = store.latest_valid_at()
    if since:
        start = just_before(parse_when(since))
    else:
        start = parse_when(from_) if from_ else _just_before(latest)
    end = parse_when(to) if to else None
    changes = changes_between(store, start, end)
    newest = f"before the newest import ({latest[:19].replace('T', ' ')})" if latest else "empty"
    label = f"just before {since}" if since else from_ or newest
    if as_json:
        emit(present.to_json(report.changes_json(changes)))
    else:
        emit(report.changes_text(changes, label, to or "now"))


def _just_before(when: str | None) -> str:
    return just_before(when) if when else "0000"
