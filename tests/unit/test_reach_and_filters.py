"""Which nodes a view reaches up and down apart (dbt's ``2+model+1``) and which its facets keep,
table-driven on a small graph whose answers can be read off its edges; and a tour step keeping
both."""

from __future__ import annotations

import networkx as nx
import pytest

from lineage.refs import RefError
from lineage.views.filters import NodeFilter
from lineage.views.scenes import build_scene
from lineage.views.selector import parse_selector
from lineage.views.spec import ViewSpec
from lineage.views.tours import Step, step_of, step_spec, tour_validator

# raw -> clean -> feat -> model -> dash ; other -> feat ; clean -> audit ; side -> model
EDGES = [("raw", "clean"), ("clean", "feat"), ("feat", "model"), ("model", "dash"), ("other", "feat"),
         ("clean", "audit"), ("side", "model")]  # fmt: skip
KINDS = {"raw": "dataset", "clean": "dataset", "feat": "feature", "model": "model", "dash": "consumer",
         "other": "feature", "audit": "consumer", "side": "flag"}  # fmt: skip


@pytest.fixture(scope="module")
def graph() -> nx.DiGraph:
    g = nx.DiGraph(EDGES)
    for node, kind in KINDS.items():
        g.nodes[node].update(kind=kind, name=node, owner="ana" if kind == "feature" else "bo")
    return g


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (ViewSpec(focus="feat", depth=1), {"feat", "clean", "other", "model"}),
        (ViewSpec(focus="feat", depth=2), {"feat", "clean", "other", "model", "raw", "audit", "side", "dash"}),
        (ViewSpec(focus="feat", up=2, down=0), {"feat", "clean", "other", "raw"}),  # 2+feat
        (ViewSpec(focus="feat", up=0, down=2), {"feat", "model", "dash"}),  # feat+2: no "side"
        (ViewSpec(focus="feat", up=1, down=1), {"feat", "clean", "other", "model"}),
        (ViewSpec(focus="model", up=1), {"model", "feat", "side"}),  # only up set: nothing down
        (ViewSpec(focus="clean", up=0, down=1), {"clean", "feat", "audit"}),
    ],
)
def test_which_nodes_a_view_reaches(graph, spec, expected):
    assert set(build_scene(graph, spec).graph) == expected


@pytest.mark.parametrize(
    ("facets", "how", "drawn", "faded"),
    [
        ((("kind", "feature"),), "dim", {"feat", "clean", "other", "model"}, {"clean", "model"}),
        ((("kind", "feature"),), "hide", {"feat", "other"}, set()),
        ((("owner", "bo"),), "hide", {"feat", "clean", "model"}, set()),  # the focus stays
        ((("kind", "consumer"), ("owner", "bo")), "dim", {"feat", "clean", "other", "model"},
         {"clean", "other", "model"}),
        ((), "hide", {"feat", "clean", "other", "model"}, set()),
    ],
)  # fmt: skip
def test_which_nodes_a_filter_keeps(graph, facets, how, drawn, faded):
    spec = ViewSpec(focus="feat", depth=1, facets=facets, unmatched=how)
    scene = build_scene(graph, spec, only=NodeFilter(facets))
    assert set(scene.graph) == drawn and scene.unmatched == faded


def test_a_traces_ends_stay_when_a_filter_hides_what_it_does_not_match(graph):
    spec = ViewSpec(mode="trace", focus="raw", trace=("raw", "dash"), facets=(("kind", "model"),), unmatched="hide")
    scene = build_scene(graph, spec, only=NodeFilter(spec.facets))
    assert set(scene.graph) == {"raw", "model", "dash"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2+feat+1", ("feat", 2, 1)), ("+feat", ("feat", 12, 0)), ("feat+", ("feat", 0, 12)), ("feat", None),
     ("0+feat+0", ("feat", 0, 0)), ("1+nothing", None), ("+", None), ("a+b", None), ("3+a+b", ("a+b", 3, 0))],
)  # fmt: skip
def test_a_dbt_selector(text, expected):
    def resolve(ref: str) -> str:
        if ref not in {"feat", "a+b"}:
            raise RefError(f"no node {ref}", [])
        return ref

    assert parse_selector(text, resolve) == expected


def test_a_tour_step_keeps_the_reach_and_the_filter(graph):
    spec = ViewSpec(focus="feat", up=2, down=1, facets=(("kind", "feature"), ("owner", "ana")), unmatched="hide")
    step = step_of(spec, title="t")
    data = step.to_json()
    assert not list(tour_validator().iter_errors({"lineage_tour": 1, "name": "x", "steps": [data]}))
    again = step_spec(Step.from_json(data), graph)
    assert (again.up, again.down, again.facets, again.unmatched) == (2, 1, spec.facets, "hide")
    wrong = {**data, "facets": {"colour": "red"}}
    assert list(tour_validator().iter_errors({"lineage_tour": 1, "name": "x", "steps": [wrong]}))
