"""dbt's graph operators in the search box: ``2+model+1`` is the model, its ancestors up to 2
hops and its descendants up to 1; a bare ``+`` reaches as far as a view goes (12 hops)."""

from __future__ import annotations

import re
from collections.abc import Callable

from lineage.refs import RefError
from lineage.views.spec import MAX_DEPTH

_SELECTOR = re.compile(r"(?:(\d*)\+)?(.+?)(?:\+(\d*))?")


def parse_selector(text: str, resolve: Callable[[str], str]) -> tuple[str, int, int] | None:
    """``(node id, up, down)`` when ``text`` is a REF with a ``+`` on either side, else None.
    ``resolve`` turns a REF into a node id (raising RefError when it names none): text that is itself a
    REF (a name holding a "+") is a REF, not a selector.

    >>> ids = {"model_a": "model:ml/model_a", "c+": "dataset:x/c+"}
    >>> def look(ref):
    ...     if ref not in ids:
    ...         raise RefError(f"no node {ref}", [])
    ...     return ids[ref]
    >>> parse_selector("2+model_a+1", look), parse_selector("+model_a", look)
    (('model:ml/model_a', 2, 1), ('model:ml/model_a', 12, 0))
    >>> parse_selector("model_a+", look), parse_selector("model_a", look), parse_selector("c+", look)
    (('model:ml/model_a', 0, 12), None, None)
    >>> parse_selector("99+model_a", look), parse_selector("2+nothing", look)
    (('model:ml/model_a', 12, 0), None)
    """
    try:
        resolve(text)
        return None  # a REF as it is
    except RefError:
        pass
    match = _SELECTOR.fullmatch(text.strip())
    if match is None or "+" not in text:
        return None
    up, ref, down = match.groups()
    try:
        node_id = resolve(ref)
    except RefError:
        return None
    return node_id, _hops(up), _hops(down)


def _hops(side: str | None) -> int:
    """No "+" on a side: 0 hops; a bare "+": as far as a view goes; "2+": 2."""
    if side is None:
        return 0
    return min(int(side), MAX_DEPTH) if side else MAX_DEPTH
