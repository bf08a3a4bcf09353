"""Commands that read the database as it is: ``nodes`` (list and search), ``show`` (one node,
its edges and sources) and ``hash`` (a fingerprint of the graph)."""

from __future__ import annotations

import click

from lineage.cli._shared import emit, open_store
from lineage.cli.app import cli, friendly
from lineage.records import NODE_KINDS
from lineage.refs import resolve
from lineage.render import text as present


@cli.command("nodes")
@click.option("--kind", type=click.Choice(NODE_KINDS), help="Only nodes of this kind.")
@click.option("--owner", metavar="NAME", help="Only nodes this owner or team owns.")
@click.option("--status", type=click.Choice(("active", "proposed", "deprecated")))
@click.option("--search", "text", metavar="TEXT", help="Full-text search of names, tags, attributes.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of NODE objects.")
@friendly
def nodes_command(kind: str | None, owner: str | None, status: str | None, text: str | None, as_json: bool) -> None:
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
def show_command(ref: str, as_json: bool) -> None:
    """Show a node: attributes, status, edges in and out, and every source that mentions it."""
    store = open_store()
    node_id = resolve(store, ref)
    found = store.node(node_id)
    assert found is not None  # resolve found it
    node = {**found, "aliases": store.aliases_of(node_id)}
    incoming, outgoing = store.edges_of(node_id)
    provenance = store.node_provenance(node_id)
    if as_json:
        emit(present.to_json(present.show_json(node, incoming, outgoing, provenance)))
    else:
        emit(present.show_text(node, incoming, outgoing, provenance))


@cli.command("hash")
@friendly
def hash_command() -> None:
    """Print a fingerprint of the current graph (SHA-256 of its nodes, edges and attributes).

    Import ids, times and the order of imports do not count: two databases with the same graph
    print the same hash.
    """
    from lineage.canonical import canonical_hash

    emit(canonical_hash(*open_store().snapshot()))
