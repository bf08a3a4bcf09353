"""Imported files cannot make us run code, exhaust memory, or read outside the user's folder.

Static scans (ast) prove no unsafe loader is ever called; a real gzip bomb proves the log
readers stop; an audit hook on the ``open`` event proves no path found inside an imported
file (absolute, ``../``, or a symlink in the folder) is ever opened outside the folder given.
"""

from __future__ import annotations

import ast
import gzip
import json
import os
import shutil
import sqlite3
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from lineage.ingest import import_paths
from lineage.store import Store
from tests.conftest import DATA

ROOT = Path(__file__).parents[2]
PRODUCT = [p for package in ("lineage", "importers", "gui") for p in sorted((ROOT / package).rglob("*.py"))]
UNSAFE_MODULES = {"pickle", "cPickle", "_pickle", "marshal", "shelve", "dill", "joblib", "torch", "cloudpickle"}
ARCHIVE_MODULES = {"zipfile", "tarfile", "shutil"}  # unpack_archive lives in shutil
SAFE_YAML_LOADERS = {"SafeLoader", "CSafeLoader"}


def calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield node


def imported_modules(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module.split(".")[0])
    return found


def where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT)}:{node.lineno}"


@pytest.fixture(scope="module")
def trees():
    return {path: ast.parse(path.read_text("utf-8"), str(path)) for path in PRODUCT}


def test_no_unsafe_deserialiser_is_imported_or_called(trees):
    bad = []
    for path, tree in trees.items():
        bad += [f"{path.relative_to(ROOT)} imports {m}" for m in imported_modules(tree) & UNSAFE_MODULES]
        for call in calls(tree):
            func = call.func
            if isinstance(func, ast.Name) and func.id in ("eval", "exec", "__import__"):
                bad.append(f"{where(path, call)} calls {func.id}()")
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                if func.value.id == "yaml" and func.attr in ("load", "load_all", "unsafe_load", "full_load"):
                    loader = next((k.value for k in call.keywords if k.arg == "Loader"), None)
                    loader = loader or (call.args[1] if len(call.args) > 1 else None)
                    name = getattr(loader, "attr", None) or getattr(loader, "id", None)
                    if name not in SAFE_YAML_LOADERS:
                        bad.append(f"{where(path, call)} calls yaml.{func.attr} without a safe loader")
                if (
                    func.attr == "load"
                    and func.value.id in ("np", "numpy")
                    and not any(
                        k.arg == "allow_pickle" and getattr(k.value, "value", True) is False for k in call.keywords
                    )
                ):
                    bad.append(f"{where(path, call)} calls numpy.load, which may unpickle")
    assert not bad, "\n".join(bad)


def test_the_scan_finds_what_it_looks_for(tmp_path):
    """The scan above fails on each pattern it forbids (it must be able to fail)."""
    samples = ["import pickle", "import yaml\nyaml.load(s)", "import yaml\nyaml.load(s, Loader=yaml.Loader)",
               "eval('1')", "exec('x=1')", "from joblib import load"]  # fmt: skip
    for source in samples:
        tree = ast.parse(source)
        hits = bool(imported_modules(tree) & UNSAFE_MODULES) or any(
            (isinstance(c.func, ast.Name) and c.func.id in ("eval", "exec"))
            or (isinstance(c.func, ast.Attribute) and c.func.attr == "load" and not any(
                getattr(k.value, "attr", None) in SAFE_YAML_LOADERS for k in c.keywords))
            for c in calls(tree)
        )  # fmt: skip
        assert hits, source
    assert not any(isinstance(c.func, ast.Name) for c in calls(ast.parse("yaml.load(s, Loader=yaml.SafeLoader)")))


def test_no_importer_unpacks_archives(trees):
    """Archives are not an input format (gzip of a single log is): nothing to unpack, so no
    ``..``, absolute path, link or zip bomb can reach the disk. Only the report bundle (lineage.render.impact_report.write_bundle) writes a zip."""
    bad = []
    for path, tree in trees.items():
        if path.parts[-2] in ("importers", "lineage") and path.name != "cli.py":
            bad += [f"{path.relative_to(ROOT)} imports {m}" for m in imported_modules(tree) & {"zipfile", "tarfile"}]
        for call in calls(tree):
            if isinstance(call.func, ast.Attribute) and call.func.attr in ("extractall", "extract", "unpack_archive"):
                bad.append(f"{where(path, call)} unpacks an archive")
    assert not bad, "\n".join(bad)


