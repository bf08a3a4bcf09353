"""Serving and feature-access logs: which consumer called which model, reading which features.

JSON Lines (one object a line) or CSV with a header, gzip allowed; the format is in
docs/formats.md. Every edge is *observed*: model -> consumer (``reads``: the consumer reads the
model's output) and feature -> model (``reads``: the model read the feature for that request).
Requests are aggregated per edge (count, first and last time, model versions), so a log of
any length streams through in memory proportional to the distinct edges.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from lineage.ingest.protocol import Importer
from lineage.records import MAX_PLACES, EdgeRecord, InputError, Location, NodeRecord, Problem

from ._kit.logfiles import head, json_lines, logical_suffix, text_lines

SUFFIXES = (".jsonl", ".ndjson", ".csv")
COLUMNS = ("consumer", "model", "model_version", "features", "time", "namespace", "requests")
REQUIRED = ("consumer", "model")
MARKER_KEYS = (b"consumer", b"model")


@dataclass
class _Seen:
    location: Location
    requests: int = 0
    first: str | None = None
    last: str | None = None
    versions: set[str] = field(default_factory=set)
    places: list[Location] = field(default_factory=list)  # after the first, up to MAX_PLACES in all

    def add(self, requests: int, when: str | None, version: str | None, where: Location | None = None) -> None:
        if where is not None and len(self.places) < MAX_PLACES - 1 and where != self.location:
            self.places.append(where)
        self.requests += requests
        if when:
            self.first = min(self.first or when, when)
            self.last = max(self.last or when, when)
        if version:
            self.versions.add(version)

    def attributes(self) -> dict[str, Any]:
        out: dict[str, Any] = {"requests": self.requests}
        if self.first:
            out["first_seen"], out["last_seen"] = self.first, self.last
        if self.versions:
            out["versions"] = sorted(self.versions)
        return out


class ServingLogImporter(Importer):
    name = "servinglog"
    description = "Serving and feature-access logs: observed consumer -> model -> feature reads"
    reads = "*.jsonl / *.ndjson / *.csv (gzip too) with consumer and model columns; see docs/formats.md"
    priority = 50
    options = {
        **{c: f"the column holding {c.replace('_', ' ')} (default: {c})" for c in COLUMNS},
        "separator": "what separates features in one CSV cell (default: ;)",
        "default_namespace": "namespace of rows without one (default: none)",
    }

    def sniff(self, path: Path) -> bool:
        if not path.is_file() or logical_suffix(path) not in SUFFIXES:
            return False
        first = head(path, 2048).split(b"\n", 1)[0].lower()
        if b'"eventtime"' in first or b'"runid"' in first:
            return False  # OpenLineage
        return all(key in first for key in MARKER_KEYS)

    def read(self, path: Path, options: Mapping[str, str] | None = None) -> Iterator[Any]:
        options = options or {}
        column = {c: options.get(c, c) for c in COLUMNS}
        separator = options.get("separator", ";")
        default_ns = options.get("default_namespace", "")
        file = str(path)
        nodes: dict[tuple[str, str, str], _Seen] = {}
        edges: dict[tuple[tuple, tuple], _Seen] = {}
        rows = self._csv_rows(path) if logical_suffix(path) == ".csv" else self._json_rows(path)
        for number, row, progress in rows:
            if isinstance(row, Problem):
                yield row
                continue
            if progress is not None:
                yield progress
            where = Location(file, line=number)
            try:
                consumer, model, version, features, when, namespace, requests = _fields(
                    row, column, separator, default_ns
                )
            except ValueError as exc:
                yield Problem(where, str(exc))
                continue
            m = ("model", namespace, model)
            c = ("consumer", namespace, consumer)
            _seen(nodes, m, where).add(requests, when, None, where)
            _seen(nodes, c, where).add(requests, when, None, where)
            nodes[m].add(0, None, version)
            _seen(edges, (m, c), where).add(requests, when, version, where)
            for feature in features:
                f = ("feature", namespace, feature)
                _seen(nodes, f, where).add(requests, when, None, where)
                _seen(edges, (f, m), where).add(requests, when, version, where)
        for (kind, namespace, name), seen in nodes.items():
            yield NodeRecord(kind, name, namespace, location=seen.location, classifiable=True,
                             attributes={"seen_in_logs": seen.attributes()}, places=tuple(seen.places))  # fmt: skip
        ids = {key: _id(key) for key in nodes}  # one string per node id, however many edges name it
        for (source, target), seen in edges.items():
            yield EdgeRecord(ids[source], ids[target], "reads", evidence="observed",
                             attributes={"serving": seen.attributes()},
                             location=seen.location, places=tuple(seen.places))  # fmt: skip

    def _json_rows(self, path: Path):
        for number, row, progress in json_lines(path):
            if not isinstance(row, dict | Problem):
                row = Problem(Location(str(path), line=number), "a log line must be a JSON object")
            yield number, row, progress

    def _csv_rows(self, path: Path):
        file = str(path)
        header: list[str] | None = None
        for number, text, progress in text_lines(path):
            if isinstance(text, Problem):
                yield number, text, progress
                continue
            try:
                cells = next(csv.reader(io.StringIO(text.lstrip("\ufeff") if number == 1 else text)))
            except (csv.Error, StopIteration) as exc:
                yield number, Problem(Location(file, line=number), f"invalid CSV: {exc}"), None
                continue
            if header is None:
                header = [c.strip() for c in cells]
                if len(set(header)) != len(header):
                    raise InputError(Location(file, line=number), "the header repeats a column")
                continue
            if len(cells) != len(header):
                yield (
                    number,
                    Problem(
                        Location(file, line=number),
                        f"{len(cells)} cells, but the header has {len(header)} columns",
                    ),
                    None,
                )
                continue
            yield number, dict(zip(header, cells, strict=True)), progress


def _seen(seen: dict[Any, _Seen], key: Any, where: Location) -> _Seen:
    """What is known of ``key`` so far, first seen at ``where`` (made only the first time)."""
    known = seen.get(key)
    if known is None:
        known = seen[key] = _Seen(where)
    return known


def _id(key: tuple[str, str, str]) -> str:
    kind, namespace, name = key
    return f"{kind}:{namespace}/{name}" if namespace else f"{kind}:{name}"


def _text(row: dict, column: str, required: bool = False) -> str | None:
    value = row.get(column)
    if value is None or value == "":
        if required:
            raise ValueError(f"missing {column!r}")
        return None
    numbered = isinstance(value, int) and not isinstance(value, bool) and column.endswith("version")
    if not isinstance(value, str) and not numbered:
        raise ValueError(f"{column!r} must be a string, not {type(value).__name__}")
    return str(value)


def _fields(row: dict, column: dict[str, str], separator: str, default_ns: str):
    consumer = _text(row, column["consumer"], required=True)
    model = _text(row, column["model"], required=True)
    version = _text(row, column["model_version"])
    when = _text(row, column["time"])
    if when is not None:
        try:
            datetime.fromisoformat(when.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"{column['time']!r} must be an ISO 8601 time, not {when!r}") from None
    namespace = _text(row, column["namespace"]) or default_ns
    raw = row.get(column["features"])
    if raw is None or raw == "":
        features: list[str] = []
    elif isinstance(raw, list) and all(isinstance(f, str) and f for f in raw):
        features = raw
    elif isinstance(raw, str):
        features = [f.strip() for f in raw.split(separator) if f.strip()]
    else:
        name = column["features"]
        raise ValueError(f"{name!r} must be a list of names or a {separator!r}-separated string")
    requests_raw = row.get(column["requests"], 1)
    try:
        requests = int(requests_raw) if requests_raw not in (None, "") else 1
    except (TypeError, ValueError):
        raise ValueError(f"{column['requests']!r} must be a whole number, not {requests_raw!r}") from None
    if requests < 0:
        raise ValueError(f"{column['requests']!r} must not be negative")
    return consumer, model, version, features, when, namespace, requests
