"""The hostile-name corpus (tests/importers/data/hostile_names.json) and the manifest that imports it.

JSON keeps NUL, CR, LF and every other character exactly; each name lands as a feature, a model
and a consumer name, and as a description, owner, team, tag, attribute and namespace."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from tests.conftest import DATA  # noqa: E402


@cache
def hostile_names() -> tuple[str, ...]:
    return tuple(json.loads((DATA / "hostile_names.json").read_text("utf-8"))["names"])


def hostile_manifest(names: tuple[str, ...] | None = None) -> dict:
    """Every hostile name as a feature, model and consumer, and in every free-text field.

    Every feature derives from dataset ``source``; model ``victim`` reads every feature; model ``i`` reads feature ``i`` and feeds
    consumer ``i``, so impact, trace and simulate all meet hostile names. Other ``names`` give
    the same graph with those names (harmless ones: what our own templates ship)."""
    names = hostile_names() if names is None else names
    features = [{"name": n, "description": n, "from": ["source"], "owner": n, "team": n, "tags": [n], "url": n,
                 "attributes": {"note": n, n[:200]: "key"}} for n in names]  # fmt: skip
    models = [{"name": "victim", "features": [{"name": n, "kind": "feature"} for n in names]}]
    models += [{"name": n, "namespace": n, "owner": n, "description": n,
                "features": [{"name": n, "kind": "feature"}],
                "consumers": [{"name": n, "kind": "consumer", "namespace": n}]} for n in names]  # fmt: skip
    datasets = [{"name": "source", "description": "where every hostile feature comes from"}]
    return {"lineage_manifest": 1, "datasets": datasets, "features": features, "models": models}


def write_hostile_manifest(folder: Path, names: tuple[str, ...] | None = None) -> Path:
    path = folder / "hostile.json"
    path.write_text(json.dumps(hostile_manifest(names), ensure_ascii=True), "utf-8")
    return path
