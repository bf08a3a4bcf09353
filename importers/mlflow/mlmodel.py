"""Read the input columns of an MLflow model's signature from its ``MLmodel`` file (YAML).

Every way the file can break is a located problem, never an exception: the signature is
optional to the import, the model is not.
"""

from __future__ import annotations

import json
from pathlib import Path

from lineage.records import InputError, Location, Problem

from .._kit.structured import Rejected, load_structured, location, strict_loads


def signature_inputs(mlmodel: Path) -> list | Problem:
    """The input columns of an MLmodel's signature (a JSON list in its YAML), or where it breaks."""
    file = str(mlmodel)
    try:
        spec, lines = load_structured(mlmodel.read_bytes(), file, ".yaml")
    except InputError as exc:
        return exc.problem
    except OSError as exc:
        text = exc.strerror or str(exc)
        return Problem(Location(file), f"cannot read: {text[:1].lower()}{text[1:]}")
    if spec is None:
        return []
    if not isinstance(spec, dict):
        return Problem(Location(file, line=1), "cannot read the model signature: MLmodel is not a mapping")
    signature = spec.get("signature")
    if signature is None:
        return []
    if not isinstance(signature, dict):
        return Problem(location(file, lines, "/signature"), "cannot read the model signature: not a mapping")
    raw = signature.get("inputs")
    where = location(file, lines, "/signature/inputs")
    if raw in (None, ""):
        return []
    if not isinstance(raw, str):
        return Problem(where, f"cannot read the model signature: inputs must be JSON text, not {type(raw).__name__}")
    try:
        inputs = strict_loads(raw)
    except json.JSONDecodeError as exc:
        return Problem(where, f"cannot read the model signature: invalid JSON in inputs: {exc.msg}")
    except (Rejected, ValueError) as exc:
        return Problem(where, f"cannot read the model signature: invalid JSON in inputs: {exc}")
    except RecursionError:
        return Problem(where, "cannot read the model signature: inputs nested too deeply")
    if not isinstance(inputs, list):
        kind = type(inputs).__name__
        return Problem(where, f"cannot read the model signature: inputs must be a JSON list, not {kind}")
    return inputs
