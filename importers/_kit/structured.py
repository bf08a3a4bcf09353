"""Load YAML, JSON and TOML documents with a line number for every JSON pointer.

Each loader returns ``(data, lines)``: plain Python data (dicts, lists, str, int, float,
bool, None; dates become ISO strings) and a map from JSON pointer to the 1-based line where
that key or item starts. Syntax errors, duplicate keys, integers of more than 4,300 digits
and runaway documents raise :class:`lineage.records.InputError` naming the file and line. YAML is loaded by
:mod:`lineage.safeyaml` (re-exported here), the one YAML loader of the tool.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from typing import Any

from lineage.records import InputError, Location

# The YAML loader and its limits live in the core, so tour files (lineage.views.tours) get the same.
from lineage.safeyaml import (  # noqa: E402,F401  (re-exported: importers use them from here)
    MAX_DEPTH,
    MAX_EXPANDED_BYTES,
    MAX_INT_DIGITS,
    MAX_NODES,
    clip_value,
    decode_text,
    line_of,
    load_yaml,
    location,
    pointer_join,
)

# -- JSON -------------------------------------------------------------------------------------


class Rejected(ValueError):
    """Valid to Python's json module, but not JSON: a repeated key, NaN or Infinity."""


def strict_loads(text: str) -> Any:
    """Parse JSON, rejecting what RFC 8259 does not allow (and Python's json accepts).

    >>> strict_loads('{"a": 1, "a": 2}')
    Traceback (most recent call last):
    lineage_importers._kit.structured.Rejected: duplicate key 'a'
    >>> strict_loads("[" + "9" * 5000 + "]")
    Traceback (most recent call last):
    lineage_importers._kit.structured.Rejected: an integer of 5000 digits (more than 4300) is not allowed
    """
    if type(text) is not str:  # bytes: json.loads finds their encoding
        return json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant, parse_int=_int)
    if text.startswith("\ufeff"):  # as json.loads says it
        raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
    return _DECODER.decode(text)  # one decoder for every line (json.loads makes one per call)


def _int(digits: str) -> int:
    try:
        return int(digits)
    except ValueError:  # past Python's limit: a located problem, not a crash of the importer
        raise Rejected(_too_long(digits)) from None


def _too_long(digits: str) -> str:
    return f"an integer of {len(digits.lstrip('-'))} digits (more than {MAX_INT_DIGITS}) is not allowed"


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        repeated = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise Rejected(f"duplicate key {repeated!r}")
    return out


def _no_constant(name: str) -> Any:
    raise Rejected(f"{name} is not allowed")


_DECODER = json.JSONDecoder(object_pairs_hook=_unique_keys, parse_constant=_no_constant, parse_int=_int)


def load_json(text: str, file: str) -> tuple[Any, dict[str, int]]:
    try:
        data = strict_loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(Location(file, line=exc.lineno), f"invalid JSON: {exc.msg}") from None
    except (Rejected, RecursionError):
        data = None  # located by the scan below, which knows lines
    if data is None:
        json_lines(text, file)  # raises at the line of a duplicate key, deep nesting, a huge integer
        raise InputError(Location(file, line=1), "invalid JSON")
    if "\n" not in text.strip():
        return data, {}  # minified JSON is all line 1: JSON pointers say more than lines
    return data, json_lines(text, file)


_LONG_INT = re.compile(r"-?\d+")


# The tokens json_lines looks at, in a text json.loads has parsed (so strings hold no raw line
# breaks): a line break, an opening bracket, a closing one, a comma, a string, a scalar. What
# matches none (spaces, tabs, colons) is passed over by the regular expression, not by Python.
_TOKEN = re.compile(r'(\n)|([{\[])|([}\]])|(,)|("(?:[^"\\]|\\[\s\S])*"?)|([^\s,\]\}:"{\[][^\s,\]\}]*)')


def _join(base: str, key: Any) -> str:
    """:func:`pointer_join` of an object's key (most need no escaping)."""
    if type(key) is str and "~" not in key and "/" not in key:
        return f"{base}/{key}"
    return pointer_join(base, key)


