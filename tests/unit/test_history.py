"""History: which import brought each change (lineage.analyses.arrivals), moments that tell
apart imports dated alike, and `lineage diff --since` saying "added with FILE at TIME"."""

from __future__ import annotations

import json

import pytest

from lineage.analyses.arrivals import Step, arrivals
from lineage.changes import changes_between
from lineage.store import Store
from lineage.when import after_import


def steps(*rows: tuple[int, str, str]) -> list[Step[str]]:
    return [Step(i, source, frozenset(keys)) for i, source, keys in rows]


@pytest.mark.parametrize(
    ("start", "later", "came", "left"),
    [
        # before any import: each key came with the first import that named it
        ([], [(1, "x", "ab"), (2, "y", "bc")], {"a": 1, "b": 1, "c": 2}, {}),
        # a new generation of a source replaces the old one: what it no longer says leaves
        ([(1, "x", "ab")], [(2, "x", "b")], {}, {"a": 2}),
        # a key another source still names does not leave
        ([(1, "x", "ab"), (2, "y", "a")], [(3, "x", "b")], {}, {}),
        # left, then back with a later import: it came with that one
        ([(1, "x", "a")], [(2, "x", ""), (3, "y", "a")], {"a": 3}, {}),
        # came, then left again: only the leaving counts
        ([], [(1, "x", "a"), (2, "x", "")], {}, {"a": 2}),
        # present from the start and still there: neither
        ([(1, "x", "a")], [(2, "y", "a")], {}, {}),
    ],
)  # fmt: skip
def test_arrivals(start, later, came, left):
    found = arrivals(steps(*start), steps(*later))
    assert (found.came, found.left) == (came, left)


@pytest.fixture
def two_sources(lineage, small, tmp_path):
    """Two sources: `small.yaml` first imported on 2025-06-01, `extra.yaml` on 2025-09-01; both
    imported again together (one session, one valid_at) on 2026-01-01, extra adding a node."""
    extra = tmp_path / "extra.yaml"
    extra.write_text("lineage_manifest: 1\nnamespace: shop\ndatasets:\n  - name: views\n")
    lineage("import", "--at", "2025-06-01", "small.yaml")
    lineage("import", "--at", "2025-09-01", "extra.yaml")
    small.write_text(small.read_text().replace("owner: web-team", "owner: growth"))
    extra.write_text(extra.read_text() + "  - name: carts\n")
    lineage("import", "--at", "2026-01-01", "small.yaml", "extra.yaml")
    return lineage


def test_a_moment_after_an_import_tells_apart_imports_dated_alike(two_sources, tmp_path):
    with Store.open(tmp_path / "lineage.db") as store:
        generations = store.generations()
        assert [g["valid_at"][:10] for g in generations] == ["2025-06-01", "2025-09-01", "2026-01-01", "2026-01-01"]
        before, *dated_alike = generations[1:]
        nodes = [store.snapshot(after_import(g["valid_at"], g["id"]))[0] for g in (before, *dated_alike)]
        assert nodes[-1] == store.snapshot()[0]
        # the two 2026 imports share a time: only the moment after each tells them apart
        brought = {g["path"]: set(now) - set(then) for g, then, now in zip(dated_alike, nodes, nodes[1:], strict=False)}
        assert brought == {"extra.yaml": {"dataset:shop/carts"}, "small.yaml": set()}
        owners = [n["consumer:shop/homepage"]["owner"] for n in nodes]
        assert owners[0] == "web-team" and owners[-1] == "growth"


def test_diff_since_before_a_source_was_first_imported(two_sources, tmp_path):
    text = two_sources("diff", "--since", "2025-07-01").stdout
    assert "added with extra.yaml at 2025-09-01 00:00 (manifest, 1 node):\n+ dataset:shop/views\n" in text
    assert "added with extra.yaml at 2026-01-01 00:00 (manifest, 1 node):\n+ dataset:shop/carts\n" in text
    assert "~ consumer:shop/homepage" in text
    assert "held nothing" not in text  # small.yaml was there


def test_diff_since_before_every_import_says_so(two_sources):
    text = two_sources("diff", "--since", "2024-01-01").stdout
    assert "(the database held nothing then: its first import is dated 2025-06-01 00:00:00)" in text
    assert "added with small.yaml at 2025-06-01 00:00 (manifest, 6 nodes):" in text
    data = json.loads(two_sources("diff", "--since", "2024-01-01", "--json").stdout)
    assert data["before_first_import"] is True
    with_views = data["nodes"]["added_with"]["dataset:shop/views"]
    assert data["imports"][str(with_views)]["path"] == "extra.yaml"
    assert data["imports"][str(with_views)]["valid_at"] == "2025-09-01T00:00:00.000000Z"
    assert set(data["nodes"]["added_with"]) == set(data["nodes"]["added"])


def test_diff_since_and_from_are_one_or_the_other(two_sources):
    result = two_sources("diff", "--since", "2025-01-01", "--from", "2025-01-01")
    assert result.exit_code == 2 and "give one" in result.output


def test_changes_between_name_the_import_that_removed_a_node(two_sources, tmp_path):
    extra = tmp_path / "extra.yaml"
    extra.write_text("lineage_manifest: 1\nnamespace: shop\ndatasets:\n  - name: carts\n")
    two_sources("import", "--at", "2026-02-01", "extra.yaml")
    with Store.open(tmp_path / "lineage.db") as store:
        changes = changes_between(store, "2026-01-15")
        (import_id,) = changes.removed_groups()
        assert changes.removed_groups() == {import_id: ["dataset:shop/views"]}
        assert changes.imports[import_id]["valid_at"].startswith("2026-02-01")


def test_trace_as_of_traces_in_the_graph_of_then(lineage, small, tmp_path):
    old = tmp_path / "old.yaml"
    old.write_text(small.read_text().replace("configures: [ranker]", "configures: [feature:ctr]"))
    lineage("import", "--at", "2025-01-01", "--source", "s", "old.yaml")
    lineage("import", "--at", "2025-06-01", "--source", "s", "small.yaml")
    now = json.loads(lineage("trace", "rank_boost", "homepage", "--json").stdout)["paths"]
    then = json.loads(lineage("trace", "rank_boost", "homepage", "--as-of", "2025-03-01", "--json").stdout)["paths"]
    assert [[n["id"] for n in p] for p in now] == [
        ["flag:shop/rank_boost", "model:shop/ranker", "consumer:shop/homepage"]
    ]
    assert [n["id"] for n in then[0]][:2] == ["flag:shop/rank_boost", "feature:shop/ctr"]
    assert lineage("trace", "rank_boost", "homepage", "--as-of", "2024-01-01").exit_code == 2
