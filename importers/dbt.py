"""dbt: ``target/manifest.json`` (schema v7 to v12) and, beside it, ``run_results.json`` and
``catalog.json``.

Sources, models, seeds and snapshots are datasets (a dbt model is a table or a view); their
``depends_on`` are ``derives`` edges; exposures are consumers (type ``ml``, ``dashboard``,
``application`` ...) that read what they depend on. Everything is declared. The columns of each
model come from its compiled SQL, inferred (:mod:`.dbtcolumns`).

Each dataset keeps the names other producers give the same thing, as aliases (see
:func:`warehouse_aliases`), so that DataHub's and OpenLineage's views of a dbt model's table
become the dbt node.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from lineage.records import EdgeRecord, InputError, Location, NodeRecord, Notice, Problem

from ._kit.document import DocumentImporter, having
from ._kit.shapes import Shape, optional
from ._kit.structured import location, pointer_join
from .dbtcolumns import column_records, json_beside, read_catalog

SCHEMA_RE = re.compile(r"https://schemas\.getdbt\.com/dbt/manifest/v(\d+)\.json")
SUPPORTED = range(7, 13)  # manifest schema versions v7 .. v12
DATASET_TYPES = ("model", "seed", "snapshot")
DESCRIBED = ("model.", "seed.", "snapshot.", "source.")  # unique ids of nodes that are datasets
DATAHUB_ENV = "PROD"  # the environment DataHub's sources put in a URN unless told otherwise
# Adapters whose OpenLineage dataset namespace dbt-ol derives from nothing but the adapter (the
# others name a host, an account or a file from profiles.yml, which the manifest does not hold).
OPENLINEAGE_NAMESPACES = {"bigquery": "bigquery"}

_TEXT = optional("string")
_DEPENDS = {"type": ["object", "null"], "properties": {"nodes": optional("array") | {"items": {"type": "string"}}}}
# What this importer reads of a manifest, with the types it needs (dbt writes much more).
ROOT = Shape({
    "type": "object",
    "required": ["metadata"],
    "properties": {
        "metadata": {"type": "object", "properties": {"dbt_schema_version": {"type": "string"},
                                                      "adapter_type": _TEXT}},
        **{section: optional("object") for section in ("nodes", "sources", "exposures")},
    },
})  # fmt: skip
DATASET = Shape({
    "type": "object",
    "required": ["name", "schema"],
    "properties": {
        "name": {"type": "string", "minLength": 1}, "schema": {"type": "string", "minLength": 1},
        **{key: _TEXT for key in ("database", "alias", "identifier", "relation_name", "description",
                                  "original_file_path", "package_name")},
        "tags": optional("array"), "meta": optional("object"), "depends_on": _DEPENDS,
        "config": {"type": ["object", "null"], "properties": {
            "meta": optional("object"), "tags": optional(["array", "string"]), "materialized": _TEXT}},
        "columns": {"type": ["object", "null"], "additionalProperties": {
            "type": "object", "properties": {"name": _TEXT, "data_type": _TEXT, "description": _TEXT}}},
    },
})  # fmt: skip
EXPOSURE = Shape({
    "type": "object",
    "properties": {
        **{key: _TEXT for key in ("name", "type", "url", "maturity", "description", "label", "package_name")},
        "owner": {"type": ["object", "null"], "properties": {"name": _TEXT, "email": _TEXT}},
        "tags": optional("array"), "depends_on": _DEPENDS,
    },
})  # fmt: skip


def datahub_dataset_urn(platform: str, name: str) -> str:
    """The URN DataHub gives a dataset of ``platform`` named ``name``, in the default environment.

    >>> datahub_dataset_urn("duckdb", "jaffle_shop.main.customers")
    'urn:li:dataset:(urn:li:dataPlatform:duckdb,jaffle_shop.main.customers,PROD)'
    """
    return f"urn:li:dataset:(urn:li:dataPlatform:{platform},{name},{DATAHUB_ENV})"


def warehouse_aliases(node: dict, adapter: str, openlineage_namespace: str | None = None) -> list[str]:
    """The names other producers give a dbt source, model, seed or snapshot, beyond dbt's own.

    * its quoted ``relation_name``, as dbt writes it in SQL;
    * its warehouse table as DataHub names it (``urn:li:dataset:(urn:li:dataPlatform:ADAPTER,
      db.schema.table,PROD)``, the name in lower case, as DataHub's dbt source and warehouse
      sources write it). Not the dbt entity DataHub's dbt source makes beside the table
      (platform ``dbt``): the dbt node would then become that entity or the table, by which
      source sorts first, and leave the other apart;
    * with the warehouse's OpenLineage namespace (``duckdb:///path/db.duckdb``,
      ``postgres://host:5432``: what ``dbt-ol`` and other OpenLineage producers put in their
      events; known without being told only for BigQuery), the table as OpenLineage names it:
      ``NAMESPACE/db.schema.table``.

    An ephemeral model has no table, so none of the table's names.

    >>> model = {"resource_type": "model", "name": "customers", "database": "jaffle_shop",
    ...          "schema": "main", "alias": "customers", "config": {"materialized": "table"},
    ...          "relation_name": '"jaffle_shop"."main"."customers"'}
    >>> for alias in warehouse_aliases(model, "duckdb", "duckdb:///database/jaffle_shop.duckdb"):
    ...     print(alias)
    "jaffle_shop"."main"."customers"
    urn:li:dataset:(urn:li:dataPlatform:duckdb,jaffle_shop.main.customers,PROD)
    duckdb:///database/jaffle_shop.duckdb/jaffle_shop.main.customers
    """
    table = relation(node)
    materialized = (node.get("config") or {}).get("materialized")
    aliases = [node["relation_name"]] if node.get("relation_name") else []
    if materialized != "ephemeral":
        aliases.append(datahub_dataset_urn(adapter, table.lower()))
    namespace = openlineage_namespace or OPENLINEAGE_NAMESPACES.get(adapter)
    if namespace and materialized != "ephemeral":
        aliases.append(f"{namespace.rstrip('/')}/{table.lstrip('/')}")
    return aliases


def dbt_name(unique_id: str, node: dict) -> str:
    """What dbt calls a node in a selector: a model's, seed's or snapshot's name, a source's
    ``source_name.name``.

    >>> dbt_name("source.test.my_source.my_table", {"source_name": "my_source", "name": "my_table"})
    'my_source.my_table'
    >>> dbt_name("model.jaffle_shop.customers", {"name": "customers"})
    'customers'
    """
    if unique_id.startswith("source.") and isinstance(node.get("source_name"), str) and node["source_name"]:
        return f"{node['source_name']}.{node['name']}"
    return node["name"]


def relation(node: dict) -> str:
    """``database.schema.identifier`` of a dbt relation (its name in the warehouse).

    >>> relation({"database": "db", "schema": "ads", "alias": "ctr", "name": "ctr_model"})
    'db.ads.ctr'
    >>> relation({"schema": "raw", "identifier": "clicks", "name": "clicks"})
    'raw.clicks'
    """
    table = node.get("identifier") or node.get("alias") or node.get("name")
    return ".".join(p for p in (node.get("database"), node.get("schema"), table) if p)


class DbtImporter(DocumentImporter):
    name = "dbt"
    description = "dbt manifests (v7-v12): sources, models, seeds, snapshots, exposures, run results, column lineage"
    reads = "target/manifest.json of dbt (run_results.json and catalog.json beside it are read too)"
    priority = 30
    options = {
        "openlineage_namespace": "the warehouse's dataset namespace in OpenLineage events (duckdb:///PATH, "
        "postgres://HOST:PORT ...): its tables get the OpenLineage names as aliases",
    }

    looks = (having(b"schemas.getdbt.com/dbt/manifest/"),)
    sniff_gunzips = True
    not_an_object = "not a dbt manifest: no 'metadata' object"

    def read(
        self, path: Path, options: Mapping[str, str] | None = None
    ) -> Iterator[NodeRecord | EdgeRecord | Problem | Notice]:
        namespace = (options or {}).get("openlineage_namespace") or None
        doc = self.load_root(path)
        file, data, lines = doc.file, doc.data, doc.lines
        if not isinstance(data.get("metadata"), dict):
            raise InputError(Location(file, line=1), self.not_an_object)
        if wrong := ROOT.error(data):
            raise InputError(location(file, lines, wrong[0]), wrong[1])
        url = data["metadata"].get("dbt_schema_version") or ""
        match = SCHEMA_RE.fullmatch(url)
        if not match or int(match.group(1)) not in SUPPORTED:
            raise InputError(
                location(file, lines, "/metadata/dbt_schema_version"),
                f"unsupported dbt manifest schema {url!r} (this importer reads v7 to v12)",
            )
        adapter = data["metadata"].get("adapter_type") or "dbt"
        results, problem = _run_results(path.parent / "run_results.json")
        if problem:
            yield problem
        nodes: dict[str, NodeRecord] = {}
        for section, wanted in (("sources", ("source",)), ("nodes", DATASET_TYPES)):
            table = data.get(section) or {}
            if not isinstance(table, dict):
                yield Problem(location(file, lines, f"/{section}"), f"{section} must be an object")
                continue
            for unique_id, node in table.items():
                pointer = pointer_join(f"/{section}", unique_id)
                if not isinstance(node, dict) or node.get("resource_type") not in wanted:
                    continue
                if wrong := DATASET.error(node, pointer):
                    yield Problem(location(file, lines, wrong[0]), f"{unique_id}: {wrong[1]}")
                    continue
                made = _dataset(unique_id, node, adapter, results, location(file, lines, pointer), namespace)
                if isinstance(made, Problem):
                    yield made
                else:
                    nodes[unique_id] = made
        for unique_id, exposure in (data.get("exposures") or {}).items():
            pointer = pointer_join("/exposures", unique_id)
            if wrong := EXPOSURE.error(exposure, pointer):
                yield Problem(location(file, lines, wrong[0]), f"{unique_id}: {wrong[1]}")
            elif isinstance(exposure, dict):
                nodes[unique_id] = _exposure(unique_id, exposure, location(file, lines, pointer))
        yield from nodes.values()
        for section in ("nodes", "exposures"):
            for unique_id, node in (data.get(section) or {}).items():
                if unique_id not in nodes:
                    continue
                depends = ((node.get("depends_on") or {}).get("nodes")) or []
                where = location(file, lines, pointer_join(pointer_join(f"/{section}", unique_id), "depends_on"))
                kind = "reads" if section == "exposures" else "derives"
                for upstream in depends:
                    if upstream not in nodes and upstream.startswith(DESCRIBED):
                        # A partial manifest (dbt --select) names nodes it does not describe: keep
                        # the dependency; the node merges with its description from a full one.
                        nodes[upstream] = NodeRecord(
                            "dataset", upstream, adapter, location=where, reference=True, aliases=(f"dbt:{upstream}",)
                        )
                        yield nodes[upstream]
                    if upstream in nodes:
                        yield EdgeRecord(nodes[upstream].id, nodes[unique_id].id, kind, location=where)
        catalog, problem = read_catalog(path.parent / "catalog.json")
        if problem:
            yield problem
        datasets = {uid: n for uid, n in nodes.items() if n.kind == "dataset" and not n.reference}
        yield from column_records(file, lines, data, datasets, adapter, catalog)


def _dataset(
    unique_id: str, node: dict, adapter: str, results: dict, where: Location, namespace: str | None = None
) -> NodeRecord | Problem:
    if not node.get("name") or not node.get("schema"):
        return Problem(where, f"{unique_id} needs a 'name' and a 'schema'")
    config = node.get("config") or {}
    meta = {**(config.get("meta") or {}), **(node.get("meta") or {})}
    attributes: dict[str, Any] = {"dbt_id": unique_id, "dbt_name": dbt_name(unique_id, node),
                                  "resource_type": node["resource_type"], "relation": relation(node)}  # fmt: skip
    for key in ("description", "original_file_path", "package_name"):
        if node.get(key):
            attributes[key] = node[key]
    if config.get("materialized"):
        attributes["materialized"] = config["materialized"]
    columns = [
        {k: v for k, v in {"name": c.get("name") or name, "type": c.get("data_type"),
                            "description": c.get("description") or None}.items() if v}
        for name, c in (node.get("columns") or {}).items() if isinstance(c, dict)
    ]  # fmt: skip
    if columns:
        attributes["fields"] = columns
    if unique_id in results:
        attributes["last_run"] = results[unique_id]
    if meta:
        attributes["meta"] = meta
    config_tags = config.get("tags") or []
    config_tags = [config_tags] if isinstance(config_tags, str) else config_tags
    tags = tuple(dict.fromkeys(t for t in [*(node.get("tags") or []), *config_tags] if isinstance(t, str)))
    return NodeRecord(
        "dataset", relation(node), adapter, owner=meta.get("owner"), team=meta.get("team"),
        tags=tuple(t for t in tags if isinstance(t, str)), attributes=attributes, location=where,
        aliases=(f"dbt:{unique_id}", *warehouse_aliases(node, adapter, namespace)),
    )  # fmt: skip


def _exposure(unique_id: str, exposure: dict, where: Location) -> NodeRecord:
    owner = exposure.get("owner") or {}
    attributes = {"dbt_id": unique_id, "exposure_type": exposure.get("type")}
    for key in ("url", "maturity", "description", "label"):
        if exposure.get(key):
            attributes[key] = exposure[key]
    if owner.get("email"):
        attributes["owner_email"] = owner["email"]
    return NodeRecord(
        "consumer", exposure.get("name") or unique_id, exposure.get("package_name") or "",
        owner=owner.get("name") or owner.get("email"),
        tags=tuple(t for t in exposure.get("tags") or [] if isinstance(t, str)),
        attributes=attributes, location=where, aliases=(f"dbt:{unique_id}",), classifiable=True,
    )  # fmt: skip


def _run_results(path: Path) -> tuple[dict[str, dict], Problem | None]:
    """Last status of each node from ``run_results.json`` beside the manifest, if any."""
    data, problem = json_beside(path, "run results")
    if data is None:
        return {}, problem
    out = {}
    generated = (data.get("metadata") or {}).get("generated_at")
    for result in data.get("results") or []:
        if isinstance(result, dict) and result.get("unique_id"):
            out[result["unique_id"]] = {"status": result.get("status"), "at": generated,
                                        "execution_time": result.get("execution_time")}  # fmt: skip
    return out, None