def json_lines(text: str, file: str) -> dict[str, int]:
    """Map each JSON pointer of a JSON text to its line; raise on duplicate keys, depth and
    integers of more than :data:`MAX_INT_DIGITS` digits.

    >>> json_lines('{"a": [1,\\n 2], "b": {"c": null}}', "x.json")
    {'': 1, '/a': 1, '/a/0': 1, '/a/1': 2, '/b': 2, '/b/c': 2}
    >>> json_lines('{"k\\\\"y": {"a~b/c": [[], {}]},\\n"d": "\\\\\\\\"}', "x.json")
    {'': 1, '/k"y': 1, '/k"y/a~0b~1c': 1, '/k"y/a~0b~1c/0': 1, '/k"y/a~0b~1c/1': 1, '/d': 2}
    """
    lines = {"": 1}
    stack: list[list] = []  # [is_object, pointer, index_or_key, expecting_key, keys_seen]
    line = 1

    for match in _TOKEN.finditer(text):
        group = match.lastindex
        if group == 1:
            line += 1
        elif group == 2:
            if stack:
                top = stack[-1]
                if top[0]:
                    pointer = _join(top[1], top[2])
                else:
                    pointer = f"{top[1]}/{top[2]}"
                    lines.setdefault(pointer, line)
            else:
                pointer = ""
            if len(stack) >= MAX_DEPTH:
                raise InputError(Location(file, line=line), f"nested deeper than {MAX_DEPTH} levels")
            if match.group(2) == "{":
                stack.append([True, pointer, None, True, set()])
            else:
                stack.append([False, pointer, 0, False, None])
        elif group == 3:
            if stack:
                stack.pop()
        elif group == 4:
            if stack:
                top = stack[-1]
                if top[0]:
                    top[3] = True
                else:
                    top[2] += 1
        elif group == 5:
            if stack:
                top = stack[-1]
                if top[0] and top[3]:
                    raw = match.group(5)
                    plain = len(raw) > 1 and raw[-1] == '"' and "\\" not in raw  # no escapes to decode
                    key = raw[1:-1] if plain else json.loads(raw)
                    if key in top[4]:
                        raise InputError(Location(file, line=line), f"duplicate key {key!r}")
                    top[4].add(key)
                    top[2] = key
                    top[3] = False
                    lines[_join(top[1], key)] = line
                elif not top[0]:
                    lines.setdefault(f"{top[1]}/{top[2]}", line)
        else:
            if stack and not stack[-1][0]:
                lines.setdefault(f"{stack[-1][1]}/{stack[-1][2]}", line)
            start, end = match.span()
            if end - start > MAX_INT_DIGITS and _LONG_INT.fullmatch(text, start, end):
                raise InputError(Location(file, line=line), f"invalid JSON: {_too_long(text[start:end])}")
    return lines


# -- TOML -------------------------------------------------------------------------------------

_TOML_LINE = re.compile(r"\(at line (\d+), column \d+\)")
_TOML_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_TOML_KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"'. ]+?)\s*=")


def load_toml(text: str, file: str) -> tuple[Any, dict[str, int]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = _TOML_LINE.search(str(exc))
        msg = _TOML_LINE.sub("", str(exc)).strip()
        line = int(m.group(1)) if m else text.count("\n") + 1  # "at end of document"
        raise InputError(Location(file, line=line), f"invalid TOML: {msg}") from None
    except RecursionError:
        raise InputError(Location(file, line=1), "invalid TOML: nested too deeply") from None
    return _normalise(data), toml_lines(text)


def _normalise(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return value


def _toml_key_parts(key: str) -> list[str]:
    return [part.strip().strip("\"'") for part in key.split(".")]


def toml_lines(text: str) -> dict[str, int]:
    """Lines of TOML tables and keys (dotted keys and arrays of tables included).

    Values inside multi-line arrays or inline tables take the line of their key.

    >>> lines = toml_lines('a = 1\\n[[models]]\\nname = "x"\\n[[models]]\\nname = "y"\\n')
    >>> lines["/models/0/name"], lines["/models/1"], lines["/models/1/name"]
    (3, 4, 5)
    """
    lines = {"": 1}
    table = ""
    counts: dict[str, int] = {}
    depth = 0  # open brackets of a multi-line value
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if depth > 0:
            depth += raw.count("[") + raw.count("{") - raw.count("]") - raw.count("}")
            continue
        if not stripped or stripped.startswith("#"):
            continue
        header = _TOML_HEADER.match(raw)
        if header:
            pointer = ""
            parts = _toml_key_parts(header.group(2))
            for position, part in enumerate(parts):
                pointer = pointer_join(pointer, part)
                is_last = position == len(parts) - 1
                # Inside an array of tables, a header refers to its latest element.
                if pointer in counts and not (is_last and header.group(1) == "[["):
                    pointer = pointer_join(pointer, counts[pointer] - 1)
            if header.group(1) == "[[":
                lines.setdefault(pointer, number)
                counts[pointer] = counts.get(pointer, 0) + 1
                pointer = pointer_join(pointer, counts[pointer] - 1)
            lines[pointer] = number
            table = pointer
            continue
        key = _TOML_KEY.match(raw)
        if key:
            pointer = table
            for part in _toml_key_parts(key.group(1)):
                pointer = pointer_join(pointer, part)
                lines.setdefault(pointer, number)
            value = raw[key.end() :]
            depth = value.count("[") + value.count("{") - value.count("]") - value.count("}")
            depth = max(depth, 0)
    return lines


def load_structured(raw: bytes, file: str, suffix: str) -> tuple[Any, dict[str, int]]:
    """Load YAML (``.yaml``/``.yml``), JSON (``.json``) or TOML (``.toml``) bytes."""
    text = decode_text(raw, file)
    if suffix == ".json":
        return load_json(text, file)
    if suffix == ".toml":
        return load_toml(text, file)
    return load_yaml(text, file)
