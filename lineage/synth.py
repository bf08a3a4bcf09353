"""Synthetic lineage, written in the real formats the importers read, for benchmarks and demos.

The shape follows what production lineage looks like: a few raw logs feed many jobs, fan-out
is heavy-tailed (a few tables are read by thousands of jobs), feature tables feed many models,
some models correct other models (cascades), some consumers write logs that train the models
they read (feedback loops), some signals are deprecated, and some consumers are seen only in
serving logs (undeclared). The same seed gives byte-identical files.

>>> import tempfile, pathlib
>>> with tempfile.TemporaryDirectory() as d:
...     counts = write_synthetic(pathlib.Path(d), nodes=300, seed=1)
...     names = sorted(p.name for p in pathlib.Path(d).rglob("*.*"))
>>> names
['events-000.jsonl', 'manifest.json', 'requests.jsonl']
>>> 250 <= counts.nodes <= 350
True
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

NAMESPACE = "warehouse"
EVENTS_PER_FILE = 100_000
PRODUCER = "https://github.com/lineage-explorer/lineage-explorer/synth"
SCHEMA_URL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"


@dataclass(frozen=True)
class SynthCounts:
    """What was written: distinct nodes, and edges summed over the files (the same edge declared
    in the manifest and observed in a serving log counts twice)."""

    nodes: int
    edges: int
    events: int
    models: int
    consumers: int
    features: int


class _Popular:
    """Preferential attachment: an item picked once is more likely to be picked again."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.items: list[str] = []

    def add(self, item: str) -> None:
        self.items.append(item)

    def pick(self, count: int) -> list[str]:
        chosen: dict[str, None] = {}
        for _ in range(count * 3):
            if len(chosen) == count or not self.items:
                break
            item = self.rng.choice(self.items)
            if item not in chosen:
                chosen[item] = None
                self.items.append(item)  # the rich get richer
        return list(chosen)


def _fan_in(rng: random.Random, cap: int) -> int:
    return min(cap, 1 + int(rng.paretovariate(1.6)))


