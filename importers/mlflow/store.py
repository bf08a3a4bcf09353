"""Read an MLflow tracking store and model registry into plain objects, without MLflow.

Two layouts: the folder store (``mlruns/``, MLflow 2 and 3) and the SQL store (``mlflow.db``,
the MLflow 3 default). Both become a :class:`Workspace`; :mod:`lineage_importers.mlflow` turns that
into lineage records. Paths and URIs in the store are opaque strings: a file is only opened
when it lies inside the folder the user gave (see :func:`local_artifact`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from lineage.records import InputError, Location, Problem

from .._kit.shapes import Shape, optional
from .._kit.sqlitestore import has_sqlite_header
from .._kit.sqlrows import decode_row
from .._kit.structured import decode_text, load_structured, location

# What the importer reads from an SQL store; a store without these is a schema it does not know.
INTEGER_COLUMNS = frozenset({"experiment_id", "start_time", "end_time", "version"})
REQUIRED_COLUMNS = {
    "experiments": ("experiment_id", "name"),
    "runs": ("run_uuid", "name", "experiment_id", "status", "start_time", "end_time", "artifact_uri"),
    "params": ("key", "value", "run_uuid"),
    "latest_metrics": ("key", "value", "run_uuid"),
    "tags": ("key", "value", "run_uuid"),
    "registered_models": ("name", "description"),
    "model_versions": ("name", "version", "run_id", "source", "current_stage", "status"),
}
OPTIONAL_TABLES = ("datasets", "inputs", "input_tags", "logged_models", "registered_model_aliases",
                   "model_versions", "registered_model_tags")  # fmt: skip


@dataclass
class Run:
    id: str
    name: str | None
    experiment: str
    status: str | None
    start: int | None
    end: int | None
    artifact_uri: str | None
    location: Location
    params: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    inputs: list[tuple[str, str | None]] = field(default_factory=list)  # dataset id, context
    outputs: list[str] = field(default_factory=list)  # logged model ids


@dataclass
class Dataset:
    id: str
    name: str
    digest: str | None
    source_type: str | None
    source: str | None
    columns: list[str]
    location: Location


@dataclass
class LoggedModel:
    id: str
    name: str
    experiment: str
    run_id: str | None
    artifact_location: str | None
    location: Location


@dataclass
class Version:
    name: str
    version: int
    run_id: str | None
    model_id: str | None
    source: str | None
    storage_location: str | None
    stage: str | None
    status: str | None
    description: str | None
    location: Location


@dataclass
class RegisteredModel:
    name: str
    description: str | None
    aliases: dict[str, int]
    tags: dict[str, str]
    location: Location


@dataclass
class Workspace:
    root: Path  # the folder the user gave (or the SQL store's folder): nothing is read outside
    artifact_roots: list[Path]  # where copied stores keep their artifacts (mlruns folders)
    experiments: dict[str, str] = field(default_factory=dict)  # id -> name
    runs: dict[str, Run] = field(default_factory=dict)
    datasets: dict[str, Dataset] = field(default_factory=dict)
    logged_models: dict[str, LoggedModel] = field(default_factory=dict)
    models: dict[str, RegisteredModel] = field(default_factory=dict)
    versions: list[Version] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def local_artifact(uri: str | None, workspace: Workspace) -> Path | None:
    """The local folder an artifact URI names, inside the folder the user gave, or None.

    An absolute path from another machine is looked up again below the store's own
    ``mlruns`` folder; anything that would resolve outside the user's folder is refused.
    """
    if not uri:
        return None
    parts = urlsplit(uri)
    if parts.scheme not in ("", "file") or (parts.scheme == "" and ":" in uri.split("/")[0]):
        return None  # s3://, models:/, mlflow-artifacts:/ ... are not local files
    raw = Path(unquote(parts.path))
    root = workspace.root.resolve()
    candidates = [raw] if raw.is_absolute() else [workspace.root / raw]
    if "mlruns" in raw.parts:
        tail = raw.parts[len(raw.parts) - raw.parts[::-1].index("mlruns") :]
        candidates += [base / Path(*tail) for base in workspace.artifact_roots if tail]
    for candidate in candidates:
        try:
            resolved = candidate.resolve()
        except OSError:
            continue
        if resolved.is_relative_to(root) and resolved.exists():
            return resolved
    return None


# -- the folder store --------------------------------------------------------------------------


def is_file_store(path: Path) -> bool:
    """An ``mlruns`` folder: experiment folders with a meta.yaml naming an experiment_id."""
    if not path.is_dir():
        return False
    meta = path / "0" / "meta.yaml"
    if meta.is_file():
        return True
    for child in _subfolders(path)[:50]:
        if real_file(child / "meta.yaml"):
            try:
                head = (child / "meta.yaml").read_text("utf-8", errors="replace")[:2048]
            except OSError:
                continue
            if "experiment_id:" in head and "artifact_location:" in head:
                return True
    return False


_TEXT = optional("string")
_ID = {"type": ["string", "integer"]}
_VERSION = {"type": ["integer", "string"], "pattern": "^[0-9]+$"}  # MLflow writes either
# What this importer reads of each kind of meta.yaml, with the types it needs.
META_SHAPES = {kind: Shape({"type": "object", "properties": properties}) for kind, properties in {
    "experiment": {"experiment_id": _ID, "name": {"type": "string"}, "artifact_location": _TEXT},
    "run": {"run_id": {"type": "string"}, "run_uuid": _TEXT, "run_name": _TEXT, "experiment_id": _ID,
            "status": optional(["integer", "string"]), "start_time": optional("integer"),
            "end_time": optional("integer"), "artifact_uri": _TEXT},
    "dataset": {"name": {"type": "string"}, "digest": _TEXT, "source_type": _TEXT, "source": _TEXT,
                "schema": _TEXT},
    "logged_model": {"model_id": {"type": "string"}, "name": _TEXT, "source_run_id": _TEXT,
                     "artifact_location": _TEXT},
    "model": {"name": {"type": "string"}, "description": _TEXT,
              "aliases": {"type": ["object", "null"], "additionalProperties": _VERSION}},
    "version": {"name": {"type": "string"}, "version": _VERSION,
                **{k: _TEXT for k in ("run_id", "source", "current_stage", "status", "description", "model_id",
                                      "storage_location")}},
    "link": {"source_type": _TEXT, "source_id": _TEXT, "destination_type": _TEXT, "destination_id": _TEXT,
             "tags": optional("object")},
}.items()}  # fmt: skip


def _meta(path: Path, problems: list[Problem], kind: str) -> dict | None:
    """A meta.yaml of the file store, if it reads as the ``kind`` of meta it should be."""
    file = str(path)
    try:
        data, lines = load_structured(path.read_bytes(), file, ".yaml")
    except InputError as exc:
        problems.append(exc.problem)
        return None
    except OSError as exc:
        problems.append(Problem(Location(file), f"cannot read: {_reason(exc)}"))
        return None
    if not isinstance(data, dict):
        problems.append(Problem(Location(file, line=1), "expected a mapping of keys to values"))
        return None
    if wrong := META_SHAPES[kind].error(data):
        problems.append(Problem(location(file, lines, wrong[0]), wrong[1]))
        return None
    return data


def _require(data: dict, keys: tuple[str, ...], path: Path, problems: list[Problem]) -> bool:
    missing = [k for k in keys if data.get(k) in (None, "")]
    if missing:
        problems.append(Problem(Location(str(path), line=1), f"missing {missing[0]!r}"))
    return not missing


def real_file(path: Path) -> bool:
    """A regular file, not a link (nor a FIFO or device, which could block a read forever), whose
    name is UTF-8 text (others are reported by the import, by their escaped names)."""
    return path.is_file() and not path.is_symlink() and _utf8_name(path)


def _utf8_name(path: Path) -> bool:
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _reason(exc: OSError) -> str:
    text = exc.strerror or str(exc)
    return text[:1].lower() + text[1:]


def _subfolders(folder: Path) -> list[Path]:
    """The real subfolders of a real folder: the store is read without following a symbolic
    link, so no file outside the folder the user gave is ever opened."""
    if folder.is_symlink() or not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.is_symlink() and _utf8_name(p))


def _metas(folder: Path, prefix: str = "") -> list[Path]:
    """The meta.yaml of each real subfolder of ``folder`` whose name starts with ``prefix``."""
    return [p / "meta.yaml" for p in _subfolders(folder) if p.name.startswith(prefix) and real_file(p / "meta.yaml")]


def _small_files(folder: Path, problems: list[Problem]) -> dict[str, str]:
    """Params and tags: one value a file, named by the file."""
    out = {}
    if folder.is_dir() and not folder.is_symlink():  # rglob does not follow links further down
        for file in sorted(folder.rglob("*")):
            if real_file(file):
                try:
                    out[str(file.relative_to(folder))] = decode_text(file.read_bytes(), str(file)).strip()
                except InputError as exc:
                    problems.append(exc.problem)
                except OSError as exc:
                    problems.append(Problem(Location(str(file)), f"cannot read: {_reason(exc)}"))
    return out


def _latest_metric(path: Path, problems: list[Problem]) -> float | None:
    """The latest value of a metric file (lines of ``timestamp value [step]``)."""
    try:
        text = decode_text(path.read_bytes(), str(path))
    except InputError as exc:
        problems.append(exc.problem)
        return None
    except OSError as exc:
        problems.append(Problem(Location(str(path)), f"cannot read: {_reason(exc)}"))
        return None
    best = None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split()
        try:
            if len(parts) not in (2, 3):
                raise ValueError
            stamp, value = int(parts[0]), float(parts[1])
        except ValueError:
            problems.append(Problem(Location(str(path), line=number),
                                    "a metric line is 'timestamp value [step]' (numbers)"))  # fmt: skip
            return None
        if best is None or stamp >= best[0]:
            best = (stamp, value)
    return best[1] if best else None


def read_file_store(path: Path) -> Workspace:
    ws = Workspace(root=path, artifact_roots=[path])
    problems = ws.problems
    for exp_dir in (meta.parent for meta in _metas(path)):
        meta = _meta(exp_dir / "meta.yaml", problems, "experiment")
        if meta is None or not _require(meta, ("experiment_id", "name"), exp_dir / "meta.yaml", problems):
            continue
        exp_id = str(meta["experiment_id"])
        ws.experiments[exp_id] = str(meta["name"])
        for ds_meta_path in _metas(exp_dir / "datasets"):
            ds = _meta(ds_meta_path, problems, "dataset")
            if ds is None or not _require(ds, ("name",), ds_meta_path, problems):
                continue
            made = _dataset(ds_meta_path.parent.name, ds, Location(str(ds_meta_path), line=1))
            if isinstance(made, Problem):
                problems.append(made)
            else:
                ws.datasets[ds_meta_path.parent.name] = made
        for model_meta in _metas(exp_dir / "models"):
            lm = _meta(model_meta, problems, "logged_model")
            if lm is None or not _require(lm, ("model_id",), model_meta, problems):
                continue
            ws.logged_models[str(lm["model_id"])] = LoggedModel(
                str(lm["model_id"]),
                str(lm.get("name") or "model"),
                exp_id,
                lm.get("source_run_id"),
                lm.get("artifact_location"),
                Location(str(model_meta), line=1),
            )
        for run_dir in (m.parent for m in _metas(exp_dir) if m.parent.name not in ("datasets", "models")):
            _read_file_run(ws, exp_id, run_dir)
    models_dir = path / "models"
    for model_meta in _metas(models_dir):
        rm = _meta(model_meta, problems, "model")
        if rm is None or not _require(rm, ("name",), model_meta, problems):
            continue
        aliases = rm.get("aliases") or {}
        tags = _small_files(model_meta.parent / "tags", problems)
        ws.models[str(rm["name"])] = RegisteredModel(
            str(rm["name"]), rm.get("description"),
            {str(k): int(v) for k, v in aliases.items()} if isinstance(aliases, dict) else {},
            tags, Location(str(model_meta), line=1))  # fmt: skip
        for version_meta in _metas(model_meta.parent, "version-"):
            mv = _meta(version_meta, problems, "version")
            if mv is None or not _require(mv, ("name", "version"), version_meta, problems):
                continue
            ws.versions.append(_version(mv, Location(str(version_meta), line=1)))
    return ws


def _read_file_run(ws: Workspace, exp_id: str, run_dir: Path) -> None:
    meta_path = run_dir / "meta.yaml"
    meta = _meta(meta_path, ws.problems, "run")
    if meta is None or not _require(meta, ("run_id",), meta_path, ws.problems):
        return
    statuses: dict[Any, str] = {1: "RUNNING", 2: "SCHEDULED", 3: "FINISHED", 4: "FAILED", 5: "KILLED"}
    status = statuses.get(meta.get("status"), str(meta.get("status")) if meta.get("status") is not None else None)
    run = Run(str(meta["run_id"]), meta.get("run_name") or None, exp_id, status,
              meta.get("start_time"), meta.get("end_time"), meta.get("artifact_uri"),
              Location(str(meta_path), line=1))  # fmt: skip
    run.params = _small_files(run_dir / "params", ws.problems)
    run.tags = _small_files(run_dir / "tags", ws.problems)
    metrics = run_dir / "metrics"
    for file in sorted(metrics.rglob("*")) if metrics.is_dir() and not metrics.is_symlink() else []:
        if real_file(file):
            value = _latest_metric(file, ws.problems)
            if value is not None:
                run.metrics[str(file.relative_to(metrics))] = value
    for input_meta in _metas(run_dir / "inputs"):
        link = _meta(input_meta, ws.problems, "link")
        if link and link.get("source_type") == "DATASET":
            context = (link.get("tags") or {}).get("mlflow.data.context")
            run.inputs.append((str(link.get("source_id")), context))
    for output_meta in _metas(run_dir / "outputs"):
        link = _meta(output_meta, ws.problems, "link")
        if link and link.get("destination_type") == "MODEL_OUTPUT":
            run.outputs.append(str(link.get("destination_id")))
    ws.runs[run.id] = run


def _shown(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _dataset(ds_id: str, meta: dict, where: Location) -> Dataset | Problem:
    source, schema = meta.get("source"), meta.get("schema")
    try:
        uri = json.loads(source).get("uri") if source else None
        spec = (json.loads(schema).get("mlflow_colspec") or []) if schema else []
        columns = [c["name"] for c in spec if isinstance(c, dict) and isinstance(c.get("name"), str)]
    except (json.JSONDecodeError, TypeError, AttributeError, RecursionError):
        return Problem(where, f"dataset {ds_id}: its source and schema must be JSON objects")
    return Dataset(ds_id, str(meta["name"]), meta.get("digest"), meta.get("source_type"),
                   uri if isinstance(uri, str) else None, columns, where)  # fmt: skip


def _version(meta: dict, location: Location) -> Version:
    model_id = meta.get("model_id")
    source = meta.get("source") or ""
    if not model_id and source.startswith("models:/m-"):  # MLflow 3: the version of a logged model
        model_id = source[len("models:/") :].split("/")[0]
    return Version(
        str(meta["name"]), int(meta["version"]), meta.get("run_id"), model_id,
        meta.get("source"), meta.get("storage_location"),
        None if meta.get("current_stage") in (None, "None") else str(meta["current_stage"]),
        meta.get("status"), meta.get("description"), location,
    )  # fmt: skip


# -- the SQL store -----------------------------------------------------------------------------


def is_sql_store(path: Path) -> bool:
    try:
        if not has_sqlite_header(path):
            return False
        conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
        try:
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            conn.close()
    except (OSError, sqlite3.Error):
        return False
    return {"experiments", "runs", "alembic_version"} <= names


def read_sql_store(path: Path) -> Workspace:
    file = str(path)
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as exc:
        raise InputError(Location(file), f"not a readable SQLite file: {exc}") from None
    try:
        return _read_sql(conn, path)
    except sqlite3.DatabaseError as exc:
        raise InputError(Location(file), f"cannot read the MLflow store: {exc}") from None
    finally:
        conn.close()


def _read_sql(conn: sqlite3.Connection, path: Path) -> Workspace:
    file = str(path)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    revision = next(iter(conn.execute("SELECT version_num FROM alembic_version").fetchall()), ("?",))[0]
    for table, columns in REQUIRED_COLUMNS.items():
        if table not in tables:
            raise InputError(Location(file, table=table),
                             f"unknown MLflow schema version {revision}: no table {table!r}")  # fmt: skip
        have = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}  # noqa: S608
        missing = [c for c in columns if c not in have]
        if missing:
            message = f"unknown MLflow schema version {revision}: {table} has no column {missing[0]!r}"
            raise InputError(Location(file, table=table), message)
    ws = Workspace(root=path.parent, artifact_roots=[path.parent / "mlruns"])
    conn.text_factory = bytes  # text is decoded row by row, so a bad value names its row

    def loc(table: str, row) -> Location:
        return Location(file, table=table, row=str(row))

    def rows(table: str, columns: str, key: tuple[int, ...] = (0,), number: frozenset = frozenset()) -> Iterator[tuple]:
        """Checked rows of ``table``; a row with a value of the wrong type becomes a problem."""
        names = tuple(c.strip() for c in columns.split(","))
        for raw in conn.execute(f"SELECT {columns} FROM {table}"):  # noqa: S608 (names are ours)
            row = decode_row(raw, names, integer=INTEGER_COLUMNS, number=number)
            if isinstance(row, str):
                shown = "/".join(_shown(raw[i]) for i in key)
                ws.problems.append(Problem(loc(table, shown), row))
            else:
                yield row

    for exp_id, name in rows("experiments", "experiment_id, name"):
        if not isinstance(name, str) or not name:
            ws.problems.append(Problem(loc("experiments", exp_id), f"an experiment needs a name, not {name!r}"))
            continue
        ws.experiments[str(exp_id)] = name
    for run_id, name, exp_id, status, start, end, artifact_uri in rows(
        "runs", "run_uuid, name, experiment_id, status, start_time, end_time, artifact_uri"
    ):
        if str(exp_id) not in ws.experiments:
            ws.problems.append(Problem(loc("runs", run_id), f"names unknown experiment {exp_id!r}"))
            continue
        ws.runs[run_id] = Run(run_id, name, str(exp_id), status, start, end, artifact_uri,
                              loc("runs", run_id))  # fmt: skip
    for table, target in (("params", "params"), ("latest_metrics", "metrics"), ("tags", "tags")):
        number = frozenset({"value"}) if table == "latest_metrics" else frozenset()
        for key, value, run_id in rows(table, "key, value, run_uuid", (2, 0), number):
            if run_id in ws.runs:
                getattr(ws.runs[run_id], target)[key] = value
            else:
                ws.problems.append(Problem(loc(table, f"{run_id}/{key}"), f"names unknown run {run_id!r}"))
    if "datasets" in tables:
        for ds_id, name, digest, source_type, source, schema in rows(
            "datasets", "dataset_uuid, name, digest, dataset_source_type, dataset_source, dataset_schema"
        ):
            made = _dataset(ds_id, {"name": name, "digest": digest, "source_type": source_type,
                                    "source": source, "schema": schema}, loc("datasets", ds_id))  # fmt: skip
            if isinstance(made, Problem):
                ws.problems.append(made)
            else:
                ws.datasets[ds_id] = made
    if "inputs" in tables:
        contexts = {}
        if "input_tags" in tables:
            for input_id, name, value in rows("input_tags", "input_uuid, name, value"):
                if name == "mlflow.data.context":
                    contexts[input_id] = value
        for input_id, source_type, source_id, dest_type, dest_id in rows(
            "inputs", "input_uuid, source_type, source_id, destination_type, destination_id"
        ):
            run_id = dest_id if dest_type == "RUN" else source_id if source_type == "RUN_OUTPUT" else None
            if run_id is not None and run_id not in ws.runs:
                ws.problems.append(Problem(loc("inputs", input_id), f"names unknown run {run_id!r}"))
            elif source_type == "DATASET" and dest_type == "RUN":
                ws.runs[dest_id].inputs.append((source_id, contexts.get(input_id)))
            elif source_type == "RUN_OUTPUT" and dest_type == "MODEL_OUTPUT":
                ws.runs[source_id].outputs.append(dest_id)
    if "logged_models" in tables:
        for model_id, exp_id, name, artifact, run_id in rows(
            "logged_models", "model_id, experiment_id, name, artifact_location, source_run_id"
        ):
            ws.logged_models[model_id] = LoggedModel(model_id, name or "model", str(exp_id), run_id,
                                                     artifact, loc("logged_models", model_id))  # fmt: skip
    for name, description in rows("registered_models", "name, description"):
        if not name:
            ws.problems.append(Problem(loc("registered_models", repr(name)), "a registered model needs a name"))
            continue
        ws.models[name] = RegisteredModel(name, description, {}, {}, loc("registered_models", name))
    if "registered_model_aliases" in tables:
        for alias, version, name in rows("registered_model_aliases", "alias, version, name"):
            if name in ws.models:
                ws.models[name].aliases[alias] = int(version)
    if "registered_model_tags" in tables:
        for key, value, name in rows("registered_model_tags", "key, value, name"):
            if name in ws.models:
                ws.models[name].tags[key] = value
    version_columns = {r[1].decode() for r in conn.execute("PRAGMA table_info(model_versions)")}
    extra = ", ".join(c if c in version_columns else "NULL"
                      for c in ("model_id", "storage_location", "description"))  # fmt: skip
    for row in rows("model_versions", f"name, version, run_id, source, current_stage, status, {extra}",
                    (0, 1)):  # fmt: skip
        name, version, run_id, source, stage, status, model_id, storage, description = row
        if name not in ws.models:
            ws.problems.append(
                Problem(
                    loc("model_versions", f"{name}/{version}"),
                    f"a version of {name!r}, which registered_models does not have",
                )
            )
            continue
        ws.versions.append(_version(
            {"name": name, "version": version, "run_id": run_id, "source": source,
             "current_stage": stage, "status": status, "model_id": model_id,
             "storage_location": storage, "description": description},
            loc("model_versions", f"{name}/{version}")))  # fmt: skip
    return ws
