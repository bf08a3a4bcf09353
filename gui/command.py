"""``lineage gui``: registered through the ``lineage.commands`` entry point (see pyproject)."""

from __future__ import annotations

import os
import sys

import click

from lineage.cli import Failure, friendly, open_store
from lineage.refs import resolve


@click.command("gui")
@click.option("--focus", metavar="REF", help="The node to start from (default: the most central feature).")
@click.option("--depth", default=2, show_default=True, type=click.IntRange(1, 12),
              help="Hops shown up and down from the focus.")  # fmt: skip
@click.option("--screenshot", metavar="PNG", default=lambda: os.environ.get("LINEAGE_SCREENSHOT"),
              help="Render to this PNG once laid out, then exit ($LINEAGE_SCREENSHOT).")  # fmt: skip
@friendly
def gui_command(focus, depth, screenshot):
    """Open the explorer on the database."""
    from gui.app import has_display, run

    store = open_store()
    focus_id = resolve(store, focus) if focus else None
    db_path = store.path
    store.close()
    if not screenshot and not has_display():
        raise Failure(
            "no display to open the explorer on; set LINEAGE_SCREENSHOT=out.png (or pass "
            "--screenshot out.png) to render it to a file instead"
        )
    sys.exit(run(db_path, focus=focus_id, depth=depth, screenshot=screenshot))
