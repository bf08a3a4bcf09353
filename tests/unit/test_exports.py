"""Impact reports and graph exports: formats, round trips, and hostile names in every one."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import networkx as nx
import pytest

from lineage.demo import build_demo
from lineage.graph import load_graph
from lineage.ingest import import_paths
from lineage.render.escape import xml_safe
from lineage.render.graphs import render
from lineage.render.impact_report import build, render_report
from lineage.store import Store
from lineage.views.scenes import explore_scene, impact_scene
from lineage.views.spec import LIMIT
from tests.conftest import chromium_screenshot, needs_chromium
from tests.guarantees.hostile import hostile_names

HOSTILE = list(hostile_names())  # the shared corpus; tests/guarantees/test_hostile_names.py takes it everywhere


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("exports") / "demo.db"
    build_demo(path)
    store = Store.open(path)
    yield store, load_graph(store)
    store.close()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    manifest = {"lineage_manifest": 1, "features": [{"name": n} for n in HOSTILE],
                "models": [{"name": "victim", "features": HOSTILE, "consumers": ["<b>dash</b>"]}]}  # fmt: skip
    (folder / "m.json").write_text(json.dumps(manifest))
    store = Store.open(folder / "h.db", create=True)
    assert import_paths(store, [folder / "m.json"]).ok
    yield store, load_graph(store)
    store.close()


def test_graphml_round_trips_through_networkx_with_kinds_and_attributes(demo):
    _, graph = demo
    scene = impact_scene(graph, "feature:ads/historical_ctr")
    back = nx.read_graphml(io.BytesIO(render(scene, "graphml")))
    assert set(back) == set(scene.graph)
    assert set(back.edges) == set(scene.graph.edges)
    assert back.nodes["model:ads/ctr_model"]["kind"] == "model"
    assert back.nodes["model:ads/ctr_model"]["owner"] == "ctr-modeling"
    assert back.edges["feature:ads/historical_ctr", "model:ads/ctr_model"]["weight"] == pytest.approx(0.21)


def test_graphml_has_one_key_of_one_type_per_attribute_and_a_second_reader_agrees(demo, tmp_path):
    import xml.etree.ElementTree as ET  # noqa: S405 (our own output)

    import rustworkx as rx

    _, graph = demo
    scene = explore_scene(graph, "feature:ads/historical_ctr", depth=2)
    written = render(scene, "graphml")
    ns = {"g": "http://graphml.graphdrawing.org/xmlns", "y": "http://www.yworks.com/xml/graphml"}
    root = ET.fromstring(written)
    keys = [(k.get("for"), k.get("attr.name")) for k in root.findall("g:key", ns) if k.get("attr.name")]
    assert len(keys) == len(set(keys)), "an attribute with two keys"
    types = {(k.get("for"), k.get("attr.name")): k.get("attr.type") for k in root.findall("g:key", ns)}
    assert types[("edge", "weight")] == "double" and types[("node", "current")] == "boolean"
    # every edge with a weight in the graph carries it; the others carry none (not empty text)
    weighted = [d["weight"] for _, _, d in scene.graph.edges(data=True) if d.get("weight") is not None]
    weight_key = next(k.get("id") for k in root.findall("g:key", ns) if k.get("attr.name") == "weight")
    written_weights = [float(d.text) for d in root.iterfind(f"g:graph/g:edge/g:data[@key='{weight_key}']", ns)]
    assert sorted(written_weights) == pytest.approx(sorted(weighted)) and weighted
    # yEd draws a node's label from its graphics: the name of each node
    labels = {
        n.get("id"): n.find("g:data/y:ShapeNode/y:NodeLabel", ns).text for n in root.iterfind("g:graph/g:node", ns)
    }
    assert labels["model:ads/ctr_model"] == "ctr_model" and len(labels) == len(scene.graph)
    # rustworkx's reader (an implementation of its own) reads the same nodes, edges and values
    (read,) = rx.read_graphml(_saved(written, tmp_path))
    ids = {read[i]["id"]: i for i in read.node_indices()}
    assert set(ids) == set(scene.graph)
    assert {(read[a]["id"], read[b]["id"]) for a, b in read.edge_list()} == set(scene.graph.edges)
    assert read[ids["model:ads/ctr_model"]]["kind"] == "model"
    assert {e.get("weight") for e in read.edges() if e.get("weight") is not None} == set(weighted)


def _saved(data: bytes, folder: Path) -> str:
    path = folder / "export.graphml"
    path.write_bytes(data)
    return str(path)


@pytest.mark.parametrize(
    ("fmt", "magic"), [("svg", b"<?xml"), ("png", b"\x89PNG"), ("pdf", b"%PDF"), ("dot", b"digraph")]
)
def test_graphviz_formats(demo, fmt, magic):
    _, graph = demo
    assert render(explore_scene(graph, "model:ads/ctr_model", depth=1), fmt).startswith(magic)


def test_reports_in_every_format(demo):
    store, graph = demo
    report = build(store, graph, "feature:ads/historical_ctr")
    html = render_report(report, "html")
    assert "<svg" in html and "Everything downstream" in html and "hidden" in html.lower()
    md = render_report(report, "md")
    assert md.startswith("## Impact of `feature:ads/historical_ctr`")
    rows = list(csv.DictReader(io.StringIO(render_report(report, "csv"))))
    assert len([r for r in rows if r["direction"] == "downstream"]) == len(report.impact.downstream.nodes)
    data = json.loads(render_report(report, "json"))
    assert data["node"]["id"] == "feature:ads/historical_ctr" and data["edges"]


def test_csv_is_never_capped(tmp_path):
    lines = ["lineage_manifest: 1", "features: [{name: f}]", "models:"]
    lines += [f"  - {{name: m{i}, features: [f]}}" for i in range(12_000)]
    (tmp_path / "big.yaml").write_text("\n".join(lines) + "\n")
    with Store.open(tmp_path / "big.db", create=True) as store:
        assert import_paths(store, [tmp_path / "big.yaml"]).ok
        graph = load_graph(store)
        report = build(store, graph, "feature:f")
    rows = list(csv.reader(io.StringIO(render_report(report, "csv"))))
    assert len(rows) == 12_001


def test_hostile_names_are_inert_in_every_format(hostile):
    store, graph = hostile
    report = build(store, graph, "model:victim")
    scene = explore_scene(graph, "model:victim", depth=1, limit=LIMIT + 1)  # every name a node: none folded
    html = render_report(report, "html")
    svg = render(scene, "svg").decode()
    for text in (html, svg):
        tags, attributes = markup(text)
        assert "script" not in tags and "img" not in tags and "iframe" not in tags
        assert not [a for a, _ in attributes if a.startswith("on")], "an event-handler attribute"
        assert not [v for a, v in attributes if "href" in a and (v or "").strip().lower().startswith("javascript:")]
    assert "<img" not in html and "<TABLE>" not in svg
    for row in csv.reader(io.StringIO(render_report(report, "csv"))):
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell
    markdown = render_report(report, "md")
    outside_code = re.sub(r"(`+) .*? \1|`[^`]*`", "", markdown)  # code spans show text literally
    assert "<" not in outside_code.replace("&lt;", "")
    dot = render(scene, "dot").decode()
    assert not re.search(r"=\s*<", dot), "an HTML-like (unquoted <...>) Graphviz value"
    # Names round-trip exactly through the database, JSON and GraphML.
    names = {graph.nodes[n]["name"] for n in graph}
    assert set(HOSTILE) <= names
    back = nx.read_graphml(io.BytesIO(render(scene, "graphml")))
    assert {back.nodes[n]["name"] for n in back} >= {xml_safe(n) for n in HOSTILE}  # XML 1.0 holds no NUL
    exported = json.loads(render(scene, "json"))
    assert {n["name"] for n in exported["nodes"]} >= set(HOSTILE)


def markup(text: str) -> tuple[set[str], list[tuple[str, str | None]]]:
    """The tag names and (attribute, value) pairs a browser would see in ``text``."""
    from html.parser import HTMLParser

    tags: set[str] = set()
    attributes: list[tuple[str, str | None]] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            tags.add(tag.lower())
            attributes.extend((a.lower(), v) for a, v in attrs)

    Collect().feed(text)
    return tags, attributes


def test_cli_report_bundle_and_export(lineage, tmp_path):
    from tests.conftest import DATA

    shutil.copy(DATA / "small.yaml", tmp_path / "small.yaml")
    lineage("import", "small.yaml")
    result = lineage("report", "ctr", "-o", "bundle.zip")
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "bundle.zip") as bundle:
        assert sorted(bundle.namelist()) == sorted(
            f"feature_shop_ctr.{s}" for s in ("html", "md", "csv", "json", "svg", "graphml")
        )
    assert lineage("report", "ctr", "-o", "out").exit_code == 0
    assert (tmp_path / "out" / "feature_shop_ctr.html").exists()
    assert lineage("impact", "ctr", "--format", "md").stdout.startswith("## Impact of")
    assert lineage("export", "ranker", "--format", "graphml", "-o", "g.graphml").exit_code == 0
    assert nx.read_graphml(tmp_path / "g.graphml").number_of_nodes() >= 3
    assert lineage("export", "ranker", "--format", "png").exit_code == 2
    assert lineage("export", "ctr", "--mode", "trace", "--to", "homepage", "--format", "json").exit_code == 0


@needs_chromium
def test_the_html_report_renders_in_a_real_browser(demo, tmp_path):
    store, graph = demo
    html = render_report(build(store, graph, "feature:ads/historical_ctr"), "html")
    data = chromium_screenshot(html, "impact-report.png", tmp_path)
    assert data[:4] == b"\x89PNG" and len(data) > 20_000
