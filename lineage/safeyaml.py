"""The one YAML loader: every YAML file the tool reads (manifests, team configs, Kubeflow
pipelines, MLflow stores, tour files) goes through :func:`load_yaml`.

It returns ``(data, lines)``: plain Python data (dicts, lists, str, int, float, bool, None;
dates become ISO strings) and a map from JSON pointer to the 1-based line where that key or
item starts. YAML is only composed with PyYAML's safe loader and no tag is constructed into an
object. A syntax error, a character YAML does not allow, a duplicate key, a tag, NaN, an
integer of more than :data:`MAX_INT_DIGITS` digits, nesting deeper than :data:`MAX_DEPTH`, and
a document whose aliases expand past :data:`MAX_NODES` values or :data:`MAX_EXPANDED_BYTES`
bytes of text raise :class:`lineage.records.InputError` naming the file and line.

>>> load_yaml("a: &x [1, 2]\\nb: *x\\n", "f.yaml")
({'a': [1, 2], 'b': [1, 2]}, {'': 1, '/a': 1, '/a/0': 1, '/a/1': 1, '/b': 2, '/b/0': 1, '/b/1': 1})
>>> load_yaml("a: 1\\na: 2\\n", "f.yaml")
Traceback (most recent call last):
lineage.records.InputError: f.yaml:2: duplicate key 'a' (first at line 1)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml

from lineage.records import InputError, Location

MAX_DEPTH = 100
MAX_NODES = 1_000_000  # YAML aliases can make a small file expand without bound...
MAX_EXPANDED_BYTES = 64 * 1024 * 1024  # ...in values, and in text: a big string aliased often
MAX_INT_DIGITS = 4_300  # Python's own limit for int("..."): longer integers are refused
_MAX_INT_BITS = int(MAX_INT_DIGITS * 3.3219280948873626)  # the same, for 0x / 0o / base-60 YAML


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
    """Decode UTF-8 (a byte-order mark allowed), or say where the bad byte is.

    >>> decode_text(b"a\\nb\\xff", "f.yaml")
    Traceback (most recent call last):
    lineage.records.InputError: f.yaml:2: not valid UTF-8 text
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    elif raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise InputError(Location(file, line=1), "UTF-16 text is not supported; save it as UTF-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(Location(file, line=line), "not valid UTF-8 text") from None


def clip_value(text: str, width: int = 40) -> str:
    """``repr`` of a value for a message, clipped: a 5,000-digit number is not repeated whole.

    >>> clip_value("9" * 100, 10)
    "'9999999999…' (100 characters)"
    """
    return repr(text) if len(text) <= width else f"{text[:width]!r}"[:-1] + f"…' ({len(text)} characters)"


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
        raise InputError(Location(file, line=mark.line + 1 if mark else None), f"invalid YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise InputError(Location(file, line=1), f"invalid YAML: {exc}") from None
    except RecursionError:
        raise InputError(Location(file, line=1), "invalid YAML: nested too deeply") from None
    finally:
        loader.dispose()
    lines: dict[str, int] = {"": 1}
    if root is None:
        return None, lines
    budget = [MAX_NODES, MAX_EXPANDED_BYTES]  # values, bytes of text; aliases count each time
    data = _yaml_value(loader, root, "", lines, file, 0, budget)
    return data, lines


_PLAIN_TAGS = {
    f"tag:yaml.org,2002:{name}" for name in ("map", "seq", "str", "int", "float", "bool", "null", "timestamp")
}


def _charge(node, budget, file) -> None:
    """Count one value, and a scalar's text, against the document's budget."""
    budget[0] -= 1
    if budget[0] < 0:
        raise InputError(Location(file, line=node.start_mark.line + 1),
                         "document expands to too many values (YAML aliases?)")  # fmt: skip
    if isinstance(node, yaml.ScalarNode):
        text = node.value
        budget[1] -= len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))
        if budget[1] < 0:
            limit = f"{MAX_EXPANDED_BYTES / 1024 / 1024:g} MiB"
            raise InputError(Location(file, line=node.start_mark.line + 1),
                             f"document expands to more than {limit} of text (YAML aliases?)")  # fmt: skip


def _yaml_value(loader, node, pointer, lines, file, depth, budget) -> Any:
    _charge(node, budget, file)
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
            _charge(key_node, budget, file)
            key = _yaml_scalar(loader, key_node, file)
            key = key if isinstance(key, str) else str(key)
            if key in out:
                raise InputError(
                    Location(file, line=key_line),
                    f"duplicate key {clip_value(key)} (first at line {first_line[key]})",
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
    line = node.start_mark.line + 1
    try:
        value = loader.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        raise InputError(Location(file, line=line), f"invalid value: {exc}") from None
    except (ValueError, OverflowError) as exc:  # 2025-13-01 that is no date; 5,000 digits
        if node.tag.endswith(":int"):
            message = f"an integer of more than {MAX_INT_DIGITS} digits is not allowed"
        else:
            message = f"invalid value {clip_value(node.value)}: {exc}"
        raise InputError(Location(file, line=line), message) from None
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > _MAX_INT_BITS:
        raise InputError(Location(file, line=line), f"an integer of more than {MAX_INT_DIGITS} digits is not allowed")
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        raise InputError(Location(file, line=line), "binary values are not allowed")
    if isinstance(value, float) and value != value:
        raise InputError(Location(file, line=line), "NaN is not allowed")
    return value
