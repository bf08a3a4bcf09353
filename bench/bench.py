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
import shutil
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

# (key, label, unit, target): a target is (comparison, value) checked in the table, or a dict
# of them by size (a target the issue sets per size).
MEASURES = [
    ("nodes", "nodes", "", None),
    ("edges", "edges", "", None),
    ("import_s", "import (OpenLineage JSONL, manifest, serving log)", "s", {"1000000": ("<=", 60)}),
    ("import_peak_mb", "peak memory of the import (its own process)", "MB", {"1000000": ("<=", 2048)}),
    ("keyed_floor_s", "floor: executemany of the nodes and edges rows into keyed, indexed tables", "s", None),
    ("import_vs_keyed_floor", "import speed / keyed floor (floor s / import s)", "", (">=", 0.25)),
    ("import_rows_per_s", "import rows/s (every row an import writes)", "rows/s", None),
    ("floor_rows_per_s", "sqlite3 executemany of every row an import writes", "rows/s", None),
    ("import_vs_floor", "import / executemany of every row", "", None),
    ("edges_per_s", "edges imported per second", "edges/s", (">=", 1_000_000 / 30)),
    ("show_cmd_s", "`lineage show` of a hub (whole command)", "s", {"1000000": ("<=", 0.3)}),
    ("impact_cmd_s", "`lineage impact` of a hub (whole command)", "s", {"1000000": ("<=", 0.3)}),
    ("impact3_cmd_s", "`lineage impact --depth 3` of a hub (whole command)", "s", {"1000000": ("<=", 0.3)}),
    ("trace_cmd_s", "`lineage trace` hub to a far descendant (whole command)", "s", {"1000000": ("<=", 0.3)}),
    ("simulate_cmd_s", "`lineage simulate` of a hub (whole command)", "s", {"100000": ("<=", 1), "1000000": ("<=", 5)}),
    ("findings_cmd_s", "`lineage findings` (whole command)", "s", {"100000": ("<=", 5), "1000000": ("<=", 60)}),
    ("late_manifest_s", "import the manifest after the logs (they are classified again)", "s", None),
    ("load_s", "open the database and load the graph (collector on)", "s", {"1000000": ("<=", 10)}),
    ("impact3_ms", "impact, 3 hops", "ms", ("<=", 10)),
    ("impact3_sql_ms", "impact, 3 hops, from SQL without loading the graph", "ms", None),
    ("impact_walk_s", "impact of a hub walked in SQL, no graph built (what the command runs)", "s", None),
    ("between_s", "rows between the hub and the far node, walked both ways in SQL (trace reads)", "s", None),
    ("closure_ms", "downstream closure of a central node", "ms", None),
    ("descendants_ms", "networkx descendants, same node", "ms", None),
    ("closure_vs_nx", "closure / descendants", "", ("<=", 1.5)),
    ("simulate_s", "removal simulation of a central node (in process)", "s", None),
    ("findings_s", "all findings (in process)", "s", None),
    ("layout500_s", "layout of a 500-node neighbourhood", "s", ("<=", 1)),
    ("layout2000_s", "layout of a 2,000-node neighbourhood", "s", None),
    ("peak_mb", "peak memory (load and analyses)", "MB", ("<=", 3072)),
    ("first_view_s", "explorer: start to first drawn view (its screenshot saved)", "s", ("<=", 3)),
    ("gui_peak_mb", "peak memory (explorer, to its first view)", "MB", ("<=", 3072)),
]
# The explorer's start, once offscreen and once under Xvfb (a real X server) where there is one:
# bench/explorer_timing.py. Targets from issue 20.
EXPLORER_MEASURES = [
    ("window_s", "start to window shown", "s", ("<=", 1)),
    ("view_s", "start to first drawn view", "s", {"100000": ("<=", 2), "1000000": ("<=", 3)}),
    ("loaded_s", "start to whole graph loaded (in the background past 5,000 nodes)", "s", None),
    ("stall_ms", "longest event-loop stall, start to loaded (10 ms watchdog)", "ms", ("<=", 100)),
    ("peak_mb", "peak memory, start to loaded", "MB", {"1000000": ("<=", 1536)}),
]
for _display in ("offscreen", "xvfb"):
    MEASURES += [(f"explorer_{_display}_{key}", f"explorer ({_display}): {label}", unit, target)
                 for key, label, unit, target in EXPLORER_MEASURES]  # fmt: skip


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


