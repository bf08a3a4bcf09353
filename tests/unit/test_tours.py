"""Tours: parsing (and its errors), storage and migration, HTML and PDF exports, the CLI."""

from __future__ import annotations

import io
import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from lineage.demo import build_demo
from lineage.graph import load_graph
from lineage.ingest import import_paths
from lineage.records import InputError
from lineage.render.tours import tour_html, tour_pdf
from lineage.store import APPLICATION_ID, MIGRATIONS, Store
from lineage.views.tours import Step, parse_tour
from tests.conftest import chromium_screenshot, file_digest, needs_chromium

DEMO_TOUR = Path(__file__).parents[2] / "resources" / "demo" / "tours" / "debt-patterns.yaml"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tours") / "demo.db"
    build_demo(path)
    return path


@pytest.fixture
def store(demo_db, tmp_path):
    copy = tmp_path / "demo.db"
    shutil.copy(demo_db, copy)
    with Store.open(copy) as opened:
        yield opened


def test_the_demo_tour_parses_with_every_ref_resolved(store):
    name, description, steps = parse_tour(DEMO_TOUR.read_text(), str(DEMO_TOUR), store)
    assert name == "debt-patterns" and "debt" in description
    assert [s.mode for s in steps][:2] == ["findings", "findings"]
    simulate = next(s for s in steps if s.mode == "simulate")
    assert simulate.focus == "feature:ads/advertiser_age_days"
    assert simulate.removed == ["feature:ads/advertiser_age_days"]
    undeclared = next(s for s in steps if s.finding and s.finding["kind"] == "undeclared_consumers")
    assert all(":" in ref for ref in undeclared.finding["nodes"])


def test_blank_values_in_a_tour_are_the_defaults(store):
    text = "lineage_tour: 1\nname: x\ndescription:\nsteps:\n - title:\n   note:\n   mode: findings\n   finding: {kind: x}\n"
    name, description, steps = parse_tour(text, "t.yaml", store)
    assert (name, description, steps[0].title, steps[0].note, steps[0].focus) == ("x", "", "", "", "")


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("lineage_tour: 1\nname: x\nsteps: [\n", ":4", "invalid YAML"),
        ("name: x\nsteps: []\n", ":1", "lineage_tour: 1"),
        ("lineage_tour: 1\nsteps: []\n", ":1", "'name'"),
        ("lineage_tour: 1\nname: x\nsteps: [3]\n", "#/steps/0", "mapping"),
        ("lineage_tour: 1\nname: x\nsteps:\n - {mode: explore}\n - {colour: red}\n", "#/steps/1", "'colour'"),
        ("lineage_tour: 1\nname: x\nsteps:\n - {focus: no_such_signal}\n", "#/steps/0", "no_such_signal"),
        ("lineage_tour: 1\nname: x\nsteps:\n - {trace: [query_terms, nowhere]}\n", "#/steps/0", "nowhere"),
        ("lineage_tour: 1\nname: x\nsteps:\n - {focus: [1]}\n", "#/steps/0/focus", "[1] is not of type 'string'"),
        ("lineage_tour: 1\nname: x\nsteps:\n - {depth: -1}\n", "#/steps/0/depth", "minimum of 0"),
        ("lineage_tour: 1\nname: x\nsteps:\n - {mode: sideways}\n", "#/steps/0/mode", "'sideways' is not one of"),
        ("lineage_tour: 1\nname: x\nsteps:\n - {removed_edges: [[a]]}\n", "#/steps/0/removed_edges/0", "too short"),
        ('lineage_tour: 1\nname: "x\\ud800"\nsteps: []\n', "#/name", "lone surrogate"),
        (
            'lineage_tour: 1\nname: x\nsteps:\n - {}\n - {}\n - {title: "a\\udc00"}\n',
            "#/steps/2/title",
            "lone surrogate",
        ),
        ("lineage_tour: 1\nname: x\nsteps: []\n2025-01-02: when\n", "#/", "'2025-01-02' was unexpected"),
    ],
)
def test_a_bad_tour_names_the_file_and_the_place(store, text, where, message):
    with pytest.raises(InputError) as caught:
        parse_tour(text, "t.yaml", store)
    assert str(caught.value).startswith(f"t.yaml{where}")
    assert message in str(caught.value)


def test_a_tour_is_saved_replaced_listed_and_deleted(store):
    store.save_tour("review", [Step(title="one").to_json(), Step(title="two", mode="impact").to_json()], "first")
    store.save_tour("review", [Step(title="only").to_json()], "second")
    listed = {t["name"]: t for t in store.tours()}
    assert listed["review"]["steps"] == 1 and listed["review"]["description"] == "second"
    assert [s["title"] for s in store.tour("review")["steps"]] == ["only"]
    assert store.delete_tour("review") and store.tour("review") is None
    assert not store.delete_tour("review")


