"""`make bench`: import, load, analyses and the explorer on synthetic graphs of growing size.

Each size runs in its own process (so peak memory is that size's own), on lineage written by
`lineage synth` (cached under bench/work/). The table is printed and written, with the machine
it ran on, to bench/results/latest.md and latest.json. With --base REV, the same measures run
on the code of REV (a git worktree) and each figure gets a ratio base/current.

    python bench/bench.py [--sizes 10000,100000,1000000] [--base REV] [--no-gui]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import deque
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work"
RESULTS = ROOT / "bench" / "results"
SEED = 7
# Tables an import writes (the full-text index is derived from nodes by triggers).
WRITTEN_TABLES = ("imports", "node_facts", "edge_facts", "provenance", "settings", "aliases", "nodes", "edges")

# (key, label, unit, target): a target is (comparison, value) checked in the table.
MEASURES = [
    ("nodes", "nodes", "", None),
    ("edges", "edges", "", None),
    ("import_s", "import (OpenLineage JSONL, manifest, serving log)", "s", None),
    ("import_rows_per_s", "import rows/s", "rows/s", None),
    ("floor_rows_per_s", "sqlite3 executemany of the same rows", "rows/s", None),
    ("import_vs_floor", "import / executemany", "", (">=", 0.30)),
    ("edges_per_s", "edges imported per second", "edges/s", (">=", 1_000_000 / 30)),
    ("late_manifest_s", "import the manifest after the logs (they are classified again)", "s", None),
    ("load_s", "open the database and load the graph", "s", None),
    ("impact3_ms", "impact, 3 hops", "ms", ("<=", 10)),
    ("impact3_sql_ms", "impact, 3 hops, from SQL without loading the graph", "ms", None),
    ("closure_ms", "downstream closure of a central node", "ms", None),
    ("descendants_ms", "networkx descendants, same node", "ms", None),
    ("closure_vs_nx", "closure / descendants", "", ("<=", 1.5)),
    ("simulate_s", "removal simulation of a central node", "s", ("<=", 5)),
    ("findings_s", "all findings", "s", None),
    ("layout500_s", "layout of a 500-node neighbourhood", "s", ("<=", 1)),
    ("layout2000_s", "layout of a 2,000-node neighbourhood", "s", None),
    ("first_view_s", "explorer: start to first drawn view", "s", ("<=", 3)),
    ("peak_mb", "peak memory (import, analyses)", "MB", ("<=", 3072)),
    ("gui_peak_mb", "peak memory (explorer)", "MB", ("<=", 3072)),
]


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def best_ms(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        _, seconds = timed(fn)
        times.append(seconds * 1000)
    return min(times)


def synthetic(size: int) -> Path:
    folder = WORK / f"synth-{size}-{SEED}"
    WORK.mkdir(parents=True, exist_ok=True)
    if not (folder / "manifest.json").exists():
        from lineage.synth import write_synthetic

        tmp = Path(tempfile.mkdtemp(dir=WORK, prefix=".synth-"))
        write_synthetic(tmp, nodes=size, seed=SEED)
        tmp.rename(folder)
    return folder


def floor_rate(db_path: Path) -> tuple[int, float]:
    """Rows an import wrote, and the rate of a bare executemany of those rows in one transaction."""
    source = sqlite3.connect(db_path)
    tables = {
        name: (sql, source.execute(f'SELECT * FROM "{name}"').fetchall())  # noqa: S608 (our own table names)
        for name, sql in source.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
        if name in WRITTEN_TABLES
    }
    source.close()
    with tempfile.TemporaryDirectory() as tmp:
        target = sqlite3.connect(Path(tmp) / "floor.db")
        target.execute("PRAGMA journal_mode=WAL")
        for sql, _ in tables.values():
            target.execute(sql)
        start = time.perf_counter()
        with target:
            for name, (_, rows) in tables.items():
                if rows:
                    marks = ", ".join("?" * len(rows[0]))
                    target.executemany(f'INSERT INTO "{name}" VALUES ({marks})', rows)  # noqa: S608
        seconds = time.perf_counter() - start
        target.close()
    total = sum(len(rows) for _, rows in tables.values())
    return total, total / seconds


def neighbourhood(graph, start: str, size: int) -> list[str]:
    """The first ``size`` nodes met walking out from ``start`` in both directions."""
    seen, queue = {start: None}, deque([start])
    while queue and len(seen) < size:
        node = queue.popleft()
        for other in (*graph.successors(node), *graph.predecessors(node)):
            if other not in seen:
                seen[other] = None
                queue.append(other)
                if len(seen) == size:
                    break
    return list(seen)


def measure_one(size: int, db: Path) -> dict:
    """Run in a child process: every measure of one size except the explorer's."""
    import networkx as nx

    from lineage.analyses import FlagGeneration, find_all, impact, simulate
    from lineage.graph import load_graph
    from lineage.store import Store

    try:
        from lineage.ingest import import_paths
        from lineage.views.layout import layout
    except ImportError:  # a --base revision from before the architecture step (docs/architecture.md)
        from lineage.importing import import_paths  # type: ignore[no-redef]
        from lineage.layout import layout  # type: ignore[no-redef]

    folder = synthetic(size)
    out: dict = {}
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    store = Store.open(db, create=True)
    result, out["import_s"] = timed(import_paths, store, [folder])
    assert result.ok and not result.skipped, "the synthetic lineage did not import cleanly"
    store.close()
    rows, out["floor_rows_per_s"] = floor_rate(db)
    out["import_rows_per_s"] = rows / out["import_s"]
    out["import_vs_floor"] = out["import_rows_per_s"] / out["floor_rows_per_s"]

    gc.collect()
    start = time.perf_counter()
    store = Store.open(db)
    graph = load_graph(store)
    gc.freeze()  # the graph lives as long as the process: keep the collector off it
    out["load_s"] = time.perf_counter() - start
    out["nodes"], out["edges"] = graph.number_of_nodes(), graph.number_of_edges()
    out["edges_per_s"] = out["edges"] / out["import_s"]

    central = max(graph, key=graph.out_degree)
    out["central"] = central
    out["impact3_ms"] = best_ms(lambda: impact(graph, central, depth=3))
    if hasattr(store, "nearby_rows"):  # absent in revisions before it (--base)
        from lineage.graph import build_graph

        out["impact3_sql_ms"] = best_ms(lambda: impact(build_graph(*store.nearby_rows(central, 3)), central, depth=3))
    out["closure_ms"] = best_ms(lambda: impact(graph, central), repeat=3)
    out["descendants_ms"] = best_ms(lambda: nx.descendants(graph, central), repeat=3)
    out["closure_vs_nx"] = out["closure_ms"] / out["descendants_ms"]
    out["reached"] = len(nx.descendants(graph, central))
    _, out["simulate_s"] = timed(simulate, graph, [central])
    # Built here rather than with lineage.graph.load_flag_history, which older --base revisions lack.
    history = [FlagGeneration(*row) for row in store.flag_history()]
    _, out["findings_s"] = timed(find_all, graph, flag_history=history)
    for count in (500, 2000):
        nodes = neighbourhood(graph, central, count)
        _, out[f"layout{count}_s"] = timed(layout, graph, nodes, {n: (90.0, 26.0) for n in nodes})
    store.close()
    try:
        from lineage.ingest import ImportReport
    except ImportError:  # a --base revision from before the architecture step
        from lineage.importing import ImportReport  # type: ignore[no-redef]

    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # After the peak is read: revisions before it (--base) do not run it, so it must not count.
    if "reclassified" in ImportReport.__dataclass_fields__:
        out["late_manifest_s"] = late_manifest(folder, db, (out["nodes"], out["edges"]))
    return out


