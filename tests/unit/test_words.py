"""Counts read as words: one hop, two hops, in titles, the status line and the CLI."""

from __future__ import annotations

import networkx as nx
import pytest

from lineage.views.scenes import explore_scene, trace_scene
from lineage.words import counted


@pytest.mark.parametrize(
    ("n", "noun", "plural", "said"),
    [(0, "hop", None, "0 hops"), (1, "hop", None, "1 hop"), (2, "hop", None, "2 hops"),
     (12_345, "node", None, "12,345 nodes"), (1, "dependency", "dependencies", "1 dependency"),
     (2, "dependency", "dependencies", "2 dependencies")],
)  # fmt: skip
def test_counted(n, noun, plural, said):
    assert counted(n, noun, plural) == said


def test_a_view_of_one_hop_says_one_hop_and_a_single_path_one_path():
    g = nx.DiGraph([("a", "b"), ("b", "c")])
    assert explore_scene(g, "a", depth=1).title == "a: 2 nodes within 1 hop"
    assert trace_scene(g, "a", "c").summary[0] == "1 path"
