"""MLflow: tracking store and model registry (the ``mlruns/`` folder of MLflow 2 and 3, and
the MLflow 3 default SQL store ``mlflow.db``).

:mod:`.store` reads a store into plain objects, :mod:`.mlmodel` a model's signature, and
:mod:`.importer` turns both into lineage records.
"""

from ..mlflow.importer import MLflowImporter

__all__ = ["MLflowImporter"]
