"""Where the project's shipped files live (schemas, demo inputs, styles)."""

from __future__ import annotations

from pathlib import Path

RESOURCES = Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    """A path under ``resources/``, e.g. ``resource_path("schema", "manifest.schema.json")``."""
    return RESOURCES.joinpath(*parts)
