"""Commands that make data to try the tool on: ``demo`` (the demo database, then the explorer
on it) and ``synth`` (large synthetic lineage to import, for benchmarks)."""

from __future__ import annotations

from pathlib import Path

import click

from lineage.analyses import impact
from lineage.atomic import atomic_folder
from lineage.cli._shared import emit
from lineage.cli.app import Failure, NoDisplay, cli, friendly
from lineage.graph import load_graph
from lineage.render import text as present
from lineage.store import Store
from lineage.views.focus import default_focus


@cli.command("demo")
@click.option("--no-open", is_flag=True, help="Build the demo database only.")
@friendly
def demo_command(no_open: bool) -> None:
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
def synth_command(nodes: int, seed: int, output: Path) -> None:
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
