"""The ``tour`` group: walkthroughs saved in the database (list, import from YAML, export as
an HTML slide show or a PDF, delete)."""

from __future__ import annotations

from pathlib import Path

import click

from lineage.cli._shared import emit, open_store, write_or_print
from lineage.cli.app import Failure, cli, friendly
from lineage.render import text as present
from lineage.render.escape import printable


@cli.group("tour")
def tour_group() -> None:
    """Walkthroughs: ordered views with notes, for design reviews."""


@tour_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@friendly
def tour_list(as_json: bool) -> None:
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
def tour_import(path: Path) -> None:
    """Save the tour written in a YAML file (lineage_tour: 1) into the database."""
    from lineage.records import InputError
    from lineage.views.tours import import_tour

    store = open_store()
    try:
        name, steps = import_tour(store, path.read_bytes(), str(path))
    except InputError as exc:
        raise Failure(str(exc)) from None
    emit(f"saved tour {printable(name)} ({steps} steps)")


@tour_group.command("export")
@click.argument("name")
@click.option("--format", "fmt", type=click.Choice(("html", "pdf")), default="html", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE (default: NAME.FORMAT).")
@friendly
def tour_export(name: str, fmt: str, output: str | None) -> None:
    """Export a tour: a self-contained HTML slide show (arrow keys), or a PDF, a page a step."""
    from lineage.render.tours import export_tour, tour_filename

    store = open_store()
    data = export_tour(store, name, fmt)
    if data is None:
        known = ", ".join(t["name"] for t in store.tours()) or "none"
        raise Failure(f"no tour named {name!r} (tours: {known})", code=2)
    write_or_print(data, output or tour_filename(name, fmt))


@tour_group.command("delete")
@click.argument("name")
@friendly
def tour_delete(name: str) -> None:
    """Delete a tour."""
    if not open_store().delete_tour(name):
        raise Failure(f"no tour named {name!r}", code=2)
    emit(f"deleted tour {printable(name)}")
