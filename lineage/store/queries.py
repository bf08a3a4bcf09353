"""Questions about the current graph: nodes and edges, names and aliases, where each was said,
the imports, full-text search, tags and settings."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from lineage.store.connection import Connection
from lineage.store.rows import EDGE_SELECT, NODE_SELECT, edge_dict, node_dict

# Which provenance rows belong to a node or an edge; the values are bound parameters.
PROVENANCE_OF = {"node": "p.node_id = ?", "edge": "p.source = ? AND p.target = ? AND p.edge_kind = ?"}
PROVENANCE_KEYS = ("import_id", "importer", "path", "file", "line", "pointer", "table", "row")


def fts_query(text: str) -> str:
    """An FTS5 query that matches ``text`` as plain words: each word a string literal, so no
    character or word (``"``, ``*``, ``:``, ``NEAR(``, ``OR``, ``-x``) is query syntax.

    >>> print(fts_query('orders OR x* NEAR( -y'))
    "orders" "OR" "x*" "NEAR(" "-y"
    >>> print(fts_query('a"b'))
    "a""b"
    """
    return " ".join('"' + word.replace('"', '""') + '"' for word in text.split())


# A node's aliases, by the index on their node id (schema version 6): not the whole table.
ALIASES_OF = """SELECT DISTINCT a.alias FROM aliases a JOIN imports i ON i.id = a.import_id
       WHERE i.superseded_by IS NULL AND a.node_id = ? ORDER BY a.alias"""


class Queries(Connection):
    """Reading the current graph and what was said of it."""

    def counts(self) -> dict[str, int]:
        conn = self.db.conn
        return {
            "nodes": conn.execute("SELECT count(*) FROM nodes").fetchone()[0],
            "edges": conn.execute("SELECT count(*) FROM edges").fetchone()[0],
            "imports": conn.execute("SELECT count(*) FROM imports").fetchone()[0],
        }

    def node_count(self) -> int:
        value: int = self.db.conn.execute("SELECT count(*) FROM nodes").fetchone()[0]
        return value

    def node(self, node_id: str) -> dict[str, Any] | None:
        row = self.db.conn.execute(NODE_SELECT + " WHERE id = ?", (node_id,)).fetchone()
        return node_dict(row) if row else None

    def nodes(
        self,
        *,
        kind: str | None = None,
        owner: str | None = None,
        status: str | None = None,
        ids: Iterable[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Nodes, sorted by id, filtered by kind, owner or team, and status."""
        where: list[str] = []
        params: list[str] = []
        if kind:
            where.append("kind = ?")
            params.append(kind)
        if owner:
            where.append("(owner = ? OR team = ?)")
            params += [owner, owner]
        if status:
            where.append("status = ?")
            params.append(status)
        sql = NODE_SELECT
        if where:
            sql += " WHERE " + " AND ".join(where)
        if ids is not None:
            wanted = set(ids)
            rows = self.db.conn.execute(sql + " ORDER BY id", params)
            return [node_dict(r) for r in rows if r[0] in wanted]
        return [node_dict(r) for r in self.db.conn.execute(sql + " ORDER BY id", params)]

    def ids_named(self, name: str, kind: str | None = None) -> list[str]:
        if kind:
            rows = self.db.conn.execute("SELECT id FROM nodes WHERE name = ? AND kind = ? ORDER BY id", (name, kind))
        else:
            rows = self.db.conn.execute("SELECT id FROM nodes WHERE name = ? ORDER BY id", (name,))
        return [r[0] for r in rows]

    def names_and_ids(self) -> list[tuple[str, str]]:
        return [(r[0], r[1]) for r in self.db.conn.execute("SELECT name, id FROM nodes")]

    # -- what a REF names (lineage.refs) ---------------------------------------------------

    def ids_with_alias(self, alias: str, kind: str | None = None) -> list[str]:
        """The ids of the nodes that current imports give the alias ``alias`` (of ``kind``)."""
        rows = self.db.conn.execute(
            """SELECT DISTINCT n.id FROM aliases a JOIN imports i ON i.id = a.import_id
               JOIN nodes n ON n.id = a.node_id
               WHERE i.superseded_by IS NULL AND a.alias = :alias AND (:kind IS NULL OR n.kind = :kind)
               ORDER BY n.id""",
            {"alias": alias, "kind": kind},
        )
        return [r[0] for r in rows]

    def ids_short_named(self, text: str, kind: str | None = None) -> list[str]:
        """The ids of the nodes (of ``kind``) that ``text`` names short of their whole name: the
        last segments of the name (``customers`` or ``main.customers`` of
        ``jaffle_shop.main.customers``; ``v1`` of ``churn_model/v1``), the id without its kind
        (``shop/price``), the dbt name (``dbt_name``: a model's, or a source's
        ``source.table``, and its table), the feature view of a Feast feature (``view``), or,
        for a field (``events.clicks#ts``), its name with a dot for the ``#`` (``events.clicks.ts``,
        ``clicks.ts``, ``ts``).

        A scan of the node table (the text may end any name), with the attributes parsed only
        where their text holds ``text``.
        """
        if not text:
            return []
        needle = json.dumps(text, ensure_ascii=False)[1:-1]  # as the attributes' JSON spells it
        rows = self.db.conn.execute(
            """SELECT id FROM nodes
               WHERE (:kind IS NULL OR kind = :kind) AND (
                 (length(name) > length(:t) AND substr(name, -length(:t) - 1) IN ('.' || :t, '/' || :t))
                 OR substr(id, -length(:t) - 1) = ':' || :t
                 OR (kind = 'field' AND (replace(name, '#', '.') = :t
                     OR substr(replace(name, '#', '.'), -length(:t) - 1) IN ('.' || :t, '/' || :t)))
                 OR (instr(attributes, :needle) > 0 AND (
                   json_extract(attributes, '$.dbt_name') = :t
                   OR substr(json_extract(attributes, '$.dbt_name'), -length(:t) - 1) = '.' || :t
                   OR (kind = 'feature' AND json_extract(attributes, '$.view') = :t))))
               ORDER BY id""",
            {"t": text, "kind": kind, "needle": needle},
        )
        return [r[0] for r in rows]

    def node_sources(self, ids: Iterable[str]) -> dict[str, list[tuple[str, str]]]:
        """Node id -> (importer, path) of each current import that says something of it, the
        imports that describe it before those that only name it, then by path."""
        wanted = list(dict.fromkeys(ids))
        out: dict[str, list[tuple[str, str]]] = {nid: [] for nid in wanted}
        for start in range(0, len(wanted), 500):  # well under SQLite's limit of bound values
            chunk = wanted[start : start + 500]
            rows = self.db.conn.execute(
                f"""SELECT f.node_id, i.importer, i.path, min(f.reference) FROM node_facts f
                    JOIN imports i ON i.id = f.import_id
                    WHERE i.superseded_by IS NULL AND f.node_id IN ({", ".join("?" * len(chunk))})
                    GROUP BY f.node_id, i.importer, i.path
                    ORDER BY f.node_id, 4, i.path, i.importer""",  # noqa: S608 (placeholders only)
                chunk,
            )
            for node_id, importer, path, _ in rows:
                out[node_id].append((importer, path))
        return out

    def edges_of(self, node_id: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The (incoming, outgoing) edges of a node."""
        incoming = self.db.conn.execute(EDGE_SELECT + " WHERE target = ? ORDER BY source, kind", (node_id,))
        inc = [edge_dict(r) for r in incoming]
        outgoing = self.db.conn.execute(EDGE_SELECT + " WHERE source = ? ORDER BY target, kind", (node_id,))
        return inc, [edge_dict(r) for r in outgoing]

    def node_provenance(self, node_id: str) -> list[dict[str, Any]]:
        """Where each current import said something about the node."""
        return self._provenance("node", (node_id,))

    def edge_provenance(self, source: str, target: str, kind: str) -> list[dict[str, Any]]:
        return self._provenance("edge", (source, target, kind))

    def _provenance(self, of: str, params: Sequence[str]) -> list[dict[str, Any]]:
        rows = self.db.conn.execute(
            f"""SELECT i.id, i.importer, i.path, p.file, p.line, p.pointer, p.tbl, p.row
                FROM provenance p JOIN imports i ON i.id = p.import_id
                WHERE i.superseded_by IS NULL AND {PROVENANCE_OF[of]}
                ORDER BY p.file, p.line, p.pointer, p.tbl, p.row, i.id""",  # noqa: S608
            params,
        )
        return [{k: v for k, v in zip(PROVENANCE_KEYS, r, strict=True) if v is not None} for r in rows]

    def imports(self) -> list[dict[str, Any]]:
        rows = self.db.conn.execute(
            """SELECT id, importer, source, path, content_hash, started_at, finished_at, valid_at,
                      status, node_count, edge_count, error_count, errors, superseded_by
               FROM imports ORDER BY id"""
        )
        out = []
        for r in rows:
            d = dict(zip([c[0] for c in rows.description], r, strict=True))
            d["errors"] = json.loads(d["errors"])
            out.append(d)
        return out

    def search(self, text: str, *, limit: int = 50) -> list[str]:
        """Node ids whose name, namespace, owner, tags or attributes match ``text``, best first."""
        if not text.strip():
            return []
        query = fts_query(text.replace("\x00", " "))
        # Ties (equal rank) by id, not by row order, which depends on the order of imports.
        rows = self.db.table("nodes").search(query, limit=limit, columns=["id"], order_by='rank, "original"."id"')
        return [r["id"] for r in rows]

    def settings(self, section: str, *, exclude_sources: Iterable[str] = ()) -> list[dict[str, Any]]:
        """The settings of ``section`` that current imports declare, by source, then as written
        (so which of two rules comes first does not depend on which was imported first)."""
        rows = self.db.conn.execute(
            """SELECT s.value, s.file, s.line, i.source FROM settings s JOIN imports i ON i.id = s.import_id
               WHERE i.superseded_by IS NULL AND s.section = ?
               ORDER BY i.source, i.id, s.rowid""",
            (section,),
        )
        excluded = set(exclude_sources)
        return [
            {**json.loads(v), "_file": f, "_line": line, "_source": source}
            for v, f, line, source in rows
            if source not in excluded
        ]

    def aliases_of(self, node_id: str) -> list[str]:
        rows = self.db.conn.execute(ALIASES_OF, (node_id,))
        return [r[0] for r in rows]

    def importers(self) -> list[str]:
        """The importers of the current imports that mention a node (the explorer's source facet)."""
        rows = self.db.conn.execute(
            """SELECT DISTINCT i.importer FROM imports i WHERE i.superseded_by IS NULL
               AND EXISTS (SELECT 1 FROM provenance p WHERE p.import_id = i.id AND p.node_id IS NOT NULL)
               ORDER BY 1"""
        )
        return [r[0] for r in rows]

    def nodes_from_importer(self, importer: str) -> set[str]:
        """The ids of the nodes a current import by ``importer`` mentions (the source facet's filter)."""
        rows = self.db.conn.execute(
            """SELECT DISTINCT p.node_id FROM provenance p JOIN imports i ON i.id = p.import_id
               WHERE i.importer = ? AND i.superseded_by IS NULL AND p.node_id IS NOT NULL""",
            (importer,),
        )
        return {r[0] for r in rows}

    def all_tags(self) -> list[str]:
        rows = self.db.conn.execute("SELECT DISTINCT j.value FROM nodes, json_each(nodes.tags) j ORDER BY 1")
        return [r[0] for r in rows if isinstance(r[0], str)]

    def nodes_with_tag(self, tag: str) -> set[str]:
        """The ids of the nodes tagged ``tag`` (the tag facet's filter)."""
        rows = self.db.conn.execute("SELECT n.id FROM nodes n, json_each(n.tags) j WHERE j.value = ?", (tag,))
        return {r[0] for r in rows}

    # -- has anything changed --------------------------------------------------------------

    def changed_elsewhere(self) -> int:
        """A number that changes when another connection commits (cheap: no table is read)."""
        value: int = self.db.conn.execute("PRAGMA data_version").fetchone()[0]
        return value

    def last_import_id(self) -> int:
        """The id of the newest import (0 for none): a new one means the graph may have changed."""
        value: int = self.db.conn.execute("SELECT coalesce(max(id), 0) FROM imports").fetchone()[0]
        return value

    def latest_valid_at(self) -> str | None:
        value: str | None = self.db.conn.execute("SELECT max(valid_at) FROM imports").fetchone()[0]
        return value