def keyed_floor(db_path: Path) -> float:
    """Seconds for one executemany of the current ``nodes`` and ``edges`` rows into tables with
    our schema's keys and secondary indexes (the floor an import is measured against)."""
    source = sqlite3.connect(db_path)
    schema = source.execute(
        "SELECT sql FROM sqlite_master WHERE tbl_name IN ('nodes', 'edges') AND type IN ('table', 'index')"
        " AND sql IS NOT NULL"
        " ORDER BY type = 'index'"  # tables first
    ).fetchall()
    rows = {name: source.execute(f'SELECT * FROM "{name}"').fetchall() for name in ("nodes", "edges")}  # noqa: S608
    source.close()
    with tempfile.TemporaryDirectory() as tmp:
        target = sqlite3.connect(Path(tmp) / "floor.db")
        target.execute("PRAGMA journal_mode=WAL")
        for (sql,) in schema:
            target.execute(sql)
        start = time.perf_counter()
        with target:
            for name, table_rows in rows.items():
                if table_rows:
                    marks = ", ".join("?" * len(table_rows[0]))
                    target.executemany(f'INSERT INTO "{name}" VALUES ({marks})', table_rows)  # noqa: S608
        seconds = time.perf_counter() - start
        target.close()
    return seconds


def commands(db: Path, hub: str, far: str, python: str, env: dict) -> dict:
    """Wall seconds of whole `lineage` commands, as a user runs them (best of two; findings once)."""
    runs = {
        "show_cmd_s": ["show", hub],
        "impact_cmd_s": ["impact", hub],
        "impact3_cmd_s": ["impact", hub, "--depth", "3"],
        "trace_cmd_s": ["trace", hub, far],
        "simulate_cmd_s": ["simulate", hub],
        "findings_cmd_s": ["findings"],
    }
    out = {}
    for key, args in runs.items():
        best = None
        for _ in range(1 if key == "findings_cmd_s" else 2):
            start = time.perf_counter()
            proc = subprocess.run([python, "-m", "lineage", "--db", str(db), *args], env=env,
                                  capture_output=True, text=True, timeout=3600)  # fmt: skip
            seconds = time.perf_counter() - start
            if proc.returncode != 0:
                raise RuntimeError(f"lineage {' '.join(args)} failed: {proc.stderr[-2000:]}")
            best = seconds if best is None else min(best, seconds)
        out[key] = best
    return out


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


