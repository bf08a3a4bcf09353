"""What every command shares: opening the store, printing (escaped on a terminal), writing an
output file whole, the progress bar, and the options and values several commands parse."""

from __future__ import annotations

import contextlib
import math
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from lineage.atomic import write_atomic
from lineage.cli.app import Failure
from lineage.render.escape import printable, printable_lines
from lineage.store import Store
from lineage.when import parse_when

if TYPE_CHECKING:
    import networkx as nx

MAX_PROBLEMS_SHOWN = 20

AS_OF = click.option("--as-of", metavar="WHEN", help="Answer for the graph as it was then.")


def open_store(create: bool = False) -> Store:
    """The store at ``--db``, closed when the command ends."""
    ctx = click.get_current_context()
    store = Store.open(ctx.obj["db"], create=create)
    ctx.call_on_close(store.close)
    return store


def emit(text: str) -> None:
    click.echo(printable_lines(text) if _to_terminal() else text)


def _to_terminal() -> bool:
    """Standard output is a terminal: then no raw control character may reach it."""
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


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
    click.echo(f"wrote {printable(str(output))}", err=True)


@contextlib.contextmanager
def progress_bar() -> Iterator[Callable[[int, int, str], None] | None]:
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


def rich_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


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


def key_values(options: Iterable[str]) -> dict[str, str]:
    """The ``--option KEY=VALUE`` pairs; anything else is bad usage (exit 2)."""
    pairs = {}
    for option in options:
        key, sep, value = option.partition("=")
        if not sep or not key:
            raise Failure(f"--option takes KEY=VALUE, not {option!r}", code=2)
        pairs[key.strip()] = value
    return pairs


def graph_as_of(store: Store, as_of: str | None) -> nx.DiGraph:
    """The graph now, or as it was at the ``--as-of`` WHEN (the whole graph: loaded with the
    garbage collector paused, and frozen after; see :func:`lineage.analyses.engine.freeze_loaded`)."""
    from lineage.analyses.engine import loading_whole_graph  # networkx: only for commands that need it
    from lineage.graph import load_graph

    when = parse_when(as_of) if as_of else None  # a bad WHEN fails before anything is loaded
    with loading_whole_graph():
        return load_graph(store, as_of=when)