def write_synthetic(folder: Path, *, nodes: int, seed: int = 0) -> SynthCounts:
    """Write about ``nodes`` nodes of lineage into ``folder``; returns what was written."""
    if nodes < 50:
        raise ValueError("--nodes must be at least 50")
    rng = random.Random(seed)
    n_models = max(4, nodes // 50)
    n_consumers = max(2, nodes // 200)
    n_features = max(10, nodes // 5)
    n_raw = max(3, nodes // 100)
    n_jobs = max(5, (nodes - n_models * 2 - n_consumers - n_features - n_raw) // 3)
    n_tables = max(5, nodes - n_models * 2 - n_consumers - n_features - n_raw - n_jobs)
    teams = [f"team_{i:03d}" for i in range(max(3, nodes // 2000))]

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "openlineage").mkdir(exist_ok=True)
    (folder / "serving").mkdir(exist_ok=True)
    tables, features = _Popular(rng), _Popular(rng)
    raw = [f"raw_log_{i}" for i in range(n_raw)]
    for name in raw:
        tables.add(name)
    consumers = [f"consumer_{i}" for i in range(n_consumers)]
    loop_logs = {c: f"raw_{c}_log" for c in consumers[: max(1, n_consumers // 20)]}  # feedback loops
    for log in loop_logs.values():
        tables.add(log)

    events: list[dict] = []
    edges = 0
    made_tables = made_features = 0
    for j in range(n_jobs):
        inputs = tables.pick(_fan_in(rng, 12))
        outputs = []
        for _ in range(rng.choice((1, 1, 2, 3))):
            if made_features < n_features and rng.random() < n_features / (n_features + n_tables):
                name = f"feat_{made_features}"
                made_features += 1
                features.add(name)
            elif made_tables < n_tables:
                name = f"table_{made_tables}"
                made_tables += 1
                tables.add(name)
            else:
                continue
            outputs.append(name)
        events.append(_event(f"job_{j}", inputs, outputs, j))
        edges += len(inputs) + len(outputs)
    # Whatever the jobs did not reach, one more job per chunk writes (every feature has a producer).
    rest = [f"feat_{i}" for i in range(made_features, n_features)]
    rest += [f"table_{i}" for i in range(made_tables, n_tables)]
    for k in range(0, len(rest), 3):
        chunk = rest[k : k + 3]
        for name in chunk:
            (features if name.startswith("feat_") else tables).add(name)
        events.append(_event(f"job_{n_jobs + k // 3}", tables.pick(_fan_in(rng, 6)), chunk, n_jobs + k))
        edges += len(events[-1]["inputs"]) + len(chunk)

    models: list[dict] = []
    manifest_consumers: list[dict] = []
    serving: list[dict] = []
    model_names = [f"model_{i}" for i in range(n_models)]
    for i, model in enumerate(model_names):
        team = teams[i % len(teams)]
        reads = features.pick(min(60, 3 + int(rng.paretovariate(1.2) * 4)))
        weights = [rng.random() ** 3 for _ in reads]
        total = sum(weights) or 1.0
        entry: dict = {"name": model, "team": team, "version": str(1 + i % 9),
                       "features": [{"name": f, "weight": round(w / total, 4)}
                                    for f, w in zip(reads, weights, strict=True)]}  # fmt: skip
        inputs = list(reads)
        if i >= 4 and rng.random() < 0.1:  # a correction model stacked on an earlier model
            inputs.append(f"model:{model_names[rng.randrange(i)]}")
            entry["description"] = "corrects an earlier model for one market"
        if rng.random() < 0.03:
            entry["deprecated"] = {"since": "2025-06-01", "reason": "superseded"}
        callers = rng.sample(consumers, min(len(consumers), rng.choice((1, 1, 2, 3))))
        entry["consumers"] = [c for c in callers if not _undeclared(c)]
        models.append(entry)
        events.append(_event(f"train_{model}", inputs, [f"model:{model}"], len(events)))
        edges += len(inputs) + 1 + len(entry["features"]) + len(entry["consumers"])
        for consumer in callers:
            used = [f["name"] for f in entry["features"]]
            edges += 1 + len(used)
            serving.append({"time": "2026-03-01T10:00:00Z", "consumer": consumer, "model": model,
                            "model_version": entry["version"], "namespace": NAMESPACE, "features": used,
                            "requests": rng.randrange(1, 100_000)})  # fmt: skip
    for c, consumer in enumerate(consumers):
        entry = {"name": consumer, "team": teams[c % len(teams)]}
        if consumer in loop_logs:
            entry["writes"] = [loop_logs[consumer]]
            edges += 1
        if not _undeclared(consumer):
            manifest_consumers.append(entry)
    for consumer, log in loop_logs.items():  # close each loop: the consumer's log trains a model it reads
        trained = models[rng.randrange(len(models))]["name"]
        events.append(_event(f"train_{trained}_from_{consumer}", [log], [f"model:{trained}"], len(events)))
        serving.append({"time": "2026-03-01T11:00:00Z", "consumer": consumer, "model": trained,
                        "namespace": NAMESPACE, "requests": 1})  # fmt: skip
        edges += 3

    manifest = {
        "lineage_manifest": 1,
        "namespace": NAMESPACE,
        "classify": [
            {"kind": "feature", "name": "feat_*", "applies_to": "dataset"},
            {"kind": "model", "name": "model_*", "applies_to": "dataset"},
        ],
        "models": models,
        "consumers": manifest_consumers,
    }
    # The marker key first: importers sniff a file's first bytes (so no sort_keys at the top).
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    for start in range(0, len(events), EVENTS_PER_FILE):
        batch = events[start : start + EVENTS_PER_FILE]
        path = folder / "openlineage" / f"events-{start // EVENTS_PER_FILE:03d}.jsonl"
        path.write_text("".join(json.dumps(e, sort_keys=True) + "\n" for e in batch))
    (folder / "serving" / "requests.jsonl").write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in serving))
    total_nodes = n_raw + len(loop_logs) + n_features + n_tables + len(events) + n_models + n_consumers
    return SynthCounts(total_nodes, edges, len(events), n_models, n_consumers, n_features)


def _undeclared(consumer: str) -> bool:
    """Every tenth consumer is declared nowhere: only the serving logs know it."""
    return consumer.endswith("9")


def _dataset(ref: str) -> dict:
    name = ref.split(":", 1)[1] if ref.startswith("model:") else ref
    return {"namespace": NAMESPACE, "name": name}


def _event(job: str, inputs: list[str], outputs: list[str], serial: int) -> dict:
    # Deterministic run ids and times: the same seed gives byte-identical files.
    run_id = f"00000000-0000-4000-8000-{serial:012x}"
    minute = serial % (60 * 24)
    return {
        "eventTime": f"2026-03-01T{minute // 60:02d}:{minute % 60:02d}:00Z",
        "eventType": "COMPLETE",
        "inputs": [_dataset(i) for i in inputs],
        "job": {"namespace": NAMESPACE, "name": job},
        "outputs": [_dataset(o) for o in outputs],
        "producer": PRODUCER,
        "run": {"runId": run_id},
        "schemaURL": SCHEMA_URL,
    }
