"""Words and tests for the values a document holds: the name a message gives a value's type
("must be a list, not a string") and whether a value is a usable name."""

from __future__ import annotations

from typing import Any, TypeGuard


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


def is_name(value: Any) -> TypeGuard[str]:
    """A string with more than white space in it.

    >>> is_name("ctr"), is_name("  "), is_name(3)
    (True, False, False)
    """
    return isinstance(value, str) and bool(value.strip())
