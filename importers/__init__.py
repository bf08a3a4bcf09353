"""Importers: each turns one kind of file into lineage records; none writes SQL.

They are registered as entry points in the ``lineage.importers`` group (see pyproject.toml)
and found through :mod:`lineage.ingest.registry`.
"""
