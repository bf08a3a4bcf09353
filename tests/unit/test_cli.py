"""The `lineage` command line, through click's runner, asserting the exact output."""

from __future__ import annotations

import json
import textwrap

from tests.conftest import file_digest


def out(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def test_import_prints_what_was_added(lineage, small):
    result = lineage("import", "small.yaml")
    assert result.exit_code == 0, result.output
    assert result.stdout == out("""
        FORMAT    PATH        READ
        manifest  small.yaml  6 nodes, 6 edges
        imported 1 of 1 sources: 6 nodes added, 6 edges added
        graph: 6 nodes, 6 edges
    """)


def test_importing_the_same_file_again_adds_nothing(lineage, small):
    lineage("import", "small.yaml")
    before = file_digest(lineage.db)
    result = lineage("import", "small.yaml")
    assert result.exit_code == 0
    assert result.stdout == out("""
        FORMAT    PATH        READ
        manifest  small.yaml  unchanged (imported before)
        imported 0 of 1 sources: no change to the graph
        graph: 6 nodes, 6 edges
    """)
    assert file_digest(lineage.db) == before


def test_reimport_of_a_changed_file_replaces_its_previous_generation(lineage, small):
    lineage("import", "small.yaml")
    small.write_text(small.read_text().split("flags:")[0])
    result = lineage("import", "small.yaml")
    assert result.exit_code == 0, result.output
    assert "imported 1 of 1 sources: 1 node removed, 1 edge removed" in result.stdout
    assert "graph: 5 nodes, 5 edges" in result.stdout


def test_nodes_lists_sorted_by_id(lineage, small):
    lineage("import", "small.yaml")
    result = lineage("nodes")
    assert result.exit_code == 0
    assert result.stdout == out("""
        ID                      KIND      NAME        OWNER     STATUS
        consumer:shop/homepage  consumer  homepage    web-team  active
        dataset:shop/clicks     dataset   clicks      ml-team   active
        feature:shop/ctr        feature   ctr         ml-team   active
        feature:shop/price      feature   price       ml-team   deprecated
        flag:shop/rank_boost    flag      rank_boost  ml-team   active
        model:shop/ranker       model     ranker      ml-team   active
    """)


def test_nodes_filters_and_json(lineage, small):
    lineage("import", "small.yaml")
    result = lineage("nodes", "--kind", "feature", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == [
        {"id": "feature:shop/ctr", "kind": "feature", "name": "ctr", "namespace": "shop",
         "owner": "ml-team", "team": None, "status": "active"},
        {"id": "feature:shop/price", "kind": "feature", "name": "price", "namespace": "shop",
         "owner": "ml-team", "team": None, "status": "deprecated"},
    ]  # fmt: skip
    assert lineage("nodes", "--status", "deprecated").stdout.splitlines()[1].startswith("feature:shop/price")
    assert "consumer:shop/homepage" in lineage("nodes", "--owner", "web-team").stdout
    searched = lineage("nodes", "--search", "log", "--json")
    assert [n["id"] for n in json.loads(searched.stdout)] == ["dataset:shop/clicks"]


def test_show_lists_attributes_edges_and_sources(lineage, small):
    lineage("import", "small.yaml")
    result = lineage("show", "price")
    assert result.exit_code == 0
    assert result.stdout == out("""
        feature:shop/price
          kind:      feature
          name:      price
          namespace: shop
          owner:     ml-team
          status:    deprecated since 2025-01-01: use price_v2
        inputs (0):
        outputs (1):
          -> model:shop/ranker  [reads, declared, weight 0.1]
        sources (2):
          small.yaml:10  (manifest, import #1)
          small.yaml:16  (manifest, import #1)
    """)


def test_show_json(lineage, small):
    lineage("import", "small.yaml")
    data = json.loads(lineage("show", "dataset:clicks", "--json").stdout)
    assert data["node"]["id"] == "dataset:shop/clicks"
    assert data["node"]["tags"] == ["log"]
    assert [e["source"] for e in data["inputs"]] == ["consumer:shop/homepage"]
    assert [e["target"] for e in data["outputs"]] == ["feature:shop/ctr"]
    assert data["provenance"][0] == {
        "file": "small.yaml", "line": 5, "import_id": 1, "importer": "manifest",
        "path": "small.yaml",
    }  # fmt: skip


def test_trace(lineage, small):
    lineage("import", "small.yaml")
    result = lineage("trace", "clicks", "homepage")
    assert result.stdout == out("""
        1 path from dataset:shop/clicks to consumer:shop/homepage, shortest first
        1. dataset:shop/clicks -> feature:shop/ctr -> model:shop/ranker -> consumer:shop/homepage
    """)
    data = json.loads(lineage("trace", "clicks", "homepage", "--json").stdout)
    assert [[n["id"] for n in p] for p in data["paths"]] == [
        ["dataset:shop/clicks", "feature:shop/ctr", "model:shop/ranker", "consumer:shop/homepage"]
    ]
    assert lineage("trace", "ranker", "price").stdout == ("no path from model:shop/ranker to feature:shop/price\n")


def test_impact_text_and_json(lineage, small):
    lineage("import", "small.yaml")
    result = lineage("impact", "ctr")
    assert result.stdout == out("""
        impact of feature:shop/ctr (depth: all)
        downstream: 3 nodes
          hop 1 (1):
            model:shop/ranker
          hop 2 (1):
            consumer:shop/homepage
          hop 3 (1):
            dataset:shop/clicks
          by kind:  consumer 1, dataset 1, model 1
          by owner: ml-team 2, web-team 1
    """)
    data = json.loads(lineage("impact", "ranker", "--depth", "1", "--upstream", "--json").stdout)
    assert data["node"]["id"] == "model:shop/ranker"
    assert [(n["id"], n["distance"]) for n in data["downstream"]] == [("consumer:shop/homepage", 1)]
    assert [(n["id"], n["distance"]) for n in data["upstream"]] == [
        ("feature:shop/ctr", 1), ("feature:shop/price", 1), ("flag:shop/rank_boost", 1)
    ]  # fmt: skip
    assert data["summary"]["upstream"]["by_kind"] == {"feature": 2, "flag": 1}


def test_unknown_ref_exits_2_with_candidates(lineage, small):
    lineage("import", "small.yaml")
    result = lineage("show", "rankr")
    assert result.exit_code == 2
    assert result.stderr == "Error: no node matches 'rankr'\nclosest: model:shop/ranker\n"


def test_ambiguous_ref_exits_1_and_lists_the_matches(lineage, tmp_path):
    (tmp_path / "m.yaml").write_text(
        "lineage_manifest: 1\nfeatures: [{name: x}]\nmodels: [{name: x, features: [feature:x]}]\n"
    )
    lineage("import", "m.yaml")
    result = lineage("impact", "x")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: 'x' is ambiguous: 2 nodes have that name\n  feature:x  (feature; manifest m.yaml)\n  model:x  (model; manifest m.yaml)\nname one by its id, or as kind:name\n"
    )
    assert lineage("impact", "model:x").exit_code == 0


def test_broken_manifest_names_file_and_line_and_writes_nothing(lineage, small):
    lineage("import", "small.yaml")
    before = file_digest(lineage.db)
    broken = lineage.folder / "broken.yaml"
    broken.write_text("lineage_manifest: 1\nmodels:\n  - name: m\n    fetures: [a]\n")
    result = lineage("import", "broken.yaml")
    assert result.exit_code == 1
    assert result.stderr == (
        "broken.yaml:4: unknown key 'fetures' in models.0; did you mean 'features'?\n"
        "Error: 1 problem; nothing was imported; fix them, or import the valid records with"
        " --lenient\n"
    )
    assert "Traceback" not in result.output
    assert file_digest(lineage.db) == before


def test_one_bad_file_in_a_folder_rolls_back_the_whole_import(lineage, small, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    small.rename(folder / "small.yaml")
    (folder / "bad.yaml").write_text("lineage_manifest: 1\nfeatures: [{name: a, status: gone}]\n")
    result = lineage("import", "in")
    assert result.exit_code == 1
    assert "in/bad.yaml:2: features.0.status must be one of active, proposed, deprecated, not 'gone'" in result.stderr  # noqa: E501
    assert not lineage.db.exists() or lineage("nodes").stdout == ""


def test_lenient_imports_the_valid_entries_and_still_exits_1(lineage, tmp_path):
    (tmp_path / "m.yaml").write_text("lineage_manifest: 1\nfeatures:\n  - name: good\n  - name: bad\n    owner: [x]\n")
    result = lineage("import", "--lenient", "m.yaml")
    assert result.exit_code == 1
    assert "m.yaml:5: features.1.owner must be of type string, not list" in result.stderr
    assert "Error: 1 problem; the valid records were imported" in result.stderr
    assert lineage("nodes").stdout.splitlines()[1:] == ["feature:good  feature  good  -      active"]


def test_a_file_no_importer_reads(lineage, tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    result = lineage("import", "notes.txt")
    assert result.exit_code == 1
    assert result.stderr.startswith("notes.txt: no importer recognises this file")


def test_missing_path_and_missing_database(lineage):
    result = lineage("import", "nowhere.yaml")
    assert result.exit_code == 1
    assert "nowhere.yaml: no such file or folder" in result.stderr
    result = lineage("nodes")
    assert result.exit_code == 1
    assert "no lineage database here" in result.stderr
    assert not lineage.db.exists()


def test_format_option(lineage, tmp_path):
    (tmp_path / "m.yaml").write_text("lineage_manifest: 1\nfeatures: [{name: a}]\n")
    assert lineage("import", "--format", "nope", "m.yaml").exit_code == 2  # bad usage
    assert "unknown format 'nope'" in lineage("import", "--format", "nope", "m.yaml").stderr
    assert lineage("import", "--format", "manifest", "m.yaml").exit_code == 0


def test_db_defaults_to_env_then_cwd(tmp_path, monkeypatch, small):
    from click.testing import CliRunner

    from lineage.cli import cli

    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    monkeypatch.setenv("LINEAGE_DB", str(tmp_path / "env.db"))
    assert runner.invoke(cli, ["import", "small.yaml"]).exit_code == 0
    assert (tmp_path / "env.db").exists()
    monkeypatch.delenv("LINEAGE_DB")
    assert runner.invoke(cli, ["import", "small.yaml"]).exit_code == 0
    assert (tmp_path / "lineage.db").exists()


def test_debug_shows_the_traceback(lineage):
    result = lineage("--debug", "nodes")
    assert result.exit_code == 1
    assert result.exception is not None and "no lineage database" in str(result.exception)


def test_formats(lineage):
    result = lineage("formats", "--json")
    names = [f["name"] for f in json.loads(result.stdout)]
    assert "manifest" in names
    assert lineage("formats").stdout.startswith("NAME")


def test_import_at_and_source_keep_history(lineage, small, tmp_path):
    old = tmp_path / "old.yaml"
    old.write_text(small.read_text().replace("configures: [ranker]", "configures: [feature:ctr]"))
    assert lineage("import", "--at", "2025-01-01", "--source", "shop", "old.yaml").exit_code == 0
    assert lineage("import", "--at", "2025-06-01", "--source", "shop", "small.yaml").exit_code == 0
    flag = json.loads(lineage("show", "rank_boost", "--json").stdout)
    assert [e["target"] for e in flag["outputs"]] == ["model:shop/ranker"]
    bad = lineage("import", "--at", "yesterday", "small.yaml")
    assert bad.exit_code == 1
    assert "not a date or time: 'yesterday'" in bad.stderr


def test_hostile_names_cannot_break_the_terminal_and_round_trip_in_json(lineage, tmp_path):
    name = 'evil\x1b[2J\nline\u202e"<script>'
    (tmp_path / "m.json").write_text(json.dumps(
        {"lineage_manifest": 1, "features": [{"name": name}], "models": [{"name": "m", "features": [name]}]}
    ))  # fmt: skip
    assert lineage("import", "m.json").exit_code == 0
    listed = lineage("nodes", "--kind", "feature").stdout
    assert "\x1b" not in listed and "\u202e" not in listed
    assert len(listed.splitlines()) == 2
    assert "evil\\x1b[2J\\nline\\u202e" in listed
    impact = lineage("impact", "model:m", "--upstream").stdout
    assert "\x1b" not in impact and "\\x1b" in impact
    data = json.loads(lineage("nodes", "--kind", "feature", "--json").stdout)
    assert data[0]["name"] == name
    assert lineage("show", "feature:" + name, "--json").exit_code == 0


def test_a_renamed_node_counts_as_one_added_and_one_removed(lineage, small):
    lineage("import", "small.yaml")
    small.write_text(small.read_text().replace("rank_boost", "speed_boost"))
    result = lineage("import", "small.yaml")
    assert result.stdout.splitlines()[-2] == (
        "imported 1 of 1 sources: 1 node added, 1 edge added, 1 node removed, 1 edge removed"
    )


def test_skipped_files_are_named_with_a_way_out(lineage, small, tmp_path):
    (tmp_path / "notes.txt").write_text("nothing to import")
    result = lineage("import", ".")
    assert result.exit_code == 0
    assert "skipped 1 file no importer recognises:" in result.output and "notes.txt" in result.output
    assert "--format NAME" in result.output
