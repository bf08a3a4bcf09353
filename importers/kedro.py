"""Kedro pipelines, as Kedro-Viz exports them: the ``api/main`` file of ``kedro viz build``.

``kedro viz build`` (and ``kedro viz run --save-file DIR``) write the pipeline the Kedro-Viz
front end draws to ``DIR/api/main``, a JSON file without a ``.json`` extension; the same
document saved as a ``.json`` file reads the same. Tasks become jobs, data nodes datasets and
parameters flags, all *declared*, each with the file and line that said so; the edges of the
file become edges in the direction data flows. Kedro-Viz also draws each modular pipeline as a
node of its own, joined to its inputs and outputs: those nodes and edges only repeat, collapsed,
what the task edges say, and are left out. Nothing the file names is opened or run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lineage.records import EdgeRecord, InputError, NodeRecord, Problem

from ._kit.document import DocumentImporter, having
from ._kit.located import Located
from ._kit.structured import pointer_join
from ._kit.values import is_name, type_name

# Kedro-Viz node type -> node kind; modular pipelines are not nodes.
KINDS = {"task": "job", "data": "dataset", "parameters": "flag"}
MODULAR_PIPELINE = "modularPipeline"
# (source type, target type) of an edge -> edge kind, in the direction data flows.
EDGE_KINDS = {("data", "task"): "reads", ("task", "data"): "writes", ("parameters", "task"): "configures"}
PARAMS_PREFIX = "params:"
WHAT = {"task": "task", "data": "dataset", "parameters": "parameters", MODULAR_PIPELINE: "modular pipeline"}

# `kedro viz build` writes the nodes first (orjson, indented), so a big pipeline pushes "edges"
# past the first 4 KiB: a document that opens with a "nodes" list whose first node has the keys
# only Kedro-Viz nodes have is taken too.
LOOKS = (
    having(b'"nodes"', b'"edges"', (b'"modular_pipelines"', b'"pipelines"')),
    having(b'"modular_pipelines"', b'"pipelines"', b'"type"', start=re.compile(rb'^\s*\{\s*"nodes"\s*:\s*\[')),
)


class KedroImporter(DocumentImporter):
    name = "kedro"
    description = "Kedro pipelines as Kedro-Viz exports them: tasks, datasets, parameters"
    reads = "api/main of `kedro viz build` or `kedro viz run --save-file`, or the same JSON as *.json"
    priority = 30
    file_names = ("main",)  # kedro viz build: build/api/main
    looks = LOOKS
    not_an_object = "a Kedro-Viz pipeline file must be a JSON object"

    def read(self, path: Path, options: Mapping[str, str] | None = None) -> Iterator[NodeRecord | EdgeRecord | Problem]:
        doc = self.load_root(path)
        reader = _Reader(doc.file, doc.lines)
        for key in ("nodes", "edges"):
            if key not in doc.data:
                raise InputError(reader.at_line(1), f"a Kedro-Viz pipeline file needs a list of {key}")
            if not isinstance(doc.data[key], list):
                raise reader.error(f"/{key}", f"'{key}' must be a list, not {type_name(doc.data[key])}")
        # Kedro-Viz can write the whole document on one line: lines are then empty and the
        # reader's locations are JSON pointers.
        yield from reader.records(doc.data)


@dataclass
class _Node:
    kedro_id: str
    type: str  # task, data, parameters or modularPipeline
    name: str
    pointer: str
    record: NodeRecord | None  # None for modular pipelines


class _Reader(Located):
    def __init__(self, file: str, lines: dict[str, int]):
        super().__init__(file, lines)
        self.nodes: dict[str, _Node] = {}  # Kedro id -> node
        self.unusable: set[str] = set()  # Kedro ids of nodes reported as problems

    def records(self, data: dict) -> Iterator[NodeRecord | EdgeRecord | Problem]:
        for index, raw in enumerate(data["nodes"]):
            self.node(raw, pointer_join("/nodes", index))
        edges: dict[tuple[str, str, str], EdgeRecord] = {}
        for index, raw in enumerate(data["edges"]):
            edge = self.edge(raw, pointer_join("/edges", index))
            if edge is not None:
                edges.setdefault(edge.key, edge)
        self.parameter_values(edges.values())
        yield from (node.record for node in self.nodes.values() if node.record is not None)
        yield from edges.values()
        yield from self.problems

    def node(self, raw: Any, pointer: str) -> None:
        if not isinstance(raw, dict):
            self.problem(pointer, f"a node must be an object, not {type_name(raw)}")
            return
        kedro_id, name, node_type = raw.get("id"), raw.get("name"), raw.get("type")
        if not is_name(kedro_id):
            what = f"node {name!r}" if is_name(name) else "a node"
            self.problem(pointer, f"{what} needs an 'id'")
            return
        if kedro_id in self.nodes:
            first = self.at(self.nodes[kedro_id].pointer)
            self.problem(pointer, f"node id {kedro_id!r} is used twice (first at {first})")
            return
        if not is_name(name):
            self.problem(pointer, f"node {kedro_id!r} needs a 'name'")
            self.unusable.add(kedro_id)
            return
        if not is_name(node_type):
            self.problem(pointer, f"node {name!r} needs a 'type'")
            self.unusable.add(kedro_id)
            return
        if node_type == MODULAR_PIPELINE:
            self.nodes[kedro_id] = _Node(kedro_id, node_type, name, pointer, None)
            return
        kind = KINDS.get(node_type)
        if kind is None:
            self.problem(
                pointer,
                f"node {name!r} has type {node_type!r} (expected task, data, parameters or modularPipeline)",
            )
            self.unusable.add(kedro_id)
            return
        modular = [m for m in _list(raw.get("modular_pipelines")) if is_name(m)]
        attributes: dict[str, Any] = {"kedro_id": kedro_id, "kedro_type": node_type}
        if modular:
            attributes["modular_pipelines"] = modular
        pipelines = [p for p in _list(raw.get("pipelines")) if is_name(p)]
        if pipelines:
            attributes["pipelines"] = pipelines
        for key in ("dataset_type", "layer", "stats"):
            if raw.get(key) not in (None, "", {}):
                attributes[key] = raw[key]
        if node_type == "task" and raw.get("parameters") not in (None, {}):
            attributes["parameters"] = raw["parameters"]
        # Parameters are one project-wide tree ("params:a.b" names its path); Kedro-Viz derives
        # their modular pipelines from that name, often naming modular pipelines that do not exist.
        namespace = "" if node_type == "parameters" else _innermost(modular)
        tags = tuple(dict.fromkeys(t for t in _list(raw.get("tags")) if is_name(t)))
        record = NodeRecord(kind, name, namespace, tags=tags, attributes=attributes, location=self.at(pointer))
        self.nodes[kedro_id] = _Node(kedro_id, node_type, name, pointer, record)

    def edge(self, raw: Any, pointer: str) -> EdgeRecord | None:
        if not isinstance(raw, dict):
            self.problem(pointer, f"an edge must be an object, not {type_name(raw)}")
            return None
        source, target = raw.get("source"), raw.get("target")
        if not is_name(source) or not is_name(target):
            self.problem(pointer, "an edge needs a 'source' and a 'target' node id")
            return None
        if source in self.unusable or target in self.unusable:
            return None  # already reported
        src, dst = self.nodes.get(source), self.nodes.get(target)
        if src is None or dst is None:
            self.problem(pointer, self.dangling(source, target, src, dst))
            return None
        if MODULAR_PIPELINE in (src.type, dst.type):
            return None  # the collapsed view of task edges
        kind = EDGE_KINDS.get((src.type, dst.type))
        if kind is None:
            self.problem(
                pointer,
                f"an edge from {src.type} {src.name!r} to {dst.type} {dst.name!r} "
                "joins no task to its data or parameters",
            )
            return None
        assert src.record is not None and dst.record is not None
        return EdgeRecord(src.record.id, dst.record.id, kind, location=self.at(pointer))

    @staticmethod
    def dangling(source: str, target: str, src: _Node | None, dst: _Node | None) -> str:
        if src is None and dst is None:
            return f"an edge from {source!r} to {target!r} names nodes the file does not define"
        if src is None:
            assert dst is not None
            return f"{_what(dst)} {dst.name!r} has an edge from {source!r}, which the file does not define"
        return f"{_what(src)} {src.name!r} has an edge to {target!r}, which the file does not define"

    def parameter_values(self, edges) -> None:
        """A parameter's value, from the parameters Kedro-Viz lists for a task it configures."""
        by_id = {node.record.id: node for node in self.nodes.values() if node.record is not None}
        for edge in edges:
            if edge.kind != "configures":
                continue
            flag, task = by_id[edge.source], by_id[edge.target]
            assert flag.record is not None and task.record is not None
            values = task.record.attributes.get("parameters")
            key = flag.name.removeprefix(PARAMS_PREFIX)
            if (
                flag.name.startswith(PARAMS_PREFIX) and isinstance(values, dict) and key in values
                and "value" not in flag.record.attributes
            ):  # fmt: skip
                flag.record.attributes["value"] = values[key]


def _innermost(modular: list[str]) -> str:
    """The innermost of the modular pipelines a node is in (Kedro-Viz lists every enclosing one).

    >>> _innermost(["train", "train.create_features"])
    'train.create_features'
    >>> _innermost([])
    ''
    """
    best = ""
    for name in modular:
        if not best or name.count(".") >= best.count("."):
            best = name
    return best


def _what(node: _Node) -> str:
    return WHAT[node.type]


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []
