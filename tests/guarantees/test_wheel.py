"""The wheel ships everything an installed ``lineage`` needs: code under its installed names and
every shipped file of ``resources/`` (schemas, templates, styles, the demo).

One module fixture builds the wheel from a copy of the tracked files (so untracked junk never
enters it and the checkout is left as it was), installs it, not editable, into a fresh venv and
runs ``lineage`` there from a folder outside the checkout without PYTHONPATH. The fresh venv sees
the dev venv's third-party packages through a folder of symbolic links (the install needs no
index), but none of this project's own modules, its editable finder or its ``.pth`` files. The
build uses the dev venv's setuptools if it is 77 or newer, else pip's isolated build fetches one.

Measured here: 7.4 to 9.3 s for the module (wheel, venv and install about 3.5 s; the demo with its
screenshot 2 s; each other command under 1 s).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "importers" / "data"
# Repository folder -> installed package ([tool.setuptools.package-dir] of pyproject.toml).
PACKAGES = {
    "lineage": "lineage",
    "gui": "lineage_gui",
    "importers": "lineage_importers",
    "resources": "lineage_resources",
}
OWN_MODULES = set(PACKAGES.values())
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
# The node ids of tests/importers/data/small.yaml (namespace shop), read off the file.
SMALL_IDS = {
    "dataset:shop/clicks",
    "feature:shop/ctr",
    "feature:shop/price",
    "model:shop/ranker",
    "consumer:shop/homepage",
    "flag:shop/rank_boost",
}

CHECK_INSTALL = """
import importlib.metadata as md, json, sys
import lineage, lineage_gui, lineage_importers, lineage_resources
from lineage.resources import resources_root
dist = md.distribution("lineage-explorer")
print(json.dumps({
    "copies": sum(d.metadata["Name"] == "lineage-explorer" for d in md.distributions()),
    "direct_url": json.loads(dist.read_text("direct_url.json") or "{}"),
    "location": str(dist.locate_file("")),
    "modules": {m.__name__: m.__file__ for m in (lineage, lineage_gui, lineage_importers, lineage_resources)},
    "resources": str(resources_root()),
    "sys_path": sys.path,
    "importers": sorted(ep.name for ep in md.entry_points(group="lineage.importers")),
    "commands": sorted(ep.name for ep in md.entry_points(group="lineage.commands")),
}))
"""


def tracked_files() -> list[str]:
    out = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, check=True).stdout
    return [p for p in out.decode().split("\0") if p]


def run(cmd, *, cwd: Path, env: dict[str, str], timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def must(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, f"{result.args} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


def is_own(entry: Path) -> bool:
    """This project's part of the dev venv's site-packages, which the fresh venv must not see."""
    name = entry.name
    return (
        name in OWN_MODULES
        or name.lower().replace("-", "_").startswith("lineage_explorer")  # dist-info, egg-info, egg-link
        or name.startswith("__editable__")  # the editable install's .pth and its finder module
        or name.endswith(".pth")  # the editable one points at the checkout; others do nothing outside a site dir
        or name == "__pycache__"  # holds the editable finder's bytecode
    )


def has_setuptools_77() -> bool:
    try:
        return int(version("setuptools").split(".")[0]) >= 77
    except (PackageNotFoundError, ValueError):
        return False


class Installed:
    """The built wheel and a fresh venv with it installed; ``lineage(...)`` runs the venv's script."""

    def __init__(self, wheel: Path, venv: Path, work: Path, env: dict[str, str]):
        self.wheel, self.venv, self.work, self.env = wheel, venv, work, env

    def lineage(self, *args, **extra_env) -> subprocess.CompletedProcess:
        return run([self.venv / "bin" / "lineage", *args], cwd=self.work, env={**self.env, **extra_env})


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Installed:
    tmp = tmp_path_factory.mktemp("wheel")
    assert not tmp.resolve().is_relative_to(ROOT)
    work = tmp / "work"
    work.mkdir()
    # No PYTHONPATH (the checkout must not leak in), no display, none of the caller's $LINEAGE_*.
    drop = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "DISPLAY", "WAYLAND_DISPLAY")
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("LINEAGE_")}
    env.update(PYTHONNOUSERSITE="1", QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp / "config"))

    # 1. The wheel, from a copy of the tracked files: the build's build/ and *.egg-info land there.
    src = tmp / "src"
    for rel in tracked_files():
        source = ROOT / rel
        if source.is_file() or source.is_symlink():  # a tracked file deleted in the work tree is skipped
            (src / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, src / rel, follow_symlinks=False)
    dist = tmp / "dist"
    isolation = ["--no-build-isolation"] if has_setuptools_77() else []  # else pip fetches setuptools>=77
    must(run([sys.executable, "-m", "pip", "wheel", "--no-deps", *isolation, "-w", dist, src], cwd=work, env=env))
    (wheel,) = dist.glob("lineage_explorer-*.whl")

    # 2. A fresh venv that sees the dev venv's third-party packages but none of this project.
    venv = tmp / "venv"
    made = run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=work, env=env)
    if made.returncode != 0:
        reason = f"cannot create a venv here: {made.stderr.strip() or made.stdout.strip()}"
        print(reason)
        pytest.skip(reason)
    python = venv / "bin" / "python"
    purelib = "import sysconfig; print(sysconfig.get_path('purelib'))"
    fresh_site = Path(must(run([python, "-c", purelib], cwd=work, env=env)).stdout.strip())
    deps = tmp / "deps"
    deps.mkdir()
    for site in dict.fromkeys(Path(sysconfig.get_path(k)) for k in ("purelib", "platlib")):
        for entry in sorted(site.iterdir()):
            if not is_own(entry) and not (deps / entry.name).exists():
                (deps / entry.name).symlink_to(entry)
    (fresh_site / "dev_venv_deps.pth").write_text(f"{deps}\n", "utf-8")
    # Nothing of the project is visible yet, so pip cannot touch the dev venv's editable install.
    probe = "import importlib.util as u, sys; sys.exit(any(u.find_spec(m) for m in sys.argv[1:]))"
    must(run([python, "-c", probe, *sorted(OWN_MODULES)], cwd=work, env=env))
    # pip itself comes from the dev venv (through deps) and installs into the fresh venv's prefix.
    must(run([python, "-m", "pip", "install", "--no-deps", "--no-index", wheel], cwd=work, env=env))

    # 3. It is the wheel's install, not editable, and nothing is imported from the checkout.
    info = json.loads(must(run([python, "-c", CHECK_INSTALL], cwd=work, env=env)).stdout)
    assert info["copies"] == 1
    assert info["direct_url"].get("url", "").endswith(wheel.name), info["direct_url"]
    assert not info["direct_url"].get("dir_info", {}).get("editable"), info["direct_url"]
    assert Path(info["location"]) == fresh_site
    for name, file in {**info["modules"], "resources": info["resources"]}.items():
        assert Path(file).is_relative_to(fresh_site), f"{name} is imported from {file}"
    assert not [p for p in info["sys_path"] if p and Path(p).resolve().is_relative_to(ROOT)], info["sys_path"]
    assert info["importers"] == sorted(PYPROJECT["project"]["entry-points"]["lineage.importers"])
    assert info["commands"] == ["gui"]
    return Installed(wheel, venv, work, env)


