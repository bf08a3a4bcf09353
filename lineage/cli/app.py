"""The ``lineage`` group itself: global options, plug-in commands, how errors become messages
and exit codes (``Failure``, ``friendly``, running out of memory) and the ``main`` entry point.

The commands live in the sibling modules, which register themselves on :data:`cli`."""

from __future__ import annotations

import functools
import importlib
import os
import sys
from collections.abc import Callable
from importlib.metadata import EntryPoint, entry_points
from typing import Any, TypeVar

import click

from lineage import __version__
from lineage.refs import RefError
from lineage.render.escape import printable_lines
from lineage.store import DatabaseError, StoreError, explain

COMMANDS_GROUP = "lineage.commands"  # plug-in commands (the explorer registers `gui` here)

F = TypeVar("F", bound=Callable[..., Any])

# Each command's module, imported when the command runs (or --help lists it): `lineage show`
# never pays for networkx, the analyses or the renderers (``python -X importtime``).
COMMAND_MODULES = {
    **dict.fromkeys(("import", "formats", "check"), "lineage.cli.importing"),
    **dict.fromkeys(("nodes", "show", "hash"), "lineage.cli.querying"),
    **dict.fromkeys(("impact", "trace", "simulate", "findings", "diff"), "lineage.cli.analysing"),
    **dict.fromkeys(("export", "report"), "lineage.cli.exporting"),
    "tour": "lineage.cli.tours",
    **dict.fromkeys(("demo", "synth"), "lineage.cli.demo"),
}


class _NotRaised(Exception):
    """Stands for networkx's errors while networkx is not loaded (then none can be raised)."""


def _graph_errors() -> type[Exception]:
    """networkx's base error, once something has loaded networkx (an except clause is evaluated
    only when an exception reaches it, so this costs nothing on success)."""
    nx = sys.modules.get("networkx")
    return nx.NetworkXException if nx is not None else _NotRaised  # type: ignore[no-any-return]


class Failure(click.ClickException):
    """An error the user can act on: printed as ``Error: message``, exit status ``code``."""

    def __init__(self, message: str, code: int = 1):
        # The message names what the user and the data named: never a raw control to the terminal.
        super().__init__(printable_lines(message))
        self.exit_code = code  # type: ignore[misc]  # click declares it a ClassVar; ours varies


class NoDisplay(Failure):
    """No screen to open a window on (the demo prints its result as text instead); a screen
    the explorer cannot use (missing system libraries) is a plain :class:`Failure`."""


def friendly(func: F) -> F:
    """Turn expected errors into messages; ``--debug`` lets the traceback through."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        try:
            return _unless_out_of_memory(func, args, kwargs, ctx)
        except (StoreError, ValueError, _graph_errors()) as exc:
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

    return wrapper  # type: ignore[return-value]


DOING = {"import": "importing", "check": "checking the change", "findings": "looking for findings",
         "impact": "working out the impact", "export": "exporting", "report": "writing the report",
         "trace": "tracing", "simulate": "simulating", "diff": "comparing", "nodes": "listing nodes",
         "show": "reading the node", "hash": "hashing the graph"}  # fmt: skip


def out_of_memory(ctx: click.Context) -> str:
    """The one line for a MemoryError: nothing is written when memory runs out (an import is
    one transaction; every output file is written whole or not at all)."""
    doing = DOING.get(ctx.info_name or "", f"running {ctx.info_name}")
    return f"out of memory while {doing}; nothing was written (free some memory, or ask for less)"


def _unless_out_of_memory(func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any],
                          ctx: click.Context) -> Any:  # fmt: skip
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
    """The command group: our commands, loaded from :data:`COMMAND_MODULES` when asked for, and
    plug-in commands from the ``lineage.commands`` entry points."""

    def _plugins(self) -> dict[str, EntryPoint]:
        found = {}
        for ep in entry_points(group=COMMANDS_GROUP):
            if ep.name not in self.commands:
                found[ep.name] = ep
        return found

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMAND_MODULES, *self._plugins()})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in COMMAND_MODULES:
            importlib.import_module(COMMAND_MODULES[name])  # its commands register on `cli`
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


def _quiet_about_memory(unraisable: Any) -> None:
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
