"""Teams' own training and serving configs (YAML, JSON or TOML), read by rules, not by code.

A rule in the native manifest (``configs:``) says which files to read and where in them to
find the model, its features, inputs, consumers, outputs and flags, with simple selectors::

    configs:
      - paths: "configs/models/*.yaml"
        name: "$.model.name"
        features: "$.model.features[*]"
        flags: "$.flags"

Selectors: ``$`` then ``.key`` (or ``['key']``), ``[N]``, ``[*]`` (every item of a list) and
``.*`` (every value of a mapping). Every edge is declared, with the line of the value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from lineage.ingest.protocol import Importer
from lineage.records import EdgeRecord, InputError, Location, NodeRecord, Problem

from ._kit.structured import load_structured, location, pointer_join

SUFFIXES = (".yaml", ".yml", ".json", ".toml")
# (rule key, default kind of what it names, edge kind, the config's node is the edge's target?)
REFERENCES = {
    "features": ("feature", "reads", True),
    "inputs": ("dataset", "reads", True),
    "consumers": ("consumer", "reads", False),
    "outputs": ("dataset", "writes", False),
}
_TOKEN = re.compile(r"\.([A-Za-z_][\w\-]*)|\.\*|\[\*\]|\[(\d+)\]|\['([^']*)'\]")


class SelectorError(ValueError):
    pass


def select(data: Any, selector: str) -> list[tuple[Any, str]]:
    """(value, JSON pointer) of everything ``selector`` picks out of ``data``.

    >>> doc = {"model": {"name": "ctr", "features": ["a", "b"]}, "flags": {"x": 1}}
    >>> select(doc, "$.model.features[*]")
    [('a', '/model/features/0'), ('b', '/model/features/1')]
    >>> select(doc, "$.flags.*")
    [(1, '/flags/x')]
    >>> select(doc, "$.model.missing")
    []
    """
    if not isinstance(selector, str) or not selector.startswith("$"):
        raise SelectorError(f"a selector starts with '$', not {selector!r}")
    position, current = 1, [(data, "")]
    while position < len(selector):
        match = _TOKEN.match(selector, position)
        if not match:
            raise SelectorError(f"cannot read selector {selector!r} at {selector[position:]!r}")
        position = match.end()
        token, nxt = match.group(0), []
        for value, pointer in current:
            if token in (".*", "[*]"):
                if isinstance(value, dict) and token == ".*":
                    nxt += [(v, pointer_join(pointer, k)) for k, v in value.items()]
                elif isinstance(value, list):
                    nxt += [(v, pointer_join(pointer, i)) for i, v in enumerate(value)]
            elif match.group(2) is not None:
                index = int(match.group(2))
                if isinstance(value, list) and index < len(value):
                    nxt.append((value[index], pointer_join(pointer, index)))
            else:
                key = match.group(1) if match.group(1) is not None else match.group(3)
                if isinstance(value, dict) and key in value:
                    nxt.append((value[key], pointer_join(pointer, key)))
        current = nxt
    return current


class TeamConfigImporter(Importer):
    name = "config"
    description = "teams' own YAML/JSON/TOML configs, read by the manifests' configs: rules"
    reads = "files matching the paths of a configs: rule in a native manifest (docs/manifest.md)"
    priority = 90
    options = {"rule": "the configs: rule that applies (set by lineage import from the manifests)"}

    def sniff(self, path: Path) -> bool:
        return False  # only a manifest's rule says a file is a config

    def read(self, path: Path, options: Mapping[str, str] | None = None) -> Iterator[Any]:
        file = str(path)
        if not options or "rule" not in options:
            raise InputError(Location(file), "a config is read by a configs: rule of a manifest")
        rule = json.loads(options["rule"])
        where_rule = rule.get("_where", "the rule")
        data, lines = load_structured(path.read_bytes(), file, path.suffix.lower())

        def picked(key: str) -> list[tuple[Any, str]] | None:
            if key not in rule:
                return None
            try:
                found = select(data, rule[key])
            except SelectorError as exc:
                raise InputError(Location(file), f"{where_rule}: {exc}") from None
            if not found:
                raise InputError(_nearest(data, rule[key], file, lines),
                                 f"{key} selector {rule[key]!r} of {where_rule} matches nothing "
                                 "here")  # fmt: skip
            return found

        namespace = rule.get("namespace", "")
        subject = None
        names = picked("name")
        if names:
            value, pointer = names[0]
            if not isinstance(value, str) or not value:
                yield Problem(location(file, lines, pointer), f"the name must be a string, not {value!r}")
                return
            subject = NodeRecord(rule.get("kind", "model"), value, namespace,
                                 location=location(file, lines, pointer),
                                 attributes={"config": file})  # fmt: skip
            owners = picked("owner")
            if owners and isinstance(owners[0][0], str):
                subject.owner = owners[0][0]
            yield subject
        for key, (default_kind, edge_kind, subject_is_target) in REFERENCES.items():
            for value, pointer in picked(key) or []:
                other = _reference(value, default_kind, namespace, location(file, lines, pointer))
                if isinstance(other, Problem):
                    yield other
                    continue
                yield other
                if subject is not None:
                    source, target = (other.id, subject.id) if subject_is_target else (subject.id, other.id)
                    weight = value.get("weight") if isinstance(value, dict) else None
                    yield EdgeRecord(source, target, edge_kind, weight=weight,
                                     location=location(file, lines, pointer))  # fmt: skip
        yield from _flags(picked("flags") or [], namespace, subject, file, lines)


def _nearest(data: Any, selector: str, file: str, lines: dict[str, int]) -> Location:
    """Where a selector stops matching: the line of the longest part of it that still does."""
    tokens = [m.group(0) for m in _TOKEN.finditer(selector)]
    for keep in range(len(tokens) - 1, 0, -1):
        found = select(data, "$" + "".join(tokens[:keep]))
        if found:
            return location(file, lines, found[0][1])
    return Location(file, line=1)


def _reference(value: Any, kind: str, namespace: str, where: Location) -> NodeRecord | Problem:
    if isinstance(value, dict) and isinstance(value.get("name"), str):
        value = value["name"]
    if not isinstance(value, str) or not value:
        return Problem(where, f"expected a name, not {value!r}")
    return NodeRecord(kind, value, namespace, location=where, reference=True)


def _flags(found, namespace: str, subject: NodeRecord | None, file: str, lines) -> Iterator[Any]:
    """Flags: a mapping of name to value, or names; each configures the config's node."""
    for value, pointer in found:
        items = value.items() if isinstance(value, dict) else [(value, None)]
        for name, flag_value in items:
            if not isinstance(name, str) or not name:
                yield Problem(location(file, lines, pointer), f"a flag must be named, not {name!r}")
                continue
            where = location(file, lines, pointer_join(pointer, name) if isinstance(value, dict) else pointer)
            flag = NodeRecord("flag", name, namespace, location=where,
                              attributes={"value": flag_value} if flag_value is not None else {})  # fmt: skip
            yield flag
            if subject is not None:
                yield EdgeRecord(flag.id, subject.id, "configures", location=where)
