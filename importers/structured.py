"""Load YAML, JSON and TOML documents with a line number for every JSON pointer.

Each loader returns ``(data, lines)``: plain Python data (dicts, lists, str, int, float,
bool, None; dates become ISO strings) and a map from JSON pointer to the 1-based line where
that key or item starts. Syntax errors, duplicate keys and runaway documents raise
:class:`lineage.records.InputError` naming the file and line. YAML is only ever composed
with PyYAML's safe loader: no tags are constructed into objects.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from typing import Any

import yaml

from lineage.records import InputError, Location

MAX_DEPTH = 100
MAX_NODES = 1_000_000  # YAML aliases can make a small file expand without bound


def pointer_join(base: str, token: str | int) -> str:
    """Append one reference token to a JSON pointer (RFC 6901 escaping).

    >>> pointer_join("/models", 0)
    '/models/0'
    >>> pointer_join("", "a/b~c")
    '/a~1b~0c'
    """
    return f"{base}/{str(token).replace('~', '~0').replace('/', '~1')}"


def line_of(lines: dict[str, int], pointer: str) -> int | None:
    """The line of ``pointer``, or of its nearest ancestor that has one.

    >>> line_of({"": 1, "/a": 2}, "/a/b/0")
    2
    """
    while True:
        if pointer in lines:
            return lines[pointer]
        if not pointer:
            return None
        pointer = pointer.rsplit("/", 1)[0]


def location(file: str, lines: dict[str, int], pointer: str) -> Location:
    line = line_of(lines, pointer)
    return Location(file, line=line) if line is not None else Location(file, pointer=pointer)


def decode_text(raw: bytes, file: str) -> str:
    """Decode UTF-8 (a byte-order mark allowed), or say where the bad byte is."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    elif raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise InputError(Location(file, line=1), "UTF-16 text is not supported; save it as UTF-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(Location(file, line=line), "not valid UTF-8 text") from None


# -- YAML -------------------------------------------------------------------------------------


