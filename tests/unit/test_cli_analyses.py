"""simulate, findings, diff, check and --as-of through the command line."""

from __future__ import annotations

import json
import textwrap

from tests.conftest import file_digest


def out(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def test_simulate_text(lineage, small):
    lineage("import", "small.yaml")
    result = lineage("simulate", "ctr")
    assert result.exit_code == 0
    assert result.stdout == out("""
        removing feature:shop/ctr
        broken: 0
        degraded: 3
            hop 1  model:shop/ranker  (loses feature:shop/ctr; 90% of its input weight lost)
            hop 2  consumer:shop/homepage  (changed: model:shop/ranker)
            hop 3  dataset:shop/clicks  (changed: consumer:shop/homepage)
        unaffected: 2
        by kind:  consumer (1 degraded), dataset (1 degraded), model (1 degraded)
        by owner: ml-team (2 degraded), web-team (1 degraded)
    """)


def test_simulate_json_contract(lineage, small):
    lineage("import", "small.yaml")
    data = json.loads(lineage("simulate", "clicks", "rank_boost", "--json").stdout)
    assert set(data) >= {"removed", "broken", "degraded", "unaffected_count"}
    assert [n["id"] for n in data["removed"]] == ["dataset:shop/clicks", "flag:shop/rank_boost"]
    assert [(n["id"], n["lost"]) for n in data["broken"]] == [("feature:shop/ctr", ["dataset:shop/clicks"])]
    ranker = next(n for n in data["degraded"] if n["id"] == "model:shop/ranker")
    assert ranker["lost"] == ["feature:shop/ctr", "flag:shop/rank_boost"]
    assert ranker["weight_lost"] == 0.9
    assert data["unaffected_count"] == 1


def test_simulate_an_edge_and_usage_errors(lineage, small):
    lineage("import", "small.yaml")
    data = json.loads(lineage("simulate", "--edge", "ctr", "ranker", "--json").stdout)
    assert data["removed_edges"] == [["feature:shop/ctr", "model:shop/ranker"]]
    assert [n["id"] for n in data["degraded"]][0] == "model:shop/ranker"
    assert lineage("simulate").exit_code == 2
    bad = lineage("simulate", "--edge", "ranker", "ctr")
    assert bad.exit_code == 1 and "there is no edge model:shop/ranker -> feature:shop/ctr" in bad.stderr


def test_findings_json_has_every_key(lineage, small):
    lineage("import", "small.yaml")
    data = json.loads(lineage("findings", "--json").stdout)
    assert list(data) == [
        "bundled_features",
        "cace_hotspots",
        "changed_feature_columns",
        "correction_cascades",
        "dead_flags",
        "deprecated_in_use",
        "epsilon_features",
        "feedback_loops",
        "legacy_features",
        "undeclared_consumers",
        "unused_features",
        "unused_fields",
    ]  # fmt: skip (sorted keys)
    loop = data["feedback_loops"][0]
    assert [n["id"] for n in loop["nodes"]] == [
        "model:shop/ranker",
        "consumer:shop/homepage",
        "dataset:shop/clicks",
        "feature:shop/ctr",
    ]
    assert loop["hidden"] is False and loop["reason"]
    assert [n["id"] for n in data["legacy_features"][0]["nodes"]] == ["feature:shop/price", "model:shop/ranker"]
    only = json.loads(lineage("findings", "--only", "dead_flags", "--json").stdout)
    assert only == {"dead_flags": []}


def test_findings_text(lineage, small):
    lineage("import", "small.yaml")
    text = lineage("findings", "--only", "legacy_features", "--only", "unused_features").stdout
    assert text == out("""
        unused features (0): a feature no model or consumer reads
        legacy features (1): a feature only old model versions read, or a deprecated one still read
          - feature:shop/price -> model:shop/ranker
            deprecated since 2025-01-01 but still read by ranker
    """)


def test_history_as_of_and_diff(lineage, small, tmp_path):
    old = tmp_path / "old.yaml"
    old.write_text(small.read_text().replace("configures: [ranker]", "configures: [feature:ctr]"))
    lineage("import", "--at", "2025-01-01", "--source", "s", "old.yaml")
    lineage("import", "--at", "2025-06-01", "--source", "s", "small.yaml")
    then = json.loads(lineage("impact", "rank_boost", "--as-of", "2025-03-01", "--json").stdout)
    assert [n["id"] for n in then["downstream"]][0] == "feature:shop/ctr"
    assert lineage("impact", "rank_boost", "--as-of", "2024-01-01").exit_code == 2
    flags = json.loads(lineage("findings", "--only", "dead_flags", "--json").stdout)["dead_flags"]
    assert [(f["before"], f["after"]) for f in flags] == [(["feature:shop/ctr"], ["model:shop/ranker"])]
    assert json.loads(lineage("findings", "--only", "dead_flags", "--json", "--as-of", "2025-03-01")
                      .stdout)["dead_flags"] == []  # fmt: skip
    result = lineage("diff")
    assert result.stdout == out("""
        changes from before the newest import (2025-06-01 00:00:00) to now
        + flag:shop/rank_boost -> model:shop/ranker  [configures]
        - flag:shop/rank_boost -> feature:shop/ctr  [configures]
    """)
    data = json.loads(lineage("diff", "--from", "2024-01-01", "--to", "2025-03-01", "--json").stdout)
    assert len(data["nodes"]["added"]) == 6 and data["nodes"]["removed"] == []


def test_diff_against_another_database(lineage, small, tmp_path):
    lineage("import", "small.yaml")
    other = tmp_path / "other.db"
    changed = tmp_path / "changed.yaml"
    changed.write_text(small.read_text().replace("owner: web-team", "owner: growth"))
    from click.testing import CliRunner

    from lineage.cli import cli

    CliRunner().invoke(cli, ["--db", str(other), "import", str(changed)])
    data = json.loads(lineage("diff", "--against", str(other), "--json").stdout)
    assert data["nodes"]["changed"] == [
        {"key": "consumer:shop/homepage", "fields": {"owner": {"after": "growth", "before": "web-team"}}}
    ]


def test_check_fails_a_change_that_drops_a_feature_a_live_model_reads(lineage, small, tmp_path):
    lineage("import", "small.yaml")
    before = file_digest(lineage.db)
    pr = tmp_path / "pr.yaml"
    pr.write_text(small.read_text().replace("  - name: ctr\n    from: [clicks]\n", ""))
    result = lineage("check", "--source", str(small.resolve()), str(pr))
    assert result.exit_code == 1
    assert result.stdout.startswith("## Lineage check ❌ fails (fail on: broken)")
    assert "| broken | `model:shop/ranker` | model | ml-team | still reads feature:shop/ctr, which" in result.stdout  # noqa: E501
    assert file_digest(lineage.db) == before


def test_check_passes_a_harmless_change_and_fail_on_degraded(lineage, small, tmp_path):
    lineage("import", "small.yaml")
    pr = tmp_path / "pr.yaml"
    # The model stops reading the deprecated feature and the feature goes: intended, degrading.
    pr.write_text(
        small.read_text()
        .replace("      - {name: price, weight: 0.1}\n", "")
        .replace("  - name: price\n    deprecated: {since: 2025-01-01, reason: use price_v2}\n", "")
    )  # noqa: E501
    assert lineage("check", "--source", str(small.resolve()), str(pr)).exit_code == 0
    strict = lineage("check", "--source", str(small.resolve()), str(pr), "--fail-on", "degraded", "--json")
    data = json.loads(strict.stdout)
    assert strict.exit_code == 1 and data["fails"] is True
    assert [n["id"] for n in data["removed"]] == ["feature:shop/price"]
    assert {u["id"]: u["impact"] for u in data["users"]} == {
        "model:shop/ranker": "degraded",
        "consumer:shop/homepage": "degraded",
    }


def test_check_with_removals_and_a_broken_file(lineage, small, tmp_path):
    lineage("import", "small.yaml")
    assert lineage("check", "--remove", "clicks").exit_code == 0
    assert lineage("check", "--remove", "clicks", "--fail-on", "any").exit_code == 1
    bad = tmp_path / "bad.yaml"
    bad.write_text("lineage_manifest: 1\nfeatures: [{name: x, owner: 1}]\n")
    result = lineage("check", "bad.yaml")
    assert result.exit_code == 1
    assert "bad.yaml:2: features.0.owner must be of type string, not integer" in result.stdout
    assert lineage("check").exit_code == 2


def _many_owners(path):
    """One feature read by twelve models, each owned by its own team (team_11 owns two more)."""
    models = [f"  - {{name: m{i:02}, owner: team_{i:02}, features: [f]}}" for i in range(12)]
    models += [f"  - {{name: extra{i}, owner: team_11, features: [f]}}" for i in range(2)]
    path.write_text("lineage_manifest: 1\nnamespace: n\nfeatures:\n  - name: f\nmodels:\n" + "\n".join(models) + "\n")


def test_impact_and_simulate_name_the_ten_largest_owners_and_count_the_rest(lineage, tmp_path):
    _many_owners(tmp_path / "many.yaml")
    assert lineage("import", "many.yaml").exit_code == 0
    names = ", ".join(f"team_{i:02} 1" for i in range(9))
    impact_line = lineage("impact", "f").stdout.splitlines()[-1]
    assert impact_line == f"  by owner: team_11 3, {names} and 2 more owners (--json lists them all)"
    simulate_line = lineage("simulate", "f").stdout.splitlines()[-1]
    degraded = ", ".join(f"team_{i:02} (1 broken)" for i in range(9))
    assert simulate_line == f"by owner: team_11 (3 broken), {degraded} and 2 more owners (--json lists them all)"
    # JSON keeps every owner.
    assert len(json.loads(lineage("impact", "f", "--json").stdout)["summary"]["downstream"]["by_owner"]) == 12
