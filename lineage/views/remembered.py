"""The view a database was left in, kept between sessions (the explorer keeps it in its
settings, one record per database): the view as a tour step holds it, plus the facet values
chosen to narrow only the result list. A record that is unreadable, of another version or
wrong in any field is no record: the explorer then opens on its default view."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from lineage.views.spec import FACETS, ViewSpec
from lineage.views.tours import STEP_SCHEMA, Step, step_of

VERSION = 1
_LISTED_SCHEMA = {"type": "object", "additionalProperties": False,
                  "properties": {facet: {"type": "string"} for facet in FACETS}}  # fmt: skip
RECORD_SCHEMA = {
    "type": "object",
    "required": ["version", "view"],
    "additionalProperties": False,
    "properties": {"version": {"const": VERSION}, "view": STEP_SCHEMA, "listed": _LISTED_SCHEMA},
}


@dataclass(frozen=True)
class LeftView:
    """A remembered view: ``view`` as a step, ``listed`` the facets that narrow only the list."""

    view: Step
    listed: dict[str, str] = field(default_factory=dict)


def settings_key(db_path: str) -> str:
    """The settings group of one database: by its real path, hashed (a path may hold any
    character, and a settings key must not).

    >>> settings_key("/a/b.db") == settings_key("/a/../a/b.db")
    True
    >>> settings_key("/a/b.db").startswith("databases/"), len(settings_key("/a/b.db"))
    (True, 34)
    """
    real = os.path.realpath(db_path)
    return "databases/" + hashlib.sha256(real.encode("utf-8", "surrogateescape")).hexdigest()[:24]


def left_view_json(spec: ViewSpec, listed: dict[str, str] | None = None) -> str:
    """The record of ``spec`` (and the list-only facets) as kept.

    >>> text = left_view_json(ViewSpec(focus="dataset:a", depth=3), {"owner": "ads"})
    >>> read_left_view(text)
    LeftView(view=Step(title='', note='', mode='explore', focus='dataset:a', depth=3, trace=None, upstream=False, \
removed=[], removed_edges=[], finding=None, since=None, group_by=None, positions=None, up=None, down=None, \
facets={}, hide_unmatched=False), listed={'owner': 'ads'})
    """
    record = {"version": VERSION, "view": step_of(spec).to_json(), "listed": dict(sorted((listed or {}).items()))}
    return json.dumps(record, sort_keys=True)


def read_left_view(text: Any) -> LeftView | None:
    """The view a record keeps, or None for anything but a valid record of this version.

    >>> [read_left_view(t) for t in (None, "", "{", "[]", '{"version": 2, "view": {}}')]
    [None, None, None, None, None]
    >>> read_left_view('{"version": 1, "view": {"mode": "nowhere"}}') is None
    True
    >>> read_left_view('{"version": 1, "view": {"mode": "impact", "focus": "model:m"}}').view.mode
    'impact'
    """
    if not isinstance(text, str):
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if _record_validator().is_valid(data):
        return LeftView(Step.from_json(data["view"]), dict(data.get("listed") or {}))
    return None


@cache
def _record_validator() -> Any:
    import jsonschema  # on first use: a tenth of a second to import

    return jsonschema.Draft202012Validator(RECORD_SCHEMA)