def load_yaml(text: str, file: str) -> tuple[Any, dict[str, int]]:
    try:  # the reader checks every character when it is made
        loader = yaml.SafeLoader(text)
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        code = ord(exc.character) if isinstance(exc.character, str) else exc.character
        message = f"invalid YAML: the character U+{code:04X} is not allowed in YAML text"
        raise InputError(Location(file, line=line), message) from None
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise InputError(Location(file, line=line), f"invalid YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise InputError(Location(file, line=1), f"invalid YAML: {exc}") from None
    except RecursionError:
        raise InputError(Location(file, line=1), "invalid YAML: nested too deeply") from None
    finally:
        loader.dispose()
    lines: dict[str, int] = {"": 1}
    if root is None:
        return None, lines
    budget = [MAX_NODES]
    data = _yaml_value(loader, root, "", lines, file, 0, budget)
    return data, lines


_PLAIN_TAGS = {
    f"tag:yaml.org,2002:{name}"
    for name in ("map", "seq", "str", "int", "float", "bool", "null", "timestamp")
}


def _yaml_value(loader, node, pointer, lines, file, depth, budget) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise InputError(Location(file, line=node.start_mark.line + 1),
                         "document expands to too many values (YAML aliases?)")  # fmt: skip
    if depth > MAX_DEPTH:
        raise InputError(Location(file, line=node.start_mark.line + 1),
                         f"nested deeper than {MAX_DEPTH} levels")  # fmt: skip
    if node.tag not in _PLAIN_TAGS:
        raise InputError(Location(file, line=node.start_mark.line + 1),
                         f"YAML tag {node.tag!r} is not allowed (plain data only)")  # fmt: skip
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                raise InputError(Location(file, line=key_line), "a key must be a plain value")
            key = _yaml_scalar(loader, key_node, file)
            key = key if isinstance(key, str) else str(key)
            if key in out:
                raise InputError(
                    Location(file, line=key_line),
                    f"duplicate key {key!r} (first at line {first_line[key]})",
                )
            first_line[key] = key_line
            child = pointer_join(pointer, key)
            lines[child] = key_line
            out[key] = _yaml_value(loader, value_node, child, lines, file, depth + 1, budget)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            child = pointer_join(pointer, index)
            lines[child] = item.start_mark.line + 1
            items.append(_yaml_value(loader, item, child, lines, file, depth + 1, budget))
        return items
    return _yaml_scalar(loader, node, file)


def _yaml_scalar(loader, node, file) -> Any:
    try:
        value = loader.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        line = node.start_mark.line + 1
        raise InputError(Location(file, line=line), f"invalid value: {exc}") from None
    except (ValueError, OverflowError) as exc:  # a timestamp like 2025-13-01 that is no date
        line = node.start_mark.line + 1
        raise InputError(Location(file, line=line), f"invalid value {node.value!r}: {exc}") from None
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        raise InputError(Location(file, line=node.start_mark.line + 1), "binary values are not allowed")
    if isinstance(value, float) and value != value:
        raise InputError(Location(file, line=node.start_mark.line + 1), "NaN is not allowed")
    return value


# -- JSON -------------------------------------------------------------------------------------


class Rejected(ValueError):
    """Valid to Python's json module, but not JSON: a repeated key, NaN or Infinity."""


def strict_loads(text: str) -> Any:
    """Parse JSON, rejecting what RFC 8259 does not allow (and Python's json accepts).

    >>> strict_loads('{"a": 1, "a": 2}')
    Traceback (most recent call last):
    lineage_importers.structured.Rejected: duplicate key 'a'
    """
    return json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        repeated = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise Rejected(f"duplicate key {repeated!r}")
    return out


def _no_constant(name: str) -> Any:
    raise Rejected(f"{name} is not allowed")


def load_json(text: str, file: str) -> tuple[Any, dict[str, int]]:
    try:
        data = strict_loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(Location(file, line=exc.lineno), f"invalid JSON: {exc.msg}") from None
    except (Rejected, RecursionError):
        data = None  # located by the scan below, which knows lines
    if data is None:
        json_lines(text, file)  # raises at the line of a duplicate key or deep nesting
        raise InputError(Location(file, line=1), "invalid JSON")
    if "\n" not in text.strip():
        return data, {}  # minified JSON is all line 1: JSON pointers say more than lines
    return data, json_lines(text, file)


_SCALAR_END = re.compile(r"[\s,\]\}]")


def json_lines(text: str, file: str) -> dict[str, int]:
    """Map each JSON pointer of a JSON text to its line; raise on duplicate keys and depth.

    >>> json_lines('{"a": [1,\\n 2], "b": {"c": null}}', "x.json")
    {'': 1, '/a': 1, '/a/0': 1, '/a/1': 2, '/b': 2, '/b/c': 2}
    """
    lines = {"": 1}
    stack: list[list] = []  # [is_object, pointer, index_or_key, expecting_key, keys_seen]
    line, i, n = 1, 0, len(text)

    def value_at() -> None:
        if stack and not stack[-1][0]:
            lines.setdefault(pointer_join(stack[-1][1], stack[-1][2]), line)

    def child_pointer() -> str:
        if not stack:
            return ""
        return pointer_join(stack[-1][1], stack[-1][2])

    while i < n:
        ch = text[i]
        if ch == "\n":
            line += 1
            i += 1
        elif ch in " \t\r:":
            i += 1
        elif ch in "{[":
            value_at()
            if len(stack) >= MAX_DEPTH:
                raise InputError(Location(file, line=line), f"nested deeper than {MAX_DEPTH} levels")
            stack.append([ch == "{", child_pointer(), 0 if ch == "[" else None, ch == "{", set()])
            i += 1
        elif ch in "}]":
            if stack:
                stack.pop()
            i += 1
        elif ch == ",":
            if stack:
                if stack[-1][0]:
                    stack[-1][3] = True
                else:
                    stack[-1][2] += 1
            i += 1
        elif ch == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            raw = text[i : j + 1]
            if stack and stack[-1][0] and stack[-1][3]:
                key = json.loads(raw)
                if key in stack[-1][4]:
                    raise InputError(Location(file, line=line), f"duplicate key {key!r}")
                stack[-1][4].add(key)
                stack[-1][2] = key
                stack[-1][3] = False
                lines[pointer_join(stack[-1][1], key)] = line
            else:
                value_at()
            i = j + 1
        else:
            value_at()
            m = _SCALAR_END.search(text, i)
            i = m.start() if m else n
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
