"""Hostile names (tests/importers/data/hostile_names.json) imported through real importers and pushed
through every export and every CLI output.

HTML and SVG carry no script, event handler, javascript:/data: link or foreignObject from data;
CSV cells never start a formula; Markdown tables keep their shape and gain no link, image or
HTML; Graphviz never sees an HTML-like label and never fails; names round-trip exactly through
the database and JSON (GraphML: exactly, but for what XML 1.0 cannot hold, see docs/formats.md).
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import pytest
import yaml
from click.testing import CliRunner

from lineage.cli import cli
from lineage.render.escape import xml_safe
from tests.conftest import chromium_screenshot, needs_chromium
from tests.guarantees.hostile import hostile_names, write_hostile_manifest

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BAD_SCHEMES = ("javascript:", "data:", "vbscript:")
URL_ATTRIBUTES = {"href", "src", "xlink:href", "action", "formaction", "poster", "background"}
TERMINAL_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
FOCUS = "dataset:source"  # every hostile node is downstream of it


class Run:
    """``lineage --db DB ...`` in ``folder``; a failure shows the output."""

    def __init__(self, folder: Path, db: Path):
        self.folder, self.db = folder, db

    def __call__(self, *args: str, ok: bool = True):
        result = CliRunner().invoke(cli, ["--db", str(self.db), *args])
        assert "Traceback" not in result.output
        if ok:
            assert result.exit_code == 0, result.output[-2000:]
        return result


def serving_log(names) -> str:
    return "".join(json.dumps({"consumer": n, "model": n, "features": [n], "requests": 3}) + "\n" for n in names)


def openlineage_events(names) -> str:
    lines = []
    for n in names:
        dataset = {"namespace": n, "name": n}
        lines.append(json.dumps({
            "eventType": "COMPLETE", "eventTime": "2026-01-02T03:04:05+00:00",
            "run": {"runId": "3f5e83fa-3480-44ff-99c5-ff943cd7e4e7"}, "job": {"namespace": n, "name": n},
            "inputs": [dataset], "outputs": [{"namespace": "out", "name": n}],
            "producer": "https://example.invalid/p", "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json",
        }))  # fmt: skip
    return "\n".join(lines) + "\n"


def tour_yaml(names) -> str:
    steps = [{"title": n, "note": n, "mode": "impact", "focus": FOCUS} for n in names[:8]]
    steps.append({"title": names[-2], "note": "\n".join(names), "mode": "explore", "focus": "model:victim"})
    return yaml.safe_dump({"lineage_tour": 1, "name": "hostile", "description": "\n".join(names), "steps": steps})


def build(folder: Path, names) -> Run:
    folder.mkdir(parents=True, exist_ok=True)
    run = Run(folder, folder / "lineage.db")
    (folder / "requests.jsonl").write_text(serving_log(names), "utf-8")
    (folder / "events.jsonl").write_text(openlineage_events(names), "utf-8")
    (folder / "tour.yaml").write_text(tour_yaml(list(names)), "utf-8")
    manifest = write_hostile_manifest(folder, names)
    run("import", str(manifest))
    run("import", str(folder / "requests.jsonl"), "--format", "servinglog")
    run("import", str(folder / "events.jsonl"), "--format", "openlineage")
    run("tour", "import", str(folder / "tour.yaml"))
    return run


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Run:
    return build(tmp_path_factory.mktemp("hostile"), hostile_names())


@pytest.fixture(scope="module")
def plain(tmp_path_factory) -> Run:
    """The same graph with harmless names: what our own templates ship (scripts, links)."""
    return build(tmp_path_factory.mktemp("plain"), tuple(f"name{i}" for i in range(len(hostile_names()))))


def test_the_corpus_covers_every_category():
    names = hostile_names()
    assert len(names) >= 60 and len(set(names)) == len(names)
    for needle in ("<script>", "onerror=", "javascript:", '<TD HREF="javascript:', "\x00", "\r", "\n", "\u202e",
                   "\u0301", "\U0001f4a5", "\u200d", "\u2028", "{{", "{%", "${", "%s", "\\N", "\t", "]]>", "<!--",
                   "&xxe;", "&lt;", "DROP TABLE", "](", "![", "|", "</script>", "<svg", "data:text/html"):  # fmt: skip
        assert any(needle in n for n in names), needle
    assert {n[0] for n in names} >= set("=+-@\t\r") and max(map(len, names)) >= 10_000
    assert {"None", "null"} <= set(names)


# -- round trips -------------------------------------------------------------------------------


def names_in(nodes) -> set[str]:
    return {n["name"] for n in nodes}


def test_names_round_trip_exactly_through_the_database_and_json(hostile):
    stored = json.loads(hostile("nodes", "--json").output)
    assert names_in(stored) >= set(hostile_names())
    for kind in ("feature", "model", "consumer"):
        assert names_in(n for n in stored if n["kind"] == kind) >= set(hostile_names()), kind
    assert {n["owner"] for n in stored} >= set(hostile_names())  # owners, from the manifest
    assert {n["namespace"] for n in stored} >= set(hostile_names())  # namespaces, from the events
    longest = max(hostile_names(), key=len)
    shown = json.loads(hostile("show", f"feature:{longest}", "--json").output)["node"]
    assert shown["name"] == longest and shown["attributes"]["note"] == longest
    assert shown["attributes"]["description"] == longest and shown["tags"] == [longest]


@pytest.mark.parametrize(
    "args",
    [
        ("export", FOCUS, "--mode", "impact", "--format", "json"),
        ("impact", FOCUS, "--format", "json"),
        ("impact", FOCUS, "--format", "json", "--depth", "3"),
    ],
)
def test_names_round_trip_exactly_through_json_exports(hostile, args):
    data = json.loads(hostile(*args).output)
    nodes = data.get("nodes") or data.get("downstream")
    assert names_in(nodes) >= set(hostile_names())


def test_graphml_keeps_every_name_but_what_xml_cannot_hold(hostile):
    out = hostile.folder / "g.graphml"
    hostile("export", FOCUS, "--mode", "impact", "--format", "graphml", "-o", str(out))
    back = nx.read_graphml(out)
    names = {back.nodes[n]["name"] for n in back}
    assert names >= {xml_safe(n) for n in hostile_names()}
    assert names >= {n for n in hostile_names() if xml_safe(n) == n}  # CR, tab, RTL, emoji... exact
    assert "nul\u2400byte" in names  # NUL as its control picture (docs/formats.md)


# -- markup ------------------------------------------------------------------------------------


class Markup(HTMLParser):
    """What a browser would see: tags, attributes, and how many scripts."""

    def __init__(self, text: str):
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag.lower())
        self.attributes += [(a.lower(), v or "") for a, v in attrs]

    def problems(self, shipped: Markup, allowed: tuple[str, ...] = ()) -> list[str]:
        out = []
        if self.tags.count("script") > shipped.tags.count("script"):
            out.append(f"{self.tags.count('script')} <script> where our template has {shipped.tags.count('script')}")
        out += [f"<{t}>" for t in set(self.tags) if t in ("foreignobject", "iframe", "object", "embed", "img",
                                                          "meta", "form", "base", "style", "b", "table")
                and t not in allowed and self.tags.count(t) > shipped.tags.count(t)]  # fmt: skip
        out += [f"event handler {a}={v[:40]!r}" for a, v in self.attributes if a.startswith("on")]
        for a, v in self.attributes:
            scheme = re.sub(r"[\s\x00-\x1f]", "", v).lower()
            if a in URL_ATTRIBUTES and scheme.startswith(BAD_SCHEMES):
                out.append(f"{a}={v[:40]!r}")
        return out


def documents(run: Run) -> dict[str, str]:
    """Every HTML and SVG document the CLI writes, by what made it."""
    folder = run.folder
    run("impact", FOCUS, "--format", "html", "-o", str(folder / "impact.html"))
    run("report", FOCUS, "model:victim", "-o", str(folder / "bundle"))
    run("report", FOCUS, "-o", str(folder / "bundle.zip"))
    run("export", FOCUS, "--mode", "impact", "--format", "svg", "-o", str(folder / "impact.svg"))
    run("export", "model:victim", "--depth", "2", "--format", "svg", "-o", str(folder / "explore.svg"))
    run("tour", "export", "hostile", "-o", str(folder / "tour.html"))
    docs = {p.name: p.read_text("utf-8") for p in (folder / "bundle").iterdir() if p.suffix in (".html", ".svg")}
    with zipfile.ZipFile(folder / "bundle.zip") as bundle:
        docs |= {f"zip/{n}": bundle.read(n).decode() for n in bundle.namelist() if n.endswith((".html", ".svg"))}
    for name in ("impact.html", "impact.svg", "explore.svg", "tour.html"):
        docs[name] = (folder / name).read_text("utf-8")
    return docs


@pytest.fixture(scope="module")
def hostile_documents(hostile):
    return documents(hostile)


@pytest.fixture(scope="module")
def plain_documents(plain):
    return documents(plain)


def test_every_html_and_svg_document_is_inert(hostile_documents, plain_documents):
    assert len(hostile_documents) == 10
    for name, text in hostile_documents.items():
        # A tour note is Markdown its author wrote: an image in it is fine (and the page's
        # policy loads none); a javascript: or data: source still is not.
        allowed = ("img",) if name == "tour.html" else ()
        assert not Markup(text).problems(Markup(plain_documents[name]), allowed), name
        if name.endswith(".svg"):
            ET.fromstring(text)  # well-formed XML: no control character got through


def test_the_documents_still_show_the_names(hostile_documents):
    """Inert, not empty: the escaped names are there to read."""
    html = hostile_documents["impact.html"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "emoji \U0001f4a5" in html
    assert "x" * 159 + "…" in html
    shown = re.sub(r'title="[^"]*"', "", html)  # the full name stays in tooltips
    assert "x" * 300 not in shown


def test_the_tour_allows_only_its_own_script_by_hash(hostile_documents):
    html = hostile_documents["tour.html"]
    policy = re.search(r'Content-Security-Policy" content="([^"]*)"', html)[1]
    assert "unsafe-inline" not in policy.split("script-src")[1] and "'sha256-" in policy
    assert "default-src 'none'" in policy and "img-src" not in policy  # nothing is fetched


def test_the_svg_title_of_each_node_is_the_escaped_id(hostile_documents):
    svg = ET.fromstring(hostile_documents["impact.svg"])
    titles = [e.get("{http://www.w3.org/1999/xlink}title") for e in svg.iter() if e.tag.endswith("}a")]
    assert any(t and "\\x00" in t for t in titles)  # NUL shown as an escape, not a cut label


# -- CSV, Markdown, DOT ------------------------------------------------------------------------


def test_no_csv_cell_starts_a_formula(hostile):
    text = hostile("impact", FOCUS, "--format", "csv").output
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) > len(hostile_names())
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]
    assert '\'=HYPERLINK("http://evil.example","click")' in cells  # neutralised, not dropped
    assert max(map(len, cells)) >= 10_000  # the data keeps full names


def markdown_html(text: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).enable("table").render(text)


@pytest.mark.parametrize(
    "args",
    [
        ("impact", FOCUS, "--format", "md"),
        ("impact", "model:victim", "--format", "md"),
        ("check", "--remove", FOCUS),
    ],
)
def test_markdown_keeps_its_tables_and_gains_no_links_images_or_html(hostile, args):
    text = hostile(*args, ok=False).output
    assert text.startswith("## ")
    rendered = Markup(markdown_html(text))
    assert set(rendered.tags) <= {"h2", "p", "table", "thead", "tbody", "tr", "th", "td", "code", "strong", "ul",
                                  "li", "em", "details", "summary"}, set(rendered.tags)  # fmt: skip
    for table in re.findall(r"(?:^\|.*\|$\n?)+", text, flags=re.M):
        rows = table.strip("\n").split("\n")
        widths = {len(re.findall(r"(?<!\\)\|", row)) for row in rows}
        assert len(widths) == 1, rows[:3]


@pytest.mark.parametrize("fmt", ["dot", "svg", "png", "pdf"])
def test_graphviz_takes_every_name(hostile, fmt):
    out = hostile.folder / f"all.{fmt}"
    hostile("export", FOCUS, "--mode", "impact", "--format", fmt, "-o", str(out))
    data = out.read_bytes()
    assert data[:4] in (b"digr", b"<?xm", b"\x89PNG", b"%PDF")
    if fmt == "dot":
        text = data.decode()
        assert not re.search(r"=\s*<", text), "an HTML-like (unquoted <...>) Graphviz value"
        assert "\x00" not in text and "\\x00" in text


def test_tour_pdf(hostile):
    out = hostile.folder / "tour.pdf"
    hostile("tour", "export", "hostile", "--format", "pdf", "-o", str(out))
    assert out.read_bytes().startswith(b"%PDF")


# -- terminal output ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("nodes",),
        ("nodes", "--kind", "feature"),
        ("show", "feature:nul\x00byte"),
        ("show", "consumer:\u202eevil\u202c.exe/\u202eevil\u202c.exe"),
        ("trace", FOCUS, "consumer:line\nbreak/line\nbreak"),
        ("impact", FOCUS, "--upstream"),
        ("simulate", FOCUS),
        ("findings",),
        ("report", FOCUS, "-o", "report-out"),
        ("tour", "list"),
    ],
)
def test_terminal_output_has_no_control_or_direction_characters(hostile, args, monkeypatch):
    monkeypatch.chdir(hostile.folder)
    text = hostile(*args).output
    assert text.strip()
    assert not TERMINAL_UNSAFE.search(text), repr(TERMINAL_UNSAFE.search(text)[0])


def test_diff_against_a_plain_database_names_every_hostile_node(hostile, plain):
    text = hostile("diff", "--against", str(plain.db)).output
    assert not TERMINAL_UNSAFE.search(text) and "\\x00" in text
    data = json.loads(hostile("diff", "--against", str(plain.db), "--json").output)
    assert {n.partition(":")[2] for n in data["nodes"]["removed"]} >= set(hostile_names())


@pytest.mark.parametrize(
    ("args", "pick"),
    [
        (("simulate", FOCUS, "--json"), lambda d: [n["name"] for n in d["broken"]]),
        (("findings", "--json"), lambda d: [n["name"] for f in d.values() for x in f for n in x["nodes"]]),
        (("trace", FOCUS, "consumer:line\nbreak/line\nbreak", "--json"), lambda d: [n["name"] for n in d["paths"][0]]),
        (("tour", "list", "--json"), lambda d: [t["description"] for t in d]),
    ],
)
def test_json_output_keeps_names_exactly(hostile, args, pick):
    found = set(pick(json.loads(hostile(*args).output)))
    assert found & set(hostile_names()) or "\n".join(hostile_names()) in found


@needs_chromium
def test_the_hostile_report_renders_in_a_real_browser(hostile_documents, tmp_path):
    """Kept as out/hostile-impact-report.png: the names readable, a 10,000-character one clipped."""
    data = chromium_screenshot(hostile_documents["impact.html"], "hostile-impact-report.png", tmp_path, "1200,2400")
    assert data[:4] == b"\x89PNG" and len(data) > 20_000


@pytest.mark.parametrize(
    "entry",
    [{"name": "a\ud800b"}, {"name": "ok", "owner": "\udfff"}, {"name": "ok", "tags": ["\ud83d"]},
     {"name": "ok", "attributes": {"k": ["\udc00"]}}],
)  # fmt: skip
def test_a_lone_surrogate_is_refused_at_its_place(tmp_path, entry):
    """JSON can spell one (``"\\ud800"``), UTF-8 and SQLite cannot hold one: FILE#pointer, not a crash."""
    (tmp_path / "m.json").write_text(json.dumps({"lineage_manifest": 1, "features": [entry]}))
    run = Run(tmp_path, tmp_path / "l.db")
    result = run("import", str(tmp_path / "m.json"), ok=False)
    assert result.exit_code == 1 and f"{tmp_path / 'm.json'}#/features/0: text with a lone surrogate" in result.output


def test_a_lone_surrogate_in_a_rule_is_refused_at_its_place(tmp_path):
    """A manifest's classify: and configs: rules are stored like names: the same check, located."""
    (tmp_path / "m.json").write_text(json.dumps({"lineage_manifest": 1, "features": [{"name": "ok"}],
                                                 "classify": [{"kind": "model", "name": "x\ud800"}]}))  # fmt: skip
    run = Run(tmp_path, tmp_path / "l.db")
    result = run("import", str(tmp_path / "m.json"), ok=False)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{tmp_path / 'm.json'}#/classify/0: text with a lone surrogate" in result.output
    assert not (tmp_path / "l.db").exists()
