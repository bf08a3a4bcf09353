"""Turn the inputs found and the units read into what an import writes, and write it.

The order of inputs (importer priority, then path), which ``--option`` goes to which importer,
which teams' configs a manifest's ``configs:`` rule describes, whether anything is worth writing,
and the one transaction that classifies and writes the units.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from lineage.ingest import reclassify
from lineage.ingest.discover import Input
from lineage.ingest.held import HeldUnit
from lineage.ingest.protocol import READ_FIRST
from lineage.ingest.registry import importer_named
from lineage.ingest.report import ImportReport, UnitReport
from lineage.ingest.streamed import StreamedUnit
from lineage.records import Location, Problem, Setting
from lineage.store import ImportUnit, Store
from lineage.when import utc_now

ConfigRule = dict[str, Any]
"""A manifest's ``configs:`` rule (``paths``, ...) and ``_where``, the rule's place for messages."""


def import_order(item: Input) -> tuple[int, str]:
    """Registries and manifests before logs (importer priority), then by path."""
    return item.importer.priority, str(item.path)


def read_first(inputs: Iterable[Input]) -> list[Input]:
    """The inputs whose rules describe the other files of the same import (manifests)."""
    return [i for i in inputs if i.importer.priority <= READ_FIRST]


def option_problems(options: Mapping[str, str], inputs: Iterable[Input]) -> list[Problem]:
    """A problem for each option that no importer of ``inputs`` takes."""
    accepted = {key for item in inputs for key in item.importer.options}
    problems = []
    for key in sorted(set(options) - accepted):
        known = ", ".join(sorted(accepted)) or "none"
        problems.append(Problem(Location("--option"), f"no importer here takes option {key!r} (they take: {known})"))
    return problems


def own_options(options: Mapping[str, str], item: Input) -> dict[str, str]:
    """The options ``item``'s importer takes, and those just for ``item``."""
    own = {k: v for k, v in options.items() if k in item.importer.options}
    own.update(item.options)
    return own


def stored_config_rules(store: Store) -> list[ConfigRule]:
    """The ``configs:`` rules of the manifests stored."""
    return [
        {**{k: v for k, v in r.items() if not k.startswith("_")},
         "_where": f"the configs: rule at {r['_file']}:{r['_line']}"}
        for r in store.settings("configs")
    ]  # fmt: skip


def read_config_rules(unit: ImportUnit) -> list[ConfigRule]:
    """The ``configs:`` rules of a unit just read (a manifest)."""
    return [_with_where(s) for s in unit.settings if s.section == "configs"]


def _with_where(setting: Setting) -> ConfigRule:
    return {**setting.value, "_where": f"the configs: rule at {setting.location}"}


def config_input(path: Path, rules: Sequence[ConfigRule]) -> Input | None:
    """The config importer with the first rule whose paths glob matches ``path``, if any."""
    if path.suffix.lower() not in (".yaml", ".yml", ".json", ".toml") or path.is_symlink():
        return None
    for rule in rules:
        if PurePath(path).match(rule["paths"]):
            return Input(path, importer_named("config"), {"rule": json.dumps(rule)})
    return None


@dataclass
class Plan:
    """Inputs read and validated, not yet written."""

    report: ImportReport
    units: list[HeldUnit]

    def writes(self, lenient: bool = False) -> bool:
        """Whether :func:`write` would write anything (atomic: only a spotless import)."""
        if self.report.problems and not lenient:
            return False
        return any(not _unreadable(u) for u in self.units)


def _unreadable(unit: HeldUnit) -> bool:
    """Nothing in it could be read: the source keeps its previous generation."""
    return bool(unit.problems) and not unit.node_count


def write(store: Store, plan: Plan, *, lenient: bool = False, force: bool = False) -> ImportReport:
    """Write planned units in one transaction (nothing at all if any problem, unless lenient).

    ``force`` writes a new generation even of a source whose content has not changed. Earlier
    imports whose classification this changes are classified again in the same transaction
    (:func:`lineage.ingest.reclassify.settle`).
    """
    report = plan.report
    if not plan.writes(lenient):
        return report
    readable = {i: u for i, u in enumerate(plan.units) if not _unreadable(u)}
    with store.write():
        rules_before = reclassify.rule_list(store)
        # The whole commit's context first: then each unit is classified and written in turn, a
        # piece at a time (lineage.ingest.held, lineage.ingest.streamed).
        classifier = reclassify.Classifier(store, [u.summary for u in readable.values()],
                                           exclude_sources={u.shell.source for u in readable.values()})  # fmt: skip
        finished = utc_now()
        written: list[int] = []
        replaced: list[int] = []
        current: list[int] = []
        for i, unit_report in enumerate(report.units):
            if i not in readable:
                continue
            held = readable[i]
            # Only what will be written is kept as read: an unchanged input's copy is stored already.
            kept = force or not store.is_current(held.shell)
            # Classified and written a piece at a time (lineage.ingest.streamed).
            rows = StreamedUnit(held, classifier, keep=kept)
            outcome = unit_report.outcome = store.write_unit(rows.shell, finished, force=force, rows=rows)
            if outcome.unchanged:
                for _ in rows:  # not written: counted, as classified, for the report
                    pass
            unit_report.node_count, unit_report.edge_count = rows.node_count, rows.edge_count
            del rows
            if not outcome.unchanged and outcome.import_id is not None:
                written.append(outcome.import_id)
                replaced += [outcome.replaced] if outcome.replaced else []
                current += [outcome.import_id] if outcome.current else []
        rules_changed = reclassify.rule_list(store) != rules_before
        report.reclassified = [
            UnitReport(unit.path, unit.importer, len(unit.nodes), len(unit.edges), [], outcome)
            # The batch was the context it was classified in; an old snapshot in it is not current.
            for unit, outcome in reclassify.settle(
                store, written, replaced, rules_changed, recheck=current if current != written else ()
            )  # fmt: skip
        ]
    report.committed = True
    return report
