"""Canonical identity: the one node id a real thing gets, whichever source names it.

Importers call these so that the same dataset or model seen by MLflow, OpenLineage, DataHub and
a manifest becomes one node. What no rule here can tell, aliases can (docs/formats.md,
"Identity across sources").
"""

from __future__ import annotations

from urllib.parse import urlsplit

from lineage.records import node_id

MLFLOW = "mlflow"


def dataset_from_uri(uri: str) -> tuple[str, str]:
    """(namespace, name) of a dataset at ``uri``, the way OpenLineage names datasets.

    >>> dataset_from_uri("s3://bucket/features/churn.parquet")
    ('s3://bucket', 'features/churn.parquet')
    >>> dataset_from_uri("file:///data/x.csv")
    ('file', '/data/x.csv')
    >>> dataset_from_uri("postgres://db:5432/shop.public.orders")
    ('postgres://db:5432', 'shop.public.orders')
    >>> dataset_from_uri("data/local.parquet")
    ('file', 'data/local.parquet')
    """
    parts = urlsplit(uri)
    if not parts.scheme or len(parts.scheme) == 1:  # a plain path (or a Windows drive letter)
        return "file", uri
    if parts.scheme == "file":
        return "file", parts.path
    return f"{parts.scheme}://{parts.netloc}", parts.path.lstrip("/") + (f"?{parts.query}" if parts.query else "")


def dataset_from_platform(platform: str, name: str) -> tuple[str, str]:
    """(namespace, name) of a dataset a catalog names by platform and name (DataHub).

    Object stores name ``bucket/path``: that is a URI, named like OpenLineage does.

    >>> dataset_from_platform("s3", "bucket/features/churn.parquet")
    ('s3://bucket', 'features/churn.parquet')
    >>> dataset_from_platform("snowflake", "db.schema.table")
    ('snowflake', 'db.schema.table')
    """
    if platform in ("s3", "gcs", "abfs", "hdfs") and "/" in name:
        return dataset_from_uri(f"{platform}://{name}")
    return platform, name


def registered_model(name: str) -> str:
    """The id of an MLflow registered model (a DataHub mlModelGroup on platform mlflow).

    >>> registered_model("churn_model")
    'model:mlflow/churn_model'
    """
    return node_id("model", name, MLFLOW)


def model_version(name: str, version: int | str) -> str:
    """The id of one version of an MLflow registered model (a DataHub mlModel).

    >>> model_version("churn_model", 1)
    'model:mlflow/churn_model/v1'
    """
    return node_id("model", f"{name}/v{version}", MLFLOW)


def training_run(experiment: str, run_name: str | None, run_id: str) -> tuple[str, str]:
    """(namespace, name) of an MLflow run: readable, and unique through the run id.

    >>> training_run("churn", "train_lr", "db155a06f5df457d804d7f31a89693ad")
    ('mlflow/churn', 'train_lr@db155a06')
    """
    return f"{MLFLOW}/{experiment}", f"{run_name or 'run'}@{run_id[:8]}"