def import_one(size: int, db: Path) -> dict:
    """Run in a child process of its own, so its peak memory is the import's alone."""
    from lineage.store import Store

    try:
        from lineage.ingest import import_paths
    except ImportError:  # a --base revision from before the architecture step (docs/architecture.md)
        from lineage.importing import import_paths  # type: ignore[no-redef]

    folder = synthetic(size)
    out: dict = {}
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    store = Store.open(db, create=True)
    result, out["import_s"] = timed(import_paths, store, [folder])
    assert result.ok and not result.skipped, "the synthetic lineage did not import cleanly"
    store.close()
    out["import_peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def measure_one(size: int, db: Path, imported: dict) -> dict:
    """Run in a child process: every measure of one size after its import, except the explorer's."""
    import networkx as nx

    from lineage.analyses import FlagGeneration, find_all, impact, simulate
    from lineage.graph import load_graph
    from lineage.store import Store

    try:
        from lineage.views.layout import layout
    except ImportError:  # a --base revision from before the architecture step (docs/architecture.md)
        from lineage.layout import layout  # type: ignore[no-redef]

    folder = synthetic(size)
    out: dict = dict(imported)
    rows, out["floor_rows_per_s"] = floor_rate(db)
    out["import_rows_per_s"] = rows / out["import_s"]
    out["import_vs_floor"] = out["import_rows_per_s"] / out["floor_rows_per_s"]
    out["keyed_floor_s"] = keyed_floor(db)
    out["import_vs_keyed_floor"] = out["keyed_floor_s"] / out["import_s"]

    gc.collect()
    start = time.perf_counter()
    store = Store.open(db)
    graph = load_graph(store)  # the collector stays on, as in the commands (measured whole below)
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
    reached = nx.descendants(graph, central)
    out["reached"] = len(reached)
    # The farthest node the hub reaches (by hops): the target of the trace command.
    lengths = nx.single_source_shortest_path_length(graph, central)
    out["far"] = max(reached, key=lambda n: (lengths[n], n)) if reached else central
    if hasattr(store, "reach_rows"):  # absent in revisions before it (--base)
        from lineage.graph import impact_in_store

        _, out["impact_walk_s"] = timed(impact_in_store, store, central)
    if hasattr(store, "between_rows"):
        _, out["between_s"] = timed(store.between_rows, central, out["far"])
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


def explorer_timing(db: Path, display: str, env: dict) -> dict:
    """bench/explorer_timing.py on ``db``, offscreen or under Xvfb (nothing where xvfb-run is
    missing), with the code on ``env``'s PYTHONPATH; its figures keyed as EXPLORER_MEASURES."""
    probe = [sys.executable, str(ROOT / "bench" / "explorer_timing.py"), str(db)]
    if display == "xvfb":
        if not shutil.which("xvfb-run"):
            return {}
        probe = ["xvfb-run", "-a", "-s", "-screen 0 1920x1080x24", *probe]
    platform_name = "offscreen" if display == "offscreen" else "xcb"
    proc = subprocess.run(probe, env={**env, "QT_QPA_PLATFORM": platform_name}, capture_output=True, text=True,
                          timeout=3600)  # fmt: skip
    if proc.returncode != 0:
        raise RuntimeError(f"the explorer ({display}) failed: {proc.stderr[-2000:]}")
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    return {"window_s": got["window_s"], "view_s": got["first_view_s"], "loaded_s": got["loaded_s"],
            "stall_ms": got["longest_stall_ms"], "peak_mb": got["peak_mb"]}  # fmt: skip


def run_size(size: int, code_root: Path, gui: bool) -> dict:
    """Measure one size with the code in ``code_root`` (this checkout, or a worktree of --base)."""
    env = {**os.environ, "PYTHONPATH": str(code_root), "PYTHONHASHSEED": "0"}
    synthetic(size)  # written by this checkout's generator, so --base sees the same files
    db = WORK / f"{code_root.name}-{size}.db"
    imported = child(["--import-one", str(size), "--db", str(db)], env, code_root)
    out = child(["--one", str(size), "--db", str(db), "--imported", json.dumps(imported)], env, code_root)
    out.update(commands(db, out["central"], out["far"], sys.executable, env))
    if gui:
        out["first_view_s"], out["gui_peak_mb"] = first_view(db, sys.executable, env)
        for display in ("offscreen", "xvfb"):
            timing = explorer_timing(db, display, env)
            out.update({f"explorer_{display}_{key}": value for key, value in timing.items()})
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    return out


def child(args: list[str], env: dict, cwd: Path) -> dict:
    """Run this script in a child process with ``args``; the JSON it prints last."""
    proc = subprocess.run([sys.executable, __file__, *args, "--work", str(WORK)], env=env, capture_output=True,
                          text=True, cwd=cwd)  # fmt: skip
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:2])} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


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
    if target is None or value is None or isinstance(value, str):
        return ""
    op, limit = target
    ok = value >= limit if op == ">=" else value <= limit
    return " ✓" if ok else " ✗"


def goal_text(targets, unit: str) -> str:
    """A target as the table shows it: ``>= 0.25``, or ``<= 1 s at 100,000; <= 5 s at 1,000,000``."""
    if targets is None:
        return ""
    if isinstance(targets, dict):
        return "; ".join(f"{goal_text(t, unit)} at {int(size):,}" for size, t in targets.items())
    op, limit = targets
    shown = f"{limit:,}" if isinstance(limit, int) else fmt(limit, unit)
    return f"{op} {shown}{' ' + unit if unit else ''}"


def table(results: dict, base: dict | None) -> str:
    sizes = list(results)
    head = ["measure", "target", *[f"{int(s):,} nodes" for s in sizes]]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for key, label, unit, targets in MEASURES:
        cells = []
        for size in sizes:
            value = results[size].get(key)
            target = targets.get(size) if isinstance(targets, dict) else targets
            cell = fmt(value, unit) + (f" {unit}" if unit and value is not None else "") + verdict(value, target)
            if base is not None and isinstance(value, float) and base.get(size, {}).get(key):
                cell += f" (base/now {base[size][key] / value:.2f})"
            cells.append(cell)
        lines.append(f"| {label} | {goal_text(targets, unit)} | " + " | ".join(cells) + " |")
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
    parser.add_argument("--import-one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--imported", help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    WORK = (args.work or WORK).resolve()
    WORK.mkdir(parents=True, exist_ok=True)
    if args.import_one:  # a child: one size's import, printed as JSON
        print(json.dumps(import_one(args.import_one, args.db)))
        return
    if args.one:  # a child: the rest of one size, printed as JSON
        print(json.dumps(measure_one(args.one, args.db, json.loads(args.imported))))
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
