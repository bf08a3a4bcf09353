"""Every command, option and importer is documented; the README opens with the two commands.

One test per subcommand, option and importer, so a failure names what is undocumented."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from lineage.cli import cli
from lineage.ingest.registry import importers

ROOT = Path(__file__).parent.parent
CLI_DOC = (ROOT / "docs" / "cli.md").read_text()
FORMATS_DOC = (ROOT / "docs" / "formats.md").read_text()
README = (ROOT / "README.md").read_text()


def commands() -> dict[str, click.Command]:
    ctx = click.Context(cli)
    found = {name: cli.get_command(ctx, name) for name in cli.list_commands(ctx)}
    return {name: command for name, command in found.items() if command is not None}


COMMANDS = sorted(commands())
OPTIONS = [
    (name, param.opts[0])
    for name, command in sorted(commands().items())
    for param in command.params
    if isinstance(param, click.Option) and "--help" not in param.opts
]
IMPORTERS = sorted(imp.name for imp in importers())


def section(name: str) -> str:
    return CLI_DOC.split(f"\n## lineage {name}\n", 1)[1].split("\n## ", 1)[0]


def test_there_is_something_to_check():
    assert len(COMMANDS) > 10 and len(OPTIONS) > 20 and len(IMPORTERS) > 10


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_a_section_and_help(name):
    assert f"\n## lineage {name}\n" in CLI_DOC, f"docs/cli.md lacks '## lineage {name}'"
    assert commands()[name].help, f"lineage {name} has no help text"
    assert re.search(rf"`lineage {name}\b", README), f"README does not mention lineage {name}"


@pytest.mark.parametrize(("name", "option"), OPTIONS, ids=[f"{n} {o}" for n, o in OPTIONS])
def test_every_option_is_documented(name, option):
    opts = next(p.opts for p in commands()[name].params if p.opts[0] == option)
    assert f"\n## lineage {name}\n" in CLI_DOC, f"docs/cli.md lacks '## lineage {name}'"
    assert any(opt in section(name) for opt in opts), f"docs/cli.md: lineage {name} does not document {option}"


@pytest.mark.parametrize("name", IMPORTERS)
def test_every_importer_is_documented(name):
    assert f"\n## {name}\n" in FORMATS_DOC, f"docs/formats.md lacks '## {name}'"
    assert f"`{name}`" in README, f"README's inputs table lacks {name}"


def test_readme_starts_with_the_two_commands():
    head = README.split("\n")[:8]
    assert any(line.startswith("make demo") for line in head)
    assert any(line.startswith("make test") for line in head)