# -- gzip bombs --------------------------------------------------------------------------------


def bomb(path: Path, size: int = 10_000_000, line: bytes = b"") -> Path:
    """``size`` bytes of zeros (one line, unless ``line`` is repeated), gzipped to a few KB."""
    with gzip.open(path, "wb", compresslevel=9) as fh:
        fh.write(line * (size // len(line)) if line else b"\0" * size)
    return path


@pytest.mark.parametrize(
    ("name", "fmt", "line"),
    [
        ("requests.jsonl.gz", "servinglog", b""),
        ("events.jsonl.gz", "openlineage", b""),
        ("events.json.gz", "openlineage", b""),
        ("requests.csv.gz", "servinglog", b""),
    ],
)
def test_a_gzip_bomb_stops_with_a_message_naming_the_file(tmp_path, monkeypatch, name, fmt, line):
    from lineage_importers._kit import logfiles

    monkeypatch.setattr(logfiles, "MAX_LINE_BYTES", 1_000_000)
    monkeypatch.setattr(logfiles, "MAX_GZIP_BYTES", 2_000_000)
    path = bomb(tmp_path / name)
    assert path.stat().st_size < 50_000
    with Store.open(tmp_path / "l.db", create=True) as store:
        report = import_paths(store, [path], fmt=fmt)
    problems = [str(p) for p in report.problems]
    assert not report.ok
    assert any(str(path) in p and ("longer than" in p or "larger than" in p) for p in problems), problems


def test_many_short_lines_are_bounded_by_total_size_not_line_length(tmp_path, monkeypatch):
    """A log that is big but well formed streams; only a whole-file read (one JSON event) is capped."""
    from lineage_importers._kit import logfiles

    monkeypatch.setattr(logfiles, "MAX_LINE_BYTES", 1_000)
    row = json.dumps({"consumer": "c", "model": "m"}).encode() + b"\n"
    path = bomb(tmp_path / "requests.jsonl.gz", 2_000_000, row)
    with Store.open(tmp_path / "l.db", create=True) as store:
        assert import_paths(store, [path], fmt="servinglog").ok


# -- paths inside imported files ---------------------------------------------------------------

_recording: list[str] | None = None


def _audit(event: str, args: tuple) -> None:
    if _recording is None:
        return
    if event in ("open", "os.listdir", "os.scandir", "sqlite3.connect") and args:
        target = args[0]
        if isinstance(target, str | bytes | os.PathLike):
            _recording.append(os.fsdecode(target))


sys.addaudithook(_audit)  # hooks cannot be removed; it records only inside opened_paths()


@contextmanager
def opened_paths():
    global _recording
    _recording = found = []
    try:
        yield found
    finally:
        _recording = None


def real(path: str) -> Path:
    path = path.removeprefix("file:").split("?")[0]
    return Path(os.path.realpath(path))


def outside_files(tmp_path: Path) -> Path:
    """A folder beside the user's, full of files an importer might be tricked into reading."""
    outside = tmp_path / "outside"
    (outside / "exp").mkdir(parents=True)
    (outside / "secret.txt").write_text("secret\n")
    (outside / "meta.yaml").write_text("experiment_id: '9'\nname: stolen\nartifact_location: x\n")
    (outside / "exp" / "meta.yaml").write_text("experiment_id: '8'\nname: stolen\nartifact_location: x\n")
    (outside / "MLmodel").write_text('signature: {inputs: \'[{"name": "stolen"}]\'}\n')
    (outside / "feature_importance.json").write_text('{"stolen": 1}')
    (outside / "run_results.json").write_text('{"results": [{"unique_id": "stolen"}]}')
    shutil.copy(DATA / "openlineage" / "client__python__tests__example_full_event.json", outside / "event.json")
    shutil.copy(DATA / "small.yaml", outside / "small.yaml")
    return outside


def mlflow_store(tmp_path: Path, outside: Path) -> Path:
    """An MLflow folder store whose metadata points outside, by URI, by ``..`` and by symlinks."""
    root = tmp_path / "given" / "mlruns"
    shutil.copytree(DATA / "mlflow" / "mlflow2_filestore" / "mlruns", root)
    exp = root / "309132295167086722"
    run = exp / "db155a06f5df457d804d7f31a89693ad"
    meta = run / "meta.yaml"
    meta.write_text(meta.read_text().replace(
        "file:///srv/ml-platform/fs2/mlruns/309132295167086722/db155a06f5df457d804d7f31a89693ad/artifacts",
        outside.as_uri()))  # fmt: skip
    version = root / "models" / "churn_model" / "version-1" / "meta.yaml"
    version.write_text(version.read_text().replace("storage_location: file:///srv/ml-platform/fs2/mlruns/",
                                                   "storage_location: ../../../../outside/"))  # fmt: skip
    model = run / "artifacts" / "model"  # the version's source, found again below mlruns
    (model / "MLmodel").unlink()
    (model / "MLmodel").symlink_to(outside / "MLmodel")
    (model / "feature_importance.json").symlink_to(outside / "feature_importance.json")
    (root / "777").symlink_to(outside / "exp", target_is_directory=True)  # an experiment outside
    (exp / "5ad").mkdir()
    (exp / "5ad" / "meta.yaml").symlink_to(outside / "meta.yaml")  # a run's metadata outside
    (run / "tags" / "stolen").symlink_to(outside / "secret.txt")
    (run / "params" / "stolen").symlink_to(outside / "secret.txt")
    (run / "metrics" / "stolen").symlink_to(outside / "secret.txt")
    (root / "models" / "stolen").symlink_to(outside / "exp", target_is_directory=True)
    (exp / "datasets" / "stolen").symlink_to(outside, target_is_directory=True)
    return root


def sample_in_given(tmp_path: Path, sample: Path, name: str) -> Path:
    """A copy of ``sample``, named ``name``, in the folder the user gives (tmp_path/given)."""
    given = tmp_path / "given"
    given.mkdir()
    shutil.copy(sample, given / name)
    return given / name


def mlflow_sql_store(tmp_path: Path, outside: Path) -> Path:
    """An MLflow SQL store whose run and version URIs name a folder outside."""
    db = sample_in_given(tmp_path, DATA / "mlflow" / "mlflow3_default.db", "mlflow.db")
    given = db.parent
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE runs SET artifact_uri = ?", (outside.as_uri(),))
        conn.execute("UPDATE model_versions SET source = ?, storage_location = ?", (str(outside), "../outside"))
    conn.close()
    (given / "mlruns").symlink_to(outside, target_is_directory=True)
    return db


def dbt_project(tmp_path: Path, outside: Path) -> Path:
    """A dbt manifest whose run_results.json beside it is a symlink out."""
    manifest = sample_in_given(tmp_path, DATA / "dbt" / "integration__common__tests__dbt__duckdb__target__manifest.json",
                               "manifest.json")  # fmt: skip
    given = manifest.parent
    (given / "run_results.json").symlink_to(outside / "run_results.json")
    return manifest


def event_folder(tmp_path: Path, outside: Path) -> Path:
    """A folder of OpenLineage events, and a manifest, one of each a symlink out."""
    given = sample_in_given(tmp_path, DATA / "openlineage" / "client__python__tests__example_full_event.json",
                            "a.json").parent  # fmt: skip
    (given / "b.json").symlink_to(outside / "event.json")
    (given / "c.yaml").symlink_to(outside / "small.yaml")
    (given / "sub").symlink_to(outside, target_is_directory=True)
    return given


@pytest.mark.parametrize("build", [mlflow_store, mlflow_sql_store, dbt_project, event_folder])
def test_nothing_outside_the_given_folder_is_opened(tmp_path, build):
    outside = outside_files(tmp_path)
    given = build(tmp_path, outside)
    with Store.open(tmp_path / "l.db", create=True) as store:
        with opened_paths() as opened:
            report = import_paths(store, [given], lenient=True)
        names = {row["name"] for row in store.nodes()}
    escaped = sorted({p for p in opened if real(p).is_relative_to(outside.resolve())})
    assert not escaped, f"opened outside the folder given: {escaped}"
    assert opened, "the audit hook saw nothing: the test would prove nothing"
    assert "stolen" not in names and not any("stolen" in str(p) for p in report.problems)