def test_a_version_1_database_gains_the_tour_tables_and_keeps_its_data(tmp_path):
    path = tmp_path / "v1.db"
    db = sqlite_utils.Database(path)
    MIGRATIONS[0](db)
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.execute("PRAGMA user_version = 1")
    db.conn.commit()
    tables_before = set(db.table_names())
    db.close()
    with Store.open(path) as store:
        assert store.tours() == []
        store.save_tour("t", [Step(title="x").to_json()])
        assert store.tour("t")["steps"][0]["title"] == "x"
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert tables_before | {"tours", "tour_steps"} <= {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}


def test_the_html_slide_show_has_a_picture_and_note_per_step(store):
    graph = load_graph(store)
    _, description, steps = parse_tour(DEMO_TOUR.read_text(), str(DEMO_TOUR), store)
    page = tour_html("debt-patterns", description, steps, graph, store)
    assert page.count('<section class="slide"') == len(steps)
    assert page.count("<svg") == len(steps)
    assert "<strong>font-size module</strong>" in page  # the note's Markdown is rendered
    assert "http://" not in page.split("<body>", 1)[1].replace("http://www.w3.org/", "")  # nothing fetched


def test_the_pdf_has_a_page_per_step(store):
    from pypdf import PdfReader

    graph = load_graph(store)
    _, _, steps = parse_tour(DEMO_TOUR.read_text(), str(DEMO_TOUR), store)
    data = tour_pdf("debt-patterns", steps, graph, store)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == len(steps)
    assert "feedback loop" in reader.pages[0].extract_text()


def test_hostile_names_and_notes_stay_text_in_the_slide_show(tmp_path):
    hostile = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "<<B>bold</B>>"]
    (tmp_path / "m.json").write_text(json.dumps({
        "lineage_manifest": 1, "features": [{"name": n} for n in hostile],
        "models": [{"name": "victim", "features": hostile}],
    }))  # fmt: skip
    with Store.open(tmp_path / "h.db", create=True) as store:
        assert import_paths(store, [tmp_path / "m.json"]).ok
        graph = load_graph(store)
        steps = [
            Step(title="<script>alert(2)</script>", focus="model:victim", note="<img src=x onerror=alert(3)> [x](javascript:alert(4))"),
            Step(mode="impact", focus=next(n for n in graph if "script" in n)),
        ]  # fmt: skip
        page = tour_html("<i>tour</i>", "<b>d</b>", steps, graph, store)
        pdf = tour_pdf("<i>tour</i>", steps, graph, store)
    assert len(re.findall(r"<script\b", page)) == 1  # ours
    for raw in ("<img", "<i>tour", "<b>d</b>", "<B>bold", 'href="javascript:'):
        assert raw not in page, raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert pdf[:5] == b"%PDF-"


def test_the_tour_commands(lineage, demo_db, tmp_path):
    shutil.copy(demo_db, lineage.db)
    listed = lineage("tour", "list", "--json")
    assert listed.exit_code == 0
    assert [t["name"] for t in json.loads(listed.output)] == ["debt-patterns"]
    assert "debt-patterns" in lineage("tour", "list").output

    assert lineage("tour", "export", "debt-patterns").exit_code == 0
    assert (tmp_path / "debt-patterns.html").read_text().count('class="slide"') >= 5
    assert lineage("tour", "export", "debt-patterns", "--format", "pdf", "-o", "t.pdf").exit_code == 0
    assert (tmp_path / "t.pdf").read_bytes()[:5] == b"%PDF-"

    missing = lineage("tour", "export", "nope")
    assert missing.exit_code == 2 and "debt-patterns" in missing.output and "Traceback" not in missing.output

    (tmp_path / "mine.yaml").write_text("lineage_tour: 1\nname: mine\nsteps:\n - {mode: impact, focus: font_size}\n")
    assert lineage("tour", "import", "mine.yaml").exit_code == 0
    assert {t["name"] for t in json.loads(lineage("tour", "list", "--json").output)} == {"debt-patterns", "mine"}
    assert lineage("tour", "delete", "mine").exit_code == 0
    assert lineage("tour", "delete", "mine").exit_code != 0


def test_a_failed_tour_import_changes_nothing(lineage, demo_db, tmp_path):
    shutil.copy(demo_db, lineage.db)
    before = file_digest(lineage.db)
    (tmp_path / "bad.yaml").write_text("lineage_tour: 1\nname: bad\nsteps:\n - {focus: ctr_model}\n - {focus: ghost}\n")
    result = lineage("tour", "import", "bad.yaml")
    assert result.exit_code != 0
    assert "bad.yaml#/steps/1" in result.output and "ghost" in result.output and "Traceback" not in result.output
    assert file_digest(lineage.db) == before


@needs_chromium
def test_the_slide_show_renders_in_a_real_browser(store, tmp_path):
    graph = load_graph(store)
    _, description, steps = parse_tour(DEMO_TOUR.read_text(), str(DEMO_TOUR), store)
    data = chromium_screenshot(tour_html("debt-patterns", description, steps, graph, store), "tour.png", tmp_path,
                               size="1400,900")  # fmt: skip
    assert data[:4] == b"\x89PNG" and len(data) > 20_000


# -- tour files get the manifest's checks (lineage.safeyaml) ---------------------------------

