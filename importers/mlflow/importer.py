"""MLflow's records: a tracking store and model registry, read by :mod:`.store`, as lineage.

dataset -> training run (job) -> model version -> registered model; signature columns ->
features -> the model version that reads them, weighted by logged feature importances.
Nothing is unpickled and no path from the store is opened outside the folder the user gave.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from lineage import identity
from lineage.ingest.protocol import Importer
from lineage.records import EdgeRecord, Location, NodeRecord, Problem

from ..mlflow.mlmodel import signature_inputs
from ..mlflow.store import (
    Version,
    Workspace,
    is_file_store,
    is_sql_store,
    local_artifact,
    read_file_store,
    read_sql_store,
    real_file,
)

CURRENT_ALIASES = ("production", "prod", "champion", "live", "current")
IMPORTANCE_PREFIXES = ("importance.", "feature_importance.")
IMPORTANCE_FILES = ("feature_importance.json", "feature_importances.json")
RUN_TAGS_KEPT = ("team", "owner", "mlflow.user", "mlflow.source.name", "mlflow.source.type")


class MLflowImporter(Importer):
    name = "mlflow"
    description = "MLflow tracking and registry: runs, datasets, models, versions, signatures"
    reads = "an mlruns/ folder (MLflow 2 or 3 file store) or an mlflow.db SQLite store"
    priority = 20

    def sniff(self, path: Path) -> bool:
        return is_file_store(path) if path.is_dir() else is_sql_store(path)

    def read(self, path: Path, options: Mapping[str, str] | None = None) -> Iterator[NodeRecord | EdgeRecord | Problem]:
        workspace = read_file_store(path) if path.is_dir() else read_sql_store(path)
        yield from workspace.problems
        yield from _Records(workspace).all()


class _Records:
    def __init__(self, ws: Workspace):
        self.ws = ws

    def all(self) -> Iterator[NodeRecord | EdgeRecord | Problem]:
        run_nodes = {}
        for run in self.ws.runs.values():
            experiment = self.ws.experiments.get(run.experiment, run.experiment)
            namespace, name = identity.training_run(experiment, run.name, run.id)
            tags = {k: v for k, v in run.tags.items() if k in RUN_TAGS_KEPT}
            node = NodeRecord(
                "job", name, namespace, owner=run.tags.get("owner"), team=run.tags.get("team"),
                attributes={"run_id": run.id, "status": run.status, "experiment": experiment,
                            "params": run.params, "metrics": run.metrics, "tags": tags,
                            "start_time": run.start, "end_time": run.end},
                location=run.location, aliases=(f"runs:/{run.id}",),
            )  # fmt: skip
            run_nodes[run.id] = node
            yield node
            for dataset_id, context in run.inputs:
                yield from self.dataset_into(dataset_id, node, context, run.location)
        versions_by_model: dict[str, list[Version]] = {}
        for version in self.ws.versions:
            versions_by_model.setdefault(version.name, []).append(version)
        registered_logged = {v.model_id for v in self.ws.versions if v.model_id}
        for name, versions in sorted(versions_by_model.items()):
            yield from self.registered(name, versions, run_nodes)
        for model in self.ws.models.values():
            if model.name not in versions_by_model:
                yield NodeRecord("model", model.name, identity.MLFLOW,
                                 attributes={"description": model.description} if model.description else {},
                                 location=model.location, classifiable=True,
                                 aliases=(f"models:/{model.name}",))  # fmt: skip
        for logged in self.ws.logged_models.values():
            if logged.id in registered_logged:
                continue
            experiment = self.ws.experiments.get(logged.experiment, logged.experiment)
            node = NodeRecord("model", f"{experiment}/{logged.name}@{logged.id[:10]}", identity.MLFLOW,
                              attributes={"logged_model_id": logged.id}, location=logged.location,
                              aliases=(f"models:/{logged.id}",))  # fmt: skip
            yield node
            if logged.run_id in run_nodes:
                yield EdgeRecord(run_nodes[logged.run_id].id, node.id, "writes", location=logged.location)
            yield from self.features(node, self.model_folder(logged.artifact_location), logged.run_id)

    def dataset_into(self, dataset_id: str, run_node: NodeRecord, context: str | None,
                     where: Location) -> Iterator[NodeRecord | EdgeRecord | Problem]:  # fmt: skip
        ds = self.ws.datasets.get(dataset_id)
        if ds is None:
            yield Problem(where, f"the run's input names unknown dataset {dataset_id!r}")
            return
        node = NodeRecord("dataset", ds.name, identity.MLFLOW,
                          attributes={"digest": ds.digest, "source_type": ds.source_type,
                                      "source": ds.source, "columns": ds.columns},
                          location=ds.location)  # fmt: skip
        yield node
        if ds.source:
            namespace, name = identity.dataset_from_uri(ds.source)
            upstream = NodeRecord("dataset", name, namespace, location=ds.location, aliases=(ds.source,))
            yield upstream
            yield EdgeRecord(upstream.id, node.id, "derives", location=ds.location)
        yield EdgeRecord(node.id, run_node.id, "reads", location=ds.location,
                         attributes={"context": context} if context else {})  # fmt: skip

    def registered(self, name: str, versions: list[Version], run_nodes: dict) -> Iterator[Any]:
        model = self.ws.models.get(name)
        current = _current_version(versions, model.aliases if model else {})
        group = NodeRecord(
            "model", name, identity.MLFLOW,
            attributes={"description": model.description if model else None,
                        "aliases": model.aliases if model else {}, "current_version": current,
                        "versions": sorted(v.version for v in versions),
                        "tags": model.tags if model else {}},
            location=model.location if model else versions[0].location,
            classifiable=True, aliases=(f"models:/{name}",),
        )  # fmt: skip
        group.attributes = {k: v for k, v in group.attributes.items() if v not in (None, {}, [])}
        yield group
        alias_of = {v: a for a, v in (model.aliases if model else {}).items()}
        for version in sorted(versions, key=lambda v: v.version):
            node = NodeRecord(
                "model", f"{name}/v{version.version}", identity.MLFLOW,
                attributes={"version": version.version, "stage": version.stage,
                            "status": version.status, "run_id": version.run_id,
                            "logged_model_id": version.model_id, "alias": alias_of.get(version.version),
                            "current": version.version == current,
                            "description": version.description},
                location=version.location, aliases=(f"models:/{name}/{version.version}",),
            )  # fmt: skip
            node.attributes = {k: v for k, v in node.attributes.items() if v is not None}
            yield node
            yield EdgeRecord(node.id, group.id, "version_of", location=version.location)
            if version.run_id in run_nodes:
                yield EdgeRecord(run_nodes[version.run_id].id, node.id, "writes", location=version.location)
            logged = self.ws.logged_models.get(version.model_id or "")
            folder = (self.model_folder(version.source) or self.model_folder(version.storage_location)
                      or (self.model_folder(logged.artifact_location) if logged else None))  # fmt: skip
            yield from self.features(node, folder, version.run_id)

    def model_folder(self, uri: str | None) -> Path | None:
        folder = local_artifact(uri, self.ws)
        return folder if folder and real_file(folder / "MLmodel") else None

    def features(self, model: NodeRecord, folder: Path | None, run_id: str | None) -> Iterator[Any]:
        """Signature inputs -> features -> the model, with importances where they were logged."""
        if folder is None:
            return
        mlmodel = folder / "MLmodel"
        where = Location(str(mlmodel), line=1)
        inputs = signature_inputs(mlmodel)
        if isinstance(inputs, Problem):
            yield inputs
            return
        columns = [c["name"] for c in inputs if isinstance(c, dict) and isinstance(c.get("name"), str)]
        weights = self.importances(run_id, folder)
        run = self.ws.runs.get(run_id or "")
        training = [self.ws.datasets[d] for d, _ in (run.inputs if run else []) if d in self.ws.datasets]
        for column in columns:
            feature = NodeRecord("feature", column, identity.MLFLOW, location=where, classifiable=True)
            yield feature
            yield EdgeRecord(feature.id, model.id, "reads", weight=weights.get(column), location=where)
            for ds in training:
                if column in ds.columns:
                    yield NodeRecord("dataset", ds.name, identity.MLFLOW, location=ds.location,
                                     reference=True)  # fmt: skip
                    yield EdgeRecord(f"dataset:{identity.MLFLOW}/{ds.name}", feature.id, "derives",
                                     location=ds.location)  # fmt: skip

    def importances(self, run_id: str | None, model_folder: Path) -> dict[str, float]:
        """Feature importances: metrics ``importance.<f>`` / ``feature_importance.<f>`` of the
        run, or a ``feature_importance.json`` dict in the model's or the run's artifacts."""
        run = self.ws.runs.get(run_id or "")
        found: dict[str, float] = {}
        if run:
            for key, value in run.metrics.items():
                for prefix in IMPORTANCE_PREFIXES:
                    if key.startswith(prefix):
                        try:
                            found[key[len(prefix) :]] = abs(float(value))
                        except (TypeError, ValueError):
                            pass
        folders = [model_folder, local_artifact(run.artifact_uri, self.ws) if run else None]
        for folder in folders:
            for name in IMPORTANCE_FILES:
                file = folder / name if folder else None
                if file and real_file(file):  # a link could lead out of the folder given
                    try:
                        data = json.loads(file.read_text("utf-8"))
                    except (OSError, ValueError, RecursionError):  # importances are optional
                        continue
                    if isinstance(data, dict):
                        for key, value in data.items():
                            if isinstance(value, int | float) and not isinstance(value, bool):
                                found.setdefault(str(key), abs(float(value)))
        return found


def _current_version(versions: list[Version], aliases: dict[str, int]) -> int | None:
    """The version served: the production alias, else the Production stage, else the latest."""
    for alias in CURRENT_ALIASES:
        for name, version in aliases.items():
            if name.lower() == alias:
                return version
    production = [v.version for v in versions if (v.stage or "").lower() == "production"]
    if production:
        return max(production)
    return max((v.version for v in versions), default=None)
