"""Every command, option and importer is documented; the README opens with the two commands."""

from __future__ import annotations

import re
from pathlib import Path

import click

from lineage.cli import cli
from lineage.ingest.registry import importers

ROOT = Path(__file__).parent.parent
CLI_DOC = (ROOT / "docs" / "cli.md").read_text()
FORMATS_DOC = (ROOT / "docs" / "formats.md").read_text()
README = (ROOT / "README.md").read_text()


def commands():
    ctx = click.Context(cli)
    return {name: cli.get_command(ctx, name) for name in cli.list_commands(ctx)}


def test_every_command_has_a_section_and_help():
    for name, command in commands().items():
        assert f"\n## lineage {name}\n" in CLI_DOC, f"docs/cli.md lacks '## lineage {name}'"
        assert command.help, f"lineage {name} has no help text"
        assert re.search(rf"`lineage {name}\b", README), f"README does not mention lineage {name}"


def test_every_option_is_documented():
    for name, command in commands().items():
        section = CLI_DOC.split(f"\n## lineage {name}\n", 1)[1].split("\n## ", 1)[0]
        for param in command.params:
            if isinstance(param, click.Option) and "--help" not in param.opts:
                assert any(opt in section for opt in param.opts), (
                    f"docs/cli.md: lineage {name} does not document {param.opts[0]}"
                )


def test_every_importer_is_documented():
    for imp in importers():
        assert f"\n## {imp.name}\n" in FORMATS_DOC, f"docs/formats.md lacks '## {imp.name}'"
        assert f"`{imp.name}`" in README, f"README's inputs table lacks {imp.name}"


def test_readme_starts_with_the_two_commands():
    head = README.split("\n")[:8]
    assert any(line.startswith("make demo") for line in head)
    assert any(line.startswith("make test") for line in head)
