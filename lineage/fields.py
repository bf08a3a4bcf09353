"""Fields (columns) as parts of datasets: the records an importer gives for a field that lineage
names, so that "what does this column feed?" is a question of the graph.

A field is a node of kind ``field`` named ``DATASET_NAME#COLUMN`` in its dataset's namespace
(``field:warehouse/events.clicks#ts``), with a ``has_field`` edge from its dataset, so every
analysis that follows edges follows fields too. Only the fields that lineage names become nodes
(an end of a column-lineage edge, a column a feature is, a column a model reads): a dataset's
other columns stay in its ``fields`` attribute, so a 5,000-column table with no lineage on its
columns adds no node. The field's aliases are its dataset's, each with ``#COLUMN``: a field
said by two sources that name its dataset alike (a URI, a URN) is one node.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lineage.records import EdgeRecord, Location, NodeRecord, node_id

SEPARATOR = "#"  # between a dataset's name and a column: `#` is rare in table names
HAS_FIELD = "has_field"


def field_name(dataset_name: str, column: str) -> str:
    """The name of ``column``'s field node in a dataset named ``dataset_name``.

    >>> field_name("events.clicks", "ts")
    'events.clicks#ts'
    """
    return f"{dataset_name}{SEPARATOR}{column}"


def field_id(dataset_name: str, column: str, namespace: str = "") -> str:
    """The id of a field node.

    >>> field_id("events.clicks", "ts", "warehouse")
    'field:warehouse/events.clicks#ts'
    """
    return node_id("field", field_name(dataset_name, column), namespace)


def field_records(
    dataset: tuple[str, str, str],
    column: str,
    *,
    aliases: Iterable[str] = (),
    attributes: dict[str, Any] | None = None,
    location: Location | None = None,
) -> tuple[NodeRecord, EdgeRecord]:
    """The node of ``column`` of ``dataset`` (its kind, name and namespace as the importer names
    it) and the ``has_field`` edge from the dataset. ``aliases`` are the dataset's; ``attributes``
    what the source says of the column (type, description).

    >>> node, edge = field_records(("dataset", "events.clicks", "warehouse"), "ts", aliases=["pg://h/events.clicks"])
    >>> node.id, node.aliases, node.attributes
    ('field:warehouse/events.clicks#ts', ('dataset:warehouse/events.clicks#ts', 'pg://h/events.clicks#ts'), \
{'dataset': 'dataset:warehouse/events.clicks', 'column': 'ts'})
    >>> edge.key
    ('dataset:warehouse/events.clicks', 'field:warehouse/events.clicks#ts', 'has_field')
    """
    kind, name, namespace = dataset
    container = node_id(kind, name, namespace)
    said = {k: v for k, v in (attributes or {}).items() if v not in (None, "") and k not in ("name", "dataset")}
    node = NodeRecord(
        "field", field_name(name, column), namespace,
        attributes={"dataset": container, "column": column, **said},
        aliases=tuple(dict.fromkeys(f"{a}{SEPARATOR}{column}" for a in (container, *aliases))),
        location=location,
    )  # fmt: skip
    return node, EdgeRecord(container, node.id, HAS_FIELD, location=location)


class Fields:
    """The fields one import makes, each once (the first place that names it is its place), in
    the order made. :meth:`add` gives a field's id, and its ``has_field`` edge the first time
    only, for the importer to yield where its records go.

    >>> fields = Fields()
    >>> [(fid, edge is not None) for fid, edge in (fields.add(("dataset", "t", "w"), "a") for _ in range(2))]
    [('field:w/t#a', True), ('field:w/t#a', False)]
    """

    def __init__(self) -> None:
        self.nodes: dict[str, NodeRecord] = {}

    def add(
        self,
        dataset: tuple[str, str, str],
        column: str,
        *,
        aliases: Iterable[str] = (),
        attributes: dict[str, Any] | None = None,
        location: Location | None = None,
    ) -> tuple[str, EdgeRecord | None]:
        """``column`` of ``dataset`` (as :func:`field_records` takes them): its id, and its
        ``has_field`` edge if this made it (None if an earlier call did)."""
        fid = field_id(dataset[1], column, dataset[2])
        if fid in self.nodes:
            return fid, None
        node, edge = field_records(dataset, column, aliases=aliases, attributes=attributes, location=location)
        self.nodes[fid] = node
        return fid, edge


def shown_name(name: str, kind: str | None) -> str:
    """What a picture calls a node: its name; a field by its table's last part and its column
    (the whole name is in the inspector and the tooltip).

    >>> shown_name("jaffle.main.stg_payments#amount", "field"), shown_name("s3://b/raw/events#ts", "field")
    ('stg_payments.amount', 'events.ts')
    >>> shown_name("jaffle.main.customers", "dataset")
    'jaffle.main.customers'
    """
    if kind != "field" or SEPARATOR not in name:
        return name
    table, _, column = name.rpartition(SEPARATOR)
    return f"{table.replace('/', '.').rsplit('.', 1)[-1]}.{column}"
