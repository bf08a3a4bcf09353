"""Write the demo's MLflow store with the real MLflow (run once; the output is committed).

    .venv/bin/python resources/demo/tools/make_mlflow_store.py

Writes resources/demo/current/registry/mlruns: experiment "ctr" with the training runs of
ctr_model versions 1 and 2 (2 is the production alias; 1 still read advertiser_age_days) and
bid_model version 1, each with its signature and logged feature importances. Absolute paths
are rewritten to /srv/ml-platform/... (another machine's paths, as in a copied store) and the
pickled model files are deleted: the importer never unpickles, and the demo ships no pickles.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET = HERE.parent / "current" / "registry" / "mlruns"
CTR_NOW = {
    "historical_ctr": 0.21,
    "query_terms": 0.17,
    "ad_id": 0.11,
    "ad_position": 0.10,
    "advertiser_ctr": 0.09,
    "advertiser_id": 0.07,
    "country": 0.06,
    "font_size": 0.06,
    "device_type": 0.035,
    "language": 0.02,
    "day_of_week": 0.002,
    "os_version": 0.001,
}
CTR_BEFORE = {
    "historical_ctr": 0.25,
    "query_terms": 0.2,
    "ad_id": 0.15,
    "advertiser_age_days": 0.12,
    "country": 0.1,
    "font_size": 0.08,
}
BID = {"advertiser_category": 0.5, "hour_of_day": 0.5}


def main() -> None:
    os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"
    os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")
    import mlflow
    from mlflow.models.signature import ModelSignature
    from mlflow.pyfunc import PythonModel
    from mlflow.types import ColSpec, Schema

    class Constant(PythonModel):
        def predict(self, context, model_input, params=None):
            return [0.01] * len(model_input)

    work = Path(tempfile.mkdtemp())
    os.chdir(work)
    mlflow.set_tracking_uri("file:./mlruns")
    mlflow.set_experiment("ctr")
    for model, version_features in (("ctr_model", (CTR_BEFORE, CTR_NOW)), ("bid_model", (BID,))):
        for features in version_features:
            with mlflow.start_run(run_name=f"train_{model}"):
                mlflow.set_tag("team", "ctr-modeling" if model == "ctr_model" else "bidding")
                mlflow.log_param("num_trees", 400)
                for name, weight in features.items():
                    mlflow.log_metric(f"importance.{name}", weight)
                signature = ModelSignature(inputs=Schema([ColSpec("double", f) for f in features]))
                mlflow.pyfunc.log_model(
                    name="model", python_model=Constant(), signature=signature, registered_model_name=model
                )
    client = mlflow.MlflowClient()
    client.set_registered_model_alias("ctr_model", "production", "2")
    for pickle in (work / "mlruns").rglob("*.pkl"):
        pickle.unlink()
    for meta in (work / "mlruns").rglob("*"):
        if meta.is_file() and meta.suffix in ("", ".yaml", ".json") or meta.name == "MLmodel":
            text = meta.read_text("utf-8", errors="strict")
            meta.write_text(text.replace(str(work), "/srv/ml-platform/ads"))
    if TARGET.exists():
        shutil.rmtree(TARGET)
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(work / "mlruns", TARGET)
    shutil.rmtree(work)
    print(f"wrote {TARGET}", file=sys.stderr)


if __name__ == "__main__":
    main()
