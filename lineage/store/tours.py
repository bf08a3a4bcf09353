"""Tours: named, ordered lists of views with notes (walkthroughs for design reviews)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from lineage.store.connection import Connection
from lineage.store.rows import to_json
from lineage.when import utc_now


class Tours(Connection):
    """The tours and tour_steps tables."""

    def tours(self) -> list[dict[str, Any]]:
        rows = self.db.conn.execute(
            """SELECT t.name, t.description, t.updated_at, count(s.position) FROM tours t
               LEFT JOIN tour_steps s ON s.tour = t.name GROUP BY t.name ORDER BY t.name"""
        )
        return [{"name": n, "description": d, "updated_at": u, "steps": c} for n, d, u, c in rows]

    def tour(self, name: str) -> dict[str, Any] | None:
        row = self.db.conn.execute("SELECT description FROM tours WHERE name = ?", (name,)).fetchone()
        if row is None:
            return None
        steps = self.db.conn.execute("SELECT step FROM tour_steps WHERE tour = ? ORDER BY position", (name,))
        return {"name": name, "description": row[0], "steps": [json.loads(s) for (s,) in steps]}

    def save_tour(self, name: str, steps: Sequence[dict[str, Any]], description: str = "") -> None:
        """Create or replace a tour (its steps in order), in one transaction."""
        now = utc_now()
        with self.write():
            conn = self.db.conn
            conn.execute(
                """INSERT INTO tours (name, description, created_at, updated_at) VALUES (?, ?, ?, ?)
                   ON CONFLICT(name) DO UPDATE SET description = excluded.description,
                   updated_at = excluded.updated_at""",
                (name, description, now, now),
            )
            conn.execute("DELETE FROM tour_steps WHERE tour = ?", (name,))
            conn.executemany(
                "INSERT INTO tour_steps (tour, position, step) VALUES (?, ?, ?)",
                ((name, i, to_json(step)) for i, step in enumerate(steps)),
            )

    def delete_tour(self, name: str) -> bool:
        with self.write():
            self.db.conn.execute("DELETE FROM tour_steps WHERE tour = ?", (name,))
            gone = self.db.conn.execute("DELETE FROM tours WHERE name = ?", (name,)).rowcount
        return bool(gone)
