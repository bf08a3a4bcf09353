"""``lineage gui``: registered through the ``lineage.commands`` entry point (see pyproject)."""

from __future__ import annotations

import os
import sys

import click

from lineage.analyses import FINDING_KINDS
from lineage.cli import Failure, NoDisplay, friendly, open_store
from lineage.refs import resolve
from lineage.views.spec import DEFAULT_DEPTH, MODES
from lineage.when import parse_when


@click.command("gui")
@click.option("--focus", metavar="REF", help="The node to start from (default: the most central feature).")
@click.option("--depth", type=click.IntRange(1, 12), help="Hops shown up and down from the focus (default: 2).")
@click.option("--mode", type=click.Choice(MODES), help="The mode to open in (default: explore).")
@click.option("--to", "trace_to", metavar="REF", help="Trace mode: trace from the focus to REF.")
@click.option("--remove", "removals", multiple=True, metavar="REF",
              help="Simulate mode: remove REF (repeatable).")  # fmt: skip
@click.option("--finding", metavar="KIND", help="Findings mode: show the first finding of KIND.")
@click.option("--since", metavar="WHEN", help="Diff mode: what changed at WHEN or later.")
@click.option("--screenshot", metavar="PNG", default=lambda: os.environ.get("LINEAGE_SCREENSHOT"),
              help="Render to this PNG once laid out, then exit ($LINEAGE_SCREENSHOT).")  # fmt: skip
@friendly
def gui_command(focus, depth, mode, trace_to, removals, finding, since, screenshot):
    """Open the explorer on the database (modes: explore, trace, impact, simulate, findings, diff).

    With none of the options that choose a view, it opens in the view the database was left in."""
    from lineage_gui.app import run
    from lineage_gui.display import DisplayError, check_display, has_display

    store = open_store()
    focus_id = resolve(store, focus) if focus else None
    target = resolve(store, trace_to) if trace_to else None
    removed = [resolve(store, r) for r in removals]
    when = parse_when(since) if since else None
    if finding and finding not in FINDING_KINDS:
        raise Failure(f"unknown finding kind {finding!r} (known: {', '.join(FINDING_KINDS)})", code=2)
    db_path = store.path
    store.close()
    if not screenshot and not has_display():
        raise NoDisplay(
            "no display to open the explorer on; set LINEAGE_SCREENSHOT=out.png (or pass "
            "--screenshot out.png) to render it to a file instead"
        )
    if not screenshot or has_display():
        try:
            check_display()
        except DisplayError as exc:
            raise Failure(str(exc)) from None

    def setup(window) -> None:
        """Put the window in the state the options ask for (before it is shown)."""
        if target:
            window.trace_between(focus_id or window.spec.focus, target)
        if removed:
            window.model.remove_nodes(removed)
        if when:
            window.model.diff_since(when)
        if finding:
            findings = window.model.findings_now()  # the panel lists them too
            if findings[finding]:
                window.model.show_finding(findings[finding][0])

    if any((trace_to, removals, finding, since)):  # a view asked for: not the one left
        depth, mode = depth or DEFAULT_DEPTH, mode or "explore"
    sys.exit(run(db_path, focus=focus_id, depth=depth, mode=mode, screenshot=screenshot, setup=setup))
