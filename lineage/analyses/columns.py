"""Column-level findings (:mod:`lineage.fields`): the columns of a table that feeds features and
models column by column, that no feature or model reads; and the features whose column is gone,
or changed type, since a model that reads them was trained."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from lineage.analyses.engine import Graph, split
from lineage.analyses.finding import Finding, is_live

ML_KINDS = ("feature", "model")


def unused_fields(graph: Graph) -> list[Finding]:
    """Fields (columns) with no path to any feature or model, of tables whose use by features
    and models is known column by column: some of their columns feed one, and no path from the
    table as a whole does (a feature derived from the whole table may read any of its columns:
    its columns are then not judged).

    >>> import networkx as nx
    >>> g = nx.DiGraph([("t", "t#a"), ("t", "t#b"), ("t#a", "f"), ("f", "m"), ("u", "u#x"), ("u", "g")])
    >>> kinds = {"t": "dataset", "t#a": "field", "t#b": "field", "f": "feature", "m": "model",
    ...          "u": "dataset", "u#x": "field", "g": "feature"}
    >>> nx.set_node_attributes(g, kinds, "kind")
    >>> nx.set_edge_attributes(g, {e: ("has_field",) for e in [("t", "t#a"), ("t", "t#b"), ("u", "u#x")]}, "kinds")
    >>> [(f.nodes, f.details) for f in unused_fields(g)]
    [(('t#b',), {'dataset': 't', 'used': ['t#a']})]
    """
    graph, _ = split(graph)
    kinds = graph._node
    ml = [n for n, data in kinds.items() if data.get("kind") in ML_KINDS]
    reached = set(ml)  # every node with a path to a feature or a model
    as_table = set(ml)  # ... the same, but not through a field to its table
    for seen, crosses_containment in ((reached, True), (as_table, False)):
        stack = list(ml)
        while stack:
            node = stack.pop()
            for pred, data in graph._pred[node].items():
                if pred in seen or (not crosses_containment and "has_field" in (data.get("kinds") or ())):
                    continue
                seen.add(pred)
                stack.append(pred)
    found = []
    for table in sorted(n for n, data in kinds.items() if data.get("kind") != "field"):
        if table in as_table:
            continue  # read as a whole by some feature or model: which columns, nobody says
        columns = [c for c, data in graph._succ[table].items() if "has_field" in (data.get("kinds") or ())]
        used = sorted(c for c in columns if c in reached)
        if not used:
            continue  # no feature or model reads the table at all: a matter for the table
        for column in sorted(set(columns) - set(used)):
            found.append(Finding("unused_fields", (column,),
                                 "no feature or model reads this column, though they read others of its table",
                                 {"dataset": table, "used": used}))  # fmt: skip
    return found


@dataclass(frozen=True)
class ColumnFact:
    """What one import said of a field: when (``valid_at``, ``import_id``), whether it stated
    the field or only named it, and the column's type."""

    valid_at: str
    import_id: int
    stated: bool
    type: str | None = None


@dataclass(frozen=True)
class ColumnHistory:
    """The history the finding below reads (:func:`lineage.graph.load_column_history`): the
    (field, feature) pairs a feature is made of a column, every fact of those fields, and when
    each model that reads such a feature was first stated (its training: a model version is
    trained once, before it is registered or declared)."""

    made_of: Sequence[tuple[str, str]] = ()
    facts: Mapping[str, Sequence[ColumnFact]] = field(default_factory=dict)
    trained: Mapping[str, tuple[str, int]] = field(default_factory=dict)


def changed_feature_columns(graph: Graph, history: ColumnHistory) -> list[Finding]:
    """Features whose column is gone, or changed type, since a live model that reads them was
    trained: the column the model learned from is not the column it is served.

    >>> import networkx as nx
    >>> g = nx.DiGraph([("t#a", "f"), ("f", "m"), ("t#b", "h"), ("h", "m")])
    >>> nx.set_node_attributes(g, {"t#a": "field", "t#b": "field", "f": "feature", "h": "feature", "m": "model"},
    ...                        "kind")
    >>> g.nodes["t#b"]["declared"] = False  # only a manifest still names it: the column is gone
    >>> facts = {"t#a": [ColumnFact("2026-01", 1, True, "INT"), ColumnFact("2026-03", 3, True, "DOUBLE")],
    ...          "t#b": [ColumnFact("2026-01", 1, True, "INT"), ColumnFact("2026-03", 3, False)]}
    >>> history = ColumnHistory([("t#a", "f"), ("t#b", "h")], facts, {"m": ("2026-02", 2)})
    >>> [(f.nodes, f.details["change"]) for f in changed_feature_columns(g, history)]
    [(('f', 't#a', 'm'), 'type INT -> DOUBLE'), (('h', 't#b', 'm'), 'gone')]
    """
    graph, _ = split(graph)
    found = []
    for column, feature in sorted(set(history.made_of)):
        if feature not in graph:
            continue
        facts = history.facts.get(column, ())
        for model in sorted(graph._succ[feature]):
            if graph._node[model].get("kind") != "model" or not is_live(graph, model) or model not in history.trained:
                continue
            trained = history.trained[model]
            # What was said by then: dated no later (one import session dates all its files alike,
            # and imports a manifest before the warehouse's files).
            then = [f for f in facts if f.stated and f.valid_at <= trained[0]]
            if not then:
                continue  # the column came after the model: no drift from what it learned
            here = column in graph and graph._node[column].get("declared", True)
            now = [f for f in facts if f.stated]
            if not here:
                change, reason = "gone", f"its column {column} is gone since {model} was trained"
            elif then[-1].type and now[-1].type and then[-1].type != now[-1].type:
                change = f"type {then[-1].type} -> {now[-1].type}"
                reason = f"its column {column} changed {change} since {model} was trained"
            else:
                continue
            found.append(Finding("changed_feature_columns", (feature, column, model), reason,
                                 {"model": model, "column": column, "change": change,
                                  "trained": trained[0]}))  # fmt: skip
    return found