def test_the_wheel_ships_the_code_under_its_installed_names_and_every_resource(installed):
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    expected = set()
    for rel in tracked_files():
        top, _, rest = rel.partition("/")
        if top in PACKAGES and rest and (top == "resources" or rel.endswith((".py", "py.typed"))):
            expected.add(f"{PACKAGES[top]}/{rest}")
    assert {"lineage_resources/schema/manifest.schema.json", "lineage_resources/templates/tour.html.j2",
            "lineage/py.typed", "lineage_importers/py.typed"} <= expected  # fmt: skip
    assert sorted(expected - names) == []
    tops = {n.split("/")[0] for n in names if "/" in n}
    assert tops == OWN_MODULES | {f"lineage_explorer-{PYPROJECT['project']['version']}.dist-info"}
    assert not {"gui", "importers", "resources", "tests"} & tops


@pytest.fixture(scope="module")
def demo(installed):
    shot = installed.work / "demo.png"
    result = must(installed.lineage("--db", "demo.db", "demo", LINEAGE_SCREENSHOT=str(shot)))
    return result, shot


def test_the_demo_builds_and_renders_the_explorer_from_the_installed_wheel(demo):
    result, shot = demo
    assert re.match(r"demo built at demo\.db: \d+ nodes, \d+ edges from \d+ imports$", result.stdout.splitlines()[0])
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(png) > 10_000


def test_a_tour_of_the_demo_exports_with_the_shipped_templates(installed, demo):
    must(installed.lineage("--db", "demo.db", "tour", "export", "debt-patterns", "--format", "html", "-o", "tour.html"))
    html = (installed.work / "tour.html").read_text("utf-8")
    assert "<svg" in html and "<script" in html and "feedback loop" in html.lower()


@pytest.fixture(scope="module")
def small_db(installed):
    shutil.copy(DATA / "small.yaml", installed.work / "small.yaml")
    result = must(installed.lineage("--db", "small.db", "import", "small.yaml"))
    return result


def test_a_manifest_imports_with_the_shipped_schema(installed, small_db):
    assert re.search(r"^manifest\s+small\.yaml\s+6 nodes, 6 edges$", small_db.stdout, re.M), small_db.stdout
    shown = json.loads(must(installed.lineage("--db", "small.db", "show", "feature:shop/price", "--json")).stdout)
    assert shown["node"]["status"] == "deprecated"
    assert [e["target"] for e in shown["outputs"]] == ["model:shop/ranker"]
    nodes = json.loads(must(installed.lineage("--db", "small.db", "nodes", "--json")).stdout)
    assert {n["id"] for n in nodes} == SMALL_IDS


def test_an_impact_report_renders_with_the_shipped_templates(installed, small_db):
    must(installed.lineage("--db", "small.db", "impact", "feature:shop/ctr", "--format", "html", "-o", "impact.html"))
    html = (installed.work / "impact.html").read_text("utf-8")
    assert "<svg" in html and "model:shop/ranker" in html
