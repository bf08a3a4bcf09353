"""The native lineage manifest (YAML, JSON or TOML): what a team declares that no tool logs.

The format is specified by ``resources/schema/manifest.schema.json`` and documented in
``docs/manifest.md``. Every entry becomes a node, every reference an edge in the direction
data flows, all *declared*, each with the file and line that said so.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema

from lineage.fields import SEPARATOR
from lineage.ingest.protocol import DECLARED
from lineage.records import (
    NODE_KINDS,
    EdgeRecord,
    InputError,
    Location,
    NodeRecord,
    Problem,
    Setting,
)
from lineage.resources import resource_path

from ._kit.document import DocumentImporter, having
from ._kit.located import Located
from ._kit.structured import location, pointer_join
from ._kit.values import type_name

MARKER = "lineage_manifest"

# section -> node kind of its entries
SECTIONS = {
    "datasets": "dataset",
    "features": "feature",
    "models": "model",
    "jobs": "job",
    "consumers": "consumer",
    "flags": "flag",
}
# (section, field) -> (default kind of a plain reference, edge kind, the entry is the target?)
REFERENCE_FIELDS = {
    ("datasets", "from"): ("dataset", "derives", True),
    ("features", "from"): ("dataset", "derives", True),
    ("models", "features"): ("feature", "reads", True),
    ("models", "inputs"): ("dataset", "reads", True),
    ("models", "consumers"): ("consumer", "reads", False),
    ("jobs", "inputs"): ("dataset", "reads", True),
    ("jobs", "outputs"): ("dataset", "writes", False),
    ("consumers", "reads"): ("model", "reads", True),
    ("consumers", "writes"): ("dataset", "writes", False),
    ("flags", "configures"): ("model", "configures", False),
}
_FIELDS_OF = {section: [(field, rest) for (sec, field), rest in REFERENCE_FIELDS.items() if sec == section]
              for section in SECTIONS}  # fmt: skip
# Keys stored as node attributes when present.
ATTRIBUTE_KEYS = ("description", "url", "version", "vetting", "value")


@cache
def manifest_schema() -> dict[str, Any]:
    return json.loads(resource_path("schema", "manifest.schema.json").read_text("utf-8"))


@cache
def _fast_check():
    """The schema compiled to Python: a valid manifest (the usual case) passes in a fraction of
    the time; only an invalid one goes through jsonschema, for its messages. The schema uses
    only keywords draft 7 already had, so fastjsonschema compiles it as such."""
    return fastjsonschema.compile({**manifest_schema(), "$schema": "http://json-schema.org/draft-07/schema#"})


@cache
def _validator() -> jsonschema.Draft202012Validator:
    """The reference validator, for messages; it checks formats (dates) as the gate does."""
    validator = jsonschema.Draft202012Validator
    return validator(manifest_schema(), format_checker=validator.FORMAT_CHECKER)


def _is_valid(data: Any) -> bool:
    try:
        _fast_check()(data)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


class ManifestImporter(DocumentImporter):
    name = "manifest"
    description = "Lineage Explorer's native manifest: signals, models, consumers, flags"
    reads = "*.yaml, *.yml, *.json or *.toml files with a top-level `lineage_manifest: 1` key"
    priority = 10
    rank = DECLARED  # what the teams declared wins where sources disagree

    suffixes = (".yaml", ".yml", ".json", ".toml")
    looks = (having(MARKER.encode()),)
    syntax = None  # each file in the syntax its suffix says
    not_an_object = f"not a lineage manifest: no top-level {MARKER!r} key"

    def read(
        self, path: Path, options: Mapping[str, str] | None = None
    ) -> Iterator[NodeRecord | EdgeRecord | Problem | Setting]:
        doc = self.load_root(path)
        file, data, lines = doc.file, doc.data, doc.lines
        if MARKER not in data:
            raise InputError(Location(file, line=1), self.not_an_object)
        bad_entries: set[tuple[str, int]] = set()
        fatal = False
        errors = () if _is_valid(data) else _validator().iter_errors(data)
        for error in sorted(
            errors,
            key=lambda e: [str(p) for p in e.absolute_path],
        ):
            path_items = list(error.absolute_path)
            for pointer, message in _describe(error):
                yield Problem(location(file, lines, pointer), message)
            if len(path_items) >= 2 and path_items[0] in SECTIONS:
                bad_entries.add((path_items[0], path_items[1]))
            else:
                fatal = True
        if fatal:
            return
        yield from _Reader(file, data, lines, bad_entries).records()


def _pointer(parts) -> str:
    pointer = ""
    for part in parts:
        pointer = pointer_join(pointer, part)
    return pointer


def _describe(error: jsonschema.ValidationError) -> list[tuple[str, str]]:
    """(pointer, message) pairs in words a manifest author understands."""
    where = _pointer(error.absolute_path)
    label = where.lstrip("/").replace("/", ".") or "the manifest"
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed))
        out = []
        for key in extra:
            hint = difflib.get_close_matches(key, allowed, n=1)
            suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
            out.append((pointer_join(where, key), f"unknown key {key!r} in {label}{suggestion}"))
        return out
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return [(where, f"{label} needs a {missing!r}")]
    if error.validator == "type":
        expected = error.validator_value
        expected = " or ".join(expected) if isinstance(expected, list) else expected
        return [(where, f"{label} must be of type {expected}, not {type_name(error.instance)}")]
    if error.validator == "enum":
        choices = ", ".join(map(str, error.validator_value))
        return [(where, f"{label} must be one of {choices}, not {error.instance!r}")]
    if error.validator == "minimum":
        return [(where, f"{label} must be at least {error.validator_value}, not {error.instance!r}")]
    if error.validator == "const":
        return [(where, f"{label} must be {error.validator_value!r}, not {error.instance!r}")]
    if error.validator == "oneOf":
        if isinstance(error.instance, dict) and error.context:
            # The object branch says what is wrong inside the object.
            inner = [e for e in error.context if e.validator != "type"]
            if inner:
                return _describe(jsonschema.exceptions.best_match(inner))
        return [(where, f"{label} must be a name or an object with a 'name'")]
    return [(where, f"{label}: {error.message}")]


class _Reader(Located):
    """Turns a validated manifest into records."""

    def __init__(self, file: str, data: dict, lines: dict[str, int], skip: set[tuple[str, int]]):
        super().__init__(file, lines)
        self.data = data
        self.skip = skip
        self.namespace = data.get("namespace", "")
        self.declared: dict[str, list[tuple[str, str, int | None]]] = {}  # name -> (kind, ns, line)

    def entries(self) -> Iterator[tuple[str, int, dict, str]]:
        for section, kind in SECTIONS.items():
            for index, entry in enumerate(self.data.get(section, [])):
                if (section, index) not in self.skip:
                    yield section, index, entry, kind

    def records(self) -> Iterator[NodeRecord | EdgeRecord | Problem | Setting]:
        for section in ("classify", "configs"):
            for index, rule in enumerate(self.data.get(section, [])):
                if section == "configs" and self.namespace:
                    rule = {"namespace": self.namespace, **rule}
                yield Setting(section, rule, self.at(_pointer([section, index])))
        seen: dict[str, Location] = {}
        for _section, index, entry, kind in self.entries():
            ns = entry.get("namespace", self.namespace)
            self.declared.setdefault(entry["name"], []).append((kind, ns, index))
        for section, index, entry, kind in self.entries():
            pointer = f"/{section}/{index}"  # as _pointer([section, index]): a section is a plain word
            where = self.at(pointer)
            node = self.node(entry, kind, where)
            if node.id in seen:
                yield Problem(where, f"{node.id} is declared twice (first at {seen[node.id]})")
                continue
            seen[node.id] = where
            related: list[NodeRecord | EdgeRecord | Problem] = []
            for field, (default_kind, edge_kind, is_target) in _FIELDS_OF[section]:
                for ref_index, ref in enumerate(entry.get(field, [])):
                    # sections and fields are plain words: nothing in them to escape
                    other = self.reference(ref, default_kind, f"{pointer}/{field}/{ref_index}")
                    related.append(other)
                    if isinstance(other, NodeRecord):
                        source, target = (other.id, node.id) if is_target else (node.id, other.id)
                        weight = ref.get("weight") if isinstance(ref, dict) else None
                        # at the reference's place (the same Location, made once)
                        related.append(EdgeRecord(source, target, edge_kind, weight=weight,
                                                  location=other.location))  # fmt: skip
            if "replacement" in entry.get("deprecated", {}):
                ref_pointer = _pointer([section, index, "deprecated", "replacement"])
                other = self.reference(entry["deprecated"]["replacement"], kind, ref_pointer)
                related.append(other)
                if isinstance(other, NodeRecord):
                    node.attributes["replacement"] = other.id
            yield node
            yield from related

    def node(self, entry: dict, kind: str, loc: Location) -> NodeRecord:
        deprecated = entry.get("deprecated")
        status = entry.get("status") or ("deprecated" if deprecated else None)
        attributes = dict(entry.get("attributes", {}))
        for key in ATTRIBUTE_KEYS:
            if key in entry:
                attributes[key] = entry[key]
        if deprecated and "remove_by" in deprecated:
            attributes["remove_by"] = deprecated["remove_by"]
        return NodeRecord(
            kind=kind,
            name=entry["name"],
            namespace=entry.get("namespace", self.namespace),
            owner=entry.get("owner", self.data.get("owner")),
            team=entry.get("team", self.data.get("team")),
            tags=tuple(entry.get("tags", ())),
            status=status or "active",
            deprecated_on=deprecated.get("since") if deprecated else None,
            deprecation_reason=deprecated.get("reason") if deprecated else None,
            attributes=attributes,
            location=loc,
            aliases=tuple(entry.get("aliases", ())),
        )

    def field_reference(self, ref: str | dict, loc: Location) -> NodeRecord | None:
        """A column where a dataset may be named (a feature's ``from``, a model's ``inputs``):
        ``DATASET_ID#COLUMN`` (``dataset:warehouse/events.clicks#ts``), or a dataset of this
        manifest's namespace and a column (``events.clicks#ts``), as the field node of
        :mod:`lineage.fields` that importers of column lineage make; else None."""
        if not isinstance(ref, str) or SEPARATOR not in ref:
            return None
        prefix, sep, rest = ref.partition(":")
        if sep and prefix in ("dataset", "field"):  # an id: NAMESPACE/NAME#COLUMN after the kind
            return NodeRecord("field", rest, "", location=loc, reference=True)
        if sep:  # another kind, or a URI: not a field of this manifest's
            return None
        return NodeRecord("field", ref, self.namespace, location=loc, reference=True)

    def reference(self, ref: str | dict, default_kind: str, pointer: str) -> NodeRecord | Problem:
        """A reference node for ``ref``: explicit kind, else the one declared here, else default."""
        loc = self.at(pointer)
        if default_kind == "dataset" and (column := self.field_reference(ref, loc)) is not None:
            return column
        if isinstance(ref, dict):
            name, kind, ns = ref["name"], ref.get("kind"), ref.get("namespace")
        else:
            prefix, sep, rest = ref.partition(":")
            explicit = sep and prefix in NODE_KINDS
            name, kind, ns = (rest, prefix, None) if explicit else (ref, None, None)
        if kind is None:
            candidates = self.declared.get(name, [])
            if ns is not None:
                candidates = [c for c in candidates if c[1] == ns]
            kinds = sorted({c[0] for c in candidates})
            if len(kinds) > 1:
                return Problem(
                    loc,
                    f"{name!r} is declared as {' and '.join(kinds)}; write kind:name (for example {kinds[0]}:{name})",
                )
            kind = kinds[0] if kinds else default_kind
        if ns is None:
            same_kind = [c for c in self.declared.get(name, []) if c[0] == kind]
            ns = same_kind[0][1] if len(same_kind) == 1 else self.namespace
        return NodeRecord(kind=kind, name=name, namespace=ns, location=loc, reference=True)