HEAD = "lineage_tour: 1\nname: x\nsteps:\n"
TRACEBACK = re.compile(r"Traceback|File \".*\", line \d+")


def _deep(levels: int) -> str:
    return HEAD + " - {mode: explore, focus: font_size, title: " + "[" * levels + "]" * levels + "}\n"


def _bomb() -> str:
    rows = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    rows += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 7)]
    return "\n".join(rows) + "\n" + HEAD + " - {focus: font_size, title: *a6}\n"


@pytest.mark.parametrize(
    ("name", "content", "where", "message"),
    [
        ("bomb", _bomb(), r":\d+", "too many values"),
        ("control", HEAD + ' - {focus: font_size, title: "a\x07"}\n', ":4", "U+0007"),
        ("deep", _deep(20_000), ":1", "nested too deeply"),
        ("deep-ish", _deep(150), ":4", "nested deeper than 100"),
        ("huge-int", HEAD + " - {focus: font_size, depth: " + "9" * 5_000 + "}\n", ":4", "4300 digits"),
        ("duplicate", HEAD + " - focus: font_size\n   focus: ctr_model\n", ":5", "duplicate key 'focus'"),
        ("tag", HEAD + " - {focus: !!python/object:os.system x}\n", ":4", "not allowed"),
        ("no-focus", HEAD + " - {mode: explore, focus: font_size}\n - {mode: impact}\n", "#/steps/1", "needs a focus"),
        ("no-focus-explore", HEAD + " - {title: t}\n", "#/steps/0", "needs a focus"),
        ("deep-view", HEAD + " - {focus: font_size, depth: 1000000000}\n", "#/steps/0/depth", "maximum of 12"),
    ],
)
def test_a_hostile_tour_file_fails_at_its_place(lineage, demo_db, tmp_path, name, content, where, message):
    shutil.copy(demo_db, lineage.db)
    before = file_digest(lineage.db)
    path = tmp_path / f"{name}.yaml"
    path.write_text(content, "utf-8")
    result = lineage("tour", "import", str(path))
    assert result.exit_code == 1, result.output
    assert re.search(re.escape(str(path)) + where + r"\b", result.output), result.output
    assert message in result.output and not TRACEBACK.search(result.output), result.output
    assert "9" * 100 not in result.output
    assert file_digest(lineage.db) == before


@pytest.mark.parametrize(
    ("raw", "where", "message"),
    [
        ("\ufeff".encode("utf-16-le") + (HEAD + " - {focus: font_size}\n").encode("utf-16-le"), ":1", "UTF-16"),
        (HEAD.encode() + b' - {focus: font_size, title: "\xff"}\n', ":4", "not valid UTF-8"),
    ],
)
def test_a_tour_file_that_is_not_utf8_is_located(store, raw, where, message):
    with pytest.raises(InputError) as caught:
        parse_tour(raw, "t.yaml", store)
    assert str(caught.value).startswith(f"t.yaml{where}: ") and message in str(caught.value)


def test_a_utf16_tour_file_is_located_through_the_cli(lineage, demo_db, tmp_path):
    shutil.copy(demo_db, lineage.db)
    path = tmp_path / "t.yaml"
    path.write_bytes("\ufeff".encode("utf-16-le") + (HEAD + " - {focus: font_size}\n").encode("utf-16-le"))
    result = lineage("tour", "import", str(path))
    assert result.exit_code == 1 and f"{path}:1: UTF-16" in result.output, result.output


def test_a_stored_step_with_a_huge_depth_is_bounded_at_export(store):
    from lineage.views.tours import MAX_TOUR_DEPTH, scene_for

    graph = load_graph(store)
    focus = next(iter(graph))
    wide = scene_for(Step(focus=focus, depth=1_000_000_000), graph, store)
    assert set(wide.graph) == set(scene_for(Step(focus=focus, depth=MAX_TOUR_DEPTH), graph, store).graph)


def test_a_notes_image_is_never_fetched(store):
    graph = load_graph(store)
    note = "look: ![the chart](https://example.com/chart.png) and ![x](data:image/png;base64,AAAA) ![y](/local.png)"
    page = tour_html("t", "", [Step(focus=next(iter(graph)), note=note)], graph, store)
    body = page.split("<body>", 1)[1]
    assert "<img" not in body
    assert '<a href="https://example.com/chart.png">the chart</a>' in body
    assert "data:image" not in body and "local.png" not in body  # not remote: plain alt text
    assert " x " in body.replace("<", " <") or "x\n" in body


@pytest.mark.parametrize(
    "step",
    [Step(mode="findings", finding={"kind": "no_such_kind"}), Step(mode="impact", focus="model:gone"), Step()],
)
def test_a_stored_step_whose_focus_is_gone_still_exports(store, step):
    graph = load_graph(store)
    page = tour_html("t", "", [step, Step(focus=next(iter(graph)))], graph, store)
    assert page.count('<section class="slide"') == 2
    assert tour_pdf("t", [step], graph, store)[:5] == b"%PDF-"
