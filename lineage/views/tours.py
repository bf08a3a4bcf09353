"""Walkthroughs: a tour is an ordered list of steps, each a view (mode, focus, depth, the path
or removal set, the finding, a frozen layout) and a note in Markdown. Tours live in the
database; they are exported as a self-contained HTML slide show or a PDF, one page a step."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import cache
from typing import Any

import networkx as nx

from lineage.analyses import Finding, find_all
from lineage.records import LONE_SURROGATE, InputError, Location, lone_surrogate_at
from lineage.refs import resolve
from lineage.safeyaml import decode_text, load_yaml
from lineage.store import Store
from lineage.views.filters import node_filter
from lineage.views.scenes import Scene, build_scene, diff_inputs
from lineage.views.spec import DEFAULT_DEPTH, FACETS, MAX_DEPTH, MODES, ViewSpec

TOUR_FORMATS = ("html", "pdf")
MAX_TOUR_DEPTH = MAX_DEPTH  # a step's neighbourhood is at most this many hops
Findings = dict[str, list[Finding]]


@dataclass
class Step:
    """One view of a walkthrough; ``note`` is Markdown."""

    title: str = ""
    note: str = ""
    mode: str = "explore"
    focus: str = ""
    depth: int = 2
    trace: list[str] | None = None
    upstream: bool = False
    removed: list[str] = field(default_factory=list)
    removed_edges: list[list[str]] = field(default_factory=list)
    finding: dict[str, Any] | None = None  # {"kind": ..., "nodes": [...]}
    since: str | None = None
    group_by: str | None = None
    positions: dict[str, list[float]] | None = None  # a frozen layout, node -> [x, y]
    up: int | None = None  # hops up and down apart (explore), as the view's
    down: int | None = None
    facets: dict[str, str] = field(default_factory=dict)  # the view's filter: facet -> value
    hide_unmatched: bool = False  # the filter hides what it does not match (else dims it)

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, [], {}, "")}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Step:
        # A blank (null) value is the default: "note:" with nothing after it is no note.
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__ and v is not None}
        return cls(**known)


def scene_for(step: Step, graph: nx.DiGraph, store: Store | None = None, findings: Findings | None = None) -> Scene:
    """The scene a step shows, from the graph as it is now (a focus it no longer holds, or a
    finding that is gone from a step with no focus, shows an empty view that says so)."""
    unfocused_finding = step.mode == "findings" and step.finding and not step.focus
    if (needs_focus(step) and step.focus not in graph) or (
        unfocused_finding and not _finding_exists(step, graph, findings)
    ):
        gone = f"{step.focus} is not in the graph now" if step.focus else "nothing to show: the step has no focus"
        scene = Scene(step.mode, gone, nx.DiGraph(), summary=[gone])
        scene.title = step.title or scene.title
        return scene
    spec = step_spec(step, graph, store, findings)
    inputs = None
    if spec.mode == "diff" and step.since and store is not None:
        inputs = diff_inputs(store, step.since, label=step.since[:19])
    only = node_filter(store, spec.facets) if spec.facets and store is not None else None
    scene = build_scene(graph, spec, diff=inputs, only=only)
    scene.title = step.title or scene.title
    return scene


def step_spec(step: Step, graph: nx.DiGraph, store: Store | None = None, findings: Findings | None = None) -> ViewSpec:
    """The view a step asks for. A step whose mode lacks its input (a trace with no ends, a
    finding that is gone, a diff with no store to read) explores its focus instead."""
    spec = ViewSpec(focus=step.focus, group_by=step.group_by, **reach_and_filter(step))
    if step.mode == "trace" and step.trace:
        return spec.replace(mode="trace", trace=tuple(step.trace))
    if step.mode == "impact":
        return spec.replace(mode="impact", upstream=step.upstream)
    if step.mode == "simulate" and (step.removed or step.removed_edges):
        edges = tuple((e[0], e[1]) for e in step.removed_edges)
        return spec.replace(mode="simulate", removed=tuple(step.removed), removed_edges=edges)
    if step.mode == "findings" and step.finding:
        found = findings if findings is not None else find_all(graph)
        match = match_finding(found, step.finding)
        return spec.replace(mode="findings", finding=match) if match else spec.replace(depth=DEFAULT_DEPTH)
    if step.mode == "diff" and step.since and store is not None:
        return spec.replace(mode="diff", since=step.since)
    return spec


def reach_and_filter(step: Step) -> dict[str, Any]:
    """The view fields of a step's depth (both ways, or up and down apart) and its filter,
    brought into range (a tour written by hand may ask more)."""
    apart = {name: None if hops is None else ViewSpec.bounded_depth(hops)
             for name, hops in (("up", step.up), ("down", step.down))}  # fmt: skip
    return {"depth": ViewSpec.bounded_depth(step.depth), **apart, "facets": tuple(sorted(step.facets.items())),
            "unmatched": "hide" if step.hide_unmatched else "dim"}  # fmt: skip


def step_of(spec: ViewSpec, *, title: str = "", positions: dict[str, list[float]] | None = None) -> Step:
    """A view recorded as a tour step (removals sorted, a finding by its kind and nodes)."""
    finding = None
    if spec.mode == "findings" and spec.finding is not None:
        finding = {"kind": spec.finding.kind, "nodes": list(spec.finding.nodes)}
    return Step(title=title, mode=spec.mode, focus=spec.focus, depth=spec.depth,
                trace=list(spec.trace) if spec.trace else None, upstream=spec.upstream,
                removed=sorted(spec.removed), removed_edges=[list(e) for e in sorted(spec.removed_edges)],
                finding=finding, since=spec.since, group_by=spec.group_by, positions=positions,
                up=spec.up, down=spec.down, facets=dict(spec.facets),
                hide_unmatched=bool(spec.facets) and spec.unmatched == "hide")  # fmt: skip


def match_finding(findings: Findings, wanted: dict[str, Any]) -> Finding | None:
    """The finding a step names: of its kind, with its nodes if it lists them (else the first)."""
    candidates = findings.get(wanted.get("kind") or "", [])
    nodes = wanted.get("nodes")
    return next((f for f in candidates if not nodes or list(f.nodes) == list(nodes)),
                candidates[0] if candidates else None)  # fmt: skip


def _finding_exists(step: Step, graph: nx.DiGraph, findings: Findings | None) -> bool:
    found = findings if findings is not None else find_all(graph)
    return bool(found.get(step.finding.get("kind") or "", [])) if step.finding else False


_TEXT = {"type": "string"}
_TEXTS = {"type": "array", "items": _TEXT}
_BLANK_OR_TEXT = {"type": ["string", "null"]}  # a hand-written "note:" with nothing after it
_HOPS = {"type": ["integer", "null"], "minimum": 0, "maximum": MAX_TOUR_DEPTH}
# One view as a tour step (or a remembered view) holds it: a wrong type would surface later, unlocated.
STEP_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "title": _BLANK_OR_TEXT, "note": _BLANK_OR_TEXT, "mode": {"enum": list(MODES)},
        "focus": _BLANK_OR_TEXT,
        "depth": {"type": "integer", "minimum": 0, "maximum": MAX_TOUR_DEPTH},
        "trace": {"type": ["array", "null"], "items": _TEXT},
        "upstream": {"type": "boolean"}, "removed": _TEXTS,
        "removed_edges": {"type": "array", "items": {**_TEXTS, "minItems": 2, "maxItems": 2}},
        "finding": {"type": ["object", "null"], "properties": {"kind": _TEXT, "nodes": _TEXTS}},
        "since": {"type": ["string", "null"]},
        "group_by": {"enum": ["team", "owner", "namespace", None]},
        "positions": {"type": ["object", "null"], "additionalProperties": {
            "type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2}},
        "up": _HOPS, "down": _HOPS, "hide_unmatched": {"type": "boolean"},
        "facets": {"type": "object", "additionalProperties": False,
                   "properties": {facet: _TEXT for facet in FACETS}},
    },
}  # fmt: skip
# What a tour file may hold, checked where it enters.
TOUR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["lineage_tour", "name", "steps"],
    "additionalProperties": False,
    "properties": {
        "lineage_tour": {"const": 1}, "name": _TEXT, "description": _BLANK_OR_TEXT,
        "steps": {"type": "array", "items": STEP_SCHEMA},
    },
}  # fmt: skip


@cache
def tour_validator() -> Any:
    """Built on first use: jsonschema takes a tenth of a second to import, and the explorer
    imports this module at start."""
    import jsonschema

    return jsonschema.Draft202012Validator(TOUR_SCHEMA)


def needs_focus(step: Step) -> bool:
    """Whether the step's view is drawn around its focus (see :func:`scene_for`): impact, and
    every view that falls back to exploring (explore; trace with no trace; ...)."""
    if step.mode == "impact":
        return True
    shown = {"trace": step.trace, "simulate": step.removed or step.removed_edges,
             "findings": step.finding, "diff": step.since}  # fmt: skip
    return not shown.get(step.mode)


def parse_tour(text: str | bytes, file: str, store: Store) -> tuple[str, str, list[Step]]:
    """A tour file's name, description and steps, every reference resolved. The file gets the
    manifest's checks (:mod:`lineage.safeyaml`): bad input raises InputError at its place."""
    if isinstance(text, bytes):
        text = decode_text(text, file)
    data, _ = load_yaml(text, file)
    if not isinstance(data, dict) or data.get("lineage_tour") != 1:
        raise InputError(Location(file, line=1), "not a tour: no top-level 'lineage_tour: 1'")
    if not isinstance(data.get("name"), str) or not isinstance(data.get("steps"), list):
        raise InputError(Location(file, line=1), "a tour needs a 'name' and a list of 'steps'")
    where = lone_surrogate_at(data)  # first: a key the schema reports would print it
    if where is not None:
        raise InputError(Location(file, pointer=where or "/"), LONE_SURROGATE)
    error = min(tour_validator().iter_errors(data), key=lambda e: list(map(str, e.absolute_path)), default=None)
    if error is not None:
        where = "".join(f"/{part}" for part in error.absolute_path)
        message = f"{error.instance!r} is not a mapping" if error.validator_value == "object" else error.message
        raise InputError(Location(file, pointer=where or "/"), message)
    steps = []
    for index, raw in enumerate(data["steps"], start=1):
        step = Step.from_json(raw)
        try:
            step.focus = resolve(store, step.focus) if step.focus else step.focus
            step.trace = [resolve(store, r) for r in step.trace] if step.trace else None
            step.removed = [resolve(store, r) for r in step.removed]
            if step.finding and step.finding.get("nodes"):
                step.finding["nodes"] = [resolve(store, r) for r in step.finding["nodes"]]
        except LookupError as exc:
            raise InputError(Location(file, pointer=f"/steps/{index - 1}"), f"step {index}: {exc}") from None
        if not step.focus and needs_focus(step):
            raise InputError(Location(file, pointer=f"/steps/{index - 1}"),
                             f"step {index}: mode {step.mode!r} needs a focus")  # fmt: skip
        steps.append(step)
    return data["name"], str(data.get("description") or ""), steps


def import_tour(store: Store, text: str | bytes, file: str) -> tuple[str, int]:
    """Save the tour written in ``text`` (read from ``file``; see :func:`parse_tour`, whose
    InputError it raises) into ``store``: its name and how many steps it has."""
    name, description, steps = parse_tour(text, file, store)
    store.save_tour(name, [s.to_json() for s in steps], description)
    return name, len(steps)
