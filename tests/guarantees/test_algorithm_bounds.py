"""Bounds on what a hostile graph or number can cost: each finishes in seconds, whatever its
size, because every walk keeps a visited set and every algorithm is linear in what it visits.
Timing-free: each check runs in a subprocess under a generous timeout (the old code took
minutes to hours on the same input)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

GENEROUS = 120  # seconds; the fixed code takes about 2 s on two busy cores


def run(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                            timeout=GENEROUS)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip()


def test_trace_along_a_100k_hop_path_finishes():
    """Yen's algorithm tried a detour from each of 100k nodes (161 s before): chains are folded."""
    out = run("""
        import networkx as nx
        from lineage.analyses import trace
        g = nx.relabel_nodes(nx.path_graph(100_000, create_using=nx.DiGraph), lambda i: f"n{i}")
        g.add_edge("n10", "n500")  # one shortcut: two paths, 99,511 and 100,000 nodes long
        print([len(p) for p in trace(g, "n0", "n99999").paths])
    """)
    assert out == "[99511, 100000]"


def chain_events(path, links: int, *, loop: bool) -> None:
    """OpenLineage JSON Lines: job j{i} reads d{i} and writes d{i+1}; with ``loop`` the last
    dataset feeds d0 again (a cycle of 2 * links nodes)."""
    import json
    import uuid

    def event(i: int, source: int, target: int) -> str:
        return json.dumps({
            "eventType": "COMPLETE", "eventTime": "2026-01-01T00:00:00Z", "producer": "test",
            "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
            "run": {"runId": str(uuid.UUID(int=i + 1))}, "job": {"namespace": "c", "name": f"j{i}"},
            "inputs": [{"namespace": "c", "name": f"d{source}"}],
            "outputs": [{"namespace": "c", "name": f"d{target}"}],
        })  # fmt: skip

    lines = [event(i, i, i + 1) for i in range(links)]
    if loop:
        lines.append(event(links, links, 0))
    path.write_text("\n".join(lines) + "\n")


def test_impact_with_a_huge_depth_on_a_cycle_finishes(lineage, tmp_path):
    """A recursive query went round the loop once per hop asked: depth 10^9 never ended."""
    chain_events(tmp_path / "loop.jsonl", 3, loop=True)
    assert lineage("import", str(tmp_path / "loop.jsonl")).exit_code == 0
    result = run(f"""
        import sys
        from lineage.cli import main
        sys.argv = ["lineage", "--db", {str(lineage.db)!r}, "impact", "dataset:c/d0", "--depth", "1000000000", "--json"]
        main()
    """)
    import json

    reached = json.loads(result)["downstream"]
    assert sorted(r["id"] for r in reached) == sorted(
        [f"job:c/j{i}" for i in range(4)] + [f"dataset:c/d{i}" for i in range(1, 4)]
    )  # the loop's 8 nodes but d0 itself


def test_impact_down_a_20k_hop_chain_at_full_depth_finishes(lineage, tmp_path):
    """Quadratic before (136 s for depth 20k): a recursive query, then `source IN (...) AND
    target IN (...)` probing every pair of ids (51 s alone); linear now (about 1 s)."""
    chain_events(tmp_path / "chain.jsonl", 10_000, loop=False)
    assert lineage("import", str(tmp_path / "chain.jsonl")).exit_code == 0
    result = run(f"""
        import sys
        from lineage.cli import main
        sys.argv = ["lineage", "--db", {str(lineage.db)!r}, "impact", "dataset:c/d0", "--depth", "20000", "--json"]
        main()
    """)
    import json

    assert len(json.loads(result)["downstream"]) == 20_000  # 10k jobs and d1 … d10000
