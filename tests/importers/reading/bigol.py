"""An OpenLineage log of N events over a fixed graph (200 jobs, 1000 datasets): a START and a
COMPLETE (every 7th run a FAIL) per run, a run id each: more events, the same graph. For
measure.py (peak memory against the number of events):

    python tests/importers/reading/bigol.py 400000 /tmp/ol-400k.jsonl
"""

import json
import sys

SCHEMA_URL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"


def write(n: int, out: str) -> None:
    with open(out, "w") as fh:
        for i in range(n):
            run, end = divmod(i, 2)
            job = run % 200
            etype = ("FAIL" if run % 7 == 0 else "COMPLETE") if end else "START"
            sec = run * 2 + end
            when = f"2026-03-{1 + sec // 86400 % 28:02d}T{sec // 3600 % 24:02d}:{sec // 60 % 60:02d}:{sec % 60:02d}"
            event = {
                "eventTime": f"{when}.{run % 1000:03d}Z",
                "eventType": etype,
                "producer": "https://example.com/p",
                "schemaURL": SCHEMA_URL,
                "run": {"runId": f"{run >> 32:08x}-0000-4000-8000-{run & 0xFFFFFFFFFFFF:012x}"},
                "job": {"namespace": "ns", "name": f"job_{job}"},
                "inputs": [{"namespace": "ns", "name": f"ds_{(job * 5 + k) % 1000}"} for k in range(2)],
                "outputs": [{"namespace": "ns", "name": f"ds_{(job * 5 + 2) % 1000}"}],
            }
            fh.write(json.dumps(event) + "\n")


if __name__ == "__main__":
    write(int(sys.argv[1]), sys.argv[2])
