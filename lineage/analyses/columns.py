"""Column-level findings: the columns of a table that feeds features and models column by
column, that no feature or model reads (:mod:`lineage.fields`)."""

from __future__ import annotations

from lineage.analyses.engine import Graph, split
from lineage.analyses.finding import Finding

ML_KINDS = ("feature", "model")


def unused_fields(graph: Graph) -> list[Finding]:
    """Fields (columns) with no path to any feature or model, of tables whose use by features
    and models is known column by column: some of their columns feed one, and no path from the
    table as a whole does (a feature derived from the whole table may read any of its columns:
    its columns are then not judged).

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