def late_manifest(folder: Path, db: Path, expected: tuple[int, int]) -> float:
    """Seconds to import the manifest into a database that holds the logs already; the graph
    must come out as the one-command import's."""
    from lineage.store import Store

    try:
        from lineage.ingest import import_paths
    except ImportError:  # a --base revision from before the architecture step
        from lineage.importing import import_paths  # type: ignore[no-redef]

    late = db.with_name(f"{db.stem}-late{db.suffix}")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{late}{suffix}").unlink(missing_ok=True)
    with Store.open(late, create=True) as store:
        assert import_paths(store, [p for p in folder.iterdir() if p.name != "manifest.json"]).ok
        result, seconds = timed(import_paths, store, [folder / "manifest.json"])
        assert result.ok and result.reclassified, "the logs were not classified again"
        counts = store.counts()
        assert (counts["nodes"], counts["edges"]) == expected, f"{counts} after the late manifest, {expected} at once"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{late}{suffix}").unlink(missing_ok=True)
    return seconds


def first_view(db: Path, python: str, env: dict) -> tuple[float, float]:
    """Seconds from starting `lineage gui` to its first laid-out view saved, and its peak MB."""
    shot, peak = db.with_suffix(".png"), db.with_suffix(".peak")
    shot.unlink(missing_ok=True)
    code = (
        "import atexit, resource, sys\n"
        f"atexit.register(lambda: open({str(peak)!r}, 'w').write("
        "str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)))\n"
        "from lineage.cli import main\nsys.argv[0] = 'lineage'\nmain()"
    )
    start = time.perf_counter()
    proc = subprocess.run(
        [python, "-c", code, "--db", str(db), "gui", "--screenshot", str(shot)],
        env={**env, "QT_QPA_PLATFORM": "offscreen"}, capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    if proc.returncode != 0 or not shot.exists() or not peak.exists():
        raise RuntimeError(f"the explorer failed: {proc.stderr[-2000:]}")
    return seconds, int(peak.read_text()) / 1024


def run_size(size: int, code_root: Path, gui: bool) -> dict:
    """Measure one size with the code in ``code_root`` (this checkout, or a worktree of --base)."""
    env = {**os.environ, "PYTHONPATH": str(code_root), "PYTHONHASHSEED": "0"}
    synthetic(size)  # written by this checkout's generator, so --base sees the same files
    db = WORK / f"{code_root.name}-{size}.db"
    proc = subprocess.run(
        [sys.executable, __file__, "--one", str(size), "--db", str(db), "--work", str(WORK)],
        env=env, capture_output=True, text=True, cwd=code_root,
    )  # fmt: skip
    if proc.returncode != 0:
        raise RuntimeError(f"size {size} failed:\n{proc.stderr[-3000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    if gui:
        out["first_view_s"], out["gui_peak_mb"] = first_view(db, sys.executable, env)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    return out


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(memory, 1),
            "python": platform.python_version(), "system": platform.platform()}  # fmt: skip


def commit(root: Path, rev: str = "HEAD") -> str:
    return subprocess.run(["git", "rev-parse", "--short", rev], cwd=root, capture_output=True,
                          text=True).stdout.strip()  # fmt: skip


def fmt(value, unit: str) -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return f"{value:,}"
    if unit in ("rows/s", "edges/s") or (unit == "" and value >= 1000):
        return f"{value:,.0f}"
    if unit == "":
        return f"{value:.2f}"
    return f"{value:,.1f}" if value >= 100 else f"{value:.3g}"


def verdict(value, target) -> str:
    if target is None or value is None:
        return ""
    op, limit = target
    ok = value >= limit if op == ">=" else value <= limit
    return " ✓" if ok else " ✗"


def table(results: dict, base: dict | None) -> str:
    sizes = list(results)
    head = ["measure", "target", *[f"{int(s):,} nodes" for s in sizes]]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for key, label, unit, target in MEASURES:
        cells = []
        for size in sizes:
            value = results[size].get(key)
            cell = fmt(value, unit) + (f" {unit}" if unit and value is not None else "") + verdict(value, target)
            if base is not None and isinstance(value, float) and base.get(size, {}).get(key):
                cell += f" (base/now {base[size][key] / value:.2f})"
            cells.append(cell)
        limit = None if target is None else target[1]
        shown = f"{limit:,}" if isinstance(limit, int) else fmt(limit, unit)
        goal = "" if target is None else f"{target[0]} {shown}{' ' + unit if unit else ''}"
        lines.append(f"| {label} | {goal} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    global WORK
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--base", help="also measure this git revision and print ratios")
    parser.add_argument("--no-gui", action="store_true", help="skip the explorer's first view")
    parser.add_argument("--work", type=Path, default=None, help="where synthetic files and databases go")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where latest.md and latest.json go")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    WORK = (args.work or WORK).resolve()
    WORK.mkdir(parents=True, exist_ok=True)
    if args.one:  # the child: one size, printed as JSON
        print(json.dumps(measure_one(args.one, args.db)))
        return

    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",")]
    gui = not args.no_gui and _has_qt()
    results, base = {}, None
    for size in sizes:
        print(f"measuring {size:,} nodes…", file=sys.stderr, flush=True)
        results[str(size)] = run_size(size, ROOT, gui)
    if args.base:
        base = {}
        with tempfile.TemporaryDirectory(dir=WORK) as tmp:
            tree = Path(tmp) / "base"
            subprocess.run(["git", "worktree", "add", "--detach", str(tree), args.base], cwd=ROOT, check=True,
                           capture_output=True)  # fmt: skip
            try:
                for size in sizes:
                    print(f"measuring {size:,} nodes at {args.base}…", file=sys.stderr, flush=True)
                    base[str(size)] = run_size(size, tree, gui)
            finally:
                subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, capture_output=True)
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    base_report = {"commit": commit(ROOT, args.base), "results": base} if base else None
    report = {"machine": machine(), "commit": commit(ROOT), "when": when, "results": results, "base": base_report}
    m = report["machine"]
    text = (f"Commit {report['commit']}, {report['when']}, on {m['cpu']} ({m['cores']} cores, "
            f"{m['memory_gb']} GB), Python {m['python']}.\n\n" + table(results, base) + "\n")  # fmt: skip
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "latest.md").write_text(text)
    (args.results / "latest.json").write_text(json.dumps(report, indent=1, sort_keys=True) + "\n")
    print(text)


def _has_qt() -> bool:
    try:
        import PySide6  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    main()
