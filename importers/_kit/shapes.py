"""Check the shape of the part of a document an importer reads, with JSON Schema.

Real exports carry much more than an importer reads; a :class:`Shape` checks only what it
reads (types of the fields it uses, the fields it needs), so a wrong type becomes a located
problem instead of a crash deep inside the importer. A compiled fastjsonschema gate keeps the
common (valid) case fast; jsonschema runs only on failure, to say exactly what is wrong.
"""

from __future__ import annotations

from typing import Any

import fastjsonschema
import jsonschema

from .._kit.structured import pointer_join

TYPE_NAMES = {"object": "an object", "array": "a list", "string": "a string", "integer": "an integer",
              "number": "a number", "boolean": "true or false", "null": "null"}  # fmt: skip


def _type_words(expected: str | list[str]) -> str:
    names = [expected] if isinstance(expected, str) else expected
    return " or ".join(TYPE_NAMES.get(n, n) for n in names)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    return {dict: "an object", list: "a list", str: "a string", int: "an integer",
            float: "a number"}.get(type(value), type(value).__name__)  # fmt: skip


def describe(error: jsonschema.ValidationError, whole: str = "the document") -> str:
    """One plain sentence for a schema error, naming the field by its dotted path.

    >>> schema = {"type": "object", "properties": {"tags": {"type": "array"}}, "required": ["name"]}
    >>> describe(next(jsonschema.Draft7Validator(schema).iter_errors({"tags": []})))
    "missing 'name'"
    >>> describe(next(jsonschema.Draft7Validator(schema).iter_errors({"name": 1, "tags": 3})))
    'tags must be a list, not an integer'
    """
    label = ".".join(map(str, error.absolute_path)) or whole
    if error.validator == "required":
        missing = error.message.split("'")[1]
        return f"missing {missing!r}" + (f" in {label}" if error.absolute_path else "")
    if error.validator == "type":
        return f"{label} must be {_type_words(error.validator_value)}, not {_json_type(error.instance)}"
    if error.validator == "enum":
        return f"{label} must be one of {', '.join(map(str, error.validator_value))}, not {error.instance!r}"
    if error.validator == "minLength":
        return f"{label} must not be empty"
    return f"{label}: {error.message}"


class Shape:
    """A JSON Schema (draft 7 keywords) for what an importer reads.

    >>> shape = Shape({"type": "object", "properties": {"name": {"type": "string"}}})
    >>> shape.error({"name": "ok"}) is None
    True
    >>> shape.error({"name": 7}, "/nodes/a")
    ('/nodes/a/name', 'name must be a string, not an integer')
    """

    def __init__(self, schema: dict[str, Any]):
        self.schema = {"$schema": "http://json-schema.org/draft-07/schema#", **schema}
        self._gate = fastjsonschema.compile(self.schema)
        self._validator = jsonschema.Draft7Validator(self.schema)

    def error(self, value: Any, base: str = "") -> tuple[str, str] | None:
        """(JSON pointer, message) of the most relevant error in ``value``, or None if valid."""
        try:
            self._gate(value)
            return None
        except fastjsonschema.JsonSchemaException:
            pass
        except RecursionError:
            return base, "nested too deeply"
        best = jsonschema.exceptions.best_match(self._validator.iter_errors(value))
        if best is None:  # the two validators disagree: trust the reference one
            return None
        pointer = base
        for token in best.absolute_path:
            pointer = pointer_join(pointer, token)
        return pointer, describe(best)


def optional(kind: str | list[str]) -> dict[str, Any]:
    """A value of ``kind`` or null (schema)."""
    kinds = [kind] if isinstance(kind, str) else kind
    return {"type": [*kinds, "null"]}
