"""Reading before/after in one run (issue 19): read+validate CPU time per input of a synth folder, and peak memory
(ru_maxrss of a fresh process) of reading OpenLineage logs of two sizes. Each measurement runs in
its own process, base and new alternating; every unit's canonical digest must agree.

    python measure.py BASE_PKGS SYNTH_FOLDER SMALL_LOG BIG_LOG [ROUNDS]

BASE_PKGS: a folder holding lineage, lineage_importers, lineage_resources of the base revision
(links into `git archive BASE | tar -x -C src`: lineage -> src/lineage, lineage_importers ->
src/importers, lineage_resources -> src/resources); the new code is the one installed in the
running venv. The logs: bigol.py. Not a test (no timings in tests); run by hand.
"""

import hashlib
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path


def child(kind: str, target: str) -> None:
    import dataclasses

    from lineage.ingest import discover
    from lineage.ingest.read import read_input
    from lineage.records import Location

    def plain(v):
        if isinstance(v, Location):
            return ["@", v.file, v.line, v.pointer, v.table, v.row]
        if dataclasses.is_dataclass(v) and not isinstance(v, type):
            return [type(v).__name__, {f.name: plain(getattr(v, f.name)) for f in dataclasses.fields(v)}]
        if isinstance(v, dict):
            return [[plain(k), plain(x)] for k, x in v.items()]
        if isinstance(v, list | tuple):
            return [plain(x) for x in v]
        if isinstance(v, set | frozenset):
            return sorted(plain(x) for x in v)
        return v

    def digest(u):
        parts = [
            u.content_hash,
            u.nodes,
            u.edges,
            u.edge_evidence,
            u.node_locations,
            u.edge_locations,
            u.problems,
            u.notices,
            u.settings,
        ]
        return hashlib.sha256(json.dumps(plain(parts), ensure_ascii=True).encode()).hexdigest()[:16]

    found, _, _ = discover.discover([Path(target)])
    out = {"times": {}, "digests": {}}
    for item in sorted(found, key=lambda i: str(i.path)):
        start, cpu = time.perf_counter(), time.process_time()
        unit = read_input(item, source=str(item.path), valid_at="2026-03-01T00:00:00Z")
        out["times"][item.importer.name] = time.process_time() - cpu  # CPU seconds: the box is shared
        out.setdefault("wall", {})[item.importer.name] = time.perf_counter() - start
        if kind == "mem":
            out["maxrss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        out["digests"][item.importer.name] = digest(unit)
        out.setdefault("sizes", {})[item.importer.name] = [len(unit.nodes), len(unit.edges), len(unit.problems)]
    print(json.dumps(out))


def run(pkgs: str | None, kind: str, target: str) -> dict:
    env = dict(os.environ)
    cmd = [
        sys.executable,
        "-c",
        f"import sys; sys.path.insert(0, {pkgs!r}) if {pkgs!r} else None; "
        f"sys.argv = ['m', 'child', {kind!r}, {target!r}]; exec(open({__file__!r}).read())",
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd="/tmp", check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    base, synth, small, big = sys.argv[1:5]
    rounds = int(sys.argv[5]) if len(sys.argv) > 5 else 2
    results: dict = {}
    for r in range(rounds):
        order = [("base", base), ("new", None)] if r % 2 == 0 else [("new", None), ("base", base)]
        for name, pkgs in order:
            results.setdefault(("read", name), []).append(run(pkgs, "read", synth))
            print(name, "read", results[("read", name)][-1]["times"], flush=True)
    for log in (small, big):
        for name, pkgs in (("base", base), ("new", None)):
            results[(log, name)] = run(pkgs, "mem", log)
            print(name, log, results[(log, name)], flush=True)
    print("\n== read+validate of", synth, "(best of", rounds, "runs, CPU seconds of the process) ==")
    b, n = results[("read", "base")], results[("read", "new")]
    assert all(x["digests"] == b[0]["digests"] for x in b + n), "the units differ between base and new"
    for imp in b[0]["times"]:
        tb, tn = min(x["times"][imp] for x in b), min(x["times"][imp] for x in n)
        print(
            f"{imp:12} base {tb:7.2f}  new {tn:7.2f}  new/base {tn / tb:.2f}  (nodes, edges, problems {b[0]['sizes'][imp]})"
        )
    tb = min(sum(x["times"].values()) for x in b)
    tn = min(sum(x["times"].values()) for x in n)
    print(f"{'all':12} base {tb:7.2f}  new {tn:7.2f}  new/base {tn / tb:.2f}  (units identical: digests agree)")
    print("\n== peak memory (ru_maxrss, MiB) and CPU time of reading one OpenLineage log ==")
    for log in (small, big):
        mb, mn = results[(log, "base")], results[(log, "new")]
        assert mb["digests"] == mn["digests"], f"{log}: the units differ"
        print(
            f"{Path(log).name:24} base {mb['maxrss_mib']:7.0f} MiB {mb['times']['openlineage']:6.1f} s   "
            f"new {mn['maxrss_mib']:7.0f} MiB {mn['times']['openlineage']:6.1f} s   "
            f"new/base memory {mn['maxrss_mib'] / mb['maxrss_mib']:.2f}, time {mn['times']['openlineage'] / mb['times']['openlineage']:.2f}"
        )
    for name in ("base", "new"):
        s, g = results[(small, name)], results[(big, name)]
        print(
            f"{name}: growth from the small log to the big one {g['maxrss_mib'] - s['maxrss_mib']:.0f} MiB "
            f"(big/small {g['maxrss_mib'] / s['maxrss_mib']:.2f})"
        )


if __name__ == "__main__" or sys.argv[1:2] == ["child"]:
    if sys.argv[1] == "child":
        child(sys.argv[2], sys.argv[3])
    else:
        main()
