"""How the importers' messages name the JSON type of a value ("must be a list, not a string")."""

from __future__ import annotations

from typing import Any


def type_name(value: Any, mapping: str = "object") -> str:
    """The plain name of a value's type; ``mapping`` is the word for a dict (YAML says "mapping").

    >>> type_name({}), type_name([]), type_name(None), type_name(True), type_name({}, mapping="mapping")
    ('object', 'list', 'null', 'boolean', 'mapping')
    >>> type_name(b"x")
    'bytes'
    """
    names = {dict: mapping, list: "list", str: "string", bool: "boolean", int: "integer",
             float: "number", type(None): "null"}  # fmt: skip
    return names.get(type(value), type(value).__name__)
