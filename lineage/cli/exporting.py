"""Commands that write a view or a report out: ``export`` (one view of the graph as SVG, PNG,
PDF, DOT, GraphML or JSON) and ``report`` (the impact reports of nodes, as a bundle)."""

from __future__ import annotations

import click

from lineage.cli._shared import emit, open_store, write_or_print
from lineage.cli.app import Failure, cli, friendly
from lineage.graph import load_flag_history, load_graph
from lineage.refs import resolve
from lineage.render import text as present
from lineage.views.focus import default_focus


@cli.command("report")
@click.argument("refs", nargs=-1, required=True, metavar="REF...")
@click.option("-o", "--output", required=True, metavar="DIR_OR_ZIP",
              help="A folder, or a file ending in .zip, for the bundle.")  # fmt: skip
@friendly
def report_command(refs: tuple[str, ...], output: str) -> None:
    """Impact reports of REFs, in every format (HTML, Markdown, CSV, JSON, SVG, GraphML)."""
    from lineage.render.impact_report import bundle, write_bundle

    store = open_store()
    graph = load_graph(store)
    history = load_flag_history(store)
    nodes = [resolve(store, ref) for ref in refs]
    files = bundle(store, graph, nodes, flag_history=history)
    try:
        write_bundle(output, files)
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
def export_command(ref: str | None, mode: str, depth: int, trace_to: str | None, removals: tuple[str, ...],
                   fmt: str, output: str | None) -> None:  # fmt: skip
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
