"""Where the project's shipped files live (schemas, demo inputs, styles, templates).

They are package data of ``lineage_resources`` (the repository's ``resources/`` folder), found
with :mod:`importlib.resources`, so an installed wheel finds them as a checkout does.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path


@cache
def resources_root() -> Path:
    """The folder that holds the shipped files.

    >>> (resources_root() / "schema" / "manifest.schema.json").is_file()
    True
    """
    root = files("lineage_resources")
    # Installed as files (wheel, editable or checkout): a real folder. A zipped install would
    # need extracting first; we do not ship one.
    if not isinstance(root, Path):
        root = Path(str(root))
    return root


def resource_path(*parts: str) -> Path:
    """A path under the shipped files, e.g. ``resource_path("schema", "manifest.schema.json")``."""
    return resources_root().joinpath(*parts)
